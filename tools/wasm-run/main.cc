// wasm-run: the command-line runner. Uses only the public API (wasmrt/wasmrt.h,
// wasmrt/wasi.h).
//
// It compiles a module (binary or text), describes it, runs it as a WASI
// program (instantiate with WASI preview1 linked, then call `_start` if
// exported) or calls one export with --invoke, always under sandbox limits:
// caps on tables and object counts by default, plus fuel, memory, time and
// stack limits from the command line. WASI grants nothing by default: the
// command line names each directory and environment variable the guest
// sees; stdio is the process's own. A guest that calls proc_exit makes
// wasm-run exit with that status; every other way a run can end has its
// own status (see kUsage), so scripts can tell a timeout from a trap from a
// refused module.
#include <signal.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "limit_values.h"
#ifdef WASMRT_HAVE_PLUGIN_HOST
#include "serve.h"
#endif
#include "wasmrt/wasi.h"
#include "wasmrt/wasmrt.h"

namespace {

// Exit statuses, documented in --help. The limit statuses sit just below
// 124 (timeout(1)'s "timed out") so they stay clear of shell and signal codes.
constexpr int kExitOk = 0;
constexpr int kExitBadModule = 1;         // unreadable, malformed, invalid or unlinkable module
constexpr int kExitUsage = 2;             // bad command line
constexpr int kExitNotAvailable = 3;      // --engine baseline|jit: no JIT for this host
constexpr int kExitResourceLimit = 121;   // a resource cap refused the module
constexpr int kExitStackExhausted = 122;  // TrapKind::CallStackExhausted
constexpr int kExitOutOfFuel = 123;       // TrapKind::OutOfFuel
constexpr int kExitTimeout = 124;         // TrapKind::DeadlineExceeded, as timeout(1)
constexpr int kExitSignal = 130;          // SIGINT/SIGTERM stopped the guest (128 + SIGINT)
constexpr int kExitTrap = 134;            // any other trap (as a SIGABRT'ed process would)

// Default caps. Linear memory may use everything the spec allows a 32-bit
// memory (4 GiB), in total too; tables and object counts are capped far
// below what the host could hold, because a guest never needs more than a
// handful and each costs host memory the guest does not pay for in pages.
constexpr uint64_t kPagesIn4GiB = 65536;
constexpr uint64_t kDefaultMaxTableElements = 1'000'000;
constexpr uint32_t kDefaultMaxInstances = 16;
constexpr uint32_t kDefaultMaxMemories = 16;
constexpr uint32_t kDefaultMaxTables = 16;
// --max-stack's range. The value stack is allocated once per store but only
// the pages a guest actually touches get committed, so a generous default
// costs nothing for shallow programs.
constexpr uint64_t kMaxStackBytes = uint64_t{4} << 30;
// Defaults deep enough for Go. Each Go call is a wasm call (goroutine
// stacks live in linear memory, but Go recurses natively in wasm), so a
// Go program may nest as deep as its own goroutine stack limit allows
// (1 GB, of which 512 MiB is usable: stacks double). A recursive-descent
// parser (tests/go/nested) needs ~1,050 B of wasm stack per nesting level
// and ~1,200 B of Go stack; Go itself stops it near 450,000 levels (native
// Go: 600,000), which takes ~470 MiB here. 1 GiB lets any Go program whose
// wasm frames are up to twice its Go frames reach Go's own limit first.
// Only the pages a guest touches are committed, and a runaway recursion
// stops at the call-depth limit first (10,000,000 calls, about 0.5 s and
// 400 MB for tests/tools/unbounded_recursion.wat).
constexpr uint64_t kDefaultMaxStackBytes = uint64_t{1} << 30;
constexpr uint32_t kDefaultMaxCallDepth = 10'000'000;
// Frames shown for a trap; deep recursion would otherwise print 100,000.
constexpr size_t kBacktraceHead = 16;
constexpr size_t kBacktraceTail = 4;

constexpr const char* kUsage =
    "usage: wasm-run [options] FILE [--] [ARGS...]\n"
    "       wasm-run run [options] FILE [--] [ARGS...]   (the same)\n"
    "       wasm-run serve --registry DIR [--listen HOST:PORT] [--tenants FILE] ...\n"
    "                      (the plugin host over HTTP: wasm-run serve --help)\n"
    "\n"
    "Compiles FILE (WebAssembly binary or text format, detected by content) and\n"
    "runs it as a WASI preview1 program: instantiates it with\n"
    "`wasi_snapshot_preview1` linked (running its start function, and\n"
    "`_initialize` for a reactor) and calls its `_start` export if it has one.\n"
    "The guest's argv is FILE followed by ARGS; everything after FILE goes to\n"
    "the guest (a `--` right after FILE is dropped, so `FILE -- -x` passes -x).\n"
    "The guest sees stdin/stdout/stderr of wasm-run, and nothing else unless\n"
    "granted below: no directory, no environment variable.\n"
    "\n"
    "options:\n"
    "  --dir HOST[::GUEST][:ro]\n"
    "                    preopen host directory HOST as GUEST (default: the same\n"
    "                    path as HOST); the guest cannot reach outside it. A\n"
    "                    trailing `:ro` after GUEST makes it read-only (every\n"
    "                    mutation fails): --dir /data::/data:ro. Repeatable;\n"
    "                    e.g. --dir /::/ shows the whole host file system\n"
    "  --dir-ro HOST[::GUEST]\n"
    "                    the same, always read-only\n"
    "  --env NAME=VALUE  set an environment variable for the guest; `--env NAME`\n"
    "                    copies NAME from wasm-run's environment (if set).\n"
    "                    Repeatable; these come before --env-inherit's\n"
    "  --env-inherit     give the guest all of wasm-run's environment\n"
    "  --invoke NAME     call export NAME with ARGS (i32/i64/f32/f64, parsed by\n"
    "                    the export's parameter types) instead of `_start`; print\n"
    "                    each result on its own line. Works on reactors (after\n"
    "                    `_initialize`), commands and plain modules; the guest's\n"
    "                    argv is then just FILE\n"
    "  --describe        print the module's imports and exports with their types\n"
    "  --engine interp|baseline|optimizing|jit|auto\n"
    "                    how the guest runs (default auto), with the same\n"
    "                    results, fuel and limits on each: interp, the\n"
    "                    interpreter; baseline, every function compiled to\n"
    "                    machine code up front; optimizing, the same with the\n"
    "                    optimizing tier (x86-64, arm64); jit, tiered: functions\n"
    "                    start on the interpreter and hot ones (loops included)\n"
    "                    are compiled in the background, by the optimizing tier\n"
    "                    where there is one, and switched to; auto, jit where\n"
    "                    this build has a JIT, else interp. An engine this build\n"
    "                    lacks exits with status 3 (see --version)\n"
    "                    (WASMRT_TIER_UP_LOG=1 logs each tier-up compile)\n"
    "  --compile lazy|eager\n"
    "                    when functions are translated for the interpreter and\n"
    "                    tier-up: lazy (default), each on its first call; eager,\n"
    "                    all before the guest starts. Validation is complete\n"
    "                    before the guest starts either way; baseline and\n"
    "                    optimizing compile every function up front\n"
    "  --cache DIR       keep compiled modules in DIR (created if missing) and\n"
    "                    load them from there on later runs; whoever can write\n"
    "                    DIR can run code as you (docs/code-cache.md)\n"
    "  --fuel N          meter the guest: at most N units of fuel (about one per\n"
    "                    instruction, see docs/fuel.md) for the whole run\n"
    "  --max-memory-pages N\n"
    "                    at most N 64 KiB pages per memory and for all memories\n"
    "                    together (0..65536; default 65536, i.e. 4 GiB)\n"
    "  --timeout DURATION\n"
    "                    stop the guest DURATION after it starts running (start\n"
    "                    function included): 100ms, 1.5s, 500us, 1m, 2h, 10ns\n"
    "  --max-stack SIZE  the wasm stack of a call (params, locals, operands):\n"
    "                    bytes or 512KiB, 8MiB, 1GiB, 8MB (default 1GiB, enough\n"
    "                    for Go to nest as deep as its own stack limit lets\n"
    "                    it; at most 4GiB; committed only as used); calls\n"
    "                    also nest at most 10000000 deep\n"
    "  --help            print this help\n"
    "  --version         print the wasmrt version, the architecture and the\n"
    "                    engines (tiers) this build has\n"
    "  --                end of options (the next argument is FILE)\n"
    "Options taking a value accept `--opt value` and `--opt=value`.\n"
    "\n"
    "fixed caps (a guest asking for more is refused, status 121):\n"
    "  1000000 table elements in all tables together, 16 instances,\n"
    "  16 memories, 16 tables\n"
    "\n"
    "exit status:\n"
    "  N    the guest called proc_exit(N) (Go's os.Exit(N); 2 for a Go panic);\n"
    "       0 when `_start` (or --invoke's export) returns\n"
    "  1    unreadable, malformed, invalid or unlinkable module\n"
    "  2    usage error (bad option or option value, bad --invoke arguments,\n"
    "       a --dir that is not a directory)\n"
    "  3    --engine baseline|jit: no JIT in this build (see --version)\n"
    "  121  a resource limit refused the module (the message names the limit)\n"
    "  122  call stack exhausted (see --max-stack)\n"
    "  123  out of fuel (see --fuel)\n"
    "  124  timeout (see --timeout)\n"
    "  130  interrupted by SIGINT or SIGTERM\n"
    "  134  the guest trapped\n"
    "A guest that stops with 122..134 prints a one-line reason and a wasm\n"
    "backtrace on stderr. Statuses 1..3 and 121..134 come from wasm-run only\n"
    "when it prints a `wasm-run:` line on stderr; otherwise the guest chose\n"
    "them.\n";

struct Options {
  bool describe = false;
  std::string invoke;  // --invoke NAME: call this export with ARGS
  std::string file;
  std::vector<std::string> guest_args;
  wasmrt::ExecutionTier engine = wasmrt::ExecutionTier::Auto;  // --engine
  bool lazy_compilation = true;                                 // --compile
  std::string cache_dir;                                        // --cache

