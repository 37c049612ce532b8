//! Files sent with chat messages: storing their bodies, receiving and cancelling them.
//!
//! A file belongs to the message it was sent with. Its sender and the message's
//! recipients (the other side of a direct chat, the members of a group) may see it;
//! each recipient may receive it once or refuse it, until the sender cancels it.

use crate::Engine;
use grid::chat::{self, ChatItem, FileId, Receipt, StoredFile};
use grid::{AvatarId, Error, Event};
use std::path::PathBuf;
use std::sync::Arc;
use store::{Blob, BlobError, Blobs, Tx};

/// A file to send: the name recipients see and where its body is now.
#[derive(Clone, Debug)]
pub struct NewFile {
    pub name: String,
    pub source: PathBuf,
}

/// A file as one avatar may see it.
#[derive(Clone, Debug, PartialEq)]
pub struct ChatFile {
    pub file: StoredFile,
    /// The message it was sent with.
    pub carrier: ChatItem,
    /// What the avatar did with it, when it is a recipient.
    pub receipt: Option<Receipt>,
}

impl ChatFile {
    /// Whether the avatar sent it.
    pub fn sent_by(&self, avatar: AvatarId) -> bool {
        self.file.owner == avatar
    }
}

/// Where file bodies live and how large they may be.
pub(crate) struct FileStore {
    blobs: Option<Arc<Blobs>>,
    max_size: u64,
}

impl FileStore {
    pub(crate) fn new(blobs: Option<Blobs>, max_size: u64) -> FileStore {
        FileStore {
            blobs: blobs.map(Arc::new),
            max_size,
        }
    }
}

fn blob_error(e: BlobError) -> Error {
    match e {
        BlobError::NotFound => Error::FileNotFound,
        BlobError::TooLarge { max } => Error::FileTooLarge { max },
        BlobError::Exists => Error::invalid("file path", "a file exists there already"),
        BlobError::Io(e) => Error::internal(format!("file storage: {e}")),
    }
}

impl Engine {
    fn blobs(&self) -> Result<Arc<Blobs>, Error> {
        self.inner
            .files
            .blobs
            .clone()
            .ok_or_else(|| Error::FileUnavailable {
                reason: "this server has no files folder".into(),
            })
    }

    /// The largest file that may be sent, in bytes.
    pub fn max_file_size(&self) -> u64 {
        self.inner.files.max_size
    }

    /// Stores the bodies of files about to be sent, before the message that carries them
    /// is written: a row never names a body that is not on disk.
    pub(crate) async fn store_bodies(&self, files: Vec<NewFile>) -> Result<Vec<Blob>, Error> {
        if files.is_empty() {
            return Ok(Vec::new());
        }
        for f in &files {
            chat::check_file_name(&f.name)?;
        }
        let blobs = self.blobs()?;
        let max = self.max_file_size();
        tokio::task::spawn_blocking(move || {
            files
                .iter()
                .map(|f| blobs.put_file(&f.source, max).map_err(blob_error))
                .collect()
        })
        .await
        .map_err(|e| Error::internal(format!("file storage: {e}")))?
    }

    /// Stores bytes as a body in the files folder (at most the file size limit).
    pub(crate) async fn store_bytes(&self, bytes: Vec<u8>) -> Result<Blob, Error> {
        let blobs = self.blobs()?;
        let max = self.max_file_size();
        tokio::task::spawn_blocking(move || blobs.put_bytes(&bytes, max).map_err(blob_error))
            .await
            .map_err(|e| Error::internal(format!("file storage: {e}")))?
    }

    /// A file the avatar may see.
    pub async fn chat_file(&self, user: AvatarId, file: FileId) -> Result<ChatFile, Error> {
        self.store().read(move |tx| visible(tx, user, file)).await
    }

