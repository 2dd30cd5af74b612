#!/usr/bin/env bash
# The whole side-by-side comparison of issue 6, from a fresh clone:
#
#   bash bench/compare.sh [compare.py options...]
#
#   1. scripts/setup.sh (Debian packages: clang, lld, wasi-libc, ...)
#   2. a Release build of wasm-run and the microbenchmarks in build/release
#   3. bench/peers/install.sh build/peers: the peer runtimes, from package
#      registries only (the first run compiles wasmtime and wasmi from
#      crates.io: tens of minutes on 2 cores; later runs take seconds)
#   4. bench/workloads/build.sh build/workloads: the C and Go workloads
#   5. bench/compare.py: every workload on every runtime, interleaved,
#      checksums verified, a dated table in bench/results/
#   6. the microbenchmarks (bench/micro_bench), appended to the table
#
# Options go to compare.py (e.g. --runs 7, --only fib,sieve, --scale 50).
# The first run of everything takes a long time; see bench/README.md.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  export PATH="$PATH:/usr/local/go/bin"
fi

bash scripts/setup.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DWASMRT_BUILD_BENCH=ON -DWASMRT_BUILD_TESTS=OFF >/dev/null
ninja -C build/release -j2 wasm-run micro_bench
bash bench/peers/install.sh build/peers
bash bench/workloads/build.sh build/workloads
cp build/release/bench/go-hello.wasm build/workloads/go_hello.wasm

python3 bench/compare.py --wasm-run build/release/tools/wasm-run/wasm-run --peers build/peers/peers.tsv \
  --workloads build/workloads "$@" | tee build/compare.log
report="$(sed -n 's/^wrote //p' build/compare.log | tail -n 1)"

# The fixed costs, measured after the comparison so they do not share the
# machine with it.
{
  echo
  echo "## wasmrt microbenchmarks (bench/micro_bench.cc, median of 5)"
  echo
  echo '```'
  build/release/bench/micro_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
    --benchmark_filter='.*' 2>/dev/null | grep -E '^(Benchmark|BM_.*_median)'
  echo '```'
} >>"$report"
echo "microbenchmarks appended to $report"
