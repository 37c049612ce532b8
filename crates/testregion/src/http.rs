//! The test region's HTTP side: the XML-RPC login and the capabilities (seed, event
//! queue, inventory).

use super::*;

/// The seed capability: the agent's event queue and inventory, while it is in the
/// region.
pub(crate) fn seed_answer(
    state: &Mutex<State>,
    base: &str,
    agent: Uuid,
) -> (axum::http::StatusCode, String) {
    if !lock(state).agents.contains_key(&agent) {
        return (axum::http::StatusCode::NOT_FOUND, String::new());
    }
    let caps = Llsd::Map(vec![
        (
            "EventQueueGet".into(),
            Llsd::String(format!("{base}eq/{agent}")),
        ),
        (
            "FetchInventoryDescendents2".into(),
            Llsd::String(format!("{base}inv/{agent}")),
        ),
    ]);
    (axum::http::StatusCode::OK, caps.to_xml())
}

/// `FetchInventoryDescendents2`: the contents of one of the agent's two folders.
pub(crate) fn inventory_answer(
    state: &Mutex<State>,
    agent: Uuid,
    body: &str,
) -> (axum::http::StatusCode, String) {
    let st = lock(state);
    let Some((root, notecards)) = st.account(agent).map(|a| a.inventory) else {
        return (axum::http::StatusCode::NOT_FOUND, String::new());
    };
    let Ok(doc) = Llsd::from_xml(body) else {
        return (axum::http::StatusCode::BAD_REQUEST, String::new());
    };
    let folder = doc
        .get("folders")
        .and_then(|f| f.as_array().first().and_then(|f| f.get("folder_id")))
        .map(Llsd::uuid)
        .unwrap_or_default();
    let item = |parent: Uuid, kind: i32, name: &str| viewerproto::caps::InventoryItem {
        id: Uuid::from_u128(parent.as_u128() ^ 0xff),
        parent,
        asset: Uuid::from_u128(parent.as_u128() ^ 0xaa),
        kind,
        name: name.into(),
        description: String::new(),
        owner_mask: 0x7fff_ffff,
        next_owner_mask: 0x0008_2000,
        created: 1_700_000_000,
    };
    let contents = if folder == root {
        viewerproto::caps::FolderContents {
            folders: vec![viewerproto::caps::InventoryFolder {
                id: notecards,
                parent: root,
                name: "Notecards".into(),
                kind: 7,
            }],
            items: vec![item(root, 3, LANDMARK_NAME)],
        }
    } else if folder == notecards {
        viewerproto::caps::FolderContents {
            folders: vec![],
            items: vec![item(notecards, 7, NOTECARD_NAME)],
        }
    } else {
        viewerproto::caps::FolderContents::default()
    };
    (
        axum::http::StatusCode::OK,
        viewerproto::caps::folder_answer(agent, folder, &contents).to_xml(),
    )
}

/// One event-queue request: the agent's waiting events, or 502 after 2 s without any,
/// or 404 once the agent has left (as grids answer).
pub(crate) async fn event_queue_answer(
    state: &Mutex<State>,
    agent: Uuid,
) -> (axum::http::StatusCode, String) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    loop {
        let wake = lock(state).wake.clone();
        let notified = wake.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        {
            let mut st = lock(state);
            if !st.agents.contains_key(&agent) {
                return (axum::http::StatusCode::NOT_FOUND, String::new());
            }
            let waiting: Vec<QueuedEvent> = st
                .queues
                .get_mut(&agent)
                .map(|q| q.drain(..).collect())
                .unwrap_or_default();
            if !waiting.is_empty() {
                st.next_event_id += 1;
                st.queue_deliveries += 1;
                let doc = Llsd::Map(vec![
                    (
                        "events".into(),
                        Llsd::Array(
                            waiting
                                .into_iter()
                                .map(|e| {
                                    Llsd::Map(vec![
                                        ("message".into(), Llsd::String(e.message)),
                                        ("body".into(), e.body),
                                    ])
                                })
                                .collect(),
                        ),
                    ),
                    ("id".into(), Llsd::Integer(st.next_event_id)),
                ]);
                return (axum::http::StatusCode::OK, doc.to_xml());
            }
        }
        if tokio::time::timeout_at(deadline, notified).await.is_err() {
            return (axum::http::StatusCode::BAD_GATEWAY, String::new());
        }
    }
}

/// Answers a login: the reply, `presence` once while the account still has an agent
/// (which is then logged out, as grids do), or `key` for a wrong name or password.
pub(crate) fn login_answer(
    state: &Mutex<State>,
    udp: SocketAddr,
    base: &str,
    body: &str,
) -> String {
    let value = match LoginRequest::from_xml(body) {
        Err(_) => login::refusal("key", "The login request could not be read."),
        Ok(req) => {
            let mut st = lock(state);
            let found = st
                .accounts
                .iter()
                .find(|a| {
                    a.first.eq_ignore_ascii_case(&req.first)
                        && a.last.eq_ignore_ascii_case(&req.last)
                })
                .map(|a| {
                    (
                        a.id,
                        a.first.clone(),
                        a.last.clone(),
                        a.passwd == req.passwd,
                    )
                });
            match found {
                None | Some((_, _, _, false)) => login::refusal(
                    "key",
                    "Sorry! We couldn't log you in. Please check your name and password.",
                ),
                Some((id, _, _, true)) if st.agents.contains_key(&id) => {
                    forget(&mut st, id);
                    login::refusal(
                        "presence",
                        "You are already logged in; that session is being logged out.",
                    )
                }
                Some((id, first, last, true)) => {
                    let session = Uuid::new_v4();
                    let circuit_code = rand::random::<u32>() | 1;
                    st.agents.insert(
                        id,
                        Agent {
                            session,
                            circuit_code,
                            addr: None,
                            circuit: Circuit::new(Instant::now()),
                            region: 0,
                            expected_region: 0,
                        },
                    );
                    st.logins += 1;
                    LoginReply {
                        agent_id: id,
                        session_id: session,
                        secure_session_id: Uuid::new_v4(),
                        circuit_code,
                        sim: udp,
                        seed_capability: format!("{base}caps/{id}"),
                        first_name: first,
                        last_name: last,
                        region_x: REGION_CORNER.0,
                        region_y: REGION_CORNER.1,
                        message: "Welcome to the botgrid test region.".into(),
                        inventory_root: st.account(id).map(|a| a.inventory.0),
                        buddies: st
                            .friends_of(id)
                            .into_iter()
                            .map(|other| viewerproto::login::Buddy {
                                id: other,
                                rights_given: 1,
                                rights_has: 1,
                            })
                            .collect(),
                    }
                    .to_value()
                }
            }
        }
    };
    xmlrpc::method_response(&value)
}
