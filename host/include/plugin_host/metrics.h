// Per plugin, digest and tenant: requests by outcome, a latency histogram
// with p50/p90/p99, fuel and peak memory, rendered in the Prometheus text
// exposition format (docs/plugin-host.md lists every family).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "plugin_host/outcome.h"

namespace wasmrt::plugin {

struct RequestRecord {
  std::string plugin;  // as requested ("" for a pinned digest)
  std::string digest;  // "" when the target did not resolve
  std::string tenant;
  OutcomeKind outcome = OutcomeKind::Ok;
  std::chrono::nanoseconds latency{0};
  uint64_t fuel_used = 0;
  uint64_t peak_memory_pages = 0;
};

// Latencies in buckets growing by 2^(1/4) from 1 µs to about 4,600 s;
// quantiles are read off the buckets, so they are exact to within one
// bucket (19%).
class LatencyHistogram {
 public:
  static constexpr int kBuckets = 128;
  void add(std::chrono::nanoseconds latency);
  uint64_t count() const { return count_; }
  double sum_seconds() const { return sum_seconds_; }
  // The upper bound of the bucket holding the q-quantile, in seconds (0 when empty).
  double quantile(double q) const;
  // Requests at most `seconds` long (cumulative, for Prometheus buckets).
  uint64_t count_at_most(double seconds) const;
  static double upper_bound(int bucket);

 private:
  std::array<uint64_t, kBuckets> buckets_{};
  uint64_t count_ = 0;
  double sum_seconds_ = 0;
};

class Metrics {
 public:
  void record(const RequestRecord& record);
  // The Prometheus text format (version 0.0.4).
  std::string prometheus() const;

  // For tests and the log: requests of one series with one outcome.
  uint64_t count(const std::string& plugin, const std::string& digest, const std::string& tenant,
                 OutcomeKind outcome) const;
  uint64_t total() const;

 private:
  using Key = std::tuple<std::string, std::string, std::string>;  // plugin, digest, tenant
  struct Series {
    std::array<uint64_t, kOutcomeKindCount> outcomes{};
    LatencyHistogram latency;
    uint64_t fuel_used = 0;
    uint64_t peak_memory_pages_max = 0;
  };
  mutable std::mutex mutex_;
  std::map<Key, Series> series_;
  uint64_t total_ = 0;
};

}  // namespace wasmrt::plugin
