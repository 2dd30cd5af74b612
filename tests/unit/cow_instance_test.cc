// Copy-on-write instantiation (runtime/memory/memory_image.h): instances of
// a module whose data segments are constant map one shared image of their
// initial memory. These tests check that nothing observable changes: each
// instance sees only its own writes, grow, traps, data.drop/memory.init and
// the fallbacks (imported memory, global offsets) behave as when every
// segment is copied one by one (EngineConfig::memory_images off), on
// every tier.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tests/unit/test_tier.h"
#include "wasmrt/wasmrt.h"

namespace wasmrt {
namespace {

Engine engine_with_images(bool images) {
  EngineConfig config = test_config();
  config.memory_images = images;
  return Engine(config);
}

// `n` printable bytes that depend on `seed` and the position, so a page
// of one segment never looks like another's.
std::string pattern(size_t n, int seed) {
  std::string out(n, ' ');
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<char>('A' + (i * 7 + static_cast<size_t>(seed)) % 26);
  return out;
}

// A module's first instantiation applies its segments one by one (the
// plan, and its image, are built by the second: compiled_module.h); tests
// of the image instantiate once first.
void warm_up(const Engine& engine, const std::shared_ptr<const Module>& module) {
  Store store(engine);
  auto instance = Linker().instantiate(store, module);
  ASSERT_TRUE(instance.ok()) << instance.error().to_string();
}

// True if some mapping of the memory image memfd starts inside `memory`:
// proves the copy-on-write path ran (or did not).
bool maps_an_image(const Memory& memory) {
  const auto base = reinterpret_cast<uintptr_t>(memory.data().data());
  const uintptr_t end = base + memory.size_bytes();
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    if (line.find("wasmrt-memory-image") == std::string::npos) continue;
    const uintptr_t start = std::stoull(line.substr(0, line.find('-')), nullptr, 16);
    if (start >= base && start < end) return true;
  }
  return false;
}

// A module with 3 pages of memory, a big segment (an image), a small one
// past a hole of zero pages, two overlapping ones, a zero-length one, an
// all-zero one and a passive one; functions to read, write, grow, init
// and drop.
std::string image_module(const std::string& memory_decl = "(memory (export \"memory\") 3 6)") {
  return "(module " + memory_decl +
         "\n"
         "  (data (i32.const 100) \"" + pattern(40000, 1) + "\")\n"
         "  (data (i32.const 120000) \"tail\")\n"
         "  (data (i32.const 50000) \"" + pattern(300, 2) + "\")\n"
         "  (data (i32.const 50100) \"OVERLAP\")\n"
         "  (data (i32.const 196608) \"\")\n"
         "  (data (i32.const 70000) \"\\00\\00\\00\\00\")\n"
         "  (data $passive \"passive bytes\")\n"
         "  (func (export \"load\") (param i32) (result i32) (i32.load8_u (local.get 0)))\n"
         "  (func (export \"store\") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))\n"
         "  (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0)))\n"
         "  (func (export \"size\") (result i32) (memory.size))\n"
         "  (func (export \"init\") (param i32 i32 i32) (memory.init $passive (local.get 0) (local.get 1) (local.get 2)))\n"
         "  (func (export \"init_active\") (param i32 i32 i32) (memory.init 0 (local.get 0) (local.get 1) (local.get 2)))\n"
         "  (func (export \"drop\") (data.drop $passive))\n"
         ")";
}

int32_t call_i32(const Instance& instance, std::string_view name, std::vector<Value> args) {
  auto result = instance.call(name, args);
  EXPECT_TRUE(result.ok()) << name << ": " << result.error().to_string();
  if (!result.ok() || result->empty()) return -1;
  return (*result)[0].i32();
}

std::vector<uint8_t> contents(const Instance& instance) {
  auto memory = instance.memory();
  if (!memory) return {};
  return {memory->data().begin(), memory->data().end()};
}

TEST(CowInstanceTest, SameBytesAsCopyingEverySegment) {
  const std::string text = image_module();
  for (bool images : {true, false}) {
    SCOPED_TRACE(images ? "images" : "copies");
    Engine engine = engine_with_images(images);
    auto module = compile(text, engine);
    ASSERT_NE(module, nullptr);
    // The first instantiation copies every segment, the second builds the
    // image and maps it, the third maps the finished one.
    for (int round = 0; round < 3; ++round) {
      Store store(engine);
      auto instance = Linker().instantiate(store, module);
      ASSERT_TRUE(instance.ok()) << instance.error().to_string();
      std::vector<uint8_t> expected(3 * 65536, 0);
      const std::string big = pattern(40000, 1);
      std::memcpy(expected.data() + 100, big.data(), big.size());
      std::memcpy(expected.data() + 120000, "tail", 4);
      const std::string mid = pattern(300, 2);
      std::memcpy(expected.data() + 50000, mid.data(), mid.size());
      std::memcpy(expected.data() + 50100, "OVERLAP", 7);
      EXPECT_TRUE(contents(*instance) == expected);
      EXPECT_EQ(maps_an_image(*instance->memory()), images && round > 0);
    }
  }
}

TEST(CowInstanceTest, InstancesNeverSeeEachOthersWrites) {
  Engine engine = engine_with_images(true);
  auto module = compile(image_module(), engine);
  ASSERT_NE(module, nullptr);
  const uint8_t pristine = static_cast<uint8_t>(pattern(40000, 1)[1000]);
  warm_up(engine, module);

  // Two instances in one store and one in another: each writes the same
  // image byte (and the host writes another through the exported memory),
  // and reads back only its own.
  Store shared_store(engine);
  Store other_store(engine);
  auto a = Linker().instantiate(shared_store, module);
  auto b = Linker().instantiate(shared_store, module);
  auto c = Linker().instantiate(other_store, module);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  ASSERT_TRUE(maps_an_image(*a->memory()) && maps_an_image(*b->memory()) && maps_an_image(*c->memory()));
  const std::vector<Instance*> instances = {&*a, &*b, &*c};
  for (size_t i = 0; i < instances.size(); ++i) {
    EXPECT_EQ(call_i32(*instances[i], "load", {Value::i32(1100)}), pristine);
    ASSERT_TRUE(instances[i]->call("store", {Value::i32(1100), Value::i32(static_cast<int32_t>(i + 1))}).ok());
    // A page the image does not cover (zero in the image's hole).
    ASSERT_TRUE(instances[i]->call("store", {Value::i32(90000), Value::i32(static_cast<int32_t>(i + 11))}).ok());
    const uint8_t host_byte = static_cast<uint8_t>(0xA0 + i);
    ASSERT_TRUE(instances[i]->memory()->write(20000, std::span<const uint8_t>(&host_byte, 1)).ok());
  }
  for (size_t i = 0; i < instances.size(); ++i) {
    EXPECT_EQ(call_i32(*instances[i], "load", {Value::i32(1100)}), static_cast<int32_t>(i + 1));
    EXPECT_EQ(call_i32(*instances[i], "load", {Value::i32(90000)}), static_cast<int32_t>(i + 11));
    EXPECT_EQ(call_i32(*instances[i], "load", {Value::i32(20000)}), static_cast<int32_t>(0xA0 + i));
  }
  // Made after all those writes, a new instance sees the pristine image.
  Store late_store(engine);
  auto late = Linker().instantiate(late_store, module);
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(call_i32(*late, "load", {Value::i32(1100)}), pristine);
  EXPECT_EQ(call_i32(*late, "load", {Value::i32(90000)}), 0);
  EXPECT_EQ(call_i32(*late, "load", {Value::i32(20000)}), static_cast<uint8_t>(pattern(40000, 1)[19900]));
}

TEST(CowInstanceTest, ConcurrentFirstInstantiationsShareOneImage) {
  Engine engine = engine_with_images(true);
  auto module = compile(image_module(), engine);
  ASSERT_NE(module, nullptr);
  const std::string big = pattern(40000, 1);
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round) {
        Store store(engine);
        auto instance = Linker().instantiate(store, module);
        if (!instance.ok()) return;
        auto memory = instance->memory();
        if (std::memcmp(memory->data().data() + 100, big.data(), big.size()) != 0) return;
        memory->data()[100] = static_cast<uint8_t>(t);  // private to this instance
        if (memory->data()[100] != t) return;
      }
      ok[t] = 1;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(ok, std::vector<int>(4, 1));
}

