//! The JSON shapes of SimpleX Chat 7.0 (`bots/api/TYPES.md`), built from the world's
//! nouns. Required fields are always present; optional ones are omitted, never `null`.
//!
//! Ids map onto row ids: a user's `userId`, `agentUserId`, `userContactId` and
//! `profileId` are its avatar id; a contact's `contactId` (and its connection's
//! `connId`) is the other avatar's id; a chat item's `itemId` is the message's id.

use crate::rendered::Rendered;
use engine::ChatFile;
use grid::chat::DirectMessage;
use grid::chat::{AddressSettings, ChatProfile, ChatRole, ChatUser, Content, Link, LinkKind};
use grid::chat::{Attachment, Receipt};
use grid::group::Group;
use grid::{Avatar, AvatarId, FriendOffer, Timestamp};
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// The chat protocol version range botgrid reports for every connection.
const CHAT_VERSION_MIN: i64 = 1;
const CHAT_VERSION_MAX: i64 = 16;

/// Where links point; only the token after `#` matters to botgrid.
#[derive(Clone, Debug)]
pub struct Links {
    /// `https://<host>` of the links this server hands out.
    pub base: String,
}

impl Links {
    /// The full and short forms of a link.
    fn forms(&self, link: &Link) -> (String, String) {
        let (long, short) = match link.kind {
            LinkKind::Address => ("contact", "a"),
            LinkKind::Invitation => ("invitation", "i"),
            LinkKind::Group => ("contact", "g"),
        };
        (
            format!("{}/{long}#/?v=2-7&l={}", self.base, link.token),
            format!("{}/{short}#{}", self.base, link.token),
        )
    }

    /// `CreatedConnLink`: both forms of a link.
    pub fn created(&self, link: &Link) -> Value {
        let (full, short) = self.forms(link);
        json!({"connFullLink": full, "connShortLink": short})
    }

    /// The short form, as profiles show an address.
    pub fn short(&self, link: &Link) -> String {
        self.forms(link).1
    }
}

/// The token of a link in either form: the `l=` (or `g=`) parameter of the fragment,
/// or the whole fragment.
pub fn link_token(text: &str) -> Option<&str> {
    let fragment = text.trim().rsplit_once('#')?.1;
    let token = match fragment.strip_prefix("/?") {
        Some(query) => query
            .split('&')
            .find_map(|kv| kv.strip_prefix("l=").or_else(|| kv.strip_prefix("g=")))?,
        None => fragment,
    };
    (!token.is_empty() && token.chars().all(|c| c.is_ascii_alphanumeric())).then_some(token)
}

/// A response or event record.
pub enum Resp {
    Json(Value),
    DirectItems(DirectItems),
}

impl Resp {
    /// The record as a `Value`.
    pub fn into_value(self) -> Value {
        match self {
            Resp::Json(v) => v,
            Resp::DirectItems(d) => serde_json::to_value(&d).unwrap_or_else(|e| {
                crate::errors::ChatError::from(grid::Error::internal(e.to_string())).response()
            }),
        }
    }
}

impl From<Value> for Resp {
    fn from(v: Value) -> Resp {
        Resp::Json(v)
    }
}

impl serde::Serialize for Resp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Resp::Json(v) => v.serialize(s),
            Resp::DirectItems(d) => d.serialize(s),
        }
    }
}

/// `newChatItems` of one direct chat, written from shared parts: the user and contact
/// JSON are most of its size and the same for every message of the chat.
pub struct DirectItems {
    pub(crate) user: Arc<Rendered>,
    pub(crate) contact: Arc<Rendered>,
    /// The `ChatItem`s.
    pub items: Vec<Value>,
}

