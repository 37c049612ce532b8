//! One registration's delivery loop.
//!
//! The worker reads the bot's log after the registration's cursor into a window of
//! outstanding events and POSTs them, at most `in_flight` at a time (1 by default:
//! strictly in order). A failed event waits for its retry without holding a POST slot;
//! when its retry horizon passes it is recorded as dead and the worker moves on. The
//! cursor only moves over a prefix of the window that is finished (delivered, skipped or
//! dead), so after a crash everything after it is sent again: at least once, and a
//! repeat carries the same event id.
//!
//! When POSTs may overlap, a failed event whose failure is recorded in the store leaves
//! the window ("detached"): the cursor may pass it, because the failure row brings it
//! back after a restart. So one event a receiver keeps refusing does not hold up the
//! rest. Window and detached events are each bounded, so a receiver that is down costs
//! bounded memory; the rest of the backlog waits in the durable log.

use crate::{DeliveryConfig, Payload, Settings, signature};
use engine::Engine;
use grid::callback::{Callback, DeliveryFailure, FailureState};
use grid::{EventId, StoredEvent, Timestamp};
use rand::Rng;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;

/// How often a worker looks at the log without being woken (events committed by
/// another process sharing the database do not wake it).
const POLL: Duration = Duration::from_secs(5);

/// Most events a registration holds at once when POSTs may overlap.
const WINDOW: usize = 1024;

/// What a worker is given by the supervisor.
pub(crate) struct Job {
    pub engine: Engine,
    pub client: reqwest::Client,
    pub payload: Payload,
    pub callback: Callback,
    pub settings: watch::Receiver<Settings>,
    pub config: DeliveryConfig,
    /// Shared by every registration POSTing to the same receiver.
    pub receiver_slots: Arc<Semaphore>,
    /// Where the worker leaves its cursor for the supervisor to save.
    pub cursors: crate::Cursors,
}

/// An event read for delivery and not yet finished.
struct Outstanding {
    event: Arc<StoredEvent>,
    body: Arc<str>,
    attempts: u32,
    first_attempt: Option<Timestamp>,
    wait: Duration,
    due: Instant,
    in_flight: bool,
    /// The last attempt could not connect: retried at once when the receiver is back.
    unreachable: bool,
    /// Not part of the window: replayed by an operator, or failed and carried by its
    /// failure row (see the module documentation).
    detached: bool,
}

/// How one POST ended.
enum Outcome {
    Delivered { answer: String, took: Duration },
    Failed { error: String, unreachable: bool },
}

struct Worker {
    job: Job,
    /// Events read, in log order, with whether each is finished.
    window: VecDeque<(EventId, bool)>,
    pending: BTreeMap<EventId, Outstanding>,
    /// The last event taken into the window.
    read_upto: EventId,
    /// Events read from the log ahead of the window (at most a batch), so that an
    /// in-order registration does not query the log once per event.
    ahead: VecDeque<StoredEvent>,
    /// The last event read from the log (into `ahead`).
    fetched_upto: EventId,
    /// The last read from the log found fewer events than it asked for.
    log_exhausted: bool,
    /// Failures recorded before a restart, picked up again when their events are read.
    earlier: HashMap<EventId, DeliveryFailure>,
    in_flight: JoinSet<(EventId, Outcome)>,
    /// How many pending events are detached.
    detached: usize,
    saved: EventId,
}

pub(crate) async fn run(job: Job) {
    let mut worker = Worker {
        read_upto: job.callback.cursor,
        fetched_upto: job.callback.cursor,
        ahead: VecDeque::new(),
        log_exhausted: false,
        saved: job.callback.cursor,
        job,
        window: VecDeque::new(),
        pending: BTreeMap::new(),
        earlier: HashMap::new(),
        in_flight: JoinSet::new(),
        detached: 0,
    };
    worker.start().await;
    worker.run().await;
}

/// Also when the task is aborted (the registration went away, or shutdown).
impl Drop for Worker {
    fn drop(&mut self) {
        telemetry::add(
            "botgrid_callbacks_pending",
            &[],
            -(self.pending.len() as i64),
        );
    }
}

