// The on-disk code cache (EngineConfig::cache_dir, docs/code-cache.md): a
// module compiled from a cache entry behaves exactly as one compiled
// afresh, on every engine (this binary runs per tier, test_tier.h); an
// entry that is damaged, truncated, swapped, forged short of its digest's
// protection, or written under another config is never used: the module
// is compiled afresh, with the right results, and the entry rewritten;
// engines filling one cache at once all succeed; eviction keeps the bound
// and removes the least recently used entries. The cache's counters
// (CacheStats, through the engine's internal state) tell hits from
// recompiles.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "runtime/api/engine_state.h"
#include "runtime/cache/cached_decode.h"
#include "runtime/cache/code_cache.h"
#include "runtime/cache/module_serialize.h"
#include "tests/unit/test_tier.h"
#include "wasmrt/wasmrt.h"

extern char** environ;

namespace wasmrt {
namespace {

namespace fs = std::filesystem;

// Control flow of every kind the side tables describe (blocks, loops,
// if/else, br_table, return), calls direct and indirect, a memory with
// data, globals and a table: what a wrong entry would most likely break.
const char* const kModule = R"((module
  (type $binop (func (param i32 i32) (result i32)))
  (memory 1)
  (data (i32.const 16) "\05\00\00\00\07\00\00\00")
  (global $g (mut i32) (i32.const 10))
  (table 2 funcref)
  (elem (i32.const 0) $add $mul)
  (func $add (type $binop) (i32.add (local.get 0) (local.get 1)))
  (func $mul (type $binop) (i32.mul (local.get 0) (local.get 1)))
  (func (export "sum_to") (param $n i32) (result i32) (local $acc i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (i32.add (local.get $acc) (local.get $n)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $acc))
  (func (export "classify") (param i32) (result i32)
    (block $c (block $b (block $a
      (br_table $a $b $c (local.get 0)))
      (return (i32.const 100)))
      (return (i32.const 200)))
    (if (result i32) (i32.gt_u (local.get 0) (i32.const 10))
      (then (i32.const 300)) (else (i32.const 400))))
  (func (export "apply") (param i32 i32 i32) (result i32)
    (call_indirect (type $binop) (local.get 1) (local.get 2) (local.get 0)))
  (func (export "data") (result i32)
    (i32.add (i32.load (i32.const 16)) (i32.load (i32.const 20))))
  (func (export "bump") (result i32)
    (global.set $g (i32.add (global.get $g) (i32.const 1))) (global.get $g))
))";

const char* const kOtherModule = R"((module
  (func (export "sum_to") (param i32) (result i32) (i32.const -1))
))";

std::vector<uint8_t> binary_of(const char* text) {
  Engine engine;
  auto module = engine.compile(std::span(reinterpret_cast<const uint8_t*>(text), std::strlen(text)));
  EXPECT_TRUE(module.ok());
  auto bytes = module.value()->binary();
  return {bytes.begin(), bytes.end()};
}

// A fresh, empty directory per test.
class CodeCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("wasmrt-cache-test-" + std::to_string(getpid()) + "-" + info->name() +
                                        "-" + std::to_string(static_cast<int>(test_tier())));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  EngineConfig config() const {
    EngineConfig config = test_config();
    config.cache_dir = dir_.string();
    return config;
  }
  static cache::CacheStats& stats(const Engine& engine) { return engine.state()->code_cache->stats(); }

  std::vector<fs::path> entries() const {
    std::vector<fs::path> out;
    if (!fs::exists(dir_)) return out;
    for (const auto& e : fs::directory_iterator(dir_)) {
      if (e.path().extension() == ".wrc") out.push_back(e.path());
    }
    return out;
  }
  fs::path only_entry() const {
    auto all = entries();
    EXPECT_EQ(all.size(), 1u);
    return all.empty() ? fs::path() : all[0];
  }

  fs::path dir_;
};

