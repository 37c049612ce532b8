//! Group messages of the message template: the agent's groups and active group, roles,
//! invitations, ejections, joining and leaving.

use crate::fields::{Reader, Writer};
use crate::packet::MessageNumber;
use crate::{Error, Uuid};

pub const AGENT_DATA_UPDATE_REQUEST: MessageNumber = MessageNumber::Low(386);
pub const AGENT_DATA_UPDATE: MessageNumber = MessageNumber::Low(387);
pub const AGENT_GROUP_DATA_UPDATE: MessageNumber = MessageNumber::Low(389);
pub const ACTIVATE_GROUP: MessageNumber = MessageNumber::Low(368);
pub const GROUP_ROLE_DATA_REQUEST: MessageNumber = MessageNumber::Low(371);
pub const GROUP_ROLE_DATA_REPLY: MessageNumber = MessageNumber::Low(372);
pub const INVITE_GROUP_REQUEST: MessageNumber = MessageNumber::Low(349);
pub const EJECT_GROUP_MEMBER_REQUEST: MessageNumber = MessageNumber::Low(345);
pub const EJECT_GROUP_MEMBER_REPLY: MessageNumber = MessageNumber::Low(346);
pub const JOIN_GROUP_REQUEST: MessageNumber = MessageNumber::Low(343);
pub const JOIN_GROUP_REPLY: MessageNumber = MessageNumber::Low(344);
pub const LEAVE_GROUP_REQUEST: MessageNumber = MessageNumber::Low(347);
pub const LEAVE_GROUP_REPLY: MessageNumber = MessageNumber::Low(348);
pub const GROUP_ROLE_CHANGES: MessageNumber = MessageNumber::Low(342);
pub const UUID_GROUP_NAME_REQUEST: MessageNumber = MessageNumber::Low(237);
pub const UUID_GROUP_NAME_REPLY: MessageNumber = MessageNumber::Low(238);

/// `GroupRoleChanges` change kinds.
pub const ROLE_ADD: u32 = 0;
pub const ROLE_REMOVE: u32 = 1;

/// One of the agent's groups, as `AgentGroupDataUpdate` lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Membership {
    pub group: Uuid,
    pub powers: u64,
    pub accept_notices: bool,
    pub insignia: Uuid,
    pub contribution: i32,
    pub name: String,
}

/// A role, as `GroupRoleDataReply` lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Role {
    pub id: Uuid,
    pub name: String,
    pub title: String,
    pub description: String,
    pub powers: u64,
    pub members: u32,
}

/// A group message.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupMessage {
    AgentDataUpdateRequest {
        agent: Uuid,
        session: Uuid,
    },
    AgentDataUpdate {
        agent: Uuid,
        first: String,
        last: String,
        group_title: String,
        active_group: Uuid,
        group_powers: u64,
        group_name: String,
    },
    AgentGroupDataUpdate {
        agent: Uuid,
        groups: Vec<Membership>,
    },
    ActivateGroup {
        agent: Uuid,
        session: Uuid,
        group: Uuid,
    },
    GroupRoleDataRequest {
        agent: Uuid,
        session: Uuid,
        group: Uuid,
        request: Uuid,
    },
    GroupRoleDataReply {
        agent: Uuid,
        group: Uuid,
        request: Uuid,
        /// All roles of the group; a reply may carry only some of them.
        role_count: i32,
        roles: Vec<Role>,
    },
    InviteGroupRequest {
        agent: Uuid,
        session: Uuid,
        group: Uuid,
        /// Invitee and the role offered (nil: everyone).
        invites: Vec<(Uuid, Uuid)>,
    },
    EjectGroupMemberRequest {
        agent: Uuid,
        session: Uuid,
        group: Uuid,
        ejectees: Vec<Uuid>,
    },
    EjectGroupMemberReply {
        agent: Uuid,
        group: Uuid,
        success: bool,
    },
    JoinGroupRequest {
        agent: Uuid,
        session: Uuid,
        group: Uuid,
    },
    JoinGroupReply {
        agent: Uuid,
        group: Uuid,
        success: bool,
    },
    LeaveGroupRequest {
        agent: Uuid,
        session: Uuid,
        group: Uuid,
    },
    LeaveGroupReply {
        agent: Uuid,
        group: Uuid,
        success: bool,
    },
    /// Puts members into roles or takes them out: (role, member, `ROLE_ADD`/`ROLE_REMOVE`).
    GroupRoleChanges {
        agent: Uuid,
        session: Uuid,
        group: Uuid,
        changes: Vec<(Uuid, Uuid, u32)>,
    },
    /// Asks the names of groups by key (a group invitation names only its sender).
    UuidGroupNameRequest(Vec<Uuid>),
    UuidGroupNameReply(Vec<(Uuid, String)>),
}

