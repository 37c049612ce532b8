//! Parcels of land.

use crate::sql::{Row, sql};
use crate::{StoreError, Tx};
use grid::group::GroupId;
use grid::parcel::{LandOwner, Parcel, ParcelFlags};
use grid::{AvatarId, Timestamp, Uuid};

macro_rules! parcel_columns {
    () => {
        "id, uuid, region_id, name, description, x1, y1, x2, y2, owner_id, group_id, for_sale, sale_price, sell_to, sell_objects, music_url, snapshot, landing_point, landing_routing, flags, max_prims, claimed_at"
    };
}

fn parcel_from(r: &Row<'_>) -> Result<Parcel, StoreError> {
    let owner = match (r.get::<Option<i64>>(9)?, r.get::<Option<i64>>(10)?) {
        (Some(a), _) => LandOwner::Avatar(AvatarId(a)),
        (None, Some(g)) => LandOwner::Group(GroupId(g)),
        (None, None) => LandOwner::Estate,
    };
    Ok(Parcel {
        id: r.get(0)?,
        uuid: super::uuid(r.get(1)?)?,
        region: r.get(2)?,
        name: r.get(3)?,
        description: r.get(4)?,
        x1: r.get(5)?,
        y1: r.get(6)?,
        x2: r.get(7)?,
        y2: r.get(8)?,
        owner,
        for_sale: r.get(11)?,
        sale_price: r.get(12)?,
        sell_to: r.get::<Option<i64>>(13)?.map(AvatarId),
        sell_objects: r.get(14)?,
        music_url: r.get(15)?,
        snapshot: super::uuid(r.get(16)?)?,
        landing_point: r.get(17)?,
        landing_routing: r.get(18)?,
        flags: ParcelFlags(r.get(19)?),
        max_prims: r.get(20)?,
        claimed: Timestamp(r.get(21)?),
    })
}

fn owner_ids(owner: LandOwner) -> (Option<i64>, Option<i64>) {
    match owner {
        LandOwner::Estate => (None, None),
        LandOwner::Avatar(a) => (Some(a.0), None),
        LandOwner::Group(g) => (None, Some(g.0)),
    }
}

impl Tx<'_> {
    /// Makes a parcel (its `id` and `uuid` are given here).
    pub fn insert_parcel(&mut self, p: &Parcel) -> Result<Parcel, StoreError> {
        let uuid = Uuid::new_v4();
        let (owner, group) = owner_ids(p.owner);
        let sell_to = p.sell_to.map(|a| a.0);
        let id: i64 = self.conn.query_one(
            sql!(
                "INSERT INTO parcels (uuid, region_id, name, description, x1, y1, x2, y2, owner_id,
                     group_id, for_sale, sale_price, sell_to, sell_objects, music_url, snapshot,
                     landing_point, landing_routing, flags, max_prims, claimed_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                     $17, $18, $19, $20, $21) RETURNING id"
            ),
            &[
                &uuid.to_string(),
                &p.region,
                &p.name,
                &p.description,
                &p.x1,
                &p.y1,
                &p.x2,
                &p.y2,
                &owner,
                &group,
                &p.for_sale,
                &p.sale_price,
                &sell_to,
                &p.sell_objects,
                &p.music_url,
                &p.snapshot.to_string(),
                &p.landing_point,
                &p.landing_routing,
                &p.flags.0,
                &p.max_prims,
                &p.claimed.0,
            ],
            |r| r.get(0),
        )?;
        Ok(Parcel {
            id,
            uuid,
            ..p.clone()
        })
    }

    /// A region's parcels.
    pub fn region_parcels(&mut self, region: i64) -> Result<Vec<Parcel>, StoreError> {
        self.conn.query(
            sql!(concat!(
                "SELECT ",
                parcel_columns!(),
                " FROM parcels WHERE region_id = $1 ORDER BY id"
            )),
            &[&region],
            parcel_from,
        )
    }

    /// Writes a parcel's changeable fields back.
    pub fn update_parcel(&mut self, p: &Parcel) -> Result<(), StoreError> {
        let (owner, group) = owner_ids(p.owner);
        let sell_to = p.sell_to.map(|a| a.0);
        self.conn.execute(
            sql!(
                "UPDATE parcels SET name = $2, description = $3, owner_id = $4, group_id = $5,
                     for_sale = $6, sale_price = $7, sell_to = $8, sell_objects = $9,
                     music_url = $10, snapshot = $11, landing_point = $12, landing_routing = $13,
                     flags = $14, claimed_at = $15
                 WHERE id = $1"
            ),
            &[
                &p.id,
                &p.name,
                &p.description,
                &owner,
                &group,
                &p.for_sale,
                &p.sale_price,
                &sell_to,
                &p.sell_objects,
                &p.music_url,
                &p.snapshot.to_string(),
                &p.landing_point,
                &p.landing_routing,
                &p.flags.0,
                &p.claimed.0,
            ],
        )?;
        Ok(())
    }
}
