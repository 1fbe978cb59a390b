#!/usr/bin/env bash
# The one test command of the Kotlin/Swift (uniffi) binding.
#
#   bindings/uniffi/test.sh            build, drift-check, Kotlin tests, Swift (or its stand-in)
#   bindings/uniffi/test.sh --update   same, but rewrite the committed generated sources first
#   KOTLIN_TEST_FILTER=client bindings/uniffi/test.sh   run only tests whose name contains it
#
# 1. builds the cdylib and the workspace uniffi-bindgen (debug, one cargo call), runs the
#    binding's Rust tests and those of the core's uniffi custom types;
# 2. regenerates Kotlin and Swift from the built library into a temp dir and fails when they
#    differ from the committed sources (kotlin/src/main/kotlin, swift/Sources);
# 3. installs the pinned Kotlin compiler (`npm ci` in kotlin/), compiles the generated Kotlin
#    and the tests against JNA and kotlinx-coroutines, and runs them (`N passed, M failed`);
# 4. runs `swift test` where a Swift toolchain exists; elsewhere says so in one line and checks
#    the generated C header against the library with a small C program instead.
#
# Needs: cargo, java (17+), npm, gcc, JNA (`apt-get install -y libjna-java`).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
update=0
[[ "${1:-}" == "--update" ]] && update=1

