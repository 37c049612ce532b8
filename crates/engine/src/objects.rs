//! Objects: touching, sitting, paying them and answering their dialogs, and what their
//! built-in behaviours do then.

use crate::bot::{Executed, deliver, done};
use crate::money::{Payment, pay};
use grid::command::{BotCommand, Reply};
use grid::money::TransferKind;
use grid::object::{Behaviour, REACH, WorldObject};
use grid::{Avatar, Error, Event, Location, NULL_KEY, Uuid};
use store::Tx;

fn not_found(what: impl ToString) -> Error {
    Error::ObjectNotFound {
        what: what.to_string(),
    }
}

/// The bot's place and its region's row id.
fn whereabouts(tx: &mut Tx<'_>, bot: &Avatar) -> Result<(Location, i64), Error> {
    let (at, region) = crate::places::whereabouts(tx, bot)?;
    Ok((at, region.id))
}

/// How far a place is from an object, in metres (both in one region).
pub(crate) fn distance(at: &Location, o: &WorldObject) -> f64 {
    ((at.x - o.x).powi(2) + (at.y - o.y).powi(2) + (at.z - o.z).powi(2)).sqrt()
}

/// An object in the bot's region; `reach`: also within arm's length (32 m).
fn object_near(
    tx: &mut Tx<'_>,
    bot: &Avatar,
    uuid: Uuid,
    reach: bool,
) -> Result<WorldObject, Error> {
    let (at, region) = whereabouts(tx, bot)?;
    tx.object_by_uuid(uuid)?
        .filter(|o| o.region == region && (!reach || distance(&at, o) <= REACH))
        .ok_or_else(|| not_found(uuid))
}

/// An object speaks to one avatar (as `llRegionSayTo` does).
fn say_to(
    tx: &mut Tx<'_>,
    o: &WorldObject,
    owner: &Avatar,
    to: &Avatar,
    message: String,
) -> Result<(), Error> {
    deliver(
        tx,
        to,
        Event::ObjectChat {
            object: o.uuid,
            object_name: o.name.clone(),
            owner: owner.to_ref(),
            channel: 0,
            message,
        },
    )
}

/// Tells an object's owner URL (if it has one) what happened, through the owner's log.
pub(crate) fn hook(
    tx: &mut Tx<'_>,
    o: &WorldObject,
    avatar: &Avatar,
    what: grid::object::Happening,
) -> Result<(), Error> {
    if tx.object_has_url(o.id)? {
        tell_owner(tx, o, avatar, what)?;
    }
    Ok(())
}

/// Tells an object's owner URL what happened; for callers that already know it has one.
pub(crate) fn tell_owner(
    tx: &mut Tx<'_>,
    o: &WorldObject,
    avatar: &Avatar,
    what: grid::object::Happening,
) -> Result<(), Error> {
    tx.emit(
        o.owner,
        Event::ObjectEvent {
            object: o.uuid,
            object_name: o.name.clone(),
            avatar: avatar.to_ref(),
            what,
        },
    )?;
    Ok(())
}

/// Shows an avatar an object's dialog.
fn show_dialog(
    tx: &mut Tx<'_>,
    o: &WorldObject,
    owner: &Avatar,
    to: &Avatar,
    text: String,
    buttons: Vec<String>,
) -> Result<(), Error> {
    deliver(
        tx,
        to,
        Event::ScriptDialog {
            object: o.uuid,
            object_name: o.name.clone(),
            owner: owner.to_ref(),
            text,
            buttons,
            channel: o.dialog_channel(),
        },
    )
}

/// An object invites an avatar into a group with its owner's rights; `false` when the
/// avatar is a member already.
fn invite_as_owner(
    tx: &mut Tx<'_>,
    o: &WorldObject,
    owner: &Avatar,
    to: &Avatar,
    group: Uuid,
) -> Result<bool, Error> {
    let invite = BotCommand::GroupInvite {
        avatar: to.uuid,
        group,
        role: NULL_KEY,
        check_membership: true,
        message: format!("Invited by {}", o.name),
        location: None,
        misc: None,
    };
    match crate::groups::execute(tx, owner, invite) {
        Ok(_) => Ok(true),
        Err(Error::AlreadyMember) => Ok(false),
        Err(e) => Err(e),
    }
}

