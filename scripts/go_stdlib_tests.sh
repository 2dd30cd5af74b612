#!/usr/bin/env bash
# Runs Go standard-library package tests on wasmrt (issue 5, item 8):
#
#   GOOS=wasip1 GOARCH=wasm go test -exec scripts/go_wasip1_wasm_exec PKG
#
# for each package, printing the time each takes and a summary; exits 1 if
# any package fails.
#
#   scripts/go_stdlib_tests.sh [--quick] [--short] [--engine E] [--wasm-run PATH]
#                              [--timeout 30m] [--log-dir DIR] [PKG...]
#
#   --quick       a fast subset, for CI (PKG... then adds to it)
#   --engine      interp, jit or auto (default: $WASMRT_ENGINE, else auto:
#                 the JIT where wasm-run has one)
#   --short       go test -short (skips the slowest cases, as Go's builders do)
#   --wasm-run    the wasm-run binary (default: $WASM_RUN, then
#                 build/release/tools/wasm-run/wasm-run, then PATH)
#   --timeout     go test's -timeout per package (default 30m)
#   --log-dir     where each package's output goes (default: a temp dir)
#   PKG...        these packages instead of the list
#
# The go command is $WASMRT_GO, else go on PATH, else /usr/local/go/bin/go.
set -u

all_packages=(strconv strings bytes sort unicode/utf8 encoding/json encoding/base64 encoding/binary math
  math/big regexp bufio container/heap crypto/sha256 hash/crc32 compress/flate path/filepath
  text/template fmt time os io/fs)
# Measured at 1.5..18 s each on the interpreter (release build): ~60 s in all.
# The full list takes ~10 minutes on the JIT (and time's
# TestLongAdjustTimers needs the JIT's speed to pass).
quick_packages=(unicode/utf8 encoding/base64 encoding/binary text/template path/filepath fmt io/fs)

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
packages=()
quick=0
short=()
timeout=30m
log_dir=""
wasm_run="${WASM_RUN:-}"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --engine) export WASMRT_ENGINE="$2"; shift ;;
    --engine=*) export WASMRT_ENGINE="${1#*=}" ;;
    --short) short=(-short) ;;
    --wasm-run) wasm_run="$2"; shift ;;
    --wasm-run=*) wasm_run="${1#*=}" ;;
    --timeout) timeout="$2"; shift ;;
    --timeout=*) timeout="${1#*=}" ;;
    --log-dir) log_dir="$2"; shift ;;
    --log-dir=*) log_dir="${1#*=}" ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    -*) echo "go_stdlib_tests.sh: unknown option $1" >&2; exit 2 ;;
    *) packages+=("$1") ;;
  esac
  shift
done
if [ $quick -eq 1 ]; then
  packages=("${quick_packages[@]}" "${packages[@]}")
elif [ ${#packages[@]} -eq 0 ]; then
  packages=("${all_packages[@]}")
fi
export WASMRT_ENGINE="${WASMRT_ENGINE:-auto}"  # read by go_wasip1_wasm_exec

go_bin="${WASMRT_GO:-$(command -v go || true)}"
[ -z "$go_bin" ] && [ -x /usr/local/go/bin/go ] && go_bin=/usr/local/go/bin/go
if [ -z "$go_bin" ]; then
  echo "go_stdlib_tests.sh: Go not found (PATH, /usr/local/go/bin): cannot run the standard-library tests" >&2
  exit 2
fi
if [ -z "$wasm_run" ]; then
  if [ -x "$repo/build/release/tools/wasm-run/wasm-run" ]; then
    wasm_run="$repo/build/release/tools/wasm-run/wasm-run"
  else
    wasm_run="$(command -v wasm-run || true)"
  fi
fi
if [ -z "$wasm_run" ] || [ ! -x "$wasm_run" ]; then
  echo "go_stdlib_tests.sh: wasm-run not found; pass --wasm-run PATH (build it: ninja wasm-run)" >&2
  exit 2
fi
wasm_run="$(cd "$(dirname "$wasm_run")" && pwd)/$(basename "$wasm_run")"
[ -z "$log_dir" ] && log_dir="$(mktemp -d "${TMPDIR:-/tmp}/go-stdlib-tests.XXXXXX")"
mkdir -p "$log_dir"

export WASM_RUN="$wasm_run" GOOS=wasip1 GOARCH=wasm GOTOOLCHAIN=local GOPROXY=off GOFLAGS=
echo "$("$go_bin" version) on $("$wasm_run" --version), --engine $WASMRT_ENGINE; logs in $log_dir"
passed=0
failed=()
total_start=$(date +%s.%N)
for package in "${packages[@]}"; do
  log="$log_dir/$(echo "$package" | tr / _).log"
  start=$(date +%s.%N)
  # -count=1: run every time (a cached result would not measure wasmrt).
  "$go_bin" test "${short[@]}" -count=1 -timeout "$timeout" -exec "$here/go_wasip1_wasm_exec" "$package" >"$log" 2>&1
  status=$?
  seconds=$(awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN { print a - b }')
  if [ $status -eq 0 ]; then
    passed=$((passed + 1))
    printf 'PASS  %-16s %8.1f s\n' "$package" "$seconds"
  else
    failed+=("$package")
    printf 'FAIL  %-16s %8.1f s  (status %d, log %s)\n' "$package" "$seconds" "$status" "$log"
    tail -n 15 "$log" | sed 's/^/      /'
  fi
done
total=$(awk -v a="$(date +%s.%N)" -v b="$total_start" 'BEGIN { print a - b }')
printf '%d of %d packages passed in %.1f s\n' "$passed" "${#packages[@]}" "$total"
if [ ${#failed[@]} -ne 0 ]; then
  echo "failed: ${failed[*]}"
  exit 1
fi
