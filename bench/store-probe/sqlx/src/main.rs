//! `im`'s write pattern through sqlx's SQLite driver (a worker thread per connection).
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, Executor};
use std::time::Instant;

#[tokio::main]
async fn main() {
    for (sync, batch) in [
        (SqliteSynchronous::Normal, 1),
        (SqliteSynchronous::Full, 1),
        (SqliteSynchronous::Full, 16),
        (SqliteSynchronous::Full, 64),
    ] {
        let path = "/tmp/store-probe-sqlx.db";
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path}{suffix}"));
        }
        let mut c = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(sync)
            .connect()
            .await
            .unwrap();
        c.execute("CREATE TABLE m (id INTEGER PRIMARY KEY, a TEXT, b TEXT, body TEXT, ts INTEGER)")
            .await
            .unwrap();
        c.execute("CREATE TABLE e (id INTEGER PRIMARY KEY, avatar TEXT, kind TEXT, payload TEXT)")
            .await
            .unwrap();
        let n = 20_000;
        let start = Instant::now();
        let mut done = 0;
        while done < n {
            let mut tx = c.begin().await.unwrap();
            for _ in 0..batch {
                sqlx::query("SAVEPOINT s").execute(&mut *tx).await.unwrap();
                let id: i64 = sqlx::query_scalar("INSERT INTO m (a, b, body, ts) VALUES ($1, $2, $3, $4) RETURNING id")
                    .bind("sender")
                    .bind("recipient")
                    .bind("hello world")
                    .bind(12345i64)
                    .fetch_one(&mut *tx)
                    .await
                    .unwrap();
                sqlx::query("INSERT INTO e (avatar, kind, payload) VALUES ($1, $2, $3)")
                    .bind("recipient")
                    .bind("im")
                    .bind(format!("{{\"m\":{id}}}"))
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                sqlx::query("RELEASE s").execute(&mut *tx).await.unwrap();
                done += 1;
            }
            tx.commit().await.unwrap();
        }
        let rate = n as f64 / start.elapsed().as_secs_f64();
        println!("sqlx synchronous={sync:?} batch={batch}: {rate:.0} commands/s");
    }
}
