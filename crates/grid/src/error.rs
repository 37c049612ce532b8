//! The errors of the core. Each API face maps them once to its own wire text.

use strum::{EnumDiscriminants, EnumIter};

/// Why a command did not happen. Nothing of a failed command is written.
#[derive(Clone, Debug, PartialEq, thiserror::Error, EnumDiscriminants)]
#[strum_discriminants(name(ErrorKind), derive(EnumIter, Hash))]
pub enum Error {
    #[error("the API key is not valid")]
    InvalidApiKey,
    #[error("no bot has that name")]
    BotNotFound,
    #[error("the bot secret (access code or API token) is wrong")]
    InvalidSecret,
    #[error("the bot is not online")]
    BotOffline,
    #[error("too many requests; retry in {retry_after_ms} ms")]
    Throttled { retry_after_ms: u64 },
    #[error("avatar not found: {who}")]
    AvatarNotFound { who: String },
    #[error("name lookup failed, {normalized}")]
    NameNotFound { normalized: String },
    #[error("an avatar cannot {what} itself")]
    NotForSelf { what: &'static str },
    #[error("already friends")]
    AlreadyFriends,
    #[error("not friends")]
    NotFriends,
    #[error("a friendship offer is already waiting for an answer")]
    OfferAlreadySent,
    #[error("no such friendship offer")]
    OfferNotFound,
    #[error("no right to change was given")]
    NoRightGiven,
    #[error("too many callback URLs (at most {max})")]
    TooManyCallbacks { max: usize },
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("internal error: {message}")]
    Internal { message: String },
}

impl Error {
    /// Shorthand for [`Error::Invalid`].
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::Invalid {
            field,
            reason: reason.into(),
        }
    }

    /// Shorthand for [`Error::Internal`].
    pub fn internal(message: impl std::fmt::Display) -> Self {
        Error::Internal {
            message: message.to_string(),
        }
    }
}

impl ErrorKind {
    /// A representative error of this kind, for generated documentation and tests.
    pub fn example(self) -> Error {
        match self {
            ErrorKind::InvalidApiKey => Error::InvalidApiKey,
            ErrorKind::BotNotFound => Error::BotNotFound,
            ErrorKind::InvalidSecret => Error::InvalidSecret,
            ErrorKind::BotOffline => Error::BotOffline,
            ErrorKind::Throttled => Error::Throttled {
                retry_after_ms: 1500,
            },
            ErrorKind::AvatarNotFound => Error::AvatarNotFound {
                who: "Jane Doe".into(),
            },
            ErrorKind::NameNotFound => Error::NameNotFound {
                normalized: "Jane Resident".into(),
            },
            ErrorKind::NotForSelf => Error::NotForSelf {
                what: "send an IM to",
            },
            ErrorKind::AlreadyFriends => Error::AlreadyFriends,
            ErrorKind::NotFriends => Error::NotFriends,
            ErrorKind::OfferAlreadySent => Error::OfferAlreadySent,
            ErrorKind::OfferNotFound => Error::OfferNotFound,
            ErrorKind::NoRightGiven => Error::NoRightGiven,
            ErrorKind::TooManyCallbacks => Error::TooManyCallbacks { max: 10 },
            ErrorKind::Invalid => Error::invalid("message", "must not be empty"),
            ErrorKind::Internal => Error::internal("database is locked"),
        }
    }
}
