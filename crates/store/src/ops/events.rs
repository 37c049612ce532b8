//! The durable event log and the queue of events held for offline avatars.

use crate::sql::sql;
use crate::{StoreError, Tx};
use grid::group::{GroupId, GroupRef, PostId, PostKind};
use grid::{AvatarId, AvatarRef, Event, EventId, LegacyName, StoredEvent, Timestamp};

fn encode(event: &Event) -> Result<String, StoreError> {
    serde_json::to_string(event).map_err(|e| StoreError::Other(format!("cannot encode event: {e}")))
}

fn decode(body: &str) -> Result<Event, StoreError> {
    serde_json::from_str(body).map_err(|e| StoreError::Corrupt(format!("event {body:?}: {e}")))
}

impl Tx<'_> {
    /// Appends an event to an avatar's log. It reaches the commit hook once the
    /// transaction commits.
    pub fn emit(&mut self, avatar: AvatarId, event: Event) -> Result<EventId, StoreError> {
        let now = self.now();
        let id: i64 = self.conn.query_one(
            sql!(
                "INSERT INTO events (avatar_id, body, created_at) VALUES ($1, $2, $3) RETURNING id"
            ),
            &[&avatar.0, &encode(&event)?, &now.0],
            |r| r.get(0),
        )?;
        self.emitted.push(crate::Committed {
            avatar,
            id: EventId(id),
        });
        Ok(EventId(id))
    }

    /// Appends an event to the log of every friend of `avatar`, in one statement
    /// whatever their number; returns how many got it.
    pub fn emit_to_friends(
        &mut self,
        avatar: AvatarId,
        event: &Event,
    ) -> Result<usize, StoreError> {
        let now = self.now().0;
        let reached: Vec<(i64, i64)> = self.conn.query(
            sql!(
                "INSERT INTO events (avatar_id, body, created_at)
                 SELECT mine.friend_id, $2, $3 FROM friendships mine
                 JOIN friendships theirs
                   ON theirs.avatar_id = mine.friend_id AND theirs.friend_id = mine.avatar_id
                 WHERE mine.avatar_id = $1
                 ORDER BY mine.friend_id
                 RETURNING avatar_id, id"
            ),
            &[&avatar.0, &encode(event)?, &now],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(self.record_emitted(reached))
    }

    /// Holds an event until the avatar comes online.
    pub fn hold(&mut self, avatar: AvatarId, event: &Event) -> Result<(), StoreError> {
        let now = self.now().0;
        self.conn.execute(
            sql!("INSERT INTO pending_events (avatar_id, body, created_at) VALUES ($1, $2, $3)"),
            &[&avatar.0, &encode(event)?, &now],
        )?;
        Ok(())
    }

    /// Removes and returns the events held for an avatar, oldest first.
    pub fn take_held(&mut self, avatar: AvatarId) -> Result<Vec<Event>, StoreError> {
        let bodies: Vec<String> = self.conn.query(
            sql!("SELECT body FROM pending_events WHERE avatar_id = $1 ORDER BY id"),
            &[&avatar.0],
            |r| r.get(0),
        )?;
        if !bodies.is_empty() {
            self.conn.execute(
                sql!("DELETE FROM pending_events WHERE avatar_id = $1"),
                &[&avatar.0],
            )?;
        }
        bodies.iter().map(|b| decode(b)).collect()
    }

    /// An avatar's events after `after`, oldest first, at most `limit`. Entries for
    /// group posts are filled in from the post, stored once for all members.
    pub fn events_after(
        &mut self,
        avatar: AvatarId,
        after: EventId,
        limit: i64,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        self.conn.query(
            sql!(
                "SELECT e.id, e.body, e.created_at,
                        p.id, p.kind, p.subject, p.body, p.attachment,
                        g.id, g.uuid, g.name,
                        s.id, s.uuid, s.first_name, s.last_name, p.rich,
                        f.id, f.name, f.size, p.quoted_id
                 FROM events e
                 LEFT JOIN group_posts p ON p.id = e.post_id
                 LEFT JOIN files f ON f.id = p.file_id
                 LEFT JOIN groups g ON g.id = p.group_id
                 LEFT JOIN avatars s ON s.id = p.sender_id
                 WHERE e.avatar_id = $1 AND e.id > $2 ORDER BY e.id LIMIT $3"
            ),
            &[&avatar.0, &after.0, &limit],
            |r| {
                let event = match r.get::<Option<i64>>(3)? {
                    None => decode(&r.get::<String>(1)?)?,
                    Some(post) => post_event(r, post)?,
                };
                Ok(StoredEvent {
                    id: EventId(r.get(0)?),
                    avatar,
                    at: Timestamp(r.get(2)?),
                    event,
                })
            },
        )
    }

    /// The newest event id of an avatar (0 when it has none).
    pub fn last_event_id(&mut self, avatar: AvatarId) -> Result<EventId, StoreError> {
        let id: Option<i64> = self.conn.query_one(
            sql!("SELECT MAX(id) FROM events WHERE avatar_id = $1"),
            &[&avatar.0],
            |r| r.get(0),
        )?;
        Ok(EventId(id.unwrap_or(0)))
    }
}

/// Rebuilds a group post event from the joined post, group and sender columns.
fn post_event(r: &crate::sql::Row<'_>, post: i64) -> Result<Event, StoreError> {
    let kind: String = r.get(4)?;
    let group = GroupRef {
        id: GroupId(r.get(8)?),
        uuid: super::uuid(r.get(9)?)?,
        name: r.get(10)?,
    };
    let from = AvatarRef {
        id: AvatarId(r.get(11)?),
        uuid: super::uuid(r.get(12)?)?,
        name: LegacyName::from_parts(r.get::<String>(13)?, r.get::<String>(14)?).to_string(),
    };
    let text: String = r.get(6)?;
    match PostKind::parse(&kind) {
        Some(PostKind::Chat) => Ok(Event::GroupMessage {
            post: Some(PostId(post)),
            group,
            from,
            text,
            rich: r.get(15)?,
            file: super::files::attachment_at(r, 16)?,
            quote: r.get::<Option<i64>>(19)?.map(PostId),
        }),
        Some(PostKind::Notice) => Ok(Event::GroupNotice {
            post: Some(PostId(post)),
            group,
            from,
            subject: r.get(5)?,
            text,
            attachment: super::opt_uuid(r.get(7)?)?,
        }),
        None => Err(StoreError::Corrupt(format!("post kind {kind:?}"))),
    }
}
