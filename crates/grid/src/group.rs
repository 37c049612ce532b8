//! Groups: roles with titles and powers, members, invitations, bans, chat and notices.
//!
//! Powers follow Second Life's group abilities (the names are those SmartBots shows in
//! `listgroups_extended`). A member's powers are the union of the powers of the roles it
//! holds; every member holds the Everyone role. The rules here are pure: the engine
//! gathers the facts, asks these functions, and writes what they allow.

use crate::{AvatarId, Error, Timestamp, Uuid};
use serde::{Deserialize, Serialize};

/// Row id of a group (SimpleX `groupId`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GroupId(pub i64);

/// Row id of a role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RoleId(pub i64);

/// Row id of a group chat message or notice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PostId(pub i64);

/// A set of group powers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Powers(pub i64);

macro_rules! powers {
    ($($(#[$doc:meta])* $name:ident = $bit:expr, $text:literal;)*) => {
        impl Powers {
            $($(#[$doc])* pub const $name: Powers = Powers(1 << $bit);)*
            /// Every power, with its name, in display order.
            pub const NAMED: &'static [(Powers, &'static str)] = &[$((Powers::$name, $text)),*];
        }
    };
}

powers! {
    /// Invite people into the group.
    INVITE = 0, "Invite";
    /// Eject members from the group.
    EJECT = 1, "Eject";
    /// Change open enrollment and the join fee.
    CHANGE_OPTIONS = 2, "ChangeOptions";
    /// Be listed among the group's members.
    MEMBER_VISIBLE = 3, "MemberVisible";
    /// Create roles.
    CREATE_ROLE = 4, "CreateRole";
    /// Delete roles.
    DELETE_ROLE = 5, "DeleteRole";
    /// Change a role's name, title and description.
    ROLE_PROPERTIES = 6, "RoleProperties";
    /// Assign members to roles the assigner holds.
    ASSIGN_MEMBER_LIMITED = 7, "AssignMemberLimited";
    /// Assign members to any role.
    ASSIGN_MEMBER = 8, "AssignMember";
    /// Remove members from roles.
    REMOVE_MEMBER = 9, "RemoveMember";
    /// Change the powers of roles.
    CHANGE_ACTIONS = 10, "ChangeActions";
    /// Change the charter, insignia and profile of the group.
    CHANGE_IDENTITY = 11, "ChangeIdentity";
    /// Send group notices.
    SEND_NOTICES = 12, "SendNotices";
    /// Receive group notices.
    RECEIVE_NOTICES = 13, "ReceiveNotices";
    /// Join group chat (send and receive it).
    JOIN_CHAT = 14, "JoinChat";
    /// Moderate group chat.
    MODERATE_CHAT = 15, "ModerateChat";
    /// Ban and unban avatars.
    MANAGE_BANS = 16, "ManageBans";
    /// Buy land for the group and deed land to it.
    LAND_DEED = 17, "LandDeed";
}

impl Powers {
    /// No power at all.
    pub const NONE: Powers = Powers(0);

    /// Every power there is.
    pub fn all() -> Powers {
        Powers::NAMED
            .iter()
            .fold(Powers::NONE, |acc, (p, _)| acc | *p)
    }

    /// What the Everyone role of a new group may do.
    pub fn everyone_default() -> Powers {
        Powers::JOIN_CHAT | Powers::RECEIVE_NOTICES | Powers::MEMBER_VISIBLE
    }

    /// What the Officers role of a new group may do.
    pub fn officers_default() -> Powers {
        Powers::everyone_default()
            | Powers::INVITE
            | Powers::EJECT
            | Powers::ASSIGN_MEMBER_LIMITED
            | Powers::REMOVE_MEMBER
            | Powers::SEND_NOTICES
            | Powers::MODERATE_CHAT
    }

    /// True when every power of `other` is in `self`.
    pub fn contains(self, other: Powers) -> bool {
        self.0 & other.0 == other.0
    }

    /// The names of the powers, comma-separated (`Invite,Eject,JoinChat`).
    pub fn names(self) -> String {
        Powers::NAMED
            .iter()
            .filter(|(p, _)| self.contains(*p))
            .map(|(_, n)| *n)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The name of a single power.
    pub fn name(self) -> &'static str {
        Powers::NAMED
            .iter()
            .find(|(p, _)| *p == self)
            .map(|(_, n)| *n)
            .unwrap_or("?")
    }

    /// Reads a comma-separated list of names (any case); `all` and `none` also work.
    pub fn parse(text: &str) -> Result<Powers, String> {
        let mut set = Powers::NONE;
        for word in text.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            if word.eq_ignore_ascii_case("all") {
                set = set | Powers::all();
            } else if word.eq_ignore_ascii_case("none") {
                continue;
            } else {
                let p = Powers::NAMED
                    .iter()
                    .find(|(_, n)| n.eq_ignore_ascii_case(word))
                    .ok_or_else(|| format!("unknown power {word}"))?;
                set = set | p.0;
            }
        }
        Ok(set)
    }
}

impl std::ops::BitOr for Powers {
    type Output = Powers;
    fn bitor(self, rhs: Powers) -> Powers {
        Powers(self.0 | rhs.0)
    }
}

/// The three roles every group has, and the roles its members make.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RoleKind {
    /// Held by every member; its UUID is the zero UUID, as in Second Life.
    Everyone,
    Officers,
    /// Holders own the group: they may do everything, and cannot be ejected by others.
    Owners,
    Custom,
}

