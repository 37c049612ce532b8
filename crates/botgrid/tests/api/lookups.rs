//! key2name, name2key, avatar_info, avatar_picks.

use crate::harness::Grid;
use engine::AvatarSpec;
use grid::{AvatarKind, LegacyName, NULL_KEY};

async fn world() -> (Grid, crate::harness::Bot, String) {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada Resident").await;
    let spec = AvatarSpec {
        about: "I like gardens.".into(),
        picks: vec![
            ("The Quiet Garden".into(), "calm".into()),
            ("Harbour Shop".into(), "".into()),
            ("Old Shop".into(), "".into()),
        ],
        ..AvatarSpec::new(LegacyName::parse("Sam McKay").unwrap(), AvatarKind::Person)
    };
    let sam = grid.person_with(spec).await.to_string();
    grid.login(&ada).await;
    (grid, ada, sam)
}

#[tokio::test]
async fn key2name_and_name2key() {
    let (grid, ada, sam) = world().await;
    let r = grid.call(&ada, "key2name", &[("key", &sam)]).await;
    r.assert_ok_for("key2name");
    assert_eq!(r.get("key"), sam);
    assert_eq!(r.get("name"), "sam mckay");
    let r = grid
        .call(&ada, "key2name", &[("key", &sam), ("request_case", "1")])
        .await;
    assert_eq!(r.get("name"), "Sam McKay");
    grid.call(
        &ada,
        "key2name",
        &[("key", &grid::Uuid::new_v4().to_string())],
    )
    .await
    .get("resulttext")
    .starts_with("Avatar not found: ")
    .then_some(())
    .expect("unknown key fails");

    let r = grid.call(&ada, "name2key", &[("name", "sam.mckay")]).await;
    r.assert_ok_for("name2key");
    assert_eq!(r.get("key"), sam);
    assert_eq!(r.get("name"), "sam.mckay");
    assert_eq!(r.get("normalname"), "Sam Mckay");
    let r = grid
        .call(
            &ada,
            "name2key",
            &[("name", "SAM MCKAY"), ("request_case", "1")],
        )
        .await;
    assert_eq!(r.get("normalname"), "Sam McKay");

    let r = grid.call(&ada, "name2key", &[("name", "nobody")]).await;
    r.assert_fail("name lookup failed, Nobody Resident");
    assert_eq!(r.get("name"), "nobody");
    assert_eq!(r.get("normalname"), "Nobody Resident");
    let r = grid
        .call(&ada, "name2key", &[("name", "too many words here")])
        .await;
    r.assert_fail("name lookup failed, too many words here");
}

#[tokio::test]
async fn avatar_info_shows_the_profile_and_online_only_to_friends() {
    let (grid, ada, sam) = world().await;
    let r = grid.call(&ada, "avatar_info", &[("avatar", &sam)]).await;
    r.assert_ok_for("avatar_info");
    assert_eq!(r.get("about"), "I like gardens.");
    assert_eq!(r.get("born"), grid::Timestamp::now().us_date());
    assert_eq!(r.get("image"), NULL_KEY.to_string());
    assert_eq!(r.get("partner"), NULL_KEY.to_string());
    assert_eq!(r.get("online"), "0");
    for k in [
        "identified",
        "mature",
        "publish_web",
        "transacted",
        "url",
        "first_life_text",
        "first_life_image",
    ] {
        assert!(r.has(k), "avatar_info lacks {k}");
    }
    // A bot seen by a friend that grants see-online.
    let lin = grid.bot("Lin").await;
    grid.login(&lin).await;
    let lin_uuid = lin.uuid.to_string();
    assert_eq!(
        grid.call(&ada, "avatar_info", &[("avatar", &lin_uuid)])
            .await
            .get("online"),
        "0"
    );
    grid.running
        .engine
        .make_friends(
            &LegacyName::parse("Ada").unwrap(),
            &LegacyName::parse("Lin").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        grid.call(&ada, "avatar_info", &[("avatar", &lin_uuid)])
            .await
            .get("online"),
        "1"
    );
    let own = ada.uuid.to_string();
    assert_eq!(
        grid.call(&ada, "avatar_info", &[("avatar", &own)])
            .await
            .get("online"),
        "1"
    );
}

#[tokio::test]
async fn avatar_picks_with_filters_and_total() {
    let (grid, ada, sam) = world().await;
    let r = grid.call(&ada, "avatar_picks", &[("avatar", &sam)]).await;
    r.assert_ok_for("avatar_picks");
    assert_eq!(r.get("total"), "3");
    let lines: Vec<&str> = r.get("picks").lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].ends_with(" The Quiet Garden"), "{lines:?}");
    let garden_uuid = lines[0].split(' ').next().unwrap().to_owned();
    let r = grid
        .call(
            &ada,
            "avatar_picks",
            &[
                ("avatar", &sam),
                ("matchnames", "shop"),
                ("skipnames", "OLD"),
            ],
        )
        .await;
    assert_eq!(r.get("total"), "3", "total counts before filtering");
    assert_eq!(r.get("picks").lines().count(), 1);
    assert!(r.get("picks").ends_with("Harbour Shop"));
    let r = grid
        .call(
            &ada,
            "avatar_picks",
            &[("avatar", &sam), ("matchuuid", &garden_uuid)],
        )
        .await;
    assert_eq!(r.get("picks"), format!("{garden_uuid} The Quiet Garden"));
}
