//! Friendship offers, answers, rights, listing and ending.

use crate::harness::{Grid, Receiver};
use serde_json::Value;

fn friend<'a>(list: &'a Value, name: &str) -> &'a Value {
    list["friends"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["slname"] == name)
        .unwrap_or_else(|| panic!("{name} is not in {list}"))
}

#[tokio::test]
async fn offer_accept_rights_and_cancel() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada Resident").await;
    let lin = grid.bot("Lin Resident").await;
    grid.login(&ada).await;
    grid.login(&lin).await;
    let ada_hook = Receiver::start().await;
    let lin_hook = Receiver::start().await;
    grid.callback(
        &ada,
        &ada_hook.url(),
        "offer_friendship_accepted,offer_friendship_declined",
    )
    .await;
    grid.callback(&lin, &lin_hook.url(), "offer_friendship")
        .await;

    let lin_uuid = lin.uuid.to_string();
    grid.call(
        &ada,
        "offer_friendship",
        &[("avatar", &lin_uuid), ("message", "Friends?")],
    )
    .await
    .assert_ok_for("offer_friendship");
    grid.call(&ada, "offer_friendship", &[("avatar", &lin_uuid)])
        .await
        .assert_fail("Friendship offer already sent");
    let offer = &lin_hook.wait_for("offer_friendship", 1).await[0];
    assert_eq!(offer["avatar_name"], "Ada Resident");
    assert_eq!(offer["avatar_uuid"], ada.uuid.to_string());
    assert_eq!(offer["message"], "Friends?");
    let session = offer["session_id"].clone();

    // A made-up session, or the right session with the wrong avatar, is refused.
    let ada_uuid = ada.uuid.to_string();
    grid.call(
        &lin,
        "friendship_offer_accept",
        &[
            ("avatar_uuid", &ada_uuid),
            ("session_id", &grid::Uuid::new_v4().to_string()),
            ("accept", "1"),
        ],
    )
    .await
    .assert_fail("Friendship offer not found");
    grid.call(
        &lin,
        "friendship_offer_accept",
        &[
            ("avatar_uuid", &lin_uuid),
            ("session_id", &session),
            ("accept", "1"),
        ],
    )
    .await
    .assert_fail("Friendship offer not found");

    grid.call(
        &lin,
        "friendship_offer_accept",
        &[
            ("avatar_uuid", &ada_uuid),
            ("session_id", &session),
            ("accept", "1"),
        ],
    )
    .await
    .assert_ok_for("friendship_offer_accept");
    let accepted = &ada_hook.wait_for("offer_friendship_accepted", 1).await[0];
    assert_eq!(accepted["avatar_name"], "Lin Resident");
    assert_eq!(accepted["avatar_uuid"], lin_uuid);

    // Both see each other, online, with the rights a new friendship has.
    let ada_friends = grid.call_json(&ada, "friends", &[]).await;
    assert_eq!(ada_friends["result"], "OK");
    let f = friend(&ada_friends, "Lin Resident");
    assert_eq!(f["uuid"], lin_uuid);
    assert_eq!(f["online"], true);
    assert_eq!(
        f["myRights"],
        serde_json::json!({"canSeeOnline": true, "canSeeOnMap": false, "canModifyObjects": false})
    );
    assert_eq!(f["theirRights"]["canSeeOnline"], true);
    grid.call(&ada, "offer_friendship", &[("avatar", &lin_uuid)])
        .await
        .assert_fail("Already friends");

    // Lin lets Ada see it on the map, and hides its online status from Ada.
    grid.call(
        &lin,
        "edit_friendship",
        &[
            ("slkey", &ada_uuid),
            ("see_on_map", "1"),
            ("see_online", "0"),
        ],
    )
    .await
    .assert_ok_for("edit_friendship");
    let f = friend(&grid.call_json(&ada, "friends", &[]).await, "Lin Resident").clone();
    assert_eq!(
        f["theirRights"],
        serde_json::json!({"canSeeOnline": false, "canSeeOnMap": true, "canModifyObjects": false})
    );
    assert_eq!(f["online"], false, "Lin no longer lets Ada see it online");
    let f = friend(&grid.call_json(&lin, "friends", &[]).await, "Ada Resident").clone();
    assert_eq!(f["myRights"]["canSeeOnMap"], true);
    assert_eq!(f["online"], true);
    grid.call(&lin, "edit_friendship", &[("slkey", &ada_uuid)])
        .await
        .assert_fail("Missing parameter: see_online, see_on_map or can_edit");

    grid.call(&ada, "cancel_friendship", &[("slkey", &lin_uuid)])
        .await
        .assert_ok_for("cancel_friendship");
    assert_eq!(
        grid.call_json(&lin, "friends", &[]).await["friends"],
        serde_json::json!([])
    );
    grid.call(&ada, "cancel_friendship", &[("slkey", &lin_uuid)])
        .await
        .assert_fail("Not friends");
    grid.call(
        &ada,
        "edit_friendship",
        &[("slkey", &lin_uuid), ("can_edit", "1")],
    )
    .await
    .assert_fail("Not friends");
}

