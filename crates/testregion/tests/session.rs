//! The protocol client against the test region, over real sockets: login (and its
//! refusals), the circuit, IMs and chat both ways, names, and the ways a session ends.

use std::time::Duration;
use testregion::{Heard, TestRegion};
use tokio::sync::mpsc;
use viewerproto::messages::{InstantMessage, Message, chat_type};
use viewerproto::session::{Account, Session, SessionEvent, Timing};
use viewerproto::world_messages::WorldMessage;
use viewerproto::{Error, Uuid};

fn account(region: &TestRegion, first: &str, last: &str, password: &str) -> Account {
    Account {
        login_uri: region.login_uri.clone(),
        first: first.into(),
        last: last.into(),
        passwd: password.into(),
        start: "last".into(),
    }
}

fn quick() -> Timing {
    Timing {
        arrival: Duration::from_secs(5),
        keep_alive: Duration::from_millis(200),
        ping: Duration::from_millis(200),
        silence: Duration::from_secs(1),
        presence_wait: Duration::from_millis(100),
    }
}

async fn start(
    region: &TestRegion,
    first: &str,
    last: &str,
    password: &str,
) -> Result<(Session, mpsc::Receiver<SessionEvent>), Error> {
    let (tx, rx) = mpsc::channel(64);
    let client = reqwest::Client::new();
    let s = Session::start_with(
        &client,
        &account(region, first, last, password),
        tx,
        quick(),
    )
    .await?;
    Ok((s, rx))
}

/// The next event, past the region's reports of where its avatars are (it sends one
/// whenever someone arrives).
async fn next(rx: &mut mpsc::Receiver<SessionEvent>, what: &str) -> SessionEvent {
    loop {
        let event = tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .unwrap_or_else(|_| panic!("no {what} within 5 s"))
            .unwrap_or_else(|| panic!("session events ended before {what}"));
        if !matches!(
            event,
            SessionEvent::World(WorldMessage::CoarseLocationUpdate { .. })
        ) {
            return event;
        }
    }
}

