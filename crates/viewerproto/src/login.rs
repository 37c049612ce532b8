//! `login_to_simulator` over XML-RPC: what a viewer sends to a grid's login URI and what
//! the grid answers (the agent's ids, the circuit code, the region's UDP address and
//! its seed capability).

use crate::xmlrpc::{self, Value};
use crate::{Error, Uuid};
use md5::{Digest, Md5};
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

/// The method name of a login.
pub const METHOD: &str = "login_to_simulator";

/// What the grid is told about the client.
pub const CHANNEL: &str = "botgrid";

/// The password as the protocol sends it: `$1$` and the MD5 of the password in hex.
/// It is all a grid ever sees, so it is also all botgrid needs to keep.
pub fn password_hash(password: &str) -> String {
    if is_password_hash(password) {
        return password.to_owned();
    }
    let digest = Md5::digest(password.as_bytes());
    let mut out = String::from("$1$");
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Whether a string is already in the `$1$` + 32 hex digits form.
pub fn is_password_hash(s: &str) -> bool {
    s.len() == 35 && s.starts_with("$1$") && s[3..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// A login request.
#[derive(Debug, Clone)]
pub struct LoginRequest {
    pub first: String,
    pub last: String,
    /// `$1$` + MD5 hex (see [`password_hash`]).
    pub passwd: String,
    /// `last`, `home`, or `uri:Region&x&y&z`.
    pub start: String,
    pub version: String,
    /// A stable per-account hardware id (grids want one; a hash of the account here).
    pub mac: String,
}

impl LoginRequest {
    /// The XML-RPC body.
    pub fn to_xml(&self) -> String {
        let s = |v: &str| Value::Str(v.to_owned());
        let param = Value::Struct(vec![
            ("first".into(), s(&self.first)),
            ("last".into(), s(&self.last)),
            ("passwd".into(), s(&self.passwd)),
            ("start".into(), s(&self.start)),
            ("channel".into(), s(CHANNEL)),
            ("version".into(), s(&self.version)),
            ("platform".into(), s("Lnx")),
            ("mac".into(), s(&self.mac)),
            ("id0".into(), s(&self.mac)),
            ("agree_to_tos".into(), Value::Bool(true)),
            ("read_critical".into(), Value::Bool(true)),
            (
                "viewer_digest".into(),
                s("00000000-0000-0000-0000-000000000000"),
            ),
            (
                "options".into(),
                Value::Array(
                    ["inventory-root", "buddy-list", "login-flags"]
                        .into_iter()
                        .map(s)
                        .collect(),
                ),
            ),
        ]);
        xmlrpc::method_call(METHOD, &param)
    }

    /// Reads a login request (the test region's side).
    pub fn from_xml(xml: &str) -> Result<LoginRequest, Error> {
        let call = xmlrpc::parse_call(xml)?;
        if call.method != METHOD {
            return Err(Error::Malformed("not a login_to_simulator call"));
        }
        let p = call
            .params
            .first()
            .ok_or(Error::Malformed("login without parameters"))?;
        let get = |k: &str| p.get(k).and_then(Value::text).unwrap_or_default();
        Ok(LoginRequest {
            first: get("first"),
            last: get("last"),
            passwd: get("passwd"),
            start: get("start"),
            version: get("version"),
            mac: get("mac"),
        })
    }
}

/// A successful login.
#[derive(Debug, Clone, PartialEq)]
pub struct LoginReply {
    pub agent_id: Uuid,
    pub session_id: Uuid,
    pub secure_session_id: Uuid,
    pub circuit_code: u32,
    /// The region's UDP address.
    pub sim: SocketAddr,
    pub seed_capability: String,
    pub first_name: String,
    pub last_name: String,
    /// The region's corner in metres (grid x and y × 256).
    pub region_x: u32,
    pub region_y: u32,
    pub message: String,
    /// The root folder of the agent's inventory (the `inventory-root` option).
    pub inventory_root: Option<Uuid>,
    /// The agent's friends (the `buddy-list` option).
    pub buddies: Vec<Buddy>,
}

/// The rights friends grant each other, as bits.
pub mod rights {
    pub const SEE_ONLINE: u32 = 1;
    pub const SEE_ON_MAP: u32 = 2;
    pub const MODIFY_OBJECTS: u32 = 4;
}

/// A friend in the login reply, with the rights each side grants ([`rights`] bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Buddy {
    pub id: Uuid,
    /// What the agent grants the friend.
    pub rights_given: u32,
    /// What the friend grants the agent.
    pub rights_has: u32,
}

impl LoginReply {
    /// Reads the grid's answer: the reply, or [`Error::Login`] with the grid's reason
    /// (`presence`, `key`, …) and message.
    pub fn from_value(v: &Value) -> Result<LoginReply, Error> {
        let text = |k: &str| v.get(k).and_then(Value::text).unwrap_or_default();
        if text("login") != "true" {
            let reason = text("reason");
            let message = text("message");
            return Err(Error::Refused { reason, message });
        }
        let uuid = |k: &'static str| -> Result<Uuid, Error> {
            text(k).parse().map_err(|_| Error::Malformed(k))
        };
        let int = |k: &'static str| -> Result<i64, Error> {
            v.get(k).and_then(Value::int).ok_or(Error::Malformed(k))
        };
        let ip: Ipv4Addr = text("sim_ip")
            .parse()
            .map_err(|_| Error::Malformed("sim_ip"))?;
        let port = u16::try_from(int("sim_port")?).map_err(|_| Error::Malformed("sim_port"))?;
        // Grids quote the names ("\"Ann\"").
        let unquote = |s: String| s.trim_matches('"').to_owned();
        Ok(LoginReply {
            agent_id: uuid("agent_id")?,
            session_id: uuid("session_id")?,
            secure_session_id: uuid("secure_session_id")?,
            circuit_code: u32::try_from(int("circuit_code")?)
                .map_err(|_| Error::Malformed("circuit_code"))?,
            sim: SocketAddr::from((ip, port)),
            seed_capability: text("seed_capability"),
            first_name: unquote(text("first_name")),
            last_name: unquote(text("last_name")),
            region_x: int("region_x")
                .ok()
                .and_then(|x| u32::try_from(x).ok())
                .unwrap_or(0),
            region_y: int("region_y")
                .ok()
                .and_then(|y| u32::try_from(y).ok())
                .unwrap_or(0),
            message: text("message"),
            inventory_root: match v.get("inventory-root") {
                Some(Value::Array(a)) => a
                    .first()
                    .and_then(|f| f.get("folder_id"))
                    .and_then(Value::text)
                    .and_then(|t| t.parse().ok()),
                _ => None,
            },
            buddies: match v.get("buddy-list") {
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(|b| {
                        let rights = |k| {
                            b.get(k)
                                .and_then(Value::int)
                                .and_then(|r| u32::try_from(r).ok())
                                .unwrap_or(0)
                        };
                        Some(Buddy {
                            id: b.get("buddy_id")?.text()?.parse().ok()?,
                            rights_given: rights("buddy_rights_given"),
                            rights_has: rights("buddy_rights_has"),
                        })
                    })
                    .collect(),
                _ => Vec::new(),
            },
        })
    }

    /// The answer as XML-RPC (the test region's side).
    pub fn to_value(&self) -> Value {
        let s = |v: String| Value::Str(v);
        Value::Struct(vec![
            ("login".into(), s("true".into())),
            ("agent_id".into(), s(self.agent_id.to_string())),
            ("session_id".into(), s(self.session_id.to_string())),
            (
                "secure_session_id".into(),
                s(self.secure_session_id.to_string()),
            ),
            ("circuit_code".into(), Value::Int(self.circuit_code.into())),
            ("sim_ip".into(), s(self.sim.ip().to_string())),
            ("sim_port".into(), Value::Int(self.sim.port().into())),
            ("seed_capability".into(), s(self.seed_capability.clone())),
            ("first_name".into(), s(format!("\"{}\"", self.first_name))),
            ("last_name".into(), s(self.last_name.clone())),
            ("region_x".into(), Value::Int(self.region_x.into())),
            ("region_y".into(), Value::Int(self.region_y.into())),
            ("message".into(), s(self.message.clone())),
            (
                "inventory-root".into(),
                Value::Array(
                    self.inventory_root
                        .map(|r| Value::Struct(vec![("folder_id".into(), s(r.to_string()))]))
                        .into_iter()
                        .collect(),
                ),
            ),
            (
                "buddy-list".into(),
                Value::Array(
                    self.buddies
                        .iter()
                        .map(|b| {
                            Value::Struct(vec![
                                ("buddy_id".into(), s(b.id.to_string())),
                                (
                                    "buddy_rights_given".into(),
                                    Value::Int(b.rights_given.into()),
                                ),
                                ("buddy_rights_has".into(), Value::Int(b.rights_has.into())),
                            ])
                        })
                        .collect(),
                ),
            ),
        ])
    }
}

