//! Direct-message history.

use crate::sql::sql;
use crate::{StoreError, Tx};
use grid::{AvatarId, MessageId};

impl Tx<'_> {
    /// Records a direct message.
    pub fn insert_direct_message(
        &mut self,
        from: AvatarId,
        to: AvatarId,
        body: &str,
    ) -> Result<MessageId, StoreError> {
        let now = self.now().0;
        let id: i64 = self.conn.query_one(
            sql!("INSERT INTO direct_messages (from_id, to_id, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id"),
            &[&from.0, &to.0, &body, &now],
            |r| r.get(0),
        )?;
        Ok(MessageId(id))
    }

    /// The most recent direct messages between two avatars, oldest first:
    /// `(id, from, body)`.
    pub fn direct_history(
        &mut self,
        a: AvatarId,
        b: AvatarId,
        limit: i64,
    ) -> Result<Vec<(MessageId, AvatarId, String)>, StoreError> {
        let mut rows = self.conn.query(
            sql!(
                "SELECT id, from_id, body FROM direct_messages
                 WHERE (from_id = $1 AND to_id = $2) OR (from_id = $2 AND to_id = $1)
                 ORDER BY id DESC LIMIT $3"
            ),
            &[&a.0, &b.0, &limit],
            |r| Ok((MessageId(r.get(0)?), AvatarId(r.get(1)?), r.get(2)?)),
        )?;
        rows.reverse();
        Ok(rows)
    }
}
