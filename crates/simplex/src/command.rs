//! The command grammar: the text commands of the SimpleX CLI's developer console, as bots
//! send them (`/_send @12 json […]`), parsed into [`Command`].
//!
//! Every command must consume the whole text (trailing spaces allowed). Ids are
//! decimal; flags are `key=on|off` in the documented order; JSON arguments run to the
//! end of the text and are kept as parsed values for the session to interpret.

use serde_json::Value;

/// A chat a command is about: `@<contactId>`, `#<groupId>[(_support[:<memberId>])]` or
/// `*<folderId>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChatRef {
    Direct(i64),
    Group {
        id: i64,
        support: Option<Option<i64>>,
    },
    Local(i64),
}

/// How `/_delete item` deletes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemDeleteMode {
    Broadcast,
    Internal,
    InternalMark,
    History,
}

/// How `/_delete <chat>` deletes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChatDeleteMode {
    Full { notify: bool },
    Entity { notify: bool },
    Messages,
}

/// A group member role, lowest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Relay,
    Observer,
    Author,
    Member,
    Moderator,
    Admin,
    Owner,
}

impl Role {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Relay => "relay",
            Role::Observer => "observer",
            Role::Author => "author",
            Role::Member => "member",
            Role::Moderator => "moderator",
            Role::Admin => "admin",
            Role::Owner => "owner",
        }
    }

    fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "relay" => Role::Relay,
            "observer" => Role::Observer,
            "author" => Role::Author,
            "member" => Role::Member,
            "moderator" => Role::Moderator,
            "admin" => Role::Admin,
            "owner" => Role::Owner,
            _ => return None,
        })
    }
}

/// What `/_send` carries: the documented JSON list, or the console's plain text.
#[derive(Clone, Debug, PartialEq)]
pub enum Composed {
    Json(Value),
    Text(String),
}

/// A parsed command. Field names follow the SimpleX documentation.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    // Users and the chat itself.
    ShowActiveUser,
    CreateActiveUser {
        new_user: Value,
    },
    ListUsers,
    SetActiveUser {
        user_id: i64,
    },
    DeleteUser {
        user_id: i64,
        del_smp: bool,
    },
    UpdateProfile {
        user_id: i64,
        profile: Value,
    },
    SetContactPrefs {
        contact_id: i64,
        preferences: Value,
    },
    StartChat,
    StopChat,
    Version,
    // Address.
    CreateMyAddress {
        user_id: i64,
    },
    DeleteMyAddress {
        user_id: i64,
    },
    ShowMyAddress {
        user_id: i64,
    },
    SetProfileAddress {
        user_id: i64,
        enable: bool,
    },
    SetAddressSettings {
        user_id: i64,
        settings: Value,
    },
    /// The old console forms for the active user: `/show_address`, `/address`,
    /// `/delete_address`, `/auto_accept …`.
    ShowActiveAddress,
    CreateActiveAddress,
    DeleteActiveAddress,
    AutoAccept {
        on: bool,
        incognito: bool,
        business: bool,
        reply: Option<Value>,
    },
    // Messages.
    SendMessages {
        send_ref: ChatRef,
        live: bool,
        ttl: Option<i64>,
        sign: bool,
        messages: Composed,
    },
    UpdateChatItem {
        chat_ref: ChatRef,
        item_id: i64,
        live: bool,
        message: Value,
    },
    DeleteChatItem {
        chat_ref: ChatRef,
        item_ids: Vec<i64>,
        mode: ItemDeleteMode,
    },
    DeleteMemberChatItem {
        group_id: i64,
        item_ids: Vec<i64>,
    },
    ChatItemReaction {
        chat_ref: ChatRef,
        item_id: i64,
        add: bool,
        reaction: Value,
    },
    ShareMyAddress {
        to: ChatRef,
    },
    ShareChatContent {
        chat: ChatRef,
        to: ChatRef,
    },
    // Files.
    ReceiveFile {
        file_id: i64,
        approved_relays: bool,
        encrypt: Option<bool>,
        inline: Option<bool>,
        path: Option<String>,
    },
    CancelFile {
        file_id: i64,
    },
    // Groups.
    AddMember {
        group_id: i64,
        contact_id: i64,
        role: Role,
    },
    JoinGroup {
        group_id: i64,
    },
    AcceptMember {
        group_id: i64,
        member_id: i64,
        role: Role,
    },
    MembersRole {
        group_id: i64,
        member_ids: Vec<i64>,
        role: Role,
    },
    BlockMembers {
        group_id: i64,
        member_ids: Vec<i64>,
        blocked: bool,
    },
    RemoveMembers {
        group_id: i64,
        member_ids: Vec<i64>,
        with_messages: bool,
    },
    LeaveGroup {
        group_id: i64,
    },
    ListMembers {
        group_id: i64,
    },
    NewGroup {
        user_id: i64,
        incognito: bool,
        profile: Value,
    },
    UpdateGroupProfile {
        group_id: i64,
        profile: Value,
    },
    CreateGroupLink {
        group_id: i64,
        role: Role,
    },
    GroupLinkMemberRole {
        group_id: i64,
        role: Role,
    },
    DeleteGroupLink {
        group_id: i64,
    },
    GetGroupLink {
        group_id: i64,
    },
    /// Channels and relays (`/_public group`, `/_get relays`, `/_add relays`,
    /// `/_relay allow`) and domain verification: parsed, answered with an error.
    Relays {
        name: &'static str,
    },
    // Connections.
    AddContact {
        user_id: i64,
        incognito: bool,
    },
    ConnectPlan {
        user_id: i64,
        target: String,
    },
    ApiConnect {
        user_id: i64,
        incognito: bool,
        link: String,
    },
    Connect {
        incognito: bool,
        target: Option<String>,
    },
    AcceptContact {
        incognito: bool,
        request_id: i64,
    },
    RejectContact {
        request_id: i64,
    },
    // Chats.
    ListContacts {
        user_id: i64,
    },
    ListGroups {
        user_id: i64,
        contact_id: Option<i64>,
        search: Option<String>,
    },
    GetChats {
        user_id: i64,
        pending: bool,
        count: Option<i64>,
        query: Option<Value>,
    },
    DeleteChat {
        chat_ref: ChatRef,
        mode: ChatDeleteMode,
    },
    SetCustomData {
        chat_ref: ChatRef,
        data: Option<Value>,
    },
    SetAutoAcceptMemberContacts {
        user_id: i64,
        on: bool,
    },
    SetAutoAcceptGroupInvitations {
        user_id: i64,
        on: bool,
    },
    // Newest-only remote control and service commands: parsed, answered with an error.
    Unsupported {
        name: &'static str,
    },
}

