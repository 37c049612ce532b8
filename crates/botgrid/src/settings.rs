//! Configuration: command-line flags over `BOTGRID_*` environment variables over
//! `botgrid.toml` over defaults.

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Everything a server needs to know.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Folder for the SQLite database and the demo credentials.
    pub data: PathBuf,
    /// `sqlite://…` or `postgres://…`; defaults to `data/botgrid.db`.
    pub database: Option<String>,
    /// Address of the HTTP API.
    pub http: SocketAddr,
    /// Address of the SimpleX WebSocket API.
    pub simplex: SocketAddr,
    /// The operator's token for the SimpleX API; required of every connection when the
    /// listener is not on loopback.
    pub simplex_token: Option<String>,
    /// The folder SimpleX clients' file paths point into (files they send are read
    /// from it, files they receive are saved in it); default `DATA/simplex-files`.
    pub simplex_files: Option<PathBuf>,
    /// Create the demo world on an empty store.
    pub demo: bool,
    pub engine: engine::EngineConfig,
    pub callbacks: callbacks::DeliveryConfig,
    pub synchronous: store::Synchronous,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            data: PathBuf::from("botgrid-data"),
            database: None,
            http: SocketAddr::from(([127, 0, 0, 1], 7878)),
            simplex: SocketAddr::from(([127, 0, 0, 1], 5225)),
            simplex_token: None,
            simplex_files: None,
            demo: true,
            engine: engine::EngineConfig::default(),
            callbacks: callbacks::DeliveryConfig::default(),
            synchronous: store::Synchronous::Full,
        }
    }
}

impl Settings {
    /// Where the bodies of files sent in chats are kept.
    pub fn files_dir(&self) -> PathBuf {
        self.data.join("files")
    }

    /// The SimpleX clients' files folder in effect.
    pub fn simplex_files_dir(&self) -> PathBuf {
        self.simplex_files
            .clone()
            .unwrap_or_else(|| self.data.join("simplex-files"))
    }

    /// The database URL in effect.
    pub fn database_url(&self) -> String {
        match &self.database {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data.join("botgrid.db").display()),
        }
    }
}

/// `botgrid.toml`. Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub data: Option<PathBuf>,
    pub database: Option<String>,
    pub http: Option<SocketAddr>,
    pub simplex: Option<SocketAddr>,
    pub simplex_token: Option<String>,
    pub simplex_files: Option<PathBuf>,
    pub demo: Option<bool>,
    #[serde(default)]
    pub files: FilesFile,
    #[serde(default)]
    pub throttle: ThrottleFile,
    #[serde(default)]
    pub presence: PresenceFile,
    #[serde(default)]
    pub callbacks: CallbacksFile,
    #[serde(default)]
    pub sqlite: SqliteFile,
}

/// `[throttle]`: per-bot limits on messaging commands.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThrottleFile {
    /// Sustained messages per second; 0 turns the throttle off.
    pub per_second: Option<u32>,
    /// Messages allowed at once.
    pub burst: Option<u32>,
}

/// `[files]`: files sent in chats.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilesFile {
    /// The largest file that may be sent, in MiB.
    pub max_size_mb: Option<u64>,
}

/// `[presence]`: how long login and logout take.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresenceFile {
    pub login_delay_ms: Option<u64>,
    pub logout_delay_ms: Option<u64>,
}

/// `[callbacks]`: delivery timing and limits.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallbacksFile {
    pub timeout_ms: Option<u64>,
    pub first_retry_ms: Option<u64>,
    pub max_retry_ms: Option<u64>,
    /// How long a failing event is retried before it is given up, in seconds.
    pub horizon_secs: Option<u64>,
    /// POSTs of one registration at once (1: strictly in order).
    pub in_flight: Option<usize>,
    /// POSTs at once to one receiver over all registrations.
    pub per_receiver: Option<usize>,
}

/// `[sqlite]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SqliteFile {
    /// `full` (default: a commit survives a power cut) or `normal`.
    pub synchronous: Option<String>,
}

