//! Changing chat items after they are sent: edits, deletion for everyone or for oneself,
//! moderation in groups, reactions. Chat clients drive these; each change reaches the
//! other side of a direct chat, or the members of a group, as an
//! [`Event::ItemsChanged`].

use crate::Engine;
use grid::chat::{self, ChatItem, Content, ItemChange, ItemRef, Reactions};
use grid::group::{GroupId, Membership, PostId, Powers};
use grid::{Avatar, AvatarId, Error, Event, MessageId};
use store::Tx;

/// The chat a command names an item in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChatTarget {
    /// The direct chat with this avatar.
    Direct(AvatarId),
    Group(GroupId),
}

fn me(tx: &mut Tx<'_>, user: AvatarId) -> Result<Avatar, Error> {
    tx.avatar(user)?.ok_or(Error::BotNotFound)
}

/// The user's membership of a group it is in.
fn member(tx: &mut Tx<'_>, user: AvatarId, g: GroupId) -> Result<Membership, Error> {
    tx.membership(g, user)?.ok_or_else(|| Error::GroupNotFound {
        who: g.0.to_string(),
    })
}

/// An item of the chat, as the user sees it: a message between the user and the other
/// avatar, or a chat post of a group the user is in; not one the user deleted for
/// itself.
fn item_in(tx: &mut Tx<'_>, user: AvatarId, chat: ChatTarget, id: i64) -> Result<ChatItem, Error> {
    let item = match chat {
        ChatTarget::Direct(other) => tx
            .direct_message(MessageId(id))?
            .filter(|m| (m.from, m.to) == (user, other) || (m.from, m.to) == (other, user))
            .map(ChatItem::Direct),
        ChatTarget::Group(g) => {
            member(tx, user, g)?;
            tx.group_item(PostId(id))?
                .filter(|p| p.group == g)
                .map(ChatItem::Post)
        }
    }
    .ok_or(Error::MessageNotFound)?;
    if tx.is_hidden(user, item.item_ref())? {
        return Err(Error::MessageNotFound);
    }
    Ok(item)
}

/// Whether the user is a party to the item: it sent or got the direct message, or it is
/// in the post's group.
pub(crate) fn is_party(tx: &mut Tx<'_>, user: AvatarId, item: &ChatItem) -> Result<bool, Error> {
    Ok(match item {
        ChatItem::Direct(m) => m.from == user || m.to == user,
        ChatItem::Post(p) => tx.membership(p.group, user)?.is_some(),
    })
}

fn deleted(item: &ChatItem) -> bool {
    match item {
        ChatItem::Direct(m) => m.deleted.is_some(),
        ChatItem::Post(p) => p.deleted.is_some(),
    }
}

fn reread(tx: &mut Tx<'_>, item: ItemRef) -> Result<ChatItem, Error> {
    tx.chat_item(item)?
        .ok_or_else(|| Error::internal("a chat item vanished"))
}

/// Tells the other side of the chat (or every member of the group) what changed.
fn announce(
    tx: &mut Tx<'_>,
    by: &Avatar,
    chat: ChatTarget,
    items: Vec<ItemRef>,
    change: ItemChange,
) -> Result<(), Error> {
    if items.is_empty() {
        return Ok(());
    }
    match chat {
        ChatTarget::Direct(other) => {
            tx.emit(
                other,
                Event::ItemsChanged {
                    items,
                    by: by.to_ref(),
                    group: None,
                    change,
                },
            )?;
        }
        ChatTarget::Group(g) => {
            let group = tx.group(g)?.ok_or_else(|| Error::GroupNotFound {
                who: g.0.to_string(),
            })?;
            tx.emit_to_members(
                g,
                &Event::ItemsChanged {
                    items,
                    by: by.to_ref(),
                    group: Some(group.to_ref()),
                    change,
                },
            )?;
        }
    }
    Ok(())
}

impl Engine {
    /// A chat item the user can see, wherever it is.
    pub async fn chat_item(&self, user: AvatarId, item: ItemRef) -> Result<ChatItem, Error> {
        self.store()
            .read(move |tx| {
                let found = tx.chat_item(item)?.ok_or(Error::MessageNotFound)?;
                if !is_party(tx, user, &found)? || tx.is_hidden(user, item)? {
                    return Err(Error::MessageNotFound);
                }
                Ok(found)
            })
            .await
    }

    /// The reactions on an item, counted for the user.
    pub async fn item_reactions(&self, user: AvatarId, item: ItemRef) -> Result<Reactions, Error> {
        self.store()
            .read(move |tx| Ok(Reactions::count(&tx.reactions(item)?, user)))
            .await
    }

