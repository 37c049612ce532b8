//! What chat clients (the SimpleX face) ask of the world: chat users and their sessions,
//! profiles, addresses and one-time links, contacts and direct chat.
//!
//! A chat face authenticates its connection and decides which avatars it may drive;
//! these calls trust that decision and apply the world's rules.

use crate::Engine;
use crate::bot;
use crate::profiles::{Entry, Slot};
use grid::chat::{
    self, AddressSettings, ChatProfile, ChatUser, Content, DirectMessage, Link, LinkKind,
};
use grid::command::BotCommand;
use grid::secret::{self, Digest};
use grid::{
    Avatar, AvatarId, AvatarKind, Error, Event, EventId, LegacyName, MessageId, OfferId, Presence,
    Rights, Uuid,
};
use std::collections::HashMap;
use std::sync::Mutex;
use store::{NewAvatar, Tx};

/// How many chat sessions drive an avatar, and whether they brought it online.
#[derive(Default)]
pub(crate) struct ChatSessions {
    attached: Mutex<HashMap<AvatarId, (usize, bool)>>,
}

/// What using a link did.
#[derive(Clone, Debug, PartialEq)]
pub enum Connected {
    /// The link's owner is a contact now.
    Contact(Avatar),
    /// The owner was a contact already.
    AlreadyContact(Avatar),
    /// The owner has to accept the request first.
    Requested(Avatar),
    /// A group link: the user is a member of the group now.
    Joined(grid::group::Group),
}

/// A message to send in a direct chat.
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub content: Content,
    pub quote: Option<MessageId>,
    /// A file to send with the message.
    pub file: Option<crate::NewFile>,
}

impl Outgoing {
    /// A message of plain text.
    pub fn text(text: impl Into<String>) -> Outgoing {
        Outgoing {
            content: Content::text(text),
            quote: None,
            file: None,
        }
    }
}

/// Stores the bodies of the messages' files; returns the messages with the name and
/// stored body of their file, if any.
pub(crate) async fn with_bodies(
    engine: &Engine,
    messages: Vec<Outgoing>,
) -> Result<Vec<(Outgoing, Option<(String, store::Blob)>)>, Error> {
    let files: Vec<crate::NewFile> = messages.iter().filter_map(|m| m.file.clone()).collect();
    let mut bodies = engine.store_bodies(files).await?.into_iter();
    messages
        .into_iter()
        .map(|m| {
            let body = match &m.file {
                Some(f) => Some((
                    f.name.clone(),
                    bodies
                        .next()
                        .ok_or_else(|| Error::internal("a file body went missing"))?,
                )),
                None => None,
            };
            Ok((m, body))
        })
        .collect()
}

/// Records a file whose body is stored; its sender's faces learn it is ready.
pub(crate) fn attach(
    tx: &mut Tx<'_>,
    owner: AvatarId,
    content: &mut Content,
    body: Option<(String, store::Blob)>,
) -> Result<(), Error> {
    if let Some((name, blob)) = body {
        let attachment = tx.insert_file(owner, &name, blob.size, &blob.digest)?;
        tx.emit(
            owner,
            Event::FileStored {
                file: attachment.id,
            },
        )?;
        content.file = Some(attachment);
    }
    Ok(())
}

impl Engine {
    /// Every chat user, oldest first.
    pub async fn chat_users(&self) -> Result<Vec<ChatUser>, Error> {
        self.store().read(|tx| Ok(tx.chat_users()?)).await
    }

    /// One chat user, as chat faces show it (its presence may be old).
    pub async fn chat_user(&self, user: AvatarId) -> Result<Option<ChatUser>, Error> {
        let seen = self.profiles().version();
        if let Some(Entry::User(u)) = self.profiles().get(Slot::User, user) {
            return Ok(Some(u));
        }
        let u = self.store().read(move |tx| Ok(tx.chat_user(user)?)).await?;
        if let Some(u) = &u {
            self.profiles()
                .put(seen, Slot::User, user, Entry::User(u.clone()));
        }
        Ok(u)
    }

