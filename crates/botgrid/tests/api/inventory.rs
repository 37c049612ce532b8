//! Inventory: folders, notecards, giving with permissions, offers, wearing.

use crate::harness::{Bot, Grid, Receiver};
use engine::ItemSpec;
use grid::LegacyName;
use grid::inventory::{AssetType, Perms};

/// One line of `inventory_list`: uuid, type, clothing, asset, flags, name (and with
/// `extended=1` the two permission columns).
fn lines(list: &str) -> Vec<Vec<String>> {
    list.lines()
        .filter(|l| !l.is_empty())
        .map(|l| l.split(';').map(str::to_owned).collect())
        .collect()
}

async fn list(grid: &Grid, bot: &Bot, folder: &str) -> Vec<Vec<String>> {
    let r = grid.call(bot, "inventory_list", &[("uuid", folder)]).await;
    r.assert_ok_for("inventory_list");
    lines(r.get("list"))
}

/// The UUID of the entry with this name in a listing.
fn uuid_of(listing: &[Vec<String>], name: &str) -> String {
    listing
        .iter()
        .find(|l| l[5] == name)
        .unwrap_or_else(|| panic!("{name} in {listing:?}"))[0]
        .clone()
}

async fn add(
    grid: &Grid,
    owner: &str,
    name: &str,
    t: AssetType,
    perms: &str,
    next: &str,
) -> String {
    add_worn(grid, owner, name, t, perms, next, None).await
}

async fn add_worn(
    grid: &Grid,
    owner: &str,
    name: &str,
    t: AssetType,
    perms: &str,
    next: &str,
    wearable: Option<&str>,
) -> String {
    grid.running
        .engine
        .add_inventory_item(
            &LegacyName::parse(owner).unwrap(),
            ItemSpec {
                asset_type: t,
                name: name.into(),
                description: String::new(),
                wearable: wearable.map(str::to_owned),
                perms: Perms::parse(perms).unwrap(),
                next_perms: Perms::parse(next).unwrap(),
                text: None,
            },
        )
        .await
        .unwrap()
        .uuid
        .to_string()
}

