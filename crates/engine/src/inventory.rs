//! Inventory rules: system folders, listings, notecards, giving with permissions,
//! offers, and what an avatar wears.

use crate::bot::{deliver, done, resolve_key};
use grid::command::{BotCommand, Reply};
use grid::inventory::{
    self, AssetType, Entry, Folder, Item, Perms, SystemFolder, TextureBody, check_description,
    check_name, check_notecard, may_give,
};
use grid::{Avatar, AvatarId, AvatarKind, Error, Event, Uuid};
use store::{NewItem, Tx};

use crate::bot::Executed;

fn not_found(uuid: Uuid) -> Error {
    Error::InventoryNotFound {
        uuid: uuid.to_string(),
    }
}

/// The avatar's root folder; the first time, it and the system folders under it are made.
pub(crate) fn root(tx: &mut Tx<'_>, owner: AvatarId) -> Result<Folder, Error> {
    if let Some(root) = tx.system_folder(owner, SystemFolder::Root)? {
        return Ok(root);
    }
    let root = tx.insert_folder(
        owner,
        None,
        SystemFolder::Root.name(),
        Some(SystemFolder::Root),
    )?;
    for f in SystemFolder::UNDER_ROOT {
        tx.insert_folder(owner, Some(root.id), f.name(), Some(f))?;
    }
    Ok(root)
}

/// One of the avatar's system folders.
pub(crate) fn system_folder(
    tx: &mut Tx<'_>,
    owner: AvatarId,
    which: SystemFolder,
) -> Result<Folder, Error> {
    root(tx, owner)?;
    tx.system_folder(owner, which)?
        .ok_or_else(|| Error::internal(format!("system folder {} is missing", which.key())))
}

/// A folder the avatar names, or the given default.
fn folder_or(
    tx: &mut Tx<'_>,
    owner: AvatarId,
    uuid: Option<Uuid>,
    default: SystemFolder,
) -> Result<Folder, Error> {
    match uuid {
        Some(u) => {
            root(tx, owner)?;
            match tx.folder_by_uuid(owner, u)? {
                Some(f) if f.parent.is_some() || f.system == Some(SystemFolder::Root) => Ok(f),
                _ => Err(not_found(u)),
            }
        }
        None => system_folder(tx, owner, default),
    }
}

/// An item of the avatar's that sits in its inventory (not one offered to it).
pub(crate) fn own_item(tx: &mut Tx<'_>, owner: AvatarId, uuid: Uuid) -> Result<Item, Error> {
    tx.inventory_item(owner, uuid)?
        .filter(|i| i.folder.is_some())
        .ok_or_else(|| not_found(uuid))
}

/// A folder of the avatar's below its root (the root itself is never named).
pub(crate) fn own_folder(tx: &mut Tx<'_>, owner: AvatarId, uuid: Uuid) -> Result<Folder, Error> {
    tx.folder_by_uuid(owner, uuid)?
        .filter(|f| f.parent.is_some())
        .ok_or_else(|| not_found(uuid))
}

/// What a uuid names in the avatar's inventory: an item, else a folder.
fn own_entry(tx: &mut Tx<'_>, owner: AvatarId, uuid: Uuid) -> Result<Entry, Error> {
    match tx.inventory_item(owner, uuid)? {
        Some(item) if item.folder.is_some() => Ok(Entry::Item(item)),
        _ => Ok(Entry::Folder(own_folder(tx, owner, uuid)?)),
    }
}

/// The entries of a folder: its folders, then its items. The Current Outfit folder
/// shows what the avatar wears.
fn listing(tx: &mut Tx<'_>, folder: &Folder) -> Result<Vec<Entry>, Error> {
    let mut out: Vec<Entry> = tx
        .subfolders(folder.id)?
        .into_iter()
        .map(Entry::Folder)
        .collect();
    let items = if folder.system == Some(SystemFolder::CurrentOutfit) {
        tx.worn_items(folder.owner)?
    } else {
        tx.folder_items(folder.id)?
    };
    out.extend(items.into_iter().map(Entry::Item));
    Ok(out)
}

