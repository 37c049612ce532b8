//! Event pumps: each user a connection drives has one task that reads the user's events
//! from the durable log, renders them as SimpleX events and queues them on the socket.
//!
//! The pump starts after the last event a chat session delivered for the user (kept in
//! the store), so a client that reconnects gets what it missed, and advances that mark
//! as it goes.

use crate::rendered::Rendered;
use crate::session::Shared;
use crate::session::{files, groups, items};
use crate::types::{self, DirectItems, Resp};
use engine::ChatGroup;
use engine::Engine;
use grid::chat::{
    ChatItem, ChatRole, ChatUser, Content, DirectMessage, FileId, ItemChange, ItemRef,
};
use grid::group::{GroupId, PostId};
use grid::{AvatarId, Event, EventId, FriendOffer, StoredEvent};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Events read from the log at once.
const BATCH: usize = 256;

/// How long a delivered position may wait before it is recorded. Recording it after
/// every batch cost a store commit per message; a client that reconnects after a crash
/// may get up to this much again (events are delivered at least once).
const SAVE_CURSOR_EVERY: Duration = Duration::from_millis(250);

/// A running pump.
pub(crate) struct PumpHandle {
    task: JoinHandle<()>,
    /// The last event handed to the socket.
    delivered: Arc<AtomicI64>,
}

impl PumpHandle {
    /// Stops the pump and records how far it got.
    pub(crate) async fn stop(self, engine: &Engine, user: AvatarId) {
        self.task.abort();
        let _ = self.task.await;
        let last = EventId(self.delivered.load(Ordering::Acquire));
        if let Err(e) = engine.advance_chat_cursor(user, last).await {
            tracing::warn!(user = %user, error = %e, "cannot record chat cursor");
        }
    }
}

pub(crate) fn spawn_pump(
    engine: Engine,
    shared: Arc<Shared>,
    user: AvatarId,
    cursor: EventId,
    active: Arc<AtomicI64>,
    out: mpsc::Sender<String>,
) -> PumpHandle {
    let delivered = Arc::new(AtomicI64::new(cursor.0));
    let pump = Pump {
        engine,
        shared,
        user,
        active,
        out,
        delivered: delivered.clone(),
        contacts: Default::default(),
        users: Default::default(),
    };
    PumpHandle {
        task: tokio::spawn(pump.run(cursor)),
        delivered,
    }
}

struct Pump {
    engine: Engine,
    shared: Arc<Shared>,
    user: AvatarId,
    active: Arc<AtomicI64>,
    out: mpsc::Sender<String>,
    delivered: Arc<AtomicI64>,
    contacts: crate::rendered::Contacts,
    users: crate::rendered::Users,
}

