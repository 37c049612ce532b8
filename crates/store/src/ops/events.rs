//! The durable event log and the queue of events held for offline avatars.

use crate::sql::sql;
use crate::{StoreError, Tx};
use grid::{AvatarId, Event, EventId, StoredEvent, Timestamp};

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
        self.emitted.push(StoredEvent {
            id: EventId(id),
            avatar,
            at: now,
            event,
        });
        Ok(EventId(id))
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

    /// How many events are held for an avatar.
    pub fn held_count(&mut self, avatar: AvatarId) -> Result<i64, StoreError> {
        self.conn.query_one(
            sql!("SELECT COUNT(*) FROM pending_events WHERE avatar_id = $1"),
            &[&avatar.0],
            |r| r.get(0),
        )
    }

    /// An avatar's events after `after`, oldest first, at most `limit`.
    pub fn events_after(
        &mut self,
        avatar: AvatarId,
        after: EventId,
        limit: i64,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        self.conn.query(
            sql!(
                "SELECT id, body, created_at FROM events
                 WHERE avatar_id = $1 AND id > $2 ORDER BY id LIMIT $3"
            ),
            &[&avatar.0, &after.0, &limit],
            |r| {
                let body: String = r.get(1)?;
                Ok(StoredEvent {
                    id: EventId(r.get(0)?),
                    avatar,
                    at: Timestamp(r.get(2)?),
                    event: decode(&body)?,
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
