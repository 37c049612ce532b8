//! Operator commands: developers, avatars, access codes and tokens, groups.
//!
//! These are what `botgrid admin` runs. They work on the store directly, so they take
//! effect at once whether or not a server is running on the same database.

use crate::Engine;
use grid::group::{self as group_rules, Group, Powers, Role, RoleKind};
use grid::secret::{self, Digest};
use grid::{
    Avatar, AvatarKind, Developer, Error, LegacyName, Location, Pick, Rights, TokenId, TokenInfo,
    Uuid,
};
use store::{NewAvatar, NewGroup, StoreError, Tx};

/// An avatar to create.
#[derive(Clone, Debug)]
pub struct AvatarSpec {
    pub name: LegacyName,
    pub kind: AvatarKind,
    pub about: String,
    pub home: Option<Location>,
    /// Picks (name, description) for the profile.
    pub picks: Vec<(String, String)>,
    /// For bots: the access code to set; a random one is made when `None`.
    pub access_code: Option<String>,
    /// For bots: no access code at all; only its API tokens let callers drive it
    /// (seeding many bots without paying for many Argon2 hashes).
    pub token_only: bool,
    /// L$ granted to it on creation.
    pub money: i64,
}

impl AvatarSpec {
    /// A plain avatar of the given kind.
    pub fn new(name: LegacyName, kind: AvatarKind) -> Self {
        AvatarSpec {
            name,
            kind,
            about: String::new(),
            home: None,
            picks: vec![],
            access_code: None,
            token_only: false,
            money: 0,
        }
    }
}

/// A bot that was created, with its access code in clear (shown once).
#[derive(Clone, Debug)]
pub struct NewBot {
    pub avatar: Avatar,
    pub access_code: String,
}

fn taken(e: StoreError, what: &str) -> Error {
    if e.is_unique_violation() {
        Error::invalid("name", format!("{what} is taken"))
    } else {
        e.into()
    }
}

/// Hashes access codes on the blocking pool: Argon2 is slow on purpose.
async fn hash_code(code: String) -> Result<String, Error> {
    tokio::task::spawn_blocking(move || secret::hash_access_code(&code))
        .await
        .map_err(Error::internal)?
}

pub(crate) fn bot_named(tx: &mut Tx<'_>, name: &LegacyName) -> Result<Avatar, Error> {
    tx.avatar_by_name(name)?
        .filter(|a| a.kind == AvatarKind::Bot)
        .ok_or(Error::BotNotFound)
}

fn avatar_named(tx: &mut Tx<'_>, name: &LegacyName) -> Result<Avatar, Error> {
    tx.avatar_by_name(name)?
        .ok_or_else(|| Error::AvatarNotFound {
            who: name.to_string(),
        })
}

struct Prepared {
    spec: AvatarSpec,
    code: Option<(String, String)>,
}

impl Prepared {
    /// The bot's access code in clear, to show once (none for people and token-only bots).
    fn clear_code(&self) -> Option<String> {
        self.code
            .as_ref()
            .map(|(c, _)| c.clone())
            .filter(|c| !c.is_empty())
    }
}

async fn prepare(spec: AvatarSpec) -> Result<Prepared, Error> {
    let code = match spec.kind {
        AvatarKind::Person => None,
        AvatarKind::Bot if spec.token_only => Some((String::new(), String::new())),
        AvatarKind::Bot => {
            let code = match &spec.access_code {
                Some(c) => {
                    secret::check_access_code(c).map_err(|r| Error::invalid("access code", r))?;
                    c.clone()
                }
                None => secret::new_access_code(),
            };
            Some((code.clone(), hash_code(code).await?))
        }
    };
    Ok(Prepared { spec, code })
}

