// Lazy translation (EngineConfig::lazy_compilation, interp::LazyTranslator):
// a function is translated on its first call, once however many threads
// call it at the same time; it behaves exactly as when every function is
// translated up front; and a module with an invalid function is still
// refused when it is compiled. interp::lazy_translations() counts the
// translations, which is how these tests see when and how often one
// happened. The LazyTranslationConcurrency tests also run under
// ThreadSanitizer (scripts/test.sh, build/tsan), where a race on the
// publication of a translation is a failure.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "runtime/interp/interp.h"
#include "runtime/store/tier_up.h"
#include "tests/unit/test_tier.h"
#include "wasmrt/wasmrt.h"

namespace wasmrt {
namespace {

EngineConfig config_for(ExecutionTier tier, bool lazy) {
  EngineConfig config;
  config.tier = tier;
  config.lazy_compilation = lazy;
  // Tier-up early and at the same point of every run.
  config.tier_up_calls = 3;
  config.tier_up_back_edges = 2000;
  config.tier_up_synchronous = true;
  return config;
}

// $a and $b are called from the exports; $c only by $b; $unused never.
const char* const kSmall = R"((module
  (func $c (result i32) (i32.const 3))
  (func $b (export "b") (result i32) (i32.add (call $c) (i32.const 1)))
  (func $a (export "a") (result i32) (i32.const 1))
  (func $unused (export "unused") (result i32) (i32.const 9))
))";

TEST(LazyTranslation, TranslatesAFunctionOnItsFirstCallOnly) {
  Engine engine(config_for(ExecutionTier::Interpreter, /*lazy=*/true));
  const uint64_t before_compile = interp::lazy_translations();
  std::shared_ptr<const Module> module = compile(kSmall, engine);
  ASSERT_NE(module, nullptr);
  Store store(engine);
  auto instance = Linker().instantiate(store, module);
  ASSERT_TRUE(instance.ok());
  EXPECT_EQ(interp::lazy_translations(), before_compile) << "nothing is translated before a call";

  auto b = instance.value().call("b", {});
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b.value()[0].i32(), 4);
  EXPECT_EQ(interp::lazy_translations(), before_compile + 2) << "$b and the $c it calls";
  ASSERT_TRUE(instance.value().call("b", {}).ok());
  EXPECT_EQ(interp::lazy_translations(), before_compile + 2) << "translated once, not per call";

  // A second instance, in another store, shares the module's translations.
  Store other(engine);
  auto second = Linker().instantiate(other, module);
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(second.value().call("b", {}).ok());
  ASSERT_TRUE(second.value().call("a", {}).ok());
  EXPECT_EQ(interp::lazy_translations(), before_compile + 3) << "only $a is new";
}

TEST(LazyTranslation, EagerCompilationTranslatesNothingLater) {
  Engine engine(config_for(ExecutionTier::Interpreter, /*lazy=*/false));
  const uint64_t before = interp::lazy_translations();
  std::shared_ptr<const Module> module = compile(kSmall, engine);
  ASSERT_NE(module, nullptr);
  Store store(engine);
  auto instance = Linker().instantiate(store, module);
  ASSERT_TRUE(instance.ok());
  for (const char* name : {"a", "b", "unused"}) ASSERT_TRUE(instance.value().call(name, {}).ok());
  EXPECT_EQ(interp::lazy_translations(), before);
}

// Validation stays complete and up front: the invalid function is never
// called, and the module is refused anyway, with the validator's error.
TEST(LazyTranslation, AModuleWithOneInvalidFunctionIsRefusedWhenCompiled) {
  const std::string wat = R"((module
    (func (export "ok") (result i32) (i32.const 1))
    (func $never_called (result i32) (i64.const 0))
  ))";
  for (ExecutionTier tier : {ExecutionTier::Interpreter, ExecutionTier::Auto}) {
    for (bool lazy : {true, false}) {
      Engine engine(config_for(tier, lazy));
      auto module = engine.compile(std::span(reinterpret_cast<const uint8_t*>(wat.data()), wat.size()));
      ASSERT_FALSE(module.ok()) << "lazy " << lazy;
      EXPECT_EQ(module.error().phase, Phase::Invalid);
      EXPECT_EQ(module.error().message.rfind("type mismatch", 0), 0u) << module.error().message;
    }
  }
}

