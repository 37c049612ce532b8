//! Messages about the agent in the world: money, teleports, sitting, touching objects,
//! script dialogs, alerts and friends' online state.

use crate::fields::{Reader, Writer};
use crate::packet::MessageNumber;
use crate::{Error, Uuid};
use std::net::Ipv4Addr;

pub const MONEY_BALANCE_REQUEST: MessageNumber = MessageNumber::Low(313);
pub const MONEY_BALANCE_REPLY: MessageNumber = MessageNumber::Low(314);
pub const MONEY_TRANSFER_REQUEST: MessageNumber = MessageNumber::Low(311);
pub const TELEPORT_LOCATION_REQUEST: MessageNumber = MessageNumber::Low(63);
pub const TELEPORT_LANDMARK_REQUEST: MessageNumber = MessageNumber::Low(65);
pub const TELEPORT_LURE_REQUEST: MessageNumber = MessageNumber::Low(71);
pub const START_LURE: MessageNumber = MessageNumber::Low(70);
/// `TeleportFlags` of a teleport that answers an offer.
pub const TELEPORT_VIA_LURE: u32 = 1 << 2;
pub const TELEPORT_LOCAL: MessageNumber = MessageNumber::Low(64);
pub const TELEPORT_PROGRESS: MessageNumber = MessageNumber::Low(66);
pub const TELEPORT_FINISH: MessageNumber = MessageNumber::Low(69);
pub const TELEPORT_START: MessageNumber = MessageNumber::Low(73);
pub const TELEPORT_FAILED: MessageNumber = MessageNumber::Low(74);
pub const AGENT_REQUEST_SIT: MessageNumber = MessageNumber::High(6);
pub const AGENT_SIT: MessageNumber = MessageNumber::High(7);
pub const AVATAR_SIT_RESPONSE: MessageNumber = MessageNumber::High(21);
pub const OBJECT_GRAB: MessageNumber = MessageNumber::Low(117);
pub const OBJECT_UPDATE: MessageNumber = MessageNumber::High(12);
pub const OBJECT_UPDATE_COMPRESSED: MessageNumber = MessageNumber::High(13);
pub const OBJECT_UPDATE_CACHED: MessageNumber = MessageNumber::High(14);
pub const REQUEST_MULTIPLE_OBJECTS: MessageNumber = MessageNumber::Medium(3);
pub const COARSE_LOCATION_UPDATE: MessageNumber = MessageNumber::Medium(6);
/// `RequestMultipleObjects` cache-miss kind: the agent does not have the object.
pub const CACHE_MISS_FULL: u8 = 0;

/// An object the region told the agent about: its key and its id in the region (what
/// touching it names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObjectSeen {
    pub id: Uuid,
    pub local_id: u32,
}
pub const OBJECT_DEGRAB: MessageNumber = MessageNumber::Low(119);
pub const SCRIPT_DIALOG: MessageNumber = MessageNumber::Low(190);
pub const SCRIPT_DIALOG_REPLY: MessageNumber = MessageNumber::Low(191);
pub const ALERT_MESSAGE: MessageNumber = MessageNumber::Low(134);
pub const AGENT_ALERT_MESSAGE: MessageNumber = MessageNumber::Low(135);
pub const ONLINE_NOTIFICATION: MessageNumber = MessageNumber::Low(322);
pub const OFFLINE_NOTIFICATION: MessageNumber = MessageNumber::Low(323);
pub const ACCEPT_FRIENDSHIP: MessageNumber = MessageNumber::Low(297);
pub const MAP_NAME_REQUEST: MessageNumber = MessageNumber::Low(408);
pub const MAP_BLOCK_REPLY: MessageNumber = MessageNumber::Low(409);

/// A region as the map lists it: its grid position (in regions, not metres) and name.
#[derive(Debug, Clone, PartialEq)]
pub struct MapBlock {
    pub x: u16,
    pub y: u16,
    pub name: String,
    pub access: u8,
    pub flags: u32,
    pub agents: u8,
    pub image: Uuid,
}

impl MapBlock {
    /// The region's handle (its corner in metres).
    pub fn handle(&self) -> u64 {
        region_handle(u32::from(self.x) * 256, u32::from(self.y) * 256)
    }
}
pub const DECLINE_FRIENDSHIP: MessageNumber = MessageNumber::Low(298);
pub const TERMINATE_FRIENDSHIP: MessageNumber = MessageNumber::Low(300);

