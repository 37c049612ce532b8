//! Groups as chat clients see them: SimpleX groups are the world's groups, with the
//! chat roles (`grid::chat::ChatRole`) read from and written as group roles.
//!
//! Whatever the SmartBots group commands already do (create, invite, join, leave,
//! eject, assign and revoke roles) runs through the same code here, so both faces obey
//! one set of rules; what only chat clients do (block for all, group links, rich group
//! messages) is carried out here.

use crate::Engine;
use crate::bot;
use crate::groups::{self as group_exec, announce_joined};
use grid::chat::{self, ChatProfile, ChatRole, Content, Link, LinkKind};
use grid::command::{BotCommand, Reply};
use grid::group::{
    self, Applicant, Group, GroupId, Invitation, Membership, PostId, PostKind, Powers, RoleKind,
};
use grid::secret;
use grid::{Avatar, AvatarId, Error, Event, Timestamp};
use store::{NewPost, Tx};

/// A group as one chat user sees it.
#[derive(Clone, Debug)]
pub struct ChatGroup {
    pub group: Group,
    /// The user's membership; `None` while the user is only invited.
    pub membership: Option<Membership>,
    /// The invitation the user has not answered yet, if any.
    pub invitation: Option<Invitation>,
    /// How many members the group has.
    pub members: i64,
    /// The custom data the user keeps about the group (JSON).
    pub custom: Option<String>,
    /// Whether the group reviews who joins through its links.
    pub review_joins: bool,
    /// The user's application, while it waits for a reviewer.
    pub application: Option<Applicant>,
    /// An owner disbanded the group.
    pub disbanded: bool,
}

impl ChatGroup {
    /// The user's standing; an invitee has the standing it is invited to.
    pub fn role(&self, invited_as: ChatRole) -> ChatRole {
        self.membership
            .as_ref()
            .map(ChatRole::of)
            .unwrap_or(invited_as)
    }
}

/// A group chat message as sent.
#[derive(Clone, Debug)]
pub struct GroupPost {
    pub id: PostId,
    pub content: Content,
    pub at: Timestamp,
    /// The post it answers.
    pub quote: Option<PostId>,
}

fn group(tx: &mut Tx<'_>, id: GroupId) -> Result<Group, Error> {
    tx.group(id)?.ok_or_else(|| Error::GroupNotFound {
        who: id.0.to_string(),
    })
}

fn avatar(tx: &mut Tx<'_>, id: AvatarId) -> Result<Avatar, Error> {
    tx.avatar(id)?.ok_or_else(|| Error::AvatarNotFound {
        who: id.to_string(),
    })
}

/// The group and the user's membership of it: what every member command starts from.
/// A group the user is not in is not found, as if it did not exist for the user.
fn as_member(tx: &mut Tx<'_>, user: AvatarId, id: GroupId) -> Result<(Group, Membership), Error> {
    let g = group(tx, id)?;
    let m = tx
        .membership(g.id, user)?
        .ok_or_else(|| Error::GroupNotFound {
            who: id.0.to_string(),
        })?;
    Ok((g, m))
}

fn view(tx: &mut Tx<'_>, user: AvatarId, g: Group) -> Result<ChatGroup, Error> {
    let membership = tx.membership(g.id, user)?;
    let (invitation, application) = match membership {
        Some(_) => (None, None),
        None => (tx.open_invitation(g.id, user)?, tx.applicant(g.id, user)?),
    };
    let members = tx.member_count(g.id)?;
    let custom = tx.custom_data(user, grid::chat::CustomTarget::Group(g.id))?;
    let flags = tx.group_flags(g.id)?;
    Ok(ChatGroup {
        group: g,
        membership,
        invitation,
        members,
        custom,
        review_joins: flags.review_joins,
        application,
        disbanded: flags.disbanded,
    })
}

/// Tells an applicant and the group's reviewers (who may invite) about an application.
fn announce_application(
    tx: &mut Tx<'_>,
    g: &Group,
    applicant: AvatarId,
    event: &Event,
) -> Result<(), Error> {
    tx.emit_to_holders(g.id, Powers::INVITE, event)?;
    tx.emit(applicant, event.clone())?;
    Ok(())
}

