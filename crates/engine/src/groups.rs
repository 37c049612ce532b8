//! Carrying out group commands: membership, roles, invitations, chat and notices.
//!
//! Each function runs inside the command's store job: it gathers the facts, asks the
//! core's rules (`grid::group`), and writes what they allow. Posts (chat and notices)
//! are stored once; sending one puts it in the log of every online member that may
//! receive it in a single statement, and members who are away get it from their
//! cursor when they come online.

use crate::bot::{After, Executed, deliver, done, resolve_key};
use grid::chat::ChatRole;
use grid::command::{BotCommand, GroupInfo, MyGroup, Reply};
use grid::group::PostId;
use grid::group::{
    self, Group, GroupId, Membership, PostKind, Powers, Role, RoleKind, check_group_message,
    check_notice, may_assign, may_eject, may_invite, may_leave, may_remove_from_role,
    may_set_powers, next_notice_slot,
};
use grid::{Avatar, AvatarId, Error, Event, Timestamp, Uuid};
use store::{NewGroup, NewInvitation, NewPost, Tx};

fn group_by_uuid(tx: &mut Tx<'_>, uuid: Uuid) -> Result<Group, Error> {
    tx.group_by_uuid(uuid)?.ok_or_else(|| Error::GroupNotFound {
        who: uuid.to_string(),
    })
}

fn membership(tx: &mut Tx<'_>, group: GroupId, avatar: AvatarId) -> Result<Membership, Error> {
    tx.membership(group, avatar)?.ok_or(Error::NotAMember)
}

fn role_by_uuid(tx: &mut Tx<'_>, group: GroupId, uuid: Uuid) -> Result<Role, Error> {
    tx.role_by_uuid(group, uuid)?
        .ok_or_else(|| Error::RoleNotFound {
            who: uuid.to_string(),
        })
}

/// The group, the acting bot's membership of it, and one of its roles: what every
/// command about a role starts from.
fn acting_on_role(
    tx: &mut Tx<'_>,
    bot: &Avatar,
    group: Uuid,
    role: Uuid,
) -> Result<(Group, Membership, Role), Error> {
    let g = group_by_uuid(tx, group)?;
    let me = membership(tx, g.id, bot.id)?;
    let role = role_by_uuid(tx, g.id, role)?;
    Ok((g, me, role))
}

fn my_group(tx: &mut Tx<'_>, bot: &Avatar, group: Group, m: Membership) -> Result<MyGroup, Error> {
    let active = tx.active_group(bot.id)? == Some(group.id);
    let powers = if m.is_owner() {
        Powers::all()
    } else {
        m.powers()
    };
    let roles = m
        .roles
        .iter()
        .map(|r| (r.clone(), r.id == m.active_role))
        .collect();
    Ok(MyGroup {
        group,
        active,
        powers,
        roles,
        in_profile: m.in_profile,
        accept_notices: m.accept_notices,
    })
}

