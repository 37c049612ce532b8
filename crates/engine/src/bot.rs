//! Carrying out what a bot is asked to do.

use crate::Engine;
use crate::auth::{self, Credentials, Identity};
use crate::presence;
use grid::callback::{self, CallbackChange, MAX_CALLBACKS_PER_BOT};
use grid::chat::Content;
use grid::command::{AvatarSelector, BotCommand, BotStatus, Reply, ThrottleClass};
use grid::message::{self, MAX_OFFER_MESSAGE_BYTES};
use grid::{
    Avatar, AvatarId, Error, Event, Friend, MessageId, OfflinePolicy, Presence, Rights,
    RightsChange, StartLocation, Uuid,
};
use store::Tx;

/// What must happen once a command's transaction has committed.
pub(crate) enum After {
    /// Finish a presence transition later, unless another one supersedes it.
    Presence {
        bot: AvatarId,
        seq: i64,
        to: Presence,
    },
    /// The set of callback registrations changed.
    CallbacksChanged,
    /// Send the sender's waiting posts at this time.
    SendPosts {
        sender: AvatarId,
        at: grid::Timestamp,
    },
    /// A region restart is due at this time.
    Restart { at: grid::Timestamp },
    /// A remote bot's command, carried out by its session before the caller hears OK.
    Remote {
        bot: AvatarId,
        command: Box<BotCommand>,
    },
}

/// A command's answer and what follows its commit.
pub(crate) struct Executed {
    pub(crate) reply: Reply,
    pub(crate) after: Vec<After>,
}

enum Step {
    Done(Executed),
    Verify { subject: auth::Subject, phc: String },
}

impl Engine {
    /// Runs a command on behalf of the bot the credentials name.
    ///
    /// The caller is authenticated, the bot's presence and throttle are checked, and the
    /// command's changes and events are committed, all in one transaction: `Ok` means
    /// committed, `Err` means nothing was written.
    pub async fn bot_command(
        &self,
        creds: &Credentials,
        command: BotCommand,
    ) -> Result<Reply, Error> {
        // A command with work before its transaction (an upload) is only prepared for a
        // caller who may drive the bot: nothing is stored for a wrong secret.
        let command = if crate::inventory::needs_preparing(&command) {
            Box::pin(self.bot_command(creds, BotCommand::Status)).await?;
            self.prepare(command).await?
        } else {
            command
        };
        // At most two rounds: the second follows a slow access-code check.
        for _ in 0..2 {
            match self.try_bot_command(creds.clone(), command.clone()).await? {
                Step::Done(done) => return self.finish(done).await,
                Step::Verify { subject, phc } => {
                    self.inner
                        .auth
                        .verify_slowly(subject, phc, &creds.secret)
                        .await?
                }
            }
        }
        Err(Error::internal("authentication did not settle"))
    }

