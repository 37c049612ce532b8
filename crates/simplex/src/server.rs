//! The WebSocket listener: authentication, framing, and one worker per connection that
//! answers its commands in order.

use crate::errors::ChatError;
use crate::session::{Grant, Reply, Session, Shared};
use crate::types::Links;
use crate::types::Resp;
use axum::Router;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use engine::Engine;
use futures_util::stream::FuturesOrdered;
use futures_util::{SinkExt, StreamExt};
use grid::secret::Digest;
use serde_json::Value;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use tokio::sync::mpsc;

/// The version `/v` reports by default: a 7.0 core, as `simploxide-client` requires.
pub const DEFAULT_VERSION: &str = "7.0.0.0";

/// Largest frame accepted (profile images travel inside commands).
pub const MAX_FRAME: usize = 4 * 1024 * 1024;

/// Commands a connection may have waiting; a client that sends faster waits.
const COMMAND_QUEUE: usize = 64;

/// Commands of one connection whose answers may wait for their commits at once.
const MAX_IN_FLIGHT: usize = 32;

/// Frames waiting for a slow client; events wait for room rather than pile up.
const OUT_QUEUE: usize = 1024;

/// How the listener behaves.
#[derive(Clone, Debug)]
pub struct Config {
    /// The operator's token: a connection presenting it may drive every chat user and
    /// create new ones.
    pub token: Option<String>,
    /// Refuse connections without a token (whenever the listener is not on loopback).
    pub require_token: bool,
    /// What `/v` reports.
    pub version: String,
    /// `https://host` of the links handed out.
    pub link_base: String,
    /// The folder clients' file paths point into; `None`: files cannot be sent or
    /// received.
    pub files: Option<crate::FilesFolder>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            token: None,
            require_token: false,
            version: DEFAULT_VERSION.into(),
            link_base: "https://botgrid.localhost".into(),
            files: None,
        }
    }
}

#[derive(Clone)]
struct AppState {
    engine: Engine,
    shared: Arc<Shared>,
    token: Option<Digest>,
    require_token: bool,
}

/// The router: a WebSocket upgrade on every path.
pub fn router(engine: Engine, config: Config) -> Router {
    let state = AppState {
        engine,
        shared: Arc::new(Shared {
            links: Links {
                base: config.link_base.trim_end_matches('/').to_owned(),
            },
            version: config.version,
            files: config.files,
        }),
        token: config.token.as_deref().map(Digest::of),
        require_token: config.require_token,
    };
    Router::new().fallback(upgrade).with_state(state)
}

fn presented_token(headers: &HeaderMap, query: &HashMap<String, String>) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned())
        .or_else(|| query.get("token").cloned())
}

async fn upgrade(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let Ok(ws) = ws else {
        return (
            StatusCode::UPGRADE_REQUIRED,
            "botgrid's SimpleX bot API: connect with a WebSocket\n",
        )
            .into_response();
    };
    let grant = match presented_token(&headers, &query) {
        Some(token) => {
            let digest = Digest::of(&token);
            if state.token.as_ref().is_some_and(|t| t.ct_eq(&digest)) {
                Grant::Open
            } else {
                match state.engine.bot_for_token(&token).await {
                    Ok(Some(bot)) => Grant::Bot(bot),
                    Ok(None) => {
                        return (StatusCode::UNAUTHORIZED, "unknown token\n").into_response();
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "cannot check a WebSocket token");
                        return StatusCode::SERVICE_UNAVAILABLE.into_response();
                    }
                }
            }
        }
        None if state.require_token => {
            return (StatusCode::UNAUTHORIZED, "a token is required\n").into_response();
        }
        None => Grant::Open,
    };
    ws.max_message_size(MAX_FRAME)
        .max_frame_size(MAX_FRAME)
        .on_upgrade(move |socket| connection(socket, state, grant))
}

/// Reads an envelope: `Ok((corrId, cmd))`, or `Err` for a frame to answer without one.
fn envelope(text: &str) -> Result<(Value, String), ()> {
    let v: Value = serde_json::from_str(text).map_err(|_| ())?;
    let corr = v.get("corrId").filter(|c| c.is_string() || c.is_number());
    let cmd = v.get("cmd").and_then(Value::as_str);
    match (corr, cmd) {
        (Some(c), Some(cmd)) => Ok((c.clone(), cmd.to_owned())),
        _ => Err(()),
    }
}

type Answering = Pin<Box<dyn Future<Output = (Value, Resp)> + Send>>;