/// Joins `me` to the group of a group link, with the standing the link gives. The link
/// works while its maker is in the group and may still invite into that standing.
pub(crate) fn join_by_link(tx: &mut Tx<'_>, me: &Avatar, link: &Link) -> Result<Group, Error> {
    let id = link.group.ok_or(Error::LinkNotFound)?;
    let g = group(tx, id)?;
    if tx.membership(g.id, me.id)?.is_some() {
        return Err(Error::AlreadyMember);
    }
    if tx.is_banned(g.id, me.id)? {
        return Err(Error::Banned);
    }
    let maker = tx
        .membership(g.id, link.owner)?
        .ok_or(Error::LinkNotFound)?;
    let standing = link.settings.member_role.unwrap_or(ChatRole::Member);
    let role = tx.role_of_kind(g.id, standing.role_kind()?)?;
    group::may_invite(&maker, &role).map_err(|_| Error::LinkNotFound)?;
    let fee = g.fee;
    if tx.group_flags(g.id)?.review_joins {
        if tx.applicant(g.id, me.id)?.is_some() {
            return Err(Error::AlreadyMember);
        }
        tx.add_applicant(g.id, me.id, role.id, link.owner)?;
        let host = avatar(tx, link.owner)?;
        let event = Event::MemberApplied {
            group: g.to_ref(),
            member: me.to_ref(),
            host: host.to_ref(),
        };
        announce_application(tx, &g, me.id, &event)?;
        return Ok(g);
    }
    crate::groups::pay_join_fee(tx, me, &g, fee)?;
    admit(tx, &g, me, role.id)?;
    Ok(g)
}

/// A reviewer's decision on an application: let it in holding `role`, or (with `None`)
/// turn it away.
fn review(
    tx: &mut Tx<'_>,
    g: &Group,
    reviewer: &Avatar,
    mine: &Membership,
    target: &Avatar,
    a: &Applicant,
    role: Option<grid::group::RoleId>,
) -> Result<(), Error> {
    let asked = tx.role(a.role)?.ok_or_else(|| Error::RoleNotFound {
        who: a.role.0.to_string(),
    })?;
    chat::may_review(mine, &asked)?;
    if let Some(r) = role.filter(|r| *r != a.role) {
        let given = tx.role(r)?.ok_or_else(|| Error::RoleNotFound {
            who: r.0.to_string(),
        })?;
        chat::may_review(mine, &given)?;
    }
    tx.remove_applicant(g.id, target.id)?;
    let event = Event::ApplicantReviewed {
        group: g.to_ref(),
        member: target.to_ref(),
        by: reviewer.to_ref(),
        accepted: role.is_some(),
    };
    announce_application(tx, g, target.id, &event)?;
    match role {
        Some(r) => {
            crate::groups::pay_join_fee(tx, target, g, g.fee)?;
            admit(tx, g, target, r)
        }
        None => Ok(()),
    }
}

/// Makes `me` a member holding `role` (and Everyone) and tells the members.
fn admit(tx: &mut Tx<'_>, g: &Group, me: &Avatar, role: grid::group::RoleId) -> Result<(), Error> {
    let everyone = tx.role_of_kind(g.id, RoleKind::Everyone)?;
    let roles = if role == everyone.id {
        vec![everyone.id]
    } else {
        vec![everyone.id, role]
    };
    tx.add_member(g.id, me.id, &roles, role)?;
    announce_joined(tx, g, me)
}

impl Engine {
    /// Creates a group; the user founds and owns it.
    pub async fn create_chat_group(
        &self,
        user: AvatarId,
        name: String,
        charter: String,
        review_joins: bool,
    ) -> Result<ChatGroup, Error> {
        self.store()
            .write(move |tx| {
                let me = avatar(tx, user)?;
                let create = BotCommand::CreateGroup {
                    name,
                    charter,
                    open_enrollment: false,
                    fee: 0,
                };
                match bot::execute(tx, &me, create)?.reply {
                    Reply::GroupCreated(g) => {
                        tx.set_review_joins(g.id, review_joins)?;
                        view(tx, user, g)
                    }
                    other => Err(Error::internal(format!("group creation said {other:?}"))),
                }
            })
            .await
    }

