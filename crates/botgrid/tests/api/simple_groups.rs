//! The Simple Groups API (`/api/simple.html`): a group's owner with only its security
//! code has the serving bot invite, eject and chat, and gets the chat by callback.

use crate::harness::{Bot, Grid, Receiver};
use engine::GroupSpec;
use grid::LegacyName;

fn name(n: &str) -> LegacyName {
    LegacyName::parse(n).unwrap()
}

const CODE: &str = "open-sesame-1";

struct World {
    grid: Grid,
    ada: Bot,
    lin: Bot,
    kim: Bot,
}

async fn world() -> World {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada Resident").await;
    let lin = grid.bot("Lin Resident").await;
    let kim = grid.bot("Kim Resident").await;
    grid.group(GroupSpec {
        members: vec![(name("Lin"), vec![])],
        security_code: Some(CODE.into()),
        serving_bot: Some(name("Ada")),
        ..GroupSpec::new("Builders", name("Ada"))
    })
    .await;
    grid.login(&ada).await;
    grid.login(&lin).await;
    grid.login(&kim).await;
    World {
        grid,
        ada,
        lin,
        kim,
    }
}

impl World {
    async fn simple(&self, action: &str, extra: &[(&str, &str)]) -> String {
        let mut p = vec![
            ("action", action),
            ("apikey", self.grid.api_key.as_str()),
            ("group", "Builders"),
            ("secret", CODE),
        ];
        p.extend_from_slice(extra);
        self.grid.simple(&p).await
    }
}

#[tokio::test]
async fn inviting_and_ejecting_through_the_serving_bot() {
    let w = world().await;
    let kim_hook = Receiver::start().await;
    w.grid
        .callback(&w.kim, &kim_hook.url(), "group_invite,instant_message")
        .await;
    let kim = w.kim.uuid.to_string();
    assert_eq!(
        w.simple(
            "invite",
            &[
                ("slkey", &kim),
                ("role", "officers"),
                ("message", "Welcome!")
            ]
        )
        .await,
        "OK"
    );
    let invite = &kim_hook.wait_for("group_invite", 1).await[0];
    assert_eq!(
        invite["avatar_name"], "Ada Resident",
        "the serving bot invites"
    );
    assert_eq!(invite["role"], "Officers");
    assert_eq!(invite["message"], "Welcome!");
    assert_eq!(
        w.simple("invite", &[("slkey", &kim), ("cooldown", "3600")])
            .await,
        "Invited too recently"
    );
    assert_eq!(
        w.simple("invite", &[("slkey", &kim), ("role", "Nobody")])
            .await,
        "Role not found: Nobody"
    );
    assert_eq!(
        w.simple("invite", &[("slkey", &kim), ("misc", &"m".repeat(61))])
            .await,
        "Invalid parameter: misc (has more than 60 characters)"
    );
    // Kim joins; inviting a member needs force.
    w.grid
        .ok(
            &w.kim,
            "group_join",
            &[("groupuuid", invite["group_uuid"].as_str())],
        )
        .await;
    assert_eq!(
        w.simple("invite", &[("slkey", &kim)]).await,
        "Avatar is already in the group"
    );
    let lin = w.lin.uuid.to_string();
    assert_eq!(
        w.simple(
            "invite",
            &[("slkey", &lin), ("role", "Officers"), ("force", "1")]
        )
        .await,
        "OK"
    );

    assert_eq!(
        w.simple("eject", &[("slkey", &kim), ("message", "Sorry, Kim.")])
            .await,
        "OK"
    );
    let im = &kim_hook.wait_for("instant_message", 1).await[0];
    assert_eq!(im["message"], "Sorry, Kim.");
    assert_eq!(im["speaker_name"], "Ada Resident");
    assert_eq!(
        w.simple("eject", &[("slkey", &kim)]).await,
        "Ejectee is not in the group"
    );
}

#[tokio::test]
async fn credentials_and_bad_requests() {
    let w = world().await;
    let kim = w.kim.uuid.to_string();
    let sha1 = grid::secret::sha1_hex(CODE).to_uppercase();
    let by_sha1 = w
        .grid
        .simple(&[
            ("action", "invite"),
            ("apikey", &w.grid.api_key),
            ("group", "BUILDERS"),
            ("secret_sha1", &sha1),
            ("slkey", &kim),
        ])
        .await;
    assert_eq!(by_sha1, "OK");
    let key = w.grid.api_key.clone();
    for params in [
        vec![
            ("action", "invite"),
            ("apikey", key.as_str()),
            ("group", "Builders"),
            ("secret", "wrong-code"),
            ("slkey", kim.as_str()),
        ],
        vec![
            ("action", "invite"),
            ("apikey", "bgk_wrong_key_wrong_key"),
            ("group", "Builders"),
            ("secret", CODE),
            ("slkey", kim.as_str()),
        ],
        vec![
            ("action", "invite"),
            ("apikey", key.as_str()),
            ("group", "Builders"),
            ("secret_sha1", "00"),
            ("slkey", kim.as_str()),
        ],
    ] {
        assert_eq!(w.grid.simple(&params).await, "ACCESS DENIED");
    }
    assert_eq!(
        w.grid
            .simple(&[
                ("action", "invite"),
                ("apikey", &key),
                ("group", "Builders"),
                ("slkey", &kim)
            ])
            .await,
        "Missing parameter: secret"
    );
    assert_eq!(
        w.grid
            .simple(&[
                ("action", "invite"),
                ("apikey", &key),
                ("group", "Nowhere"),
                ("secret", CODE),
                ("slkey", &kim)
            ])
            .await,
        "Group not found: Nowhere"
    );
    assert_eq!(w.simple("teleport", &[]).await, "Unknown action: teleport");
    assert_eq!(
        w.simple("invite", &[("slkey", "kim")]).await,
        "Invalid parameter: slkey (expected a UUID)"
    );
    // A group with no serving bot.
    w.grid
        .group(GroupSpec {
            security_code: Some(CODE.into()),
            ..GroupSpec::new("Unserved", name("Lin"))
        })
        .await;
    assert_eq!(
        w.grid
            .simple(&[
                ("action", "send_group_im"),
                ("apikey", &key),
                ("group", "Unserved"),
                ("secret", CODE),
                ("message", "x")
            ])
            .await,
        "No bot serves this group"
    );
    // The serving bot must be online to invite; its chat waits for it.
    w.grid.ok(&w.ada, "logout", &[]).await;
    w.grid.wait_status(&w.ada, "LOGGED OUT").await;
    assert_eq!(w.simple("invite", &[("slkey", &kim)]).await, "BOT OFFLINE");
    assert_eq!(
        w.simple("send_group_im", &[("message", "later")]).await,
        "OK"
    );
}