fn owner_of(tx: &mut Tx<'_>, o: &WorldObject) -> Result<Avatar, Error> {
    tx.avatar(o.owner)?
        .ok_or_else(|| Error::internal("an object's owner vanished"))
}

fn touch(tx: &mut Tx<'_>, bot: &Avatar, o: WorldObject) -> Result<Executed, Error> {
    let owner = owner_of(tx, &o)?;
    hook(tx, &o, bot, grid::object::Happening::Touch)?;
    match &o.behaviour {
        Behaviour::Greeter { text, buttons } => {
            show_dialog(tx, &o, &owner, bot, text.clone(), buttons.clone())?
        }
        Behaviour::TipJar { .. } => {
            let msg = format!("Pay me to tip {}.", owner.name);
            say_to(tx, &o, &owner, bot, msg)?
        }
        Behaviour::Vendor { price, item } => {
            let name = tx
                .inventory_item(owner.id, *item)?
                .map(|i| i.name)
                .unwrap_or_else(|| "(sold out)".into());
            say_to(
                tx,
                &o,
                &owner,
                bot,
                format!("{name}: pay me L${price} to buy it."),
            )?
        }
        Behaviour::Inviter { group } => {
            let said = if invite_as_owner(tx, &o, &owner, bot, *group)? {
                "An invitation is on its way."
            } else {
                "You are a member already."
            };
            say_to(tx, &o, &owner, bot, said.to_owned())?
        }
        Behaviour::Chair | Behaviour::Plain => {}
    }
    done(Reply::Done)
}

fn pay_object(
    tx: &mut Tx<'_>,
    bot: &Avatar,
    o: WorldObject,
    amount: i64,
) -> Result<Executed, Error> {
    let owner = owner_of(tx, &o)?;
    if let Behaviour::Vendor { price, .. } = &o.behaviour
        && amount != *price
    {
        return Err(Error::invalid(
            "amount",
            format!("this vendor sells for L${price}"),
        ));
    }
    if owner.id != bot.id {
        let comment = format!("Paid {}", o.name);
        pay(
            tx,
            Payment {
                from: Some(bot),
                to: &owner,
                amount,
                kind: TransferKind::PayObject,
                comment: &comment,
                tag: None,
            },
        )?;
    } else {
        grid::money::check_amount(amount)?;
    }
    hook(tx, &o, bot, grid::object::Happening::Money { amount })?;
    match &o.behaviour {
        Behaviour::TipJar { thanks } => {
            let msg = if thanks.is_empty() {
                format!("Thank you, {}!", bot.name)
            } else {
                thanks.clone()
            };
            say_to(tx, &o, &owner, bot, msg)?
        }
        Behaviour::Vendor { item, .. } => {
            crate::inventory::give(tx, &owner, bot.uuid, *item)?;
            say_to(tx, &o, &owner, bot, "Thank you for your purchase.".into())?
        }
        _ => {}
    }
    done(Reply::Done)
}

/// Puts an object into its owner's inventory as an item (`folder`, or Objects).
fn to_inventory(
    tx: &mut Tx<'_>,
    owner: &Avatar,
    o: &WorldObject,
    folder: Option<i64>,
) -> Result<grid::inventory::Item, Error> {
    let folder = match folder {
        Some(f) => f,
        None => {
            crate::inventory::system_folder(tx, owner.id, grid::inventory::SystemFolder::Objects)?
                .id
        }
    };
    Ok(tx.insert_inventory_item(&store::NewItem {
        owner: owner.id,
        folder: Some(folder),
        asset_type: grid::inventory::AssetType::Object,
        wearable: None,
        asset: o.uuid,
        name: o.name.clone(),
        description: format!("{} object", o.behaviour.name()),
        creator: Some(o.owner),
        perms: grid::inventory::Perms::ALL,
        next_perms: grid::inventory::Perms::ALL,
        links: o.links,
    })?)
}

fn take(
    tx: &mut Tx<'_>,
    bot: &Avatar,
    object: Uuid,
    copy: bool,
    folder: Option<Uuid>,
) -> Result<Executed, Error> {
    let o = object_near(tx, bot, object, false)?;
    // As SmartBots documents: without rights on the object, OK and nothing happens.
    if o.owner != bot.id {
        return done(Reply::Done);
    }
    let folder = match folder {
        Some(u) => Some(crate::inventory::own_folder(tx, bot.id, u)?.id),
        None => None,
    };
    to_inventory(tx, bot, &o, folder)?;
    if !copy {
        remove_object(tx, &o)?;
    }
    done(Reply::Done)
}

