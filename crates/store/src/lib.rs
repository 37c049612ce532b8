//! Durable state for botgrid.
//!
//! The store holds the world in SQLite (the default, one file) or PostgreSQL. All SQL of
//! botgrid lives in this crate, written once for both databases (see [`sql`]).
//!
//! Work reaches the database as closures over a [`Tx`]:
//!
//! * [`Store::write`] runs on the single writer thread. The writer takes whatever jobs are
//!   waiting, runs each inside its own savepoint of one transaction and commits them
//!   together (group commit): a job that fails is rolled back alone, and no job hears
//!   `Ok` before the commit that holds its changes is durable. Events a job appends
//!   ([`Tx::emit`]) are committed with its changes and handed to the commit hook
//!   afterwards, so the live grid learns of them only once they are safe.
//! * [`Store::read`] runs on a small pool of reader threads, each in a read-only
//!   transaction, concurrently with the writer.
//!
//! Queues between the async world and these threads are bounded, so load turns into
//! back-pressure rather than memory.

mod blobs;
mod migrate;
mod ops;
mod pool;
pub mod sql;
#[cfg(feature = "testing")]
pub mod testing;
mod tx;

pub use blobs::{Blob, BlobError, Blobs};
pub use ops::avatars::NewAvatar;
pub use ops::friends::FriendRow;
pub use ops::groups::{GroupFlags, NewGroup, NewInvitation, NewPost, WaitingPost};
pub use ops::inventory::{InventoryOffer, NewItem};
pub use ops::money::NewTransfer;
pub use pool::{CommitHook, Queued, Store, StoreOptions, Synchronous};
pub use tx::{AfterCommit, Committed, Tx};

/// A failure of the database itself (not of a command's rules).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("postgres: {0}")]
    Postgres(#[from] postgres::Error),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    #[error("the store has shut down")]
    Closed,
    #[error("{0}")]
    Other(String),
}

impl StoreError {
    /// True when the failure is a UNIQUE constraint: the row exists already.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            }
            StoreError::Postgres(e) => {
                e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION)
            }
            _ => false,
        }
    }
}

impl From<StoreError> for grid::Error {
    fn from(e: StoreError) -> Self {
        grid::Error::internal(e)
    }
}