    /// Changes the content of a message the user sent (its file stays); returns the
    /// item and whether anything changed.
    pub async fn edit_chat_item(
        &self,
        user: AvatarId,
        chat: ChatTarget,
        id: i64,
        content: Content,
    ) -> Result<(ChatItem, bool), Error> {
        content.check()?;
        self.store()
            .write(move |tx| {
                let me = me(tx, user)?;
                let item = item_in(tx, user, chat, id)?;
                if item.sender() != user {
                    return Err(Error::ItemNotChangeable {
                        reason: "only its sender may edit it",
                    });
                }
                if deleted(&item) {
                    return Err(Error::ItemNotChangeable {
                        reason: "it was deleted",
                    });
                }
                if let ChatTarget::Group(g) = chat {
                    member(tx, user, g)?.require(Powers::JOIN_CHAT)?;
                }
                let old = match &item {
                    ChatItem::Direct(m) => &m.content,
                    ChatItem::Post(p) => &p.content,
                };
                if old.text == content.text && old.rich == content.rich {
                    return Ok((item, false));
                }
                let r = item.item_ref();
                tx.edit_item(r, &content)?;
                announce(tx, &me, chat, vec![r], ItemChange::Edited)?;
                Ok((reread(tx, r)?, true))
            })
            .await
    }

    /// Deletes items: for everyone (the user's own messages only; the others see them
    /// marked deleted), or for the user alone. Returns the items as they were and as
    /// they are now (`None`: gone from the user's view).
    pub async fn delete_chat_items(
        &self,
        user: AvatarId,
        chat: ChatTarget,
        ids: Vec<i64>,
        for_everyone: bool,
    ) -> Result<Vec<(ChatItem, Option<ChatItem>)>, Error> {
        check_count(&ids)?;
        self.store()
            .write(move |tx| {
                let me = me(tx, user)?;
                let mut out = Vec::with_capacity(ids.len());
                let mut changed = Vec::new();
                for id in ids {
                    let item = item_in(tx, user, chat, id)?;
                    let r = item.item_ref();
                    if !for_everyone {
                        tx.hide_item(user, r)?;
                        out.push((item, None));
                        continue;
                    }
                    if item.sender() != user {
                        return Err(Error::ItemNotChangeable {
                            reason: "only its sender may delete it for everyone",
                        });
                    }
                    if !deleted(&item) {
                        tx.delete_item(r, false)?;
                        changed.push(r);
                    }
                    out.push((item, Some(reread(tx, r)?)));
                }
                announce(
                    tx,
                    &me,
                    chat,
                    changed,
                    ItemChange::Deleted { moderated: false },
                )?;
                Ok(out)
            })
            .await
    }

    /// A moderator deletes posts of a group's chat for everyone.
    pub async fn moderate_chat_items(
        &self,
        user: AvatarId,
        group: GroupId,
        ids: Vec<i64>,
    ) -> Result<Vec<(ChatItem, Option<ChatItem>)>, Error> {
        check_count(&ids)?;
        self.store()
            .write(move |tx| {
                let me = me(tx, user)?;
                let mine = member(tx, user, group)?;
                let mut out = Vec::with_capacity(ids.len());
                let mut changed = Vec::new();
                for id in ids {
                    let item = item_in(tx, user, ChatTarget::Group(group), id)?;
                    let author = tx.membership(group, item.sender())?;
                    chat::may_moderate(&mine, author.as_ref())?;
                    let r = item.item_ref();
                    if !deleted(&item) {
                        tx.delete_item(r, item.sender() != user)?;
                        changed.push(r);
                    }
                    out.push((item, Some(reread(tx, r)?)));
                }
                announce(
                    tx,
                    &me,
                    ChatTarget::Group(group),
                    changed,
                    ItemChange::Deleted { moderated: true },
                )?;
                Ok(out)
            })
            .await
    }

    /// Adds or takes back the user's reaction to an item; returns the item, its
    /// reactions and whether anything changed.
    pub async fn react_to_chat_item(
        &self,
        user: AvatarId,
        chat: ChatTarget,
        id: i64,
        reaction: String,
        add: bool,
    ) -> Result<(ChatItem, Reactions, bool), Error> {
        chat::check_reaction(&reaction)?;
        self.store()
            .write(move |tx| {
                let me = me(tx, user)?;
                let item = item_in(tx, user, chat, id)?;
                if deleted(&item) {
                    return Err(Error::ItemNotChangeable {
                        reason: "it was deleted",
                    });
                }
                let r = item.item_ref();
                let changed = tx.set_reaction(r, user, &reaction, add)?;
                if changed {
                    announce(
                        tx,
                        &me,
                        chat,
                        vec![r],
                        ItemChange::Reacted {
                            reaction,
                            added: add,
                        },
                    )?;
                }
                let reactions = Reactions::count(&tx.reactions(r)?, user);
                Ok((item, reactions, changed))
            })
            .await
    }
}

fn check_count(ids: &[i64]) -> Result<(), Error> {
    if ids.is_empty() || ids.len() > chat::MAX_ITEMS_PER_DELETE {
        return Err(Error::invalid(
            "chatItemIds",
            format!("name 1 to {} items", chat::MAX_ITEMS_PER_DELETE),
        ));
    }
    Ok(())
}
