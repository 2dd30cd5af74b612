// Tenants: per-tenant admission (concurrency, queue, rate) and budgets
// (deadline, memory, fuel, output), set from a JSON document and
// changeable at run time (docs/plugin-host.md).
//
// Admission is a FIFO semaphore: a request runs when fewer than
// max_concurrency of the tenant's requests run; otherwise it waits in a
// queue of at most max_queue requests for at most queue_timeout, and is
// refused as Overloaded when the queue is full or the wait times out. A
// released slot is handed to the oldest waiter directly, so a stream of
// new arrivals cannot overtake the queue. The rate limit is a token
// bucket checked on arrival (RateLimited when empty).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "plugin_host/guest.h"
#include "plugin_host/outcome.h"

namespace wasmrt::plugin {

struct TenantLimits {
  uint32_t max_concurrency = 4;
  uint32_t max_queue = 64;
  std::chrono::milliseconds queue_timeout{1000};
  // Requests per second admitted on average, with bursts of rate_burst;
  // 0: no rate limit.
  double rate_per_second = 0;
  double rate_burst = 0;  // 0: max(1, rate_per_second)
  std::chrono::milliseconds deadline{5000};
  uint64_t max_memory_pages = 1024;  // 64 MiB
  uint64_t fuel = 2'000'000'000;
  std::size_t max_output_bytes = std::size_t{1} << 20;

  RunLimits run_limits() const;
};

// Reads the fields present in `object` over `base` (names as in the struct,
// durations in milliseconds: "queue_timeout_ms", "deadline_ms").
Expected<TenantLimits> limits_from_json(const nlohmann::json& object, const TenantLimits& base);
nlohmann::json limits_to_json(const TenantLimits& limits);

// Tenant names: 1-64 of [A-Za-z0-9._-].
bool is_tenant_name(std::string_view name);

class Tenant {
 public:
  Tenant(std::string name, TenantLimits limits);
  const std::string& name() const { return name_; }
  TenantLimits limits() const;
  // Applies to requests admitted from now on; raising max_concurrency
  // admits waiting requests at once.
  void set_limits(TenantLimits limits);

  // A running request's slot; releasing it (destructor) admits the next.
  class Permit {
   public:
    Permit() = default;
    explicit Permit(Tenant* tenant) : tenant_(tenant) {}
    Permit(Permit&& other) noexcept : tenant_(std::exchange(other.tenant_, nullptr)) {}
    Permit& operator=(Permit&& other) noexcept;
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    ~Permit() { release(); }
    bool held() const { return tenant_ != nullptr; }
    void release();

   private:
    Tenant* tenant_ = nullptr;
  };

  struct Admission {
    OutcomeKind refusal = OutcomeKind::Ok;  // Ok: admitted
    std::string reason;
    Permit permit;
    std::chrono::nanoseconds queued{0};
  };
  // Blocks for at most queue_timeout.
  Admission admit();

  uint32_t running() const;
  std::size_t queued() const;

 private:
  struct Waiter {
    std::condition_variable wake;
    bool granted = false;
  };
  void release_slot();
  bool take_token(std::chrono::steady_clock::time_point now);

  const std::string name_;
  mutable std::mutex mutex_;
  TenantLimits limits_;
  uint32_t running_ = 0;
  std::deque<Waiter*> waiters_;
  double tokens_ = 0;
  std::chrono::steady_clock::time_point refilled_{};
};

class TenantTable {
 public:
  // Tenants created on the fly for unknown names (each with the default
  // limits) are bounded, so that arbitrary names cannot grow the table (and
  // the metrics) without end; past the bound they share one tenant, "_other".
  static constexpr std::size_t kMaxDynamicTenants = 1000;

  explicit TenantTable(TenantLimits defaults = {});
  // {"default": {...limits}, "tenants": {"name": {...limits}, ...}}; a
  // tenant's fields default to the "default" object's.
  static Expected<std::unique_ptr<TenantTable>> from_json(const nlohmann::json& document);
  static Expected<std::unique_ptr<TenantTable>> from_file(const std::string& path);

  // The tenant `name` (created with the default limits if unknown).
  std::shared_ptr<Tenant> get(std::string_view name);
  // Sets (or creates) a configured tenant's limits.
  void set(std::string_view name, const TenantLimits& limits);
  TenantLimits defaults() const;
  nlohmann::json to_json() const;
  std::vector<std::shared_ptr<Tenant>> all() const;

 private:
  mutable std::mutex mutex_;
  TenantLimits defaults_;
  std::map<std::string, std::shared_ptr<Tenant>, std::less<>> tenants_;
  std::size_t dynamic_ = 0;
};

}  // namespace wasmrt::plugin
