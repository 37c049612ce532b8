//! The live grid.
//!
//! The engine is what every face calls. It authenticates a caller, checks the rules of
//! the core, runs the command against the store in one transaction (which also appends
//! the events the command causes), and performs what must happen after the commit:
//! presence timers, waking the consumers of the events. It never speaks a wire format.

mod admin;
mod auth;
mod bot;
mod chat;
mod chat_groups;
mod feed;
mod files;
mod groups;
mod inventory;
mod items;
mod money;
mod objects;
mod parcels;
mod places;
mod presence;
mod profiles;
mod remote;
mod simple;
mod throttle;
mod watchers;

pub use admin::{AvatarSpec, GroupSpec, NewBot, RegionSpec, Seed};
pub use auth::Credentials;
pub use chat::{Connected, Outgoing};
pub use chat_groups::{ChatGroup, GroupPost};
pub use feed::{Feed, MAX_FEED_EVENTS, MAX_FEED_WAIT};
pub use files::{ChatFile, NewFile};
pub use inventory::ItemSpec;
pub use items::ChatTarget;
pub use money::MoneyAudit;
pub use objects::ObjectSpec;
pub use parcels::ParcelSpec;
pub use simple::{
    GroupCommand, GroupCredentials, GroupReply, GroupSecret,
    MAX_COOLDOWN_SECS as GROUP_MAX_COOLDOWN_SECS,
};
pub use store::Queued;
pub use throttle::ThrottleConfig;

use grid::Error;
use std::sync::Arc;
use std::time::Duration;
use store::{Store, StoreOptions};

/// How the engine behaves.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// Time from `login` (CONNECTING) to ONLINE.
    pub login_delay: Duration,
    /// Time from `logout` (LOGGING_OUT) to LOGGED_OUT.
    pub logout_delay: Duration,
    /// Limits on messaging commands; `None` turns them off.
    pub throttle: Option<ThrottleConfig>,
    /// Where the bodies of files sent in chats are kept; `None`: files cannot be sent.
    pub files: Option<std::path::PathBuf>,
    /// The largest file that may be sent, in bytes.
    pub max_file_size: u64,
    /// How long a remote bot's name look-up waits for its region (which does not
    /// answer at all for a key it does not know).
    pub remote_lookup_wait: Duration,
}

/// The default largest file: 100 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 100 * 1024 * 1024;

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            login_delay: Duration::from_millis(300),
            logout_delay: Duration::from_millis(200),
            throttle: Some(ThrottleConfig::default()),
            files: None,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            remote_lookup_wait: Duration::from_secs(10),
        }
    }
}

/// The handle to the live grid. Cheap to clone.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    config: EngineConfig,
    auth: auth::Verifier,
    throttle: Option<throttle::Throttle>,
    /// `nearbyavatars_scan`'s own limit (SmartBots': 2 in 10 seconds), always on.
    scans: throttle::Throttle,
    watchers: Arc<watchers::Watchers>,
    callbacks_changed: tokio::sync::watch::Sender<u64>,
    chat_sessions: chat::ChatSessions,
    profiles: profiles::ProfileCache,
    files: files::FileStore,
    /// Sessions of bots that live in remote grids.
    remote: remote::RemoteBots,
}

impl Engine {
    /// Opens the grid stored at `database_url` (see [`Store::open`]). Starts no
    /// background work; a server calls [`Engine::start`] afterwards.
    pub async fn open(
        database_url: &str,
        config: EngineConfig,
        mut options: StoreOptions,
    ) -> Result<Engine, grid::Error> {
        let watchers = Arc::new(watchers::Watchers::default());
        let hook_watchers = watchers.clone();
        options.on_commit = Some(Arc::new(move |events| hook_watchers.committed(events)));
        let store = Store::open(database_url, options).await?;
        let blobs = match &config.files {
            Some(dir) => Some(store::Blobs::open(dir).map_err(|e| {
                Error::internal(format!(
                    "cannot open the files folder {}: {e}",
                    dir.display()
                ))
            })?),
            None => None,
        };
        let files = files::FileStore::new(blobs, config.max_file_size);
        Ok(Engine {
            inner: Arc::new(Inner {
                store,
                throttle: config.throttle.as_ref().map(throttle::Throttle::new),
                scans: throttle::Throttle::scans(),
                config,
                auth: auth::Verifier::default(),
                watchers,
                callbacks_changed: tokio::sync::watch::Sender::new(0),
                chat_sessions: chat::ChatSessions::default(),
                profiles: profiles::ProfileCache::default(),
                files,
                remote: remote::RemoteBots::default(),
            }),
        })
    }

    /// Starts the engine's background work: finishing presence transitions and region
    /// restarts that were under way when the grid last stopped.
    pub async fn start(&self) -> Result<(), grid::Error> {
        presence::recover(self).await?;
        self.recover_remote().await?;
        self.recover_restarts().await
    }

    pub(crate) fn store(&self) -> &Store {
        &self.inner.store
    }

    pub(crate) fn profiles(&self) -> &profiles::ProfileCache {
        &self.inner.profiles
    }

    pub(crate) fn config(&self) -> &EngineConfig {
        &self.inner.config
    }
}
