//! Timestamps: milliseconds since the Unix epoch, UTC.

use serde::{Deserialize, Serialize};
use std::time::{SystemTime, UNIX_EPOCH};

/// A point in time, in milliseconds since the Unix epoch (UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The current wall-clock time.
    pub fn now() -> Self {
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        Timestamp(ms)
    }

    fn datetime(self) -> time::OffsetDateTime {
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000_000)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
    }

    /// `MM/DD/YYYY`, the form Second Life profiles use for a birth date.
    pub fn us_date(self) -> String {
        let d = self.datetime();
        format!("{:02}/{:02}/{:04}", u8::from(d.month()), d.day(), d.year())
    }

    /// ISO-8601 / RFC 3339 in UTC with microseconds, e.g. `2025-01-01T12:00:00.123000Z`.
    pub fn iso8601(self) -> String {
        let d = self.datetime();
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
            d.year(),
            u8::from(d.month()),
            d.day(),
            d.hour(),
            d.minute(),
            d.second(),
            d.microsecond()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_dates() {
        // 2024-02-29T13:14:15.678Z
        let t = Timestamp(1_709_212_455_678);
        assert_eq!(t.us_date(), "02/29/2024");
        assert_eq!(t.iso8601(), "2024-02-29T13:14:15.678000Z");
    }
}