/// Gives `item` to `to` (into `folder`, or into no folder while offered): a copy when
/// the item may be copied, else the item itself. Returns the recipient's entry and
/// whether it was moved. A copy gets the next owner's permissions now; a moved item
/// gets them when the offer is accepted (so that a declined one goes back unchanged).
fn hand_over(
    tx: &mut Tx<'_>,
    item: &Item,
    to: AvatarId,
    folder: Option<i64>,
) -> Result<(Item, bool), Error> {
    if item.perms.contains(Perms::COPY) {
        let copy = tx.insert_inventory_item(&NewItem {
            owner: to,
            folder,
            asset_type: item.asset_type,
            wearable: item.wearable.clone(),
            asset: item.asset,
            name: item.name.clone(),
            description: item.description.clone(),
            creator: item.creator,
            perms: Perms::for_next_owner(item.perms, item.next_perms),
            next_perms: item.next_perms,
            links: item.links,
        })?;
        Ok((copy, false))
    } else {
        tx.move_inventory_item(item.id, to, folder, item.perms)?;
        let moved = tx
            .inventory_item_by_id(item.id)?
            .ok_or_else(|| Error::internal("a moved item vanished"))?;
        Ok((moved, true))
    }
}

/// Copies a folder's tree for `to` (what may be transferred of it); returns the new
/// folder and the items that were moved rather than copied.
fn hand_over_folder(
    tx: &mut Tx<'_>,
    folder: &Folder,
    to: AvatarId,
    parent: Option<i64>,
    moved: &mut Vec<i64>,
) -> Result<Folder, Error> {
    let theirs = tx.insert_folder(to, parent, &folder.name, None)?;
    for item in tx.folder_items(folder.id)? {
        if may_give(&item).is_err() {
            continue; // not transferable: left out, as Second Life does
        }
        let (given, was_moved) = hand_over(tx, &item, to, Some(theirs.id))?;
        if was_moved {
            moved.push(given.id);
        }
    }
    for sub in tx.subfolders(folder.id)? {
        hand_over_folder(tx, &sub, to, Some(theirs.id), moved)?;
    }
    Ok(theirs)
}

/// Deletes a folder with everything in it.
fn delete_tree(tx: &mut Tx<'_>, folder: &Folder) -> Result<(), Error> {
    for sub in tx.subfolders(folder.id)? {
        delete_tree(tx, &sub)?;
    }
    for item in tx.folder_items(folder.id)? {
        tx.delete_inventory_item(item.id)?;
    }
    tx.delete_folder(folder.id)?;
    Ok(())
}

pub(crate) fn give(tx: &mut Tx<'_>, bot: &Avatar, to: Uuid, uuid: Uuid) -> Result<Executed, Error> {
    let to = resolve_key(tx, to)?;
    if to.id == bot.id {
        return Err(Error::NotForSelf {
            what: "give inventory to",
        });
    }
    root(tx, bot.id)?;
    let (entry, moved, asset_type, name) = match own_entry(tx, bot.id, uuid)? {
        Entry::Item(item) => {
            may_give(&item)?;
            let (given, moved) = hand_over(tx, &item, to.id, None)?;
            let moved = if moved { vec![given.id] } else { vec![] };
            (
                Entry::Item(given),
                moved,
                item.asset_type.as_str(),
                item.name,
            )
        }
        Entry::Folder(folder) => {
            if folder.system.is_some() {
                return Err(Error::invalid(
                    "object",
                    "system folders cannot be given; give a folder of your own",
                ));
            }
            let mut moved = vec![];
            let theirs = hand_over_folder(tx, &folder, to.id, None, &mut moved)?;
            (Entry::Folder(theirs), moved, "folder", folder.name)
        }
    };
    let (item, folder) = match &entry {
        Entry::Item(i) => (Some(i.id), None),
        Entry::Folder(f) => (None, Some(f.id)),
    };
    let offer = tx.insert_inventory_offer(bot.id, to.id, item, folder)?;
    for m in &moved {
        tx.record_offer_move(offer.id, *m)?;
    }
    // People have no client to answer offers with: theirs are accepted at once.
    if to.kind == AvatarKind::Person {
        accept(tx, &offer, &entry, None)?;
        return done(Reply::Done);
    }
    let destination = match &entry {
        Entry::Item(i) => system_folder(tx, to.id, i.asset_type.home_folder())?,
        Entry::Folder(_) => root(tx, to.id)?,
    };
    deliver(
        tx,
        &to,
        Event::InventoryOffered {
            session: offer.session,
            from: bot.to_ref(),
            object: entry.uuid(),
            asset_type: asset_type.to_owned(),
            folder: destination.uuid,
            name,
        },
    )?;
    done(Reply::Done)
}