    /// A group the user is in or invited to.
    pub async fn chat_group(&self, user: AvatarId, id: GroupId) -> Result<ChatGroup, Error> {
        self.store()
            .read(move |tx| {
                let g = group(tx, id)?;
                let v = view(tx, user, g)?;
                if v.membership.is_none() && v.invitation.is_none() && v.application.is_none() {
                    return Err(Error::GroupNotFound {
                        who: id.0.to_string(),
                    });
                }
                Ok(v)
            })
            .await
    }

    /// A group as a user sees it, in it or not: for showing events the user received.
    pub async fn group_view(&self, user: AvatarId, id: GroupId) -> Result<ChatGroup, Error> {
        self.store()
            .read(move |tx| {
                let g = group(tx, id)?;
                view(tx, user, g)
            })
            .await
    }

    /// An avatar with its chat profile and its membership of a group, if it is in it:
    /// for showing events about members.
    pub async fn member_view(
        &self,
        id: GroupId,
        member: AvatarId,
    ) -> Result<(Avatar, ChatProfile, Option<Membership>), Error> {
        self.store()
            .read(move |tx| {
                let m = tx.membership(id, member)?;
                let (a, p) =
                    crate::chat::peer(tx, member)?.ok_or_else(|| Error::AvatarNotFound {
                        who: member.to_string(),
                    })?;
                Ok((a, p, m))
            })
            .await
    }

    /// The groups the user is in, by name.
    pub async fn chat_groups(&self, user: AvatarId) -> Result<Vec<ChatGroup>, Error> {
        self.store()
            .read(move |tx| {
                let mut out = vec![];
                // One read each for the custom data and the counts of every group, not one per group.
                let mut customs: std::collections::HashMap<GroupId, String> = tx
                    .all_custom_data(user)?
                    .into_iter()
                    .filter_map(|(target, data)| match target {
                        grid::chat::CustomTarget::Group(g) => Some((g, data)),
                        grid::chat::CustomTarget::Contact(_) => None,
                    })
                    .collect();
                let counts = tx.member_group_counts(user)?;
                for (g, m) in tx.memberships(user)? {
                    let (members, review_joins) = counts.get(&g.id).copied().unwrap_or((1, false));
                    let custom = customs.remove(&g.id);
                    out.push(ChatGroup {
                        group: g,
                        membership: Some(m),
                        invitation: None,
                        members,
                        custom,
                        review_joins,
                        application: None,
                        disbanded: false,
                    });
                }
                Ok(out)
            })
            .await
    }

    /// The members of a group the user is in, with their chat profiles and roles.
    pub async fn chat_members(
        &self,
        user: AvatarId,
        id: GroupId,
    ) -> Result<(ChatGroup, Vec<(Avatar, ChatProfile, Membership)>), Error> {
        self.store()
            .read(move |tx| {
                let (g, _) = as_member(tx, user, id)?;
                let people = tx.members_with_profiles(g.id)?;
                let memberships = tx.group_memberships(g.id)?;
                let members = people
                    .into_iter()
                    .filter_map(|(a, p)| {
                        let m = memberships.iter().find(|m| m.avatar == a.id)?.clone();
                        Some((a, p, m))
                    })
                    .collect();
                Ok((view(tx, user, g)?, members))
            })
            .await
    }

    /// One member of a group the user is in.
    pub async fn chat_member(
        &self,
        user: AvatarId,
        id: GroupId,
        member: AvatarId,
    ) -> Result<(Avatar, ChatProfile, Membership), Error> {
        self.store()
            .read(move |tx| {
                let (g, _) = as_member(tx, user, id)?;
                let m = tx.membership(g.id, member)?.ok_or(Error::NotInGroup)?;
                let (a, p) =
                    crate::chat::peer(tx, member)?.ok_or_else(|| Error::AvatarNotFound {
                        who: member.to_string(),
                    })?;
                Ok((a, p, m))
            })
            .await
    }

