// The plugin host's soak test: many requests from several client threads
// through `wasm-run serve` on loopback, each checked to be the whole answer
// to its own request; the server's RSS after warm-up and at the end.
//
//   plugin_host_soak WASM_RUN [--requests N] [--threads T] [--module FILE --expect hello|wc]
//                    [--rss-slack-kib K]
//
// Without --module the guest is the text-format echo reactor of
// test_guests.h. --expect hello: tests/go/plugin_reactor; wc:
// tests/go/plugin_command. Exit status 0 when no request failed or got
// another request's answer and the RSS at the end is within 10% of the RSS
// after warm-up (the first 10% of the requests).
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "server_process.h"
#include "test_guests.h"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

long rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

std::string expected_answer(const std::string& expect, const std::string& input) {
  if (expect == "hello") return "Hello, " + input + "! (tenant soak)";
  if (expect == "wc") {
    return json{{"bytes", input.size()}, {"lines", 0}, {"tenant", "soak"}, {"words", 1}}.dump() + "\n";
  }
  return "v1:" + input + ":v1";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(
        stderr,
        "usage: plugin_host_soak WASM_RUN [--requests N] [--threads T] [--module FILE --expect hello|wc]\n");
    return 2;
  }
  std::string wasm_run = argv[1];
  long requests = 100000;
  int threads = 8;
  std::string module_path, expect = "echo";
  // Growth allowed beyond the 10% (a short run's warm-up is not yet the
  // steady state: allocator arenas and JIT code still settle).
  long rss_slack_kib = 0;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string option = argv[i];
    if (option == "--requests")
      requests = std::atol(argv[i + 1]);
    else if (option == "--threads")
      threads = std::atoi(argv[i + 1]);
    else if (option == "--module")
      module_path = argv[i + 1];
    else if (option == "--expect")
      expect = argv[i + 1];
    else if (option == "--rss-slack-kib")
      rss_slack_kib = std::atol(argv[i + 1]);
    else {
      std::fprintf(stderr, "plugin_host_soak: unknown option %s\n", option.c_str());
      return 2;
    }
  }
  if (requests < 10 || threads < 1) return 2;
  std::string module_bytes = plugin_host_test::reactor_wat();
  if (!module_path.empty()) {
    std::ifstream in(module_path, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "plugin_host_soak: cannot read %s\n", module_path.c_str());
      return 1;
    }
    module_bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  std::string pattern = (fs::temp_directory_path() / "plugin_host_soak.XXXXXX").string();
  fs::path dir = ::mkdtemp(pattern.data());
  std::ofstream(dir / "tenants.json") << json{{"tenants", {{"soak", {{"max_concurrency", threads}}}}}}.dump();
  plugin_host_test::ServerProcess server;
  if (!server.start(wasm_run, (dir / "registry").string(),
                    {"--tenants", (dir / "tenants.json").string(), "--log", ""})) {
    std::fprintf(stderr, "plugin_host_soak: the server did not start\n");
    return 1;
  }
  httplib::Client admin("127.0.0.1", server.port());
  admin.set_read_timeout(60, 0);
  auto added = admin.Put("/modules", module_bytes, "application/wasm");
  if (!added || added->status / 100 != 2) {
    std::fprintf(stderr, "plugin_host_soak: PUT /modules: %s\n", added ? added->body.c_str() : "no answer");
    return 1;
  }
  std::string digest = json::parse(added->body)["digest"];
  auto activated = admin.Put("/plugins/soak", json{{"digest", digest}}.dump(), "application/json");
  if (!activated || activated->status != 200) return 1;

  std::atomic<long> next{0}, failed{0}, mixed{0}, done{0};
  std::atomic<long> warm_rss{-1};
  const long warm_up = requests / 10;
  auto started = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point warmed_at;
  std::vector<std::thread> clients;
  for (int t = 0; t < threads; ++t) {
    clients.emplace_back([&] {
      httplib::Client client("127.0.0.1", server.port());
      client.set_read_timeout(60, 0);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      for (long i = next++; i < requests; i = next++) {
        std::string input = "req" + std::to_string(i);
        auto res = client.Post("/run/soak", httplib::Headers{{"X-Tenant", "soak"}}, input,
                               "application/octet-stream");
        if (!res || res->status != 200) {
          if (failed++ < 5)
            std::fprintf(stderr, "request %ld: %s\n", i,
                         res ? (std::to_string(res->status) + " " + res->body).c_str()
                             : httplib::to_string(res.error()).c_str());
        } else if (res->body != expected_answer(expect, input)) {
          if (mixed++ < 5) std::fprintf(stderr, "request %ld got '%s'\n", i, res->body.c_str());
        }
        if (++done == warm_up) {
          warm_rss = rss_kib(server.pid());
          warmed_at = std::chrono::steady_clock::now();
        }
      }
    });
  }
  for (auto& client : clients) client.join();
  auto finished = std::chrono::steady_clock::now();
  long end_rss = rss_kib(server.pid());
  int stopped = server.stop();
  fs::remove_all(dir);

  double seconds = std::chrono::duration<double>(finished - started).count();
  double steady_seconds = std::chrono::duration<double>(finished - warmed_at).count();
  double growth =
      warm_rss > 0 ? 100.0 * static_cast<double>(end_rss - warm_rss) / static_cast<double>(warm_rss) : 0;
  std::printf(
      "plugin_host_soak: %ld requests (%s guest), %d client threads, %.1f s: %.0f requests/s "
      "(%.0f after warm-up)\n",
      requests, expect.c_str(), threads, seconds, static_cast<double>(requests) / seconds,
      static_cast<double>(requests - warm_up) / steady_seconds);
  std::printf(
      "plugin_host_soak: failed %ld, mixed %ld; server RSS %ld KiB after warm-up, %ld KiB at the end "
      "(%+.1f%%); server exit status %d\n",
      failed.load(), mixed.load(), warm_rss.load(), end_rss, growth, stopped);
  bool ok = failed == 0 && mixed == 0 && stopped == 0 && warm_rss > 0 &&
            (growth <= 10.0 || end_rss - warm_rss <= rss_slack_kib);
  std::printf("plugin_host_soak: %s\n", ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
