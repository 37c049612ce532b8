//! The money scenario for botgrid's benchmarks.
//!
//! `moneybench seed --out DIR` writes `world.json` (for `botgrid admin seed`) and
//! `creds.json`: 1,000 token-only bots with L$1,000 each.
//!
//! `moneybench run --url URL --creds DIR/creds.json` logs the bots in, then makes
//! 10,000 `give_money` payments between random pairs, 256 at a time, each tagged with its
//! own `custom`; repeats 500 of those that went through (the same `custom`: they must
//! answer OK and pay nothing more); and finally adds up every bot's `get_balance`, which
//! must be exactly what was granted. `--baseline` skips the logins and the checks (a bare server that
//! answers `result=OK` to everything). It prints one JSON object.

use botgrid_bench::{Api, arg, creds, flag, num};
use futures_util::StreamExt;
use hdrhistogram::Histogram;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("seed") => seed(),
        Some("run") => run().await,
        _ => {
            eprintln!("usage: moneybench seed --out DIR | moneybench run --url URL --creds FILE");
            std::process::exit(2);
        }
    }
}

fn token(i: usize) -> String {
    format!("bgt_moneybench_{i:06}_0123456789abcdef")
}

fn name(i: usize) -> String {
    format!("Payer Bot{i}")
}

fn seed() {
    let out = std::path::PathBuf::from(arg("--out").expect("--out DIR"));
    let avatars = num("--avatars", 1000);
    let money = num("--money", 1000);
    let api_key = "bgk_moneybench_developer_key_0001".to_owned();
    let list: Vec<Value> = (0..avatars)
        .map(|i| json!({"name": name(i), "bot": true, "token": token(i), "money": money}))
        .collect();
    let world = json!({
        "developers": [{"name": "moneybench", "api_key": api_key}],
        "avatars": list,
    });
    std::fs::create_dir_all(&out).expect("output folder");
    std::fs::write(out.join("world.json"), world.to_string()).expect("write world.json");
    let creds = json!({"api_key": api_key, "avatars": avatars, "money": money});
    std::fs::write(out.join("creds.json"), creds.to_string()).expect("write creds.json");
}

/// A payment of the run: payer, payee, amount, tag.
#[derive(Clone)]
struct Payment {
    from: usize,
    to: usize,
    amount: u64,
    tag: String,
}

/// Deterministic pairs and amounts (a linear congruential sequence), so runs compare.
fn payments(avatars: usize, n: usize) -> Vec<Payment> {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        x >> 33
    };
    (0..n)
        .map(|i| {
            let from = next() as usize % avatars;
            let mut to = next() as usize % avatars;
            if to == from {
                to = (to + 1) % avatars;
            }
            Payment {
                from,
                to,
                amount: 1 + next() % 50,
                tag: format!("mb-{i}"),
            }
        })
        .collect()
}

struct Outcome {
    /// Which payments answered OK, in list order.
    went: Vec<bool>,
    ok: usize,
    short: usize,
    other: usize,
    seconds: f64,
    hist: Histogram<u64>,
}

async fn pay_all(api: &Arc<Api>, uuids: &Arc<Vec<String>>, list: &[Payment], c: usize) -> Outcome {
    let start = Instant::now();
    let results: Vec<(String, u64)> = futures_util::stream::iter(list.iter().cloned())
        .map(|p| {
            let api = api.clone();
            let uuids = uuids.clone();
            async move {
                let amount = p.amount.to_string();
                let t = Instant::now();
                let r = api
                    .call_bot(
                        p.from,
                        &[
                            ("action", "give_money"),
                            ("avatar", &uuids[p.to]),
                            ("amount", &amount),
                            ("custom", &p.tag),
                        ],
                    )
                    .await;
                (r, t.elapsed().as_micros() as u64)
            }
        })
        .buffered(c)
        .collect()
        .await;
    let seconds = start.elapsed().as_secs_f64();
    let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("histogram");
    let (mut ok, mut short, mut other) = (0, 0, 0);
    let mut went = Vec::with_capacity(results.len());
    for (r, us) in results {
        let _ = hist.record(us.max(1));
        went.push(r.contains("result=OK"));
        if r.contains("result=OK") {
            ok += 1;
        } else if r.contains("Insufficient") {
            short += 1;
        } else {
            other += 1;
            if other <= 3 {
                eprintln!("unexpected reply: {r}");
            }
        }
    }
    Outcome {
        went,
        ok,
        short,
        other,
        seconds,
        hist,
    }
}

