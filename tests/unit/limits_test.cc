// Sandbox limits through the public API: the fuel charging rule of
// docs/fuel.md (exact counts), determinism, interrupts and deadlines (also
// waking blocked host functions), per-call stats and the store's caps.
#include <gtest/gtest.h>
#include <poll.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tests/unit/test_tier.h"
#include "wasmrt/wasmrt.h"

namespace wasmrt {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

Engine fuel_engine() {
  EngineConfig config = test_config();
  config.consume_fuel = true;
  return Engine(config);
}

// The i32 result of a call that must succeed.
int32_t call_i32(const Instance& instance, std::string_view name, int32_t arg) {
  auto result = instance.call(name, {Value::i32(arg)});
  EXPECT_TRUE(result.ok()) << result.error().to_string();
  return result.ok() && !result->empty() ? (*result)[0].i32() : INT32_MIN;
}

TrapKind trap_kind(const Error& error) {
  return error.trap != nullptr ? error.trap->kind : TrapKind::None;
}

// The worked example of docs/fuel.md: count(n) costs 9n + 5.
constexpr std::string_view kCount = R"((module
  (memory (export "memory") 1)
  (table 16 funcref)
  (func (export "count") (param $n i32) (result i32) (local $i i32)
    (block
      (loop
        (br_if 1 (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br 0)))
    (local.get $i))
  (func (export "fill") (param i32)
    (memory.fill (i32.const 0) (i32.const 7) (local.get 0)))
  (func (export "fill_oob") (param i32)
    (memory.fill (i32.const 65535) (i32.const 7) (local.get 0)))
  (func (export "table_fill") (param i32)
    (table.fill (i32.const 0) (ref.null func) (local.get 0)))
  (func $leaf (result i32) (nop) (drop (i32.const 1)) (i32.const 2))
  (func (export "calls") (result i32) (i32.add (call $leaf) (call $leaf))))
)";

TEST(Fuel, ChargesExactlyTheDocumentedRule) {
  Engine engine = fuel_engine();
  Store store(engine);
  auto instance = Linker().instantiate(store, compile(kCount, engine));
  ASSERT_TRUE(instance.ok()) << instance.error().to_string();
  for (int32_t n : {0, 1, 10, 1000}) {
    ASSERT_TRUE(store.set_fuel(1'000'000).ok());
    auto result = instance->call("count", {Value::i32(n)});
    ASSERT_TRUE(result.ok()) << result.error().to_string();
    EXPECT_EQ(store.last_call_stats().fuel_used, 9u * n + 5) << n;
    EXPECT_EQ(*store.fuel(), 1'000'000u - (9u * n + 5));
  }
  // Calls: $leaf = nop(0) drop(0) const(1) const(1) end(0) = 2 each;
  // "calls" = call call add end = 3; total 3 + 2 * 2.
  ASSERT_TRUE(store.set_fuel(100).ok());
  ASSERT_TRUE(instance->call("calls", {}).ok());
  EXPECT_EQ(store.last_call_stats().fuel_used, 7u);
  // Bulk: 4 static (const const local.get memory.fill) + n / 64.
  for (uint32_t n : {0u, 63u, 64u, 1000u, 65536u}) {
    ASSERT_TRUE(store.set_fuel(1'000'000).ok());
    ASSERT_TRUE(instance->call("fill", {Value::i32(static_cast<int32_t>(n))}).ok());
    EXPECT_EQ(store.last_call_stats().fuel_used, 4u + n / 64) << n;
  }
  // The dynamic charge is taken even when the operation then traps.
  ASSERT_TRUE(store.set_fuel(1'000'000).ok());
  auto oob = instance->call("fill_oob", {Value::i32(640)});
  ASSERT_FALSE(oob.ok());
  EXPECT_EQ(trap_kind(oob.error()), TrapKind::MemoryOutOfBounds);
  EXPECT_EQ(store.last_call_stats().fuel_used, 4u + 10);
  // Tables: one unit per 8 elements.
  ASSERT_TRUE(store.set_fuel(1'000'000).ok());
  ASSERT_TRUE(instance->call("table_fill", {Value::i32(16)}).ok());
  EXPECT_EQ(store.last_call_stats().fuel_used, 4u + 2);
}

