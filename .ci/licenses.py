#!/usr/bin/env python3
"""Fails when a crate the product links (normal dependencies of the workspace crates,
bench excluded) is under a licence outside the permissive set below.

The product wants MIT, Apache-2.0 and BSD. A few crates that TLS and URL handling
cannot do without use licences of the same permissive kind: ISC (rustls' webpki),
Unicode-3.0 (ICU data, via `url`), Zlib (foldhash), CDLA-Permissive-2.0 (root
certificate data). Anything else, copyleft above all, fails the build.
"""
import json
import re
import subprocess
import sys

ALLOWED = {
    "MIT", "MIT-0", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "ISC", "Zlib",
    "Unicode-3.0", "Unicode-DFS-2016", "CDLA-Permissive-2.0", "BSL-1.0", "Unlicense", "CC0-1.0",
}


def allowed(expr):
    """Evaluates an SPDX expression: OR needs one allowed side, AND needs both."""
    expr = expr.replace("/", " OR ").replace("Apache-2.0 WITH LLVM-exception", "Apache-2.0")
    tokens = re.findall(r"\(|\)|AND|OR|[A-Za-z0-9.\-+]+", expr)
    pos = 0

    def parse_or():
        nonlocal pos
        value = parse_and()
        while pos < len(tokens) and tokens[pos] == "OR":
            pos += 1
            right = parse_and()
            value = value or right
        return value

    def parse_and():
        nonlocal pos
        value = parse_atom()
        while pos < len(tokens) and tokens[pos] == "AND":
            pos += 1
            right = parse_atom()
            value = value and right
        return value

    def parse_atom():
        nonlocal pos
        token = tokens[pos]
        pos += 1
        if token == "(":
            value = parse_or()
            pos += 1  # ")"
            return value
        return token in ALLOWED

    return parse_or()


meta = json.loads(subprocess.check_output(["cargo", "metadata", "--format-version", "1", "--locked"]))
nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
packages = {p["id"]: p for p in meta["packages"]}
todo = [p["id"] for p in meta["packages"] if p["source"] is None and p["name"] != "botgrid-bench"]
seen = set()
while todo:
    pid = todo.pop()
    if pid in seen:
        continue
    seen.add(pid)
    for dep in nodes[pid]["deps"]:
        if any(kind["kind"] is None for kind in dep["dep_kinds"]):
            todo.append(dep["pkg"])

bad = []
for pid in sorted(seen):
    p = packages[pid]
    if p["source"] is None:
        continue
    if not p.get("license") or not allowed(p["license"]):
        bad.append(f"{p['name']} {p['version']}: {p.get('license')!r}")
if bad:
    print("licences outside the allowed set:\n  " + "\n  ".join(bad))
    sys.exit(1)
print(f"licences ok ({len(seen)} crates)")
