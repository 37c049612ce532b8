//! Row ids. Every entity also has a UUID (what SmartBots shows); the 64-bit row id is what
//! SimpleX shows (`userId`, `contactId`, …) and what the store joins on.

use serde::{Deserialize, Serialize};

macro_rules! row_id {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

row_id! {
    /// An avatar (person or bot).
    AvatarId,
    /// A developer (holder of an API key).
    DeveloperId,
    /// An entry of the durable event log; ids grow in commit order.
    EventId,
    /// A direct (one-to-one) message.
    MessageId,
    /// A pending friendship offer.
    OfferId,
    /// An HTTP callback registration of a bot.
    CallbackId,
    /// A bot API token.
    TokenId,
}