TEST(Fuel, ExhaustionTrapsAndLeavesTheFailedChargeUntaken) {
  Engine engine = fuel_engine();
  Store store(engine);
  auto instance = Linker().instantiate(store, compile(kCount, engine));
  ASSERT_TRUE(instance.ok());
  // A metering store starts empty: the first call cannot even enter.
  auto empty = instance->call("count", {Value::i32(1)});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(trap_kind(empty.error()), TrapKind::OutOfFuel);
  EXPECT_EQ(empty.error().message, "out of fuel");
  // docs/fuel.md: with 50 fuel, count(10) stops with 49 used and 1 left.
  ASSERT_TRUE(store.set_fuel(50).ok());
  auto out = instance->call("count", {Value::i32(10)});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(trap_kind(out.error()), TrapKind::OutOfFuel);
  EXPECT_EQ(*store.fuel(), 1u);
  EXPECT_EQ(store.last_call_stats().fuel_used, 49u);
  // A bulk charge that does not fit leaves memory untouched.
  ASSERT_TRUE(store.set_fuel(4 + 9).ok());
  auto bulk = instance->call("fill", {Value::i32(640)});
  ASSERT_FALSE(bulk.ok());
  EXPECT_EQ(trap_kind(bulk.error()), TrapKind::OutOfFuel);
  ASSERT_TRUE(instance->memory().has_value());
  EXPECT_EQ(instance->memory()->data()[0], 0);
  // Topping up continues normally.
  ASSERT_TRUE(store.add_fuel(1000).ok());
  auto again = instance->call("count", {Value::i32(10)});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)[0].i32(), 10);
}

TEST(Fuel, IsDeterministicAcrossRunsAndStores) {
  // A workload with calls, loops, br_table, memory and bulk operations.
  constexpr std::string_view kWork = R"((module
    (memory 1)
    (func $mix (param i32) (result i32)
      (block (block (block
        (br_table 0 1 2 (i32.and (local.get 0) (i32.const 3))))
        (return (i32.mul (local.get 0) (i32.const 3))))
        (return (i32.xor (local.get 0) (i32.const 0x55))))
      (i32.add (local.get 0) (i32.const 7)))
    (func (export "run") (param $n i32) (result i32) (local $i i32) (local $acc i32)
      (loop $l
        (local.set $acc (i32.add (local.get $acc) (call $mix (local.get $i))))
        (i32.store (i32.and (local.get $i) (i32.const 0xFFC)) (local.get $acc))
        (if (i32.eqz (i32.and (local.get $i) (i32.const 255)))
          (then (memory.copy (i32.const 4096) (i32.const 0) (i32.const 4096))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
      (local.get $acc)))
  )";
  Engine engine = fuel_engine();
  auto module = compile(kWork, engine);
  std::vector<uint64_t> used;
  for (int run = 0; run < 3; ++run) {
    Store store(engine);
    ASSERT_TRUE(store.set_fuel(100'000'000).ok());
    auto instance = Linker().instantiate(store, module);
    ASSERT_TRUE(instance.ok());
    auto result = instance->call("run", {Value::i32(20000)});
    ASSERT_TRUE(result.ok()) << result.error().to_string();
    used.push_back(store.last_call_stats().fuel_used);
  }
  EXPECT_GT(used[0], 20000u * 10);
  EXPECT_EQ(used[0], used[1]);
  EXPECT_EQ(used[1], used[2]);
}

TEST(Fuel, RefusedWhereItCannotWork) {
  Store plain;
  EXPECT_FALSE(plain.set_fuel(10).ok());
  EXPECT_FALSE(plain.fuel().has_value());
  // A metering store refuses code compiled without metering.
  Engine engine = fuel_engine();
  Store metered(engine);
  auto refused = Linker().instantiate(metered, compile(kCount, test_engine()));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().phase, Phase::Unlinkable);
}

