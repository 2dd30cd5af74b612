// The plugin host library (host/, docs/plugin-host.md): registry refusals,
// switch and rollback under load, persistence, every outcome kind, tenant
// admission, metrics and the log line.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "plugin_host/digest.h"
#include "plugin_host/plugin_host.h"
#include "test_guests.h"

namespace {

using namespace wasmrt::plugin;
using namespace plugin_host_test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using json = nlohmann::json;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "plugin_host_test.XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::unique_ptr<PluginHost> make_host(const fs::path& dir = {},
                                      std::unique_ptr<TenantTable> tenants = nullptr,
                                      std::vector<std::string>* log = nullptr) {
  HostOptions options;
  options.registry_dir = dir;
  options.tenants = std::move(tenants);
  options.smoke_limits.deadline = 10s;
  if (log) options.log = [log](std::string_view line) { log->emplace_back(line); };
  auto host = PluginHost::create(std::move(options));
  EXPECT_TRUE(host.ok()) << (host.ok() ? "" : host.error().to_string());
  return host.ok() ? std::move(*host) : nullptr;
}

std::string add(PluginHost& host, std::string_view text) {
  auto added = host.registry().add(bytes_of(text));
  EXPECT_TRUE(added.ok()) << (added.ok() ? "" : added.error().to_string());
  return added.ok() ? added->digest : "";
}

RunResponse run(PluginHost& host, std::string tenant, std::string target, std::string input) {
  RunRequest request;
  request.tenant = std::move(tenant);
  request.target = std::move(target);
  request.input = std::move(input);
  return host.run(request);
}

TEST(Digest, IsTheSha256OfTheBytes) {
  EXPECT_EQ(sha256_digest(bytes_of("abc")),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(is_digest(sha256_digest({})));
  EXPECT_FALSE(is_digest("sha256:BA7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  EXPECT_FALSE(is_digest("sha256:abc"));
}

TEST(Registry, RefusesWithATypedErrorAndLeavesNothingBehind) {
  TempDir dir;
  auto host = make_host(dir.path());
  struct Case {
    std::string text;
    ErrorCode code;
  } cases[] = {
      {std::string("\0asm\x01", 5), ErrorCode::Malformed},
      {"(module (func (export \"_start\") (i32.const 1)))", ErrorCode::Invalid},
      {"(module (import \"env\" \"nothing\" (func)) (func (export \"_start\")))", ErrorCode::Unlinkable},
      {"(module (func (export \"main\")))", ErrorCode::UnsupportedAbi},
      {"(module (func (export \"_start\") unreachable))", ErrorCode::SmokeFailed},
      {"(module (func (export \"_start\") (loop $l (br $l))))", ErrorCode::SmokeFailed},
  };
  for (const auto& c : cases) {
    auto added = host->registry().add(bytes_of(c.text));
    ASSERT_FALSE(added.ok()) << c.text;
    EXPECT_EQ(added.error().code, c.code) << c.text << ": " << added.error().to_string();
  }
  EXPECT_TRUE(host->registry().digests().empty());
  EXPECT_TRUE(fs::is_empty(dir.path() / "modules"));
  EXPECT_FALSE(fs::exists(dir.path() / "plugins.json"));
}

TEST(Registry, KeysByDigestOnceAndDetectsTheAbi) {
  auto host = make_host();
  std::string reactor = reactor_wat();
  auto first = host->registry().add(bytes_of(reactor));
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->created);
  EXPECT_EQ(first->digest, sha256_digest(bytes_of(reactor)));
  auto again = host->registry().add(bytes_of(reactor));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(host->registry().module(first->digest)->abi, GuestAbi::Reactor);
  std::string command = add(*host, command_wat());
  EXPECT_EQ(host->registry().module(command)->abi, GuestAbi::Command);
}

TEST(Registry, ActivateRollbackAndHistory) {
  auto host = make_host();
  std::string v1 = add(*host, reactor_wat("v1")), v2 = add(*host, reactor_wat("v2"));
  auto& registry = host->registry();
  EXPECT_EQ(registry.activate("echo", "sha256:" + std::string(64, '0')).error().code, ErrorCode::NotFound);
  EXPECT_EQ(registry.activate("bad/name", v1).error().code, ErrorCode::BadArgument);
  EXPECT_EQ(registry.activate("echo", "v1").error().code, ErrorCode::BadArgument);
  ASSERT_TRUE(registry.activate("echo", v1).ok());
  EXPECT_EQ(registry.rollback("echo").error().code, ErrorCode::Conflict);
  EXPECT_EQ(registry.rollback("nope").error().code, ErrorCode::NotFound);
  auto info = registry.activate("echo", v2);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->active, v2);
  EXPECT_EQ(info->history, (std::vector<std::string>{v1, v2}));
  EXPECT_EQ(run(*host, "t", "echo", "x").output, "v2:x:v2");
  // Activating the active version again (a repeated PUT) changes nothing,
  // so the rollback below still reaches v1.
  auto again = registry.activate("echo", v2);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->history, (std::vector<std::string>{v1, v2}));
  auto back = registry.rollback("echo");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->active, v1);
  EXPECT_EQ(run(*host, "t", "echo", "x").output, "v1:x:v1");
  // A digest pins a version whatever the plugin's active one is.
  EXPECT_EQ(run(*host, "t", v2, "x").output, "v2:x:v2");
}