impl Worker {
    fn id(&self) -> grid::CallbackId {
        self.job.callback.id
    }

    /// Whether more events may be taken from the log.
    fn has_room(&self) -> bool {
        self.window.len() < self.cap() && self.detached < WINDOW
    }

    fn cap(&self) -> usize {
        if self.job.config.in_flight <= 1 {
            1
        } else {
            WINDOW.max(self.job.config.in_flight)
        }
    }

    /// Gives an old registration a secret, and remembers failures from before a restart.
    async fn start(&mut self) {
        if self.job.callback.signing.current.is_empty() {
            match self.job.engine.signing_keys(self.id()).await {
                Ok(keys) => self.job.callback.signing = keys,
                Err(e) => {
                    tracing::warn!(callback = %self.id(), error = %e, "cannot give the registration a signing secret")
                }
            }
        }
        match self
            .job
            .engine
            .delivery_failures(Some(self.id()), Some(FailureState::Retrying))
            .await
        {
            Ok(list) => {
                for f in list {
                    if f.event <= self.job.callback.cursor {
                        // Detached before the restart: the cursor had passed it.
                        self.bring_back(f, false).await;
                    } else {
                        self.earlier.insert(f.event, f);
                    }
                }
            }
            Err(e) => {
                tracing::warn!(callback = %self.id(), error = %e, "cannot read earlier failures")
            }
        }
    }

    async fn run(&mut self) {
        let mut wake = self.job.engine.watch(self.job.callback.bot.id);
        let mut caught_up = false;
        let mut next_poll = Instant::now() + POLL;
        let mut replays = self.job.settings.borrow().replays;
        self.take_replays().await;
        loop {
            self.follow_settings();
            if self.job.settings.borrow().replays != replays {
                replays = self.job.settings.borrow().replays;
                self.take_replays().await;
                caught_up = false;
            }
            if self.finished_retiring() {
                self.save_cursor();
                retire(&self.job.engine, &self.job.callback).await;
                return;
            }
            if Instant::now() >= next_poll {
                next_poll = Instant::now() + POLL;
                caught_up = false;
            }
            if !caught_up && self.has_room() {
                caught_up = self.read(&mut wake).await;
            }
            self.dispatch();
            self.advance();
            self.save_cursor();

            let room = self.has_room();
            if room && !caught_up {
                // Skipped events made room: read on before waiting.
                continue;
            }
            let next_due = self
                .pending
                .values()
                .filter(|o| !o.in_flight)
                .map(|o| o.due)
                .min();
            let may_dispatch = self.in_flight.len() < self.job.config.in_flight.max(1);
            tokio::select! {
                Some(done) = self.in_flight.join_next(), if !self.in_flight.is_empty() => {
                    match done {
                        Ok((event, outcome)) => self.finish(event, outcome).await,
                        Err(e) => tracing::error!(callback = %self.id(), error = %e, "a delivery task failed"),
                    }
                }
                _ = sleep_until(next_due), if may_dispatch && next_due.is_some() => {}
                _ = wake.changed(), if caught_up && room => caught_up = false,
                _ = self.job.settings.changed() => caught_up = false,
                _ = tokio::time::sleep_until(next_poll) => {}
            }
        }
    }

    /// Notes that the supervisor's notice was seen: the registration itself is read
    /// with the log (see `read`).
    fn follow_settings(&mut self) {
        self.job.settings.borrow_and_update();
    }

    fn finished_retiring(&self) -> bool {
        self.job
            .callback
            .retire_after
            .is_some_and(|last| self.read_upto >= last && self.pending.is_empty())
    }

