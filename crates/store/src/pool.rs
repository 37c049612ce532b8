//! The writer thread, the reader threads and the async handle to them.

use crate::sql::Conn;
use crate::tx::Tx;
use crate::{StoreError, migrate};
use rusqlite::config::DbConfig;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::oneshot;

/// Called on the writer thread after each commit with the events it made durable.
/// Keep it quick: the writer waits for it.
pub type CommitHook = Arc<dyn Fn(&[crate::tx::Committed]) + Send + Sync>;

/// How hard SQLite works to keep a commit across a power cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Synchronous {
    /// fsync on every commit: a commit survives a power cut (the default).
    Full,
    /// fsync at checkpoints only: a commit survives a crash of botgrid but maybe not of
    /// the machine.
    Normal,
}

/// How to run the store.
#[derive(Clone)]
pub struct StoreOptions {
    /// Reader threads (each with its own connection).
    pub readers: usize,
    /// Most jobs one commit carries.
    pub max_batch: usize,
    /// Jobs that may wait for the writer before callers are held back.
    pub queue: usize,
    pub synchronous: Synchronous,
    pub on_commit: Option<CommitHook>,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            readers: 2,
            max_batch: 128,
            queue: 4096,
            synchronous: Synchronous::Full,
            on_commit: None,
        }
    }
}

/// Where the data lives.
#[derive(Clone, Debug)]
enum Target {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Target {
    fn parse(url: &str) -> Result<Target, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Target::Postgres(url.to_owned()))
        } else if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err(StoreError::Other("sqlite: URL names no file".into()));
            }
            Ok(Target::Sqlite(PathBuf::from(path)))
        } else {
            Err(StoreError::Other(format!(
                "unsupported database URL {url:?}: use sqlite://PATH or postgres://…"
            )))
        }
    }

    fn connect(&self, options: &StoreOptions, read_only: bool) -> Result<Conn, StoreError> {
        match self {
            Target::Sqlite(path) => {
                let c = rusqlite::Connection::open(path)?;
                c.busy_timeout(std::time::Duration::from_secs(10))?;
                c.set_prepared_statement_cache_capacity(256);
                // Plans do not depend on bound values. Otherwise SQLite re-plans a
                // statement when a value bound to a LIMIT or an indexed term changes,
                // and rusqlite clears a cached statement's bindings after each use: every
                // run of such a statement was parsed and planned again (17 % of the
                // server's CPU under SimpleX message load, in `events_after`).
                c.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
                let sync = match options.synchronous {
                    Synchronous::Full => "FULL",
                    Synchronous::Normal => "NORMAL",
                };
                c.pragma_update(None, "journal_mode", "WAL")?;
                c.pragma_update(None, "synchronous", sync)?;
                c.pragma_update(None, "foreign_keys", "ON")?;
                if read_only {
                    c.pragma_update(None, "query_only", "ON")?;
                } else if options.synchronous == Synchronous::Normal {
                    // Without an fsync per commit, checkpoints inside commits are what
                    // callers wait for: run them on their own thread (`checkpoint_loop`).
                    // With FULL, SQLite's own checkpoints stay: measured, a concurrent
                    // checkpoint's write-back slows every commit's fsync (docs/BENCHMARKS.md).
                    c.pragma_update(None, "wal_autocheckpoint", 0)?;
                    c.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
                }
                Ok(Conn::Lite(c))
            }
            Target::Postgres(url) => {
                let client = postgres::Client::connect(url, postgres::NoTls)?;
                Ok(Conn::Pg(Box::new(crate::sql::PgConn::new(client))))
            }
        }
    }
}

