// The execution tier a test binary runs its guests on. ctest runs every
// execution test binary twice: as is (the interpreter), and with
// WASMRT_TEST_TIER=jit (tests/CMakeLists.txt), so each test covers both
// tiers without being written twice.
#pragma once

#include <cstdlib>
#include <string_view>

#include "wasmrt/wasmrt.h"

namespace wasmrt {

inline ExecutionTier test_tier() {
  const char* tier = std::getenv("WASMRT_TEST_TIER");
  return tier != nullptr && std::string_view(tier) == "jit" ? ExecutionTier::Jit : ExecutionTier::Interpreter;
}
inline bool testing_jit() { return test_tier() == ExecutionTier::Jit; }

// EngineConfig{} on the tier under test.
inline EngineConfig test_config() {
  EngineConfig config;
  config.tier = test_tier();
  return config;
}
inline Engine test_engine() { return Engine(test_config()); }

}  // namespace wasmrt
