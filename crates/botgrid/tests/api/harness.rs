//! A real botgrid on an ephemeral port, a real callback receiver, and a client.

use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::routing::post;
use botgrid::{Running, Settings};
use engine::AvatarSpec;
use grid::{AvatarKind, LegacyName, Uuid};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use store::testing::TestDb;
use tokio::sync::Notify;

/// A running grid and what it needs to stay alive.
pub struct Grid {
    pub running: Running,
    pub db: TestDb,
    pub data: tempfile::TempDir,
    pub settings: Settings,
    pub api_key: String,
    pub client: reqwest::Client,
}

/// A bot the tests drive.
#[derive(Clone, Debug)]
pub struct Bot {
    pub name: String,
    pub secret: String,
    pub uuid: Uuid,
}

/// Settings for tests: fast presence, fast retries, no demo.
pub fn test_settings(db: &TestDb, data: &std::path::Path) -> Settings {
    let mut s = Settings {
        data: data.to_owned(),
        database: Some(db.url.clone()),
        http: SocketAddr::from(([127, 0, 0, 1], 0)),
        simplex: SocketAddr::from(([127, 0, 0, 1], 0)),
        demo: false,
        ..Settings::default()
    };
    s.engine.login_delay = Duration::from_millis(30);
    s.engine.logout_delay = Duration::from_millis(30);
    s.engine.remote_lookup_wait = Duration::from_secs(1);
    s.callbacks.first_retry = Duration::from_millis(50);
    s.callbacks.max_retry = Duration::from_millis(400);
    s.callbacks.timeout = Duration::from_secs(2);
    s.callbacks.rescan = Duration::from_millis(500);
    s
}