impl RoleKind {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            RoleKind::Everyone => "everyone",
            RoleKind::Officers => "officers",
            RoleKind::Owners => "owners",
            RoleKind::Custom => "custom",
        }
    }

    /// Reads the stored spelling.
    pub fn parse(s: &str) -> Option<RoleKind> {
        match s {
            "everyone" => Some(RoleKind::Everyone),
            "officers" => Some(RoleKind::Officers),
            "owners" => Some(RoleKind::Owners),
            "custom" => Some(RoleKind::Custom),
            _ => None,
        }
    }
}

/// A group as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub id: GroupId,
    pub uuid: Uuid,
    pub name: String,
    pub charter: String,
    pub insignia: Uuid,
    pub open_enrollment: bool,
    /// L$ to join.
    pub fee: i64,
    pub mature: bool,
    pub founder: AvatarId,
    pub created: Timestamp,
}

/// Who a group event is from, as it was when it happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRef {
    pub id: GroupId,
    pub uuid: Uuid,
    pub name: String,
}

impl Group {
    /// The short reference events carry.
    pub fn to_ref(&self) -> GroupRef {
        GroupRef {
            id: self.id,
            uuid: self.uuid,
            name: self.name.clone(),
        }
    }
}

/// A role of a group.
#[derive(Clone, Debug, PartialEq)]
pub struct Role {
    pub id: RoleId,
    pub uuid: Uuid,
    pub group: GroupId,
    pub kind: RoleKind,
    pub name: String,
    pub title: String,
    pub description: String,
    pub powers: Powers,
}

/// One avatar's membership of a group.
#[derive(Clone, Debug, PartialEq)]
pub struct Membership {
    pub group: GroupId,
    pub avatar: AvatarId,
    /// The roles held, Everyone included.
    pub roles: Vec<Role>,
    /// The role whose title the member shows.
    pub active_role: RoleId,
    /// Shown in the member's profile.
    pub in_profile: bool,
    /// Wants notices.
    pub accept_notices: bool,
    /// Blocked for all by a moderator: what it says in group chat reaches nobody.
    pub blocked: bool,
}

impl Membership {
    /// The union of the powers of the roles held.
    pub fn powers(&self) -> Powers {
        self.roles
            .iter()
            .fold(Powers::NONE, |acc, r| acc | r.powers)
    }

    /// True when the member holds the Owners role.
    pub fn is_owner(&self) -> bool {
        self.holds_kind(RoleKind::Owners)
    }

    /// True when the member holds a role of this kind.
    pub fn holds_kind(&self, kind: RoleKind) -> bool {
        self.roles.iter().any(|r| r.kind == kind)
    }

    /// True when the member holds this role.
    pub fn holds(&self, role: RoleId) -> bool {
        self.roles.iter().any(|r| r.id == role)
    }

    /// Fails unless the member has the power (owners have every power).
    pub fn require(&self, power: Powers) -> Result<(), Error> {
        if self.is_owner() || self.powers().contains(power) {
            Ok(())
        } else {
            Err(Error::MissingPower {
                power: power.name(),
            })
        }
    }

