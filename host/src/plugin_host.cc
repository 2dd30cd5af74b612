#include "plugin_host/plugin_host.h"

#include <ctime>
#include <nlohmann/json.hpp>

#include "plugin_host/digest.h"

namespace wasmrt::plugin {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

std::string utc_now() {
  auto now = std::chrono::system_clock::now();
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[96];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(millis));
  return text;
}

}  // namespace

EngineConfig host_engine_config(ExecutionTier tier, uint64_t max_memory_pages,
                                std::size_t max_wasm_stack_bytes) {
  EngineConfig config;
  config.tier = tier;
  config.consume_fuel = true;
  config.interruptible = true;
  config.max_memory_pages = max_memory_pages;
  // One instance per store: its memories together get the same cap.
  config.max_store_memory_pages = max_memory_pages;
  config.max_wasm_stack_bytes = max_wasm_stack_bytes;
  return config;
}

PluginHost::PluginHost(HostOptions options)
    : options_(std::move(options)),
      compile_engine_(host_engine_config(options_.tier, 65536, options_.max_wasm_stack_bytes)) {}

PluginHost::~PluginHost() = default;

Expected<std::unique_ptr<PluginHost>> PluginHost::create(HostOptions options) {
  std::unique_ptr<PluginHost> host(new PluginHost(std::move(options)));
  host->tenants_ =
      host->options_.tenants ? std::move(host->options_.tenants) : std::make_unique<TenantTable>();
  Registry::Options registry_options;
  registry_options.directory = host->options_.registry_dir;
  registry_options.smoke_limits = host->options_.smoke_limits;
  const Engine& smoke_engine = host->engine_for(registry_options.smoke_limits.max_memory_pages);
  auto registry = Registry::open(host->compile_engine_, smoke_engine, registry_options);
  if (!registry.ok()) return registry.error();
  host->registry_ = std::move(*registry);
  return host;
}

const Engine& PluginHost::engine_for(uint64_t max_memory_pages) {
  std::lock_guard lock(engines_mutex_);
  auto& slot = engines_[max_memory_pages];
  if (!slot)
    slot = std::make_unique<Engine>(
        host_engine_config(options_.tier, max_memory_pages, options_.max_wasm_stack_bytes));
  return *slot;
}

RunResponse PluginHost::run(const RunRequest& request) {
  const auto started = Clock::now();
  RunResponse response;
  std::string tenant_label = request.tenant;
  auto finish = [&]() -> RunResponse {
    response.latency = Clock::now() - started;
    // A target that resolves to nothing is not a label: arbitrary names in
    // requests must not grow the metrics without end.
    std::string plugin_label = response.kind == OutcomeKind::NotFound ? "" : response.plugin;
    metrics_.record(RequestRecord{plugin_label, response.digest, tenant_label, response.kind,
                                  response.latency, response.fuel_used, response.peak_memory_pages});
    if (options_.log) options_.log(log_line(request, response));
    return std::move(response);
  };

  if (!request.target.starts_with(kDigestPrefix)) response.plugin = request.target;
  if (!is_tenant_name(request.tenant)) {
    tenant_label = "";
    response.kind = OutcomeKind::BadRequest;
    response.message = quote_text(request.tenant) + " is not a tenant name (1-64 of A-Z a-z 0-9 . _ -)";
    return finish();
  }
  auto entry = registry_->resolve(request.target);
  if (!entry.ok()) {
    response.kind = OutcomeKind::NotFound;
    response.message = entry.error().message;
    if (!is_plugin_name(request.target) && !is_digest(request.target)) response.plugin = "";
    return finish();
  }
  // The call keeps this version (its module and ABI) until it ends,
  // whatever the plugin's active digest becomes meanwhile.
  std::shared_ptr<const ModuleEntry> version = std::move(*entry);
  response.digest = version->digest;

  std::shared_ptr<Tenant> tenant = tenants_->get(request.tenant);
  tenant_label = tenant->name();
  Tenant::Admission admission = tenant->admit();
  if (admission.refusal != OutcomeKind::Ok) {
    response.kind = admission.refusal;
    response.message = admission.reason;
    return finish();
  }
  TenantLimits limits = tenant->limits();
  const Engine& engine = engine_for(limits.max_memory_pages);

  GuestRequest guest;
  guest.input = request.input;
  guest.program_name = response.plugin.empty() ? version->digest : response.plugin;
  guest.env = {{"WASMRT_TENANT", tenant_label},
               {"WASMRT_PLUGIN", response.plugin},
               {"WASMRT_DIGEST", version->digest},
               {"WASMRT_REQUEST_ID", request.request_id}};
  for (const auto& pair : request.env) guest.env.push_back(pair);

  uint64_t id = 0;
  auto track = [&](const InterruptHandle& handle) {
    std::lock_guard lock(in_flight_mutex_);
    id = ++next_request_;
    in_flight_.emplace(id, handle);
  };
  GuestResult result = run_guest(engine, version->module, version->abi, limits.run_limits(), guest, track);
  if (id != 0) {
    std::lock_guard lock(in_flight_mutex_);
    in_flight_.erase(id);
  }
  admission.permit.release();

  response.kind = result.kind;
  response.output = std::move(result.output);
  response.code = result.code;
  response.message = std::move(result.message);
  response.trap_kind = std::move(result.trap_kind);
  response.backtrace = std::move(result.backtrace);
  response.fuel_used = result.fuel_used;
  response.peak_memory_pages = result.peak_memory_pages;
  return finish();
}

