//! LLSD in its XML form: what capabilities (the seed capability, the event queue)
//! speak.

use crate::{Error, Uuid};
use base64::Engine as _;
use quick_xml::Reader;
use quick_xml::events::Event;

/// An LLSD value.
#[derive(Debug, Clone, PartialEq)]
pub enum Llsd {
    Undef,
    Boolean(bool),
    Integer(i32),
    Real(f64),
    String(String),
    Uuid(Uuid),
    Date(String),
    Uri(String),
    Binary(Vec<u8>),
    Map(Vec<(String, Llsd)>),
    Array(Vec<Llsd>),
}

impl Llsd {
    /// A member of a map.
    pub fn get(&self, key: &str) -> Option<&Llsd> {
        match self {
            Llsd::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_array(&self) -> &[Llsd] {
        match self {
            Llsd::Array(a) => a,
            _ => &[],
        }
    }

    /// Text of a string, URI, UUID or number.
    pub fn text(&self) -> String {
        match self {
            Llsd::String(s) | Llsd::Uri(s) | Llsd::Date(s) => s.clone(),
            Llsd::Uuid(u) => u.to_string(),
            Llsd::Integer(i) => i.to_string(),
            Llsd::Real(r) => r.to_string(),
            Llsd::Boolean(b) => b.to_string(),
            _ => String::new(),
        }
    }

    pub fn uuid(&self) -> Uuid {
        match self {
            Llsd::Uuid(u) => *u,
            Llsd::String(s) => s.trim().parse().unwrap_or_default(),
            _ => Uuid::nil(),
        }
    }

    pub fn int(&self) -> i64 {
        match self {
            Llsd::Integer(i) => (*i).into(),
            Llsd::Real(r) => *r as i64,
            Llsd::Boolean(b) => (*b).into(),
            Llsd::String(s) => s.trim().parse().unwrap_or(0),
            Llsd::Binary(b) => u64_of(b) as i64,
            _ => 0,
        }
    }

    /// A 64-bit unsigned number: grids send them as 8 bytes, big-endian.
    pub fn u64(&self) -> u64 {
        match self {
            Llsd::Binary(b) => u64_of(b),
            other => other.int() as u64,
        }
    }

    pub fn boolean(&self) -> bool {
        match self {
            Llsd::Boolean(b) => *b,
            Llsd::Integer(i) => *i != 0,
            Llsd::String(s) => s == "true" || s == "1",
            _ => false,
        }
    }

    /// The value as an LLSD XML document.
    pub fn to_xml(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" ?><llsd>");
        self.write(&mut out);
        out.push_str("</llsd>");
        out
    }

    fn write(&self, out: &mut String) {
        fn esc(s: &str, out: &mut String) {
            for c in s.chars() {
                match c {
                    '<' => out.push_str("&lt;"),
                    '>' => out.push_str("&gt;"),
                    '&' => out.push_str("&amp;"),
                    c => out.push(c),
                }
            }
        }
        match self {
            Llsd::Undef => out.push_str("<undef />"),
            Llsd::Boolean(b) => out.push_str(if *b {
                "<boolean>1</boolean>"
            } else {
                "<boolean>0</boolean>"
            }),
            Llsd::Integer(i) => out.push_str(&format!("<integer>{i}</integer>")),
            Llsd::Real(r) => out.push_str(&format!("<real>{r}</real>")),
            Llsd::String(s) => {
                out.push_str("<string>");
                esc(s, out);
                out.push_str("</string>");
            }
            Llsd::Uuid(u) => out.push_str(&format!("<uuid>{u}</uuid>")),
            Llsd::Date(d) => out.push_str(&format!("<date>{d}</date>")),
            Llsd::Uri(u) => {
                out.push_str("<uri>");
                esc(u, out);
                out.push_str("</uri>");
            }
            Llsd::Binary(b) => {
                out.push_str("<binary encoding=\"base64\">");
                out.push_str(&base64::engine::general_purpose::STANDARD.encode(b));
                out.push_str("</binary>");
            }
            Llsd::Map(m) => {
                out.push_str("<map>");
                for (k, v) in m {
                    out.push_str("<key>");
                    esc(k, out);
                    out.push_str("</key>");
                    v.write(out);
                }
                out.push_str("</map>");
            }
            Llsd::Array(a) => {
                out.push_str("<array>");
                for v in a {
                    v.write(out);
                }
                out.push_str("</array>");
            }
        }
    }

    /// Reads an LLSD XML document.
    pub fn from_xml(xml: &str) -> Result<Llsd, Error> {
        let mut reader = Reader::from_str(xml);
        // Find <llsd>.
        loop {
            match reader.read_event() {
                Ok(Event::Start(s)) if s.local_name().as_ref() == b"llsd" => break,
                Ok(Event::Empty(s)) if s.local_name().as_ref() == b"llsd" => {
                    return Ok(Llsd::Undef);
                }
                Ok(Event::Eof) | Err(_) => return Err(Error::Malformed("not LLSD XML")),
                Ok(_) => {}
            }
        }
        let v = read_value(&mut reader, 0)?;
        Ok(v.unwrap_or(Llsd::Undef))
    }
}

fn u64_of(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    let n = b.len().min(8);
    a[8 - n..].copy_from_slice(&b[..n]);
    u64::from_be_bytes(a)
}

const MAX_DEPTH: usize = 64;

/// Reads the next value; `None` at the closing tag of the container.
fn read_value(reader: &mut Reader<&[u8]>, depth: usize) -> Result<Option<Llsd>, Error> {
    if depth > MAX_DEPTH {
        return Err(Error::Malformed("LLSD nested too deeply"));
    }
    loop {
        match reader.read_event() {
            Ok(Event::Start(s)) => {
                let tag = s.local_name().as_ref().to_vec();
                return Ok(Some(match tag.as_slice() {
                    b"map" => {
                        let mut m = Vec::new();
                        loop {
                            match reader.read_event() {
                                Ok(Event::Start(k)) if k.local_name().as_ref() == b"key" => {
                                    let key = text_until(reader, b"key")?;
                                    let v = read_value(reader, depth + 1)?
                                        .ok_or(Error::Malformed("LLSD key without a value"))?;
                                    m.push((key, v));
                                }
                                Ok(Event::Empty(k)) if k.local_name().as_ref() == b"key" => {
                                    let v = read_value(reader, depth + 1)?
                                        .ok_or(Error::Malformed("LLSD key without a value"))?;
                                    m.push((String::new(), v));
                                }
                                Ok(Event::End(_)) => break,
                                Ok(Event::Text(_) | Event::Comment(_)) => {}
                                _ => return Err(Error::Malformed("bad LLSD map")),
                            }
                        }
                        Llsd::Map(m)
                    }
                    b"array" => {
                        let mut a = Vec::new();
                        while let Some(v) = read_value(reader, depth + 1)? {
                            a.push(v);
                        }
                        Llsd::Array(a)
                    }
                    other => {
                        let tag = other.to_vec();
                        let text = text_until(reader, &tag)?;
                        scalar(&tag, &text)?
                    }
                }));
            }
            Ok(Event::Empty(s)) => {
                return Ok(Some(match s.local_name().as_ref() {
                    b"map" => Llsd::Map(vec![]),
                    b"array" => Llsd::Array(vec![]),
                    tag => scalar(tag, "")?,
                }));
            }
            Ok(Event::End(_)) => return Ok(None),
            Ok(Event::Eof) => return Err(Error::Malformed("LLSD cut short")),
            Ok(_) => {}
            Err(_) => return Err(Error::Malformed("LLSD is not well-formed XML")),
        }
    }
}

fn scalar(tag: &[u8], text: &str) -> Result<Llsd, Error> {
    let t = text.trim();
    Ok(match tag {
        b"undef" => Llsd::Undef,
        b"boolean" => Llsd::Boolean(t == "1" || t.eq_ignore_ascii_case("true")),
        b"integer" => Llsd::Integer(if t.is_empty() {
            0
        } else {
            t.parse()
                .map_err(|_| Error::Malformed("bad LLSD integer"))?
        }),
        b"real" => Llsd::Real(if t.is_empty() {
            0.0
        } else {
            t.parse().map_err(|_| Error::Malformed("bad LLSD real"))?
        }),
        b"string" => Llsd::String(text.to_owned()),
        b"uuid" => Llsd::Uuid(if t.is_empty() {
            Uuid::nil()
        } else {
            t.parse().map_err(|_| Error::Malformed("bad LLSD uuid"))?
        }),
        b"date" => Llsd::Date(t.to_owned()),
        b"uri" => Llsd::Uri(t.to_owned()),
        b"binary" => Llsd::Binary(
            base64::engine::general_purpose::STANDARD
                .decode(t.split_whitespace().collect::<String>())
                .map_err(|_| Error::Malformed("bad LLSD binary"))?,
        ),
        _ => return Err(Error::Malformed("unknown LLSD type")),
    })
}

fn text_until(reader: &mut Reader<&[u8]>, tag: &[u8]) -> Result<String, Error> {
    let mut text = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Text(t)) => text.push_str(
                &t.xml_content()
                    .map_err(|_| Error::Malformed("bad LLSD text"))?,
            ),
            Ok(Event::GeneralRef(r)) => {
                let name = std::str::from_utf8(&r).map_err(|_| Error::Malformed("bad entity"))?;
                text.push_str(match name {
                    "lt" => "<",
                    "gt" => ">",
                    "amp" => "&",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => return Err(Error::Malformed("unknown entity")),
                });
            }
            Ok(Event::CData(c)) => text.push_str(&String::from_utf8_lossy(&c)),
            Ok(Event::End(e)) if e.local_name().as_ref() == tag => return Ok(text),
            Ok(Event::Eof) | Err(_) => return Err(Error::Malformed("LLSD cut short")),
            Ok(Event::Start(_) | Event::Empty(_)) => {
                return Err(Error::Malformed("element inside an LLSD scalar"));
            }
            Ok(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip() {
        let v = Llsd::Map(vec![
            (
                "events".into(),
                Llsd::Array(vec![Llsd::Map(vec![
                    (
                        "message".into(),
                        Llsd::String("AgentGroupDataUpdate".into()),
                    ),
                    (
                        "body".into(),
                        Llsd::Map(vec![
                            (
                                "GroupPowers".into(),
                                Llsd::Binary(vec![0, 0, 0, 0, 0, 0, 1, 2]),
                            ),
                            ("AcceptNotices".into(), Llsd::Boolean(true)),
                            ("GroupID".into(), Llsd::Uuid(Uuid::from_u128(7))),
                            ("GroupName".into(), Llsd::String("a < b & c".into())),
                        ]),
                    ),
                ])]),
            ),
            ("id".into(), Llsd::Integer(3)),
            ("nothing".into(), Llsd::Undef),
            ("cap".into(), Llsd::Uri("http://x/y?a=1&b=2".into())),
            ("r".into(), Llsd::Real(1.5)),
            ("empty".into(), Llsd::Array(vec![])),
        ]);
        let back = Llsd::from_xml(&v.to_xml()).unwrap();
        assert_eq!(back, v);
        let body = back.get("events").unwrap().as_array()[0]
            .get("body")
            .unwrap();
        assert_eq!(body.get("GroupPowers").unwrap().u64(), 258);
    }

    #[test]
    fn documents_from_grids_read() {
        let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<llsd>\n  <map>\n    <key>EventQueueGet</key>\n    <string>http://127.0.0.1:9000/CAPS/EQG/abc/</string>\n    <key>empty</key><string />\n  </map>\n</llsd>";
        let v = Llsd::from_xml(xml).unwrap();
        assert_eq!(
            v.get("EventQueueGet").unwrap().text(),
            "http://127.0.0.1:9000/CAPS/EQG/abc/"
        );
        assert_eq!(v.get("empty").unwrap(), &Llsd::String(String::new()));
        for bad in [
            "",
            "<llsd><map><key>a</key>",
            "<llsd><integer>x</integer></llsd>",
            "<html/>",
        ] {
            assert!(Llsd::from_xml(bad).is_err(), "{bad}");
        }
    }
}
