//! Capabilities: the seed capability, which names the region's others, and the event
//! queue (`EventQueueGet`), a long poll through which grids send what no longer goes
//! over UDP (group lists, group chat invitations, teleport hand-overs).

use crate::group_messages::{GroupMessage, Membership};
use crate::llsd::Llsd;
use crate::messages::InstantMessage;
use crate::{Error, Uuid};
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::mpsc;

/// The capabilities botgrid asks a region for.
pub const WANTED: &[&str] = &["EventQueueGet", "FetchInventoryDescendents2"];

/// A folder's contents, as `FetchInventoryDescendents2` answers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FolderContents {
    pub folders: Vec<InventoryFolder>,
    pub items: Vec<InventoryItem>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InventoryFolder {
    pub id: Uuid,
    pub parent: Uuid,
    pub name: String,
    /// The folder's preferred type (-1: an ordinary folder).
    pub kind: i32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InventoryItem {
    pub id: Uuid,
    pub parent: Uuid,
    pub asset: Uuid,
    /// The asset type number (0 texture, 7 notecard, …).
    pub kind: i32,
    pub name: String,
    pub description: String,
    pub owner_mask: u32,
    pub next_owner_mask: u32,
    pub created: i64,
}

/// Asks `FetchInventoryDescendents2` for a folder's folders and items.
pub async fn fetch_folder(
    client: &reqwest::Client,
    url: &str,
    owner: Uuid,
    folder: Uuid,
) -> Result<FolderContents, Error> {
    let body = Llsd::Map(vec![(
        "folders".into(),
        Llsd::Array(vec![Llsd::Map(vec![
            ("folder_id".into(), Llsd::Uuid(folder)),
            ("owner_id".into(), Llsd::Uuid(owner)),
            ("fetch_folders".into(), Llsd::Boolean(true)),
            ("fetch_items".into(), Llsd::Boolean(true)),
            ("sort_order".into(), Llsd::Integer(0)),
        ])]),
    )])
    .to_xml();
    Ok(read_folder(&post(client, url, body, "inventory").await?))
}

/// POSTs an LLSD document to a capability and reads the LLSD answer.
async fn post(
    client: &reqwest::Client,
    url: &str,
    body: String,
    what: &str,
) -> Result<Llsd, Error> {
    let answer = client
        .post(url)
        .header("Content-Type", "application/llsd+xml")
        .body(body)
        .timeout(Duration::from_secs(30))
        .send()
        .await
        .map_err(|e| Error::Http(format!("{what}: {e}")))?;
    if !answer.status().is_success() {
        return Err(Error::Http(format!("{what}: HTTP {}", answer.status())));
    }
    let text = answer
        .text()
        .await
        .map_err(|e| Error::Http(format!("{what}: {e}")))?;
    Llsd::from_xml(&text)
}

/// Reads the first folder of a `FetchInventoryDescendents2` answer.
pub fn read_folder(doc: &Llsd) -> FolderContents {
    let Some(f) = doc
        .get("folders")
        .and_then(|f| f.as_array().first().cloned())
    else {
        return FolderContents::default();
    };
    let uuid = |v: &Llsd, k: &str| v.get(k).map(Llsd::uuid).unwrap_or_default();
    let text = |v: &Llsd, k: &str| v.get(k).map(Llsd::text).unwrap_or_default();
    FolderContents {
        folders: f
            .get("categories")
            .map(Llsd::as_array)
            .unwrap_or_default()
            .iter()
            .map(|c| InventoryFolder {
                // Grids name the key either way.
                id: c
                    .get("category_id")
                    .or_else(|| c.get("folder_id"))
                    .map(Llsd::uuid)
                    .unwrap_or_default(),
                parent: uuid(c, "parent_id"),
                name: text(c, "name"),
                kind: c.get("type_default").map(Llsd::int).unwrap_or(-1) as i32,
            })
            .collect(),
        items: f
            .get("items")
            .map(Llsd::as_array)
            .unwrap_or_default()
            .iter()
            .map(|i| {
                let perms = i.get("permissions");
                let mask =
                    |k: &str| perms.and_then(|p| p.get(k)).map(Llsd::int).unwrap_or(0) as u32;
                InventoryItem {
                    id: uuid(i, "item_id"),
                    parent: uuid(i, "parent_id"),
                    asset: uuid(i, "asset_id"),
                    kind: i.get("type").map(Llsd::int).unwrap_or(-1) as i32,
                    name: text(i, "name"),
                    description: text(i, "desc"),
                    owner_mask: mask("owner_mask"),
                    next_owner_mask: mask("next_owner_mask"),
                    created: i.get("created_at").map(Llsd::int).unwrap_or(0),
                }
            })
            .collect(),
    }
}

/// A `FetchInventoryDescendents2` answer (the test region's side).
pub fn folder_answer(owner: Uuid, folder: Uuid, contents: &FolderContents) -> Llsd {
    Llsd::Map(vec![(
        "folders".into(),
        Llsd::Array(vec![Llsd::Map(vec![
            ("folder_id".into(), Llsd::Uuid(folder)),
            ("owner_id".into(), Llsd::Uuid(owner)),
            ("version".into(), Llsd::Integer(1)),
            (
                "descendents".into(),
                Llsd::Integer((contents.folders.len() + contents.items.len()) as i32),
            ),
            (
                "categories".into(),
                Llsd::Array(
                    contents
                        .folders
                        .iter()
                        .map(|c| {
                            Llsd::Map(vec![
                                ("category_id".into(), Llsd::Uuid(c.id)),
                                ("parent_id".into(), Llsd::Uuid(c.parent)),
                                ("name".into(), Llsd::String(c.name.clone())),
                                ("type_default".into(), Llsd::Integer(c.kind)),
                            ])
                        })
                        .collect(),
                ),
            ),
            (
                "items".into(),
                Llsd::Array(
                    contents
                        .items
                        .iter()
                        .map(|i| {
                            Llsd::Map(vec![
                                ("item_id".into(), Llsd::Uuid(i.id)),
                                ("parent_id".into(), Llsd::Uuid(i.parent)),
                                ("asset_id".into(), Llsd::Uuid(i.asset)),
                                ("type".into(), Llsd::Integer(i.kind)),
                                ("inv_type".into(), Llsd::Integer(i.kind)),
                                ("name".into(), Llsd::String(i.name.clone())),
                                ("desc".into(), Llsd::String(i.description.clone())),
                                ("created_at".into(), Llsd::Integer(i.created as i32)),
                                (
                                    "permissions".into(),
                                    Llsd::Map(vec![
                                        ("owner_mask".into(), Llsd::Integer(i.owner_mask as i32)),
                                        (
                                            "next_owner_mask".into(),
                                            Llsd::Integer(i.next_owner_mask as i32),
                                        ),
                                    ]),
                                ),
                            ])
                        })
                        .collect(),
                ),
            ),
        ])]),
    )])
}

/// How long an event-queue request may take: grids hold it about 30 s.
const POLL_TIMEOUT: Duration = Duration::from_secs(65);

/// One event from the queue.
#[derive(Debug, Clone, PartialEq)]
pub struct QueuedEvent {
    pub message: String,
    pub body: Llsd,
}

/// Asks the seed capability for the named capabilities; returns name → URL.
pub async fn seed(
    client: &reqwest::Client,
    url: &str,
    names: &[&str],
) -> Result<HashMap<String, String>, Error> {
    let body = Llsd::Array(names.iter().map(|n| Llsd::String((*n).into())).collect()).to_xml();
    let caps = post(client, url, body, "seed capability").await?;
    let Llsd::Map(m) = caps else {
        return Err(Error::Malformed("seed capability answer is not a map"));
    };
    Ok(m.into_iter().map(|(k, v)| (k, v.text())).collect())
}

/// Polls the event queue until the region removes it (404), the receiver goes away,
/// or the task is aborted. Transient failures are retried after a pause.
pub async fn poll(client: reqwest::Client, url: String, events: mpsc::Sender<QueuedEvent>) {
    let mut ack = Llsd::Undef;
    let mut failures = 0u32;
    loop {
        let body = Llsd::Map(vec![
            ("ack".into(), ack.clone()),
            ("done".into(), Llsd::Boolean(false)),
        ])
        .to_xml();
        let sent = client
            .post(&url)
            .header("Content-Type", "application/llsd+xml")
            .body(body)
            .timeout(POLL_TIMEOUT)
            .send()
            .await;
        let answer = match sent {
            Ok(a) => a,
            Err(e) => {
                failures += 1;
                tracing::debug!(error = %e, "event queue request failed");
                tokio::time::sleep(Duration::from_secs(u64::from(failures.min(10)))).await;
                continue;
            }
        };
        match answer.status().as_u16() {
            200 => {}
            // No events within the poll: ask again.
            502 | 504 => {
                failures = 0;
                continue;
            }
            404 => return,
            status => {
                failures += 1;
                tracing::debug!(status, "event queue answered an error");
                tokio::time::sleep(Duration::from_secs(u64::from(failures.min(10)))).await;
                continue;
            }
        }
        failures = 0;
        let Ok(text) = answer.text().await else {
            continue;
        };
        let Ok(doc) = Llsd::from_xml(&text) else {
            tracing::debug!("event queue answer is not LLSD");
            continue;
        };
        if let Some(id) = doc.get("id") {
            ack = id.clone();
        }
        for e in doc.get("events").map(Llsd::as_array).unwrap_or_default() {
            let event = QueuedEvent {
                message: e.get("message").map(Llsd::text).unwrap_or_default(),
                body: e.get("body").cloned().unwrap_or(Llsd::Undef),
            };
            if events.send(event).await.is_err() {
                return;
            }
        }
    }
}

/// What an event-queue event means, in the terms of the UDP messages.
pub enum Decoded {
    Group(GroupMessage),
    InstantMessage(InstantMessage),
    /// A teleport to another region: where its circuit and capabilities are.
    TeleportFinish(crate::world_messages::WorldMessage),
}

/// Reads the events botgrid uses; `None` for the others.
pub fn decode(event: &QueuedEvent) -> Option<Decoded> {
    let b = &event.body;
    match event.message.as_str() {
        "AgentGroupDataUpdate" => {
            let agent = b
                .get("AgentData")
                .and_then(|a| a.as_array().first())
                .and_then(|a| a.get("AgentID"))
                .map(Llsd::uuid)
                .unwrap_or_default();
            let groups = b
                .get("GroupData")
                .map(Llsd::as_array)
                .unwrap_or_default()
                .iter()
                .map(|g| Membership {
                    group: g.get("GroupID").map(Llsd::uuid).unwrap_or_default(),
                    powers: g.get("GroupPowers").map(Llsd::u64).unwrap_or(0),
                    accept_notices: g.get("AcceptNotices").is_some_and(Llsd::boolean),
                    insignia: g.get("GroupInsigniaID").map(Llsd::uuid).unwrap_or_default(),
                    contribution: g.get("Contribution").map(Llsd::int).unwrap_or(0) as i32,
                    name: g.get("GroupName").map(Llsd::text).unwrap_or_default(),
                })
                .collect();
            Some(Decoded::Group(GroupMessage::AgentGroupDataUpdate {
                agent,
                groups,
            }))
        }
        "ChatterBoxInvitation" => {
            let p = b.get("instantmessage")?.get("message_params")?;
            let get = |k: &str| p.get(k).cloned().unwrap_or(Llsd::Undef);
            let bucket = match p.get("data").and_then(|d| d.get("binary_bucket")) {
                Some(Llsd::Binary(v)) => v.clone(),
                Some(other) => other.text().into_bytes(),
                None => vec![],
            };
            Some(Decoded::InstantMessage(InstantMessage {
                agent: get("from_id").uuid(),
                session: Uuid::nil(),
                from_group: get("from_group").boolean(),
                to_agent: get("to_id").uuid(),
                parent_estate: get("parent_estate_id").int() as u32,
                region: get("region_id").uuid(),
                position: [0.0; 3],
                offline: get("offline").int() as u8,
                dialog: get("type").int() as u8,
                id: get("id").uuid(),
                timestamp: get("timestamp").int() as u32,
                from_name: get("from_name").text(),
                message: get("message").text(),
                binary_bucket: bucket,
            }))
        }
        "TeleportFinish" => {
            let i = b.get("Info")?.as_array().first()?;
            let ip = match i.get("SimIP")? {
                Llsd::Binary(v) if v.len() == 4 => std::net::Ipv4Addr::new(v[0], v[1], v[2], v[3]),
                other => other.text().parse().ok()?,
            };
            Some(Decoded::TeleportFinish(
                crate::world_messages::WorldMessage::TeleportFinish {
                    agent: i.get("AgentID").map(Llsd::uuid).unwrap_or_default(),
                    location: i.get("LocationID").map(Llsd::u64).unwrap_or(0) as u32,
                    sim_ip: ip,
                    sim_port: u16::try_from(i.get("SimPort")?.int()).ok()?,
                    region_handle: i.get("RegionHandle").map(Llsd::u64).unwrap_or(0),
                    seed_capability: i.get("SeedCapability").map(Llsd::text).unwrap_or_default(),
                    sim_access: i.get("SimAccess").map(Llsd::int).unwrap_or(0) as u8,
                    flags: i.get("TeleportFlags").map(Llsd::u64).unwrap_or(0) as u32,
                },
            ))
        }
        _ => None,
    }
}

/// The event-queue form of a teleport's hand-over (the test region's side).
pub fn teleport_finish_event(
    agent: Uuid,
    sim: std::net::SocketAddrV4,
    region_handle: u64,
    seed_capability: &str,
) -> QueuedEvent {
    QueuedEvent {
        message: "TeleportFinish".into(),
        body: Llsd::Map(vec![(
            "Info".into(),
            Llsd::Array(vec![Llsd::Map(vec![
                ("AgentID".into(), Llsd::Uuid(agent)),
                ("LocationID".into(), Llsd::Binary(vec![0, 0, 0, 4])),
                ("SimIP".into(), Llsd::Binary(sim.ip().octets().to_vec())),
                ("SimPort".into(), Llsd::Integer(sim.port().into())),
                (
                    "RegionHandle".into(),
                    Llsd::Binary(region_handle.to_be_bytes().to_vec()),
                ),
                (
                    "SeedCapability".into(),
                    Llsd::String(seed_capability.into()),
                ),
                ("SimAccess".into(), Llsd::Integer(13)),
                ("TeleportFlags".into(), Llsd::Binary(vec![0, 0, 0, 16])),
            ])]),
        )]),
    }
}

/// The event-queue form of an agent's group list (the test region's side).
pub fn group_list_event(agent: Uuid, groups: &[Membership]) -> QueuedEvent {
    QueuedEvent {
        message: "AgentGroupDataUpdate".into(),
        body: Llsd::Map(vec![
            (
                "AgentData".into(),
                Llsd::Array(vec![Llsd::Map(vec![("AgentID".into(), Llsd::Uuid(agent))])]),
            ),
            (
                "GroupData".into(),
                Llsd::Array(
                    groups
                        .iter()
                        .map(|g| {
                            Llsd::Map(vec![
                                ("GroupID".into(), Llsd::Uuid(g.group)),
                                (
                                    "GroupPowers".into(),
                                    Llsd::Binary(g.powers.to_be_bytes().to_vec()),
                                ),
                                ("AcceptNotices".into(), Llsd::Boolean(g.accept_notices)),
                                ("GroupInsigniaID".into(), Llsd::Uuid(g.insignia)),
                                ("Contribution".into(), Llsd::Integer(g.contribution)),
                                ("GroupName".into(), Llsd::String(g.name.clone())),
                            ])
                        })
                        .collect(),
                ),
            ),
            (
                "NewGroupData".into(),
                Llsd::Array(
                    groups
                        .iter()
                        .map(|_| Llsd::Map(vec![("ListInProfile".into(), Llsd::Boolean(true))]))
                        .collect(),
                ),
            ),
        ]),
    }
}

/// The event-queue form of a group chat line (the test region's side).
pub fn chatterbox_event(im: &InstantMessage) -> QueuedEvent {
    QueuedEvent {
        message: "ChatterBoxInvitation".into(),
        body: Llsd::Map(vec![
            ("session_id".into(), Llsd::Uuid(im.id)),
            ("from_name".into(), Llsd::String(im.from_name.clone())),
            ("from_id".into(), Llsd::Uuid(im.agent)),
            (
                "instantmessage".into(),
                Llsd::Map(vec![(
                    "message_params".into(),
                    Llsd::Map(vec![
                        ("from_id".into(), Llsd::Uuid(im.agent)),
                        ("from_name".into(), Llsd::String(im.from_name.clone())),
                        ("to_id".into(), Llsd::Uuid(im.to_agent)),
                        ("id".into(), Llsd::Uuid(im.id)),
                        ("message".into(), Llsd::String(im.message.clone())),
                        ("type".into(), Llsd::Integer(im.dialog.into())),
                        ("from_group".into(), Llsd::Boolean(im.from_group)),
                        ("offline".into(), Llsd::Integer(0)),
                        ("timestamp".into(), Llsd::Integer(0)),
                        ("parent_estate_id".into(), Llsd::Integer(0)),
                        ("region_id".into(), Llsd::Uuid(im.region)),
                        (
                            "data".into(),
                            Llsd::Map(vec![(
                                "binary_bucket".into(),
                                Llsd::Binary(im.binary_bucket.clone()),
                            )]),
                        ),
                    ]),
                )]),
            ),
        ]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_lists_and_group_chat_survive_the_event_queue_form() {
        let groups = vec![Membership {
            group: Uuid::from_u128(9),
            powers: 0x0102_0304_0506_0708,
            accept_notices: true,
            insignia: Uuid::nil(),
            contribution: 5,
            name: "Club".into(),
        }];
        let e = group_list_event(Uuid::from_u128(1), &groups);
        let e = QueuedEvent {
            body: Llsd::from_xml(&e.body.to_xml()).unwrap(),
            ..e
        };
        match decode(&e) {
            Some(Decoded::Group(GroupMessage::AgentGroupDataUpdate { agent, groups: g })) => {
                assert_eq!(agent, Uuid::from_u128(1));
                assert_eq!(g, groups);
            }
            _ => panic!("not decoded"),
        }
        let mut im = InstantMessage::text(
            Uuid::from_u128(2),
            Uuid::nil(),
            "Ann Bot",
            Uuid::from_u128(1),
            "hi",
        );
        im.dialog = crate::messages::dialog::SESSION_SEND;
        im.id = Uuid::from_u128(9);
        im.binary_bucket = b"Club".to_vec();
        match decode(&chatterbox_event(&im)) {
            Some(Decoded::InstantMessage(back)) => assert_eq!(back, im),
            _ => panic!("not decoded"),
        }
        assert!(
            decode(&QueuedEvent {
                message: "Other".into(),
                body: Llsd::Undef
            })
            .is_none()
        );
        let sim: std::net::SocketAddrV4 = "127.0.0.1:9005".parse().unwrap();
        let e = teleport_finish_event(Uuid::from_u128(1), sim, 77, "http://x/caps/1");
        let e = QueuedEvent {
            body: Llsd::from_xml(&e.body.to_xml()).unwrap(),
            ..e
        };
        match decode(&e) {
            Some(Decoded::TeleportFinish(
                crate::world_messages::WorldMessage::TeleportFinish {
                    sim_ip,
                    sim_port,
                    region_handle,
                    seed_capability,
                    ..
                },
            )) => {
                assert_eq!((sim_ip, sim_port), (*sim.ip(), 9005));
                assert_eq!(region_handle, 77);
                assert_eq!(seed_capability, "http://x/caps/1");
            }
            _ => panic!("not decoded"),
        }
    }
}