impl Command {
    /// Whether the command may start while the connection's earlier commands are still
    /// committing: a direct send, whose answer waits for its commit but whose checks do
    /// not depend on the sends before it. Every other command waits until the earlier
    /// ones are answered, so it sees what they did.
    pub fn pipelines(&self) -> bool {
        matches!(
            self,
            Command::SendMessages {
                send_ref: ChatRef::Direct(_),
                ..
            }
        )
    }

    /// The command's name in the SimpleX documentation (console forms have their own).
    pub fn api_name(&self) -> &'static str {
        use Command as C;
        match self {
            C::ShowActiveUser => "ShowActiveUser",
            C::CreateActiveUser { .. } => "CreateActiveUser",
            C::ListUsers => "ListUsers",
            C::SetActiveUser { .. } => "APISetActiveUser",
            C::DeleteUser { .. } => "APIDeleteUser",
            C::UpdateProfile { .. } => "APIUpdateProfile",
            C::SetContactPrefs { .. } => "APISetContactPrefs",
            C::StartChat => "StartChat",
            C::StopChat => "APIStopChat",
            C::Version => "ShowVersion",
            C::CreateMyAddress { .. } => "APICreateMyAddress",
            C::DeleteMyAddress { .. } => "APIDeleteMyAddress",
            C::ShowMyAddress { .. } => "APIShowMyAddress",
            C::SetProfileAddress { .. } => "APISetProfileAddress",
            C::SetAddressSettings { .. } => "APISetAddressSettings",
            C::ShowActiveAddress => "ShowMyAddress",
            C::CreateActiveAddress => "CreateMyAddress",
            C::DeleteActiveAddress => "DeleteMyAddress",
            C::AutoAccept { .. } => "AddressAutoAccept",
            C::SendMessages { .. } => "APISendMessages",
            C::UpdateChatItem { .. } => "APIUpdateChatItem",
            C::DeleteChatItem { .. } => "APIDeleteChatItem",
            C::DeleteMemberChatItem { .. } => "APIDeleteMemberChatItem",
            C::ChatItemReaction { .. } => "APIChatItemReaction",
            C::ShareMyAddress { .. } => "APIShareMyAddress",
            C::ShareChatContent { .. } => "APIShareChatMsgContent",
            C::ReceiveFile { .. } => "ReceiveFile",
            C::CancelFile { .. } => "CancelFile",
            C::AddMember { .. } => "APIAddMember",
            C::JoinGroup { .. } => "APIJoinGroup",
            C::AcceptMember { .. } => "APIAcceptMember",
            C::MembersRole { .. } => "APIMembersRole",
            C::BlockMembers { .. } => "APIBlockMembersForAll",
            C::RemoveMembers { .. } => "APIRemoveMembers",
            C::LeaveGroup { .. } => "APILeaveGroup",
            C::ListMembers { .. } => "APIListMembers",
            C::NewGroup { .. } => "APINewGroup",
            C::UpdateGroupProfile { .. } => "APIUpdateGroupProfile",
            C::CreateGroupLink { .. } => "APICreateGroupLink",
            C::GroupLinkMemberRole { .. } => "APIGroupLinkMemberRole",
            C::DeleteGroupLink { .. } => "APIDeleteGroupLink",
            C::GetGroupLink { .. } => "APIGetGroupLink",
            C::Relays { name } | C::Unsupported { name } => name,
            C::AddContact { .. } => "APIAddContact",
            C::ConnectPlan { .. } => "APIConnectPlan",
            C::ApiConnect { .. } => "APIConnect",
            C::Connect { .. } => "Connect",
            C::AcceptContact { .. } => "APIAcceptContact",
            C::RejectContact { .. } => "APIRejectContact",
            C::ListContacts { .. } => "APIListContacts",
            C::ListGroups { .. } => "APIListGroups",
            C::GetChats { .. } => "APIGetChats",
            C::DeleteChat { .. } => "APIDeleteChat",
            C::SetCustomData {
                chat_ref: ChatRef::Group { .. },
                ..
            } => "APISetGroupCustomData",
            C::SetCustomData { .. } => "APISetContactCustomData",
            C::SetAutoAcceptMemberContacts { .. } => "APISetUserAutoAcceptMemberContacts",
            C::SetAutoAcceptGroupInvitations { .. } => "APISetUserAutoAcceptGroupInvitations",
        }
    }
}

/// Why a command text was not understood; becomes `commandError`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError(pub String);

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

type Parsed<T> = Result<T, ParseError>;

fn err<T>(msg: impl Into<String>) -> Parsed<T> {
    Err(ParseError(msg.into()))
}

