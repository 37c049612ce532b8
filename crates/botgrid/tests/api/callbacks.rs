//! set_http_callback and delivery: several URLs, filters, failures, outages, restarts.

use crate::harness::{Grid, Receiver};
use std::time::Duration;

async fn two_online_bots(grid: &Grid) -> (crate::harness::Bot, crate::harness::Bot) {
    let ada = grid.bot("Ada").await;
    let lin = grid.bot("Lin").await;
    grid.login(&ada).await;
    grid.login(&lin).await;
    (ada, lin)
}

async fn im(grid: &Grid, from: &crate::harness::Bot, to: &str, text: &str) {
    grid.call(from, "im", &[("slname", to), ("message", text)])
        .await
        .assert_ok_for("im");
}

#[tokio::test]
async fn each_url_gets_the_events_it_asked_for() {
    let grid = Grid::start().await;
    let (ada, lin) = two_online_bots(&grid).await;
    let a = Receiver::start().await;
    let b = Receiver::start().await;
    grid.callback(&lin, &a.url(), "instant_message").await;
    grid.callback(&lin, &b.url(), "start_typing").await;
    // Adding to a registration extends it.
    grid.callback(&lin, &b.url(), "instant_message").await;
    im(&grid, &ada, "Lin", "one").await;
    grid.call(&ada, "typing_start", &[("uuid", &lin.uuid.to_string())])
        .await;
    a.wait_for("instant_message", 1).await;
    b.wait_for("instant_message", 1).await;
    b.wait_for("start_typing", 1).await;
    assert!(
        a.settle()
            .await
            .iter()
            .all(|p| p["action"] == "instant_message")
    );
    let cid_a = a.received()[0]["cid"].clone();
    let cid_b = b.received()[0]["cid"].clone();
    assert_ne!(cid_a, cid_b, "each registration has its own id");
    assert_eq!(
        a.received()[0]["event_id"],
        b.of("instant_message")[0]["event_id"],
        "same event, same id"
    );

    // Removing an event from a registration; removing the last one removes the URL.
    let r = grid
        .call(
            &lin,
            "set_http_callback",
            &[
                ("url", &b.url()),
                ("events", "instant_message"),
                ("operation", "remove"),
            ],
        )
        .await;
    r.assert_ok_for("set_http_callback");
    grid.call(
        &lin,
        "set_http_callback",
        &[
            ("url", &a.url()),
            ("events", "all"),
            ("operation", "remove"),
        ],
    )
    .await
    .assert_ok_for("set_http_callback");
    im(&grid, &ada, "Lin", "two").await;
    grid.call(&ada, "typing_start", &[("uuid", &lin.uuid.to_string())])
        .await;
    b.wait_for("start_typing", 2).await;
    assert_eq!(a.settle().await.len(), 1, "a no longer receives anything");
    assert_eq!(b.of("instant_message").len(), 1, "b no longer receives IMs");

    // An empty URL removes everything.
    grid.call(&lin, "set_http_callback", &[("url", "")])
        .await
        .assert_ok_for("set_http_callback");
    grid.call(&ada, "typing_start", &[("uuid", &lin.uuid.to_string())])
        .await;
    assert_eq!(b.settle().await.len(), 3);
}

#[tokio::test]
async fn registration_rules() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada").await;
    grid.call(
        &ada,
        "set_http_callback",
        &[
            ("url", "http://127.0.0.1:9/x"),
            ("events", "instant_message,nonsense"),
        ],
    )
    .await
    .assert_fail("Invalid parameter: events (unknown event nonsense)");
    grid.call(
        &ada,
        "set_http_callback",
        &[("url", "http://127.0.0.1:9/x")],
    )
    .await
    .assert_fail("Missing parameter: events");
    grid.call(&ada, "set_http_callback", &[("events", "all")])
        .await
        .assert_fail("Missing parameter: url");
    grid.call(
        &ada,
        "set_http_callback",
        &[
            ("url", "http://127.0.0.1:9/x"),
            ("events", "all"),
            ("operation", "replace"),
        ],
    )
    .await
    .assert_fail("Invalid parameter: operation (expected add or remove)");
    // Events SmartBots documents but botgrid does not raise yet can be registered.
    grid.call(
        &ada,
        "set_http_callback",
        &[
            ("url", "http://127.0.0.1:9/0"),
            ("events", "group_invite,chat_message"),
        ],
    )
    .await
    .assert_ok_for("set_http_callback");
    for i in 1..10 {
        let url = format!("http://127.0.0.1:9/{i}");
        assert!(
            grid.call(
                &ada,
                "set_http_callback",
                &[("url", &url), ("events", "all")]
            )
            .await
            .ok()
        );
    }
    grid.call(
        &ada,
        "set_http_callback",
        &[("url", "http://127.0.0.1:9/10"), ("events", "all")],
    )
    .await
    .assert_fail("Too many callback URLs (at most 10)");
}

