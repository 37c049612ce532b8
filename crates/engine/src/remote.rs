//! Bots that live in a remote grid (OpenSimulator, Second Life).
//!
//! The SmartBots and SimpleX faces do not change: a remote bot logs in with `login`,
//! and its presence moves CONNECTING → ONLINE only once the remote region has taken it
//! in. While it is in, the commands the remote grid can carry out go to its protocol
//! session instead of the embedded world ([`route`]); what the grid sends becomes the
//! same events as in the embedded grid (an IM is a direct message from the remote
//! avatar, mirrored as an avatar here so that events can name it). When the region
//! drops the bot, it goes back to CONNECTING and logs in again, with growing pauses,
//! until it is in or is logged out.

use crate::Engine;
use crate::bot::{Executed, done};
use crate::presence;
use grid::AvatarRef;
use grid::command::{AvatarSelector, BotCommand, Reply};
use grid::group::{Group, GroupId, GroupRef, PostId, Powers};
use grid::remote::RemoteAccount;
use grid::{Avatar, AvatarId, AvatarKind, Error, Event, LegacyName, Presence, Uuid};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use store::NewAvatar;
use tokio::sync::{mpsc, oneshot};
use viewerproto::group_messages::{GroupMessage, Membership};
use viewerproto::messages::{InstantMessage, Message, chat_source, chat_type, dialog};
use viewerproto::session::{Account, Session, SessionEvent, Timing};
use viewerproto::world_messages::{MapBlock, TRANSACTION_GIFT, WorldMessage};

/// Pauses between attempts to log a dropped bot in again: 1 s, doubling, at most this.
const MAX_RECONNECT_PAUSE: Duration = Duration::from_secs(60);
/// Events a session may have waiting for the engine.
const SESSION_EVENTS: usize = 256;

/// What a remote command does once its (empty) transaction committed.
#[derive(Debug)]
pub(crate) enum RemoteAction {
    Im {
        to: AvatarSelector,
        message: String,
    },
    Say {
        channel: i32,
        message: String,
    },
    KeyToName {
        key: Uuid,
    },
    NameToKey {
        name: LegacyName,
    },
    Typing {
        to: Uuid,
        start: bool,
    },
    Balance,
    Pay {
        to: Uuid,
        amount: i64,
        comment: String,
    },
    Groups,
    Invite {
        group: Uuid,
        avatar: Uuid,
        role: Uuid,
    },
    Eject {
        group: Uuid,
        avatar: Uuid,
    },
    GroupSay {
        group: Uuid,
        message: String,
    },
    AnswerInvite {
        session: Uuid,
        accept: bool,
    },
    Dialog {
        object: Uuid,
        channel: i32,
        button: String,
    },
    Sit {
        object: Uuid,
    },
    Stand,
    OfferFriendship {
        to: Uuid,
        message: String,
    },
    AnswerFriendship {
        session: Uuid,
        accept: bool,
    },
    Notice {
        group: Uuid,
        subject: String,
        text: String,
    },
    /// To a place, or home (`None`).
    Teleport {
        to: Option<grid::Location>,
    },
    Roles {
        group: Uuid,
    },
    Join {
        group: Uuid,
    },
    Leave {
        group: Uuid,
    },
    Activate {
        group: Option<Uuid>,
    },
    Inventory {
        folder: Option<Uuid>,
        filter: grid::filter::NameFilter,
    },
    Touch {
        object: Uuid,
    },
    AnswerLure {
        from: Uuid,
        lure: Uuid,
        accept: bool,
    },
    OfferLure {
        to: Uuid,
        message: String,
    },
    RoleChange {
        group: Uuid,
        role: Uuid,
        member: Uuid,
        add: bool,
    },
}

/// How a teleport ended: the region and position arrived at, or the grid's reason.
type Arrival = Result<(String, [f32; 3]), String>;

/// A roles request: replies may come in several parts.
struct RolesWaiter {
    roles: Vec<viewerproto::group_messages::Role>,
    done: Option<oneshot::Sender<Vec<viewerproto::group_messages::Role>>>,
}

/// A payment to or by a remote bot, as its grid reported it.
struct Paid {
    transaction: Uuid,
    /// The other avatar: the payer of an incoming payment, the payee of an outgoing one.
    source: Uuid,
    amount: i64,
    balance: i64,
    comment: String,
}

/// A money request waiting for the region's `MoneyBalanceReply`.
struct MoneyWaiter {
    /// A balance request's transaction, or a payment's (destination, amount).
    wants: Result<Uuid, (Uuid, i32)>,
    reply: oneshot::Sender<(bool, i32, String)>,
}

/// Requests of a session waiting for the region's answer, and what the session has
/// been told that later commands need.
#[derive(Default)]
struct Waiters {
    /// `UUIDNameRequest`s, by key.
    names: Mutex<Vec<(Uuid, oneshot::Sender<viewerproto::messages::Name>)>>,
    /// `AvatarPickerRequest`s, by query id.
    pickers: Mutex<HashMap<Uuid, oneshot::Sender<Vec<viewerproto::messages::Name>>>>,
    money: Mutex<Vec<MoneyWaiter>>,
    /// `AgentDataUpdateRequest`s (answered with the agent's groups).
    groups: Mutex<Vec<oneshot::Sender<Vec<Membership>>>>,
    /// `EjectGroupMemberRequest`s, by group.
    ejects: Mutex<Vec<(Uuid, oneshot::Sender<bool>)>>,
    /// Group invitations received and not answered: session → group.
    invitations: Mutex<HashMap<Uuid, Uuid>>,
    /// The buttons of the last dialog each object showed (a reply names its index).
    dialogs: Mutex<HashMap<Uuid, Vec<String>>>,
    /// Names of the bot's groups, from the grid's latest list (notices do not carry it).
    group_names: Mutex<HashMap<Uuid, String>>,
    /// `GroupRoleDataRequest`s, by request id: the roles gathered so far, the count
    /// the grid said it has, and who waits.
    roles: Mutex<HashMap<Uuid, RolesWaiter>>,
    /// `JoinGroupRequest`s and `LeaveGroupRequest`s, by group (true: join).
    memberships: Mutex<Vec<(Uuid, bool, oneshot::Sender<bool>)>>,
    /// Objects the region showed the bot: key → id in the region (what a touch names).
    objects: Mutex<HashMap<Uuid, u32>>,
    /// `MapNameRequest`s waiting for `MapBlockReply`.
    maps: Mutex<Vec<oneshot::Sender<Vec<MapBlock>>>>,
    /// The teleport under way: its region's name when it ends, or the grid's reason.
    teleport: Mutex<Option<oneshot::Sender<Arrival>>>,
    /// The region the bot is in: name and handle.
    region: Mutex<(String, u64)>,
    /// `AgentRequestSit`s waiting for `AvatarSitResponse`, by object.
    sits: Mutex<Vec<(Uuid, oneshot::Sender<()>)>>,
}

/// A logged-in remote bot.
struct Live {
    session: Arc<Session>,
    /// Which login this is: a session that ends after a newer one started is ignored.
    generation: u64,
    waiters: Arc<Waiters>,
}

