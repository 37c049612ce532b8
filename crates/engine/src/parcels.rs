//! Parcels: looking them up, managing them, buying them.

use crate::bot::{Executed, done, resolve_key};
use crate::money::{Payment, pay};
use grid::command::{BotCommand, ParcelView, Reply};
use grid::group::Powers;
use grid::money::TransferKind;
use grid::parcel::{self, LandOwner, Parcel, ParcelChange, ParcelFlags};
use grid::{Avatar, Error, Location, NULL_KEY, Uuid};
use store::Tx;

/// The whole-region parcel every region starts with, owned by its estate.
pub(crate) fn region_parcel(region: &grid::region::Region, now: grid::Timestamp) -> Parcel {
    Parcel {
        id: 0,
        uuid: NULL_KEY,
        region: region.id,
        name: region.name.clone(),
        description: String::new(),
        x1: 0,
        y1: 0,
        x2: 256,
        y2: 256,
        owner: LandOwner::Estate,
        for_sale: false,
        sale_price: 0,
        sell_to: None,
        sell_objects: false,
        music_url: String::new(),
        snapshot: NULL_KEY,
        landing_point: String::new(),
        landing_routing: "Direct".into(),
        flags: ParcelFlags::DEFAULT,
        max_prims: 15_000,
        claimed: now,
    }
}

/// The bot's region and the parcel at a point of it (default: where the bot stands).
fn parcel_at(
    tx: &mut Tx<'_>,
    bot: &Avatar,
    at: Option<(f64, f64)>,
) -> Result<(grid::region::Region, Parcel), Error> {
    let (here, region) = crate::places::whereabouts(tx, bot)?;
    let (x, y) = at.unwrap_or((here.x, here.y));
    if !(0.0..=256.0).contains(&x) || !(0.0..=256.0).contains(&y) {
        return Err(Error::invalid("x", "a point of the region: 0 to 256"));
    }
    let parcels = tx.region_parcels(region.id)?;
    let p = parcel::at(&parcels, x.min(255.999), y.min(255.999))
        .cloned()
        .ok_or_else(|| Error::invalid("x", "no parcel there"))?;
    Ok((region, p))
}

fn view(tx: &mut Tx<'_>, p: Parcel) -> Result<ParcelView, Error> {
    let (owner, group) = match p.owner {
        LandOwner::Estate => (NULL_KEY, NULL_KEY),
        LandOwner::Avatar(a) => (tx.avatar(a)?.map(|a| a.uuid).unwrap_or(NULL_KEY), NULL_KEY),
        LandOwner::Group(g) => {
            let u = tx.group(g)?.map(|g| g.uuid).unwrap_or(NULL_KEY);
            (u, u)
        }
    };
    Ok(ParcelView {
        parcel: p,
        owner,
        group,
    })
}

/// Whether the bot may manage a parcel: it owns it, it holds the land power in the
/// owning group, or it is an estate manager of the region.
fn may_manage(tx: &mut Tx<'_>, bot: &Avatar, region: i64, p: &Parcel) -> Result<(), Error> {
    let ok = match p.owner {
        LandOwner::Avatar(a) => a == bot.id,
        LandOwner::Group(g) => tx
            .membership(g, bot.id)?
            .is_some_and(|m| m.powers().contains(Powers::LAND_DEED)),
        LandOwner::Estate => false,
    };
    if ok || tx.is_estate_manager(region, bot.id)? {
        Ok(())
    } else {
        Err(Error::invalid(
            "x",
            "the bot may not change this parcel (owner, group land power or estate manager)",
        ))
    }
}

fn apply(tx: &mut Tx<'_>, p: &mut Parcel, c: ParcelChange) -> Result<(), Error> {
    if let Some(name) = c.name {
        if name.trim().is_empty() || name.chars().count() > parcel::MAX_NAME {
            return Err(Error::invalid("name", "1 to 63 characters"));
        }
        p.name = name.trim().to_owned();
    }
    if let Some(d) = c.description {
        if d.chars().count() > parcel::MAX_DESCRIPTION {
            return Err(Error::invalid("description", "at most 255 characters"));
        }
        p.description = d;
    }
    if let Some(url) = c.music_url {
        if !(url.is_empty() || url.starts_with("http://") || url.starts_with("https://")) {
            return Err(Error::invalid("musicurl", "an http(s) URL"));
        }
        p.music_url = url;
    }
    if let Some(price) = c.sale_price {
        if !(0..=grid::money::MAX_AMOUNT).contains(&price) {
            return Err(Error::invalid("saleprice", "L$0 to 1000000000"));
        }
        p.sale_price = price;
    }
    if let Some(to) = c.sell_to {
        p.sell_to = match to {
            Some(u) => Some(resolve_key(tx, u)?.id),
            None => None,
        };
    }
    if let Some(on) = c.sell_objects {
        p.sell_objects = on;
    }
    if let Some(s) = c.snapshot {
        p.snapshot = s;
    }
    if let Some(lp) = c.landing_point {
        if !lp.is_empty() {
            Location::parse(&format!("x/{lp}")).map_err(|e| Error::invalid("landingpoint", e.0))?;
        }
        p.landing_point = lp;
    }
    if let Some(r) = c.landing_routing {
        let known = ["Direct", "LandingPoint", "None"];
        p.landing_routing = known
            .iter()
            .find(|k| k.eq_ignore_ascii_case(&r))
            .ok_or_else(|| Error::invalid("landingrouting", "Direct, LandingPoint or None"))?
            .to_string();
    }
    if let Some(f) = c.flags {
        p.flags = f;
    }
    if let Some(on) = c.for_sale {
        if on && p.owner == LandOwner::Estate {
            return Err(Error::invalid(
                "sale",
                "estate land has no owner to sell it; the operator gives parcels owners",
            ));
        }
        p.for_sale = on;
    }
    Ok(())
}

