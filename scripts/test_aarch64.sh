#!/usr/bin/env bash
# The arm64 test run (docs/aarch64.md): installs the cross packages
# (scripts/setup_aarch64.sh), cross-builds everything for aarch64 in
# build/aarch64 with cmake/toolchains/aarch64-linux-gnu.cmake, and runs ctest
# there, every test under qemu-aarch64: all of the arm64 ctest. CI
# (scripts/test.sh) runs the same build and a subset of these tests.
#
#   bash scripts/test_aarch64.sh [CTEST_ARGS...]   e.g. -R spectest
#
# WASMRT_JOBS (default 2) bounds the build and ctest parallelism. Ends with
# "N passed, M failed, K skipped" and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

jobs=${WASMRT_JOBS:-2}
# qemu-user 7.2 keeps about 24 bytes of host memory per 4 KiB page of every
# guest mapping, never frees it on munmap, and places each new mapping at a
# fresh address: with an 8 GiB reservation per wasm memory, the spec suite
# alone grows qemu past 20 GB and the OOM killer ends it. A bounded guest
# address space makes qemu reuse the addresses (and the bookkeeping) of
# unmapped reservations; every qemu-aarch64 started below inherits this.
export QEMU_RESERVED_VA=${QEMU_RESERVED_VA:-512G}
build_dir=build/aarch64
start=$SECONDS

bash scripts/setup_aarch64.sh || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }

# A build directory configured before the toolchain file linked arm64
# executables statically holds dynamic ones, which qemu (now run without -L)
# cannot load: configure it afresh.
if [[ -f $build_dir/CMakeCache.txt ]] && ! grep -q '^CMAKE_EXE_LINKER_FLAGS:STRING=.*-static' "$build_dir/CMakeCache.txt"; then
  echo "test_aarch64.sh: $build_dir predates static arm64 executables: configuring afresh"
  rm -f "$build_dir/CMakeCache.txt"
fi

launcher=()
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
# -Werror as CI builds, less one false positive: the cross g++ 12 at -O3
# reports -Wrestrict inside libstdc++ on `"x" + std::string(...)` (GCC bug
# 105651); it stays a warning.
if ! { cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DWASMRT_WERROR=ON \
         -DCMAKE_CXX_FLAGS=-Wno-error=restrict -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake "${launcher[@]}" &&
       ninja -C "$build_dir" -j"$jobs"; }; then
  echo "test_aarch64.sh: the arm64 build failed"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi
build_seconds=$((SECONDS - start))

log="$build_dir/ctest.log"
ctest --test-dir "$build_dir" -j"$jobs" --output-on-failure --timeout 1800 "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
summary=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
if [[ -z "$summary" ]]; then
  echo "test_aarch64.sh: no ctest summary in $build_dir"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi
failed=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$summary")
total=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$summary")
# "(Skipped)" tests are inside ctest's total (counted there as passed),
# "(Disabled)" ones outside it; both are reported as skipped.
not_run=$(sed -n '/^The following tests did not run:/,/^$/p' "$log")
skipped=$(grep -cE '^\s+[0-9]+ - .*\(Skipped\)$' <<<"$not_run")
disabled=$(grep -cE '^\s+[0-9]+ - .*\(Disabled\)$' <<<"$not_run")
passed=$((total - failed - skipped))
skipped=$((skipped + disabled))
echo "test_aarch64.sh: setup and build ${build_seconds}s, ctest $((SECONDS - start - build_seconds))s (qemu-aarch64)"
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if ((total == 0 || failed > 0)); then exit 1; fi
exit "$status"
