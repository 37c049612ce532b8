//! What event consumers (callback delivery, live sessions) read.

use crate::Credentials;
use crate::Engine;
use grid::AvatarRef;
use grid::callback::{Callback, DeliveryFailure, FailureState, SigningKeys};
use grid::command::{BotCommand, Reply};
use grid::{AvatarId, CallbackId, Error, EventId, StoredEvent, Timestamp};
use std::time::Duration;
use tokio::sync::watch;

/// Longest a feed read waits for an event.
pub const MAX_FEED_WAIT: Duration = Duration::from_secs(60);

/// Most events one feed read returns.
pub const MAX_FEED_EVENTS: usize = 500;

/// What a feed read returns.
#[derive(Debug)]
pub struct Feed {
    pub bot: AvatarRef,
    /// The events wanted, oldest first.
    pub events: Vec<StoredEvent>,
    /// Where the next read starts: past every event looked at, wanted or not.
    pub next: EventId,
}

impl Engine {
    /// The pull alternative to callbacks: a bot's events after `after` (or, with
    /// `None`, just the current position), waiting up to `wait` for one that `wanted`
    /// accepts. It reads the same durable log callbacks are delivered from, so a bot
    /// that keeps its cursor misses nothing and sees nothing twice.
    pub async fn read_feed(
        &self,
        creds: &Credentials,
        after: Option<EventId>,
        limit: usize,
        wait: Duration,
        wanted: impl Fn(&StoredEvent) -> bool,
    ) -> Result<Feed, Error> {
        let Reply::Status(status) = self.bot_command(creds, BotCommand::Status).await? else {
            return Err(Error::internal("status answered something else"));
        };
        let uuid = status.uuid;
        let bot = self
            .store()
            .read(move |tx| Ok(tx.avatar_by_uuid(uuid)?))
            .await?
            .ok_or(Error::BotNotFound)?
            .to_ref();
        let Some(mut next) = after else {
            let next = self.newest_event(bot.id).await?;
            return Ok(Feed {
                bot,
                events: vec![],
                next,
            });
        };
        let limit = limit.clamp(1, MAX_FEED_EVENTS);
        let deadline = tokio::time::Instant::now() + wait.min(MAX_FEED_WAIT);
        let mut changed = self.watch(bot.id);
        loop {
            changed.borrow_and_update();
            let read = self.events_after(bot.id, next, limit).await?;
            let full = read.len() == limit;
            if let Some(last) = read.last() {
                next = last.id;
            }
            let events: Vec<StoredEvent> = read.into_iter().filter(|e| wanted(e)).collect();
            if !events.is_empty() || tokio::time::Instant::now() >= deadline {
                return Ok(Feed { bot, events, next });
            }
            if full {
                continue;
            }
            // Events committed by another process sharing the database do not wake us.
            let poll = tokio::time::Instant::now() + Duration::from_secs(2);
            tokio::select! {
                _ = changed.changed() => {}
                _ = tokio::time::sleep_until(deadline.min(poll)) => {}
            }
        }
    }

    /// A receiver that changes whenever the avatar gets a new committed event.
    pub fn watch(&self, avatar: AvatarId) -> watch::Receiver<EventId> {
        self.inner.watchers.watch(avatar)
    }

    /// An avatar's events after `after`, oldest first, at most `limit`.
    pub async fn events_after(
        &self,
        avatar: AvatarId,
        after: EventId,
        limit: usize,
    ) -> Result<Vec<StoredEvent>, Error> {
        let limit = limit.min(10_000) as i64;
        self.store()
            .read(move |tx| Ok(tx.events_after(avatar, after, limit)?))
            .await
    }

    /// A registration's events after `after`, oldest first, at most `limit`, with the
    /// registration as it stands; `None` once it is removed. The registration is read
    /// after the events, so every change made to it before the newest of them was
    /// committed is seen (its event selection, its retirement, its secrets).
    pub async fn events_for_callback(
        &self,
        callback: CallbackId,
        avatar: AvatarId,
        after: EventId,
        limit: usize,
    ) -> Result<Option<(Callback, Vec<StoredEvent>)>, Error> {
        let limit = limit.min(10_000) as i64;
        self.store()
            .read(move |tx| {
                let events = tx.events_after(avatar, after, limit)?;
                Ok(tx.callback(callback)?.map(|cb| (cb, events)))
            })
            .await
    }

