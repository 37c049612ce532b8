//! Chat: what chat clients (the SimpleX face) add to the world — chat profiles, links that
//! others connect through, and rich message content.
//!
//! A chat user is an avatar driven by a chat client. Contacts are the avatars it is
//! friends with or has talked to; a contact request is a friendship offer. Links are
//! capabilities: whoever holds one may use it.

use crate::group::{GroupId, Membership, Powers, RoleKind};
use crate::{AvatarId, Error, Timestamp};
use serde::{Deserialize, Serialize};

/// Longest text of a chat message, in bytes. SimpleX messages may be longer than a
/// Second Life IM; a recipient driven through SmartBots gets the whole text.
pub const MAX_CHAT_TEXT_BYTES: usize = 15_000;

/// Longest rich content (the client's JSON form of a message), in bytes.
pub const MAX_RICH_BYTES: usize = 64 * 1024;

/// Most messages one send command may carry.
pub const MAX_MESSAGES_PER_SEND: usize = 20;

/// Longest display name, in characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 64;

/// A chat user's profile beyond the avatar's name: what SimpleX calls `Profile`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatProfile {
    #[serde(default)]
    pub full_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_descr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A `data:` URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Chat preferences (features, bot command menus), as the client's JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferences: Option<String>,
    /// Whether the profile shows the user's address.
    #[serde(default)]
    pub show_address: bool,
    /// Joins the groups it is invited to at once (a setting, not shown to others).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub auto_join_groups: bool,
}

/// A chat user: an avatar a chat client drives.
#[derive(Clone, Debug, PartialEq)]
pub struct ChatUser {
    pub avatar: crate::Avatar,
    pub profile: ChatProfile,
    pub created: Timestamp,
}

/// What a link connects to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// A user's long-lived contact address.
    Address,
    /// A one-time invitation: the first avatar that uses it becomes a contact.
    Invitation,
    /// A group's join link.
    Group,
}

impl LinkKind {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Address => "address",
            LinkKind::Invitation => "invitation",
            LinkKind::Group => "group",
        }
    }

    /// Reads the stored spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "address" => Some(LinkKind::Address),
            "invitation" => Some(LinkKind::Invitation),
            "group" => Some(LinkKind::Group),
            _ => None,
        }
    }
}

/// How an address answers those who connect through it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressSettings {
    /// Requests become contacts at once; otherwise they wait for an answer.
    #[serde(default)]
    pub auto_accept: bool,
    #[serde(default)]
    pub accept_incognito: bool,
    #[serde(default)]
    pub business: bool,
    /// Sent to each new contact when it is accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_reply: Option<Content>,
    /// For a group link: the standing those who join through it get.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_role: Option<ChatRole>,
}

/// A link someone may connect through.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub id: i64,
    /// The secret part of the link; unique.
    pub token: String,
    pub kind: LinkKind,
    pub owner: AvatarId,
    /// The group a group link joins.
    pub group: Option<GroupId>,
    pub settings: AddressSettings,
    pub created: Timestamp,
}

/// A message's content: its plain text, which every face understands, and optionally the
/// chat client's rich form of it (SimpleX `MsgContent` JSON), kept verbatim.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Content {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rich: Option<String>,
    /// A file sent with the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<Attachment>,
}

impl Content {
    /// Plain text.
    pub fn text(text: impl Into<String>) -> Self {
        Content {
            text: text.into(),
            rich: None,
            file: None,
        }
    }

    /// Checks the limits of chat content. Unlike an IM, a chat message may have no
    /// text (a file, an image).
    pub fn check(&self) -> Result<(), Error> {
        crate::message::check_len("text", &self.text, MAX_CHAT_TEXT_BYTES)?;
        if let Some(rich) = &self.rich {
            crate::message::check_len("rich content", rich, MAX_RICH_BYTES)?;
        }
        Ok(())
    }
}

/// Longest file name, in bytes.
pub const MAX_FILE_NAME_BYTES: usize = 255;

/// A stored file's row id: what chat clients call `fileId`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FileId(pub i64);

/// A file sent with a chat message, as its recipients are told of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: FileId,
    pub name: String,
    pub size: u64,
}

/// Checks the name a file is sent under: a plain file name, not a path, so a recipient
/// that saves it under that name stays in its folder.
pub fn check_file_name(name: &str) -> Result<(), Error> {
    let bad = name.is_empty()
        || name == "."
        || name == ".."
        || name.len() > MAX_FILE_NAME_BYTES
        || name
            .chars()
            .any(|c| c == '/' || c == '\\' || c.is_control());
    if bad {
        return Err(Error::invalid(
            "file name",
            format!("must be a plain file name of 1 to {MAX_FILE_NAME_BYTES} bytes"),
        ));
    }
    Ok(())
}