  // WASI grants.
  std::vector<wasmrt::WasiDir> dirs;
  std::vector<std::string> env;  // NAME=VALUE each
  bool env_inherit = false;

  // Limits, with the text the user wrote (messages quote it back).
  std::optional<uint64_t> fuel;
  std::string fuel_text;
  std::optional<uint64_t> max_memory_pages;
  std::string max_memory_pages_text;
  std::optional<std::chrono::nanoseconds> timeout;
  std::string timeout_text;
  std::optional<uint64_t> max_stack_bytes;
  std::string max_stack_text;
};

// What `wasm-run serve` asked for (`requested` only when it did).
struct ServeCommand {
  bool requested = false;
#ifdef WASMRT_HAVE_PLUGIN_HOST
  ServeOptions options;
#endif
};

// ---- SIGINT / SIGTERM ------------------------------------------------------

// The store's interrupt handle, published once the store exists. The
// handler only reads the pointer and calls interrupt(), which the API
// guarantees async-signal-safe; the handle itself is never reassigned.
wasmrt::InterruptHandle g_interrupt_handle;
std::atomic<const wasmrt::InterruptHandle*> g_interrupt{nullptr};
static_assert(std::atomic<const wasmrt::InterruptHandle*>::is_always_lock_free);
volatile std::sig_atomic_t g_stop_signal = 0;

void on_stop_signal(int signal_number) {
  g_stop_signal = signal_number;
  if (const wasmrt::InterruptHandle* handle = g_interrupt.load(std::memory_order_acquire))
    handle->interrupt();
}

// Installed first thing, so a signal at any point is seen: before the
// guest runs it only sets the flag (checked before and after running).
// SA_RESETHAND: a second Ctrl-C kills the process the default way, should
// anything ever fail to stop on the first.
void install_stop_signal_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND | SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

void publish_interrupt_handle(const wasmrt::Store& store) {
  g_interrupt_handle = store.interrupt_handle();
  g_interrupt.store(&g_interrupt_handle, std::memory_order_release);
}

const char* signal_name(int signal_number) {
  switch (signal_number) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    default: return "a signal";
  }
}

