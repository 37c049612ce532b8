//! Every group power, denied once: a deputy holding every power but one is refused
//! exactly what that power allows, with the power named.

use crate::harness::{Grid, Receiver};
use engine::GroupSpec;
use grid::LegacyName;
use grid::group::Powers;

fn name(n: &str) -> LegacyName {
    LegacyName::parse(n).unwrap()
}

/// A power, the powers taken away, the action it allows, and its parameters.
type Case<'a> = (&'a str, Powers, &'a str, Vec<(&'a str, &'a str)>);

const EVERYONE: &str = "00000000-0000-0000-0000-000000000000";

#[tokio::test]
async fn each_power_is_denied_once() {
    let grid = Grid::start_with(|s| s.engine.throttle = None).await;
    let ada = grid.bot("Ada Resident").await;
    let lin = grid.bot("Lin Resident").await;
    let kim = grid.bot("Kim Resident").await;
    grid.person("Sam Resident").await;
    grid.person("Joe Resident").await;
    let group = grid
        .group(GroupSpec {
            roles: vec![
                ("Deputies".into(), "Deputy".into(), Powers::NONE),
                ("Greeters".into(), "Greeter".into(), Powers::NONE),
                ("Temp".into(), "".into(), Powers::NONE),
                ("Doomed".into(), "".into(), Powers::NONE),
            ],
            members: vec![
                (name("Lin"), vec!["Deputies".into()]),
                (name("Kim"), vec!["Greeters".into()]),
                (name("Sam"), vec![]),
                (name("Joe"), vec!["Greeters".into()]),
            ],
            ..GroupSpec::new("Builders", name("Ada"))
        })
        .await
        .to_string();
    grid.login(&ada).await;
    grid.login(&lin).await;
    grid.login(&kim).await;
    let deputies = grid.role("Builders", "Deputies").await;
    let greeters = grid.role("Builders", "Greeters").await;
    let temp = grid.role("Builders", "Temp").await;
    let doomed = grid.role("Builders", "Doomed").await;
    let sam = grid
        .call(&ada, "name2key", &[("name", "Sam")])
        .await
        .get("key")
        .to_owned();
    let joe = grid
        .call(&ada, "name2key", &[("name", "Joe")])
        .await
        .get("key")
        .to_owned();
    // Everyone can do nothing; what Lin can do comes from Deputies alone.
    grid.ok(
        &ada,
        "group_role_update",
        &[
            ("groupuuid", &group),
            ("roleuuid", EVERYONE),
            ("powers", "none"),
        ],
    )
    .await;

    let cases: Vec<Case> = vec![
        (
            "Invite",
            Powers::INVITE,
            "group_invite",
            vec![("avatar", &sam), ("roleuuid", EVERYONE)],
        ),
        (
            "Eject",
            Powers::EJECT,
            "group_eject",
            vec![("avatar", &sam)],
        ),
        // Lin may eject, but Joe holds a role besides Everyone.
        (
            "RemoveMember",
            Powers::REMOVE_MEMBER,
            "group_eject",
            vec![("avatar", &joe)],
        ),
        // Lin may assign only to roles Lin holds, and does not hold Greeters.
        (
            "AssignMember",
            Powers::ASSIGN_MEMBER,
            "setrole",
            vec![("roleuuid", &greeters), ("member", &sam)],
        ),
        (
            "AssignMemberLimited",
            Powers::ASSIGN_MEMBER | Powers::ASSIGN_MEMBER_LIMITED,
            "setrole",
            vec![("roleuuid", &deputies), ("member", &sam)],
        ),
        (
            "JoinChat",
            Powers::JOIN_CHAT,
            "send_group_im",
            vec![("message", "hi")],
        ),
        (
            "SendNotices",
            Powers::SEND_NOTICES,
            "send_notice",
            vec![("subject", "s"), ("text", "t")],
        ),
        (
            "CreateRole",
            Powers::CREATE_ROLE,
            "group_role_create",
            vec![("name", "New")],
        ),
        (
            "DeleteRole",
            Powers::DELETE_ROLE,
            "group_role_delete",
            vec![("roleuuid", &doomed)],
        ),
        (
            "RoleProperties",
            Powers::ROLE_PROPERTIES,
            "group_role_update",
            vec![("roleuuid", &temp), ("title", "T")],
        ),
        (
            "ChangeActions",
            Powers::CHANGE_ACTIONS,
            "group_role_update",
            vec![("roleuuid", &temp), ("powers", "JoinChat")],
        ),
        (
            "ChangeIdentity",
            Powers::CHANGE_IDENTITY,
            "group_update",
            vec![("charter", "Ours now")],
        ),
        (
            "ChangeOptions",
            Powers::CHANGE_OPTIONS,
            "group_update",
            vec![("open", "1")],
        ),
        (
            "ManageBans",
            Powers::MANAGE_BANS,
            "group_ban",
            vec![("avatar", &sam)],
        ),
    ];
    for (power, taken, action, params) in cases {
        let all_but = Powers(Powers::all().0 & !taken.0);
        grid.ok(
            &ada,
            "group_role_update",
            &[
                ("groupuuid", &group),
                ("roleuuid", &deputies),
                ("powers", &all_but.names()),
            ],
        )
        .await;
        let mut p = vec![("groupuuid", group.as_str())];
        p.extend(params.iter().copied());
        grid.call(&lin, action, &p)
            .await
            .assert_fail(&format!("Missing group power: {power}"));
        // With the power back, the same call passes that check.
        grid.ok(
            &ada,
            "group_role_update",
            &[
                ("groupuuid", &group),
                ("roleuuid", &deputies),
                ("powers", &Powers::all().names()),
            ],
        )
        .await;
        let again = grid.call(&lin, action, &p).await;
        assert_ne!(
            again.get("resulttext"),
            format!("Missing group power: {power}"),
            "{action} still refused with {power}"
        );
    }

    // ReceiveNotices is not refused but withheld: without it, no notice arrives.
    let hook = Receiver::start().await;
    grid.callback(&kim, &hook.url(), "group_notice").await;
    grid.ok(
        &ada,
        "send_notice",
        &[
            ("groupuuid", &group),
            ("subject", "Quiet"),
            ("text", "t"),
            ("autodelay", "1"),
        ],
    )
    .await;
    assert!(
        hook.settle().await.is_empty(),
        "Kim holds no role with ReceiveNotices"
    );
    grid.ok(
        &ada,
        "group_role_update",
        &[
            ("groupuuid", &group),
            ("roleuuid", &greeters),
            ("powers", "ReceiveNotices"),
        ],
    )
    .await;
    grid.ok(
        &ada,
        "send_notice",
        &[
            ("groupuuid", &group),
            ("subject", "Heard"),
            ("text", "t"),
            ("autodelay", "1"),
        ],
    )
    .await;
    assert_eq!(
        hook.wait_for("group_notice", 1).await[0]["subject"],
        "Heard"
    );
}
