// Pooled instances under concurrent acquire/release (wasmrt/pool.h), and
// memory reservations given back and taken by several threads at once
// (runtime/memory/reservation_pool.h). Every lease must start from the
// module's initial state, whatever other threads' leases wrote, and the
// pool's counts must add up. scripts/test.sh also runs this binary under
// ThreadSanitizer (the InstancePoolConcurrency suite), which must report
// nothing.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/unit/test_tier.h"
#include "wasmrt/wasmrt.h"

namespace wasmrt {
namespace {

// One page (max 4) whose first bytes and a far byte hold data, and a
// mutable global: each request checks them, then overwrites them all.
constexpr std::string_view kModule = R"((module
  (memory (export "memory") 1 4)
  (global $g (mut i32) (i32.const 5))
  (data (i32.const 0) "initial")
  (data (i32.const 60000) "\2a")
  (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size))
  (func (export "get_g") (result i32) (global.get $g))
  (func (export "set_g") (param i32) (global.set $g (local.get 0)))
))";

int32_t call_i32(const Instance& instance, std::string_view name, std::vector<Value> args = {}) {
  auto result = instance.call(name, args);
  if (!result.ok() || result->empty()) return INT32_MIN;
  return (*result)[0].i32();
}

TEST(InstancePoolConcurrency, EveryLeaseStartsClean) {
  Engine engine(test_config());
  auto module = engine.compile(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(kModule.data()),
                                                        kModule.size()));
  ASSERT_TRUE(module.ok()) << module.error().to_string();
  constexpr int kThreads = 4;
  constexpr int kRequests = 150;
  InstancePoolConfig pool_config;
  pool_config.max_instances = 3;  // fewer than threads: some acquisitions are refused
  pool_config.max_idle = 2;       // and some releases discard
  auto pool = InstancePool::create(engine, Linker(), *module, pool_config);
  ASSERT_TRUE(pool.ok()) << pool.error().to_string();

  std::atomic<int> dirty{0};
  std::atomic<int> served{0};
  std::atomic<int> failed{0};
  std::atomic<int> leased{0};
  std::atomic<int> most_leased{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int request = 0; request < kRequests;) {
        auto lease = (*pool)->acquire();
        if (!lease.ok()) {
          if (lease.error().limit != ResourceLimit::Instances) ++failed;
          std::this_thread::yield();
          continue;
        }
        const int now = ++leased;
        for (int most = most_leased.load(); now > most && !most_leased.compare_exchange_weak(most, now);) {
        }
        // Hold the lease a little, so that the threads' leases overlap.
        std::this_thread::yield();
        const Instance& instance = lease->instance();
        if (call_i32(instance, "load", {Value::i32(0)}) != 'i' ||
            call_i32(instance, "load", {Value::i32(60000)}) != 42 ||
            call_i32(instance, "load", {Value::i32(100)}) != 0 || call_i32(instance, "get_g") != 5 ||
            call_i32(instance, "size") != 1) {
          ++dirty;
        }
        const int32_t mark = t * 1000 + request;
        if (call_i32(instance, "grow", {Value::i32(1)}) != 1) ++failed;
        for (int32_t address : {0, 100, 60000, 65536 + 7}) {
          if (!instance.call("store", {Value::i32(address), Value::i32(mark)}).ok()) ++failed;
        }
        if (!instance.call("set_g", {Value::i32(mark)}).ok()) ++failed;
        ++served;
        ++request;
        --leased;  // before the lease's destructor gives it back
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(dirty.load(), 0);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(served.load(), kThreads * kRequests);
  EXPECT_LE(most_leased.load(), static_cast<int>(pool_config.max_instances));
  const InstancePoolStats stats = (*pool)->stats();
  EXPECT_LE(stats.live, pool_config.max_instances);
  EXPECT_LE(stats.idle, pool_config.max_idle);
  EXPECT_EQ(stats.live, stats.idle);  // nothing leased any more
  EXPECT_EQ(stats.created + stats.reused, static_cast<uint64_t>(kThreads * kRequests));
  EXPECT_EQ(stats.created, stats.live + stats.discarded);
}

// Stores of one engine on several threads: memories take and give back
// the engine's kept reservations concurrently; each new memory reads as
// zero past its data whatever the memory that had the reservation wrote.
TEST(InstancePoolConcurrency, ReservationsReusedAcrossThreads) {
  EngineConfig config = test_config();
  config.kept_memory_reservations = 2;
  Engine engine(config);
  auto module = engine.compile(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(kModule.data()),
                                                        kModule.size()));
  ASSERT_TRUE(module.ok()) << module.error().to_string();
  std::atomic<int> dirty{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 60; ++i) {
        Store store(engine);
        auto instance = Linker().instantiate(store, *module);
        if (!instance.ok()) {
          ++dirty;
          continue;
        }
        if (call_i32(*instance, "load", {Value::i32(100)}) != 0 ||
            call_i32(*instance, "load", {Value::i32(0)}) != 'i' || call_i32(*instance, "size") != 1) {
          ++dirty;
        }
        (void)instance->call("grow", {Value::i32(2)});
        for (int32_t address : {100, 65536 * 2 + 3}) {
          (void)instance->call("store", {Value::i32(address), Value::i32(t + 1)});
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(dirty.load(), 0);
}

}  // namespace
}  // namespace wasmrt
