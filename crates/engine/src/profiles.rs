//! Chat users, their addresses and their peers' profiles, kept in memory.
//!
//! Every command and event of a chat session shows its user (with its address), and most
//! show a peer; reading them from the store each time cost several store round trips
//! per message. They change only through the engine's own profile and address calls,
//! which invalidate them here after their commit. A reader notes the version before it
//! reads the store and keeps what it read only if no invalidation happened meanwhile, so
//! a slow reader cannot put back what a writer just replaced.
//!
//! Only what chat faces show is meant to be read from here: an avatar's presence and
//! location in a kept entry may be old.

use grid::chat::{ChatProfile, ChatUser, Link};
use grid::{Avatar, AvatarId};
use std::collections::HashMap;
use std::sync::Mutex;

/// Entries kept before the cache starts over; bounds memory on very large grids.
const MAX_ENTRIES: usize = 50_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Slot {
    User,
    Address,
    Peer,
}

#[derive(Clone, Debug)]
pub(crate) enum Entry {
    User(ChatUser),
    Address(Option<Link>),
    Peer(Option<(Avatar, ChatProfile)>),
}

#[derive(Default)]
pub(crate) struct ProfileCache {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    version: u64,
    entries: HashMap<(Slot, AvatarId), Entry>,
}

impl ProfileCache {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The version to pass to [`ProfileCache::put`] for what is read from now on.
    pub(crate) fn version(&self) -> u64 {
        self.state().version
    }

    pub(crate) fn get(&self, slot: Slot, id: AvatarId) -> Option<Entry> {
        self.state().entries.get(&(slot, id)).cloned()
    }

    /// Keeps what was read since `seen`, unless something changed meanwhile.
    pub(crate) fn put(&self, seen: u64, slot: Slot, id: AvatarId, entry: Entry) {
        let mut state = self.state();
        if state.version != seen {
            return;
        }
        if state.entries.len() >= MAX_ENTRIES {
            state.entries.clear();
        }
        state.entries.insert((slot, id), entry);
    }

    /// Forgets everything kept about an avatar (call after the change has committed).
    pub(crate) fn invalidate(&self, id: AvatarId) {
        let mut state = self.state();
        state.version += 1;
        for slot in [Slot::User, Slot::Address, Slot::Peer] {
            state.entries.remove(&(slot, id));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_that_raced_an_invalidation_is_not_kept() {
        let cache = ProfileCache::default();
        let id = AvatarId(7);
        let seen = cache.version();
        cache.invalidate(id);
        cache.put(seen, Slot::Address, id, Entry::Address(None));
        assert!(cache.get(Slot::Address, id).is_none());
        let seen = cache.version();
        cache.put(seen, Slot::Address, id, Entry::Address(None));
        assert!(matches!(
            cache.get(Slot::Address, id),
            Some(Entry::Address(None))
        ));
        cache.invalidate(id);
        assert!(cache.get(Slot::Address, id).is_none());
    }
}
