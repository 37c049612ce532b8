//! Every `resulttext` this face can produce, in one place.

use crate::params::ParamError;
use grid::{Error, ErrorKind};
use strum::IntoEnumIterator;

/// Why a request failed: a problem with the request itself, or a refusal of the core.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    Param(ParamError),
    Missing(&'static str),
    Invalid {
        name: &'static str,
        reason: String,
    },
    UnknownAction(String),
    JsonOnly,
    BodyTooLarge,
    /// A `texture_upload` body over [`MAX_UPLOAD`].
    UploadTooLarge,
    BodyUnreadable,
    Method,
    Grid(Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Grid(e)
    }
}

/// Longest request body accepted.
pub const MAX_BODY: usize = 64 * 1024;
/// Longest `texture_upload` body (the image travels base64-encoded in it).
pub const MAX_UPLOAD: usize = 8 * 1024 * 1024;

impl Failure {
    /// The `resulttext` of this failure.
    pub fn text(&self) -> String {
        match self {
            Failure::Param(ParamError::BadEscape { name }) => {
                format!("Malformed percent-encoding in parameter: {name}")
            }
            Failure::Param(ParamError::NotUtf8 { name }) => {
                format!("Parameter is not valid UTF-8: {name}")
            }
            Failure::Param(ParamError::Duplicate { name }) => {
                format!("Duplicate parameter: {name}")
            }
            Failure::Param(ParamError::BadJson { reason }) => {
                format!("Malformed JSON body: {reason}")
            }
            Failure::Missing(name) => format!("Missing parameter: {name}"),
            Failure::Invalid { name, reason } => format!("Invalid parameter: {name} ({reason})"),
            Failure::UnknownAction(a) => format!("Unknown action: {a}"),
            Failure::JsonOnly => "This command requires dataType=json".into(),
            Failure::BodyTooLarge => format!("Request body too large (limit {MAX_BODY} bytes)"),
            Failure::UploadTooLarge => {
                format!("Request body too large (limit {MAX_UPLOAD} bytes)")
            }
            Failure::BodyUnreadable => "Request body could not be read".into(),
            Failure::Method => "Use GET or POST".into(),
            Failure::Grid(e) => grid_text(e),
        }
    }

    /// The failure's kind, for metrics: a bounded set of names, never request data.
    pub fn kind(&self) -> &'static str {
        match self {
            Failure::Param(_) => "Param",
            Failure::Missing(_) => "Missing",
            Failure::Invalid { .. } => "Invalid",
            Failure::UnknownAction(_) => "UnknownAction",
            Failure::JsonOnly => "JsonOnly",
            Failure::BodyTooLarge | Failure::UploadTooLarge => "BodyTooLarge",
            Failure::BodyUnreadable => "BodyUnreadable",
            Failure::Method => "Method",
            Failure::Grid(e) => grid::ErrorKind::from(e).into(),
        }
    }

    /// How long a throttled caller should wait, in whole seconds.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Failure::Grid(Error::Throttled { retry_after_ms }) => {
                Some(retry_after_ms.div_ceil(1000).max(1))
            }
            _ => None,
        }
    }
}

