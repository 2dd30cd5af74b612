// WASI core: Wasi::create, args/environ, clocks, random_get, proc_*,
// poll_oneoff and sock_*, driven from a WAT guest and checked byte for byte
// against the witx layouts.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tests/unit/test_tier.h"
#include "wasmrt/wasi.h"
#include "wasmrt/wasmrt.h"

namespace wasmrt {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// WASI errno values used below (typenames.witx).
constexpr int32_t kSuccess = 0, kBadf = 8, kFault = 21, kInval = 28, kNoSys = 52, kNotSock = 57, kNotSup = 58;

// Imports every core function and exports a wrapper per function, so each
// call comes from guest code (the host function sees the guest's memory).
constexpr std::string_view kGuest = R"((module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_res_get" (func $clock_res_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "proc_raise" (func $proc_raise (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "sched_yield" (func $sched_yield (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_accept" (func $sock_accept (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_recv" (func $sock_recv (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_send" (func $sock_send (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_shutdown" (func $sock_shutdown (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $after_exit (export "after_exit") (mut i32) (i32.const 0))
  (func (export "args_sizes_get") (param i32 i32) (result i32) (call $args_sizes_get (local.get 0) (local.get 1)))
  (func (export "args_get") (param i32 i32) (result i32) (call $args_get (local.get 0) (local.get 1)))
  (func (export "environ_sizes_get") (param i32 i32) (result i32) (call $environ_sizes_get (local.get 0) (local.get 1)))
  (func (export "environ_get") (param i32 i32) (result i32) (call $environ_get (local.get 0) (local.get 1)))
  (func (export "clock_res_get") (param i32 i32) (result i32) (call $clock_res_get (local.get 0) (local.get 1)))
  (func (export "clock_time_get") (param i32 i64 i32) (result i32)
    (call $clock_time_get (local.get 0) (local.get 1) (local.get 2)))
  (func (export "random_get") (param i32 i32) (result i32) (call $random_get (local.get 0) (local.get 1)))
  (func (export "exit_then_mark") (param i32)
    (call $proc_exit (local.get 0))
    (global.set $after_exit (i32.const 1)))
  (func (export "proc_raise") (param i32) (result i32) (call $proc_raise (local.get 0)))
  (func (export "sched_yield") (result i32) (call $sched_yield))
  (func (export "poll_oneoff") (param i32 i32 i32 i32) (result i32)
    (call $poll_oneoff (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "sock_accept") (param i32 i32 i32) (result i32)
    (call $sock_accept (local.get 0) (local.get 1) (local.get 2)))
  (func (export "sock_recv") (param i32 i32 i32 i32 i32 i32) (result i32)
    (call $sock_recv (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4) (local.get 5)))
  (func (export "sock_send") (param i32 i32 i32 i32 i32) (result i32)
    (call $sock_send (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)))
  (func (export "sock_shutdown") (param i32 i32) (result i32) (call $sock_shutdown (local.get 0) (local.get 1)))
))";

constexpr uint32_t kMemorySize = 65536;

class Guest {
 public:
  explicit Guest(WasiConfig config) {
    auto wasi = Wasi::create(std::move(config));
    if (!wasi.ok()) {
      ADD_FAILURE() << wasi.error().to_string();
      return;
    }
    wasi_ = *wasi;
    Linker linker;
    wasi_->define(linker);
    auto module = test_engine().compile(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(kGuest.data()), kGuest.size()));
    if (!module.ok()) {
      ADD_FAILURE() << module.error().to_string();
      return;
    }
    auto instance = linker.instantiate(store_, *module);
    if (!instance.ok()) {
      ADD_FAILURE() << instance.error().to_string();
      return;
    }
    instance_ = *instance;
    memory_ = *instance_.memory();
  }

  bool ready() const { return instance_.valid(); }
  Store& store() { return store_; }
  Wasi& wasi() { return *wasi_; }

  Result<std::vector<Value>> try_call(std::string_view name, std::initializer_list<Value> args) {
    return instance_.call(name, args);
  }
  // Calls a wrapper returning an errno.
  int32_t call(std::string_view name, std::initializer_list<Value> args) {
    auto result = instance_.call(name, args);
    if (!result.ok()) {
      ADD_FAILURE() << name << ": " << result.error().to_string();
      return -1;
    }
    return result.value().at(0).i32();
  }

  std::span<uint8_t> bytes() { return memory_.data(); }
  template <typename T>
  T load(uint32_t address) {
    T value{};
    std::memcpy(&value, bytes().data() + address, sizeof(T));
    return value;
  }
  template <typename T>
  void store(uint32_t address, T value) {
    std::memcpy(bytes().data() + address, &value, sizeof(T));
  }
  std::string string_at(uint32_t address, size_t length) {
    return std::string(reinterpret_cast<const char*>(bytes().data() + address), length);
  }

  // subscription (48 B): userdata @0, tag @8, clock {id @16, timeout @24,
  // precision @32, flags @40} or fd_readwrite {fd @16}.
  void clock_subscription(uint32_t address, uint64_t userdata, uint32_t clock_id, uint64_t timeout,
                          uint16_t flags = 0) {
    std::memset(bytes().data() + address, 0xEE, 48);  // padding must not matter
    store<uint64_t>(address, userdata);
    store<uint8_t>(address + 8, 0);
    store<uint32_t>(address + 16, clock_id);
    store<uint64_t>(address + 24, timeout);
    store<uint64_t>(address + 32, 1000);
    store<uint16_t>(address + 40, flags);
  }
  void fd_subscription(uint32_t address, uint64_t userdata, uint8_t type, uint32_t fd) {
    std::memset(bytes().data() + address, 0xEE, 48);
    store<uint64_t>(address, userdata);
    store<uint8_t>(address + 8, type);
    store<uint32_t>(address + 16, fd);
  }

  int32_t poll(uint32_t in, uint32_t out, uint32_t count, uint32_t nevents) {
    return call("poll_oneoff",
                {Value::i32(static_cast<int32_t>(in)), Value::i32(static_cast<int32_t>(out)),
                 Value::i32(static_cast<int32_t>(count)), Value::i32(static_cast<int32_t>(nevents))});
  }

 private:
  std::shared_ptr<Wasi> wasi_;
  Store store_;
  Instance instance_;
  Memory memory_;
};

Value i32(uint32_t v) {
  return Value::i32(static_cast<int32_t>(v));
}

// Event fields (32 B): userdata @0, error @8, type @10, nbytes @16, flags @24.
struct Event {
  uint64_t userdata;
  uint16_t error;
  uint8_t type;
  uint64_t nbytes;
  uint16_t flags;
};
Event event_at(Guest& guest, uint32_t address) {
  return {guest.load<uint64_t>(address), guest.load<uint16_t>(address + 8), guest.load<uint8_t>(address + 10),
          guest.load<uint64_t>(address + 16), guest.load<uint16_t>(address + 24)};
}

uint64_t host_clock_ns(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

int64_t elapsed_ms(steady_clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(steady_clock::now() - start).count();
}

// ---------------------------------------------------------------- create

TEST(WasiCreate, DefaultGrantsNothingAndHoldsNoHostFds) {
  auto wasi = Wasi::create({});
  ASSERT_TRUE(wasi.ok()) << wasi.error().to_string();
  EXPECT_EQ((*wasi)->open_host_fds(), 0u);
}

TEST(WasiCreate, InheritedStdioAndPreopensAreOwnedDuplicates) {
  WasiConfig config;
  config.stdin_stream = WasiStdio::inherit();
  config.stdout_stream = WasiStdio::inherit();
  config.stderr_stream = WasiStdio::inherit();
  config.dirs.push_back({"/tmp", "/tmp", false});
  config.dirs.push_back({".", "/", true});
  auto wasi = Wasi::create(config);
  ASSERT_TRUE(wasi.ok()) << wasi.error().to_string();
  EXPECT_EQ((*wasi)->open_host_fds(), 5u);
}

TEST(WasiCreate, MissingPreopenIsUnlinkableNamingThePath) {
  WasiConfig config;
  config.dirs.push_back({"/tmp", "/tmp", false});
  config.dirs.push_back({"/nonexistent/wasi-core-test", "/data", false});
  auto wasi = Wasi::create(config);
  ASSERT_FALSE(wasi.ok());
  EXPECT_EQ(wasi.error().phase, Phase::Unlinkable);
  EXPECT_NE(wasi.error().message.find("/nonexistent/wasi-core-test"), std::string::npos)
      << wasi.error().message;
}

TEST(WasiCreate, PreopenOfAFileIsRefused) {
  WasiConfig config;
  config.dirs.push_back({"/proc/self/exe", "/x", false});
  auto wasi = Wasi::create(config);
  ASSERT_FALSE(wasi.ok());
  EXPECT_EQ(wasi.error().phase, Phase::Unlinkable);
}

TEST(WasiCreate, BadHostFdIsRefused) {
  WasiConfig config;
  config.stdout_stream = WasiStdio::host_fd_of(987654);
  auto wasi = Wasi::create(config);
  ASSERT_FALSE(wasi.ok());
  EXPECT_EQ(wasi.error().phase, Phase::Unlinkable);
}

// ---------------------------------------------------------------- args, environ

TEST(WasiArgs, SizesAndBuffersWithNulTerminators) {
  WasiConfig config;
  config.args = {"prog", "a b", ""};
  Guest guest(config);
  ASSERT_TRUE(guest.ready());
  std::memset(guest.bytes().data(), 0xAA, 512);
  ASSERT_EQ(guest.call("args_sizes_get", {i32(0), i32(4)}), kSuccess);
  EXPECT_EQ(guest.load<uint32_t>(0), 3u);
  EXPECT_EQ(guest.load<uint32_t>(4), 10u);  // "prog\0" "a b\0" "\0"
  ASSERT_EQ(guest.call("args_get", {i32(100), i32(200)}), kSuccess);
  EXPECT_EQ(guest.load<uint32_t>(100), 200u);
  EXPECT_EQ(guest.load<uint32_t>(104), 205u);
  EXPECT_EQ(guest.load<uint32_t>(108), 209u);
  EXPECT_EQ(guest.string_at(200, 10), std::string("prog\0a b\0\0", 10));
  EXPECT_EQ(guest.load<uint8_t>(210), 0xAA);  // nothing past the buffer
  EXPECT_EQ(guest.load<uint8_t>(112), 0xAA);  // nothing past the pointers
}

TEST(WasiArgs, EmptyListsAreZeroSized) {
  Guest guest({});
  ASSERT_TRUE(guest.ready());
  guest.store<uint32_t>(0, 77);
  guest.store<uint32_t>(4, 77);
  ASSERT_EQ(guest.call("environ_sizes_get", {i32(0), i32(4)}), kSuccess);
  EXPECT_EQ(guest.load<uint32_t>(0), 0u);
  EXPECT_EQ(guest.load<uint32_t>(4), 0u);
  EXPECT_EQ(guest.call("environ_get", {i32(100), i32(200)}), kSuccess);
  EXPECT_EQ(guest.call("args_get", {i32(kMemorySize), i32(kMemorySize)}), kSuccess);  // zero bytes at the end
}

TEST(WasiArgs, BadPointersAreEfaultAndWriteNothing) {
  WasiConfig config;
  config.args = {"prog", "argument"};
  Guest guest(config);
  ASSERT_TRUE(guest.ready());
  std::memset(guest.bytes().data() + kMemorySize - 64, 0xAA, 64);
  EXPECT_EQ(guest.call("args_sizes_get", {i32(kMemorySize - 2), i32(0)}), kFault);
  EXPECT_EQ(guest.call("args_sizes_get", {i32(0), i32(0xFFFFFFFF)}), kFault);
  // Pointers fit, strings (14 bytes) do not.
  EXPECT_EQ(guest.call("args_get", {i32(kMemorySize - 64), i32(kMemorySize - 10)}), kFault);
  EXPECT_EQ(guest.call("args_get", {i32(kMemorySize - 4), i32(0)}), kFault);
  for (uint32_t i = kMemorySize - 64; i < kMemorySize; ++i) ASSERT_EQ(guest.load<uint8_t>(i), 0xAA) << i;
}

TEST(WasiEnviron, ExplicitThenInheritedExplicitWins) {
  ::setenv("WASI_CORE_TEST_SHARED", "from-host", 1);
  ::setenv("WASI_CORE_TEST_HOST_ONLY", "yes", 1);
  WasiConfig config;
  config.env = {"WASI_CORE_TEST_SHARED=explicit", "EMPTY="};
  config.inherit_env = true;
  Guest guest(config);
  ASSERT_TRUE(guest.ready());
  ASSERT_EQ(guest.call("environ_sizes_get", {i32(0), i32(4)}), kSuccess);
  const uint32_t count = guest.load<uint32_t>(0), size = guest.load<uint32_t>(4);
  ASSERT_GE(count, 3u);
  ASSERT_LT(1024 + count * 4, 4096u);
  ASSERT_LT(4096 + size, kMemorySize);
  ASSERT_EQ(guest.call("environ_get", {i32(1024), i32(4096)}), kSuccess);
  std::vector<std::string> entries;
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t p = guest.load<uint32_t>(1024 + 4 * i);
    ASSERT_GE(p, 4096u);
    ASSERT_LT(p, 4096 + size);
    entries.emplace_back(reinterpret_cast<const char*>(guest.bytes().data() + p));
  }
  EXPECT_EQ(entries[0], "WASI_CORE_TEST_SHARED=explicit");
  EXPECT_EQ(entries[1], "EMPTY=");
  int shared = 0, host_only = 0;
  for (const auto& e : entries) {
    shared += e.starts_with("WASI_CORE_TEST_SHARED=");
    host_only += e == "WASI_CORE_TEST_HOST_ONLY=yes";
  }
  EXPECT_EQ(shared, 1);
  EXPECT_EQ(host_only, 1);
  EXPECT_EQ(guest.load<uint8_t>(4096 + size - 1), 0);
}

TEST(WasiEnviron, NotInheritedByDefault) {
  ::setenv("WASI_CORE_TEST_HOST_ONLY", "yes", 1);
  WasiConfig config;
  config.env = {"A=1"};
  Guest guest(config);
  ASSERT_TRUE(guest.ready());
  ASSERT_EQ(guest.call("environ_sizes_get", {i32(0), i32(4)}), kSuccess);
  EXPECT_EQ(guest.load<uint32_t>(0), 1u);
  EXPECT_EQ(guest.load<uint32_t>(4), 4u);
  ASSERT_EQ(guest.call("environ_get", {i32(16), i32(32)}), kSuccess);
  EXPECT_EQ(guest.load<uint32_t>(16), 32u);
  EXPECT_EQ(guest.string_at(32, 4), std::string("A=1\0", 4));
}

// ---------------------------------------------------------------- clocks

TEST(WasiClock, RealtimeAndMonotonicFollowTheHost) {
  Guest guest({});
  ASSERT_TRUE(guest.ready());
  const uint64_t before = host_clock_ns(CLOCK_REALTIME);
  ASSERT_EQ(guest.call("clock_time_get", {i32(0), Value::i64(0), i32(8)}), kSuccess);
  const uint64_t after = host_clock_ns(CLOCK_REALTIME);
  EXPECT_GE(guest.load<uint64_t>(8), before);
  EXPECT_LE(guest.load<uint64_t>(8), after);

  ASSERT_EQ(guest.call("clock_time_get", {i32(1), Value::i64(1000), i32(16)}), kSuccess);
  ASSERT_EQ(guest.call("clock_time_get", {i32(1), Value::i64(1), i32(24)}), kSuccess);
  EXPECT_GT(guest.load<uint64_t>(16), 0u);
  EXPECT_GE(guest.load<uint64_t>(24), guest.load<uint64_t>(16));
  EXPECT_EQ(guest.call("clock_time_get", {i32(2), Value::i64(0), i32(32)}), kSuccess);
  EXPECT_EQ(guest.call("clock_time_get", {i32(3), Value::i64(0), i32(32)}), kSuccess);
}

TEST(WasiClock, InvalidIdIsEinvalAndBadPointerEfault) {
  Guest guest({});
  ASSERT_TRUE(guest.ready());
  guest.store<uint64_t>(8, 1234);
  EXPECT_EQ(guest.call("clock_time_get", {i32(4), Value::i64(0), i32(8)}), kInval);
  EXPECT_EQ(guest.call("clock_time_get", {i32(0xFFFFFFFF), Value::i64(0), i32(8)}), kInval);
  EXPECT_EQ(guest.load<uint64_t>(8), 1234u);
  EXPECT_EQ(guest.call("clock_time_get", {i32(0), Value::i64(0), i32(kMemorySize - 7)}), kFault);
  EXPECT_EQ(guest.call("clock_res_get", {i32(7), i32(8)}), kInval);
  EXPECT_EQ(guest.call("clock_res_get", {i32(1), i32(kMemorySize)}), kFault);
}

TEST(WasiClock, Resolution) {
  Guest guest({});
  ASSERT_TRUE(guest.ready());
  for (uint32_t id = 0; id < 4; ++id) {
    ASSERT_EQ(guest.call("clock_res_get", {i32(id), i32(8)}), kSuccess);
    EXPECT_GT(guest.load<uint64_t>(8), 0u);
    EXPECT_LE(guest.load<uint64_t>(8), 1'000'000u);
  }
}

TEST(WasiClock, DeterministicClocksStartAtTheEpochAndTick) {
  WasiConfig config;
  config.deterministic_clocks = true;
  config.deterministic_epoch_ns = 5'000'000'000;
  Guest guest(config);
  ASSERT_TRUE(guest.ready());
  ASSERT_EQ(guest.call("clock_time_get", {i32(0), Value::i64(0), i32(8)}), kSuccess);
  ASSERT_EQ(guest.call("clock_time_get", {i32(0), Value::i64(0), i32(16)}), kSuccess);
  EXPECT_EQ(guest.load<uint64_t>(8), 5'000'000'000u);
  EXPECT_EQ(guest.load<uint64_t>(16), 5'000'001'000u);
  ASSERT_EQ(guest.call("clock_time_get", {i32(1), Value::i64(0), i32(24)}), kSuccess);
  EXPECT_GT(guest.load<uint64_t>(24), 0u);  // Go refuses a monotonic clock at 0
  ASSERT_EQ(guest.call("clock_res_get", {i32(1), i32(32)}), kSuccess);
  EXPECT_EQ(guest.load<uint64_t>(32), 1000u);

  // A second guest with the same configuration reads the same values.
  Guest twin(config);
  ASSERT_TRUE(twin.ready());
  ASSERT_EQ(twin.call("clock_time_get", {i32(0), Value::i64(0), i32(8)}), kSuccess);
  EXPECT_EQ(twin.load<uint64_t>(8), 5'000'000'000u);
}

// ---------------------------------------------------------------- random

TEST(WasiRandom, FillsExactlyTheBuffer) {
  Guest guest({});
  ASSERT_TRUE(guest.ready());
  std::memset(guest.bytes().data(), 0, 256);
  ASSERT_EQ(guest.call("random_get", {i32(100), i32(64)}), kSuccess);
  const std::string first = guest.string_at(100, 64);
  EXPECT_NE(first, std::string(64, '\0'));
  EXPECT_EQ(guest.load<uint8_t>(99), 0);
  EXPECT_EQ(guest.load<uint8_t>(164), 0);
  ASSERT_EQ(guest.call("random_get", {i32(100), i32(64)}), kSuccess);
  EXPECT_NE(guest.string_at(100, 64), first);
  EXPECT_EQ(guest.call("random_get", {i32(kMemorySize), i32(0)}), kSuccess);
  EXPECT_EQ(guest.call("random_get", {i32(kMemorySize - 8), i32(9)}), kFault);
  EXPECT_EQ(guest.call("random_get", {i32(0xFFFFFFF0), i32(0x20)}), kFault);
}

TEST(WasiRandom, SeededIsReproducible) {
  WasiConfig config;
  config.random_seed = 42;
  Guest a(config), b(config);
  config.random_seed = 43;
  Guest c(config);
  ASSERT_TRUE(a.ready() && b.ready() && c.ready());
  for (Guest* g : {&a, &b, &c}) {
    ASSERT_EQ(g->call("random_get", {i32(0), i32(13)}), kSuccess);  // odd length: partial last word
    ASSERT_EQ(g->call("random_get", {i32(100), i32(100)}), kSuccess);
  }
  EXPECT_EQ(a.string_at(0, 13), b.string_at(0, 13));
  EXPECT_EQ(a.string_at(100, 100), b.string_at(100, 100));
  EXPECT_NE(a.string_at(100, 100), c.string_at(100, 100));
  EXPECT_EQ(a.load<uint8_t>(13), 0);
}

// ---------------------------------------------------------------- proc

TEST(WasiProc, ExitEndsTheCallWithItsCode) {
  for (int32_t code : {0, 7, 255}) {
    Guest guest({});
    ASSERT_TRUE(guest.ready());
    auto result = guest.try_call("exit_then_mark", {Value::i32(code)});
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().phase, Phase::Exit);
    EXPECT_EQ(result.error().exit_code, code);
  }
}

TEST(WasiProc, ExitSkipsTheRestOfTheGuest) {
  WasiConfig config;
  auto wasi = Wasi::create(config);
  ASSERT_TRUE(wasi.ok());
  Linker linker;
  (*wasi)->define(linker);
  Store store;
  auto module = test_engine().compile(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(kGuest.data()), kGuest.size()));
  ASSERT_TRUE(module.ok());
  auto instance = linker.instantiate(store, *module);
  ASSERT_TRUE(instance.ok());
  auto result = instance->call("exit_then_mark", {Value::i32(9)});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().phase, Phase::Exit);
  EXPECT_EQ(result.error().exit_code, 9);
  EXPECT_EQ(instance->global("after_exit")->get().i32(), 0);
}

TEST(WasiProc, RaiseIsUnsupportedAndYieldSucceeds) {
  Guest guest({});
  ASSERT_TRUE(guest.ready());
  EXPECT_EQ(guest.call("proc_raise", {i32(2)}), kNoSys);
  EXPECT_EQ(guest.call("proc_raise", {i32(99)}), kInval);
  EXPECT_EQ(guest.call("sched_yield", {}), kSuccess);
}

// ---------------------------------------------------------------- poll_oneoff

TEST(WasiPoll, RelativeSleepWaitsAtLeastTheTimeout) {
  Guest guest({});
  ASSERT_TRUE(guest.ready());
  guest.clock_subscription(0, 0x1122334455667788ull, 1, 20'000'000);
  std::memset(guest.bytes().data() + 1000, 0xCC, 64);
  const auto start = steady_clock::now();
  ASSERT_EQ(guest.poll(0, 1000, 1, 2000), kSuccess);
  EXPECT_GE(steady_clock::now() - start, milliseconds(20));
  ASSERT_EQ(guest.load<uint32_t>(2000), 1u);
  Event e = event_at(guest, 1000);
  EXPECT_EQ(e.userdata, 0x1122334455667788ull);
  EXPECT_EQ(e.error, kSuccess);
  EXPECT_EQ(e.type, 0);
  EXPECT_EQ(e.nbytes, 0u);
  EXPECT_EQ(e.flags, 0);
  EXPECT_EQ(guest.load<uint8_t>(1000 + 32), 0xCC);  // one event, 32 bytes
}

TEST(WasiPoll, RealtimeRelativeSleep) {
  Guest guest({});
  ASSERT_TRUE(guest.ready());
  guest.clock_subscription(0, 1, 0, 20'000'000);
  const auto start = steady_clock::now();
  ASSERT_EQ(guest.poll(0, 1000, 1, 2000), kSuccess);
  EXPECT_GE(steady_clock::now() - start, milliseconds(20));
  EXPECT_EQ(guest.load<uint32_t>(2000), 1u);
}

TEST(WasiPoll, AbsoluteDeadlines) {
  Guest guest({});
  ASSERT_TRUE(guest.ready());
  for (uint32_t clock : {0u, 1u}) {
    const uint64_t deadline = host_clock_ns(clock == 0 ? CLOCK_REALTIME : CLOCK_MONOTONIC) + 30'000'000;
    guest.clock_subscription(0, 5, clock, deadline, /*abstime=*/1);
    const auto start = steady_clock::now();
    ASSERT_EQ(guest.poll(0, 1000, 1, 2000), kSuccess);
    EXPECT_GE(elapsed_ms(start), 25) << "clock " << clock;
    EXPECT_GE(host_clock_ns(clock == 0 ? CLOCK_REALTIME : CLOCK_MONOTONIC), deadline);
    EXPECT_EQ(guest.load<uint32_t>(2000), 1u);
    EXPECT_EQ(event_at(guest, 1000).userdata, 5u);
  }
  // A deadline in the past fires at once.
  guest.clock_subscription(0, 6, 1, 1, /*abstime=*/1);
  const auto start = steady_clock::now();
  ASSERT_EQ(guest.poll(0, 1000, 1, 2000), kSuccess);
  EXPECT_LT(elapsed_ms(start), 500);
  EXPECT_EQ(guest.load<uint32_t>(2000), 1u);
}

TEST(WasiPoll, TimeoutZeroReturnsAtOnce) {
  Guest guest({});
  ASSERT_TRUE(guest.ready());
  guest.clock_subscription(0, 9, 1, 0);
  const auto start = steady_clock::now();
  ASSERT_EQ(guest.poll(0, 1000, 1, 2000), kSuccess);
  EXPECT_LT(elapsed_ms(start), 500);
  EXPECT_EQ(guest.load<uint32_t>(2000), 1u);
  EXPECT_EQ(event_at(guest, 1000).userdata, 9u);
}

TEST(WasiPoll, BufferStdinIsReadableAtOnce) {
  WasiConfig config;
  config.stdin_stream = WasiStdio::memory(std::make_shared<std::string>("hello"));
  Guest guest(config);
  ASSERT_TRUE(guest.ready());
  guest.clock_subscription(0, 1, 1, 10'000'000'000);
  guest.fd_subscription(48, 2, /*fd_read=*/1, 0);
  const auto start = steady_clock::now();
  ASSERT_EQ(guest.poll(0, 1000, 2, 2000), kSuccess);
  EXPECT_LT(elapsed_ms(start), 1000);
  ASSERT_EQ(guest.load<uint32_t>(2000), 1u);
  Event e = event_at(guest, 1000);
  EXPECT_EQ(e.userdata, 2u);
  EXPECT_EQ(e.error, kSuccess);
  EXPECT_EQ(e.type, 1);
  EXPECT_EQ(e.nbytes, 5u);
  EXPECT_EQ(e.flags, 0);
}

TEST(WasiPoll, SeveralSubscriptionsAndPerSubscriptionErrors) {
  WasiConfig config;
  config.stdout_stream = WasiStdio::memory(std::make_shared<std::string>());
  Guest guest(config);
  ASSERT_TRUE(guest.ready());
  guest.clock_subscription(0, 10, 1, 0);
  guest.fd_subscription(48, 11, /*fd_write=*/2, 1);
  guest.fd_subscription(96, 12, /*fd_read=*/1, 99);      // no such fd
  guest.clock_subscription(144, 13, 1, 60'000'000'000);  // far away: not fired
  ASSERT_EQ(guest.poll(0, 1000, 4, 2000), kSuccess);
  ASSERT_EQ(guest.load<uint32_t>(2000), 3u);
  Event clock = event_at(guest, 1000), write = event_at(guest, 1032), bad = event_at(guest, 1064);
  EXPECT_EQ(clock.userdata, 10u);
  EXPECT_EQ(clock.type, 0);
  EXPECT_EQ(write.userdata, 11u);
  EXPECT_EQ(write.type, 2);
  EXPECT_EQ(write.error, kSuccess);
  EXPECT_EQ(bad.userdata, 12u);
  EXPECT_EQ(bad.type, 1);
  EXPECT_EQ(bad.error, kBadf);
}

TEST(WasiPoll, FdOnlySubscriptionOnABadFdReturnsAnEvent) {
  Guest guest({});
  ASSERT_TRUE(guest.ready());
  guest.fd_subscription(0, 77, 1, 12345);
  ASSERT_EQ(guest.poll(0, 1000, 1, 2000), kSuccess);
  ASSERT_EQ(guest.load<uint32_t>(2000), 1u);
  EXPECT_EQ(event_at(guest, 1000).error, kBadf);
}

TEST(WasiPoll, HostPipeBecomesReadableAndReportsHangup) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  WasiConfig config;
  config.stdin_stream = WasiStdio::host_fd_of(fds[0]);
  Guest guest(config);
  ::close(fds[0]);
  ASSERT_TRUE(guest.ready());
  guest.fd_subscription(0, 3, 1, 0);
  guest.clock_subscription(48, 4, 1, 5'000'000'000);
  std::thread writer([&] {
    std::this_thread::sleep_for(milliseconds(30));
    ASSERT_EQ(::write(fds[1], "xyz", 3), 3);
  });
  const auto start = steady_clock::now();
  ASSERT_EQ(guest.poll(0, 1000, 2, 2000), kSuccess);
  writer.join();
  EXPECT_LT(elapsed_ms(start), 2000);
  ASSERT_EQ(guest.load<uint32_t>(2000), 1u);
  Event e = event_at(guest, 1000);
  EXPECT_EQ(e.userdata, 3u);
  EXPECT_EQ(e.type, 1);
  EXPECT_EQ(e.nbytes, 3u);
  EXPECT_EQ(e.flags, 0);

  ::close(fds[1]);
  ASSERT_EQ(guest.poll(0, 1000, 2, 2000), kSuccess);
  ASSERT_EQ(guest.load<uint32_t>(2000), 1u);
  EXPECT_EQ(event_at(guest, 1000).flags, 1);  // hangup
}

TEST(WasiPoll, ZeroSubscriptionsIsEinval) {
  Guest guest({});
  ASSERT_TRUE(guest.ready());
  EXPECT_EQ(guest.poll(0, 1000, 0, 2000), kInval);
}

TEST(WasiPoll, UnknownTagIsEinval) {
  Guest guest({});
  ASSERT_TRUE(guest.ready());
  guest.fd_subscription(0, 1, 3, 0);
  EXPECT_EQ(guest.poll(0, 1000, 1, 2000), kInval);
}

TEST(WasiPoll, OutOfBoundsPointersAreEfaultNotTraps) {
  Guest guest({});
  ASSERT_TRUE(guest.ready());
  guest.clock_subscription(0, 1, 1, 0);
  EXPECT_EQ(guest.poll(kMemorySize - 40, 1000, 1, 2000), kFault);
  EXPECT_EQ(guest.poll(0, kMemorySize - 31, 1, 2000), kFault);
  EXPECT_EQ(guest.poll(0, 1000, 1, kMemorySize - 3), kFault);
  EXPECT_EQ(guest.poll(0, 1000, 0x10000000, 2000), kFault);  // 48 * n past memory
  EXPECT_EQ(guest.poll(0xFFFFFFF0, 1000, 1, 2000), kFault);
}

TEST(WasiPoll, DeterministicClocksAdvanceInsteadOfSleeping) {
  WasiConfig config;
  config.deterministic_clocks = true;
  Guest guest(config);
  ASSERT_TRUE(guest.ready());
  ASSERT_EQ(guest.call("clock_time_get", {i32(1), Value::i64(0), i32(3000)}), kSuccess);
  guest.clock_subscription(0, 1, 1, 5'000'000'000);
  const auto start = steady_clock::now();
  ASSERT_EQ(guest.poll(0, 1000, 1, 2000), kSuccess);
  EXPECT_LT(elapsed_ms(start), 1000);
  EXPECT_EQ(guest.load<uint32_t>(2000), 1u);
  ASSERT_EQ(guest.call("clock_time_get", {i32(1), Value::i64(0), i32(3008)}), kSuccess);
  EXPECT_GE(guest.load<uint64_t>(3008) - guest.load<uint64_t>(3000), 5'000'000'000u);
}

// Interrupts `guest`'s store from another thread after `delay`.
Result<std::vector<Value>> poll_interrupted(Guest& guest, uint32_t count, milliseconds delay,
                                            int64_t& took_ms) {
  InterruptHandle handle = guest.store().interrupt_handle();
  std::thread interrupter([handle, delay] {
    std::this_thread::sleep_for(delay);
    handle.interrupt();
  });
  const auto start = steady_clock::now();
  auto result = guest.try_call("poll_oneoff", {i32(0), i32(1000), i32(count), i32(2000)});
  took_ms = elapsed_ms(start);
  interrupter.join();
  return result;
}

TEST(WasiPoll, LongClockWaitWakesOnInterrupt) {
  Guest guest({});
  ASSERT_TRUE(guest.ready());
  guest.clock_subscription(0, 1, 1, 10'000'000'000);
  int64_t took_ms = 0;
  auto result = poll_interrupted(guest, 1, milliseconds(100), took_ms);
  ASSERT_FALSE(result.ok());
  ASSERT_EQ(result.error().phase, Phase::Trap);
  ASSERT_TRUE(result.error().trap);
  EXPECT_EQ(result.error().trap->kind, TrapKind::Interrupted);
  EXPECT_LT(took_ms, 1000);
  // The interrupt was consumed: the next call runs normally.
  guest.clock_subscription(0, 1, 1, 0);
  EXPECT_EQ(guest.poll(0, 1000, 1, 2000), kSuccess);
}

TEST(WasiPoll, LongFdWaitWakesOnInterrupt) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  WasiConfig config;
  config.stdin_stream = WasiStdio::host_fd_of(fds[0]);
  Guest guest(config);
  ASSERT_TRUE(guest.ready());
  guest.fd_subscription(0, 1, 1, 0);                   // never written
  guest.clock_subscription(48, 2, 1, 10'000'000'000);  // 10 s
  int64_t took_ms = 0;
  auto result = poll_interrupted(guest, 2, milliseconds(100), took_ms);
  ::close(fds[0]);
  ::close(fds[1]);
  ASSERT_FALSE(result.ok());
  ASSERT_TRUE(result.error().trap);
  EXPECT_EQ(result.error().trap->kind, TrapKind::Interrupted);
  EXPECT_LT(took_ms, 1000);
}

TEST(WasiPoll, DeadlineWakesALongWait) {
  Guest guest({});
  ASSERT_TRUE(guest.ready());
  guest.store().set_timeout(milliseconds(100));
  guest.clock_subscription(0, 1, 1, 10'000'000'000);
  const auto start = steady_clock::now();
  auto result = guest.try_call("poll_oneoff", {i32(0), i32(1000), i32(1), i32(2000)});
  ASSERT_FALSE(result.ok());
  ASSERT_TRUE(result.error().trap);
  EXPECT_EQ(result.error().trap->kind, TrapKind::DeadlineExceeded);
  EXPECT_LT(elapsed_ms(start), 1000);
}

// ---------------------------------------------------------------- sockets

TEST(WasiSock, NoSocketsAreGranted) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  WasiConfig config;
  config.stdout_stream = WasiStdio::host_fd_of(fds[1]);
  Guest guest(config);
  ::close(fds[0]);
  ::close(fds[1]);
  ASSERT_TRUE(guest.ready());
  for (uint32_t fd : {0u, 1u}) {  // a null stream, a host pipe
    EXPECT_EQ(guest.call("sock_accept", {i32(fd), i32(0), i32(0)}), kNotSock);
    EXPECT_EQ(guest.call("sock_recv", {i32(fd), i32(0), i32(0), i32(0), i32(8), i32(12)}), kNotSock);
    EXPECT_EQ(guest.call("sock_send", {i32(fd), i32(0), i32(0), i32(0), i32(8)}), kNotSock);
    EXPECT_EQ(guest.call("sock_shutdown", {i32(fd), i32(2)}), kNotSock);
  }
  EXPECT_EQ(guest.call("sock_accept", {i32(42), i32(0), i32(0)}), kBadf);
  EXPECT_EQ(guest.call("sock_recv", {i32(42), i32(0), i32(0), i32(0), i32(8), i32(12)}), kBadf);
  EXPECT_EQ(guest.call("sock_send", {i32(42), i32(0), i32(0), i32(0), i32(8)}), kBadf);
  EXPECT_EQ(guest.call("sock_shutdown", {i32(42), i32(2)}), kBadf);
}

TEST(WasiSock, AHostSocketAsStdioIsNotUsableAsASocket) {
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
  WasiConfig config;
  config.stdin_stream = WasiStdio::host_fd_of(pair[0]);
  Guest guest(config);
  ::close(pair[0]);
  ::close(pair[1]);
  ASSERT_TRUE(guest.ready());
  EXPECT_EQ(guest.call("sock_accept", {i32(0), i32(0), i32(0)}), kNotSup);
  EXPECT_EQ(guest.call("sock_shutdown", {i32(0), i32(2)}), kNotSup);
}

}  // namespace
}  // namespace wasmrt
