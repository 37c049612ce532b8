//! Group scenarios for botgrid's benchmarks.
//!
//! `groupbench seed --out DIR` writes `world.json` (for `botgrid admin seed`) and
//! `creds.json`: one group of 10,001 members — its owner (a bot that sends), 1,000 bots
//! that will be online with callbacks, 9,000 people who stay offline — and 3,334 more
//! people to invite.
//!
//! `groupbench run --url URL --creds DIR/creds.json` logs the bots in, registers each
//! one's callback with a receiver inside this program, then measures:
//! - group messages and notices: from sending to the reply (committed) and to the last
//!   online member's callback arriving;
//! - 10,002 admin operations (setrole, group_invite, group_eject), as fast as 64
//!   connections allow.
//!
//! It prints one JSON object.

use botgrid_bench::{Api, Arrivals, arg, creds, num, receiver};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

const GROUP: &str = "Bench Guild";

#[tokio::main]
async fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("seed") => seed(),
        Some("run") => run().await,
        _ => {
            eprintln!("usage: groupbench seed --out DIR | groupbench run --url URL --creds FILE");
            std::process::exit(2);
        }
    }
}

fn token(i: usize) -> String {
    format!("bgt_groupbench_{i:06}_0123456789abcdef")
}

fn seed() {
    let out = std::path::PathBuf::from(arg("--out").expect("--out DIR"));
    let online = num("--online", 1000);
    let offline = num("--offline", 9000);
    let guests = num("--guests", 3334);
    let api_key = "bgk_groupbench_developer_key_0001".to_owned();
    let mut avatars = vec![json!({"name": "Bench Owner", "bot": true, "token": token(0)})];
    let mut members = Vec::new();
    for i in 1..=online {
        avatars.push(json!({"name": format!("Bench Bot{i}"), "bot": true, "token": token(i)}));
        members.push(json!({"name": format!("Bench Bot{i}")}));
    }
    for i in 1..=offline {
        avatars.push(json!({"name": format!("Bench Person{i}")}));
        members.push(json!({"name": format!("Bench Person{i}")}));
    }
    for i in 1..=guests {
        avatars.push(json!({"name": format!("Bench Guest{i}")}));
    }
    let world = json!({
        "developers": [{"name": "groupbench", "api_key": api_key}],
        "avatars": avatars,
        "groups": [{
            "name": GROUP, "founder": "Bench Owner",
            "roles": [{"name": "Greeters", "title": "Greeter", "powers": "JoinChat,ReceiveNotices"}],
            "members": members
        }]
    });
    std::fs::create_dir_all(&out).expect("output folder");
    std::fs::write(out.join("world.json"), world.to_string()).expect("write world.json");
    let creds = json!({"api_key": api_key, "online": online, "offline": offline, "guests": guests});
    std::fs::write(out.join("creds.json"), creds.to_string()).expect("write creds.json");
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

async fn run() {
    let creds = creds();
    let online = creds["online"].as_u64().unwrap_or(0) as usize;
    let offline = creds["offline"].as_u64().unwrap_or(0) as usize;
    let guests = creds["guests"].as_u64().unwrap_or(0) as usize;
    let rounds = num("--rounds", 5);
    let api = Arc::new(Api::new(&creds, 128));
    let arrivals: Arrivals = Arc::default();
    // A callback is known by the message it carries, a notice by its subject.
    let port = receiver(arrivals.clone(), |fields| {
        match fields.get("action").map(String::as_str) {
            Some("group_notice") => fields.get("subject").cloned(),
            _ => fields.get("message").cloned(),
        }
    })
    .await;

    // Log everyone in and register the members' callbacks, 32 at a time.
    let owner = ("Bench Owner".to_owned(), token(0));
    let bots: Vec<(String, String)> = (1..=online)
        .map(|i| (format!("Bench Bot{i}"), token(i)))
        .collect();
    let setup = Instant::now();
    let jobs: Vec<(String, String)> = std::iter::once(owner.clone())
        .chain(bots.iter().cloned())
        .collect();
    for chunk in jobs.chunks(32) {
        let mut tasks = Vec::new();
        for (name, secret) in chunk.iter().cloned() {
            let api = api.clone();
            let hook = format!("http://127.0.0.1:{port}/{}", name.replace(' ', "_"));
            tasks.push(tokio::spawn(async move {
                api.call(&name, &secret, &[("action", "login")]).await;
                if name != "Bench Owner" {
                    let r = api
                        .call(
                            &name,
                            &secret,
                            &[
                                ("action", "set_http_callback"),
                                ("url", &hook),
                                ("events", "group_message,group_notice"),
                            ],
                        )
                        .await;
                    assert!(r.contains("result=OK"), "{name}: {r}");
                }
            }));
        }
        for t in tasks {
            t.await.expect("setup task");
        }
    }
    for (name, secret) in jobs.iter().rev().take(1).chain(std::iter::once(&owner)) {
        while !api
            .call(name, secret, &[("action", "status")])
            .await
            .contains("status=ONLINE")
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let group = {
        let r = api
            .call(&owner.0, &owner.1, &[("action", "listgroups")])
            .await;
        let fields: HashMap<String, String> = url::form_urlencoded::parse(r.as_bytes())
            .into_owned()
            .collect();
        fields
            .get("groups")
            .and_then(|g| g.split(';').next())
            .unwrap_or_default()
            .to_owned()
    };
    eprintln!(
        "setup: {} bots online with callbacks in {:?}",
        online,
        setup.elapsed()
    );

    // Fan-out: messages and notices to the group.
    let mut results = serde_json::Map::new();
    for kind in ["message", "notice"] {
        let mut committed = Vec::new();
        let mut last = Vec::new();
        for round in 0..rounds {
            let key = format!("{kind}-{round}");
            let start = Instant::now();
            let r = match kind {
                "message" => {
                    api.call(
                        &owner.0,
                        &owner.1,
                        &[
                            ("action", "send_group_im"),
                            ("groupuuid", &group),
                            ("message", &key),
                        ],
                    )
                    .await
                }
                _ => {
                    api.call(
                        &owner.0,
                        &owner.1,
                        &[
                            ("action", "send_notice"),
                            ("groupuuid", &group),
                            ("subject", &key),
                            ("text", "t"),
                        ],
                    )
                    .await
                }
            };
            let commit = start.elapsed();
            assert!(r.contains("result=OK"), "{kind}: {r}");
            let deadline = Instant::now() + Duration::from_secs(60);
            let arrived_last = loop {
                let done = {
                    let a = arrivals.lock().unwrap_or_else(|p| p.into_inner());
                    a.get(&key)
                        .filter(|v| v.len() >= online)
                        .and_then(|v| v.iter().max().copied())
                };
                if let Some(t) = done {
                    break t;
                }
                assert!(
                    Instant::now() < deadline,
                    "{key}: not every member's callback arrived"
                );
                tokio::time::sleep(Duration::from_millis(2)).await;
            };
            committed.push(commit.as_secs_f64() * 1000.0);
            last.push(arrived_last.duration_since(start).as_secs_f64() * 1000.0);
            // Notices: at most 3 in 5 s without pacing.
            tokio::time::sleep(Duration::from_millis(if kind == "notice" {
                2000
            } else {
                300
            }))
            .await;
        }
        results.insert(
            kind.to_owned(),
            json!({
                "rounds": rounds,
                "members": online + offline + 1,
                "online_receivers": online,
                "committed_ms_median": median(committed.clone()),
                "committed_ms_max": committed.iter().copied().fold(0.0, f64::max),
                "last_callback_ms_median": median(last.clone()),
                "last_callback_ms_max": last.iter().copied().fold(0.0, f64::max),
            }),
        );
    }

    // Admin operations, flat out.
    let greeters = {
        let r = api
            .call(
                &owner.0,
                &owner.1,
                &[("action", "list_group_roles"), ("groupuuid", &group)],
            )
            .await;
        let fields: HashMap<String, String> = url::form_urlencoded::parse(r.as_bytes())
            .into_owned()
            .collect();
        fields
            .get("roles")
            .and_then(|roles| {
                roles
                    .lines()
                    .find(|l| l.ends_with(";Greeters"))
                    .map(|l| l[..36].to_owned())
            })
            .unwrap_or_default()
    };
    let keys = |prefix: &str, n: usize| -> Vec<String> {
        (1..=n).map(|i| format!("{prefix}{i}")).collect()
    };
    let per_kind = guests.min(offline / 2);
    let mut ops: Vec<(&'static str, String)> = Vec::new();
    for name in keys("Bench Person", per_kind) {
        ops.push(("setrole", name));
    }
    for name in keys("Bench Guest", per_kind) {
        ops.push(("group_invite", name));
    }
    for name in (per_kind + 1..=2 * per_kind).map(|i| format!("Bench Person{i}")) {
        ops.push(("group_eject", name));
    }
    // Names to keys first (not timed).
    let mut uuids = HashMap::new();
    for chunk in ops.chunks(64) {
        let mut tasks = Vec::new();
        for (_, name) in chunk.iter().cloned() {
            let api = api.clone();
            let owner = owner.clone();
            tasks.push(tokio::spawn(async move {
                let r = api
                    .call(
                        &owner.0,
                        &owner.1,
                        &[("action", "name2key"), ("name", &name)],
                    )
                    .await;
                let fields: HashMap<String, String> = url::form_urlencoded::parse(r.as_bytes())
                    .into_owned()
                    .collect();
                (name, fields.get("key").cloned().unwrap_or_default())
            }));
        }
        for t in tasks {
            let (name, key) = t.await.expect("name2key");
            uuids.insert(name, key);
        }
    }
    let ops = Arc::new(ops);
    let uuids = Arc::new(uuids);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let failures = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let start = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..64 {
        let (api, ops, uuids, next, failures, owner, group, greeters) = (
            api.clone(),
            ops.clone(),
            uuids.clone(),
            next.clone(),
            failures.clone(),
            owner.clone(),
            group.clone(),
            greeters.clone(),
        );
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some((action, name)) = ops.get(i) else {
                    break;
                };
                let who = uuids.get(name).cloned().unwrap_or_default();
                let params: Vec<(&str, &str)> = match *action {
                    "setrole" => vec![
                        ("action", "setrole"),
                        ("groupuuid", &group),
                        ("roleuuid", &greeters),
                        ("member", &who),
                    ],
                    "group_invite" => vec![
                        ("action", "group_invite"),
                        ("groupuuid", &group),
                        ("avatar", &who),
                        ("roleuuid", "00000000-0000-0000-0000-000000000000"),
                    ],
                    _ => vec![
                        ("action", "group_eject"),
                        ("groupuuid", &group),
                        ("avatar", &who),
                    ],
                };
                let r = api.call(&owner.0, &owner.1, &params).await;
                if !r.contains("result=OK") {
                    failures.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
        }));
    }
    for w in workers {
        w.await.expect("admin worker");
    }
    let took = start.elapsed().as_secs_f64();
    results.insert(
        "admin".into(),
        json!({
            "operations": ops.len(),
            "failures": failures.load(std::sync::atomic::Ordering::Relaxed),
            "seconds": took,
            "ops_per_sec": (ops.len() as f64 / took).round(),
        }),
    );
    println!("{}", Value::Object(results));
}
