#!/usr/bin/env bash
# First-build time of the README's main job, cold, for two revisions in one command:
#
#   scripts/bench-build.sh [BASELINE_REV] [REV]     # defaults: 635aea4 (before the build cuts), HEAD
#
# Each revision is cloned into a temporary folder and built with an empty target directory
# (`cargo build -p qualys-cs-client --example quickstart --timings`), one after the other, so
# both see the same machine. Prints wall time, CPU time (user+sys), the number of compiled units
# and the ten longest units of each, then the ratio. Downloads are not timed: `cargo fetch`
# runs first. Run it on a quiet machine; it takes two cold builds (about 5-8 minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BASE=${1:-635aea4}
REV=${2:-HEAD}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export CARGO_BUILD_TARGET="${CARGO_BUILD_TARGET:-$(rustc -vV | sed -n 's/^host: //p')}"
export CARGO_TERM_COLOR=never

build() { # build NAME REV -> prints "wall cpu units"
  local name=$1 rev=$2 src=$WORK/$1
  git clone -q "$ROOT" "$src"
  git -C "$src" checkout -q "$(git -C "$ROOT" rev-parse "$rev")"
  (cd "$src" && cargo fetch -q)
  local t0 t1
  t0=$(date +%s.%N)
  (cd "$src" && /usr/bin/time -f "%U %S" -o "$WORK/$name.cpu" \
    cargo build -q -p qualys-cs-client --example quickstart --timings --target-dir "$WORK/$name-target")
  t1=$(date +%s.%N)
  local cpu wall
  cpu=$(awk '{printf "%.0f", $1 + $2}' "$WORK/$name.cpu")
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.0f", b - a}')
  local html
  html=$(ls "$WORK/$name-target"/cargo-timings/cargo-timing-*.html | head -1)
  python3 - "$html" "$name" "$(git -C "$src" log --oneline -1)" "$wall" "$cpu" <<'PY'
import json, re, sys
html, name, rev, wall, cpu = sys.argv[1:]
units = json.loads(re.search(r"const UNIT_DATA = (\[.*?\]);\n", open(html).read(), re.S).group(1))
units.sort(key=lambda u: -u["duration"])
print(f"{name}: {rev}")
print(f"  wall {wall} s, cpu {cpu} s, {len(units)} units; longest:")
for u in units[:10]:
    print(f"    {u['duration']:6.1f} s  {u['name']} {u['version']} {u.get('target', '').strip()}")
PY
  echo "$wall $cpu" >"$WORK/$name.sum"
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
build baseline "$BASE"
build current "$REV"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
read -r bw bc <"$WORK/baseline.sum"
read -r cw cc <"$WORK/current.sum"
awk -v bw="$bw" -v bc="$bc" -v cw="$cw" -v cc="$cc" \
  'BEGIN {printf "current / baseline: wall %.2f (%d s vs %d s), cpu %.2f (%d s vs %d s)\n", cw/bw, cw, bw, cc/bc, cc, bc}'
