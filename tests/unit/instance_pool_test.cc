// Pooled instances (wasmrt/pool.h) and reused memory reservations
// (runtime/memory/reservation_pool.h): a reset instance is exactly a new
// one (memory, grown memory, globals, tables, dropped segments, the start
// function's effects), every sandbox cap still holds, the pool's bounds
// behave as documented, and a kept reservation holds nothing of the memory
// that had it. On every tier (ctest runs this binary on each).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/memory/linear_memory.h"
#include "runtime/memory/memory_image.h"
#include "runtime/memory/reservation_pool.h"
#include "runtime/store/exec_context.h"
#include "tests/unit/test_tier.h"
#include "wasmrt/wasmrt.h"

namespace wasmrt {
namespace {

std::string pattern(size_t n, int seed) {
  std::string out(n, ' ');
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<char>('a' + (i * 5 + static_cast<size_t>(seed)) % 26);
  return out;
}

// 2 pages (max 10) with 40,000 bytes of data (enough for a copy-on-write
// image) and a few bytes past a zero page, a mutable global, a table with
// two active and one passive element segment, a passive data segment, and
// a start function that counts its runs in a global: everything a request
// can change.
std::string pool_module() {
  return "(module\n"
         "  (memory (export \"memory\") 2 10)\n"
         "  (global $g (export \"g\") (mut i32) (i32.const 7))\n"
         "  (global $starts (export \"starts\") (mut i32) (i32.const 0))\n"
         "  (table $t 2 20 funcref)\n"
         "  (elem (i32.const 0) $one $two)\n"
         "  (elem $passive func $two)\n"
         "  (data (i32.const 100) \"" + pattern(40000, 3) + "\")\n"
         "  (data (i32.const 90000) \"far\")\n"
         "  (data $pd \"passive\")\n"
         "  (func $one (result i32) (i32.const 1))\n"
         "  (func $two (result i32) (i32.const 2))\n"
         "  (func $start (global.set $starts (i32.add (global.get $starts) (i32.const 1))))\n"
         "  (start $start)\n"
         "  (func (export \"load\") (param i32) (result i32) (i32.load8_u (local.get 0)))\n"
         "  (func (export \"store\") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))\n"
         "  (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0)))\n"
         "  (func (export \"size\") (result i32) (memory.size))\n"
         "  (func (export \"get_g\") (result i32) (global.get $g))\n"
         "  (func (export \"set_g\") (param i32) (global.set $g (local.get 0)))\n"
         "  (func (export \"table_size\") (result i32) (table.size $t))\n"
         "  (func (export \"table_grow\") (param i32) (result i32) (table.grow $t (ref.null func) (local.get 0)))\n"
         "  (func (export \"call_slot\") (param i32) (result i32) (call_indirect (result i32) (local.get 0)))\n"
         "  (func (export \"null_slot\") (param i32) (table.set $t (local.get 0) (ref.null func)))\n"
         "  (func (export \"drop_data\") (data.drop $pd))\n"
         "  (func (export \"init_data\") (param i32) (memory.init $pd (local.get 0) (i32.const 0) (i32.const 7)))\n"
         "  (func (export \"drop_elem\") (elem.drop $passive))\n"
         "  (func (export \"init_elem\") (param i32) (table.init $t $passive (local.get 0) (i32.const 0) (i32.const 1)))\n"
         ")";
}

Result<std::vector<Value>> call(const Instance& instance, std::string_view name, std::vector<Value> args = {}) {
  return instance.call(name, args);
}

int32_t call_i32(const Instance& instance, std::string_view name, std::vector<Value> args = {}) {
  auto result = instance.call(name, args);
  EXPECT_TRUE(result.ok()) << name << ": " << result.error().to_string();
  if (!result.ok() || result->empty()) return -1;
  return (*result)[0].i32();
}

std::vector<uint8_t> memory_bytes(const Instance& instance) {
  auto memory = instance.memory();
  if (!memory) return {};
  return {memory->data().begin(), memory->data().end()};
}

// Everything a request of pool_module() can change, changed.
void scribble(const Instance& instance) {
  for (int32_t address : {0, 100, 101, 4096, 40099, 70000, 90000, 131071}) {
    ASSERT_TRUE(call(instance, "store", {Value::i32(address), Value::i32(0xEE)}).ok());
  }
  EXPECT_EQ(call_i32(instance, "grow", {Value::i32(3)}), 2);
  ASSERT_TRUE(call(instance, "store", {Value::i32(2 * 65536 + 5), Value::i32(0xEE)}).ok());
  ASSERT_TRUE(call(instance, "store", {Value::i32(5 * 65536 - 1), Value::i32(0xEE)}).ok());
  ASSERT_TRUE(call(instance, "set_g", {Value::i32(-1)}).ok());
  EXPECT_EQ(call_i32(instance, "table_grow", {Value::i32(4)}), 2);
  ASSERT_TRUE(call(instance, "null_slot", {Value::i32(0)}).ok());
  ASSERT_TRUE(call(instance, "drop_data").ok());
  ASSERT_TRUE(call(instance, "drop_elem").ok());
}

// The state pool_module() starts in, checked through the guest.
void expect_initial(const Instance& instance, const std::vector<uint8_t>& fresh_memory) {
  EXPECT_EQ(call_i32(instance, "size"), 2);
  EXPECT_EQ(memory_bytes(instance), fresh_memory);
  EXPECT_EQ(call_i32(instance, "get_g"), 7);
  EXPECT_EQ(instance.global("starts")->get().i32(), 1);  // the start function ran once since the reset
  EXPECT_EQ(call_i32(instance, "table_size"), 2);
  EXPECT_EQ(call_i32(instance, "call_slot", {Value::i32(0)}), 1);
  EXPECT_EQ(call_i32(instance, "call_slot", {Value::i32(1)}), 2);
  // Not dropped: initializing from them works.
  EXPECT_TRUE(call(instance, "init_data", {Value::i32(60000)}).ok());
  EXPECT_TRUE(call(instance, "init_elem", {Value::i32(1)}).ok());
  // A grown page is gone: past the initial size traps.
  EXPECT_FALSE(call(instance, "load", {Value::i32(2 * 65536 + 5)}).ok());
}

std::vector<uint8_t> fresh_memory_of(const Engine& engine, const std::shared_ptr<const Module>& module) {
  Store store(engine);
  auto instance = Linker().instantiate(store, module);
  EXPECT_TRUE(instance.ok()) << instance.error().to_string();
  return instance.ok() ? memory_bytes(*instance) : std::vector<uint8_t>{};
}

TEST(InstancePoolTest, ResetInstanceNeverSeesEarlierWrites) {
  for (bool images : {true, false}) {
    SCOPED_TRACE(images ? "images" : "copies");
    EngineConfig config = test_config();
    config.memory_images = images;
    Engine engine(config);
    auto module = compile(pool_module(), engine);
    ASSERT_NE(module, nullptr);
    InstancePoolConfig pool_config;
    pool_config.max_instances = 1;  // every lease is the same instance
    auto pool = InstancePool::create(engine, Linker(), module, pool_config);
    ASSERT_TRUE(pool.ok()) << pool.error().to_string();
    // The pool's instance is the module's first: its segments were copied
    // one by one; the first reset maps the image built by the second.
    for (int round = 0; round < 4; ++round) {
      SCOPED_TRACE("round " + std::to_string(round));
      auto lease = (*pool)->acquire();
      ASSERT_TRUE(lease.ok()) << lease.error().to_string();
      const std::vector<uint8_t> fresh = fresh_memory_of(engine, module);
      ASSERT_EQ(fresh.size(), 2u * 65536);
      EXPECT_EQ(fresh[100], static_cast<uint8_t>(pattern(1, 3)[0]));
      expect_initial(lease->instance(), fresh);
      scribble(lease->instance());
      EXPECT_EQ(lease->store().memory_pages(), 5u);
    }
    const InstancePoolStats stats = (*pool)->stats();
    EXPECT_EQ(stats.created, 1u);
    EXPECT_EQ(stats.reused, 3u);
    EXPECT_EQ(stats.discarded, 0u);
  }
}

TEST(InstancePoolTest, CapsHoldForPooledInstances) {
  EngineConfig config = test_config();
  config.max_memory_pages = 4;        // below the module's maximum of 10
  config.max_store_memory_pages = 3;  // below the per-memory cap
  Engine engine(config);
  auto module = compile(pool_module(), engine);
  ASSERT_NE(module, nullptr);
  InstancePoolConfig pool_config;
  pool_config.max_instances = 1;
  auto pool = InstancePool::create(engine, Linker(), module, pool_config);
  ASSERT_TRUE(pool.ok()) << pool.error().to_string();
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    auto lease = (*pool)->acquire();
    ASSERT_TRUE(lease.ok()) << lease.error().to_string();
    // The reset gave the grown page back to the store's count.
    EXPECT_EQ(lease->store().memory_pages(), 2u);
    EXPECT_EQ(call_i32(lease->instance(), "grow", {Value::i32(2)}), -1);  // 4 pages: past the store's 3
    EXPECT_EQ(call_i32(lease->instance(), "grow", {Value::i32(1)}), 2);
    EXPECT_EQ(call_i32(lease->instance(), "grow", {Value::i32(1)}), -1);
    EXPECT_EQ(lease->store().memory_pages(), 3u);
  }
  // And the per-memory cap, with a roomier store.
  config.max_store_memory_pages = 100;
  Engine roomy(config);
  auto roomy_module = compile(pool_module(), roomy);
  auto roomy_pool = InstancePool::create(roomy, Linker(), roomy_module, pool_config);
  ASSERT_TRUE(roomy_pool.ok());
  for (int round = 0; round < 2; ++round) {
    auto lease = (*roomy_pool)->acquire();
    ASSERT_TRUE(lease.ok());
    EXPECT_EQ(call_i32(lease->instance(), "grow", {Value::i32(3)}), -1);
    EXPECT_EQ(call_i32(lease->instance(), "grow", {Value::i32(2)}), 2);
    EXPECT_EQ(call_i32(lease->instance(), "grow", {Value::i32(1)}), -1);
  }
}

TEST(InstancePoolTest, BoundedPoolRefusesAndDiscardsAsDocumented) {
  Engine engine(test_config());
  auto module = compile(pool_module(), engine);
  ASSERT_NE(module, nullptr);
  InstancePoolConfig pool_config;
  pool_config.max_instances = 2;
  pool_config.max_idle = 1;
  pool_config.prefill = 5;  // capped at max_idle
  auto created = InstancePool::create(engine, Linker(), module, pool_config);
  ASSERT_TRUE(created.ok()) << created.error().to_string();
  InstancePool& pool = **created;
  EXPECT_EQ(pool.stats().live, 1u);
  EXPECT_EQ(pool.stats().idle, 1u);

  auto a = pool.acquire();
  auto b = pool.acquire();
  ASSERT_TRUE(a.ok() && b.ok());
  auto c = pool.acquire();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().limit, ResourceLimit::Instances);
  EXPECT_NE(c.error().message.find("max_instances"), std::string::npos) << c.error().message;
  EXPECT_EQ(pool.stats().refused, 1u);

