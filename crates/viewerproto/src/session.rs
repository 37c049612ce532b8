//! A logged-in agent: the login, the circuit to its region, the keep-alive, and a task
//! that turns what the region sends into [`SessionEvent`]s and sends what it is told to.
//!
//! A session ends when it logs out, when the region says so (`KickUser`,
//! `DisableSimulator`), or when the region stops answering; it then sends
//! [`SessionEvent::Disconnected`] once. Logging in again is the owner's decision.

use crate::circuit::Circuit;
use crate::login::{self, LoginReply, LoginRequest};
use crate::messages::{AgentUpdate, Chat, InstantMessage, Message, Name};
use crate::{Error, Uuid};
use std::time::Duration;
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

/// A session's clocks.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// How long the region has to take the agent in after login.
    pub arrival: Duration,
    /// How often a bot that does not move tells the region where it is.
    pub keep_alive: Duration,
    /// How often the region is pinged.
    pub ping: Duration,
    /// Silence after which the region counts as gone.
    pub silence: Duration,
    /// How long a `presence` refusal waits before the login is tried again.
    pub presence_wait: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            arrival: Duration::from_secs(20),
            keep_alive: Duration::from_secs(1),
            ping: Duration::from_secs(5),
            silence: Duration::from_secs(60),
            presence_wait: Duration::from_secs(10),
        }
    }
}
/// How long a logout waits for `LogoutReply` (optional: some regions never send it).
const LOGOUT_WAIT: Duration = Duration::from_secs(2);

/// A remote account: where and as whom to log in.
#[derive(Debug, Clone)]
pub struct Account {
    pub login_uri: String,
    pub first: String,
    pub last: String,
    /// `$1$` + MD5 hex of the password.
    pub passwd: String,
    /// `last`, `home`, or `uri:Region&x&y&z`.
    pub start: String,
}

/// What a session reports.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionEvent {
    InstantMessage(InstantMessage),
    Chat(Chat),
    Names(Vec<Name>),
    AvatarPicker {
        query: Uuid,
        found: Vec<Name>,
    },
    /// Money, teleports, dialogs, alerts, … as the region sent them.
    World(crate::world_messages::WorldMessage),
    /// Group data as the region sent it.
    Group(crate::group_messages::GroupMessage),
    /// A teleport moved the agent into another region, which has taken it in.
    Teleported {
        region: String,
        handle: u64,
        /// Where in the region the agent arrived.
        position: [f32; 3],
    },
    /// The session is over; `reason` says why (logout, kicked, region gone).
    Disconnected {
        reason: String,
    },
}

enum Command {
    Send(Message),
    Logout(oneshot::Sender<()>),
    /// A teleport to another region: move the circuit there (from the event queue).
    Handover {
        sim: std::net::SocketAddr,
        seed: String,
    },
}

/// A handle on a running session. Dropping it logs the agent out.
pub struct Session {
    pub agent: Uuid,
    pub session: Uuid,
    pub first: String,
    pub last: String,
    pub region: String,
    /// The region's handle (its corner in metres) at login.
    pub region_handle: u64,
    /// Where in the region the agent arrived.
    pub position: [f32; 3],
    /// The root folder of the agent's inventory, when the grid said.
    pub inventory_root: Option<Uuid>,
    /// The agent's friends at login.
    pub buddies: Vec<crate::login::Buddy>,
    commands: mpsc::Sender<Command>,
    /// The current region's capabilities, by name.
    caps: Caps,
    client: reqwest::Client,
}

/// Capabilities by name, shared by the session's task and its handle.
type Caps = std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, String>>>;

