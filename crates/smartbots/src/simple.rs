//! The Simple Groups API: `/api/simple.html`.
//!
//! A group's owner, who holds only the group's security code, has the group's serving
//! bot invite, eject and chat. Requests take `action`, `apikey`, `group` (its name) and
//! `secret` (the code) or `secret_sha1` (its SHA-1, hex). Replies are plain text: `OK`,
//! or the reason (`ACCESS DENIED` for any credential problem); `set_http_callback`
//! answers JSON.

use crate::args::Args;
use crate::errors::Failure;
use crate::reply::{Fields, Format};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use engine::{Engine, GroupCommand, GroupCredentials, GroupReply, GroupSecret};
use grid::callback::{Callback, CallbackScope};
use grid::{Error, Event, StoredEvent};

/// The text every credential failure answers, as SmartBots does.
pub const ACCESS_DENIED: &str = "ACCESS DENIED";

/// A Simple Groups action.
pub struct ActionDef {
    pub action: &'static str,
    pub summary: &'static str,
    pub params: &'static [(&'static str, bool, &'static str)],
}

/// The actions, for the reference.
pub static ACTIONS: &[ActionDef] = &[
    ActionDef {
        action: "invite",
        summary: "The serving bot invites an avatar into the group (it needs the Invite power and must be online).",
        params: &[
            ("slkey", true, "The avatar's UUID."),
            ("role", false, "Role name (any case); default Everyone."),
            ("message", false, "Text sent with the invitation."),
            (
                "force",
                false,
                "`1`: invite members too (into the role); otherwise a member is refused.",
            ),
            (
                "cooldown",
                false,
                "Seconds (at most 86400): refuse if the avatar was invited this recently.",
            ),
            (
                "location",
                false,
                "`REGION/X/Y/Z`, kept with the invitation for statistics.",
            ),
            (
                "misc",
                false,
                "Tag of at most 60 characters, kept with the invitation.",
            ),
        ],
    },
    ActionDef {
        action: "eject",
        summary: "The serving bot ejects a member (Eject power; online).",
        params: &[
            ("slkey", true, "The member's UUID."),
            (
                "message",
                false,
                "An IM the serving bot sends the ejected avatar.",
            ),
        ],
    },
    ActionDef {
        action: "send_group_im",
        summary: "The serving bot says something in group chat (JoinChat power); queued while it is offline.",
        params: &[("message", true, "The text, at most 1023 bytes.")],
    },
    ActionDef {
        action: "set_http_callback",
        summary: "Registers the URL an application receives the group's chat at (`group_chat`), one URL per `app_uuid`; it first gets `callback_set`, and `callback_removed` when replaced, removed (empty `url`) or when the security code changes. Answers JSON: `result`, `resulttext`, `group_uuid`, `group_id`, and `webhook_secret`: the `whsec_…` secret the registration's POSTs are signed with (shown this once).",
        params: &[
            ("app_uuid", true, "The application's own identifier."),
            ("app_name", false, "The application's name."),
            (
                "url",
                true,
                "Absolute http(s) URL; empty removes the application's registration.",
            ),
        ],
    },
];

pub(crate) async fn simple_api(
    State(engine): State<Engine>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let crate::http::Request { params, failure } =
        crate::http::read_request(&method, &uri, &headers, body).await;
    let args = Args::new(&params);
    let json_reply = params
        .get("action")
        .is_some_and(|a| a.trim().eq_ignore_ascii_case("set_http_callback"));
    let outcome = match failure {
        Some(f) => Err(f),
        None => run(&engine, &args).await,
    };
    // The Simple Groups API has a handful of actions; anything else counts as unknown.
    let action = params.get("action").map(|a| a.trim().to_ascii_lowercase());
    let command: &'static str = match action.as_deref() {
        Some("invite") => "invite",
        Some("eject") => "eject",
        Some("send_group_im") => "send_group_im",
        Some("set_http_callback") => "set_http_callback",
        _ => "unknown",
    };
    telemetry::count(
        "botgrid_requests_total",
        &[("api", "simple"), ("command", command)],
    );
    if let Err(f) = &outcome {
        telemetry::count(
            "botgrid_request_errors_total",
            &[("api", "simple"), ("kind", f.kind())],
        );
        if f.kind() == "Throttled" {
            telemetry::count("botgrid_throttled_total", &[("api", "simple")]);
        }
    }
    let status = if matches!(outcome, Err(Failure::Method)) {
        StatusCode::METHOD_NOT_ALLOWED
    } else {
        StatusCode::OK
    };
    let (content_type, text) = if json_reply {
        let mut f = Fields::default();
        match &outcome {
            Ok(GroupReply::Callback {
                group_uuid,
                group_id,
                signing_secret,
            }) => {
                f.text("result", "OK")
                    .text("resulttext", "")
                    .text("group_uuid", group_uuid.to_string())
                    .text("group_id", group_id.0.to_string());
                if let Some(secret) = signing_secret {
                    f.text("webhook_secret", secret.as_str());
                }
            }
            Ok(GroupReply::Done) => {
                f.text("result", "OK").text("resulttext", "");
            }
            Err(e) => {
                f.text("result", "FAIL").text("resulttext", reason(e));
            }
        }
        ("application/json", f.encode(Format::Json))
    } else {
        let text = match &outcome {
            Ok(_) => "OK".to_owned(),
            Err(e) => reason(e),
        };
        ("text/plain; charset=utf-8", text)
    };
    let mut response = (status, text).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Err(Failure::Grid(Error::Throttled { retry_after_ms })) = &outcome {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(retry_after_ms.div_ceil(1000).max(1)),
        );
    }
    response
}

