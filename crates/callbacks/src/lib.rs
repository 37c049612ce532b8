//! HTTP callback delivery.
//!
//! Every registration (a bot and a URL) has a worker that reads the bot's events from
//! the durable log, starting after the registration's cursor, and POSTs them — one at
//! a time and in order by default, or several at once when configured. Each POST is
//! signed the Standard Webhooks way ([`signature`]). A POST that fails (connection
//! error, timeout, any status other than 2xx) is retried with exponential backoff and
//! jitter until it succeeds or its retry horizon (3 days by default) passes; then it is
//! recorded as dead, for an operator to replay, and delivery goes on. Failures are
//! recorded in the store as they happen, so `botgrid admin callbacks` can list them.
//! Cursors are saved as events finish — every registration's together, in one write,
//! every [`SAVE_EVERY`] — so after a restart delivery resumes where it stopped: events
//! are delivered at least once, and a receiver can drop repeats by their event id. POSTs to one receiver (scheme, host and port) share a limit, so a
//! thousand bots pointing at one script do not open a thousand connections to it.
//!
//! The payload format belongs to the API face: this crate is given a [`Payload`] (how
//! to render an event, and what a receiver's answer asks for) and never looks inside an
//! event. Delivery never blocks the API: workers only read the log the commands have
//! already written.
//!
//! A registration marked to retire after an event (a Simple Groups registration that
//! was replaced) gets that last event and is then removed.

pub mod signature;
mod worker;

use engine::Engine;
use grid::StoredEvent;
use grid::callback::Callback;
use grid::command::BotCommand;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;

/// How often the delivery positions of all registrations are saved.
pub const SAVE_EVERY: Duration = Duration::from_millis(200);

/// Delivery positions not yet saved, by registration: bounded by the number of
/// registrations, whatever the rate of events.
#[derive(Clone, Default)]
pub(crate) struct Cursors(Arc<std::sync::Mutex<HashMap<grid::CallbackId, grid::EventId>>>);

impl Cursors {
    pub(crate) fn note(&self, id: grid::CallbackId, cursor: grid::EventId) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, cursor);
    }

    fn take(&self) -> Vec<(grid::CallbackId, grid::EventId)> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain()
            .collect()
    }

    /// Saves what was noted since the last save, every [`SAVE_EVERY`].
    async fn keep_saving(self, engine: Engine) {
        loop {
            tokio::time::sleep(SAVE_EVERY).await;
            let batch = self.take();
            if batch.is_empty() {
                continue;
            }
            if let Err(e) = engine.advance_callbacks(batch.clone()).await {
                tracing::warn!(error = %e, "cannot save delivery positions; retrying");
                for (id, cursor) in batch {
                    // A newer position noted meanwhile wins.
                    self.0
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .entry(id)
                        .or_insert(cursor);
                }
            }
        }
    }
}

/// What an API face contributes to delivery.
#[derive(Clone, Copy)]
pub struct Payload {
    /// The body POSTed to a registration for an event, or `None` to skip it.
    pub render: fn(&Callback, &StoredEvent) -> Option<String>,
    /// What the receiver's answer asks the registration's bot to do, if anything.
    pub reply: fn(&Callback, &StoredEvent, &str) -> Option<BotCommand>,
}

/// How deliveries behave.
#[derive(Clone, Debug)]
pub struct DeliveryConfig {
    /// Time allowed for one POST, response included.
    pub timeout: Duration,
    /// Wait before the first retry; doubles on every failure.
    pub first_retry: Duration,
    /// Longest wait between retries.
    pub max_retry: Duration,
    /// How long an event is retried, from its first attempt, before it is given up
    /// (kept as dead for `botgrid admin callbacks replay`).
    pub horizon: Duration,
    /// POSTs of one registration at once. 1 keeps events strictly in order; more lets
    /// a slow or failing event be overtaken.
    pub in_flight: usize,
    /// POSTs at once to one receiver (scheme, host and port), over all registrations.
    pub per_receiver: usize,
    /// Events read from the log at a time.
    pub batch: usize,
    /// How often registrations made by other processes are looked for.
    pub rescan: Duration,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            timeout: Duration::from_secs(10),
            first_retry: Duration::from_secs(1),
            max_retry: Duration::from_secs(300),
            horizon: Duration::from_secs(3 * 24 * 3600),
            in_flight: 1,
            per_receiver: 32,
            batch: 100,
            rescan: Duration::from_secs(30),
        }
    }
}