impl serde::Serialize for DirectItems {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        struct ChatInfo<'a>(&'a Rendered);
        impl serde::Serialize for ChatInfo<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("type", "direct")?;
                m.serialize_entry("contact", self.0)?;
                m.end()
            }
        }
        struct AChatItem<'a>(&'a Rendered, &'a Value);
        impl serde::Serialize for AChatItem<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("chatInfo", &ChatInfo(self.0))?;
                m.serialize_entry("chatItem", self.1)?;
                m.end()
            }
        }
        struct Items<'a>(&'a DirectItems);
        impl serde::Serialize for Items<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut seq = s.serialize_seq(Some(self.0.items.len()))?;
                for item in &self.0.items {
                    seq.serialize_element(&AChatItem(&self.0.contact, item))?;
                }
                seq.end()
            }
        }
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("type", "newChatItems")?;
        m.serialize_entry("user", &*self.user)?;
        m.serialize_entry("chatItems", &Items(self))?;
        m.end()
    }
}

/// A frame's text: `{"corrId","resp"}` for an answer, `{"resp"}` for an event. Written
/// straight from the borrowed parts (wrapping them in a new `Value` would copy them).
pub fn frame(corr_id: Option<&Value>, resp: &impl serde::Serialize) -> String {
    #[derive(serde::Serialize)]
    struct Frame<'a, R> {
        #[serde(rename = "corrId", skip_serializing_if = "Option::is_none")]
        corr_id: Option<&'a Value>,
        resp: &'a R,
    }
    serde_json::to_string(&Frame { corr_id, resp }).unwrap_or_else(|e| {
        tracing::error!(error = %e, "cannot encode a frame");
        r#"{"resp":{"type":"chatCmdError","chatError":{"type":"error","errorType":{"type":"internalError","message":"cannot encode the response"}}}}"#.to_owned()
    })
}

pub fn ts(t: Timestamp) -> String {
    t.iso8601()
}

fn insert_opt(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        map.insert(key.to_owned(), v);
    }
}

fn preferences(profile: &ChatProfile) -> Option<Value> {
    profile
        .preferences
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok())
}

fn peer_type(avatar: &Avatar) -> &'static str {
    match avatar.kind {
        grid::AvatarKind::Bot => "bot",
        grid::AvatarKind::Person => "human",
    }
}

/// The display name chat clients see: the chosen one, or the legacy name.
pub fn display_name(avatar: &Avatar) -> String {
    if avatar.display_name.trim().is_empty() {
        avatar.name.to_string()
    } else {
        avatar.display_name.clone()
    }
}

/// `Profile`: what clients send and receive as a profile.
pub fn profile(avatar: &Avatar, p: &ChatProfile, contact_link: Option<String>) -> Value {
    let mut m = Map::new();
    m.insert("displayName".into(), json!(display_name(avatar)));
    m.insert("fullName".into(), json!(p.full_name));
    insert_opt(&mut m, "shortDescr", p.short_descr.clone().map(Value::from));
    insert_opt(
        &mut m,
        "description",
        p.description.clone().map(Value::from),
    );
    insert_opt(&mut m, "image", p.image.clone().map(Value::from));
    insert_opt(&mut m, "contactLink", contact_link.map(Value::from));
    insert_opt(&mut m, "preferences", preferences(p));
    m.insert("peerType".into(), json!(peer_type(avatar)));
    Value::Object(m)
}

/// `LocalProfile`: a profile as stored with a user, contact or member.
pub fn local_profile(avatar: &Avatar, p: &ChatProfile, contact_link: Option<String>) -> Value {
    let mut v = profile(avatar, p, contact_link);
    if let Value::Object(m) = &mut v {
        m.insert("profileId".into(), json!(avatar.id.0));
        m.insert("localAlias".into(), json!(""));
    }
    v
}

fn allow(a: &str) -> Value {
    json!({ "allow": a })
}

