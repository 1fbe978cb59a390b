#!/usr/bin/env bash
# The one test command of the npm package `qualys-cs`:
#   npm ci → napi build (debug) → node --test → tsc --strict on the README examples →
#   npm pack → install the tarball into an empty folder → CommonJS and ESM smoke scripts.
# Exits non-zero when anything fails, and when any test is skipped, todo or cancelled.
# Cargo uses the workspace's target dir unless CARGO_TARGET_DIR is set.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
started=$(date +%s)
step() { printf '\n== %s (%ss)\n' "$1" "$(( $(date +%s) - started ))"; }

# napi build always passes --target <host>; make plain cargo use the same tree.
if [[ -z "${CARGO_BUILD_TARGET:-}" ]]; then
  CARGO_BUILD_TARGET="$(rustc -vV | sed -n 's/^host: //p')"
  export CARGO_BUILD_TARGET
fi

step "npm ci"
npm ci --no-audit --no-fund --loglevel=error

step "napi build (debug)"
npm run --silent build

step "node --test"
log="$(mktemp)"
work="$(mktemp -d)"
trap 'rm -rf "$log" "$work"' EXIT
set +e
node --test test/*.test.mjs >"$log" 2>&1
rc=$?
set -e
grep -E '^(not ok|# Subtest|# vectors:)' "$log" | grep -v '^# Subtest' || true
if [[ $rc -ne 0 ]]; then
  cat "$log"
fi
summary="$(grep -E '^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) ' "$log" | tail -n 8)"
echo "$summary"
count() { awk -v k="$1" '$1 == "#" && $2 == k { v = $3 } END { print v + 0 }' <<<"$summary"; }
tests=$(count tests) pass=$(count pass) fail=$(count fail)
skipped=$(( $(count skipped) + $(count todo) + $(count cancelled) ))
if [[ $rc -ne 0 || $fail -ne 0 ]]; then echo "node --test failed"; exit 1; fi
if [[ $tests -eq 0 || $pass -ne $tests ]]; then echo "node --test ran no test or not all passed"; exit 1; fi
if [[ $skipped -ne 0 ]]; then echo "node --test skipped $skipped test(s): not allowed"; exit 1; fi

step "tsc --strict --noEmit (README examples, the seed samples verbatim, examples/api-check.mts)"
node examples/extract-readme.mjs
npx tsc --strict --noEmit -p examples/tsconfig.json
echo "README examples type-check"

step "npm pack → install into an empty folder → smoke (CommonJS, ESM)"
tarball="$(npm pack --silent --pack-destination "$work" | tail -n 1)"
echo "packed $tarball ($(du -h "$work/$tarball" | cut -f1))"
mkdir "$work/app"
cp smoke/smoke.cjs smoke/smoke.mjs "$work/app/"
(
  cd "$work/app"
  echo '{"name": "qualys-cs-smoke", "version": "0.0.0", "private": true}' >package.json
  npm install --no-audit --no-fund --loglevel=error "$work/$tarball"
  node smoke.cjs
  node smoke.mjs
)

step "done"
echo "node: $pass passed, $fail failed"
