#!/usr/bin/env bash
# The README demo: build wasm-run (Release), call exports of the bundled demo
# module, run a WASI hello world, stop a runaway guest with a timeout, and
# describe the module.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

bash scripts/setup.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DWASMRT_BUILD_TESTS=OFF -DWASMRT_BUILD_BENCH=OFF >/dev/null
ninja -C build/release -j2 wasm-run

run() {
  echo
  echo "\$ wasm-run $*"
  build/release/tools/wasm-run/wasm-run "$@"
}
run --invoke fib examples/demo/demo.wat 30
run --invoke factorial examples/demo/demo.wat 20
run --invoke checksum examples/demo/demo.wat
run --invoke greet examples/demo/hello.wat
echo
echo "\$ wasm-run --timeout 100ms tests/tools/infinite_loop.wat   # exits 124"
status=0
build/release/tools/wasm-run/wasm-run --timeout 100ms tests/tools/infinite_loop.wat || status=$?
[[ $status -eq 124 ]] || { echo "demo: expected status 124, got $status"; exit 1; }
run --describe examples/demo/demo.wat
