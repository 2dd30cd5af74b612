// The hostile-guest suite (issue 4, item 7): guests that try to hang the
// host, exhaust its stack or memory, or slip past a bounds check. Every case
// must end in the expected typed error (phase plus TrapKind or
// ResourceLimit) within bounded time, and the whole suite, run in one
// process, must keep the host's peak RSS under 1 GiB.
//
// Hand-written guests live in tests/hostile/*.wat (each says what it attacks
// and what must happen); the large or systematic ones (a 65,536-target
// br_table, 100,000-deep nesting, 50,000 locals, 1,000,000 functions, every
// load/store width and alignment at the end of memory) are generated here.
//
// Only the public API is used, exactly as an embedder would.
#include <gtest/gtest.h>
#include <poll.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "tests/unit/test_tier.h"
#include "wasmrt/wasmrt.h"
#include "tests/unit/emulation.h"

// Under AddressSanitizer the RSS this suite bounds includes ASan's
// quarantine: freed blocks it holds back (256 MiB by default) to catch
// use-after-free. It fills with how many allocations a tier makes, not with
// what it keeps, and the optimizing tier, which analyses each of the
// million functions afresh, took the run to 1.3 GiB against 554 MiB with
// no quarantine (486 MiB without ASan). A 64 MiB quarantine keeps
// use-after-free detection while the 1 GiB line goes on measuring what the
// runtime holds. ASAN_OPTIONS still overrides it.
#if defined(__SANITIZE_ADDRESS__)
#define WASMRT_HOSTILE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WASMRT_HOSTILE_ASAN 1
#endif
#endif
#if defined(WASMRT_HOSTILE_ASAN)
extern "C" const char* __asan_default_options();
extern "C" const char* __asan_default_options() { return "quarantine_size_mb=64"; }
#endif

