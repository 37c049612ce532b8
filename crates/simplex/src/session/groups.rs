//! Group commands (spec §2.4, §2.5) and group chat.
//!
//! A SimpleX group is a world group; `groupId` is its row id and a member's
//! `groupMemberId` is its avatar id (the same number as its `contactId`).

use super::{Answer, Session};
use crate::command::Role;
use crate::errors::ChatError;
use crate::types::{self, Member};
use engine::{ChatGroup, Engine, Outgoing};
use grid::chat::{ChatProfile, ChatRole, ChatUser};
use grid::group::{GroupId, Membership};
use grid::{Avatar, AvatarId};
use serde_json::{Value, json};

/// The standing a wire role names; relays are not members botgrid has.
pub(crate) fn standing(r: Role) -> Result<ChatRole, ChatError> {
    Ok(match r {
        Role::Relay => {
            return Err(ChatError::command(
                "relay: botgrid groups have no chat relays",
            ));
        }
        Role::Observer => ChatRole::Observer,
        Role::Author => ChatRole::Author,
        Role::Member => ChatRole::Member,
        Role::Moderator => ChatRole::Moderator,
        Role::Admin => ChatRole::Admin,
        Role::Owner => ChatRole::Owner,
    })
}

/// A `GroupMember` for another avatar with its membership (`None`: no longer in the
/// group, with `status` saying how it went).
pub(crate) fn other_member(
    cg: &ChatGroup,
    avatar: &Avatar,
    profile: &ChatProfile,
    membership: Option<&Membership>,
    gone: &'static str,
) -> Value {
    types::group_member(
        &cg.group,
        &Member {
            avatar,
            profile,
            role: membership.map(ChatRole::of).unwrap_or(ChatRole::Member),
            status: if membership.is_some() {
                "connected"
            } else {
                gone
            },
            blocked: membership.is_some_and(|m| m.blocked),
            is_self: false,
        },
    )
}

/// `GroupInfo` of a group as the user sees it, with the user's own `GroupMember` in a
/// group it is in, is invited to, or has left.
pub(crate) async fn group_info(
    engine: &Engine,
    u: &ChatUser,
    cg: &ChatGroup,
) -> Result<Value, grid::Error> {
    let (role, status) = match (&cg.membership, &cg.invitation) {
        (None, None) if cg.disbanded => (ChatRole::Member, "deleted"),
        (Some(m), _) if cg.group.founder == u.avatar.id => (ChatRole::of(m), "creator"),
        (Some(m), _) => (ChatRole::of(m), "connected"),
        (None, Some(inv)) => (engine.invitation_role(inv).await?, "invited"),
        (None, None) => match &cg.application {
            Some(a) => (
                engine.role_standing(a.group, a.role).await?,
                "pending_review",
            ),
            None => (ChatRole::Member, "left"),
        },
    };
    let membership = types::group_member(
        &cg.group,
        &Member {
            avatar: &u.avatar,
            profile: &u.profile,
            role,
            status,
            blocked: cg.membership.as_ref().is_some_and(|m| m.blocked),
            is_self: true,
        },
    );
    let mut info = types::group_info(&cg.group, cg.members, cg.review_joins, membership);
    types::set_custom_data(&mut info, cg.custom.as_deref());
    Ok(info)
}

fn ids(list: Vec<i64>) -> Vec<AvatarId> {
    list.into_iter().map(AvatarId).collect()
}

impl Session {
    /// `GroupInfo` of a group as the user sees it.
    pub(crate) async fn group_info_json(
        &self,
        u: &ChatUser,
        cg: &ChatGroup,
    ) -> Result<Value, ChatError> {
        Ok(group_info(&self.engine, u, cg).await?)
    }

    async fn member_json(
        &self,
        u: &ChatUser,
        cg: &ChatGroup,
        member: AvatarId,
    ) -> Result<Value, ChatError> {
        let (avatar, profile, m) = self
            .engine
            .chat_member(u.avatar.id, cg.group.id, member)
            .await?;
        Ok(other_member(cg, &avatar, &profile, Some(&m), "left"))
    }

    async fn members_json(
        &self,
        u: &ChatUser,
        cg: &ChatGroup,
        members: &[AvatarId],
    ) -> Result<Vec<Value>, ChatError> {
        let mut out = Vec::with_capacity(members.len());
        for m in members {
            out.push(self.member_json(u, cg, *m).await?);
        }
        Ok(out)
    }

