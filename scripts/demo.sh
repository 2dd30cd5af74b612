#!/usr/bin/env bash
# The README demo: build wasm-run (Release) and describe the bundled demo
# module. Running programs arrives with WASI support; until then --describe
# shows what the runtime understood about the module.
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
run --describe examples/demo/demo.wat
