//! Chat users, links and message look-ups for chat clients.

use super::avatars::{avatar_columns, avatar_from};
use crate::sql::{Row, sql};
use crate::{StoreError, Tx};
use grid::chat::{AddressSettings, ChatProfile, ChatUser, Content, DirectMessage, Link, LinkKind};
use grid::group::GroupId;
use grid::{Avatar, AvatarId, EventId, MessageId, Timestamp};

fn json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

/// Reads `avatar_columns!(), c.profile` (the profile NULL for avatars no chat client
/// drives, which get an empty one).
fn avatar_with_profile(r: &Row<'_>) -> Result<(Avatar, ChatProfile), StoreError> {
    let profile = match r.get::<Option<String>>(10)? {
        Some(p) => json("chat profile", &p)?,
        None => ChatProfile::default(),
    };
    Ok((avatar_from(r)?, profile))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn link_from(r: &Row<'_>) -> Result<Link, StoreError> {
    let kind: String = r.get(2)?;
    let settings: String = r.get(4)?;
    Ok(Link {
        id: r.get(0)?,
        token: r.get(1)?,
        kind: LinkKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("link kind {kind:?}")))?,
        owner: AvatarId(r.get(3)?),
        group: r.get::<Option<i64>>(6)?.map(GroupId),
        settings: json("link settings", &settings)?,
        created: Timestamp(r.get(5)?),
    })
}

/// Reads a chat user from `avatar_columns!(), profile, created_at`.
fn chat_user_from(r: &Row<'_>) -> Result<ChatUser, StoreError> {
    let profile: String = r.get(10)?;
    Ok(ChatUser {
        avatar: avatar_from(r)?,
        profile: json("chat profile", &profile)?,
        created: Timestamp(r.get(11)?),
    })
}

pub(crate) fn message_from(r: &Row<'_>) -> Result<DirectMessage, StoreError> {
    Ok(DirectMessage {
        id: MessageId(r.get(0)?),
        from: AvatarId(r.get(1)?),
        to: AvatarId(r.get(2)?),
        content: Content {
            text: r.get(3)?,
            rich: r.get(4)?,
            file: super::files::attachment_at(r, 7)?,
        },
        quote: r.get::<Option<i64>>(5)?.map(MessageId),
        at: Timestamp(r.get(6)?),
        edited: r.get::<Option<i64>>(10)?.is_some(),
        deleted: r.get::<Option<i64>>(11)?.map(Timestamp),
    })
}

