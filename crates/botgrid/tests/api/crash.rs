//! Crash safety: load against the real `botgrid` binary, killed with SIGKILL at random
//! moments and restarted. Afterwards every request that was answered OK is in the
//! store, each of its events reached the callback receiver at least once, no message
//! reached it as two different events, and the money ledger balances with every payment
//! applied exactly once.
//!
//! CI runs the short form (3 kills). The long form: `BOTGRID_CRASH_KILLS=100 cargo test
//! -p botgrid --test api crash -- --nocapture`. `BOTGRID_CRASH_SEED` replays a run.

use crate::harness::{Posted, Receiver};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use store::testing::TestDb;

const API_KEY: &str = "crash-test-api-key-0001";
const START_MONEY: i64 = 1_000_000;

/// A small random generator (xorshift), seeded so that a run can be repeated.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// The server as a child process.
struct Server {
    child: Child,
    url: String,
}

struct Setup {
    db: TestDb,
    dir: tempfile::TempDir,
    http: u16,
    simplex: u16,
}

impl Setup {
    fn start(&self) -> Server {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("server.log"))
            .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_botgrid"))
            .current_dir(self.dir.path())
            .args(["serve", "--no-demo", "--database", &self.db.url])
            .arg("--data")
            .arg(self.dir.path())
            .args(["--http", &format!("127.0.0.1:{}", self.http)])
            .args(["--simplex", &format!("127.0.0.1:{}", self.simplex)])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        Server {
            child,
            url: format!("http://127.0.0.1:{}", self.http),
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn wait_ready(client: &reqwest::Client, server: &Server) {
    for _ in 0..200 {
        if let Ok(r) = client.get(format!("{}/healthz", server.url)).send().await
            && r.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the server did not come up");
}

/// One SmartBots call; `None` when no answer came (the server was killed).
async fn call(
    client: &reqwest::Client,
    url: &str,
    bot: &str,
    secret: &str,
    params: &[(&str, &str)],
) -> Option<Posted> {
    let mut all = vec![("apikey", API_KEY), ("botname", bot), ("secret", secret)];
    all.extend_from_slice(params);
    let body = client
        .post(format!("{url}/api/bot.html"))
        .form(&all)
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    Some(
        url::form_urlencoded::parse(body.as_bytes())
            .into_owned()
            .collect(),
    )
}

fn ok(reply: &Posted) -> bool {
    reply.get("result").map(String::as_str) == Some("OK")
}

#[derive(Default)]
struct Outcomes {
    /// Texts of IMs and group messages answered OK.
    sent: Vec<String>,
    /// Payments (their `custom` tags) answered OK, and those with no answer.
    paid: BTreeSet<String>,
    unknown_payments: BTreeSet<String>,
    failures: Vec<String>,
}

fn pay_params(tag: &str, lin_uuid: &str) -> Vec<(&'static str, String)> {
    vec![
        ("action", "give_money".into()),
        ("avatar", lin_uuid.into()),
        ("amount", "1".into()),
        ("comment", "crash test".into()),
        ("custom", tag.into()),
    ]
}

async fn pay(client: &reqwest::Client, url: &str, tag: &str, lin_uuid: &str) -> Option<Posted> {
    let params = pay_params(tag, lin_uuid);
    let refs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    call(client, url, "Ada Resident", "ada-secret-1", &refs).await
}

/// Runs the load until `stop`, recording what was answered.
async fn load(
    client: reqwest::Client,
    url: String,
    cycle: usize,
    lin_uuid: String,
    group: String,
    stop: Arc<AtomicBool>,
    out: Arc<Mutex<Outcomes>>,
) {
    let ims = {
        let (client, url, stop, out) = (client.clone(), url.clone(), stop.clone(), out.clone());
        async move {
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                let text = format!("im {cycle}.{n}");
                n += 1;
                let params = [
                    ("action", "im"),
                    ("slname", "Lin Resident"),
                    ("message", &text),
                ];
                match call(&client, &url, "Ada Resident", "ada-secret-1", &params).await {
                    Some(r) if ok(&r) => out.lock().unwrap().sent.push(text),
                    Some(r) => out.lock().unwrap().failures.push(format!("{text}: {r:?}")),
                    None => break,
                }
            }
        }
    };
    let chat = {
        let (client, url, stop, out) = (client.clone(), url.clone(), stop.clone(), out.clone());
        async move {
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                let text = format!("chat {cycle}.{n}");
                n += 1;
                let params = [
                    ("action", "send_group_im"),
                    ("groupuuid", group.as_str()),
                    ("message", &text),
                ];
                match call(&client, &url, "Ada Resident", "ada-secret-1", &params).await {
                    Some(r) if ok(&r) => out.lock().unwrap().sent.push(text),
                    Some(r) => out.lock().unwrap().failures.push(format!("{text}: {r:?}")),
                    None => break,
                }
            }
        }
    };
    let money = async move {
        let mut n = 0;
        while !stop.load(Ordering::SeqCst) {
            let tag = format!("pay-{cycle}-{n}");
            n += 1;
            match pay(&client, &url, &tag, &lin_uuid).await {
                Some(r) if ok(&r) => {
                    out.lock().unwrap().paid.insert(tag);
                }
                Some(r) => out.lock().unwrap().failures.push(format!("{tag}: {r:?}")),
                None => {
                    out.lock().unwrap().unknown_payments.insert(tag);
                    break;
                }
            }
        }
    };
    tokio::join!(ims, chat, money);
}

fn seed(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("seed.json");
    let world = serde_json::json!({
        "developers": [{"name": "Crash Test", "api_key": API_KEY}],
        "avatars": [
            {"name": "Ada Resident", "bot": true, "access_code": "ada-secret-1", "money": START_MONEY},
            {"name": "Lin Resident", "bot": true, "access_code": "lin-secret-1"}
        ],
        "groups": [{"name": "Crashers", "founder": "Ada Resident",
                    "members": [{"name": "Lin Resident"}]}]
    });
    std::fs::write(&path, world.to_string()).unwrap();
    std::fs::write(
        dir.join("botgrid.toml"),
        "[throttle]\nper_second = 0\n[presence]\nlogin_delay_ms = 10\nlogout_delay_ms = 10\n\
         [callbacks]\nfirst_retry_ms = 50\nmax_retry_ms = 500\n",
    )
    .unwrap();
    path
}

#[tokio::test]
async fn every_ok_survives_sigkill_and_nothing_is_applied_twice() {
    let kills: usize = std::env::var("BOTGRID_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let seed_value: u64 = std::env::var("BOTGRID_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    println!("crash test: {kills} kills, BOTGRID_CRASH_SEED={seed_value}");
    let mut rng = Rng(seed_value);
    let setup = Setup {
        db: TestDb::new(),
        dir: tempfile::tempdir().unwrap(),
        http: free_port(),
        simplex: free_port(),
    };
    let seed_file = seed(setup.dir.path());
    admin_json(&setup, &["seed", seed_file.to_str().unwrap()]);

    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let hook = Receiver::start().await;
    let out = Arc::new(Mutex::new(Outcomes::default()));
    let mut lin_uuid = String::new();
    let mut group = String::new();

    for cycle in 0..=kills {
        let mut server = setup.start();
        wait_ready(&client, &server).await;
        let url = server.url.clone();
        for (bot, secret) in [
            ("Ada Resident", "ada-secret-1"),
            ("Lin Resident", "lin-secret-1"),
        ] {
            let r = call(&client, &url, bot, secret, &[("action", "login")]).await;
            assert!(r.as_ref().is_some_and(ok), "login: {r:?}");
        }
        if cycle == 0 {
            let r = call(
                &client,
                &url,
                "Lin Resident",
                "lin-secret-1",
                &[
                    ("action", "set_http_callback"),
                    ("url", &hook.url()),
                    ("events", "instant_message,group_message,balance_changed"),
                ],
            )
            .await
            .unwrap();
            assert!(ok(&r), "{r:?}");
            let status = call(
                &client,
                &url,
                "Lin Resident",
                "lin-secret-1",
                &[("action", "status")],
            )
            .await
            .unwrap();
            lin_uuid = status["uuid"].clone();
            group = admin_json(&setup, &["group", "list"])[0]["uuid"]
                .as_str()
                .unwrap()
                .to_owned();
        }
        // Payments whose answer was lost are asked again with the same tag: applied once.
        let unknown: Vec<String> = out
            .lock()
            .unwrap()
            .unknown_payments
            .iter()
            .cloned()
            .collect();
        for tag in unknown {
            // As the error text says: a store failure wrote nothing and may be retried
            // (on PostgreSQL the killed server's transaction can still be finishing).
            let mut r = pay(&client, &url, &tag, &lin_uuid).await.unwrap();
            for _ in 0..20 {
                if r.get("resulttext").map(String::as_str) != Some("Internal error, please retry") {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
                r = pay(&client, &url, &tag, &lin_uuid).await.unwrap();
            }
            assert!(ok(&r), "retrying {tag}: {r:?}");
            let mut o = out.lock().unwrap();
            o.unknown_payments.remove(&tag);
            o.paid.insert(tag);
        }
        if cycle == kills {
            // The last start: no kill; let delivery finish.
            finish(&client, &url, &hook, &out, &setup).await;
            let _ = server.child.kill();
            let _ = server.child.wait();
            return;
        }
        let stop = Arc::new(AtomicBool::new(false));
        let running = tokio::spawn(load(
            client.clone(),
            url.clone(),
            cycle,
            lin_uuid.clone(),
            group.clone(),
            stop.clone(),
            out.clone(),
        ));
        tokio::time::sleep(Duration::from_millis(100 + rng.below(600))).await;
        server.child.kill().unwrap(); // SIGKILL
        server.child.wait().unwrap();
        stop.store(true, Ordering::SeqCst);
        running.await.unwrap();
    }
}

/// `botgrid admin --json …` on the test's database.
fn admin_json(setup: &Setup, args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_botgrid"))
        .args(["admin", "--json", "--database", &setup.db.url])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "admin {args:?}: {out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

async fn finish(
    client: &reqwest::Client,
    url: &str,
    hook: &Receiver,
    out: &Arc<Mutex<Outcomes>>,
    setup: &Setup,
) {
    let (sent, paid, failures) = {
        let o = out.lock().unwrap();
        (o.sent.clone(), o.paid.clone(), o.failures.clone())
    };
    assert!(failures.is_empty(), "commands answered FAIL: {failures:?}");
    println!(
        "crash test: {} messages and {} payments answered OK",
        sent.len(),
        paid.len()
    );

    // Every OK'd message reaches the receiver (at least once).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let posts = loop {
        let posts = hook.received();
        let seen: BTreeSet<&str> = posts
            .iter()
            .filter_map(|p| p.get("message").map(String::as_str))
            .collect();
        let incoming = posts
            .iter()
            .filter(|p| p.get("direction").map(String::as_str) == Some("INCOMING"))
            .filter_map(|p| p.get("event_id"))
            .collect::<BTreeSet<_>>()
            .len();
        let missing: Vec<&String> = sent.iter().filter(|t| !seen.contains(t.as_str())).collect();
        if missing.is_empty() && incoming >= paid.len() {
            break posts;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not delivered after the crashes: {} messages ({:?}…), {incoming} of {} payments",
            missing.len(),
            missing.first(),
            paid.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };

    // No message became two events (a repeat POST carries the same event id).
    let mut ids_of: HashMap<(&str, &str), BTreeSet<&str>> = HashMap::new();
    for p in &posts {
        if let (Some(action), Some(text), Some(id)) =
            (p.get("action"), p.get("message"), p.get("event_id"))
        {
            ids_of
                .entry((action.as_str(), text.as_str()))
                .or_default()
                .insert(id.as_str());
        }
    }
    for ((action, text), ids) in &ids_of {
        assert_eq!(ids.len(), 1, "{action} {text:?} arrived as events {ids:?}");
    }

    // Each payment applied exactly once: Lin holds one L$ per payment, Ada the rest,
    // each payment was one balance_changed event, and the ledger agrees.
    let incoming: BTreeSet<&str> = posts
        .iter()
        .filter(|p| p.get("direction").map(String::as_str) == Some("INCOMING"))
        .filter_map(|p| p.get("event_id").map(String::as_str))
        .collect();
    assert_eq!(
        incoming.len(),
        paid.len(),
        "one balance_changed per payment"
    );
    let balance = |bot: &'static str, secret: &'static str| async move {
        call(client, url, bot, secret, &[("action", "get_balance")])
            .await
            .unwrap()["balance"]
            .parse::<i64>()
            .unwrap()
    };
    assert_eq!(
        balance("Lin Resident", "lin-secret-1").await,
        paid.len() as i64
    );
    assert_eq!(
        balance("Ada Resident", "ada-secret-1").await,
        START_MONEY - paid.len() as i64
    );
    let audit = admin_json(setup, &["money", "audit"]);
    assert_eq!(audit["balanced"], true, "{audit}");
}
