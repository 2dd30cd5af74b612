// Microbenchmarks of the runtime's fixed costs (issue 6): how fast modules
// get ready to run and what crossing the host/guest boundary costs.
//
//   decode+validate and translation of a real ~2 MB module (Go's wasip1
//   hello world), in MB/s of module bytes, and the code cache's load (a
//   hit instead of decode+validate) and fill;
//   instantiation of a tiny module and of the Go module (WASI linked), and
//   the memory each instance touches before its first instruction
//   (counter touched_KiB), fresh and pooled (an InstancePool lease taken
//   and released, or for the WASI-linked Go module, which a pool refuses,
//   the same reset below the public API);
//   host->guest calls (Func::call) and guest->host calls (an imported host
//   function called in a guest loop), per call;
//   memory.grow by one page.
// Fuel and interrupt-check overhead is bench/limits_bench.cc
// (bench/run_limits_bench.sh). Run in a Release build:
//   build/release/bench/micro_bench --benchmark_repetitions=5
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/api/engine_state.h"
#include "runtime/api/module_impl.h"
#include "runtime/binary/decoder.h"
#include "runtime/cache/cached_decode.h"
#include "runtime/interp/interp.h"
#include "runtime/memory/reservation_pool.h"
#include "runtime/store/store.h"
#include "runtime/valid/validator.h"
#include "wasmrt/wasi.h"
#include "wasmrt/wasmrt.h"

namespace {

using wasmrt::Value;

std::vector<uint8_t> read_bytes(const char* path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::shared_ptr<const wasmrt::Module> compile_or_skip(benchmark::State& state, std::string_view text,
                                                      const wasmrt::Engine& engine = wasmrt::Engine()) {
  auto module = engine.compile(std::vector<uint8_t>(text.begin(), text.end()));
  if (!module.ok()) {
    state.SkipWithError(("compile failed: " + module.error().to_string()).c_str());
    return nullptr;
  }
  return *module;
}

// The process's resident memory in KiB, exactly: smaps_rollup walks the
// page tables (statm's counters are per-CPU estimates, off by hundreds of
// KiB). 0 where /proc is missing.
uint64_t resident_kib() {
  std::ifstream in("/proc/self/smaps_rollup");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Rss:", 0) == 0) return std::stoull(line.substr(4));
  }
  return 0;
}

// What one instance made by `make` touches before running any code: the
// growth of resident memory while 16 of them (their stores included) are
// alive at once, divided by 16, after one untimed instance has built
// whatever a module builds once and the heap gave its free pages back.
// Memory shared between instances (the copy-on-write image's page cache,
// the compiled code) is not counted: it is paid once per module, not per
// instance.
template <typename Make>
void count_touched_memory(benchmark::State& state, Make make) {
  constexpr int kInstances = 16;
  { auto warm = make(); }
  std::vector<decltype(make())> live;
  live.reserve(kInstances);
  // Freed heap pages stay resident and would hide what new instances
  // allocate: give them back first.
  malloc_trim(0);
  const uint64_t before = resident_kib();
  for (int i = 0; i < kInstances; ++i) live.push_back(make());
  const uint64_t after = resident_kib();
  state.counters["touched_KiB"] = after > before ? static_cast<double>(after - before) / kInstances : 0.0;
}

#ifdef WASMRT_BENCH_GO_MODULE
const std::vector<uint8_t>& go_module() {
  static const std::vector<uint8_t> bytes = read_bytes(WASMRT_BENCH_GO_MODULE);
  return bytes;
}

// Decode + validate: everything before translation.
void BM_DecodeValidateGoHello(benchmark::State& state) {
  const auto& bytes = go_module();
  for (auto _ : state) {
    auto decoded = wasmrt::decode_module(bytes);
    if (!decoded.ok() || !wasmrt::validate_module(decoded.value()).ok()) {
      state.SkipWithError("decode or validation failed");
      return;
    }
    benchmark::DoNotOptimize(decoded.value().side_tables.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes.size()));
}
BENCHMARK(BM_DecodeValidateGoHello)->Unit(benchmark::kMillisecond);

// The code cache's side of the same step (docs/code-cache.md), in a cache
// directory of its own under /tmp: a hit (the key's SHA-256 over the
// module, mapping the entry, its digest, rebuilding the description and
// side tables), and a miss that fills the cache (decode + validate,
// serializing, the digest, writing the entry). MB/s of module bytes, as
// above.
std::string bench_cache_dir() { return "/tmp/wasmrt-micro-bench-cache-" + std::to_string(getpid()); }

void BM_CacheLoadGoHello(benchmark::State& state) {
  const auto& bytes = go_module();
  const wasmrt::cache::CodeCache cache(bench_cache_dir(), uint64_t{1} << 30, wasmrt::cache::Digest{});
  if (!wasmrt::cache::decode_and_validate(bytes, &cache).ok()) {
    state.SkipWithError("decode or validation failed");
    return;
  }
  for (auto _ : state) {
    auto loaded = wasmrt::cache::decode_and_validate(bytes, &cache);
    benchmark::DoNotOptimize(loaded.value().side_tables.data());
  }
  if (cache.stats().hits.load() != static_cast<uint64_t>(state.iterations())) state.SkipWithError("a load missed");
  std::filesystem::remove_all(bench_cache_dir());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes.size()));
}
BENCHMARK(BM_CacheLoadGoHello)->Unit(benchmark::kMillisecond);

