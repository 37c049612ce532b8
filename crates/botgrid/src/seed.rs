//! `botgrid admin seed FILE`: a whole world from a JSON file, created in one
//! transaction (all of it or nothing). Used to set up benchmarks and test worlds.
//!
//! ```json
//! {
//!   "developers": [{"name": "Shop", "api_key": "bgk_…"}],
//!   "avatars": [
//!     {"name": "Ada Resident", "bot": true, "access_code": "…", "about": "…",
//!      "home": "Region/128/128/25", "picks": [{"name": "Garden", "description": ""}]},
//!     {"name": "Bench Bot1", "bot": true, "token": "bgt_…", "money": 1000},
//!     {"name": "Sam Resident"}
//!   ],
//!   "friendships": [["Ada Resident", "Sam Resident"]],
//!   "regions": [{"name": "Market", "estate": "Shops", "managers": ["Ada Resident"]}],
//!   "groups": [{"name": "Builders", "founder": "Ada Resident", "charter": "", "open": false,
//!               "fee": 0, "roles": [{"name": "Greeters", "title": "Greeter", "powers": "Invite"}],
//!               "members": [{"name": "Sam Resident", "roles": ["Greeters"]}],
//!               "security_code": "…", "serving_bot": "Ada Resident"}]
//! }
//! ```
//!
//! A bot given a `token` and no `access_code` is token-only: it has no access code and
//! only that API token drives it (no slow hashing, for seeding thousands of bots).

use engine::{AvatarSpec, GroupSpec, RegionSpec, Seed};
use grid::group::Powers;
use grid::{AvatarKind, LegacyName, Location};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedFile {
    #[serde(default)]
    pub developers: Vec<DeveloperEntry>,
    #[serde(default)]
    pub avatars: Vec<AvatarEntry>,
    #[serde(default)]
    pub friendships: Vec<(String, String)>,
    #[serde(default)]
    pub groups: Vec<GroupEntry>,
    #[serde(default)]
    pub regions: Vec<RegionEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionEntry {
    pub name: String,
    #[serde(default = "mainland")]
    pub estate: String,
    #[serde(default)]
    pub managers: Vec<String>,
}

fn mainland() -> String {
    "Mainland".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeveloperEntry {
    pub name: String,
    pub api_key: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AvatarEntry {
    pub name: String,
    #[serde(default)]
    pub bot: bool,
    pub access_code: Option<String>,
    pub token: Option<String>,
    #[serde(default)]
    pub about: String,
    pub home: Option<String>,
    #[serde(default)]
    pub picks: Vec<PickEntry>,
    /// L$ granted on creation.
    #[serde(default)]
    pub money: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PickEntry {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupEntry {
    pub name: String,
    pub founder: String,
    #[serde(default)]
    pub charter: String,
    #[serde(default)]
    pub open: bool,
    #[serde(default)]
    pub fee: i64,
    #[serde(default)]
    pub roles: Vec<RoleEntry>,
    #[serde(default)]
    pub members: Vec<MemberEntry>,
    pub security_code: Option<String>,
    pub serving_bot: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleEntry {
    pub name: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub powers: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberEntry {
    pub name: String,
    #[serde(default)]
    pub roles: Vec<String>,
}

fn name(text: &str) -> Result<LegacyName, String> {
    LegacyName::parse(text).map_err(|e| format!("{text:?} is not a name: {e}"))
}

impl SeedFile {
    /// Reads and checks a seed file.
    pub fn read(path: &std::path::Path) -> Result<SeedFile, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The engine's seed.
    pub fn into_seed(self) -> Result<Seed, String> {
        let mut seed = Seed {
            developers: self
                .developers
                .into_iter()
                .map(|d| (d.name, d.api_key))
                .collect(),
            ..Seed::default()
        };
        for a in self.avatars {
            let avatar_name = name(&a.name)?;
            let home = a
                .home
                .map(|h| Location::parse(&h).map_err(|e| format!("{}: home: {e}", a.name)))
                .transpose()?;
            if let Some(token) = &a.token {
                if !a.bot {
                    return Err(format!("{}: only bots have tokens", a.name));
                }
                if !token.starts_with(grid::secret::TOKEN_PREFIX) || token.len() < 24 {
                    return Err(format!(
                        "{}: a token starts with bgt_ and has at least 24 characters",
                        a.name
                    ));
                }
                seed.tokens.push((avatar_name.clone(), token.clone()));
            }
            seed.avatars.push(AvatarSpec {
                about: a.about,
                home,
                picks: a
                    .picks
                    .into_iter()
                    .map(|p| (p.name, p.description))
                    .collect(),
                token_only: a.bot && a.token.is_some() && a.access_code.is_none(),
                money: a.money,
                access_code: a.access_code,
                ..AvatarSpec::new(
                    avatar_name,
                    if a.bot {
                        AvatarKind::Bot
                    } else {
                        AvatarKind::Person
                    },
                )
            });
        }
        for (a, b) in self.friendships {
            seed.friendships.push((name(&a)?, name(&b)?));
        }
        for g in self.groups {
            let mut roles = Vec::new();
            for r in g.roles {
                let powers = Powers::parse(&r.powers)
                    .map_err(|e| format!("{}: role {}: {e}", g.name, r.name))?;
                roles.push((r.name, r.title, powers));
            }
            let mut members = Vec::new();
            for m in g.members {
                members.push((name(&m.name)?, m.roles));
            }
            seed.groups.push(GroupSpec {
                charter: g.charter,
                open_enrollment: g.open,
                fee: g.fee,
                roles,
                members,
                security_code: g.security_code,
                serving_bot: g.serving_bot.as_deref().map(name).transpose()?,
                ..GroupSpec::new(&g.name, name(&g.founder)?)
            });
        }
        for r in self.regions {
            seed.regions.push(RegionSpec {
                managers: r
                    .managers
                    .iter()
                    .map(|m| name(m))
                    .collect::<Result<_, _>>()?,
                name: r.name,
                estate: r.estate,
            });
        }
        Ok(seed)
    }
}
