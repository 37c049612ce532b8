//! HTTP callback registrations: where a bot's events are POSTed.

use crate::{AvatarRef, CallbackId, Error, EventId};
use std::collections::BTreeSet;

/// Most callback URLs one bot may register.
pub const MAX_CALLBACKS_PER_BOT: usize = 10;

/// Longest callback URL accepted.
pub const MAX_URL_LEN: usize = 2048;

/// Which events a registration wants, by their callback names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventSelection {
    /// Every event, including kinds added in later versions.
    All,
    /// Only these.
    Only(BTreeSet<String>),
}

impl EventSelection {
    /// True when an event with this callback name is wanted.
    pub fn wants(&self, name: &str) -> bool {
        match self {
            EventSelection::All => true,
            EventSelection::Only(names) => names.contains(name),
        }
    }

    /// The stored spelling: `all` or the names joined with commas.
    pub fn to_stored(&self) -> String {
        match self {
            EventSelection::All => "all".to_owned(),
            EventSelection::Only(names) => names.iter().cloned().collect::<Vec<_>>().join(","),
        }
    }

    /// Reads the stored spelling.
    pub fn from_stored(s: &str) -> Self {
        if s == "all" {
            EventSelection::All
        } else {
            EventSelection::Only(
                s.split(',')
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned)
                    .collect(),
            )
        }
    }

    /// This selection with `more` added.
    pub fn union(&self, more: &EventSelection) -> EventSelection {
        match (self, more) {
            (EventSelection::All, _) | (_, EventSelection::All) => EventSelection::All,
            (EventSelection::Only(a), EventSelection::Only(b)) => {
                EventSelection::Only(a.union(b).cloned().collect())
            }
        }
    }

    /// This selection without `less`; `every` lists all names, used when `All` loses one.
    /// `None` when nothing is left.
    pub fn minus(&self, less: &EventSelection, every: &[&str]) -> Option<EventSelection> {
        let left: BTreeSet<String> = match (self, less) {
            (_, EventSelection::All) => BTreeSet::new(),
            (EventSelection::All, EventSelection::Only(b)) => every
                .iter()
                .filter(|n| !b.contains(**n))
                .map(|n| (*n).to_owned())
                .collect(),
            (EventSelection::Only(a), EventSelection::Only(b)) => {
                a.difference(b).cloned().collect()
            }
        };
        (!left.is_empty()).then_some(EventSelection::Only(left))
    }
}

/// A change asked for by a bot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallbackChange {
    /// Register the URL for these events, or extend its selection.
    Add { url: String, events: EventSelection },
    /// Stop sending these events to the URL. `every` lists the names `All` stands for
    /// today, needed when some are removed from a registration for all events.
    Remove {
        url: String,
        events: EventSelection,
        every: Vec<String>,
    },
    /// Remove every registration of the bot.
    Clear,
}

/// A registration as stored, with its delivery position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Callback {
    pub id: CallbackId,
    /// The bot whose event log the registration follows.
    pub bot: AvatarRef,
    pub url: String,
    pub events: EventSelection,
    /// The last event id delivered (or skipped) for this registration.
    pub cursor: EventId,
    pub scope: CallbackScope,
    /// Once the event with this id is handled, the registration is removed (it is the
    /// registration's own "removed" notice).
    pub retire_after: Option<EventId>,
    /// The secrets POSTs are signed with.
    pub signing: SigningKeys,
}

/// A registration's signing secrets: the current one and, while a rotation runs, the
/// one it replaced with the time it stops being used. Every POST carries a signature
/// for each secret in use, so a receiver can switch over at its own pace.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct SigningKeys {
    /// `whsec_…`; empty only for registrations made before signing existed, until the
    /// delivery worker gives them one.
    pub current: String,
    pub previous: Option<(String, crate::Timestamp)>,
}

impl SigningKeys {
    /// The secrets to sign with at `now`, current first.
    pub fn in_use(&self, now: crate::Timestamp) -> impl Iterator<Item = &str> {
        let previous = self
            .previous
            .as_ref()
            .filter(|(_, until)| *until > now)
            .map(|(s, _)| s.as_str());
        std::iter::once(self.current.as_str())
            .filter(|s| !s.is_empty())
            .chain(previous)
    }
}

/// Secrets stay out of logs and debug output.
impl std::fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeys")
            .field("current", &(!self.current.is_empty()).then_some(".."))
            .field("previous_until", &self.previous.as_ref().map(|(_, t)| t))
            .finish()
    }
}

/// Where a failed delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, strum::AsRefStr, strum::EnumString)]
#[strum(serialize_all = "snake_case")]
pub enum FailureState {
    /// Still being retried.
    Retrying,
    /// Given up on: the retry horizon passed. Kept until replayed.
    Dead,
    /// An operator asked for another try; the worker picks it up.
    Replay,
}

/// A delivery that failed at least once and has not succeeded since.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryFailure {
    pub callback: CallbackId,
    pub event: EventId,
    pub state: FailureState,
    pub attempts: u32,
    pub first_attempt: crate::Timestamp,
    pub last_attempt: crate::Timestamp,
    /// What the last attempt got: `HTTP 500`, a connection error, a timeout.
    pub last_error: String,
}

/// Whose registration it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallbackScope {
    /// A bot's own callback (SmartBots `set_http_callback`).
    Bot,
    /// A group's callback for one application (Simple Groups API), following the bot
    /// that serves the group.
    Group {
        group: crate::group::GroupRef,
        app_uuid: String,
        app_name: String,
    },
    /// An object's owner URL: the object's events, from its owner's log.
    Object { object: crate::Uuid, name: String },
}

/// Checks a callback URL: absolute `http` or `https` with a host.
pub fn check_url(text: &str) -> Result<String, Error> {
    if text.len() > MAX_URL_LEN {
        return Err(Error::invalid(
            "url",
            format!("is longer than {MAX_URL_LEN} characters"),
        ));
    }
    let url = url::Url::parse(text.trim())
        .map_err(|e| Error::invalid("url", format!("is not an absolute URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::invalid("url", "must start with http:// or https://"));
    }
    if url.host().is_none() {
        return Err(Error::invalid("url", "has no host"));
    }
    Ok(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn only(names: &[&str]) -> EventSelection {
        EventSelection::Only(names.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn selections_add_and_remove() {
        let a = only(&["a", "b"]);
        assert_eq!(a.union(&only(&["c"])), only(&["a", "b", "c"]));
        assert_eq!(a.minus(&only(&["a"]), &[]), Some(only(&["b"])));
        assert_eq!(a.minus(&EventSelection::All, &[]), None);
        assert_eq!(
            EventSelection::All.minus(&only(&["a"]), &["a", "b", "c"]),
            Some(only(&["b", "c"]))
        );
        assert_eq!(EventSelection::from_stored(&a.to_stored()), a);
        assert_eq!(EventSelection::from_stored("all"), EventSelection::All);
    }

    #[test]
    fn urls() {
        assert_eq!(
            check_url("http://127.0.0.1:9/x").unwrap(),
            "http://127.0.0.1:9/x"
        );
        assert!(check_url("ftp://x/").is_err());
        assert!(check_url("/relative").is_err());
    }
}
