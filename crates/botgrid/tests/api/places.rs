//! bot_location, teleport (teleport_status), walkto, fly, move, say_chat_channel
//! (chat_message) and nearbyavatars_scan.

use crate::harness::{Bot, Grid, Receiver};
use engine::RegionSpec;

async fn region(grid: &Grid, name: &str) {
    grid.region(name, "Test Estate", &[]).await;
}

async fn teleport(grid: &Grid, bot: &Bot, to: &str) {
    grid.call(bot, "teleport", &[("location", to)])
        .await
        .assert_ok_for("teleport");
}

#[tokio::test]
async fn teleports_go_to_regions_that_exist_and_report_their_progress() {
    let grid = Grid::start().await;
    region(&grid, "Market").await;
    region(&grid, "Harbour").await;
    let ada = grid.bot("Ada Resident").await;
    let hook = Receiver::start().await;
    grid.callback(&ada, &hook.url(), "teleport_status").await;
    grid.call(&ada, "login", &[("location", "Market/10/20/30")])
        .await;
    grid.wait_status(&ada, "ONLINE").await;

    let r = grid.call(&ada, "bot_location", &[]).await;
    r.assert_ok_for("bot_location");
    assert_eq!(
        (r.get("region"), r.get("x"), r.get("y"), r.get("z")),
        ("Market", "10", "20", "30")
    );

    // Any case reaches the region; its own spelling is kept.
    teleport(&grid, &ada, "harbour/100/101/22").await;
    let events = hook.wait_for("teleport_status", 2).await;
    assert_eq!(events[0]["status"], "Start");
    assert_eq!(events[0]["location"], "Market/10/20/30");
    assert_eq!(events[1]["status"], "Finished");
    assert_eq!(events[1]["location"], "Harbour/100/101/22");
    assert_eq!(
        grid.call(&ada, "bot_location", &[]).await.get("region"),
        "Harbour"
    );
    assert_eq!(
        grid.call(&ada, "status", &[]).await.get("location"),
        "Harbour/100/101/22"
    );

    // Saved as the base location unless asked not to: HOME goes back there.
    teleport(&grid, &ada, "Market/5/5/5").await;
    grid.call(
        &ada,
        "teleport",
        &[("location", "Harbour/1/1/1"), ("skip_saving_location", "1")],
    )
    .await
    .assert_ok_for("teleport");
    teleport(&grid, &ada, "HOME").await;
    let r = grid.call(&ada, "bot_location", &[]).await;
    assert_eq!((r.get("region"), r.get("x")), ("Market", "5"));

    grid.call(&ada, "teleport", &[("location", "Atlantis/1/1/1")])
        .await
        .assert_fail("Region not found: Atlantis");
    grid.call(&ada, "teleport", &[("location", "Market/300/1/1")])
        .await
        .assert_fail(
            "Invalid parameter: location (coordinates are out of range (X, Y 0-256, Z 0-4096))",
        );
    assert_eq!(
        grid.call(&ada, "bot_location", &[]).await.get("region"),
        "Market"
    );
    assert_eq!(
        hook.settle().await.len(),
        8,
        "Start and Finished for each of 4 teleports"
    );

    // Walking stays in the region.
    grid.call(&ada, "walkto", &[("coords", "50/60/25")])
        .await
        .assert_ok_for("walkto");
    let r = grid.call(&ada, "bot_location", &[]).await;
    assert_eq!(
        (r.get("region"), r.get("x"), r.get("y")),
        ("Market", "50", "60")
    );
    grid.call(&ada, "walkto", &[("coords", "50/60")])
        .await
        .assert_fail("Invalid parameter: coords (expected X/Y/Z)");
    grid.call(&ada, "fly", &[("fly", "on")])
        .await
        .assert_ok_for("fly");
    grid.call(&ada, "fly", &[("fly", "sideways")])
        .await
        .assert_fail("Invalid parameter: fly (expected on or off)");
    for (i, p) in [("FORWARD", "START"), ("FORWARD", "STOP"), ("STOP", "START")] {
        grid.call(&ada, "move", &[("instruction", i), ("param1", p)])
            .await
            .assert_ok_for("move");
    }
    grid.call(&ada, "move", &[("instruction", "JUMP")])
        .await
        .assert_fail(
            "Invalid parameter: instruction (expected FORWARD, BACKWARD, LEFT, RIGHT, FLY or STOP)",
        );
}

