//! The per-bot messaging throttle.

use crate::harness::Grid;

#[tokio::test]
async fn messaging_over_the_limit_is_throttled_with_retry_after() {
    let grid = Grid::start_with(|s| {
        s.engine.throttle = Some(engine::ThrottleConfig {
            per_second: 1,
            burst: 3,
        })
    })
    .await;
    let ada = grid.bot("Ada").await;
    let lin = grid.bot("Lin").await;
    grid.login(&ada).await;
    grid.login(&lin).await;
    for _ in 0..3 {
        grid.call(&ada, "im", &[("slname", "Lin"), ("message", "hi")])
            .await
            .assert_ok_for("im");
    }
    let r = grid
        .call(
            &ada,
            "im",
            &[("slname", "Lin"), ("message", "one too many")],
        )
        .await;
    r.assert_fail("Frequent API requests throttled");
    let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry), "Retry-After {retry}");
    // Typing counts too; status does not; another bot has its own bucket.
    grid.call(&ada, "typing_start", &[("uuid", &lin.uuid.to_string())])
        .await
        .assert_fail("Frequent API requests throttled");
    assert!(grid.call(&ada, "status", &[]).await.ok());
    grid.call(&lin, "im", &[("slname", "Ada"), ("message", "hi")])
        .await
        .assert_ok_for("im");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    grid.call(&ada, "im", &[("slname", "Lin"), ("message", "later")])
        .await
        .assert_ok_for("im");
}

#[tokio::test]
async fn a_throttled_im_is_not_delivered() {
    let grid = Grid::start_with(|s| {
        s.engine.throttle = Some(engine::ThrottleConfig {
            per_second: 1,
            burst: 1,
        })
    })
    .await;
    let ada = grid.bot("Ada").await;
    let lin = grid.bot("Lin").await;
    grid.login(&ada).await;
    grid.login(&lin).await;
    let hook = crate::harness::Receiver::start().await;
    grid.callback(&lin, &hook.url(), "instant_message").await;
    assert!(
        grid.call(&ada, "im", &[("slname", "Lin"), ("message", "1")])
            .await
            .ok()
    );
    assert!(
        !grid
            .call(&ada, "im", &[("slname", "Lin"), ("message", "2")])
            .await
            .ok()
    );
    let got = hook.wait_for("instant_message", 1).await;
    assert_eq!(got[0]["message"], "1");
    assert_eq!(hook.settle().await.len(), 1);
}