impl GroupMessage {
    pub fn number(&self) -> MessageNumber {
        use GroupMessage::*;
        match self {
            AgentDataUpdateRequest { .. } => AGENT_DATA_UPDATE_REQUEST,
            AgentDataUpdate { .. } => AGENT_DATA_UPDATE,
            AgentGroupDataUpdate { .. } => AGENT_GROUP_DATA_UPDATE,
            ActivateGroup { .. } => ACTIVATE_GROUP,
            GroupRoleDataRequest { .. } => GROUP_ROLE_DATA_REQUEST,
            GroupRoleDataReply { .. } => GROUP_ROLE_DATA_REPLY,
            InviteGroupRequest { .. } => INVITE_GROUP_REQUEST,
            EjectGroupMemberRequest { .. } => EJECT_GROUP_MEMBER_REQUEST,
            EjectGroupMemberReply { .. } => EJECT_GROUP_MEMBER_REPLY,
            JoinGroupRequest { .. } => JOIN_GROUP_REQUEST,
            JoinGroupReply { .. } => JOIN_GROUP_REPLY,
            LeaveGroupRequest { .. } => LEAVE_GROUP_REQUEST,
            LeaveGroupReply { .. } => LEAVE_GROUP_REPLY,
            GroupRoleChanges { .. } => GROUP_ROLE_CHANGES,
            UuidGroupNameRequest(_) => UUID_GROUP_NAME_REQUEST,
            UuidGroupNameReply(_) => UUID_GROUP_NAME_REPLY,
        }
    }

    pub fn zero_coded(&self) -> bool {
        use GroupMessage::*;
        matches!(
            self,
            AgentDataUpdate { .. }
                | AgentGroupDataUpdate { .. }
                | ActivateGroup { .. }
                | JoinGroupRequest { .. }
        )
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        use GroupMessage::*;
        match self {
            AgentDataUpdateRequest { agent, session } => {
                w.uuid(*agent).uuid(*session);
            }
            AgentDataUpdate {
                agent,
                first,
                last,
                group_title,
                active_group,
                group_powers,
                group_name,
            } => {
                w.uuid(*agent)
                    .str1(first)
                    .str1(last)
                    .str1(group_title)
                    .uuid(*active_group)
                    .u64(*group_powers)
                    .str1(group_name);
            }
            AgentGroupDataUpdate { agent, groups } => {
                w.uuid(*agent);
                let groups = &groups[..groups.len().min(255)];
                w.u8(groups.len() as u8);
                for g in groups {
                    w.uuid(g.group)
                        .u64(g.powers)
                        .bool(g.accept_notices)
                        .uuid(g.insignia)
                        .i32(g.contribution)
                        .str1(&g.name);
                }
            }
            ActivateGroup {
                agent,
                session,
                group,
            }
            | JoinGroupRequest {
                agent,
                session,
                group,
            }
            | LeaveGroupRequest {
                agent,
                session,
                group,
            } => {
                w.uuid(*agent).uuid(*session).uuid(*group);
            }
            GroupRoleDataRequest {
                agent,
                session,
                group,
                request,
            } => {
                w.uuid(*agent).uuid(*session).uuid(*group).uuid(*request);
            }
            GroupRoleDataReply {
                agent,
                group,
                request,
                role_count,
                roles,
            } => {
                w.uuid(*agent).uuid(*group).uuid(*request).i32(*role_count);
                let roles = &roles[..roles.len().min(255)];
                w.u8(roles.len() as u8);
                for r in roles {
                    w.uuid(r.id)
                        .str1(&r.name)
                        .str1(&r.title)
                        .str1(&r.description)
                        .u64(r.powers)
                        .u32(r.members);
                }
            }
            InviteGroupRequest {
                agent,
                session,
                group,
                invites,
            } => {
                w.uuid(*agent).uuid(*session).uuid(*group);
                let invites = &invites[..invites.len().min(255)];
                w.u8(invites.len() as u8);
                for (who, role) in invites {
                    w.uuid(*who).uuid(*role);
                }
            }
            EjectGroupMemberRequest {
                agent,
                session,
                group,
                ejectees,
            } => {
                w.uuid(*agent).uuid(*session).uuid(*group);
                let ejectees = &ejectees[..ejectees.len().min(255)];
                w.u8(ejectees.len() as u8);
                for who in ejectees {
                    w.uuid(*who);
                }
            }
            GroupRoleChanges {
                agent,
                session,
                group,
                changes,
            } => {
                w.uuid(*agent).uuid(*session).uuid(*group);
                let changes = &changes[..changes.len().min(255)];
                w.u8(changes.len() as u8);
                for (role, member, change) in changes {
                    w.uuid(*role).uuid(*member).u32(*change);
                }
            }
            EjectGroupMemberReply {
                agent,
                group,
                success,
            }
            | JoinGroupReply {
                agent,
                group,
                success,
            }
            | LeaveGroupReply {
                agent,
                group,
                success,
            } => {
                w.uuid(*agent).uuid(*group).bool(*success);
            }
            UuidGroupNameRequest(ids) => {
                let ids = &ids[..ids.len().min(255)];
                w.u8(ids.len() as u8);
                for id in ids {
                    w.uuid(*id);
                }
            }
            UuidGroupNameReply(names) => {
                let names = &names[..names.len().min(255)];
                w.u8(names.len() as u8);
                for (id, name) in names {
                    w.uuid(*id).str1(name);
                }
            }
        }
    }

