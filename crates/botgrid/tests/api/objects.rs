//! Objects with behaviours: touch_prim, touch_prim_coord, reply_dialog (script_dialog),
//! give_money_object, sit.

use crate::harness::{Grid, Receiver};
use engine::{ItemSpec, ObjectSpec};
use grid::LegacyName;
use grid::inventory::{AssetType, Perms};
use grid::object::Behaviour;

fn name(n: &str) -> LegacyName {
    LegacyName::parse(n).unwrap()
}

#[tokio::test]
async fn objects_react_to_touches_dialogs_payments_and_sitting() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada Resident").await;
    let lin = grid.bot("Lin Resident").await;
    let engine = &grid.running.engine;
    grid.region("Shop Row", "Shops", &[]).await;
    grid.grant("Lin Resident", 100).await;
    let catalogue = engine
        .add_inventory_item(
            &name("Ada Resident"),
            ItemSpec {
                asset_type: AssetType::Notecard,
                name: "Catalogue".into(),
                description: String::new(),
                wearable: None,
                perms: Perms::ALL,
                next_perms: Perms::parse("copy+trans").unwrap(),
                text: Some("Everything we sell".into()),
            },
        )
        .await
        .unwrap();
    let club = grid
        .group(engine::GroupSpec::new("Shop Club", name("Ada Resident")))
        .await;
    let object = |n: &str, at: (f64, f64, f64), behaviour: Behaviour| ObjectSpec {
        region: "Shop Row".into(),
        name: n.into(),
        owner: name("Ada Resident"),
        at,
        behaviour,
        links: 1,
    };
    let mut made = std::collections::HashMap::new();
    for spec in [
        object(
            "Greeter",
            (10.0, 10.0, 20.0),
            Behaviour::Greeter {
                text: "Welcome to Shop Row!".into(),
                buttons: vec!["Info".into(), "Map".into()],
            },
        ),
        object(
            "Tip Jar",
            (12.0, 10.0, 20.0),
            Behaviour::TipJar {
                thanks: String::new(),
            },
        ),
        object("Chair", (14.0, 10.0, 20.0), Behaviour::Chair),
        object(
            "Vendor",
            (16.0, 10.0, 20.0),
            Behaviour::Vendor {
                price: 25,
                item: catalogue.uuid,
            },
        ),
        object(
            "Inviter",
            (18.0, 10.0, 20.0),
            Behaviour::Inviter { group: club },
        ),
        object("Far Away Rock", (200.0, 200.0, 20.0), Behaviour::Plain),
    ] {
        let o = engine.create_object(spec).await.unwrap();
        made.insert(o.name.clone(), o.uuid.to_string());
    }
    let uuid = |n: &str| made[n].clone();
    let hook = Receiver::start().await;
    grid.callback(
        &lin,
        &hook.url(),
        "script_dialog,chat_message,offer_inventory,group_invite",
    )
    .await;
    grid.call(&ada, "login", &[("location", "Shop Row/20/20/20")])
        .await;
    grid.call(&lin, "login", &[("location", "Shop Row/10/12/20")])
        .await;
    grid.wait_status(&ada, "ONLINE").await;
    grid.wait_status(&lin, "ONLINE").await;
    let chat = |n: usize| {
        let hook = hook.clone();
        async move { hook.wait_for("chat_message", n).await[n - 1].clone() }
    };

    // A greeter's dialog, answered.
    grid.call(&lin, "touch_prim", &[("uuid", &uuid("Greeter"))])
        .await
        .assert_ok_for("touch_prim");
    let dialog = hook.wait_for("script_dialog", 1).await[0].clone();
    assert_eq!(dialog["text"], "Welcome to Shop Row!");
    assert_eq!(dialog["buttons"], "Info\nMap");
    assert_eq!(dialog["object_name"], "Greeter");
    assert_eq!(dialog["object_uuid"], uuid("Greeter"));
    assert_eq!(dialog["owner_name"], "Ada Resident");
    let reply = |button: &'static str| {
        let (grid, lin, d) = (&grid, &lin, dialog.clone());
        async move {
            grid.call(
                lin,
                "reply_dialog",
                &[
                    ("channel", &d["channel"]),
                    ("object", &d["object_uuid"]),
                    ("button", button),
                ],
            )
            .await
        }
    };
    reply("Map").await.assert_ok_for("reply_dialog");
    let said = chat(1).await;
    assert_eq!(said["message"], "You chose Map.");
    assert_eq!(said["speaker_type"], "OBJECT");
    assert_eq!(said["speaker_name"], "Greeter");
    assert_eq!(said["speaker_owner"], ada.uuid.to_string());
    reply("Nope")
        .await
        .assert_fail("Invalid parameter: button (not a button of the dialog)");

    // Out of reach, or not there at all.
    grid.call(&lin, "touch_prim", &[("uuid", &uuid("Far Away Rock"))])
        .await
        .assert_fail("OBJECT NOT FOUND");
    grid.call(
        &lin,
        "touch_prim_coord",
        &[("x", "12.2"), ("y", "10"), ("z", "20")],
    )
    .await
    .assert_ok_for("touch_prim_coord");
    assert_eq!(chat(2).await["message"], "Pay me to tip Ada Resident.");
    grid.call(
        &lin,
        "touch_prim_coord",
        &[("x", "50"), ("y", "50"), ("z", "20")],
    )
    .await
    .assert_fail("OBJECT NOT FOUND");

    // Paying: the owner gets the money; the tip jar thanks, the vendor sells.
    grid.call(
        &lin,
        "give_money_object",
        &[("object_uuid", &uuid("Tip Jar")), ("amount", "10")],
    )
    .await
    .assert_ok_for("give_money_object");
    assert_eq!(chat(3).await["message"], "Thank you, Lin Resident!");
    grid.call(
        &lin,
        "give_money_object",
        &[("object_uuid", &uuid("Vendor")), ("amount", "20")],
    )
    .await
    .assert_fail("Invalid parameter: amount (this vendor sells for L$25)");
    grid.call(
        &lin,
        "give_money_object",
        &[("object_uuid", &uuid("Vendor")), ("amount", "25")],
    )
    .await
    .assert_ok_for("give_money_object");
    let offer = hook.wait_for("offer_inventory", 1).await[0].clone();
    assert_eq!(offer["message"], "Catalogue");
    assert_eq!(offer["sender_uuid"], ada.uuid.to_string());
    assert_eq!(chat(4).await["message"], "Thank you for your purchase.");
    assert_eq!(
        grid.call(&lin, "get_balance", &[]).await.get("balance"),
        "65"
    );
    assert_eq!(
        grid.call(&ada, "get_balance", &[]).await.get("balance"),
        "35"
    );

    // An inviter invites into its owner's group.
    grid.call(&lin, "touch_prim", &[("uuid", &uuid("Inviter"))])
        .await
        .assert_ok_for("touch_prim");
    let invite = hook.wait_for("group_invite", 1).await[0].clone();
    assert_eq!(invite["group_name"], "Shop Club");
    assert_eq!(invite["avatar_name"], "Ada Resident");
    assert_eq!(chat(5).await["message"], "An invitation is on its way.");

    // Sitting on a chair puts the bot there; other objects have no sit target.
    grid.call(&lin, "sit", &[("uuid", &uuid("Greeter"))])
        .await
        .assert_fail("Invalid parameter: uuid (the object has no sit target)");
    grid.call(&lin, "sit", &[("uuid", &uuid("Chair"))])
        .await
        .assert_ok_for("sit");
    let r = grid.call(&lin, "bot_location", &[]).await;
    assert_eq!((r.get("x"), r.get("y")), ("14", "10"));
    let scan = grid.call_json(&ada, "nearbyavatars_scan", &[]).await;
    assert_eq!(scan["avatars"][0]["name"], "Lin Resident");
    assert_eq!(scan["avatars"][0]["sitting"], true);
    grid.call(&lin, "sit", &[("uuid", "NONE")])
        .await
        .assert_ok_for("sit");
    let scan = grid.call_json(&ada, "nearbyavatars_scan", &[]).await;
    assert_eq!(scan["avatars"][0]["sitting"], false);
}

