//! Avatars, their presence, profiles and picks.

use crate::sql::{Row, sql};
use crate::{StoreError, Tx};
use grid::{
    Avatar, AvatarId, AvatarKind, LegacyName, Location, NULL_KEY, Pick, Presence, Profile,
    Timestamp, Uuid,
};

/// What it takes to create an avatar.
#[derive(Clone, Debug)]
pub struct NewAvatar {
    pub uuid: Uuid,
    pub name: LegacyName,
    pub display_name: String,
    pub kind: AvatarKind,
    pub about: String,
    pub home: Option<Location>,
}

macro_rules! avatar_columns {
    () => {
        "id, uuid, first_name, last_name, display_name, kind, presence, location, home, born_at"
    };
}

pub(crate) use avatar_columns;

/// Reads an avatar from the first columns of a row selected with `avatar_columns!()`.
pub(crate) fn avatar_from(r: &Row<'_>) -> Result<Avatar, StoreError> {
    let kind: String = r.get(5)?;
    let presence: String = r.get(6)?;
    let location: Option<String> = r.get(7)?;
    let home: Option<String> = r.get(8)?;
    Ok(Avatar {
        id: AvatarId(r.get(0)?),
        uuid: super::uuid(r.get(1)?)?,
        name: LegacyName::from_parts(r.get::<String>(2)?, r.get::<String>(3)?),
        display_name: r.get(4)?,
        kind: AvatarKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("avatar kind {kind:?}")))?,
        presence: Presence::parse(&presence)
            .ok_or_else(|| StoreError::Corrupt(format!("presence {presence:?}")))?,
        location: location.and_then(|l| Location::parse(&l).ok()),
        home: home.and_then(|l| Location::parse(&l).ok()),
        born: Timestamp(r.get(9)?),
    })
}