    /// Runs a command as a bot without credentials: for actions the grid takes on a
    /// bot's behalf (its callback answering `accept=1`, a group's serving bot). The
    /// bot's presence and throttle still apply.
    pub async fn act_for(&self, bot: AvatarId, command: BotCommand) -> Result<Reply, Error> {
        let engine = self.clone();
        let read_only = command.is_read_only();
        let job = move |tx: &mut Tx<'_>| -> Result<Executed, Error> {
            let bot = tx.avatar(bot)?.ok_or(Error::BotNotFound)?;
            engine.run_checked(tx, &bot, command)
        };
        let done = if read_only {
            self.store().read(job).await?
        } else {
            self.store().write(job).await?
        };
        self.finish(done).await
    }

    /// What follows a command's commit; a remote bot's command is carried out by its
    /// session before the caller hears OK.
    async fn finish(&self, Executed { reply, mut after }: Executed) -> Result<Reply, Error> {
        let remote = after
            .iter()
            .position(|a| matches!(a, After::Remote { .. }))
            .map(|i| after.swap_remove(i));
        self.after_commit(after);
        if let Some(After::Remote { bot, command }) = remote {
            return Ok(self.run_remote(bot, *command).await?.unwrap_or(reply));
        }
        Ok(reply)
    }

    async fn try_bot_command(
        &self,
        creds: Credentials,
        command: BotCommand,
    ) -> Result<Step, Error> {
        let engine = self.clone();
        let read_only = command.is_read_only();
        let job = move |tx: &mut Tx<'_>| -> Result<Step, Error> {
            let bot = match auth::identify(tx, &engine.inner.auth, &creds)? {
                Identity::Bot(bot) => bot,
                Identity::Verify { subject, phc } => return Ok(Step::Verify { subject, phc }),
            };
            engine.run_checked(tx, &bot, command).map(Step::Done)
        };
        if read_only {
            self.store().read(job).await
        } else {
            self.store().write(job).await
        }
    }

    /// The checks every bot command passes (presence, throttle), then the command.
    pub(crate) fn run_checked(
        &self,
        tx: &mut Tx<'_>,
        bot: &Avatar,
        command: BotCommand,
    ) -> Result<Executed, Error> {
        if command.needs_presence() && !bot.presence.is_online() {
            return Err(Error::BotOffline);
        }
        match command.throttle_class() {
            ThrottleClass::Messaging => {
                if let Some(throttle) = &self.inner.throttle {
                    throttle.check(bot.id)?;
                }
            }
            ThrottleClass::Scan => self.inner.scans.check(bot.id)?,
            ThrottleClass::None => {}
        }
        // A bot in a remote grid: what that grid does goes to its session (throttled
        // like any bot's commands, which is also what the grid's bot policy asks).
        // (An embedded bot costs one look-up here: every live remote bot is known.)
        if self.inner.remote.is_remote(bot.id)
            && let Some(routed) = crate::remote::route(bot.id, &command)
        {
            if self.inner.remote.is_live(bot.id) {
                return routed;
            }
            // A remote bot between sessions: what its grid would do cannot be done (and
            // must not be done in the embedded world instead).
            return Err(Error::BotOffline);
        }
        execute(tx, bot, command)
    }

    pub(crate) fn after_commit(&self, after: Vec<After>) {
        for a in after {
            match a {
                After::Presence { bot, seq, to } => self.schedule_presence(bot, seq, to),
                After::CallbacksChanged => {
                    self.inner.callbacks_changed.send_modify(|v| *v += 1);
                }
                After::SendPosts { sender, at } => self.schedule_posts(sender, at),
                After::Restart { at } => self.schedule_restart(at),
                After::Remote { command, .. } => {
                    tracing::warn!(
                        ?command,
                        "a remote command outside a bot command was dropped"
                    );
                }
            }
        }
    }
}

pub(crate) fn done(reply: Reply) -> Result<Executed, Error> {
    Ok(Executed {
        reply,
        after: vec![],
    })
}