// ---- reading and describing ------------------------------------------------

// Reads a whole file with stdio (iostreams throw on some read errors, such
// as a directory). Returns false and sets `error` with the OS reason.
bool read_file(const std::string& path, std::vector<uint8_t>& out, std::string& error) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    error = std::strerror(errno);
    return false;
  }
  // Sized once from the file's length where it has one: growing the
  // vector chunk by chunk copied a 2.6 MB module about twice over, and
  // fresh pages for each copy (a tenth of Go hello world's start-up).
  struct stat status {};
  if (fstat(fileno(file), &status) == 0 && S_ISREG(status.st_mode) && status.st_size > 0)
    out.reserve(static_cast<size_t>(status.st_size));
  uint8_t buffer[64 * 1024];
  size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, file)) > 0) out.insert(out.end(), buffer, buffer + got);
  const bool failed = std::ferror(file) != 0;
  const int read_errno = errno;
  std::fclose(file);
  if (failed) {
    error = std::strerror(read_errno);
    return false;
  }
  return true;
}

void describe(const std::string& file, const wasmrt::Module& module) {
  std::printf("%s: valid module (%zu bytes binary)\n", file.c_str(), module.binary().size());
  if (!module.name().empty()) {
    std::printf("  name: $%.*s\n", static_cast<int>(module.name().size()), module.name().data());
  }
  std::printf("  functions: %u, tables: %u, memories: %u, globals: %u\n", module.function_count(),
              module.table_count(), module.memory_count(), module.global_count());
  if (auto start = module.start_function()) std::printf("  start: function %u\n", *start);

  std::printf("imports (%zu):\n", module.imports().size());
  for (const auto& import : module.imports()) {
    std::printf("  %-6s \"%s\" \"%s\" %s\n", std::string(external_kind_name(import.kind)).c_str(),
                import.module.c_str(), import.name.c_str(), import.type.c_str());
  }
  std::printf("exports (%zu):\n", module.exports().size());
  for (const auto& exported : module.exports()) {
    std::string function_name;
    if (exported.kind == wasmrt::ExternalKind::Function) {
      if (auto name = module.function_name(exported.index)) function_name = " $" + std::string(*name);
    }
    std::printf("  %-6s \"%s\" %s%s\n", std::string(external_kind_name(exported.kind)).c_str(),
                exported.name.c_str(), exported.type.c_str(), function_name.c_str());
  }
}

// ---- values ----------------------------------------------------------------

// Parses one command-line argument as a value of `type`. Integers accept the
// signed and the unsigned range of their width; floats use strtod/strtof.
bool parse_value(const std::string& text, wasmrt::ValueType type, wasmrt::Value& out) {
  if (text.empty()) return false;
  char* end = nullptr;
  errno = 0;
  switch (type) {
    case wasmrt::ValueType::I32:
    case wasmrt::ValueType::I64: {
      bool negative = text[0] == '-';
      uint64_t bits = 0;
      if (negative) {
        long long v = std::strtoll(text.c_str(), &end, 0);
        bits = static_cast<uint64_t>(v);
        if (type == wasmrt::ValueType::I32 && v < INT32_MIN) return false;
      } else {
        unsigned long long v = std::strtoull(text.c_str(), &end, 0);
        bits = v;
        if (type == wasmrt::ValueType::I32 && v > UINT32_MAX) return false;
      }
      if (errno != 0 || *end != '\0') return false;
      out = type == wasmrt::ValueType::I32
                ? wasmrt::Value::i32(static_cast<int32_t>(static_cast<uint32_t>(bits)))
                : wasmrt::Value::i64(static_cast<int64_t>(bits));
      return true;
    }
    case wasmrt::ValueType::F32: {
      float v = std::strtof(text.c_str(), &end);
      if (*end != '\0') return false;
      out = wasmrt::Value::f32(v);
      return true;
    }
    case wasmrt::ValueType::F64: {
      double v = std::strtod(text.c_str(), &end);
      if (*end != '\0') return false;
      out = wasmrt::Value::f64(v);
      return true;
    }
    default: return false;  // v128 and references have no command-line form
  }
}

void print_value(const wasmrt::Value& value) {
  switch (value.type()) {
    case wasmrt::ValueType::I32: std::printf("%d\n", value.i32()); break;
    case wasmrt::ValueType::I64: std::printf("%lld\n", static_cast<long long>(value.i64())); break;
    case wasmrt::ValueType::F32: std::printf("%.9g\n", static_cast<double>(value.f32())); break;
    case wasmrt::ValueType::F64: std::printf("%.17g\n", value.f64()); break;
    default: std::printf("%s\n", value.to_string().c_str()); break;
  }
}

