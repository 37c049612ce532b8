//! Groups through the SmartBots API: creating, listing, roles, invitations, joining,
//! leaving, ejecting, bans, visibility.

use crate::harness::{Bot, Grid, Receiver};
use engine::GroupSpec;
use grid::LegacyName;
use serde_json::Value;

const ZERO: &str = "00000000-0000-0000-0000-000000000000";

fn name(n: &str) -> LegacyName {
    LegacyName::parse(n).unwrap()
}

/// Ada founds "Builders"; Lin is an officer; Sam (a person) is a plain member.
async fn builders(grid: &Grid) -> (Bot, Bot, String) {
    let ada = grid.bot("Ada Resident").await;
    let lin = grid.bot("Lin Resident").await;
    grid.person("Sam Resident").await;
    let group = grid
        .group(GroupSpec {
            charter: "We build.".into(),
            members: vec![
                (name("Lin"), vec!["Officers".into()]),
                (name("Sam"), vec![]),
            ],
            ..GroupSpec::new("Builders", name("Ada"))
        })
        .await;
    grid.login(&ada).await;
    grid.login(&lin).await;
    (ada, lin, group.to_string())
}

#[tokio::test]
async fn a_bot_creates_a_group_and_reads_it_in_both_formats() {
    let grid = Grid::start().await;
    let ada = grid.bot("Ada Resident").await;
    grid.login(&ada).await;
    let created = grid
        .ok(
            &ada,
            "group_create",
            &[
                ("name", "Botgrid Builders"),
                ("charter", "We build & test."),
                ("open", "1"),
            ],
        )
        .await;
    created.assert_ok_for("group_create");
    let uuid = created.get("uuid").to_owned();
    grid.call(&ada, "group_create", &[("name", "BOTGRID builders")])
        .await
        .assert_fail("Invalid parameter: name (a group of that name exists)");
    grid.call(&ada, "group_create", &[("name", "abc")])
        .await
        .assert_fail("Invalid parameter: name (a group name has 4 to 35 characters)");

    let info = grid.ok(&ada, "group_info", &[("groupuuid", &uuid)]).await;
    info.assert_ok_for("group_info");
    assert_eq!(info.get("name"), "Botgrid Builders");
    assert_eq!(info.get("charter"), "We build & test.");
    assert_eq!(info.get("founder"), ada.uuid.to_string());
    assert_eq!(info.get("members"), "1");
    assert_eq!(info.get("member_title"), "Owner");
    assert_eq!(info.get("open"), "1");
    assert_eq!(info.get("fee"), "0");
    assert_eq!(info.get("uuid"), uuid);

    let v = grid
        .call_json(&ada, "group_info_2", &[("groupuuid", &uuid)])
        .await;
    assert_eq!(v["result"], "OK");
    let i = &v["info"];
    assert_eq!(i["name"], "Botgrid Builders");
    assert_eq!(i["members"], 1);
    assert_eq!(i["isMember"], true);
    assert_eq!(i["memberTitle"], "Owner");
    assert_eq!(i["open"], true);
    let roles: Vec<&str> = i["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["Everyone", "Owners", "Officers"]);
    assert_eq!(i["roles"][0]["uuid"], ZERO);
    let titles = i["titles"].as_array().unwrap();
    assert!(
        titles
            .iter()
            .any(|t| t["title"] == "Owner" && t["selected"] == true)
    );
    grid.call(&ada, "group_info_2", &[("groupuuid", &uuid)])
        .await
        .assert_fail("This command requires dataType=json");
    grid.call(&ada, "group_info", &[("groupuuid", ZERO)])
        .await
        .assert_fail(&format!("Group not found: {ZERO}"));
}

#[tokio::test]
async fn listing_groups_and_roles_with_filters() {
    let grid = Grid::start().await;
    let (ada, _lin, builders) = builders(&grid).await;
    grid.group(GroupSpec::new("Gardeners Guild", name("Ada")))
        .await;

    let list = grid.ok(&ada, "listgroups", &[]).await;
    list.assert_ok_for("listgroups");
    assert_eq!(
        list.lines("groups"),
        [
            format!("{builders};Builders"),
            list.lines("groups")[1].clone()
        ]
    );
    assert!(list.lines("groups")[1].ends_with(";Gardeners Guild"));

    let roles = grid
        .ok(&ada, "list_group_roles", &[("groupuuid", &builders)])
        .await;
    roles.assert_ok_for("list_group_roles");
    let lines = roles.lines("roles");
    assert_eq!(lines[0], format!("{ZERO};Everyone"));
    assert_eq!(lines.len(), 3);
    // The Outline spelling works too, echoed as sent.
    let alias = grid
        .ok(&ada, "group_list_roles", &[("groupuuid", &builders)])
        .await;
    assert_eq!(alias.get("action"), "group_list_roles");
    assert_eq!(alias.get("roles"), roles.get("roles"));

    let v = grid
        .call_json(
            &ada,
            "group_list2",
            &[("with_roles", "1"), ("with_titles", "1")],
        )
        .await;
    let groups = v["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
    let b = groups.iter().find(|g| g["name"] == "Builders").unwrap();
    assert_eq!(b["active"], false);
    let owner = b["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Owners")
        .unwrap();
    assert_eq!(owner["titleSelected"], true);
    assert_eq!(owner["title"], "Owner");
    let v = grid
        .call_json(&ada, "group_list_2", &[("limit_name", "GARDEN")])
        .await;
    assert_eq!(v["groups"].as_array().unwrap().len(), 1);
    assert!(
        v["groups"][0].get("roles").is_none(),
        "roles only with with_roles"
    );
    let v = grid
        .call_json(&ada, "group_list2", &[("limit_uuid", &builders)])
        .await;
    assert_eq!(v["groups"][0]["uuid"], builders.as_str());

    let v = grid
        .call_json(&ada, "listgroups_extended", &[("limit_name", "build")])
        .await;
    let g = &v["groups"][0];
    assert_eq!(g["name"], "Builders");
    assert_eq!(g["open"], 0);
    assert_eq!(g["fee"], 0);
    let perms = g["permissions"].as_str().unwrap();
    assert!(
        perms.contains("Invite") && perms.contains("Eject") && perms.contains("ManageBans"),
        "{perms}"
    );

    // Active group and title.
    grid.ok(&ada, "activate_group", &[("groupuuid", &builders)])
        .await;
    let v = grid.call_json(&ada, "group_list2", &[]).await;
    assert!(
        v["groups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["name"] == "Builders" && g["active"] == true)
    );
    grid.ok(&ada, "setgroup", &[("groupuuid", ZERO)]).await;
    let v = grid.call_json(&ada, "group_list2", &[]).await;
    assert!(
        v["groups"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["active"] == false)
    );
    grid.ok(
        &ada,
        "activate_role",
        &[("groupuuid", &builders), ("roleuuid", ZERO)],
    )
    .await;
    assert_eq!(
        grid.ok(&ada, "group_info", &[("groupuuid", &builders)])
            .await
            .get("member_title"),
        "Member"
    );
    let officers = grid.role("Builders", "Officers").await;
    grid.call(
        &ada,
        "group_role_activate",
        &[("groupuuid", &builders), ("roleuuid", &officers)],
    )
    .await
    .assert_fail("Invalid parameter: roleuuid (the bot does not hold that role)");
    grid.call(&ada, "activate_group", &[("groupuuid", "LAND")])
        .await
        .assert_fail(
            "Invalid parameter: groupuuid (LAND needs land, which the grid does not have yet)",
        );
}

#[tokio::test]
async fn an_invitation_is_accepted_by_command_and_by_callback_reply() {
    let grid = Grid::start().await;
    let (ada, _lin, builders) = builders(&grid).await;
    let kim = grid.bot("Kim Resident").await;
    let joe = grid.bot("Joe Resident").await;
    grid.login(&kim).await;
    let kim_hook = Receiver::start().await;
    grid.callback(&kim, &kim_hook.url(), "group_invite").await;
    let greeters_uuid = grid
        .ok(
            &ada,
            "group_role_create",
            &[
                ("groupuuid", &builders),
                ("name", "Greeters"),
                ("title", "Greeter"),
            ],
        )
        .await
        .get("uuid")
        .to_owned();

    let kim_uuid = kim.uuid.to_string();
    grid.ok(
        &ada,
        "group_invite",
        &[
            ("avatar", &kim_uuid),
            ("groupuuid", &builders),
            ("roleuuid", &greeters_uuid),
            ("message", "Join us!"),
        ],
    )
    .await
    .assert_ok_for("group_invite");
    let invite = &kim_hook.wait_for("group_invite", 1).await[0];
    assert_eq!(invite["avatar_name"], "Ada Resident");
    assert_eq!(invite["avatar_uuid"], ada.uuid.to_string());
    assert_eq!(invite["group_name"], "Builders");
    assert_eq!(invite["group_uuid"], builders);
    assert_eq!(invite["role"], "Greeters");
    assert_eq!(invite["message"], "Join us!");
    assert!(
        invite["system_message"].contains("Ada Resident has invited you to join a group, Builders")
    );
    let session = invite["session_id"].clone();

    let ada_uuid = ada.uuid.to_string();
    grid.call(
        &kim,
        "group_offer_accept",
        &[
            ("avatar_uuid", &kim_uuid),
            ("session_id", &session),
            ("accept", "1"),
        ],
    )
    .await
    .assert_fail("Group invitation not found");
    grid.ok(
        &kim,
        "group_offer_accept",
        &[
            ("avatar_uuid", &ada_uuid),
            ("session_id", &session),
            ("accept", "1"),
        ],
    )
    .await
    .assert_ok_for("group_offer_accept");
    let info = grid
        .ok(&kim, "group_info", &[("groupuuid", &builders)])
        .await;
    assert_eq!(info.get("member_title"), "Greeter");
    assert_eq!(info.get("members"), "4");
    grid.call(
        &kim,
        "group_offer_accept",
        &[
            ("avatar_uuid", &ada_uuid),
            ("session_id", &session),
            ("accept", "1"),
        ],
    )
    .await
    .assert_fail("Group invitation not found");
    grid.call(
        &ada,
        "group_invite",
        &[
            ("avatar", &kim_uuid),
            ("groupuuid", &builders),
            ("roleuuid", ZERO),
            ("check_membership", "1"),
        ],
    )
    .await
    .assert_fail("Avatar is already in the group");

    // Joe, offline, is invited; his receiver answers accept=1 when he comes online.
    let joe_hook = Receiver::start().await;
    joe_hook.reply_with("accept=1");
    grid.callback(&joe, &joe_hook.url(), "group_invite").await;
    let joe_uuid = joe.uuid.to_string();
    grid.ok(
        &ada,
        "group_invite",
        &[
            ("avatar", &joe_uuid),
            ("groupuuid", &builders),
            ("roleuuid", ZERO),
        ],
    )
    .await;
    assert!(
        joe_hook.settle().await.is_empty(),
        "held while Joe is offline"
    );
    grid.login(&joe).await;
    joe_hook.wait_for("group_invite", 1).await;
    for _ in 0..100 {
        if grid
            .ok(&joe, "group_info", &[("groupuuid", &builders)])
            .await
            .get("member_title")
            == "Member"
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("accept=1 did not make Joe a member");
}

#[tokio::test]
async fn declining_joining_and_leaving() {
    let grid = Grid::start().await;
    let (ada, lin, builders) = builders(&grid).await;
    let kim = grid.bot("Kim").await;
    grid.login(&kim).await;
    let hook = Receiver::start().await;
    grid.callback(&kim, &hook.url(), "group_invite").await;
    let kim_uuid = kim.uuid.to_string();
    // A closed group cannot be joined without an invitation.
    grid.call(&kim, "group_join", &[("groupuuid", &builders)])
        .await
        .assert_fail("Group is not open for enrollment");
    grid.ok(
        &lin,
        "group_invite",
        &[
            ("avatar", &kim_uuid),
            ("groupuuid", &builders),
            ("roleuuid", ZERO),
        ],
    )
    .await;
    let session = hook.wait_for("group_invite", 1).await[0]["session_id"].clone();
    // Declining (accept left out) spends the invitation.
    grid.ok(
        &kim,
        "group_offer_accept",
        &[
            ("avatar_uuid", &lin.uuid.to_string()),
            ("session_id", &session),
        ],
    )
    .await;
    grid.call(&kim, "group_join", &[("groupuuid", &builders)])
        .await
        .assert_fail("Group is not open for enrollment");
    // A pending invitation lets group_join in.
    grid.ok(
        &lin,
        "group_invite",
        &[
            ("avatar", &kim_uuid),
            ("groupuuid", &builders),
            ("roleuuid", ZERO),
        ],
    )
    .await;
    grid.ok(&kim, "group_join", &[("groupuuid", &builders)])
        .await
        .assert_ok_for("group_join");
    grid.call(&kim, "group_join", &[("groupuuid", &builders)])
        .await
        .assert_fail("Avatar is already in the group");
    grid.ok(&kim, "group_leave", &[("groupuuid", &builders)])
        .await
        .assert_ok_for("group_leave");
    grid.call(&kim, "group_leave", &[("groupuuid", &builders)])
        .await
        .assert_fail("The bot is not in the group");
    // The last owner may not leave.
    grid.call(&ada, "group_leave", &[("groupuuid", &builders)])
        .await
        .assert_fail("The last owner cannot leave the group");
    // Open groups: anyone joins; a fee cannot be paid yet.
    grid.ok(
        &ada,
        "group_update",
        &[("groupuuid", &builders), ("open", "1")],
    )
    .await;
    grid.ok(&kim, "group_join", &[("groupuuid", &builders)])
        .await;
    grid.ok(&kim, "group_leave", &[("groupuuid", &builders)])
        .await;
    grid.ok(
        &ada,
        "group_update",
        &[("groupuuid", &builders), ("fee", "50")],
    )
    .await;
    // The fee is paid to the founder, all or nothing.
    grid.call(&kim, "group_join", &[("groupuuid", &builders)])
        .await
        .assert_fail("Insufficient funds: balance L$0, needed L$50");
    grid.grant("Kim Resident", 60).await;
    grid.ok(&kim, "group_join", &[("groupuuid", &builders)])
        .await;
    assert_eq!(
        grid.call(&kim, "get_balance", &[]).await.get("balance"),
        "10"
    );
    assert_eq!(
        grid.call(&ada, "get_balance", &[]).await.get("balance"),
        "50"
    );
}

#[tokio::test]
async fn ejecting_setting_roles_and_owners() {
    let grid = Grid::start().await;
    let (ada, lin, builders) = builders(&grid).await;
    let sam = grid
        .call(&ada, "name2key", &[("name", "Sam")])
        .await
        .get("key")
        .to_owned();
    let greeters = grid
        .ok(
            &ada,
            "group_role_create",
            &[
                ("groupuuid", &builders),
                ("name", "Greeters"),
                ("powers", "Invite"),
            ],
        )
        .await
        .get("uuid")
        .to_owned();
    grid.ok(
        &ada,
        "setrole",
        &[
            ("groupuuid", &builders),
            ("roleuuid", &greeters),
            ("member", &sam),
        ],
    )
    .await
    .assert_ok_for("setrole");
    // Officers have Eject and RemoveMember: Lin ejects Sam, though Sam holds a role.
    grid.ok(
        &lin,
        "group_eject",
        &[("avatar", &sam), ("groupuuid", &builders)],
    )
    .await
    .assert_ok_for("group_eject");
    grid.call(
        &lin,
        "group_eject",
        &[("avatar", &sam), ("groupuuid", &builders)],
    )
    .await
    .assert_fail("Ejectee is not in the group");
    grid.ok(
        &lin,
        "group_eject",
        &[
            ("avatar", &sam),
            ("groupuuid", &builders),
            ("ignore_membership", "1"),
        ],
    )
    .await;
    grid.call(
        &lin,
        "setrole",
        &[
            ("groupuuid", &builders),
            ("roleuuid", &greeters),
            ("member", &sam),
        ],
    )
    .await
    .assert_fail("Missing group power: AssignMember");
    grid.call(
        &ada,
        "setrole",
        &[
            ("groupuuid", &builders),
            ("roleuuid", &greeters),
            ("member", &sam),
        ],
    )
    .await
    .assert_fail("Invalid parameter: member (is not in the group)");
    // Nobody but an owner ejects an owner; an owner makes another owner.
    let ada_uuid = ada.uuid.to_string();
    grid.call(
        &lin,
        "group_eject",
        &[("avatar", &ada_uuid), ("groupuuid", &builders)],
    )
    .await
    .assert_fail("Only group owners may do that");
    let owners = grid.role("Builders", "Owners").await;
    let lin_uuid = lin.uuid.to_string();
    grid.call(
        &lin,
        "setrole",
        &[
            ("groupuuid", &builders),
            ("roleuuid", &owners),
            ("member", &lin_uuid),
        ],
    )
    .await
    .assert_fail("Only group owners may do that");
    grid.ok(
        &ada,
        "setrole",
        &[
            ("groupuuid", &builders),
            ("roleuuid", &owners),
            ("member", &lin_uuid),
        ],
    )
    .await;
    // Now there are two owners: Ada may step down and leave.
    grid.ok(
        &ada,
        "group_role_revoke",
        &[
            ("groupuuid", &builders),
            ("roleuuid", &owners),
            ("member", &ada_uuid),
        ],
    )
    .await;
    grid.ok(&ada, "group_leave", &[("groupuuid", &builders)])
        .await;
    grid.call(
        &lin,
        "group_role_revoke",
        &[
            ("groupuuid", &builders),
            ("roleuuid", &owners),
            ("member", &lin_uuid),
        ],
    )
    .await
    .assert_fail("The last owner cannot leave the group");
}

#[tokio::test]
async fn roles_are_created_changed_and_deleted() {
    let grid = Grid::start().await;
    let (ada, _lin, builders) = builders(&grid).await;
    let role = grid
        .ok(
            &ada,
            "group_role_create",
            &[
                ("groupuuid", &builders),
                ("name", "Greeters"),
                ("title", "Greeter"),
                ("powers", "Invite,JoinChat"),
            ],
        )
        .await
        .get("uuid")
        .to_owned();
    grid.call(
        &ada,
        "group_role_create",
        &[("groupuuid", &builders), ("name", "greeters")],
    )
    .await
    .assert_fail("Invalid parameter: name (the group has a role of that name)");
    grid.call(
        &ada,
        "group_role_create",
        &[("groupuuid", &builders), ("name", "X"), ("powers", "Fly")],
    )
    .await
    .assert_fail("Invalid parameter: powers (unknown power Fly)");
    grid.ok(
        &ada,
        "group_role_update",
        &[
            ("groupuuid", &builders),
            ("roleuuid", &role),
            ("title", "Host"),
            ("powers", "Invite"),
        ],
    )
    .await;
    let v = grid
        .call_json(&ada, "group_info_2", &[("groupuuid", &builders)])
        .await;
    let r = v["info"]["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Greeters")
        .unwrap()
        .clone();
    assert_eq!(r["title"], "Host");
    assert_eq!(r["powers"], "Invite");
    let owners = grid.role("Builders", "Owners").await;
    grid.call(
        &ada,
        "group_role_update",
        &[
            ("groupuuid", &builders),
            ("roleuuid", &owners),
            ("powers", "none"),
        ],
    )
    .await
    .assert_fail("Invalid parameter: powers (owners always have every power)");
    grid.call(
        &ada,
        "group_role_delete",
        &[("groupuuid", &builders), ("roleuuid", &owners)],
    )
    .await
    .assert_fail("Invalid parameter: roleuuid (built-in roles cannot be deleted)");
    grid.ok(
        &ada,
        "group_role_delete",
        &[("groupuuid", &builders), ("roleuuid", &role)],
    )
    .await;
    let roles = grid
        .ok(&ada, "list_group_roles", &[("groupuuid", &builders)])
        .await;
    assert!(!roles.get("roles").contains("Greeters"));
    for i in 0..7 {
        grid.ok(
            &ada,
            "group_role_create",
            &[("groupuuid", &builders), ("name", &format!("R{i}"))],
        )
        .await;
    }
    grid.call(
        &ada,
        "group_role_create",
        &[("groupuuid", &builders), ("name", "Eleventh")],
    )
    .await
    .assert_fail("Invalid parameter: name (a group has at most 10 roles)");
}

#[tokio::test]
async fn bans_keep_avatars_out() {
    let grid = Grid::start().await;
    let (ada, lin, builders) = builders(&grid).await;
    let sam = grid
        .call(&ada, "name2key", &[("name", "Sam")])
        .await
        .get("key")
        .to_owned();
    grid.ok(
        &ada,
        "group_ban",
        &[("groupuuid", &builders), ("avatar", &sam)],
    )
    .await;
    // The ban ejected Sam, and keeps Sam from being invited.
    assert_eq!(
        grid.ok(&ada, "group_info", &[("groupuuid", &builders)])
            .await
            .get("members"),
        "2"
    );
    grid.call(
        &ada,
        "group_invite",
        &[
            ("avatar", &sam),
            ("groupuuid", &builders),
            ("roleuuid", ZERO),
        ],
    )
    .await
    .assert_fail("Avatar is banned from the group");
    grid.call(
        &lin,
        "group_ban",
        &[
            ("groupuuid", &builders),
            ("avatar", &sam),
            ("operation", "unban"),
        ],
    )
    .await
    .assert_fail("Missing group power: ManageBans");
    grid.ok(
        &ada,
        "group_ban",
        &[
            ("groupuuid", &builders),
            ("avatar", &sam),
            ("operation", "unban"),
        ],
    )
    .await;
    grid.ok(
        &ada,
        "group_invite",
        &[
            ("avatar", &sam),
            ("groupuuid", &builders),
            ("roleuuid", ZERO),
        ],
    )
    .await;
    grid.call(
        &ada,
        "group_ban",
        &[
            ("groupuuid", &builders),
            ("avatar", &lin.uuid.to_string()),
            ("operation", "exile"),
        ],
    )
    .await
    .assert_fail("Invalid parameter: operation (expected ban or unban)");
}

#[tokio::test]
async fn profile_visibility_and_avatar_groups() {
    let grid = Grid::start().await;
    let (ada, lin, builders) = builders(&grid).await;
    grid.group(GroupSpec {
        members: vec![(name("Lin"), vec![])],
        ..GroupSpec::new("Gardeners Guild", name("Ada"))
    })
    .await;
    let lin_uuid = lin.uuid.to_string();
    let r = grid
        .ok(&ada, "avatar_groups", &[("avatar", &lin_uuid)])
        .await;
    r.assert_ok_for("avatar_groups");
    assert_eq!(r.get("total"), "2");
    assert_eq!(r.lines("groups")[0], format!("{builders};Builders"));
    let r = grid
        .ok(
            &ada,
            "avatar_groups",
            &[("avatar", &lin_uuid), ("matchnames", "garden")],
        )
        .await;
    assert_eq!(r.get("total"), "2");
    assert_eq!(r.lines("groups").len(), 1);
    grid.ok(
        &lin,
        "group_visibility",
        &[
            ("groupuuid", &builders),
            ("profile", "0"),
            ("notices", "reject"),
        ],
    )
    .await
    .assert_ok_for("group_visibility");
    let r = grid
        .ok(&ada, "avatar_groups", &[("avatar", &lin_uuid)])
        .await;
    assert_eq!(r.get("total"), "1", "a hidden group is not shown");
    grid.call(&lin, "group_visibility", &[("groupuuid", &builders)])
        .await
        .assert_fail("Missing parameter: profile");
    grid.call(
        &lin,
        "group_visibility",
        &[
            ("groupuuid", &builders),
            ("profile", "1"),
            ("notices", "maybe"),
        ],
    )
    .await
    .assert_fail("Invalid parameter: notices (expected accept or reject)");
    let v: Value = grid
        .call_json(&ada, "avatar_groups", &[("avatar", &lin_uuid)])
        .await;
    assert_eq!(v["total"], "1", "JSON mode keeps the values as text");
}

/// A bot, an action and its parameters.
type Call<'a> = (&'a Bot, &'a str, Vec<(&'a str, &'a str)>);

/// Every group command answers in both formats: read commands give the same fields as
/// text in JSON mode, and write commands work in JSON mode too.
#[tokio::test]
async fn group_commands_answer_alike_in_both_formats() {
    let grid = Grid::start().await;
    let (ada, lin, builders) = builders(&grid).await;
    let lin_uuid = lin.uuid.to_string();
    let reads: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("group_info", vec![("groupuuid", builders.as_str())]),
        ("listgroups", vec![]),
        ("list_group_roles", vec![("groupuuid", builders.as_str())]),
        ("group_list_roles", vec![("groupuuid", builders.as_str())]),
        ("avatar_groups", vec![("avatar", lin_uuid.as_str())]),
    ];
    for (action, params) in reads {
        let url = grid.ok(&ada, action, &params).await;
        url.assert_ok_for(action);
        let json = grid.call_json(&ada, action, &params).await;
        let obj = json.as_object().unwrap();
        assert_eq!(
            obj.len(),
            url.fields.len(),
            "{action}: same keys in both formats"
        );
        for (k, v) in &url.fields {
            assert_eq!(obj[k].as_str(), Some(v.as_str()), "{action}: {k}");
        }
    }
    let kim = grid.bot("Kim Resident").await;
    grid.login(&kim).await;
    let kim_uuid = kim.uuid.to_string();
    let role = grid
        .call_json(
            &ada,
            "group_role_create",
            &[("groupuuid", &builders), ("name", "Hosts")],
        )
        .await;
    assert_eq!(role["result"], "OK");
    let role = role["uuid"].as_str().unwrap().to_owned();
    let writes: Vec<Call> = vec![
        (
            &ada,
            "group_update",
            vec![("groupuuid", &builders), ("open", "1")],
        ),
        (&kim, "group_join", vec![("groupuuid", &builders)]),
        (
            &ada,
            "setrole",
            vec![
                ("groupuuid", &builders),
                ("roleuuid", &role),
                ("member", &kim_uuid),
            ],
        ),
        (
            &kim,
            "activate_role",
            vec![("groupuuid", &builders), ("roleuuid", &role)],
        ),
        (&kim, "activate_group", vec![("groupuuid", &builders)]),
        (
            &kim,
            "group_visibility",
            vec![("groupuuid", &builders), ("profile", "0")],
        ),
        (
            &ada,
            "send_group_im",
            vec![("groupuuid", &builders), ("message", "json hello")],
        ),
        (
            &ada,
            "send_notice",
            vec![("groupuuid", &builders), ("subject", "JSON"), ("text", "t")],
        ),
        (
            &ada,
            "group_role_revoke",
            vec![
                ("groupuuid", &builders),
                ("roleuuid", &role),
                ("member", &kim_uuid),
            ],
        ),
        (&kim, "group_leave", vec![("groupuuid", &builders)]),
        (
            &ada,
            "group_invite",
            vec![
                ("avatar", &kim_uuid),
                ("groupuuid", &builders),
                ("roleuuid", ZERO),
            ],
        ),
        (
            &ada,
            "group_ban",
            vec![("groupuuid", &builders), ("avatar", &kim_uuid)],
        ),
        (
            &ada,
            "group_eject",
            vec![
                ("avatar", &kim_uuid),
                ("groupuuid", &builders),
                ("ignore_membership", "1"),
            ],
        ),
        (
            &ada,
            "group_role_delete",
            vec![("groupuuid", &builders), ("roleuuid", &role)],
        ),
    ];
    for (bot, action, params) in writes {
        let v = grid.call_json(bot, action, &params).await;
        assert_eq!(v["result"], "OK", "{action}: {v}");
        assert_eq!(v["action"], action);
    }
    let v = grid
        .call_json(
            &kim,
            "group_offer_accept",
            &[("avatar_uuid", &ada.uuid.to_string()), ("session_id", ZERO)],
        )
        .await;
    assert_eq!(v["result"], "FAIL");
    assert_eq!(v["resulttext"], "Group invitation not found");
}
