//! One WebSocket connection: its active user, the users it drives, and their commands.
//!
//! As one SimpleX CLI process has, each connection has its own active user. It receives
//! the events of every user it has driven since it connected, and of no others.

use crate::command::{self, ChatDeleteMode, ChatRef, Command, Composed};
use crate::errors::ChatError;
use crate::events;
use crate::rendered::Rendered;
use crate::types::{self, DirectItems, Links, Resp};
use engine::{Connected, Engine, NewFile, Outgoing};
use grid::chat::{AddressSettings, ChatProfile, ChatUser, Content, LinkKind};
use grid::group::GroupId;
use grid::{AvatarId, AvatarKind, MessageId, OfferId};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use tokio::sync::mpsc;

pub(crate) mod files;
pub(crate) mod groups;
pub(crate) mod items;

/// What a connection may drive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grant {
    /// Every chat user, and new ones: a loopback connection without a token, or one
    /// with the operator's token.
    Open,
    /// One bot, named by its API token.
    Bot(AvatarId),
}

/// Settings every session shares.
#[derive(Clone, Debug)]
pub struct Shared {
    pub links: Links,
    /// What `/v` reports; clients check it.
    pub version: String,
    /// Where clients' file paths point; `None`: no files.
    pub files: Option<crate::folder::FilesFolder>,
}

/// A connection's state.
pub struct Session {
    engine: Engine,
    shared: Arc<Shared>,
    grant: Grant,
    /// The active user's id, 0 when none; event pumps read it for `activeUser`.
    active: Arc<AtomicI64>,
    pumps: HashMap<AvatarId, events::PumpHandle>,
    out: mpsc::Sender<String>,
    stopped: bool,
    contacts: crate::rendered::Contacts,
    users: crate::rendered::Users,
}

type Answer = Result<Value, ChatError>;

/// A response that is ready once its queued write is committed.
pub type LaterAnswer = Pin<Box<dyn Future<Output = Resp> + Send>>;

/// A command's response: ready now, or once its write commits.
pub enum Reply {
    Now(Resp),
    Later(LaterAnswer),
}

impl Session {
    /// A session writing its events to `out`.
    pub async fn new(
        engine: Engine,
        shared: Arc<Shared>,
        grant: Grant,
        out: mpsc::Sender<String>,
    ) -> Session {
        let mut s = Session {
            engine,
            shared,
            grant,
            active: Arc::new(AtomicI64::new(0)),
            pumps: HashMap::new(),
            out,
            stopped: false,
            contacts: Default::default(),
            users: Default::default(),
        };
        if let Grant::Bot(bot) = grant {
            // A token names its bot: that is the active user from the start.
            if s.drive(bot).await.is_ok() {
                s.active.store(bot.0, Ordering::Relaxed);
            }
        }
        s
    }

    /// Runs a parsed command as far as it must run before the connection's next one:
    /// all of it, or (for a [`Command::pipelines`] command) until its write is queued.
    pub async fn start(&mut self, parsed: Result<Command, command::ParseError>) -> Reply {
        let answer = match parsed {
            Ok(Command::SendMessages {
                send_ref: ChatRef::Direct(contact_id),
                messages,
                ..
            }) => match self.send_direct(AvatarId(contact_id), messages).await {
                Ok(later) => return Reply::Later(later),
                Err(e) => Err(e),
            },
            Ok(cmd) => self.run(cmd).await,
            Err(e) => Err(ChatError::command(e.0)),
        };
        Reply::Now(answer.unwrap_or_else(|e| e.response()).into())
    }

    /// Ends the session: its users stop receiving events here.
    pub async fn close(mut self) {
        self.stop_pumps().await;
    }

    async fn stop_pumps(&mut self) {
        for (user, pump) in self.pumps.drain() {
            pump.stop(&self.engine, user).await;
            self.engine.chat_detach(user).await;
        }
    }

    fn active_id(&self) -> Option<AvatarId> {
        match self.active.load(Ordering::Relaxed) {
            0 => None,
            id => Some(AvatarId(id)),
        }
    }

