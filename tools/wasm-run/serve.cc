// `wasm-run serve`: the plugin host (host/, docs/plugin-host.md) over
// HTTP/1.1, on cpp-httplib. The endpoints are listed in the README and in
// docs/plugin-host.md; every request outcome has its own status and a JSON
// error body. SIGTERM or SIGINT: stop accepting, let running requests
// finish for --grace, then interrupt them, persist the registry, exit 0.
#include "serve.h"

#include <httplib.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "plugin_host/digest.h"
#include "plugin_host/plugin_host.h"

namespace {

using json = nlohmann::json;
using namespace wasmrt::plugin;

constexpr const char* kJson = "application/json";

std::string dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

int status_of(OutcomeKind kind) {
  switch (kind) {
    case OutcomeKind::Ok: return 200;
    case OutcomeKind::ApplicationError: return 422;
    case OutcomeKind::Trap: return 500;
    case OutcomeKind::OutputCap: return 502;
    case OutcomeKind::Overloaded: return 503;
    case OutcomeKind::Interrupted: return 503;
    case OutcomeKind::Deadline: return 504;
    case OutcomeKind::MemoryCap: return 507;
    case OutcomeKind::Fuel: return 508;
    case OutcomeKind::RateLimited: return 429;
    case OutcomeKind::NotFound: return 404;
    case OutcomeKind::BadRequest: return 400;
  }
  return 500;
}

int status_of(ErrorCode code) {
  switch (code) {
    case ErrorCode::NotFound: return 404;
    case ErrorCode::Conflict: return 409;
    case ErrorCode::Io:
    case ErrorCode::Corrupt: return 500;
    default: return 400;
  }
}

void reply_error(httplib::Response& res, const Error& error) {
  res.status = status_of(error.code);
  res.set_content(dump({{"error", {{"kind", error_code_name(error.code)}, {"message", error.message}}}}),
                  kJson);
}

json plugin_json(const PluginInfo& info) {
  return {{"name", info.name}, {"active", info.active}, {"history", info.history}};
}

// One JSON line per request, to stderr, a file, or nowhere.
class LogSink {
 public:
  bool open(const std::string& path) {
    if (path.empty()) return true;
    if (path == "-") {
      file_ = stderr;
      return true;
    }
    file_ = std::fopen(path.c_str(), "a");
    owned_ = file_ != nullptr;
    return file_ != nullptr;
  }
  ~LogSink() {
    if (owned_) std::fclose(file_);
  }
  void write(std::string_view line) {
    if (!file_) return;
    std::lock_guard lock(mutex_);
    std::fwrite(line.data(), 1, line.size(), file_);
    std::fputc('\n', file_);
    std::fflush(file_);
  }