/// Carries out a group command for `bot`.
pub(crate) fn execute(
    tx: &mut Tx<'_>,
    bot: &Avatar,
    command: BotCommand,
) -> Result<Executed, Error> {
    match command {
        BotCommand::ActivateGroup { group } => {
            let group = match group {
                None => None,
                Some(uuid) => {
                    let g = group_by_uuid(tx, uuid)?;
                    membership(tx, g.id, bot.id)?;
                    Some(g.id)
                }
            };
            tx.set_active_group(bot.id, group)?;
            done(Reply::Done)
        }
        BotCommand::ActivateRole { group, role } => {
            let g = group_by_uuid(tx, group)?;
            let m = membership(tx, g.id, bot.id)?;
            let role = role_by_uuid(tx, g.id, role)?;
            if !m.holds(role.id) {
                return Err(Error::invalid(
                    "roleuuid",
                    "the bot does not hold that role",
                ));
            }
            tx.set_active_role(g.id, bot.id, role.id)?;
            done(Reply::Done)
        }
        BotCommand::GroupInfo { group } => {
            let g = group_by_uuid(tx, group)?;
            let members = tx.member_count(g.id)?;
            let roles = tx.roles(g.id)?;
            let mine = match tx.membership(g.id, bot.id)? {
                Some(m) => Some(my_group(tx, bot, g.clone(), m)?),
                None => None,
            };
            let founder = tx
                .avatar(g.founder)?
                .map(|a| a.to_ref())
                .ok_or_else(|| Error::internal("a group without its founder"))?;
            done(Reply::GroupInfo(Box::new(GroupInfo {
                group: g,
                founder,
                members,
                roles,
                mine,
            })))
        }
        BotCommand::MyGroups => {
            let mut list = Vec::new();
            for (g, m) in tx.memberships(bot.id)? {
                list.push(my_group(tx, bot, g, m)?);
            }
            done(Reply::Groups(list))
        }
        BotCommand::GroupRoles { group } => {
            let g = group_by_uuid(tx, group)?;
            done(Reply::Roles(tx.roles(g.id)?))
        }
        BotCommand::AvatarGroups { avatar, filter } => {
            let target = resolve_key(tx, avatar)?;
            let groups = tx.profile_groups(target.id)?;
            let total = groups.len();
            let groups = groups
                .into_iter()
                .filter(|g| filter.keeps(&g.name, g.uuid))
                .collect();
            done(Reply::AvatarGroups { total, groups })
        }
        BotCommand::GroupJoin { group } => {
            let g = group_by_uuid(tx, group)?;
            if tx.membership(g.id, bot.id)?.is_some() {
                return Err(Error::AlreadyMember);
            }
            if tx.is_banned(g.id, bot.id)? {
                return Err(Error::Banned);
            }
            match tx.open_invitation(g.id, bot.id)? {
                Some(inv) => accept_invitation(tx, bot, &g, &inv)?,
                None if g.open_enrollment => {
                    pay_join_fee(tx, bot, &g, g.fee)?;
                    let everyone = tx.role_of_kind(g.id, RoleKind::Everyone)?;
                    tx.add_member(g.id, bot.id, &[everyone.id], everyone.id)?;
                    announce_joined(tx, &g, bot)?;
                }
                None => return Err(Error::NotOpen),
            }
            done(Reply::Done)
        }
        BotCommand::GroupLeave { group } => {
            let g = group_by_uuid(tx, group)?;
            let m = membership(tx, g.id, bot.id)?;
            may_leave(&m, tx.owner_count(g.id)? as usize)?;
            announce_left(tx, &g, bot, None)?;
            tx.remove_member(g.id, bot.id)?;
            done(Reply::Done)
        }
        BotCommand::AnswerGroupInvite {
            from,
            session,
            accept,
        } => {
            let inviter = resolve_key(tx, from)?;
            let inv = tx
                .invitation_by_session(session)?
                .filter(|i| i.invitee == bot.id && i.inviter == inviter.id && i.expires > tx.now())
                .ok_or(Error::InvitationNotFound)?;
            if accept {
                let g = tx.group(inv.group)?.ok_or_else(|| Error::GroupNotFound {
                    who: inv.group.0.to_string(),
                })?;
                if tx.is_banned(g.id, bot.id)? {
                    return Err(Error::Banned);
                }
                accept_invitation(tx, bot, &g, &inv)?;
            } else {
                tx.answer_invitation(inv.id, false)?;
            }
            done(Reply::Done)
        }
        BotCommand::GroupVisibility {
            group,
            in_profile,
            notices,
        } => {
            let g = group_by_uuid(tx, group)?;
            let m = membership(tx, g.id, bot.id)?;
            tx.set_membership_options(
                g.id,
                bot.id,
                in_profile,
                notices.unwrap_or(m.accept_notices),
            )?;
            done(Reply::Done)
        }
        BotCommand::GroupInvite {
            avatar,
            group,
            role,
            check_membership,
            message,
            location,
            misc,
        } => {
            let (g, me, role) = acting_on_role(tx, bot, group, role)?;
            may_invite(&me, &role)?;
            let invitee = resolve_key(tx, avatar)?;
            if tx.is_banned(g.id, invitee.id)? {
                return Err(Error::Banned);
            }
            if let Some(theirs) = tx.membership(g.id, invitee.id)?
                && (check_membership || theirs.holds(role.id))
            {
                return Err(Error::AlreadyMember);
            }
            grid::message::check_len("message", &message, grid::message::MAX_IM_BYTES)?;
            let inv = tx.insert_invitation(&NewInvitation {
                group: g.id,
                role: role.id,
                invitee: invitee.id,
                inviter: bot.id,
                fee: g.fee,
                message: message.clone(),
                location,
                misc,
                expires: Timestamp(tx.now().0 + group::INVITATION_LIFETIME_MS),
            })?;
            deliver(
                tx,
                &invitee,
                Event::GroupInvitation {
                    session: inv.session,
                    group: g.to_ref(),
                    from: bot.to_ref(),
                    role: role.name.clone(),
                    fee: g.fee,
                    message,
                    system: None,
                },
            )?;
            // A chat user that joins every group it is invited to (and owes no fee)
            // joins now.
            if g.fee == 0
                && tx
                    .chat_user(invitee.id)?
                    .is_some_and(|u| u.profile.auto_join_groups)
            {
                accept_invitation(tx, &invitee, &g, &inv)?;
            }
            done(Reply::Done)
        }
        BotCommand::GroupEject {
            avatar,
            group,
            ignore_membership,
        } => {
            let g = group_by_uuid(tx, group)?;
            let me = membership(tx, g.id, bot.id)?;
            let target = resolve_key(tx, avatar)?;
            let Some(theirs) = tx.membership(g.id, target.id)? else {
                // SmartBots: skip the check when asked, and succeed.
                return if ignore_membership {
                    me.require(Powers::EJECT)?;
                    done(Reply::Done)
                } else {
                    Err(Error::NotInGroup)
                };
            };
            if target.id == bot.id {
                return Err(Error::NotForSelf { what: "eject" });
            }
            may_eject(&me, &theirs)?;
            announce_left(tx, &g, &target, Some(bot))?;
            tx.remove_member(g.id, target.id)?;
            done(Reply::Done)
        }
        BotCommand::SetRole {
            group,
            role,
            member,
        } => {
            let (g, me, role) = acting_on_role(tx, bot, group, role)?;
            may_assign(&me, &role)?;
            let target = resolve_key(tx, member)?;
            let before = tx.membership(g.id, target.id)?.ok_or_else(not_a_member)?;
            tx.add_member_role(g.id, target.id, role.id)?;
            announce_role_change(tx, &g, &target, bot, &before)?;
            done(Reply::Done)
        }
        BotCommand::RevokeRole {
            group,
            role,
            member,
        } => {
            let (g, me, role) = acting_on_role(tx, bot, group, role)?;
            let target = resolve_key(tx, member)?;
            let theirs = tx.membership(g.id, target.id)?.ok_or_else(not_a_member)?;
            may_remove_from_role(&me, &theirs, &role)?;
            if role.kind == RoleKind::Owners {
                // An owner stepping down must leave another owner behind.
                may_leave(&theirs, tx.owner_count(g.id)? as usize)?;
            }
            tx.remove_member_role(g.id, target.id, role.id)?;
            announce_role_change(tx, &g, &target, bot, &theirs)?;
            done(Reply::Done)
        }
        BotCommand::SendGroupMessage { group, message } => {
            check_group_message(&message)?;
            let g = group_by_uuid(tx, group)?;
            let me = membership(tx, g.id, bot.id)?;
            me.require(PostKind::Chat.send_power())?;
            let new = NewPost {
                group: g.id,
                kind: PostKind::Chat,
                sender: bot.id,
                subject: String::new(),
                text: message,
                attachment: None,
                rich: None,
                file: None,
                quote: None,
                send_after: tx.now(),
            };
            Ok(post(tx, bot, &me, &new)?.0)
        }
        BotCommand::SendNotice {
            group,
            subject,
            text,
            attachment,
            paced,
        } => {
            check_notice(&subject, &text)?;
            let g = group_by_uuid(tx, group)?;
            let me = membership(tx, g.id, bot.id)?;
            me.require(PostKind::Notice.send_power())?;
            // An attachment is an item of the sender's that members may be given.
            if let Some(item) = attachment {
                grid::inventory::may_give(&crate::inventory::own_item(tx, bot.id, item)?)?;
            }
            let now = tx.now();
            let recent = tx.notice_times(bot.id, Timestamp(now.0 - 60_000))?;
            let slot = next_notice_slot(&recent, now);
            if slot > now && !paced {
                // Second Life would drop it silently; say so instead (autodelay=1 paces).
                return Err(Error::Throttled {
                    retry_after_ms: (slot.0 - now.0) as u64,
                });
            }
            let new = NewPost {
                group: g.id,
                kind: PostKind::Notice,
                sender: bot.id,
                subject,
                text,
                attachment,
                rich: None,
                file: None,
                quote: None,
                send_after: slot,
            };
            Ok(post(tx, bot, &me, &new)?.0)
        }
        BotCommand::CreateGroup {
            name,
            charter,
            open_enrollment,
            fee,
        } => {
            let name = group::check_group_name(&name)?;
            grid::message::check_len("charter", &charter, group::MAX_CHARTER)?;
            group::check_fee(fee)?;
            if tx.group_by_name(&name)?.is_some() {
                return Err(Error::invalid("name", "a group of that name exists"));
            }
            let g = tx.insert_group(&NewGroup {
                name,
                charter,
                open_enrollment,
                fee,
                founder: bot.id,
            })?;
            done(Reply::GroupCreated(g))
        }
        BotCommand::UpdateGroup {
            group,
            charter,
            open_enrollment,
            fee,
        } => {
            let mut g = group_by_uuid(tx, group)?;
            let me = membership(tx, g.id, bot.id)?;
            let charter_before = g.charter.clone();
            if let Some(charter) = charter {
                me.require(Powers::CHANGE_IDENTITY)?;
                grid::message::check_len("charter", &charter, group::MAX_CHARTER)?;
                g.charter = charter;
            }
            if open_enrollment.is_some() || fee.is_some() {
                me.require(Powers::CHANGE_OPTIONS)?;
            }
            if let Some(open) = open_enrollment {
                g.open_enrollment = open;
            }
            if let Some(fee) = fee {
                group::check_fee(fee)?;
                g.fee = fee;
            }
            tx.update_group(&g)?;
            if g.charter != charter_before {
                // Members' chat clients see the group's profile change.
                tx.emit_to_members(
                    g.id,
                    &Event::GroupChanged {
                        group: g.to_ref(),
                        by: bot.to_ref(),
                        charter_before,
                        review_before: None,
                    },
                )?;
            }
            done(Reply::Done)
        }
        BotCommand::CreateRole {
            group,
            name,
            title,
            description,
            powers,
        } => {
            let g = group_by_uuid(tx, group)?;
            let me = membership(tx, g.id, bot.id)?;
            me.require(Powers::CREATE_ROLE)?;
            if powers != Powers::NONE {
                may_set_powers(&me, powers)?;
            }
            group::check_role(&name, &title, &description)?;
            if tx.roles(g.id)?.len() >= group::MAX_ROLES {
                return Err(Error::invalid(
                    "name",
                    format!("a group has at most {} roles", group::MAX_ROLES),
                ));
            }
            if tx.role_by_name(g.id, &name)?.is_some() {
                return Err(Error::invalid("name", "the group has a role of that name"));
            }
            let role = tx.insert_role(
                g.id,
                RoleKind::Custom,
                Uuid::new_v4(),
                name.trim(),
                &title,
                &description,
                powers,
            )?;
            done(Reply::RoleCreated(role))
        }
        BotCommand::UpdateRole {
            group,
            role,
            name,
            title,
            description,
            powers,
        } => {
            let (g, me, mut role) = acting_on_role(tx, bot, group, role)?;
            if name.is_some() || title.is_some() || description.is_some() {
                me.require(Powers::ROLE_PROPERTIES)?;
            }
            if let Some(name) = name {
                if role.kind != RoleKind::Custom {
                    return Err(Error::invalid("name", "built-in roles keep their names"));
                }
                if let Some(other) = tx.role_by_name(g.id, &name)?
                    && other.id != role.id
                {
                    return Err(Error::invalid("name", "the group has a role of that name"));
                }
                role.name = name.trim().to_owned();
            }
            if let Some(title) = title {
                role.title = title;
            }
            if let Some(description) = description {
                role.description = description;
            }
            if let Some(powers) = powers {
                if role.kind == RoleKind::Owners {
                    return Err(Error::invalid("powers", "owners always have every power"));
                }
                may_set_powers(&me, powers)?;
                role.powers = powers;
            }
            group::check_role(&role.name, &role.title, &role.description)?;
            tx.update_role(&role)?;
            done(Reply::Done)
        }
        BotCommand::DeleteRole { group, role } => {
            let g = group_by_uuid(tx, group)?;
            membership(tx, g.id, bot.id)?.require(Powers::DELETE_ROLE)?;
            let role = role_by_uuid(tx, g.id, role)?;
            if role.kind != RoleKind::Custom {
                return Err(Error::invalid(
                    "roleuuid",
                    "built-in roles cannot be deleted",
                ));
            }
            tx.delete_role(g.id, role.id)?;
            done(Reply::Done)
        }
        BotCommand::GroupBan { group, avatar, ban } => {
            let g = group_by_uuid(tx, group)?;
            let me = membership(tx, g.id, bot.id)?;
            me.require(Powers::MANAGE_BANS)?;
            let target = resolve_key(tx, avatar)?;
            if target.id == bot.id {
                return Err(Error::NotForSelf { what: "ban" });
            }
            if ban {
                if let Some(theirs) = tx.membership(g.id, target.id)? {
                    // A ban also ejects, with the same protection of owners.
                    if theirs.is_owner() {
                        return Err(Error::OwnersOnly);
                    }
                    announce_left(tx, &g, &target, Some(bot))?;
                    tx.remove_member(g.id, target.id)?;
                }
                tx.ban(g.id, target.id, bot.id)?;
            } else {
                tx.unban(g.id, target.id)?;
            }
            done(Reply::Done)
        }
        other => Err(Error::internal(format!("not a group command: {other:?}"))),
    }
}

