//! HTTP callback registrations and their delivery cursors.

use crate::sql::{Row, sql};
use crate::{StoreError, Tx};
use grid::callback::{
    Callback, CallbackScope, DeliveryFailure, EventSelection, FailureState, SigningKeys,
};
use grid::group::{GroupId, GroupRef};
use grid::{AvatarId, AvatarRef, CallbackId, EventId, LegacyName, Timestamp};

fn callback_from(r: &Row<'_>) -> Result<Callback, StoreError> {
    let events: String = r.get(3)?;
    let object: Option<String> = r.get(14)?;
    let scope = match (r.get::<Option<i64>>(8)?, object) {
        (None, Some(object)) => CallbackScope::Object {
            object: super::uuid(object)?,
            name: r.get::<Option<String>>(15)?.unwrap_or_default(),
        },
        (None, None) => CallbackScope::Bot,
        (Some(group), _) => CallbackScope::Group {
            group: GroupRef {
                id: GroupId(group),
                uuid: super::uuid(r.get(9)?)?,
                name: r.get(10)?,
            },
            app_uuid: r.get::<Option<String>>(11)?.unwrap_or_default(),
            app_name: r.get::<Option<String>>(12)?.unwrap_or_default(),
        },
    };
    Ok(Callback {
        id: CallbackId(r.get(0)?),
        url: r.get(1)?,
        cursor: EventId(r.get(2)?),
        events: EventSelection::from_stored(&events),
        bot: AvatarRef {
            id: AvatarId(r.get(4)?),
            uuid: super::uuid(r.get(5)?)?,
            name: LegacyName::from_parts(r.get::<String>(6)?, r.get::<String>(7)?).to_string(),
        },
        scope,
        retire_after: r.get::<Option<i64>>(13)?.map(EventId),
        signing: SigningKeys {
            current: r.get(16)?,
            previous: match (r.get::<Option<String>>(17)?, r.get::<Option<i64>>(18)?) {
                (Some(secret), Some(until)) => Some((secret, Timestamp(until))),
                _ => None,
            },
        },
    })
}

fn failure_from(r: &Row<'_>) -> Result<DeliveryFailure, StoreError> {
    let state: String = r.get(2)?;
    Ok(DeliveryFailure {
        callback: CallbackId(r.get(0)?),
        event: EventId(r.get(1)?),
        state: state
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("delivery failure state {state:?}")))?,
        attempts: u32::try_from(r.get::<i64>(3)?).unwrap_or(u32::MAX),
        first_attempt: Timestamp(r.get(4)?),
        last_attempt: Timestamp(r.get(5)?),
        last_error: r.get(6)?,
    })
}

macro_rules! callback_select {
    () => {
        "SELECT c.id, c.url, c.cursor, c.events, a.id, a.uuid, a.first_name, a.last_name,
                g.id, g.uuid, g.name, c.app_uuid, c.app_name, c.retire_after, o.uuid, o.name,
                c.signing_secret, c.previous_secret, c.previous_until
         FROM callbacks c JOIN avatars a ON a.id = c.bot_id LEFT JOIN groups g ON g.id = c.group_id
              LEFT JOIN world_objects o ON o.id = c.object_id"
    };
}

