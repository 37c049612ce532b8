//! Changes to chat items after they are sent: edits, deletions, hiding, reactions.

use crate::sql::sql;
use crate::{StoreError, Tx};
use grid::chat::{ChatItem, Content, Deletion, GroupItem, ItemRef};
use grid::group::{GroupId, PostId};
use grid::{AvatarId, Timestamp};

fn kind(item: ItemRef) -> (&'static str, i64) {
    match item {
        ItemRef::Direct(m) => ("direct", m.0),
        ItemRef::Post(p) => ("post", p.0),
    }
}

impl Tx<'_> {
    /// A post of a group's chat (not a notice).
    pub fn group_item(&mut self, post: PostId) -> Result<Option<GroupItem>, StoreError> {
        self.conn.query_opt(
            sql!(
                "SELECT p.id, p.group_id, p.sender_id, p.body, p.rich, p.created_at,
                        f.id, f.name, f.size, p.edited_at, p.deleted_at, p.moderated, p.quoted_id
                 FROM group_posts p LEFT JOIN files f ON f.id = p.file_id
                 WHERE p.id = $1 AND p.kind = 'chat'"
            ),
            &[&post.0],
            |r| {
                let moderated: bool = r.get(11)?;
                Ok(GroupItem {
                    post: PostId(r.get(0)?),
                    group: GroupId(r.get(1)?),
                    sender: AvatarId(r.get(2)?),
                    content: Content {
                        text: r.get(3)?,
                        rich: r.get(4)?,
                        file: super::files::attachment_at(r, 6)?,
                    },
                    at: Timestamp(r.get(5)?),
                    edited: r.get::<Option<i64>>(9)?.is_some(),
                    deleted: r.get::<Option<i64>>(10)?.map(|at| Deletion {
                        at: Timestamp(at),
                        moderated,
                    }),
                    quote: r.get::<Option<i64>>(12)?.map(PostId),
                })
            },
        )
    }

    /// A chat item by reference.
    pub fn chat_item(&mut self, item: ItemRef) -> Result<Option<ChatItem>, StoreError> {
        Ok(match item {
            ItemRef::Direct(m) => self.direct_message(m)?.map(ChatItem::Direct),
            ItemRef::Post(p) => self.group_item(p)?.map(ChatItem::Post),
        })
    }

    /// Replaces an item's content (its file stays) and marks it edited.
    pub fn edit_item(&mut self, item: ItemRef, content: &Content) -> Result<(), StoreError> {
        let now = self.now().0;
        match item {
            ItemRef::Direct(m) => self.conn.execute(
                sql!(
                    "UPDATE direct_messages SET body = $2, rich = $3, edited_at = $4 WHERE id = $1"
                ),
                &[&m.0, &content.text, &content.rich, &now],
            )?,
            ItemRef::Post(p) => self.conn.execute(
                sql!("UPDATE group_posts SET body = $2, rich = $3, edited_at = $4 WHERE id = $1"),
                &[&p.0, &content.text, &content.rich, &now],
            )?,
        };
        Ok(())
    }

    /// Deletes an item for everyone; `moderated` when a moderator did it (posts only).
    pub fn delete_item(&mut self, item: ItemRef, moderated: bool) -> Result<(), StoreError> {
        let now = self.now().0;
        match item {
            ItemRef::Direct(m) => self.conn.execute(
                sql!("UPDATE direct_messages SET deleted_at = $2 WHERE id = $1 AND deleted_at IS NULL"),
                &[&m.0, &now],
            )?,
            ItemRef::Post(p) => self.conn.execute(
                sql!(
                    "UPDATE group_posts SET deleted_at = $2, moderated = $3
                     WHERE id = $1 AND deleted_at IS NULL"
                ),
                &[&p.0, &now, &moderated],
            )?,
        };
        Ok(())
    }

    /// Deletes an item for one avatar only.
    pub fn hide_item(&mut self, avatar: AvatarId, item: ItemRef) -> Result<(), StoreError> {
        let (kind, id) = kind(item);
        self.conn.execute(
            sql!(
                "INSERT INTO hidden_items (avatar_id, kind, item_id) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING"
            ),
            &[&avatar.0, &kind, &id],
        )?;
        Ok(())
    }

    /// Whether an avatar deleted an item for itself.
    pub fn is_hidden(&mut self, avatar: AvatarId, item: ItemRef) -> Result<bool, StoreError> {
        let (kind, id) = kind(item);
        let n: i64 = self.conn.query_one(
            sql!(
                "SELECT COUNT(*) FROM hidden_items
                 WHERE avatar_id = $1 AND kind = $2 AND item_id = $3"
            ),
            &[&avatar.0, &kind, &id],
            |r| r.get(0),
        )?;
        Ok(n > 0)
    }

    /// Adds or takes back a reaction; false when nothing changed.
    pub fn set_reaction(
        &mut self,
        item: ItemRef,
        avatar: AvatarId,
        reaction: &str,
        add: bool,
    ) -> Result<bool, StoreError> {
        let (kind, id) = kind(item);
        let now = self.now().0;
        let n = if add {
            self.conn.execute(
                sql!(
                    "INSERT INTO reactions (kind, item_id, avatar_id, reaction, created_at)
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING"
                ),
                &[&kind, &id, &avatar.0, &reaction, &now],
            )?
        } else {
            self.conn.execute(
                sql!(
                    "DELETE FROM reactions
                     WHERE kind = $1 AND item_id = $2 AND avatar_id = $3 AND reaction = $4"
                ),
                &[&kind, &id, &avatar.0, &reaction],
            )?
        };
        Ok(n > 0)
    }

    /// The reactions on an item, oldest first.
    pub fn reactions(&mut self, item: ItemRef) -> Result<Vec<(AvatarId, String)>, StoreError> {
        let (kind, id) = kind(item);
        self.conn.query(
            sql!(
                "SELECT avatar_id, reaction FROM reactions WHERE kind = $1 AND item_id = $2
                 ORDER BY created_at, avatar_id"
            ),
            &[&kind, &id],
            |r| Ok((AvatarId(r.get(0)?), r.get(1)?)),
        )
    }
}