fn grid_text(e: &Error) -> String {
    match e {
        Error::InvalidApiKey => "INVALID APIKEY".into(),
        Error::BotNotFound => "BOT NOT EXISTS".into(),
        Error::InvalidSecret => "INVALID SECRET".into(),
        Error::BotOffline => "BOT OFFLINE".into(),
        Error::Throttled { .. } => "Frequent API requests throttled".into(),
        Error::AvatarNotFound { who } => format!("Avatar not found: {who}"),
        Error::NameNotFound { normalized } => format!("name lookup failed, {normalized}"),
        Error::NotForSelf { what } => format!("A bot cannot {what} itself"),
        Error::AlreadyFriends => "Already friends".into(),
        Error::NotFriends => "Not friends".into(),
        Error::OfferAlreadySent => "Friendship offer already sent".into(),
        Error::LinkNotFound => "Link not found".into(),
        Error::CallbackNotFound => "Callback not found".into(),
        Error::NameTaken { name } => format!("Name taken: {name}"),
        Error::MessageNotFound => "Message not found".into(),
        Error::ItemNotChangeable { reason } => format!("Message cannot be changed: {reason}"),
        Error::FileNotFound => "File not found".into(),
        Error::FileCancelled => "File cancelled".into(),
        Error::FileAlreadyReceived => "File already received".into(),
        Error::FileTooLarge { max } => format!("File larger than {max} bytes"),
        Error::FileUnavailable { reason } => format!("Files unavailable: {reason}"),
        Error::OfferNotFound => "Friendship offer not found".into(),
        Error::NoRightGiven => "Missing parameter: see_online, see_on_map or can_edit".into(),
        Error::GroupNotFound { who } => format!("Group not found: {who}"),
        Error::RoleNotFound { who } => format!("Role not found: {who}"),
        Error::NotAMember => "The bot is not in the group".into(),
        Error::NotInGroup => "Ejectee is not in the group".into(),
        Error::AlreadyMember => "Avatar is already in the group".into(),
        Error::MissingPower { power } => format!("Missing group power: {power}"),
        Error::OwnersOnly => "Only group owners may do that".into(),
        Error::LastOwner => "The last owner cannot leave the group".into(),
        Error::Banned => "Avatar is banned from the group".into(),
        Error::NotOpen => "Group is not open for enrollment".into(),
        Error::InvitationNotFound => "Group invitation not found".into(),
        Error::NoServingBot => "No bot serves this group".into(),
        Error::InviteCooldown => "Invited too recently".into(),
        Error::NotInRemoteGrid { what } => {
            format!("Not available for a bot in a remote grid ({what})")
        }
        Error::RemoteGrid { message } => format!("Remote grid: {message}"),
        Error::TooManyCallbacks { max } => format!("Too many callback URLs (at most {max})"),
        Error::RegionNotFound { name } => format!("Region not found: {name}"),
        Error::NotEstateManager { region } => {
            format!("The bot is not an estate manager of {region}")
        }
        Error::RegionBanned { region } => format!("Banned from region: {region}"),
        Error::TeleportOfferNotFound => "Teleport offer not found".into(),
        Error::ObjectNotFound { .. } => "OBJECT NOT FOUND".into(),
        Error::PrimLinkNotFound => "LINK NOT FOUND".into(),
        Error::NoTransfer => "transfer permission not set".into(),
        Error::InventoryNotFound { uuid } => format!("Inventory item not found: {uuid}"),
        Error::InventoryOfferNotFound => "Inventory offer not found".into(),
        Error::InsufficientFunds { balance, amount } => {
            format!("Insufficient funds: balance L${balance}, needed L${amount}")
        }
        Error::TransferTagReused => "custom was already used for a different payment".into(),
        Error::Invalid { field, reason } => format!("Invalid parameter: {field} ({reason})"),
        // Details go to the server log, not to the caller.
        Error::Internal { .. } => "Internal error, please retry".into(),
    }
}

/// One documented failure: an example text and when it happens.
pub struct Documented {
    pub example: String,
    pub when: &'static str,
}

