//! The inventory and appearance commands of `/api/bot.html`.

use crate::args::Args;
use crate::commands::{
    CommandDef, EXAMPLE_UUID, FILTERS, NOSAFEHUB, opt, out, render_nothing, req,
};
use crate::reply::{Fields, escape};
use grid::command::{BotCommand, Reply};
use grid::inventory::{Entry, Perms};
use serde_json::{Value, json};

/// `type`, `clothing`, `asset`, `flags` of a listing entry (empty where none applies).
fn columns(e: &Entry) -> (&str, String, String, &'static str) {
    match e {
        Entry::Folder(_) => ("folder", String::new(), String::new(), ""),
        Entry::Item(i) => (
            i.asset_type.as_str(),
            i.wearable.clone().unwrap_or_default(),
            i.asset.to_string(),
            if i.worn { "WORN" } else { "" },
        ),
    }
}

fn perms(e: &Entry) -> (Perms, Perms) {
    match e {
        Entry::Folder(_) => (Perms::NONE, Perms::NONE),
        Entry::Item(i) => (i.perms, i.next_perms),
    }
}

fn render_list(a: &Args<'_>, reply: Reply, f: &mut Fields) {
    let Reply::Inventory(entries) = reply else {
        return;
    };
    let extended = a.flag("extended").unwrap_or(false);
    let lines: Vec<String> = entries
        .iter()
        .map(|e| {
            let (kind, clothing, asset, flags) = columns(e);
            if extended {
                let (now, next) = perms(e);
                format!(
                    "{};{kind};{clothing};{asset};{flags};{};{};{}",
                    e.uuid(),
                    escape(e.name()),
                    now.words().join("+"),
                    next.words().join("+")
                )
            } else {
                format!(
                    "{};{kind};{clothing};{asset};{flags};{}",
                    e.uuid(),
                    e.name()
                )
            }
        })
        .collect();
    f.text("list", lines.join("\n"));
}

fn render_list_2(_: &Args<'_>, reply: Reply, f: &mut Fields) {
    let Reply::Inventory(entries) = reply else {
        return;
    };
    let list: Vec<Value> = entries
        .iter()
        .map(|e| {
            let (kind, clothing, asset, flags) = columns(e);
            let (now, next) = perms(e);
            json!({
                "uuid": e.uuid().to_string(),
                "name": e.name(),
                "flags": flags,
                "assetUuid": asset,
                "currentPerms": now.words(),
                "type": kind,
                "nextPerms": next.words(),
                "clothing": clothing,
            })
        })
        .collect();
    f.json("list", Value::Array(list));
}

fn render_uuid(_: &Args<'_>, reply: Reply, f: &mut Fields) {
    if let Reply::Created(u) = reply {
        f.text("uuid", u.to_string());
    }
}

fn list_command(a: &Args<'_>) -> Result<BotCommand, crate::errors::Failure> {
    a.flag("extended")?;
    Ok(BotCommand::InventoryList {
        folder: a.opt_uuid("uuid")?,
        filter: a.filter()?,
    })
}