TEST(CowInstanceTest, GrowAfterMappingTheImage) {
  for (bool images : {true, false}) {
    SCOPED_TRACE(images ? "images" : "copies");
    Engine engine = engine_with_images(images);
    auto module = compile(image_module(), engine);
    ASSERT_NE(module, nullptr);
    warm_up(engine, module);
    Store store(engine);
    auto instance = Linker().instantiate(store, module);
    ASSERT_TRUE(instance.ok());
    EXPECT_EQ(maps_an_image(*instance->memory()), images);
    EXPECT_EQ(call_i32(*instance, "grow", {Value::i32(2)}), 3);
    EXPECT_EQ(call_i32(*instance, "size", {}), 5);
    EXPECT_EQ(store.memory_pages(), 5u);
    // The new pages are zero and writable; the image's pages are intact.
    EXPECT_EQ(call_i32(*instance, "load", {Value::i32(5 * 65536 - 1)}), 0);
    ASSERT_TRUE(instance->call("store", {Value::i32(5 * 65536 - 1), Value::i32(77)}).ok());
    EXPECT_EQ(call_i32(*instance, "load", {Value::i32(5 * 65536 - 1)}), 77);
    EXPECT_EQ(call_i32(*instance, "load", {Value::i32(100)}), static_cast<uint8_t>(pattern(40000, 1)[0]));
    EXPECT_EQ(call_i32(*instance, "load", {Value::i32(120003)}), 'l');
    // Past the declared maximum: -1, memory unchanged.
    EXPECT_EQ(call_i32(*instance, "grow", {Value::i32(2)}), -1);
    EXPECT_EQ(call_i32(*instance, "size", {}), 5);
    // Out of bounds right past the end still traps (the guard region or
    // the explicit check, per tier).
    auto past = instance->call("load", {Value::i32(5 * 65536)});
    ASSERT_FALSE(past.ok());
    EXPECT_EQ(past.error().message, "out of bounds memory access");
    // The host sees the grown memory through the export.
    EXPECT_EQ(instance->memory()->size_bytes(), 5u * 65536);
    EXPECT_EQ(instance->memory()->data()[5 * 65536 - 1], 77);
  }
}