    pub(super) async fn new_group(&mut self, user_id: i64, incognito: bool, p: Value) -> Answer {
        let u = self.named(user_id).await?;
        if incognito {
            return Err(ChatError::unsupported("An incognito group"));
        }
        let name = p
            .get("displayName")
            .and_then(Value::as_str)
            .ok_or_else(|| ChatError::command("the group profile needs a displayName"))?;
        let charter = description(&p);
        let cg = self
            .engine
            .create_chat_group(
                u.avatar.id,
                name.to_owned(),
                charter,
                types::reviews_joins(&p),
            )
            .await?;
        Ok(json!({
            "type": "groupCreated",
            "user": self.user_json(&u).await?,
            "groupInfo": self.group_info_json(&u, &cg).await?,
        }))
    }

    pub(super) async fn list_groups(
        &mut self,
        user_id: i64,
        contact: Option<i64>,
        search: Option<String>,
    ) -> Answer {
        let u = self.named(user_id).await?;
        let search = search.map(|s| s.to_lowercase());
        let mut groups = vec![];
        for cg in self.engine.chat_groups(u.avatar.id).await? {
            if let Some(s) = &search
                && !cg.group.name.to_lowercase().contains(s.as_str())
            {
                continue;
            }
            if let Some(c) = contact
                && self
                    .engine
                    .member_role(cg.group.id, AvatarId(c))
                    .await?
                    .is_none()
            {
                continue;
            }
            groups.push(self.group_info_json(&u, &cg).await?);
        }
        Ok(json!({"type": "groupsList", "user": self.user_json(&u).await?, "groups": groups}))
    }

    pub(super) async fn list_members(&mut self, g: GroupId) -> Answer {
        let u = self.active_user().await?;
        let (cg, members) = self.engine.chat_members(u.avatar.id, g).await?;
        let mut others: Vec<Value> = members
            .iter()
            .filter(|(a, _, _)| a.id != u.avatar.id)
            .map(|(a, p, m)| other_member(&cg, a, p, Some(m), "left"))
            .collect();
        // Reviewers also see who waits to be let in.
        for (avatar, profile, _, role) in self.engine.chat_applicants(u.avatar.id, g).await? {
            others.push(types::group_member(
                &cg.group,
                &Member {
                    avatar: &avatar,
                    profile: &profile,
                    role,
                    status: "pending_review",
                    blocked: false,
                    is_self: false,
                },
            ));
        }
        Ok(json!({
            "type": "groupMembers",
            "user": self.user_json(&u).await?,
            "group": {"groupInfo": self.group_info_json(&u, &cg).await?, "members": others},
        }))
    }

    /// Lets an applicant in (member admission review).
    pub(super) async fn accept_member(&mut self, g: GroupId, who: AvatarId, role: Role) -> Answer {
        let u = self.active_user().await?;
        let standing = standing(role)?;
        self.engine
            .accept_applicant(u.avatar.id, g, who, Some(standing))
            .await?;
        let cg = self.engine.chat_group(u.avatar.id, g).await?;
        Ok(json!({
            "type": "memberAccepted",
            "user": self.user_json(&u).await?,
            "groupInfo": self.group_info_json(&u, &cg).await?,
            "member": self.member_json(&u, &cg, who).await?,
        }))
    }

    pub(super) async fn add_member(&mut self, g: GroupId, contact: AvatarId, role: Role) -> Answer {
        let u = self.active_user().await?;
        let standing = standing(role)?;
        let invited = self
            .engine
            .invite_to_chat_group(u.avatar.id, g, contact, standing)
            .await?;
        let cg = self.engine.chat_group(u.avatar.id, g).await?;
        let (avatar, profile) = self
            .engine
            .peer(contact)
            .await?
            .ok_or_else(|| ChatError::contact_not_found(contact.0))?;
        let member = types::group_member(
            &cg.group,
            &Member {
                avatar: &avatar,
                profile: &profile,
                role: standing,
                status: if invited.is_some() {
                    "invited"
                } else {
                    "connected"
                },
                blocked: false,
                is_self: false,
            },
        );
        Ok(json!({
            "type": "sentGroupInvitation",
            "user": self.user_json(&u).await?,
            "groupInfo": self.group_info_json(&u, &cg).await?,
            "contact": types::contact(&u.profile, &avatar, &profile),
            "member": member,
        }))
    }

    pub(super) async fn join_group(&mut self, g: GroupId) -> Answer {
        let u = self.active_user().await?;
        let (cg, host) = self.engine.join_chat_group(u.avatar.id, g).await?;
        let mut v = json!({
            "type": "userAcceptedGroupSent",
            "user": self.user_json(&u).await?,
            "groupInfo": self.group_info_json(&u, &cg).await?,
        });
        if let Some(host) = host {
            v["hostContact"] = self.contact_json(&u, host).await?;
        }
        Ok(v)
    }

