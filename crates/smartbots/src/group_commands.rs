//! The group commands of `/api/bot.html`, SmartBots' and botgrid's extensions.

use crate::args::Args;
use crate::commands::{
    CommandDef, EXAMPLE_UUID, FILTERS, NOSAFEHUB, opt, out, render_nothing, req,
};
use crate::errors::Failure;
use grid::command::{BotCommand, MyGroup, Reply};
use grid::filter::NameFilter;
use grid::group::{Powers, Role};
use grid::{NULL_KEY, Uuid};
use serde_json::{Value, json};

const GROUP: &str = "groupuuid";
const ZERO: &str = "00000000-0000-0000-0000-000000000000";

fn invalid(name: &'static str, reason: &str) -> Failure {
    Failure::Invalid {
        name,
        reason: reason.into(),
    }
}

fn fee(a: &Args<'_>) -> Result<Option<i64>, Failure> {
    Ok(a.opt_u32("fee", 0, 100_000_000)?.map(i64::from))
}

fn powers(a: &Args<'_>) -> Result<Option<Powers>, Failure> {
    a.opt("powers")
        .map(|p| Powers::parse(p).map_err(|e| invalid("powers", &e)))
        .transpose()
}

/// `limit_name` and `limit_uuid`, as a name filter.
fn limits(a: &Args<'_>) -> Result<NameFilter, Failure> {
    Ok(NameFilter {
        skip: None,
        matching: a.opt("limit_name").map(str::to_owned),
        uuid: a.opt_uuid("limit_uuid")?,
    })
}

