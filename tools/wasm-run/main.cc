// wasm-run: the command-line runner. Uses only the public API (wasmrt/wasmrt.h).
//
// It compiles a module (binary or text), describes it, or calls one export
// with --invoke. Running WASI programs (_start) arrives with WASI support;
// until then a plain run reports that execution is not available yet.
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "wasmrt/wasmrt.h"

namespace {

// Exit statuses, documented in --help.
constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;           // bad command line
constexpr int kExitBadModule = 1;       // unreadable, malformed or invalid module
constexpr int kExitNotAvailable = 3;    // running programs needs WASI
constexpr int kExitTrap = 134;          // the guest trapped (as a SIGABRT'ed process would)

constexpr const char* kUsage =
    "usage: wasm-run [options] FILE [ARGS...]\n"
    "\n"
    "Compiles FILE (WebAssembly binary or text format, detected by content).\n"
    "With --invoke it instantiates the module and calls one export; running\n"
    "WASI programs (_start) arrives with WASI support.\n"
    "\n"
    "options:\n"
    "  --describe      print the module's imports and exports with their types\n"
    "  --invoke NAME   call export NAME with ARGS (i32/i64/f32/f64, parsed by\n"
    "                  the export's parameter types); print each result on its\n"
    "                  own line. The module may not have imports yet.\n"
    "  --help          print this help\n"
    "  --version       print the wasmrt version\n"
    "  --              end of options\n"
    "\n"
    "exit status: 0 ok, 1 unreadable/malformed/invalid module, 2 usage error,\n"
    "             3 execution not available yet (no --invoke), 134 the guest trapped\n"
    "             (the trap message and a wasm backtrace go to stderr)\n";

struct Options {
  bool describe = false;
  std::string invoke;  // --invoke NAME: call this export with ARGS
  std::string file;
  std::vector<std::string> guest_args;
};

// Reads a whole file with stdio (iostreams throw on some read errors, such
// as a directory). Returns false and sets `error` with the OS reason.
bool read_file(const std::string& path, std::vector<uint8_t>& out, std::string& error) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    error = std::strerror(errno);
    return false;
  }
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

}  // namespace

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
      out = type == wasmrt::ValueType::I32 ? wasmrt::Value::i32(static_cast<int32_t>(static_cast<uint32_t>(bits)))
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
    default:
      return false;  // v128 and references have no command-line form
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

// Instantiates the module with no imports (WASI is not provided yet) and
// calls one export, printing each result on its own line.
int invoke_export(const Options& options, const std::shared_ptr<const wasmrt::Module>& module) {
  const char* file = options.file.c_str();
  wasmrt::Store store;
  wasmrt::Linker linker;
  auto instance = linker.instantiate(store, module);
  if (!instance.ok()) {
    const wasmrt::Error& error = instance.error();
    std::fprintf(stderr, "wasm-run: %s: %s\n", file, error.to_string().c_str());
    return error.phase == wasmrt::Phase::Trap ? kExitTrap : kExitBadModule;
  }
  auto func = instance->func(options.invoke);
  if (!func) {
    std::fprintf(stderr, "wasm-run: %s: no exported function '%s'\n", file, options.invoke.c_str());
    return kExitUsage;
  }
  const wasmrt::FuncSignature signature = func->signature();
  if (signature.params.size() != options.guest_args.size()) {
    std::fprintf(stderr, "wasm-run: %s: '%s' takes %zu argument(s), %zu given\n", file, options.invoke.c_str(),
                 signature.params.size(), options.guest_args.size());
    return kExitUsage;
  }
  std::vector<wasmrt::Value> args(signature.params.size());
  for (size_t k = 0; k < args.size(); ++k) {
    if (!parse_value(options.guest_args[k], signature.params[k], args[k])) {
      std::fprintf(stderr, "wasm-run: %s: argument %zu '%s' is not a valid %.*s\n", file, k + 1,
                   options.guest_args[k].c_str(),
                   static_cast<int>(wasmrt::value_type_name(signature.params[k]).size()),
                   wasmrt::value_type_name(signature.params[k]).data());
      return kExitUsage;
    }
  }
  auto results = func->call(std::span<const wasmrt::Value>(args));
  if (!results.ok()) {
    const wasmrt::Error& error = results.error();
    if (error.trap) {
      std::fprintf(stderr, "wasm-run: %s: %s\n", file, error.trap->to_string().c_str());
    } else {
      std::fprintf(stderr, "wasm-run: %s: %s\n", file, error.to_string().c_str());
    }
    return error.phase == wasmrt::Phase::Trap ? kExitTrap : kExitBadModule;
  }
  for (const wasmrt::Value& value : *results) print_value(value);
  return kExitOk;
}

int main(int argc, char** argv) {
  Options options;
  int i = 1;
  for (; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') break;  // FILE ("-" alone is not an option)
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return kExitOk;
    }
    if (arg == "--version") {
      std::printf("wasm-run (wasmrt) %.*s\n", static_cast<int>(wasmrt::kVersion.size()),
                  wasmrt::kVersion.data());
      return kExitOk;
    }
    if (arg == "--describe") {
      options.describe = true;
      continue;
    }
    if (arg == "--invoke") {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "wasm-run: --invoke needs an export name (see --help)\n");
        return kExitUsage;
      }
      options.invoke = argv[++i];
      continue;
    }
    std::fprintf(stderr, "wasm-run: unknown option '%s' (see --help)\n", argv[i]);
    return kExitUsage;
  }
  if (i >= argc) {
    std::fprintf(stderr, "wasm-run: no FILE given (see --help)\n");
    return kExitUsage;
  }
  options.file = argv[i++];
  for (; i < argc; ++i) options.guest_args.emplace_back(argv[i]);

  std::vector<uint8_t> bytes;
  std::string read_error;
  if (!read_file(options.file, bytes, read_error)) {
    std::fprintf(stderr, "wasm-run: %s: cannot read: %s\n", options.file.c_str(), read_error.c_str());
    return kExitBadModule;
  }

  wasmrt::Engine engine;
  auto module = engine.compile(bytes);
  if (!module.ok()) {
    std::fprintf(stderr, "wasm-run: %s: %s\n", options.file.c_str(), module.error().to_string().c_str());
    return kExitBadModule;
  }

  if (options.describe) {
    describe(options.file, **module);
    return kExitOk;
  }
  if (!options.invoke.empty()) return invoke_export(options, *module);
  std::fprintf(stderr,
               "wasm-run: %s: module is valid, but execution is not available yet (wasm-run needs WASI, "
               "which is not implemented); use --describe to inspect it\n",
               options.file.c_str());
  return kExitNotAvailable;
}