/// When a core error reaches this API; `None` for errors only chat clients meet.
fn when_grid(kind: ErrorKind) -> Option<&'static str> {
    Some(match kind {
        ErrorKind::LinkNotFound
        | ErrorKind::CallbackNotFound
        | ErrorKind::NameTaken
        | ErrorKind::MessageNotFound
        | ErrorKind::ItemNotChangeable
        | ErrorKind::FileNotFound
        | ErrorKind::FileCancelled
        | ErrorKind::FileAlreadyReceived
        | ErrorKind::FileTooLarge
        | ErrorKind::FileUnavailable => {
            return None;
        }
        ErrorKind::InvalidApiKey => "`apikey` is not the key of any developer.",
        ErrorKind::BotNotFound => "`botname` names no bot (people cannot be driven by the API).",
        ErrorKind::InvalidSecret => {
            "`secret` is neither the bot's access code nor one of its live API tokens."
        }
        ErrorKind::BotOffline => {
            "The command needs the bot in the world and it is not ONLINE (everything but status, login, logout, set_http_callback)."
        }
        ErrorKind::Throttled => {
            "Too many messaging commands for this bot (the reply carries `Retry-After`), or too many wrong access codes in a minute."
        }
        ErrorKind::AvatarNotFound => "A UUID or name given for another avatar matches nobody.",
        ErrorKind::NameNotFound => {
            "`name2key` found nobody; the reply still carries `name` and `normalname`."
        }
        ErrorKind::NotForSelf => {
            "The bot named itself as the other avatar (IM, typing, friendship)."
        }
        ErrorKind::AlreadyFriends => "`offer_friendship` to a friend.",
        ErrorKind::NotFriends => {
            "`cancel_friendship` or `edit_friendship` for an avatar that is not a friend (nor has a pending offer)."
        }
        ErrorKind::OfferAlreadySent => {
            "`offer_friendship` while the bot's earlier offer is still unanswered."
        }
        ErrorKind::OfferNotFound => {
            "`friendship_offer_accept` with a session that is not an open offer from that avatar to this bot."
        }
        ErrorKind::NoRightGiven => "`edit_friendship` without any of the three rights.",
        ErrorKind::GroupNotFound => "A group UUID (or Simple Groups name) matches no group.",
        ErrorKind::RoleNotFound => {
            "A role UUID (or Simple Groups role name) is not a role of the group."
        }
        ErrorKind::NotAMember => "A group command for a group the bot is not in.",
        ErrorKind::NotInGroup => "`group_eject` of a non-member (unless `ignore_membership=1`).",
        ErrorKind::AlreadyMember => {
            "`group_join` into a group the bot is in; `group_invite` with `check_membership=1` (or into a role already held); Simple Groups `invite` of a member without `force=1`."
        }
        ErrorKind::MissingPower => {
            "The bot lacks the group power the command needs (named: Invite, Eject, AssignMember, AssignMemberLimited, RemoveMember, JoinChat, SendNotices, CreateRole, DeleteRole, RoleProperties, ChangeActions, ChangeIdentity, ChangeOptions, ManageBans)."
        }
        ErrorKind::OwnersOnly => {
            "Only owners eject or ban owners, put members into the Owners role, or give powers they do not have themselves."
        }
        ErrorKind::LastOwner => "The last owner leaves or steps down: hand the group over first.",
        ErrorKind::Banned => "Inviting or joining an avatar banned from the group.",
        ErrorKind::NotOpen => "`group_join` of a closed group without an invitation.",
        ErrorKind::InvitationNotFound => {
            "`group_offer_accept` with a session that is not an open, unexpired invitation from that avatar to this bot."
        }
        ErrorKind::NoServingBot => {
            "Simple Groups API: the group has no serving bot (the operator sets one)."
        }
        ErrorKind::InviteCooldown => {
            "Simple Groups `invite` within `cooldown` seconds of the avatar's last invitation."
        }
        ErrorKind::NotInRemoteGrid => {
            "A command that a bot living in a remote grid (OpenSimulator, Second Life) cannot use yet; `docs/remote-grids.md` lists what works."
        }
        ErrorKind::RemoteGrid => {
            "The remote grid the bot lives in failed the command: the region dropped the connection, or did not answer a look-up within 10 s."
        }
        ErrorKind::TooManyCallbacks => {
            "`set_http_callback` would register an eleventh URL for the bot."
        }
        ErrorKind::NotEstateManager => {
            "A `sim_*` command in a region where the bot is not an estate manager (it acts on the region it is in)."
        }
        ErrorKind::RegionBanned => "`teleport` into a region that banned the bot.",
        ErrorKind::TeleportOfferNotFound => {
            "`teleport_offer_accept` with a session that is not an open offer from that avatar."
        }
        ErrorKind::RegionNotFound => {
            "`teleport` to a region the grid does not have (the operator makes regions)."
        }
        ErrorKind::ObjectNotFound => {
            "`touch_prim`, `touch_prim_coord`, `sit`, `reply_dialog`, `give_money_object`, `inworld_prim_take` with no such object in the bot's region (within 32 m to touch or sit); `touch_attachment` with no worn object of that name."
        }
        ErrorKind::PrimLinkNotFound => {
            "`touch_attachment` with a `linkset` number outside the attachment's link set."
        }
        ErrorKind::NoTransfer => {
            "`inventory_give` of an item (or a folder with only items) the bot may not transfer."
        }
        ErrorKind::InventoryNotFound => {
            "An inventory UUID (item or folder) that is not in the bot's inventory."
        }
        ErrorKind::InventoryOfferNotFound => {
            "`inventory_offer_accept` with a session that is not an open offer from that sender to this bot."
        }
        ErrorKind::InsufficientFunds => {
            "`give_money` of more than the bot has (balances never go below zero)."
        }
        ErrorKind::TransferTagReused => {
            "`give_money` repeating an earlier payment's `custom` with another recipient, amount or comment (the same request with the same `custom` is answered OK once more and pays nothing)."
        }
        ErrorKind::Invalid => {
            "A value breaks a rule of the grid (empty or too long message, bad URL, no right named, …)."
        }
        ErrorKind::Internal => "The store failed; nothing was written. Retry.",
    })
}

