//! get_events: the long-poll feed over a bot's durable event log.

use crate::harness::{Bot, Grid};
use serde_json::Value;
use std::time::Duration;

async fn feed(grid: &Grid, bot: &Bot, params: &[(&str, &str)]) -> Value {
    let v = grid.call_json(bot, "get_events", params).await;
    assert_eq!(v["result"], "OK", "{v}");
    assert_eq!(
        v["count"],
        v["events"].as_array().unwrap().len().to_string()
    );
    v
}

fn messages(v: &Value) -> Vec<&str> {
    v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap_or(""))
        .collect()
}

async fn im(grid: &Grid, from: &Bot, to: &str, text: &str) {
    grid.call(from, "im", &[("slname", to), ("message", text)])
        .await
        .assert_ok_for("im");
}

#[tokio::test]
async fn a_bot_reads_its_events_by_long_poll_without_losing_any() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada").await;
    let lin = grid.bot("Lin").await;
    grid.login(&ada).await;
    grid.login(&lin).await;

    // The first call gives the position to start from.
    let start = feed(&grid, &lin, &[]).await;
    assert_eq!(start["count"], "0");
    let next = start["next"].as_str().unwrap().to_owned();

    // A waiting read answers as soon as an event arrives.
    let waiting = {
        let (grid_url, client) = (grid.url(), grid.client.clone());
        let (key, name, secret) = (grid.api_key.clone(), lin.name.clone(), lin.secret.clone());
        let next = next.clone();
        tokio::spawn(async move {
            client
                .get(grid_url)
                .query(&[
                    ("action", "get_events"),
                    ("apikey", &key),
                    ("botname", &name),
                    ("secret", &secret),
                    ("dataType", "json"),
                    ("after", &next),
                    ("wait", "60"),
                ])
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    im(&grid, &ada, "Lin", "wake up").await;
    let got = tokio::time::timeout(Duration::from_secs(20), waiting)
        .await
        .expect("the long poll answered before its wait ran out")
        .unwrap();
    assert_eq!(messages(&got), ["wake up"]);
    let event = &got["events"][0];
    assert_eq!(event["action"], "instant_message");
    assert_eq!(event["speaker_name"], "Ada Resident");
    assert_eq!(event["bot_name"], "Lin Resident");
    assert_eq!(got["next"], event["event_id"]);
    assert!(event.get("cid").is_none());

    // Events that arrive between reads wait in the log; `limit` pages through them.
    for i in 1..=3 {
        im(&grid, &ada, "Lin", &format!("m{i}")).await;
    }
    let page = feed(
        &grid,
        &lin,
        &[("after", got["next"].as_str().unwrap()), ("limit", "2")],
    )
    .await;
    assert_eq!(messages(&page), ["m1", "m2"]);
    let rest = feed(&grid, &lin, &[("after", page["next"].as_str().unwrap())]).await;
    assert_eq!(messages(&rest), ["m3"]);
    let nothing = feed(
        &grid,
        &lin,
        &[("after", rest["next"].as_str().unwrap()), ("wait", "0")],
    )
    .await;
    assert_eq!(nothing["count"], "0");
    assert_eq!(nothing["next"], rest["next"]);
    // Reading again from an old position reads the same events again.
    let again = feed(&grid, &lin, &[("after", page["next"].as_str().unwrap())]).await;
    assert_eq!(again["events"], rest["events"]);

    // A filter skips the other events, and the position moves past them.
    im(&grid, &ada, "Lin", "not wanted").await;
    grid.call(&ada, "typing_start", &[("uuid", &lin.uuid.to_string())])
        .await;
    let typing = feed(
        &grid,
        &lin,
        &[
            ("after", rest["next"].as_str().unwrap()),
            ("events", "start_typing"),
        ],
    )
    .await;
    assert_eq!(typing["count"], "1");
    assert_eq!(typing["events"][0]["action"], "start_typing");
    let after_typing = feed(
        &grid,
        &lin,
        &[("after", typing["next"].as_str().unwrap()), ("wait", "0")],
    )
    .await;
    assert_eq!(
        after_typing["count"], "0",
        "the skipped IM is not sent later"
    );

    // The log is durable: a position survives a restart.
    let grid = grid.restart().await;
    grid.login(&ada).await;
    im(&grid, &ada, "Lin", "after restart").await;
    let later = feed(&grid, &lin, &[("after", typing["next"].as_str().unwrap())]).await;
    assert!(messages(&later).contains(&"after restart"), "{later}");
}

#[tokio::test]
async fn feed_errors_are_clear() {
    let grid = Grid::start().await;
    let lin = grid.bot("Lin").await;
    let fail = |v: &Value| v["resulttext"].as_str().unwrap_or("").to_owned();
    for (params, expected) in [
        (vec![("wait", "61")], "wait"),
        (vec![("limit", "0")], "limit"),
        (vec![("after", "-1")], "after"),
        (vec![("after", "abc")], "after"),
        (vec![("events", "no_such_event")], "no_such_event"),
    ] {
        let v = grid.call_json(&lin, "get_events", &params).await;
        assert_eq!(v["result"], "FAIL", "{params:?}: {v}");
        assert!(fail(&v).contains(expected), "{params:?}: {v}");
    }
    grid.call(&lin, "get_events", &[])
        .await
        .assert_fail("This command requires dataType=json");
    let mut wrong = lin.clone();
    wrong.secret = "wrong-secret".into();
    let v = grid.call_json(&wrong, "get_events", &[]).await;
    assert_eq!(v["result"], "FAIL");
    assert!(v.get("next").is_none());
}
