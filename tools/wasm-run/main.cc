// wasm-run: the command-line runner. Uses only the public API (wasmrt/wasmrt.h).
//
// Until WASI lands it can compile (decode + validate) a module and describe
// it; running a module reports that execution is not available yet.
#include <cerrno>
#include <cstdio>
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

constexpr const char* kUsage =
    "usage: wasm-run [options] FILE [ARGS...]\n"
    "\n"
    "Compiles FILE (WebAssembly binary or text format, detected by content)\n"
    "and runs it. Running programs arrives with WASI support; today wasm-run\n"
    "decodes and validates the module and can describe it.\n"
    "\n"
    "options:\n"
    "  --describe   print the module's imports and exports with their types\n"
    "  --help       print this help\n"
    "  --version    print the wasmrt version\n"
    "  --           end of options\n"
    "\n"
    "exit status: 0 ok, 1 unreadable/malformed/invalid module, 2 usage error,\n"
    "             3 execution not available yet\n";

struct Options {
  bool describe = false;
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
  std::fprintf(stderr,
               "wasm-run: %s: module is valid, but execution is not available yet (wasm-run needs WASI, "
               "which is not implemented); use --describe to inspect it\n",
               options.file.c_str());
  return kExitNotAvailable;
}