/// Takes an object out of the world; what was put into it goes to its owner's Lost And
/// Found folder.
fn remove_object(tx: &mut Tx<'_>, o: &WorldObject) -> Result<(), Error> {
    let contents = tx.object_contents(o.id)?;
    if !contents.is_empty() {
        let lost = crate::inventory::system_folder(
            tx,
            o.owner,
            grid::inventory::SystemFolder::LostAndFound,
        )?;
        for item in contents {
            tx.set_item_folder(item.id, Some(lost.id))?;
        }
    }
    tx.delete_object(o.id)?;
    Ok(())
}

fn into_prim(tx: &mut Tx<'_>, bot: &Avatar, item: Uuid, object: Uuid) -> Result<Executed, Error> {
    let o = object_near(tx, bot, object, true)?;
    if o.owner != bot.id {
        return Err(Error::invalid(
            "prim",
            "the bot may only put items into objects it owns",
        ));
    }
    let it = crate::inventory::own_item(tx, bot.id, item)?;
    if it.worn {
        return Err(Error::invalid("inventory", "take it off first: it is worn"));
    }
    let id = if it.perms.contains(grid::inventory::Perms::COPY) {
        tx.insert_inventory_item(&store::NewItem {
            owner: bot.id,
            folder: None,
            asset_type: it.asset_type,
            wearable: it.wearable.clone(),
            asset: it.asset,
            name: it.name.clone(),
            description: it.description.clone(),
            creator: it.creator,
            perms: it.perms,
            next_perms: it.next_perms,
            links: it.links,
        })?
        .id
    } else {
        it.id
    };
    tx.set_item_object(id, Some(o.id))?;
    done(Reply::Done)
}

/// Returns an avatar's objects in a region to its Lost And Found folder; how many.
pub(crate) fn return_objects(
    tx: &mut Tx<'_>,
    owner: &Avatar,
    region: i64,
    scripted_only: bool,
) -> Result<usize, Error> {
    let lost =
        crate::inventory::system_folder(tx, owner.id, grid::inventory::SystemFolder::LostAndFound)?;
    let mut n = 0;
    for o in tx.owned_objects_in(owner.id, region)? {
        if scripted_only && o.behaviour == Behaviour::Plain {
            continue;
        }
        to_inventory(tx, owner, &o, Some(lost.id))?;
        remove_object(tx, &o)?;
        n += 1;
    }
    Ok(n)
}

/// Carries out what an object's owner URL answered, as the owner.
fn act(
    tx: &mut Tx<'_>,
    owner: &Avatar,
    object: Uuid,
    to: Uuid,
    actions: grid::object::Actions,
) -> Result<Executed, Error> {
    let o = tx
        .object_by_uuid(object)?
        .filter(|o| o.owner == owner.id)
        .ok_or_else(|| not_found(object))?;
    let to = crate::bot::resolve_key(tx, to)?;
    if let Some(text) = actions.say {
        grid::region::check_chat(&text)?;
        say_to(tx, &o, owner, &to, text)?;
    }
    if let Some((text, buttons)) = actions.dialog {
        grid::object::check_dialog(&text, &buttons)?;
        show_dialog(tx, &o, owner, &to, text, buttons)?;
    }
    if let Some(item) = actions.give {
        crate::inventory::give(tx, owner, to.uuid, item)?;
    }
    if let Some(group) = actions.invite {
        invite_as_owner(tx, &o, owner, &to, group)?;
    }
    done(Reply::Done)
}