/// The reply text of a failure: credential problems are all `ACCESS DENIED`.
pub fn reason(failure: &Failure) -> String {
    match failure {
        Failure::Grid(Error::InvalidApiKey | Error::InvalidSecret) => ACCESS_DENIED.to_owned(),
        other => other.text(),
    }
}

async fn run(engine: &Engine, a: &Args<'_>) -> Result<GroupReply, Failure> {
    let action = a.req("action")?.trim().to_ascii_lowercase();
    let creds = GroupCredentials {
        apikey: a.req("apikey")?.to_owned(),
        group: a.req("group")?.to_owned(),
        secret: match (a.opt("secret"), a.opt("secret_sha1")) {
            (Some(code), _) => GroupSecret::Code(code.to_owned()),
            (None, Some(sha1)) => GroupSecret::Sha1(sha1.to_owned()),
            (None, None) => return Err(Failure::Missing("secret")),
        },
    };
    let command = match action.as_str() {
        "invite" => GroupCommand::Invite {
            avatar: a.req_uuid("slkey")?,
            role: a.opt("role").map(str::to_owned),
            message: a.opt("message").unwrap_or_default().to_owned(),
            force: a.flag("force")?,
            cooldown_secs: a
                .opt_u32("cooldown", 0, engine::GROUP_MAX_COOLDOWN_SECS)?
                .unwrap_or(0),
            location: a.opt("location").map(str::to_owned),
            misc: a.opt("misc").map(str::to_owned),
        },
        "eject" => GroupCommand::Eject {
            avatar: a.req_uuid("slkey")?,
            message: a.opt("message").unwrap_or_default().to_owned(),
        },
        "send_group_im" => GroupCommand::SendGroupMessage {
            message: a.req("message")?.to_owned(),
        },
        "set_http_callback" => GroupCommand::SetCallback {
            app_uuid: a.req("app_uuid")?.to_owned(),
            app_name: a.opt("app_name").unwrap_or_default().to_owned(),
            url: a.raw("url").ok_or(Failure::Missing("url"))?.to_owned(),
        },
        _ => return Err(Failure::UnknownAction(action)),
    };
    engine
        .group_command(&creds, command)
        .await
        .map_err(Failure::Grid)
}

/// The body POSTed to a group's registration, or `None` when the event is not for it.
pub fn render_callback(callback: &Callback, stored: &StoredEvent) -> Option<String> {
    let CallbackScope::Group {
        group,
        app_uuid,
        app_name,
    } = &callback.scope
    else {
        return None;
    };
    let mut f = Fields::default();
    let action = match &stored.event {
        Event::GroupMessage { group: g, .. } if g.id == group.id => "group_chat",
        Event::CallbackSet { callback: id, .. } if *id == callback.id => "callback_set",
        Event::CallbackRemoved { callback: id, .. } if *id == callback.id => "callback_removed",
        _ => return None,
    };
    f.text("action", action)
        .text("group_uuid", group.uuid.to_string())
        .text("group_name", group.name.clone())
        .text("app_uuid", app_uuid.clone())
        .text("app_name", app_name.clone())
        .text("cid", callback.id.to_string())
        .text("event_id", stored.id.to_string())
        .text("event_time", stored.at.iso8601());
    if let Event::GroupMessage {
        post, from, text, ..
    } = &stored.event
    {
        f.text("speaker_name", from.name.clone())
            .text("speaker_uuid", from.uuid.to_string())
            .text("message", text.clone())
            .text(
                "message_id",
                post.map(|p| p.0.to_string()).unwrap_or_default(),
            );
    }
    Some(f.encode(Format::Url))
}