/// `FullPreferences`: the user's preferences with every key present.
pub fn full_preferences(p: &ChatProfile) -> Value {
    let mut full = json!({
        "timedMessages": {"allow": "yes"},
        "fullDelete": allow("no"),
        "reactions": allow("yes"),
        "voice": allow("yes"),
        "files": allow("always"),
        "calls": allow("yes"),
        "sessions": allow("no"),
        "commands": [],
    });
    if let (Some(Value::Object(given)), Value::Object(out)) = (preferences(p), &mut full) {
        for (k, v) in given {
            if out.contains_key(&k) && !v.is_null() {
                out.insert(k, v);
            }
        }
    }
    full
}

/// `User`.
pub fn user(u: &ChatUser, active: bool, address: Option<String>) -> Value {
    let a = &u.avatar;
    let link = address.filter(|_| u.profile.show_address);
    let mut v = json!({
        "userId": a.id.0,
        "agentUserId": a.id.0,
        "userContactId": a.id.0,
        "localDisplayName": display_name(a),
        "activeUser": active,
        "activeOrder": a.id.0,
        "showNtfs": true,
        "sendRcptsContacts": false,
        "sendRcptsSmallGroups": false,
        "autoAcceptMemberContacts": false,
        "userChatRelay": false,
        "clientService": false,
    });
    v["profile"] = local_profile(a, &u.profile, link);
    v["fullPreferences"] = full_preferences(&u.profile);
    v
}

/// `Connection`: botgrid has no agent connections; each contact has one stable
/// pseudo-connection whose id is the contact id.
pub fn connection(id: i64, created: Timestamp) -> Value {
    json!({
        "connId": id,
        "agentConnId": format!("botgrid-{id}"),
        "connChatVersion": CHAT_VERSION_MAX,
        "peerChatVRange": {"minVersion": CHAT_VERSION_MIN, "maxVersion": CHAT_VERSION_MAX},
        "connLevel": 0,
        "viaGroupLink": false,
        "connType": "contact",
        "connStatus": {"type": "ready"},
        "contactConnInitiated": false,
        "localAlias": "",
        "pqSupport": false,
        "pqEncryption": false,
        "authErrCounter": 0,
        "quotaErrCounter": 0,
        "createdAt": ts(created),
    })
}

fn contact_preference(mine: &Value, theirs: &Value) -> Value {
    let on = |v: &Value| v["allow"].as_str().is_some_and(|a| a != "no");
    json!({
        "enabled": {"forUser": on(mine) && on(theirs), "forContact": on(mine) && on(theirs)},
        "userPreference": {"type": "user", "preference": {"allow": mine["allow"].clone()}},
        "contactPreference": {"allow": theirs["allow"].clone()},
    })
}

/// `Contact`: another avatar as the viewer sees it.
pub fn contact(viewer: &ChatProfile, other: &Avatar, p: &ChatProfile) -> Value {
    let mine = full_preferences(viewer);
    let theirs = full_preferences(p);
    let mut merged = Map::new();
    for key in [
        "timedMessages",
        "fullDelete",
        "reactions",
        "voice",
        "files",
        "calls",
        "sessions",
    ] {
        merged.insert(key.into(), contact_preference(&mine[key], &theirs[key]));
    }
    if let Some(commands) = theirs
        .get("commands")
        .filter(|c| c.as_array().is_some_and(|a| !a.is_empty()))
    {
        merged.insert("commands".into(), commands.clone());
    }
    // Big parts are moved in afterwards: `json!` would copy each of them again.
    let mut v = json!({
        "contactId": other.id.0,
        "localDisplayName": display_name(other),
        "contactUsed": true,
        "contactStatus": "active",
        "chatSettings": {"enableNtfs": "all", "favorite": false},
        "userPreferences": {},
        "createdAt": ts(other.born),
        "updatedAt": ts(other.born),
        "contactGrpInvSent": false,
        "chatTags": [],
        "chatDeleted": false,
    });
    v["profile"] = local_profile(other, p, None);
    v["activeConn"] = connection(other.id.0, other.born);
    v["mergedPreferences"] = Value::Object(merged);
    v
}

