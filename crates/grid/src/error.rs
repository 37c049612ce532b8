//! The errors of the core. Each API face maps them once to its own wire text.

use strum::{EnumDiscriminants, EnumIter};

/// Why a command did not happen. Nothing of a failed command is written.
#[derive(Clone, Debug, PartialEq, thiserror::Error, EnumDiscriminants)]
#[strum_discriminants(name(ErrorKind), derive(EnumIter, Hash, strum::IntoStaticStr))]
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
    #[error("group not found: {who}")]
    GroupNotFound { who: String },
    #[error("role not found: {who}")]
    RoleNotFound { who: String },
    #[error("the bot is not a member of the group")]
    NotAMember,
    #[error("the avatar is not in the group")]
    NotInGroup,
    #[error("the avatar is already in the group")]
    AlreadyMember,
    #[error("missing group power {power}")]
    MissingPower { power: &'static str },
    #[error("only owners may do that")]
    OwnersOnly,
    #[error("the last owner cannot leave the group")]
    LastOwner,
    #[error("the avatar is banned from the group")]
    Banned,
    #[error("the group is not open for enrollment")]
    NotOpen,
    #[error("no such group invitation")]
    InvitationNotFound,
    #[error("no bot serves this group")]
    NoServingBot,
    #[error("the avatar was invited too recently")]
    InviteCooldown,
    #[error("too many callback URLs (at most {max})")]
    TooManyCallbacks { max: usize },
    #[error("no such link")]
    LinkNotFound,
    #[error("no such callback registration")]
    CallbackNotFound,
    #[error("the name {name} is taken")]
    NameTaken { name: String },
    #[error("no such message")]
    MessageNotFound,
    #[error("the message cannot be changed: {reason}")]
    ItemNotChangeable { reason: &'static str },
    #[error("no such file")]
    FileNotFound,
    #[error("the sender cancelled the file")]
    FileCancelled,
    #[error("the file was received already")]
    FileAlreadyReceived,
    #[error("the file is larger than the limit of {max} bytes")]
    FileTooLarge { max: u64 },
    #[error("files cannot be sent: {reason}")]
    FileUnavailable { reason: String },
    #[error("no region is called {name}")]
    RegionNotFound { name: String },
    #[error("the bot is not an estate manager of {region}")]
    NotEstateManager { region: String },
    #[error("banned from {region}")]
    RegionBanned { region: String },
    #[error("no such teleport offer")]
    TeleportOfferNotFound,
    #[error("no object {what} near the bot")]
    ObjectNotFound { what: String },
    #[error("no such link in the object's link set")]
    PrimLinkNotFound,
    #[error("the item lacks transfer permission")]
    NoTransfer,
    #[error("no inventory item or folder {uuid} of this avatar")]
    InventoryNotFound { uuid: String },
    #[error("no such inventory offer")]
    InventoryOfferNotFound,
    #[error("not enough money: the balance is L${balance}, the transfer L${amount}")]
    InsufficientFunds { balance: i64, amount: i64 },
    #[error("this custom tag was used for another transfer")]
    TransferTagReused,
    #[error("not available for a bot in a remote grid: {what}")]
    NotInRemoteGrid { what: String },
    #[error("the remote grid: {message}")]
    RemoteGrid { message: String },
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
            ErrorKind::GroupNotFound => Error::GroupNotFound {
                who: "6f1f2c5e-3c2a-4c7e-9f0a-2b9d4e8a1c33".into(),
            },
            ErrorKind::RoleNotFound => Error::RoleNotFound {
                who: "6f1f2c5e-3c2a-4c7e-9f0a-2b9d4e8a1c33".into(),
            },
            ErrorKind::NotAMember => Error::NotAMember,
            ErrorKind::NotInGroup => Error::NotInGroup,
            ErrorKind::AlreadyMember => Error::AlreadyMember,
            ErrorKind::MissingPower => Error::MissingPower { power: "Invite" },
            ErrorKind::OwnersOnly => Error::OwnersOnly,
            ErrorKind::LastOwner => Error::LastOwner,
            ErrorKind::Banned => Error::Banned,
            ErrorKind::NotOpen => Error::NotOpen,
            ErrorKind::InvitationNotFound => Error::InvitationNotFound,
            ErrorKind::NoServingBot => Error::NoServingBot,
            ErrorKind::InviteCooldown => Error::InviteCooldown,
            ErrorKind::NotInRemoteGrid => Error::NotInRemoteGrid {
                what: "Teleport".into(),
            },
            ErrorKind::RemoteGrid => Error::RemoteGrid {
                message: "the region closed the connection".into(),
            },
            ErrorKind::TooManyCallbacks => Error::TooManyCallbacks { max: 10 },
            ErrorKind::LinkNotFound => Error::LinkNotFound,
            ErrorKind::CallbackNotFound => Error::CallbackNotFound,
            ErrorKind::NameTaken => Error::NameTaken {
                name: "Echo Bot".into(),
            },
            ErrorKind::MessageNotFound => Error::MessageNotFound,
            ErrorKind::ItemNotChangeable => Error::ItemNotChangeable {
                reason: "only its sender may edit it",
            },
            ErrorKind::FileNotFound => Error::FileNotFound,
            ErrorKind::FileCancelled => Error::FileCancelled,
            ErrorKind::FileAlreadyReceived => Error::FileAlreadyReceived,
            ErrorKind::FileTooLarge => Error::FileTooLarge { max: 104_857_600 },
            ErrorKind::FileUnavailable => Error::FileUnavailable {
                reason: "no files folder is set".into(),
            },
            ErrorKind::RegionNotFound => Error::RegionNotFound {
                name: "Nowhere Land".into(),
            },
            ErrorKind::NotEstateManager => Error::NotEstateManager {
                region: "Botgrid Welcome".into(),
            },
            ErrorKind::RegionBanned => Error::RegionBanned {
                region: "Botgrid Welcome".into(),
            },
            ErrorKind::TeleportOfferNotFound => Error::TeleportOfferNotFound,
            ErrorKind::ObjectNotFound => Error::ObjectNotFound {
                what: "6f1f2c5e-3c2a-4c7e-9f0a-2b9d4e8a1c33".into(),
            },
            ErrorKind::PrimLinkNotFound => Error::PrimLinkNotFound,
            ErrorKind::NoTransfer => Error::NoTransfer,
            ErrorKind::InventoryNotFound => Error::InventoryNotFound {
                uuid: "6f1f2c5e-3c2a-4c7e-9f0a-2b9d4e8a1c33".into(),
            },
            ErrorKind::InventoryOfferNotFound => Error::InventoryOfferNotFound,
            ErrorKind::InsufficientFunds => Error::InsufficientFunds {
                balance: 5,
                amount: 10,
            },
            ErrorKind::TransferTagReused => Error::TransferTagReused,
            ErrorKind::Invalid => Error::invalid("message", "must not be empty"),
            ErrorKind::Internal => Error::internal("database is locked"),
        }
    }
}