    /// The bot an API token drives.
    pub async fn bot_for_token(&self, token: &str) -> Result<Option<AvatarId>, Error> {
        let digest = Digest::of(token);
        self.store()
            .read(move |tx| Ok(tx.bot_by_token(&digest)?))
            .await
    }

    /// Creates an avatar driven by a chat client. Its legacy name is derived from the
    /// display name; a display name another chat user has is refused.
    pub async fn create_chat_user(
        &self,
        display_name: String,
        profile: ChatProfile,
        kind: AvatarKind,
    ) -> Result<ChatUser, Error> {
        chat::check_display_name(&display_name)?;
        let display_name = display_name.trim().to_owned();
        self.store()
            .write(move |tx| {
                if tx.chat_name_taken(&display_name)? {
                    return Err(Error::NameTaken { name: display_name });
                }
                let name = free_legacy_name(tx, &display_name)?;
                let avatar = tx.insert_avatar(&NewAvatar {
                    uuid: Uuid::new_v4(),
                    name,
                    display_name: display_name.clone(),
                    kind,
                    about: profile.short_descr.clone().unwrap_or_default(),
                    home: None,
                })?;
                tx.insert_chat_user(avatar.id, &profile)?;
                tx.chat_user(avatar.id)?
                    .ok_or_else(|| Error::internal("chat user vanished"))
            })
            .await
    }

    /// Changes a chat user's display name and profile; returns the user before and
    /// after.
    pub async fn update_chat_profile(
        &self,
        user: AvatarId,
        display_name: String,
        profile: ChatProfile,
    ) -> Result<(ChatUser, ChatUser), Error> {
        chat::check_display_name(&display_name)?;
        let display_name = display_name.trim().to_owned();
        self.changing_profile(user, move |tx| {
            let before = chat_user(tx, user)?;
            tx.set_chat_profile(user, &display_name, &profile)?;
            let after = chat_user(tx, user)?;
            // Contacts see the change (SimpleX `contactUpdated`).
            let was = grid::event::ProfileBefore {
                display_name: before.avatar.display_name.clone(),
                profile: before.profile.clone(),
            };
            tx.emit_to_friends(
                user,
                &Event::ContactChanged {
                    who: after.avatar.to_ref(),
                    before: Box::new(was),
                },
            )?;
            Ok((before, after))
        })
        .await
    }

    /// A chat session starts driving an avatar: it becomes a chat user if it was not
    /// one, and comes online at once if it was away (what waited for it arrives).
    /// Returns the user and the last event its sessions have delivered.
    pub async fn chat_attach(&self, user: AvatarId) -> Result<(ChatUser, EventId), Error> {
        let (bring_online, next_post) = self
            .store()
            .write(move |tx| {
                let avatar = tx.avatar(user)?.ok_or(Error::BotNotFound)?;
                if tx.chat_user(user)?.is_none() {
                    tx.insert_chat_user(user, &ChatProfile::default())?;
                }
                if avatar.presence.is_online() {
                    return Ok((false, None));
                }
                crate::presence::change(
                    tx,
                    user,
                    avatar.presence,
                    Presence::Online,
                    avatar.location.as_ref(),
                )?;
                Ok((true, crate::presence::arrived(tx, user)?))
            })
            .await?;
        // The avatar may have just become a chat user (nothing was shown of it before,
        // so invalidating after the commit is soon enough).
        self.profiles().invalidate(user);
        if let Some(at) = next_post {
            self.schedule_posts(user, at);
        }
        {
            let mut attached = self.sessions().lock().unwrap_or_else(|p| p.into_inner());
            let entry = attached.entry(user).or_insert((0, false));
            entry.0 += 1;
            entry.1 |= bring_online;
        }
        self.store()
            .read(move |tx| {
                let u = chat_user(tx, user)?;
                let cursor = tx.chat_cursor(user)?.unwrap_or(EventId(0));
                Ok((u, cursor))
            })
            .await
    }