// Tier-up compiles a hot function whose callee has never run: machine code
// for the caller needs the callee's frame size, so tier-up translates the
// callee first (and only what that function calls directly).
TEST(LazyTranslation, TierUpTranslatesTheDirectCalleesOfWhatItCompiles) {
  if (!Engine::jit_available()) GTEST_SKIP() << "no JIT in this build";
  const std::string wat = R"((module
    (func $cold (result i32) (i32.const 40))
    (func $also_cold (result i32) (i32.const 50))
    (func (export "hot") (param i32) (result i32)
      (if (result i32) (local.get 0)
        (then (i32.add (call $cold) (i32.const 2)))
        (else (i32.const 7))))
    (func (export "other") (result i32) (call $also_cold))
  ))";
  Engine engine(config_for(ExecutionTier::Jit, /*lazy=*/true));
  std::shared_ptr<const Module> module = compile(wat, engine);
  ASSERT_NE(module, nullptr);
  Store store(engine);
  auto instance = Linker().instantiate(store, module);
  ASSERT_TRUE(instance.ok());
  const uint64_t before = interp::lazy_translations();
  for (int i = 0; i < 10; ++i) {
    auto r = instance.value().call("hot", {Value::i32(0)});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value()[0].i32(), 7);
  }
  EXPECT_EQ(interp::lazy_translations(), before + 2) << "hot, then $cold when hot was compiled";
  auto r = instance.value().call("hot", {Value::i32(1)});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value()[0].i32(), 42);
  EXPECT_EQ(interp::lazy_translations(), before + 2);
}

// What one run of kProgram observed: every result, trap and fuel figure.
struct Observed {
  std::vector<std::string> lines;
};

