//! Files sent with chat messages: their rows, what recipients did with them, and the
//! message each was sent with. The bodies live on disk ([`crate::Blobs`]).

use crate::sql::{Row, sql};
use crate::{StoreError, Tx};
use grid::chat::{Attachment, ChatItem, FileId, Receipt, StoredFile};
use grid::group::PostId;
use grid::{AvatarId, Timestamp};

/// Reads `f.id, f.name, f.size` from `at`, all NULL when a message has no file.
pub(crate) fn attachment_at(r: &Row<'_>, at: usize) -> Result<Option<Attachment>, StoreError> {
    let Some(id) = r.get::<Option<i64>>(at)? else {
        return Ok(None);
    };
    Ok(Some(Attachment {
        id: FileId(id),
        name: r.get(at + 1)?,
        size: size(r.get(at + 2)?)?,
    }))
}

fn size(n: i64) -> Result<u64, StoreError> {
    u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("file size {n}")))
}

impl Tx<'_> {
    /// Records a file whose body is stored under `digest`.
    pub fn insert_file(
        &mut self,
        owner: AvatarId,
        name: &str,
        size: u64,
        digest: &str,
    ) -> Result<Attachment, StoreError> {
        let now = self.now().0;
        let stored = i64::try_from(size).map_err(|_| StoreError::Other("file too large".into()))?;
        let id: i64 = self.conn.query_one(
            sql!(
                "INSERT INTO files (owner_id, name, size, digest, created_at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id"
            ),
            &[&owner.0, &name, &stored, &digest, &now],
            |r| r.get(0),
        )?;
        Ok(Attachment {
            id: FileId(id),
            name: name.to_owned(),
            size,
        })
    }

    /// A file by id.
    pub fn file(&mut self, id: FileId) -> Result<Option<StoredFile>, StoreError> {
        self.conn.query_opt(
            sql!(
                "SELECT id, name, size, owner_id, digest, cancelled, created_at
                 FROM files WHERE id = $1"
            ),
            &[&id.0],
            |r| {
                Ok(StoredFile {
                    attachment: Attachment {
                        id: FileId(r.get(0)?),
                        name: r.get(1)?,
                        size: size(r.get(2)?)?,
                    },
                    owner: AvatarId(r.get(3)?),
                    digest: r.get(4)?,
                    cancelled: r.get(5)?,
                    created: Timestamp(r.get(6)?),
                })
            },
        )
    }

    /// Marks a file cancelled by its sender.
    pub fn cancel_file(&mut self, id: FileId) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("UPDATE files SET cancelled = TRUE WHERE id = $1"),
            &[&id.0],
        )?;
        Ok(())
    }

    /// What a recipient did with a file, if anything.
    pub fn file_receipt(
        &mut self,
        file: FileId,
        avatar: AvatarId,
    ) -> Result<Option<Receipt>, StoreError> {
        let row: Option<(String, Option<String>)> = self.conn.query_opt(
            sql!("SELECT status, path FROM file_receipts WHERE file_id = $1 AND avatar_id = $2"),
            &[&file.0, &avatar.0],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        row.map(|(status, path)| match (status.as_str(), path) {
            ("received", Some(path)) => Ok(Receipt::Received { path }),
            ("refused", _) => Ok(Receipt::Refused),
            (other, _) => Err(StoreError::Corrupt(format!("file receipt {other:?}"))),
        })
        .transpose()
    }

    /// Records what a recipient did with a file; false when it had done something
    /// already.
    pub fn insert_file_receipt(
        &mut self,
        file: FileId,
        avatar: AvatarId,
        receipt: &Receipt,
    ) -> Result<bool, StoreError> {
        let now = self.now().0;
        let (status, path) = match receipt {
            Receipt::Received { path } => ("received", Some(path.as_str())),
            Receipt::Refused => ("refused", None),
        };
        let n = self.conn.execute(
            sql!(
                "INSERT INTO file_receipts (file_id, avatar_id, status, path, created_at)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING"
            ),
            &[&file.0, &avatar.0, &status, &path, &now],
        )?;
        Ok(n > 0)
    }

    /// The message a file was sent with.
    pub fn file_carrier(&mut self, file: FileId) -> Result<Option<ChatItem>, StoreError> {
        let direct = self.conn.query_opt(
            sql!(
                "SELECT m.id, m.from_id, m.to_id, m.body, m.rich, m.quoted_id, m.created_at,
                        f.id, f.name, f.size, m.edited_at, m.deleted_at
                 FROM direct_messages m JOIN files f ON f.id = m.file_id
                 WHERE m.file_id = $1"
            ),
            &[&file.0],
            super::chat::message_from,
        )?;
        if let Some(m) = direct {
            return Ok(Some(ChatItem::Direct(m)));
        }
        let post: Option<i64> = self.conn.query_opt(
            sql!("SELECT id FROM group_posts WHERE file_id = $1"),
            &[&file.0],
            |r| r.get(0),
        )?;
        match post {
            Some(p) => Ok(self.group_item(PostId(p))?.map(ChatItem::Post)),
            None => Ok(None),
        }
    }
}
