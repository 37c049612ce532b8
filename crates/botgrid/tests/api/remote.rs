//! Bots that live in a remote grid. The in-repo test region (`crates/testregion`)
//! stands in for OpenSimulator: a real XML-RPC login and UDP circuit on loopback, with
//! puppets (its accounts that are not logged in) to talk to the bot.

use crate::cli::admin;
use crate::harness::{Bot, Grid, Receiver};
use std::time::Duration;
use testregion::{Heard, TestRegion};

async fn remote_bot(grid: &Grid, region: &TestRegion, name: &str, password: &str) -> Bot {
    let bot = grid.bot(name).await;
    let out = admin(
        grid,
        &[
            "bot",
            "remote",
            name,
            "--login-uri",
            &region.login_uri,
            "--password",
            password,
        ],
    );
    assert_eq!(out["login_uri"], region.login_uri.as_str());
    bot
}

async fn heard(region: &TestRegion, what: &str, pred: impl Fn(&Heard) -> bool) -> Heard {
    for _ in 0..300 {
        if let Some(h) = region.heard().into_iter().find(|h| pred(h)) {
            return h;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the region never got {what}: {:?}", region.heard());
}

#[tokio::test]
async fn a_remote_bot_logs_in_talks_and_looks_up_names() {
    let region = TestRegion::start().await.unwrap();
    let grid = Grid::start().await;
    let rex_remote = region.add_account("Rex", "Bot", "rex-pw");
    let carl = region.add_account("Carl", "Person", "x");
    let rex = remote_bot(&grid, &region, "Rex Bot", "rex-pw").await;
    let hook = Receiver::start().await;
    grid.callback(
        &rex,
        &hook.url(),
        "instant_message,chat_message,online_status",
    )
    .await;

    grid.login(&rex).await;
    assert!(
        region.is_present(rex_remote),
        "ONLINE only once the region has the bot"
    );
    assert_eq!(
        grid.call(&rex, "status", &[]).await.get("uuid"),
        rex_remote.to_string(),
        "the bot's key is its key in the remote grid"
    );
    assert_eq!(
        grid.call(&rex, "status", &[]).await.get("location"),
        format!("{}/128/128/25", testregion::REGION_NAME),
        "where the grid put it"
    );
    let here = grid.call(&rex, "bot_location", &[]).await;
    here.assert_ok_for("bot_location");
    assert_eq!(here.get("region"), testregion::REGION_NAME);
    let statuses: Vec<String> = hook
        .wait_for("online_status", 2)
        .await
        .into_iter()
        .map(|p| p["status"].clone())
        .collect();
    assert_eq!(statuses, ["CONNECTING", "ONLINE"]);

    // An IM from the remote grid arrives as an instant_message callback.
    region.im_as(carl, rex_remote, "hello Rex").await;
    let got = hook.wait_for("instant_message", 1).await;
    assert_eq!(got[0]["message"], "hello Rex");
    assert_eq!(got[0]["speaker_name"], "Carl Person");
    assert_eq!(got[0]["speaker_uuid"], carl.to_string());
    assert_eq!(
        got[0]["bot_uuid"],
        rex_remote.to_string(),
        "callbacks name the bot by its key in the remote grid"
    );

    // IMs to the remote grid, by key and by name.
    grid.ok(
        &rex,
        "im",
        &[("slname", &carl.to_string()), ("message", "hi by key")],
    )
    .await;
    grid.ok(
        &rex,
        "im",
        &[("slname", "Carl Person"), ("message", "hi by name")],
    )
    .await;
    for text in ["hi by key", "hi by name"] {
        heard(&region, text, |h| {
            matches!(h, Heard::Im { from, to, message, .. } if *from == rex_remote && *to == carl && message == text)
        })
        .await;
    }
    grid.call(&rex, "im", &[("slname", "Nobody There"), ("message", "x")])
        .await
        .assert_fail("name lookup failed, Nobody There");

    // Local chat both ways.
    region.say_as(carl, "nice weather").await;
    let chat = hook.wait_for_field("message", "nice weather").await;
    assert_eq!(chat["action"], "chat_message");
    assert_eq!(chat["speaker_name"], "Carl Person");
    grid.ok(
        &rex,
        "say_chat_channel",
        &[("channel", "7"), ("message", "to scripts")],
    )
    .await;
    heard(&region, "the chat line", |h| {
        matches!(h, Heard::Chat { from, channel: 7, message, .. } if *from == rex_remote && message == "to scripts")
    })
    .await;

    // Names come from the remote grid.
    let r = grid
        .call(
            &rex,
            "key2name",
            &[("key", &carl.to_string()), ("request_case", "1")],
        )
        .await;
    r.assert_ok_for("key2name");
    assert_eq!(r.get("name"), "Carl Person");
    let r = grid
        .call(&rex, "name2key", &[("name", "carl person")])
        .await;
    r.assert_ok_for("name2key");
    assert_eq!(r.get("key"), carl.to_string());
    let nobody = grid::Uuid::new_v4().to_string();
    grid.call(&rex, "key2name", &[("key", &nobody)])
        .await
        .assert_fail(&format!("Avatar not found: {nobody}"));

    // What the remote grid cannot do (yet) says so.
    grid.call(&rex, "walkto", &[("coords", "10/10/25")])
        .await
        .assert_fail("Not available for a bot in a remote grid (WalkTo)");

    // `status` says LOGGED OUT from the start of the logout (LOGGING_OUT); the grid
    // hears of it just after.
    let hook_out = Receiver::start().await;
    grid.callback(&rex, &hook_out.url(), "online_status").await;
    assert!(grid.call(&rex, "logout", &[]).await.ok());
    let statuses: Vec<String> = hook_out
        .wait_for("online_status", 2)
        .await
        .into_iter()
        .map(|p| p["status"].clone())
        .collect();
    assert_eq!(statuses, ["LOGGING_OUT", "LOGGED_OUT"]);
    assert!(
        !region.is_present(rex_remote),
        "LOGGED_OUT only once the bot has left the region"
    );
}

#[tokio::test]
async fn a_refused_remote_login_leaves_the_bot_offline() {
    let region = TestRegion::start().await.unwrap();
    let grid = Grid::start().await;
    region.add_account("Rex", "Bot", "right");
    let rex = remote_bot(&grid, &region, "Rex Bot", "wrong").await;
    let hook = Receiver::start().await;
    grid.callback(&rex, &hook.url(), "online_status").await;
    assert!(grid.call(&rex, "login", &[]).await.ok());
    let statuses: Vec<String> = hook
        .wait_for("online_status", 2)
        .await
        .into_iter()
        .map(|p| p["status"].clone())
        .collect();
    assert_eq!(statuses, ["CONNECTING", "LOGGED_OUT"]);
    grid.wait_status(&rex, "LOGGED OUT").await;
    grid.call(&rex, "im", &[("slname", "Carl Person"), ("message", "x")])
        .await
        .assert_fail("BOT OFFLINE");
    // Group chat is queued for an offline embedded bot; a remote bot's grid is not
    // there to take it, and the embedded world must not stand in.
    grid.call(
        &rex,
        "send_group_im",
        &[
            ("groupuuid", &grid::Uuid::new_v4().to_string()),
            ("message", "x"),
        ],
    )
    .await
    .assert_fail("BOT OFFLINE");
    assert_eq!(region.logins(), 0);
}

#[tokio::test]
async fn a_bot_the_region_throws_out_logs_in_again() {
    let region = TestRegion::start().await.unwrap();
    let grid = Grid::start().await;
    let rex_remote = region.add_account("Rex", "Bot", "pw");
    let rex = remote_bot(&grid, &region, "Rex Bot", "pw").await;
    let hook = Receiver::start().await;
    grid.callback(&rex, &hook.url(), "online_status").await;
    grid.login(&rex).await;
    hook.wait_for("online_status", 2).await;
    region.kick(rex_remote, "region restarting").await;
    let statuses: Vec<String> = hook
        .wait_for("online_status", 4)
        .await
        .into_iter()
        .map(|p| p["status"].clone())
        .collect();
    assert_eq!(statuses, ["CONNECTING", "ONLINE", "CONNECTING", "ONLINE"]);
    assert_eq!(region.logins(), 2);
    assert!(region.is_present(rex_remote));
    // Back to the embedded grid: the next login stays here.
    assert!(grid.call(&rex, "logout", &[]).await.ok());
    grid.wait_status(&rex, "LOGGED OUT").await;
    let out = admin(&grid, &["bot", "local", "Rex Bot"]);
    assert_eq!(out["was_remote"], true);
    grid.login(&rex).await;
    assert_eq!(region.logins(), 2);
}

#[tokio::test]
async fn a_remote_bot_types_and_pays_in_the_remote_grid() {
    let region = TestRegion::start().await.unwrap();
    let grid = Grid::start().await;
    let rex_remote = region.add_account("Rex", "Bot", "pw");
    let carl = region.add_account("Carl", "Person", "x");
    let rex = remote_bot(&grid, &region, "Rex Bot", "pw").await;
    let hook = Receiver::start().await;
    grid.callback(&rex, &hook.url(), "start_typing,balance_changed")
        .await;
    grid.login(&rex).await;

    // Typing both ways.
    region
        .im_dialog_as(
            carl,
            rex_remote,
            viewerproto::messages::dialog::TYPING_START,
            "typing",
        )
        .await;
    let typing = hook.wait_for("start_typing", 1).await;
    assert_eq!(typing[0]["speaker_uuid"], carl.to_string());
    grid.ok(&rex, "typing_start", &[("uuid", &carl.to_string())])
        .await;
    heard(&region, "typing", |h| {
        matches!(h, Heard::Im { to, dialog, .. } if *to == carl && *dialog == viewerproto::messages::dialog::TYPING_START)
    })
    .await;

    // The balance is the remote grid's; payments move L$ there.
    let r = grid.call(&rex, "get_balance", &[]).await;
    r.assert_ok_for("get_balance");
    assert_eq!(r.get("balance"), testregion::START_BALANCE.to_string());
    grid.ok(
        &rex,
        "give_money",
        &[
            ("avatar", &carl.to_string()),
            ("amount", "250"),
            ("comment", "thanks"),
        ],
    )
    .await;
    assert_eq!(
        region.balance(rex_remote),
        Some(testregion::START_BALANCE - 250)
    );
    assert_eq!(region.balance(carl), Some(testregion::START_BALANCE + 250));
    assert_eq!(
        grid.call(&rex, "get_balance", &[]).await.get("balance"),
        (testregion::START_BALANCE - 250).to_string()
    );
    grid.call(
        &rex,
        "give_money",
        &[("avatar", &carl.to_string()), ("amount", "5000")],
    )
    .await
    .assert_fail("Remote grid: You cannot pay that much.");
    assert_eq!(region.balance(carl), Some(testregion::START_BALANCE + 250));
    // A payment to the bot in the remote grid raises balance_changed.
    region.pay_as(carl, rex_remote, 40, "a tip").await;
    let changes = hook.wait_for("balance_changed", 3).await;
    let of = |direction: &str| {
        changes
            .iter()
            .find(|c| c["direction"] == direction)
            .unwrap_or_else(|| panic!("no {direction} balance_changed: {changes:?}"))
            .clone()
    };
    let initial = of("INITIAL");
    assert_eq!(
        initial["balance"],
        testregion::START_BALANCE.to_string(),
        "the grid's balance at login"
    );
    let out = of("OUTGOING");
    assert_eq!(out["amount"], "250");
    assert_eq!(out["destination"], carl.to_string());
    assert_eq!(
        out["balance"],
        (testregion::START_BALANCE - 250).to_string()
    );
    let paid = of("INCOMING");
    assert_eq!(paid["amount"], "40");
    assert_eq!(paid["source"], carl.to_string());
    assert_eq!(
        paid["balance"],
        (testregion::START_BALANCE - 250 + 40).to_string()
    );
    assert_eq!(paid["comment"], "a tip");
    let r = grid
        .call(
            &rex,
            "give_money",
            &[
                ("avatar", &carl.to_string()),
                ("amount", "1"),
                ("custom", "t1"),
            ],
        )
        .await;
    assert!(!r.ok(), "custom is refused for a remote bot: {}", r.raw);
}

#[tokio::test]
async fn a_remote_bot_lists_chats_in_invites_to_and_ejects_from_its_groups() {
    let region = TestRegion::start().await.unwrap();
    let grid = Grid::start().await;
    let rex_remote = region.add_account("Rex", "Bot", "pw");
    let carl = region.add_account("Carl", "Person", "x");
    let dana = region.add_account("Dana", "Person", "y");
    let builders = region.add_group("Builders", &[rex_remote, carl]);
    let readers = region.add_group("Readers", &[carl]);
    let rex = remote_bot(&grid, &region, "Rex Bot", "pw").await;
    let hook = Receiver::start().await;
    hook.reply_with("accept=1");
    grid.callback(&rex, &hook.url(), "group_message,group_invite")
        .await;
    grid.login(&rex).await;

    // The bot's groups, as the grid lists them.
    let r = grid.call(&rex, "listgroups", &[]).await;
    r.assert_ok_for("listgroups");
    assert_eq!(r.lines("groups"), [format!("{builders};Builders")]);

    // Group chat both ways.
    region.group_say_as(builders, carl, "hello builders").await;
    let got = hook.wait_for("group_message", 1).await;
    assert_eq!(got[0]["group_uuid"], builders.to_string());
    assert_eq!(got[0]["group_name"], "Builders");
    assert_eq!(got[0]["speaker_name"], "Carl Person");
    assert_eq!(got[0]["message"], "hello builders");
    assert_eq!(
        got[0]["message_id"], "",
        "a remote grid's group chat has no post here"
    );
    grid.ok(
        &rex,
        "send_group_im",
        &[("groupuuid", &builders.to_string()), ("message", "hi all")],
    )
    .await;
    heard(&region, "the group chat line", |h| {
        matches!(h, Heard::GroupChat { group, from, message } if *group == builders && *from == rex_remote && message == "hi all")
    })
    .await;

    // Invite and eject.
    grid.ok(
        &rex,
        "group_invite",
        &[
            ("groupuuid", &builders.to_string()),
            ("avatar", &dana.to_string()),
            ("roleuuid", "00000000-0000-0000-0000-000000000000"),
        ],
    )
    .await;
    heard(&region, "the invitation", |h| {
        matches!(h, Heard::GroupInvite { group, by, invitee, .. } if *group == builders && *by == rex_remote && *invitee == dana)
    })
    .await;
    grid.ok(
        &rex,
        "group_eject",
        &[
            ("groupuuid", &builders.to_string()),
            ("avatar", &carl.to_string()),
        ],
    )
    .await;
    assert_eq!(region.members(builders), [rex_remote]);
    grid.call(
        &rex,
        "group_eject",
        &[
            ("groupuuid", &readers.to_string()),
            ("avatar", &carl.to_string()),
        ],
    )
    .await
    .assert_fail("Remote grid: the grid refused the ejection");

    // An invitation to the bot, accepted by the callback's answer.
    region.invite_as(readers, carl, rex_remote).await;
    let invite = hook.wait_for("group_invite", 1).await;
    assert_eq!(invite[0]["group_uuid"], readers.to_string());
    assert_eq!(
        invite[0]["group_name"], "Readers",
        "asked of the grid: the invitation names only its sender"
    );
    assert_eq!(invite[0]["avatar_name"], "Carl Person");
    assert_eq!(
        invite[0]["system_message"],
        "Carl Person has invited you to join a group called Readers. There is no cost to join this group.",
        "the grid's own words"
    );
    assert_eq!(invite[0]["message"], "", "no note of the inviter's");
    assert_eq!(
        invite[0]["avatar_uuid"],
        carl.to_string(),
        "the inviter, found by the name the grid gave"
    );
    for _ in 0..200 {
        if region.members(readers).contains(&rex_remote) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        region.members(readers).contains(&rex_remote),
        "accept=1 joined the group"
    );
    let r = grid.call(&rex, "listgroups", &[]).await;
    let mut groups = r.lines("groups");
    groups.sort();
    let mut want = vec![format!("{builders};Builders"), format!("{readers};Readers")];
    want.sort();
    assert_eq!(groups, want);

    // Roles (the grid sends them in parts), leaving, joining, the active group.
    let r = grid
        .call(
            &rex,
            "list_group_roles",
            &[("groupuuid", &readers.to_string())],
        )
        .await;
    r.assert_ok_for("list_group_roles");
    let roles = r.lines("roles");
    assert_eq!(roles.len(), 2, "{roles:?}");
    assert!(roles.contains(&"00000000-0000-0000-0000-000000000000;Everyone".to_string()));
    assert!(roles.iter().any(|l| l.ends_with(";Owners")));
    grid.ok(&rex, "group_leave", &[("groupuuid", &readers.to_string())])
        .await;
    assert!(!region.members(readers).contains(&rex_remote));
    grid.ok(&rex, "group_join", &[("groupuuid", &readers.to_string())])
        .await;
    assert!(region.members(readers).contains(&rex_remote));
    // Role changes go to the grid.
    let owners = grid::Uuid::from_u128(readers.as_u128() ^ 1);
    for (action, added) in [("setrole", true), ("group_role_revoke", false)] {
        grid.ok(
            &rex,
            action,
            &[
                ("groupuuid", &readers.to_string()),
                ("roleuuid", &owners.to_string()),
                ("member", &carl.to_string()),
            ],
        )
        .await;
        heard(&region, action, |h| {
            matches!(h, Heard::RoleChange { group, by, role, member, added: a }
                if *group == readers && *by == rex_remote && *role == owners && *member == carl && *a == added)
        })
        .await;
    }
    grid.ok(
        &rex,
        "activate_group",
        &[("groupuuid", &readers.to_string())],
    )
    .await;
    heard(&region, "the active group", |h| {
        matches!(h, Heard::GroupActivated { from, group } if *from == rex_remote && *group == readers)
    })
    .await;
}

#[tokio::test]
async fn a_remote_bot_answers_dialogs_and_hears_objects() {
    let region = TestRegion::start().await.unwrap();
    let grid = Grid::start().await;
    let rex_remote = region.add_account("Rex", "Bot", "pw");
    let olga = region.add_account("Olga", "Owner", "z");
    let greeter = grid::Uuid::new_v4();
    let object = testregion::PuppetObject {
        id: greeter,
        name: "Greeter".into(),
        owner: olga,
    };
    let button = grid::Uuid::new_v4();
    region.add_object(button).await;
    let rex = remote_bot(&grid, &region, "Rex Bot", "pw").await;
    let hook = Receiver::start().await;
    grid.callback(&rex, &hook.url(), "script_dialog,chat_message")
        .await;
    grid.login(&rex).await;

    // Touching what the region showed: at arrival (offered as cached, so the bot asks
    // for it), and later (in the compressed form).
    let bell = grid::Uuid::new_v4();
    region.add_object(bell).await;
    for object in [button, bell] {
        let mut r = grid
            .call(&rex, "touch_prim", &[("uuid", &object.to_string())])
            .await;
        for _ in 0..100 {
            if r.ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
            r = grid
                .call(&rex, "touch_prim", &[("uuid", &object.to_string())])
                .await;
        }
        r.assert_ok_for("touch_prim");
        heard(&region, "the touch", |h| {
            matches!(h, Heard::Touched { from, object: o } if *from == rex_remote && *o == object)
        })
        .await;
    }
    grid.call(
        &rex,
        "touch_prim",
        &[("uuid", &grid::Uuid::new_v4().to_string())],
    )
    .await
    .assert_fail("OBJECT NOT FOUND");

    region
        .dialog_as(&object, rex_remote, "Pick a colour", &["Red", "Blue"], -42)
        .await;
    let d = hook.wait_for("script_dialog", 1).await;
    assert_eq!(d[0]["object_uuid"], greeter.to_string());
    assert_eq!(d[0]["object_name"], "Greeter");
    assert_eq!(d[0]["owner_name"], "Olga Owner");
    assert_eq!(d[0]["owner_uuid"], olga.to_string());
    assert_eq!(d[0]["text"], "Pick a colour");
    assert_eq!(d[0]["buttons"], "Red\nBlue");
    assert_eq!(d[0]["channel"], "-42");
    grid.ok(
        &rex,
        "reply_dialog",
        &[
            ("channel", "-42"),
            ("object", &greeter.to_string()),
            ("button", "Blue"),
        ],
    )
    .await;
    heard(&region, "the dialog reply", |h| {
        matches!(h, Heard::DialogReply { from, object, channel: -42, button_index: 1, label } if *from == rex_remote && *object == greeter && label == "Blue")
    })
    .await;

    region.object_say_as(&object, "Welcome!").await;
    let said = hook.wait_for_field("message", "Welcome!").await;
    assert_eq!(said["speaker_type"], "OBJECT");
    assert_eq!(said["speaker_name"], "Greeter");
    assert_eq!(said["speaker_owner"], olga.to_string());

    // Sitting on what the region lets the bot sit on, and standing up.
    let chair = grid::Uuid::new_v4();
    region.add_seat(chair);
    grid.ok(&rex, "sit", &[("uuid", &chair.to_string())]).await;
    heard(
        &region,
        "the bot sitting",
        |h| matches!(h, Heard::Sat { from, object } if *from == rex_remote && *object == chair),
    )
    .await;
    grid.ok(&rex, "sit", &[("uuid", "NONE")]).await;
    heard(
        &region,
        "the bot standing",
        |h| matches!(h, Heard::Stood { from } if *from == rex_remote),
    )
    .await;
    grid.call(&rex, "sit", &[("uuid", &grid::Uuid::new_v4().to_string())])
        .await
        .assert_fail("Remote grid: the region did not let the bot sit there");
}

#[tokio::test]
async fn a_remote_bot_makes_friends_and_sends_and_gets_notices() {
    let region = TestRegion::start().await.unwrap();
    let grid = Grid::start().await;
    let rex_remote = region.add_account("Rex", "Bot", "pw");
    let carl = region.add_account("Carl", "Person", "x");
    let club = region.add_group("Club", &[rex_remote, carl]);
    let rex = remote_bot(&grid, &region, "Rex Bot", "pw").await;
    let hook = Receiver::start().await;
    grid.callback(
        &rex,
        &hook.url(),
        "offer_friendship,offer_friendship_accepted,group_notice",
    )
    .await;
    grid.login(&rex).await;
    grid.ok(&rex, "listgroups", &[]).await; // the grid's list names the groups

    // Offers both ways.
    grid.ok(
        &rex,
        "offer_friendship",
        &[("avatar", &carl.to_string()), ("message", "friends?")],
    )
    .await;
    heard(&region, "the offer", |h| {
        matches!(h, Heard::Im { from, to, dialog, message } if *from == rex_remote && *to == carl
            && *dialog == viewerproto::messages::dialog::FRIENDSHIP_OFFERED && message == "friends?")
    })
    .await;
    region
        .im_dialog_as(
            carl,
            rex_remote,
            viewerproto::messages::dialog::FRIENDSHIP_ACCEPTED,
            "ok",
        )
        .await;
    let accepted = hook.wait_for("offer_friendship_accepted", 1).await;
    assert_eq!(accepted[0]["avatar_uuid"], carl.to_string());
    region
        .im_dialog_as(
            carl,
            rex_remote,
            viewerproto::messages::dialog::FRIENDSHIP_OFFERED,
            "be mine",
        )
        .await;
    let offer = hook.wait_for("offer_friendship", 1).await;
    assert_eq!(offer[0]["avatar_uuid"], carl.to_string());
    assert_eq!(offer[0]["message"], "be mine");
    let session = offer[0]["session_id"].clone();
    grid.ok(
        &rex,
        "friendship_offer_accept",
        &[
            ("avatar_uuid", &carl.to_string()),
            ("session_id", &session),
            ("accept", "1"),
        ],
    )
    .await;
    heard(&region, "the acceptance", |h| {
        matches!(h, Heard::FriendshipAnswer { from, transaction, accepted: true } if *from == rex_remote && transaction.to_string() == session)
    })
    .await;

    // Notices both ways.
    region.notice_as(club, carl, "Meeting", "Friday at 8").await;
    let notice = hook.wait_for("group_notice", 1).await;
    assert_eq!(notice[0]["group_uuid"], club.to_string());
    assert_eq!(notice[0]["group_name"], "Club");
    assert_eq!(
        notice[0]["speaker_uuid"],
        carl.to_string(),
        "sent from the group's key: the sender is found by name"
    );
    assert_eq!(notice[0]["speaker_name"], "Carl Person");
    assert_eq!(notice[0]["subject"], "Meeting");
    assert_eq!(notice[0]["message"], "Friday at 8");
    assert_eq!(notice[0]["notice_id"], "", "no post here either");
    grid.ok(
        &rex,
        "send_notice",
        &[
            ("groupuuid", &club.to_string()),
            ("subject", "Hello"),
            ("text", "from Rex"),
        ],
    )
    .await;
    heard(&region, "the bot's notice", |h| {
        matches!(h, Heard::GroupNotice { group, from, subject, text } if *group == club && *from == rex_remote && subject == "Hello" && text == "from Rex")
    })
    .await;
}

#[tokio::test]
async fn a_remote_bot_teleports_within_and_between_regions() {
    let region = TestRegion::start().await.unwrap();
    region
        .add_region("Second Region", (256_256, 256_000))
        .await
        .unwrap();
    let grid = Grid::start().await;
    let rex_remote = region.add_account("Rex", "Bot", "pw");
    let carl = region.add_account("Carl", "Person", "x");
    let rex = remote_bot(&grid, &region, "Rex Bot", "pw").await;
    let hook = Receiver::start().await;
    grid.callback(
        &rex,
        &hook.url(),
        "teleport_status,instant_message,offer_teleport",
    )
    .await;
    grid.login(&rex).await;

    // Within the region.
    grid.ok(
        &rex,
        "teleport",
        &[("location", "Botgrid Test Region/50/60/25")],
    )
    .await;
    let done = hook.wait_for("teleport_status", 1).await;
    assert_eq!(done[0]["status"], "Finished");
    assert_eq!(done[0]["location"], "Botgrid Test Region/50/60/25");

    // To another region: the map finds it, the circuit moves there.
    grid.ok(
        &rex,
        "teleport",
        &[("location", "second region/100/100/30")],
    )
    .await;
    assert_eq!(
        region.region_of(rex_remote).as_deref(),
        Some("Second Region")
    );
    let done = hook.wait_for("teleport_status", 2).await;
    assert_eq!(done[1]["status"], "Finished");
    assert_eq!(done[1]["location"], "Second Region/100/100/30");
    // The bot still talks from there.
    region.im_as(carl, rex_remote, "where are you?").await;
    let got = hook.wait_for("instant_message", 1).await;
    assert_eq!(got[0]["message"], "where are you?");
    grid.ok(
        &rex,
        "im",
        &[
            ("slname", &carl.to_string()),
            ("message", "in the second region"),
        ],
    )
    .await;
    heard(&region, "the IM from the second region", |h| {
        matches!(h, Heard::Im { from, message, .. } if *from == rex_remote && message == "in the second region")
    })
    .await;

    // Nowhere.
    grid.call(&rex, "teleport", &[("location", "Nowhere/1/1/1")])
        .await
        .assert_fail("Region not found: Nowhere");

    // A teleport offer, accepted: the bot goes where it was offered.
    region
        .offer_teleport_as(carl, rex_remote, testregion::REGION_NAME, "come over")
        .await;
    let offer = hook.wait_for("offer_teleport", 1).await;
    assert_eq!(offer[0]["avatar_uuid"], carl.to_string());
    assert_eq!(offer[0]["message"], "come over");
    grid.ok(
        &rex,
        "teleport_offer_accept",
        &[
            ("avatar_uuid", &carl.to_string()),
            ("session_id", &offer[0]["session_id"]),
            ("accept", "1"),
        ],
    )
    .await;
    assert_eq!(
        region.region_of(rex_remote).as_deref(),
        Some(testregion::REGION_NAME),
        "back through a hand-over"
    );

    // The bot offers a teleport to where it is.
    grid.ok(
        &rex,
        "offer_teleport",
        &[("avatar", &carl.to_string()), ("message", "join me")],
    )
    .await;
    heard(&region, "the offer", |h| {
        matches!(h, Heard::TeleportOffer { from, to, message } if *from == rex_remote && *to == carl && message == "join me")
    })
    .await;

    // Home: the grid's home for the bot (the first region's middle here).
    grid.ok(&rex, "teleport", &[("location", "HOME")]).await;
    assert_eq!(
        region.region_of(rex_remote).as_deref(),
        Some(testregion::REGION_NAME)
    );
    let done = hook.wait_for("teleport_status", 4).await;
    let last = done.last().unwrap();
    assert_eq!(last["status"], "Finished");
    assert_eq!(
        last["location"],
        format!("{}/128/128/25", testregion::REGION_NAME)
    );
}

#[tokio::test]
async fn a_remote_bot_lists_its_inventory_in_the_grid() {
    let region = TestRegion::start().await.unwrap();
    let grid = Grid::start().await;
    let rex_remote = region.add_account("Rex", "Bot", "pw");
    let (root, notecards) = region.inventory_folders(rex_remote).unwrap();
    let rex = remote_bot(&grid, &region, "Rex Bot", "pw").await;
    grid.login(&rex).await;
    // The inventory capability comes with the region's capabilities, just after arrival.
    let mut r = grid.call(&rex, "inventory_list", &[]).await;
    for _ in 0..100 {
        if r.ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        r = grid.call(&rex, "inventory_list", &[]).await;
    }
    r.assert_ok_for("inventory_list");
    let lines = r.lines("list");
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].starts_with(&format!("{notecards};folder;")),
        "{lines:?}"
    );
    assert!(lines[0].ends_with(";Notecards"));
    assert!(lines[1].contains(";landmark;"), "{lines:?}");
    assert!(lines[1].ends_with(testregion::LANDMARK_NAME));
    let r = grid
        .call(&rex, "inventory_list", &[("uuid", &notecards.to_string())])
        .await;
    let lines = r.lines("list");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains(";notecard;") && lines[0].ends_with(testregion::NOTECARD_NAME),
        "{lines:?}"
    );
    let by_uuid = grid
        .call(&rex, "inventory_list", &[("uuid", &root.to_string())])
        .await;
    assert_eq!(
        by_uuid.lines("list").len(),
        2,
        "the root by its key lists the same"
    );
}

