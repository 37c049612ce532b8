//! Location, movement, local chat and who is around: `/api/bot.html` commands.

use crate::args::Args;
use crate::commands::{CommandDef, NOSAFEHUB, opt, out, render_nothing, req};
use crate::errors::Failure;
use grid::StartLocation;
use grid::command::{BotCommand, Reply};
use serde_json::{Value, json};

fn invalid(name: &'static str, reason: &str) -> Failure {
    Failure::Invalid {
        name,
        reason: reason.into(),
    }
}

fn on_off(a: &Args<'_>, name: &'static str) -> Result<bool, Failure> {
    match a.req(name)?.trim().to_ascii_lowercase().as_str() {
        "on" | "1" | "start" => Ok(true),
        "off" | "0" | "stop" => Ok(false),
        _ => Err(invalid(name, "expected on or off")),
    }
}

/// Every place and movement command.
pub static PLACE_COMMANDS: &[CommandDef] = &[
    CommandDef {
        action: "bot_location",
        aliases: &[],
        summary: "Where the bot is now.",
        params: &[],
        outputs: &[
            out("region", "The region's name."),
            out("x", "Metres east in the region."),
            out("y", "Metres north."),
            out("z", "Metres up."),
        ],
        json_only: false,
        example: &[],
        parse: |_| Ok(BotCommand::BotLocation),
        render: |_, reply, f| {
            if let Reply::Location(l) = reply {
                f.text("region", l.region)
                    .text("x", l.x.to_string())
                    .text("y", l.y.to_string())
                    .text("z", l.z.to_string());
            }
        },
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "teleport",
        aliases: &[],
        summary: "Teleports the bot to `Region/X/Y/Z` or `HOME`; `teleport_status` reports `Start` and `Finished`. A region the grid does not have (or one restarting) fails at once.",
        params: &[
            req("location", "`Region/X/Y/Z` or `HOME`."),
            opt(
                "skip_saving_location",
                "`1`: do not keep it as the bot's base location (where it logs in next).",
            ),
        ],
        outputs: &[],
        json_only: false,
        example: &[("location", "Botgrid Welcome/128/128/25")],
        parse: |a| {
            let to =
                StartLocation::parse(a.req("location")?).map_err(|e| invalid("location", e.0))?;
            Ok(BotCommand::Teleport {
                to,
                save: !a.flag("skip_saving_location")?,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "walkto",
        aliases: &[],
        summary: "Walks the bot to a point of its region (it is there when the reply comes).",
        params: &[req("coords", "`X/Y/Z` in the current region.")],
        outputs: &[],
        json_only: false,
        example: &[("coords", "120/130/25")],
        parse: |a| {
            let c = a.req("coords")?;
            let parts: Vec<f64> = c
                .split('/')
                .map(|p| p.trim().parse::<f64>())
                .collect::<Result<_, _>>()
                .map_err(|_| invalid("coords", "expected X/Y/Z"))?;
            let [x, y, z] = parts[..] else {
                return Err(invalid("coords", "expected X/Y/Z"));
            };
            Ok(BotCommand::WalkTo { x, y, z })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "fly",
        aliases: &[],
        summary: "Starts or stops flying.",
        params: &[req("fly", "`on` or `off`.")],
        outputs: &[],
        json_only: false,
        example: &[("fly", "on")],
        parse: |a| {
            Ok(BotCommand::Fly {
                on: on_off(a, "fly")?,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "move",
        aliases: &[],
        summary: "Starts or stops a movement: `FORWARD`, `BACKWARD`, `LEFT`, `RIGHT` (walking in that direction), `FLY`, or `STOP` (stops walking). botgrid keeps the state; the bot's position changes with `walkto` and `teleport`.",
        params: &[
            req(
                "instruction",
                "`FORWARD`, `BACKWARD`, `LEFT`, `RIGHT`, `FLY` or `STOP`.",
            ),
            opt("param1", "`START` (default) or `STOP`."),
        ],
        outputs: &[],
        json_only: false,
        example: &[("instruction", "FORWARD"), ("param1", "START")],
        parse: |a| {
            let start = match a.opt("param1").map(|p| p.trim().to_ascii_uppercase()) {
                None => true,
                Some(p) if p == "START" => true,
                Some(p) if p == "STOP" => false,
                Some(_) => return Err(invalid("param1", "expected START or STOP")),
            };
            Ok(BotCommand::Move {
                instruction: a.req("instruction")?.trim().to_owned(),
                start,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "say_chat_channel",
        aliases: &[],
        summary: "Says something in local chat. On channel 0 avatars within 20 m hear it (`chat_message`); other channels are for scripts.",
        params: &[
            req("channel", "The channel, 0 or above; 0 is public chat."),
            req("message", "The text, at most 1023 bytes."),
            NOSAFEHUB,
        ],
        outputs: &[],
        json_only: false,
        example: &[("channel", "0"), ("message", "Hello, everyone!")],
        parse: |a| {
            let channel = a
                .req("channel")?
                .trim()
                .parse::<i32>()
                .map_err(|_| invalid("channel", "expected a whole number"))?;
            Ok(BotCommand::SayChat {
                channel,
                message: a.req("message")?.to_owned(),
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "nearbyavatars_scan",
        aliases: &[],
        summary: "The online avatars within 96 m in the bot's region, nearest first. At most 2 calls in 10 seconds (`Frequent API requests throttled`).",
        params: &[],
        outputs: &[out(
            "avatars",
            "Objects `{name, UUID, parcelID, sitting, position: {X, Y, Z}, localPosition, heading, localHeading, distance, seenSince, seenSeconds}` (`parcelID` is empty and `heading` 0 until the grid has parcels and headings; `seenSince` is the time of the scan).",
        )],
        json_only: true,
        example: &[],
        parse: |_| Ok(BotCommand::NearbyAvatars),
        render: |_, reply, f| {
            let Reply::Nearby(list) = reply else {
                return;
            };
            let now = grid::Timestamp::now().iso8601();
            let avatars: Vec<Value> = list
                .iter()
                .map(|n| {
                    let pos = json!({"X": n.location.x, "Y": n.location.y, "Z": n.location.z});
                    json!({
                        "name": n.name,
                        "UUID": n.uuid.to_string(),
                        "parcelID": "",
                        "sitting": false,
                        "position": pos,
                        "localPosition": pos,
                        "heading": 0,
                        "localHeading": 0,
                        "distance": (n.distance * 100.0).round() / 100.0,
                        "seenSince": now,
                        "seenSeconds": 0,
                    })
                })
                .collect();
            f.json("avatars", Value::Array(avatars));
        },
        on_error: None,
        extension: false,
    },
];
