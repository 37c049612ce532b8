//! Group chat and notices: delivery to online members, to members who come online
//! later, from senders who are offline, pacing, and who may receive what.

use crate::harness::{Bot, Grid, Receiver};
use engine::GroupSpec;
use grid::LegacyName;
use grid::group::Powers;
use std::time::{Duration, Instant};

fn name(n: &str) -> LegacyName {
    LegacyName::parse(n).unwrap()
}

struct World {
    grid: Grid,
    ada: Bot,
    lin: Bot,
    kim: Bot,
    group: String,
    lin_hook: Receiver,
    kim_hook: Receiver,
}

/// Ada owns "Builders"; Lin and Kim are members with callbacks for group events.
async fn world() -> World {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada Resident").await;
    let lin = grid.bot("Lin Resident").await;
    let kim = grid.bot("Kim Resident").await;
    let group = grid
        .group(GroupSpec {
            members: vec![(name("Lin"), vec![]), (name("Kim"), vec![])],
            ..GroupSpec::new("Builders", name("Ada"))
        })
        .await
        .to_string();
    let lin_hook = Receiver::start().await;
    let kim_hook = Receiver::start().await;
    grid.callback(&lin, &lin_hook.url(), "group_message,group_notice")
        .await;
    grid.callback(&kim, &kim_hook.url(), "group_message,group_notice")
        .await;
    World {
        grid,
        ada,
        lin,
        kim,
        group,
        lin_hook,
        kim_hook,
    }
}

#[tokio::test]
async fn group_chat_reaches_online_members_now_and_offline_ones_when_they_come_online() {
    let w = world().await;
    w.grid.login(&w.ada).await;
    w.grid.login(&w.lin).await;
    let ada_hook = Receiver::start().await;
    w.grid
        .callback(&w.ada, &ada_hook.url(), "group_message")
        .await;
    for text in ["first", "second & last"] {
        w.grid
            .ok(
                &w.ada,
                "send_group_im",
                &[("groupuuid", &w.group), ("message", text)],
            )
            .await
            .assert_ok_for("send_group_im");
    }
    let got = w.lin_hook.wait_for("group_message", 2).await;
    assert_eq!(got[0]["message"], "first");
    assert_eq!(got[1]["message"], "second & last");
    assert_eq!(got[0]["group_uuid"], w.group);
    assert_eq!(got[0]["group_name"], "Builders");
    assert_eq!(got[0]["speaker_name"], "Ada Resident");
    assert_eq!(got[0]["speaker_uuid"], w.ada.uuid.to_string());
    assert!(w.kim_hook.settle().await.is_empty(), "Kim is offline");
    assert!(
        ada_hook.received().is_empty(),
        "the sender does not hear itself"
    );

    w.grid.login(&w.kim).await;
    let got = w.kim_hook.wait_for("group_message", 2).await;
    let texts: Vec<_> = got.iter().map(|p| p["message"].as_str()).collect();
    assert_eq!(texts, ["first", "second & last"]);
    // Once only: Kim logs out and in, nothing new; what comes while Kim is away arrives.
    w.grid.ok(&w.kim, "logout", &[]).await;
    w.grid.wait_status(&w.kim, "LOGGED OUT").await;
    w.grid
        .ok(
            &w.lin,
            "send_group_im",
            &[("groupuuid", &w.group), ("message", "while Kim was out")],
        )
        .await;
    w.grid.login(&w.kim).await;
    let got = w.kim_hook.wait_for("group_message", 3).await;
    assert_eq!(got[2]["message"], "while Kim was out");
    assert_eq!(got[2]["speaker_name"], "Lin Resident");
    assert_eq!(w.kim_hook.settle().await.len(), 3);
}