/// A job for a store thread, with its result type erased.
trait Work: Send {
    /// Runs the job; true when it succeeded and its changes should be kept.
    fn run(&mut self, tx: &mut Tx<'_>) -> bool;
    /// Tells the caller the outcome once the transaction is settled.
    fn finish(self: Box<Self>, settled: Result<(), &StoreError>);
}

struct Job<F, R> {
    f: Option<F>,
    result: Option<Result<R, grid::Error>>,
    reply: oneshot::Sender<Result<R, grid::Error>>,
}

impl<F, R> Work for Job<F, R>
where
    F: FnOnce(&mut Tx<'_>) -> Result<R, grid::Error> + Send,
    R: Send,
{
    fn run(&mut self, tx: &mut Tx<'_>) -> bool {
        let Some(f) = self.f.take() else {
            return false;
        };
        let result = catch_unwind(AssertUnwindSafe(|| f(tx)))
            .unwrap_or_else(|_| Err(grid::Error::internal("a store job panicked")));
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn finish(self: Box<Self>, settled: Result<(), &StoreError>) {
        let outcome = match (self.result, settled) {
            (Some(Err(e)), _) => Err(e),
            (Some(Ok(v)), Ok(())) => Ok(v),
            (_, Err(e)) => Err(grid::Error::internal(e)),
            (None, Ok(())) => Err(grid::Error::internal("store job did not run")),
        };
        let _ = self.reply.send(outcome);
    }
}

type BoxedWork = Box<dyn Work>;

/// A queued write's outcome, once its transaction is settled.
pub struct Queued<R> {
    answer: oneshot::Receiver<Result<R, grid::Error>>,
}

impl<R> std::future::Future for Queued<R> {
    type Output = Result<R, grid::Error>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        std::pin::Pin::new(&mut self.answer)
            .poll(cx)
            .map(|r| r.unwrap_or_else(|_| Err(grid::Error::from(StoreError::Closed))))
    }
}

/// The async handle to the store. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    writer: flume::Sender<BoxedWork>,
    readers: flume::Sender<BoxedWork>,
    dialect: crate::sql::Dialect,
    /// Dropped with the last handle, which stops the checkpoint thread.
    _checkpoints: Arc<flume::Sender<()>>,
}

impl Store {
    /// Opens (creating if needed) the database at `url` — `sqlite://PATH` or
    /// `postgres://…` — brings its schema up to date and starts the store threads.
    pub async fn open(url: &str, options: StoreOptions) -> Result<Store, StoreError> {
        let target = Target::parse(url)?;
        let (ready_tx, ready_rx) = oneshot::channel();
        let (writer, writer_rx) = flume::bounded::<BoxedWork>(options.queue.max(1));
        let (readers, readers_rx) = flume::bounded::<BoxedWork>(options.queue.max(1));

        // Connections are made on the store threads: the postgres driver runs its own
        // runtime and must not be entered from an async context.
        let w_target = target.clone();
        let w_options = options.clone();
        std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || {
                let conn = w_target
                    .connect(&w_options, false)
                    .and_then(|mut c| migrate::run(&mut c).map(|()| c));
                match conn {
                    Ok(conn) => {
                        let dialect = conn.dialect();
                        let _ = ready_tx.send(Ok(dialect));
                        writer_loop(conn, writer_rx, &w_options);
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                }
            })
            .map_err(|e| StoreError::Other(format!("cannot start the writer thread: {e}")))?;
        let dialect = ready_rx.await.map_err(|_| StoreError::Closed)??;

        for i in 0..options.readers.max(1) {
            let conn = {
                let (tx, rx) = oneshot::channel();
                let target = target.clone();
                let options = options.clone();
                let jobs = readers_rx.clone();
                std::thread::Builder::new()
                    .name(format!("store-reader-{i}"))
                    .spawn(move || match target.connect(&options, true) {
                        Ok(conn) => {
                            let _ = tx.send(Ok(()));
                            reader_loop(conn, jobs);
                        }
                        Err(e) => {
                            let _ = tx.send(Err(e));
                        }
                    })
                    .map_err(|e| StoreError::Other(format!("cannot start a reader thread: {e}")))?;
                rx
            };
            conn.await.map_err(|_| StoreError::Closed)??;
        }
        let (checkpoints, stop) = flume::bounded::<()>(1);
        if matches!(target, Target::Sqlite(_)) && options.synchronous == Synchronous::Normal {
            let conn = target.connect(&options, true)?;
            std::thread::Builder::new()
                .name("store-checkpoint".into())
                .spawn(move || checkpoint_loop(conn, stop))
                .map_err(|e| {
                    StoreError::Other(format!("cannot start the checkpoint thread: {e}"))
                })?;
        }
        Ok(Store {
            writer,
            readers,
            dialect,
            _checkpoints: Arc::new(checkpoints),
        })
    }

    /// Which database this store runs on.
    pub fn dialect(&self) -> crate::sql::Dialect {
        self.dialect
    }

