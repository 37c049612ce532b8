//! Request parameters, read strictly.
//!
//! SmartBots accepts parameters in the query string and in the body, whatever the
//! body's Content-Type claims (LSL sends `text/plain`). Names are matched without regard
//! to case (`dataType` = `datatype`). Anything ambiguous or broken is refused with the
//! parameter named: malformed percent-escapes, bytes that are not UTF-8, a name given
//! twice, a JSON body that is not a flat object.

use std::collections::BTreeMap;

/// A problem with the request's encoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamError {
    /// A `%` not followed by two hex digits.
    BadEscape { name: String },
    /// The decoded bytes are not UTF-8.
    NotUtf8 { name: String },
    /// The same parameter appears twice.
    Duplicate { name: String },
    /// A JSON body that is not an object of scalars.
    BadJson { reason: String },
}

/// The parameters of one request, names in lower case.
#[derive(Clone, Debug, Default)]
pub struct Params {
    values: BTreeMap<String, String>,
}

impl Params {
    /// Reads the query string and the body. Parameters that could be read are kept even
    /// when another one is broken, so that a failure can still be answered in the format
    /// (`dataType`) and with the `custom` the caller asked for.
    pub fn read(
        query: Option<&str>,
        body: &[u8],
        content_type: Option<&str>,
    ) -> (Params, Option<ParamError>) {
        let mut params = Params::default();
        let mut first_error = None;
        let mut note = |e: ParamError| {
            if first_error.is_none() {
                first_error = Some(e);
            }
        };
        if let Some(q) = query {
            params.read_form(q.as_bytes(), &mut note);
        }
        let is_json = content_type
            .map(|c| {
                c.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("application/json")
            })
            .unwrap_or(false);
        if is_json {
            params.read_json(body, &mut note);
        } else {
            params.read_form(body, &mut note);
        }
        (params, first_error)
    }

    /// The value of a parameter (by lower-case name).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    fn insert(&mut self, name: String, value: String, note: &mut impl FnMut(ParamError)) {
        let name = name.to_ascii_lowercase();
        if name.is_empty() {
            return;
        }
        match self.values.entry(name) {
            std::collections::btree_map::Entry::Occupied(e) => note(ParamError::Duplicate {
                name: e.key().clone(),
            }),
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(value);
            }
        }
    }

    fn read_form(&mut self, bytes: &[u8], note: &mut impl FnMut(ParamError)) {
        for pair in bytes.split(|b| *b == b'&') {
            if pair.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let (raw_name, raw_value) = match pair.iter().position(|b| *b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &b""[..]),
            };
            let name = match decode(raw_name) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(n) => n.trim().to_owned(),
                    Err(_) => {
                        note(ParamError::NotUtf8 {
                            name: String::from_utf8_lossy(raw_name).into_owned(),
                        });
                        continue;
                    }
                },
                Err(()) => {
                    note(ParamError::BadEscape {
                        name: String::from_utf8_lossy(raw_name).into_owned(),
                    });
                    continue;
                }
            };
            match decode(raw_value) {
                Err(()) => note(ParamError::BadEscape { name }),
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(value) => self.insert(name, value, note),
                    Err(_) => note(ParamError::NotUtf8 { name }),
                },
            }
        }
    }

    fn read_json(&mut self, bytes: &[u8], note: &mut impl FnMut(ParamError)) {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        let value: serde_json::Value = match serde_json::from_slice(bytes) {
            Ok(v) => v,
            Err(e) => {
                note(ParamError::BadJson {
                    reason: e.to_string(),
                });
                return;
            }
        };
        let serde_json::Value::Object(map) = value else {
            note(ParamError::BadJson {
                reason: "the body must be a JSON object".into(),
            });
            return;
        };
        for (name, v) in map {
            let text = match v {
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => if b { "1" } else { "0" }.to_owned(),
                serde_json::Value::Null => continue,
                _ => {
                    note(ParamError::BadJson {
                        reason: format!("parameter {name} must be a string, number or boolean"),
                    });
                    continue;
                }
            };
            self.insert(name, text, note);
        }
    }
}

/// Form decoding: `+` is a space, `%XX` a byte; a stray `%` is an error.
fn decode(raw: &[u8]) -> Result<Vec<u8>, ()> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = raw.get(i + 1..i + 3).ok_or(())?;
                let hi = (hex[0] as char).to_digit(16).ok_or(())?;
                let lo = (hex[1] as char).to_digit(16).ok_or(())?;
                out.push((hi * 16 + lo) as u8);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(q: &str, body: &str, ct: Option<&str>) -> (Params, Option<ParamError>) {
        Params::read(Some(q), body.as_bytes(), ct)
    }

    #[test]
    fn query_and_body_merge_and_names_ignore_case() {
        let (p, e) = read(
            "action=im&dataType=json",
            "slname=Ada%20Resident&message=a+b%26c",
            Some("text/plain"),
        );
        assert_eq!(e, None);
        assert_eq!(p.get("datatype"), Some("json"));
        assert_eq!(p.get("slname"), Some("Ada Resident"));
        assert_eq!(p.get("message"), Some("a b&c"));
    }

    #[test]
    fn broken_input_is_named() {
        assert_eq!(
            read("message=%ZZ&custom=x", "", None).1,
            Some(ParamError::BadEscape {
                name: "message".into()
            })
        );
        let (p, e) = read("message=%FF&custom=x", "", None);
        assert_eq!(
            e,
            Some(ParamError::NotUtf8 {
                name: "message".into()
            })
        );
        assert_eq!(
            p.get("custom"),
            Some("x"),
            "good parameters survive a bad one"
        );
        assert_eq!(
            read("a=%4", "", None).1,
            Some(ParamError::BadEscape { name: "a".into() })
        );
        assert_eq!(
            read("action=im", "ACTION=status", None).1,
            Some(ParamError::Duplicate {
                name: "action".into()
            })
        );
    }

    #[test]
    fn json_bodies() {
        let (p, e) = read(
            "",
            r#"{"action":"im","channel":5,"accept":true,"x":null}"#,
            Some("application/json"),
        );
        assert_eq!(e, None);
        assert_eq!(p.get("channel"), Some("5"));
        assert_eq!(p.get("accept"), Some("1"));
        assert!(matches!(
            read("", "[1]", Some("application/json")).1,
            Some(ParamError::BadJson { .. })
        ));
        assert!(matches!(
            read("", r#"{"a":{"b":1}}"#, Some("application/json")).1,
            Some(ParamError::BadJson { .. })
        ));
    }

    #[test]
    fn empty_pairs_and_bare_names() {
        let (p, e) = read("&&flag&a=1&", "", None);
        assert_eq!(e, None);
        assert_eq!(p.get("flag"), Some(""));
        assert_eq!(p.get("a"), Some("1"));
    }
}