void BM_CacheFillGoHello(benchmark::State& state) {
  const auto& bytes = go_module();
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove_all(bench_cache_dir());
    const wasmrt::cache::CodeCache cache(bench_cache_dir(), uint64_t{1} << 30, wasmrt::cache::Digest{});
    state.ResumeTiming();
    auto filled = wasmrt::cache::decode_and_validate(bytes, &cache);
    benchmark::DoNotOptimize(filled.value().side_tables.data());
  }
  std::filesystem::remove_all(bench_cache_dir());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes.size()));
}
BENCHMARK(BM_CacheFillGoHello)->Unit(benchmark::kMillisecond);

// Translation into the interpreter's code alone, from a validated module,
// with and without metering compiled in (wasm-run's default is interrupt
// checks on, fuel off). MB/s of module bytes, so the figures add up with
// the one above.
void BM_TranslateGoHello(benchmark::State& state) {
  const auto& bytes = go_module();
  auto decoded = wasmrt::decode_module(bytes);
  if (!decoded.ok() || !wasmrt::validate_module(decoded.value()).ok()) {
    state.SkipWithError("decode or validation failed");
    return;
  }
  wasmrt::interp::TranslateOptions options;
  options.interrupt_checks = state.range(0) != 0;
  options.fuel = state.range(1) != 0;
  for (auto _ : state) {
    auto code = wasmrt::interp::translate_module(decoded.value(), options);
    if (!code.ok()) {
      state.SkipWithError(("translation failed: " + code.error().to_string()).c_str());
      return;
    }
    benchmark::DoNotOptimize(code.value().data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes.size()));
}
BENCHMARK(BM_TranslateGoHello)->ArgNames({"interrupts", "fuel"})->Args({0, 0})->Args({1, 0})->Args({1, 1})
    ->Unit(benchmark::kMillisecond);

// A fresh store, linker and WASI state and an instance of `module` in
// them, dropped again: what wasm-run makes before calling _start. False
// (the benchmark marked failed) if a step fails.
bool instantiate_with_wasi(benchmark::State& state, const wasmrt::Engine& engine,
                           const std::shared_ptr<const wasmrt::Module>& module) {
  wasmrt::Store store(engine);
  wasmrt::Linker linker;
  auto wasi = wasmrt::Wasi::create(wasmrt::WasiConfig{});
  if (!wasi.ok()) {
    state.SkipWithError("WASI setup failed");
    return false;
  }
  (*wasi)->define(linker);
  auto instance = linker.instantiate(store, module);
  if (!instance.ok()) {
    state.SkipWithError(("instantiation failed: " + instance.error().to_string()).c_str());
    return false;
  }
  benchmark::DoNotOptimize(instance->valid());
  return true;
}

// Instantiating the compiled Go module with WASI linked, the way wasm-run
// does before calling _start: a fresh store, linker and WASI state each time.
// Arg 1: the default (copy-on-write memory image); 0: every data segment
// copied (EngineConfig::memory_images off), which is how instantiation
// worked before images.
void BM_InstantiateGoHello(benchmark::State& state) {
  wasmrt::EngineConfig config;
  config.memory_images = state.range(0) != 0;
  const wasmrt::Engine engine(config);
  const auto& bytes = go_module();
  auto module = engine.compile(bytes);
  if (!module.ok()) {
    state.SkipWithError("compile failed");
    return;
  }
  for (auto _ : state) {
    if (!instantiate_with_wasi(state, engine, *module)) return;
  }
  struct Live {
    std::shared_ptr<wasmrt::Wasi> wasi;
    std::optional<wasmrt::Instance> instance;
  };
  count_touched_memory(state, [&] {
    Live live;
    wasmrt::Store store(engine);
    wasmrt::Linker linker;
    auto wasi = wasmrt::Wasi::create(wasmrt::WasiConfig{});
    if (wasi.ok()) {
      live.wasi = std::move(wasi).value();
      live.wasi->define(linker);
      auto instance = linker.instantiate(store, *module);
      if (instance.ok()) live.instance = std::move(instance).value();
    }
    return live;
  });
}
BENCHMARK(BM_InstantiateGoHello)->ArgName("images")->Arg(1)->Arg(0)->Unit(benchmark::kMicrosecond);