std::vector<uint8_t> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void write_file(const fs::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// Every export of kModule called with a few arguments, results in order;
// with fuel metering, the fuel each call used too (the side tables carry
// the fuel costs).
std::vector<int64_t> run_module(const Engine& engine, const std::shared_ptr<const Module>& module) {
  std::vector<int64_t> out;
  Store store(engine);
  if (engine.config().consume_fuel) {
    EXPECT_TRUE(store.set_fuel(1'000'000).ok());
  }
  auto instance = Linker().instantiate(store, module);
  EXPECT_TRUE(instance.ok());
  if (!instance.ok()) return out;
  auto record = [&](const char* name, std::vector<Value> args) {
    // Three times, so the tiered JIT's low thresholds move the function
    // to machine code in between.
    for (int round = 0; round < 3; ++round) {
      auto result = instance.value().call(name, args);
      EXPECT_TRUE(result.ok()) << name << ": " << result.error().to_string();
      out.push_back(result.ok() ? result.value()[0].i32() : INT64_MIN);
      out.push_back(static_cast<int64_t>(store.last_call_stats().fuel_used));
    }
  };
  record("sum_to", {Value::i32(100)});
  for (int i = 0; i < 5; ++i) record("classify", {Value::i32(i == 4 ? 42 : i)});
  record("apply", {Value::i32(0), Value::i32(6), Value::i32(7)});
  record("apply", {Value::i32(1), Value::i32(6), Value::i32(7)});
  record("data", {});
  record("bump", {});
  return out;
}

std::vector<int64_t> expected_results(bool fuel) {
  EngineConfig config = test_config();
  config.consume_fuel = fuel;
  Engine engine(config);
  return run_module(engine, compile(kModule, engine));
}

TEST_F(CodeCacheTest, AHitSkipsCompilationAndGivesTheSameResults) {
  for (bool fuel : {false, true}) {
    EngineConfig cfg = config();
    cfg.consume_fuel = fuel;
    const std::vector<int64_t> expected = expected_results(fuel);
    {
      Engine filling(cfg);
      EXPECT_EQ(run_module(filling, compile(kModule, filling)), expected);
      EXPECT_EQ(stats(filling).misses.load(), 1u);
      EXPECT_EQ(stats(filling).stored.load(), 1u);
    }
    Engine warm(cfg);
    EXPECT_EQ(run_module(warm, compile(kModule, warm)), expected);
    EXPECT_EQ(stats(warm).hits.load(), 1u);
    EXPECT_EQ(stats(warm).stored.load(), 0u);
  }
  EXPECT_EQ(entries().size(), 2u) << "fuel metering is part of the key";
}

// Damages the one entry with `damage`, then checks that the next engine
// refuses it, compiles afresh with the right results and rewrites it, and
// that the engine after that hits again.
template <typename Damage>
void expect_recompiled_after(const EngineConfig& cfg, const fs::path& entry, Damage damage) {
  const std::vector<int64_t> expected = expected_results(cfg.consume_fuel);
  {
    Engine filling(cfg);
    ASSERT_NE(compile(kModule, filling), nullptr);
  }
  std::vector<uint8_t> bytes = read_file(entry);
  ASSERT_GT(bytes.size(), 136u);
  damage(bytes);
  write_file(entry, bytes);
  {
    Engine engine(cfg);
    EXPECT_EQ(run_module(engine, compile(kModule, engine)), expected);
    EXPECT_EQ(engine.state()->code_cache->stats().hits.load(), 0u);
    EXPECT_EQ(engine.state()->code_cache->stats().rejected.load(), 1u);
    EXPECT_EQ(engine.state()->code_cache->stats().stored.load(), 1u) << "the entry is rewritten";
  }
  Engine warm(cfg);
  EXPECT_EQ(run_module(warm, compile(kModule, warm)), expected);
  EXPECT_EQ(warm.state()->code_cache->stats().hits.load(), 1u);
}

TEST_F(CodeCacheTest, DamagedEntriesAreRecompiledAndRewritten) {
  const EngineConfig cfg = config();
  {
    Engine engine(cfg);
    ASSERT_NE(compile(kModule, engine), nullptr);
  }
  const fs::path entry = only_entry();
  SCOPED_TRACE("a flipped payload byte");
  expect_recompiled_after(cfg, entry, [](std::vector<uint8_t>& b) { b[b.size() / 2 + 70] ^= 0x40; });
  SCOPED_TRACE("truncated");
  expect_recompiled_after(cfg, entry, [](std::vector<uint8_t>& b) { b.resize(b.size() - 9); });
  SCOPED_TRACE("header only");
  expect_recompiled_after(cfg, entry, [](std::vector<uint8_t>& b) { b.resize(136); });
  SCOPED_TRACE("empty");
  expect_recompiled_after(cfg, entry, [](std::vector<uint8_t>& b) { b.clear(); });
  SCOPED_TRACE("bytes appended");
  expect_recompiled_after(cfg, entry, [](std::vector<uint8_t>& b) { b.push_back(0); });
  SCOPED_TRACE("bad magic");
  expect_recompiled_after(cfg, entry, [](std::vector<uint8_t>& b) { b[0] = 'X'; });
  SCOPED_TRACE("another format version");
  expect_recompiled_after(cfg, entry, [](std::vector<uint8_t>& b) { b[8] += 1; });
  SCOPED_TRACE("another target");
  expect_recompiled_after(cfg, entry, [](std::vector<uint8_t>& b) { b[16] ^= 1; });
  SCOPED_TRACE("another config digest");
  expect_recompiled_after(cfg, entry, [](std::vector<uint8_t>& b) { b[64] ^= 1; });
}

// An entry whose digest was made to match (as someone who can write the
// directory could) but whose description no longer fits the module: the
// payload reader's own checks refuse it.
TEST_F(CodeCacheTest, AConsistentlyForgedButUnfittingEntryIsRefused) {
  const EngineConfig cfg = config();
  {
    Engine engine(cfg);
    ASSERT_NE(compile(kModule, engine), nullptr);
  }
  auto reseal = [](std::vector<uint8_t>& b) {
    const uint64_t payload = b.size() - 136;
    std::memcpy(&b[96], &payload, sizeof payload);
    const cache::Digest digest = cache::sha256({std::span<const uint8_t>(b).subspan(136)});
    std::memcpy(&b[104], digest.data(), digest.size());
  };
  {
    // Resealing alone keeps the entry good: what follows is refused for
    // what it says, not for its digest.
    std::vector<uint8_t> bytes = read_file(only_entry());
    reseal(bytes);
    write_file(only_entry(), bytes);
    Engine engine(cfg);
    ASSERT_NE(compile(kModule, engine), nullptr);
    EXPECT_EQ(stats(engine).hits.load(), 1u);
  }
  SCOPED_TRACE("payload cut short");
  expect_recompiled_after(cfg, only_entry(), [&](std::vector<uint8_t>& b) {
    b.resize(b.size() - 4);
    reseal(b);
  });
  // The last side table's last u32 fields are max_control_depth,
  // max_stack_height, num_instrs; before them, the last basic block's
  // {offset, first_instr, fuel}: point its offset far outside the module.
  SCOPED_TRACE("a basic block outside its function");
  expect_recompiled_after(cfg, only_entry(), [&](std::vector<uint8_t>& b) {
    const uint32_t outside = 0x7fffffff;
    std::memcpy(&b[b.size() - 12 - 12], &outside, sizeof outside);
    reseal(b);
  });
}

// The payload reader on its own, behind no digest: every proper prefix
// of a real payload is refused, and every payload with one byte changed is
// refused or loads, never read out of bounds (the ASan build checks that).
TEST(CodeCachePayload, EveryPrefixIsRefusedAndNoFlipReadsOutOfBounds) {
  const std::vector<uint8_t> binary = binary_of(kModule);
  auto decoded = cache::decode_and_validate(binary, nullptr);
  ASSERT_TRUE(decoded.ok());
  std::vector<uint8_t> payload;
  cache::serialize_module_desc(decoded.value(), payload);
  auto loaded = cache::deserialize_module_desc(payload, binary);
  ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
  // The name maps are unordered: compared as maps, the rest as bytes.
  EXPECT_FALSE(loaded.value().names.functions.empty());
  EXPECT_EQ(loaded.value().names.functions, decoded.value().names.functions);
  EXPECT_EQ(loaded.value().names.locals, decoded.value().names.locals);
  ModuleDesc without_names = std::move(loaded).value();
  without_names.names = {};
  decoded.value().names = {};
  std::vector<uint8_t> original, again;
  cache::serialize_module_desc(decoded.value(), original);
  cache::serialize_module_desc(without_names, again);
  EXPECT_EQ(again, original) << "a description survives the round trip";
  for (size_t n = 0; n < payload.size(); ++n) {
    EXPECT_FALSE(cache::deserialize_module_desc(std::span(payload).first(n), binary).ok()) << n;
  }
  for (size_t i = 0; i < payload.size(); ++i) {
    for (uint8_t flip : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xff}}) {
      std::vector<uint8_t> damaged = payload;
      damaged[i] ^= flip;
      (void)cache::deserialize_module_desc(damaged, binary);
    }
  }
}

