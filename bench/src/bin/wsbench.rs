//! A load generator for botgrid's SimpleX WebSocket API, and the baseline it is compared
//! with.
//!
//! `wsbench load` opens `--clients` connections, each creating its own chat user with
//! `/_create user`, and sends commands on all of them:
//!
//! - `--command user`: `/user`, a read that touches the session and the store;
//! - `--command send`: `/_send @<id> text …` to a receiver user on a connection of its
//!   own, so every command is a committed message and an event; receivers count the
//!   `newChatItems` events and how long each took from its command's scheduled time.
//!
//! Open loop (`--rate N`, total over all clients): commands are scheduled at fixed
//! intervals and latency is measured from the scheduled time (no coordinated omission).
//! Closed loop (`--rate 0`): each connection keeps `--window` commands in flight.
//!
//! `wsbench baseline ADDR` is the ceiling: a bare tokio-tungstenite server on the same
//! WebSocket stack that answers every command with `cmdOk` (and creates "users" with
//! ids), doing nothing else. Prints one JSON object per run.

use clap::{Parser, Subcommand};
use futures_util::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

#[derive(Parser, Debug)]
struct Args {
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Subcommand, Debug)]
enum Mode {
    /// Drive a server.
    Load {
        /// e.g. ws://127.0.0.1:5225
        #[arg(long)]
        url: String,
        #[arg(long, default_value_t = 10)]
        clients: usize,
        /// Commands per second over all clients (0 = closed loop).
        #[arg(long, default_value_t = 0)]
        rate: u64,
        /// Commands in flight per connection in closed loop.
        #[arg(long, default_value_t = 16)]
        window: usize,
        #[arg(long, default_value_t = 10)]
        duration: u64,
        #[arg(long, default_value_t = 2)]
        warmup: u64,
        /// `user` or `send`.
        #[arg(long, default_value = "send")]
        command: String,
    },
    /// Serve the baseline on ADDR.
    Baseline { addr: String },
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

#[derive(Default)]
struct Stats {
    ok: AtomicU64,
    errors: AtomicU64,
    events: AtomicU64,
}

struct Window {
    start: Instant,
    measure_from: Instant,
    end: Instant,
}

impl Window {
    fn measured(&self, t: Instant) -> bool {
        t >= self.measure_from && t < self.end
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    match Args::parse().mode {
        Mode::Baseline { addr } => baseline(&addr).await,
        Mode::Load {
            url,
            clients,
            rate,
            window,
            duration,
            warmup,
            command,
        } => {
            load(
                &url,
                clients,
                rate,
                window,
                duration,
                warmup,
                command == "send",
            )
            .await
        }
    }
}

async fn connect(url: &str) -> Ws {
    tokio_tungstenite::connect_async(url)
        .await
        .expect("connect")
        .0
}

/// Sends one command and waits for its answer, skipping events.
async fn call(ws: &mut Ws, corr: &str, cmd: &str) -> Value {
    let frame = json!({"corrId": corr, "cmd": cmd}).to_string();
    ws.send(Message::text(frame)).await.expect("send");
    while let Some(Ok(msg)) = ws.next().await {
        if let Message::Text(t) = msg {
            let v: Value = serde_json::from_str(t.as_str()).expect("json");
            if v.get("corrId").and_then(Value::as_str) == Some(corr) {
                return v["resp"].clone();
            }
        }
    }
    panic!("connection closed during set-up");
}

async fn create_user(ws: &mut Ws, name: &str) -> i64 {
    let cmd = format!(
        "/_create user {}",
        json!({"profile": {"displayName": name, "fullName": ""}, "pastTimestamp": false})
    );
    let resp = call(ws, "setup", &cmd).await;
    resp["user"]["userId"]
        .as_i64()
        .unwrap_or_else(|| panic!("no user created: {resp}"))
}

#[allow(clippy::too_many_arguments)]
async fn load(
    url: &str,
    clients: usize,
    rate: u64,
    window: usize,
    duration: u64,
    warmup: u64,
    send: bool,
) {
    let run = std::process::id();
    let mut senders = Vec::with_capacity(clients);
    let mut receivers = Vec::with_capacity(clients);
    for i in 0..clients {
        let mut ws = connect(url).await;
        create_user(&mut ws, &format!("bench-{run}-s{i}")).await;
        let target = if send {
            let mut rx = connect(url).await;
            let id = create_user(&mut rx, &format!("bench-{run}-r{i}")).await;
            receivers.push(rx);
            id
        } else {
            0
        };
        senders.push((ws, target));
    }
    let stats = Arc::new(Stats::default());
    let lat = Arc::new(Mutex::new(Histogram::<u64>::new(3).expect("histogram")));
    let ev_lat = Arc::new(Mutex::new(Histogram::<u64>::new(3).expect("histogram")));
    let now = Instant::now();
    let win = Arc::new(Window {
        start: now,
        measure_from: now + Duration::from_secs(warmup),
        end: now + Duration::from_secs(warmup + duration),
    });
    let stop = Arc::new(AtomicBool::new(false));

    let mut tasks = vec![];
    for rx in receivers {
        let (stats, ev_lat, win, stop) = (stats.clone(), ev_lat.clone(), win.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let (_w, mut r) = rx.split();
            while !stop.load(Ordering::Relaxed) {
                let Ok(Some(Ok(Message::Text(t)))) =
                    tokio::time::timeout(Duration::from_millis(200), r.next()).await
                else {
                    continue;
                };
                let v: Value = match serde_json::from_str(t.as_str()) {
                    Ok(v) => v,
                    Err(_) => continue,
                };
                if v.get("corrId").is_some() || v["resp"]["type"] != "newChatItems" {
                    continue;
                }
                let arrived = Instant::now();
                for item in v["resp"]["chatItems"].as_array().into_iter().flatten() {
                    let text = item["chatItem"]["meta"]["itemText"].as_str().unwrap_or("");
                    let Some(us) = text.strip_prefix("t=").and_then(|s| s.parse::<u64>().ok())
                    else {
                        continue;
                    };
                    let sched = win.start + Duration::from_micros(us);
                    if win.measured(sched) {
                        stats.events.fetch_add(1, Ordering::Relaxed);
                        let d = arrived.saturating_duration_since(sched).as_micros() as u64;
                        ev_lat.lock().expect("lock").record(d.max(1)).ok();
                    }
                }
            }
        }));
    }

