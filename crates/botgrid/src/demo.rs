//! The demo world a new installation starts with, and its credentials.

use engine::{AvatarSpec, Engine, GroupSpec, RegionSpec, Seed};
use grid::group::Powers;
use grid::{AvatarKind, LegacyName, Location};
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

const MARKER: &str = "demo_world";
const FILE: &str = "credentials.txt";
/// The demo world's group.
pub const DEMO_GROUP: &str = "Botgrid Greeters";

/// Credentials of the demo world.
pub struct DemoCredentials {
    pub api_key: String,
    /// Bot names and access codes.
    pub bots: Vec<(String, String)>,
    /// Groups served for the Simple Groups API: name and security code.
    pub groups: Vec<(String, String)>,
}

fn name(s: &str) -> LegacyName {
    LegacyName::from_parts(
        s.split(' ').next().unwrap_or(s),
        s.split(' ').nth(1).unwrap_or(grid::name::RESIDENT),
    )
}

fn home() -> Option<Location> {
    Location::parse("Botgrid Welcome/128/128/25").ok()
}

/// Creates the demo world when the grid is empty; returns its credentials when it did.
pub async fn create_if_empty(engine: &Engine) -> Result<Option<DemoCredentials>, grid::Error> {
    if engine.setting(MARKER).await?.is_some() || !engine.avatars().await?.is_empty() {
        return Ok(None);
    }
    let api_key = grid::secret::new_api_key();
    let group_code = grid::secret::new_access_code();
    let bot = |n: &str, about: &str| AvatarSpec {
        about: about.into(),
        home: home(),
        money: 1000,
        ..AvatarSpec::new(name(n), AvatarKind::Bot)
    };
    let person = |n: &str, about: &str, picks: Vec<(String, String)>| AvatarSpec {
        about: about.into(),
        home: home(),
        picks,
        money: 100,
        ..AvatarSpec::new(name(n), AvatarKind::Person)
    };
    let seed = Seed {
        developers: vec![("Demo Developer".into(), api_key.clone())],
        avatars: vec![
            bot(
                "Ada Resident",
                "A demo bot. Drive me with the SmartBots API.",
            ),
            bot("Lin Resident", "Another demo bot, to talk to Ada."),
            person(
                "Sam Resident",
                "A person of the demo world.",
                vec![
                    ("Botgrid Welcome".into(), "Where everyone arrives.".into()),
                    ("The Quiet Garden".into(), "A place to think.".into()),
                ],
            ),
            person("Kim Resident", "Another person of the demo world.", vec![]),
        ],
        friendships: vec![(name("Ada Resident"), name("Sam Resident"))],
        groups: vec![GroupSpec {
            charter: "Everyone who greets newcomers to the demo grid.".into(),
            open_enrollment: true,
            roles: vec![(
                "Greeters".into(),
                "Greeter".into(),
                Powers::everyone_default() | Powers::INVITE,
            )],
            members: vec![
                (name("Lin Resident"), vec!["Officers".into()]),
                (name("Sam Resident"), vec!["Greeters".into()]),
            ],
            security_code: Some(group_code.clone()),
            serving_bot: Some(name("Ada Resident")),
            ..GroupSpec::new(DEMO_GROUP, name("Ada Resident"))
        }],
        tokens: vec![],
        regions: vec![RegionSpec {
            name: "Botgrid Welcome".into(),
            estate: "Botgrid Estate".into(),
            managers: vec![name("Ada Resident")],
        }],
        marker: Some((MARKER.into(), "1".into())),
    };
    let made = engine.seed(seed).await?;
    furnish(engine).await?;
    let bots = made
        .into_iter()
        .filter_map(|(avatar, code)| code.map(|c| (avatar.name.to_string(), c)))
        .collect();
    Ok(Some(DemoCredentials {
        api_key,
        bots,
        groups: vec![(DEMO_GROUP.into(), group_code)],
    }))
}

