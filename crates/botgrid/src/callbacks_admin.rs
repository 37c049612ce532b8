//! `botgrid admin callbacks`: registrations, failed deliveries, replays, secret rotation.

use clap::Subcommand;
use engine::Engine;
use grid::callback::{CallbackScope, FailureState};
use grid::{CallbackId, EventId, Timestamp};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration;

#[derive(Debug, Subcommand)]
pub enum CallbacksCommand {
    /// Every registration: its bot, URL, how far delivery got, and its failed deliveries.
    List,
    /// Deliveries that failed and have not succeeded since: retrying, or dead (given up
    /// after the retry horizon), with the last error.
    Failed {
        /// Only this registration's.
        #[arg(long)]
        callback: Option<i64>,
        /// Only the dead ones.
        #[arg(long)]
        dead: bool,
    },
    /// Sends dead deliveries again: all of them, one registration's, or one event's. The
    /// running server picks them up within 30 s (its registration rescan).
    Replay {
        #[arg(long)]
        callback: Option<i64>,
        #[arg(long)]
        event: Option<i64>,
    },
    /// Gives a registration a new signing secret (printed once). The old one keeps
    /// signing beside it for `--keep-hours`, so receivers can switch over.
    Rotate {
        callback: i64,
        #[arg(long, default_value_t = 24)]
        keep_hours: u64,
    },
}

fn scope(scope: &CallbackScope) -> String {
    match scope {
        CallbackScope::Bot => "bot".to_owned(),
        CallbackScope::Group {
            group, app_name, ..
        } => format!("group {} ({app_name})", group.name),
        CallbackScope::Object { name, .. } => format!("object {name}"),
    }
}

fn time(t: Timestamp) -> String {
    t.iso8601()
}

/// Runs one command; returns its JSON and text forms.
pub async fn run(engine: &Engine, cmd: CallbacksCommand) -> Result<(Value, String), String> {
    let err = |e: grid::Error| e.to_string();
    Ok(match cmd {
        CallbacksCommand::List => {
            let callbacks = engine.callbacks().await.map_err(err)?;
            let failures = engine.delivery_failures(None, None).await.map_err(err)?;
            let mut counts: HashMap<CallbackId, (usize, usize)> = HashMap::new();
            for f in &failures {
                let c = counts.entry(f.callback).or_default();
                match f.state {
                    FailureState::Dead => c.1 += 1,
                    FailureState::Retrying | FailureState::Replay => c.0 += 1,
                }
            }
            let mut rows = Vec::new();
            let mut lines = Vec::new();
            for cb in &callbacks {
                let newest = engine.newest_event(cb.bot.id).await.map_err(err)?;
                let (retrying, dead) = counts.get(&cb.id).copied().unwrap_or_default();
                rows.push(json!({
                    "id": cb.id.0, "bot": cb.bot.name, "url": cb.url, "scope": scope(&cb.scope),
                    "events": cb.events.to_stored(), "delivered_up_to": cb.cursor.0,
                    "newest_event": newest.0, "retrying": retrying, "dead": dead,
                }));
                lines.push(format!(
                    "{}\t{}\t{}\t{}\tdelivered up to event {} of {}\t{retrying} retrying\t{dead} dead",
                    cb.id,
                    cb.bot.name,
                    scope(&cb.scope),
                    cb.url,
                    cb.cursor,
                    newest
                ));
            }
            (Value::Array(rows), lines.join("\n"))
        }
        CallbacksCommand::Failed { callback, dead } => {
            let failures = engine
                .delivery_failures(callback.map(CallbackId), dead.then_some(FailureState::Dead))
                .await
                .map_err(err)?;
            let rows: Vec<Value> = failures
                .iter()
                .map(|f| {
                    json!({
                        "callback": f.callback.0, "event": f.event.0, "state": f.state.as_ref(),
                        "attempts": f.attempts, "first_attempt": time(f.first_attempt),
                        "last_attempt": time(f.last_attempt), "last_error": f.last_error,
                    })
                })
                .collect();
            let text = failures
                .iter()
                .map(|f| {
                    format!(
                        "callback {}\tevent {}\t{}\t{} attempts since {}\t{}",
                        f.callback,
                        f.event,
                        f.state.as_ref(),
                        f.attempts,
                        time(f.first_attempt),
                        f.last_error
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            (Value::Array(rows), text)
        }
        CallbacksCommand::Replay { callback, event } => {
            let n = engine
                .replay_dead_deliveries(callback.map(CallbackId), event.map(EventId))
                .await
                .map_err(err)?;
            (
                json!({"replaying": n}),
                format!("{n} dead deliveries will be sent again"),
            )
        }
        CallbacksCommand::Rotate {
            callback,
            keep_hours,
        } => {
            let keep = Duration::from_secs(keep_hours.saturating_mul(3600));
            let secret = engine
                .rotate_signing_secret(CallbackId(callback), keep)
                .await
                .map_err(err)?;
            (
                json!({"callback": callback, "signing_secret": secret, "old_secret_kept_hours": keep_hours}),
                format!(
                    "callback {callback}: new signing secret {secret}\n(shown once; the old secret also signs for {keep_hours} more hours)"
                ),
            )
        }
    })
}
