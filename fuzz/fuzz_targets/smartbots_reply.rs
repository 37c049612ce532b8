//! The SmartBots reply encoder: `Fields` encoded as a form (`Format::Url`) and as JSON
//! (`Format::Json`), checked by reading both back.
//!
//! The input drives a sequence of fields: keys are the output names the command table
//! declares (plus the common ones), text values are arbitrary strings, structured values
//! are arbitrary JSON trees. Properties:
//! - the form contains only unreserved characters, `%XX`, `=` and `&` (what LSL's
//!   `llUnescapeURL` reads), and `form_urlencoded::parse` gives back the same pairs in
//!   order (a structured value as its JSON text, which parses back to the value);
//! - the JSON text is an object with each key once, in the order of first use, holding
//!   the last value given for it.
//!
//! Floats are compared exactly: this crate turns on serde_json's `float_roundtrip`, as
//! the default parser is not correctly rounded (its writer is).

#![no_main]

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Number, Value};
use smartbots::reply::{Fields, Format, Value as FieldValue};
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let mut fields = Fields::default();
    // What was added, in order.
    let mut added: Vec<(&'static str, FieldValue)> = Vec::new();
    while !u.is_empty() && added.len() < 64 {
        let Ok(field) = field(&mut u) else { break };
        match &field.1 {
            FieldValue::Text(t) => fields.text(field.0, t.clone()),
            FieldValue::Json(j) => fields.json(field.0, j.clone()),
        };
        added.push(field);
    }
    check_url(&fields, &added);
    check_json(&fields, &added);
});

fn check_url(fields: &Fields, added: &[(&'static str, FieldValue)]) {
    let encoded = fields.encode(Format::Url);
    let bytes = encoded.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            assert!(
                bytes.len() > i + 2
                    && bytes[i + 1].is_ascii_hexdigit()
                    && bytes[i + 2].is_ascii_hexdigit(),
                "a bare % at {i} in {encoded:?}"
            );
            i += 3;
            continue;
        }
        assert!(
            b.is_ascii_alphanumeric() || b"-_.~=&".contains(&b),
            "unescaped byte {b:#04x} at {i} in {encoded:?}"
        );
        i += 1;
    }
    let decoded: Vec<(String, String)> = url::form_urlencoded::parse(bytes)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    assert_eq!(decoded.len(), added.len(), "{encoded:?}");
    for ((k, v), (key, value)) in decoded.iter().zip(added) {
        assert_eq!(k, key);
        match value {
            FieldValue::Text(t) => assert_eq!(v, t),
            FieldValue::Json(j) => {
                let back: Value = serde_json::from_str(v).expect("a JSON field's text parses");
                assert_eq!(&back, j);
            }
        }
    }
}

fn check_json(fields: &Fields, added: &[(&'static str, FieldValue)]) {
    let encoded = fields.encode(Format::Json);
    let back: Value = serde_json::from_str(&encoded).expect("the JSON reply parses");
    let Value::Object(map) = back else {
        panic!("the JSON reply is not an object: {encoded}");
    };
    let mut keys: Vec<&str> = Vec::new();
    for (k, _) in added {
        if !keys.contains(k) {
            keys.push(k);
        }
    }
    assert_eq!(map.keys().map(String::as_str).collect::<Vec<_>>(), keys);
    for key in keys {
        let last = added.iter().rev().find(|(k, _)| *k == key).unwrap();
        let expected = match &last.1 {
            FieldValue::Text(t) => Value::String(t.clone()),
            FieldValue::Json(j) => j.clone(),
        };
        assert_eq!(map[key], expected, "{key}");
    }
}

fn field(u: &mut Unstructured<'_>) -> Result<(&'static str, FieldValue)> {
    let key = *u.choose(keys())?;
    let value = if u.ratio(1, 4)? {
        FieldValue::Json(json(u, 0)?)
    } else {
        FieldValue::Text(u.arbitrary()?)
    };
    Ok((key, value))
}

/// The keys replies use: every output the command table declares, and the common ones.
fn keys() -> &'static [&'static str] {
    static KEYS: OnceLock<Vec<&'static str>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut keys = vec!["action", "result", "resulttext", "custom"];
        for def in smartbots::commands::all() {
            for o in def.outputs {
                if !keys.contains(&o.name) {
                    keys.push(o.name);
                }
            }
        }
        keys
    })
}

fn json(u: &mut Unstructured<'_>, depth: u32) -> Result<Value> {
    let kind = if depth >= 4 {
        u.int_in_range(0..=5)?
    } else {
        u.int_in_range(0..=7)?
    };
    Ok(match kind {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => Value::Number(Number::from(u.arbitrary::<i64>()?)),
        3 => Value::Number(Number::from(u.arbitrary::<u64>()?)),
        4 => Number::from_f64(u.arbitrary()?).map_or(Value::Null, Value::Number),
        5 => Value::String(u.arbitrary()?),
        6 => {
            let n = u.int_in_range(0..=4)?;
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                items.push(json(u, depth + 1)?);
            }
            Value::Array(items)
        }
        _ => {
            let n = u.int_in_range(0..=4)?;
            let mut map = Map::new();
            for _ in 0..n {
                let k: String = u.arbitrary()?;
                let v = json(u, depth + 1)?;
                map.insert(k, v);
            }
            Value::Object(map)
        }
    })
}