/// A refusal as XML-RPC (the test region's side).
pub fn refusal(reason: &str, message: &str) -> Value {
    Value::Struct(vec![
        ("login".into(), Value::Str("false".into())),
        ("reason".into(), Value::Str(reason.into())),
        ("message".into(), Value::Str(message.into())),
    ])
}

/// How often, and how long apart, a login refused for `presence` is tried again: the
/// grid still holds the agent's previous session and drops it within a minute or so.
const PRESENCE_RETRIES: u32 = 3;
const PRESENCE_WAIT: Duration = Duration::from_secs(10);

/// Logs in at `uri`, trying again while the grid answers `presence`.
pub async fn login(
    client: &reqwest::Client,
    uri: &str,
    request: &LoginRequest,
) -> Result<LoginReply, Error> {
    login_with_wait(client, uri, request, PRESENCE_WAIT).await
}

/// [`login`] with the wait between `presence` retries given (tests shorten it).
pub async fn login_with_wait(
    client: &reqwest::Client,
    uri: &str,
    request: &LoginRequest,
    presence_wait: Duration,
) -> Result<LoginReply, Error> {
    let body = request.to_xml();
    let mut tries = 0;
    loop {
        let answer = client
            .post(uri)
            .header("Content-Type", "text/xml")
            .body(body.clone())
            .send()
            .await
            .map_err(|e| Error::Http(format!("login at {uri}: {e}")))?;
        if !answer.status().is_success() {
            return Err(Error::Http(format!(
                "login at {uri}: HTTP {}",
                answer.status()
            )));
        }
        let text = answer
            .text()
            .await
            .map_err(|e| Error::Http(format!("login at {uri}: {e}")))?;
        match LoginReply::from_value(&xmlrpc::parse_response(&text)?) {
            Err(Error::Refused { reason, .. })
                if reason == "presence" && tries < PRESENCE_RETRIES =>
            {
                tries += 1;
                tracing::info!(
                    uri,
                    tries,
                    "grid still holds the previous session; retrying login"
                );
                tokio::time::sleep(presence_wait).await;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_sent_as_dollar_one_md5() {
        // MD5("password") is a well-known value.
        assert_eq!(
            password_hash("password"),
            "$1$5f4dcc3b5aa765d61d8327deb882cf99"
        );
        let h = password_hash("secret");
        assert!(is_password_hash(&h));
        assert_eq!(password_hash(&h), h, "a hash is kept as it is");
    }

    #[test]
    fn request_and_reply_round_trip() {
        let req = LoginRequest {
            first: "Ann".into(),
            last: "Bot".into(),
            passwd: password_hash("pw"),
            start: "last".into(),
            version: "botgrid 0.1".into(),
            mac: "abc".into(),
        };
        let back = LoginRequest::from_xml(&req.to_xml()).unwrap();
        assert_eq!((back.first.as_str(), back.last.as_str()), ("Ann", "Bot"));
        assert_eq!(back.passwd, req.passwd);
        let reply = LoginReply {
            agent_id: Uuid::new_v4(),
            session_id: Uuid::new_v4(),
            secure_session_id: Uuid::new_v4(),
            circuit_code: 123456,
            sim: "127.0.0.1:9000".parse().unwrap(),
            seed_capability: "http://127.0.0.1:9000/caps/x".into(),
            first_name: "Ann".into(),
            last_name: "Bot".into(),
            region_x: 256000,
            region_y: 256000,
            message: "welcome".into(),
            inventory_root: Some(Uuid::new_v4()),
            buddies: vec![Buddy {
                id: Uuid::new_v4(),
                rights_given: 1,
                rights_has: 3,
            }],
        };
        let xml = xmlrpc::method_response(&reply.to_value());
        assert_eq!(
            LoginReply::from_value(&xmlrpc::parse_response(&xml).unwrap()).unwrap(),
            reply
        );
        let no = xmlrpc::method_response(&refusal("key", "Wrong password"));
        assert!(matches!(
            LoginReply::from_value(&xmlrpc::parse_response(&no).unwrap()),
            Err(Error::Refused { reason, message }) if reason == "key" && message == "Wrong password"
        ));
    }
}
