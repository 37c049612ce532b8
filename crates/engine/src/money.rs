//! Moving money: the one place balances change.

use crate::Engine;
use crate::bot::deliver;
use grid::money::{self, Direction, Transfer, TransferKind};
use grid::{Avatar, Error, Event, LegacyName, Uuid};
use store::{NewTransfer, Tx};

/// What a transfer is: who pays (`None`: the operator's grant), whom, how much and why.
pub(crate) struct Payment<'a> {
    pub from: Option<&'a Avatar>,
    pub to: &'a Avatar,
    pub amount: i64,
    pub kind: TransferKind,
    pub comment: &'a str,
    /// The payer's idempotency tag.
    pub tag: Option<&'a str>,
}

/// Moves money, all or nothing: the payer's balance never goes below zero, the ledger
/// gets one row, and both sides hear `balance_changed`. A payment repeating a tag the
/// payer used before is the same payment: answered again, not made again, as long as
/// it asks for the same thing.
pub(crate) fn pay(tx: &mut Tx<'_>, p: Payment<'_>) -> Result<Transfer, Error> {
    money::check_amount(p.amount)?;
    money::check_texts(p.comment, p.tag)?;
    if let Some(from) = p.from {
        if from.id == p.to.id {
            return Err(Error::NotForSelf { what: "pay" });
        }
        if let Some(tag) = p.tag
            && let Some(done) = tx.tagged_transfer(from.id, tag)?
        {
            return if done.same_request(p.to.id, p.amount, p.comment) {
                Ok(done)
            } else {
                Err(Error::TransferTagReused)
            };
        }
    }
    let payer_balance = match p.from {
        Some(from) => match tx.debit(from.id, p.amount)? {
            Some(left) => Some(left),
            None => {
                return Err(Error::InsufficientFunds {
                    balance: tx.balance(from.id)?,
                    amount: p.amount,
                });
            }
        },
        None => None,
    };
    let payee_balance = tx.credit(p.to.id, p.amount)?;
    let t = tx.record_transfer(&NewTransfer {
        from: p.from.map(|a| a.id),
        to: p.to.id,
        amount: p.amount,
        kind: p.kind,
        comment: p.comment,
        tag: p.tag,
    })?;
    let changed = |direction, balance| Event::BalanceChanged {
        transfer: t.uuid,
        direction,
        amount: p.amount,
        source: p.from.map(Avatar::to_ref),
        destination: p.to.to_ref(),
        balance,
        kind: p.kind,
        comment: p.comment.to_owned(),
    };
    if let (Some(from), Some(left)) = (p.from, payer_balance) {
        deliver(tx, from, changed(Direction::Outgoing, left))?;
    }
    deliver(tx, p.to, changed(Direction::Incoming, payee_balance))?;
    Ok(t)
}

/// Tells an avatar that has just arrived online what it has.
pub(crate) fn announce_balance(tx: &mut Tx<'_>, avatar: &Avatar) -> Result<(), Error> {
    let balance = tx.balance(avatar.id)?;
    tx.emit(
        avatar.id,
        Event::BalanceChanged {
            transfer: Uuid::nil(),
            direction: Direction::Initial,
            amount: balance,
            source: None,
            destination: avatar.to_ref(),
            balance,
            kind: TransferKind::Grant,
            comment: String::new(),
        },
    )?;
    Ok(())
}

/// How the books stand: avatars whose balance differs from their ledger (with both
/// figures), and the L$ in all balances together.
#[derive(Clone, Debug, PartialEq)]
pub struct MoneyAudit {
    pub mismatches: Vec<(LegacyName, i64, i64)>,
    pub total: i64,
    /// Rows in the ledger.
    pub transfers: i64,
}

impl Engine {
    /// The operator puts money into the grid: `amount` L$ to an avatar.
    pub async fn grant_money(
        &self,
        avatar: &LegacyName,
        amount: i64,
        comment: String,
    ) -> Result<Transfer, Error> {
        let name = avatar.clone();
        self.store()
            .write(move |tx| {
                let to = tx
                    .avatar_by_name(&name)?
                    .ok_or_else(|| Error::AvatarNotFound {
                        who: name.to_string(),
                    })?;
                pay(
                    tx,
                    Payment {
                        from: None,
                        to: &to,
                        amount,
                        kind: TransferKind::Grant,
                        comment: &comment,
                        tag: None,
                    },
                )
            })
            .await
    }

    /// An avatar's L$.
    pub async fn balance_of(&self, avatar: &LegacyName) -> Result<i64, Error> {
        let name = avatar.clone();
        self.store()
            .read(move |tx| {
                let a = tx
                    .avatar_by_name(&name)?
                    .ok_or_else(|| Error::AvatarNotFound {
                        who: name.to_string(),
                    })?;
                Ok(tx.balance(a.id)?)
            })
            .await
    }

    /// Checks every balance against the ledger.
    pub async fn audit_money(&self) -> Result<MoneyAudit, Error> {
        self.store()
            .read(move |tx| {
                let (wrong, total, transfers) = tx.audit_money()?;
                let mut mismatches = Vec::with_capacity(wrong.len());
                for (id, held, owed) in wrong {
                    let name = tx
                        .avatar(id)?
                        .map(|a| a.name)
                        .ok_or_else(|| Error::internal("an avatar vanished"))?;
                    mismatches.push((name, held, owed));
                }
                Ok(MoneyAudit {
                    mismatches,
                    total,
                    transfers,
                })
            })
            .await
    }
}