/// Aborts a task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Session {
    /// Logs in and waits until the region has taken the agent in.
    pub async fn start(
        client: &reqwest::Client,
        account: &Account,
        events: mpsc::Sender<SessionEvent>,
    ) -> Result<Session, Error> {
        Self::start_with(client, account, events, Timing::default()).await
    }

    /// [`Session::start`] with other clocks (tests shorten them).
    pub async fn start_with(
        client: &reqwest::Client,
        account: &Account,
        events: mpsc::Sender<SessionEvent>,
        timing: Timing,
    ) -> Result<Session, Error> {
        let request = LoginRequest {
            first: account.first.clone(),
            last: account.last.clone(),
            passwd: login::password_hash(&account.passwd),
            start: account.start.clone(),
            version: concat!("botgrid ", env!("CARGO_PKG_VERSION")).into(),
            mac: mac_for(&account.first, &account.last),
        };
        let reply =
            login::login_with_wait(client, &account.login_uri, &request, timing.presence_wait)
                .await?;
        Self::connect(client.clone(), reply, events, timing).await
    }

    /// Opens the circuit of a login reply.
    pub async fn connect(
        client: reqwest::Client,
        reply: LoginReply,
        events: mpsc::Sender<SessionEvent>,
        timing: Timing,
    ) -> Result<Session, Error> {
        let bind = if reply.sim.ip().is_loopback() {
            "127.0.0.1:0"
        } else {
            "0.0.0.0:0"
        };
        let socket = UdpSocket::bind(bind).await?;
        socket.connect(reply.sim).await?;
        let (commands, rx) = mpsc::channel(256);
        let (arrived, arrival) = oneshot::channel();
        let caps = Caps::default();
        let mut task = Task {
            caps_map: caps.clone(),
            socket,
            circuit: Circuit::new(std::time::Instant::now()),
            agent: reply.agent_id,
            session: reply.session_id,
            circuit_code: reply.circuit_code,
            events,
            me: commands.downgrade(),
            commands: rx,
            arrived: Some(arrived),
            region: String::new(),
            ping: 0,
            timing,
            client: client.clone(),
            seed: reply.seed_capability.clone(),
            caps: None,
            handing_over: false,
        };
        task.send(Message::UseCircuitCode {
            code: reply.circuit_code,
            session: reply.session_id,
            agent: reply.agent_id,
        })
        .await?;
        task.send(Message::CompleteAgentMovement {
            agent: reply.agent_id,
            session: reply.session_id,
            circuit_code: reply.circuit_code,
        })
        .await?;
        tokio::spawn(task.run());
        let (region, region_handle, position) =
            match tokio::time::timeout(timing.arrival, arrival).await {
                Ok(Ok(arrived)) => arrived,
                Ok(Err(_)) => return Err(Error::Closed("the region refused the agent".into())),
                Err(_) => return Err(Error::Timeout("the region did not take the agent in")),
            };
        Ok(Session {
            agent: reply.agent_id,
            session: reply.session_id,
            first: reply.first_name,
            last: reply.last_name,
            region,
            region_handle,
            position,
            inventory_root: reply.inventory_root,
            buddies: reply.buddies,
            commands,
            caps,
            client,
        })
    }

    /// Sends a message to the region (reliably when the message is one botgrid sends so).
    pub async fn send(&self, message: Message) -> Result<(), Error> {
        self.commands
            .send(Command::Send(message))
            .await
            .map_err(|_| Error::Closed("the session has ended".into()))
    }

    /// A folder's folders and items (`None`: the inventory's root), through the
    /// region's `FetchInventoryDescendents2`.
    pub async fn fetch_folder(
        &self,
        folder: Option<Uuid>,
    ) -> Result<crate::caps::FolderContents, Error> {
        let folder = folder.or(self.inventory_root).ok_or(Error::Http(
            "the grid did not name the inventory's root".into(),
        ))?;
        let url = self
            .caps
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get("FetchInventoryDescendents2")
            .cloned()
            .ok_or(Error::Http(
                "the region offers no inventory capability".into(),
            ))?;
        crate::caps::fetch_folder(&self.client, &url, self.agent, folder).await
    }

    /// Whether the session still runs.
    pub fn is_open(&self) -> bool {
        !self.commands.is_closed()
    }

    /// Logs out and waits (briefly) for the region to confirm.
    pub async fn logout(&self) {
        let (done, wait) = oneshot::channel();
        if self.commands.send(Command::Logout(done)).await.is_ok() {
            let _ = wait.await;
        }
    }
}