    /// Moves events into the window, reading the log when nothing is read ahead. True
    /// when the log has nothing more.
    async fn read(&mut self, wake: &mut watch::Receiver<EventId>) -> bool {
        if self.ahead.is_empty() {
            // Marked seen only when the log is read: a wake-up that came while events
            // were taken from `ahead` must still lead to a read.
            wake.borrow_and_update();
            let batch = self.job.config.batch.max(1);
            let fetched = match self
                .job
                .engine
                .events_for_callback(
                    self.job.callback.id,
                    self.job.callback.bot.id,
                    self.fetched_upto,
                    batch,
                )
                .await
            {
                Ok(fetched) => fetched,
                Err(e) => {
                    tracing::warn!(callback = %self.id(), error = %e, "cannot read events; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    return false;
                }
            };
            let Some((now, events)) = fetched else {
                // Removed: nothing more is for it; the supervisor stops this worker.
                self.log_exhausted = true;
                return true;
            };
            // What the registration wants is read with the events, not taken from the
            // supervisor's later notice, so a change made just before an event applies
            // to it.
            self.job.callback.events = now.events;
            self.job.callback.retire_after = now.retire_after;
            self.job.callback.signing = now.signing;
            // A bot that logs into a remote grid takes its key there.
            self.job.callback.bot = now.bot;
            self.log_exhausted = events.len() < batch;
            if let Some(last) = events.last() {
                self.fetched_upto = last.id;
            }
            self.ahead.extend(events);
        }
        while self.window.len() < self.cap() {
            let Some(event) = self.ahead.pop_front() else {
                break;
            };
            if self
                .job
                .callback
                .retire_after
                .is_some_and(|last| event.id > last)
            {
                // Nothing after the registration's last event is for it.
                self.ahead.clear();
                return true;
            }
            self.read_upto = event.id;
            match (self.job.payload.render)(&self.job.callback, &event) {
                None => self.window.push_back((event.id, true)),
                Some(body) => {
                    self.window.push_back((event.id, false));
                    let earlier = self.earlier.remove(&event.id);
                    self.add(Arc::new(event), body.into(), earlier, false);
                }
            }
        }
        self.ahead.is_empty() && self.log_exhausted
    }

    fn add(
        &mut self,
        event: Arc<StoredEvent>,
        body: Arc<str>,
        earlier: Option<DeliveryFailure>,
        detached: bool,
    ) {
        telemetry::add("botgrid_callbacks_pending", &[], 1);
        if detached {
            self.detached += 1;
        }
        let attempts = earlier.as_ref().map_or(0, |f| f.attempts);
        self.pending.insert(
            event.id,
            Outstanding {
                attempts,
                first_attempt: earlier.map(|f| f.first_attempt),
                wait: self.job.config.first_retry,
                due: Instant::now(),
                in_flight: false,
                unreachable: false,
                detached,
                event,
                body,
            },
        );
    }

    /// Starts POSTs that are due, oldest event first, while slots are free. With one
    /// POST at a time only the oldest event may go, which keeps the order.
    fn dispatch(&mut self) {
        let limit = self.job.config.in_flight.max(1);
        let now = Instant::now();
        while self.in_flight.len() < limit {
            let next = self
                .pending
                .iter_mut()
                .filter(|(_, o)| !o.in_flight)
                .take(if limit == 1 { 1 } else { usize::MAX })
                .find(|(_, o)| o.due <= now);
            let Some((&id, o)) = next else { break };
            o.in_flight = true;
            let post = Post {
                client: self.job.client.clone(),
                url: self.job.callback.url.clone(),
                secrets: self
                    .job
                    .callback
                    .signing
                    .in_use(Timestamp::now())
                    .map(str::to_owned)
                    .collect(),
                id,
                body: o.body.clone(),
                slots: self.job.receiver_slots.clone(),
            };
            self.in_flight.spawn(async move { (id, post.send().await) });
        }
    }

    async fn finish(&mut self, id: EventId, outcome: Outcome) {
        let Some(mut o) = self.pending.remove(&id) else {
            return;
        };
        o.in_flight = false;
        match outcome {
            Outcome::Delivered { answer, took } => {
                telemetry::count("botgrid_callbacks_delivered_total", &[]);
                telemetry::observe("botgrid_callback_seconds", &[], took);
                // A failure row exists once an attempt failed, and for every replay.
                if o.attempts > 0 || o.detached {
                    self.forget_failure(id).await;
                }
                act_on_answer(&self.job, &o.event, &answer).await;
                self.done(id, o.detached);
                // The receiver answers again: what waited for it to come back goes now.
                let now = Instant::now();
                for other in self.pending.values_mut().filter(|p| p.unreachable) {
                    other.unreachable = false;
                    other.due = other.due.min(now);
                }
            }
            Outcome::Failed { error, unreachable } => {
                telemetry::count("botgrid_callbacks_failed_total", &[]);
                let now = Timestamp::now();
                let first = *o.first_attempt.get_or_insert(now);
                o.attempts = o.attempts.saturating_add(1);
                let horizon = self.job.config.horizon.as_millis() as i64;
                let dead = now.0.saturating_sub(first.0) >= horizon;
                let failure = DeliveryFailure {
                    callback: self.id(),
                    event: id,
                    state: if dead {
                        FailureState::Dead
                    } else {
                        FailureState::Retrying
                    },
                    attempts: o.attempts,
                    first_attempt: first,
                    last_attempt: now,
                    last_error: error.clone(),
                };
                let recorded = self.record(failure).await;
                if dead {
                    telemetry::count("botgrid_callbacks_dead_total", &[]);
                    tracing::warn!(
                        callback = %self.id(), event = %id, attempts = o.attempts, error = %error,
                        "callback delivery given up after the retry horizon"
                    );
                    self.done(id, o.detached);
                    return;
                }
                tracing::info!(
                    callback = %self.id(), event = %id, attempt = o.attempts, error = %error,
                    retry_in_ms = o.wait.as_millis() as u64, "callback delivery failed"
                );
                o.due = Instant::now() + jitter(o.wait);
                o.wait = (o.wait * 2).min(self.job.config.max_retry);
                o.unreachable = unreachable;
                if recorded && !o.detached && self.job.config.in_flight > 1 {
                    o.detached = true;
                    self.detached += 1;
                    self.mark_finished(id);
                }
                self.pending.insert(id, o);
            }
        }
    }

    fn done(&mut self, id: EventId, detached: bool) {
        telemetry::add("botgrid_callbacks_pending", &[], -1);
        if detached {
            self.detached -= 1;
        } else {
            self.mark_finished(id);
        }
    }

    /// Lets the cursor pass an event of the window.
    fn mark_finished(&mut self, id: EventId) {
        if let Some(slot) = self.window.iter_mut().find(|(e, _)| *e == id) {
            slot.1 = true;
        }
    }

    /// Moves the cursor over the finished front of the window.
    fn advance(&mut self) {
        while let Some(&(id, true)) = self.window.front() {
            self.window.pop_front();
            self.job.callback.cursor = id;
        }
        if self.window.is_empty() {
            self.job.callback.cursor = self.read_upto;
        }
    }

    /// Hands the cursor to the supervisor, which saves every registration's in one
    /// write a few times a second (a write per event per registration was the cost of
    /// fanning out to a thousand callbacks).
    fn save_cursor(&mut self) {
        let cursor = self.job.callback.cursor;
        if cursor != self.saved {
            self.job.cursors.note(self.id(), cursor);
            self.saved = cursor;
        }
    }

    /// Picks up deliveries an operator asked to replay.
    async fn take_replays(&mut self) {
        let asked = match self
            .job
            .engine
            .delivery_failures(Some(self.id()), Some(FailureState::Replay))
            .await
        {
            Ok(asked) => asked,
            Err(e) => {
                tracing::warn!(callback = %self.id(), error = %e, "cannot read replays");
                return;
            }
        };
        for f in asked {
            self.bring_back(f, true).await;
        }
    }

    /// Takes a failed event back into delivery, detached: a replay (`fresh`: counted
    /// anew, with a new horizon) or a failure carried over a restart.
    async fn bring_back(&mut self, mut f: DeliveryFailure, fresh: bool) {
        if self.pending.contains_key(&f.event) {
            return;
        }
        let event = self
            .job
            .engine
            .event(self.job.callback.bot.id, f.event)
            .await;
        let body = match &event {
            Ok(Some(e)) => (self.job.payload.render)(&self.job.callback, e),
            _ => None,
        };
        match (event, body) {
            (Ok(Some(event)), Some(body)) => {
                if fresh {
                    f.state = FailureState::Retrying;
                    f.attempts = 0;
                    f.first_attempt = Timestamp::now();
                    self.record(f).await;
                    self.add(Arc::new(event), body.into(), None, true);
                } else {
                    self.add(Arc::new(event), body.into(), Some(f), true);
                }
            }
            (Err(e), _) => {
                tracing::warn!(callback = %self.id(), error = %e, "cannot read a failed event")
            }
            _ => {
                // The event is gone or no longer wanted: nothing to send.
                self.forget_failure(f.event).await;
            }
        }
    }

    /// Writes a failure row; false if it could not be written.
    async fn record(&self, failure: DeliveryFailure) -> bool {
        match self.job.engine.record_delivery_failure(failure).await {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(callback = %self.id(), error = %e, "cannot record a failed delivery");
                false
            }
        }
    }