impl Pump {
    async fn run(self, mut cursor: EventId) {
        let mut changed = self.engine.watch(self.user);
        let mut saved = cursor;
        let mut saved_at = tokio::time::Instant::now();
        loop {
            changed.borrow_and_update();
            match self.engine.events_after(self.user, cursor, BATCH).await {
                Ok(batch) if !batch.is_empty() => {
                    let full = batch.len() == BATCH;
                    match self.deliver(&batch).await {
                        Some(last) => cursor = last,
                        None => return, // the connection is gone
                    }
                    self.delivered.store(cursor.0, Ordering::Release);
                    if full {
                        continue;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(user = %self.user, error = %e, "cannot read events; retrying");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    continue;
                }
            }
            if cursor != saved && saved_at.elapsed() >= SAVE_CURSOR_EVERY {
                self.save(cursor).await;
                (saved, saved_at) = (cursor, tokio::time::Instant::now());
            }
            if cursor == saved {
                if changed.changed().await.is_err() {
                    return;
                }
                continue;
            }
            // Something is not recorded yet: record it when it is due, unless more
            // events come first.
            tokio::select! {
                alive = changed.changed() => if alive.is_err() {
                    self.save(cursor).await;
                    return;
                },
                () = tokio::time::sleep_until(saved_at + SAVE_CURSOR_EVERY) => {
                    self.save(cursor).await;
                    (saved, saved_at) = (cursor, tokio::time::Instant::now());
                }
            }
        }
    }

    async fn save(&self, cursor: EventId) {
        if let Err(e) = self.engine.advance_chat_cursor(self.user, cursor).await {
            tracing::warn!(user = %self.user, error = %e, "cannot record chat cursor");
        }
    }

    /// Sends a batch; returns the id of the last event handled, `None` when the socket
    /// is closed.
    async fn deliver(&self, batch: &[StoredEvent]) -> Option<EventId> {
        let user = match self.engine.chat_user(self.user).await {
            Ok(Some(u)) => u,
            _ => return batch.last().map(|e| e.id),
        };
        let user_json = match self
            .users
            .get(&self.engine, &self.shared.links, &user, self.is_active())
            .await
        {
            Ok(json) => json,
            Err(e) => {
                tracing::warn!(user = %self.user, error = %e, "cannot read the chat user's address");
                Rendered::new(types::user(&user, self.is_active(), None))
            }
        };
        for stored in batch {
            match self.render(&user, &user_json, stored).await {
                Ok(responses) => {
                    for resp in responses {
                        let frame = types::frame(None, &resp);
                        if self.out.send(frame).await.is_err() {
                            return None;
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(user = %self.user, event = %stored.id, error = %e, "cannot render event");
                }
            }
        }
        batch.last().map(|e| e.id)
    }

    fn is_active(&self) -> bool {
        self.active.load(Ordering::Relaxed) == self.user.0
    }

    async fn contact(&self, me: &ChatUser, other: AvatarId) -> Result<Option<Value>, grid::Error> {
        Ok(self
            .contacts
            .get(&self.engine, me, other)
            .await?
            .map(|c| c.value.clone()))
    }

    /// The SimpleX events for a world event (none when SimpleX has none).
    async fn render(
        &self,
        me: &ChatUser,
        user: &Arc<Rendered>,
        stored: &StoredEvent,
    ) -> Result<Vec<Resp>, grid::Error> {
        if let Event::InstantMessage {
            message,
            from,
            text,
            rich,
            quote,
            file,
        } = &stored.event
        {
            let Some(contact) = self.contacts.get(&self.engine, me, from.id).await? else {
                return Ok(vec![]);
            };
            let m = DirectMessage {
                id: *message,
                from: from.id,
                to: me.avatar.id,
                content: grid::chat::Content {
                    text: text.clone(),
                    rich: rich.clone(),
                    file: file.clone(),
                },
                quote: *quote,
                at: stored.at,
                edited: false,
                deleted: None,
            };
            let quoted = match quote {
                Some(q) => {
                    self.engine
                        .direct_message((me.avatar.id, from.id), *q)
                        .await?
                }
                None => None,
            };
            let item = types::direct_item(
                &m,
                false,
                quoted.as_ref().map(|q| (q, q.from == me.avatar.id)),
            );
            return Ok(vec![Resp::DirectItems(DirectItems {
                user: user.clone(),
                contact,
                items: vec![item],
            })]);
        }
        Ok(self
            .render_json(me, &user.value, stored)
            .await?
            .into_iter()
            .map(Resp::Json)
            .collect())
    }

    /// The SimpleX events other than a direct message's.
    async fn render_json(
        &self,
        me: &ChatUser,
        user: &Value,
        stored: &StoredEvent,
    ) -> Result<Vec<Value>, grid::Error> {
        if let Some(group) = group_of(&stored.event) {
            return self.render_group(me, user, stored, group).await;
        }
        if let Some(file) = file_of(&stored.event) {
            return self.render_file(me, user, &stored.event, file).await;
        }
        if let Event::ItemsChanged {
            items, by, change, ..
        } = &stored.event
        {
            if by.id == me.avatar.id {
                return Ok(vec![]); // the actor learnt it from its command's answer
            }
            return self
                .render_items(me, user, items, by.id, change, stored)
                .await;
        }
        Ok(match &stored.event {
            Event::FriendshipOffered {
                from,
                session,
                message,
                offer: Some(offer),
            } => {
                let Some((avatar, profile)) = self.engine.peer(from.id).await? else {
                    return Ok(vec![]);
                };
                let offer = FriendOffer {
                    id: *offer,
                    session: *session,
                    from: from.id,
                    to: me.avatar.id,
                    message: message.clone(),
                };
                Some(json!({
                    "type": "receivedContactRequest",
                    "user": user,
                    "contactRequest": types::contact_request(&offer, &avatar, &profile, stored.at),
                }))
            }
            Event::FriendshipAccepted { by: other } | Event::FriendshipFormed { with: other } => {
                let Some(contact) = self.contact(me, other.id).await? else {
                    return Ok(vec![]);
                };
                Some(json!({"type": "contactConnected", "user": user, "contact": contact}))
            }
            Event::ContactChanged { who, before } => {
                let Some(to) = self.contact(me, who.id).await? else {
                    return Ok(vec![]);
                };
                let Some((mut avatar, _)) = self.engine.peer(who.id).await? else {
                    return Ok(vec![]);
                };
                avatar.display_name = before.display_name.clone();
                let mut v = json!({"type": "contactUpdated"});
                v["user"] = user.clone();
                v["fromContact"] = types::contact(&me.profile, &avatar, &before.profile);
                v["toContact"] = to;
                Some(v)
            }
            Event::FriendshipEnded { by } => {
                let Some(contact) = self.contact(me, by.id).await? else {
                    return Ok(vec![]);
                };
                Some(json!({"type": "contactDeletedByContact", "user": user, "contact": contact}))
            }
            _ => None,
        }
        .into_iter()
        .collect())
    }

    /// A member of a group as `me` sees it: `me` itself is the `membership` of the
    /// group's info; a member who has gone shows with status `gone`.
    async fn member(
        &self,
        cg: &ChatGroup,
        info: &Value,
        me: &ChatUser,
        who: AvatarId,
        gone: &'static str,
    ) -> Result<Value, grid::Error> {
        if who == me.avatar.id {
            return Ok(info["membership"].clone());
        }
        let (avatar, profile, m) = self.engine.member_view(cg.group.id, who).await?;
        Ok(groups::other_member(
            cg,
            &avatar,
            &profile,
            m.as_ref(),
            gone,
        ))
    }

    /// What other members or contacts did to chat items the user sees.
    async fn render_items(
        &self,
        me: &ChatUser,
        user: &Value,
        refs: &[ItemRef],
        by: AvatarId,
        change: &ItemChange,
        stored: &StoredEvent,
    ) -> Result<Vec<Value>, grid::Error> {
        let mut found = Vec::with_capacity(refs.len());
        for r in refs {
            match self.engine.chat_item(me.avatar.id, *r).await {
                Ok(item) => found.push(item),
                // Deleted for the user only, or the user left the group.
                Err(grid::Error::MessageNotFound | grid::Error::GroupNotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        if found.is_empty() {
            return Ok(vec![]);
        }
        Ok(match change {
            ItemChange::Edited => {
                let mut out = Vec::with_capacity(found.len());
                for item in &found {
                    let mut v = json!({"type": "chatItemUpdated"});
                    v["user"] = user.clone();
                    v["chatItem"] = items::a_chat_item(&self.engine, me, item).await?;
                    out.push(v);
                }
                out
            }
            ItemChange::Deleted { .. } => {
                let pairs: Vec<(ChatItem, Option<ChatItem>)> = found
                    .into_iter()
                    .map(|after| (undeleted(&after), Some(after)))
                    .collect();
                vec![items::items_deleted(&self.engine, me, user.clone(), &pairs, false).await?]
            }
            ItemChange::Reacted { reaction, added } => {
                let mut out = Vec::with_capacity(found.len());
                for item in &found {
                    let mut v = json!({"type": "chatItemReaction", "added": added});
                    v["user"] = user.clone();
                    v["reaction"] =
                        items::a_reaction(&self.engine, me, item, Some(by), reaction, stored.at)
                            .await?;
                    out.push(v);
                }
                out
            }
        })
    }

    /// The events of a file's transfer, with the chat item it came with.
    async fn render_file(
        &self,
        me: &ChatUser,
        user: &Value,
        event: &Event,
        file: FileId,
    ) -> Result<Vec<Value>, grid::Error> {
        let f = match self.engine.chat_file(me.avatar.id, file).await {
            Ok(f) => f,
            // The user left the group the file was sent in: nothing to show.
            Err(grid::Error::FileNotFound) => return Ok(vec![]),
            Err(e) => return Err(e),
        };
        let item = files::file_chat_item(&self.engine, me, &f).await?;
        Ok(match event {
            Event::FileStored { .. } => vec![json!({
                "type": "sndFileCompleteXFTP",
                "user": user,
                "chatItem": item,
                "fileTransferMeta": types::file_transfer_meta(&f),
            })],
            Event::FileReceived { .. } => {
                let mut started = item.clone();
                started["chatItem"]["file"]["fileStatus"] = json!({"type": "rcvTransfer", "rcvProgress": 0, "rcvTotal": f.file.attachment.size});
                vec![
                    json!({"type": "rcvFileStart", "user": user, "chatItem": started}),
                    json!({"type": "rcvFileComplete", "user": user, "chatItem": item}),
                ]
            }
            Event::FileCancelled { by, .. } => {
                if f.receipt.is_some() {
                    return Ok(vec![]); // received or refused before the sender cancelled
                }
                vec![json!({
                    "type": "rcvFileSndCancelled",
                    "user": user,
                    "chatItem": item,
                    "rcvFileTransfer": types::rcv_file_transfer(&f, &by.name),
                })]
            }
            _ => vec![],
        })
    }

    async fn render_group(
        &self,
        me: &ChatUser,
        user: &Value,
        stored: &StoredEvent,
        group: GroupId,
    ) -> Result<Vec<Value>, grid::Error> {
        let my = me.avatar.id;
        let cg = self.engine.group_view(my, group).await?;
        let info = groups::group_info(&self.engine, me, &cg).await?;
        Ok(match &stored.event {
            // A post without a row here (a remote grid's) is no chat item.
            Event::GroupMessage { post: None, .. } | Event::GroupNotice { post: None, .. } => {
                vec![]
            }
            Event::GroupMessage {
                post: Some(post),
                from,
                text,
                rich,
                file,
                ..
            } => {
                let content = Content {
                    text: text.clone(),
                    rich: rich.clone(),
                    file: file.clone(),
                };
                vec![
                    self.group_item(&cg, &info, me, user, *post, from.id, &content, stored)
                        .await?,
                ]
            }
            Event::GroupNotice {
                post: Some(post),
                from,
                subject,
                text,
                ..
            } => {
                // SimpleX groups have no notices: they arrive as messages, subject first.
                let content = Content::text(if subject.is_empty() {
                    text.clone()
                } else {
                    format!("{subject}\n\n{text}")
                });
                vec![
                    self.group_item(&cg, &info, me, user, *post, from.id, &content, stored)
                        .await?,
                ]
            }
            Event::GroupInvitation { session, from, .. } => {
                let Some(inv) = cg.invitation.as_ref().filter(|i| i.session == *session) else {
                    return Ok(vec![]); // answered already
                };
                let Some(contact) = self.contact(me, from.id).await? else {
                    return Ok(vec![]);
                };
                let from_role = self
                    .engine
                    .member_role(group, from.id)
                    .await?
                    .unwrap_or(ChatRole::Member);
                let role = self.engine.invitation_role(inv).await?;
                vec![json!({
                    "type": "receivedGroupInvitation",
                    "user": user,
                    "groupInfo": info,
                    "contact": contact,
                    "fromMemberRole": types::role(from_role),
                    "memberRole": types::role(role),
                })]
            }
            Event::MemberJoined { member, .. } if member.id == my => {
                let host = self
                    .member(&cg, &info, me, cg.group.founder, "left")
                    .await?;
                vec![json!({
                    "type": "userJoinedGroup",
                    "user": user,
                    "groupInfo": info,
                    "hostMember": host,
                })]
            }
            Event::MemberJoined { member, .. } => {
                let m = self.member(&cg, &info, me, member.id, "left").await?;
                vec![
                    json!({"type": "joinedGroupMember", "user": user, "groupInfo": info, "member": m}),
                    json!({"type": "connectedToGroupMember", "user": user, "groupInfo": info, "member": m}),
                ]
            }
            Event::MemberLeft {
                member, by: None, ..
            } => {
                if member.id == my {
                    return Ok(vec![]); // the answer to its own `/_leave` told it
                }
                let m = self.member(&cg, &info, me, member.id, "left").await?;
                vec![json!({"type": "leftMember", "user": user, "groupInfo": info, "member": m})]
            }
            Event::MemberLeft {
                member,
                by: Some(by),
                ..
            } => {
                if by.id == my {
                    return Ok(vec![]);
                }
                let by_member = self.member(&cg, &info, me, by.id, "left").await?;
                if member.id == my {
                    vec![json!({
                        "type": "deletedMemberUser",
                        "user": user,
                        "groupInfo": info,
                        "member": by_member,
                        "withMessages": false,
                    })]
                } else {
                    let m = self.member(&cg, &info, me, member.id, "removed").await?;
                    vec![json!({
                        "type": "deletedMember",
                        "user": user,
                        "groupInfo": info,
                        "byMember": by_member,
                        "deletedMember": m,
                        "withMessages": false,
                    })]
                }
            }
            Event::MemberRoleChanged {
                member,
                by,
                from,
                to,
                ..
            } => {
                if by.id == my {
                    return Ok(vec![]);
                }
                vec![json!({
                    "type": "memberRole",
                    "user": user,
                    "groupInfo": info,
                    "byMember": self.member(&cg, &info, me, by.id, "left").await?,
                    "member": self.member(&cg, &info, me, member.id, "left").await?,
                    "fromRole": types::role(*from),
                    "toRole": types::role(*to),
                })]
            }
            Event::MemberBlocked {
                member,
                by,
                blocked,
                ..
            } => {
                if by.id == my {
                    return Ok(vec![]);
                }
                vec![json!({
                    "type": "memberBlockedForAll",
                    "user": user,
                    "groupInfo": info,
                    "byMember": self.member(&cg, &info, me, by.id, "left").await?,
                    "member": self.member(&cg, &info, me, member.id, "left").await?,
                    "blocked": blocked,
                })]
            }
            Event::GroupDisbanded { by, .. } => {
                if by.id == my {
                    return Ok(vec![]);
                }
                vec![json!({
                    "type": "groupDeleted",
                    "user": user,
                    "groupInfo": info,
                    "member": self.member(&cg, &info, me, by.id, "left").await?,
                })]
            }
            Event::MemberApplied { member, host, .. } if member.id == my => {
                let host = self.member(&cg, &info, me, host.id, "left").await?;
                vec![json!({
                    "type": "userJoinedGroup",
                    "user": user,
                    "groupInfo": info,
                    "hostMember": host,
                })]
            }
            Event::MemberApplied { member, .. } => {
                if cg.membership.is_none() {
                    return Ok(vec![]);
                }
                let m = self
                    .member(&cg, &info, me, member.id, "pending_review")
                    .await?;
                vec![
                    json!({"type": "joinedGroupMember", "user": user, "groupInfo": info, "member": m}),
                ]
            }
            Event::ApplicantReviewed {
                member,
                by,
                accepted,
                ..
            } => {
                // The reviewer learnt it from its command's answer; an accepted
                // applicant hears that it joined, as any new member does.
                if by.id == my || (member.id == my && *accepted) {
                    return Ok(vec![]);
                }
                if member.id == my {
                    let by_member = self.member(&cg, &info, me, by.id, "left").await?;
                    vec![json!({
                        "type": "deletedMemberUser",
                        "user": user,
                        "groupInfo": info,
                        "member": by_member,
                        "withMessages": false,
                    })]
                } else if by.id == member.id {
                    let m = self.member(&cg, &info, me, member.id, "left").await?;
                    vec![
                        json!({"type": "leftMember", "user": user, "groupInfo": info, "member": m}),
                    ]
                } else if *accepted {
                    vec![json!({
                        "type": "memberAcceptedByOther",
                        "user": user,
                        "groupInfo": info,
                        "acceptingMember": self.member(&cg, &info, me, by.id, "left").await?,
                        "member": self.member(&cg, &info, me, member.id, "pending_review").await?,
                    })]
                } else {
                    vec![json!({
                        "type": "deletedMember",
                        "user": user,
                        "groupInfo": info,
                        "byMember": self.member(&cg, &info, me, by.id, "left").await?,
                        "deletedMember": self.member(&cg, &info, me, member.id, "rejected").await?,
                        "withMessages": false,
                    })]
                }
            }
            Event::GroupChanged {
                by,
                charter_before,
                review_before,
                ..
            } => {
                if by.id == my {
                    return Ok(vec![]);
                }
                let mut before = cg.clone();
                before.group.charter = charter_before.clone();
                if let Some(review) = review_before {
                    before.review_joins = *review;
                }
                let mut v = json!({"type": "groupUpdated"});
                v["user"] = user.clone();
                v["fromGroup"] = groups::group_info(&self.engine, me, &before).await?;
                v["toGroup"] = info.clone();
                if let Ok(m) = self.member(&cg, &info, me, by.id, "left").await {
                    v["member_"] = m;
                }
                vec![v]
            }
            _ => vec![],
        })
    }

    /// `newChatItems` with one received group item.
    #[allow(clippy::too_many_arguments)]
    async fn group_item(
        &self,
        cg: &ChatGroup,
        info: &Value,
        me: &ChatUser,
        user: &Value,
        post: PostId,
        from: AvatarId,
        content: &Content,
        stored: &StoredEvent,
    ) -> Result<Value, grid::Error> {
        let sender = self.member(cg, info, me, from, "left").await?;
        let mut item = types::group_item(post.0, stored.at, content, Some(sender));
        if let Event::GroupMessage { quote: Some(q), .. } = &stored.event
            && let Some(quote) = items::group_quote(&self.engine, me, cg, *q).await?
        {
            item["quotedItem"] = quote;
        }
        Ok(types::new_chat_items(
            user.clone(),
            vec![types::a_chat_item(
                types::group_chat_info(info.clone()),
                item,
            )],
        ))
    }
}

/// The group a group event is about.
/// An item as it was before it was deleted for everyone.
fn undeleted(item: &ChatItem) -> ChatItem {
    let mut before = item.clone();
    match &mut before {
        ChatItem::Direct(m) => m.deleted = None,
        ChatItem::Post(p) => p.deleted = None,
    }
    before
}

fn file_of(event: &Event) -> Option<FileId> {
    match event {
        Event::FileStored { file }
        | Event::FileReceived { file }
        | Event::FileCancelled { file, .. } => Some(*file),
        _ => None,
    }
}

fn group_of(event: &Event) -> Option<GroupId> {
    match event {
        Event::GroupMessage { group, .. }
        | Event::GroupNotice { group, .. }
        | Event::GroupInvitation { group, .. }
        | Event::MemberJoined { group, .. }
        | Event::MemberLeft { group, .. }
        | Event::MemberRoleChanged { group, .. }
        | Event::MemberBlocked { group, .. }
        | Event::MemberApplied { group, .. }
        | Event::ApplicantReviewed { group, .. }
        | Event::GroupDisbanded { group, .. }
        | Event::GroupChanged { group, .. } => Some(group.id),
        _ => None,
    }
}