#[tokio::test]
async fn local_chat_is_heard_within_twenty_metres_and_scans_see_the_region() {
    let grid = Grid::start().await;
    region(&grid, "Plaza").await;
    region(&grid, "Far Away").await;
    let ada = grid.bot("Ada Resident").await;
    let near = grid.bot("Near Bot").await;
    let far = grid.bot("Far Bot").await;
    let other = grid.bot("Other Bot").await;
    let hooks = [
        Receiver::start().await,
        Receiver::start().await,
        Receiver::start().await,
    ];
    for (bot, hook) in [&near, &far, &other].into_iter().zip(&hooks) {
        grid.callback(bot, &hook.url(), "chat_message").await;
    }
    for (bot, at) in [
        (&ada, "Plaza/100/100/20"),
        (&near, "Plaza/110/100/20"),
        (&far, "Plaza/150/100/20"),
        (&other, "Far Away/100/100/20"),
    ] {
        grid.call(bot, "login", &[("location", at)]).await;
        grid.wait_status(bot, "ONLINE").await;
    }

    grid.call(
        &ada,
        "say_chat_channel",
        &[("channel", "0"), ("message", "Hello, plaza!")],
    )
    .await
    .assert_ok_for("say_chat_channel");
    let heard = hooks[0].wait_for("chat_message", 1).await;
    assert_eq!(heard[0]["message"], "Hello, plaza!");
    assert_eq!(heard[0]["speaker_name"], "Ada Resident");
    assert_eq!(heard[0]["speaker_uuid"], ada.uuid.to_string());
    assert_eq!(heard[0]["speaker_type"], "AGENT");
    assert_eq!(heard[0]["channel"], "0");
    let body = &hooks[0].signed()[0].body;
    assert_eq!(
        url::form_urlencoded::parse(body.as_bytes())
            .filter(|(k, _)| k == "channel")
            .count(),
        1,
        "one channel field, the chat channel: {body}"
    );
    // 50 m away and in another region: nothing.
    assert!(
        hooks[1].settle().await.is_empty(),
        "50 m is out of say range"
    );
    assert!(hooks[2].settle().await.is_empty(), "another region");
    // Other channels are for scripts.
    grid.call(
        &ada,
        "say_chat_channel",
        &[("channel", "7"), ("message", "cmd")],
    )
    .await
    .assert_ok_for("say_chat_channel");
    assert_eq!(hooks[0].settle().await.len(), 1);
    grid.call(
        &ada,
        "say_chat_channel",
        &[("channel", "-3"), ("message", "x")],
    )
    .await
    .assert_fail("Invalid parameter: channel (avatars chat on channel 0 or above)");

    let r = grid.call_json(&ada, "nearbyavatars_scan", &[]).await;
    let seen = r["avatars"].as_array().unwrap();
    let names: Vec<&str> = seen.iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["Near Bot", "Far Bot"],
        "nearest first, same region only"
    );
    assert_eq!(seen[0]["UUID"], near.uuid.to_string());
    assert_eq!(seen[0]["distance"], 10.0);
    assert_eq!(seen[1]["position"]["X"], 150.0);
    // SmartBots allows 2 scans in 10 seconds.
    let _ = grid.call_json(&ada, "nearbyavatars_scan", &[]).await;
    let third = grid.call_json(&ada, "nearbyavatars_scan", &[]).await;
    assert_eq!(third["result"], "FAIL");
    assert_eq!(third["resulttext"], "Frequent API requests throttled");
}