#[tokio::test]
async fn a_failing_receiver_gets_every_event_in_order_with_stable_ids() {
    let grid = Grid::start().await;
    let (ada, lin) = two_online_bots(&grid).await;
    let hook = Receiver::start().await;
    grid.callback(&lin, &hook.url(), "instant_message").await;
    hook.fail_next(3);
    for i in 0..5 {
        im(&grid, &ada, "Lin", &format!("m{i}")).await;
    }
    let got = hook.wait_for("instant_message", 5).await;
    let texts: Vec<_> = got.iter().map(|p| p["message"].as_str()).collect();
    assert_eq!(texts, ["m0", "m1", "m2", "m3", "m4"]);
    assert_eq!(hook.attempts(), 8, "three failed attempts, then one each");
    assert_eq!(hook.settle().await.len(), 5);
}

#[tokio::test]
async fn a_receiver_that_times_out_is_retried() {
    let grid = Grid::start_with(|s| s.callbacks.timeout = Duration::from_millis(300)).await;
    let (ada, lin) = two_online_bots(&grid).await;
    let hook = Receiver::start().await;
    grid.callback(&lin, &hook.url(), "instant_message").await;
    hook.stall_next(2);
    im(&grid, &ada, "Lin", "patience").await;
    im(&grid, &ada, "Lin", "next").await;
    let got = hook.wait_for("instant_message", 2).await;
    assert_eq!(got[0]["message"], "patience");
    assert_eq!(got[1]["message"], "next");
    assert!(
        hook.attempts() >= 4,
        "two timed-out attempts, then one each"
    );
}

#[tokio::test]
async fn events_wait_out_a_receiver_that_is_down() {
    let grid = Grid::start().await;
    let (ada, lin) = two_online_bots(&grid).await;
    let addr = Receiver::free_addr().await;
    grid.callback(&lin, &format!("http://{addr}/hook"), "instant_message")
        .await;
    for i in 0..4 {
        im(&grid, &ada, "Lin", &format!("m{i}")).await;
    }
    // Let several deliveries fail against the closed port.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let hook = Receiver::start_on(addr).await;
    let got = hook.wait_for("instant_message", 4).await;
    let texts: Vec<_> = got.iter().map(|p| p["message"].as_str()).collect();
    assert_eq!(texts, ["m0", "m1", "m2", "m3"]);
    im(&grid, &ada, "Lin", "after").await;
    assert_eq!(
        hook.wait_for("instant_message", 5).await[4]["message"],
        "after"
    );
}

#[tokio::test]
async fn undelivered_events_survive_a_restart_and_delivered_ones_are_not_repeated() {
    let grid = Grid::start().await;
    let (ada, lin) = two_online_bots(&grid).await;
    let hook = Receiver::start().await;
    grid.callback(&lin, &hook.url(), "instant_message").await;
    im(&grid, &ada, "Lin", "before").await;
    hook.wait_for("instant_message", 1).await;
    // Let the cursor be saved, then take the receiver "down" by failing everything.
    tokio::time::sleep(Duration::from_millis(200)).await;
    hook.fail_next(u32::MAX);
    im(&grid, &ada, "Lin", "during 1").await;
    im(&grid, &ada, "Lin", "during 2").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let grid = grid.restart().await;
    hook.fail_next(0);
    let got = hook.wait_for("instant_message", 3).await;
    let texts: Vec<_> = got.iter().map(|p| p["message"].as_str()).collect();
    assert_eq!(texts, ["before", "during 1", "during 2"]);
    im(&grid, &ada, "Lin", "after restart").await;
    hook.wait_for("instant_message", 4).await;
    assert_eq!(hook.settle().await.len(), 4);
}