    /// A chat session stops driving an avatar. The last session to go takes the avatar
    /// offline again, if a chat session brought it online.
    pub async fn chat_detach(&self, user: AvatarId) {
        let log_out = {
            let mut attached = self.sessions().lock().unwrap_or_else(|p| p.into_inner());
            match attached.get_mut(&user) {
                Some(entry) if entry.0 > 1 => {
                    entry.0 -= 1;
                    false
                }
                Some(_) => attached.remove(&user).is_some_and(|(_, brought)| brought),
                None => false,
            }
        };
        if !log_out {
            return;
        }
        let result = self
            .store()
            .write(move |tx| {
                let Some(avatar) = tx.avatar(user)? else {
                    return Ok(());
                };
                if avatar.presence.is_online() {
                    crate::presence::change(
                        tx,
                        user,
                        avatar.presence,
                        Presence::LoggedOut,
                        avatar.location.as_ref(),
                    )?;
                }
                Ok(())
            })
            .await;
        if let Err(e) = result {
            tracing::warn!(user = %user, error = %e, "cannot take a chat user offline");
        }
    }

    /// Records that a chat session delivered a user's events up to `cursor`.
    pub async fn advance_chat_cursor(&self, user: AvatarId, cursor: EventId) -> Result<(), Error> {
        self.store()
            .write(move |tx| Ok(tx.advance_chat_cursor(user, cursor)?))
            .await
    }

    /// An avatar with its chat profile (empty for avatars no chat client drives), as
    /// chat faces show it (its presence may be old).
    pub async fn peer(&self, id: AvatarId) -> Result<Option<(Avatar, ChatProfile)>, Error> {
        let seen = self.profiles().version();
        if let Some(Entry::Peer(p)) = self.profiles().get(Slot::Peer, id) {
            return Ok(p);
        }
        let p = self.store().read(move |tx| peer(tx, id)).await?;
        self.profiles()
            .put(seen, Slot::Peer, id, Entry::Peer(p.clone()));
        Ok(p)
    }

    /// Keeps (or with `None`, forgets) custom data about a contact or a group the user
    /// is in; only the user sees it.
    pub async fn set_custom_data(
        &self,
        user: AvatarId,
        target: chat::CustomTarget,
        data: Option<String>,
    ) -> Result<(), Error> {
        if let Some(d) = &data {
            grid::message::check_len("custom data", d, chat::MAX_CUSTOM_DATA_BYTES)?;
        }
        self.changing_profile(user, move |tx| {
            match target {
                chat::CustomTarget::Contact(other) => {
                    tx.avatar(other)?.ok_or_else(|| Error::AvatarNotFound {
                        who: other.to_string(),
                    })?;
                }
                chat::CustomTarget::Group(g) => {
                    tx.membership(g, user)?
                        .ok_or_else(|| Error::GroupNotFound {
                            who: g.0.to_string(),
                        })?;
                }
            }
            Ok(tx.set_custom_data(user, target, data.as_deref())?)
        })
        .await
    }

    /// Stops an avatar being a chat user (SimpleX `/_delete user`): its chat profile,
    /// address, invitations and custom data go; the avatar, its friendships, groups and
    /// messages stay in the world. False when it was not a chat user.
    pub async fn delete_chat_user(&self, user: AvatarId) -> Result<bool, Error> {
        self.changing_profile(user, move |tx| Ok(tx.delete_chat_user(user)?))
            .await
    }

    /// Whether the user joins the groups it is invited to at once.
    pub async fn set_auto_join_groups(&self, user: AvatarId, on: bool) -> Result<ChatUser, Error> {
        self.changing_profile(user, move |tx| {
            let mut u = chat_user(tx, user)?;
            u.profile.auto_join_groups = on;
            tx.set_chat_profile(user, &u.avatar.display_name, &u.profile)?;
            chat_user(tx, user)
        })
        .await
    }