/// The remote sessions of this process.
#[derive(Default)]
pub(crate) struct RemoteBots {
    live: Mutex<HashMap<AvatarId, Live>>,
    /// Bots known to live in remote grids (see `is_remote`).
    known: Mutex<std::collections::HashSet<AvatarId>>,
    next_generation: Mutex<u64>,
    client: reqwest::Client,
    /// Shorter clocks for tests (`None`: the protocol's defaults).
    timing: Option<Timing>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl RemoteBots {
    pub(crate) fn new(timing: Option<Timing>) -> Self {
        RemoteBots {
            timing,
            ..Default::default()
        }
    }

    /// Whether the bot is in a remote grid right now.
    pub(crate) fn is_live(&self, bot: AvatarId) -> bool {
        lock(&self.live).contains_key(&bot)
    }

    /// Whether the bot lives in a remote grid, as this process last read (at start and
    /// at each of its logins).
    pub(crate) fn is_remote(&self, bot: AvatarId) -> bool {
        lock(&self.known).contains(&bot)
    }

    fn note(&self, bot: AvatarId, remote: bool) {
        let mut known = lock(&self.known);
        if remote {
            known.insert(bot);
        } else {
            known.remove(&bot);
        }
    }
}

/// A remote bot's command inside its transaction: `None` for what stays with botgrid
/// (presence, callbacks, status), the action for what goes to the remote grid, and a
/// clear failure for what a remote grid cannot do (yet).
pub(crate) fn route(bot: AvatarId, command: &BotCommand) -> Option<Result<Executed, Error>> {
    let action = match command {
        BotCommand::Status
        | BotCommand::Login { .. }
        | BotCommand::Logout
        | BotCommand::SetCallback(_) => return None,
        BotCommand::Im { to, message } => {
            if let Err(e) = grid::message::check_im_text(message) {
                return Some(Err(e));
            }
            RemoteAction::Im {
                to: to.clone(),
                message: message.clone(),
            }
        }
        BotCommand::SayChat { channel, message } => RemoteAction::Say {
            channel: *channel,
            message: message.clone(),
        },
        BotCommand::KeyToName { key } => RemoteAction::KeyToName { key: *key },
        BotCommand::NameToKey { name } => RemoteAction::NameToKey { name: name.clone() },
        BotCommand::TypingStart { to, .. } => RemoteAction::Typing {
            to: *to,
            start: true,
        },
        BotCommand::TypingStop { to } => RemoteAction::Typing {
            to: *to,
            start: false,
        },
        BotCommand::GetBalance => RemoteAction::Balance,
        BotCommand::MyGroups => RemoteAction::Groups,
        BotCommand::TouchPrim { object } => RemoteAction::Touch { object: *object },
        BotCommand::SetRole {
            group,
            role,
            member,
        } => RemoteAction::RoleChange {
            group: *group,
            role: *role,
            member: *member,
            add: true,
        },
        BotCommand::RevokeRole {
            group,
            role,
            member,
        } => RemoteAction::RoleChange {
            group: *group,
            role: *role,
            member: *member,
            add: false,
        },
        BotCommand::OfferTeleport { to, message } => RemoteAction::OfferLure {
            to: *to,
            message: message.clone(),
        },
        BotCommand::TeleportOfferAnswer {
            from,
            session,
            accept,
        } => RemoteAction::AnswerLure {
            from: *from,
            lure: *session,
            accept: *accept,
        },
        BotCommand::InventoryList { folder, filter } => RemoteAction::Inventory {
            folder: *folder,
            filter: filter.clone(),
        },
        BotCommand::GroupRoles { group } => RemoteAction::Roles { group: *group },
        BotCommand::GroupJoin { group } => RemoteAction::Join { group: *group },
        BotCommand::GroupLeave { group } => RemoteAction::Leave { group: *group },
        BotCommand::ActivateGroup { group } => RemoteAction::Activate { group: *group },
        BotCommand::Sit { object: Some(o) } => RemoteAction::Sit { object: *o },
        BotCommand::Sit { object: None } => RemoteAction::Stand,
        BotCommand::Teleport { to, .. } => RemoteAction::Teleport {
            to: match to {
                grid::StartLocation::At(to) => Some(to.clone()),
                grid::StartLocation::Home => None,
            },
        },
        BotCommand::OfferFriendship { to, message } => RemoteAction::OfferFriendship {
            to: *to,
            message: message.clone(),
        },
        BotCommand::AnswerFriendship {
            session, accept, ..
        } => RemoteAction::AnswerFriendship {
            session: *session,
            accept: *accept,
        },
        BotCommand::SendNotice {
            group,
            subject,
            text,
            attachment,
            ..
        } => {
            if attachment.is_some() {
                return Some(Err(Error::invalid(
                    "attachment",
                    "not available for a bot in a remote grid",
                )));
            }
            RemoteAction::Notice {
                group: *group,
                subject: subject.clone(),
                text: text.clone(),
            }
        }
        BotCommand::ReplyDialog {
            channel,
            object,
            button,
        } => RemoteAction::Dialog {
            object: *object,
            channel: *channel,
            button: button.clone(),
        },
        BotCommand::GroupInvite {
            avatar,
            group,
            role,
            ..
        } => RemoteAction::Invite {
            group: *group,
            avatar: *avatar,
            role: *role,
        },
        BotCommand::GroupEject { avatar, group, .. } => RemoteAction::Eject {
            group: *group,
            avatar: *avatar,
        },
        BotCommand::SendGroupMessage { group, message } => {
            if let Err(e) = grid::message::check_im_text(message) {
                return Some(Err(e));
            }
            RemoteAction::GroupSay {
                group: *group,
                message: message.clone(),
            }
        }
        BotCommand::AnswerGroupInvite {
            session, accept, ..
        } => RemoteAction::AnswerInvite {
            session: *session,
            accept: *accept,
        },
        BotCommand::GiveMoney {
            to,
            amount,
            comment,
            tag,
        } => {
            if tag.is_some() {
                // A repeat-safe payment needs a ledger the remote grid does not offer.
                return Some(Err(Error::invalid(
                    "custom",
                    "not available for a bot in a remote grid",
                )));
            }
            RemoteAction::Pay {
                to: *to,
                amount: *amount,
                comment: comment.clone(),
            }
        }
        other => {
            // The variant's name: what the command is, in the core's words.
            let what = format!("{other:?}");
            let what = what
                .split(|c: char| !c.is_alphanumeric())
                .next()
                .unwrap_or_default()
                .to_owned();
            return Some(Err(Error::NotInRemoteGrid { what }));
        }
    };
    Some(done(Reply::Done).map(|mut e| {
        e.after.push(crate::bot::After::Remote { bot, action });
        e
    }))
}

impl Engine {
    /// Makes a bot live in a remote grid: from its next `login` it logs in at
    /// `login_uri` with its own name and this password (kept only as the `$1$` MD5
    /// hash the protocol sends).
    pub async fn set_remote_account(
        &self,
        bot: &LegacyName,
        login_uri: &str,
        password: &str,
        start: &str,
    ) -> Result<(), Error> {
        RemoteAccount::check(login_uri, start)?;
        if password.is_empty() {
            return Err(Error::invalid("password", "must not be empty"));
        }
        let account = RemoteAccount {
            login_uri: login_uri.to_owned(),
            passwd: viewerproto::login::password_hash(password),
            start: start.to_owned(),
        };
        let bot = bot.clone();
        self.store()
            .write(move |tx| {
                let bot = crate::admin::bot_named(tx, &bot)?;
                tx.set_remote_account(bot.id, &account)?;
                Ok(())
            })
            .await
    }

    /// Makes a bot live in the embedded grid again; false when it did already.
    pub async fn clear_remote_account(&self, bot: &LegacyName) -> Result<bool, Error> {
        let bot = bot.clone();
        self.store()
            .write(move |tx| {
                let bot = crate::admin::bot_named(tx, &bot)?;
                Ok(tx.remove_remote_account(bot.id)?)
            })
            .await
    }

    /// Logs every remote session out, leaving the bots' presence as it is (the next
    /// start logs the ONLINE ones in again). For a server that is stopping.
    pub async fn close_remote_sessions(&self) {
        let live: Vec<Live> = lock(&self.inner.remote.live)
            .drain()
            .map(|(_, l)| l)
            .collect();
        for l in live {
            l.session.logout().await;
        }
    }

    /// After a restart: remote bots that were ONLINE have no session any more; they go
    /// back to CONNECTING and log in again (those that were CONNECTING are resumed by
    /// the presence recovery).
    pub(crate) async fn recover_remote(&self) -> Result<(), Error> {
        let engine = self.clone();
        let reconnect = self
            .store()
            .write(move |tx| {
                let mut out = Vec::new();
                let bots = tx.remote_bots()?;
                for bot in &bots {
                    engine.inner.remote.note(*bot, true);
                }
                for bot in bots {
                    let Some(avatar) = tx.avatar(bot)? else {
                        continue;
                    };
                    if avatar.presence == Presence::Online {
                        let seq = presence::change(
                            tx,
                            bot,
                            Presence::Online,
                            Presence::Connecting,
                            avatar.location.as_ref(),
                        )?;
                        out.push((bot, seq));
                    }
                }
                Ok(out)
            })
            .await?;
        for (bot, seq) in reconnect {
            tracing::info!(bot = %bot, "logging a remote bot in again after a restart");
            self.schedule_presence(bot, seq, Presence::Online);
        }
        Ok(())
    }

