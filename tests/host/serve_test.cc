// `wasm-run serve` end to end over HTTP on loopback (docs/plugin-host.md):
// every endpoint, every outcome's status and metric with hostile guests
// while another tenant keeps being served, tenant limits, switching under
// load, and graceful shutdown with the registry surviving a restart.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "server_process.h"
#include "test_guests.h"

namespace {

using namespace plugin_host_test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using json = nlohmann::json;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "serve_test.XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Limits that make every budget easy to hit: "good" is the well-behaved
// tenant, "slow" has a short deadline and ample fuel, "narrow" runs one
// request and queues none, "rated" gets two requests.
constexpr const char* kTenants = R"({
  "default": {"deadline_ms": 10000, "max_memory_pages": 32, "fuel": 50000000, "max_output_bytes": 4096},
  "tenants": {
    "good": {"max_concurrency": 8},
    "slow": {"deadline_ms": 200, "fuel": 9000000000000},
    "narrow": {"max_concurrency": 1, "max_queue": 0, "deadline_ms": 400, "fuel": 9000000000000},
    "rated": {"rate_per_second": 0.001, "rate_burst": 2}
  }})";

class Serve : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.path() / "tenants.json") << kTenants;
    start();
  }
  void start() {
    ASSERT_TRUE(
        server_.start(WASMRT_WASM_RUN, (dir_.path() / "registry").string(),
                      {"--tenants", (dir_.path() / "tenants.json").string(), "--log", "", "--grace", "5"}));
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_.port());
    client_->set_read_timeout(30, 0);
  }
  std::string add_module(const std::string& text) {
    auto res = client_->Put("/modules", text, "application/wasm");
    EXPECT_TRUE(res);
    if (!res) return "";
    EXPECT_TRUE(res->status == 201 || res->status == 200) << res->body;
    return json::parse(res->body)["digest"].get<std::string>();
  }
  void activate(const std::string& plugin, const std::string& digest) {
    auto res = client_->Put("/plugins/" + plugin, json{{"digest", digest}}.dump(), "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
  }
  httplib::Result run(httplib::Client& client, const std::string& tenant, const std::string& plugin,
                      const std::string& body) {
    return client.Post("/run/" + plugin, httplib::Headers{{"X-Tenant", tenant}}, body,
                       "application/octet-stream");
  }
  // True once one of the tenant's requests runs (GET /tenants).
  bool wait_running(const std::string& tenant) {
    for (int attempt = 0; attempt < 5000; ++attempt) {
      auto tenants = client_->Get("/tenants");
      if (tenants) {
        json state = json::parse(tenants->body)["tenants"];
        if (state.contains(tenant) && state[tenant]["running"] == 1) return true;
      }
      std::this_thread::sleep_for(1ms);
    }
    return false;
  }
  std::string metrics() {
    auto res = client_->Get("/metrics");
    return res ? res->body : "";
  }

  TempDir dir_;
  ServerProcess server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(Serve, RegistryEndpoints) {
  auto first = client_->Put("/modules", reactor_wat("v1"), "application/wasm");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 201);
  json added = json::parse(first->body);
  EXPECT_EQ(added["abi"], "reactor");
  std::string v1 = added["digest"];
  EXPECT_EQ(client_->Put("/modules", reactor_wat("v1"), "application/wasm")->status, 200);
  auto bad = client_->Put("/modules", "(module (func (export \"_start\") unreachable))", "application/wasm");
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(json::parse(bad->body)["error"]["kind"], "smoke_failed");
  EXPECT_EQ(json::parse(client_->Put("/modules", "garbage", "application/wasm")->body)["error"]["kind"],
            "malformed");

  std::string v2 = add_module(reactor_wat("v2"));
  activate("echo", v1);
  activate("echo", v2);
  auto info = client_->Get("/plugins/echo");
  EXPECT_EQ(json::parse(info->body)["history"], json::array({v1, v2}));
  EXPECT_EQ(run(*client_, "good", "echo", "a")->body, "v2:a:v2");
  auto back = client_->Post("/plugins/echo/rollback", "", "application/json");
  EXPECT_EQ(back->status, 200);
  EXPECT_EQ(json::parse(back->body)["active"], v1);
  EXPECT_EQ(run(*client_, "good", "echo", "a")->body, "v1:a:v1");
  EXPECT_EQ(client_->Post("/plugins/echo/rollback", "", "application/json")->status, 409);
  EXPECT_EQ(client_->Get("/plugins/nothing")->status, 404);
  EXPECT_EQ(client_->Put("/plugins/echo", "{\"digest\":\"sha256:00\"}", "application/json")->status, 400);
  EXPECT_EQ(client_->Put("/plugins/echo", "not json", "application/json")->status, 400);
  auto pinned = run(*client_, "good", v2, "p");
  EXPECT_EQ(pinned->body, "v2:p:v2");
  EXPECT_EQ(pinned->get_header_value("X-Wasmrt-Digest"), v2);
  EXPECT_EQ(run(*client_, "good", "nothing", "x")->status, 404);
  EXPECT_EQ(client_->Get("/healthz")->body, "ok\n");
}

