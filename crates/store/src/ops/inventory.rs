//! Inventory folders and items, notecard texts, and inventory offers.

use crate::sql::{Row, sql};
use crate::{StoreError, Tx};
use grid::inventory::{AssetType, Folder, Item, Perms, SystemFolder};
use grid::{AvatarId, Timestamp, Uuid};

/// What it takes to add an item.
#[derive(Clone, Debug)]
pub struct NewItem {
    pub owner: AvatarId,
    pub folder: Option<i64>,
    pub asset_type: AssetType,
    pub wearable: Option<String>,
    pub asset: Uuid,
    pub name: String,
    pub description: String,
    pub creator: Option<AvatarId>,
    pub perms: Perms,
    pub next_perms: Perms,
    /// For objects: prims in the link set.
    pub links: i64,
}

/// An offer of inventory, as recorded.
#[derive(Clone, Debug, PartialEq)]
pub struct InventoryOffer {
    pub id: i64,
    pub session: Uuid,
    pub from: AvatarId,
    pub to: AvatarId,
    pub item: Option<i64>,
    pub folder: Option<i64>,
    pub answered: bool,
}

macro_rules! folder_columns {
    () => {
        "id, uuid, owner_id, parent_id, name, system"
    };
}

macro_rules! item_columns {
    () => {
        "id, uuid, owner_id, folder_id, asset_type, wearable, asset_uuid, name, description, creator_id, perms, next_perms, worn, created_at, links"
    };
}

fn folder_from(r: &Row<'_>) -> Result<Folder, StoreError> {
    let system: Option<String> = r.get(5)?;
    Ok(Folder {
        id: r.get(0)?,
        uuid: super::uuid(r.get(1)?)?,
        owner: AvatarId(r.get(2)?),
        parent: r.get(3)?,
        name: r.get(4)?,
        system: match system {
            Some(k) => Some(
                SystemFolder::parse(&k)
                    .ok_or_else(|| StoreError::Corrupt(format!("unknown system folder {k:?}")))?,
            ),
            None => None,
        },
    })
}

fn item_from(r: &Row<'_>) -> Result<Item, StoreError> {
    let kind: String = r.get(4)?;
    Ok(Item {
        id: r.get(0)?,
        uuid: super::uuid(r.get(1)?)?,
        owner: AvatarId(r.get(2)?),
        folder: r.get(3)?,
        asset_type: AssetType::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown asset type {kind:?}")))?,
        wearable: r.get(5)?,
        asset: super::uuid(r.get(6)?)?,
        name: r.get(7)?,
        description: r.get(8)?,
        creator: r.get::<Option<i64>>(9)?.map(AvatarId),
        perms: Perms(r.get(10)?),
        next_perms: Perms(r.get(11)?),
        worn: r.get(12)?,
        created: Timestamp(r.get(13)?),
        links: r.get(14)?,
    })
}

