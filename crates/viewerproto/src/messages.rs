//! The messages botgrid sends and reads, with the numbers and layouts of the public
//! message template (version 2.0). Each message encodes to a body (number and fields)
//! and decodes from one; both directions exist so that the in-repo test region speaks
//! the same messages.
//!
//! Decoding is lenient where grids differ: trailing blocks that an older template lacks
//! (the IM's `EstateBlock`, `MetaData`) may be missing, and bytes after the last known
//! field are ignored.

use crate::fields::{Reader, Writer};
use crate::group_messages::GroupMessage;
use crate::packet::{MessageNumber, body_for};
use crate::world_messages::WorldMessage;
use crate::{Error, Uuid};
use std::net::Ipv4Addr;

/// `ImprovedInstantMessage` dialog kinds (the protocol's numbering).
pub mod dialog {
    pub const MESSAGE_FROM_AGENT: u8 = 0;
    pub const MESSAGE_BOX: u8 = 1;
    pub const GROUP_INVITATION: u8 = 3;
    pub const INVENTORY_OFFERED: u8 = 4;
    pub const SESSION_GROUP_START: u8 = 15;
    pub const SESSION_SEND: u8 = 17;
    pub const SESSION_LEAVE: u8 = 18;
    pub const MESSAGE_FROM_OBJECT: u8 = 19;
    pub const BUSY_AUTO_RESPONSE: u8 = 20;
    pub const LURE_USER: u8 = 22;
    pub const LURE_DECLINED: u8 = 24;
    pub const GROUP_NOTICE: u8 = 32;
    pub const GROUP_INVITATION_ACCEPT: u8 = 35;
    pub const GROUP_INVITATION_DECLINE: u8 = 36;
    pub const FRIENDSHIP_OFFERED: u8 = 38;
    pub const FRIENDSHIP_ACCEPTED: u8 = 39;
    pub const FRIENDSHIP_DECLINED: u8 = 40;
    pub const TYPING_START: u8 = 41;
    pub const TYPING_STOP: u8 = 42;
}

/// Local chat types.
pub mod chat_type {
    pub const WHISPER: u8 = 0;
    pub const NORMAL: u8 = 1;
    pub const SHOUT: u8 = 2;
    pub const START_TYPING: u8 = 4;
    pub const STOP_TYPING: u8 = 5;
    pub const OWNER_SAY: u8 = 8;
}

/// Who spoke in local chat.
pub mod chat_source {
    pub const SYSTEM: u8 = 0;
    pub const AGENT: u8 = 1;
    pub const OBJECT: u8 = 2;
}

pub const USE_CIRCUIT_CODE: MessageNumber = MessageNumber::Low(3);
pub const COMPLETE_AGENT_MOVEMENT: MessageNumber = MessageNumber::Low(249);
pub const AGENT_MOVEMENT_COMPLETE: MessageNumber = MessageNumber::Low(250);
pub const START_PING_CHECK: MessageNumber = MessageNumber::High(1);
pub const COMPLETE_PING_CHECK: MessageNumber = MessageNumber::High(2);
pub const AGENT_UPDATE: MessageNumber = MessageNumber::High(4);
pub const REGION_HANDSHAKE: MessageNumber = MessageNumber::Low(148);
pub const REGION_HANDSHAKE_REPLY: MessageNumber = MessageNumber::Low(149);
pub const LOGOUT_REQUEST: MessageNumber = MessageNumber::Low(252);
pub const LOGOUT_REPLY: MessageNumber = MessageNumber::Low(253);
pub const KICK_USER: MessageNumber = MessageNumber::Low(163);
pub const DISABLE_SIMULATOR: MessageNumber = MessageNumber::Low(152);
pub const IMPROVED_INSTANT_MESSAGE: MessageNumber = MessageNumber::Low(254);
pub const CHAT_FROM_VIEWER: MessageNumber = MessageNumber::Low(80);
pub const CHAT_FROM_SIMULATOR: MessageNumber = MessageNumber::Low(139);
pub const UUID_NAME_REQUEST: MessageNumber = MessageNumber::Low(235);
pub const UUID_NAME_REPLY: MessageNumber = MessageNumber::Low(236);
pub const AVATAR_PICKER_REQUEST: MessageNumber = MessageNumber::Low(26);
pub const AVATAR_PICKER_REPLY: MessageNumber = MessageNumber::Low(28);