fn custom_key(target: grid::chat::CustomTarget) -> (&'static str, i64) {
    match target {
        grid::chat::CustomTarget::Contact(a) => ("contact", a.0),
        grid::chat::CustomTarget::Group(g) => ("group", g.0),
    }
}

impl Tx<'_> {
    /// The custom data an avatar keeps about a contact or group.
    pub fn custom_data(
        &mut self,
        avatar: AvatarId,
        target: grid::chat::CustomTarget,
    ) -> Result<Option<String>, StoreError> {
        let (kind, id) = custom_key(target);
        self.conn.query_opt(
            sql!(
                "SELECT data FROM custom_data
                 WHERE avatar_id = $1 AND kind = $2 AND target_id = $3"
            ),
            &[&avatar.0, &kind, &id],
            |r| r.get(0),
        )
    }

    /// Sets (or with `None`, removes) an avatar's custom data about a contact or group.
    pub fn set_custom_data(
        &mut self,
        avatar: AvatarId,
        target: grid::chat::CustomTarget,
        data: Option<&str>,
    ) -> Result<(), StoreError> {
        let (kind, id) = custom_key(target);
        self.conn.execute(
            sql!("DELETE FROM custom_data WHERE avatar_id = $1 AND kind = $2 AND target_id = $3"),
            &[&avatar.0, &kind, &id],
        )?;
        if let Some(data) = data {
            self.conn.execute(
                sql!(
                    "INSERT INTO custom_data (avatar_id, kind, target_id, data)
                     VALUES ($1, $2, $3, $4)"
                ),
                &[&avatar.0, &kind, &id, &data],
            )?;
        }
        Ok(())
    }

    /// All the custom data an avatar keeps, about contacts and groups alike.
    pub fn all_custom_data(
        &mut self,
        avatar: AvatarId,
    ) -> Result<Vec<(grid::chat::CustomTarget, String)>, StoreError> {
        let rows: Vec<(String, i64, String)> = self.conn.query(
            sql!("SELECT kind, target_id, data FROM custom_data WHERE avatar_id = $1"),
            &[&avatar.0],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        rows.into_iter()
            .map(|(kind, id, data)| {
                let target = match kind.as_str() {
                    "contact" => grid::chat::CustomTarget::Contact(AvatarId(id)),
                    "group" => grid::chat::CustomTarget::Group(GroupId(id)),
                    other => {
                        return Err(StoreError::Corrupt(format!("custom data kind {other:?}")));
                    }
                };
                Ok((target, data))
            })
            .collect()
    }
}