pub(crate) fn execute(
    tx: &mut Tx<'_>,
    bot: &Avatar,
    command: BotCommand,
) -> Result<Executed, Error> {
    match command {
        BotCommand::Status => done(Reply::Status(BotStatus {
            presence: bot.presence,
            name: bot.name.clone(),
            uuid: bot.uuid,
            location: bot.location.as_ref().map(|l| l.to_string()),
        })),
        BotCommand::Login { location } => login(tx, bot, location),
        BotCommand::Logout => logout(tx, bot),
        BotCommand::SetCallback(change) => set_callback(tx, bot, change),
        BotCommand::Im { to, message } => {
            message::check_im_text(&message)?;
            let to = resolve(tx, &to)?;
            send_direct(tx, bot, &to, Content::text(message), None)?;
            done(Reply::Done)
        }
        BotCommand::TypingStart { to, seconds } => {
            let to = resolve_key(tx, to)?;
            not_self(bot, &to, "type to")?;
            deliver(
                tx,
                &to,
                Event::TypingStarted {
                    from: bot.to_ref(),
                    seconds,
                },
            )?;
            done(Reply::Done)
        }
        BotCommand::TypingStop { to } => {
            let to = resolve_key(tx, to)?;
            not_self(bot, &to, "type to")?;
            deliver(tx, &to, Event::TypingStopped { from: bot.to_ref() })?;
            done(Reply::Done)
        }
        BotCommand::OfferFriendship { to, message } => offer_friendship(tx, bot, to, message),
        BotCommand::AnswerFriendship {
            from,
            session,
            accept,
        } => answer_friendship(tx, bot, from, session, accept),
        BotCommand::CancelFriendship { friend } => {
            let friend = resolve_key(tx, friend)?;
            if tx.delete_friendship(bot.id, friend.id)? {
                deliver(tx, &friend, Event::FriendshipEnded { by: bot.to_ref() })?;
                return done(Reply::Done);
            }
            match tx.offer_between(bot.id, friend.id)? {
                Some(offer) => {
                    tx.delete_offer(offer.id)?;
                    done(Reply::Done)
                }
                None => Err(Error::NotFriends),
            }
        }
        BotCommand::EditFriendship { friend, change } => edit_friendship(tx, bot, friend, change),
        BotCommand::Friends => {
            let friends = tx
                .friends(bot.id)?
                .into_iter()
                .map(|row| Friend {
                    online: row.presence.is_online() && row.their_rights.see_online,
                    avatar: row.avatar,
                    their_rights: row.their_rights,
                    my_rights: row.my_rights,
                })
                .collect();
            done(Reply::Friends(friends))
        }
        BotCommand::KeyToName { key } => {
            let avatar = resolve_key(tx, key)?;
            done(Reply::Name {
                key: avatar.uuid,
                name: avatar.name,
            })
        }
        BotCommand::NameToKey { name } => match tx.avatar_by_name(&name)? {
            Some(avatar) => done(Reply::Key {
                key: avatar.uuid,
                name: avatar.name,
            }),
            None => Err(Error::NameNotFound {
                normalized: name.capitalized().to_string(),
            }),
        },
        BotCommand::AvatarInfo { avatar } => {
            let target = resolve_key(tx, avatar)?;
            let mut profile = tx
                .profile(target.id)?
                .ok_or_else(|| Error::AvatarNotFound {
                    who: avatar.to_string(),
                })?;
            profile.online = target.presence.is_online() && may_see_online(tx, &target, bot)?;
            done(Reply::Profile(profile))
        }
        BotCommand::AvatarPicks { avatar, filter } => {
            let target = resolve_key(tx, avatar)?;
            let picks = tx.picks(target.id)?;
            let total = picks.len();
            let picks = picks
                .into_iter()
                .filter(|p| filter.keeps(&p.name, p.uuid))
                .collect();
            done(Reply::Picks { total, picks })
        }
        BotCommand::GetBalance => done(Reply::Balance(tx.balance(bot.id)?)),
        BotCommand::GiveMoney {
            to,
            amount,
            comment,
            tag,
        } => {
            let to = resolve_key(tx, to)?;
            crate::money::pay(
                tx,
                crate::money::Payment {
                    from: Some(bot),
                    to: &to,
                    amount,
                    kind: grid::money::TransferKind::Gift,
                    comment: &comment,
                    tag: tag.as_deref(),
                },
            )?;
            done(Reply::Done)
        }
        c if crate::inventory::handles(&c) => crate::inventory::execute(tx, bot, c),
        c if crate::places::handles(&c) => crate::places::execute(tx, bot, c),
        c if crate::parcels::handles(&c) => crate::parcels::execute(tx, bot, c),
        c if crate::objects::handles(&c) => crate::objects::execute(tx, bot, c),
        group_command => crate::groups::execute(tx, bot, group_command),
    }
}

/// Sends a direct message whose content the caller has checked: records it and puts it
/// in front of the recipient.
pub(crate) fn send_direct(
    tx: &mut Tx<'_>,
    from: &Avatar,
    to: &Avatar,
    content: Content,
    quote: Option<MessageId>,
) -> Result<MessageId, Error> {
    not_self(from, to, "send an IM to")?;
    let id = tx.insert_direct_message(from.id, to.id, &content, quote)?;
    deliver(
        tx,
        to,
        Event::InstantMessage {
            message: id,
            from: from.to_ref(),
            text: content.text,
            rich: content.rich,
            quote,
            file: content.file,
        },
    )?;
    Ok(id)
}

