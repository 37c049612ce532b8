//! Developers, bot access codes and API tokens. Only hashes are stored.

use crate::sql::sql;
use crate::{StoreError, Tx};
use grid::secret::Digest;
use grid::{AvatarId, Developer, DeveloperId, Timestamp, TokenId, TokenInfo, Uuid};

impl Tx<'_> {
    /// Creates a developer holding the API key with this digest.
    pub fn insert_developer(&mut self, name: &str, key: &Digest) -> Result<Developer, StoreError> {
        let uuid = Uuid::new_v4();
        let now = self.now();
        let id: i64 = self.conn.query_one(
            sql!("INSERT INTO developers (uuid, name, key_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id"),
            &[&uuid.to_string(), &name, &key.to_hex(), &now.0],
            |r| r.get(0),
        )?;
        Ok(Developer {
            id: DeveloperId(id),
            uuid,
            name: name.to_owned(),
            created: now,
        })
    }

    /// Every developer, oldest first.
    pub fn developers(&mut self) -> Result<Vec<Developer>, StoreError> {
        self.conn.query(
            sql!("SELECT id, uuid, name, created_at FROM developers ORDER BY id"),
            &[],
            |r| {
                Ok(Developer {
                    id: DeveloperId(r.get(0)?),
                    uuid: super::uuid(r.get(1)?)?,
                    name: r.get(2)?,
                    created: Timestamp(r.get(3)?),
                })
            },
        )
    }

    /// The developer holding an API key, found by the key's digest and confirmed by a
    /// constant-time comparison.
    pub fn developer_by_key(&mut self, key: &Digest) -> Result<Option<DeveloperId>, StoreError> {
        let row: Option<(i64, String)> = self.conn.query_opt(
            sql!("SELECT id, key_hash FROM developers WHERE key_hash = $1"),
            &[&key.to_hex()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(row
            .filter(|(_, stored)| key.matches_hex(stored))
            .map(|(id, _)| DeveloperId(id)))
    }

    /// Makes an avatar a bot with the access code hashed as `code_hash`.
    pub fn insert_bot(&mut self, avatar: AvatarId, code_hash: &str) -> Result<(), StoreError> {
        let now = self.now().0;
        self.conn.execute(
            sql!("INSERT INTO bots (avatar_id, code_hash, created_at) VALUES ($1, $2, $3)"),
            &[&avatar.0, &code_hash, &now],
        )?;
        Ok(())
    }

    /// Replaces a bot's access code hash; false when the avatar is not a bot.
    pub fn set_bot_code(&mut self, bot: AvatarId, code_hash: &str) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            sql!("UPDATE bots SET code_hash = $1 WHERE avatar_id = $2"),
            &[&code_hash, &bot.0],
        )?;
        Ok(n == 1)
    }

    /// The access code hash of a bot.
    pub fn bot_code_hash(&mut self, bot: AvatarId) -> Result<Option<String>, StoreError> {
        self.conn.query_opt(
            sql!("SELECT code_hash FROM bots WHERE avatar_id = $1"),
            &[&bot.0],
            |r| r.get(0),
        )
    }

    /// True when `token` is a live (not revoked) API token of the bot.
    pub fn bot_token_matches(&mut self, bot: AvatarId, token: &Digest) -> Result<bool, StoreError> {
        let stored: Option<String> = self.conn.query_opt(
            sql!("SELECT token_hash FROM bot_tokens WHERE bot_id = $1 AND token_hash = $2 AND revoked_at IS NULL"),
            &[&bot.0, &token.to_hex()],
            |r| r.get(0),
        )?;
        Ok(stored.is_some_and(|s| token.matches_hex(&s)))
    }

    /// The bot an API token (not revoked) belongs to.
    pub fn bot_by_token(&mut self, token: &Digest) -> Result<Option<AvatarId>, StoreError> {
        let found: Option<(i64, String)> = self.conn.query_opt(
            sql!("SELECT bot_id, token_hash FROM bot_tokens WHERE token_hash = $1 AND revoked_at IS NULL"),
            &[&token.to_hex()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(found
            .filter(|(_, hash)| token.matches_hex(hash))
            .map(|(id, _)| AvatarId(id)))
    }

    /// Issues an API token for a bot.
    pub fn insert_token(
        &mut self,
        bot: AvatarId,
        token: &Digest,
        label: &str,
    ) -> Result<TokenInfo, StoreError> {
        let now = self.now();
        let id: i64 = self.conn.query_one(
            sql!("INSERT INTO bot_tokens (bot_id, token_hash, label, created_at) VALUES ($1, $2, $3, $4) RETURNING id"),
            &[&bot.0, &token.to_hex(), &label, &now.0],
            |r| r.get(0),
        )?;
        Ok(TokenInfo {
            id: TokenId(id),
            bot,
            label: label.to_owned(),
            created: now,
            revoked: None,
        })
    }

    /// A bot's tokens, revoked ones included.
    pub fn tokens(&mut self, bot: AvatarId) -> Result<Vec<TokenInfo>, StoreError> {
        self.conn.query(
            sql!("SELECT id, bot_id, label, created_at, revoked_at FROM bot_tokens WHERE bot_id = $1 ORDER BY id"),
            &[&bot.0],
            |r| {
                Ok(TokenInfo {
                    id: TokenId(r.get(0)?),
                    bot: AvatarId(r.get(1)?),
                    label: r.get(2)?,
                    created: Timestamp(r.get(3)?),
                    revoked: r.get::<Option<i64>>(4)?.map(Timestamp),
                })
            },
        )
    }

    /// Revokes a token of a bot; false when there is no such live token.
    pub fn revoke_token(&mut self, bot: AvatarId, token: TokenId) -> Result<bool, StoreError> {
        let now = self.now().0;
        let n = self.conn.execute(
            sql!("UPDATE bot_tokens SET revoked_at = $1 WHERE id = $2 AND bot_id = $3 AND revoked_at IS NULL"),
            &[&now, &token.0, &bot.0],
        )?;
        Ok(n == 1)
    }
}
