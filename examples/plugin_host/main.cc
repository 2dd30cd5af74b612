// A plugin host: a Go WASI reactor (tests/go/reactor, built with
// GOOS=wasip1 go build -buildmode=c-shared) is compiled once, then every
// "request" gets a fresh Store with its own WASI state, fuel budget and
// timeout, instantiates the plugin (Linker::instantiate runs the
// reactor's _initialize), calls its exports and checks the answers.
// Nothing leaks from one request to the next: each starts from the
// module's initial state.
//
//   plugin_host REACTOR.wasm [REQUESTS] [interp|jit|optimizing]
//
// The string/buffer convention between host and guest is described in
// docs/go-reactors.md. Exit status 0 when every request answered right.
//
// Build against an installed wasmrt with:
//   find_package(wasmrt REQUIRED)
//   target_link_libraries(app PRIVATE wasmrt::wasmrt)
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "wasmrt/wasi.h"
#include "wasmrt/wasmrt.h"

namespace {

// Per-request limits: generous for the work below (Go's runtime start-up
// is most of it), far below what a runaway plugin would use.
constexpr uint64_t kFuelPerRequest = 50'000'000;
constexpr auto kTimeoutPerRequest = std::chrono::seconds(20);

struct Request {
  int id = 0;
  std::string log;  // what the plugin sent through env.log
  std::vector<std::string> failures;

