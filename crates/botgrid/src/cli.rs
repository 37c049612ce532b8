//! The command line.

use crate::settings::{self, Settings};
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// botgrid: a self-hosted grid of avatars, driven through the SmartBots and SimpleX bot APIs.
#[derive(Debug, Parser)]
#[command(name = "botgrid", version)]
pub struct Cli {
    /// Configuration file (default: ./botgrid.toml when it exists).
    #[arg(long, global = true, env = "BOTGRID_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server.
    Serve(ServeArgs),
    /// Manage developers, avatars, access codes and tokens (works while a server runs).
    Admin(crate::admin::AdminArgs),
}

/// Where the data is; shared by `serve` and `admin`.
#[derive(Debug, Args, Clone)]
pub struct StoreArgs {
    /// Data folder (SQLite database, demo credentials).
    #[arg(long, env = "BOTGRID_DATA")]
    pub data: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB (default: DATA/botgrid.db).
    #[arg(long, env = "BOTGRID_DATABASE")]
    pub database: Option<String>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Address of the HTTP API.
    #[arg(long, env = "BOTGRID_HTTP")]
    pub http: Option<SocketAddr>,
    /// Address of the SimpleX WebSocket API (default 127.0.0.1:5225).
    #[arg(long, env = "BOTGRID_SIMPLEX")]
    pub simplex: Option<SocketAddr>,
    /// Operator token for the SimpleX API (Authorization: Bearer or ?token=); required
    /// when --simplex is not a loopback address.
    #[arg(long, env = "BOTGRID_SIMPLEX_TOKEN")]
    pub simplex_token: Option<String>,
    /// Folder SimpleX clients' file paths point into (default: DATA/simplex-files).
    #[arg(long, env = "BOTGRID_SIMPLEX_FILES")]
    pub simplex_files: Option<PathBuf>,
    /// Largest file that may be sent in a chat, in MiB (default 100).
    #[arg(long, env = "BOTGRID_MAX_FILE_SIZE_MB")]
    pub max_file_size_mb: Option<u64>,
    /// Do not create the demo world on an empty store.
    #[arg(long, env = "BOTGRID_NO_DEMO")]
    pub no_demo: bool,
    /// Messaging commands a bot may send per second, sustained (0 = no throttle).
    #[arg(long, env = "BOTGRID_THROTTLE_PER_SECOND")]
    pub throttle_per_second: Option<u32>,
    /// Messaging commands a bot may send at once.
    #[arg(long, env = "BOTGRID_THROTTLE_BURST")]
    pub throttle_burst: Option<u32>,
    /// SQLite durability: full (fsync every commit) or normal.
    #[arg(long, env = "BOTGRID_SQLITE_SYNCHRONOUS")]
    pub sqlite_synchronous: Option<String>,
}

/// Settings from the file (if any) under the store flags.
pub fn base_settings(config: Option<&PathBuf>, store: &StoreArgs) -> Result<Settings, String> {
    let mut s = Settings::default();
    let path = match config {
        Some(p) => Some(p.clone()),
        None => Some(PathBuf::from("botgrid.toml")).filter(|p| p.exists()),
    };
    if let Some(path) = path {
        settings::read_file(&path)?.apply(&mut s)?;
    }
    if let Some(d) = &store.data {
        s.data = d.clone();
    }
    if let Some(db) = &store.database {
        s.database = Some(db.clone());
    }
    Ok(s)
}

/// The settings `serve` runs with.
pub fn serve_settings(config: Option<&PathBuf>, args: &ServeArgs) -> Result<Settings, String> {
    let mut s = base_settings(config, &args.store)?;
    if let Some(h) = args.http {
        s.http = h;
    }
    if let Some(a) = args.simplex {
        s.simplex = a;
    }
    if let Some(t) = &args.simplex_token {
        s.simplex_token = Some(t.clone());
    }
    if let Some(f) = &args.simplex_files {
        s.simplex_files = Some(f.clone());
    }
    if let Some(mb) = args.max_file_size_mb {
        s.engine.max_file_size = mb.saturating_mul(1024 * 1024);
    }
    if args.no_demo {
        s.demo = false;
    }
    settings::apply_throttle(&mut s, args.throttle_per_second, args.throttle_burst);
    if let Some(sync) = &args.sqlite_synchronous {
        s.synchronous = settings::parse_synchronous(sync)?;
    }
    Ok(s)
}