  a->release();
  EXPECT_FALSE(a->valid());
  EXPECT_EQ(pool.stats().idle, 1u);
  b->release();  // max_idle = 1: destroyed
  InstancePoolStats stats = pool.stats();
  EXPECT_EQ(stats.live, 1u);
  EXPECT_EQ(stats.idle, 1u);
  EXPECT_EQ(stats.discarded, 1u);
  EXPECT_EQ(stats.created, 2u);

  auto d = pool.acquire();
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(pool.stats().reused, 2u);
  // A lease moved from keeps its instance; the moved-from one is empty.
  InstanceLease moved = std::move(*d);
  EXPECT_TRUE(moved.valid());
  EXPECT_FALSE(d->valid());
  EXPECT_EQ(call_i32(moved.instance(), "get_g"), 7);
}

TEST(InstancePoolTest, InstanceWithALiveHandleIsNotReused) {
  Engine engine(test_config());
  auto module = compile(pool_module(), engine);
  ASSERT_NE(module, nullptr);
  InstancePoolConfig pool_config;
  pool_config.max_instances = 1;
  auto pool = InstancePool::create(engine, Linker(), module, pool_config);
  ASSERT_TRUE(pool.ok());
  std::optional<Memory> kept;
  {
    auto lease = (*pool)->acquire();
    ASSERT_TRUE(lease.ok());
    ASSERT_TRUE(call(lease->instance(), "store", {Value::i32(0), Value::i32(42)}).ok());
    kept = lease->instance().memory();
  }
  EXPECT_EQ((*pool)->stats().discarded, 1u);
  // The handle still reaches its own instance, untouched by later leases.
  auto next = (*pool)->acquire();
  ASSERT_TRUE(next.ok());
  ASSERT_TRUE(call(next->instance(), "store", {Value::i32(0), Value::i32(7)}).ok());
  EXPECT_EQ(kept->data()[0], 42);
  EXPECT_EQ((*pool)->stats().created, 2u);
}

