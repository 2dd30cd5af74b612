// The machine-code engines (the baseline JIT and the optimizing tier up
// front, and the tiered JIT) against the interpreter, side by side in one
// process: the same results, the same fuel to the unit at every budget, the
// same limits and backtraces, and calls that cross tiers, instances and
// host functions. Every test runs on each (MachineCode's parameter); the
// tiered one with thresholds so low that functions switch to machine code
// between calls, and running loops in the middle of a call (on-stack
// replacement). (Every other execution test also runs on all of them:
// tests/CMakeLists.txt.)
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/interp/interp.h"
#include "wasmrt/wasmrt.h"

namespace wasmrt {
namespace {

struct Outcome {
  bool ok = false;
  std::vector<uint64_t> results;  // raw bits
  TrapKind trap = TrapKind::None;
  std::vector<uint32_t> backtrace;  // function indices, innermost first
  std::optional<uint64_t> fuel_left;

  bool operator==(const Outcome&) const = default;
};

std::string describe(const Outcome& o) {
  std::string s = o.ok ? "ok [" : "trap " + std::to_string(static_cast<int>(o.trap)) + " [";
  for (uint64_t r : o.results) s += std::to_string(r) + " ";
  s += "] frames [";
  for (uint32_t f : o.backtrace) s += std::to_string(f) + " ";
  s += "] fuel " + (o.fuel_left ? std::to_string(*o.fuel_left) : std::string("-"));
  return s;
}

// The engine under test: ExecutionTier::Baseline, Optimizing or Jit.
class MachineCode : public ::testing::TestWithParam<ExecutionTier> {
 protected:
  static ExecutionTier tier() { return GetParam(); }
  static bool available() {
    return GetParam() == ExecutionTier::Optimizing ? Engine::optimizing_available() : Engine::jit_available();
  }
};

EngineConfig config_for(ExecutionTier tier, bool fuel) {
  EngineConfig config;
  config.tier = tier;
  config.consume_fuel = fuel;
  // The second call of a function runs on machine code, and a loop
  // switches after its first few iterations; synchronously, so the switch
  // happens at the same point of every run (and every budget).
  config.tier_up_calls = 2;
  config.tier_up_back_edges = 3;
  config.tier_up_synchronous = true;
  return config;
}

// Compiles and instantiates `wat` afresh, then calls `name`.
Outcome run(ExecutionTier tier, const std::string& wat, const std::string& name, const std::vector<Value>& args,
            std::optional<uint64_t> fuel = std::nullopt) {
  Engine engine(config_for(tier, fuel.has_value()));
  auto module = engine.compile(std::span(reinterpret_cast<const uint8_t*>(wat.data()), wat.size()));
  EXPECT_TRUE(module.ok()) << (module.ok() ? "" : module.error().message);
  if (!module.ok()) return {};
  Store store(engine);
  if (fuel) {
    EXPECT_TRUE(store.set_fuel(1'000'000'000).ok());  // instantiation (start, data) is not measured
  }
  auto instance = Linker().instantiate(store, module.value());
  EXPECT_TRUE(instance.ok()) << (instance.ok() ? "" : instance.error().message);
  if (!instance.ok()) return {};
  if (fuel) {
    EXPECT_TRUE(store.set_fuel(*fuel).ok());
  }
  Outcome o;
  auto result = instance.value().call(name, args);
  o.ok = result.ok();
  if (result.ok()) {
    for (const Value& v : result.value()) o.results.push_back(v.low_bits());
  } else if (result.error().trap != nullptr) {
    o.trap = result.error().trap->kind;
    for (const BacktraceFrame& f : result.error().trap->backtrace) o.backtrace.push_back(f.function_index);
  }
  o.fuel_left = store.fuel();
  return o;
}

// Programs that touch every kind of metered code: straight-line blocks,
// counted and conditional loops, br_table, calls (direct, indirect,
// recursive), bulk memory and table operations, memory.grow, traps.
const char* const kFuelProgram = R"((module
  (memory 1)
  (table 4 funcref)
  (elem (i32.const 0) $square $fib $sum_to $square)
  (type $unary (func (param i32) (result i32)))
  (global $calls (mut i32) (i32.const 0))
  (func $square (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
  (func $fib (param i32) (result i32)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func $sum_to (param i32) (result i32) (local $acc i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get 0)))
        (local.set $acc (i32.add (local.get $acc) (local.get 0)))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br $next)))
    (local.get $acc))
  (func $pick (param i32) (result i32)
    (block $c (block $b (block $a
      (br_table $a $b $c (local.get 0)))
      (return (i32.const 10)))
      (return (i32.const 20)))
    (i32.const 30))
  (func (export "mix") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (memory.fill (i32.const 16) (i32.const 7) (i32.mul (local.get $n) (i32.const 9)))
    (drop (memory.grow (i32.const 1)))
    (loop $l
      (local.set $acc (i32.add (local.get $acc)
        (call_indirect (type $unary) (local.get $i) (i32.and (local.get $i) (i32.const 3)))))
      (local.set $acc (i32.add (local.get $acc) (call $pick (i32.rem_u (local.get $i) (i32.const 5)))))
      (i64.store (i32.shl (local.get $i) (i32.const 3)) (i64.extend_i32_u (local.get $acc)))
      (local.set $acc (i32.add (local.get $acc) (i32.load8_u offset=16 (local.get $i))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (memory.copy (i32.const 1000) (i32.const 0) (i32.mul (local.get $n) (i32.const 8)))
    (i32.add (local.get $acc) (global.get $calls)))
  (func (export "oob") (param i32) (result i32)
    (call $sum_to (i32.const 3))
    (i32.load (i32.add (local.get 0) (i32.const 131000)))
    (i32.add)))
)";

// `tier` against the interpreter on `wat`'s export `name`: unmetered for
// each of `each_n` (an i32 argument), then metered with `metered_n` at every
// `step`-th budget from 0 to past what the call needs, where a trap must
// come at the same point and leave the same fuel, and a completed call
// leave the same fuel. Returns how many of those budgets completed.
int expect_same_as_interpreter(ExecutionTier tier, const std::string& wat, const std::string& name,
                               std::initializer_list<int32_t> each_n, int32_t metered_n, uint64_t step,
                               uint64_t past_needed) {
  for (int32_t n : each_n) {
    const std::vector<Value> args{Value::i32(n)};
    Outcome interp = run(ExecutionTier::Interpreter, wat, name, args);
    Outcome jit = run(tier, wat, name, args);
    EXPECT_TRUE(interp.ok) << describe(interp);
    EXPECT_EQ(jit, interp) << "n=" << n << "\n  jit:    " << describe(jit) << "\n  interp: " << describe(interp);
  }
  const std::vector<Value> args{Value::i32(metered_n)};
  const Outcome full = run(ExecutionTier::Interpreter, wat, name, args, 1'000'000);
  EXPECT_TRUE(full.ok) << describe(full);
  if (!full.ok) return 0;
  const uint64_t needed = 1'000'000 - *full.fuel_left;
  std::vector<uint64_t> budgets;
  for (uint64_t budget = 0; budget <= needed + past_needed; budget += step) budgets.push_back(budget);
  if (needed % step != 0) budgets.push_back(needed);  // a step past 1 skips it
  int completed = 0;
  for (uint64_t budget : budgets) {
    Outcome interp = run(ExecutionTier::Interpreter, wat, name, args, budget);
    Outcome jit = run(tier, wat, name, args, budget);
    EXPECT_EQ(jit, interp) << "budget " << budget << "\n  jit:    " << describe(jit)
                           << "\n  interp: " << describe(interp);
    if (jit != interp) break;
    completed += interp.ok ? 1 : 0;
  }
  return completed;
}

TEST_P(MachineCode, SameResultsAndFuelAsTheInterpreterAtEveryBudget) {
  if (!available()) GTEST_SKIP() << "no such tier in this build";
  EXPECT_EQ(expect_same_as_interpreter(tier(), kFuelProgram, "mix", {0, 1, 5, 12}, 9, 1, 3),
            4);  // budgets needed .. needed + 3
}

// Loops split by a br_if (a C `for` or `while`): the optimizing tier
// charges a header that cannot trap with its br_if's fall-through
// (opt::Function::SunkCharge), once per iteration instead of twice. Out of
// fuel at any point, the trap and the fuel left are still the
// interpreter's, on the first entry, on back edges, on the exit and after
// an on-stack replacement into the loop.
TEST_P(MachineCode, LoopsSplitByBrIfChargeAsTheInterpreterAtEveryBudget) {
  if (!available()) GTEST_SKIP() << "no such tier in this build";
  const std::string wat = R"((module
    (memory 1)
    (func (export "run") (param $n i32) (result i32)
      (local $i i32) (local $j i32) (local $count i32) (local $q i32)
      (local.set $i (i32.const 2))
      (block $sieved
        (loop $outer
          ;; a header with work before its br_if
          (br_if $sieved (i32.gt_u (i32.mul (local.get $i) (local.get $i)) (local.get $n)))
          (if (i32.eqz (i32.load8_u (local.get $i)))
            (then
              (local.set $j (i32.mul (local.get $i) (local.get $i)))
              (block $marked
                (loop $mark
                  (br_if $marked (i32.ge_u (local.get $j) (local.get $n)))
                  (i32.store8 (local.get $j) (i32.const 1))
                  (local.set $j (i32.add (local.get $j) (local.get $i)))
                  (br $mark)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $outer)))
      (local.set $i (i32.const 2))
      (block $counted
        (loop $count_loop
          ;; a conditional back edge at the bottom
          (br_if $counted (i32.ge_u (local.get $i) (local.get $n)))
          (local.set $count (i32.add (local.get $count) (i32.eqz (i32.load8_u (local.get $i)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $count_loop (i32.lt_u (local.get $i) (i32.const 1000)))))
      ;; a header that can trap (a division) keeps its own charge
      (local.set $i (i32.const 0))
      (block $divided
        (loop $div
          (local.set $q (i32.div_u (local.get $n) (i32.add (local.get $i) (i32.const 1))))
          (br_if $divided (i32.lt_u (local.get $q) (i32.const 3)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $div)))
      (i32.add (local.get $count) (local.get $i))))
  )";
  // (Small enough for every budget under qemu too: about 400.)
  EXPECT_GT(expect_same_as_interpreter(tier(), wat, "run", {0, 1, 2, 3, 4, 50, 997}, 12, 1, 3), 0);
}

// Loop-invariant code motion (opt::Function::Hoist): invariant work runs
// once before its loop, including work a loop runs only on some
// iterations, work invariant in an outer loop but written in an inner one,
// and a result read after the loop. An on-stack replacement into the inner
// loop (after its third back edge, before the interpreter ever ran the
// conditional work) must compute what the optimized loops no longer do.
TEST_P(MachineCode, LoopInvariantWorkMovedOutOfLoopsKeepsResultsAndFuel) {
  if (!available()) GTEST_SKIP() << "no such tier in this build";
  const std::string wat = R"((module
    (memory 1)
    (func (export "run") (param $n i32) (result i32)
      (local $i i32) (local $j i32) (local $acc i32) (local $stride i32) (local $row i32)
      (local $late i32) (local $scaled f64) (local $seen i32)
      (local.set $stride (i32.add (local.get $n) (i32.const 3)))
      (loop $outer
        (local.set $j (i32.const 0))
        (loop $inner
          ;; invariant in the inner loop only; read after both loops
          (local.set $row (i32.add (i32.mul (local.get $i) (local.get $stride)) (i32.const 16)))
          (i32.store8 (i32.and (i32.add (local.get $row) (local.get $j)) (i32.const 4095))
                      (local.get $j))
          ;; invariant in both loops, and only run on some iterations
          (if (i32.eq (local.get $j) (i32.const 5))
            (then
              (local.set $late (i32.xor (i32.mul (local.get $stride) (i32.const 2654435761))
                                        (i32.const 0x5bd1e995)))
              (local.set $acc (i32.add (local.get $acc) (local.get $late)))))
          (local.set $scaled (f64.mul (f64.convert_i32_u (local.get $stride)) (f64.const 0.5)))
          (local.set $acc (i32.add (local.get $acc)
            (i32.add (i32.trunc_f64_u (local.get $scaled))
                     (i32.load8_u (i32.and (local.get $row) (i32.const 4095))))))
          ;; written on some iterations, read on others: stays in the loop
          (if (i32.eq (i32.and (local.get $j) (i32.const 3)) (i32.const 1))
            (then (local.set $acc (i32.add (local.get $acc) (local.get $seen)))))
          (if (i32.eqz (i32.and (local.get $j) (i32.const 3)))
            (then (local.set $seen (i32.mul (local.get $stride) (i32.const 7)))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br_if $inner (i32.lt_u (local.get $j) (local.get $n))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $outer (i32.lt_u (local.get $i) (i32.const 2))))
      (i32.add (local.get $acc) (local.get $row))))
  )";
  EXPECT_GT(expect_same_as_interpreter(tier(), wat, "run", {0, 1, 5, 6, 7, 40}, 6, 1, 3), 0);
}

// A dispatch loop (an interpreter's, or Go's resumable functions): a
// br_table whose targets are joins inside the loop, the loop header itself
// and the exit, with integer and float values carried around the loop. The
// optimizing tier moves the union of its targets' registers before the
// jump; the results and the fuel must not notice.
TEST_P(MachineCode, ADispatchLoopKeepsItsValuesThroughBrTable) {
  if (!available()) GTEST_SKIP() << "no such tier in this build";
  const std::string wat = R"((module
    (func (export "run") (param $n i32) (result i64)
      (local $pc i32) (local $i i32) (local $a i64) (local $b i64) (local $x f64) (local $k i32)
      (local.set $x (f64.const 0.5))
      (block $done (loop $l
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $done (i32.gt_u (local.get $i) (local.get $n)))
        (local.set $pc (i32.rem_u (i32.mul (local.get $i) (i32.const 7)) (i32.const 6)))
        ;; new values, in other registers than the loop keeps them in
        (local.set $a (i64.add (local.get $b) (local.get $a)))
        (local.set $b (i64.sub (local.get $a) (local.get $b)))
        (local.set $x (f64.add (f64.const 0.25) (local.get $x)))
        (block $exit (block $c3 (block $c2 (block $c1 (block $c0
          (br_table $c0 $c1 $l $c2 $c3 $exit (local.get $pc)))
          ;; case 0
          (local.set $a (i64.add (local.get $a) (i64.extend_i32_u (local.get $i))))
          (br $l))
          ;; case 1
          (local.set $b (i64.xor (local.get $b) (i64.shl (local.get $a) (i64.const 2))))
          (local.set $x (f64.add (local.get $x) (f64.convert_i32_u (local.get $i))))
          (br $l))
          ;; case 3
          (local.set $k (i32.add (local.get $k) (local.get $pc)))
          (br $l))
          ;; case 4: falls out of the table's blocks to the loop's end
          (local.set $x (f64.mul (local.get $x) (f64.const 0.75)))
          (local.set $a (i64.sub (local.get $a) (i64.const 3))))
        ;; case 5 and case 4 end here
        (local.set $b (i64.add (local.get $b) (i64.const 11)))
        (br $l)))
      (i64.add (i64.add (local.get $a) (local.get $b))
               (i64.add (i64.reinterpret_f64 (local.get $x)) (i64.extend_i32_u (local.get $k))))))
  )";
  EXPECT_GT(expect_same_as_interpreter(tier(), wat, "run", {0, 1, 6, 100, 5000}, 40, 7, 2), 0);
}

// When both operands of a float operation are NaNs, which payload comes
// back is the machine's rule; the spec allows either, but every tier must
// give the same bits (i32.reinterpret_f32 shows them). The interpreter's
// C++ once returned the second operand's for f32.add, the machine code the
// first's (found by the differential fuzzer).
TEST_P(MachineCode, NaNPayloadsAreTheSameOnEveryTier) {
  if (!available()) GTEST_SKIP() << "no such tier in this build";
  std::string wat = "(module\n";
  for (const char* op : {"add", "sub", "mul", "div", "min", "max"}) {
    wat += std::string("(func (export \"f32.") + op + "\") (param i32 i32) (result i32)" +
           " (i32.reinterpret_f32 (f32." + op + " (f32.reinterpret_i32 (local.get 0)) (f32.reinterpret_i32 (local.get 1)))))\n";
    wat += std::string("(func (export \"f64.") + op + "\") (param i64 i64) (result i64)" +
           " (i64.reinterpret_f64 (f64." + op + " (f64.reinterpret_i64 (local.get 0)) (f64.reinterpret_i64 (local.get 1)))))\n";
  }
  wat += ")";
  // Quiet and signaling NaNs of both signs with different payloads, and a
  // number.
  const uint32_t f32s[] = {0x7fc00001u, 0xffc00002u, 0x7f800003u, 0xff800004u, 0x3f800000u};
  const uint64_t f64s[] = {0x7ff8000000000001u, 0xfff8000000000002u, 0x7ff0000000000003u, 0xfff0000000000004u,
                           0x3ff0000000000000u};
  for (const char* op : {"add", "sub", "mul", "div", "min", "max"}) {
    for (uint32_t a : f32s) {
      for (uint32_t b : f32s) {
        const std::vector<Value> args{Value::i32(static_cast<int32_t>(a)), Value::i32(static_cast<int32_t>(b))};
        const std::string name = std::string("f32.") + op;
        Outcome interp = run(ExecutionTier::Interpreter, wat, name, args);
        Outcome jit = run(tier(), wat, name, args);
        EXPECT_EQ(jit, interp) << name << " " << std::hex << a << " " << b << "\n  jit:    " << describe(jit)
                               << "\n  interp: " << describe(interp);
      }
    }
    for (uint64_t a : f64s) {
      for (uint64_t b : f64s) {
        const std::vector<Value> args{Value::i64(static_cast<int64_t>(a)), Value::i64(static_cast<int64_t>(b))};
        const std::string name = std::string("f64.") + op;
        Outcome interp = run(ExecutionTier::Interpreter, wat, name, args);
        Outcome jit = run(tier(), wat, name, args);
        EXPECT_EQ(jit, interp) << name << " " << std::hex << a << " " << b << "\n  jit:    " << describe(jit)
                               << "\n  interp: " << describe(interp);
      }
    }
  }
}

// The float operations the optimizing tiers expand inline (sqrt, abs,
// neg, copysign, rounding, min, max) give the interpreter's bits, NaNs
// (quiet, signaling, either sign, each operand position) and zeros
// included.
TEST_P(MachineCode, InlineFloatOpsGiveTheInterpretersBits) {
  if (!available()) GTEST_SKIP() << "no such tier in this build";
  const char* const unary[] = {"sqrt", "abs", "neg", "ceil", "floor", "trunc", "nearest"};
  const char* const binary[] = {"copysign", "min", "max"};
  std::string wat = "(module\n";
  for (const char* op : unary) {
    wat += std::string("(func (export \"f32.") + op + "\") (param i32 i32) (result i32)" +
           " (i32.reinterpret_f32 (f32." + op + " (f32.reinterpret_i32 (local.get 0)))))\n";
    wat += std::string("(func (export \"f64.") + op + "\") (param i64 i64) (result i64)" +
           " (i64.reinterpret_f64 (f64." + op + " (f64.reinterpret_i64 (local.get 0)))))\n";
  }
  for (const char* op : binary) {
    wat += std::string("(func (export \"f32.") + op + "\") (param i32 i32) (result i32)" +
           " (i32.reinterpret_f32 (f32." + op + " (f32.reinterpret_i32 (local.get 0)) (f32.reinterpret_i32 (local.get 1)))))\n";
    wat += std::string("(func (export \"f64.") + op + "\") (param i64 i64) (result i64)" +
           " (i64.reinterpret_f64 (f64." + op + " (f64.reinterpret_i64 (local.get 0)) (f64.reinterpret_i64 (local.get 1)))))\n";
  }
  wat += ")";
  // Quiet and signaling NaNs of both signs, ±0, ±infinity, halves (ties
  // for nearest), a negative number (sqrt's default NaN) and numbers.
  const uint32_t f32s[] = {0x7fc00001u, 0xffc00002u, 0x7f800003u, 0xff800004u, 0x00000000u, 0x80000000u,
                           0x7f800000u, 0xff800000u, 0x40200000u, 0xc0200000u, 0x3f000000u, 0xbfc00000u,
                           0x3f800000u, 0x4b800001u};
  const uint64_t f64s[] = {0x7ff8000000000001u, 0xfff8000000000002u, 0x7ff0000000000003u, 0xfff0000000000004u,
                           0x0000000000000000u, 0x8000000000000000u, 0x7ff0000000000000u, 0xfff0000000000000u,
                           0x4004000000000000u, 0xc004000000000000u, 0x3fe0000000000000u, 0xbff8000000000000u,
                           0x3ff0000000000000u, 0x4340000000000001u};
  auto check = [&](const std::string& name, const std::vector<Value>& args) {
    Outcome interp = run(ExecutionTier::Interpreter, wat, name, args);
    Outcome jit = run(tier(), wat, name, args);
    EXPECT_EQ(jit, interp) << name << " " << std::hex << args[0].low_bits() << " " << args[1].low_bits()
                           << "\n  jit:    " << describe(jit) << "\n  interp: " << describe(interp);
  };
  for (const char* op : unary) {
    for (uint32_t a : f32s) check(std::string("f32.") + op, {Value::i32(static_cast<int32_t>(a)), Value::i32(0)});
    for (uint64_t a : f64s) check(std::string("f64.") + op, {Value::i64(static_cast<int64_t>(a)), Value::i64(0)});
  }
  for (const char* op : binary) {
    for (uint32_t a : f32s)
      for (uint32_t b : f32s)
        check(std::string("f32.") + op, {Value::i32(static_cast<int32_t>(a)), Value::i32(static_cast<int32_t>(b))});
    for (uint64_t a : f64s)
      for (uint64_t b : f64s)
        check(std::string("f64.") + op, {Value::i64(static_cast<int64_t>(a)), Value::i64(static_cast<int64_t>(b))});
  }
}

TEST_P(MachineCode, SameTrapsAndBacktraces) {
  if (!available()) GTEST_SKIP() << "no such tier in this build";
  for (int32_t address : {0, 65536 - 131000, 131072 - 131000 - 4, 131072 - 131000 - 3, -1}) {
    const std::vector<Value> args{Value::i32(address)};
    Outcome interp = run(ExecutionTier::Interpreter, kFuelProgram, "oob", args);
    Outcome jit = run(tier(), kFuelProgram, "oob", args);
    EXPECT_EQ(jit, interp) << "address " << address << "\n  jit:    " << describe(jit)
                           << "\n  interp: " << describe(interp);
  }
  // Unbounded recursion stops at the same depth on both tiers, with the
  // same (abbreviated) backtrace.
  const std::string recursion = R"((module
    (global $depth (export "depth") (mut i32) (i32.const 0))
    (func $down (export "down") (param i64) (result i64)
      (global.set $depth (i32.add (global.get $depth) (i32.const 1)))
      (i64.add (call $down (i64.add (local.get 0) (i64.const 1))) (i64.const 1)))))";
  Outcome interp = run(ExecutionTier::Interpreter, recursion, "down", {Value::i64(0)});
  Outcome jit = run(tier(), recursion, "down", {Value::i64(0)});
  EXPECT_EQ(interp.trap, TrapKind::CallStackExhausted);
  EXPECT_EQ(jit, interp) << "\n  jit:    " << describe(jit) << "\n  interp: " << describe(interp);
}

// Calls from machine code into the interpreter and back, across instances
// with their own memories and globals, and through host functions that
// re-enter wasm.
TEST_P(MachineCode, CallsAcrossTiersInstancesAndHostFunctions) {
  if (!available()) GTEST_SKIP() << "no such tier in this build";
  const std::string provider = R"((module
    (memory (export "memory") 1)
    (global $g (mut i32) (i32.const 1000))
    (func (export "bump") (param i32) (result i32)
      (i32.store (i32.const 64) (i32.add (i32.load (i32.const 64)) (local.get 0)))
      (global.set $g (i32.add (global.get $g) (local.get 0)))
      (i32.add (global.get $g) (i32.load (i32.const 64)))))
  )";
  const std::string consumer = R"((module
    (import "provider" "bump" (func $bump (param i32) (result i32)))
    (import "host" "twice" (func $twice (param i32) (result i32)))
    (memory 1)
    (global $g (mut i32) (i32.const 5))
    (func (export "inner") (param i32) (result i32)
      (i32.store (i32.const 64) (i32.add (i32.load (i32.const 64)) (i32.const 1)))
      (i32.add (local.get 0) (global.get $g)))
    (func (export "run") (param $n i32) (result i32) (local $acc i32)
      (loop $l
        (local.set $acc (i32.add (local.get $acc) (call $bump (local.get $n))))
        (local.set $acc (i32.add (local.get $acc) (call $twice (local.get $n))))
        (i32.store (i32.const 64) (i32.add (i32.load (i32.const 64)) (i32.const 100)))
        (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
      (i32.add (local.get $acc) (i32.load (i32.const 64)))))
  )";
  auto outcome = [&](ExecutionTier provider_tier, ExecutionTier consumer_tier) {
    Engine provider_engine(config_for(provider_tier, false));
    Engine consumer_engine(config_for(consumer_tier, false));
    auto p = provider_engine.compile(std::span(reinterpret_cast<const uint8_t*>(provider.data()), provider.size()));
    auto c = consumer_engine.compile(std::span(reinterpret_cast<const uint8_t*>(consumer.data()), consumer.size()));
    EXPECT_TRUE(p.ok() && c.ok());
    if (!p.ok() || !c.ok()) return int64_t{-1};
    Store store(consumer_engine);
    auto provider_instance = Linker().instantiate(store, p.value());
    EXPECT_TRUE(provider_instance.ok());
    if (!provider_instance.ok()) return int64_t{-1};
    Linker linker;
    linker.define_instance("provider", provider_instance.value());
    // The host function calls back into the consumer's "inner" export.
    linker.define("host", "twice", HostFunction{FuncSignature{{ValueType::I32}, {ValueType::I32}},
                                                [](HostContext& host, const uint64_t* args, uint64_t* results) {
                                                  std::optional<Func> inner = host.caller_func("inner");
                                                  if (!inner) return host.trap("no inner");
                                                  auto r = inner->call({Value::i32(static_cast<int32_t>(args[0]))});
                                                  if (!r.ok()) return host.trap(r.error().message);
                                                  results[0] = static_cast<uint32_t>(r.value()[0].i32() * 2);
                                                }});
    auto consumer_instance = linker.instantiate(store, c.value());
    EXPECT_TRUE(consumer_instance.ok()) << (consumer_instance.ok() ? "" : consumer_instance.error().message);
    if (!consumer_instance.ok()) return int64_t{-1};
    auto r = consumer_instance.value().call("run", {Value::i32(20)});
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? int64_t{r.value()[0].i32()} : int64_t{-1};
  };
  const int64_t expected = outcome(ExecutionTier::Interpreter, ExecutionTier::Interpreter);
  EXPECT_GT(expected, 0);
  EXPECT_EQ(outcome(tier(), tier()), expected);
  EXPECT_EQ(outcome(ExecutionTier::Interpreter, tier()), expected);
  EXPECT_EQ(outcome(tier(), ExecutionTier::Interpreter), expected);
  // Between machine-code engines.
  if (Engine::jit_available()) {
    EXPECT_EQ(outcome(ExecutionTier::Baseline, tier()), expected);
    EXPECT_EQ(outcome(tier(), ExecutionTier::Baseline), expected);
  }
}