#[tokio::test]
async fn a_teleport_offer_brings_a_bot_to_the_one_who_offered() {
    let grid = Grid::start().await;
    region(&grid, "Meeting Point").await;
    region(&grid, "Far Shore").await;
    let ada = grid.bot("Ada Resident").await;
    let lin = grid.bot("Lin Resident").await;
    let hook = Receiver::start().await;
    grid.callback(&lin, &hook.url(), "offer_teleport").await;
    for (bot, at) in [(&ada, "Meeting Point/10/12/20"), (&lin, "Far Shore/5/5/5")] {
        grid.call(bot, "login", &[("location", at)]).await;
        grid.wait_status(bot, "ONLINE").await;
    }
    let lin_uuid = lin.uuid.to_string();
    for _ in 0..2 {
        grid.call(
            &ada,
            "offer_teleport",
            &[("avatar", &lin_uuid), ("message", "Join me!")],
        )
        .await
        .assert_ok_for("offer_teleport");
    }
    let offers = hook.wait_for("offer_teleport", 2).await;
    assert_eq!(offers[0]["avatar_uuid"], ada.uuid.to_string());
    assert_eq!(offers[0]["avatar_name"], "Ada Resident");
    assert_eq!(offers[0]["message"], "Join me!");
    assert_eq!(
        offers[0]["slurl"],
        "http://maps.secondlife.com/secondlife/Meeting%20Point/10/12/20"
    );
    let answer = |offer: &crate::harness::Posted, accept: &'static str| {
        let (grid, lin) = (&grid, &lin);
        let (from, session) = (offer["avatar_uuid"].clone(), offer["session_id"].clone());
        async move {
            grid.call(
                lin,
                "teleport_offer_accept",
                &[
                    ("avatar_uuid", &from),
                    ("session_id", &session),
                    ("accept", accept),
                ],
            )
            .await
        }
    };
    answer(&offers[1], "0")
        .await
        .assert_ok_for("teleport_offer_accept");
    assert_eq!(
        grid.call(&lin, "bot_location", &[]).await.get("region"),
        "Far Shore"
    );
    answer(&offers[0], "1")
        .await
        .assert_ok_for("teleport_offer_accept");
    let r = grid.call(&lin, "bot_location", &[]).await;
    assert_eq!(
        (r.get("region"), r.get("x"), r.get("y")),
        ("Meeting Point", "10", "12")
    );
    answer(&offers[0], "1")
        .await
        .assert_fail("Teleport offer not found");
    // The base location stays: HOME goes back to where Lin logged in.
    teleport(&grid, &lin, "HOME").await;
    assert_eq!(
        grid.call(&lin, "bot_location", &[]).await.get("region"),
        "Far Shore"
    );
}

