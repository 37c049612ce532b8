//! Chat items after they are sent: `/_update item`, `/_delete item`,
//! `/_delete member item`, `/_reaction`, and the `AChatItem` of any stored item.

use super::{Answer, Session};
use crate::command::{ChatRef, ItemDeleteMode};
use crate::errors::ChatError;
use crate::session::{content_of, groups};
use crate::types;
use engine::ChatGroup;
use engine::{ChatTarget, Engine};
use grid::chat::{ChatItem, ChatUser, CustomTarget, ItemRef, Reactions};
use grid::group::{GroupId, PostId};
use grid::{AvatarId, Timestamp};
use serde_json::{Value, json};

/// The chat a `ChatRef` names, for item commands.
fn target(chat: ChatRef) -> Result<ChatTarget, ChatError> {
    match chat {
        ChatRef::Direct(id) => Ok(ChatTarget::Direct(AvatarId(id))),
        ChatRef::Group { id, support: None } => Ok(ChatTarget::Group(GroupId(id))),
        ChatRef::Group { .. } => Err(ChatError::unsupported("Member support chats")),
        ChatRef::Local(_) => Err(ChatError::unsupported("Local notes")),
    }
}

/// The emoji of a `MsgReaction`.
fn emoji(reaction: &Value) -> Result<String, ChatError> {
    match (
        reaction.get("type").and_then(Value::as_str),
        reaction.get("emoji").and_then(Value::as_str),
    ) {
        (Some("emoji"), Some(e)) => Ok(e.to_owned()),
        _ => Err(ChatError::command(
            "a reaction is {\"type\":\"emoji\",\"emoji\":\"…\"}",
        )),
    }
}

/// `CIReactionCount`s.
fn reaction_counts(r: &Reactions) -> Value {
    Value::Array(
        r.0.iter()
            .map(|(emoji, total, mine)| {
                json!({
                    "reaction": {"type": "emoji", "emoji": emoji},
                    "userReacted": mine,
                    "totalReacted": total,
                })
            })
            .collect(),
    )
}

/// The `AChatItem` of a stored item as the user sees it, with its reactions.
pub(crate) async fn a_chat_item(
    engine: &Engine,
    u: &ChatUser,
    item: &ChatItem,
) -> Result<Value, grid::Error> {
    let me = u.avatar.id;
    let (info, mut v) = match item {
        ChatItem::Direct(m) => {
            let other = if m.from == me { m.to } else { m.from };
            let (avatar, profile) = engine
                .peer(other)
                .await?
                .ok_or(grid::Error::MessageNotFound)?;
            let contact = types::contact(&u.profile, &avatar, &profile);
            (
                types::direct_chat_info(contact),
                types::direct_item(m, m.from == me, None),
            )
        }
        ChatItem::Post(p) => {
            let cg = engine.group_view(me, p.group).await?;
            let info = groups::group_info(engine, u, &cg).await?;
            let from = if p.sender == me {
                None
            } else {
                let (avatar, profile, m) = engine.member_view(p.group, p.sender).await?;
                Some(groups::other_member(
                    &cg,
                    &avatar,
                    &profile,
                    m.as_ref(),
                    "left",
                ))
            };
            let mut v = types::group_item(p.post.0, p.at, &p.content, from);
            if let Some(q) = p.quote
                && let Some(quote) = group_quote(engine, u, &cg, q).await?
            {
                v["quotedItem"] = quote;
            }
            v["meta"]["itemEdited"] = json!(p.edited);
            if let Some(d) = p.deleted {
                v["meta"]["itemDeleted"] = types::item_deleted(d.at, "group");
            }
            (types::group_chat_info(info), v)
        }
    };
    let reactions = engine.item_reactions(me, item.item_ref()).await?;
    v["reactions"] = reaction_counts(&reactions);
    Ok(types::a_chat_item(info, v))
}

/// `CIQuote` of a post of a group's chat, as the user sees it; `None` when the user
/// cannot see it (any more).
pub(crate) async fn group_quote(
    engine: &Engine,
    u: &ChatUser,
    cg: &ChatGroup,
    post: PostId,
) -> Result<Option<Value>, grid::Error> {
    let quoted = match engine.chat_item(u.avatar.id, ItemRef::Post(post)).await {
        Ok(ChatItem::Post(p)) => p,
        Ok(ChatItem::Direct(_)) | Err(grid::Error::MessageNotFound) => return Ok(None),
        Err(e) => return Err(e),
    };
    let dir = if quoted.sender == u.avatar.id {
        json!({"type": "groupSnd"})
    } else {
        let (avatar, profile, m) = engine.member_view(cg.group.id, quoted.sender).await?;
        let mut d = json!({"type": "groupRcv"});
        d["groupMember"] = groups::other_member(cg, &avatar, &profile, m.as_ref(), "left");
        d
    };
    let mut q = json!({
        "itemId": post.0,
        "sharedMsgId": format!("msg-{}", post.0),
        "sentAt": types::ts(quoted.at),
    });
    q["content"] = types::msg_content(&quoted.content);
    q["chatDir"] = dir;
    Ok(Some(q))
}

/// `ChatItemDeletion`s: each item before, and after when the user still sees it.
async fn deletions(
    engine: &Engine,
    u: &ChatUser,
    changed: &[(ChatItem, Option<ChatItem>)],
) -> Result<Value, grid::Error> {
    let mut out = Vec::with_capacity(changed.len());
    for (before, after) in changed {
        let mut d = json!({});
        d["deletedChatItem"] = a_chat_item(engine, u, before).await?;
        if let Some(after) = after {
            d["toChatItem"] = a_chat_item(engine, u, after).await?;
        }
        out.push(d);
    }
    Ok(Value::Array(out))
}

