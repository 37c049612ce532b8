//! Starting and stopping a botgrid server.

use crate::settings::Settings;
use axum::serve::ListenerExt;
use engine::Engine;
use std::net::SocketAddr;
use store::StoreOptions;
use tokio::task::JoinHandle;

/// A running server.
pub struct Running {
    /// Where the HTTP API listens (the real port when 0 was asked for).
    pub http: SocketAddr,
    /// Where the SimpleX WebSocket API listens.
    pub simplex: SocketAddr,
    /// The live grid, for in-process callers (the demo, tests).
    pub engine: Engine,
    http_task: JoinHandle<()>,
    simplex_task: JoinHandle<()>,
    callbacks_task: JoinHandle<()>,
    stop: Option<tokio::sync::watch::Sender<bool>>,
}

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot create the data folder {path}: {error}")]
    DataDir { path: String, error: std::io::Error },
    #[error("cannot open the database: {0}")]
    Store(grid::Error),
    #[error("the SimpleX API on {0} is not on loopback: set a token with --simplex-token")]
    SimplexToken(SocketAddr),
    #[error("cannot listen on {addr}: {error}")]
    Listen {
        addr: SocketAddr,
        error: std::io::Error,
    },
}

/// Opens the grid described by `settings`.
pub async fn open_engine(settings: &Settings, readers: usize) -> Result<Engine, StartError> {
    if settings.database.is_none() {
        std::fs::create_dir_all(&settings.data).map_err(|error| StartError::DataDir {
            path: settings.data.display().to_string(),
            error,
        })?;
    }
    let options = StoreOptions {
        readers,
        synchronous: settings.synchronous,
        ..Default::default()
    };
    let mut config = settings.engine.clone();
    config.files.get_or_insert_with(|| settings.files_dir());
    Engine::open(&settings.database_url(), config, options)
        .await
        .map_err(StartError::Store)
}

/// Starts everything: the grid, the HTTP API, callback delivery.
pub async fn start(settings: &Settings) -> Result<Running, StartError> {
    let public_simplex = !settings.simplex.ip().is_loopback();
    if public_simplex && settings.simplex_token.is_none() {
        return Err(StartError::SimplexToken(settings.simplex));
    }
    let engine = open_engine(settings, 2).await?;
    engine.start().await.map_err(StartError::Store)?;
    let (http_listener, http) = listen(settings.http).await?;
    let (simplex_listener, simplex) = listen(settings.simplex).await?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let http_task = serve(
        http_listener,
        smartbots::router(engine.clone()).merge(crate::ops::router(engine.clone())),
        stopped.clone(),
        "HTTP",
    );
    let files_dir = settings.simplex_files_dir();
    let files = simplex::FilesFolder::open(&files_dir).map_err(|error| StartError::DataDir {
        path: files_dir.display().to_string(),
        error,
    })?;
    let simplex_config = simplex::Config {
        token: settings.simplex_token.clone(),
        require_token: public_simplex,
        files: Some(files),
        ..Default::default()
    };
    let simplex_task = serve(
        simplex_listener,
        simplex::router(engine.clone(), simplex_config),
        stopped,
        "SimpleX",
    );
    let callbacks_task = callbacks::spawn(
        engine.clone(),
        callbacks::Payload {
            render: smartbots::callback::render,
            reply: smartbots::callback::reply,
        },
        settings.callbacks.clone(),
    );
    tracing::info!(%http, %simplex, database = %redact(&settings.database_url()), "botgrid is running");
    Ok(Running {
        http,
        simplex,
        engine,
        http_task,
        simplex_task,
        callbacks_task,
        stop: Some(stop),
    })
}

async fn listen(addr: SocketAddr) -> Result<(tokio::net::TcpListener, SocketAddr), StartError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|error| StartError::Listen { addr, error })?;
    let local = listener
        .local_addr()
        .map_err(|error| StartError::Listen { addr, error })?;
    Ok((listener, local))
}

fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    mut stopped: tokio::sync::watch::Receiver<bool>,
    what: &'static str,
) -> JoinHandle<()> {
    // Small request/response exchanges on kept-alive connections: do not let Nagle's
    // algorithm hold replies back.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.wait_for(|s| *s).await;
            })
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "{what} server stopped");
        }
    })
}

/// A database URL without its password, for logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &creds[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl Running {
    /// Stops accepting requests, lets those under way finish, and stops delivery.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        let _ = (&mut self.http_task).await;
        // Bots in remote grids log out, so that their regions let them in at once when
        // the next start logs them in again.
        self.engine.close_remote_sessions().await;
        // WebSocket connections stay open until their clients leave: do not wait.
        self.simplex_task.abort();
        self.callbacks_task.abort();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.http_task.abort();
        self.simplex_task.abort();
        self.callbacks_task.abort();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            super::redact("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(super::redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(super::redact("sqlite://x.db"), "sqlite://x.db");
    }
}