TEST(CowInstanceTest, DataDropAndMemoryInitReadTheModule) {
  Engine engine = engine_with_images(true);
  auto module = compile(image_module(), engine);
  ASSERT_NE(module, nullptr);
  for (int round = 0; round < 3; ++round) {
    Store store(engine);
    auto instance = Linker().instantiate(store, module);
    ASSERT_TRUE(instance.ok());
    EXPECT_EQ(maps_an_image(*instance->memory()), round > 0);
    // The passive segment is intact in every instance, even after another
    // instance dropped it.
    ASSERT_TRUE(instance->call("init", {Value::i32(140000), Value::i32(0), Value::i32(13)}).ok());
    std::vector<uint8_t> got(13);
    ASSERT_TRUE(instance->memory()->read(140000, got).ok());
    EXPECT_EQ(std::string(got.begin(), got.end()), "passive bytes");
    // Active segments were dropped by instantiation: only an empty init at
    // offset 0 is allowed.
    EXPECT_TRUE(instance->call("init_active", {Value::i32(0), Value::i32(0), Value::i32(0)}).ok());
    auto active = instance->call("init_active", {Value::i32(0), Value::i32(0), Value::i32(1)});
    ASSERT_FALSE(active.ok());
    EXPECT_EQ(active.error().message, "out of bounds memory access");
    ASSERT_TRUE(instance->call("drop", {}).ok());
    auto dropped = instance->call("init", {Value::i32(0), Value::i32(0), Value::i32(1)});
    ASSERT_FALSE(dropped.ok());
    EXPECT_EQ(dropped.error().message, "out of bounds memory access");
  }
}

// A segment out of bounds traps at instantiation after the segments
// before it wrote their bytes, which a function the failed instance left
// in an imported table can still read: both paths behave alike.
TEST(CowInstanceTest, TrappingSegmentKeepsEarlierWrites) {
  for (bool images : {true, false}) {
    SCOPED_TRACE(images ? "images" : "copies");
    Engine engine = engine_with_images(images);
    Store store(engine);
    Linker linker;
    auto exporter_module = compile(R"((module
      (table (export "tab") 4 funcref)
      (type $t (func (param i32) (result i32)))
      (func (export "call") (param i32 i32) (result i32)
        (call_indirect (type $t) (local.get 1) (local.get 0)))))",
                                   engine);
    ASSERT_NE(exporter_module, nullptr);
    auto exporter = linker.instantiate(store, exporter_module);
    ASSERT_TRUE(exporter.ok());
    linker.define_instance("m", *exporter);
    const std::string failing = "(module (import \"m\" \"tab\" (table 4 funcref)) (memory 1)\n"
                                "  (func $peek (param i32) (result i32) (i32.load8_u (local.get 0)))\n"
                                "  (elem (i32.const 1) $peek)\n"
                                "  (data (i32.const 0) \"" + pattern(30000, 3) + "\")\n"
                                "  (data (i32.const 65530) \"too long\"))";
    auto module = compile(failing, engine);
    ASSERT_NE(module, nullptr);
    for (int round = 0; round < 3; ++round) {
      auto failed = linker.instantiate(store, module);
      ASSERT_FALSE(failed.ok());
      EXPECT_EQ(failed.error().phase, Phase::Trap);
      EXPECT_EQ(failed.error().message, "out of bounds memory access");
      // The first segment's bytes are there; the trapping one wrote none.
      EXPECT_EQ(call_i32(*exporter, "call", {Value::i32(1), Value::i32(29999)}),
                static_cast<uint8_t>(pattern(30000, 3)[29999]));
      EXPECT_EQ(call_i32(*exporter, "call", {Value::i32(1), Value::i32(65530)}), 0);
    }
  }
}

