//! The commands of `/api/bot.html`: parameters, outputs, parsing and rendering.
//!
//! This table is the single description of the API: dispatch reads it, the reference in
//! `docs/` is generated from it, and tests check every entry against the core.

pub use crate::args::Args;
use crate::callback;
use crate::errors::Failure;
use crate::reply::Fields;
use grid::callback::CallbackChange;
use grid::command::{AvatarSelector, BotCommand, Reply};
use grid::message::{TYPING_DEFAULT_SECS, TYPING_MAX_SECS};
use grid::{Error, LegacyName, Presence, RightsChange, StartLocation};
use serde_json::json;

/// A parameter of a command.
#[derive(Clone, Copy)]
pub struct ParamDef {
    pub name: &'static str,
    pub required: bool,
    pub doc: &'static str,
}

/// An output field of a command.
pub struct OutputDef {
    pub name: &'static str,
    pub doc: &'static str,
}

/// One command of the API.
pub struct CommandDef {
    pub action: &'static str,
    /// Other names accepted for the same command (older or newer spellings).
    pub aliases: &'static [&'static str],
    pub summary: &'static str,
    pub params: &'static [ParamDef],
    pub outputs: &'static [OutputDef],
    /// Only answers with `dataType=json`.
    pub json_only: bool,
    /// Parameters of a call that works on the demo world, for the docs and tests.
    pub example: &'static [(&'static str, &'static str)],
    pub parse: fn(&Args<'_>) -> Result<BotCommand, Failure>,
    pub render: fn(&Args<'_>, Reply, &mut Fields),
    /// Fields a failure reply still carries (name2key's `name`, `normalname`).
    pub on_error: Option<fn(&Args<'_>, &Error, &mut Fields)>,
    /// A botgrid command that SmartBots does not have.
    pub extension: bool,
}

pub(crate) const fn req(name: &'static str, doc: &'static str) -> ParamDef {
    ParamDef {
        name,
        required: true,
        doc,
    }
}

pub(crate) const fn opt(name: &'static str, doc: &'static str) -> ParamDef {
    ParamDef {
        name,
        required: false,
        doc,
    }
}

pub(crate) const fn out(name: &'static str, doc: &'static str) -> OutputDef {
    OutputDef { name, doc }
}

pub(crate) const NOSAFEHUB: ParamDef = opt(
    "nosafehub",
    "Accepted for compatibility and ignored: botgrid has no SafeHub filter.",
);
pub(crate) const FILTERS: [ParamDef; 3] = [
    opt(
        "skipnames",
        "Leave out entries whose name contains this text (any case).",
    ),
    opt(
        "matchnames",
        "Keep only entries whose name contains this text (any case).",
    ),
    opt("matchuuid", "Keep only the entry with this UUID."),
];

/// The UUID used in documentation examples.
pub const EXAMPLE_UUID: &str = "6f1f2c5e-3c2a-4c7e-9f0a-2b9d4e8a1c33";

pub(crate) fn render_nothing(_: &Args<'_>, _: Reply, _: &mut Fields) {}

/// The SmartBots spelling of a session state for `status`.
pub fn status_text(p: Presence) -> &'static str {
    match p {
        Presence::Online => "ONLINE",
        Presence::Connecting => "CONNECTING",
        // The status vocabulary has no "logging out": the bot is already unavailable.
        Presence::LoggedOut | Presence::LoggingOut => "LOGGED OUT",
    }
}

/// Every command, in the order of the reference.
pub static COMMANDS: &[CommandDef] = &[
    CommandDef {
        action: "status",
        aliases: &[],
        summary: "Reports the bot's session state. Works while the bot is offline.",
        params: &[],
        outputs: &[
            out("status", "`ONLINE`, `CONNECTING` or `LOGGED OUT`."),
            out("online", "`1` when online, else `0`."),
            out("slname", "The bot's name, `First Last`."),
            out("uuid", "The bot's avatar UUID."),
            out("location", "`Region/X/Y/Z`, empty when unknown."),
        ],
        json_only: false,
        example: &[],
        parse: |_| Ok(BotCommand::Status),
        render: |_, reply, f| {
            if let Reply::Status(s) = reply {
                f.text("status", status_text(s.presence))
                    .flag("online", s.presence.is_online())
                    .text("slname", s.name.to_string())
                    .text("uuid", s.uuid.to_string())
                    .text("location", s.location.unwrap_or_default());
            }
        },
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "login",
        aliases: &[],
        summary: "Starts the login sequence and answers OK at once, also when the bot is already online. The state moves CONNECTING → ONLINE shortly after; follow it with `status` or the `online_status` callback. Direct messages and offers that arrived while the bot was away are delivered once it is ONLINE.",
        params: &[
            opt(
                "location",
                "Start location `Region/X/Y/Z` or `HOME`. A place also becomes the bot's stored base location.",
            ),
            opt(
                "siton",
                "UUID of an object to sit on after login. Accepted; objects come with the world (later release).",
            ),
        ],
        outputs: &[],
        json_only: false,
        example: &[],
        parse: |a| {
            let location = a
                .opt("location")
                .map(|l| {
                    StartLocation::parse(l).map_err(|e| Failure::Invalid {
                        name: "location",
                        reason: e.0.into(),
                    })
                })
                .transpose()?;
            a.opt_uuid("siton")?;
            Ok(BotCommand::Login { location })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "logout",
        aliases: &[],
        summary: "Starts the logout sequence and answers OK at once. The state moves LOGGING_OUT → LOGGED_OUT shortly after.",
        params: &[],
        outputs: &[],
        json_only: false,
        example: &[],
        parse: |_| Ok(BotCommand::Logout),
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "set_http_callback",
        aliases: &[],
        summary: "Registers (or removes) a URL that receives the bot's events as HTTP POSTs. A bot may register up to 10 URLs; each gets its own stream, in order, signed (Standard Webhooks headers, which SmartBots-style receivers may ignore) and retried with backoff for up to 3 days (see docs/callbacks.md). Works while the bot is offline.",
        params: &[
            req(
                "url",
                "Absolute http(s) URL. An empty value removes every registration of the bot.",
            ),
            req(
                "events",
                "Comma-separated event names, or `all` (all events, including ones added later).",
            ),
            opt(
                "operation",
                "`add` (default): register the URL or add events to it. `remove`: stop sending these events to it.",
            ),
        ],
        outputs: &[out(
            "webhook_secret",
            "Only when a new URL was registered: the `whsec_…` secret its POSTs are signed with (Standard Webhooks `webhook-signature`). Shown this once; keep it.",
        )],
        json_only: false,
        example: &[
            ("url", "http://127.0.0.1:8080/botgrid"),
            ("events", "instant_message,online_status"),
        ],
        parse: parse_set_callback,
        render: |_, reply, f| {
            if let Reply::CallbackAdded { signing_secret } = reply {
                f.text("webhook_secret", signing_secret);
            }
        },
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "im",
        aliases: &[],
        summary: "Sends an instant message. To an offline avatar it is stored and delivered when the avatar comes online.",
        params: &[
            req(
                "slname",
                "Recipient: legacy name (`First Last`, `First` alone means `First Resident`) or avatar UUID.",
            ),
            req("message", "The text, at most 1023 bytes of UTF-8."),
            NOSAFEHUB,
        ],
        outputs: &[],
        json_only: false,
        example: &[
            ("slname", "Sam Resident"),
            ("message", "Hello from botgrid!"),
        ],
        parse: |a| {
            let to = AvatarSelector::parse(a.req("slname")?).map_err(|e| Failure::Invalid {
                name: "slname",
                reason: e.0.into(),
            })?;
            Ok(BotCommand::Im {
                to,
                message: a.req("message")?.to_owned(),
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "typing_start",
        aliases: &[],
        summary: "Shows \"typing…\" in the IM session with an avatar. An offline avatar does not get it.",
        params: &[
            req("uuid", "The avatar to show it to."),
            opt(
                "delay",
                "Seconds until it stops by itself, 1 to 3600; default 15.",
            ),
        ],
        outputs: &[],
        json_only: false,
        example: &[("uuid", EXAMPLE_UUID)],
        parse: |a| {
            Ok(BotCommand::TypingStart {
                to: a.req_uuid("uuid")?,
                seconds: a
                    .opt_u32("delay", 1, TYPING_MAX_SECS)?
                    .unwrap_or(TYPING_DEFAULT_SECS),
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "typing_stop",
        aliases: &[],
        summary: "Stops showing \"typing…\".",
        params: &[req("uuid", "The avatar.")],
        outputs: &[],
        json_only: false,
        example: &[("uuid", EXAMPLE_UUID)],
        parse: |a| {
            Ok(BotCommand::TypingStop {
                to: a.req_uuid("uuid")?,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "offer_friendship",
        aliases: &[],
        summary: "Offers friendship. The answer arrives as an `offer_friendship_accepted` or `offer_friendship_declined` callback. If the avatar had already offered friendship to the bot, this accepts that offer.",
        params: &[
            req("avatar", "The avatar's UUID."),
            opt("message", "Text sent with the offer, at most 1023 bytes."),
            NOSAFEHUB,
        ],
        outputs: &[],
        json_only: false,
        example: &[("avatar", EXAMPLE_UUID), ("message", "Be my friend?")],
        parse: |a| {
            Ok(BotCommand::OfferFriendship {
                to: a.req_uuid("avatar")?,
                message: a.opt("message").unwrap_or_default().to_owned(),
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "friendship_offer_accept",
        aliases: &[],
        summary: "Answers a friendship offer received with the `offer_friendship` callback.",
        params: &[
            req(
                "avatar_uuid",
                "The avatar that made the offer (from the callback).",
            ),
            req("session_id", "The offer's session (from the callback)."),
            opt("accept", "`1` accepts; missing, empty or `0` declines."),
        ],
        outputs: &[],
        json_only: false,
        example: &[
            ("avatar_uuid", EXAMPLE_UUID),
            ("session_id", EXAMPLE_UUID),
            ("accept", "1"),
        ],
        parse: |a| {
            Ok(BotCommand::AnswerFriendship {
                from: a.req_uuid("avatar_uuid")?,
                session: a.req_uuid("session_id")?,
                accept: a.flag("accept")?,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "cancel_friendship",
        aliases: &[],
        summary: "Ends a friendship, or withdraws the bot's unanswered offer to that avatar.",
        params: &[req("slkey", "The friend's UUID.")],
        outputs: &[],
        json_only: false,
        example: &[("slkey", EXAMPLE_UUID)],
        parse: |a| {
            Ok(BotCommand::CancelFriendship {
                friend: a.req_uuid("slkey")?,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "edit_friendship",
        aliases: &[],
        summary: "Changes the rights the bot grants a friend. Give at least one right; the others stay as they are.",
        params: &[
            req("slkey", "The friend's UUID."),
            opt(
                "see_online",
                "`1`/`0`: the friend may see when the bot is online.",
            ),
            opt(
                "see_on_map",
                "`1`/`0`: the friend may see the bot on the map.",
            ),
            opt(
                "can_edit",
                "`1`/`0`: the friend may modify the bot's objects.",
            ),
        ],
        outputs: &[],
        json_only: false,
        example: &[("slkey", EXAMPLE_UUID), ("see_on_map", "1")],
        parse: |a| {
            let change = RightsChange {
                see_online: a.opt_flag("see_online")?,
                see_on_map: a.opt_flag("see_on_map")?,
                modify_objects: a.opt_flag("can_edit")?,
            };
            Ok(BotCommand::EditFriendship {
                friend: a.req_uuid("slkey")?,
                change,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "friends",
        aliases: &[],
        summary: "Lists the bot's friends, sorted by name.",
        params: &[],
        outputs: &[out(
            "friends",
            "JSON array of `{slname, uuid, online, theirRights, myRights}`; rights are `{canSeeOnline, canSeeOnMap, canModifyObjects}`. `online` is true only when the friend lets the bot see it.",
        )],
        json_only: true,
        example: &[],
        parse: |_| Ok(BotCommand::Friends),
        render: |_, reply, f| {
            if let Reply::Friends(friends) = reply {
                let rights = |r: grid::Rights| json!({"canSeeOnline": r.see_online, "canSeeOnMap": r.see_on_map, "canModifyObjects": r.modify_objects});
                let list: Vec<_> = friends
                    .into_iter()
                    .map(|fr| {
                        json!({
                            "slname": fr.avatar.name,
                            "uuid": fr.avatar.uuid.to_string(),
                            "online": fr.online,
                            "theirRights": rights(fr.their_rights),
                            "myRights": rights(fr.my_rights),
                        })
                    })
                    .collect();
                f.json("friends", serde_json::Value::Array(list));
            }
        },
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "key2name",
        aliases: &[],
        summary: "Looks up an avatar's name by UUID.",
        params: &[
            req("key", "The avatar's UUID."),
            opt(
                "request_case",
                "`1`: the name in its proper letter case; otherwise lower case.",
            ),
        ],
        outputs: &[
            out("key", "The UUID asked for."),
            out(
                "name",
                "`first last` (or `First Last` with `request_case=1`).",
            ),
        ],
        json_only: false,
        example: &[("key", EXAMPLE_UUID), ("request_case", "1")],
        parse: |a| {
            a.flag("request_case")?;
            Ok(BotCommand::KeyToName {
                key: a.req_uuid("key")?,
            })
        },
        render: |a, reply, f| {
            if let Reply::Name { key, name } = reply {
                let proper = a.flag("request_case").unwrap_or(false);
                let name = if proper { name.to_string() } else { name.key() };
                f.text("key", key.to_string()).text("name", name);
            }
        },
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "name2key",
        aliases: &[],
        summary: "Looks up an avatar's UUID by name. On failure the reply still carries `name` and `normalname`.",
        params: &[
            req(
                "name",
                "`First Last`; `First` alone means `First Resident`; `first.last` also works. Any case.",
            ),
            opt(
                "request_case",
                "`1`: `normalname` in the avatar's proper letter case.",
            ),
        ],
        outputs: &[
            out("key", "The avatar's UUID."),
            out("name", "The name as asked."),
            out(
                "normalname",
                "The normalised `First Last` (proper case with `request_case=1`).",
            ),
        ],
        json_only: false,
        example: &[("name", "sam")],
        parse: |a| {
            a.flag("request_case")?;
            let asked = a.req("name")?;
            let name = LegacyName::parse(asked).map_err(|_| Error::NameNotFound {
                normalized: asked.trim().to_owned(),
            })?;
            Ok(BotCommand::NameToKey { name })
        },
        render: |a, reply, f| {
            if let Reply::Key { key, name } = reply {
                let proper = a.flag("request_case").unwrap_or(false);
                let normal = if proper {
                    name.to_string()
                } else {
                    asked_normal(a)
                };
                f.text("key", key.to_string())
                    .text("name", a.opt("name").unwrap_or_default().trim())
                    .text("normalname", normal);
            }
        },
        on_error: Some(|a, _, f| {
            f.text("name", a.opt("name").unwrap_or_default().trim())
                .text("normalname", asked_normal(a));
        }),
        extension: false,
    },
    CommandDef {
        action: "avatar_info",
        aliases: &[],
        summary: "Reads an avatar's profile.",
        params: &[req("avatar", "The avatar's UUID.")],
        outputs: &[
            out("about", "Profile text."),
            out("born", "Date the avatar was created, `MM/DD/YYYY`."),
            out(
                "identified",
                "`1` when payment identity is on file (always `0` for now).",
            ),
            out("image", "Profile image UUID (zero UUID when none)."),
            out("first_life_image", "First-life image UUID."),
            out("first_life_text", "First-life text."),
            out("mature", "`1` for a mature profile."),
            out(
                "online",
                "`1` when online and the avatar lets the bot see that (itself, or a friend granting see-online).",
            ),
            out("partner", "Partner's UUID (zero UUID when none)."),
            out(
                "publish_web",
                "`1` when the profile is published on the web.",
            ),
            out(
                "transacted",
                "`1` when the avatar has used payment info (always `0` for now).",
            ),
            out("url", "Profile web URL."),
        ],
        json_only: false,
        example: &[("avatar", EXAMPLE_UUID)],
        parse: |a| {
            Ok(BotCommand::AvatarInfo {
                avatar: a.req_uuid("avatar")?,
            })
        },
        render: |_, reply, f| {
            if let Reply::Profile(p) = reply {
                f.text("about", p.about)
                    .text("born", p.born.us_date())
                    .flag("identified", p.identified)
                    .text("image", p.image.to_string())
                    .text("first_life_image", p.first_life_image.to_string())
                    .text("first_life_text", p.first_life_text)
                    .flag("mature", p.mature)
                    .flag("online", p.online)
                    .text("partner", p.partner.to_string())
                    .flag("publish_web", p.publish_web)
                    .flag("transacted", p.transacted)
                    .text("url", p.url);
            }
        },
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "avatar_picks",
        aliases: &[],
        summary: "Lists an avatar's profile picks.",
        params: &[
            req("avatar", "The avatar's UUID."),
            FILTERS[0],
            FILTERS[1],
            FILTERS[2],
        ],
        outputs: &[
            out("total", "Number of picks before filtering."),
            out("picks", "One line per pick: `UUID name`."),
        ],
        json_only: false,
        example: &[("avatar", EXAMPLE_UUID)],
        parse: |a| {
            Ok(BotCommand::AvatarPicks {
                avatar: a.req_uuid("avatar")?,
                filter: a.filter()?,
            })
        },
        render: |_, reply, f| {
            if let Reply::Picks { total, picks } = reply {
                let lines: Vec<String> = picks
                    .iter()
                    .map(|p| format!("{} {}", p.uuid, p.name))
                    .collect();
                f.text("total", total.to_string())
                    .text("picks", lines.join("\n"));
            }
        },
        on_error: None,
        extension: false,
    },
];

fn asked_normal(a: &Args<'_>) -> String {
    let asked = a.opt("name").unwrap_or_default();
    LegacyName::parse(asked)
        .map(|n| n.capitalized().to_string())
        .unwrap_or_else(|_| asked.trim().to_owned())
}

fn parse_set_callback(a: &Args<'_>) -> Result<BotCommand, Failure> {
    let url = a.raw("url").ok_or(Failure::Missing("url"))?.trim();
    let remove = match a.opt("operation").map(|o| o.trim().to_ascii_lowercase()) {
        None => false,
        Some(o) if o == "add" => false,
        Some(o) if o == "remove" => true,
        Some(_) => {
            return Err(Failure::Invalid {
                name: "operation",
                reason: "expected add or remove".into(),
            });
        }
    };
    if url.is_empty() {
        return Ok(BotCommand::SetCallback(CallbackChange::Clear));
    }
    let events = callback::parse_selection(a.req("events")?)?;
    let url = url.to_owned();
    Ok(BotCommand::SetCallback(if remove {
        CallbackChange::Remove {
            url,
            events,
            every: callback::EVENTS.iter().map(|e| e.name.to_owned()).collect(),
        }
    } else {
        CallbackChange::Add { url, events }
    }))
}

/// Every command: the foundation's, the groups' and the world's.
pub fn all() -> impl Iterator<Item = &'static CommandDef> {
    COMMANDS
        .iter()
        .chain(crate::group_commands::GROUP_COMMANDS.iter())
        .chain(crate::inventory_commands::INVENTORY_COMMANDS.iter())
        .chain(crate::money_commands::MONEY_COMMANDS.iter())
        .chain(crate::place_commands::PLACE_COMMANDS.iter())
        .chain(crate::place_commands::OBJECT_COMMANDS.iter())
        .chain(crate::place_commands::MORE_OBJECT_COMMANDS.iter())
        .chain(crate::feed::FEED_COMMANDS.iter())
}

/// Finds a command by its action name or an alias, ignoring case.
pub fn find(action: &str) -> Option<&'static CommandDef> {
    let action = action.trim();
    all().find(|c| {
        c.action.eq_ignore_ascii_case(action)
            || c.aliases.iter().any(|a| a.eq_ignore_ascii_case(action))
    })
}