/// Shows stored custom data on a `Contact` or `GroupInfo` as the JSON object the client
/// set (`customData`).
pub fn set_custom_data(on: &mut Value, stored: Option<&str>) {
    if let Some(data) = stored
        .and_then(|d| serde_json::from_str::<Value>(d).ok())
        .filter(Value::is_object)
    {
        on["customData"] = data;
    }
}

/// A `chat` `MsgContent` carrying a link (`MsgChatLink`), with the link as its text.
pub fn chat_link_content(link: &str, mut chat_link: Value) -> Value {
    chat_link["connLink"] = json!(link);
    let mut mc = json!({"type": "chat", "text": link});
    mc["chatLink"] = chat_link;
    mc
}

/// `AChatItem`: an item with the chat it is in.
pub fn a_chat_item(chat_info: Value, chat_item: Value) -> Value {
    let mut v = Value::Object(Map::with_capacity(2));
    v["chatInfo"] = chat_info;
    v["chatItem"] = chat_item;
    v
}

/// The `newChatItems` response or event.
pub fn new_chat_items(user: Value, items: Vec<Value>) -> Value {
    let mut v = json!({"type": "newChatItems"});
    v["user"] = user;
    v["chatItems"] = Value::Array(items);
    v
}

/// `ChatInfo` of a direct chat.
pub fn direct_chat_info(contact: Value) -> Value {
    let mut v = json!({"type": "direct"});
    v["contact"] = contact;
    v
}

/// The `MsgContent` of stored content: the client's own form when it sent one,
/// otherwise text.
pub fn msg_content(content: &Content) -> Value {
    content
        .rich
        .as_deref()
        .and_then(|r| serde_json::from_str::<Value>(r).ok())
        .filter(|v| v.get("type").is_some_and(Value::is_string))
        .unwrap_or_else(|| json!({"type": "text", "text": content.text}))
}

/// Files are passed on whole, in one chunk: what `chunkSize` reports.
const CHUNK_SIZE: u64 = 15_780;

/// `CIFile`: a file on a chat item, in `status` (`CIFileStatus`), saved at `path` when
/// the viewer has it on disk.
pub fn ci_file(a: &Attachment, status: Value, path: Option<&str>) -> Value {
    let mut f = json!({
        "fileId": a.id.0,
        "fileName": a.name,
        "fileSize": a.size,
        "fileStatus": status,
        "fileProtocol": "xftp",
    });
    if let Some(p) = path {
        f["fileSource"] = json!({"filePath": p});
    }
    f
}

/// `CIFileStatus` of a file as `viewer` sees it, with the path it was saved at.
pub fn file_status(viewer: AvatarId, f: &ChatFile) -> (Value, Option<&str>) {
    if f.sent_by(viewer) {
        let status = if f.file.cancelled {
            "sndCancelled"
        } else {
            "sndComplete"
        };
        return (json!({"type": status}), None);
    }
    match &f.receipt {
        Some(Receipt::Received { path }) => (json!({"type": "rcvComplete"}), Some(path)),
        Some(Receipt::Refused) => (json!({"type": "rcvCancelled"}), None),
        None if f.file.cancelled => (json!({"type": "rcvCancelled"}), None),
        None => (json!({"type": "rcvInvitation"}), None),
    }
}

/// `RcvFileTransfer`: a file offered to the viewer, from `sender`.
pub fn rcv_file_transfer(f: &ChatFile, sender: &str) -> Value {
    let a = &f.file.attachment;
    let status = match (&f.receipt, f.file.cancelled) {
        (Some(Receipt::Received { path }), _) => json!({"type": "complete", "filePath": path}),
        (Some(Receipt::Refused), _) | (None, true) => json!({"type": "cancelled"}),
        (None, false) => json!({"type": "new"}),
    };
    let cancelled = f.file.cancelled || f.receipt == Some(Receipt::Refused);
    json!({
        "fileId": a.id.0,
        "fileInvitation": {"fileName": a.name, "fileSize": a.size},
        "fileStatus": status,
        "fileType": "normal",
        "senderDisplayName": sender,
        "chunkSize": CHUNK_SIZE,
        "cancelled": cancelled,
    })
}

