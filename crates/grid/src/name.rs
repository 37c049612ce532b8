//! Legacy avatar names: `First Last`, where a missing last name means `Resident`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The last name Second Life gives to accounts created with a single user name.
pub const RESIDENT: &str = "Resident";

/// Longest first or last name Second Life allows.
const MAX_PART: usize = 31;

/// A legacy name, `First Last`, with the letter case it was created with.
///
/// Names are compared case-insensitively through [`LegacyName::key`]. Parsing accepts
/// `First Last`, `First` alone (meaning `First Resident`) and the user-name form
/// `first.last`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegacyName {
    first: String,
    last: String,
}

/// Why a text is not a legacy name.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NameError(pub &'static str);

impl LegacyName {
    /// Parses a name as users type it, keeping the letter case given.
    pub fn parse(input: &str) -> Result<Self, NameError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(NameError("name is empty"));
        }
        let mut parts: Vec<&str> = input.split_whitespace().collect();
        if parts.len() == 1 && parts[0].contains('.') {
            parts = parts[0].split('.').collect();
        }
        let (first, last) = match parts.as_slice() {
            [first] => (*first, RESIDENT),
            [first, last] => (*first, *last),
            _ => return Err(NameError("a name has at most two words, First Last")),
        };
        for part in [first, last] {
            if part.is_empty() || part.len() > MAX_PART {
                return Err(NameError("each part of a name has 1 to 31 characters"));
            }
            if !part.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(NameError("names contain only letters A-Z and digits"));
            }
        }
        Ok(LegacyName {
            first: first.to_owned(),
            last: last.to_owned(),
        })
    }

    /// Builds a name from parts already stored (trusted input).
    pub fn from_parts(first: impl Into<String>, last: impl Into<String>) -> Self {
        LegacyName {
            first: first.into(),
            last: last.into(),
        }
    }

    /// The first name.
    pub fn first(&self) -> &str {
        &self.first
    }

    /// The last name (`Resident` for single-word accounts).
    pub fn last(&self) -> &str {
        &self.last
    }

    /// The case-insensitive lookup key: `first last`, lower case.
    pub fn key(&self) -> String {
        format!("{} {}", self.first, self.last).to_ascii_lowercase()
    }

    /// The same name with each part capitalised (`ada resident` → `Ada Resident`), the
    /// normal form of a name typed by a user whose real case is not known.
    pub fn capitalized(&self) -> LegacyName {
        fn cap(s: &str) -> String {
            let mut out = String::with_capacity(s.len());
            for (i, c) in s.chars().enumerate() {
                if i == 0 {
                    out.push(c.to_ascii_uppercase());
                } else {
                    out.push(c.to_ascii_lowercase());
                }
            }
            out
        }
        LegacyName {
            first: cap(&self.first),
            last: cap(&self.last),
        }
    }
}

impl fmt::Display for LegacyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.first, self.last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_word_means_resident() {
        let n = LegacyName::parse("  Ada ").unwrap();
        assert_eq!(n.to_string(), "Ada Resident");
        assert_eq!(n.key(), "ada resident");
    }

    #[test]
    fn user_name_form_is_accepted() {
        assert_eq!(
            LegacyName::parse("ada.lovelace").unwrap().key(),
            "ada lovelace"
        );
        assert_eq!(
            LegacyName::parse("ada.").unwrap_err().0,
            "each part of a name has 1 to 31 characters"
        );
    }

    #[test]
    fn keys_ignore_case_and_spacing() {
        let a = LegacyName::parse("ADA   Lovelace").unwrap();
        let b = LegacyName::parse("ada lovelace").unwrap();
        assert_eq!(a.key(), b.key());
        assert_eq!(a.to_string(), "ADA Lovelace");
        assert_eq!(a.capitalized().to_string(), "Ada Lovelace");
    }

    #[test]
    fn rejects_bad_names() {
        assert!(LegacyName::parse("").is_err());
        assert!(LegacyName::parse("a b c").is_err());
        assert!(LegacyName::parse("Zoë Resident").is_err());
        assert!(LegacyName::parse(&"x".repeat(32)).is_err());
    }
}