/// `Ejectee is not in the group` is SmartBots' text for ejections only.
fn not_a_member() -> Error {
    Error::invalid("member", "is not in the group")
}

/// Pays a group's join fee to its founder (botgrid groups keep no money of their own),
/// all or nothing; nothing for a fee of 0 or for the founder.
pub(crate) fn pay_join_fee(
    tx: &mut Tx<'_>,
    joiner: &Avatar,
    g: &Group,
    fee: i64,
) -> Result<(), Error> {
    if fee <= 0 || joiner.id == g.founder {
        return Ok(());
    }
    let founder = tx
        .avatar(g.founder)?
        .ok_or_else(|| Error::internal("a group's founder vanished"))?;
    let comment = format!("Join fee: {}", g.name);
    crate::money::pay(
        tx,
        crate::money::Payment {
            from: Some(joiner),
            to: &founder,
            amount: fee,
            kind: grid::money::TransferKind::GroupJoin,
            comment: &comment,
            tag: None,
        },
    )?;
    Ok(())
}

fn accept_invitation(
    tx: &mut Tx<'_>,
    bot: &Avatar,
    g: &Group,
    inv: &grid::group::Invitation,
) -> Result<(), Error> {
    match tx.membership(g.id, bot.id)? {
        Some(before) => {
            tx.add_member_role(g.id, bot.id, inv.role)?;
            let inviter = tx.avatar(inv.inviter)?.unwrap_or_else(|| bot.clone());
            announce_role_change(tx, g, bot, &inviter, &before)?;
        }
        None => {
            pay_join_fee(tx, bot, g, inv.fee)?;
            let everyone = tx.role_of_kind(g.id, RoleKind::Everyone)?;
            let roles = if inv.role == everyone.id {
                vec![everyone.id]
            } else {
                vec![everyone.id, inv.role]
            };
            tx.add_member(g.id, bot.id, &roles, inv.role)?;
            announce_joined(tx, g, bot)?;
        }
    }
    tx.answer_invitation(inv.id, true)?;
    Ok(())
}

