// The comparison engine of wasm-difftest, shared by the command-line driver
// (main.cc) and the libFuzzer target (fuzz/difftest_fuzzer.cc). Public API
// only. docs/difftest.md describes what is compared and why.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "wasmrt/wasmrt.h"

namespace wasm_difftest {

struct Options {
  uint64_t fuel = 1'000'000;      // budget given before every metered step
  uint64_t timeout_ms = 2000;     // per step; a timeout skips the rest of the module
  uint64_t max_pages = 64;        // 4 MiB per memory: generated modules stay small
  uint64_t seed = 0x5eed;         // argument sets derive from it and the export name
  unsigned arg_sets = 3;          // zeros + (arg_sets - 1) seeded sets per export
  bool verbose = false;
  bool dump = false;  // print every engine's outcome of every step
};

// One engine configuration under test.
struct EngineSpec {
  const char* name;
  wasmrt::ExecutionTier tier;
  bool metered;
};

struct Totals {
  uint64_t modules = 0, modules_imports = 0, modules_invalid = 0, modules_uninstantiable = 0;
  uint64_t calls = 0, calls_compared = 0, calls_skipped = 0;
  uint64_t divergences = 0, divergent_modules = 0;
};

// The engines this build has: the interpreter and, where
// Engine::jit_available(), the JIT, and where Engine::optimizing_available(),
// the optimizing tier; metered and (unless `metered_only`)
// unmetered. The first engine of each metering group is its reference.
std::vector<EngineSpec> available_engines(bool metered_only = false);

// Runs one module (binary or text) on `engines`, compares them, prints each
// divergence under `name` and adds to `totals`. Returns the number of
// divergences found in this module.
uint64_t run_module(std::string_view name, std::span<const uint8_t> bytes, const Options& opt,
                    const std::vector<EngineSpec>& engines, Totals& totals);

}  // namespace wasm_difftest
