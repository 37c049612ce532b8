//! Direct messages and typing notices.

use crate::Error;

/// Longest instant message, in bytes of UTF-8, as in Second Life. Longer messages are
/// refused rather than cut, so that nothing accepted is silently changed.
pub const MAX_IM_BYTES: usize = 1023;

/// Longest friendship-offer message, in bytes.
pub const MAX_OFFER_MESSAGE_BYTES: usize = 1023;

/// How long a typing notice lasts when the caller gives no delay.
pub const TYPING_DEFAULT_SECS: u32 = 15;

/// Longest typing notice a caller may ask for.
pub const TYPING_MAX_SECS: u32 = 3600;

/// Checks the text of an instant message.
pub fn check_im_text(text: &str) -> Result<(), Error> {
    if text.trim().is_empty() {
        return Err(Error::invalid("message", "must not be empty"));
    }
    check_len("message", text, MAX_IM_BYTES)
}

/// Checks a text against a length limit in bytes.
pub fn check_len(field: &'static str, text: &str, max: usize) -> Result<(), Error> {
    if text.len() > max {
        return Err(Error::invalid(
            field,
            format!("is {} bytes long; the limit is {max}", text.len()),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn im_limits() {
        assert!(check_im_text("hi").is_ok());
        assert!(check_im_text("  ").is_err());
        assert!(check_im_text(&"é".repeat(511)).is_ok()); // 1022 bytes
        assert!(check_im_text(&"é".repeat(512)).is_err()); // 1024 bytes
    }
}
