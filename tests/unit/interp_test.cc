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

#include "runtime/binary/decoder.h"
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
    auto compiled = compile_module(owned, options);
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
  for (int config = 0; config < 3; ++config) {
    interp::TranslateOptions options;
    options.interrupt_checks = config >= 1;
    options.fuel = config == 2;
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
  interp::TranslateOptions options;
  options.fuel = true;
  options.interrupt_checks = true;
  Harness h(R"((module (func (export "spin") (loop (br 0)))))", options);
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