    /// The title the member shows.
    pub fn title(&self) -> &str {
        self.roles
            .iter()
            .find(|r| r.id == self.active_role)
            .map(|r| r.title.as_str())
            .unwrap_or("")
    }
}

/// Whether `actor` may put someone into `role` (inviting into it, or assigning it).
pub fn may_assign(actor: &Membership, role: &Role) -> Result<(), Error> {
    match role.kind {
        RoleKind::Everyone => Ok(()),
        RoleKind::Owners if !actor.is_owner() => Err(Error::OwnersOnly),
        _ if actor.is_owner() || actor.powers().contains(Powers::ASSIGN_MEMBER) => Ok(()),
        _ if actor.powers().contains(Powers::ASSIGN_MEMBER_LIMITED) && actor.holds(role.id) => {
            Ok(())
        }
        _ => Err(Error::MissingPower {
            power: if actor.powers().contains(Powers::ASSIGN_MEMBER_LIMITED) {
                Powers::ASSIGN_MEMBER.name()
            } else {
                Powers::ASSIGN_MEMBER_LIMITED.name()
            },
        }),
    }
}

/// Whether `actor` may invite someone into `role`.
pub fn may_invite(actor: &Membership, role: &Role) -> Result<(), Error> {
    actor.require(Powers::INVITE)?;
    may_assign(actor, role)
}

/// Whether `actor` may eject `target`.
pub fn may_eject(actor: &Membership, target: &Membership) -> Result<(), Error> {
    actor.require(Powers::EJECT)?;
    if target.is_owner() && !actor.is_owner() {
        return Err(Error::OwnersOnly);
    }
    // Taking someone out of roles other than Everyone is its own power.
    if target.roles.iter().any(|r| r.kind != RoleKind::Everyone) {
        actor.require(Powers::REMOVE_MEMBER)?;
    }
    Ok(())
}

/// Whether `actor` may take `target` out of `role`.
pub fn may_remove_from_role(
    actor: &Membership,
    target: &Membership,
    role: &Role,
) -> Result<(), Error> {
    if role.kind == RoleKind::Everyone {
        return Err(Error::invalid(
            "roleuuid",
            "nobody leaves the Everyone role but by leaving the group",
        ));
    }
    if role.kind == RoleKind::Owners && !(actor.is_owner() && actor.avatar == target.avatar) {
        // Owners step down themselves; nobody demotes them.
        return Err(Error::OwnersOnly);
    }
    if actor.avatar == target.avatar {
        return Ok(());
    }
    actor.require(Powers::REMOVE_MEMBER)
}

/// Whether a member may leave: the last owner must hand the group over first.
pub fn may_leave(member: &Membership, owners: usize) -> Result<(), Error> {
    if member.is_owner() && owners <= 1 {
        Err(Error::LastOwner)
    } else {
        Ok(())
    }
}

/// Whether `actor` may give a role these powers: it needs ChangeActions, and only
/// owners grant powers they do not have themselves.
pub fn may_set_powers(actor: &Membership, powers: Powers) -> Result<(), Error> {
    actor.require(Powers::CHANGE_ACTIONS)?;
    if !actor.is_owner() && !actor.powers().contains(powers) {
        return Err(Error::OwnersOnly);
    }
    Ok(())
}

/// Longest group name.
pub const MAX_GROUP_NAME: usize = 35;
/// Shortest group name.
pub const MIN_GROUP_NAME: usize = 4;
/// Longest charter, in bytes.
pub const MAX_CHARTER: usize = 1023;
/// Longest role name and title.
pub const MAX_ROLE_NAME: usize = 20;
/// Longest role description, in bytes.
pub const MAX_ROLE_DESCRIPTION: usize = 254;
/// Longest notice subject, in characters (ASCII only).
pub const MAX_NOTICE_SUBJECT: usize = 254;
/// Longest notice text, in bytes.
pub const MAX_NOTICE_TEXT: usize = 512;
/// Longest group chat message, in bytes.
pub const MAX_GROUP_MESSAGE: usize = 1023;
/// How long an invitation can be accepted.
pub const INVITATION_LIFETIME_MS: i64 = 7 * 24 * 3600 * 1000;
/// Most held group posts one member receives per group when coming online; older ones
/// stay in the group's history.
pub const MAX_CATCH_UP_POSTS: i64 = 1000;

/// Most roles a group may have, the three built-in ones included (as in Second Life).
pub const MAX_ROLES: usize = 10;

