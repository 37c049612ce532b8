//! Where avatars are: location, teleports, walking and flying, local chat and who is
//! around.

use crate::bot::{Executed, deliver, done};
use grid::command::{BotCommand, NearbyAvatar, Reply};
use grid::region::{self, RegionState, TeleportStatus};
use grid::{Avatar, Error, Event, Location, StartLocation};
use store::Tx;

/// Where the avatar is, or its home, or nowhere.
fn here(bot: &Avatar) -> Result<Location, Error> {
    bot.location
        .clone()
        .or_else(|| bot.home.clone())
        .ok_or_else(|| Error::invalid("location", "the bot is nowhere: teleport it first"))
}

fn progress(
    tx: &mut Tx<'_>,
    bot: &Avatar,
    status: TeleportStatus,
    message: &str,
    at: &Location,
) -> Result<(), Error> {
    tx.emit(
        bot.id,
        Event::TeleportProgress {
            status,
            message: message.to_owned(),
            location: at.to_string(),
        },
    )?;
    Ok(())
}

fn teleport(
    tx: &mut Tx<'_>,
    bot: &Avatar,
    to: StartLocation,
    save: bool,
) -> Result<Executed, Error> {
    let from = here(bot)?;
    let target = match to {
        StartLocation::Home => bot
            .home
            .clone()
            .ok_or_else(|| Error::invalid("location", "the bot has no home location"))?,
        StartLocation::At(l) => l,
    };
    // A teleport that cannot start fails at once, in the reply (a failed command writes
    // nothing, so no teleport_status either).
    let region = match tx.region_by_name(&target.region)? {
        Some(r) if r.state == RegionState::Online => r,
        Some(r) => {
            return Err(Error::invalid(
                "location",
                format!("region {} is restarting", r.name),
            ));
        }
        None => {
            return Err(Error::RegionNotFound {
                name: target.region.clone(),
            });
        }
    };
    progress(tx, bot, TeleportStatus::Start, "Teleport started", &from)?;
    // The region's own spelling of its name.
    let arrived = Location {
        region: region.name,
        ..target
    };
    tx.set_location(bot.id, &arrived, save)?;
    tx.set_motion(bot.id, false, None)?;
    progress(
        tx,
        bot,
        TeleportStatus::Finished,
        "Teleport finished",
        &arrived,
    )?;
    done(Reply::Done)
}

fn say(tx: &mut Tx<'_>, bot: &Avatar, channel: i32, message: String) -> Result<Executed, Error> {
    region::check_chat(&message)?;
    if channel < 0 {
        return Err(Error::invalid(
            "channel",
            "avatars chat on channel 0 or above",
        ));
    }
    let at = here(bot)?;
    // Avatars hear channel 0 only; other channels are for scripts (objects).
    if channel == 0 {
        for other in tx.online_in_region(&at.region)? {
            if other.id == bot.id {
                continue;
            }
            let near = other
                .location
                .as_ref()
                .and_then(|l| region::distance(&at, l))
                .is_some_and(|d| d <= region::SAY_RANGE);
            if near {
                deliver(
                    tx,
                    &other,
                    Event::ChatHeard {
                        channel,
                        speaker: bot.to_ref(),
                        message: message.clone(),
                    },
                )?;
            }
        }
    }
    done(Reply::Done)
}

fn nearby(tx: &mut Tx<'_>, bot: &Avatar) -> Result<Executed, Error> {
    let at = here(bot)?;
    let mut seen: Vec<NearbyAvatar> = tx
        .online_in_region(&at.region)?
        .into_iter()
        .filter(|a| a.id != bot.id)
        .filter_map(|a| {
            let location = a.location.clone()?;
            let distance = region::distance(&at, &location)?;
            (distance <= region::SCAN_RANGE).then(|| NearbyAvatar {
                name: a.name.to_string(),
                uuid: a.uuid,
                location,
                distance,
            })
        })
        .collect();
    seen.sort_by(|a, b| a.distance.total_cmp(&b.distance));
    done(Reply::Nearby(seen))
}

