// Running one request in a guest: the two guest ABIs (docs/plugin-host.md).
//
// Command guests are ordinary WASI programs: `_start`, the request body on
// stdin, the response on stdout, request metadata in environment
// variables; exit status 0 is success, any other status an application
// error whose message is what the guest wrote to stderr. Reactor guests
// export `memory`, `alloc(len i32) -> i32` and `handle(ptr i32, len i32) ->
// i64` (the response as ptr << 32 | len); `_initialize`, if exported, runs
// once per instance. Both may import `wasmrt.set_error(code i32, ptr i32,
// len i32)` to report an application error with a code and a message, a
// channel distinct from traps.
//
// Every request gets a fresh store and instance, so nothing one request
// writes is visible to the next.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "plugin_host/outcome.h"
#include "wasmrt/wasmrt.h"

namespace wasmrt::plugin {

enum class GuestAbi : uint8_t { Command, Reactor };
const char* guest_abi_name(GuestAbi abi);

// Command if the module exports a function `_start`; Reactor if it exports
// `memory`, `alloc` (i32) -> i32 and `handle` (i32 i32) -> i64; else
// UnsupportedAbi naming what is missing.
Expected<GuestAbi> detect_abi(const Module& module);

// The budgets of one request (from the tenant's limits).
struct RunLimits {
  std::chrono::nanoseconds deadline = std::chrono::seconds(5);
  uint64_t fuel = 1'000'000'000;
  // Must equal the cap of the engine the store is made from; used to tell
  // a memory-cap failure from another one (see run_guest).
  uint64_t max_memory_pages = 1024;
  std::size_t max_output_bytes = std::size_t{1} << 20;
};

struct GuestRequest {
  std::string_view input;
  // Environment variables ("NAME", "VALUE") for both ABIs.
  std::vector<std::pair<std::string, std::string>> env;
  std::string program_name = "plugin";  // argv[0]
};

enum class GuestStage : uint8_t { Instantiate, Call };

struct GuestResult {
  OutcomeKind kind = OutcomeKind::Ok;
  GuestStage stage = GuestStage::Call;
  // Ok: the response. Empty otherwise.
  std::string output;
  // ApplicationError: the guest's code (command guests: the exit status)
  // and message. Other failures: a human-readable reason.
  int32_t code = 0;
  std::string message;
  // Trap (and the budget kinds): the trap's kind and wasm backtrace.
  std::string trap_kind;
  std::vector<std::string> backtrace;
  // True when instantiation failed for an import the host lacks (used by
  // the registry to refuse with ErrorCode::Unlinkable).
  bool unlinkable = false;
  uint64_t fuel_used = 0;
  uint64_t peak_memory_pages = 0;
  // memory.grow calls the memory cap refused (CallStats::memory_grows_refused,
  // summed over the request's calls).
  uint64_t memory_grows_refused = 0;
};

// Runs one request. `engine` makes the store (its max_memory_pages must be
// limits.max_memory_pages; its metering must match the module's).
// `on_store` is called with the store's interrupt handle before the guest
// first runs, so the host can stop in-flight calls (shutdown).
GuestResult run_guest(const Engine& engine, const std::shared_ptr<const Module>& module, GuestAbi abi,
                      const RunLimits& limits, const GuestRequest& request,
                      const std::function<void(const InterruptHandle&)>& on_store = {});

}  // namespace wasmrt::plugin