/// A message botgrid knows, or the number of one it does not.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    UseCircuitCode {
        code: u32,
        session: Uuid,
        agent: Uuid,
    },
    CompleteAgentMovement {
        agent: Uuid,
        session: Uuid,
        circuit_code: u32,
    },
    AgentMovementComplete {
        agent: Uuid,
        session: Uuid,
        position: [f32; 3],
        look_at: [f32; 3],
        region_handle: u64,
        timestamp: u32,
        channel_version: String,
    },
    StartPingCheck {
        ping: u8,
        oldest_unacked: u32,
    },
    CompletePingCheck {
        ping: u8,
    },
    AgentUpdate(AgentUpdate),
    RegionHandshake {
        flags: u32,
        sim_name: String,
        region_id: Uuid,
    },
    RegionHandshakeReply {
        agent: Uuid,
        session: Uuid,
        flags: u32,
    },
    LogoutRequest {
        agent: Uuid,
        session: Uuid,
    },
    LogoutReply {
        agent: Uuid,
        session: Uuid,
    },
    KickUser {
        agent: Uuid,
        session: Uuid,
        reason: String,
    },
    DisableSimulator,
    ImprovedInstantMessage(InstantMessage),
    ChatFromViewer {
        agent: Uuid,
        session: Uuid,
        message: String,
        chat_type: u8,
        channel: i32,
    },
    ChatFromSimulator(Chat),
    UuidNameRequest(Vec<Uuid>),
    UuidNameReply(Vec<Name>),
    AvatarPickerRequest {
        agent: Uuid,
        session: Uuid,
        query: Uuid,
        name: String,
    },
    AvatarPickerReply {
        agent: Uuid,
        query: Uuid,
        found: Vec<Name>,
    },
    /// Groups: memberships, roles, invitations, ejections.
    Group(GroupMessage),
    /// Money, teleports, sitting, touching, dialogs, alerts.
    World(WorldMessage),
    /// A message botgrid does not read.
    Other(MessageNumber),
}

/// `AgentUpdate`: where the agent is and looks. A bot standing still sends the same one.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentUpdate {
    pub agent: Uuid,
    pub session: Uuid,
    pub body_rotation: [f32; 3],
    pub head_rotation: [f32; 3],
    pub state: u8,
    pub camera_center: [f32; 3],
    pub camera_at: [f32; 3],
    pub camera_left: [f32; 3],
    pub camera_up: [f32; 3],
    pub far: f32,
    pub control_flags: u32,
    pub flags: u8,
}

/// `AgentUpdate` control flag: stand up from a seat.
pub const CONTROL_STAND_UP: u32 = 1 << 16;

impl AgentUpdate {
    /// Standing, looking along x, with a 64 m draw distance.
    pub fn standing(agent: Uuid, session: Uuid, position: [f32; 3]) -> Self {
        AgentUpdate {
            agent,
            session,
            body_rotation: [0.0; 3],
            head_rotation: [0.0; 3],
            state: 0,
            camera_center: position,
            camera_at: [1.0, 0.0, 0.0],
            camera_left: [0.0, 1.0, 0.0],
            camera_up: [0.0, 0.0, 1.0],
            far: 64.0,
            control_flags: 0,
            flags: 0,
        }
    }
}

/// An instant message, in every dialog kind.
#[derive(Debug, Clone, PartialEq)]
pub struct InstantMessage {
    /// The sender (from the sender); the sender as the region relays it.
    pub agent: Uuid,
    /// The sender's session when sent; zero when relayed.
    pub session: Uuid,
    pub from_group: bool,
    pub to_agent: Uuid,
    pub parent_estate: u32,
    pub region: Uuid,
    pub position: [f32; 3],
    pub offline: u8,
    pub dialog: u8,
    /// The IM session (for two agents: the XOR of their keys) or the thing offered.
    pub id: Uuid,
    pub timestamp: u32,
    pub from_name: String,
    pub message: String,
    pub binary_bucket: Vec<u8>,
}

impl InstantMessage {
    /// A plain IM from `agent` to `to`.
    pub fn text(agent: Uuid, session: Uuid, from_name: &str, to: Uuid, message: &str) -> Self {
        InstantMessage {
            agent,
            session,
            from_group: false,
            to_agent: to,
            parent_estate: 0,
            region: Uuid::nil(),
            position: [0.0; 3],
            offline: 0,
            dialog: dialog::MESSAGE_FROM_AGENT,
            id: im_session(agent, to),
            timestamp: 0,
            from_name: from_name.to_owned(),
            message: message.to_owned(),
            binary_bucket: vec![],
        }
    }
}

/// The IM session id of two agents: their keys XORed (what viewers use).
pub fn im_session(a: Uuid, b: Uuid) -> Uuid {
    let (a, b) = (a.as_u128(), b.as_u128());
    Uuid::from_u128(a ^ b)
}

/// A line of local chat as the region sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct Chat {
    pub from_name: String,
    pub source: Uuid,
    pub owner: Uuid,
    pub source_type: u8,
    pub chat_type: u8,
    pub audible: u8,
    pub position: [f32; 3],
    pub message: String,
}

/// An avatar's key and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub id: Uuid,
    pub first: String,
    pub last: String,
}