/// Runs a connection's commands in order and answers them in order. A command that
/// [pipelines](crate::command::Command::pipelines) is answered when its write commits,
/// while the next commands start; any other command first waits for those answers.
async fn run_commands(
    session: &mut Session,
    mut queue: mpsc::Receiver<(Value, String)>,
    out: &mpsc::Sender<String>,
) {
    let mut in_flight: FuturesOrdered<Answering> = FuturesOrdered::new();
    let send = |corr: Value, resp: Resp| {
        let frame = crate::types::frame(Some(&corr), &resp);
        out.send(frame)
    };
    loop {
        tokio::select! {
            Some((corr, resp)) = in_flight.next(), if !in_flight.is_empty() => {
                if send(corr, resp).await.is_err() {
                    return;
                }
            }
            job = queue.recv(), if in_flight.len() < MAX_IN_FLIGHT => {
                let Some((corr, text)) = job else { break };
                let parsed = crate::command::parse(&text);
                let command = parsed.as_ref().map_or("unparsed", |c| c.api_name());
                telemetry::count("botgrid_requests_total", &[("api", "simplex"), ("command", command)]);
                let started = std::time::Instant::now();
                if !matches!(&parsed, Ok(c) if c.pipelines()) {
                    while let Some((corr, resp)) = in_flight.next().await {
                        if send(corr, resp).await.is_err() {
                            return;
                        }
                    }
                }
                match session.start(parsed).await {
                    Reply::Now(resp) if in_flight.is_empty() => {
                        measure(command, started, &resp);
                        if send(corr, resp).await.is_err() {
                            return;
                        }
                    }
                    Reply::Now(resp) => {
                        measure(command, started, &resp);
                        in_flight.push_back(Box::pin(async move { (corr, resp) }))
                    }
                    Reply::Later(answer) => in_flight.push_back(Box::pin(async move {
                        let resp = answer.await;
                        measure(command, started, &resp);
                        (corr, resp)
                    })),
                }
            }
        }
    }
    while let Some((corr, resp)) = in_flight.next().await {
        if send(corr, resp).await.is_err() {
            return;
        }
    }
}

/// Notes a command's latency and, for a `chatCmdError`, its kind: the error's type and
/// the type of its detail (`error/commandError`, `errorStore/contactNotFound`), both
/// from botgrid's fixed set.
fn measure(command: &'static str, started: std::time::Instant, resp: &Resp) {
    telemetry::observe(
        "botgrid_command_seconds",
        &[("api", "simplex"), ("command", command)],
        started.elapsed(),
    );
    let Resp::Json(v) = resp else { return };
    if v["type"] != "chatCmdError" {
        return;
    }
    let error = &v["chatError"];
    let outer = error["type"].as_str().unwrap_or("unknown");
    let inner = error
        .as_object()
        .and_then(|o| o.iter().find(|(k, _)| k.as_str() != "type"))
        .and_then(|(_, detail)| detail["type"].as_str())
        .unwrap_or("");
    telemetry::count(
        "botgrid_request_errors_total",
        &[("api", "simplex"), ("kind", &format!("{outer}/{inner}"))],
    );
}

/// Keeps the open-sessions gauge right however a connection ends.
struct SessionGauge;

impl SessionGauge {
    fn open() -> SessionGauge {
        telemetry::add("botgrid_websocket_sessions", &[], 1);
        SessionGauge
    }
}

impl Drop for SessionGauge {
    fn drop(&mut self) {
        telemetry::add("botgrid_websocket_sessions", &[], -1);
    }
}

async fn connection(socket: WebSocket, state: AppState, grant: Grant) {
    let _gauge = SessionGauge::open();
    let (mut sink, mut stream) = socket.split();
    let (out, mut outgoing) = mpsc::channel::<String>(OUT_QUEUE);
    let writer = tokio::spawn(async move {
        // Frames already waiting go out with one flush (one write to the socket).
        'frames: while let Some(frame) = outgoing.recv().await {
            let mut next = Some(frame);
            while let Some(frame) = next {
                if sink.feed(Message::Text(frame.into())).await.is_err() {
                    break 'frames;
                }
                next = outgoing.try_recv().ok();
            }
            if sink.flush().await.is_err() {
                break;
            }
        }
        let _ = sink.close().await;
    });
    let (commands, queue) = mpsc::channel::<(Value, String)>(COMMAND_QUEUE);
    let worker = {
        let out = out.clone();
        tokio::spawn(async move {
            let mut session = Session::new(state.engine, state.shared, grant, out.clone()).await;
            run_commands(&mut session, queue, &out).await;
            session.close().await;
        })
    };
    while let Some(Ok(msg)) = stream.next().await {
        let text = match msg {
            Message::Text(t) => t,
            Message::Binary(_) => {
                let resp = ChatError::command("frames must be text").response();
                if out.send(crate::types::frame(None, &resp)).await.is_err() {
                    break;
                }
                continue;
            }
            Message::Close(_) => break,
            Message::Ping(_) | Message::Pong(_) => continue,
        };
        match envelope(text.as_str()) {
            Ok(job) => {
                if commands.send(job).await.is_err() {
                    break;
                }
            }
            Err(()) => {
                let resp = ChatError::command("invalid request").response();
                if out.send(crate::types::frame(None, &resp)).await.is_err() {
                    break;
                }
            }
        }
    }
    drop(commands);
    let _ = worker.await;
    drop(out);
    let _ = writer.await;
}
