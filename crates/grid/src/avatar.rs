//! Avatars: the people and bots of the grid.

use crate::{AvatarId, LegacyName, Location, Timestamp, Uuid};
use serde::{Deserialize, Serialize};

/// Whether an avatar is driven by a person or a program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AvatarKind {
    Person,
    Bot,
}

impl AvatarKind {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AvatarKind::Person => "person",
            AvatarKind::Bot => "bot",
        }
    }

    /// Reads the stored spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "person" => Some(AvatarKind::Person),
            "bot" => Some(AvatarKind::Bot),
            _ => None,
        }
    }
}

/// Where an avatar is in its session lifecycle.
///
/// A login moves `LoggedOut → Connecting → Online`; a logout moves
/// `Online → LoggingOut → LoggedOut`. Each step is an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    LoggedOut,
    Connecting,
    Online,
    LoggingOut,
}

impl Presence {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Presence::LoggedOut => "logged_out",
            Presence::Connecting => "connecting",
            Presence::Online => "online",
            Presence::LoggingOut => "logging_out",
        }
    }

    /// Reads the stored spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "logged_out" => Some(Presence::LoggedOut),
            "connecting" => Some(Presence::Connecting),
            "online" => Some(Presence::Online),
            "logging_out" => Some(Presence::LoggingOut),
            _ => None,
        }
    }

    /// True when the avatar can act and receive in the world.
    pub fn is_online(self) -> bool {
        self == Presence::Online
    }
}

/// An avatar as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct Avatar {
    pub id: AvatarId,
    pub uuid: Uuid,
    pub name: LegacyName,
    pub display_name: String,
    pub kind: AvatarKind,
    pub presence: Presence,
    /// Where the avatar is now (or was last).
    pub location: Option<Location>,
    /// The base location a bot returns to on login.
    pub home: Option<Location>,
    pub born: Timestamp,
}

impl Avatar {
    /// The short reference events carry.
    pub fn to_ref(&self) -> AvatarRef {
        AvatarRef {
            id: self.id,
            uuid: self.uuid,
            name: self.name.to_string(),
        }
    }
}

/// Who an event is from or about, as it was when the event happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AvatarRef {
    pub id: AvatarId,
    pub uuid: Uuid,
    pub name: String,
}

/// An avatar's public profile, as `avatar_info` shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    pub about: String,
    pub born: Timestamp,
    pub image: Uuid,
    pub first_life_image: Uuid,
    pub first_life_text: String,
    pub partner: Uuid,
    pub url: String,
    pub mature: bool,
    pub identified: bool,
    pub transacted: bool,
    pub publish_web: bool,
    /// Online as the viewer may see it: only when the avatar lets the viewer see that.
    pub online: bool,
}

/// A profile pick: a favourite place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pick {
    pub uuid: Uuid,
    pub name: String,
    pub description: String,
}