/// A stored file and where it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredFile {
    pub attachment: Attachment,
    /// The avatar that sent it.
    pub owner: AvatarId,
    /// The SHA-256 of the body, hex: the body's name in the files folder.
    pub digest: String,
    /// The sender cancelled it: nobody may receive it any more.
    pub cancelled: bool,
    pub created: Timestamp,
}

/// What a recipient did with a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Receipt {
    /// Received, saved at `path` (the path the client asked for).
    Received { path: String },
    /// Refused: the recipient cancelled it.
    Refused,
}

/// What a chat user keeps custom data about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CustomTarget {
    Contact(AvatarId),
    Group(GroupId),
}

/// Largest custom data a user may keep about one contact or group, in bytes.
pub const MAX_CUSTOM_DATA_BYTES: usize = 64 * 1024;

/// Longest reaction (an emoji), in bytes.
pub const MAX_REACTION_BYTES: usize = 64;

/// Most items one delete command may name.
pub const MAX_ITEMS_PER_DELETE: usize = 200;

/// Names a chat item: a direct message or a group chat post.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum ItemRef {
    Direct(crate::MessageId),
    Post(crate::group::PostId),
}

/// A chat item as stored: a direct message or a post in a group's chat.
#[derive(Clone, Debug, PartialEq)]
pub enum ChatItem {
    Direct(DirectMessage),
    Post(GroupItem),
}

impl ChatItem {
    /// Who sent it.
    pub fn sender(&self) -> AvatarId {
        match self {
            ChatItem::Direct(m) => m.from,
            ChatItem::Post(p) => p.sender,
        }
    }

    /// Its reference.
    pub fn item_ref(&self) -> ItemRef {
        match self {
            ChatItem::Direct(m) => ItemRef::Direct(m.id),
            ChatItem::Post(p) => ItemRef::Post(p.post),
        }
    }
}

/// A post in a group's chat, as chat clients see it.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupItem {
    pub post: crate::group::PostId,
    pub group: GroupId,
    pub sender: AvatarId,
    pub content: Content,
    pub at: Timestamp,
    pub edited: bool,
    /// Deleted for everyone by its sender (`moderated: false`) or a moderator.
    pub deleted: Option<Deletion>,
    /// The post it answers.
    pub quote: Option<crate::group::PostId>,
}

/// How an item was deleted for everyone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deletion {
    pub at: Timestamp,
    /// By a moderator rather than its sender.
    pub moderated: bool,
}

/// What happened to chat items.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ItemChange {
    /// The sender changed its content.
    Edited,
    /// Deleted for everyone, by its sender or (`moderated`) a moderator.
    Deleted { moderated: bool },
    /// A reaction was added or taken back.
    Reacted { reaction: String, added: bool },
}

/// Checks a reaction (an emoji, or another short text a client sends).
pub fn check_reaction(reaction: &str) -> Result<(), Error> {
    if reaction.trim().is_empty() || reaction.len() > MAX_REACTION_BYTES {
        return Err(Error::invalid(
            "reaction",
            format!("must be 1 to {MAX_REACTION_BYTES} bytes"),
        ));
    }
    Ok(())
}

/// The reactions on an item: each reaction with how many gave it and whether the
/// viewer did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reactions(pub Vec<(String, usize, bool)>);

impl Reactions {
    /// Counts `(avatar, reaction)` rows, in order of first appearance, for `viewer`.
    pub fn count(rows: &[(AvatarId, String)], viewer: AvatarId) -> Reactions {
        let mut out: Vec<(String, usize, bool)> = Vec::new();
        for (who, r) in rows {
            match out.iter_mut().find(|(x, _, _)| x == r) {
                Some(e) => {
                    e.1 += 1;
                    e.2 |= *who == viewer;
                }
                None => out.push((r.clone(), 1, *who == viewer)),
            }
        }
        Reactions(out)
    }
}

/// A direct message as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct DirectMessage {
    pub id: crate::MessageId,
    pub from: AvatarId,
    pub to: AvatarId,
    pub content: Content,
    /// The message this one answers.
    pub quote: Option<crate::MessageId>,
    pub at: Timestamp,
    pub edited: bool,
    /// Deleted for everyone by its sender.
    pub deleted: Option<Timestamp>,
}

/// A member's standing in a group as chat clients name it (the SimpleX roles), read
/// from the group roles it holds: Owners make an owner, Officers an admin; other members
/// are moderators when they may eject or moderate chat, members when they may chat, and
/// observers otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChatRole {
    Observer,
    Author,
    Member,
    Moderator,
    Admin,
    Owner,
}

