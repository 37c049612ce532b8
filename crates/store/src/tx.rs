//! The handle a job works through.

use crate::sql::Conn;
use grid::{AvatarId, EventId, Timestamp};

/// A transaction in progress: the typed operations of the store are methods on it
/// (see the `ops` modules). One job's view; its changes commit or roll back together.
pub struct Tx<'c> {
    pub(crate) conn: &'c mut Conn,
    pub(crate) emitted: &'c mut Vec<Committed>,
    after_commit: &'c mut Vec<AfterCommit>,
    now: Timestamp,
}

/// Work to do once a job's changes are durable (see [`Tx::after_commit`]).
pub type AfterCommit = Box<dyn FnOnce() + Send>;

impl<'c> Tx<'c> {
    pub(crate) fn new(
        conn: &'c mut Conn,
        emitted: &'c mut Vec<Committed>,
        after_commit: &'c mut Vec<AfterCommit>,
    ) -> Self {
        Tx {
            conn,
            emitted,
            after_commit,
            now: Timestamp::now(),
        }
    }

    /// Runs `f` on the writer thread once this job's changes have committed, before
    /// the commit hook hears of its events (so before anyone is woken by them), and
    /// not at all if the job or the commit fails. Keep it quick: the writer waits.
    /// For keeping in-memory copies of stored state in step with it.
    pub fn after_commit(&mut self, f: impl FnOnce() + Send + 'static) {
        self.after_commit.push(Box::new(f));
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
