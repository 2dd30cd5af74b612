// Embedding wasmrt with host functions: a module imports two C++ functions
// (one reads a string out of the guest's memory, one traps on bad input),
// the host calls its exports with typed values, reads memory back, and
// handles a trap with its wasm backtrace.
//
// Build against an installed wasmrt with:
//   find_package(wasmrt REQUIRED)
//   target_link_libraries(app PRIVATE wasmrt::wasmrt)
#include <cstdio>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "wasmrt/wasmrt.h"

namespace {

constexpr std::string_view kGuest = R"((module
  (import "env" "print" (func $print (param i32 i32)))
  (import "env" "checked_sqrt" (func $sqrt (param f64) (result f64)))
  (memory (export "memory") 1)
  (data (i32.const 0) "hello from wasm")
  (func $fib (export "fib") (param $n i32) (result i64)
    (if (result i64) (i32.lt_u (local.get $n) (i32.const 2))
      (then (i64.extend_i32_u (local.get $n)))
      (else (i64.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func (export "greet") (call $print (i32.const 0) (i32.const 15)))
  (func (export "hypot") (param f64 f64) (result f64)
    (call $sqrt (f64.add (f64.mul (local.get 0) (local.get 0))
                         (f64.mul (local.get 1) (local.get 1))))))
)";

int fail(const char* what, const wasmrt::Error& error) {
  std::fprintf(stderr, "host example: %s: %s\n", what, error.to_string().c_str());
  return 1;
}

}  // namespace

int main() {
  wasmrt::EngineConfig config;
  config.max_memory_pages = 16;  // a host cap on every memory of this engine
  wasmrt::Engine engine(config);
  auto module = engine.compile(std::span(reinterpret_cast<const uint8_t*>(kGuest.data()), kGuest.size()));
  if (!module.ok()) return fail("compile", module.error());

  wasmrt::Linker linker;
  // Host functions: the wasm signature is deduced from the parameter types.
  linker.define("env", "print", [](wasmrt::HostContext& ctx, uint32_t ptr, uint32_t len) {
    std::string text(len, '\0');
    if (!ctx.read(ptr, std::span(reinterpret_cast<uint8_t*>(text.data()), text.size()))) {
      ctx.trap("print: string out of bounds");
      return;
    }
    std::printf("guest says: %s\n", text.c_str());
  });
  linker.define("env", "checked_sqrt", [](wasmrt::HostContext& ctx, double x) -> double {
    if (x < 0) ctx.trap("checked_sqrt: negative input");
    double r = x;
    for (int i = 0; i < 60 && x > 0; ++i) r = 0.5 * (r + x / r);  // Newton, no <cmath> needed
    return r;
  });

  wasmrt::Store store(engine);
  auto instance = linker.instantiate(store, module.value());
  if (!instance.ok()) return fail("instantiate", instance.error());

  auto fib = instance->call("fib", {wasmrt::Value::i32(30)});
  if (!fib.ok()) return fail("fib", fib.error());
  std::printf("fib(30) = %lld\n", static_cast<long long>((*fib)[0].i64()));

  if (auto greeted = instance->call("greet", {}); !greeted.ok()) return fail("greet", greeted.error());

  auto hypot = instance->call("hypot", {wasmrt::Value::f64(3), wasmrt::Value::f64(4)});
  if (!hypot.ok()) return fail("hypot", hypot.error());
  std::printf("hypot(3, 4) = %g\n", (*hypot)[0].f64());

  // The host writes into guest memory; the guest prints it.
  auto memory = instance->memory("memory");
  const std::string_view patch = "HELLO";
  if (!memory ||
      !memory->write(0, std::span(reinterpret_cast<const uint8_t*>(patch.data()), patch.size())).ok()) {
    std::fprintf(stderr, "host example: memory write failed\n");
    return 1;
  }
  if (auto greeted = instance->call("greet", {}); !greeted.ok()) return fail("greet", greeted.error());

  // Arguments are type-checked before anything runs.
  auto rejected = instance->call("fib", {wasmrt::Value::i64(1)});
  if (rejected.ok()) return 1;
  std::printf("bad call rejected: %s\n", rejected.error().message.c_str());

  // A host function that traps: the call comes back as Phase::Trap with the
  // host's message and the wasm backtrace. Same module, another linker.
  wasmrt::Linker strict;
  strict.define("env", "print",
                [](wasmrt::HostContext& ctx, uint32_t, uint32_t) { ctx.trap("printing disabled"); });
  strict.define("env", "checked_sqrt", [](wasmrt::HostContext&, double x) { return x; });
  wasmrt::Store store2(engine);
  auto locked = strict.instantiate(store2, module.value());
  if (!locked.ok()) return fail("instantiate (strict)", locked.error());
  auto denied = locked->call("greet", {});
  if (denied.ok() || denied.error().phase != wasmrt::Phase::Trap || denied.error().trap == nullptr) {
    std::fprintf(stderr, "host example: expected a host trap\n");
    return 1;
  }
  std::printf("%s\n", denied.error().trap->to_string().c_str());
  std::printf("host example: ok\n");
  return 0;
}