struct HostileCase {
  const char* input;
  const char* tenant;
  int status;
  const char* outcome;
};

// Each hostile request ends in its typed outcome (status, JSON body,
// metric) while the well-behaved tenant keeps being served throughout.
void check_hostile(const std::string& plugin, const std::vector<HostileCase>& cases,
                   const std::function<httplib::Result(const char*, const char*)>& run) {
  for (const auto& c : cases) {
    auto res = run(c.tenant, c.input);
    ASSERT_TRUE(res) << c.input;
    EXPECT_EQ(res->status, c.status) << plugin << " " << c.input << ": " << res->body;
    EXPECT_EQ(res->get_header_value("X-Wasmrt-Outcome"), c.outcome) << plugin << " " << c.input;
    if (c.status != 200) {
      json body = json::parse(res->body);
      EXPECT_EQ(body["error"]["outcome"], c.outcome);
      EXPECT_TRUE(body["error"]["message"].is_string());
    }
  }
}

TEST_F(Serve, HostileGuestsGetTheirOutcomesWhileOthersAreServed) {
  std::string reactor = add_module(reactor_wat());
  std::string command = add_module(command_wat());
  activate("r", reactor);
  activate("c", command);

  std::atomic<bool> done{false};
  std::atomic<int> good_ok{0}, good_failed{0};
  std::thread neighbour([&] {
    httplib::Client client("127.0.0.1", server_.port());
    for (int i = 0; !done; ++i) {
      std::string input = std::to_string(i);
      auto res = run(client, "good", i % 2 ? "r" : "c", input);
      bool ok =
          res && res->status == 200 && res->body == (i % 2 ? "v1:" + input + ":v1" : "c1:" + input + ":c1");
      (ok ? good_ok : good_failed)++;
    }
  });
  std::vector<HostileCase> cases = {
      {"E", "a", 422, "application_error"},
      {"T", "a", 500, "trap"},
      {"S", "a", 500, "trap"},
      {"L", "a", 508, "fuel"},
      {"L", "slow", 504, "deadline"},
      {"M", "a", 507, "memory_cap"},
      {"O", "a", 502, "output_cap"},
      {"hi", "bad tenant!", 400, "bad_request"},
  };
  for (const char* plugin : {"r", "c"}) {
    check_hostile(plugin, cases, [&](const char* tenant, const char* input) {
      return run(*client_, tenant, plugin, input);
    });
  }
  auto trap = run(*client_, "a", "r", "T");
  json body = json::parse(trap->body)["error"];
  EXPECT_EQ(body["trap"], "unreachable");
  EXPECT_TRUE(body["backtrace"].is_array());
  EXPECT_EQ(json::parse(run(*client_, "a", "r", "E")->body)["error"]["code"], 42);
  EXPECT_EQ(json::parse(run(*client_, "a", "c", "E")->body)["error"]["code"], 3);
  done = true;
  neighbour.join();
  EXPECT_GT(good_ok.load(), 0);
  EXPECT_EQ(good_failed.load(), 0);

  // The metrics count exactly what was sent.
  std::string text = metrics();
  std::string labels = "plugin=\"r\",digest=\"" + reactor + "\",tenant=\"a\"";
  for (auto [outcome, n] : std::vector<std::pair<std::string, int>>{
           {"application_error", 2}, {"trap", 3}, {"fuel", 1}, {"memory_cap", 1}, {"output_cap", 1}}) {
    EXPECT_NE(text.find("wasmrt_host_requests_total{" + labels + ",outcome=\"" + outcome + "\"} " +
                        std::to_string(n) + "\n"),
              std::string::npos)
        << outcome;
  }
  EXPECT_NE(text.find("wasmrt_host_requests_total{plugin=\"r\",digest=\"" + reactor +
                      "\",tenant=\"slow\",outcome=\"deadline\"} 1\n"),
            std::string::npos);
  // The server is still serving.
  EXPECT_EQ(run(*client_, "good", "r", "x")->status, 200);
}