impl Message {
    /// The message's number.
    pub fn number(&self) -> MessageNumber {
        use Message::*;
        match self {
            UseCircuitCode { .. } => USE_CIRCUIT_CODE,
            CompleteAgentMovement { .. } => COMPLETE_AGENT_MOVEMENT,
            AgentMovementComplete { .. } => AGENT_MOVEMENT_COMPLETE,
            StartPingCheck { .. } => START_PING_CHECK,
            CompletePingCheck { .. } => COMPLETE_PING_CHECK,
            AgentUpdate(_) => AGENT_UPDATE,
            RegionHandshake { .. } => REGION_HANDSHAKE,
            RegionHandshakeReply { .. } => REGION_HANDSHAKE_REPLY,
            LogoutRequest { .. } => LOGOUT_REQUEST,
            LogoutReply { .. } => LOGOUT_REPLY,
            KickUser { .. } => KICK_USER,
            DisableSimulator => DISABLE_SIMULATOR,
            ImprovedInstantMessage(_) => IMPROVED_INSTANT_MESSAGE,
            ChatFromViewer { .. } => CHAT_FROM_VIEWER,
            ChatFromSimulator(_) => CHAT_FROM_SIMULATOR,
            UuidNameRequest(_) => UUID_NAME_REQUEST,
            UuidNameReply(_) => UUID_NAME_REPLY,
            AvatarPickerRequest { .. } => AVATAR_PICKER_REQUEST,
            AvatarPickerReply { .. } => AVATAR_PICKER_REPLY,
            Group(g) => g.number(),
            World(m) => m.number(),
            Other(n) => *n,
        }
    }

    /// Whether the template marks the message zero-coded.
    pub fn zero_coded(&self) -> bool {
        use Message::*;
        match self {
            Group(g) => return g.zero_coded(),
            World(m) => return m.zero_coded(),
            _ => {}
        }
        matches!(
            self,
            AgentUpdate(_)
                | RegionHandshake { .. }
                | RegionHandshakeReply { .. }
                | LogoutReply { .. }
                | ImprovedInstantMessage(_)
                | ChatFromViewer { .. }
        )
    }

    /// Whether botgrid sends it reliably: everything but the frequent and the
    /// self-repairing (position updates, pings).
    pub fn reliable(&self) -> bool {
        use Message::*;
        match self {
            World(m) => m.reliable(),
            AgentUpdate(_) | StartPingCheck { .. } | CompletePingCheck { .. } | Other(_) => false,
            _ => true,
        }
    }

