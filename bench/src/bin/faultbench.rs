//! The receiver-fault scenario for botgrid's reliability figures.
//!
//! `faultbench seed --out DIR` writes `world.json` and `creds.json`: two token-only bots,
//! Ada (the sender) and Lin (whose callback is under test).
//!
//! `faultbench run --url URL --creds FILE --pid PID` starts a faulty callback receiver,
//! registers it as Lin's callback, and has Ada send `--events` IMs (50,000) to Lin at
//! `--rate` per second (500). The receiver fails `--fail` (20 %) of the POSTs with HTTP
//! 500, stalls `--stall` (5 %) of them for 30 s (past botgrid's timeout), and is down —
//! port closed, open connections dropped — from `--down-at` s (30) for `--down-for` s
//! (60). It then waits until every IM that was answered OK has been delivered, and
//! prints one JSON object: delivered, duplicates (all with the same event id?), time to
//! drain the backlog after the receiver came back, and botgrid's resident memory
//! (from /proc/PID/status) before, during and after the outage.

use botgrid_bench::{Api, arg, creds, num};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("seed") => seed(),
        Some("run") => run().await,
        _ => {
            eprintln!(
                "usage: faultbench seed --out DIR | faultbench run --url URL --creds FILE --pid PID"
            );
            std::process::exit(2);
        }
    }
}

const API_KEY: &str = "bgk_faultbench_developer_key_0001";
const BOTS: [(&str, &str); 2] = [
    ("Ada Sender", "bgt_faultbench_ada_0123456789abcdef"),
    ("Lin Receiver", "bgt_faultbench_lin_0123456789abcdef"),
];

fn seed() {
    let out = std::path::PathBuf::from(arg("--out").expect("--out DIR"));
    let avatars: Vec<Value> = BOTS
        .iter()
        .map(|(name, token)| json!({"name": name, "bot": true, "token": token}))
        .collect();
    let world =
        json!({"developers": [{"name": "faultbench", "api_key": API_KEY}], "avatars": avatars});
    std::fs::create_dir_all(&out).expect("output folder");
    std::fs::write(out.join("world.json"), world.to_string()).expect("write world.json");
    std::fs::write(
        out.join("creds.json"),
        json!({"api_key": API_KEY}).to_string(),
    )
    .expect("write creds.json");
}

