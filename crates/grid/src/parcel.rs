//! Parcels: the pieces of land a region is divided into, their owners and sale.

use crate::{AvatarId, Error, Timestamp, Uuid};

/// Parcel flags, with Second Life's bits and names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ParcelFlags(pub i64);

macro_rules! parcel_flags {
    ($($name:ident = $bit:expr, $text:expr;)*) => {
        impl ParcelFlags {
            $(pub const $name: ParcelFlags = ParcelFlags(1 << $bit);)*
            /// Every flag with its name.
            pub const NAMED: &'static [(ParcelFlags, &'static str)] = &[$((ParcelFlags::$name, $text)),*];
        }
    };
}

parcel_flags! {
    ALLOW_FLY = 0, "AllowFly";
    ALLOW_OTHER_SCRIPTS = 1, "AllowOtherScripts";
    FOR_SALE = 2, "ForSale";
    ALLOW_LANDMARK = 3, "AllowLandmark";
    ALLOW_TERRAFORM = 4, "AllowTerraform";
    ALLOW_DAMAGE = 5, "AllowDamage";
    CREATE_OBJECTS = 6, "CreateObjects";
    FOR_SALE_OBJECTS = 7, "ForSaleObjects";
    USE_ACCESS_GROUP = 8, "UseAccessGroup";
    USE_ACCESS_LIST = 9, "UseAccessList";
    USE_BAN_LIST = 10, "UseBanList";
    USE_PASS_LIST = 11, "UsePassList";
    SHOW_DIRECTORY = 12, "ShowDirectory";
    ALLOW_DEED_TO_GROUP = 13, "AllowDeedToGroup";
    CONTRIBUTE_WITH_DEED = 14, "ContributeWithDeed";
    SOUND_LOCAL = 15, "SoundLocal";
    SELL_PARCEL_OBJECTS = 16, "SellParcelObjects";
    ALLOW_PUBLISH = 17, "AllowPublish";
    MATURE_PUBLISH = 18, "MaturePublish";
    URL_WEB_PAGE = 19, "UrlWebPage";
    URL_RAW_HTML = 20, "UrlRawHtml";
    RESTRICT_PUSH_OBJECT = 21, "RestrictPushObject";
}

impl ParcelFlags {
    /// What a new parcel allows: flying, others' scripts, landmarks, building, showing
    /// in search.
    pub const DEFAULT: ParcelFlags = ParcelFlags(
        ParcelFlags::ALLOW_FLY.0
            | ParcelFlags::ALLOW_OTHER_SCRIPTS.0
            | ParcelFlags::ALLOW_LANDMARK.0
            | ParcelFlags::CREATE_OBJECTS.0
            | ParcelFlags::SHOW_DIRECTORY.0,
    );

    pub fn contains(self, f: ParcelFlags) -> bool {
        self.0 & f.0 == f.0
    }

    pub fn with(self, f: ParcelFlags, on: bool) -> ParcelFlags {
        if on {
            ParcelFlags(self.0 | f.0)
        } else {
            ParcelFlags(self.0 & !f.0)
        }
    }

    /// The names, comma-separated, in bit order.
    pub fn names(self) -> String {
        ParcelFlags::NAMED
            .iter()
            .filter(|(f, _)| self.contains(*f))
            .map(|(_, n)| *n)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Reads comma-separated names (any case).
    pub fn parse(text: &str) -> Result<ParcelFlags, String> {
        let mut out = ParcelFlags(0);
        for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let (f, _) = ParcelFlags::NAMED
                .iter()
                .find(|(_, n)| n.eq_ignore_ascii_case(name))
                .ok_or_else(|| format!("unknown parcel flag {name}"))?;
            out = ParcelFlags(out.0 | f.0);
        }
        Ok(out)
    }
}

/// Who owns a parcel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LandOwner {
    /// The estate's own land (no one bought it).
    Estate,
    Avatar(AvatarId),
    Group(crate::group::GroupId),
}

/// A parcel: a rectangle of a region, `x1..x2` by `y1..y2` metres.
#[derive(Clone, Debug, PartialEq)]
pub struct Parcel {
    pub id: i64,
    pub uuid: Uuid,
    pub region: i64,
    pub name: String,
    pub description: String,
    pub x1: i64,
    pub y1: i64,
    pub x2: i64,
    pub y2: i64,
    pub owner: LandOwner,
    pub for_sale: bool,
    pub sale_price: i64,
    /// The only avatar who may buy it, if any.
    pub sell_to: Option<AvatarId>,
    pub sell_objects: bool,
    pub music_url: String,
    pub snapshot: Uuid,
    /// `X/Y/Z`, empty when none.
    pub landing_point: String,
    /// `Direct`, `LandingPoint` or `None`.
    pub landing_routing: String,
    pub flags: ParcelFlags,
    pub max_prims: i64,
    pub claimed: Timestamp,
}

