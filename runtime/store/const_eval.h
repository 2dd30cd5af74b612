// Evaluation of constant expressions (global initializers, segment offsets,
// element expressions) at instantiation.
#pragma once

#include "runtime/binary/module.h"
#include "runtime/store/objects.h"

namespace wasmrt {

// Evaluates a validated constant expression against `instance` (its funcs
// and the globals created so far). Writes one cell (two for v128) to `out`.
// Validation guarantees the expression is well formed; anything unexpected
// still yields a defined result (zero) rather than undefined behaviour.
void eval_const_expr(const ModuleDesc& module, const ConstExpr& expr, const InstanceData& instance,
                     Cell out[2]);

}  // namespace wasmrt
