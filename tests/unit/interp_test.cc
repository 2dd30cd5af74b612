// Interpreter tests: modules written as WAT, compiled through the real
// pipeline (decode, validate, translate), instantiated in a Store and run.
#include <gtest/gtest.h>

#include <atomic>
#include <bit>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/unit/test_tier.h"
#include "runtime/binary/decoder.h"
#include "jit/jit.h"
#include "runtime/interp/interp.h"
#include "runtime/store/store.h"
#include "runtime/text/wat.h"
#include "runtime/valid/validator.h"

namespace wasmrt {
namespace {

struct Harness {
  ObjectStore store;
  StoreInstance* instance = nullptr;
  std::unique_ptr<ExecContext> ctx;

  explicit Harness(const std::string& wat, interp::TranslateOptions options = {}, size_t stack_cells = 1 << 16,
                   uint32_t max_depth = 10000) {
    ctx = std::make_unique<ExecContext>(stack_cells, max_depth);
    auto bin = wat_to_binary(wat);
    EXPECT_TRUE(bin.ok()) << (bin.ok() ? "" : bin.error().to_string());
    if (!bin.ok()) return;
    auto desc = decode_module(std::move(bin).value());
    EXPECT_TRUE(desc.ok()) << (desc.ok() ? "" : desc.error().to_string());
    if (!desc.ok()) return;
    auto owned = std::make_shared<ModuleDesc>(std::move(desc).value());
    auto v = validate_module(*owned);
    EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.error().to_string());
    if (!v.ok()) return;
    options.jit = test_tier() == ExecutionTier::Baseline || test_tier() == ExecutionTier::Optimizing;
    options.optimize = testing_optimizing();
    interp::TierUpOptions tier_up;
    if (test_tier() == ExecutionTier::Jit) {
      // As Engine::compile does it.
      const EngineConfig config = test_config();
      tier_up.enabled = true;
      tier_up.target = jit::optimizing_tier() != nullptr ? jit::optimizing_tier() : jit::tier();
      tier_up.fallback = jit::optimizing_tier() != nullptr ? jit::tier() : nullptr;
      tier_up.calls = config.tier_up_calls;
      tier_up.back_edges = config.tier_up_back_edges;
      tier_up.synchronous = config.tier_up_synchronous;
    }
    auto compiled = compile_module(owned, options, tier_up);
    EXPECT_TRUE(compiled.ok()) << (compiled.ok() ? "" : compiled.error().to_string());
    if (!compiled.ok()) return;
    auto inst = store.instantiate(compiled.value(), {}, *ctx);
    EXPECT_TRUE(inst.ok()) << (inst.ok() ? "" : inst.error().to_string());
    if (inst.ok()) instance = inst.value();
  }

  FuncInst* func(const std::string& name) {
    if (instance == nullptr) return nullptr;
    auto e = instance->find_export(name);
    return e ? e->func() : nullptr;
  }