 private:
  std::mutex mutex_;
  std::FILE* file_ = nullptr;
  bool owned_ = false;
};

void define_routes(httplib::Server& server, PluginHost& host) {
  server.Put("/modules", [&host](const httplib::Request& req, httplib::Response& res) {
    auto added = host.registry().add(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(req.body.data()), req.body.size()));
    if (!added.ok()) return reply_error(res, added.error());
    auto entry = host.registry().module(added->digest);
    res.status = added->created ? 201 : 200;
    res.set_content(dump({{"digest", added->digest}, {"abi", guest_abi_name(entry->abi)}}), kJson);
  });
  server.Get("/modules", [&host](const httplib::Request&, httplib::Response& res) {
    res.set_content(dump({{"modules", host.registry().digests()}}), kJson);
  });
  server.Get("/plugins", [&host](const httplib::Request&, httplib::Response& res) {
    json list = json::array();
    for (const auto& info : host.registry().plugins()) list.push_back(plugin_json(info));
    res.set_content(dump({{"plugins", list}}), kJson);
  });
  server.Put(R"(/plugins/([^/]+))", [&host](const httplib::Request& req, httplib::Response& res) {
    json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    if (!body.is_object() || !body.contains("digest") || !body["digest"].is_string())
      return reply_error(res, Error{ErrorCode::BadArgument, "the body must be {\"digest\": \"sha256:...\"}"});
    auto info = host.registry().activate(req.matches[1].str(), body["digest"].get<std::string>());
    if (!info.ok()) return reply_error(res, info.error());
    res.set_content(dump(plugin_json(*info)), kJson);
  });
  server.Get(R"(/plugins/([^/]+))", [&host](const httplib::Request& req, httplib::Response& res) {
    auto info = host.registry().plugin(req.matches[1].str());
    if (!info.ok()) return reply_error(res, info.error());
    res.set_content(dump(plugin_json(*info)), kJson);
  });
  server.Post(R"(/plugins/([^/]+)/rollback)", [&host](const httplib::Request& req, httplib::Response& res) {
    auto info = host.registry().rollback(req.matches[1].str());
    if (!info.ok()) return reply_error(res, info.error());
    res.set_content(dump(plugin_json(*info)), kJson);
  });
  server.Get("/tenants", [&host](const httplib::Request&, httplib::Response& res) {
    res.set_content(dump(host.tenants().to_json()), kJson);
  });
  server.Put(R"(/tenants/([^/]+))", [&host](const httplib::Request& req, httplib::Response& res) {
    std::string name = req.matches[1].str();
    if (!is_tenant_name(name))
      return reply_error(res, Error{ErrorCode::BadArgument, quote_text(name) + " is not a tenant name"});
    json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded()) return reply_error(res, Error{ErrorCode::BadArgument, "the body is not JSON"});
    // Fields not given keep the tenant's current values.
    auto limits = limits_from_json(body, host.tenants().get(name)->limits());
    if (!limits.ok()) return reply_error(res, limits.error());
    host.tenants().set(name, *limits);
    res.set_content(dump(limits_to_json(*limits)), kJson);
  });
  server.Post(R"(/run/([^/]+))", [&host](const httplib::Request& req, httplib::Response& res) {
    static std::atomic<uint64_t> next_id{0};
    RunRequest request;
    request.target = req.matches[1].str();
    request.tenant = req.has_header("X-Tenant") ? req.get_header_value("X-Tenant") : "anonymous";
    request.input = req.body;
    request.request_id = req.has_header("X-Request-Id") ? req.get_header_value("X-Request-Id").substr(0, 128)
                                                        : "r" + std::to_string(++next_id);
    if (req.has_header("Content-Type"))
      request.env.emplace_back("WASMRT_CONTENT_TYPE", req.get_header_value("Content-Type"));
    RunResponse response = host.run(request);
    res.status = status_of(response.kind);
    res.set_header("X-Wasmrt-Outcome", outcome_name(response.kind));
    res.set_header("X-Request-Id", request.request_id);
    if (!response.digest.empty()) res.set_header("X-Wasmrt-Digest", response.digest);
    res.set_header("X-Wasmrt-Fuel", std::to_string(response.fuel_used));
    if (response.kind == OutcomeKind::Ok) {
      res.set_content(response.output, "application/octet-stream");
      return;
    }
    if (response.kind == OutcomeKind::Overloaded || response.kind == OutcomeKind::RateLimited)
      res.set_header("Retry-After", "1");
    json body = {{"outcome", outcome_name(response.kind)}, {"message", response.message}};
    if (!response.plugin.empty()) body["plugin"] = response.plugin;
    if (!response.digest.empty()) body["digest"] = response.digest;
    if (response.kind == OutcomeKind::ApplicationError) body["code"] = response.code;
    if (!response.trap_kind.empty()) body["trap"] = response.trap_kind;
    if (!response.backtrace.empty()) body["backtrace"] = response.backtrace;
    res.set_content(dump({{"error", body}}), kJson);
  });
  server.Get("/metrics", [&host](const httplib::Request&, httplib::Response& res) {
    res.set_content(host.prometheus(), "text/plain; version=0.0.4");
  });
  server.Get("/healthz",
             [](const httplib::Request&, httplib::Response& res) { res.set_content("ok\n", "text/plain"); });
}

bool parse_engine(const std::string& name, wasmrt::ExecutionTier& tier) {
  if (name == "interp")
    tier = wasmrt::ExecutionTier::Interpreter;
  else if (name == "baseline")
    tier = wasmrt::ExecutionTier::Baseline;
  else if (name == "optimizing")
    tier = wasmrt::ExecutionTier::Optimizing;
  else if (name == "jit")
    tier = wasmrt::ExecutionTier::Jit;
  else if (name == "auto")
    tier = wasmrt::ExecutionTier::Auto;
  else
    return false;
  return true;
}

}  // namespace

CLI::App* add_serve_command(CLI::App& app, ServeOptions& options) {
  CLI::App* serve =
      app.add_subcommand("serve", "wasm-run serve: the plugin host over HTTP (docs/plugin-host.md)");
  // Its own CLI11-generated help (wasm-run's top level prints kUsage).
  serve->set_help_flag("-h,--help", "Print this help message and exit");
  serve->add_option("--listen", options.listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  serve->add_option("--registry", options.registry, "the registry directory (created if missing)")
      ->required();
  serve->add_option("--tenants", options.tenants, "a JSON file of tenant limits (docs/plugin-host.md)");
  serve->add_option("--log", options.log, "one JSON line per request: '-' stderr, a file, or '' none")
      ->capture_default_str();
  serve->add_option("--engine", options.engine, "interp|baseline|optimizing|jit|auto")->capture_default_str();
  serve
      ->add_option("--grace", options.grace_seconds,
                   "seconds running requests get at shutdown before they are interrupted")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 3600.0));
  serve
      ->add_option("--threads", options.threads, "HTTP worker threads (each serves one connection at a time)")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  serve->add_option("--max-body", options.max_body_bytes, "largest request body in bytes")
      ->capture_default_str();
  return serve;
}

