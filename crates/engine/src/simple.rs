//! The Simple Groups API's side of the grid: a group owner who holds only the group's
//! security code has the group's serving bot invite, eject and chat, and registers
//! callbacks for the group's chat.
//!
//! Everything is done as the serving bot, under the same rules as when the bot is
//! driven directly: it needs the powers, and for invitations and ejections it must be
//! online (its chat waits for it).

use crate::Engine;
use crate::auth::{self, Subject};
use crate::bot::{After, Executed};
use grid::callback::{self, CallbackScope};
use grid::command::{BotCommand, Reply};
use grid::group::{Group, GroupId, RoleKind};
use grid::secret::{self, Digest};
use grid::{AvatarId, Error, Event, Uuid};
use store::Tx;

/// How a Simple Groups caller proves it speaks for the group.
#[derive(Clone)]
pub enum GroupSecret {
    /// The security code itself (`secret`).
    Code(String),
    /// Its SHA-1, 40 hex digits (`secret_sha1`).
    Sha1(String),
}

/// What a Simple Groups caller presents: `apikey`, `group`, and the secret.
#[derive(Clone)]
pub struct GroupCredentials {
    pub apikey: String,
    pub group: String,
    pub secret: GroupSecret,
}

impl std::fmt::Debug for GroupCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCredentials")
            .field("group", &self.group)
            .finish_non_exhaustive()
    }
}

/// Something asked of a group through the Simple Groups API.
#[derive(Clone, Debug, PartialEq)]
pub enum GroupCommand {
    /// Invite an avatar, into a role named `role` (Everyone when `None`).
    Invite {
        avatar: Uuid,
        role: Option<String>,
        message: String,
        /// Invite members too (into the role).
        force: bool,
        /// Skip avatars invited within this many seconds.
        cooldown_secs: u32,
        location: Option<String>,
        misc: Option<String>,
    },
    /// Eject a member; a message, if any, reaches it as an IM from the serving bot.
    Eject { avatar: Uuid, message: String },
    /// Say something in the group's chat.
    SendGroupMessage { message: String },
    /// Register an application's URL for the group's chat (an empty URL removes it).
    SetCallback {
        app_uuid: String,
        app_name: String,
        url: String,
    },
}

/// The answer of a Simple Groups command.
#[derive(Clone, Debug, PartialEq)]
pub enum GroupReply {
    Done,
    /// A callback was registered or removed: the group's identifiers.
    Callback {
        group_uuid: Uuid,
        group_id: GroupId,
        /// The new registration's signing secret (`None` when the URL was removed).
        signing_secret: Option<String>,
    },
}

enum Step {
    Done(Executed, GroupReply),
    Verify { subject: Subject, phc: String },
}

/// Longest `misc` statistics tag.
pub const MAX_MISC: usize = 60;
/// Longest invitation cooldown.
pub const MAX_COOLDOWN_SECS: u32 = 86_400;

impl Engine {
    /// Runs a Simple Groups command for the group the credentials name.
    pub async fn group_command(
        &self,
        creds: &GroupCredentials,
        command: GroupCommand,
    ) -> Result<GroupReply, Error> {
        let presented = match &creds.secret {
            GroupSecret::Code(code) => secret::sha1_hex(code),
            GroupSecret::Sha1(hex) => secret::parse_sha1_hex(hex).ok_or(Error::InvalidSecret)?,
        };
        for _ in 0..2 {
            match self
                .try_group_command(creds.clone(), presented.clone(), command.clone())
                .await?
            {
                Step::Done(done, reply) => {
                    self.after_commit(done.after);
                    return Ok(reply);
                }
                Step::Verify { subject, phc } => {
                    self.inner
                        .auth
                        .verify_slowly(subject, phc, &presented)
                        .await?
                }
            }
        }
        Err(Error::internal("authentication did not settle"))
    }

    async fn try_group_command(
        &self,
        creds: GroupCredentials,
        presented: String,
        command: GroupCommand,
    ) -> Result<Step, Error> {
        let engine = self.clone();
        self.store()
            .write(move |tx| {
                auth::check_api_key(tx, &creds.apikey)?;
                let group =
                    tx.group_by_name(&creds.group)?
                        .ok_or_else(|| Error::GroupNotFound {
                            who: creds.group.clone(),
                        })?;
                let (hash, bot) = tx.group_service(group.id)?;
                let phc = hash.ok_or(Error::InvalidSecret)?;
                let subject = Subject::Group(group.id);
                if !engine
                    .inner
                    .auth
                    .remembered(subject, &phc, &Digest::of(&presented))
                {
                    return Ok(Step::Verify { subject, phc });
                }
                let bot = bot.ok_or(Error::NoServingBot)?;
                let (done, reply) = engine.run_group_command(tx, &group, bot, command)?;
                Ok(Step::Done(done, reply))
            })
            .await
    }