/// Every failure this face can produce, for the generated reference.
pub fn documented() -> Vec<Documented> {
    let wire = [
        (
            Failure::Method,
            "A method other than GET or POST (HTTP 405).",
        ),
        (
            Failure::BodyTooLarge,
            "The body is longer than 64 KiB (but for `texture_upload`).",
        ),
        (
            Failure::UploadTooLarge,
            "A `texture_upload` body longer than 8 MiB.",
        ),
        (
            Failure::BodyUnreadable,
            "The connection broke while the body was being sent.",
        ),
        (
            Failure::Param(ParamError::BadEscape {
                name: "message".into(),
            }),
            "A `%` not followed by two hex digits, in a name or value.",
        ),
        (
            Failure::Param(ParamError::NotUtf8 {
                name: "message".into(),
            }),
            "A value that does not decode to UTF-8.",
        ),
        (
            Failure::Param(ParamError::Duplicate {
                name: "action".into(),
            }),
            "A parameter given twice (in the query, the body or both; names ignore case).",
        ),
        (
            Failure::Param(ParamError::BadJson {
                reason: "the body must be a JSON object".into(),
            }),
            "A `Content-Type: application/json` body that is not a flat JSON object.",
        ),
        (
            Failure::Missing("slname"),
            "A required parameter is absent or empty.",
        ),
        (
            Failure::Invalid {
                name: "avatar",
                reason: "expected an avatar UUID".into(),
            },
            "A parameter has the wrong form (not a UUID, not a number, out of range, unknown event name, …).",
        ),
        (
            Failure::UnknownAction("fly_to_moon".into()),
            "`action` is not a command of this API.",
        ),
        (
            Failure::JsonOnly,
            "A JSON-only command (for example `friends`) was called without `dataType=json`.",
        ),
    ];
    let mut out: Vec<Documented> = wire
        .into_iter()
        .map(|(f, when)| Documented {
            example: f.text(),
            when,
        })
        .collect();
    out.extend(ErrorKind::iter().filter_map(|k| {
        Some(Documented {
            example: grid_text(&k.example()),
            when: when_grid(k)?,
        })
    }));
    out
}