TEST_F(CodeCacheTest, AnEntryUnderAnotherModulesKeyIsRefused) {
  const EngineConfig cfg = config();
  const std::vector<int64_t> expected = expected_results(false);
  {
    Engine engine(cfg);
    ASSERT_NE(compile(kModule, engine), nullptr);
  }
  const fs::path module_entry = only_entry();
  {
    Engine engine(cfg);
    ASSERT_NE(compile(kOtherModule, engine), nullptr);
  }
  fs::path other_entry;
  for (const fs::path& p : entries()) {
    if (p != module_entry) other_entry = p;
  }
  ASSERT_FALSE(other_entry.empty());
  // kOtherModule's entry in kModule's place: its header's key differs.
  fs::copy_file(other_entry, module_entry, fs::copy_options::overwrite_existing);
  Engine engine(cfg);
  EXPECT_EQ(run_module(engine, compile(kModule, engine)), expected);
  EXPECT_EQ(stats(engine).rejected.load(), 1u);
  EXPECT_EQ(stats(engine).hits.load(), 0u);
}

TEST_F(CodeCacheTest, EveryConfigThatChangesCodeHasItsOwnEntry) {
  EngineConfig base = config();
  std::vector<EngineConfig> configs(5, base);
  configs[1].consume_fuel = !base.consume_fuel;
  configs[2].interruptible = !base.interruptible;
  configs[3].lazy_compilation = !base.lazy_compilation;
  configs[4].tier =
      test_tier() == ExecutionTier::Interpreter ? ExecutionTier::Auto : ExecutionTier::Interpreter;
  if (!Engine::jit_available() && test_tier() == ExecutionTier::Interpreter) configs.pop_back();
  for (const EngineConfig& cfg : configs) {
    Engine engine(cfg);
    EXPECT_EQ(run_module(engine, compile(kModule, engine)), expected_results(cfg.consume_fuel));
    EXPECT_EQ(stats(engine).misses.load(), 1u) << "no entry of another config is used";
    EXPECT_EQ(stats(engine).hits.load(), 0u);
  }
  EXPECT_EQ(entries().size(), configs.size());
  // And each is found again by its own config.
  for (const EngineConfig& cfg : configs) {
    Engine engine(cfg);
    ASSERT_NE(compile(kModule, engine), nullptr);
    EXPECT_EQ(stats(engine).hits.load(), 1u);
  }
}