/// The `chatItemsDeleted` response or event.
pub(crate) async fn items_deleted(
    engine: &Engine,
    u: &ChatUser,
    user: Value,
    changed: &[(ChatItem, Option<ChatItem>)],
    by_user: bool,
) -> Result<Value, grid::Error> {
    let mut v = json!({"type": "chatItemsDeleted", "byUser": by_user, "timed": false});
    v["user"] = user;
    v["chatItemDeletions"] = deletions(engine, u, changed).await?;
    Ok(v)
}

/// `ACIReaction`: a reaction by `by` (the user itself when `None`) to an item.
pub(crate) async fn a_reaction(
    engine: &Engine,
    u: &ChatUser,
    item: &ChatItem,
    by: Option<AvatarId>,
    emoji: &str,
    at: Timestamp,
) -> Result<Value, grid::Error> {
    let a = a_chat_item(engine, u, item).await?;
    let dir = match (item, by) {
        (ChatItem::Direct(_), None) => json!({"type": "directSnd"}),
        (ChatItem::Direct(_), Some(_)) => json!({"type": "directRcv"}),
        (ChatItem::Post(_), None) => json!({"type": "groupSnd"}),
        (ChatItem::Post(p), Some(who)) => {
            let cg = engine.group_view(u.avatar.id, p.group).await?;
            let (avatar, profile, m) = engine.member_view(p.group, who).await?;
            let mut d = json!({"type": "groupRcv"});
            d["groupMember"] = groups::other_member(&cg, &avatar, &profile, m.as_ref(), "left");
            d
        }
    };
    let mut reaction = json!({
        "sentAt": types::ts(at),
        "reaction": {"type": "emoji", "emoji": emoji},
    });
    reaction["chatDir"] = dir;
    reaction["chatItem"] = a["chatItem"].clone();
    let mut v = json!({});
    v["chatInfo"] = a["chatInfo"].clone();
    v["chatReaction"] = reaction;
    Ok(v)
}

impl Session {
    /// `/_set custom @<contactId>|#<groupId> [json]`: keeps (or without JSON, forgets)
    /// the user's own data about a contact or group.
    pub(super) async fn set_custom_data(&mut self, chat: ChatRef, data: Option<Value>) -> Answer {
        let u = self.active_user().await?;
        let target = match target(chat)? {
            ChatTarget::Direct(a) => CustomTarget::Contact(a),
            ChatTarget::Group(g) => CustomTarget::Group(g),
        };
        let data = match data {
            None => None,
            Some(v) if v.is_object() => Some(v.to_string()),
            Some(_) => return Err(ChatError::command("custom data must be a JSON object")),
        };
        self.engine
            .set_custom_data(u.avatar.id, target, data)
            .await?;
        let mut v = json!({"type": "cmdOk"});
        v["user_"] = self.user_json(&u).await?;
        Ok(v)
    }

    /// `/_update item`.
    pub(super) async fn update_item(
        &mut self,
        chat: ChatRef,
        item_id: i64,
        message: Value,
    ) -> Answer {
        let u = self.active_user().await?;
        let chat = target(chat)?;
        let mc = message
            .get("msgContent")
            .ok_or_else(|| ChatError::command("the updated message needs msgContent"))?;
        let content = content_of(mc)?;
        let (item, changed) = self
            .engine
            .edit_chat_item(u.avatar.id, chat, item_id, content)
            .await?;
        let mut v = json!({"type": if changed { "chatItemUpdated" } else { "chatItemNotChanged" }});
        v["user"] = self.user_json(&u).await?;
        v["chatItem"] = a_chat_item(&self.engine, &u, &item).await?;
        Ok(v)
    }

    /// `/_delete item`: `broadcast` deletes for everyone, the other modes for the user.
    pub(super) async fn delete_items(
        &mut self,
        chat: ChatRef,
        ids: Vec<i64>,
        mode: ItemDeleteMode,
    ) -> Answer {
        let u = self.active_user().await?;
        let chat = target(chat)?;
        let everyone = mode == ItemDeleteMode::Broadcast;
        let changed = self
            .engine
            .delete_chat_items(u.avatar.id, chat, ids, everyone)
            .await?;
        let user = self.user_json(&u).await?;
        Ok(items_deleted(&self.engine, &u, user, &changed, true).await?)
    }

    /// `/_delete member item`: a moderator deletes members' posts for everyone.
    pub(super) async fn moderate_items(&mut self, group: i64, ids: Vec<i64>) -> Answer {
        let u = self.active_user().await?;
        let changed = self
            .engine
            .moderate_chat_items(u.avatar.id, GroupId(group), ids)
            .await?;
        let user = self.user_json(&u).await?;
        Ok(items_deleted(&self.engine, &u, user, &changed, true).await?)
    }

    /// `/_reaction`.
    pub(super) async fn react(
        &mut self,
        chat: ChatRef,
        item_id: i64,
        add: bool,
        reaction: Value,
    ) -> Answer {
        let u = self.active_user().await?;
        let chat = target(chat)?;
        let emoji = emoji(&reaction)?;
        let (item, _, _) = self
            .engine
            .react_to_chat_item(u.avatar.id, chat, item_id, emoji.clone(), add)
            .await?;
        let mut v = json!({"type": "chatItemReaction", "added": add});
        v["user"] = self.user_json(&u).await?;
        v["reaction"] = a_reaction(&self.engine, &u, &item, None, &emoji, Timestamp::now()).await?;
        Ok(v)
    }
}
