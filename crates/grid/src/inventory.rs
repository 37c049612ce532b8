//! Inventory: every avatar's folders and items, with Second Life's permissions.
//!
//! An item is the avatar's own entry (its inventory UUID) pointing at an asset (the
//! asset UUID: the texture, the notecard text, the object). Copies of an item are new
//! entries with the same asset. Permissions are the owner's (`perms`) and what the next
//! owner will get (`next_perms`): giving an item needs transfer; an item without copy
//! moves to the recipient, one with copy is copied; the recipient's copy has the next
//! owner's permissions.

use crate::{AvatarId, Error, Timestamp, Uuid};

/// Permission bits, as Second Life numbers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Perms(pub i64);

impl Perms {
    pub const TRANSFER: Perms = Perms(0x2000);
    pub const MODIFY: Perms = Perms(0x4000);
    pub const COPY: Perms = Perms(0x8000);
    pub const ALL: Perms = Perms(0x2000 | 0x4000 | 0x8000);
    pub const NONE: Perms = Perms(0);

    pub fn contains(self, other: Perms) -> bool {
        self.0 & other.0 == other.0
    }

    /// The words SmartBots writes: `mod`, `copy`, `trans`, in that order.
    pub fn words(self) -> Vec<&'static str> {
        [
            (Perms::MODIFY, "mod"),
            (Perms::COPY, "copy"),
            (Perms::TRANSFER, "trans"),
        ]
        .into_iter()
        .filter(|(p, _)| self.contains(*p))
        .map(|(_, w)| w)
        .collect()
    }

    /// Reads `mod+copy+trans` (any order, `+` or `,` between; `none` or empty: none).
    pub fn parse(text: &str) -> Result<Perms, String> {
        let mut p = Perms::NONE;
        for w in text
            .split(['+', ','])
            .map(str::trim)
            .filter(|w| !w.is_empty())
        {
            p = Perms(
                p.0 | match w.to_ascii_lowercase().as_str() {
                    "mod" | "modify" => Perms::MODIFY.0,
                    "copy" => Perms::COPY.0,
                    "trans" | "transfer" => Perms::TRANSFER.0,
                    "all" => Perms::ALL.0,
                    "none" => 0,
                    _ => return Err(format!("unknown permission {w:?}")),
                },
            );
        }
        Ok(p)
    }

    /// What a new owner gets: the next owner's permissions, never more than the item
    /// has now.
    pub fn for_next_owner(current: Perms, next: Perms) -> Perms {
        Perms(current.0 & next.0)
    }
}

/// What an item is, by Second Life's asset types (lower case, as SmartBots lists them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AssetType {
    Texture,
    Sound,
    CallingCard,
    Landmark,
    Clothing,
    Object,
    Notecard,
    Script,
    BodyPart,
    Animation,
    Gesture,
}

impl AssetType {
    pub const ALL: [AssetType; 11] = [
        AssetType::Texture,
        AssetType::Sound,
        AssetType::CallingCard,
        AssetType::Landmark,
        AssetType::Clothing,
        AssetType::Object,
        AssetType::Notecard,
        AssetType::Script,
        AssetType::BodyPart,
        AssetType::Animation,
        AssetType::Gesture,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AssetType::Texture => "texture",
            AssetType::Sound => "sound",
            AssetType::CallingCard => "callingcard",
            AssetType::Landmark => "landmark",
            AssetType::Clothing => "clothing",
            AssetType::Object => "object",
            AssetType::Notecard => "notecard",
            AssetType::Script => "script",
            AssetType::BodyPart => "bodypart",
            AssetType::Animation => "animation",
            AssetType::Gesture => "gesture",
        }
    }

    pub fn parse(s: &str) -> Option<AssetType> {
        let s = s.trim().to_ascii_lowercase();
        AssetType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Whether items of this type can be worn (`wear`, `takeoff`).
    pub fn wearable(self) -> bool {
        matches!(
            self,
            AssetType::Clothing | AssetType::BodyPart | AssetType::Object
        )
    }

    /// The system folder new items of this type land in.
    pub fn home_folder(self) -> SystemFolder {
        match self {
            AssetType::Texture => SystemFolder::Textures,
            AssetType::Notecard => SystemFolder::Notecards,
            AssetType::Landmark => SystemFolder::Landmarks,
            AssetType::Clothing => SystemFolder::Clothing,
            AssetType::BodyPart => SystemFolder::BodyParts,
            _ => SystemFolder::Objects,
        }
    }
}