TEST(Registry, PersistsAndReloads) {
  TempDir dir;
  std::string v1, v2, cmd;
  {
    auto host = make_host(dir.path());
    v1 = add(*host, reactor_wat("v1"));
    v2 = add(*host, reactor_wat("v2"));
    cmd = add(*host, command_wat());
    ASSERT_TRUE(host->registry().activate("echo", v1).ok());
    ASSERT_TRUE(host->registry().activate("echo", v2).ok());
    ASSERT_TRUE(host->registry().activate("cmd", cmd).ok());
  }
  auto host = make_host(dir.path());
  ASSERT_TRUE(host);
  EXPECT_EQ(host->registry().digests().size(), 3u);
  auto echo = host->registry().plugin("echo");
  ASSERT_TRUE(echo.ok());
  EXPECT_EQ(echo->history, (std::vector<std::string>{v1, v2}));
  EXPECT_EQ(run(*host, "t", "echo", "a").output, "v2:a:v2");
  EXPECT_EQ(run(*host, "t", "cmd", "b").output, "c1:b:c1");
  ASSERT_TRUE(host->registry().rollback("echo").ok());
  host.reset();
  host = make_host(dir.path());
  EXPECT_EQ(run(*host, "t", "echo", "a").output, "v1:a:v1");
}

TEST(Registry, RefusesADirectoryItDidNotWrite) {
  TempDir dir;
  {
    auto host = make_host(dir.path());
    add(*host, reactor_wat());
  }
  auto module_file = *fs::directory_iterator(dir.path() / "modules");
  std::ofstream(module_file.path(), std::ios::app) << ";; changed";
  HostOptions options;
  options.registry_dir = dir.path();
  auto host = PluginHost::create(std::move(options));
  ASSERT_FALSE(host.ok());
  EXPECT_EQ(host.error().code, ErrorCode::Corrupt);
}

// The acceptance test of issue 20: 1,000 switches of the active digest
// while 4 threads call the plugin; every response comes wholly from one
// version, and no call fails.
TEST(Registry, SwitchesAThousandTimesUnderLoadWithoutMixedResponses) {
  auto host = make_host();
  std::string v1 = add(*host, reactor_wat("v1")), v2 = add(*host, reactor_wat("v2"));
  ASSERT_TRUE(host->registry().activate("echo", v1).ok());
  std::atomic<bool> done{false};
  std::atomic<uint64_t> calls{0}, failures{0}, mixed{0}, from_v1{0}, from_v2{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&, t] {
      for (uint64_t i = 0; !done.load() || i < 50; ++i) {
        std::string input = std::string("t").append(std::to_string(t)).append("-").append(std::to_string(i));
        RunResponse response = run(*host, std::string("tenant").append(std::to_string(t)), "echo", input);
        ++calls;
        if (response.kind != OutcomeKind::Ok) {
          ++failures;
          continue;
        }
        if (response.output == "v1:" + input + ":v1" && response.digest == v1)
          ++from_v1;
        else if (response.output == "v2:" + input + ":v2" && response.digest == v2)
          ++from_v2;
        else
          ++mixed;
      }
    });
  }
  int switches = 0;
  for (; switches < 1000; ++switches) {
    ASSERT_TRUE(host->registry().activate("echo", switches % 2 == 0 ? v2 : v1).ok());
    // Long enough for calls to start between switches, not only after them.
    std::this_thread::sleep_for(100us);
  }
  done = true;
  for (auto& client : clients) client.join();
  EXPECT_EQ(switches, 1000);
  EXPECT_EQ(failures.load(), 0u);
  EXPECT_EQ(mixed.load(), 0u);
  EXPECT_GT(from_v1.load(), 0u);
  EXPECT_GT(from_v2.load(), 0u);
  EXPECT_EQ(from_v1 + from_v2, calls.load());
  std::printf("switches=%d calls=%llu v1=%llu v2=%llu mixed=%llu failed=%llu\n", switches,
              static_cast<unsigned long long>(calls.load()), static_cast<unsigned long long>(from_v1.load()),
              static_cast<unsigned long long>(from_v2.load()), static_cast<unsigned long long>(mixed.load()),
              static_cast<unsigned long long>(failures.load()));
}

