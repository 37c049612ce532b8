//! Every `resulttext` this face can produce, in one place.

use crate::params::ParamError;
use grid::{Error, ErrorKind};
use strum::IntoEnumIterator;

/// Why a request failed: a problem with the request itself, or a refusal of the core.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    Param(ParamError),
    Missing(&'static str),
    Invalid { name: &'static str, reason: String },
    UnknownAction(String),
    JsonOnly,
    BodyTooLarge,
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
            Failure::BodyUnreadable => "Request body could not be read".into(),
            Failure::Method => "Use GET or POST".into(),
            Failure::Grid(e) => grid_text(e),
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
        Error::OfferNotFound => "Friendship offer not found".into(),
        Error::NoRightGiven => "Missing parameter: see_online, see_on_map or can_edit".into(),
        Error::TooManyCallbacks { max } => format!("Too many callback URLs (at most {max})"),
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

fn when_grid(kind: ErrorKind) -> &'static str {
    match kind {
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
        ErrorKind::TooManyCallbacks => {
            "`set_http_callback` would register an eleventh URL for the bot."
        }
        ErrorKind::Invalid => {
            "A value breaks a rule of the grid (empty or too long message, bad URL, no right named, …)."
        }
        ErrorKind::Internal => "The store failed; nothing was written. Retry.",
    }
}

/// Every failure this face can produce, for the generated reference.
pub fn documented() -> Vec<Documented> {
    let wire = [
        (
            Failure::Method,
            "A method other than GET or POST (HTTP 405).",
        ),
        (Failure::BodyTooLarge, "The body is longer than 64 KiB."),
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
    out.extend(ErrorKind::iter().map(|k| Documented {
        example: grid_text(&k.example()),
        when: when_grid(k),
    }));
    out
}
