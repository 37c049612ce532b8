//! Regions, their estate managers, and who is in them.

use crate::ops::avatars::{avatar_columns, avatar_from};
use crate::sql::{Row, sql};
use crate::{StoreError, Tx};
use grid::region::{Region, RegionState, region_key};
use grid::{Avatar, AvatarId, Presence, Timestamp, Uuid};

/// `,1,5,9,`: a list of ids both databases can match against
/// (`$1 LIKE '%,' || CAST(id AS TEXT) || ',%'`) without array types.
fn id_list(avatars: &[AvatarId]) -> String {
    let ids: Vec<String> = avatars.iter().map(|a| a.0.to_string()).collect();
    format!(",{},", ids.join(","))
}

fn region_from(r: &Row<'_>) -> Result<Region, StoreError> {
    let state: String = r.get(4)?;
    Ok(Region {
        id: r.get(0)?,
        uuid: super::uuid(r.get(1)?)?,
        name: r.get(2)?,
        estate: r.get(3)?,
        state: RegionState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown region state {state:?}")))?,
        created: Timestamp(r.get(5)?),
    })
}

impl Tx<'_> {
    /// Makes a region.
    pub fn insert_region(&mut self, name: &str, estate: &str) -> Result<Region, StoreError> {
        let now = self.now();
        let uuid = Uuid::new_v4();
        let name = name.trim();
        let id: i64 = self.conn.query_one(
            sql!(
                "INSERT INTO regions (uuid, name, name_key, estate, state, created_at)
                 VALUES ($1, $2, $3, $4, 'online', $5) RETURNING id"
            ),
            &[&uuid.to_string(), &name, &region_key(name), &estate, &now.0],
            |r| r.get(0),
        )?;
        Ok(Region {
            id,
            uuid,
            name: name.to_owned(),
            estate: estate.to_owned(),
            state: RegionState::Online,
            created: now,
        })
    }

    /// The region with this name, in any case.
    pub fn region_by_name(&mut self, name: &str) -> Result<Option<Region>, StoreError> {
        self.conn.query_opt(
            sql!(
                "SELECT id, uuid, name, estate, state, created_at FROM regions WHERE name_key = $1"
            ),
            &[&region_key(name)],
            region_from,
        )
    }

    /// Every region, by name.
    pub fn regions(&mut self) -> Result<Vec<Region>, StoreError> {
        self.conn.query(
            sql!("SELECT id, uuid, name, estate, state, created_at FROM regions ORDER BY name_key"),
            &[],
            region_from,
        )
    }

    pub fn add_estate_manager(&mut self, region: i64, avatar: AvatarId) -> Result<(), StoreError> {
        self.conn.execute(
            sql!(
                "INSERT INTO estate_managers (region_id, avatar_id) VALUES ($1, $2)
                 ON CONFLICT DO NOTHING"
            ),
            &[&region, &avatar.0],
        )?;
        Ok(())
    }

    pub fn is_estate_manager(&mut self, region: i64, avatar: AvatarId) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_opt(
                sql!(
                    "SELECT region_id FROM estate_managers WHERE region_id = $1 AND avatar_id = $2"
                ),
                &[&region, &avatar.0],
                |r| r.get::<i64>(0),
            )?
            .is_some())
    }

    /// The online avatars whose location is in this region (its name as written in
    /// their location, any case).
    pub fn online_in_region(&mut self, region: &str) -> Result<Vec<Avatar>, StoreError> {
        let prefix = format!("{}/", region_key(region));
        self.conn.query(
            sql!(concat!(
                "SELECT ",
                avatar_columns!(),
                " FROM avatars WHERE presence = $1 AND location IS NOT NULL
                   AND LOWER(SUBSTR(location, 1, LENGTH($2))) = $2 ORDER BY id"
            )),
            &[&Presence::Online.as_str(), &prefix],
            avatar_from,
        )
    }

    /// Records an event for each of these online avatars, in one statement whatever
    /// their number (local chat fan-out); returns how many got it.
    pub fn emit_to_online(
        &mut self,
        avatars: &[AvatarId],
        event: &grid::Event,
    ) -> Result<usize, StoreError> {
        if avatars.is_empty() {
            return Ok(0);
        }
        let now = self.now().0;
        let body = serde_json::to_string(event)
            .map_err(|e| StoreError::Other(format!("cannot encode event: {e}")))?;
        let list = id_list(avatars);
        let reached: Vec<(i64, i64)> = self.conn.query(
            sql!(
                "INSERT INTO events (avatar_id, body, created_at)
                 SELECT id, $2, $3 FROM avatars
                 WHERE presence = $4 AND $1 LIKE '%,' || CAST(id AS TEXT) || ',%'
                 ORDER BY id
                 RETURNING avatar_id, id"
            ),
            &[&list, &body, &now, &Presence::Online.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(self.record_emitted(reached))
    }

    /// Which of these avatars sit on something, in one query.
    pub fn sitting_among(&mut self, avatars: &[AvatarId]) -> Result<Vec<AvatarId>, StoreError> {
        if avatars.is_empty() {
            return Ok(vec![]);
        }
        let list = id_list(avatars);
        self.conn.query(
            sql!(
                "SELECT id FROM avatars WHERE sitting_on IS NOT NULL
                   AND $1 LIKE '%,' || CAST(id AS TEXT) || ',%' ORDER BY id"
            ),
            &[&list],
            |r| Ok(AvatarId(r.get(0)?)),
        )
    }

    /// Sets an avatar's movement state.
    pub fn set_motion(
        &mut self,
        avatar: AvatarId,
        flying: bool,
        moving: Option<&str>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("UPDATE avatars SET flying = $2, moving = $3 WHERE id = $1"),
            &[&avatar.0, &flying, &moving],
        )?;
        Ok(())
    }

    /// An avatar's movement state: flying, and the movement under way.
    pub fn motion(&mut self, avatar: AvatarId) -> Result<(bool, Option<String>), StoreError> {
        Ok(self
            .conn
            .query_opt(
                sql!("SELECT flying, moving FROM avatars WHERE id = $1"),
                &[&avatar.0],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?
            .unwrap_or((false, None)))
    }
}

/// A teleport offer as recorded.
#[derive(Clone, Debug, PartialEq)]
pub struct TeleportOffer {
    pub id: i64,
    pub session: Uuid,
    pub from: AvatarId,
    pub to: AvatarId,
    pub location: String,
    pub answered: bool,
}

impl Tx<'_> {
    /// Marks a region restarting until `until`, or (`None`) online again.
    pub fn set_region_restart(
        &mut self,
        region: i64,
        until: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        let state = match until {
            Some(_) => RegionState::Restarting,
            None => RegionState::Online,
        };
        let at = until.map(|t| t.0);
        self.conn.execute(
            sql!("UPDATE regions SET state = $2, restart_at = $3 WHERE id = $1"),
            &[&region, &state.as_str(), &at],
        )?;
        Ok(())
    }

    /// Regions whose restart is due by `now`.
    pub fn restarts_due(&mut self, now: Timestamp) -> Result<Vec<Region>, StoreError> {
        self.conn.query(
            sql!(
                "SELECT id, uuid, name, estate, state, created_at FROM regions
                 WHERE restart_at IS NOT NULL AND restart_at <= $1 ORDER BY id"
            ),
            &[&now.0],
            region_from,
        )
    }

    /// The next restart time of any region.
    pub fn next_restart(&mut self) -> Result<Option<Timestamp>, StoreError> {
        Ok(self
            .conn
            .query_one(sql!("SELECT MIN(restart_at) FROM regions"), &[], |r| {
                r.get::<Option<i64>>(0)
            })?
            .map(Timestamp))
    }

    /// The regions an avatar is estate manager of.
    pub fn managed_regions(&mut self, avatar: AvatarId) -> Result<Vec<Region>, StoreError> {
        self.conn.query(
            sql!(
                "SELECT r.id, r.uuid, r.name, r.estate, r.state, r.created_at
                 FROM regions r JOIN estate_managers m ON m.region_id = r.id
                 WHERE m.avatar_id = $1 ORDER BY r.name_key"
            ),
            &[&avatar.0],
            region_from,
        )
    }

    /// Puts an avatar on a region's access list (`ban` or `allow`), or takes it off.
    pub fn set_region_access(
        &mut self,
        region: i64,
        avatar: AvatarId,
        kind: &str,
        on: bool,
    ) -> Result<(), StoreError> {
        if on {
            self.conn.execute(
                sql!(
                    "INSERT INTO region_access (region_id, avatar_id, kind) VALUES ($1, $2, $3)
                     ON CONFLICT DO NOTHING"
                ),
                &[&region, &avatar.0, &kind],
            )?;
        } else {
            self.conn.execute(
                sql!(
                    "DELETE FROM region_access WHERE region_id = $1 AND avatar_id = $2 AND kind = $3"
                ),
                &[&region, &avatar.0, &kind],
            )?;
        }
        Ok(())
    }

    pub fn has_region_access(
        &mut self,
        region: i64,
        avatar: AvatarId,
        kind: &str,
    ) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_opt(
                sql!(
                    "SELECT region_id FROM region_access WHERE region_id = $1 AND avatar_id = $2 AND kind = $3"
                ),
                &[&region, &avatar.0, &kind],
                |r| r.get::<i64>(0),
            )?
            .is_some())
    }

    pub fn insert_teleport_offer(
        &mut self,
        from: AvatarId,
        to: AvatarId,
        location: &str,
        message: &str,
    ) -> Result<Uuid, StoreError> {
        let now = self.now().0;
        let session = Uuid::new_v4();
        self.conn.execute(
            sql!(
                "INSERT INTO teleport_offers (session, from_id, to_id, location, message, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)"
            ),
            &[&session.to_string(), &from.0, &to.0, &location, &message, &now],
        )?;
        Ok(session)
    }

    pub fn teleport_offer(
        &mut self,
        to: AvatarId,
        session: Uuid,
    ) -> Result<Option<TeleportOffer>, StoreError> {
        self.conn.query_opt(
            sql!(
                "SELECT id, session, from_id, to_id, location, answered_at IS NOT NULL
                 FROM teleport_offers WHERE session = $1 AND to_id = $2"
            ),
            &[&session.to_string(), &to.0],
            |r| {
                Ok(TeleportOffer {
                    id: r.get(0)?,
                    session: super::uuid(r.get(1)?)?,
                    from: AvatarId(r.get(2)?),
                    to: AvatarId(r.get(3)?),
                    location: r.get(4)?,
                    answered: r.get(5)?,
                })
            },
        )
    }

    pub fn answer_teleport_offer(&mut self, id: i64) -> Result<(), StoreError> {
        let now = self.now().0;
        self.conn.execute(
            sql!("UPDATE teleport_offers SET answered_at = $2 WHERE id = $1"),
            &[&id, &now],
        )?;
        Ok(())
    }
}