/// A cursor over the command text.
struct Cursor<'a> {
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    fn eat(&mut self, lit: &str) -> bool {
        match self.rest.strip_prefix(lit) {
            Some(r) => {
                self.rest = r;
                true
            }
            None => false,
        }
    }

    fn require(&mut self, lit: &str) -> Parsed<()> {
        if self.eat(lit) {
            Ok(())
        } else {
            err(format!("expected {lit:?} at {:?}", preview(self.rest)))
        }
    }

    fn at_end(&self) -> bool {
        self.rest.trim_end().is_empty()
    }

    fn end(&self) -> Parsed<()> {
        if self.at_end() {
            Ok(())
        } else {
            err(format!("unexpected text {:?}", preview(self.rest)))
        }
    }

    fn int(&mut self) -> Parsed<i64> {
        let digits = self
            .rest
            .char_indices()
            .take_while(|(i, c)| c.is_ascii_digit() || (*i == 0 && *c == '-'))
            .count();
        let (num, rest) = self.rest.split_at(digits);
        match num.parse() {
            Ok(n) => {
                self.rest = rest;
                Ok(n)
            }
            Err(_) => err(format!("expected a number at {:?}", preview(self.rest))),
        }
    }

    fn ids(&mut self) -> Parsed<Vec<i64>> {
        let mut ids = vec![self.int()?];
        while self.eat(",") {
            ids.push(self.int()?);
        }
        Ok(ids)
    }

    fn word(&mut self) -> &'a str {
        let n = self.rest.find(' ').unwrap_or(self.rest.len());
        let (w, rest) = self.rest.split_at(n);
        self.rest = rest;
        w
    }

    fn on_off(&mut self) -> Parsed<bool> {
        if self.eat("on") {
            Ok(true)
        } else if self.eat("off") {
            Ok(false)
        } else {
            err(format!("expected on or off at {:?}", preview(self.rest)))
        }
    }

    /// ` key=on|off` if present.
    fn flag(&mut self, key: &str) -> Parsed<Option<bool>> {
        let lit = format!(" {key}=");
        if self.eat(&lit) {
            self.on_off().map(Some)
        } else {
            Ok(None)
        }
    }

    fn role(&mut self) -> Parsed<Role> {
        let w = self.word();
        Role::parse(w).ok_or_else(|| ParseError(format!("unknown member role {w:?}")))
    }

    /// The rest of the text as JSON.
    fn json(&mut self) -> Parsed<Value> {
        let text = self.rest.trim();
        self.rest = "";
        serde_json::from_str(text).map_err(|e| ParseError(format!("invalid JSON: {e}")))
    }

    /// The rest of the text, trimmed; `None` when empty.
    fn text(&mut self) -> Option<String> {
        let t = self.rest.trim();
        self.rest = "";
        (!t.is_empty()).then(|| t.to_owned())
    }

    fn chat_ref(&mut self) -> Parsed<ChatRef> {
        if self.eat("@") {
            Ok(ChatRef::Direct(self.int()?))
        } else if self.eat("#") {
            let id = self.int()?;
            let support = if self.eat("(_support") {
                let member = if self.eat(":") {
                    Some(self.int()?)
                } else {
                    None
                };
                self.require(")")?;
                Some(member)
            } else {
                None
            };
            Ok(ChatRef::Group { id, support })
        } else if self.eat("*") {
            Ok(ChatRef::Local(self.int()?))
        } else {
            err(format!(
                "expected a chat (@id, #id or *id) at {:?}",
                preview(self.rest)
            ))
        }
    }

    fn group(&mut self) -> Parsed<i64> {
        self.require("#")?;
        self.int()
    }
}

fn preview(s: &str) -> String {
    s.chars().take(40).collect()
}

/// Parses one command text.
pub fn parse(text: &str) -> Result<Command, ParseError> {
    let text = text.trim_end();
    if !text.starts_with('/') {
        return err("commands start with /");
    }
    let mut c = Cursor { rest: text };
    let command = parse_command(&mut c)?;
    c.end()?;
    Ok(command)
}