    /// Invites a contact into a group with a standing; returns the invitation, or `None`
    /// when the contact joined at once (it joins every group it is invited to).
    pub async fn invite_to_chat_group(
        &self,
        user: AvatarId,
        id: GroupId,
        contact: AvatarId,
        standing: ChatRole,
    ) -> Result<Option<Invitation>, Error> {
        self.store()
            .write(move |tx| {
                let me = avatar(tx, user)?;
                let (g, _) = as_member(tx, user, id)?;
                let invitee = avatar(tx, contact)?;
                let role = tx.role_of_kind(g.id, standing.role_kind()?)?;
                let invite = BotCommand::GroupInvite {
                    avatar: invitee.uuid,
                    group: g.uuid,
                    role: role.uuid,
                    check_membership: true,
                    message: String::new(),
                    location: None,
                    misc: None,
                };
                bot::execute(tx, &me, invite)?;
                Ok(tx.open_invitation(g.id, invitee.id)?)
            })
            .await
    }

    /// Accepts the user's invitation into a group (or joins an open one); returns the
    /// group and who invited the user (its host, in chat terms).
    pub async fn join_chat_group(
        &self,
        user: AvatarId,
        id: GroupId,
    ) -> Result<(ChatGroup, Option<AvatarId>), Error> {
        self.store()
            .write(move |tx| {
                let me = avatar(tx, user)?;
                let g = group(tx, id)?;
                let host = tx.open_invitation(g.id, user)?.map(|i| i.inviter);
                bot::execute(tx, &me, BotCommand::GroupJoin { group: g.uuid })?;
                Ok((view(tx, user, g)?, host))
            })
            .await
    }

    /// Gives members a standing, all or none.
    pub async fn set_chat_roles(
        &self,
        user: AvatarId,
        id: GroupId,
        members: Vec<AvatarId>,
        to: ChatRole,
    ) -> Result<(), Error> {
        self.store()
            .write(move |tx| {
                let me = avatar(tx, user)?;
                let (g, _) = as_member(tx, user, id)?;
                let kind = to.role_kind()?;
                let owners = tx.role_of_kind(g.id, RoleKind::Owners)?;
                let officers = tx.role_of_kind(g.id, RoleKind::Officers)?;
                for member in members {
                    let target = avatar(tx, member)?;
                    let theirs = tx.membership(g.id, member)?.ok_or(Error::NotInGroup)?;
                    let mut steps = vec![];
                    match kind {
                        RoleKind::Owners => steps.push((true, &owners)),
                        RoleKind::Officers => {
                            steps.push((true, &officers));
                            steps.push((false, &owners));
                        }
                        _ => {
                            steps.push((false, &owners));
                            steps.push((false, &officers));
                        }
                    }
                    for (give, role) in steps {
                        let held = theirs.holds(role.id);
                        let cmd = match (give, held) {
                            (true, false) => BotCommand::SetRole {
                                group: g.uuid,
                                role: role.uuid,
                                member: target.uuid,
                            },
                            (false, true) => BotCommand::RevokeRole {
                                group: g.uuid,
                                role: role.uuid,
                                member: target.uuid,
                            },
                            _ => continue,
                        };
                        bot::execute(tx, &me, cmd)?;
                    }
                }
                Ok(())
            })
            .await
    }

    /// Blocks members for all (what they say in the group reaches nobody), or lifts it.
    pub async fn block_chat_members(
        &self,
        user: AvatarId,
        id: GroupId,
        members: Vec<AvatarId>,
        blocked: bool,
    ) -> Result<(), Error> {
        self.store()
            .write(move |tx| {
                let me = avatar(tx, user)?;
                let (g, mine) = as_member(tx, user, id)?;
                for member in members {
                    let target = avatar(tx, member)?;
                    let theirs = tx.membership(g.id, member)?.ok_or(Error::NotInGroup)?;
                    chat::may_block(&mine, &theirs)?;
                    if theirs.blocked == blocked {
                        continue;
                    }
                    tx.set_member_blocked(g.id, member, blocked)?;
                    let event = Event::MemberBlocked {
                        group: g.to_ref(),
                        member: target.to_ref(),
                        by: me.to_ref(),
                        blocked,
                    };
                    tx.emit_to_chat_members(g.id, &event)?;
                }
                Ok(())
            })
            .await
    }