#[tokio::test]
async fn a_remote_bot_online_at_a_restart_logs_in_again() {
    let region = TestRegion::start().await.unwrap();
    let grid = Grid::start().await;
    let rex_remote = region.add_account("Rex", "Bot", "pw");
    let carl = region.add_account("Carl", "Person", "x");
    let rex = remote_bot(&grid, &region, "Rex Bot", "pw").await;
    grid.login(&rex).await;
    let grid = grid.restart().await;
    // The old session died with the old server: the region answers the new login with
    // `presence` once (it still holds the agent), and the bot gets in on the retry.
    for _ in 0..300 {
        if region.logins() == 2 && grid.call(&rex, "status", &[]).await.get("status") == "ONLINE" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(grid.call(&rex, "status", &[]).await.get("status"), "ONLINE");
    assert_eq!(region.logins(), 2);
    grid.ok(
        &rex,
        "im",
        &[("slname", &carl.to_string()), ("message", "back again")],
    )
    .await;
    heard(&region, "the IM after the restart", |h| {
        matches!(h, Heard::Im { from, message, .. } if *from == rex_remote && message == "back again")
    })
    .await;
}

#[tokio::test]
async fn a_remote_bot_scans_the_avatars_the_region_places_near_it() {
    let region = TestRegion::start().await.unwrap();
    let grid = Grid::start().await;
    let rex_remote = region.add_account("Rex", "Bot", "pw");
    let bea_remote = region.add_account("Bea", "Bot", "pw2");
    let rex = remote_bot(&grid, &region, "Rex Bot", "pw").await;
    let bea = remote_bot(&grid, &region, "Bea Bot", "pw2").await;
    grid.login(&rex).await;
    let r = grid.call_json(&rex, "nearbyavatars_scan", &[]).await;
    assert_eq!(r["result"], "OK", "{r}");
    assert_eq!(r["avatars"], serde_json::json!([]), "alone in the region");

    // The region lists where its avatars are (CoarseLocationUpdate); names come from it.
    grid.login(&bea).await;
    let mut seen = serde_json::Value::Null;
    for _ in 0..100 {
        // Two scans in ten seconds are allowed: wait for the region's list first.
        if region.is_present(bea_remote) {
            tokio::time::sleep(Duration::from_millis(200)).await;
            seen = grid.call_json(&rex, "nearbyavatars_scan", &[]).await;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let avatars = seen["avatars"].as_array().expect("a list of avatars");
    assert_eq!(avatars.len(), 1, "the other bot, not Rex itself: {seen}");
    assert_eq!(avatars[0]["name"], "Bea Bot");
    assert_eq!(avatars[0]["UUID"], bea_remote.to_string());
    assert_eq!(avatars[0]["position"]["X"], 128.0);
    assert_eq!(avatars[0]["distance"], 0.0);
    assert_ne!(avatars[0]["UUID"], rex_remote.to_string());
}

#[tokio::test]
async fn a_remote_bot_lists_and_ends_its_friendships_in_the_grid() {
    let region = TestRegion::start().await.unwrap();
    let grid = Grid::start().await;
    let rex_remote = region.add_account("Rex", "Bot", "pw");
    let bea_remote = region.add_account("Bea", "Bot", "pw2");
    let carl = region.add_account("Carl", "Person", "x");
    region.add_friends(rex_remote, bea_remote);
    region.add_friends(carl, rex_remote);
    let rex = remote_bot(&grid, &region, "Rex Bot", "pw").await;
    let bea = remote_bot(&grid, &region, "Bea Bot", "pw2").await;
    grid.login(&rex).await;

    // The grid's list at login, named by the grid; nobody is online yet.
    let list = grid.call_json(&rex, "friends", &[]).await;
    assert_eq!(list["result"], "OK", "{list}");
    let friends = list["friends"].as_array().expect("a list");
    let names: Vec<&str> = friends
        .iter()
        .map(|f| f["slname"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Bea Bot", "Carl Person"]);
    assert_eq!(friends[1]["uuid"], carl.to_string());
    assert_eq!(friends[0]["online"], false);
    assert_eq!(
        friends[0]["theirRights"],
        serde_json::json!({"canSeeOnline": true, "canSeeOnMap": false, "canModifyObjects": false})
    );

    // A friend logging in is online (the grid's OnlineNotification).
    grid.login(&bea).await;
    let mut online = false;
    for _ in 0..100 {
        let list = grid.call_json(&rex, "friends", &[]).await;
        if list["friends"][0]["online"] == true {
            online = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(online, "Bea is online once the grid says so");

    // Ending a friendship tells the grid, and the list forgets it.
    grid.ok(&rex, "cancel_friendship", &[("slkey", &carl.to_string())])
        .await;
    heard(&region, "the friendship's end", |h| {
        matches!(h, Heard::FriendshipEnded { from, other } if *from == rex_remote && *other == carl)
    })
    .await;
    assert_eq!(region.friends_of(carl), Vec::<grid::Uuid>::new());
    let list = grid.call_json(&rex, "friends", &[]).await;
    let names: Vec<&str> = list["friends"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["slname"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Bea Bot"]);
}

#[tokio::test]
async fn a_remote_bot_with_hundreds_of_friends_gets_all_their_names() {
    let region = TestRegion::start().await.unwrap();
    let grid = Grid::start().await;
    let rex_remote = region.add_account("Rex", "Bot", "pw");
    for i in 0..300 {
        let friend = region.add_account(&format!("Friend{i:03}"), "Person", "x");
        region.add_friends(rex_remote, friend);
    }
    let rex = remote_bot(&grid, &region, "Rex Bot", "pw").await;
    grid.login(&rex).await;
    // Names are asked 50 at a time (a request, and its answer, must fit a datagram).
    let list = grid.call_json(&rex, "friends", &[]).await;
    let friends = list["friends"].as_array().expect("a list");
    assert_eq!(friends.len(), 300);
    assert_eq!(friends[0]["slname"], "Friend000 Person");
    assert_eq!(friends[299]["slname"], "Friend299 Person");
}
