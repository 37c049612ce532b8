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

/// Login and capabilities.
mod http;
/// Circuits and messages.
mod udp;

use http::{event_queue_answer, inventory_answer, login_answer, seed_answer};
use udp::{resend_loop, udp_loop};

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
    /// An agent ended a friendship.
    FriendshipEnded { from: Uuid, other: Uuid },
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
    /// Friendships, as pairs of accounts.
    friends: Vec<(Uuid, Uuid)>,
    /// Teleport offers not yet answered: lure → (the agent offered, the region).
    lures: HashMap<Uuid, (Uuid, usize)>,
    /// Objects in the first region (key, region id), shown to agents as they arrive.
    objects: Vec<(Uuid, u32)>,
    /// Who asked to sit where, and who sits where.
    sit_requests: HashMap<Uuid, Uuid>,
    sitting: HashMap<Uuid, Uuid>,
}

impl State {
    fn friends_of(&self, id: Uuid) -> Vec<Uuid> {
        self.friends
            .iter()
            .filter_map(|&(a, b)| match (a == id, b == id) {
                (true, _) => Some(b),
                (_, true) => Some(a),
                _ => None,
            })
            .collect()
    }

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
        // As real grids send it: from the group's key under the sender's name; the IM's
        // session is the notice.
        let from_name = self.full_name(from);
        let mut bucket = vec![0u8, 0u8];
        bucket.extend_from_slice(group.as_bytes());
        let notice = Uuid::new_v4();
        members
            .into_iter()
            .filter(|m| *m != from)
            .filter_map(|m| {
                let mut im = InstantMessage::text(
                    group,
                    Uuid::nil(),
                    &from_name,
                    m,
                    &format!("{subject}|{text}"),
                );
                im.dialog = dialog::GROUP_NOTICE;
                im.id = notice;
                im.binary_bucket = bucket.clone();
                self.frame(m, &Message::ImprovedInstantMessage(im))
            })
            .collect()
    }

    /// Invites `invitee` into `group`: an IM of the invitation dialog, as grids send it
    /// (the fee, big-endian, and the role in the bucket).
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
        // As real grids send it: from the group's key under the inviter's name, the
        // group's name only in the text.
        let by_name = self.full_name(by);
        let mut im = InstantMessage::text(
            group,
            Uuid::nil(),
            &by_name,
            invitee,
            &format!(
                "{by_name} has invited you to join a group called {name}. There is no cost to join this group."
            ),
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

    /// Makes two accounts friends (each lets the other see it online).
    pub fn add_friends(&self, a: Uuid, b: Uuid) {
        lock(&self.state).friends.push((a, b));
    }

    /// The friends of an account.
    pub fn friends_of(&self, id: Uuid) -> Vec<Uuid> {
        lock(&self.state).friends_of(id)
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