/// The folders every inventory has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SystemFolder {
    Root,
    CurrentOutfit,
    Notecards,
    Objects,
    Textures,
    Clothing,
    BodyParts,
    Landmarks,
    LostAndFound,
}

impl SystemFolder {
    /// The folders under the root, in the order they are made.
    pub const UNDER_ROOT: [SystemFolder; 8] = [
        SystemFolder::CurrentOutfit,
        SystemFolder::Notecards,
        SystemFolder::Objects,
        SystemFolder::Textures,
        SystemFolder::Clothing,
        SystemFolder::BodyParts,
        SystemFolder::Landmarks,
        SystemFolder::LostAndFound,
    ];

    pub fn key(self) -> &'static str {
        match self {
            SystemFolder::Root => "root",
            SystemFolder::CurrentOutfit => "current_outfit",
            SystemFolder::Notecards => "notecards",
            SystemFolder::Objects => "objects",
            SystemFolder::Textures => "textures",
            SystemFolder::Clothing => "clothing",
            SystemFolder::BodyParts => "body_parts",
            SystemFolder::Landmarks => "landmarks",
            SystemFolder::LostAndFound => "lost_and_found",
        }
    }

    /// The name Second Life viewers show.
    pub fn name(self) -> &'static str {
        match self {
            SystemFolder::Root => "My Inventory",
            SystemFolder::CurrentOutfit => "Current Outfit",
            SystemFolder::Notecards => "Notecards",
            SystemFolder::Objects => "Objects",
            SystemFolder::Textures => "Textures",
            SystemFolder::Clothing => "Clothing",
            SystemFolder::BodyParts => "Body Parts",
            SystemFolder::Landmarks => "Landmarks",
            SystemFolder::LostAndFound => "Lost And Found",
        }
    }

    pub fn parse(key: &str) -> Option<SystemFolder> {
        std::iter::once(SystemFolder::Root)
            .chain(SystemFolder::UNDER_ROOT)
            .find(|f| f.key() == key)
    }
}

/// A folder of an avatar's inventory.
#[derive(Clone, Debug, PartialEq)]
pub struct Folder {
    pub id: i64,
    pub uuid: Uuid,
    pub owner: AvatarId,
    /// `None` for the root, and for a folder offered to its owner and not yet accepted.
    pub parent: Option<i64>,
    pub name: String,
    pub system: Option<SystemFolder>,
}

/// An item of an avatar's inventory.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub id: i64,
    pub uuid: Uuid,
    pub owner: AvatarId,
    /// `None` while the item is offered to its owner and not yet accepted.
    pub folder: Option<i64>,
    pub asset_type: AssetType,
    /// For clothing and body parts: the slot (`shirt`, `shape`, …).
    pub wearable: Option<String>,
    pub asset: Uuid,
    pub name: String,
    pub description: String,
    pub creator: Option<AvatarId>,
    pub perms: Perms,
    pub next_perms: Perms,
    pub worn: bool,
    pub created: Timestamp,
    /// For objects: prims in the link set (1 for everything else).
    pub links: i64,
}

/// One line of a folder's listing.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    Folder(Folder),
    Item(Item),
}

impl Entry {
    pub fn uuid(&self) -> Uuid {
        match self {
            Entry::Folder(f) => f.uuid,
            Entry::Item(i) => i.uuid,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Entry::Folder(f) => &f.name,
            Entry::Item(i) => &i.name,
        }
    }
}

/// A texture's image: the bytes as uploaded, or (once the engine has stored them) the
/// stored body.
#[derive(Clone, PartialEq)]
pub enum TextureBody {
    Bytes(Vec<u8>),
    Stored { digest: String, size: u64 },
}

