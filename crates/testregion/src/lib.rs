//! A protocol-level test region: enough of a grid to log agents in over XML-RPC, keep
//! their UDP circuits (acknowledging, resending, answering pings), relay instant
//! messages and local chat between them, and answer name look-ups. Accounts that are
//! not logged in can be driven from the test ("puppets"): they speak, send IMs, and
//! what reaches them is recorded.
//!
//! It checks what it is sent the way a region would (a circuit code it handed out, the
//! session of the agent, the password hash), so a client that gets the protocol wrong
//! fails against it.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::net::UdpSocket;
use uuid::Uuid;
use viewerproto::caps::QueuedEvent;
use viewerproto::circuit::Circuit;
use viewerproto::group_messages::{GroupMessage, Membership, Role};
use viewerproto::llsd::Llsd;
use viewerproto::login::{self, LoginReply, LoginRequest};
use viewerproto::messages::{Chat, InstantMessage, Message, Name, chat_source, dialog};
use viewerproto::world_messages::{Dialog, TRANSACTION_GIFT, WorldMessage};
use viewerproto::xmlrpc;

/// The region's name (what `RegionHandshake` says).
pub const REGION_NAME: &str = "Botgrid Test Region";
/// Where the region is on the grid (metres of its corner).
pub const REGION_CORNER: (u32, u32) = (256_000, 256_000);

/// Something an agent did that the test can check.
#[derive(Debug, Clone, PartialEq)]
pub enum Heard {
    /// An IM to a puppet (an account not logged in).
    Im {
        from: Uuid,
        to: Uuid,
        dialog: u8,
        message: String,
    },
    /// Local chat, on any channel.
    Chat {
        from: Uuid,
        channel: i32,
        chat_type: u8,
        message: String,
    },
    /// A message in a group's chat.
    GroupChat {
        group: Uuid,
        from: Uuid,
        message: String,
    },
    /// An invitation into a group.
    GroupInvite {
        group: Uuid,
        by: Uuid,
        invitee: Uuid,
        role: Uuid,
    },
    /// An ejection from a group.
    GroupEject {
        group: Uuid,
        by: Uuid,
        ejectee: Uuid,
    },
    /// An agent answered a friendship offer.
    FriendshipAnswer {
        from: Uuid,
        transaction: Uuid,
        accepted: bool,
    },
    /// A group notice.
    GroupNotice {
        group: Uuid,
        from: Uuid,
        subject: String,
        text: String,
    },
    /// An agent offered a puppet a teleport.
    TeleportOffer {
        from: Uuid,
        to: Uuid,
        message: String,
    },
    /// An agent touched an object.
    Touched { from: Uuid, object: Uuid },
    /// A member put into a role (`added`) or taken out of it.
    RoleChange {
        group: Uuid,
        by: Uuid,
        role: Uuid,
        member: Uuid,
        added: bool,
    },
    /// An agent made a group its active one.
    GroupActivated { from: Uuid, group: Uuid },
    /// An agent sat on an object.
    Sat { from: Uuid, object: Uuid },
    /// An agent stood up.
    Stood { from: Uuid },
    /// A button pressed in an object's dialog.
    DialogReply {
        from: Uuid,
        object: Uuid,
        channel: i32,
        button_index: i32,
        label: String,
    },
}

/// Powers of a group member in the test region: all of them (the region does not
/// check powers; it reports them).
pub const MEMBER_POWERS: u64 = u64::MAX >> 1;

struct Group {
    id: Uuid,
    name: String,
    members: Vec<Uuid>,
    /// Invitations not yet answered: session → invitee.
    invitations: HashMap<Uuid, Uuid>,
}

/// An object in the region, driven by the test.
#[derive(Debug, Clone)]
pub struct PuppetObject {
    pub id: Uuid,
    pub name: String,
    pub owner: Uuid,
}

/// What every account's inventory holds: the root has a landmark and a Notecards
/// folder, which holds a notecard.
pub const LANDMARK_NAME: &str = "Home Sweet Home";
pub const NOTECARD_NAME: &str = "Hello Notecard";

struct Account {
    /// The inventory's root folder and its Notecards folder.
    inventory: (Uuid, Uuid),
    id: Uuid,
    first: String,
    last: String,
    passwd: String,
    balance: i32,
}

/// What every account starts with, L$.
pub const START_BALANCE: i32 = 1000;

struct Agent {
    session: Uuid,
    circuit_code: u32,
    addr: Option<SocketAddr>,
    circuit: Circuit,
    /// The region whose circuit the agent has.
    region: usize,
    /// The region whose `UseCircuitCode` is awaited (another one during a teleport).
    expected_region: usize,
}

/// One region of the test grid: its name, corner and UDP socket.
struct Region {
    name: String,
    corner: (u32, u32),
    socket: Arc<UdpSocket>,
}

impl Region {
    fn handle(&self) -> u64 {
        (u64::from(self.corner.0) << 32) | u64::from(self.corner.1)
    }
}

/// Something to send: to whom, and the bytes.
type Outgoing = Vec<(SocketAddr, Vec<u8>)>;

#[derive(Default)]
struct State {
    accounts: Vec<Account>,
    agents: HashMap<Uuid, Agent>,
    by_addr: HashMap<SocketAddr, Uuid>,
    heard: Vec<Heard>,
    logins: u32,
    groups: Vec<Group>,
    /// Event-queue events not yet fetched, per agent.
    queues: HashMap<Uuid, VecDeque<QueuedEvent>>,
    next_event_id: i32,
    /// Event-queue requests answered with events.
    queue_deliveries: u32,
    wake: Arc<tokio::sync::Notify>,
    regions: Vec<Region>,
    /// The region each address last had a circuit with (kept after the agent leaves, so
    /// that a goodbye still goes out through the right socket).
    last_region: HashMap<SocketAddr, usize>,
    /// The login URI, which capabilities are under.
    base: String,
    /// Objects that can be sat on.
    seats: Vec<Uuid>,
    /// Teleport offers not yet answered: lure → (the agent offered, the region).
    lures: HashMap<Uuid, (Uuid, usize)>,
    /// Objects in the first region (key, region id), shown to agents as they arrive.
    objects: Vec<(Uuid, u32)>,
    /// Who asked to sit where, and who sits where.
    sit_requests: HashMap<Uuid, Uuid>,
    sitting: HashMap<Uuid, Uuid>,
}

impl State {
    fn account(&self, id: Uuid) -> Option<&Account> {
        self.accounts.iter().find(|a| a.id == id)
    }

    /// Queues an event for an agent's event queue.
    fn queue(&mut self, agent: Uuid, event: QueuedEvent) {
        self.queues.entry(agent).or_default().push_back(event);
        self.wake.notify_waiters();
    }

    /// An agent's groups as `Membership`s.
    fn memberships(&self, agent: Uuid) -> Vec<Membership> {
        self.groups
            .iter()
            .filter(|g| g.members.contains(&agent))
            .map(|g| Membership {
                group: g.id,
                powers: MEMBER_POWERS,
                accept_notices: true,
                insignia: Uuid::nil(),
                contribution: 0,
                name: g.name.clone(),
            })
            .collect()
    }