void PluginHost::interrupt_in_flight() {
  std::lock_guard lock(in_flight_mutex_);
  for (const auto& [id, handle] : in_flight_) handle.interrupt();
}

std::size_t PluginHost::in_flight() const {
  std::lock_guard lock(in_flight_mutex_);
  return in_flight_.size();
}

std::string PluginHost::log_line(const RunRequest& request, const RunResponse& response) const {
  json line = {{"time", utc_now()},
               {"request_id", request.request_id},
               {"tenant", request.tenant},
               {"plugin", response.plugin},
               {"digest", response.digest},
               {"outcome", outcome_name(response.kind)},
               {"latency_ms", std::chrono::duration<double, std::milli>(response.latency).count()},
               {"fuel", response.fuel_used},
               {"peak_pages", response.peak_memory_pages},
               {"input_bytes", request.input.size()},
               {"output_bytes", response.output.size()}};
  if (response.kind != OutcomeKind::Ok) {
    line["message"] = response.message.substr(0, 512);
    if (response.kind == OutcomeKind::ApplicationError) line["code"] = response.code;
    if (!response.trap_kind.empty()) line["trap"] = response.trap_kind;
  }
  // Guest text need not be UTF-8: replace what is not, never throw.
  return line.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string PluginHost::prometheus() const {
  std::string out = metrics_.prometheus();
  out += "# HELP wasmrt_host_tenant_running Requests of the tenant running now.\n";
  out += "# TYPE wasmrt_host_tenant_running gauge\n";
  std::string queued =
      "# HELP wasmrt_host_tenant_queued Requests of the tenant waiting for a slot.\n"
      "# TYPE wasmrt_host_tenant_queued gauge\n";
  for (const auto& tenant : tenants_->all()) {
    out += "wasmrt_host_tenant_running{tenant=\"" + tenant->name() + "\"} " +
           std::to_string(tenant->running()) + "\n";
    queued += "wasmrt_host_tenant_queued{tenant=\"" + tenant->name() + "\"} " +
              std::to_string(tenant->queued()) + "\n";
  }
  out += queued;
  out += "# HELP wasmrt_host_in_flight Requests running in guests now.\n# TYPE wasmrt_host_in_flight gauge\n";
  out += "wasmrt_host_in_flight " + std::to_string(in_flight()) + "\n";
  return out;
}

}  // namespace wasmrt::plugin