#[tokio::test]
async fn chat_from_an_offline_bot_is_sent_when_it_is_back() {
    let w = world().await;
    w.grid.login(&w.lin).await;
    // Ada is offline: accepted now, sent when Ada logs in.
    w.grid
        .ok(
            &w.ada,
            "send_group_im",
            &[("groupuuid", &w.group), ("message", "queued hello")],
        )
        .await;
    assert!(w.lin_hook.settle().await.is_empty());
    w.grid.login(&w.ada).await;
    let got = w.lin_hook.wait_for("group_message", 1).await;
    assert_eq!(got[0]["message"], "queued hello");
    // Kim was offline all along and still gets it.
    w.grid.login(&w.kim).await;
    assert_eq!(
        w.kim_hook.wait_for("group_message", 1).await[0]["message"],
        "queued hello"
    );
}

#[tokio::test]
async fn notices_reach_members_who_accept_them() {
    let w = world().await;
    w.grid.login(&w.ada).await;
    w.grid.login(&w.lin).await;
    w.grid.login(&w.kim).await;
    // Kim rejects notices, and keeps the group in the profile.
    w.grid
        .ok(
            &w.kim,
            "group_visibility",
            &[
                ("groupuuid", &w.group),
                ("profile", "1"),
                ("notices", "reject"),
            ],
        )
        .await;
    // The attachment is an item of the sender's, which it may give.
    let stranger = grid::Uuid::new_v4().to_string();
    w.grid
        .call(
            &w.ada,
            "send_notice",
            &[
                ("groupuuid", &w.group),
                ("subject", "Meeting"),
                ("text", "Tonight at 8."),
                ("attachment", &stranger),
            ],
        )
        .await
        .assert_fail(&format!("Inventory item not found: {stranger}"));
    let spec = |name: &str, perms: &str| engine::ItemSpec {
        asset_type: grid::inventory::AssetType::Notecard,
        name: name.into(),
        description: String::new(),
        wearable: None,
        perms: grid::inventory::Perms::parse(perms).unwrap(),
        next_perms: grid::inventory::Perms::ALL,
        text: Some("Agenda".into()),
    };
    let ada_name = grid::LegacyName::parse("Ada Resident").unwrap();
    let kept = w
        .grid
        .running
        .engine
        .add_inventory_item(&ada_name, spec("Kept", "mod+copy"))
        .await
        .unwrap()
        .uuid
        .to_string();
    w.grid
        .call(
            &w.ada,
            "send_notice",
            &[
                ("groupuuid", &w.group),
                ("subject", "Meeting"),
                ("text", "Tonight at 8."),
                ("attachment", &kept),
            ],
        )
        .await
        .assert_fail("transfer permission not set");
    let attachment = w
        .grid
        .running
        .engine
        .add_inventory_item(&ada_name, spec("Agenda", "all"))
        .await
        .unwrap()
        .uuid
        .to_string();
    w.grid
        .ok(
            &w.ada,
            "send_notice",
            &[
                ("groupuuid", &w.group),
                ("subject", "Meeting"),
                ("text", "Tonight at 8."),
                ("attachment", &attachment),
            ],
        )
        .await
        .assert_ok_for("send_notice");
    let got = w.lin_hook.wait_for("group_notice", 1).await;
    assert_eq!(got[0]["subject"], "Meeting");
    assert_eq!(got[0]["message"], "Tonight at 8.");
    assert_eq!(got[0]["attachment"], attachment);
    assert_eq!(got[0]["speaker_name"], "Ada Resident");
    assert!(w.kim_hook.settle().await.is_empty(), "Kim rejects notices");
    w.grid
        .call(
            &w.ada,
            "send_notice",
            &[
                ("groupuuid", &w.group),
                ("subject", "Réunion"),
                ("text", "x"),
            ],
        )
        .await
        .assert_fail("Invalid parameter: subject (only ASCII characters are allowed)");
    let long = "x".repeat(513);
    w.grid
        .call(
            &w.ada,
            "send_notice",
            &[("groupuuid", &w.group), ("subject", "s"), ("text", &long)],
        )
        .await
        .assert_fail("Invalid parameter: text (is 513 bytes long; the limit is 512)");
}

