//! The store against a real database: SQLite, or PostgreSQL when
//! BOTGRID_TEST_DATABASE_URL is set.

use grid::chat::Content;
use grid::{AvatarKind, Event, LegacyName, Presence, Uuid};
use std::sync::{Arc, Mutex};
use store::testing::TestDb;
use store::{NewAvatar, Store, StoreOptions};

fn new_avatar(name: &str, kind: AvatarKind) -> NewAvatar {
    NewAvatar {
        uuid: Uuid::new_v4(),
        name: LegacyName::parse(name).unwrap(),
        display_name: name.to_owned(),
        kind,
        about: String::new(),
        home: None,
    }
}

async fn open(db: &TestDb, seen: Arc<Mutex<Vec<store::Committed>>>) -> Store {
    let options = StoreOptions {
        on_commit: Some(Arc::new(move |events| {
            seen.lock().unwrap().extend_from_slice(events)
        })),
        ..Default::default()
    };
    Store::open(&db.url, options).await.unwrap()
}

#[tokio::test]
async fn names_are_found_whatever_their_case_and_reopening_keeps_data() {
    let db = TestDb::new();
    let store = open(&db, Default::default()).await;
    let ada = store
        .write(|tx| Ok(tx.insert_avatar(&new_avatar("Ada Lovelace", AvatarKind::Bot))?))
        .await
        .unwrap();
    let found = store
        .read(|tx| Ok(tx.avatar_by_name(&LegacyName::parse("ADA lovelace").unwrap())?))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.uuid, ada.uuid);
    assert_eq!(found.name.to_string(), "Ada Lovelace");
    assert_eq!(found.presence, Presence::LoggedOut);

    // A second avatar with the same name, in another case, is refused by the database.
    let dup = store
        .write(|tx| Ok(tx.insert_avatar(&new_avatar("ada LOVELACE", AvatarKind::Person))?))
        .await;
    assert!(dup.is_err());

    // Migrations are idempotent and data survives reopening.
    drop(store);
    let again = open(&db, Default::default()).await;
    let uuid = ada.uuid;
    let back = again
        .read(move |tx| Ok(tx.avatar_by_uuid(uuid)?))
        .await
        .unwrap();
    assert_eq!(back.map(|a| a.id), Some(ada.id));
}

#[tokio::test]
async fn a_failing_job_rolls_back_alone_and_its_events_never_surface() {
    let db = TestDb::new();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let store = open(&db, seen.clone()).await;
    let a = store
        .write(|tx| Ok(tx.insert_avatar(&new_avatar("Ann", AvatarKind::Bot))?))
        .await
        .unwrap();

    // Submit many jobs at once so that they share commits; every third one fails
    // after writing a message and an event.
    let after = Arc::new(Mutex::new(Vec::new()));
    let mut handles = Vec::new();
    for i in 0..60 {
        let store = store.clone();
        let id = a.id;
        let after = after.clone();
        handles.push(tokio::spawn(async move {
            store
                .write(move |tx| {
                    tx.after_commit(move || after.lock().unwrap().push(i));
                    let msg =
                        tx.insert_direct_message(id, id, &Content::text(format!("m{i}")), None)?;
                    tx.emit(
                        id,
                        Event::OnlineStatus {
                            presence: Presence::Online,
                            location: Some(format!("{}", msg.0)),
                        },
                    )?;
                    if i % 3 == 0 {
                        return Err(grid::Error::invalid("message", "refused on purpose"));
                    }
                    Ok(i)
                })
                .await
        }));
    }
    let mut ok = 0;
    for h in handles {
        if h.await.unwrap().is_ok() {
            ok += 1;
        }
    }
    assert_eq!(ok, 40);
    let id = a.id;
    let history = store
        .read(move |tx| Ok(tx.direct_messages_between(id, id, 1000)?))
        .await
        .unwrap();
    assert_eq!(history.len(), 40, "failed jobs left no messages");
    assert!(
        history
            .iter()
            .all(|m| m.content.text[1..].parse::<u32>().unwrap() % 3 != 0)
    );
    let events = store
        .read(move |tx| Ok(tx.events_after(id, grid::EventId(0), 1000)?))
        .await
        .unwrap();
    assert_eq!(events.len(), 40);
    // After-commit actions ran for the jobs that committed, and only for them.
    let mut after = after.lock().unwrap().clone();
    after.sort_unstable();
    assert_eq!(after, (0..60).filter(|i| i % 3 != 0).collect::<Vec<_>>());
    // The commit hook saw exactly the committed events, in log order.
    let seen: Vec<_> = seen.lock().unwrap().iter().map(|e| e.id).collect();
    assert_eq!(seen, events.iter().map(|e| e.id).collect::<Vec<_>>());
}

