// The interpreter tier: translation of validated function bodies into a
// compact, direct-threaded register code (see ir.h), and execution.
//
// Translation happens once per function, up front (translate_module) or on
// the function's first call (LazyTranslator), and the result is immutable
// and shareable between instances and threads: it refers to functions,
// globals, tables and memories by index and resolves them through the
// running instance (InstanceData) at execution time.
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
  // Translate each function on its first call (or first need: tier-up,
  // the JIT compiling a caller) instead of all of them when the module is
  // compiled (LazyTranslator). Validation stays complete and up front, so
  // this changes when the work is done, never what a module does.
  bool lazy = true;
  // Tier-up (tier.h, TierUpOptions): functions start on the interpreter,
  // which counts calls and taken loop back edges and has hot functions
  // compiled by another tier. Every branch back to a loop header then uses
  // a loop instruction (the interrupt-polling form when unmetered), where
  // the interpreter counts and may enter the compiled code (on-stack
  // replacement).
  bool count_back_edges = false;
};

// Where a tier's code for one function may be entered in the middle: the
// targets of its loop back edges (offsets into the translated code) and
// their machine addresses, sorted by offset. Entering at one is exactly
// like taking the back edge in that code after its charge and poll.
struct LoopEntries {
  std::vector<uint32_t> code_offsets;
  std::vector<const void*> addresses;
  // The address for the translated code offset `offset`, or null.
  const void* find(uint32_t offset) const;
};

// How far a function is on its way up (CompiledFunc::tier_up_state).
enum class TierUpState : uint8_t {
  Cold,      // counting
  Queued,    // asked for; the compile has not published yet
  Compiled,  // CompiledFunc::tier is set
  Declined,  // no tier would compile it: stays on the interpreter
};

class TierUpSink;  // tier.h
class LazyTranslator;

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
  // 64-bit: a body may declare ~2^32 locals. kNotTranslated until the
  // function is translated: a lazily translated function publishes its
  // translation by storing this last (release), and every call checks it
  // (acquire: translated()) before it reads the fields above, so a thread
  // that sees a frame size sees the code. The sentinel is larger than any
  // stack, so the call path's frame check sends an untranslated callee to
  // its slow path without a test of its own.
  uint64_t frame_cells = 0;
  static constexpr uint64_t kNotTranslated = ~uint64_t{0};
  // Charged by every call before the first instruction: the static fuel of
  // the function's first basic block (0 without fuel metering).
  uint32_t entry_fuel = 0;
  bool check_interrupt = false;  // poll ExecContext::interrupt on entry
  bool fuel = false;             // compiled with fuel metering (TranslateOptions)
  // ---- set by a tier, possibly while other threads run the function ----
  // With tier-up these are published once, by a compile on any thread,
  // while other threads run the module: C++ reads and writes them with
  // std::atomic_ref (tier_entry(), publish_tier() below), in the order
  // loop_entries, jit_trampoline, jit_entry, tier, so a thread that sees
  // `tier` (acquire) sees the rest. Machine code reads jit_entry with one
  // aligned load, atomic on x86-64 and AArch64.
  //
  // Machine code for this function, or null, set by the tier that compiled
  // it: that code calls a callee's jit_entry directly (read by its member
  // offset) and leaves calls to the others to call_outside. The trampoline
  // enters the module's machine code from C++.
  mutable const void* jit_entry = nullptr;
  mutable const void* jit_trampoline = nullptr;
  // Where the tier's code may be entered at a loop header (OSR), or null.
  mutable const LoopEntries* loop_entries = nullptr;
  // The tier that runs this function (tier.h), or null: the interpreter.
  mutable const Tier* tier = nullptr;

  // ---- tier-up bookkeeping (tier.h), racy by design ----
  // Counters are read and written with relaxed atomic loads and stores,
  // not read-modify-writes: a count lost to a race only delays tier-up,
  // and the interpreter's call path stays one load and one store.
  // Calls left until the interpreter's slow path looks at this function:
  // counts down from the call threshold (INT32_MAX without tier-up), then
  // stays at or below 0 once the function runs elsewhere.
  mutable int32_t calls_left = INT32_MAX;
  // Taken back edges counted so far (in samples: execute.cc).
  mutable uint32_t back_edges = 0;
  mutable TierUpState tier_up_state = TierUpState::Cold;
  // Who compiles this function when it is hot, or null (no tier-up).
  TierUpSink* tier_up = nullptr;

  // ---- lazy translation (LazyTranslator) ----
  // Who translates this function on its first need, or null (translated
  // up front). Only the fields above the frame size (code, frame_init,
  // init_cell, num_local_cells, entry_fuel) wait for it; func_index, the
  // parameter and result cells, check_interrupt and fuel are set at once.
  const LazyTranslator* lazy = nullptr;
  // LazyTranslator's once-state (atomic_ref): not translated, being
  // translated (other threads wait), translated.
  mutable uint8_t translation_state = 0;

  // The frame size once the function is translated (acquire: its
  // translation is then visible), or kNotTranslated.
  uint64_t frame_cells_published() const {
    return std::atomic_ref(const_cast<uint64_t&>(frame_cells)).load(std::memory_order_acquire);
  }
  bool translated() const { return frame_cells_published() != kNotTranslated; }

  // The tier running this function, read by a thread that may race with
  // its publication (acquire: its entries are then visible).
  const Tier* current_tier() const { return std::atomic_ref(tier).load(std::memory_order_acquire); }
  const void* entry() const { return std::atomic_ref(jit_entry).load(std::memory_order_acquire); }
  const void* trampoline() const { return std::atomic_ref(jit_trampoline).load(std::memory_order_acquire); }
  const LoopEntries* loop_entries_published() const {
    return std::atomic_ref(loop_entries).load(std::memory_order_acquire);
  }
  // Makes the function run on `t` from its next call (release: readers of
  // tier see everything stored before).
  void publish(const Tier* t, const void* entry_address, const void* trampoline_address,
               const LoopEntries* loops) const {
    std::atomic_ref(loop_entries).store(loops, std::memory_order_release);
    std::atomic_ref(jit_trampoline).store(trampoline_address, std::memory_order_release);
    std::atomic_ref(jit_entry).store(entry_address, std::memory_order_release);
    std::atomic_ref(tier).store(t, std::memory_order_release);
  }
};

