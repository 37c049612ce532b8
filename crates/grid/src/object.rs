//! Objects in regions, with the built-in behaviours the embedded grid offers: a greeter
//! shows a dialog when touched, a tip jar thanks whoever pays it, a chair can be sat
//! on, a vendor gives an item for its price, an inviter invites whoever touches it into
//! its owner's group.

use crate::{AvatarId, Error, Uuid};
use serde::{Deserialize, Serialize};

/// How close an avatar must be to touch or sit on an object, in metres.
pub const REACH: f64 = 32.0;
/// Most prims in a link set (Second Life's limit).
pub const MAX_LINKS: i64 = 256;
/// Most buttons a dialog has (Second Life's `llDialog`).
pub const MAX_BUTTONS: usize = 12;

/// What an object does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Behaviour {
    /// Nothing: a plain object.
    Plain,
    /// Touched, it shows a dialog; a button pressed, it answers in local chat.
    Greeter { text: String, buttons: Vec<String> },
    /// Paid, it thanks the payer in local chat.
    TipJar { thanks: String },
    /// It has a sit target.
    Chair,
    /// Paid its price, it gives the item (an inventory UUID of its owner's).
    Vendor { price: i64, item: Uuid },
    /// Touched, it invites the toucher into its owner's group.
    Inviter { group: Uuid },
}

impl Behaviour {
    pub fn name(&self) -> &'static str {
        match self {
            Behaviour::Plain => "plain",
            Behaviour::Greeter { .. } => "greeter",
            Behaviour::TipJar { .. } => "tipjar",
            Behaviour::Chair => "chair",
            Behaviour::Vendor { .. } => "vendor",
            Behaviour::Inviter { .. } => "inviter",
        }
    }

    /// Checks what the operator configured.
    pub fn check(&self) -> Result<(), Error> {
        match self {
            Behaviour::Greeter { text, buttons } => check_dialog(text, buttons),
            Behaviour::Vendor { price, .. } => crate::money::check_amount(*price),
            _ => Ok(()),
        }
    }
}

/// Checks a dialog an object shows: 1 to 512 bytes of text, 1 to 12 buttons of 1 to 24
/// characters.
pub fn check_dialog(text: &str, buttons: &[String]) -> Result<(), Error> {
    if text.is_empty() || text.len() > 512 {
        return Err(Error::invalid("text", "a dialog text has 1 to 512 bytes"));
    }
    if buttons.is_empty()
        || buttons.len() > MAX_BUTTONS
        || buttons
            .iter()
            .any(|b| b.trim().is_empty() || b.chars().count() > 24)
    {
        return Err(Error::invalid(
            "buttons",
            "1 to 12 buttons of 1 to 24 characters",
        ));
    }
    Ok(())
}

/// What happened to an object, as its owner URL hears it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Happening {
    Touch,
    Money { amount: i64 },
    Sit,
    Dialog { channel: i32, button: String },
    Chat { channel: i32, message: String },
}

impl Happening {
    pub fn name(&self) -> &'static str {
        match self {
            Happening::Touch => "touch",
            Happening::Money { .. } => "money",
            Happening::Sit => "sit",
            Happening::Dialog { .. } => "dialog",
            Happening::Chat { .. } => "chat",
        }
    }
}

/// What an owner URL answers the object does next, for the avatar concerned.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Actions {
    /// Say this to the avatar.
    pub say: Option<String>,
    /// Show the avatar a dialog: text and buttons.
    pub dialog: Option<(String, Vec<String>)>,
    /// Give the avatar this item of the owner's.
    pub give: Option<Uuid>,
    /// Invite the avatar into this group (as the owner).
    pub invite: Option<Uuid>,
}

impl Actions {
    pub fn is_empty(&self) -> bool {
        self == &Actions::default()
    }
}

/// An object in a region.
#[derive(Clone, Debug, PartialEq)]
pub struct WorldObject {
    pub id: i64,
    pub uuid: Uuid,
    pub name: String,
    pub owner: AvatarId,
    pub region: i64,
    pub x: f64,
    pub y: f64,
    pub z: f64,
    pub behaviour: Behaviour,
    /// Prims in its link set (the root is link 1).
    pub links: i64,
}

impl WorldObject {
    /// The channel its dialogs listen on (negative, as scripts choose them).
    pub fn dialog_channel(&self) -> i32 {
        -(1000 + (self.id % 1_000_000) as i32)
    }

    pub fn has_sit_target(&self) -> bool {
        matches!(self.behaviour, Behaviour::Chair)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaviours_are_checked_and_stored_as_json() {
        let g = Behaviour::Greeter {
            text: "Welcome!".into(),
            buttons: vec!["Info".into(), "Map".into()],
        };
        assert!(g.check().is_ok());
        let json = serde_json::to_string(&g).unwrap();
        assert_eq!(serde_json::from_str::<Behaviour>(&json).unwrap(), g);
        assert!(
            Behaviour::Greeter {
                text: "x".into(),
                buttons: vec![]
            }
            .check()
            .is_err()
        );
        assert!(
            Behaviour::Vendor {
                price: 0,
                item: Uuid::nil()
            }
            .check()
            .is_err()
        );
    }
}
