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
use grid::group::{Group, GroupId, GroupRef, Powers};
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

/// Commands carried out by a session (`run_remote`).
mod actions;
/// What the grid sends, turned into events (`pump`).
mod inbound;

/// Pauses between attempts to log a dropped bot in again: 1 s, doubling, at most this.
const MAX_RECONNECT_PAUSE: Duration = Duration::from_secs(60);
/// Events a session may have waiting for the engine.
const SESSION_EVENTS: usize = 256;

/// A position in the bot's region, in metres.
type Place = [f64; 3];

/// Where the region last said the bot (if it listed it) and the others are.
type Nearby = (Option<Place>, Vec<(Uuid, Place)>);

/// A friend of a remote bot: the rights each side grants (the protocol's bits: 1 see
/// online, 2 see on the map, 4 modify objects) and whether it is online.
#[derive(Clone, Copy, Debug)]
struct FriendState {
    given: u32,
    has: u32,
    online: bool,
}

impl FriendState {
    /// A friendship just made: each side sees the other online, and the other is online
    /// (it has just offered or answered).
    const NEW: FriendState = FriendState {
        given: viewerproto::login::rights::SEE_ONLINE,
        has: viewerproto::login::rights::SEE_ONLINE,
        online: true,
    };
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
    /// `UUIDGroupNameRequest`s, by group.
    group_lookups: Mutex<Vec<(Uuid, oneshot::Sender<String>)>>,
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
    /// Where the region last said its avatars are (`CoarseLocationUpdate`): the bot,
    /// and the others by key.
    nearby: Mutex<Nearby>,
    /// The bot's friends: from the login reply, kept up to date by online and offline
    /// notices and by friendships made and ended.
    friends: Mutex<HashMap<Uuid, FriendState>>,
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
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Hands the region's answer for `key` to everyone waiting for it; each is answered once.
fn answer<K: PartialEq, V: Clone>(
    waiting: &Mutex<Vec<(K, oneshot::Sender<V>)>>,
    key: &K,
    value: &V,
) {
    let (answered, rest) = std::mem::take(&mut *lock(waiting))
        .into_iter()
        .partition::<Vec<_>, _>(|(k, _)| k == key);
    lock(waiting).extend(rest);
    for (_, tx) in answered {
        let _ = tx.send(value.clone());
    }
}

impl RemoteBots {
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
/// (presence, callbacks, status), and otherwise the command handed to the session once
/// the (empty) transaction commits (`run_remote`, which answers what a remote grid
/// cannot do with a clear failure). What a grid would take but botgrid must refuse is
/// refused here.
pub(crate) fn route(bot: AvatarId, command: &BotCommand) -> Option<Result<Executed, Error>> {
    let refused = match command {
        BotCommand::Status
        | BotCommand::Login { .. }
        | BotCommand::Logout
        | BotCommand::SetCallback(_)
        // Kept up to date from the grid (arrival, teleports).
        | BotCommand::BotLocation => return None,
        BotCommand::Im { message, .. } | BotCommand::SendGroupMessage { message, .. } => {
            grid::message::check_im_text(message).err()
        }
        BotCommand::SendNotice {
            attachment: Some(_),
            ..
        } => Some(Error::invalid(
            "attachment",
            "not available for a bot in a remote grid",
        )),
        // A repeat-safe payment needs a ledger the remote grid does not offer.
        BotCommand::GiveMoney { tag: Some(_), .. } => Some(Error::invalid(
            "custom",
            "not available for a bot in a remote grid",
        )),
        _ => None,
    };
    if let Some(e) = refused {
        return Some(Err(e));
    }
    Some(done(Reply::Done).map(|mut e| {
        e.after.push(crate::bot::After::Remote {
            bot,
            command: Box::new(command.clone()),
        });
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
        let session =
            Arc::new(Session::start_with(&remote.client, &acc, events, Timing::default()).await?);
        let generation = {
            let mut g = lock(&remote.next_generation);
            *g += 1;
            *g
        };
        let waiters = Arc::new(Waiters::default());
        *lock(&waiters.region) = (session.region.clone(), session.region_handle);
        lock(&waiters.friends).extend(session.buddies.iter().map(|b| {
            let state = FriendState {
                given: b.rights_given,
                has: b.rights_has,
                online: false,
            };
            (b.id, state)
        }));
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
        // should say; its location is where the grid put it.
        let key = session.agent;
        let place = grid::Location {
            region: session.region.clone(),
            x: session.position[0].round().into(),
            y: session.position[1].round().into(),
            z: session.position[2].round().into(),
        };
        match self
            .store()
            .write(move |tx| {
                tx.set_location(bot, &place, false)?;
                Ok(tx.set_remote_key(bot, key)?)
            })
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
}
