#include "spectest/engine.h"

#include "jit/jit.h"

namespace wasmrt::spectest {

std::unique_ptr<Engine> make_engine(std::string_view name, std::string& error) {
  error.clear();
  if (name == "interp") return make_interp_engine();
  if (name == "interp-metered") return make_interp_engine(/*metered=*/true);
  if (name == "none") return nullptr;  // compile-only: execution commands are skipped
  if (name == "jit" || name == "jit-metered") {
    if (!jit::available()) {
      error = "jit engine not available on this architecture";
      return nullptr;
    }
    return make_jit_engine(/*metered=*/name == "jit-metered");
  }
  if (name == "optimizing" || name == "optimizing-metered") {
    if (!jit::optimizing_available()) {
      error = "optimizing engine not available on this architecture";
      return nullptr;
    }
    return make_optimizing_engine(/*metered=*/name == "optimizing-metered");
  }
  error = "unknown engine '" + std::string(name) +
          "' (expected interp, interp-metered, jit, jit-metered, optimizing, optimizing-metered or none)";
  return nullptr;
}

}  // namespace wasmrt::spectest