struct Running {
    task: JoinHandle<()>,
    /// The log followed: when it changes (the group got a new serving bot), the worker
    /// starts over on the new bot's log.
    bot: grid::AvatarId,
    /// What may change under a running worker: the events wanted, and when to retire.
    settings: watch::Sender<Settings>,
}

/// What the supervisor tells a running worker. A change to any of these wakes it; the
/// worker then reads its registration afresh with the log (so these copies only signal
/// that something changed), and picks up replays when `replays` moved.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Settings {
    pub(crate) events: grid::callback::EventSelection,
    pub(crate) retire_after: Option<grid::EventId>,
    pub(crate) signing: grid::callback::SigningKeys,
    /// Bumped when an operator asked for replays: the worker then picks them up.
    pub(crate) replays: u64,
}

impl Settings {
    fn of(cb: &Callback) -> Settings {
        Settings {
            events: cb.events.clone(),
            retire_after: cb.retire_after,
            signing: cb.signing.clone(),
            replays: 0,
        }
    }
}

/// The receiver a URL points at, for the per-receiver limit.
fn receiver_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => u.origin().ascii_serialization(),
        Err(_) => url.to_owned(),
    }
}

/// Aborts a task when dropped.
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Workers stop with their supervisor (a dropped `JoinHandle` would leave them running).
impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts delivering callbacks; runs until the returned task is aborted.
pub fn spawn(engine: Engine, payload: Payload, config: DeliveryConfig) -> JoinHandle<()> {
    tokio::spawn(supervise(engine, payload, config))
}

async fn supervise(engine: Engine, payload: Payload, config: DeliveryConfig) {
    let client = match reqwest::Client::builder()
        .timeout(config.timeout)
        .user_agent(concat!("botgrid/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "cannot build the HTTP client; callbacks are off");
            return;
        }
    };
    let mut changed = engine.callbacks_changed();
    let mut running: HashMap<grid::CallbackId, Running> = HashMap::new();
    let mut receivers: HashMap<String, Arc<Semaphore>> = HashMap::new();
    let cursors = Cursors::default();
    let saver = tokio::spawn(cursors.clone().keep_saving(engine.clone()));
    // The saver stops with the supervisor.
    let _saver = AbortOnDrop(saver);
    loop {
        changed.borrow_and_update();
        let list = engine.callbacks().await;
        // One query for every registration's replays, rather than each worker polling.
        let replays: std::collections::HashSet<grid::CallbackId> = match engine
            .delivery_failures(None, Some(grid::callback::FailureState::Replay))
            .await
        {
            Ok(asked) => asked.into_iter().map(|f| f.callback).collect(),
            Err(e) => {
                tracing::warn!(error = %e, "cannot read replays");
                Default::default()
            }
        };
        match list {
            Ok(list) => {
                let live: std::collections::HashSet<_> = list.iter().map(|c| c.id).collect();
                running.retain(|id, r| live.contains(id) && !r.task.is_finished());
                // Limits of receivers no running worker POSTs to any more.
                receivers.retain(|_, slots| Arc::strong_count(slots) > 1);
                for cb in list {
                    if running.get(&cb.id).is_some_and(|r| r.bot != cb.bot.id) {
                        running.remove(&cb.id);
                    }
                    if let Some(r) = running.get(&cb.id) {
                        let replay = replays.contains(&cb.id);
                        r.settings.send_if_modified(|s| {
                            let now = Settings {
                                replays: s.replays + u64::from(replay),
                                ..Settings::of(&cb)
                            };
                            let differs = *s != now;
                            if differs {
                                *s = now;
                            }
                            differs
                        });
                        continue;
                    }
                    let (settings, settings_rx) = watch::channel(Settings::of(&cb));
                    let (id, bot) = (cb.id, cb.bot.id);
                    let receiver_slots = receivers
                        .entry(receiver_of(&cb.url))
                        .or_insert_with(|| Arc::new(Semaphore::new(config.per_receiver.max(1))))
                        .clone();
                    let task = tokio::spawn(worker::run(worker::Job {
                        engine: engine.clone(),
                        client: client.clone(),
                        payload,
                        callback: cb,
                        settings: settings_rx,
                        config: config.clone(),
                        receiver_slots,
                        cursors: cursors.clone(),
                    }));
                    running.insert(
                        id,
                        Running {
                            task,
                            bot,
                            settings,
                        },
                    );
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot read callback registrations"),
        }
        tokio::select! {
            _ = changed.changed() => {}
            _ = tokio::time::sleep(config.rescan) => {}
        }
    }
}