impl Parcel {
    /// Square metres.
    pub fn area(&self) -> i64 {
        (self.x2 - self.x1) * (self.y2 - self.y1)
    }

    pub fn contains(&self, x: f64, y: f64) -> bool {
        (self.x1 as f64) <= x
            && x < (self.x2 as f64)
            && (self.y1 as f64) <= y
            && y < (self.y2 as f64)
    }

    /// The flags as `parcel_info` shows them: `ForSale` follows the sale.
    pub fn shown_flags(&self) -> ParcelFlags {
        self.flags.with(ParcelFlags::FOR_SALE, self.for_sale)
    }
}

/// What `parcel_info_update` changes; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParcelChange {
    pub name: Option<String>,
    pub description: Option<String>,
    pub music_url: Option<String>,
    pub for_sale: Option<bool>,
    pub sale_price: Option<i64>,
    /// `Some(None)`: anyone may buy.
    pub sell_to: Option<Option<Uuid>>,
    pub sell_objects: Option<bool>,
    pub snapshot: Option<Uuid>,
    pub landing_point: Option<String>,
    pub landing_routing: Option<String>,
    pub flags: Option<ParcelFlags>,
}

/// The longest parcel name and description.
pub const MAX_NAME: usize = 63;
pub const MAX_DESCRIPTION: usize = 255;

/// Checks a parcel's bounds: whole metres within the region, not empty.
pub fn check_bounds(x1: i64, y1: i64, x2: i64, y2: i64) -> Result<(), Error> {
    let ok = |a: i64, b: i64| (0..=256).contains(&a) && (0..=256).contains(&b) && a < b;
    if ok(x1, x2) && ok(y1, y2) {
        Ok(())
    } else {
        Err(Error::invalid(
            "bounds",
            "a parcel is x1 < x2 and y1 < y2 within 0-256",
        ))
    }
}

/// Whether two parcels overlap.
pub fn overlaps(a: &Parcel, b: &Parcel) -> bool {
    a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2
}

/// The parcel at a point: the smallest containing it (a region's whole-region parcel
/// holds whatever no other parcel does).
pub fn at(parcels: &[Parcel], x: f64, y: f64) -> Option<&Parcel> {
    parcels
        .iter()
        .filter(|p| p.contains(x, y))
        .min_by_key(|p| p.area())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_read_and_write_by_name() {
        let f = ParcelFlags::parse("allowfly, ShowDirectory").unwrap();
        assert_eq!(f.names(), "AllowFly,ShowDirectory");
        assert!(ParcelFlags::parse("Teleport").is_err());
        assert_eq!(
            f.with(ParcelFlags::ALLOW_FLY, false).names(),
            "ShowDirectory"
        );
    }

    #[test]
    fn the_smallest_parcel_at_a_point_wins() {
        let p = |id, x1, y1, x2, y2| Parcel {
            id,
            uuid: Uuid::nil(),
            region: 1,
            name: String::new(),
            description: String::new(),
            x1,
            y1,
            x2,
            y2,
            owner: LandOwner::Estate,
            for_sale: false,
            sale_price: 0,
            sell_to: None,
            sell_objects: false,
            music_url: String::new(),
            snapshot: Uuid::nil(),
            landing_point: String::new(),
            landing_routing: "Direct".into(),
            flags: ParcelFlags::DEFAULT,
            max_prims: 0,
            claimed: Timestamp(0),
        };
        let all = [p(1, 0, 0, 256, 256), p(2, 0, 0, 64, 64)];
        assert_eq!(at(&all, 10.0, 10.0).map(|p| p.id), Some(2));
        assert_eq!(at(&all, 100.0, 10.0).map(|p| p.id), Some(1));
        assert!(overlaps(&all[0], &all[1]));
        assert!(check_bounds(0, 0, 64, 64).is_ok());
        assert!(check_bounds(10, 0, 10, 64).is_err());
        assert!(check_bounds(0, 0, 300, 64).is_err());
    }
}