    fn group(&mut self, id: Uuid) -> Option<&mut Group> {
        self.groups.iter_mut().find(|g| g.id == id)
    }

    /// A group chat line to every member present but the sender.
    fn group_chat(&mut self, group: Uuid, from: Uuid, message: &str) -> Vec<(SocketAddr, Vec<u8>)> {
        let Some(g) = self.groups.iter().find(|g| g.id == group) else {
            return vec![];
        };
        let (name, members) = (g.name.clone(), g.members.clone());
        self.heard.push(Heard::GroupChat {
            group,
            from,
            message: message.into(),
        });
        let from_name = self.full_name(from);
        members
            .into_iter()
            .filter(|m| *m != from)
            .filter_map(|m| {
                let mut im = InstantMessage::text(from, Uuid::nil(), &from_name, m, message);
                im.dialog = dialog::SESSION_SEND;
                im.id = group;
                im.binary_bucket = name.as_bytes().to_vec();
                self.frame(m, &Message::ImprovedInstantMessage(im))
            })
            .collect()
    }

    /// A group notice to every member present but the sender: an IM of the notice
    /// dialog, `subject|text`, the bucket carrying no attachment and the group's key.
    fn group_notice(
        &mut self,
        group: Uuid,
        from: Uuid,
        subject: &str,
        text: &str,
    ) -> Vec<(SocketAddr, Vec<u8>)> {
        let Some(g) = self.groups.iter().find(|g| g.id == group) else {
            return vec![];
        };
        let members = g.members.clone();
        self.heard.push(Heard::GroupNotice {
            group,
            from,
            subject: subject.into(),
            text: text.into(),
        });
        let from_name = self.full_name(from);
        let mut bucket = vec![0u8, 0u8];
        bucket.extend_from_slice(group.as_bytes());
        members
            .into_iter()
            .filter(|m| *m != from)
            .filter_map(|m| {
                let mut im = InstantMessage::text(
                    from,
                    Uuid::nil(),
                    &from_name,
                    m,
                    &format!("{subject}|{text}"),
                );
                im.dialog = dialog::GROUP_NOTICE;
                im.id = Uuid::new_v4();
                im.binary_bucket = bucket.clone();
                self.frame(m, &Message::ImprovedInstantMessage(im))
            })
            .collect()
    }

    /// Invites `invitee` into `group`: an IM of the invitation dialog, as grids send it
    /// (from the group's key and name; the fee, big-endian, and the role in the bucket).
    fn invite(
        &mut self,
        group: Uuid,
        by: Uuid,
        invitee: Uuid,
        role: Uuid,
    ) -> Option<(SocketAddr, Vec<u8>)> {
        let session = Uuid::new_v4();
        let name = {
            let g = self.group(group)?;
            g.invitations.insert(session, invitee);
            g.name.clone()
        };
        self.heard.push(Heard::GroupInvite {
            group,
            by,
            invitee,
            role,
        });
        let by_name = self.full_name(by);
        let mut im = InstantMessage::text(
            group,
            Uuid::nil(),
            &name,
            invitee,
            &format!("{by_name} has invited you to join a group."),
        );
        im.dialog = dialog::GROUP_INVITATION;
        im.id = session;
        let mut bucket = 0i32.to_be_bytes().to_vec();
        bucket.extend_from_slice(role.as_bytes());
        im.binary_bucket = bucket;
        self.frame(invitee, &Message::ImprovedInstantMessage(im))
    }

    fn full_name(&self, id: Uuid) -> String {
        self.account(id)
            .map(|a| format!("{} {}", a.first, a.last))
            .unwrap_or_default()
    }

    /// The socket of the region an address's agent is in.
    fn socket_for(&self, addr: SocketAddr) -> Option<Arc<UdpSocket>> {
        let region = *self.last_region.get(&addr)?;
        Some(self.regions.get(region)?.socket.clone())
    }

    /// Frames a message for an agent on its circuit: (address, bytes).
    fn frame(&mut self, to: Uuid, m: &Message) -> Option<(SocketAddr, Vec<u8>)> {
        let agent = self.agents.get_mut(&to)?;
        let addr = agent.addr?;
        let wire = agent
            .circuit
            .send(m.encode(), m.reliable(), m.zero_coded(), Instant::now())
            .ok()?;
        Some((addr, wire))
    }
}

/// A running test region. Dropping it stops it.
pub struct TestRegion {
    /// The XML-RPC login URI.
    pub login_uri: String,
    /// The region's UDP address.
    pub udp: SocketAddr,
    state: Arc<Mutex<State>>,
    tasks: Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

impl Drop for TestRegion {
    fn drop(&mut self) {
        for t in self.tasks.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            t.abort();
        }
    }
}