/// The object commands.
pub(crate) fn execute(
    tx: &mut Tx<'_>,
    bot: &Avatar,
    command: BotCommand,
) -> Result<Executed, Error> {
    match command {
        BotCommand::TouchPrim { object } => {
            let o = object_near(tx, bot, object, true)?;
            touch(tx, bot, o)
        }
        BotCommand::TouchPrimCoord { x, y, z, precision } => {
            let (at, region) = whereabouts(tx, bot)?;
            let point = Location {
                region: at.region.clone(),
                x,
                y,
                z,
            };
            let o = tx
                .region_objects(region)?
                .into_iter()
                .map(|o| (distance(&point, &o), o))
                .filter(|(d, o)| *d <= precision && distance(&at, o) <= REACH)
                .min_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, o)| o)
                .ok_or_else(|| not_found(format!("at {x}/{y}/{z}")))?;
            touch(tx, bot, o)
        }
        BotCommand::Sit { object: None } => {
            tx.set_sitting(bot.id, None)?;
            done(Reply::Done)
        }
        BotCommand::Sit {
            object: Some(object),
        } => {
            let o = object_near(tx, bot, object, true)?;
            if !o.has_sit_target() {
                return Err(Error::invalid("uuid", "the object has no sit target"));
            }
            let (at, _) = whereabouts(tx, bot)?;
            let seat = Location {
                region: at.region,
                x: o.x,
                y: o.y,
                z: o.z,
            };
            tx.set_location(bot.id, &seat, false)?;
            tx.set_sitting(bot.id, Some(o.id))?;
            hook(tx, &o, bot, grid::object::Happening::Sit)?;
            done(Reply::Done)
        }
        BotCommand::ReplyDialog {
            channel,
            object,
            button,
        } => {
            let o = object_near(tx, bot, object, false)?;
            if channel != o.dialog_channel() {
                return Err(Error::invalid(
                    "channel",
                    "not the channel of the object's dialog",
                ));
            }
            let scripted = tx.object_has_url(o.id)?;
            match &o.behaviour {
                Behaviour::Greeter { buttons, .. } if buttons.contains(&button) => {
                    let owner = owner_of(tx, &o)?;
                    say_to(tx, &o, &owner, bot, format!("You chose {button}."))?;
                }
                // Dialogs an owner URL shows are answered to it, whatever the button.
                _ if scripted => {}
                Behaviour::Greeter { .. } => {
                    return Err(Error::invalid("button", "not a button of the dialog"));
                }
                _ => return Err(Error::invalid("object", "the object shows no dialog")),
            }
            hook(
                tx,
                &o,
                bot,
                grid::object::Happening::Dialog { channel, button },
            )?;
            done(Reply::Done)
        }
        BotCommand::GiveMoneyObject { object, amount } => {
            let o = object_near(tx, bot, object, false)?;
            pay_object(tx, bot, o, amount)
        }
        BotCommand::Attachments { filter } => {
            let worn: Vec<(Uuid, String)> = tx
                .worn_items(bot.id)?
                .into_iter()
                .filter(|i| i.asset_type == grid::inventory::AssetType::Object)
                .map(|i| (i.uuid, i.name))
                .collect();
            let total = worn.len();
            let worn = worn
                .into_iter()
                .filter(|(u, n)| filter.keeps(n, *u))
                .collect();
            done(Reply::Attachments { total, worn })
        }
        BotCommand::TouchAttachment { name, link } => {
            let Some(found) = tx
                .worn_items(bot.id)?
                .into_iter()
                .find(|i| i.asset_type == grid::inventory::AssetType::Object && i.name == name)
            else {
                return Err(not_found(name));
            };
            if link.is_some_and(|l| l < 1 || i64::from(l) > found.links) {
                return Err(Error::PrimLinkNotFound);
            }
            done(Reply::Done)
        }
        BotCommand::PrimTake {
            object,
            copy,
            folder,
        } => take(tx, bot, object, copy, folder),
        BotCommand::ObjectAct {
            object,
            to,
            actions,
        } => act(tx, bot, object, to, actions),
        BotCommand::InventoryToPrim { item, object } => into_prim(tx, bot, item, object),
        other => Err(Error::internal(format!("not an object command: {other:?}"))),
    }
}

/// Whether a command is one of [`execute`]'s.
pub(crate) fn handles(command: &BotCommand) -> bool {
    matches!(
        command,
        BotCommand::TouchPrim { .. }
            | BotCommand::TouchPrimCoord { .. }
            | BotCommand::Sit { .. }
            | BotCommand::ReplyDialog { .. }
            | BotCommand::GiveMoneyObject { .. }
            | BotCommand::Attachments { .. }
            | BotCommand::TouchAttachment { .. }
            | BotCommand::PrimTake { .. }
            | BotCommand::ObjectAct { .. }
            | BotCommand::InventoryToPrim { .. }
    )
}

