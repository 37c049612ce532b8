//! The little of XML-RPC that login needs: a value model, a method call writer and a
//! method response reader (both ways, so the in-repo test region can answer logins).

use crate::Error;
use quick_xml::Reader;
use quick_xml::events::Event;

/// An XML-RPC value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Int(i64),
    Bool(bool),
    Double(f64),
    Struct(Vec<(String, Value)>),
    Array(Vec<Value>),
}

impl Value {
    /// A member of a struct.
    pub fn get(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Struct(members) => members.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The value as text: strings as they are, numbers and booleans written out (grids
    /// differ in which they send for the same member).
    pub fn text(&self) -> Option<String> {
        match self {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Bool(b) => Some(if *b { "true" } else { "false" }.into()),
            Value::Double(d) => Some(d.to_string()),
            _ => None,
        }
    }

    /// The value as an integer, also from a string holding one.
    pub fn int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Str(s) => s.trim().parse().ok(),
            Value::Double(d) => Some(*d as i64),
            _ => None,
        }
    }

    fn write(&self, out: &mut String) {
        out.push_str("<value>");
        match self {
            Value::Str(s) => {
                out.push_str("<string>");
                escape_into(s, out);
                out.push_str("</string>");
            }
            Value::Int(i) => out.push_str(&format!("<int>{i}</int>")),
            Value::Bool(b) => out.push_str(&format!("<boolean>{}</boolean>", u8::from(*b))),
            Value::Double(d) => out.push_str(&format!("<double>{d}</double>")),
            Value::Struct(members) => {
                out.push_str("<struct>");
                for (k, v) in members {
                    out.push_str("<member><name>");
                    escape_into(k, out);
                    out.push_str("</name>");
                    v.write(out);
                    out.push_str("</member>");
                }
                out.push_str("</struct>");
            }
            Value::Array(items) => {
                out.push_str("<array><data>");
                for v in items {
                    v.write(out);
                }
                out.push_str("</data></array>");
            }
        }
        out.push_str("</value>");
    }
}

fn escape_into(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

/// A method call with one parameter (what login sends).
pub fn method_call(method: &str, param: &Value) -> String {
    let mut out = String::from("<?xml version=\"1.0\"?><methodCall><methodName>");
    escape_into(method, &mut out);
    out.push_str("</methodName><params><param>");
    param.write(&mut out);
    out.push_str("</param></params></methodCall>");
    out
}

/// A successful method response with one value.
pub fn method_response(value: &Value) -> String {
    let mut out = String::from("<?xml version=\"1.0\"?><methodResponse><params><param>");
    value.write(&mut out);
    out.push_str("</param></params></methodResponse>");
    out
}

/// A parsed call: the method name and its parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub method: String,
    pub params: Vec<Value>,
}

/// Reads a `methodCall`.
pub fn parse_call(xml: &str) -> Result<Call, Error> {
    let mut p = Parser::new(xml);
    p.open("methodCall")?;
    p.open("methodName")?;
    let method = p.text_until("methodName")?;
    let mut params = Vec::new();
    if p.next_open_is("params")? {
        while p.next_open_is("param")? {
            params.push(p.value()?);
            p.close("param")?;
        }
    }
    Ok(Call { method, params })
}

/// Reads a `methodResponse`: its value, or the fault's string as an error.
pub fn parse_response(xml: &str) -> Result<Value, Error> {
    let mut p = Parser::new(xml);
    p.open("methodResponse")?;
    if p.next_open_is("fault")? {
        let fault = p.value()?;
        let text = fault
            .get("faultString")
            .and_then(Value::text)
            .unwrap_or_else(|| "XML-RPC fault".into());
        return Err(Error::Login(text));
    }
    p.open("params")?;
    p.open("param")?;
    p.value()
}

/// A pull parser over the element events, skipping whitespace and the prolog.
struct Parser<'a> {
    reader: Reader<&'a [u8]>,
    peeked: Option<Event<'a>>,
}

impl<'a> Parser<'a> {
    fn new(xml: &'a str) -> Self {
        let mut reader = Reader::from_str(xml);
        reader.config_mut().trim_text(false);
        // `<data />` (OpenSimulator's empty arrays) reads as `<data></data>`.
        reader.config_mut().expand_empty_elements = true;
        Parser {
            reader,
            peeked: None,
        }
    }

    fn bad(what: &'static str) -> Error {
        Error::Malformed(what)
    }

