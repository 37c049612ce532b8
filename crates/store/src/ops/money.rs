//! Balances and the ledger.

use crate::sql::{Row, sql};
use crate::{StoreError, Tx};
use grid::money::{Transfer, TransferKind};
use grid::{AvatarId, Timestamp, Uuid};

/// What it takes to record a transfer.
#[derive(Clone, Debug)]
pub struct NewTransfer<'a> {
    pub from: Option<AvatarId>,
    pub to: AvatarId,
    pub amount: i64,
    pub kind: TransferKind,
    pub comment: &'a str,
    pub tag: Option<&'a str>,
}

/// An avatar whose balance differs from its ledger: the avatar, the balance, the
/// ledger's sum.
pub type Mismatch = (AvatarId, i64, i64);

macro_rules! transfer_columns {
    () => {
        "id, uuid, from_id, to_id, amount, kind, comment, tag, created_at"
    };
}

fn transfer_from(r: &Row<'_>) -> Result<Transfer, StoreError> {
    let kind: String = r.get(5)?;
    Ok(Transfer {
        id: r.get(0)?,
        uuid: super::uuid(r.get(1)?)?,
        from: r.get::<Option<i64>>(2)?.map(AvatarId),
        to: AvatarId(r.get(3)?),
        amount: r.get(4)?,
        kind: TransferKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown transfer kind {kind:?}")))?,
        comment: r.get(6)?,
        tag: r.get(7)?,
        at: Timestamp(r.get(8)?),
    })
}

impl Tx<'_> {
    /// An avatar's L$ (0 when it never had any).
    pub fn balance(&mut self, avatar: AvatarId) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_opt(
                sql!("SELECT amount FROM balances WHERE avatar_id = $1"),
                &[&avatar.0],
                |r| r.get(0),
            )?
            .unwrap_or(0))
    }

    /// Takes `amount` from an avatar's balance if it has that much; returns the new
    /// balance, or `None` (and changes nothing) when it has less.
    pub fn debit(&mut self, avatar: AvatarId, amount: i64) -> Result<Option<i64>, StoreError> {
        self.conn.query_opt(
            sql!(
                "UPDATE balances SET amount = amount - $2
                 WHERE avatar_id = $1 AND amount >= $2 RETURNING amount"
            ),
            &[&avatar.0, &amount],
            |r| r.get(0),
        )
    }

    /// Adds `amount` to an avatar's balance; returns the new balance.
    pub fn credit(&mut self, avatar: AvatarId, amount: i64) -> Result<i64, StoreError> {
        self.conn.query_one(
            sql!(
                "INSERT INTO balances (avatar_id, amount) VALUES ($1, $2)
                 ON CONFLICT (avatar_id) DO UPDATE SET amount = balances.amount + excluded.amount
                 RETURNING amount"
            ),
            &[&avatar.0, &amount],
            |r| r.get(0),
        )
    }

    /// Appends a transfer to the ledger (the balances are the caller's to move).
    pub fn record_transfer(&mut self, t: &NewTransfer<'_>) -> Result<Transfer, StoreError> {
        let now = self.now();
        let uuid = Uuid::new_v4();
        let from = t.from.map(|a| a.0);
        let id: i64 = self.conn.query_one(
            sql!(
                "INSERT INTO ledger (uuid, from_id, to_id, amount, kind, comment, tag, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"
            ),
            &[
                &uuid.to_string(),
                &from,
                &t.to.0,
                &t.amount,
                &t.kind.as_str(),
                &t.comment,
                &t.tag,
                &now.0,
            ],
            |r| r.get(0),
        )?;
        Ok(Transfer {
            id,
            uuid,
            from: t.from,
            to: t.to,
            amount: t.amount,
            kind: t.kind,
            comment: t.comment.to_owned(),
            tag: t.tag.map(str::to_owned),
            at: now,
        })
    }

    /// The transfer a payer tagged so, if any.
    pub fn tagged_transfer(
        &mut self,
        from: AvatarId,
        tag: &str,
    ) -> Result<Option<Transfer>, StoreError> {
        self.conn.query_opt(
            sql!(concat!(
                "SELECT ",
                transfer_columns!(),
                " FROM ledger WHERE from_id = $1 AND tag = $2"
            )),
            &[&from.0, &tag],
            transfer_from,
        )
    }

    /// An avatar's transfers, newest first.
    pub fn transfers_of(
        &mut self,
        avatar: AvatarId,
        limit: i64,
    ) -> Result<Vec<Transfer>, StoreError> {
        self.conn.query(
            sql!(concat!(
                "SELECT ",
                transfer_columns!(),
                " FROM ledger WHERE from_id = $1 OR to_id = $1 ORDER BY id DESC LIMIT $2"
            )),
            &[&avatar.0, &limit],
            transfer_from,
        )
    }

    /// Avatars whose balance is not what the ledger adds up to (with the balance and
    /// the ledger's figure), the total of all balances, and the number of transfers.
    /// An empty list means the books balance.
    pub fn audit_money(&mut self) -> Result<(Vec<Mismatch>, i64, i64), StoreError> {
        // SUM of BIGINT is NUMERIC in PostgreSQL: cast back.
        let wrong = self.conn.query(
            sql!(
                "SELECT id, held, owed FROM (
                     SELECT a.id AS id, COALESCE(b.amount, 0) AS held,
                            CAST(COALESCE((SELECT SUM(amount) FROM ledger WHERE to_id = a.id), 0)
                               - COALESCE((SELECT SUM(amount) FROM ledger WHERE from_id = a.id), 0)
                                 AS BIGINT) AS owed
                     FROM avatars a LEFT JOIN balances b ON b.avatar_id = a.id
                 ) t WHERE held <> owed ORDER BY id"
            ),
            &[],
            |r| Ok((AvatarId(r.get(0)?), r.get(1)?, r.get(2)?)),
        )?;
        let total: i64 = self.conn.query_one(
            sql!("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM balances"),
            &[],
            |r| r.get(0),
        )?;
        let transfers: i64 =
            self.conn
                .query_one(sql!("SELECT COUNT(*) FROM ledger"), &[], |r| r.get(0))?;
        Ok((wrong, total, transfers))
    }
}