// ---- how a run ended ---------------------------------------------------------

// "  #3 $name" per frame, as TrapDetails::to_string() formats them, keeping
// the innermost and outermost frames of a very deep stack.
std::string format_backtrace(const std::vector<wasmrt::BacktraceFrame>& frames, uint64_t omitted) {
  std::string out;
  auto append_frame = [&](size_t i) {
    const wasmrt::BacktraceFrame& frame = frames[i];
    // Frames past the runtime's kept innermost 1,000 sit `omitted` deeper.
    out += "  #" + std::to_string(i < 1000 ? i : i + omitted) + " ";
    if (frame.is_host) {
      out += "<host function>";
    } else {
      if (!frame.module_name.empty()) out += frame.module_name + "!";
      out += frame.function_name.empty() ? "func[" + std::to_string(frame.function_index) + "]"
                                         : "$" + frame.function_name;
    }
    out += "\n";
  };
  if (frames.size() <= kBacktraceHead + kBacktraceTail + 1 && omitted == 0) {
    for (size_t i = 0; i < frames.size(); ++i) append_frame(i);
    return out;
  }
  for (size_t i = 0; i < kBacktraceHead; ++i) append_frame(i);
  // The runtime itself keeps only the ends of a very deep stack (`omitted`).
  out += "  ... " + std::to_string(frames.size() - kBacktraceHead - kBacktraceTail + omitted) + " more frames\n";
  for (size_t i = frames.size() - kBacktraceTail; i < frames.size(); ++i) append_frame(i);
  return out;
}

// The limit's value and where it came from, e.g. "256 (--max-memory-pages 256)".
std::string describe_limit_value(const Options& options, wasmrt::ResourceLimit limit,
                                 const wasmrt::EngineConfig& config) {
  auto fixed = [](uint64_t value) { return std::to_string(value) + " (wasm-run's fixed cap)"; };
  switch (limit) {
    case wasmrt::ResourceLimit::MemoryPages:
    case wasmrt::ResourceLimit::StoreMemoryPages: {
      const uint64_t pages = limit == wasmrt::ResourceLimit::MemoryPages ? config.max_memory_pages
                                                                         : config.max_store_memory_pages;
      if (options.max_memory_pages)
        return std::to_string(pages) + " (--max-memory-pages " + options.max_memory_pages_text + ")";
      return std::to_string(pages) + " (default; see --max-memory-pages)";
    }
    case wasmrt::ResourceLimit::TableElements: return fixed(config.max_table_elements);
    case wasmrt::ResourceLimit::Instances: return fixed(config.max_instances);
    case wasmrt::ResourceLimit::Memories: return fixed(config.max_memories);
    case wasmrt::ResourceLimit::Tables: return fixed(config.max_tables);
    case wasmrt::ResourceLimit::ModuleBytes:
      return wasm_run::format_size(config.max_module_bytes) + " (wasm-run's fixed cap)";
    case wasmrt::ResourceLimit::None: break;
  }
  return "?";
}

// Prints why instantiation or a call failed and returns the exit status
// that says which limit (if any) stopped the guest.
int report_failure(const Options& options, const wasmrt::EngineConfig& config, const wasmrt::Error& error) {
  const char* file = options.file.c_str();
  // proc_exit is how a WASI program ends, not a failure: its status is ours
  // (the OS keeps the low 8 bits, as for a native process).
  if (error.phase == wasmrt::Phase::Exit) {
    std::fflush(stdout);
    return static_cast<int>(static_cast<uint32_t>(error.exit_code) & 0xFF);
  }
  if (error.limit != wasmrt::ResourceLimit::None) {
    std::fprintf(stderr, "wasm-run: %s: resource limit: %s = %s refused the module: %s\n", file,
                 wasmrt::resource_limit_name(error.limit),
                 describe_limit_value(options, error.limit, config).c_str(), error.to_string().c_str());
    return kExitResourceLimit;
  }
  if (error.trap == nullptr) {
    std::fprintf(stderr, "wasm-run: %s: %s\n", file, error.to_string().c_str());
    return error.phase == wasmrt::Phase::Trap ? kExitTrap : kExitBadModule;
  }

  const wasmrt::TrapDetails& trap = *error.trap;
  std::string headline;
  int status = kExitTrap;
  switch (trap.kind) {
    case wasmrt::TrapKind::DeadlineExceeded:
      headline = "timeout: the guest ran past --timeout " + options.timeout_text + " (" + trap.message + ")";
      status = kExitTimeout;
      break;
    case wasmrt::TrapKind::OutOfFuel:
      headline = "out of fuel: the guest used up --fuel " + options.fuel_text + " (" + trap.message + ")";
      status = kExitOutOfFuel;
      break;
    case wasmrt::TrapKind::CallStackExhausted: {
      const std::string stack =
          options.max_stack_bytes
              ? "--max-stack " + options.max_stack_text
              : "the default --max-stack " + wasm_run::format_size(config.max_wasm_stack_bytes);
      headline = "call stack exhausted: the guest's calls outgrew " + stack + " or nested more than " +
                 std::to_string(config.max_call_depth) + " deep (" + trap.message + ")";
      status = kExitStackExhausted;
      break;
    }
    case wasmrt::TrapKind::Interrupted:
      headline = std::string("interrupted by ") + signal_name(g_stop_signal) + " (" + trap.message + ")";
      status = kExitSignal;
      break;
    default: headline = "trap: " + trap.message; break;
  }
  std::fprintf(stderr, "wasm-run: %s: %s\n%s", file, headline.c_str(),
               format_backtrace(trap.backtrace, trap.frames_omitted).c_str());
  return status;
}

