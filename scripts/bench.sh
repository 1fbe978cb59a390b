#!/usr/bin/env bash
# Every performance figure the README claims, measured in ONE run on this machine (ratios are
# taken within the run, so they hold better than absolute figures on a busy machine):
#   1. Rust client: calls per create, vs a warm raw generator, pacing  crates/client/examples/bench_create.rs
#   2. emulator creates/s, in memory and with SQLite           scripts/bench-emulator.sh (loadgen)
#   3. Python: qualys_cs vs httpx, validate vs pydantic v2,
#      import time, release wheel size                         python/bench/run.sh (bench.py)
#   4. Node: client vs built-in fetch, require time            node/bench/bulk_create.mjs (release addon)
#   5. core validate ns/call                                   cargo bench -p qualys-cs-core --bench validate
#   6. sizes: wheel, Node addon (.node), uniffi .so (release)
# then a summary table. Loopback only; the emulators bind port 0. About 10 minutes when the
# release builds are warm (a first run compiles them: 15+ minutes).
#
#   scripts/bench.sh                 # default sizes
#   scripts/bench.sh --quick         # smaller runs (~half the time)
#   scripts/bench.sh --skip python,node   # skip sections (rust, emulator, python, node, validate, sizes)
#   CREATES=5000 ROUNDS=3 EMU_SECS=10 PY_CREATES=3000 PY_ROUNDS=3 NODE_N=2000 scripts/bench.sh
#
# Exits non-zero when a section fails (the others still run).
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"

CREATES=${CREATES:-3000} ROUNDS=${ROUNDS:-2} EMU_SECS=${EMU_SECS:-5}
PY_CREATES=${PY_CREATES:-2000} PY_ROUNDS=${PY_ROUNDS:-2} NODE_N=${NODE_N:-1000}
CRIT_WARMUP=${CRIT_WARMUP:-1} CRIT_MEASURE=${CRIT_MEASURE:-3}
SKIP=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) CREATES=1500 ROUNDS=1 EMU_SECS=3 PY_CREATES=1000 PY_ROUNDS=1 NODE_N=500 CRIT_MEASURE=2 ;;
    --skip) SKIP=",$2,"; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)"; exit 2 ;;
  esac
  shift
done
skip() { [[ "$SKIP" == *",$1,"* ]]; }

HOST_TRIPLE=$(rustc -vV | sed -n 's/^host: //p')
export CARGO_BUILD_TARGET="${CARGO_BUILD_TARGET:-$HOST_TRIPLE}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
export NO_PROXY='*' no_proxy='*'
OUT="$CARGO_TARGET_DIR/$CARGO_BUILD_TARGET/release"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
START=$(date +%s)
FAILED=()
section() { printf '\n==> [%4ss] %s\n' "$(( $(date +%s) - START ))" "$*"; }
run() { # run NAME CMD...: runs CMD, output to the screen and $WORK/NAME.log
  local name=$1; shift
  "$@" 2>&1 | tee "$WORK/$name.log"
  local rc=${PIPESTATUS[0]}
  [[ $rc -eq 0 ]] || { echo "!! $name exited $rc"; FAILED+=("$name"); }
}

section "machine"
echo "cores: $(nproc); CPU: $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$(rustc -V); python $(python3 -c 'import sys;print(sys.version.split()[0])'); node $(node -v 2>/dev/null || echo none)"

if ! skip rust; then
  section "1. Rust client vs emulator ceiling ($CREATES creates, concurrency 64, $ROUNDS rounds)"
  cargo build --release -q -p qualys-cs-client --example bench_create
  run rust "$OUT/examples/bench_create" "$CREATES" 64 "$ROUNDS"
fi

if ! skip emulator; then
  section "2. emulator creates/s, in memory and SQLite (${EMU_SECS}s each, concurrency 64)"
  run emulator env DURATION="$EMU_SECS" CONCURRENCY=64 scripts/bench-emulator.sh
fi

if ! skip python; then
  section "3. Python: qualys_cs vs httpx, validate vs pydantic v2, import time"
  run python python/bench/run.sh --creates "$PY_CREATES" --rounds "$PY_ROUNDS" --validate-iterations 10000
fi

if ! skip node; then
  section "4. Node: client vs fetch, require time (release addon)"
  cargo build --release -q -p qualys-cs-node
  cp "$OUT/libqualys_cs_node.so" "$WORK/qualys-cs.node"
  if [[ ! -d node/node_modules ]]; then ( cd node && npm ci --no-audit --no-fund --loglevel=error ); fi
  # node/index.js loads this file instead of node/*.node (which test.sh builds in debug).
  run node env NAPI_RS_NATIVE_LIBRARY_PATH="$WORK/qualys-cs.node" BENCH_N="$NODE_N" \
    node node/bench/bulk_create.mjs
fi

if ! skip validate; then
  section "5. core validate (criterion, warm-up ${CRIT_WARMUP}s, measurement ${CRIT_MEASURE}s)"
  run validate cargo bench -q -p qualys-cs-core --bench validate -- \
    --warm-up-time "$CRIT_WARMUP" --measurement-time "$CRIT_MEASURE" --noplot
