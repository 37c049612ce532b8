//! Places as the APIs write them: `Region/X/Y/Z`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A position in a named region. Region names may contain spaces.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub region: String,
    pub x: f64,
    pub y: f64,
    pub z: f64,
}

/// Where a bot starts when it logs in.
#[derive(Clone, Debug, PartialEq)]
pub enum StartLocation {
    /// The avatar's home.
    Home,
    /// A given place; it also becomes the bot's stored base location.
    At(Location),
}

/// Why a text is not a location.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct LocationError(pub &'static str);

const MAX_REGION_NAME: usize = 35;

impl Location {
    /// Parses `Region/X/Y/Z`. X and Y lie within a 256 m region, Z within 0–4096 m.
    pub fn parse(text: &str) -> Result<Location, LocationError> {
        let mut parts = text.trim().rsplitn(4, '/');
        let (Some(z), Some(y), Some(x), Some(region)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(LocationError("expected Region/X/Y/Z"));
        };
        let region = region.trim();
        if region.is_empty() || region.len() > MAX_REGION_NAME {
            return Err(LocationError("region name must have 1 to 35 characters"));
        }
        let coord = |s: &str, max: f64| -> Result<f64, LocationError> {
            let v: f64 = s
                .trim()
                .parse()
                .map_err(|_| LocationError("coordinates must be numbers"))?;
            if v.is_finite() && (0.0..=max).contains(&v) {
                Ok(v)
            } else {
                Err(LocationError(
                    "coordinates are out of range (X, Y 0-256, Z 0-4096)",
                ))
            }
        };
        Ok(Location {
            region: region.to_owned(),
            x: coord(x, 256.0)?,
            y: coord(y, 256.0)?,
            z: coord(z, 4096.0)?,
        })
    }
}

impl StartLocation {
    /// Parses `HOME` (any case) or `Region/X/Y/Z`.
    pub fn parse(text: &str) -> Result<StartLocation, LocationError> {
        if text.trim().eq_ignore_ascii_case("home") {
            Ok(StartLocation::Home)
        } else {
            Location::parse(text).map(StartLocation::At)
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}/{}", self.region, self.x, self.y, self.z)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_region_with_spaces() {
        let l = Location::parse("Botgrid Welcome/128/64.5/22").unwrap();
        assert_eq!(l.region, "Botgrid Welcome");
        assert_eq!(l.to_string(), "Botgrid Welcome/128/64.5/22");
    }

    #[test]
    fn rejects_malformed() {
        assert!(Location::parse("Region/1/2").is_err());
        assert!(Location::parse("/1/2/3").is_err());
        assert!(Location::parse("R/1/2/x").is_err());
        assert!(Location::parse("R/300/2/3").is_err());
        assert!(Location::parse("R/NaN/2/3").is_err());
    }

    #[test]
    fn home_is_any_case() {
        assert_eq!(StartLocation::parse("home").unwrap(), StartLocation::Home);
    }
}
