#!/usr/bin/env bash
# Chaos across languages: ONE emulator (release binary, in memory, loopback, port 0) with seeded
# probability fault rules on the create route — 429 before and after processing, 503 before and
# after, a dropped connection before and after, LATE completion (processed 2.5 s after arrival,
# whether or not the client still waits: every client here gives up after 1.5 s) and a SECOND
# CLIENT (the emulator creates a same-named schedule with other content just before the
# request): ~28 % of create POSTs faulted — then creates through the Rust client, the Python
# package and the Node package AT THE SAME TIME (distinct name prefixes), then counts, from the
# emulator's own state (GET /_emulator/schedules, /_emulator/requests):
#   creates attempted, OK answers, faults injected, duplicates (names with > 1 schedule of the
#   client's own content), losses (intended names with none of the client's own content; the
#   second client's twin does not count as the client's schedule). The written guarantee these
#   numbers test is docs/create-guarantee.md.
# Exits non-zero unless every create answered OK, duplicates = 0 and losses = 0.
#
#   scripts/chaos.sh                               # 400 Rust + 300 Python + 300 Node, p = 0.04 per rule
#   RUST_N=1000 PY_N=500 NODE_N=500 P=0.08 SEED=7 scripts/chaos.sh
#   PY_VENV=/path/to/venv scripts/chaos.sh         # a venv where `import qualys_cs` works
#
# The Python venv defaults to .bench/python/venv (made by python/bench/run.sh); when it cannot
# import qualys_cs, this script makes it (release wheel via maturin). The Node addon is built
# (npm ci + napi build) only when node/ has none.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"

RUST_N=${RUST_N:-400} PY_N=${PY_N:-300} NODE_N=${NODE_N:-300}
P=${P:-0.04} SEED=${SEED:-20261126} TIME_CAP=${TIME_CAP:-300}
HOST_TRIPLE=$(rustc -vV | sed -n 's/^host: //p')
export CARGO_BUILD_TARGET="${CARGO_BUILD_TARGET:-$HOST_TRIPLE}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 NO_PROXY='*' no_proxy='*'
OUT="$CARGO_TARGET_DIR/$CARGO_BUILD_TARGET/release"
RUN_ID="c$(date +%s)"

echo "==> build: emulator + chaos_creates (release)"
cargo build --release -q -p qualys-cs-emulator --bin qualys-cs-emulator
cargo build --release -q -p qualys-cs-client --example chaos_creates

PY_VENV=${PY_VENV:-$REPO/.bench/python/venv}
if ! "$PY_VENV/bin/python" -c 'import qualys_cs' 2>/dev/null; then
  echo "==> python venv $PY_VENV with the release wheel"
  PY=$(ls -d /root/.pyenv/versions/3.*/bin/python3 2>/dev/null | sort -V | tail -1 || true)
  [[ -n "$PY" && -x "$PY" ]] || PY=$(command -v python3)
  "$PY" -m venv "$PY_VENV"
  "$PY_VENV/bin/pip" install -q "maturin>=1.16,<2"
  rm -rf "$REPO/.bench/python/dist-chaos"
  ( cd python && "$PY_VENV/bin/maturin" build --release --out "$REPO/.bench/python/dist-chaos" ) >/dev/null 2>&1 \
    || { echo "maturin build failed"; exit 1; }
  "$PY_VENV/bin/pip" install -q --force-reinstall --no-deps "$REPO"/.bench/python/dist-chaos/qualys_cs-*.whl
fi
if ! ls node/qualys-cs.*.node >/dev/null 2>&1; then
  echo "==> node addon (npm ci + napi build)"
  ( cd node && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build )
fi

WORK=$(mktemp -d)
declare -a PIDS=()
EMU_PID=""
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  if [[ -n "$EMU_PID" ]]; then kill "$EMU_PID" 2>/dev/null || true; wait "$EMU_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

RUST_LOG=warn "$OUT/qualys-cs-emulator" --port 0 --in-memory --rate-limit 1000000000/60 \
  >"$WORK/emu.out" 2>"$WORK/emu.err" &
EMU_PID=$!
for _ in $(seq 1 200); do grep -q '^listening on ' "$WORK/emu.out" && break; sleep 0.05; done
URL=$(sed -n 's/^listening on //p' "$WORK/emu.out" | head -n1)
[[ -n "$URL" ]] || { echo "emulator did not start:"; cat "$WORK/emu.err"; exit 1; }
echo "emulator: $URL"

echo "==> fault rules on POST …/schedule: probability $P each, seeds from $SEED"
i=0
for rule in '"kind":"status","status":429,"stage":"before","retryAfterSec":1' \
            '"kind":"status","status":429,"stage":"after","retryAfterSec":1' \
            '"kind":"status","status":503,"stage":"before"' \
            '"kind":"status","status":503,"stage":"after"' \
            '"kind":"drop","stage":"before"' \
            '"kind":"drop","stage":"after"' \
            '"kind":"late","latencyMs":2500' \
            '"kind":"twin","twin":"different"'; do
  i=$((i + 1))
  body="{\"method\":\"POST\",\"path\":\"/csapi/v1.3/registry/*/schedule\",$rule,\"probability\":$P,\"seed\":$((SEED + i))}"
  curl -sS --max-time 5 -X POST -H 'content-type: application/json' -d "$body" "$URL/_emulator/faults" \
    -o "$WORK/fault.json" -w '%{http_code}' | grep -q 201 || { echo "fault rule refused: $body"; cat "$WORK/fault.json"; exit 1; }
  echo "  $(cat "$WORK/fault.json") $rule"
done

