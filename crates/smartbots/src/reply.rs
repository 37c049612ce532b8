//! Replies: `result=OK&action=im&…` or the same keys as a JSON object.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but the unreserved characters is escaped, and spaces become `%20` rather
/// than `+`: LSL's `llUnescapeURL` does not turn `+` back into a space.
const ESCAPE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes a value the way replies and callbacks do.
pub fn escape(value: &str) -> String {
    utf8_percent_encode(value, ESCAPE).to_string()
}

/// How the caller wants the reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `key=value&key=value` (the default).
    Url,
    /// A JSON object (`dataType=json`).
    Json,
}

/// A reply value: text in both formats, or structured data (JSON format only).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Text(String),
    Json(serde_json::Value),
}

/// The fields of a reply, in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fields(Vec<(&'static str, Value)>);

impl Fields {
    /// Adds a text field.
    pub fn text(&mut self, key: &'static str, value: impl Into<String>) -> &mut Self {
        self.0.push((key, Value::Text(value.into())));
        self
    }

    /// Sets a text field: replaces the value of an earlier field of that name (keeping
    /// its place), or adds it.
    pub fn set(&mut self, key: &'static str, value: impl Into<String>) -> &mut Self {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => *v = Value::Text(value.into()),
            None => self.0.push((key, Value::Text(value.into()))),
        }
        self
    }

    /// Adds a structured field (only JSON-only commands use these).
    pub fn json(&mut self, key: &'static str, value: serde_json::Value) -> &mut Self {
        self.0.push((key, Value::Json(value)));
        self
    }

    /// Adds a `1`/`0` field.
    pub fn flag(&mut self, key: &'static str, value: bool) -> &mut Self {
        self.text(key, if value { "1" } else { "0" })
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.0.iter().map(|(k, _)| *k)
    }

    /// The text of a field.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// Appends all of `other`.
    pub fn extend(&mut self, other: Fields) {
        self.0.extend(other.0);
    }

    /// The body in the requested format.
    pub fn encode(&self, format: Format) -> String {
        match format {
            Format::Url => {
                let mut out = String::new();
                for (k, v) in &self.0 {
                    if !out.is_empty() {
                        out.push('&');
                    }
                    out.push_str(k);
                    out.push('=');
                    match v {
                        Value::Text(t) => out.push_str(&escape(t)),
                        Value::Json(j) => out.push_str(&escape(&j.to_string())),
                    }
                }
                out
            }
            Format::Json => self.to_json().to_string(),
        }
    }

    /// The fields as a JSON object.
    pub fn to_json(&self) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        for (k, v) in &self.0 {
            let v = match v {
                Value::Text(t) => serde_json::Value::String(t.clone()),
                Value::Json(j) => j.clone(),
            };
            map.insert((*k).to_owned(), v);
        }
        serde_json::Value::Object(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_replies_escape_like_llescapeurl() {
        let mut f = Fields::default();
        f.text("result", "FAIL")
            .text("resulttext", "BOT NOT EXISTS")
            .text("x", "a&b=c;d/é+");
        assert_eq!(
            f.encode(Format::Url),
            "result=FAIL&resulttext=BOT%20NOT%20EXISTS&x=a%26b%3Dc%3Bd%2F%C3%A9%2B"
        );
    }

    #[test]
    fn json_replies_keep_keys() {
        let mut f = Fields::default();
        f.text("result", "OK")
            .json("friends", serde_json::json!([]));
        assert_eq!(f.encode(Format::Json), r#"{"result":"OK","friends":[]}"#);
    }
}