/// `FileTransferMeta`: a file the viewer sent.
pub fn file_transfer_meta(f: &ChatFile) -> Value {
    let a = &f.file.attachment;
    json!({
        "fileId": a.id.0,
        "fileName": a.name,
        "filePath": a.name,
        "fileSize": a.size,
        "chunkSize": CHUNK_SIZE,
        "cancelled": f.file.cancelled,
    })
}

/// A `ChatItem` with direction `dir`; `sent` says whether the viewer sent it. A file
/// on it shows as just stored (sent) or offered (received); callers that know more
/// replace `file`.
fn item(id: i64, at: Timestamp, content: &Content, dir: Value, sent: bool) -> Value {
    let (content_type, status) = if sent {
        (
            "sndMsgContent",
            json!({"type": "sndSent", "sndProgress": "complete"}),
        )
    } else {
        ("rcvMsgContent", json!({"type": "rcvNew"}))
    };
    let mut item = json!({
        "meta": {
            "itemId": id,
            "itemTs": ts(at),
            "itemText": content.text,
            "itemStatus": status,
            "itemSharedMsgId": format!("msg-{id}"),
            "itemEdited": false,
            "userMention": false,
            "hasLink": false,
            "deletable": true,
            "editable": sent,
            "showGroupAsSender": false,
            "createdAt": ts(at),
            "updatedAt": ts(at),
        },
        "content": {"type": content_type},
        "mentions": {},
        "reactions": [],
    });
    item["content"]["msgContent"] = msg_content(content);
    item["chatDir"] = dir;
    if let Some(a) = &content.file {
        let status = if sent { "sndStored" } else { "rcvInvitation" };
        item["file"] = ci_file(a, json!({"type": status}), None);
    }
    item
}

/// A group-chat `ChatItem`: sent by the viewer when `from` is `None`, otherwise
/// received from that `GroupMember`. Its `itemId` is the post's id.
pub fn group_item(id: i64, at: Timestamp, content: &Content, from: Option<Value>) -> Value {
    match from {
        None => item(id, at, content, json!({"type": "groupSnd"}), true),
        Some(member) => {
            let mut dir = json!({"type": "groupRcv"});
            dir["groupMember"] = member;
            item(id, at, content, dir, false)
        }
    }
}

/// A direct-chat `ChatItem`; `sent` says whether the viewer sent it.
pub fn direct_item(m: &DirectMessage, sent: bool, quoted: Option<(&DirectMessage, bool)>) -> Value {
    let dir = if sent { "directSnd" } else { "directRcv" };
    let mut item = item(m.id.0, m.at, &m.content, json!({"type": dir}), sent);
    if m.edited {
        item["meta"]["itemEdited"] = json!(true);
    }
    if let Some(at) = m.deleted {
        item["meta"]["itemDeleted"] = item_deleted(at, "direct");
    }
    if let Some((q, q_sent)) = quoted {
        item["quotedItem"] = json!({
            "chatDir": {"type": if q_sent { "directSnd" } else { "directRcv" }},
            "itemId": q.id.0,
            "sharedMsgId": format!("msg-{}", q.id.0),
            "sentAt": ts(q.at),
            "content": msg_content(&q.content),
        });
    }
    item
}

/// `CIDeleted` of an item deleted for everyone.
pub fn item_deleted(at: Timestamp, chat_type: &str) -> Value {
    json!({"type": "deleted", "deletedTs": ts(at), "chatType": chat_type})
}

/// The SimpleX spelling of a standing.
pub fn role(r: ChatRole) -> &'static str {
    match r {
        ChatRole::Observer => "observer",
        ChatRole::Author => "author",
        ChatRole::Member => "member",
        ChatRole::Moderator => "moderator",
        ChatRole::Admin => "admin",
        ChatRole::Owner => "owner",
    }
}

