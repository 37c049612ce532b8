//! Event pumps: each user a connection drives has one task that reads the user's events
//! from the durable log, renders them as SimpleX events and queues them on the socket.
//!
//! The pump starts after the last event a chat session delivered for the user (kept in
//! the store), so a client that reconnects gets what it missed, and advances that mark
//! as it goes.

use crate::session::Shared;
use crate::types;
use engine::Engine;
use grid::chat::ChatUser;
use grid::chat::DirectMessage;
use grid::{AvatarId, Event, EventId, FriendOffer, StoredEvent};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Events read from the log at once.
const BATCH: usize = 256;

/// Contacts already rendered in a batch (`None`: the avatar is gone).
type Contacts = HashMap<AvatarId, Option<Value>>;

pub(crate) fn spawn_pump(
    engine: Engine,
    shared: Arc<Shared>,
    user: AvatarId,
    cursor: EventId,
    active: Arc<AtomicI64>,
    out: mpsc::Sender<String>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let pump = Pump {
            engine,
            shared,
            user,
            active,
            out,
        };
        pump.run(cursor).await
    })
}

struct Pump {
    engine: Engine,
    shared: Arc<Shared>,
    user: AvatarId,
    active: Arc<AtomicI64>,
    out: mpsc::Sender<String>,
}

impl Pump {
    async fn run(self, mut cursor: EventId) {
        let mut changed = self.engine.watch(self.user);
        loop {
            changed.borrow_and_update();
            match self.engine.events_after(self.user, cursor, BATCH).await {
                Ok(batch) if !batch.is_empty() => {
                    let full = batch.len() == BATCH;
                    match self.deliver(&batch).await {
                        Some(last) => cursor = last,
                        None => return, // the connection is gone
                    }
                    if let Err(e) = self.engine.advance_chat_cursor(self.user, cursor).await {
                        tracing::warn!(user = %self.user, error = %e, "cannot record chat cursor");
                    }
                    if full {
                        continue;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(user = %self.user, error = %e, "cannot read events; retrying");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    continue;
                }
            }
            if changed.changed().await.is_err() {
                return;
            }
        }
    }

    /// Sends a batch; returns the id of the last event handled, `None` when the socket
    /// is closed.
    async fn deliver(&self, batch: &[StoredEvent]) -> Option<EventId> {
        let user = match self.engine.chat_user(self.user).await {
            Ok(Some(u)) => u,
            _ => return batch.last().map(|e| e.id),
        };
        let user_json = self.user_json(&user).await;
        // A batch is mostly messages from a few peers: look each one up once.
        let mut contacts = HashMap::new();
        for stored in batch {
            match self.render(&user, &user_json, &mut contacts, stored).await {
                Ok(Some(resp)) => {
                    let frame = json!({"resp": resp}).to_string();
                    if self.out.send(frame).await.is_err() {
                        return None;
                    }
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(user = %self.user, event = %stored.id, error = %e, "cannot render event");
                }
            }
        }
        batch.last().map(|e| e.id)
    }

    async fn user_json(&self, u: &ChatUser) -> Value {
        let address = self.engine.address(u.avatar.id).await.ok().flatten();
        types::user(
            u,
            self.active.load(Ordering::Relaxed) == u.avatar.id.0,
            address.map(|l| self.shared.links.short(&l)),
        )
    }

    async fn contact(
        &self,
        me: &ChatUser,
        contacts: &mut Contacts,
        other: AvatarId,
    ) -> Result<Option<Value>, grid::Error> {
        if let Some(known) = contacts.get(&other) {
            return Ok(known.clone());
        }
        let contact = self
            .engine
            .peer(other)
            .await?
            .map(|(a, p)| types::contact(&me.profile, &a, &p));
        contacts.insert(other, contact.clone());
        Ok(contact)
    }

    /// The SimpleX event for a world event, if SimpleX has one.
    async fn render(
        &self,
        me: &ChatUser,
        user: &Value,
        contacts: &mut Contacts,
        stored: &StoredEvent,
    ) -> Result<Option<Value>, grid::Error> {
        Ok(match &stored.event {
            Event::InstantMessage {
                message,
                from,
                text,
                rich,
                quote,
            } => {
                let Some(contact) = self.contact(me, contacts, from.id).await? else {
                    return Ok(None);
                };
                let m = DirectMessage {
                    id: *message,
                    from: from.id,
                    to: me.avatar.id,
                    content: grid::chat::Content {
                        text: text.clone(),
                        rich: rich.clone(),
                    },
                    quote: *quote,
                    at: stored.at,
                };
                let quoted = match quote {
                    Some(q) => {
                        self.engine
                            .direct_message((me.avatar.id, from.id), *q)
                            .await?
                    }
                    None => None,
                };
                let item = types::direct_item(
                    &m,
                    false,
                    quoted.as_ref().map(|q| (q, q.from == me.avatar.id)),
                );
                Some(json!({
                    "type": "newChatItems",
                    "user": user,
                    "chatItems": [{"chatInfo": types::direct_chat_info(contact), "chatItem": item}],
                }))
            }
            Event::FriendshipOffered {
                from,
                session,
                message,
                offer: Some(offer),
            } => {
                let Some((avatar, profile)) = self.engine.peer(from.id).await? else {
                    return Ok(None);
                };
                let offer = FriendOffer {
                    id: *offer,
                    session: *session,
                    from: from.id,
                    to: me.avatar.id,
                    message: message.clone(),
                };
                Some(json!({
                    "type": "receivedContactRequest",
                    "user": user,
                    "contactRequest": types::contact_request(&offer, &avatar, &profile, stored.at),
                }))
            }
            Event::FriendshipAccepted { by: other } | Event::FriendshipFormed { with: other } => {
                let Some(contact) = self.contact(me, contacts, other.id).await? else {
                    return Ok(None);
                };
                Some(json!({"type": "contactConnected", "user": user, "contact": contact}))
            }
            Event::FriendshipEnded { by } => {
                let Some(contact) = self.contact(me, contacts, by.id).await? else {
                    return Ok(None);
                };
                Some(json!({"type": "contactDeletedByContact", "user": user, "contact": contact}))
            }
            _ => None,
        })
    }
}
