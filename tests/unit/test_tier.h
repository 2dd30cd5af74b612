// The execution tier a test binary runs its guests on. ctest runs every
// execution test binary on every tier: as is (the interpreter), with
// WASMRT_TEST_TIER=jit and, where the build has it, with
// WASMRT_TEST_TIER=optimizing (tests/CMakeLists.txt), so each test covers
// all tiers without being written again.
#pragma once

#include <cstdlib>
#include <string_view>

#include "wasmrt/wasmrt.h"

namespace wasmrt {

inline ExecutionTier test_tier() {
  const char* tier = std::getenv("WASMRT_TEST_TIER");
  if (tier == nullptr) return ExecutionTier::Interpreter;
  if (std::string_view(tier) == "jit") return ExecutionTier::Jit;
  if (std::string_view(tier) == "optimizing") return ExecutionTier::Optimizing;
  return ExecutionTier::Interpreter;
}
// Machine code: the baseline JIT or the optimizing tier.
inline bool testing_jit() { return test_tier() != ExecutionTier::Interpreter; }
inline bool testing_optimizing() { return test_tier() == ExecutionTier::Optimizing; }

// EngineConfig{} on the tier under test.
inline EngineConfig test_config() {
  EngineConfig config;
  config.tier = test_tier();
  return config;
}
inline Engine test_engine() { return Engine(test_config()); }

}  // namespace wasmrt