// Instantiation proper: a fresh store and instance per iteration, with one
// linker whose WASI functions were defined once (a platform defines its
// host functions once per process; a Wasi per request is
// BM_InstantiateGoHello's extra).
void BM_InstantiateGoHelloLinked(benchmark::State& state) {
  const wasmrt::Engine engine;
  auto module = engine.compile(go_module());
  auto wasi = wasmrt::Wasi::create(wasmrt::WasiConfig{});
  if (!module.ok() || !wasi.ok()) {
    state.SkipWithError("compile or WASI setup failed");
    return;
  }
  wasmrt::Linker linker;
  (*wasi)->define(linker);
  for (auto _ : state) {
    wasmrt::Store store(engine);
    auto instance = linker.instantiate(store, *module);
    if (!instance.ok()) {
      state.SkipWithError(("instantiation failed: " + instance.error().to_string()).c_str());
      return;
    }
    benchmark::DoNotOptimize(instance->valid());
  }
  struct Live {
    wasmrt::Store store;
    std::optional<wasmrt::Instance> instance;
  };
  count_touched_memory(state, [&] {
    auto live = std::make_unique<Live>(Live{wasmrt::Store(engine), std::nullopt});
    auto instance = linker.instantiate(live->store, *module);
    if (instance.ok()) live->instance = std::move(instance).value();
    return live;
  });
}
BENCHMARK(BM_InstantiateGoHelloLinked)->Unit(benchmark::kMicrosecond);

// The first instantiation of a freshly compiled Go module (what a process
// that runs the module once pays): with images on, it builds the module's
// plan (compiled_module.h) on top of instantiating.
void BM_FirstInstantiateGoHello(benchmark::State& state) {
  wasmrt::EngineConfig config;
  config.memory_images = state.range(0) != 0;
  const wasmrt::Engine engine(config);
  for (auto _ : state) {
    state.PauseTiming();
    auto module = engine.compile(go_module());
    if (!module.ok()) {
      state.SkipWithError("compile failed");
      return;
    }
    state.ResumeTiming();
    if (!instantiate_with_wasi(state, engine, *module)) return;
  }
}
BENCHMARK(BM_FirstInstantiateGoHello)->ArgName("images")->Arg(1)->Arg(0)->Iterations(15)->Unit(benchmark::kMicrosecond);

// The Go module's instance reset in place (ObjectStore::reset_instance, what
// an InstancePool lease's release does) after a request that wrote
// `range(0)` pages of its memory: its cost from one request to the next
// when pooled. Below the public API, because InstancePool refuses WASI
// modules (wasmrt/pool.h): the imports are stand-ins that are never
// called. touched_KiB: what an instance still holds after the reset
// (the pages the reset did not free), averaged over 16.
void BM_ResetGoHelloInstance(benchmark::State& state) {
  const wasmrt::Engine engine;
  auto module = engine.compile(go_module());
  if (!module.ok()) {
    state.SkipWithError("compile failed");
    return;
  }
  const auto& compiled = (*module)->impl().compiled;
  const wasmrt::ModuleDesc& desc = *compiled->desc;
  const int64_t pages_written = state.range(0);
  struct Pooled {
    std::unique_ptr<wasmrt::ObjectStore> store;
    wasmrt::StoreInstance* instance = nullptr;
  };
  auto make = [&]() -> Pooled {
    wasmrt::StoreLimits limits;
    limits.reservations = engine.state()->reservations;
    Pooled pooled{std::make_unique<wasmrt::ObjectStore>(limits)};
    std::vector<wasmrt::Extern> imports;
    for (const wasmrt::Import& import : desc.imports) {
      auto host = std::make_shared<wasmrt::HostFunc>();
      host->type = desc.types[import.func_type];
      host->fn = [](wasmrt::HostCallContext&, const wasmrt::Cell*, wasmrt::Cell*) {
        return wasmrt::TrapCode::HostError;
      };
      imports.push_back(wasmrt::Extern::of(pooled.store->add_host_func(std::move(host))));
    }
    auto made = pooled.store->instantiate(compiled, imports, pooled.store->exec_context());
    if (made.ok()) pooled.instance = made.value();
    return pooled;
  };
  // Twice: the module's second instantiation builds its image (the
  // first copies the segments), and a pool's instances are not its first.
  make();
  Pooled pooled = make();
  if (pooled.instance == nullptr) {
    state.SkipWithError("instantiation failed");
    return;
  }
  wasmrt::LinearMemory* memory = pooled.instance->data.memory0;
  for (auto _ : state) {
    state.PauseTiming();
    // A request: writes spread over the memory's first pages.
    for (int64_t page = 0; page < pages_written; ++page) memory->base()[page * 4096 * 3 + 17] = 1;
    state.ResumeTiming();
    if (!pooled.store->reset_instance(*pooled.instance, pooled.store->exec_context()).ok()) {
      state.SkipWithError("reset failed");
      return;
    }
  }
  count_touched_memory(state, [&] {
    Pooled one = make();
    if (one.instance != nullptr) (void)one.store->reset_instance(*one.instance, one.store->exec_context());
    return one;
  });
}
BENCHMARK(BM_ResetGoHelloInstance)->ArgName("pages_written")->Arg(0)->Arg(64)->Unit(benchmark::kMicrosecond);
#endif  // WASMRT_BENCH_GO_MODULE