fn insert(tx: &mut Tx<'_>, p: &Prepared) -> Result<Avatar, Error> {
    let avatar = tx
        .insert_avatar(&NewAvatar {
            uuid: Uuid::new_v4(),
            name: p.spec.name.clone(),
            display_name: p.spec.name.to_string(),
            kind: p.spec.kind,
            about: p.spec.about.clone(),
            home: p.spec.home.clone(),
        })
        .map_err(|e| taken(e, &format!("the name {}", p.spec.name)))?;
    if let Some((_, hash)) = &p.code {
        tx.insert_bot(avatar.id, hash)?;
    }
    for (name, description) in &p.spec.picks {
        tx.insert_pick(avatar.id, name, description)?;
    }
    if p.spec.money > 0 {
        crate::money::pay(
            tx,
            crate::money::Payment {
                from: None,
                to: &avatar,
                amount: p.spec.money,
                kind: grid::money::TransferKind::Grant,
                comment: "starting money",
                tag: None,
            },
        )?;
    }
    Ok(avatar)
}

/// A whole small world to create in one transaction (the demo, benchmarks, tests).
#[derive(Clone, Debug, Default)]
pub struct Seed {
    /// Developers: name and API key.
    pub developers: Vec<(String, String)>,
    pub avatars: Vec<AvatarSpec>,
    /// Pairs of avatars (by name) to make friends.
    pub friendships: Vec<(LegacyName, LegacyName)>,
    pub groups: Vec<GroupSpec>,
    /// API tokens to issue: bot name and token (in clear; stored as digests).
    pub tokens: Vec<(LegacyName, String)>,
    pub regions: Vec<RegionSpec>,
    /// A setting to write in the same transaction, to mark the seed as done.
    pub marker: Option<(String, String)>,
}

/// A region to create, with its estate managers.
#[derive(Clone, Debug)]
pub struct RegionSpec {
    pub name: String,
    pub estate: String,
    pub managers: Vec<LegacyName>,
}

/// A group to create, with its roles and members.
#[derive(Clone, Debug)]
pub struct GroupSpec {
    pub name: String,
    pub founder: LegacyName,
    pub charter: String,
    pub open_enrollment: bool,
    pub fee: i64,
    /// Custom roles: name, title, powers.
    pub roles: Vec<(String, String, Powers)>,
    /// Members besides the founder, with the roles (by name) they hold beyond Everyone.
    pub members: Vec<(LegacyName, Vec<String>)>,
    /// Simple Groups security code.
    pub security_code: Option<String>,
    /// The bot that serves the group for the Simple Groups API.
    pub serving_bot: Option<LegacyName>,
}

impl GroupSpec {
    /// A group with no roles or members besides its founder.
    pub fn new(name: &str, founder: LegacyName) -> Self {
        GroupSpec {
            name: name.to_owned(),
            founder,
            charter: String::new(),
            open_enrollment: false,
            fee: 0,
            roles: vec![],
            members: vec![],
            security_code: None,
            serving_bot: None,
        }
    }
}

/// Creates a group, its roles and members, as the operator: no powers are checked.
fn insert_group(
    tx: &mut Tx<'_>,
    spec: &GroupSpec,
    code_hash: Option<&str>,
) -> Result<Group, Error> {
    let name = group_rules::check_group_name(&spec.name)?;
    let founder = avatar_named(tx, &spec.founder)?;
    if tx.group_by_name(&name)?.is_some() {
        return Err(Error::invalid(
            "name",
            format!("a group named {name} exists"),
        ));
    }
    let group = tx.insert_group(&NewGroup {
        name,
        charter: spec.charter.clone(),
        open_enrollment: spec.open_enrollment,
        fee: spec.fee,
        founder: founder.id,
    })?;
    for (name, title, powers) in &spec.roles {
        tx.insert_role(
            group.id,
            RoleKind::Custom,
            Uuid::new_v4(),
            name,
            title,
            "",
            *powers,
        )
        .map_err(|e| taken(e, &format!("the role {name}")))?;
    }
    let everyone = tx.role_of_kind(group.id, RoleKind::Everyone)?;
    for (member, roles) in &spec.members {
        let avatar = avatar_named(tx, member)?;
        let mut ids = vec![everyone.id];
        for role in roles {
            let r = tx
                .role_by_name(group.id, role)?
                .ok_or_else(|| Error::RoleNotFound { who: role.clone() })?;
            ids.push(r.id);
        }
        let active = *ids.last().unwrap_or(&everyone.id);
        tx.add_member(group.id, avatar.id, &ids, active)
            .map_err(|e| taken(e, &format!("membership of {member}")))?;
    }
    if let Some(hash) = code_hash {
        crate::simple::set_security(tx, &group, Some(hash))?;
    }
    if let Some(bot) = &spec.serving_bot {
        let bot = bot_named(tx, bot)?;
        crate::simple::set_serving_bot(tx, &group, bot.id)?;
    }
    Ok(group)
}