say() { printf '== %s\n' "$*"; }
die() { printf 'uniffi test: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

command -v cargo >/dev/null || die "cargo not found"
command -v java >/dev/null || die "java not found: the Kotlin tests need a JDK 17+ (apt-get install -y openjdk-17-jdk-headless)"
command -v npm >/dev/null || die "npm not found: the pinned Kotlin compiler comes from the npm registry"
JNA_JAR=${JNA_JAR:-/usr/share/java/jna.jar}
[[ -f "$JNA_JAR" ]] || die "JNA not found at $JNA_JAR: apt-get update && apt-get install -y libjna-java (or set JNA_JAR)"

# Same tree as the other bindings' builds: target/<host triple>/debug.
export CARGO_BUILD_TARGET=$(rustc -vV | sed -n 's/^host: //p')
target_dir=${CARGO_TARGET_DIR:-$root/target}
lib_dir="$target_dir/$CARGO_BUILD_TARGET/debug"
lib="$lib_dir/libqualys_cs_uniffi.so"
bindgen="$lib_dir/uniffi-bindgen"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---- 1. build ------------------------------------------------------------------------------
t=$(now)
say "cargo build -p qualys-cs-uniffi -p qualys-cs-uniffi-bindgen (debug, $CARGO_BUILD_TARGET)"
(cd "$root" && cargo build --quiet -p qualys-cs-uniffi -p qualys-cs-uniffi-bindgen)
[[ -f "$lib" && -x "$bindgen" ]] || die "build did not produce $lib and $bindgen"
say "built in $(since "$t")"

# ---- 1b. the Rust side of the boundary: the binding's tests, the core's custom types ---------
t=$(now)
(cd "$root" && cargo test --quiet -p qualys-cs-uniffi && cargo test --quiet -p qualys-cs-core --features uniffi --lib ffi::)
say "Rust tests of the binding and of qualys_cs_core::ffi passed ($(since "$t"))"

# ---- 2. generate + drift check -------------------------------------------------------------
t=$(now)
gen="$tmp/gen"
# One file per crate: the models are the core's and the client's own (uniffi-bindgen.toml).
(cd "$here" && "$bindgen" generate --library "$lib" --language kotlin --language swift \
    --config "$here/uniffi-bindgen.toml" --no-format --out-dir "$gen" >/dev/null)
# The one edit of the generated sources: an error's text is the error's sentence (uniffi writes
# a dump of every field there: Kotlin `code=…, errorMessage=…, status=…`, Swift
# `String(reflecting: self)`).
kt_main="$gen/com/qualys/cs/qualys_cs_uniffi.kt"
[[ -f "$kt_main" ]] || die "uniffi-bindgen did not write com/qualys/cs/qualys_cs_uniffi.kt"
sed -i -E 's/^( +get\(\) = )"code=\$\{ `code` \}, errorMessage=\$\{ `errorMessage` \}, .*"$/\1errorMessage/' "$kt_main"
patched=$(grep -cE '^ +get\(\) = errorMessage$' "$kt_main" || true)
[[ $patched == 14 ]] || die "expected 14 exception messages to patch in the generated Kotlin, found $patched"
# The same for Swift: QualysCsError's `errorDescription` is the sentence, not String(reflecting:).
sw_main="$gen/QualysCs.swift"
sed -i -E 's/^( +)String\(reflecting: self\)$/\1self.message()/' "$sw_main"
[[ $(grep -cE '^ +self\.message\(\)$' "$sw_main") == 1 ]] || die "expected one errorDescription to patch in the generated Swift"
# generated file -> committed file
pairs=(
    "com/qualys/cs/qualys_cs_uniffi.kt:kotlin/src/main/kotlin/com/qualys/cs/qualys_cs_uniffi.kt"
    "com/qualys/cs/core/qualys_cs_core.kt:kotlin/src/main/kotlin/com/qualys/cs/core/qualys_cs_core.kt"
    "com/qualys/cs/client/qualys_cs_client.kt:kotlin/src/main/kotlin/com/qualys/cs/client/qualys_cs_client.kt"
    "QualysCs.swift:swift/Sources/QualysCs/QualysCs.swift"
    "QualysCsFFI.h:swift/Sources/QualysCsFFI/QualysCsFFI.h"
    "QualysCsCore.swift:swift/Sources/QualysCs/QualysCsCore.swift"
    "QualysCsCoreFFI.h:swift/Sources/QualysCsCoreFFI/QualysCsCoreFFI.h"
    "QualysCsClient.swift:swift/Sources/QualysCs/QualysCsClient.swift"
    "QualysCsClientFFI.h:swift/Sources/QualysCsClientFFI/QualysCsClientFFI.h"
)
# (swift/Sources/*FFI/module.modulemap are written by hand: QualysCsFFI's adds the link line.)
# A generated file without its doc comments (Kotlin/Swift `/** … */` blocks and `///` lines).
nodoc() { sed -E '/^ *\/\*\*.*\*\//d; /^ *\/\*\*/,/\*\//d; /^ *\/\/\//d' "$1"; }
drift=0
for p in "${pairs[@]}"; do
    src="$gen/${p%%:*}" dst="$here/${p#*:}"
    [[ -f "$src" ]] || die "uniffi-bindgen did not write ${p%%:*}"
    if [[ $update == 1 ]]; then
        mkdir -p "$(dirname "$dst")"
        cp "$src" "$dst"
    elif ! diff -q "$src" "$dst" >/dev/null 2>&1; then
        # The models' doc comments come from the core's and the client's structs: a comment
        # edited there is a note, anything else (a name, a type, a checksum) is drift.
        if diff -q <(nodoc "$src") <(nodoc "$dst") >/dev/null 2>&1; then
            echo "note: only doc comments of ${p#*:} differ from a fresh generation (test.sh --update refreshes them)"
        else
            echo "drift: ${p#*:} differs from a fresh generation:"
            diff -u "$dst" "$src" | head -40 || true
            drift=1
        fi
    fi
done
[[ $drift == 0 ]] || die "generated sources are stale: run bindings/uniffi/test.sh --update and commit them"
say "generated Kotlin and Swift match the committed sources ($(since "$t"))"

# ---- 3. Kotlin -----------------------------------------------------------------------------
t=$(now)
kt="$here/kotlin"
(cd "$kt" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
kotlin_home="$kt/node_modules/kotlin-compiler"
kotlinc="$kotlin_home/bin/kotlinc"
[[ -x "$kotlinc" ]] || die "kotlinc missing after npm ci ($kotlinc)"
stdlib="$kotlin_home/lib/kotlin-stdlib.jar"
coroutines="$kotlin_home/lib/kotlinx-coroutines-core-jvm.jar"
[[ -f "$stdlib" && -f "$coroutines" ]] || die "kotlin-stdlib / kotlinx-coroutines jar missing in $kotlin_home/lib"
cp="$JNA_JAR:$coroutines"

mapfile -t kt_sources < <(find "$kt/src" -name '*.kt' | sort)
build="$kt/build"
jar="$build/tests.jar"
# Compile only when a source or the compiler changed (the generated file is ~5k lines).
stamp=$(cat "${kt_sources[@]}" "$kotlin_home/build.txt" | sha256sum | cut -c1-64)
if [[ -f "$jar" && "$(cat "$build/stamp" 2>/dev/null)" == "$stamp" ]]; then
    say "Kotlin: sources unchanged, reusing $jar"
else
    say "kotlinc $(cat "$kotlin_home/build.txt") (${#kt_sources[@]} files)"
    rm -rf "$build" && mkdir -p "$build"
    JAVA_OPTS="${JAVA_OPTS:--Xmx1g}" "$kotlinc" -nowarn -jvm-target 17 -cp "$cp" -d "$jar" "${kt_sources[@]}"
    echo "$stamp" >"$build/stamp"
fi
say "Kotlin ready ($(since "$t"))"

t=$(now)
say "Kotlin tests (JVM, library from $lib_dir)"
set +e
java -Djna.library.path="$lib_dir" -cp "$jar:$cp:$stdlib" com.qualys.cs.test.RunnerKt \
    "$root/tests/vectors" ${KOTLIN_TEST_FILTER:+"$KOTLIN_TEST_FILTER"}
kotlin_rc=$?
set -e
say "Kotlin tests took $(since "$t")"
[[ $kotlin_rc == 0 ]] || die "Kotlin tests failed (exit $kotlin_rc)"

# ---- 4. Swift ------------------------------------------------------------------------------
if command -v swift >/dev/null 2>&1; then
    say "swift test"
    (cd "$here/swift" && QUALYS_CS_LIB_DIR="$lib_dir" swift test)
else
    echo "swift: not run (no Swift toolchain on this machine); generated sources checked for drift"
    command -v gcc >/dev/null || die "gcc not found: the C stand-in of the Swift check needs it"
    # The C stand-in: every checksum each Swift file expects must match the library, each FFI
    # contract version too (one per crate), and one exported function is called through a header.
    {
        echo '#include <stdio.h>'
        echo '#include <string.h>'
        echo '#include "QualysCsFFI.h"'
        echo '#include "QualysCsCoreFFI.h"'
        echo '#include "QualysCsClientFFI.h"'
        echo 'static int bad = 0;'
        echo 'int main(void) {'
        echo '  int checked = 0;'
        for crate in uniffi:QualysCs core:QualysCsCore client:QualysCsClient; do
            ns=qualys_cs_${crate%%:*} swift_src="$here/swift/Sources/QualysCs/${crate#*:}.swift"
            grep -oE "uniffi_${ns}_checksum_[a-z0-9_]+\(\) != [0-9]+" "$swift_src" \
                | sed -E 's/^([a-z0-9_]+)\(\) != ([0-9]+)$/  if (\1() != \2) { printf("checksum mismatch: \1\\n"); bad = 1; } checked++;/' || true
            grep -oE 'let bindings_contract_version = [0-9]+' "$swift_src" \
                | sed -E "s/.* ([0-9]+)\$/  if (ffi_${ns}_uniffi_contract_version() != \1) { printf(\"contract version mismatch: ${ns}\\\\n\"); bad = 1; }/"
        done
        cat <<'EOF'
  RustCallStatus status = {0};
  RustBuffer codes = uniffi_qualys_cs_uniffi_fn_func_error_codes(&status);
  if (status.code != 0) { printf("error_codes() failed\n"); return 1; }
  /* a sequence of strings: i32 count, then (i32 length, UTF-8 bytes) each, big endian */
  const uint8_t *p = codes.data;
  uint32_t n = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
  uint32_t len = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
  int first_ok = len == 10 && memcmp(p + 8, "validation", 10) == 0;
  ffi_qualys_cs_uniffi_rustbuffer_free(codes, &status);
  if (n != 14 || !first_ok) { printf("error_codes() returned %u codes, first ok=%d\n", n, first_ok); bad = 1; }
  if (checked < 10) { printf("only %d checksums found in the Swift file\n", checked); bad = 1; }
  printf("swift stand-in (C): %d checksums, contract version and error_codes() %s\n", checked, bad ? "FAILED" : "ok");
  return bad;
}
EOF
    } >"$tmp/standin.c"
    gcc -std=c11 -D_Nullable= -D_Nonnull= -I "$here/swift/Sources/QualysCsFFI" \
        -I "$here/swift/Sources/QualysCsCoreFFI" -I "$here/swift/Sources/QualysCsClientFFI" "$tmp/standin.c" \
        -L "$lib_dir" -lqualys_cs_uniffi -Wl,-rpath,"$lib_dir" -o "$tmp/standin"
    "$tmp/standin" || die "the C stand-in of the Swift check failed"
fi
say "uniffi binding: all checks passed"