/// `TransactionType` of a payment to an avatar or object (the protocol's "gift").
pub const TRANSACTION_GIFT: i32 = 5001;

/// A region's handle: the global x and y of its corner in metres.
pub fn region_handle(x: u32, y: u32) -> u64 {
    (u64::from(x) << 32) | u64::from(y)
}

/// A script dialog, as the region shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Dialog {
    pub object: Uuid,
    pub first: String,
    pub last: String,
    pub object_name: String,
    pub message: String,
    pub channel: i32,
    pub image: Uuid,
    pub buttons: Vec<String>,
    pub owners: Vec<Uuid>,
}

/// A message about the agent in the world.
#[derive(Debug, Clone, PartialEq)]
pub enum WorldMessage {
    MoneyBalanceRequest {
        agent: Uuid,
        session: Uuid,
        transaction: Uuid,
    },
    MoneyBalanceReply {
        agent: Uuid,
        transaction: Uuid,
        success: bool,
        balance: i32,
        description: String,
        /// What moved, when the reply follows a payment: type, source, destination, amount.
        transaction_type: i32,
        source: Uuid,
        dest: Uuid,
        amount: i32,
        item_description: String,
    },
    MoneyTransferRequest {
        agent: Uuid,
        session: Uuid,
        source: Uuid,
        dest: Uuid,
        flags: u8,
        amount: i32,
        transaction_type: i32,
        description: String,
    },
    TeleportLocationRequest {
        agent: Uuid,
        session: Uuid,
        region_handle: u64,
        position: [f32; 3],
        look_at: [f32; 3],
    },
    /// Offers avatars a teleport to where the agent is.
    StartLure {
        agent: Uuid,
        session: Uuid,
        lure_type: u8,
        message: String,
        targets: Vec<Uuid>,
    },
    /// Accepts a teleport offer (the offer IM's id is the lure).
    TeleportLureRequest {
        agent: Uuid,
        session: Uuid,
        lure: Uuid,
        flags: u32,
    },
    /// To a landmark; the zero key means home.
    TeleportLandmarkRequest {
        agent: Uuid,
        session: Uuid,
        landmark: Uuid,
    },
    TeleportStart {
        flags: u32,
    },
    TeleportProgress {
        agent: Uuid,
        flags: u32,
        message: String,
    },
    TeleportFinish {
        agent: Uuid,
        location: u32,
        sim_ip: Ipv4Addr,
        sim_port: u16,
        region_handle: u64,
        seed_capability: String,
        sim_access: u8,
        flags: u32,
    },
    TeleportFailed {
        agent: Uuid,
        reason: String,
    },
    TeleportLocal {
        agent: Uuid,
        location: u32,
        position: [f32; 3],
        look_at: [f32; 3],
        flags: u32,
    },
    AgentRequestSit {
        agent: Uuid,
        session: Uuid,
        target: Uuid,
        offset: [f32; 3],
    },
    AgentSit {
        agent: Uuid,
        session: Uuid,
    },
    AvatarSitResponse {
        object: Uuid,
        autopilot: bool,
        position: [f32; 3],
    },
    ObjectGrab {
        agent: Uuid,
        session: Uuid,
        local_id: u32,
        offset: [f32; 3],
    },
    ObjectDeGrab {
        agent: Uuid,
        session: Uuid,
        local_id: u32,
    },
    ScriptDialog(Dialog),
    ScriptDialogReply {
        agent: Uuid,
        session: Uuid,
        object: Uuid,
        channel: i32,
        button_index: i32,
        button_label: String,
    },
    AlertMessage {
        message: String,
    },
    AgentAlertMessage {
        agent: Uuid,
        modal: bool,
        message: String,
    },
    OnlineNotification(Vec<Uuid>),
    OfflineNotification(Vec<Uuid>),
    /// Accepts the friendship offer of this transaction (the offer IM's id).
    AcceptFriendship {
        agent: Uuid,
        session: Uuid,
        transaction: Uuid,
        /// Where the calling card goes (none: the default folder).
        folders: Vec<Uuid>,
    },
    DeclineFriendship {
        agent: Uuid,
        session: Uuid,
        transaction: Uuid,
    },
    /// Ends a friendship with `other`.
    TerminateFriendship {
        agent: Uuid,
        session: Uuid,
        other: Uuid,
    },
    /// Objects in view (`ObjectUpdate`): only their keys and region ids are read.
    ObjectUpdate {
        region_handle: u64,
        objects: Vec<ObjectSeen>,
    },
    /// The same in its compressed form.
    ObjectUpdateCompressed {
        region_handle: u64,
        objects: Vec<ObjectSeen>,
    },
    /// Objects in view offered from a viewer's cache: region id, CRC and update flags.
    /// A client without a cache asks for them in full (`RequestMultipleObjects`).
    ObjectUpdateCached {
        region_handle: u64,
        objects: Vec<(u32, u32, u32)>,
    },
    /// Asks for objects by region id: (cache-miss kind, id).
    RequestMultipleObjects {
        agent: Uuid,
        session: Uuid,
        objects: Vec<(u8, u32)>,
    },
    /// Where the avatars of the region are, coarsely: metres, with the height in
    /// steps of 4 m. `you` is the agent's own index (-1: not listed).
    CoarseLocationUpdate {
        you: i16,
        prey: i16,
        avatars: Vec<(Uuid, [u8; 3])>,
    },
    /// Asks the map for regions whose name contains `name`.
    MapNameRequest {
        agent: Uuid,
        session: Uuid,
        name: String,
    },
    MapBlockReply {
        agent: Uuid,
        blocks: Vec<MapBlock>,
    },
}

