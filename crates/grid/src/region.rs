//! Regions, and what happens in them: where avatars are, who hears whom.

use crate::{Error, Location, Timestamp, Uuid};
use serde::{Deserialize, Serialize};

/// How far local chat carries on a channel: Second Life's "say" range, in metres.
pub const SAY_RANGE: f64 = 20.0;
/// How far `nearbyavatars_scan` sees, in metres (a viewer's draw distance).
pub const SCAN_RANGE: f64 = 96.0;
/// The longest local chat line, in bytes (Second Life's 1,024 with room for the end).
pub const MAX_CHAT: usize = 1023;

/// Whether a region takes visitors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegionState {
    Online,
    /// Counting down to a restart; no one may arrive.
    Restarting,
}

impl RegionState {
    pub fn as_str(self) -> &'static str {
        match self {
            RegionState::Online => "online",
            RegionState::Restarting => "restarting",
        }
    }

    pub fn parse(s: &str) -> Option<RegionState> {
        match s {
            "online" => Some(RegionState::Online),
            "restarting" => Some(RegionState::Restarting),
            _ => None,
        }
    }
}

/// A region of the grid.
#[derive(Clone, Debug, PartialEq)]
pub struct Region {
    pub id: i64,
    pub uuid: Uuid,
    pub name: String,
    pub estate: String,
    pub state: RegionState,
    pub created: Timestamp,
}

/// What `sim_access` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessOp {
    Ban,
    Unban,
    Allow,
    Disallow,
}

impl AccessOp {
    pub fn parse(s: &str) -> Option<AccessOp> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ban" => Some(AccessOp::Ban),
            "unban" => Some(AccessOp::Unban),
            "allow" => Some(AccessOp::Allow),
            "disallow" => Some(AccessOp::Disallow),
            _ => None,
        }
    }

    /// The access list it changes, and whether it adds to it.
    pub fn list(self) -> (&'static str, bool) {
        match self {
            AccessOp::Ban => ("ban", true),
            AccessOp::Unban => ("ban", false),
            AccessOp::Allow => ("allow", true),
            AccessOp::Disallow => ("allow", false),
        }
    }
}

/// `sim_restart`'s countdown: 120 s unless given, from 30 to 240.
pub const RESTART_DEFAULT_SECS: u32 = 120;
pub const RESTART_MIN_SECS: u32 = 30;
pub const RESTART_MAX_SECS: u32 = 240;

/// Where a teleport is, as `teleport_status` says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TeleportStatus {
    Start,
    Progress,
    Failed,
    Finished,
    Cancelled,
}

/// The key regions are found by: names ignore case and surrounding spaces.
pub fn region_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Checks a region name: 2 to 35 characters, no `/` (it separates coordinates).
pub fn check_region_name(name: &str) -> Result<(), Error> {
    let n = name.trim().chars().count();
    if !(2..=35).contains(&n) {
        return Err(Error::invalid(
            "region",
            "a region name has 2 to 35 characters",
        ));
    }
    if name.contains('/') || name.chars().any(char::is_control) {
        return Err(Error::invalid(
            "region",
            "must not contain / or control characters",
        ));
    }
    Ok(())
}

/// The distance between two places, if they are in the same region.
pub fn distance(a: &Location, b: &Location) -> Option<f64> {
    if region_key(&a.region) != region_key(&b.region) {
        return None;
    }
    Some(((a.x - b.x).powi(2) + (a.y - b.y).powi(2) + (a.z - b.z).powi(2)).sqrt())
}

/// Checks a local chat line.
pub fn check_chat(message: &str) -> Result<(), Error> {
    if message.is_empty() {
        return Err(Error::invalid("message", "must not be empty"));
    }
    if message.len() > MAX_CHAT {
        return Err(Error::invalid(
            "message",
            format!("longer than {MAX_CHAT} bytes"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_are_within_one_region_only() {
        let a = Location::parse("Botgrid Welcome/10/10/20").unwrap();
        let b = Location::parse("botgrid welcome/13/14/20").unwrap();
        let c = Location::parse("Elsewhere/10/10/20").unwrap();
        assert_eq!(distance(&a, &b), Some(5.0));
        assert_eq!(distance(&a, &c), None);
    }

    #[test]
    fn region_names_are_checked() {
        assert!(check_region_name("Botgrid Welcome").is_ok());
        assert!(check_region_name("A").is_err());
        assert!(check_region_name("Slash/Name").is_err());
        assert!(check_region_name(&"x".repeat(36)).is_err());
    }
}