impl ChatRole {
    /// The standing a membership gives.
    pub fn of(m: &Membership) -> ChatRole {
        if m.is_owner() {
            return ChatRole::Owner;
        }
        if m.holds_kind(RoleKind::Officers) {
            return ChatRole::Admin;
        }
        let powers = m.powers();
        if powers.contains(Powers::EJECT) || powers.contains(Powers::MODERATE_CHAT) {
            ChatRole::Moderator
        } else if powers.contains(Powers::JOIN_CHAT) {
            ChatRole::Member
        } else {
            ChatRole::Observer
        }
    }

    /// The standing the role of a kind gives someone who holds it alone (an invitation's
    /// or an application's role).
    pub fn of_kind(kind: RoleKind) -> ChatRole {
        match kind {
            RoleKind::Owners => ChatRole::Owner,
            RoleKind::Officers => ChatRole::Admin,
            _ => ChatRole::Member,
        }
    }

    /// The built-in role that gives this standing. Moderators and observers have none:
    /// they come from custom roles and powers, which chat clients cannot name.
    pub fn role_kind(self) -> Result<RoleKind, Error> {
        match self {
            ChatRole::Owner => Ok(RoleKind::Owners),
            ChatRole::Admin => Ok(RoleKind::Officers),
            ChatRole::Member | ChatRole::Author => Ok(RoleKind::Everyone),
            ChatRole::Moderator | ChatRole::Observer => Err(Error::invalid(
                "role",
                "botgrid groups give owner, admin and member through their Owners, \
                 Officers and Everyone roles; moderators and observers come from custom \
                 roles set up with the SmartBots group commands",
            )),
        }
    }
}

/// Whether `actor` may block `target`'s messages for everyone (mute it in group chat).
pub fn may_block(actor: &Membership, target: &Membership) -> Result<(), Error> {
    if actor.avatar == target.avatar {
        return Err(Error::NotForSelf { what: "block" });
    }
    actor.require(Powers::MODERATE_CHAT)?;
    if target.is_owner() && !actor.is_owner() {
        return Err(Error::OwnersOnly);
    }
    Ok(())
}

/// Whether `actor` may review applicants into `role` (accept or turn them away): the
/// members who could have invited them into it.
pub fn may_review(actor: &Membership, role: &crate::group::Role) -> Result<(), Error> {
    crate::group::may_invite(actor, role)
}

/// Whether `actor` may delete `author`'s posts in a group's chat for everyone: its own
/// always; others' with the power to moderate chat, and an owner's only as an owner.
pub fn may_moderate(actor: &Membership, author: Option<&Membership>) -> Result<(), Error> {
    match author {
        Some(a) if a.avatar == actor.avatar => Ok(()),
        Some(a) => {
            actor.require(Powers::MODERATE_CHAT)?;
            if a.is_owner() && !actor.is_owner() {
                return Err(Error::OwnersOnly);
            }
            Ok(())
        }
        // The author has left: moderators may still remove what it said.
        None => actor.require(Powers::MODERATE_CHAT),
    }
}

/// The field name of display-name errors, for faces that map them to their own.
pub const DISPLAY_NAME: &str = "display name";

/// Checks a display name a chat client chose.
pub fn check_display_name(name: &str) -> Result<(), Error> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid(DISPLAY_NAME, "must not be empty"));
    }
    if trimmed.chars().count() > MAX_DISPLAY_NAME_CHARS {
        return Err(Error::invalid(
            DISPLAY_NAME,
            format!("is longer than {MAX_DISPLAY_NAME_CHARS} characters"),
        ));
    }
    if trimmed.chars().any(|c| c.is_control()) {
        return Err(Error::invalid(
            DISPLAY_NAME,
            "must not contain control characters",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names() {
        assert!(check_display_name("Squaring bot").is_ok());
        assert!(check_display_name("  ").is_err());
        assert!(check_display_name("a\nb").is_err());
        assert!(check_display_name(&"x".repeat(65)).is_err());
    }

    #[test]
    fn content_limits() {
        assert!(Content::text("").check().is_ok());
        assert!(
            Content::text("x".repeat(MAX_CHAT_TEXT_BYTES + 1))
                .check()
                .is_err()
        );
    }

    #[test]
    fn reactions_are_counted_for_the_viewer() {
        let rows = [
            (AvatarId(1), "👍".to_owned()),
            (AvatarId(2), "❤️".to_owned()),
            (AvatarId(3), "👍".to_owned()),
        ];
        let seen = Reactions::count(&rows, AvatarId(3));
        assert_eq!(
            seen.0,
            [("👍".to_owned(), 2, true), ("❤️".to_owned(), 1, false)]
        );
        assert!(check_reaction("👍").is_ok());
        assert!(check_reaction(" ").is_err());
        assert!(check_reaction(&"x".repeat(MAX_REACTION_BYTES + 1)).is_err());
    }

    #[test]
    fn link_kinds_round_trip() {
        for k in [LinkKind::Address, LinkKind::Invitation, LinkKind::Group] {
            assert_eq!(LinkKind::parse(k.as_str()), Some(k));
        }
    }
}
