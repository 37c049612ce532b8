//! Groups, roles, memberships, invitations, bans and posts (chat and notices).

use crate::sql::{Row, sql};
use crate::{Committed, StoreError, Tx};
use grid::group::{
    Applicant, Group, GroupId, Invitation, Membership, PostId, PostKind, Powers, Role, RoleId,
    RoleKind, group_name_key,
};
use grid::{AvatarId, Event, EventId, NULL_KEY, Presence, Timestamp, Uuid};

/// What it takes to create a group.
#[derive(Clone, Debug)]
pub struct NewGroup {
    pub name: String,
    pub charter: String,
    pub open_enrollment: bool,
    pub fee: i64,
    pub founder: AvatarId,
}

/// What it takes to record an invitation.
#[derive(Clone, Debug)]
pub struct NewInvitation {
    pub group: GroupId,
    pub role: RoleId,
    pub invitee: AvatarId,
    pub inviter: AvatarId,
    pub fee: i64,
    pub message: String,
    pub location: Option<String>,
    pub misc: Option<String>,
    pub expires: Timestamp,
}

/// What it takes to record a post.
#[derive(Clone, Debug)]
pub struct NewPost {
    pub group: GroupId,
    pub kind: PostKind,
    pub sender: AvatarId,
    pub subject: String,
    pub text: String,
    pub attachment: Option<Uuid>,
    /// The chat client's rich form of a chat message.
    pub rich: Option<String>,
    /// A file sent with a chat message.
    pub file: Option<grid::chat::FileId>,
    /// The post a chat message answers.
    pub quote: Option<PostId>,
    /// Not to be sent before this time.
    pub send_after: Timestamp,
}

/// The two group switches kept beside the group row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GroupFlags {
    /// Joins through the group's links wait for a reviewer.
    pub review_joins: bool,
    /// The group was disbanded.
    pub disbanded: bool,
}

/// A post waiting to be sent.
#[derive(Clone, Debug, PartialEq)]
pub struct WaitingPost {
    pub id: PostId,
    pub group: GroupId,
    pub kind: PostKind,
    pub send_after: Timestamp,
}

macro_rules! group_columns {
    () => {
        "g.id, g.uuid, g.name, g.charter, g.insignia, g.open_enrollment, g.fee, g.mature, g.founder_id, g.created_at"
    };
}

macro_rules! role_columns {
    () => {
        "r.id, r.uuid, r.group_id, r.kind, r.name, r.title, r.description, r.powers"
    };
}

/// Everyone first, then Owners, Officers and the custom roles in creation order.
macro_rules! role_order {
    () => {
        " ORDER BY CASE r.kind WHEN 'everyone' THEN 0 WHEN 'owners' THEN 1 WHEN 'officers' THEN 2 ELSE 3 END, r.id"
    };
}

/// Whether the member in `m` holds a role with the power given as parameter $N.
macro_rules! has_power {
    ($param:literal) => {
        concat!(
            "EXISTS (SELECT 1 FROM member_roles mr JOIN roles r ON r.id = mr.role_id ",
            "WHERE mr.group_id = m.group_id AND mr.avatar_id = m.avatar_id AND (r.powers & ",
            $param,
            ") <> 0)"
        )
    };
}

fn group_from(r: &Row<'_>, at: usize) -> Result<Group, StoreError> {
    Ok(Group {
        id: GroupId(r.get(at)?),
        uuid: super::uuid(r.get(at + 1)?)?,
        name: r.get(at + 2)?,
        charter: r.get(at + 3)?,
        insignia: super::opt_uuid(r.get(at + 4)?)?.unwrap_or(NULL_KEY),
        open_enrollment: r.get(at + 5)?,
        fee: r.get(at + 6)?,
        mature: r.get(at + 7)?,
        founder: AvatarId(r.get(at + 8)?),
        created: Timestamp(r.get(at + 9)?),
    })
}

fn applicant_from(r: &Row<'_>) -> Result<Applicant, StoreError> {
    Ok(Applicant {
        group: GroupId(r.get(0)?),
        avatar: AvatarId(r.get(1)?),
        role: RoleId(r.get(2)?),
        host: AvatarId(r.get(3)?),
        since: Timestamp(r.get(4)?),
    })
}

fn role_from(r: &Row<'_>, at: usize) -> Result<Role, StoreError> {
    let kind: String = r.get(at + 3)?;
    Ok(Role {
        id: RoleId(r.get(at)?),
        uuid: super::uuid(r.get(at + 1)?)?,
        group: GroupId(r.get(at + 2)?),
        kind: RoleKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("role kind {kind:?}")))?,
        name: r.get(at + 4)?,
        title: r.get(at + 5)?,
        description: r.get(at + 6)?,
        powers: Powers(r.get(at + 7)?),
    })
}

fn invitation_from(r: &Row<'_>) -> Result<Invitation, StoreError> {
    Ok(Invitation {
        id: r.get(0)?,
        session: super::uuid(r.get(1)?)?,
        group: GroupId(r.get(2)?),
        role: RoleId(r.get(3)?),
        invitee: AvatarId(r.get(4)?),
        inviter: AvatarId(r.get(5)?),
        fee: r.get(6)?,
        message: r.get(7)?,
        created: Timestamp(r.get(8)?),
        expires: Timestamp(r.get(9)?),
    })
}

macro_rules! invitation_columns {
    () => {
        "id, session, group_id, role_id, invitee_id, inviter_id, fee, message, created_at, expires_at"
    };
}