echo "==> creates: Rust $RUST_N, Python $PY_N, Node $NODE_N (concurrently; cap ${TIME_CAP}s)"
timeout "$TIME_CAP" "$OUT/examples/chaos_creates" "$URL" "$RUST_N" "$RUN_ID-rust" 16 \
  >"$WORK/rust.out" 2>"$WORK/rust.err" & PIDS+=($!)
timeout "$TIME_CAP" "$PY_VENV/bin/python" python/bench/chaos.py "$URL" "$PY_N" "$RUN_ID-python" 8 \
  >"$WORK/python.out" 2>"$WORK/python.err" & PIDS+=($!)
timeout "$TIME_CAP" node node/bench/chaos.mjs "$URL" "$NODE_N" "$RUN_ID-node" 16 \
  >"$WORK/node.out" 2>"$WORK/node.err" & PIDS+=($!)
status=0
for p in "${PIDS[@]}"; do wait "$p" || status=1; done
PIDS=()
for lang in rust python node; do
  tail -n1 "$WORK/$lang.out" 2>/dev/null || true
  if [[ -s "$WORK/$lang.err" ]]; then echo "  $lang stderr (first 10 lines):"; head -n 10 "$WORK/$lang.err" | sed 's/^/    /'; fi
done

curl -sS --max-time 30 "$URL/_emulator/schedules" -o "$WORK/schedules.json"
curl -sS --max-time 30 "$URL/_emulator/requests" -o "$WORK/requests.json"
curl -sS --max-time 30 "$URL/_emulator/faults" -o "$WORK/faults.json"

python3 - "$WORK" "$RUN_ID" "$RUST_N" "$PY_N" "$NODE_N" <<'PY' || status=1
import json, re, sys
from collections import Counter
work, run_id = sys.argv[1], sys.argv[2]
wanted = {"rust": int(sys.argv[3]), "python": int(sys.argv[4]), "node": int(sys.argv[5])}
schedules = json.load(open(f"{work}/schedules.json"))
journal = json.load(open(f"{work}/requests.json"))
faults = json.load(open(f"{work}/faults.json"))
def own(s):
    # The second client's twin (repository twin/other) is not the client's schedule.
    try:
        return s["filters"][0]["repoTags"][0]["repo"] == "library/nginx"
    except (KeyError, IndexError, TypeError):
        return False
names = Counter(s["name"] for s in schedules if own(s))
twins = sum(1 for s in schedules if not own(s))
ok_line = {}
for lang in wanted:
    try:
        last = open(f"{work}/{lang}.out").read().strip().splitlines()[-1]
        ok_line[lang] = dict(kv.split("=", 1) for kv in last.split()[1:])
    except (OSError, IndexError, ValueError):
        ok_line[lang] = {}
create = re.compile(r"^/csapi/v1\.3/registry/[^/]+/schedule$")
per = {lang: Counter() for lang in wanted}
for e in journal:
    if e.get("method") != "POST" or not create.match(e.get("path", "")):
        continue
    body = e.get("bodyRedacted")
    name = body.get("name", "") if isinstance(body, dict) else ""
    lang = next((l for l in wanted if name.startswith(f"{run_id}-{l}-")), None)
    if lang is None:
        continue
    per[lang]["posts"] += 1
    if e.get("faults"):
        per[lang]["faulted"] += 1
print()
print(f"{'language':<8} {'attempted':>9} {'ok':>5} {'POSTs':>6} {'faulted':>8} {'fault %':>8} {'recovered':>9} {'dups':>5} {'losses':>6}")
tot = Counter()
good = True
for lang, n in wanted.items():
    intended = [f"{run_id}-{lang}-{i:05d}" for i in range(n)]
    dups = sum(1 for x in intended if names[x] > 1)
    losses = sum(1 for x in intended if names[x] == 0)
    ok = int(ok_line[lang].get("ok", 0))
    rec = int(ok_line[lang].get("recovered_by_lookup", 0))
    posts, faulted = per[lang]["posts"], per[lang]["faulted"]
    pct = 100.0 * faulted / posts if posts else 0.0
    print(f"{lang:<8} {n:>9} {ok:>5} {posts:>6} {faulted:>8} {pct:>7.1f}% {rec:>9} {dups:>5} {losses:>6}")
    for k, v in (("n", n), ("ok", ok), ("posts", posts), ("faulted", faulted), ("dups", dups), ("losses", losses)):
        tot[k] += v
    good &= ok == n and dups == 0 and losses == 0
pct = 100.0 * tot["faulted"] / tot["posts"] if tot["posts"] else 0.0
print(f"{'total':<8} {tot['n']:>9} {tot['ok']:>5} {tot['posts']:>6} {tot['faulted']:>8} {pct:>7.1f}% {'':>9} {tot['dups']:>5} {tot['losses']:>6}")
print(f"second-client twins made by the emulator: {twins} (not counted as the clients' schedules)")
print("fault rules fired: " + ", ".join(
    f"{f.get('kind')} {f.get('status', '')} {f.get('stage', '')} {f.get('latencyMs', '')}".replace("  ", " ") + f" = {f.get('fired')}"
    for f in faults))
stray = sum(1 for s in schedules if not s["name"].startswith(run_id))
if stray:
    print(f"unexpected schedules: {stray}"); good = False
if tot["n"] and 100.0 * tot["faulted"] / max(tot["posts"], 1) < 25.0:
    print("WARNING: fewer than 25 % of create POSTs were faulted (raise P)")
print("chaos: " + ("PASS (every create OK, 0 duplicates, 0 losses)" if good else "FAIL"))
sys.exit(0 if good else 1)
PY
exit "$status"
