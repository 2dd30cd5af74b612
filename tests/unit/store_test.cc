// Store, linking, instantiation and the public embedding API (v1).
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "tests/unit/test_tier.h"
#include "wasmrt/wasmrt.h"

namespace wasmrt {
namespace {

// compile (test_tier.h), by default on the tier under test.
using wasmrt::compile;
std::shared_ptr<const Module> compile(std::string_view text) { return compile(text, test_engine()); }

// The text converter does not emit a name section, so tests that check
// backtrace names append one ("name" custom section, function names).
std::vector<uint8_t> with_function_names(std::span<const uint8_t> binary,
                                         const std::vector<std::pair<uint32_t, std::string>>& names) {
  auto leb = [](std::vector<uint8_t>& out, uint32_t v) {
    do {
      uint8_t byte = v & 0x7F;
      v >>= 7;
      out.push_back(v != 0 ? byte | 0x80 : byte);
    } while (v != 0);
  };
  std::vector<uint8_t> map;
  leb(map, static_cast<uint32_t>(names.size()));
  for (const auto& [index, name] : names) {
    leb(map, index);
    leb(map, static_cast<uint32_t>(name.size()));
    map.insert(map.end(), name.begin(), name.end());
  }
  std::vector<uint8_t> content = {4, 'n', 'a', 'm', 'e', 1};
  leb(content, static_cast<uint32_t>(map.size()));
  content.insert(content.end(), map.begin(), map.end());
  std::vector<uint8_t> out(binary.begin(), binary.end());
  out.push_back(0);
  leb(out, static_cast<uint32_t>(content.size()));
  out.insert(out.end(), content.begin(), content.end());
  return out;
}

Result<Instance> instantiate(std::string_view text, const Linker& linker = Linker(), Store store = Store()) {
  auto module = compile(text);
  if (module == nullptr) return Error{Phase::Invalid, "did not compile"};
  return linker.instantiate(store, module);
}

TEST(StoreTest, CallsExportWithTypedValues) {
  auto instance = instantiate(R"((module
    (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    (func (export "mix") (param i64 f32 f64) (result f64 i64)
      (f64.add (f64.promote_f32 (local.get 1)) (local.get 2)) (local.get 0))))");
  ASSERT_TRUE(instance.ok()) << instance.error().to_string();
  auto sum = instance->call("add", {Value::i32(40), Value::i32(2)});
  ASSERT_TRUE(sum.ok()) << sum.error().to_string();
  ASSERT_EQ(sum->size(), 1u);
  EXPECT_EQ((*sum)[0].type(), ValueType::I32);
  EXPECT_EQ((*sum)[0].i32(), 42);

  auto mixed = instance->call("mix", {Value::i64(-7), Value::f32(1.5f), Value::f64(2.25)});
  ASSERT_TRUE(mixed.ok()) << mixed.error().to_string();
  ASSERT_EQ(mixed->size(), 2u);
  EXPECT_EQ((*mixed)[0].f64(), 3.75);
  EXPECT_EQ((*mixed)[1].i64(), -7);
}

TEST(StoreTest, RejectsWrongArguments) {
  auto instance = instantiate(R"((module (func (export "f") (param i32))))");
  ASSERT_TRUE(instance.ok());
  auto wrong_type = instance->call("f", {Value::i64(1)});
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_EQ(wrong_type.error().phase, Phase::Invalid);
  EXPECT_FALSE(instance->call("f", {}).ok());
  auto missing = instance->call("g", {});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().phase, Phase::Unlinkable);
}

TEST(StoreTest, TypedHostFunction) {
  Linker linker;
  int calls = 0;
  linker.define("env", "add", [&calls](HostContext&, int32_t a, int32_t b) -> int32_t {
    ++calls;
    return a + b;
  });
  linker.define("env", "pair", [](HostContext&, double x) { return std::tuple<int64_t, double>(7, x * 2); });
  auto instance = instantiate(R"((module
    (import "env" "add" (func $add (param i32 i32) (result i32)))
    (import "env" "pair" (func $pair (param f64) (result i64 f64)))
    (func (export "run") (param i32) (result i32)
      (call $add (local.get 0) (i32.const 100)))
    (func (export "run_pair") (result f64) (local f64)
      (call $pair (f64.const 1.25)) (local.set 0) (drop) (local.get 0))))",
                              linker);
  ASSERT_TRUE(instance.ok()) << instance.error().to_string();
  auto result = instance->call("run", {Value::i32(5)});
  ASSERT_TRUE(result.ok()) << result.error().to_string();
  EXPECT_EQ((*result)[0].i32(), 105);
  EXPECT_EQ(calls, 1);
  auto pair = instance->call("run_pair", {});
  ASSERT_TRUE(pair.ok()) << pair.error().to_string();
  EXPECT_EQ((*pair)[0].f64(), 2.5);
}

