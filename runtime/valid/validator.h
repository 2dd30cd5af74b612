// Module validator for Wasm 2.0.
#pragma once

#include <cstdint>

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
// The function bodies of a large module may be validated on two threads;
// the result, and for an invalid or malformed module the error, is the
// same as on one.
enum class BodyThreads : uint8_t {
  One,
  Two,
  // Two when another CPU is idle at the time (a second thread then runs
  // beside this one rather than taking turns with it), else one.
  TwoIfIdle,
};
Result<void> validate_module(ModuleDesc& module, BodyThreads threads = BodyThreads::TwoIfIdle);

}  // namespace wasmrt
