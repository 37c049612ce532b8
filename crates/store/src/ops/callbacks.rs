//! HTTP callback registrations and their delivery cursors.

use crate::sql::{Row, sql};
use crate::{StoreError, Tx};
use grid::callback::{Callback, EventSelection};
use grid::{AvatarId, AvatarRef, CallbackId, EventId, LegacyName};

fn callback_from(r: &Row<'_>) -> Result<Callback, StoreError> {
    let events: String = r.get(3)?;
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
    })
}

macro_rules! callback_select {
    () => {
        "SELECT c.id, c.url, c.cursor, c.events, a.id, a.uuid, a.first_name, a.last_name
         FROM callbacks c JOIN avatars a ON a.id = c.bot_id"
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

    /// The registrations of one bot.
    pub fn callbacks_of(&mut self, bot: AvatarId) -> Result<Vec<Callback>, StoreError> {
        self.conn.query(
            sql!(concat!(
                callback_select!(),
                " WHERE c.bot_id = $1 ORDER BY c.id"
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
