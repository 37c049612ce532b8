//! Direct-message history.

use crate::sql::sql;
use crate::{StoreError, Tx};
use grid::chat::Content;
use grid::{AvatarId, MessageId};

impl Tx<'_> {
    /// Records a direct message.
    pub fn insert_direct_message(
        &mut self,
        from: AvatarId,
        to: AvatarId,
        content: &Content,
        quote: Option<MessageId>,
    ) -> Result<MessageId, StoreError> {
        let now = self.now().0;
        let quote = quote.map(|q| q.0);
        let file = content.file.as_ref().map(|f| f.id.0);
        let id: i64 = self.conn.query_one(
            sql!(
                "INSERT INTO direct_messages (from_id, to_id, body, rich, quoted_id, created_at, file_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
            ),
            &[&from.0, &to.0, &content.text, &content.rich, &quote, &now, &file],
            |r| r.get(0),
        )?;
        Ok(MessageId(id))
    }
}