// i32.wrap_i64 emits no code, so inside compiled code an i32 cell may keep
// the upper half of the i64 it came from. Everything that leaves compiled
// code must still be zero-extended: results, untyped host arguments and
// globals read by the embedder.
TEST(StoreTest, WrappedI32ValuesLeaveCompiledCodeZeroExtended) {
  Linker linker;
  std::vector<uint64_t> host_args;
  HostFunction raw;
  raw.signature.params = {ValueType::I32, ValueType::F32};
  raw.callback = [&host_args](HostContext&, const uint64_t* args, uint64_t*) {
    host_args.assign(args, args + 2);
  };
  linker.define("env", "raw", raw);
  Store store;
  auto module = compile(R"((module
    (import "env" "raw" (func $raw (param i32 f32)))
    (global $g (export "g") (mut i32) (i32.const 0))
    (func (export "wrap") (param i64) (result i32) (i32.wrap_i64 (local.get 0)))
    (func (export "wrap_sum") (param i64 i64) (result i32)
      (i32.wrap_i64 (i64.add (local.get 0) (local.get 1))))
    (func (export "to_host") (param i64)
      (call $raw (i32.wrap_i64 (local.get 0))
                 (f32.reinterpret_i32 (i32.wrap_i64 (local.get 0)))))
    (func (export "set_global") (param i64) (global.set $g (i32.wrap_i64 (local.get 0))))))");
  ASSERT_NE(module, nullptr);
  auto instance = linker.instantiate(store, module);
  ASSERT_TRUE(instance.ok()) << instance.error().to_string();
  const uint64_t big = 0xDEAD'BEEF'1234'5678u;

  auto wrapped = instance->call("wrap", {Value::i64(static_cast<int64_t>(big))});
  ASSERT_TRUE(wrapped.ok());
  EXPECT_EQ((*wrapped)[0].low_bits(), 0x1234'5678u);
  auto sum = instance->call("wrap_sum", {Value::i64(static_cast<int64_t>(big)), Value::i64(1)});
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ((*sum)[0].low_bits(), 0x1234'5679u);

  ASSERT_TRUE(instance->call("to_host", {Value::i64(static_cast<int64_t>(big))}).ok());
  ASSERT_EQ(host_args.size(), 2u);
  EXPECT_EQ(host_args[0], 0x1234'5678u);
  EXPECT_EQ(host_args[1], 0x1234'5678u);

  ASSERT_TRUE(instance->call("set_global", {Value::i64(static_cast<int64_t>(0xDEAD'BEEF'0000'0010u))}).ok());
  auto global = instance->global("g");
  ASSERT_TRUE(global.has_value());
  EXPECT_EQ(global->get().low_bits(), 16u);
}

TEST(StoreTest, HostFunctionReadsCallerMemoryAndTraps) {
  Linker linker;
  std::string seen;
  linker.define("env", "log", [&seen](HostContext& ctx, uint32_t ptr, uint32_t len) {
    std::string text(len, '\0');
    if (!ctx.read(ptr, std::span<uint8_t>(reinterpret_cast<uint8_t*>(text.data()), len))) {
      ctx.trap("log: bad pointer");
      return;
    }
    seen = text;
    uint32_t marker = 0xABCD;
    ctx.store(0, marker);
  });
  auto text_module = compile(R"((module
    (import "env" "log" (func $log (param i32 i32)))
    (memory (export "memory") 1)
    (data (i32.const 16) "hello, host")
    (func $inner (export "log") (param i32 i32) (call $log (local.get 0) (local.get 1)))
    (func $outer (export "outer") (param i32 i32) (call $inner (local.get 0) (local.get 1)))))");
  ASSERT_NE(text_module, nullptr);
  auto named = Module::compile(with_function_names(text_module->binary(), {{1, "inner"}, {2, "outer"}}));
  ASSERT_TRUE(named.ok()) << named.error().to_string();
  Store store;
  auto instance = linker.instantiate(store, named.value());
  ASSERT_TRUE(instance.ok()) << instance.error().to_string();
  ASSERT_TRUE(instance->call("log", {Value::i32(16), Value::i32(11)}).ok());
  EXPECT_EQ(seen, "hello, host");
  auto memory = instance->memory();
  ASSERT_TRUE(memory.has_value());
  uint32_t marker = 0;
  ASSERT_TRUE(memory->read(0, std::span<uint8_t>(reinterpret_cast<uint8_t*>(&marker), 4)).ok());
  EXPECT_EQ(marker, 0xABCDu);

  auto trapped = instance->call("outer", {Value::i32(65530), Value::i32(100)});
  ASSERT_FALSE(trapped.ok());
  const Error& error = trapped.error();
  EXPECT_EQ(error.phase, Phase::Trap);
  EXPECT_EQ(error.message, "log: bad pointer");
  ASSERT_NE(error.trap, nullptr);
  EXPECT_EQ(error.trap->kind, TrapKind::HostError);
  // Backtrace: host function, then $inner, then $outer (names from the name section).
  std::vector<std::string> names;
  for (const BacktraceFrame& frame : error.trap->backtrace) {
    if (!frame.is_host) names.push_back(frame.function_name);
  }
  ASSERT_GE(names.size(), 2u) << error.trap->to_string();
  EXPECT_EQ(instance->module()->function_name(1).value_or("?"), "inner");
  EXPECT_EQ(names[0], "inner");
  EXPECT_EQ(names[1], "outer");

  // The instance keeps working after a trap.
  EXPECT_TRUE(instance->call("log", {Value::i32(16), Value::i32(5)}).ok());
  EXPECT_EQ(seen, "hello");
}

TEST(StoreTest, HostExceptionBecomesTrap) {
  Linker linker;
  linker.define("env", "boom", [](HostContext&) { throw std::runtime_error("kaboom"); });
  auto instance = instantiate(R"((module (import "env" "boom" (func $boom))
    (func (export "run") (call $boom))))",
                              linker);
  ASSERT_TRUE(instance.ok()) << instance.error().to_string();
  auto result = instance->call("run", {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().phase, Phase::Trap);
  EXPECT_NE(result.error().message.find("kaboom"), std::string::npos);
}

TEST(StoreTest, WasmTrapsCarryKindAndBacktrace) {
  auto instance = instantiate(R"((module
    (func $div (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
    (func $loop (export "loop") (call $loop))
    (func (export "ok") (result i32) (i32.const 1))))");
  ASSERT_TRUE(instance.ok());
  auto divided = instance->call("div", {Value::i32(1), Value::i32(0)});
  ASSERT_FALSE(divided.ok());
  EXPECT_EQ(divided.error().message, "integer divide by zero");
  ASSERT_NE(divided.error().trap, nullptr);
  EXPECT_EQ(divided.error().trap->kind, TrapKind::IntegerDivideByZero);

  auto exhausted = instance->call("loop", {});
  ASSERT_FALSE(exhausted.ok());
  EXPECT_EQ(exhausted.error().message, "call stack exhausted");

  auto fine = instance->call("ok", {});
  ASSERT_TRUE(fine.ok());
  EXPECT_EQ((*fine)[0].i32(), 1);
}

TEST(StoreTest, UnknownAndIncompatibleImports) {
  Linker linker;
  linker.define("env", "f", [](HostContext&, int32_t) {});
  auto unknown = instantiate(R"((module (import "env" "g" (func))))", linker);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().phase, Phase::Unlinkable);
  EXPECT_EQ(unknown.error().message.rfind("unknown import", 0), 0u);

  auto wrong_sig = instantiate(R"((module (import "env" "f" (func (param i64)))))", linker);
  ASSERT_FALSE(wrong_sig.ok());
  EXPECT_EQ(wrong_sig.error().phase, Phase::Unlinkable);
  EXPECT_EQ(wrong_sig.error().message.rfind("incompatible import type", 0), 0u);

  auto wrong_kind = instantiate(R"((module (import "env" "f" (memory 1))))", linker);
  ASSERT_FALSE(wrong_kind.ok());
  EXPECT_EQ(wrong_kind.error().message.rfind("incompatible import type", 0), 0u);
}

TEST(StoreTest, ImportLimitsAndGlobalTypes) {
  Store store;
  Linker linker;
  auto exporter = instantiate(R"((module
    (memory (export "mem") 2 4)
    (table (export "tab") 3 funcref)
    (global (export "g") i32 (i32.const 5))
    (global (export "gm") (mut i64) (i64.const 6))))",
                              linker, store);
  ASSERT_TRUE(exporter.ok()) << exporter.error().to_string();
  linker.define_instance("m", *exporter);

  struct Case {
    const char* text;
    bool links;
  } cases[] = {
      {R"((module (import "m" "mem" (memory 1))))", true},
      {R"((module (import "m" "mem" (memory 2 4))))", true},
      {R"((module (import "m" "mem" (memory 1 5))))", true},
      {R"((module (import "m" "mem" (memory 3))))", false},    // min too large
      {R"((module (import "m" "mem" (memory 1 3))))", false},  // max too small
      {R"((module (import "m" "tab" (table 3 funcref))))", true},
      {R"((module (import "m" "tab" (table 4 funcref))))", false},
      {R"((module (import "m" "tab" (table 1 10 funcref))))", false},  // exporter has no max
      {R"((module (import "m" "tab" (table 1 externref))))", false},
      {R"((module (import "m" "g" (global i32))))", true},
      {R"((module (import "m" "g" (global (mut i32)))))", false},
      {R"((module (import "m" "gm" (global (mut i64)))))", true},
      {R"((module (import "m" "gm" (global i64))))", false},
      {R"((module (import "m" "gm" (global (mut i32)))))", false},
  };
  for (const Case& c : cases) {
    auto result = instantiate(c.text, linker, store);
    EXPECT_EQ(result.ok(), c.links) << c.text << ": " << (result.ok() ? "" : result.error().to_string());
    if (!result.ok()) {
      EXPECT_EQ(result.error().phase, Phase::Unlinkable);
      EXPECT_EQ(result.error().message.rfind("incompatible import type", 0), 0u);
    }
  }
  // Objects from another store are not importable.
  auto elsewhere = instantiate(R"((module (import "m" "g" (global i32))))", linker, Store());
  ASSERT_FALSE(elsewhere.ok());
  EXPECT_EQ(elsewhere.error().phase, Phase::Unlinkable);
}

TEST(StoreTest, SegmentTrapKeepsEarlierEffectsAndRegistersNothing) {
  Store store;
  Linker linker;
  auto exporter = instantiate(R"((module
    (memory (export "mem") 1)
    (table (export "tab") 10 funcref)
    (func (export "peek") (param i32) (result i32) (i32.load8_u (local.get 0)))
    (type $t (func (result i32)))
    (func (export "call") (param i32) (result i32) (call_indirect (type $t) (local.get 0)))))",
                              linker, store);
  ASSERT_TRUE(exporter.ok()) << exporter.error().to_string();
  linker.define_instance("m", *exporter);

  // Element segments apply before data segments; the second element
  // segment is out of bounds, so no data segment runs at all.
  auto failed = instantiate(R"((module
    (import "m" "mem" (memory 1))
    (import "m" "tab" (table 10 funcref))
    (func $f (result i32) (i32.const 77))
    (elem (i32.const 7) $f)
    (elem (i32.const 9) $f $f)
    (data (i32.const 0) "x")))",
                            linker, store);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().phase, Phase::Trap);
  EXPECT_EQ(failed.error().message, "out of bounds table access");
  auto called = exporter->call("call", {Value::i32(7)});
  ASSERT_TRUE(called.ok()) << called.error().to_string();
  EXPECT_EQ((*called)[0].i32(), 77);  // the first segment's write stays
  auto peek = exporter->call("peek", {Value::i32(0)});
  ASSERT_TRUE(peek.ok());
  EXPECT_EQ((*peek)[0].i32(), 0);  // the data segment never ran

  // Data segments in order: the first lands, the second traps.
  auto data_failed = instantiate(R"((module
    (import "m" "mem" (memory 1))
    (data (i32.const 1) "a")
    (data (i32.const 65535) "bc")))",
                                 linker, store);
  ASSERT_FALSE(data_failed.ok());
  EXPECT_EQ(data_failed.error().message, "out of bounds memory access");
  peek = exporter->call("peek", {Value::i32(1)});
  ASSERT_TRUE(peek.ok());
  EXPECT_EQ((*peek)[0].i32(), 'a');

  // The start function runs after the segments and can trap.
  auto start_trap = instantiate(R"((module
    (import "m" "mem" (memory 1))
    (data (i32.const 2) "s")
    (func $start unreachable)
    (start $start)))",
                                linker, store);
  ASSERT_FALSE(start_trap.ok());
  EXPECT_EQ(start_trap.error().message, "unreachable");
  peek = exporter->call("peek", {Value::i32(2)});
  ASSERT_TRUE(peek.ok());
  EXPECT_EQ((*peek)[0].i32(), 's');
}

