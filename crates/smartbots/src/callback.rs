//! Callback payloads: the events of the grid as SmartBots POSTs them.
//!
//! Each POST is `application/x-www-form-urlencoded` with the fields every SmartBots
//! event has (`action`, `bot_name`, `bot_uuid`, `channel`, `cid`), the event's own
//! fields, and `event_id`: a stable id, the same on every retry, by which receivers can
//! drop duplicates. Values are escaped as in replies (`%20` for spaces).

use crate::errors::Failure;
use crate::reply::{Fields, Format};
use grid::callback::{Callback, EventSelection};
use grid::{Event, Presence, StoredEvent};

/// A callback event name of the SmartBots API.
pub struct EventDef {
    pub name: &'static str,
    pub doc: &'static str,
    /// False for events of the API that botgrid does not raise yet; registering for
    /// them works, so scripts need no change when they arrive.
    pub raised: bool,
}

const fn ev(name: &'static str, raised: bool, doc: &'static str) -> EventDef {
    EventDef { name, doc, raised }
}

/// Every event name SmartBots documents.
pub static EVENTS: &[EventDef] = &[
    ev(
        "instant_message",
        true,
        "A direct message to the bot: `speaker_type` (`AGENT`), `speaker_name`, `speaker_uuid`, `message`, `message_id`.",
    ),
    ev(
        "start_typing",
        true,
        "An avatar started typing an IM to the bot: `speaker_name`, `speaker_uuid`.",
    ),
    ev(
        "online_status",
        true,
        "The bot's session moved: `status` (`CONNECTING`, `ONLINE`, `LOGGING_OUT`, `LOGGED_OUT`), `details`, `location`.",
    ),
    ev(
        "offer_friendship",
        true,
        "An avatar offers friendship: `avatar_name`, `avatar_uuid`, `message`, `session_id` (answer with `friendship_offer_accept`).",
    ),
    ev(
        "offer_friendship_accepted",
        true,
        "The bot's offer was accepted: `avatar_name`, `avatar_uuid`.",
    ),
    ev(
        "offer_friendship_declined",
        true,
        "The bot's offer was declined: `avatar_name`, `avatar_uuid`.",
    ),
    ev(
        "group_invite",
        false,
        "A group invitation (with the groups release).",
    ),
    ev(
        "group_message",
        false,
        "Group chat (with the groups release).",
    ),
    ev(
        "chat_message",
        false,
        "Local chat heard (with the world release).",
    ),
    ev(
        "balance_changed",
        false,
        "Money moved (with the world release).",
    ),
    ev(
        "script_dialog",
        false,
        "A script dialog (with the world release).",
    ),
    ev(
        "teleport_status",
        false,
        "Teleport progress (with the world release).",
    ),
    ev(
        "nearby_avatars",
        false,
        "Deprecated by SmartBots; accepted, never raised.",
    ),
    ev(
        "offer_inventory",
        false,
        "An inventory offer (with the world release).",
    ),
    ev(
        "offer_teleport",
        false,
        "A teleport offer (with the world release).",
    ),
];

/// Reads `events=`: `all` or a comma-separated list of known names.
pub fn parse_selection(text: &str) -> Result<EventSelection, Failure> {
    let names: Vec<String> = text
        .split(',')
        .map(|n| n.trim().to_ascii_lowercase())
        .filter(|n| !n.is_empty())
        .collect();
    if names.iter().any(|n| n == "all") {
        return Ok(EventSelection::All);
    }
    if names.is_empty() {
        return Err(Failure::Missing("events"));
    }
    for n in &names {
        if !EVENTS.iter().any(|e| e.name == n) {
            return Err(Failure::Invalid {
                name: "events",
                reason: format!("unknown event {n}"),
            });
        }
    }
    Ok(EventSelection::Only(names.into_iter().collect()))
}

/// The callback name of an event, or `None` when SmartBots has no callback for it.
pub fn event_name(event: &Event) -> Option<&'static str> {
    Some(match event {
        Event::InstantMessage { .. } => "instant_message",
        Event::TypingStarted { .. } => "start_typing",
        Event::TypingStopped { .. } => return None,
        Event::OnlineStatus { .. } => "online_status",
        Event::FriendshipOffered { .. } => "offer_friendship",
        Event::FriendshipAccepted { .. } => "offer_friendship_accepted",
        Event::FriendshipDeclined { .. } => "offer_friendship_declined",
    })
}

fn status_word(p: Presence) -> (&'static str, &'static str) {
    match p {
        Presence::Connecting => ("CONNECTING", "Logging in"),
        Presence::Online => ("ONLINE", "Logged in"),
        Presence::LoggingOut => ("LOGGING_OUT", "Logging out"),
        Presence::LoggedOut => ("LOGGED_OUT", "Logged out"),
    }
}

/// The form body POSTed to a registration for an event, or `None` when the
/// registration does not want it (or SmartBots has no callback for it).
pub fn render(callback: &Callback, stored: &StoredEvent) -> Option<String> {
    let name = event_name(&stored.event)?;
    if !callback.events.wants(name) {
        return None;
    }
    let mut f = Fields::default();
    f.text("action", name)
        .text("bot_name", callback.bot.name.clone())
        .text("bot_uuid", callback.bot.uuid.to_string())
        .text("channel", callback.bot.id.to_string())
        .text("cid", callback.id.to_string())
        .text("event_id", stored.id.to_string())
        .text("event_time", stored.at.iso8601());
    match &stored.event {
        Event::InstantMessage {
            message,
            from,
            text,
        } => {
            f.text("speaker_type", "AGENT")
                .text("speaker_name", from.name.clone())
                .text("speaker_uuid", from.uuid.to_string())
                .text("message", text.clone())
                .text("message_id", message.to_string());
        }
        Event::TypingStarted { from, .. } => {
            f.text("speaker_name", from.name.clone())
                .text("speaker_uuid", from.uuid.to_string());
        }
        Event::OnlineStatus { presence, location } => {
            let (status, details) = status_word(*presence);
            f.text("status", status)
                .text("details", details)
                .text("location", location.clone().unwrap_or_default());
        }
        Event::FriendshipOffered {
            from,
            session,
            message,
        } => {
            f.text("avatar_name", from.name.clone())
                .text("avatar_uuid", from.uuid.to_string())
                .text("message", message.clone())
                .text("session_id", session.to_string());
        }
        Event::FriendshipAccepted { by } | Event::FriendshipDeclined { by } => {
            f.text("avatar_name", by.name.clone())
                .text("avatar_uuid", by.uuid.to_string());
        }
        Event::TypingStopped { .. } => return None,
    }
    Some(f.encode(Format::Url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selections() {
        assert_eq!(parse_selection("all").unwrap(), EventSelection::All);
        assert!(
            matches!(parse_selection(" Instant_Message , online_status"), Ok(EventSelection::Only(s)) if s.len() == 2)
        );
        assert!(parse_selection("instant_message,bogus").is_err());
        assert!(parse_selection(" , ").is_err());
    }

    #[test]
    fn every_raised_event_has_a_name_in_the_list() {
        for e in EVENTS.iter().filter(|e| e.raised) {
            assert!(parse_selection(e.name).is_ok());
        }
    }
}