/// Hashes a group security code for storage: Argon2id of its SHA-1 hex.
async fn hash_group_code(code: &str) -> Result<String, Error> {
    hash_code(secret::sha1_hex(code)).await
}

impl Engine {
    /// Creates a developer; returns it with its API key in clear (shown once).
    pub async fn create_developer(
        &self,
        name: &str,
        api_key: Option<String>,
    ) -> Result<(Developer, String), Error> {
        let key = match api_key {
            Some(k) => {
                secret::check_api_key(&k).map_err(|r| Error::invalid("api key", r))?;
                k
            }
            None => secret::new_api_key(),
        };
        let name = name.to_owned();
        let digest = Digest::of(&key);
        let dev = self
            .store()
            .write(move |tx| {
                tx.insert_developer(&name, &digest)
                    .map_err(|e| taken(e, "that API key"))
            })
            .await?;
        Ok((dev, key))
    }

    /// Every developer.
    pub async fn developers(&self) -> Result<Vec<Developer>, Error> {
        self.store().read(|tx| Ok(tx.developers()?)).await
    }

    /// Creates an avatar; for a bot, also its access (the code is returned in clear).
    pub async fn create_avatar(&self, spec: AvatarSpec) -> Result<(Avatar, Option<String>), Error> {
        let prepared = prepare(spec).await?;
        let code = prepared.clear_code();
        let avatar = self.store().write(move |tx| insert(tx, &prepared)).await?;
        Ok((avatar, code))
    }

    /// Every avatar, by name.
    pub async fn avatars(&self) -> Result<Vec<Avatar>, Error> {
        self.store().read(|tx| Ok(tx.avatars()?)).await
    }

    /// Sets (or, with `None`, randomly renews) a bot's access code; returns it.
    /// Callers holding the old code are refused from the next request on.
    pub async fn set_access_code(
        &self,
        bot: &LegacyName,
        code: Option<String>,
    ) -> Result<String, Error> {
        let code = match code {
            Some(c) => {
                secret::check_access_code(&c).map_err(|r| Error::invalid("access code", r))?;
                c
            }
            None => secret::new_access_code(),
        };
        let hash = hash_code(code.clone()).await?;
        let bot = bot.clone();
        self.store()
            .write(move |tx| {
                let bot = bot_named(tx, &bot)?;
                tx.set_bot_code(bot.id, &hash)?;
                Ok(())
            })
            .await?;
        Ok(code)
    }

    /// Issues an API token for a bot; returns it in clear (shown once).
    pub async fn create_token(
        &self,
        bot: &LegacyName,
        label: &str,
    ) -> Result<(TokenInfo, String), Error> {
        let token = secret::new_token();
        let digest = Digest::of(&token);
        let (bot, label) = (bot.clone(), label.to_owned());
        let info = self
            .store()
            .write(move |tx| {
                let bot = bot_named(tx, &bot)?;
                Ok(tx.insert_token(bot.id, &digest, &label)?)
            })
            .await?;
        Ok((info, token))
    }

    /// A bot's tokens.
    pub async fn tokens(&self, bot: &LegacyName) -> Result<Vec<TokenInfo>, Error> {
        let bot = bot.clone();
        self.store()
            .read(move |tx| {
                let bot = bot_named(tx, &bot)?;
                Ok(tx.tokens(bot.id)?)
            })
            .await
    }

    /// Revokes a bot's token; callers using it are refused from the next request on.
    pub async fn revoke_token(&self, bot: &LegacyName, token: TokenId) -> Result<(), Error> {
        let bot = bot.clone();
        self.store()
            .write(move |tx| {
                let bot = bot_named(tx, &bot)?;
                if tx.revoke_token(bot.id, token)? {
                    Ok(())
                } else {
                    Err(Error::invalid(
                        "token",
                        format!("{} has no live token {token}", bot.name),
                    ))
                }
            })
            .await
    }

