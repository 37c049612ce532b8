#!/usr/bin/env python3
"""Markdown tables (medians of runs) from a sidebyside-*.jsonl file."""

import argparse
import json
import statistics
from datetime import datetime, timezone

ORDER = ["botgrid-sqlite", "botgrid-postgres", "ejabberd", "synapse"]
NAMES = {
    "botgrid-sqlite": "botgrid (SQLite)",
    "botgrid-postgres": "botgrid (PostgreSQL)",
    "ejabberd": "ejabberd",
    "synapse": "Synapse (SQLite)",
    "ceiling": "generator ceiling¹",
}
BASE = "botgrid-sqlite"


def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def f0(v):
    return "–" if v is None else f"{v:,.0f}"


def f1(v):
    return "–" if v is None else (f"{v:,.1f}" if v < 100 else f"{v:,.0f}")


def ms(v):
    if v is None:
        return "–"
    return f"{v:.2f} ms" if v < 10 else (f"{v:.1f} ms" if v < 1000 else f"{v / 1000:.2f} s")


def cpu(rs):
    v = med([x.get("generator_cpu_pct") for x in rs])
    return "–" if v is None else f"{v:.0f} %"


def ratio(v, base):
    return "–" if v is None or not base else f"{v / base:.2f}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("raw")
    p.add_argument("--command", default="")
    p.add_argument("--versions", default="")
    p.add_argument("--machine", default="")
    p.add_argument("--server-cpu", default="0")
    p.add_argument("--load-cpu", default="1")
    p.add_argument("--sync", default="full")
    a = p.parse_args()
    rows = [json.loads(line) for line in open(a.raw) if line.strip()]
    targets = [t for t in ORDER if any(r["target"] == t for r in rows)]
    day = datetime.now(timezone.utc).strftime("%Y-%m-%d")

    print(f"`{a.command}` ({day})\n")
    print(f"Machine: {a.machine}. **The server under test is pinned to core {a.server_cpu} "
          f"(`taskset -c {a.server_cpu}`), the load generator to core {a.load_cpu} "
          f"(`taskset -c {a.load_cpu}`)**; the PostgreSQL server (for botgrid on PostgreSQL) is a "
          "system service and is not pinned. botgrid's SQLite runs with "
          f"`synchronous={a.sync.upper()}`. One generator for every server: "
          "`bench/peers/peerbench.py` (Python asyncio + uvloop, one process).\n")
    if a.versions:
        print("Versions: " + "; ".join(v for v in a.versions.splitlines() if v.strip()) + ".\n")

    # Start-up and idle memory.
    starts = [r for r in rows if r.get("scenario") == "start"]
    if starts:
        n = max(r["run"] for r in starts)
        print(f"### Start-up and idle memory (empty store, median of {n} fresh start{'s' if n > 1 else ''})\n")
        print("| server | start-up: exec → first successful HTTP answer | idle RSS after 5 s | start-up vs botgrid SQLite | RSS vs botgrid SQLite |")
        print("|---|---|---|---|---|")
        base_s = med([r["startup_ms"] for r in starts if r["target"] == BASE])
        base_m = med([r["idle_rss_kb"] for r in starts if r["target"] == BASE])
        for t in targets:
            rs = [r for r in starts if r["target"] == t]
            if not rs:
                continue
            s = med([r["startup_ms"] for r in rs])
            m = med([r["idle_rss_kb"] for r in rs])
            print(f"| {NAMES[t]} | {ms(s)} | {m / 1024:.1f} MiB | {ratio(s, base_s)} | {ratio(m, base_m)} |")
        print()

    # 1:1 messages.
    ims = [r for r in rows if r.get("scenario") == "im"]
    if ims:
        n = max(r["run"] for r in ims)
        any_r = ims[0]["result"]
        print(f"### 1:1 messages: A sends to B over {any_r['concurrency']} connections "
              f"(median of {n} run{'s' if n > 1 else ''})\n")
        print("| server | messages measured | sends/s (answered OK) | delivered/s | send → B received p50 | p99 | sends/s vs botgrid SQLite | delivered/s vs botgrid SQLite | generator CPU² |")
        print("|---|---|---|---|---|---|---|---|---|")
        base_s = med([r["result"]["sent_per_sec"] for r in ims if r["target"] == BASE])
        base_d = med([r["result"]["delivered_per_sec"] for r in ims if r["target"] == BASE])
        for t in ["ceiling"] + targets:
            rs = [r["result"] for r in ims if r["target"] == t]
            if not rs:
                continue
            sent = med([x["sent_per_sec"] for x in rs])
            dl = med([x["delivered_per_sec"] for x in rs])
            if t == "ceiling":
                print(f"| {NAMES[t]} | {f0(med([x['messages'] for x in rs]))} | {f0(sent)} | – | – | – | {ratio(sent, base_s)} | – | {cpu(rs)} |")
                continue
            print(f"| {NAMES[t]} | {f0(med([x['messages'] for x in rs]))} | {f0(sent)} | {f0(dl)} | "
                  f"{ms(med([x['latency_p50_ms'] for x in rs]))} | {ms(med([x['latency_p99_ms'] for x in rs]))} | "
                  f"{ratio(sent, base_s)} | {ratio(dl, base_d)} | {cpu(rs)} |")
        print()

    # Groups.
    groups = [r for r in rows if r.get("scenario") == "group"]
    if groups:
        n = max(r["run"] for r in groups)
        g0 = groups[0]["result"]
        print(f"### Group fan-out: one sender, at most {g0['window']} messages not yet received by "
              f"every observed member (median of {n} run{'s' if n > 1 else ''})\n")
        print("| members | server | observed receivers | messages measured | messages/s answered | messages/s received by all | deliveries/s | send → last member p50 | p99 | received/s vs botgrid SQLite | generator CPU² |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        sizes = sorted({r["result"]["members"] for r in groups})
        for size in sizes:
            base_d = med([r["result"]["delivered_per_sec"] for r in groups
                          if r["target"] == BASE and r["result"]["members"] == size])
            for t in targets:
                rs = [r["result"] for r in groups if r["target"] == t and r["result"]["members"] == size]
                if not rs:
                    continue
                dl = med([x["delivered_per_sec"] for x in rs])
                obs = rs[0]["observed_receivers"]
                print(f"| {size:,} | {NAMES[t]} | {obs:,} | {f0(med([x['messages'] for x in rs]))} | "
                      f"{f1(med([x['sent_per_sec'] for x in rs]))} | {f1(dl)} | "
                      f"{f0(dl * obs if dl is not None else None)} | "
                      f"{ms(med([x['latency_p50_ms'] for x in rs]))} | {ms(med([x['latency_p99_ms'] for x in rs]))} | "
                      f"{ratio(dl, base_d)} | {cpu(rs)} |")
        print()

    # Group admin operations.
    admins = [r for r in rows if r.get("scenario") == "admin"]
    if admins:
        n = max(r["run"] for r in admins)
        print(f"### Group admin operations: the owner changes the role of, ejects, then invites back "
              f"each member, phase after phase, over up to "
              f"{max(p['concurrency'] for r in admins for p in r['result']['phases'])} connections "
              f"(median of {n} run{'s' if n > 1 else ''})\n")
        print("| server | members | role changes/s | ejects/s | invites/s | all operations/s | failed | all vs botgrid SQLite |")
        print("|---|---|---|---|---|---|---|---|")
        base = med([r["result"]["per_sec"] for r in admins if r["target"] == BASE])
        for t in targets:
            rs = [r["result"] for r in admins if r["target"] == t]
            if not rs:
                continue

            def phase(name):
                vals = [p["per_sec"] for x in rs for p in x["phases"] if p["name"] == name]
                conc = max((p["concurrency"] for x in rs for p in x["phases"] if p["name"] == name), default=0)
                return f1(med(vals)) + (" (one at a time³)" if conc == 1 else "")

            allv = med([x["per_sec"] for x in rs])
            print(f"| {NAMES[t]} | {rs[0]['members']:,} | {phase('role change')} | {phase('eject')} | "
                  f"{phase('invite')} | {f1(allv)} | {sum(x['fail'] for x in rs)} | {ratio(allv, base)} |")
        print()

    # Errors and losses, summed over every run.
    print("Failures and losses over all runs (a loss is a message answered OK that not every "
          "observed receiver got within the timeout):\n")
    for t in ["ceiling"] + targets:
        res = [r["result"] for r in rows if r["target"] == t and "result" in r and r.get("scenario") != "admin"]
        if not res:
            continue
        fail = sum(x["fail"] for x in res)
        lost = sum(x["lost"] for x in res)
        dupes = sum(x.get("dupes", 0) for x in res)
        limited = sum(x.get("sync_limited", 0) for x in res)
        extra = f", {limited} truncated syncs" if limited else ""
        print(f"- {NAMES[t]}: {fail} failed sends, {lost} lost, {dupes} duplicates{extra}")
    print()
    if any(r["target"] == "ceiling" for r in rows):
        print("¹ The generator against a bare HTTP server on the same core (bench's `baseline`, which "
          "answers `result=OK` and delivers nothing): the most 1:1 sends/s this generator can make. "
          "A server near it is limited by the generator, not by itself.\n")
    print("² The generator's use of its core while measuring (CPU time ÷ wall time): near 100 % "
          "means the generator, not the server, set the pace.")
    if any(p["concurrency"] == 1 for r in admins for p in r["result"]["phases"]):
        print("\n³ Matrix keeps every member's power level in one state event: each change sends the "
              "whole map, so changes go one after another (at once they would overwrite each other).")


if __name__ == "__main__":
    main()
