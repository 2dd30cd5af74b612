// Module validator for Wasm 2.0.
#pragma once

#include "runtime/binary/module.h"
#include "wasmrt/result.h"

namespace wasmrt {

// Validates a decoded module and fills module.side_tables. Function bodies
// are decoded here, so this can also report Phase::Malformed (an illegal
// opcode, a truncated body, "data count section required"); when a module is
// both malformed and invalid, the malformed error is reported, as the spec's
// decode-then-validate order implies. Non-recursive: nesting depth never
// grows the host stack.
//
// The function bodies of a large module are validated on up to
// `max_threads` threads (1 or 2); the result, and for an invalid or
// malformed module the error, is the same as on one thread.
Result<void> validate_module(ModuleDesc& module, unsigned max_threads = 2);

}  // namespace wasmrt