    /// The next event that matters: start, end, text (also CDATA), or EOF.
    fn next(&mut self) -> Result<Event<'a>, Error> {
        if let Some(e) = self.peeked.take() {
            return Ok(e);
        }
        loop {
            match self.reader.read_event() {
                Ok(Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_)) => {}
                Ok(e) => return Ok(e),
                Err(_) => return Err(Self::bad("XML-RPC is not well-formed XML")),
            }
        }
    }

    /// The next start tag, skipping whitespace text.
    fn next_tag(&mut self) -> Result<Event<'a>, Error> {
        loop {
            match self.next()? {
                Event::Text(t) if t.iter().all(u8::is_ascii_whitespace) => {}
                e => return Ok(e),
            }
        }
    }

    fn open(&mut self, name: &str) -> Result<(), Error> {
        match self.next_tag()? {
            Event::Start(s) if s.local_name().as_ref() == name.as_bytes() => Ok(()),
            _ => Err(Self::bad("XML-RPC element missing")),
        }
    }

    /// True (and consumed) when the next tag opens `name`; otherwise it is kept.
    fn next_open_is(&mut self, name: &str) -> Result<bool, Error> {
        let e = self.next_tag()?;
        let is = matches!(&e, Event::Start(s) if s.local_name().as_ref() == name.as_bytes());
        if !is {
            self.peeked = Some(e);
        }
        Ok(is)
    }

    fn close(&mut self, name: &str) -> Result<(), Error> {
        match self.next_tag()? {
            Event::End(e) if e.local_name().as_ref() == name.as_bytes() => Ok(()),
            _ => Err(Self::bad("XML-RPC element not closed")),
        }
    }

    /// Text content up to the end of `name` (entities resolved).
    fn text_until(&mut self, name: &str) -> Result<String, Error> {
        let mut text = String::new();
        loop {
            match self.next()? {
                Event::Text(t) => text.push_str(
                    &t.xml_content()
                        .map_err(|_| Self::bad("bad text in XML-RPC"))?,
                ),
                Event::GeneralRef(r) => {
                    let name = std::str::from_utf8(&r).map_err(|_| Self::bad("bad entity"))?;
                    text.push_str(resolve_entity(name).ok_or(Self::bad("unknown entity"))?);
                }
                Event::CData(c) => text.push_str(
                    std::str::from_utf8(&c).map_err(|_| Self::bad("bad CDATA in XML-RPC"))?,
                ),
                Event::End(e) if e.local_name().as_ref() == name.as_bytes() => return Ok(text),
                Event::Start(_) => {
                    return Err(Self::bad("element inside XML-RPC text"));
                }
                Event::Eof => return Err(Self::bad("XML-RPC cut short")),
                _ => {}
            }
        }
    }

    /// Reads `<value>…</value>`.
    fn value(&mut self) -> Result<Value, Error> {
        match self.next_tag()? {
            Event::Start(s) if s.local_name().as_ref() == b"value" => {}
            _ => return Err(Self::bad("XML-RPC value expected")),
        }
        // Untyped content is a string; whitespace before a type tag is not content.
        let mut lead = String::new();
        let v = loop {
            let e = self.next()?;
            match e {
                Event::Text(t) if t.iter().all(u8::is_ascii_whitespace) => {
                    lead.push_str(&String::from_utf8_lossy(&t));
                }
                Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => {
                    self.peeked = Some(e);
                    lead.push_str(&self.text_until("value")?);
                    return Ok(Value::Str(lead));
                }
                Event::End(e) if e.local_name().as_ref() == b"value" => {
                    return Ok(Value::Str(lead));
                }
                Event::Start(s) => break self.typed(s.local_name().as_ref().to_vec())?,
                _ => return Err(Self::bad("XML-RPC value expected")),
            }
        };
        self.close("value")?;
        Ok(v)
    }

    fn typed(&mut self, tag: Vec<u8>) -> Result<Value, Error> {
        let name = std::str::from_utf8(&tag).map_err(|_| Self::bad("bad tag"))?;
        Ok(match name {
            "string" => Value::Str(self.text_until("string")?),
            "int" | "i4" | "i8" => Value::Int(
                self.text_until(name)?
                    .trim()
                    .parse()
                    .map_err(|_| Self::bad("bad XML-RPC integer"))?,
            ),
            "boolean" => Value::Bool(self.text_until("boolean")?.trim() == "1"),
            "double" => Value::Double(
                self.text_until("double")?
                    .trim()
                    .parse()
                    .map_err(|_| Self::bad("bad XML-RPC double"))?,
            ),
            "dateTime.iso8601" | "base64" => Value::Str(self.text_until(name)?),
            "struct" => {
                let mut members = Vec::new();
                while self.next_open_is("member")? {
                    self.open("name")?;
                    let key = self.text_until("name")?;
                    let v = self.value()?;
                    self.close("member")?;
                    members.push((key, v));
                }
                self.close("struct")?;
                Value::Struct(members)
            }
            "array" => {
                let mut items = Vec::new();
                if self.next_open_is("data")? {
                    loop {
                        let e = self.next_tag()?;
                        let is_value =
                            matches!(&e, Event::Start(s) if s.local_name().as_ref() == b"value");
                        self.peeked = Some(e);
                        if !is_value {
                            break;
                        }
                        items.push(self.value()?);
                    }
                    self.close("data")?;
                }
                self.close("array")?;
                Value::Array(items)
            }
            _ => return Err(Self::bad("unknown XML-RPC type")),
        })
    }
}

