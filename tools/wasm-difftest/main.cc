// wasm-difftest: differential testing of wasmrt's execution tiers.
//
// For each module it runs the same deterministic script on every engine the
// build has (interpreter and, where Engine::jit_available(), the JIT and
// where Engine::optimizing_available() the optimizing tier; each
// unmetered and metered with a fixed fuel budget): instantiate, then call
// every exported function with deterministic arguments, recording after
// each step what an embedder can observe (results, trap kind, exported
// memories, globals and tables, fuel left). Engines that must agree are
// then compared step by step and every divergence is printed.
//
// Public API only (wasmrt/wasmrt.h), like wasm-run: what is compared is
// exactly what an embedder could see, and the driver builds against an
// installed wasmrt too.
//
//   wasm-difftest [options] PATH...     (PATH: .wasm/.wat file or directory)
// Exit status: 0 no divergence, 1 divergences, 2 usage or I/O error.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "difftest.h"

namespace {

namespace fs = std::filesystem;
using namespace wasm_difftest;

bool read_file(const fs::path& path, std::vector<uint8_t>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

void usage() {
  std::fputs(
      "usage: wasm-difftest [options] PATH...\n"
      "  PATH                .wasm or .wat file, or a directory (searched recursively)\n"
      "  --fuel N            fuel given before every metered step (default 1000000)\n"
      "  --timeout-ms N      wall-time limit per step (default 2000); a timeout skips the rest\n"
      "  --max-pages N       memory cap per memory, in 64 KiB pages (default 64)\n"
      "  --seed N            seed of the argument sets (default 24301)\n"
      "  --arg-sets N        argument sets per export, the first all zeros (default 3)\n"
      "  --verbose           one line per module\n"
      "  --dump              every engine's outcome of every step\n"
      "Exit status: 0 no divergence, 1 divergences found, 2 usage or I/O error.\n",
      stderr);
}

bool parse_u64(const char* s, uint64_t& out) {
  char* end = nullptr;
  errno = 0;
  out = std::strtoull(s, &end, 0);
  return errno == 0 && end != s && *end == '\0';
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](uint64_t& out) {
      if (i + 1 >= argc || !parse_u64(argv[++i], out)) {
        std::fprintf(stderr, "wasm-difftest: %s needs a number\n", a.c_str());
        std::exit(2);
      }
    };
    if (a == "--fuel") {
      value(opt.fuel);
    } else if (a == "--timeout-ms") {
      value(opt.timeout_ms);
    } else if (a == "--max-pages") {
      value(opt.max_pages);
    } else if (a == "--seed") {
      value(opt.seed);
    } else if (a == "--arg-sets") {
      uint64_t n = 0;
      value(n);
      opt.arg_sets = static_cast<unsigned>(std::clamp<uint64_t>(n, 1, 64));
    } else if (a == "--dump") {
      opt.dump = true;
    } else if (a == "--verbose") {
      opt.verbose = true;
    } else if (a == "-h" || a == "--help") {
      usage();
      return 0;
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "wasm-difftest: unknown option %s\n", a.c_str());
      usage();
      return 2;
    } else {
      inputs.emplace_back(a);
    }
  }
  if (inputs.empty()) {
    usage();
    return 2;
  }

  std::vector<fs::path> files;
  for (const auto& in : inputs) {
    std::error_code ec;
    if (fs::is_directory(in, ec)) {
      for (const auto& entry : fs::recursive_directory_iterator(in, ec)) {
        const auto ext = entry.path().extension();
        if (entry.is_regular_file() && (ext == ".wasm" || ext == ".wat")) files.push_back(entry.path());
      }
    } else if (fs::exists(in, ec)) {
      files.push_back(in);
    } else {
      std::fprintf(stderr, "wasm-difftest: no such file: %s\n", in.c_str());
      return 2;
    }
  }
  // Directory order is arbitrary: sort so a run's output is reproducible.
  std::sort(files.begin(), files.end());

  const std::vector<EngineSpec> engines = available_engines();

  Totals totals;
  const auto start = std::chrono::steady_clock::now();
  for (const auto& f : files) {
    std::vector<uint8_t> bytes;
    if (!read_file(f, bytes)) {
      std::fprintf(stderr, "wasm-difftest: cannot read %s\n", f.c_str());
      return 2;
    }
    run_module(f.string(), bytes, opt, engines, totals);
    std::fflush(stdout);
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::string names;
  for (const auto& e : engines) names += std::string(names.empty() ? "" : ",") + e.name;
  std::printf("wasm-difftest: arch %s, engines %s\n", std::string(wasmrt::host_architecture()).c_str(), names.c_str());
  std::printf("wasm-difftest: modules %" PRIu64 " (skipped: imports %" PRIu64 ", invalid %" PRIu64
              ", failed to instantiate %" PRIu64 "), calls %" PRIu64 " (compared %" PRIu64
              ", skipped after timeout %" PRIu64 "), divergences %" PRIu64 " in %" PRIu64
              " modules, %.1f s\n",
              totals.modules, totals.modules_imports, totals.modules_invalid, totals.modules_uninstantiable,
              totals.calls, totals.calls_compared, totals.calls_skipped, totals.divergences,
              totals.divergent_modules, secs);
  return totals.divergences ? 1 : 0;
}