constexpr std::string_view kSpin = R"((module
  (func (export "spin") (loop (br 0)))
  (func $a (param i32)
    (if (local.get 0) (then
      (call $b (i32.sub (local.get 0) (i32.const 1)))
      (call $b (i32.sub (local.get 0) (i32.const 1))))))
  (func $b (param i32)
    (if (local.get 0) (then
      (call $a (i32.sub (local.get 0) (i32.const 1)))
      (call $a (i32.sub (local.get 0) (i32.const 1))))))
  (func (export "recurse") (call $a (i32.const 60)))
  (func (export "ok") (result i32) (i32.const 42)))
)";

TEST(Interrupt, FromAnotherThreadStopsLoopsAndLoopFreeRecursion) {
  Store store;
  auto instance = Linker().instantiate(store, compile(kSpin, test_engine()));
  ASSERT_TRUE(instance.ok());
  InterruptHandle handle = store.interrupt_handle();
  for (const char* name : {"spin", "recurse"}) {
    std::thread stopper([handle] {
      std::this_thread::sleep_for(milliseconds(20));
      handle.interrupt();
    });
    auto result = instance->call(name, {});
    stopper.join();
    ASSERT_FALSE(result.ok()) << name;
    EXPECT_EQ(trap_kind(result.error()), TrapKind::Interrupted) << name;
    EXPECT_EQ(result.error().message, "interrupted");
    // Consumed: the store accepts new calls.
    auto after = instance->call("ok", {});
    ASSERT_TRUE(after.ok()) << name;
    EXPECT_EQ((*after)[0].i32(), 42);
  }
  // An interrupt while idle stops the next call (at its entry), once.
  store.interrupt();
  auto next = instance->call("ok", {});
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(trap_kind(next.error()), TrapKind::Interrupted);
  EXPECT_TRUE(instance->call("ok", {}).ok());
}

TEST(Interrupt, TimeoutsAndDeadlinesStopEachCall) {
  Store store;
  auto instance = Linker().instantiate(store, compile(kSpin, test_engine()));
  ASSERT_TRUE(instance.ok());
  store.set_timeout(milliseconds(30));
  for (const char* name : {"spin", "recurse"}) {
    auto start = Clock::now();
    auto result = instance->call(name, {});
    auto elapsed = Clock::now() - start;
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(trap_kind(result.error()), TrapKind::DeadlineExceeded) << name;
    EXPECT_GE(elapsed, milliseconds(30));
    EXPECT_LT(elapsed, milliseconds(2000));  // generous: sanitizers, loaded CI
    EXPECT_GE(store.last_call_stats().wall_time, milliseconds(30));
  }
  // Quick calls are unaffected, and the deadline does not leak into them.
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(instance->call("ok", {}).ok());
  store.set_timeout(std::nullopt);
  store.set_deadline(Clock::now() - milliseconds(1));
  auto past = instance->call("ok", {});
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(trap_kind(past.error()), TrapKind::DeadlineExceeded);
  store.set_deadline(std::nullopt);
  EXPECT_TRUE(instance->call("ok", {}).ok());
}

TEST(Interrupt, WakesBlockedHostFunctions) {
  Linker linker;
  linker.define("env", "sleep", [](HostContext& ctx) -> int32_t {
    return ctx.sleep_for(std::chrono::seconds(20)) ? 1 : 0;
  });
  linker.define("env", "poll", [](HostContext& ctx) -> int32_t {
    pollfd fds{ctx.interrupt_fd(), POLLIN, 0};
    if (fds.fd < 0) return -1;
    return poll(&fds, 1, 20'000);
  });
  Store store;
  auto instance = linker.instantiate(store, compile(R"((module
    (import "env" "sleep" (func $sleep (result i32)))
    (import "env" "poll" (func $poll (result i32)))
    (func (export "sleep") (result i32) (call $sleep))
    (func (export "poll") (result i32) (call $poll))
    (func (export "ok") (result i32) (i32.const 1))))",
                                                             test_engine()));
  ASSERT_TRUE(instance.ok()) << instance.error().to_string();
  store.set_timeout(milliseconds(30));
  auto start = Clock::now();
  auto slept = instance->call("sleep", {});
  EXPECT_LT(Clock::now() - start, milliseconds(2000));
  ASSERT_FALSE(slept.ok());
  EXPECT_EQ(trap_kind(slept.error()), TrapKind::DeadlineExceeded);

  store.set_timeout(std::nullopt);
  InterruptHandle handle = store.interrupt_handle();
  std::thread stopper([handle] {
    std::this_thread::sleep_for(milliseconds(20));
    handle.interrupt();
  });
  start = Clock::now();
  auto polled = instance->call("poll", {});
  stopper.join();
  EXPECT_LT(Clock::now() - start, milliseconds(2000));
  ASSERT_FALSE(polled.ok());
  EXPECT_EQ(trap_kind(polled.error()), TrapKind::Interrupted);
  // The descriptor is quiet again once the interrupt was consumed.
  EXPECT_TRUE(instance->call("ok", {}).ok());
}