fn resolve_entity(name: &str) -> Option<&'static str> {
    Some(match name {
        "lt" => "<",
        "gt" => ">",
        "amp" => "&",
        "quot" => "\"",
        "apos" => "'",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_round_trips() {
        let v = Value::Struct(vec![
            ("first".into(), Value::Str("Ann <&> Bot".into())),
            ("n".into(), Value::Int(-3)),
            ("ok".into(), Value::Bool(true)),
            (
                "opts".into(),
                Value::Array(vec![Value::Str("a".into()), Value::Struct(vec![])]),
            ),
        ]);
        let xml = method_call("login_to_simulator", &v);
        let call = parse_call(&xml).unwrap();
        assert_eq!(call.method, "login_to_simulator");
        assert_eq!(call.params, vec![v]);
    }

    #[test]
    fn responses_with_untyped_strings_whitespace_and_faults() {
        let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<methodResponse>\n <params>\n  <param>\n   <value><struct>\n    <member><name>login</name><value>true</value></member>\n    <member><name>sim_port</name><value><i4>9000</i4></value></member>\n    <member><name>first_name</name><value><string>\"Ann\"</string></value></member>\n    <member><name>empty</name><value></value></member>\n    <member><name>list</name><value><array><data>\n      <value><string>x &amp; y</string></value>\n    </data></array></value></member>\n   </struct></value>\n  </param>\n </params>\n</methodResponse>";
        let v = parse_response(xml).unwrap();
        assert_eq!(
            v.get("login").and_then(Value::text).as_deref(),
            Some("true")
        );
        assert_eq!(v.get("sim_port").and_then(Value::int), Some(9000));
        assert_eq!(
            v.get("first_name").and_then(Value::text).as_deref(),
            Some("\"Ann\"")
        );
        assert_eq!(v.get("empty"), Some(&Value::Str(String::new())));
        assert_eq!(
            v.get("list"),
            Some(&Value::Array(vec![Value::Str("x & y".into())]))
        );
        let fault = "<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>4</int></value></member><member><name>faultString</name><value>no</value></member></struct></value></fault></methodResponse>";
        assert!(matches!(parse_response(fault), Err(Error::Login(t)) if t == "no"));
    }

    /// OpenSimulator writes empty elements in their short form.
    #[test]
    fn self_closing_elements_are_empty_values() {
        let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?><methodResponse><params><param><value><struct><member><name>buddy-list</name><value><array><data /></array></value></member><member><name>none</name><value /></member><member><name>s</name><value><string/></value></member><member><name>st</name><value><struct /></value></member><member><name>region_x</name><value><i4>256000</i4></value></member></struct></value></param></params></methodResponse>";
        let v = parse_response(xml).unwrap();
        assert_eq!(v.get("buddy-list"), Some(&Value::Array(vec![])));
        assert_eq!(v.get("none"), Some(&Value::Str(String::new())));
        assert_eq!(v.get("s"), Some(&Value::Str(String::new())));
        assert_eq!(v.get("st"), Some(&Value::Struct(vec![])));
        assert_eq!(v.get("region_x").and_then(Value::int), Some(256000));
    }

    #[test]
    fn garbage_is_an_error() {
        for xml in [
            "",
            "<a>",
            "<methodResponse><params><param><value><int>x</int></value>",
            "not xml <",
        ] {
            assert!(parse_response(xml).is_err(), "{xml}");
        }
    }
}
