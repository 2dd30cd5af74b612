// The cost of issue 4's metering on the interpreter: fuel (per basic block)
// and interrupt checks (function entries and loop back edges), over compute
// workloads that stress where the checks sit: calls, tight loops, memory
// loops, floating-point loops, br_table dispatch and bulk memory.
//
// Every workload runs under four EngineConfigs:
//   fuel0_int0  consume_fuel=false interruptible=false  (baseline)
//   fuel0_int1  consume_fuel=false interruptible=true
//   fuel1_int0  consume_fuel=true  interruptible=false
//   fuel1_int1  consume_fuel=true  interruptible=true
// Absolute times mean nothing on a shared machine; only ratios between
// configurations measured in the same run do. bench/run_limits_bench.sh
// runs this with interleaved repetitions and prints those ratios.
//
// Each call's result is checked against a C++ reference, so a configuration
// that skips work cannot look fast, and with fuel on, the fuel a call uses
// must be the same on every iteration, every repetition and both
// interruptible settings (reported as the "fuel" counter).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "wasmrt/wasmrt.h"

namespace {

// ---------------------------------------------------------------------------
// Workloads. Each module exports "run"; the argument sizes the work so one
// call takes roughly 20-200 ms on the interpreter.

// Call-heavy: every call is a function entry (an interrupt check) and a
// handful of tiny basic blocks (fuel charges).
constexpr std::string_view kFibWat = R"((module
  (func $fib (export "run") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else
        (i32.add
          (call $fib (i32.sub (local.get $n) (i32.const 1)))
          (call $fib (i32.sub (local.get $n) (i32.const 2))))))))
)";