impl Tx<'_> {
    /// Every registration of every bot.
    pub fn all_callbacks(&mut self) -> Result<Vec<Callback>, StoreError> {
        self.conn.query(
            sql!(concat!(callback_select!(), " ORDER BY c.id")),
            &[],
            callback_from,
        )
    }

    /// The registrations of one bot (its own `set_http_callback` ones: not those of the
    /// groups it serves or of the objects it owns).
    pub fn callbacks_of(&mut self, bot: AvatarId) -> Result<Vec<Callback>, StoreError> {
        self.conn.query(
            sql!(concat!(
                callback_select!(),
                " WHERE c.bot_id = $1 AND c.group_id IS NULL AND c.object_id IS NULL ORDER BY c.id"
            )),
            &[&bot.0],
            callback_from,
        )
    }

    /// Registers a URL; delivery starts after event `cursor`.
    pub fn insert_callback(
        &mut self,
        bot: AvatarId,
        url: &str,
        events: &EventSelection,
        cursor: EventId,
        secret: &str,
    ) -> Result<CallbackId, StoreError> {
        let now = self.now().0;
        let id: i64 = self.conn.query_one(
            sql!(
                "INSERT INTO callbacks (bot_id, url, events, cursor, created_at, signing_secret)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
            ),
            &[&bot.0, &url, &events.to_stored(), &cursor.0, &now, &secret],
            |r| r.get(0),
        )?;
        Ok(CallbackId(id))
    }

    /// Changes which events a registration wants.
    pub fn set_callback_events(
        &mut self,
        id: CallbackId,
        events: &EventSelection,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("UPDATE callbacks SET events = $1 WHERE id = $2"),
            &[&events.to_stored(), &id.0],
        )?;
        Ok(())
    }

    /// Sets an object's owner URL (replacing any), following its owner's log after
    /// `cursor`; `None` removes it.
    pub fn set_object_callback(
        &mut self,
        owner: AvatarId,
        object: i64,
        url: Option<&str>,
        cursor: EventId,
        secret: &str,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("DELETE FROM callbacks WHERE object_id = $1"),
            &[&object],
        )?;
        if let Some(url) = url {
            let now = self.now().0;
            self.conn.execute(
                sql!(
                    "INSERT INTO callbacks (bot_id, url, events, cursor, created_at, object_id, signing_secret)
                     VALUES ($1, $2, 'all', $3, $4, $5, $6)"
                ),
                &[&owner.0, &url, &cursor.0, &now, &object, &secret],
            )?;
        }
        Ok(())
    }

    /// Whether an object has an owner URL.
    pub fn object_has_url(&mut self, object: i64) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_opt(
                sql!("SELECT id FROM callbacks WHERE object_id = $1"),
                &[&object],
                |r| r.get::<i64>(0),
            )?
            .is_some())
    }

    /// A group's live registrations (Simple Groups API), not those being retired.
    pub fn group_callbacks(&mut self, group: GroupId) -> Result<Vec<Callback>, StoreError> {
        self.conn.query(
            sql!(concat!(
                callback_select!(),
                " WHERE c.group_id = $1 AND c.retire_after IS NULL ORDER BY c.id"
            )),
            &[&group.0],
            callback_from,
        )
    }

    /// Registers an application's URL for a group, following the serving bot's log
    /// after `cursor`. `app` is the application's uuid and name.
    pub fn insert_group_callback(
        &mut self,
        bot: AvatarId,
        group: GroupId,
        (app_uuid, app_name): (&str, &str),
        url: &str,
        cursor: EventId,
        secret: &str,
    ) -> Result<CallbackId, StoreError> {
        let now = self.now().0;
        let id: i64 = self.conn.query_one(
            sql!(
                "INSERT INTO callbacks (bot_id, url, events, cursor, created_at, group_id, app_uuid, app_name, signing_secret)
                 VALUES ($1, $2, 'all', $3, $4, $5, $6, $7, $8) RETURNING id"
            ),
            &[&bot.0, &url, &cursor.0, &now, &group.0, &app_uuid, &app_name, &secret],
            |r| r.get(0),
        )?;
        Ok(CallbackId(id))
    }

    /// Marks a registration for removal once event `after` is handled.
    pub fn retire_callback(&mut self, id: CallbackId, after: EventId) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("UPDATE callbacks SET retire_after = $1 WHERE id = $2"),
            &[&after.0, &id.0],
        )?;
        Ok(())
    }

    /// Moves a group's registrations to another serving bot, from that bot's newest event.
    pub fn move_group_callbacks(
        &mut self,
        group: GroupId,
        bot: AvatarId,
        cursor: EventId,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("UPDATE callbacks SET bot_id = $1, cursor = $2 WHERE group_id = $3"),
            &[&bot.0, &cursor.0, &group.0],
        )?;
        Ok(())
    }

    /// Removes a registration.
    pub fn delete_callback(&mut self, id: CallbackId) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("DELETE FROM callback_failures WHERE callback_id = $1"),
            &[&id.0],
        )?;
        self.conn
            .execute(sql!("DELETE FROM callbacks WHERE id = $1"), &[&id.0])?;
        Ok(())
    }

    /// One registration.
    pub fn callback(&mut self, id: CallbackId) -> Result<Option<Callback>, StoreError> {
        self.conn.query_opt(
            sql!(concat!(callback_select!(), " WHERE c.id = $1")),
            &[&id.0],
            callback_from,
        )
    }

    /// Sets a registration's signing secret; `previous` keeps the old one in use until
    /// the time given.
    pub fn set_callback_secret(
        &mut self,
        id: CallbackId,
        secret: &str,
        previous: Option<(&str, Timestamp)>,
    ) -> Result<(), StoreError> {
        let (old, until) = match previous {
            Some((s, t)) => (Some(s), Some(t.0)),
            None => (None, None),
        };
        self.conn.execute(
            sql!(
                "UPDATE callbacks SET signing_secret = $1, previous_secret = $2, previous_until = $3
                 WHERE id = $4"
            ),
            &[&secret, &old, &until, &id.0],
        )?;
        Ok(())
    }

    /// Records (or updates) a failed delivery.
    pub fn record_delivery_failure(&mut self, f: &DeliveryFailure) -> Result<(), StoreError> {
        self.conn.execute(
            sql!(
                "INSERT INTO callback_failures
                    (callback_id, event_id, state, attempts, first_attempt_at, last_attempt_at, last_error)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (callback_id, event_id) DO UPDATE SET
                    state = excluded.state, attempts = excluded.attempts,
                    first_attempt_at = excluded.first_attempt_at,
                    last_attempt_at = excluded.last_attempt_at, last_error = excluded.last_error"
            ),
            &[
                &f.callback.0,
                &f.event.0,
                &f.state.as_ref(),
                &i64::from(f.attempts),
                &f.first_attempt.0,
                &f.last_attempt.0,
                &f.last_error,
            ],
        )?;
        Ok(())
    }

    /// Forgets a failure: the event has been delivered.
    pub fn clear_delivery_failure(
        &mut self,
        callback: CallbackId,
        event: EventId,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("DELETE FROM callback_failures WHERE callback_id = $1 AND event_id = $2"),
            &[&callback.0, &event.0],
        )?;
        Ok(())
    }

    /// Failed deliveries, of one registration or all, in one state or any; oldest
    /// event first.
    pub fn delivery_failures(
        &mut self,
        callback: Option<CallbackId>,
        state: Option<FailureState>,
    ) -> Result<Vec<DeliveryFailure>, StoreError> {
        let callback = callback.map(|c| c.0);
        let state = state.map(|s| s.as_ref().to_owned());
        self.conn.query(
            sql!(
                "SELECT callback_id, event_id, state, attempts, first_attempt_at, last_attempt_at,
                        last_error
                 FROM callback_failures
                 WHERE (CAST($1 AS BIGINT) IS NULL OR callback_id = $1)
                   AND (CAST($2 AS TEXT) IS NULL OR state = $2)
                 ORDER BY callback_id, event_id"
            ),
            &[&callback, &state],
            failure_from,
        )
    }

    /// Marks dead deliveries (of one registration or all; one event or all) for
    /// another try. Returns how many.
    pub fn replay_dead_deliveries(
        &mut self,
        callback: Option<CallbackId>,
        event: Option<EventId>,
    ) -> Result<u64, StoreError> {
        let callback = callback.map(|c| c.0);
        let event = event.map(|e| e.0);
        self.conn.execute(
            sql!(
                "UPDATE callback_failures SET state = 'replay'
                 WHERE state = 'dead' AND (CAST($1 AS BIGINT) IS NULL OR callback_id = $1)
                   AND (CAST($2 AS BIGINT) IS NULL OR event_id = $2)"
            ),
            &[&callback, &event],
        )
    }

    /// Moves a registration's cursor forward (never back).
    pub fn advance_callback(&mut self, id: CallbackId, cursor: EventId) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("UPDATE callbacks SET cursor = $1 WHERE id = $2 AND cursor < $1"),
            &[&cursor.0, &id.0],
        )?;
        Ok(())
    }
}
