//! Money: every avatar's L$, and the ledger of transfers that moves it.
//!
//! A balance never goes below zero and changes only by a transfer, which is recorded
//! once and never changed: every balance equals what its avatar received minus what it
//! gave, whatever happened. A transfer the caller tagged (SmartBots `custom`) happens at
//! most once: asking again with the same tag answers the first one.

use crate::{AvatarId, Error, Timestamp, Uuid};
use serde::{Deserialize, Serialize};

/// The most one transfer moves.
pub const MAX_AMOUNT: i64 = 1_000_000_000;
/// The longest transfer comment, in bytes.
pub const MAX_COMMENT: usize = 255;
/// The longest idempotency tag, in bytes.
pub const MAX_TAG: usize = 255;

/// Why money moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferKind {
    /// One avatar paid another (`give_money`).
    Gift,
    /// The operator put money into the grid.
    Grant,
    /// Land bought from its owner (`parcel_buy`).
    LandSale,
    /// An object paid (`give_money_object`): its owner gets the money.
    PayObject,
    /// A group's join fee, paid to its founder.
    GroupJoin,
}

impl TransferKind {
    /// The Second Life transaction type (`trx_type`): 5001 for a gift, 5002 for a land
    /// sale; a grant is not an SL transaction and has 0.
    pub fn trx_type(self) -> i32 {
        match self {
            TransferKind::Gift => 5001,
            TransferKind::Grant => 0,
            TransferKind::LandSale => 5002,
            TransferKind::PayObject => 5008,
            TransferKind::GroupJoin => 1004,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TransferKind::Gift => "gift",
            TransferKind::Grant => "grant",
            TransferKind::LandSale => "land_sale",
            TransferKind::PayObject => "pay_object",
            TransferKind::GroupJoin => "group_join",
        }
    }

    pub fn parse(s: &str) -> Option<TransferKind> {
        match s {
            "gift" => Some(TransferKind::Gift),
            "grant" => Some(TransferKind::Grant),
            "land_sale" => Some(TransferKind::LandSale),
            "pay_object" => Some(TransferKind::PayObject),
            "group_join" => Some(TransferKind::GroupJoin),
            _ => None,
        }
    }
}

/// Which way a balance moved, as `balance_changed` says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The avatar arrived online; `balance` is what it has.
    Initial,
    Incoming,
    Outgoing,
}

/// A transfer as the ledger holds it.
#[derive(Clone, Debug, PartialEq)]
pub struct Transfer {
    pub id: i64,
    /// The id callbacks show (`transaction`).
    pub uuid: Uuid,
    /// `None` for a grant.
    pub from: Option<AvatarId>,
    pub to: AvatarId,
    pub amount: i64,
    pub kind: TransferKind,
    pub comment: String,
    /// The payer's idempotency tag.
    pub tag: Option<String>,
    pub at: Timestamp,
}

impl Transfer {
    /// Whether a repeated request asks for this same transfer.
    pub fn same_request(&self, to: AvatarId, amount: i64, comment: &str) -> bool {
        self.to == to && self.amount == amount && self.comment == comment
    }
}

/// Checks an amount: a whole number of L$ from 1 to [`MAX_AMOUNT`].
pub fn check_amount(amount: i64) -> Result<(), Error> {
    if (1..=MAX_AMOUNT).contains(&amount) {
        Ok(())
    } else {
        Err(Error::invalid(
            "amount",
            format!("must be a whole number of L$ from 1 to {MAX_AMOUNT}"),
        ))
    }
}

/// Checks a transfer's comment and tag.
pub fn check_texts(comment: &str, tag: Option<&str>) -> Result<(), Error> {
    if comment.len() > MAX_COMMENT {
        return Err(Error::invalid(
            "comment",
            format!("longer than {MAX_COMMENT} bytes"),
        ));
    }
    if comment.chars().any(|c| c.is_control() && c != '\n') {
        return Err(Error::invalid(
            "comment",
            "must not contain control characters",
        ));
    }
    if tag.is_some_and(|t| t.len() > MAX_TAG) {
        return Err(Error::invalid(
            "custom",
            format!("longer than {MAX_TAG} bytes"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_whole_positive_and_bounded() {
        assert!(check_amount(1).is_ok());
        assert!(check_amount(MAX_AMOUNT).is_ok());
        assert!(check_amount(0).is_err());
        assert!(check_amount(-5).is_err());
        assert!(check_amount(MAX_AMOUNT + 1).is_err());
    }

    #[test]
    fn comments_and_tags_are_bounded() {
        assert!(check_texts("for the rent", Some("order-17")).is_ok());
        assert!(check_texts(&"x".repeat(MAX_COMMENT + 1), None).is_err());
        assert!(check_texts("bell\u{7}", None).is_err());
        assert!(check_texts("", Some(&"t".repeat(MAX_TAG + 1))).is_err());
    }

    #[test]
    fn a_repeat_is_the_same_request_only_with_the_same_terms() {
        let t = Transfer {
            id: 1,
            uuid: Uuid::nil(),
            from: Some(AvatarId(1)),
            to: AvatarId(2),
            amount: 10,
            kind: TransferKind::Gift,
            comment: "tip".into(),
            tag: Some("a".into()),
            at: Timestamp(0),
        };
        assert!(t.same_request(AvatarId(2), 10, "tip"));
        assert!(!t.same_request(AvatarId(3), 10, "tip"));
        assert!(!t.same_request(AvatarId(2), 11, "tip"));
        assert!(!t.same_request(AvatarId(2), 10, "other"));
    }
}
