//! The grid core: the nouns of botgrid's world and the rules that govern them.
//!
//! Everything here is plain data and pure functions: no I/O, no clocks other than
//! [`Timestamp::now`], no knowledge of any wire format. Both API faces translate their
//! requests into the [`command`] types defined here, the engine applies the rules, and
//! the store persists the nouns. Errors are typed ([`Error`]) and each face maps them
//! once to its own wire text.

pub mod avatar;
pub mod callback;
pub mod chat;
pub mod command;
pub mod developer;
pub mod error;
pub mod event;
pub mod filter;
pub mod friendship;
pub mod group;
pub mod ids;
pub mod inventory;
pub mod location;
pub mod message;
pub mod money;
pub mod name;
pub mod object;
pub mod parcel;
pub mod region;
pub mod remote;
pub mod secret;
pub mod time;

pub use avatar::{Avatar, AvatarKind, AvatarRef, Pick, Presence, Profile};
pub use developer::{Developer, TokenInfo};
pub use error::{Error, ErrorKind};
pub use event::{Event, OfflinePolicy, StoredEvent};
pub use friendship::{Friend, FriendOffer, Rights, RightsChange};
pub use ids::{AvatarId, CallbackId, DeveloperId, EventId, MessageId, OfferId, TokenId};
pub use location::{Location, StartLocation};
pub use name::LegacyName;
pub use time::Timestamp;
pub use uuid::Uuid;

/// The zero UUID Second Life uses for "none" (no image, no partner, the Everyone role).
pub const NULL_KEY: Uuid = Uuid::nil();