    /// The body: number and fields.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new(body_for(self.number()));
        use Message::*;
        match self {
            UseCircuitCode {
                code,
                session,
                agent,
            } => {
                w.u32(*code).uuid(*session).uuid(*agent);
            }
            CompleteAgentMovement {
                agent,
                session,
                circuit_code,
            } => {
                w.uuid(*agent).uuid(*session).u32(*circuit_code);
            }
            AgentMovementComplete {
                agent,
                session,
                position,
                look_at,
                region_handle,
                timestamp,
                channel_version,
            } => {
                w.uuid(*agent)
                    .uuid(*session)
                    .vec3(*position)
                    .vec3(*look_at)
                    .u64(*region_handle)
                    .u32(*timestamp)
                    .str2(channel_version);
            }
            StartPingCheck {
                ping,
                oldest_unacked,
            } => {
                w.u8(*ping).u32(*oldest_unacked);
            }
            CompletePingCheck { ping } => {
                w.u8(*ping);
            }
            AgentUpdate(u) => {
                w.uuid(u.agent)
                    .uuid(u.session)
                    .quat(u.body_rotation)
                    .quat(u.head_rotation)
                    .u8(u.state)
                    .vec3(u.camera_center)
                    .vec3(u.camera_at)
                    .vec3(u.camera_left)
                    .vec3(u.camera_up)
                    .f32(u.far)
                    .u32(u.control_flags)
                    .u8(u.flags);
            }
            RegionHandshake {
                flags,
                sim_name,
                region_id,
            } => {
                w.u32(*flags).u8(13).str1(sim_name).uuid(Uuid::nil());
                w.bool(false).f32(20.0).f32(1.0).uuid(Uuid::nil());
                for _ in 0..8 {
                    w.uuid(Uuid::nil());
                }
                for _ in 0..8 {
                    w.f32(0.0);
                }
                w.uuid(*region_id);
                w.i32(0).i32(0).str1("").str1("").str1("");
                w.u8(0);
            }
            RegionHandshakeReply {
                agent,
                session,
                flags,
            } => {
                w.uuid(*agent).uuid(*session).u32(*flags);
            }
            LogoutRequest { agent, session } => {
                w.uuid(*agent).uuid(*session);
            }
            LogoutReply { agent, session } => {
                w.uuid(*agent).uuid(*session).u8(0);
            }
            KickUser {
                agent,
                session,
                reason,
            } => {
                w.ipaddr(Ipv4Addr::UNSPECIFIED)
                    .ipport(0)
                    .uuid(*agent)
                    .uuid(*session)
                    .str2(reason);
            }
            DisableSimulator => {}
            ImprovedInstantMessage(m) => {
                w.uuid(m.agent)
                    .uuid(m.session)
                    .bool(m.from_group)
                    .uuid(m.to_agent)
                    .u32(m.parent_estate)
                    .uuid(m.region)
                    .vec3(m.position)
                    .u8(m.offline)
                    .u8(m.dialog)
                    .uuid(m.id)
                    .u32(m.timestamp)
                    .str1(&m.from_name)
                    .str2(&m.message)
                    .var2(&m.binary_bucket)
                    // EstateBlock (in every current template); no MetaData block.
                    .u32(0);
            }
            ChatFromViewer {
                agent,
                session,
                message,
                chat_type,
                channel,
            } => {
                w.uuid(*agent)
                    .uuid(*session)
                    .str2(message)
                    .u8(*chat_type)
                    .i32(*channel);
            }
            ChatFromSimulator(c) => {
                w.str1(&c.from_name)
                    .uuid(c.source)
                    .uuid(c.owner)
                    .u8(c.source_type)
                    .u8(c.chat_type)
                    .u8(c.audible)
                    .vec3(c.position)
                    .str2(&c.message);
            }
            UuidNameRequest(ids) => {
                let ids = &ids[..ids.len().min(255)];
                w.u8(ids.len() as u8);
                for id in ids {
                    w.uuid(*id);
                }
            }
            UuidNameReply(names) => {
                let names = &names[..names.len().min(255)];
                w.u8(names.len() as u8);
                for n in names {
                    w.uuid(n.id).str1(&n.first).str1(&n.last);
                }
            }
            AvatarPickerRequest {
                agent,
                session,
                query,
                name,
            } => {
                w.uuid(*agent).uuid(*session).uuid(*query).str1(name);
            }
            AvatarPickerReply {
                agent,
                query,
                found,
            } => {
                w.uuid(*agent).uuid(*query);
                let found = &found[..found.len().min(255)];
                w.u8(found.len() as u8);
                for n in found {
                    w.uuid(n.id).str1(&n.first).str1(&n.last);
                }
            }
            Group(g) => g.write(&mut w),
            World(m) => m.write(&mut w),
            Other(_) => {}
        }
        w.finish()
    }

    /// Reads a body. Unknown numbers give [`Message::Other`].
    pub fn decode(body: &[u8]) -> Result<Message, Error> {
        let (number, at) = MessageNumber::read(body)?;
        let mut r = Reader::new(body, at);
        let r = &mut r;
        Ok(match number {
            USE_CIRCUIT_CODE => Message::UseCircuitCode {
                code: r.u32()?,
                session: r.uuid()?,
                agent: r.uuid()?,
            },
            COMPLETE_AGENT_MOVEMENT => Message::CompleteAgentMovement {
                agent: r.uuid()?,
                session: r.uuid()?,
                circuit_code: r.u32()?,
            },
            AGENT_MOVEMENT_COMPLETE => Message::AgentMovementComplete {
                agent: r.uuid()?,
                session: r.uuid()?,
                position: r.vec3()?,
                look_at: r.vec3()?,
                region_handle: r.u64()?,
                timestamp: r.u32()?,
                channel_version: r.str2()?,
            },
            START_PING_CHECK => Message::StartPingCheck {
                ping: r.u8()?,
                oldest_unacked: r.u32()?,
            },
            COMPLETE_PING_CHECK => Message::CompletePingCheck { ping: r.u8()? },
            AGENT_UPDATE => Message::AgentUpdate(AgentUpdate {
                agent: r.uuid()?,
                session: r.uuid()?,
                body_rotation: r.vec3()?,
                head_rotation: r.vec3()?,
                state: r.u8()?,
                camera_center: r.vec3()?,
                camera_at: r.vec3()?,
                camera_left: r.vec3()?,
                camera_up: r.vec3()?,
                far: r.f32()?,
                control_flags: r.u32()?,
                flags: r.u8()?,
            }),
            REGION_HANDSHAKE => {
                let flags = r.u32()?;
                let _access = r.u8()?;
                let sim_name = r.str1()?;
                // Owner, estate manager, water, billable factor, cache id, eight
                // terrain textures, eight terrain heights: not used.
                r.fixed(16 + 1 + 4 + 4 + 16 + 8 * 16 + 8 * 4)?;
                let region_id = if r.more() { r.uuid()? } else { Uuid::nil() };
                Message::RegionHandshake {
                    flags,
                    sim_name,
                    region_id,
                }
            }
            REGION_HANDSHAKE_REPLY => Message::RegionHandshakeReply {
                agent: r.uuid()?,
                session: r.uuid()?,
                flags: r.u32()?,
            },
            LOGOUT_REQUEST => Message::LogoutRequest {
                agent: r.uuid()?,
                session: r.uuid()?,
            },
            LOGOUT_REPLY => Message::LogoutReply {
                agent: r.uuid()?,
                session: r.uuid()?,
            },
            KICK_USER => {
                r.ipaddr()?;
                r.ipport()?;
                Message::KickUser {
                    agent: r.uuid()?,
                    session: r.uuid()?,
                    reason: r.str2()?,
                }
            }
            DISABLE_SIMULATOR => Message::DisableSimulator,
            IMPROVED_INSTANT_MESSAGE => Message::ImprovedInstantMessage(InstantMessage {
                agent: r.uuid()?,
                session: r.uuid()?,
                from_group: r.bool()?,
                to_agent: r.uuid()?,
                parent_estate: r.u32()?,
                region: r.uuid()?,
                position: r.vec3()?,
                offline: r.u8()?,
                dialog: r.u8()?,
                id: r.uuid()?,
                timestamp: r.u32()?,
                from_name: r.str1()?,
                message: r.str2()?,
                binary_bucket: r.var2()?.to_vec(),
            }),
            CHAT_FROM_VIEWER => Message::ChatFromViewer {
                agent: r.uuid()?,
                session: r.uuid()?,
                message: r.str2()?,
                chat_type: r.u8()?,
                channel: r.i32()?,
            },
            CHAT_FROM_SIMULATOR => Message::ChatFromSimulator(Chat {
                from_name: r.str1()?,
                source: r.uuid()?,
                owner: r.uuid()?,
                source_type: r.u8()?,
                chat_type: r.u8()?,
                audible: r.u8()?,
                position: r.vec3()?,
                message: r.str2()?,
            }),
            UUID_NAME_REQUEST => {
                let n = r.count()?;
                Message::UuidNameRequest((0..n).map(|_| r.uuid()).collect::<Result<_, _>>()?)
            }
            UUID_NAME_REPLY => {
                let n = r.count()?;
                Message::UuidNameReply(
                    (0..n)
                        .map(|_| {
                            Ok(Name {
                                id: r.uuid()?,
                                first: r.str1()?,
                                last: r.str1()?,
                            })
                        })
                        .collect::<Result<_, Error>>()?,
                )
            }
            AVATAR_PICKER_REQUEST => Message::AvatarPickerRequest {
                agent: r.uuid()?,
                session: r.uuid()?,
                query: r.uuid()?,
                name: r.str1()?,
            },
            AVATAR_PICKER_REPLY => {
                let agent = r.uuid()?;
                let query = r.uuid()?;
                let n = r.count()?;
                let found = (0..n)
                    .map(|_| {
                        Ok(Name {
                            id: r.uuid()?,
                            first: r.str1()?,
                            last: r.str1()?,
                        })
                    })
                    .collect::<Result<_, Error>>()?;
                Message::AvatarPickerReply {
                    agent,
                    query,
                    found,
                }
            }
            other => {
                if let Some(g) = GroupMessage::read(other, r)? {
                    Message::Group(g)
                } else if let Some(m) = WorldMessage::read(other, r)? {
                    Message::World(m)
                } else {
                    Message::Other(other)
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn use_circuit_code_is_byte_exact() {
        let m = Message::UseCircuitCode {
            code: 0x0102_0304,
            session: id(0xAA),
            agent: id(0xBB),
        };
        let b = m.encode();
        // Low 3, then the code little-endian, then the two keys.
        assert_eq!(&b[..8], &[0xFF, 0xFF, 0x00, 0x03, 0x04, 0x03, 0x02, 0x01]);
        assert_eq!(b.len(), 4 + 4 + 16 + 16);
        assert_eq!(b[8 + 15], 0xAA);
        assert_eq!(b[8 + 31], 0xBB);
        assert_eq!(Message::decode(&b).unwrap(), m);
    }

    #[test]
    fn instant_message_layout_and_round_trip() {
        let mut m = InstantMessage::text(id(1), id(2), "Ann Bot", id(3), "héllo");
        m.binary_bucket = vec![0];
        let b = Message::ImprovedInstantMessage(m.clone()).encode();
        // 4 (number) + 32 (AgentData) + 1+16+4+16+12+1+1+16+4 + (1+8) name + (2+7) message
        // + (2+1) bucket + 4 EstateBlock.
        assert_eq!(b.len(), 4 + 32 + 71 + 9 + 9 + 3 + 4);
        assert_eq!(&b[..4], &[0xFF, 0xFF, 0x00, 0xFE]);
        let back = Message::decode(&b).unwrap();
        assert_eq!(back, Message::ImprovedInstantMessage(m.clone()));
        // Without the EstateBlock (an older template) it still reads.
        let short = &b[..b.len() - 4];
        assert_eq!(
            Message::decode(short).unwrap(),
            Message::ImprovedInstantMessage(m)
        );
        assert_eq!(im_session(id(5), id(3)), id(6));
    }

    #[test]
    fn every_message_round_trips() {
        let ms = vec![
            Message::CompleteAgentMovement {
                agent: id(1),
                session: id(2),
                circuit_code: 9,
            },
            Message::AgentMovementComplete {
                agent: id(1),
                session: id(2),
                position: [128.0, 128.0, 25.0],
                look_at: [1.0, 0.0, 0.0],
                region_handle: (256_000u64 << 32) | 256_000,
                timestamp: 5,
                channel_version: "test region".into(),
            },
            Message::StartPingCheck {
                ping: 7,
                oldest_unacked: 3,
            },
            Message::CompletePingCheck { ping: 7 },
            Message::AgentUpdate(AgentUpdate::standing(id(1), id(2), [1.0, 2.0, 3.0])),
            Message::RegionHandshake {
                flags: 4,
                sim_name: "Sandbox".into(),
                region_id: id(77),
            },
            Message::RegionHandshakeReply {
                agent: id(1),
                session: id(2),
                flags: 0,
            },
            Message::LogoutRequest {
                agent: id(1),
                session: id(2),
            },
            Message::LogoutReply {
                agent: id(1),
                session: id(2),
            },
            Message::KickUser {
                agent: id(1),
                session: id(2),
                reason: "bye".into(),
            },
            Message::DisableSimulator,
            Message::ChatFromViewer {
                agent: id(1),
                session: id(2),
                message: "hi".into(),
                chat_type: chat_type::NORMAL,
                channel: -7,
            },
            Message::ChatFromSimulator(Chat {
                from_name: "Ann Bot".into(),
                source: id(1),
                owner: id(1),
                source_type: chat_source::AGENT,
                chat_type: chat_type::SHOUT,
                audible: 1,
                position: [1.0, 2.0, 3.0],
                message: "hey".into(),
            }),
            Message::UuidNameRequest(vec![id(1), id(2)]),
            Message::Group(GroupMessage::UuidGroupNameRequest(vec![id(3)])),
            Message::Group(GroupMessage::UuidGroupNameReply(vec![(
                id(3),
                "Botgrid Testers".into(),
            )])),
            Message::UuidNameReply(vec![Name {
                id: id(1),
                first: "Ann".into(),
                last: "Bot".into(),
            }]),
            Message::AvatarPickerRequest {
                agent: id(1),
                session: id(2),
                query: id(3),
                name: "ann".into(),
            },
            Message::AvatarPickerReply {
                agent: id(1),
                query: id(3),
                found: vec![],
            },
        ];
        for m in ms.into_iter().chain(group_and_world()) {
            assert_eq!(Message::decode(&m.encode()).unwrap(), m, "{m:?}");
        }
        assert_eq!(
            Message::decode(&body_for(MessageNumber::Low(999))).unwrap(),
            Message::Other(MessageNumber::Low(999))
        );
    }

    fn group_and_world() -> Vec<Message> {
        use crate::group_messages::{GroupMessage as G, Membership, Role};
        use crate::world_messages::{Dialog, WorldMessage as W};
        let (a, s, g) = (id(1), id(2), id(9));
        let mut v: Vec<Message> = vec![
            G::AgentDataUpdateRequest {
                agent: a,
                session: s,
            },
            G::AgentDataUpdate {
                agent: a,
                first: "Ann".into(),
                last: "Bot".into(),
                group_title: "Greeter".into(),
                active_group: g,
                group_powers: 1 << 40,
                group_name: "Club".into(),
            },
            G::AgentGroupDataUpdate {
                agent: a,
                groups: vec![Membership {
                    group: g,
                    powers: u64::MAX,
                    accept_notices: true,
                    insignia: id(4),
                    contribution: -1,
                    name: "Club".into(),
                }],
            },
            G::ActivateGroup {
                agent: a,
                session: s,
                group: g,
            },
            G::GroupRoleDataRequest {
                agent: a,
                session: s,
                group: g,
                request: id(5),
            },
            G::GroupRoleDataReply {
                agent: a,
                group: g,
                request: id(5),
                role_count: 1,
                roles: vec![Role {
                    id: id(6),
                    name: "Officers".into(),
                    title: "Officer".into(),
                    description: "".into(),
                    powers: 3,
                    members: 2,
                }],
            },
            G::InviteGroupRequest {
                agent: a,
                session: s,
                group: g,
                invites: vec![(id(7), Uuid::nil())],
            },
            G::EjectGroupMemberRequest {
                agent: a,
                session: s,
                group: g,
                ejectees: vec![id(7)],
            },
            G::EjectGroupMemberReply {
                agent: a,
                group: g,
                success: true,
            },
            G::JoinGroupRequest {
                agent: a,
                session: s,
                group: g,
            },
            G::JoinGroupReply {
                agent: a,
                group: g,
                success: false,
            },
            G::LeaveGroupRequest {
                agent: a,
                session: s,
                group: g,
            },
            G::LeaveGroupReply {
                agent: a,
                group: g,
                success: true,
            },
            G::GroupRoleChanges {
                agent: a,
                session: s,
                group: g,
                changes: vec![(id(6), id(7), crate::group_messages::ROLE_ADD)],
            },
        ]
        .into_iter()
        .map(Message::Group)
        .collect();
        v.extend(
            vec![
                W::MoneyBalanceRequest {
                    agent: a,
                    session: s,
                    transaction: id(3),
                },
                W::MoneyBalanceReply {
                    agent: a,
                    transaction: id(3),
                    success: true,
                    balance: 1200,
                    description: "".into(),
                    transaction_type: crate::world_messages::TRANSACTION_GIFT,
                    source: a,
                    dest: id(8),
                    amount: 10,
                    item_description: "tip".into(),
                },
                W::MoneyTransferRequest {
                    agent: a,
                    session: s,
                    source: a,
                    dest: id(8),
                    flags: 0,
                    amount: 10,
                    transaction_type: crate::world_messages::TRANSACTION_GIFT,
                    description: "tip".into(),
                },
                W::TeleportLocationRequest {
                    agent: a,
                    session: s,
                    region_handle: crate::world_messages::region_handle(256_000, 256_256),
                    position: [1.0, 2.0, 3.0],
                    look_at: [1.0, 0.0, 0.0],
                },
                W::TeleportStart { flags: 16 },
                W::StartLure {
                    agent: a,
                    session: s,
                    lure_type: 0,
                    message: "join me".into(),
                    targets: vec![id(41)],
                },
                W::TeleportLureRequest {
                    agent: a,
                    session: s,
                    lure: id(40),
                    flags: crate::world_messages::TELEPORT_VIA_LURE,
                },
                W::TeleportLandmarkRequest {
                    agent: a,
                    session: s,
                    landmark: Uuid::nil(),
                },
                W::TeleportProgress {
                    agent: a,
                    flags: 16,
                    message: "sending".into(),
                },
                W::TeleportFinish {
                    agent: a,
                    location: 0,
                    sim_ip: std::net::Ipv4Addr::LOCALHOST,
                    sim_port: 9001,
                    region_handle: 5,
                    seed_capability: "http://x/caps".into(),
                    sim_access: 13,
                    flags: 16,
                },
                W::TeleportFailed {
                    agent: a,
                    reason: "no such region".into(),
                },
                W::TeleportLocal {
                    agent: a,
                    location: 0,
                    position: [1.0; 3],
                    look_at: [0.0; 3],
                    flags: 0,
                },
                W::AgentRequestSit {
                    agent: a,
                    session: s,
                    target: id(11),
                    offset: [0.0; 3],
                },
                W::AgentSit {
                    agent: a,
                    session: s,
                },
                W::AvatarSitResponse {
                    object: id(11),
                    autopilot: false,
                    position: [0.0, 0.0, 0.5],
                },
                W::ObjectGrab {
                    agent: a,
                    session: s,
                    local_id: 77,
                    offset: [0.0; 3],
                },
                W::ObjectDeGrab {
                    agent: a,
                    session: s,
                    local_id: 77,
                },
                W::ScriptDialog(Dialog {
                    object: id(12),
                    first: "Ann".into(),
                    last: "Owner".into(),
                    object_name: "Greeter".into(),
                    message: "Pick one".into(),
                    channel: -99,
                    image: Uuid::nil(),
                    buttons: vec!["Yes".into(), "No".into()],
                    owners: vec![id(13)],
                }),
                W::ScriptDialogReply {
                    agent: a,
                    session: s,
                    object: id(12),
                    channel: -99,
                    button_index: 1,
                    button_label: "No".into(),
                },
                W::AlertMessage {
                    message: "Region restarting".into(),
                },
                W::AgentAlertMessage {
                    agent: a,
                    modal: true,
                    message: "Hi".into(),
                },
                W::OnlineNotification(vec![id(8)]),
                W::OfflineNotification(vec![id(8), id(9)]),
                W::AcceptFriendship {
                    agent: a,
                    session: s,
                    transaction: id(20),
                    folders: vec![Uuid::nil()],
                },
                W::DeclineFriendship {
                    agent: a,
                    session: s,
                    transaction: id(20),
                },
                W::ObjectUpdate {
                    region_handle: 5,
                    objects: vec![
                        crate::world_messages::ObjectSeen {
                            id: id(30),
                            local_id: 7,
                        },
                        crate::world_messages::ObjectSeen {
                            id: id(31),
                            local_id: 8,
                        },
                    ],
                },
                W::ObjectUpdateCompressed {
                    region_handle: 5,
                    objects: vec![crate::world_messages::ObjectSeen {
                        id: id(32),
                        local_id: 9,
                    }],
                },
                W::CoarseLocationUpdate {
                    you: 0,
                    prey: -1,
                    avatars: vec![(a, [128, 129, 6]), (s, [1, 2, 3])],
                },
                W::ObjectUpdateCached {
                    region_handle: 5,
                    objects: vec![(9, 0xDEAD_BEEF, 2)],
                },
                W::RequestMultipleObjects {
                    agent: a,
                    session: s,
                    objects: vec![(crate::world_messages::CACHE_MISS_FULL, 9)],
                },
                W::MapNameRequest {
                    agent: a,
                    session: s,
                    name: "Sandbox".into(),
                },
                W::MapBlockReply {
                    agent: a,
                    blocks: vec![crate::world_messages::MapBlock {
                        x: 1000,
                        y: 1001,
                        name: "Sandbox".into(),
                        access: 13,
                        flags: 0,
                        agents: 2,
                        image: Uuid::nil(),
                    }],
                },
            ]
            .into_iter()
            .map(Message::World),
        );
        v
    }

    #[test]
    fn numbers_of_group_and_world_messages_follow_the_template() {
        // AgentSit is High 7: one byte.
        let sit = Message::World(crate::world_messages::WorldMessage::AgentSit {
            agent: id(1),
            session: id(2),
        });
        assert_eq!(sit.encode()[0], 7);
        assert!(!sit.reliable());
        let eject = Message::Group(crate::group_messages::GroupMessage::EjectGroupMemberReply {
            agent: id(1),
            group: id(2),
            success: true,
        });
        assert_eq!(&eject.encode()[..4], &[0xFF, 0xFF, 0x01, 0x5A]);
    }

    /// Bytes written out by hand from the template (not by our encoder), so that the
    /// test region, which shares this codec, is not the only judge.
    #[test]
    fn golden_bytes_follow_the_template() {
        let (a, s) = (id(0x0101), id(0x0202));
        // ChatFromViewer, Low 80: keys, Message (Variable 2, little-endian length, with
        // its NUL), Type U8, Channel S32 little-endian.
        let mut want = vec![0xFF, 0xFF, 0x00, 0x50];
        want.extend_from_slice(a.as_bytes());
        want.extend_from_slice(s.as_bytes());
        want.extend_from_slice(&[3, 0, b'h', b'i', 0, 1]);
        want.extend_from_slice(&(-5i32).to_le_bytes());
        let got = Message::ChatFromViewer {
            agent: a,
            session: s,
            message: "hi".into(),
            chat_type: chat_type::NORMAL,
            channel: -5,
        }
        .encode();
        assert_eq!(got, want);
        // StartPingCheck, High 1: one byte of number, PingID U8, OldestUnacked U32.
        let got = Message::StartPingCheck {
            ping: 9,
            oldest_unacked: 0x0A0B0C0D,
        }
        .encode();
        assert_eq!(got, vec![0x01, 9, 0x0D, 0x0C, 0x0B, 0x0A]);
        // UUIDNameRequest, Low 235: a Variable block is a count, then the blocks.
        let got = Message::UuidNameRequest(vec![a]).encode();
        let mut want = vec![0xFF, 0xFF, 0x00, 0xEB, 1];
        want.extend_from_slice(a.as_bytes());
        assert_eq!(got, want);
        // UUIDGroupNameReply, Low 238: a count, then ID and GroupName (Variable 1, with
        // its NUL) per block.
        let got = Message::Group(GroupMessage::UuidGroupNameReply(vec![(a, "G".into())])).encode();
        let mut want = vec![0xFF, 0xFF, 0x00, 0xEE, 1];
        want.extend_from_slice(a.as_bytes());
        want.extend_from_slice(&[2, b'G', 0]);
        assert_eq!(got, want);
        // ObjectUpdateCached, High 14 (unencoded): handle, time dilation, a count, then
        // ID, CRC and UpdateFlags per block, all little-endian.
        let got = Message::World(crate::world_messages::WorldMessage::ObjectUpdateCached {
            region_handle: 1,
            objects: vec![(0x0102_0304, 5, 6)],
        })
        .encode();
        let mut want = vec![0x0E, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        want.extend_from_slice(&[4, 3, 2, 1, 5, 0, 0, 0, 6, 0, 0, 0]);
        assert_eq!(got, want);
        // CoarseLocationUpdate, Medium 6: a count and X, Y, Z bytes per avatar, You and
        // Prey S16 little-endian, a count and the keys.
        let got = Message::World(crate::world_messages::WorldMessage::CoarseLocationUpdate {
            you: 0,
            prey: -1,
            avatars: vec![(a, [10, 20, 5])],
        })
        .encode();
        let mut want = vec![0xFF, 0x06, 1, 10, 20, 5, 0, 0, 0xFF, 0xFF, 1];
        want.extend_from_slice(a.as_bytes());
        assert_eq!(got, want);
        // RequestMultipleObjects, Medium 3: keys, a count, then CacheMissType U8 and ID.
        let got = Message::World(
            crate::world_messages::WorldMessage::RequestMultipleObjects {
                agent: a,
                session: s,
                objects: vec![(0, 7)],
            },
        )
        .encode();
        assert_eq!(&got[..2], &[0xFF, 0x03]);
        assert_eq!(&got[2 + 32..], &[1, 0, 7, 0, 0, 0]);
        // MoneyTransferRequest, Low 311: U8 flags, S32 amount, two U8 perms, S32 type.
        let got = Message::World(crate::world_messages::WorldMessage::MoneyTransferRequest {
            agent: a,
            session: s,
            source: a,
            dest: s,
            flags: 0,
            amount: 250,
            transaction_type: 5001,
            description: String::new(),
        })
        .encode();
        assert_eq!(&got[..4], &[0xFF, 0xFF, 0x01, 0x37]);
        let tail = &got[4 + 64..];
        assert_eq!(tail, &[0, 250, 0, 0, 0, 0, 0, 0x89, 0x13, 0, 0, 1, 0]);
    }

    #[test]
    fn cut_messages_are_errors() {
        let b = Message::ChatFromViewer {
            agent: id(1),
            session: id(2),
            message: "hi".into(),
            chat_type: 1,
            channel: 0,
        }
        .encode();
        for n in 4..b.len() {
            assert!(Message::decode(&b[..n]).is_err(), "{n}");
        }
    }
}