/// `GroupProfile`: the group's name, its charter as the description, and whether it
/// reviews who joins through its links (`memberAdmission`).
pub fn group_profile(g: &Group, review_joins: bool) -> Value {
    let mut v = json!({"displayName": g.name, "fullName": ""});
    if !g.charter.is_empty() {
        v["description"] = json!(g.charter);
    }
    if review_joins {
        v["memberAdmission"] = json!({"review": "all"});
    }
    v
}

/// Whether a `GroupProfile` asks for joins to be reviewed.
pub fn reviews_joins(profile: &Value) -> bool {
    profile
        .get("memberAdmission")
        .and_then(|a| a.get("review"))
        .and_then(Value::as_str)
        == Some("all")
}

fn enable(on: bool) -> Value {
    json!({"enable": if on { "on" } else { "off" }})
}

/// `FullGroupPreferences`: what every botgrid group allows.
pub fn full_group_preferences() -> Value {
    json!({
        "timedMessages": enable(false),
        "directMessages": enable(true),
        "fullDelete": enable(false),
        "reactions": enable(true),
        "voice": enable(true),
        "files": enable(true),
        "simplexLinks": enable(true),
        "reports": enable(false),
        "history": enable(false),
        "support": enable(false),
        "sessions": enable(false),
        "comments": enable(false),
        "signMessages": enable(false),
        "commands": [],
    })
}

/// One member of a group as a viewer sees it.
pub struct Member<'a> {
    pub avatar: &'a Avatar,
    pub profile: &'a ChatProfile,
    pub role: ChatRole,
    /// `GroupMemberStatus`: `invited`, `connected`, `left`, `removed`, …
    pub status: &'static str,
    pub blocked: bool,
    /// The viewer itself (its `membership`).
    pub is_self: bool,
}

/// `GroupMember`. Its `groupMemberId` (and `indexInGroup`) is the member's avatar id,
/// which is also its `contactId`: one id names an avatar everywhere.
pub fn group_member(group: &Group, m: &Member<'_>) -> Value {
    let id = m.avatar.id.0;
    let mut v = json!({
        "groupMemberId": id,
        "groupId": group.id.0,
        "indexInGroup": id,
        "memberId": m.avatar.uuid.to_string(),
        "memberRole": role(m.role),
        "memberCategory": if m.is_self { "user" } else { "invitee" },
        "memberStatus": m.status,
        "memberSettings": {"showMessages": true},
        "blockedByAdmin": m.blocked,
        "invitedBy": if m.is_self { json!({"type": "user"}) } else { json!({"type": "unknown"}) },
        "localDisplayName": display_name(m.avatar),
        "memberContactProfileId": id,
        "memberChatVRange": {"minVersion": CHAT_VERSION_MIN, "maxVersion": CHAT_VERSION_MAX},
        "createdAt": ts(group.created),
        "updatedAt": ts(group.created),
    });
    v["memberProfile"] = local_profile(m.avatar, m.profile, None);
    if !m.is_self {
        v["memberContactId"] = json!(id);
        v["activeConn"] = connection(id, m.avatar.born);
    }
    v
}

/// `GroupInfo`, with the viewer's own `GroupMember` as `membership`.
pub fn group_info(group: &Group, members: i64, review_joins: bool, membership: Value) -> Value {
    let mut v = json!({
        "groupId": group.id.0,
        "useRelays": false,
        "localDisplayName": group.name,
        "localAlias": "",
        "chatSettings": {"enableNtfs": "all", "favorite": false},
        "createdAt": ts(group.created),
        "updatedAt": ts(group.created),
        "chatTags": [],
        "groupSummary": {"currentMembers": members},
        "membersRequireAttention": 0,
    });
    v["groupProfile"] = group_profile(group, review_joins);
    v["fullGroupPreferences"] = full_group_preferences();
    v["membership"] = membership;
    v
}