impl Grid {
    pub async fn start() -> Grid {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut Settings)) -> Grid {
        let db = TestDb::new();
        let data = tempfile::tempdir().unwrap();
        let mut settings = test_settings(&db, data.path());
        adjust(&mut settings);
        let running = botgrid::start(&settings).await.expect("server starts");
        let (_, api_key) = running
            .engine
            .create_developer("Tester", None)
            .await
            .unwrap();
        Grid {
            running,
            db,
            data,
            settings,
            api_key,
            client: reqwest::Client::new(),
        }
    }

    /// Stops the server and starts a new one on the same database.
    pub async fn restart(self) -> Grid {
        let Grid {
            running,
            db,
            data,
            settings,
            api_key,
            client,
        } = self;
        running.shutdown().await;
        let running = botgrid::start(&settings).await.expect("server restarts");
        Grid {
            running,
            db,
            data,
            settings,
            api_key,
            client,
        }
    }

    /// The port of the SimpleX WebSocket API (simploxide's builder connects to
    /// 127.0.0.1 on a port).
    pub fn simplex_port(&self) -> u16 {
        self.running.simplex.port()
    }

    pub fn url(&self) -> String {
        format!("http://{}/api/bot.html", self.running.http)
    }

    pub async fn bot(&self, name: &str) -> Bot {
        let spec = AvatarSpec::new(LegacyName::parse(name).unwrap(), AvatarKind::Bot);
        let (avatar, code) = self.running.engine.create_avatar(spec).await.unwrap();
        Bot {
            name: avatar.name.to_string(),
            secret: code.unwrap(),
            uuid: avatar.uuid,
        }
    }

    pub async fn person(&self, name: &str) -> Uuid {
        self.person_with(AvatarSpec::new(
            LegacyName::parse(name).unwrap(),
            AvatarKind::Person,
        ))
        .await
    }

    pub async fn person_with(&self, spec: AvatarSpec) -> Uuid {
        self.running
            .engine
            .create_avatar(spec)
            .await
            .unwrap()
            .0
            .uuid
    }

    fn base<'a>(&'a self, bot: &'a Bot, action: &'a str) -> Vec<(&'a str, &'a str)> {
        vec![
            ("action", action),
            ("apikey", self.api_key.as_str()),
            ("botname", bot.name.as_str()),
            ("secret", bot.secret.as_str()),
        ]
    }

    /// GET with URL-encoded reply.
    pub async fn call(&self, bot: &Bot, action: &str, params: &[(&str, &str)]) -> Reply {
        let mut all = self.base(bot, action);
        all.extend_from_slice(params);
        self.get_raw(&all).await
    }

    /// GET with `dataType=json`.
    pub async fn call_json(
        &self,
        bot: &Bot,
        action: &str,
        params: &[(&str, &str)],
    ) -> serde_json::Value {
        let mut all = self.base(bot, action);
        all.extend_from_slice(params);
        all.push(("dataType", "json"));
        let res = self
            .client
            .get(self.url())
            .query(&all)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "application/json");
        res.json().await.unwrap()
    }

    /// GET with exactly these parameters.
    pub async fn get_raw(&self, params: &[(&str, &str)]) -> Reply {
        let res = self
            .client
            .get(self.url())
            .query(params)
            .send()
            .await
            .unwrap();
        Reply::read(res).await
    }

    /// POST a raw body with a content type (and optionally a raw query string).
    pub async fn post_raw(
        &self,
        query: &str,
        body: impl Into<reqwest::Body>,
        content_type: &str,
    ) -> Reply {
        let url = if query.is_empty() {
            self.url()
        } else {
            format!("{}?{query}", self.url())
        };
        let res = self
            .client
            .post(url)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        Reply::read(res).await
    }

    /// Creates a group as the operator (no powers checked); returns its UUID.
    pub async fn group(&self, spec: engine::GroupSpec) -> grid::Uuid {
        self.running.engine.create_group(spec).await.unwrap().uuid
    }

    /// Opens a region on an estate (as the operator); `managers` run its estate.
    pub async fn region(&self, name: &str, estate: &str, managers: &[&str]) {
        self.running
            .engine
            .create_region(engine::RegionSpec {
                name: name.into(),
                estate: estate.into(),
                managers: managers
                    .iter()
                    .map(|m| LegacyName::parse(m).unwrap())
                    .collect(),
            })
            .await
            .unwrap();
    }

    /// Grants an avatar L$ (as the operator).
    pub async fn grant(&self, name: &str, amount: i64) {
        self.running
            .engine
            .grant_money(&LegacyName::parse(name).unwrap(), amount, String::new())
            .await
            .unwrap();
    }

    /// The UUID of a role of a group, by name.
    pub async fn role(&self, group: &str, role: &str) -> String {
        self.running
            .engine
            .group_roles(group)
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.name == role)
            .unwrap_or_else(|| panic!("{group} has no role {role}"))
            .uuid
            .to_string()
    }

    /// Calls a command and asserts it succeeded.
    pub async fn ok(&self, bot: &Bot, action: &str, params: &[(&str, &str)]) -> Reply {
        let r = self.call(bot, action, params).await;
        assert!(r.ok(), "{action} {params:?} failed: {}", r.raw);
        r
    }

    /// POSTs to `/api/simple.html` and returns the plain-text (or JSON) body.
    pub async fn simple(&self, params: &[(&str, &str)]) -> String {
        let res = self
            .client
            .post(format!("http://{}/api/simple.html", self.running.http))
            .form(params)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        res.text().await.unwrap()
    }

    /// Logs a bot in and waits until it is ONLINE.
    pub async fn login(&self, bot: &Bot) {
        assert!(self.call(bot, "login", &[]).await.ok());
        self.wait_status(bot, "ONLINE").await;
    }

    pub async fn wait_status(&self, bot: &Bot, status: &str) {
        for _ in 0..200 {
            if self.call(bot, "status", &[]).await.get("status") == status {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("{} never reached {status}", bot.name);
    }

    /// Registers a callback URL for a bot.
    pub async fn callback(&self, bot: &Bot, url: &str, events: &str) {
        let r = self
            .call(
                bot,
                "set_http_callback",
                &[("url", url), ("events", events)],
            )
            .await;
        assert!(r.ok(), "set_http_callback failed: {}", r.raw);
    }
}

/// A URL-encoded reply.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub raw: String,
    pub fields: Vec<(String, String)>,
}

