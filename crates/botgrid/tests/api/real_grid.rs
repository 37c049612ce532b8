//! Against a real grid (an OpenSimulator on loopback, say), when one is named; skipped
//! otherwise, so CI runs the same flows against the in-repo test region (`remote.rs`).
//!
//! - `BOTGRID_TEST_GRID_URI`: the grid's login URI;
//! - `BOTGRID_TEST_GRID_ACCOUNT`: `First Last:password` of the account the bot logs in as;
//! - `BOTGRID_TEST_GRID_ACCOUNT2`: a second account, driven as a second bot, that the
//!   first talks to (the IM, chat and group parts need it);
//! - `BOTGRID_TEST_GRID_GROUP`: the key of a group the first account is in and may
//!   invite to (the group part needs it). The second account is invited into it and
//!   leaves it again.
//!
//! docs/remote-grids.md says how to run an OpenSimulator for it.

use crate::cli::admin;
use crate::harness::{Bot, Grid, Posted, Receiver};
use std::time::Duration;

struct Account {
    name: String,
    password: String,
}

fn account(var: &str) -> Option<Account> {
    let v = std::env::var(var).ok()?;
    let (name, password) = v
        .split_once(':')
        .unwrap_or_else(|| panic!("{var} is First Last:password"));
    Some(Account {
        name: name.into(),
        password: password.into(),
    })
}

/// A bot of botgrid that lives in the grid at `uri` as `account`.
async fn remote_bot(grid: &Grid, uri: &str, account: &Account) -> Bot {
    let bot = grid.bot(&account.name).await;
    admin(
        grid,
        &[
            "bot",
            "remote",
            &account.name,
            "--login-uri",
            uri,
            "--password",
            &account.password,
        ],
    );
    bot
}

