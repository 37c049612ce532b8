//! set_http_callback and delivery: several URLs, filters, failures, outages, restarts.

use crate::cli::admin;
use crate::harness::{Attempt, Grid, Receiver};
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
    // Let the cursor be saved (positions are saved every 200 ms), then take the
    // receiver "down" by failing everything.
    tokio::time::sleep(Duration::from_millis(600)).await;
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

/// Checks a Standard Webhooks signature the way a receiver would, independently of
/// botgrid's code: HMAC-SHA256 over `id.timestamp.body`, keyed with the secret's bytes.
pub fn signed_with(secret: &str, a: &Attempt) -> bool {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use hmac::Mac as _;
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").expect("a whsec_ secret"))
        .unwrap();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{}.{}.{}", a.id, a.timestamp, a.body).as_bytes());
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    a.signature.split(' ').any(|s| s == expected)
}

#[tokio::test]
async fn posts_are_signed_retries_keep_their_id_and_secrets_rotate() {
    let grid = Grid::start().await;
    let (ada, lin) = two_online_bots(&grid).await;
    let hook = Receiver::start().await;
    let r = grid
        .call(
            &lin,
            "set_http_callback",
            &[("url", &hook.url()), ("events", "instant_message")],
        )
        .await;
    r.assert_ok_for("set_http_callback");
    let secret = r.get("webhook_secret").to_owned();
    assert!(secret.starts_with("whsec_"), "{}", r.raw);
    let again = grid
        .call(
            &lin,
            "set_http_callback",
            &[("url", &hook.url()), ("events", "start_typing")],
        )
        .await;
    assert!(
        !again.has("webhook_secret"),
        "the secret is shown only once"
    );

    hook.fail_next(2);
    im(&grid, &ada, "Lin", "signed").await;
    let got = hook.wait_for("instant_message", 1).await;
    let attempts = hook.signed();
    assert_eq!(attempts.len(), 3, "two failures, then delivered");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    for a in &attempts {
        assert_eq!(a.id, got[0]["event_id"], "webhook-id is the event id");
        assert!(signed_with(&secret, a), "{a:?}");
        let ts: i64 = a.timestamp.parse().unwrap();
        assert!((now - ts).abs() < 60, "webhook-timestamp is now: {ts}");
    }
    let mut tampered = attempts[2].clone();
    tampered.body.push_str("&amount=1000");
    assert!(!signed_with(&secret, &tampered));
    assert!(!signed_with(
        &grid::secret::new_signing_secret(),
        &attempts[2]
    ));

    // Rotation: the new secret signs at once beside the old one, until it lapses.
    let cid = got[0]["cid"].clone();
    let rotated = admin(&grid, &["callbacks", "rotate", &cid]);
    let new_secret = rotated["signing_secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, secret);
    let last = last_attempt_after(&grid, &ada, &hook, |a| signed_with(&new_secret, a)).await;
    assert!(signed_with(&secret, &last), "the old secret still signs");
    assert_eq!(last.signature.split(' ').count(), 2);
    admin(&grid, &["callbacks", "rotate", &cid, "--keep-hours", "0"]);
    let last = last_attempt_after(&grid, &ada, &hook, |a| !signed_with(&new_secret, a)).await;
    assert_eq!(last.signature.split(' ').count(), 1, "{last:?}");
}

/// Runs `botgrid admin --json …` until its answer passes `done` (or fails after 10 s);
/// returns that answer.
async fn admin_until(
    grid: &Grid,
    args: &[&str],
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let answer = admin(grid, args);
        if done(&answer) {
            return answer;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "admin {args:?} never got there: {answer}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Sends IMs to Lin until the newest POST passes `check` (the server learns of changes
/// made by `botgrid admin` within its rescan interval).
async fn last_attempt_after(
    grid: &Grid,
    from: &crate::harness::Bot,
    hook: &Receiver,
    check: impl Fn(&Attempt) -> bool,
) -> Attempt {
    for i in 0..40 {
        let before = hook.received().len();
        im(grid, from, "Lin", &format!("probe {i}")).await;
        hook.wait_for("instant_message", before + 1).await;
        let last = hook.signed().pop().unwrap();
        if check(&last) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "the change never reached delivery: {:?}",
        hook.signed().pop()
    );
}

#[tokio::test]
async fn deliveries_past_the_horizon_are_kept_dead_and_can_be_replayed() {
    let grid = Grid::start_with(|s| s.callbacks.horizon = Duration::from_millis(500)).await;
    let (ada, lin) = two_online_bots(&grid).await;
    let hook = Receiver::start().await;
    grid.callback(&lin, &hook.url(), "instant_message").await;
    hook.fail_next(u32::MAX);
    im(&grid, &ada, "Lin", "lost 1").await;
    im(&grid, &ada, "Lin", "lost 2").await;
    let dead = admin_until(&grid, &["callbacks", "failed", "--dead"], |dead| {
        dead.as_array().unwrap().len() == 2
    })
    .await;
    for d in dead.as_array().unwrap() {
        assert_eq!(d["state"], "dead");
        assert_eq!(d["last_error"], "HTTP 500");
        assert!(d["attempts"].as_u64().unwrap() >= 2, "{d}");
    }
    // Delivery goes on past them.
    hook.fail_next(0);
    im(&grid, &ada, "Lin", "after").await;
    assert_eq!(
        hook.wait_for("instant_message", 1).await[0]["message"],
        "after"
    );
    let list = admin(&grid, &["callbacks", "list"]);
    assert_eq!(list[0]["dead"], 2, "{list}");
    assert_eq!(list[0]["bot"], "Lin Resident");

    let replay = admin(&grid, &["callbacks", "replay"]);
    assert_eq!(replay["replaying"], 2);
    let got = hook.wait_for("instant_message", 3).await;
    let mut replayed: Vec<(String, String)> = got[1..]
        .iter()
        .map(|p| (p["message"].clone(), p["event_id"].clone()))
        .collect();
    replayed.sort();
    let mut expected: Vec<(String, String)> = dead
        .as_array()
        .unwrap()
        .iter()
        .zip(["lost 1", "lost 2"])
        .map(|(d, m)| (m.to_owned(), d["event"].to_string()))
        .collect();
    expected.sort();
    assert_eq!(replayed, expected, "the same events, with their ids");
    admin_until(&grid, &["callbacks", "failed"], |f| {
        f.as_array().unwrap().is_empty()
    })
    .await;
    assert_eq!(hook.settle().await.len(), 3, "nothing twice");
}

#[tokio::test]
async fn overlapping_posts_share_one_limit_per_receiver() {
    let grid = Grid::start_with(|s| {
        s.callbacks.in_flight = 8;
        s.callbacks.per_receiver = 3;
    })
    .await;
    let (ada, lin) = two_online_bots(&grid).await;
    let hook = Receiver::start().await;
    hook.delay(150);
    grid.callback(&lin, &hook.url(), "instant_message").await;
    grid.callback(
        &ada,
        &format!("http://{}/ada", hook.addr),
        "instant_message",
    )
    .await;
    hook.fail_next(1);
    for i in 0..6 {
        im(&grid, &ada, "Lin", &format!("to lin {i}")).await;
        im(&grid, &lin, "Ada", &format!("to ada {i}")).await;
    }
    let got = hook.wait_for("instant_message", 12).await;
    let mut ids: Vec<&str> = got.iter().map(|p| p["event_id"].as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 12, "each event once, the failed one retried");
    assert_eq!(hook.most_at_once(), 3, "both registrations share the limit");
    assert_eq!(hook.settle().await.len(), 12);
}

#[tokio::test]
async fn with_overlap_a_refused_event_does_not_hold_up_the_rest_and_outlives_a_restart() {
    let grid = Grid::start_with(|s| s.callbacks.in_flight = 4).await;
    let (ada, lin) = two_online_bots(&grid).await;
    let hook = Receiver::start().await;
    grid.callback(&lin, &hook.url(), "instant_message").await;
    hook.refuse_containing(Some("poison"));
    im(&grid, &ada, "Lin", "poison").await;
    for i in 0..5 {
        im(&grid, &ada, "Lin", &format!("fine {i}")).await;
    }
    hook.wait_for("instant_message", 5).await;
    // The delivery position moves past the refused event; its failure is on record.
    admin_until(&grid, &["callbacks", "list"], |list| {
        list[0]["delivered_up_to"] == list[0]["newest_event"] && list[0]["retrying"] == 1
    })
    .await;
    let failed = admin(&grid, &["callbacks", "failed"]);
    assert_eq!(failed[0]["state"], "retrying", "{failed}");

    // After a restart the failure row brings it back; once accepted, the row goes.
    let grid = grid.restart().await;
    hook.refuse_containing(None);
    let got = hook.wait_for_field("message", "poison").await;
    assert_eq!(got["event_id"], failed[0]["event"].to_string());
    admin_until(&grid, &["callbacks", "failed"], |f| {
        f.as_array().unwrap().is_empty()
    })
    .await;
    let messages: Vec<String> = hook
        .settle()
        .await
        .iter()
        .map(|p| p["message"].clone())
        .collect();
    assert_eq!(messages.len(), 6, "each once: {messages:?}");
}