fn parse_command(c: &mut Cursor<'_>) -> Parsed<Command> {
    use Command::*;
    // Longer literals before their prefixes.
    if c.eat("/_send ") {
        return send(c);
    }
    if c.eat("/_update item ") {
        let chat_ref = c.chat_ref()?;
        c.require(" ")?;
        let item_id = c.int()?;
        let live = c.flag("live")?.unwrap_or(false);
        c.require(" json ")?;
        return Ok(UpdateChatItem {
            chat_ref,
            item_id,
            live,
            message: c.json()?,
        });
    }
    if c.eat("/_delete member item ") {
        let group_id = c.group()?;
        c.require(" ")?;
        return Ok(DeleteMemberChatItem {
            group_id,
            item_ids: c.ids()?,
        });
    }
    if c.eat("/_delete item ") {
        let chat_ref = c.chat_ref()?;
        c.require(" ")?;
        let item_ids = c.ids()?;
        c.require(" ")?;
        let mode = match c.word() {
            "broadcast" => ItemDeleteMode::Broadcast,
            "internal" => ItemDeleteMode::Internal,
            "internalMark" => ItemDeleteMode::InternalMark,
            "history" => ItemDeleteMode::History,
            w => return err(format!("unknown delete mode {w:?}")),
        };
        return Ok(DeleteChatItem {
            chat_ref,
            item_ids,
            mode,
        });
    }
    if c.eat("/_delete user ") {
        let user_id = c.int()?;
        let del_smp = c.flag("del_smp")?.unwrap_or(false);
        if c.eat(" ") {
            c.json()?; // view password: hidden profiles are not supported, nothing to check
        }
        return Ok(DeleteUser { user_id, del_smp });
    }
    if c.eat("/_delete_address ") {
        return Ok(DeleteMyAddress { user_id: c.int()? });
    }
    if c.eat("/_delete link ") {
        return Ok(DeleteGroupLink {
            group_id: c.group()?,
        });
    }
    if c.eat("/_delete ") {
        let chat_ref = c.chat_ref()?;
        let mode = if c.eat(" ") {
            match c.word() {
                "full" => ChatDeleteMode::Full {
                    notify: c.flag("notify")?.unwrap_or(true),
                },
                "entity" => ChatDeleteMode::Entity {
                    notify: c.flag("notify")?.unwrap_or(true),
                },
                "messages" => ChatDeleteMode::Messages,
                w => return err(format!("unknown chat delete mode {w:?}")),
            }
        } else {
            ChatDeleteMode::Full { notify: true }
        };
        return Ok(DeleteChat { chat_ref, mode });
    }
    if c.eat("/_reaction ") {
        let chat_ref = c.chat_ref()?;
        c.require(" ")?;
        let item_id = c.int()?;
        c.require(" ")?;
        let add = c.on_off()?;
        c.require(" ")?;
        return Ok(ChatItemReaction {
            chat_ref,
            item_id,
            add,
            reaction: c.json()?,
        });
    }
    if c.eat("/_share address ") {
        return Ok(ShareMyAddress { to: c.chat_ref()? });
    }
    if c.eat("/_share chat content ") {
        let chat = c.chat_ref()?;
        c.require(" ")?;
        return Ok(ShareChatContent {
            chat,
            to: c.chat_ref()?,
        });
    }
    if c.eat("/freceive ") || c.eat("/fr ") {
        return receive_file(c);
    }
    if c.eat("/fcancel ") || c.eat("/fc ") {
        return Ok(CancelFile { file_id: c.int()? });
    }
    if c.eat("/_add relays ") {
        c.group()?;
        c.require(" ")?;
        c.ids()?;
        return Ok(Relays {
            name: "APIAddGroupRelays",
        });
    }
    if c.eat("/_add ") {
        let group_id = c.group()?;
        c.require(" ")?;
        let contact_id = c.int()?;
        let role = if c.eat(" ") { c.role()? } else { Role::Member };
        return Ok(AddMember {
            group_id,
            contact_id,
            role,
        });
    }
    if c.eat("/_join ") {
        return Ok(JoinGroup {
            group_id: c.group()?,
        });
    }
    if c.eat("/_accept member ") {
        let group_id = c.group()?;
        c.require(" ")?;
        let member_id = c.int()?;
        let role = if c.eat(" ") { c.role()? } else { Role::Member };
        return Ok(AcceptMember {
            group_id,
            member_id,
            role,
        });
    }
    if c.eat("/_accept") {
        let incognito = c.flag("incognito")?.unwrap_or(false);
        c.require(" ")?;
        return Ok(AcceptContact {
            incognito,
            request_id: c.int()?,
        });
    }
    if c.eat("/_reject ") {
        return Ok(RejectContact {
            request_id: c.int()?,
        });
    }
    if c.eat("/_member role ") {
        let group_id = c.group()?;
        c.require(" ")?;
        let member_ids = c.ids()?;
        c.require(" ")?;
        return Ok(MembersRole {
            group_id,
            member_ids,
            role: c.role()?,
        });
    }
    if c.eat("/_block ") {
        let group_id = c.group()?;
        c.require(" ")?;
        let member_ids = c.ids()?;
        c.require(" blocked=")?;
        return Ok(BlockMembers {
            group_id,
            member_ids,
            blocked: c.on_off()?,
        });
    }
    if c.eat("/_remove ") {
        let group_id = c.group()?;
        c.require(" ")?;
        let member_ids = c.ids()?;
        let with_messages = c.flag("messages")?.unwrap_or(false);
        return Ok(RemoveMembers {
            group_id,
            member_ids,
            with_messages,
        });
    }
    if c.eat("/_leave ") {
        return Ok(LeaveGroup {
            group_id: c.group()?,
        });
    }
    if c.eat("/_members ") {
        return Ok(ListMembers {
            group_id: c.group()?,
        });
    }
    if c.eat("/_group_profile ") {
        let group_id = c.group()?;
        c.require(" ")?;
        return Ok(UpdateGroupProfile {
            group_id,
            profile: c.json()?,
        });
    }
    if c.eat("/_group ") {
        let user_id = c.int()?;
        let incognito = c.flag("incognito")?.unwrap_or(false);
        c.require(" ")?;
        return Ok(NewGroup {
            user_id,
            incognito,
            profile: c.json()?,
        });
    }
    if c.eat("/_public group ") {
        c.int()?;
        c.flag("incognito")?;
        c.require(" ")?;
        c.ids()?;
        c.require(" ")?;
        c.json()?;
        return Ok(Relays {
            name: "APINewPublicGroup",
        });
    }
    if c.eat("/_get relays ") {
        c.group()?;
        return Ok(Relays {
            name: "APIGetGroupRelays",
        });
    }
    if c.eat("/_relay allow ") {
        c.group()?;
        return Ok(Relays {
            name: "APIAllowRelayGroup",
        });
    }
    if c.eat("/_verify domain ") {
        c.group()?;
        return Ok(Relays {
            name: "APIVerifyGroupDomain",
        });
    }
    if c.eat("/_create link ") {
        let group_id = c.group()?;
        let role = if c.eat(" ") { c.role()? } else { Role::Member };
        return Ok(CreateGroupLink { group_id, role });
    }
    if c.eat("/_set link role ") {
        let group_id = c.group()?;
        c.require(" ")?;
        return Ok(GroupLinkMemberRole {
            group_id,
            role: c.role()?,
        });
    }
    if c.eat("/_get link ") {
        return Ok(GetGroupLink {
            group_id: c.group()?,
        });
    }
    if c.eat("/_connect plan ") {
        let user_id = c.int()?;
        c.require(" ")?;
        let target = c.text().ok_or_else(|| ParseError("missing link".into()))?;
        return Ok(ConnectPlan { user_id, target });
    }
    if c.eat("/_connect ") {
        let user_id = c.int()?;
        let incognito = c.flag("incognito")?.unwrap_or(false);
        if c.eat(" ") {
            let link = c.text().ok_or_else(|| ParseError("missing link".into()))?;
            return Ok(ApiConnect {
                user_id,
                incognito,
                link,
            });
        }
        return Ok(AddContact { user_id, incognito });
    }
    if c.eat("/crc ") {
        c.text()
            .ok_or_else(|| ParseError("missing invitation".into()))?;
        return Ok(Unsupported {
            name: "ConnectRemoteCtrl",
        });
    }
    if c.eat("/connect") || c.eat("/c") {
        if !c.at_end() && !c.rest.starts_with(' ') {
            return err(format!("unknown command {:?}", preview(c.rest)));
        }
        c.eat(" ");
        let incognito = c.eat("incognito") || c.eat("i ");
        return Ok(Connect {
            incognito,
            target: c.text(),
        });
    }
    if c.eat("/_contacts ") {
        return Ok(ListContacts { user_id: c.int()? });
    }
    if c.eat("/_groups") {
        c.eat(" ");
        let user_id = c.int()?;
        let contact_id = if c.eat(" @") { Some(c.int()?) } else { None };
        let search = if c.eat(" ") { c.text() } else { None };
        return Ok(ListGroups {
            user_id,
            contact_id,
            search,
        });
    }
    if c.eat("/_get chats ") {
        return get_chats(c);
    }
    if c.eat("/_set custom ") {
        let chat_ref = c.chat_ref()?;
        let data = if c.eat(" ") { Some(c.json()?) } else { None };
        return Ok(SetCustomData { chat_ref, data });
    }
    if c.eat("/_set accept member contacts ") {
        let user_id = c.int()?;
        c.require(" ")?;
        return Ok(SetAutoAcceptMemberContacts {
            user_id,
            on: c.on_off()?,
        });
    }
    if c.eat("/_set accept group invitations ") {
        let user_id = c.int()?;
        c.require(" ")?;
        return Ok(SetAutoAcceptGroupInvitations {
            user_id,
            on: c.on_off()?,
        });
    }
    if c.eat("/_set prefs ") {
        c.require("@")?;
        let contact_id = c.int()?;
        c.require(" ")?;
        return Ok(SetContactPrefs {
            contact_id,
            preferences: c.json()?,
        });
    }
    if c.eat("/_address_settings ") {
        let user_id = c.int()?;
        c.flag("pq_ratchet")?;
        c.require(" ")?;
        return Ok(SetAddressSettings {
            user_id,
            settings: c.json()?,
        });
    }
    if c.eat("/_address ") {
        let user_id = c.int()?;
        c.flag("pq_ratchet")?;
        return Ok(CreateMyAddress { user_id });
    }
    if c.eat("/_show_address ") {
        return Ok(ShowMyAddress { user_id: c.int()? });
    }
    if c.eat("/_profile_address ") {
        let user_id = c.int()?;
        c.require(" ")?;
        return Ok(SetProfileAddress {
            user_id,
            enable: c.on_off()?,
        });
    }
    if c.eat("/_profile ") {
        let user_id = c.int()?;
        c.require(" ")?;
        return Ok(UpdateProfile {
            user_id,
            profile: c.json()?,
        });
    }
    if c.eat("/_create user ") {
        return Ok(CreateActiveUser {
            new_user: c.json()?,
        });
    }
    if c.eat("/_user ") {
        let user_id = c.int()?;
        if c.eat(" ") {
            c.json()?; // view password: hidden profiles are not supported
        }
        return Ok(SetActiveUser { user_id });
    }
    if c.eat("/_start") {
        // `main=on|off`, `snd_files=off`, `service_requests=on` and the old
        // `subscribe=on expire=on`: options of the real core's background work.
        for key in [
            "main",
            "subscribe",
            "expire",
            "xftp",
            "snd_files",
            "service_requests",
        ] {
            c.flag(key)?;
        }
        return Ok(StartChat);
    }
    if c.eat("/_stop") {
        return Ok(StopChat);
    }
    if c.eat("/_service_response ") {
        c.int()?;
        c.require(" ")?;
        c.int()?;
        c.require(" ")?;
        c.json()?;
        return Ok(Unsupported {
            name: "APISendServiceResponse",
        });
    }
    if c.eat("/verify remote ctrl ") {
        c.text().ok_or_else(|| ParseError("missing code".into()))?;
        return Ok(Unsupported {
            name: "VerifyRemoteCtrlSession",
        });
    }
    if c.eat("/show_address") {
        return Ok(ShowActiveAddress);
    }
    if c.eat("/delete_address") {
        return Ok(DeleteActiveAddress);
    }
    if c.eat("/address") {
        return Ok(CreateActiveAddress);
    }
    if c.eat("/auto_accept ") {
        return auto_accept(c);
    }
    if c.eat("/users") {
        return Ok(ListUsers);
    }
    if c.eat("/user") || c.eat("/u") {
        if !c.at_end() {
            return err(format!("unknown command {:?}", preview(c.rest)));
        }
        return Ok(ShowActiveUser);
    }
    if c.eat("/version") || c.eat("/v") {
        return Ok(Version);
    }
    err(format!("unknown command {:?}", preview(c.rest)))
}