/// The demo region's parcels, a shop's stock and one object of each behaviour, all
/// Ada's (so that her SmartBots commands show them off).
async fn furnish(engine: &Engine) -> Result<(), grid::Error> {
    use engine::{ItemSpec, ObjectSpec, ParcelSpec};
    use grid::inventory::{AssetType, Perms};
    use grid::object::Behaviour;
    const REGION: &str = "Botgrid Welcome";
    let ada = name("Ada Resident");
    engine
        .create_parcel(ParcelSpec {
            region: REGION.into(),
            name: "Ada's Shop".into(),
            bounds: (96, 96, 160, 160),
            owner: Some(ada.clone()),
            price: None,
        })
        .await?;
    engine
        .create_parcel(ParcelSpec {
            region: REGION.into(),
            name: "Lot for Sale".into(),
            bounds: (0, 0, 64, 64),
            owner: Some(name("Lin Resident")),
            price: Some(250),
        })
        .await?;
    let guide = engine
        .add_inventory_item(
            &ada,
            ItemSpec {
                asset_type: AssetType::Notecard,
                name: "Visitor Guide".into(),
                description: "What there is to see".into(),
                wearable: None,
                perms: Perms::ALL,
                next_perms: Perms::parse("copy+trans").unwrap_or(Perms::ALL),
                text: Some(
                    "Welcome to Botgrid! Touch the greeter, tip the jar, sit a while.".into(),
                ),
            },
        )
        .await?;
    let group = engine
        .groups()
        .await?
        .into_iter()
        .find(|g| g.name == DEMO_GROUP)
        .map(|g| g.uuid)
        .ok_or_else(|| grid::Error::internal("the demo group is missing"))?;
    let objects = [
        (
            "Welcome Greeter",
            (128.0, 124.0, 25.0),
            Behaviour::Greeter {
                text: "Welcome to Botgrid! What would you like?".into(),
                buttons: vec!["Tour".into(), "Help".into()],
            },
        ),
        (
            "Tip Jar",
            (130.0, 124.0, 25.0),
            Behaviour::TipJar {
                thanks: "Thank you for the tip!".into(),
            },
        ),
        ("Bench", (132.0, 124.0, 25.0), Behaviour::Chair),
        (
            "Guide Vendor",
            (134.0, 124.0, 25.0),
            Behaviour::Vendor {
                price: 10,
                item: guide.uuid,
            },
        ),
        (
            "Greeters Sign-up",
            (136.0, 124.0, 25.0),
            Behaviour::Inviter { group },
        ),
    ];
    for (object, at, behaviour) in objects {
        engine
            .create_object(ObjectSpec {
                region: REGION.into(),
                name: object.into(),
                owner: ada.clone(),
                at,
                behaviour,
                links: 1,
            })
            .await?;
    }
    Ok(())
}

/// The file the credentials are kept in.
pub fn credentials_path(data: &Path) -> PathBuf {
    data.join(FILE)
}

/// Writes the credentials, readable by the owner only.
pub fn save(data: &Path, creds: &DemoCredentials) -> std::io::Result<()> {
    std::fs::create_dir_all(data)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(credentials_path(data))?;
    writeln!(file, "# botgrid demo credentials")?;
    writeln!(file, "api_key = {}", creds.api_key)?;
    for (bot, code) in &creds.bots {
        writeln!(file, "bot = {bot} / {code}")?;
    }
    for (group, code) in &creds.groups {
        writeln!(file, "group = {group} / {code}")?;
    }
    Ok(())
}

/// Reads credentials written by [`save`].
pub fn load(data: &Path) -> Option<DemoCredentials> {
    let text = std::fs::read_to_string(credentials_path(data)).ok()?;
    let mut api_key = None;
    let mut bots = Vec::new();
    let mut groups = Vec::new();
    for line in text.lines() {
        if let Some(k) = line.strip_prefix("api_key = ") {
            api_key = Some(k.trim().to_owned());
        } else if let Some(b) = line.strip_prefix("bot = ")
            && let Some((name, code)) = b.rsplit_once(" / ")
        {
            bots.push((name.trim().to_owned(), code.trim().to_owned()));
        } else if let Some(g) = line.strip_prefix("group = ")
            && let Some((name, code)) = g.rsplit_once(" / ")
        {
            groups.push((name.trim().to_owned(), code.trim().to_owned()));
        }
    }
    Some(DemoCredentials {
        api_key: api_key?,
        bots,
        groups,
    })
}

/// A `curl` line that works against this server with these credentials.
pub fn curl_line(http: SocketAddr, creds: &DemoCredentials) -> Option<String> {
    let (bot, code) = creds.bots.first()?;
    let q = |s: &str| smartbots::reply::escape(s);
    Some(format!(
        "curl 'http://{http}/api/bot.html?action=status&apikey={}&botname={}&secret={}'",
        q(&creds.api_key),
        q(bot),
        q(code)
    ))
}

/// The banner `serve` prints.
pub fn banner(
    http: SocketAddr,
    simplex: SocketAddr,
    data: &Path,
    database: &str,
    creds: Option<&DemoCredentials>,
    fresh: bool,
) -> String {
    let mut s = format!(
        "botgrid {} is running\n  SmartBots API  http://{http}/api/bot.html\n  SimpleX API    ws://{simplex}\n  database       {database}\n",
        env!("CARGO_PKG_VERSION")
    );
    if let Some(c) = creds {
        let file = credentials_path(data);
        s.push_str(&format!(
            "\n{} (also in {}):\n  API key   {}\n",
            if fresh {
                "Demo world created"
            } else {
                "Demo world"
            },
            file.display(),
            c.api_key
        ));
        for (bot, code) in &c.bots {
            s.push_str(&format!("  bot       {bot:<14} access code {code}\n"));
        }
        for (group, code) in &c.groups {
            s.push_str(&format!(
                "  group     {group} (served by Ada), security code {code}\n"
            ));
        }
        if let Some(line) = curl_line(http, c) {
            s.push_str(&format!("\nTry it:\n  {line}\n"));
        }
    }
    s.push_str("\nStop with Ctrl-C.\n");
    s
}
