//! `get_events`: the pull alternative to callbacks, a long poll over the bot's durable
//! event log. A botgrid extension for bots that cannot receive HTTP.

use crate::args::{Args, whole_value};
use crate::commands::{CommandDef, opt, out};
use crate::errors::Failure;
use crate::reply::Fields;
use engine::{Credentials, Engine};
use grid::EventId;
use grid::command::Reply;
use std::time::Duration;

/// The action name.
pub const ACTION: &str = "get_events";

/// Wait when the caller does not say.
const DEFAULT_WAIT_SECS: u64 = 25;
/// Events per answer when the caller does not say.
const DEFAULT_LIMIT: usize = 100;

/// The command's reference entry. Its work is done by [`run`], not by `parse`: it
/// waits outside any transaction.
pub static FEED_COMMANDS: &[CommandDef] = &[CommandDef {
    action: ACTION,
    aliases: &[],
    summary: "Reads the bot's events from the same durable log its callbacks are sent from, for bots that cannot receive HTTP. Call it first without `after` to learn the current position (`next`); then call it again and again with `after` set to the last `next`: it answers as soon as there are events after it, or after `wait` seconds with none. Each event has the fields its callback POST would carry (without `cid`). Nothing is lost between calls, and an event is seen twice only if the same `after` is sent twice. Works while the bot is offline.",
    params: &[
        opt(
            "after",
            "The `next` of the previous answer. Omitted: answer at once with the current position and no events.",
        ),
        opt(
            "wait",
            "Seconds to wait for an event, 0–60 (default 25). Keep the HTTP client's timeout longer.",
        ),
        opt("limit", "Most events in one answer, 1–500 (default 100)."),
        opt(
            "events",
            "Comma-separated event names, or `all` (default): the others are skipped (and `next` moves past them).",
        ),
    ],
    outputs: &[
        out("next", "Pass it as `after` in the next call."),
        out("count", "How many events follow."),
        out(
            "events",
            "The events, oldest first: objects with the fields of the callback POSTs (`action`, `event_id`, …).",
        ),
    ],
    json_only: true,
    example: &[("after", "0"), ("wait", "0")],
    parse: |_| {
        Err(Failure::Grid(grid::Error::internal(
            "get_events is run by the feed",
        )))
    },
    render: |_, _: Reply, _| {},
    on_error: None,
    extension: true,
}];

/// A feed read's parameters, checked.
pub struct FeedParams {
    pub after: Option<EventId>,
    pub wait: Duration,
    pub limit: usize,
    pub events: grid::callback::EventSelection,
}

/// Reads and checks the parameters.
pub fn params(args: &Args<'_>) -> Result<FeedParams, Failure> {
    let after = args
        .opt("after")
        .map(|v| whole_value::<i64>("after", v))
        .transpose()?;
    if after.is_some_and(|a| a < 0) {
        return Err(crate::args::invalid("after", "must not be negative"));
    }
    let wait = match args.opt("wait") {
        Some(v) => whole_value::<u64>("wait", v)?,
        None => DEFAULT_WAIT_SECS,
    };
    if wait > engine::MAX_FEED_WAIT.as_secs() {
        return Err(crate::args::invalid("wait", "must be at most 60 seconds"));
    }
    let limit = match args.opt("limit") {
        Some(v) => whole_value::<usize>("limit", v)?,
        None => DEFAULT_LIMIT,
    };
    if !(1..=engine::MAX_FEED_EVENTS).contains(&limit) {
        return Err(crate::args::invalid("limit", "must be from 1 to 500"));
    }
    Ok(FeedParams {
        after: after.map(EventId),
        wait: Duration::from_secs(wait),
        limit,
        events: match args.opt("events") {
            Some(v) => crate::callback::parse_selection(v)?,
            None => grid::callback::EventSelection::All,
        },
    })
}

/// Reads the feed for a caller (the engine checks the credentials).
pub async fn run(engine: &Engine, creds: &Credentials, args: &Args<'_>) -> Result<Fields, Failure> {
    let FeedParams {
        after,
        wait,
        limit,
        events: selection,
    } = params(args)?;
    let wanted = |e: &grid::StoredEvent| {
        crate::callback::event_name(&e.event).is_some_and(|name| selection.wants(name))
    };
    let feed = engine
        .read_feed(creds, after, limit, wait, wanted)
        .await
        .map_err(Failure::Grid)?;
    let events: Vec<serde_json::Value> = feed
        .events
        .iter()
        .filter_map(|e| crate::callback::event_fields(&feed.bot, None, e))
        .map(|f| f.to_json())
        .collect();
    let mut f = Fields::default();
    f.text("next", feed.next.to_string())
        .text("count", events.len().to_string())
        .json("events", serde_json::Value::Array(events));
    Ok(f)
}