std::unique_ptr<TenantTable> strict_tenants() {
  auto table = TenantTable::from_json(json::parse(R"({
    "default": {"deadline_ms": 10000, "max_memory_pages": 32, "fuel": 50000000, "max_output_bytes": 4096},
    "tenants": {
      "slow": {"deadline_ms": 100, "fuel": 9000000000000}
    }})"));
  EXPECT_TRUE(table.ok()) << (table.ok() ? "" : table.error().to_string());
  return std::move(*table);
}

struct Expect {
  std::string input;
  std::string tenant;
  OutcomeKind kind;
};

void expect_outcomes(PluginHost& host, const std::string& plugin, const std::vector<Expect>& cases) {
  for (const auto& c : cases) {
    RunResponse response = run(host, c.tenant, plugin, c.input);
    EXPECT_EQ(outcome_name(response.kind), std::string(outcome_name(c.kind)))
        << plugin << " '" << c.input << "': " << response.message;
  }
}

TEST(Outcomes, EveryKindFromAReactor) {
  auto host = make_host({}, strict_tenants());
  ASSERT_TRUE(host->registry().activate("r", add(*host, reactor_wat())).ok());
  expect_outcomes(*host, "r",
                  {{"hello", "a", OutcomeKind::Ok},
                   {"E", "a", OutcomeKind::ApplicationError},
                   {"T", "a", OutcomeKind::Trap},
                   {"S", "a", OutcomeKind::Trap},
                   {"L", "a", OutcomeKind::Fuel},
                   {"L", "slow", OutcomeKind::Deadline},
                   {"M", "a", OutcomeKind::MemoryCap},
                   // Near the cap but never refused: the trap is the guest's.
                   {"G", "a", OutcomeKind::Trap},
                   // Refused, coped with, answered: no failure at all.
                   {"R", "a", OutcomeKind::Ok},
                   {"O", "a", OutcomeKind::OutputCap},
                   {"x", "bad tenant", OutcomeKind::BadRequest}});
  RunResponse error = run(*host, "a", "r", "E");
  EXPECT_EQ(error.code, 42);
  EXPECT_EQ(error.message, "bad input");
  RunResponse trap = run(*host, "a", "r", "T");
  EXPECT_EQ(trap.trap_kind, "unreachable");
  ASSERT_FALSE(trap.backtrace.empty());
  EXPECT_EQ(trap.backtrace[0], "#0 func 3");
  EXPECT_EQ(run(*host, "a", "r", "S").trap_kind, "call_stack_exhausted");
  RunResponse bomb = run(*host, "a", "r", "M");
  EXPECT_EQ(bomb.peak_memory_pages, 32u);
  EXPECT_EQ(run(*host, "a", "missing", "x").kind, OutcomeKind::NotFound);
}