TEST(StoreTest, PassiveAndDeclarativeSegments) {
  auto instance = instantiate(R"((module
    (memory (export "memory") 1)
    (table 4 funcref)
    (func $f (result i32) (i32.const 9))
    (elem $passive func $f)
    (elem declare func $f)
    (data $bytes "xyz")
    (type $t (func (result i32)))
    (func (export "init") (table.init $passive (i32.const 1) (i32.const 0) (i32.const 1))
                          (memory.init $bytes (i32.const 100) (i32.const 0) (i32.const 3)))
    (func (export "drop") (data.drop $bytes) (elem.drop $passive))
    (func (export "call") (param i32) (result i32) (call_indirect (type $t) (local.get 0)))
    (func (export "ref") (result funcref) (ref.func $f))))");
  ASSERT_TRUE(instance.ok()) << instance.error().to_string();
  ASSERT_TRUE(instance->call("init", {}).ok());
  auto called = instance->call("call", {Value::i32(1)});
  ASSERT_TRUE(called.ok()) << called.error().to_string();
  EXPECT_EQ((*called)[0].i32(), 9);
  auto memory = instance->memory();
  ASSERT_TRUE(memory.has_value());
  EXPECT_EQ(std::memcmp(memory->data().data() + 100, "xyz", 3), 0);
  ASSERT_TRUE(instance->call("drop", {}).ok());
  auto again = instance->call("init", {});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().message, "out of bounds table access");
  auto ref = instance->call("ref", {});
  ASSERT_TRUE(ref.ok());
  EXPECT_FALSE((*ref)[0].is_null_ref());
}