// Translates every defined function of a validated module (side tables
// filled), in order of the defined-function index.
Result<std::vector<CompiledFunc>> translate_module(const ModuleDesc& module, const TranslateOptions& options = {});

// Translates one module's functions on their first need, from any thread,
// each once: the first thread to need a function translates it, any other
// that needs it meanwhile waits for that translation (a few microseconds
// to a millisecond) rather than translate it again. The module and its
// side tables must outlive it; a CompiledModule owns both.
class LazyTranslator {
 public:
  LazyTranslator(const ModuleDesc& module, const TranslateOptions& options);

  // Untranslated functions for every defined function of the module, each
  // pointing back here.
  std::vector<CompiledFunc> untranslated_functions() const;
  // A fresh untranslated function for `f`'s (a copy of the module's
  // functions that gets translations of its own: the checked copy).
  CompiledFunc untranslated_like(const CompiledFunc& f) const;

  // Makes sure `f` (one of this translator's) is translated, translating it
  // now or waiting for the thread that is. Translating a validated body
  // fails only when the host runs out of memory, or on a translator bug:
  // the error (a HostError trap for the caller) leaves `f` untranslated,
  // and its next call tries again. Never throws.
  Result<void> translate(const CompiledFunc& f) const;

  // translate(funcs[defined]), and every function it calls directly: the
  // JIT compiling funcs[defined] reads its direct callees' frame sizes, so
  // they must be translated before (and not by another thread during).
  Result<void> translate_with_direct_callees(const std::vector<CompiledFunc>& funcs, uint32_t defined) const;

  const TranslateOptions& options() const { return options_; }

 private:
  Result<void> translate_now(const CompiledFunc& f) const;

  const ModuleDesc& module_;
  TranslateOptions options_;
};

// How many functions this process has translated lazily (LazyTranslator),
// counted once per translation: what tests observe to see that a function
// two threads needed at once was translated once.
uint64_t lazy_translations();

// Runs `f` (wasm or host) with its arguments in args_results[0..param cells)
// and writes its results to args_results[0..result cells). Returns
// TrapCode::None, or the trap (ctx.trap / trap_message / backtrace are set).
// Wasm-to-wasm calls never recurse on the host stack; re-entry from a host
// function into wasm counts toward ExecContext::max_call_depth and is also
// bounded by the remaining native stack of the calling thread.
TrapCode invoke(ExecContext& ctx, FuncInst* f, Cell* args_results);

// How many times, in this process, the interpreter has continued a running
// call on another tier's code at a loop header (on-stack replacement):
// what tests observe instead of timing.
uint64_t on_stack_replacements();

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
// records from `depth` down to (not including) `entry_depth`. A deep one
// keeps its innermost and outermost frames; when the interpreter handed
// this call to a tier (ExecContext::backtrace_floor), the frames below
// entry_depth, which it records next, count as part of the same stack.
// `first_index`: how many frames of that stack were recorded already.
void record_backtrace(ExecContext& ctx, FuncInst* cur, const Cell* stack_end, uint32_t depth, uint32_t entry_depth,
                      uint64_t first_index = 0);

}  // namespace wasmrt::interp