  void fail(std::string what) { failures.push_back(std::move(what)); }
};

std::optional<std::vector<uint8_t>> read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Calls `name` and returns its single result, recording any failure.
std::optional<wasmrt::Value> call1(Request& request, const wasmrt::Instance& instance, std::string_view name,
                                   std::initializer_list<wasmrt::Value> args) {
  auto result = instance.call(name, args);
  if (!result.ok()) {
    request.fail(std::string(name) + ": " + result.error().to_string());
    return std::nullopt;
  }
  if (result->size() != 1) {
    request.fail(std::string(name) + ": expected one result");
    return std::nullopt;
  }
  return result->front();
}

// Places `bytes` in guest memory through the plugin's alloc export.
std::optional<uint32_t> put_bytes(Request& request, const wasmrt::Instance& instance,
                                  std::string_view bytes) {
  auto address = call1(request, instance, "alloc", {wasmrt::Value::i32(static_cast<int32_t>(bytes.size()))});
  if (!address) return std::nullopt;
  auto memory = instance.memory();
  uint32_t at = static_cast<uint32_t>(address->i32());
  auto span = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  if (!memory || !memory->write(at, span).ok()) {
    request.fail("alloc returned an address outside memory");
    return std::nullopt;
  }
  return at;
}

// Reads a packed (ptr << 32 | len) result and frees it.
std::optional<std::string> take_packed(Request& request, const wasmrt::Instance& instance, uint64_t packed) {
  uint32_t at = static_cast<uint32_t>(packed >> 32);
  uint32_t length = static_cast<uint32_t>(packed);
  std::string out(length, '\0');
  auto memory = instance.memory();
  if (!memory || !memory->read(at, std::span<uint8_t>(reinterpret_cast<uint8_t*>(out.data()), length)).ok()) {
    request.fail("packed result outside memory");
    return std::nullopt;
  }
  auto freed = call1(request, instance, "free", {wasmrt::Value::i32(static_cast<int32_t>(at))});
  if (freed && freed->i32() != 1) request.fail("free(result) did not find the buffer");
  return out;
}

template <typename T>
void expect_eq(Request& request, const char* what, T actual, T expected) {
  if (!(actual == expected)) {
    request.fail(std::string(what) + ": got " + std::to_string(actual) + ", expected " +
                 std::to_string(expected));
  }
}

void run_request(Request& request, const wasmrt::Engine& engine,
                 const std::shared_ptr<const wasmrt::Module>& plugin, uint64_t& fuel_used) {
  using wasmrt::Value;
  wasmrt::Store store(engine);
  if (!store.set_fuel(kFuelPerRequest).ok()) return request.fail("set_fuel refused");
  store.set_timeout(kTimeoutPerRequest);

  // Each request's plugin sees only its own arguments and output buffers:
  // no directories, no host environment.
  wasmrt::WasiConfig config;
  config.args = {"plugin", "request-" + std::to_string(request.id)};
  auto plugin_stdout = std::make_shared<std::string>();
  config.stdout_stream = wasmrt::WasiStdio::memory(plugin_stdout);
  config.stderr_stream = wasmrt::WasiStdio::memory(plugin_stdout);
  auto wasi = wasmrt::Wasi::create(std::move(config));
  if (!wasi.ok()) return request.fail("Wasi::create: " + wasi.error().to_string());

  wasmrt::Linker linker;
  (*wasi)->define(linker);
  linker.define("env", "log", [&request](wasmrt::HostContext& ctx, uint32_t ptr, uint32_t len) {
    std::string message(len, '\0');
    if (!ctx.read(ptr, std::span<uint8_t>(reinterpret_cast<uint8_t*>(message.data()), len))) {
      ctx.trap("env.log: message outside memory");
      return;
    }
    request.log += message + "\n";
  });
  // Host -> guest re-entry: the plugin is inside via_host when it calls
  // this, and we call its square export on the same instance.
  linker.define("env", "callback", [](wasmrt::HostContext& ctx, int32_t x) -> int32_t {
    auto square = ctx.caller_func("square");
    if (!square) {
      ctx.trap("env.callback: the caller exports no square");
      return 0;
    }
    auto result = square->call({wasmrt::Value::i32(x)});
    if (!result.ok()) {
      ctx.trap("env.callback: square: " + result.error().to_string());
      return 0;
    }
    return result->front().i32() + 1;
  });

  auto instance = linker.instantiate(store, plugin);  // runs _initialize
  if (!instance.ok()) return request.fail("instantiate: " + instance.error().to_string());

  int32_t n = request.id;
  if (auto v = call1(request, *instance, "add_i32", {Value::i32(n), Value::i32(-1000)}))
    expect_eq(request, "add_i32", v->i32(), n - 1000);
  if (auto v = call1(request, *instance, "mul_i64", {Value::i64(int64_t{1} << 40), Value::i64(n + 3)}))
    expect_eq(request, "mul_i64", v->i64(), (int64_t{1} << 40) * (n + 3));
  if (auto v = call1(request, *instance, "scale_f32", {Value::f32(1.5f), Value::f32(static_cast<float>(n))}))
    expect_eq(request, "scale_f32", v->f32(), 1.5f * static_cast<float>(n));
  if (auto v = call1(request, *instance, "hypot_f64", {Value::f64(3.0 * n), Value::f64(4.0 * n)}))
    expect_eq(request, "hypot_f64", v->f64(), 5.0 * n);

  // Per-instance state starts fresh in every request.
  if (auto v = call1(request, *instance, "next", {})) expect_eq(request, "next (first)", v->i32(), 1);
  if (auto v = call1(request, *instance, "next", {})) expect_eq(request, "next (second)", v->i32(), 2);

  // A string in, a string out, both through guest memory.
  std::string input = "hello plugin " + std::to_string(n);
  if (auto at = put_bytes(request, *instance, input)) {
    auto packed =
        call1(request, *instance, "shout",
              {Value::i32(static_cast<int32_t>(*at)), Value::i32(static_cast<int32_t>(input.size()))});
    if (packed) {
      auto text = take_packed(request, *instance, static_cast<uint64_t>(packed->i64()));
      if (text && *text != "HELLO PLUGIN " + std::to_string(n) + "!")
        request.fail("shout returned '" + *text + "'");
    }
    if (auto words =
            call1(request, *instance, "word_count",
                  {Value::i32(static_cast<int32_t>(*at)), Value::i32(static_cast<int32_t>(input.size()))}))
      expect_eq(request, "word_count", words->i32(), 3);
    if (auto freed = call1(request, *instance, "free", {Value::i32(static_cast<int32_t>(*at))}))
      expect_eq(request, "free(input)", freed->i32(), 1);
  }
  if (request.log != "shout: " + input + "\n") request.fail("env.log received '" + request.log + "'");

  // via_host(x) = 2 * (square(x) + 1), square running re-entrantly.
  if (auto v = call1(request, *instance, "via_host", {Value::i32(n)}))
    expect_eq(request, "via_host", v->i32(), 2 * (n * n + 1));

  if (auto v = call1(request, *instance, "live", {})) expect_eq(request, "live buffers", v->i32(), 0);
  if (!plugin_stdout->empty()) request.fail("plugin wrote to stdout/stderr: " + *plugin_stdout);
  fuel_used = kFuelPerRequest - store.fuel().value_or(0);
}

// A request whose plugin runs away: its fuel runs out, the call ends with
// OutOfFuel, and the host carries on.
bool runaway_request_is_stopped(const wasmrt::Engine& engine,
                                const std::shared_ptr<const wasmrt::Module>& plugin) {
  wasmrt::Store store(engine);
  if (!store.set_fuel(kFuelPerRequest).ok()) return false;
  store.set_timeout(kTimeoutPerRequest);
  auto wasi = wasmrt::Wasi::create({});
  if (!wasi.ok()) return false;
  wasmrt::Linker linker;
  (*wasi)->define(linker);
  linker.define("env", "log", [](wasmrt::HostContext&, uint32_t, uint32_t) {});
  linker.define("env", "callback", [](wasmrt::HostContext&, int32_t) -> int32_t { return 0; });
  auto instance = linker.instantiate(store, plugin);
  if (!instance.ok()) return false;
  auto result = instance->call("spin", {wasmrt::Value::i64(int64_t{1} << 50)});
  if (result.ok() || !result.error().trap || result.error().trap->kind != wasmrt::TrapKind::OutOfFuel) {
    std::fprintf(stderr, "plugin host: spin was not stopped by fuel: %s\n",
                 result.ok() ? "it returned" : result.error().to_string().c_str());
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: plugin_host REACTOR.wasm [REQUESTS] [interp|jit|optimizing]\n");
    return 2;
  }
  int requests = argc > 2 ? std::atoi(argv[2]) : 100;
  auto bytes = read_file(argv[1]);
  if (!bytes) {
    std::fprintf(stderr, "plugin host: cannot read %s\n", argv[1]);
    return 1;
  }

  wasmrt::EngineConfig engine_config;
  engine_config.consume_fuel = true;
  // The plugin's tier: the interpreter, or machine code (same results and
  // fuel, docs/jit.md).
  if (argc > 3 && std::string_view(argv[3]) == "jit") engine_config.tier = wasmrt::ExecutionTier::Jit;
  if (argc > 3 && std::string_view(argv[3]) == "optimizing") engine_config.tier = wasmrt::ExecutionTier::Optimizing;
  wasmrt::Engine engine(engine_config);
  auto start = std::chrono::steady_clock::now();
  auto plugin = engine.compile(*bytes);  // once, shared by every request
  if (!plugin.ok()) {
    std::fprintf(stderr, "plugin host: compile: %s\n", plugin.error().to_string().c_str());
    return 1;
  }
  auto compiled = std::chrono::steady_clock::now();

  int failed = 0;
  uint64_t total_fuel = 0;
  for (int id = 1; id <= requests; ++id) {
    Request request;
    request.id = id;
    uint64_t fuel_used = 0;
    run_request(request, engine, *plugin, fuel_used);
    total_fuel += fuel_used;
    if (!request.failures.empty()) {
      ++failed;
      for (const auto& failure : request.failures)
        std::fprintf(stderr, "request %d: %s\n", id, failure.c_str());
    }
  }
  auto served = std::chrono::steady_clock::now();
  bool runaway_stopped = runaway_request_is_stopped(engine, *plugin);

  auto ms = [](auto duration) { return std::chrono::duration<double, std::milli>(duration).count(); };
  std::printf("compiled the plugin once in %.1f ms\n", ms(compiled - start));
  std::printf("%d requests, %d failed, %.2f ms and %" PRIu64 " fuel per request on average\n", requests,
              failed, ms(served - compiled) / std::max(requests, 1),
              total_fuel / static_cast<uint64_t>(std::max(requests, 1)));
  std::printf("runaway request stopped by its fuel limit: %s\n", runaway_stopped ? "yes" : "NO");
  bool ok = failed == 0 && runaway_stopped && requests > 0;
  std::printf("plugin host: %s\n", ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
