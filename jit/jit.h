// The JIT tier: x86-64 or AArch64 machine code compiled from the
// interpreter's translated code (runtime/interp/ir.h), one function at a
// time.
//
// The JIT consumes what translation already decided: frame layout (every
// value lives in the same frame cell as under the interpreter), branch
// targets, the fused forms, and the fuel and interrupt operations. Its
// code therefore charges exactly the interpreter's fuel and polls at the
// same points, and frames and call records are laid out alike, so a trap's
// backtrace and the call-depth and stack limits are the same on both tiers.
// docs/jit.md describes the code it emits.
//
// Compiled code is immutable and shared by every instance of the module,
// like the translated code: it reaches the running instance's globals,
// functions, tables and memory through the JitState of the call.
//
// The interpreter does not know the JIT: it reaches it through the tier
// interface (runtime/interp/tier.h) of jit::tier(), which the store uses to
// compile a module (runtime/store/compiled_module.cc) and which marks each
// compiled function with itself. Each back end (jit/x64/, jit/a64/,
// jit/none/) defines available() and compile_functions(); what the two code
// generators share is jit/codegen.h; jit/runtime.cc, shared by all,
// defines the rest.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "runtime/interp/interp.h"
#include "runtime/interp/tier.h"
#include "wasmrt/result.h"

namespace wasmrt::jit {

// True when this build can compile to machine code for the host (x86-64
// and AArch64 can).
bool available();

// The baseline JIT as an execution tier: compile and compile_functions
// are compile_functions below, enter and enter_at are run. Null when
// !available().
const interp::Tier* tier();

// True when this build has the optimizing tier for the host (x86-64 and
// arm64: docs/jit.md, "The optimizing tier").
bool optimizing_available();
// The optimizing tier: compile and compile_functions are
// compile_functions_optimized, enter and enter_at are run (the same frames,
// stubs and trampoline as the baseline). Null when !optimizing_available().
const interp::Tier* optimizing_tier();

// The machine code of one module, or of one tier-up batch of its
// functions. Releasing it frees the code: it must outlive every
// CompiledFunc::jit_entry pointing into it.
class JitCode : public interp::TierCode {};

// Compiles the functions `which` of `funcs` (one module's, already
// translated) and publishes each one compiled on `as` (its jit_entry, its
// loop entries, CompiledFunc::tier). On failure, none is published. Other
// threads may be running the module meanwhile (tier-up). (The back end's
// half of the tier.) With UseGuardRegions, the scalar accesses to memory 0
// (32-bit index) are emitted unchecked when the fault handler
// (fault_handler.h) is installed, and the code then runs only where memory
// 0 has guard regions (TierCode::relies_on_guard_regions); everything else
// is checked.
Result<std::shared_ptr<const JitCode>> compile_functions(const std::vector<interp::CompiledFunc>& funcs,
                                                         std::span<const uint32_t> which, const interp::Tier* as,
                                                         interp::BoundsChecks bounds);

// compile_functions with the optimizing tier's lowering (jit/opt/): every
// function it can compile is optimized, the others get baseline code, in
// one code object sharing the baseline's stubs. Both are published on `as`.
Result<std::shared_ptr<const JitCode>> compile_functions_optimized(const std::vector<interp::CompiledFunc>& funcs,
                                                                   std::span<const uint32_t> which,
                                                                   const interp::Tier* as,
                                                                   interp::BoundsChecks bounds);

// Runs `entry` (a wasm function with a jit_entry) whose frame is at `fp`
// with its arguments in place; ctx.call_depth already counts it. The JIT's
// counterpart of the interpreter's dispatch loop: tier()->enter, which
// interp::invoke calls for a function the JIT compiled. With `at`, one of
// the function's loop entries, it continues a call the interpreter was
// running there instead (tier()->enter_at: on-stack replacement).
TrapCode run(ExecContext& ctx, FuncInst* entry, Cell* fp, const void* at = nullptr);

}  // namespace wasmrt::jit
