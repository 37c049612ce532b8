use botgrid::cli::{self, Cli, Command};
use botgrid::{admin, demo, server};
use clap::Parser;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let default_level = match cli.command {
        Command::Serve(_) => "info",
        Command::Admin(_) => "warn",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level)),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = match cli.command {
        Command::Serve(args) => serve(cli.config.as_ref(), args).await,
        Command::Admin(args) => run_admin(cli.config.as_ref(), args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("botgrid: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Option<&std::path::PathBuf>, args: cli::ServeArgs) -> Result<(), String> {
    let settings = cli::serve_settings(config, &args)?;
    let running = server::start(&settings).await.map_err(|e| e.to_string())?;
    let (creds, fresh) = if settings.demo {
        match demo::create_if_empty(&running.engine)
            .await
            .map_err(|e| e.to_string())?
        {
            Some(c) => {
                if let Err(e) = demo::save(&settings.data, &c) {
                    tracing::warn!(error = %e, "cannot write the demo credentials file");
                }
                (Some(c), true)
            }
            None => (demo::load(&settings.data), false),
        }
    } else {
        (None, false)
    };
    println!(
        "{}",
        demo::banner(
            running.http,
            running.simplex,
            &settings.data,
            &server::redact(&settings.database_url()),
            creds.as_ref(),
            fresh
        )
    );
    wait_for_stop().await;
    tracing::info!("stopping");
    running.shutdown().await;
    Ok(())
}

async fn wait_for_stop() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

async fn run_admin(
    config: Option<&std::path::PathBuf>,
    args: admin::AdminArgs,
) -> Result<(), String> {
    let settings = cli::base_settings(config, &args.store)?;
    let engine = server::open_engine(&settings, 1)
        .await
        .map_err(|e| e.to_string())?;
    let out = admin::run(&engine, args.what, args.json).await?;
    if !out.is_empty() {
        println!("{out}");
    }
    Ok(())
}