    /// The remote login details of a bot, with its name; `None` for an embedded bot.
    async fn remote_account(
        &self,
        bot: AvatarId,
    ) -> Result<Option<(LegacyName, RemoteAccount)>, Error> {
        self.store()
            .read(move |tx| {
                let Some(account) = tx.remote_account(bot)? else {
                    return Ok(None);
                };
                let avatar = tx.avatar(bot)?.ok_or(Error::BotNotFound)?;
                Ok(Some((avatar.name, account)))
            })
            .await
    }

    /// Carries out a presence transition of a remote bot: logs it in (ONLINE once the
    /// region has it) or out. False when the bot is not remote.
    pub(crate) async fn remote_transition(&self, bot: AvatarId, seq: i64, to: Presence) -> bool {
        // A store that fails here is tried again: taking a remote bot for an embedded
        // one would make it ONLINE without its grid.
        let mut wait = Duration::from_millis(200);
        let account = loop {
            match self.remote_account(bot).await {
                Ok(Some(a)) => {
                    self.inner.remote.note(bot, true);
                    break a;
                }
                Ok(None) => {
                    self.inner.remote.note(bot, false);
                    return false;
                }
                Err(e) => {
                    tracing::warn!(bot = %bot, error = %e, "cannot read the bot's remote account; retrying");
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_secs(10));
                }
            }
        };
        match to {
            Presence::Online => {
                let engine = self.clone();
                tokio::spawn(async move { engine.remote_login(bot, seq, account).await });
            }
            _ => {
                let session = lock(&self.inner.remote.live)
                    .remove(&bot)
                    .map(|l| l.session);
                if let Some(s) = session {
                    s.logout().await;
                }
                self.finish_transition_retrying(bot, seq, to).await;
            }
        }
        true
    }