    async fn user(&self, id: AvatarId) -> Result<ChatUser, ChatError> {
        self.engine
            .chat_user(id)
            .await?
            .ok_or_else(|| ChatError::user_not_found(id.0))
    }

    fn may_drive(&self, id: AvatarId) -> bool {
        match self.grant {
            Grant::Open => true,
            Grant::Bot(bot) => bot == id,
        }
    }

    /// Makes sure the connection drives this user (it receives the user's events).
    async fn drive(&mut self, id: AvatarId) -> Result<ChatUser, ChatError> {
        if !self.may_drive(id) {
            return Err(ChatError::user_not_found(id.0));
        }
        if !self.pumps.contains_key(&id) {
            let (user, cursor) = self.engine.chat_attach(id).await?;
            let pump = events::spawn_pump(
                self.engine.clone(),
                self.shared.clone(),
                id,
                cursor,
                self.active.clone(),
                self.out.clone(),
            );
            self.pumps.insert(id, pump);
            return Ok(user);
        }
        self.user(id).await
    }

    /// The user a `<userId>` argument names, driven by this connection.
    async fn named(&mut self, user_id: i64) -> Result<ChatUser, ChatError> {
        let id = AvatarId(user_id);
        if !self.may_drive(id) {
            return Err(ChatError::user_not_found(user_id));
        }
        // Only chat users may be named; driving an avatar would make it one.
        if !self.pumps.contains_key(&id) && self.engine.chat_user(id).await?.is_none() {
            return Err(ChatError::user_not_found(user_id));
        }
        self.drive(id).await
    }

    async fn active_user(&mut self) -> Result<ChatUser, ChatError> {
        let id = self.active_id().ok_or_else(ChatError::no_active_user)?;
        self.drive(id).await
    }

    /// The user a command is about: the one its `<userId>` names, or the active user
    /// for the console forms that name none.
    async fn subject(&mut self, user_id: Option<i64>) -> Result<ChatUser, ChatError> {
        match user_id {
            Some(id) => self.named(id).await,
            None => self.active_user().await,
        }
    }

    async fn user_json(&self, u: &ChatUser) -> Result<Value, ChatError> {
        Ok(self.user_shared(u).await?.value.clone())
    }

    async fn user_shared(&self, u: &ChatUser) -> Result<Arc<Rendered>, ChatError> {
        let active = self.active_id() == Some(u.avatar.id);
        Ok(self
            .users
            .get(&self.engine, &self.shared.links, u, active)
            .await?)
    }