// Another store's pending interrupt makes every poll of this one take its
// slow path (a call into C++ that finds nothing for this store and goes
// on). Loop-carried values that the optimizing tier keeps in registers
// across back edges and joins, integer and floating point, in metered and
// unmetered loops, must come out of it intact.
TEST_P(MachineCode, LoopValuesSurviveAnotherStoresPendingInterrupt) {
  if (!available()) GTEST_SKIP() << "no such tier in this build";
  const std::string wat = R"((module
    (func (export "loops") (param $n i32) (result i64)
      (local $i i32) (local $a i64) (local $b i64) (local $x f64) (local $y f64)
      (local.set $x (f64.const 1.5))
      (local.set $b (i64.const 7))
      (loop $l
        (local.set $a (i64.add (i64.mul (local.get $a) (i64.const 31)) (i64.extend_i32_u (local.get $i))))
        (local.set $b (i64.xor (local.get $b) (i64.shl (local.get $a) (i64.const 3))))
        (local.set $x (f64.add (f64.mul (local.get $x) (f64.const 0.999)) (f64.convert_i32_u (local.get $i))))
        (local.set $y (f64.sub (local.get $y) (local.get $x)))
        ;; a join inside the loop: it keeps the loop's registers too
        (if (i32.and (local.get $i) (i32.const 1))
          (then (local.set $a (i64.add (local.get $a) (i64.const 5))))
          (else (local.set $x (f64.mul (local.get $x) (f64.const 1.0001)))))
        (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
      (i64.add (i64.add (local.get $a) (local.get $b))
               (i64.add (i64.reinterpret_f64 (local.get $x)) (i64.reinterpret_f64 (local.get $y))))))
  )";
  auto run_with_other_store_interrupted = [&](ExecutionTier t, bool fuel) -> std::optional<uint64_t> {
    EngineConfig config = config_for(t, fuel);
    config.interruptible = true;
    Engine engine(config);
    auto module = engine.compile(std::span(reinterpret_cast<const uint8_t*>(wat.data()), wat.size()));
    EXPECT_TRUE(module.ok());
    if (!module.ok()) return std::nullopt;
    Store idle(engine), running(engine);
    idle.interrupt();  // pending until a call of `idle` consumes it: never here
    if (fuel) {
      EXPECT_TRUE(running.set_fuel(1'000'000'000).ok());
    }
    auto instance = Linker().instantiate(running, module.value());
    EXPECT_TRUE(instance.ok());
    if (!instance.ok()) return std::nullopt;
    auto r = instance.value().call("loops", {Value::i32(5000)});
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    if (!r.ok()) return std::nullopt;
    return r.value()[0].low_bits();
  };
  for (bool fuel : {false, true}) {
    const std::optional<uint64_t> expected = run_with_other_store_interrupted(ExecutionTier::Interpreter, fuel);
    ASSERT_TRUE(expected.has_value());
    EXPECT_EQ(run_with_other_store_interrupted(tier(), fuel), expected) << "fuel " << fuel;
  }
}

// Functions far larger than usual. On AArch64 conditional branches reach
// ±1 MiB, so a function's machine code must stay under that: "long" (a
// loop around about 500 KB of code) is compiled, with its back edge
// spanning the whole body; "drops" (data.drop, the most machine code per
// unit of translated code: over 2 MB) stays on the interpreter. Either way
// both give the interpreter's results and fuel.
TEST_P(MachineCode, FunctionsPastTheBranchRangeStillRun) {
  if (!available()) GTEST_SKIP() << "no such tier in this build";
  std::string wat = R"((module (global $g (mut i32) (i32.const 0)) (data $d "x")
    (func (export "long") (param $n i32) (result i32) (loop $l )";
  for (int i = 0; i < 20000; ++i)
    wat += "(global.set $g (i32.add (global.get $g) (i32.const " + std::to_string(i % 7 + 1) + ")))";
  wat += R"( (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))) (global.get $g))
    (func (export "drops") (param $n i32) (result i32) (loop $l )";
  for (int i = 0; i < 40000; ++i) wat += "(data.drop $d)";
  wat += R"( (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))) (local.get $n))))";
  for (const char* name : {"long", "drops"}) {
    const std::vector<Value> args{Value::i32(3)};
    Outcome interp = run(ExecutionTier::Interpreter, wat, name, args);
    Outcome jit = run(tier(), wat, name, args);
    ASSERT_TRUE(interp.ok) << describe(interp);
    EXPECT_EQ(jit, interp) << name << "\n  jit:    " << describe(jit) << "\n  interp: " << describe(interp);
    // Metered: runs out part way through the second pass.
    const Outcome full = run(ExecutionTier::Interpreter, wat, name, args, 100'000'000);
    ASSERT_TRUE(full.ok);
    const uint64_t budget = (100'000'000 - *full.fuel_left) / 2;
    interp = run(ExecutionTier::Interpreter, wat, name, args, budget);
    jit = run(tier(), wat, name, args, budget);
    EXPECT_EQ(interp.trap, TrapKind::OutOfFuel);
    EXPECT_EQ(jit, interp) << name << "\n  jit:    " << describe(jit) << "\n  interp: " << describe(interp);
  }
}

// The optimizing tier only where the build has it (x86-64, arm64): elsewhere it
// is refused (wasm_run_engine_optimizing tests that), not skipped here.
std::vector<ExecutionTier> machine_code_tiers() {
  std::vector<ExecutionTier> tiers{ExecutionTier::Baseline};
  if (Engine::optimizing_available()) tiers.push_back(ExecutionTier::Optimizing);
  tiers.push_back(ExecutionTier::Jit);
  return tiers;
}
INSTANTIATE_TEST_SUITE_P(Tiers, MachineCode, ::testing::ValuesIn(machine_code_tiers()),
                         [](const ::testing::TestParamInfo<ExecutionTier>& info) {
                           switch (info.param) {
                             case ExecutionTier::Baseline: return std::string("baseline");
                             case ExecutionTier::Optimizing: return std::string("optimizing");
                             default: return std::string("jit");
                           }
                         });

// A C `main`: called once, with a long loop (which calls a helper). The
// loop continues on machine code in the middle of the call, and so does
// the helper from its next call; the result is the interpreter's.
TEST(Jit, ALoopInAFunctionCalledOnceReachesMachineCode) {
  if (!Engine::jit_available()) GTEST_SKIP() << "no JIT in this build";
  const std::string wat = R"((module
    (func $step (param i64 i64) (result i64)
      (i64.add (i64.mul (local.get 0) (i64.const 6364136223846793005)) (local.get 1)))
    (func (export "main") (param $n i32) (result i64) (local $x i64)
      (loop $l
        (local.set $x (call $step (local.get $x) (i64.extend_i32_u (local.get $n))))
        (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
      (local.get $x))))";
  const std::vector<Value> args{Value::i32(200'000)};
  const Outcome interp = run(ExecutionTier::Interpreter, wat, "main", args);
  ASSERT_TRUE(interp.ok);
  for (bool fuel : {false, true}) {
    // The default thresholds, compiled on this thread so that the switch
    // is certain to happen within the call.
    EngineConfig config;
    config.tier = ExecutionTier::Jit;
    config.consume_fuel = fuel;
    config.tier_up_synchronous = true;
    Engine engine(config);
    auto module = engine.compile(std::span(reinterpret_cast<const uint8_t*>(wat.data()), wat.size()));
    ASSERT_TRUE(module.ok());
    Store store(engine);
    if (fuel) {
      ASSERT_TRUE(store.set_fuel(1'000'000'000).ok());
    }
    auto instance = Linker().instantiate(store, module.value());
    ASSERT_TRUE(instance.ok());
    const uint64_t before = interp::on_stack_replacements();
    auto result = instance.value().call("main", args);
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result.value()[0].low_bits(), interp.results[0]);
    EXPECT_EQ(interp::on_stack_replacements(), before + 1) << "fuel " << fuel;
  }
}

// A recursion that alternates between the tiers while they tier up: $f
// has machine code (warmed by calls that do not recurse), $g is still
// interpreted, and each $f -> $g -> $f step nests native calls (machine
// code calling the interpreter, the interpreter entering machine code).
// Wasm's own limits must decide how deep it may go, not the native stack:
// the interpreter stops switching tiers when the native stack runs low and
// finishes the recursion itself.
TEST(Jit, RecursionAlternatingTiersKeepsTheWasmLimits) {
  if (!Engine::jit_available()) GTEST_SKIP() << "no JIT in this build";
  const std::string wat = R"((module
    (func $f (export "f") (param $n i32) (result i32)
      (if (result i32) (i32.eqz (local.get $n)) (then (i32.const 0))
        (else (i32.add (call $g (i32.sub (local.get $n) (i32.const 1))) (i32.const 1)))))
    (func $g (param $n i32) (result i32)
      (if (result i32) (i32.eqz (local.get $n)) (then (i32.const 0))
        (else (i32.add (call $f (i32.sub (local.get $n) (i32.const 1))) (i32.const 1)))))
    (func (export "warm") (param $times i32)
      (loop $l
        (drop (call $f (i32.const 0)))
        (br_if $l (local.tee $times (i32.sub (local.get $times) (i32.const 1))))))))";
  constexpr uint32_t kDepth = 90'000;  // frames; max_call_depth is 100,000
  EngineConfig config;
  config.tier = ExecutionTier::Jit;
  config.tier_up_synchronous = true;
  config.tier_up_calls = 50'000;  // $f after the warm-up; $g never (45,000 calls)
  config.tier_up_back_edges = UINT32_MAX;
  config.max_wasm_stack_bytes = std::size_t{64} << 20;
  Engine engine(config);
  auto module = engine.compile(std::span(reinterpret_cast<const uint8_t*>(wat.data()), wat.size()));
  ASSERT_TRUE(module.ok());
  Store store(engine);
  auto instance = Linker().instantiate(store, module.value());
  ASSERT_TRUE(instance.ok());
  ASSERT_TRUE(instance.value().call("warm", {Value::i32(60'000)}).ok());
  auto result = instance.value().call("f", {Value::i32(kDepth)});
  ASSERT_TRUE(result.ok()) << result.error().to_string();
  EXPECT_EQ(result.value()[0].i32(), static_cast<int32_t>(kDepth));
}

TEST(Jit, AutoIsTheTieredJitWhereThereIsOne) {
  EXPECT_EQ(EngineConfig{}.tier, ExecutionTier::Auto);
  EXPECT_EQ(Engine::resolve(ExecutionTier::Auto),
            Engine::jit_available() ? ExecutionTier::Jit : ExecutionTier::Interpreter);
  EXPECT_EQ(Engine::resolve(ExecutionTier::Baseline), ExecutionTier::Baseline);
}

}  // namespace
}  // namespace wasmrt
