//! Wakes whoever waits for an avatar's events once they are committed.

use grid::{AvatarId, EventId};
use std::collections::HashMap;
use std::sync::Mutex;
use store::Committed;
use tokio::sync::watch;

/// One watch channel per avatar that someone listens to; its value is the newest
/// committed event id of that avatar.
#[derive(Default)]
pub(crate) struct Watchers {
    channels: Mutex<HashMap<AvatarId, watch::Sender<EventId>>>,
}

impl Watchers {
    /// A receiver that changes whenever the avatar gets a new event.
    pub(crate) fn watch(&self, avatar: AvatarId) -> watch::Receiver<EventId> {
        let mut channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        channels
            .entry(avatar)
            .or_insert_with(|| watch::Sender::new(EventId(0)))
            .subscribe()
    }

    /// Called by the store after each commit.
    pub(crate) fn committed(&self, events: &[Committed]) {
        let mut channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        for e in events {
            if let Some(tx) = channels.get(&e.avatar) {
                if tx.receiver_count() == 0 {
                    channels.remove(&e.avatar);
                } else {
                    tx.send_replace(e.id);
                }
            }
        }
    }
}