#[tokio::test]
async fn estate_managers_message_kick_ban_and_restart_their_region() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada Resident").await;
    let lin = grid.bot("Lin Resident").await;
    grid.region("Estate One", "Ada's Estate", &["Ada Resident"])
        .await;
    region(&grid, "Home Base").await;
    let hook = Receiver::start().await;
    grid.callback(&lin, &hook.url(), "instant_message,teleport_status")
        .await;
    grid.call(&ada, "login", &[("location", "Estate One/128/128/20")])
        .await;
    grid.wait_status(&ada, "ONLINE").await;
    // Lin's base location is Home Base; it visits Estate One without changing that.
    grid.call(&lin, "login", &[("location", "Home Base/1/2/3")])
        .await;
    grid.wait_status(&lin, "ONLINE").await;
    let go_visit = || {
        let (grid, lin) = (&grid, &lin);
        async move {
            grid.call(
                lin,
                "teleport",
                &[
                    ("location", "Estate One/100/100/20"),
                    ("skip_saving_location", "1"),
                ],
            )
            .await
        }
    };
    go_visit().await.assert_ok_for("teleport");
    let ada_uuid = ada.uuid.to_string();
    let lin_uuid = lin.uuid.to_string();
    let lin_region = || {
        let (grid, lin) = (&grid, &lin);
        async move {
            grid.call(lin, "bot_location", &[])
                .await
                .get("region")
                .to_owned()
        }
    };

    grid.call(&lin, "sim_kick", &[("avatar", &ada_uuid)])
        .await
        .assert_fail("The bot is not an estate manager of Estate One");

    grid.call(
        &ada,
        "sim_send_message",
        &[("message", "Welcome to the estate")],
    )
    .await
    .assert_ok_for("sim_send_message");
    let im = hook.wait_for("instant_message", 1).await;
    assert_eq!(im[0]["message"], "Welcome to the estate");
    assert_eq!(im[0]["speaker_uuid"], ada_uuid);

    grid.call(&ada, "sim_kick", &[("avatar", &lin_uuid)])
        .await
        .assert_ok_for("sim_kick");
    assert_eq!(lin_region().await, "Home Base", "sent home");
    grid.call(&ada, "sim_kick", &[("avatar", &lin_uuid)])
        .await
        .assert_fail("Invalid parameter: avatar (the avatar is not in Estate One)");

    go_visit().await.assert_ok_for("teleport");
    grid.call(
        &ada,
        "sim_access",
        &[("avatar", &lin_uuid), ("operation", "ban")],
    )
    .await
    .assert_ok_for("sim_access");
    assert_eq!(
        lin_region().await,
        "Home Base",
        "a ban sends the avatar out"
    );
    go_visit()
        .await
        .assert_fail("Banned from region: Estate One");
    grid.call(
        &ada,
        "sim_access",
        &[("avatar", &lin_uuid), ("operation", "unban")],
    )
    .await
    .assert_ok_for("sim_access");
    go_visit().await.assert_ok_for("teleport");
    grid.call(
        &ada,
        "sim_access",
        &[("avatar", &lin_uuid), ("operation", "exile")],
    )
    .await
    .assert_fail("Invalid parameter: operation (expected ban, unban, allow or disallow)");

    // A restart: bounds, cancel, then one that runs to the end.
    grid.call(&ada, "sim_restart", &[("state", "begin"), ("delay", "10")])
        .await
        .assert_fail("Invalid parameter: delay (expected a whole number from 30 to 240)");
    grid.call(&ada, "sim_restart", &[("state", "cancel")])
        .await
        .assert_fail("Invalid parameter: state (no restart is under way)");
    grid.call(&ada, "simrestart", &[("state", "begin"), ("delay", "30")])
        .await
        .assert_ok_for("simrestart");
    let im = hook.wait_for("instant_message", 2).await;
    assert_eq!(
        im[1]["message"],
        "The region you are in will restart in 30 seconds."
    );
    grid.call(&ada, "sim_restart", &[("state", "cancel")])
        .await
        .assert_ok_for("sim_restart");
    grid.call(&ada, "sim_restart", &[("state", "begin"), ("delay", "30")])
        .await
        .assert_ok_for("sim_restart");
    let kim = grid.bot("Kim Resident").await;
    grid.login(&kim).await;
    grid.call(&kim, "teleport", &[("location", "Estate One/5/5/5")])
        .await
        .assert_fail("Invalid parameter: location (region Estate One is restarting)");
    // At the end everyone there is sent out and the region takes visitors again.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(45);
    while lin_region().await != "Home Base" {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the restart never came"
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    grid.call(&kim, "teleport", &[("location", "Estate One/5/5/5")])
        .await
        .assert_ok_for("teleport");
}

