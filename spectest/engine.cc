#include "spectest/engine.h"

#include "jit/jit.h"

namespace wasmrt::spectest {

std::unique_ptr<Engine> make_engine(std::string_view name, std::string& error, bool lazy) {
  error.clear();
  if (name == "interp") return make_interp_engine(/*metered=*/false, lazy);
  if (name == "interp-metered") return make_interp_engine(/*metered=*/true, lazy);
  if (name == "none") return nullptr;  // compile-only: execution commands are skipped
  const bool baseline = name == "baseline" || name == "baseline-metered";
  if (baseline || name == "jit" || name == "jit-metered") {
    if (!jit::available()) {
      error = std::string(name.substr(0, name.find('-'))) + " engine not available on this architecture";
      return nullptr;
    }
    const JitMode mode = baseline ? JitMode::Baseline : JitMode::Tiered;
    return make_jit_engine(/*metered=*/name.ends_with("-metered"), mode, lazy);
  }
  if (name == "optimizing" || name == "optimizing-metered") {
    if (!jit::optimizing_available()) {
      error = "optimizing engine not available on this architecture";
      return nullptr;
    }
    return make_jit_engine(/*metered=*/name == "optimizing-metered", JitMode::Optimizing, lazy);
  }
  error = "unknown engine '" + std::string(name) +
          "' (expected interp, baseline, optimizing, jit, each optionally -metered, or none)";
  return nullptr;
}

}  // namespace wasmrt::spectest