fn send(c: &mut Cursor<'_>) -> Parsed<Command> {
    let send_ref = c.chat_ref()?;
    if let ChatRef::Local(_) = send_ref {
        return err("messages are sent to @contact or #group");
    }
    let live = c.flag("live")?.unwrap_or(false);
    let ttl = if c.eat(" ttl=") {
        if c.eat("default") {
            None
        } else {
            Some(c.int()?)
        }
    } else {
        None
    };
    let sign = c.flag("sign")?.unwrap_or(false);
    let messages = if c.eat(" json ") {
        Composed::Json(c.json()?)
    } else if c.eat(" text ") {
        Composed::Text(c.text().unwrap_or_default())
    } else {
        return err("expected json <messages> or text <message>");
    };
    Ok(Command::SendMessages {
        send_ref,
        live,
        ttl,
        sign,
        messages,
    })
}

fn receive_file(c: &mut Cursor<'_>) -> Parsed<Command> {
    let file_id = c.int()?;
    let approved_relays = c.flag("approved_relays")?.unwrap_or(false);
    let encrypt = c.flag("encrypt")?;
    let inline = c.flag("inline")?;
    let path = if c.eat(" ") { c.text() } else { None };
    Ok(Command::ReceiveFile {
        file_id,
        approved_relays,
        encrypt,
        inline,
        path,
    })
}