impl Tx<'_> {
    /// Makes a folder.
    pub fn insert_folder(
        &mut self,
        owner: AvatarId,
        parent: Option<i64>,
        name: &str,
        system: Option<SystemFolder>,
    ) -> Result<Folder, StoreError> {
        let now = self.now().0;
        let uuid = Uuid::new_v4();
        let system_key = system.map(SystemFolder::key);
        let id: i64 = self.conn.query_one(
            sql!(
                "INSERT INTO inventory_folders (uuid, owner_id, parent_id, name, system, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
            ),
            &[
                &uuid.to_string(),
                &owner.0,
                &parent,
                &name,
                &system_key,
                &now,
            ],
            |r| r.get(0),
        )?;
        Ok(Folder {
            id,
            uuid,
            owner,
            parent,
            name: name.to_owned(),
            system,
        })
    }

    /// An avatar's system folder, if it was made.
    pub fn system_folder(
        &mut self,
        owner: AvatarId,
        system: SystemFolder,
    ) -> Result<Option<Folder>, StoreError> {
        self.conn.query_opt(
            sql!(concat!(
                "SELECT ",
                folder_columns!(),
                " FROM inventory_folders WHERE owner_id = $1 AND system = $2"
            )),
            &[&owner.0, &system.key()],
            folder_from,
        )
    }

    /// A folder of an avatar by its UUID.
    pub fn folder_by_uuid(
        &mut self,
        owner: AvatarId,
        uuid: Uuid,
    ) -> Result<Option<Folder>, StoreError> {
        self.conn.query_opt(
            sql!(concat!(
                "SELECT ",
                folder_columns!(),
                " FROM inventory_folders WHERE uuid = $1 AND owner_id = $2"
            )),
            &[&uuid.to_string(), &owner.0],
            folder_from,
        )
    }

    pub fn folder(&mut self, id: i64) -> Result<Option<Folder>, StoreError> {
        self.conn.query_opt(
            sql!(concat!(
                "SELECT ",
                folder_columns!(),
                " FROM inventory_folders WHERE id = $1"
            )),
            &[&id],
            folder_from,
        )
    }

    /// The folders in a folder, by name.
    pub fn subfolders(&mut self, folder: i64) -> Result<Vec<Folder>, StoreError> {
        self.conn.query(
            sql!(concat!(
                "SELECT ",
                folder_columns!(),
                " FROM inventory_folders WHERE parent_id = $1 ORDER BY name, id"
            )),
            &[&folder],
            folder_from,
        )
    }

    /// The items in a folder, by name.
    pub fn folder_items(&mut self, folder: i64) -> Result<Vec<Item>, StoreError> {
        self.conn.query(
            sql!(concat!(
                "SELECT ",
                item_columns!(),
                " FROM inventory_items WHERE folder_id = $1 ORDER BY name, id"
            )),
            &[&folder],
            item_from,
        )
    }

    /// Moves a folder under another (`None`: nowhere, while offered).
    pub fn set_folder_parent(
        &mut self,
        folder: i64,
        parent: Option<i64>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("UPDATE inventory_folders SET parent_id = $2 WHERE id = $1"),
            &[&folder, &parent],
        )?;
        Ok(())
    }

    /// Deletes an empty folder.
    pub fn delete_folder(&mut self, folder: i64) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("DELETE FROM inventory_folders WHERE id = $1"),
            &[&folder],
        )?;
        Ok(())
    }

    /// Adds an item.
    pub fn insert_inventory_item(&mut self, new: &NewItem) -> Result<Item, StoreError> {
        let now = self.now();
        let uuid = Uuid::new_v4();
        let creator = new.creator.map(|c| c.0);
        let id: i64 = self.conn.query_one(
            sql!(
                "INSERT INTO inventory_items (uuid, owner_id, folder_id, asset_type, wearable,
                     asset_uuid, name, description, creator_id, perms, next_perms, worn, created_at,
                     links)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, FALSE, $12, $13) RETURNING id"
            ),
            &[
                &uuid.to_string(),
                &new.owner.0,
                &new.folder,
                &new.asset_type.as_str(),
                &new.wearable,
                &new.asset.to_string(),
                &new.name,
                &new.description,
                &creator,
                &new.perms.0,
                &new.next_perms.0,
                &now.0,
                &new.links,
            ],
            |r| r.get(0),
        )?;
        Ok(Item {
            id,
            uuid,
            owner: new.owner,
            folder: new.folder,
            asset_type: new.asset_type,
            wearable: new.wearable.clone(),
            asset: new.asset,
            name: new.name.clone(),
            description: new.description.clone(),
            creator: new.creator,
            perms: new.perms,
            next_perms: new.next_perms,
            worn: false,
            created: now,
            links: new.links,
        })
    }

    /// An item of an avatar by its UUID.
    pub fn inventory_item(
        &mut self,
        owner: AvatarId,
        uuid: Uuid,
    ) -> Result<Option<Item>, StoreError> {
        self.conn.query_opt(
            sql!(concat!(
                "SELECT ",
                item_columns!(),
                " FROM inventory_items WHERE uuid = $1 AND owner_id = $2"
            )),
            &[&uuid.to_string(), &owner.0],
            item_from,
        )
    }

    pub fn inventory_item_by_id(&mut self, id: i64) -> Result<Option<Item>, StoreError> {
        self.conn.query_opt(
            sql!(concat!(
                "SELECT ",
                item_columns!(),
                " FROM inventory_items WHERE id = $1"
            )),
            &[&id],
            item_from,
        )
    }

    /// What an avatar wears, oldest first.
    pub fn worn_items(&mut self, owner: AvatarId) -> Result<Vec<Item>, StoreError> {
        self.conn.query(
            sql!(concat!(
                "SELECT ",
                item_columns!(),
                " FROM inventory_items WHERE owner_id = $1 AND worn ORDER BY id"
            )),
            &[&owner.0],
            item_from,
        )
    }

    /// Gives an item another owner and folder, with the permissions it now has.
    pub fn move_inventory_item(
        &mut self,
        item: i64,
        owner: AvatarId,
        folder: Option<i64>,
        perms: Perms,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            sql!(
                "UPDATE inventory_items SET owner_id = $2, folder_id = $3, perms = $4, worn = FALSE
                 WHERE id = $1"
            ),
            &[&item, &owner.0, &folder, &perms.0],
        )?;
        Ok(())
    }

    pub fn set_item_folder(&mut self, item: i64, folder: Option<i64>) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("UPDATE inventory_items SET folder_id = $2, object_id = NULL WHERE id = $1"),
            &[&item, &folder],
        )?;
        Ok(())
    }

    pub fn set_worn(&mut self, item: i64, worn: bool) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("UPDATE inventory_items SET worn = $2 WHERE id = $1"),
            &[&item, &worn],
        )?;
        Ok(())
    }

    /// Points an item at another asset (a notecard's new text).
    pub fn set_item_asset(&mut self, item: i64, asset: Uuid) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("UPDATE inventory_items SET asset_uuid = $2 WHERE id = $1"),
            &[&item, &asset.to_string()],
        )?;
        Ok(())
    }

    pub fn delete_inventory_item(&mut self, item: i64) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("DELETE FROM inventory_offer_moves WHERE item_id = $1"),
            &[&item],
        )?;
        self.conn.execute(
            sql!("UPDATE inventory_offers SET item_id = NULL WHERE item_id = $1"),
            &[&item],
        )?;
        self.conn
            .execute(sql!("DELETE FROM inventory_items WHERE id = $1"), &[&item])?;
        Ok(())
    }

    /// Stores a notecard text as an asset.
    pub fn put_notecard(&mut self, asset: Uuid, body: &str) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("INSERT INTO notecards (asset_uuid, body) VALUES ($1, $2)"),
            &[&asset.to_string(), &body],
        )?;
        Ok(())
    }

    pub fn notecard(&mut self, asset: Uuid) -> Result<Option<String>, StoreError> {
        self.conn.query_opt(
            sql!("SELECT body FROM notecards WHERE asset_uuid = $1"),
            &[&asset.to_string()],
            |r| r.get(0),
        )
    }

    /// Puts an item into an object's contents, or (`None`) takes it out.
    pub fn set_item_object(&mut self, item: i64, object: Option<i64>) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("UPDATE inventory_items SET object_id = $2, folder_id = NULL WHERE id = $1"),
            &[&item, &object],
        )?;
        Ok(())
    }

    /// The items in an object.
    pub fn object_contents(&mut self, object: i64) -> Result<Vec<Item>, StoreError> {
        self.conn.query(
            sql!(concat!(
                "SELECT ",
                item_columns!(),
                " FROM inventory_items WHERE object_id = $1 ORDER BY name, id"
            )),
            &[&object],
            item_from,
        )
    }

    /// Records an uploaded texture's asset.
    pub fn put_texture(
        &mut self,
        asset: Uuid,
        digest: &str,
        size: i64,
        lossless: bool,
    ) -> Result<(), StoreError> {
        let now = self.now().0;
        self.conn.execute(
            sql!(
                "INSERT INTO textures (asset_uuid, digest, size, lossless, created_at)
                 VALUES ($1, $2, $3, $4, $5)"
            ),
            &[&asset.to_string(), &digest, &size, &lossless, &now],
        )?;
        Ok(())
    }

    /// Records an offer of an item or a folder (already in the recipient's name).
    pub fn insert_inventory_offer(
        &mut self,
        from: AvatarId,
        to: AvatarId,
        item: Option<i64>,
        folder: Option<i64>,
    ) -> Result<InventoryOffer, StoreError> {
        let now = self.now().0;
        let session = Uuid::new_v4();
        let id: i64 = self.conn.query_one(
            sql!(
                "INSERT INTO inventory_offers (session, from_id, to_id, item_id, folder_id, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
            ),
            &[&session.to_string(), &from.0, &to.0, &item, &folder, &now],
            |r| r.get(0),
        )?;
        Ok(InventoryOffer {
            id,
            session,
            from,
            to,
            item,
            folder,
            answered: false,
        })
    }

    /// Notes that an offered item was moved (not copied), so that declining gives it back.
    pub fn record_offer_move(&mut self, offer: i64, item: i64) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("INSERT INTO inventory_offer_moves (offer_id, item_id) VALUES ($1, $2)"),
            &[&offer, &item],
        )?;
        Ok(())
    }

    pub fn offer_moves(&mut self, offer: i64) -> Result<Vec<i64>, StoreError> {
        self.conn.query(
            sql!("SELECT item_id FROM inventory_offer_moves WHERE offer_id = $1 ORDER BY item_id"),
            &[&offer],
            |r| r.get(0),
        )
    }

    /// An offer to an avatar by its session.
    pub fn inventory_offer(
        &mut self,
        to: AvatarId,
        session: Uuid,
    ) -> Result<Option<InventoryOffer>, StoreError> {
        self.conn.query_opt(
            sql!(
                "SELECT id, session, from_id, to_id, item_id, folder_id, answered_at IS NOT NULL
                 FROM inventory_offers WHERE session = $1 AND to_id = $2"
            ),
            &[&session.to_string(), &to.0],
            |r| {
                Ok(InventoryOffer {
                    id: r.get(0)?,
                    session: super::uuid(r.get(1)?)?,
                    from: AvatarId(r.get(2)?),
                    to: AvatarId(r.get(3)?),
                    item: r.get(4)?,
                    folder: r.get(5)?,
                    answered: r.get(6)?,
                })
            },
        )
    }

    pub fn answer_inventory_offer(&mut self, offer: i64) -> Result<(), StoreError> {
        let now = self.now().0;
        self.conn.execute(
            sql!("UPDATE inventory_offers SET answered_at = $2 WHERE id = $1"),
            &[&offer, &now],
        )?;
        Ok(())
    }
}