    /// Adds a pick to an avatar's profile.
    pub async fn add_pick(
        &self,
        avatar: &LegacyName,
        name: &str,
        description: &str,
    ) -> Result<Pick, Error> {
        let (avatar, name, description) = (avatar.clone(), name.to_owned(), description.to_owned());
        self.store()
            .write(move |tx| {
                let avatar = avatar_named(tx, &avatar)?;
                Ok(tx.insert_pick(avatar.id, &name, &description)?)
            })
            .await
    }

    /// Sets an avatar's profile text.
    pub async fn set_about(&self, avatar: &LegacyName, about: &str) -> Result<(), Error> {
        let (avatar, about) = (avatar.clone(), about.to_owned());
        self.store()
            .write(move |tx| {
                let avatar = avatar_named(tx, &avatar)?;
                Ok(tx.set_about(avatar.id, &about)?)
            })
            .await
    }

    /// Makes two avatars friends with the rights a new friendship has.
    pub async fn make_friends(&self, a: &LegacyName, b: &LegacyName) -> Result<(), Error> {
        let (a, b) = (a.clone(), b.clone());
        self.store().write(move |tx| befriend(tx, &a, &b)).await
    }

    /// Reads an installation setting.
    pub async fn setting(&self, name: &str) -> Result<Option<String>, Error> {
        let name = name.to_owned();
        self.store().read(move |tx| Ok(tx.setting(&name)?)).await
    }

    /// Creates a group as the operator; its founder becomes its owner.
    pub async fn create_group(&self, spec: GroupSpec) -> Result<Group, Error> {
        let hash = match &spec.security_code {
            Some(code) => Some(hash_group_code(code).await?),
            None => None,
        };
        self.store()
            .write(move |tx| insert_group(tx, &spec, hash.as_deref()))
            .await
    }

    /// Every group.
    pub async fn groups(&self) -> Result<Vec<Group>, Error> {
        self.store().read(|tx| Ok(tx.groups()?)).await
    }

    /// A group's roles.
    pub async fn group_roles(&self, group: &str) -> Result<Vec<Role>, Error> {
        let group = group.to_owned();
        self.store()
            .read(move |tx| {
                let g = tx
                    .group_by_name(&group)?
                    .ok_or(Error::GroupNotFound { who: group })?;
                Ok(tx.roles(g.id)?)
            })
            .await
    }

    /// Adds a role to a group as the operator.
    pub async fn add_group_role(
        &self,
        group: &str,
        name: &str,
        title: &str,
        powers: Powers,
    ) -> Result<Role, Error> {
        let (group, name, title) = (group.to_owned(), name.to_owned(), title.to_owned());
        self.store()
            .write(move |tx| {
                let g = tx
                    .group_by_name(&group)?
                    .ok_or(Error::GroupNotFound { who: group })?;
                tx.insert_role(
                    g.id,
                    RoleKind::Custom,
                    Uuid::new_v4(),
                    &name,
                    &title,
                    "",
                    powers,
                )
                .map_err(|e| taken(e, &format!("the role {name}")))
            })
            .await
    }

    /// Makes an avatar a member of a group (if it is not), holding these roles too.
    pub async fn add_group_member(
        &self,
        group: &str,
        avatar: &LegacyName,
        roles: &[String],
    ) -> Result<(), Error> {
        let (group, avatar, roles) = (group.to_owned(), avatar.clone(), roles.to_vec());
        self.store()
            .write(move |tx| {
                let g = tx
                    .group_by_name(&group)?
                    .ok_or(Error::GroupNotFound { who: group })?;
                let a = avatar_named(tx, &avatar)?;
                let everyone = tx.role_of_kind(g.id, RoleKind::Everyone)?;
                let mut ids = vec![everyone.id];
                for role in &roles {
                    let r = tx
                        .role_by_name(g.id, role)?
                        .ok_or_else(|| Error::RoleNotFound { who: role.clone() })?;
                    ids.push(r.id);
                }
                if tx.membership(g.id, a.id)?.is_none() {
                    let active = *ids.last().unwrap_or(&everyone.id);
                    tx.add_member(g.id, a.id, &ids, active)?;
                } else {
                    for id in ids {
                        tx.add_member_role(g.id, a.id, id)?;
                    }
                }
                Ok(())
            })
            .await
    }