    /// The custom data the user keeps about each of its contacts.
    pub async fn contacts_custom_data(
        &self,
        user: AvatarId,
    ) -> Result<HashMap<AvatarId, String>, Error> {
        self.store()
            .read(move |tx| {
                Ok(tx
                    .all_custom_data(user)?
                    .into_iter()
                    .filter_map(|(target, data)| match target {
                        chat::CustomTarget::Contact(a) => Some((a, data)),
                        chat::CustomTarget::Group(_) => None,
                    })
                    .collect())
            })
            .await
    }

    /// The custom data the user keeps about a contact.
    pub async fn contact_custom_data(
        &self,
        user: AvatarId,
        contact: AvatarId,
    ) -> Result<Option<String>, Error> {
        self.store()
            .read(move |tx| Ok(tx.custom_data(user, chat::CustomTarget::Contact(contact))?))
            .await
    }

    /// Changes whenever a chat user's profile or address, or a peer's profile, may have
    /// changed: what faces rendered from them before may be out of date.
    pub fn profiles_version(&self) -> u64 {
        self.profiles().version()
    }

    /// A user's address, if it has one.
    pub async fn address(&self, user: AvatarId) -> Result<Option<Link>, Error> {
        let seen = self.profiles().version();
        if let Some(Entry::Address(a)) = self.profiles().get(Slot::Address, user) {
            return Ok(a);
        }
        let a = self
            .store()
            .read(move |tx| Ok(tx.links_of(user, LinkKind::Address)?.into_iter().next()))
            .await?;
        self.profiles()
            .put(seen, Slot::Address, user, Entry::Address(a.clone()));
        Ok(a)
    }

