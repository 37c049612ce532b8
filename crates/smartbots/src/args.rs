//! Typed access to a command's parameters.

use crate::errors::Failure;
use crate::params::Params;
use grid::Uuid;
use grid::filter::NameFilter;

/// The parameters of a request, read as a command needs them.
pub struct Args<'a> {
    params: &'a Params,
}

pub(crate) fn invalid(name: &'static str, reason: impl Into<String>) -> Failure {
    Failure::Invalid {
        name,
        reason: reason.into(),
    }
}

impl<'a> Args<'a> {
    pub fn new(params: &'a Params) -> Self {
        Args { params }
    }

    /// A parameter that may be absent. An empty value counts as absent.
    pub fn opt(&self, name: &'static str) -> Option<&'a str> {
        self.params.get(name).filter(|v| !v.is_empty())
    }

    /// A parameter that may be given empty (`url=` means "none").
    pub fn raw(&self, name: &'static str) -> Option<&'a str> {
        self.params.get(name)
    }

    /// A parameter that must be present and not empty.
    pub fn req(&self, name: &'static str) -> Result<&'a str, Failure> {
        self.opt(name).ok_or(Failure::Missing(name))
    }

    /// A required avatar (or other) UUID.
    pub fn req_uuid(&self, name: &'static str) -> Result<Uuid, Failure> {
        parse_uuid(name, self.req(name)?)
    }

    /// An optional UUID.
    pub fn opt_uuid(&self, name: &'static str) -> Result<Option<Uuid>, Failure> {
        self.opt(name).map(|v| parse_uuid(name, v)).transpose()
    }

    /// A `1`/`0` switch: absent or empty is off.
    pub fn flag(&self, name: &'static str) -> Result<bool, Failure> {
        Ok(self.opt_flag(name)?.unwrap_or(false))
    }

    /// A `1`/`0` switch that may be absent.
    pub fn opt_flag(&self, name: &'static str) -> Result<Option<bool>, Failure> {
        match self.opt(name).map(|v| v.trim().to_ascii_lowercase()) {
            None => Ok(None),
            Some(v) => match v.as_str() {
                "1" | "true" | "yes" | "on" => Ok(Some(true)),
                "0" | "false" | "no" | "off" => Ok(Some(false)),
                _ => Err(invalid(name, "expected 1 or 0")),
            },
        }
    }

    /// A required `on`/`off` switch.
    pub fn on_off(&self, name: &'static str) -> Result<bool, Failure> {
        on_off_value(name, self.req(name)?)
    }

    /// An `on`/`off` switch that may be absent.
    pub fn opt_on_off(&self, name: &'static str) -> Result<Option<bool>, Failure> {
        self.opt(name).map(|v| on_off_value(name, v)).transpose()
    }

    /// A required number (`x`, `y`, `z`, …).
    pub fn number(&self, name: &'static str) -> Result<f64, Failure> {
        number_value(name, self.req(name)?)
    }

    /// A number that may be absent.
    pub fn opt_number(&self, name: &'static str) -> Result<Option<f64>, Failure> {
        self.opt(name).map(|v| number_value(name, v)).transpose()
    }

    /// A required whole number (a chat channel, …).
    pub fn whole<T: std::str::FromStr>(&self, name: &'static str) -> Result<T, Failure> {
        whole_value(name, self.req(name)?)
    }

    /// An optional whole number within `min..=max`.
    pub fn opt_u32(&self, name: &'static str, min: u32, max: u32) -> Result<Option<u32>, Failure> {
        match self.opt(name) {
            None => Ok(None),
            Some(v) => match v.trim().parse::<u32>() {
                Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
                _ => Err(invalid(
                    name,
                    format!("expected a whole number from {min} to {max}"),
                )),
            },
        }
    }

    /// `skipnames`, `matchnames`, `matchuuid`.
    pub fn filter(&self) -> Result<NameFilter, Failure> {
        Ok(NameFilter {
            skip: self.opt("skipnames").map(str::to_owned),
            matching: self.opt("matchnames").map(str::to_owned),
            uuid: self.opt_uuid("matchuuid")?,
        })
    }
}

/// Reads an `on`/`off` switch given as `name` (`1`/`0`, `true`/`false` and `start`/`stop`
/// too: scripts written for SmartBots use all of them).
pub fn on_off_value(name: &'static str, v: &str) -> Result<bool, Failure> {
    match v.trim().to_ascii_lowercase().as_str() {
        "on" | "1" | "true" | "start" => Ok(true),
        "off" | "0" | "false" | "stop" => Ok(false),
        _ => Err(invalid(name, "expected on or off")),
    }
}

/// Reads a number given as `name`.
pub fn number_value(name: &'static str, v: &str) -> Result<f64, Failure> {
    v.trim()
        .parse::<f64>()
        .map_err(|_| invalid(name, "expected a number"))
}

/// Reads a whole number given as `name`.
pub fn whole_value<T: std::str::FromStr>(name: &'static str, v: &str) -> Result<T, Failure> {
    v.trim()
        .parse::<T>()
        .map_err(|_| invalid(name, "expected a whole number"))
}

fn parse_uuid(name: &'static str, v: &str) -> Result<Uuid, Failure> {
    Uuid::parse_str(v.trim()).map_err(|_| invalid(name, "expected a UUID"))
}
