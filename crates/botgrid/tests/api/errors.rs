//! Every way a request can be wrong gets a clear FAIL, never a panic or a half-done change.

use crate::harness::Grid;

#[tokio::test]
async fn credentials_are_checked_in_order() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada").await;
    grid.person("Sam").await;
    let key = grid.api_key.clone();
    let base = |k: &'static str, v: &str| -> Vec<(String, String)> {
        let mut p = vec![
            ("action".to_owned(), "status".to_owned()),
            ("apikey".to_owned(), key.clone()),
            ("botname".to_owned(), ada.name.clone()),
            ("secret".to_owned(), ada.secret.clone()),
        ];
        p.retain(|(n, _)| n != k);
        if !v.is_empty() {
            p.push((k.to_owned(), v.to_owned()));
        }
        p
    };
    let call = |p: Vec<(String, String)>| {
        let grid = &grid;
        async move {
            let refs: Vec<(&str, &str)> = p.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
            grid.get_raw(&refs).await
        }
    };
    call(base("apikey", ""))
        .await
        .assert_fail("Missing parameter: apikey");
    call(base("botname", ""))
        .await
        .assert_fail("Missing parameter: botname");
    call(base("secret", ""))
        .await
        .assert_fail("Missing parameter: secret");
    call(base("apikey", "bgk_not_a_real_key_at_all"))
        .await
        .assert_fail("INVALID APIKEY");
    call(base("botname", "Nobody Resident"))
        .await
        .assert_fail("BOT NOT EXISTS");
    call(base("botname", "Sam Resident"))
        .await
        .assert_fail("BOT NOT EXISTS");
    call(base("secret", "wrong-code"))
        .await
        .assert_fail("INVALID SECRET");
    call(base("secret", "bgt_not_a_token"))
        .await
        .assert_fail("INVALID SECRET");
    call(base("action", ""))
        .await
        .assert_fail("Missing parameter: action");
    let r = call(base("action", "fly_to_moon")).await;
    r.assert_fail("Unknown action: fly_to_moon");
    assert_eq!(r.get("action"), "fly_to_moon");
}

#[tokio::test]
async fn commands_that_need_the_world_fail_while_offline() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada").await;
    grid.person("Sam").await;
    grid.call(&ada, "im", &[("slname", "Sam"), ("message", "hi")])
        .await
        .assert_fail("BOT OFFLINE");
    grid.call(&ada, "name2key", &[("name", "Sam")])
        .await
        .assert_fail("BOT OFFLINE");
    // These work offline.
    assert!(grid.call(&ada, "status", &[]).await.ok());
    assert!(
        grid.call(&ada, "set_http_callback", &[("url", "")])
            .await
            .ok()
    );
}

#[tokio::test]
async fn malformed_encodings_are_refused_by_name() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada").await;
    grid.login(&ada).await;
    let esc = |s: &str| smartbots::reply::escape(s);
    let creds = format!(
        "apikey={}&botname={}&secret={}",
        esc(&grid.api_key),
        esc(&ada.name),
        esc(&ada.secret)
    );
    let post = |body: Vec<u8>| grid.post_raw("", body, "text/plain");
    let r =
        post(format!("action=im&{creds}&slname=Ada&message=100%ZZ&custom=k").into_bytes()).await;
    r.assert_fail("Malformed percent-encoding in parameter: message");
    assert_eq!(
        r.get("custom"),
        "k",
        "custom is echoed even on a broken request"
    );
    let r = post(format!("action=im&{creds}&slname=Ada&message=%FF%FE").into_bytes()).await;
    r.assert_fail("Parameter is not valid UTF-8: message");
    let mut raw = format!("action=im&{creds}&slname=Ada&message=").into_bytes();
    raw.extend_from_slice(&[0xC3, 0x28]);
    post(raw)
        .await
        .assert_fail("Parameter is not valid UTF-8: message");
    let r = grid
        .post_raw(
            &format!("action=status&{creds}"),
            "action=im",
            "application/x-www-form-urlencoded",
        )
        .await;
    r.assert_fail("Duplicate parameter: action");
    grid.post_raw("", "[1,2]", "application/json")
        .await
        .assert_fail("Malformed JSON body: the body must be a JSON object");
    let r = grid
        .post_raw(
            &format!("dataType=json&{creds}"),
            "{\"action\":",
            "application/json",
        )
        .await;
    assert_eq!(r.get("result"), "FAIL");
    assert!(
        r.get("resulttext").starts_with("Malformed JSON body"),
        "{}",
        r.raw
    );
    assert!(
        r.raw.starts_with('{'),
        "dataType from the query still applies: {}",
        r.raw
    );
}

#[tokio::test]
async fn oversize_bodies_and_other_methods() {
    let grid = Grid::start().await;
    let big = format!("action=status&message={}", "a".repeat(70 * 1024));
    grid.post_raw("custom=big", big, "text/plain")
        .await
        .assert_fail("Request body too large (limit 65536 bytes)");
    let res = grid
        .client
        .put(grid.url())
        .body("action=status")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["allow"], "GET, POST");
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("resulttext=Use%20GET%20or%20POST")
    );
    // The server is still fine.
    let ada = grid.bot("Ada").await;
    assert!(grid.call(&ada, "status", &[]).await.ok());
}

#[tokio::test]
async fn bad_parameter_values_name_the_parameter_and_change_nothing() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada").await;
    grid.login(&ada).await;
    grid.call(&ada, "offer_friendship", &[("avatar", "not-a-uuid")])
        .await
        .assert_fail("Invalid parameter: avatar (expected a UUID)");
    grid.call(&ada, "typing_start", &[])
        .await
        .assert_fail("Missing parameter: uuid");
    grid.call(
        &ada,
        "friendship_offer_accept",
        &[("avatar_uuid", &ada.uuid.to_string()), ("session_id", "x")],
    )
    .await
    .assert_fail("Invalid parameter: session_id (expected a UUID)");
    grid.call(
        &ada,
        "edit_friendship",
        &[("slkey", &ada.uuid.to_string()), ("can_edit", "maybe")],
    )
    .await
    .assert_fail("Invalid parameter: can_edit (expected 1 or 0)");
    grid.call(
        &ada,
        "set_http_callback",
        &[("url", "ftp://x/"), ("events", "all")],
    )
    .await
    .assert_fail("Invalid parameter: url (must start with http:// or https://)");
    // None of these left a trace.
    assert_eq!(
        grid.call_json(&ada, "friends", &[]).await["friends"],
        serde_json::json!([])
    );
}
