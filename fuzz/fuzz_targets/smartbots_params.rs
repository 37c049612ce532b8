//! The SmartBots request reader: `Params::read`, the typed `Args` getters, and every
//! command's `parse` on what was read.
//!
//! Input layout (so seeds stay readable): the query string up to the first `\n`, the
//! Content-Type up to the second `\n` (an empty line means no header), and the body:
//! every byte after that, newlines included. An input without `\n` is a query alone.

#![no_main]

use libfuzzer_sys::fuzz_target;
use smartbots::commands::{self, Args};
use smartbots::errors::Failure;
use smartbots::params::{ParamError, Params};
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    let (query, rest) = split_line(data);
    let (content_type, body) = split_line(rest.unwrap_or(&[]));
    let query = String::from_utf8_lossy(query);
    let content_type = String::from_utf8_lossy(content_type);
    let content_type = (!content_type.is_empty()).then_some(content_type.as_ref());
    let body = body.unwrap_or(&[]);

    let (params, error) = Params::read(Some(&query), body, content_type);
    if let Some(e) = &error {
        let name = match e {
            ParamError::BadEscape { name }
            | ParamError::NotUtf8 { name }
            | ParamError::Duplicate { name } => Some(name),
            ParamError::BadJson { .. } => None,
        };
        // A duplicate is reported by its lower-case name, as names are stored.
        if let (ParamError::Duplicate { .. }, Some(name)) = (e, name) {
            assert_eq!(*name, name.to_ascii_lowercase());
            assert!(
                params.get(name).is_some(),
                "the first value of {name} is kept"
            );
        }
        let failure = Failure::Param(e.clone());
        assert!(!failure.text().is_empty());
        let _ = failure.kind();
    }

    let args = Args::new(&params);
    // The same action lookup the HTTP layer does.
    if let Some(action) = args.opt("action") {
        let _ = commands::find(action);
    }
    let _ = args.filter();
    for &name in param_names() {
        let raw = args.raw(name);
        let opt = args.opt(name);
        // `opt` is `raw` without empty values; both read what `Params::get` has.
        assert_eq!(raw, params.get(name));
        assert_eq!(opt, raw.filter(|v| !v.is_empty()));
        assert_eq!(args.req(name).ok(), opt);
        let _ = args.opt_flag(name);
        let _ = args.opt_on_off(name);
        let _ = args.opt_number(name);
        let _ = args.opt_uuid(name);
        let _ = args.opt_u32(name, 0, 100);
        let _ = args.whole::<i64>(name);
    }
    for def in commands::all() {
        match (def.parse)(&args) {
            Ok(command) => {
                let _ = format!("{command:?}");
            }
            Err(failure) => {
                assert!(!failure.text().is_empty());
                let _ = failure.kind();
                let _ = failure.retry_after_secs();
            }
        }
    }
});

/// Every parameter name the command table declares, once.
fn param_names() -> &'static [&'static str] {
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names: Vec<&'static str> = commands::all()
            .flat_map(|def| def.params.iter().map(|p| p.name))
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    })
}

/// Splits at the first `\n`: the line, and what follows it (`None` without a `\n`).
fn split_line(data: &[u8]) -> (&[u8], Option<&[u8]>) {
    match data.iter().position(|b| *b == b'\n') {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    }
}