    /// Logs in until it works, the bot is logged out meanwhile, or the grid refuses
    /// (a wrong password does not get better by trying again).
    ///
    /// Boxed: a dropped session logs in again from its own task, a cycle whose future
    /// type the compiler cannot otherwise see to be `Send`.
    fn remote_login(
        &self,
        bot: AvatarId,
        seq: i64,
        (name, account): (LegacyName, RemoteAccount),
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>> {
        Box::pin(async move { self.remote_login_loop(bot, seq, name, account).await })
    }

    async fn remote_login_loop(
        &self,
        bot: AvatarId,
        seq: i64,
        name: LegacyName,
        account: RemoteAccount,
    ) {
        let mut pause = Duration::from_secs(1);
        loop {
            if !self.still_connecting(bot, seq).await {
                return;
            }
            match self.open_session(bot, &name, &account).await {
                Ok(()) => {
                    if !self.still_connecting(bot, seq).await {
                        // Logged out while the grid was letting it in: leave again.
                        let session = lock(&self.inner.remote.live)
                            .remove(&bot)
                            .map(|l| l.session);
                        if let Some(s) = session {
                            s.logout().await;
                        }
                        return;
                    }
                    self.finish_transition_retrying(bot, seq, Presence::Online)
                        .await;
                    self.announce_remote_balance(bot).await;
                    return;
                }
                Err(viewerproto::Error::Refused { reason, message }) if reason != "presence" => {
                    tracing::warn!(bot = %bot, %reason, %message, "the remote grid refused the login");
                    self.finish_transition_retrying(bot, seq, Presence::LoggedOut)
                        .await;
                    return;
                }
                Err(e) => {
                    tracing::warn!(bot = %bot, error = %e, retry_in_s = pause.as_secs(), "remote login failed; retrying");
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(MAX_RECONNECT_PAUSE);
                }
            }
        }
    }

    /// Whether the bot is still in the CONNECTING transition `seq`.
    async fn still_connecting(&self, bot: AvatarId, seq: i64) -> bool {
        matches!(
            self.store().read(move |tx| Ok(tx.presence(bot)?)).await,
            Ok(Some((Presence::Connecting, current))) if current == seq
        )
    }

    async fn open_session(
        &self,
        bot: AvatarId,
        name: &LegacyName,
        account: &RemoteAccount,
    ) -> Result<(), viewerproto::Error> {
        let remote = &self.inner.remote;
        let (events, rx) = mpsc::channel(SESSION_EVENTS);
        let acc = Account {
            login_uri: account.login_uri.clone(),
            first: name.first().to_owned(),
            last: name.last().to_owned(),
            passwd: account.passwd.clone(),
            start: account.start.clone(),
        };
        let session = Arc::new(
            Session::start_with(
                &remote.client,
                &acc,
                events,
                remote.timing.unwrap_or_default(),
            )
            .await?,
        );
        let generation = {
            let mut g = lock(&remote.next_generation);
            *g += 1;
            *g
        };
        let waiters = Arc::new(Waiters::default());
        *lock(&waiters.region) = (session.region.clone(), session.region_handle);
        let old = lock(&remote.live).insert(
            bot,
            Live {
                session: session.clone(),
                generation,
                waiters: waiters.clone(),
            },
        );
        if let Some(old) = old {
            old.session.logout().await;
        }
        tracing::info!(bot = %bot, agent = %session.agent, region = %session.region, "bot is in the remote grid");
        // The bot's key is its key in the remote grid, as its callbacks and `status`
        // should say.
        let key = session.agent;
        match self
            .store()
            .write(move |tx| Ok(tx.set_remote_key(bot, key)?))
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(bot = %bot, %key, "the bot's remote key belongs to another avatar here; keeping botgrid's")
            }
            Err(e) => tracing::warn!(bot = %bot, error = %e, "cannot record the bot's remote key"),
        }
        let engine = self.clone();
        tokio::spawn(async move { engine.pump(bot, generation, session, rx, waiters).await });
        Ok(())
    }

    /// Turns what a session reports into events, until it ends; then logs the bot in
    /// again if it should still be in.
    async fn pump(
        &self,
        bot: AvatarId,
        generation: u64,
        session: Arc<Session>,
        mut rx: mpsc::Receiver<SessionEvent>,
        waiters: Arc<Waiters>,
    ) {
        let me = session.agent;
        drop(session);
        while let Some(event) = rx.recv().await {
            match event {
                SessionEvent::InstantMessage(im) => {
                    if let Err(e) = self.remote_im(bot, me, im, &waiters).await {
                        tracing::warn!(bot = %bot, error = %e, "cannot record an IM from the remote grid");
                    }
                }
                SessionEvent::Chat(chat) => {
                    let heard = matches!(
                        chat.chat_type,
                        chat_type::WHISPER
                            | chat_type::NORMAL
                            | chat_type::SHOUT
                            | chat_type::OWNER_SAY
                    ) && chat.source != me
                        && matches!(chat.source_type, chat_source::AGENT | chat_source::OBJECT)
                        && !chat.message.is_empty();
                    if heard && let Err(e) = self.remote_chat(bot, chat).await {
                        tracing::warn!(bot = %bot, error = %e, "cannot record chat from the remote grid");
                    }
                }
                SessionEvent::Names(found) => {
                    let mut waiting = lock(&waiters.names);
                    for name in found {
                        let mut i = 0;
                        while i < waiting.len() {
                            if waiting[i].0 == name.id {
                                let (_, tx) = waiting.swap_remove(i);
                                let _ = tx.send(name.clone());
                            } else {
                                i += 1;
                            }
                        }
                    }
                }
                SessionEvent::AvatarPicker { query, found } => {
                    if let Some(tx) = lock(&waiters.pickers).remove(&query) {
                        let _ = tx.send(found);
                    }
                }
                SessionEvent::World(
                    viewerproto::world_messages::WorldMessage::MoneyBalanceReply {
                        transaction,
                        success,
                        balance,
                        description,
                        source,
                        dest,
                        amount,
                        item_description,
                        ..
                    },
                ) => {
                    let waiter = {
                        let mut waiting = lock(&waiters.money);
                        waiting
                            .iter()
                            .position(|w| match w.wants {
                                Ok(t) => t == transaction,
                                Err((to, n)) => source == me && dest == to && amount == n,
                            })
                            .map(|i| waiting.swap_remove(i))
                    };
                    match waiter {
                        Some(w) => {
                            let _ = w.reply.send((success, balance, description));
                        }
                        None if success && dest == me && source != me && amount > 0 => {
                            // Someone paid the bot.
                            let engine = self.clone();
                            let paid = Paid {
                                transaction,
                                source,
                                amount: amount.into(),
                                balance: balance.into(),
                                comment: item_description,
                            };
                            tokio::spawn(async move {
                                if let Err(e) = engine.remote_paid(bot, paid, true).await {
                                    tracing::warn!(bot = %bot, error = %e, "cannot record a payment from the remote grid");
                                }
                            });
                        }
                        None => {}
                    }
                }
                SessionEvent::Group(GroupMessage::AgentGroupDataUpdate { groups, .. }) => {
                    lock(&waiters.group_names)
                        .extend(groups.iter().map(|g| (g.group, g.name.clone())));
                    for w in lock(&waiters.groups).drain(..) {
                        let _ = w.send(groups.clone());
                    }
                }
                SessionEvent::Group(GroupMessage::GroupRoleDataReply {
                    request,
                    role_count,
                    roles,
                    ..
                }) => {
                    let mut waiting = lock(&waiters.roles);
                    if let Some(w) = waiting.get_mut(&request) {
                        w.roles.extend(roles);
                        if w.roles.len() >= usize::try_from(role_count).unwrap_or(0)
                            && let Some(done) = w.done.take()
                        {
                            let _ = done.send(std::mem::take(&mut w.roles));
                        }
                    }
                }
                SessionEvent::Group(
                    GroupMessage::JoinGroupReply { group, success, .. }
                    | GroupMessage::LeaveGroupReply { group, success, .. },
                ) => {
                    let mut waiting = lock(&waiters.memberships);
                    if let Some(i) = waiting.iter().position(|(g, _, _)| *g == group) {
                        let (_, _, tx) = waiting.swap_remove(i);
                        let _ = tx.send(success);
                    }
                }
                SessionEvent::Group(GroupMessage::EjectGroupMemberReply {
                    group, success, ..
                }) => {
                    let mut waiting = lock(&waiters.ejects);
                    if let Some(i) = waiting.iter().position(|(g, _)| *g == group) {
                        let (_, tx) = waiting.swap_remove(i);
                        let _ = tx.send(success);
                    }
                }
                SessionEvent::World(WorldMessage::ScriptDialog(d)) => {
                    lock(&waiters.dialogs).insert(d.object, d.buttons.clone());
                    if let Err(e) = self.remote_dialog(bot, d).await {
                        tracing::warn!(bot = %bot, error = %e, "cannot record a dialog from the remote grid");
                    }
                }
                SessionEvent::World(WorldMessage::AvatarSitResponse { object, .. }) => {
                    let mut waiting = lock(&waiters.sits);
                    if let Some(i) = waiting.iter().position(|(o, _)| *o == object) {
                        let (_, tx) = waiting.swap_remove(i);
                        let _ = tx.send(());
                    }
                }
                SessionEvent::Teleported {
                    region,
                    handle,
                    position,
                } => {
                    *lock(&waiters.region) = (region.clone(), handle);
                    // Region ids belong to the region left behind.
                    lock(&waiters.objects).clear();
                    if let Some(tx) = lock(&waiters.teleport).take() {
                        let _ = tx.send(Ok((region, position)));
                    }
                }
                SessionEvent::World(WorldMessage::TeleportLocal { position, .. }) => {
                    let here = lock(&waiters.region).0.clone();
                    if let Some(tx) = lock(&waiters.teleport).take() {
                        let _ = tx.send(Ok((here, position)));
                    }
                }
                SessionEvent::World(WorldMessage::TeleportFailed { reason, .. }) => {
                    if let Some(tx) = lock(&waiters.teleport).take() {
                        let _ = tx.send(Err(reason));
                    }
                }
                SessionEvent::World(
                    WorldMessage::ObjectUpdate { objects, .. }
                    | WorldMessage::ObjectUpdateCompressed { objects, .. },
                ) => {
                    lock(&waiters.objects).extend(objects.iter().map(|o| (o.id, o.local_id)));
                }
                SessionEvent::World(WorldMessage::MapBlockReply { blocks, .. }) => {
                    for tx in lock(&waiters.maps).drain(..) {
                        let _ = tx.send(blocks.clone());
                    }
                }
                SessionEvent::World(_) | SessionEvent::Group(_) => {}
                SessionEvent::Disconnected { reason } => {
                    self.dropped(bot, generation, &reason).await;
                    return;
                }
            }
        }
    }

    /// The session of login `generation` ended. Unless the bot was logged out (or a
    /// newer login replaced it), it goes back to CONNECTING and logs in again.
    async fn dropped(&self, bot: AvatarId, generation: u64, reason: &str) {
        {
            let mut live = lock(&self.inner.remote.live);
            match live.get(&bot) {
                Some(l) if l.generation == generation => {
                    live.remove(&bot);
                }
                _ => return,
            }
        }
        tracing::warn!(bot = %bot, %reason, "the remote grid dropped the bot; logging in again");
        let seq = self
            .store()
            .write(move |tx| {
                let Some(avatar) = tx.avatar(bot)? else {
                    return Ok(None);
                };
                if avatar.presence != Presence::Online {
                    return Ok(None);
                }
                presence::change(
                    tx,
                    bot,
                    Presence::Online,
                    Presence::Connecting,
                    avatar.location.as_ref(),
                )
                .map(Some)
            })
            .await;
        match seq {
            Ok(Some(seq)) => {
                if let Ok(Some(account)) = self.remote_account(bot).await {
                    self.remote_login(bot, seq, account).await;
                }
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(bot = %bot, error = %e, "cannot mark the dropped bot CONNECTING")
            }
        }
    }

    /// A remote avatar as an avatar here: found by key, or made (a person) with its
    /// remote name (a name already taken here gets the key's first digits appended).
    fn mirror(tx: &mut store::Tx<'_>, key: Uuid, full_name: &str) -> Result<Avatar, Error> {
        if let Some(a) = tx.avatar_by_uuid(key)? {
            return Ok(a);
        }
        let mut name = LegacyName::parse(full_name.trim()).unwrap_or_else(|_| {
            LegacyName::from_parts("Remote", key.simple().to_string()[..8].to_owned())
        });
        if tx.avatar_by_name(&name)?.is_some() {
            let suffix = &key.simple().to_string()[..4];
            name = LegacyName::from_parts(name.first(), format!("{}{suffix}", name.last()));
        }
        Ok(tx.insert_avatar(&NewAvatar {
            uuid: key,
            display_name: name.to_string(),
            name,
            kind: AvatarKind::Person,
            about: String::new(),
            home: None,
        })?)
    }

    async fn remote_im(
        &self,
        bot: AvatarId,
        me: Uuid,
        im: InstantMessage,
        waiters: &Waiters,
    ) -> Result<(), Error> {
        if im.agent == me {
            return Ok(());
        }
        match im.dialog {
            dialog::GROUP_INVITATION => {
                // From the group (its key and name); the fee is the bucket's first four
                // bytes, big-endian. Grids do not say who invited.
                lock(&waiters.invitations).insert(im.id, im.agent);
                let fee = im
                    .binary_bucket
                    .get(..4)
                    .map(|b| i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
                    .unwrap_or(0);
                let event = Event::GroupInvitation {
                    session: im.id,
                    group: GroupRef {
                        id: GroupId(0),
                        uuid: im.agent,
                        name: im.from_name.clone(),
                    },
                    // The sender as the grid gives it: the group itself, so that a
                    // script passing `avatar_uuid` back to `group_offer_accept` works.
                    from: AvatarRef {
                        id: AvatarId(0),
                        uuid: im.agent,
                        name: im.from_name.clone(),
                    },
                    role: String::new(),
                    fee: fee.into(),
                    message: im.message,
                };
                return self
                    .store()
                    .write(move |tx| {
                        let to = tx.avatar(bot)?.ok_or(Error::BotNotFound)?;
                        crate::bot::deliver(tx, &to, event)?;
                        Ok(())
                    })
                    .await;
            }
            dialog::LURE_USER => {
                return self
                    .store()
                    .write(move |tx| {
                        let to = tx.avatar(bot)?.ok_or(Error::BotNotFound)?;
                        let from = Self::mirror(tx, im.agent, &im.from_name)?.to_ref();
                        crate::bot::deliver(
                            tx,
                            &to,
                            Event::TeleportOffered {
                                session: im.id,
                                from,
                                message: im.message,
                                // Grids do not say where in the offer itself.
                                location: String::new(),
                            },
                        )?;
                        Ok(())
                    })
                    .await;
            }
            dialog::FRIENDSHIP_OFFERED
            | dialog::FRIENDSHIP_ACCEPTED
            | dialog::FRIENDSHIP_DECLINED => {
                return self
                    .store()
                    .write(move |tx| {
                        let to = tx.avatar(bot)?.ok_or(Error::BotNotFound)?;
                        let other = Self::mirror(tx, im.agent, &im.from_name)?.to_ref();
                        let event = match im.dialog {
                            dialog::FRIENDSHIP_OFFERED => Event::FriendshipOffered {
                                from: other,
                                session: im.id,
                                message: im.message,
                                offer: None,
                            },
                            dialog::FRIENDSHIP_ACCEPTED => Event::FriendshipAccepted { by: other },
                            _ => Event::FriendshipDeclined { by: other },
                        };
                        crate::bot::deliver(tx, &to, event)?;
                        Ok(())
                    })
                    .await;
            }
            dialog::GROUP_NOTICE => {
                // `subject|text`; the bucket: attachment flag, asset type, the group.
                let group = im
                    .binary_bucket
                    .get(2..18)
                    .and_then(|b| Uuid::from_slice(b).ok())
                    .unwrap_or(im.id);
                let name = lock(&waiters.group_names)
                    .get(&group)
                    .cloned()
                    .unwrap_or_default();
                let (subject, text) = match im.message.split_once('|') {
                    Some((s, t)) => (s.to_owned(), t.to_owned()),
                    None => (String::new(), im.message.clone()),
                };
                return self
                    .store()
                    .write(move |tx| {
                        let from = Self::mirror(tx, im.agent, &im.from_name)?.to_ref();
                        tx.emit(
                            bot,
                            Event::GroupNotice {
                                post: PostId(0),
                                group: GroupRef {
                                    id: GroupId(0),
                                    uuid: group,
                                    name,
                                },
                                from,
                                subject,
                                text,
                                attachment: None,
                            },
                        )?;
                        Ok(())
                    })
                    .await;
            }
            dialog::SESSION_SEND => {
                // Group chat: the session is the group; the bucket names it.
                let name = String::from_utf8_lossy(&im.binary_bucket)
                    .trim_end_matches('\0')
                    .to_owned();
                return self
                    .store()
                    .write(move |tx| {
                        let from = Self::mirror(tx, im.agent, &im.from_name)?.to_ref();
                        tx.emit(
                            bot,
                            Event::GroupMessage {
                                post: PostId(0),
                                group: GroupRef {
                                    id: GroupId(0),
                                    uuid: im.id,
                                    name,
                                },
                                from,
                                text: im.message,
                                rich: None,
                                file: None,
                                quote: None,
                            },
                        )?;
                        Ok(())
                    })
                    .await;
            }
            _ => {}
        }
        if im.from_group {
            return Ok(());
        }
        if matches!(im.dialog, dialog::TYPING_START | dialog::TYPING_STOP) {
            return self
                .store()
                .write(move |tx| {
                    let from = Self::mirror(tx, im.agent, &im.from_name)?.to_ref();
                    let event = if im.dialog == dialog::TYPING_START {
                        Event::TypingStarted { from, seconds: 0 }
                    } else {
                        Event::TypingStopped { from }
                    };
                    tx.emit(bot, event)?;
                    Ok(())
                })
                .await;
        }
        if im.dialog != dialog::MESSAGE_FROM_AGENT {
            return Ok(());
        }
        if im.message.is_empty() {
            return Ok(());
        }
        self.store()
            .write(move |tx| {
                let to = tx.avatar(bot)?.ok_or(Error::BotNotFound)?;
                let from = Self::mirror(tx, im.agent, &im.from_name)?;
                crate::bot::send_direct(
                    tx,
                    &from,
                    &to,
                    grid::chat::Content::text(im.message),
                    None,
                )?;
                Ok(())
            })
            .await
    }

    /// An avatar's name as the bot's grid knows it. Boxed: payments are recorded from
    /// a task `run_remote` starts, a cycle whose future the compiler cannot otherwise
    /// see to be `Send`.
    fn remote_name(
        &self,
        bot: AvatarId,
        key: Uuid,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Option<String>> + Send + '_>> {
        Box::pin(async move {
            match self.run_remote(bot, RemoteAction::KeyToName { key }).await {
                Ok(Some(Reply::Name { name, .. })) => Some(name.to_string()),
                _ => None,
            }
        })
    }

    /// Ends a teleport: the bot's new location and a `teleport_status` event, or the
    /// failure. `asked`: the place asked for (its coordinates are kept; a teleport
    /// home takes the grid's).
    async fn teleport_outcome(
        &self,
        bot: AvatarId,
        outcome: Result<Result<Arrival, oneshot::error::RecvError>, tokio::time::error::Elapsed>,
        asked: Option<grid::Location>,
    ) -> Result<Option<Reply>, Error> {
        let (status, message, result) = match outcome {
            Ok(Ok(Ok((region, at)))) => (
                grid::region::TeleportStatus::Finished,
                String::new(),
                Ok(match asked {
                    Some(to) => grid::Location { region, ..to },
                    None => grid::Location {
                        region,
                        x: at[0].into(),
                        y: at[1].into(),
                        z: at[2].into(),
                    },
                }),
            ),
            Ok(Ok(Err(reason))) => (
                grid::region::TeleportStatus::Failed,
                reason.clone(),
                Err(Error::RemoteGrid { message: reason }),
            ),
            _ => (
                grid::region::TeleportStatus::Failed,
                "the region did not answer the teleport".to_owned(),
                Err(Error::RemoteGrid {
                    message: "the region did not answer the teleport".into(),
                }),
            ),
        };
        let at = result.as_ref().ok().cloned();
        self.store()
            .write(move |tx| {
                if let Some(place) = &at {
                    tx.set_location(bot, place, false)?;
                }
                let location = tx
                    .avatar(bot)?
                    .and_then(|a| a.location)
                    .map(|l| l.to_string())
                    .unwrap_or_default();
                tx.emit(
                    bot,
                    Event::TeleportProgress {
                        status,
                        message,
                        location,
                    },
                )?;
                Ok(())
            })
            .await?;
        result.map(|_| None)
    }

    /// Tells a bot that just arrived its balance in the remote grid (`balance_changed`
    /// INITIAL), as an embedded bot learns its own.
    async fn announce_remote_balance(&self, bot: AvatarId) {
        let balance = match self.run_remote(bot, RemoteAction::Balance).await {
            Ok(Some(Reply::Balance(b))) => b,
            Ok(_) => return,
            Err(e) => {
                tracing::info!(bot = %bot, error = %e, "no balance from the remote grid");
                return;
            }
        };
        let written = self
            .store()
            .write(move |tx| {
                let me = tx.avatar(bot)?.ok_or(Error::BotNotFound)?;
                tx.emit(
                    bot,
                    Event::BalanceChanged {
                        transfer: Uuid::nil(),
                        direction: grid::money::Direction::Initial,
                        amount: balance,
                        source: None,
                        destination: me.to_ref(),
                        balance,
                        kind: grid::money::TransferKind::Grant,
                        comment: String::new(),
                    },
                )?;
                Ok(())
            })
            .await;
        if let Err(e) = written {
            tracing::warn!(bot = %bot, error = %e, "cannot record the remote balance");
        }
    }

    /// Records a payment to (`incoming`) or by the bot as `balance_changed`; the other
    /// avatar's name is asked of the grid when botgrid does not know it yet.
    async fn remote_paid(&self, bot: AvatarId, paid: Paid, incoming: bool) -> Result<(), Error> {
        let source = paid.source;
        let known = self
            .store()
            .read(move |tx| Ok(tx.avatar_by_uuid(source)?.is_some()))
            .await?;
        let name = if known {
            String::new()
        } else {
            self.remote_name(bot, source).await.unwrap_or_default()
        };
        self.store()
            .write(move |tx| {
                let me = tx.avatar(bot)?.ok_or(Error::BotNotFound)?.to_ref();
                let other = if name.is_empty() {
                    tx.avatar_by_uuid(paid.source)?.map(|a| a.to_ref())
                } else {
                    Some(Self::mirror(tx, paid.source, &name)?.to_ref())
                };
                let (source, destination, direction) = if incoming {
                    (other, me, grid::money::Direction::Incoming)
                } else {
                    let other = other.unwrap_or(AvatarRef {
                        id: AvatarId(0),
                        uuid: paid.source,
                        name: String::new(),
                    });
                    (Some(me), other, grid::money::Direction::Outgoing)
                };
                tx.emit(
                    bot,
                    Event::BalanceChanged {
                        transfer: if paid.transaction.is_nil() {
                            Uuid::new_v4()
                        } else {
                            paid.transaction
                        },
                        direction,
                        amount: paid.amount,
                        source,
                        destination,
                        balance: paid.balance,
                        kind: grid::money::TransferKind::Gift,
                        comment: paid.comment,
                    },
                )?;
                Ok(())
            })
            .await
    }

    async fn remote_dialog(
        &self,
        bot: AvatarId,
        d: viewerproto::world_messages::Dialog,
    ) -> Result<(), Error> {
        self.store()
            .write(move |tx| {
                let owner_name = format!("{} {}", d.first, d.last);
                let owner = match d.owners.first() {
                    Some(key) => Self::mirror(tx, *key, &owner_name)?.to_ref(),
                    None => AvatarRef {
                        id: AvatarId(0),
                        uuid: Uuid::nil(),
                        name: owner_name,
                    },
                };
                tx.emit(
                    bot,
                    Event::ScriptDialog {
                        object: d.object,
                        object_name: d.object_name,
                        owner,
                        text: d.message,
                        buttons: d.buttons,
                        channel: d.channel,
                    },
                )?;
                Ok(())
            })
            .await
    }

    async fn remote_chat(
        &self,
        bot: AvatarId,
        chat: viewerproto::messages::Chat,
    ) -> Result<(), Error> {
        if chat.source_type == chat_source::OBJECT {
            // The owner's name is not in the chat: it is kept by key only (known
            // avatars keep their names).
            return self
                .store()
                .write(move |tx| {
                    let owner = match tx.avatar_by_uuid(chat.owner)? {
                        Some(a) => a.to_ref(),
                        None => AvatarRef {
                            id: AvatarId(0),
                            uuid: chat.owner,
                            name: String::new(),
                        },
                    };
                    tx.emit(
                        bot,
                        Event::ObjectChat {
                            object: chat.source,
                            object_name: chat.from_name,
                            owner,
                            channel: 0,
                            message: chat.message,
                        },
                    )?;
                    Ok(())
                })
                .await;
        }
        self.store()
            .write(move |tx| {
                let speaker = Self::mirror(tx, chat.source, &chat.from_name)?;
                tx.emit(
                    bot,
                    Event::ChatHeard {
                        channel: 0,
                        speaker: speaker.to_ref(),
                        message: chat.message,
                    },
                )?;
                Ok(())
            })
            .await
    }

    /// Carries out a routed command after its transaction; `Some` replaces the reply.
    pub(crate) async fn run_remote(
        &self,
        bot: AvatarId,
        action: RemoteAction,
    ) -> Result<Option<Reply>, Error> {
        let (session, waiters) = {
            let live = lock(&self.inner.remote.live);
            let l = live.get(&bot).ok_or(Error::BotOffline)?;
            (l.session.clone(), l.waiters.clone())
        };
        let wait = self.config().remote_lookup_wait;
        let closed = |e: viewerproto::Error| Error::RemoteGrid {
            message: e.to_string(),
        };
        let lookup_name = |name: LegacyName| {
            let session = session.clone();
            let waiters = waiters.clone();
            async move {
                let query = Uuid::new_v4();
                let (tx, rx) = oneshot::channel();
                lock(&waiters.pickers).insert(query, tx);
                session
                    .send(Message::AvatarPickerRequest {
                        agent: session.agent,
                        session: session.session,
                        query,
                        name: name.to_string(),
                    })
                    .await
                    .map_err(closed)?;
                let found = tokio::time::timeout(wait, rx).await;
                lock(&waiters.pickers).remove(&query);
                let found = found.map_err(|_| Error::RemoteGrid {
                    message: "the region did not answer the name search".into(),
                })?;
                let wanted = name.key();
                found
                    .unwrap_or_default()
                    .into_iter()
                    .find(|n| LegacyName::from_parts(&n.first, &n.last).key() == wanted)
                    .map(|n| (n.id, LegacyName::from_parts(n.first, n.last)))
                    .ok_or(Error::NameNotFound {
                        normalized: name.capitalized().to_string(),
                    })
            }
        };
        match action {
            RemoteAction::Im { to, message } => {
                let to = match to {
                    AvatarSelector::Key(k) => k,
                    AvatarSelector::Name(n) => lookup_name(n).await?.0,
                };
                if to == session.agent {
                    return Err(Error::NotForSelf {
                        what: "send an IM to",
                    });
                }
                let from_name = format!("{} {}", session.first, session.last);
                let im =
                    InstantMessage::text(session.agent, session.session, &from_name, to, &message);
                session
                    .send(Message::ImprovedInstantMessage(im))
                    .await
                    .map_err(closed)?;
                Ok(None)
            }
            RemoteAction::Say { channel, message } => {
                session
                    .send(Message::ChatFromViewer {
                        agent: session.agent,
                        session: session.session,
                        message,
                        chat_type: chat_type::NORMAL,
                        channel,
                    })
                    .await
                    .map_err(closed)?;
                Ok(None)
            }
            RemoteAction::KeyToName { key } => {
                let (tx, rx) = oneshot::channel();
                lock(&waiters.names).push((key, tx));
                session
                    .send(Message::UuidNameRequest(vec![key]))
                    .await
                    .map_err(closed)?;
                match tokio::time::timeout(wait, rx).await {
                    Ok(Ok(n)) => Ok(Some(Reply::Name {
                        key,
                        name: LegacyName::from_parts(n.first, n.last),
                    })),
                    _ => {
                        lock(&waiters.names).retain(|(k, tx)| *k != key || !tx.is_closed());
                        Err(Error::AvatarNotFound {
                            who: key.to_string(),
                        })
                    }
                }
            }
            RemoteAction::NameToKey { name } => {
                let (key, name) = lookup_name(name).await?;
                Ok(Some(Reply::Key { key, name }))
            }
            RemoteAction::Typing { to, start } => {
                let mut im = InstantMessage::text(
                    session.agent,
                    session.session,
                    &format!("{} {}", session.first, session.last),
                    to,
                    "typing",
                );
                im.dialog = if start {
                    dialog::TYPING_START
                } else {
                    dialog::TYPING_STOP
                };
                session
                    .send(Message::ImprovedInstantMessage(im))
                    .await
                    .map_err(closed)?;
                Ok(None)
            }
            RemoteAction::Balance | RemoteAction::Pay { .. } => {
                let (reply, answer) = oneshot::channel();
                let (wants, message) = match &action {
                    RemoteAction::Pay {
                        to,
                        amount,
                        comment,
                    } => {
                        let amount = i32::try_from(*amount)
                            .map_err(|_| Error::invalid("amount", "too large"))?;
                        (
                            Err((*to, amount)),
                            Message::World(WorldMessage::MoneyTransferRequest {
                                agent: session.agent,
                                session: session.session,
                                source: session.agent,
                                dest: *to,
                                flags: 0,
                                amount,
                                transaction_type: TRANSACTION_GIFT,
                                description: comment.clone(),
                            }),
                        )
                    }
                    _ => {
                        let transaction = Uuid::new_v4();
                        (
                            Ok(transaction),
                            Message::World(WorldMessage::MoneyBalanceRequest {
                                agent: session.agent,
                                session: session.session,
                                transaction,
                            }),
                        )
                    }
                };
                lock(&waiters.money).push(MoneyWaiter { wants, reply });
                session.send(message).await.map_err(closed)?;
                let got = tokio::time::timeout(wait, answer).await;
                lock(&waiters.money).retain(|w| !w.reply.is_closed());
                match got {
                    Ok(Ok((true, balance, _))) => Ok(match action {
                        RemoteAction::Balance => Some(Reply::Balance(balance.into())),
                        RemoteAction::Pay {
                            to,
                            amount,
                            comment,
                        } => {
                            let engine = self.clone();
                            let paid = Paid {
                                transaction: Uuid::nil(),
                                source: to,
                                amount,
                                balance: balance.into(),
                                comment,
                            };
                            tokio::spawn(async move {
                                if let Err(e) = engine.remote_paid(bot, paid, false).await {
                                    tracing::warn!(bot = %bot, error = %e, "cannot record a payment to the remote grid");
                                }
                            });
                            None
                        }
                        _ => None,
                    }),
                    Ok(Ok((false, _, why))) => Err(Error::RemoteGrid {
                        message: if why.is_empty() {
                            "the payment was refused".into()
                        } else {
                            why
                        },
                    }),
                    _ => Err(Error::RemoteGrid {
                        message: "the region did not answer the money request".into(),
                    }),
                }
            }
            RemoteAction::Groups => {
                let (tx, rx) = oneshot::channel();
                lock(&waiters.groups).push(tx);
                session
                    .send(Message::Group(GroupMessage::AgentDataUpdateRequest {
                        agent: session.agent,
                        session: session.session,
                    }))
                    .await
                    .map_err(closed)?;
                let got = tokio::time::timeout(wait, rx).await;
                lock(&waiters.groups).retain(|w| !w.is_closed());
                let groups = got.ok().and_then(Result::ok).ok_or(Error::RemoteGrid {
                    message: "the region did not list the bot's groups".into(),
                })?;
                Ok(Some(Reply::Groups(
                    groups.into_iter().map(my_group).collect(),
                )))
            }
            RemoteAction::Invite {
                group,
                avatar,
                role,
            } => {
                session
                    .send(Message::Group(GroupMessage::InviteGroupRequest {
                        agent: session.agent,
                        session: session.session,
                        group,
                        invites: vec![(avatar, role)],
                    }))
                    .await
                    .map_err(closed)?;
                Ok(None)
            }
            RemoteAction::Eject { group, avatar } => {
                let (tx, rx) = oneshot::channel();
                lock(&waiters.ejects).push((group, tx));
                session
                    .send(Message::Group(GroupMessage::EjectGroupMemberRequest {
                        agent: session.agent,
                        session: session.session,
                        group,
                        ejectees: vec![avatar],
                    }))
                    .await
                    .map_err(closed)?;
                let got = tokio::time::timeout(wait, rx).await;
                lock(&waiters.ejects).retain(|(_, w)| !w.is_closed());
                match got {
                    Ok(Ok(true)) => Ok(None),
                    Ok(Ok(false)) => Err(Error::RemoteGrid {
                        message: "the grid refused the ejection".into(),
                    }),
                    _ => Err(Error::RemoteGrid {
                        message: "the region did not answer the ejection".into(),
                    }),
                }
            }
            RemoteAction::GroupSay { group, message } => {
                let from_name = format!("{} {}", session.first, session.last);
                let mut im = InstantMessage::text(
                    session.agent,
                    session.session,
                    &from_name,
                    group,
                    &message,
                );
                im.dialog = dialog::SESSION_SEND;
                im.id = group;
                session
                    .send(Message::ImprovedInstantMessage(im))
                    .await
                    .map_err(closed)?;
                Ok(None)
            }
            RemoteAction::Sit { object } => {
                let (tx, rx) = oneshot::channel();
                lock(&waiters.sits).push((object, tx));
                session
                    .send(Message::World(WorldMessage::AgentRequestSit {
                        agent: session.agent,
                        session: session.session,
                        target: object,
                        offset: [0.0; 3],
                    }))
                    .await
                    .map_err(closed)?;
                let got = tokio::time::timeout(wait, rx).await;
                lock(&waiters.sits).retain(|(_, w)| !w.is_closed());
                if !matches!(got, Ok(Ok(()))) {
                    return Err(Error::RemoteGrid {
                        message: "the region did not let the bot sit there".into(),
                    });
                }
                session
                    .send(Message::World(WorldMessage::AgentSit {
                        agent: session.agent,
                        session: session.session,
                    }))
                    .await
                    .map_err(closed)?;
                Ok(None)
            }
            RemoteAction::OfferFriendship { to, message } => {
                let from_name = format!("{} {}", session.first, session.last);
                let mut im =
                    InstantMessage::text(session.agent, session.session, &from_name, to, &message);
                im.dialog = dialog::FRIENDSHIP_OFFERED;
                im.id = Uuid::new_v4();
                session
                    .send(Message::ImprovedInstantMessage(im))
                    .await
                    .map_err(closed)?;
                Ok(None)
            }
            RemoteAction::AnswerFriendship {
                session: transaction,
                accept,
            } => {
                let m = if accept {
                    WorldMessage::AcceptFriendship {
                        agent: session.agent,
                        session: session.session,
                        transaction,
                        folders: vec![],
                    }
                } else {
                    WorldMessage::DeclineFriendship {
                        agent: session.agent,
                        session: session.session,
                        transaction,
                    }
                };
                session.send(Message::World(m)).await.map_err(closed)?;
                Ok(None)
            }
            RemoteAction::Notice {
                group,
                subject,
                text,
            } => {
                let from_name = format!("{} {}", session.first, session.last);
                let mut im = InstantMessage::text(
                    session.agent,
                    session.session,
                    &from_name,
                    group,
                    &format!("{subject}|{text}"),
                );
                im.dialog = dialog::GROUP_NOTICE;
                im.id = group;
                session
                    .send(Message::ImprovedInstantMessage(im))
                    .await
                    .map_err(closed)?;
                Ok(None)
            }
            RemoteAction::Teleport { to: None } => {
                let (tx, rx) = oneshot::channel();
                *lock(&waiters.teleport) = Some(tx);
                session
                    .send(Message::World(WorldMessage::TeleportLandmarkRequest {
                        agent: session.agent,
                        session: session.session,
                        landmark: Uuid::nil(),
                    }))
                    .await
                    .map_err(closed)?;
                self.teleport_outcome(bot, tokio::time::timeout(wait * 3, rx).await, None)
                    .await
            }
            RemoteAction::Teleport { to: Some(to) } => {
                // The region's handle: from the map, unless it is where the bot is.
                let here = lock(&waiters.region).clone();
                let handle =
                    if grid::region::region_key(&here.0) == grid::region::region_key(&to.region) {
                        here.1
                    } else {
                        let (tx, rx) = oneshot::channel();
                        lock(&waiters.maps).push(tx);
                        session
                            .send(Message::World(WorldMessage::MapNameRequest {
                                agent: session.agent,
                                session: session.session,
                                name: to.region.clone(),
                            }))
                            .await
                            .map_err(closed)?;
                        let got = tokio::time::timeout(wait, rx).await;
                        lock(&waiters.maps).retain(|w| !w.is_closed());
                        let key = grid::region::region_key(&to.region);
                        got.ok()
                            .and_then(Result::ok)
                            .unwrap_or_default()
                            .into_iter()
                            .find(|b| grid::region::region_key(&b.name) == key)
                            .map(|b| b.handle())
                            .ok_or_else(|| Error::RegionNotFound {
                                name: to.region.clone(),
                            })?
                    };
                let (tx, rx) = oneshot::channel();
                *lock(&waiters.teleport) = Some(tx);
                session
                    .send(Message::World(WorldMessage::TeleportLocationRequest {
                        agent: session.agent,
                        session: session.session,
                        region_handle: handle,
                        position: [to.x as f32, to.y as f32, to.z as f32],
                        look_at: [1.0, 0.0, 0.0],
                    }))
                    .await
                    .map_err(closed)?;
                // A teleport takes longer than a look-up: the hand-over to another
                // region is a new circuit.
                self.teleport_outcome(bot, tokio::time::timeout(wait * 3, rx).await, Some(to))
                    .await
            }
            RemoteAction::Roles { group } => {
                let request = Uuid::new_v4();
                let (tx, rx) = oneshot::channel();
                lock(&waiters.roles).insert(
                    request,
                    RolesWaiter {
                        roles: vec![],
                        done: Some(tx),
                    },
                );
                session
                    .send(Message::Group(GroupMessage::GroupRoleDataRequest {
                        agent: session.agent,
                        session: session.session,
                        group,
                        request,
                    }))
                    .await
                    .map_err(closed)?;
                let got = tokio::time::timeout(wait, rx).await;
                lock(&waiters.roles).remove(&request);
                let roles = got.ok().and_then(Result::ok).ok_or(Error::RemoteGrid {
                    message: "the region did not list the group's roles".into(),
                })?;
                Ok(Some(Reply::Roles(roles.into_iter().map(role).collect())))
            }
            RemoteAction::Join { group } | RemoteAction::Leave { group } => {
                let join = matches!(action, RemoteAction::Join { .. });
                let (tx, rx) = oneshot::channel();
                lock(&waiters.memberships).push((group, join, tx));
                let (agent, s) = (session.agent, session.session);
                let m = if join {
                    GroupMessage::JoinGroupRequest {
                        agent,
                        session: s,
                        group,
                    }
                } else {
                    GroupMessage::LeaveGroupRequest {
                        agent,
                        session: s,
                        group,
                    }
                };
                session.send(Message::Group(m)).await.map_err(closed)?;
                let got = tokio::time::timeout(wait, rx).await;
                lock(&waiters.memberships).retain(|(_, _, w)| !w.is_closed());
                match got {
                    Ok(Ok(true)) => Ok(None),
                    Ok(Ok(false)) => Err(Error::RemoteGrid {
                        message: if join {
                            "the grid did not let the bot join".into()
                        } else {
                            "the grid did not let the bot leave".into()
                        },
                    }),
                    _ => Err(Error::RemoteGrid {
                        message: "the region did not answer".into(),
                    }),
                }
            }
            RemoteAction::Inventory { folder, filter } => {
                let contents = session.fetch_folder(folder).await.map_err(closed)?;
                let entries = inventory_entries(bot, contents)
                    .into_iter()
                    .filter(|e| filter.keeps(e.name(), e.uuid()))
                    .collect();
                Ok(Some(Reply::Inventory(entries)))
            }
            RemoteAction::AnswerLure {
                from: _,
                lure,
                accept: true,
            } => {
                let (tx, rx) = oneshot::channel();
                *lock(&waiters.teleport) = Some(tx);
                session
                    .send(Message::World(WorldMessage::TeleportLureRequest {
                        agent: session.agent,
                        session: session.session,
                        lure,
                        flags: viewerproto::world_messages::TELEPORT_VIA_LURE,
                    }))
                    .await
                    .map_err(closed)?;
                self.teleport_outcome(bot, tokio::time::timeout(wait * 3, rx).await, None)
                    .await
            }
            RemoteAction::AnswerLure {
                from,
                lure,
                accept: false,
            } => {
                let from_name = format!("{} {}", session.first, session.last);
                let mut im =
                    InstantMessage::text(session.agent, session.session, &from_name, from, "");
                im.dialog = dialog::LURE_DECLINED;
                im.id = lure;
                session
                    .send(Message::ImprovedInstantMessage(im))
                    .await
                    .map_err(closed)?;
                Ok(None)
            }
            RemoteAction::RoleChange {
                group,
                role,
                member,
                add,
            } => {
                let change = if add {
                    viewerproto::group_messages::ROLE_ADD
                } else {
                    viewerproto::group_messages::ROLE_REMOVE
                };
                session
                    .send(Message::Group(GroupMessage::GroupRoleChanges {
                        agent: session.agent,
                        session: session.session,
                        group,
                        changes: vec![(role, member, change)],
                    }))
                    .await
                    .map_err(closed)?;
                Ok(None)
            }
            RemoteAction::OfferLure { to, message } => {
                session
                    .send(Message::World(WorldMessage::StartLure {
                        agent: session.agent,
                        session: session.session,
                        lure_type: 0,
                        message,
                        targets: vec![to],
                    }))
                    .await
                    .map_err(closed)?;
                Ok(None)
            }
            RemoteAction::Touch { object } => {
                let local_id = lock(&waiters.objects)
                    .get(&object)
                    .copied()
                    .ok_or_else(|| Error::ObjectNotFound {
                        what: object.to_string(),
                    })?;
                let (agent, s) = (session.agent, session.session);
                session
                    .send(Message::World(WorldMessage::ObjectGrab {
                        agent,
                        session: s,
                        local_id,
                        offset: [0.0; 3],
                    }))
                    .await
                    .map_err(closed)?;
                session
                    .send(Message::World(WorldMessage::ObjectDeGrab {
                        agent,
                        session: s,
                        local_id,
                    }))
                    .await
                    .map_err(closed)?;
                Ok(None)
            }
            RemoteAction::Activate { group } => {
                session
                    .send(Message::Group(GroupMessage::ActivateGroup {
                        agent: session.agent,
                        session: session.session,
                        group: group.unwrap_or_default(),
                    }))
                    .await
                    .map_err(closed)?;
                Ok(None)
            }
            RemoteAction::Stand => {
                let mut update = viewerproto::messages::AgentUpdate::standing(
                    session.agent,
                    session.session,
                    [128.0, 128.0, 25.0],
                );
                update.control_flags = viewerproto::messages::CONTROL_STAND_UP;
                session
                    .send(Message::AgentUpdate(update))
                    .await
                    .map_err(closed)?;
                Ok(None)
            }
            RemoteAction::Dialog {
                object,
                channel,
                button,
            } => {
                let index = lock(&waiters.dialogs)
                    .get(&object)
                    .and_then(|b| b.iter().position(|l| *l == button))
                    .unwrap_or(0);
                session
                    .send(Message::World(WorldMessage::ScriptDialogReply {
                        agent: session.agent,
                        session: session.session,
                        object,
                        channel,
                        button_index: index as i32,
                        button_label: button,
                    }))
                    .await
                    .map_err(closed)?;
                Ok(None)
            }
            RemoteAction::AnswerInvite {
                session: invite,
                accept,
            } => {
                let group = lock(&waiters.invitations)
                    .remove(&invite)
                    .ok_or(Error::InvitationNotFound)?;
                let from_name = format!("{} {}", session.first, session.last);
                let mut im =
                    InstantMessage::text(session.agent, session.session, &from_name, group, "");
                im.dialog = if accept {
                    dialog::GROUP_INVITATION_ACCEPT
                } else {
                    dialog::GROUP_INVITATION_DECLINE
                };
                im.id = invite;
                session
                    .send(Message::ImprovedInstantMessage(im))
                    .await
                    .map_err(closed)?;
                Ok(None)
            }
        }
    }
}

