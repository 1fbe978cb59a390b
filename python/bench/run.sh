#!/usr/bin/env bash
# Runs python/bench/bench.py on a release build: a venv (newest CPython) with the release wheel,
# httpx and pydantic (from PyPI, into the bench venv only), and the Rust comparator example.
# Loopback only; bounded by the number of creates.
#
#   python/bench/run.sh                              # 3000 creates, concurrency 64, 3 rounds
#   python/bench/run.sh --creates 1000 --rounds 1    # any bench.py option
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
HOST_TRIPLE=$(rustc -vV | sed -n 's/^host: //p')
export CARGO_BUILD_TARGET="${CARGO_BUILD_TARGET:-$HOST_TRIPLE}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
export PIP_DISABLE_PIP_VERSION_CHECK=1

# The newest CPython pyenv has, else python3.
PY=$(ls -d /root/.pyenv/versions/3.*/bin/python3 2>/dev/null | sort -V | tail -1 || true)
[[ -n "$PY" && -x "$PY" ]] || PY=$(command -v python3)

WORK="$REPO/.bench/python"   # ignored by git (/.bench)
mkdir -p "$WORK"
if [[ ! -x "$WORK/venv/bin/python" ]]; then
  "$PY" -m venv "$WORK/venv"
fi
"$WORK/venv/bin/pip" install -q "maturin>=1.16,<2" httpx "pydantic>=2,<3"

echo "==> release wheel"
rm -rf "$WORK/dist"
( cd "$REPO/python" && "$WORK/venv/bin/maturin" build --release --out "$WORK/dist" ) 2>&1 \
  | grep -E 'Built wheel|error|warning: unused' || true
"$WORK/venv/bin/pip" install -q --force-reinstall --no-deps "$WORK"/dist/qualys_cs-*.whl

echo "==> Rust comparator (release)"
PYO3_PYTHON="$WORK/venv/bin/python" cargo build -q --release -p qualys-cs-python \
  --example bench_rust_create
RUST_BIN="$CARGO_TARGET_DIR/$CARGO_BUILD_TARGET/release/examples/bench_rust_create"

echo "==> bench ($("$WORK/venv/bin/python" -V))"
cd "$WORK"
"$WORK/venv/bin/python" "$HERE/bench.py" --rust-bin "$RUST_BIN" "$@"
