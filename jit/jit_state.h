// What the JIT's machine code and its C++ helpers share during one call of
// jit::run: the running instance's tables, the metering registers' home,
// the call-depth bookkeeping, and where to unwind to on a trap.
//
// Machine code addresses the fields by offsetof (jit/x64/compile.cc,
// jit/a64/compile.cc), so this is a standard-layout struct. Register
// conventions of the code (x86-64 / AArch64, callee-saved on both):
//   rbx / x19  frame pointer (Cell*), as the interpreter's fp
//   r12 / x20  memory 0's base (never moves: linear_memory.h)
//   r13 / x21  this JitState
//   r14 / x22  code compiled with fuel: the remaining fuel (kUnmeteredFuel
//              when the store does not meter), stored to `fuel` around every
//              helper that may read or charge it; code compiled without
//              fuel: the address of InterruptState::any_pending(), so that
//              an interrupt poll is one compare with memory. The register
//              follows the running instance's module (switch_instance).
//   r15 / x23  the running instance's globals (GlobalInst* const*)
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>

#include "runtime/interp/ir.h"
#include "runtime/store/exec_context.h"
#include "runtime/store/objects.h"

namespace wasmrt::jit {

// The fuel register's value when the store does not meter: 2^62, which
// code compiled with fuel can neither use up nor overflow by a refund.
inline constexpr int64_t kUnmeteredFuel = int64_t{1} << 62;

using interp::Cell;
using interp::Unit;

// A call record's size: return address, caller's frame, caller's FuncInst
// (the interpreter's layout, runtime/interp/execute.cc).
inline constexpr size_t kCallRecordCells = 3;

struct JitState {
  uint8_t* mem_base = nullptr;  // memory 0 of `inst` (null: none)
  // Memory 0's size in bytes, for memory.size and the explicit bounds
  // checks (code compiled for guard regions has none: fault_handler.h):
  // refreshed whenever it may have changed (memory.grow, a host or
  // interpreted call, a change of instance).
  uint64_t mem_size = 0;
  GlobalInst* const* globals = nullptr;
  FuncInst* const* funcs = nullptr;
  InstanceData* inst = nullptr;
  LinearMemory* mem = nullptr;
  FuncInst* cur = nullptr;  // the running function (frame #0 of a trap)
  Cell* stack_end = nullptr;
  const std::atomic<uint32_t>* irq = nullptr;
  // InterruptState::any_pending(): polls read it first.
  const std::atomic<uint32_t>* any_pending = nullptr;
  int64_t fuel = 0;
  void* saved_rsp = nullptr;  // the trampoline's stack pointer (rsp / sp), for traps
  // The call depth, kept as the address of its call record (the
  // interpreter's records, kCallRecordCells each, below stack_end: depth d's
  // at stack_end - d * kCallRecordCells), so that a call and a return find
  // their record with one load instead of a load, a multiply and a
  // subtraction from stack_end (fib spends most of its time in them).
  Cell* rec = nullptr;        // `cur`'s
  Cell* entry_rec = nullptr;  // the function jit::run entered
  // The lowest record a call may make, for the depth limit (null when the
  // limit is beyond the address space: never reached).
  Cell* min_rec = nullptr;
  uint32_t trap_message_set = 0;  // ctx->trap_message already says more
  uint32_t trap_scratch = 0;      // resolve_indirect's trap code
  ExecContext* ctx = nullptr;
  bool metered = false;
  // The running instance's tables and canonical signature ids (by type
  // index), for call_indirect's inline checks.
  TableInst* const* tables = nullptr;
  const uint32_t* type_sig_ids = nullptr;

  uint32_t depth() const { return static_cast<uint32_t>((stack_end - rec) / kCallRecordCells); }
  uint32_t entry_depth() const { return static_cast<uint32_t>((stack_end - entry_rec) / kCallRecordCells); }
};

// A helper for one translated instruction: reads its operands from `fp`
// (cell offsets at pc), returns a TrapCode (0: none) or, for conditions,
// the condition's value.
using InstrHelper = uint32_t (*)(Cell* fp, const Unit* pc, JitState* st);

// The generic implementation of every handler index the machine code does
// not expand inline (null: none, e.g. the hand-written control flow).
InstrHelper instr_helper(uint32_t handler_index);

// Calls outside the JIT's own code: host functions, and wasm functions
// without machine code (the interpreter runs them). Returns a TrapCode.
uint32_t call_slow(JitState* st, FuncInst* callee, Cell* nfp);
// Makes `inst` the running instance (a call or return across instances).
void switch_instance(JitState* st, InstanceData* inst);
// The trap a stopped back edge or a pending-interrupt poll ends in (0: the
// interrupt was for another context, go on).
uint32_t poll_interrupt(JitState* st);
uint32_t back_edge_trap(JitState* st);
// call_indirect's checks: the callee, or null with the trap in *trap.
FuncInst* resolve_indirect(JitState* st, Cell* fp, const Unit* pc, uint32_t* trap);
// Where machine code finds a table's elements: the byte offsets, from a
// TableInst, of its elements' first and past-the-end pointers, or nullopt
// when this standard library's std::vector does not start with those two
// pointers (then call_indirect resolves in C++ only).
struct TableElemsLayout {
  int32_t begin, end;
};
std::optional<TableElemsLayout> table_elems_layout();

}  // namespace wasmrt::jit
