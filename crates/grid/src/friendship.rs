//! Friendships: two avatars, each granting the other a set of rights.

use crate::{AvatarId, AvatarRef, OfferId, Uuid};

/// The rights one friend grants the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rights {
    pub see_online: bool,
    pub see_on_map: bool,
    pub modify_objects: bool,
}

impl Rights {
    /// What each side grants when a friendship starts: seeing the other online, as in
    /// Second Life; map and modify rights have to be given explicitly.
    pub const NEW_FRIENDSHIP: Rights = Rights {
        see_online: true,
        see_on_map: false,
        modify_objects: false,
    };
}

/// A change to rights: `None` leaves a right as it is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RightsChange {
    pub see_online: Option<bool>,
    pub see_on_map: Option<bool>,
    pub modify_objects: Option<bool>,
}

impl RightsChange {
    /// True when the change names no right at all.
    pub fn is_empty(&self) -> bool {
        self.see_online.is_none() && self.see_on_map.is_none() && self.modify_objects.is_none()
    }

    /// The rights after this change.
    pub fn apply(&self, to: Rights) -> Rights {
        Rights {
            see_online: self.see_online.unwrap_or(to.see_online),
            see_on_map: self.see_on_map.unwrap_or(to.see_on_map),
            modify_objects: self.modify_objects.unwrap_or(to.modify_objects),
        }
    }
}

/// One friend of an avatar, seen from that avatar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Friend {
    pub avatar: AvatarRef,
    /// Online, when the friend lets us see that; otherwise false.
    pub online: bool,
    /// Rights the friend grants us.
    pub their_rights: Rights,
    /// Rights we grant the friend.
    pub my_rights: Rights,
}

/// A friendship offer waiting for an answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FriendOffer {
    pub id: OfferId,
    /// The session id the recipient answers with.
    pub session: Uuid,
    pub from: AvatarId,
    pub to: AvatarId,
    pub message: String,
}