  // Calls `name`; returns the trap text ("" on success) and fills `cells`.
  std::string call(const std::string& name, std::vector<Cell>& cells) {
    FuncInst* f = func(name);
    if (f == nullptr) return "no export " + name;
    cells.resize(std::max<size_t>(cells.size(), 8));
    auto r = store.call(*ctx, f, cells.data());
    return r.ok() ? "" : r.error().message;
  }
  uint64_t call1(const std::string& name, std::vector<Cell> args = {}) {
    std::string trap = call(name, args);
    EXPECT_EQ(trap, "") << name;
    return args[0];
  }
  std::string trap(const std::string& name, std::vector<Cell> args = {}) { return call(name, args); }
};

// The metering configurations execution tests run in; each selects
// different branch handlers: 0 none, 1 interrupt checks, 2 fuel too.
constexpr int kMeteringConfigs = 3;
interp::TranslateOptions metering_config(int config) {
  interp::TranslateOptions options;
  options.interrupt_checks = config >= 1;
  options.fuel = config == 2;
  return options;
}

Cell f32c(float f) { return std::bit_cast<uint32_t>(f); }
Cell f64c(double d) { return std::bit_cast<uint64_t>(d); }

TEST(Interp, ArithmeticAndLocals) {
  Harness h(R"((module
    (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    (func (export "sub64") (param i64 i64) (result i64) (i64.sub (local.get 0) (local.get 1)))
    (func (export "fma") (param f64 f64 f64) (result f64)
      (f64.add (f64.mul (local.get 0) (local.get 1)) (local.get 2)))
    (func (export "swap_sub") (param i32 i32) (result i32) (local i32)
      (local.set 2 (local.get 0)) (local.set 0 (local.get 1)) (local.set 1 (local.get 2))
      (i32.sub (local.get 0) (local.get 1)))
    (func (export "tee") (param i32) (result i32) (local i32)
      (i32.add (local.tee 1 (i32.mul (local.get 0) (i32.const 3))) (local.get 1)))
    (func (export "consts") (result i32) (i32.add (i32.const 40) (i32.const 2)))
    (func (export "f32") (param f32) (result f32) (f32.sqrt (local.get 0)))
  ))");
  EXPECT_EQ(h.call1("add", {2, 3}), 5u);
  EXPECT_EQ(h.call1("add", {0xFFFFFFFF, 1}), 0u);
  EXPECT_EQ(h.call1("sub64", {10, 20}), static_cast<uint64_t>(-10));
  EXPECT_EQ(h.call1("fma", {f64c(2), f64c(3), f64c(4)}), f64c(10));
  EXPECT_EQ(h.call1("swap_sub", {10, 3}), static_cast<uint32_t>(-7));
  EXPECT_EQ(h.call1("tee", {5}), 30u);
  EXPECT_EQ(h.call1("consts"), 42u);
  EXPECT_EQ(h.call1("f32", {f32c(16)}), f32c(4));
}

TEST(Interp, ControlFlow) {
  Harness h(R"((module
    (func (export "fac") (param i64) (result i64)
      (if (result i64) (i64.eqz (local.get 0))
        (then (i64.const 1))
        (else (i64.mul (local.get 0) (call 0 (i64.sub (local.get 0) (i64.const 1)))))))
    (func (export "loop_sum") (param i32) (result i32) (local i32)
      (block $done
        (loop $l
          (br_if $done (i32.eqz (local.get 0)))
          (local.set 1 (i32.add (local.get 1) (local.get 0)))
          (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
          (br $l)))
      (local.get 1))
    (func (export "table") (param i32) (result i32)
      (block $b2 (result i32)
        (block $b1 (result i32)
          (block $b0 (result i32)
            (br_table $b0 $b1 $b2 (i32.const 100) (local.get 0)))
          (return (i32.add (i32.const 10))))
        (return (i32.add (i32.const 20)))))
    (func (export "brval") (param i32) (result i32)
      (block (result i32) (drop (br_if 0 (i32.const 7) (local.get 0))) (i32.const 8)))
    (func (export "multi") (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))
    (func (export "use_multi") (result i32) (i32.sub (call 4 (i32.const 1) (i32.const 10))))
    (func (export "blockparams") (param i32) (result i32)
      (local.get 0) (block (param i32) (result i32) (i32.const 2) (i32.mul)))
  ))");
  EXPECT_EQ(h.call1("fac", {20}), 2432902008176640000ull);
  EXPECT_EQ(h.call1("loop_sum", {100}), 5050u);
  EXPECT_EQ(h.call1("table", {0}), 110u);
  EXPECT_EQ(h.call1("table", {1}), 120u);
  EXPECT_EQ(h.call1("table", {2}), 100u);
  EXPECT_EQ(h.call1("table", {99}), 100u);
  EXPECT_EQ(h.call1("brval", {1}), 7u);
  EXPECT_EQ(h.call1("brval", {0}), 8u);
  std::vector<Cell> cells{3, 4};
  EXPECT_EQ(h.call("multi", cells), "");
  EXPECT_EQ(cells[0], 4u);
  EXPECT_EQ(cells[1], 3u);
  EXPECT_EQ(h.call1("use_multi"), 9u);
  EXPECT_EQ(h.call1("blockparams", {21}), 42u);
}

TEST(Interp, Traps) {
  Harness h(R"((module
    (memory 1)
    (table 2 funcref)
    (elem (i32.const 0) 1)
    (type $v (func))
    (func (export "unreachable") unreachable)
    (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
    (func (export "trunc") (param f32) (result i32) (i32.trunc_f32_s (local.get 0)))
    (func (export "load") (param i32) (result i32) (i32.load offset=4 (local.get 0)))
    (func (export "store") (param i32) (i64.store (local.get 0) (i64.const -1)))
    (func (export "ci") (param i32) (call_indirect (type $v) (local.get 0)))
    (func (export "rec") (call 6))
    (func (export "fill") (param i32 i32) (memory.fill (local.get 0) (i32.const 1) (local.get 1)))
  ))");
  EXPECT_EQ(h.trap("unreachable"), "unreachable");
  EXPECT_EQ(h.trap("div", {1, 0}), "integer divide by zero");
  EXPECT_EQ(h.trap("div", {0x80000000u, 0xFFFFFFFFu}), "integer overflow");
  EXPECT_EQ(h.trap("trunc", {f32c(NAN)}), "invalid conversion to integer");
  EXPECT_EQ(h.trap("trunc", {f32c(3e9f)}), "integer overflow");
  EXPECT_EQ(h.call1("load", {65528}), 0u);
  EXPECT_EQ(h.trap("load", {65529}), "out of bounds memory access");
  EXPECT_EQ(h.trap("load", {0xFFFFFFFFu}), "out of bounds memory access");
  EXPECT_EQ(h.trap("store", {65529}), "out of bounds memory access");
  EXPECT_EQ(h.trap("ci", {0}), "indirect call type mismatch");
  EXPECT_EQ(h.trap("ci", {1}), "uninitialized element 1");
  EXPECT_EQ(h.trap("ci", {2}), "undefined element");
  EXPECT_EQ(h.trap("rec"), "call stack exhausted");
  EXPECT_EQ(h.trap("fill", {65000, 537}), "out of bounds memory access");
  EXPECT_EQ(h.trap("fill", {65000, 536}), "");
}

// The translator's fused forms (address sum, add-and-compare branch, copy
// pairs) against the unfused semantics, in every metering configuration
// (each selects different branch handlers).
TEST(Interp, FusedFormsKeepWasmSemantics) {
  const char* wat = R"((module
    (memory 1)
    (data (i32.const 0) "\00\01\02\03\04\05\06\07\08\09")
    ;; i32.add wraps before the offset is added: 0xFFFFFFFF + 1 is address 0.
    (func (export "wrap_load") (param i32 i32) (result i32)
      (i32.load8_u offset=4 (i32.add (local.get 0) (local.get 1))))
    (func (export "neg_load") (param i32) (result i32)
      (i32.load8_u (i32.add (local.get 0) (i32.const -1))))
    (func (export "sum_store") (param i32 i32) (result i32)
      (i32.store8 offset=2 (i32.add (local.get 0) (local.get 1)) (i32.const 0xAB))
      (i32.load8_u (i32.const 2)))
    ;; for (i = 0; i != n; i += step) ++count, as clang emits it.
    (func (export "count") (param $n i32) (param $step i32) (result i32) (local $i i32) (local $c i32)
      (block $out
        (br_if $out (i32.eqz (local.get $n)))
        (loop $l
          ;; A guard so that a broken fusion fails the test instead of hanging
          ;; it (placed first: after the add below it would be fused too).
          (br_if $out (i32.gt_u (local.get $c) (i32.const 1000)))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (local.get $step))) (local.get $n)))))
      (local.get $c))
    ;; The comparison's right operand is the sum itself: i + 1 < i + 1 is false.
    (func (export "self_compare") (param $i i32) (result i32)
      (if (result i32) (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $i))
        (then (i32.const 100)) (else (local.get $i))))
    ;; The second copy of a pair reads the first one's destination.
    (func (export "copies") (param $a i32) (param $b i32) (result i32) (local $c i32)
      (local.set $b (local.get $a))
      (local.set $c (local.get $b))
      (i32.add (i32.mul (local.get $c) (i32.const 10)) (local.get $b)))
  ))";
  for (int config = 0; config < kMeteringConfigs; ++config) {
    const interp::TranslateOptions options = metering_config(config);
    Harness h(wat, options);
    SCOPED_TRACE(config);
    EXPECT_EQ(h.call1("wrap_load", {0xFFFFFFFFu, 1}), 4u);
    EXPECT_EQ(h.call1("wrap_load", {3, 2}), 9u);
    EXPECT_EQ(h.trap("wrap_load", {65531, 1}), "out of bounds memory access");
    EXPECT_EQ(h.call1("neg_load", {5}), 4u);
    EXPECT_EQ(h.trap("neg_load", {0}), "out of bounds memory access");
    EXPECT_EQ(h.call1("sum_store", {0xFFFFFFFFu, 1}), 0xABu);
    EXPECT_EQ(h.trap("sum_store", {65534, 0}), "out of bounds memory access");
    EXPECT_EQ(h.call1("count", {10, 1}), 10u);
    EXPECT_EQ(h.call1("count", {12, 3}), 4u);
    EXPECT_EQ(h.call1("count", {0, 1}), 0u);
    EXPECT_EQ(h.call1("self_compare", {41}), 42u);
    EXPECT_EQ(h.call1("copies", {7, 1}), 77u);
  }
}