    async fn forget_failure(&self, event: EventId) {
        if let Err(e) = self
            .job
            .engine
            .clear_delivery_failure(self.id(), event)
            .await
        {
            tracing::warn!(callback = %self.id(), error = %e, "cannot clear a delivered failure");
        }
    }
}

async fn sleep_until(due: Option<Instant>) {
    match due {
        Some(due) => tokio::time::sleep_until(due).await,
        None => std::future::pending().await,
    }
}

/// One POST, signed, in a slot of its receiver.
struct Post {
    client: reqwest::Client,
    url: String,
    secrets: Vec<String>,
    id: EventId,
    body: Arc<str>,
    slots: Arc<Semaphore>,
}

impl Post {
    async fn send(self) -> Outcome {
        // The semaphore lives as long as the supervisor; closed only if it is gone.
        let Ok(_slot) = self.slots.acquire().await else {
            return Outcome::Failed {
                error: "delivery is shutting down".into(),
                unreachable: false,
            };
        };
        let started = std::time::Instant::now();
        let id = self.id.to_string();
        let timestamp = Timestamp::now().0 / 1000;
        let signature = signature::header(
            self.secrets.iter().map(String::as_str),
            &id,
            timestamp,
            &self.body,
        );
        let result = self
            .client
            .post(&self.url)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(self.body.to_string())
            .send()
            .await;
        match result {
            Ok(response) if response.status().is_success() => {
                let answer = response.text().await.unwrap_or_default();
                Outcome::Delivered {
                    answer,
                    took: started.elapsed(),
                }
            }
            Ok(response) => Outcome::Failed {
                error: format!("HTTP {}", response.status().as_u16()),
                unreachable: false,
            },
            Err(e) => Outcome::Failed {
                unreachable: e.is_connect(),
                error: if e.is_timeout() {
                    "timed out".to_owned()
                } else {
                    e.to_string()
                },
            },
        }
    }
}

/// Carries out what the receiver's answer asks (a group invitation answered `accept=1`).
async fn act_on_answer(job: &Job, event: &StoredEvent, answer: &str) {
    let Some(command) = (job.payload.reply)(&job.callback, event, answer) else {
        return;
    };
    if let Err(e) = job.engine.act_for(job.callback.bot.id, command).await {
        tracing::info!(callback = %job.callback.id, event = %event.id, error = %e, "the receiver's answer could not be carried out");
    }
}

/// Removes a registration whose last event has been delivered.
async fn retire(engine: &Engine, callback: &Callback) {
    let mut wait = Duration::from_millis(200);
    while let Err(e) = engine.remove_callback(callback.id).await {
        tracing::warn!(callback = %callback.id, error = %e, "cannot remove a retired registration; retrying");
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(30));
    }
}

/// ±20 %, so that many failing deliveries do not retry in lockstep.
fn jitter(d: Duration) -> Duration {
    let factor = rand::rng().random_range(0.8..1.2);
    d.mul_f64(factor)
}
