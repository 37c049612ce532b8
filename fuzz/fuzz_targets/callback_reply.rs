//! A callback receiver's answer body, as `smartbots::callback::reply` reads it: `accept=1`
//! to a bot's `group_invite`, or `say`/`dialog`/`buttons`/`give`/`invite` from an
//! object's owner URL.
//!
//! Input layout: byte 0 picks the registration's scope (value % 3: 0 the bot's own, 1 an
//! object's owner URL, 2 a group's Simple Groups callback), byte 1 the event (value % 4:
//! 0 a group invitation, 1 an event of the registration's object, 2 an event of another
//! object, 3 a friendship accepted); the rest is the answer body (UTF-8). ASCII digits
//! work: `00accept=1`, `11say=Hello`.

#![no_main]

use grid::callback::{Callback, CallbackScope, EventSelection, SigningKeys};
use grid::command::BotCommand;
use grid::group::{GroupId, GroupRef};
use grid::object::Happening;
use grid::{AvatarId, AvatarRef, CallbackId, Event, EventId, StoredEvent, Timestamp, Uuid};
use libfuzzer_sys::fuzz_target;

const OBJECT: Uuid = Uuid::from_u128(0x0b1ec7);
const OTHER_OBJECT: Uuid = Uuid::from_u128(0x07e1);
const SESSION: Uuid = Uuid::from_u128(0x5e55);

fn avatar(n: i64, name: &str) -> AvatarRef {
    AvatarRef {
        id: AvatarId(n),
        uuid: Uuid::from_u128(n as u128),
        name: name.to_owned(),
    }
}

fn group() -> GroupRef {
    GroupRef {
        id: GroupId(7),
        uuid: Uuid::from_u128(0x6007),
        name: "Builders".to_owned(),
    }
}

fuzz_target!(|data: &[u8]| {
    let [scope, event, body @ ..] = data else {
        return;
    };
    let Ok(body) = std::str::from_utf8(body) else {
        return;
    };
    let scope = match scope % 3 {
        0 => CallbackScope::Bot,
        1 => CallbackScope::Object {
            object: OBJECT,
            name: "Greeter".to_owned(),
        },
        _ => CallbackScope::Group {
            group: group(),
            app_uuid: Uuid::from_u128(0xa99).to_string(),
            app_name: "app".to_owned(),
        },
    };
    let visitor = avatar(3, "Lin Resident");
    let object_event = |object| Event::ObjectEvent {
        object,
        object_name: "Greeter".to_owned(),
        avatar: visitor.clone(),
        what: Happening::Touch,
    };
    let event = match event % 4 {
        0 => Event::GroupInvitation {
            session: SESSION,
            group: group(),
            from: visitor.clone(),
            role: "Everyone".to_owned(),
            fee: 0,
            message: String::new(),
        },
        1 => object_event(OBJECT),
        2 => object_event(OTHER_OBJECT),
        _ => Event::FriendshipAccepted {
            by: visitor.clone(),
        },
    };
    let callback = Callback {
        id: CallbackId(1),
        bot: avatar(1, "Ada Resident"),
        url: "http://127.0.0.1:9/cb".to_owned(),
        events: EventSelection::All,
        cursor: EventId(0),
        scope,
        retire_after: None,
        signing: SigningKeys::default(),
    };
    let stored = StoredEvent {
        id: EventId(42),
        avatar: AvatarId(1),
        at: Timestamp(1_764_633_600_000),
        event,
    };

    let answer = smartbots::callback::reply(&callback, &stored, body);
    match (&callback.scope, &stored.event, answer) {
        (_, _, None) => {}
        (CallbackScope::Bot, Event::GroupInvitation { .. }, Some(command)) => assert_eq!(
            command,
            BotCommand::AnswerGroupInvite {
                from: visitor.uuid,
                session: SESSION,
                accept: true,
            }
        ),
        (
            CallbackScope::Object { object, .. },
            Event::ObjectEvent { .. },
            Some(BotCommand::ObjectAct {
                object: o,
                to,
                actions,
            }),
        ) => {
            // An answer for the registration's object, to the avatar concerned, asking
            // for something, with no empty text or button.
            assert_eq!(o, *object);
            assert_eq!(to, visitor.uuid);
            assert!(!actions.is_empty());
            assert!(actions.say.as_ref().is_none_or(|s| !s.is_empty()));
            if let Some((text, buttons)) = &actions.dialog {
                assert!(!text.is_empty());
                assert!(buttons.iter().all(|b| !b.is_empty() && b.trim() == b));
            }
        }
        (scope, event, Some(command)) => {
            panic!("{scope:?} / {event:?} answered {body:?} with {command:?}")
        }
    }
});