TEST(StoreTest, MemoryGrowRespectsModuleMaxAndHostCap) {
  EngineConfig config = test_config();
  config.max_memory_pages = 3;
  Engine engine(config);
  constexpr std::string_view kText = R"((module
    (memory (export "memory") 1 %MAX%)
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))))";
  auto text_with_max = [&](const char* max) {
    std::string text(kText);
    text.replace(text.find("%MAX%"), 5, max);
    return text;
  };
  {
    Store store(engine);
    auto instance = Linker().instantiate(store, compile(text_with_max("2"), engine));
    ASSERT_TRUE(instance.ok());
    EXPECT_EQ(instance->call("grow", {Value::i32(1)})->at(0).i32(), 1);
    EXPECT_EQ(instance->call("grow", {Value::i32(1)})->at(0).i32(), -1);  // module max 2
  }
  {
    Store store(engine);
    auto instance = Linker().instantiate(store, compile(text_with_max(""), engine));
    ASSERT_TRUE(instance.ok());
    EXPECT_EQ(instance->call("grow", {Value::i32(2)})->at(0).i32(), 1);
    EXPECT_EQ(instance->call("grow", {Value::i32(1)})->at(0).i32(), -1);  // host cap 3
    auto memory = instance->memory();
    EXPECT_EQ(memory->pages(), 3u);
    EXPECT_FALSE(memory->grow(1).has_value());
  }
  // An initial size over the host cap cannot instantiate.
  Store store(engine);
  auto too_big = Linker().instantiate(store, compile("(module (memory 4))", engine));
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().phase, Phase::Unlinkable);
}