#[tokio::test]
async fn attachments_are_listed_and_touched_objects_taken_and_returned() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada Resident").await;
    let lin = grid.bot("Lin Resident").await;
    let engine = &grid.running.engine;
    grid.region("Yard", "Ada's", &["Ada Resident"]).await;
    let item = |n: &str| ItemSpec {
        asset_type: AssetType::Object,
        name: n.into(),
        description: String::new(),
        wearable: None,
        perms: Perms::ALL,
        next_perms: Perms::ALL,
        text: None,
    };
    let hat = engine
        .add_inventory_item(&name("Ada Resident"), item("Hat"))
        .await
        .unwrap();
    let hud = engine
        .add_inventory_item(&name("Ada Resident"), item("Radar HUD"))
        .await
        .unwrap();
    let place = |n: &str, owner: &str, x: f64| ObjectSpec {
        region: "Yard".into(),
        name: n.into(),
        owner: name(owner),
        at: (x, 10.0, 20.0),
        behaviour: Behaviour::Plain,
        links: 1,
    };
    let crate_ = engine
        .create_object(place("Crate", "Ada Resident", 12.0))
        .await
        .unwrap();
    let litter = engine
        .create_object(place("Litter", "Lin Resident", 14.0))
        .await
        .unwrap();
    for bot in [&ada, &lin] {
        grid.call(bot, "login", &[("location", "Yard/10/10/20")])
            .await;
        grid.wait_status(bot, "ONLINE").await;
    }

    for i in [&hat, &hud] {
        grid.call(&ada, "wear", &[("uuid", &i.uuid.to_string())])
            .await
            .assert_ok_for("wear");
    }
    let r = grid.call(&ada, "attachments", &[]).await;
    r.assert_ok_for("attachments");
    assert_eq!(r.get("total"), "2");
    assert_eq!(
        r.lines("attachments"),
        [
            format!("{} Hat", hat.uuid),
            format!("{} Radar HUD", hud.uuid)
        ]
    );
    let r = grid
        .call(&ada, "attachments", &[("matchnames", "hud")])
        .await;
    assert_eq!((r.get("total"), r.lines("attachments").len()), ("2", 1));
    grid.call(&ada, "touch_attachment", &[("objectname", "Hat")])
        .await
        .assert_ok_for("touch_attachment");
    grid.call(&ada, "touch_attachment", &[("objectname", "hat")])
        .await
        .assert_fail("OBJECT NOT FOUND");
    grid.call(
        &ada,
        "touch_attachment",
        &[("objectname", "Hat"), ("linkset", "2")],
    )
    .await
    .assert_fail("LINK NOT FOUND");

    // Taking: a copy leaves the object; taking removes it; others' objects are left.
    let objects_folder = |bot: &crate::harness::Bot| {
        let (grid, bot) = (&grid, bot.clone());
        async move {
            let root = grid.call(&bot, "inventory_list", &[]).await;
            let objects = root
                .get("list")
                .lines()
                .find(|l| l.ends_with(";Objects"))
                .map(|l| l[..36].to_owned())
                .unwrap();
            grid.call(&bot, "inventory_list", &[("uuid", &objects)])
                .await
                .get("list")
                .lines()
                .filter(|l| l.ends_with(";Crate"))
                .count()
        }
    };
    let crate_uuid = crate_.uuid.to_string();
    grid.call(
        &ada,
        "inworld_prim_take",
        &[("operation", "copy"), ("uuid", &crate_uuid)],
    )
    .await
    .assert_ok_for("inworld_prim_take");
    assert_eq!(objects_folder(&ada).await, 1);
    grid.call(&ada, "touch_prim", &[("uuid", &crate_uuid)])
        .await
        .assert_ok_for("touch_prim");
    grid.call(
        &lin,
        "inworld_prim_take",
        &[("operation", "take"), ("uuid", &crate_uuid)],
    )
    .await
    .assert_ok_for("inworld_prim_take");
    grid.call(&lin, "touch_prim", &[("uuid", &crate_uuid)])
        .await
        .assert_ok_for("touch_prim");
    grid.call(
        &ada,
        "inworld_prim_take",
        &[("operation", "take"), ("uuid", &crate_uuid)],
    )
    .await
    .assert_ok_for("inworld_prim_take");
    assert_eq!(objects_folder(&ada).await, 2);
    grid.call(&ada, "touch_prim", &[("uuid", &crate_uuid)])
        .await
        .assert_fail("OBJECT NOT FOUND");

    // Items put into an object: copies, or the item itself without copy permission;
    // they come back to Lost And Found when the object leaves the world.
    let shelf = engine
        .create_object(place("Shelf", "Ada Resident", 16.0))
        .await
        .unwrap();
    let shelf_uuid = shelf.uuid.to_string();
    let copyable = engine
        .add_inventory_item(&name("Ada Resident"), item("Lamp"))
        .await
        .unwrap();
    let unique = engine
        .add_inventory_item(
            &name("Ada Resident"),
            ItemSpec {
                perms: Perms::parse("mod+trans").unwrap(),
                ..item("Vase")
            },
        )
        .await
        .unwrap();
    for i in [&copyable, &unique] {
        grid.call(
            &ada,
            "inventory_to_prim",
            &[("inventory", &i.uuid.to_string()), ("prim", &shelf_uuid)],
        )
        .await
        .assert_ok_for("inventory_to_prim");
    }
    assert_eq!(
        engine.object_contents(shelf.uuid).await.unwrap(),
        ["Lamp", "Vase"]
    );
    let objects_uuid = grid
        .call(&ada, "inventory_list", &[])
        .await
        .get("list")
        .lines()
        .find(|l| l.ends_with(";Objects"))
        .map(|l| l[..36].to_owned())
        .unwrap();
    let in_objects = grid
        .call(&ada, "inventory_list", &[("uuid", &objects_uuid)])
        .await;
    assert!(in_objects.get("list").contains(";Lamp"), "a copy went in");
    assert!(
        !in_objects.get("list").contains(";Vase"),
        "the no-copy vase moved in"
    );
    grid.call(
        &lin,
        "inventory_to_prim",
        &[
            ("inventory", &copyable.uuid.to_string()),
            ("prim", &shelf_uuid),
        ],
    )
    .await
    .assert_fail("Invalid parameter: prim (the bot may only put items into objects it owns)");
    grid.call(
        &ada,
        "inworld_prim_take",
        &[("operation", "take"), ("uuid", &shelf_uuid)],
    )
    .await
    .assert_ok_for("inworld_prim_take");
    let ada_root = grid.call(&ada, "inventory_list", &[]).await;
    let ada_lost = ada_root
        .get("list")
        .lines()
        .find(|l| l.ends_with(";Lost And Found"))
        .map(|l| l[..36].to_owned())
        .unwrap();
    let back = grid
        .call(&ada, "inventory_list", &[("uuid", &ada_lost)])
        .await;
    assert!(
        back.get("list").contains(";Vase") && back.get("list").contains(";Lamp"),
        "{}",
        back.raw
    );

    // A link set keeps its prims through the inventory: its links can be touched.
    let chain = engine
        .create_object(ObjectSpec {
            links: 3,
            ..place("Wind Chime", "Ada Resident", 18.0)
        })
        .await
        .unwrap();
    grid.call(
        &ada,
        "inworld_prim_take",
        &[("operation", "take"), ("uuid", &chain.uuid.to_string())],
    )
    .await
    .assert_ok_for("inworld_prim_take");
    let root = grid.call(&ada, "inventory_list", &[]).await;
    let objects = root
        .get("list")
        .lines()
        .find(|l| l.ends_with(";Objects"))
        .map(|l| l[..36].to_owned())
        .unwrap();
    let chime = grid
        .call(&ada, "inventory_list", &[("uuid", &objects)])
        .await
        .get("list")
        .lines()
        .find(|l| l.ends_with(";Wind Chime"))
        .map(|l| l[..36].to_owned())
        .unwrap();
    grid.call(&ada, "wear", &[("uuid", &chime)])
        .await
        .assert_ok_for("wear");
    grid.call(
        &ada,
        "touch_attachment",
        &[("objectname", "Wind Chime"), ("linkset", "3")],
    )
    .await
    .assert_ok_for("touch_attachment");
    grid.call(
        &ada,
        "touch_attachment",
        &[("objectname", "Wind Chime"), ("linkset", "4")],
    )
    .await
    .assert_fail("LINK NOT FOUND");

    // An estate manager returns someone's objects to their Lost And Found.
    let lin_uuid = lin.uuid.to_string();
    grid.call(&lin, "sim_return", &[("avatar", &lin_uuid)])
        .await
        .assert_fail("The bot is not an estate manager of Yard");
    grid.call(&ada, "sim_return", &[("avatar", &lin_uuid)])
        .await
        .assert_ok_for("sim_return");
    grid.call(&lin, "touch_prim", &[("uuid", &litter.uuid.to_string())])
        .await
        .assert_fail("OBJECT NOT FOUND");
    let root = grid.call(&lin, "inventory_list", &[]).await;
    let lost = root
        .get("list")
        .lines()
        .find(|l| l.ends_with(";Lost And Found"))
        .map(|l| l[..36].to_owned())
        .unwrap();
    let inside = grid.call(&lin, "inventory_list", &[("uuid", &lost)]).await;
    assert!(inside.get("list").ends_with(";Litter"), "{}", inside.raw);
}

