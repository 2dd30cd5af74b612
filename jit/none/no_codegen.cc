// Builds for hosts without a code generator: the JIT tier is unavailable
// and every function runs on the interpreter.
#include "jit/jit.h"

namespace wasmrt::jit {

bool available() { return false; }
bool optimizing_available() { return false; }

Result<std::shared_ptr<const JitCode>> compile_functions_optimized(const std::vector<interp::CompiledFunc>&,
                                                                   std::span<const uint32_t>, const interp::Tier*,
                                                                   interp::BoundsChecks) {
  return Error{Phase::Invalid, "optimizing: no optimizing code generator for this architecture"};
}

Result<std::shared_ptr<const JitCode>> compile_functions(const std::vector<interp::CompiledFunc>&,
                                                         std::span<const uint32_t>, const interp::Tier*,
                                                         interp::BoundsChecks) {
  return Error{Phase::Invalid, "jit: no code generator for this architecture"};
}

}  // namespace wasmrt::jit