#[tokio::test]
async fn folders_and_notecards_are_made_listed_read_edited_and_deleted() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada Resident").await;
    grid.login(&ada).await;

    let root = list(&grid, &ada, "").await;
    let names: Vec<&str> = root.iter().map(|l| l[5].as_str()).collect();
    for system in [
        "Current Outfit",
        "Notecards",
        "Objects",
        "Textures",
        "Lost And Found",
    ] {
        assert!(names.contains(&system), "{system} in {names:?}");
    }
    assert!(root.iter().all(|l| l[1] == "folder"));
    let notecards = uuid_of(&root, "Notecards");

    let text = "Hello & welcome;\nline two = 2";
    let r = grid
        .call(
            &ada,
            "notecard_create",
            &[("name", "Welcome; card"), ("text", text)],
        )
        .await;
    r.assert_ok_for("notecard_create");
    let card = r.get("uuid").to_owned();
    let r = grid.call(&ada, "notecard_read", &[("uuid", &card)]).await;
    r.assert_ok_for("notecard_read");
    assert_eq!(r.get("text"), text);

    // Extended: the name is escaped (it holds a `;`) and the permissions follow.
    let r = grid
        .call(
            &ada,
            "inventory_list",
            &[("uuid", &notecards), ("extended", "1")],
        )
        .await;
    let entry = lines(r.get("list"))
        .into_iter()
        .find(|l| l[0] == card)
        .expect("the notecard in Notecards");
    assert_eq!(entry[1], "notecard");
    assert_eq!(entry[5], "Welcome%3B%20card");
    assert_eq!(entry[6], "mod+copy+trans");
    assert_eq!(entry[7], "mod+copy+trans");
    assert!(!entry[3].is_empty(), "the asset UUID");

    grid.call(
        &ada,
        "notecard_edit",
        &[("uuid", &card), ("text", "changed")],
    )
    .await
    .assert_ok_for("notecard_edit");
    assert_eq!(
        grid.call(&ada, "notecard_read", &[("uuid", &card)])
            .await
            .get("text"),
        "changed"
    );

    // A folder of one's own, a notecard in it, the JSON listing and the filters.
    let r = grid
        .call(&ada, "folder_create", &[("name", "Shop stock")])
        .await;
    r.assert_ok_for("folder_create");
    let stock = r.get("uuid").to_owned();
    grid.call(
        &ada,
        "notecard_create",
        &[("name", "Price list"), ("text", "L$10"), ("folder", &stock)],
    )
    .await
    .assert_ok_for("notecard_create");
    let r = grid
        .call_json(&ada, "inventory_list_2", &[("uuid", &stock)])
        .await;
    let listed = r["list"].as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["name"], "Price list");
    assert_eq!(listed[0]["type"], "notecard");
    assert_eq!(
        listed[0]["currentPerms"],
        serde_json::json!(["mod", "copy", "trans"])
    );
    let shown = grid
        .call(&ada, "inventory_list", &[("matchnames", "stock")])
        .await;
    assert_eq!(lines(shown.get("list")).len(), 1, "{}", shown.raw);
    grid.call(&ada, "inventory_list_2", &[])
        .await
        .assert_fail("This command requires dataType=json");

    // Deleting: a folder goes with what is in it; system folders stay.
    grid.call(&ada, "inventory_delete", &[("uuid", &stock)])
        .await
        .assert_ok_for("inventory_delete");
    assert!(list(&grid, &ada, "").await.iter().all(|l| l[0] != stock));
    grid.call(&ada, "inventory_list", &[("uuid", &stock)])
        .await
        .assert_fail(&format!("Inventory item not found: {stock}"));
    grid.call(&ada, "inventory_delete", &[("uuid", &notecards)])
        .await
        .assert_fail("Invalid parameter: uuid (system folders cannot be deleted)");
    grid.call(
        &ada,
        "notecard_create",
        &[("name", "Empty name test"), ("text", "")],
    )
    .await
    .assert_ok_for("notecard_create");
    grid.call(&ada, "folder_create", &[("name", "")])
        .await
        .assert_fail("Missing parameter: name");
}

