//! Typed operations, one module per noun. Each is a method on [`crate::Tx`].

pub mod avatars;
pub mod callbacks;
pub mod chat;
pub mod credentials;
pub mod events;
pub mod files;
pub mod friends;
pub mod groups;
pub mod inventory;
pub mod items;
pub mod messages;
pub mod money;
pub mod objects;
pub mod parcels;
pub mod regions;
pub mod remote;
pub mod settings;

use crate::StoreError;
use grid::Uuid;

pub(crate) fn uuid(text: String) -> Result<Uuid, StoreError> {
    Uuid::parse_str(&text).map_err(|_| StoreError::Corrupt(format!("bad UUID {text:?}")))
}

pub(crate) fn opt_uuid(text: Option<String>) -> Result<Option<Uuid>, StoreError> {
    text.map(uuid).transpose()
}