    /// Removes members from a group, all or none.
    pub async fn remove_chat_members(
        &self,
        user: AvatarId,
        id: GroupId,
        members: Vec<AvatarId>,
    ) -> Result<(), Error> {
        self.store()
            .write(move |tx| {
                let me = avatar(tx, user)?;
                let (g, mine) = as_member(tx, user, id)?;
                for member in members {
                    let target = avatar(tx, member)?;
                    if tx.membership(g.id, member)?.is_none()
                        && let Some(a) = tx.applicant(g.id, member)?
                    {
                        review(tx, &g, &me, &mine, &target, &a, None)?;
                        continue;
                    }
                    let eject = BotCommand::GroupEject {
                        avatar: target.uuid,
                        group: g.uuid,
                        ignore_membership: false,
                    };
                    bot::execute(tx, &me, eject)?;
                }
                Ok(())
            })
            .await
    }

    /// The applicants of a group, with their chat profiles and the standing they would
    /// get, if the user may review them (none otherwise: applicants are seen only by their
    /// reviewers).
    pub async fn chat_applicants(
        &self,
        user: AvatarId,
        id: GroupId,
    ) -> Result<Vec<(Avatar, ChatProfile, Applicant, ChatRole)>, Error> {
        self.store()
            .read(move |tx| {
                let (g, mine) = as_member(tx, user, id)?;
                if !mine.powers().contains(Powers::INVITE) {
                    return Ok(vec![]);
                }
                let roles = tx.roles(g.id)?;
                let mut out = vec![];
                for a in tx.applicants(g.id)? {
                    let Some(role) = roles.iter().find(|r| r.id == a.role) else {
                        continue;
                    };
                    if chat::may_review(&mine, role).is_err() {
                        continue;
                    }
                    if let Some((avatar, profile)) = crate::chat::peer(tx, a.avatar)? {
                        let standing = ChatRole::of_kind(role.kind);
                        out.push((avatar, profile, a, standing));
                    }
                }
                Ok(out)
            })
            .await
    }

    /// Lets an applicant into a group, in `standing` or else the one its link gives.
    /// Someone who is not waiting to join is refused with [`Error::NotAMember`].
    pub async fn accept_applicant(
        &self,
        user: AvatarId,
        id: GroupId,
        applicant: AvatarId,
        standing: Option<ChatRole>,
    ) -> Result<(), Error> {
        self.store()
            .write(move |tx| {
                let me = avatar(tx, user)?;
                let (g, mine) = as_member(tx, user, id)?;
                let target = avatar(tx, applicant)?;
                let a = tx.applicant(g.id, applicant)?.ok_or(Error::NotAMember)?;
                let role = match standing {
                    Some(s) => tx.role_of_kind(g.id, s.role_kind()?)?.id,
                    None => a.role,
                };
                review(tx, &g, &me, &mine, &target, &a, Some(role))
            })
            .await
    }

    /// An owner disbands a group (deletes it for everyone): the members are told, then
    /// every membership, application, open invitation and link of it goes. Returns the
    /// group as it was.
    pub async fn disband_chat_group(
        &self,
        user: AvatarId,
        id: GroupId,
    ) -> Result<ChatGroup, Error> {
        self.store()
            .write(move |tx| {
                let me = avatar(tx, user)?;
                let (g, mine) = as_member(tx, user, id)?;
                if !mine.is_owner() {
                    return Err(Error::OwnersOnly);
                }
                let before = view(tx, user, g.clone())?;
                let event = Event::GroupDisbanded {
                    group: g.to_ref(),
                    by: me.to_ref(),
                };
                tx.emit_to_chat_members(g.id, &event)?;
                tx.disband_group(g.id)?;
                Ok(before)
            })
            .await
    }

