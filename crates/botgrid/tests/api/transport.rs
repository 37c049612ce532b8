//! GET and POST, every body encoding, both reply formats, echoes.

use crate::harness::Grid;

#[tokio::test]
async fn get_and_every_kind_of_post_give_the_same_answer() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada Resident").await;
    let esc = |s: &str| smartbots::reply::escape(s);
    let body = format!(
        "action=status&apikey={}&botname={}&secret={}&custom=c%201",
        esc(&grid.api_key),
        esc(&ada.name),
        esc(&ada.secret)
    );
    // LSL's llHTTPRequest sends text/plain.
    let lsl = grid
        .post_raw("", body.clone(), "text/plain;charset=utf-8")
        .await;
    let form = grid
        .post_raw("", body.clone(), "application/x-www-form-urlencoded")
        .await;
    let get = grid.post_raw(&body, "", "text/plain").await;
    let split = grid
        .post_raw(
            "action=status&custom=c+1",
            format!(
                "apikey={}&botname={}&secret={}",
                esc(&grid.api_key),
                esc(&ada.name),
                esc(&ada.secret)
            ),
            "text/plain",
        )
        .await;
    let json = grid
        .post_raw(
            "",
            serde_json::json!({"action":"status","apikey":grid.api_key,"botname":ada.name,"secret":ada.secret,"custom":"c 1"})
                .to_string(),
            "application/json",
        )
        .await;
    for r in [&lsl, &form, &get, &split, &json] {
        r.assert_ok_for("status");
        assert_eq!(r.get("slname"), "Ada Resident");
        assert_eq!(r.get("custom"), "c 1");
        assert_eq!(r.get("action"), "status");
        assert_eq!(r.status, 200);
    }
    assert_eq!(lsl.raw, form.raw);
    assert_eq!(lsl.raw, get.raw);
    // Replies escape spaces as %20 so LSL's llUnescapeURL reads them back.
    assert!(lsl.raw.contains("slname=Ada%20Resident"), "{}", lsl.raw);
    assert!(!lsl.raw.contains('+'));
    assert_eq!(lsl.headers["content-type"], "text/plain; charset=utf-8");
}

#[tokio::test]
async fn json_replies_carry_the_same_keys() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada").await;
    let v = grid.call_json(&ada, "status", &[("custom", "x")]).await;
    assert_eq!(v["result"], "OK");
    assert_eq!(v["action"], "status");
    assert_eq!(v["status"], "LOGGED OUT");
    assert_eq!(v["online"], "0");
    assert_eq!(v["custom"], "x");
    // Failures too.
    let v = grid.call_json(&ada, "im", &[]).await;
    assert_eq!(v["result"], "FAIL");
    assert_eq!(v["resulttext"], "Missing parameter: slname");
    // dataType is matched in any case.
    let r = grid
        .get_raw(&[
            ("action", "status"),
            ("apikey", &grid.api_key),
            ("botname", &ada.name),
            ("secret", &ada.secret),
            ("DATATYPE", "JSON"),
        ])
        .await;
    assert!(r.raw.starts_with('{'), "{}", r.raw);
}

#[tokio::test]
async fn action_names_ignore_case_and_are_echoed_as_sent() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada").await;
    let r = grid.call(&ada, "STATUS", &[]).await;
    r.assert_ok_for("status");
    assert_eq!(r.get("action"), "STATUS");
}

#[tokio::test]
async fn the_bot_may_be_named_by_uuid_or_single_name_in_any_case() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada Resident").await;
    for name in [
        ada.uuid.to_string(),
        "ada".to_owned(),
        "ADA resident".to_owned(),
        "ada.resident".to_owned(),
    ] {
        let r = grid
            .get_raw(&[
                ("action", "status"),
                ("apikey", &grid.api_key),
                ("botname", &name),
                ("secret", &ada.secret),
            ])
            .await;
        assert!(r.ok(), "{name}: {}", r.raw);
    }
}

#[tokio::test]
async fn healthz_answers_and_metrics_count_commands_and_errors() {
    let grid = Grid::start().await;
    let r = grid
        .client
        .get(format!("http://{}/healthz", grid.running.http))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.text().await.unwrap(), "ok\n");

    let ada = grid.bot("Ada Resident").await;
    grid.ok(&ada, "status", &[]).await;
    let wrong = crate::harness::Bot {
        secret: "not-the-code".into(),
        ..ada.clone()
    };
    grid.call(&wrong, "status", &[])
        .await
        .assert_fail("INVALID SECRET");
    let r = grid
        .client
        .get(format!("http://{}/metrics", grid.running.http))
        .send()
        .await
        .unwrap();
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = r.text().await.unwrap();
    // The registry is the process's: other tests count too, so look for at least one.
    let value = |series: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(series).and_then(|v| v.trim().parse().ok()))
            .unwrap_or_else(|| panic!("{series} in\n{text}"))
    };
    assert!(value(r#"botgrid_requests_total{api="smartbots",command="status"} "#) >= 2.0);
    assert!(value(r#"botgrid_request_errors_total{api="smartbots",kind="InvalidSecret"} "#) >= 1.0);
    assert!(value("botgrid_store_commit_seconds_count ") >= 1.0);
    assert!(value(r#"botgrid_command_seconds_count{api="smartbots",command="status"} "#) >= 2.0);
    assert!(text.contains("# TYPE botgrid_websocket_sessions gauge"));
    assert!(text.contains("# TYPE botgrid_callbacks_delivered_total counter"));
}