    async fn run(&mut self, cmd: Command) -> Answer {
        use Command as C;
        match cmd {
            C::Version => Ok(json!({
                "type": "versionInfo",
                "versionInfo": {
                    "version": self.shared.version,
                    "simplexmqVersion": self.shared.version,
                    "simplexmqCommit": "botgrid",
                },
                "chatMigrations": [],
                "agentMigrations": [],
            })),
            C::ShowActiveUser => {
                let u = self.active_user().await?;
                Ok(json!({"type": "activeUser", "user": self.user_json(&u).await?}))
            }
            C::ListUsers => self.list_users().await,
            C::CreateActiveUser { new_user } => self.create_user(new_user).await,
            C::SetActiveUser { user_id } => {
                let u = self.named(user_id).await?;
                self.active.store(user_id, Ordering::Relaxed);
                Ok(json!({"type": "activeUser", "user": self.user_json(&u).await?}))
            }
            C::DeleteUser { user_id, .. } => {
                let u = self.named(user_id).await?;
                if let Some(pump) = self.pumps.remove(&u.avatar.id) {
                    pump.stop(&self.engine, u.avatar.id).await;
                    self.engine.chat_detach(u.avatar.id).await;
                }
                if self.active_id() == Some(u.avatar.id) {
                    self.active.store(0, Ordering::Relaxed);
                }
                if !self.engine.delete_chat_user(u.avatar.id).await? {
                    return Err(ChatError::user_not_found(user_id));
                }
                Ok(json!({"type": "cmdOk"}))
            }
            C::UpdateProfile { user_id, profile } => self.update_profile(user_id, profile).await,
            C::StartChat => {
                let was_stopped = std::mem::replace(&mut self.stopped, false);
                if was_stopped {
                    if let Some(id) = self.active_id() {
                        self.drive(id).await?;
                    }
                    Ok(json!({"type": "chatStarted"}))
                } else {
                    Ok(json!({"type": "chatRunning"}))
                }
            }
            C::StopChat => {
                self.stopped = true;
                self.stop_pumps().await;
                Ok(json!({"type": "chatStopped"}))
            }
            C::CreateMyAddress { user_id } => self.create_address(Some(user_id)).await,
            C::CreateActiveAddress => self.create_address(None).await,
            C::DeleteMyAddress { user_id } => self.delete_address(Some(user_id)).await,
            C::DeleteActiveAddress => self.delete_address(None).await,
            C::ShowMyAddress { user_id } => self.show_address(Some(user_id)).await,
            C::ShowActiveAddress => self.show_address(None).await,
            C::SetProfileAddress { user_id, enable } => {
                let u = self.named(user_id).await?;
                if enable && self.engine.address(u.avatar.id).await?.is_none() {
                    return Err(ChatError::address_not_found());
                }
                let mut profile = u.profile.clone();
                profile.show_address = enable;
                self.save_profile(&u, types::display_name(&u.avatar), profile)
                    .await
            }
            C::SetAddressSettings { user_id, settings } => {
                let u = self.named(user_id).await?;
                let settings = address_settings(&settings)?;
                self.set_address_settings(&u, settings).await
            }
            C::AutoAccept {
                on,
                incognito,
                business,
                reply,
            } => {
                let u = self.active_user().await?;
                let settings = AddressSettings {
                    auto_accept: on,
                    accept_incognito: incognito,
                    business,
                    auto_reply: reply.as_ref().map(content_of).transpose()?,
                    member_role: None,
                };
                self.set_address_settings(&u, settings).await
            }
            C::AddContact { user_id, .. } => self.invitation(Some(user_id)).await,
            C::Connect { target: None, .. } => self.invitation(None).await,
            C::Connect {
                target: Some(link), ..
            } => self.connect(None, &link).await,
            C::ApiConnect { user_id, link, .. } => self.connect(Some(user_id), &link).await,
            C::ConnectPlan { user_id, target } => {
                let u = self.named(user_id).await?;
                self.connect_plan(&u, &target).await
            }
            C::AcceptContact { request_id, .. } => {
                let u = self.active_user().await?;
                let (from, _) = self
                    .engine
                    .answer_contact_request(u.avatar.id, OfferId(request_id), true)
                    .await?;
                let contact = self.contact_json(&u, from.id).await?;
                Ok(json!({
                    "type": "acceptingContactRequest",
                    "user": self.user_json(&u).await?,
                    "contact": contact,
                }))
            }
            C::RejectContact { request_id } => {
                let u = self.active_user().await?;
                let (from, offer) = self
                    .engine
                    .answer_contact_request(u.avatar.id, OfferId(request_id), false)
                    .await?;
                let (avatar, profile) = self
                    .engine
                    .peer(from.id)
                    .await?
                    .ok_or_else(|| ChatError::contact_not_found(from.id.0))?;
                Ok(json!({
                    "type": "contactRequestRejected",
                    "user": self.user_json(&u).await?,
                    "contactRequest": types::contact_request(&offer, &avatar, &profile, grid::Timestamp::now()),
                }))
            }
            C::ListContacts { user_id } => {
                let u = self.named(user_id).await?;
                let custom = self.engine.contacts_custom_data(u.avatar.id).await?;
                let contacts: Vec<Value> = self
                    .engine
                    .contacts(u.avatar.id)
                    .await?
                    .iter()
                    .map(|(avatar, profile)| {
                        let mut c = types::contact(&u.profile, avatar, profile);
                        types::set_custom_data(&mut c, custom.get(&avatar.id).map(String::as_str));
                        c
                    })
                    .collect();
                Ok(json!({
                    "type": "contactsList",
                    "user": self.user_json(&u).await?,
                    "contacts": contacts,
                }))
            }
            C::GetChats { user_id, count, .. } => {
                let u = self.named(user_id).await?;
                self.chats(&u, count.unwrap_or(100).clamp(0, 1000) as usize)
                    .await
            }
            C::DeleteChat {
                chat_ref: ChatRef::Direct(contact_id),
                mode,
            } => {
                let u = self.active_user().await?;
                let contact = self.contact_json(&u, AvatarId(contact_id)).await?;
                if mode != ChatDeleteMode::Messages {
                    self.engine
                        .delete_contact(u.avatar.id, AvatarId(contact_id))
                        .await?;
                }
                Ok(json!({
                    "type": "contactDeleted",
                    "user": self.user_json(&u).await?,
                    "contact": contact,
                }))
            }
            C::SendMessages {
                send_ref: ChatRef::Direct(contact_id),
                messages,
                ..
            } => Ok(self
                .send_direct(AvatarId(contact_id), messages)
                .await?
                .await
                .into_value()),
            C::DeleteChat {
                chat_ref: ChatRef::Group { id, support: None },
                mode: ChatDeleteMode::Full { .. } | ChatDeleteMode::Entity { .. },
            } => self.delete_group(GroupId(id)).await,
            C::SendMessages {
                send_ref: ChatRef::Group { id, support: None },
                messages,
                ..
            } => {
                let outgoing = self.composed(messages).await?;
                self.send_group(GroupId(id), outgoing).await
            }
            C::ReceiveFile {
                file_id,
                encrypt,
                path,
                ..
            } => self.receive_file(file_id, path, encrypt).await,
            C::CancelFile { file_id } => self.cancel_file(file_id).await,
            C::SetCustomData { chat_ref, data } => self.set_custom_data(chat_ref, data).await,
            // What the message is for (`to`) does not change what it says.
            C::ShareMyAddress { .. } => self.share_address().await,
            C::ShareChatContent {
                chat: ChatRef::Group { id, support: None },
                ..
            } => self.share_group(GroupId(id)).await,
            C::SetAutoAcceptGroupInvitations { user_id, on } => {
                let u = self.named(user_id).await?;
                let u = self.engine.set_auto_join_groups(u.avatar.id, on).await?;
                let mut v = json!({"type": "cmdOk"});
                v["user_"] = self.user_json(&u).await?;
                Ok(v)
            }
            C::UpdateChatItem {
                chat_ref,
                item_id,
                message,
                ..
            } => self.update_item(chat_ref, item_id, message).await,
            C::DeleteChatItem {
                chat_ref,
                item_ids,
                mode,
            } => self.delete_items(chat_ref, item_ids, mode).await,
            C::DeleteMemberChatItem { group_id, item_ids } => {
                self.moderate_items(group_id, item_ids).await
            }
            C::ChatItemReaction {
                chat_ref,
                item_id,
                add,
                reaction,
            } => self.react(chat_ref, item_id, add, reaction).await,
            C::NewGroup {
                user_id,
                incognito,
                profile,
            } => self.new_group(user_id, incognito, profile).await,
            C::ListGroups {
                user_id,
                contact_id,
                search,
            } => self.list_groups(user_id, contact_id, search).await,
            C::ListMembers { group_id } => self.list_members(GroupId(group_id)).await,
            C::AddMember {
                group_id,
                contact_id,
                role,
            } => {
                self.add_member(GroupId(group_id), AvatarId(contact_id), role)
                    .await
            }
            C::JoinGroup { group_id } => self.join_group(GroupId(group_id)).await,
            C::MembersRole {
                group_id,
                member_ids,
                role,
            } => self.members_role(GroupId(group_id), member_ids, role).await,
            C::BlockMembers {
                group_id,
                member_ids,
                blocked,
            } => {
                self.block_members(GroupId(group_id), member_ids, blocked)
                    .await
            }
            C::RemoveMembers {
                group_id,
                member_ids,
                with_messages,
            } => {
                self.remove_members(GroupId(group_id), member_ids, with_messages)
                    .await
            }
            C::LeaveGroup { group_id } => self.leave_group(GroupId(group_id)).await,
            C::UpdateGroupProfile { group_id, profile } => {
                self.update_group_profile(GroupId(group_id), profile).await
            }
            C::CreateGroupLink { group_id, role } => {
                self.create_group_link(GroupId(group_id), role).await
            }
            C::GroupLinkMemberRole { group_id, role } => {
                self.group_link_role(GroupId(group_id), role).await
            }
            C::DeleteGroupLink { group_id } => self.delete_group_link(GroupId(group_id)).await,
            C::GetGroupLink { group_id } => self.get_group_link(GroupId(group_id)).await,
            C::AcceptMember {
                group_id,
                member_id,
                role,
            } => {
                self.accept_member(GroupId(group_id), AvatarId(member_id), role)
                    .await
            }
            C::Relays { name } => Err(ChatError::command(format!(
                "{name}: channels and chat relays are not supported by botgrid; \
                 groups work without relays"
            ))),
            C::Unsupported { name } => Err(ChatError::unsupported(name)),
            other => Err(ChatError::unsupported(&refused_name(&other))),
        }
    }