/// Sends what was framed, each through the socket of its agent's region.
async fn send_routed(state: &Mutex<State>, out: Outgoing) {
    let routed: Vec<(Arc<UdpSocket>, SocketAddr, Vec<u8>)> = {
        let st = lock(state);
        out.into_iter()
            .filter_map(|(addr, wire)| st.socket_for(addr).map(|s| (s, addr, wire)))
            .collect()
    };
    for (socket, addr, wire) in routed {
        let _ = socket.send_to(&wire, addr).await;
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

impl TestRegion {
    /// Starts on ephemeral loopback ports.
    pub async fn start() -> std::io::Result<TestRegion> {
        let state = Arc::new(Mutex::new(State::default()));
        let socket = Arc::new(UdpSocket::bind("127.0.0.1:0").await?);
        let udp = socket.local_addr()?;
        let http = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let login_uri = format!("http://{}/", http.local_addr()?);
        let app = {
            let (s1, s2, s3, s4) = (state.clone(), state.clone(), state.clone(), state.clone());
            let base = login_uri.clone();
            let base2 = login_uri.clone();
            axum::Router::new()
                .route(
                    "/",
                    axum::routing::post(move |body: String| {
                        let state = s1.clone();
                        let base = base.clone();
                        async move { login_answer(&state, udp, &base, &body) }
                    }),
                )
                .route(
                    "/caps/{agent}",
                    axum::routing::post(
                        move |axum::extract::Path(agent): axum::extract::Path<Uuid>| {
                            let state = s2.clone();
                            let base = base2.clone();
                            async move { seed_answer(&state, &base, agent) }
                        },
                    ),
                )
                .route(
                    "/inv/{agent}",
                    axum::routing::post(
                        move |axum::extract::Path(agent): axum::extract::Path<Uuid>,
                              body: String| {
                            let state = s4.clone();
                            async move { inventory_answer(&state, agent, &body) }
                        },
                    ),
                )
                .route(
                    "/eq/{agent}",
                    axum::routing::post(
                        move |axum::extract::Path(agent): axum::extract::Path<Uuid>| {
                            let state = s3.clone();
                            async move { event_queue_answer(&state, agent).await }
                        },
                    ),
                )
        };
        let mut tasks = vec![tokio::spawn(async move {
            let _ = axum::serve(http, app).await;
        })];
        {
            let mut st = lock(&state);
            st.base = login_uri.clone();
            st.regions.push(Region {
                name: REGION_NAME.into(),
                corner: REGION_CORNER,
                socket: socket.clone(),
            });
        }
        tasks.push(tokio::spawn(udp_loop(socket.clone(), 0, state.clone())));
        tasks.push(tokio::spawn(resend_loop(state.clone())));
        Ok(TestRegion {
            login_uri,
            udp,
            state,
            tasks: Mutex::new(tasks),
        })
    }

    /// Adds another region to the grid, at this corner (metres); agents teleport there.
    pub async fn add_region(&self, name: &str, corner: (u32, u32)) -> std::io::Result<SocketAddr> {
        let socket = Arc::new(UdpSocket::bind("127.0.0.1:0").await?);
        let addr = socket.local_addr()?;
        let index = {
            let mut st = lock(&self.state);
            st.regions.push(Region {
                name: name.into(),
                corner,
                socket: socket.clone(),
            });
            st.regions.len() - 1
        };
        let task = tokio::spawn(udp_loop(socket, index, self.state.clone()));
        self.tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(task);
        Ok(addr)
    }

    /// The name of the region an agent is in.
    pub fn region_of(&self, id: Uuid) -> Option<String> {
        let st = lock(&self.state);
        let a = st.agents.get(&id).filter(|a| a.addr.is_some())?;
        st.regions.get(a.region).map(|r| r.name.clone())
    }

    /// Adds an account that may log in (or be driven as a puppet).
    pub fn add_account(&self, first: &str, last: &str, password: &str) -> Uuid {
        let id = Uuid::new_v4();
        lock(&self.state).accounts.push(Account {
            id,
            first: first.into(),
            last: last.into(),
            passwd: login::password_hash(password),
            balance: START_BALANCE,
            inventory: (Uuid::new_v4(), Uuid::new_v4()),
        });
        id
    }

    /// An account's inventory root and its Notecards folder.
    pub fn inventory_folders(&self, id: Uuid) -> Option<(Uuid, Uuid)> {
        lock(&self.state).account(id).map(|a| a.inventory)
    }

    /// Makes a group with these members.
    pub fn add_group(&self, name: &str, members: &[Uuid]) -> Uuid {
        let id = Uuid::new_v4();
        lock(&self.state).groups.push(Group {
            id,
            name: name.into(),
            members: members.to_vec(),
            invitations: HashMap::new(),
        });
        id
    }

    /// A group's members.
    pub fn members(&self, group: Uuid) -> Vec<Uuid> {
        lock(&self.state)
            .group(group)
            .map(|g| g.members.clone())
            .unwrap_or_default()
    }

    /// A puppet says something in a group's chat.
    pub async fn group_say_as(&self, group: Uuid, from: Uuid, message: &str) {
        let out = lock(&self.state).group_chat(group, from, message);
        self.send_all(out).await;
    }

    /// A puppet sends a group notice.
    pub async fn notice_as(&self, group: Uuid, from: Uuid, subject: &str, text: &str) {
        let out = lock(&self.state).group_notice(group, from, subject, text);
        self.send_all(out).await;
    }

    /// A puppet invites an agent into a group.
    pub async fn invite_as(&self, group: Uuid, by: Uuid, invitee: Uuid) {
        let out = lock(&self.state).invite(group, by, invitee, Uuid::nil());
        self.send_all(out.into_iter().collect()).await;
    }

    /// An object shows an agent a dialog.
    pub async fn dialog_as(
        &self,
        object: &PuppetObject,
        to: Uuid,
        message: &str,
        buttons: &[&str],
        channel: i32,
    ) {
        let (object, object_name, owner) = (object.id, object.name.as_str(), object.owner);
        let out = {
            let mut st = lock(&self.state);
            let (first, last) = st
                .account(owner)
                .map(|a| (a.first.clone(), a.last.clone()))
                .unwrap_or_default();
            let m = Message::World(WorldMessage::ScriptDialog(Dialog {
                object,
                first,
                last,
                object_name: object_name.into(),
                message: message.into(),
                channel,
                image: Uuid::nil(),
                buttons: buttons.iter().map(|b| b.to_string()).collect(),
                owners: vec![owner],
            }));
            st.frame(to, &m)
        };
        self.send_all(out.into_iter().collect()).await;
    }

    /// An object says something in local chat (channel 0).
    pub async fn object_say_as(&self, object: &PuppetObject, message: &str) {
        let (object, object_name, owner) = (object.id, object.name.as_str(), object.owner);
        let out = {
            let mut st = lock(&self.state);
            let chat = Chat {
                from_name: object_name.into(),
                source: object,
                owner,
                source_type: chat_source::OBJECT,
                chat_type: viewerproto::messages::chat_type::NORMAL,
                audible: 1,
                position: [128.0, 128.0, 25.0],
                message: message.into(),
            };
            let ids: Vec<Uuid> = st.agents.keys().copied().collect();
            ids.into_iter()
                .filter_map(|to| st.frame(to, &Message::ChatFromSimulator(chat.clone())))
                .collect::<Vec<_>>()
        };
        self.send_all(out).await;
    }

    /// A puppet pays an agent (or anyone): balances move, and the payee, if present,
    /// hears of it (`MoneyBalanceReply`, as grids tell a payee).
    pub async fn pay_as(&self, from: Uuid, to: Uuid, amount: i32, description: &str) {
        let out = {
            let mut st = lock(&self.state);
            for a in st.accounts.iter_mut() {
                if a.id == from {
                    a.balance -= amount;
                } else if a.id == to {
                    a.balance += amount;
                }
            }
            let balance = st.account(to).map(|a| a.balance).unwrap_or(0);
            let m = Message::World(WorldMessage::MoneyBalanceReply {
                agent: to,
                transaction: Uuid::new_v4(),
                success: true,
                balance,
                description: String::new(),
                transaction_type: TRANSACTION_GIFT,
                source: from,
                dest: to,
                amount,
                item_description: description.into(),
            });
            st.frame(to, &m)
        };
        self.send_all(out.into_iter().collect()).await;
    }

    /// Puts an object in the first region; agents there are told of it (the compressed
    /// form every other time, as grids mix both).
    pub async fn add_object(&self, id: Uuid) {
        let out = {
            let mut st = lock(&self.state);
            let local_id = 1000 + st.objects.len() as u32;
            st.objects.push((id, local_id));
            let seen = viewerproto::world_messages::ObjectSeen { id, local_id };
            let handle = st.regions[0].handle();
            let m = if local_id.is_multiple_of(2) {
                WorldMessage::ObjectUpdate {
                    region_handle: handle,
                    objects: vec![seen],
                }
            } else {
                WorldMessage::ObjectUpdateCompressed {
                    region_handle: handle,
                    objects: vec![seen],
                }
            };
            let present: Vec<Uuid> = st
                .agents
                .iter()
                .filter(|(_, a)| a.addr.is_some() && a.region == 0)
                .map(|(id, _)| *id)
                .collect();
            present
                .into_iter()
                .filter_map(|to| st.frame(to, &Message::World(m.clone())))
                .collect::<Vec<_>>()
        };
        self.send_all(out).await;
    }

    /// A puppet offers an agent a teleport to a region of the grid (by name).
    pub async fn offer_teleport_as(&self, from: Uuid, to: Uuid, region: &str, message: &str) {
        let out = {
            let mut st = lock(&self.state);
            let Some(target) = st.regions.iter().position(|r| r.name == region) else {
                return;
            };
            let lure = Uuid::new_v4();
            st.lures.insert(lure, (to, target));
            let mut im = InstantMessage::text(from, Uuid::nil(), &st.full_name(from), to, message);
            im.dialog = dialog::LURE_USER;
            im.id = lure;
            st.frame(to, &Message::ImprovedInstantMessage(im))
        };
        self.send_all(out.into_iter().collect()).await;
    }

    /// Makes an object that agents can sit on.
    pub fn add_seat(&self, object: Uuid) {
        lock(&self.state).seats.push(object);
    }

    /// An account's L$ balance.
    pub fn balance(&self, id: Uuid) -> Option<i32> {
        lock(&self.state).account(id).map(|a| a.balance)
    }

    /// Whether the account has an agent in the region (its circuit is open).
    pub fn is_present(&self, id: Uuid) -> bool {
        lock(&self.state)
            .agents
            .get(&id)
            .is_some_and(|a| a.addr.is_some())
    }

    /// How many event-queue requests were answered with events.
    pub fn queue_deliveries(&self) -> u32 {
        lock(&self.state).queue_deliveries
    }

    /// How many logins succeeded so far.
    pub fn logins(&self) -> u32 {
        lock(&self.state).logins
    }

    /// What agents sent to puppets and said in chat, oldest first.
    pub fn heard(&self) -> Vec<Heard> {
        lock(&self.state).heard.clone()
    }

    /// A puppet says something in local chat on channel 0 (which agents hear).
    pub async fn say_as(&self, from: Uuid, message: &str) {
        let out = {
            let mut st = lock(&self.state);
            let chat = Chat {
                from_name: st.full_name(from),
                source: from,
                owner: from,
                source_type: chat_source::AGENT,
                chat_type: viewerproto::messages::chat_type::NORMAL,
                audible: 1,
                position: [128.0, 128.0, 25.0],
                message: message.into(),
            };
            let ids: Vec<Uuid> = st.agents.keys().copied().collect();
            ids.into_iter()
                .filter_map(|to| st.frame(to, &Message::ChatFromSimulator(chat.clone())))
                .collect::<Vec<_>>()
        };
        self.send_all(out).await;
    }

    /// A puppet sends an IM to an agent.
    pub async fn im_as(&self, from: Uuid, to: Uuid, message: &str) {
        self.im_dialog_as(from, to, dialog::MESSAGE_FROM_AGENT, message)
            .await;
    }

    /// A puppet sends an IM of any dialog kind.
    pub async fn im_dialog_as(&self, from: Uuid, to: Uuid, dialog: u8, message: &str) {
        let out = {
            let mut st = lock(&self.state);
            let mut im = InstantMessage::text(from, Uuid::nil(), &st.full_name(from), to, message);
            im.dialog = dialog;
            st.frame(to, &Message::ImprovedInstantMessage(im))
        };
        self.send_all(out.into_iter().collect()).await;
    }

    /// The region throws an agent out (`KickUser`).
    pub async fn kick(&self, id: Uuid, reason: &str) {
        let out = {
            let mut st = lock(&self.state);
            let session = st.agents.get(&id).map(|a| a.session).unwrap_or_default();
            let m = Message::KickUser {
                agent: id,
                session,
                reason: reason.into(),
            };
            let out = st.frame(id, &m);
            forget(&mut st, id);
            out
        };
        self.send_all(out.into_iter().collect()).await;
    }

    /// The region forgets an agent without a word (as if it restarted): the agent's
    /// packets go unanswered from now on.
    pub fn drop_agent(&self, id: Uuid) {
        forget(&mut lock(&self.state), id);
    }

    async fn send_all(&self, out: Outgoing) {
        send_routed(&self.state, out).await;
    }
}

fn forget(st: &mut State, id: Uuid) {
    if let Some(agent) = st.agents.remove(&id)
        && let Some(addr) = agent.addr
    {
        st.by_addr.remove(&addr);
    }
}

/// Answers a login: the reply, `presence` once while the account still has an agent
/// (which is then logged out, as grids do), or `key` for a wrong name or password.
/// The seed capability: the event queue of the agent, while it is in the region.
fn seed_answer(state: &Mutex<State>, base: &str, agent: Uuid) -> (axum::http::StatusCode, String) {
    if !lock(state).agents.contains_key(&agent) {
        return (axum::http::StatusCode::NOT_FOUND, String::new());
    }
    let caps = Llsd::Map(vec![
        (
            "EventQueueGet".into(),
            Llsd::String(format!("{base}eq/{agent}")),
        ),
        (
            "FetchInventoryDescendents2".into(),
            Llsd::String(format!("{base}inv/{agent}")),
        ),
    ]);
    (axum::http::StatusCode::OK, caps.to_xml())
}

/// `FetchInventoryDescendents2`: the contents of one of the agent's two folders.
fn inventory_answer(
    state: &Mutex<State>,
    agent: Uuid,
    body: &str,
) -> (axum::http::StatusCode, String) {
    let st = lock(state);
    let Some((root, notecards)) = st.account(agent).map(|a| a.inventory) else {
        return (axum::http::StatusCode::NOT_FOUND, String::new());
    };
    let Ok(doc) = Llsd::from_xml(body) else {
        return (axum::http::StatusCode::BAD_REQUEST, String::new());
    };
    let folder = doc
        .get("folders")
        .and_then(|f| f.as_array().first().and_then(|f| f.get("folder_id")))
        .map(Llsd::uuid)
        .unwrap_or_default();
    let item = |parent: Uuid, kind: i32, name: &str| viewerproto::caps::InventoryItem {
        id: Uuid::from_u128(parent.as_u128() ^ 0xff),
        parent,
        asset: Uuid::from_u128(parent.as_u128() ^ 0xaa),
        kind,
        name: name.into(),
        description: String::new(),
        owner_mask: 0x7fff_ffff,
        next_owner_mask: 0x0008_2000,
        created: 1_700_000_000,
    };
    let contents = if folder == root {
        viewerproto::caps::FolderContents {
            folders: vec![viewerproto::caps::InventoryFolder {
                id: notecards,
                parent: root,
                name: "Notecards".into(),
                kind: 7,
            }],
            items: vec![item(root, 3, LANDMARK_NAME)],
        }
    } else if folder == notecards {
        viewerproto::caps::FolderContents {
            folders: vec![],
            items: vec![item(notecards, 7, NOTECARD_NAME)],
        }
    } else {
        viewerproto::caps::FolderContents::default()
    };
    (
        axum::http::StatusCode::OK,
        viewerproto::caps::folder_answer(agent, folder, &contents).to_xml(),
    )
}

/// One event-queue request: the agent's waiting events, or 502 after 2 s without any,
/// or 404 once the agent has left (as grids answer).
async fn event_queue_answer(state: &Mutex<State>, agent: Uuid) -> (axum::http::StatusCode, String) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    loop {
        let wake = lock(state).wake.clone();
        let notified = wake.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        {
            let mut st = lock(state);
            if !st.agents.contains_key(&agent) {
                return (axum::http::StatusCode::NOT_FOUND, String::new());
            }
            let waiting: Vec<QueuedEvent> = st
                .queues
                .get_mut(&agent)
                .map(|q| q.drain(..).collect())
                .unwrap_or_default();
            if !waiting.is_empty() {
                st.next_event_id += 1;
                st.queue_deliveries += 1;
                let doc = Llsd::Map(vec![
                    (
                        "events".into(),
                        Llsd::Array(
                            waiting
                                .into_iter()
                                .map(|e| {
                                    Llsd::Map(vec![
                                        ("message".into(), Llsd::String(e.message)),
                                        ("body".into(), e.body),
                                    ])
                                })
                                .collect(),
                        ),
                    ),
                    ("id".into(), Llsd::Integer(st.next_event_id)),
                ]);
                return (axum::http::StatusCode::OK, doc.to_xml());
            }
        }
        if tokio::time::timeout_at(deadline, notified).await.is_err() {
            return (axum::http::StatusCode::BAD_GATEWAY, String::new());
        }
    }
}

fn login_answer(state: &Mutex<State>, udp: SocketAddr, base: &str, body: &str) -> String {
    let value = match LoginRequest::from_xml(body) {
        Err(_) => login::refusal("key", "The login request could not be read."),
        Ok(req) => {
            let mut st = lock(state);
            let found = st
                .accounts
                .iter()
                .find(|a| {
                    a.first.eq_ignore_ascii_case(&req.first)
                        && a.last.eq_ignore_ascii_case(&req.last)
                })
                .map(|a| {
                    (
                        a.id,
                        a.first.clone(),
                        a.last.clone(),
                        a.passwd == req.passwd,
                    )
                });
            match found {
                None | Some((_, _, _, false)) => login::refusal(
                    "key",
                    "Sorry! We couldn't log you in. Please check your name and password.",
                ),
                Some((id, _, _, true)) if st.agents.contains_key(&id) => {
                    forget(&mut st, id);
                    login::refusal(
                        "presence",
                        "You are already logged in; that session is being logged out.",
                    )
                }
                Some((id, first, last, true)) => {
                    let session = Uuid::new_v4();
                    let circuit_code = rand::random::<u32>() | 1;
                    st.agents.insert(
                        id,
                        Agent {
                            session,
                            circuit_code,
                            addr: None,
                            circuit: Circuit::new(Instant::now()),
                            region: 0,
                            expected_region: 0,
                        },
                    );
                    st.logins += 1;
                    LoginReply {
                        agent_id: id,
                        session_id: session,
                        secure_session_id: Uuid::new_v4(),
                        circuit_code,
                        sim: udp,
                        seed_capability: format!("{base}caps/{id}"),
                        first_name: first,
                        last_name: last,
                        region_x: REGION_CORNER.0,
                        region_y: REGION_CORNER.1,
                        message: "Welcome to the botgrid test region.".into(),
                        inventory_root: st.account(id).map(|a| a.inventory.0),
                    }
                    .to_value()
                }
            }
        }
    };
    xmlrpc::method_response(&value)
}

async fn resend_loop(state: Arc<Mutex<State>>) {
    let mut tick = tokio::time::interval(Duration::from_millis(50));
    loop {
        tick.tick().await;
        let out: Vec<(SocketAddr, Vec<u8>)> = {
            let mut st = lock(&state);
            let now = Instant::now();
            st.agents
                .values_mut()
                .filter_map(|a| a.addr.map(|addr| (addr, a.circuit.due(now))))
                .flat_map(|(addr, wires)| wires.into_iter().map(move |w| (addr, w)))
                .collect()
        };
        send_routed(&state, out).await;
    }
}

async fn udp_loop(socket: Arc<UdpSocket>, region: usize, state: Arc<Mutex<State>>) {
    let mut buf = vec![0u8; 8192];
    loop {
        let Ok((n, from)) = socket.recv_from(&mut buf).await else {
            continue;
        };
        let out = handle(&state, region, from, &buf[..n]);
        send_routed(&state, out).await;
    }
}

/// One datagram from `from` to `region`: what to send in answer.
fn handle(state: &Mutex<State>, region: usize, from: SocketAddr, data: &[u8]) -> Outgoing {
    let mut st = lock(state);
    let now = Instant::now();
    let mut out = Vec::new();
    // An agent's packets count in the region it has its circuit with.
    let known = st
        .by_addr
        .get(&from)
        .copied()
        .filter(|id| st.agents.get(id).is_some_and(|a| a.region == region));
    let agent_id = match known {
        Some(id) => id,
        None => {
            // Only UseCircuitCode opens a circuit, and only with a code from a login.
            let Ok(p) = viewerproto::packet::Packet::decode(data) else {
                return out;
            };
            let Ok(Message::UseCircuitCode {
                code,
                session,
                agent,
            }) = Message::decode(&p.body)
            else {
                return out;
            };
            let Some(a) = st.agents.get_mut(&agent) else {
                return out;
            };
            let moving = a.addr.is_some() && a.region != region;
            if a.circuit_code != code
                || a.session != session
                || a.expected_region != region
                || (a.addr.is_some() && !moving)
            {
                return out;
            }
            // A new circuit (a teleport's hand-over keeps the code, not the circuit).
            a.addr = Some(from);
            a.region = region;
            a.circuit = Circuit::new(now);
            st.by_addr.insert(from, agent);
            st.last_region.insert(from, region);
            agent
        }
    };
    let Some(agent) = st.agents.get_mut(&agent_id) else {
        return out;
    };
    let session = agent.session;
    let packet = match agent.circuit.receive(data, now) {
        Ok(Some(p)) => p,
        _ => return out,
    };
    let Ok(message) = Message::decode(&packet.body) else {
        return out;
    };
    let mut reply = |st: &mut State, to: Uuid, m: Message| {
        if let Some(f) = st.frame(to, &m) {
            out.push(f);
        }
    };
    match message {
        Message::UseCircuitCode { .. } => {}
        Message::CompleteAgentMovement {
            agent,
            session: s,
            circuit_code,
        } if agent == agent_id && s == session => {
            let _ = circuit_code;
            let (name, handle) = (st.regions[region].name.clone(), st.regions[region].handle());
            reply(
                &mut st,
                agent_id,
                Message::RegionHandshake {
                    flags: 0,
                    sim_name: name,
                    region_id: Uuid::from_u128(0x7e57 + region as u128),
                },
            );
            reply(
                &mut st,
                agent_id,
                Message::AgentMovementComplete {
                    agent: agent_id,
                    session,
                    position: [128.0, 128.0, 25.0],
                    look_at: [1.0, 0.0, 0.0],
                    region_handle: handle,
                    timestamp: 0,
                    channel_version: "botgrid test region".into(),
                },
            );
            // What is in view: the first region's objects.
            if region == 0 && !st.objects.is_empty() {
                let objects = st
                    .objects
                    .iter()
                    .map(|(id, local_id)| viewerproto::world_messages::ObjectSeen {
                        id: *id,
                        local_id: *local_id,
                    })
                    .collect();
                reply(
                    &mut st,
                    agent_id,
                    Message::World(WorldMessage::ObjectUpdate {
                        region_handle: handle,
                        objects,
                    }),
                );
            }
        }
        Message::StartPingCheck { ping, .. } => {
            reply(&mut st, agent_id, Message::CompletePingCheck { ping });
        }
        Message::LogoutRequest { agent, session: s } if agent == agent_id && s == session => {
            reply(
                &mut st,
                agent_id,
                Message::LogoutReply {
                    agent: agent_id,
                    session,
                },
            );
            forget(&mut st, agent_id);
        }
        Message::ImprovedInstantMessage(im)
            if im.agent == agent_id
                && im.session == session
                && im.dialog == dialog::SESSION_SEND =>
        {
            let member = st
                .groups
                .iter()
                .any(|g| g.id == im.to_agent && g.members.contains(&agent_id));
            if member {
                out.extend(st.group_chat(im.to_agent, agent_id, &im.message));
            }
        }
        Message::ImprovedInstantMessage(im)
            if im.agent == agent_id
                && im.session == session
                && im.dialog == dialog::GROUP_NOTICE =>
        {
            let member = st
                .groups
                .iter()
                .any(|g| g.id == im.to_agent && g.members.contains(&agent_id));
            if member {
                let (subject, text) = im.message.split_once('|').unwrap_or(("", &im.message));
                out.extend(st.group_notice(im.to_agent, agent_id, subject, text));
            }
        }
        Message::World(WorldMessage::AcceptFriendship {
            agent,
            session: s,
            transaction,
            ..
        }) if agent == agent_id && s == session => {
            st.heard.push(Heard::FriendshipAnswer {
                from: agent_id,
                transaction,
                accepted: true,
            });
        }
        Message::World(WorldMessage::DeclineFriendship {
            agent,
            session: s,
            transaction,
        }) if agent == agent_id && s == session => {
            st.heard.push(Heard::FriendshipAnswer {
                from: agent_id,
                transaction,
                accepted: false,
            });
        }
        Message::ImprovedInstantMessage(im)
            if im.agent == agent_id
                && im.session == session
                && matches!(
                    im.dialog,
                    dialog::GROUP_INVITATION_ACCEPT | dialog::GROUP_INVITATION_DECLINE
                ) =>
        {
            let accepted = im.dialog == dialog::GROUP_INVITATION_ACCEPT;
            let joined = st.group(im.to_agent).is_some_and(|g| {
                let ok = g.invitations.get(&im.id) == Some(&agent_id);
                if ok {
                    g.invitations.remove(&im.id);
                    if accepted && !g.members.contains(&agent_id) {
                        g.members.push(agent_id);
                    }
                }
                ok && accepted
            });
            if joined {
                let groups = st.memberships(agent_id);
                st.queue(
                    agent_id,
                    viewerproto::caps::group_list_event(agent_id, &groups),
                );
            }
        }
        Message::ImprovedInstantMessage(mut im)
            if im.agent == agent_id && im.session == session =>
        {
            let to = im.to_agent;
            if st.agents.get(&to).is_some_and(|a| a.addr.is_some()) {
                // Relayed as the region does: the sender's key, no session, its name.
                im.session = Uuid::nil();
                im.from_name = st.full_name(agent_id);
                reply(&mut st, to, Message::ImprovedInstantMessage(im));
            } else if st.account(to).is_some() {
                st.heard.push(Heard::Im {
                    from: agent_id,
                    to,
                    dialog: im.dialog,
                    message: im.message,
                });
            }
        }
        Message::ChatFromViewer {
            agent,
            session: s,
            message,
            chat_type,
            channel,
        } if agent == agent_id && s == session => {
            st.heard.push(Heard::Chat {
                from: agent_id,
                channel,
                chat_type,
                message: message.clone(),
            });
            if channel == 0 {
                let chat = Chat {
                    from_name: st.full_name(agent_id),
                    source: agent_id,
                    owner: agent_id,
                    source_type: chat_source::AGENT,
                    chat_type,
                    audible: 1,
                    position: [128.0, 128.0, 25.0],
                    message,
                };
                let ids: Vec<Uuid> = st.agents.keys().copied().collect();
                for to in ids {
                    reply(&mut st, to, Message::ChatFromSimulator(chat.clone()));
                }
            }
        }
        Message::UuidNameRequest(ids) => {
            let names = ids
                .iter()
                .filter_map(|id| st.account(*id))
                .map(|a| Name {
                    id: a.id,
                    first: a.first.clone(),
                    last: a.last.clone(),
                })
                .collect();
            reply(&mut st, agent_id, Message::UuidNameReply(names));
        }
        Message::AvatarPickerRequest {
            agent,
            session: s,
            query,
            name,
        } if agent == agent_id && s == session => {
            let wanted = name.to_lowercase();
            let found = st
                .accounts
                .iter()
                .filter(|a| {
                    format!("{} {}", a.first, a.last)
                        .to_lowercase()
                        .contains(&wanted)
                })
                .map(|a| Name {
                    id: a.id,
                    first: a.first.clone(),
                    last: a.last.clone(),
                })
                .collect();
            reply(
                &mut st,
                agent_id,
                Message::AvatarPickerReply {
                    agent: agent_id,
                    query,
                    found,
                },
            );
        }
        Message::Group(GroupMessage::AgentDataUpdateRequest { agent, session: s })
            if agent == agent_id && s == session =>
        {
            // As grids do now: the group list goes through the event queue.
            let groups = st.memberships(agent_id);
            st.queue(
                agent_id,
                viewerproto::caps::group_list_event(agent_id, &groups),
            );
        }
        Message::Group(GroupMessage::GroupRoleDataRequest {
            agent,
            session: s,
            group,
            request,
        }) if agent == agent_id && s == session => {
            let Some(g) = st.groups.iter().find(|g| g.id == group) else {
                return out;
            };
            let members = g.members.len() as u32;
            // Two roles, sent in two parts (grids split long lists).
            let everyone = Role {
                id: Uuid::nil(),
                name: "Everyone".into(),
                title: "Member".into(),
                description: "Every member".into(),
                powers: 0x1000_0000,
                members,
            };
            let owners = Role {
                id: Uuid::from_u128(group.as_u128() ^ 1),
                name: "Owners".into(),
                title: "Owner".into(),
                description: "The group's owners".into(),
                powers: MEMBER_POWERS,
                members: 1,
            };
            for part in [everyone, owners] {
                reply(
                    &mut st,
                    agent_id,
                    Message::Group(GroupMessage::GroupRoleDataReply {
                        agent: agent_id,
                        group,
                        request,
                        role_count: 2,
                        roles: vec![part],
                    }),
                );
            }
        }
        Message::Group(GroupMessage::JoinGroupRequest {
            agent,
            session: s,
            group,
        }) if agent == agent_id && s == session => {
            let success = match st.group(group) {
                Some(g) => {
                    if !g.members.contains(&agent_id) {
                        g.members.push(agent_id);
                    }
                    true
                }
                None => false,
            };
            reply(
                &mut st,
                agent_id,
                Message::Group(GroupMessage::JoinGroupReply {
                    agent: agent_id,
                    group,
                    success,
                }),
            );
        }
        Message::Group(GroupMessage::LeaveGroupRequest {
            agent,
            session: s,
            group,
        }) if agent == agent_id && s == session => {
            let success = st.group(group).is_some_and(|g| {
                let was = g.members.contains(&agent_id);
                g.members.retain(|m| *m != agent_id);
                was
            });
            reply(
                &mut st,
                agent_id,
                Message::Group(GroupMessage::LeaveGroupReply {
                    agent: agent_id,
                    group,
                    success,
                }),
            );
        }
        Message::Group(GroupMessage::GroupRoleChanges {
            agent,
            session: s,
            group,
            changes,
        }) if agent == agent_id && s == session => {
            for (role, member, change) in changes {
                st.heard.push(Heard::RoleChange {
                    group,
                    by: agent_id,
                    role,
                    member,
                    added: change == viewerproto::group_messages::ROLE_ADD,
                });
            }
        }
        Message::Group(GroupMessage::ActivateGroup {
            agent,
            session: s,
            group,
        }) if agent == agent_id && s == session => {
            st.heard.push(Heard::GroupActivated {
                from: agent_id,
                group,
            });
        }
        Message::Group(GroupMessage::InviteGroupRequest {
            agent,
            session: s,
            group,
            invites,
        }) if agent == agent_id && s == session => {
            let member = st
                .groups
                .iter()
                .any(|g| g.id == group && g.members.contains(&agent_id));
            if member {
                for (invitee, role) in invites {
                    if let Some(f) = st.invite(group, agent_id, invitee, role) {
                        out.push(f);
                    }
                }
            }
        }
        Message::Group(GroupMessage::EjectGroupMemberRequest {
            agent,
            session: s,
            group,
            ejectees,
        }) if agent == agent_id && s == session => {
            let mut success = false;
            if let Some(g) = st.group(group)
                && g.members.contains(&agent_id)
            {
                success = true;
                g.members.retain(|m| !ejectees.contains(m));
            }
            if success {
                for ejectee in &ejectees {
                    st.heard.push(Heard::GroupEject {
                        group,
                        by: agent_id,
                        ejectee: *ejectee,
                    });
                }
            }
            reply(
                &mut st,
                agent_id,
                Message::Group(GroupMessage::EjectGroupMemberReply {
                    agent: agent_id,
                    group,
                    success,
                }),
            );
        }
        // An object that cannot be sat on gets no answer, as in grids.
        Message::World(WorldMessage::AgentRequestSit {
            agent,
            session: s,
            target,
            ..
        }) if agent == agent_id && s == session && st.seats.contains(&target) => {
            st.sit_requests.insert(agent_id, target);
            reply(
                &mut st,
                agent_id,
                Message::World(WorldMessage::AvatarSitResponse {
                    object: target,
                    autopilot: false,
                    position: [0.0, 0.0, 0.5],
                }),
            );
        }
        Message::World(WorldMessage::AgentSit { agent, session: s })
            if agent == agent_id && s == session =>
        {
            if let Some(object) = st.sit_requests.remove(&agent_id) {
                st.sitting.insert(agent_id, object);
                st.heard.push(Heard::Sat {
                    from: agent_id,
                    object,
                });
            }
        }
        Message::AgentUpdate(u)
            if u.agent == agent_id
                && u.session == session
                && u.control_flags & viewerproto::messages::CONTROL_STAND_UP != 0
                && st.sitting.contains_key(&agent_id) =>
        {
            st.sitting.remove(&agent_id);
            st.heard.push(Heard::Stood { from: agent_id });
        }
        Message::World(WorldMessage::StartLure {
            agent,
            session: s,
            message,
            targets,
            ..
        }) if agent == agent_id && s == session => {
            let here = st.agents.get(&agent_id).map(|a| a.region).unwrap_or(0);
            let name = st.full_name(agent_id);
            for to in targets {
                if st.agents.get(&to).is_some_and(|a| a.addr.is_some()) {
                    let lure = Uuid::new_v4();
                    st.lures.insert(lure, (to, here));
                    let mut im = InstantMessage::text(agent_id, Uuid::nil(), &name, to, &message);
                    im.dialog = dialog::LURE_USER;
                    im.id = lure;
                    reply(&mut st, to, Message::ImprovedInstantMessage(im));
                } else if st.account(to).is_some() {
                    st.heard.push(Heard::TeleportOffer {
                        from: agent_id,
                        to,
                        message: message.clone(),
                    });
                }
            }
        }
        Message::World(WorldMessage::ObjectGrab {
            agent,
            session: s,
            local_id,
            ..
        }) if agent == agent_id && s == session => {
            if let Some((object, _)) = st.objects.iter().find(|(_, l)| *l == local_id).copied() {
                st.heard.push(Heard::Touched {
                    from: agent_id,
                    object,
                });
            }
        }
        Message::World(WorldMessage::ScriptDialogReply {
            agent,
            session: s,
            object,
            channel,
            button_index,
            button_label,
        }) if agent == agent_id && s == session => {
            st.heard.push(Heard::DialogReply {
                from: agent_id,
                object,
                channel,
                button_index,
                label: button_label,
            });
        }
        Message::World(WorldMessage::MapNameRequest {
            agent,
            session: s,
            name,
        }) if agent == agent_id && s == session => {
            let wanted = name.to_lowercase();
            let blocks = st
                .regions
                .iter()
                .filter(|r| r.name.to_lowercase().contains(&wanted))
                .map(|r| viewerproto::world_messages::MapBlock {
                    x: (r.corner.0 / 256) as u16,
                    y: (r.corner.1 / 256) as u16,
                    name: r.name.clone(),
                    access: 13,
                    flags: 0,
                    agents: 0,
                    image: Uuid::nil(),
                })
                .collect();
            reply(
                &mut st,
                agent_id,
                Message::World(WorldMessage::MapBlockReply {
                    agent: agent_id,
                    blocks,
                }),
            );
        }
        Message::World(WorldMessage::TeleportLocationRequest {
            agent,
            session: s,
            region_handle,
            position,
            look_at,
        }) if agent == agent_id && s == session => {
            let target = st.regions.iter().position(|r| r.handle() == region_handle);
            let here = st.agents.get(&agent_id).map(|a| a.region);
            match target {
                None => reply(
                    &mut st,
                    agent_id,
                    Message::World(WorldMessage::TeleportFailed {
                        agent: agent_id,
                        reason: "Could not find that region.".into(),
                    }),
                ),
                Some(t) if Some(t) == here => reply(
                    &mut st,
                    agent_id,
                    Message::World(WorldMessage::TeleportLocal {
                        agent: agent_id,
                        location: 0,
                        position,
                        look_at,
                        flags: 0,
                    }),
                ),
                Some(t) => {
                    if let Some(a) = st.agents.get_mut(&agent_id) {
                        a.expected_region = t;
                    }
                    reply(
                        &mut st,
                        agent_id,
                        Message::World(WorldMessage::TeleportStart { flags: 16 }),
                    );
                    let sim = match st.regions[t].socket.local_addr() {
                        Ok(SocketAddr::V4(v4)) => v4,
                        _ => return out,
                    };
                    let seed = format!("{}caps/{agent_id}", st.base);
                    let handle = st.regions[t].handle();
                    st.queue(
                        agent_id,
                        viewerproto::caps::teleport_finish_event(agent_id, sim, handle, &seed),
                    );
                }
            }
        }
        // An accepted teleport offer: to the offered region's middle.
        Message::World(WorldMessage::TeleportLureRequest {
            agent,
            session: s,
            lure,
            ..
        }) if agent == agent_id
            && s == session
            && st.lures.get(&lure).is_some_and(|(who, _)| *who == agent_id) =>
        {
            let (position, look_at) = ([128.0, 128.0, 25.0], [1.0, 0.0, 0.0]);
            let target = st.lures.remove(&lure).map(|(_, region)| region);
            let here = st.agents.get(&agent_id).map(|a| a.region);
            match target {
                None => reply(
                    &mut st,
                    agent_id,
                    Message::World(WorldMessage::TeleportFailed {
                        agent: agent_id,
                        reason: "Could not find that region.".into(),
                    }),
                ),
                Some(t) if Some(t) == here => reply(
                    &mut st,
                    agent_id,
                    Message::World(WorldMessage::TeleportLocal {
                        agent: agent_id,
                        location: 0,
                        position,
                        look_at,
                        flags: 0,
                    }),
                ),
                Some(t) => {
                    if let Some(a) = st.agents.get_mut(&agent_id) {
                        a.expected_region = t;
                    }
                    reply(
                        &mut st,
                        agent_id,
                        Message::World(WorldMessage::TeleportStart { flags: 16 }),
                    );
                    let sim = match st.regions[t].socket.local_addr() {
                        Ok(SocketAddr::V4(v4)) => v4,
                        _ => return out,
                    };
                    let seed = format!("{}caps/{agent_id}", st.base);
                    let handle = st.regions[t].handle();
                    st.queue(
                        agent_id,
                        viewerproto::caps::teleport_finish_event(agent_id, sim, handle, &seed),
                    );
                }
            }
        }
        // Home (the zero landmark) is the first region's middle.
        Message::World(WorldMessage::TeleportLandmarkRequest {
            agent,
            session: s,
            landmark,
        }) if agent == agent_id && s == session && landmark.is_nil() => {
            let (position, look_at) = ([128.0, 128.0, 25.0], [1.0, 0.0, 0.0]);
            let target = Some(0);
            let here = st.agents.get(&agent_id).map(|a| a.region);
            match target {
                None => reply(
                    &mut st,
                    agent_id,
                    Message::World(WorldMessage::TeleportFailed {
                        agent: agent_id,
                        reason: "Could not find that region.".into(),
                    }),
                ),
                Some(t) if Some(t) == here => reply(
                    &mut st,
                    agent_id,
                    Message::World(WorldMessage::TeleportLocal {
                        agent: agent_id,
                        location: 0,
                        position,
                        look_at,
                        flags: 0,
                    }),
                ),
                Some(t) => {
                    if let Some(a) = st.agents.get_mut(&agent_id) {
                        a.expected_region = t;
                    }
                    reply(
                        &mut st,
                        agent_id,
                        Message::World(WorldMessage::TeleportStart { flags: 16 }),
                    );
                    let sim = match st.regions[t].socket.local_addr() {
                        Ok(SocketAddr::V4(v4)) => v4,
                        _ => return out,
                    };
                    let seed = format!("{}caps/{agent_id}", st.base);
                    let handle = st.regions[t].handle();
                    st.queue(
                        agent_id,
                        viewerproto::caps::teleport_finish_event(agent_id, sim, handle, &seed),
                    );
                }
            }
        }
        Message::World(WorldMessage::MoneyBalanceRequest {
            agent,
            session: s,
            transaction,
        }) if agent == agent_id && s == session => {
            let balance = st.account(agent_id).map(|a| a.balance).unwrap_or(0);
            reply(
                &mut st,
                agent_id,
                Message::World(WorldMessage::MoneyBalanceReply {
                    agent: agent_id,
                    transaction,
                    success: true,
                    balance,
                    description: String::new(),
                    transaction_type: 0,
                    source: Uuid::nil(),
                    dest: Uuid::nil(),
                    amount: 0,
                    item_description: String::new(),
                }),
            );
        }
        Message::World(WorldMessage::MoneyTransferRequest {
            agent,
            session: s,
            source,
            dest,
            amount,
            description,
            ..
        }) if agent == agent_id && s == session && source == agent_id => {
            let have = st.account(agent_id).map(|a| a.balance).unwrap_or(0);
            let ok = amount > 0 && have >= amount && st.account(dest).is_some();
            if ok {
                for a in st.accounts.iter_mut() {
                    if a.id == agent_id {
                        a.balance -= amount;
                    } else if a.id == dest {
                        a.balance += amount;
                    }
                }
            }
            let notice = |st: &State, who: Uuid, success: bool| WorldMessage::MoneyBalanceReply {
                agent: who,
                transaction: Uuid::nil(),
                success,
                balance: st.account(who).map(|a| a.balance).unwrap_or(0),
                description: if success {
                    String::new()
                } else {
                    "You cannot pay that much.".into()
                },
                transaction_type: TRANSACTION_GIFT,
                source: agent_id,
                dest,
                amount,
                item_description: description.clone(),
            };
            let to_payer = notice(&st, agent_id, ok);
            reply(&mut st, agent_id, Message::World(to_payer));
            if ok && st.agents.get(&dest).is_some_and(|a| a.addr.is_some()) {
                let to_payee = notice(&st, dest, true);
                reply(&mut st, dest, Message::World(to_payee));
            }
        }
        _ => {}
    }
    out
}
