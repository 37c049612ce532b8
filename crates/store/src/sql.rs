//! One SQL dialect for two databases.
//!
//! Queries are written once, in PostgreSQL's `$1` placeholder style, and wrapped in
//! [`sql!`]; the SQLite text (`?1`) is derived on first use. Parameters and columns use
//! types both drivers understand (`i64`, `bool`, `String`/`&str` and their `Option`s),
//! and the schema sticks to `BIGINT`, `BOOLEAN` and `TEXT` so values round-trip alike.

use crate::StoreError;
use std::collections::HashMap;
use std::sync::OnceLock;

/// A query text with its SQLite translation computed once.
pub struct Sql {
    text: &'static str,
    sqlite: OnceLock<String>,
}

impl Sql {
    #[doc(hidden)]
    pub const fn new(text: &'static str) -> Sql {
        Sql {
            text,
            sqlite: OnceLock::new(),
        }
    }

    fn sqlite(&self) -> &str {
        self.sqlite.get_or_init(|| self.text.replace('$', "?"))
    }

    fn key(&self) -> usize {
        self as *const Sql as usize
    }
}

/// A query usable on both backends: `sql!("SELECT x FROM t WHERE id = $1")`.
macro_rules! sql {
    ($text:expr) => {{
        static QUERY: $crate::sql::Sql = $crate::sql::Sql::new($text);
        &QUERY
    }};
}
pub(crate) use sql;

/// A value both drivers can bind.
pub trait Param {
    fn lite(&self) -> &dyn rusqlite::ToSql;
    fn pg(&self) -> &(dyn postgres::types::ToSql + Sync);
}

impl<T> Param for T
where
    T: rusqlite::ToSql + postgres::types::ToSql + Sync,
{
    fn lite(&self) -> &dyn rusqlite::ToSql {
        self
    }
    fn pg(&self) -> &(dyn postgres::types::ToSql + Sync) {
        self
    }
}

/// A type both drivers can read from a column.
pub trait Column: rusqlite::types::FromSql + postgres::types::FromSqlOwned {}
impl<T> Column for T where T: rusqlite::types::FromSql + postgres::types::FromSqlOwned {}

/// One result row.
pub enum Row<'a> {
    Lite(&'a rusqlite::Row<'a>),
    Pg(&'a postgres::Row),
}

impl Row<'_> {
    /// Reads column `idx` (0-based).
    pub fn get<T: Column>(&self, idx: usize) -> Result<T, StoreError> {
        match self {
            Row::Lite(r) => Ok(r.get(idx)?),
            Row::Pg(r) => Ok(r.try_get(idx)?),
        }
    }
}

/// Which database a connection talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A connection to either database.
pub enum Conn {
    Lite(rusqlite::Connection),
    Pg(Box<PgConn>),
}

/// A PostgreSQL client with its prepared statements, keyed by query.
pub struct PgConn {
    client: postgres::Client,
    statements: HashMap<usize, postgres::Statement>,
}

impl PgConn {
    pub(crate) fn new(client: postgres::Client) -> Self {
        PgConn {
            client,
            statements: HashMap::new(),
        }
    }

    fn statement(&mut self, q: &Sql) -> Result<postgres::Statement, StoreError> {
        if let Some(s) = self.statements.get(&q.key()) {
            return Ok(s.clone());
        }
        let s = self.client.prepare(q.text)?;
        self.statements.insert(q.key(), s.clone());
        Ok(s)
    }
}

impl Conn {
    /// The connection's dialect.
    pub fn dialect(&self) -> Dialect {
        match self {
            Conn::Lite(_) => Dialect::Sqlite,
            Conn::Pg(_) => Dialect::Postgres,
        }
    }

    /// Runs statements without parameters (transaction control, migrations).
    pub fn batch(&mut self, text: &str) -> Result<(), StoreError> {
        match self {
            Conn::Lite(c) => c.execute_batch(text)?,
            Conn::Pg(pg) => pg.client.batch_execute(text)?,
        }
        Ok(())
    }

    /// Runs one transaction-control statement (`BEGIN`, `SAVEPOINT job`, `COMMIT`, …).
    /// On SQLite it is prepared once and kept: these run several times per
    /// transaction, and parsing them each time was a measurable part of a small read.
    pub fn control(&mut self, text: &'static str) -> Result<(), StoreError> {
        match self {
            Conn::Lite(c) => {
                c.prepare_cached(text)?.execute([])?;
            }
            Conn::Pg(pg) => pg.client.batch_execute(text)?,
        }
        Ok(())
    }

    /// Runs a statement; returns the number of rows changed.
    pub fn execute(&mut self, q: &Sql, params: &[&dyn Param]) -> Result<u64, StoreError> {
        match self {
            Conn::Lite(c) => {
                let mut stmt = c.prepare_cached(q.sqlite())?;
                let n =
                    stmt.execute(rusqlite::params_from_iter(params.iter().map(|p| p.lite())))?;
                Ok(n as u64)
            }
            Conn::Pg(pg) => {
                let stmt = pg.statement(q)?;
                let args: Vec<_> = params.iter().map(|p| p.pg()).collect();
                Ok(pg.client.execute(&stmt, &args)?)
            }
        }
    }

    /// Runs a query and maps every row.
    pub fn query<T>(
        &mut self,
        q: &Sql,
        params: &[&dyn Param],
        mut map: impl FnMut(&Row<'_>) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        match self {
            Conn::Lite(c) => {
                let mut stmt = c.prepare_cached(q.sqlite())?;
                let mut rows =
                    stmt.query(rusqlite::params_from_iter(params.iter().map(|p| p.lite())))?;
                let mut out = Vec::new();
                while let Some(r) = rows.next()? {
                    out.push(map(&Row::Lite(r))?);
                }
                Ok(out)
            }
            Conn::Pg(pg) => {
                let stmt = pg.statement(q)?;
                let args: Vec<_> = params.iter().map(|p| p.pg()).collect();
                pg.client
                    .query(&stmt, &args)?
                    .iter()
                    .map(|r| map(&Row::Pg(r)))
                    .collect()
            }
        }
    }

    /// Runs a query expected to give at most one row.
    pub fn query_opt<T>(
        &mut self,
        q: &Sql,
        params: &[&dyn Param],
        map: impl FnMut(&Row<'_>) -> Result<T, StoreError>,
    ) -> Result<Option<T>, StoreError> {
        Ok(self.query(q, params, map)?.into_iter().next())
    }

    /// Runs a query expected to give exactly one row.
    pub fn query_one<T>(
        &mut self,
        q: &Sql,
        params: &[&dyn Param],
        map: impl FnMut(&Row<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.query_opt(q, params, map)?
            .ok_or_else(|| StoreError::Other("query returned no row".into()))
    }
}
