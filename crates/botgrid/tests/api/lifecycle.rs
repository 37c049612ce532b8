//! login / logout / status and the online_status callback.

use crate::harness::{Grid, Receiver};
use std::time::Duration;

#[tokio::test]
async fn login_moves_through_connecting_to_online_and_logout_back() {
    let grid = Grid::start_with(|s| {
        s.engine.login_delay = Duration::from_millis(400);
        s.engine.logout_delay = Duration::from_millis(400);
    })
    .await;
    let ada = grid.bot("Ada Resident").await;
    let hook = Receiver::start().await;
    grid.callback(&ada, &hook.url(), "online_status").await;

    let status = grid.call(&ada, "status", &[]).await;
    status.assert_ok_for("status");
    assert_eq!(status.get("status"), "LOGGED OUT");
    assert_eq!(status.get("online"), "0");
    assert_eq!(status.get("slname"), "Ada Resident");
    assert_eq!(status.get("uuid"), ada.uuid.to_string());

    let login = grid
        .call(&ada, "login", &[("location", "Harbour Town/10/20/30")])
        .await;
    login.assert_ok_for("login");
    assert_eq!(login.get("action"), "login");
    // OK came at once; the bot is still on its way in.
    let during = grid.call(&ada, "status", &[]).await;
    assert_eq!(during.get("status"), "CONNECTING");
    assert_eq!(during.get("online"), "0");
    grid.wait_status(&ada, "ONLINE").await;
    let online = grid.call(&ada, "status", &[]).await;
    assert_eq!(online.get("online"), "1");
    assert_eq!(online.get("location"), "Harbour Town/10/20/30");

    let events = hook.wait_for("online_status", 2).await;
    assert_eq!(events[0]["status"], "CONNECTING");
    assert_eq!(events[1]["status"], "ONLINE");
    assert_eq!(events[1]["location"], "Harbour Town/10/20/30");
    assert_eq!(events[1]["bot_name"], "Ada Resident");
    assert_eq!(events[1]["bot_uuid"], ada.uuid.to_string());

    // A second login while online is accepted and changes nothing.
    assert!(grid.call(&ada, "login", &[]).await.ok());
    assert!(grid.call(&ada, "logout", &[]).await.ok());
    let leaving = grid.call(&ada, "status", &[]).await;
    assert_eq!(leaving.get("status"), "LOGGED OUT");
    assert_eq!(leaving.get("online"), "0");
    let events = hook.wait_for("online_status", 4).await;
    let statuses: Vec<_> = events.iter().map(|e| e["status"].as_str()).collect();
    assert_eq!(
        statuses,
        ["CONNECTING", "ONLINE", "LOGGING_OUT", "LOGGED_OUT"]
    );
    // A logout while logged out is accepted too, and raises nothing.
    assert!(grid.call(&ada, "logout", &[]).await.ok());
    assert_eq!(hook.settle().await.len(), 4);
}

#[tokio::test]
async fn a_logout_during_login_wins() {
    let grid = Grid::start_with(|s| s.engine.login_delay = Duration::from_millis(300)).await;
    let ada = grid.bot("Ada").await;
    assert!(grid.call(&ada, "login", &[]).await.ok());
    assert!(grid.call(&ada, "logout", &[]).await.ok());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        grid.call(&ada, "status", &[]).await.get("status"),
        "LOGGED OUT"
    );
}

#[tokio::test]
async fn login_home_and_bad_locations() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada").await;
    grid.call(&ada, "login", &[("location", "Garden/1/2/3")])
        .await;
    grid.wait_status(&ada, "ONLINE").await;
    grid.call(&ada, "logout", &[]).await;
    grid.wait_status(&ada, "LOGGED OUT").await;
    // HOME returns to the stored base location, which the earlier login set.
    grid.call(&ada, "login", &[("location", "HOME")]).await;
    grid.wait_status(&ada, "ONLINE").await;
    assert_eq!(
        grid.call(&ada, "status", &[]).await.get("location"),
        "Garden/1/2/3"
    );
    grid.call(&ada, "login", &[("location", "Garden/1/2")])
        .await
        .assert_fail("Invalid parameter: location (expected Region/X/Y/Z)");
}

#[tokio::test]
async fn an_interrupted_login_finishes_after_a_restart() {
    let grid = Grid::start_with(|s| s.engine.login_delay = Duration::from_secs(30)).await;
    let ada = grid.bot("Ada").await;
    assert!(grid.call(&ada, "login", &[]).await.ok());
    assert_eq!(
        grid.call(&ada, "status", &[]).await.get("status"),
        "CONNECTING"
    );
    let mut grid = grid;
    grid.settings.engine.login_delay = Duration::from_millis(20);
    let grid = grid.restart().await;
    grid.wait_status(&ada, "ONLINE").await;
}
