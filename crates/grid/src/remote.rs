//! Bots that live in a remote grid: what botgrid keeps to log them in.

use crate::Error;

/// Where and how a bot in a remote grid logs in. Its name there is its botgrid name.
/// `{:?}` does not show the password.
#[derive(Clone, PartialEq, Eq)]
pub struct RemoteAccount {
    /// The grid's XML-RPC login URI, e.g. `http://127.0.0.1:9000/`.
    pub login_uri: String,
    /// The password as the viewer protocol sends it: `$1$` and the MD5 hex digest. A
    /// secret (it logs in): never shown or logged.
    pub passwd: String,
    /// `last`, `home`, or `uri:Region&x&y&z`.
    pub start: String,
}

impl RemoteAccount {
    /// Checks an operator's input.
    pub fn check(login_uri: &str, start: &str) -> Result<(), Error> {
        let uri = url::Url::parse(login_uri)
            .map_err(|e| Error::invalid("login_uri", format!("not a URL: {e}")))?;
        if !matches!(uri.scheme(), "http" | "https") {
            return Err(Error::invalid("login_uri", "must be http or https"));
        }
        if !(start == "last" || start == "home" || start.starts_with("uri:")) {
            return Err(Error::invalid(
                "start",
                "must be last, home or uri:Region&x&y&z",
            ));
        }
        Ok(())
    }
}

impl std::fmt::Debug for RemoteAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteAccount")
            .field("login_uri", &self.login_uri)
            .field("passwd", &"<hidden>")
            .field("start", &self.start)
            .finish()
    }
}
