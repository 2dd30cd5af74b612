// The JIT's memory bounds: unchecked accesses on memories with guard
// regions (their faults turned into traps by jit/fault_handler.h) and
// explicitly checked code for memories without, side by side in one
// process. Every scalar load and store at and around the end of memory,
// with large offsets, wrapping address sums and after memory.grow, must trap
// exactly as the interpreter does: same trap, message and backtrace.
// (The embedder's own signal handlers: jit_fault_chain_test.cc.)
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "jit/fault_handler.h"
#include "jit/jit.h"
#include "runtime/binary/decoder.h"
#include "runtime/store/store.h"
#include "runtime/text/wat.h"
#include "runtime/valid/validator.h"
#include "wasmrt/wasmrt.h"

namespace wasmrt {
namespace {

struct AccessOp {
  const char* instr;  // "i64.load16_s"
  const char* type;   // its value type
  uint32_t bytes;
  bool store;
};

constexpr AccessOp kOps[] = {
    {"i32.load", "i32", 4, false},     {"i64.load", "i64", 8, false},     {"f32.load", "f32", 4, false},
    {"f64.load", "f64", 8, false},     {"i32.load8_s", "i32", 1, false},  {"i32.load8_u", "i32", 1, false},
    {"i32.load16_s", "i32", 2, false}, {"i32.load16_u", "i32", 2, false}, {"i64.load8_s", "i64", 1, false},
    {"i64.load8_u", "i64", 1, false},  {"i64.load16_s", "i64", 2, false}, {"i64.load16_u", "i64", 2, false},
    {"i64.load32_s", "i64", 4, false}, {"i64.load32_u", "i64", 4, false}, {"i32.store", "i32", 4, true},
    {"i64.store", "i64", 8, true},     {"f32.store", "f32", 4, true},     {"f64.store", "f64", 8, true},
    {"i32.store8", "i32", 1, true},    {"i32.store16", "i32", 2, true},   {"i64.store8", "i64", 1, true},
    {"i64.store16", "i64", 2, true},   {"i64.store32", "i64", 4, true},
};

constexpr uint32_t kPage = 65536;

// Functions 0-3 access memory (offset 0, 16, 2^32-1, and an address sum
// with offset 8); 4-7 call them, so a trap's backtrace is [inner, outer].
std::string module_for(const AccessOp& op) {
  const std::string t = op.type;
  auto access = [&](const std::string& offset, const std::string& address) {
    return op.store ? "(" + std::string(op.instr) + offset + " " + address + " (" + t + ".const -1))"
                    : "(" + std::string(op.instr) + offset + " " + address + ")";
  };
  const std::string result = op.store ? "" : " (result " + t + ")";
  std::string wat = "(module (memory 1 3)\n";
  wat += "(func $a0 (param i32)" + result + " " + access("", "(local.get 0)") + ")\n";
  wat += "(func $a16 (param i32)" + result + " " + access(" offset=16", "(local.get 0)") + ")\n";
  wat += "(func $amax (param i32)" + result + " " + access(" offset=4294967295", "(local.get 0)") + ")\n";
  wat += "(func $asum (param i32 i32)" + result + " " +
         access(" offset=8", "(i32.add (local.get 0) (local.get 1))") + ")\n";
  wat += "(func (export \"at0\") (param i32)" + result + " (call $a0 (local.get 0)))\n";
  wat += "(func (export \"at16\") (param i32)" + result + " (call $a16 (local.get 0)))\n";
  wat += "(func (export \"atmax\") (param i32)" + result + " (call $amax (local.get 0)))\n";
  wat += "(func (export \"sum\") (param i32 i32)" + result + " (call $asum (local.get 0) (local.get 1)))\n";
  wat += "(func (export \"grow\") (result i32) (memory.grow (i32.const 1)))\n";
  wat += "(func (export \"peek\") (param i32) (result i32) (i32.load8_u (local.get 0))))\n";
  return wat;
}

std::span<const uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Parameters: guard regions on memory 0, and the machine-code tier (the
// baseline, and the optimizing tier where the build has it).
class JitBoundsTest : public ::testing::TestWithParam<std::tuple<bool, ExecutionTier>> {
 protected:
  void SetUp() override {
    if (!Engine::jit_available()) GTEST_SKIP() << "no JIT on this host";
  }
  static bool guarded() { return std::get<0>(GetParam()); }
  static EngineConfig config() {
    EngineConfig c;
    c.tier = std::get<1>(GetParam());
    c.memory_guard_regions = guarded();
    if (c.tier == ExecutionTier::Jit) {
      // Tiered: every function compiled at its first call, on this thread,
      // so that the accesses below run the tier-up's code.
      c.tier_up_calls = 1;
      c.tier_up_back_edges = 1;
      c.tier_up_synchronous = true;
    }
    return c;
  }
};

// Calls `name` and checks that it succeeds (in_bounds) or traps out of
// bounds in the inner function `inner` called from `outer`.
void expect_access(const Instance& instance, const AccessOp& op, const char* name, std::vector<Value> args,
                   bool in_bounds, uint32_t inner, uint32_t outer) {
  std::string where = std::string(op.instr) + " " + name + "(";
  for (const Value& v : args) where += std::to_string(static_cast<uint32_t>(v.low_bits())) + " ";
  where += ")";
  auto r = instance.call(name, std::span<const Value>(args));
  if (in_bounds) {
    EXPECT_TRUE(r.ok()) << where << ": " << (r.ok() ? "" : r.error().message);
    return;
  }
  ASSERT_FALSE(r.ok()) << where << " did not trap";
  ASSERT_NE(r.error().trap, nullptr) << where << ": " << r.error().message;
  const TrapDetails& trap = *r.error().trap;
  EXPECT_EQ(trap.kind, TrapKind::MemoryOutOfBounds) << where;
  EXPECT_EQ(trap.message, "out of bounds memory access") << where;
  ASSERT_EQ(trap.backtrace.size(), 2u) << where;
  EXPECT_EQ(trap.backtrace[0].function_index, inner) << where;
  EXPECT_EQ(trap.backtrace[1].function_index, outer) << where;
}

TEST_P(JitBoundsTest, EveryAccessAtAndAroundTheEndOfMemory) {
  Engine engine(config());
  for (const AccessOp& op : kOps) {
    SCOPED_TRACE(op.instr);
    auto module = engine.compile(bytes_of(module_for(op)));
    ASSERT_TRUE(module.ok()) << module.error().message;
    Store store(engine);
    auto instance = Linker().instantiate(store, module.value());
    ASSERT_TRUE(instance.ok()) << instance.error().message;
    const Instance& in = instance.value();
    const uint32_t w = op.bytes;
    auto at = [&](const char* name, uint32_t address, bool ok, uint32_t inner, uint32_t outer) {
      expect_access(in, op, name, {Value::i32(static_cast<int32_t>(address))}, ok, inner, outer);
    };
    for (uint32_t pages = 1; pages <= 2; ++pages) {
      const uint32_t size = pages * kPage;
      at("at0", size - w + 1, false, 0, 4);
      if (op.store) {
        // The store that straddled the end wrote nothing (these bytes were
        // never written), on every architecture (codegen.h:
        // elides_bounds_check keeps AArch64's multi-byte stores checked).
        for (uint32_t i = 1; i < w; ++i) {
          auto peek = in.call("peek", {Value::i32(static_cast<int32_t>(size - i))});
          ASSERT_TRUE(peek.ok());
          EXPECT_EQ(peek.value()[0].i32(), 0) << "byte " << i << " below the end";
        }
      }
      at("at0", size - w, true, 0, 4);
      at("at0", size - 1, w == 1, 0, 4);
      at("at0", size, false, 0, 4);
      at("at0", 0xFFFFFFFFu, false, 0, 4);
      at("at16", size - w - 16, true, 1, 5);
      at("at16", size - w - 15, false, 1, 5);
      at("at16", size - 16, false, 1, 5);
      at("at16", 0xFFFFFFF0u, false, 1, 5);  // 2^32 in 64 bits: no wrap
      at("atmax", 0, false, 2, 6);
      at("atmax", 0xFFFFFFFFu, false, 2, 6);
      auto sum = [&](uint32_t a, uint32_t b, bool ok) {
        expect_access(in, op, "sum", {Value::i32(static_cast<int32_t>(a)), Value::i32(static_cast<int32_t>(b))}, ok,
                      3, 7);
      };
      sum(0xFFFFFFF0u, 0x20, true);  // the sum wraps at 32 bits, to 0x10
      sum(size - 8 - w, 0, true);
      sum(size - 8 - w, 1, false);
      sum(0xFFFFFFFFu, 0xFFFFFFFFu, false);
      if (pages == 1) {
        auto grown = in.call("grow", {});
        ASSERT_TRUE(grown.ok());
        EXPECT_EQ(grown.value()[0].i32(), 1);
        at("at0", kPage - w + 1, true, 0, 4);  // past the old end, now inside
      }
    }
  }
}

// i32.wrap_i64 emits no code (the i64's cell is the i32's), so an address
// can sit in a register with its upper half set: only the low 32 bits
// address memory. (The optimizing tier once used such a register as the
// index as it was: found by the differential fuzzer, seed 424243.)
TEST_P(JitBoundsTest, AWrappedI64AddressesMemoryByItsLow32Bits) {
  Engine engine(config());
  const std::string wat = R"((module
    (memory 1)
    (data (i32.const 5) "\2a")
    (data (i32.const 21) "\2b")
    (func (export "load") (param i64) (result i32) (i32.load8_u (i32.wrap_i64 (local.get 0))))
    (func (export "load16") (param i64) (result i32) (i32.load8_u offset=16 (i32.wrap_i64 (local.get 0))))
    (func (export "store") (param i64) (result i32)
      (i32.store8 (i32.wrap_i64 (local.get 0)) (i32.const 7))
      (i32.load8_u (i32.const 9)))
    (func (export "bits") (param f64) (result i32)
      (i32.load8_u (i32.wrap_i64 (i64.reinterpret_f64 (f64.ceil (local.get 0))))))
    (func (export "loop") (param i64) (result i32) (local i32 i32)
      (loop $l
        (local.set 2 (i32.add (local.get 2) (i32.load8_u (i32.wrap_i64 (local.get 0)))))
        (local.set 0 (i64.add (local.get 0) (i64.const 0x100000000)))
        (br_if $l (i32.lt_u (local.tee 1 (i32.add (local.get 1) (i32.const 1))) (i32.const 3))))
      (local.get 2))
    (func (export "store32") (param i64) (result i32)
      (i32.store (i32.wrap_i64 (local.get 0)) (i32.const 0x01020304))
      (i32.load (i32.const 12)))
    (func (export "mul16") (param i64) (result i32)
      (i32.load8_u offset=16 (i32.mul (i32.wrap_i64 (local.get 0)) (i32.const 1))))
    (func (export "wide16") (param i64) (result i32)
      (i32.load8_u offset=16 (i32.wrap_i64 (i64.mul (local.get 0) (i64.const 1))))))
  )";
  auto module = engine.compile(bytes_of(wat));
  ASSERT_TRUE(module.ok()) << module.error().message;
  Store store(engine);
  auto instance = Linker().instantiate(store, module.value());
  ASSERT_TRUE(instance.ok()) << instance.error().message;
  const Instance& in = instance.value();
  auto call = [&](const char* name, Value arg) -> int32_t {
    auto r = in.call(name, {arg});
    EXPECT_TRUE(r.ok()) << name << ": " << (r.ok() ? "" : r.error().message);
    return r.ok() ? r.value()[0].i32() : -1;
  };
  EXPECT_EQ(call("load", Value::i64(0x100000005)), 0x2a);
  EXPECT_EQ(call("load", Value::i64(static_cast<int64_t>(0xFFFFFFFF00000005u))), 0x2a);
  EXPECT_EQ(call("load16", Value::i64(0x700000005)), 0x2b);
  EXPECT_EQ(call("store", Value::i64(0x300000009)), 7);
  EXPECT_EQ(call("bits", Value::f64(2.0)), 0);  // 0x4000000000000000: address 0
  EXPECT_EQ(call("loop", Value::i64(0x5)), 3 * 0x2a);
  // A wider store (explicitly checked on AArch64), an address the code
  // computed with a 32-bit operation (indexing memory from its register)
  // and one wrapped from a 64-bit operation's result.
  EXPECT_EQ(call("store32", Value::i64(0x50000000C)), 0x01020304);
  EXPECT_EQ(call("mul16", Value::i64(0x700000005)), 0x2b);
  EXPECT_EQ(call("mul16", Value::i64(static_cast<int64_t>(0x9000000000000001u))), 0);  // address 17
  EXPECT_EQ(call("wide16", Value::i64(0x700000005)), 0x2b);
}

// A trap on a thread the embedder started (the handler is per process, the
// trap state per call).
TEST_P(JitBoundsTest, TrapOnAThreadTheEmbedderCreated) {
  Engine engine(config());
  auto module = engine.compile(bytes_of(module_for(kOps[1])));
  ASSERT_TRUE(module.ok());
  std::string failure;
  std::thread thread([&] {
    Store store(engine);
    auto instance = Linker().instantiate(store, module.value());
    if (!instance.ok()) {
      failure = instance.error().message;
      return;
    }
    for (int i = 0; i < 100; ++i) {
      auto r = instance.value().call("at0", {Value::i32(kPage - 4)});
      if (r.ok() || r.error().trap == nullptr || r.error().trap->kind != TrapKind::MemoryOutOfBounds ||
          r.error().trap->backtrace.size() != 2) {
        failure = "no out-of-bounds trap on call " + std::to_string(i);
        return;
      }
      if (!instance.value().call("at0", {Value::i32(kPage - 8)}).ok()) {
        failure = "an in-bounds load failed after a trap";
        return;
      }
    }
  });
  thread.join();
  EXPECT_EQ(failure, "");
}

// Traps on several threads while another compiles and frees modules: the
// handler reads the registry while it changes.
TEST_P(JitBoundsTest, TrapsWhileModulesComeAndGo) {
  Engine engine(config());
  auto module = engine.compile(bytes_of(module_for(kOps[0])));
  ASSERT_TRUE(module.ok());
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> trappers;
  for (int t = 0; t < 2; ++t) {
    trappers.emplace_back([&] {
      Store store(engine);
      auto instance = Linker().instantiate(store, module.value());
      if (!instance.ok()) {
        ++failures;
        return;
      }
      while (!stop.load()) {
        auto r = instance.value().call("at16", {Value::i32(kPage)});
        if (r.ok() || r.error().trap == nullptr || r.error().trap->kind != TrapKind::MemoryOutOfBounds) ++failures;
      }
    });
  }
  for (int i = 0; i < 100; ++i) {
    auto churn = engine.compile(bytes_of(module_for(kOps[i % std::size(kOps)])));
    if (!churn.ok()) ++failures;
  }
  stop = true;
  for (std::thread& t : trappers) t.join();
  EXPECT_EQ(failures.load(), 0);
}

// The baseline and the optimizing tier compiled up front, and the tiered
// JIT (whose code is compiled by tier-up).
std::vector<ExecutionTier> machine_code_tiers() {
  std::vector<ExecutionTier> tiers{ExecutionTier::Baseline, ExecutionTier::Jit};
  if (Engine::optimizing_available()) tiers.push_back(ExecutionTier::Optimizing);
  return tiers;
}
std::string tier_name(ExecutionTier tier) {
  switch (tier) {
    case ExecutionTier::Baseline: return "Baseline";
    case ExecutionTier::Optimizing: return "Optimizing";
    default: return "Tiered";
  }
}
INSTANTIATE_TEST_SUITE_P(GuardRegions, JitBoundsTest,
                         ::testing::Combine(::testing::Values(true, false), ::testing::ValuesIn(machine_code_tiers())),
                         [](const ::testing::TestParamInfo<std::tuple<bool, ExecutionTier>>& info) {
                           return std::string(std::get<0>(info.param) ? "Guarded" : "Unguarded") +
                                  tier_name(std::get<1>(info.param));
                         });

// Below the public API: one compiled module, bound per instance to the code
// its memory 0 needs.
std::shared_ptr<const CompiledModule> compile_jit(const std::string& wat) {
  auto bin = wat_to_binary(wat);
  EXPECT_TRUE(bin.ok());
  auto desc = decode_module(std::move(bin).value());
  EXPECT_TRUE(desc.ok());
  auto owned = std::make_shared<ModuleDesc>(std::move(desc).value());
  EXPECT_TRUE(validate_module(*owned).ok());
  interp::TranslateOptions options;
  options.jit = true;
  auto compiled = compile_module(owned, options);
  EXPECT_TRUE(compiled.ok()) << (compiled.ok() ? "" : compiled.error().message);
  return compiled.ok() ? compiled.value() : nullptr;
}

TEST(JitBoundsBinding, OneModuleRunsUncheckedOnGuardedAndCheckedOnUnguardedMemories) {
  if (!Engine::jit_available()) GTEST_SKIP() << "no JIT on this host";
  ASSERT_TRUE(jit::fault::install());
  auto compiled = compile_jit(module_for(kOps[0]));
  ASSERT_NE(compiled, nullptr);
  ASSERT_NE(compiled->tier_code, nullptr);
  EXPECT_TRUE(compiled->tier_code->relies_on_guard_regions());

  ExecContext ctx;
  StoreLimits unguarded_limits;
  unguarded_limits.allow_guard_regions = false;
  ObjectStore guarded(StoreLimits{}), unguarded(unguarded_limits);
  auto a = guarded.instantiate(compiled, {}, ctx);
  auto b = unguarded.instantiate(compiled, {}, ctx);
  auto c = unguarded.instantiate(compiled, {}, ctx);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  ASSERT_TRUE(a.value()->data.memory0->has_guard_regions());
  ASSERT_FALSE(b.value()->data.memory0->has_guard_regions());
  const FuncInst* fa = a.value()->data.funcs[0];
  const FuncInst* fb = b.value()->data.funcs[0];
  const FuncInst* fc = c.value()->data.funcs[0];
  EXPECT_EQ(fa->code, &compiled->code[0]);
  EXPECT_NE(fb->code, fa->code);
  EXPECT_EQ(fb->code, fc->code) << "the checked variant is compiled once per module";
  EXPECT_NE(fb->code->jit_entry, nullptr);
  EXPECT_NE(fb->code->jit_entry, fa->code->jit_entry);

  // A module without memory accesses has nothing to fall back from.
  auto plain = compile_jit("(module (memory 1) (func (export \"f\") (result i32) (i32.const 1)))");
  ASSERT_NE(plain, nullptr);
  EXPECT_FALSE(plain->tier_code->relies_on_guard_regions());
  auto d = unguarded.instantiate(plain, {}, ctx);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.value()->data.funcs[0]->code, &plain->code[0]);
}