int serve_main(const ServeOptions& options) {
  // SIGTERM and SIGINT are taken by one thread with sigwait, so no handler
  // runs on a thread in the middle of a guest or of the HTTP library. Blocked
  // before any thread starts (the engine's own included), so all inherit it.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  wasmrt::ExecutionTier tier{};
  if (!parse_engine(options.engine, tier)) {
    std::fprintf(stderr, "wasm-run serve: --engine: '%s' is not an engine (see wasm-run serve --help)\n",
                 options.engine.c_str());
    return 2;
  }
  auto colon = options.listen.rfind(':');
  int port = -1;
  if (colon != std::string::npos) {
    try {
      std::size_t used = 0;
      port = std::stoi(options.listen.substr(colon + 1), &used);
      if (used != options.listen.size() - colon - 1) port = -1;
    } catch (const std::exception&) {
      port = -1;
    }
  }
  if (colon == std::string::npos || colon == 0 || port < 0 || port > 65535) {
    std::fprintf(stderr, "wasm-run serve: --listen: '%s' is not HOST:PORT (see wasm-run serve --help)\n",
                 options.listen.c_str());
    return 2;
  }
  std::string listen_host = options.listen.substr(0, colon);

  LogSink log;
  if (!log.open(options.log)) {
    std::fprintf(stderr, "wasm-run serve: --log: cannot open %s\n", options.log.c_str());
    return 1;
  }
  HostOptions host_options;
  host_options.registry_dir = options.registry;
  host_options.tier = tier;
  host_options.log = [&log](std::string_view line) { log.write(line); };
  if (!options.tenants.empty()) {
    auto tenants = TenantTable::from_file(options.tenants);
    if (!tenants.ok()) {
      std::fprintf(stderr, "wasm-run serve: --tenants: %s\n", tenants.error().to_string().c_str());
      return 1;
    }
    host_options.tenants = std::move(*tenants);
  }
  auto created = PluginHost::create(std::move(host_options));
  if (!created.ok()) {
    std::fprintf(stderr, "wasm-run serve: --registry %s: %s\n", options.registry.c_str(),
                 created.error().to_string().c_str());
    return 1;
  }
  PluginHost& host = **created;

  httplib::Server server;
  int threads = options.threads;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<std::size_t>(threads)); };
  server.set_payload_max_length(options.max_body_bytes);
  server.set_keep_alive_timeout(2);
  // Responses go out in two writes (headers, body): without TCP_NODELAY,
  // Nagle and the peer's delayed ACK hold each small response ~40 ms.
  server.set_tcp_nodelay(true);
  define_routes(server, host);
  if (port == 0) {
    port = server.bind_to_any_port(listen_host);
    if (port < 0) port = -1;
  } else if (!server.bind_to_port(listen_host, port)) {
    port = -1;
  }
  if (port < 0) {
    std::fprintf(stderr, "wasm-run serve: cannot listen on %s\n", options.listen.c_str());
    return 1;
  }
  std::printf("wasm-run serve: listening on http://%s:%d (registry %s, %zu modules)\n", listen_host.c_str(),
              port, options.registry.c_str(), host.registry().digests().size());
  std::fflush(stdout);

  std::mutex state_mutex;
  std::condition_variable state_changed;
  bool listening_done = false;
  bool stop_requested = false;
  std::thread signal_thread([&] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    {
      std::lock_guard lock(state_mutex);
      if (listening_done) return;  // woken by the final kill below
      stop_requested = true;
    }
    std::fprintf(stderr, "wasm-run serve: %s: no new connections; %.1fs for running requests\n",
                 signal_number == SIGTERM ? "SIGTERM" : "SIGINT", options.grace_seconds);
    server.stop();
    std::unique_lock lock(state_mutex);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(options.grace_seconds);
    if (state_changed.wait_until(lock, deadline, [&] { return listening_done; })) return;
    std::fprintf(stderr, "wasm-run serve: grace period over: interrupting %zu running requests\n",
                 host.in_flight());
    // Requests still queued for a slot start after this: keep interrupting
    // until the server's workers are all done.
    while (!state_changed.wait_for(lock, std::chrono::milliseconds(20), [&] { return listening_done; })) {
      host.interrupt_in_flight();
    }
  });

  bool listened = server.listen_after_bind();
  {
    std::lock_guard lock(state_mutex);
    listening_done = true;
  }
  state_changed.notify_all();
  bool stopped_by_signal;
  {
    std::lock_guard lock(state_mutex);
    stopped_by_signal = stop_requested;
  }
  if (!stopped_by_signal) pthread_kill(signal_thread.native_handle(), SIGTERM);
  signal_thread.join();
  auto persisted = host.registry().persist();
  if (!persisted.ok()) {
    std::fprintf(stderr, "wasm-run serve: persisting the registry: %s\n",
                 persisted.error().to_string().c_str());
    return 1;
  }
  std::fprintf(stderr, "wasm-run serve: stopped; registry persisted in %s\n", options.registry.c_str());
  return listened || stopped_by_signal ? 0 : 1;
}
