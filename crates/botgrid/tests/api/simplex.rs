//! The SimpleX bot API, driven by the unmodified `simploxide-client` crate (its bot
//! builder, typed commands and typed events), plus raw frames for the error paths.

use crate::harness::{Grid, Receiver};
use serde_json::{Value, json};
use simploxide_client::prelude::*;
use simploxide_client::types::{CIDirection, Contact, GroupMemberStatus};
use simploxide_client::ws::{self, core::tokio_tungstenite, core::tungstenite::Message};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

async fn within<F: std::future::Future>(what: &str, f: F) -> F::Output {
    tokio::time::timeout(WAIT, f)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

/// The text of the first message in a `newChatItems` event.
fn first_text(ev: &NewChatItems) -> String {
    ev.chat_items
        .filter_messages()
        .next()
        .and_then(|(_, _, content)| content.text().cloned())
        .expect("a message")
}

#[tokio::test]
async fn a_simploxide_bot_publishes_an_address_greets_and_echoes() {
    let grid = Grid::start().await;
    let port = grid.simplex_port();
    let (bot, mut bot_events) = within(
        "the bot to start",
        ws::BotBuilder::new("Echo Bot", port)
            .auto_accept_with("Hello, I echo what you say.")
            .connect(),
    )
    .await
    .expect("bot starts against botgrid");
    let address = bot.address().await.expect("the bot has an address");
    assert!(address.contains('#'), "{address}");

    let (sam, mut sam_events) = within("Sam to start", ws::BotBuilder::new("Sam", port).connect())
        .await
        .expect("a second client starts");
    within("connecting", sam.initiate_connection(address.clone()))
        .await
        .expect("Sam connects through the address");

    // Both sides see the contact; Sam gets the welcome.
    let on_bot = within(
        "contactConnected",
        bot_events.wait_for::<ContactConnected>(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(on_bot.contact.local_display_name, "Sam");
    let on_sam = within(
        "contactConnected",
        sam_events.wait_for::<ContactConnected>(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(on_sam.contact.local_display_name, "Echo Bot");
    let welcome = within("the welcome", sam_events.wait_for::<NewChatItems>())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first_text(&welcome), "Hello, I echo what you say.");

    // Sam says something; the bot answers it, quoting it.
    let sent = sam
        .send_msg(ChatId::from(&on_sam.contact), "ping")
        .await
        .expect("Sam's message is accepted");
    let sent_id = sent.chat_items[0].chat_item.meta.item_id;
    let got = within(
        "the bot's newChatItems",
        bot_events.wait_for::<NewChatItems>(),
    )
    .await
    .unwrap()
    .unwrap();
    let (chat, msg, content) = got.chat_items.filter_messages().next().expect("a message");
    assert_eq!(content.text().map(String::as_str), Some("ping"));
    assert!(matches!(
        msg.chat_dir,
        simploxide_client::types::CIDirection::DirectRcv
    ));
    bot.send_msg(chat, "echo: ping")
        .reply_to(msg)
        .await
        .expect("the echo is accepted");
    let echo = within("the echo", sam_events.wait_for::<NewChatItems>())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first_text(&echo), "echo: ping");
    let quoted = echo.chat_items[0]
        .chat_item
        .quoted_item
        .as_ref()
        .expect("a quote");
    assert_eq!(quoted.item_id, Some(sent_id));

    // Contacts list both ways; a second connect is "already a contact".
    let contacts = sam.contacts().await.expect("contacts");
    assert_eq!(contacts.len(), 1);
    assert_eq!(contacts[0].local_display_name, "Echo Bot");
}

#[tokio::test]
async fn the_bot_restarts_as_the_same_user_with_the_same_address() {
    let grid = Grid::start().await;
    let port = grid.simplex_port();
    let (bot, _events) = ws::BotBuilder::new("Steady", port)
        .auto_accept()
        .connect()
        .await
        .unwrap();
    let first = bot.address().await.unwrap();
    let user = bot.user_id();
    drop(bot);
    let (again, _events) = ws::BotBuilder::new("Steady", port)
        .auto_accept()
        .connect()
        .await
        .unwrap();
    assert_eq!(again.user_id(), user, "found by name in /users");
    assert_eq!(again.address().await.unwrap(), first);
}

#[tokio::test]
async fn smartbots_and_simplex_share_direct_chats() {
    let grid = Grid::start().await;
    let (bot, mut events) = ws::BotBuilder::new("Chat Bot", grid.simplex_port())
        .connect()
        .await
        .unwrap();
    let ada = grid.bot("Ada Resident").await;
    grid.login(&ada).await;
    let hook = Receiver::start().await;
    grid.callback(&ada, &hook.url(), "instant_message").await;

    grid.ok(
        &ada,
        "im",
        &[("slname", "Chat Bot"), ("message", "hello from SmartBots")],
    )
    .await;
    let got = within("newChatItems", events.wait_for::<NewChatItems>())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first_text(&got), "hello from SmartBots");
    let (chat, msg, _) = got.chat_items.filter_messages().next().unwrap();
    match &got.chat_items[0].chat_info {
        ChatInfo::Direct { contact, .. } => {
            assert_eq!(contact.local_display_name, "Ada Resident")
        }
        other => panic!("a direct chat, not {other:?}"),
    }
    bot.send_msg(chat, "hello from SimpleX")
        .reply_to(msg)
        .await
        .unwrap();
    let calls = hook.wait_for("instant_message", 1).await;
    assert_eq!(calls[0]["message"], "hello from SimpleX");
    assert_eq!(calls[0]["speaker_name"], "Chat Bot");
}

#[tokio::test]
async fn an_address_without_auto_accept_makes_contact_requests() {
    let grid = Grid::start().await;
    let port = grid.simplex_port();
    let (host, mut host_events) = ws::BotBuilder::new("Host", port).connect().await.unwrap();
    let address = host.get_or_create_address().await.unwrap();
    let (guest, mut guest_events) = ws::BotBuilder::new("Guest", port).connect().await.unwrap();
    guest.initiate_connection(address).await.unwrap();
    let request = within(
        "receivedContactRequest",
        host_events.wait_for::<ReceivedContactRequest>(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(request.contact_request.local_display_name, "Guest");
    host.accept_contact(ContactRequestId::from_raw(
        request.contact_request.contact_request_id,
    ))
    .await
    .expect("accepting works");
    let connected = within(
        "contactConnected",
        guest_events.wait_for::<ContactConnected>(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(connected.contact.local_display_name, "Host");
    assert_eq!(host.contacts().await.unwrap().len(), 1);
}

/// A raw client: the error paths typed clients never produce.
struct Raw {
    socket: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl Raw {
    async fn connect(port: u16) -> Raw {
        let (socket, _) =
            tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{port}/any/path"))
                .await
                .unwrap();
        Raw { socket }
    }

    async fn send_text(&mut self, text: &str) {
        use futures_sink_ext::SinkExt;
        self.socket.send(Message::text(text)).await.unwrap();
    }

    async fn next(&mut self) -> Value {
        use futures_sink_ext::StreamExt;
        loop {
            let msg = within("a frame", self.socket.next())
                .await
                .unwrap()
                .unwrap();
            if let Message::Text(t) = msg {
                return serde_json::from_str(t.as_str()).unwrap();
            }
        }
    }

    /// The `userId` of the chat user with this display name.
    async fn user_id(&mut self, name: &str) -> i64 {
        let users = self.cmd("users", "/users").await;
        users["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["user"]["localDisplayName"] == name)
            .and_then(|u| u["user"]["userId"].as_i64())
            .unwrap_or_else(|| panic!("{name} in {users}"))
    }

    async fn cmd(&mut self, corr: &str, cmd: &str) -> Value {
        self.send_text(&json!({"corrId": corr, "cmd": cmd}).to_string())
            .await;
        // Events of the users this connection drives may come first.
        loop {
            let v = self.next().await;
            if v.get("corrId").is_none() {
                continue;
            }
            assert_eq!(v["corrId"], corr, "{v}");
            return v["resp"].clone();
        }
    }
}

mod futures_sink_ext {
    pub use futures_util::{SinkExt, StreamExt};
}

#[tokio::test]
async fn bad_frames_and_commands_answer_chat_errors() {
    let grid = Grid::start().await;
    let mut raw = Raw::connect(grid.simplex_port()).await;

    raw.send_text("not json").await;
    let v = raw.next().await;
    assert!(v.get("corrId").is_none(), "{v}");
    assert_eq!(v["resp"]["type"], "chatCmdError");
    assert_eq!(
        v["resp"]["chatError"]["errorType"]["message"],
        "invalid request"
    );

    let r = raw.cmd("1", "/nonsense").await;
    assert_eq!(r["type"], "chatCmdError");
    assert_eq!(r["chatError"]["type"], "error");
    assert_eq!(r["chatError"]["errorType"]["type"], "commandError");

    let r = raw.cmd("2", "/user").await;
    assert_eq!(r["chatError"]["errorType"]["type"], "noActiveUser");
    let metrics = grid
        .client
        .get(format!("http://{}/metrics", grid.running.http))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics
            .contains(r#"botgrid_request_errors_total{api="simplex",kind="error/noActiveUser"} "#),
        "errors counted by kind: {metrics}"
    );
    assert!(
        metrics
            .contains(r#"botgrid_command_seconds_count{api="simplex",command="ShowActiveUser"} "#)
    );

    let r = raw.cmd("3", "/v").await;
    assert_eq!(r["type"], "versionInfo");
    assert!(
        r["versionInfo"]["version"]
            .as_str()
            .unwrap()
            .starts_with("7.0.")
    );

    let r = raw
        .cmd(
            "4",
            r#"/_create user {"profile":{"displayName":"Raw","fullName":""},"pastTimestamp":false}"#,
        )
        .await;
    assert_eq!(r["type"], "activeUser", "{r}");
    let uid = r["user"]["userId"].as_i64().unwrap();
    let r = raw.cmd("5", &format!("/_show_address {uid}")).await;
    assert_eq!(r["chatError"]["type"], "errorStore");
    assert_eq!(
        r["chatError"]["storeError"]["type"],
        "userContactLinkNotFound"
    );

    let r = raw.cmd("6", &format!("/_send @{uid} json [")).await;
    assert_eq!(r["chatError"]["errorType"]["type"], "commandError");
    let r = raw.cmd("7", "/_send @999999 text hi").await;
    assert_eq!(r["chatError"]["type"], "errorStore", "{r}");
    let r = raw.cmd("8", "/_public group 1 2 {}").await;
    assert_eq!(r["type"], "chatCmdError");
    let r = raw
        .cmd("9", "/_connect 1 https://nowhere/a#nosuchtoken")
        .await;
    assert_eq!(r["chatError"]["errorType"]["type"], "invalidConnReq", "{r}");
    let r = raw.cmd("10", "/_user 999999").await;
    assert_eq!(r["chatError"]["storeError"]["type"], "userNotFound");

    // Still answering in order after all that.
    let r = raw.cmd("11", "/user").await;
    assert_eq!(r["user"]["localDisplayName"], "Raw");
}

#[tokio::test]
async fn a_bot_token_drives_only_its_bot() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada Resident").await;
    let (_, token) = grid
        .running
        .engine
        .create_token(&grid::LegacyName::parse(&ada.name).unwrap(), "simplex")
        .await
        .unwrap();
    let url = format!("ws://127.0.0.1:{}/?token={token}", grid.simplex_port());
    let (socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let mut raw = Raw { socket };
    let r = raw.cmd("1", "/user").await;
    assert_eq!(r["user"]["localDisplayName"], "Ada Resident", "{r}");
    let r = raw.cmd("2", "/users").await;
    assert_eq!(r["users"].as_array().unwrap().len(), 1);
    let r = raw
        .cmd(
            "3",
            r#"/_create user {"profile":{"displayName":"Sneaky","fullName":""}}"#,
        )
        .await;
    assert_eq!(r["type"], "chatCmdError");

    let bad = format!("ws://127.0.0.1:{}/?token=bgt_wrong", grid.simplex_port());
    assert!(tokio_tungstenite::connect_async(bad).await.is_err());
}

#[tokio::test]
async fn messages_sent_while_the_client_is_away_arrive_when_it_reconnects() {
    let grid = Grid::start().await;
    let port = grid.simplex_port();
    let (bot, events) = ws::BotBuilder::new("Sleepy", port).connect().await.unwrap();
    bot.shutdown().await;
    drop(events);
    let ada = grid.bot("Ada Resident").await;
    grid.login(&ada).await;
    // The chat user goes offline with its last connection; until then an IM may be
    // delivered to the log directly, which the durable cursor covers as well.
    for i in 0..3 {
        grid.ok(
            &ada,
            "im",
            &[
                ("slname", "Sleepy"),
                ("message", &format!("while away {i}")),
            ],
        )
        .await;
    }
    let (_bot, mut events) = ws::BotBuilder::new("Sleepy", port).connect().await.unwrap();
    let mut texts = Vec::new();
    while texts.len() < 3 {
        let got = within("the held messages", events.wait_for::<NewChatItems>())
            .await
            .unwrap()
            .unwrap();
        texts.push(first_text(&got));
    }
    assert_eq!(texts, ["while away 0", "while away 1", "while away 2"]);
}

/// Two simploxide clients that are contacts: the first publishes an auto-accepting
/// address, the second connects through it.
async fn two_contacts(
    port: u16,
    first: &str,
    second: &str,
) -> (
    (ws::Bot, ws::EventStream),
    (ws::Bot, ws::EventStream),
    Contact,
    Contact,
) {
    let (a, mut a_events) = ws::BotBuilder::new(first, port)
        .auto_accept()
        .connect()
        .await
        .unwrap();
    let (b, mut b_events) = ws::BotBuilder::new(second, port).connect().await.unwrap();
    b.initiate_connection(a.address().await.unwrap())
        .await
        .unwrap();
    let b_on_a = within("contactConnected", a_events.wait_for::<ContactConnected>())
        .await
        .unwrap()
        .unwrap()
        .contact
        .clone();
    let a_on_b = within("contactConnected", b_events.wait_for::<ContactConnected>())
        .await
        .unwrap()
        .unwrap()
        .contact
        .clone();
    ((a, a_events), (b, b_events), b_on_a, a_on_b)
}

/// The text of a group message event, and who sent it.
fn group_text(ev: &NewChatItems) -> (String, String) {
    let item = &ev.chat_items[0];
    assert!(
        matches!(item.chat_info, ChatInfo::Group { .. }),
        "a group chat: {:?}",
        item.chat_info
    );
    let sender = match &item.chat_item.chat_dir {
        CIDirection::GroupRcv { group_member, .. } => group_member.local_display_name.clone(),
        other => panic!("a received group item, not {other:?}"),
    };
    (first_text(ev), sender)
}

#[tokio::test]
async fn a_group_is_created_joined_moderated_and_shared_with_smartbots() {
    let grid = Grid::start().await;
    let port = grid.simplex_port();
    let ((owner, mut owner_events), (sam, mut sam_events), sam_contact, _) =
        two_contacts(port, "Club Bot", "Sam").await;

    let profile: GroupProfile =
        serde_json::from_value(json!({"displayName": "Botgrid Club", "fullName": "For bots"}))
            .unwrap();
    let created = owner.create_group(profile).await.expect("group created");
    let group = created.group_info.clone();
    assert_eq!(group.group_profile.display_name, "Botgrid Club");
    assert_eq!(group.membership.member_role, GroupMemberRole::Owner);
    let gid = GroupId::from(&group);

    // Sam is invited and joins.
    owner
        .add_member(gid, ContactId::from(&sam_contact), GroupMemberRole::Member)
        .await
        .expect("invitation sent");
    let inv = within(
        "receivedGroupInvitation",
        sam_events.wait_for::<ReceivedGroupInvitation>(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(inv.group_info.group_profile.display_name, "Botgrid Club");
    assert_eq!(inv.member_role, GroupMemberRole::Member);
    assert_eq!(inv.from_member_role, GroupMemberRole::Owner);
    sam.join_group(GroupId::from(&inv.group_info))
        .await
        .expect("Sam joins");
    let joined = within("userJoinedGroup", sam_events.wait_for::<UserJoinedGroup>())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(joined.host_member.local_display_name, "Club Bot");
    let sam_member = within(
        "joinedGroupMember",
        owner_events.wait_for::<JoinedGroupMember>(),
    )
    .await
    .unwrap()
    .unwrap()
    .member
    .clone();
    assert_eq!(sam_member.local_display_name, "Sam");

    // A SmartBots bot is invited too (by the id it has as a contact) and joins.
    let ada = grid.bot("Ada Resident").await;
    grid.login(&ada).await;
    let hook = Receiver::start().await;
    grid.callback(&ada, &hook.url(), "group_invite,group_message")
        .await;
    grid.ok(&ada, "im", &[("slname", "Club Bot"), ("message", "hi")])
        .await;
    let from_ada = within("Ada's IM", owner_events.wait_for::<NewChatItems>())
        .await
        .unwrap()
        .unwrap();
    let ChatInfo::Direct {
        contact: ada_contact,
        ..
    } = &from_ada.chat_items[0].chat_info
    else {
        panic!("a direct chat");
    };
    owner
        .add_member(gid, ContactId::from(ada_contact), GroupMemberRole::Member)
        .await
        .unwrap();
    let invite = hook.wait_for("group_invite", 1).await;
    assert_eq!(invite[0]["group_name"], "Botgrid Club");
    let group_uuid = invite[0]["group_uuid"].as_str().to_owned();
    grid.ok(&ada, "group_join", &[("groupuuid", &group_uuid)])
        .await;
    let ada_joined = within("Ada joining", owner_events.wait_for::<JoinedGroupMember>())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ada_joined.member.local_display_name, "Ada Resident");
    let ada_member = MemberId::from(&ada_joined.member);

    // Group chat: SimpleX to SimpleX and SmartBots, SmartBots to SimpleX.
    sam.send_msg(ChatId::from(&joined.group_info), "hello club")
        .await
        .expect("Sam posts");
    let got = within("Sam's post", owner_events.wait_for::<NewChatItems>())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(group_text(&got), ("hello club".into(), "Sam".into()));
    // The owner answers, quoting Sam's post; Sam sees the quote.
    let (chat, msg, _) = got.chat_items.filter_messages().next().unwrap();
    let answer = owner
        .send_msg(chat, "welcome, Sam")
        .reply_to(msg)
        .await
        .expect("a quoting answer");
    assert_eq!(
        answer.chat_items[0]
            .chat_item
            .quoted_item
            .as_ref()
            .and_then(|q| q.item_id),
        Some(msg.meta.item_id)
    );
    let answered = within("the answer", sam_events.wait_for::<NewChatItems>())
        .await
        .unwrap()
        .unwrap();
    let quoted = answered.chat_items[0]
        .chat_item
        .quoted_item
        .as_ref()
        .expect("Sam sees the quote");
    assert!(matches!(quoted.chat_dir, Some(CIDirection::GroupSnd)));
    let calls = hook.wait_for("group_message", 1).await;
    assert_eq!(calls[0]["message"], "hello club");
    assert_eq!(calls[0]["speaker_name"], "Sam Resident");
    grid.ok(
        &ada,
        "send_group_im",
        &[
            ("groupuuid", &group_uuid),
            ("message", "hello from SmartBots"),
        ],
    )
    .await;
    let got = within("Ada's post", sam_events.wait_for::<NewChatItems>())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        group_text(&got),
        ("hello from SmartBots".into(), "Ada Resident".into())
    );

    // A file in the group: Sam receives it under the path he names.
    let folder = grid.settings.simplex_files_dir();
    std::fs::write(folder.join("rules.txt"), b"be kind to bots").unwrap();
    owner
        .send_msg(gid, crypto_file("rules.txt"))
        .await
        .expect("the owner shares a file");
    let got = within("the group file", sam_events.wait_for::<NewChatItems>())
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(
        got.chat_items[0].chat_info,
        ChatInfo::Group { .. }
    ));
    let file = first_file(&got);
    assert_eq!(file.file_name, "rules.txt");
    let mut receive = simploxide_client::types::commands::ReceiveFile::new(file.file_id);
    receive.file_path = Some("sam-rules.txt".into());
    sam.client()
        .receive_file(receive)
        .await
        .expect("Sam receives it");
    within("rcvFileComplete", sam_events.wait_for::<RcvFileComplete>())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        std::fs::read(folder.join("sam-rules.txt")).unwrap(),
        b"be kind to bots"
    );

    // Sam becomes an admin; Sam hears of it and the member list says so.
    let sam_id = MemberId::from(&sam_member);
    owner
        .set_member_role(gid, sam_id, GroupMemberRole::Admin)
        .await
        .expect("role changed");
    let role = within("memberRole", sam_events.wait_for::<MemberRole>())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (role.from_role, role.to_role),
        (GroupMemberRole::Member, GroupMemberRole::Admin)
    );
    let members = owner.list_members(gid).await.unwrap();
    let sam_now = members
        .iter()
        .find(|m| m.local_display_name == "Sam")
        .unwrap();
    assert_eq!(sam_now.member_role, GroupMemberRole::Admin);
    assert_eq!(members.len(), 2, "the owner is not among the others");

    // Ada is blocked for all: what she says reaches nobody, and Sam is told.
    owner
        .block_member_for_all(gid, ada_member)
        .await
        .expect("blocked");
    let blocked = within(
        "memberBlockedForAll",
        sam_events.wait_for::<MemberBlockedForAll>(),
    )
    .await
    .unwrap()
    .unwrap();
    assert!(blocked.blocked);
    assert_eq!(blocked.member.local_display_name, "Ada Resident");
    grid.ok(
        &ada,
        "send_group_im",
        &[
            ("groupuuid", &group_uuid),
            ("message", "can anyone hear me"),
        ],
    )
    .await;
    owner
        .send_msg(ChatId::from(&group), "after the block")
        .await
        .unwrap();
    let next = within("the owner's post", sam_events.wait_for::<NewChatItems>())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        group_text(&next),
        ("after the block".into(), "Club Bot".into()),
        "the blocked member's post reached nobody"
    );

    // Sam is removed, then comes back through a group link.
    owner.remove_member(gid, sam_id).await.expect("removed");
    let removed = within(
        "deletedMemberUser",
        sam_events.wait_for::<DeletedMemberUser>(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(removed.member.local_display_name, "Club Bot");
    let link = owner
        .create_group_link(gid, GroupMemberRole::Member)
        .await
        .expect("group link");
    let link = link.group_link.conn_link_contact.conn_full_link.clone();
    sam.initiate_connection(link).await.expect("joins by link");
    let rejoined = within("userJoinedGroup", sam_events.wait_for::<UserJoinedGroup>())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        rejoined.group_info.group_profile.display_name,
        "Botgrid Club"
    );
    assert_eq!(
        rejoined.group_info.membership.member_role,
        GroupMemberRole::Member
    );

    // Sam leaves; the owner hears of it.
    sam.leave_group(gid).await.expect("Sam leaves");
    let left = within("leftMember", owner_events.wait_for::<LeftMember>())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(left.member.local_display_name, "Sam");
}

/// Runs a test on a thread with a large stack. simploxide's typed answers nest deeply
/// (an item in a chat with a contact in a response), and deserializing the largest of
/// them needs more than a test thread's 2 MiB of stack in debug builds.
fn with_big_stack<F>(test: impl FnOnce() -> F + Send + 'static)
where
    F: std::future::Future<Output = ()>,
{
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(test())
        })
        .unwrap()
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// The file on the first item of a `newChatItems` event.
fn first_file(ev: &NewChatItems) -> simploxide_client::types::CIFile {
    ev.chat_items[0]
        .chat_item
        .file
        .clone()
        .expect("a chat item with a file")
}

fn crypto_file(path: &str) -> simploxide_client::types::CryptoFile {
    serde_json::from_value(json!({"filePath": path})).unwrap()
}

#[tokio::test]
async fn files_are_sent_received_cancelled_and_kept_in_the_files_folder() {
    use simploxide_client::types::commands::ReceiveFile;
    use simploxide_client::types::responses::{CancelFileResponse, ReceiveFileResponse};

    let grid = Grid::start().await;
    let port = grid.simplex_port();
    let folder = grid.settings.simplex_files_dir();
    let ((ann, mut ann_events), (bo, mut bo_events), bo_contact, _) =
        two_contacts(port, "Ann Files", "Bo Files").await;

    // Ann sends a file from the files folder; her answer shows it stored, and she hears
    // when it is ready to be received.
    let body: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(folder.join("report.bin"), &body).unwrap();
    let sent = ann
        .send_msg(ContactId::from(&bo_contact), crypto_file("report.bin"))
        .await
        .expect("the file is accepted");
    let sent_file = sent.chat_items[0].chat_item.file.clone().expect("a file");
    assert_eq!(sent_file.file_name, "report.bin");
    assert_eq!(sent_file.file_size, body.len() as i64);
    let ready = within(
        "sndFileCompleteXFTP",
        ann_events.wait_for::<SndFileCompleteXftp>(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(ready.file_transfer_meta.file_id, sent_file.file_id);

    // Bo is offered it, receives it into the folder, and hears that it is complete.
    let offered = within("the file message", bo_events.wait_for::<NewChatItems>())
        .await
        .unwrap()
        .unwrap();
    let file = first_file(&offered);
    assert_eq!(file.file_name, "report.bin");
    assert_eq!(file.file_size, body.len() as i64);
    let accepted = bo
        .client()
        .receive_file(ReceiveFile::new(file.file_id))
        .await
        .expect("the file is accepted");
    assert!(matches!(accepted, ReceiveFileResponse::RcvFileAccepted(_)));
    let complete = within("rcvFileComplete", bo_events.wait_for::<RcvFileComplete>())
        .await
        .unwrap()
        .unwrap();
    let saved = complete
        .chat_item
        .chat_item
        .file
        .as_ref()
        .and_then(|f| f.file_source.clone())
        .expect("the saved file's path")
        .file_path;
    // The folder holds report.bin already (Ann's), so Bo's copy gets a number.
    assert_eq!(saved, folder.join("report_1.bin").display().to_string());
    assert_eq!(std::fs::read(&saved).unwrap(), body);
    assert!(
        bo.client()
            .receive_file(ReceiveFile::new(file.file_id))
            .await
            .is_err(),
        "a file is received once"
    );

    // A file Ann withdraws cannot be received any more; Bo is told.
    std::fs::write(folder.join("draft.txt"), b"not final").unwrap();
    let sent = ann
        .send_msg(ContactId::from(&bo_contact), crypto_file("draft.txt"))
        .await
        .expect("the second file is accepted");
    let draft_id = sent.chat_items[0].chat_item.file.as_ref().unwrap().file_id;
    let offered = within("the second file", bo_events.wait_for::<NewChatItems>())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first_file(&offered).file_id, draft_id);
    let cancelled = ann
        .client()
        .cancel_file(draft_id)
        .await
        .expect("the sender cancels");
    assert!(matches!(cancelled, CancelFileResponse::SndFileCancelled(_)));
    let told = within(
        "rcvFileSndCancelled",
        bo_events.wait_for::<RcvFileSndCancelled>(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(told.rcv_file_transfer.file_id, draft_id);
    let late = bo
        .client()
        .receive_file(ReceiveFile::new(draft_id))
        .await
        .expect("an answer");
    assert!(matches!(
        late,
        ReceiveFileResponse::RcvFileAcceptedSndCancelled(_)
    ));
    assert!(!folder.join("draft_1.txt").exists());

    // Bo may refuse a file; then he cannot receive it.
    std::fs::write(folder.join("spam.txt"), b"buy now").unwrap();
    let sent = ann
        .send_msg(ContactId::from(&bo_contact), crypto_file("spam.txt"))
        .await
        .unwrap();
    let spam_id = sent.chat_items[0].chat_item.file.as_ref().unwrap().file_id;
    within("the third file", bo_events.wait_for::<NewChatItems>())
        .await
        .unwrap()
        .unwrap();
    let refused = bo.client().cancel_file(spam_id).await.expect("refused");
    assert!(matches!(refused, CancelFileResponse::RcvFileCancelled(_)));
    assert!(
        bo.client()
            .receive_file(ReceiveFile::new(spam_id))
            .await
            .is_err()
    );

    // Paths outside the files folder are refused, whichever way they are written.
    let mut raw = Raw::connect(port).await;
    let (ann_id, bo_id) = (
        raw.user_id("Ann Files").await,
        raw.user_id("Bo Files").await,
    );
    assert_eq!(
        raw.cmd("2", &format!("/_user {ann_id}")).await["type"],
        "activeUser"
    );
    for path in ["../botgrid.db", "/etc/passwd", "missing.txt"] {
        let r = raw
            .cmd(
                "3",
                &format!(
                    r#"/_send @{} json [{{"fileSource":{{"filePath":"{path}"}},"msgContent":{{"type":"file","text":""}}}}]"#,
                    bo_contact.contact_id
                ),
            )
            .await;
        assert_eq!(r["type"], "chatCmdError", "{path}: {r}");
        assert_eq!(
            r["chatError"]["errorType"]["type"], "fileNotFound",
            "{path}: {r}"
        );
    }
    assert_eq!(
        raw.cmd("4", &format!("/_user {bo_id}")).await["type"],
        "activeUser"
    );
    let r = raw
        .cmd("5", &format!("/freceive {spam_id} ../stolen.txt"))
        .await;
    assert_eq!(r["chatError"]["errorType"]["type"], "fileWrite", "{r}");
    assert!(!folder.parent().unwrap().join("stolen.txt").exists());
}

#[test]
fn messages_are_edited_reacted_to_and_deleted_in_chats_and_groups() {
    with_big_stack(|| async move {
        use simploxide_client::ext::Reaction;
        use simploxide_client::types::CIDeleteMode;

        let grid = Grid::start().await;
        let port = grid.simplex_port();
        let ((cy, mut cy_events), (di, mut di_events), di_contact, cy_contact) =
            two_contacts(port, "Cy Edits", "Di Edits").await;

        // Cy sends, then edits: Di sees the new text, marked edited.
        let sent = cy
            .send_msg(ContactId::from(&di_contact), "helo")
            .await
            .unwrap();
        let cy_meta = sent.chat_items[0].chat_item.meta.clone();
        let cy_item = cy_meta.item_id;
        let got = within("the message", di_events.wait_for::<NewChatItems>())
            .await
            .unwrap()
            .unwrap();
        let di_meta = got.chat_items[0].chat_item.meta.clone();
        assert_eq!(first_text(&got), "helo");
        cy.client()
            .update_message(
                ContactId::from(&di_contact),
                &cy_meta,
                MsgContent::make_text("hello".to_owned()),
            )
            .await
            .expect("the sender edits");
        let updated = within("chatItemUpdated", di_events.wait_for::<ChatItemUpdated>())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(updated.chat_item.chat_item.meta.item_text, "hello");
        assert!(updated.chat_item.chat_item.meta.item_edited);
        // Only the sender may edit.
        assert!(
            di.client()
                .update_message(
                    ContactId::from(&cy_contact),
                    &di_meta,
                    MsgContent::make_text("forged".to_owned())
                )
                .await
                .is_err()
        );

        // Cy changes her profile: Di's client sees the contact change.
        let mut profile = cy.profile().await.unwrap();
        profile.display_name = "Cy Renamed".into();
        cy.client()
            .update_profile(cy.user_id(), profile)
            .await
            .expect("profile updated");
        let changed = within("contactUpdated", di_events.wait_for::<ContactUpdated>())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(changed.from_contact.local_display_name, "Cy Edits");
        assert_eq!(changed.to_contact.local_display_name, "Cy Renamed");

        // Di reacts; Cy hears it; taking it back is heard too.
        let r = di
            .client()
            .update_message_reaction(
                ContactId::from(&cy_contact),
                &di_meta,
                Reaction::Set("👍".into()),
            )
            .await;
        assert!(r.iter().all(Result::is_ok), "{r:?}");
        let heard = within("chatItemReaction", cy_events.wait_for::<ChatItemReaction>())
            .await
            .unwrap()
            .unwrap();
        assert!(heard.added);
        assert_eq!(heard.reaction.chat_reaction.chat_item.meta.item_id, cy_item);
        let counts = &heard.reaction.chat_reaction.chat_item.reactions;
        assert_eq!(counts.len(), 1);
        assert_eq!(counts[0].total_reacted, 1);
        assert!(!counts[0].user_reacted, "Cy did not react");

        // Cy deletes the message for everyone: Di sees it marked deleted.
        let deleted = cy
            .client()
            .delete_message(
                ContactId::from(&di_contact),
                &cy_meta,
                CIDeleteMode::Broadcast,
            )
            .await
            .expect("the sender deletes");
        assert_eq!(deleted.chat_item_deletions.len(), 1);
        let gone = within("chatItemsDeleted", di_events.wait_for::<ChatItemsDeleted>())
            .await
            .unwrap()
            .unwrap();
        assert!(!gone.by_user);
        let to = gone.chat_item_deletions[0]
            .to_chat_item
            .as_ref()
            .expect("the item, marked deleted");
        assert!(to.chat_item.meta.item_deleted.is_some());
        // Di cannot delete Cy's message for everyone, but may remove it from his own view;
        // then it is gone for him.
        assert!(
            di.client()
                .delete_message(
                    ContactId::from(&cy_contact),
                    &di_meta,
                    CIDeleteMode::Broadcast
                )
                .await
                .is_err()
        );
        di.client()
            .delete_message(
                ContactId::from(&cy_contact),
                &di_meta,
                CIDeleteMode::Internal,
            )
            .await
            .expect("deleted for Di alone");
        assert!(
            di.client()
                .delete_message(
                    ContactId::from(&cy_contact),
                    &di_meta,
                    CIDeleteMode::Internal
                )
                .await
                .is_err(),
            "no longer in Di's chat"
        );
    });
}

#[test]
fn group_moderators_delete_members_posts_for_everyone() {
    with_big_stack(|| async move {
        let grid = Grid::start().await;
        let port = grid.simplex_port();
        let ((cy, mut cy_events), (di, mut di_events), di_contact, _) =
            two_contacts(port, "Cy Edits", "Di Edits").await;

        // In a group, Cy (the owner) moderates Di's post; members see it deleted.
        let profile: GroupProfile =
            serde_json::from_value(json!({"displayName": "Edit Club", "fullName": ""})).unwrap();
        let group = cy.create_group(profile).await.unwrap().group_info.clone();
        let gid = GroupId::from(&group);
        cy.add_member(gid, ContactId::from(&di_contact), GroupMemberRole::Member)
            .await
            .unwrap();
        let inv = within(
            "receivedGroupInvitation",
            di_events.wait_for::<ReceivedGroupInvitation>(),
        )
        .await
        .unwrap()
        .unwrap();
        di.join_group(GroupId::from(&inv.group_info)).await.unwrap();
        within(
            "joinedGroupMember",
            cy_events.wait_for::<JoinedGroupMember>(),
        )
        .await
        .unwrap()
        .unwrap();
        // Cy keeps her own notes on the group and on Di; only she sees them.
        let mut raw = Raw::connect(port).await;
        let (cy_user, di_user) = (raw.user_id("Cy Edits").await, raw.user_id("Di Edits").await);
        raw.cmd("c2", &format!("/_user {cy_user}")).await;
        let r = raw
            .cmd(
                "c3",
                &format!(r#"/_set custom #{} {{"tier":"gold"}}"#, gid.raw()),
            )
            .await;
        assert_eq!(r["type"], "cmdOk", "{r}");
        let di_id = di_contact.contact_id;
        let r = raw
            .cmd("c4", &format!(r#"/_set custom @{di_id} {{"note":"new"}}"#))
            .await;
        assert_eq!(r["type"], "cmdOk", "{r}");
        let groups = raw.cmd("c5", &format!("/_groups {cy_user}")).await;
        assert_eq!(
            groups["groups"][0]["customData"]["tier"], "gold",
            "{groups}"
        );
        let contacts = raw.cmd("c6", &format!("/_contacts {cy_user}")).await;
        assert_eq!(
            contacts["contacts"][0]["customData"]["note"], "new",
            "{contacts}"
        );
        raw.cmd("c7", &format!("/_user {di_user}")).await;
        let groups = raw.cmd("c8", &format!("/_groups {di_user}")).await;
        assert!(groups["groups"][0].get("customData").is_none(), "{groups}");
        // Without JSON the data is forgotten.
        raw.cmd("c9", &format!("/_user {cy_user}")).await;
        raw.cmd("c10", &format!("/_set custom @{di_id}")).await;
        let contacts = raw.cmd("c11", &format!("/_contacts {cy_user}")).await;
        assert!(
            contacts["contacts"][0].get("customData").is_none(),
            "{contacts}"
        );

        // The owner describes the group: Di sees the group change.
        let described: GroupProfile = serde_json::from_value(
            json!({"displayName": "Edit Club", "fullName": "", "description": "No spam"}),
        )
        .unwrap();
        cy.client()
            .update_group_profile(gid, described)
            .await
            .expect("group profile updated");
        let updated = within("groupUpdated", di_events.wait_for::<GroupUpdated>())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(updated.from_group.group_profile.description, None);
        assert_eq!(
            updated.to_group.group_profile.description.as_deref(),
            Some("No spam")
        );
        di.send_msg(gid, "spam spam").await.unwrap();
        let post = within("Di's post", cy_events.wait_for::<NewChatItems>())
            .await
            .unwrap()
            .unwrap();
        let post_id = post.chat_items[0].chat_item.meta.item_id;
        raw.cmd("2", &format!("/_user {cy_user}")).await;
        let r = raw
            .cmd(
                "3",
                &format!("/_delete member item #{} {post_id}", gid.raw()),
            )
            .await;
        assert_eq!(r["type"], "chatItemsDeleted", "{r}");
        let seen = within("the moderation", di_events.wait_for::<ChatItemsDeleted>())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            seen.chat_item_deletions[0]
                .deleted_chat_item
                .chat_item
                .meta
                .item_id,
            post_id
        );
        // A plain member may not moderate the owner.
        let owner_post = cy.send_msg(gid, "rules").await.unwrap();
        let owner_post_id = owner_post.chat_items[0].chat_item.meta.item_id;
        raw.cmd("4", &format!("/_user {di_user}")).await;
        let r = raw
            .cmd(
                "5",
                &format!("/_delete member item #{} {owner_post_id}", gid.raw()),
            )
            .await;
        assert_eq!(r["type"], "chatCmdError", "{r}");

        // Di joins the groups he is invited to at once, once he asks to.
        let r = raw
            .cmd("6", &format!("/_set accept group invitations {di_user} on"))
            .await;
        assert_eq!(r["type"], "cmdOk", "{r}");
        let second: GroupProfile =
            serde_json::from_value(json!({"displayName": "Second Club", "fullName": ""})).unwrap();
        let second = cy.create_group(second).await.unwrap().group_info.clone();
        cy.add_member(
            GroupId::from(&second),
            ContactId::from(&di_contact),
            GroupMemberRole::Member,
        )
        .await
        .unwrap();
        let joined = within("userJoinedGroup", di_events.wait_for::<UserJoinedGroup>())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(joined.group_info.group_profile.display_name, "Second Club");
    });
}

#[tokio::test]
async fn the_command_reference_says_what_the_server_does() {
    use simplex::reference::{self, Support};
    let grid = Grid::start().await;
    let mut raw = Raw::connect(grid.simplex_port()).await;
    let r = raw
        .cmd(
            "0",
            r#"/_create user {"profile":{"displayName":"Reference Reader","fullName":""},"pastTimestamp":false}"#,
        )
        .await;
    assert_eq!(r["type"], "activeUser", "{r}");
    for (n, c) in reference::all().enumerate() {
        let r = raw.cmd(&n.to_string(), c.example).await;
        let error = r["type"] == "chatCmdError";
        let text = r["chatError"]["errorType"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let refused =
            error && (text.contains("not supported") || text.contains("no admission review"));
        match c.support {
            Support::No(_) => assert!(refused, "{}: documented as unsupported, got {r}", c.name),
            Support::Works | Support::Partly(_) => {
                assert!(!refused, "{}: documented as working, got {r}", c.name)
            }
        }
    }
}

#[tokio::test]
async fn a_deleted_user_stops_being_a_chat_user_but_its_avatar_stays() {
    let grid = Grid::start().await;
    let mut raw = Raw::connect(grid.simplex_port()).await;
    let r = raw
        .cmd(
            "1",
            r#"/_create user {"profile":{"displayName":"Short Lived","fullName":""},"pastTimestamp":false}"#,
        )
        .await;
    let uid = r["user"]["userId"].as_i64().unwrap();
    let created = raw.cmd("2", &format!("/_address {uid}")).await;
    assert_eq!(created["type"], "userContactLinkCreated");
    // Its address can be shared as a message to send.
    let shared = raw.cmd("2b", &format!("/_share address @{uid}")).await;
    assert_eq!(shared["type"], "chatMsgContent", "{shared}");
    assert_eq!(shared["msgContent"]["type"], "chat");
    assert_eq!(
        shared["msgContent"]["chatLink"]["connLink"],
        created["connLinkContact"]["connShortLink"]
    );
    assert_eq!(
        shared["msgContent"]["chatLink"]["profile"]["displayName"],
        "Short Lived"
    );
    let r = raw
        .cmd("3", &format!("/_delete user {uid} del_smp=on"))
        .await;
    assert_eq!(r["type"], "cmdOk", "{r}");
    let users = raw.cmd("4", "/users").await;
    assert!(
        users["users"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["user"]["userId"] != uid),
        "{users}"
    );
    assert_eq!(
        raw.cmd("5", "/user").await["chatError"]["errorType"]["type"],
        "noActiveUser"
    );
    assert_eq!(
        raw.cmd("6", &format!("/_show_address {uid}")).await["chatError"]["storeError"]["type"],
        "userNotFound"
    );
    // The avatar is still in the world: SmartBots finds it by name.
    let ada = grid.bot("Ada Resident").await;
    grid.login(&ada).await;
    grid.ok(&ada, "name2key", &[("name", "Short Lived")]).await;
}

#[tokio::test]
async fn sends_written_back_to_back_are_answered_stored_and_delivered_in_order() {
    let grid = Grid::start().await;
    let port = grid.simplex_port();
    let ((_ann, mut ann_events), _ben, _, ann_on_ben) = two_contacts(port, "Ann", "Ben").await;
    let mut raw = Raw::connect(port).await;
    let ben = raw.user_id("Ben").await;
    let r = raw.cmd("u", &format!("/_user {ben}")).await;
    assert_eq!(r["type"], "activeUser", "{r}");
    let ann = ann_on_ben.contact_id;

    // Twenty sends without waiting for answers, then a read that must see all of them.
    for i in 0..20 {
        let frame = json!({"corrId": format!("s{i}"), "cmd": format!("/_send @{ann} text m{i}")});
        raw.send_text(&frame.to_string()).await;
    }
    let frame = json!({"corrId": "chats", "cmd": format!("/_get chats {ben} pcc=on count=10")});
    raw.send_text(&frame.to_string()).await;

    let mut answers = Vec::new();
    while answers.len() < 21 {
        let v = raw.next().await;
        if v.get("corrId").is_some() {
            answers.push(v);
        }
    }
    let mut last_id = 0;
    for (i, v) in answers[..20].iter().enumerate() {
        assert_eq!(v["corrId"], format!("s{i}"), "{v}");
        let item = &v["resp"]["chatItems"][0]["chatItem"];
        assert_eq!(
            item["content"]["msgContent"]["text"],
            format!("m{i}"),
            "{v}"
        );
        let id = item["meta"]["itemId"].as_i64().unwrap();
        assert!(id > last_id, "item ids follow the order of the sends: {v}");
        last_id = id;
    }
    let chats = &answers[20];
    assert_eq!(chats["corrId"], "chats", "{chats}");
    let with_ann = chats["resp"]["chats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["chatInfo"]["contact"]["contactId"] == ann)
        .unwrap_or_else(|| panic!("the chat with Ann in {chats}"));
    assert_eq!(
        with_ann["chatItems"][0]["meta"]["itemId"], last_id,
        "the read after the sends sees the last of them: {with_ann}"
    );

    let mut texts = Vec::new();
    while texts.len() < 20 {
        let got = within("Ben's messages", ann_events.wait_for::<NewChatItems>())
            .await
            .unwrap()
            .unwrap();
        texts.push(first_text(&got));
    }
    let sent: Vec<String> = (0..20).map(|i| format!("m{i}")).collect();
    assert_eq!(texts, sent);
}

#[test]
fn a_group_that_reviews_joins_lets_applicants_in_or_turns_them_away() {
    with_big_stack(|| async {
        let grid = Grid::start().await;
        let port = grid.simplex_port();
        let (owner, mut owner_events) = ws::BotBuilder::new("Gatekeeper", port)
            .connect()
            .await
            .unwrap();
        let profile: GroupProfile = serde_json::from_value(json!({
            "displayName": "Reviewed Club",
            "fullName": "",
            "memberAdmission": {"review": "all"},
        }))
        .unwrap();
        let created = owner.create_group(profile).await.expect("group created");
        let gid = GroupId::from(&created.group_info);
        assert!(
            created.group_info.group_profile.member_admission.is_some(),
            "the profile keeps memberAdmission"
        );
        let link = owner
            .create_group_link(gid, GroupMemberRole::Member)
            .await
            .expect("group link")
            .group_link
            .conn_link_contact
            .conn_full_link
            .clone();

        // Pat applies through the link and waits; the owner sees the applicant.
        let (pat, mut pat_events) = ws::BotBuilder::new("Pat", port).connect().await.unwrap();
        pat.initiate_connection(link.clone())
            .await
            .expect("applies");
        let waiting = within("userJoinedGroup", pat_events.wait_for::<UserJoinedGroup>())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            waiting.group_info.membership.member_status,
            GroupMemberStatus::PendingReview
        );
        let applicant = within(
            "joinedGroupMember",
            owner_events.wait_for::<JoinedGroupMember>(),
        )
        .await
        .unwrap()
        .unwrap()
        .member
        .clone();
        assert_eq!(applicant.local_display_name, "Pat");
        assert_eq!(applicant.member_status, GroupMemberStatus::PendingReview);
        let listed = owner.list_members(gid).await.unwrap();
        assert!(
            listed.iter().any(|m| m.local_display_name == "Pat"
                && m.member_status == GroupMemberStatus::PendingReview),
            "the reviewer lists the applicant: {listed:?}"
        );
        // Until accepted, Pat's posts are refused and the members count only the owner.
        assert!(pat.send_msg(gid, "let me in").await.is_err());

        owner
            .accept_member(gid, MemberId::from(&applicant), GroupMemberRole::Member)
            .await
            .expect("accepted");
        let joined = within("Pat's join", pat_events.wait_for::<UserJoinedGroup>())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            joined.group_info.membership.member_status,
            GroupMemberStatus::Connected
        );
        pat.send_msg(gid, "thanks").await.expect("a member posts");
        let post = within("Pat's post", owner_events.wait_for::<NewChatItems>())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(group_text(&post), ("thanks".into(), "Pat".into()));
        // Accepting someone who is not waiting is an error.
        assert!(
            owner
                .accept_member(gid, MemberId::from(&applicant), GroupMemberRole::Member)
                .await
                .is_err()
        );

        // Quinn applies and is turned away; Quinn hears it and is not a member.
        let (quinn, mut quinn_events) = ws::BotBuilder::new("Quinn", port).connect().await.unwrap();
        quinn.initiate_connection(link).await.expect("applies");
        let quinn_applied = loop {
            let ev = within(
                "Quinn's application",
                owner_events.wait_for::<JoinedGroupMember>(),
            )
            .await
            .unwrap()
            .unwrap();
            if ev.member.local_display_name == "Quinn" {
                break ev.member.clone();
            }
        };
        owner
            .remove_member(gid, MemberId::from(&quinn_applied))
            .await
            .expect("turned away");
        let told = within(
            "deletedMemberUser",
            quinn_events.wait_for::<DeletedMemberUser>(),
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(told.member.local_display_name, "Gatekeeper");
        let names: Vec<String> = owner
            .list_members(gid)
            .await
            .unwrap()
            .iter()
            .map(|m| m.local_display_name.clone())
            .collect();
        assert_eq!(names, ["Pat"], "Quinn is neither a member nor waiting");

        // Review switched off: the next one through the link joins at once.
        let open: GroupProfile =
            serde_json::from_value(json!({"displayName": "Reviewed Club", "fullName": ""}))
                .unwrap();
        let updated = owner.update_group_profile(gid, open).await.unwrap();
        assert!(updated.to_group.group_profile.member_admission.is_none());
    });
}

#[test]
fn an_owner_deletes_a_group_for_everyone_and_its_name_is_free_again() {
    with_big_stack(|| async {
        let grid = Grid::start().await;
        let port = grid.simplex_port();
        let ((owner, _owner_events), (sam, mut sam_events), sam_contact, _) =
            two_contacts(port, "Founder", "Sam").await;
        let profile = || -> GroupProfile {
            serde_json::from_value(json!({"displayName": "Short Lived", "fullName": ""})).unwrap()
        };
        let created = owner.create_group(profile()).await.unwrap();
        let gid = GroupId::from(&created.group_info);
        owner
            .add_member(gid, ContactId::from(&sam_contact), GroupMemberRole::Admin)
            .await
            .unwrap();
        let inv = within(
            "receivedGroupInvitation",
            sam_events.wait_for::<ReceivedGroupInvitation>(),
        )
        .await
        .unwrap()
        .unwrap();
        sam.join_group(GroupId::from(&inv.group_info))
            .await
            .unwrap();
        within("userJoinedGroup", sam_events.wait_for::<UserJoinedGroup>())
            .await
            .unwrap()
            .unwrap();

        // Only an owner may delete the group for everyone.
        assert!(
            sam.delete_chat(gid, DeleteMode::default()).await.is_err(),
            "an admin cannot delete the group"
        );
        let deleted = owner
            .delete_chat(gid, DeleteMode::default())
            .await
            .expect("the owner deletes it");
        let ApiDeleteChatResponse::GroupDeletedUser(deleted) = deleted else {
            panic!("groupDeletedUser, got {deleted:?}");
        };
        assert_eq!(deleted.group_info.group_profile.display_name, "Short Lived");
        let told = within("groupDeleted", sam_events.wait_for::<GroupDeleted>())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(told.member.local_display_name, "Founder");
        assert_eq!(told.group_info.group_id, created.group_info.group_id);
        assert!(sam.groups().await.unwrap().is_empty(), "Sam is in no group");
        assert!(owner.groups().await.unwrap().is_empty());
        assert!(sam.send_msg(gid, "anyone?").await.is_err());

        // The name is free again.
        let again = owner
            .create_group(profile())
            .await
            .expect("the name is free");
        assert_ne!(again.group_info.group_id, created.group_info.group_id);
    });
}