impl Tx<'_> {
    /// Makes an avatar no longer a chat user: its chat profile, its address and one-time
    /// invitations, and what it kept about contacts and groups go; the avatar stays.
    pub fn delete_chat_user(&mut self, avatar: AvatarId) -> Result<bool, StoreError> {
        self.conn.execute(
            sql!("DELETE FROM links WHERE avatar_id = $1 AND kind IN ('address', 'invitation')"),
            &[&avatar.0],
        )?;
        self.conn.execute(
            sql!("DELETE FROM custom_data WHERE avatar_id = $1"),
            &[&avatar.0],
        )?;
        let n = self.conn.execute(
            sql!("DELETE FROM chat_users WHERE avatar_id = $1"),
            &[&avatar.0],
        )?;
        Ok(n > 0)
    }

    /// Makes an avatar a chat user. Its chat sessions start after the avatar's newest
    /// event.
    pub fn insert_chat_user(
        &mut self,
        avatar: AvatarId,
        profile: &ChatProfile,
    ) -> Result<(), StoreError> {
        let now = self.now().0;
        let cursor = self.last_event_id(avatar)?.0;
        self.conn.execute(
            sql!(
                "INSERT INTO chat_users (avatar_id, profile, cursor, created_at)
                 VALUES ($1, $2, $3, $4)"
            ),
            &[&avatar.0, &to_json(profile)?, &cursor, &now],
        )?;
        Ok(())
    }

    /// The chat user that is this avatar, if it is one.
    pub fn chat_user(&mut self, avatar: AvatarId) -> Result<Option<ChatUser>, StoreError> {
        self.conn.query_opt(
            sql!(concat!(
                "SELECT ",
                avatar_columns!(),
                ", c.profile, c.created_at FROM avatars JOIN chat_users c ON c.avatar_id = id
                 WHERE id = $1"
            )),
            &[&avatar.0],
            chat_user_from,
        )
    }

    /// Every chat user, oldest first.
    pub fn chat_users(&mut self) -> Result<Vec<ChatUser>, StoreError> {
        self.conn.query(
            sql!(concat!(
                "SELECT ",
                avatar_columns!(),
                ", c.profile, c.created_at FROM avatars JOIN chat_users c ON c.avatar_id = id
                 ORDER BY id"
            )),
            &[],
            chat_user_from,
        )
    }

    /// Replaces a chat user's profile and display name.
    pub fn set_chat_profile(
        &mut self,
        avatar: AvatarId,
        display_name: &str,
        profile: &ChatProfile,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("UPDATE chat_users SET profile = $2 WHERE avatar_id = $1"),
            &[&avatar.0, &to_json(profile)?],
        )?;
        self.conn.execute(
            sql!("UPDATE avatars SET display_name = $2 WHERE id = $1"),
            &[&avatar.0, &display_name],
        )?;
        Ok(())
    }

    /// The last event a chat session delivered for this user.
    pub fn chat_cursor(&mut self, avatar: AvatarId) -> Result<Option<EventId>, StoreError> {
        self.conn.query_opt(
            sql!("SELECT cursor FROM chat_users WHERE avatar_id = $1"),
            &[&avatar.0],
            |r| Ok(EventId(r.get(0)?)),
        )
    }

    /// Records that a chat session delivered the user's events up to `cursor`; never
    /// moves the cursor back.
    pub fn advance_chat_cursor(
        &mut self,
        avatar: AvatarId,
        cursor: EventId,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("UPDATE chat_users SET cursor = $2 WHERE avatar_id = $1 AND cursor < $2"),
            &[&avatar.0, &cursor.0],
        )?;
        Ok(())
    }

    /// The friends of an avatar with their chat profiles (empty for avatars no chat
    /// client drives), by row id, in one query.
    pub fn friends_with_profiles(
        &mut self,
        of: AvatarId,
    ) -> Result<Vec<(Avatar, ChatProfile)>, StoreError> {
        self.conn.query(
            sql!(concat!(
                "SELECT ",
                avatar_columns!(),
                ", c.profile FROM avatars JOIN friendships f ON f.friend_id = id
                 LEFT JOIN chat_users c ON c.avatar_id = id
                 WHERE f.avatar_id = $1 ORDER BY id"
            )),
            &[&of.0],
            avatar_with_profile,
        )
    }

    /// Whether a chat user has this display name, ignoring case.
    pub fn chat_name_taken(&mut self, display_name: &str) -> Result<bool, StoreError> {
        let found: Option<i64> = self.conn.query_opt(
            sql!(
                "SELECT a.id FROM avatars a JOIN chat_users c ON c.avatar_id = a.id
                 WHERE lower(a.display_name) = lower($1) LIMIT 1"
            ),
            &[&display_name],
            |r| r.get(0),
        )?;
        Ok(found.is_some())
    }

    /// Creates a link.
    pub fn insert_link(
        &mut self,
        token: &str,
        kind: LinkKind,
        owner: AvatarId,
        group: Option<GroupId>,
        settings: &AddressSettings,
    ) -> Result<Link, StoreError> {
        let now = self.now().0;
        let id: i64 = self.conn.query_one(
            sql!(
                "INSERT INTO links (token, kind, avatar_id, group_id, settings, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
            ),
            &[
                &token,
                &kind.as_str(),
                &owner.0,
                &group.map(|g| g.0),
                &to_json(settings)?,
                &now,
            ],
            |r| r.get(0),
        )?;
        Ok(Link {
            id,
            token: token.to_owned(),
            kind,
            owner,
            group,
            settings: settings.clone(),
            created: Timestamp(now),
        })
    }

    /// The link with this token.
    pub fn link_by_token(&mut self, token: &str) -> Result<Option<Link>, StoreError> {
        self.conn.query_opt(
            sql!(
                "SELECT id, token, kind, avatar_id, settings, created_at, group_id FROM links
                 WHERE token = $1"
            ),
            &[&token],
            link_from,
        )
    }

    /// An avatar's links of one kind, oldest first.
    pub fn links_of(&mut self, owner: AvatarId, kind: LinkKind) -> Result<Vec<Link>, StoreError> {
        self.conn.query(
            sql!(
                "SELECT id, token, kind, avatar_id, settings, created_at, group_id FROM links
                 WHERE avatar_id = $1 AND kind = $2 ORDER BY id"
            ),
            &[&owner.0, &kind.as_str()],
            link_from,
        )
    }

    /// A group's join link (a group has at most one).
    pub fn group_link(&mut self, group: GroupId) -> Result<Option<Link>, StoreError> {
        self.conn.query_opt(
            sql!(
                "SELECT id, token, kind, avatar_id, settings, created_at, group_id FROM links
                 WHERE group_id = $1 AND kind = 'group' ORDER BY id LIMIT 1"
            ),
            &[&group.0],
            link_from,
        )
    }

    /// The members of a group with their chat profiles (empty for avatars no chat
    /// client drives), by avatar id, in one query.
    pub fn members_with_profiles(
        &mut self,
        group: GroupId,
    ) -> Result<Vec<(Avatar, ChatProfile)>, StoreError> {
        self.conn.query(
            sql!(concat!(
                "SELECT ",
                avatar_columns!(),
                ", c.profile FROM avatars JOIN group_members m ON m.avatar_id = id
                 LEFT JOIN chat_users c ON c.avatar_id = id
                 WHERE m.group_id = $1 ORDER BY id"
            )),
            &[&group.0],
            avatar_with_profile,
        )
    }

    /// Changes a link's settings.
    pub fn set_link_settings(
        &mut self,
        id: i64,
        settings: &AddressSettings,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("UPDATE links SET settings = $2 WHERE id = $1"),
            &[&id, &to_json(settings)?],
        )?;
        Ok(())
    }

    /// Deletes a link; nobody can use it any more.
    pub fn delete_link(&mut self, id: i64) -> Result<(), StoreError> {
        self.conn
            .execute(sql!("DELETE FROM links WHERE id = $1"), &[&id])?;
        Ok(())
    }

    /// A direct message by id.
    pub fn direct_message(&mut self, id: MessageId) -> Result<Option<DirectMessage>, StoreError> {
        self.conn.query_opt(
            sql!(
                "SELECT m.id, m.from_id, m.to_id, m.body, m.rich, m.quoted_id, m.created_at,
                        f.id, f.name, f.size, m.edited_at, m.deleted_at
                 FROM direct_messages m LEFT JOIN files f ON f.id = m.file_id
                 WHERE m.id = $1"
            ),
            &[&id.0],
            message_from,
        )
    }

    /// The newest direct messages between two avatars, oldest first, as `a` sees them
    /// (without those `a` deleted for itself).
    pub fn direct_messages_between(
        &mut self,
        a: AvatarId,
        b: AvatarId,
        limit: i64,
    ) -> Result<Vec<DirectMessage>, StoreError> {
        let mut rows = self.conn.query(
            sql!(
                "SELECT m.id, m.from_id, m.to_id, m.body, m.rich, m.quoted_id, m.created_at,
                        f.id, f.name, f.size, m.edited_at, m.deleted_at
                 FROM direct_messages m LEFT JOIN files f ON f.id = m.file_id
                 WHERE ((m.from_id = $1 AND m.to_id = $2) OR (m.from_id = $2 AND m.to_id = $1))
                   AND NOT EXISTS (SELECT 1 FROM hidden_items h
                                   WHERE h.avatar_id = $1 AND h.kind = 'direct' AND h.item_id = m.id)
                 ORDER BY m.id DESC LIMIT $3"
            ),
            &[&a.0, &b.0, &limit],
            message_from,
        )?;
        rows.reverse();
        Ok(rows)
    }
}