// Tiered: nothing is compiled up front, but tier-up compiles the module's
// own functions for guard regions, so an instance without them is bound to
// a checked copy with a tier-up of its own from the start.
TEST(JitBoundsBinding, TieredModulesBindUnguardedInstancesToACheckedCopy) {
  if (!Engine::jit_available()) GTEST_SKIP() << "no JIT on this host";
  auto bin = wat_to_binary(module_for(kOps[0]));
  ASSERT_TRUE(bin.ok());
  auto desc = decode_module(std::move(bin).value());
  ASSERT_TRUE(desc.ok());
  auto owned = std::make_shared<ModuleDesc>(std::move(desc).value());
  ASSERT_TRUE(validate_module(*owned).ok());
  interp::TierUpOptions tier_up;
  tier_up.enabled = true;
  tier_up.target = jit::tier();
  auto compiled = compile_module(owned, {}, tier_up);
  ASSERT_TRUE(compiled.ok()) << compiled.error().message;
  const CompiledModule& module = *compiled.value();
  ASSERT_EQ(module.tier_code, nullptr);

  ExecContext ctx;
  StoreLimits unguarded_limits;
  unguarded_limits.allow_guard_regions = false;
  ObjectStore guarded(StoreLimits{}), unguarded(unguarded_limits);
  auto a = guarded.instantiate(compiled.value(), {}, ctx);
  auto b = unguarded.instantiate(compiled.value(), {}, ctx);
  ASSERT_TRUE(a.ok() && b.ok());
  const interp::CompiledFunc* fa = a.value()->data.funcs[0]->code;
  const interp::CompiledFunc* fb = b.value()->data.funcs[0]->code;
  EXPECT_EQ(fa, &module.code[0]);
  EXPECT_EQ(fb, &module.checked_copy()[0]);
  EXPECT_EQ(fb->code, fa->code) << "the same translation";
  EXPECT_NE(fb->tier_up, nullptr);
  EXPECT_NE(fb->tier_up, fa->tier_up) << "tier-up of its own, with checked accesses";
  EXPECT_EQ(fb->current_tier(), nullptr);
}

TEST(JitBoundsRegistry, OnlyRegisteredSitesOfLiveCodeResolve) {
  static const uint8_t code[64] = {};
  const uintptr_t base = reinterpret_cast<uintptr_t>(code);
  {
    jit::fault::CodeRegistration registration(code, sizeof code, {{40, 60}, {8, 50}, {16, 50}});
    EXPECT_EQ(jit::fault::trap_exit_for(base + 8), base + 50);
    EXPECT_EQ(jit::fault::trap_exit_for(base + 16), base + 50);
    EXPECT_EQ(jit::fault::trap_exit_for(base + 40), base + 60);
    EXPECT_EQ(jit::fault::trap_exit_for(base + 12), 0u);  // inside the code, not a site
    EXPECT_EQ(jit::fault::trap_exit_for(base + 64), 0u);
    EXPECT_EQ(jit::fault::trap_exit_for(base - 1), 0u);
  }
  EXPECT_EQ(jit::fault::trap_exit_for(base + 8), 0u);
}

}  // namespace
}  // namespace wasmrt