    async fn list_users(&mut self) -> Answer {
        let users = match self.grant {
            Grant::Open => self.engine.chat_users().await?,
            Grant::Bot(bot) => vec![self.drive(bot).await?],
        };
        let mut out = Vec::with_capacity(users.len());
        for u in &users {
            out.push(json!({"user": self.user_json(u).await?, "unreadCount": 0}));
        }
        Ok(json!({"type": "usersList", "users": out}))
    }

    async fn create_user(&mut self, new_user: Value) -> Answer {
        if self.grant != Grant::Open {
            return Err(ChatError::command(
                "this connection's token drives one bot; it cannot create users",
            ));
        }
        let p = new_user
            .get("profile")
            .ok_or_else(|| ChatError::command("a new user needs a profile"))?;
        let (display_name, profile, kind) = profile_of(p)?;
        let u = self
            .engine
            .create_chat_user(display_name, profile, kind)
            .await?;
        self.drive(u.avatar.id).await?;
        self.active.store(u.avatar.id.0, Ordering::Relaxed);
        Ok(json!({"type": "activeUser", "user": self.user_json(&u).await?}))
    }

    async fn update_profile(&mut self, user_id: i64, p: Value) -> Answer {
        let u = self.named(user_id).await?;
        let (display_name, mut profile, _kind) = profile_of(&p)?;
        profile.show_address = p.get("contactLink").is_some_and(Value::is_string);
        // A setting, not part of what clients send as a profile.
        profile.auto_join_groups = u.profile.auto_join_groups;
        self.save_profile(&u, display_name, profile).await
    }