    fn run_group_command(
        &self,
        tx: &mut Tx<'_>,
        group: &Group,
        bot: AvatarId,
        command: GroupCommand,
    ) -> Result<(Executed, GroupReply), Error> {
        let serving = tx.avatar(bot)?.ok_or(Error::NoServingBot)?;
        let as_bot = |tx: &mut Tx<'_>, cmd| self.run_checked(tx, &serving, cmd);
        match command {
            GroupCommand::Invite {
                avatar,
                role,
                message,
                force,
                cooldown_secs,
                location,
                misc,
            } => {
                if misc.as_ref().is_some_and(|m| m.chars().count() > MAX_MISC) {
                    return Err(Error::invalid("misc", "has more than 60 characters"));
                }
                if cooldown_secs > MAX_COOLDOWN_SECS {
                    return Err(Error::invalid("cooldown", "is longer than 86400 seconds"));
                }
                let role = match role {
                    None => tx.role_of_kind(group.id, RoleKind::Everyone)?,
                    Some(name) => tx
                        .role_by_name(group.id, &name)?
                        .ok_or(Error::RoleNotFound { who: name })?,
                };
                if cooldown_secs > 0
                    && let Some(invitee) = tx.avatar_by_uuid(avatar)?
                    && let Some(last) = tx.last_invitation(group.id, invitee.id)?
                    && grid::group::within_cooldown(last, tx.now(), cooldown_secs)
                {
                    return Err(Error::InviteCooldown);
                }
                let done = as_bot(
                    tx,
                    BotCommand::GroupInvite {
                        avatar,
                        group: group.uuid,
                        role: role.uuid,
                        check_membership: !force,
                        message,
                        location,
                        misc,
                    },
                )?;
                Ok((done, GroupReply::Done))
            }
            GroupCommand::Eject { avatar, message } => {
                let mut done = as_bot(
                    tx,
                    BotCommand::GroupEject {
                        avatar,
                        group: group.uuid,
                        ignore_membership: false,
                    },
                )?;
                if !message.trim().is_empty() {
                    let im = as_bot(
                        tx,
                        BotCommand::Im {
                            to: grid::command::AvatarSelector::Key(avatar),
                            message,
                        },
                    )?;
                    done.after.extend(im.after);
                }
                Ok((done, GroupReply::Done))
            }
            GroupCommand::SendGroupMessage { message } => {
                let done = as_bot(
                    tx,
                    BotCommand::SendGroupMessage {
                        group: group.uuid,
                        message,
                    },
                )?;
                Ok((done, GroupReply::Done))
            }
            GroupCommand::SetCallback {
                app_uuid,
                app_name,
                url,
            } => {
                let signing_secret =
                    set_group_callback(tx, group, bot, &app_uuid, &app_name, &url)?;
                let done = Executed {
                    reply: Reply::Done,
                    after: vec![After::CallbacksChanged],
                };
                Ok((
                    done,
                    GroupReply::Callback {
                        group_uuid: group.uuid,
                        group_id: group.id,
                        signing_secret,
                    },
                ))
            }
        }
    }
}

/// Replaces (or, with an empty URL, removes) an application's registration for a group.
/// The old registration is told `callback_removed` and then retired; the new one is told
/// `callback_set` first of all. Returns the new registration's signing secret.
fn set_group_callback(
    tx: &mut Tx<'_>,
    group: &Group,
    bot: AvatarId,
    app_uuid: &str,
    app_name: &str,
    url: &str,
) -> Result<Option<String>, Error> {
    if app_uuid.trim().is_empty() {
        return Err(Error::invalid("app_uuid", "must not be empty"));
    }
    for old in tx.group_callbacks(group.id)? {
        if let CallbackScope::Group {
            app_uuid: old_app, ..
        } = &old.scope
            && old_app == app_uuid
        {
            retire(tx, group, old.id, old.bot.id)?;
        }
    }
    if url.trim().is_empty() {
        return Ok(None);
    }
    let url = callback::check_url(url)?;
    let cursor = tx.last_event_id(bot)?;
    let secret = grid::secret::new_signing_secret();
    let id =
        tx.insert_group_callback(bot, group.id, (app_uuid, app_name), &url, cursor, &secret)?;
    tx.emit(
        bot,
        Event::CallbackSet {
            callback: id,
            group: group.to_ref(),
        },
    )?;
    Ok(Some(secret))
}

/// Tells a registration it is removed, and removes it once that is delivered.
fn retire(
    tx: &mut Tx<'_>,
    group: &Group,
    callback: grid::CallbackId,
    bot: AvatarId,
) -> Result<(), Error> {
    let last = tx.emit(
        bot,
        Event::CallbackRemoved {
            callback,
            group: group.to_ref(),
        },
    )?;
    tx.retire_callback(callback, last)?;
    Ok(())
}

/// Sets a group's security code (removing its callbacks, as SmartBots does) or, with
/// `None`, turns the Simple Groups API off for it.
pub(crate) fn set_security(
    tx: &mut Tx<'_>,
    group: &Group,
    hash: Option<&str>,
) -> Result<(), Error> {
    tx.set_group_security(group.id, hash)?;
    for cb in tx.group_callbacks(group.id)? {
        retire(tx, group, cb.id, cb.bot.id)?;
    }
    Ok(())
}

/// Makes `bot` the group's serving bot; its registrations follow the new bot from now.
pub(crate) fn set_serving_bot(tx: &mut Tx<'_>, group: &Group, bot: AvatarId) -> Result<(), Error> {
    tx.set_serving_bot(group.id, Some(bot))?;
    let cursor = tx.last_event_id(bot)?;
    tx.move_group_callbacks(group.id, bot, cursor)?;
    Ok(())
}