// Code compiled with fuel and code compiled without it, calling each other
// in a store that does not meter: the JIT's fuel register holds fuel in the
// first and the poll word's address in the second (jit/jit_state.h), so it
// changes meaning at every call and return between them. Results and
// interrupts must come out the same in either direction, however deep.
constexpr std::string_view kFuelledLeaf = R"((module
  (func (export "tri") (param $n i32) (result i32) (local $s i32)
    (block (loop
      (br_if 1 (i32.eqz (local.get $n)))
      (local.set $s (i32.add (local.get $s) (local.get $n)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br 0)))
    (local.get $s))
  (func (export "spin") (loop (br 0))))
)";
constexpr std::string_view kUnfuelledMiddle = R"((module
  (import "leaf" "tri" (func $tri (param i32) (result i32)))
  (import "leaf" "spin" (func $spin))
  (func (export "sum_tris") (param $n i32) (result i32) (local $s i32)
    (block (loop
      (br_if 1 (i32.eqz (local.get $n)))
      (local.set $s (i32.add (local.get $s) (call $tri (local.get $n))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br 0)))
    (local.get $s))
  (func (export "spin_there") (call $spin))
  (func (export "spin_here") (loop (br 0))))
)";
constexpr std::string_view kFuelledTop = R"((module
  (import "middle" "sum_tris" (func $sum_tris (param i32) (result i32)))
  (import "middle" "spin_here" (func $spin_here))
  (import "middle" "spin_there" (func $spin_there))
  (func (export "nested") (param $n i32) (result i32) (local $s i32)
    (block (loop
      (br_if 1 (i32.eqz (local.get $n)))
      (local.set $s (i32.add (local.get $s) (call $sum_tris (local.get $n))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br 0)))
    (local.get $s))
  (func (export "spin_below") (call $spin_here))
  (func (export "spin_two_below") (call $spin_there)))
)";

TEST(Interrupt, CodeCompiledWithAndWithoutFuelCallsEachOther) {
  Engine fuelled = fuel_engine();
  Engine unfuelled = test_engine();
  Store store(unfuelled);
  auto leaf = Linker().instantiate(store, compile(kFuelledLeaf, fuelled));
  ASSERT_TRUE(leaf.ok()) << leaf.error().to_string();
  Linker to_leaf;
  to_leaf.define_instance("leaf", leaf.value());
  auto middle = to_leaf.instantiate(store, compile(kUnfuelledMiddle, unfuelled));
  ASSERT_TRUE(middle.ok()) << middle.error().to_string();
  Linker to_middle;
  to_middle.define_instance("middle", middle.value());
  auto top = to_middle.instantiate(store, compile(kFuelledTop, fuelled));
  ASSERT_TRUE(top.ok()) << top.error().to_string();

  // sum_tris(n) = n(n+1)(n+2)/6; nested(n) sums those. Repeated so that a
  // tiered engine runs them on each tier.
  for (int round = 0; round < 4; ++round) {
    EXPECT_EQ(call_i32(*middle, "sum_tris", 100), 171700);
    int32_t nested = 0;
    for (int32_t k = 1; k <= 60; ++k) nested += k * (k + 1) * (k + 2) / 6;
    EXPECT_EQ(call_i32(*top, "nested", 60), nested);
  }
  InterruptHandle handle = store.interrupt_handle();
  const std::pair<const Instance*, const char*> spins[] = {
      {&*middle, "spin_here"},      {&*middle, "spin_there"},    {&*leaf, "spin"},
      {&*top, "spin_below"},        {&*top, "spin_two_below"},
  };
  for (const auto& [instance, name] : spins) {
    std::thread stopper([handle] {
      std::this_thread::sleep_for(milliseconds(20));
      handle.interrupt();
    });
    auto result = instance->call(name, {});
    stopper.join();
    ASSERT_FALSE(result.ok()) << name;
    EXPECT_EQ(trap_kind(result.error()), TrapKind::Interrupted) << name;
    EXPECT_EQ(call_i32(*top, "nested", 10), 715) << name;
  }
}

