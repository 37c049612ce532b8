//! `im`'s write pattern through rusqlite on the calling thread.
use std::time::Instant;

fn main() {
    for (sync, batch) in [("NORMAL", 1), ("FULL", 1), ("FULL", 16), ("FULL", 64)] {
        let path = "/tmp/store-probe-rusqlite.db";
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path}{suffix}"));
        }
        let mut c = rusqlite::Connection::open(path).unwrap();
        c.pragma_update(None, "journal_mode", "WAL").unwrap();
        c.pragma_update(None, "synchronous", sync).unwrap();
        c.execute_batch(
            "CREATE TABLE m (id INTEGER PRIMARY KEY, a TEXT, b TEXT, body TEXT, ts INTEGER);
             CREATE TABLE e (id INTEGER PRIMARY KEY, avatar TEXT, kind TEXT, payload TEXT);",
        )
        .unwrap();
        let n = 50_000;
        let start = Instant::now();
        let mut done = 0;
        while done < n {
            let tx = c.transaction().unwrap();
            for _ in 0..batch {
                tx.execute_batch("SAVEPOINT s").unwrap();
                let id: i64 = tx
                    .prepare_cached("INSERT INTO m (a, b, body, ts) VALUES (?1, ?2, ?3, ?4) RETURNING id")
                    .unwrap()
                    .query_row(("sender", "recipient", "hello world", 12345i64), |r| r.get(0))
                    .unwrap();
                tx.prepare_cached("INSERT INTO e (avatar, kind, payload) VALUES (?1, ?2, ?3)")
                    .unwrap()
                    .execute(("recipient", "im", format!("{{\"m\":{id}}}")))
                    .unwrap();
                tx.execute_batch("RELEASE s").unwrap();
                done += 1;
            }
            tx.commit().unwrap();
        }
        let rate = n as f64 / start.elapsed().as_secs_f64();
        println!("rusqlite synchronous={sync} batch={batch}: {rate:.0} commands/s");
    }
}
