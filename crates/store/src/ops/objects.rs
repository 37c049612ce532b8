//! Objects in regions, and who sits on them.

use crate::sql::{Row, sql};
use crate::{StoreError, Tx};
use grid::object::{Behaviour, WorldObject};
use grid::{AvatarId, Uuid};

fn object_from(r: &Row<'_>) -> Result<WorldObject, StoreError> {
    let behaviour: String = r.get(8)?;
    Ok(WorldObject {
        id: r.get(0)?,
        uuid: super::uuid(r.get(1)?)?,
        name: r.get(2)?,
        owner: AvatarId(r.get(3)?),
        region: r.get(4)?,
        x: r.get(5)?,
        y: r.get(6)?,
        z: r.get(7)?,
        behaviour: serde_json::from_str(&behaviour)
            .map_err(|e| StoreError::Corrupt(format!("object behaviour: {e}")))?,
        links: r.get(9)?,
    })
}

impl Tx<'_> {
    /// Puts an object in a region.
    pub fn insert_object(
        &mut self,
        name: &str,
        owner: AvatarId,
        region: i64,
        (x, y, z): (f64, f64, f64),
        behaviour: &Behaviour,
        links: i64,
    ) -> Result<WorldObject, StoreError> {
        let now = self.now().0;
        let uuid = Uuid::new_v4();
        let json = serde_json::to_string(behaviour)
            .map_err(|e| StoreError::Other(format!("cannot encode behaviour: {e}")))?;
        let id: i64 = self.conn.query_one(
            sql!(
                "INSERT INTO world_objects (uuid, name, owner_id, region_id, x, y, z, behaviour, links, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id"
            ),
            &[&uuid.to_string(), &name, &owner.0, &region, &x, &y, &z, &json, &links, &now],
            |r| r.get(0),
        )?;
        Ok(WorldObject {
            id,
            uuid,
            name: name.to_owned(),
            owner,
            region,
            x,
            y,
            z,
            behaviour: behaviour.clone(),
            links,
        })
    }

    pub fn object_by_uuid(&mut self, uuid: Uuid) -> Result<Option<WorldObject>, StoreError> {
        self.conn.query_opt(
            sql!(
                "SELECT id, uuid, name, owner_id, region_id, x, y, z, behaviour, links
                 FROM world_objects WHERE uuid = $1"
            ),
            &[&uuid.to_string()],
            object_from,
        )
    }

    /// A region's objects.
    pub fn region_objects(&mut self, region: i64) -> Result<Vec<WorldObject>, StoreError> {
        self.conn.query(
            sql!(
                "SELECT id, uuid, name, owner_id, region_id, x, y, z, behaviour, links
                 FROM world_objects WHERE region_id = $1 ORDER BY id"
            ),
            &[&region],
            object_from,
        )
    }

    /// The objects in a region that have an owner URL (those that hear chat), in one
    /// statement.
    pub fn region_objects_with_url(&mut self, region: i64) -> Result<Vec<WorldObject>, StoreError> {
        self.conn.query(
            sql!(
                "SELECT o.id, o.uuid, o.name, o.owner_id, o.region_id, o.x, o.y, o.z,
                        o.behaviour, o.links
                 FROM world_objects o
                 WHERE o.region_id = $1
                   AND EXISTS (SELECT c.id FROM callbacks c WHERE c.object_id = o.id)
                 ORDER BY o.id"
            ),
            &[&region],
            object_from,
        )
    }

    /// Takes an object out of the world (whoever sat on it stands up; its owner URL
    /// goes).
    pub fn delete_object(&mut self, object: i64) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("DELETE FROM callbacks WHERE object_id = $1"),
            &[&object],
        )?;
        self.conn.execute(
            sql!("UPDATE avatars SET sitting_on = NULL WHERE sitting_on = $1"),
            &[&object],
        )?;
        self.conn
            .execute(sql!("DELETE FROM world_objects WHERE id = $1"), &[&object])?;
        Ok(())
    }

    /// An owner's objects in a region.
    pub fn owned_objects_in(
        &mut self,
        owner: AvatarId,
        region: i64,
    ) -> Result<Vec<WorldObject>, StoreError> {
        self.conn.query(
            sql!(
                "SELECT id, uuid, name, owner_id, region_id, x, y, z, behaviour, links
                 FROM world_objects WHERE owner_id = $1 AND region_id = $2 ORDER BY id"
            ),
            &[&owner.0, &region],
            object_from,
        )
    }

    /// Sits an avatar on an object, or (`None`) stands it up.
    pub fn set_sitting(&mut self, avatar: AvatarId, object: Option<i64>) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("UPDATE avatars SET sitting_on = $2 WHERE id = $1"),
            &[&avatar.0, &object],
        )?;
        Ok(())
    }

    pub fn sitting_on(&mut self, avatar: AvatarId) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .query_opt(
                sql!("SELECT sitting_on FROM avatars WHERE id = $1"),
                &[&avatar.0],
                |r| r.get::<Option<i64>>(0),
            )?
            .flatten())
    }
}