    pub(super) async fn members_role(
        &mut self,
        g: GroupId,
        members: Vec<i64>,
        role: Role,
    ) -> Answer {
        let u = self.active_user().await?;
        let to = standing(role)?;
        let members = ids(members);
        self.engine
            .set_chat_roles(u.avatar.id, g, members.clone(), to)
            .await?;
        let cg = self.engine.chat_group(u.avatar.id, g).await?;
        Ok(json!({
            "type": "membersRoleUser",
            "user": self.user_json(&u).await?,
            "groupInfo": self.group_info_json(&u, &cg).await?,
            "members": self.members_json(&u, &cg, &members).await?,
            "toRole": types::role(to),
            "msgSigned": false,
        }))
    }

    pub(super) async fn block_members(
        &mut self,
        g: GroupId,
        members: Vec<i64>,
        blocked: bool,
    ) -> Answer {
        let u = self.active_user().await?;
        let members = ids(members);
        self.engine
            .block_chat_members(u.avatar.id, g, members.clone(), blocked)
            .await?;
        let cg = self.engine.chat_group(u.avatar.id, g).await?;
        Ok(json!({
            "type": "membersBlockedForAllUser",
            "user": self.user_json(&u).await?,
            "groupInfo": self.group_info_json(&u, &cg).await?,
            "members": self.members_json(&u, &cg, &members).await?,
            "blocked": blocked,
            "msgSigned": false,
        }))
    }

    pub(super) async fn remove_members(
        &mut self,
        g: GroupId,
        members: Vec<i64>,
        with_messages: bool,
    ) -> Answer {
        let u = self.active_user().await?;
        let members = ids(members);
        let cg = self.engine.chat_group(u.avatar.id, g).await?;
        let mut removed = Vec::with_capacity(members.len());
        for m in &members {
            // A member, or an applicant turned away; the removal checks which.
            let (avatar, profile, _) = self.engine.member_view(g, *m).await?;
            removed.push(other_member(&cg, &avatar, &profile, None, "removed"));
        }
        self.engine
            .remove_chat_members(u.avatar.id, g, members)
            .await?;
        let cg = self.engine.chat_group(u.avatar.id, g).await?;
        Ok(json!({
            "type": "userDeletedMembers",
            "user": self.user_json(&u).await?,
            "groupInfo": self.group_info_json(&u, &cg).await?,
            "members": removed,
            "withMessages": with_messages,
            "msgSigned": false,
        }))
    }

    /// `/_delete #g`: an owner deletes the group for everyone.
    pub(super) async fn delete_group(&mut self, g: GroupId) -> Answer {
        let u = self.active_user().await?;
        let mut cg = self.engine.disband_chat_group(u.avatar.id, g).await?;
        cg.membership = None;
        cg.disbanded = true;
        cg.members = 0;
        Ok(json!({
            "type": "groupDeletedUser",
            "user": self.user_json(&u).await?,
            "groupInfo": self.group_info_json(&u, &cg).await?,
            "msgSigned": false,
        }))
    }

    pub(super) async fn leave_group(&mut self, g: GroupId) -> Answer {
        let u = self.active_user().await?;
        let mut cg = self.engine.leave_chat_group(u.avatar.id, g).await?;
        cg.membership = None;
        cg.members -= 1;
        Ok(json!({
            "type": "leftMemberUser",
            "user": self.user_json(&u).await?,
            "groupInfo": self.group_info_json(&u, &cg).await?,
        }))
    }

    pub(super) async fn update_group_profile(&mut self, g: GroupId, p: Value) -> Answer {
        let u = self.active_user().await?;
        let name = p
            .get("displayName")
            .and_then(Value::as_str)
            .ok_or_else(|| ChatError::command("the group profile needs a displayName"))?;
        let (before, after) = self
            .engine
            .update_chat_group(
                u.avatar.id,
                g,
                name.to_owned(),
                description(&p),
                types::reviews_joins(&p),
            )
            .await?;
        Ok(json!({
            "type": "groupUpdated",
            "user": self.user_json(&u).await?,
            "fromGroup": self.group_info_json(&u, &before).await?,
            "toGroup": self.group_info_json(&u, &after).await?,
            "msgSigned": false,
        }))
    }