impl Reply {
    pub async fn read(res: reqwest::Response) -> Reply {
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let raw = res.text().await.unwrap();
        let fields = if raw.starts_with('{') {
            let v: serde_json::Value = serde_json::from_str(&raw).unwrap();
            v.as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str()
                            .map(str::to_owned)
                            .unwrap_or_else(|| v.to_string()),
                    )
                })
                .collect()
        } else {
            url::form_urlencoded::parse(raw.as_bytes())
                .into_owned()
                .collect()
        };
        Reply {
            status,
            headers,
            raw,
            fields,
        }
    }

    pub fn get(&self, key: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    pub fn has(&self, key: &str) -> bool {
        self.fields.iter().any(|(k, _)| k == key)
    }

    pub fn ok(&self) -> bool {
        self.get("result") == "OK"
    }

    /// The lines of a list value.
    pub fn lines(&self, key: &str) -> Vec<String> {
        self.get(key).lines().map(str::to_owned).collect()
    }

    /// Asserts a FAIL with this text, answered with HTTP 200 like SmartBots.
    #[track_caller]
    pub fn assert_fail(&self, text: &str) {
        assert_eq!(
            self.get("result"),
            "FAIL",
            "expected FAIL {text:?}, got {}",
            self.raw
        );
        assert_eq!(self.get("resulttext"), text, "reply: {}", self.raw);
        assert_eq!(self.status, 200, "FAIL replies are HTTP 200");
    }

    /// Asserts OK and that every field is one the command documents.
    #[track_caller]
    pub fn assert_ok_for(&self, action: &str) {
        assert!(self.ok(), "expected OK for {action}, got {}", self.raw);
        let def = smartbots::commands::find(action).expect("known action");
        for (k, _) in &self.fields {
            let base = ["action", "result", "resulttext", "custom"].contains(&k.as_str());
            assert!(
                base || def.outputs.iter().any(|o| o.name == k),
                "{action} answered undocumented field {k}"
            );
        }
    }
}

/// One POST a callback receiver got.
pub type Posted = HashMap<String, String>;

/// The Standard Webhooks headers and body of one POST attempt.
#[derive(Clone, Debug)]
pub struct Attempt {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: String,
}

