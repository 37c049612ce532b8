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
                on: a.on_off("fly")?,
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
            let channel = a.whole::<i32>("channel")?;
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
            "Objects `{name, UUID, parcelID, sitting, position: {X, Y, Z}, localPosition, heading, localHeading, distance, seenSince, seenSeconds}` (`sitting` is true on an object; `parcelID` is empty and `heading` 0; `seenSince` is the time of the scan).",
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
                        "sitting": n.sitting,
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
    CommandDef {
        action: "offer_teleport",
        aliases: &[],
        summary: "Invites an avatar to the bot's location (`offer_teleport` to a bot, answered with `teleport_offer_accept`).",
        params: &[
            req("avatar", "The avatar to invite (UUID)."),
            opt("message", "Text with the offer."),
            NOSAFEHUB,
        ],
        outputs: &[],
        json_only: false,
        example: &[
            ("avatar", crate::commands::EXAMPLE_UUID),
            ("message", "Join me!"),
        ],
        parse: |a| {
            Ok(BotCommand::OfferTeleport {
                to: a.req_uuid("avatar")?,
                message: a.opt("message").unwrap_or_default().to_owned(),
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "teleport_offer_accept",
        aliases: &[],
        summary: "Answers an `offer_teleport` callback: accepted, the bot teleports there (`teleport_status` follows; the base location is kept).",
        params: &[
            req("avatar_uuid", "The offering avatar, from the callback."),
            req("session_id", "The session, from the callback."),
            req("accept", "`1` accepts; anything else declines."),
        ],
        outputs: &[],
        json_only: false,
        example: &[
            ("avatar_uuid", crate::commands::EXAMPLE_UUID),
            ("session_id", crate::commands::EXAMPLE_UUID),
            ("accept", "1"),
        ],
        parse: |a| {
            Ok(BotCommand::TeleportOfferAnswer {
                from: a.req_uuid("avatar_uuid")?,
                session: a.req_uuid("session_id")?,
                accept: a.req("accept")?.trim() == "1",
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "sim_kick",
        aliases: &[],
        summary: "Estate manager: sends an avatar out of the bot's region (to its home, if that is elsewhere), without banning it.",
        params: &[req("avatar", "The avatar (UUID).")],
        outputs: &[],
        json_only: false,
        example: &[("avatar", crate::commands::EXAMPLE_UUID)],
        parse: |a| {
            Ok(BotCommand::SimKick {
                avatar: a.req_uuid("avatar")?,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "sim_access",
        aliases: &[],
        summary: "Estate manager: `ban` (an avatar in the region is sent out, and cannot teleport in), `unban`, `allow` or `disallow` (the allowed list is kept; the embedded grid's regions are public).",
        params: &[
            req("avatar", "The avatar (UUID)."),
            req("operation", "`ban`, `unban`, `allow` or `disallow`."),
            opt("all_estates", "`1`: every region the bot manages."),
        ],
        outputs: &[],
        json_only: false,
        example: &[
            ("avatar", crate::commands::EXAMPLE_UUID),
            ("operation", "ban"),
        ],
        parse: |a| {
            let operation = grid::region::AccessOp::parse(a.req("operation")?)
                .ok_or_else(|| invalid("operation", "expected ban, unban, allow or disallow"))?;
            Ok(BotCommand::SimAccess {
                avatar: a.req_uuid("avatar")?,
                operation,
                all_estates: a.flag("all_estates")?,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "sim_restart",
        aliases: &["simrestart"],
        summary: "Estate manager: `begin` a restart of the bot's region after `delay` seconds (everyone there is told; at the end they are sent out and the region takes visitors again; no one may teleport in meanwhile), or `cancel` it.",
        params: &[
            req("state", "`begin` or `cancel`."),
            opt("delay", "Seconds, 30 to 240; default 120."),
        ],
        outputs: &[],
        json_only: false,
        example: &[("state", "begin"), ("delay", "120")],
        parse: |a| {
            let delay = match a.req("state")?.trim().to_ascii_lowercase().as_str() {
                "begin" => Some(
                    a.opt_u32(
                        "delay",
                        grid::region::RESTART_MIN_SECS,
                        grid::region::RESTART_MAX_SECS,
                    )?
                    .unwrap_or(grid::region::RESTART_DEFAULT_SECS),
                ),
                "cancel" => None,
                _ => return Err(invalid("state", "expected begin or cancel")),
            };
            Ok(BotCommand::SimRestart { delay })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "sim_send_message",
        aliases: &[],
        summary: "Estate manager: a message to everyone in the bot's region (or, with `all_estates=1`, every region it manages); bots get it as `instant_message` from the bot.",
        params: &[
            req("message", "The text, at most 1023 bytes."),
            opt("all_estates", "`1`: every region the bot manages."),
        ],
        outputs: &[],
        json_only: false,
        example: &[("message", "The shop closes in 10 minutes.")],
        parse: |a| {
            Ok(BotCommand::SimMessage {
                message: a.req("message")?.to_owned(),
                all_estates: a.flag("all_estates")?,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "parcel_info",
        aliases: &[],
        summary: "The parcel at a point of the bot's region (default: where it stands).",
        params: &[
            opt("x", "A point of the region (with `y`)."),
            opt("y", "A point of the region (with `x`)."),
            opt(
                "getvalue",
                "Answer only this one field (one of the outputs).",
            ),
        ],
        outputs: PARCEL_OUTPUTS,
        json_only: false,
        example: &[],
        parse: |a| {
            if let Some(g) = a.opt("getvalue")
                && !PARCEL_OUTPUTS.iter().any(|o| o.name == g)
            {
                return Err(invalid("getvalue", "not a field of parcel_info"));
            }
            Ok(BotCommand::ParcelInfo { at: point(a)? })
        },
        render: render_parcel,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "parcel_info_update",
        aliases: &[],
        summary: "Changes the parcel at a point (default: where the bot stands). The bot must own it, hold LandDeed in the owning group, or be an estate manager. Only the given fields change.",
        params: &[
            opt("x", "A point of the region (with `y`)."),
            opt("y", "A point of the region (with `x`)."),
            opt("name", "The parcel's name."),
            opt("description", "Its description (at most 255 characters)."),
            opt("musicurl", "The music stream URL (empty: none)."),
            opt("sale", "`on` or `off`: for sale."),
            opt("saleprice", "The price in L$."),
            opt(
                "sellto",
                "The only avatar who may buy it (UUID; the zero UUID: anyone).",
            ),
            opt("sellobjects", "`on` or `off`: objects go with the land."),
            opt("snapshot", "The snapshot texture UUID."),
            opt("landingpoint", "`X/Y/Z`."),
            opt("landingrouting", "`Direct`, `LandingPoint` or `None`."),
            opt(
                "flags",
                "The parcel's flags, comma-separated names as `parcel_info` shows them (they replace the old ones).",
            ),
        ],
        outputs: &[],
        json_only: false,
        example: &[
            ("name", "My Shop"),
            ("musicurl", "http://radio.example/stream"),
        ],
        parse: |a| {
            let change = grid::parcel::ParcelChange {
                name: a.opt("name").map(str::to_owned),
                description: a.raw("description").map(str::to_owned),
                music_url: a.raw("musicurl").map(str::to_owned),
                for_sale: a.opt_on_off("sale")?,
                sale_price: a
                    .opt("saleprice")
                    .map(|v| crate::args::whole_value::<i64>("saleprice", v))
                    .transpose()?,
                sell_to: a
                    .opt_uuid("sellto")?
                    .map(|u| (u != grid::NULL_KEY).then_some(u)),
                sell_objects: a.opt_on_off("sellobjects")?,
                snapshot: a.opt_uuid("snapshot")?,
                landing_point: a.raw("landingpoint").map(str::to_owned),
                landing_routing: a.opt("landingrouting").map(str::to_owned),
                flags: a
                    .raw("flags")
                    .map(|f| grid::parcel::ParcelFlags::parse(f).map_err(|e| invalid("flags", &e)))
                    .transpose()?,
            };
            Ok(BotCommand::ParcelUpdate {
                at: point(a)?,
                change,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "set_parcel_info",
        aliases: &[],
        summary: "The older form of `parcel_info_update`: one `entry` (a `parcel_info_update` parameter name) and its `value` per call.",
        params: &[
            opt("x", "A point of the region (with `y`)."),
            opt("y", "A point of the region (with `x`)."),
            req(
                "entry",
                "`name`, `description`, `musicurl`, `sale`, `saleprice`, `sellto`, `sellobjects`, `snapshot`, `landingpoint`, `landingrouting` or `flags`.",
            ),
            opt("value", "The new value (empty clears text fields)."),
        ],
        outputs: &[],
        json_only: false,
        example: &[("entry", "name"), ("value", "My Shop")],
        parse: |a| {
            let entry = a.req("entry")?.trim().to_ascii_lowercase();
            let value = a.raw("value").unwrap_or_default().to_owned();
            let uuid = |v: &str| {
                grid::Uuid::parse_str(v.trim()).map_err(|_| invalid("value", "expected a UUID"))
            };
            let mut change = grid::parcel::ParcelChange::default();
            match entry.as_str() {
                "name" => change.name = Some(value),
                "description" => change.description = Some(value),
                "musicurl" => change.music_url = Some(value),
                "sale" => change.for_sale = Some(crate::args::on_off_value("value", &value)?),
                "saleprice" => change.sale_price = Some(crate::args::whole_value("value", &value)?),
                "sellto" => {
                    let u = uuid(&value)?;
                    change.sell_to = Some((u != grid::NULL_KEY).then_some(u));
                }
                "sellobjects" => {
                    change.sell_objects = Some(crate::args::on_off_value("value", &value)?)
                }
                "snapshot" => change.snapshot = Some(uuid(&value)?),
                "landingpoint" => change.landing_point = Some(value),
                "landingrouting" => change.landing_routing = Some(value),
                "flags" => {
                    change.flags = Some(
                        grid::parcel::ParcelFlags::parse(&value)
                            .map_err(|e| invalid("value", &e))?,
                    )
                }
                _ => return Err(invalid("entry", "not a parcel field")),
            }
            Ok(BotCommand::ParcelUpdate {
                at: point(a)?,
                change,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "parcel_buy",
        aliases: &[],
        summary: "Buys the parcel at a point (default: where the bot stands) if it is for sale to the bot; the price goes to the owner (`balance_changed`, trx_type 5002). With `group`, it is bought for that group (the bot needs LandDeed there).",
        params: &[
            opt("x", "A point of the region (with `y`)."),
            opt("y", "A point of the region (with `x`)."),
            opt("group", "Buy for this group (UUID)."),
            opt(
                "remove_contribution",
                "Accepted and ignored (no land contributions).",
            ),
        ],
        outputs: &[],
        json_only: false,
        example: &[],
        parse: |a| {
            Ok(BotCommand::ParcelBuy {
                at: point(a)?,
                group: a.opt_uuid("group")?,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
];

/// The commands about objects.
pub static OBJECT_COMMANDS: &[CommandDef] = &[
    CommandDef {
        action: "touch_prim",
        aliases: &[],
        summary: "Touches an object within 32 m in the bot's region; it reacts as its behaviour says (a greeter shows a dialog, an inviter invites, a vendor or tip jar tells what it is).",
        params: &[req("uuid", "The object's UUID.")],
        outputs: &[],
        json_only: false,
        example: &[("uuid", crate::commands::EXAMPLE_UUID)],
        parse: |a| {
            Ok(BotCommand::TouchPrim {
                object: a.req_uuid("uuid")?,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "touch_prim_coord",
        aliases: &[],
        summary: "Touches the object nearest a point of the bot's region, within `precision` metres of it (and 32 m of the bot).",
        params: &[
            req("x", "Region coordinates of the object."),
            req("y", "Region coordinates of the object."),
            req("z", "Region coordinates of the object."),
            opt("precision", "Search radius in metres; default 0.5."),
        ],
        outputs: &[],
        json_only: false,
        example: &[("x", "128"), ("y", "128"), ("z", "25")],
        parse: |a| {
            let precision = match a.opt("precision") {
                Some(p) => p
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|p| p.is_finite() && *p > 0.0)
                    .ok_or_else(|| invalid("precision", "expected a positive number"))?,
                None => 0.5,
            };
            Ok(BotCommand::TouchPrimCoord {
                x: a.number("x")?,
                y: a.number("y")?,
                z: a.number("z")?,
                precision,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "sit",
        aliases: &[],
        summary: "Sits on an object with a sit target (a chair) within 32 m, or stands up (`NONE`). Teleporting or walking stands the bot up.",
        params: &[
            req("uuid", "The object's UUID, or `NONE` to stand up."),
            opt(
                "save",
                "Accepted; the bot does not sit again after a new login.",
            ),
        ],
        outputs: &[],
        json_only: false,
        example: &[("uuid", "NONE")],
        parse: |a| {
            let v = a.req("uuid")?;
            let object = if v.trim().eq_ignore_ascii_case("none") {
                None
            } else {
                Some(a.req_uuid("uuid")?)
            };
            a.flag("save")?;
            Ok(BotCommand::Sit { object })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "reply_dialog",
        aliases: &[],
        summary: "Presses a button of a dialog an object showed the bot (`script_dialog`); the object answers in local chat.",
        params: &[
            req("channel", "The dialog's channel, from the callback."),
            req("object", "The object's UUID, from the callback."),
            req("button", "The button's label."),
        ],
        outputs: &[],
        json_only: false,
        example: &[
            ("channel", "-1001"),
            ("object", crate::commands::EXAMPLE_UUID),
            ("button", "Info"),
        ],
        parse: |a| {
            Ok(BotCommand::ReplyDialog {
                channel: a.whole::<i32>("channel")?,
                object: a.req_uuid("object")?,
                button: a.req("button")?.to_owned(),
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "give_money_object",
        aliases: &[],
        summary: "Pays an object in the bot's region: its owner gets the money (`balance_changed`, trx_type 5008). A tip jar thanks the bot; a vendor takes only its price and gives its item (`offer_inventory`).",
        params: &[
            req("object_uuid", "The object's UUID."),
            req("amount", "L$."),
            opt(
                "object_name",
                "Accepted (needed by SmartBots before 2015); not checked.",
            ),
        ],
        outputs: &[],
        json_only: false,
        example: &[
            ("object_uuid", crate::commands::EXAMPLE_UUID),
            ("amount", "10"),
        ],
        parse: |a| {
            Ok(BotCommand::GiveMoneyObject {
                object: a.req_uuid("object_uuid")?,
                amount: a
                    .req("amount")?
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| invalid("amount", "expected a whole number of L$"))?,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
];

/// Attachments, taking objects, returning them.
pub static MORE_OBJECT_COMMANDS: &[CommandDef] = &[
    CommandDef {
        action: "attachments",
        aliases: &[],
        summary: "The objects the bot wears (worn inventory objects; the UUID is the inventory item's).",
        params: &[
            opt(
                "skipnames",
                "Leave out names containing this text (any case).",
            ),
            opt(
                "matchnames",
                "Keep only names containing this text (any case).",
            ),
            opt("matchuuid", "Keep only this UUID."),
        ],
        outputs: &[
            out("total", "How many the bot wears, before filtering."),
            out("attachments", "One line per attachment: `UUID Name`."),
        ],
        json_only: false,
        example: &[],
        parse: |a| {
            Ok(BotCommand::Attachments {
                filter: a.filter()?,
            })
        },
        render: |_, reply, f| {
            if let Reply::Attachments { total, worn } = reply {
                let lines: Vec<String> = worn.iter().map(|(u, n)| format!("{u} {n}")).collect();
                f.text("total", total.to_string())
                    .text("attachments", lines.join("\n"));
            }
        },
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "touch_attachment",
        aliases: &["attachment_touch"],
        summary: "Touches a worn object by its exact name (`OBJECT NOT FOUND` if none); `linkset` must be a link of its link set, 1 (the root) to its prim count (`LINK NOT FOUND`).",
        params: &[
            req("objectname", "The attachment's exact name."),
            opt("linkset", "The link number; the root is 1."),
        ],
        outputs: &[],
        json_only: false,
        example: &[("objectname", "HUD")],
        parse: |a| {
            Ok(BotCommand::TouchAttachment {
                name: a.req("objectname")?.to_owned(),
                link: a
                    .opt("linkset")
                    .map(|l| {
                        l.trim()
                            .parse::<u32>()
                            .map_err(|_| invalid("linkset", "expected a link number"))
                    })
                    .transpose()?,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "inworld_prim_take",
        aliases: &[],
        summary: "Takes an object of the bot's from its region into its inventory (`take`), or a copy (`copy`). As SmartBots documents, an object the bot does not own answers OK and nothing happens.",
        params: &[
            req("operation", "`take` or `copy`."),
            req("uuid", "The object's UUID."),
            opt("folder", "The folder; default Objects."),
        ],
        outputs: &[],
        json_only: false,
        example: &[
            ("operation", "copy"),
            ("uuid", crate::commands::EXAMPLE_UUID),
        ],
        parse: |a| {
            let copy = match a.req("operation")?.trim().to_ascii_lowercase().as_str() {
                "take" => false,
                "copy" => true,
                _ => return Err(invalid("operation", "expected take or copy")),
            };
            Ok(BotCommand::PrimTake {
                object: a.req_uuid("uuid")?,
                copy,
                folder: a.opt_uuid("folder")?,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "sim_return",
        aliases: &[],
        summary: "Estate manager: returns an avatar's objects in the bot's region (or, with `all_estates=1`, every region it manages) to that avatar's Lost And Found folder.",
        params: &[
            req("avatar", "The owner (UUID)."),
            opt("scripted", "`1`: only objects with a behaviour."),
            opt(
                "other",
                "Accepted: objects are returned wherever they stand.",
            ),
            opt("all_estates", "`1`: every region the bot manages."),
        ],
        outputs: &[],
        json_only: false,
        example: &[("avatar", crate::commands::EXAMPLE_UUID)],
        parse: |a| {
            a.flag("other")?;
            Ok(BotCommand::SimReturn {
                avatar: a.req_uuid("avatar")?,
                scripted_only: a.flag("scripted")?,
                all_estates: a.flag("all_estates")?,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
];

/// `x` and `y`, both or neither.
fn point(a: &Args<'_>) -> Result<Option<(f64, f64)>, Failure> {
    match (a.opt_number("x")?, a.opt_number("y")?) {
        (Some(x), Some(y)) => Ok(Some((x, y))),
        (None, None) => Ok(None),
        _ => Err(invalid("x", "give both x and y, or neither")),
    }
}

const PARCEL_OUTPUTS: &[crate::commands::OutputDef] = &[
    out("parcel_name", "The parcel's name (a botgrid addition)."),
    out("parcel_area", "Square metres."),
    out("parcel_claimdate", "When its owner got it (Unix seconds)."),
    out(
        "parcel_description",
        "Its description, URL-escaped (so escaped twice in a URL-encoded reply).",
    ),
    out(
        "parcel_group",
        "The group it is set to or owned by (the zero UUID: none).",
    ),
    out("parcel_groupowned", "`True` or `False`."),
    out(
        "parcel_groupprims",
        "Objects of the group on it (0: the grid has no rezzed objects yet).",
    ),
    out("parcel_maxprims", "How many objects it holds."),
    out("parcel_totalprims", "Objects on it (0 for now)."),
    out("parcel_musicurl", "The music stream URL."),
    out(
        "parcel_cleantime",
        "Minutes before others' objects are returned (0: never).",
    ),
    out(
        "parcel_owner",
        "The owning avatar or group (the zero UUID: the estate).",
    ),
    out(
        "parcel_ownerprims",
        "The owner's objects on it (0 for now).",
    ),
    out("parcel_saleprice", "The price in L$ (0 when not for sale)."),
    out("parcel_snapshot", "The snapshot texture UUID."),
    out("parcel_landingpoint", "`X/Y/Z`, empty for none."),
    out(
        "parcel_flags",
        "Comma-separated flag names (`AllowFly`, `ForSale`, …).",
    ),
];

fn render_parcel(a: &Args<'_>, reply: Reply, f: &mut crate::reply::Fields) {
    let Reply::Parcel(v) = reply else {
        return;
    };
    let p = &v.parcel;
    let all: Vec<(&'static str, String)> = vec![
        ("parcel_name", p.name.clone()),
        ("parcel_area", p.area().to_string()),
        ("parcel_claimdate", (p.claimed.0 / 1000).to_string()),
        ("parcel_description", crate::reply::escape(&p.description)),
        ("parcel_group", v.group.to_string()),
        (
            "parcel_groupowned",
            if matches!(p.owner, grid::parcel::LandOwner::Group(_)) {
                "True"
            } else {
                "False"
            }
            .into(),
        ),
        ("parcel_groupprims", "0".into()),
        ("parcel_maxprims", p.max_prims.to_string()),
        ("parcel_totalprims", "0".into()),
        ("parcel_musicurl", p.music_url.clone()),
        ("parcel_cleantime", "0".into()),
        ("parcel_owner", v.owner.to_string()),
        ("parcel_ownerprims", "0".into()),
        (
            "parcel_saleprice",
            if p.for_sale { p.sale_price } else { 0 }.to_string(),
        ),
        ("parcel_snapshot", p.snapshot.to_string()),
        ("parcel_landingpoint", p.landing_point.clone()),
        ("parcel_flags", p.shown_flags().names()),
    ];
    let only = a.opt("getvalue");
    for (k, v) in all {
        if only.is_none_or(|o| o == k) {
            f.text(k, v);
        }
    }
}
