//! Commands a bot can be asked to carry out, and what they answer.
//!
//! API faces build these from their wire formats; the engine carries them out. A command
//! names its targets by UUID or legacy name; resolving them is the engine's job.

use crate::callback::CallbackChange;
use crate::filter::NameFilter;
use crate::group::{Group, Powers, Role};
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
    /// List a folder of the bot's inventory (`None`: the root).
    InventoryList {
        folder: Option<Uuid>,
        filter: NameFilter,
    },
    /// Make a folder (under the root when no parent is given).
    FolderCreate { name: String, parent: Option<Uuid> },
    /// Write a notecard (into Notecards when no folder is given).
    NotecardCreate {
        folder: Option<Uuid>,
        name: String,
        description: String,
        text: String,
    },
    /// Replace a notecard's text.
    NotecardEdit { item: Uuid, text: String },
    /// Read a notecard's text.
    NotecardRead { item: Uuid },
    /// Delete an item or a folder with everything in it.
    InventoryDelete { item: Uuid },
    /// Offer an item or a folder to an avatar.
    InventoryGive { to: Uuid, item: Uuid },
    /// Answer an inventory offer.
    InventoryOfferAnswer {
        sender: Uuid,
        session: Uuid,
        accept: bool,
        folder: Option<Uuid>,
    },
    /// Upload a texture into the inventory (into Textures when no folder is given).
    TextureUpload {
        name: String,
        folder: Option<Uuid>,
        lossless: bool,
        image: crate::inventory::TextureBody,
    },
    /// Put on a wearable item (`add`: beside what is worn in its slot).
    Wear { item: Uuid, add: bool },
    /// Take off a worn item.
    TakeOff { item: Uuid },
    /// Ask for the appearance to be baked again.
    Rebake,
    /// Where the bot is now.
    BotLocation,
    /// Go elsewhere (`save`: it becomes the bot's base location, where it logs in).
    Teleport { to: StartLocation, save: bool },
    /// Walk to a point of the current region.
    WalkTo { x: f64, y: f64, z: f64 },
    /// Start or stop flying.
    Fly { on: bool },
    /// Start or stop a movement (`FORWARD`, `BACKWARD`, `LEFT`, `RIGHT`, `FLY`, `STOP`).
    Move { instruction: String, start: bool },
    /// Say something in local chat on a channel.
    SayChat { channel: i32, message: String },
    /// The avatars around the bot.
    NearbyAvatars,
    /// The parcel at a point of the bot's region (`None`: where the bot stands).
    ParcelInfo { at: Option<(f64, f64)> },
    /// Change a parcel the bot may manage.
    ParcelUpdate {
        at: Option<(f64, f64)>,
        change: crate::parcel::ParcelChange,
    },
    /// Buy a parcel that is for sale (for a group, with `group`).
    ParcelBuy {
        at: Option<(f64, f64)>,
        group: Option<Uuid>,
    },
    /// Touch an object.
    TouchPrim { object: Uuid },
    /// Touch the object nearest a point of the region, within `precision` metres.
    TouchPrimCoord {
        x: f64,
        y: f64,
        z: f64,
        precision: f64,
    },
    /// Sit on an object (`None`: stand up).
    Sit { object: Option<Uuid> },
    /// Press a button of a dialog an object showed.
    ReplyDialog {
        channel: i32,
        object: Uuid,
        button: String,
    },
    /// Pay an object (its owner gets the money; the object reacts).
    GiveMoneyObject { object: Uuid, amount: i64 },
    /// What an object's owner URL answered it does next (the owner's command).
    ObjectAct {
        object: Uuid,
        to: Uuid,
        actions: crate::object::Actions,
    },
    /// Put an item (a copy, or the item if it has no copy permission) into an object
    /// of the bot's.
    InventoryToPrim { item: Uuid, object: Uuid },
    /// The objects the bot wears.
    Attachments { filter: NameFilter },
    /// Touch a worn object by its exact name (and link number; the root is 1).
    TouchAttachment { name: String, link: Option<u32> },
    /// Take an object of the bot's from the world into its inventory, or a copy of it.
    PrimTake {
        object: Uuid,
        copy: bool,
        folder: Option<Uuid>,
    },
    /// Estate manager: return an avatar's objects in the region to its inventory.
    SimReturn {
        avatar: Uuid,
        scripted_only: bool,
        all_estates: bool,
    },
    /// Invite an avatar to the bot's location.
    OfferTeleport { to: Uuid, message: String },
    /// Answer a teleport offer (accepted: the bot goes there).
    TeleportOfferAnswer {
        from: Uuid,
        session: Uuid,
        accept: bool,
    },
    /// Estate manager: send an avatar out of the bot's region.
    SimKick { avatar: Uuid },
    /// Estate manager: ban, unban, allow or disallow an avatar.
    SimAccess {
        avatar: Uuid,
        operation: crate::region::AccessOp,
        all_estates: bool,
    },
    /// Estate manager: start (`Some(delay seconds)`) or cancel (`None`) a restart.
    SimRestart { delay: Option<u32> },
    /// Estate manager: a message to everyone in the region.
    SimMessage { message: String, all_estates: bool },
    /// Read the bot's L$ balance.
    GetBalance,
    /// Pay an avatar. A `tag` (SmartBots `custom`) makes a repeated request pay once.
    GiveMoney {
        to: Uuid,
        amount: i64,
        comment: String,
        tag: Option<String>,
    },
    /// Make a group the active one (`None` clears it).
    ActivateGroup { group: Option<Uuid> },
    /// Show a role's title in a group.
    ActivateRole { group: Uuid, role: Uuid },
    /// Read a group's profile, its roles and the bot's titles in it.
    GroupInfo { group: Uuid },
    /// Join a group: by a pending invitation, or an open one.
    GroupJoin { group: Uuid },
    /// Leave a group.
    GroupLeave { group: Uuid },
    /// The bot's groups, with its roles and powers in each.
    MyGroups,
    /// A group's roles.
    GroupRoles { group: Uuid },
    /// Answer a group invitation.
    AnswerGroupInvite {
        from: Uuid,
        session: Uuid,
        accept: bool,
    },
    /// Show the group in the bot's profile or not; accept its notices or not.
    GroupVisibility {
        group: Uuid,
        in_profile: bool,
        notices: Option<bool>,
    },
    /// Invite an avatar into a role of a group.
    GroupInvite {
        avatar: Uuid,
        group: Uuid,
        role: Uuid,
        /// Refuse when the avatar is already a member.
        check_membership: bool,
        message: String,
        /// Statistics kept with the invitation (Simple Groups `location`, `misc`).
        location: Option<String>,
        misc: Option<String>,
    },
    /// Eject a member.
    GroupEject {
        avatar: Uuid,
        group: Uuid,
        /// Succeed even when the avatar is not a member.
        ignore_membership: bool,
    },
    /// Say something in group chat (queued while the bot is offline).
    SendGroupMessage { group: Uuid, message: String },
    /// Send a group notice (queued while the bot is offline; optionally paced).
    SendNotice {
        group: Uuid,
        subject: String,
        text: String,
        attachment: Option<Uuid>,
        paced: bool,
    },
    /// Put a member into a role.
    SetRole {
        group: Uuid,
        role: Uuid,
        member: Uuid,
    },
    /// Take a member out of a role.
    RevokeRole {
        group: Uuid,
        role: Uuid,
        member: Uuid,
    },
    /// The groups an avatar shows in its profile.
    AvatarGroups { avatar: Uuid, filter: NameFilter },
    /// Create a group; the bot becomes its founder and owner.
    CreateGroup {
        name: String,
        charter: String,
        open_enrollment: bool,
        fee: i64,
    },
    /// Change a group's charter, enrollment or fee.
    UpdateGroup {
        group: Uuid,
        charter: Option<String>,
        open_enrollment: Option<bool>,
        fee: Option<i64>,
    },
    /// Create a role.
    CreateRole {
        group: Uuid,
        name: String,
        title: String,
        description: String,
        powers: Powers,
    },
    /// Change a role.
    UpdateRole {
        group: Uuid,
        role: Uuid,
        name: Option<String>,
        title: Option<String>,
        description: Option<String>,
        powers: Option<Powers>,
    },
    /// Delete a custom role.
    DeleteRole { group: Uuid, role: Uuid },
    /// Ban or unban an avatar.
    GroupBan {
        group: Uuid,
        avatar: Uuid,
        ban: bool,
    },
}