    /// Receives a file into `dest` (which must not exist) and records it; the user's
    /// faces learn it with a [`Event::FileReceived`].
    pub async fn receive_file(
        &self,
        user: AvatarId,
        file: FileId,
        dest: PathBuf,
    ) -> Result<ChatFile, Error> {
        let seen = self.chat_file(user, file).await?;
        receivable(user, &seen)?;
        let blobs = self.blobs()?;
        let digest = seen.file.digest.clone();
        let target = dest.clone();
        tokio::task::spawn_blocking(move || blobs.copy_out(&digest, &target))
            .await
            .map_err(|e| Error::internal(format!("file storage: {e}")))?
            .map_err(blob_error)?;
        let path = dest.display().to_string();
        let recorded = self
            .store()
            .write(move |tx| {
                let now = visible(tx, user, file)?;
                receivable(user, &now)?;
                let receipt = Receipt::Received { path };
                tx.insert_file_receipt(file, user, &receipt)?;
                tx.emit(user, Event::FileReceived { file })?;
                Ok(ChatFile {
                    receipt: Some(receipt),
                    ..now
                })
            })
            .await;
        if recorded.is_err() {
            // Not recorded, so not received: do not leave the copy behind.
            let _ = tokio::task::spawn_blocking(move || std::fs::remove_file(dest)).await;
        }
        recorded
    }

    /// Cancels a file: its sender withdraws it from everyone who has not received it
    /// (they learn it with a [`Event::FileCancelled`]); a recipient refuses it.
    pub async fn cancel_file(&self, user: AvatarId, file: FileId) -> Result<ChatFile, Error> {
        self.store()
            .write(move |tx| {
                let mut seen = visible(tx, user, file)?;
                if seen.file.cancelled {
                    return Err(Error::FileCancelled);
                }
                if !seen.sent_by(user) {
                    match seen.receipt {
                        Some(Receipt::Received { .. }) => return Err(Error::FileAlreadyReceived),
                        Some(Receipt::Refused) => return Err(Error::FileCancelled),
                        None => {}
                    }
                    tx.insert_file_receipt(file, user, &Receipt::Refused)?;
                    seen.receipt = Some(Receipt::Refused);
                    return Ok(seen);
                }
                tx.cancel_file(file)?;
                seen.file.cancelled = true;
                let me = tx.avatar(user)?.ok_or(Error::BotNotFound)?;
                let recipients = match &seen.carrier {
                    ChatItem::Direct(m) => vec![m.to],
                    ChatItem::Post(p) => tx
                        .group_memberships(p.group)?
                        .into_iter()
                        .map(|m| m.avatar)
                        .filter(|a| *a != user)
                        .collect(),
                };
                for to in recipients {
                    if tx.file_receipt(file, to)?.is_none() {
                        tx.emit(
                            to,
                            Event::FileCancelled {
                                file,
                                by: me.to_ref(),
                            },
                        )?;
                    }
                }
                Ok(seen)
            })
            .await
    }
}

/// Whether the user may receive the file now.
fn receivable(user: AvatarId, f: &ChatFile) -> Result<(), Error> {
    if f.sent_by(user) {
        return Err(Error::NotForSelf {
            what: "receive a file from",
        });
    }
    if f.file.cancelled {
        return Err(Error::FileCancelled);
    }
    match f.receipt {
        Some(Receipt::Received { .. }) => Err(Error::FileAlreadyReceived),
        Some(Receipt::Refused) => Err(Error::FileCancelled),
        None => Ok(()),
    }
}

/// The file, if the user sent it or is a recipient of the message it came with; a file
/// the user may not see is not found.
fn visible(tx: &mut Tx<'_>, user: AvatarId, id: FileId) -> Result<ChatFile, Error> {
    let file = tx.file(id)?.ok_or(Error::FileNotFound)?;
    let carrier = tx.file_carrier(id)?.ok_or(Error::FileNotFound)?;
    if file.owner != user && !crate::items::is_party(tx, user, &carrier)? {
        return Err(Error::FileNotFound);
    }
    let receipt = tx.file_receipt(id, user)?;
    Ok(ChatFile {
        file,
        carrier,
        receipt,
    })
}
