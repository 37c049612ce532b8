//! im, typing_start / typing_stop and their callbacks.

use crate::harness::{Grid, Receiver};

#[tokio::test]
async fn an_im_reaches_the_other_bots_callback_by_name_and_by_uuid() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada Resident").await;
    let lin = grid.bot("Lin Resident").await;
    grid.login(&ada).await;
    grid.login(&lin).await;
    let hook = Receiver::start().await;
    grid.callback(&lin, &hook.url(), "instant_message").await;

    grid.call(
        &ada,
        "im",
        &[("slname", "lin"), ("message", "Hello & welcome, Lin!")],
    )
    .await
    .assert_ok_for("im");
    let uuid = lin.uuid.to_string();
    grid.call(&ada, "im", &[("slname", &uuid), ("message", "second")])
        .await
        .assert_ok_for("im");

    let got = hook.wait_for("instant_message", 2).await;
    assert_eq!(got[0]["message"], "Hello & welcome, Lin!");
    assert_eq!(got[0]["speaker_name"], "Ada Resident");
    assert_eq!(got[0]["speaker_uuid"], ada.uuid.to_string());
    assert_eq!(got[0]["speaker_type"], "AGENT");
    assert_eq!(got[0]["bot_name"], "Lin Resident");
    assert_eq!(got[0]["bot_uuid"], lin.uuid.to_string());
    assert_eq!(got[1]["message"], "second");
    let ids: Vec<u64> = got.iter().map(|p| p["event_id"].parse().unwrap()).collect();
    assert!(ids[0] < ids[1], "event ids grow in order: {ids:?}");
    assert!(
        hook.content_types()
            .iter()
            .all(|c| c == "application/x-www-form-urlencoded")
    );
    // Nothing else was sent, and nothing to the sender.
    assert_eq!(hook.settle().await.len(), 2);
}

#[tokio::test]
async fn an_im_to_an_offline_bot_waits_until_it_logs_in() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada").await;
    let lin = grid.bot("Lin").await;
    grid.login(&ada).await;
    let hook = Receiver::start().await;
    // Registering works while offline.
    grid.callback(&lin, &hook.url(), "instant_message,online_status")
        .await;
    for i in 0..3 {
        let text = format!("while you were away {i}");
        grid.call(
            &ada,
            "im",
            &[("slname", "Lin Resident"), ("message", &text)],
        )
        .await
        .assert_ok_for("im");
    }
    assert!(
        hook.settle().await.is_empty(),
        "nothing reaches an offline bot"
    );

    grid.login(&lin).await;
    let got = hook.wait_for("instant_message", 3).await;
    let texts: Vec<_> = got.iter().map(|p| p["message"].as_str()).collect();
    assert_eq!(
        texts,
        [
            "while you were away 0",
            "while you were away 1",
            "while you were away 2"
        ]
    );
    // They arrive after the bot is ONLINE, in the order of one stream.
    let all = hook.received();
    let actions: Vec<_> = all
        .iter()
        .map(|p| {
            format!(
                "{}:{}",
                p["action"],
                p.get("status").map(String::as_str).unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            "online_status:CONNECTING",
            "online_status:ONLINE",
            "instant_message:",
            "instant_message:",
            "instant_message:"
        ]
    );
    // Delivered once: logging out and in again brings nothing new.
    grid.call(&lin, "logout", &[]).await;
    grid.wait_status(&lin, "LOGGED OUT").await;
    grid.login(&lin).await;
    hook.wait_for("online_status", 6).await;
    assert_eq!(
        hook.settle()
            .await
            .iter()
            .filter(|p| p["action"] == "instant_message")
            .count(),
        3
    );
}

#[tokio::test]
async fn an_im_to_a_person_is_accepted_and_kept() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada").await;
    grid.person("Sam Resident").await;
    grid.login(&ada).await;
    grid.call(&ada, "im", &[("slname", "Sam"), ("message", "hi Sam")])
        .await
        .assert_ok_for("im");
}

