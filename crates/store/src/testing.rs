//! A throwaway database for tests: a temporary SQLite file, or — when
//! `BOTGRID_TEST_DATABASE_URL` names a PostgreSQL server — a fresh schema there,
//! dropped afterwards.

use std::sync::atomic::{AtomicU64, Ordering};

/// The environment variable that switches tests to PostgreSQL.
pub const ENV: &str = "BOTGRID_TEST_DATABASE_URL";

/// A database that exists for the lifetime of this value.
pub struct TestDb {
    /// The URL to open it with.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl TestDb {
    /// A new, empty database.
    pub fn new() -> TestDb {
        match std::env::var(ENV) {
            Ok(base) if !base.is_empty() => Self::postgres(&base),
            _ => Self::sqlite(),
        }
    }

    /// True when tests run against PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("botgrid.db").display());
        TestDb {
            url,
            _dir: Some(dir),
            pg: None,
        }
    }

    fn postgres(base: &str) -> TestDb {
        static N: AtomicU64 = AtomicU64::new(0);
        let schema = format!(
            "t_{}_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed),
            grid::Timestamp::now().0
        );
        let base_owned = base.to_owned();
        let create = format!("CREATE SCHEMA {schema}");
        // The postgres driver must not run inside an async runtime: use a plain thread.
        std::thread::spawn(move || {
            let mut c = postgres::Client::connect(&base_owned, postgres::NoTls)
                .expect("connect to test PostgreSQL");
            c.batch_execute(&create).expect("create test schema");
        })
        .join()
        .expect("schema thread");
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-csearch_path%3D{schema}");
        TestDb {
            url,
            _dir: None,
            pg: Some((base.to_owned(), schema)),
        }
    }
}

impl Default for TestDb {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((base, schema)) = self.pg.take() {
            let _ = std::thread::spawn(move || {
                if let Ok(mut c) = postgres::Client::connect(&base, postgres::NoTls) {
                    let _ = c.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"));
                }
            })
            .join();
        }
    }
}