    async fn save_profile(&mut self, u: &ChatUser, name: String, profile: ChatProfile) -> Answer {
        let address = self.engine.address(u.avatar.id).await?;
        let link = address.map(|l| self.shared.links.short(&l));
        let unchanged = profile == u.profile && name == types::display_name(&u.avatar);
        if unchanged {
            return Ok(json!({"type": "userProfileNoChange", "user": self.user_json(u).await?}));
        }
        let (before, after) = self
            .engine
            .update_chat_profile(u.avatar.id, name, profile)
            .await?;
        let shown = |x: &ChatUser| link.clone().filter(|_| x.profile.show_address);
        Ok(json!({
            "type": "userProfileUpdated",
            "user": self.user_json(&after).await?,
            "fromProfile": types::profile(&before.avatar, &before.profile, shown(&before)),
            "toProfile": types::profile(&after.avatar, &after.profile, shown(&after)),
            "updateSummary": {"updateSuccesses": 0, "updateFailures": 0, "changedContacts": []},
        }))
    }

    async fn create_address(&mut self, user_id: Option<i64>) -> Answer {
        let u = &self.subject(user_id).await?;
        let link = self
            .engine
            .create_address(u.avatar.id)
            .await?
            .ok_or_else(|| ChatError::store(json!({"type": "duplicateContactLink"})))?;
        Ok(json!({
            "type": "userContactLinkCreated",
            "user": self.user_json(u).await?,
            "connLinkContact": self.shared.links.created(&link),
        }))
    }