#[tokio::test]
async fn group_chat_by_callback_and_its_registration_lifecycle() {
    let w = world().await;
    let first = Receiver::start().await;
    let reply = w
        .simple(
            "set_http_callback",
            &[
                ("app_uuid", "app-1"),
                ("app_name", "Greeter HUD"),
                ("url", &first.url()),
            ],
        )
        .await;
    let v: serde_json::Value = serde_json::from_str(&reply).unwrap();
    assert_eq!(v["result"], "OK");
    let group_uuid = v["group_uuid"].as_str().unwrap().to_owned();
    assert!(v["group_id"].as_str().unwrap().parse::<i64>().is_ok());
    let set = &first.wait_for("callback_set", 1).await[0];
    // The application verifies POSTs with the secret it was given (Standard Webhooks).
    let secret = v["webhook_secret"].as_str().unwrap();
    let first_post = &first.signed()[0];
    assert_eq!(first_post.id, set["event_id"]);
    assert!(
        crate::callbacks::signed_with(secret, first_post),
        "{first_post:?}"
    );
    assert_eq!(set["app_uuid"], "app-1");
    assert_eq!(set["app_name"], "Greeter HUD");
    assert_eq!(set["group_uuid"], group_uuid);

    // Chat in the group reaches the registration through the serving bot.
    w.grid
        .ok(
            &w.lin,
            "send_group_im",
            &[("groupuuid", &group_uuid), ("message", "hello all")],
        )
        .await;
    let chat = &first.wait_for("group_chat", 1).await[0];
    assert_eq!(chat["message"], "hello all");
    assert_eq!(chat["speaker_name"], "Lin Resident");
    assert_eq!(chat["group_name"], "Builders");
    // The owner's own chat goes out through the serving bot.
    let lin_hook = Receiver::start().await;
    w.grid
        .callback(&w.lin, &lin_hook.url(), "group_message")
        .await;
    assert_eq!(
        w.simple("send_group_im", &[("message", "from the owner")])
            .await,
        "OK"
    );
    let heard = &lin_hook.wait_for("group_message", 1).await[0];
    assert_eq!(heard["speaker_name"], "Ada Resident");
    assert_eq!(heard["message"], "from the owner");

    // A new URL for the same app replaces the old one, which hears of it last.
    let second = Receiver::start().await;
    w.simple(
        "set_http_callback",
        &[("app_uuid", "app-1"), ("url", &second.url())],
    )
    .await;
    first.wait_for("callback_removed", 1).await;
    second.wait_for("callback_set", 1).await;
    w.grid
        .ok(
            &w.lin,
            "send_group_im",
            &[("groupuuid", &group_uuid), ("message", "second")],
        )
        .await;
    assert_eq!(
        second.wait_for("group_chat", 1).await[0]["message"],
        "second"
    );
    assert_eq!(
        first.settle().await.len(),
        3,
        "callback_set, group_chat, callback_removed"
    );
    assert_eq!(first.of("callback_removed").len(), 1);

    // A new security code removes the callbacks, and the old code stops working.
    let code = w
        .grid
        .running
        .engine
        .set_group_code("Builders", Some("new-secret-2".into()))
        .await
        .unwrap();
    second.wait_for("callback_removed", 1).await;
    assert_eq!(
        w.simple("send_group_im", &[("message", "x")]).await,
        "ACCESS DENIED"
    );
    let ok = w
        .grid
        .simple(&[
            ("action", "send_group_im"),
            ("apikey", &w.grid.api_key),
            ("group", "Builders"),
            ("secret", &code),
            ("message", "with the new code"),
        ])
        .await;
    assert_eq!(ok, "OK");
    w.grid
        .ok(
            &w.lin,
            "send_group_im",
            &[("groupuuid", &group_uuid), ("message", "nobody listens")],
        )
        .await;
    assert!(
        second
            .settle()
            .await
            .iter()
            .all(|p| p.get("message").map(String::as_str) != Some("nobody listens"))
    );
    let _ = &w.ada;
}
