//! Bots in remote grids: their login details.

use crate::sql::sql;
use crate::{StoreError, Tx};
use grid::remote::RemoteAccount;
use grid::{AvatarId, Timestamp};

impl Tx<'_> {
    /// Makes a bot live in a remote grid (replacing earlier details).
    pub fn set_remote_account(
        &mut self,
        avatar: AvatarId,
        account: &RemoteAccount,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("DELETE FROM remote_accounts WHERE avatar_id = $1"),
            &[&avatar.0],
        )?;
        self.conn.execute(
            sql!(
                "INSERT INTO remote_accounts (avatar_id, login_uri, passwd, start_location, created_at) VALUES ($1, $2, $3, $4, $5)"
            ),
            &[
                &avatar.0,
                &account.login_uri,
                &account.passwd,
                &account.start,
                &Timestamp::now().0,
            ],
        )?;
        Ok(())
    }

    /// Makes a bot live in the embedded grid again. True when it was remote.
    pub fn remove_remote_account(&mut self, avatar: AvatarId) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            sql!("DELETE FROM remote_accounts WHERE avatar_id = $1"),
            &[&avatar.0],
        )?;
        Ok(n > 0)
    }

    /// Gives a remote bot its key in the remote grid. False (and nothing changed) when
    /// another avatar here has that key.
    pub fn set_remote_key(
        &mut self,
        avatar: AvatarId,
        key: grid::Uuid,
    ) -> Result<bool, StoreError> {
        let key = key.to_string();
        let taken: Option<i64> = self.conn.query_opt(
            sql!("SELECT id FROM avatars WHERE uuid = $1"),
            &[&key],
            |r| r.get(0),
        )?;
        match taken {
            Some(id) if id == avatar.0 => Ok(true),
            Some(_) => Ok(false),
            None => {
                self.conn.execute(
                    sql!("UPDATE avatars SET uuid = $1 WHERE id = $2"),
                    &[&key, &avatar.0],
                )?;
                Ok(true)
            }
        }
    }

    /// Every bot that lives in a remote grid.
    pub fn remote_bots(&mut self) -> Result<Vec<AvatarId>, StoreError> {
        self.conn.query(
            sql!("SELECT avatar_id FROM remote_accounts ORDER BY avatar_id"),
            &[],
            |r| Ok(AvatarId(r.get(0)?)),
        )
    }

    /// A bot's remote login details; `None` for a bot of the embedded grid.
    pub fn remote_account(
        &mut self,
        avatar: AvatarId,
    ) -> Result<Option<RemoteAccount>, StoreError> {
        self.conn.query_opt(
            sql!(
                "SELECT login_uri, passwd, start_location FROM remote_accounts WHERE avatar_id = $1"
            ),
            &[&avatar.0],
            |r| {
                Ok(RemoteAccount {
                    login_uri: r.get(0)?,
                    passwd: r.get(1)?,
                    start: r.get(2)?,
                })
            },
        )
    }
}
