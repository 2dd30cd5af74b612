#include "plugin_host/tenants.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

namespace wasmrt::plugin {
namespace {

using json = nlohmann::json;
constexpr std::string_view kOverflowTenant = "_other";

Error bad(const std::string& field, const std::string& why) {
  return Error{ErrorCode::BadArgument, "tenant limit '" + field + "': " + why};
}

// Reads an unsigned integer field into `out` if present.
template <typename T>
Expected<void> read_unsigned(const json& object, const char* field, T& out, uint64_t minimum,
                             uint64_t maximum) {
  auto it = object.find(field);
  if (it == object.end()) return {};
  if (!it->is_number_unsigned()) return bad(field, "not a non-negative integer");
  uint64_t value = it->get<uint64_t>();
  if (value < minimum || value > maximum)
    return bad(field, std::to_string(value) + " is outside [" + std::to_string(minimum) + ", " +
                          std::to_string(maximum) + "]");
  out = static_cast<T>(value);
  return {};
}

Expected<void> read_number(const json& object, const char* field, double& out) {
  auto it = object.find(field);
  if (it == object.end()) return {};
  if (!it->is_number() || it->get<double>() < 0 || it->get<double>() > 1e9)
    return bad(field, "not a number in [0, 1e9]");
  out = it->get<double>();
  return {};
}

Expected<void> read_millis(const json& object, const char* field, std::chrono::milliseconds& out,
                           uint64_t minimum) {
  uint64_t value = static_cast<uint64_t>(out.count());
  if (auto read = read_unsigned(object, field, value, minimum, 24ull * 3600 * 1000); !read.ok()) return read;
  out = std::chrono::milliseconds(value);
  return {};
}

}  // namespace

RunLimits TenantLimits::run_limits() const {
  RunLimits out;
  out.deadline = deadline;
  out.fuel = fuel;
  out.max_memory_pages = max_memory_pages;
  out.max_output_bytes = max_output_bytes;
  return out;
}

Expected<TenantLimits> limits_from_json(const json& object, const TenantLimits& base) {
  if (!object.is_object()) return Error{ErrorCode::BadArgument, "tenant limits must be a JSON object"};
  static constexpr std::string_view kKnown[] = {"max_concurrency",  "max_queue",  "queue_timeout_ms",
                                                "rate_per_second",  "rate_burst", "deadline_ms",
                                                "max_memory_pages", "fuel",       "max_output_bytes"};
  for (const auto& [key, value] : object.items()) {
    if (std::find(std::begin(kKnown), std::end(kKnown), key) == std::end(kKnown))
      return bad(key, "unknown field");
  }
  TenantLimits out = base;
  Expected<void> steps[] = {
      read_unsigned(object, "max_concurrency", out.max_concurrency, 1, 100000),
      read_unsigned(object, "max_queue", out.max_queue, 0, 1000000),
      read_millis(object, "queue_timeout_ms", out.queue_timeout, 0),
      read_number(object, "rate_per_second", out.rate_per_second),
      read_number(object, "rate_burst", out.rate_burst),
      read_millis(object, "deadline_ms", out.deadline, 1),
      read_unsigned(object, "max_memory_pages", out.max_memory_pages, 1, 65536),
      read_unsigned(object, "fuel", out.fuel, 1, uint64_t{INT64_MAX}),
      read_unsigned(object, "max_output_bytes", out.max_output_bytes, 0, uint64_t{1} << 30),
  };
  for (auto& step : steps) {
    if (!step.ok()) return step.error();
  }
  return out;
}

json limits_to_json(const TenantLimits& limits) {
  return {{"max_concurrency", limits.max_concurrency},
          {"max_queue", limits.max_queue},
          {"queue_timeout_ms", limits.queue_timeout.count()},
          {"rate_per_second", limits.rate_per_second},
          {"rate_burst", limits.rate_burst},
          {"deadline_ms", limits.deadline.count()},
          {"max_memory_pages", limits.max_memory_pages},
          {"fuel", limits.fuel},
          {"max_output_bytes", limits.max_output_bytes}};
}

bool is_tenant_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

// ---- Tenant ----

Tenant::Tenant(std::string name, TenantLimits limits) : name_(std::move(name)), limits_(limits) {}

TenantLimits Tenant::limits() const {
  std::lock_guard lock(mutex_);
  return limits_;
}

void Tenant::set_limits(TenantLimits limits) {
  std::lock_guard lock(mutex_);
  limits_ = limits;
  while (!waiters_.empty() && running_ < limits_.max_concurrency) {
    Waiter* next = waiters_.front();
    waiters_.pop_front();
    ++running_;
    next->granted = true;
    next->wake.notify_one();
  }
}

bool Tenant::take_token(std::chrono::steady_clock::time_point now) {
  if (limits_.rate_per_second <= 0) return true;
  double burst = limits_.rate_burst > 0 ? limits_.rate_burst : std::max(1.0, limits_.rate_per_second);
  if (refilled_ == std::chrono::steady_clock::time_point{}) {
    tokens_ = burst;
  } else {
    double seconds = std::chrono::duration<double>(now - refilled_).count();
    tokens_ = std::min(burst, tokens_ + seconds * limits_.rate_per_second);
  }
  refilled_ = now;
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

Tenant::Admission Tenant::admit() {
  Admission out;
  auto arrived = std::chrono::steady_clock::now();
  std::unique_lock lock(mutex_);
  if (!take_token(arrived)) {
    out.refusal = OutcomeKind::RateLimited;
    out.reason = "tenant " + quote_text(name_) + " is over its rate limit of " +
                 std::to_string(limits_.rate_per_second) + " requests per second";
    return out;
  }
  if (running_ < limits_.max_concurrency && waiters_.empty()) {
    ++running_;
    out.permit = Permit(this);
    return out;
  }
  if (waiters_.size() >= limits_.max_queue) {
    out.refusal = OutcomeKind::Overloaded;
    out.reason = "tenant " + quote_text(name_) + " has " + std::to_string(running_) +
                 " requests running and its queue of " + std::to_string(limits_.max_queue) + " is full";
    return out;
  }
  Waiter waiter;
  waiters_.push_back(&waiter);
  auto timeout = limits_.queue_timeout;
  bool granted = waiter.wake.wait_until(lock, arrived + timeout, [&] { return waiter.granted; });
  out.queued = std::chrono::steady_clock::now() - arrived;
  if (!granted) {
    waiters_.erase(std::find(waiters_.begin(), waiters_.end(), &waiter));
    out.refusal = OutcomeKind::Overloaded;
    out.reason = "tenant " + quote_text(name_) + " waited " + std::to_string(timeout.count()) +
                 " ms in its queue (queue_timeout_ms) without a free slot";
    return out;
  }
  out.permit = Permit(this);  // the slot was handed over by release_slot
  return out;
}

void Tenant::release_slot() {
  std::lock_guard lock(mutex_);
  // Hand the slot to the oldest waiter, unless max_concurrency was lowered
  // below the requests still running.
  if (!waiters_.empty() && running_ <= limits_.max_concurrency) {
    Waiter* next = waiters_.front();
    waiters_.pop_front();
    next->granted = true;
    next->wake.notify_one();
    return;
  }
  --running_;
}

uint32_t Tenant::running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

std::size_t Tenant::queued() const {
  std::lock_guard lock(mutex_);
  return waiters_.size();
}

Tenant::Permit& Tenant::Permit::operator=(Permit&& other) noexcept {
  if (this != &other) {
    release();
    tenant_ = std::exchange(other.tenant_, nullptr);
  }
  return *this;
}

void Tenant::Permit::release() {
  if (tenant_) std::exchange(tenant_, nullptr)->release_slot();
}

// ---- TenantTable ----

TenantTable::TenantTable(TenantLimits defaults) : defaults_(defaults) {}

Expected<std::unique_ptr<TenantTable>> TenantTable::from_json(const json& document) {
  if (!document.is_object())
    return Error{ErrorCode::BadArgument, "the tenants document must be a JSON object"};
  for (const auto& [key, value] : document.items()) {
    if (key != "default" && key != "tenants")
      return Error{ErrorCode::BadArgument, "the tenants document has an unknown field '" + key + "'"};
  }
  TenantLimits defaults;
  if (document.contains("default")) {
    auto read = limits_from_json(document["default"], defaults);
    if (!read.ok()) return read.error();
    defaults = *read;
  }
  auto table = std::make_unique<TenantTable>(defaults);
  if (document.contains("tenants")) {
    if (!document["tenants"].is_object())
      return Error{ErrorCode::BadArgument, "'tenants' must be a JSON object"};
    for (const auto& [name, object] : document["tenants"].items()) {
      if (!is_tenant_name(name))
        return Error{ErrorCode::BadArgument, quote_text(name) + " is not a tenant name"};
      auto limits = limits_from_json(object, defaults);
      if (!limits.ok())
        return Error{ErrorCode::BadArgument, "tenant " + quote_text(name) + ": " + limits.error().message};
      table->set(name, *limits);
    }
  }
  return table;
}

Expected<std::unique_ptr<TenantTable>> TenantTable::from_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error{ErrorCode::Io, "cannot read " + path};
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  json document = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return Error{ErrorCode::BadArgument, path + " is not valid JSON"};
  auto table = from_json(document);
  if (!table.ok()) return Error{table.error().code, path + ": " + table.error().message};
  return table;
}

std::shared_ptr<Tenant> TenantTable::get(std::string_view name) {
  std::lock_guard lock(mutex_);
  auto it = tenants_.find(name);
  if (it != tenants_.end()) return it->second;
  std::string key(name);
  if (dynamic_ >= kMaxDynamicTenants) key = kOverflowTenant;
  it = tenants_.find(key);
  if (it != tenants_.end()) return it->second;
  ++dynamic_;
  return tenants_.emplace(key, std::make_shared<Tenant>(key, defaults_)).first->second;
}

void TenantTable::set(std::string_view name, const TenantLimits& limits) {
  std::shared_ptr<Tenant> tenant;
  {
    std::lock_guard lock(mutex_);
    auto it = tenants_.find(name);
    if (it == tenants_.end()) {
      tenants_.emplace(std::string(name), std::make_shared<Tenant>(std::string(name), limits));
      return;
    }
    tenant = it->second;
  }
  tenant->set_limits(limits);
}

TenantLimits TenantTable::defaults() const {
  std::lock_guard lock(mutex_);
  return defaults_;
}

json TenantTable::to_json() const {
  std::lock_guard lock(mutex_);
  json out = {{"default", limits_to_json(defaults_)}, {"tenants", json::object()}};
  for (const auto& [name, tenant] : tenants_) {
    json entry = limits_to_json(tenant->limits());
    entry["running"] = tenant->running();
    entry["queued"] = tenant->queued();
    out["tenants"][name] = std::move(entry);
  }
  return out;
}

std::vector<std::shared_ptr<Tenant>> TenantTable::all() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<Tenant>> out;
  for (const auto& [name, tenant] : tenants_) out.push_back(tenant);
  return out;
}

}  // namespace wasmrt::plugin