/// Checks a join fee: 0 to 100,000,000 L$.
pub fn check_fee(fee: i64) -> Result<(), Error> {
    if (0..=100_000_000).contains(&fee) {
        Ok(())
    } else {
        Err(Error::invalid("fee", "must be from 0 to 100000000"))
    }
}

/// Checks a role's name, title and description.
pub fn check_role(name: &str, title: &str, description: &str) -> Result<(), Error> {
    if name.trim().is_empty() {
        return Err(Error::invalid("name", "must not be empty"));
    }
    check_role_text("name", name)?;
    check_role_text("title", title)?;
    crate::message::check_len("description", description, MAX_ROLE_DESCRIPTION)
}

/// True when an invitation made at `last` is recent for a cooldown of this length
/// (Simple Groups `invite`).
pub fn within_cooldown(last: Timestamp, now: Timestamp, cooldown_secs: u32) -> bool {
    last.0 > now.0 - i64::from(cooldown_secs) * 1000
}

/// Checks a group name: 4 to 35 characters, no control characters, not blank-edged.
pub fn check_group_name(name: &str) -> Result<String, Error> {
    let name = name.trim();
    let n = name.chars().count();
    if !(MIN_GROUP_NAME..=MAX_GROUP_NAME).contains(&n) {
        return Err(Error::invalid(
            "name",
            "a group name has 4 to 35 characters",
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::invalid(
            "name",
            "must not contain control characters",
        ));
    }
    Ok(name.to_owned())
}

/// The case-insensitive key of a group name.
pub fn group_name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Checks a role name or title.
pub fn check_role_text(field: &'static str, text: &str) -> Result<(), Error> {
    if text.chars().count() > MAX_ROLE_NAME {
        return Err(Error::invalid(field, "has more than 20 characters"));
    }
    if text.chars().any(char::is_control) {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    Ok(())
}

/// Checks a notice: an ASCII subject (Second Life drops others), a short text.
pub fn check_notice(subject: &str, text: &str) -> Result<(), Error> {
    if subject.trim().is_empty() {
        return Err(Error::invalid("subject", "must not be empty"));
    }
    if !subject
        .chars()
        .all(|c| c.is_ascii() && !c.is_ascii_control())
    {
        return Err(Error::invalid(
            "subject",
            "only ASCII characters are allowed",
        ));
    }
    if subject.len() > MAX_NOTICE_SUBJECT {
        return Err(Error::invalid("subject", "has more than 254 characters"));
    }
    crate::message::check_len("text", text, MAX_NOTICE_TEXT)
}

/// Checks a group chat message.
pub fn check_group_message(text: &str) -> Result<(), Error> {
    if text.trim().is_empty() {
        return Err(Error::invalid("message", "must not be empty"));
    }
    crate::message::check_len("message", text, MAX_GROUP_MESSAGE)
}

/// An invitation into a group, waiting for an answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Invitation {
    pub id: i64,
    /// The session id the invitee answers with.
    pub session: Uuid,
    pub group: GroupId,
    pub role: RoleId,
    pub invitee: AvatarId,
    pub inviter: AvatarId,
    /// L$ the invitee pays on joining.
    pub fee: i64,
    pub message: String,
    pub created: Timestamp,
    pub expires: Timestamp,
}

/// Someone who asked to join a group that reviews joins, waiting for a reviewer.
#[derive(Clone, Debug, PartialEq)]
pub struct Applicant {
    pub group: GroupId,
    pub avatar: AvatarId,
    /// The standing the link gives, and the one a reviewer accepts into by default.
    pub role: RoleId,
    /// Whose link it came through.
    pub host: AvatarId,
    pub since: Timestamp,
}

/// Second Life discards notices sent faster than this: at most 3 within 5 s, then one
/// every 3 s. Given the send times of the sender's recent notices (sent or scheduled,
/// oldest first), the earliest time the next one may go.
pub fn next_notice_slot(recent: &[Timestamp], now: Timestamp) -> Timestamp {
    const WINDOW_MS: i64 = 5_000;
    const SPACING_MS: i64 = 3_000;
    let in_window = recent.iter().filter(|t| t.0 > now.0 - WINDOW_MS).count();
    match recent.last() {
        Some(last) if in_window >= 3 => Timestamp(now.0.max(last.0 + SPACING_MS)),
        _ => now,
    }
}

/// A chat message or a notice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PostKind {
    Chat,
    Notice,
}