#[tokio::test]
async fn giving_follows_permissions_and_offers_are_accepted_or_declined() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada Resident").await;
    let lin = grid.bot("Lin Resident").await;
    grid.login(&ada).await;
    let hook = Receiver::start().await;
    grid.callback(&lin, &hook.url(), "offer_inventory").await;
    grid.login(&lin).await;
    let tee = add(
        &grid,
        "Ada Resident",
        "Copyable Tee",
        AssetType::Clothing,
        "all",
        "copy+trans",
    )
    .await;
    let ring = add(
        &grid,
        "Ada Resident",
        "Unique Ring",
        AssetType::Object,
        "mod+trans",
        "all",
    )
    .await;
    let bound = add(
        &grid,
        "Ada Resident",
        "Soulbound",
        AssetType::Object,
        "mod+copy",
        "all",
    )
    .await;
    let lin_uuid = lin.uuid.to_string();
    let give = |object: String| {
        let (grid, ada, to) = (&grid, &ada, lin_uuid.clone());
        async move {
            grid.call(
                ada,
                "inventory_give",
                &[("avatar", &to), ("object", &object)],
            )
            .await
        }
    };
    let answer = |offer: &crate::harness::Posted, accept: &str| {
        let (grid, lin) = (&grid, &lin);
        let params: Vec<(String, String)> =
            ["asset_type", "object", "sender_uuid", "folder", "session"]
                .iter()
                .map(|k| (k.to_string(), offer[*k].clone()))
                .chain(std::iter::once(("accept".to_string(), accept.to_string())))
                .collect();
        async move {
            let p: Vec<(&str, &str)> = params
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            grid.call(lin, "inventory_offer_accept", &p).await
        }
    };

    give(bound.clone())
        .await
        .assert_fail("transfer permission not set");

    // A copyable item: Ada keeps hers, Lin gets a copy with the next owner's rights.
    give(tee.clone()).await.assert_ok_for("inventory_give");
    let offer = hook.wait_for("offer_inventory", 1).await[0].clone();
    assert_eq!(offer["asset_type"], "clothing");
    assert_eq!(offer["offer_type"], "clothing");
    assert_eq!(offer["sender_uuid"], ada.uuid.to_string());
    assert_eq!(offer["sender_name"], "Ada Resident");
    assert_eq!(offer["sender_type"], "AGENT");
    assert_eq!(offer["message"], "Copyable Tee");
    assert_ne!(offer["object"], tee, "the copy is a new inventory entry");
    answer(&offer, "1")
        .await
        .assert_ok_for("inventory_offer_accept");
    answer(&offer, "1")
        .await
        .assert_fail("Inventory offer not found");
    let lin_root = list(&grid, &lin, "").await;
    let clothing = list(&grid, &lin, &uuid_of(&lin_root, "Clothing")).await;
    let got = clothing
        .iter()
        .find(|l| l[5] == "Copyable Tee")
        .expect("Lin's tee");
    assert_eq!(got[0], offer["object"]);
    let r = grid
        .call(
            &lin,
            "inventory_list",
            &[("uuid", &uuid_of(&lin_root, "Clothing")), ("extended", "1")],
        )
        .await;
    let ext = lines(r.get("list"));
    assert_eq!(ext[0][6], "copy+trans", "the next owner's permissions");
    let ada_root = list(&grid, &ada, "").await;
    let ada_clothing = list(&grid, &ada, &uuid_of(&ada_root, "Clothing")).await;
    assert!(
        ada_clothing.iter().any(|l| l[0] == tee),
        "Ada keeps her copy"
    );

    // A no-copy item moves; declined, it comes back to Ada's Lost And Found.
    give(ring.clone()).await.assert_ok_for("inventory_give");
    let objects = list(&grid, &ada, &uuid_of(&ada_root, "Objects")).await;
    assert!(objects.iter().all(|l| l[0] != ring), "the ring left Ada");
    let offer = hook.wait_for("offer_inventory", 2).await[1].clone();
    assert_eq!(offer["object"], ring, "the item itself travels");
    answer(&offer, "0")
        .await
        .assert_ok_for("inventory_offer_accept");
    let lost = list(&grid, &ada, &uuid_of(&ada_root, "Lost And Found")).await;
    assert_eq!(uuid_of(&lost, "Unique Ring"), ring);

    // Given again from there and accepted: Lin owns it, with mod+trans.
    give(ring.clone()).await.assert_ok_for("inventory_give");
    let offer = hook.wait_for("offer_inventory", 3).await[2].clone();
    answer(&offer, "1")
        .await
        .assert_ok_for("inventory_offer_accept");
    let r = grid
        .call(
            &lin,
            "inventory_list",
            &[("uuid", &uuid_of(&lin_root, "Objects")), ("extended", "1")],
        )
        .await;
    let ring_line = lines(r.get("list"))
        .into_iter()
        .find(|l| l[0] == ring)
        .expect("Lin's ring");
    assert_eq!(ring_line[6], "mod+trans");
    grid.call(
        &ada,
        "inventory_give",
        &[("avatar", &lin_uuid), ("object", &ring)],
    )
    .await
    .assert_fail(&format!("Inventory item not found: {ring}"));

    // A folder goes with what may be transferred in it.
    let r = grid
        .call(&ada, "folder_create", &[("name", "Gift box")])
        .await;
    let gift = r.get("uuid").to_owned();
    grid.call(
        &ada,
        "notecard_create",
        &[("name", "Card"), ("text", "for you"), ("folder", &gift)],
    )
    .await
    .assert_ok_for("notecard_create");
    give(gift.clone()).await.assert_ok_for("inventory_give");
    let offer = hook.wait_for("offer_inventory", 4).await[3].clone();
    assert_eq!(offer["asset_type"], "folder");
    answer(&offer, "1")
        .await
        .assert_ok_for("inventory_offer_accept");
    let box_line = list(&grid, &lin, "").await;
    let lin_box = uuid_of(&box_line, "Gift box");
    let inside = list(&grid, &lin, &lin_box).await;
    assert_eq!(inside.len(), 1);
    let card = inside[0][0].clone();
    assert_eq!(
        grid.call(&lin, "notecard_read", &[("uuid", &card)])
            .await
            .get("text"),
        "for you"
    );
    // Giving to oneself is refused.
    let me = ada.uuid.to_string();
    grid.call(&ada, "inventory_give", &[("avatar", &me), ("object", &tee)])
        .await
        .assert_fail("A bot cannot give inventory to itself");
}