TEST(InstancePoolTest, FailedResetDiscardsTheInstance) {
  Engine engine(test_config());
  const std::string text =
      "(module (import \"env\" \"check\" (func $check))\n"
      "  (global $g (export \"g\") (mut i32) (i32.const 0))\n"
      "  (func $start (call $check) (global.set $g (i32.const 1)))\n"
      "  (start $start))";
  auto module = compile(text, engine);
  ASSERT_NE(module, nullptr);
  auto fail = std::make_shared<std::atomic<bool>>(false);
  Linker linker;
  linker.define("env", "check", [fail](HostContext& ctx) {
    if (fail->load()) ctx.trap("start refused");
  });
  InstancePoolConfig pool_config;
  pool_config.max_instances = 1;
  auto pool = InstancePool::create(engine, linker, module, pool_config);
  ASSERT_TRUE(pool.ok()) << pool.error().to_string();
  {
    auto lease = (*pool)->acquire();
    ASSERT_TRUE(lease.ok());
    fail->store(true);  // the reset at release runs the start function: it traps
  }
  EXPECT_EQ((*pool)->stats().discarded, 1u);
  EXPECT_EQ((*pool)->stats().live, 0u);
  auto again = (*pool)->acquire();  // a new instance: its start function traps too
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().phase, Phase::Trap);
  EXPECT_EQ((*pool)->stats().live, 0u);
  fail->store(false);
  auto good = (*pool)->acquire();
  ASSERT_TRUE(good.ok()) << good.error().to_string();
  EXPECT_EQ(good->instance().global("g")->get().i32(), 1);
}