// The forms Go's code shape calls for: a back edge that sets the loop
// header's br_table local to a constant is threaded to that arm (and fused
// with the copy), i64.extend_i32_u of a fresh i32 result emits nothing, and
// `global.set` joins the i32.add / i32.sub that computed its value. Each
// against the unfused semantics and, with fuel, the unfused charge.
TEST(Interp, GoShapedFormsKeepWasmSemantics) {
  // Resume points 0..3 (3 is also the default arm); each adds to $n and
  // jumps to the next through the header. `dispatch` jumps with constants
  // (threaded), `dispatch_by_param` with the same values from parameters
  // (not threaded) and otherwise the same instructions, so the same fuel.
  const char* dispatch = R"(
      (block $b3 (block $b2 (block $b1 (block $b0
        (br_table $b0 $b1 $b2 $b3 (local.get $pc)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br_if $out (i32.gt_u (local.get $n) (i32.const 100000)))  ;; a wrong arm fails, not hangs
        (local.set $pc (JUMP_TO_2)) (br $top))
       (local.set $n (i32.add (local.get $n) (i32.const 10)))
       (br_if $out (i32.gt_u (local.get $n) (i32.const 100000)))
       (local.set $pc (JUMP_TO_7)) (br $top))
      (local.set $n (i32.add (local.get $n) (i32.const 100)))
      (br_if $out (i32.gt_u (local.get $n) (i32.const 100000)))
      (local.set $pc (JUMP_TO_1)) (br $top))
     (local.set $n (i32.add (local.get $n) (i32.const 1000))))";
  auto with = [&](const std::string& to2, const std::string& to7, const std::string& to1) {
    std::string body = dispatch;
    body.replace(body.find("JUMP_TO_2"), 9, to2);
    body.replace(body.find("JUMP_TO_7"), 9, to7);
    body.replace(body.find("JUMP_TO_1"), 9, to1);
    return "(block $out (loop $top" + body + "))\n(i32.add (local.get $n) (i32.mul (local.get $pc) (i32.const 10000)))";
  };
  const std::string wat = R"((module
    (memory 1)
    (data (i32.const 0) "\FE\FF\FF\FF")
    (global $sp (mut i32) (i32.const 16))
    (global $g64 (mut i64) (i64.const -1))
    (func (export "dispatch") (param $pc i32) (param i32 i32 i32) (result i32) (local $n i32)
      )" + with("i32.const 2", "i32.const 7", "i32.const 1") + R"()
    (func (export "dispatch_by_param") (param $pc i32) (param $c2 i32) (param $c7 i32) (param $c1 i32)
        (result i32) (local $n i32)
      )" + with("local.get $c2", "local.get $c7", "local.get $c1") + R"()
    ;; Threaded back edges that never pass the header again: the edge itself
    ;; must still stop for an interrupt and charge fuel.
    (func (export "spin") (param $pc i32)
      (loop $top (block $b0 (br_table $b0 (local.get $pc))) (local.set $pc (i32.const 0)) (br $top)))
    ;; A label value copied just before the branch.
    (func (export "block_value") (param i32) (result i32)
      (block $b (result i32) (br $b (local.get 0))))
    (func (export "br_if_value") (param i32 i32) (result i32)
      (block $b (result i32) (drop (br_if $b (local.get 0) (local.get 1))) (i32.const 99)))
    (func (export "lt_wide") (param i32 i32) (result i64)
      (i64.extend_i32_u (i32.lt_u (local.get 0) (local.get 1))))
    (func (export "sum_wide") (param i32 i32) (result i64)
      (i64.extend_i32_u (i32.add (local.get 0) (local.get 1))))
    (func (export "sub_from_wide") (param i32 i32 i32) (result i64)
      (i64.extend_i32_u (i32.sub (local.get 2) (i32.sub (local.get 0) (local.get 1)))))
    (func (export "load_wide") (param i32) (result i64)
      (i64.extend_i32_u (i32.load (local.get 0))))
    ;; A wrapped i64 is not a fresh i32 result: its high bits must go.
    (func (export "wrap_wide") (param i64 i64) (result i64)
      (i64.extend_i32_u (i32.wrap_i64 (i64.add (local.get 0) (local.get 1)))))
    (func (export "tee_wide") (param i64) (result i64) (local $w i32)
      (i64.extend_i32_u (local.tee $w (i32.wrap_i64 (local.get 0)))))
    ;; Go's `x != 0`: eqz, widen, eqz, branch.
    (func (export "nonzero") (param i64) (result i32)
      (if (result i32) (i64.eqz (i64.extend_i32_u (i64.eqz (local.get 0))))
        (then (i32.const 1)) (else (i32.const 0))))
    ;; Go's prologue: SP cached in a local, lowered, stored back.
    (func (export "push") (param $size i32) (result i64) (local $s i32)
      (local.set $s (global.get $sp))
      (global.set $sp (local.tee $s (i32.sub (local.get $s) (local.get $size))))
      (i64.or (i64.shl (i64.extend_i32_u (local.get $s)) (i64.const 32)) (i64.extend_i32_u (global.get $sp))))
    (func (export "pop") (param $size i32) (result i32)
      (global.set $sp (i32.add (global.get $sp) (local.get $size)))
      (global.get $sp))
    ;; Go's calling convention: a constant resume point as the last
    ;; argument, a constant result, the stack pointer reloaded after the
    ;; call and the call's unwind flag tested at once.
    (global $flag (mut i32) (i32.const 0))
    (func $twice (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
    (func $minus (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))
    (func (export "call_const") (result i32) (call $twice (i32.const 21)))
    (func (export "call_last_const") (param i32) (result i32) (call $minus (local.get 0) (i32.const 5)))
    (func (export "ret_const") (param i32) (result i32)
      (if (local.get 0) (then (return (i32.const 1))))
      (i32.const 2))
    (func (export "after_call") (param $x i32) (result i32) (local $s i32)
      (block $unwind
        (call $twice (local.get $x))
        (local.set $s (global.get $sp))
        (br_if $unwind)
        (return (i32.add (local.get $s) (i32.const 100))))
      (i32.add (local.get $s) (i32.const 1000)))
    (func (export "on_flag") (param i32) (result i32)
      (global.set $flag (local.get 0))
      (block $b (br_if $b (global.get $flag)) (return (i32.const 5)))
      (i32.const 6))
    (func (export "set_wide") (param i32 i32) (result i64)
      (global.set $g64 (i64.extend_i32_u (i32.add (local.get 0) (local.get 1))))
      (global.get $g64))
  ))";
  for (int config = 0; config < kMeteringConfigs; ++config) {
    const interp::TranslateOptions options = metering_config(config);
    Harness h(wat, options);
    SCOPED_TRACE(config);
    h.ctx->fuel_enabled = options.fuel;
    for (uint32_t start : {0u, 1u, 2u, 3u, 5u}) {
      h.ctx->fuel = 1'000'000;
      const uint64_t threaded = h.call1("dispatch", {start, 2, 7, 1});
      const int64_t threaded_fuel = h.ctx->fuel;
      h.ctx->fuel = 1'000'000;
      EXPECT_EQ(h.call1("dispatch_by_param", {start, 2, 7, 1}), threaded) << start;
      if (options.fuel) {
        EXPECT_EQ(h.ctx->fuel, threaded_fuel) << start;
      }
    }
    EXPECT_EQ(h.call1("dispatch", {0, 0, 0, 0}), 71111u);  // 0 -> 2 -> 1 -> 7 (default)
    EXPECT_EQ(h.call1("dispatch", {2, 0, 0, 0}), 71110u);
    EXPECT_EQ(h.call1("dispatch", {5, 0, 0, 0}), 51000u);
    EXPECT_EQ(h.call1("block_value", {42}), 42u);
    EXPECT_EQ(h.call1("br_if_value", {42, 1}), 42u);
    EXPECT_EQ(h.call1("br_if_value", {42, 0}), 99u);
    EXPECT_EQ(h.call1("lt_wide", {1, 2}), 1u);
    EXPECT_EQ(h.call1("lt_wide", {2, 1}), 0u);
    EXPECT_EQ(h.call1("sum_wide", {0xFFFFFFFFu, 2}), 1u);
    EXPECT_EQ(h.call1("sum_wide", {0x80000000u, 0x7FFFFFFFu}), 0xFFFFFFFFull);
    EXPECT_EQ(h.call1("sub_from_wide", {10, 4, 1}), 0xFFFFFFFBull);
    EXPECT_EQ(h.call1("load_wide", {0}), 0xFFFFFFFEull);
    EXPECT_EQ(h.call1("wrap_wide", {0x100000005ull, 0x200000003ull}), 8u);
    EXPECT_EQ(h.call1("wrap_wide", {0x1FFFFFFFFull, 0x100000000ull}), 0xFFFFFFFFull);
    EXPECT_EQ(h.call1("tee_wide", {0xABCDEF0012345678ull}), 0x12345678u);
    EXPECT_EQ(h.call1("nonzero", {0}), 0u);
    EXPECT_EQ(h.call1("nonzero", {0x100000000ull}), 1u);
    EXPECT_EQ(h.call1("push", {24}), 0xFFFFFFF8'FFFFFFF8ull);  // 16 - 24 wraps, in the local and the global
    EXPECT_EQ(h.call1("pop", {8}), 0u);
    EXPECT_EQ(h.call1("pop", {0xFFFFFFFFu}), 0xFFFFFFFFu);
    EXPECT_EQ(h.call1("pop", {17}), 16u);
    EXPECT_EQ(h.call1("set_wide", {0xFFFFFFFFu, 3}), 2u);
    EXPECT_EQ(h.call1("call_const"), 42u);
    EXPECT_EQ(h.call1("call_last_const", {12}), 7u);
    EXPECT_EQ(h.call1("ret_const", {1}), 1u);
    EXPECT_EQ(h.call1("ret_const", {0}), 2u);
    EXPECT_EQ(h.call1("after_call", {0}), 116u);   // $sp is 16 again after push/pop above
    EXPECT_EQ(h.call1("after_call", {3}), 1016u);
    EXPECT_EQ(h.call1("on_flag", {0}), 5u);
    EXPECT_EQ(h.call1("on_flag", {0x100}), 6u);
  }
  Harness h(wat, metering_config(2));
  h.ctx->fuel_enabled = true;
  h.ctx->fuel = 1000;
  EXPECT_EQ(h.trap("spin", {0}), "out of fuel");
  h.ctx->fuel_enabled = false;
  InterruptState interrupt;
  interrupt.trigger(InterruptState::kInterrupt);
  h.ctx->interrupt = &interrupt;
  EXPECT_EQ(h.trap("spin", {0}), "interrupted");
  Harness unmetered(wat, metering_config(1));
  unmetered.ctx->interrupt = &interrupt;
  EXPECT_EQ(unmetered.trap("spin", {0}), "interrupted");
}

// eqz of a fresh comparison becomes the opposite comparison (integers
// only), in value and branch position; an i64.add of an extended i32 that
// only feeds an address becomes an address-sum access, which must wrap at
// 2^32 as i32.wrap_i64 does.
TEST(Interp, InvertedTestsAndWideAddressSums) {
  const char* kOps[] = {"eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"};
  std::string wat = R"((module
    (memory 1)
    (data (i32.const 0) "\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10")
    (func (export "eqz_eqz32") (param i32) (result i32) (i32.eqz (i32.eqz (local.get 0))))
    (func (export "eqz_eqz64") (param i64) (result i32) (i32.eqz (i64.eqz (local.get 0))))
    (func (export "if_eqz_eqz64") (param i64) (result i32)
      (if (result i32) (i32.eqz (i64.eqz (local.get 0))) (then (i32.const 7)) (else (i32.const 9))))
    (func (export "not_lt_nan") (param f64 f64) (result i32) (i32.eqz (f64.lt (local.get 0) (local.get 1))))
    (func (export "load_sp") (param $sp i32) (param $k i64) (result i64)
      (i64.load (i32.wrap_i64 (i64.add (i64.extend_i32_u (local.get $sp)) (local.get $k)))))
    (func (export "load_sp_rhs") (param $sp i32) (param $k i64) (result i64)
      (i64.load8_u offset=1 (i32.wrap_i64 (i64.add (local.get $k) (i64.extend_i32_u (local.get $sp))))))
    (func (export "store_sp") (param $sp i32) (param $v i64) (result i64)
      (i64.store32 (i32.wrap_i64 (i64.add (i64.extend_i32_u (local.get $sp)) (i64.const 0x100000008))) (local.get $v))
      (i64.load (i32.const 8)))
  )";
  for (const char* op : kOps) {
    for (const char* t : {"i32", "i64"}) {
      std::string name = std::string(t) + "." + op;
      wat += "(func (export \"not_" + name + "\") (param " + t + " " + t + ") (result i32) (i32.eqz (" + name +
             " (local.get 0) (local.get 1))))\n";
      wat += "(func (export \"if_not_" + name + "\") (param " + t + " " + t +
             ") (result i32) (if (result i32) (i32.eqz (" + name +
             " (local.get 0) (local.get 1))) (then (i32.const 1)) (else (i32.const 0))))\n";
    }
  }
  wat += ")";
  auto holds = [](const std::string& op, int64_t a, int64_t b, uint64_t ua, uint64_t ub) {
    if (op == "eq") return a == b;
    if (op == "ne") return a != b;
    if (op == "lt_s") return a < b;
    if (op == "lt_u") return ua < ub;
    if (op == "gt_s") return a > b;
    if (op == "gt_u") return ua > ub;
    if (op == "le_s") return a <= b;
    if (op == "le_u") return ua <= ub;
    if (op == "ge_s") return a >= b;
    return ua >= ub;
  };
  for (int config = 0; config < kMeteringConfigs; ++config) {
    const interp::TranslateOptions options = metering_config(config);
    Harness h(wat, options);
    h.ctx->fuel_enabled = options.fuel;
    h.ctx->fuel = 1'000'000'000;
    SCOPED_TRACE(config);
    const uint64_t values[] = {0, 1, 2, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x100000000ull, 0x8000000000000000ull,
                               0xFFFFFFFFFFFFFFFFull};
    for (const char* op : kOps) {
      for (uint64_t a : values) {
        for (uint64_t b : values) {
          const bool h32 = holds(op, static_cast<int32_t>(a), static_cast<int32_t>(b), static_cast<uint32_t>(a),
                                 static_cast<uint32_t>(b));
          const bool h64 = holds(op, static_cast<int64_t>(a), static_cast<int64_t>(b), a, b);
          const uint64_t a32 = static_cast<uint32_t>(a), b32 = static_cast<uint32_t>(b);
          ASSERT_EQ(h.call1(std::string("not_i32.") + op, {a32, b32}), h32 ? 0u : 1u) << op << " " << a << " " << b;
          ASSERT_EQ(h.call1(std::string("if_not_i32.") + op, {a32, b32}), h32 ? 0u : 1u) << op << " " << a << " " << b;
          ASSERT_EQ(h.call1(std::string("not_i64.") + op, {a, b}), h64 ? 0u : 1u) << op << " " << a << " " << b;
          ASSERT_EQ(h.call1(std::string("if_not_i64.") + op, {a, b}), h64 ? 0u : 1u) << op << " " << a << " " << b;
        }
      }
    }
    EXPECT_EQ(h.call1("eqz_eqz32", {0}), 0u);
    EXPECT_EQ(h.call1("eqz_eqz32", {0x80000000u}), 1u);
    EXPECT_EQ(h.call1("eqz_eqz64", {0}), 0u);
    EXPECT_EQ(h.call1("eqz_eqz64", {0x100000000ull}), 1u);
    EXPECT_EQ(h.call1("if_eqz_eqz64", {0x100000000ull}), 7u);
    EXPECT_EQ(h.call1("if_eqz_eqz64", {0}), 9u);
    const double nan = std::nan("");
    EXPECT_EQ(h.call1("not_lt_nan", {f64c(1.0), f64c(nan)}), 1u);  // f64.ge would say 0
    EXPECT_EQ(h.call1("not_lt_nan", {f64c(1.0), f64c(2.0)}), 0u);
    EXPECT_EQ(h.call1("load_sp", {0, 8}), 0x100F0E0D0C0B0A09ull);
    EXPECT_EQ(h.call1("load_sp", {0xFFFFFFF8u, 16}), 0x100F0E0D0C0B0A09ull);         // wraps to 8
    EXPECT_EQ(h.call1("load_sp", {8, 0xABCD00000000ull}), 0x100F0E0D0C0B0A09ull);     // high bits dropped
    EXPECT_EQ(h.trap("load_sp", {65530, 0}), "out of bounds memory access");
    EXPECT_EQ(h.trap("load_sp", {0xFFFFFFFFu, 0}), "out of bounds memory access");  // no wrap: 2^32 - 1
    EXPECT_EQ(h.call1("load_sp_rhs", {0xFFFFFFFFu, 1}), 0x02u);                      // (2^32 - 1 + 1) wraps, offset 1
    EXPECT_EQ(h.call1("store_sp", {0, 0x11223344AABBCCDDull}), 0x100F0E0DAABBCCDDull);
    // 2^32 - 1 + 2^32 + 8 wraps to 7: bytes 7..10 = 55 00 00 00.
    EXPECT_EQ(h.call1("store_sp", {0xFFFFFFFFu, 0x55ull}), 0x100F0E0DAA000000ull);
  }
}