    /// `/_share address`: a message carrying the user's address, to send with `/_send`.
    async fn share_address(&mut self) -> Answer {
        let u = self.active_user().await?;
        let link = self
            .engine
            .address(u.avatar.id)
            .await?
            .ok_or_else(ChatError::address_not_found)?;
        let short = self.shared.links.short(&link);
        let mut chat_link = json!({"type": "contact", "business": link.settings.business});
        chat_link["profile"] = types::profile(&u.avatar, &u.profile, Some(short.clone()));
        self.chat_msg_content(&u, types::chat_link_content(&short, chat_link))
            .await
    }

    /// The `chatMsgContent` answer.
    pub(crate) async fn chat_msg_content(&self, u: &ChatUser, mc: Value) -> Answer {
        let mut v = json!({"type": "chatMsgContent"});
        v["user"] = self.user_json(u).await?;
        v["msgContent"] = mc;
        Ok(v)
    }

    async fn delete_address(&mut self, user_id: Option<i64>) -> Answer {
        let u = self.subject(user_id).await?;
        if !self.engine.delete_address(u.avatar.id).await? {
            return Err(ChatError::address_not_found());
        }
        let u = self.user(u.avatar.id).await?;
        Ok(json!({"type": "userContactLinkDeleted", "user": self.user_json(&u).await?}))
    }

    async fn show_address(&mut self, user_id: Option<i64>) -> Answer {
        let u = &self.subject(user_id).await?;
        let link = self
            .engine
            .address(u.avatar.id)
            .await?
            .ok_or_else(ChatError::address_not_found)?;
        Ok(json!({
            "type": "userContactLink",
            "user": self.user_json(u).await?,
            "contactLink": types::user_contact_link(&self.shared.links, &link),
        }))
    }

    async fn set_address_settings(&mut self, u: &ChatUser, settings: AddressSettings) -> Answer {
        let link = self
            .engine
            .set_address_settings(u.avatar.id, settings)
            .await?
            .ok_or_else(ChatError::address_not_found)?;
        Ok(json!({
            "type": "userContactLinkUpdated",
            "user": self.user_json(u).await?,
            "contactLink": types::user_contact_link(&self.shared.links, &link),
        }))
    }

    async fn invitation(&mut self, user_id: Option<i64>) -> Answer {
        let u = &self.subject(user_id).await?;
        let link = self.engine.create_invitation(u.avatar.id).await?;
        Ok(json!({
            "type": "invitation",
            "user": self.user_json(u).await?,
            "connLinkInvitation": self.shared.links.created(&link),
            "connection": types::pending_connection(&self.shared.links, &link, "new", true),
        }))
    }

    async fn connect(&mut self, user_id: Option<i64>, text: &str) -> Answer {
        let u = &self.subject(user_id).await?;
        let token = types::link_token(text).ok_or(grid::Error::LinkNotFound)?;
        let (link, outcome) = self
            .engine
            .connect_via(u.avatar.id, token.to_owned())
            .await?;
        let user = self.user_json(u).await?;
        Ok(match outcome {
            Connected::AlreadyContact(owner) => json!({
                "type": "contactAlreadyExists",
                "user": user,
                "contact": self.contact_json(u, owner.id).await?,
            }),
            Connected::Joined(_) | Connected::Contact(_) | Connected::Requested(_) => json!({
                "type": if link.kind == LinkKind::Invitation {
                    "sentConfirmation"
                } else {
                    "sentInvitation"
                },
                "user": user,
                "connection": types::pending_connection(&self.shared.links, &link, "joined", false),
            }),
        })
    }

    async fn connect_plan(&mut self, u: &ChatUser, text: &str) -> Answer {
        let token = types::link_token(text).ok_or(grid::Error::LinkNotFound)?;
        let link = self
            .engine
            .link(token.to_owned())
            .await?
            .ok_or(grid::Error::LinkNotFound)?;
        // What a contact link (invitation or address) would do for this user.
        let contact_plan = if link.owner == u.avatar.id {
            json!({"type": "ownLink"})
        } else if self.engine.are_friends(u.avatar.id, link.owner).await? {
            json!({"type": "known", "contact": self.contact_json(u, link.owner).await?})
        } else {
            json!({"type": "ok"})
        };
        let plan = match link.kind {
            LinkKind::Invitation => {
                json!({"type": "invitationLink", "invitationLinkPlan": contact_plan})
            }
            LinkKind::Address => {
                json!({"type": "contactAddress", "contactAddressPlan": contact_plan})
            }
            LinkKind::Group => {
                let plan = match link.group {
                    Some(g) if link.owner == u.avatar.id => {
                        let cg = self.engine.chat_group(u.avatar.id, g).await?;
                        json!({"type": "ownLink", "groupInfo": self.group_info_json(u, &cg).await?})
                    }
                    _ => json!({"type": "ok"}),
                };
                json!({"type": "groupLink", "groupLinkPlan": plan})
            }
        };
        Ok(json!({
            "type": "connectionPlan",
            "user": self.user_json(u).await?,
            "connLink": self.shared.links.created(&link),
            "connectionPlan": plan,
        }))
    }

