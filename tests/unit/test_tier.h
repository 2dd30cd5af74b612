// The execution tier a test binary runs its guests on. ctest runs every
// execution test binary on every engine: as is (the interpreter), with
// WASMRT_TEST_TIER=baseline (every function compiled up front), with
// WASMRT_TEST_TIER=jit (tiered, with thresholds so low that most functions
// switch to machine code after their first call, and loops in the middle
// of a call) and, where the build has it, with WASMRT_TEST_TIER=optimizing
// (tests/CMakeLists.txt), so each test covers every engine without being
// written again.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <span>
#include <string_view>

#include "wasmrt/wasmrt.h"

namespace wasmrt {

inline ExecutionTier test_tier() {
  const char* tier = std::getenv("WASMRT_TEST_TIER");
  const std::string_view name = tier != nullptr ? tier : "";
  if (name == "baseline") return ExecutionTier::Baseline;
  if (name == "jit") return ExecutionTier::Jit;
  if (name == "optimizing") return ExecutionTier::Optimizing;
  return ExecutionTier::Interpreter;
}
// On machine code (some or all of the time).
inline bool testing_jit() { return test_tier() != ExecutionTier::Interpreter; }
inline bool testing_optimizing() { return test_tier() == ExecutionTier::Optimizing; }
// The wasm-run option for the tier under test.
inline const char* test_engine_option() {
  switch (test_tier()) {
    case ExecutionTier::Baseline: return "--engine=baseline";
    case ExecutionTier::Optimizing: return "--engine=optimizing";
    case ExecutionTier::Jit: return "--engine=jit";
    default: return "--engine=interp";
  }
}

// EngineConfig{} on the tier under test.
inline EngineConfig test_config() {
  EngineConfig config;
  config.tier = test_tier();
  config.tier_up_calls = 2;
  config.tier_up_back_edges = 3;
  config.tier_up_synchronous = true;
  return config;
}
inline Engine test_engine() { return Engine(test_config()); }

// `text` (the text or binary format) compiled by `engine`; null, with a
// test failure saying why, when it does not compile.
inline std::shared_ptr<const Module> compile(std::string_view text, const Engine& engine) {
  auto module = engine.compile(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  EXPECT_TRUE(module.ok()) << module.error().to_string();
  return module.ok() ? module.value() : nullptr;
}

}  // namespace wasmrt
