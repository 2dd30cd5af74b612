// The interpreter tier: translation of validated function bodies into a
// compact, direct-threaded register code (see ir.h), and execution.
//
// Translation happens once per function (translate_module) and the result
// is immutable and shareable between instances and threads: it refers to
// functions, globals, tables and memories by index and resolves them through
// the running instance (InstanceData) at execution time.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "runtime/binary/module.h"
#include "runtime/interp/ir.h"
#include "runtime/store/exec_context.h"
#include "runtime/store/objects.h"
#include "wasmrt/result.h"

namespace wasmrt::interp {

class Tier;  // tier.h

struct TranslateOptions {
  // Fuel metering (docs/fuel.md): every basic block's static cost is
  // charged on entry (CompiledFunc::entry_fuel, Fuel instructions, metered
  // back edges) and bulk operations charge their dynamic cost. Off: the
  // code carries no metering at all.
  bool fuel = false;
  // Interrupt checks (ExecContext::interrupt) at every function entry and
  // every branch back to a loop header. Off: none.
  bool interrupt_checks = false;
  // Also compile every function to machine code where this build can (the
  // store picks the tier: tier.h); the translated code stays, as the JIT's
  // input and for functions it leaves to the interpreter.
  bool jit = false;
  // With jit: compile with the optimizing tier (docs/jit.md).
  bool optimize = false;
};

// One translated function. Frame layout, in cells from the frame pointer:
//   [0, num_param_cells)                    parameters (the caller's
//                                           argument cells: calls pass
//                                           arguments in place)
//   [num_param_cells, num_local_cells)      declared locals, zeroed on entry
//   [num_local_cells, + constants)          constant operands, copied in on
//                                           entry (at most 32: translate.cc)
//   [.., frame_cells)                       operand stack
// Results are returned in cells [0, num_result_cells).
struct CompiledFunc {
  std::vector<Unit> code;
  // Copied to [init_cell, init_cell + frame_init.size()) on entry: the
  // locals' zeros followed by the constants, so that a call pays for one
  // short inline copy instead of a memset and a memcpy. A function with
  // more than kMaxInlineZeroCells local cells keeps only its constants here
  // (init_cell = num_local_cells) and clears its locals with memset.
  std::vector<Cell> frame_init;
  uint32_t init_cell = 0;
  static constexpr uint32_t kMaxInlineZeroCells = 64;
  uint32_t func_index = 0;  // in the module's function index space
  uint32_t num_param_cells = 0;
  uint32_t num_result_cells = 0;
  uint32_t num_local_cells = 0;  // params included
  uint64_t frame_cells = 0;      // 64-bit: a body may declare ~2^32 locals
  // Charged by every call before the first instruction: the static fuel of
  // the function's first basic block (0 without fuel metering).
  uint32_t entry_fuel = 0;
  bool check_interrupt = false;  // poll ExecContext::interrupt on entry
  // Machine code for this function, or null, set by the tier that compiled
  // it: that code calls a callee's jit_entry directly (read by its member
  // offset) and leaves calls to the others to call_outside. The trampoline
  // enters the module's machine code from C++.
  const void* jit_entry = nullptr;
  const void* jit_trampoline = nullptr;
  // The tier that runs this function (tier.h), or null: the interpreter.
  const Tier* tier = nullptr;
};

// Translates every defined function of a validated module (side tables
// filled), in order of the defined-function index.
Result<std::vector<CompiledFunc>> translate_module(const ModuleDesc& module, const TranslateOptions& options = {});

// Runs `f` (wasm or host) with its arguments in args_results[0..param cells)
// and writes its results to args_results[0..result cells). Returns
// TrapCode::None, or the trap (ctx.trap / trap_message / backtrace are set).
// Wasm-to-wasm calls never recurse on the host stack; re-entry from a host
// function into wasm counts toward ExecContext::max_call_depth and is also
// bounded by the remaining native stack of the calling thread.
TrapCode invoke(ExecContext& ctx, FuncInst* f, Cell* args_results);

// For other tiers (tier.h), which share the interpreter's frames and call
// records. The dispatch table: handler addresses by handler index (ir.h).
const void* const* handler_table();
// A call from compiled code at call depth `depth` to a host function, or
// to a wasm function without machine code, whose arguments are at `nfp`
// (results are written there). Fuel is exchanged through ctx.fuel.
TrapCode call_outside(ExecContext& ctx, InstanceData* caller, FuncInst* callee, Cell* nfp, uint32_t depth);
// The trap an interrupt stops code with: Interrupted or DeadlineExceeded,
// by the reason in `flags`.
TrapCode interrupt_trap(const std::atomic<uint32_t>& flags);
// The word compiled code polls for `ctx`: its InterruptState's flags, or a
// word that is never set when it has none (unmetered polls read it too).
const std::atomic<uint32_t>& interrupt_flags(const ExecContext& ctx);
// Appends the trap's backtrace: `cur`, then the callers in the call
// records from `depth` down to (not including) `entry_depth`.
void record_backtrace(ExecContext& ctx, FuncInst* cur, const Cell* stack_end, uint32_t depth, uint32_t entry_depth);

}  // namespace wasmrt::interp