#[tokio::test]
async fn a_declined_offer_tells_the_offerer_and_a_withdrawn_one_disappears() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada").await;
    let lin = grid.bot("Lin").await;
    grid.login(&ada).await;
    grid.login(&lin).await;
    let ada_hook = Receiver::start().await;
    let lin_hook = Receiver::start().await;
    grid.callback(&ada, &ada_hook.url(), "all").await;
    grid.callback(&lin, &lin_hook.url(), "offer_friendship")
        .await;
    let (ada_uuid, lin_uuid) = (ada.uuid.to_string(), lin.uuid.to_string());

    grid.call(&ada, "offer_friendship", &[("avatar", &lin_uuid)])
        .await;
    let session = lin_hook.wait_for("offer_friendship", 1).await[0]["session_id"].clone();
    // accept left out declines.
    grid.call(
        &lin,
        "friendship_offer_accept",
        &[("avatar_uuid", &ada_uuid), ("session_id", &session)],
    )
    .await
    .assert_ok_for("friendship_offer_accept");
    let declined = &ada_hook.wait_for("offer_friendship_declined", 1).await[0];
    assert_eq!(declined["avatar_uuid"], lin_uuid);
    assert_eq!(
        grid.call_json(&ada, "friends", &[]).await["friends"],
        serde_json::json!([])
    );

    // Ada offers again and withdraws it; Lin's answer then finds nothing.
    grid.call(&ada, "offer_friendship", &[("avatar", &lin_uuid)])
        .await;
    let session = lin_hook.wait_for("offer_friendship", 2).await[1]["session_id"].clone();
    grid.call(&ada, "cancel_friendship", &[("slkey", &lin_uuid)])
        .await
        .assert_ok_for("cancel_friendship");
    grid.call(
        &lin,
        "friendship_offer_accept",
        &[
            ("avatar_uuid", &ada_uuid),
            ("session_id", &session),
            ("accept", "1"),
        ],
    )
    .await
    .assert_fail("Friendship offer not found");
}

#[tokio::test]
async fn crossing_offers_make_friends_and_offline_offers_wait() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada").await;
    let lin = grid.bot("Lin").await;
    grid.login(&ada).await;
    let lin_hook = Receiver::start().await;
    grid.callback(
        &lin,
        &lin_hook.url(),
        "offer_friendship,offer_friendship_accepted",
    )
    .await;
    let (ada_uuid, lin_uuid) = (ada.uuid.to_string(), lin.uuid.to_string());
    // Lin is offline: the offer waits for it.
    grid.call(
        &ada,
        "offer_friendship",
        &[("avatar", &lin_uuid), ("message", "hi")],
    )
    .await;
    assert!(lin_hook.settle().await.is_empty());
    grid.login(&lin).await;
    assert_eq!(
        lin_hook.wait_for("offer_friendship", 1).await[0]["message"],
        "hi"
    );
    // Lin offers back instead of answering: that is an acceptance.
    grid.call(&lin, "offer_friendship", &[("avatar", &ada_uuid)])
        .await
        .assert_ok_for("offer_friendship");
    assert_eq!(
        friend(&grid.call_json(&lin, "friends", &[]).await, "Ada Resident")["uuid"],
        ada_uuid
    );
    grid.call(&ada, "offer_friendship", &[("avatar", &ada_uuid)])
        .await
        .assert_fail("A bot cannot offer friendship to itself");
}

#[tokio::test]
async fn friends_is_json_only() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada").await;
    grid.login(&ada).await;
    grid.call(&ada, "friends", &[])
        .await
        .assert_fail("This command requires dataType=json");
}