fn buy(
    tx: &mut Tx<'_>,
    bot: &Avatar,
    at: Option<(f64, f64)>,
    group: Option<Uuid>,
) -> Result<Executed, Error> {
    let (_, mut p) = parcel_at(tx, bot, at)?;
    let seller = match p.owner {
        LandOwner::Avatar(a) if p.for_sale => a,
        _ => return Err(Error::invalid("x", "the parcel is not for sale")),
    };
    if p.sell_to.is_some_and(|to| to != bot.id) {
        return Err(Error::invalid(
            "x",
            "the parcel is for sale to someone else",
        ));
    }
    if seller == bot.id && group.is_none() {
        return Err(Error::invalid("x", "the bot owns the parcel already"));
    }
    let new_owner = match group {
        Some(g) => {
            let g = tx
                .group_by_uuid(g)?
                .ok_or_else(|| Error::GroupNotFound { who: g.to_string() })?;
            let m = tx.membership(g.id, bot.id)?.ok_or(Error::NotAMember)?;
            m.require(Powers::LAND_DEED)?;
            LandOwner::Group(g.id)
        }
        None => LandOwner::Avatar(bot.id),
    };
    if p.sale_price > 0 && seller != bot.id {
        let seller = tx
            .avatar(seller)?
            .ok_or_else(|| Error::internal("the seller vanished"))?;
        let comment = format!("Land: {}", p.name);
        pay(
            tx,
            Payment {
                from: Some(bot),
                to: &seller,
                amount: p.sale_price,
                kind: TransferKind::LandSale,
                comment: &comment,
                tag: None,
            },
        )?;
    }
    p.owner = new_owner;
    p.for_sale = false;
    p.sale_price = 0;
    p.sell_to = None;
    p.claimed = tx.now();
    tx.update_parcel(&p)?;
    done(Reply::Done)
}

/// The parcel commands.
pub(crate) fn execute(
    tx: &mut Tx<'_>,
    bot: &Avatar,
    command: BotCommand,
) -> Result<Executed, Error> {
    match command {
        BotCommand::ParcelInfo { at } => {
            let (_, p) = parcel_at(tx, bot, at)?;
            done(Reply::Parcel(Box::new(view(tx, p)?)))
        }
        BotCommand::ParcelUpdate { at, change } => {
            let (region, mut p) = parcel_at(tx, bot, at)?;
            may_manage(tx, bot, region.id, &p)?;
            apply(tx, &mut p, change)?;
            tx.update_parcel(&p)?;
            done(Reply::Done)
        }
        BotCommand::ParcelBuy { at, group } => buy(tx, bot, at, group),
        other => Err(Error::internal(format!("not a parcel command: {other:?}"))),
    }
}

/// Whether a command is one of [`execute`]'s.
pub(crate) fn handles(command: &BotCommand) -> bool {
    matches!(
        command,
        BotCommand::ParcelInfo { .. }
            | BotCommand::ParcelUpdate { .. }
            | BotCommand::ParcelBuy { .. }
    )
}

/// A parcel the operator makes on a region.
#[derive(Clone, Debug)]
pub struct ParcelSpec {
    pub region: String,
    pub name: String,
    pub bounds: (i64, i64, i64, i64),
    pub owner: Option<grid::LegacyName>,
    /// For sale at this price (to anyone).
    pub price: Option<i64>,
}

impl crate::Engine {
    /// The operator makes a parcel; it may not overlap another one (the region's
    /// whole-region parcel aside).
    pub async fn create_parcel(&self, spec: ParcelSpec) -> Result<Parcel, Error> {
        self.store()
            .write(move |tx| {
                let region =
                    tx.region_by_name(&spec.region)?
                        .ok_or_else(|| Error::RegionNotFound {
                            name: spec.region.clone(),
                        })?;
                let (x1, y1, x2, y2) = spec.bounds;
                parcel::check_bounds(x1, y1, x2, y2)?;
                let mut p = region_parcel(&region, tx.now());
                p.name = spec.name.clone();
                (p.x1, p.y1, p.x2, p.y2) = (x1, y1, x2, y2);
                for other in tx.region_parcels(region.id)? {
                    if other.area() < 256 * 256 && parcel::overlaps(&p, &other) {
                        return Err(Error::invalid(
                            "bounds",
                            format!("it overlaps {}", other.name),
                        ));
                    }
                }
                if let Some(owner) = &spec.owner {
                    let a = tx
                        .avatar_by_name(owner)?
                        .ok_or_else(|| Error::AvatarNotFound {
                            who: owner.to_string(),
                        })?;
                    p.owner = LandOwner::Avatar(a.id);
                }
                if let Some(price) = spec.price {
                    apply(
                        tx,
                        &mut p,
                        ParcelChange {
                            for_sale: Some(true),
                            sale_price: Some(price),
                            ..Default::default()
                        },
                    )?;
                }
                Ok(tx.insert_parcel(&p)?)
            })
            .await
    }
}
