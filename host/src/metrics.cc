#include "plugin_host/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace wasmrt::plugin {
namespace {

// The buckets published to Prometheus (a subset of the internal ones would
// not line up with round numbers, so these are counted from the raw
// latencies' bucket bounds: every internal bucket lies wholly below or
// above each of them to within its 19%).
constexpr double kPublishedBounds[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                       0.1,    0.25,    0.5,    1,     2.5,    5,     10,   30,    60};

std::string escape_label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string number(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.9g", value);
  return text;
}

}  // namespace

double LatencyHistogram::upper_bound(int bucket) {
  return 1e-6 * std::pow(2.0, (bucket + 1) / 4.0);
}

void LatencyHistogram::add(std::chrono::nanoseconds latency) {
  double seconds = std::chrono::duration<double>(latency).count();
  int bucket = seconds <= 1e-6 ? 0 : static_cast<int>(std::ceil(4.0 * std::log2(seconds / 1e-6))) - 1;
  bucket = std::clamp(bucket, 0, kBuckets - 1);
  ++buckets_[static_cast<std::size_t>(bucket)];
  ++count_;
  sum_seconds_ += seconds;
}

double LatencyHistogram::quantile(double q) const {
  if (count_ == 0) return 0;
  auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::max<uint64_t>(rank, 1);
  uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += buckets_[static_cast<std::size_t>(i)];
    if (seen >= rank) return upper_bound(i);
  }
  return upper_bound(kBuckets - 1);
}

uint64_t LatencyHistogram::count_at_most(double seconds) const {
  uint64_t out = 0;
  for (int i = 0; i < kBuckets && upper_bound(i) <= seconds * (1 + 1e-9); ++i)
    out += buckets_[static_cast<std::size_t>(i)];
  return out;
}

void Metrics::record(const RequestRecord& record) {
  std::lock_guard lock(mutex_);
  Series& series = series_[Key{record.plugin, record.digest, record.tenant}];
  ++series.outcomes[static_cast<std::size_t>(record.outcome)];
  series.latency.add(record.latency);
  series.fuel_used += record.fuel_used;
  series.peak_memory_pages_max = std::max(series.peak_memory_pages_max, record.peak_memory_pages);
  ++total_;
}

uint64_t Metrics::count(const std::string& plugin, const std::string& digest, const std::string& tenant,
                        OutcomeKind outcome) const {
  std::lock_guard lock(mutex_);
  auto it = series_.find(Key{plugin, digest, tenant});
  return it == series_.end() ? 0 : it->second.outcomes[static_cast<std::size_t>(outcome)];
}

uint64_t Metrics::total() const {
  std::lock_guard lock(mutex_);
  return total_;
}

std::string Metrics::prometheus() const {
  std::lock_guard lock(mutex_);
  std::string requests, buckets, sums, counts, quantiles, fuel, peak;
  for (const auto& [key, series] : series_) {
    const auto& [plugin, digest, tenant] = key;
    std::string labels = "plugin=\"" + escape_label(plugin) + "\",digest=\"" + escape_label(digest) +
                         "\",tenant=\"" + escape_label(tenant) + "\"";
    for (int kind = 0; kind < kOutcomeKindCount; ++kind) {
      uint64_t n = series.outcomes[static_cast<std::size_t>(kind)];
      if (n == 0) continue;
      requests += "wasmrt_host_requests_total{" + labels + ",outcome=\"" +
                  outcome_name(static_cast<OutcomeKind>(kind)) + "\"} " + std::to_string(n) + "\n";
    }
    for (double bound : kPublishedBounds) {
      buckets += "wasmrt_host_request_duration_seconds_bucket{" + labels + ",le=\"" + number(bound) + "\"} " +
                 std::to_string(series.latency.count_at_most(bound)) + "\n";
    }
    buckets += "wasmrt_host_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " +
               std::to_string(series.latency.count()) + "\n";
    sums += "wasmrt_host_request_duration_seconds_sum{" + labels + "} " +
            number(series.latency.sum_seconds()) + "\n";
    counts += "wasmrt_host_request_duration_seconds_count{" + labels + "} " +
              std::to_string(series.latency.count()) + "\n";
    for (double q : {0.5, 0.9, 0.99}) {
      quantiles += "wasmrt_host_request_duration_quantile_seconds{" + labels + ",quantile=\"" + number(q) +
                   "\"} " + number(series.latency.quantile(q)) + "\n";
    }
    fuel += "wasmrt_host_fuel_consumed_total{" + labels + "} " + std::to_string(series.fuel_used) + "\n";
    peak += "wasmrt_host_peak_memory_pages_max{" + labels + "} " +
            std::to_string(series.peak_memory_pages_max) + "\n";
  }
  std::string out;
  out += "# HELP wasmrt_host_requests_total Requests by plugin, digest, tenant and outcome.\n";
  out += "# TYPE wasmrt_host_requests_total counter\n" + requests;
  out += "# HELP wasmrt_host_request_duration_seconds Request latency, admission queue included.\n";
  out += "# TYPE wasmrt_host_request_duration_seconds histogram\n" + buckets + sums + counts;
  out +=
      "# HELP wasmrt_host_request_duration_quantile_seconds Latency quantiles (upper bound of a 19% "
      "bucket).\n";
  out += "# TYPE wasmrt_host_request_duration_quantile_seconds gauge\n" + quantiles;
  out += "# HELP wasmrt_host_fuel_consumed_total Fuel the guests consumed.\n";
  out += "# TYPE wasmrt_host_fuel_consumed_total counter\n" + fuel;
  out += "# HELP wasmrt_host_peak_memory_pages_max The most 64 KiB pages one request's memories held.\n";
  out += "# TYPE wasmrt_host_peak_memory_pages_max gauge\n" + peak;
  return out;
}

}  // namespace wasmrt::plugin