/// One of the bot's groups as the remote grid lists it. Remote groups have no row
/// here (id 0): the listing carries what the grid tells (key, name, powers, notices).
fn my_group(m: Membership) -> grid::command::MyGroup {
    grid::command::MyGroup {
        group: Group {
            id: GroupId(0),
            uuid: m.group,
            name: m.name,
            charter: String::new(),
            insignia: m.insignia,
            open_enrollment: false,
            fee: 0,
            mature: false,
            founder: AvatarId(0),
            created: grid::Timestamp(0),
        },
        active: false,
        powers: Powers(m.powers as i64),
        roles: vec![],
        in_profile: true,
        accept_notices: m.accept_notices,
    }
}

/// A role as the remote grid lists it (no row here: id 0).
fn role(r: viewerproto::group_messages::Role) -> grid::group::Role {
    grid::group::Role {
        id: grid::group::RoleId(0),
        uuid: r.id,
        group: GroupId(0),
        kind: if r.id.is_nil() {
            grid::group::RoleKind::Everyone
        } else {
            grid::group::RoleKind::Custom
        },
        name: r.name,
        title: r.title,
        description: r.description,
        powers: Powers(r.powers as i64),
    }
}

/// A remote folder's contents as inventory entries (no rows here: ids 0). Items of
/// types botgrid does not have are left out.
fn inventory_entries(
    bot: AvatarId,
    c: viewerproto::caps::FolderContents,
) -> Vec<grid::inventory::Entry> {
    use grid::inventory::{AssetType, Entry, Folder, Item, Perms};
    let folders = c.folders.into_iter().map(|f| {
        Entry::Folder(Folder {
            id: 0,
            uuid: f.id,
            owner: bot,
            parent: None,
            name: f.name,
            system: None,
        })
    });
    let items = c.items.into_iter().filter_map(|i| {
        // The protocol's asset type numbers.
        let asset_type = match i.kind {
            0 => AssetType::Texture,
            1 => AssetType::Sound,
            2 => AssetType::CallingCard,
            3 => AssetType::Landmark,
            5 => AssetType::Clothing,
            6 => AssetType::Object,
            7 => AssetType::Notecard,
            10 => AssetType::Script,
            13 => AssetType::BodyPart,
            20 => AssetType::Animation,
            21 => AssetType::Gesture,
            _ => return None,
        };
        Some(Entry::Item(Item {
            id: 0,
            uuid: i.id,
            owner: bot,
            folder: Some(0),
            asset_type,
            wearable: None,
            asset: i.asset,
            name: i.name,
            description: i.description,
            creator: None,
            perms: Perms(i64::from(i.owner_mask) & Perms::ALL.0),
            next_perms: Perms(i64::from(i.next_owner_mask) & Perms::ALL.0),
            worn: false,
            created: grid::Timestamp(i.created.saturating_mul(1000)),
            links: 1,
        }))
    });
    folders.chain(items).collect()
}
