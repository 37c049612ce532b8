//! Secrets: API keys, bot access codes and API tokens.
//!
//! API keys and API tokens are generated with 256 bits of randomness (or, for keys
//! migrated from another service, at least 16 characters) and stored as SHA-256
//! digests, looked up by digest and compared in constant time. Access codes may be
//! chosen by a bot's owner and so may be weak: they are stored as Argon2id hashes, and
//! the engine remembers a successful verification so that the slow hash runs once per
//! code, not once per request.

use rand::Rng;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq;

/// Prefix of generated API keys.
pub const API_KEY_PREFIX: &str = "bgk_";
/// Prefix of bot API tokens; a secret with this prefix is only ever checked as a token.
pub const TOKEN_PREFIX: &str = "bgt_";

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Shortest API key an operator may bring from elsewhere.
pub const MIN_API_KEY_LEN: usize = 16;
/// Shortest access code an owner may choose.
pub const MIN_ACCESS_CODE_LEN: usize = 6;
/// Longest secret of any kind.
pub const MAX_SECRET_LEN: usize = 128;

/// The SHA-256 digest of a secret.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Digest([u8; 32]);

impl Digest {
    /// Digest of a secret as presented.
    pub fn of(secret: &str) -> Digest {
        Digest(Sha256::digest(secret.as_bytes()).into())
    }

    /// Lower-case hex, the stored form.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Compares with a stored hex digest without leaking where they differ.
    pub fn matches_hex(&self, stored: &str) -> bool {
        let mut other = [0u8; 32];
        if hex::decode_to_slice(stored, &mut other).is_err() {
            return false;
        }
        self.0.ct_eq(&other).into()
    }

    /// Compares two digests in constant time.
    pub fn ct_eq(&self, other: &Digest) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl std::fmt::Debug for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Digest(..)")
    }
}

fn random_string(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// A new developer API key (about 190 bits of randomness).
pub fn new_api_key() -> String {
    format!("{API_KEY_PREFIX}{}", random_string(32))
}

/// A new bot API token.
pub fn new_token() -> String {
    format!("{TOKEN_PREFIX}{}", random_string(43))
}

/// The secret part of a new chat link (about 140 bits of randomness).
pub fn new_link_token() -> String {
    random_string(24)
}

/// Prefix of callback signing secrets, as in the Standard Webhooks specification.
pub const SIGNING_SECRET_PREFIX: &str = "whsec_";

/// A new callback signing secret: `whsec_` and 32 random bytes in standard base64 (the
/// bytes are the HMAC key). It has to be kept as it is, not hashed: the server needs it
/// to sign.
pub fn new_signing_secret() -> String {
    use base64::Engine as _;
    let mut key = [0u8; 32];
    rand::rng().fill(&mut key);
    format!(
        "{SIGNING_SECRET_PREFIX}{}",
        base64::engine::general_purpose::STANDARD.encode(key)
    )
}

/// A new random access code.
pub fn new_access_code() -> String {
    random_string(20)
}

fn check_chars(s: &str) -> Result<(), &'static str> {
    if s.len() > MAX_SECRET_LEN {
        return Err("is longer than 128 characters");
    }
    if s.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("must not contain spaces or control characters");
    }
    Ok(())
}

/// Checks an API key brought from elsewhere.
pub fn check_api_key(key: &str) -> Result<(), &'static str> {
    if key.len() < MIN_API_KEY_LEN {
        return Err("must have at least 16 characters");
    }
    check_chars(key)
}

/// Checks an access code chosen by an owner.
pub fn check_access_code(code: &str) -> Result<(), &'static str> {
    if code.len() < MIN_ACCESS_CODE_LEN {
        return Err("must have at least 6 characters");
    }
    if code.starts_with(TOKEN_PREFIX) {
        return Err("must not start with bgt_ (that prefix marks API tokens)");
    }
    check_chars(code)
}

/// The lower-case SHA-1 hex of a group security code: what the Simple Groups API's
/// `secret_sha1` carries, and what the stored Argon2 hash covers, so that both `secret`
/// and `secret_sha1` check against one hash.
pub fn sha1_hex(code: &str) -> String {
    use sha1::Digest as _;
    hex::encode(sha1::Sha1::digest(code.as_bytes()))
}

/// Reads a `secret_sha1` value: 40 hex digits, any case.
pub fn parse_sha1_hex(text: &str) -> Option<String> {
    let t = text.trim().to_ascii_lowercase();
    (t.len() == 40 && t.chars().all(|c| c.is_ascii_hexdigit())).then_some(t)
}

/// Hashes an access code with Argon2id into a PHC string.
pub fn hash_access_code(code: &str) -> Result<String, crate::Error> {
    use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(code.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(crate::Error::internal)
}

/// Verifies an access code against its PHC string. Slow by design (tens of ms).
pub fn verify_access_code(code: &str, phc: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    match PasswordHash::new(phc) {
        Ok(hash) => argon2::Argon2::default()
            .verify_password(code.as_bytes(), &hash)
            .is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secrets_have_their_shape() {
        let k = new_api_key();
        assert!(k.starts_with(API_KEY_PREFIX) && k.len() == 36);
        assert!(check_api_key(&k).is_ok());
        assert_ne!(new_token(), new_token());
        assert!(check_access_code(&new_access_code()).is_ok());
    }

    #[test]
    fn digests_compare() {
        let d = Digest::of("secret");
        assert!(d.matches_hex(&d.to_hex()));
        assert!(!d.matches_hex(&Digest::of("Secret").to_hex()));
        assert!(!d.matches_hex("zz"));
    }

    #[test]
    fn access_codes_hash_and_verify() {
        let phc = hash_access_code("open sesame").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify_access_code("open sesame", &phc));
        assert!(!verify_access_code("open sesamE", &phc));
        assert!(!verify_access_code("open sesame", "not a hash"));
    }

    #[test]
    fn sha1_of_codes() {
        assert_eq!(sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            parse_sha1_hex(" A9993E364706816ABA3E25717850C26C9CD0D89D "),
            Some(sha1_hex("abc"))
        );
        assert_eq!(parse_sha1_hex("abc"), None);
    }

    #[test]
    fn weak_or_odd_codes_are_refused() {
        assert!(check_access_code("abc").is_err());
        assert!(check_access_code("bgt_something").is_err());
        assert!(check_access_code("has space").is_err());
        assert!(check_api_key("short").is_err());
    }
}
