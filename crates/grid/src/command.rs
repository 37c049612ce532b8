//! Commands a bot can be asked to carry out, and what they answer.
//!
//! API faces build these from their wire formats; the engine carries them out. A command
//! names its targets by UUID or legacy name; resolving them is the engine's job.

use crate::callback::CallbackChange;
use crate::filter::NameFilter;
use crate::{Friend, LegacyName, Pick, Presence, Profile, RightsChange, StartLocation, Uuid};

/// An avatar named either by key or by legacy name.
#[derive(Clone, Debug, PartialEq)]
pub enum AvatarSelector {
    Key(Uuid),
    Name(LegacyName),
}

impl AvatarSelector {
    /// Reads a UUID if the text is one, otherwise a legacy name.
    pub fn parse(text: &str) -> Result<Self, crate::name::NameError> {
        match Uuid::parse_str(text.trim()) {
            Ok(u) => Ok(AvatarSelector::Key(u)),
            Err(_) => LegacyName::parse(text).map(AvatarSelector::Name),
        }
    }
}

impl std::fmt::Display for AvatarSelector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AvatarSelector::Key(u) => u.fmt(f),
            AvatarSelector::Name(n) => n.fmt(f),
        }
    }
}

/// Something a bot is asked to do.
#[derive(Clone, Debug, PartialEq)]
pub enum BotCommand {
    /// Report the bot's session state.
    Status,
    /// Start the login sequence (always accepted).
    Login { location: Option<StartLocation> },
    /// Start the logout sequence (always accepted).
    Logout,
    /// Change where the bot's events are POSTed.
    SetCallback(CallbackChange),
    /// Send a direct message.
    Im { to: AvatarSelector, message: String },
    /// Show "typing…" to an avatar for some seconds.
    TypingStart { to: Uuid, seconds: u32 },
    /// Stop showing "typing…".
    TypingStop { to: Uuid },
    /// Offer friendship.
    OfferFriendship { to: Uuid, message: String },
    /// Answer a friendship offer.
    AnswerFriendship {
        from: Uuid,
        session: Uuid,
        accept: bool,
    },
    /// End a friendship, or withdraw an offer not yet answered.
    CancelFriendship { friend: Uuid },
    /// Change the rights the bot grants a friend.
    EditFriendship { friend: Uuid, change: RightsChange },
    /// List the bot's friends.
    Friends,
    /// Look up a name by key.
    KeyToName { key: Uuid },
    /// Look up a key by name.
    NameToKey { name: LegacyName },
    /// Read an avatar's profile.
    AvatarInfo { avatar: Uuid },
    /// Read an avatar's picks.
    AvatarPicks { avatar: Uuid, filter: NameFilter },
}

/// The throttle bucket a command draws from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThrottleClass {
    /// Not throttled.
    None,
    /// Commands that send something to other avatars.
    Messaging,
}

impl BotCommand {
    /// True when the bot must be online: everything except managing its session and
    /// its callbacks needs a live presence in the world.
    pub fn needs_presence(&self) -> bool {
        !matches!(
            self,
            BotCommand::Status
                | BotCommand::Login { .. }
                | BotCommand::Logout
                | BotCommand::SetCallback(_)
        )
    }

    /// True when the command only reads.
    pub fn is_read_only(&self) -> bool {
        matches!(
            self,
            BotCommand::Status
                | BotCommand::Friends
                | BotCommand::KeyToName { .. }
                | BotCommand::NameToKey { .. }
                | BotCommand::AvatarInfo { .. }
                | BotCommand::AvatarPicks { .. }
        )
    }

    /// The throttle bucket of the command.
    pub fn throttle_class(&self) -> ThrottleClass {
        match self {
            BotCommand::Im { .. }
            | BotCommand::TypingStart { .. }
            | BotCommand::TypingStop { .. }
            | BotCommand::OfferFriendship { .. } => ThrottleClass::Messaging,
            _ => ThrottleClass::None,
        }
    }
}

/// What a bot's session looks like from outside.
#[derive(Clone, Debug, PartialEq)]
pub struct BotStatus {
    pub presence: Presence,
    pub name: LegacyName,
    pub uuid: Uuid,
    pub location: Option<String>,
}

/// The answer to a command that succeeded.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// Done; nothing to report.
    Done,
    Status(BotStatus),
    Friends(Vec<Friend>),
    /// The name of a key, with its stored case.
    Name {
        key: Uuid,
        name: LegacyName,
    },
    /// The key of a name, with the name's stored case.
    Key {
        key: Uuid,
        name: LegacyName,
    },
    Profile(Profile),
    /// Picks after filtering, and how many there were before.
    Picks {
        total: usize,
        picks: Vec<Pick>,
    },
}
