//! `botgrid admin`: operator commands, printed as text or JSON.

use crate::cli::StoreArgs;
use clap::{Args, Subcommand};
use engine::{AvatarSpec, Engine};
use grid::{Avatar, AvatarKind, LegacyName, Location, TokenId};
use serde_json::{Value, json};

#[derive(Debug, Args)]
pub struct AdminArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub what: AdminCommand,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Developers (holders of API keys).
    #[command(subcommand)]
    Developer(DeveloperCommand),
    /// Avatars: people and bots.
    #[command(subcommand)]
    Avatar(AvatarCommand),
    /// Bot access: access codes and API tokens.
    #[command(subcommand)]
    Bot(BotCommand),
    /// Groups: roles, members, and the Simple Groups API's code and serving bot.
    #[command(subcommand)]
    Group(GroupCommand),
    /// Regions: make them (teleports need the region to exist) and list them.
    #[command(subcommand)]
    Region(RegionCommand),
    /// Inventory: add items to an avatar's inventory (seeding shops and tests).
    #[command(subcommand)]
    Inventory(InventoryCommand),
    /// Money: grants, balances and the ledger check.
    #[command(subcommand)]
    Money(MoneyCommand),
    /// Create a whole world from a JSON file, in one transaction (see the seed module).
    Seed { file: std::path::PathBuf },
    /// Callback registrations: failed deliveries, replays, signing secrets.
    #[command(subcommand)]
    Callbacks(crate::callbacks_admin::CallbacksCommand),
}

#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    /// Create a group; its founder becomes its owner.
    Create {
        name: String,
        #[arg(long)]
        founder: String,
        #[arg(long, default_value = "")]
        charter: String,
        /// Anyone may join.
        #[arg(long)]
        open: bool,
        /// Join fee, L$.
        #[arg(long, default_value_t = 0)]
        fee: i64,
    },
    /// List groups.
    List,
    /// List a group's roles.
    Roles { name: String },
    /// Add a role to a group.
    RoleAdd {
        name: String,
        role: String,
        #[arg(long, default_value = "")]
        title: String,
        /// Comma-separated power names (Invite,Eject,JoinChat,…), `all` or `none`.
        #[arg(long, default_value = "none")]
        powers: String,
    },
    /// Make an avatar a member (with extra roles by name).
    MemberAdd {
        name: String,
        avatar: String,
        #[arg(long = "role")]
        roles: Vec<String>,
    },
    /// Set the Simple Groups security code (default: a new random one); prints it once.
    /// The group's Simple Groups callbacks are removed.
    SetCode {
        name: String,
        #[arg(long)]
        code: Option<String>,
    },
    /// Set the bot that serves the group for the Simple Groups API.
    SetBot { name: String, bot: String },
}

#[derive(Debug, Subcommand)]
pub enum DeveloperCommand {
    /// Create a developer; prints its API key once.
    Create {
        #[arg(long)]
        name: String,
        /// Use this API key (at least 16 characters, e.g. one brought from SmartBots)
        /// instead of a new random one.
        #[arg(long)]
        api_key: Option<String>,
    },
    /// List developers.
    List,
}

#[derive(Debug, Subcommand)]
pub enum AvatarCommand {
    /// Create an avatar ("First Last"; "First" alone means "First Resident").
    Create {
        name: String,
        /// Make it a bot; prints its access code once.
        #[arg(long)]
        bot: bool,
        /// The bot's access code (default: a new random one).
        #[arg(long, requires = "bot")]
        access_code: Option<String>,
        /// Profile text.
        #[arg(long, default_value = "")]
        about: String,
        /// Home location, Region/X/Y/Z.
        #[arg(long)]
        home: Option<String>,
    },
    /// List avatars.
    List,
    /// Add a pick to an avatar's profile.
    Pick {
        name: String,
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        description: String,
    },
    /// Set an avatar's profile text.
    About { name: String, text: String },
}