/// Puts an accepted offer's entry in place: into `folder`, or its type's folder (an
/// item) or the root (a folder); moved items get their next owner's permissions.
fn accept(
    tx: &mut Tx<'_>,
    offer: &store::InventoryOffer,
    entry: &Entry,
    folder: Option<Folder>,
) -> Result<(), Error> {
    match entry {
        Entry::Item(i) => {
            let into = match folder {
                Some(f) => f,
                None => system_folder(tx, offer.to, i.asset_type.home_folder())?,
            };
            tx.set_item_folder(i.id, Some(into.id))?;
        }
        Entry::Folder(f) => {
            let into = match folder {
                Some(f) => f,
                None => root(tx, offer.to)?,
            };
            tx.set_folder_parent(f.id, Some(into.id))?;
        }
    }
    for moved in tx.offer_moves(offer.id)? {
        if let Some(item) = tx.inventory_item_by_id(moved)? {
            let perms = Perms::for_next_owner(item.perms, item.next_perms);
            tx.move_inventory_item(item.id, offer.to, item.folder, perms)?;
        }
    }
    tx.answer_inventory_offer(offer.id)?;
    Ok(())
}

/// Declines an offer: copies are dropped; moved items go back to the giver's Lost And
/// Found folder, unchanged.
fn decline(tx: &mut Tx<'_>, offer: &store::InventoryOffer, entry: &Entry) -> Result<(), Error> {
    let moved = tx.offer_moves(offer.id)?;
    if !moved.is_empty() {
        let lost = system_folder(tx, offer.from, SystemFolder::LostAndFound)?;
        for id in &moved {
            if let Some(item) = tx.inventory_item_by_id(*id)? {
                tx.move_inventory_item(item.id, offer.from, Some(lost.id), item.perms)?;
            }
        }
    }
    match entry {
        Entry::Item(i) if !moved.contains(&i.id) => tx.delete_inventory_item(i.id)?,
        Entry::Item(_) => {}
        Entry::Folder(f) => delete_tree(tx, f)?,
    }
    tx.answer_inventory_offer(offer.id)?;
    Ok(())
}

fn answer(
    tx: &mut Tx<'_>,
    bot: &Avatar,
    sender: Uuid,
    session: Uuid,
    yes: bool,
    folder: Option<Uuid>,
) -> Result<Executed, Error> {
    let offer = tx
        .inventory_offer(bot.id, session)?
        .filter(|o| !o.answered)
        .ok_or(Error::InventoryOfferNotFound)?;
    let from = tx
        .avatar(offer.from)?
        .ok_or(Error::InventoryOfferNotFound)?;
    if from.uuid != sender {
        return Err(Error::InventoryOfferNotFound);
    }
    let entry = match (offer.item, offer.folder) {
        (Some(i), _) => tx.inventory_item_by_id(i)?.map(Entry::Item),
        (None, Some(f)) => tx.folder(f)?.map(Entry::Folder),
        (None, None) => None,
    }
    .ok_or(Error::InventoryOfferNotFound)?;
    if yes {
        let folder = match folder {
            Some(u) => Some(folder_or(tx, bot.id, Some(u), SystemFolder::Root)?),
            None => None,
        };
        accept(tx, &offer, &entry, folder)?;
    } else {
        decline(tx, &offer, &entry)?;
    }
    done(Reply::Done)
}

fn wear(tx: &mut Tx<'_>, bot: &Avatar, uuid: Uuid, add: bool) -> Result<Executed, Error> {
    let item = own_item(tx, bot.id, uuid)?;
    if !item.asset_type.wearable() {
        return Err(Error::invalid(
            "uuid",
            format!("a {} cannot be worn", item.asset_type.as_str()),
        ));
    }
    // Clothing and body parts take a slot: without `add`, what is in it comes off (a
    // body part is always replaced: there is one shape, one skin…).
    if let Some(slot) = &item.wearable
        && (!add || item.asset_type == AssetType::BodyPart)
    {
        for worn in tx.worn_items(bot.id)? {
            if worn.id != item.id && worn.wearable.as_ref() == Some(slot) {
                tx.set_worn(worn.id, false)?;
            }
        }
    }
    tx.set_worn(item.id, true)?;
    done(Reply::Done)
}