    /// Sets (or, with `None`, renews randomly) a group's Simple Groups security code;
    /// returns it. The group's callbacks are removed, as SmartBots does.
    pub async fn set_group_code(&self, group: &str, code: Option<String>) -> Result<String, Error> {
        let code = match code {
            Some(c) => {
                secret::check_access_code(&c).map_err(|r| Error::invalid("security code", r))?;
                c
            }
            None => secret::new_access_code(),
        };
        let hash = hash_group_code(&code).await?;
        let group = group.to_owned();
        let engine = self.clone();
        self.store()
            .write(move |tx| {
                let g = tx
                    .group_by_name(&group)?
                    .ok_or(Error::GroupNotFound { who: group })?;
                crate::simple::set_security(tx, &g, Some(&hash))
            })
            .await?;
        engine.after_commit(vec![crate::bot::After::CallbacksChanged]);
        Ok(code)
    }

    /// Sets the bot that serves a group for the Simple Groups API.
    pub async fn set_serving_bot(&self, group: &str, bot: &LegacyName) -> Result<(), Error> {
        let (group, bot) = (group.to_owned(), bot.clone());
        self.store()
            .write(move |tx| {
                let g = tx
                    .group_by_name(&group)?
                    .ok_or(Error::GroupNotFound { who: group })?;
                let b = bot_named(tx, &bot)?;
                crate::simple::set_serving_bot(tx, &g, b.id)
            })
            .await?;
        self.after_commit(vec![crate::bot::After::CallbacksChanged]);
        Ok(())
    }

    /// Creates a whole world in one transaction: all of it or nothing.
    /// Returns the created avatars with the access codes of the bots.
    pub async fn seed(&self, seed: Seed) -> Result<Vec<(Avatar, Option<String>)>, Error> {
        let mut prepared = Vec::with_capacity(seed.avatars.len());
        for spec in seed.avatars {
            prepared.push(prepare(spec).await?);
        }
        let mut developers = Vec::new();
        for (name, key) in seed.developers {
            secret::check_api_key(&key).map_err(|r| Error::invalid("api key", r))?;
            developers.push((name, Digest::of(&key)));
        }
        let friendships = seed.friendships;
        let marker = seed.marker;
        let regions = seed.regions;
        for r in &regions {
            grid::region::check_region_name(&r.name)?;
        }
        let mut groups = Vec::new();
        for spec in seed.groups {
            let hash = match &spec.security_code {
                Some(code) => Some(hash_group_code(code).await?),
                None => None,
            };
            groups.push((spec, hash));
        }
        let tokens: Vec<(LegacyName, Digest)> = seed
            .tokens
            .iter()
            .map(|(bot, token)| (bot.clone(), Digest::of(token)))
            .collect();
        self.store()
            .write(move |tx| {
                for (name, digest) in &developers {
                    tx.insert_developer(name, digest)
                        .map_err(|e| taken(e, "that API key"))?;
                }
                let mut made = Vec::new();
                for p in &prepared {
                    made.push((insert(tx, p)?, p.clear_code()));
                }
                for (a, b) in &friendships {
                    befriend(tx, a, b)?;
                }
                for (spec, hash) in &groups {
                    insert_group(tx, spec, hash.as_deref())?;
                }
                for (bot, digest) in &tokens {
                    let bot = bot_named(tx, bot)?;
                    tx.insert_token(bot.id, digest, "seed")?;
                }
                for r in &regions {
                    crate::places::insert_region(tx, r)?;
                }
                if let Some((name, value)) = &marker {
                    tx.set_setting(name, value)?;
                }
                Ok(made)
            })
            .await
    }
}

fn befriend(tx: &mut Tx<'_>, a: &LegacyName, b: &LegacyName) -> Result<(), Error> {
    let a = avatar_named(tx, a)?;
    let b = avatar_named(tx, b)?;
    if a.id == b.id {
        return Err(Error::NotForSelf { what: "befriend" });
    }
    if tx.rights(a.id, b.id)?.is_some() {
        return Err(Error::AlreadyFriends);
    }
    tx.insert_friendship(a.id, b.id, Rights::NEW_FRIENDSHIP)?;
    Ok(())
}