/// Records a post and sends it now if it may go now, or has it wait for its sender
/// (offline) or its time (paced). A member blocked for all posts into the void: the
/// post is kept, and reaches nobody. Returns the post's id with the outcome.
pub(crate) fn post(
    tx: &mut Tx<'_>,
    bot: &Avatar,
    sender: &Membership,
    new: &NewPost,
) -> Result<(Executed, PostId), Error> {
    let id = tx.insert_post(new)?;
    let mut after = vec![];
    if sender.blocked {
        tx.discard_post(id)?;
    } else if bot.presence.is_online() {
        if new.send_after <= tx.now() {
            tx.send_post(id, new.group, bot.id, new.kind)?;
        } else {
            after.push(After::SendPosts {
                sender: bot.id,
                at: new.send_after,
            });
        }
    }
    let executed = Executed {
        reply: Reply::Done,
        after,
    };
    Ok((executed, id))
}

/// Tells every member of `g` (`who` among them) that `who` joined.
pub(crate) fn announce_joined(tx: &mut Tx<'_>, g: &Group, who: &Avatar) -> Result<(), Error> {
    let event = Event::MemberJoined {
        group: g.to_ref(),
        member: who.to_ref(),
    };
    tx.emit_to_chat_members(g.id, &event)?;
    Ok(())
}