#[tokio::test]
async fn parcels_are_looked_up_managed_and_bought() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada Resident").await;
    let lin = grid.bot("Lin Resident").await;
    grid.running
        .engine
        .create_region(RegionSpec {
            name: "Land Office".into(),
            estate: "Estate".into(),
            managers: vec![grid::LegacyName::parse("Kim Manager").unwrap()],
        })
        .await
        .unwrap_err(); // no such manager: nothing is made
    region(&grid, "Land Office").await;
    let lot = grid
        .running
        .engine
        .create_parcel(engine::ParcelSpec {
            region: "Land Office".into(),
            name: "Corner Lot".into(),
            bounds: (0, 0, 64, 32),
            owner: Some(grid::LegacyName::parse("Lin Resident").unwrap()),
            price: Some(40),
        })
        .await
        .unwrap();
    assert!(
        grid.running
            .engine
            .create_parcel(engine::ParcelSpec {
                region: "Land Office".into(),
                name: "Overlap".into(),
                bounds: (32, 16, 96, 64),
                owner: None,
                price: None,
            })
            .await
            .is_err(),
        "parcels do not overlap"
    );
    grid.grant("Ada Resident", 100).await;
    for (bot, at) in [
        (&ada, "Land Office/10/10/20"),
        (&lin, "Land Office/200/200/20"),
    ] {
        grid.call(bot, "login", &[("location", at)]).await;
        grid.wait_status(bot, "ONLINE").await;
    }

    // Where Ada stands is the lot; where Lin stands is the rest of the region.
    let r = grid.call(&ada, "parcel_info", &[]).await;
    r.assert_ok_for("parcel_info");
    assert_eq!(r.get("parcel_name"), "Corner Lot");
    assert_eq!(r.get("parcel_area"), "2048");
    assert_eq!(r.get("parcel_owner"), lin.uuid.to_string());
    assert_eq!(r.get("parcel_saleprice"), "40");
    assert!(r.get("parcel_flags").contains("ForSale"), "{}", r.raw);
    assert_eq!(r.get("parcel_groupowned"), "False");
    let rest = grid.call(&lin, "parcel_info", &[]).await;
    assert_eq!(rest.get("parcel_name"), "Land Office");
    assert_eq!(rest.get("parcel_area"), "65536");
    assert_eq!(
        rest.get("parcel_owner"),
        "00000000-0000-0000-0000-000000000000"
    );
    let one = grid
        .call(
            &lin,
            "parcel_info",
            &[("x", "5"), ("y", "5"), ("getvalue", "parcel_name")],
        )
        .await;
    assert_eq!(one.get("parcel_name"), "Corner Lot");
    assert!(
        !one.has("parcel_area"),
        "getvalue answers one field: {}",
        one.raw
    );
    grid.call(&lin, "parcel_info", &[("x", "5")])
        .await
        .assert_fail("Invalid parameter: x (give both x and y, or neither)");

    // Only the owner (or an estate manager) changes a parcel.
    grid.call(&ada, "parcel_info_update", &[("name", "Mine now")])
        .await
        .assert_fail(
            "Invalid parameter: x (the bot may not change this parcel (owner, group land power or estate manager))",
        );
    grid.call(
        &lin,
        "parcel_info_update",
        &[("x", "1"), ("y", "1"), ("description", "A fine lot & more")],
    )
    .await
    .assert_ok_for("parcel_info_update");
    assert_eq!(
        grid.call(&ada, "parcel_info", &[])
            .await
            .get("parcel_description"),
        "A%20fine%20lot%20%26%20more"
    );

    // Buying: the price goes to the owner, the land to the buyer, the sale ends.
    grid.call(&ada, "parcel_buy", &[])
        .await
        .assert_ok_for("parcel_buy");
    let r = grid.call(&ada, "parcel_info", &[]).await;
    assert_eq!(r.get("parcel_owner"), ada.uuid.to_string());
    assert_eq!(r.get("parcel_saleprice"), "0");
    assert!(!r.get("parcel_flags").contains("ForSale"));
    assert_eq!(
        grid.call(&ada, "get_balance", &[]).await.get("balance"),
        "60"
    );
    assert_eq!(
        grid.call(&lin, "get_balance", &[]).await.get("balance"),
        "40"
    );
    grid.call(&lin, "parcel_buy", &[("x", "5"), ("y", "5")])
        .await
        .assert_fail("Invalid parameter: x (the parcel is not for sale)");
    grid.call(
        &ada,
        "parcel_info_update",
        &[
            ("name", "Ada's Shop"),
            ("musicurl", "http://radio.example/stream"),
            ("flags", "AllowFly,ShowDirectory"),
        ],
    )
    .await
    .assert_ok_for("parcel_info_update");
    let r = grid.call(&ada, "parcel_info", &[]).await;
    assert_eq!(r.get("parcel_name"), "Ada's Shop");
    assert_eq!(r.get("parcel_musicurl"), "http://radio.example/stream");
    assert_eq!(r.get("parcel_flags"), "AllowFly,ShowDirectory");
    grid.call(
        &ada,
        "set_parcel_info",
        &[("entry", "description"), ("value", "Open daily")],
    )
    .await
    .assert_ok_for("set_parcel_info");
    assert_eq!(
        grid.call(&ada, "parcel_info", &[("getvalue", "parcel_description")])
            .await
            .get("parcel_description"),
        "Open%20daily"
    );
    grid.call(
        &ada,
        "set_parcel_info",
        &[("entry", "colour"), ("value", "red")],
    )
    .await
    .assert_fail("Invalid parameter: entry (not a parcel field)");
    grid.call(&ada, "parcel_info_update", &[("flags", "Teleport")])
        .await
        .assert_fail("Invalid parameter: flags (unknown parcel flag Teleport)");
    // For sale to one avatar only, and not beyond the buyer's means.
    let lin_uuid = lin.uuid.to_string();
    grid.call(
        &ada,
        "parcel_info_update",
        &[("sale", "on"), ("saleprice", "500"), ("sellto", &lin_uuid)],
    )
    .await
    .assert_ok_for("parcel_info_update");
    grid.call(&lin, "parcel_buy", &[("x", "5"), ("y", "5")])
        .await
        .assert_fail("Insufficient funds: balance L$40, needed L$500");
    let _ = lot;
}

