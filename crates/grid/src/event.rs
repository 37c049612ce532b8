//! Events: what happened, for one avatar's faces to learn.
//!
//! Events are derived from committed state and written to a durable log in the same
//! transaction as the change that caused them. Each event belongs to one avatar (the one
//! whose faces receive it); faces render them in their own format (SmartBots callbacks,
//! SimpleX events, …).

use crate::chat::{Attachment, ChatRole, FileId, ItemChange, ItemRef};
use crate::group::{GroupRef, PostId};
use crate::{
    AvatarId, AvatarRef, CallbackId, EventId, MessageId, OfferId, Presence, Timestamp, Uuid,
};
use serde::{Deserialize, Serialize};

/// Something that happened to an avatar.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A direct message arrived.
    InstantMessage {
        message: MessageId,
        from: AvatarRef,
        text: String,
        /// The sender's chat client's rich form of the message, when it sent one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rich: Option<String>,
        /// The message this one answers.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        quote: Option<MessageId>,
        /// A file sent with the message.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file: Option<Attachment>,
    },
    /// Someone started typing a direct message to the avatar.
    TypingStarted { from: AvatarRef, seconds: u32 },
    /// Someone stopped typing.
    TypingStopped { from: AvatarRef },
    /// The avatar's own session moved to a new state.
    OnlineStatus {
        presence: Presence,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        location: Option<String>,
    },
    /// Someone offers the avatar friendship; answer with the session id.
    FriendshipOffered {
        from: AvatarRef,
        session: Uuid,
        message: String,
        /// The offer's row id (what chat clients answer with); absent in old logs.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        offer: Option<OfferId>,
    },
    /// An offer the avatar made was accepted.
    FriendshipAccepted { by: AvatarRef },
    /// An offer the avatar made was declined.
    FriendshipDeclined { by: AvatarRef },
    /// The avatar accepted someone's offer (or its address did): they are friends now.
    FriendshipFormed { with: AvatarRef },
    /// A friend ended the friendship.
    FriendshipEnded { by: AvatarRef },
    /// Someone invites the avatar into a group; answer with the session id.
    GroupInvitation {
        session: Uuid,
        group: GroupRef,
        from: AvatarRef,
        role: String,
        fee: i64,
        message: String,
        /// The remote grid's own text of the invitation (it names the inviter, the
        /// group and the fee); botgrid writes one for its own invitations.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        system: Option<String>,
    },
    /// A message in the chat of a group the avatar is in.
    GroupMessage {
        /// The post; `None` for a remote grid's group chat, which has no post here.
        #[serde(default)]
        post: Option<PostId>,
        group: GroupRef,
        from: AvatarRef,
        text: String,
        /// The sender's chat client's rich form of the message, when it sent one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rich: Option<String>,
        /// A file sent with the message.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file: Option<Attachment>,
        /// The post it answers.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        quote: Option<PostId>,
    },
    /// A notice of a group the avatar is in.
    GroupNotice {
        /// The post; `None` for a remote grid's notice, which has no post here.
        #[serde(default)]
        post: Option<PostId>,
        group: GroupRef,
        from: AvatarRef,
        subject: String,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        attachment: Option<Uuid>,
    },
    /// Someone joined a group the avatar is in; the one who joined gets it too.
    MemberJoined { group: GroupRef, member: AvatarRef },
    /// Someone left a group the avatar is in, or was removed from it (`by` is who
    /// removed them); the one who left gets it too.
    MemberLeft {
        group: GroupRef,
        member: AvatarRef,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<AvatarRef>,
    },
    /// Someone asked to join a group that reviews joins, through `host`'s link: the
    /// applicant and the group's reviewers get it.
    MemberApplied {
        group: GroupRef,
        member: AvatarRef,
        host: AvatarRef,
    },
    /// A reviewer let an applicant in (`accepted`) or turned it away: the applicant
    /// and the group's reviewers get it. An accepted applicant then joins as usual.
    ApplicantReviewed {
        group: GroupRef,
        member: AvatarRef,
        by: AvatarRef,
        accepted: bool,
    },
    /// An owner disbanded a group the avatar was in.
    GroupDisbanded { group: GroupRef, by: AvatarRef },
    /// The avatar's L$ balance changed (or, `Initial`, became known on arrival).
    BalanceChanged {
        /// The ledger transfer (nil for `Initial`).
        transfer: Uuid,
        direction: crate::money::Direction,
        amount: i64,
        /// Who paid; `None` for a grant and for `Initial`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        source: Option<AvatarRef>,
        destination: AvatarRef,
        /// The balance after the change.
        balance: i64,
        kind: crate::money::TransferKind,
        comment: String,
    },
    /// Another avatar offers the avatar an inventory item or folder.
    InventoryOffered {
        session: Uuid,
        from: AvatarRef,
        /// The offered entry, in the avatar's inventory once accepted.
        object: Uuid,
        /// `folder` or the item's asset type.
        asset_type: String,
        /// Where it goes when accepted without naming a folder.
        folder: Uuid,
        name: String,
    },
    /// Where the avatar's teleport is.
    TeleportProgress {
        status: crate::region::TeleportStatus,
        message: String,
        /// Where the avatar is now, `Region/X/Y/Z`.
        location: String,
    },
    /// Another avatar invites the avatar to where it is.
    TeleportOffered {
        session: Uuid,
        from: AvatarRef,
        message: String,
        /// The destination, `Region/X/Y/Z`.
        location: String,
    },
    /// An estate manager's message to everyone in a region.
    RegionMessage {
        from: AvatarRef,
        region: String,
        message: String,
    },
    /// An object shows the avatar a dialog.
    ScriptDialog {
        object: Uuid,
        object_name: String,
        owner: AvatarRef,
        text: String,
        buttons: Vec<String>,
        channel: i32,
    },
    /// Local chat of an object the avatar heard.
    ObjectChat {
        object: Uuid,
        object_name: String,
        owner: AvatarRef,
        channel: i32,
        message: String,
    },
    /// Something happened to an object the avatar owns that has an owner URL.
    ObjectEvent {
        object: Uuid,
        object_name: String,
        avatar: AvatarRef,
        what: crate::object::Happening,
    },
    /// Local chat the avatar heard.
    ChatHeard {
        channel: i32,
        speaker: AvatarRef,
        message: String,
    },
    /// A member's standing in a group the avatar is in changed.
    MemberRoleChanged {
        group: GroupRef,
        member: AvatarRef,
        by: AvatarRef,
        from: ChatRole,
        to: ChatRole,
    },
    /// A member of a group the avatar is in was blocked or unblocked for all.
    MemberBlocked {
        group: GroupRef,
        member: AvatarRef,
        by: AvatarRef,
        blocked: bool,
    },
    /// A contact changed its chat profile; `before` is how it was.
    ContactChanged {
        who: AvatarRef,
        before: Box<ProfileBefore>,
    },
    /// The profile of a group the avatar is in (its charter) changed.
    GroupChanged {
        group: GroupRef,
        by: AvatarRef,
        charter_before: String,
        /// Whether the group reviewed joins before, when that changed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        review_before: Option<bool>,
    },
    /// Chat items the avatar can see changed (edited, deleted, reacted to) by `by`.
    /// `group` is the group of posts; direct messages are between `by` and the avatar.
    ItemsChanged {
        items: Vec<ItemRef>,
        by: AvatarRef,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        group: Option<GroupRef>,
        change: ItemChange,
    },
    /// A file the avatar sent is stored and may be received.
    FileStored { file: FileId },
    /// The avatar received a file into its client's folder.
    FileReceived { file: FileId },
    /// The sender cancelled a file offered to the avatar.
    FileCancelled { file: FileId, by: AvatarRef },
    /// A group callback (Simple Groups API) was registered; only that registration
    /// receives this.
    CallbackSet {
        callback: CallbackId,
        group: GroupRef,
    },
    /// A group callback was removed; it receives this last.
    CallbackRemoved {
        callback: CallbackId,
        group: GroupRef,
    },
}

