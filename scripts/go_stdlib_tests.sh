#!/usr/bin/env bash
# Runs Go standard-library package tests on wasmrt (issue 5, item 8; issue
# 16, item 4). Two modes:
#
# 1. A list of packages (the default list, --quick, or PKG...), each run as
#
#      GOOS=wasip1 GOARCH=wasm go test -exec scripts/go_wasip1_wasm_exec PKG
#
#    printing the time each takes and a summary; exits 1 if any fails.
#
# 2. --all: every package of `go list std`. Each package's test binary is
#    built once (go test -c, into --bin-dir, reused by later runs and by the
#    other runtime) and run the way go test runs it: in the package's source
#    directory, with -test.timeout (and -test.short with --short). --runtime
#    wazero runs the same binaries on wazero's CLI instead, so the two can be
#    compared (scripts/go_stdlib_table.py merges the results into
#    docs/go-stdlib.md). A package that does not build for wasip1 is listed
#    as skip-build with the compiler's first error line; one without test
#    files as no-tests. One row per package is appended to --results
#    (tab-separated: package, status, seconds, detail; status is pass, fail,
#    timeout, skip-build or no-tests; `#` lines describe the run). Exits 1
#    if any package fails or times out.
#
#   scripts/go_stdlib_tests.sh [--quick | --all] [--short] [--engine E]
#                              [--wasm-run PATH] [--timeout T] [--log-dir DIR]
#                              [--runtime wasmrt|wazero] [--wazero PATH]
#                              [--bin-dir DIR] [--results FILE] [PKG...]
#
#   --quick       a fast subset, for CI (PKG... then adds to it)
#   --all         every std package (PKG... instead: only these, same mode)
#   --engine      interp, baseline, jit or auto (default: $WASMRT_ENGINE,
#                 else auto: the tiered JIT where wasm-run has one)
#   --short       -short (skips the slowest cases, as Go's builders do)
#   --wasm-run    the wasm-run binary (default: $WASM_RUN, then
#                 build/release/tools/wasm-run/wasm-run, then PATH)
#   --timeout     the timeout per package (default 30m; 10m with --all)
#   --log-dir     where each package's output goes (default: a temp dir)
#   --runtime     with --all: wasmrt (default) or wazero
#   --wazero      the wazero CLI (default: $WAZERO, then PATH, then
#                 build/peers/go-bin/wazero as bench/peers/install.sh puts it)
#   --bin-dir     with --all: the test binaries (default: LOG-DIR/bin)
#   --results     with --all: the results file rows are appended to
#                 (default: LOG-DIR/results-RUNTIME.tsv)
#   PKG...        these packages instead of the list
#
# The go command is $WASMRT_GO, else go on PATH, else /usr/local/go/bin/go.
set -u

all_packages=(strconv strings bytes sort unicode/utf8 encoding/json encoding/base64 encoding/binary math
  math/big regexp bufio container/heap crypto/sha256 hash/crc32 compress/flate path/filepath
  text/template fmt time os io/fs)
# The quick list takes about a minute on the interpreter (release build,
# 2 shared CPUs): os ~50 s (the WASI file system calls), the others 0.5..4 s
# each. The full list takes ~10 minutes on the JIT (and time's
# TestLongAdjustTimers needs the JIT's speed to pass); --all takes ~35
# minutes on the JIT (docs/go-stdlib.md).
quick_packages=(unicode/utf8 encoding/base64 encoding/binary text/template path/filepath fmt io/fs
  os math syscall context)

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
packages=()
quick=0
short=()
timeout=""
log_dir=""
wasm_run="${WASM_RUN:-}"
all=0
runtime=wasmrt
wazero="${WAZERO:-}"
bin_dir=""
results=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --all) all=1 ;;
    --runtime) runtime="$2"; shift ;;
    --runtime=*) runtime="${1#*=}" ;;
    --wazero) wazero="$2"; shift ;;
    --wazero=*) wazero="${1#*=}" ;;
    --bin-dir) bin_dir="$2"; shift ;;
    --bin-dir=*) bin_dir="${1#*=}" ;;
    --results) results="$2"; shift ;;
    --results=*) results="${1#*=}" ;;
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
case "$runtime" in
  wasmrt|wazero) ;;
  *) echo "go_stdlib_tests.sh: --runtime is wasmrt or wazero, not $runtime" >&2; exit 2 ;;
esac
if [ $all -eq 0 ] && [ "$runtime" != wasmrt ]; then
  echo "go_stdlib_tests.sh: --runtime needs --all" >&2
  exit 2
fi
if [ $quick -eq 1 ] && [ $all -eq 1 ]; then
  echo "go_stdlib_tests.sh: --quick or --all, not both" >&2
  exit 2
fi
if [ $quick -eq 1 ]; then
  packages=("${quick_packages[@]}" "${packages[@]}")