fn fraction(name: &str, default: f64) -> f64 {
    arg(name).and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// What the receiver saw.
#[derive(Default)]
struct Seen {
    /// event id → message, for every POST answered 200.
    by_id: HashMap<String, String>,
    /// message → the event ids it came with.
    ids_of: HashMap<String, HashSet<String>>,
    delivered_posts: u64,
    last_new: Option<Instant>,
}

struct Receiver {
    seen: Mutex<Seen>,
    down: AtomicBool,
    posts: AtomicU64,
    failed: AtomicU64,
    stalled: AtomicU64,
    dropped: AtomicU64,
    fail: f64,
    stall: f64,
    counter: AtomicU64,
}

impl Receiver {
    /// A deterministic, well-mixed number in [0, 1) per POST (SplitMix64 of a counter;
    /// a weaker mix gave some events the same outcome on every retry).
    fn draw(&self) -> f64 {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let mut z = n.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

async fn serve(rx: Arc<Receiver>, listener: tokio::net::TcpListener, stop: Arc<AtomicBool>) {
    loop {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let accepted = tokio::time::timeout(Duration::from_millis(50), listener.accept()).await;
        let Ok(Ok((stream, _))) = accepted else {
            continue;
        };
        let rx = rx.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                let rx = rx.clone();
                async move {
                    let body = req
                        .into_body()
                        .collect()
                        .await
                        .map(|b| b.to_bytes())
                        .unwrap_or_default();
                    rx.posts.fetch_add(1, Ordering::Relaxed);
                    let status = if rx.down.load(Ordering::SeqCst) {
                        rx.dropped.fetch_add(1, Ordering::Relaxed);
                        return Err("down");
                    } else {
                        let d = rx.draw();
                        if d < rx.stall {
                            rx.stalled.fetch_add(1, Ordering::Relaxed);
                            tokio::time::sleep(Duration::from_secs(30)).await;
                            500
                        } else if d < rx.stall + rx.fail {
                            rx.failed.fetch_add(1, Ordering::Relaxed);
                            500
                        } else {
                            let fields: HashMap<String, String> =
                                url::form_urlencoded::parse(&body).into_owned().collect();
                            if let (Some(id), Some(msg)) =
                                (fields.get("event_id"), fields.get("message"))
                            {
                                let mut s = rx.seen.lock().unwrap_or_else(|p| p.into_inner());
                                s.delivered_posts += 1;
                                if s.by_id.insert(id.clone(), msg.clone()).is_none() {
                                    s.last_new = Some(Instant::now());
                                }
                                s.ids_of.entry(msg.clone()).or_default().insert(id.clone());
                            }
                            200
                        }
                    };
                    let mut response = hyper::Response::new(Full::new(Bytes::from_static(b"ok")));
                    *response.status_mut() =
                        hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::OK);
                    Ok::<_, &str>(response)
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

async fn run() {
    let creds = creds();
    let pid: u32 = arg("--pid")
        .and_then(|v| v.parse().ok())
        .expect("--pid PID");
    let events = num("--events", 50_000);
    let rate = num("--rate", 500).max(1);
    let down_at = Duration::from_secs(num("--down-at", 30) as u64);
    let down_for = Duration::from_secs(num("--down-for", 60) as u64);
    let rx = Arc::new(Receiver {
        seen: Mutex::default(),
        down: AtomicBool::new(false),
        posts: AtomicU64::new(0),
        failed: AtomicU64::new(0),
        stalled: AtomicU64::new(0),
        dropped: AtomicU64::new(0),
        fail: fraction("--fail", 0.20),
        stall: fraction("--stall", 0.05),
        counter: AtomicU64::new(0),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the receiver");
    let addr = listener.local_addr().expect("address");
    let stop = Arc::new(AtomicBool::new(false));
    tokio::spawn(serve(rx.clone(), listener, stop.clone()));

    let api = Arc::new(Api::new(&creds, 256).bots(|i| {
        let (name, token) = BOTS[i];
        (name.to_owned(), token.to_owned())
    }));
    for i in 0..BOTS.len() {
        let r = api.call_bot(i, &[("action", "login")]).await;
        assert!(r.contains("result=OK"), "login: {r}");
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    let hook = format!("http://{addr}/hook");
    let r = api
        .call_bot(
            1,
            &[
                ("action", "set_http_callback"),
                ("url", &hook),
                ("events", "instant_message"),
            ],
        )
        .await;
    assert!(r.contains("result=OK"), "set_http_callback: {r}");

    // Memory, sampled every 250 ms: (seconds since start, kB).
    let started = Instant::now();
    let samples: Arc<Mutex<Vec<(f64, u64)>>> = Arc::default();
    {
        let samples = samples.clone();
        tokio::spawn(async move {
            loop {
                let kb = rss_kb(pid);
                samples
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push((started.elapsed().as_secs_f64(), kb));
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        });
    }

    // The outage: close the port and drop what arrives on open connections.
    let outage = {
        let (rx, stop) = (rx.clone(), stop.clone());
        tokio::spawn(async move {
            tokio::time::sleep(down_at).await;
            rx.down.store(true, Ordering::SeqCst);
            stop.store(true, Ordering::SeqCst);
            let went_down = Instant::now();
            tokio::time::sleep(down_for).await;
            let listener = loop {
                match tokio::net::TcpListener::bind(addr).await {
                    Ok(l) => break l,
                    Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                }
            };
            let stop = Arc::new(AtomicBool::new(false));
            rx.down.store(false, Ordering::SeqCst);
            tokio::spawn(serve(rx, listener, stop));
            (went_down, Instant::now())
        })
    };

    // Ada sends the IMs at the rate asked for.
    let ok_sent: Arc<Mutex<Vec<String>>> = Arc::default();
    let refused = Arc::new(AtomicU64::new(0));
    let slots = Arc::new(tokio::sync::Semaphore::new(256));
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..events {
        tick.tick().await;
        let Ok(permit) = slots.clone().acquire_owned().await else {
            break;
        };
        let (api, ok_sent, refused) = (api.clone(), ok_sent.clone(), refused.clone());
        tasks.spawn(async move {
            let text = format!("fault {n}");
            let r = api
                .call_bot(
                    0,
                    &[
                        ("action", "im"),
                        ("slname", "Lin Receiver"),
                        ("message", &text),
                    ],
                )
                .await;
            if r.contains("result=OK") {
                ok_sent.lock().unwrap_or_else(|p| p.into_inner()).push(text);
            } else {
                refused.fetch_add(1, Ordering::Relaxed);
            }
            drop(permit);
        });
    }
    while tasks.join_next().await.is_some() {}
    let sending_took = started.elapsed();
    let (went_down, came_back) = outage.await.expect("the outage task");

    // Wait for every IM answered OK to arrive.
    let sent: Vec<String> = ok_sent.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let deadline = Instant::now() + Duration::from_secs(num("--patience", 900) as u64);
    loop {
        let missing = {
            let s = rx.seen.lock().unwrap_or_else(|p| p.into_inner());
            sent.iter().filter(|t| !s.ids_of.contains_key(*t)).count()
        };
        if missing == 0 || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let s = rx.seen.lock().unwrap_or_else(|p| p.into_inner());
    let delivered = sent.iter().filter(|t| s.ids_of.contains_key(*t)).count();
    let split = s.ids_of.values().filter(|ids| ids.len() > 1).count();
    let drained_after = s
        .last_new
        .map(|t| t.saturating_duration_since(came_back).as_secs_f64())
        .unwrap_or(0.0);
    let samples = samples.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let down_s = went_down.duration_since(started).as_secs_f64();
    let back_s = came_back.duration_since(started).as_secs_f64();
    let max_in = |from: f64, to: f64| {
        samples
            .iter()
            .filter(|(t, _)| *t >= from && *t < to)
            .map(|(_, kb)| *kb)
            .max()
            .unwrap_or(0)
    };
    let end = samples.last().map(|(t, _)| *t + 1.0).unwrap_or(0.0);
    println!(
        "{}",
        json!({
            "events": events,
            "rate": rate,
            "sending_s": sending_took.as_secs_f64(),
            "answered_ok": sent.len(),
            "refused": refused.load(Ordering::Relaxed),
            "delivered": delivered,
            "delivered_pct": 100.0 * delivered as f64 / sent.len().max(1) as f64,
            "posts": rx.posts.load(Ordering::Relaxed),
            "posts_200": s.delivered_posts,
            "repeats_same_id": s.delivered_posts - s.by_id.len() as u64,
            "messages_with_two_ids": split,
            "failed_500": rx.failed.load(Ordering::Relaxed),
            "stalled": rx.stalled.load(Ordering::Relaxed),
            "dropped_while_down": rx.dropped.load(Ordering::Relaxed),
            "down_from_s": down_s,
            "down_until_s": back_s,
            "drained_s_after_recovery": drained_after,
            "rss_mb_before": max_in(0.0, down_s) as f64 / 1024.0,
            "rss_mb_during": max_in(down_s, back_s) as f64 / 1024.0,
            "rss_mb_after": max_in(back_s, end) as f64 / 1024.0,
        })
    );
}
