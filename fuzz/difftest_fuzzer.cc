// libFuzzer entry: differential testing of the execution tiers
// (docs/difftest.md) on mutated modules, coverage-guided where
// scripts/difftest.sh relies on wasm-smith's random programs. Each input
// that compiles and has no imports runs on every metered engine the build
// has; any divergence aborts (the driver has printed both outcomes).
//
// Only metered engines run: a fuzzed infinite loop then ends quickly and
// deterministically by running out of fuel, where unmetered engines would
// wait for the wall-time timeout on every such input. Seed with valid
// modules (e.g. the kept modules of `scripts/difftest.sh --keep`):
//   build/asan/fuzz/difftest_fuzzer -max_total_time=600 build/dt/modules
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "tools/wasm-difftest/difftest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<wasm_difftest::EngineSpec> engines = wasm_difftest::available_engines(true);
  wasm_difftest::Options opt;
  opt.fuel = 20'000;  // small: each input runs every export several times
  opt.timeout_ms = 5'000;
  opt.max_pages = 16;
  wasm_difftest::Totals totals;
  if (wasm_difftest::run_module("fuzz-input", std::span<const uint8_t>(data, size), opt, engines, totals) != 0)
    std::abort();
  return 0;
}
