// wasm-spectest: runs the official spec test suite (.wast scripts).
//
//   wasm-spectest [--engine ENGINE] [--compile lazy|eager] [--cache DIR] [--json FILE|-] [--verbose] PATH...
//   wasm-spectest --dump-modules DIR [PATH...]
//
// With no PATH the suite is taken from $WASMRT_SPECTEST_DIR, else from
// ../shared/spectest next to the source tree. Exit status: 0 iff nothing
// failed; 1 if some command failed; 2 on a usage or environment error
// (including a missing suite, so CI never passes by running nothing).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtime/interp/interp.h"
#include "spectest/engine.h"
#include "spectest/harness.h"

#ifndef WASMRT_SOURCE_DIR
#define WASMRT_SOURCE_DIR "."
#endif

namespace {

using namespace wasmrt::spectest;

struct Options {
  std::string engine = "interp";
  bool lazy = true;  // --compile
  std::string cache_dir;  // --cache
  std::string json_path;  // "" = none, "-" = stdout
  std::string dump_dir;
  bool verbose = false;
  std::vector<std::string> paths;
};

void print_usage(std::FILE* out) {
  std::fprintf(out,
               "usage: wasm-spectest [--engine ENGINE] [--compile lazy|eager] [--cache DIR] [--json FILE|-]\n"
               "                     [--verbose] [PATH...]\n"
               "       wasm-spectest --dump-modules DIR [PATH...]\n"
               "ENGINE is interp, baseline, optimizing or jit, each optionally -metered, or none.\n"
               "--compile: translate each function on its first call (lazy, the default) or\n"
               "all of a module's when it is instantiated (eager).\n"
               "--cache: decode and validate through the code cache in DIR (docs/code-cache.md);\n"
               "run twice to check modules loaded from it.\n"
               "PATH is a .wast file or a directory of them (default: $WASMRT_SPECTEST_DIR,\n"
               "else %s/../shared/spectest).\n",
               WASMRT_SOURCE_DIR);
}

// Returns false (after printing why) on a usage error.
bool parse_options(int argc, char** argv, Options& options, bool& help) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto next = [&](std::string& out) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "wasm-spectest: %s needs a value\n", arg.c_str());
        return false;
      }
      out = argv[++i];
      return true;
    };
    if (arg == "--engine") {
      if (!next(options.engine)) return false;
    } else if (arg.rfind("--engine=", 0) == 0) {
      options.engine = arg.substr(9);
    } else if (arg == "--compile" || arg.rfind("--compile=", 0) == 0) {
      std::string mode;
      if (arg == "--compile") {
        if (!next(mode)) return false;
      } else {
        mode = arg.substr(10);
      }
      if (mode != "lazy" && mode != "eager") {
        std::fprintf(stderr, "wasm-spectest: --compile: '%s' is not lazy or eager\n", mode.c_str());
        return false;
      }
      options.lazy = mode == "lazy";
    } else if (arg == "--cache") {
      if (!next(options.cache_dir)) return false;
    } else if (arg == "--json") {
      if (!next(options.json_path)) return false;
    } else if (arg.rfind("--json=", 0) == 0) {
      options.json_path = arg.substr(7);
    } else if (arg == "--dump-modules") {
      if (!next(options.dump_dir)) return false;
    } else if (arg == "--verbose" || arg == "-v") {
      options.verbose = true;
    } else if (arg == "--help" || arg == "-h") {
      help = true;
    } else if (arg.size() > 1 && arg[0] == '-' && arg != "-") {
      std::fprintf(stderr, "wasm-spectest: unknown option %s\n", arg.c_str());
      return false;
    } else {
      options.paths.push_back(arg);
    }
  }
  return true;
}

std::string default_suite_dir() {
  if (const char* env = std::getenv("WASMRT_SPECTEST_DIR"); env != nullptr && *env != '\0') return env;
  return std::string(WASMRT_SOURCE_DIR) + "/../shared/spectest";
}

