//! Where avatars are: location, teleports, walking and flying, local chat and who is
//! around.

use crate::bot::{Executed, deliver, done};
use grid::command::{BotCommand, NearbyAvatar, Reply};
use grid::region::{self, RegionState, TeleportStatus};
use grid::{Avatar, Error, Event, Location, StartLocation};
use store::Tx;

/// Where the avatar is, or its home, or nowhere.
pub(crate) fn here(bot: &Avatar) -> Result<Location, Error> {
    bot.location
        .clone()
        .or_else(|| bot.home.clone())
        .ok_or_else(|| Error::invalid("location", "the bot is nowhere: teleport it first"))
}

/// Where the bot is, and the region that is (which the grid must have).
pub(crate) fn whereabouts(
    tx: &mut Tx<'_>,
    bot: &Avatar,
) -> Result<(Location, region::Region), Error> {
    let at = here(bot)?;
    let r = tx
        .region_by_name(&at.region)?
        .ok_or_else(|| Error::RegionNotFound {
            name: at.region.clone(),
        })?;
    Ok((at, r))
}

/// A `teleport_status` for the avatar; `at` is where it is (`None`: nowhere yet).
fn progress(
    tx: &mut Tx<'_>,
    bot: &Avatar,
    status: TeleportStatus,
    message: &str,
    at: Option<&Location>,
) -> Result<(), Error> {
    tx.emit(
        bot.id,
        Event::TeleportProgress {
            status,
            message: message.to_owned(),
            location: at.map(Location::to_string).unwrap_or_default(),
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
    // A bot that is nowhere yet (it logged in without a location) may teleport too.
    let from = here(bot).ok();
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
    if tx.has_region_access(region.id, bot.id, "ban")?
        && !tx.is_estate_manager(region.id, bot.id)?
    {
        return Err(Error::RegionBanned {
            region: region.name,
        });
    }
    progress(
        tx,
        bot,
        TeleportStatus::Start,
        "Teleport started",
        from.as_ref(),
    )?;
    // The region's own spelling of its name.
    let arrived = Location {
        region: region.name,
        ..target
    };
    tx.set_location(bot.id, &arrived, save)?;
    tx.set_motion(bot.id, false, None)?;
    tx.set_sitting(bot.id, None)?;
    progress(
        tx,
        bot,
        TeleportStatus::Finished,
        "Teleport finished",
        Some(&arrived),
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
    // Objects with an owner URL hear every channel within say range.
    if let Some(r) = tx.region_by_name(&at.region)? {
        for o in tx.region_objects_with_url(r.id)? {
            if crate::objects::distance(&at, &o) <= region::SAY_RANGE {
                crate::objects::tell_owner(
                    tx,
                    &o,
                    bot,
                    grid::object::Happening::Chat {
                        channel,
                        message: message.clone(),
                    },
                )?;
            }
        }
    }
    // Avatars hear channel 0 only; other channels are for scripts (objects). Every
    // listener is online, so the event goes to all of them in one statement.
    if channel == 0 {
        let listeners: Vec<grid::AvatarId> = tx
            .online_in_region(&at.region)?
            .into_iter()
            .filter(|other| other.id != bot.id)
            .filter(|other| {
                other
                    .location
                    .as_ref()
                    .and_then(|l| region::distance(&at, l))
                    .is_some_and(|d| d <= region::SAY_RANGE)
            })
            .map(|other| other.id)
            .collect();
        tx.emit_to_online(
            &listeners,
            &Event::ChatHeard {
                channel,
                speaker: bot.to_ref(),
                message,
            },
        )?;
    }
    done(Reply::Done)
}

fn nearby(tx: &mut Tx<'_>, bot: &Avatar) -> Result<Executed, Error> {
    let at = here(bot)?;
    let around: Vec<(Avatar, Location, f64)> = tx
        .online_in_region(&at.region)?
        .into_iter()
        .filter(|a| a.id != bot.id)
        .filter_map(|a| {
            let location = a.location.clone()?;
            let distance = region::distance(&at, &location)?;
            (distance <= region::SCAN_RANGE).then_some((a, location, distance))
        })
        .collect();
    let ids: Vec<grid::AvatarId> = around.iter().map(|(a, _, _)| a.id).collect();
    let sitting = tx.sitting_among(&ids)?;
    let mut seen: Vec<NearbyAvatar> = around
        .into_iter()
        .map(|(a, location, distance)| NearbyAvatar {
            name: a.name.to_string(),
            sitting: sitting.contains(&a.id),
            uuid: a.uuid,
            location,
            distance,
        })
        .collect();
    seen.sort_by(|a, b| a.distance.total_cmp(&b.distance));
    done(Reply::Nearby(seen))
}

/// The region the bot is in, which it must manage.
fn managed_here(tx: &mut Tx<'_>, bot: &Avatar) -> Result<region::Region, Error> {
    let at = here(bot)?;
    match tx.region_by_name(&at.region)? {
        Some(r) if tx.is_estate_manager(r.id, bot.id)? => Ok(r),
        _ => Err(Error::NotEstateManager { region: at.region }),
    }
}

/// The regions an estate command acts on: the bot's, or (`all`) every one it manages.
fn estate_regions(tx: &mut Tx<'_>, bot: &Avatar, all: bool) -> Result<Vec<region::Region>, Error> {
    let here = managed_here(tx, bot)?;
    if all {
        Ok(tx.managed_regions(bot.id)?)
    } else {
        Ok(vec![here])
    }
}

/// Whether an avatar is in a region.
fn is_in(avatar: &Avatar, r: &region::Region) -> bool {
    avatar
        .location
        .as_ref()
        .is_some_and(|l| region::region_key(&l.region) == region::region_key(&r.name))
}

/// Sends an avatar out of a region: to its home if that is elsewhere, else nowhere.
fn send_out(tx: &mut Tx<'_>, who: &Avatar, r: &region::Region, why: &str) -> Result<(), Error> {
    let Some(from) = who.location.clone() else {
        return Ok(());
    };
    let home = who
        .home
        .clone()
        .filter(|h| region::region_key(&h.region) != region::region_key(&r.name));
    progress(tx, who, TeleportStatus::Start, why, Some(&from))?;
    match home {
        Some(h) => {
            tx.set_location(who.id, &h, false)?;
            progress(tx, who, TeleportStatus::Finished, why, Some(&h))?;
        }
        None => tx.clear_location(who.id)?,
    }
    Ok(())
}

fn region_message(
    tx: &mut Tx<'_>,
    from: &Avatar,
    r: &region::Region,
    message: &str,
) -> Result<(), Error> {
    for who in tx.online_in_region(&r.name)? {
        deliver(
            tx,
            &who,
            Event::RegionMessage {
                from: from.to_ref(),
                region: r.name.clone(),
                message: message.to_owned(),
            },
        )?;
    }
    Ok(())
}

fn offer_teleport(
    tx: &mut Tx<'_>,
    bot: &Avatar,
    to: grid::Uuid,
    message: String,
) -> Result<Executed, Error> {
    if !message.is_empty() {
        grid::message::check_im_text(&message)?;
    }
    let to = crate::bot::resolve_key(tx, to)?;
    if to.id == bot.id {
        return Err(Error::NotForSelf {
            what: "offer a teleport to",
        });
    }
    let at = here(bot)?;
    let session = tx.insert_teleport_offer(bot.id, to.id, &at.to_string(), &message)?;
    deliver(
        tx,
        &to,
        Event::TeleportOffered {
            session,
            from: bot.to_ref(),
            message,
            location: at.to_string(),
        },
    )?;
    done(Reply::Done)
}

fn answer_teleport(
    tx: &mut Tx<'_>,
    bot: &Avatar,
    from: grid::Uuid,
    session: grid::Uuid,
    accept: bool,
) -> Result<Executed, Error> {
    let offer = tx
        .teleport_offer(bot.id, session)?
        .filter(|o| !o.answered)
        .ok_or(Error::TeleportOfferNotFound)?;
    let offerer = tx.avatar(offer.from)?.ok_or(Error::TeleportOfferNotFound)?;
    if offerer.uuid != from {
        return Err(Error::TeleportOfferNotFound);
    }
    tx.answer_teleport_offer(offer.id)?;
    if !accept {
        return done(Reply::Done);
    }
    let to = Location::parse(&offer.location).map_err(|e| Error::internal(e.0))?;
    teleport(tx, bot, StartLocation::At(to), false)
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
            tx.set_sitting(bot.id, None)?;
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
        BotCommand::OfferTeleport { to, message } => offer_teleport(tx, bot, to, message),
        BotCommand::TeleportOfferAnswer {
            from,
            session,
            accept,
        } => answer_teleport(tx, bot, from, session, accept),
        BotCommand::SimKick { avatar } => {
            let r = managed_here(tx, bot)?;
            let target = crate::bot::resolve_key(tx, avatar)?;
            if target.id == bot.id {
                return Err(Error::NotForSelf { what: "kick" });
            }
            if !is_in(&target, &r) {
                return Err(Error::invalid(
                    "avatar",
                    format!("the avatar is not in {}", r.name),
                ));
            }
            send_out(
                tx,
                &target,
                &r,
                &format!("Sent out of {} by an estate manager", r.name),
            )?;
            done(Reply::Done)
        }
        BotCommand::SimAccess {
            avatar,
            operation,
            all_estates,
        } => {
            let target = crate::bot::resolve_key(tx, avatar)?;
            if target.id == bot.id {
                return Err(Error::NotForSelf { what: "ban" });
            }
            let (list, on) = operation.list();
            for r in estate_regions(tx, bot, all_estates)? {
                tx.set_region_access(r.id, target.id, list, on)?;
                if list == "ban" && on && is_in(&target, &r) {
                    send_out(tx, &target, &r, &format!("Banned from {}", r.name))?;
                }
            }
            done(Reply::Done)
        }
        BotCommand::SimRestart { delay } => {
            let r = managed_here(tx, bot)?;
            match delay {
                Some(secs) => {
                    if !(region::RESTART_MIN_SECS..=region::RESTART_MAX_SECS).contains(&secs) {
                        return Err(Error::invalid(
                            "delay",
                            format!(
                                "seconds from {} to {}",
                                region::RESTART_MIN_SECS,
                                region::RESTART_MAX_SECS
                            ),
                        ));
                    }
                    let at = grid::Timestamp(tx.now().0 + i64::from(secs) * 1000);
                    tx.set_region_restart(r.id, Some(at))?;
                    region_message(
                        tx,
                        bot,
                        &r,
                        &format!("The region you are in will restart in {secs} seconds."),
                    )?;
                    Ok(Executed {
                        reply: Reply::Done,
                        after: vec![crate::bot::After::Restart { at }],
                    })
                }
                None => {
                    if r.state != RegionState::Restarting {
                        return Err(Error::invalid("state", "no restart is under way"));
                    }
                    tx.set_region_restart(r.id, None)?;
                    region_message(tx, bot, &r, "The region restart was cancelled.")?;
                    done(Reply::Done)
                }
            }
        }
        BotCommand::SimReturn {
            avatar,
            scripted_only,
            all_estates,
        } => {
            let owner = crate::bot::resolve_key(tx, avatar)?;
            for r in estate_regions(tx, bot, all_estates)? {
                crate::objects::return_objects(tx, &owner, r.id, scripted_only)?;
            }
            done(Reply::Done)
        }
        BotCommand::SimMessage {
            message,
            all_estates,
        } => {
            grid::message::check_im_text(&message)?;
            for r in estate_regions(tx, bot, all_estates)? {
                region_message(tx, bot, &r, &message)?;
            }
            done(Reply::Done)
        }
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
            | BotCommand::OfferTeleport { .. }
            | BotCommand::TeleportOfferAnswer { .. }
            | BotCommand::SimKick { .. }
            | BotCommand::SimAccess { .. }
            | BotCommand::SimRestart { .. }
            | BotCommand::SimMessage { .. }
            | BotCommand::SimReturn { .. }
    )
}

/// Restarts the regions whose countdown is over: everyone in them is sent out, and
/// they take visitors again. Returns when the next restart is due.
pub(crate) fn finish_restarts(tx: &mut Tx<'_>) -> Result<Option<grid::Timestamp>, Error> {
    let now = tx.now();
    for r in tx.restarts_due(now)? {
        for who in tx.online_in_region(&r.name)? {
            send_out(tx, &who, &r, &format!("{} restarted", r.name))?;
        }
        tx.set_region_restart(r.id, None)?;
    }
    Ok(tx.next_restart()?)
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
    let whole = crate::parcels::region_parcel(&r, tx.now());
    tx.insert_parcel(&whole)?;
    for m in &spec.managers {
        let a = tx
            .avatar_by_name(m)?
            .ok_or_else(|| Error::AvatarNotFound { who: m.to_string() })?;
        tx.add_estate_manager(r.id, a.id)?;
    }
    Ok(r)
}

impl crate::Engine {
    /// Finishes region restarts when they are due.
    pub(crate) fn schedule_restart(&self, at: grid::Timestamp) {
        let engine = self.clone();
        let wait =
            std::time::Duration::from_millis((at.0 - grid::Timestamp::now().0).max(0) as u64);
        tokio::spawn(async move {
            tokio::time::sleep(wait).await;
            match engine.store().write(finish_restarts).await {
                Ok(Some(next)) => engine.schedule_restart(next),
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "cannot finish region restarts; retrying at start-up")
                }
            }
        });
    }

    /// Picks up region restarts that were under way when the grid stopped.
    pub(crate) async fn recover_restarts(&self) -> Result<(), Error> {
        if let Some(next) = self.store().write(finish_restarts).await? {
            self.schedule_restart(next);
        }
        Ok(())
    }

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