impl WorldMessage {
    pub fn number(&self) -> MessageNumber {
        use WorldMessage::*;
        match self {
            MoneyBalanceRequest { .. } => MONEY_BALANCE_REQUEST,
            MoneyBalanceReply { .. } => MONEY_BALANCE_REPLY,
            MoneyTransferRequest { .. } => MONEY_TRANSFER_REQUEST,
            TeleportLocationRequest { .. } => TELEPORT_LOCATION_REQUEST,
            TeleportLandmarkRequest { .. } => TELEPORT_LANDMARK_REQUEST,
            TeleportLureRequest { .. } => TELEPORT_LURE_REQUEST,
            StartLure { .. } => START_LURE,
            TeleportStart { .. } => TELEPORT_START,
            TeleportProgress { .. } => TELEPORT_PROGRESS,
            TeleportFinish { .. } => TELEPORT_FINISH,
            TeleportFailed { .. } => TELEPORT_FAILED,
            TeleportLocal { .. } => TELEPORT_LOCAL,
            AgentRequestSit { .. } => AGENT_REQUEST_SIT,
            AgentSit { .. } => AGENT_SIT,
            AvatarSitResponse { .. } => AVATAR_SIT_RESPONSE,
            ObjectGrab { .. } => OBJECT_GRAB,
            ObjectDeGrab { .. } => OBJECT_DEGRAB,
            ScriptDialog(_) => SCRIPT_DIALOG,
            ScriptDialogReply { .. } => SCRIPT_DIALOG_REPLY,
            AlertMessage { .. } => ALERT_MESSAGE,
            AgentAlertMessage { .. } => AGENT_ALERT_MESSAGE,
            OnlineNotification(_) => ONLINE_NOTIFICATION,
            OfflineNotification(_) => OFFLINE_NOTIFICATION,
            AcceptFriendship { .. } => ACCEPT_FRIENDSHIP,
            MapNameRequest { .. } => MAP_NAME_REQUEST,
            ObjectUpdate { .. } => OBJECT_UPDATE,
            ObjectUpdateCompressed { .. } => OBJECT_UPDATE_COMPRESSED,
            ObjectUpdateCached { .. } => OBJECT_UPDATE_CACHED,
            CoarseLocationUpdate { .. } => COARSE_LOCATION_UPDATE,
            RequestMultipleObjects { .. } => REQUEST_MULTIPLE_OBJECTS,
            MapBlockReply { .. } => MAP_BLOCK_REPLY,
            DeclineFriendship { .. } => DECLINE_FRIENDSHIP,
            TerminateFriendship { .. } => TERMINATE_FRIENDSHIP,
        }
    }

