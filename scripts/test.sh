#!/usr/bin/env bash
# THE test command (CI runs exactly this via .ci/run).
#
#   1. setup (installs missing packages; no-op when all present)
#   2. g++ build, -Werror: unit tests, spec suite, tools, examples, install
#      test, benchmarks (built, not run)
#   3. clang ASan+UBSan build, -Werror, with the libFuzzer targets: the same
#      tests again plus the 10,000-case mutation test under sanitizers, then
#      a few seconds of smoke fuzzing
#
# Ends with a plain "N passed, M failed, K skipped" line summing every stage, and exits
# non-zero if anything failed. Build dirs: build/gcc and build/asan.
set -uo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

jobs=2
fuzz_seconds=${WASMRT_FUZZ_SECONDS:-5}
total_passed=0
total_failed=0
total_skipped=0
timings=()
script_start=$SECONDS

# Go for the bench module lives in /usr/local/go/bin on our machines.
if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
  export PATH="$PATH:/usr/local/go/bin"
fi
# Sanitizer reports must fail loudly and be readable.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

banner() { printf '\n==== %s ====\n' "$*"; }

# Status a stage returns when it failed but already added its failures to
# the totals (ctest counts each failing test).
readonly kAlreadyCounted=99

# Runs "$@" as a named stage; a failing command counts as one failure.
stage() {
  local name=$1
  shift
  banner "$name"
  local start=$SECONDS
  "$@"
  local status=$?
  timings+=("$(printf '%-28s %4ds  %s' "$name" $((SECONDS - start)) "$([[ $status -eq 0 ]] && echo ok || echo FAILED)")")
  if [[ $status -ne 0 ]]; then
    echo "test.sh: stage '$name' FAILED"
    [[ $status -eq $kAlreadyCounted ]] || total_failed=$((total_failed + 1))
  fi
  return $status
}

# ctest, then add its counts to the totals. A ctest run that produced no
# summary (crash, no tests) counts as a failure.
run_ctest() {
  local build_dir=$1
  local log="$build_dir/ctest.log"
  ctest --test-dir "$build_dir" -j"$jobs" --output-on-failure --timeout 900 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  local summary
  summary=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
  if [[ -z "$summary" ]]; then
    echo "test.sh: no ctest summary in $build_dir"
    return 1
  fi
  local failed total
  failed=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$summary")
  total=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$summary")
  if ((total == 0)); then
    echo "test.sh: ctest ran no tests in $build_dir"
    return 1
  fi
  # Tests ctest did not run (GTEST_SKIP, unmet requirements) are neither.
  local skipped
  skipped=$(sed -n '/^The following tests did not run:/,/^$/p' "$log" | grep -cE '^\s+[0-9]+ - ')
  total_passed=$((total_passed + total - failed - skipped))
  total_failed=$((total_failed + failed))
  total_skipped=$((total_skipped + skipped))
  if ((failed > 0)); then return $kAlreadyCounted; fi
  return "$status"
}

configure_and_build() {
  local build_dir=$1
  shift
  cmake -S . -B "$build_dir" -G Ninja "$@" && ninja -C "$build_dir" -j"$jobs"
}

# A few seconds per fuzzer. The binary fuzzer starts from every module of
# the spec suite (dumped by wasm-spectest), so even a short run goes deep.
fuzz_smoke() {
  local build_dir=$1
  local seeds="$build_dir/fuzz/spec-seeds"
  if [[ ! -d "$seeds" ]]; then
    rm -rf "$seeds.tmp"
    "$build_dir/spectest/wasm-spectest" --dump-modules "$seeds.tmp" >/dev/null 2>&1 &&
      mv "$seeds.tmp" "$seeds" || mkdir -p "$seeds"
  fi
  local fuzzer seed_dir
  for fuzzer in decode_validate_fuzzer wat_fuzzer; do
    seed_dir=$seeds
    [[ $fuzzer == wat_fuzzer ]] && seed_dir=examples/demo
    local corpus="$build_dir/fuzz/corpus-$fuzzer"
    local log="$build_dir/fuzz/$fuzzer.log"
    mkdir -p "$corpus"
    echo "-- $fuzzer: ${fuzz_seconds}s (seeds: $seed_dir)"
    if ! "$build_dir/fuzz/$fuzzer" -max_total_time="$fuzz_seconds" -max_len=65536 \
        -artifact_prefix="$build_dir/fuzz/$fuzzer-" "$corpus" "$seed_dir" >"$log" 2>&1; then
      cat "$log"
      return 1
    fi
    grep -E '^#[0-9]+ +DONE|^Done' "$log"
  done
}

stage "setup" bash scripts/setup.sh || {
  echo "0 passed, 1 failed"
  exit 1
}

if stage "gcc: configure+build" configure_and_build build/gcc \
    -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWASMRT_WERROR=ON; then
  stage "gcc: ctest" run_ctest build/gcc
fi

if stage "clang asan: configure+build" configure_and_build build/asan \
    -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWASMRT_WERROR=ON \
    -DWASMRT_SANITIZE=ON -DWASMRT_BUILD_FUZZ=ON -DWASMRT_BUILD_BENCH=OFF; then
  stage "clang asan: ctest" run_ctest build/asan
  stage "clang asan: fuzz smoke" fuzz_smoke build/asan
fi

banner "summary"
for line in "${timings[@]}"; do echo "  $line"; done
echo "  total                        $((SECONDS - script_start))s"
# Stage failures (a build, the fuzz smoke) count as failures too.
echo "${total_passed} passed, ${total_failed} failed, ${total_skipped} skipped"
[[ $total_failed -eq 0 ]]