/// An object the operator puts in a region.
#[derive(Clone, Debug)]
pub struct ObjectSpec {
    pub region: String,
    pub name: String,
    pub owner: grid::LegacyName,
    pub at: (f64, f64, f64),
    pub behaviour: Behaviour,
    /// Prims in its link set (1 to 256).
    pub links: i64,
}

pub(crate) fn insert_object(tx: &mut Tx<'_>, spec: &ObjectSpec) -> Result<WorldObject, Error> {
    spec.behaviour.check()?;
    grid::inventory::check_name("name", &spec.name)?;
    let region = tx
        .region_by_name(&spec.region)?
        .ok_or_else(|| Error::RegionNotFound {
            name: spec.region.clone(),
        })?;
    Location::parse(&format!(
        "{}/{}/{}/{}",
        region.name, spec.at.0, spec.at.1, spec.at.2
    ))
    .map_err(|e| Error::invalid("at", e.0))?;
    let owner = tx
        .avatar_by_name(&spec.owner)?
        .ok_or_else(|| Error::AvatarNotFound {
            who: spec.owner.to_string(),
        })?;
    match &spec.behaviour {
        Behaviour::Vendor { item, .. } => {
            let i =
                tx.inventory_item(owner.id, *item)?
                    .ok_or_else(|| Error::InventoryNotFound {
                        uuid: item.to_string(),
                    })?;
            grid::inventory::may_give(&i)?;
        }
        Behaviour::Inviter { group } => {
            tx.group_by_uuid(*group)?
                .ok_or_else(|| Error::GroupNotFound {
                    who: group.to_string(),
                })?;
        }
        _ => {}
    }
    if !(1..=grid::object::MAX_LINKS).contains(&spec.links) {
        return Err(Error::invalid("links", "a link set has 1 to 256 prims"));
    }
    Ok(tx.insert_object(
        spec.name.trim(),
        owner.id,
        region.id,
        spec.at,
        &spec.behaviour,
        spec.links,
    )?)
}

impl crate::Engine {
    /// The operator sets (or, with `None`, removes) an object's owner URL: the object's
    /// events are POSTed there from now on, and its answers carried out. Returns the
    /// new registration's signing secret.
    pub async fn set_object_url(
        &self,
        object: Uuid,
        url: Option<String>,
    ) -> Result<Option<String>, Error> {
        let url = url.map(|u| grid::callback::check_url(&u)).transpose()?;
        let secret = url.as_ref().map(|_| grid::secret::new_signing_secret());
        let stored = secret.clone().unwrap_or_default();
        self.store()
            .write(move |tx| {
                let o = tx
                    .object_by_uuid(object)?
                    .ok_or_else(|| not_found(object))?;
                let cursor = tx.last_event_id(o.owner)?;
                tx.set_object_callback(o.owner, o.id, url.as_deref(), cursor, &stored)?;
                Ok(())
            })
            .await?;
        self.after_commit(vec![crate::bot::After::CallbacksChanged]);
        Ok(secret)
    }

    /// The names of the items in an object.
    pub async fn object_contents(&self, object: Uuid) -> Result<Vec<String>, Error> {
        self.store()
            .read(move |tx| {
                let o = tx
                    .object_by_uuid(object)?
                    .ok_or_else(|| not_found(object))?;
                Ok(tx
                    .object_contents(o.id)?
                    .into_iter()
                    .map(|i| i.name)
                    .collect())
            })
            .await
    }

    /// The objects of a region.
    pub async fn objects_in(&self, region: String) -> Result<Vec<WorldObject>, Error> {
        self.store()
            .read(move |tx| {
                let r = tx
                    .region_by_name(&region)?
                    .ok_or_else(|| Error::RegionNotFound {
                        name: region.clone(),
                    })?;
                Ok(tx.region_objects(r.id)?)
            })
            .await
    }

    /// The operator puts an object in a region.
    pub async fn create_object(&self, spec: ObjectSpec) -> Result<WorldObject, Error> {
        self.store().write(move |tx| insert_object(tx, &spec)).await
    }
}