// Fused arithmetic pairs (ir.h): the intermediate as either operand of the
// second op, and rounded as its own op (no fused multiply-add).
TEST(Interp, FusedArithmeticPairsKeepWasmSemantics) {
  const char* wat = R"((module
    (func (export "mul_add") (param f64 f64 f64) (result f64)
      (f64.add (f64.mul (local.get 0) (local.get 1)) (local.get 2)))
    (func (export "sub_from") (param f64 f64 f64) (result f64)
      (f64.sub (local.get 2) (f64.sub (local.get 0) (local.get 1))))
    (func (export "sub_of") (param f64 f64 f64) (result f64)
      (f64.sub (f64.sub (local.get 0) (local.get 1)) (local.get 2)))
    (func (export "mul_sub32") (param f32 f32 f32) (result f32)
      (f32.sub (f32.mul (local.get 0) (local.get 1)) (local.get 2)))
    (func (export "chain") (param f64 f64) (result f64)
      (f64.mul (f64.add (f64.mul (local.get 0) (local.get 1)) (local.get 1)) (local.get 0)))
    ;; The intermediate as a shift count is taken mod 32 / mod 64.
    (func (export "shl_by_sum") (param i32 i32 i32) (result i32)
      (i32.shl (local.get 2) (i32.add (local.get 0) (local.get 1))))
    (func (export "sub_from32") (param i32 i32 i32) (result i32)
      (i32.sub (local.get 2) (i32.sub (local.get 0) (local.get 1))))
    (func (export "rotl_xor") (param i32 i32 i32) (result i32)
      (i32.xor (i32.rotl (local.get 0) (local.get 1)) (local.get 2)))
    (func (export "shr_s_by_mul64") (param i64 i64 i64) (result i64)
      (i64.shr_s (local.get 2) (i64.mul (local.get 0) (local.get 1))))
    (func (export "add_and64") (param i64 i64 i64) (result i64)
      (i64.and (i64.add (local.get 0) (local.get 1)) (local.get 2)))
  ))";
  auto d = [](double v) { return std::bit_cast<uint64_t>(v); };
  auto f = [](float v) { return static_cast<uint64_t>(std::bit_cast<uint32_t>(v)); };
  Harness h(wat);
  EXPECT_EQ(h.call1("mul_add", {d(3), d(4), d(5)}), d(17));
  EXPECT_EQ(h.call1("sub_from", {d(10), d(4), d(1)}), d(-5));
  EXPECT_EQ(h.call1("sub_of", {d(10), d(4), d(1)}), d(5));
  EXPECT_EQ(h.call1("chain", {d(2), d(3)}), d(18));
  // (1 + 2^-30)^2 = 1 + 2^-29 + 2^-60 rounds to 1 + 2^-29 before the
  // subtraction; a fused multiply-add would keep the 2^-60.
  const double a = 1.0 + std::ldexp(1.0, -30);
  EXPECT_EQ(h.call1("mul_add", {d(a), d(a), d(-(1.0 + std::ldexp(1.0, -29)))}), d(0.0));
  const float b = 1.0f + std::ldexp(1.0f, -12);
  EXPECT_EQ(h.call1("mul_sub32", {f(b), f(b), f(1.0f + std::ldexp(1.0f, -11))}), f(0.0f));
  EXPECT_EQ(h.call1("mul_sub32", {f(2), f(3), f(0.5f)}), f(5.5f));
  EXPECT_EQ(h.call1("shl_by_sum", {30, 3, 1}), 2u);  // 1 << (33 mod 32)
  EXPECT_EQ(h.call1("sub_from32", {10, 4, 1}), 0xFFFFFFFBu);
  EXPECT_EQ(h.call1("rotl_xor", {0x80000001u, 1, 0xF0}), 0xF3u);
  EXPECT_EQ(h.call1("shr_s_by_mul64", {13, 5, 0x8000000000000000ull}), 0xC000000000000000ull);  // >> (65 mod 64)
  EXPECT_EQ(h.call1("add_and64", {0xFFFFFFFFull, 1, 0x1FFFFFFFFull}), 0x100000000ull);
}

