#!/usr/bin/env bash
# The one test command of the Python package (python/). Fails (non-zero) on any failure or skip.
#
#   1. a fresh tools venv (newest CPython): maturin, pytest, mypy from PyPI
#   2. builds the abi3 wheel once (debug profile; the workspace target dir unless
#      CARGO_TARGET_DIR is set)
#   3. installs the WHEEL into a fresh venv of the newest CPython and runs pytest there
#   4. the same wheel on the oldest CPython (when the machine has more than one)
#   5. builds the sdist, installs it into a clean venv, runs a smoke test
#   6. mypy --strict on the tests and on every python example of python/README.md, and
#      `python -m mypy.stubtest qualys_cs`: the stub of the native module (and the typed
#      Python layer) checked against the installed runtime
#
#   python/test.sh                 # everything
#   KEEP_WORK=1 python/test.sh     # keep the temp dir (venvs, wheel, sdist) for a look
#   PYTEST_ARGS="-k vectors" python/test.sh
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
START=$(date +%s)

step() { printf '\n==> [%3ss] %s\n' "$(( $(date +%s) - START ))" "$*"; }
die() { printf '\nFAILED: %s\n' "$*" >&2; exit 1; }
trap 'printf "\nFAILED at line %s (exit %s): %s\n" "$LINENO" "$?" "$BASH_COMMAND" >&2' ERR

# One target tree for cargo and maturin (maturin may pass --target; see shared toolchain notes).
HOST_TRIPLE=$(rustc -vV | sed -n 's/^host: //p')
export CARGO_BUILD_TARGET="${CARGO_BUILD_TARGET:-$HOST_TRIPLE}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

