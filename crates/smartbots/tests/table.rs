//! The command table against the core and the committed reference.

use smartbots::commands::{self, CommandDef};
use smartbots::docs::{example_command, reference};
use smartbots::errors::Failure;
use smartbots::params::Params;
use std::collections::HashSet;

fn parse_without(def: &CommandDef, missing: &str) -> Result<(), Failure> {
    let query: Vec<String> = def
        .example
        .iter()
        .filter(|(k, _)| *k != missing)
        .map(|(k, v)| format!("{k}={}", smartbots::reply::escape(v)))
        .collect();
    let (params, _) = Params::read(Some(&query.join("&")), b"", None);
    smartbots::commands::find(def.action)
        .map(|d| (d.parse)(&smartbots_args(&params)))
        .expect("command exists")
        .map(|_| ())
}

fn smartbots_args(params: &Params) -> smartbots::commands::Args<'_> {
    smartbots::commands::Args::new(params)
}

#[test]
fn every_example_parses_into_a_command() {
    for def in commands::all() {
        if def.action == smartbots::feed::ACTION {
            // Not a command of the engine: a read of the log, checked on its own.
            let query: Vec<String> = def
                .example
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            let (params, _) = Params::read(Some(&query.join("&")), b"", None);
            assert!(smartbots::feed::params(&smartbots_args(&params)).is_ok());
            continue;
        }
        assert!(
            example_command(def).is_some(),
            "{}: example does not parse",
            def.action
        );
    }
}

#[test]
fn action_names_and_aliases_are_unique() {
    let mut seen = HashSet::new();
    for def in commands::all() {
        for name in std::iter::once(&def.action).chain(def.aliases) {
            assert!(
                seen.insert(name.to_ascii_lowercase()),
                "{name} is listed twice"
            );
        }
    }
}

#[test]
fn each_required_parameter_is_really_required() {
    for def in commands::all() {
        for p in def.params.iter().filter(|p| p.required) {
            if !def.example.iter().any(|(k, _)| *k == p.name) {
                continue; // required only when another value is given; covered by API tests
            }
            assert_eq!(
                parse_without(def, p.name),
                Err(Failure::Missing(p.name)),
                "{}: leaving out {} should name it",
                def.action,
                p.name
            );
        }
    }
}

#[test]
fn example_parameters_are_declared() {
    for def in commands::all() {
        for (k, _) in def.example {
            assert!(
                def.params.iter().any(|p| p.name == *k),
                "{}: example uses undeclared {k}",
                def.action
            );
        }
    }
}

#[test]
fn the_reference_in_docs_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/smartbots-api.md");
    let generated = reference();
    if std::env::var_os("BOTGRID_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write the reference");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/smartbots-api.md is out of date: run `BOTGRID_BLESS=1 cargo test -p smartbots`"
    );
}