void print_failure(std::FILE* out, const FileReport& report, const Failure& failure) {
  std::fprintf(out, "  %s:%u: %s: expected %s, got %s\n", report.name.c_str(), failure.line,
               command_kind_name(failure.kind), failure.expected.c_str(), failure.actual.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  bool help = false;
  if (!parse_options(argc, argv, options, help)) {
    print_usage(stderr);
    return 2;
  }
  if (help) {
    print_usage(stdout);
    return 0;
  }
  if (options.paths.empty()) options.paths.push_back(default_suite_dir());

  wasmrt::Result<std::vector<std::string>> files = collect_wast_files(options.paths);
  if (!files.ok()) {
    std::fprintf(stderr, "wasm-spectest: %s\n", files.error().message.c_str());
    std::fprintf(stderr, "wasm-spectest: set WASMRT_SPECTEST_DIR or pass the suite directory\n");
    return 2;
  }

  if (!options.dump_dir.empty()) {
    wasmrt::Result<size_t> written = dump_modules(files.value(), options.dump_dir);
    if (!written.ok()) {
      std::fprintf(stderr, "wasm-spectest: %s\n", written.error().message.c_str());
      return 2;
    }
    std::printf("wrote %zu modules to %s\n", written.value(), options.dump_dir.c_str());
    return 0;
  }

  std::string engine_error;
  std::unique_ptr<Engine> engine = make_engine(options.engine, engine_error, options.lazy);
  std::unique_ptr<wasmrt::cache::CodeCache> code_cache;
  if (!options.cache_dir.empty()) {
    // Entries hold only what decoding and validation make, which no engine
    // option changes, but each engine keeps its own as wasmrt::Engine's do.
    const std::string config = "wasm-spectest engine=" + options.engine + " lazy=" + std::to_string(options.lazy);
    code_cache = std::make_unique<wasmrt::cache::CodeCache>(
        options.cache_dir, uint64_t{1} << 30,
        wasmrt::cache::sha256({{reinterpret_cast<const uint8_t*>(config.data()), config.size()}}));
    use_code_cache(code_cache.get());
  }
  if (!engine_error.empty()) {
    std::fprintf(stderr, "wasm-spectest: %s\n", engine_error.c_str());
    return 2;
  }

  // With the JSON report on stdout, the human-readable lines move to stderr.
  std::FILE* text_out = options.json_path == "-" ? stderr : stdout;
  std::vector<FileReport> reports;
  Counts total;
  for (const std::string& path : files.value()) {
    FileReport report = run_script_file(path, engine.get());
    const Counts counts = report.total();
    total += counts;
    std::fprintf(text_out, "%s: %llu passed, %llu failed, %llu skipped%s\n", report.name.c_str(),
                 static_cast<unsigned long long>(counts.passed), static_cast<unsigned long long>(counts.failed),
                 static_cast<unsigned long long>(counts.skipped), report.script_error ? " (script error)" : "");
    if (options.verbose) {
      for (const Failure& failure : report.failures) print_failure(text_out, report, failure);
    }
    reports.push_back(std::move(report));
  }
  std::fprintf(text_out, "%llu passed, %llu failed, %llu skipped\n", static_cast<unsigned long long>(total.passed),
               static_cast<unsigned long long>(total.failed), static_cast<unsigned long long>(total.skipped));
  std::fflush(text_out);
  if (code_cache != nullptr) {
    const wasmrt::cache::CacheStats& stats = code_cache->stats();
    std::fprintf(stderr, "code cache: %llu hits, %llu misses, %llu rejected, %llu stored\n",
                 static_cast<unsigned long long>(stats.hits.load()),
                 static_cast<unsigned long long>(stats.misses.load()),
                 static_cast<unsigned long long>(stats.rejected.load()),
                 static_cast<unsigned long long>(stats.stored.load()));
  }
  // Evidence that the tiered engines switched loops in the middle of calls.
  if (options.verbose && wasmrt::interp::on_stack_replacements() != 0)
    std::fprintf(stderr, "on-stack replacements: %llu\n",
                 static_cast<unsigned long long>(wasmrt::interp::on_stack_replacements()));

  if (!options.json_path.empty()) {
    if (options.json_path == "-") {
      write_json_report(std::cout, options.engine, reports);
      std::cout.flush();
    } else {
      std::ofstream json(options.json_path);
      write_json_report(json, options.engine, reports);
      if (!json) {
        std::fprintf(stderr, "wasm-spectest: cannot write %s\n", options.json_path.c_str());
        return 2;
      }
    }
  }
  return total.failed == 0 ? 0 : 1;
}