/// Logs a bot in and waits (a real grid takes seconds) until it is ONLINE.
async fn login(grid: &Grid, bot: &Bot) {
    assert!(grid.call(bot, "login", &[]).await.ok());
    for _ in 0..600 {
        if grid.call(bot, "status", &[]).await.get("status") == "ONLINE" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{} never reached ONLINE in the real grid", bot.name);
}

/// The first callback to `bot` that `pred` accepts, waiting up to 30 s.
async fn callback_to(
    hook: &Receiver,
    bot: &Bot,
    what: &str,
    pred: impl Fn(&Posted) -> bool,
) -> Posted {
    for _ in 0..300 {
        if let Some(p) = hook
            .received()
            .into_iter()
            .find(|p| p.get("bot_name") == Some(&bot.name) && pred(p))
        {
            return p;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{} never got {what}: {:?}", bot.name, hook.received());
}

#[tokio::test]
async fn bots_talk_and_meet_in_a_group_in_a_real_grid_when_one_is_named() {
    let (Ok(uri), Some(first)) = (
        std::env::var("BOTGRID_TEST_GRID_URI"),
        account("BOTGRID_TEST_GRID_ACCOUNT"),
    ) else {
        eprintln!("BOTGRID_TEST_GRID_URI / BOTGRID_TEST_GRID_ACCOUNT not set: skipped");
        return;
    };
    let second = account("BOTGRID_TEST_GRID_ACCOUNT2");
    let group = std::env::var("BOTGRID_TEST_GRID_GROUP").ok();
    let grid = Grid::start_with(|s| s.engine.remote_lookup_wait = Duration::from_secs(10)).await;
    let hook = Receiver::start().await;
    let events = "online_status,instant_message,chat_message,group_invite,group_message";
    let a = remote_bot(&grid, &uri, &first).await;
    grid.callback(&a, &hook.url(), events).await;
    login(&grid, &a).await;
    let statuses: Vec<String> = hook
        .wait_for("online_status", 2)
        .await
        .into_iter()
        .map(|p| p["status"].clone())
        .collect();
    assert_eq!(statuses, ["CONNECTING", "ONLINE"]);
    let a_key = grid.call(&a, "status", &[]).await.get("uuid").to_owned();

    // The grid knows the bot by name; its key resolves back to the name.
    let r = grid.call(&a, "name2key", &[("name", &first.name)]).await;
    r.assert_ok_for("name2key");
    assert_eq!(
        r.get("key"),
        a_key,
        "status reports the bot's key in the grid"
    );
    let r = grid
        .call(&a, "key2name", &[("key", &a_key), ("request_case", "1")])
        .await;
    r.assert_ok_for("key2name");
    assert_eq!(r.get("name").to_lowercase(), first.name.to_lowercase());

    if let Some(second) = &second {
        let b = remote_bot(&grid, &uri, second).await;
        grid.callback(&b, &hook.url(), events).await;
        login(&grid, &b).await;
        let b_key = grid.call(&b, "status", &[]).await.get("uuid").to_owned();
        let r = grid.call(&a, "name2key", &[("name", &second.name)]).await;
        r.assert_ok_for("name2key");
        assert_eq!(r.get("key"), b_key);

        // IMs both ways, by name and by key.
        grid.ok(
            &a,
            "im",
            &[("slname", &second.name), ("message", "hello from botgrid")],
        )
        .await;
        let got = callback_to(&hook, &b, "the IM", |p| {
            p["action"] == "instant_message" && p["message"] == "hello from botgrid"
        })
        .await;
        assert_eq!(got["speaker_uuid"], a_key);
        assert_eq!(
            got["bot_uuid"], b_key,
            "callbacks name the bot by its grid key"
        );
        grid.ok(&b, "im", &[("slname", &a_key), ("message", "and back")])
            .await;
        let got = callback_to(&hook, &a, "the IM back", |p| {
            p["action"] == "instant_message" && p["message"] == "and back"
        })
        .await;
        assert_eq!(got["speaker_uuid"], b_key);

        // Local chat carries 20 m: the second bot teleports next to the first.
        let here = grid
            .call(&a, "status", &[])
            .await
            .get("location")
            .to_owned();
        grid.ok(&b, "teleport", &[("location", &here)]).await;
        assert_eq!(
            grid.call(&b, "status", &[]).await.get("location"),
            here,
            "the teleport answers once the grid has moved the bot"
        );
        grid.ok(
            &a,
            "say_chat_channel",
            &[("channel", "0"), ("message", "botgrid says hello nearby")],
        )
        .await;
        let got = callback_to(&hook, &b, "the chat", |p| {
            p["action"] == "chat_message" && p["message"] == "botgrid says hello nearby"
        })
        .await;
        assert_eq!(got["speaker_uuid"], a_key);

        if let Some(group) = &group {
            // The second bot starts outside the group (an earlier run may have left it in).
            let _ = grid.call(&b, "group_leave", &[("groupuuid", group)]).await;
            let r = grid.call(&a, "listgroups", &[]).await;
            r.assert_ok_for("listgroups");
            let listed = r
                .lines("groups")
                .into_iter()
                .find(|l| l.starts_with(group.as_str()))
                .unwrap_or_else(|| panic!("{group} is not among {:?}", r.lines("groups")));
            let group_name = listed
                .split_once(';')
                .map(|(_, n)| n.to_owned())
                .unwrap_or_default();
            grid.ok(
                &a,
                "group_invite",
                &[
                    ("groupuuid", group),
                    ("avatar", &b_key),
                    ("roleuuid", "00000000-0000-0000-0000-000000000000"),
                ],
            )
            .await;
            let invite = callback_to(&hook, &b, "the invitation", |p| {
                p["action"] == "group_invite" && p["group_uuid"] == *group
            })
            .await;
            assert_eq!(invite["group_name"], group_name);
            assert_eq!(invite["avatar_uuid"], a_key, "the inviter");
            grid.ok(
                &b,
                "group_offer_accept",
                &[
                    ("avatar_uuid", &invite["avatar_uuid"]),
                    ("session_id", &invite["session_id"]),
                    ("accept", "1"),
                ],
            )
            .await;
            let mut joined = false;
            for _ in 0..100 {
                let r = grid.call(&b, "listgroups", &[]).await;
                if r.lines("groups")
                    .iter()
                    .any(|l| l.starts_with(group.as_str()))
                {
                    joined = true;
                    break;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            assert!(joined, "accepting the invitation joined the group");
            grid.ok(
                &a,
                "send_group_im",
                &[("groupuuid", group), ("message", "hello group")],
            )
            .await;
            let got = callback_to(&hook, &b, "the group chat", |p| {
                p["action"] == "group_message" && p["message"] == "hello group"
            })
            .await;
            assert_eq!(got["group_uuid"], *group);
            assert_eq!(got["speaker_uuid"], a_key);
            grid.ok(&b, "group_leave", &[("groupuuid", group)]).await;
        }
        assert!(grid.call(&b, "logout", &[]).await.ok());
    }

    assert!(grid.call(&a, "logout", &[]).await.ok());
    let logged_out = callback_to(&hook, &a, "LOGGED_OUT", |p| {
        p["action"] == "online_status" && p["status"] == "LOGGED_OUT"
    })
    .await;
    assert_eq!(logged_out["bot_uuid"], a_key);
}