/// Every inventory and appearance command.
pub static INVENTORY_COMMANDS: &[CommandDef] = &[
    CommandDef {
        action: "inventory_list",
        aliases: &["listinventory"],
        summary: "Lists a folder of the bot's inventory: its folders, then its items. The root holds the system folders (Current Outfit, Notecards, Objects, Textures, Clothing, Body Parts, Landmarks, Lost And Found); Current Outfit lists what the bot wears.",
        params: &[
            opt("uuid", "The folder (inventory UUID); empty: the root."),
            opt(
                "extended",
                "`1`: URL-escape the names and add the current and next owner's permissions.",
            ),
            FILTERS[0],
            FILTERS[1],
            FILTERS[2],
        ],
        outputs: &[out(
            "list",
            "One line per entry: `uuid;type;clothing;asset;flags;name` (`type` is `folder` or the item's type, `clothing` the slot of clothing and body parts, `asset` the asset UUID, `flags` `WORN` for worn items); with `extended=1` the name is escaped and `;mod+copy+trans;copy+trans` follow.",
        )],
        json_only: false,
        example: &[],
        parse: list_command,
        render: render_list,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "inventory_list_2",
        aliases: &[],
        summary: "The same listing as JSON.",
        params: &[
            opt("uuid", "The folder (inventory UUID); empty: the root."),
            FILTERS[0],
            FILTERS[1],
            FILTERS[2],
        ],
        outputs: &[out(
            "list",
            "Objects `{uuid, name, flags, assetUuid, currentPerms, type, nextPerms, clothing}`; the permissions are arrays of `mod`, `copy`, `trans`.",
        )],
        json_only: true,
        example: &[],
        parse: list_command,
        render: render_list_2,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "folder_create",
        aliases: &[],
        summary: "Makes a folder.",
        params: &[
            req("name", "The folder's name (at most 63 characters)."),
            opt("parent", "The folder to make it in; default the root."),
        ],
        outputs: &[out("uuid", "The new folder's UUID.")],
        json_only: false,
        example: &[("name", "Shop stock")],
        parse: |a| {
            Ok(BotCommand::FolderCreate {
                name: a.req("name")?.to_owned(),
                parent: a.opt_uuid("parent")?,
            })
        },
        render: render_uuid,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "notecard_create",
        aliases: &[],
        summary: "Writes a notecard (the bot is its creator, with full permissions).",
        params: &[
            opt("folder", "The folder; default Notecards."),
            req("name", "The notecard's name (at most 63 characters)."),
            opt(
                "description",
                "The item's description (at most 127 characters).",
            ),
            req("text", "The text, at most 65,536 bytes."),
        ],
        outputs: &[out("uuid", "The new notecard's inventory UUID.")],
        json_only: false,
        example: &[("name", "Welcome"), ("text", "Hello and welcome!")],
        parse: |a| {
            Ok(BotCommand::NotecardCreate {
                folder: a.opt_uuid("folder")?,
                name: a.req("name")?.to_owned(),
                description: a.opt("description").unwrap_or_default().to_owned(),
                text: a
                    .raw("text")
                    .ok_or(crate::errors::Failure::Missing("text"))?
                    .to_owned(),
            })
        },
        render: render_uuid,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "notecard_edit",
        aliases: &[],
        summary: "Replaces a notecard's text (needs modify permission). Copies given away earlier keep their text.",
        params: &[
            req("uuid", "The notecard's inventory UUID."),
            req("text", "The new text."),
        ],
        outputs: &[],
        json_only: false,
        example: &[("uuid", EXAMPLE_UUID), ("text", "New text")],
        parse: |a| {
            Ok(BotCommand::NotecardEdit {
                item: a.req_uuid("uuid")?,
                text: a
                    .raw("text")
                    .ok_or(crate::errors::Failure::Missing("text"))?
                    .to_owned(),
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "notecard_read",
        aliases: &[],
        summary: "Reads a notecard's text.",
        params: &[req("uuid", "The notecard's inventory UUID.")],
        outputs: &[out("text", "The notecard's text.")],
        json_only: false,
        example: &[("uuid", EXAMPLE_UUID)],
        parse: |a| {
            Ok(BotCommand::NotecardRead {
                item: a.req_uuid("uuid")?,
            })
        },
        render: |_, reply, f| {
            if let Reply::Text(t) = reply {
                f.text("text", t);
            }
        },
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "inventory_delete",
        aliases: &[],
        summary: "Deletes an item, or a folder with everything in it (not a system folder).",
        params: &[req("uuid", "The item's or folder's inventory UUID.")],
        outputs: &[],
        json_only: false,
        example: &[("uuid", EXAMPLE_UUID)],
        parse: |a| {
            Ok(BotCommand::InventoryDelete {
                item: a.req_uuid("uuid")?,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "inventory_give",
        aliases: &["give_inventory"],
        summary: "Offers an item or a folder to an avatar (a bot gets `offer_inventory` and answers with `inventory_offer_accept`; a person's offers are accepted at once). An item needs transfer permission; with copy permission the recipient gets a copy, without it the item itself. A folder is given with what in it may be transferred. The recipient gets the next owner's permissions.",
        params: &[
            req("avatar", "The recipient (UUID)."),
            req("object", "The item's or folder's inventory UUID."),
            NOSAFEHUB,
        ],
        outputs: &[],
        json_only: false,
        example: &[("avatar", EXAMPLE_UUID), ("object", EXAMPLE_UUID)],
        parse: |a| {
            Ok(BotCommand::InventoryGive {
                to: a.req_uuid("avatar")?,
                item: a.req_uuid("object")?,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "inventory_offer_accept",
        aliases: &[],
        summary: "Answers an `offer_inventory` callback with its fields. Accepted items go into `folder` (the one the callback names, or another of the bot's); declined ones are dropped, and an item that was moved to the bot goes back to the giver's Lost And Found.",
        params: &[
            req("sender_uuid", "The giver, from the callback."),
            req("session", "The offer's session, from the callback."),
            req("accept", "`1` accepts; anything else declines."),
            opt(
                "folder",
                "Where to put it, from the callback (or another folder).",
            ),
            opt(
                "object",
                "The offered item, from the callback (not needed: the session names it).",
            ),
            opt(
                "asset_type",
                "From the callback (older name `offer_type`); not needed.",
            ),
        ],
        outputs: &[],
        json_only: false,
        example: &[
            ("sender_uuid", EXAMPLE_UUID),
            ("session", EXAMPLE_UUID),
            ("accept", "1"),
        ],
        parse: |a| {
            Ok(BotCommand::InventoryOfferAnswer {
                sender: a.req_uuid("sender_uuid")?,
                session: a.req_uuid("session")?,
                accept: a.req("accept")?.trim() == "1",
                folder: a.opt_uuid("folder")?,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "texture_upload",
        aliases: &[],
        summary: "Uploads a texture (JPEG, PNG or TIFF, base64-encoded; send it with POST) into the bot's inventory. The image is kept in the files folder, within the server's file size limit. No upload fee is taken.",
        params: &[
            req("name", "The texture's name."),
            req(
                "data",
                "The image, base64-encoded (the body may be up to 8 MiB).",
            ),
            opt("folder", "The folder; default Textures."),
            opt(
                "loseless",
                "`1`: lossless (SmartBots' spelling); kept with the texture.",
            ),
        ],
        outputs: &[
            out("uuid", "The new item's inventory UUID."),
            out("asset_uuid", "The texture's asset UUID."),
        ],
        json_only: false,
        example: &[("name", "Logo"), ("data", "iVBORw0KGgoAAAANSUhEUg==")],
        parse: |a| {
            use base64::Engine as _;
            let text: String = a
                .req("data")?
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(text.as_bytes())
                .map_err(|_| crate::errors::Failure::Invalid {
                    name: "data",
                    reason: "expected base64".into(),
                })?;
            Ok(BotCommand::TextureUpload {
                name: a.req("name")?.to_owned(),
                folder: a.opt_uuid("folder")?,
                lossless: a.flag("loseless")?,
                image: grid::inventory::TextureBody::Bytes(bytes),
            })
        },
        render: |_, reply, f| {
            if let Reply::Uploaded { item, asset } = reply {
                f.text("uuid", item.to_string())
                    .text("asset_uuid", asset.to_string());
            }
        },
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "inventory_to_prim",
        aliases: &["inventory_to_object"],
        summary: "Puts an inventory item into an object the bot owns within 32 m: a copy, or the item itself if it has no copy permission. When the object leaves the world (taken or returned), what is in it goes to the owner's Lost And Found.",
        params: &[
            req("inventory", "The item's inventory UUID."),
            req("prim", "The object's UUID."),
        ],
        outputs: &[],
        json_only: false,
        example: &[("inventory", EXAMPLE_UUID), ("prim", EXAMPLE_UUID)],
        parse: |a| {
            Ok(BotCommand::InventoryToPrim {
                item: a.req_uuid("inventory")?,
                object: a.req_uuid("prim")?,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "wear",
        aliases: &[],
        summary: "Wears clothing, a body part or an object from the inventory. Clothing replaces what is worn in its slot unless `wear=add`; a body part always replaces its kind.",
        params: &[
            req("uuid", "The item's inventory UUID."),
            opt("wear", "`add`: wear it beside what is in its slot."),
        ],
        outputs: &[],
        json_only: false,
        example: &[("uuid", EXAMPLE_UUID)],
        parse: |a| {
            Ok(BotCommand::Wear {
                item: a.req_uuid("uuid")?,
                add: a.opt("wear").is_some_and(|w| w.eq_ignore_ascii_case("add")),
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "takeoff",
        aliases: &[],
        summary: "Takes off a worn item (body parts can only be replaced).",
        params: &[req("uuid", "The worn item's inventory UUID.")],
        outputs: &[],
        json_only: false,
        example: &[("uuid", EXAMPLE_UUID)],
        parse: |a| {
            Ok(BotCommand::TakeOff {
                item: a.req_uuid("uuid")?,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "rebake",
        aliases: &[],
        summary: "Asks for the bot's appearance to be baked again. botgrid has no textures to bake: it answers OK.",
        params: &[],
        outputs: &[],
        json_only: false,
        example: &[],
        parse: |_| Ok(BotCommand::Rebake),
        render: render_nothing,
        on_error: None,
        extension: false,
    },
];
