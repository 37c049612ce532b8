//! The command reference: every documented command with its syntax, an example, its
//! answers and what botgrid does with it. `docs/simplex-api.md` is generated from this
//! table (as SimpleX generates its `COMMANDS.md`); tests check that every example parses
//! to the command it documents, that every command the parser knows is listed, and
//! that the documented support matches what a running server answers.

use std::fmt::Write;

/// What botgrid does with a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Support {
    /// Carried out as SimpleX does.
    Works,
    /// Carried out, with the differences given.
    Partly(&'static str),
    /// Answered with a `chatCmdError` saying why.
    No(&'static str),
}

/// One documented command.
#[derive(Clone, Copy, Debug)]
pub struct CommandDoc {
    /// The name in the SimpleX documentation.
    pub name: &'static str,
    pub syntax: &'static str,
    /// A command text that parses to this command.
    pub example: &'static str,
    /// The response types it answers with.
    pub answers: &'static str,
    pub support: Support,
}

use Support::{No, Partly, Works};

const fn doc(
    name: &'static str,
    syntax: &'static str,
    example: &'static str,
    answers: &'static str,
    support: Support,
) -> CommandDoc {
    CommandDoc {
        name,
        syntax,
        example,
        answers,
        support,
    }
}

/// The sections of the reference, in order, with their commands.
pub const SECTIONS: &[(&str, &[CommandDoc])] = &[
    ("Users and the chat", USERS),
    ("Address", ADDRESS),
    ("Messages", MESSAGES),
    ("Files", FILES),
    ("Groups", GROUPS),
    ("Group links", GROUP_LINKS),
    ("Connections", CONNECTIONS),
    ("Chats", CHATS),
    ("Channels, relays, remote control", OTHER),
];

const NO_RELAYS: Support = No("botgrid groups have no relays; groups work without them");

const USERS: &[CommandDoc] = &[
    doc(
        "ShowActiveUser",
        "/user (alias /u)",
        "/user",
        "activeUser",
        Works,
    ),
    doc(
        "CreateActiveUser",
        "/_create user <json(newUser)>",
        r#"/_create user {"profile":{"displayName":"Reference Bot","fullName":"","peerType":"bot"},"pastTimestamp":false}"#,
        "activeUser",
        Partly(
            "creates a new avatar (a bot when peerType is bot); only on a connection without a bot token",
        ),
    ),
    doc(
        "ListUsers",
        "/users",
        "/users",
        "usersList",
        Partly("the users this connection may drive"),
    ),
    doc(
        "APISetActiveUser",
        "/_user <userId>[ <json(viewPwd)>]",
        "/_user 1",
        "activeUser",
        Partly("hidden profiles have no password: viewPwd is ignored"),
    ),
    doc(
        "APIDeleteUser",
        "/_delete user <userId> del_smp=on|off",
        "/_delete user 1 del_smp=on",
        "cmdOk",
        Partly(
            "the chat profile, address, invitations and custom data go; the avatar, its friendships, groups and messages stay in the world (SmartBots still sees it); del_smp is ignored",
        ),
    ),
    doc(
        "APIUpdateProfile",
        "/_profile <userId> <json(profile)>",
        r#"/_profile 1 {"displayName":"Reference Bot","fullName":"Docs"}"#,
        "userProfileUpdated, userProfileNoChange",
        Works,
    ),
    doc(
        "APISetContactPrefs",
        "/_set prefs @<contactId> <json(preferences)>",
        r#"/_set prefs @2 {"voice":{"allow":"no"}}"#,
        "contactPrefsUpdated",
        No("per-contact preferences are not kept"),
    ),
    doc(
        "StartChat",
        "/_start[ main=on|off]",
        "/_start",
        "chatStarted, chatRunning",
        Works,
    ),
    doc("APIStopChat", "/_stop", "/_stop", "chatStopped", Works),
    doc(
        "ShowVersion",
        "/v (alias /version)",
        "/v",
        "versionInfo",
        Partly("reports a 7.0 core, as clients require"),
    ),
];

const ADDRESS: &[CommandDoc] = &[
    doc(
        "APICreateMyAddress",
        "/_address <userId>[ pq_ratchet=on|off]",
        "/_address 1",
        "userContactLinkCreated",
        Works,
    ),
    doc(
        "APIDeleteMyAddress",
        "/_delete_address <userId>",
        "/_delete_address 1",
        "userContactLinkDeleted",
        Works,
    ),
    doc(
        "APIShowMyAddress",
        "/_show_address <userId>",
        "/_show_address 1",
        "userContactLink",
        Works,
    ),
    doc(
        "APISetProfileAddress",
        "/_profile_address <userId> on|off",
        "/_profile_address 1 on",
        "userProfileUpdated, userProfileNoChange",
        Works,
    ),
    doc(
        "APISetAddressSettings",
        "/_address_settings <userId> <json(settings)>",
        r#"/_address_settings 1 {"businessAddress":false,"autoAccept":{"acceptIncognito":false}}"#,
        "userContactLinkUpdated",
        Partly("incognito and business flags are kept and shown, not acted on"),
    ),
    doc(
        "ShowMyAddress",
        "/show_address",
        "/show_address",
        "userContactLink",
        Works,
    ),
    doc(
        "CreateMyAddress",
        "/address",
        "/address",
        "userContactLinkCreated",
        Works,
    ),
    doc(
        "DeleteMyAddress",
        "/delete_address",
        "/delete_address",
        "userContactLinkDeleted",
        Works,
    ),
    doc(
        "AddressAutoAccept",
        "/auto_accept on|off[ incognito=on|off][ business][ text <welcome>]",
        "/auto_accept on text Welcome!",
        "userContactLinkUpdated",
        Works,
    ),
];

const MESSAGES: &[CommandDoc] = &[
    doc(
        "APISendMessages",
        "/_send <chatRef>[ live=on][ ttl=<ttl>][ sign=on] json <json(composedMessages)> (or text <text>)",
        "/_send @2 text hello",
        "newChatItems",
        Partly("live, ttl and sign are accepted and ignored; no member support chats"),
    ),
    doc(
        "APIUpdateChatItem",
        "/_update item <chatRef> <chatItemId>[ live=on] json <json(updatedMessage)>",
        r#"/_update item @2 9 json {"msgContent":{"type":"text","text":"edited"},"mentions":{}}"#,
        "chatItemUpdated, chatItemNotChanged",
        Works,
    ),
    doc(
        "APIDeleteChatItem",
        "/_delete item <chatRef> <chatItemIds> broadcast|internal|internalMark|history",
        "/_delete item @2 9 broadcast",
        "chatItemsDeleted",
        Partly(
            "broadcast marks the item deleted for the others; the other modes hide it for the user",
        ),
    ),
    doc(
        "APIDeleteMemberChatItem",
        "/_delete member item #<groupId> <chatItemIds>",
        "/_delete member item #1 9",
        "chatItemsDeleted",
        Works,
    ),
    doc(
        "APIChatItemReaction",
        "/_reaction <chatRef> <chatItemId> on|off <json(reaction)>",
        r#"/_reaction @2 9 on {"type":"emoji","emoji":"👍"}"#,
        "chatItemReaction",
        Partly("emoji reactions only"),
    ),
    doc(
        "APIShareMyAddress",
        "/_share address <toSendRef>",
        "/_share address @2",
        "chatMsgContent",
        Works,
    ),
    doc(
        "APIShareChatMsgContent",
        "/_share chat content <shareChatRef> <toSendRef>",
        "/_share chat content #1 @2",
        "chatMsgContent",
        Partly("groups (through their group link) only"),
    ),
];

const FILES: &[CommandDoc] = &[
    doc(
        "ReceiveFile",
        "/freceive <fileId>[ approved_relays=on][ encrypt=on|off][ inline=on|off][ <filePath>] (alias /fr)",
        "/freceive 5 report.pdf",
        "rcvFileAccepted, rcvFileAcceptedSndCancelled",
        Partly("into the files folder only; encrypt=on is refused"),
    ),
    doc(
        "CancelFile",
        "/fcancel <fileId> (alias /fc)",
        "/fcancel 5",
        "sndFileCancelled, rcvFileCancelled",
        Works,
    ),
];

const GROUPS: &[CommandDoc] = &[
    doc(
        "APIAddMember",
        "/_add #<groupId> <contactId> <role>",
        "/_add #1 2 member",
        "sentGroupInvitation",
        Partly(
            "roles: owner, admin, member or author; moderator and observer have no built-in role",
        ),
    ),
    doc(
        "APIJoinGroup",
        "/_join #<groupId>",
        "/_join #1",
        "userAcceptedGroupSent",
        Works,
    ),
    doc(
        "APIAcceptMember",
        "/_accept member #<groupId> <groupMemberId> <role>",
        "/_accept member #1 7 member",
        "memberAccepted",
        Partly(
            "reviews applicants of groups whose profile has memberAdmission review \"all\"; there is no support chat with them",
        ),
    ),
    doc(
        "APIMembersRole",
        "/_member role #<groupId> <groupMemberIds> <role>",
        "/_member role #1 7,8 admin",
        "membersRoleUser",
        Partly("owner, admin, member or author, through the group's Owners and Officers roles"),
    ),
    doc(
        "APIBlockMembersForAll",
        "/_block #<groupId> <groupMemberIds> blocked=on|off",
        "/_block #1 7 blocked=on",
        "membersBlockedForAllUser",
        Works,
    ),
    doc(
        "APIRemoveMembers",
        "/_remove #<groupId> <groupMemberIds>[ messages=on]",
        "/_remove #1 7",
        "userDeletedMembers",
        Partly("messages=on is accepted; posts stay"),
    ),
    doc(
        "APILeaveGroup",
        "/_leave #<groupId>",
        "/_leave #1",
        "leftMemberUser",
        Works,
    ),
    doc(
        "APIListMembers",
        "/_members #<groupId>",
        "/_members #1",
        "groupMembers",
        Works,
    ),
    doc(
        "APINewGroup",
        "/_group <userId>[ incognito=on] <json(groupProfile)>",
        r#"/_group 1 {"displayName":"Reference Club","fullName":""}"#,
        "groupCreated",
        Partly("incognito is not supported; the name must be free, as in Second Life"),
    ),
    doc(
        "APIUpdateGroupProfile",
        "/_group_profile #<groupId> <json(groupProfile)>",
        r#"/_group_profile #1 {"displayName":"Reference Club","fullName":"","description":"For bots"}"#,
        "groupUpdated",
        Partly("the description (the group's charter) changes; the name never does"),
    ),
];

const GROUP_LINKS: &[CommandDoc] = &[
    doc(
        "APICreateGroupLink",
        "/_create link #<groupId>[ <role>]",
        "/_create link #1 member",
        "groupLinkCreated",
        Works,
    ),
    doc(
        "APIGroupLinkMemberRole",
        "/_set link role #<groupId> <role>",
        "/_set link role #1 member",
        "groupLink",
        Works,
    ),
    doc(
        "APIDeleteGroupLink",
        "/_delete link #<groupId>",
        "/_delete link #1",
        "groupLinkDeleted",
        Works,
    ),
    doc(
        "APIGetGroupLink",
        "/_get link #<groupId>",
        "/_get link #1",
        "groupLink",
        Works,
    ),
];

const CONNECTIONS: &[CommandDoc] = &[
    doc(
        "APIAddContact",
        "/_connect <userId>[ incognito=on]",
        "/_connect 1",
        "invitation",
        Works,
    ),
    doc(
        "APIConnectPlan",
        "/_connect plan <userId> <connectTarget>",
        "/_connect plan 1 https://botgrid.localhost/a#abc",
        "connectionPlan",
        Works,
    ),
    doc(
        "APIConnect",
        "/_connect <userId>[ incognito=on] <link>",
        "/_connect 1 https://botgrid.localhost/a#abc",
        "sentConfirmation, sentInvitation, contactAlreadyExists",
        Works,
    ),
    doc(
        "Connect",
        "/connect[ <link>] (alias /c)",
        "/connect https://botgrid.localhost/a#abc",
        "sentConfirmation, sentInvitation, contactAlreadyExists, invitation",
        Works,
    ),
    doc(
        "APIAcceptContact",
        "/_accept[ incognito=on] <contactReqId>",
        "/_accept 4",
        "acceptingContactRequest",
        Works,
    ),
    doc(
        "APIRejectContact",
        "/_reject <contactReqId>",
        "/_reject 4",
        "contactRequestRejected",
        Works,
    ),
];

const CHATS: &[CommandDoc] = &[
    doc(
        "APIListContacts",
        "/_contacts <userId>",
        "/_contacts 1",
        "contactsList",
        Works,
    ),
    doc(
        "APIListGroups",
        "/_groups <userId>[ @<contactId>][ <search>]",
        "/_groups 1",
        "groupsList",
        Works,
    ),
    doc(
        "APIGetChats",
        "/_get chats <userId>[ pcc=on][ count=<n>][ <json(query)>]",
        "/_get chats 1 count=10",
        "apiChats",
        Partly("direct chats with their last message; the query is not applied"),
    ),
    doc(
        "APIDeleteChat",
        "/_delete <chatRef>[ full|entity|messages][ notify=on|off]",
        "/_delete @3",
        "contactDeleted",
        Partly(
            "deleting a contact ends the friendship; an owner deleting a group disbands it for everyone; clearing only a group's messages is refused",
        ),
    ),
    doc(
        "APISetGroupCustomData",
        "/_set custom #<groupId>[ <json(customData)>]",
        r#"/_set custom #3 {"tier":"gold"}"#,
        "cmdOk",
        Partly(
            "kept for the user alone and shown as the group's customData (a JSON object, up to 64 KiB)",
        ),
    ),
    doc(
        "APISetContactCustomData",
        "/_set custom @<contactId>[ <json(customData)>]",
        "/_set custom @3",
        "cmdOk",
        Partly(
            "kept for the user alone and shown as the contact's customData (a JSON object, up to 64 KiB)",
        ),
    ),
    doc(
        "APISetUserAutoAcceptMemberContacts",
        "/_set accept member contacts <userId> on|off",
        "/_set accept member contacts 1 on",
        "cmdOk",
        No("members of a group are not offered as contacts"),
    ),
    doc(
        "APISetUserAutoAcceptGroupInvitations",
        "/_set accept group invitations <userId> on|off",
        "/_set accept group invitations 1 off",
        "cmdOk",
        Partly(
            "with on, the user joins at once every group it is invited to without a fee, whoever invites it (either API)",
        ),
    ),
];

const OTHER: &[CommandDoc] = &[
    doc(
        "APINewPublicGroup",
        "/_public group <userId>[ incognito=on] <relayIds> <json(groupProfile)>",
        r#"/_public group 1 2 {"displayName":"c","fullName":""}"#,
        "publicGroupCreated",
        NO_RELAYS,
    ),
    doc(
        "APIGetGroupRelays",
        "/_get relays #<groupId>",
        "/_get relays #1",
        "groupRelays",
        NO_RELAYS,
    ),
    doc(
        "APIAddGroupRelays",
        "/_add relays #<groupId> <relayIds>",
        "/_add relays #1 2",
        "groupRelaysAdded",
        NO_RELAYS,
    ),
    doc(
        "APIAllowRelayGroup",
        "/_relay allow #<groupId>",
        "/_relay allow #1",
        "cmdOk",
        NO_RELAYS,
    ),
    doc(
        "APIVerifyGroupDomain",
        "/_verify domain #<groupId>",
        "/_verify domain #1",
        "groupDomainVerified",
        NO_RELAYS,
    ),
    doc(
        "APISendServiceResponse",
        "/_service_response <userId> <requestId> <json(responseData)>",
        r#"/_service_response 1 2 {"ok":true}"#,
        "cmdOk",
        No("there are no service requests"),
    ),
    doc(
        "ConnectRemoteCtrl",
        "/crc <remoteInvitation>",
        "/crc xyz",
        "remoteCtrlConnecting",
        No("remote control of desktop clients does not apply to a server"),
    ),
    doc(
        "VerifyRemoteCtrlSession",
        "/verify remote ctrl <sessionCode>",
        "/verify remote ctrl 123",
        "remoteCtrlConnected",
        No("remote control of desktop clients does not apply to a server"),
    ),
];

/// Every documented command.
pub fn all() -> impl Iterator<Item = &'static CommandDoc> {
    SECTIONS.iter().flat_map(|(_, docs)| docs.iter())
}

