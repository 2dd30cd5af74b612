// Builds for hosts without a code generator: the JIT tier is unavailable
// and every function runs on the interpreter.
#include "jit/jit.h"

namespace wasmrt::jit {

bool available() { return false; }

Result<std::shared_ptr<const JitCode>> compile_module(std::vector<interp::CompiledFunc>&) {
  return Error{Phase::Invalid, "jit: no code generator for this architecture"};
}

}  // namespace wasmrt::jit