TEST(Interrupt, DeadlineNeedsAnInterruptibleEngine) {
  EngineConfig config = test_config();
  config.interruptible = false;
  Engine engine(config);
  Store store(engine);
  auto instance = Linker().instantiate(store, compile(kSpin, engine));
  ASSERT_TRUE(instance.ok());
  EXPECT_TRUE(instance->call("ok", {}).ok());
  store.set_timeout(milliseconds(10));
  auto refused = instance->call("ok", {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().phase, Phase::Invalid);
  // And an interruptible store refuses code compiled without the checks.
  Store interruptible;
  EXPECT_FALSE(Linker().instantiate(interruptible, compile(kSpin, engine)).ok());
}

TEST(Stats, PeakMemoryPagesAndWallTime) {
  Store store;
  auto instance = Linker().instantiate(store, compile(R"((module (memory 2)
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))))",
                                                          test_engine()));
  ASSERT_TRUE(instance.ok());
  EXPECT_EQ(store.memory_pages(), 2u);
  ASSERT_TRUE(instance->call("grow", {Value::i32(10)}).ok());
  EXPECT_EQ(store.last_call_stats().peak_memory_pages, 12u);
  EXPECT_EQ(store.memory_pages(), 12u);
  ASSERT_TRUE(instance->call("grow", {Value::i32(0)}).ok());
  EXPECT_EQ(store.last_call_stats().peak_memory_pages, 12u);
  EXPECT_EQ(store.last_call_stats().fuel_used, 0u);  // no metering
}

// A host needs to tell "the guest ran into its memory cap" from other
// failures, and the guest sees only -1: the count names exactly the grows
// a cap refused, per call, and not those past the module's own maximum.
TEST(Stats, MemoryGrowsRefusedByTheCapsAreCounted) {
  EngineConfig config = test_config();
  config.max_memory_pages = 10;
  config.max_store_memory_pages = 14;
  Engine engine(config);
  Store store(engine);
  constexpr const char* kGrower = R"((module
    (memory (export "memory") %d %d)
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
    (func (export "grow_twice") (param i32) (result i32)
      (i32.add (memory.grow (local.get 0)) (memory.grow (local.get 0))))))";
  auto grower = [&](int initial, int maximum) {
    char text[512];
    std::snprintf(text, sizeof text, kGrower, initial, maximum);
    return Linker().instantiate(store, compile(text, engine));
  };
  auto a = grower(2, 20);
  auto b = grower(1, 2);
  ASSERT_TRUE(a.ok() && b.ok());
  auto grow = [&](Instance& instance, const char* name, int32_t pages) {
    auto result = instance.call(name, {Value::i32(pages)});
    EXPECT_TRUE(result.ok());
    return result.ok() ? result->front().i32() : INT32_MIN;
  };
  EXPECT_EQ(grow(*a, "grow", 3), 2);  // 5 pages: allowed
  EXPECT_EQ(store.last_call_stats().memory_grows_refused, 0u);
  EXPECT_EQ(grow(*a, "grow", 6), -1);  // 11 > the per-memory cap of 10
  EXPECT_EQ(store.last_call_stats().memory_grows_refused, 1u);
  EXPECT_EQ(grow(*a, "grow", 16), -1);  // 21 > the module's own maximum of 20
  EXPECT_EQ(store.last_call_stats().memory_grows_refused, 0u);
  EXPECT_EQ(grow(*b, "grow", 2), -1);  // 3 > b's own maximum of 2
  EXPECT_EQ(store.last_call_stats().memory_grows_refused, 0u);
  EXPECT_EQ(grow(*a, "grow", 5), 5);  // 10 pages, 11 in the store
  EXPECT_EQ(store.last_call_stats().memory_grows_refused, 0u);
  // Both grows of one call refused by the per-memory cap: counted twice.
  EXPECT_EQ(grow(*a, "grow_twice", 1), -2);
  EXPECT_EQ(store.last_call_stats().memory_grows_refused, 2u);
  // The store's total: 11 + 2 + 2 > 14, though c's 4 pages fit its cap.
  auto c = grower(2, 20);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(grow(*c, "grow", 2), -1);
  EXPECT_EQ(store.last_call_stats().memory_grows_refused, 1u);
  EXPECT_EQ(grow(*c, "grow", 1), 2);  // 14 in the store: fits
  EXPECT_EQ(store.last_call_stats().memory_grows_refused, 0u);
}