// The smallest useful module: one page of memory, a global, a table and
// two functions. Measures the fixed cost of a store plus an instance.
constexpr std::string_view kTinyWat = R"((module
  (memory (export "memory") 1)
  (global $counter (mut i32) (i32.const 0))
  (table 2 funcref)
  (elem (i32.const 0) $inc $inc)
  (data (i32.const 16) "hello")
  (func $inc (export "inc") (param i32) (result i32)
    (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
    (i32.add (local.get 0) (i32.const 1)))
))";

// Arg images as for BM_InstantiateGoHello (this module's 5 bytes of data
// are copied either way: too few for an image).
void BM_InstantiateTiny(benchmark::State& state) {
  wasmrt::EngineConfig config;
  config.memory_images = state.range(0) != 0;
  const wasmrt::Engine engine(config);
  auto module = compile_or_skip(state, kTinyWat, engine);
  if (!module) return;
  wasmrt::Linker linker;
  for (auto _ : state) {
    wasmrt::Store store(engine);
    auto instance = linker.instantiate(store, module);
    if (!instance.ok()) {
      state.SkipWithError("instantiation failed");
      return;
    }
    benchmark::DoNotOptimize(instance->valid());
  }
  count_touched_memory(state, [&] {
    wasmrt::Store store(engine);
    return linker.instantiate(store, module);
  });
}
BENCHMARK(BM_InstantiateTiny)->ArgName("images")->Arg(1)->Arg(0)->Unit(benchmark::kMicrosecond);

// The tiny module from an InstancePool: one request's acquire() and its
// release (the reset), with the request's one call (`inc`, which writes
// the global) in between, untimed. touched_KiB: what each of 16 leases
// held at once adds (their instances stay in the pool, so nothing once
// the pool has them: the figure is what a request pays in fresh memory).
void BM_InstantiateTinyPooled(benchmark::State& state) {
  const wasmrt::Engine engine;
  auto module = compile_or_skip(state, kTinyWat, engine);
  if (!module) return;
  wasmrt::InstancePoolConfig pool_config;
  pool_config.max_instances = 32;
  pool_config.max_idle = 32;
  pool_config.prefill = 32;
  auto pool = wasmrt::InstancePool::create(engine, wasmrt::Linker(), module, pool_config);
  if (!pool.ok()) {
    state.SkipWithError(("pool failed: " + pool.error().to_string()).c_str());
    return;
  }
  for (auto _ : state) {
    auto lease = (*pool)->acquire();
    if (!lease.ok()) {
      state.SkipWithError("acquire failed");
      return;
    }
    state.PauseTiming();
    benchmark::DoNotOptimize(lease->instance().call("inc", {Value::i32(1)}).ok());
    state.ResumeTiming();
  }
  count_touched_memory(state, [&] { return (*pool)->acquire(); });
}
BENCHMARK(BM_InstantiateTinyPooled)->Unit(benchmark::kMicrosecond);

