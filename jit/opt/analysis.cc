// The optimizing tier's analysis of translated code (jit/opt/ir.h):
// instruction effects, basic blocks and cell liveness. ISA-neutral.
#include <algorithm>

#include "jit/opt/ir.h"

namespace wasmrt::jit::opt {

namespace {

using codegen::scalar_access;
using interp::IrOp;
using interp::kHandlerUnits;

// Past this many words of one liveness set times the blocks, liveness is
// not computed (every cell counts as live: correct, only less optimized):
// memory for the analysis stays bounded on huge functions.
constexpr size_t kMaxLivenessWords = size_t{1} << 21;

bool is_scalar_sig(std::string_view letters) {
  return letters.find('v') == std::string_view::npos;
}

// The v128 loads and stores with a plain memarg (not the lane forms):
// an address, and a v128 (two cells) or nothing as the result.
bool is_plain_v128_access(Op op) {
  return interp::kOpImm[static_cast<size_t>(op)] == ImmKind::MemArg &&
         (interp::op_results(op) == "v" || (op == Op::V128Store));
}

}  // namespace

Effects effects_of(const Instr& in, const Unit* pc, uint32_t num_result_cells, bool exact_simd) {
  Effects fx;
  auto unknown = [&] {
    fx = Effects{};
    fx.reads_from = 0;
    fx.clobbers = true;
  };
  auto return_reads = [&] {
    for (Unit c = 0; c < num_result_cells; ++c) {
      if (fx.num_reads == Effects::kMaxCells) {  // many results: every cell from 0
        fx.reads_from = 0;
        return;
      }
      fx.read(c);
    }
  };
  constexpr Unit H = kHandlerUnits;
  switch (in.family) {
    case Family::Generated: {
      const std::string_view params = interp::op_params(in.op), results = interp::op_results(in.op);
      if (interp::is_computed_op(in.op) && interp::kOpImm[static_cast<size_t>(in.op)] == ImmKind::None &&
          is_scalar_sig(params) && is_scalar_sig(results) && params.size() <= 3 && results.size() <= 1) {
        for (size_t i = 0; i < params.size(); ++i) fx.read(pc[H + i]);
        if (!results.empty()) fx.write(pc[H + params.size()]);
        return fx;
      }
      if (std::optional<codegen::Access> acc = scalar_access(in.op)) {
        fx.read(pc[H]);
        if (acc->store) fx.read(pc[H + 1]);
        else fx.write(pc[H + 1]);
        return fx;
      }
      if (exact_simd && interp::is_computed_op(in.op) && results.size() == 1) {
        // Pure lane arithmetic: each v128 operand is two cells, lane and
        // shuffle immediates follow the result.
        size_t cells = 0;
        for (char l : params) cells += l == 'v' ? 2 : 1;
        if (cells <= Effects::kMaxCells) {
          for (size_t i = 0; i < params.size(); ++i) {
            fx.read(pc[H + i]);
            if (params[i] == 'v') fx.read(pc[H + i] + 1);
          }
          fx.write(pc[H + params.size()]);
          if (results[0] == 'v') fx.write(pc[H + params.size()] + 1);
          return fx;
        }
      }
      if (exact_simd && interp::kOpImm[static_cast<size_t>(in.op)] == ImmKind::MemArgLane) {
        // v128.loadN_lane / storeN_lane: an address and a v128, and a
        // v128 result for the loads.
        fx.read(pc[H]);
        fx.read(pc[H + 1]);
        fx.read(pc[H + 1] + 1);
        if (results == "v") {
          fx.write(pc[H + 2]);
          fx.write(pc[H + 2] + 1);
        }
        return fx;
      }
      if (exact_simd && is_plain_v128_access(in.op)) {
        fx.read(pc[H]);
        if (in.op == Op::V128Store) {
          fx.read(pc[H + 1]);
          fx.read(pc[H + 1] + 1);
        } else {
          fx.write(pc[H + 1]);
          fx.write(pc[H + 1] + 1);
        }
        return fx;
      }
      unknown();
      return fx;
    }
    case Family::AddressSum:
      if (std::optional<codegen::Access> acc = scalar_access(in.op)) {
        fx.read(pc[H]);
        fx.read(pc[H + 1]);
        if (acc->store) fx.read(pc[H + 2]);
        else fx.write(pc[H + 2]);
        return fx;
      }
      if (exact_simd && is_plain_v128_access(in.op)) {
        fx.read(pc[H]);
        fx.read(pc[H + 1]);
        if (in.op == Op::V128Store) {
          fx.read(pc[H + 2]);
          fx.read(pc[H + 2] + 1);
        } else {
          fx.write(pc[H + 2]);
          fx.write(pc[H + 2] + 1);
        }
        return fx;
      }
      unknown();
      return fx;
    case Family::Pair:
      fx.read(pc[H]);
      fx.read(pc[H + 1]);
      fx.read(pc[H + 2]);
      fx.write(pc[H + 3]);
      return fx;
    case Family::BT: case Family::BF: case Family::BTI: case Family::BTF: case Family::BTLF: {
      // A v128 operand (any_true, all_true, bitmask) is two cells, both
      // read by the helper that evaluates the condition.
      const std::string_view params = interp::op_params(in.op);
      for (size_t i = 0; i < params.size(); ++i) {
        if (fx.num_reads + (params[i] == 'v' ? 2u : 1u) > Effects::kMaxCells) {
          fx.reads_from = 0;
          break;
        }
        fx.read(pc[H + i]);
        if (params[i] == 'v') fx.read(pc[H + i] + 1);
      }
      fx.ends_block = true;
      return fx;
    }
    case Family::ABT: case Family::ABF: case Family::ABTI: case Family::ABTF: case Family::ABTLF:
      fx.read(pc[H]);
      fx.read(pc[H + 1]);
      fx.read(pc[H + 3]);
      fx.write(pc[H + 2]);
      fx.ends_block = true;
      return fx;
    case Family::Ir: break;
  }
  switch (in.ir) {
    case IrOp::Copy: fx.read(pc[3]); fx.write(pc[2]); return fx;
    case IrOp::Copy2:
      fx.read(pc[3]);
      fx.read(pc[3] + 1);
      fx.write(pc[2]);
      fx.write(pc[2] + 1);
      return fx;
    case IrOp::CopyPair:
      fx.read(pc[3]);
      fx.read(pc[5]);
      fx.write(pc[2]);
      fx.write(pc[4]);
      return fx;
    case IrOp::Br: case IrOp::BrLoopI: case IrOp::BrLoop:
      fx.ends_block = fx.no_fall_through = true;
      return fx;
    case IrOp::BrIf: case IrOp::BrUnless: case IrOp::BrIfLoopI: case IrOp::BrIfF: case IrOp::BrIfLoopF:
      fx.read(pc[2]);
      fx.ends_block = true;
      return fx;
    case IrOp::BrTable:
      fx.read(pc[2]);
      fx.ends_block = fx.no_fall_through = true;
      return fx;
    case IrOp::Return:
      return_reads();
      fx.ends_block = fx.no_fall_through = true;
      return fx;
    case IrOp::CopyReturn:
      fx.read(pc[3]);
      fx.write(pc[2]);
      return_reads();
      fx.ends_block = fx.no_fall_through = true;
      return fx;
    case IrOp::Call:
      fx.reads_from = pc[3];
      fx.clobbers = true;
      return fx;
    case IrOp::CopyCall:
      fx.read(pc[3]);
      fx.write(pc[2]);
      fx.reads_from = pc[5];
      fx.clobbers = true;
      return fx;
    case IrOp::CallIndirect:
      fx.read(pc[5]);
      fx.reads_from = pc[4];
      fx.clobbers = true;
      return fx;
    case IrOp::Unreachable: fx.ends_block = fx.no_fall_through = true; return fx;
    case IrOp::Select:
      fx.read(pc[3]);
      fx.read(pc[4]);
      fx.read(pc[5]);
      fx.write(pc[2]);
      return fx;
    case IrOp::GlobalGet: fx.write(pc[2]); return fx;
    case IrOp::GlobalSet: fx.read(pc[3]); return fx;
    case IrOp::MemorySize: fx.write(pc[2]); return fx;
    case IrOp::MemoryGrow:
      fx.read(pc[3]);
      fx.write(pc[2]);
      fx.clobbers = true;
      return fx;
    case IrOp::Fuel: return fx;
    case IrOp::CopyBr: case IrOp::CopyBrLoopI: case IrOp::CopyBrLoop:
      fx.read(pc[3]);
      fx.write(pc[2]);
      fx.ends_block = fx.no_fall_through = true;
      return fx;
    case IrOp::I32AddGlobalSet: case IrOp::I32SubGlobalSet:
      fx.read(pc[2]);
      fx.read(pc[3]);
      fx.write(pc[4]);
      return fx;
    case IrOp::GlobalGetBrIf:
      fx.write(pc[2]);
      fx.read(pc[4]);
      fx.ends_block = true;
      return fx;
    case IrOp::Const: fx.write(pc[2]); return fx;
    // v128 (two cells) select and globals, for a lowering that expands
    // them inline.
    case IrOp::Select2:
      if (!exact_simd) {  // the helper
        unknown();
        return fx;
      }
      fx.read(pc[3]);
      fx.read(pc[3] + 1);
      fx.read(pc[4]);
      fx.read(pc[4] + 1);
      fx.read(pc[5]);
      fx.write(pc[2]);
      fx.write(pc[2] + 1);
      return fx;
    case IrOp::GlobalGet2:
      if (!exact_simd) {  // the helper
        unknown();
        return fx;
      }
      fx.write(pc[2]);
      fx.write(pc[2] + 1);
      return fx;
    case IrOp::GlobalSet2:
      if (!exact_simd) {  // the helper
        unknown();
        return fx;
      }
      fx.read(pc[3]);
      fx.read(pc[3] + 1);
      return fx;
    case IrOp::ConstBr: case IrOp::ConstBrLoopI: case IrOp::ConstBrLoop:
      fx.write(pc[2]);
      fx.ends_block = fx.no_fall_through = true;
      return fx;
    default:
      unknown();
      return fx;
  }
}

uint32_t Function::block_at_offset(uint32_t off) const {
  auto it = std::lower_bound(block_offsets_.begin(), block_offsets_.end(), off);
  if (it == block_offsets_.end() || *it != off) return UINT32_MAX;
  return static_cast<uint32_t>(it - block_offsets_.begin());
}

bool Function::build(const CompiledFunc& cf, const codegen::FunctionCode& code, bool hoist, bool exact_simd) {
  code_ = code.code();
  cells_ = cf.frame_cells;
  insts_.clear();
  blocks_.clear();
  succ_list_.clear();
  hoist_list_.clear();
  has_back_edge_ = false;
  // (Before compute_liveness, which skips the hoisted instructions: none
  // yet, whatever the previous function had.)
  hoists_.clear();
  reset_map(hoist_by_header_);
  hoisted_.clear();
  sunk_.clear();
  block_start_.clear();
  block_offsets_.clear();
  frame_init_ = cf.frame_init;
  init_cell_ = cf.init_cell;
  const_begin_ = std::max(cf.num_local_cells, cf.init_cell);
  const_end_ = cf.init_cell + static_cast<uint32_t>(cf.frame_init.size());
  if (const_end_ < const_begin_) const_end_ = const_begin_;

  const std::vector<uint32_t>& targets = code.target_offsets();
  size_t next_target = 0;
  bool new_block = true;
  for (size_t off = 0; off < code.size();) {
    const Instr in = code.at(off);
    while (next_target < targets.size() && targets[next_target] < off) ++next_target;
    if (next_target < targets.size() && targets[next_target] == off) new_block = true;
    if (new_block) {
      blocks_.push_back(Block{static_cast<uint32_t>(insts_.size()), 0});
      block_offsets_.push_back(static_cast<uint32_t>(off));
      new_block = false;
    }
    Inst inst{static_cast<uint32_t>(off), in, effects_of(in, code_ + off, cf.num_result_cells, exact_simd)};
    // Constant cells are never written after the prologue: the lowering
    // reads them as immediates. A write to one would break that; leave
    // such a function (translation never emits one) to the baseline.
    for (uint8_t k = 0; k < inst.fx.num_writes; ++k)
      if (inst.fx.writes[k] >= const_begin_ && inst.fx.writes[k] < const_end_) return false;
    if (inst.fx.ends_block) new_block = true;
    insts_.push_back(inst);
    off += in.units;
  }
  for (Block& b : blocks_) b.end = 0;
  for (size_t i = 0; i < blocks_.size(); ++i)
    blocks_[i].end = i + 1 < blocks_.size() ? blocks_[i + 1].first : static_cast<uint32_t>(insts_.size());
  block_start_.assign(insts_.size(), UINT32_MAX);
  for (size_t i = 0; i < blocks_.size(); ++i)
    if (blocks_[i].first < insts_.size()) block_start_[blocks_[i].first] = static_cast<uint32_t>(i);

  // Successors: the branch targets of the last instruction, and the next
  // block unless control never falls through.
  for (size_t bi = 0; bi < blocks_.size(); ++bi) {
    Block& b = blocks_[bi];
    b.succ_begin = b.succ_end = static_cast<uint32_t>(succ_list_.size());
    if (b.first == b.end) continue;
    const uint32_t last = b.end - 1;
    const Inst& in = insts_[last];
    for_each_branch(last, [&](uint32_t at, uint32_t field, int64_t) {
      const uint32_t target = branch_target(at, field);
      if (target <= in.offset) has_back_edge_ = true;
      const uint32_t t = block_at_offset(target);
      if (t != UINT32_MAX) succ_list_.push_back(t);
    });
    if (!in.fx.no_fall_through && bi + 1 < blocks_.size())
      succ_list_.push_back(static_cast<uint32_t>(bi + 1));
    b.succ_end = static_cast<uint32_t>(succ_list_.size());
  }
  compute_liveness();
  if (hoist) hoist_loop_invariants();
  find_sunk_charges();
  return true;
}

namespace {

// Work that can move past a fuel charge unobserved: it cannot trap, call
// out, read the fuel or branch.
bool is_unobservable(const Inst& in) {
  if (in.fx.clobbers || in.fx.ends_block || in.fx.reads_from != kNoCell) return false;
  switch (in.instr.family) {
    case Family::Generated:
      return interp::is_computed_op(in.instr.op) && !interp::op_can_trap(in.instr.op) &&
             !scalar_access(in.instr.op);
    case Family::Pair: {
      const interp::FusedPair& p = interp::kFusedPairs[in.instr.index - interp::fused_pair_index(0)];
      return !interp::op_can_trap(p.first) && !interp::op_can_trap(p.second);
    }
    case Family::Ir:
      switch (in.instr.ir) {
        case IrOp::Copy: case IrOp::Copy2: case IrOp::CopyPair: case IrOp::Const: case IrOp::GlobalGet:
        case IrOp::MemorySize:
          return true;
        default: return false;
      }
    default: return false;
  }
}

// A br_if whose fall-through is metered, on a condition evaluated inline.
bool is_metered_forward_br_if(const Inst& in) {
  const Family form = codegen::branch_form(in.instr.family);
  if (form == Family::BTF) return is_scalar_sig(interp::op_params(in.instr.op));
  return in.instr.family == Family::Ir && in.instr.ir == IrOp::BrIfF;
}

}  // namespace

template <typename Fn>
void Function::for_each_branch(uint32_t i, Fn&& fn) const {
  const Inst& in = insts_[i];
  const Unit* pc = code_ + in.offset;
  if (codegen::is_branch_family(in.instr.family)) {
    const Family form = codegen::branch_form(in.instr.family);
    fn(i, in.instr.field, form == Family::BTLF ? int64_t{codegen::back_edge_cost(form, pc, in.instr.field)} : -1);
    return;
  }
  if (in.instr.family != Family::Ir) return;
  switch (in.instr.ir) {
    case IrOp::Br: case IrOp::BrLoopI: fn(i, 2, -1); break;
    case IrOp::BrLoop: fn(i, 2, pc[3]); break;
    case IrOp::BrIf: case IrOp::BrUnless: case IrOp::BrIfLoopI: case IrOp::BrIfF: fn(i, 3, -1); break;
    case IrOp::BrIfLoopF: fn(i, 3, pc[4]); break;
    case IrOp::CopyBr: case IrOp::CopyBrLoopI: fn(i, 4, -1); break;
    case IrOp::CopyBrLoop: fn(i, 4, pc[5]); break;
    case IrOp::ConstBr: case IrOp::ConstBrLoopI: fn(i, 5, -1); break;
    case IrOp::ConstBrLoop: fn(i, 5, pc[6]); break;
    case IrOp::GlobalGetBrIf: fn(i, 5, -1); break;
    case IrOp::BrTable:
      for (uint32_t k = 0; k <= pc[3]; ++k) fn(i, 4 + k, -1);
      break;
    default: break;
  }
}

void Function::find_sunk_charges() {
  sunk_.clear();
  // Candidates: a Fuel instruction, then unobservable work, then the br_if.
  for (uint32_t i = 0; i + 1 < insts_.size(); ++i) {
    const Inst& fuel = insts_[i];
    if (fuel.instr.family != Family::Ir || fuel.instr.ir != IrOp::Fuel) continue;
    const uint32_t cost = code_[fuel.offset + 2];
    if (cost == 0) continue;
    // (Only the first instruction may be a branch target: the charge
    // must cover every way into the work it moves past.)
    uint32_t j = i + 1;
    auto inside = [&](uint32_t k) { return k == i + 1 || block_start_[k] == UINT32_MAX; };
    while (j < insts_.size() && inside(j) && is_unobservable(insts_[j])) ++j;
    if (j == insts_.size() || !inside(j) || !is_metered_forward_br_if(insts_[j])) continue;
    sunk_.push_back(SunkCharge{cost, insts_[i + 1].offset, i, j});
  }
  if (sunk_.empty()) return;
  // Every branch to a candidate must be a metered back edge charging its
  // cost (which then charges nothing); any other entry rules it out.
  refused_.assign(sunk_.size(), 0);
  auto check = [&](uint32_t i, uint32_t field, int64_t back_edge_cost) {
    const SunkCharge* sunk = sunk_charge_at(branch_target(i, field));
    if (sunk == nullptr) return;
    if (back_edge_cost != static_cast<int64_t>(sunk->cost))
      refused_[static_cast<size_t>(sunk - sunk_.data())] = 1;
  };
  for (uint32_t i = 0; i < insts_.size(); ++i) for_each_branch(i, check);
  size_t kept = 0;
  for (size_t k = 0; k < sunk_.size(); ++k)
    if (!refused_[k]) sunk_[kept++] = sunk_[k];
  sunk_.resize(kept);
}

namespace {

// What loop-invariant code motion may move: pure work with one result
// cell that cannot trap (moving it before the loop's first iteration may
// run it when the loop body would not have).
bool is_hoistable(const Inst& in) {
  if (in.fx.num_writes != 1) return false;
  if (in.instr.family == Family::Generated || in.instr.family == Family::Pair) return is_unobservable(in);
  return false;
}

}  // namespace

void Function::hoist_loop_invariants() {
  if (all_live_ || !has_back_edge_) return;
  // Loops: each back edge's target with the last back edge's offset. A
  // loop qualifies when every branch to its header is one of its back
  // edges: then the fall-through is the only way in, and a preheader
  // there runs before every first iteration.
  std::unordered_map<uint32_t, uint32_t> loop_end;
  std::unordered_map<uint32_t, bool> entered_forward;
  for (uint32_t i = 0; i < insts_.size(); ++i) {
    for_each_branch(i, [&](uint32_t at, uint32_t field, int64_t) {
      const uint32_t t = branch_target(at, field);
      if (t <= insts_[at].offset) loop_end[t] = std::max(loop_end[t], insts_[at].offset);
      else entered_forward[t] = true;
    });
  }
  std::vector<std::pair<uint32_t, uint32_t>> loops(loop_end.begin(), loop_end.end());
  // Outer loops first: an instruction invariant in both moves out of both.
  std::sort(loops.begin(), loops.end(), [](const auto& l, const auto& r) {
    return l.first != r.first ? l.first < r.first : l.second > r.second;
  });
  auto index_at = [&](uint32_t off) -> uint32_t {
    auto it = std::lower_bound(insts_.begin(), insts_.end(), off,
                               [](const Inst& in, uint32_t o) { return in.offset < o; });
    return it != insts_.end() && it->offset == off ? static_cast<uint32_t>(it - insts_.begin()) : UINT32_MAX;
  };
  hoisted_.assign(insts_.size(), 0);
  std::vector<std::pair<uint32_t, std::vector<uint32_t>>> found;  // header offset, instructions
  for (const auto& [header, end] : loops) {
    if (entered_forward.count(header) != 0) continue;
    const uint32_t first = index_at(header);
    if (first == UINT32_MAX || first == 0 || insts_[first - 1].fx.no_fall_through) continue;
    const uint32_t hb = block_at_offset(header);
    if (hb == UINT32_MAX) continue;
    uint32_t last = first;
    while (last + 1 < insts_.size() && insts_[last + 1].offset <= end) ++last;
    // What the loop writes: declared writes, and every cell from a call's
    // or helper's frame base up (its results, its callee's frame).
    std::unordered_map<Unit, uint32_t> writes;
    uint64_t clobbered_from = cells_;
    for (uint32_t i = first; i <= last; ++i) {
      if (hoisted_[i]) continue;  // already runs before an outer loop
      const Effects& fx = insts_[i].fx;
      for (uint8_t w = 0; w < fx.num_writes; ++w) ++writes[fx.writes[w]];
      if (fx.reads_from != kNoCell) clobbered_from = std::min<uint64_t>(clobbered_from, fx.reads_from);
      if (fx.clobbers && fx.reads_from == kNoCell) clobbered_from = 0;
    }
    auto invariant = [&](Unit c) { return c < clobbered_from && writes.count(c) == 0; };
    std::vector<uint32_t> moved;
    for (uint32_t i = first; i <= last; ++i) {
      const Inst& in = insts_[i];
      if (hoisted_[i] || !is_hoistable(in)) continue;
      const Unit d = in.fx.writes[0];
      if (d >= clobbered_from || writes[d] != 1 || live_in(hb, d) || frame_constant(d)) continue;
      bool operands_invariant = true;
      for (uint8_t r = 0; r < in.fx.num_reads; ++r) operands_invariant = operands_invariant && invariant(in.fx.reads[r]);
      if (!operands_invariant) continue;
      hoisted_[i] = 1;
      writes.erase(d);  // its one writer runs before the loop now
      moved.push_back(i);
    }
    if (!moved.empty()) found.emplace_back(header, std::move(moved));
  }
  if (found.empty()) {
    hoisted_.clear();
    return;
  }
  // Each preheader is a block of its own between the fall-through into
  // the header and the header (appended: blocks() by offset stay as
  // they were).
  for (auto& [header, moved] : found) {
    const uint32_t hb = block_at_offset(header);
    const uint32_t end = loop_end.at(header);
    const uint32_t pre = static_cast<uint32_t>(blocks_.size());
    const uint32_t before = index_at(header) - 1;
    const auto real_end = blocks_.begin() + static_cast<std::ptrdiff_t>(block_offsets_.size());
    const auto holder = std::upper_bound(blocks_.begin(), real_end, before,
                                         [](uint32_t i, const Block& b) { return i < b.first; });
    const uint32_t from = static_cast<uint32_t>(holder - blocks_.begin()) - 1;
    for (uint32_t s = blocks_[from].succ_begin; s < blocks_[from].succ_end; ++s)
      if (succ_list_[s] == hb) succ_list_[s] = pre;
    Block p{0, 0};
    p.succ_begin = static_cast<uint32_t>(succ_list_.size());
    succ_list_.push_back(hb);
    p.succ_end = static_cast<uint32_t>(succ_list_.size());
    p.hoist_begin = static_cast<uint32_t>(hoist_list_.size());
    hoist_list_.insert(hoist_list_.end(), moved.begin(), moved.end());
    p.hoist_end = static_cast<uint32_t>(hoist_list_.size());
    blocks_.push_back(p);
    hoist_by_header_.emplace(header, static_cast<uint32_t>(hoists_.size()));
    hoists_.push_back(Hoist{header, end, pre});
  }
  compute_liveness();
}

void Function::compute_liveness() {
  words_ = static_cast<size_t>((cells_ + 63) / 64);
  all_live_ = words_ == 0 || blocks_.size() * words_ > kMaxLivenessWords;
  live_in_.clear();
  live_out_.clear();
  if (all_live_) return;
  const size_t n = blocks_.size() * words_;
  gen_.assign(n, 0);
  kill_.assign(n, 0);
  auto set_bit = [](uint64_t* s, uint64_t c) { s[c / 64] |= uint64_t{1} << (c % 64); };
  auto clear_bit = [](uint64_t* s, uint64_t c) { s[c / 64] &= ~(uint64_t{1} << (c % 64)); };
  auto set_from = [&](uint64_t* s, uint64_t from) {
    for (uint64_t c = from; c < cells_ && c % 64 != 0; ++c) set_bit(s, c);
    for (size_t w = static_cast<size_t>((from + 63) / 64); w < words_; ++w) s[w] = ~uint64_t{0};
  };
  // A block's gen (read before written in it) and kill (written), by a
  // backward walk: live_in = gen | (live_out & ~kill).
  for (size_t bi = 0; bi < blocks_.size(); ++bi) {
    uint64_t* g = &gen_[bi * words_];
    uint64_t* k = &kill_[bi * words_];
    const Block& blk = blocks_[bi];
    const bool pre = blk.is_preheader();
    const std::span<const uint32_t> moved = preheader_insts(blk);
    for (size_t n = pre ? moved.size() : blk.end - blk.first; n-- > 0;) {
      const uint32_t i = pre ? moved[n] : blk.first + static_cast<uint32_t>(n);
      if (!pre && hoisted(i)) continue;  // runs in its loop's preheader
      const Effects& fx = insts_[i].fx;
      for (uint8_t w = 0; w < fx.num_writes; ++w) {
        if (fx.writes[w] >= cells_) continue;
        clear_bit(g, fx.writes[w]);
        set_bit(k, fx.writes[w]);
      }
      for (uint8_t r = 0; r < fx.num_reads; ++r)
        if (fx.reads[r] < cells_) set_bit(g, fx.reads[r]);
      if (fx.reads_from != kNoCell && fx.reads_from < cells_) set_from(g, fx.reads_from);
    }
    // The past-the-end bits of the last word stay clear.
    if (cells_ % 64 != 0) {
      const uint64_t mask = (uint64_t{1} << (cells_ % 64)) - 1;
      g[words_ - 1] &= mask;
    }
  }
  live_in_.assign(n, 0);
  live_out_.assign(n, 0);
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t bi = blocks_.size(); bi-- > 0;) {
      uint64_t* out = &live_out_[bi * words_];
      for (uint32_t s : succs(blocks_[bi])) {
        const uint64_t* in = &live_in_[size_t{s} * words_];
        for (size_t w = 0; w < words_; ++w) out[w] |= in[w];
      }
      uint64_t* in = &live_in_[bi * words_];
      const uint64_t* g = &gen_[bi * words_];
      const uint64_t* k = &kill_[bi * words_];
      for (size_t w = 0; w < words_; ++w) {
        const uint64_t v = g[w] | (out[w] & ~k[w]);
        if (v != in[w]) {
          in[w] = v;
          changed = true;
        }
      }
    }
  }
}