    /// The user leaves a group, or withdraws its application; returns the group as it
    /// was.
    pub async fn leave_chat_group(&self, user: AvatarId, id: GroupId) -> Result<ChatGroup, Error> {
        self.store()
            .write(move |tx| {
                let me = avatar(tx, user)?;
                let g = group(tx, id)?;
                if tx.membership(g.id, user)?.is_none() && tx.applicant(g.id, user)?.is_some() {
                    let before = view(tx, user, g.clone())?;
                    tx.remove_applicant(g.id, user)?;
                    let event = Event::ApplicantReviewed {
                        group: g.to_ref(),
                        member: me.to_ref(),
                        by: me.to_ref(),
                        accepted: false,
                    };
                    tx.emit_to_holders(g.id, Powers::INVITE, &event)?;
                    return Ok(before);
                }
                let (g, _) = as_member(tx, user, id)?;
                let before = view(tx, user, g.clone())?;
                bot::execute(tx, &me, BotCommand::GroupLeave { group: g.uuid })?;
                Ok(before)
            })
            .await
    }

    /// Changes a group's description (its charter) and whether it reviews joins (an
    /// enrollment option). Group names never change, as in Second Life; asking for
    /// another name is refused.
    pub async fn update_chat_group(
        &self,
        user: AvatarId,
        id: GroupId,
        name: String,
        charter: String,
        review_joins: bool,
    ) -> Result<(ChatGroup, ChatGroup), Error> {
        self.store()
            .write(move |tx| {
                let me = avatar(tx, user)?;
                let (g, mine) = as_member(tx, user, id)?;
                if group::group_name_key(&name) != group::group_name_key(&g.name) {
                    return Err(Error::invalid("displayName", "group names cannot change"));
                }
                let before = view(tx, user, g.clone())?;
                if review_joins != before.review_joins {
                    mine.require(Powers::CHANGE_OPTIONS)?;
                    tx.set_review_joins(g.id, review_joins)?;
                    let event = Event::GroupChanged {
                        group: g.to_ref(),
                        by: me.to_ref(),
                        charter_before: g.charter.clone(),
                        review_before: Some(before.review_joins),
                    };
                    tx.emit_to_chat_members(g.id, &event)?;
                }
                if charter != g.charter {
                    let update = BotCommand::UpdateGroup {
                        group: g.uuid,
                        charter: Some(charter),
                        open_enrollment: None,
                        fee: None,
                    };
                    bot::execute(tx, &me, update)?;
                }
                let g = group(tx, id)?;
                Ok((before, view(tx, user, g)?))
            })
            .await
    }

    /// Sends chat messages to a group, all or none; returns them as stored.
    pub async fn send_group_chat(
        &self,
        user: AvatarId,
        id: GroupId,
        messages: Vec<crate::Outgoing>,
    ) -> Result<(ChatGroup, Vec<GroupPost>), Error> {
        if messages.is_empty() || messages.len() > chat::MAX_MESSAGES_PER_SEND {
            return Err(Error::invalid(
                "messages",
                format!("send 1 to {} messages at once", chat::MAX_MESSAGES_PER_SEND),
            ));
        }
        for m in &messages {
            m.content.check()?;
        }
        self.check_throttle(user)?;
        let messages = crate::chat::with_bodies(self, messages).await?;
        self.store()
            .write(move |tx| {
                let me = avatar(tx, user)?;
                let (g, mine) = as_member(tx, user, id)?;
                mine.require(PostKind::Chat.send_power())?;
                let mut sent = Vec::with_capacity(messages.len());
                for (m, body) in messages {
                    // A quoted item id names a post of this group's chat.
                    let quote = match m.quote {
                        Some(q) => Some(
                            tx.group_item(PostId(q.0))?
                                .filter(|p| p.group == g.id)
                                .ok_or(Error::MessageNotFound)?
                                .post,
                        ),
                        None => None,
                    };
                    let mut content = m.content;
                    crate::chat::attach(tx, me.id, &mut content, body)?;
                    let new = NewPost {
                        group: g.id,
                        kind: PostKind::Chat,
                        sender: me.id,
                        subject: String::new(),
                        text: content.text.clone(),
                        attachment: None,
                        rich: content.rich.clone(),
                        file: content.file.as_ref().map(|f| f.id),
                        quote,
                        send_after: tx.now(),
                    };
                    let (_, id) = group_exec::post(tx, &me, &mine, &new)?;
                    sent.push(GroupPost {
                        id,
                        content,
                        at: tx.now(),
                        quote,
                    });
                }
                Ok((view(tx, user, g)?, sent))
            })
            .await
    }