TEST(StoreTest, MemoryAndGlobalAccessors) {
  auto instance = instantiate(R"((module
    (memory (export "memory") 1)
    (global (export "counter") (mut i32) (i32.const 3))
    (global (export "fixed") f64 (f64.const 2.5))
    (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))))");
  ASSERT_TRUE(instance.ok());
  auto memory = instance->memory();
  ASSERT_TRUE(memory.has_value());
  EXPECT_EQ(memory->size_bytes(), 65536u);
  const uint8_t bytes[4] = {1, 2, 3, 4};
  ASSERT_TRUE(memory->write(65532, bytes).ok());
  EXPECT_FALSE(memory->write(65533, bytes).ok());
  auto loaded = instance->call("load", {Value::i32(65532)});
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ((*loaded)[0].i32(), 0x04030201);
  uint8_t out[8];
  auto oob = memory->read(65530, out);
  ASSERT_FALSE(oob.ok());
  EXPECT_EQ(oob.error().message, "out of bounds memory access");

  auto counter = instance->global("counter");
  ASSERT_TRUE(counter.has_value());
  EXPECT_EQ(counter->get().i32(), 3);
  ASSERT_TRUE(counter->set(Value::i32(10)).ok());
  EXPECT_EQ(counter->get().i32(), 10);
  EXPECT_FALSE(counter->set(Value::i64(1)).ok());
  auto fixed = instance->global("fixed");
  ASSERT_TRUE(fixed.has_value());
  EXPECT_EQ(fixed->get().f64(), 2.5);
  EXPECT_FALSE(fixed->set(Value::f64(1)).ok());
}

