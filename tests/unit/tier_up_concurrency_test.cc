// Tier-up under concurrency: many threads call one module's functions while
// the background thread compiles them and publishes their machine code,
// stores and instances are created and dropped meanwhile, modules are
// dropped with compiles still queued, and other threads interrupt running
// calls. Every result must be the interpreter's. Built and run under
// ThreadSanitizer by scripts/test.sh (build/tsan), where any data race on
// the C++ side (the publication of entries, the counters, the queue, the
// code's lifetime) is a failure; machine code is not instrumented, so
// every handoff it depends on goes through the C++ side.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "runtime/interp/interp.h"
#include "runtime/store/tier_up.h"
#include "wasmrt/wasmrt.h"

namespace wasmrt {
namespace {

// `loop` (a long loop calling a helper), `fib` (calls), `spin` (loops until
// interrupted, or `n` iterations), over a memory each instance has its own
// of.
const char* const kProgram = R"((module
  (memory 1)
  (func $step (param i64 i64) (result i64)
    (i64.store (i32.const 8) (local.get 0))
    (i64.add (i64.mul (i64.load (i32.const 8)) (i64.const 6364136223846793005)) (local.get 1)))
  (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func (export "loop") (param $n i32) (result i64) (local $x i64)
    (loop $l
      (local.set $x (call $step (local.get $x) (i64.extend_i32_u (local.get $n))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $x))
  (func (export "spin") (param $n i64) (result i64) (local $i i64)
    (loop $l
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $l (i64.lt_u (local.get $i) (local.get $n))))
    (local.get $i))
))";

std::shared_ptr<const Module> compile(const Engine& engine) {
  const std::string wat = kProgram;
  auto module = engine.compile(std::span(reinterpret_cast<const uint8_t*>(wat.data()), wat.size()));
  EXPECT_TRUE(module.ok()) << (module.ok() ? "" : module.error().message);
  return module.ok() ? module.value() : nullptr;
}

EngineConfig tiered(bool fuel) {
  EngineConfig config;
  config.tier = ExecutionTier::Jit;
  config.consume_fuel = fuel;
  // Low, so that functions move while the threads run.
  config.tier_up_calls = 20;
  config.tier_up_back_edges = 1500;
  return config;
}

struct Expected {
  uint64_t loop = 0;
  int32_t fib = 0;
};

Expected expected_results() {
  EngineConfig config;
  config.tier = ExecutionTier::Interpreter;
  Engine engine(config);
  auto module = compile(engine);
  Expected e;
  if (module == nullptr) return e;
  Store store(engine);
  auto instance = Linker().instantiate(store, module);
  EXPECT_TRUE(instance.ok());
  if (!instance.ok()) return e;
  e.loop = instance.value().call("loop", {Value::i32(5000)}).value()[0].low_bits();
  e.fib = instance.value().call("fib", {Value::i32(15)}).value()[0].i32();
  return e;
}

TEST(TierUpConcurrency, ManyThreadsCallOneModuleWhileItTiersUp) {
  if (!Engine::jit_available()) GTEST_SKIP() << "no JIT in this build";
  const Expected expected = expected_results();
  for (bool fuel : {false, true}) {
    Engine engine(tiered(fuel));
    std::shared_ptr<const Module> module = compile(engine);
    ASSERT_NE(module, nullptr);
    constexpr int kThreads = 6, kRounds = 12;
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        for (int round = 0; round < kRounds; ++round) {
          // A store and an instance per round, dropped at its end: code
          // published meanwhile serves the next instances too.
          Store store(engine);
          if (fuel && !store.set_fuel(UINT64_MAX / 2).ok()) ++wrong;
          auto instance = Linker().instantiate(store, module);
          if (!instance.ok()) {
            ++wrong;
            continue;
          }
          for (int call = 0; call < 3; ++call) {
            auto a = instance.value().call("loop", {Value::i32(5000)});
            auto b = instance.value().call("fib", {Value::i32(15)});
            if (!a.ok() || a.value()[0].low_bits() != expected.loop) ++wrong;
            if (!b.ok() || b.value()[0].i32() != expected.fib) ++wrong;
          }
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(wrong.load(), 0) << "fuel " << fuel;
  }
}

// Modules dropped right after their functions were queued: the background
// thread must skip them (it holds them only weakly) or keep them alive
// while it compiles them.
TEST(TierUpConcurrency, ModulesDroppedWithCompilesQueued) {
  if (!Engine::jit_available()) GTEST_SKIP() << "no JIT in this build";
  const Expected expected = expected_results();
  Engine engine(tiered(false));
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 15; ++i) {
        std::shared_ptr<const Module> module = compile(engine);
        if (module == nullptr) {
          ++wrong;
          continue;
        }
        Store store(engine);
        auto instance = Linker().instantiate(store, module);
        if (!instance.ok()) {
          ++wrong;
          continue;
        }
        auto r = instance.value().call("fib", {Value::i32(15)});  // queues fib
        if (!r.ok() || r.value()[0].i32() != expected.fib) ++wrong;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  wait_for_background_tier_up();
  EXPECT_EQ(wrong.load(), 0);
}

// Interrupts from other threads stop calls that run on the interpreter, in
// the middle of tier-up, or on machine code after on-stack replacement.
TEST(TierUpConcurrency, InterruptsFromOtherThreadsStopCallsOnEitherTier) {
  if (!Engine::jit_available()) GTEST_SKIP() << "no JIT in this build";
  Engine engine(tiered(false));
  std::shared_ptr<const Module> module = compile(engine);
  ASSERT_NE(module, nullptr);
  constexpr int kThreads = 3;
  std::atomic<int> wrong{0}, interrupted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 4; ++round) {
        Store store(engine);
        auto instance = Linker().instantiate(store, module);
        if (!instance.ok()) {
          ++wrong;
          continue;
        }
        InterruptHandle handle = store.interrupt_handle();
        std::atomic<bool> done{false};
        // Stops the spin after a while: the spin alone never ends.
        std::thread interrupter([&] {
          std::this_thread::sleep_for(std::chrono::milliseconds(5 + 7 * ((t + round) % 3)));
          handle.interrupt();
          while (!done.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        });
        auto r = instance.value().call("spin", {Value::i64(INT64_MAX)});
        done = true;
        interrupter.join();
        if (!r.ok() && r.error().trap != nullptr && r.error().trap->kind == TrapKind::Interrupted) {
          ++interrupted;
        } else {
          ++wrong;
        }
        // The store takes new calls afterwards, on whatever tier.
        auto again = instance.value().call("spin", {Value::i64(1000)});
        if (!again.ok() || again.value()[0].i64() != 1000) ++wrong;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(interrupted.load(), kThreads * 4);
}

// With background compilation, a loop in a function called once reaches
// machine code while it runs (on-stack replacement after the thread
// publishes).
TEST(TierUpConcurrency, BackgroundCompileReachesARunningLoop) {
  if (!Engine::jit_available()) GTEST_SKIP() << "no JIT in this build";
  Engine engine(tiered(false));
  const uint64_t before = interp::on_stack_replacements();
  // Each call is long enough for the compile to finish during it on any
  // machine but a stalled one; a fresh module each time, since a function
  // compiled after its call ended starts the next call on machine code.
  for (int i = 0; i < 5 && interp::on_stack_replacements() == before; ++i) {
    std::shared_ptr<const Module> module = compile(engine);
    ASSERT_NE(module, nullptr);
    Store store(engine);
    auto instance = Linker().instantiate(store, module);
    ASSERT_TRUE(instance.ok());
    auto r = instance.value().call("spin", {Value::i64(20'000'000)});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value()[0].i64(), 20'000'000);
  }
  EXPECT_GT(interp::on_stack_replacements(), before);
}

}  // namespace
}  // namespace wasmrt