#[tokio::test]
async fn the_worlds_other_refusals_are_clear_and_change_nothing() {
    use grid::inventory::{AssetType, Perms};
    let grid = Grid::start().await;
    let engine = &grid.running.engine;
    let ada = grid.bot("Ada Resident").await;
    let lin = grid.bot("Lin Resident").await;
    let name = |n: &str| grid::LegacyName::parse(n).unwrap();
    region(&grid, "Refusal Row").await;
    assert!(
        engine
            .create_region(RegionSpec {
                name: "refusal row".into(),
                estate: "x".into(),
                managers: vec![],
            })
            .await
            .is_err(),
        "region names are unique whatever their case"
    );
    // Nowhere yet: commands that need a place say so.
    grid.login(&ada).await;
    grid.call(&ada, "bot_location", &[])
        .await
        .assert_fail("Invalid parameter: location (the bot is nowhere: teleport it first)");
    teleport(&grid, &ada, "Refusal Row/10/10/20").await;
    grid.call(&lin, "login", &[("location", "Refusal Row/12/10/20")])
        .await;
    grid.wait_status(&lin, "ONLINE").await;

    // Parcels.
    grid.call(&ada, "parcel_info_update", &[("sale", "on")])
        .await
        .assert_fail(
            "Invalid parameter: x (the bot may not change this parcel (owner, group land power or estate manager))",
        );
    let lot = |owner: &str, bounds, price| engine::ParcelSpec {
        region: "Refusal Row".into(),
        name: format!("{owner}'s lot"),
        bounds,
        owner: Some(name(owner)),
        price,
    };
    engine
        .create_parcel(lot("Ada Resident", (0, 0, 32, 32), None))
        .await
        .unwrap();
    engine
        .create_parcel(lot("Kim Resident", (32, 0, 64, 32), Some(5)))
        .await
        .unwrap_err();
    engine
        .create_parcel(lot("Lin Resident", (32, 0, 64, 32), Some(5)))
        .await
        .unwrap();
    let lin_uuid = lin.uuid.to_string();
    let ada_uuid = ada.uuid.to_string();
    grid.call(&ada, "parcel_buy", &[])
        .await
        .assert_fail("Invalid parameter: x (the parcel is not for sale)");
    grid.call(
        &ada,
        "parcel_info_update",
        &[("sale", "on"), ("sellto", &lin_uuid)],
    )
    .await
    .assert_ok_for("parcel_info_update");
    grid.call(&ada, "parcel_buy", &[])
        .await
        .assert_fail("Invalid parameter: x (the parcel is for sale to someone else)");
    grid.call(&lin, "parcel_buy", &[("x", "40"), ("y", "10")])
        .await
        .assert_fail("Invalid parameter: x (the bot owns the parcel already)");
    let club = grid
        .group(engine::GroupSpec::new("Land Club", name("Ada Resident")))
        .await
        .to_string();
    grid.call(&lin, "parcel_buy", &[("group", &club)])
        .await
        .assert_fail("The bot is not in the group");
    grid.call(
        &ada,
        "parcel_buy",
        &[("x", "40"), ("y", "10"), ("group", &club)],
    )
    .await
    .assert_fail("Insufficient funds: balance L$0, needed L$5");

    // Inventory.
    let add = |n: &str, t: AssetType, perms: &str| {
        let engine = engine.clone();
        let (n, perms) = (n.to_owned(), perms.to_owned());
        async move {
            engine
                .add_inventory_item(
                    &grid::LegacyName::parse("Ada Resident").unwrap(),
                    engine::ItemSpec {
                        asset_type: t,
                        name: n,
                        description: String::new(),
                        wearable: None,
                        perms: Perms::parse(&perms).unwrap(),
                        next_perms: Perms::ALL,
                        text: Some("t".into()),
                    },
                )
                .await
                .unwrap()
                .uuid
                .to_string()
        }
    };
    let locked = add("Locked Card", AssetType::Notecard, "copy+trans").await;
    let box_ = add("Box", AssetType::Object, "mod+trans").await;
    grid.call(&ada, "notecard_edit", &[("uuid", &locked), ("text", "new")])
        .await
        .assert_fail("Invalid parameter: uuid (the notecard has no modify permission)");
    grid.call(&ada, "notecard_read", &[("uuid", &box_)])
        .await
        .assert_fail("Invalid parameter: uuid (the item is not a notecard)");
    grid.call(&ada, "wear", &[("uuid", &box_)])
        .await
        .assert_ok_for("wear");
    grid.call(
        &ada,
        "inventory_give",
        &[("avatar", &lin_uuid), ("object", &box_)],
    )
    .await
    .assert_fail("Invalid parameter: object (take it off first: it is worn and has no copy)");
    let root = grid.call(&ada, "inventory_list", &[]).await;
    let notecards = root
        .get("list")
        .lines()
        .find(|l| l.ends_with(";Notecards"))
        .map(|l| l[..36].to_owned())
        .unwrap();
    grid.call(
        &ada,
        "inventory_give",
        &[("avatar", &lin_uuid), ("object", &notecards)],
    )
    .await
    .assert_fail(
        "Invalid parameter: object (system folders cannot be given; give a folder of your own)",
    );

    // Objects.
    let rock = engine
        .create_object(engine::ObjectSpec {
            region: "Refusal Row".into(),
            name: "Rock".into(),
            owner: name("Ada Resident"),
            at: (11.0, 10.0, 20.0),
            behaviour: grid::object::Behaviour::Plain,
            links: 1,
        })
        .await
        .unwrap();
    let rock_uuid = rock.uuid.to_string();
    grid.call(
        &lin,
        "reply_dialog",
        &[
            ("channel", &rock.dialog_channel().to_string()),
            ("object", &rock_uuid),
            ("button", "OK"),
        ],
    )
    .await
    .assert_fail("Invalid parameter: object (the object shows no dialog)");
    grid.call(
        &lin,
        "reply_dialog",
        &[("channel", "7"), ("object", &rock_uuid), ("button", "OK")],
    )
    .await
    .assert_fail("Invalid parameter: channel (not the channel of the object's dialog)");
    grid.call(
        &lin,
        "sim_access",
        &[("avatar", &ada_uuid), ("operation", "allow")],
    )
    .await
    .assert_fail("The bot is not an estate manager of Refusal Row");
    // Nothing moved for the refusals: Ada still owns her lot, Lin hers.
    assert_eq!(
        grid.call(&ada, "parcel_info", &[])
            .await
            .get("parcel_owner"),
        ada_uuid
    );
    // Bought for a group by its owner (owners hold LandDeed): the group owns it.
    grid.grant("Ada Resident", 5).await;
    grid.call(
        &ada,
        "parcel_buy",
        &[("x", "40"), ("y", "10"), ("group", &club)],
    )
    .await
    .assert_ok_for("parcel_buy");
    let r = grid
        .call(&ada, "parcel_info", &[("x", "40"), ("y", "10")])
        .await;
    assert_eq!(r.get("parcel_groupowned"), "True");
    assert_eq!(r.get("parcel_owner"), club);
    assert_eq!(r.get("parcel_group"), club);
}