    /// A group's join link, if it has one and the user is in the group.
    pub async fn group_link(&self, user: AvatarId, id: GroupId) -> Result<Option<Link>, Error> {
        self.store()
            .read(move |tx| {
                let (g, _) = as_member(tx, user, id)?;
                Ok(tx.group_link(g.id)?)
            })
            .await
    }

    /// Makes a group's join link, giving `standing` to those who use it; the user must
    /// be able to invite into that standing. `None` when the group has one already.
    pub async fn create_group_link(
        &self,
        user: AvatarId,
        id: GroupId,
        standing: ChatRole,
    ) -> Result<Option<Link>, Error> {
        self.store()
            .write(move |tx| {
                let (g, mine) = as_member(tx, user, id)?;
                let role = tx.role_of_kind(g.id, standing.role_kind()?)?;
                group::may_invite(&mine, &role)?;
                if tx.group_link(g.id)?.is_some() {
                    return Ok(None);
                }
                let settings = chat::AddressSettings {
                    member_role: Some(standing),
                    ..Default::default()
                };
                let token = secret::new_link_token();
                Ok(Some(tx.insert_link(
                    &token,
                    LinkKind::Group,
                    user,
                    Some(g.id),
                    &settings,
                )?))
            })
            .await
    }

    /// Changes the standing a group's link gives; `None` when it has no link.
    pub async fn set_group_link_role(
        &self,
        user: AvatarId,
        id: GroupId,
        standing: ChatRole,
    ) -> Result<Option<Link>, Error> {
        self.store()
            .write(move |tx| {
                let (g, mine) = as_member(tx, user, id)?;
                let role = tx.role_of_kind(g.id, standing.role_kind()?)?;
                group::may_invite(&mine, &role)?;
                let Some(mut link) = tx.group_link(g.id)? else {
                    return Ok(None);
                };
                link.settings.member_role = Some(standing);
                tx.set_link_settings(link.id, &link.settings)?;
                Ok(Some(link))
            })
            .await
    }

    /// Deletes a group's link; false when it had none. Members who may invite may.
    pub async fn delete_group_link(&self, user: AvatarId, id: GroupId) -> Result<bool, Error> {
        self.store()
            .write(move |tx| {
                let (g, mine) = as_member(tx, user, id)?;
                mine.require(group::Powers::INVITE)?;
                match tx.group_link(g.id)? {
                    Some(link) => {
                        tx.delete_link(link.id)?;
                        Ok(true)
                    }
                    None => Ok(false),
                }
            })
            .await
    }

    /// The standing an invitation offers.
    pub async fn invitation_role(&self, inv: &Invitation) -> Result<ChatRole, Error> {
        self.role_standing(inv.group, inv.role).await
    }

    /// The standing a role of a group gives.
    pub async fn role_standing(
        &self,
        group: GroupId,
        role: grid::group::RoleId,
    ) -> Result<ChatRole, Error> {
        self.store()
            .read(move |tx| {
                let roles = tx.roles(group)?;
                let role = roles
                    .iter()
                    .find(|r| r.id == role)
                    .ok_or_else(|| Error::internal("the role vanished"))?;
                Ok(ChatRole::of_kind(role.kind))
            })
            .await
    }

    /// A member's standing in a group; `None` when it is not in it.
    pub async fn member_role(
        &self,
        id: GroupId,
        member: AvatarId,
    ) -> Result<Option<ChatRole>, Error> {
        self.store()
            .read(move |tx| Ok(tx.membership(id, member)?.as_ref().map(ChatRole::of)))
            .await
    }
}