#[tokio::test]
async fn notices_are_refused_past_the_pace_or_paced_with_autodelay() {
    let w = world().await;
    w.grid.login(&w.ada).await;
    w.grid.login(&w.lin).await;
    let notice = |subject: &'static str, autodelay: &'static str| {
        let w = &w;
        async move {
            w.grid
                .call(
                    &w.ada,
                    "send_notice",
                    &[
                        ("groupuuid", &w.group),
                        ("subject", subject),
                        ("text", "t"),
                        ("autodelay", autodelay),
                    ],
                )
                .await
        }
    };
    for s in ["one", "two", "three"] {
        assert!(notice(s, "0").await.ok());
    }
    let r = notice("four", "0").await;
    r.assert_fail("Frequent API requests throttled");
    assert!(r.headers.contains_key("retry-after"));
    let start = Instant::now();
    assert!(
        notice("four", "1").await.ok(),
        "autodelay accepts and paces"
    );
    let got = w.lin_hook.wait_for("group_notice", 4).await;
    let paced = start.elapsed();
    assert_eq!(got[3]["subject"], "four");
    assert!(
        paced >= Duration::from_millis(2500),
        "the fourth notice waited its turn: {paced:?}"
    );
}

#[tokio::test]
async fn members_without_join_chat_neither_send_nor_hear_group_chat() {
    let w = world().await;
    w.grid.login(&w.ada).await;
    w.grid.login(&w.lin).await;
    w.grid.login(&w.kim).await;
    // Everyone loses JoinChat; a "Chatters" role keeps it, and only Lin holds it.
    let everyone = "00000000-0000-0000-0000-000000000000";
    w.grid
        .ok(
            &w.ada,
            "group_role_update",
            &[
                ("groupuuid", &w.group),
                ("roleuuid", everyone),
                ("powers", "ReceiveNotices,MemberVisible"),
            ],
        )
        .await;
    let chatters = w
        .grid
        .ok(
            &w.ada,
            "group_role_create",
            &[
                ("groupuuid", &w.group),
                ("name", "Chatters"),
                ("powers", "JoinChat"),
            ],
        )
        .await
        .get("uuid")
        .to_owned();
    w.grid
        .ok(
            &w.ada,
            "setrole",
            &[
                ("groupuuid", &w.group),
                ("roleuuid", &chatters),
                ("member", &w.lin.uuid.to_string()),
            ],
        )
        .await;
    w.grid
        .ok(
            &w.ada,
            "send_group_im",
            &[("groupuuid", &w.group), ("message", "hi")],
        )
        .await;
    assert_eq!(
        w.lin_hook.wait_for("group_message", 1).await[0]["message"],
        "hi"
    );
    assert!(
        w.kim_hook.settle().await.is_empty(),
        "Kim may not hear group chat"
    );
    w.grid
        .call(
            &w.kim,
            "send_group_im",
            &[("groupuuid", &w.group), ("message", "let me in")],
        )
        .await
        .assert_fail("Missing group power: JoinChat");
    assert_eq!(Powers::parse("JoinChat").unwrap(), Powers::JOIN_CHAT);
}

#[tokio::test]
async fn a_new_member_does_not_get_the_groups_history() {
    let w = world().await;
    w.grid.login(&w.ada).await;
    w.grid
        .ok(
            &w.ada,
            "send_group_im",
            &[("groupuuid", &w.group), ("message", "before Joe")],
        )
        .await;
    let joe = w.grid.bot("Joe").await;
    w.grid
        .running
        .engine
        .add_group_member("Builders", &name("Joe"), &[])
        .await
        .unwrap();
    let hook = Receiver::start().await;
    w.grid.callback(&joe, &hook.url(), "group_message").await;
    w.grid.login(&joe).await;
    w.grid
        .ok(
            &w.ada,
            "send_group_im",
            &[("groupuuid", &w.group), ("message", "after Joe")],
        )
        .await;
    let got = hook.wait_for("group_message", 1).await;
    assert_eq!(got[0]["message"], "after Joe");
    assert_eq!(hook.settle().await.len(), 1);
}