namespace wasmrt {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Every store gets this safety-net timeout, so a runtime bug that lets a
// guest spin shows up as a failed case instead of a hung test. It is far
// above anything a case needs, so ASan on a loaded 2-core machine is never
// flaky.
constexpr auto kSafetyTimeout = std::chrono::seconds(20);
// Each case must finish far below the safety net. Its budget is in CPU
// time of this process, so other processes on a busy 2-core machine cannot
// make it flaky (with four ASan builds running beside it, a million-function
// compile took 11 s of wall time for 5 s of CPU). Most cases take a few
// milliseconds (budget 3 s); the ones that compile megabytes of generated
// code take about a second, ~5 s under ASan (budget 12 s). Wall time must
// still stay under the safety net, which catches a case blocked without
// using CPU.
constexpr auto kQuickCaseBudget = std::chrono::seconds(3);
constexpr auto kHeavyCaseBudget = std::chrono::seconds(12);
// The short timeout the cancellation cases run under.
constexpr auto kShortTimeout = milliseconds(100);
// How late a stopped guest may be, measured from the timeout. Generous for
// ASan on a loaded CI machine: the 150 ms acceptance line is checked by
// wasm_run_limits_test; the figures printed here show the real lateness.
constexpr auto kStopSlack = milliseconds(900);
constexpr uint64_t kPage = 65536;
constexpr uint64_t k4GiB = uint64_t{1} << 32;

template <typename Duration>
double in_ms(Duration duration) {
  return std::chrono::duration<double, std::milli>(duration).count();
}

double ms_since(Clock::time_point start) {
  return in_ms(Clock::now() - start);
}

// CPU time used by this process so far (all threads).
double process_cpu_ms() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

std::vector<uint8_t> as_bytes(std::string_view text) {
  return {text.begin(), text.end()};
}

std::vector<uint8_t> read_hostile_wat(std::string_view name) {
  std::string path = std::string(WASMRT_SOURCE_DIR) + "/tests/hostile/" + std::string(name);
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::shared_ptr<const Module> compile_ok(const Engine& engine, std::span<const uint8_t> bytes,
                                         std::string_view what) {
  auto module = engine.compile(bytes);
  EXPECT_TRUE(module.ok()) << what << ": " << module.error().to_string();
  return module.ok() ? module.value() : nullptr;
}

std::shared_ptr<const Module> compile_hostile(const Engine& engine, std::string_view wat_name) {
  return compile_ok(engine, read_hostile_wat(wat_name), wat_name);
}

// A store carrying the suite's safety-net timeout.
Store guarded_store(const Engine& engine) {
  Store store(engine);
  store.set_timeout(kSafetyTimeout);
  return store;
}

std::optional<Instance> instantiate_ok(Store& store, const std::shared_ptr<const Module>& module,
                                       const Linker& linker = Linker()) {
  if (module == nullptr) return std::nullopt;
  auto instance = linker.instantiate(store, module);
  EXPECT_TRUE(instance.ok()) << instance.error().to_string();
  if (!instance.ok()) return std::nullopt;
  return instance.value();
}

testing::AssertionResult is_trap(const Result<std::vector<Value>>& result, TrapKind kind) {
  if (result.ok()) return testing::AssertionFailure() << "returned normally, expected a trap";
  const Error& error = result.error();
  if (error.phase != Phase::Trap) return testing::AssertionFailure() << "not a trap: " << error.to_string();
  if (error.trap == nullptr)
    return testing::AssertionFailure() << "trap without details: " << error.to_string();
  if (error.trap->kind != kind) {
    return testing::AssertionFailure()
           << "trap kind " << static_cast<int>(error.trap->kind) << " (\"" << error.trap->message
           << "\"), expected kind " << static_cast<int>(kind);
  }
  return testing::AssertionSuccess();
}

testing::AssertionResult returns_i32(const Result<std::vector<Value>>& result, int32_t expected) {
  if (!result.ok()) return testing::AssertionFailure() << result.error().to_string();
  const std::vector<Value>& values = result.value();
  if (values.size() != 1 || values[0].type() != ValueType::I32)
    return testing::AssertionFailure() << "not a single i32 result";
  if (values[0].i32() != expected)
    return testing::AssertionFailure() << "returned " << values[0].i32() << ", expected " << expected;
  return testing::AssertionSuccess();
}

testing::AssertionResult refused_by(const Result<Instance>& result, ResourceLimit limit,
                                    std::string_view cap_name) {
  if (result.ok())
    return testing::AssertionFailure() << "instantiated, expected the cap " << cap_name << " to refuse";
  const Error& error = result.error();
  if (error.phase != Phase::Unlinkable)
    return testing::AssertionFailure() << "not unlinkable: " << error.to_string();
  if (error.limit != limit)
    return testing::AssertionFailure()
           << "limit " << static_cast<int>(error.limit) << ": " << error.to_string();
  if (error.message.find(cap_name) == std::string::npos)
    return testing::AssertionFailure() << "message does not name " << cap_name << ": " << error.message;
  return testing::AssertionSuccess();
}

// Runs `call` while another thread interrupts the store after `delay`.
Result<std::vector<Value>> call_interrupted_after(const Store& store, milliseconds delay,
                                                  const std::function<Result<std::vector<Value>>()>& call) {
  InterruptHandle handle = store.interrupt_handle();
  std::thread interrupter([handle, delay] {
    std::this_thread::sleep_for(delay);
    handle.interrupt();
  });
  auto result = call();
  interrupter.join();
  return result;
}

// Prints one measured figure; the closing note quotes them.
void report(std::string_view what, double value, std::string_view unit) {
  std::printf("[hostile] %-52.*s %10.1f %.*s\n", static_cast<int>(what.size()), what.data(), value,
              static_cast<int>(unit.size()), unit.data());
}

// ---------------------------------------------------------------------------
// Binary encoding helpers for the generated modules.

void put_uleb(std::vector<uint8_t>& out, uint64_t value) {
  do {
    uint8_t byte = value & 0x7F;
    value >>= 7;
    out.push_back(value != 0 ? byte | 0x80 : byte);
  } while (value != 0);
}

void put_sleb(std::vector<uint8_t>& out, int64_t value) {
  bool more = true;
  while (more) {
    uint8_t byte = value & 0x7F;
    value >>= 7;  // arithmetic shift: sign-extends
    more = !((value == 0 && (byte & 0x40) == 0) || (value == -1 && (byte & 0x40) != 0));
    out.push_back(more ? byte | 0x80 : byte);
  }
}

void put_name(std::vector<uint8_t>& out, std::string_view name) {
  put_uleb(out, name.size());
  out.insert(out.end(), name.begin(), name.end());
}

void put_section(std::vector<uint8_t>& module, uint8_t id, const std::vector<uint8_t>& content) {
  module.push_back(id);
  put_uleb(module, content.size());
  module.insert(module.end(), content.begin(), content.end());
}

std::vector<uint8_t> module_header() {
  return {0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00};
}

constexpr uint8_t kI32 = 0x7F, kI64 = 0x7E;
constexpr uint8_t kSectionType = 1, kSectionFunction = 3, kSectionExport = 7, kSectionCode = 10;

// A module with one function type `() -> result` (empty result byte: no
// result) and one function whose body is `locals` then `code`.
std::vector<uint8_t> single_function_module(const std::vector<uint8_t>& locals,
                                            const std::vector<uint8_t>& code, std::optional<uint8_t> result,
                                            std::string_view export_name) {
  std::vector<uint8_t> out = module_header();
  std::vector<uint8_t> types = {1, 0x60, 0};
  if (result) {
    types.push_back(1);
    types.push_back(*result);
  } else {
    types.push_back(0);
  }
  put_section(out, kSectionType, types);
  put_section(out, kSectionFunction, {1, 0});
  std::vector<uint8_t> exports = {1};
  put_name(exports, export_name);
  exports.push_back(0);  // func
  exports.push_back(0);
  put_section(out, kSectionExport, exports);
  std::vector<uint8_t> body = locals;
  body.insert(body.end(), code.begin(), code.end());
  std::vector<uint8_t> code_section = {1};
  put_uleb(code_section, body.size());
  code_section.insert(code_section.end(), body.begin(), body.end());
  put_section(out, kSectionCode, code_section);
  return out;
}

// ---------------------------------------------------------------------------
// Cancellation: loop br 0 and loop-free mutual recursion.

void stop_by_timeout(std::string_view wat_name, std::string_view entry) {
  Engine engine(test_config());
  Store store = guarded_store(engine);
  auto instance = instantiate_ok(store, compile_hostile(engine, wat_name));
  ASSERT_TRUE(instance);
  store.set_timeout(kShortTimeout);
  auto start = Clock::now();
  auto result = instance->call(entry, {});
  double elapsed = ms_since(start);
  EXPECT_TRUE(is_trap(result, TrapKind::DeadlineExceeded));
  EXPECT_GE(elapsed, 95.0) << "stopped before its timeout";
  EXPECT_LT(elapsed, in_ms(kShortTimeout + kStopSlack));
  report(std::string(wat_name) + ": 100 ms timeout stopped after", elapsed, "ms");
  // The store accepts new calls, still under the same timeout.
  EXPECT_TRUE(returns_i32(instance->call("answer", {}), 42));
  store.set_timeout(kSafetyTimeout);
  EXPECT_TRUE(returns_i32(instance->call("answer", {}), 42));
}

void stop_by_interrupt(std::string_view wat_name, std::string_view entry) {
  Engine engine(test_config());
  Store store = guarded_store(engine);
  auto instance = instantiate_ok(store, compile_hostile(engine, wat_name));
  ASSERT_TRUE(instance);
  auto start = Clock::now();
  auto result = call_interrupted_after(store, kShortTimeout, [&] { return instance->call(entry, {}); });
  double elapsed = ms_since(start);
  EXPECT_TRUE(is_trap(result, TrapKind::Interrupted));
  EXPECT_LT(elapsed, in_ms(kShortTimeout + kStopSlack));
  report(std::string(wat_name) + ": interrupt after 100 ms stopped after", elapsed, "ms");
  // The interrupt was consumed by the call it stopped.
  EXPECT_TRUE(returns_i32(instance->call("answer", {}), 42));
}

void stop_by_fuel(std::string_view wat_name, std::string_view entry) {
  EngineConfig config = test_config();
  config.consume_fuel = true;
  Engine engine(config);
  Store store = guarded_store(engine);
  auto instance = instantiate_ok(store, compile_hostile(engine, wat_name));
  ASSERT_TRUE(instance);
  constexpr uint64_t kFuel = 1'000'000;
  ASSERT_TRUE(store.set_fuel(kFuel).ok());
  EXPECT_EQ(store.fuel(), kFuel);
  auto result = instance->call(entry, {});
  ASSERT_TRUE(is_trap(result, TrapKind::OutOfFuel));
  EXPECT_EQ(result.error().trap->message.rfind("out of fuel", 0), 0u) << result.error().trap->message;
  ASSERT_TRUE(store.fuel().has_value());
  // Charged per basic block ahead of execution: what is left is less than
  // one block of this tiny guest, and everything else was used.
  EXPECT_LT(*store.fuel(), 16u);
  uint64_t used = store.last_call_stats().fuel_used;
  EXPECT_LE(used, kFuel);
  EXPECT_GE(used, kFuel - 16);
  // Refuelled, the same store runs a normal call.
  ASSERT_TRUE(store.add_fuel(1000).ok());
  EXPECT_TRUE(returns_i32(instance->call("answer", {}), 42));
  EXPECT_GT(store.last_call_stats().fuel_used, 0u);
}

void case_loop_timeout() {
  stop_by_timeout("loop_br0.wat", "spin");
}
void case_loop_fuel() {
  stop_by_fuel("loop_br0.wat", "spin");
}
void case_loop_interrupt() {
  stop_by_interrupt("loop_br0.wat", "spin");
}
void case_recursion_timeout() {
  stop_by_timeout("mutual_recursion.wat", "run");
}
void case_recursion_interrupt() {
  stop_by_interrupt("mutual_recursion.wat", "run");
}
void case_recursion_fuel() {
  stop_by_fuel("mutual_recursion.wat", "run");
}

// Fuel is refused on an engine that does not meter it.
void case_fuel_needs_metering() {
  Engine engine(test_config());
  Store store(engine);
  auto refused = store.set_fuel(100);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().phase, Phase::Invalid);
  EXPECT_FALSE(store.fuel().has_value());
}

// ---------------------------------------------------------------------------
// Stack exhaustion.

int32_t depth_reached(const Instance& instance) {
  auto depth = instance.global("depth");
  EXPECT_TRUE(depth);
  return depth ? depth->get().i32() : -1;
}

// The depth the guest reached (-1 if it did not end as it must).
int32_t dive(const EngineConfig& config, std::string_view entry, int32_t min_depth, int32_t max_depth) {
  Engine engine(config);
  Store store = guarded_store(engine);
  auto instance = instantiate_ok(store, compile_hostile(engine, "unbounded_recursion.wat"));
  EXPECT_TRUE(instance);
  if (!instance) return -1;
  auto result = entry == "dive_fat" ? instance->call(entry, {Value::i64(1)}) : instance->call(entry, {});
  EXPECT_TRUE(is_trap(result, TrapKind::CallStackExhausted));
  if (!is_trap(result, TrapKind::CallStackExhausted)) return -1;
  EXPECT_EQ(result.error().trap->message.rfind("call stack exhausted", 0), 0u)
      << result.error().trap->message;
  int32_t depth = depth_reached(*instance);
  EXPECT_GE(depth, min_depth) << entry;
  EXPECT_LE(depth, max_depth) << entry;
  report(std::string("unbounded_recursion: ") + std::string(entry) + " depth reached (stack " +
             std::to_string(config.max_wasm_stack_bytes) + " B, " + std::to_string(config.max_call_depth) +
             " frames)",
         depth, "frames");
  // A fresh call after the exhaustion works.
  EXPECT_TRUE(instance->call("reset", {}).ok());
  EXPECT_TRUE(returns_i32(instance->call("answer", {}), 42));
  return depth;
}

// The same, and the depth must be the interpreter's to the frame: every
// tier enforces the interpreter's limits, not limits of its own.
void dive_as_interpreter(const EngineConfig& config, std::string_view entry, int32_t min_depth, int32_t max_depth) {
  EngineConfig interpreter = config;
  interpreter.tier = ExecutionTier::Interpreter;
  const int32_t expected = dive(interpreter, entry, min_depth, max_depth);
  EXPECT_EQ(dive(config, entry, min_depth, max_depth), expected) << entry;
}

void case_unbounded_recursion() {
  // Defaults: 8 MiB of wasm stack, 100,000 frames.
  dive_as_interpreter(test_config(), "dive", 1000, 100'000);
  // 8 KB frames against 8 MiB: about a thousand frames.
  dive_as_interpreter(test_config(), "dive_fat", 100, 1100);
  EngineConfig small_stack = test_config();
  small_stack.max_wasm_stack_bytes = 256 * 1024;
  dive_as_interpreter(small_stack, "dive_fat", 1, 33);  // 256 KiB / 8,000 B per frame
  EngineConfig few_frames = test_config();
  few_frames.max_call_depth = 100;
  dive_as_interpreter(few_frames, "dive", 90, 100);
}

// ---------------------------------------------------------------------------
// memory.grow and table.grow against the caps.

void case_memory_grow_per_memory_cap() {
  EngineConfig config = test_config();
  config.max_memory_pages = 64;
  Engine engine(config);
  Store store = guarded_store(engine);
  auto instance = instantiate_ok(store, compile_hostile(engine, "memory_grow_loop.wat"));
  ASSERT_TRUE(instance);
  EXPECT_TRUE(returns_i32(instance->call("grow_until_refused", {}), 64));
  EXPECT_EQ(store.memory_pages(), 64u);
  EXPECT_EQ(store.last_call_stats().peak_memory_pages, 64u);
  EXPECT_TRUE(returns_i32(instance->call("poke_last", {}), 0x5a));
  EXPECT_TRUE(returns_i32(instance->call("grow", {Value::i32(-1)}), -1));
  EXPECT_TRUE(returns_i32(instance->call("grow", {Value::i32(0x10000)}), -1));
  EXPECT_TRUE(returns_i32(instance->call("grow", {Value::i32(1)}), -1));
  EXPECT_TRUE(returns_i32(instance->call("grow", {Value::i32(0)}), 64));
  EXPECT_EQ(store.memory_pages(), 64u);
}

void case_memory_grow_store_cap() {
  EngineConfig config = test_config();
  config.max_memory_pages = 100;
  config.max_store_memory_pages = 150;
  Engine engine(config);
  Store store = guarded_store(engine);
  auto module = compile_hostile(engine, "memory_grow_loop.wat");
  auto first = instantiate_ok(store, module);
  auto second = instantiate_ok(store, module);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(store.memory_pages(), 2u);
  // The first memory stops at the per-memory cap...
  EXPECT_TRUE(returns_i32(first->call("grow_until_refused", {}), 100));
  EXPECT_EQ(store.memory_pages(), 101u);
  // ...the second where the store's total reaches its cap.
  EXPECT_TRUE(returns_i32(second->call("grow_until_refused", {}), 50));
  EXPECT_EQ(store.memory_pages(), 150u);
  EXPECT_EQ(store.last_call_stats().peak_memory_pages, 150u);
  EXPECT_TRUE(returns_i32(second->call("poke_last", {}), 0x5a));
  EXPECT_TRUE(returns_i32(first->call("grow", {Value::i32(1)}), -1));
  // A third instance's one page does not fit any more.
  EXPECT_TRUE(refused_by(Linker().instantiate(store, module), ResourceLimit::StoreMemoryPages,
                         "max_store_memory_pages"));
  EXPECT_EQ(store.memory_pages(), 150u);
}

// Under the default caps a memory may reach the spec's 65,536 pages, but
// never more, and an absurd delta is refused without touching the host.
void case_memory_grow_default_caps() {
  Engine engine(test_config());
  Store store = guarded_store(engine);
  auto instance = instantiate_ok(store, compile_hostile(engine, "memory_grow_loop.wat"));
  ASSERT_TRUE(instance);
  EXPECT_TRUE(returns_i32(instance->call("grow", {Value::i32(0x10000)}), -1));
  EXPECT_TRUE(returns_i32(instance->call("grow", {Value::i32(-1)}), -1));
  EXPECT_EQ(store.memory_pages(), 1u);
}

void case_table_grow_cap() {
  EngineConfig config = test_config();
  config.max_table_elements = 100'000;
  Engine engine(config);
  Store store = guarded_store(engine);
  auto instance = instantiate_ok(store, compile_hostile(engine, "table_grow_loop.wat"));
  ASSERT_TRUE(instance);
  EXPECT_TRUE(returns_i32(instance->call("grow_until_refused", {}), 100'000));
  EXPECT_TRUE(returns_i32(instance->call("grow", {Value::i32(-1)}), -1));
  EXPECT_TRUE(returns_i32(instance->call("grow", {Value::i32(1)}), -1));
  EXPECT_TRUE(returns_i32(instance->call("grow", {Value::i32(0)}), 100'000));
  EXPECT_TRUE(returns_i32(instance->call("call_last", {}), 7));
}

void case_huge_minimums_refused() {
  {
    EngineConfig config = test_config();
    config.max_memory_pages = 256;
    Engine engine(config);
    Store store = guarded_store(engine);
    auto module = compile_hostile(engine, "huge_min_memory.wat");
    ASSERT_NE(module, nullptr);
    EXPECT_TRUE(
        refused_by(Linker().instantiate(store, module), ResourceLimit::MemoryPages, "max_memory_pages"));
    EXPECT_EQ(store.memory_pages(), 0u);
  }
  {
    EngineConfig config = test_config();
    config.max_table_elements = 100'000;
    Engine engine(config);
    Store store = guarded_store(engine);
    auto module = compile_hostile(engine, "huge_min_table.wat");
    ASSERT_NE(module, nullptr);
    EXPECT_TRUE(
        refused_by(Linker().instantiate(store, module), ResourceLimit::TableElements, "max_table_elements"));
  }
}

// ---------------------------------------------------------------------------
// Object-count caps.

void count_cap(EngineConfig config, ResourceLimit limit, std::string_view cap_name, int allowed) {
  Engine engine(config);
  Store store = guarded_store(engine);
  auto module = compile_hostile(engine, "one_of_each.wat");
  ASSERT_NE(module, nullptr);
  std::vector<Instance> kept;
  for (int i = 0; i < allowed; ++i) {
    auto instance = instantiate_ok(store, module);
    ASSERT_TRUE(instance) << "instance " << i;
    kept.push_back(*instance);
  }
  EXPECT_TRUE(refused_by(Linker().instantiate(store, module), limit, cap_name));
  // A refused instantiation registers nothing: still refused, and the
  // earlier instances still run.
  EXPECT_TRUE(refused_by(Linker().instantiate(store, module), limit, cap_name));
  for (const Instance& instance : kept) EXPECT_TRUE(returns_i32(instance.call("answer", {}), 42));
}

void case_object_count_caps() {
  EngineConfig instances = test_config();
  instances.max_instances = 3;
  count_cap(instances, ResourceLimit::Instances, "max_instances", 3);
  EngineConfig memories = test_config();
  memories.max_memories = 2;
  count_cap(memories, ResourceLimit::Memories, "max_memories", 2);
  EngineConfig tables = test_config();
  tables.max_tables = 4;
  count_cap(tables, ResourceLimit::Tables, "max_tables", 4);
}

// ---------------------------------------------------------------------------
// call_indirect.

void case_call_indirect() {
  Engine engine(test_config());
  Store store = guarded_store(engine);
  auto instance = instantiate_ok(store, compile_hostile(engine, "call_indirect.wat"));
  ASSERT_TRUE(instance);
  auto call = [&](int32_t index) {
    return instance->call("call_as_i32", {Value::i32(index), Value::i32(21)});
  };
  EXPECT_TRUE(returns_i32(call(0), 42));
  EXPECT_TRUE(is_trap(call(1), TrapKind::IndirectCallTypeMismatch));  // () -> ()
  EXPECT_TRUE(is_trap(call(2), TrapKind::IndirectCallTypeMismatch));  // (i64) -> i64
  EXPECT_TRUE(is_trap(call(3), TrapKind::UninitializedElement));      // null
  EXPECT_TRUE(returns_i32(call(4), 42));
  for (int32_t past_end : {5, 6, 0x7FFFFFFF, -1, INT32_MIN})
    EXPECT_TRUE(is_trap(call(past_end), TrapKind::UndefinedElement)) << past_end;
  EXPECT_TRUE(returns_i32(call(0), 42));
}

// ---------------------------------------------------------------------------
// Data segments at the top of a 4 GiB memory.

void case_data_at_top_of_4gib() {
  Engine engine(test_config());  // default caps allow the spec's full 4 GiB
  {
    Store store = guarded_store(engine);
    auto instance = instantiate_ok(store, compile_hostile(engine, "data_top_fits.wat"));
    ASSERT_TRUE(instance);
    EXPECT_EQ(store.memory_pages(), 65536u);
    auto top = instance->call("load_top", {});
    ASSERT_TRUE(top.ok()) << top.error().to_string();
    EXPECT_EQ(static_cast<uint64_t>((*top)[0].i64()), 0xFFEEDDCCBBAA9988u);
    auto memory = instance->memory();
    ASSERT_TRUE(memory);
    EXPECT_EQ(memory->size_bytes(), k4GiB);
    std::array<uint8_t, 16> bytes{};
    ASSERT_TRUE(memory->read(k4GiB - 16, bytes).ok());
    for (int i = 0; i < 16; ++i) EXPECT_EQ(bytes[i], 0x11 * i) << i;
    EXPECT_FALSE(memory->read(k4GiB - 15, bytes).ok());
  }
  {
    Store store = guarded_store(engine);
    auto module = compile_hostile(engine, "data_top_overflows.wat");
    ASSERT_NE(module, nullptr);
    auto refused = Linker().instantiate(store, module);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().phase, Phase::Trap) << refused.error().to_string();
    ASSERT_NE(refused.error().trap, nullptr) << refused.error().to_string();
    EXPECT_EQ(refused.error().trap->kind, TrapKind::MemoryOutOfBounds);
  }
}

// ---------------------------------------------------------------------------
// Bulk memory and table instructions out of range, and under fuel.

void case_bulk_out_of_range() {
  Engine engine(test_config());
  Store store = guarded_store(engine);
  auto instance = instantiate_ok(store, compile_hostile(engine, "bulk_memory.wat"));
  ASSERT_TRUE(instance);
  auto memory = instance->memory();
  ASSERT_TRUE(memory);
  const uint32_t size = static_cast<uint32_t>(memory->size_bytes());
  std::vector<uint8_t> head(32), tail(32);
  for (int i = 0; i < 32; ++i) {
    head[i] = static_cast<uint8_t>(0x30 + i);
    tail[i] = static_cast<uint8_t>(0xC0 + i);
  }
  ASSERT_TRUE(memory->write(0, head).ok());
  ASSERT_TRUE(memory->write(size - 32, tail).ok());
  auto ends_unchanged = [&] {
    std::vector<uint8_t> now_head(32), now_tail(32);
    return memory->read(0, now_head).ok() && memory->read(size - 32, now_tail).ok() && now_head == head &&
           now_tail == tail;
  };
  auto call3 = [&](std::string_view name, uint32_t a, uint32_t b, uint32_t c) {
    return instance->call(name, {Value::i32(static_cast<int32_t>(a)), Value::i32(static_cast<int32_t>(b)),
                                 Value::i32(static_cast<int32_t>(c))});
  };
  // Straddling the end by a few bytes, and wrapping 32 bits onto the head.
  EXPECT_TRUE(is_trap(call3("fill", size - 8, 0xEE, 16), TrapKind::MemoryOutOfBounds));
  EXPECT_TRUE(is_trap(call3("fill", 0xFFFFFFF8u, 0xEE, 16), TrapKind::MemoryOutOfBounds));
  EXPECT_TRUE(is_trap(call3("fill", 1, 0xEE, 0xFFFFFFFFu), TrapKind::MemoryOutOfBounds));
  EXPECT_TRUE(is_trap(call3("copy", size - 8, 0, 16), TrapKind::MemoryOutOfBounds));
  EXPECT_TRUE(is_trap(call3("copy", 0, size - 8, 16), TrapKind::MemoryOutOfBounds));
  EXPECT_TRUE(is_trap(call3("copy", 0xFFFFFFF8u, 0, 16), TrapKind::MemoryOutOfBounds));
  EXPECT_TRUE(is_trap(call3("copy", 0, 0xFFFFFFF8u, 16), TrapKind::MemoryOutOfBounds));
  EXPECT_TRUE(is_trap(call3("init", size - 8, 0, 16), TrapKind::MemoryOutOfBounds));
  EXPECT_TRUE(is_trap(call3("init", 0, 8, 9), TrapKind::MemoryOutOfBounds));  // past the segment
  EXPECT_TRUE(is_trap(call3("init", 0, 0xFFFFFFF8u, 16), TrapKind::MemoryOutOfBounds));
  EXPECT_TRUE(ends_unchanged()) << "an out-of-range bulk operation wrote part of its range";
  // Exactly up to the end works.
  EXPECT_TRUE(call3("fill", size - 16, 0xEE, 16).ok());
  EXPECT_TRUE(call3("init", size - 16, 0, 16).ok());
  std::vector<uint8_t> last(16);
  ASSERT_TRUE(memory->read(size - 16, last).ok());
  for (int i = 0; i < 16; ++i) EXPECT_EQ(last[i], i + 1);

  auto call2 = [&](std::string_view name, uint32_t a, uint32_t b) {
    return instance->call(name, {Value::i32(static_cast<int32_t>(a)), Value::i32(static_cast<int32_t>(b))});
  };
  EXPECT_TRUE(is_trap(call2("table_fill", 6, 4), TrapKind::TableOutOfBounds));
  EXPECT_TRUE(is_trap(call2("table_fill", 0xFFFFFFFEu, 4), TrapKind::TableOutOfBounds));
  EXPECT_TRUE(is_trap(call3("table_copy", 0, 6, 4), TrapKind::TableOutOfBounds));
  EXPECT_TRUE(is_trap(call3("table_copy", 0xFFFFFFFEu, 0, 4), TrapKind::TableOutOfBounds));
  EXPECT_TRUE(is_trap(call3("table_init", 6, 0, 4), TrapKind::TableOutOfBounds));
  EXPECT_TRUE(is_trap(call3("table_init", 0, 0xFFFFFFFEu, 4), TrapKind::TableOutOfBounds));
  for (uint32_t slot = 0; slot < 8; ++slot)
    EXPECT_TRUE(returns_i32(instance->call("table_has", {Value::i32(static_cast<int32_t>(slot))}), 0))
        << slot;
  EXPECT_TRUE(call2("table_fill", 4, 4).ok());
  EXPECT_TRUE(returns_i32(instance->call("table_has", {Value::i32(7)}), 1));
}

void case_bulk_fill_under_fuel() {
  EngineConfig config = test_config();
  config.consume_fuel = true;
  Engine engine(config);
  Store store = guarded_store(engine);
  auto instance = instantiate_ok(store, compile_hostile(engine, "bulk_memory.wat"));
  ASSERT_TRUE(instance);
  auto memory = instance->memory();
  ASSERT_TRUE(memory);
  std::vector<uint8_t> pattern(kPage, 0x77);
  ASSERT_TRUE(memory->write(0, pattern).ok());
  // Filling the whole page costs 65,536 / 64 = 1,024 units beyond the
  // block's own; 1,000 is not enough, so nothing may be written.
  ASSERT_TRUE(store.set_fuel(1000).ok());
  auto fill = instance->call("fill", {Value::i32(0), Value::i32(0), Value::i32(static_cast<int32_t>(kPage))});
  EXPECT_TRUE(is_trap(fill, TrapKind::OutOfFuel));
  std::vector<uint8_t> now(kPage);
  ASSERT_TRUE(memory->read(0, now).ok());
  EXPECT_TRUE(now == pattern) << "a fill that ran out of fuel wrote memory";
  // With enough fuel it runs, and the dynamic cost is charged.
  ASSERT_TRUE(store.set_fuel(10'000).ok());
  fill = instance->call("fill", {Value::i32(0), Value::i32(0), Value::i32(static_cast<int32_t>(kPage))});
  EXPECT_TRUE(fill.ok()) << fill.error().to_string();
  EXPECT_GE(store.last_call_stats().fuel_used, 1024u);
}

// ---------------------------------------------------------------------------
// Host functions handed out-of-range pointers.

Linker pointer_checking_host() {
  Linker linker;
  linker.define("env", "sum_bytes", [](HostContext& ctx, uint32_t ptr, uint32_t len) -> uint32_t {
    if (len > (1u << 20)) {
      ctx.trap("sum_bytes: length refused by the host");
      return 0;
    }
    std::vector<uint8_t> buffer(len);
    if (!ctx.read(ptr, buffer)) {
      ctx.trap("sum_bytes: range out of bounds");
      return 0;
    }
    uint32_t sum = 0;
    for (uint8_t byte : buffer) sum += byte;
    return sum;
  });
  linker.define("env", "fill", [](HostContext& ctx, uint32_t ptr, uint32_t len, uint32_t byte) {
    if (len > (1u << 20)) {
      ctx.trap("fill: length refused by the host");
      return;
    }
    std::vector<uint8_t> buffer(len, static_cast<uint8_t>(byte));
    if (!ctx.write(ptr, buffer)) ctx.trap("fill: range out of bounds");
  });
  linker.define("env", "peek64", [](HostContext& ctx, uint64_t ptr) -> uint64_t {
    uint64_t value = 0;
    if (!ctx.load(ptr, value)) ctx.trap("peek64: address out of bounds");
    return value;
  });
  linker.define("env", "poke64", [](HostContext& ctx, uint64_t ptr, uint64_t value) {
    if (!ctx.store(ptr, value)) ctx.trap("poke64: address out of bounds");
  });
  return linker;
}

testing::AssertionResult is_host_trap(const Result<std::vector<Value>>& result, std::string_view message) {
  auto trap = is_trap(result, TrapKind::HostError);
  if (!trap) return trap;
  if (result.error().trap->message.find(message) == std::string::npos)
    return testing::AssertionFailure()
           << "host trap message \"" << result.error().trap->message << "\" lacks \"" << message << "\"";
  return testing::AssertionSuccess();
}

void case_host_out_of_range_pointers() {
  Engine engine(test_config());
  Store store = guarded_store(engine);
  auto instance =
      instantiate_ok(store, compile_hostile(engine, "host_pointers.wat"), pointer_checking_host());
  ASSERT_TRUE(instance);
  auto memory = instance->memory();
  ASSERT_TRUE(memory);
  const uint32_t size = static_cast<uint32_t>(memory->size_bytes());
  ASSERT_EQ(size, kPage);

  // Known bytes at both ends: a wrapped access would land on one of them.
  std::vector<uint8_t> head(32), tail(32);
  for (int i = 0; i < 32; ++i) {
    head[i] = static_cast<uint8_t>(i + 1);
    tail[i] = static_cast<uint8_t>(0x80 + i);
  }
  ASSERT_TRUE(memory->write(0, head).ok());
  ASSERT_TRUE(memory->write(size - 32, tail).ok());
  auto ends_unchanged = [&] {
    std::vector<uint8_t> now_head(32), now_tail(32);
    return memory->read(0, now_head).ok() && memory->read(size - 32, now_tail).ok() && now_head == head &&
           now_tail == tail;
  };
  auto sum = [&](uint32_t ptr, uint32_t len) {
    return instance->call("sum_bytes",
                          {Value::i32(static_cast<int32_t>(ptr)), Value::i32(static_cast<int32_t>(len))});
  };
  auto fill = [&](uint32_t ptr, uint32_t len) {
    return instance->call("fill", {Value::i32(static_cast<int32_t>(ptr)),
                                   Value::i32(static_cast<int32_t>(len)), Value::i32(0xEE)});
  };
  auto peek = [&](uint64_t ptr) { return instance->call("peek64", {Value::i64(static_cast<int64_t>(ptr))}); };
  auto poke = [&](uint64_t ptr) {
    return instance->call("poke64", {Value::i64(static_cast<int64_t>(ptr)), Value::i64(-1)});
  };

  // In range, up to the very last byte.
  EXPECT_TRUE(returns_i32(sum(0, 2), 1 + 2));
  EXPECT_TRUE(returns_i32(sum(size - 2, 2), 0x80 + 30 + 0x80 + 31));
  EXPECT_TRUE(returns_i32(sum(size, 0), 0));
  // One byte past the end, far past it, and ptr + len wrapping 32 bits
  // (0xFFFFFFF0 + 0x20 = 0x10 in 32-bit arithmetic, inside the memory).
  EXPECT_TRUE(is_host_trap(sum(size - 1, 2), "sum_bytes: range out of bounds"));
  EXPECT_TRUE(is_host_trap(sum(size, 1), "sum_bytes: range out of bounds"));
  EXPECT_TRUE(is_host_trap(sum(0x7FFFFFFF, 2), "sum_bytes: range out of bounds"));
  EXPECT_TRUE(is_host_trap(sum(0xFFFFFFF0, 0x20), "sum_bytes: range out of bounds"));
  EXPECT_TRUE(is_host_trap(sum(0xFFFFFFFF, 1), "sum_bytes: range out of bounds"));

  EXPECT_TRUE(is_host_trap(fill(size - 8, 16), "fill: range out of bounds"));
  EXPECT_TRUE(is_host_trap(fill(0xFFFFFFF8, 0x10), "fill: range out of bounds"));
  EXPECT_TRUE(is_host_trap(fill(0xFFFFFFFF, 1), "fill: range out of bounds"));
  EXPECT_TRUE(ends_unchanged()) << "a refused host write changed memory";

  // 64-bit addresses: 0xFFFFFFFFFFFFFFFC + 8 wraps to 4 in 64-bit arithmetic.
  auto last_word = peek(size - 8);
  ASSERT_TRUE(last_word.ok()) << last_word.error().to_string();
  uint64_t expected_last_word = 0;
  std::memcpy(&expected_last_word, tail.data() + 24, 8);
  EXPECT_EQ(static_cast<uint64_t>((*last_word)[0].i64()), expected_last_word);
  for (uint64_t bad :
       {uint64_t{size} - 7, uint64_t{size}, uint64_t{0xFFFFFFFC}, uint64_t{0xFFFFFFFF}, k4GiB, k4GiB + 4,
        uint64_t{0xFFFFFFFFFFFFFFFCu}, uint64_t{0xFFFFFFFFFFFFFFFFu}, uint64_t{0x8000000000000000u}}) {
    EXPECT_TRUE(is_host_trap(peek(bad), "peek64: address out of bounds")) << std::hex << bad;
    EXPECT_TRUE(is_host_trap(poke(bad), "poke64: address out of bounds")) << std::hex << bad;
  }
  EXPECT_TRUE(ends_unchanged()) << "a refused host store changed memory";
  // In-range calls still work after all those traps.
  EXPECT_TRUE(poke(size - 8).ok());
  EXPECT_TRUE(returns_i32(sum(size - 1, 1), 0xFF));
}

// ---------------------------------------------------------------------------
// Host functions that block.

Linker blocking_host(std::atomic<bool>& sleep_finished_early) {
  Linker linker;
  linker.define("env", "sleep_10s", [&sleep_finished_early](HostContext& ctx) {
    bool slept_fully = ctx.sleep_for(std::chrono::seconds(10));
    sleep_finished_early = !slept_fully;
  });
  linker.define("env", "poll_10s", [](HostContext& ctx) {
    int fd = ctx.interrupt_fd();
    if (fd < 0) {
      ctx.trap("poll_10s: no interrupt fd");
      return;
    }
    pollfd waiting{fd, POLLIN, 0};
    int ready = ::poll(&waiting, 1, 10'000);
    if (ready != 1 || (waiting.revents & POLLIN) == 0) ctx.trap("poll_10s: timed out without an interrupt");
  });
  return linker;
}

void case_host_sleep_wakes_on_timeout() {
  Engine engine(test_config());
  Store store = guarded_store(engine);
  std::atomic<bool> woke_early{false};
  auto instance =
      instantiate_ok(store, compile_hostile(engine, "host_blocking.wat"), blocking_host(woke_early));
  ASSERT_TRUE(instance);
  store.set_timeout(kShortTimeout);
  auto start = Clock::now();
  auto result = instance->call("sleep", {});
  double elapsed = ms_since(start);
  EXPECT_TRUE(is_trap(result, TrapKind::DeadlineExceeded));
  EXPECT_TRUE(woke_early.load()) << "sleep_for reported a full sleep";
  EXPECT_GE(elapsed, 95.0);
  EXPECT_LT(elapsed, in_ms(kShortTimeout + kStopSlack));
  report("host sleep_for(10 s) under a 100 ms timeout woke after", elapsed, "ms");
  store.set_timeout(kSafetyTimeout);
  EXPECT_TRUE(returns_i32(instance->call("answer", {}), 42));
}

void case_host_poll_wakes_on_interrupt() {
  Engine engine(test_config());
  Store store = guarded_store(engine);
  std::atomic<bool> unused{false};
  auto instance = instantiate_ok(store, compile_hostile(engine, "host_blocking.wat"), blocking_host(unused));
  ASSERT_TRUE(instance);
  auto start = Clock::now();
  auto result = call_interrupted_after(store, kShortTimeout, [&] { return instance->call("poll", {}); });
  double elapsed = ms_since(start);
  EXPECT_TRUE(is_trap(result, TrapKind::Interrupted));
  EXPECT_LT(elapsed, in_ms(kShortTimeout + kStopSlack));
  report("host poll(interrupt_fd, 10 s) interrupted at 100 ms woke after", elapsed, "ms");
  EXPECT_TRUE(returns_i32(instance->call("answer", {}), 42));
  // The next blocking call is not woken by the consumed interrupt: under a
  // short timeout it ends by the deadline instead.
  store.set_timeout(kShortTimeout);
  EXPECT_TRUE(is_trap(instance->call("poll", {}), TrapKind::DeadlineExceeded));
}

// ---------------------------------------------------------------------------
// Generated: a 65,536-target br_table.

// Index i lands after the i-th `end` (innermost first) and returns
// i * 3 + 7; the default (and every index past 65,535) returns -1.
std::string br_table_module(uint32_t targets) {
  std::string text = "(module (func (export \"dispatch\") (param i32) (result i32)\n";
  for (uint32_t i = 0; i <= targets; ++i) text += "block\n";
  text += "local.get 0\nbr_table";
  for (uint32_t i = 0; i <= targets; ++i) {  // the last one is the default
    text += ' ';
    text += std::to_string(i);
  }
  text += "\n";
  for (uint32_t i = 0; i < targets; ++i) {
    text += "end i32.const ";
    text += std::to_string(i * 3 + 7);
    text += " return\n";
  }
  text += "end i32.const -1))\n";
  return text;
}

void case_br_table_65536_targets() {
  constexpr uint32_t kTargets = 65536;
  Engine engine(test_config());
  Store store = guarded_store(engine);
  auto start = Clock::now();
  auto instance = instantiate_ok(store, compile_ok(engine, as_bytes(br_table_module(kTargets)), "br_table"));
  report("br_table 65,536 targets: compile + instantiate", ms_since(start), "ms");
  ASSERT_TRUE(instance);
  for (uint32_t index : {0u, 1u, 2u, 1000u, 32767u, 32768u, 65534u, 65535u})
    EXPECT_TRUE(returns_i32(instance->call("dispatch", {Value::i32(static_cast<int32_t>(index))}),
                            static_cast<int32_t>(index * 3 + 7)))
        << index;
  for (uint32_t index : {65536u, 65537u, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu})
    EXPECT_TRUE(returns_i32(instance->call("dispatch", {Value::i32(static_cast<int32_t>(index))}), -1))
        << index;
}

// ---------------------------------------------------------------------------
// Generated: 100,000 nested blocks, ifs and loops.

constexpr uint32_t kNesting = 100'000;

// (blocks) 100,000 `block (result i32)`; the innermost branches straight
// out of all of them with 42.
// (ifs) 100,000 `if (result i32)` on the parameter: 42 through every then
// arm, 7 from the outermost else.
// (loops) 100,000 `loop (result i32)`; the innermost re-enters the
// outermost loop `n` times, so every header is crossed n times.
std::string nesting_module() {
  std::string text = "(module\n(func (export \"blocks\") (result i32)\n";
  for (uint32_t i = 0; i < kNesting; ++i) text += "block (result i32)\n";
  text += "i32.const 42 br " + std::to_string(kNesting - 1) + "\n";
  for (uint32_t i = 0; i < kNesting; ++i) text += "end\n";
  text += ")\n(func (export \"ifs\") (param i32) (result i32)\n";
  for (uint32_t i = 0; i < kNesting; ++i) text += "local.get 0 if (result i32)\n";
  text += "i32.const 42\n";
  for (uint32_t i = 0; i < kNesting; ++i) text += "else i32.const 7 end\n";
  text += ")\n(func (export \"loops\") (param i32) (result i32) (local i32)\n";
  for (uint32_t i = 0; i < kNesting; ++i) text += "loop (result i32)\n";
  text += "local.get 1 i32.const 1 i32.add local.set 1\n";
  text += "local.get 0 i32.const 1 i32.sub local.tee 0 br_if " + std::to_string(kNesting - 1) + "\n";
  text += "local.get 1\n";
  for (uint32_t i = 0; i < kNesting; ++i) text += "end\n";
  text += "))\n";
  return text;
}

void case_deep_nesting() {
  Engine engine(test_config());
  Store store = guarded_store(engine);
  auto start = Clock::now();
  auto instance = instantiate_ok(store, compile_ok(engine, as_bytes(nesting_module()), "nesting"));
  report("100,000-deep block/if/loop: compile + instantiate", ms_since(start), "ms");
  ASSERT_TRUE(instance);
  EXPECT_TRUE(returns_i32(instance->call("blocks", {}), 42));
  EXPECT_TRUE(returns_i32(instance->call("ifs", {Value::i32(1)}), 42));
  EXPECT_TRUE(returns_i32(instance->call("ifs", {Value::i32(0)}), 7));
  EXPECT_TRUE(returns_i32(instance->call("loops", {Value::i32(5)}), 5));
}

// ---------------------------------------------------------------------------
// Generated: 50,000 locals, and declarations of ~4 billion.

// 50,000 locals whose types cycle i32 i64 f32 f64 v128, so the binary has
// 50,000 one-local runs. Local 49,997 and 25,002 are i64 (index 0 is the
// parameter); the result is param + 7 + (an untouched local, 0).
std::string many_locals_module() {
  static constexpr const char* kCycle[] = {"i32", "i64", "f32", "f64", "v128"};
  std::string text = "(module (func (export \"many_locals\") (param i64) (result i64)\n(local";
  for (uint32_t i = 0; i < 50'000; ++i) {
    text += ' ';
    text += kCycle[i % 5];
  }
  text += ")\n";
  text += "local.get 0 local.set 49997\n";
  text += "i64.const 7 local.set 25002\n";
  text += "local.get 49997 local.get 25002 i64.add local.get 2 i64.add))\n";
  return text;
}

void case_many_locals() {
  Engine engine(test_config());
  Store store = guarded_store(engine);
  auto instance = instantiate_ok(store, compile_ok(engine, as_bytes(many_locals_module()), "many locals"));
  ASSERT_TRUE(instance);
  auto result = instance->call("many_locals", {Value::i64(1'000'000'000'000)});
  ASSERT_TRUE(result.ok()) << result.error().to_string();
  EXPECT_EQ((*result)[0].i64(), 1'000'000'000'007);
  // Twice: the second frame must start zeroed again.
  result = instance->call("many_locals", {Value::i64(5)});
  ASSERT_TRUE(result.ok()) << result.error().to_string();
  EXPECT_EQ((*result)[0].i64(), 12);
}

void case_four_billion_locals() {
  Engine engine(test_config());
  auto expect_too_many = [&](const std::vector<uint8_t>& locals, std::string_view what) {
    auto start = Clock::now();
    auto module = engine.compile(single_function_module(locals, {0x0B}, std::nullopt, "f"));
    ASSERT_FALSE(module.ok()) << what;
    EXPECT_TRUE(module.error().phase == Phase::Malformed || module.error().phase == Phase::Invalid) << what;
    EXPECT_NE(module.error().message.find("too many locals"), std::string::npos)
        << what << ": " << module.error().to_string();
    EXPECT_LT(ms_since(start), 1000.0) << what;
  };
  // 0xFFFFFFFF i32 + 2 i64 (the spec's own example) and 2 x 2^31 i64.
  std::vector<uint8_t> spec_example = {2};
  put_uleb(spec_example, 0xFFFFFFFFu);
  spec_example.push_back(kI32);
  put_uleb(spec_example, 2);
  spec_example.push_back(kI64);
  expect_too_many(spec_example, "0xFFFFFFFF + 2 locals");
  std::vector<uint8_t> halves = {2};
  for (int i = 0; i < 2; ++i) {
    put_uleb(halves, 0x80000000u);
    halves.push_back(kI64);
  }
  expect_too_many(halves, "2 x 2^31 locals");

  // Exactly 0xFFFFFFFF locals is within the binary format's limit but can
  // never get a frame: compiling must not allocate them, and a call must
  // end in "call stack exhausted" (or the module is refused outright).
  std::vector<uint8_t> max_decl = {1};
  put_uleb(max_decl, 0xFFFFFFFFu);
  max_decl.push_back(kI64);
  auto start = Clock::now();
  auto module = engine.compile(single_function_module(max_decl, {0x0B}, std::nullopt, "f"));
  if (!module.ok()) {
    EXPECT_TRUE(module.error().phase == Phase::Malformed || module.error().phase == Phase::Invalid)
        << module.error().to_string();
    std::printf("[hostile] 0xFFFFFFFF locals: refused at compile: %s\n", module.error().to_string().c_str());
    return;
  }
  std::printf("[hostile] 0xFFFFFFFF locals: compiled; a call must exhaust the stack\n");
  Store store = guarded_store(engine);
  auto instance = instantiate_ok(store, module.value());
  ASSERT_TRUE(instance);
  EXPECT_TRUE(is_trap(instance->call("f", {}), TrapKind::CallStackExhausted));
  EXPECT_LT(ms_since(start), 1000.0);
}

// ---------------------------------------------------------------------------
// Generated: a module with 1,000,000 functions.

// Function k returns k; the last one returns call(999,998) + 1. Encoded
// directly (about 6 MB), since a text module this size is slow to write.
std::vector<uint8_t> million_functions_module() {
  constexpr uint32_t kCount = 1'000'000;
  std::vector<uint8_t> out = module_header();
  out.reserve(7'000'000);
  put_section(out, kSectionType, {1, 0x60, 0, 1, kI32});
  std::vector<uint8_t> functions;
  put_uleb(functions, kCount);
  functions.insert(functions.end(), kCount, 0);
  put_section(out, kSectionFunction, functions);
  std::vector<uint8_t> exports = {3};
  for (auto [name, index] :
       {std::pair<std::string_view, uint32_t>{"first", 0}, {"middle", 500'000}, {"last", kCount - 1}}) {
    put_name(exports, name);
    exports.push_back(0);
    put_uleb(exports, index);
  }
  put_section(out, kSectionExport, exports);
  std::vector<uint8_t> code;
  code.reserve(kCount * 6 + 8);
  put_uleb(code, kCount);
  std::vector<uint8_t> body;
  for (uint32_t k = 0; k < kCount; ++k) {
    body.assign({0});  // no locals
    if (k + 1 == kCount) {
      body.push_back(0x10);  // call k - 1
      put_uleb(body, k - 1);
      body.insert(body.end(), {0x41, 0x01, 0x6A});  // i32.const 1, i32.add
    } else {
      body.push_back(0x41);  // i32.const k
      put_sleb(body, k);
    }
    body.push_back(0x0B);
    put_uleb(code, body.size());
    code.insert(code.end(), body.begin(), body.end());
  }
  put_section(out, kSectionCode, code);
  return out;
}

void case_million_functions() {
  std::vector<uint8_t> binary = million_functions_module();
  Engine engine(test_config());
  auto start = Clock::now();
  auto module = compile_ok(engine, binary, "1,000,000 functions");
  double compile_ms = ms_since(start);
  ASSERT_NE(module, nullptr);
  EXPECT_EQ(module->function_count(), 1'000'000u);
  report("1,000,000 functions: module bytes", static_cast<double>(binary.size()) / 1e6, "MB");
  report("1,000,000 functions: compile", compile_ms, "ms");
  binary = {};
  Store store = guarded_store(engine);
  start = Clock::now();
  auto instance = instantiate_ok(store, module);
  report("1,000,000 functions: instantiate", ms_since(start), "ms");
  ASSERT_TRUE(instance);
  EXPECT_TRUE(returns_i32(instance->call("first", {}), 0));
  EXPECT_TRUE(returns_i32(instance->call("middle", {}), 500'000));
  EXPECT_TRUE(returns_i32(instance->call("last", {}), 999'999));
}

// ---------------------------------------------------------------------------
// Generated: every load and store, at every alignment, straddling the end of
// memory and the 4 GiB wrap.

enum class AccessShape { Load, Store, LoadLane, StoreLane };

struct MemoryAccess {
  const char* op;
  uint32_t bytes;           // bytes touched
  uint32_t max_align_log2;  // natural alignment
  AccessShape shape;
  const char* value_type;  // result of a load / operand of a store
  uint32_t lane = 0;       // for the lane forms: the last lane
};

constexpr MemoryAccess kAccesses[] = {
    {"i32.load", 4, 2, AccessShape::Load, "i32"},
    {"i64.load", 8, 3, AccessShape::Load, "i64"},
    {"f32.load", 4, 2, AccessShape::Load, "f32"},
    {"f64.load", 8, 3, AccessShape::Load, "f64"},
    {"v128.load", 16, 4, AccessShape::Load, "v128"},
    {"i32.load8_s", 1, 0, AccessShape::Load, "i32"},
    {"i32.load8_u", 1, 0, AccessShape::Load, "i32"},
    {"i32.load16_s", 2, 1, AccessShape::Load, "i32"},
    {"i32.load16_u", 2, 1, AccessShape::Load, "i32"},
    {"i64.load8_s", 1, 0, AccessShape::Load, "i64"},
    {"i64.load8_u", 1, 0, AccessShape::Load, "i64"},
    {"i64.load16_s", 2, 1, AccessShape::Load, "i64"},
    {"i64.load16_u", 2, 1, AccessShape::Load, "i64"},
    {"i64.load32_s", 4, 2, AccessShape::Load, "i64"},
    {"i64.load32_u", 4, 2, AccessShape::Load, "i64"},
    {"v128.load8x8_s", 8, 3, AccessShape::Load, "v128"},
    {"v128.load8x8_u", 8, 3, AccessShape::Load, "v128"},
    {"v128.load16x4_s", 8, 3, AccessShape::Load, "v128"},
    {"v128.load16x4_u", 8, 3, AccessShape::Load, "v128"},
    {"v128.load32x2_s", 8, 3, AccessShape::Load, "v128"},
    {"v128.load32x2_u", 8, 3, AccessShape::Load, "v128"},
    {"v128.load8_splat", 1, 0, AccessShape::Load, "v128"},
    {"v128.load16_splat", 2, 1, AccessShape::Load, "v128"},
    {"v128.load32_splat", 4, 2, AccessShape::Load, "v128"},
    {"v128.load64_splat", 8, 3, AccessShape::Load, "v128"},
    {"v128.load32_zero", 4, 2, AccessShape::Load, "v128"},
    {"v128.load64_zero", 8, 3, AccessShape::Load, "v128"},
    {"v128.load8_lane", 1, 0, AccessShape::LoadLane, "v128", 15},
    {"v128.load16_lane", 2, 1, AccessShape::LoadLane, "v128", 7},
    {"v128.load32_lane", 4, 2, AccessShape::LoadLane, "v128", 3},
    {"v128.load64_lane", 8, 3, AccessShape::LoadLane, "v128", 1},
    {"i32.store", 4, 2, AccessShape::Store, "i32"},
    {"i64.store", 8, 3, AccessShape::Store, "i64"},
    {"f32.store", 4, 2, AccessShape::Store, "f32"},
    {"f64.store", 8, 3, AccessShape::Store, "f64"},
    {"v128.store", 16, 4, AccessShape::Store, "v128"},
    {"i32.store8", 1, 0, AccessShape::Store, "i32"},
    {"i32.store16", 2, 1, AccessShape::Store, "i32"},
    {"i64.store8", 1, 0, AccessShape::Store, "i64"},
    {"i64.store16", 2, 1, AccessShape::Store, "i64"},
    {"i64.store32", 4, 2, AccessShape::Store, "i64"},
    {"v128.store8_lane", 1, 0, AccessShape::StoreLane, "v128", 15},
    {"v128.store16_lane", 2, 1, AccessShape::StoreLane, "v128", 7},
    {"v128.store32_lane", 4, 2, AccessShape::StoreLane, "v128", 3},
    {"v128.store64_lane", 8, 3, AccessShape::StoreLane, "v128", 1},
};

// The static offsets every access is generated with: none, and one so large
// that any address >= 16 makes address + offset overflow 32 bits.
constexpr uint32_t kOffsets[] = {0, 0xFFFFFFF0u};

std::string access_export(const MemoryAccess& access, uint32_t align, uint32_t offset) {
  return std::string(access.op) + "/a" + std::to_string(align) + "/o" + std::to_string(offset);
}

bool is_store(const MemoryAccess& access) {
  return access.shape == AccessShape::Store || access.shape == AccessShape::StoreLane;
}

// One exported function per access x alignment x offset:
//   loads:  (param $address i32) (result T)
//   stores: (param $address i32) (param $value T)
std::string access_module(uint32_t pages) {
  std::string text = "(module (memory (export \"memory\") " + std::to_string(pages) + ")\n";
  for (const MemoryAccess& access : kAccesses) {
    for (uint32_t align_log2 = 0; align_log2 <= access.max_align_log2; ++align_log2) {
      for (uint32_t offset : kOffsets) {
        std::string memarg =
            " offset=" + std::to_string(offset) + " align=" + std::to_string(1u << align_log2);
        bool has_lane = access.shape == AccessShape::LoadLane || access.shape == AccessShape::StoreLane;
        std::string lane;
        if (has_lane) lane.append(1, ' ').append(std::to_string(access.lane));
        text += "(func (export \"" + access_export(access, 1u << align_log2, offset) + "\") (param i32)";
        switch (access.shape) {
          case AccessShape::Load:
            text +=
                " (result " + std::string(access.value_type) + ") (" + access.op + memarg + " (local.get 0))";
            break;
          case AccessShape::LoadLane:
            text += " (result v128) (" + std::string(access.op) + memarg + lane +
                    " (local.get 0) (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15))";
            break;
          case AccessShape::Store:
          case AccessShape::StoreLane:
            text += " (param " + std::string(access.value_type) + ") (" + access.op + memarg + lane +
                    " (local.get 0) (local.get 1))";
            break;
        }
        text += ")\n";
      }
    }
  }
  text += ")\n";
  return text;
}

Value store_operand(const char* value_type) {
  std::string_view type = value_type;
  if (type == "i32") return Value::i32(static_cast<int32_t>(0x8899AABBu));
  if (type == "i64") return Value::i64(static_cast<int64_t>(0x1122334455667788u));
  if (type == "f32") return Value::f32_bits(0x7FC01234u);  // a NaN payload must survive
  if (type == "f64") return Value::f64_bits(0xFFF0000000ABCDEFu);
  V128 v;
  for (int i = 0; i < 16; ++i) v.bytes[i] = static_cast<uint8_t>(0xF0 + i);
  return Value::v128(v);
}

struct AccessChecker {
  const Instance& instance;
  Memory memory;
  uint64_t size;  // bytes
  std::vector<uint8_t> head, tail;
  int calls = 0;

  // A pattern in the first and last 32 bytes: in-bounds accesses at the end
  // read it, and a wrapped access would land on one of the two.
  void reset_ends() {
    head.assign(32, 0);
    tail.assign(32, 0);
    for (int i = 0; i < 32; ++i) {
      head[i] = static_cast<uint8_t>(0x40 + i);
      tail[i] = static_cast<uint8_t>(0xA0 + i * 3);
    }
    ASSERT_TRUE(memory.write(0, head).ok());
    ASSERT_TRUE(memory.write(size - 32, tail).ok());
  }
  bool ends_unchanged() const {
    std::vector<uint8_t> now_head(32), now_tail(32);
    return memory.read(0, now_head).ok() && memory.read(size - 32, now_tail).ok() && now_head == head &&
           now_tail == tail;
  }

  Result<std::vector<Value>> invoke(const MemoryAccess& access, const std::string& name, uint32_t address) {
    ++calls;
    Value address_value = Value::i32(static_cast<int32_t>(address));
    if (is_store(access)) return instance.call(name, {address_value, store_operand(access.value_type)});
    return instance.call(name, {address_value});
  }

  void check(const MemoryAccess& access, uint32_t align, uint32_t offset) {
    const std::string name = access_export(access, align, offset);
    const std::string reference = access_export(access, align, 0);
    const uint64_t n = access.bytes;
    // Candidate addresses around the end of memory and around the wrap.
    std::vector<uint64_t> addresses;
    auto add = [&](int64_t address) {
      if (address >= 0 && address < static_cast<int64_t>(k4GiB))
        addresses.push_back(static_cast<uint64_t>(address));
    };
    int64_t last_ok = static_cast<int64_t>(size) - static_cast<int64_t>(n) - static_cast<int64_t>(offset);
    for (uint64_t k = 0; k <= n; ++k) add(last_ok + static_cast<int64_t>(k));
    add(0xFFFFFFFF);
    add(static_cast<int64_t>(k4GiB - n));
    if (offset != 0) {
      // address + offset = 2^32 + w: wrapping would reach w, in bounds.
      add(static_cast<int64_t>(k4GiB - offset));
      add(static_cast<int64_t>(k4GiB - offset) + 1);
      add(static_cast<int64_t>(k4GiB - offset) +
          static_cast<int64_t>(std::min<uint64_t>(size - n, offset - 1)));
    }
    for (uint64_t address : addresses) {
      bool in_bounds = address + offset + n <= size;
      reset_ends();
      auto result = invoke(access, name, static_cast<uint32_t>(address));
      if (!in_bounds) {
        EXPECT_TRUE(is_trap(result, TrapKind::MemoryOutOfBounds))
            << name << " at 0x" << std::hex << address << " in a memory of 0x" << size << " bytes";
        EXPECT_TRUE(ends_unchanged())
            << name << " at 0x" << std::hex << address << " changed memory and trapped";
        continue;
      }
      ASSERT_TRUE(result.ok()) << name << " at 0x" << std::hex << address << ": "
                               << result.error().to_string();
      // Compare with the same access at address 64 over the same bytes.
      const uint64_t effective = address + offset;
      std::vector<uint8_t> bytes(n);
      constexpr uint32_t kReference = 64;
      if (is_store(access)) {
        ASSERT_TRUE(memory.read(effective, bytes).ok());
        auto again = invoke(access, reference, kReference);
        ASSERT_TRUE(again.ok()) << again.error().to_string();
        std::vector<uint8_t> expected(n);
        ASSERT_TRUE(memory.read(kReference, expected).ok());
        EXPECT_EQ(bytes, expected) << name << " at 0x" << std::hex << address;
      } else {
        ASSERT_TRUE(memory.read(effective, bytes).ok());
        ASSERT_TRUE(memory.write(kReference, bytes).ok());
        auto expected = invoke(access, reference, kReference);
        ASSERT_TRUE(expected.ok()) << expected.error().to_string();
        EXPECT_TRUE(result.value() == expected.value()) << name << " at 0x" << std::hex << address;
      }
    }
  }
};

void check_every_access(uint32_t pages) {
  Engine engine(test_config());
  Store store = guarded_store(engine);
  auto instance = instantiate_ok(store, compile_ok(engine, as_bytes(access_module(pages)), "access module"));
  ASSERT_TRUE(instance);
  auto memory = instance->memory();
  ASSERT_TRUE(memory);
  AccessChecker checker{*instance, *memory, memory->size_bytes(), {}, {}};
  ASSERT_EQ(checker.size, uint64_t{pages} * kPage);
  int functions = 0;
  for (const MemoryAccess& access : kAccesses) {
    for (uint32_t align_log2 = 0; align_log2 <= access.max_align_log2; ++align_log2) {
      for (uint32_t offset : kOffsets) {
        checker.check(access, 1u << align_log2, offset);
        ++functions;
      }
    }
  }
  report("every width x align x offset in " + std::to_string(pages) + " pages: functions", functions, "");
  report("every width x align x offset in " + std::to_string(pages) + " pages: calls", checker.calls, "");
}

void case_every_access_one_page() {
  check_every_access(1);
}
void case_every_access_4gib() {
  check_every_access(65536);
}

// ---------------------------------------------------------------------------
// The registry: each case runs as its own test, and all of them run again in
// one process to measure the host's peak RSS through the whole suite.

struct HostileCase {
  const char* name;
  void (*run)();
  std::chrono::seconds budget = kQuickCaseBudget;
};

const HostileCase kCases[] = {
    {"LoopTimeout", case_loop_timeout},
    {"LoopFuel", case_loop_fuel},
    {"LoopInterrupt", case_loop_interrupt},
    {"MutualRecursionTimeout", case_recursion_timeout},
    {"MutualRecursionInterrupt", case_recursion_interrupt},
    {"MutualRecursionFuel", case_recursion_fuel},
    {"FuelNeedsMetering", case_fuel_needs_metering},
    {"UnboundedRecursion", case_unbounded_recursion},
    {"MemoryGrowPerMemoryCap", case_memory_grow_per_memory_cap},
    {"MemoryGrowStoreCap", case_memory_grow_store_cap},
    {"MemoryGrowDefaultCaps", case_memory_grow_default_caps},
    {"TableGrowCap", case_table_grow_cap},
    {"HugeMinimumsRefused", case_huge_minimums_refused},
    {"ObjectCountCaps", case_object_count_caps},
    {"CallIndirect", case_call_indirect},
    {"BulkOutOfRange", case_bulk_out_of_range},
    {"BulkFillUnderFuel", case_bulk_fill_under_fuel},
    {"DataAtTopOf4GiB", case_data_at_top_of_4gib},
    {"HostOutOfRangePointers", case_host_out_of_range_pointers},
    {"HostSleepWakesOnTimeout", case_host_sleep_wakes_on_timeout},
    {"HostPollWakesOnInterrupt", case_host_poll_wakes_on_interrupt},
    {"BrTable65536Targets", case_br_table_65536_targets, kHeavyCaseBudget},
    {"DeepNesting", case_deep_nesting, kHeavyCaseBudget},
    {"ManyLocals", case_many_locals},
    {"FourBillionLocals", case_four_billion_locals},
    {"MillionFunctions", case_million_functions, kHeavyCaseBudget},
    {"EveryAccessOnePage", case_every_access_one_page},
    {"EveryAccess4GiB", case_every_access_4gib},
};

// Test names and failure messages show the case's name, not its bytes.
void PrintTo(const HostileCase& hostile, std::ostream* out) {
  *out << hostile.name;
}

// Under qemu-user (the arm64 tests on x86-64 machines) every case runs
// several times slower: qemu translates the guest's code, the JIT's
// freshly emitted code included, and asmjit's encoder runs about 7x slower
// than natively (docs/aarch64.md). The budgets scale by this much there.
double emulation_slowdown() { return emulated() ? 4.0 : 1.0; }

// Runs one case and checks it stayed far below the safety-net timeout.
void run_timed(const HostileCase& hostile) {
  SCOPED_TRACE(hostile.name);
  auto start = Clock::now();
  double cpu_start = process_cpu_ms();
  hostile.run();
  double elapsed = ms_since(start);
  double cpu = process_cpu_ms() - cpu_start;
  report(std::string("case ") + hostile.name + " took (wall)", elapsed, "ms");
  report(std::string("case ") + hostile.name + " took (CPU)", cpu, "ms");
  EXPECT_LT(cpu, in_ms(hostile.budget) * emulation_slowdown()) << hostile.name;
  EXPECT_LT(elapsed, in_ms(kSafetyTimeout) * emulation_slowdown()) << hostile.name;
}

class HostileCaseTest : public testing::TestWithParam<HostileCase> {};

TEST_P(HostileCaseTest, EndsInTheExpectedTypedError) {
  run_timed(GetParam());
}

INSTANTIATE_TEST_SUITE_P(Hostile, HostileCaseTest, testing::ValuesIn(kCases),
                         [](const testing::TestParamInfo<HostileCase>& info) { return info.param.name; });

// Peak resident set size of this process (VmHWM), in bytes.
uint64_t peak_rss_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      std::istringstream fields(line.substr(6));
      uint64_t kib = 0;
      fields >> kib;
      return kib * 1024;
    }
  }
  return 0;
}

// The acceptance line of issue 4: the host's RSS stays under 1 GiB through
// the whole hostile suite. ctest runs each test in its own process, so this
// test (which runs every case) is what measures it.
TEST(HostileSuite, WholeSuiteInOneProcessStaysUnder1GiB) {
  auto start = Clock::now();
  for (const HostileCase& hostile : kCases) {
    run_timed(hostile);
    report(std::string("  peak RSS after ") + hostile.name, static_cast<double>(peak_rss_bytes()) / (1 << 20),
           "MiB");
  }
  double elapsed = ms_since(start);
  uint64_t peak = peak_rss_bytes();
  ASSERT_GT(peak, 0u) << "no VmHWM in /proc/self/status";
  report("whole suite: wall time", elapsed, "ms");
  report("whole suite: peak RSS (VmHWM)", static_cast<double>(peak) / (1 << 20), "MiB");
  if (emulated()) {
    // The RSS is qemu's: its translation cache and its bookkeeping of the
    // guest's mappings (48 MiB for each live 8 GiB reservation: the cases
    // that hold memories add multiples of it, 367 MiB natively against
    // 1,258 MiB under qemu on the interpreter) count in, so it says nothing
    // of ours. Every case above still had to end in its typed error (a
    // failure there fails the test; a skip does not hide it), and the skip
    // shows in ctest's counts that the RSS line went unchecked.
    GTEST_SKIP() << emulation_evidence() << ": the peak RSS is qemu's (its bookkeeping of guest mappings), "
                 << "reported above, not checked";
  }
  EXPECT_LT(peak, uint64_t{1} << 30);
}

}  // namespace
}  // namespace wasmrt