impl std::fmt::Debug for TextureBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TextureBody::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            TextureBody::Stored { digest, size } => write!(f, "Stored({digest}, {size} bytes)"),
        }
    }
}

/// Whether bytes are an image Second Life takes for a texture: JPEG, PNG or TIFF.
pub fn is_image(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0xD8, 0xFF])
        || bytes.starts_with(b"\x89PNG\r\n\x1a\n")
        || bytes.starts_with(b"II*\0")
        || bytes.starts_with(b"MM\0*")
}

/// The longest item or folder name.
pub const MAX_NAME: usize = 63;
/// The longest item description.
pub const MAX_DESCRIPTION: usize = 127;
/// The longest notecard text, in bytes (Second Life's limit).
pub const MAX_NOTECARD: usize = 65_536;

/// The wearable slots of clothing and body parts.
pub const WEARABLES: [&str; 17] = [
    "shape",
    "skin",
    "hair",
    "eyes",
    "shirt",
    "pants",
    "shoes",
    "socks",
    "jacket",
    "gloves",
    "undershirt",
    "underpants",
    "skirt",
    "alpha",
    "tattoo",
    "physics",
    "universal",
];

/// Checks an item or folder name.
pub fn check_name(field: &'static str, name: &str) -> Result<(), Error> {
    if name.trim().is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if name.chars().count() > MAX_NAME {
        return Err(Error::invalid(
            field,
            format!("longer than {MAX_NAME} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    Ok(())
}

/// Checks an item description.
pub fn check_description(text: &str) -> Result<(), Error> {
    if text.chars().count() > MAX_DESCRIPTION {
        return Err(Error::invalid(
            "description",
            format!("longer than {MAX_DESCRIPTION} characters"),
        ));
    }
    Ok(())
}

/// Checks a notecard's text.
pub fn check_notecard(text: &str) -> Result<(), Error> {
    if text.len() > MAX_NOTECARD {
        return Err(Error::invalid(
            "text",
            format!("longer than {MAX_NOTECARD} bytes"),
        ));
    }
    Ok(())
}

/// Whether an item may be given away.
pub fn may_give(item: &Item) -> Result<(), Error> {
    if !item.perms.contains(Perms::TRANSFER) {
        return Err(Error::NoTransfer);
    }
    if item.worn && !item.perms.contains(Perms::COPY) {
        return Err(Error::invalid(
            "object",
            "take it off first: it is worn and has no copy",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_read_and_write_as_smartbots_words() {
        assert_eq!(Perms::ALL.words(), ["mod", "copy", "trans"]);
        assert_eq!(Perms::parse("copy+trans").unwrap(), Perms(0x8000 | 0x2000));
        assert_eq!(Perms::parse("trans,mod").unwrap().words(), ["mod", "trans"]);
        assert_eq!(Perms::parse("").unwrap(), Perms::NONE);
        assert!(Perms::parse("fly").is_err());
        assert!(is_image(b"\x89PNG\r\n\x1a\nrest"));
        assert!(is_image(&[0xFF, 0xD8, 0xFF, 0xE0]));
        assert!(!is_image(b"GIF89a"));
        // The next owner never gets more than the item has.
        let next = Perms::for_next_owner(Perms::parse("copy+trans").unwrap(), Perms::ALL);
        assert_eq!(next.words(), ["copy", "trans"]);
    }

    #[test]
    fn asset_types_round_trip_and_have_home_folders() {
        for t in AssetType::ALL {
            assert_eq!(AssetType::parse(t.as_str()), Some(t));
        }
        assert_eq!(AssetType::parse("NOTECARD"), Some(AssetType::Notecard));
        assert_eq!(AssetType::Notecard.home_folder(), SystemFolder::Notecards);
        assert_eq!(AssetType::Script.home_folder(), SystemFolder::Objects);
        for f in SystemFolder::UNDER_ROOT {
            assert_eq!(SystemFolder::parse(f.key()), Some(f));
        }
    }
}
