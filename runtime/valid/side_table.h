// What validation records for the execution tiers (interpreter translator,
// JIT) so they never recompute control flow or stack heights.
//
// Contract (owned by the validator, runtime/valid/body_decoder.h):
//
// * Operand-stack heights are counted in value slots (every value, v128
//   included, is one slot) relative to the function's operand base: the
//   stack is empty (height 0) at function entry; locals are not counted.
//
// * `branches` holds one BranchEntry per control transfer, in the order the
//   instructions appear in the body, so a second walk consumes it with a
//   single cursor:
//     if            1 entry: where the condition-false path continues (the
//                   first instruction of the else arm, or the instruction
//                   after the matching `end` when there is no else);
//                   arity = block params (they stay in place), drop = 0.
//     else          1 entry: where the then arm continues when it reaches
//                   the `else` (after the matching `end`).
//     br, br_if     1 entry: the label's continuation.
//     br_table      n + 1 entries: the n labels in order, then the default.
//     return        1 entry: target = FuncBody::code_end.
//   Block, loop and end produce no entry (falling through needs none).
//   A branch to a block/if label (or to the function, label depth = depth)
//   continues after the matching `end` (the function's "after end" is
//   FuncBody::code_end); a branch to a loop continues at the first
//   instruction of the loop body (just after the loop's block type).
//   To take a branch: keep the top `arity` slots, discard the `drop` slots
//   directly below them, jump to `target`; the stack height is then
//   `height`. Entries in unreachable code have drop = 0 and are never taken.
//
// * `blocks` lists basic-block leaders in increasing offset order: the
//   function's first instruction, the first instruction of every loop body,
//   then-arm and else-arm, and the instruction after every `end` (except
//   the function's last), br, br_if, br_table, return and unreachable.
//   Every branch target is a leader. Each leader carries the fuel cost of
//   its basic block (fuel_cost() of every instruction up to the next
//   leader, terminator included); both tiers charge exactly that on entry
//   to the block, so they consume fuel identically (docs/fuel.md).
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/binary/opcodes.h"

namespace wasmrt {

// The static fuel cost of one instruction (docs/fuel.md): 1, except for the
// instructions that do no work of their own. Bulk memory and table
// instructions additionally charge bulk_fuel_cost_* when they run.
constexpr uint32_t fuel_cost(Op op) {
  switch (op) {
    case Op::Nop:
    case Op::Block:
    case Op::Loop:
    case Op::End:
    case Op::Drop:
      return 0;
    default:
      return 1;
  }
}
// Dynamic part, charged when the instruction runs, from its length operand:
// memory.fill / memory.copy / memory.init: one unit per 64 bytes;
// table.fill / table.copy / table.init / table.grow: one unit per 8 elements.
constexpr uint64_t bulk_fuel_cost_bytes(uint32_t bytes) { return bytes / 64; }
constexpr uint64_t bulk_fuel_cost_elements(uint32_t elements) { return elements / 8; }

struct BranchEntry {
  // Absolute offset in ModuleDesc::bytes of the instruction executed next.
  uint32_t target = 0;
  uint32_t arity = 0;   // values carried to the target (kept on top)
  uint32_t drop = 0;    // slots below the carried values that are removed
  uint32_t height = 0;  // stack height after the branch (target base + arity)
};

struct BasicBlockStart {
  uint32_t offset = 0;       // absolute offset of the leader instruction
  uint32_t first_instr = 0;  // its instruction index within the body
  uint32_t fuel = 0;         // the block's static fuel cost (docs/fuel.md)
};

struct FuncSideTable {
  std::vector<BranchEntry> branches;
  std::vector<BasicBlockStart> blocks;
  uint32_t num_instrs = 0;         // instructions in the body, final end included
  uint32_t max_stack_height = 0;   // in value slots (v128 counts as 1)
  uint32_t max_control_depth = 0;  // nesting depth, the function frame counts 1

  // Instructions executed from leader i up to (not including) leader i + 1.
  uint32_t block_instr_count(size_t i) const {
    uint32_t next = i + 1 < blocks.size() ? blocks[i + 1].first_instr : num_instrs;
    return next - blocks[i].first_instr;
  }
};

}  // namespace wasmrt
