// Front-end throughput: decode + validate of a real ~2 MB module (Go's
// wasip1 hello world), and text parsing of the spec suite's scripts.
// Figures are MB/s of input (state.SetBytesProcessed). Run:
//   build/gcc/bench/decode_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "runtime/binary/decoder.h"
#include "runtime/text/wast.h"
#include "runtime/text/wat.h"
#include "runtime/valid/validator.h"
#include "wasmrt/wasmrt.h"

namespace {

std::vector<uint8_t> read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

#ifdef WASMRT_BENCH_GO_MODULE
const std::vector<uint8_t>& go_module() {
  static const std::vector<uint8_t> bytes = read_bytes(WASMRT_BENCH_GO_MODULE);
  return bytes;
}

// Decode + validate, the full cost of compiling a module for the
// interpreter. The copy into a fresh vector is included: decode_module owns
// its input, as Module::compile does. The argument: how many threads
// validate the bodies (validate_module's BodyThreads One or Two).
void BM_DecodeValidateGoHello(benchmark::State& state) {
  const auto& bytes = go_module();
  if (bytes.empty()) {
    state.SkipWithError("cannot read " WASMRT_BENCH_GO_MODULE);
    return;
  }
  for (auto _ : state) {
    auto decoded = wasmrt::decode_module(bytes);
    if (!decoded.ok()) {
      state.SkipWithError(("decode failed: " + decoded.error().to_string()).c_str());
      return;
    }
    auto valid = wasmrt::validate_module(
        decoded.value(), state.range(0) == 2 ? wasmrt::BodyThreads::Two : wasmrt::BodyThreads::One);
    if (!valid.ok()) {
      state.SkipWithError(("validate failed: " + valid.error().to_string()).c_str());
      return;
    }
    benchmark::DoNotOptimize(decoded.value().side_tables.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes.size()));
}
BENCHMARK(BM_DecodeValidateGoHello)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// Decode alone, to split the figure between the two stages.
void BM_DecodeGoHello(benchmark::State& state) {
  const auto& bytes = go_module();
  if (bytes.empty()) {
    state.SkipWithError("cannot read " WASMRT_BENCH_GO_MODULE);
    return;
  }
  for (auto _ : state) {
    auto decoded = wasmrt::decode_module(bytes);
    if (!decoded.ok()) {
      state.SkipWithError(("decode failed: " + decoded.error().to_string()).c_str());
      return;
    }
    benchmark::DoNotOptimize(decoded.value().code.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes.size()));
}
BENCHMARK(BM_DecodeGoHello)->Unit(benchmark::kMillisecond);

// The public API's compile: decode + validate + whatever preparation the
// execution engine does up front. The gap to BM_DecodeValidateGoHello is
// that preparation.
void BM_ModuleCompileGoHello(benchmark::State& state) {
  const auto& bytes = go_module();
  if (bytes.empty()) {
    state.SkipWithError("cannot read " WASMRT_BENCH_GO_MODULE);
    return;
  }
  for (auto _ : state) {
    auto module = wasmrt::Module::compile(bytes);
    if (!module.ok()) {
      state.SkipWithError(("compile failed: " + module.error().to_string()).c_str());
      return;
    }
    benchmark::DoNotOptimize(module.value().get());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes.size()));
}
BENCHMARK(BM_ModuleCompileGoHello)->Unit(benchmark::kMillisecond);
#endif  // WASMRT_BENCH_GO_MODULE

std::filesystem::path spectest_dir() {
  if (const char* dir = std::getenv("WASMRT_SPECTEST_DIR")) return dir;
  return std::filesystem::path(WASMRT_SOURCE_DIR) / ".." / "shared" / "spectest";
}

// Parses every root .wast script of the spec suite and encodes each text
// module in it to binary: the text front end's throughput on real input.
void BM_ParseSpecSuiteText(benchmark::State& state) {
  std::vector<std::string> scripts;
  int64_t total_bytes = 0;
  std::error_code ignored;
  for (const auto& entry : std::filesystem::directory_iterator(spectest_dir(), ignored)) {
    if (entry.path().extension() != ".wast") continue;
    auto bytes = read_bytes(entry.path());
    total_bytes += static_cast<int64_t>(bytes.size());
    scripts.emplace_back(bytes.begin(), bytes.end());
  }
  if (scripts.empty()) {
    state.SkipWithError("spec suite not found (set WASMRT_SPECTEST_DIR)");
    return;
  }
  for (auto _ : state) {
    size_t modules = 0;
    for (const std::string& text : scripts) {
      auto script = wasmrt::wast::parse_script(text);
      if (!script.ok()) continue;
      for (const auto& command : script->commands) {
        if (command.module.kind != wasmrt::wast::ModuleSource::Kind::Text || command.module.text.empty()) continue;
        auto binary = wasmrt::wat_to_binary(command.module.text);
        modules += binary.ok() ? 1 : 0;
      }
    }
    benchmark::DoNotOptimize(modules);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * total_bytes);
}
BENCHMARK(BM_ParseSpecSuiteText)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
