// See loop_registers.h.
#include "jit/opt/loop_registers.h"

#include <algorithm>

namespace wasmrt::jit::opt {

using interp::IrOp;

namespace {

// The offset a branch field of the instruction `in` (at `pc`) jumps to:
// fields hold targets relative to themselves.
uint32_t target_at(const Inst& in, const Unit* pc, uint32_t field) {
  return static_cast<uint32_t>(static_cast<int64_t>(in.offset) + field + static_cast<int32_t>(pc[field]));
}

}  // namespace

LoopRegisters plan_loop_registers(const Function& fn, const std::vector<uint32_t>& target_offsets,
                                  const PinBudget& budget) {
  LoopRegisters out;
  if (!fn.has_back_edge()) return out;  // no loop: no cell keeps a register across a branch
  // Loop headers: targets of backward branches, with the end of the body
  // (the last such branch). A br_table's jump table has no room for moves,
  // so its targets keep registers only where one set of moves before the
  // jump serves them all (below).
  std::unordered_map<uint32_t, uint32_t> body_end;
  std::vector<std::pair<uint32_t, std::vector<uint32_t>>> tables;  // br_table offset, its targets
  const auto& insts = fn.insts();
  for (uint32_t i = 0; i < insts.size(); ++i) {
    const Inst& in = insts[i];
    const Unit* pc = fn.pc(i);
    auto note = [&](uint32_t field) {
      const uint32_t t = target_at(in, pc, field);
      if (t <= in.offset) body_end[t] = std::max(body_end[t], in.offset);
    };
    if (codegen::is_branch_family(in.instr.family)) {
      note(in.instr.field);
      continue;
    }
    if (in.instr.family != Family::Ir) continue;
    switch (in.instr.ir) {
      case IrOp::Br: case IrOp::BrLoopI: case IrOp::BrLoop: note(2); break;
      case IrOp::BrIf: case IrOp::BrUnless: case IrOp::BrIfLoopI: case IrOp::BrIfF: case IrOp::BrIfLoopF: note(3); break;
      case IrOp::CopyBr: case IrOp::CopyBrLoopI: case IrOp::CopyBrLoop: note(4); break;
      case IrOp::ConstBr: case IrOp::ConstBrLoopI: case IrOp::ConstBrLoop: case IrOp::GlobalGetBrIf: note(5); break;
      case IrOp::BrTable: {
        std::vector<uint32_t> targets;
        for (uint32_t k = 0; k <= pc[3]; ++k) targets.push_back(target_at(in, pc, 4 + k));
        std::sort(targets.begin(), targets.end());
        targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
        for (uint32_t t : targets)
          if (t <= in.offset) body_end[t] = std::max(body_end[t], in.offset);
        tables.emplace_back(in.offset, std::move(targets));
        break;
      }
      default: break;
    }
  }
  const std::vector<Unit> v128 = v128_cells(fn);  // (SIMD reads them from their cells: lower_simd.h)
  for (const auto& [header, end] : body_end) {
    out.loop_heads.push_back(header);
    out.loop_extents.emplace_back(header, end);
  }
  std::sort(out.loop_heads.begin(), out.loop_heads.end());
  for (const auto& [header, end] : body_end) {
    const uint32_t b = fn.block_at_offset(header);
    if (b == UINT32_MAX) continue;
    // Uses of each cell live into the header, in the body; float uses
    // choose a vector register.
    std::unordered_map<Unit, std::pair<uint32_t, uint32_t>> uses;  // cell -> (all, float)
    for (uint32_t i = fn.blocks()[b].first; i < insts.size() && insts[i].offset <= end; ++i) {
      if (fn.hoisted(i)) continue;
      const Inst& in = insts[i];
      bool is_float = false;
      if (in.instr.family == Family::Generated || codegen::is_branch_family(in.instr.family) ||
          in.instr.family == Family::AddressSum) {
        const Op op = in.instr.op;
        is_float = codegen::float_op(op).has_value() || op == Op::F32Load || op == Op::F64Load ||
                   op == Op::F32Store || op == Op::F64Store;
      } else if (in.instr.family == Family::Pair) {
        is_float = codegen::float_op(interp::kFusedPairs[in.instr.index - interp::fused_pair_index(0)].first)
                       .has_value();
      }
      auto count = [&](Unit c) {
        if (!fn.live_in(b, c) || fn.frame_constant(c) || std::binary_search(v128.begin(), v128.end(), c)) return;
        auto& u = uses[c];
        ++u.first;
        if (is_float) ++u.second;
      };
      for (uint8_t r = 0; r < in.fx.num_reads; ++r) count(in.fx.reads[r]);
      for (uint8_t w = 0; w < in.fx.num_writes; ++w) count(in.fx.writes[w]);
    }
    std::vector<std::pair<uint32_t, Unit>> ranked;
    // A cell used once in the loop (a bound or a base the body only reads)
    // is pinned too when there is room: its load leaves the loop.
    for (const auto& [c, u] : uses) ranked.push_back({u.first, c});
    std::sort(ranked.begin(), ranked.end(), [](const auto& l, const auto& r) {
      return l.first != r.first ? l.first > r.first : l.second < r.second;
    });
    std::vector<Pin> pins;
    size_t gps = 0, vecs = 0;
    for (const auto& [n, c] : ranked) {
      const bool vec = uses[c].second * 2 > n;
      if (vec && vecs < budget.max_vec) pins.push_back(Pin{c, true, static_cast<uint8_t>(budget.first_vec + vecs++)});
      else if (!vec && gps < budget.max_gp) pins.push_back(Pin{c, false, budget.gp_regs[gps++]});
    }
    if (pins.empty()) continue;
    out.pins.emplace(header, std::move(pins));
  }
  // A join inside a loop body (an `if`'s end, a block's) keeps its
  // innermost loop's registers for the cells live into it, so control
  // flow inside the loop does not send the carried values through memory.
  for (uint32_t t : target_offsets) {
    if (out.pins.count(t) != 0) continue;
    const uint32_t b = fn.block_at_offset(t);
    if (b == UINT32_MAX) continue;
    uint32_t innermost = UINT32_MAX;
    for (const auto& [header, end] : body_end)
      if (header < t && t <= end && out.pins.count(header) != 0 && (innermost == UINT32_MAX || header > innermost))
        innermost = header;
    if (innermost == UINT32_MAX) continue;
    std::vector<Pin> pins;
    for (const Pin& p : out.pins.at(innermost))
      if (fn.live_in(b, p.cell)) pins.push_back(p);
    if (!pins.empty()) out.pins.emplace(t, std::move(pins));
  }
  // A br_table moves the union of its targets' registers once, before its
  // jump: possible only if no cell has two registers among them and no
  // register two cells. Otherwise its targets keep nothing in registers
  // (which leaves every other table's union consistent: it only shrinks).
  auto union_of = [&](const std::vector<uint32_t>& targets, std::vector<Pin>& all) {
    bool consistent = true;
    for (uint32_t t : targets) {
      auto pins = out.pins.find(t);
      if (pins == out.pins.end()) continue;
      for (const Pin& p : pins->second) {
        bool seen = false;
        for (const Pin& q : all) {
          const bool same_cell = q.cell == p.cell, same_reg = q.vec == p.vec && q.reg == p.reg;
          if (same_cell != same_reg) consistent = false;
          seen = seen || same_cell;
        }
        if (!seen) all.push_back(p);
      }
    }
    return consistent;
  };
  for (const auto& [at, targets] : tables) {
    std::vector<Pin> all;
    if (!union_of(targets, all))
      for (uint32_t t : targets) out.pins.erase(t);
  }
  for (const auto& [at, targets] : tables) {
    std::vector<Pin> all;
    union_of(targets, all);
    if (!all.empty()) out.table_pins.emplace(at, std::move(all));
  }
  return out;
}

}  // namespace wasmrt::jit::opt
