#!/usr/bin/env bash
# Builds every artifact a package registry would receive into dist/, and checks them.
#
#   scripts/package.sh                  build all artifacts into dist/ (needs Rust, Python, Node, a JDK)
#   scripts/package.sh --check          install each artifact in dist/ into a clean folder with
#                                       cargo and rustc removed from PATH and run a smoke program
#   scripts/package.sh --only python,node [--check]    a subset (python node kotlin swift rust)
#   PACKAGE_VERIFY=1 scripts/package.sh --only rust     `cargo package` with its verify build
#
# Artifacts (one version for all of them: [workspace.package] version in Cargo.toml):
#   python  qualys_cs-V-cp39-abi3-<manylinux tag>.whl (tag = what auditwheel says the binary
#           needs) and the sdist qualys_cs-V.tar.gz
#   node    qualys-cs-V.tgz (JS + types, optionalDependencies on the platform package) and
#           qualys-cs-linux-x64-gnu-V.tgz (the stripped .node), the napi-rs release layout
#   kotlin  qualys-cs-kotlin-V.jar: compiled Kotlin API + linux-x86-64/libqualys_cs_uniffi.so
#           (JNA's resource path, so no -Djna.library.path is needed)
#   swift   qualys-cs-swift-V.zip: the Swift package sources, README and the Linux library
#   rust    qualys-cs-{core,client,emulator,cli}-V.crate (`cargo package`)
#
# Native code is built with the `dist` profile, defined below through CARGO_PROFILE_DIST_*
# (release + opt-level "z", fat LTO, one codegen unit, symbols stripped), so the workspace's
# shared [profile.release] stays as it is. Scratch files (tool venvs, staging, check folders)
# live in .package/; both dist/ and .package/ are git-ignored.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIST=$ROOT/dist
WORK=$ROOT/.package
START=$(date +%s)
ALL_PARTS="python node kotlin swift rust"

