#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets from tests/vectors and the emulator tests.

Usage: python3 fuzz/seed.py [CORPUS_DIR]   (default: fuzz/corpus)

Each seed is one file named after its origin and a hash of its content, so re-running is
idempotent. Seeds: request inputs (validate_json), response bodies and schedules
(decode_responses), filter/sort/paging strings from the emulator's tests (emulator_filter,
prefixed with the field-set selector byte), desired documents of plans.json as JSON and the
YAML example of crates/core/src/desired.rs (desired_state). fuzz/seeds/<target>/ is copied too.
"""
import hashlib
import json
import pathlib
import re
import sys
import urllib.parse

FUZZ = pathlib.Path(__file__).resolve().parent
ROOT = FUZZ.parent
VECTORS = ROOT / "tests" / "vectors"
OUT = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else FUZZ / "corpus"
counts = {}


def put(target, origin, data):
    if isinstance(data, str):
        data = data.encode()
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    name = f"{origin}-{hashlib.sha1(data).hexdigest()[:12]}"
    (d / name).write_bytes(data)
    counts[target] = counts.get(target, 0) + 1


def cases(name):
    return json.loads((VECTORS / name).read_text())["cases"]


# validate_json: request bodies.
for c in cases("requests.json"):
    if "input_text" in c:
        put("validate_json", "req", c["input_text"])
    else:
        put("validate_json", "req", json.dumps(c["input"]))
        put("validate_json", "req", json.dumps(c["input"], indent=1))
for c in cases("updates.json"):
    put("validate_json", "upd", json.dumps(c["next"]))
for c in cases("next_runs.json"):
    put("validate_json", "runs", json.dumps(c["request"]))

# decode_responses: raw bodies, plus listed schedules as pages.
for c in cases("responses.json"):
    put("decode_responses", "resp", c["body"])
for c in cases("updates.json"):
    put("decode_responses", "sched", json.dumps({"count": 1, "data": [c["current"]]}))
for c in cases("plans.json"):
    for a in c.get("actual", []):
        if a.get("schedules"):
            put("decode_responses", "plan", json.dumps({"count": len(a["schedules"]), "data": a["schedules"]}))
        if a.get("registry"):
            put("decode_responses", "reg", json.dumps({"count": 1, "data": [a["registry"]]}))

# emulator_filter: selector byte (0 schedules, 1 registries, 2 repositories) + query text.
def rust_unescape(s):
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), s)


texts = set()
for src in (ROOT / "crates" / "emulator").rglob("*.rs"):
    body = src.read_text()
    for m in re.finditer(r'parse_filter\(\s*"((?:[^"\\]|\\.)*)"', body):
        texts.add(rust_unescape(m.group(1)))
    for m in re.finditer(r'parse_filter\(\s*r#"(.*?)"#', body):
        texts.add(m.group(1))
    for m in re.finditer(r'\(\s*"((?:[^"\\]|\\.)*)",\s*"(?:[^"\\]|\\.)*"\s*\)', body):
        texts.add(rust_unescape(m.group(1)))
    for m in re.finditer(r'(?:filter|sort)=([^"&{} ]+)', body):
        texts.add(urllib.parse.unquote(m.group(1)))
    for m in re.finditer(r'parse_sort\(\s*"((?:[^"\\]|\\.)*)"', body):
        texts.add(rust_unescape(m.group(1)))
texts |= {"2&50", "1&1000", "2147483647&1", " 3 & 7 "}
for t in sorted(texts):
    for sel in (0, 1, 2):
        put("emulator_filter", f"q{sel}", bytes([sel]) + t.encode())

# desired_state: the desired documents of plans.json, and the documented YAML example.
for c in cases("plans.json"):
    put("desired_state", "plan", json.dumps(c["desired"], indent=2))
doc = (ROOT / "crates" / "core" / "src" / "desired.rs").read_text()
m = re.search(r"//! ```yaml\n(.*?)//! ```", doc, re.S)
if m:
    put("desired_state", "doc", "".join(l[4:] + "\n" for l in m.group(1).splitlines()))

# Hand-picked seeds kept in git.
seeds = FUZZ / "seeds"
if seeds.is_dir():
    for f in sorted(seeds.rglob("*")):
        if f.is_file():
            put(f.parent.name, "seed", f.read_bytes())

for t, n in sorted(counts.items()):
    print(f"seed: {t} {n} inputs written to {OUT / t}")