/// Puts an event in front of an avatar according to its offline policy.
pub(crate) fn deliver(tx: &mut Tx<'_>, to: &Avatar, event: Event) -> Result<(), Error> {
    let online = to.presence.is_online();
    match event.offline_policy() {
        OfflinePolicy::Deliver => {
            tx.emit(to.id, event)?;
        }
        OfflinePolicy::Queue | OfflinePolicy::Drop if online => {
            tx.emit(to.id, event)?;
        }
        OfflinePolicy::Queue => tx.hold(to.id, &event)?,
        OfflinePolicy::Drop => {}
    }
    Ok(())
}

pub(crate) fn resolve(tx: &mut Tx<'_>, who: &AvatarSelector) -> Result<Avatar, Error> {
    let found = match who {
        AvatarSelector::Key(uuid) => tx.avatar_by_uuid(*uuid)?,
        AvatarSelector::Name(name) => tx.avatar_by_name(name)?,
    };
    found.ok_or_else(|| Error::AvatarNotFound {
        who: who.to_string(),
    })
}

pub(crate) fn resolve_key(tx: &mut Tx<'_>, uuid: Uuid) -> Result<Avatar, Error> {
    resolve(tx, &AvatarSelector::Key(uuid))
}

fn not_self(bot: &Avatar, other: &Avatar, what: &'static str) -> Result<(), Error> {
    if bot.id == other.id {
        Err(Error::NotForSelf { what })
    } else {
        Ok(())
    }
}

/// Whether `viewer` may see that `target` is online: itself, or a friend `target`
/// lets see it.
fn may_see_online(tx: &mut Tx<'_>, target: &Avatar, viewer: &Avatar) -> Result<bool, Error> {
    if target.id == viewer.id {
        return Ok(true);
    }
    Ok(tx
        .rights(target.id, viewer.id)?
        .is_some_and(|r| r.see_online))
}

fn login(tx: &mut Tx<'_>, bot: &Avatar, start: Option<StartLocation>) -> Result<Executed, Error> {
    let location = match start {
        Some(StartLocation::At(place)) => {
            tx.set_location(bot.id, &place, true)?;
            Some(place)
        }
        Some(StartLocation::Home) | None => {
            if let Some(home) = &bot.home {
                tx.set_location(bot.id, home, false)?;
            }
            bot.home.clone()
        }
    };
    match bot.presence {
        // Already on the way in or in: login is always accepted, and changes nothing more.
        Presence::Online | Presence::Connecting => done(Reply::Done),
        Presence::LoggedOut | Presence::LoggingOut => {
            if bot.presence == Presence::LoggingOut {
                // Finish the logout first, so that every LOGGING_OUT a receiver sees is
                // followed by LOGGED_OUT before the next CONNECTING.
                presence::change(
                    tx,
                    bot.id,
                    bot.presence,
                    Presence::LoggedOut,
                    bot.location.as_ref(),
                )?;
            }
            let seq = presence::change(
                tx,
                bot.id,
                Presence::LoggedOut,
                Presence::Connecting,
                location.as_ref(),
            )?;
            Ok(Executed {
                reply: Reply::Done,
                after: vec![After::Presence {
                    bot: bot.id,
                    seq,
                    to: Presence::Online,
                }],
            })
        }
    }
}

fn logout(tx: &mut Tx<'_>, bot: &Avatar) -> Result<Executed, Error> {
    match bot.presence {
        Presence::LoggedOut | Presence::LoggingOut => done(Reply::Done),
        Presence::Online | Presence::Connecting => {
            let seq = presence::change(
                tx,
                bot.id,
                bot.presence,
                Presence::LoggingOut,
                bot.location.as_ref(),
            )?;
            Ok(Executed {
                reply: Reply::Done,
                after: vec![After::Presence {
                    bot: bot.id,
                    seq,
                    to: Presence::LoggedOut,
                }],
            })
        }
    }
}

