//! Objects with behaviours: touch_prim, touch_prim_coord, reply_dialog (script_dialog),
//! give_money_object, sit.

use crate::harness::{Grid, Receiver};
use engine::{ItemSpec, ObjectSpec, RegionSpec};
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
    engine
        .create_region(RegionSpec {
            name: "Shop Row".into(),
            estate: "Shops".into(),
            managers: vec![],
        })
        .await
        .unwrap();
    engine
        .grant_money(&name("Lin Resident"), 100, "".into())
        .await
        .unwrap();
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
    grid.call(&ada, "login", &[("location", "Shop Row/128/128/20")])
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
    grid.call(&lin, "sit", &[("uuid", "NONE")])
        .await
        .assert_ok_for("sit");
}