/// Asks the seed capability for the event queue and turns its events into session
/// events. A region without capabilities (or one that fails them) leaves the session
/// on UDP alone.
async fn capabilities(
    client: reqwest::Client,
    seed: String,
    events: mpsc::Sender<SessionEvent>,
    task: mpsc::WeakSender<Command>,
    shared: Caps,
) {
    let caps = match crate::caps::seed(&client, &seed, crate::caps::WANTED).await {
        Ok(c) => c,
        Err(e) => {
            tracing::info!(error = %e, "no capabilities from the region; UDP only");
            return;
        }
    };
    *shared.lock().unwrap_or_else(|e| e.into_inner()) = caps.clone();
    let Some(queue) = caps.get("EventQueueGet").cloned() else {
        return;
    };
    let (tx, mut rx) = mpsc::channel(64);
    let _poller = AbortOnDrop(tokio::spawn(crate::caps::poll(client, queue, tx)));
    while let Some(e) = rx.recv().await {
        let event = match crate::caps::decode(&e) {
            Some(crate::caps::Decoded::Group(g)) => SessionEvent::Group(g),
            Some(crate::caps::Decoded::InstantMessage(im)) => SessionEvent::InstantMessage(im),
            Some(crate::caps::Decoded::TeleportFinish(m)) => {
                // The session itself moves to the new region.
                if let crate::world_messages::WorldMessage::TeleportFinish {
                    sim_ip,
                    sim_port,
                    seed_capability,
                    ..
                } = m
                    && let Some(task) = task.upgrade()
                {
                    let sim = std::net::SocketAddr::from((sim_ip, sim_port));
                    let _ = task
                        .send(Command::Handover {
                            sim,
                            seed: seed_capability,
                        })
                        .await;
                }
                continue;
            }
            None => {
                tracing::debug!(message = %e.message, "event queue event not used");
                continue;
            }
        };
        if events.send(event).await.is_err() {
            return;
        }
    }
}