impl Tx<'_> {
    /// Creates an avatar, logged out. Fails with a unique violation when the name or
    /// UUID is taken.
    pub fn insert_avatar(&mut self, new: &NewAvatar) -> Result<Avatar, StoreError> {
        let now = self.now().0;
        let home = new.home.as_ref().map(|l| l.to_string());
        let id: i64 = self.conn.query_one(
            sql!(
                "INSERT INTO avatars (uuid, first_name, last_name, name_key, display_name, kind,
                    presence, presence_seq, location, home, about, first_life_text, url, born_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $8, $9, '', '', $10)
                 RETURNING id"
            ),
            &[
                &new.uuid.to_string(),
                &new.name.first(),
                &new.name.last(),
                &new.name.key(),
                &new.display_name,
                &new.kind.as_str(),
                &Presence::LoggedOut.as_str(),
                &home,
                &new.about,
                &now,
            ],
            |r| r.get(0),
        )?;
        Ok(Avatar {
            id: AvatarId(id),
            uuid: new.uuid,
            name: new.name.clone(),
            display_name: new.display_name.clone(),
            kind: new.kind,
            presence: Presence::LoggedOut,
            location: new.home.clone(),
            home: new.home.clone(),
            born: Timestamp(now),
        })
    }

    /// The avatar with this row id.
    pub fn avatar(&mut self, id: AvatarId) -> Result<Option<Avatar>, StoreError> {
        self.conn.query_opt(
            sql!(concat!(
                "SELECT ",
                avatar_columns!(),
                " FROM avatars WHERE id = $1"
            )),
            &[&id.0],
            avatar_from,
        )
    }

    /// The avatar with this UUID.
    pub fn avatar_by_uuid(&mut self, uuid: Uuid) -> Result<Option<Avatar>, StoreError> {
        self.conn.query_opt(
            sql!(concat!(
                "SELECT ",
                avatar_columns!(),
                " FROM avatars WHERE uuid = $1"
            )),
            &[&uuid.to_string()],
            avatar_from,
        )
    }

    /// The avatar with this name, compared without regard to case.
    pub fn avatar_by_name(&mut self, name: &LegacyName) -> Result<Option<Avatar>, StoreError> {
        self.conn.query_opt(
            sql!(concat!(
                "SELECT ",
                avatar_columns!(),
                " FROM avatars WHERE name_key = $1"
            )),
            &[&name.key()],
            avatar_from,
        )
    }

    /// Every avatar, by name.
    pub fn avatars(&mut self) -> Result<Vec<Avatar>, StoreError> {
        self.conn.query(
            sql!(concat!(
                "SELECT ",
                avatar_columns!(),
                " FROM avatars ORDER BY name_key"
            )),
            &[],
            avatar_from,
        )
    }

    /// Avatars in a given presence state (used to finish transitions after a restart).
    pub fn avatars_in(&mut self, presence: Presence) -> Result<Vec<(Avatar, i64)>, StoreError> {
        self.conn.query(
            sql!(concat!(
                "SELECT ",
                avatar_columns!(),
                ", presence_seq FROM avatars WHERE presence = $1 ORDER BY id"
            )),
            &[&presence.as_str()],
            |r| Ok((avatar_from(r)?, r.get(10)?)),
        )
    }

    /// The presence state of an avatar and its transition counter.
    pub fn presence(&mut self, id: AvatarId) -> Result<Option<(Presence, i64)>, StoreError> {
        self.conn.query_opt(
            sql!("SELECT presence, presence_seq FROM avatars WHERE id = $1"),
            &[&id.0],
            |r| {
                let p: String = r.get(0)?;
                Ok((
                    Presence::parse(&p)
                        .ok_or_else(|| StoreError::Corrupt(format!("presence {p:?}")))?,
                    r.get(1)?,
                ))
            },
        )
    }

    /// Moves an avatar to a new presence state; returns the new transition counter,
    /// which timers compare to know whether their transition is still current.
    pub fn set_presence(&mut self, id: AvatarId, presence: Presence) -> Result<i64, StoreError> {
        self.conn.query_one(
            sql!(
                "UPDATE avatars SET presence = $1, presence_seq = presence_seq + 1
                 WHERE id = $2 RETURNING presence_seq"
            ),
            &[&presence.as_str(), &id.0],
            |r| r.get(0),
        )
    }

    /// Sets where the avatar is and, optionally, its base location.
    pub fn set_location(
        &mut self,
        id: AvatarId,
        location: &Location,
        save_as_home: bool,
    ) -> Result<(), StoreError> {
        let text = location.to_string();
        if save_as_home {
            self.conn.execute(
                sql!("UPDATE avatars SET location = $1, home = $1 WHERE id = $2"),
                &[&text, &id.0],
            )?;
        } else {
            self.conn.execute(
                sql!("UPDATE avatars SET location = $1 WHERE id = $2"),
                &[&text, &id.0],
            )?;
        }
        Ok(())
    }

    /// Puts an avatar nowhere (sent out of a region with no home elsewhere).
    pub fn clear_location(&mut self, id: AvatarId) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("UPDATE avatars SET location = NULL WHERE id = $1"),
            &[&id.0],
        )?;
        Ok(())
    }

    /// Sets the profile text of an avatar.
    pub fn set_about(&mut self, id: AvatarId, about: &str) -> Result<(), StoreError> {
        self.conn.execute(
            sql!("UPDATE avatars SET about = $1 WHERE id = $2"),
            &[&about, &id.0],
        )?;
        Ok(())
    }

    /// The stored profile of an avatar; `online` is left false for the caller to decide.
    pub fn profile(&mut self, id: AvatarId) -> Result<Option<Profile>, StoreError> {
        self.conn.query_opt(
            sql!(
                "SELECT a.about, a.born_at, a.image, a.first_life_image, a.first_life_text, a.url, p.uuid
                 FROM avatars a LEFT JOIN avatars p ON p.id = a.partner_id
                 WHERE a.id = $1"
            ),
            &[&id.0],
            |r| {
                Ok(Profile {
                    about: r.get(0)?,
                    born: Timestamp(r.get(1)?),
                    image: super::opt_uuid(r.get(2)?)?.unwrap_or(NULL_KEY),
                    first_life_image: super::opt_uuid(r.get(3)?)?.unwrap_or(NULL_KEY),
                    first_life_text: r.get(4)?,
                    url: r.get(5)?,
                    partner: super::opt_uuid(r.get(6)?)?.unwrap_or(NULL_KEY),
                    mature: false,
                    identified: false,
                    transacted: false,
                    publish_web: false,
                    online: false,
                })
            },
        )
    }

    /// Adds a pick to an avatar's profile.
    pub fn insert_pick(
        &mut self,
        avatar: AvatarId,
        name: &str,
        description: &str,
    ) -> Result<Pick, StoreError> {
        let uuid = Uuid::new_v4();
        self.conn.execute(
            sql!("INSERT INTO picks (uuid, avatar_id, name, description) VALUES ($1, $2, $3, $4)"),
            &[&uuid.to_string(), &avatar.0, &name, &description],
        )?;
        Ok(Pick {
            uuid,
            name: name.to_owned(),
            description: description.to_owned(),
        })
    }

    /// An avatar's picks, oldest first.
    pub fn picks(&mut self, avatar: AvatarId) -> Result<Vec<Pick>, StoreError> {
        self.conn.query(
            sql!("SELECT uuid, name, description FROM picks WHERE avatar_id = $1 ORDER BY id"),
            &[&avatar.0],
            |r| {
                Ok(Pick {
                    uuid: super::uuid(r.get(0)?)?,
                    name: r.get(1)?,
                    description: r.get(2)?,
                })
            },
        )
    }
}
