//! Who is calling: developer API keys, bot access codes and API tokens, group security
//! codes.
//!
//! API keys and tokens are looked up by their SHA-256 digest. Access codes and group
//! security codes are stored as Argon2id hashes; the first successful check of a code
//! against a hash is slow, and its result is remembered (as the digest of the code, next
//! to the hash it matched) so that later requests compare digests in constant time
//! instead. Changing a code changes its hash, which makes the remembered result useless
//! at once.

use governor::clock::DefaultClock;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use grid::group::GroupId;
use grid::secret::{self, Digest};
use grid::{Avatar, AvatarId, AvatarKind, Error, LegacyName, Uuid};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;
use store::Tx;
use tokio::sync::Semaphore;

/// What a SmartBots-style caller presents: `apikey`, `botname`, `secret`.
#[derive(Clone)]
pub struct Credentials {
    pub apikey: String,
    pub botname: String,
    pub secret: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("botname", &self.botname)
            .finish_non_exhaustive()
    }
}

/// Whose code is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Subject {
    Bot(AvatarId),
    Group(GroupId),
}

/// The outcome of the fast check inside a store job.
pub(crate) enum Identity {
    /// The caller may drive this bot.
    Bot(Avatar),
    /// The code has not been seen with this hash yet: check it slowly, then retry.
    Verify { subject: Subject, phc: String },
}

pub(crate) struct Verifier {
    verified: Mutex<HashMap<Subject, (String, Digest)>>,
    slow_checks: Semaphore,
    attempts: RateLimiter<Subject, DefaultKeyedStateStore<Subject>, DefaultClock>,
}

impl Default for Verifier {
    fn default() -> Self {
        // Slow checks cost tens of milliseconds of CPU each: two at a time, and at most
        // ten a minute per bot or group, so wrong codes cannot eat the machine.
        let per_minute = NonZeroU32::new(10).unwrap_or(NonZeroU32::MIN);
        Verifier {
            verified: Mutex::new(HashMap::new()),
            slow_checks: Semaphore::new(2),
            attempts: RateLimiter::keyed(Quota::per_minute(per_minute)),
        }
    }
}

impl Verifier {
    /// True when `code` is known to match `phc` for this subject.
    pub(crate) fn remembered(&self, subject: Subject, phc: &str, code: &Digest) -> bool {
        let verified = self.verified.lock().unwrap_or_else(|p| p.into_inner());
        verified
            .get(&subject)
            .is_some_and(|(hash, digest)| hash == phc && digest.ct_eq(code))
    }

    /// Checks a code against its Argon2 hash off the async threads.
    pub(crate) async fn verify_slowly(
        &self,
        subject: Subject,
        phc: String,
        code: &str,
    ) -> Result<(), Error> {
        if self.attempts.check_key(&subject).is_err() {
            return Err(Error::Throttled {
                retry_after_ms: 6000,
            });
        }
        let _permit = self
            .slow_checks
            .acquire()
            .await
            .map_err(|_| Error::internal("verifier closed"))?;
        let code_owned = code.to_owned();
        let phc_check = phc.clone();
        let ok = tokio::task::spawn_blocking(move || {
            secret::verify_access_code(&code_owned, &phc_check)
        })
        .await
        .map_err(Error::internal)?;
        if !ok {
            return Err(Error::InvalidSecret);
        }
        let mut verified = self.verified.lock().unwrap_or_else(|p| p.into_inner());
        verified.insert(subject, (phc, Digest::of(code)));
        Ok(())
    }
}

/// Fails unless the API key belongs to a developer.
pub(crate) fn check_api_key(tx: &mut Tx<'_>, apikey: &str) -> Result<(), Error> {
    match tx.developer_by_key(&Digest::of(apikey))? {
        Some(_) => Ok(()),
        None => Err(Error::InvalidApiKey),
    }
}

/// The fast part of authenticating a bot's caller, run inside the command's store job.
pub(crate) fn identify(
    tx: &mut Tx<'_>,
    verifier: &Verifier,
    creds: &Credentials,
) -> Result<Identity, Error> {
    check_api_key(tx, &creds.apikey)?;
    let bot = match Uuid::parse_str(creds.botname.trim()) {
        Ok(uuid) => tx.avatar_by_uuid(uuid)?,
        Err(_) => match LegacyName::parse(&creds.botname) {
            Ok(name) => tx.avatar_by_name(&name)?,
            Err(_) => None,
        },
    };
    let Some(bot) = bot.filter(|a| a.kind == AvatarKind::Bot) else {
        return Err(Error::BotNotFound);
    };
    let presented = Digest::of(&creds.secret);
    if creds.secret.starts_with(secret::TOKEN_PREFIX) {
        return if tx.bot_token_matches(bot.id, &presented)? {
            Ok(Identity::Bot(bot))
        } else {
            Err(Error::InvalidSecret)
        };
    }
    let phc = tx.bot_code_hash(bot.id)?.ok_or(Error::BotNotFound)?;
    if phc.is_empty() {
        // A token-only bot has no access code.
        return Err(Error::InvalidSecret);
    }
    let subject = Subject::Bot(bot.id);
    if verifier.remembered(subject, &phc, &presented) {
        Ok(Identity::Bot(bot))
    } else {
        Ok(Identity::Verify { subject, phc })
    }
}