int report_stop_signal(const Options& options) {
  std::fprintf(stderr, "wasm-run: %s: interrupted by %s\n", options.file.c_str(), signal_name(g_stop_signal));
  return kExitSignal;
}

// ---- running ------------------------------------------------------------------

wasmrt::EngineConfig engine_config(const Options& options) {
  wasmrt::EngineConfig config;
  config.consume_fuel = options.fuel.has_value();
  config.interruptible = true;  // --timeout and Ctrl-C need the checks
  config.tier = options.engine;
  config.lazy_compilation = options.lazy_compilation;
  config.cache_dir = options.cache_dir;
  config.max_memory_pages = options.max_memory_pages.value_or(kPagesIn4GiB);
  config.max_store_memory_pages = options.max_memory_pages.value_or(kPagesIn4GiB);
  config.max_table_elements = kDefaultMaxTableElements;
  config.max_instances = kDefaultMaxInstances;
  config.max_memories = kDefaultMaxMemories;
  config.max_tables = kDefaultMaxTables;
  config.max_wasm_stack_bytes = static_cast<size_t>(options.max_stack_bytes.value_or(kDefaultMaxStackBytes));
  config.max_call_depth = kDefaultMaxCallDepth;
  return config;
}

// What the command line grants the guest. argv[0] is FILE as given, like a
// shell's $0; --invoke passes ARGS to the export, not to argv.
wasmrt::WasiConfig wasi_config(const Options& options) {
  wasmrt::WasiConfig config;
  config.args.push_back(options.file);
  if (options.invoke.empty())
    config.args.insert(config.args.end(), options.guest_args.begin(), options.guest_args.end());
  config.env = options.env;
  config.inherit_env = options.env_inherit;
  config.dirs = options.dirs;
  config.stdin_stream = wasmrt::WasiStdio::inherit();
  config.stdout_stream = wasmrt::WasiStdio::inherit();
  config.stderr_stream = wasmrt::WasiStdio::inherit();
  return config;
}

// Converts ARGS by `name`'s parameter types; prints the usage error itself.
bool convert_arguments(const Options& options, const wasmrt::FuncSignature& signature,
                       std::vector<wasmrt::Value>& args) {
  const char* file = options.file.c_str();
  if (signature.params.size() != options.guest_args.size()) {
    std::fprintf(stderr, "wasm-run: %s: '%s' takes %zu argument(s), %zu given\n", file,
                 options.invoke.c_str(), signature.params.size(), options.guest_args.size());
    return false;
  }
  args.resize(signature.params.size());
  for (size_t k = 0; k < args.size(); ++k) {
    if (!parse_value(options.guest_args[k], signature.params[k], args[k])) {
      const std::string_view type_name = wasmrt::value_type_name(signature.params[k]);
      std::fprintf(stderr, "wasm-run: %s: argument %zu '%s' is not a valid %.*s\n", file, k + 1,
                   options.guest_args[k].c_str(), static_cast<int>(type_name.size()), type_name.data());
      return false;
    }
  }
  return true;
}

// Instantiates the module under the limits with WASI linked and calls
// --invoke's export or `_start`, printing each result on its own line.
int run(const Options& options, const wasmrt::Engine& engine,
        const std::shared_ptr<const wasmrt::Module>& module) {
  const char* file = options.file.c_str();
  // Set up before the store exists, so a bad --dir is a usage error that
  // never starts the guest.
  auto wasi = wasmrt::Wasi::create(wasi_config(options));
  if (!wasi.ok()) {
    std::fprintf(stderr, "wasm-run: %s: cannot grant WASI access: %s\n", file,
                 wasi.error().to_string().c_str());
    return kExitUsage;
  }

  wasmrt::Store store(engine);
  if (options.fuel) {
    if (auto set = store.set_fuel(*options.fuel); !set.ok()) {
      std::fprintf(stderr, "wasm-run: %s: --fuel: %s\n", file, set.error().to_string().c_str());
      return kExitUsage;
    }
  }
  publish_interrupt_handle(store);
  if (g_stop_signal != 0) return report_stop_signal(options);
  // One deadline for the whole run, start function and export together:
  // --timeout bounds the guest, not each of its entry points.
  if (options.timeout) store.set_deadline(std::chrono::steady_clock::now() + *options.timeout);

  wasmrt::Linker linker;
  (*wasi)->define(linker);
  auto instance = linker.instantiate(store, module);
  if (!instance.ok()) return report_failure(options, engine.config(), instance.error());

  std::optional<wasmrt::Func> func;
  std::vector<wasmrt::Value> args;
  if (!options.invoke.empty()) {
    func = instance->func(options.invoke);
    if (!func) {
      std::fprintf(stderr, "wasm-run: %s: no exported function '%s'\n", file, options.invoke.c_str());
      return kExitUsage;
    }
    if (!convert_arguments(options, func->signature(), args)) return kExitUsage;
  } else {
    func = instance->func("_start");
    if (func && !func->signature().params.empty()) {
      std::fprintf(stderr, "wasm-run: %s: '_start' takes %zu parameter(s); a program's _start takes none\n",
                   file, func->signature().params.size());
      return kExitBadModule;
    }
  }

  std::vector<wasmrt::Value> results;
  if (func) {
    auto called = func->call(std::span<const wasmrt::Value>(args));
    if (!called.ok()) return report_failure(options, engine.config(), called.error());
    results = std::move(*called);
  }
  for (const wasmrt::Value& value : results) print_value(value);
  std::fflush(stdout);
  // The guest finished, but the user asked to stop: say so, as a shell
  // would expect from an interrupted command.
  if (g_stop_signal != 0) return report_stop_signal(options);
  return kExitOk;
}