/// The throttle bucket a command draws from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThrottleClass {
    /// Not throttled.
    None,
    /// Commands that send something to other avatars.
    Messaging,
    /// `nearbyavatars_scan`: SmartBots allows 2 in 10 seconds.
    Scan,
}

impl BotCommand {
    /// True when the bot must be online: everything except managing its session and
    /// its callbacks needs a live presence in the world.
    ///
    /// Group chat and notices are the exception SmartBots makes: accepted while the bot
    /// is away, and sent when it is back.
    pub fn needs_presence(&self) -> bool {
        !matches!(
            self,
            BotCommand::Status
                | BotCommand::Login { .. }
                | BotCommand::Logout
                | BotCommand::SetCallback(_)
                | BotCommand::SendGroupMessage { .. }
                | BotCommand::SendNotice { .. }
                | BotCommand::ObjectAct { .. }
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
                | BotCommand::GroupInfo { .. }
                | BotCommand::MyGroups
                | BotCommand::GroupRoles { .. }
                | BotCommand::AvatarGroups { .. }
                | BotCommand::GetBalance
                | BotCommand::NotecardRead { .. }
                | BotCommand::BotLocation
                | BotCommand::ParcelInfo { .. }
                | BotCommand::Attachments { .. }
                | BotCommand::TouchAttachment { .. }
        )
    }

