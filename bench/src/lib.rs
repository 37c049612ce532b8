//! Pieces the SmartBots scenario binaries share: reading their command line and
//! `creds.json`, calling the HTTP API as a bot, receiving callbacks, and summing up
//! latencies.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The value after `--name` on the command line.
pub fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// A number given as `--name N`, else `default`.
pub fn num(name: &str, default: usize) -> usize {
    arg(name).and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Whether `--name` is on the command line.
pub fn flag(name: &str) -> bool {
    std::env::args().any(|a| a == name)
}

/// The `creds.json` named by `--creds`.
pub fn creds() -> Value {
    let path = arg("--creds").expect("--creds");
    serde_json::from_str(&std::fs::read_to_string(path).expect("creds.json")).expect("json")
}

/// The value at quantile `q` (0 to 1) of some samples; 0 when there are none.
pub fn quantile(mut v: Vec<f64>, q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(((v.len() as f64 - 1.0) * q).round() as usize)
        .copied()
        .unwrap_or(0.0)
}

/// The SmartBots HTTP API of the server under test, called as bots of one developer.
pub struct Api {
    client: reqwest::Client,
    url: String,
    key: String,
    /// The name and secret of the scenario's bot number `i`.
    bot: fn(usize) -> (String, String),
}

impl Api {
    /// An API at `--url` with the developer key of `creds`, keeping up to `idle`
    /// connections open.
    pub fn new(creds: &Value, idle: usize) -> Api {
        Api {
            client: reqwest::Client::builder()
                .pool_max_idle_per_host(idle)
                .build()
                .expect("client"),
            url: arg("--url").expect("--url"),
            key: creds["api_key"].as_str().unwrap_or_default().to_owned(),
            bot: |i| (format!("bot {i}"), String::new()),
        }
    }

    /// Names the scenario's bots: `bot(i)` is bot number `i`'s name and secret.
    pub fn bots(self, bot: fn(usize) -> (String, String)) -> Api {
        Api { bot, ..self }
    }

    /// Calls the API as the scenario's bot number `i`.
    pub async fn call_bot(&self, i: usize, params: &[(&str, &str)]) -> String {
        let (name, secret) = (self.bot)(i);
        self.call(&name, &secret, params).await
    }

    /// Calls the API as `bot`; the reply's body, or a FAIL line when the call failed.
    pub async fn call(&self, bot: &str, secret: &str, params: &[(&str, &str)]) -> String {
        let mut form = vec![
            ("apikey", self.key.as_str()),
            ("botname", bot),
            ("secret", secret),
        ];
        form.extend_from_slice(params);
        match self.client.post(&self.url).form(&form).send().await {
            Ok(r) => r.text().await.unwrap_or_default(),
            Err(e) => format!("result=FAIL&resulttext={e}"),
        }
    }
}

/// When callbacks arrived, by the key `receiver` found in them.
pub type Arrivals = Arc<Mutex<HashMap<String, Vec<Instant>>>>;

/// Starts a callback receiver on 127.0.0.1 and returns its port. Each callback's
/// arrival is noted under the key `key_of` finds in its fields (none: not noted).
pub async fn receiver(
    arrivals: Arrivals,
    key_of: fn(&HashMap<String, String>) -> Option<String>,
) -> u16 {
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
                        let fields: HashMap<String, String> =
                            url::form_urlencoded::parse(&body).into_owned().collect();
                        if let Some(key) = key_of(&fields) {
                            let mut a = arrivals.lock().unwrap_or_else(|p| p.into_inner());
                            a.entry(key).or_default().push(at);
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
