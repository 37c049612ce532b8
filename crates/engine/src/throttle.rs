//! Per-bot limits on messaging commands and on scans.

use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use grid::{AvatarId, Error};
use std::num::NonZeroU32;

/// A token bucket: `per_second` sustained, up to `burst` at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottleConfig {
    pub per_second: u32,
    pub burst: u32,
}

impl Default for ThrottleConfig {
    /// Generous: 10 messages a second sustained, bursts of 100.
    fn default() -> Self {
        ThrottleConfig {
            per_second: 10,
            burst: 100,
        }
    }
}

pub(crate) struct Throttle {
    limiter: RateLimiter<AvatarId, DefaultKeyedStateStore<AvatarId>, DefaultClock>,
    clock: DefaultClock,
}

impl Throttle {
    pub(crate) fn new(config: &ThrottleConfig) -> Throttle {
        let per_second = NonZeroU32::new(config.per_second).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(config.burst).unwrap_or(per_second);
        Throttle {
            limiter: RateLimiter::keyed(Quota::per_second(per_second).allow_burst(burst)),
            clock: DefaultClock::default(),
        }
    }

    /// `nearbyavatars_scan`'s limit: 2 calls in 10 seconds.
    pub(crate) fn scans() -> Throttle {
        let quota = Quota::with_period(std::time::Duration::from_secs(5))
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(NonZeroU32::new(2).unwrap_or(NonZeroU32::MIN));
        Throttle {
            limiter: RateLimiter::keyed(quota),
            clock: DefaultClock::default(),
        }
    }

    /// Takes one token for the bot, or says how long to wait.
    pub(crate) fn check(&self, bot: AvatarId) -> Result<(), Error> {
        self.limiter.check_key(&bot).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            Error::Throttled {
                retry_after_ms: wait.as_millis().max(1) as u64,
            }
        })?;
        // Keep the key table small: forget bots whose buckets are full again.
        if self.limiter.len() > 10_000 {
            self.limiter.retain_recent();
        }
        Ok(())
    }
}