async fn run() {
    let creds = creds();
    let avatars = creds["avatars"].as_u64().unwrap_or(0) as usize;
    let money = creds["money"].as_u64().unwrap_or(0) as i64;
    let transfers = num("--transfers", 10_000);
    let concurrency = num("--concurrency", 256);
    let repeats = num("--repeats", 500).min(transfers);
    let baseline = flag("--baseline");
    let api = Arc::new(Api::new(&creds, concurrency).bots(|i| (name(i), token(i))));

    // Log in and learn every bot's UUID (`status` answers it), 64 at a time.
    let uuids: Vec<String> = if baseline {
        (0..avatars)
            .map(|i| format!("00000000-0000-4000-8000-{i:012}"))
            .collect()
    } else {
        let setup = Instant::now();
        let replies: Vec<String> = futures_util::stream::iter(0..avatars)
            .map(|i| {
                let api = api.clone();
                async move {
                    api.call_bot(i, &[("action", "login")]).await;
                    api.call_bot(i, &[("action", "status")]).await
                }
            })
            .buffered(64)
            .collect()
            .await;
        let uuids: Vec<String> = replies
            .iter()
            .map(|r| {
                url::form_urlencoded::parse(r.as_bytes())
                    .find(|(k, _)| k == "uuid")
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_else(|| panic!("no uuid in {r}"))
            })
            .collect();
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
        uuids
    };
    let uuids = Arc::new(uuids);

    let list = payments(avatars, transfers);
    let first = pay_all(&api, &uuids, &list, concurrency).await;
    // Repeats of payments that went through: each must answer OK and pay nothing more
    // (the script checks the ledger's row count).
    let repeat_list: Vec<Payment> = list
        .iter()
        .zip(&first.went)
        .filter(|(_, went)| **went)
        .map(|(p, _)| p.clone())
        .take(repeats)
        .collect();
    let again = pay_all(&api, &uuids, &repeat_list, concurrency).await;

    let mut report = json!({
        "avatars": avatars,
        "transfers": transfers,
        "concurrency": concurrency,
        "ok": first.ok,
        "insufficient": first.short,
        "other_failures": first.other,
        "seconds": first.seconds,
        "per_sec": transfers as f64 / first.seconds,
        "p50_us": first.hist.value_at_quantile(0.50),
        "p99_us": first.hist.value_at_quantile(0.99),
        "repeats": repeat_list.len(),
        "repeats_ok": again.ok,
    });
    if !baseline {
        let balances: Vec<i64> = futures_util::stream::iter(0..avatars)
            .map(|i| {
                let api = api.clone();
                async move {
                    let r = api.call_bot(i, &[("action", "get_balance")]).await;
                    url::form_urlencoded::parse(r.as_bytes())
                        .find(|(k, _)| k == "balance")
                        .and_then(|(_, v)| v.parse().ok())
                        .unwrap_or(i64::MIN)
                }
            })
            .buffered(64)
            .collect()
            .await;
        let sum: i64 = balances.iter().sum();
        let expected = avatars as i64 * money;
        report["sum"] = json!(sum);
        report["expected_sum"] = json!(expected);
        report["books_balance"] = json!(sum == expected && balances.iter().all(|b| *b >= 0));
    }
    println!("{report}");
}