// The worst case for per-block metering: a three-instruction loop body, so
// the back-edge check and the block's charge are a large share of it.
constexpr std::string_view kLoopSumWat = R"((module
  (func (export "run") (param $n i32) (result i64)
    (local $i i32) (local $sum i64)
    (loop $top
      (local.set $sum (i64.add (local.get $sum) (i64.extend_i32_u (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $top (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $sum)))
)";

// Loads and stores in nested loops; the clear is one memory.fill.
constexpr std::string_view kSieveWat = R"((module
  (memory (export "memory") 64)
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $count i32)
    (memory.fill (i32.const 0) (i32.const 0) (local.get $n))
    (local.set $i (i32.const 2))
    (block $sieved
      (loop $outer
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
        (br_if $counted (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $count (i32.add (local.get $count) (i32.eqz (i32.load8_u (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $count_loop)))
    (local.get $count)))
)";

// n×n f64 matrices A (at 0), B (at 8n²) and C (at 16n²). Entries are small
// integers, so every product and sum is exact and the C++ reference can
// compare the checksum bit for bit.
constexpr std::string_view kMatmulWat = R"((module
  (memory (export "memory") 8)
  (func (export "run") (param $n i32) (result f64)
    (local $i i32) (local $j i32) (local $k i32)
    (local $a i32) (local $b i32) (local $c i32)
    (local $acc f64) (local $checksum f64)
    (local.set $b (i32.mul (i32.mul (local.get $n) (local.get $n)) (i32.const 8)))
    (local.set $c (i32.shl (local.get $b) (i32.const 1)))
    ;; A[i][j] = (3i + 7j) % 11 - 5 ; B[i][j] = (5i + 2j) % 13 - 6
    (local.set $i (i32.const 0))
    (loop $init_i
      (local.set $j (i32.const 0))
      (loop $init_j
        (local.set $a (i32.mul (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 8)))
        (f64.store (local.get $a)
          (f64.convert_i32_s (i32.sub (i32.rem_u (i32.add (i32.mul (local.get $i) (i32.const 3))
                                                          (i32.mul (local.get $j) (i32.const 7)))
                                                 (i32.const 11))
                                      (i32.const 5))))
        (f64.store (i32.add (local.get $b) (local.get $a))
          (f64.convert_i32_s (i32.sub (i32.rem_u (i32.add (i32.mul (local.get $i) (i32.const 5))
                                                          (i32.mul (local.get $j) (i32.const 2)))
                                                 (i32.const 13))
                                      (i32.const 6))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $init_j (i32.lt_u (local.get $j) (local.get $n))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $init_i (i32.lt_u (local.get $i) (local.get $n))))
    ;; C = A × B, then the sum of C's entries.
    (local.set $i (i32.const 0))
    (loop $row
      (local.set $j (i32.const 0))
      (loop $column
        (local.set $acc (f64.const 0))
        (local.set $k (i32.const 0))
        (loop $dot
          (local.set $acc
            (f64.add (local.get $acc)
              (f64.mul
                (f64.load (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $k)) (i32.const 3)))
                (f64.load (i32.add (local.get $b)
                  (i32.shl (i32.add (i32.mul (local.get $k) (local.get $n)) (local.get $j)) (i32.const 3)))))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $dot (i32.lt_u (local.get $k) (local.get $n))))
        (f64.store (i32.add (local.get $c)
                     (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 3)))
                   (local.get $acc))
        (local.set $checksum (f64.add (local.get $checksum) (local.get $acc)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $column (i32.lt_u (local.get $j) (local.get $n))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $row (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $checksum)))
)";

// A bytecode interpreter's shape: an LCG picks one of eight "opcodes" per
// step, br_table dispatches, and every handler branches back to the loop.
constexpr std::string_view kDispatchWat = R"((module
  (func (export "run") (param $steps i32) (result i32)
    (local $x i32) (local $acc i32)
    (local.set $x (i32.const 12345))
    (block $exit
      (loop $dispatch
        (br_if $exit (i32.eqz (local.get $steps)))
        (local.set $steps (i32.sub (local.get $steps) (i32.const 1)))
        (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 1103515245)) (i32.const 12345)))
        (block $op7 (block $op6 (block $op5 (block $op4
        (block $op3 (block $op2 (block $op1 (block $op0
          (br_table $op0 $op1 $op2 $op3 $op4 $op5 $op6 $op7
            (i32.and (i32.shr_u (local.get $x) (i32.const 16)) (i32.const 7))))
          (local.set $acc (i32.add (local.get $acc) (i32.const 1)))
          (br $dispatch))
          (local.set $acc (i32.xor (local.get $acc) (local.get $x)))
          (br $dispatch))
          (local.set $acc (i32.rotl (local.get $acc) (i32.const 5)))
          (br $dispatch))
          (local.set $acc (i32.mul (local.get $acc) (i32.const 31)))
          (br $dispatch))
          (local.set $acc (i32.sub (local.get $acc) (local.get $steps)))
          (br $dispatch))
          (local.set $acc (i32.shr_u (local.get $acc) (i32.const 1)))
          (br $dispatch))
          (local.set $acc (i32.add (local.get $acc) (i32.shl (local.get $x) (i32.const 3))))
          (br $dispatch))
        (local.set $acc (i32.xor (local.get $acc) (i32.const 0x5a5a5a5a)))
        (br $dispatch)))
    (local.get $acc)))
)";

// Bulk memory: each round fills 64 KiB and copies it to the next 64 KiB, so
// fuel is charged in proportion to bytes while the per-block checks are
// nearly free. 128 KiB stays in L2: a DRAM-bound loop would measure the
// other tenants' memory traffic, not the metering.
constexpr std::string_view kBulkCopyWat = R"((module
  (memory (export "memory") 2)
  (func (export "run") (param $rounds i32) (result i32)
    (local $round i32) (local $acc i32)
    (loop $again
      (memory.fill (i32.const 0) (i32.and (local.get $round) (i32.const 255)) (i32.const 0x10000))
      (memory.copy (i32.const 0x10000) (i32.const 0) (i32.const 0x10000))
      (local.set $acc
        (i32.add (local.get $acc)
          (i32.load8_u (i32.add (i32.const 0x10000)
                                (i32.and (i32.mul (local.get $round) (i32.const 4099)) (i32.const 0xffff))))))
      (local.set $round (i32.add (local.get $round) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $round) (local.get $rounds))))
    (local.get $acc)))
)";

// ---------------------------------------------------------------------------
// C++ references for the results.

int32_t fib_reference(int32_t n) {
  int32_t previous = 0;
  int32_t current = 1;
  if (n < 2) return n;
  for (int32_t i = 2; i <= n; ++i) {
    const int32_t next = previous + current;
    previous = current;
    current = next;
  }
  return current;
}

int64_t loop_sum_reference(uint32_t n) {
  const uint64_t count = n == 0 ? 1 : n;  // the loop body runs at least once
  return static_cast<int64_t>(count * (count - 1) / 2);
}

int32_t sieve_reference(uint32_t n) {
  std::vector<bool> composite(n, false);
  for (uint64_t i = 2; i * i <= n; ++i) {
    if (composite[i]) continue;
    for (uint64_t j = i * i; j < n; j += i) composite[j] = true;
  }
  int32_t count = 0;
  for (uint32_t i = 2; i < n; ++i) count += composite[i] ? 0 : 1;
  return count;
}

