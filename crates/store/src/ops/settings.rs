//! Small named values the installation keeps (for example, whether the demo world exists).

use crate::sql::sql;
use crate::{StoreError, Tx};

impl Tx<'_> {
    /// A setting's value.
    pub fn setting(&mut self, name: &str) -> Result<Option<String>, StoreError> {
        self.conn.query_opt(
            sql!("SELECT value FROM settings WHERE name = $1"),
            &[&name],
            |r| r.get(0),
        )
    }

    /// Sets a setting.
    pub fn set_setting(&mut self, name: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            sql!(
                "INSERT INTO settings (name, value) VALUES ($1, $2)
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value"
            ),
            &[&name, &value],
        )?;
        Ok(())
    }
}
