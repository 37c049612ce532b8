//! The local-chat scenario for botgrid's benchmarks.
//!
//! `chatbench seed --out DIR` writes `world.json` (for `botgrid admin seed`) and
//! `creds.json`: the region Bench Plaza and 100 token-only bots standing 1 m apart in a
//! 10 × 10 square on it (all within say range of each other).
//!
//! `chatbench run --url URL --creds DIR/creds.json` logs the bots in, registers each
//! one's `chat_message` callback with a receiver inside this program, then has the bots
//! take turns saying 500 lines on channel 0, 8 at a time. Every line reaches the 99
//! others. It reports lines/s, deliveries/s, and per line the time from sending to its
//! last delivery (fan-out latency). It prints one JSON object.

use botgrid_bench::{Api, Arrivals, arg, creds, num, quantile, receiver};
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

const REGION: &str = "Bench Plaza";

#[tokio::main]
async fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("seed") => seed(),
        Some("run") => run().await,
        _ => {
            eprintln!("usage: chatbench seed --out DIR | chatbench run --url URL --creds FILE");
            std::process::exit(2);
        }
    }
}

fn token(i: usize) -> String {
    format!("bgt_chatbench_{i:06}_0123456789abcdef")
}

fn name(i: usize) -> String {
    format!("Chatty Bot{i}")
}

fn seed() {
    let out = std::path::PathBuf::from(arg("--out").expect("--out DIR"));
    let avatars = num("--avatars", 100);
    let api_key = "bgk_chatbench_developer_key_0001".to_owned();
    let list: Vec<Value> = (0..avatars)
        .map(|i| {
            let (x, y) = (100 + i % 10, 100 + i / 10);
            json!({"name": name(i), "bot": true, "token": token(i),
                   "home": format!("{REGION}/{x}/{y}/25")})
        })
        .collect();
    let world = json!({
        "developers": [{"name": "chatbench", "api_key": api_key}],
        "avatars": list,
        "regions": [{"name": REGION}],
    });
    std::fs::create_dir_all(&out).expect("output folder");
    std::fs::write(out.join("world.json"), world.to_string()).expect("write world.json");
    let creds = json!({"api_key": api_key, "avatars": avatars});
    std::fs::write(out.join("creds.json"), creds.to_string()).expect("write creds.json");
}

async fn run() {
    let creds = creds();
    let avatars = creds["avatars"].as_u64().unwrap_or(0) as usize;
    let lines = num("--lines", 500);
    let concurrency = num("--concurrency", 8);
    let api = Arc::new(Api::new(&creds, 64).bots(|i| (name(i), token(i))));
    let arrivals: Arrivals = Arc::default();
    let port = receiver(arrivals.clone(), |fields| fields.get("message").cloned()).await;

    let setup = Instant::now();
    let _: Vec<()> = futures_util::stream::iter(0..avatars)
        .map(|i| {
            let api = api.clone();
            async move {
                let hook = format!("http://127.0.0.1:{port}/{i}");
                let r = api
                    .call_bot(
                        i,
                        &[
                            ("action", "set_http_callback"),
                            ("url", &hook),
                            ("events", "chat_message"),
                        ],
                    )
                    .await;
                assert!(r.contains("result=OK"), "{i}: {r}");
                api.call_bot(i, &[("action", "login")]).await;
            }
        })
        .buffered(32)
        .collect()
        .await;
    for i in [0, avatars - 1] {
        while !api
            .call_bot(i, &[("action", "status")])
            .await
            .contains("status=ONLINE")
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    eprintln!("setup: {avatars} bots online in {:?}", setup.elapsed());

    let expect = avatars - 1;
    let start = Instant::now();
    let sent: Vec<(String, Instant, bool)> = futures_util::stream::iter(0..lines)
        .map(|n| {
            let api = api.clone();
            async move {
                let line = format!("line {n}");
                let at = Instant::now();
                let r = api
                    .call_bot(
                        n % avatars,
                        &[
                            ("action", "say_chat_channel"),
                            ("channel", "0"),
                            ("message", &line),
                        ],
                    )
                    .await;
                (line, at, r.contains("result=OK"))
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let said = start.elapsed().as_secs_f64();
    let failures = sent.iter().filter(|(_, _, ok)| !ok).count();
    // Wait for every delivery.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let done = {
            let a = arrivals.lock().unwrap_or_else(|p| p.into_inner());
            sent.iter()
                .all(|(line, _, _)| a.get(line).is_some_and(|v| v.len() >= expect))
        };
        if done || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let delivered_all = start.elapsed().as_secs_f64();
    let a = arrivals.lock().unwrap_or_else(|p| p.into_inner());
    let mut fanout = Vec::new();
    let mut deliveries = 0;
    for (line, at, _) in &sent {
        if let Some(v) = a.get(line) {
            deliveries += v.len();
            if let Some(last) = v.iter().max() {
                fanout.push(last.duration_since(*at).as_secs_f64() * 1000.0);
            }
        }
    }
    println!(
        "{}",
        json!({
            "avatars": avatars,
            "lines": lines,
            "failures": failures,
            "lines_per_sec": lines as f64 / said,
            "deliveries": deliveries,
            "expected_deliveries": lines * expect,
            "deliveries_per_sec": deliveries as f64 / delivered_all,
            "fanout_ms_p50": quantile(fanout.clone(), 0.5),
            "fanout_ms_p99": quantile(fanout, 0.99),
        })
    );
}
