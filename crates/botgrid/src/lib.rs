//! The botgrid server: configuration, wiring and the operator CLI.
//!
//! `botgrid serve` runs the grid with its API faces and callback delivery;
//! `botgrid admin …` manages developers, avatars, access codes and tokens directly in the
//! store, with or without a server running. Tests start a server in-process with
//! [`server::start`].

pub mod admin;
pub mod callbacks_admin;
pub mod cli;
pub mod demo;
pub mod ops;
pub mod seed;
pub mod server;
pub mod settings;

pub use server::{Running, start};
pub use settings::Settings;
