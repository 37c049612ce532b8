//! HTTP callback registrations and their delivery cursors.

use crate::sql::{Row, sql};
use crate::{StoreError, Tx};
use grid::callback::{Callback, CallbackScope, EventSelection};
use grid::group::{GroupId, GroupRef};
use grid::{AvatarId, AvatarRef, CallbackId, EventId, LegacyName};

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
    })
}

macro_rules! callback_select {
    () => {
        "SELECT c.id, c.url, c.cursor, c.events, a.id, a.uuid, a.first_name, a.last_name,
                g.id, g.uuid, g.name, c.app_uuid, c.app_name, c.retire_after, o.uuid, o.name
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
    ) -> Result<CallbackId, StoreError> {
        let now = self.now().0;
        let id: i64 = self.conn.query_one(
            sql!(
                "INSERT INTO callbacks (bot_id, url, events, cursor, created_at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id"
            ),
            &[&bot.0, &url, &events.to_stored(), &cursor.0, &now],
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
    ) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("DELETE FROM callbacks WHERE object_id = $1"),
            &[&object],
        )?;
        if let Some(url) = url {
            let now = self.now().0;
            self.conn.execute(
                sql!(
                    "INSERT INTO callbacks (bot_id, url, events, cursor, created_at, object_id)
                     VALUES ($1, $2, 'all', $3, $4, $5)"
                ),
                &[&owner.0, &url, &cursor.0, &now, &object],
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
    /// after `cursor`.
    pub fn insert_group_callback(
        &mut self,
        bot: AvatarId,
        group: GroupId,
        app_uuid: &str,
        app_name: &str,
        url: &str,
        cursor: EventId,
    ) -> Result<CallbackId, StoreError> {
        let now = self.now().0;
        let id: i64 = self.conn.query_one(
            sql!(
                "INSERT INTO callbacks (bot_id, url, events, cursor, created_at, group_id, app_uuid, app_name)
                 VALUES ($1, $2, 'all', $3, $4, $5, $6, $7) RETURNING id"
            ),
            &[&bot.0, &url, &cursor.0, &now, &group.0, &app_uuid, &app_name],
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
        self.conn
            .execute(sql!("DELETE FROM callbacks WHERE id = $1"), &[&id.0])?;
        Ok(())
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
