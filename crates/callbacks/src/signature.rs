//! Standard Webhooks signatures.
//!
//! Each POST carries `webhook-id` (the event id, the same on every retry),
//! `webhook-timestamp` (Unix seconds of the attempt) and `webhook-signature`: for each
//! secret in use, `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body`, keyed with
//! the bytes the `whsec_` secret encodes; several are separated by spaces. Receivers
//! check one of them in constant time and reject old timestamps to stop replays.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The key bytes of a `whsec_…` secret; `None` if it is not one.
fn key_of(secret: &str) -> Option<Vec<u8>> {
    let encoded = secret.strip_prefix(grid::secret::SIGNING_SECRET_PREFIX)?;
    STANDARD.decode(encoded).ok().filter(|k| !k.is_empty())
}

/// The `webhook-signature` value for a POST: one `v1,…` entry per secret.
pub fn header<'a>(
    secrets: impl IntoIterator<Item = &'a str>,
    id: &str,
    timestamp: i64,
    body: &str,
) -> String {
    let mut out = String::new();
    for secret in secrets {
        let Some(key) = key_of(secret) else { continue };
        // Any key length is valid for HMAC; the error cannot occur.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key) else {
            continue;
        };
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body.as_bytes());
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str("v1,");
        out.push_str(&STANDARD.encode(mac.finalize().into_bytes()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks specification (secret, id, timestamp,
    /// payload and the signature it gives).
    #[test]
    fn matches_the_specification_example() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            header([secret], id, 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn signs_with_every_secret_in_use_and_skips_malformed_ones() {
        let a = grid::secret::new_signing_secret();
        let b = grid::secret::new_signing_secret();
        let both = header([a.as_str(), b.as_str()], "7", 1, "x=1");
        let parts: Vec<&str> = both.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], header([a.as_str()], "7", 1, "x=1"));
        assert_eq!(parts[1], header([b.as_str()], "7", 1, "x=1"));
        assert_ne!(
            parts[0],
            header([a.as_str()], "7", 2, "x=1"),
            "timestamp signed"
        );
        assert_eq!(header(["not a secret", ""], "7", 1, "x=1"), "");
    }
}