/// An HTTP server on 127.0.0.1 that records callback POSTs.
#[derive(Clone)]
pub struct Receiver {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<Posted>>>,
    attempts: Arc<AtomicU32>,
    fail_next: Arc<AtomicU32>,
    stall_next: Arc<AtomicU32>,
    answer: Arc<Mutex<String>>,
    content_types: Arc<Mutex<Vec<String>>>,
    notify: Arc<Notify>,
    signed: Arc<Mutex<Vec<Attempt>>>,
    delay_ms: Arc<AtomicU32>,
    refuse: Arc<Mutex<Option<String>>>,
    busy: Arc<AtomicU32>,
    most_busy: Arc<AtomicU32>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::serve(listener)
    }

    /// Starts on a given address (to bring back a receiver that was down).
    pub async fn start_on(addr: SocketAddr) -> Receiver {
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        Self::serve(listener)
    }

    /// An address nothing listens on (yet).
    pub async fn free_addr() -> SocketAddr {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        l.local_addr().unwrap()
    }

    fn serve(listener: tokio::net::TcpListener) -> Receiver {
        let r = Receiver {
            addr: listener.local_addr().unwrap(),
            received: Default::default(),
            attempts: Default::default(),
            fail_next: Default::default(),
            stall_next: Default::default(),
            answer: Default::default(),
            content_types: Default::default(),
            notify: Default::default(),
            signed: Default::default(),
            delay_ms: Default::default(),
            refuse: Default::default(),
            busy: Default::default(),
            most_busy: Default::default(),
        };
        let state = r.clone();
        let app = Router::new().route(
            "/{*path}",
            post(move |headers: axum::http::HeaderMap, body: Bytes| {
                let state = state.clone();
                async move {
                    state.attempts.fetch_add(1, Ordering::SeqCst);
                    let header = |name: &str| {
                        headers
                            .get(name)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("")
                            .to_owned()
                    };
                    state.signed.lock().unwrap().push(Attempt {
                        id: header("webhook-id"),
                        timestamp: header("webhook-timestamp"),
                        signature: header("webhook-signature"),
                        body: String::from_utf8_lossy(&body).into_owned(),
                    });
                    let now = state.busy.fetch_add(1, Ordering::SeqCst) + 1;
                    state.most_busy.fetch_max(now, Ordering::SeqCst);
                    let delay = state.delay_ms.load(Ordering::SeqCst);
                    if delay > 0 {
                        tokio::time::sleep(Duration::from_millis(delay.into())).await;
                    }
                    state.busy.fetch_sub(1, Ordering::SeqCst);
                    let stalling = state
                        .stall_next
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok();
                    if stalling {
                        tokio::time::sleep(Duration::from_secs(3)).await;
                        return (StatusCode::OK, String::new());
                    }
                    let refused = state
                        .refuse
                        .lock()
                        .unwrap()
                        .as_ref()
                        .is_some_and(|t| String::from_utf8_lossy(&body).contains(t.as_str()));
                    let failing = refused
                        || state
                            .fail_next
                            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                            .is_ok();
                    if failing {
                        return (StatusCode::INTERNAL_SERVER_ERROR, String::new());
                    }
                    let ct = headers
                        .get("content-type")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_owned();
                    state.content_types.lock().unwrap().push(ct);
                    let fields: Posted = url::form_urlencoded::parse(&body).into_owned().collect();
                    state.received.lock().unwrap().push(fields);
                    state.notify.notify_waiters();
                    let answer = state.answer.lock().unwrap().clone();
                    (StatusCode::OK, answer)
                }
            }),
        );
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        r
    }

    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    /// Makes the next `n` POSTs fail with HTTP 500.
    pub fn fail_next(&self, n: u32) {
        self.fail_next.store(n, Ordering::SeqCst);
    }

    /// Makes every later POST answer with this body.
    pub fn reply_with(&self, body: &str) {
        *self.answer.lock().unwrap() = body.to_owned();
    }

    /// Makes the next `n` POSTs answer only after 3 s (past a short delivery timeout).
    pub fn stall_next(&self, n: u32) {
        self.stall_next.store(n, Ordering::SeqCst);
    }

    /// Answers HTTP 500 to every POST whose body contains `text` (`None`: stop).
    pub fn refuse_containing(&self, text: Option<&str>) {
        *self.refuse.lock().unwrap() = text.map(str::to_owned);
    }

    /// Makes every later POST take this long to answer.
    pub fn delay(&self, ms: u32) {
        self.delay_ms.store(ms, Ordering::SeqCst);
    }

    /// The most POSTs it was answering at once.
    pub fn most_at_once(&self) -> u32 {
        self.most_busy.load(Ordering::SeqCst)
    }

    /// Every attempt's signature headers and body, failed ones included.
    pub fn signed(&self) -> Vec<Attempt> {
        self.signed.lock().unwrap().clone()
    }

    pub fn attempts(&self) -> u32 {
        self.attempts.load(Ordering::SeqCst)
    }

    pub fn received(&self) -> Vec<Posted> {
        self.received.lock().unwrap().clone()
    }

    pub fn content_types(&self) -> Vec<String> {
        self.content_types.lock().unwrap().clone()
    }

    /// The POSTs of one event kind.
    pub fn of(&self, action: &str) -> Vec<Posted> {
        self.received()
            .into_iter()
            .filter(|p| p.get("action").map(String::as_str) == Some(action))
            .collect()
    }

    /// Waits until at least `n` POSTs of `action` arrived (or fails after 10 s).
    pub async fn wait_for(&self, action: &str, n: usize) -> Vec<Posted> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let notified = self.notify.notified();
            let got = self.of(action);
            if got.len() >= n {
                return got;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!(
                    "only {} of {n} {action} callbacks arrived: {:?}",
                    got.len(),
                    self.received()
                );
            }
        }
    }

    /// Waits until a POST whose `key` is `value` arrived (or fails after 10 s); returns
    /// the latest.
    pub async fn wait_for_field(&self, key: &str, value: &str) -> Posted {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let notified = self.notify.notified();
            if let Some(p) = self
                .received()
                .into_iter()
                .rev()
                .find(|p| p.get(key).map(String::as_str) == Some(value))
            {
                return p;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!("no POST with {key}={value}: {:?}", self.received());
            }
        }
    }

    /// Waits a little and returns what arrived (for asserting that nothing more came).
    pub async fn settle(&self) -> Vec<Posted> {
        tokio::time::sleep(Duration::from_millis(300)).await;
        self.received()
    }
}