// ---- command line -------------------------------------------------------------

// Checks one limit option's value; "" when it is good, else the reason.
std::string set_limit_option(std::string_view name, const std::string& value, Options& options) {
  if (name == "--fuel") {
    uint64_t fuel = 0;
    std::string why = wasm_run::parse_count(value, 1, INT64_MAX, fuel);
    if (!why.empty()) return why;
    options.fuel = fuel;
    options.fuel_text = value;
  } else if (name == "--max-memory-pages") {
    uint64_t pages = 0;
    std::string why = wasm_run::parse_count(value, 0, kPagesIn4GiB, pages);
    if (!why.empty()) return why;
    options.max_memory_pages = pages;
    options.max_memory_pages_text = value;
  } else if (name == "--timeout") {
    std::chrono::nanoseconds timeout{0};
    std::string why = wasm_run::parse_duration(value, timeout);
    if (!why.empty()) return why;
    options.timeout = timeout;
    options.timeout_text = value;
  } else if (name == "--max-stack") {
    uint64_t bytes = 0;
    std::string why = wasm_run::parse_size(value, 1, kMaxStackBytes, bytes);
    if (!why.empty()) return why;
    options.max_stack_bytes = bytes;
    options.max_stack_text = value;
  }
  return "";
}

// 'value', for messages. Appended piecewise: g++ 12 warns (-Wrestrict)
// about `"'" + std::string(...)` in some inlining contexts.
std::string quote(std::string_view value) {
  std::string out = "'";
  out += value;
  out += "'";
  return out;
}

// --dir / --dir-ro: HOST[::GUEST][:ro]. Without `::` the whole value is
// HOST (so a host path may contain `:`), and the guest sees it under the
// same name. Returns "" when good, else the reason.
std::string add_dir_option(std::string_view value, bool read_only, Options& options) {
  wasmrt::WasiDir dir;
  dir.read_only = read_only;
  const size_t separator = value.find("::");
  if (separator == std::string_view::npos) {
    dir.host_path = std::string(value);
    dir.guest_path = dir.host_path;
  } else {
    dir.host_path = std::string(value.substr(0, separator));
    std::string_view guest = value.substr(separator + 2);
    if (guest.ends_with(":ro")) {
      dir.read_only = true;
      guest.remove_suffix(3);
    }
    dir.guest_path = std::string(guest);
  }
  if (dir.host_path.empty()) return quote(value) + " names no host directory";
  if (dir.guest_path.empty()) return quote(value) + " names no guest path";
  options.dirs.push_back(std::move(dir));
  return "";
}

// --env NAME=VALUE, or --env NAME to copy NAME from our own environment.
std::string add_env_option(const std::string& value, Options& options) {
  const size_t equals = value.find('=');
  if (value.empty() || equals == 0) return quote(value) + " is not NAME=VALUE or NAME";
  if (equals != std::string::npos) {
    options.env.push_back(value);
  } else if (const char* host_value = std::getenv(value.c_str()); host_value != nullptr) {
    options.env.push_back(value + "=" + host_value);
  }
  return "";
}

// Handles the options that grant WASI access or pick the engine or its
// compilation mode; "" when
// good, else the reason.
std::string set_run_option(std::string_view name, const std::string& value, Options& options) {
  if (name == "--dir") return add_dir_option(value, false, options);
  if (name == "--dir-ro") return add_dir_option(value, true, options);
  if (name == "--env") return add_env_option(value, options);
  if (name == "--engine") {
    if (value == "interp") {
      options.engine = wasmrt::ExecutionTier::Interpreter;
    } else if (value == "baseline") {
      options.engine = wasmrt::ExecutionTier::Baseline;
    } else if (value == "jit") {
      options.engine = wasmrt::ExecutionTier::Jit;
    } else if (value == "optimizing") {
      options.engine = wasmrt::ExecutionTier::Optimizing;
    } else if (value == "auto") {
      options.engine = wasmrt::ExecutionTier::Auto;
    } else {
      return quote(value) + " is not an engine (interp, baseline, optimizing, jit or auto)";
    }
  }
  if (name == "--compile") {
    if (value != "lazy" && value != "eager")
      return quote(value) + " is not a compilation mode (lazy or eager)";
    options.lazy_compilation = value == "lazy";
  }
  if (name == "--cache") {
    if (value.empty()) return "needs a directory";
    options.cache_dir = value;
  }
  return "";
}

// `--version`: e.g. "wasm-run (wasmrt) 0.2.0 aarch64: interp, baseline, jit":
// which engines --engine can pick here (auto always), so a script can check
// before it asks.
void print_version() {
  const std::string_view arch = wasmrt::host_architecture();
  std::printf("wasm-run (wasmrt) %.*s %.*s: interp%s%s%s\n", static_cast<int>(wasmrt::kVersion.size()),
              wasmrt::kVersion.data(), static_cast<int>(arch.size()), arch.data(),
              wasmrt::Engine::jit_available() ? ", baseline" : "",
              wasmrt::Engine::optimizing_available() ? ", optimizing" : "",
              wasmrt::Engine::jit_available() ? ", jit" : "");
}