/// The commands about place and movement.
pub(crate) fn execute(
    tx: &mut Tx<'_>,
    bot: &Avatar,
    command: BotCommand,
) -> Result<Executed, Error> {
    match command {
        BotCommand::BotLocation => done(Reply::Location(here(bot)?)),
        BotCommand::Teleport { to, save } => teleport(tx, bot, to, save),
        BotCommand::WalkTo { x, y, z } => {
            let at = here(bot)?;
            let to = Location::parse(&format!("{}/{x}/{y}/{z}", at.region))
                .map_err(|e| Error::invalid("coords", e.0))?;
            tx.set_location(bot.id, &to, false)?;
            done(Reply::Done)
        }
        BotCommand::Fly { on } => {
            let (_, moving) = tx.motion(bot.id)?;
            tx.set_motion(bot.id, on, moving.as_deref())?;
            done(Reply::Done)
        }
        BotCommand::Move { instruction, start } => {
            let (flying, moving) = tx.motion(bot.id)?;
            let instruction = instruction.to_ascii_uppercase();
            match (instruction.as_str(), start) {
                ("STOP", _) => tx.set_motion(bot.id, flying, None)?,
                ("FLY", on) => tx.set_motion(bot.id, on, moving.as_deref())?,
                ("FORWARD" | "BACKWARD" | "LEFT" | "RIGHT", true) => {
                    tx.set_motion(bot.id, flying, Some(&instruction))?
                }
                ("FORWARD" | "BACKWARD" | "LEFT" | "RIGHT", false) => {
                    let still = moving.filter(|m| *m != instruction);
                    tx.set_motion(bot.id, flying, still.as_deref())?
                }
                _ => {
                    return Err(Error::invalid(
                        "instruction",
                        "expected FORWARD, BACKWARD, LEFT, RIGHT, FLY or STOP",
                    ));
                }
            }
            done(Reply::Done)
        }
        BotCommand::SayChat { channel, message } => say(tx, bot, channel, message),
        BotCommand::NearbyAvatars => nearby(tx, bot),
        other => Err(Error::internal(format!("not a place command: {other:?}"))),
    }
}

/// Whether a command is one of [`execute`]'s.
pub(crate) fn handles(command: &BotCommand) -> bool {
    matches!(
        command,
        BotCommand::BotLocation
            | BotCommand::Teleport { .. }
            | BotCommand::WalkTo { .. }
            | BotCommand::Fly { .. }
            | BotCommand::Move { .. }
            | BotCommand::SayChat { .. }
            | BotCommand::NearbyAvatars
    )
}

/// Makes a region with its estate managers.
pub(crate) fn insert_region(
    tx: &mut Tx<'_>,
    spec: &crate::admin::RegionSpec,
) -> Result<region::Region, Error> {
    region::check_region_name(&spec.name)?;
    if tx.region_by_name(&spec.name)?.is_some() {
        return Err(Error::invalid("region", "a region has that name"));
    }
    let r = tx.insert_region(&spec.name, &spec.estate)?;
    for m in &spec.managers {
        let a = tx
            .avatar_by_name(m)?
            .ok_or_else(|| Error::AvatarNotFound { who: m.to_string() })?;
        tx.add_estate_manager(r.id, a.id)?;
    }
    Ok(r)
}

impl crate::Engine {
    /// The operator makes a region, with its estate managers.
    pub async fn create_region(
        &self,
        spec: crate::admin::RegionSpec,
    ) -> Result<region::Region, Error> {
        self.store().write(move |tx| insert_region(tx, &spec)).await
    }

    /// Every region.
    pub async fn regions(&self) -> Result<Vec<region::Region>, Error> {
        self.store().read(|tx| Ok(tx.regions()?)).await
    }
}