fn take_off(tx: &mut Tx<'_>, bot: &Avatar, uuid: Uuid) -> Result<Executed, Error> {
    let item = own_item(tx, bot.id, uuid)?;
    if !item.worn {
        return Err(Error::invalid("uuid", "the item is not worn"));
    }
    if item.asset_type == AssetType::BodyPart {
        return Err(Error::invalid(
            "uuid",
            "body parts cannot be taken off, only replaced (wear another)",
        ));
    }
    tx.set_worn(item.id, false)?;
    done(Reply::Done)
}

/// The inventory commands.
pub(crate) fn execute(
    tx: &mut Tx<'_>,
    bot: &Avatar,
    command: BotCommand,
) -> Result<Executed, Error> {
    match command {
        BotCommand::InventoryList { folder, filter } => {
            let folder = folder_or(tx, bot.id, folder, SystemFolder::Root)?;
            let entries = listing(tx, &folder)?
                .into_iter()
                .filter(|e| filter.keeps(e.name(), e.uuid()))
                .collect();
            done(Reply::Inventory(entries))
        }
        BotCommand::FolderCreate { name, parent } => {
            check_name("name", &name)?;
            let parent = folder_or(tx, bot.id, parent, SystemFolder::Root)?;
            let made = tx.insert_folder(bot.id, Some(parent.id), name.trim(), None)?;
            done(Reply::Created(made.uuid))
        }
        BotCommand::NotecardCreate {
            folder,
            name,
            description,
            text,
        } => {
            check_name("name", &name)?;
            check_description(&description)?;
            check_notecard(&text)?;
            let folder = folder_or(tx, bot.id, folder, SystemFolder::Notecards)?;
            let asset = Uuid::new_v4();
            tx.put_notecard(asset, &text)?;
            let item = tx.insert_inventory_item(&NewItem {
                owner: bot.id,
                folder: Some(folder.id),
                asset_type: AssetType::Notecard,
                wearable: None,
                asset,
                name: name.trim().to_owned(),
                description,
                creator: Some(bot.id),
                perms: Perms::ALL,
                next_perms: Perms::ALL,
                links: 1,
            })?;
            done(Reply::Created(item.uuid))
        }
        BotCommand::NotecardEdit { item, text } => {
            check_notecard(&text)?;
            let item = own_item(tx, bot.id, item)?;
            if item.asset_type != AssetType::Notecard {
                return Err(Error::invalid("uuid", "the item is not a notecard"));
            }
            if !item.perms.contains(Perms::MODIFY) {
                return Err(Error::invalid(
                    "uuid",
                    "the notecard has no modify permission",
                ));
            }
            // A new asset: copies of the notecard others hold keep the old text.
            let asset = Uuid::new_v4();
            tx.put_notecard(asset, &text)?;
            tx.set_item_asset(item.id, asset)?;
            done(Reply::Done)
        }
        BotCommand::NotecardRead { item } => {
            let item = own_item(tx, bot.id, item)?;
            if item.asset_type != AssetType::Notecard {
                return Err(Error::invalid("uuid", "the item is not a notecard"));
            }
            let text = tx.notecard(item.asset)?.unwrap_or_default();
            done(Reply::Text(text))
        }
        BotCommand::InventoryDelete { item: uuid } => {
            root(tx, bot.id)?;
            match own_entry(tx, bot.id, uuid)? {
                Entry::Item(item) => tx.delete_inventory_item(item.id)?,
                Entry::Folder(folder) if folder.system.is_some() => {
                    return Err(Error::invalid("uuid", "system folders cannot be deleted"));
                }
                Entry::Folder(folder) => delete_tree(tx, &folder)?,
            }
            done(Reply::Done)
        }
        BotCommand::InventoryGive { to, item } => give(tx, bot, to, item),
        BotCommand::InventoryOfferAnswer {
            sender,
            session,
            accept,
            folder,
        } => answer(tx, bot, sender, session, accept, folder),
        BotCommand::TextureUpload {
            name,
            folder,
            lossless,
            image: TextureBody::Stored { digest, size },
        } => {
            check_name("name", &name)?;
            let folder = folder_or(tx, bot.id, folder, SystemFolder::Textures)?;
            let asset = Uuid::new_v4();
            tx.put_texture(asset, &digest, size as i64, lossless)?;
            let item = tx.insert_inventory_item(&NewItem {
                owner: bot.id,
                folder: Some(folder.id),
                asset_type: AssetType::Texture,
                wearable: None,
                asset,
                name: name.trim().to_owned(),
                description: String::new(),
                creator: Some(bot.id),
                perms: Perms::ALL,
                next_perms: Perms::ALL,
                links: 1,
            })?;
            done(Reply::Uploaded {
                item: item.uuid,
                asset,
            })
        }
        BotCommand::Wear { item, add } => wear(tx, bot, item, add),
        BotCommand::TakeOff { item } => take_off(tx, bot, item),
        BotCommand::Rebake => done(Reply::Done),
        other => Err(Error::internal(format!(
            "not an inventory command: {other:?}"
        ))),
    }
}

