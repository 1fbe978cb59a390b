#!/usr/bin/env bash
# Runs the cargo-fuzz targets of fuzz/ for a given time each.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#   SECONDS_PER_TARGET  default 600
#   TARGET              validate_json decode_responses emulator_filter desired_state (default: all)
# Environment:
#   CARGO_TARGET_DIR    build dir (default fuzz/target)
#   FUZZ_JOBS           targets run at the same time (default 1)
#   FUZZ_SANITIZER      address (default) or none
#
# Toolchain: cargo fuzz needs nightly-only rustc flags (-Zsanitizer=address, -Cpasses=sancov).
# Only the stable toolchain is assumed, so this script sets RUSTC_BOOTSTRAP=1, which lets
# stable rustc accept them; stable ships the AddressSanitizer runtime, so ASan is used by
# default. If ASan does not work on a machine, run with FUZZ_SANITIZER=none.
#
# Steps: installs cargo-fuzz if missing (cargo install cargo-fuzz --locked), seeds
# fuzz/corpus/<target>/ from tests/vectors (fuzz/seed.py), builds the targets, and runs each
# with -max_total_time. Crashes land in fuzz/artifacts/<target>/; logs in fuzz/logs/.
# Re-run a crash with: RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir fuzz TARGET fuzz/artifacts/TARGET/crash-...
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
secs="${1:-600}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(validate_json decode_responses emulator_filter desired_state)
fi
jobs="${FUZZ_JOBS:-1}"
sanitizer="${FUZZ_SANITIZER:-address}"
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/fuzz/target}"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

python3 fuzz/seed.py fuzz/corpus
cargo fuzz build --fuzz-dir fuzz -O --sanitizer "$sanitizer"

mkdir -p fuzz/logs
run_one() {
  local t="$1" log="fuzz/logs/$1.log"
  echo "fuzz: $t for ${secs}s (log: $log)"
  local rc=0
  cargo fuzz run --fuzz-dir fuzz -O --sanitizer "$sanitizer" "$t" "fuzz/corpus/$t" -- \
    -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    >"$log" 2>&1 || rc=$?
  local execs corpus
  execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)"
  corpus="$(find "fuzz/corpus/$t" -type f | wc -l)"
  if [ "$rc" -eq 0 ]; then
    echo "fuzz: $t ok: ${execs:-?} executions, corpus $corpus inputs"
  else
    echo "fuzz: $t FAILED (rc $rc): see $log and fuzz/artifacts/$t/"
  fi
  return "$rc"
}

status=0
pids=()
for t in "${targets[@]}"; do
  run_one "$t" & pids+=($!)
  if [ ${#pids[@]} -ge "$jobs" ]; then
    for p in "${pids[@]}"; do wait "$p" || status=1; done
    pids=()
  fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit "$status"