#[tokio::test]
async fn held_events_come_back_in_order_once() {
    let db = TestDb::new();
    let store = open(&db, Default::default()).await;
    let a = store
        .write(|tx| Ok(tx.insert_avatar(&new_avatar("Bea", AvatarKind::Bot))?))
        .await
        .unwrap();
    let id = a.id;
    store
        .write(move |tx| {
            for p in [Presence::Connecting, Presence::Online] {
                tx.hold(
                    id,
                    &Event::OnlineStatus {
                        presence: p,
                        location: None,
                    },
                )?;
            }
            Ok(())
        })
        .await
        .unwrap();
    let first = store.write(move |tx| Ok(tx.take_held(id)?)).await.unwrap();
    assert_eq!(
        first,
        vec![
            Event::OnlineStatus {
                presence: Presence::Connecting,
                location: None
            },
            Event::OnlineStatus {
                presence: Presence::Online,
                location: None
            },
        ]
    );
    assert!(
        store
            .write(move |tx| Ok(tx.take_held(id)?))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_message_deleted_for_oneself_is_gone_from_that_view_only() {
    let db = TestDb::new();
    let store = open(&db, Default::default()).await;
    let (a, b) = store
        .write(|tx| {
            let a = tx.insert_avatar(&new_avatar("Hid Er", AvatarKind::Bot))?;
            let b = tx.insert_avatar(&new_avatar("Oth Er", AvatarKind::Bot))?;
            Ok((a.id, b.id))
        })
        .await
        .unwrap();
    store
        .write(move |tx| {
            let first = tx.insert_direct_message(a, b, &Content::text("one"), None)?;
            tx.insert_direct_message(b, a, &Content::text("two"), None)?;
            tx.hide_item(a, grid::chat::ItemRef::Direct(first))?;
            Ok(())
        })
        .await
        .unwrap();
    let texts = |v: Vec<grid::chat::DirectMessage>| {
        v.into_iter().map(|m| m.content.text).collect::<Vec<_>>()
    };
    let seen_by_a = store
        .read(move |tx| Ok(tx.direct_messages_between(a, b, 10)?))
        .await
        .unwrap();
    assert_eq!(texts(seen_by_a), ["two"]);
    let seen_by_b = store
        .read(move |tx| Ok(tx.direct_messages_between(b, a, 10)?))
        .await
        .unwrap();
    assert_eq!(texts(seen_by_b), ["one", "two"]);
}

#[tokio::test]
async fn balances_never_go_negative_and_the_audit_finds_what_the_ledger_does_not_explain() {
    use grid::money::TransferKind;
    let db = TestDb::new();
    let store = open(&db, Default::default()).await;
    let (a, b) = store
        .write(|tx| {
            let a = tx.insert_avatar(&new_avatar("Payer One", AvatarKind::Bot))?;
            let b = tx.insert_avatar(&new_avatar("Payee Two", AvatarKind::Person))?;
            Ok((a.id, b.id))
        })
        .await
        .unwrap();
    let (short, credited, left, tagged) = store
        .write(move |tx| {
            let short = tx.debit(a, 1)?; // no balance row yet: L$0
            let credited = tx.credit(a, 50)?;
            tx.record_transfer(&store::NewTransfer {
                from: None,
                to: a,
                amount: 50,
                kind: TransferKind::Grant,
                comment: "",
                tag: None,
            })?;
            let left = tx.debit(a, 20)?;
            tx.credit(b, 20)?;
            tx.record_transfer(&store::NewTransfer {
                from: Some(a),
                to: b,
                amount: 20,
                kind: TransferKind::Gift,
                comment: "tip",
                tag: Some("t-1"),
            })?;
            let tagged = tx.tagged_transfer(a, "t-1")?;
            Ok((short, credited, left, tagged))
        })
        .await
        .unwrap();
    assert_eq!(short, None);
    assert_eq!(credited, 50);
    assert_eq!(left, Some(30));
    let tagged = tagged.unwrap();
    assert_eq!(
        (tagged.to, tagged.amount, tagged.comment.as_str()),
        (b, 20, "tip")
    );
    assert_eq!(
        store.write(move |tx| Ok(tx.debit(a, 31)?)).await.unwrap(),
        None
    );

    let (wrong, total, transfers) = store.read(|tx| Ok(tx.audit_money()?)).await.unwrap();
    assert!(wrong.is_empty(), "{wrong:?}");
    assert_eq!((total, transfers), (50, 2));
    // A balance moved without a ledger row is caught.
    store.write(move |tx| Ok(tx.credit(b, 5)?)).await.unwrap();
    let (wrong, _, _) = store.read(|tx| Ok(tx.audit_money()?)).await.unwrap();
    assert_eq!(wrong, vec![(b, 25, 20)]);
    // A second transfer with the same tag from the same payer is refused by the database.
    let dup = store
        .write(move |tx| {
            Ok(tx.record_transfer(&store::NewTransfer {
                from: Some(a),
                to: b,
                amount: 1,
                kind: TransferKind::Gift,
                comment: "",
                tag: Some("t-1"),
            })?)
        })
        .await;
    assert!(dup.is_err());
}