#[tokio::test]
async fn im_rules() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada").await;
    grid.login(&ada).await;
    grid.call(&ada, "im", &[("slname", "Nobody Here"), ("message", "x")])
        .await
        .assert_fail("Avatar not found: Nobody Here");
    grid.call(&ada, "im", &[("slname", "Ada"), ("message", "x")])
        .await
        .assert_fail("A bot cannot send an IM to itself");
    grid.call(&ada, "im", &[("slname", "a b c"), ("message", "x")])
        .await
        .assert_fail("Invalid parameter: slname (a name has at most two words, First Last)");
    grid.call(&ada, "im", &[("slname", "Ada"), ("message", "   ")])
        .await
        .assert_fail("Invalid parameter: message (must not be empty)");
    let long = "é".repeat(512);
    grid.person("Sam").await;
    grid.call(&ada, "im", &[("slname", "Sam"), ("message", &long)])
        .await
        .assert_fail("Invalid parameter: message (is 1024 bytes long; the limit is 1023)");
}

#[tokio::test]
async fn typing_notices_reach_online_bots_only() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada").await;
    let lin = grid.bot("Lin").await;
    grid.login(&ada).await;
    let hook = Receiver::start().await;
    grid.callback(&lin, &hook.url(), "all").await;
    let lin_uuid = lin.uuid.to_string();
    // Lin is offline: the notice is dropped, not queued.
    grid.call(&ada, "typing_start", &[("uuid", &lin_uuid)])
        .await
        .assert_ok_for("typing_start");
    grid.login(&lin).await;
    hook.wait_for("online_status", 2).await;
    grid.call(
        &ada,
        "typing_start",
        &[("uuid", &lin_uuid), ("delay", "30")],
    )
    .await
    .assert_ok_for("typing_start");
    grid.call(&ada, "typing_stop", &[("uuid", &lin_uuid)])
        .await
        .assert_ok_for("typing_stop");
    let typing = hook.wait_for("start_typing", 1).await;
    assert_eq!(typing[0]["speaker_name"], "Ada Resident");
    assert_eq!(typing[0]["speaker_uuid"], ada.uuid.to_string());
    let after = hook.settle().await;
    assert_eq!(
        after
            .iter()
            .filter(|p| p["action"] == "start_typing")
            .count(),
        1
    );
    grid.call(&ada, "typing_start", &[("uuid", &lin_uuid), ("delay", "0")])
        .await
        .assert_fail("Invalid parameter: delay (expected a whole number from 1 to 3600)");
}

#[tokio::test]
async fn many_concurrent_ims_all_arrive_once_and_in_order_per_sender() {
    let grid = Grid::start_with(|s| s.engine.throttle = None).await;
    let lin = grid.bot("Lin").await;
    let senders = [
        grid.bot("Ada").await,
        grid.bot("Bea").await,
        grid.bot("Cal").await,
    ];
    grid.login(&lin).await;
    for s in &senders {
        grid.login(s).await;
    }
    let hook = Receiver::start().await;
    grid.callback(&lin, &hook.url(), "instant_message").await;
    let per_sender = 40;
    let mut tasks = Vec::new();
    for s in senders.clone() {
        let url = grid.url();
        let key = grid.api_key.clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            for i in 0..per_sender {
                let msg = format!("{i}");
                let r = client
                    .post(&url)
                    .form(&[
                        ("action", "im"),
                        ("apikey", &key),
                        ("botname", &s.name),
                        ("secret", &s.secret),
                        ("slname", "Lin"),
                        ("message", &msg),
                    ])
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap();
                assert!(r.contains("result=OK"), "{r}");
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let got = hook.wait_for("instant_message", 3 * per_sender).await;
    assert_eq!(hook.settle().await.len(), 3 * per_sender, "no duplicates");
    for s in &senders {
        let seq: Vec<usize> = got
            .iter()
            .filter(|p| p["speaker_name"] == s.name)
            .map(|p| p["message"].parse().unwrap())
            .collect();
        assert_eq!(
            seq,
            (0..per_sender).collect::<Vec<_>>(),
            "order from {}",
            s.name
        );
    }
}
