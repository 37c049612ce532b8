//! The API reference, generated from the command table, the error texts and the event
//! list, so that the documentation cannot drift from the code. A test compares it with
//! `docs/smartbots-api.md`; run `BOTGRID_BLESS=1 cargo test -p smartbots` to rewrite it.

use crate::callback::EVENTS;
use crate::commands::{self, CommandDef};
use crate::errors::documented;
use crate::params::Params;
use grid::command::ThrottleClass;
use std::fmt::Write;

/// The command an entry's example parses to (`None` if it does not parse).
pub fn example_command(def: &CommandDef) -> Option<grid::command::BotCommand> {
    let query: Vec<String> = def
        .example
        .iter()
        .map(|(k, v)| format!("{k}={}", crate::reply::escape(v)))
        .collect();
    let (params, _) = Params::read(Some(&query.join("&")), b"", None);
    (def.parse)(&crate::args::Args::new(&params)).ok()
}

fn curl(def: &CommandDef) -> String {
    let mut q = format!(
        "action={}&apikey=$APIKEY&botname=Ada%20Resident&secret=$SECRET",
        def.action
    );
    for (k, v) in def.example {
        let _ = write!(q, "&{k}={}", crate::reply::escape(v));
    }
    if def.json_only {
        q.push_str("&dataType=json");
    }
    format!("curl \"http://127.0.0.1:7878/api/bot.html?{q}\"")
}

/// The reference as Markdown.
pub fn reference() -> String {
    let mut d = String::new();
    let _ = writeln!(
        d,
        "# SmartBots Bot HTTP API — reference\n\n\
         Generated from the command table in `crates/smartbots`; do not edit by hand\n\
         (`BOTGRID_BLESS=1 cargo test -p smartbots` rewrites it).\n\n\
         Endpoint: `/api/bot.html`, GET or POST. Every command takes `action`, `apikey`,\n\
         `botname`, `secret` (the bot's access code or one of its API tokens), and optionally\n\
         `dataType=json` and `custom` (echoed back). Every reply has `result` (`OK`/`FAIL`),\n\
         `resulttext` on failure, `action` and `custom` echoed. See `smartbots.md` for the\n\
         transport rules.\n"
    );
    let _ = writeln!(d, "## Commands\n");
    for def in commands::all() {
        let _ = writeln!(d, "### `{}`\n", def.action);
        let _ = writeln!(d, "{}\n", def.summary);
        if !def.aliases.is_empty() {
            let names: Vec<String> = def.aliases.iter().map(|a| format!("`{a}`")).collect();
            let _ = writeln!(d, "Also accepted as: {}.\n", names.join(", "));
        }
        let cmd = example_command(def);
        let mut notes = Vec::new();
        if def.extension {
            notes.push("a botgrid command (SmartBots has no such command)".to_owned());
        }
        if def.json_only {
            notes.push("JSON only (`dataType=json`)".to_owned());
        }
        if let Some(cmd) = &cmd {
            notes.push(if cmd.needs_presence() {
                "needs the bot ONLINE".to_owned()
            } else {
                "works while the bot is offline".to_owned()
            });
            if cmd.throttle_class() == ThrottleClass::Messaging {
                notes.push("counts against the bot's messaging throttle".to_owned());
            }
        }
        let mut line = notes.join("; ");
        if let Some(first) = line.get(..1) {
            line = first.to_uppercase() + &line[1..];
        }
        let _ = writeln!(d, "*{line}.*\n");
        if !def.params.is_empty() {
            let _ = writeln!(d, "| Parameter | Required | Meaning |\n|---|---|---|");
            for p in def.params {
                let _ = writeln!(
                    d,
                    "| `{}` | {} | {} |",
                    p.name,
                    if p.required { "yes" } else { "no" },
                    p.doc
                );
            }
            d.push('\n');
        }
        if !def.outputs.is_empty() {
            let _ = writeln!(d, "| Output | Meaning |\n|---|---|");
            for o in def.outputs {
                let _ = writeln!(d, "| `{}` | {} |", o.name, o.doc);
            }
            d.push('\n');
        }
        let _ = writeln!(d, "```sh\n{}\n```\n", curl(def));
    }
    let _ = writeln!(
        d,
        "## Errors\n\nEvery `resulttext` the server can produce. Failures answer HTTP 200 (405 for a\n\
         wrong method), like SmartBots; a throttled reply also carries `Retry-After` (seconds).\n\n\
         | `resulttext` (example) | When |\n|---|---|"
    );
    for e in documented() {
        let _ = writeln!(d, "| `{}` | {} |", e.example, e.when);
    }
    let _ = writeln!(
        d,
        "\n## Simple Groups API\n\n\
         Endpoint: `/api/simple.html`, GET or POST, for a group's owner who holds only the\n\
         group's security code. Every action takes `action`, `apikey`, `group` (the group's\n\
         name, any case) and `secret` (the security code) or `secret_sha1` (its SHA-1, 40 hex\n\
         digits). The operator sets the code and the serving bot (`botgrid admin group\n\
         set-code`, `set-bot`); everything is done by the serving bot, under its powers.\n\
         Replies are plain text: `OK`, or the reason: `{}` for a wrong `apikey`, code or\n\
         SHA-1, otherwise the same texts as `/api/bot.html`. `set_http_callback` answers JSON.\n",
        crate::simple::ACCESS_DENIED
    );
    for a in crate::simple::ACTIONS {
        let _ = writeln!(d, "### `{}`\n\n{}\n", a.action, a.summary);
        let _ = writeln!(d, "| Parameter | Required | Meaning |\n|---|---|---|");
        for (name, required, doc) in a.params {
            let _ = writeln!(
                d,
                "| `{name}` | {} | {doc} |",
                if *required { "yes" } else { "no" }
            );
        }
        d.push('\n');
    }
    let _ = writeln!(
        d,
        "Callbacks of a group's registration are POSTed like the bot's (form-encoded, `%20`),\n\
         with `action`, `group_uuid`, `group_name`, `app_uuid`, `app_name`, `cid`, `event_id`,\n\
         `event_time`:\n\n\
         | Event | Fields |\n|---|---|\n\
         | `callback_set` | The registration is live (the first thing it receives). |\n\
         | `group_chat` | `speaker_name`, `speaker_uuid`, `message`, `message_id`: group chat the serving bot hears. |\n\
         | `callback_removed` | The last thing it receives: replaced by a new URL for the same `app_uuid`, removed with an empty `url`, or the security code changed. |\n"
    );
    let _ = writeln!(
        d,
        "\n## Callback events\n\n\
         Register with `set_http_callback`. Each event is POSTed as\n\
         `application/x-www-form-urlencoded` with `action` (the event name), `bot_name`,\n\
         `bot_uuid`, `channel` (the bot's id), `cid` (the registration's id), `event_id` (stable\n\
         across retries: drop duplicates by it) and `event_time` (ISO-8601 UTC), plus the fields\n\
         below. Events reach each URL in order; a failed or timed-out POST (any status other\n\
         than 2xx) is retried with growing delays until it succeeds.\n\n\
         | Event | Raised | Fields |\n|---|---|---|"
    );
    for e in EVENTS {
        let _ = writeln!(
            d,
            "| `{}` | {} | {} |",
            e.name,
            if e.raised { "yes" } else { "not yet" },
            e.doc
        );
    }
    d
}