    /// Every callback registration.
    pub async fn callbacks(&self) -> Result<Vec<Callback>, Error> {
        self.store().read(|tx| Ok(tx.all_callbacks()?)).await
    }

    /// A receiver that changes whenever callback registrations change.
    pub fn callbacks_changed(&self) -> watch::Receiver<u64> {
        self.inner.callbacks_changed.subscribe()
    }

    /// Removes a registration that has delivered its last event.
    pub async fn remove_callback(&self, id: CallbackId) -> Result<(), Error> {
        self.store()
            .write(move |tx| Ok(tx.delete_callback(id)?))
            .await
    }

    /// One event of an avatar's log, if it is still there.
    pub async fn event(&self, avatar: AvatarId, id: EventId) -> Result<Option<StoredEvent>, Error> {
        let before = EventId(id.0.saturating_sub(1));
        let found = self
            .store()
            .read(move |tx| Ok(tx.events_after(avatar, before, 1)?))
            .await?;
        Ok(found.into_iter().find(|e| e.id == id))
    }

    /// The id of an avatar's newest event (0 when it has none).
    pub async fn newest_event(&self, avatar: AvatarId) -> Result<EventId, Error> {
        self.store()
            .read(move |tx| Ok(tx.last_event_id(avatar)?))
            .await
    }

    /// A registration's signing keys, giving it a secret first if it has none (it was
    /// made before POSTs were signed).
    pub async fn signing_keys(&self, id: CallbackId) -> Result<SigningKeys, Error> {
        self.store()
            .write(move |tx| {
                let cb = tx.callback(id)?.ok_or(Error::CallbackNotFound)?;
                if !cb.signing.current.is_empty() {
                    return Ok(cb.signing);
                }
                let secret = grid::secret::new_signing_secret();
                tx.set_callback_secret(id, &secret, None)?;
                Ok(SigningKeys {
                    current: secret,
                    previous: None,
                })
            })
            .await
    }

    /// Gives a registration a new signing secret; the old one stays in use for `keep`
    /// (POSTs carry a signature for each). Returns the new secret.
    pub async fn rotate_signing_secret(
        &self,
        id: CallbackId,
        keep: std::time::Duration,
    ) -> Result<String, Error> {
        let secret = grid::secret::new_signing_secret();
        let new = secret.clone();
        self.store()
            .write(move |tx| {
                let cb = tx.callback(id)?.ok_or(Error::CallbackNotFound)?;
                let until = Timestamp(tx.now().0.saturating_add(keep.as_millis() as i64));
                let previous = (!cb.signing.current.is_empty() && !keep.is_zero())
                    .then_some((cb.signing.current.as_str(), until));
                tx.set_callback_secret(id, &new, previous)?;
                Ok(())
            })
            .await?;
        self.after_commit(vec![crate::bot::After::CallbacksChanged]);
        Ok(secret)
    }

    /// Records a failed delivery (a retry to come, or given up).
    pub async fn record_delivery_failure(&self, failure: DeliveryFailure) -> Result<(), Error> {
        self.store()
            .write(move |tx| Ok(tx.record_delivery_failure(&failure)?))
            .await
    }

    /// Forgets a failure once the event is delivered.
    pub async fn clear_delivery_failure(
        &self,
        callback: CallbackId,
        event: EventId,
    ) -> Result<(), Error> {
        self.store()
            .write(move |tx| Ok(tx.clear_delivery_failure(callback, event)?))
            .await
    }

    /// Failed deliveries, of one registration or all, in one state or any.
    pub async fn delivery_failures(
        &self,
        callback: Option<CallbackId>,
        state: Option<FailureState>,
    ) -> Result<Vec<DeliveryFailure>, Error> {
        self.store()
            .read(move |tx| Ok(tx.delivery_failures(callback, state)?))
            .await
    }

    /// Asks for given-up deliveries to be tried again. Returns how many.
    pub async fn replay_dead_deliveries(
        &self,
        callback: Option<CallbackId>,
        event: Option<EventId>,
    ) -> Result<u64, Error> {
        self.store()
            .write(move |tx| Ok(tx.replay_dead_deliveries(callback, event)?))
            .await
    }

    /// Records, in one write, how far several registrations have got.
    pub async fn advance_callbacks(
        &self,
        cursors: Vec<(CallbackId, EventId)>,
    ) -> Result<(), Error> {
        self.store()
            .write(move |tx| {
                for (id, cursor) in &cursors {
                    tx.advance_callback(*id, *cursor)?;
                }
                Ok(())
            })
            .await
    }
}