// Thrown by --version's callback: like CLI::CallForHelp, it ends parsing
// where it stands, so `--version` wins over anything after it.
struct VersionRequested {};

// CLI11 collects unknown options and reports them only once the whole line
// is parsed; every callback first reports one met before it, so the first
// problem in argv order is the one reported (`--bogus --help` is a usage
// error, `--help --bogus` prints the help), as before.
void reject_unknown_options_so_far(const CLI::App& app) {
  for (const std::string& extra : app.remaining())
    if (extra != "--") throw CLI::ExtrasError({extra});  // CLI11 keeps the end-of-options mark here
}

// The positionals add_run_options declares, read after parsing.
struct Positionals {
  CLI::Option* file;
  CLI::Option* args;
};

// The run options (and FILE, ARGS) on `app`: the top-level command and the
// `run` subcommand both get them, bound to the same Options.
//
// Every callback runs as CLI11 meets its option (trigger_on_parse), not
// after the whole line is parsed: a value is checked and applied in argv
// order, a repeated option's last value wins (--dir and --env add each),
// and the first bad value, --help or --version ends parsing, as before.
// Values are taken verbatim even when they start with `-` (CLI11 always
// takes an option's required value from the next argument), so
// `--invoke -f` still names the export "-f".
Positionals add_run_options(CLI::App& app, Options& options) {
  // --help prints kUsage, which says more than CLI11 would generate (the
  // value syntaxes, caps and exit statuses).
  app.set_help_flag();
  app.add_flag_callback("-h,--help",
                        [&app] {
                          reject_unknown_options_so_far(app);
                          throw CLI::CallForHelp();
                        })
      ->trigger_on_parse()
      ->disable_flag_override();
  app.add_flag_callback("--version",
                        [&app] {
                          reject_unknown_options_so_far(app);
                          throw VersionRequested{};
                        })
      ->trigger_on_parse()
      ->disable_flag_override();
  // Flags take no value: `--describe=1` is a usage error, as before.
  app.add_flag("--describe", options.describe)->disable_flag_override();
  app.add_flag("--env-inherit", options.env_inherit)->disable_flag_override();
  // A value option whose callback returns "" when the value is good, else
  // the reason, printed as "wasm-run: NAME: REASON (see --help)".
  auto value_option = [&app, &options](const std::string& name,
                                       std::string (*apply)(std::string_view, const std::string&, Options&)) {
    app.add_option_function<std::string>(name,
                                         [&app, &options, name, apply](const std::string& value) {
                                           reject_unknown_options_so_far(app);
                                           const std::string why = apply(name, value, options);
                                           if (!why.empty()) throw CLI::ValidationError(name, why);
                                         })
        ->trigger_on_parse();
  };
  app.add_option_function<std::string>("--invoke",
                                       [&app, &options](const std::string& value) {
                                         reject_unknown_options_so_far(app);
                                         if (value.empty())
                                           throw CLI::ValidationError("--invoke needs an export name");
                                         options.invoke = value;
                                       })
      ->trigger_on_parse();
  for (const char* name : {"--fuel", "--max-memory-pages", "--timeout", "--max-stack"})
    value_option(name, set_limit_option);
  for (const char* name : {"--dir", "--dir-ro", "--env", "--engine", "--compile", "--cache"})
    value_option(name, set_run_option);

  // FILE, then ARGS: positionals_at_end makes every argument after FILE a
  // positional, so ARGS gets them verbatim, options, `--` and all, and
  // options must come before FILE. FILE is optional to CLI11 so a missing
  // one gets wasm-run's own message (and an unknown option before it is
  // reported first). ARGS has no variable: its raw results are the guest's
  // arguments exactly as given, never through CLI11's conversions to a
  // vector (which give `{}` a meaning of their own).
  Positionals positionals;
  positionals.file = app.add_option("FILE", options.file, "the module");
  positionals.args =
      app.add_option("ARGS")->expected(0, CLI::detail::expected_max_vector_size)->allow_extra_args();
  app.positionals_at_end();
  return positionals;
}