/// Whether a command is one of [`execute`]'s.
pub(crate) fn handles(command: &BotCommand) -> bool {
    matches!(
        command,
        BotCommand::InventoryList { .. }
            | BotCommand::FolderCreate { .. }
            | BotCommand::NotecardCreate { .. }
            | BotCommand::NotecardEdit { .. }
            | BotCommand::NotecardRead { .. }
            | BotCommand::InventoryDelete { .. }
            | BotCommand::InventoryGive { .. }
            | BotCommand::InventoryOfferAnswer { .. }
            | BotCommand::Wear { .. }
            | BotCommand::TakeOff { .. }
            | BotCommand::Rebake
            | BotCommand::TextureUpload { .. }
    )
}

/// Whether a command has work to do before its transaction ([`crate::Engine::prepare`]).
pub(crate) fn needs_preparing(command: &BotCommand) -> bool {
    matches!(
        command,
        BotCommand::TextureUpload {
            image: TextureBody::Bytes(_),
            ..
        }
    )
}

/// What the operator adds to an avatar's inventory (seeding, tests).
#[derive(Clone, Debug)]
pub struct ItemSpec {
    pub asset_type: AssetType,
    pub name: String,
    pub description: String,
    pub wearable: Option<String>,
    pub perms: Perms,
    pub next_perms: Perms,
    /// For notecards: the text.
    pub text: Option<String>,
}

/// Adds an item to an avatar's inventory, in its type's folder.
pub(crate) fn add_item(tx: &mut Tx<'_>, owner: &Avatar, spec: &ItemSpec) -> Result<Item, Error> {
    check_name("name", &spec.name)?;
    check_description(&spec.description)?;
    if let Some(slot) = &spec.wearable
        && !inventory::WEARABLES.contains(&slot.as_str())
    {
        return Err(Error::invalid("wearable", format!("unknown slot {slot}")));
    }
    let folder = system_folder(tx, owner.id, spec.asset_type.home_folder())?;
    let asset = Uuid::new_v4();
    if spec.asset_type == AssetType::Notecard {
        let text = spec.text.as_deref().unwrap_or_default();
        check_notecard(text)?;
        tx.put_notecard(asset, text)?;
    }
    Ok(tx.insert_inventory_item(&NewItem {
        owner: owner.id,
        folder: Some(folder.id),
        asset_type: spec.asset_type,
        wearable: spec.wearable.clone(),
        asset,
        name: spec.name.trim().to_owned(),
        description: spec.description.clone(),
        creator: Some(owner.id),
        perms: spec.perms,
        next_perms: spec.next_perms,
        links: 1,
    })?)
}

impl crate::Engine {
    /// Work a command needs before its transaction: an uploaded texture's image is
    /// checked and stored in the files folder (a row never names a body that is not on
    /// disk).
    pub(crate) async fn prepare(&self, command: BotCommand) -> Result<BotCommand, Error> {
        let BotCommand::TextureUpload {
            name,
            folder,
            lossless,
            image: TextureBody::Bytes(bytes),
        } = command
        else {
            return Ok(command);
        };
        check_name("name", &name)?;
        if !inventory::is_image(&bytes) {
            return Err(Error::invalid("data", "not a JPEG, PNG or TIFF image"));
        }
        let blob = self.store_bytes(bytes).await?;
        Ok(BotCommand::TextureUpload {
            name,
            folder,
            lossless,
            image: TextureBody::Stored {
                digest: blob.digest,
                size: blob.size,
            },
        })
    }

    /// The operator adds an item to an avatar's inventory.
    pub async fn add_inventory_item(
        &self,
        owner: &grid::LegacyName,
        spec: ItemSpec,
    ) -> Result<Item, Error> {
        let name = owner.clone();
        self.store()
            .write(move |tx| {
                let owner = tx
                    .avatar_by_name(&name)?
                    .ok_or_else(|| Error::AvatarNotFound {
                        who: name.to_string(),
                    })?;
                add_item(tx, &owner, &spec)
            })
            .await
    }
}