std::vector<Unit> v128_cells(const Function& fn) {
  std::vector<Unit> cells;
  for (uint32_t i = 0; i < fn.insts().size(); ++i) {
    const Inst& in = fn.insts()[i];
    const Unit* pc = fn.pc(i);
    const bool generated = in.instr.family == Family::Generated;
    if (!generated && in.instr.family != Family::AddressSum && !codegen::is_branch_family(in.instr.family)) {
      if (in.instr.family == Family::Ir) {
        switch (in.instr.ir) {
          case interp::IrOp::Copy2: cells.insert(cells.end(), {pc[2], pc[2] + 1, pc[3], pc[3] + 1}); break;
          case interp::IrOp::Select2:
            cells.insert(cells.end(), {pc[2], pc[2] + 1, pc[3], pc[3] + 1, pc[4], pc[4] + 1});
            break;
          case interp::IrOp::GlobalGet2: cells.insert(cells.end(), {pc[2], pc[2] + 1}); break;
          case interp::IrOp::GlobalSet2: cells.insert(cells.end(), {pc[3], pc[3] + 1}); break;
          default: break;
        }
      }
      continue;
    }
    const std::string_view params = interp::op_params(in.instr.op);
    const Unit* fields = pc + kHandlerUnits + (in.instr.family == Family::AddressSum ? 1 : 0);
    for (size_t p = 0; p < params.size(); ++p)
      if (params[p] == 'v') cells.insert(cells.end(), {fields[p], fields[p] + 1});
    const std::string_view results = interp::op_results(in.instr.op);
    if (results == "v") cells.insert(cells.end(), {fields[params.size()], fields[params.size()] + 1});
  }
  std::sort(cells.begin(), cells.end());
  cells.erase(std::unique(cells.begin(), cells.end()), cells.end());
  return cells;
}

}  // namespace wasmrt::jit::opt
