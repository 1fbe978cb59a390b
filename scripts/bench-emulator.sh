#!/usr/bin/env bash
# Measures schedule creates/s against the emulator (release build), in memory and with SQLite,
# using the loadgen example (concurrency 64 by default). Loopback only; bounded in time.
#
#   scripts/bench-emulator.sh                 # 10 s per mode, concurrency 64
#   DURATION=5 CONCURRENCY=32 scripts/bench-emulator.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
CONCURRENCY=${CONCURRENCY:-64}
TARGET_DIR=${CARGO_TARGET_DIR:-target}

cargo build --release -q -p qualys-cs-emulator --bin qualys-cs-emulator --example loadgen
OUT="$TARGET_DIR${CARGO_BUILD_TARGET:+/$CARGO_BUILD_TARGET}/release"
BIN="$OUT/qualys-cs-emulator"
LOADGEN="$OUT/examples/loadgen"

WORK=$(mktemp -d)
PID=""
cleanup() {
    if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

run_mode() {
    local label=$1; shift
    : > "$WORK/out"
    # The rate limit is lifted: this measures the emulator, not the Qualys limit.
    RUST_LOG=warn "$BIN" --port 0 --rate-limit 1000000000/1 "$@" > "$WORK/out" 2> "$WORK/err" &
    PID=$!
    for _ in $(seq 1 200); do
        grep -q '^listening on ' "$WORK/out" && break
        sleep 0.05
    done
    local url
    url=$(sed -n 's/^listening on //p' "$WORK/out" | head -n1)
    if [ -z "$url" ]; then echo "emulator did not start:"; cat "$WORK/err"; exit 1; fi
    printf '%-8s ' "$label"
    "$LOADGEN" --url "$url" --concurrency "$CONCURRENCY" --duration-secs "$DURATION"
    kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
}

echo "machine: $(nproc) cores; duration ${DURATION}s per mode; concurrency $CONCURRENCY"
run_mode memory --in-memory
run_mode sqlite --data-dir "$WORK/data"