TEST_F(Serve, TenantQueueAndRateLimits) {
  activate("r", add_module(reactor_wat()));
  // "narrow": one request at a time, no queue. The first runs into its
  // 400 ms deadline; the second, sent meanwhile, is refused at once.
  std::thread first([&] {
    httplib::Client client("127.0.0.1", server_.port());
    auto res = run(client, "narrow", "r", "L");
    EXPECT_EQ(res->status, 504);
  });
  // Wait until the long request holds narrow's one slot.
  ASSERT_TRUE(wait_running("narrow"));
  auto refused = run(*client_, "narrow", "r", "x");
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(json::parse(refused->body)["error"]["outcome"], "overloaded");
  EXPECT_EQ(refused->get_header_value("Retry-After"), "1");
  first.join();
  EXPECT_EQ(run(*client_, "rated", "r", "x")->status, 200);
  EXPECT_EQ(run(*client_, "rated", "r", "x")->status, 200);
  auto limited = run(*client_, "rated", "r", "x");
  EXPECT_EQ(limited->status, 429);
  EXPECT_EQ(json::parse(limited->body)["error"]["outcome"], "rate_limited");
  // Limits change at run time.
  auto changed = client_->Put("/tenants/rated", "{\"rate_per_second\": 0}", "application/json");
  EXPECT_EQ(changed->status, 200);
  EXPECT_EQ(run(*client_, "rated", "r", "x")->status, 200);
  EXPECT_EQ(client_->Put("/tenants/rated", "{\"fule\": 1}", "application/json")->status, 400);
}

TEST_F(Serve, SwitchingUnderLoadNeverMixesVersions) {
  std::string v1 = add_module(reactor_wat("v1")), v2 = add_module(reactor_wat("v2"));
  activate("echo", v1);
  std::atomic<bool> done{false};
  std::atomic<int> ok{0}, bad{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&, t] {
      httplib::Client client("127.0.0.1", server_.port());
      for (int i = 0; !done; ++i) {
        std::string input = std::to_string(t) + "." + std::to_string(i);
        auto res = run(client, "good", "echo", input);
        bool whole =
            res && res->status == 200 &&
            ((res->body == "v1:" + input + ":v1" && res->get_header_value("X-Wasmrt-Digest") == v1) ||
             (res->body == "v2:" + input + ":v2" && res->get_header_value("X-Wasmrt-Digest") == v2));
        (whole ? ok : bad)++;
      }
    });
  }
  for (int i = 0; i < 200; ++i) activate("echo", i % 2 ? v1 : v2);
  done = true;
  for (auto& client : clients) client.join();
  EXPECT_GT(ok.load(), 0);
  EXPECT_EQ(bad.load(), 0);
}

TEST_F(Serve, SigtermFinishesRunningRequestsPersistsAndRestarts) {
  std::string digest = add_module(reactor_wat());
  activate("r", digest);
  // A request running when SIGTERM arrives finishes (its 200 ms deadline
  // is well inside the 5 s grace period) and gets its answer.
  int status = 0;
  std::thread running([&] {
    httplib::Client client("127.0.0.1", server_.port());
    auto res = run(client, "slow", "r", "L");
    status = res ? res->status : -1;
  });
  ASSERT_TRUE(wait_running("slow"));
  EXPECT_EQ(server_.stop(), 0);
  running.join();
  EXPECT_EQ(status, 504);
  EXPECT_TRUE(fs::exists(dir_.path() / "registry" / "plugins.json"));
  start();
  auto info = client_->Get("/plugins/r");
  ASSERT_TRUE(info);
  EXPECT_EQ(json::parse(info->body)["active"], digest);
  EXPECT_EQ(run(*client_, "good", "r", "back")->body, "v1:back:v1");
}

}  // namespace
