//! `Contact` JSON kept between commands and events.
//!
//! A contact is the largest part of most answers and events (profiles, preferences,
//! the merged preferences of both sides), and most of a bot's traffic is with a few
//! contacts. An entry is used while the engine's profiles are unchanged (its version)
//! and the viewer's profile is the one it was made for.

use crate::types;
use engine::Engine;
use grid::AvatarId;
use grid::chat::ChatUser;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Mutex;

/// Entries kept; the cache starts over when full.
const MAX_ENTRIES: usize = 1024;

struct Entry {
    version: u64,
    viewer: grid::chat::ChatProfile,
    /// `None`: the other avatar does not exist.
    contact: Option<Value>,
}

/// Contacts as one connection's users see them.
#[derive(Default)]
pub(crate) struct Contacts {
    entries: Mutex<HashMap<(AvatarId, AvatarId), Entry>>,
}

impl Contacts {
    /// `other` as `me` sees it, `None` when it does not exist.
    pub(crate) async fn get(
        &self,
        engine: &Engine,
        me: &ChatUser,
        other: AvatarId,
    ) -> Result<Option<Value>, grid::Error> {
        let key = (me.avatar.id, other);
        let version = engine.profiles_version();
        {
            let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(e) = entries.get(&key)
                && e.version == version
                && e.viewer == me.profile
            {
                return Ok(e.contact.clone());
            }
        }
        let mut contact = engine
            .peer(other)
            .await?
            .map(|(a, p)| types::contact(&me.profile, &a, &p));
        if let Some(c) = contact.as_mut() {
            let data = engine.contact_custom_data(me.avatar.id, other).await?;
            types::set_custom_data(c, data.as_deref());
        }
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(
            key,
            Entry {
                version,
                viewer: me.profile.clone(),
                contact: contact.clone(),
            },
        );
        Ok(contact)
    }
}
