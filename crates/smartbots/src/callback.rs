//! Callback payloads: the events of the grid as SmartBots POSTs them.
//!
//! Each POST is `application/x-www-form-urlencoded` with the fields every SmartBots
//! event has (`action`, `bot_name`, `bot_uuid`, `channel`, `cid`), the event's own
//! fields, and `event_id`: a stable id, the same on every retry, by which receivers can
//! drop duplicates. Values are escaped as in replies (`%20` for spaces).
//!
//! A group's Simple Groups registrations get that API's own events instead
//! (`group_chat`, `callback_set`, `callback_removed`).

use crate::errors::Failure;
use crate::reply::{Fields, Format};
use grid::callback::{Callback, CallbackScope, EventSelection};
use grid::command::BotCommand;
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

/// Every event name SmartBots documents, and botgrid's `group_notice`.
pub static EVENTS: &[EventDef] = &[
    ev(
        "instant_message",
        true,
        "A direct message to the bot: `speaker_type` (`AGENT`), `speaker_name`, `speaker_uuid`, `message`, `message_id`. An estate manager's region message arrives this way too, with an empty `message_id`.",
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
        true,
        "An invitation into a group: `avatar_name`, `avatar_uuid` (the inviter), `group_name`, `group_uuid`, `session_id`, `system_message`, and `role`, `fee`, `message`. Reply `accept=1` to join (or use `group_offer_accept`).",
    ),
    ev(
        "group_message",
        true,
        "Group chat: `group_uuid`, `group_name`, `speaker_name`, `speaker_uuid`, `message`, `message_id`.",
    ),
    ev(
        "group_notice",
        true,
        "A group notice (a botgrid addition): `group_uuid`, `group_name`, `speaker_name`, `speaker_uuid`, `subject`, `message`, `attachment` (UUID or empty), `notice_id`.",
    ),
    ev(
        "chat_message",
        true,
        "Local chat the bot heard (channel 0, within 20 m): `speaker_type` (`AGENT`, or `OBJECT` for what an object says to the bot), `speaker_name`, `speaker_uuid`, `speaker_owner` (an object's owner; empty for avatars), `channel`, `message`.",
    ),
    ev(
        "balance_changed",
        true,
        "The bot's L$ changed: `amount`, `direction` (`INITIAL` on arrival online, then `INCOMING` or `OUTGOING`), `source` and `destination` (avatar UUIDs; `source` empty for the operator's grants and `INITIAL`), `balance` (after the change), `trx_type` (5001 for a payment between avatars, 0 for a grant or `INITIAL`), `comment`, `transaction` (the ledger's UUID; the zero UUID for `INITIAL`).",
    ),
    ev(
        "script_dialog",
        true,
        "An object shows the bot a dialog (a greeter, when touched): `object_uuid`, `object_name`, `owner_name`, `owner_uuid`, `text`, `buttons` (one per line), `channel`. Answer with `reply_dialog`.",
    ),
    ev(
        "teleport_status",
        true,
        "The bot's teleport: `status` (`Start`, then `Finished`), `message`, `flags` (0), `location` (`Region/X/Y/Z`: where it was at `Start`, where it is at `Finished`).",
    ),
    ev(
        "nearby_avatars",
        false,
        "Deprecated by SmartBots; accepted, never raised.",
    ),
    ev(
        "offer_inventory",
        true,
        "Another avatar offers the bot an item or a folder: `asset_type` (and the older `offer_type`, the same), `folder` (where it goes if accepted), `sender_name`, `sender_uuid`, `sender_type` (`AGENT`), `object` (the offered entry's inventory UUID), `session`, `message` (its name). Answer with `inventory_offer_accept`.",
    ),
    ev(
        "offer_teleport",
        true,
        "An avatar invites the bot to where it is: `avatar_name`, `avatar_uuid`, `message`, `slurl` (the destination, `http://maps.secondlife.com/secondlife/Region/X/Y/Z`), `session_id`. Answer with `teleport_offer_accept`.",
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

/// The callback name of an event for a bot's own registrations, or `None` when
/// SmartBots has no callback for it.
pub fn event_name(event: &Event) -> Option<&'static str> {
    Some(match event {
        Event::InstantMessage { .. } => "instant_message",
        Event::TypingStarted { .. } => "start_typing",
        Event::OnlineStatus { .. } => "online_status",
        Event::FriendshipOffered { .. } => "offer_friendship",
        Event::FriendshipAccepted { .. } => "offer_friendship_accepted",
        Event::FriendshipDeclined { .. } => "offer_friendship_declined",
        Event::GroupInvitation { .. } => "group_invite",
        Event::GroupMessage { .. } => "group_message",
        Event::GroupNotice { .. } => "group_notice",
        Event::BalanceChanged { .. } => "balance_changed",
        Event::InventoryOffered { .. } => "offer_inventory",
        Event::TeleportProgress { .. } => "teleport_status",
        Event::ChatHeard { .. } | Event::ObjectChat { .. } => "chat_message",
        Event::ScriptDialog { .. } => "script_dialog",
        Event::TeleportOffered { .. } => "offer_teleport",
        // An estate message arrives as an IM from the estate manager, as in Second Life.
        Event::RegionMessage { .. } => "instant_message",
        // `event_name` gave the others no callback: they never get here.
        _ => return None,
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

/// `teleport_status`'s `status`.
fn teleport_status(status: grid::region::TeleportStatus) -> &'static str {
    use grid::region::TeleportStatus::*;
    match status {
        Start => "Start",
        Progress => "Progress",
        Failed => "Failed",
        Finished => "Finished",
        Cancelled => "Cancelled",
    }
}

/// `balance_changed`'s `direction`.
fn direction_word(direction: grid::money::Direction) -> &'static str {
    use grid::money::Direction::*;
    match direction {
        Initial => "INITIAL",
        Incoming => "INCOMING",
        Outgoing => "OUTGOING",
    }
}

/// The form body POSTed to a registration for an event, or `None` when the
/// registration does not want it.
pub fn render(callback: &Callback, stored: &StoredEvent) -> Option<String> {
    match &callback.scope {
        CallbackScope::Bot => render_bot(callback, stored),
        CallbackScope::Group { .. } => crate::simple::render_callback(callback, stored),
        CallbackScope::Object { object, .. } => render_object(*object, stored),
    }
}

/// What an object's owner URL receives: the object's own events, as a form.
fn render_object(object: grid::Uuid, stored: &StoredEvent) -> Option<String> {
    let Event::ObjectEvent {
        object: o,
        object_name,
        avatar,
        what,
    } = &stored.event
    else {
        return None;
    };
    if *o != object {
        return None;
    }
    let mut f = Fields::default();
    f.text("event", what.name())
        .text("object_uuid", o.to_string())
        .text("object_name", object_name.clone())
        .text("avatar_uuid", avatar.uuid.to_string())
        .text("avatar_name", avatar.name.clone())
        .text("event_id", stored.id.to_string())
        .text("event_time", stored.at.iso8601());
    match what {
        grid::object::Happening::Money { amount } => {
            f.text("amount", amount.to_string());
        }
        grid::object::Happening::Dialog { channel, button } => {
            f.text("channel", channel.to_string())
                .text("button", button.clone());
        }
        grid::object::Happening::Chat { channel, message } => {
            f.text("channel", channel.to_string())
                .text("message", message.clone());
        }
        grid::object::Happening::Touch | grid::object::Happening::Sit => {}
    }
    Some(f.encode(Format::Url))
}

/// What an owner URL's answer asks the object to do: `say`, `dialog` with `buttons`
/// (comma-separated), `give` (an item of the owner's), `invite` (a group), any of them.
fn object_actions(body: &str) -> grid::object::Actions {
    let (params, _) = crate::params::Params::read(None, body.as_bytes(), None);
    let text = |k: &'static str| params.get(k).filter(|v| !v.is_empty()).map(str::to_owned);
    let uuid = |k: &'static str| {
        params
            .get(k)
            .and_then(|v| grid::Uuid::parse_str(v.trim()).ok())
    };
    grid::object::Actions {
        say: text("say"),
        dialog: text("dialog").map(|d| {
            let buttons = params
                .get("buttons")
                .unwrap_or("OK")
                .split(',')
                .map(|b| b.trim().to_owned())
                .filter(|b| !b.is_empty())
                .collect();
            (d, buttons)
        }),
        give: uuid("give"),
        invite: uuid("invite"),
    }
}

fn render_bot(callback: &Callback, stored: &StoredEvent) -> Option<String> {
    let name = event_name(&stored.event)?;
    if !callback.events.wants(name) {
        return None;
    }
    event_fields(&callback.bot, Some(callback.id), stored).map(|f| f.encode(Format::Url))
}

/// The fields describing a bot's event, as its callbacks and its event feed carry
/// them; `cid` is the registration, when there is one. `None` for events SmartBots
/// has no callback for.
pub fn event_fields(
    bot: &grid::AvatarRef,
    cid: Option<grid::CallbackId>,
    stored: &StoredEvent,
) -> Option<Fields> {
    let name = event_name(&stored.event)?;
    let mut f = Fields::default();
    f.text("action", name)
        .text("bot_name", bot.name.clone())
        .text("bot_uuid", bot.uuid.to_string())
        .text("channel", bot.id.to_string());
    if let Some(cid) = cid {
        f.text("cid", cid.to_string());
    }
    f.text("event_id", stored.id.to_string())
        .text("event_time", stored.at.iso8601());
    match &stored.event {
        Event::InstantMessage {
            message,
            from,
            text,
            ..
        } => {
            f.text("speaker_type", "AGENT")
                .text("speaker_name", from.name.clone())
                .text("speaker_uuid", from.uuid.to_string())
                .text("message", text.clone())
                .text("message_id", message.to_string());
        }
        Event::TeleportProgress {
            status,
            message,
            location,
        } => {
            f.text("status", teleport_status(*status))
                .text("message", message.clone())
                .text("flags", "0")
                .text("location", location.clone());
        }
        Event::TeleportOffered {
            session,
            from,
            message,
            location,
        } => {
            let slurl = match location.split_once('/') {
                Some((region, rest)) => format!(
                    "http://maps.secondlife.com/secondlife/{}/{rest}",
                    crate::reply::escape(region)
                ),
                None => location.clone(),
            };
            f.text("avatar_name", from.name.clone())
                .text("avatar_uuid", from.uuid.to_string())
                .text("message", message.clone())
                .text("slurl", slurl)
                .text("session_id", session.to_string());
        }
        Event::RegionMessage { from, message, .. } => {
            f.text("speaker_type", "AGENT")
                .text("speaker_name", from.name.clone())
                .text("speaker_uuid", from.uuid.to_string())
                .text("message", message.clone())
                .text("message_id", "");
        }
        Event::ScriptDialog {
            object,
            object_name,
            owner,
            text,
            buttons,
            channel,
        } => {
            f.text("object_uuid", object.to_string())
                .text("object_name", object_name.clone())
                .text("owner_name", owner.name.clone())
                .text("owner_uuid", owner.uuid.to_string())
                .text("text", text.clone())
                .text("buttons", buttons.join("\n"))
                // The dialog's channel replaces the bot id's `channel` (one field).
                .set("channel", channel.to_string());
        }
        Event::ObjectChat {
            object,
            object_name,
            owner,
            channel,
            message,
        } => {
            f.text("speaker_type", "OBJECT")
                .text("speaker_name", object_name.clone())
                .text("speaker_uuid", object.to_string())
                .text("speaker_owner", owner.uuid.to_string())
                .set("channel", channel.to_string())
                .text("message", message.clone());
        }
        Event::ChatHeard {
            channel,
            speaker,
            message,
        } => {
            f.text("speaker_type", "AGENT")
                .text("speaker_name", speaker.name.clone())
                .text("speaker_uuid", speaker.uuid.to_string())
                .text("speaker_owner", "")
                .set("channel", channel.to_string())
                .text("message", message.clone());
        }
        Event::InventoryOffered {
            session,
            from,
            object,
            asset_type,
            folder,
            name,
        } => {
            f.text("asset_type", asset_type.clone())
                .text("offer_type", asset_type.clone())
                .text("folder", folder.to_string())
                .text("sender_name", from.name.clone())
                .text("sender_uuid", from.uuid.to_string())
                .text("sender_type", "AGENT")
                .text("object", object.to_string())
                .text("session", session.to_string())
                .text("message", name.clone());
        }
        Event::BalanceChanged {
            transfer,
            direction,
            amount,
            source,
            destination,
            balance,
            kind,
            comment,
        } => {
            let trx_type = match direction {
                grid::money::Direction::Initial => 0,
                _ => kind.trx_type(),
            };
            f.text("amount", amount.to_string())
                .text("direction", direction_word(*direction))
                .text(
                    "source",
                    source
                        .as_ref()
                        .map(|s| s.uuid.to_string())
                        .unwrap_or_default(),
                )
                .text("destination", destination.uuid.to_string())
                .text("balance", balance.to_string())
                .text("trx_type", trx_type.to_string())
                .text("comment", comment.clone())
                .text("transaction", transfer.to_string());
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
            ..
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
        Event::GroupInvitation {
            session,
            group,
            from,
            role,
            fee,
            message,
            system,
        } => {
            let system = system.clone().unwrap_or_else(|| {
                let mut text = format!(
                    "{} has invited you to join a group, {}. There is a fee of L${fee} to join this group.",
                    from.name, group.name
                );
                if !message.is_empty() {
                    text.push(' ');
                    text.push_str(message);
                }
                text
            });
            f.text("avatar_name", from.name.clone())
                .text("avatar_uuid", from.uuid.to_string())
                .text("group_name", group.name.clone())
                .text("group_uuid", group.uuid.to_string())
                .text("session_id", session.to_string())
                .text("system_message", system)
                .text("role", role.clone())
                .text("fee", fee.to_string())
                .text("message", message.clone());
        }
        Event::GroupMessage {
            post,
            group,
            from,
            text,
            ..
        } => {
            f.text("group_uuid", group.uuid.to_string())
                .text("group_name", group.name.clone())
                .text("speaker_name", from.name.clone())
                .text("speaker_uuid", from.uuid.to_string())
                .text("message", text.clone())
                .text(
                    "message_id",
                    post.map(|p| p.0.to_string()).unwrap_or_default(),
                );
        }
        Event::GroupNotice {
            post,
            group,
            from,
            subject,
            text,
            attachment,
        } => {
            f.text("group_uuid", group.uuid.to_string())
                .text("group_name", group.name.clone())
                .text("speaker_name", from.name.clone())
                .text("speaker_uuid", from.uuid.to_string())
                .text("subject", subject.clone())
                .text("message", text.clone())
                .text(
                    "attachment",
                    attachment.map(|a| a.to_string()).unwrap_or_default(),
                )
                .text(
                    "notice_id",
                    post.map(|p| p.0.to_string()).unwrap_or_default(),
                );
        }
        // `event_name` gave the others no callback: they never get here.
        _ => return None,
    }
    Some(f)
}

/// What a receiver's answer asks the bot to do: `accept=1` to a `group_invite` joins
/// the group. Other answers are ignored, as SmartBots does.
pub fn reply(callback: &Callback, stored: &StoredEvent, body: &str) -> Option<BotCommand> {
    if let CallbackScope::Object { object, .. } = &callback.scope {
        let Event::ObjectEvent { avatar, .. } = &stored.event else {
            return None;
        };
        let actions = object_actions(body);
        return (!actions.is_empty()).then_some(BotCommand::ObjectAct {
            object: *object,
            to: avatar.uuid,
            actions,
        });
    }
    if callback.scope != CallbackScope::Bot {
        return None;
    }
    let Event::GroupInvitation { session, from, .. } = &stored.event else {
        return None;
    };
    let (params, _) = crate::params::Params::read(None, body.as_bytes(), None);
    let accept = params.get("accept").is_some_and(|v| {
        let v = v.trim();
        v == "1" || v.eq_ignore_ascii_case("true")
    });
    accept.then_some(BotCommand::AnswerGroupInvite {
        from: from.uuid,
        session: *session,
        accept: true,
    })
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