TEST(Outcomes, EveryKindFromACommand) {
  auto host = make_host({}, strict_tenants());
  ASSERT_TRUE(host->registry().activate("c", add(*host, command_wat())).ok());
  expect_outcomes(*host, "c",
                  {{"hello", "a", OutcomeKind::Ok},
                   {"E", "a", OutcomeKind::ApplicationError},
                   {"T", "a", OutcomeKind::Trap},
                   {"S", "a", OutcomeKind::Trap},
                   {"L", "a", OutcomeKind::Fuel},
                   {"L", "slow", OutcomeKind::Deadline},
                   {"M", "a", OutcomeKind::MemoryCap},
                   {"O", "a", OutcomeKind::OutputCap}});
  RunResponse ok = run(*host, "a", "c", "hello");
  EXPECT_EQ(ok.output, "c1:hello:c1");
  RunResponse error = run(*host, "a", "c", "E");
  EXPECT_EQ(error.code, 3);
  EXPECT_EQ(error.message, "bad input");
}

TEST(Isolation, EachRequestStartsFromTheModulesInitialState) {
  auto host = make_host();
  ASSERT_TRUE(host->registry().activate("r", add(*host, reactor_wat())).ok());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(run(*host, "a", "r", "C").output, std::string(1, '\x01'));
}

TEST(Tenants, QueueBoundAndQueueTimeout) {
  TenantLimits limits;
  limits.max_concurrency = 1;
  limits.max_queue = 1;
  limits.queue_timeout = 2000ms;
  Tenant tenant("t", limits);
  auto first = tenant.admit();
  ASSERT_EQ(first.refusal, OutcomeKind::Ok);
  std::atomic<bool> second_admitted{false};
  std::thread waiter([&] {
    auto second = tenant.admit();
    second_admitted = second.refusal == OutcomeKind::Ok;
  });
  while (tenant.queued() == 0) std::this_thread::yield();
  auto third = tenant.admit();  // the queue (1) is full
  EXPECT_EQ(third.refusal, OutcomeKind::Overloaded);
  EXPECT_NE(third.reason.find("queue"), std::string::npos);
  first.permit.release();  // hands the slot to the waiter
  waiter.join();
  EXPECT_TRUE(second_admitted);
  EXPECT_EQ(tenant.running(), 0u);

  limits.queue_timeout = 30ms;
  tenant.set_limits(limits);
  auto holder = tenant.admit();
  auto timed_out = tenant.admit();
  EXPECT_EQ(timed_out.refusal, OutcomeKind::Overloaded);
  EXPECT_GE(timed_out.queued, 30ms);
  EXPECT_EQ(tenant.queued(), 0u);
}

TEST(Tenants, RaisingConcurrencyAdmitsWaiters) {
  TenantLimits limits;
  limits.max_concurrency = 1;
  limits.queue_timeout = 10000ms;
  Tenant tenant("t", limits);
  auto first = tenant.admit();
  std::atomic<bool> admitted{false};
  std::thread waiter([&] { admitted = tenant.admit().refusal == OutcomeKind::Ok; });
  while (tenant.queued() == 0) std::this_thread::yield();
  limits.max_concurrency = 2;
  tenant.set_limits(limits);
  waiter.join();
  EXPECT_TRUE(admitted);
}

TEST(Tenants, RateLimit) {
  TenantLimits limits;
  limits.rate_per_second = 0.001;  // no refill during the test
  limits.rate_burst = 3;
  Tenant tenant("t", limits);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(tenant.admit().refusal, OutcomeKind::Ok);
  EXPECT_EQ(tenant.admit().refusal, OutcomeKind::RateLimited);
}

TEST(Tenants, ConfigDocument) {
  auto table = TenantTable::from_json(json::parse(R"({"default": {"max_concurrency": 2},
      "tenants": {"gold": {"max_concurrency": 8, "deadline_ms": 50}}})"));
  ASSERT_TRUE(table.ok());
  EXPECT_EQ((*table)->get("gold")->limits().max_concurrency, 8u);
  EXPECT_EQ((*table)->get("gold")->limits().deadline, 50ms);
  EXPECT_EQ((*table)->get("someone")->limits().max_concurrency, 2u);
  EXPECT_FALSE(TenantTable::from_json(json::parse(R"({"default": {"max_concurency": 2}})")).ok());
  EXPECT_FALSE(TenantTable::from_json(json::parse(R"({"default": {"max_concurrency": 0}})")).ok());
  EXPECT_FALSE(TenantTable::from_json(json::parse(R"({"tenants": {"a b": {}}})")).ok());
  EXPECT_FALSE(TenantTable::from_json(json::parse(R"({"default": {"fuel": -1}})")).ok());
}

