//! The handle a job works through.

use crate::sql::Conn;
use grid::{AvatarId, EventId, Timestamp};

/// A transaction in progress: the typed operations of the store are methods on it
/// (see the `ops` modules). One job's view; its changes commit or roll back together.
pub struct Tx<'c> {
    pub(crate) conn: &'c mut Conn,
    pub(crate) emitted: &'c mut Vec<Committed>,
    now: Timestamp,
}

impl<'c> Tx<'c> {
    pub(crate) fn new(conn: &'c mut Conn, emitted: &'c mut Vec<Committed>) -> Self {
        Tx {
            conn,
            emitted,
            now: Timestamp::now(),
        }
    }

    /// The time of this transaction; every row it writes carries it.
    pub fn now(&self) -> Timestamp {
        self.now
    }
}

/// An event appended to the log by a job, reported to the commit hook once durable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Committed {
    /// The avatar whose log got it.
    pub avatar: AvatarId,
    pub id: EventId,
}
