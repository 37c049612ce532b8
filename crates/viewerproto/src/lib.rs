//! The Second Life viewer protocol, as botgrid speaks it to log its bots into remote
//! grids (OpenSimulator, Second Life): the XML-RPC login, the UDP message system and
//! the messages behind botgrid's commands.
//!
//! Only protocol here: what an IM or a group *means* to botgrid is the engine's.
//! Message layouts and numbers follow the public message template; the code is ours.

pub mod caps;
pub mod circuit;
pub mod fields;
pub mod group_messages;
pub mod llsd;
pub mod login;
pub mod messages;
pub mod packet;
pub mod session;
pub mod world_messages;
pub mod xmlrpc;

pub use uuid::Uuid;

/// What can go wrong talking to a grid.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bytes that do not follow the protocol.
    #[error("malformed: {0}")]
    Malformed(&'static str),
    /// The grid refused the login (`reason` is its code: `key`, `presence`, …).
    #[error("login refused ({reason}): {message}")]
    Refused { reason: String, message: String },
    /// An XML-RPC fault or another login failure.
    #[error("login failed: {0}")]
    Login(String),
    /// The login URI or a capability could not be reached.
    #[error("{0}")]
    Http(String),
    #[error("network: {0}")]
    Io(#[from] std::io::Error),
    /// The region stopped answering or closed the circuit.
    #[error("the region closed the connection: {0}")]
    Closed(String),
    /// A request to the region got no answer in time.
    #[error("no answer from the region: {0}")]
    Timeout(&'static str),
}