/// A chat profile as it was before a change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfileBefore {
    pub display_name: String,
    pub profile: crate::chat::ChatProfile,
}

/// What happens to an event whose avatar is not online.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OfflinePolicy {
    /// Delivered at once anyway (events about the avatar's own session).
    Deliver,
    /// Held and delivered when the avatar comes online (messages, offers).
    Queue,
    /// Meaningless later, so dropped (typing notices).
    Drop,
}

impl Event {
    /// How this event treats an avatar that is not online.
    pub fn offline_policy(&self) -> OfflinePolicy {
        match self {
            // Group posts reach offline members through their group cursor instead, and
            // callback notices concern the registration, not the avatar.
            Event::OnlineStatus { .. }
            | Event::TeleportProgress { .. }
            | Event::ObjectEvent { .. }
            | Event::GroupMessage { .. }
            | Event::GroupNotice { .. }
            | Event::CallbackSet { .. }
            | Event::CallbackRemoved { .. }
            // Membership news belongs in the log of every member, whether it is online
            // or not: chat clients read it from their cursor.
            | Event::MemberJoined { .. }
            | Event::MemberLeft { .. }
            | Event::MemberRoleChanged { .. }
            | Event::MemberBlocked { .. }
            | Event::MemberApplied { .. }
            | Event::ApplicantReviewed { .. }
            | Event::GroupDisbanded { .. }
            // A chat client's own file transfers, and a cancelled offer, are read from
            // its cursor like the message that carried the file.
            | Event::FileStored { .. }
            | Event::FileReceived { .. }
            | Event::FileCancelled { .. }
            | Event::ItemsChanged { .. }
            | Event::ContactChanged { .. }
            | Event::GroupChanged { .. } => OfflinePolicy::Deliver,
            // An avatar arriving online learns its balance (`Initial`) instead.
            Event::TypingStarted { .. }
            | Event::TypingStopped { .. }
            | Event::BalanceChanged { .. }
            | Event::ChatHeard { .. }
            | Event::RegionMessage { .. }
            | Event::ScriptDialog { .. }
            | Event::ObjectChat { .. } => OfflinePolicy::Drop,
            Event::InstantMessage { .. }
            | Event::FriendshipOffered { .. }
            | Event::FriendshipAccepted { .. }
            | Event::FriendshipDeclined { .. }
            | Event::FriendshipFormed { .. }
            | Event::FriendshipEnded { .. }
            | Event::GroupInvitation { .. }
            | Event::InventoryOffered { .. }
            | Event::TeleportOffered { .. } => OfflinePolicy::Queue,
        }
    }
}

/// An event as the durable log holds it.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredEvent {
    /// Position in the log; stable, so receivers can drop duplicates by it.
    pub id: EventId,
    /// The avatar whose faces receive the event.
    pub avatar: AvatarId,
    pub at: Timestamp,
    pub event: Event,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_json() {
        let e = Event::InstantMessage {
            message: MessageId(4),
            from: AvatarRef {
                id: AvatarId(1),
                uuid: Uuid::from_u128(1),
                name: "Ada Resident".into(),
            },
            text: "hi & bye".into(),
            rich: None,
            quote: None,
            file: None,
        };
        let json = serde_json::to_string(&e).unwrap();
        assert!(json.starts_with(r#"{"type":"instant_message""#));
        assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), e);
    }
}