/// `ChatInfo` of a group chat.
pub fn group_chat_info(info: Value) -> Value {
    let mut v = json!({"type": "group"});
    v["groupInfo"] = info;
    v
}

/// `GroupLink`.
pub fn group_link(links: &Links, link: &Link) -> Value {
    json!({
        "userContactLinkId": link.id,
        "connLinkContact": links.created(link),
        "shortLinkDataSet": false,
        "shortLinkLargeDataSet": false,
        "groupLinkId": format!("botgrid-group-link-{}", link.id),
        "acceptMemberRole": role(link.settings.member_role.unwrap_or(ChatRole::Member)),
    })
}

/// `UserContactLink`: a user's address.
pub fn user_contact_link(links: &Links, link: &Link) -> Value {
    json!({
        "userContactLinkId": link.id,
        "connLinkContact": links.created(link),
        "shortLinkDataSet": false,
        "shortLinkLargeDataSet": false,
        "addressSettings": address_settings(&link.settings),
    })
}

/// `AddressSettings`.
pub fn address_settings(s: &AddressSettings) -> Value {
    let mut v = json!({"businessAddress": s.business});
    if s.auto_accept {
        v["autoAccept"] = json!({"acceptIncognito": s.accept_incognito});
    }
    if let Some(reply) = &s.auto_reply {
        v["autoReply"] = msg_content(reply);
    }
    v
}

/// `PendingContactConnection` for a link the user made or used.
pub fn pending_connection(links: &Links, link: &Link, status: &str, mine: bool) -> Value {
    let mut v = json!({
        "pccConnId": link.id,
        "pccAgentConnId": format!("botgrid-link-{}", link.id),
        "pccConnStatus": {"type": status},
        "viaContactUri": link.kind == LinkKind::Address,
        "localAlias": "",
        "createdAt": ts(link.created),
        "updatedAt": ts(link.created),
    });
    if mine {
        v["connLinkInv"] = links.created(link);
    }
    v
}

/// `UserContactRequest`: a friendship offer waiting for the user's answer.
pub fn contact_request(
    offer: &FriendOffer,
    from: &Avatar,
    p: &ChatProfile,
    at: Timestamp,
) -> Value {
    json!({
        "contactRequestId": offer.id.0,
        "agentInvitationId": offer.session.to_string(),
        "cReqChatVRange": {"minVersion": CHAT_VERSION_MIN, "maxVersion": CHAT_VERSION_MAX},
        "localDisplayName": display_name(from),
        "profileId": from.id.0,
        "profile": local_profile(from, p, None),
        "createdAt": ts(at),
        "updatedAt": ts(at),
        "pqSupport": false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direct_items_are_written_as_new_chat_items_of_a_direct_chat() {
        let user = json!({"userId": 1, "profile": {"displayName": "Ann"}});
        let contact = json!({"contactId": 2, "localDisplayName": "Ben"});
        let items = vec![
            json!({"meta": {"itemId": 5}}),
            json!({"meta": {"itemId": 6}}),
        ];
        let expected = new_chat_items(
            user.clone(),
            items
                .iter()
                .map(|i| a_chat_item(direct_chat_info(contact.clone()), i.clone()))
                .collect(),
        );
        let shared = Resp::DirectItems(DirectItems {
            user: Rendered::new(user),
            contact: Rendered::new(contact),
            items,
        });
        assert_eq!(frame(None, &shared), frame(None, &expected));
        assert_eq!(shared.into_value(), expected);
    }

    #[test]
    fn link_tokens_in_both_forms() {
        assert_eq!(link_token("https://h/a#Abc123"), Some("Abc123"));
        assert_eq!(
            link_token("https://h/contact#/?v=2-7&l=Abc123"),
            Some("Abc123")
        );
        assert_eq!(link_token("https://h/contact#/?v=2-7"), None);
        assert_eq!(link_token("no fragment"), None);
        assert_eq!(link_token("https://h/a#bad token"), None);
    }
}