    /// The throttle bucket of the command.
    pub fn throttle_class(&self) -> ThrottleClass {
        match self {
            BotCommand::Im { .. }
            | BotCommand::TypingStart { .. }
            | BotCommand::TypingStop { .. }
            | BotCommand::OfferFriendship { .. }
            | BotCommand::GroupInvite { .. }
            | BotCommand::SendGroupMessage { .. }
            | BotCommand::SendNotice { .. }
            | BotCommand::SayChat { .. }
            | BotCommand::OfferTeleport { .. }
            | BotCommand::SimMessage { .. } => ThrottleClass::Messaging,
            BotCommand::NearbyAvatars => ThrottleClass::Scan,
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
    /// A callback URL was registered: the secret its POSTs are signed with, shown
    /// this once.
    CallbackAdded {
        signing_secret: String,
    },
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
    /// A group seen by the bot.
    GroupInfo(Box<GroupInfo>),
    /// The bot's groups.
    Groups(Vec<MyGroup>),
    /// A group's roles, Everyone first.
    Roles(Vec<Role>),
    /// An avatar's groups (visible in its profile) after filtering, and how many before.
    AvatarGroups {
        total: usize,
        groups: Vec<Group>,
    },
    /// A group was created.
    GroupCreated(Group),
    /// A role was created.
    RoleCreated(Role),
    /// The bot's L$.
    Balance(i64),
    /// The entries of an inventory folder, folders first.
    Inventory(Vec<crate::inventory::Entry>),
    /// The UUID of what was made.
    Created(Uuid),
    /// A text that was read.
    Text(String),
    /// An uploaded item: its inventory UUID and its asset UUID.
    Uploaded {
        item: Uuid,
        asset: Uuid,
    },
    /// Where the bot is.
    Location(crate::Location),
    /// The avatars around the bot, nearest first.
    Nearby(Vec<NearbyAvatar>),
    /// A parcel, with the UUIDs of its owner and group.
    Parcel(Box<ParcelView>),
    /// Worn objects (inventory UUID and name) after filtering, and how many before.
    Attachments {
        total: usize,
        worn: Vec<(Uuid, String)>,
    },
}

/// A parcel as `parcel_info` shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ParcelView {
    pub parcel: crate::parcel::Parcel,
    /// The owning avatar or group; the zero UUID for estate land.
    pub owner: Uuid,
    /// The group it is set to or owned by; the zero UUID for none.
    pub group: Uuid,
}

/// An avatar `nearbyavatars_scan` sees.
#[derive(Clone, Debug, PartialEq)]
pub struct NearbyAvatar {
    pub name: String,
    pub uuid: Uuid,
    pub location: crate::Location,
    pub distance: f64,
    pub sitting: bool,
}

/// A group, as one of its members (or a stranger) sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupInfo {
    pub group: Group,
    /// The founder, as the group shows it.
    pub founder: crate::AvatarRef,
    pub members: i64,
    /// All roles of the group, Everyone first.
    pub roles: Vec<Role>,
    /// The viewer's membership, if any: its roles (titles) and the active one.
    pub mine: Option<MyGroup>,
}

/// One of the viewer's groups.
#[derive(Clone, Debug, PartialEq)]
pub struct MyGroup {
    pub group: Group,
    /// This is the viewer's active group.
    pub active: bool,
    pub powers: Powers,
    /// The roles held, with the one whose title is shown.
    pub roles: Vec<(Role, bool)>,
    pub in_profile: bool,
    pub accept_notices: bool,
}

impl MyGroup {
    /// The title the viewer shows in this group.
    pub fn title(&self) -> &str {
        self.roles
            .iter()
            .find(|(_, active)| *active)
            .map(|(r, _)| r.title.as_str())
            .unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_posts_are_accepted_while_offline_and_throttled() {
        let chat = BotCommand::SendGroupMessage {
            group: Uuid::nil(),
            message: "x".into(),
        };
        assert!(!chat.needs_presence());
        assert_eq!(chat.throttle_class(), ThrottleClass::Messaging);
        assert!(!chat.is_read_only());
        let im = BotCommand::Im {
            to: AvatarSelector::Key(Uuid::nil()),
            message: "x".into(),
        };
        assert!(im.needs_presence());
        assert!(BotCommand::MyGroups.is_read_only());
        assert!(!BotCommand::Status.needs_presence());
    }
}
