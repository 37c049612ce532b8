//! An HTTP/1.1 load generator for botgrid's benchmarks.
//!
//! Open loop (`--rate N`): requests are scheduled at fixed intervals and each one's
//! latency is measured from its *scheduled* time, so a server that falls behind shows
//! it in the percentiles instead of slowing the generator down (no coordinated
//! omission). Closed loop (`--rate 0`): every connection sends back to back, which
//! measures the most the server can take.
//!
//! Bodies are POSTed as `application/x-www-form-urlencoded`, taken in turn from
//! `--body-file` (one per line, `{n}` replaced by a counter). A reply counts as OK when
//! its body contains `--ok` (default `result=OK`). Prints one JSON object.

use bytes::Bytes;
use clap::Parser;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
struct Args {
    /// Target URL, e.g. http://127.0.0.1:7878/api/bot.html
    #[arg(long)]
    url: String,
    /// File of request bodies, one per line; `{n}` becomes a running number.
    #[arg(long)]
    body_file: std::path::PathBuf,
    /// Requests per second (0 = as fast as the connections allow).
    #[arg(long, default_value_t = 0)]
    rate: u64,
    /// Seconds measured.
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Seconds of load before measuring starts.
    #[arg(long, default_value_t = 2)]
    warmup: u64,
    /// Keep-alive connections.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Text that marks a successful reply.
    #[arg(long, default_value = "result=OK")]
    ok: String,
}

struct Stats {
    ok: AtomicU64,
    fail: AtomicU64,
    errors: AtomicU64,
}

// One core is all the generator gets when pinned: one thread drives the connections,
// another keeps the schedule.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args = Args::parse();
    let bodies: Vec<String> = std::fs::read_to_string(&args.body_file)
        .expect("read the body file")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect();
    assert!(!bodies.is_empty(), "the body file is empty");
    let uri: hyper::Uri = args.url.parse().expect("a valid URL");
    let host = uri.host().expect("URL has a host").to_owned();
    let port = uri.port_u16().unwrap_or(80);
    let path = uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or("/".into());

    // Jobs carry their scheduled start time; workers measure from it.
    let (jobs, queue) = flume::bounded::<(Instant, u64)>(1 << 20);
    let stats = Arc::new(Stats {
        ok: AtomicU64::new(0),
        fail: AtomicU64::new(0),
        errors: AtomicU64::new(0),
    });
    let measure_from = Instant::now() + Duration::from_secs(args.warmup);
    let stop_at = measure_from + Duration::from_secs(args.duration);
    let bodies = Arc::new(bodies);
    let mut workers = Vec::new();
    for _ in 0..args.connections {
        let (queue, stats, bodies) = (queue.clone(), stats.clone(), bodies.clone());
        let (host, path, ok) = (host.clone(), path.clone(), args.ok.clone());
        let closed = args.rate == 0;
        workers.push(tokio::spawn(async move {
            let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("histogram");
            let stream = tokio::net::TcpStream::connect((host.as_str(), port))
                .await
                .expect("connect");
            stream.set_nodelay(true).ok();
            let (mut sender, conn) =
                hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                    .await
                    .expect("handshake");
            tokio::spawn(conn);
            let mut n = 0u64;
            loop {
                let (scheduled, seq) = if closed {
                    let now = Instant::now();
                    if now >= stop_at {
                        break;
                    }
                    n += 1;
                    (now, n)
                } else {
                    match queue.recv_async().await {
                        Ok(job) => job,
                        Err(_) => break,
                    }
                };
                let template = &bodies[(seq as usize) % bodies.len()];
                let body = template.replace("{n}", &seq.to_string());
                let req = hyper::Request::post(path.as_str())
                    .header("host", host.as_str())
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(Full::new(Bytes::from(body)))
                    .expect("request");
                if sender.ready().await.is_err() {
                    stats.errors.fetch_add(1, Ordering::Relaxed);
                    break;
                }
                let result = sender.send_request(req).await;
                let done = Instant::now();
                let good = match result {
                    Ok(res) => match res.into_body().collect().await {
                        Ok(b) => {
                            let b = b.to_bytes();
                            std::str::from_utf8(&b)
                                .map(|s| s.contains(&ok))
                                .unwrap_or(false)
                        }
                        Err(_) => false,
                    },
                    Err(_) => {
                        stats.errors.fetch_add(1, Ordering::Relaxed);
                        false
                    }
                };
                if scheduled >= measure_from && done <= stop_at {
                    let _ = hist.record(done.duration_since(scheduled).as_micros().max(1) as u64);
                    if good {
                        stats.ok.fetch_add(1, Ordering::Relaxed);
                    } else {
                        stats.fail.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            hist
        }));
    }
    drop(queue);
    if let Some(nanos) = 1_000_000_000u64.checked_div(args.rate) {
        // The schedule is kept by a plain thread: tokio's timer has a 1 ms grain, which
        // would be charged to the server as latency.
        let interval = Duration::from_nanos(nanos);
        std::thread::spawn(move || {
            let start = Instant::now();
            let mut seq = 0u64;
            loop {
                let due = start + interval * seq as u32;
                if due >= stop_at {
                    break;
                }
                let now = Instant::now();
                if due > now {
                    std::thread::sleep(due - now);
                }
                seq += 1;
                if jobs.send((due, seq)).is_err() {
                    break;
                }
            }
        });
    } else {
        drop(jobs);
    }
    let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("histogram");
    for w in workers {
        if let Ok(h) = w.await {
            hist.add(h).ok();
        }
    }
    let secs = args.duration as f64;
    let ok = stats.ok.load(Ordering::Relaxed);
    let out = serde_json::json!({
        "offered_per_sec": args.rate,
        "connections": args.connections,
        "ok": ok,
        "fail": stats.fail.load(Ordering::Relaxed),
        "errors": stats.errors.load(Ordering::Relaxed),
        "ok_per_sec": (ok as f64 / secs).round(),
        "p50_us": hist.value_at_quantile(0.50),
        "p90_us": hist.value_at_quantile(0.90),
        "p99_us": hist.value_at_quantile(0.99),
        "p999_us": hist.value_at_quantile(0.999),
        "max_us": hist.max(),
    });
    println!("{out}");
}