async fn heard_until(region: &TestRegion, pred: impl Fn(&Heard) -> bool) -> Heard {
    for _ in 0..250 {
        if let Some(h) = region.heard().into_iter().find(|h| pred(h)) {
            return h;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the region never heard it: {:?}", region.heard());
}

#[tokio::test]
async fn two_agents_log_in_and_exchange_ims_and_chat() {
    let region = TestRegion::start().await.unwrap();
    let ann = region.add_account("Ann", "Bot", "ann-pw");
    let bob = region.add_account("Bob", "Resident", "bob-pw");
    let (a, mut a_events) = start(&region, "ann", "bot", "ann-pw").await.unwrap();
    let (b, mut b_events) = start(&region, "Bob", "Resident", "bob-pw").await.unwrap();
    assert_eq!((a.agent, b.agent), (ann, bob));
    assert_eq!((a.first.as_str(), a.last.as_str()), ("Ann", "Bot"));
    assert_eq!(a.region, testregion::REGION_NAME);
    assert!(region.is_present(ann) && region.is_present(bob));

    a.send(Message::ImprovedInstantMessage(InstantMessage::text(
        a.agent,
        a.session,
        "Ann Bot",
        bob,
        "hello Bob",
    )))
    .await
    .unwrap();
    match next(&mut b_events, "the IM").await {
        SessionEvent::InstantMessage(im) => {
            assert_eq!((im.agent, im.from_name.as_str()), (ann, "Ann Bot"));
            assert_eq!(im.message, "hello Bob");
            assert_eq!(im.to_agent, bob);
        }
        other => panic!("expected an IM, got {other:?}"),
    }

    b.send(Message::ChatFromViewer {
        agent: b.agent,
        session: b.session,
        message: "hi all".into(),
        chat_type: chat_type::NORMAL,
        channel: 0,
    })
    .await
    .unwrap();
    for rx in [&mut a_events, &mut b_events] {
        match next(rx, "the chat line").await {
            SessionEvent::Chat(c) => {
                assert_eq!((c.source, c.from_name.as_str()), (bob, "Bob Resident"));
                assert_eq!(c.message, "hi all");
            }
            other => panic!("expected chat, got {other:?}"),
        }
    }

    a.send(Message::UuidNameRequest(vec![bob, Uuid::new_v4()]))
        .await
        .unwrap();
    match next(&mut a_events, "the names").await {
        SessionEvent::Names(names) => {
            assert_eq!(names.len(), 1, "an unknown key has no name");
            assert_eq!(
                (names[0].id, names[0].first.as_str(), names[0].last.as_str()),
                (bob, "Bob", "Resident")
            );
        }
        other => panic!("expected names, got {other:?}"),
    }

    a.logout().await;
    assert!(
        matches!(next(&mut a_events, "the end").await, SessionEvent::Disconnected { reason } if reason == "logged out")
    );
    assert!(!region.is_present(ann));
    assert!(region.is_present(bob));
}

#[tokio::test]
async fn puppets_talk_to_an_agent_and_hear_it() {
    let region = TestRegion::start().await.unwrap();
    region.add_account("Ann", "Bot", "pw");
    let carl = region.add_account("Carl", "Person", "x");
    let (a, mut events) = start(&region, "Ann", "Bot", "pw").await.unwrap();
    region.im_as(carl, a.agent, "are you there?").await;
    match next(&mut events, "the puppet's IM").await {
        SessionEvent::InstantMessage(im) => {
            assert_eq!((im.agent, im.message.as_str()), (carl, "are you there?"));
            assert_eq!(im.from_name, "Carl Person");
        }
        other => panic!("{other:?}"),
    }
    region.say_as(carl, "nice weather").await;
    assert!(
        matches!(next(&mut events, "chat").await, SessionEvent::Chat(c) if c.message == "nice weather" && c.source == carl)
    );

    a.send(Message::ImprovedInstantMessage(InstantMessage::text(
        a.agent, a.session, "Ann Bot", carl, "yes!",
    )))
    .await
    .unwrap();
    a.send(Message::ChatFromViewer {
        agent: a.agent,
        session: a.session,
        message: "to scripts".into(),
        chat_type: chat_type::NORMAL,
        channel: 42,
    })
    .await
    .unwrap();
    heard_until(
        &region,
        |h| matches!(h, Heard::Im { to, message, .. } if *to == carl && message == "yes!"),
    )
    .await;
    heard_until(
        &region,
        |h| matches!(h, Heard::Chat { channel: 42, message, .. } if message == "to scripts"),
    )
    .await;
}

#[tokio::test]
async fn wrong_passwords_and_unknown_names_are_refused() {
    let region = TestRegion::start().await.unwrap();
    region.add_account("Ann", "Bot", "right");
    for (first, pw) in [("Ann", "wrong"), ("Nobody", "right")] {
        match start(&region, first, "Bot", pw).await {
            Err(Error::Refused { reason, message }) => {
                assert_eq!(reason, "key");
                assert!(message.contains("couldn't log you in"), "{message}");
            }
            Ok(_) => panic!("{first}/{pw} logged in"),
            Err(e) => panic!("unexpected {e}"),
        }
    }
    assert_eq!(region.logins(), 0);
}

#[tokio::test]
async fn a_second_login_waits_out_presence_and_replaces_the_first() {
    let region = TestRegion::start().await.unwrap();
    let ann = region.add_account("Ann", "Bot", "pw");
    let (_first, mut first_events) = start(&region, "Ann", "Bot", "pw").await.unwrap();
    // The region answers `presence` once and drops the old agent; the retry gets in.
    let (second, _events) = start(&region, "Ann", "Bot", "pw").await.unwrap();
    assert_eq!(second.agent, ann);
    assert_eq!(region.logins(), 2);
    // The first session's region forgot it: it notices the silence.
    match next(&mut first_events, "the first session's end").await {
        SessionEvent::Disconnected { reason } => {
            assert!(reason.contains("stopped answering"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_kick_ends_the_session_with_the_reason() {
    let region = TestRegion::start().await.unwrap();
    let ann = region.add_account("Ann", "Bot", "pw");
    let (s, mut events) = start(&region, "Ann", "Bot", "pw").await.unwrap();
    region.kick(ann, "region restarting").await;
    match next(&mut events, "the kick").await {
        SessionEvent::Disconnected { reason } => {
            assert_eq!(reason, "kicked by the region: region restarting")
        }
        other => panic!("{other:?}"),
    }
    for _ in 0..100 {
        if !s.is_open() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        s.send(Message::LogoutRequest {
            agent: s.agent,
            session: s.session
        })
        .await
        .is_err()
    );
}

#[tokio::test]
async fn group_lists_come_through_the_event_queue() {
    let region = TestRegion::start().await.unwrap();
    let ann = region.add_account("Ann", "Bot", "pw");
    let club = region.add_group("Club", &[ann]);
    let (a, mut events) = start(&region, "Ann", "Bot", "pw").await.unwrap();
    a.send(Message::Group(
        viewerproto::group_messages::GroupMessage::AgentDataUpdateRequest {
            agent: a.agent,
            session: a.session,
        },
    ))
    .await
    .unwrap();
    match next(&mut events, "the group list").await {
        SessionEvent::Group(viewerproto::group_messages::GroupMessage::AgentGroupDataUpdate {
            agent,
            groups,
        }) => {
            assert_eq!(agent, ann);
            assert_eq!(groups.len(), 1);
            assert_eq!((groups[0].group, groups[0].name.as_str()), (club, "Club"));
            assert_eq!(groups[0].powers, testregion::MEMBER_POWERS);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        region.queue_deliveries(),
        1,
        "it came through the event queue"
    );
}