TEST(StoreTest, HostFunctionCallsBackIntoWasm) {
  // The host function finds the export through its caller, so it captures
  // no handle (and no store reference cycle exists to break).
  Linker linker;
  linker.define("env", "twice", [](HostContext& ctx, int32_t x) -> int32_t {
    std::optional<Func> inc = ctx.caller_func("inc");
    if (!inc || ctx.caller_func("missing") || ctx.caller_func("memory")) {
      ctx.trap("caller exports not found as expected");
      return 0;
    }
    auto first = inc->call({Value::i32(x)});
    auto second = first.ok() ? inc->call({(*first)[0]}) : first;
    if (!second.ok()) {
      ctx.trap("callback failed: " + second.error().message);
      return 0;
    }
    std::optional<Memory> memory = ctx.caller_memory();
    if (!memory || memory->pages() != 1) {
      ctx.trap("caller memory not found");
      return 0;
    }
    return (*second)[0].i32();
  });
  {
    Store store;
    auto instance = instantiate(R"((module
      (import "env" "twice" (func $twice (param i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
      (func (export "run") (param i32) (result i32) (call $twice (local.get 0)))))",
                                linker, store);
    ASSERT_TRUE(instance.ok()) << instance.error().to_string();
    auto result = instance->call("run", {Value::i32(40)});
    ASSERT_TRUE(result.ok()) << result.error().to_string();
    EXPECT_EQ((*result)[0].i32(), 42);
    auto again = instance->call("run", {Value::i32(0)});
    ASSERT_TRUE(again.ok()) << again.error().to_string();
    EXPECT_EQ((*again)[0].i32(), 2);
  }
}

TEST(StoreTest, HostFunctionEndsTheGuestWithAnExitStatus) {
  Linker linker;
  int after_exit_calls = 0;
  linker.define("env", "exit", [](HostContext& ctx, int32_t code) { ctx.exit(code); });
  linker.define("env", "after", [&after_exit_calls](HostContext&) { ++after_exit_calls; });
  Store store;
  auto instance = instantiate(R"((module
    (import "env" "exit" (func $exit (param i32)))
    (import "env" "after" (func $after))
    (func $deep (param i32) (call $exit (local.get 0)) (call $after))
    (func (export "run") (param i32) (result i32) (call $deep (local.get 0)) (call $after) (i32.const 1))
    (func (export "ok") (result i32) (i32.const 7))))",
                              linker, store);
  ASSERT_TRUE(instance.ok()) << instance.error().to_string();
  for (int32_t code : {0, 3, -1}) {
    auto result = instance->call("run", {Value::i32(code)});
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().phase, Phase::Exit);
    EXPECT_EQ(result.error().exit_code, code);
    EXPECT_EQ(result.error().trap, nullptr);
  }
  EXPECT_EQ(after_exit_calls, 0);  // nothing after proc_exit runs
  auto ok = instance->call("ok", {});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)[0].i32(), 7);
}

