//! The SmartBots Bot HTTP API face of botgrid.
//!
//! `/api/bot.html` takes `action=…&apikey=…&botname=…&secret=…` over GET or POST and
//! answers `result=OK|FAIL&…`, URL-encoded or (with `dataType=json`) as JSON, always with
//! HTTP 200 as SmartBots does. This crate only translates: parameters into
//! [`grid::command::BotCommand`]s, replies and errors into SmartBots text, events into
//! callback payloads ([`callback::render`]). The rules are the engine's.

pub mod args;
pub mod callback;
pub mod commands;
pub mod docs;
pub mod errors;
pub mod feed;
pub mod group_commands;
mod http;
pub mod inventory_commands;
pub mod money_commands;
pub mod params;
pub mod place_commands;
pub mod reply;
pub mod simple;

use axum::Router;
use axum::routing::any;
use engine::Engine;

/// The routes of this face: `/api/bot.html` and `/api/simple.html`.
pub fn router(engine: Engine) -> Router {
    Router::new()
        .route("/api/bot.html", any(http::bot_api))
        .route("/api/simple.html", any(simple::simple_api))
        .with_state(engine)
}