TEST_F(CodeCacheTest, InvalidModulesAreNotStored) {
  Engine engine(config());
  const char* invalid = "(module (func (result i32) (i64.const 1)))";
  EXPECT_FALSE(
      engine.compile(std::span(reinterpret_cast<const uint8_t*>(invalid), std::strlen(invalid))).ok());
  EXPECT_TRUE(entries().empty());
}

TEST_F(CodeCacheTest, EnginesFillingOneCacheAtOnceAllSucceed) {
  const EngineConfig cfg = config();
  const std::vector<int64_t> expected = expected_results(false);
  const std::vector<uint8_t> binary = binary_of(kModule);
  constexpr int kThreads = 4;
  std::vector<std::vector<int64_t>> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round) {
        Engine engine(cfg);
        auto module = engine.compile(std::span<const uint8_t>(binary));
        if (!module.ok()) return;
        results[t] = run_module(engine, module.value());
        if (results[t] != expected) return;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const auto& r : results) EXPECT_EQ(r, expected);
  EXPECT_EQ(entries().size(), 1u);
  for (const auto& e : fs::directory_iterator(dir_)) {
    EXPECT_EQ(e.path().extension(), ".wrc") << "no temporary file is left: " << e.path();
  }
  Engine warm(cfg);
  ASSERT_NE(compile(kModule, warm), nullptr);
  EXPECT_EQ(stats(warm).hits.load(), 1u);
}