    /// A store error about a group, which names the group as the user sees it.
    async fn group_store_error(&mut self, kind: &str, g: GroupId) -> ChatError {
        let info = match self.active_user().await {
            Ok(u) => match self.engine.chat_group(u.avatar.id, g).await {
                Ok(cg) => self.group_info_json(&u, &cg).await.ok(),
                Err(_) => None,
            },
            Err(_) => None,
        };
        match info {
            Some(info) => ChatError::store(json!({"type": kind, "groupInfo": info})),
            None => ChatError::store(json!({"type": "groupNotFound", "groupId": g.0})),
        }
    }

    async fn group_link_answer(
        &mut self,
        kind: &str,
        g: GroupId,
        link: grid::chat::Link,
    ) -> Answer {
        let u = self.active_user().await?;
        let cg = self.engine.chat_group(u.avatar.id, g).await?;
        Ok(json!({
            "type": kind,
            "user": self.user_json(&u).await?,
            "groupInfo": self.group_info_json(&u, &cg).await?,
            "groupLink": types::group_link(&self.shared.links, &link),
        }))
    }

    pub(super) async fn create_group_link(&mut self, g: GroupId, role: Role) -> Answer {
        let u = self.active_user().await?;
        let link = self
            .engine
            .create_group_link(u.avatar.id, g, standing(role)?)
            .await?;
        let Some(link) = link else {
            return Err(self.group_store_error("duplicateGroupLink", g).await);
        };
        self.group_link_answer("groupLinkCreated", g, link).await
    }

    pub(super) async fn group_link_role(&mut self, g: GroupId, role: Role) -> Answer {
        let u = self.active_user().await?;
        let link = self
            .engine
            .set_group_link_role(u.avatar.id, g, standing(role)?)
            .await?;
        let Some(link) = link else {
            return Err(self.group_store_error("groupLinkNotFound", g).await);
        };
        self.group_link_answer("groupLink", g, link).await
    }

    pub(super) async fn get_group_link(&mut self, g: GroupId) -> Answer {
        let u = self.active_user().await?;
        let link = self.engine.group_link(u.avatar.id, g).await?;
        let Some(link) = link else {
            return Err(self.group_store_error("groupLinkNotFound", g).await);
        };
        self.group_link_answer("groupLink", g, link).await
    }

    /// `/_share chat content #<groupId> <toRef>`: a message inviting into the group
    /// through its link, to send with `/_send`.
    pub(super) async fn share_group(&mut self, g: GroupId) -> Answer {
        let u = self.active_user().await?;
        let Some(link) = self.engine.group_link(u.avatar.id, g).await? else {
            return Err(self.group_store_error("groupLinkNotFound", g).await);
        };
        let cg = self.engine.chat_group(u.avatar.id, g).await?;
        let short = self.shared.links.short(&link);
        let mut chat_link = json!({"type": "group"});
        chat_link["groupProfile"] = types::group_profile(&cg.group, cg.review_joins);
        self.chat_msg_content(&u, types::chat_link_content(&short, chat_link))
            .await
    }

    pub(super) async fn delete_group_link(&mut self, g: GroupId) -> Answer {
        let u = self.active_user().await?;
        if !self.engine.delete_group_link(u.avatar.id, g).await? {
            return Err(self.group_store_error("groupLinkNotFound", g).await);
        }
        let cg = self.engine.chat_group(u.avatar.id, g).await?;
        Ok(json!({
            "type": "groupLinkDeleted",
            "user": self.user_json(&u).await?,
            "groupInfo": self.group_info_json(&u, &cg).await?,
        }))
    }

    pub(super) async fn send_group(&mut self, g: GroupId, messages: Vec<Outgoing>) -> Answer {
        let u = self.active_user().await?;
        let (cg, sent) = self
            .engine
            .send_group_chat(u.avatar.id, g, messages)
            .await?;
        let info = types::group_chat_info(self.group_info_json(&u, &cg).await?);
        let mut items = Vec::with_capacity(sent.len());
        for p in &sent {
            let mut item = types::group_item(p.id.0, p.at, &p.content, None);
            if let Some(q) = p.quote
                && let Some(quote) = super::items::group_quote(&self.engine, &u, &cg, q).await?
            {
                item["quotedItem"] = quote;
            }
            items.push(types::a_chat_item(info.clone(), item));
        }
        Ok(types::new_chat_items(self.user_json(&u).await?, items))
    }
}

/// What a group profile says about the group: its description, or else its full name.
fn description(p: &Value) -> String {
    ["description", "fullName"]
        .iter()
        .filter_map(|k| p.get(*k).and_then(Value::as_str))
        .find(|s| !s.is_empty())
        .unwrap_or_default()
        .to_owned()
}