TEST(InstancePoolTest, StoreStateIsFreshAfterReset) {
  EngineConfig config = test_config();
  Engine engine(config);
  auto module = compile(pool_module(), engine);
  ASSERT_NE(module, nullptr);
  InstancePoolConfig pool_config;
  pool_config.max_instances = 1;
  auto pool = InstancePool::create(engine, Linker(), module, pool_config);
  ASSERT_TRUE(pool.ok());
  InterruptHandle old_handle;
  {
    auto lease = (*pool)->acquire();
    ASSERT_TRUE(lease.ok());
    lease->store().set_timeout(std::chrono::nanoseconds(1));
    old_handle = lease->store().interrupt_handle();
  }
  // An interrupt through the last request's handle cannot stop this one,
  // and its timeout is gone.
  old_handle.interrupt();
  auto lease = (*pool)->acquire();
  ASSERT_TRUE(lease.ok());
  EXPECT_EQ(call_i32(lease->instance(), "get_g"), 7);
}

TEST(InstancePoolTest, RefusesImportsAResetCannotRestore) {
  Engine engine(test_config());
  auto wasi_module =
      compile("(module (import \"wasi_snapshot_preview1\" \"proc_exit\" (func (param i32))))", engine);
  auto memory_module = compile("(module (import \"env\" \"memory\" (memory 1)))", engine);
  ASSERT_NE(wasi_module, nullptr);
  ASSERT_NE(memory_module, nullptr);
  auto wasi_pool = InstancePool::create(engine, Linker(), wasi_module);
  ASSERT_FALSE(wasi_pool.ok());
  EXPECT_NE(wasi_pool.error().message.find("WASI"), std::string::npos) << wasi_pool.error().message;
  auto memory_pool = InstancePool::create(engine, Linker(), memory_module);
  ASSERT_FALSE(memory_pool.ok());
  EXPECT_NE(memory_pool.error().message.find("memory"), std::string::npos) << memory_pool.error().message;
}