fn lines<'a>(items: impl Iterator<Item = (Uuid, &'a str)>) -> String {
    items
        .map(|(u, n)| format!("{u};{n}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn role_json(r: &Role) -> Value {
    json!({
        "uuid": r.uuid.to_string(),
        "name": r.name,
        "title": r.title,
        "description": r.description,
        "powers": r.powers.names(),
    })
}

fn my_groups(reply: Reply) -> Vec<MyGroup> {
    match reply {
        Reply::Groups(g) => g,
        _ => vec![],
    }
}

/// Every group command.
pub static GROUP_COMMANDS: &[CommandDef] = &[
    CommandDef {
        action: "activate_group",
        aliases: &["group_activate", "setgroup"],
        summary: "Makes a group the bot's active group (the one its title shows for).",
        params: &[req(
            GROUP,
            "The group. The zero UUID clears the active group. `LAND` (the group owning the land) needs land, which comes with the world.",
        )],
        outputs: &[],
        json_only: false,
        example: &[(GROUP, EXAMPLE_UUID)],
        parse: |a| {
            let g = a.req(GROUP)?;
            if g.trim().eq_ignore_ascii_case("land") {
                return Err(invalid(
                    GROUP,
                    "LAND needs land, which the grid does not have yet",
                ));
            }
            let uuid = a.req_uuid(GROUP)?;
            Ok(BotCommand::ActivateGroup {
                group: (uuid != NULL_KEY).then_some(uuid),
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "activate_role",
        aliases: &["group_role_activate"],
        summary: "Shows the title of one of the bot's roles in a group.",
        params: &[
            req(GROUP, "The group."),
            req("roleuuid", "A role the bot holds (zero UUID: Everyone)."),
        ],
        outputs: &[],
        json_only: false,
        example: &[(GROUP, EXAMPLE_UUID), ("roleuuid", ZERO)],
        parse: |a| {
            Ok(BotCommand::ActivateRole {
                group: a.req_uuid(GROUP)?,
                role: a.req_uuid("roleuuid")?,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "group_info",
        aliases: &[],
        summary: "Reads a group's profile. The bot need not be a member.",
        params: &[req(GROUP, "The group.")],
        outputs: &[
            out("charter", "The charter."),
            out("insignia", "Insignia texture UUID (zero UUID when none)."),
            out("fee", "Join fee, L$."),
            out("founder", "The founder's UUID."),
            out("mature", "`1` for a mature group."),
            out("members", "Number of members."),
            out(
                "member_title",
                "The bot's title in the group (empty when not a member).",
            ),
            out("name", "The group's name."),
            out("open", "`1` when anyone may join."),
            out("uuid", "The group's UUID."),
        ],
        json_only: false,
        example: &[(GROUP, EXAMPLE_UUID)],
        parse: |a| {
            Ok(BotCommand::GroupInfo {
                group: a.req_uuid(GROUP)?,
            })
        },
        render: |_, reply, f| {
            if let Reply::GroupInfo(info) = reply {
                let title = info
                    .mine
                    .as_ref()
                    .map(|m| m.title().to_owned())
                    .unwrap_or_default();
                f.text("charter", info.group.charter.clone())
                    .text("insignia", info.group.insignia.to_string())
                    .text("fee", info.group.fee.to_string())
                    .text("founder", info.founder.uuid.to_string())
                    .flag("mature", info.group.mature)
                    .text("members", info.members.to_string())
                    .text("member_title", title)
                    .text("name", info.group.name.clone())
                    .flag("open", info.group.open_enrollment)
                    .text("uuid", info.group.uuid.to_string());
            }
        },
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "group_info_2",
        aliases: &[],
        summary: "Reads a group's profile with its roles and the bot's titles.",
        params: &[req(GROUP, "The group.")],
        outputs: &[out(
            "info",
            "`{uuid, name, founder, insignia, charter, members, roles: [{uuid, name, title, description, powers}], titles: [{uuid, title, selected}], memberTitle, open, fee, mature, isMember}`. `titles` are the bot's roles; `powers` comma-separated names.",
        )],
        json_only: true,
        example: &[(GROUP, EXAMPLE_UUID)],
        parse: |a| {
            Ok(BotCommand::GroupInfo {
                group: a.req_uuid(GROUP)?,
            })
        },
        render: |_, reply, f| {
            if let Reply::GroupInfo(info) = reply {
                let titles: Vec<Value> = info
                    .mine
                    .as_ref()
                    .map(|m| {
                        m.roles
                            .iter()
                            .map(|(r, sel)| json!({"uuid": r.uuid.to_string(), "title": r.title, "selected": sel}))
                            .collect()
                    })
                    .unwrap_or_default();
                f.json(
                    "info",
                    json!({
                        "uuid": info.group.uuid.to_string(),
                        "name": info.group.name,
                        "founder": info.founder.uuid.to_string(),
                        "insignia": info.group.insignia.to_string(),
                        "charter": info.group.charter,
                        "members": info.members,
                        "roles": info.roles.iter().map(role_json).collect::<Vec<_>>(),
                        "titles": titles,
                        "memberTitle": info.mine.as_ref().map(|m| m.title().to_owned()).unwrap_or_default(),
                        "open": info.group.open_enrollment,
                        "fee": info.group.fee,
                        "mature": info.group.mature,
                        "isMember": info.mine.is_some(),
                    }),
                );
            }
        },
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "group_join",
        aliases: &[],
        summary: "Joins a group: accepts the bot's pending invitation to it, or joins an open group as Everyone.",
        params: &[req(GROUP, "The group.")],
        outputs: &[],
        json_only: false,
        example: &[(GROUP, EXAMPLE_UUID)],
        parse: |a| {
            Ok(BotCommand::GroupJoin {
                group: a.req_uuid(GROUP)?,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "group_leave",
        aliases: &[],
        summary: "Leaves a group. The last owner must hand the group over first.",
        params: &[req(GROUP, "The group.")],
        outputs: &[],
        json_only: false,
        example: &[(GROUP, EXAMPLE_UUID)],
        parse: |a| {
            Ok(BotCommand::GroupLeave {
                group: a.req_uuid(GROUP)?,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "group_list2",
        aliases: &["group_list_2"],
        summary: "Lists the bot's groups.",
        params: &[
            opt(
                "limit_name",
                "Only groups whose name contains this text (any case).",
            ),
            opt("limit_uuid", "Only the group with this UUID."),
            opt(
                "with_roles",
                "`1`: with the bot's roles in each group (`uuid`, `name`, `description`).",
            ),
            opt(
                "with_titles",
                "`1` (with `with_roles`): also each role's `title` and `titleSelected`.",
            ),
        ],
        outputs: &[out(
            "groups",
            "JSON array of `{uuid, name, active, roles?: [{uuid, name, title, description, titleSelected}]}`; `active` is the bot's active group.",
        )],
        json_only: true,
        example: &[("with_roles", "1"), ("with_titles", "1")],
        parse: |a| {
            limits(a)?;
            a.flag("with_roles")?;
            a.flag("with_titles")?;
            Ok(BotCommand::MyGroups)
        },
        render: |a, reply, f| {
            let filter = limits(a).unwrap_or_default();
            let with_roles = a.flag("with_roles").unwrap_or(false);
            let with_titles = a.flag("with_titles").unwrap_or(false);
            let list: Vec<Value> = my_groups(reply)
                .into_iter()
                .filter(|g| filter.keeps(&g.group.name, g.group.uuid))
                .map(|g| {
                    let mut item = json!({"uuid": g.group.uuid.to_string(), "name": g.group.name, "active": g.active});
                    if with_roles {
                        let roles: Vec<Value> = g
                            .roles
                            .iter()
                            .map(|(r, selected)| {
                                let mut role = json!({"uuid": r.uuid.to_string(), "name": r.name, "description": r.description});
                                if with_titles {
                                    role["title"] = json!(r.title);
                                    role["titleSelected"] = json!(selected);
                                }
                                role
                            })
                            .collect();
                        item["roles"] = Value::Array(roles);
                    }
                    item
                })
                .collect();
            f.json("groups", Value::Array(list));
        },
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "listgroups",
        aliases: &[],
        summary: "Lists the bot's groups, one per line.",
        params: &[],
        outputs: &[out("groups", "Lines `GroupUUID;Group Name`.")],
        json_only: false,
        example: &[],
        parse: |_| Ok(BotCommand::MyGroups),
        render: |_, reply, f| {
            let groups = my_groups(reply);
            f.text(
                "groups",
                lines(groups.iter().map(|g| (g.group.uuid, g.group.name.as_str()))),
            );
        },
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "listgroups_extended",
        aliases: &[],
        summary: "Lists the bot's groups with its powers in each.",
        params: &[
            opt(
                "limit_name",
                "Only groups whose name contains this text (any case).",
            ),
            opt("limit_uuid", "Only the group with this UUID."),
        ],
        outputs: &[out(
            "groups",
            "JSON array of `{name, uuid, permissions, open, fee}`: `permissions` the bot's powers, comma-separated (`Invite,Eject,…`); `open` 0/1; `fee` L$.",
        )],
        json_only: true,
        example: &[],
        parse: |a| {
            limits(a)?;
            Ok(BotCommand::MyGroups)
        },
        render: |a, reply, f| {
            let filter = limits(a).unwrap_or_default();
            let list: Vec<Value> = my_groups(reply)
                .into_iter()
                .filter(|g| filter.keeps(&g.group.name, g.group.uuid))
                .map(|g| {
                    json!({
                        "name": g.group.name,
                        "uuid": g.group.uuid.to_string(),
                        "permissions": g.powers.names(),
                        "open": i32::from(g.group.open_enrollment),
                        "fee": g.group.fee,
                    })
                })
                .collect();
            f.json("groups", Value::Array(list));
        },
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "list_group_roles",
        aliases: &["group_list_roles"],
        summary: "Lists a group's roles, Everyone first (its UUID is the zero UUID).",
        params: &[req(GROUP, "The group.")],
        outputs: &[out("roles", "Lines `RoleUUID;Role Name`.")],
        json_only: false,
        example: &[(GROUP, EXAMPLE_UUID)],
        parse: |a| {
            Ok(BotCommand::GroupRoles {
                group: a.req_uuid(GROUP)?,
            })
        },
        render: |_, reply, f| {
            if let Reply::Roles(roles) = reply {
                f.text(
                    "roles",
                    lines(roles.iter().map(|r| (r.uuid, r.name.as_str()))),
                );
            }
        },
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "group_offer_accept",
        aliases: &[],
        summary: "Answers a group invitation received with the `group_invite` callback (replying `accept=1` to that callback does the same).",
        params: &[
            req("avatar_uuid", "The inviter (from the callback)."),
            req(
                "session_id",
                "The invitation's session (from the callback).",
            ),
            opt("accept", "`1` accepts; anything else declines."),
        ],
        outputs: &[],
        json_only: false,
        example: &[
            ("avatar_uuid", EXAMPLE_UUID),
            ("session_id", EXAMPLE_UUID),
            ("accept", "1"),
        ],
        parse: |a| {
            Ok(BotCommand::AnswerGroupInvite {
                from: a.req_uuid("avatar_uuid")?,
                session: a.req_uuid("session_id")?,
                accept: a.flag("accept")?,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "group_visibility",
        aliases: &[],
        summary: "Shows or hides a group in the bot's profile, and accepts or rejects its notices.",
        params: &[
            req(GROUP, "The group."),
            req(
                "profile",
                "`1` show the group in the profile, `0` hide it (always send it).",
            ),
            opt("notices", "`accept` or `reject` the group's notices."),
        ],
        outputs: &[],
        json_only: false,
        example: &[
            (GROUP, EXAMPLE_UUID),
            ("profile", "1"),
            ("notices", "accept"),
        ],
        parse: |a| {
            let in_profile = a.opt_flag("profile")?.ok_or(Failure::Missing("profile"))?;
            let notices = match a.opt("notices").map(|n| n.trim().to_ascii_lowercase()) {
                None => None,
                Some(n) if n == "accept" => Some(true),
                Some(n) if n == "reject" => Some(false),
                Some(_) => return Err(invalid("notices", "expected accept or reject")),
            };
            Ok(BotCommand::GroupVisibility {
                group: a.req_uuid(GROUP)?,
                in_profile,
                notices,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "group_invite",
        aliases: &[],
        summary: "Invites an avatar into a role. The invitee gets a `group_invite` callback (held until it is online) and accepts with `accept=1` in its reply, `group_offer_accept` or `group_join`. Invitations last 7 days. Needs the Invite power, and for a role other than Everyone AssignMember (or AssignMemberLimited and holding that role); only owners invite into Owners.",
        params: &[
            req("avatar", "The invitee's UUID."),
            req(GROUP, "The group."),
            req("roleuuid", "The role; the zero UUID is Everyone."),
            opt(
                "check_membership",
                "`1`: refuse (`Avatar is already in the group`) when the avatar is a member.",
            ),
            opt("message", "Text sent with the invitation."),
            NOSAFEHUB,
        ],
        outputs: &[],
        json_only: false,
        example: &[
            ("avatar", EXAMPLE_UUID),
            (GROUP, EXAMPLE_UUID),
            ("roleuuid", ZERO),
            ("check_membership", "1"),
        ],
        parse: |a| {
            Ok(BotCommand::GroupInvite {
                avatar: a.req_uuid("avatar")?,
                group: a.req_uuid(GROUP)?,
                role: a.req_uuid("roleuuid")?,
                check_membership: a.flag("check_membership")?,
                message: a.opt("message").unwrap_or_default().to_owned(),
                location: None,
                misc: None,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "group_eject",
        aliases: &[],
        summary: "Ejects a member. Needs Eject, and RemoveMember when the member holds roles besides Everyone; only owners eject owners.",
        params: &[
            req("avatar", "The member's UUID."),
            req(GROUP, "The group."),
            opt(
                "ignore_membership",
                "`1`: answer OK for a non-member instead of `Ejectee is not in the group`.",
            ),
        ],
        outputs: &[],
        json_only: false,
        example: &[("avatar", EXAMPLE_UUID), (GROUP, EXAMPLE_UUID)],
        parse: |a| {
            Ok(BotCommand::GroupEject {
                avatar: a.req_uuid("avatar")?,
                group: a.req_uuid(GROUP)?,
                ignore_membership: a.flag("ignore_membership")?,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "send_group_im",
        aliases: &[],
        summary: "Says something in group chat. Every member with JoinChat who is online gets a `group_message` callback at once; the others when they come online. While the bot is offline the message is accepted and sent when it is back. Needs JoinChat (botgrid answers FAIL without it, where SmartBots loses the message silently).",
        params: &[
            req(GROUP, "The group."),
            req("message", "The text, at most 1023 bytes."),
        ],
        outputs: &[],
        json_only: false,
        example: &[(GROUP, EXAMPLE_UUID), ("message", "Hello, group!")],
        parse: |a| {
            Ok(BotCommand::SendGroupMessage {
                group: a.req_uuid(GROUP)?,
                message: a.req("message")?.to_owned(),
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "send_notice",
        aliases: &[],
        summary: "Sends a group notice to the members with ReceiveNotices who accept notices, online at once and the others when they come online (as the `group_notice` callback, a botgrid addition). Queued while the bot is offline. Second Life allows 3 notices within 5 s, then one every 3 s: beyond that the notice fails as throttled, unless `autodelay=1` paces it. Needs SendNotices.",
        params: &[
            req(GROUP, "The group."),
            req("subject", "Subject: ASCII only, at most 254 characters."),
            req("text", "Text, at most 512 bytes."),
            opt(
                "attachment",
                "Inventory UUID of an item to attach (checked against the inventory once the grid has one).",
            ),
            opt("autodelay", "`1`: pace notices instead of refusing them."),
        ],
        outputs: &[],
        json_only: false,
        example: &[
            (GROUP, EXAMPLE_UUID),
            ("subject", "Meeting"),
            ("text", "Tonight at 8 in the garden."),
            ("autodelay", "1"),
        ],
        parse: |a| {
            Ok(BotCommand::SendNotice {
                group: a.req_uuid(GROUP)?,
                subject: a.req("subject")?.to_owned(),
                text: a.req("text")?.to_owned(),
                attachment: a.opt_uuid("attachment")?,
                paced: a.flag("autodelay")?,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "setrole",
        aliases: &[],
        summary: "Puts a member into a role. Needs AssignMember, or AssignMemberLimited for a role the bot holds; only owners assign Owners.",
        params: &[
            req(GROUP, "The group."),
            req("roleuuid", "The role."),
            req("member", "The member's UUID."),
        ],
        outputs: &[],
        json_only: false,
        example: &[
            (GROUP, EXAMPLE_UUID),
            ("roleuuid", EXAMPLE_UUID),
            ("member", EXAMPLE_UUID),
        ],
        parse: |a| {
            Ok(BotCommand::SetRole {
                group: a.req_uuid(GROUP)?,
                role: a.req_uuid("roleuuid")?,
                member: a.req_uuid("member")?,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "avatar_groups",
        aliases: &[],
        summary: "Lists the groups an avatar shows in its profile.",
        params: &[
            req("avatar", "The avatar's UUID."),
            FILTERS[0],
            FILTERS[1],
            FILTERS[2],
        ],
        outputs: &[
            out("total", "Number of groups before filtering."),
            out("groups", "Lines `GroupUUID;Group Name`."),
        ],
        json_only: false,
        example: &[("avatar", EXAMPLE_UUID)],
        parse: |a| {
            Ok(BotCommand::AvatarGroups {
                avatar: a.req_uuid("avatar")?,
                filter: a.filter()?,
            })
        },
        render: |_, reply, f| {
            if let Reply::AvatarGroups { total, groups } = reply {
                f.text("total", total.to_string()).text(
                    "groups",
                    lines(groups.iter().map(|g| (g.uuid, g.name.as_str()))),
                );
            }
        },
        on_error: None,
        extension: false,
    },
    CommandDef {
        action: "group_create",
        aliases: &[],
        summary: "Creates a group; the bot becomes its founder and only owner. Names are unique in any case.",
        params: &[
            req("name", "4 to 35 characters."),
            opt("charter", "The charter."),
            opt("open", "`1`: anyone may join."),
            opt("fee", "Join fee, L$ (0 to 100000000)."),
        ],
        outputs: &[out("uuid", "The new group's UUID.")],
        json_only: false,
        example: &[("name", "Botgrid Builders"), ("open", "1")],
        parse: |a| {
            Ok(BotCommand::CreateGroup {
                name: a.req("name")?.to_owned(),
                charter: a.opt("charter").unwrap_or_default().to_owned(),
                open_enrollment: a.flag("open")?,
                fee: fee(a)?.unwrap_or(0),
            })
        },
        render: |_, reply, f| {
            if let Reply::GroupCreated(g) = reply {
                f.text("uuid", g.uuid.to_string());
            }
        },
        on_error: None,
        extension: true,
    },
    CommandDef {
        action: "group_update",
        aliases: &[],
        summary: "Changes a group's charter (ChangeIdentity), enrollment or fee (ChangeOptions).",
        params: &[
            req(GROUP, "The group."),
            opt("charter", "The new charter."),
            opt("open", "`1`/`0`: open enrollment."),
            opt("fee", "Join fee, L$."),
        ],
        outputs: &[],
        json_only: false,
        example: &[(GROUP, EXAMPLE_UUID), ("open", "0")],
        parse: |a| {
            Ok(BotCommand::UpdateGroup {
                group: a.req_uuid(GROUP)?,
                charter: a.raw("charter").map(str::to_owned),
                open_enrollment: a.opt_flag("open")?,
                fee: fee(a)?,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: true,
    },
    CommandDef {
        action: "group_role_create",
        aliases: &[],
        summary: "Creates a role (CreateRole; giving it powers needs ChangeActions, and only owners give powers they lack). A group has at most 10 roles.",
        params: &[
            req(GROUP, "The group."),
            req(
                "name",
                "Role name, at most 20 characters, unique in the group.",
            ),
            opt("title", "Title members show, at most 20 characters."),
            opt("description", "Description."),
            opt(
                "powers",
                "Comma-separated power names (`Invite,Eject,…`, `all`, `none`).",
            ),
        ],
        outputs: &[out("uuid", "The new role's UUID.")],
        json_only: false,
        example: &[
            (GROUP, EXAMPLE_UUID),
            ("name", "Greeters"),
            ("title", "Greeter"),
            ("powers", "Invite"),
        ],
        parse: |a| {
            Ok(BotCommand::CreateRole {
                group: a.req_uuid(GROUP)?,
                name: a.req("name")?.to_owned(),
                title: a.opt("title").unwrap_or_default().to_owned(),
                description: a.opt("description").unwrap_or_default().to_owned(),
                powers: powers(a)?.unwrap_or(Powers::NONE),
            })
        },
        render: |_, reply, f| {
            if let Reply::RoleCreated(r) = reply {
                f.text("uuid", r.uuid.to_string());
            }
        },
        on_error: None,
        extension: true,
    },
    CommandDef {
        action: "group_role_update",
        aliases: &[],
        summary: "Changes a role: name, title, description (RoleProperties), powers (ChangeActions). Built-in roles keep their names; Owners keep every power.",
        params: &[
            req(GROUP, "The group."),
            req("roleuuid", "The role."),
            opt("name", "New name."),
            opt("title", "New title."),
            opt("description", "New description."),
            opt("powers", "New powers, comma-separated names."),
        ],
        outputs: &[],
        json_only: false,
        example: &[
            (GROUP, EXAMPLE_UUID),
            ("roleuuid", EXAMPLE_UUID),
            ("title", "Host"),
        ],
        parse: |a| {
            Ok(BotCommand::UpdateRole {
                group: a.req_uuid(GROUP)?,
                role: a.req_uuid("roleuuid")?,
                name: a.opt("name").map(str::to_owned),
                title: a.raw("title").map(str::to_owned),
                description: a.raw("description").map(str::to_owned),
                powers: powers(a)?,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: true,
    },
    CommandDef {
        action: "group_role_delete",
        aliases: &[],
        summary: "Deletes a custom role (DeleteRole); its holders keep their other roles.",
        params: &[req(GROUP, "The group."), req("roleuuid", "The role.")],
        outputs: &[],
        json_only: false,
        example: &[(GROUP, EXAMPLE_UUID), ("roleuuid", EXAMPLE_UUID)],
        parse: |a| {
            Ok(BotCommand::DeleteRole {
                group: a.req_uuid(GROUP)?,
                role: a.req_uuid("roleuuid")?,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: true,
    },
    CommandDef {
        action: "group_role_revoke",
        aliases: &[],
        summary: "Takes a member out of a role (RemoveMember; anyone may step out of their own role; owners step down only themselves, and not the last one).",
        params: &[
            req(GROUP, "The group."),
            req("roleuuid", "The role."),
            req("member", "The member's UUID."),
        ],
        outputs: &[],
        json_only: false,
        example: &[
            (GROUP, EXAMPLE_UUID),
            ("roleuuid", EXAMPLE_UUID),
            ("member", EXAMPLE_UUID),
        ],
        parse: |a| {
            Ok(BotCommand::RevokeRole {
                group: a.req_uuid(GROUP)?,
                role: a.req_uuid("roleuuid")?,
                member: a.req_uuid("member")?,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: true,
    },
    CommandDef {
        action: "group_ban",
        aliases: &[],
        summary: "Bans an avatar from a group (ejecting it if it is a member) or lifts a ban (ManageBans). Owners cannot be banned.",
        params: &[
            req(GROUP, "The group."),
            req("avatar", "The avatar's UUID."),
            opt("operation", "`ban` (default) or `unban`."),
        ],
        outputs: &[],
        json_only: false,
        example: &[(GROUP, EXAMPLE_UUID), ("avatar", EXAMPLE_UUID)],
        parse: |a| {
            let ban = match a.opt("operation").map(|o| o.trim().to_ascii_lowercase()) {
                None => true,
                Some(o) if o == "ban" => true,
                Some(o) if o == "unban" => false,
                Some(_) => return Err(invalid("operation", "expected ban or unban")),
            };
            Ok(BotCommand::GroupBan {
                group: a.req_uuid(GROUP)?,
                avatar: a.req_uuid("avatar")?,
                ban,
            })
        },
        render: render_nothing,
        on_error: None,
        extension: true,
    },
];