#[tokio::test]
async fn clothing_is_worn_in_slots_and_current_outfit_shows_it() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada Resident").await;
    grid.login(&ada).await;
    let owner = "Ada Resident";
    let red = add_worn(
        &grid,
        owner,
        "Red Shirt",
        AssetType::Clothing,
        "all",
        "all",
        Some("shirt"),
    )
    .await;
    let blue = add_worn(
        &grid,
        owner,
        "Blue Shirt",
        AssetType::Clothing,
        "all",
        "all",
        Some("shirt"),
    )
    .await;
    let shape = add_worn(
        &grid,
        owner,
        "Shape",
        AssetType::BodyPart,
        "all",
        "all",
        Some("shape"),
    )
    .await;
    let card = add(&grid, owner, "A note", AssetType::Notecard, "all", "all").await;
    let outfit = uuid_of(&list(&grid, &ada, "").await, "Current Outfit");
    let outfit_names = |l: Vec<Vec<String>>| -> Vec<String> {
        let mut v: Vec<String> = l.into_iter().map(|l| l[5].clone()).collect();
        v.sort();
        v
    };

    grid.call(&ada, "wear", &[("uuid", &red)])
        .await
        .assert_ok_for("wear");
    grid.call(&ada, "wear", &[("uuid", &shape)])
        .await
        .assert_ok_for("wear");
    let now = list(&grid, &ada, &outfit).await;
    assert_eq!(outfit_names(now.clone()), ["Red Shirt", "Shape"]);
    assert!(now.iter().all(|l| l[4] == "WORN"));
    // Another shirt replaces the first, unless added.
    grid.call(&ada, "wear", &[("uuid", &blue)])
        .await
        .assert_ok_for("wear");
    assert_eq!(
        outfit_names(list(&grid, &ada, &outfit).await),
        ["Blue Shirt", "Shape"]
    );
    grid.call(&ada, "wear", &[("uuid", &red), ("wear", "add")])
        .await
        .assert_ok_for("wear");
    assert_eq!(
        outfit_names(list(&grid, &ada, &outfit).await),
        ["Blue Shirt", "Red Shirt", "Shape"]
    );
    grid.call(&ada, "takeoff", &[("uuid", &blue)])
        .await
        .assert_ok_for("takeoff");
    assert_eq!(
        outfit_names(list(&grid, &ada, &outfit).await),
        ["Red Shirt", "Shape"]
    );
    // The worn flag shows in the item's own folder too.
    let clothing = uuid_of(&list(&grid, &ada, "").await, "Clothing");
    let flags: Vec<(String, String)> = list(&grid, &ada, &clothing)
        .await
        .into_iter()
        .map(|l| (l[5].clone(), l[4].clone()))
        .collect();
    assert!(flags.contains(&("Red Shirt".into(), "WORN".into())));
    assert!(flags.contains(&("Blue Shirt".into(), String::new())));

    grid.call(&ada, "takeoff", &[("uuid", &shape)])
        .await
        .assert_fail("Invalid parameter: uuid (body parts cannot be taken off, only replaced (wear another))");
    grid.call(&ada, "wear", &[("uuid", &card)])
        .await
        .assert_fail("Invalid parameter: uuid (a notecard cannot be worn)");
    grid.call(&ada, "takeoff", &[("uuid", &blue)])
        .await
        .assert_fail("Invalid parameter: uuid (the item is not worn)");
    grid.call(&ada, "rebake", &[]).await.assert_ok_for("rebake");
}

