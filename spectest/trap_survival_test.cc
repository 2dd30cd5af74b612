// Guest traps never take down the host: every trapping case of the core
// spec suite (assert_trap, assert_exhaustion, and modules whose start or
// segment initialisation traps) runs in this one process, on one engine,
// and afterwards ordinary calls still succeed, both through the harness
// engine and through the public embedding API.
#include <cstdlib>
#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "spectest/harness.h"
#include "wasmrt/wasmrt.h"

namespace wasmrt::spectest {
namespace {

std::string suite_dir() {
  if (const char* dir = std::getenv("WASMRT_SPECTEST_DIR"); dir && *dir) return dir;
  return std::string(WASMRT_SOURCE_DIR) + "/../shared/spectest";
}

TEST(TrapSurvival, EveryTrappingSpecCaseThenANormalCall) {
  auto files = collect_wast_files({suite_dir()});
  ASSERT_TRUE(files.ok()) << files.error().to_string();
  ASSERT_GE(files->size(), 147u);

  std::string error;
  std::unique_ptr<Engine> engine = make_engine("interp", error);
  ASSERT_NE(engine, nullptr) << error;

  Counts traps, exhaustion, all;
  for (const std::string& path : *files) {
    FileReport report = run_script_file(path, engine.get());
    traps += report.kinds[static_cast<size_t>(CommandKind::AssertTrap)];
    exhaustion += report.kinds[static_cast<size_t>(CommandKind::AssertExhaustion)];
    all += report.total();
  }
  // Every trap really trapped with the expected message, none was skipped.
  EXPECT_GE(traps.passed, 2400u);
  EXPECT_EQ(traps.failed, 0u);
  EXPECT_EQ(traps.skipped, 0u);
  EXPECT_GE(exhaustion.passed, 15u);
  EXPECT_EQ(exhaustion.failed, 0u);
  EXPECT_EQ(all.failed, 0u);

  // The same engine still runs ordinary code.
  FileReport after = run_script("after.wast", R"wast(
(module (func (export "mul") (param i32 i32) (result i32) (i32.mul (local.get 0) (local.get 1))))
(assert_return (invoke "mul" (i32.const 6) (i32.const 7)) (i32.const 42))
)wast",
                                engine.get());
  EXPECT_TRUE(after.failures.empty());
  EXPECT_EQ(after.total().passed, 2u);

  // And so does a fresh embedding through the public API.
  const char* wat = R"((module (func (export "add") (param i32 i32) (result i32)
                          (i32.add (local.get 0) (local.get 1)))))";
  auto module = Module::compile(std::span(reinterpret_cast<const uint8_t*>(wat), std::strlen(wat)));
  ASSERT_TRUE(module.ok()) << module.error().to_string();
  Store store;
  Linker linker;
  auto instance = linker.instantiate(store, module.value());
  ASSERT_TRUE(instance.ok()) << instance.error().to_string();
  auto result = instance->call("add", {Value::i32(40), Value::i32(2)});
  ASSERT_TRUE(result.ok()) << result.error().to_string();
  ASSERT_EQ(result->size(), 1u);
  EXPECT_EQ((*result)[0].i32(), 42);
}

}  // namespace
}  // namespace wasmrt::spectest
