//! The list filters SmartBots offers so that replies fit LSL's 1024-character limit.

use crate::Uuid;

/// `skipnames`, `matchnames` and `matchuuid`: substring filters on names (case-insensitive)
/// and an exact filter on the UUID. An empty filter keeps everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameFilter {
    pub skip: Option<String>,
    pub matching: Option<String>,
    pub uuid: Option<Uuid>,
}

impl NameFilter {
    /// True when an entry with this name and UUID passes the filter.
    pub fn keeps(&self, name: &str, uuid: Uuid) -> bool {
        let lower = name.to_lowercase();
        if let Some(skip) = &self.skip
            && !skip.is_empty()
            && lower.contains(&skip.to_lowercase())
        {
            return false;
        }
        if let Some(m) = &self.matching
            && !lower.contains(&m.to_lowercase())
        {
            return false;
        }
        self.uuid.is_none_or(|u| u == uuid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_combine() {
        let u = Uuid::from_u128(7);
        let f = NameFilter {
            skip: Some("OLD".into()),
            matching: Some("shop".into()),
            uuid: None,
        };
        assert!(f.keeps("My Shop", u));
        assert!(!f.keeps("Old shop", u));
        assert!(!f.keeps("Garden", u));
        let f = NameFilter {
            uuid: Some(u),
            ..Default::default()
        };
        assert!(f.keeps("x", u));
        assert!(!f.keeps("x", Uuid::from_u128(8)));
    }
}