elif [ ${#packages[@]} -eq 0 ] && [ $all -eq 0 ]; then
  packages=("${all_packages[@]}")
fi
if [ -z "$timeout" ]; then
  timeout=30m
  [ $all -eq 1 ] && timeout=10m
fi
export WASMRT_ENGINE="${WASMRT_ENGINE:-auto}"  # read by go_wasip1_wasm_exec

go_bin="${WASMRT_GO:-$(command -v go || true)}"
[ -z "$go_bin" ] && [ -x /usr/local/go/bin/go ] && go_bin=/usr/local/go/bin/go
if [ -z "$go_bin" ]; then
  echo "go_stdlib_tests.sh: Go not found (PATH, /usr/local/go/bin): cannot run the standard-library tests" >&2
  exit 2
fi
if [ "$runtime" = wasmrt ]; then
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
else
  [ -z "$wazero" ] && wazero="$(command -v wazero || true)"
  [ -z "$wazero" ] && [ -x "$repo/build/peers/go-bin/wazero" ] && wazero="$repo/build/peers/go-bin/wazero"
  if [ -z "$wazero" ] || [ ! -x "$wazero" ]; then
    echo "go_stdlib_tests.sh: wazero not found; pass --wazero PATH (bench/peers/install.sh installs it)" >&2
    exit 2
  fi
  wazero="$(cd "$(dirname "$wazero")" && pwd)/$(basename "$wazero")"
fi
[ -z "$log_dir" ] && log_dir="$(mktemp -d "${TMPDIR:-/tmp}/go-stdlib-tests.XXXXXX")"
mkdir -p "$log_dir"

export WASM_RUN="$wasm_run" GOOS=wasip1 GOARCH=wasm GOTOOLCHAIN=local GOPROXY=off GOFLAGS=

# seconds TIMEOUT: a go duration made of h, m and s parts, in whole seconds.
seconds_of() {
  awk -v d="$1" 'BEGIN { t = 0; while (match(d, /^[0-9.]+[hms]/)) {
    n = substr(d, 1, RLENGTH - 1); u = substr(d, RLENGTH, 1); d = substr(d, RLENGTH + 1)
    t += n * (u == "h" ? 3600 : u == "m" ? 60 : 1) } print (d == "" ? int(t) : -1) }'
}
elapsed() { awk -v a="$(date +%s.%N)" -v b="$1" 'BEGIN { printf "%.1f", a - b }'; }
one_line() { tr '\t\n' '  ' | sed 's/  */ /g; s/^ //; s/ $//' | cut -c1-240; }

