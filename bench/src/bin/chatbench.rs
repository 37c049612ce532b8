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

use bytes::Bytes;
use futures_util::StreamExt;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const REGION: &str = "Bench Plaza";

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn num(name: &str, default: usize) -> usize {
    arg(name).and_then(|v| v.parse().ok()).unwrap_or(default)
}

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

/// Arrival times of each line's deliveries, by the line's text.
type Arrivals = Arc<Mutex<HashMap<String, Vec<Instant>>>>;

async fn receiver(arrivals: Arrivals) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the receiver");
    let port = listener.local_addr().expect("address").port();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let arrivals = arrivals.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let arrivals = arrivals.clone();
                    async move {
                        let body = req
                            .into_body()
                            .collect()
                            .await
                            .map(|b| b.to_bytes())
                            .unwrap_or_default();
                        let at = Instant::now();
                        if let Some(line) = url::form_urlencoded::parse(&body)
                            .find(|(k, _)| k == "message")
                            .map(|(_, v)| v.into_owned())
                        {
                            let mut a = arrivals.lock().unwrap_or_else(|p| p.into_inner());
                            a.entry(line).or_default().push(at);
                        }
                        Ok::<_, hyper::Error>(hyper::Response::new(Full::new(Bytes::from_static(
                            b"ok",
                        ))))
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    port
}

struct Api {
    client: reqwest::Client,
    url: String,
    key: String,
}

impl Api {
    async fn call(&self, bot: usize, params: &[(&str, &str)]) -> String {
        let (bot, secret) = (name(bot), token(bot));
        let mut form = vec![
            ("apikey", self.key.as_str()),
            ("botname", bot.as_str()),
            ("secret", secret.as_str()),
        ];
        form.extend_from_slice(params);
        match self.client.post(&self.url).form(&form).send().await {
            Ok(r) => r.text().await.unwrap_or_default(),
            Err(e) => format!("result=FAIL&resulttext={e}"),
        }
    }
}

fn quantile(mut v: Vec<f64>, q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(((v.len() as f64 - 1.0) * q).round() as usize)
        .copied()
        .unwrap_or(0.0)
}

async fn run() {
    let url = arg("--url").expect("--url");
    let creds: Value = serde_json::from_str(
        &std::fs::read_to_string(arg("--creds").expect("--creds")).expect("creds.json"),
    )
    .expect("json");
    let avatars = creds["avatars"].as_u64().unwrap_or(0) as usize;
    let lines = num("--lines", 500);
    let concurrency = num("--concurrency", 8);
    let api = Arc::new(Api {
        client: reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            .build()
            .expect("client"),
        url,
        key: creds["api_key"].as_str().unwrap_or_default().to_owned(),
    });
    let arrivals: Arrivals = Arc::default();
    let port = receiver(arrivals.clone()).await;

    let setup = Instant::now();
    let _: Vec<()> = futures_util::stream::iter(0..avatars)
        .map(|i| {
            let api = api.clone();
            async move {
                let hook = format!("http://127.0.0.1:{port}/{i}");
                let r = api
                    .call(
                        i,
                        &[
                            ("action", "set_http_callback"),
                            ("url", &hook),
                            ("events", "chat_message"),
                        ],
                    )
                    .await;
                assert!(r.contains("result=OK"), "{i}: {r}");
                api.call(i, &[("action", "login")]).await;
            }
        })
        .buffered(32)
        .collect()
        .await;
    for i in [0, avatars - 1] {
        while !api
            .call(i, &[("action", "status")])
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
                    .call(
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
