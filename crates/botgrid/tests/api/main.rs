//! The SmartBots API of a real botgrid server, over HTTP, on SQLite (or PostgreSQL
//! when BOTGRID_TEST_DATABASE_URL is set).

mod harness;

mod callbacks;
mod cli;
mod crash;
mod credentials;
mod errors;
mod feed;
mod friendship;
mod group_posts;
mod group_powers;
mod groups;
mod inventory;
mod lifecycle;
mod lookups;
mod messaging;
mod money;
mod objects;
mod places;
mod real_grid;
mod remote;
mod simple_groups;
mod simplex;
mod throttle;
mod transport;