#[tokio::test]
async fn textures_are_uploaded_into_the_inventory() {
    use base64::Engine as _;
    let grid = Grid::start().await;
    let ada = grid.bot("Ada Resident").await;
    grid.login(&ada).await;
    // A PNG signature and enough bytes to need more than the usual 64 KiB body.
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend((0..70_000u32).map(|i| (i % 251) as u8));
    let data = base64::engine::general_purpose::STANDARD.encode(&png);
    let form = |pairs: &[(&str, &str)]| {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
    };
    let post = |body: String| {
        let grid = &grid;
        async move {
            grid.post_raw("", body, "application/x-www-form-urlencoded")
                .await
        }
    };
    let r = post(form(&[
        ("action", "texture_upload"),
        ("apikey", &grid.api_key),
        ("botname", &ada.name),
        ("secret", &ada.secret),
        ("name", "Shop Logo"),
        ("data", &data),
    ]))
    .await;
    r.assert_ok_for("texture_upload");
    let item = r.get("uuid").to_owned();
    let asset = r.get("asset_uuid").to_owned();
    assert_ne!(item, asset);
    let textures = uuid_of(&list(&grid, &ada, "").await, "Textures");
    let line = list(&grid, &ada, &textures)
        .await
        .into_iter()
        .find(|l| l[0] == item)
        .expect("the texture in Textures");
    assert_eq!(
        (line[1].as_str(), line[3].as_str(), line[5].as_str()),
        ("texture", asset.as_str(), "Shop Logo")
    );

    let gif = base64::engine::general_purpose::STANDARD.encode(b"GIF89a....");
    grid.call(&ada, "texture_upload", &[("name", "Anim"), ("data", &gif)])
        .await
        .assert_fail("Invalid parameter: data (not a JPEG, PNG or TIFF image)");
    grid.call(
        &ada,
        "texture_upload",
        &[("name", "Bad"), ("data", "not base64!")],
    )
    .await
    .assert_fail("Invalid parameter: data (expected base64)");
    // Only uploads may be long.
    let long = "x".repeat(70_000);
    let r = post(form(&[
        ("action", "im"),
        ("apikey", &grid.api_key),
        ("botname", &ada.name),
        ("secret", &ada.secret),
        ("slname", "Nobody"),
        ("message", &long),
    ]))
    .await;
    r.assert_fail("Request body too large (limit 65536 bytes)");
}

#[tokio::test]
async fn older_and_other_command_names_reach_the_same_commands() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada Resident").await;
    let lin = grid.bot("Lin Resident").await;
    grid.login(&ada).await;
    let r = grid.call(&ada, "listinventory", &[]).await;
    r.assert_ok_for("listinventory");
    assert!(r.get("list").contains(";Current Outfit"));
    let card = grid
        .call(&ada, "notecard_create", &[("name", "Note"), ("text", "hi")])
        .await
        .get("uuid")
        .to_owned();
    grid.call(
        &ada,
        "give_inventory",
        &[("avatar", &lin.uuid.to_string()), ("object", &card)],
    )
    .await
    .assert_ok_for("give_inventory");
    grid.call(&ada, "attachment_touch", &[("objectname", "Nothing Worn")])
        .await
        .assert_fail("OBJECT NOT FOUND");
    grid.call(
        &ada,
        "inventory_to_object",
        &[
            ("inventory", &card),
            ("prim", smartbots::commands::EXAMPLE_UUID),
        ],
    )
    .await
    .assert_fail("Invalid parameter: location (the bot is nowhere: teleport it first)");
    grid.call(
        &ada,
        "group_activate",
        &[("groupuuid", "00000000-0000-0000-0000-000000000000")],
    )
    .await
    .assert_ok_for("group_activate");
}