/// Tells every member of `g` that `who` is leaving (removed by `by`); call it before
/// the member goes, so that `who` hears it too.
pub(crate) fn announce_left(
    tx: &mut Tx<'_>,
    g: &Group,
    who: &Avatar,
    by: Option<&Avatar>,
) -> Result<(), Error> {
    let event = Event::MemberLeft {
        group: g.to_ref(),
        member: who.to_ref(),
        by: by.map(Avatar::to_ref),
    };
    tx.emit_to_chat_members(g.id, &event)?;
    Ok(())
}

/// Tells every member of `g` that `who`'s standing changed, if the change of roles
/// changed it.
pub(crate) fn announce_role_change(
    tx: &mut Tx<'_>,
    g: &Group,
    who: &Avatar,
    by: &Avatar,
    before: &Membership,
) -> Result<(), Error> {
    let Some(after) = tx.membership(g.id, who.id)? else {
        return Ok(());
    };
    let (from, to) = (ChatRole::of(before), ChatRole::of(&after));
    if from != to {
        let event = Event::MemberRoleChanged {
            group: g.to_ref(),
            member: who.to_ref(),
            by: by.to_ref(),
            from,
            to,
        };
        tx.emit_to_chat_members(g.id, &event)?;
    }
    Ok(())
}

/// Sends the posts of an online sender whose time has come; returns when the next
/// waiting one is due. A post whose sender has left the group, or lost the power to
/// post, is dropped.
pub(crate) fn send_due_posts(
    tx: &mut Tx<'_>,
    sender: AvatarId,
) -> Result<Option<Timestamp>, Error> {
    let now = tx.now();
    for p in tx.waiting_posts(sender, Some(now))? {
        let allowed = match tx.membership(p.group, sender)? {
            Some(m) => !m.blocked && m.require(p.kind.send_power()).is_ok(),
            None => false,
        };
        if allowed {
            tx.send_post(p.id, p.group, sender, p.kind)?;
        } else {
            tracing::warn!(sender = %sender, post = p.id.0, "dropping a waiting post: the sender may no longer post");
            tx.discard_post(p.id)?;
        }
    }
    Ok(tx
        .waiting_posts(sender, None)?
        .first()
        .map(|p| p.send_after))
}