TEST(Tenants, UnknownNamesAreBounded) {
  TenantTable table;
  for (std::size_t i = 0; i < TenantTable::kMaxDynamicTenants + 10; ++i)
    table.get(std::string("t").append(std::to_string(i)));
  EXPECT_EQ(table.get("one-more")->name(), "_other");
  EXPECT_LE(table.all().size(), TenantTable::kMaxDynamicTenants + 1);
}

TEST(Metrics, CountsMatchTheRequestsSentAndTheLogLineNamesThem) {
  std::vector<std::string> log;
  auto host = make_host({}, strict_tenants(), &log);
  std::string digest = add(*host, reactor_wat());
  ASSERT_TRUE(host->registry().activate("r", digest).ok());
  for (int i = 0; i < 7; ++i) (void)run(*host, "a", "r", "x");
  for (int i = 0; i < 3; ++i) (void)run(*host, "a", "r", "T");
  (void)run(*host, "b", "r", "E");
  (void)run(*host, "b", "no-such-plugin", "x");
  auto& metrics = host->metrics();
  // Unresolved names are not labels (arbitrary names would grow the metrics).
  EXPECT_EQ(metrics.count("", "", "b", OutcomeKind::NotFound), 1u);
  EXPECT_EQ(metrics.count("r", digest, "a", OutcomeKind::Ok), 7u);
  EXPECT_EQ(metrics.count("r", digest, "a", OutcomeKind::Trap), 3u);
  EXPECT_EQ(metrics.count("r", digest, "b", OutcomeKind::ApplicationError), 1u);
  std::string text = host->prometheus();
  std::string labels = "plugin=\"r\",digest=\"" + digest + "\",tenant=\"a\"";
  EXPECT_NE(text.find("wasmrt_host_requests_total{" + labels + ",outcome=\"ok\"} 7\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("wasmrt_host_requests_total{" + labels + ",outcome=\"trap\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("wasmrt_host_request_duration_seconds_count{" + labels + "} 10\n"), std::string::npos);
  EXPECT_NE(text.find("wasmrt_host_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} 10\n"),
            std::string::npos);
  EXPECT_NE(text.find("wasmrt_host_request_duration_quantile_seconds{" + labels + ",quantile=\"0.99\"}"),
            std::string::npos);
  EXPECT_NE(text.find("wasmrt_host_fuel_consumed_total{" + labels + "} "), std::string::npos);
  ASSERT_EQ(log.size(), 12u);
  EXPECT_EQ(json::parse(log.back())["plugin"], "no-such-plugin");
  json line = json::parse(log[10]);
  EXPECT_EQ(line["tenant"], "b");
  EXPECT_EQ(line["plugin"], "r");
  EXPECT_EQ(line["digest"], digest);
  EXPECT_EQ(line["outcome"], "application_error");
  EXPECT_EQ(line["code"], 42);
  EXPECT_TRUE(line["latency_ms"].is_number());
  EXPECT_TRUE(line["fuel"].is_number());
  EXPECT_TRUE(line["peak_pages"].is_number());
}

TEST(Metrics, HistogramQuantilesAreWithinOneBucket) {
  LatencyHistogram histogram;
  for (int i = 1; i <= 100; ++i) histogram.add(std::chrono::microseconds(i * 100));
  EXPECT_NEAR(histogram.quantile(0.5), 0.005, 0.005 * 0.2);
  EXPECT_NEAR(histogram.quantile(0.99), 0.0099, 0.0099 * 0.2);
  EXPECT_EQ(histogram.count_at_most(1), 100u);
}

TEST(Shutdown, InterruptInFlightStopsRunningCalls) {
  auto tenants = std::make_unique<TenantTable>();
  TenantLimits limits;
  limits.deadline = 60s;
  limits.fuel = uint64_t{1} << 62;
  tenants->set("patient", limits);
  auto host = make_host({}, std::move(tenants));
  ASSERT_TRUE(host->registry().activate("r", add(*host, reactor_wat())).ok());
  RunResponse response;
  std::thread caller([&] { response = run(*host, "patient", "r", "L"); });
  while (host->in_flight() == 0) std::this_thread::sleep_for(1ms);
  host->interrupt_in_flight();
  caller.join();
  EXPECT_EQ(response.kind, OutcomeKind::Interrupted);
}

}  // namespace