# --all: build each package's test binary once, run it on $runtime.
run_all() {
  local timeout_seconds
  timeout_seconds="$(seconds_of "$timeout")"
  if [ "$timeout_seconds" -le 0 ]; then
    echo "go_stdlib_tests.sh: bad --timeout $timeout (e.g. 10m, 90s, 1h30m)" >&2
    exit 2
  fi
  [ -z "$bin_dir" ] && bin_dir="$log_dir/bin"
  [ -z "$results" ] && results="$log_dir/results-$runtime.tsv"
  mkdir -p "$bin_dir" "$(dirname "$results")"
  if [ ${#packages[@]} -eq 0 ]; then
    # Every std package as the host sees it: go list std for wasip1 leaves
    # out those wasip1 cannot build, which are listed here as skip-build.
    mapfile -t packages < <(env -u GOOS -u GOARCH "$go_bin" list std)
  fi
  # Test files on the host (none: no-tests, nothing to build) and the
  # directory go test would run each package's binary in.
  local -A dir has_tests
  local package directory tests
  while IFS=$'\t' read -r package directory tests; do
    dir[$package]="$directory"
    has_tests[$package]="$tests"
  done < <(env -u GOOS -u GOARCH "$go_bin" list -e \
             -f '{{.ImportPath}}{{"\t"}}{{.Dir}}{{"\t"}}{{if or .TestGoFiles .XTestGoFiles}}yes{{end}}' "${packages[@]}")

  local version flags=(-test.paniconexit0 "-test.timeout=$timeout")
  [ ${#short[@]} -ne 0 ] && flags=(-test.short "${flags[@]}")
  local runner=()
  if [ "$runtime" = wasmrt ]; then
    version="$("$wasm_run" --version), --engine $WASMRT_ENGINE"
    runner=("$here/go_wasip1_wasm_exec")
  else
    version="wazero $("$wazero" version 2>/dev/null)"
    runner=("$wazero" run -mount /:/)  # + -env PWD/PATH below, as for wasmrt
  fi
  local cpu
  cpu="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)"
  {
    printf '# runtime\t%s\t%s\n' "$runtime" "$version"
    printf '# go\t%s\n' "$("$go_bin" version)"
    printf '# tree\t%s\n' "$(git -C "$repo" describe --always --dirty 2>/dev/null || echo unknown)"
    printf '# flags\t%s\n' "${flags[*]}"
    printf '# host\t%s, %s CPUs, %s\n' "$(uname -srm)" "$(nproc)" "${cpu:-unknown CPU}"
    printf '# started\t%s\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  } >>"$results"
  echo "$("$go_bin" version) on $version; ${#packages[@]} packages; flags ${flags[*]}"
  echo "binaries in $bin_dir, logs in $log_dir, results appended to $results"

  local passed=0 failed=() skipped=0 none=0 run_total=0 wall_start name bin log start seconds status detail fd
  wall_start=$(date +%s.%N)
  for package in "${packages[@]}"; do
    name="$(echo "$package" | tr / _)"
    bin="$bin_dir/$name.test"
    log="$log_dir/$name.$runtime.log"
    if [ -z "${dir[$package]:-}" ]; then
      status=skip-build; seconds=0; detail="not a package (go list found no directory)"
    elif [ -z "${has_tests[$package]}" ]; then
      status=no-tests; seconds=0; detail="no test files"
    else
      # Build once: the other runtime's run (maybe running now) reuses it.
      exec {fd}>"$bin_dir/$name.lock"
      flock "$fd"
      if [ ! -f "$bin_dir/$name.built" ]; then
        if "$go_bin" test -c -o "$bin" "$package" >"$bin_dir/$name.build.log" 2>&1; then
          echo ok >"$bin_dir/$name.built"
        else
          grep -v -e '^#' -e '^FAIL' "$bin_dir/$name.build.log" | head -n 1 | one_line >"$bin_dir/$name.built"
          rm -f "$bin"
        fi
      fi
      flock -u "$fd"
      exec {fd}>&-
      detail="$(cat "$bin_dir/$name.built")"
      if [ "$detail" != ok ]; then
        status=skip-build; seconds=0
      elif [ ! -f "$bin" ]; then
        status=no-tests; seconds=0; detail="no test files for wasip1"
      else
        start=$(date +%s.%N)
        # As go test: in the package directory; a hard stop a little after
        # the test binary's own timeout, in case the runtime itself hangs.
        (
          cd "${dir[$package]}" || exit 125
          env_args=()  # go_wasip1_wasm_exec passes these two to wasm-run
          [ "$runtime" = wazero ] && env_args=(-env "PWD=$PWD" -env "PATH=$PATH")
          exec timeout -k 30 $((timeout_seconds + 120)) "${runner[@]}" "${env_args[@]}" "$bin" "${flags[@]}"
        ) >"$log" 2>&1 </dev/null
        status=$?
        seconds="$(elapsed "$start")"
        if [ $status -eq 0 ]; then
          status=pass; detail=""
        else
          detail="exit $status"
          if [ $status -eq 124 ] || [ $status -eq 137 ] || grep -q '^panic: test timed out' "$log"; then
            status=timeout
          else
            status=fail
          fi
          local tests_failed panic_line
          tests_failed="$(grep -E '^ *--- FAIL: ' "$log" | sed -E 's/^ *--- FAIL: ([^ ]*).*/\1/' | head -n 4 | paste -sd, -)"
          panic_line="$(grep -m 1 -E '^(panic: |fatal error: |wasm-run: |error: |Error: )' "$log" | one_line)"
          [ -n "$tests_failed" ] && detail="$detail; FAIL: $tests_failed"
          [ -n "$panic_line" ] && detail="$detail; $panic_line"
          [ -z "$tests_failed$panic_line" ] && detail="$detail; $(tail -n 1 "$log" | one_line)"
        fi
        run_total="$(awk -v a="$run_total" -v b="$seconds" 'BEGIN { print a + b }')"
      fi
    fi
    printf '%s\t%s\t%s\t%s\n' "$package" "$status" "$seconds" "$(printf '%s' "$detail" | one_line)" >>"$results"
    case "$status" in
      pass) passed=$((passed + 1)); printf 'PASS        %-40s %8.1f s\n' "$package" "$seconds" ;;
      no-tests) none=$((none + 1)) ;;
      skip-build) skipped=$((skipped + 1)); printf 'SKIP-BUILD  %-40s %s\n' "$package" "$detail" ;;
      *) failed+=("$package")
         printf '%-11s %-40s %8.1f s  (%s, log %s)\n' "${status^^}" "$package" "$seconds" "$detail" "$log" ;;
    esac
  done
  local wall
  wall="$(elapsed "$wall_start")"
  printf '# finished\t%s\t%s s wall, %s s running tests\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')" "$wall" "$run_total" >>"$results"
  printf '%s: %d passed, %d failed, %d do not build for wasip1, %d without tests; %.1f s running tests, %.1f s in all\n' \
    "$runtime" "$passed" "${#failed[@]}" "$skipped" "$none" "$run_total" "$wall"
  if [ ${#failed[@]} -ne 0 ]; then
    echo "failed: ${failed[*]}"
    exit 1
  fi
  exit 0
}
[ $all -eq 1 ] && run_all

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