double matmul_reference(uint32_t n) {
  auto a = [](int64_t i, int64_t j) { return (3 * i + 7 * j) % 11 - 5; };
  auto b = [](int64_t i, int64_t j) { return (5 * i + 2 * j) % 13 - 6; };
  int64_t checksum = 0;
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      for (int64_t k = 0; k < n; ++k) checksum += a(i, k) * b(k, j);
    }
  }
  return static_cast<double>(checksum);
}

int32_t dispatch_reference(uint32_t steps) {
  uint32_t x = 12345;
  uint32_t acc = 0;
  while (steps != 0) {
    --steps;
    x = x * 1103515245u + 12345u;
    switch ((x >> 16) & 7) {
      case 0: acc += 1; break;
      case 1: acc ^= x; break;
      case 2: acc = (acc << 5) | (acc >> 27); break;
      case 3: acc *= 31; break;
      case 4: acc -= steps; break;
      case 5: acc >>= 1; break;
      case 6: acc += x << 3; break;
      default: acc ^= 0x5a5a5a5au; break;
    }
  }
  return static_cast<int32_t>(acc);
}

int32_t bulk_copy_reference(uint32_t rounds) {
  // After round r, every byte of the copy holds r & 255.
  uint32_t acc = 0;
  for (uint32_t round = 0; round < rounds; ++round) acc += round & 255;
  return static_cast<int32_t>(acc);
}

struct Workload {
  std::string name;
  std::string_view wat;
  wasmrt::Value argument;
  wasmrt::Value expected;
};

std::vector<Workload> workloads() {
  constexpr int32_t kFibN = 30;
  constexpr uint32_t kLoopIterations = 30'000'000;
  constexpr uint32_t kSieveBytes = 4'000'000;
  constexpr uint32_t kMatrixSize = 128;
  constexpr uint32_t kDispatchSteps = 6'000'000;
  constexpr uint32_t kBulkRounds = 20'000;
  static_assert(kSieveBytes <= 64ull * 65536, "the sieve must fit its 64-page memory");
  static_assert(3ull * kMatrixSize * kMatrixSize * 8 <= 8ull * 65536,
                "matmul's three matrices must fit its 8-page memory");
  return {
      {"fib30", kFibWat, wasmrt::Value::i32(kFibN), wasmrt::Value::i32(fib_reference(kFibN))},
      {"loop_sum", kLoopSumWat, wasmrt::Value::i32(static_cast<int32_t>(kLoopIterations)),
       wasmrt::Value::i64(loop_sum_reference(kLoopIterations))},
      {"sieve", kSieveWat, wasmrt::Value::i32(static_cast<int32_t>(kSieveBytes)),
       wasmrt::Value::i32(sieve_reference(kSieveBytes))},
      {"matmul_f64", kMatmulWat, wasmrt::Value::i32(static_cast<int32_t>(kMatrixSize)),
       wasmrt::Value::f64(matmul_reference(kMatrixSize))},
      {"br_table_dispatch", kDispatchWat, wasmrt::Value::i32(static_cast<int32_t>(kDispatchSteps)),
       wasmrt::Value::i32(dispatch_reference(kDispatchSteps))},
      {"bulk_copy", kBulkCopyWat, wasmrt::Value::i32(static_cast<int32_t>(kBulkRounds)),
       wasmrt::Value::i32(bulk_copy_reference(kBulkRounds))},
  };
}

// ---------------------------------------------------------------------------

struct Metering {
  std::string_view name;
  bool consume_fuel;
  bool interruptible;
};

constexpr Metering kMeterings[] = {
    {"fuel0_int0", false, false},
    {"fuel0_int1", false, true},
    {"fuel1_int0", true, false},
    {"fuel1_int1", true, true},
};

// Enough that no workload runs out; refilled before every call so each call
// starts from the same budget.
constexpr uint64_t kFuelBudget = uint64_t{1} << 60;

// The fuel each workload used the first time it was measured; every later
// call, in any repetition and either interruptible setting, must match.
std::mutex fuel_mutex;
std::map<std::string, uint64_t> fuel_by_workload;

bool record_fuel(const std::string& workload, uint64_t fuel_used, std::string* mismatch) {
  std::lock_guard<std::mutex> lock(fuel_mutex);
  auto [it, inserted] = fuel_by_workload.emplace(workload, fuel_used);
  if (inserted || it->second == fuel_used) return true;
  *mismatch =
      "fuel used " + std::to_string(fuel_used) + " differs from an earlier " + std::to_string(it->second);
  return false;
}