TEST(Interp, MemoryAndGlobals) {
  Harness h(R"((module
    (memory 1 3)
    (global $g (mut i64) (i64.const 5))
    (data (i32.const 16) "\01\02\03\04\ff")
    (func (export "loads") (result i64)
      (i64.add (i64.load32_u (i32.const 16)) (i64.load8_s (i32.const 20))))
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
    (func (export "size") (result i32) (memory.size))
    (func (export "gl") (result i64) (global.set $g (i64.add (global.get $g) (i64.const 1))) (global.get $g))
    (func (export "copy") (result i32)
      (memory.copy (i32.const 100) (i32.const 16) (i32.const 5)) (i32.load8_u (i32.const 104)))
  ))");
  EXPECT_EQ(h.call1("loads"), 0x04030201ull - 1);
  EXPECT_EQ(h.call1("grow", {1}), 1u);
  EXPECT_EQ(h.call1("size"), 2u);
  EXPECT_EQ(h.call1("grow", {5}), 0xFFFFFFFFu);
  EXPECT_EQ(h.call1("gl"), 6u);
  EXPECT_EQ(h.call1("gl"), 7u);
  EXPECT_EQ(h.call1("copy"), 0xFFu);
}

TEST(Interp, Simd) {
  Harness h(R"((module
    (memory 1)
    (func (export "add") (result i32)
      (i32x4.extract_lane 2 (i32x4.add (v128.const i32x4 1 2 3 4) (i32x4.splat (i32.const 10)))))
    (func (export "shuffle") (result i32)
      (i8x16.extract_lane_u 0
        (i8x16.shuffle 31 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14
          (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15)
          (v128.const i8x16 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31))))
    (func (export "mem") (result i64) (local v128)
      (v128.store (i32.const 32) (v128.const i64x2 7 9))
      (local.set 0 (v128.load (i32.const 32)))
      (i64x2.extract_lane 1 (local.get 0)))
    (func (export "select") (param i32) (result i32)
      (i32x4.extract_lane 0 (select (v128.const i32x4 1 0 0 0) (v128.const i32x4 2 0 0 0) (local.get 0))))
  ))");
  EXPECT_EQ(h.call1("add"), 13u);
  EXPECT_EQ(h.call1("shuffle"), 31u);
  EXPECT_EQ(h.call1("mem"), 9u);
  EXPECT_EQ(h.call1("select", {1}), 1u);
  EXPECT_EQ(h.call1("select", {0}), 2u);
}