    /// Reads the fields of a group message with this number; `None` for other numbers.
    pub(crate) fn read(number: MessageNumber, r: &mut Reader<'_>) -> Result<Option<Self>, Error> {
        use GroupMessage::*;
        Ok(Some(match number {
            AGENT_DATA_UPDATE_REQUEST => AgentDataUpdateRequest {
                agent: r.uuid()?,
                session: r.uuid()?,
            },
            AGENT_DATA_UPDATE => AgentDataUpdate {
                agent: r.uuid()?,
                first: r.str1()?,
                last: r.str1()?,
                group_title: r.str1()?,
                active_group: r.uuid()?,
                group_powers: r.u64()?,
                group_name: r.str1()?,
            },
            AGENT_GROUP_DATA_UPDATE => {
                let agent = r.uuid()?;
                let n = r.count()?;
                let groups = (0..n)
                    .map(|_| {
                        Ok(Membership {
                            group: r.uuid()?,
                            powers: r.u64()?,
                            accept_notices: r.bool()?,
                            insignia: r.uuid()?,
                            contribution: r.i32()?,
                            name: r.str1()?,
                        })
                    })
                    .collect::<Result<_, Error>>()?;
                AgentGroupDataUpdate { agent, groups }
            }
            ACTIVATE_GROUP | JOIN_GROUP_REQUEST | LEAVE_GROUP_REQUEST => {
                let (agent, session, group) = (r.uuid()?, r.uuid()?, r.uuid()?);
                match number {
                    ACTIVATE_GROUP => ActivateGroup {
                        agent,
                        session,
                        group,
                    },
                    JOIN_GROUP_REQUEST => JoinGroupRequest {
                        agent,
                        session,
                        group,
                    },
                    _ => LeaveGroupRequest {
                        agent,
                        session,
                        group,
                    },
                }
            }
            GROUP_ROLE_DATA_REQUEST => GroupRoleDataRequest {
                agent: r.uuid()?,
                session: r.uuid()?,
                group: r.uuid()?,
                request: r.uuid()?,
            },
            GROUP_ROLE_DATA_REPLY => {
                let (agent, group, request, role_count) =
                    (r.uuid()?, r.uuid()?, r.uuid()?, r.i32()?);
                let n = r.count()?;
                let roles = (0..n)
                    .map(|_| {
                        Ok(Role {
                            id: r.uuid()?,
                            name: r.str1()?,
                            title: r.str1()?,
                            description: r.str1()?,
                            powers: r.u64()?,
                            members: r.u32()?,
                        })
                    })
                    .collect::<Result<_, Error>>()?;
                GroupRoleDataReply {
                    agent,
                    group,
                    request,
                    role_count,
                    roles,
                }
            }
            GROUP_ROLE_CHANGES => {
                let (agent, session, group) = (r.uuid()?, r.uuid()?, r.uuid()?);
                let n = r.count()?;
                let changes = (0..n)
                    .map(|_| Ok((r.uuid()?, r.uuid()?, r.u32()?)))
                    .collect::<Result<_, Error>>()?;
                GroupRoleChanges {
                    agent,
                    session,
                    group,
                    changes,
                }
            }
            INVITE_GROUP_REQUEST => {
                let (agent, session, group) = (r.uuid()?, r.uuid()?, r.uuid()?);
                let n = r.count()?;
                let invites = (0..n)
                    .map(|_| Ok((r.uuid()?, r.uuid()?)))
                    .collect::<Result<_, Error>>()?;
                InviteGroupRequest {
                    agent,
                    session,
                    group,
                    invites,
                }
            }
            EJECT_GROUP_MEMBER_REQUEST => {
                let (agent, session, group) = (r.uuid()?, r.uuid()?, r.uuid()?);
                let n = r.count()?;
                let ejectees = (0..n).map(|_| r.uuid()).collect::<Result<_, _>>()?;
                EjectGroupMemberRequest {
                    agent,
                    session,
                    group,
                    ejectees,
                }
            }
            EJECT_GROUP_MEMBER_REPLY | JOIN_GROUP_REPLY | LEAVE_GROUP_REPLY => {
                let (agent, group, success) = (r.uuid()?, r.uuid()?, r.bool()?);
                match number {
                    EJECT_GROUP_MEMBER_REPLY => EjectGroupMemberReply {
                        agent,
                        group,
                        success,
                    },
                    JOIN_GROUP_REPLY => JoinGroupReply {
                        agent,
                        group,
                        success,
                    },
                    _ => LeaveGroupReply {
                        agent,
                        group,
                        success,
                    },
                }
            }
            UUID_GROUP_NAME_REQUEST => {
                let n = r.count()?;
                UuidGroupNameRequest((0..n).map(|_| r.uuid()).collect::<Result<_, _>>()?)
            }
            UUID_GROUP_NAME_REPLY => {
                let n = r.count()?;
                UuidGroupNameReply(
                    (0..n)
                        .map(|_| Ok((r.uuid()?, r.str1()?)))
                        .collect::<Result<_, Error>>()?,
                )
            }
            _ => return Ok(None),
        }))
    }
}