TEST(CowInstanceTest, ImportedMemoryAndGlobalOffsetsFallBack) {
  Engine engine = engine_with_images(true);
  Store store(engine);
  Linker linker;
  auto exporter_module = compile(R"((module (memory (export "mem") 2) (global (export "base") i32 (i32.const 4096))))",
                                 engine);
  ASSERT_NE(exporter_module, nullptr);
  auto exporter = linker.instantiate(store, exporter_module);
  ASSERT_TRUE(exporter.ok());
  linker.define_instance("m", *exporter);

  // Into an imported memory: written in place, no image.
  const std::string big = pattern(40000, 4);
  auto importer = compile("(module (import \"m\" \"mem\" (memory 1)) (data (i32.const 8) \"" + big + "\"))", engine);
  ASSERT_NE(importer, nullptr);
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(linker.instantiate(store, importer).ok());
    auto memory = exporter->memory("mem");
    ASSERT_TRUE(memory.has_value());
    EXPECT_EQ(std::memcmp(memory->data().data() + 8, big.data(), big.size()), 0);
    EXPECT_FALSE(maps_an_image(*memory));
    memory->data()[8] = 0;  // the second round must write it again
  }

  // An offset read from an imported global: evaluated per instance.
  auto global_offset = compile("(module (import \"m\" \"base\" (global i32)) (memory (export \"memory\") 1)"
                               " (data (global.get 0) \"" + big + "\"))",
                               engine);
  ASSERT_NE(global_offset, nullptr);
  for (int round = 0; round < 3; ++round) {
    auto instance = linker.instantiate(store, global_offset);
    ASSERT_TRUE(instance.ok()) << instance.error().to_string();
    EXPECT_EQ(std::memcmp(instance->memory()->data().data() + 4096, big.data(), big.size()), 0);
    EXPECT_EQ(instance->memory()->data()[4095], 0);
    EXPECT_FALSE(maps_an_image(*instance->memory()));
  }
}

TEST(CowInstanceTest, ModulesWithoutDataOrMemory) {
  Engine engine = engine_with_images(true);
  auto no_data = compile(R"((module (memory (export "memory") 1 2)
    (func (export "grow") (result i32) (memory.grow (i32.const 1)))))",
                         engine);
  auto no_memory = compile(R"((module (func (export "f") (result i32) (i32.const 5))))", engine);
  auto small_data = compile(R"((module (memory (export "memory") 1) (data (i32.const 16) "hello")))", engine);
  ASSERT_TRUE(no_data && no_memory && small_data);
  for (int round = 0; round < 3; ++round) {
    Store store(engine);
    auto a = Linker().instantiate(store, no_data);
    ASSERT_TRUE(a.ok());
    EXPECT_TRUE(std::all_of(a->memory()->data().begin(), a->memory()->data().end(), [](uint8_t b) { return b == 0; }));
    EXPECT_FALSE(maps_an_image(*a->memory()));
    EXPECT_EQ(call_i32(*a, "grow", {}), 1);
    auto b = Linker().instantiate(store, no_memory);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(call_i32(*b, "f", {}), 5);
    // A few bytes are copied, not mapped (cheaper).
    auto c = Linker().instantiate(store, small_data);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(std::memcmp(c->memory()->data().data() + 16, "hello", 5), 0);
    EXPECT_FALSE(maps_an_image(*c->memory()));
  }
}

TEST(CowInstanceTest, SandboxLimitsStillApply) {
  EngineConfig config = test_config();
  config.max_memory_pages = 4;
  config.max_store_memory_pages = 5;
  Engine engine(config);
  auto module = compile(image_module(), engine);
  ASSERT_NE(module, nullptr);
  warm_up(engine, module);
  Store store(engine);
  auto first = Linker().instantiate(store, module);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(maps_an_image(*first->memory()));
  EXPECT_EQ(store.memory_pages(), 3u);
  // The per-memory cap (4) binds before the module's maximum (6).
  EXPECT_EQ(call_i32(*first, "grow", {Value::i32(2)}), -1);
  EXPECT_EQ(call_i32(*first, "grow", {Value::i32(1)}), 3);
  // A second instance's 3 pages would pass the store's 5.
  auto second = Linker().instantiate(store, module);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().limit, ResourceLimit::StoreMemoryPages);
  EXPECT_EQ(store.memory_pages(), 4u);
}

}  // namespace
}  // namespace wasmrt