TEST(Interp, DeepRecursionOnSmallThread) {
  // The recursion limit must trap, not overflow the host stack, even on a
  // thread with a small native stack (wasm calls do not recurse natively).
  std::string result;
  std::thread t([&] {
    Harness h(R"((module (func (export "f") (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
        (else (i32.add (i32.const 1) (call 0 (i32.sub (local.get 0) (i32.const 1)))))))))",
              {}, 1 << 22, 1000000);
    std::vector<Cell> args{200000};
    result = h.call("f", args);
    if (result.empty()) result = std::to_string(args[0]);
    std::vector<Cell> args2{100000000};
    result += "/" + h.call("f", args2);
  });
  t.join();
  EXPECT_EQ(result, "200000/call stack exhausted");
}

TEST(Interp, FuelAndInterruptSeams) {
  Harness h(R"((module (func (export "spin") (loop (br 0)))))", metering_config(2));
  h.ctx->fuel_enabled = true;
  h.ctx->fuel = 1000;
  EXPECT_EQ(h.trap("spin"), "out of fuel");
  h.ctx->fuel_enabled = false;
  InterruptState interrupt;
  interrupt.trigger(InterruptState::kInterrupt);
  h.ctx->interrupt = &interrupt;
  EXPECT_EQ(h.trap("spin"), "interrupted");
  interrupt.clear(InterruptState::kInterrupt);
  interrupt.trigger(InterruptState::kDeadline);
  EXPECT_EQ(h.trap("spin"), "interrupted: deadline exceeded");
}

}  // namespace
}  // namespace wasmrt
