//! What event consumers (callback delivery, live sessions) read.

use crate::Engine;
use grid::callback::Callback;
use grid::{AvatarId, CallbackId, Error, EventId, StoredEvent};
use tokio::sync::watch;

impl Engine {
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

    /// Records that a registration has handled every event up to `cursor`.
    pub async fn advance_callback(&self, id: CallbackId, cursor: EventId) -> Result<(), Error> {
        self.store()
            .write(move |tx| Ok(tx.advance_callback(id, cursor)?))
            .await
    }
}