// The same with processes: wasm-run (through the emulator's wrapper in a
// cross build) four at a time on one fresh directory, a few rounds.
TEST_F(CodeCacheTest, ProcessesFillingOneCacheAtOnceAllSucceed) {
  const std::string wasm_run = WASMRT_WASM_RUN;
  const std::string hello = WASMRT_SOURCE_DIR "/examples/demo/hello.wat";
  const std::string cache_dir = dir_.string();
  for (int round = 0; round < 3; ++round) {
    fs::remove_all(dir_);
    std::vector<pid_t> children;
    for (int i = 0; i < 4; ++i) {
      std::vector<std::string> args{wasm_run, test_engine_option(), "--cache", cache_dir, hello};
      std::vector<char*> argv;
      for (std::string& arg : args) argv.push_back(arg.data());
      argv.push_back(nullptr);
      posix_spawn_file_actions_t actions;
      posix_spawn_file_actions_init(&actions);
      posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
      pid_t pid = -1;
      const int error = posix_spawn(&pid, wasm_run.c_str(), &actions, nullptr, argv.data(), environ);
      posix_spawn_file_actions_destroy(&actions);
      ASSERT_EQ(error, 0) << "posix_spawn " << wasm_run << ": " << std::strerror(error);
      children.push_back(pid);
    }
    for (pid_t pid : children) {
      int status = 0;
      ASSERT_EQ(waitpid(pid, &status, 0), pid);
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
    }
    ASSERT_EQ(entries().size(), 1u);
    for (const auto& e : fs::directory_iterator(dir_)) {
      EXPECT_EQ(e.path().extension(), ".wrc") << "no temporary file is left: " << e.path();
    }
  }
}

TEST_F(CodeCacheTest, EvictionRemovesTheLeastRecentlyUsedEntries) {
  EngineConfig cfg = config();
  std::vector<std::string> modules;
  for (int i = 0; i < 4; ++i) {
    modules.push_back("(module (func (export \"f\") (result i32) (i32.const " + std::to_string(i) + ")))");
  }
  auto compile_text = [&](const Engine& engine, const std::string& text) {
    return compile(text, engine) != nullptr;
  };
  {
    Engine engine(cfg);
    ASSERT_TRUE(compile_text(engine, modules[0]));
  }
  const uint64_t entry_bytes = fs::file_size(only_entry());
  // Room for three entries.
  cfg.cache_max_bytes = entry_bytes * 3 + entry_bytes / 2;
  auto age_all = [&](int seconds_ago) {
    for (const fs::path& p : entries()) {
      timespec times[2] = {{time(nullptr) - seconds_ago, 0}, {time(nullptr) - seconds_ago, 0}};
      ASSERT_EQ(utimensat(AT_FDCWD, p.c_str(), times, 0), 0);
    }
  };
  age_all(100);
  {
    Engine engine(cfg);
    ASSERT_TRUE(compile_text(engine, modules[1]));
    age_all(50);  // modules 0 and 1: equally old
    ASSERT_TRUE(compile_text(engine, modules[2]));
    ASSERT_TRUE(compile_text(engine, modules[0]));  // a hit: 0 is now recent
    EXPECT_EQ(stats(engine).hits.load(), 1u);
    ASSERT_TRUE(compile_text(engine, modules[3]));  // four entries: 1 goes
    EXPECT_EQ(stats(engine).evicted.load(), 1u);
  }
  EXPECT_EQ(entries().size(), 3u);
  Engine engine(cfg);
  for (int i : {0, 2, 3}) ASSERT_TRUE(compile_text(engine, modules[i]));
  EXPECT_EQ(stats(engine).hits.load(), 3u) << "the least recently used entry was the one removed";
  ASSERT_TRUE(compile_text(engine, modules[1]));
  EXPECT_EQ(stats(engine).misses.load(), 1u);
}

TEST_F(CodeCacheTest, AnUnwritableCacheOnlyCostsTheCache) {
  EngineConfig cfg = config();
  fs::create_directories(dir_);
  const fs::path file = dir_ / "not-a-directory";
  write_file(file, {1, 2, 3});
  cfg.cache_dir = file.string();
  Engine engine(cfg);
  EXPECT_EQ(run_module(engine, compile(kModule, engine)), expected_results(false));
  EXPECT_EQ(stats(engine).store_failures.load(), 1u);
}

TEST_F(CodeCacheTest, ForeignFilesInTheDirectoryAreLeftAlone) {
  fs::create_directories(dir_);
  write_file(dir_ / "notes.txt", {'h', 'i'});
  EngineConfig cfg = config();
  cfg.cache_max_bytes = 1;  // every entry is evicted at once
  Engine engine(cfg);
  ASSERT_NE(compile(kModule, engine), nullptr);
  EXPECT_TRUE(entries().empty());
  EXPECT_TRUE(fs::exists(dir_ / "notes.txt"));
}

}  // namespace
}  // namespace wasmrt