TEST(StoreTest, TablesAndReferencesThroughTheApi) {
  Linker linker;
  linker.define("env", "echo", [](HostContext&, ExternRef r) { return r; });
  auto instance = instantiate(R"((module
    (import "env" "echo" (func $echo (param externref) (result externref)))
    (table (export "t") 2 funcref)
    (func $f (export "f") (result i32) (i32.const 5))
    (elem (i32.const 1) $f)
    (type $t (func (result i32)))
    (func (export "call") (param i32) (result i32) (call_indirect (type $t) (local.get 0)))
    (func (export "echo") (param externref) (result externref) (call $echo (local.get 0)))))",
                              linker);
  ASSERT_TRUE(instance.ok()) << instance.error().to_string();
  auto table = instance->table("t");
  ASSERT_TRUE(table.has_value());
  EXPECT_EQ(table->size(), 2u);
  EXPECT_TRUE(table->get(0)->is_null_ref());
  EXPECT_FALSE(table->get(1)->is_null_ref());
  EXPECT_FALSE(table->get(2).ok());
  // Store a function handle into slot 0 and call it indirectly.
  auto f = instance->func("f");
  ASSERT_TRUE(f.has_value());
  ASSERT_TRUE(table->set(0, Value::funcref(f->ref())).ok());
  auto called = instance->call("call", {Value::i32(0)});
  ASSERT_TRUE(called.ok()) << called.error().to_string();
  EXPECT_EQ((*called)[0].i32(), 5);
  auto echoed = instance->call("echo", {Value::externref(ExternRef{1234})});
  ASSERT_TRUE(echoed.ok()) << echoed.error().to_string();
  EXPECT_EQ((*echoed)[0].externref().word, 1234u);
}

// One compiled module, 4 threads, 250 instances each.
TEST(StoreTest, ManyInstancesAcrossThreads) {
  Engine engine(test_config());
  auto module = compile(R"((module
    (import "env" "base" (func $base (result i32)))
    (memory 1)
    (global $g (mut i32) (i32.const 0))
    (table 2 funcref)
    (elem (i32.const 0) $sq $base)
    (type $t (func (param i32) (result i32)))
    (func $sq (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
    (func (export "run") (param i32) (result i32)
      (i32.store (i32.const 8) (call_indirect (type $t) (local.get 0) (i32.const 0)))
      (global.set $g (i32.add (global.get $g) (i32.load (i32.const 8))))
      (i32.add (global.get $g) (call $base)))))",
                        engine);
  ASSERT_NE(module, nullptr);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Linker linker;
      linker.define("env", "base", [t](HostContext&) -> int32_t { return t * 1000; });
      for (int i = 0; i < 250; ++i) {
        Store store(engine);
        auto instance = linker.instantiate(store, module);
        if (!instance.ok()) {
          ++failures;
          continue;
        }
        auto first = instance->call("run", {Value::i32(i)});
        auto second = instance->call("run", {Value::i32(2)});
        if (!first.ok() || !second.ok() || (*first)[0].i32() != i * i + t * 1000 ||
            (*second)[0].i32() != i * i + 4 + t * 1000) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(StoreTest, CompileErrorsKeepTheirPhase) {
  Engine engine(test_config());
  const std::string bad_text = "(module (func (result i32)))";
  auto invalid = engine.compile(std::vector<uint8_t>(bad_text.begin(), bad_text.end()));
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().phase, Phase::Invalid);
  const std::vector<uint8_t> truncated = {0x00, 0x61, 0x73};
  auto malformed = engine.compile(truncated);
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.error().phase, Phase::Malformed);
}

}  // namespace
}  // namespace wasmrt