    async fn contact_json(&self, u: &ChatUser, other: AvatarId) -> Result<Value, ChatError> {
        Ok(self.contact_shared(u, other).await?.value.clone())
    }

    async fn contact_shared(
        &self,
        u: &ChatUser,
        other: AvatarId,
    ) -> Result<Arc<Rendered>, ChatError> {
        self.contacts
            .get(&self.engine, u, other)
            .await?
            .ok_or_else(|| ChatError::contact_not_found(other.0))
    }

    async fn chats(&mut self, u: &ChatUser, count: usize) -> Answer {
        let mut chats = Vec::new();
        let custom = self.engine.contacts_custom_data(u.avatar.id).await?;
        for (friend, profile) in self
            .engine
            .contacts(u.avatar.id)
            .await?
            .into_iter()
            .take(count)
        {
            let mut contact = types::contact(&u.profile, &friend, &profile);
            types::set_custom_data(&mut contact, custom.get(&friend.id).map(String::as_str));
            let items: Vec<Value> = self
                .engine
                .direct_chat(u.avatar.id, friend.id, 1)
                .await?
                .iter()
                .map(|m| types::direct_item(m, m.from == u.avatar.id, None))
                .collect();
            chats.push(json!({
                "chatInfo": types::direct_chat_info(contact),
                "chatItems": items,
                "chatStats": {
                    "unreadCount": 0, "unreadMentions": 0, "reportsCount": 0,
                    "minUnreadItemId": 0, "unreadChat": false,
                },
            }));
        }
        Ok(json!({"type": "apiChats", "user": self.user_json(u).await?, "chats": chats}))
    }

    /// Queues a direct send; the answer follows its commit.
    async fn send_direct(
        &mut self,
        to: AvatarId,
        messages: Composed,
    ) -> Result<LaterAnswer, ChatError> {
        let u = self.active_user().await?;
        let outgoing = self.composed(messages).await?;
        let contact = self.contact_shared(&u, to).await?;
        let user = self.user_shared(&u).await?;
        let me = u.avatar.id;
        let queued = self.engine.send_chat(me, to, outgoing).await?;
        let engine = self.engine.clone();
        Ok(Box::pin(async move {
            let answer: Result<Resp, ChatError> = async {
                let sent = queued.await?;
                let mut items = Vec::with_capacity(sent.len());
                for m in &sent {
                    let quoted = match m.quote {
                        Some(q) => engine.direct_message((me, to), q).await?,
                        None => None,
                    };
                    items.push(types::direct_item(
                        m,
                        true,
                        quoted.as_ref().map(|q| (q, q.from == me)),
                    ));
                }
                Ok(Resp::DirectItems(DirectItems {
                    user,
                    contact,
                    items,
                }))
            }
            .await;
            answer.unwrap_or_else(|e| e.response().into())
        }))
    }
}

/// The display name, profile and kind a SimpleX `Profile` describes.
fn profile_of(p: &Value) -> Result<(String, ChatProfile, AvatarKind), ChatError> {
    let name = p
        .get("displayName")
        .and_then(Value::as_str)
        .ok_or_else(|| ChatError::command("the profile needs a displayName"))?;
    let text = |k: &str| p.get(k).and_then(Value::as_str).map(str::to_owned);
    let kind = match p.get("peerType").and_then(Value::as_str) {
        Some("bot") => AvatarKind::Bot,
        _ => AvatarKind::Person,
    };
    let profile = ChatProfile {
        full_name: text("fullName").unwrap_or_default(),
        short_descr: text("shortDescr"),
        description: text("description"),
        image: text("image"),
        preferences: p
            .get("preferences")
            .filter(|v| v.is_object())
            .map(Value::to_string),
        show_address: false,
        auto_join_groups: false,
    };
    Ok((name.to_owned(), profile, kind))
}