impl PostKind {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PostKind::Chat => "chat",
            PostKind::Notice => "notice",
        }
    }

    /// Reads the stored spelling.
    pub fn parse(s: &str) -> Option<PostKind> {
        match s {
            "chat" => Some(PostKind::Chat),
            "notice" => Some(PostKind::Notice),
            _ => None,
        }
    }

    /// The power a member needs to receive posts of this kind.
    pub fn receive_power(self) -> Powers {
        match self {
            PostKind::Chat => Powers::JOIN_CHAT,
            PostKind::Notice => Powers::RECEIVE_NOTICES,
        }
    }

    /// The power a member needs to send posts of this kind.
    pub fn send_power(self) -> Powers {
        match self {
            PostKind::Chat => Powers::JOIN_CHAT,
            PostKind::Notice => Powers::SEND_NOTICES,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(id: i64, kind: RoleKind, powers: Powers) -> Role {
        Role {
            id: RoleId(id),
            uuid: Uuid::from_u128(id as u128),
            group: GroupId(1),
            kind,
            name: format!("r{id}"),
            title: String::new(),
            description: String::new(),
            powers,
        }
    }

    fn member(avatar: i64, roles: Vec<Role>) -> Membership {
        Membership {
            group: GroupId(1),
            avatar: AvatarId(avatar),
            active_role: roles[0].id,
            roles,
            in_profile: true,
            accept_notices: true,
            blocked: false,
        }
    }

    #[test]
    fn chat_roles_follow_the_roles_held() {
        use crate::chat::{ChatRole, may_block};
        let everyone = role(1, RoleKind::Everyone, Powers::everyone_default());
        let officers = role(2, RoleKind::Officers, Powers::officers_default());
        let owners = role(3, RoleKind::Owners, Powers(-1));
        let mods = role(4, RoleKind::Custom, Powers::MODERATE_CHAT);
        let muted = role(5, RoleKind::Everyone, Powers::RECEIVE_NOTICES);
        let plain = member(1, vec![everyone.clone()]);
        let admin = member(2, vec![everyone.clone(), officers]);
        let owner = member(3, vec![everyone.clone(), owners]);
        let moderator = member(4, vec![everyone, mods]);
        assert_eq!(ChatRole::of(&plain), ChatRole::Member);
        assert_eq!(ChatRole::of(&admin), ChatRole::Admin);
        assert_eq!(ChatRole::of(&owner), ChatRole::Owner);
        assert_eq!(ChatRole::of(&moderator), ChatRole::Moderator);
        assert_eq!(ChatRole::of(&member(5, vec![muted])), ChatRole::Observer);
        assert_eq!(ChatRole::Admin.role_kind().unwrap(), RoleKind::Officers);
        assert!(ChatRole::Observer.role_kind().is_err());
        // Blocking needs ModerateChat, spares owners, and is not for oneself.
        assert!(may_block(&moderator, &plain).is_ok());
        assert!(may_block(&plain, &moderator).is_err());
        assert_eq!(may_block(&admin, &owner), Err(Error::OwnersOnly));
        assert!(may_block(&owner, &owner).is_err());
        // Deleting posts for everyone: one's own always, others' as a moderator, an
        // owner's only as an owner; an author who left, as a moderator.
        use crate::chat::may_moderate;
        assert!(may_moderate(&plain, Some(&plain)).is_ok());
        assert!(may_moderate(&plain, Some(&moderator)).is_err());
        assert!(may_moderate(&moderator, Some(&plain)).is_ok());
        assert_eq!(may_moderate(&admin, Some(&owner)), Err(Error::OwnersOnly));
        assert!(may_moderate(&owner, Some(&admin)).is_ok());
        assert!(may_moderate(&moderator, None).is_ok());
        assert!(may_moderate(&plain, None).is_err());
    }

    #[test]
    fn power_names_round_trip() {
        let p = Powers::INVITE | Powers::JOIN_CHAT;
        assert_eq!(p.names(), "Invite,JoinChat");
        assert_eq!(Powers::parse("joinchat, INVITE").unwrap(), p);
        assert!(Powers::parse("Invite,Fly").is_err());
        assert_eq!(Powers::parse("all").unwrap(), Powers::all());
    }

    #[test]
    fn assigning_roles() {
        let everyone = role(1, RoleKind::Everyone, Powers::everyone_default());
        let greeters = role(2, RoleKind::Custom, Powers::NONE);
        let owners = role(3, RoleKind::Owners, Powers::all());
        let limited = member(
            10,
            vec![
                everyone.clone(),
                role(
                    4,
                    RoleKind::Custom,
                    Powers::INVITE | Powers::ASSIGN_MEMBER_LIMITED,
                ),
            ],
        );
        assert!(may_invite(&limited, &everyone).is_ok());
        assert_eq!(
            may_invite(&limited, &greeters),
            Err(Error::MissingPower {
                power: "AssignMember"
            })
        );
        let limited_greeter = member(
            11,
            vec![
                everyone.clone(),
                greeters.clone(),
                role(
                    5,
                    RoleKind::Custom,
                    Powers::INVITE | Powers::ASSIGN_MEMBER_LIMITED,
                ),
            ],
        );
        assert!(may_invite(&limited_greeter, &greeters).is_ok());
        assert_eq!(
            may_invite(&limited_greeter, &owners),
            Err(Error::OwnersOnly)
        );
        let plain = member(12, vec![everyone.clone()]);
        assert_eq!(
            may_invite(&plain, &everyone),
            Err(Error::MissingPower { power: "Invite" })
        );
        let owner = member(13, vec![everyone, owners.clone()]);
        assert!(may_invite(&owner, &owners).is_ok());
    }

    #[test]
    fn ejecting_and_leaving() {
        let everyone = role(1, RoleKind::Everyone, Powers::everyone_default());
        let officers = role(2, RoleKind::Officers, Powers::officers_default());
        let owners = role(3, RoleKind::Owners, Powers::all());
        let officer = member(1, vec![everyone.clone(), officers.clone()]);
        let owner = member(2, vec![everyone.clone(), owners]);
        let plain = member(3, vec![everyone.clone()]);
        assert!(may_eject(&officer, &plain).is_ok());
        assert_eq!(may_eject(&officer, &owner), Err(Error::OwnersOnly));
        assert_eq!(
            may_eject(&plain, &officer),
            Err(Error::MissingPower { power: "Eject" })
        );
        let ejector = member(4, vec![everyone, role(5, RoleKind::Custom, Powers::EJECT)]);
        assert_eq!(
            may_eject(&ejector, &officer),
            Err(Error::MissingPower {
                power: "RemoveMember"
            })
        );
        assert_eq!(may_leave(&owner, 1), Err(Error::LastOwner));
        assert!(may_leave(&owner, 2).is_ok());
        assert!(may_leave(&plain, 1).is_ok());
    }

    #[test]
    fn fees_roles_and_cooldowns() {
        assert!(check_fee(0).is_ok() && check_fee(-1).is_err());
        assert!(check_role("Greeters", "Greeter", "").is_ok());
        assert!(check_role(" ", "", "").is_err());
        assert!(check_role(&"n".repeat(21), "", "").is_err());
        assert!(within_cooldown(Timestamp(10_000), Timestamp(12_000), 3));
        assert!(!within_cooldown(Timestamp(10_000), Timestamp(14_000), 3));
    }

    #[test]
    fn notice_pacing() {
        let t = |ms| Timestamp(ms);
        assert_eq!(next_notice_slot(&[], t(0)), t(0));
        assert_eq!(next_notice_slot(&[t(0), t(0)], t(0)), t(0));
        assert_eq!(next_notice_slot(&[t(0), t(0), t(0)], t(0)), t(3000));
        assert_eq!(
            next_notice_slot(&[t(0), t(0), t(0), t(3000)], t(100)),
            t(6000)
        );
        // Long after, the window is empty again.
        assert_eq!(next_notice_slot(&[t(0), t(0), t(0)], t(60_000)), t(60_000));
    }

    #[test]
    fn notices_and_names() {
        assert!(check_notice("Meeting", "at noon").is_ok());
        assert!(check_notice("Réunion", "x").is_err());
        assert!(check_notice("s", &"x".repeat(513)).is_err());
        assert!(check_group_name("abc").is_err());
        assert_eq!(
            check_group_name("  Botgrid Builders ").unwrap(),
            "Botgrid Builders"
        );
    }
}