impl Tx<'_> {
    /// Creates a group with its Everyone, Officers and Owners roles, and makes the
    /// founder its first member and owner. Fails with a unique violation when the name
    /// is taken (in any case).
    pub fn insert_group(&mut self, new: &NewGroup) -> Result<Group, StoreError> {
        let uuid = Uuid::new_v4();
        let now = self.now();
        let id: i64 = self.conn.query_one(
            sql!(
                "INSERT INTO groups (uuid, name, name_key, charter, open_enrollment, fee, mature, founder_id, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, FALSE, $7, $8) RETURNING id"
            ),
            &[
                &uuid.to_string(),
                &new.name,
                &group_name_key(&new.name),
                &new.charter,
                &new.open_enrollment,
                &new.fee,
                &new.founder.0,
                &now.0,
            ],
            |r| r.get(0),
        )?;
        let group = GroupId(id);
        let everyone = self.insert_role(
            group,
            RoleKind::Everyone,
            NULL_KEY,
            "Everyone",
            "Member",
            "All members",
            Powers::everyone_default(),
        )?;
        self.insert_role(
            group,
            RoleKind::Officers,
            Uuid::new_v4(),
            "Officers",
            "Officer",
            "Group officers",
            Powers::officers_default(),
        )?;
        // Owners hold every power, including powers added in later versions: all bits.
        let owners = self.insert_role(
            group,
            RoleKind::Owners,
            Uuid::new_v4(),
            "Owners",
            "Owner",
            "Group owners",
            Powers(-1),
        )?;
        self.add_member(group, new.founder, &[everyone.id, owners.id], owners.id)?;
        Ok(Group {
            id: group,
            uuid,
            name: new.name.clone(),
            charter: new.charter.clone(),
            insignia: NULL_KEY,
            open_enrollment: new.open_enrollment,
            fee: new.fee,
            mature: false,
            founder: new.founder,
            created: now,
        })
    }

    /// The group with this row id.
    pub fn group(&mut self, id: GroupId) -> Result<Option<Group>, StoreError> {
        self.conn.query_opt(
            sql!(concat!(
                "SELECT ",
                group_columns!(),
                " FROM groups g WHERE g.id = $1"
            )),
            &[&id.0],
            |r| group_from(r, 0),
        )
    }

    /// The group with this UUID.
    pub fn group_by_uuid(&mut self, uuid: Uuid) -> Result<Option<Group>, StoreError> {
        self.conn.query_opt(
            sql!(concat!(
                "SELECT ",
                group_columns!(),
                " FROM groups g WHERE g.uuid = $1"
            )),
            &[&uuid.to_string()],
            |r| group_from(r, 0),
        )
    }

    /// The group with this name, in any case.
    pub fn group_by_name(&mut self, name: &str) -> Result<Option<Group>, StoreError> {
        self.conn.query_opt(
            sql!(concat!(
                "SELECT ",
                group_columns!(),
                " FROM groups g WHERE g.name_key = $1"
            )),
            &[&group_name_key(name)],
            |r| group_from(r, 0),
        )
    }

    /// Every group, by name.
    pub fn groups(&mut self) -> Result<Vec<Group>, StoreError> {
        self.conn.query(
            sql!(concat!(
                "SELECT ",
                group_columns!(),
                " FROM groups g WHERE g.disbanded_at IS NULL ORDER BY g.name_key"
            )),
            &[],
            |r| group_from(r, 0),
        )
    }

    /// Changes a group's charter, enrollment and fee.
    pub fn update_group(&mut self, group: &Group) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("UPDATE groups SET charter = $1, open_enrollment = $2, fee = $3 WHERE id = $4"),
            &[
                &group.charter,
                &group.open_enrollment,
                &group.fee,
                &group.id.0,
            ],
        )?;
        Ok(())
    }

    /// A group's roles: Everyone, Owners, Officers, then the others.
    pub fn roles(&mut self, group: GroupId) -> Result<Vec<Role>, StoreError> {
        self.conn.query(
            sql!(concat!(
                "SELECT ",
                role_columns!(),
                " FROM roles r WHERE r.group_id = $1",
                role_order!()
            )),
            &[&group.0],
            |r| role_from(r, 0),
        )
    }

    /// The role with this row id.
    pub fn role(&mut self, id: RoleId) -> Result<Option<Role>, StoreError> {
        self.conn.query_opt(
            sql!(concat!(
                "SELECT ",
                role_columns!(),
                " FROM roles r WHERE r.id = $1"
            )),
            &[&id.0],
            |r| role_from(r, 0),
        )
    }

    /// A role of a group by its UUID (the zero UUID is Everyone).
    pub fn role_by_uuid(&mut self, group: GroupId, uuid: Uuid) -> Result<Option<Role>, StoreError> {
        self.conn.query_opt(
            sql!(concat!(
                "SELECT ",
                role_columns!(),
                " FROM roles r WHERE r.group_id = $1 AND r.uuid = $2"
            )),
            &[&group.0, &uuid.to_string()],
            |r| role_from(r, 0),
        )
    }

    /// A role of a group by its name, in any case.
    pub fn role_by_name(&mut self, group: GroupId, name: &str) -> Result<Option<Role>, StoreError> {
        self.conn.query_opt(
            sql!(concat!(
                "SELECT ",
                role_columns!(),
                " FROM roles r WHERE r.group_id = $1 AND r.name_key = $2"
            )),
            &[&group.0, &name.trim().to_lowercase()],
            |r| role_from(r, 0),
        )
    }

    /// The group's role of a built-in kind.
    pub fn role_of_kind(&mut self, group: GroupId, kind: RoleKind) -> Result<Role, StoreError> {
        self.conn
            .query_opt(
                sql!(concat!(
                    "SELECT ",
                    role_columns!(),
                    " FROM roles r WHERE r.group_id = $1 AND r.kind = $2"
                )),
                &[&group.0, &kind.as_str()],
                |r| role_from(r, 0),
            )?
            .ok_or_else(|| {
                StoreError::Corrupt(format!("group {} has no {} role", group.0, kind.as_str()))
            })
    }

    /// Adds a role. Fails with a unique violation when the name is taken in the group.
    #[allow(clippy::too_many_arguments)]
    pub fn insert_role(
        &mut self,
        group: GroupId,
        kind: RoleKind,
        uuid: Uuid,
        name: &str,
        title: &str,
        description: &str,
        powers: Powers,
    ) -> Result<Role, StoreError> {
        let id: i64 = self.conn.query_one(
            sql!(
                "INSERT INTO roles (group_id, uuid, kind, name, name_key, title, description, powers)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"
            ),
            &[
                &group.0,
                &uuid.to_string(),
                &kind.as_str(),
                &name,
                &name.trim().to_lowercase(),
                &title,
                &description,
                &powers.0,
            ],
            |r| r.get(0),
        )?;
        Ok(Role {
            id: RoleId(id),
            uuid,
            group,
            kind,
            name: name.to_owned(),
            title: title.to_owned(),
            description: description.to_owned(),
            powers,
        })
    }

    /// Writes a role's name, title, description and powers.
    pub fn update_role(&mut self, role: &Role) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("UPDATE roles SET name = $1, name_key = $2, title = $3, description = $4, powers = $5 WHERE id = $6"),
            &[
                &role.name,
                &role.name.trim().to_lowercase(),
                &role.title,
                &role.description,
                &role.powers.0,
                &role.id.0,
            ],
        )?;
        Ok(())
    }

    /// Deletes a role: its holders lose it and show the Everyone title instead.
    pub fn delete_role(&mut self, group: GroupId, role: RoleId) -> Result<(), StoreError> {
        let everyone = self.role_of_kind(group, RoleKind::Everyone)?;
        self.conn.execute(
            sql!("UPDATE group_members SET active_role_id = $1 WHERE group_id = $2 AND active_role_id = $3"),
            &[&everyone.id.0, &group.0, &role.0],
        )?;
        self.conn.execute(
            sql!("DELETE FROM member_roles WHERE role_id = $1"),
            &[&role.0],
        )?;
        self.conn
            .execute(sql!("DELETE FROM roles WHERE id = $1"), &[&role.0])?;
        Ok(())
    }

    /// An avatar's membership of a group, with its roles.
    pub fn membership(
        &mut self,
        group: GroupId,
        avatar: AvatarId,
    ) -> Result<Option<Membership>, StoreError> {
        let row: Option<(i64, bool, bool, bool)> = self.conn.query_opt(
            sql!("SELECT active_role_id, in_profile, accept_notices, blocked FROM group_members WHERE group_id = $1 AND avatar_id = $2"),
            &[&group.0, &avatar.0],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        let Some((active, in_profile, accept_notices, blocked)) = row else {
            return Ok(None);
        };
        let roles = self.conn.query(
            sql!(concat!(
                "SELECT ",
                role_columns!(),
                " FROM member_roles mr JOIN roles r ON r.id = mr.role_id WHERE mr.group_id = $1 AND mr.avatar_id = $2",
                role_order!()
            )),
            &[&group.0, &avatar.0],
            |r| role_from(r, 0),
        )?;
        Ok(Some(Membership {
            group,
            avatar,
            roles,
            active_role: RoleId(active),
            in_profile,
            accept_notices,
            blocked,
        }))
    }

    /// Every group an avatar is in, with its membership, by group name. Two queries,
    /// whatever the number of groups.
    pub fn memberships(
        &mut self,
        avatar: AvatarId,
    ) -> Result<Vec<(Group, Membership)>, StoreError> {
        let groups: Vec<(Group, i64, bool, bool, bool)> = self.conn.query(
            sql!(concat!(
                "SELECT ",
                group_columns!(),
                ", m.active_role_id, m.in_profile, m.accept_notices, m.blocked
                 FROM group_members m JOIN groups g ON g.id = m.group_id
                 WHERE m.avatar_id = $1 ORDER BY g.name_key"
            )),
            &[&avatar.0],
            |r| {
                Ok((
                    group_from(r, 0)?,
                    r.get(10)?,
                    r.get(11)?,
                    r.get(12)?,
                    r.get(13)?,
                ))
            },
        )?;
        let roles: Vec<Role> = self.conn.query(
            sql!(concat!(
                "SELECT ",
                role_columns!(),
                " FROM member_roles mr JOIN roles r ON r.id = mr.role_id WHERE mr.avatar_id = $1",
                role_order!()
            )),
            &[&avatar.0],
            |r| role_from(r, 0),
        )?;
        Ok(groups
            .into_iter()
            .map(|(group, active, in_profile, accept_notices, blocked)| {
                let membership = Membership {
                    group: group.id,
                    avatar,
                    roles: roles
                        .iter()
                        .filter(|r| r.group == group.id)
                        .cloned()
                        .collect(),
                    active_role: RoleId(active),
                    in_profile,
                    accept_notices,
                    blocked,
                };
                (group, membership)
            })
            .collect())
    }

    /// Every membership of a group, with roles, by avatar id. Two queries, whatever the
    /// size of the group.
    pub fn group_memberships(&mut self, group: GroupId) -> Result<Vec<Membership>, StoreError> {
        let rows: Vec<(i64, i64, bool, bool, bool)> = self.conn.query(
            sql!(
                "SELECT avatar_id, active_role_id, in_profile, accept_notices, blocked
                 FROM group_members WHERE group_id = $1 ORDER BY avatar_id"
            ),
            &[&group.0],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )?;
        let held: Vec<(i64, Role)> = self.conn.query(
            sql!(concat!(
                "SELECT mr.avatar_id, ",
                role_columns!(),
                " FROM member_roles mr JOIN roles r ON r.id = mr.role_id WHERE mr.group_id = $1",
                role_order!()
            )),
            &[&group.0],
            |r| Ok((r.get(0)?, role_from(r, 1)?)),
        )?;
        Ok(rows
            .into_iter()
            .map(
                |(avatar, active, in_profile, accept_notices, blocked)| Membership {
                    group,
                    avatar: AvatarId(avatar),
                    roles: held
                        .iter()
                        .filter(|(a, _)| *a == avatar)
                        .map(|(_, r)| r.clone())
                        .collect(),
                    active_role: RoleId(active),
                    in_profile,
                    accept_notices,
                    blocked,
                },
            )
            .collect())
    }

    /// Blocks a member for all, or lifts the block.
    pub fn set_member_blocked(
        &mut self,
        group: GroupId,
        avatar: AvatarId,
        blocked: bool,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("UPDATE group_members SET blocked = $3 WHERE group_id = $1 AND avatar_id = $2"),
            &[&group.0, &avatar.0, &blocked],
        )?;
        Ok(())
    }

    /// Appends an event to the log of every member of a group, in one statement
    /// whatever its size.
    pub fn emit_to_members(&mut self, group: GroupId, event: &Event) -> Result<usize, StoreError> {
        let now = self.now().0;
        let body = serde_json::to_string(event)
            .map_err(|e| StoreError::Other(format!("cannot encode event: {e}")))?;
        let reached: Vec<(i64, i64)> = self.conn.query(
            sql!(
                "INSERT INTO events (avatar_id, body, created_at)
                 SELECT avatar_id, $2, $3 FROM group_members WHERE group_id = $1
                 ORDER BY avatar_id
                 RETURNING avatar_id, id"
            ),
            &[&group.0, &body, &now],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(self.record_emitted(reached))
    }

    /// Records an event for every member that is a chat user (has SimpleX sessions):
    /// membership news only chat sessions show, so a 10,000-member group with a few
    /// chat users writes a few rows, not 10,000.
    pub fn emit_to_chat_members(
        &mut self,
        group: GroupId,
        event: &Event,
    ) -> Result<usize, StoreError> {
        let now = self.now().0;
        let body = serde_json::to_string(event)
            .map_err(|e| StoreError::Other(format!("cannot encode event: {e}")))?;
        let reached: Vec<(i64, i64)> = self.conn.query(
            sql!(
                "INSERT INTO events (avatar_id, body, created_at)
                 SELECT m.avatar_id, $2, $3
                 FROM group_members m JOIN chat_users c ON c.avatar_id = m.avatar_id
                 WHERE m.group_id = $1
                 ORDER BY m.avatar_id
                 RETURNING avatar_id, id"
            ),
            &[&group.0, &body, &now],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(self.record_emitted(reached))
    }

    /// Records an event for every member holding a role with any of `powers`.
    pub fn emit_to_holders(
        &mut self,
        group: GroupId,
        powers: Powers,
        event: &Event,
    ) -> Result<usize, StoreError> {
        let now = self.now().0;
        let body = serde_json::to_string(event)
            .map_err(|e| StoreError::Other(format!("cannot encode event: {e}")))?;
        let reached: Vec<(i64, i64)> = self.conn.query(
            sql!(
                "INSERT INTO events (avatar_id, body, created_at)
                 SELECT h.avatar_id, $2, $3 FROM (
                     SELECT DISTINCT mr.avatar_id
                     FROM member_roles mr JOIN roles r ON r.id = mr.role_id
                     WHERE mr.group_id = $1 AND (r.powers & $4) <> 0
                 ) h
                 ORDER BY h.avatar_id
                 RETURNING avatar_id, id"
            ),
            &[&group.0, &body, &now, &powers.0],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(self.record_emitted(reached))
    }

    /// Disbands a group: members, applicants, open invitations and links go, and the
    /// name is free for a new group (the key it keeps, with a leading space, is one no
    /// trimmed name has). Returns false when it was disbanded already.
    pub fn disband_group(&mut self, group: GroupId) -> Result<bool, StoreError> {
        let now = self.now().0;
        let n = self.conn.execute(
            sql!(
                "UPDATE groups SET disbanded_at = $2, open_enrollment = FALSE,
                        name_key = ' disbanded ' || CAST(id AS TEXT)
                 WHERE id = $1 AND disbanded_at IS NULL"
            ),
            &[&group.0, &now],
        )?;
        if n == 0 {
            return Ok(false);
        }
        for q in [
            sql!("DELETE FROM member_roles WHERE group_id = $1"),
            sql!("DELETE FROM group_members WHERE group_id = $1"),
            sql!("DELETE FROM group_applicants WHERE group_id = $1"),
            sql!("DELETE FROM links WHERE group_id = $1"),
            sql!("UPDATE avatars SET active_group_id = NULL WHERE active_group_id = $1"),
        ] {
            self.conn.execute(q, &[&group.0])?;
        }
        self.conn.execute(
            sql!(
                "UPDATE group_invitations SET answered_at = $2, accepted = FALSE
                 WHERE group_id = $1 AND answered_at IS NULL"
            ),
            &[&group.0, &now],
        )?;
        Ok(true)
    }

    /// Whether the group reviews who joins through its links, and whether it was disbanded:
    /// one read for both.
    pub fn group_flags(&mut self, group: GroupId) -> Result<GroupFlags, StoreError> {
        Ok(self
            .conn
            .query_opt(
                sql!("SELECT review_joins, disbanded_at FROM groups WHERE id = $1"),
                &[&group.0],
                |r| {
                    Ok(GroupFlags {
                        review_joins: r.get(0)?,
                        disbanded: r.get::<Option<i64>>(1)?.is_some(),
                    })
                },
            )?
            .unwrap_or_default())
    }

    /// For every group the avatar is in: its member count and whether it reviews joins,
    /// in one statement rather than two per group.
    pub fn member_group_counts(
        &mut self,
        avatar: AvatarId,
    ) -> Result<std::collections::HashMap<GroupId, (i64, bool)>, StoreError> {
        let rows: Vec<(i64, i64, bool)> = self.conn.query(
            sql!(
                "SELECT g.id,
                        (SELECT COUNT(*) FROM group_members c WHERE c.group_id = g.id),
                        g.review_joins
                 FROM group_members m JOIN groups g ON g.id = m.group_id
                 WHERE m.avatar_id = $1"
            ),
            &[&avatar.0],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        Ok(rows
            .into_iter()
            .map(|(g, count, review)| (GroupId(g), (count, review)))
            .collect())
    }

    pub fn set_review_joins(&mut self, group: GroupId, on: bool) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("UPDATE groups SET review_joins = $2 WHERE id = $1"),
            &[&group.0, &on],
        )?;
        Ok(())
    }

    pub fn add_applicant(
        &mut self,
        group: GroupId,
        avatar: AvatarId,
        role: RoleId,
        host: AvatarId,
    ) -> Result<(), StoreError> {
        let now = self.now().0;
        self.conn.execute(
            sql!(
                "INSERT INTO group_applicants (group_id, avatar_id, role_id, host_id, created_at)
                 VALUES ($1, $2, $3, $4, $5)"
            ),
            &[&group.0, &avatar.0, &role.0, &host.0, &now],
        )?;
        Ok(())
    }

    /// An avatar waiting to be let into a group.
    pub fn applicant(
        &mut self,
        group: GroupId,
        avatar: AvatarId,
    ) -> Result<Option<Applicant>, StoreError> {
        self.conn.query_opt(
            sql!(
                "SELECT group_id, avatar_id, role_id, host_id, created_at FROM group_applicants
                 WHERE group_id = $1 AND avatar_id = $2"
            ),
            &[&group.0, &avatar.0],
            applicant_from,
        )
    }

    /// Everyone waiting to be let into a group, oldest first.
    pub fn applicants(&mut self, group: GroupId) -> Result<Vec<Applicant>, StoreError> {
        self.conn.query(
            sql!(
                "SELECT group_id, avatar_id, role_id, host_id, created_at FROM group_applicants
                 WHERE group_id = $1 ORDER BY created_at, avatar_id"
            ),
            &[&group.0],
            applicant_from,
        )
    }

    /// Ends an application; false when there was none.
    pub fn remove_applicant(
        &mut self,
        group: GroupId,
        avatar: AvatarId,
    ) -> Result<bool, StoreError> {
        Ok(self.conn.execute(
            sql!("DELETE FROM group_applicants WHERE group_id = $1 AND avatar_id = $2"),
            &[&group.0, &avatar.0],
        )? > 0)
    }

    /// Adds a member holding `roles` (Everyone among them), showing `active`'s title.
    /// Posts sent before joining are not delivered.
    pub fn add_member(
        &mut self,
        group: GroupId,
        avatar: AvatarId,
        roles: &[RoleId],
        active: RoleId,
    ) -> Result<(), StoreError> {
        let now = self.now().0;
        self.conn.execute(
            sql!(
                "INSERT INTO group_members (group_id, avatar_id, active_role_id, in_profile, accept_notices, post_cursor, joined_at)
                 VALUES ($1, $2, $3, TRUE, TRUE,
                         (SELECT COALESCE(MAX(sent_seq), 0) FROM group_posts WHERE group_id = $1), $4)"
            ),
            &[&group.0, &avatar.0, &active.0, &now],
        )?;
        for role in roles {
            self.add_member_role(group, avatar, *role)?;
        }
        Ok(())
    }

    /// Gives a member a role (nothing happens if it holds it already).
    pub fn add_member_role(
        &mut self,
        group: GroupId,
        avatar: AvatarId,
        role: RoleId,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            sql!(
                "INSERT INTO member_roles (group_id, avatar_id, role_id) VALUES ($1, $2, $3)
                 ON CONFLICT (group_id, avatar_id, role_id) DO NOTHING"
            ),
            &[&group.0, &avatar.0, &role.0],
        )?;
        Ok(())
    }

    /// Takes a role from a member; if it showed that role's title it shows Everyone's.
    pub fn remove_member_role(
        &mut self,
        group: GroupId,
        avatar: AvatarId,
        role: RoleId,
    ) -> Result<(), StoreError> {
        let everyone = self.role_of_kind(group, RoleKind::Everyone)?;
        self.conn.execute(
            sql!(
                "DELETE FROM member_roles WHERE group_id = $1 AND avatar_id = $2 AND role_id = $3"
            ),
            &[&group.0, &avatar.0, &role.0],
        )?;
        self.conn.execute(
            sql!("UPDATE group_members SET active_role_id = $1 WHERE group_id = $2 AND avatar_id = $3 AND active_role_id = $4"),
            &[&everyone.id.0, &group.0, &avatar.0, &role.0],
        )?;
        Ok(())
    }

    /// Removes a member from a group; false when it was not one.
    pub fn remove_member(&mut self, group: GroupId, avatar: AvatarId) -> Result<bool, StoreError> {
        self.conn.execute(
            sql!("DELETE FROM member_roles WHERE group_id = $1 AND avatar_id = $2"),
            &[&group.0, &avatar.0],
        )?;
        let n = self.conn.execute(
            sql!("DELETE FROM group_members WHERE group_id = $1 AND avatar_id = $2"),
            &[&group.0, &avatar.0],
        )?;
        self.conn.execute(
            sql!(
                "UPDATE avatars SET active_group_id = NULL WHERE id = $1 AND active_group_id = $2"
            ),
            &[&avatar.0, &group.0],
        )?;
        Ok(n > 0)
    }

    /// How many members a group has.
    pub fn member_count(&mut self, group: GroupId) -> Result<i64, StoreError> {
        self.conn.query_one(
            sql!("SELECT COUNT(*) FROM group_members WHERE group_id = $1"),
            &[&group.0],
            |r| r.get(0),
        )
    }

    /// How many owners a group has.
    pub fn owner_count(&mut self, group: GroupId) -> Result<i64, StoreError> {
        self.conn.query_one(
            sql!(
                "SELECT COUNT(*) FROM member_roles mr JOIN roles r ON r.id = mr.role_id
                 WHERE mr.group_id = $1 AND r.kind = 'owners'"
            ),
            &[&group.0],
            |r| r.get(0),
        )
    }

    /// Sets the role whose title a member shows.
    pub fn set_active_role(
        &mut self,
        group: GroupId,
        avatar: AvatarId,
        role: RoleId,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("UPDATE group_members SET active_role_id = $1 WHERE group_id = $2 AND avatar_id = $3"),
            &[&role.0, &group.0, &avatar.0],
        )?;
        Ok(())
    }

    /// Sets whether a member shows the group in its profile and wants its notices.
    pub fn set_membership_options(
        &mut self,
        group: GroupId,
        avatar: AvatarId,
        in_profile: bool,
        accept_notices: bool,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("UPDATE group_members SET in_profile = $1, accept_notices = $2 WHERE group_id = $3 AND avatar_id = $4"),
            &[&in_profile, &accept_notices, &group.0, &avatar.0],
        )?;
        Ok(())
    }

    /// An avatar's active group.
    pub fn active_group(&mut self, avatar: AvatarId) -> Result<Option<GroupId>, StoreError> {
        let id: Option<Option<i64>> = self.conn.query_opt(
            sql!("SELECT active_group_id FROM avatars WHERE id = $1"),
            &[&avatar.0],
            |r| r.get(0),
        )?;
        Ok(id.flatten().map(GroupId))
    }

    /// Sets (or clears) an avatar's active group.
    pub fn set_active_group(
        &mut self,
        avatar: AvatarId,
        group: Option<GroupId>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("UPDATE avatars SET active_group_id = $1 WHERE id = $2"),
            &[&group.map(|g| g.0), &avatar.0],
        )?;
        Ok(())
    }

    /// The groups an avatar shows in its profile, by name.
    pub fn profile_groups(&mut self, avatar: AvatarId) -> Result<Vec<Group>, StoreError> {
        self.conn.query(
            sql!(concat!(
                "SELECT ",
                group_columns!(),
                " FROM group_members m JOIN groups g ON g.id = m.group_id
                 WHERE m.avatar_id = $1 AND m.in_profile ORDER BY g.name_key"
            )),
            &[&avatar.0],
            |r| group_from(r, 0),
        )
    }

    /// Records an invitation; its session id is what the invitee answers with.
    pub fn insert_invitation(&mut self, new: &NewInvitation) -> Result<Invitation, StoreError> {
        let session = Uuid::new_v4();
        let now = self.now();
        let id: i64 = self.conn.query_one(
            sql!(
                "INSERT INTO group_invitations (session, group_id, role_id, invitee_id, inviter_id, fee, message,
                     location, misc, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id"
            ),
            &[
                &session.to_string(),
                &new.group.0,
                &new.role.0,
                &new.invitee.0,
                &new.inviter.0,
                &new.fee,
                &new.message,
                &new.location,
                &new.misc,
                &now.0,
                &new.expires.0,
            ],
            |r| r.get(0),
        )?;
        Ok(Invitation {
            id,
            session,
            group: new.group,
            role: new.role,
            invitee: new.invitee,
            inviter: new.inviter,
            fee: new.fee,
            message: new.message.clone(),
            created: now,
            expires: new.expires,
        })
    }

    /// The unanswered invitation with this session id.
    pub fn invitation_by_session(
        &mut self,
        session: Uuid,
    ) -> Result<Option<Invitation>, StoreError> {
        self.conn.query_opt(
            sql!(concat!(
                "SELECT ",
                invitation_columns!(),
                " FROM group_invitations WHERE session = $1 AND answered_at IS NULL"
            )),
            &[&session.to_string()],
            invitation_from,
        )
    }

    /// The newest unanswered, unexpired invitation of an avatar into a group.
    pub fn open_invitation(
        &mut self,
        group: GroupId,
        invitee: AvatarId,
    ) -> Result<Option<Invitation>, StoreError> {
        let now = self.now().0;
        self.conn.query_opt(
            sql!(concat!(
                "SELECT ",
                invitation_columns!(),
                " FROM group_invitations
                 WHERE group_id = $1 AND invitee_id = $2 AND answered_at IS NULL AND expires_at > $3
                 ORDER BY id DESC LIMIT 1"
            )),
            &[&group.0, &invitee.0, &now],
            invitation_from,
        )
    }

    /// Marks an invitation answered.
    pub fn answer_invitation(&mut self, id: i64, accepted: bool) -> Result<(), StoreError> {
        let now = self.now().0;
        self.conn.execute(
            sql!("UPDATE group_invitations SET answered_at = $1, accepted = $2 WHERE id = $3"),
            &[&now, &accepted, &id],
        )?;
        Ok(())
    }

    /// When an avatar was last invited into a group.
    pub fn last_invitation(
        &mut self,
        group: GroupId,
        invitee: AvatarId,
    ) -> Result<Option<Timestamp>, StoreError> {
        let at: Option<i64> = self.conn.query_one(
            sql!("SELECT MAX(created_at) FROM group_invitations WHERE group_id = $1 AND invitee_id = $2"),
            &[&group.0, &invitee.0],
            |r| r.get(0),
        )?;
        Ok(at.map(Timestamp))
    }

    /// True when an avatar is banned from a group.
    pub fn is_banned(&mut self, group: GroupId, avatar: AvatarId) -> Result<bool, StoreError> {
        let n: i64 = self.conn.query_one(
            sql!("SELECT COUNT(*) FROM group_bans WHERE group_id = $1 AND avatar_id = $2"),
            &[&group.0, &avatar.0],
            |r| r.get(0),
        )?;
        Ok(n > 0)
    }

    /// Bans an avatar (nothing happens if it is banned already).
    pub fn ban(
        &mut self,
        group: GroupId,
        avatar: AvatarId,
        by: AvatarId,
    ) -> Result<(), StoreError> {
        let now = self.now().0;
        self.conn.execute(
            sql!(
                "INSERT INTO group_bans (group_id, avatar_id, by_id, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (group_id, avatar_id) DO NOTHING"
            ),
            &[&group.0, &avatar.0, &by.0, &now],
        )?;
        Ok(())
    }

    /// Lifts a ban; false when there was none.
    pub fn unban(&mut self, group: GroupId, avatar: AvatarId) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            sql!("DELETE FROM group_bans WHERE group_id = $1 AND avatar_id = $2"),
            &[&group.0, &avatar.0],
        )?;
        Ok(n > 0)
    }

    /// Records a post, not yet sent.
    pub fn insert_post(&mut self, new: &NewPost) -> Result<PostId, StoreError> {
        let now = self.now().0;
        let id: i64 = self.conn.query_one(
            sql!(
                "INSERT INTO group_posts (uuid, group_id, kind, sender_id, subject, body, attachment, created_at, send_after, rich, file_id, quoted_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id"
            ),
            &[
                &Uuid::new_v4().to_string(),
                &new.group.0,
                &new.kind.as_str(),
                &new.sender.0,
                &new.subject,
                &new.text,
                &new.attachment.map(|u| u.to_string()),
                &now,
                &new.send_after.0,
                &new.rich,
                &new.file.map(|f| f.0),
                &new.quote.map(|q| q.0),
            ],
            |r| r.get(0),
        )?;
        Ok(PostId(id))
    }

    /// A sender's posts not yet sent, oldest first. With `due_by`, only those whose time
    /// has come.
    pub fn waiting_posts(
        &mut self,
        sender: AvatarId,
        due_by: Option<Timestamp>,
    ) -> Result<Vec<WaitingPost>, StoreError> {
        let due = due_by.map(|t| t.0).unwrap_or(i64::MAX);
        self.conn.query(
            sql!(
                "SELECT id, group_id, kind, send_after FROM group_posts
                 WHERE sender_id = $1 AND sent_at IS NULL AND send_after <= $2
                 ORDER BY send_after, id"
            ),
            &[&sender.0, &due],
            |r| {
                let kind: String = r.get(2)?;
                Ok(WaitingPost {
                    id: PostId(r.get(0)?),
                    group: GroupId(r.get(1)?),
                    kind: PostKind::parse(&kind)
                        .ok_or_else(|| StoreError::Corrupt(format!("post kind {kind:?}")))?,
                    send_after: Timestamp(r.get(3)?),
                })
            },
        )
    }

    /// Senders with posts waiting, and when the earliest may go (for restarts).
    pub fn senders_waiting(&mut self) -> Result<Vec<(AvatarId, Timestamp)>, StoreError> {
        self.conn.query(
            sql!("SELECT sender_id, MIN(send_after) FROM group_posts WHERE sent_at IS NULL GROUP BY sender_id"),
            &[],
            |r| Ok((AvatarId(r.get(0)?), Timestamp(r.get(1)?))),
        )
    }

    /// The send times of a sender's notices since `since` (sent or scheduled), oldest first.
    pub fn notice_times(
        &mut self,
        sender: AvatarId,
        since: Timestamp,
    ) -> Result<Vec<Timestamp>, StoreError> {
        self.conn.query(
            sql!(
                "SELECT send_after FROM group_posts
                 WHERE sender_id = $1 AND kind = 'notice' AND send_after >= $2 ORDER BY send_after"
            ),
            &[&sender.0, &since.0],
            |r| Ok(Timestamp(r.get(0)?)),
        )
    }

    /// Sends a post: gives it the group's next send sequence and puts it in the log of
    /// every online member who may receive it (not the sender), in one statement
    /// whatever the size of the group. Offline members get it from their cursor when
    /// they come online. Returns how many members it reached now.
    pub fn send_post(
        &mut self,
        post: PostId,
        group: GroupId,
        sender: AvatarId,
        kind: PostKind,
    ) -> Result<usize, StoreError> {
        let now = self.now().0;
        self.conn.execute(
            sql!(
                "UPDATE group_posts SET sent_at = $1,
                     sent_seq = (SELECT COALESCE(MAX(sent_seq), 0) + 1 FROM group_posts WHERE group_id = $2)
                 WHERE id = $3"
            ),
            &[&now, &group.0, &post.0],
        )?;
        let only_accepting = kind == PostKind::Notice;
        let reached: Vec<(i64, i64)> = self.conn.query(
            sql!(concat!(
                "INSERT INTO events (avatar_id, body, post_id, created_at)
                 SELECT m.avatar_id, '', $1, $2
                 FROM group_members m JOIN avatars a ON a.id = m.avatar_id
                 WHERE m.group_id = $3 AND m.avatar_id <> $4 AND a.presence = $5
                   AND (m.accept_notices OR NOT $6) AND ",
                has_power!("$7"),
                " ORDER BY m.avatar_id
                 RETURNING avatar_id, id"
            )),
            &[
                &post.0,
                &now,
                &group.0,
                &sender.0,
                &Presence::Online.as_str(),
                &only_accepting,
                &kind.receive_power().0,
            ],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(self.record_emitted(reached))
    }

    /// Reports log rows an `INSERT … RETURNING avatar_id, id` made to the commit hook;
    /// returns how many there were.
    pub(crate) fn record_emitted(&mut self, rows: Vec<(i64, i64)>) -> usize {
        let n = rows.len();
        self.emitted
            .extend(rows.into_iter().map(|(avatar, id)| Committed {
                avatar: AvatarId(avatar),
                id: EventId(id),
            }));
        n
    }

    /// Marks a waiting post as handled without sending it to anyone.
    pub fn discard_post(&mut self, post: PostId) -> Result<(), StoreError> {
        let now = self.now().0;
        self.conn.execute(
            sql!("UPDATE group_posts SET sent_at = $1 WHERE id = $2 AND sent_at IS NULL"),
            &[&now, &post.0],
        )?;
        Ok(())
    }

    /// Puts into an avatar's log the posts sent to its groups since its cursors (at most
    /// `cap` per group, the newest), in the order they were sent, and moves its cursors
    /// to the end. Used when the avatar comes online.
    pub fn catch_up_posts(&mut self, avatar: AvatarId, cap: i64) -> Result<usize, StoreError> {
        let now = self.now().0;
        let reached: Vec<(i64, i64)> = self.conn.query(
            sql!(concat!(
                "INSERT INTO events (avatar_id, body, post_id, created_at)
                 SELECT $1, '', x.id, $2 FROM (
                     SELECT p.id, p.sent_at, p.sent_seq,
                            ROW_NUMBER() OVER (PARTITION BY p.group_id ORDER BY p.sent_seq DESC) AS recent
                     FROM group_posts p JOIN group_members m ON m.group_id = p.group_id AND m.avatar_id = $1
                     WHERE p.sent_seq > m.post_cursor AND p.sender_id <> $1
                       AND ((p.kind = 'chat' AND ",
                has_power!("$3"),
                ") OR (p.kind = 'notice' AND m.accept_notices AND ",
                has_power!("$4"),
                "))
                 ) x WHERE x.recent <= $5
                 ORDER BY x.sent_at, x.sent_seq
                 RETURNING avatar_id, id"
            )),
            &[
                &avatar.0,
                &now,
                &PostKind::Chat.receive_power().0,
                &PostKind::Notice.receive_power().0,
                &cap,
            ],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        self.settle_post_cursors(avatar)?;
        Ok(self.record_emitted(reached))
    }

    /// Marks every post sent so far as had by the avatar, in all its groups (when it
    /// goes offline, and after catching up).
    pub fn settle_post_cursors(&mut self, avatar: AvatarId) -> Result<(), StoreError> {
        self.conn.execute(
            sql!(
                "UPDATE group_members SET post_cursor =
                     (SELECT COALESCE(MAX(p.sent_seq), 0) FROM group_posts p WHERE p.group_id = group_members.group_id)
                 WHERE avatar_id = $1"
            ),
            &[&avatar.0],
        )?;
        Ok(())
    }

    /// The Simple Groups security hash of a group, and the bot that serves it.
    pub fn group_service(
        &mut self,
        group: GroupId,
    ) -> Result<(Option<String>, Option<AvatarId>), StoreError> {
        self.conn
            .query_opt(
                sql!("SELECT security_hash, serving_bot_id FROM groups WHERE id = $1"),
                &[&group.0],
                |r| Ok((r.get(0)?, r.get::<Option<i64>>(1)?.map(AvatarId))),
            )
            .map(|o| o.unwrap_or((None, None)))
    }

    /// Sets the Simple Groups security hash of a group.
    pub fn set_group_security(
        &mut self,
        group: GroupId,
        hash: Option<&str>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("UPDATE groups SET security_hash = $1 WHERE id = $2"),
            &[&hash, &group.0],
        )?;
        Ok(())
    }

    /// Sets the bot that serves a group for the Simple Groups API.
    pub fn set_serving_bot(
        &mut self,
        group: GroupId,
        bot: Option<AvatarId>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("UPDATE groups SET serving_bot_id = $1 WHERE id = $2"),
            &[&bot.map(|b| b.0), &group.0],
        )?;
        Ok(())
    }
}
