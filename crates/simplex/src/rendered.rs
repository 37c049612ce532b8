//! `Contact` and `User` JSON kept between commands and events.
//!
//! A contact is the largest part of most answers and events (profiles, preferences,
//! the merged preferences of both sides), the user is in every one, and most of a
//! bot's traffic is with a few contacts. An entry is used while the engine's profiles
//! and addresses are unchanged (its version) and it was made from the same user. Entries
//! are shared, not copied: a message's answer and event write them from here.

use crate::types;
use engine::Engine;
use grid::AvatarId;
use grid::chat::ChatUser;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Entries kept; the cache starts over when full.
const MAX_ENTRIES: usize = 1024;

/// JSON kept as a value (to build answers from) and as text (to write out as it is).
pub(crate) struct Rendered {
    pub(crate) value: Value,
    pub(crate) text: Box<serde_json::value::RawValue>,
}

impl Rendered {
    pub(crate) fn new(value: Value) -> Arc<Rendered> {
        // A `Value` always serializes (its keys are strings); the fallback is not taken.
        let text = serde_json::value::to_raw_value(&value)
            .unwrap_or_else(|_| serde_json::value::RawValue::NULL.to_owned());
        Arc::new(Rendered { value, text })
    }
}

impl serde::Serialize for Rendered {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.text.serialize(s)
    }
}

struct Entry {
    version: u64,
    viewer: grid::chat::ChatProfile,
    /// `None`: the other avatar does not exist.
    contact: Option<Arc<Rendered>>,
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
    ) -> Result<Option<Arc<Rendered>>, grid::Error> {
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
        let contact = match engine.peer(other).await? {
            Some((a, p)) => {
                let mut c = types::contact(&me.profile, &a, &p);
                let data = engine.contact_custom_data(me.avatar.id, other).await?;
                types::set_custom_data(&mut c, data.as_deref());
                Some(Rendered::new(c))
            }
            None => None,
        };
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

/// A chat user's `User` JSON, as active or not.
#[derive(Default)]
pub(crate) struct Users {
    entries: Mutex<HashMap<(AvatarId, bool), UserEntry>>,
}

struct UserEntry {
    version: u64,
    made_from: ChatUser,
    user: Arc<Rendered>,
}

impl Users {
    pub(crate) async fn get(
        &self,
        engine: &Engine,
        links: &types::Links,
        u: &ChatUser,
        active: bool,
    ) -> Result<Arc<Rendered>, grid::Error> {
        let key = (u.avatar.id, active);
        let version = engine.profiles_version();
        {
            let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(e) = entries.get(&key)
                && e.version == version
                && e.made_from == *u
            {
                return Ok(e.user.clone());
            }
        }
        let address = engine.address(u.avatar.id).await?;
        let json = Rendered::new(types::user(u, active, address.map(|l| links.short(&l))));
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(
            key,
            UserEntry {
                version,
                made_from: u.clone(),
                user: json.clone(),
            },
        );
        Ok(json)
    }
}
