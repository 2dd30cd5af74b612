// What the optimizing tier's two SIMD lowerings (x64/lower_simd.cc,
// a64/lower_simd.cc) share that is not instruction selection: the
// bookkeeping of the register copies of recent v128 results, and the
// decoding of the lane instructions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "jit/opt/ir.h"

namespace wasmrt::jit::opt {

// Registers that keep copies of the last v128 results of straight-line
// code, so that the next instruction reads a register instead of waiting
// for its cells' store to forward (the cells hold the values too: a copy
// is dropped, never stored). A copy whose cells an instruction writes is
// doomed then and dropped at the next instruction (the writer may still
// read it: its reads come first). Host is the ISA's SimdHost (simd_use,
// simd_release), Reg its vector register type; each ISA adds `remember`,
// which makes the copy (a register move, or none).
template <typename Host, typename Reg>
class V128CopyList {
 public:
  // A register copy of cell c's v128 (pinned for the instruction).
  std::optional<Reg> find(Host& h, Unit c) {
    for (const Copy& k : copies_)
      if (k.cell == c) return h.simd_use(k.value);
    return std::nullopt;
  }
  // Before each instruction, with its effects.
  void next_instruction(Host& h, const Effects& fx) {
    for (size_t k = copies_.size(); k-- > 0;)
      if (copies_[k].doomed) h.simd_release(copies_[k].value);
    for (Copy& k : copies_)
      for (uint8_t w = 0; w < fx.num_writes; ++w)
        k.doomed = k.doomed || fx.writes[w] == k.cell || fx.writes[w] == k.cell + 1;
  }
  // Wherever the value cache forgets everything (branch targets, calls).
  void drop_all(Host& h) {
    while (!copies_.empty()) h.simd_release(copies_.back().value);
  }
  // The allocator took value v's register.
  void released(uint32_t v) {
    for (size_t k = 0; k < copies_.size(); ++k) {
      if (copies_[k].value != v) continue;
      copies_.erase(copies_.begin() + static_cast<std::ptrdiff_t>(k));
      return;
    }
  }

 protected:
  // A new copy of the v128 at c, c + 1 comes: the copies it overlaps are
  // doomed, and the oldest goes if all are taken.
  void make_room(Host& h, Unit c) {
    for (Copy& k : copies_) k.doomed = k.doomed || (k.cell + 1 >= c && k.cell <= c + 1);  // overlapping
    if (copies_.size() == kMax) h.simd_release(copies_.front().value);  // (released() erases it)
  }
  // Value v (the allocator's, in a vector register) is the copy of c.
  void add(Unit c, uint32_t v) { copies_.push_back(Copy{c, v, false}); }

 private:
  static constexpr size_t kMax = 4;
  struct Copy {
    Unit cell;
    uint32_t value;
    bool doomed;
  };
  std::vector<Copy> copies_;
};

// extract_lane / replace_lane: the lane's size in bytes, and how it is read.
struct LaneOp {
  uint32_t size;
  bool extract;   // else replace_lane
  bool sign;      // a sign-extending extract (i8x16/i16x8 ..._s)
  bool is_float;  // an f32x4/f64x2 lane
};
inline std::optional<LaneOp> lane_op(Op op) {
  switch (op) {
    case Op::I8x16ExtractLaneS: return LaneOp{1, true, true, false};
    case Op::I8x16ExtractLaneU: return LaneOp{1, true, false, false};
    case Op::I16x8ExtractLaneS: return LaneOp{2, true, true, false};
    case Op::I16x8ExtractLaneU: return LaneOp{2, true, false, false};
    case Op::I32x4ExtractLane: return LaneOp{4, true, false, false};
    case Op::F32x4ExtractLane: return LaneOp{4, true, false, true};
    case Op::I64x2ExtractLane: return LaneOp{8, true, false, false};
    case Op::F64x2ExtractLane: return LaneOp{8, true, false, true};
    case Op::I8x16ReplaceLane: return LaneOp{1, false, false, false};
    case Op::I16x8ReplaceLane: return LaneOp{2, false, false, false};
    case Op::I32x4ReplaceLane: return LaneOp{4, false, false, false};
    case Op::F32x4ReplaceLane: return LaneOp{4, false, false, true};
    case Op::I64x2ReplaceLane: return LaneOp{8, false, false, false};
    case Op::F64x2ReplaceLane: return LaneOp{8, false, false, true};
    default: return std::nullopt;
  }
}

}  // namespace wasmrt::jit::opt