/// `AddressSettings` from the client's JSON.
fn address_settings(v: &Value) -> Result<AddressSettings, ChatError> {
    if !v.is_object() {
        return Err(ChatError::command("address settings must be a JSON object"));
    }
    let auto_accept = v.get("autoAccept").filter(|a| a.is_object());
    Ok(AddressSettings {
        auto_accept: auto_accept.is_some(),
        accept_incognito: auto_accept
            .and_then(|a| a.get("acceptIncognito"))
            .and_then(Value::as_bool)
            .unwrap_or(false),
        business: v
            .get("businessAddress")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        auto_reply: v
            .get("autoReply")
            .filter(|r| !r.is_null())
            .map(content_of)
            .transpose()?,
        member_role: None,
    })
}

/// World content from a `MsgContent`: its text for every face, and the JSON verbatim.
pub(crate) fn content_of(mc: &Value) -> Result<Content, ChatError> {
    let kind = mc
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| ChatError::command("msgContent needs a type"))?;
    let text = mc
        .get("text")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let rich =
        (kind != "text" || mc.as_object().is_some_and(|o| o.len() > 2)).then(|| mc.to_string());
    let content = Content {
        text,
        rich,
        file: None,
    };
    content.check()?;
    Ok(content)
}

/// The path of the file a `ComposedMessage` sends: `fileSource.filePath`, or the
/// `filePath` string older clients send.
fn file_path(m: &Value) -> Result<Option<&str>, ChatError> {
    if let Some(source) = m.get("fileSource").filter(|s| !s.is_null()) {
        if source.get("cryptoArgs").is_some_and(|a| !a.is_null()) {
            return Err(ChatError::unsupported("Sending encrypted local files"));
        }
        return source
            .get("filePath")
            .and_then(Value::as_str)
            .map(Some)
            .ok_or_else(|| ChatError::command("fileSource needs a filePath"));
    }
    match m.get("filePath") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(p)) => Ok(Some(p)),
        Some(_) => Err(ChatError::command("filePath must be a string")),
    }
}

impl Session {
    /// The messages of a `/_send`, with the files they send found in the files folder.
    async fn composed(&self, messages: Composed) -> Result<Vec<Outgoing>, ChatError> {
        let list = match messages {
            Composed::Text(text) => return Ok(vec![Outgoing::text(text)]),
            Composed::Json(Value::Array(list)) => list,
            Composed::Json(_) => {
                return Err(ChatError::command("composedMessages must be a JSON array"));
            }
        };
        let mut out = Vec::with_capacity(list.len());
        for m in &list {
            let mc = m
                .get("msgContent")
                .ok_or_else(|| ChatError::command("each composed message needs msgContent"))?;
            let file = match file_path(m)? {
                None => None,
                Some(given) => {
                    let folder = self.files_folder()?;
                    let given = given.to_owned();
                    let (source, name) = tokio::task::spawn_blocking(move || folder.source(&given))
                        .await
                        .map_err(|e| grid::Error::internal(e.to_string()))??;
                    Some(NewFile { name, source })
                }
            };
            out.push(Outgoing {
                content: content_of(mc)?,
                quote: m.get("quotedItemId").and_then(Value::as_i64).map(MessageId),
                file,
            });
        }
        Ok(out)
    }
}

/// What a refused command is called in its error: its documented name, and the form
/// botgrid does not carry out when it carries out others.
fn refused_name(c: &Command) -> String {
    let form = match c {
        Command::SendMessages { .. } => " to a member support chat",
        Command::ShareChatContent { .. } => " of a contact",
        Command::DeleteChat { .. } => " clearing a group's messages or a support chat",
        _ => "",
    };
    format!("{}{form}", c.api_name())
}
