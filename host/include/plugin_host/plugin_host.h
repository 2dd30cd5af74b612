// The plugin host: the registry, the tenants and the metrics together, and
// run(), which serves one request from admission to its log line
// (docs/plugin-host.md).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "plugin_host/guest.h"
#include "plugin_host/metrics.h"
#include "plugin_host/outcome.h"
#include "plugin_host/registry.h"
#include "plugin_host/tenants.h"
#include "wasmrt/wasmrt.h"

namespace wasmrt::plugin {

struct HostOptions {
  std::filesystem::path registry_dir;    // empty: in memory
  std::unique_ptr<TenantTable> tenants;  // null: default limits for everyone
  ExecutionTier tier = ExecutionTier::Auto;
  // The wasm value stack of one request (a stack bomb ends in a trap).
  std::size_t max_wasm_stack_bytes = std::size_t{8} << 20;
  // The smoke call's budgets at registration.
  RunLimits smoke_limits;
  // Receives one JSON line per request (no newline); null: none.
  std::function<void(std::string_view)> log;
};

struct RunRequest {
  std::string tenant;
  std::string target;  // plugin name or "sha256:..."
  std::string input;
  // Extra environment for the guest (WASMRT_* names are the host's own).
  std::vector<std::pair<std::string, std::string>> env;
  std::string request_id;
};

struct RunResponse {
  OutcomeKind kind = OutcomeKind::Ok;
  std::string output;
  int32_t code = 0;
  std::string message;
  std::string trap_kind;
  std::vector<std::string> backtrace;
  std::string plugin;
  std::string digest;
  std::chrono::nanoseconds latency{0};
  uint64_t fuel_used = 0;
  uint64_t peak_memory_pages = 0;
};

class PluginHost {
 public:
  static Expected<std::unique_ptr<PluginHost>> create(HostOptions options);
  ~PluginHost();

  RunResponse run(const RunRequest& request);

  Registry& registry() { return *registry_; }
  TenantTable& tenants() { return *tenants_; }
  Metrics& metrics() { return metrics_; }
  // The metrics and the tenants' current load, in the Prometheus format.
  std::string prometheus() const;

  // Interrupts every request running now (they end Interrupted); used when
  // a shutdown's grace period is over.
  void interrupt_in_flight();
  std::size_t in_flight() const;

 private:
  explicit PluginHost(HostOptions options);
  const Engine& engine_for(uint64_t max_memory_pages);
  std::string log_line(const RunRequest& request, const RunResponse& response) const;

  HostOptions options_;
  Engine compile_engine_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<TenantTable> tenants_;
  Metrics metrics_;
  // One engine per memory cap in use: the cap is an engine setting. Engines
  // are never removed, so references stay valid.
  std::mutex engines_mutex_;
  std::map<uint64_t, std::unique_ptr<Engine>> engines_;
  mutable std::mutex in_flight_mutex_;
  std::map<uint64_t, InterruptHandle> in_flight_;
  uint64_t next_request_ = 0;
};

// The engine settings the host runs guests with (fuel metered,
// interruptible), for a memory cap.
EngineConfig host_engine_config(ExecutionTier tier, uint64_t max_memory_pages,
                                std::size_t max_wasm_stack_bytes);

}  // namespace wasmrt::plugin