fn get_chats(c: &mut Cursor<'_>) -> Parsed<Command> {
    let user_id = c.int()?;
    let pending = c.flag("pcc")?.unwrap_or(false);
    let mut count = None;
    if c.eat(" ") {
        for prefix in ["after=", "before="] {
            if c.eat(prefix) {
                c.word();
                c.require(" ")?;
            }
        }
        if c.eat("count=") {
            count = Some(c.int()?);
        } else {
            // No pagination: what follows is the query.
            let query = c.json()?;
            return Ok(Command::GetChats {
                user_id,
                pending,
                count,
                query: Some(query),
            });
        }
    }
    let query = if c.eat(" ") { Some(c.json()?) } else { None };
    Ok(Command::GetChats {
        user_id,
        pending,
        count,
        query,
    })
}

fn auto_accept(c: &mut Cursor<'_>) -> Parsed<Command> {
    let on = c.on_off()?;
    let mut incognito = false;
    let mut business = false;
    if c.eat(" incognito=") {
        incognito = c.on_off()?;
    }
    if c.eat(" business") {
        business = true;
    }
    let reply = if c.eat(" text ") {
        c.text()
            .map(|t| serde_json::json!({"type": "text", "text": t}))
    } else if c.eat(" json ") {
        Some(c.json()?)
    } else {
        None
    };
    Ok(Command::AutoAccept {
        on,
        incognito,
        business,
        reply,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(text: &str) -> Command {
        parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn bad(text: &str) -> String {
        match parse(text) {
            Ok(c) => panic!("{text} parsed as {c:?}"),
            Err(e) => e.0,
        }
    }

    #[test]
    fn users_and_chat() {
        assert_eq!(ok("/user"), Command::ShowActiveUser);
        assert_eq!(ok("/u  "), Command::ShowActiveUser);
        assert_eq!(ok("/users"), Command::ListUsers);
        assert_eq!(ok("/v"), Command::Version);
        assert_eq!(ok("/version"), Command::Version);
        assert_eq!(ok("/_user 3"), Command::SetActiveUser { user_id: 3 });
        assert_eq!(
            ok(r#"/_user 3 {"viewPwd":"x"}"#),
            Command::SetActiveUser { user_id: 3 }
        );
        assert_eq!(
            ok("/_delete user 3 del_smp=on"),
            Command::DeleteUser {
                user_id: 3,
                del_smp: true
            }
        );
        assert_eq!(
            ok(
                r#"/_create user {"profile":{"displayName":"a","fullName":""},"pastTimestamp":false}"#
            ),
            Command::CreateActiveUser {
                new_user: json!({"profile":{"displayName":"a","fullName":""},"pastTimestamp":false})
            }
        );
        assert_eq!(
            ok(r#"/_profile 1 {"displayName":"b","fullName":""}"#),
            Command::UpdateProfile {
                user_id: 1,
                profile: json!({"displayName":"b","fullName":""})
            }
        );
        assert_eq!(
            ok(r#"/_set prefs @4 {"files":{"allow":"yes"}}"#),
            Command::SetContactPrefs {
                contact_id: 4,
                preferences: json!({"files":{"allow":"yes"}})
            }
        );
        assert_eq!(ok("/_start"), Command::StartChat);
        assert_eq!(ok("/_start main=on"), Command::StartChat);
        assert_eq!(ok("/_start subscribe=on expire=on"), Command::StartChat);
        assert_eq!(ok("/_stop"), Command::StopChat);
        assert!(bad("/userx").contains("unknown command"));
        assert!(bad("/_user x").contains("number"));
        assert!(bad("hello").contains("start with /"));
        assert!(bad("/nope").contains("unknown command"));
        assert!(bad("/_create user {oops").contains("invalid JSON"));
    }

    #[test]
    fn address() {
        assert_eq!(ok("/_address 1"), Command::CreateMyAddress { user_id: 1 });
        assert_eq!(
            ok("/_address 1 pq_ratchet=on"),
            Command::CreateMyAddress { user_id: 1 }
        );
        assert_eq!(
            ok("/_delete_address 1"),
            Command::DeleteMyAddress { user_id: 1 }
        );
        assert_eq!(
            ok("/_show_address 1"),
            Command::ShowMyAddress { user_id: 1 }
        );
        assert_eq!(
            ok("/_profile_address 1 on"),
            Command::SetProfileAddress {
                user_id: 1,
                enable: true
            }
        );
        assert_eq!(
            ok(
                r#"/_address_settings 1 {"businessAddress":false,"autoAccept":{"acceptIncognito":false}}"#
            ),
            Command::SetAddressSettings {
                user_id: 1,
                settings: json!({"businessAddress":false,"autoAccept":{"acceptIncognito":false}})
            }
        );
        assert_eq!(ok("/show_address"), Command::ShowActiveAddress);
        assert_eq!(ok("/address"), Command::CreateActiveAddress);
        assert_eq!(ok("/delete_address"), Command::DeleteActiveAddress);
        assert_eq!(
            ok("/auto_accept on incognito=off business text Hello there"),
            Command::AutoAccept {
                on: true,
                incognito: false,
                business: true,
                reply: Some(json!({"type":"text","text":"Hello there"}))
            }
        );
        assert!(bad("/_profile_address 1 maybe").contains("on or off"));
        assert!(
            bad("/_address").contains("unknown command") || bad("/_address").contains("expected")
        );
    }

    #[test]
    fn messages() {
        let msgs = json!([{"msgContent":{"type":"text","text":"hi"},"mentions":{}}]);
        assert_eq!(
            ok(&format!("/_send @12 json {msgs}")),
            Command::SendMessages {
                send_ref: ChatRef::Direct(12),
                live: false,
                ttl: None,
                sign: false,
                messages: Composed::Json(msgs.clone())
            }
        );
        assert_eq!(
            ok(&format!(
                "/_send #3(_support:45) live=on ttl=60 sign=on json {msgs}"
            )),
            Command::SendMessages {
                send_ref: ChatRef::Group {
                    id: 3,
                    support: Some(Some(45))
                },
                live: true,
                ttl: Some(60),
                sign: true,
                messages: Composed::Json(msgs.clone())
            }
        );
        assert_eq!(
            ok("/_send #3(_support) ttl=default text hello  world"),
            Command::SendMessages {
                send_ref: ChatRef::Group {
                    id: 3,
                    support: Some(None)
                },
                live: false,
                ttl: None,
                sign: false,
                messages: Composed::Text("hello  world".into())
            }
        );
        assert_eq!(
            ok(r#"/_update item @2 9 live=on json {"msgContent":{"type":"text","text":"x"}}"#),
            Command::UpdateChatItem {
                chat_ref: ChatRef::Direct(2),
                item_id: 9,
                live: true,
                message: json!({"msgContent":{"type":"text","text":"x"}})
            }
        );
        assert_eq!(
            ok("/_delete item #2 9,10,11 internalMark"),
            Command::DeleteChatItem {
                chat_ref: ChatRef::Group {
                    id: 2,
                    support: None
                },
                item_ids: vec![9, 10, 11],
                mode: ItemDeleteMode::InternalMark
            }
        );
        assert_eq!(
            ok("/_delete member item #2 9"),
            Command::DeleteMemberChatItem {
                group_id: 2,
                item_ids: vec![9]
            }
        );
        assert_eq!(
            ok(r#"/_reaction @2 9 on {"type":"emoji","emoji":"👍"}"#),
            Command::ChatItemReaction {
                chat_ref: ChatRef::Direct(2),
                item_id: 9,
                add: true,
                reaction: json!({"type":"emoji","emoji":"👍"})
            }
        );
        assert_eq!(
            ok("/_share address @2"),
            Command::ShareMyAddress {
                to: ChatRef::Direct(2)
            }
        );
        assert_eq!(
            ok("/_share chat content #1 @2"),
            Command::ShareChatContent {
                chat: ChatRef::Group {
                    id: 1,
                    support: None
                },
                to: ChatRef::Direct(2)
            }
        );
        assert!(bad("/_send @x json []").contains("number"));
        assert!(bad("/_send *1 json []").contains("@contact or #group"));
        assert!(bad("/_send @1 []").contains("json"));
        assert!(bad("/_send @1 json [").contains("invalid JSON"));
        assert!(bad("/_delete item @1 9 everywhere").contains("delete mode"));
        assert!(bad("/_send #3(_support:x) text a").contains("number"));
        assert!(bad("/_send @1 live=maybe text a").contains("on or off"));
    }

    #[test]
    fn files() {
        assert_eq!(
            ok("/freceive 5 approved_relays=on encrypt=off /tmp/a b.txt"),
            Command::ReceiveFile {
                file_id: 5,
                approved_relays: true,
                encrypt: Some(false),
                inline: None,
                path: Some("/tmp/a b.txt".into())
            }
        );
        assert_eq!(
            ok("/fr 5"),
            Command::ReceiveFile {
                file_id: 5,
                approved_relays: false,
                encrypt: None,
                inline: None,
                path: None
            }
        );
        assert_eq!(ok("/fcancel 5"), Command::CancelFile { file_id: 5 });
        assert_eq!(ok("/fc 5"), Command::CancelFile { file_id: 5 });
        assert!(
            bad("/freceive").contains("unknown command") || bad("/freceive").contains("number")
        );
    }

    #[test]
    fn groups() {
        assert_eq!(
            ok("/_add #1 2 admin"),
            Command::AddMember {
                group_id: 1,
                contact_id: 2,
                role: Role::Admin
            }
        );
        assert_eq!(ok("/_join #1"), Command::JoinGroup { group_id: 1 });
        assert_eq!(
            ok("/_accept member #1 7 observer"),
            Command::AcceptMember {
                group_id: 1,
                member_id: 7,
                role: Role::Observer
            }
        );
        assert_eq!(
            ok("/_member role #1 7,8 moderator"),
            Command::MembersRole {
                group_id: 1,
                member_ids: vec![7, 8],
                role: Role::Moderator
            }
        );
        assert_eq!(
            ok("/_block #1 7 blocked=on"),
            Command::BlockMembers {
                group_id: 1,
                member_ids: vec![7],
                blocked: true
            }
        );
        assert_eq!(
            ok("/_remove #1 7,8 messages=on"),
            Command::RemoveMembers {
                group_id: 1,
                member_ids: vec![7, 8],
                with_messages: true
            }
        );
        assert_eq!(ok("/_leave #1"), Command::LeaveGroup { group_id: 1 });
        assert_eq!(ok("/_members #1"), Command::ListMembers { group_id: 1 });
        assert_eq!(
            ok(r#"/_group 1 incognito=on {"displayName":"g","fullName":""}"#),
            Command::NewGroup {
                user_id: 1,
                incognito: true,
                profile: json!({"displayName":"g","fullName":""})
            }
        );
        assert_eq!(
            ok(r#"/_group_profile #1 {"displayName":"g","fullName":""}"#),
            Command::UpdateGroupProfile {
                group_id: 1,
                profile: json!({"displayName":"g","fullName":""})
            }
        );
        assert_eq!(
            ok("/_create link #1 observer"),
            Command::CreateGroupLink {
                group_id: 1,
                role: Role::Observer
            }
        );
        assert_eq!(
            ok("/_create link #1"),
            Command::CreateGroupLink {
                group_id: 1,
                role: Role::Member
            }
        );
        assert_eq!(
            ok("/_set link role #1 author"),
            Command::GroupLinkMemberRole {
                group_id: 1,
                role: Role::Author
            }
        );
        assert_eq!(
            ok("/_delete link #1"),
            Command::DeleteGroupLink { group_id: 1 }
        );
        assert_eq!(ok("/_get link #1"), Command::GetGroupLink { group_id: 1 });
        assert_eq!(
            ok(r#"/_public group 1 2,3 {"displayName":"c","fullName":""}"#),
            Command::Relays {
                name: "APINewPublicGroup"
            }
        );
        assert_eq!(
            ok("/_get relays #1"),
            Command::Relays {
                name: "APIGetGroupRelays"
            }
        );
        assert_eq!(
            ok("/_add relays #1 2"),
            Command::Relays {
                name: "APIAddGroupRelays"
            }
        );
        assert_eq!(
            ok("/_relay allow #1"),
            Command::Relays {
                name: "APIAllowRelayGroup"
            }
        );
        assert_eq!(
            ok("/_verify domain #1"),
            Command::Relays {
                name: "APIVerifyGroupDomain"
            }
        );
        assert!(bad("/_add #1 2 boss").contains("role"));
        assert!(bad("/_members 1").contains("\"#\""));
        assert!(bad("/_block #1 7 blocked=yes").contains("on or off"));
    }

    #[test]
    fn connections_and_chats() {
        assert_eq!(
            ok("/_connect 1"),
            Command::AddContact {
                user_id: 1,
                incognito: false
            }
        );
        assert_eq!(
            ok("/_connect 1 incognito=on"),
            Command::AddContact {
                user_id: 1,
                incognito: true
            }
        );
        assert_eq!(
            ok("/_connect 1 https://x/a#abc"),
            Command::ApiConnect {
                user_id: 1,
                incognito: false,
                link: "https://x/a#abc".into()
            }
        );
        assert_eq!(
            ok("/_connect plan 1 https://x/a#abc"),
            Command::ConnectPlan {
                user_id: 1,
                target: "https://x/a#abc".into()
            }
        );
        assert_eq!(
            ok("/connect https://x/a#abc"),
            Command::Connect {
                incognito: false,
                target: Some("https://x/a#abc".into())
            }
        );
        assert_eq!(
            ok("/c"),
            Command::Connect {
                incognito: false,
                target: None
            }
        );
        assert_eq!(
            ok("/_accept 4"),
            Command::AcceptContact {
                incognito: false,
                request_id: 4
            }
        );
        assert_eq!(
            ok("/_accept incognito=on 4"),
            Command::AcceptContact {
                incognito: true,
                request_id: 4
            }
        );
        assert_eq!(ok("/_reject 4"), Command::RejectContact { request_id: 4 });
        assert_eq!(ok("/_contacts 1"), Command::ListContacts { user_id: 1 });
        assert_eq!(
            ok("/_groups 1 @2 team"),
            Command::ListGroups {
                user_id: 1,
                contact_id: Some(2),
                search: Some("team".into())
            }
        );
        assert_eq!(
            ok("/_groups1"),
            Command::ListGroups {
                user_id: 1,
                contact_id: None,
                search: None
            }
        );
        assert_eq!(
            ok(
                r#"/_get chats 1 pcc=on count=100 {"type":"filters","favorite":false,"unread":false}"#
            ),
            Command::GetChats {
                user_id: 1,
                pending: true,
                count: Some(100),
                query: Some(json!({"type":"filters","favorite":false,"unread":false}))
            }
        );
        assert_eq!(
            ok("/_get chats 1"),
            Command::GetChats {
                user_id: 1,
                pending: false,
                count: None,
                query: None
            }
        );
        assert_eq!(
            ok("/_delete @3 entity notify=off"),
            Command::DeleteChat {
                chat_ref: ChatRef::Direct(3),
                mode: ChatDeleteMode::Entity { notify: false }
            }
        );
        assert_eq!(
            ok("/_delete @3"),
            Command::DeleteChat {
                chat_ref: ChatRef::Direct(3),
                mode: ChatDeleteMode::Full { notify: true }
            }
        );
        assert_eq!(
            ok("/_delete #3 messages"),
            Command::DeleteChat {
                chat_ref: ChatRef::Group {
                    id: 3,
                    support: None
                },
                mode: ChatDeleteMode::Messages
            }
        );
        assert_eq!(
            ok(r#"/_set custom #3 {"a":1}"#),
            Command::SetCustomData {
                chat_ref: ChatRef::Group {
                    id: 3,
                    support: None
                },
                data: Some(json!({"a":1}))
            }
        );
        assert_eq!(
            ok("/_set custom @3"),
            Command::SetCustomData {
                chat_ref: ChatRef::Direct(3),
                data: None
            }
        );
        assert_eq!(
            ok("/_set accept member contacts 1 on"),
            Command::SetAutoAcceptMemberContacts {
                user_id: 1,
                on: true
            }
        );
        assert_eq!(
            ok("/_set accept group invitations 1 off"),
            Command::SetAutoAcceptGroupInvitations {
                user_id: 1,
                on: false
            }
        );
        assert_eq!(
            ok(r#"/_service_response 1 2 {"a":1}"#),
            Command::Unsupported {
                name: "APISendServiceResponse"
            }
        );
        assert_eq!(
            ok("/crc xyz"),
            Command::Unsupported {
                name: "ConnectRemoteCtrl"
            }
        );
        assert_eq!(
            ok("/verify remote ctrl 123"),
            Command::Unsupported {
                name: "VerifyRemoteCtrlSession"
            }
        );
        assert!(
            bad("/_connect plan 1").contains("link")
                || bad("/_connect plan 1").contains("expected")
        );
        assert!(bad("/_delete @3 sideways").contains("delete mode"));
        assert!(bad("/cx").contains("unknown command"));
    }

    #[test]
    fn never_panics_on_prefixes_of_valid_commands() {
        let samples = [
            r#"/_send #3(_support:45) live=on ttl=60 sign=on json [{"msgContent":{"type":"text","text":"hi"}}]"#,
            "/_delete item #2 9,10,11 internalMark",
            "/freceive 5 approved_relays=on encrypt=off /tmp/a",
            r#"/_get chats 1 pcc=on count=100 {"type":"filters"}"#,
            "/auto_accept on incognito=off business text Hi",
            "/_member role #1 7,8 moderator",
        ];
        for s in samples {
            for (i, _) in s.char_indices() {
                let _ = parse(&s[..i]);
            }
        }
    }
}
