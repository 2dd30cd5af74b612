// Which cells each loop keeps in registers (ISA-neutral: both lowerings
// plan their loop registers here and differ only in the registers they
// offer, PinBudget).
//
// A loop header (the target of a backward branch) keeps the most used
// cells that are live into it in fixed registers, its pins: every branch
// to the header, and the fall-through into it, moves the cells' current
// values there, so a back edge costs register moves instead of a store
// and a load on the loop's critical path. A join inside a loop body keeps
// its innermost loop's pins for the cells live into it. A br_table's jump
// table has no room for moves: it moves the union of its targets' pins
// once, before its jump, where that union is consistent.
#pragma once

#include <cstdint>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "jit/opt/ir.h"

namespace wasmrt::jit::opt {

// A cell kept in a register at a branch target: a general register, or a
// vector register (floating point) when most of the loop's uses of the
// cell are float.
struct Pin {
  Unit cell;
  bool vec;
  uint8_t reg;  // the ISA's register id
};

// What a lowering offers for pins.
struct PinBudget {
  size_t max_gp;                     // at most this many general registers per loop
  size_t max_vec;                    // and this many vector registers
  std::span<const uint8_t> gp_regs;  // taken in this order (at least max_gp)
  uint8_t first_vec;                 // vector registers first_vec, first_vec + 1, ...
};

struct LoopRegisters {
  std::vector<uint32_t> loop_heads;                         // targets of backward branches, sorted
  std::vector<std::pair<uint32_t, uint32_t>> loop_extents;  // header offset, last back edge's offset
  std::unordered_map<uint32_t, std::vector<Pin>> pins;        // by branch target offset
  std::unordered_map<uint32_t, std::vector<Pin>> table_pins;  // by br_table offset: its targets' pins
};

// `target_offsets` are the function's branch targets, sorted
// (codegen::FunctionCode::target_offsets()).
LoopRegisters plan_loop_registers(const Function& fn, const std::vector<uint32_t>& target_offsets,
                                  const PinBudget& budget);

}  // namespace wasmrt::jit::opt