// Fills `options` from argv with CLI11, or `serve.options` for `wasm-run
// serve` (then `serve.requested` is set). Returns -1 to go on, else the exit status
// (--help, --version, a usage error already printed).
int parse_command_line(int argc, char** argv, Options& options, [[maybe_unused]] ServeCommand& serve) {
  CLI::App app{"wasm-run: runs a WebAssembly module as a WASI program", "wasm-run"};
  const Positionals top_positionals = add_run_options(app, options);
  // `run` spells out the default mode: the same options on a subcommand.
  CLI::App* run_command = app.add_subcommand("run", "run FILE (the default)");
  const Positionals run_positionals = add_run_options(*run_command, options);
#ifdef WASMRT_HAVE_PLUGIN_HOST
  CLI::App* serve_command = add_serve_command(app, serve.options);
#else
  // So `wasm-run serve ...` says why it cannot serve, whatever follows.
  CLI::App* serve_command = app.add_subcommand("serve")->prefix_command()->allow_extras();
  serve_command->set_help_flag();
#endif
  app.require_subcommand(0, 1);
  // A subcommand is only ever the first word: after an option, `run` or
  // `serve` is FILE (a module file named "serve" runs as ./serve, as
  // `wasm-run -- serve` does), and after FILE every word is the guest's.
  const std::string_view first = argc > 1 ? std::string_view(argv[1]) : std::string_view();
  if (first != "run") run_command->disabled();
  if (first != "serve") serve_command->disabled();
  const bool serving = first == "serve";
  CLI::App& parsed = first == "run" ? *run_command : serving ? *serve_command : app;
  const Positionals& positionals = first == "run" ? run_positionals : top_positionals;

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::fputs(serving ? serve_command->help("wasm-run").c_str() : kUsage, stdout);
    return kExitOk;
  } catch (const VersionRequested&) {
    print_version();
    return kExitOk;
  } catch (const CLI::ParseError& error) {
    if (serving) {
#ifdef WASMRT_HAVE_PLUGIN_HOST
      std::fprintf(stderr, "wasm-run serve: %s (see wasm-run serve --help)\n", error.what());
#else
      std::fprintf(stderr, "wasm-run: serve: this build has no plugin host (see scripts/setup.sh)\n");
#endif
      return kExitUsage;
    }
    std::string message = error.what();
    if (dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr) {
      // An argument before FILE that is no option (after FILE, all are ARGS).
      for (const std::string& extra : parsed.remaining()) {
        if (extra == "--") continue;
        message = "unknown option " + quote(extra);
        break;
      }
    } else if (dynamic_cast<const CLI::ArgumentMismatch*>(&error) != nullptr) {
      if (message.ends_with(" missing")) {
        // CLI11: "--timeout: 1 required TEXT missing", the last argument.
        message = message.substr(0, message.find(':')) + " needs a value";
      } else if (message.ends_with(" was given a disallowed flag override")) {
        // CLI11: "describe was given ...", for --describe=VALUE.
        message = "--" + message.substr(0, message.find(' ')) + " takes no value";
      }
    }
    std::fprintf(stderr, "wasm-run: %s (see --help)\n", message.c_str());
    return kExitUsage;
  }
  if (serving) {
#ifdef WASMRT_HAVE_PLUGIN_HOST
    // A `--` ends a subcommand's arguments in CLI11 and hands the rest back
    // to the top level, which takes them as run options or FILE; `serve`
    // takes no arguments besides its options.
    const auto& top_level_options = app.get_options();
    if (app.remaining_size() > 0 ||
        std::any_of(top_level_options.begin(), top_level_options.end(),
                    [](const CLI::Option* option) { return option->count() > 0; })) {
      std::fprintf(stderr, "wasm-run serve: unexpected arguments after `--` (see wasm-run serve --help)\n");
      return kExitUsage;
    }
    serve.requested = true;
    return -1;
#else
    std::fprintf(stderr, "wasm-run: serve: this build has no plugin host (see scripts/setup.sh)\n");
    return kExitUsage;
#endif
  }
  if (positionals.file->count() == 0) {
    std::fprintf(stderr, "wasm-run: no FILE given (see --help)\n");
    return kExitUsage;
  }
  // CLI11 takes a few words that start with `-` as positionals (negative
  // numbers such as -5, and ---x), so FILE could be one; unless a `--`
  // came before it (CLI11 keeps that mark among the extras), it was meant
  // as an option, as wasm-run has always read it ("-" alone is FILE).
  const std::vector<std::string> extras = parsed.remaining();
  if (options.file.size() > 1 && options.file[0] == '-' &&
      std::find(extras.begin(), extras.end(), "--") == extras.end()) {
    std::fprintf(stderr, "wasm-run: unknown option %s (see --help)\n", quote(options.file).c_str());
    return kExitUsage;
  }
  options.guest_args = positionals.args->results();
  // `FILE -- ARGS`: the `--` only separates (go test's exec wrappers use it).
  if (!options.guest_args.empty() && options.guest_args.front() == "--")
    options.guest_args.erase(options.guest_args.begin());
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  // First thing, so a signal at any point is seen; `serve` takes the
  // signals its own way (sigwait) instead.
  if (argc < 2 || std::string_view(argv[1]) != "serve") install_stop_signal_handlers();
  Options options;
  ServeCommand serve;
  if (int status = parse_command_line(argc, argv, options, serve); status >= 0) return status;
#ifdef WASMRT_HAVE_PLUGIN_HOST
  if (serve.requested) return serve_main(serve.options);
#endif
  if (options.engine == wasmrt::ExecutionTier::Optimizing && !wasmrt::Engine::optimizing_available()) {
    std::fprintf(stderr,
                 "wasm-run: --engine optimizing: this build has no optimizing tier for this architecture; use --engine "
                 "jit\n");
    return kExitNotAvailable;
  }
  if ((options.engine == wasmrt::ExecutionTier::Baseline || options.engine == wasmrt::ExecutionTier::Jit) &&
      !wasmrt::Engine::jit_available()) {
    std::fprintf(stderr, "wasm-run: --engine %s: this build has no JIT for this architecture; use --engine interp\n",
                 options.engine == wasmrt::ExecutionTier::Jit ? "jit" : "baseline");
    return kExitNotAvailable;
  }

  std::vector<uint8_t> bytes;
  std::string read_error;
  if (!read_file(options.file, bytes, read_error)) {
    std::fprintf(stderr, "wasm-run: %s: cannot read: %s\n", options.file.c_str(), read_error.c_str());
    return kExitBadModule;
  }

  const wasmrt::Engine engine(engine_config(options));
  // Moved, not copied: the module keeps the bytes it was compiled from.
  auto module = engine.compile(std::move(bytes));
  if (!module.ok()) {
    if (module.error().limit != wasmrt::ResourceLimit::None) {
      return report_failure(options, engine.config(), module.error());
    }
    std::fprintf(stderr, "wasm-run: %s: %s\n", options.file.c_str(), module.error().to_string().c_str());
    return kExitBadModule;
  }

  if (options.describe) {
    describe(options.file, **module);
    return kExitOk;
  }
  return run(options, engine, *module);
}
