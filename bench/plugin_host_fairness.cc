// The plugin host's fairness benchmark (issue 20, docs/plugin-host.md):
// three tenants call `wasm-run serve` at once; "heavy" sends CPU-bound
// requests (each loops until its 2 s deadline) from several clients, "b"
// and "c" send small echo requests one after another. Reports b's and c's
// p50/p99 latency alone, with heavy limited by its tenant semaphore
// (max_concurrency 1) and without it (max_concurrency 64), and the whole
// server's throughput, as a Markdown table.
//
//   plugin_host_fairness WASM_RUN [--seconds S] [--heavy-clients N]
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "server_process.h"
#include "test_guests.h"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

struct Scenario {
  const char* name;
  bool heavy;
  uint32_t heavy_concurrency;
};

struct Figures {
  double p50_ms = 0, p99_ms = 0;
  long light_requests = 0, heavy_requests = 0, light_failures = 0;
  double seconds = 0;
};

double percentile(std::vector<double>& values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  std::size_t rank = static_cast<std::size_t>(q * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(rank, values.size() - 1)];
}

Figures run_scenario(const std::string& wasm_run, const Scenario& scenario, double seconds,
                     int heavy_clients) {
  Figures out;
  std::string pattern = (fs::temp_directory_path() / "plugin_host_fairness.XXXXXX").string();
  fs::path dir = ::mkdtemp(pattern.data());
  json tenants = {{"default", {{"fuel", 4000000000000000000ull}}},
                  {"tenants",
                   {{"heavy",
                     {{"max_concurrency", scenario.heavy_concurrency},
                      {"max_queue", 64},
                      {"queue_timeout_ms", 60000},
                      {"deadline_ms", 2000}}},
                    {"b", {{"max_concurrency", 4}}},
                    {"c", {{"max_concurrency", 4}}}}}};
  std::ofstream(dir / "tenants.json") << tenants.dump();
  plugin_host_test::ServerProcess server;
  if (!server.start(wasm_run, (dir / "registry").string(),
                    {"--tenants", (dir / "tenants.json").string(), "--log", "", "--grace", "0"},
                    "/dev/null")) {
    std::fprintf(stderr, "plugin_host_fairness: the server did not start\n");
    std::exit(1);
  }
  httplib::Client admin("127.0.0.1", server.port());
  auto added = admin.Put("/modules", plugin_host_test::reactor_wat(), "application/wasm");
  std::string digest = json::parse(added->body)["digest"];
  admin.Put("/plugins/p", json{{"digest", digest}}.dump(), "application/json");

  std::atomic<bool> stop{false};
  std::atomic<long> heavy_done{0}, light_failures{0};
  std::vector<std::vector<double>> latencies(2);
  std::vector<std::thread> threads;
  if (scenario.heavy) {
    for (int i = 0; i < heavy_clients; ++i) {
      threads.emplace_back([&] {
        httplib::Client client("127.0.0.1", server.port());
        client.set_tcp_nodelay(true);
        client.set_read_timeout(120, 0);
        while (!stop) {
          auto res =
              client.Post("/run/p", httplib::Headers{{"X-Tenant", "heavy"}}, "L", "application/octet-stream");
          if (res) ++heavy_done;
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the heavy calls are running
  }
  auto started = Clock::now();
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      httplib::Client client("127.0.0.1", server.port());
      client.set_tcp_nodelay(true);
      client.set_read_timeout(120, 0);
      std::string tenant = t == 0 ? "b" : "c";
      for (long i = 0; Clock::now() - started < std::chrono::duration<double>(seconds); ++i) {
        std::string input = std::to_string(i);
        auto before = Clock::now();
        auto res =
            client.Post("/run/p", httplib::Headers{{"X-Tenant", tenant}}, input, "application/octet-stream");
        double ms = std::chrono::duration<double, std::milli>(Clock::now() - before).count();
        if (!res || res->status != 200 || res->body != "v1:" + input + ":v1") ++light_failures;
        latencies[static_cast<std::size_t>(t)].push_back(ms);
      }
    });
  }
  for (std::size_t i = scenario.heavy ? static_cast<std::size_t>(heavy_clients) : 0; i < threads.size(); ++i)
    threads[i].join();
  out.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  stop = true;
  server.stop();  // --grace 0: the heavy calls are interrupted
  for (int i = 0; scenario.heavy && i < heavy_clients; ++i) threads[static_cast<std::size_t>(i)].join();
  fs::remove_all(dir);
  std::vector<double> all = latencies[0];
  all.insert(all.end(), latencies[1].begin(), latencies[1].end());
  out.light_requests = static_cast<long>(all.size());
  out.p50_ms = percentile(all, 0.50);
  out.p99_ms = percentile(all, 0.99);
  out.heavy_requests = heavy_done;
  out.light_failures = light_failures;
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: plugin_host_fairness WASM_RUN [--seconds S] [--heavy-clients N]\n");
    return 2;
  }
  double seconds = 8;
  int heavy_clients = 6;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string option = argv[i];
    if (option == "--seconds")
      seconds = std::atof(argv[i + 1]);
    else if (option == "--heavy-clients")
      heavy_clients = std::atoi(argv[i + 1]);
  }
  const Scenario scenarios[] = {{"b and c alone", false, 1},
                                {"with heavy, semaphore (max_concurrency 1)", true, 1},
                                {"with heavy, no semaphore (max_concurrency 64)", true, 64}};
  std::printf(
      "| scenario | b+c requests | b+c p50 ms | b+c p99 ms | b+c failed | heavy requests ended | server "
      "requests/s |\n");
  std::printf("| --- | --- | --- | --- | --- | --- | --- |\n");
  for (const auto& scenario : scenarios) {
    Figures f = run_scenario(argv[1], scenario, seconds, heavy_clients);
    std::printf("| %s | %ld | %.2f | %.2f | %ld | %ld | %.0f |\n", scenario.name, f.light_requests, f.p50_ms,
                f.p99_ms, f.light_failures, f.heavy_requests,
                static_cast<double>(f.light_requests + f.heavy_requests) / f.seconds);
    std::fflush(stdout);
  }
  return 0;
}
