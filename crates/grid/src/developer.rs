//! Developers and bot access: who may drive which bot.

use crate::{AvatarId, DeveloperId, Timestamp, TokenId, Uuid};

/// A developer: the holder of an API key (SmartBots `apikey`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Developer {
    pub id: DeveloperId,
    pub uuid: Uuid,
    pub name: String,
    pub created: Timestamp,
}

/// A bot API token (accepted wherever the bot's access code is).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenInfo {
    pub id: TokenId,
    pub bot: AvatarId,
    pub label: String,
    pub created: Timestamp,
    pub revoked: Option<Timestamp>,
}