    /// Runs a write that changes what chat faces show of `user`. The profile cache
    /// forgets what it kept of the user as the write commits, before anyone woken by
    /// the write's events can read the cache.
    async fn changing_profile<R, F>(&self, user: AvatarId, f: F) -> Result<R, Error>
    where
        F: FnOnce(&mut Tx<'_>) -> Result<R, Error> + Send + 'static,
        R: Send + 'static,
    {
        let engine = self.clone();
        self.store()
            .write(move |tx| {
                let result = f(tx)?;
                tx.after_commit(move || engine.profiles().invalidate(user));
                Ok(result)
            })
            .await
    }

    /// Creates a user's address; `None` when it has one already.
    pub async fn create_address(&self, user: AvatarId) -> Result<Option<Link>, Error> {
        self.changing_profile(user, move |tx| {
            if !tx.links_of(user, LinkKind::Address)?.is_empty() {
                return Ok(None);
            }
            let token = secret::new_link_token();
            Ok(Some(tx.insert_link(
                &token,
                LinkKind::Address,
                user,
                None,
                &AddressSettings::default(),
            )?))
        })
        .await
    }

    /// Deletes a user's address, and takes it out of the user's profile; false when it
    /// had none.
    pub async fn delete_address(&self, user: AvatarId) -> Result<bool, Error> {
        self.changing_profile(user, move |tx| {
            let links = tx.links_of(user, LinkKind::Address)?;
            for l in &links {
                tx.delete_link(l.id)?;
            }
            if let Some(u) = tx.chat_user(user)?
                && u.profile.show_address
            {
                let profile = ChatProfile {
                    show_address: false,
                    ..u.profile
                };
                tx.set_chat_profile(user, &u.avatar.display_name, &profile)?;
            }
            Ok(!links.is_empty())
        })
        .await
    }

    /// Changes how a user's address answers; `None` when it has no address.
    pub async fn set_address_settings(
        &self,
        user: AvatarId,
        settings: AddressSettings,
    ) -> Result<Option<Link>, Error> {
        if let Some(reply) = &settings.auto_reply {
            reply.check()?;
        }
        self.changing_profile(user, move |tx| {
            let Some(mut link) = tx.links_of(user, LinkKind::Address)?.into_iter().next() else {
                return Ok(None);
            };
            tx.set_link_settings(link.id, &settings)?;
            link.settings = settings;
            Ok(Some(link))
        })
        .await
    }

    /// Creates a one-time invitation link.
    pub async fn create_invitation(&self, user: AvatarId) -> Result<Link, Error> {
        self.store()
            .write(move |tx| {
                let token = secret::new_link_token();
                Ok(tx.insert_link(
                    &token,
                    LinkKind::Invitation,
                    user,
                    None,
                    &AddressSettings::default(),
                )?)
            })
            .await
    }

    /// The link with this token, if it exists.
    pub async fn link(&self, token: String) -> Result<Option<Link>, Error> {
        self.store()
            .read(move |tx| Ok(tx.link_by_token(&token)?))
            .await
    }

    /// Uses a link: an address makes its owner a contact (at once when it
    /// auto-accepts, otherwise by a request the owner answers); a one-time invitation
    /// makes its owner a contact and is used up. Returns the link as it was.
    pub async fn connect_via(
        &self,
        user: AvatarId,
        token: String,
    ) -> Result<(Link, Connected), Error> {
        self.store()
            .write(move |tx| {
                let me = tx.avatar(user)?.ok_or(Error::BotNotFound)?;
                let link = tx.link_by_token(&token)?.ok_or(Error::LinkNotFound)?;
                if link.kind == LinkKind::Group {
                    let group = crate::chat_groups::join_by_link(tx, &me, &link)?;
                    return Ok((link, Connected::Joined(group)));
                }
                let owner = tx.avatar(link.owner)?.ok_or(Error::LinkNotFound)?;
                if owner.id == me.id {
                    return Err(Error::NotForSelf { what: "connect to" });
                }
                if tx.rights(me.id, owner.id)?.is_some() {
                    return Ok((link, Connected::AlreadyContact(owner)));
                }
                let connected = match link.kind {
                    LinkKind::Invitation => {
                        tx.delete_link(link.id)?;
                        befriend(tx, &me, &owner)?;
                        bot::deliver(tx, &owner, Event::FriendshipAccepted { by: me.to_ref() })?;
                        bot::deliver(
                            tx,
                            &me,
                            Event::FriendshipFormed {
                                with: owner.to_ref(),
                            },
                        )?;
                        Connected::Contact(owner)
                    }
                    LinkKind::Address if link.settings.auto_accept => {
                        befriend(tx, &me, &owner)?;
                        bot::deliver(tx, &owner, Event::FriendshipFormed { with: me.to_ref() })?;
                        bot::deliver(tx, &me, Event::FriendshipAccepted { by: owner.to_ref() })?;
                        if let Some(reply) = link.settings.auto_reply.clone() {
                            bot::send_direct(tx, &owner, &me, reply, None)?;
                        }
                        Connected::Contact(owner)
                    }
                    LinkKind::Address => {
                        let offer = BotCommand::OfferFriendship {
                            to: owner.uuid,
                            message: String::new(),
                        };
                        bot::execute(tx, &me, offer)?;
                        if tx.rights(me.id, owner.id)?.is_some() {
                            Connected::Contact(owner)
                        } else {
                            Connected::Requested(owner)
                        }
                    }
                    LinkKind::Group => {
                        return Err(Error::internal("a group link on the contact path"));
                    }
                };
                Ok((link, connected))
            })
            .await
    }

    /// Answers a contact request (a friendship offer) the user received.
    pub async fn answer_contact_request(
        &self,
        user: AvatarId,
        request: OfferId,
        accept: bool,
    ) -> Result<(Avatar, grid::FriendOffer), Error> {
        self.store()
            .write(move |tx| {
                let me = tx.avatar(user)?.ok_or(Error::BotNotFound)?;
                let offer = tx
                    .offer(request)?
                    .filter(|o| o.to == user)
                    .ok_or(Error::OfferNotFound)?;
                let from = tx.avatar(offer.from)?.ok_or(Error::OfferNotFound)?;
                let answer = BotCommand::AnswerFriendship {
                    from: from.uuid,
                    session: offer.session,
                    accept,
                };
                bot::execute(tx, &me, answer)?;
                Ok((from, offer))
            })
            .await
    }

    /// The user's contacts (its friends) with their chat profiles.
    pub async fn contacts(&self, user: AvatarId) -> Result<Vec<(Avatar, ChatProfile)>, Error> {
        self.store()
            .read(move |tx| Ok(tx.friends_with_profiles(user)?))
            .await
    }

    /// Whether two avatars are friends.
    pub async fn are_friends(&self, a: AvatarId, b: AvatarId) -> Result<bool, Error> {
        self.store()
            .read(move |tx| Ok(tx.rights(a, b)?.is_some()))
            .await
    }

    /// Ends a friendship (or withdraws an offer); false when there was neither.
    pub async fn delete_contact(&self, user: AvatarId, contact: AvatarId) -> Result<bool, Error> {
        self.store()
            .write(move |tx| {
                let me = tx.avatar(user)?.ok_or(Error::BotNotFound)?;
                let other = tx.avatar(contact)?.ok_or_else(|| Error::AvatarNotFound {
                    who: contact.to_string(),
                })?;
                match bot::execute(tx, &me, BotCommand::CancelFriendship { friend: other.uuid }) {
                    Ok(_) => Ok(true),
                    Err(Error::NotFriends) => Ok(false),
                    Err(e) => Err(e),
                }
            })
            .await
    }

    /// Sends messages in the direct chat with `to`, all or none. Returns once they are
    /// queued for the store, in call order; the returned future yields them as stored
    /// once committed. A connection may queue its next sends before that.
    pub async fn send_chat(
        &self,
        user: AvatarId,
        to: AvatarId,
        messages: Vec<Outgoing>,
    ) -> Result<store::Queued<Vec<DirectMessage>>, Error> {
        if messages.is_empty() {
            return Err(Error::invalid("messages", "must not be empty"));
        }
        if messages.len() > chat::MAX_MESSAGES_PER_SEND {
            return Err(Error::invalid(
                "messages",
                format!("at most {} messages at once", chat::MAX_MESSAGES_PER_SEND),
            ));
        }
        for m in &messages {
            m.content.check()?;
        }
        self.check_throttle(user)?;
        let messages = with_bodies(self, messages).await?;
        self.store()
            .queue_write(move |tx| {
                let me = tx.avatar(user)?.ok_or(Error::BotNotFound)?;
                let other = tx.avatar(to)?.ok_or_else(|| Error::AvatarNotFound {
                    who: to.to_string(),
                })?;
                let mut sent = Vec::with_capacity(messages.len());
                for (mut m, body) in messages {
                    if let Some(q) = m.quote {
                        tx.direct_message(q)?
                            .filter(|d| {
                                (d.from == me.id && d.to == other.id)
                                    || (d.from == other.id && d.to == me.id)
                            })
                            .ok_or(Error::MessageNotFound)?;
                    }
                    attach(tx, me.id, &mut m.content, body)?;
                    let id = bot::send_direct(tx, &me, &other, m.content.clone(), m.quote)?;
                    // As stored; not read back (one statement less per message).
                    sent.push(DirectMessage {
                        id,
                        from: me.id,
                        to: other.id,
                        content: m.content,
                        quote: m.quote,
                        at: tx.now(),
                        edited: false,
                        deleted: None,
                    });
                }
                Ok(sent)
            })
            .await
    }

    /// A direct message, if it is between these two avatars.
    pub async fn direct_message(
        &self,
        between: (AvatarId, AvatarId),
        id: MessageId,
    ) -> Result<Option<DirectMessage>, Error> {
        self.store()
            .read(move |tx| {
                Ok(tx
                    .direct_message(id)?
                    .filter(|d| (d.from, d.to) == between || (d.to, d.from) == between))
            })
            .await
    }

    /// The newest messages of a direct chat as `a` sees them (not those `a` deleted for
    /// itself), oldest first.
    pub async fn direct_chat(
        &self,
        a: AvatarId,
        b: AvatarId,
        limit: usize,
    ) -> Result<Vec<DirectMessage>, Error> {
        let limit = limit.min(10_000) as i64;
        self.store()
            .read(move |tx| Ok(tx.direct_messages_between(a, b, limit)?))
            .await
    }

    pub(crate) fn check_throttle(&self, user: AvatarId) -> Result<(), Error> {
        match &self.inner.throttle {
            Some(t) => t.check(user),
            None => Ok(()),
        }
    }

    fn sessions(&self) -> &Mutex<HashMap<AvatarId, (usize, bool)>> {
        &self.inner.chat_sessions.attached
    }
}

fn chat_user(tx: &mut Tx<'_>, user: AvatarId) -> Result<ChatUser, Error> {
    tx.chat_user(user)?.ok_or(Error::BotNotFound)
}

fn befriend(tx: &mut Tx<'_>, a: &Avatar, b: &Avatar) -> Result<(), Error> {
    if let Some(offer) = tx.offer_between(a.id, b.id)? {
        tx.delete_offer(offer.id)?;
    }
    if let Some(offer) = tx.offer_between(b.id, a.id)? {
        tx.delete_offer(offer.id)?;
    }
    tx.insert_friendship(a.id, b.id, Rights::NEW_FRIENDSHIP)?;
    Ok(())
}

/// A legacy name for a chat user: the display name when it is one, otherwise its letters
/// and digits; a number is added to the first name when the name is taken.
fn free_legacy_name(tx: &mut Tx<'_>, display_name: &str) -> Result<LegacyName, Error> {
    let base = legacy_name_for(display_name);
    if tx.avatar_by_name(&base)?.is_none() {
        return Ok(base);
    }
    for n in 2..1000 {
        let mut first = base.first().to_owned();
        let suffix = n.to_string();
        first.truncate(31 - suffix.len());
        let candidate = LegacyName::from_parts(first + &suffix, base.last());
        if tx.avatar_by_name(&candidate)?.is_none() {
            return Ok(candidate);
        }
    }
    Err(Error::NameTaken {
        name: base.to_string(),
    })
}

fn legacy_name_for(display_name: &str) -> LegacyName {
    if let Ok(name) = LegacyName::parse(display_name) {
        return name;
    }
    let words: Vec<String> = display_name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().take(31).collect())
        .collect();
    match words.as_slice() {
        [] => LegacyName::from_parts("Chat", grid::name::RESIDENT),
        [one] => LegacyName::from_parts(one.clone(), grid::name::RESIDENT),
        [first, rest @ ..] => {
            let last: String = rest.concat().chars().take(31).collect();
            LegacyName::from_parts(first.clone(), last)
        }
    }
}

/// An avatar with its chat profile (empty for avatars no chat client drives).
pub(crate) fn peer(tx: &mut Tx<'_>, id: AvatarId) -> Result<Option<(Avatar, ChatProfile)>, Error> {
    Ok(match tx.chat_user(id)? {
        Some(u) => Some((u.avatar, u.profile)),
        None => tx.avatar(id)?.map(|a| (a, ChatProfile::default())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_names_from_display_names() {
        assert_eq!(legacy_name_for("Ada Lovelace").to_string(), "Ada Lovelace");
        assert_eq!(legacy_name_for("echo").to_string(), "echo Resident");
        assert_eq!(
            legacy_name_for("SimplOxide Examples bot").to_string(),
            "SimplOxide Examplesbot"
        );
        assert_eq!(legacy_name_for("🤖").to_string(), "Chat Resident");
        assert_eq!(legacy_name_for("squaring-bot").to_string(), "squaring bot");
    }
}