// One call of the workload with every check: the result, and with fuel on
// the accounting. Returns "" or what went wrong.
std::string call_and_check(wasmrt::Store& store, const wasmrt::Func& run, const Workload& workload,
                           const Metering& metering, uint64_t* fuel_used) {
  if (metering.consume_fuel) {
    // A plain store of the budget; cheap next to a 20+ ms call.
    if (auto set = store.set_fuel(kFuelBudget); !set.ok())
      return "set_fuel failed: " + set.error().to_string();
  }
  const wasmrt::Value arguments[] = {workload.argument};
  auto results = run.call(arguments);
  if (!results.ok()) return "call failed: " + results.error().to_string();
  if (results->size() != 1 || !((*results)[0] == workload.expected)) {
    const std::string got = results->empty() ? "nothing" : (*results)[0].to_string();
    return "wrong result " + got + ", expected " + workload.expected.to_string();
  }
  const std::optional<uint64_t> remaining = store.fuel();
  if (!metering.consume_fuel) {
    *fuel_used = 0;
    return remaining.has_value() ? "fuel() reports a value with consume_fuel off" : "";
  }
  *fuel_used = store.last_call_stats().fuel_used;
  if (!remaining || *remaining + *fuel_used != kFuelBudget || *fuel_used == 0) {
    return "fuel accounting: used " + std::to_string(*fuel_used) + ", remaining " +
           (remaining ? std::to_string(*remaining) : "none");
  }
  std::string mismatch;
  if (!record_fuel(workload.name, *fuel_used, &mismatch)) return mismatch;
  return "";
}

// The tier measured: WASMRT_LIMITS_TIER = interp (the default: what issue
// 4's targets were set for), baseline, optimizing or jit (tiered). Not the
// engine's default (auto), so that a figure always says which tier it is.
wasmrt::ExecutionTier measured_tier() {
  const char* name = std::getenv("WASMRT_LIMITS_TIER");
  const std::string tier = name != nullptr ? name : "interp";
  if (tier == "baseline") return wasmrt::ExecutionTier::Baseline;
  if (tier == "optimizing") return wasmrt::ExecutionTier::Optimizing;
  if (tier == "jit") return wasmrt::ExecutionTier::Jit;
  return wasmrt::ExecutionTier::Interpreter;
}

void run_workload(benchmark::State& state, const Workload& workload, const Metering& metering) {
  wasmrt::EngineConfig config;
  config.tier = measured_tier();
  config.consume_fuel = metering.consume_fuel;
  config.interruptible = metering.interruptible;
  const wasmrt::Engine engine(config);
  auto module =
      engine.compile(std::span(reinterpret_cast<const uint8_t*>(workload.wat.data()), workload.wat.size()));
  if (!module.ok()) {
    state.SkipWithError(("compile failed: " + module.error().to_string()).c_str());
    return;
  }
  wasmrt::Store store(engine);
  auto instance = wasmrt::Linker().instantiate(store, module.value());
  if (!instance.ok()) {
    state.SkipWithError(("instantiate failed: " + instance.error().to_string()).c_str());
    return;
  }
  auto run = instance->func("run");
  if (!run) {
    state.SkipWithError("no export \"run\"");
    return;
  }

  // An untimed first call: the fresh store's memory is faulted in here
  // rather than in whichever timed iteration touches it first.
  uint64_t fuel_used = 0;
  if (std::string failure = call_and_check(store, *run, workload, metering, &fuel_used); !failure.empty()) {
    state.SkipWithError(failure.c_str());
    return;
  }
  for (auto _ : state) {
    if (std::string failure = call_and_check(store, *run, workload, metering, &fuel_used); !failure.empty()) {
      state.SkipWithError(failure.c_str());
      return;
    }
  }
  // Fuel of one call (0 with fuel off); identical in every iteration.
  state.counters["fuel"] = benchmark::Counter(static_cast<double>(fuel_used));
}

}  // namespace

int main(int argc, char** argv) {
  // Built once: the references (sieve, matmul) are not free, and the
  // registered lambdas hold references into this vector.
  static const std::vector<Workload> kWorkloads = workloads();
  for (const Workload& workload : kWorkloads) {
    for (const Metering& metering : kMeterings) {
      const std::string name = "limits/" + workload.name + "/" + std::string(metering.name);
      benchmark::RegisterBenchmark(name.c_str(), [&workload, &metering](benchmark::State& state) {
        run_workload(state, workload, metering);
      })->Unit(benchmark::kMillisecond);
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