// Calls into code that computes, recurses, traps with a backtrace, exhausts
// the stack by recursion and by one frame too large for it, on its first
// call: lazily, each of these is the first call of a function.
const char* const kProgramText = R"((module
  (memory 1)
  (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func $store_and_sum (export "sum") (param $n i32) (result i64) (local $i i32) (local $s i64)
    (loop $l
      (i64.store (i32.shl (i32.and (local.get $i) (i32.const 255)) (i32.const 3)) (i64.extend_i32_u (local.get $i)))
      (local.set $s (i64.add (local.get $s) (i64.load (i32.shl (i32.and (local.get $i) (i32.const 255)) (i32.const 3)))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $s))
  (func $inner (param i32) (result i32)
    (if (i32.eq (local.get 0) (i32.const 3)) (then unreachable))
    (i32.div_u (i32.const 100) (local.get 0)))
  (func $outer (export "trap") (param i32) (result i32) (call $inner (local.get 0)))
  (func $deep (export "deep") (param i32) (result i32)
    (i32.add (call $deep (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
  (func $huge (param i32) (result i32) HUGE_LOCALS (local.get 0))
  (func (export "huge") (param i32) (result i32) (call $huge (local.get 0)))
  (table funcref (elem $fib $inner))
  (type $i2i (func (param i32) (result i32)))
  (func (export "indirect") (param i32 i32) (result i32)
    (call_indirect (type $i2i) (local.get 0) (local.get 1)))
))";

// kProgramText with $huge's 3,000 locals: 24,000 bytes of frame, more than
// the smallest stack a store has (8 KiB), which run_program asks for.
const std::string kProgram = [] {
  std::string text = kProgramText;
  std::string locals = "(local";
  for (int i = 0; i < 3000; ++i) locals += " i64";
  locals += ")";
  text.replace(text.find("HUGE_LOCALS"), std::string("HUGE_LOCALS").size(), locals);
  return text;
}();

Observed run_program(ExecutionTier tier, bool lazy, bool fuel) {
  EngineConfig config = config_for(tier, lazy);
  config.consume_fuel = fuel;
  // Room for a few hundred of $deep's frames, and never for $huge's.
  config.max_wasm_stack_bytes = 4096;
  Engine engine(config);
  Observed seen;
  std::shared_ptr<const Module> module = compile(kProgram, engine);
  if (module == nullptr) return seen;
  Store store(engine);
  if (fuel && !store.set_fuel(UINT64_MAX / 2).ok()) seen.lines.push_back("set_fuel failed");
  auto instance = Linker().instantiate(store, module);
  if (!instance.ok()) {
    seen.lines.push_back("instantiate: " + instance.error().to_string());
    return seen;
  }
  struct Call {
    const char* name;
    std::vector<Value> args;
  };
  const std::vector<Call> calls = {
      {"fib", {Value::i32(12)}},     {"sum", {Value::i32(1000)}},       {"trap", {Value::i32(5)}},
      {"trap", {Value::i32(3)}},     {"trap", {Value::i32(0)}},         {"deep", {Value::i32(0)}},
      {"huge", {Value::i32(1)}},     {"indirect", {Value::i32(9), Value::i32(0)}},
      {"indirect", {Value::i32(4), Value::i32(1)}},                      {"indirect", {Value::i32(3), Value::i32(1)}},
      {"fib", {Value::i32(15)}},     {"sum", {Value::i32(5000)}},
  };
  for (const Call& call : calls) {
    auto r = instance.value().call(call.name, call.args);
    std::string line = std::string(call.name) + ": ";
    if (r.ok()) {
      for (const Value& v : r.value()) line += std::to_string(v.low_bits()) + " ";
    } else {
      line += r.error().to_string();
      if (r.error().trap != nullptr) {
        line += " kind " + std::to_string(static_cast<int>(r.error().trap->kind)) + " at";
        for (const BacktraceFrame& frame : r.error().trap->backtrace)
          line += " " + std::to_string(frame.function_index);
        line += " omitted " + std::to_string(r.error().trap->frames_omitted);
      }
    }
    if (fuel) line += " fuel " + std::to_string(store.last_call_stats().fuel_used);
    seen.lines.push_back(line);
  }
  return seen;
}

TEST(LazyTranslation, LazyAndEagerGiveTheSameResultsTrapsAndFuel) {
  std::vector<ExecutionTier> tiers = {ExecutionTier::Interpreter};
  if (Engine::jit_available()) tiers.insert(tiers.end(), {ExecutionTier::Jit, ExecutionTier::Baseline});
  if (Engine::optimizing_available()) tiers.push_back(ExecutionTier::Optimizing);
  for (ExecutionTier tier : tiers) {
    for (bool fuel : {false, true}) {
      const Observed eager = run_program(tier, /*lazy=*/false, fuel);
      const Observed lazy = run_program(tier, /*lazy=*/true, fuel);
      ASSERT_EQ(eager.lines.size(), 12u);
      ASSERT_EQ(lazy.lines.size(), eager.lines.size());
      for (size_t i = 0; i < eager.lines.size(); ++i)
        EXPECT_EQ(lazy.lines[i], eager.lines[i]) << "tier " << static_cast<int>(tier) << " fuel " << fuel;
    }
  }
  // The calls that must trap did, with the kinds the program is built for.
  const Observed interp = run_program(ExecutionTier::Interpreter, /*lazy=*/true, /*fuel=*/false);
  ASSERT_EQ(interp.lines.size(), 12u);
  EXPECT_NE(interp.lines[3].find("unreachable"), std::string::npos) << interp.lines[3];
  EXPECT_NE(interp.lines[4].find("integer divide by zero"), std::string::npos) << interp.lines[4];
  EXPECT_NE(interp.lines[5].find("call stack exhausted"), std::string::npos) << interp.lines[5];
  EXPECT_NE(interp.lines[6].find("call stack exhausted"), std::string::npos) << interp.lines[6];
  EXPECT_NE(interp.lines[9].find("unreachable"), std::string::npos) << interp.lines[9];
}

// ---- concurrency ----

// A function long enough that translating it takes a while (a few hundred
// microseconds), so threads that call it at once overlap in translation.
std::string program_with_a_long_function() {
  std::string wat = "(module (func (export \"long\") (param $x i32) (result i32)\n";
  for (int i = 0; i < 4000; ++i)
    wat += "  (local.set $x (i32.xor (i32.add (local.get $x) (i32.const " + std::to_string(i * 7 + 1) +
           ")) (i32.const " + std::to_string(i) + ")))\n";
  wat += "  (local.get $x)))";
  return wat;
}

TEST(LazyTranslationConcurrency, ThreadsCallingOneColdFunctionTranslateItOnce) {
  const std::string wat = program_with_a_long_function();
  int32_t expected = 0;
  {
    Engine eager(config_for(ExecutionTier::Interpreter, /*lazy=*/false));
    std::shared_ptr<const Module> module = compile(wat, eager);
    ASSERT_NE(module, nullptr);
    Store store(eager);
    auto instance = Linker().instantiate(store, module);
    ASSERT_TRUE(instance.ok());
    expected = instance.value().call("long", {Value::i32(5)}).value()[0].i32();
  }
  std::vector<ExecutionTier> tiers = {ExecutionTier::Interpreter};
  if (Engine::jit_available()) tiers.push_back(ExecutionTier::Jit);
  for (ExecutionTier tier : tiers) {
    EngineConfig config = config_for(tier, /*lazy=*/true);
    config.tier_up_synchronous = false;
    Engine engine(config);
    constexpr int kThreads = 4, kRounds = 8;
    for (int round = 0; round < kRounds; ++round) {
      std::shared_ptr<const Module> module = compile(wat, engine);
      ASSERT_NE(module, nullptr);
      // A store and an instance per thread, all of one module, made before
      // the threads start so that they reach the call together.
      std::vector<std::unique_ptr<Store>> stores;
      std::vector<Instance> instances;
      for (int t = 0; t < kThreads; ++t) {
        stores.push_back(std::make_unique<Store>(engine));
        auto instance = Linker().instantiate(*stores.back(), module);
        ASSERT_TRUE(instance.ok());
        instances.push_back(instance.value());
      }
      wait_for_background_tier_up();
      const uint64_t before = interp::lazy_translations();
      std::atomic<int> ready{0}, wrong{0};
      std::vector<std::thread> threads;
      for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
          ready.fetch_add(1);
          while (ready.load() < kThreads) {
          }
          auto r = instances[t].call("long", {Value::i32(5)});
          if (!r.ok() || r.value()[0].i32() != expected) ++wrong;
        });
      }
      for (std::thread& thread : threads) thread.join();
      wait_for_background_tier_up();
      EXPECT_EQ(wrong.load(), 0);
      EXPECT_EQ(interp::lazy_translations(), before + 1) << "tier " << static_cast<int>(tier) << " round " << round;
    }
  }
}

// Many threads run a tiered module whose functions are translated, tiered
// up and published while the others call them: every result must be the
// eager interpreter's.
TEST(LazyTranslationConcurrency, ThreadsRunAModuleWhileItsFunctionsAreTranslatedAndTieredUp) {
  std::vector<ExecutionTier> tiers = {ExecutionTier::Interpreter};
  if (Engine::jit_available()) tiers.push_back(ExecutionTier::Jit);
  const Observed expected = run_program(ExecutionTier::Interpreter, /*lazy=*/false, /*fuel=*/false);
  ASSERT_EQ(expected.lines.size(), 12u);
  for (ExecutionTier tier : tiers) {
    EngineConfig config = config_for(tier, /*lazy=*/true);
    config.tier_up_synchronous = false;
    config.max_wasm_stack_bytes = 4096;
    Engine engine(config);
    for (int round = 0; round < 4; ++round) {
      std::shared_ptr<const Module> module = compile(kProgram, engine);
      ASSERT_NE(module, nullptr);
      std::atomic<int> wrong{0};
      std::vector<std::thread> threads;
      for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
          Store store(engine);
          auto instance = Linker().instantiate(store, module);
          if (!instance.ok()) {
            ++wrong;
            return;
          }
          // Each thread starts at another export, so different threads
          // are first to different functions.
          const char* const names[] = {"fib", "sum", "indirect", "trap"};
          for (int i = 0; i < 4; ++i) {
            const char* name = names[(t + i) % 4];
            std::vector<Value> args = {Value::i32(12)};
            if (name == std::string("sum")) args = {Value::i32(1000)};
            if (name == std::string("trap")) args = {Value::i32(5)};
            if (name == std::string("indirect")) args = {Value::i32(9), Value::i32(0)};
            for (int repeat = 0; repeat < 20; ++repeat) {
              auto r = instance.value().call(name, args);
              std::string line = std::string(name) + ": ";
              if (r.ok()) {
                for (const Value& v : r.value()) line += std::to_string(v.low_bits()) + " ";
              }
              const size_t index = name == std::string("fib") ? 0 : name == std::string("sum") ? 1
                                   : name == std::string("trap")                               ? 2
                                                                                                : 7;
              if (line != expected.lines[index]) ++wrong;
            }
          }
        });
      }
      for (std::thread& thread : threads) thread.join();
      wait_for_background_tier_up();
      EXPECT_EQ(wrong.load(), 0) << "tier " << static_cast<int>(tier);
    }
  }
}

}  // namespace
}  // namespace wasmrt