    pub fn zero_coded(&self) -> bool {
        use WorldMessage::*;
        matches!(
            self,
            MoneyBalanceRequest { .. }
                | TeleportLandmarkRequest { .. }
                | MoneyBalanceReply { .. }
                | MoneyTransferRequest { .. }
                | AgentRequestSit { .. }
                | AvatarSitResponse { .. }
                | ObjectUpdate { .. }
                | RequestMultipleObjects { .. }
                | ObjectGrab { .. }
                | ScriptDialog(_)
                | ScriptDialogReply { .. }
        )
    }

    /// Sit and grab requests are sent as often as a viewer sends them: unreliably.
    pub fn reliable(&self) -> bool {
        !matches!(
            self,
            WorldMessage::AgentRequestSit { .. } | WorldMessage::AgentSit { .. }
        )
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        use WorldMessage::*;
        let no_surface = |w: &mut Writer| {
            // SurfaceInfo: none (a touch without a surface point).
            w.u8(0);
        };
        match self {
            MoneyBalanceRequest {
                agent,
                session,
                transaction,
            } => {
                w.uuid(*agent).uuid(*session).uuid(*transaction);
            }
            MoneyBalanceReply {
                agent,
                transaction,
                success,
                balance,
                description,
                transaction_type,
                source,
                dest,
                amount,
                item_description,
            } => {
                w.uuid(*agent)
                    .uuid(*transaction)
                    .bool(*success)
                    .i32(*balance)
                    .i32(0)
                    .i32(0)
                    .str1(description)
                    .i32(*transaction_type)
                    .uuid(*source)
                    .bool(false)
                    .uuid(*dest)
                    .bool(false)
                    .i32(*amount)
                    .str1(item_description);
            }
            MoneyTransferRequest {
                agent,
                session,
                source,
                dest,
                flags,
                amount,
                transaction_type,
                description,
            } => {
                w.uuid(*agent)
                    .uuid(*session)
                    .uuid(*source)
                    .uuid(*dest)
                    .u8(*flags)
                    .i32(*amount)
                    .u8(0)
                    .u8(0)
                    .i32(*transaction_type)
                    .str1(description);
            }
            TeleportLocationRequest {
                agent,
                session,
                region_handle,
                position,
                look_at,
            } => {
                w.uuid(*agent)
                    .uuid(*session)
                    .u64(*region_handle)
                    .vec3(*position)
                    .vec3(*look_at);
            }
            TeleportLandmarkRequest {
                agent,
                session,
                landmark,
            } => {
                w.uuid(*agent).uuid(*session).uuid(*landmark);
            }
            TeleportLureRequest {
                agent,
                session,
                lure,
                flags,
            } => {
                w.uuid(*agent).uuid(*session).uuid(*lure).u32(*flags);
            }
            StartLure {
                agent,
                session,
                lure_type,
                message,
                targets,
            } => {
                w.uuid(*agent).uuid(*session).u8(*lure_type).str1(message);
                let targets = &targets[..targets.len().min(255)];
                w.u8(targets.len() as u8);
                for t in targets {
                    w.uuid(*t);
                }
            }
            TeleportStart { flags } => {
                w.u32(*flags);
            }
            TeleportProgress {
                agent,
                flags,
                message,
            } => {
                w.uuid(*agent).u32(*flags).str1(message);
            }
            TeleportFinish {
                agent,
                location,
                sim_ip,
                sim_port,
                region_handle,
                seed_capability,
                sim_access,
                flags,
            } => {
                w.uuid(*agent)
                    .u32(*location)
                    .ipaddr(*sim_ip)
                    .ipport(*sim_port)
                    .u64(*region_handle)
                    .str2(seed_capability)
                    .u8(*sim_access)
                    .u32(*flags);
            }
            TeleportFailed { agent, reason } => {
                w.uuid(*agent).str1(reason).u8(0);
            }
            TeleportLocal {
                agent,
                location,
                position,
                look_at,
                flags,
            } => {
                w.uuid(*agent)
                    .u32(*location)
                    .vec3(*position)
                    .vec3(*look_at)
                    .u32(*flags);
            }
            AgentRequestSit {
                agent,
                session,
                target,
                offset,
            } => {
                w.uuid(*agent).uuid(*session).uuid(*target).vec3(*offset);
            }
            AgentSit { agent, session } => {
                w.uuid(*agent).uuid(*session);
            }
            AvatarSitResponse {
                object,
                autopilot,
                position,
            } => {
                w.uuid(*object)
                    .bool(*autopilot)
                    .vec3(*position)
                    .quat([0.0; 3])
                    .vec3([0.0; 3])
                    .vec3([0.0; 3])
                    .bool(false);
            }
            ObjectGrab {
                agent,
                session,
                local_id,
                offset,
            } => {
                w.uuid(*agent).uuid(*session).u32(*local_id).vec3(*offset);
                no_surface(w);
            }
            ObjectDeGrab {
                agent,
                session,
                local_id,
            } => {
                w.uuid(*agent).uuid(*session).u32(*local_id);
                no_surface(w);
            }
            ScriptDialog(d) => {
                w.uuid(d.object)
                    .str1(&d.first)
                    .str1(&d.last)
                    .str1(&d.object_name)
                    .str2(&d.message)
                    .i32(d.channel)
                    .uuid(d.image);
                let buttons = &d.buttons[..d.buttons.len().min(255)];
                w.u8(buttons.len() as u8);
                for b in buttons {
                    w.str1(b);
                }
                let owners = &d.owners[..d.owners.len().min(255)];
                w.u8(owners.len() as u8);
                for o in owners {
                    w.uuid(*o);
                }
            }
            ScriptDialogReply {
                agent,
                session,
                object,
                channel,
                button_index,
                button_label,
            } => {
                w.uuid(*agent)
                    .uuid(*session)
                    .uuid(*object)
                    .i32(*channel)
                    .i32(*button_index)
                    .str1(button_label);
            }
            AlertMessage { message } => {
                w.str1(message).u8(0);
            }
            AgentAlertMessage {
                agent,
                modal,
                message,
            } => {
                w.uuid(*agent).bool(*modal).str1(message);
            }
            OnlineNotification(ids) | OfflineNotification(ids) => {
                let ids = &ids[..ids.len().min(255)];
                w.u8(ids.len() as u8);
                for id in ids {
                    w.uuid(*id);
                }
            }
            AcceptFriendship {
                agent,
                session,
                transaction,
                folders,
            } => {
                w.uuid(*agent).uuid(*session).uuid(*transaction);
                let folders = &folders[..folders.len().min(255)];
                w.u8(folders.len() as u8);
                for f in folders {
                    w.uuid(*f);
                }
            }
            DeclineFriendship {
                agent,
                session,
                transaction,
            } => {
                w.uuid(*agent).uuid(*session).uuid(*transaction);
            }
            TerminateFriendship {
                agent,
                session,
                other,
            } => {
                w.uuid(*agent).uuid(*session).uuid(*other);
            }
            ObjectUpdate {
                region_handle,
                objects,
            } => {
                w.u64(*region_handle).u16(0);
                let objects = &objects[..objects.len().min(255)];
                w.u8(objects.len() as u8);
                for o in objects {
                    // A plain box: every field present, nearly all empty.
                    w.u32(o.local_id).u8(0).uuid(o.id).u32(0).u8(9).u8(3).u8(0);
                    w.vec3([0.5; 3]).var1(&[]).u32(0).u32(0);
                    w.u8(16).u8(1).u16(0).u16(0).u8(100).u8(100);
                    w.u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0);
                    w.u16(0).u16(0).u16(0);
                    w.var2(&[]).var1(&[]).var2(&[]).var2(&[]).var1(&[]);
                    w.fixed(&[0; 4]).var1(&[]).var1(&[]).var1(&[]);
                    w.uuid(Uuid::nil())
                        .uuid(Uuid::nil())
                        .f32(0.0)
                        .u8(0)
                        .f32(0.0);
                    w.u8(0).vec3([0.0; 3]).vec3([0.0; 3]);
                }
            }
            ObjectUpdateCompressed {
                region_handle,
                objects,
            } => {
                w.u64(*region_handle).u16(0);
                let objects = &objects[..objects.len().min(255)];
                w.u8(objects.len() as u8);
                for o in objects {
                    let mut data = o.id.as_bytes().to_vec();
                    data.extend_from_slice(&o.local_id.to_le_bytes());
                    w.u32(0).var2(&data);
                }
            }
            ObjectUpdateCached {
                region_handle,
                objects,
            } => {
                w.u64(*region_handle).u16(0);
                let objects = &objects[..objects.len().min(255)];
                w.u8(objects.len() as u8);
                for (id, crc, flags) in objects {
                    w.u32(*id).u32(*crc).u32(*flags);
                }
            }
            CoarseLocationUpdate { you, prey, avatars } => {
                let avatars = &avatars[..avatars.len().min(255)];
                w.u8(avatars.len() as u8);
                for (_, [x, y, z]) in avatars {
                    w.u8(*x).u8(*y).u8(*z);
                }
                w.u16(*you as u16).u16(*prey as u16);
                w.u8(avatars.len() as u8);
                for (id, _) in avatars {
                    w.uuid(*id);
                }
            }
            RequestMultipleObjects {
                agent,
                session,
                objects,
            } => {
                w.uuid(*agent).uuid(*session);
                let objects = &objects[..objects.len().min(255)];
                w.u8(objects.len() as u8);
                for (miss, id) in objects {
                    w.u8(*miss).u32(*id);
                }
            }
            MapNameRequest {
                agent,
                session,
                name,
            } => {
                // Flags, estate, godlike: the region fills them in.
                w.uuid(*agent)
                    .uuid(*session)
                    .u32(0)
                    .u32(0)
                    .bool(false)
                    .str1(name);
            }
            MapBlockReply { agent, blocks } => {
                w.uuid(*agent).u32(0);
                let blocks = &blocks[..blocks.len().min(255)];
                w.u8(blocks.len() as u8);
                for b in blocks {
                    w.u16(b.x)
                        .u16(b.y)
                        .str1(&b.name)
                        .u8(b.access)
                        .u32(b.flags)
                        .u8(20)
                        .u8(b.agents)
                        .uuid(b.image);
                }
                // Size: one per block, a standard region.
                w.u8(blocks.len() as u8);
                for _ in blocks {
                    w.u16(256).u16(256);
                }
            }
        }
    }

    /// Reads the fields of a world message with this number; `None` for other numbers.
    pub(crate) fn read(number: MessageNumber, r: &mut Reader<'_>) -> Result<Option<Self>, Error> {
        use WorldMessage::*;
        Ok(Some(match number {
            MONEY_BALANCE_REQUEST => MoneyBalanceRequest {
                agent: r.uuid()?,
                session: r.uuid()?,
                transaction: r.uuid()?,
            },
            MONEY_BALANCE_REPLY => {
                let (agent, transaction, success, balance) =
                    (r.uuid()?, r.uuid()?, r.bool()?, r.i32()?);
                r.i32()?;
                r.i32()?;
                let description = r.str1()?;
                // TransactionInfo is missing in older templates.
                let (transaction_type, source, dest, amount, item_description) = if r.more() {
                    let t = r.i32()?;
                    let source = r.uuid()?;
                    r.bool()?;
                    let dest = r.uuid()?;
                    r.bool()?;
                    (t, source, dest, r.i32()?, r.str1()?)
                } else {
                    (0, Uuid::nil(), Uuid::nil(), 0, String::new())
                };
                MoneyBalanceReply {
                    agent,
                    transaction,
                    success,
                    balance,
                    description,
                    transaction_type,
                    source,
                    dest,
                    amount,
                    item_description,
                }
            }
            MONEY_TRANSFER_REQUEST => {
                let (agent, session, source, dest, flags, amount) = (
                    r.uuid()?,
                    r.uuid()?,
                    r.uuid()?,
                    r.uuid()?,
                    r.u8()?,
                    r.i32()?,
                );
                r.u8()?;
                r.u8()?;
                MoneyTransferRequest {
                    agent,
                    session,
                    source,
                    dest,
                    flags,
                    amount,
                    transaction_type: r.i32()?,
                    description: r.str1()?,
                }
            }
            TELEPORT_LOCATION_REQUEST => TeleportLocationRequest {
                agent: r.uuid()?,
                session: r.uuid()?,
                region_handle: r.u64()?,
                position: r.vec3()?,
                look_at: r.vec3()?,
            },
            START_LURE => {
                let (agent, session, lure_type, message) =
                    (r.uuid()?, r.uuid()?, r.u8()?, r.str1()?);
                let n = r.count()?;
                let targets = (0..n).map(|_| r.uuid()).collect::<Result<_, _>>()?;
                StartLure {
                    agent,
                    session,
                    lure_type,
                    message,
                    targets,
                }
            }
            TELEPORT_LURE_REQUEST => TeleportLureRequest {
                agent: r.uuid()?,
                session: r.uuid()?,
                lure: r.uuid()?,
                flags: r.u32()?,
            },
            TELEPORT_LANDMARK_REQUEST => TeleportLandmarkRequest {
                agent: r.uuid()?,
                session: r.uuid()?,
                landmark: r.uuid()?,
            },
            TELEPORT_START => TeleportStart { flags: r.u32()? },
            TELEPORT_PROGRESS => TeleportProgress {
                agent: r.uuid()?,
                flags: r.u32()?,
                message: r.str1()?,
            },
            TELEPORT_FINISH => TeleportFinish {
                agent: r.uuid()?,
                location: r.u32()?,
                sim_ip: r.ipaddr()?,
                sim_port: r.ipport()?,
                region_handle: r.u64()?,
                seed_capability: r.str2()?,
                sim_access: r.u8()?,
                flags: r.u32()?,
            },
            TELEPORT_FAILED => TeleportFailed {
                agent: r.uuid()?,
                reason: r.str1()?,
            },
            TELEPORT_LOCAL => TeleportLocal {
                agent: r.uuid()?,
                location: r.u32()?,
                position: r.vec3()?,
                look_at: r.vec3()?,
                flags: r.u32()?,
            },
            AGENT_REQUEST_SIT => AgentRequestSit {
                agent: r.uuid()?,
                session: r.uuid()?,
                target: r.uuid()?,
                offset: r.vec3()?,
            },
            AGENT_SIT => AgentSit {
                agent: r.uuid()?,
                session: r.uuid()?,
            },
            AVATAR_SIT_RESPONSE => AvatarSitResponse {
                object: r.uuid()?,
                autopilot: r.bool()?,
                position: r.vec3()?,
            },
            OBJECT_GRAB => ObjectGrab {
                agent: r.uuid()?,
                session: r.uuid()?,
                local_id: r.u32()?,
                offset: r.vec3()?,
            },
            OBJECT_DEGRAB => ObjectDeGrab {
                agent: r.uuid()?,
                session: r.uuid()?,
                local_id: r.u32()?,
            },
            SCRIPT_DIALOG => {
                let (object, first, last, object_name, message, channel, image) = (
                    r.uuid()?,
                    r.str1()?,
                    r.str1()?,
                    r.str1()?,
                    r.str2()?,
                    r.i32()?,
                    r.uuid()?,
                );
                let n = r.count()?;
                let buttons = (0..n).map(|_| r.str1()).collect::<Result<_, _>>()?;
                let owners = if r.more() {
                    let n = r.count()?;
                    (0..n).map(|_| r.uuid()).collect::<Result<_, _>>()?
                } else {
                    vec![]
                };
                ScriptDialog(Dialog {
                    object,
                    first,
                    last,
                    object_name,
                    message,
                    channel,
                    image,
                    buttons,
                    owners,
                })
            }
            SCRIPT_DIALOG_REPLY => ScriptDialogReply {
                agent: r.uuid()?,
                session: r.uuid()?,
                object: r.uuid()?,
                channel: r.i32()?,
                button_index: r.i32()?,
                button_label: r.str1()?,
            },
            ALERT_MESSAGE => AlertMessage { message: r.str1()? },
            AGENT_ALERT_MESSAGE => AgentAlertMessage {
                agent: r.uuid()?,
                modal: r.bool()?,
                message: r.str1()?,
            },
            ONLINE_NOTIFICATION | OFFLINE_NOTIFICATION => {
                let n = r.count()?;
                let ids = (0..n).map(|_| r.uuid()).collect::<Result<_, _>>()?;
                if number == ONLINE_NOTIFICATION {
                    OnlineNotification(ids)
                } else {
                    OfflineNotification(ids)
                }
            }
            ACCEPT_FRIENDSHIP => {
                let (agent, session, transaction) = (r.uuid()?, r.uuid()?, r.uuid()?);
                let n = if r.more() { r.count()? } else { 0 };
                let folders = (0..n).map(|_| r.uuid()).collect::<Result<_, _>>()?;
                AcceptFriendship {
                    agent,
                    session,
                    transaction,
                    folders,
                }
            }
            OBJECT_UPDATE => {
                let region_handle = r.u64()?;
                r.u16()?;
                let n = r.count()?;
                let objects = (0..n)
                    .map(|_| {
                        let local_id = r.u32()?;
                        r.u8()?;
                        let id = r.uuid()?;
                        // The rest of the block, read only to reach the next one.
                        r.fixed(4 + 3 + 12)?;
                        r.var1()?;
                        r.fixed(4 + 4 + 2 + 4 + 2 + 9 + 6)?;
                        r.var2()?;
                        r.var1()?;
                        r.var2()?;
                        r.var2()?;
                        r.var1()?;
                        r.fixed(4)?;
                        r.var1()?;
                        r.var1()?;
                        r.var1()?;
                        r.fixed(16 + 16 + 4 + 1 + 4 + 1 + 12 + 12)?;
                        Ok(ObjectSeen { id, local_id })
                    })
                    .collect::<Result<_, Error>>()?;
                ObjectUpdate {
                    region_handle,
                    objects,
                }
            }
            OBJECT_UPDATE_COMPRESSED => {
                let region_handle = r.u64()?;
                r.u16()?;
                let n = r.count()?;
                let objects = (0..n)
                    .filter_map(|_| {
                        let read = (|| -> Result<_, Error> {
                            r.u32()?;
                            Ok(r.var2()?.to_vec())
                        })();
                        match read {
                            Err(e) => Some(Err(e)),
                            // The data opens with the key and the region id.
                            Ok(d) if d.len() >= 20 => Some(Ok(ObjectSeen {
                                id: Uuid::from_slice(&d[..16]).unwrap_or_default(),
                                local_id: u32::from_le_bytes([d[16], d[17], d[18], d[19]]),
                            })),
                            Ok(_) => None,
                        }
                    })
                    .collect::<Result<_, Error>>()?;
                ObjectUpdateCompressed {
                    region_handle,
                    objects,
                }
            }
            OBJECT_UPDATE_CACHED => {
                let region_handle = r.u64()?;
                r.u16()?;
                let n = r.count()?;
                let objects = (0..n)
                    .map(|_| Ok((r.u32()?, r.u32()?, r.u32()?)))
                    .collect::<Result<_, Error>>()?;
                ObjectUpdateCached {
                    region_handle,
                    objects,
                }
            }
            COARSE_LOCATION_UPDATE => {
                let n = r.count()?;
                let places = (0..n)
                    .map(|_| Ok([r.u8()?, r.u8()?, r.u8()?]))
                    .collect::<Result<Vec<_>, Error>>()?;
                let (you, prey) = (r.u16()? as i16, r.u16()? as i16);
                let n = r.count()?;
                let ids = (0..n).map(|_| r.uuid()).collect::<Result<Vec<_>, _>>()?;
                CoarseLocationUpdate {
                    you,
                    prey,
                    avatars: ids.into_iter().zip(places).collect(),
                }
            }
            REQUEST_MULTIPLE_OBJECTS => {
                let (agent, session) = (r.uuid()?, r.uuid()?);
                let n = r.count()?;
                let objects = (0..n)
                    .map(|_| Ok((r.u8()?, r.u32()?)))
                    .collect::<Result<_, Error>>()?;
                RequestMultipleObjects {
                    agent,
                    session,
                    objects,
                }
            }
            MAP_NAME_REQUEST => {
                let (agent, session) = (r.uuid()?, r.uuid()?);
                r.u32()?;
                r.u32()?;
                r.bool()?;
                MapNameRequest {
                    agent,
                    session,
                    name: r.str1()?,
                }
            }
            MAP_BLOCK_REPLY => {
                let agent = r.uuid()?;
                r.u32()?;
                let n = r.count()?;
                let blocks = (0..n)
                    .map(|_| {
                        let (x, y, name, access, flags) =
                            (r.u16()?, r.u16()?, r.str1()?, r.u8()?, r.u32()?);
                        r.u8()?;
                        Ok(MapBlock {
                            x,
                            y,
                            name,
                            access,
                            flags,
                            agents: r.u8()?,
                            image: r.uuid()?,
                        })
                    })
                    .collect::<Result<_, Error>>()?;
                MapBlockReply { agent, blocks }
            }
            DECLINE_FRIENDSHIP => DeclineFriendship {
                agent: r.uuid()?,
                session: r.uuid()?,
                transaction: r.uuid()?,
            },
            TERMINATE_FRIENDSHIP => TerminateFriendship {
                agent: r.uuid()?,
                session: r.uuid()?,
                other: r.uuid()?,
            },
            _ => return Ok(None),
        }))
    }
}
