//! Process-wide counters, gauges and histograms, rendered as Prometheus text for
//! `/metrics`.
//!
//! Every metric is declared once in [`METRICS`] (name, kind, help); recording one that
//! is not declared is a programming error caught by the tests. Labels come from small,
//! fixed sets (API names, command names, error kinds), never from request data, so the
//! number of series stays bounded.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

/// What a metric is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Counter,
    Gauge,
    Histogram,
}

/// A declared metric.
pub struct Metric {
    pub name: &'static str,
    pub kind: Kind,
    pub help: &'static str,
}

const fn m(name: &'static str, kind: Kind, help: &'static str) -> Metric {
    Metric { name, kind, help }
}

/// Every metric botgrid exports.
pub static METRICS: &[Metric] = &[
    m(
        "botgrid_requests_total",
        Kind::Counter,
        "Commands received, by API (smartbots, simple, simplex) and command.",
    ),
    m(
        "botgrid_request_errors_total",
        Kind::Counter,
        "Commands answered with an error, by API and error kind.",
    ),
    m(
        "botgrid_command_seconds",
        Kind::Histogram,
        "Time from a command's arrival to its answer, by API and command (a get_events long poll includes its wait).",
    ),
    m(
        "botgrid_throttled_total",
        Kind::Counter,
        "Commands refused by a throttle, by API.",
    ),
    m(
        "botgrid_websocket_sessions",
        Kind::Gauge,
        "Open SimpleX WebSocket connections.",
    ),
    m(
        "botgrid_callbacks_delivered_total",
        Kind::Counter,
        "Callback POSTs answered with 2xx.",
    ),
    m(
        "botgrid_callbacks_failed_total",
        Kind::Counter,
        "Callback POST attempts that failed (they are retried).",
    ),
    m(
        "botgrid_callbacks_pending",
        Kind::Gauge,
        "Events read for delivery and not yet delivered (in flight or waiting for a retry).",
    ),
    m(
        "botgrid_callbacks_dead_total",
        Kind::Counter,
        "Deliveries given up after the retry horizon (kept for `botgrid admin callbacks replay`).",
    ),
    m(
        "botgrid_callback_seconds",
        Kind::Histogram,
        "Time of a successful callback POST, response included.",
    ),
    m(
        "botgrid_store_commit_seconds",
        Kind::Histogram,
        "Time of one store write transaction (a batch of jobs), commit included.",
    ),
];

/// Histogram bucket bounds, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Default)]
struct Hist {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
struct Registry {
    /// (name, rendered labels) → value.
    values: BTreeMap<(&'static str, String), i64>,
    hists: BTreeMap<(&'static str, String), Hist>,
}

static REGISTRY: LazyLock<Mutex<Registry>> = LazyLock::new(Mutex::default);

fn registry() -> std::sync::MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(|p| p.into_inner())
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn labels(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
        .collect::<Vec<_>>()
        .join(",")
}

/// Adds `n` to a counter (or a gauge).
pub fn add(name: &'static str, pairs: &[(&str, &str)], n: i64) {
    *registry().values.entry((name, labels(pairs))).or_default() += n;
}

/// Adds one to a counter.
pub fn count(name: &'static str, pairs: &[(&str, &str)]) {
    add(name, pairs, 1);
}

/// Records a duration in a histogram.
pub fn observe(name: &'static str, pairs: &[(&str, &str)], took: Duration) {
    let secs = took.as_secs_f64();
    let mut r = registry();
    let h = r.hists.entry((name, labels(pairs))).or_default();
    for (i, bound) in BUCKETS.iter().enumerate() {
        if secs <= *bound {
            h.counts[i] += 1;
        }
    }
    h.count += 1;
    h.sum += secs;
}

/// Everything, in the Prometheus text format.
pub fn render() -> String {
    let r = registry();
    let mut out = String::new();
    for metric in METRICS {
        let kind = match metric.kind {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
        };
        let _ = writeln!(out, "# HELP {} {}", metric.name, metric.help);
        let _ = writeln!(out, "# TYPE {} {kind}", metric.name);
        let series = |labels: &str, extra: &str| {
            let all: Vec<&str> = [labels, extra]
                .into_iter()
                .filter(|l| !l.is_empty())
                .collect();
            if all.is_empty() {
                String::new()
            } else {
                format!("{{{}}}", all.join(","))
            }
        };
        if metric.kind == Kind::Histogram {
            for ((name, l), h) in r.hists.iter().filter(|((n, _), _)| *n == metric.name) {
                for (i, bound) in BUCKETS.iter().enumerate() {
                    let le = format!("le=\"{bound}\"");
                    let _ = writeln!(out, "{name}_bucket{} {}", series(l, &le), h.counts[i]);
                }
                let _ = writeln!(out, "{name}_bucket{} {}", series(l, "le=\"+Inf\""), h.count);
                let _ = writeln!(out, "{name}_sum{} {}", series(l, ""), h.sum);
                let _ = writeln!(out, "{name}_count{} {}", series(l, ""), h.count);
            }
        } else {
            let mut any = false;
            for ((name, l), v) in r.values.iter().filter(|((n, _), _)| *n == metric.name) {
                let _ = writeln!(out, "{name}{} {v}", series(l, ""));
                any = true;
            }
            if !any && metric.kind == Kind::Gauge {
                let _ = writeln!(out, "{} 0", metric.name);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_render_in_prometheus_text() {
        count(
            "botgrid_requests_total",
            &[("api", "test"), ("command", "say \"hi\"")],
        );
        count(
            "botgrid_requests_total",
            &[("api", "test"), ("command", "say \"hi\"")],
        );
        observe("botgrid_callback_seconds", &[], Duration::from_millis(3));
        let text = render();
        assert!(text.contains("# TYPE botgrid_requests_total counter"));
        assert!(
            text.contains(r#"botgrid_requests_total{api="test",command="say \"hi\""} 2"#),
            "{text}"
        );
        assert!(
            text.contains(r#"botgrid_callback_seconds_bucket{le="0.0025"} 0"#),
            "{text}"
        );
        assert!(
            text.contains(r#"botgrid_callback_seconds_bucket{le="0.005"} 1"#),
            "{text}"
        );
        assert!(text.contains("botgrid_callback_seconds_count 1"), "{text}");
        assert!(text.contains("botgrid_websocket_sessions"), "{text}");
    }

    #[test]
    fn names_are_unique_and_prometheus_safe() {
        let mut names: Vec<&str> = METRICS.iter().map(|m| m.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), METRICS.len());
        for n in names {
            assert!(n.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{n}");
        }
    }
}