/// Reads a configuration file.
pub fn read_file(path: &Path) -> Result<FileConfig, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

impl FileConfig {
    /// Applies the file's values over `s`.
    pub fn apply(self, s: &mut Settings) -> Result<(), String> {
        if let Some(v) = self.data {
            s.data = v;
        }
        if let Some(v) = self.database {
            s.database = Some(v);
        }
        if let Some(v) = self.http {
            s.http = v;
        }
        if let Some(v) = self.simplex {
            s.simplex = v;
        }
        if let Some(v) = self.simplex_token {
            s.simplex_token = Some(v);
        }
        if let Some(v) = self.simplex_files {
            s.simplex_files = Some(v);
        }
        if let Some(v) = self.demo {
            s.demo = v;
        }
        if let Some(mb) = self.files.max_size_mb {
            s.engine.max_file_size = mb.saturating_mul(1024 * 1024);
        }
        apply_throttle(s, self.throttle.per_second, self.throttle.burst);
        if let Some(ms) = self.presence.login_delay_ms {
            s.engine.login_delay = Duration::from_millis(ms);
        }
        if let Some(ms) = self.presence.logout_delay_ms {
            s.engine.logout_delay = Duration::from_millis(ms);
        }
        if let Some(ms) = self.callbacks.timeout_ms {
            s.callbacks.timeout = Duration::from_millis(ms.max(1));
        }
        if let Some(ms) = self.callbacks.first_retry_ms {
            s.callbacks.first_retry = Duration::from_millis(ms.max(1));
        }
        if let Some(ms) = self.callbacks.max_retry_ms {
            s.callbacks.max_retry = Duration::from_millis(ms.max(1));
        }
        if let Some(secs) = self.callbacks.horizon_secs {
            s.callbacks.horizon = Duration::from_secs(secs);
        }
        if let Some(n) = self.callbacks.in_flight {
            s.callbacks.in_flight = n.clamp(1, 1024);
        }
        if let Some(n) = self.callbacks.per_receiver {
            s.callbacks.per_receiver = n.clamp(1, 4096);
        }
        if let Some(sync) = self.sqlite.synchronous {
            s.synchronous = parse_synchronous(&sync)?;
        }
        Ok(())
    }
}

/// Sets the throttle: a rate of 0 turns it off.
pub fn apply_throttle(s: &mut Settings, per_second: Option<u32>, burst: Option<u32>) {
    match per_second {
        Some(0) => s.engine.throttle = None,
        Some(rate) => {
            let current = s.engine.throttle.unwrap_or_default();
            s.engine.throttle = Some(engine::ThrottleConfig {
                per_second: rate,
                burst: burst.unwrap_or(current.burst).max(1),
            });
        }
        None => {
            if let (Some(b), Some(t)) = (burst, s.engine.throttle.as_mut()) {
                t.burst = b.max(1);
            }
        }
    }
}

/// Reads `full` or `normal`.
pub fn parse_synchronous(text: &str) -> Result<store::Synchronous, String> {
    match text.to_ascii_lowercase().as_str() {
        "full" => Ok(store::Synchronous::Full),
        "normal" => Ok(store::Synchronous::Normal),
        other => Err(format!(
            "sqlite synchronous must be full or normal, not {other:?}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_overrides_defaults_and_zero_turns_throttle_off() {
        let file: FileConfig = toml::from_str(
            "http = \"127.0.0.1:9000\"\n[throttle]\nper_second = 0\n[presence]\nlogin_delay_ms = 5\n",
        )
        .unwrap();
        let mut s = Settings::default();
        file.apply(&mut s).unwrap();
        assert_eq!(s.http.port(), 9000);
        assert!(s.engine.throttle.is_none());
        assert_eq!(s.engine.login_delay, Duration::from_millis(5));
        assert!(
            toml::from_str::<FileConfig>("htpp = 1").is_err(),
            "typos are refused"
        );
    }
}