// ---- reservations and memory resets, below the API ----------------------

// The protection of the page holding `address` in /proc/self/maps ("rw-p").
std::string protection_at(const void* address) {
  const auto at = reinterpret_cast<uintptr_t>(address);
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    const size_t dash = line.find('-');
    const size_t space = line.find(' ');
    const uintptr_t start = std::stoull(line.substr(0, dash), nullptr, 16);
    const uintptr_t end = std::stoull(line.substr(dash + 1, space - dash - 1), nullptr, 16);
    if (at >= start && at < end) return line.substr(space + 1, 4);
  }
  return "";
}

TEST(ReservationPoolTest, KeptReservationHoldsNothingOfItsLastMemory) {
  auto reservations = std::make_shared<ReservationPool>(1);
  MemoryLimits limits;
  limits.reservations = reservations;
  uint8_t* first_base = nullptr;
  {
    auto memory = LinearMemory::create(1, std::nullopt, limits);
    ASSERT_TRUE(memory.ok());
    if (!(*memory)->has_guard_regions()) GTEST_SKIP() << "no guarded reservation here";
    first_base = (*memory)->base();
    ASSERT_EQ((*memory)->grow(2), 1);
    std::memset(first_base, 0xAB, 3 * kPageSize);
  }
  EXPECT_EQ(reservations->kept(), 1u);
  auto memory = LinearMemory::create(1, std::nullopt, limits);
  ASSERT_TRUE(memory.ok());
  EXPECT_EQ((*memory)->base(), first_base);  // the same reservation, reused
  EXPECT_EQ(reservations->kept(), 0u);
  const std::vector<uint8_t> zeros(kPageSize, 0);
  EXPECT_EQ(std::memcmp((*memory)->base(), zeros.data(), kPageSize), 0);
  // The pages the last memory grew into are inaccessible again.
  EXPECT_EQ(protection_at(first_base + kPageSize), "---p");
  EXPECT_EQ(protection_at(first_base), "rw-p");
  ASSERT_EQ((*memory)->grow(1), 1);
  EXPECT_EQ(std::memcmp((*memory)->base() + kPageSize, zeros.data(), kPageSize), 0);
  {
    std::unique_ptr<LinearMemory> second = std::move(memory).value();
    std::memset(second->base(), 0xCD, 2 * kPageSize);
  }  // back to the pool with its 2 pages accessible
  // Taken by a memory of 4 pages: every byte zero, past them inaccessible.
  auto four = LinearMemory::create(4, std::nullopt, limits);
  ASSERT_TRUE(four.ok());
  EXPECT_EQ((*four)->base(), first_base);
  for (uint64_t page = 0; page < 4; ++page) {
    EXPECT_EQ(std::memcmp((*four)->base() + page * kPageSize, zeros.data(), kPageSize), 0) << page;
  }
  EXPECT_EQ(protection_at(first_base + 4 * kPageSize), "---p");
}