fn set_callback(tx: &mut Tx<'_>, bot: &Avatar, change: CallbackChange) -> Result<Executed, Error> {
    let existing = tx.callbacks_of(bot.id)?;
    match change {
        CallbackChange::Clear => {
            for cb in &existing {
                tx.delete_callback(cb.id)?;
            }
        }
        CallbackChange::Add { url, events } => {
            let url = callback::check_url(&url)?;
            match existing.iter().find(|cb| cb.url == url) {
                Some(cb) => tx.set_callback_events(cb.id, &cb.events.union(&events))?,
                None => {
                    if existing.len() >= MAX_CALLBACKS_PER_BOT {
                        return Err(Error::TooManyCallbacks {
                            max: MAX_CALLBACKS_PER_BOT,
                        });
                    }
                    // Deliver what happens from now on, not the bot's history.
                    let cursor = tx.last_event_id(bot.id)?;
                    let secret = grid::secret::new_signing_secret();
                    tx.insert_callback(bot.id, &url, &events, cursor, &secret)?;
                    return Ok(Executed {
                        reply: Reply::CallbackAdded {
                            signing_secret: secret,
                        },
                        after: vec![After::CallbacksChanged],
                    });
                }
            }
        }
        CallbackChange::Remove { url, events, every } => {
            let url = callback::check_url(&url)?;
            if let Some(cb) = existing.iter().find(|cb| cb.url == url) {
                let every: Vec<&str> = every.iter().map(String::as_str).collect();
                match cb.events.minus(&events, &every) {
                    Some(left) => tx.set_callback_events(cb.id, &left)?,
                    None => tx.delete_callback(cb.id)?,
                }
            }
        }
    }
    Ok(Executed {
        reply: Reply::Done,
        after: vec![After::CallbacksChanged],
    })
}

fn offer_friendship(
    tx: &mut Tx<'_>,
    bot: &Avatar,
    to: Uuid,
    text: String,
) -> Result<Executed, Error> {
    message::check_len("message", &text, MAX_OFFER_MESSAGE_BYTES)?;
    let to = resolve_key(tx, to)?;
    not_self(bot, &to, "offer friendship to")?;
    if tx.rights(bot.id, to.id)?.is_some() {
        return Err(Error::AlreadyFriends);
    }
    if tx.offer_between(bot.id, to.id)?.is_some() {
        return Err(Error::OfferAlreadySent);
    }
    // Both want it: an offer meeting one from the other side is an acceptance.
    if let Some(theirs) = tx.offer_between(to.id, bot.id)? {
        tx.delete_offer(theirs.id)?;
        tx.insert_friendship(bot.id, to.id, Rights::NEW_FRIENDSHIP)?;
        deliver(tx, &to, Event::FriendshipAccepted { by: bot.to_ref() })?;
        deliver(tx, bot, Event::FriendshipFormed { with: to.to_ref() })?;
        return done(Reply::Done);
    }
    let offer = tx.insert_offer(bot.id, to.id, &text)?;
    deliver(
        tx,
        &to,
        Event::FriendshipOffered {
            from: bot.to_ref(),
            session: offer.session,
            message: text,
            offer: Some(offer.id),
        },
    )?;
    done(Reply::Done)
}

fn answer_friendship(
    tx: &mut Tx<'_>,
    bot: &Avatar,
    from: Uuid,
    session: Uuid,
    accept: bool,
) -> Result<Executed, Error> {
    let offerer = resolve_key(tx, from)?;
    let offer = tx
        .offer_by_session(session)?
        .filter(|o| o.to == bot.id && o.from == offerer.id)
        .ok_or(Error::OfferNotFound)?;
    tx.delete_offer(offer.id)?;
    if accept {
        if tx.rights(bot.id, offerer.id)?.is_none() {
            tx.insert_friendship(bot.id, offerer.id, Rights::NEW_FRIENDSHIP)?;
        }
        deliver(tx, &offerer, Event::FriendshipAccepted { by: bot.to_ref() })?;
        deliver(
            tx,
            bot,
            Event::FriendshipFormed {
                with: offerer.to_ref(),
            },
        )?;
    } else {
        deliver(tx, &offerer, Event::FriendshipDeclined { by: bot.to_ref() })?;
    }
    done(Reply::Done)
}

fn edit_friendship(
    tx: &mut Tx<'_>,
    bot: &Avatar,
    friend: Uuid,
    change: RightsChange,
) -> Result<Executed, Error> {
    if change.is_empty() {
        return Err(Error::NoRightGiven);
    }
    let friend = resolve_key(tx, friend)?;
    let rights = tx.rights(bot.id, friend.id)?.ok_or(Error::NotFriends)?;
    tx.set_rights(bot.id, friend.id, change.apply(rights))?;
    done(Reply::Done)
}