// One more instance in a store that lives on (a plugin host instantiating
// per request in a long-lived store).
void BM_InstantiateTinyInLiveStore(benchmark::State& state) {
  auto module = compile_or_skip(state, kTinyWat);
  if (!module) return;
  wasmrt::Linker linker;
  wasmrt::EngineConfig config;
  config.max_instances = 1u << 30;
  config.max_memories = 1u << 30;
  config.max_tables = 1u << 30;
  wasmrt::Engine engine(config);
  auto store = std::make_unique<wasmrt::Store>(engine);
  int64_t in_store = 0;
  for (auto _ : state) {
    // A fresh store every 1,000 instances keeps memory bounded; its
    // teardown runs outside the timed region.
    if (++in_store == 1000) {
      state.PauseTiming();
      store = std::make_unique<wasmrt::Store>(engine);
      in_store = 0;
      state.ResumeTiming();
    }
    auto instance = linker.instantiate(*store, module);
    if (!instance.ok()) {
      state.SkipWithError(("instantiation failed: " + instance.error().to_string()).c_str());
      return;
    }
    benchmark::DoNotOptimize(instance->valid());
  }
}
BENCHMARK(BM_InstantiateTinyInLiveStore)->Unit(benchmark::kMicrosecond);

// Host -> guest: Func::call of `inc` (one i32 in, one out).
void BM_CallHostToGuest(benchmark::State& state) {
  auto module = compile_or_skip(state, kTinyWat);
  if (!module) return;
  wasmrt::Store store;
  auto instance = wasmrt::Linker().instantiate(store, module);
  if (!instance.ok()) {
    state.SkipWithError("instantiation failed");
    return;
  }
  wasmrt::Func inc = *instance->func("inc");
  int32_t value = 0;
  for (auto _ : state) {
    auto result = inc.call({Value::i32(value)});
    if (!result.ok()) {
      state.SkipWithError("call failed");
      return;
    }
    value = (*result)[0].i32();
  }
  if (value != static_cast<int32_t>(state.iterations())) state.SkipWithError("wrong result");
}
BENCHMARK(BM_CallHostToGuest);

// Guest -> host: a guest loop calling an imported (i32) -> i32 host
// function; the figure is per host call (loop overhead included, a few ns).
constexpr std::string_view kHostCallWat = R"((module
  (import "env" "add_one" (func $add_one (param i32) (result i32)))
  (func (export "run") (param $n i32) (result i32)
    (local $acc i32)
    (block $done
      (loop $again
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (call $add_one (local.get $acc)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $again)))
    (local.get $acc))
))";

void BM_CallGuestToHost(benchmark::State& state) {
  auto module = compile_or_skip(state, kHostCallWat);
  if (!module) return;
  wasmrt::Store store;
  wasmrt::Linker linker;
  linker.define("env", "add_one", [](wasmrt::HostContext&, int32_t x) -> int32_t { return x + 1; });
  auto instance = linker.instantiate(store, module);
  if (!instance.ok()) {
    state.SkipWithError("instantiation failed");
    return;
  }
  wasmrt::Func run = *instance->func("run");
  constexpr int32_t kCallsPerIteration = 10'000;
  for (auto _ : state) {
    auto result = run.call({Value::i32(kCallsPerIteration)});
    if (!result.ok() || (*result)[0].i32() != kCallsPerIteration) {
      state.SkipWithError("wrong result");
      return;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kCallsPerIteration);
  state.counters["ns_per_call"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * kCallsPerIteration,
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_CallGuestToHost)->Unit(benchmark::kMicrosecond);

// memory.grow by one page from inside the guest, 1,000 times per store
// (to 64 MiB), in a fresh instance each round.
constexpr std::string_view kGrowWat = R"((module
  (memory 0)
  (func (export "grow") (param $n i32) (result i32)
    (local $last i32)
    (block $done
      (loop $again
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $last (memory.grow (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $again)))
    (local.get $last))
))";

void BM_MemoryGrow(benchmark::State& state) {
  auto module = compile_or_skip(state, kGrowWat);
  if (!module) return;
  constexpr int32_t kGrows = 1000;
  for (auto _ : state) {
    state.PauseTiming();
    auto store = std::make_unique<wasmrt::Store>();
    auto instance = wasmrt::Linker().instantiate(*store, module);
    if (!instance.ok()) {
      state.SkipWithError("instantiation failed");
      return;
    }
    wasmrt::Func grow = *instance->func("grow");
    state.ResumeTiming();
    auto result = grow.call({Value::i32(kGrows)});
    if (!result.ok() || (*result)[0].i32() != kGrows - 1) {
      state.SkipWithError("memory.grow failed");
      return;
    }
    state.PauseTiming();
    store.reset();
    state.ResumeTiming();
  }
  state.counters["ns_per_grow"] = benchmark::Counter(static_cast<double>(state.iterations()) * kGrows,
                                                     benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_MemoryGrow)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
