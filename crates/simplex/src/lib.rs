//! The SimpleX Chat bot API face of botgrid.
//!
//! A bot written for the SimpleX CLI's WebSocket server (`simplex-chat -p 5225`)
//! connects here instead and runs unchanged. Each text frame carries one
//! `{"corrId","cmd"}` command; answers come back as `{"corrId","resp"}` in command
//! order, events as `{"resp"}` without `corrId`. The users such a bot drives are
//! avatars of the same world the SmartBots API drives.
//!
//! - [`command`]: the command grammar.
//! - [`session`]: one connection's state and the commands' execution.
//! - [`events`]: per-user pumps from the durable event log to the socket.
//! - [`types`]: the JSON shapes; [`errors`]: `ChatError` values.
//! - [`server`]: the WebSocket listener and its authentication.
//! - [`reference`]: the command table `docs/simplex-api.md` is generated from.

pub mod command;
pub mod errors;
mod events;
pub mod folder;
pub mod reference;
mod rendered;
pub mod server;
pub mod session;
pub mod types;

pub use folder::FilesFolder;
pub use server::{Config, router};
