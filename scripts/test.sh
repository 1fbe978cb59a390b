#!/usr/bin/env bash
# The one test command: every suite in the repository, each language, and the packaged
# artifacts installed from clean folders (scripts/package.sh --check), no silent skips.
#
#   scripts/test.sh            # everything
#   SUITES="rust python" scripts/test.sh   # a subset while developing
#
# Exits non-zero when any suite fails. Prints each runner's own summary lines and, last, one line
# "suites: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

# One target tree shared by cargo, maturin and napi (napi always passes --target).
export CARGO_BUILD_TARGET="${CARGO_BUILD_TARGET:-$(rustc -vV | sed -n 's/^host: //p')}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

ALL="rust python node kotlin package"
SUITES="${SUITES:-$ALL}"
passed=0
failed=0
failed_names=()

run_suite() {
  local name=$1
  shift
  echo
  echo "=== suite: $name ==="
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    echo "=== suite: $name passed in $((SECONDS - start)) s ==="
  else
    failed=$((failed + 1))
    failed_names+=("$name")
    echo "=== suite: $name FAILED after $((SECONDS - start)) s ==="
  fi
}

rust_suite() {
  cargo fmt --all -- --check || { echo "cargo fmt --check: run 'cargo fmt --all'"; return 1; }
  cargo clippy --workspace --all-targets -- -D warnings || return 1
  # default-members: core, client, emulator, cli (unit, integration, doc tests)
  cargo test || return 1
  # The README's main job runs.
  cargo run -q -p qualys-cs-client --example quickstart >/dev/null || return 1
  cargo run -q -p qualys-cs-core --example seed_sample >/dev/null || return 1
}

package_suite() {
  bash scripts/package.sh || return 1
  bash scripts/package.sh --check || return 1
}

for s in $SUITES; do
  case $s in
    rust) run_suite rust rust_suite ;;
    python)
      if [ -f python/test.sh ]; then run_suite python bash python/test.sh
      else echo "suite python: python/test.sh is missing"; failed=$((failed + 1)); failed_names+=(python); fi ;;
    node)
      if [ -f node/test.sh ]; then run_suite node bash node/test.sh
      else echo "suite node: node/test.sh is missing"; failed=$((failed + 1)); failed_names+=(node); fi ;;
    kotlin)
      if [ -f bindings/uniffi/test.sh ]; then run_suite kotlin bash bindings/uniffi/test.sh
      else echo "suite kotlin: bindings/uniffi/test.sh is missing"; failed=$((failed + 1)); failed_names+=(kotlin); fi ;;
    package)
      # Every artifact a registry would receive, built into dist/, then installed from a
      # clean folder with cargo and rustc off PATH and smoke-tested per language.
      run_suite package package_suite ;;
    *) echo "unknown suite $s (known: $ALL)"; failed=$((failed + 1)) ;;
  esac
done

echo
[ "$failed" -eq 0 ] || echo "failed suites: ${failed_names[*]}"
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