WORK=$(mktemp -d "${TMPDIR:-/tmp}/qualys-cs-python.XXXXXX")
cleanup() { if [[ "${KEEP_WORK:-0}" == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT

# --- interpreters: every CPython >= 3.9 that pyenv has, else python3 ----------------------
declare -a PYTHONS=()
for d in /root/.pyenv/versions/* "${PYENV_ROOT:-/nonexistent}"/versions/*; do
  [[ -x "$d/bin/python3" ]] || continue
  v=$("$d/bin/python3" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  if "$d/bin/python3" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)'; then
    PYTHONS+=("$v $d/bin/python3")
  fi
done
if [[ ${#PYTHONS[@]} -eq 0 ]]; then
  command -v python3 >/dev/null || die "no python3 found"
  PYTHONS+=("$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])') $(command -v python3)")
fi
mapfile -t SORTED < <(printf '%s\n' "${PYTHONS[@]}" | sort -t. -k1,1n -k2,2n -u)
NEWEST=${SORTED[-1]#* }
OLDEST=${SORTED[0]#* }
echo "CPython found: $(printf '%s ' "${SORTED[@]%% *}")-> newest $NEWEST, oldest $OLDEST"

venv() { # venv DIR PYTHON
  "$2" -m venv "$1" || die "could not create a venv with $2"
}

quiet_build() { # quiet_build LOG CMD...: runs CMD, shows its output without cargo's per-crate lines
  local log=$1; shift
  local rc=0
  "$@" >"$log" 2>&1 || rc=$?
  # (maturin sdist asks cargo about python/ itself first, which prints a harmless
  # "manifest path `Cargo.toml` does not exist")
  grep -vE '^\s+(Compiling|Checking|Downloaded|Downloading)|^error: manifest path `Cargo.toml` does not exist' "$log" || true
  [[ $rc -eq 0 ]] || die "$* exited $rc (log: $log)"
}

declare -a SUMMARY=()
run_pytest() { # run_pytest LABEL VENV
  local label=$1 env=$2 log="$WORK/pytest-$1.log"
  # From a neutral directory: `import qualys_cs` must find the installed wheel, not python/.
  ( cd "$WORK" && "$env/bin/python" -X faulthandler -m pytest "$HERE/tests" -p no:cacheprovider \
      -q -ra ${PYTEST_ARGS:-} ) 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local line
  line=$(grep -E '^(=+ )?[0-9]+ (passed|failed|error)' "$log" | tail -1 || true)
  SUMMARY+=("$label: ${line:-no summary line}")
  [[ $rc -eq 0 ]] || die "pytest ($label) exited $rc"
  grep -qE '[0-9]+ passed' <<<"$line" || die "pytest ($label) ran no test"
  if grep -qE '[0-9]+ (skipped|deselected|xfailed)' <<<"$line" && [[ -z "${PYTEST_ARGS:-}" ]]; then
    die "pytest ($label) skipped tests: $line"
  fi
}

# --- 1. tools ---------------------------------------------------------------------------
step "tools venv ($NEWEST): maturin, pytest, mypy"
venv "$WORK/tools" "$NEWEST"
"$WORK/tools/bin/pip" install -q "maturin>=1.16,<2" pytest mypy
"$WORK/tools/bin/maturin" --version

# --- 2. wheel ---------------------------------------------------------------------------
step "maturin build (abi3 wheel, debug profile) into $WORK/dist; target dir $CARGO_TARGET_DIR"
( cd "$HERE" && quiet_build "$WORK/maturin-build.log" "$WORK/tools/bin/maturin" build --out "$WORK/dist" )
WHEEL=$(ls "$WORK"/dist/qualys_cs-*-cp39-abi3-*.whl 2>/dev/null | head -1 || true)
[[ -n "$WHEEL" ]] || die "no cp39-abi3 wheel was built"
echo "wheel: $(basename "$WHEEL") ($(du -h "$WHEEL" | cut -f1))"

# --- 3. wheel on the newest CPython --------------------------------------------------------
step "fresh venv ($NEWEST) + the wheel: pytest"
venv "$WORK/newest" "$NEWEST"
"$WORK/newest/bin/pip" install -q "$WHEEL" pytest
run_pytest "newest $("$WORK/newest/bin/python" -V 2>&1)" "$WORK/newest"

# --- 4. the same wheel on the oldest CPython ---------------------------------------------------
if [[ "$OLDEST" != "$NEWEST" ]]; then
  step "fresh venv ($OLDEST) + the same wheel: pytest"
  venv "$WORK/oldest" "$OLDEST"
  "$WORK/oldest/bin/pip" install -q "$WHEEL" pytest
  run_pytest "oldest $("$WORK/oldest/bin/python" -V 2>&1)" "$WORK/oldest"
else
  echo "only one CPython on this machine: the wheel was tested on it alone"
fi

# --- 5. sdist -----------------------------------------------------------------------------
step "maturin sdist, then pip install it into a clean venv ($OLDEST) and smoke-test"
( cd "$HERE" && quiet_build "$WORK/maturin-sdist.log" "$WORK/tools/bin/maturin" sdist --out "$WORK/sdist" )
SDIST=$(ls "$WORK"/sdist/qualys_cs-*.tar.gz 2>/dev/null | head -1 || true)
[[ -n "$SDIST" ]] || die "no sdist was built"
# Cargo would find the sdist's crates fresh in the shared target dir (maturin writes old
# mtimes, cargo keys path crates by their workspace-relative path) and link what the wheel
# step compiled. Give the sdist's files a new mtime so its own sources are compiled; the
# registry dependencies are still reused (dev profile, shared target dir).
mkdir -p "$WORK/sdist-src"
tar -xzf "$SDIST" -C "$WORK/sdist-src"
find "$WORK/sdist-src" -type f -exec touch {} +
( cd "$WORK/sdist-src" && tar -czf "$SDIST" "$(basename "$SDIST" .tar.gz)" )
venv "$WORK/sdist-venv" "$OLDEST"
# pip builds it in an isolated env (maturin from PyPI).
MATURIN_PEP517_ARGS="--profile dev" "$WORK/sdist-venv/bin/pip" install -v "$SDIST" \
  >"$WORK/sdist-install.log" 2>&1 || { tail -40 "$WORK/sdist-install.log"; die "pip install of the sdist"; }
grep -q 'Compiling qualys-cs-python' "$WORK/sdist-install.log" \
  || die "the sdist install did not compile the binding from the sdist's sources"
grep -E 'Compiling qualys-cs|Finished' "$WORK/sdist-install.log" | sed 's/^ */  /' 
( cd "$WORK" && "$WORK/sdist-venv/bin/python" - <<'PY'
import qualys_cs
from qualys_cs import Emulator, ScheduleRequest, validate

assert not validate({"name": ""}).valid
with Emulator() as emu:
    client = emu.client()
    req = ScheduleRequest.daily("smoke", "02:00").repo("library/nginx").build()
    sid = client.create_schedule(emu.demo_registry_id, req).schedule_uuid
    assert [s.schedule_uuid for s in client.list_schedules_all(emu.demo_registry_id)] == [sid]
print("sdist smoke test: ok", qualys_cs.__version__, qualys_cs.__file__)
PY
) || die "sdist smoke test"

# --- 6. typing ----------------------------------------------------------------------------
step "mypy --strict: tests and README examples (against the installed wheel)"
mkdir -p "$WORK/readme"
"$WORK/tools/bin/python" - "$HERE/README.md" "$WORK/readme" <<'PY'
import re, sys
from pathlib import Path
blocks = re.findall(r"```python\n(.*?)```", Path(sys.argv[1]).read_text(encoding="utf-8"), re.S)
assert blocks, "README has no python example"
for i, b in enumerate(blocks):
    Path(sys.argv[2], f"readme_example_{i}.py").write_text(b, encoding="utf-8")
print(f"{len(blocks)} README examples")
PY
( cd "$WORK" && "$WORK/tools/bin/mypy" --strict --no-incremental \
    --python-executable "$WORK/newest/bin/python" "$HERE/tests" ) || die "mypy on tests"
( cd "$WORK/readme" && "$WORK/tools/bin/mypy" --strict --no-incremental \
    --python-executable "$WORK/newest/bin/python" . ) || die "mypy on README examples"

step "stubtest: qualys_cs (the _native.pyi stub against the installed extension)"
"$WORK/newest/bin/pip" install -q mypy
( cd "$WORK" && "$WORK/newest/bin/python" -m mypy.stubtest qualys_cs ) || die "stubtest qualys_cs"

step "done"
printf '%s\n' "${SUMMARY[@]}"
echo "python/test.sh: all steps passed in $(( $(date +%s) - START ))s"