// A memory that mapped a module's image gives its reservation back
// without the image: the next memory (of any module) reads zero there.
TEST(ReservationPoolTest, KeptReservationDropsTheImageMapping) {
  const uint64_t page = MemoryImage::page_size();
  std::vector<uint8_t> contents(8 * page, 0x5A);
  auto image = MemoryImage::create(contents, MemoryImage::nonzero_runs(contents, 0));
  if (image == nullptr) GTEST_SKIP() << "no memfd here";
  auto reservations = std::make_shared<ReservationPool>(1);
  MemoryLimits limits;
  limits.reservations = reservations;
  uint8_t* first_base = nullptr;
  {
    auto memory = LinearMemory::create(1, std::nullopt, limits);
    ASSERT_TRUE(memory.ok());
    if (!(*memory)->has_guard_regions()) GTEST_SKIP() << "no guarded reservation here";
    ASSERT_TRUE((*memory)->map_image(*image));
    first_base = (*memory)->base();
    ASSERT_EQ(first_base[0], 0x5A);
    first_base[page] = 0x77;  // a private copy, too
  }
  auto memory = LinearMemory::create(1, std::nullopt, limits);
  ASSERT_TRUE(memory.ok());
  EXPECT_EQ((*memory)->base(), first_base);
  const std::vector<uint8_t> zeros(contents.size(), 0);
  EXPECT_EQ(std::memcmp((*memory)->base(), zeros.data(), zeros.size()), 0);
}

TEST(ReservationPoolTest, KeepsAtMostItsBound) {
  auto reservations = std::make_shared<ReservationPool>(2);
  MemoryLimits limits;
  limits.reservations = reservations;
  {
    std::vector<std::unique_ptr<LinearMemory>> memories;
    for (int i = 0; i < 4; ++i) {
      auto memory = LinearMemory::create(1, std::nullopt, limits);
      ASSERT_TRUE(memory.ok());
      if (!(*memory)->has_guard_regions()) GTEST_SKIP() << "no guarded reservation here";
      memories.push_back(std::move(memory).value());
    }
  }
  EXPECT_EQ(reservations->kept(), 2u);
}

TEST(ReservationPoolTest, ReusedValueStackReadsAsZero) {
  auto reservations = std::make_shared<ReservationPool>(4);
  constexpr size_t kCells = 1 << 16;
  Cell* first = nullptr;
  {
    ExecContext ctx(kCells, 100, reservations);
    first = ctx.stack.get();
    for (size_t i = 0; i < kCells; i += 512) ctx.stack[i] = 0xDEADBEEF;
  }
  EXPECT_EQ(reservations->kept(), 1u);
  // A memory never takes a kept stack.
  MemoryLimits limits;
  limits.reservations = reservations;
  { auto memory = LinearMemory::create(1, std::nullopt, limits); }
  ExecContext ctx(kCells, 100, reservations);
  EXPECT_EQ(ctx.stack.get(), first);
  for (size_t i = 0; i < kCells; i += 512) ASSERT_EQ(ctx.stack[i], 0u) << i;
}

TEST(ReservationPoolTest, ResetToInitialRestoresTheImageAndDropsGrownPages) {
  const uint64_t page = MemoryImage::page_size();
  std::vector<uint8_t> contents(4 * page, 0);
  for (size_t i = 0; i < contents.size(); ++i) contents[i] = static_cast<uint8_t>(i * 13 + 1);
  auto image = MemoryImage::create(contents, MemoryImage::nonzero_runs(contents, 0));
  if (image == nullptr) GTEST_SKIP() << "no memfd here";
  auto memory = LinearMemory::create(1, std::nullopt, {});
  ASSERT_TRUE(memory.ok());
  ASSERT_TRUE((*memory)->map_image(*image));
  uint8_t* base = (*memory)->base();
  std::memset(base, 0, 2 * page);                 // over the image
  std::memset(base + 5 * page, 0x55, page);       // past it
  ASSERT_EQ((*memory)->grow(1), 1);
  std::memset(base + kPageSize, 0x66, kPageSize);  // the grown page
  ASSERT_TRUE((*memory)->reset_to_initial(1));
  EXPECT_EQ((*memory)->pages(), 1u);
  EXPECT_EQ(std::memcmp(base, contents.data(), contents.size()), 0);
  const std::vector<uint8_t> zeros(kPageSize - contents.size(), 0);
  EXPECT_EQ(std::memcmp(base + contents.size(), zeros.data(), zeros.size()), 0);
  EXPECT_EQ(protection_at(base + kPageSize), "---p");
  ASSERT_EQ((*memory)->grow(1), 1);
  EXPECT_EQ(base[kPageSize], 0);
}

}  // namespace
}  // namespace wasmrt