    /// Runs `f` in a write transaction; resolves once its changes are committed (or
    /// with the error that rolled them back).
    pub async fn write<R, F>(&self, f: F) -> Result<R, grid::Error>
    where
        F: FnOnce(&mut Tx<'_>) -> Result<R, grid::Error> + Send + 'static,
        R: Send + 'static,
    {
        self.queue_write(f).await?.await
    }

    /// Queues `f` for a write transaction and returns once it is queued; the returned
    /// future resolves when it is committed (or rolled back), as [`Store::write`] does.
    ///
    /// Jobs run in the order they were queued, so a caller that queues several before
    /// awaiting any keeps their order and lets them share a commit.
    pub async fn queue_write<R, F>(&self, f: F) -> Result<Queued<R>, grid::Error>
    where
        F: FnOnce(&mut Tx<'_>) -> Result<R, grid::Error> + Send + 'static,
        R: Send + 'static,
    {
        Self::enqueue(&self.writer, f).await
    }

    /// Runs `f` in a read-only transaction on a reader thread.
    pub async fn read<R, F>(&self, f: F) -> Result<R, grid::Error>
    where
        F: FnOnce(&mut Tx<'_>) -> Result<R, grid::Error> + Send + 'static,
        R: Send + 'static,
    {
        Self::enqueue(&self.readers, f).await?.await
    }

    async fn enqueue<R, F>(queue: &flume::Sender<BoxedWork>, f: F) -> Result<Queued<R>, grid::Error>
    where
        F: FnOnce(&mut Tx<'_>) -> Result<R, grid::Error> + Send + 'static,
        R: Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: BoxedWork = Box::new(Job {
            f: Some(f),
            result: None,
            reply,
        });
        queue
            .send_async(job)
            .await
            .map_err(|_| grid::Error::from(StoreError::Closed))?;
        Ok(Queued { answer })
    }
}

fn writer_loop(mut conn: Conn, jobs: flume::Receiver<BoxedWork>, options: &StoreOptions) {
    let begin = match conn.dialect() {
        crate::sql::Dialect::Sqlite => "BEGIN IMMEDIATE",
        crate::sql::Dialect::Postgres => "BEGIN",
    };
    let mut batch: Vec<BoxedWork> = Vec::with_capacity(options.max_batch);
    let mut committed: Vec<crate::tx::Committed> = Vec::new();
    let mut after: Vec<crate::tx::AfterCommit> = Vec::new();
    while let Ok(first) = jobs.recv() {
        batch.push(first);
        while batch.len() < options.max_batch {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        committed.clear();
        after.clear();
        let started = std::time::Instant::now();
        let settled = run_batch(&mut conn, begin, &mut batch, &mut committed, &mut after);
        telemetry::observe("botgrid_store_commit_seconds", &[], started.elapsed());
        if let Err(e) = &settled {
            tracing::error!(error = %e, jobs = batch.len(), "store commit failed; the batch was rolled back");
            let _ = conn.control("ROLLBACK");
        } else {
            for f in after.drain(..) {
                if catch_unwind(AssertUnwindSafe(f)).is_err() {
                    tracing::error!("an after-commit action panicked");
                }
            }
            if !committed.is_empty()
                && let Some(hook) = &options.on_commit
            {
                hook(&committed);
            }
        }
        for job in batch.drain(..) {
            job.finish(settled.as_ref().map(|_| ()));
        }
    }
}

fn run_batch(
    conn: &mut Conn,
    begin: &'static str,
    batch: &mut [BoxedWork],
    committed: &mut Vec<crate::tx::Committed>,
    after: &mut Vec<crate::tx::AfterCommit>,
) -> Result<(), StoreError> {
    conn.control(begin)?;
    let mut emitted = Vec::new();
    let mut job_after = Vec::new();
    for job in batch.iter_mut() {
        conn.control("SAVEPOINT job")?;
        let ok = job.run(&mut Tx::new(conn, &mut emitted, &mut job_after));
        if ok {
            conn.control("RELEASE SAVEPOINT job")?;
            committed.append(&mut emitted);
            after.append(&mut job_after);
        } else {
            conn.control("ROLLBACK TO SAVEPOINT job")?;
            conn.control("RELEASE SAVEPOINT job")?;
            emitted.clear();
            job_after.clear();
        }
    }
    conn.control("COMMIT")
}

fn reader_loop(mut conn: Conn, jobs: flume::Receiver<BoxedWork>) {
    let begin = match conn.dialect() {
        crate::sql::Dialect::Sqlite => "BEGIN",
        crate::sql::Dialect::Postgres => "BEGIN READ ONLY",
    };
    while let Ok(mut job) = jobs.recv() {
        let mut emitted = Vec::new();
        // A read has no commit: what it asks to run afterwards is dropped.
        let mut after = Vec::new();
        let settled = conn.control(begin).map(|()| {
            job.run(&mut Tx::new(&mut conn, &mut emitted, &mut after));
        });
        let _ = conn.control("ROLLBACK");
        debug_assert!(emitted.is_empty(), "a read job emitted events");
        job.finish(settled.as_ref().map(|_| ()));
    }
}

/// How often the WAL is copied back into the database file.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(100);

/// WAL frames (about 4 KiB each) after which the log is restarted from the beginning.
const RESTART_AFTER_FRAMES: i64 = 8192;

/// With `synchronous=NORMAL`, keeps SQLite's write-ahead log short without stalling
/// commits (measured: the p99 of `im` at 2,000/s went from 12.8 ms to 1.3 ms).
///
/// PASSIVE checkpoints copy the log into the database alongside the writer. Under
/// steady writes they never catch up completely, and the log is only rewound when a
/// writer finds it fully copied; so once it is long, a RESTART checkpoint takes the
/// write lock between two batches, copies the few frames written since the passive
/// pass and lets the next commit start the log from the beginning.
fn checkpoint_loop(conn: Conn, stop: flume::Receiver<()>) {
    let Conn::Lite(c) = conn else { return };
    let checkpoint = |mode: &str| -> rusqlite::Result<i64> {
        c.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |r| {
            r.get::<_, i64>(1)
        })
    };
    loop {
        match stop.recv_timeout(CHECKPOINT_EVERY) {
            Err(flume::RecvTimeoutError::Timeout) => {}
            _ => return,
        }
        let result = checkpoint("PASSIVE").and_then(|frames| {
            if frames > RESTART_AFTER_FRAMES {
                checkpoint("RESTART")?;
            }
            Ok(())
        });
        if let Err(e) = result {
            tracing::warn!(error = %e, "WAL checkpoint failed");
        }
    }
}