TEST(Caps, RefusalsAreTypedAndNameTheLimit) {
  EngineConfig config = test_config();
  config.max_memory_pages = 256;
  config.max_store_memory_pages = 300;
  config.max_table_elements = 1000;
  config.max_instances = 3;
  config.max_tables = 2;
  config.max_memories = 2;
  Engine engine(config);
  {
    Store store(engine);
    auto too_big = Linker().instantiate(store, compile("(module (memory 65536))", engine));
    ASSERT_FALSE(too_big.ok());
    EXPECT_EQ(too_big.error().phase, Phase::Unlinkable);
    EXPECT_EQ(too_big.error().limit, ResourceLimit::MemoryPages);
    EXPECT_NE(too_big.error().message.find("max_memory_pages = 256"), std::string::npos)
        << too_big.error().message;
  }
  {
    Store store(engine);
    ASSERT_TRUE(Linker().instantiate(store, compile("(module (memory 200))", engine)).ok());
    auto over_total = Linker().instantiate(store, compile("(module (memory 101))", engine));
    ASSERT_FALSE(over_total.ok());
    EXPECT_EQ(over_total.error().limit, ResourceLimit::StoreMemoryPages);
    // Growth shares the same budget: 200 + 100 fit, one more does not.
    auto second = Linker().instantiate(store, compile(R"((module (memory 0)
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))))",
                                                      engine));
    ASSERT_TRUE(second.ok()) << second.error().to_string();
    EXPECT_EQ(call_i32(*second, "grow", 101), -1);
    EXPECT_EQ(call_i32(*second, "grow", 100), 0);
    EXPECT_EQ(call_i32(*second, "grow", 1), -1);
    EXPECT_EQ(store.memory_pages(), 300u);
  }
  {
    Store store(engine);
    auto tables = Linker().instantiate(store, compile("(module (table 600 funcref) (table 600 funcref))", engine));
    ASSERT_FALSE(tables.ok());
    EXPECT_EQ(tables.error().limit, ResourceLimit::TableElements);
    auto three = Linker().instantiate(store, compile("(module (table 1 funcref) (table 1 funcref) (table 1 funcref))", engine));
    ASSERT_FALSE(three.ok());
    EXPECT_EQ(three.error().limit, ResourceLimit::Tables);
    auto grower = Linker().instantiate(store, compile(R"((module (table 500 funcref)
      (func (export "grow") (param i32) (result i32) (table.grow (ref.null func) (local.get 0)))))",
                                                      engine));
    ASSERT_TRUE(grower.ok());
    EXPECT_EQ(call_i32(*grower, "grow", 501), -1);
    EXPECT_EQ(call_i32(*grower, "grow", 500), 500);
  }
  {
    Store store(engine);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(Linker().instantiate(store, compile("(module)", engine)).ok());
    auto fourth = Linker().instantiate(store, compile("(module)", engine));
    ASSERT_FALSE(fourth.ok());
    EXPECT_EQ(fourth.error().limit, ResourceLimit::Instances);
    EXPECT_NE(fourth.error().message.find("max_instances"), std::string::npos);
  }
}

}  // namespace
}  // namespace wasmrt