MODE=build
PARTS=$ALL_PARTS
while [[ $# -gt 0 ]]; do
  case $1 in
    --check) MODE=check ;;
    --only) PARTS=${2//,/ }; shift ;;
    --only=*) PARTS=${1#--only=}; PARTS=${PARTS//,/ } ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
for p in $PARTS; do
  [[ " $ALL_PARTS " == *" $p "* ]] || { echo "unknown part '$p' (known: $ALL_PARTS)" >&2; exit 2; }
done
want() { [[ " $PARTS " == *" $1 "* ]]; }

step() { printf '\n==> [%3ss] %s\n' "$(( $(date +%s) - START ))" "$*"; }
die() { printf '\npackage.sh FAILED: %s\n' "$*" >&2; exit 1; }
trap 'rc=$?; printf "\npackage.sh FAILED at line %s (exit %s): %s\n" "$LINENO" "$rc" "$BASH_COMMAND" >&2' ERR
size_of() { stat -c %s "$1"; }
human() { awk -v b="$1" 'BEGIN { if (b >= 1048576) printf "%.2f MiB", b / 1048576; else printf "%.1f KiB", b / 1024 }'; }
# quiet LOG CMD...: runs CMD with its output in LOG; on failure shows the tail and stops.
quiet() {
  local log=$1; shift
  if ! "$@" >"$log" 2>&1; then
    tail -40 "$log" >&2
    die "$* (full log: $log)"
  fi
}

# ---- the one version ---------------------------------------------------------------------------
VERSION=$(awk '/^\[/ { s = ($0 == "[workspace.package]") } s && /^version *=/ { gsub(/^[^"]*"|".*$/, ""); print; exit }' "$ROOT/Cargo.toml")
[[ $VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || die "no [workspace.package] version in Cargo.toml (got '$VERSION')"

# Every manifest that names a version must agree with the workspace (fails loudly otherwise).
check_sources_version() {
  local bad=0 f v
  for f in "$ROOT"/crates/*/Cargo.toml "$ROOT"/bindings/*/Cargo.toml "$ROOT"/bindings/uniffi/bindgen/Cargo.toml; do
    grep -qE '^version\.workspace *= *true' "$f" || { echo "version mismatch: $f does not take version.workspace" >&2; bad=1; }
  done
  while read -r dep v; do
    [[ $v == "$VERSION" ]] || { echo "version mismatch: [workspace.dependencies] $dep = $v, workspace $VERSION" >&2; bad=1; }
  done < <(sed -nE 's/^(qualys-cs-[a-z-]+) *=.*version *= *"([^"]+)".*/\1 \2/p' "$ROOT/Cargo.toml")
  grep -qE '^dynamic *=.*"version"' "$ROOT/python/pyproject.toml" \
    || { echo "version mismatch: python/pyproject.toml must take its version from Cargo (dynamic = [\"version\"])" >&2; bad=1; }
  for f in "$ROOT/node/package.json" "$ROOT"/node/npm/*/package.json; do
    v=$(node -p "require('$f').version")
    [[ $v == "$VERSION" ]] || { echo "version mismatch: $f has $v, workspace $VERSION" >&2; bad=1; }
  done
  [[ $bad == 0 ]] || die "versions disagree: the workspace version ($VERSION, Cargo.toml [workspace.package]) is the one place to set it"
}

# ---- tools that install without Rust -----------------------------------------------------------
# Newest CPython >= 3.9 (pyenv's when present), as an absolute path.
pick_python() {
  local best="" bestv=0 d v
  for d in "${PYENV_ROOT:-/root/.pyenv}"/versions/*/bin/python3; do
    [[ -x $d ]] || continue
    v=$("$d" -c 'import sys; print(sys.version_info[0] * 100 + sys.version_info[1])' 2>/dev/null) || continue
    if (( v >= 309 && v > bestv )); then best=$d bestv=$v; fi
  done
  if [[ -z $best ]]; then
    best=$(command -v python3) || die "no python3"
    best=$("$best" -c 'import sys; print(sys.executable)')
  fi
  echo "$best"
}
PYTHON=$(pick_python)
JNA_JAR=${JNA_JAR:-/usr/share/java/jna.jar}

# The Kotlin compiler pinned by bindings/uniffi/kotlin (npm package kotlin-compiler).
KOTLIN_TOOLS=$WORK/tools-kotlin
kotlin_tools() {
  local src=$ROOT/bindings/uniffi/kotlin
  if [[ ! -x $KOTLIN_TOOLS/node_modules/kotlin-compiler/bin/kotlinc ]] \
     || ! cmp -s "$src/package-lock.json" "$KOTLIN_TOOLS/package-lock.json"; then
    rm -rf "$KOTLIN_TOOLS" && mkdir -p "$KOTLIN_TOOLS"
    cp "$src/package.json" "$src/package-lock.json" "$KOTLIN_TOOLS/"
    (cd "$KOTLIN_TOOLS" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
  KOTLIN_HOME=$KOTLIN_TOOLS/node_modules/kotlin-compiler
  KOTLINC=$KOTLIN_HOME/bin/kotlinc
  KOTLIN_STDLIB=$KOTLIN_HOME/lib/kotlin-stdlib.jar
  COROUTINES=$KOTLIN_HOME/lib/kotlinx-coroutines-core-jvm.jar
  [[ -x $KOTLINC && -f $KOTLIN_STDLIB && -f $COROUTINES ]] || die "kotlin-compiler from npm is incomplete in $KOTLIN_HOME"
}

# Artifact names (the same list for build and check).
WHEEL_GLOB="qualys_cs-$VERSION-cp39-abi3-manylinux_*_x86_64.whl"
SDIST=qualys_cs-$VERSION.tar.gz
NODE_MAIN=qualys-cs-$VERSION.tgz
NODE_PLATFORM_NAME=qualys-cs-linux-x64-gnu
NODE_PLATFORM=$NODE_PLATFORM_NAME-$VERSION.tgz
NODE_ADDON=qualys-cs.linux-x64-gnu.node
JAR=qualys-cs-kotlin-$VERSION.jar
SWIFT_ZIP=qualys-cs-swift-$VERSION.zip
CRATES=(qualys-cs-core qualys-cs-client qualys-cs-emulator qualys-cs-cli)

###################################################################################################
# build
###################################################################################################
build_setup() {
  command -v cargo >/dev/null || die "cargo not found: building the artifacts needs Rust (checking them does not)"
  local host
  host=$(rustc -vV | sed -n 's/^host: //p')
  [[ $host == x86_64-unknown-linux-gnu ]] \
    || die "package.sh builds the x86_64 Linux (glibc) artifacts; this host is $host"
  export CARGO_BUILD_TARGET=${CARGO_BUILD_TARGET:-$host}
  [[ $CARGO_BUILD_TARGET == "$host" ]] || die "CARGO_BUILD_TARGET=$CARGO_BUILD_TARGET: only the host ($host) is packaged"
  export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
  export CARGO_TERM_COLOR=never
  # The `dist` profile (see the header). Only this script builds with it.
  export CARGO_PROFILE_DIST_INHERITS=release
  export CARGO_PROFILE_DIST_OPT_LEVEL=z
  export CARGO_PROFILE_DIST_LTO=fat
  export CARGO_PROFILE_DIST_CODEGEN_UNITS=1
  export CARGO_PROFILE_DIST_STRIP=symbols
  PROFILE_DIR=$CARGO_TARGET_DIR/$CARGO_BUILD_TARGET/dist
  export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
  mkdir -p "$DIST" "$WORK/logs"
}

is_stripped() { # is_stripped FILE: no .symtab and no debug sections
  local sections
  sections=$(readelf -S "$1") || die "readelf $1"
  ! grep -qE '\.symtab|\.debug_' <<<"$sections" || die "$1 is not stripped"
}

build_python() {
  step "python: tools venv (maturin, auditwheel)"
  local tools=$WORK/tools-venv
  if ! "$tools/bin/python" -c 'import maturin, auditwheel' 2>/dev/null; then
    rm -rf "$tools"
    "$PYTHON" -m venv "$tools"
    "$tools/bin/pip" install -q "maturin>=1.16,<2" "auditwheel>=6,<7"
  fi
  rm -f "$DIST"/qualys_cs-*.whl "$DIST"/qualys_cs-*.tar.gz

  step "python: maturin build (dist profile, abi3) and the platform tag auditwheel finds"
  local probe=$WORK/wheel-probe
  rm -rf "$probe"
  # First with the plain `linux` tag, so auditwheel can say which manylinux policy the binary
  # really meets (the symbol versions it needs from glibc), then again with that tag (no
  # recompilation: cargo is fresh) so maturin's own audit checks it too.
  (cd "$ROOT/python" && quiet "$WORK/logs/maturin-probe.log" \
    "$tools/bin/maturin" build --profile dist --strip --compatibility linux --out "$probe")
  local probe_whl policy
  probe_whl=$(ls "$probe"/qualys_cs-"$VERSION"-cp39-abi3-linux_x86_64.whl 2>/dev/null) \
    || die "maturin did not write a cp39-abi3 linux_x86_64 wheel for $VERSION (see $probe)"
  policy=$("$tools/bin/auditwheel" show "$probe_whl" 2>/dev/null | tr -s ' \n' ' ' \
    | sed -nE 's/.*consistent with the following platform tag: "(manylinux_[0-9]+_[0-9]+)_x86_64".*/\1/p')
  [[ -n $policy ]] || { "$tools/bin/auditwheel" show "$probe_whl"; die "auditwheel found no manylinux policy for the wheel"; }
  echo "auditwheel: the binary needs $policy"
  (cd "$ROOT/python" && quiet "$WORK/logs/maturin-build.log" \
    "$tools/bin/maturin" build --profile dist --strip --compatibility "$policy" --out "$DIST")
  local whl
  whl=$DIST/qualys_cs-$VERSION-cp39-abi3-${policy}_x86_64.whl
  [[ -f $whl ]] || die "maturin did not write $(basename "$whl")"
  local shown
  shown=$("$tools/bin/auditwheel" show "$whl" 2>/dev/null | tr -s ' \n' ' ')
  grep -q "following platform tag: \"${policy}_x86_64\"" <<<"$shown" \
    || die "auditwheel does not confirm ${policy}_x86_64 for $(basename "$whl")"
  is_stripped "$PROFILE_DIR/lib_native.so"
  echo "wheel: $(basename "$whl") ($(human "$(size_of "$whl")"); _native.abi3.so $(human "$(size_of "$PROFILE_DIR/lib_native.so")"))"

  step "python: maturin sdist"
  (cd "$ROOT/python" && quiet "$WORK/logs/maturin-sdist.log" "$tools/bin/maturin" sdist --out "$DIST")
  [[ -f $DIST/$SDIST ]] || die "maturin sdist did not write $SDIST"
  echo "sdist: $SDIST ($(human "$(size_of "$DIST/$SDIST")"))"
}

build_node() {
  local napi=$ROOT/node/node_modules/.bin/napi
  if [[ ! -x $napi ]]; then
    step "node: npm ci (brings @napi-rs/cli)"
    (cd "$ROOT/node" && npm ci --no-audit --no-fund --loglevel=error)
  fi
  local stage=$WORK/node
  rm -rf "$stage" && mkdir -p "$stage/build"
  rm -f "$DIST/$NODE_MAIN" "$DIST/$NODE_PLATFORM"

  step "node: napi build --platform --profile dist --strip"
  # Into a staging folder: node/ keeps its debug build for node/test.sh, and a debug .node
  # lying in node/ can never end up in a package.
  (cd "$ROOT/node" && quiet "$WORK/logs/napi-build.log" "$napi" build --platform --profile dist --strip \
    --manifest-path ../bindings/node/Cargo.toml --output-dir "$stage/build" --js index.js --dts index.d.ts)
  local addon=$stage/build/$NODE_ADDON
  [[ -f $addon ]] || die "napi build did not write $NODE_ADDON"
  # The committed loader and types are what ships: they must be what this build generates.
  local f
  for f in index.js index.d.ts; do
    cmp -s "$stage/build/$f" "$ROOT/node/$f" \
      || die "node/$f differs from what napi generates from the current sources: run 'npm run build' in node/ and commit node/$f"
  done
  # The addon that ships is linked as a cdylib alone: the crate also declares an rlib, and a
  # build of both keeps every public item of the crate graph alive (~2 MiB more).
  step "node: the shipped addon: cargo rustc -p qualys-cs-node --profile dist --crate-type cdylib"
  (cd "$ROOT" && quiet "$WORK/logs/node-cdylib.log" \
    cargo rustc -p qualys-cs-node --lib --profile dist --crate-type cdylib)
  cp "$PROFILE_DIR/libqualys_cs_node.so" "$addon"
  is_stripped "$addon"

  step "node: platform package $NODE_PLATFORM_NAME (napi artifacts layout: npm/linux-x64-gnu)"
  local plat=$stage/linux-x64-gnu
  mkdir -p "$plat"
  cp "$ROOT/node/npm/linux-x64-gnu/package.json" "$ROOT/node/npm/linux-x64-gnu/README.md" "$plat/"
  cp "$addon" "$plat/"
  (cd "$plat" && npm pack --silent --pack-destination "$DIST" >/dev/null)
  [[ -f $DIST/$NODE_PLATFORM ]] || die "npm pack did not write $NODE_PLATFORM"

  step "node: main package (optionalDependencies on the platform package, as napi pre-publish writes them)"
  local main=$stage/main
  mkdir -p "$main"
  cp "$ROOT"/node/{index.js,index.mjs,index.d.ts,README.md} "$main/"
  node - "$ROOT/node/package.json" "$main/package.json" "$VERSION" <<'JS'
const fs = require('node:fs')
const [src, dst, version] = process.argv.slice(2)
const pkg = JSON.parse(fs.readFileSync(src, 'utf8'))
const platform = JSON.parse(fs.readFileSync(require('node:path').join(require('node:path').dirname(src), 'npm/linux-x64-gnu/package.json'), 'utf8'))
// The binary comes from the platform package; the loader (index.js) finds it there.
pkg.files = pkg.files.filter((f) => !f.endsWith('.node'))
pkg.optionalDependencies = { [platform.name]: version }
delete pkg.devDependencies
delete pkg.scripts
fs.writeFileSync(dst, JSON.stringify(pkg, null, 2) + '\n')
JS
  (cd "$main" && npm pack --silent --pack-destination "$DIST" >/dev/null)
  [[ -f $DIST/$NODE_MAIN ]] || die "npm pack did not write $NODE_MAIN"
  local listing
  listing=$(tar -tzf "$DIST/$NODE_MAIN")
  ! grep -q '\.node$' <<<"$listing" || die "$NODE_MAIN contains a .node file"
  listing=$(tar -tzf "$DIST/$NODE_PLATFORM")
  [[ $(grep -c '\.node$' <<<"$listing") == 1 ]] || die "$NODE_PLATFORM must hold exactly one .node"
  cmp -s <(tar -xzOf "$DIST/$NODE_PLATFORM" "package/$NODE_ADDON") "$addon" \
    || die "$NODE_PLATFORM does not hold the stripped dist build of $NODE_ADDON"
  echo "addon: $NODE_ADDON ($(human "$(size_of "$addon")")); $NODE_PLATFORM ($(human "$(size_of "$DIST/$NODE_PLATFORM")")), $NODE_MAIN ($(human "$(size_of "$DIST/$NODE_MAIN")"))"
}

UNIFFI_SO=""
build_uniffi_lib() {
  [[ -n $UNIFFI_SO ]] && return
  step "uniffi: cargo rustc -p qualys-cs-uniffi --profile dist --crate-type cdylib"
  # Only the cdylib (the crate also declares lib and staticlib, which nothing here ships).
  (cd "$ROOT" && quiet "$WORK/logs/uniffi-build.log" \
    cargo rustc -p qualys-cs-uniffi --lib --profile dist --crate-type cdylib)
  UNIFFI_SO=$PROFILE_DIR/libqualys_cs_uniffi.so
  [[ -f $UNIFFI_SO ]] || die "no $UNIFFI_SO"
  is_stripped "$UNIFFI_SO"
  echo "libqualys_cs_uniffi.so: $(human "$(size_of "$UNIFFI_SO")")"
}

build_kotlin() {
  build_uniffi_lib
  step "kotlin: kotlinc (npm kotlin-compiler) + jar with linux-x86-64/libqualys_cs_uniffi.so"
  [[ -f $JNA_JAR ]] || die "JNA not found at $JNA_JAR (apt-get install -y libjna-java, or set JNA_JAR)"
  kotlin_tools
  local stage=$WORK/kotlin
  rm -rf "$stage" && mkdir -p "$stage/classes/linux-x86-64"
  rm -f "$DIST"/qualys-cs-kotlin-*.jar
  mapfile -t sources < <(find "$ROOT/bindings/uniffi/kotlin/src/main/kotlin" -name '*.kt' | sort)
  [[ ${#sources[@]} -gt 0 ]] || die "no Kotlin sources in bindings/uniffi/kotlin/src/main/kotlin"
  JAVA_OPTS="${JAVA_OPTS:--Xmx1g}" quiet "$WORK/logs/kotlinc.log" \
    "$KOTLINC" -nowarn -jvm-target 17 -cp "$JNA_JAR:$COROUTINES" -d "$stage/classes" "${sources[@]}"
  cp "$UNIFFI_SO" "$stage/classes/linux-x86-64/"
  cat >"$stage/MANIFEST.MF" <<EOF
Implementation-Title: qualys-cs-kotlin
Implementation-Version: $VERSION
Built-By: scripts/package.sh
EOF
  jar --create --file "$DIST/$JAR" --manifest "$stage/MANIFEST.MF" --date=2000-01-01T00:00:02Z -C "$stage/classes" .
  echo "jar: $JAR ($(human "$(size_of "$DIST/$JAR")"))"
}

build_swift() {
  build_uniffi_lib
  step "swift: package folder as a zip (sources, README, Linux library; not compiled here)"
  local stage=$WORK/swift name=qualys-cs-swift-$VERSION
  rm -rf "$stage" && mkdir -p "$stage/$name/lib/x86_64-unknown-linux-gnu"
  rm -f "$DIST"/qualys-cs-swift-*.zip
  cp -r "$ROOT"/bindings/uniffi/swift/{Package.swift,Sources,Tests} "$stage/$name/"
  cp "$ROOT/bindings/uniffi/README.md" "$stage/$name/README.md"
  cp "$UNIFFI_SO" "$stage/$name/lib/x86_64-unknown-linux-gnu/"
  find "$stage" -exec touch -d 2000-01-01T00:00:02Z {} +
  (cd "$stage" && zip -q -X -r "$DIST/$SWIFT_ZIP" "$name")
  echo "zip: $SWIFT_ZIP ($(human "$(size_of "$DIST/$SWIFT_ZIP")"))"
}

build_rust() {
  step "rust: cargo package ${CRATES[*]}"
  rm -f "$DIST"/qualys-cs-*.crate
  local args=() c
  for c in "${CRATES[@]}"; do args+=(-p "$c"); done
  # One invocation for all four: cargo packages them in dependency order and resolves each
  # crate's dependencies on the others against the ones it just packaged (not crates.io).
  # --no-verify: verifying compiles each crate from its .crate (set PACKAGE_VERIFY=1 for that).
  local verify=(--no-verify)
  [[ ${PACKAGE_VERIFY:-0} == 1 ]] && verify=()
  local dirty=()
  if [[ -n $(cd "$ROOT" && git status --porcelain -- crates Cargo.toml Cargo.lock README.md 2>/dev/null) ]]; then
    echo "warning: uncommitted changes under crates/ (packaged as they are in the work tree)"
    dirty=(--allow-dirty)
  fi
  (cd "$ROOT" && quiet "$WORK/logs/cargo-package.log" cargo package "${verify[@]}" "${dirty[@]}" "${args[@]}")
  grep -E '^\s+(Packaged|Verifying|Packaging)' "$WORK/logs/cargo-package.log" | sed 's/^ */  /' || true
  for c in "${CRATES[@]}"; do
    cp "$CARGO_TARGET_DIR/package/$c-$VERSION.crate" "$DIST/" || die "cargo package did not write $c-$VERSION.crate"
  done
}

###################################################################################################
# check: clean folders, no cargo/rustc on PATH
###################################################################################################
declare -a REPORT=()
report() { # report FILE LINE
  REPORT+=("$(printf '%-52s %10s  %s' "$(basename "$1")" "$(human "$(size_of "$1")")" "$2")")
}
one() { # one GLOB: the single dist/ file matching GLOB
  local m=()
  mapfile -t m < <(compgen -G "$DIST/$1" || true)
  [[ ${#m[@]} == 1 ]] || die "expected one dist/$1, found ${#m[@]} (run scripts/package.sh first)"
  echo "${m[0]}"
}

check_setup() {
  # PATH without any folder holding cargo, rustc or rustup.
  local out="" d
  IFS=: read -ra dirs <<<"$PATH"
  for d in "${dirs[@]}"; do
    [[ -n $d && -d $d ]] || continue
    [[ -e $d/cargo || -e $d/rustc || -e $d/rustup ]] && continue
    out+=${out:+:}$d
  done
  export PATH=$out
  unset CARGO_HOME RUSTUP_HOME RUSTC CARGO CARGO_TARGET_DIR CARGO_BUILD_TARGET LD_LIBRARY_PATH PYTHONPATH NODE_PATH
  ! command -v cargo >/dev/null && ! command -v rustc >/dev/null || die "cargo/rustc still on PATH"
  echo "PATH without cargo/rustc: $PATH"
  CHECK=$WORK/check
  rm -rf "$CHECK" && mkdir -p "$CHECK"
  export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
}

# The oldest CPython >= 3.9 besides the newest: the abi3 wheel must import on both.
pick_oldest_python() {
  local best="" bestv=9999 d v
  for d in "${PYENV_ROOT:-/root/.pyenv}"/versions/*/bin/python3; do
    [[ -x $d ]] || continue
    v=$("$d" -c 'import sys; print(sys.version_info[0] * 100 + sys.version_info[1])' 2>/dev/null) || continue
    if (( v >= 309 && v < bestv )); then best=$d bestv=$v; fi
  done
  echo "${best:-$PYTHON}"
}

check_python() {
  local whl py pythons=("$PYTHON") oldest
  oldest=$(pick_oldest_python)
  [[ $oldest != "$PYTHON" ]] && pythons=("$oldest" "$PYTHON")
  whl=$(one "$WHEEL_GLOB")
  for py in "${pythons[@]}"; do
    check_python_with "$py" "$whl"
  done
  if (( ${#pythons[@]} < 2 )); then
    report "$whl" "only one CPython >= 3.9 on this machine ($("$PYTHON" -V 2>&1)): the oldest-version import was not checked"
  fi
  check_sdist
}

check_python_with() { # check_python_with PYTHON WHEEL
  local py=$1 whl=$2 venv
  venv=$CHECK/py-$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  step "check python: wheel into a fresh venv ($("$py" -V 2>&1)), no index"
  "$py" -m venv "$venv"
  quiet "$CHECK/pip.log" "$venv/bin/pip" install --no-index --no-cache-dir "$whl"
  local out
  out=$(cd "$CHECK" && "$venv/bin/python" - "$VERSION" <<'PY'
import sys
import qualys_cs
from qualys_cs import Emulator, ScheduleRequest
assert qualys_cs.__version__ == sys.argv[1] and "/check/py-" in qualys_cs.__file__, qualys_cs.__file__
with Emulator() as emu:  # the seed document's sample schedule
    client = emu.client()
    req = (ScheduleRequest.weekly("Automatic Scan Schedule", "THURSDAY").at("09:30").repo("azuretest")
           .force_scan(True).registry_type("Azure").latest_tags(5).build())
    created = client.create_schedule(emu.demo_registry_id, req)
    names = [s.name for s in client.list_schedules_all(emu.demo_registry_id)]
    assert names == ["Automatic Scan Schedule"], names
print(f"python {sys.version.split()[0]}: qualys_cs {qualys_cs.__version__} created {created.schedule_uuid}, listed {names}")
PY
) || die "python smoke program"
  echo "$out"
  report "$whl" "$out"
}

check_sdist() {
  step "check python: sdist contents"
  local sd=$DIST/$SDIST
  [[ -f $sd ]] || die "no dist/$SDIST"
  local listing
  listing=$(tar -tzf "$sd")
  for f in pyproject.toml PKG-INFO Cargo.toml bindings/python/Cargo.toml qualys_cs/__init__.py; do
    grep -qE "^qualys_cs-$VERSION/(.*/)?$f$" <<<"$listing" || die "$SDIST lacks $f"
  done
  local pkginfo
  pkginfo=$(tar -xzOf "$sd" "qualys_cs-$VERSION/PKG-INFO")
  grep -qx "Version: $VERSION" <<<"$pkginfo" || die "$SDIST PKG-INFO is not version $VERSION"
  report "$sd" "sdist: $(wc -l <<<"$listing") files, PKG-INFO $VERSION (building it needs Rust: python/test.sh installs it)"
}

check_node() {
  step "check node: both tarballs into an empty folder (npm --offline)"
  local main plat app=$CHECK/node
  main=$(one "$NODE_MAIN") plat=$(one "$NODE_PLATFORM")
  mkdir -p "$app"
  echo '{"name": "qualys-cs-package-check", "version": "0.0.0", "private": true, "type": "module"}' >"$app/package.json"
  (cd "$app" && quiet "$CHECK/npm.log" npm install --offline --no-audit --no-fund "$main" "$plat")
  cat >"$app/smoke.mjs" <<'JS'
import { createRequire } from 'node:module'
import { Emulator, ScheduleBuilder, nativeVersion } from 'qualys-cs'
const addon = createRequire(import.meta.url).resolve('qualys-cs-linux-x64-gnu')
const emu = await Emulator.start() // the seed document's sample schedule
const client = emu.client()
const req = ScheduleBuilder.weekly('Automatic Scan Schedule', 'THURSDAY').at('09:30').repo('azuretest')
  .forceScan(true).registryType('Azure').latestTags(5).build()
const { scheduleUuid } = await client.createSchedule(emu.demoRegistryId, req)
const names = []
for await (const s of client.listSchedulesAll(emu.demoRegistryId)) names.push(s.name)
await emu.stop()
if (names.join() !== 'Automatic Scan Schedule') throw new Error(`listed ${names}`)
console.log(`node ${process.version}: qualys-cs ${nativeVersion()} (addon ${addon.split('node_modules/')[1]}) created ${scheduleUuid}, listed ${JSON.stringify(names)}`)
JS
  local out
  out=$(cd "$app" && node smoke.mjs) || die "node smoke program"
  [[ $out == *"$VERSION"* ]] || die "node smoke: nativeVersion() is not $VERSION: $out"
  echo "$out"
  report "$main" "$out"
  local addon_size
  addon_size=$(size_of "$app/node_modules/$NODE_PLATFORM_NAME/$NODE_ADDON")
  report "$plat" "holds $NODE_ADDON ($(human "$addon_size"), stripped), loaded by the line above"
}

check_kotlin() {
  step "check kotlin: kotlinc -cp jar:jna.jar, java -cp (no -Djna.library.path)"
  [[ -f $JNA_JAR ]] || die "JNA not found at $JNA_JAR (apt-get install -y libjna-java, or set JNA_JAR)"
  local jar app=$CHECK/kotlin
  jar=$(one "$JAR")
  local listing
  listing=$(unzip -l "$jar")
  grep -q ' linux-x86-64/libqualys_cs_uniffi.so$' <<<"$listing" || die "$JAR lacks linux-x86-64/libqualys_cs_uniffi.so"
  kotlin_tools
  mkdir -p "$app"
  cat >"$app/Smoke.kt" <<'KT'
import com.qualys.cs.*
import kotlinx.coroutines.runBlocking

fun main() = runBlocking {
    Emulator.start(EmulatorOptions()).use { emu -> // the seed document's sample schedule
        val client = emu.client()
        val req = ScheduleRequest.weekly("Automatic Scan Schedule", WeekDay.THURSDAY).at("09:30")
            .repo("azuretest").forceScan(true).registryType(RegistryType.AZURE).latestTags(5).build()
        val created = client.createSchedule(emu.demoRegistryId(), req)
        val names = client.listSchedulesAll(emu.demoRegistryId(), ListOptions()).map { it.name }
        check(names == listOf("Automatic Scan Schedule")) { "listed $names" }
        emu.stop()
        println("kotlin ${KotlinVersion.CURRENT} on java ${System.getProperty("java.version")}: created ${created.scheduleUuid}, listed $names")
    }
}
KT
  JAVA_OPTS="${JAVA_OPTS:--Xmx1g}" quiet "$CHECK/kotlinc.log" \
    "$KOTLINC" -nowarn -jvm-target 17 -cp "$jar:$JNA_JAR:$COROUTINES" -d "$app/smoke.jar" "$app/Smoke.kt"
  local out
  out=$(cd "$app" && java -cp "$app/smoke.jar:$jar:$JNA_JAR:$KOTLIN_STDLIB:$COROUTINES" SmokeKt) \
    || die "kotlin smoke program"
  echo "$out"
  report "$jar" "$out"
}

check_swift() {
  step "check swift: zip contents (no Swift toolchain here; C stand-in against the shipped header and library)"
  local zip app=$CHECK/swift name=qualys-cs-swift-$VERSION
  zip=$(one "$SWIFT_ZIP")
  mkdir -p "$app" && (cd "$app" && unzip -q "$zip")
  local f
  for f in Package.swift README.md Sources/QualysCs/QualysCs.swift Sources/QualysCsFFI/QualysCsFFI.h \
           Sources/QualysCsFFI/module.modulemap lib/x86_64-unknown-linux-gnu/libqualys_cs_uniffi.so; do
    [[ -f $app/$name/$f ]] || die "$SWIFT_ZIP lacks $name/$f"
  done
  local want line=""
  want=$(grep -oE 'let bindings_contract_version = [0-9]+' "$app/$name/Sources/QualysCs/QualysCs.swift" | grep -oE '[0-9]+$')
  if command -v gcc >/dev/null; then
    local libdir=$app/$name/lib/x86_64-unknown-linux-gnu
    cat >"$app/c.c" <<'C'
#include <stdio.h>
#include "QualysCsFFI.h"
int main(void) { printf("%u\n", ffi_qualys_cs_uniffi_uniffi_contract_version()); return 0; }
C
    gcc -D_Nullable= -D_Nonnull= -I "$app/$name/Sources/QualysCsFFI" "$app/c.c" -L "$libdir" -lqualys_cs_uniffi \
      -Wl,-rpath,"$libdir" -o "$app/c" || die "the C stand-in does not link against the shipped library"
    [[ $("$app/c") == "$want" ]] || die "contract version of the shipped library differs from QualysCs.swift ($want)"
    line="swift sources + Linux library; not compiled (no Swift toolchain); C stand-in: contract version $want ok"
  else
    line="swift sources + Linux library; not compiled (no Swift toolchain, no gcc for the stand-in)"
  fi
  echo "$line"
  report "$zip" "$line"
}

check_rust() {
  step "check rust: .crate contents"
  local c crate toml
  for c in "${CRATES[@]}"; do
    crate=$(one "$c-$VERSION.crate")
    toml=$(tar -xzOf "$crate" "$c-$VERSION/Cargo.toml") || die "$crate has no Cargo.toml"
    grep -qx "version = \"$VERSION\"" <<<"$toml" || die "$crate: Cargo.toml is not version $VERSION"
    ! grep -qE '^path = "\.\.' <<<"$toml" || die "$crate: Cargo.toml still has a path dependency"
    for f in description keywords categories readme license; do
      grep -qE "^$f = " <<<"$toml" || die "$crate: Cargo.toml has no $f"
    done
    report "$crate" "$(tar -tzf "$crate" | wc -l) files; version, description, keywords, categories, readme, license set"
  done
}

###################################################################################################
if [[ $MODE == build ]]; then
  step "version $VERSION (Cargo.toml [workspace.package]); parts: $PARTS"
  check_sources_version
  build_setup
  # A full build starts from an empty dist/ (no artifact of an older version stays behind).
  [[ $PARTS == "$ALL_PARTS" ]] && rm -rf "${DIST:?}"/*
  want python && build_python
  want node && build_node
  want kotlin && build_kotlin
  want swift && build_swift
  want rust && build_rust
  (cd "$DIST" && sha256sum -- *.whl *.tar.gz *.tgz *.jar *.zip *.crate 2>/dev/null >SHA256SUMS || true)
  step "dist/ (version $VERSION)"
  (cd "$DIST" && ls -l --time-style=+ -- * | awk '{ printf "  %-52s %10s\n", $NF, $5 }')
  echo "package.sh: built in $(( $(date +%s) - START ))s; check with: scripts/package.sh --check"
else
  step "check version $VERSION artifacts in dist/; parts: $PARTS"
  check_setup
  want python && check_python
  want node && check_node
  want kotlin && check_kotlin
  want swift && check_swift
  want rust && check_rust
  step "summary (file, size, smoke output)"
  printf '%s\n' "${REPORT[@]}"
  echo "package.sh --check: ${#REPORT[@]} passed, 0 failed in $(( $(date +%s) - START ))s"
fi