/// The reference as Markdown.
pub fn reference() -> String {
    let mut d = String::new();
    let _ = writeln!(
        d,
        "# SimpleX Chat bot API — command reference\n\n\
         Generated from the command table in `crates/simplex/src/reference.rs`; do not edit\n\
         by hand (`BOTGRID_BLESS=1 cargo test -p simplex` rewrites it). Tests check that\n\
         every example parses to its command and that a running server answers as the\n\
         table says. How the commands map onto the world, the files folder and the\n\
         events are in `simplex.md`.\n\n\
         Send each command as `{{\"corrId\":\"…\",\"cmd\":\"…\"}}` over the WebSocket; the\n\
         answer comes back as `{{\"corrId\":\"…\",\"resp\":{{\"type\":…}}}}`, or\n\
         `chatCmdError` when the command fails.\n"
    );
    let (mut works, mut partly, mut no) = (0, 0, 0);
    for c in all() {
        match c.support {
            Works => works += 1,
            Partly(_) => partly += 1,
            No(_) => no += 1,
        }
    }
    let _ = writeln!(
        d,
        "{} commands: {works} work as in SimpleX, {partly} work with the differences given, \
         {no} answer an error saying why.\n",
        works + partly + no
    );
    for (section, docs) in SECTIONS {
        let _ = writeln!(d, "## {section}\n");
        for c in docs.iter() {
            let _ = writeln!(d, "### `{}`\n", c.name);
            let _ = writeln!(d, "```\n{}\n```\n", c.syntax);
            let _ = writeln!(d, "Example: `{}`\n", c.example);
            let answers: Vec<String> = c.answers.split(", ").map(|a| format!("`{a}`")).collect();
            let _ = writeln!(d, "Answers: {}.\n", answers.join(", "));
            let _ = match c.support {
                Works => writeln!(d, "botgrid: works.\n"),
                Partly(how) => writeln!(d, "botgrid: works; {how}.\n"),
                No(why) => writeln!(
                    d,
                    "botgrid: not supported ({why}); answers `chatCmdError`.\n"
                ),
            };
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_example_parses_to_its_command_and_names_are_unique() {
        let mut seen = HashSet::new();
        for c in all() {
            assert!(seen.insert(c.name), "{} listed twice", c.name);
            let parsed = crate::command::parse(c.example)
                .unwrap_or_else(|e| panic!("{}: {:?} does not parse: {e}", c.name, c.example));
            assert_eq!(parsed.api_name(), c.name, "example {:?}", c.example);
        }
    }

    #[test]
    fn the_reference_in_docs_is_current() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/simplex-api.md");
        let generated = reference();
        if std::env::var_os("BOTGRID_BLESS").is_some() {
            std::fs::write(&path, &generated).expect("write the reference");
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "docs/simplex-api.md is out of date: run `BOTGRID_BLESS=1 cargo test -p simplex`"
        );
    }
}