    let per_client = if rate == 0 {
        None
    } else {
        Some(Duration::from_secs_f64(clients as f64 / rate as f64))
    };
    for (i, (ws, target)) in senders.into_iter().enumerate() {
        let (stats, lat, win, stop) = (stats.clone(), lat.clone(), win.clone(), stop.clone());
        let in_flight: Arc<Mutex<VecDeque<Instant>>> = Arc::default();
        let slots = Arc::new(tokio::sync::Semaphore::new(window));
        let (mut w, mut r) = ws.split();
        // Reader: answers come in command order, so the oldest in flight is the one.
        let reader = {
            let (stats, lat, win, in_flight, slots) = (
                stats.clone(),
                lat.clone(),
                win.clone(),
                in_flight.clone(),
                slots.clone(),
            );
            tokio::spawn(async move {
                while let Some(Ok(msg)) = r.next().await {
                    let Message::Text(t) = msg else { continue };
                    let v: Value = match serde_json::from_str(t.as_str()) {
                        Ok(v) => v,
                        Err(_) => continue,
                    };
                    if v.get("corrId").is_none() {
                        continue;
                    }
                    let Some(sched) = in_flight.lock().expect("lock").pop_front() else {
                        continue;
                    };
                    slots.add_permits(1);
                    if !win.measured(sched) {
                        continue;
                    }
                    if v["resp"]["type"] == "chatCmdError" {
                        stats.errors.fetch_add(1, Ordering::Relaxed);
                    } else {
                        stats.ok.fetch_add(1, Ordering::Relaxed);
                        let d = Instant::now().saturating_duration_since(sched);
                        lat.lock()
                            .expect("lock")
                            .record((d.as_micros() as u64).max(1))
                            .ok();
                    }
                }
            })
        };
        tasks.push(reader);
        tasks.push(tokio::spawn(async move {
            // Spread the clients' schedules over one interval.
            let mut next = win.start
                + per_client
                    .map(|p| p.mul_f64(i as f64 / clients as f64))
                    .unwrap_or_default();
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let sched = match per_client {
                    Some(p) => {
                        tokio::time::sleep_until(next.into()).await;
                        let s = next;
                        next += p;
                        s
                    }
                    None => {
                        let permit = slots.acquire().await.expect("semaphore");
                        permit.forget();
                        Instant::now()
                    }
                };
                if sched >= win.end {
                    break;
                }
                let cmd = if target != 0 {
                    let us = sched.duration_since(win.start).as_micros();
                    format!("/_send @{target} text t={us}")
                } else {
                    "/user".to_owned()
                };
                n += 1;
                let frame = json!({"corrId": n.to_string(), "cmd": cmd}).to_string();
                in_flight.lock().expect("lock").push_back(sched);
                if w.send(Message::text(frame)).await.is_err() {
                    break;
                }
            }
        }));
    }
    tokio::time::sleep_until((win.end + Duration::from_millis(500)).into()).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.abort();
    }
    let lat = lat.lock().expect("lock");
    let ev = ev_lat.lock().expect("lock");
    let secs = duration as f64;
    let q = |h: &Histogram<u64>, p: f64| {
        if h.is_empty() {
            0
        } else {
            h.value_at_quantile(p)
        }
    };
    println!(
        "{}",
        json!({
            "clients": clients,
            "command": if send { "send" } else { "user" },
            "offered_per_sec": rate,
            "ok_per_sec": stats.ok.load(Ordering::Relaxed) as f64 / secs,
            "errors": stats.errors.load(Ordering::Relaxed),
            "p50_us": q(&lat, 0.5),
            "p99_us": q(&lat, 0.99),
            "max_us": lat.max(),
            "events_per_sec": stats.events.load(Ordering::Relaxed) as f64 / secs,
            "event_p50_us": q(&ev, 0.5),
            "event_p99_us": q(&ev, 0.99),
        })
    );
}

async fn baseline(addr: &str) {
    let listener = tokio::net::TcpListener::bind(addr).await.expect("bind");
    let users = Arc::new(AtomicU64::new(1));
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let users = users.clone();
        tokio::spawn(async move {
            let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
                return;
            };
            while let Some(Ok(msg)) = ws.next().await {
                let Message::Text(t) = msg else { continue };
                let Ok(v) = serde_json::from_str::<Value>(t.as_str()) else {
                    continue;
                };
                let resp = if v["cmd"]
                    .as_str()
                    .is_some_and(|c| c.starts_with("/_create user"))
                {
                    json!({"type": "activeUser", "user": {"userId": users.fetch_add(1, Ordering::Relaxed)}})
                } else {
                    json!({"type": "cmdOk"})
                };
                let out = json!({"corrId": v["corrId"], "resp": resp}).to_string();
                if ws.send(Message::text(out)).await.is_err() {
                    return;
                }
            }
        });
    }
}