#[tokio::test]
async fn an_owner_url_hears_what_happens_to_its_object_and_answers_what_it_does() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada Resident").await;
    let lin = grid.bot("Lin Resident").await;
    let engine = &grid.running.engine;
    grid.region("Oracle Hill", "Hills", &[]).await;
    grid.grant("Lin Resident", 20).await;
    let oracle = engine
        .create_object(ObjectSpec {
            region: "Oracle Hill".into(),
            name: "Oracle".into(),
            owner: name("Ada Resident"),
            at: (10.0, 10.0, 20.0),
            behaviour: Behaviour::Plain,
            links: 1,
        })
        .await
        .unwrap();
    let script = Receiver::start().await;
    script.reply_with("say=Hello%20there&dialog=Pick%20one&buttons=Red,Blue");
    engine
        .set_object_url(oracle.uuid, Some(script.url()))
        .await
        .unwrap();
    let hook = Receiver::start().await;
    grid.callback(&lin, &hook.url(), "chat_message,script_dialog")
        .await;
    grid.call(&lin, "login", &[("location", "Oracle Hill/12/10/20")])
        .await;
    grid.wait_status(&lin, "ONLINE").await;
    let oracle_uuid = oracle.uuid.to_string();
    let _ = &ada;

    grid.call(&lin, "touch_prim", &[("uuid", &oracle_uuid)])
        .await
        .assert_ok_for("touch_prim");
    let heard = script.wait_for_field("event", "touch").await;
    assert_eq!(heard["object_uuid"], oracle_uuid);
    assert_eq!(heard["object_name"], "Oracle");
    assert_eq!(heard["avatar_uuid"], lin.uuid.to_string());
    assert_eq!(heard["avatar_name"], "Lin Resident");
    // The answer: the object speaks and shows a dialog.
    let said = hook.wait_for("chat_message", 1).await[0].clone();
    assert_eq!(said["message"], "Hello there");
    assert_eq!(said["speaker_type"], "OBJECT");
    assert_eq!(said["speaker_owner"], ada.uuid.to_string());
    let dialog = hook.wait_for("script_dialog", 1).await[0].clone();
    assert_eq!(dialog["text"], "Pick one");
    assert_eq!(dialog["buttons"], "Red\nBlue");

    script.reply_with("");
    grid.call(
        &lin,
        "reply_dialog",
        &[
            ("channel", &dialog["channel"]),
            ("object", &oracle_uuid),
            ("button", "Blue"),
        ],
    )
    .await
    .assert_ok_for("reply_dialog");
    assert_eq!(
        script.wait_for_field("event", "dialog").await["button"],
        "Blue"
    );
    grid.call(
        &lin,
        "say_chat_channel",
        &[("channel", "5"), ("message", "ping")],
    )
    .await
    .assert_ok_for("say_chat_channel");
    let chat = script.wait_for_field("event", "chat").await;
    assert_eq!(
        (chat["channel"].as_str(), chat["message"].as_str()),
        ("5", "ping")
    );
    grid.call(
        &lin,
        "give_money_object",
        &[("object_uuid", &oracle_uuid), ("amount", "5")],
    )
    .await
    .assert_ok_for("give_money_object");
    assert_eq!(script.wait_for_field("event", "money").await["amount"], "5");

    // Without its URL the object tells no one.
    engine.set_object_url(oracle.uuid, None).await.unwrap();
    let before = script.received().len();
    grid.call(&lin, "touch_prim", &[("uuid", &oracle_uuid)])
        .await
        .assert_ok_for("touch_prim");
    assert_eq!(script.settle().await.len(), before);
}