fi

if ! skip sizes; then
  section "6. sizes (release)"
  # One package per build: building them together unifies features and recompiles both.
  cargo build --release -q -p qualys-cs-node
  cargo build --release -q -p qualys-cs-uniffi
  WHEEL=$(ls "$REPO"/.bench/python/dist/qualys_cs-*.whl 2>/dev/null | head -1 || true)
  {
    [[ -n "$WHEEL" ]] && echo "wheel $(basename "$WHEEL") $(stat -c %s "$WHEEL")" \
      || echo "wheel: none (run without --skip python)"
    echo "node_addon libqualys_cs_node.so $(stat -c %s "$OUT/libqualys_cs_node.so")"
    echo "uniffi_so libqualys_cs_uniffi.so $(stat -c %s "$OUT/libqualys_cs_uniffi.so")"
  } | tee "$WORK/sizes.log"
fi

section "summary (load average now: $(cut -d' ' -f1-3 /proc/loadavg))"
python3 - "$WORK" <<'PY'
import json, os, re, sys
w = sys.argv[1]
def log(name):
    p = os.path.join(w, name + ".log")
    return open(p, encoding="utf-8", errors="replace").read() if os.path.exists(p) else ""
rows = []
t = log("rust")
m = re.search(r"calls per create \(default mode, bulk of 1,000, no fault\): ([0-9.]+)", t)
if m: rows.append(("Rust client calls per create (bulk of 1,000)", m[1], ""))
for m in re.finditer(r"^\s+(\d+) existing: raw\s+(\d+)/s\s+client\s+(\d+)/s\s+ratio ([0-9.]+)", t, re.M):
    rows.append((f"Rust client / warm raw, {m[1]} existing (creates/s)", f"{m[3]} / {m[2]}", m[4]))
m = re.search(r"pacing, .*?: ([0-9.]+) s, fastest allowed ([0-9.]+) s, ratio ([0-9.]+), (\d+) answers 429", t)
if m: rows.append(("Rust client pacing under 1,000 calls / 5 s (s, 429s)", f"{m[1]} ({m[4]} x 429)", m[3]))
t = log("emulator")
for mode in ("memory", "sqlite"):
    m = re.search(rf"^{mode}\s+.*creates_per_sec=(\d+).*p99_ms=([0-9.]+)", t, re.M)
    if m: rows.append((f"emulator creates/s, {'in memory' if mode == 'memory' else 'SQLite'} (p99 ms)", f"{m[1]} ({m[2]})", ""))
t = log("python")
m = re.search(r"^JSON (\{.*\})$", t, re.M)
if m:
    r = json.loads(m[1])
    c = r.get("creates_per_s", {})
    rows.append(("Python qualys_cs / httpx (creates/s)", f"{c.get('qualys_cs.AsyncClient')} / {c.get('httpx.AsyncClient')}", f"{r.get('ratio_qualys_cs_vs_httpx')}"))
    if "ratio_qualys_cs_vs_rust" in r:
        rows.append(("Python qualys_cs / Rust client (creates/s)", f"{c.get('qualys_cs.AsyncClient')} / {c.get('rust client')}", f"{r['ratio_qualys_cs_vs_rust']}"))
    rows.append(("pydantic v2 / qualys_cs.validate time (valid dict)", "", f"{r.get('ratio_validate_pydantic_over_qualys_cs_valid')}"))
    rows.append(("pydantic v2 / qualys_cs.validate time (invalid dict)", "", f"{r.get('ratio_validate_pydantic_over_qualys_cs_invalid')}"))
    for k, v in r.get("import_ms", {}).items():
        rows.append((f"import {k} (ms)", f"{v}", ""))
t = log("node")
for m in re.finditer(r"^\s+(\S+(?:\(\w+\))?)\s+(\d+) ms\s+(\d+) creates/s\s+ratio to fetch ([0-9.]+)", t, re.M):
    rows.append((f"Node {m[1]}: creates/s (time ÷ fetch's time)", m[3], m[4]))
m = re.search(r"require\('qualys-cs'\): median ([0-9.]+) ms", t)
if m: rows.append(("require('qualys-cs') (ms, median)", m[1], ""))
t = log("validate")
for m in re.finditer(r"^(validate\(typed request\)|validate_value\(json value\))\s*\n?\s*time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", t, re.M):
    rows.append((f"core {m[1]} per call", f"{m[2]} {m[3]}", ""))
for line in log("sizes").splitlines():
    parts = line.split()
    if len(parts) == 3 and parts[2].isdigit():
        rows.append((f"size {parts[1]}", f"{int(parts[2]) / 1048576:.1f} MiB", ""))
wid = max((len(a) for a, _, _ in rows), default=10)
print(f"{'figure':<{wid}}  {'value':>22}  ratio")
for a, b, c in rows:
    print(f"{a:<{wid}}  {b:>22}  {c}")
PY
echo
echo "bench.sh: $(( $(date +%s) - START ))s${FAILED[*]:+; FAILED: ${FAILED[*]}}"
[[ ${#FAILED[@]} -eq 0 ]]
