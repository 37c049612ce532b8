//! Friendships (one row per direction) and pending offers.

use crate::sql::{Row, sql};
use crate::{StoreError, Tx};
use grid::{AvatarId, AvatarRef, FriendOffer, LegacyName, OfferId, Presence, Rights, Uuid};

/// A friend as stored: the avatar, its presence and the rights both ways.
#[derive(Clone, Debug, PartialEq)]
pub struct FriendRow {
    pub avatar: AvatarRef,
    pub presence: Presence,
    /// Rights the friend grants the avatar we asked about.
    pub their_rights: Rights,
    /// Rights the avatar we asked about grants the friend.
    pub my_rights: Rights,
}

fn rights_at(r: &Row<'_>, first: usize) -> Result<Rights, StoreError> {
    Ok(Rights {
        see_online: r.get(first)?,
        see_on_map: r.get(first + 1)?,
        modify_objects: r.get(first + 2)?,
    })
}

fn offer_from(r: &Row<'_>) -> Result<FriendOffer, StoreError> {
    Ok(FriendOffer {
        id: OfferId(r.get(0)?),
        session: super::uuid(r.get(1)?)?,
        from: AvatarId(r.get(2)?),
        to: AvatarId(r.get(3)?),
        message: r.get(4)?,
    })
}

impl Tx<'_> {
    /// The rights `by` grants `to`, or `None` when they are not friends.
    pub fn rights(&mut self, by: AvatarId, to: AvatarId) -> Result<Option<Rights>, StoreError> {
        self.conn.query_opt(
            sql!(
                "SELECT see_online, see_on_map, modify_objects FROM friendships
                 WHERE avatar_id = $1 AND friend_id = $2"
            ),
            &[&by.0, &to.0],
            |r| rights_at(r, 0),
        )
    }

    /// Makes two avatars friends, each granting the other `rights`.
    pub fn insert_friendship(
        &mut self,
        a: AvatarId,
        b: AvatarId,
        rights: Rights,
    ) -> Result<(), StoreError> {
        let now = self.now().0;
        for (x, y) in [(a, b), (b, a)] {
            self.conn.execute(
                sql!(
                    "INSERT INTO friendships (avatar_id, friend_id, see_online, see_on_map, modify_objects, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6)"
                ),
                &[&x.0, &y.0, &rights.see_online, &rights.see_on_map, &rights.modify_objects, &now],
            )?;
        }
        Ok(())
    }

    /// Ends a friendship in both directions; false when there was none.
    pub fn delete_friendship(&mut self, a: AvatarId, b: AvatarId) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            sql!(
                "DELETE FROM friendships
                 WHERE (avatar_id = $1 AND friend_id = $2) OR (avatar_id = $2 AND friend_id = $1)"
            ),
            &[&a.0, &b.0],
        )?;
        Ok(n > 0)
    }

    /// Sets the rights `by` grants `to`.
    pub fn set_rights(
        &mut self,
        by: AvatarId,
        to: AvatarId,
        rights: Rights,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            sql!(
                "UPDATE friendships SET see_online = $1, see_on_map = $2, modify_objects = $3
                 WHERE avatar_id = $4 AND friend_id = $5"
            ),
            &[
                &rights.see_online,
                &rights.see_on_map,
                &rights.modify_objects,
                &by.0,
                &to.0,
            ],
        )?;
        Ok(())
    }

    /// All friends of an avatar, by name, in one query.
    pub fn friends(&mut self, of: AvatarId) -> Result<Vec<FriendRow>, StoreError> {
        self.conn.query(
            sql!(
                "SELECT a.id, a.uuid, a.first_name, a.last_name, a.presence,
                        theirs.see_online, theirs.see_on_map, theirs.modify_objects,
                        mine.see_online, mine.see_on_map, mine.modify_objects
                 FROM friendships mine
                 JOIN friendships theirs ON theirs.avatar_id = mine.friend_id AND theirs.friend_id = mine.avatar_id
                 JOIN avatars a ON a.id = mine.friend_id
                 WHERE mine.avatar_id = $1
                 ORDER BY a.name_key"
            ),
            &[&of.0],
            |r| {
                let presence: String = r.get(4)?;
                Ok(FriendRow {
                    avatar: AvatarRef {
                        id: AvatarId(r.get(0)?),
                        uuid: super::uuid(r.get(1)?)?,
                        name: LegacyName::from_parts(r.get::<String>(2)?, r.get::<String>(3)?).to_string(),
                    },
                    presence: Presence::parse(&presence)
                        .ok_or_else(|| StoreError::Corrupt(format!("presence {presence:?}")))?,
                    their_rights: rights_at(r, 5)?,
                    my_rights: rights_at(r, 8)?,
                })
            },
        )
    }

    /// Records a friendship offer; its session id is what the recipient answers with.
    pub fn insert_offer(
        &mut self,
        from: AvatarId,
        to: AvatarId,
        message: &str,
    ) -> Result<FriendOffer, StoreError> {
        let session = Uuid::new_v4();
        let now = self.now().0;
        let id: i64 = self.conn.query_one(
            sql!(
                "INSERT INTO friend_offers (session, from_id, to_id, message, created_at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id"
            ),
            &[&session.to_string(), &from.0, &to.0, &message, &now],
            |r| r.get(0),
        )?;
        Ok(FriendOffer {
            id: OfferId(id),
            session,
            from,
            to,
            message: message.to_owned(),
        })
    }

    /// The offer with this session id.
    pub fn offer_by_session(&mut self, session: Uuid) -> Result<Option<FriendOffer>, StoreError> {
        self.conn.query_opt(
            sql!(
                "SELECT id, session, from_id, to_id, message FROM friend_offers WHERE session = $1"
            ),
            &[&session.to_string()],
            offer_from,
        )
    }

    /// The pending offer from one avatar to another, if any.
    pub fn offer_between(
        &mut self,
        from: AvatarId,
        to: AvatarId,
    ) -> Result<Option<FriendOffer>, StoreError> {
        self.conn.query_opt(
            sql!(
                "SELECT id, session, from_id, to_id, message FROM friend_offers
                 WHERE from_id = $1 AND to_id = $2 ORDER BY id LIMIT 1"
            ),
            &[&from.0, &to.0],
            offer_from,
        )
    }

    /// The friendship offer with this row id.
    pub fn offer(&mut self, id: OfferId) -> Result<Option<FriendOffer>, StoreError> {
        self.conn.query_opt(
            sql!("SELECT id, session, from_id, to_id, message FROM friend_offers WHERE id = $1"),
            &[&id.0],
            offer_from,
        )
    }

    /// Removes an answered or withdrawn offer.
    pub fn delete_offer(&mut self, id: OfferId) -> Result<(), StoreError> {
        self.conn
            .execute(sql!("DELETE FROM friend_offers WHERE id = $1"), &[&id.0])?;
        Ok(())
    }
}