#[derive(Debug, Subcommand)]
pub enum RegionCommand {
    /// Make a region.
    Create {
        name: String,
        /// The estate it belongs to.
        #[arg(long, default_value = "Mainland")]
        estate: String,
        /// An estate manager (may be given more than once).
        #[arg(long = "manager")]
        managers: Vec<String>,
    },
    /// List the regions.
    List,
    /// List a region's objects.
    Objects { region: String },
    /// Set an object's owner URL (its events are POSTed there and its answers carried
    /// out); without a URL, remove it.
    ObjectUrl { object: String, url: Option<String> },
    /// Make a parcel on a region (it may not overlap another, the whole-region parcel
    /// every region has aside).
    Parcel {
        region: String,
        #[arg(long)]
        name: String,
        /// x1,y1,x2,y2 in whole metres, e.g. 0,0,64,64.
        #[arg(long)]
        bounds: String,
        /// Its owner (default: the estate).
        #[arg(long)]
        owner: Option<String>,
        /// Put it up for sale at this price (needs an owner).
        #[arg(long)]
        price: Option<i64>,
    },
    /// Put an object in a region, with a behaviour: plain, greeter (--text, --buttons),
    /// tipjar (--thanks), chair, vendor (--price, --item: an inventory UUID of the
    /// owner's) or inviter (--group: a group UUID).
    Object {
        region: String,
        #[arg(long)]
        name: String,
        /// X/Y/Z in the region.
        #[arg(long)]
        at: String,
        #[arg(long)]
        owner: String,
        #[arg(long, default_value = "plain")]
        behaviour: String,
        #[arg(long, default_value = "")]
        text: String,
        /// Comma-separated button labels.
        #[arg(long, default_value = "")]
        buttons: String,
        #[arg(long, default_value = "")]
        thanks: String,
        #[arg(long)]
        price: Option<i64>,
        #[arg(long)]
        item: Option<String>,
        #[arg(long)]
        group: Option<String>,
        /// Prims in its link set.
        #[arg(long, default_value_t = 1)]
        links: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum InventoryCommand {
    /// Add an item to an avatar's inventory (into its type's folder); prints its UUID.
    Add {
        /// The owner.
        owner: String,
        /// The item's name.
        #[arg(long)]
        name: String,
        /// texture, sound, callingcard, landmark, clothing, object, notecard, script,
        /// bodypart, animation or gesture.
        #[arg(long = "type")]
        asset_type: String,
        #[arg(long, default_value = "")]
        description: String,
        /// The owner's permissions, e.g. mod+copy+trans.
        #[arg(long, default_value = "mod+copy+trans")]
        perms: String,
        /// The next owner's permissions.
        #[arg(long, default_value = "mod+copy+trans")]
        next: String,
        /// For clothing and body parts: the slot (shirt, pants, shape, skin, …).
        #[arg(long)]
        wearable: Option<String>,
        /// For notecards: the text.
        #[arg(long)]
        text: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum MoneyCommand {
    /// Put L$ into the grid: give an avatar money from nobody (a grant).
    Grant {
        name: String,
        amount: i64,
        #[arg(long, default_value = "")]
        comment: String,
    },
    /// An avatar's balance.
    Balance { name: String },
    /// Check every balance against the ledger; fails when the books do not balance.
    Audit,
}

#[derive(Debug, Subcommand)]
pub enum BotCommand {
    /// Set a bot's access code (default: a new random one); prints it once.
    SetCode {
        name: String,
        #[arg(long)]
        code: Option<String>,
    },
    /// Issue an API token for a bot; prints it once.
    TokenCreate {
        name: String,
        #[arg(long, default_value = "")]
        label: String,
    },
    /// List a bot's tokens.
    TokenList { name: String },
    /// Revoke a bot's token.
    TokenRevoke { name: String, id: i64 },
    /// Make a bot live in a remote grid (OpenSimulator, Second Life): from its next
    /// `login` it logs in there with its own name. Only the password's `$1$` MD5 hash
    /// (what the protocol sends) is kept.
    Remote {
        name: String,
        /// The grid's login URI, e.g. http://127.0.0.1:9000/
        #[arg(long)]
        login_uri: String,
        /// Where to log in: last, home, or uri:Region&x&y&z.
        #[arg(long, default_value = "last")]
        start: String,
        /// The password (or use --password-stdin, which keeps it out of the shell's
        /// history and the process list).
        #[arg(long, conflicts_with = "password_stdin")]
        password: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Make a bot live in the embedded grid again.
    Local { name: String },
}

fn parse_name(s: &str) -> Result<LegacyName, String> {
    LegacyName::parse(s).map_err(|e| format!("{s:?} is not a name: {e}"))
}

fn avatar_json(a: &Avatar) -> Value {
    json!({
        "id": a.id.0,
        "uuid": a.uuid.to_string(),
        "name": a.name.to_string(),
        "kind": a.kind.as_str(),
        "presence": a.presence.as_str(),
        "location": a.location.as_ref().map(|l| l.to_string()),
    })
}

/// Runs an admin command; returns what to print.
pub async fn run(engine: &Engine, what: AdminCommand, as_json: bool) -> Result<String, String> {
    let err = |e: grid::Error| e.to_string();
    let (value, text): (Value, String) = match what {
        AdminCommand::Developer(DeveloperCommand::Create { name, api_key }) => {
            let (dev, key) = engine.create_developer(&name, api_key).await.map_err(err)?;
            (
                json!({"id": dev.id.0, "uuid": dev.uuid.to_string(), "name": dev.name, "api_key": key}),
                format!(
                    "developer {} created\napi key: {key}\n(shown once; it is stored hashed)",
                    dev.name
                ),
            )
        }
        AdminCommand::Developer(DeveloperCommand::List) => {
            let devs = engine.developers().await.map_err(err)?;
            let text = devs
                .iter()
                .map(|d| format!("{}\t{}\t{}", d.id, d.uuid, d.name))
                .collect::<Vec<_>>()
                .join("\n");
            let list: Vec<_> = devs
                .iter()
                .map(|d| json!({"id": d.id.0, "uuid": d.uuid.to_string(), "name": d.name}))
                .collect();
            (Value::Array(list), text)
        }
        AdminCommand::Avatar(AvatarCommand::Create {
            name,
            bot,
            access_code,
            about,
            home,
        }) => {
            let home = home
                .map(|h| Location::parse(&h).map_err(|e| format!("--home: {e}")))
                .transpose()?;
            let kind = if bot {
                AvatarKind::Bot
            } else {
                AvatarKind::Person
            };
            let spec = AvatarSpec {
                about,
                home,
                access_code,
                ..AvatarSpec::new(parse_name(&name)?, kind)
            };
            let (avatar, code) = engine.create_avatar(spec).await.map_err(err)?;
            let mut value = avatar_json(&avatar);
            let mut text = format!(
                "{} {} created, uuid {}",
                avatar.kind.as_str(),
                avatar.name,
                avatar.uuid
            );
            if let Some(code) = code {
                value["access_code"] = json!(code);
                text.push_str(&format!(
                    "\naccess code: {code}\n(shown once; it is stored hashed)"
                ));
            }
            (value, text)
        }
        AdminCommand::Region(RegionCommand::Create {
            name,
            estate,
            managers,
        }) => {
            let managers = managers
                .iter()
                .map(|m| parse_name(m))
                .collect::<Result<Vec<_>, _>>()?;
            let r = engine
                .create_region(engine::RegionSpec {
                    name,
                    estate,
                    managers,
                })
                .await
                .map_err(err)?;
            (
                json!({"name": r.name, "uuid": r.uuid.to_string(), "estate": r.estate}),
                format!("region {} created in estate {}", r.name, r.estate),
            )
        }
        AdminCommand::Region(RegionCommand::Parcel {
            region,
            name,
            bounds,
            owner,
            price,
        }) => {
            let b: Vec<i64> = bounds
                .split(',')
                .map(|v| v.trim().parse::<i64>())
                .collect::<Result<_, _>>()
                .map_err(|_| "--bounds: x1,y1,x2,y2 in whole metres".to_string())?;
            let [x1, y1, x2, y2] = b[..] else {
                return Err("--bounds: x1,y1,x2,y2 in whole metres".into());
            };
            let owner = owner.as_deref().map(parse_name).transpose()?;
            let p = engine
                .create_parcel(engine::ParcelSpec {
                    region,
                    name,
                    bounds: (x1, y1, x2, y2),
                    owner,
                    price,
                })
                .await
                .map_err(err)?;
            (
                json!({"uuid": p.uuid.to_string(), "name": p.name, "area": p.area()}),
                format!("parcel {} made ({} m²)", p.name, p.area()),
            )
        }
        AdminCommand::Region(RegionCommand::Object {
            region,
            name,
            at,
            owner,
            behaviour,
            text,
            buttons,
            thanks,
            price,
            item,
            group,
            links,
        }) => {
            use grid::object::Behaviour;
            let uuid = |what: &str, v: Option<String>| -> Result<grid::Uuid, String> {
                let v = v.ok_or_else(|| format!("--{what} is needed"))?;
                grid::Uuid::parse_str(v.trim()).map_err(|_| format!("--{what}: not a UUID"))
            };
            let behaviour = match behaviour.to_ascii_lowercase().as_str() {
                "plain" => Behaviour::Plain,
                "greeter" => Behaviour::Greeter {
                    text,
                    buttons: buttons
                        .split(',')
                        .map(|b| b.trim().to_owned())
                        .filter(|b| !b.is_empty())
                        .collect(),
                },
                "tipjar" => Behaviour::TipJar { thanks },
                "chair" => Behaviour::Chair,
                "vendor" => Behaviour::Vendor {
                    price: price.ok_or("--price is needed")?,
                    item: uuid("item", item)?,
                },
                "inviter" => Behaviour::Inviter {
                    group: uuid("group", group)?,
                },
                other => return Err(format!("--behaviour: unknown {other}")),
            };
            let coords: Vec<f64> = at
                .split('/')
                .map(|v| v.trim().parse::<f64>())
                .collect::<Result<_, _>>()
                .map_err(|_| "--at: X/Y/Z".to_string())?;
            let [x, y, z] = coords[..] else {
                return Err("--at: X/Y/Z".into());
            };
            let o = engine
                .create_object(engine::ObjectSpec {
                    region,
                    name,
                    owner: parse_name(&owner)?,
                    at: (x, y, z),
                    behaviour,
                    links,
                })
                .await
                .map_err(err)?;
            (
                json!({"uuid": o.uuid.to_string(), "name": o.name, "behaviour": o.behaviour.name()}),
                format!("{} {} placed, uuid {}", o.behaviour.name(), o.name, o.uuid),
            )
        }
        AdminCommand::Region(RegionCommand::ObjectUrl { object, url }) => {
            let uuid = grid::Uuid::parse_str(object.trim())
                .map_err(|_| format!("{object:?} is not an object UUID"))?;
            let secret = engine
                .set_object_url(uuid, url.clone())
                .await
                .map_err(err)?;
            (
                json!({"object": uuid.to_string(), "url": url, "signing_secret": secret}),
                match (url, secret) {
                    (Some(u), Some(s)) => {
                        format!("object {uuid} reports to {u}\nsigning secret: {s}\n(shown once)")
                    }
                    _ => format!("object {uuid} has no owner URL"),
                },
            )
        }
        AdminCommand::Region(RegionCommand::Objects { region }) => {
            let objects = engine.objects_in(region).await.map_err(err)?;
            let text = objects
                .iter()
                .map(|o| {
                    format!(
                        "{}\t{}\t{}\t{}/{}/{}",
                        o.uuid,
                        o.behaviour.name(),
                        o.name,
                        o.x,
                        o.y,
                        o.z
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            (
                Value::Array(
                    objects
                        .iter()
                        .map(|o| {
                            json!({"uuid": o.uuid.to_string(), "name": o.name,
                                   "behaviour": o.behaviour.name(), "x": o.x, "y": o.y, "z": o.z})
                        })
                        .collect(),
                ),
                text,
            )
        }
        AdminCommand::Region(RegionCommand::List) => {
            let regions = engine.regions().await.map_err(err)?;
            let text = regions
                .iter()
                .map(|r| format!("{}\t{}\t{}", r.name, r.estate, r.state.as_str()))
                .collect::<Vec<_>>()
                .join("\n");
            (
                Value::Array(
                    regions
                        .iter()
                        .map(|r| json!({"name": r.name, "estate": r.estate, "state": r.state.as_str()}))
                        .collect(),
                ),
                text,
            )
        }
        AdminCommand::Inventory(InventoryCommand::Add {
            owner,
            name,
            asset_type,
            description,
            perms,
            next,
            wearable,
            text,
        }) => {
            let owner = parse_name(&owner)?;
            let asset_type = grid::inventory::AssetType::parse(&asset_type)
                .ok_or_else(|| format!("--type: unknown type {asset_type:?}"))?;
            let spec = engine::ItemSpec {
                asset_type,
                name,
                description,
                wearable,
                perms: grid::inventory::Perms::parse(&perms)
                    .map_err(|e| format!("--perms: {e}"))?,
                next_perms: grid::inventory::Perms::parse(&next)
                    .map_err(|e| format!("--next: {e}"))?,
                text,
            };
            let item = engine.add_inventory_item(&owner, spec).await.map_err(err)?;
            (
                json!({"uuid": item.uuid.to_string(), "asset": item.asset.to_string()}),
                format!(
                    "{} {} added to {owner}, uuid {}",
                    item.asset_type.as_str(),
                    item.name,
                    item.uuid
                ),
            )
        }
        AdminCommand::Money(MoneyCommand::Grant {
            name,
            amount,
            comment,
        }) => {
            let who = parse_name(&name)?;
            let t = engine
                .grant_money(&who, amount, comment)
                .await
                .map_err(err)?;
            let balance = engine.balance_of(&who).await.map_err(err)?;
            (
                json!({"transaction": t.uuid.to_string(), "amount": t.amount, "balance": balance}),
                format!("granted L${} to {who}; balance L${balance}", t.amount),
            )
        }
        AdminCommand::Money(MoneyCommand::Balance { name }) => {
            let who = parse_name(&name)?;
            let balance = engine.balance_of(&who).await.map_err(err)?;
            (json!({"balance": balance}), format!("{who}: L${balance}"))
        }
        AdminCommand::Money(MoneyCommand::Audit) => {
            let audit = engine.audit_money().await.map_err(err)?;
            if !audit.mismatches.is_empty() {
                let lines: Vec<String> = audit
                    .mismatches
                    .iter()
                    .map(|(n, held, owed)| format!("{n}: balance L${held}, ledger L${owed}"))
                    .collect();
                return Err(format!("the books do not balance:\n{}", lines.join("\n")));
            }
            (
                json!({"balanced": true, "total": audit.total, "transfers": audit.transfers}),
                format!(
                    "the books balance: L${} in all balances, {} transfers",
                    audit.total, audit.transfers
                ),
            )
        }
        AdminCommand::Avatar(AvatarCommand::List) => {
            let avatars = engine.avatars().await.map_err(err)?;
            let text = avatars
                .iter()
                .map(|a| {
                    format!(
                        "{}\t{}\t{}\t{}\t{}",
                        a.id,
                        a.uuid,
                        a.kind.as_str(),
                        a.presence.as_str(),
                        a.name
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            (
                Value::Array(avatars.iter().map(avatar_json).collect()),
                text,
            )
        }
        AdminCommand::Avatar(AvatarCommand::Pick {
            name,
            title,
            description,
        }) => {
            let pick = engine
                .add_pick(&parse_name(&name)?, &title, &description)
                .await
                .map_err(err)?;
            (
                json!({"uuid": pick.uuid.to_string(), "name": pick.name}),
                format!("pick {} added, uuid {}", pick.name, pick.uuid),
            )
        }
        AdminCommand::Avatar(AvatarCommand::About { name, text }) => {
            engine
                .set_about(&parse_name(&name)?, &text)
                .await
                .map_err(err)?;
            (json!({"ok": true}), "profile text set".into())
        }
        AdminCommand::Bot(BotCommand::SetCode { name, code }) => {
            let code = engine
                .set_access_code(&parse_name(&name)?, code)
                .await
                .map_err(err)?;
            (
                json!({"access_code": code}),
                format!("access code: {code}\n(shown once; the old code stops working now)"),
            )
        }
        AdminCommand::Bot(BotCommand::TokenCreate { name, label }) => {
            let (info, token) = engine
                .create_token(&parse_name(&name)?, &label)
                .await
                .map_err(err)?;
            (
                json!({"id": info.id.0, "label": info.label, "token": token}),
                format!(
                    "token {} created\ntoken: {token}\n(shown once; use it as `secret`)",
                    info.id
                ),
            )
        }
        AdminCommand::Bot(BotCommand::TokenList { name }) => {
            let tokens = engine.tokens(&parse_name(&name)?).await.map_err(err)?;
            let text = tokens
                .iter()
                .map(|t| {
                    format!(
                        "{}\t{}\t{}",
                        t.id,
                        if t.revoked.is_some() {
                            "revoked"
                        } else {
                            "live"
                        },
                        t.label
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            let list: Vec<_> = tokens
                .iter()
                .map(|t| json!({"id": t.id.0, "label": t.label, "revoked": t.revoked.is_some()}))
                .collect();
            (Value::Array(list), text)
        }
        AdminCommand::Group(cmd) => group(engine, cmd).await?,
        AdminCommand::Callbacks(cmd) => crate::callbacks_admin::run(engine, cmd).await?,
        AdminCommand::Seed { file } => {
            let seed = crate::seed::SeedFile::read(&file)?.into_seed()?;
            let (avatars, groups) = (seed.avatars.len(), seed.groups.len());
            engine.seed(seed).await.map_err(err)?;
            (
                json!({"avatars": avatars, "groups": groups}),
                format!("seeded {avatars} avatars and {groups} groups"),
            )
        }
        AdminCommand::Bot(BotCommand::Remote {
            name,
            login_uri,
            start,
            password,
            password_stdin,
        }) => {
            let password = match (password, password_stdin) {
                (Some(p), _) => p,
                (None, true) => {
                    let mut line = String::new();
                    std::io::stdin()
                        .read_line(&mut line)
                        .map_err(|e| format!("cannot read the password: {e}"))?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
                (None, false) => return Err("give --password or --password-stdin".into()),
            };
            engine
                .set_remote_account(&parse_name(&name)?, &login_uri, &password, &start)
                .await
                .map_err(err)?;
            (
                json!({"bot": name, "login_uri": login_uri, "start": start}),
                format!("{name} now lives in the grid at {login_uri} (from its next login)"),
            )
        }
        AdminCommand::Bot(BotCommand::Local { name }) => {
            let was = engine
                .clear_remote_account(&parse_name(&name)?)
                .await
                .map_err(err)?;
            (
                json!({"bot": name, "was_remote": was}),
                if was {
                    format!("{name} lives in the embedded grid again (from its next login)")
                } else {
                    format!("{name} already lives in the embedded grid")
                },
            )
        }
        AdminCommand::Bot(BotCommand::TokenRevoke { name, id }) => {
            engine
                .revoke_token(&parse_name(&name)?, TokenId(id))
                .await
                .map_err(err)?;
            (json!({"revoked": id}), format!("token {id} revoked"))
        }
    };
    Ok(if as_json { value.to_string() } else { text })
}

fn group_json(g: &grid::group::Group) -> Value {
    json!({"uuid": g.uuid.to_string(), "name": g.name, "open": g.open_enrollment, "fee": g.fee})
}

async fn group(engine: &Engine, cmd: GroupCommand) -> Result<(Value, String), String> {
    let err = |e: grid::Error| e.to_string();
    Ok(match cmd {
        GroupCommand::Create {
            name,
            founder,
            charter,
            open,
            fee,
        } => {
            let g = engine
                .create_group(engine::GroupSpec {
                    charter,
                    open_enrollment: open,
                    fee,
                    ..engine::GroupSpec::new(&name, parse_name(&founder)?)
                })
                .await
                .map_err(err)?;
            (
                group_json(&g),
                format!("group {} created, uuid {}", g.name, g.uuid),
            )
        }
        GroupCommand::List => {
            let groups = engine.groups().await.map_err(err)?;
            let text = groups
                .iter()
                .map(|g| format!("{}\t{}", g.uuid, g.name))
                .collect::<Vec<_>>()
                .join("\n");
            (Value::Array(groups.iter().map(group_json).collect()), text)
        }
        GroupCommand::Roles { name } => {
            let roles = engine.group_roles(&name).await.map_err(err)?;
            let text = roles
                .iter()
                .map(|r| format!("{}\t{}\t{}\t{}", r.uuid, r.name, r.title, r.powers.names()))
                .collect::<Vec<_>>()
                .join("\n");
            let list = roles
                .iter()
                .map(|r| json!({"uuid": r.uuid.to_string(), "name": r.name, "title": r.title, "powers": r.powers.names()}))
                .collect();
            (Value::Array(list), text)
        }
        GroupCommand::RoleAdd {
            name,
            role,
            title,
            powers,
        } => {
            let powers =
                grid::group::Powers::parse(&powers).map_err(|e| format!("--powers: {e}"))?;
            let r = engine
                .add_group_role(&name, &role, &title, powers)
                .await
                .map_err(err)?;
            (
                json!({"uuid": r.uuid.to_string(), "name": r.name}),
                format!("role {} added, uuid {}", r.name, r.uuid),
            )
        }
        GroupCommand::MemberAdd {
            name,
            avatar,
            roles,
        } => {
            engine
                .add_group_member(&name, &parse_name(&avatar)?, &roles)
                .await
                .map_err(err)?;
            (
                json!({"ok": true}),
                format!("{avatar} is a member of {name}"),
            )
        }
        GroupCommand::SetCode { name, code } => {
            let code = engine.set_group_code(&name, code).await.map_err(err)?;
            (
                json!({"security_code": code}),
                format!("security code: {code}\n(shown once; the old code stops working now)"),
            )
        }
        GroupCommand::SetBot { name, bot } => {
            engine
                .set_serving_bot(&name, &parse_name(&bot)?)
                .await
                .map_err(err)?;
            (json!({"ok": true}), format!("{bot} now serves {name}"))
        }
    })
}
