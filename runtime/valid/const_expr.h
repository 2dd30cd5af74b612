// Validation of constant expressions (global initializers, element offsets
// and element expressions, data offsets) under the Wasm 2.0 rules.
#pragma once

#include "runtime/binary/module.h"
#include "wasmrt/result.h"

namespace wasmrt {

// Checks that `expr` is a constant expression of type [] -> [expected]:
// only t.const, ref.null, ref.func, global.get of an imported immutable
// global, and the final end ("constant expression required" otherwise;
// "type mismatch" when the result differs). As in Wasm 2.0, only imported
// globals are visible ("unknown global N" for the others).
Result<void> validate_const_expr(const ModuleDesc& module, const ConstExpr& expr, ValType expected);

}  // namespace wasmrt