/// A stable hardware id for an account (grids ask for one).
fn mac_for(first: &str, last: &str) -> String {
    use md5::{Digest, Md5};
    let d = Md5::digest(format!("botgrid:{first} {last}").to_lowercase().as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

struct Task {
    socket: UdpSocket,
    circuit: Circuit,
    agent: Uuid,
    session: Uuid,
    events: mpsc::Sender<SessionEvent>,
    commands: mpsc::Receiver<Command>,
    /// For the capabilities task to hand the session over (weak: a dropped `Session`
    /// still ends the task).
    me: mpsc::WeakSender<Command>,
    circuit_code: u32,
    arrived: Option<oneshot::Sender<(String, u64, [f32; 3])>>,
    region: String,
    ping: u8,
    timing: Timing,
    client: reqwest::Client,
    /// The current region's seed capability.
    seed: String,
    caps: Option<AbortOnDrop>,
    caps_map: Caps,
    /// Moving to another region: its `AgentMovementComplete` ends the teleport.
    handing_over: bool,
}

impl Task {
    /// Asks the current region's seed capability for its event queue (replacing the
    /// previous region's).
    fn start_caps(&mut self) {
        self.caps = (!self.seed.is_empty()).then(|| {
            AbortOnDrop(tokio::spawn(capabilities(
                self.client.clone(),
                self.seed.clone(),
                self.events.clone(),
                self.me.clone(),
                self.caps_map.clone(),
            )))
        });
    }

    /// Moves the circuit to another region (a teleport's hand-over): the same circuit
    /// code, a new circuit; the old region lets the agent go on its own.
    async fn handover(&mut self, sim: std::net::SocketAddr, seed: String) -> Result<(), Error> {
        for wire in self.circuit.ack_packets() {
            let _ = self.socket.send(&wire).await;
        }
        self.caps = None;
        self.caps_map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        self.socket.connect(sim).await?;
        self.circuit = Circuit::new(std::time::Instant::now());
        self.seed = seed;
        self.handing_over = true;
        self.send(Message::UseCircuitCode {
            code: self.circuit_code,
            session: self.session,
            agent: self.agent,
        })
        .await?;
        self.send(Message::CompleteAgentMovement {
            agent: self.agent,
            session: self.session,
            circuit_code: self.circuit_code,
        })
        .await
    }

    async fn send(&mut self, m: Message) -> Result<(), Error> {
        let wire = self.circuit.send(
            m.encode(),
            m.reliable(),
            m.zero_coded(),
            std::time::Instant::now(),
        )?;
        self.socket.send(&wire).await?;
        Ok(())
    }

    async fn run(mut self) {
        let reason = self.serve().await;
        tracing::info!(agent = %self.agent, %reason, "remote session ended");
        let _ = self
            .events
            .send(SessionEvent::Disconnected { reason })
            .await;
    }

    /// Runs until the session ends; returns why.
    async fn serve(&mut self) -> String {
        let mut buf = vec![0u8; 8192];
        let mut keep_alive = tokio::time::interval(self.timing.keep_alive);
        keep_alive.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut ping = tokio::time::interval(self.timing.ping);
        ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let due = self
                .circuit
                .next_due()
                .map(Instant::from_std)
                .unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
            tokio::select! {
                got = self.socket.recv(&mut buf) => match got {
                    Ok(n) => {
                        if let Some(reason) = self.received(&buf[..n]).await {
                            return reason;
                        }
                    }
                    // A refused send (ICMP) shows here; silence decides whether the
                    // region is gone.
                    Err(e) => tracing::debug!(agent = %self.agent, error = %e, "UDP receive"),
                },
                cmd = self.commands.recv() => match cmd {
                    Some(Command::Send(m)) => {
                        if let Err(e) = self.send(m).await {
                            return format!("cannot send: {e}");
                        }
                    }
                    Some(Command::Handover { sim, seed }) => {
                        if let Err(e) = self.handover(sim, seed).await {
                            return format!("cannot move to the new region: {e}");
                        }
                    }
                    Some(Command::Logout(done)) => {
                        self.logout(&mut buf).await;
                        let _ = done.send(());
                        return "logged out".into();
                    }
                    None => {
                        self.logout(&mut buf).await;
                        return "logged out".into();
                    }
                },
                _ = tokio::time::sleep_until(due) => {
                    for wire in self.circuit.due(std::time::Instant::now()) {
                        let _ = self.socket.send(&wire).await;
                    }
                    let lost = self.circuit.take_lost();
                    if lost > 0 {
                        tracing::warn!(agent = %self.agent, lost, "reliable packets to the region were never acknowledged");
                    }
                }
                _ = keep_alive.tick(), if self.arrived.is_none() => {
                    let update = Message::AgentUpdate(AgentUpdate::standing(self.agent, self.session, [128.0, 128.0, 25.0]));
                    if let Err(e) = self.send(update).await {
                        return format!("cannot send: {e}");
                    }
                }
                _ = ping.tick() => {
                    if self.circuit.last_heard.elapsed() > self.timing.silence {
                        return "the region stopped answering".into();
                    }
                    self.ping = self.ping.wrapping_add(1);
                    let m = Message::StartPingCheck { ping: self.ping, oldest_unacked: 0 };
                    if let Err(e) = self.send(m).await {
                        return format!("cannot send: {e}");
                    }
                }
            }
        }
    }

    /// Handles one datagram; `Some(reason)` ends the session.
    async fn received(&mut self, data: &[u8]) -> Option<String> {
        let packet = match self.circuit.receive(data, std::time::Instant::now()) {
            Ok(Some(p)) => p,
            Ok(None) => return None,
            Err(e) => {
                tracing::debug!(agent = %self.agent, error = %e, "dropped a malformed packet");
                return None;
            }
        };
        let message = match Message::decode(&packet.body) {
            Ok(m) => m,
            Err(e) => {
                tracing::debug!(agent = %self.agent, error = %e, "dropped a malformed message");
                return None;
            }
        };
        tracing::trace!(agent = %self.agent, number = ?message.number(), "from the region");
        let event = match message {
            Message::StartPingCheck { ping, .. } => {
                let _ = self.send(Message::CompletePingCheck { ping }).await;
                return None;
            }
            Message::RegionHandshake { sim_name, .. } => {
                self.region = sim_name;
                let reply = Message::RegionHandshakeReply {
                    agent: self.agent,
                    session: self.session,
                    flags: 0,
                };
                let _ = self.send(reply).await;
                return None;
            }
            Message::World(crate::world_messages::WorldMessage::ObjectUpdateCached {
                objects,
                ..
            }) => {
                // Without a cache of its own the client asks for each object in full,
                // as a viewer with an empty cache does (OpenSimulator offers its objects
                // this way).
                let objects = objects
                    .into_iter()
                    .map(|(id, _, _)| (crate::world_messages::CACHE_MISS_FULL, id))
                    .collect();
                let ask = Message::World(
                    crate::world_messages::WorldMessage::RequestMultipleObjects {
                        agent: self.agent,
                        session: self.session,
                        objects,
                    },
                );
                let _ = self.send(ask).await;
                return None;
            }
            Message::AgentMovementComplete {
                region_handle,
                position,
                ..
            } => {
                if let Some(arrived) = self.arrived.take() {
                    let _ = arrived.send((self.region.clone(), region_handle, position));
                    self.start_caps();
                    return None;
                }
                if !self.handing_over {
                    return None;
                }
                self.handing_over = false;
                self.start_caps();
                SessionEvent::Teleported {
                    region: self.region.clone(),
                    handle: region_handle,
                    position,
                }
            }
            Message::World(crate::world_messages::WorldMessage::TeleportFinish {
                sim_ip,
                sim_port,
                seed_capability,
                ..
            }) => {
                let sim = std::net::SocketAddr::from((sim_ip, sim_port));
                if let Err(e) = self.handover(sim, seed_capability).await {
                    return Some(format!("cannot move to the new region: {e}"));
                }
                return None;
            }
            Message::KickUser { reason, .. } => {
                return Some(if reason.is_empty() {
                    "kicked by the region".into()
                } else {
                    format!("kicked by the region: {reason}")
                });
            }
            Message::DisableSimulator => return Some("the region closed the circuit".into()),
            Message::ImprovedInstantMessage(m) => SessionEvent::InstantMessage(m),
            Message::ChatFromSimulator(c) => SessionEvent::Chat(c),
            Message::UuidNameReply(names) => SessionEvent::Names(names),
            Message::AvatarPickerReply { query, found, .. } => {
                SessionEvent::AvatarPicker { query, found }
            }
            Message::World(m) => SessionEvent::World(m),
            Message::Group(g) => SessionEvent::Group(g),
            _ => return None,
        };
        if self.events.send(event).await.is_err() {
            return Some("nobody listens to the session".into());
        }
        None
    }

    /// Sends `LogoutRequest` and waits a little for `LogoutReply`, acknowledging what
    /// arrives meanwhile.
    async fn logout(&mut self, buf: &mut [u8]) {
        let m = Message::LogoutRequest {
            agent: self.agent,
            session: self.session,
        };
        if self.send(m).await.is_err() {
            return;
        }
        let deadline = Instant::now() + LOGOUT_WAIT;
        loop {
            tokio::select! {
                got = self.socket.recv(buf) => {
                    let Ok(n) = got else { continue };
                    if let Ok(Some(p)) = self.circuit.receive(&buf[..n], std::time::Instant::now())
                        && matches!(Message::decode(&p.body), Ok(Message::LogoutReply { .. }))
                    {
                        break;
                    }
                }
                _ = tokio::time::sleep_until(deadline) => break,
            }
        }
        for wire in self.circuit.ack_packets() {
            let _ = self.socket.send(&wire).await;
        }
    }
}
