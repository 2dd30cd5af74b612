// The optimizing tier's AArch64 lowering (jit/opt/ir.h describes the
// analysis it starts from; docs/jit.md, "The optimizing tier"). The same
// design and the same optimizations as the x86-64 lowering
// (jit/opt/x64/lower.cc), which it follows function by function.
//
// Values live in machine registers between instructions. Each frame cell
// the code has touched since the last block boundary maps to a value: in a
// general register, in a vector register (floating point stays in v
// registers) or a constant (an immediate where the instruction takes one;
// frame constant cells are constants from the start). A copy makes its
// destination map to the source's value, so it costs nothing. A cell whose
// register value has not been written back is dirty; it is written to its
// own cell (its home: the frame never grows) only when something needs
// the frame: a branch whose target reads it (liveness), a call or helper
// call (which reads operands from cells and clobbers the caller-saved
// registers), the end of a block, or a register eviction. A dead cell is
// never written, and a pure instruction whose result is dead is not
// emitted.
//
// AArch64 has three-operand instructions, so a result goes straight into
// its own register without the x86 copy of an operand first, and more
// registers: x0-x8 and x13-x15 hold values (no value survives a call, so
// the caller-saved ones serve), as do v2-v31. x19-x23 stay reserved as in
// the baseline (frame, memory base, JitState, fuel, globals), so the
// baseline's stubs and helpers serve both tiers; x9 (addresses, the jump
// table's index, the rotate's negated count), x10-x12 (operands that are
// constants or in the other register class), x16 (constants written to a
// cell; call targets, fuel costs), x17 (large cell offsets), v0 and v1 are
// scratch. x18 (the platform register), x29 and x30 are not touched.
#include <asmjit/arm.h>
#include <asmjit/arm/a64assembler.h>
#include <asmjit/arm/a64utils.h>

#include <algorithm>
#include <memory>
#include <memory_resource>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "jit/a64/compiler.h"
#include "jit/opt/a64/lower_simd.h"
#include "jit/opt/fold.h"
#include "jit/opt/ir.h"
#include "jit/opt/lazy_frame.h"
#include "jit/opt/loop_registers.h"

namespace wasmrt::jit::opt::arm64 {

namespace {

namespace a64 = asmjit::a64;
namespace arm = asmjit::arm;
using arm::CondCode;
using asmjit::Label;
using codegen::Bin;
using codegen::Cond;
using codegen::FKind;
using codegen::Kind;
using interp::IrOp;
using interp::kHandlerUnits;
using jit::arm64::Compiler;
using jit::arm64::condition;
using jit::arm64::float_condition;
using jit::arm64::kMemBase;
using jit::arm64::kSt;
using jit::arm64::sized;

#define ST(field) arm::ptr(kSt, static_cast<int32_t>(offsetof(JitState, field)))

constexpr uint32_t kNoValue = UINT32_MAX;
// Value registers, the loop pins' first.
constexpr uint8_t kGpRegs[] = {13, 14, 15, 8, 7, 6, 5, 4, 3, 2, 1, 0};
constexpr uint8_t kFirstVec = 2, kVecCount = 32;
const a64::Gp kAddress = a64::x9;  // Compiler::memory_operand's, and the jump table's index
const a64::Gp kStoreScratch = a64::x16;  // a constant on its way to a cell

a64::Vec sized_vec(const a64::Vec& v, bool f64) { return f64 ? a64::Vec(v.d()) : a64::Vec(v.s()); }

// A signed immediate of an add/sub (or cmp/cmn) instruction: 12 bits,
// either sign (the other instruction takes the negation).
std::optional<int64_t> add_sub_imm(Cell k, bool wide) {
  const int64_t v = wide ? static_cast<int64_t>(k) : static_cast<int32_t>(k);
  if (v > -4096 && v < 4096) return v;
  return std::nullopt;
}

using Loc = ValueLoc;
using Value = CachedValue;
using CellState = CachedCell;

struct Tables : LoweringTables {
  using LoweringTables::LoweringTables;
};

class Lowering final : private SimdHost, private LoweringTableRefs {
 public:
  // t: the maps and lists it works in (empty; kept by the Workspace).
  Lowering(Compiler& c, const CompiledFunc& cf, const Function& f, Tables& t)
      : LoweringTableRefs(t), c_(c), a_(c.assembler()), cf_(cf), fn_(f), code_(c.function_code()) {}

  void run();

  // The primitives of codegen::emit_branch_form.
  Label target(const Unit* pc, uint32_t field) const { return code_.target(pc, field); }
  // A conditional branch stores what its target reads from the frame
  // (defer_flush) and moves into a pinned target's registers on its taken
  // path only: the fall-through goes on with those values in registers,
  // and a loop that rarely leaves does not store on every iteration. A
  // branch with nothing to store or move (a header whose pinned values
  // are in place) is one b.cond.
  void branch_on(CondCode cc, Label label) {
    auto it = pinned_label_.find(label.id());
    const bool moves = it != pinned_label_.end() && !pin_moves(it->second).empty();
    const bool stores = pending_flush_ && pending_label_.id() == label.id() && has_pending_stores();
    // The br_if that charges its loop header's sunk cost (SunkCharge)
    // charges it on its taken path too, out of line.
    const uint32_t charge = sunk_branch_ != nullptr ? sunk_branch_->cost : 0;
    if (!moves && !stores && charge == 0) {
      a_.b(cc, label);
      return;
    }
    if (charge != 0 || leaves_loop(label)) {
      // Out of line: the loop's hot path falls through instead of
      // branching over the stores and moves on every iteration. They are
      // planned now, from the values as they are here.
      std::vector<std::pair<Unit, Value>> values;
      if (stores) for_each_pending_store([&](Unit c, const CellState& st) { values.emplace_back(c, values_[st.value]); });
      std::vector<PinMove> planned;
      if (moves) planned = pin_moves(it->second);
      const Label path = a_.newLabel();
      a_.b(cc, path);
      c_.out_of_line().defer([this, path, label, charge, values = std::move(values), planned = std::move(planned)] {
        a_.bind(path);
        c_.emit_fuel_charge(charge);
        for (const auto& [c, v] : values) store(c, v);
        emit_moves(planned);
        a_.b(label);
      });
      return;
    }
    Label skip = a_.newLabel();
    a_.b(arm::negateCond(cc), skip);
    if (stores) emit_pending_stores();
    if (moves) move_pins(it->second);
    a_.b(label);
    a_.bind(skip);
  }
  static CondCode negate(CondCode cc) { return arm::negateCond(cc); }
  Label new_label() { return a_.newLabel(); }
  void bind(Label label) { a_.bind(label); }
  void emit_back_edge(uint32_t cost, Label label, bool irq_only) {
    // (A conditional back edge's taken path: see branch_on.)
    if (pending_flush_ && pending_label_.id() == label.id()) emit_pending_stores();
    if (sunk_labels_.count(label.id()) != 0) {
      irq_only = true;  // the header's br_if charges `cost` (SunkCharge)
      cost = 0;
    }
    auto it = pinned_label_.find(label.id());
    if (it == pinned_label_.end()) {
      c_.emit_back_edge(cost, label, irq_only);
      return;
    }
    move_pins(it->second);
    std::vector<arm::Reg> kept;
    for (const Pin& p : pins_.at(it->second)) kept.push_back(p.vec ? arm::Reg(a64::d(p.reg)) : arm::Reg(a64::x(p.reg)));
    c_.emit_back_edge(cost, label, irq_only, kept);
  }
  void emit_fuel_charge(uint64_t cost) {
    if (sunk_branch_ != nullptr) c_.emit_sunk_fuel_charge(sunk_branch_->cost, cost);  // the fall-through
    else c_.emit_fuel_charge(cost);
  }

 private:
  // Loop headers and the cells they keep in registers (Pin, planned by
  // jit/opt/loop_registers.h).
  void plan_loop_registers();
  void emit_loop_entries();
  const std::vector<Pin>* pins_at(uint32_t off) const {
    auto it = pins_.find(off);
    return it == pins_.end() ? nullptr : &it->second;
  }
  bool pinned_at(uint32_t off, Unit c) const {
    const std::vector<Pin>* pins = pins_at(off);
    if (pins == nullptr) return false;
    for (const Pin& p : *pins)
      if (p.cell == c) return true;
    return false;
  }
  // Puts each pinned cell's current value into its register (a parallel
  // move: x9 and v0 break cycles). Changes no cache state: on a
  // conditional branch the fall-through goes on with the registers as
  // they were.
  void move_pins(uint32_t off) { move_pins(pins_.at(off)); }
  void move_pins(const std::vector<Pin>& pins) { emit_moves(pin_moves(pins)); }
  // Whether a branch to `label` leaves the innermost loop around the
  // instruction being lowered.
  bool leaves_loop(Label label) const {
    auto t = label_offset_.find(label.id());
    if (t == label_offset_.end()) return false;
    const uint32_t from = fn_.insts()[cur_].offset;
    uint32_t header = 0, end = UINT32_MAX;
    bool inside = false;
    for (const auto& [h, e] : loop_extents_)
      if (h <= from && from <= e && (!inside || h > header)) header = h, end = e, inside = true;
    return inside && (t->second < header || t->second > end);
  }
  struct PinMove {
    Loc src;  // Gp, Vec, or Const (k), or memory (from_cell)
    bool from_cell;
    uint8_t src_reg;
    Cell k;
    Unit cell;
    bool dst_vec;
    uint8_t dst_reg;
  };
  // The moves move_pins(off) makes (none: every pinned value is in place).
  std::vector<PinMove> pin_moves(uint32_t off) { return pin_moves(pins_.at(off)); }
  std::vector<PinMove> pin_moves(const std::vector<Pin>& pins);
  void emit_moves(std::vector<PinMove> moves);
  // At the header: the pinned cells are in their registers, not stored.
  void enter_pinned_header(uint32_t off) {
    for (const Pin& p : pins_.at(off)) {
      const uint32_t v = new_value(p.vec ? Loc::Vec : Loc::Gp, p.reg, 0);
      bind_cell(p.cell, v, true);
    }
  }

  // ---- values and cells ----
  uint32_t new_value(Loc loc, uint8_t reg, Cell k) {
    uint32_t v;
    if (!free_values_.empty()) {
      v = free_values_.back();
      free_values_.pop_back();
    } else {
      v = static_cast<uint32_t>(values_.size());
      values_.emplace_back();
    }
    values_[v] = Value{loc, reg, k, 0, ++clock_, epoch_};
    if (loc == Loc::Gp) gp_owner_[reg] = v;
    if (loc == Loc::Vec) vec_owner_[reg] = v;
    return v;
  }
  void unref(uint32_t v) {
    if (--values_[v].refs != 0) return;
    release(v);
  }
  // A value no cell maps to (yet, or any more) gives its register back.
  void release(uint32_t v) {
    Value& val = values_[v];
    if (val.loc == Loc::Gp) gp_owner_[val.reg] = kNoValue;
    if (val.loc == Loc::Vec) vec_owner_[val.reg] = kNoValue;
    val.loc = Loc::Const;
    free_values_.push_back(v);
    v128_copies_.released(v);  // (evicted)
  }
  void bind_cell(Unit c, uint32_t v, bool dirty) {
    ++values_[v].refs;  // first: v may be the value c maps to already
    auto it = cells_.find(c);
    if (it != cells_.end()) {
      unref(it->second.value);
      it->second = CellState{v, dirty};
    } else {
      cells_.emplace(c, CellState{v, dirty});
    }
  }
  // A result nothing will read: the cell's old value goes (dead too).
  void kill_cell(Unit c) {
    auto it = cells_.find(c);
    if (it == cells_.end()) return;
    const uint32_t v = it->second.value;
    cells_.erase(it);
    unref(v);
  }

  // ---- liveness at the instruction being lowered ----
  void enter_block(uint32_t b) {
    block_ = b;
    last_read_.clear();
    range_reads_.clear();
    const Block& blk = fn_.blocks()[b];
    auto note = [&](uint32_t i) {
      const Effects& fx = fn_.insts()[i].fx;
      for (uint8_t r = 0; r < fx.num_reads; ++r) last_read_.emplace_back(fx.reads[r], i);
      if (fx.reads_from != kNoCell) range_reads_.push_back({i, fx.reads_from});
    };
    for (uint32_t i = blk.first; i < blk.end; ++i) note(i);
    for (uint32_t i : fn_.preheader_insts(blk)) note(i);  // a preheader (in increasing order)
    std::sort(last_read_.begin(), last_read_.end());
  }
  // A loop's invariant instructions, where its preheader is (Function::Hoist).
  void emit_preheader(const Function::Hoist& h) {
    enter_block(h.pre_block);
    for (uint32_t i : fn_.preheader_insts(fn_.blocks()[h.pre_block])) {
      cur_ = i;
      ++epoch_;
      pending_flush_.reset();
      lower(i);
    }
  }
  // Read at instruction `from` or later in this block, or live at its end.
  bool needed(Unit c, uint32_t from) const {
    if (fn_.live_out(block_, c)) return true;
    // (The last of c's reads: the entry before the first past c.)
    auto it =
        std::upper_bound(last_read_.begin(), last_read_.end(), std::pair<Unit, uint32_t>{c, UINT32_MAX});
    if (it != last_read_.begin() && std::prev(it)->first == c && std::prev(it)->second >= from) return true;
    for (const auto& [pos, start] : range_reads_)
      if (pos >= from && c >= start) return true;
    return false;
  }
  bool dead_result(Unit c) const { return !needed(c, cur_ + 1); }

  // ---- stores (only x16 and x17 as scratch: evictions happen between an
  // instruction's operand fetches, which may hold x10-x12) ----
  void store(Unit c, const Value& v) {
    switch (v.loc) {
      case Loc::Gp: a_.str(a64::x(v.reg), c_.cell(c)); break;
      case Loc::Vec: a_.str(a64::d(v.reg), c_.cell(c)); break;  // an f32's upper half is zero
      case Loc::Const:
        if (v.k == 0) {
          a_.str(a64::xzr, c_.cell(c));
        } else {
          c_.load_imm(kStoreScratch, v.k);
          a_.str(kStoreScratch, c_.cell(c));
        }
        break;
    }
  }
  // Writes every dirty cell `keep(c)` says is needed; forgets the dead ones.
  template <typename Keep>
  void write_back(Keep&& keep, bool forget_dead) {
    for (auto it = cells_.begin(); it != cells_.end();) {
      if (it->second.dirty) {
        if (keep(it->first)) {
          store(it->first, values_[it->second.value]);
          it->second.dirty = false;
        } else if (forget_dead) {
          const uint32_t v = it->second.value;
          it = cells_.erase(it);
          unref(v);
          continue;
        }
      }
      ++it;
    }
  }
  // A conditional branch to `target_off` is about to be emitted: its taken
  // path stores the values the target reads (branch_on, emit_back_edge),
  // without changing what the fall-through knows.
  void defer_flush(uint32_t target_off) {
    pending_flush_ = target_off;
    const std::vector<uint32_t>& offsets = code_.target_offsets();
    auto it = std::lower_bound(offsets.begin(), offsets.end(), target_off);
    pending_label_ = it != offsets.end() && *it == target_off
                         ? code_.target_label(static_cast<size_t>(it - offsets.begin()))
                         : Label();
  }
  template <typename Fn>
  void for_each_pending_store(Fn&& fn) const {
    const uint32_t b = fn_.block_at_offset(*pending_flush_);
    if (b == UINT32_MAX) return;
    for (const auto& [c, st] : cells_)
      if (st.dirty && fn_.live_in(b, c) && !pinned_at(*pending_flush_, c)) fn(c, st);
  }
  bool has_pending_stores() const {
    bool any = false;
    for_each_pending_store([&](Unit, const CellState&) { any = true; });
    return any;
  }
  // Stores only (x16, x17): the flags and every register stay as they are.
  void emit_pending_stores() {
    for_each_pending_store([&](Unit c, const CellState& st) { store(c, values_[st.value]); });
  }
  // Before a transfer to `target_off`: the cells it reads hold their values.
  void flush_for_target(uint32_t target_off) {
    const uint32_t b = fn_.block_at_offset(target_off);
    if (b == UINT32_MAX) return;
    write_back([&](Unit c) { return fn_.live_in(b, c) && !pinned_at(target_off, c); }, false);
  }
  // Before a call or helper: every needed value in its cell, then nothing
  // in registers (all clobbered).
  void flush_all_and_forget() {
    write_back([&](Unit c) { return needed(c, cur_); }, true);
    materialize_constants();
    forget_all();
  }
  // Stores the frame constants the instruction being lowered reads from
  // the frame (a helper's operands, a return's results), when the
  // prologue did not (run()).
  void materialize_constants() {
    if (!lazy_constants_) return;
    store_constants_read(cf_, fn_, fn_.insts()[cur_].fx,
                         [&](Unit c, Cell k) { store(c, Value{Loc::Const, 0, k, 0, 0, 0}); });
  }
  // The frame constants are not stored by the prologue (run()).
  bool lazy_constants_ = false;
  void forget_all() {
    for (auto& [c, st] : cells_) unref(st.value);
    cells_.clear();
    v128_copies_.drop_all(*this);
  }

  // ---- registers ----
  void evict(uint32_t v) {
    for (auto it = cells_.begin(); it != cells_.end();) {
      if (it->second.value != v) {
        ++it;
        continue;
      }
      if (it->second.dirty && needed(it->first, cur_)) store(it->first, values_[v]);
      it = cells_.erase(it);
      unref(v);
    }
    if (values_[v].loc != Loc::Const) release(v);  // an unbound result (refs 0)
  }
  uint8_t alloc_reg(bool vec) {
    uint32_t* owner = vec ? vec_owner_ : gp_owner_;
    auto candidates = [&](auto&& visit) {
      if (vec) {
        for (uint8_t r = kFirstVec; r < kVecCount; ++r) visit(r);
      } else {
        for (uint8_t r : kGpRegs) visit(r);
      }
    };
    int best = -1;
    uint64_t best_use = UINT64_MAX;
    candidates([&](uint8_t r) {
      if (best >= 0 && owner[best] == kNoValue) return;
      if (owner[r] == kNoValue) {
        best = r;
        return;
      }
      const Value& v = values_[owner[r]];
      if (v.pin != epoch_ && v.last_use < best_use) {
        best = r;
        best_use = v.last_use;
      }
    });
    if (owner[best] != kNoValue) evict(owner[best]);
    return static_cast<uint8_t>(best);
  }
  uint32_t new_gp() { return new_value(Loc::Gp, alloc_reg(false), 0); }
  uint32_t new_vec() { return new_value(Loc::Vec, alloc_reg(true), 0); }
  uint32_t new_const(Cell k) { return new_value(Loc::Const, 0, k); }
  a64::Gp gp_of_value(uint32_t v) const { return a64::x(values_[v].reg); }
  a64::Vec vec_of_value(uint32_t v) const { return a64::d(values_[v].reg); }
  // Binds a result (allocated by new_gp/new_vec/new_const) to its cell.
  void define(Unit c, uint32_t v) { bind_cell(c, v, true); }

  // ---- operands ----
  // The value cell c holds now, loaded (into a register of the class
  // `vec` asks for) if it is only in memory. Pinned for this instruction.
  uint32_t value_of(Unit c, bool vec) {
    auto it = cells_.find(c);
    uint32_t v;
    if (it != cells_.end()) {
      v = it->second.value;
    } else if (std::optional<Cell> k = fn_.frame_constant(c)) {
      v = new_const(*k);
      bind_cell(c, v, false);
    } else {
      v = vec ? new_vec() : new_gp();
      if (vec) a_.ldr(vec_of_value(v), c_.cell(c));
      else a_.ldr(gp_of_value(v), c_.cell(c));
      bind_cell(c, v, false);
    }
    values_[v].last_use = ++clock_;
    values_[v].pin = epoch_;
    return v;
  }
  std::optional<Cell> const_of(Unit c) {
    auto it = cells_.find(c);
    if (it != cells_.end()) {
      const Value& v = values_[it->second.value];
      if (v.loc == Loc::Const) return v.k;
      return std::nullopt;
    }
    return fn_.frame_constant(c);
  }
  // Value v in a general register (`scratch` for a constant or a value in
  // a vector register), all 64 bits. `zero_register`: a zero may be xzr
  // (not for add/sub/cmp immediates, where register 31 is sp).
  a64::Gp gp_from(uint32_t v, const a64::Gp& scratch, bool zero_register = false) {
    const Value& val = values_[v];
    switch (val.loc) {
      case Loc::Gp: return gp_of_value(v);
      case Loc::Vec: a_.fmov(scratch.x(), a64::d(val.reg)); return scratch.x();
      case Loc::Const:
        if (val.k == 0 && zero_register) return a64::xzr;
        c_.load_imm(scratch, val.k);
        return scratch.x();
    }
    return scratch;
  }
  a64::Gp gp(Unit c, const a64::Gp& scratch) { return gp_from(value_of(c, false), scratch); }
  // The cell's value in a vector register (its d view).
  a64::Vec vec(Unit c, const a64::Vec& scratch) {
    const uint32_t v = value_of(c, true);
    const Value& val = values_[v];
    switch (val.loc) {
      case Loc::Vec: return vec_of_value(v);
      case Loc::Gp: a_.fmov(scratch.d(), gp_of_value(v)); return scratch.d();
      case Loc::Const:
        c_.load_imm(a64::x16, val.k);
        a_.fmov(scratch.d(), a64::x16);
        return scratch.d();
    }
    return scratch;
  }

  // ---- lowering ----
  void lower(uint32_t i);
  void lower_generated(const Inst& in, const Unit* pc);
  bool lower_int(Op op, const Unit* pc);
  bool lower_float(Op op, const Unit* pc);
  bool lower_float_bits_and_rounding(Op op, const Unit* pc);
  bool lower_division(Op op, const Unit* pc);
  bool lower_access(Op op, const Unit* pc, bool summed);
  void lower_pair(const Inst& in, const Unit* pc);
  // The memory operand of an access at address cell a (+ cell b: the
  // address-sum form) and offset (clobbers x9-x12).
  Compiler::MemoryOperand address_operand(Unit a, std::optional<Unit> b, const codegen::Access& acc, uint64_t offset) {
    const bool summed = b.has_value();
    std::optional<Cell> ka = const_of(a), kb;
    std::optional<a64::Gp> ra, rb;
    if (!ka) ra = gp(a, a64::x10);
    if (summed) {
      kb = const_of(*b);
      if (!kb) rb = gp(*b, a64::x11);
    }
    // The address: u32 (a sum wraps at 32 bits), zero-extended into x9;
    // a single register address indexes memory from its own register
    // (memory_operand: as it is if this lowering wrote it as a w register,
    // else by its low 32 bits).
    const a64::Gp address = kAddress.w();
    a64::Gp index = kAddress;
    bool low32 = false;
    if (ka && (!summed || kb)) {
      c_.load_imm(kAddress, static_cast<uint32_t>(*ka + (summed ? *kb : 0)));
    } else if (!summed) {
      index = ra->x();
      const Value& av = values_[value_of(a, false)];
      low32 = !(av.loc == Loc::Gp && av.zext32);
    } else {
      const std::optional<Cell> k = ka ? ka : kb;
      const a64::Gp r = (ka ? *rb : *ra).w();
      if (!k) {
        a_.add(address, ra->w(), rb->w());
      } else if (static_cast<uint32_t>(*k) < 4096) {
        a_.add(address, r, static_cast<uint32_t>(*k));
      } else {
        c_.load_imm(kAddress, static_cast<uint32_t>(*k));
        a_.add(address, address, r);
      }
    }
    // As the baseline (Compiler::memory_operand): unchecked on a guarded
    // memory 0, each access a trap site; else checked against the size.
    return c_.memory_operand(acc, offset, index, low32);
  }
  // Flags for a fused condition over cells pc[2..]; the condition that
  // holds when it is true, or nullopt (not expanded inline).
  std::optional<CondCode> condition_flags(Op op, const Unit* pc, uint32_t target_off);
  // d = l BIN (cell b): an immediate where the instruction takes one.
  void bin(Bin bin, bool wide, const a64::Gp& d, const a64::Gp& l, Unit b);
  // d = l BIN r, all registers (x9: the rotate's scratch).
  void bin_regs(Bin bin, bool wide, const a64::Gp& d, const a64::Gp& l, const a64::Gp& r);
  // Flags of `l - (cell b)`: cmp/cmn with an immediate where one encodes.
  void compare(const a64::Gp& l, Unit b, bool wide, const a64::Gp& scratch);
  void float_arith(FKind kind, bool f64, const a64::Vec& d, const a64::Vec& l, const a64::Vec& r);
  void lower_branch_form(Family form, CondCode taken, const Unit* pc, uint32_t field) {
    codegen::emit_branch_form(*this, form, taken, pc, field);
  }
  // (A fused copy's own branch, call or return may read dst: liveness
  // counts the instruction's reads.)
  void copy(Unit dst, Unit src) {
    if (dst == src) return;
    if (!needed(dst, cur_)) {
      kill_cell(dst);
      return;
    }
    define(dst, value_of(src, false));
  }
  void set_const(Unit dst, Cell k) {
    if (!needed(dst, cur_)) {
      kill_cell(dst);
      return;
    }
    define(dst, new_const(k));
  }
  void helper(const Unit* pc, uint32_t index, bool may_trap, bool sync_fuel) {
    flush_all_and_forget();
    c_.emit_helper(reinterpret_cast<const void*>(instr_helper(index)), pc, may_trap, sync_fuel);
  }
  uint32_t target_of(const Unit* pc, uint32_t field) const {
    return static_cast<uint32_t>(static_cast<int64_t>(pc - code_.code()) + field + static_cast<int32_t>(pc[field]));
  }
  void jump_to(const Unit* pc, uint32_t field) {
    const uint32_t t = target_of(pc, field);
    flush_for_target(t);
    if (pins_at(t) != nullptr) move_pins(t);
    a_.b(target(pc, field));
    forget_all();
  }
  void back_edge_to(const Unit* pc, uint32_t field, uint32_t cost, bool irq_only) {
    flush_for_target(target_of(pc, field));
    emit_back_edge(cost, target(pc, field), irq_only);
    forget_all();
  }
  // br_if-like on a cell being nonzero.
  void branch_on_cell(Family form, Unit cond, const Unit* pc, uint32_t field) {
    if (std::optional<Cell> k = const_of(cond)) {  // a constant condition: always or never
      a_.mov(a64::w9, static_cast<uint32_t>(*k) != 0 ? 1 : 0);
      defer_flush(target_of(pc, field));
      a_.cmp(a64::w9, 0);
      lower_branch_form(form, CondCode::kNE, pc, field);
      return;
    }
    const a64::Gp r = gp(cond, a64::x10);
    defer_flush(target_of(pc, field));
    a_.cmp(r.w(), 0);
    lower_branch_form(form, CondCode::kNE, pc, field);
  }

  Compiler& c_;
  a64::Assembler& a_;
  const CompiledFunc& cf_;
  const Function& fn_;
  codegen::FunctionCode& code_;
  uint32_t gp_owner_[32];
  uint32_t vec_owner_[32];
  uint64_t clock_ = 0, epoch_ = 1;
  uint32_t block_ = 0, cur_ = 0;
  std::unordered_map<uint32_t, std::vector<Pin>> pins_;  // by loop header offset
  std::vector<uint32_t> loop_heads_;  // targets of backward branches, sorted
  std::vector<std::pair<uint32_t, uint32_t>> loop_extents_;  // header offset, last back edge's offset
  // The br_if whose sunk charge is being lowered (sunk_labels_).
  const Function::SunkCharge* sunk_branch_ = nullptr;
  std::unordered_map<uint32_t, std::vector<Pin>> table_pins_;  // by br_table offset: its targets' pins
  std::optional<uint32_t> pending_flush_;  // defer_flush's target, for this instruction
  Label pending_label_;

  // ---- the SIMD lowering's view of the cache (lower_simd.h) ----
  // After a SIMD instruction: its temporaries are free again.
  bool simd_done(bool lowered) {
    for (uint32_t v : simd_temps_) release(v);
    simd_temps_.clear();
    return lowered;
  }
  a64::Assembler& simd_assembler() override { return a_; }
  Compiler& simd_compiler() override { return c_; }
  bool simd_drop_if_dead(Unit c, bool v128) override {
    if (!dead_result(c) || (v128 && !dead_result(c + 1))) return false;
    kill_cell(c);
    if (v128) kill_cell(c + 1);
    return true;
  }
  std::optional<Cell> simd_scalar_constant(Unit c) override { return const_of(c); }
  void simd_sync(Unit c) override {
    for (Unit k = c; k < c + 2; ++k) {
      if (std::optional<Cell> v = fn_.frame_constant(k)) {
        // Lazily stored (run()): the frame may not hold it yet.
        if (lazy_constants_) store(k, Value{Loc::Const, 0, *v, 0, 0, 0});
        continue;
      }
      auto it = cells_.find(k);
      if (it != cells_.end() && it->second.dirty) {
        store(k, values_[it->second.value]);
        it->second.dirty = false;
      }
    }
  }
  a64::Gp simd_gp(Unit c, const a64::Gp& scratch) override { return gp(c, scratch); }
  a64::Vec simd_vec(Unit c, const a64::Vec& scratch) override { return vec(c, scratch); }
  a64::Vec simd_temp() override {
    const uint32_t v = new_vec();
    simd_temps_.push_back(v);
    return vec_of_value(v);
  }
  std::optional<uint32_t> simd_take_temp(const a64::Vec& reg) override {
    for (size_t k = 0; k < simd_temps_.size(); ++k) {
      const uint32_t v = simd_temps_[k];
      if (values_[v].reg != reg.id()) continue;
      simd_temps_.erase(simd_temps_.begin() + static_cast<std::ptrdiff_t>(k));
      return v;
    }
    return std::nullopt;
  }
  void simd_forget(Unit c) override {
    kill_cell(c);
    kill_cell(c + 1);
  }
  a64::Gp simd_define_gp(Unit c, bool zext32) override {
    const uint32_t d = new_gp();
    values_[d].zext32 = zext32;
    define(c, d);
    return gp_of_value(d);
  }
  a64::Vec simd_define_vec(Unit c) override {
    const uint32_t d = new_vec();
    define(c, d);
    return vec_of_value(d);
  }
  // The register copies of v128 results (lower_simd.h), over the allocator.
  V128Copies v128_copies_;
  std::pair<uint32_t, a64::Vec> simd_new_vec() override {
    const uint32_t v = new_vec();
    return {v, vec_of_value(v)};
  }
  void simd_release(uint32_t v) override { release(v); }
  a64::Vec simd_use(uint32_t v) override {
    values_[v].pin = epoch_;
    values_[v].last_use = ++clock_;
    return vec_of_value(v);
  }
  V128Copies& simd_copies() override { return v128_copies_; }
  bool simd_in_cells(Unit c) override {
    for (Unit k = c; k < c + 2; ++k) {
      auto it = cells_.find(k);
      if (it != cells_.end() && it->second.dirty) return false;
    }
    return true;
  }
  Compiler::MemoryOperand simd_memory_operand(Unit a, std::optional<Unit> b, const codegen::Access& acc,
                                              uint64_t offset) override {
    return address_operand(a, b, acc, offset);
  }
};

void Lowering::run() {
  std::fill(std::begin(gp_owner_), std::end(gp_owner_), kNoValue);
  std::fill(std::begin(vec_owner_), std::end(vec_owner_), kNoValue);
  plan_loop_registers();
  // The lazy entry (jit/opt/lazy_frame.h).
  lazy_constants_ = Compiler::frame_init_is_lazy(cf_);
  c_.emit_prologue(cf_, !lazy_constants_);
  if (lazy_constants_) {
    lazy_constants_ = start_lazy_frame(
        cf_, fn_, [&](Unit c, Cell k) { bind_cell(c, new_const(k), true); },
        [&](Unit c, Cell k) { store(c, Value{Loc::Const, 0, k, 0, 0, 0}); });
  }
  const std::vector<uint32_t>& targets = code_.target_offsets();
  for (size_t k = 0; k < targets.size(); ++k) {
    label_offset_.emplace(code_.target_label(k).id(), targets[k]);
    if (fn_.sunk_charge_at(targets[k]) != nullptr) sunk_labels_.insert(code_.target_label(k).id());
  }
  size_t next = 0;
  const auto& insts = fn_.insts();
  for (uint32_t i = 0; i < insts.size(); ++i) {
    const uint32_t off = insts[i].offset;
    if (next < targets.size() && targets[next] == off) {
      // Falling into a branch target: its block reads what it needs from
      // the frame.
      if (i > 0 && !insts[i - 1].fx.no_fall_through)
        if (const Function::Hoist* h = fn_.hoist_at(off)) emit_preheader(*h);
      write_back([&](Unit c) { return fn_.live_in(fn_.block_at_offset(off), c) && !pinned_at(off, c); }, false);
      if (pins_at(off) != nullptr) move_pins(off);
      forget_all();
      // Loop headers start a 16-byte block (NOPs before them), as on
      // x86-64: a small hot loop's speed should not depend on where it
      // happens to fall.
      if (std::binary_search(loop_heads_.begin(), loop_heads_.end(), off)) a_.align(asmjit::AlignMode::kCode, 16);
      a_.bind(code_.target_label(next++));
      if (pins_at(off) != nullptr) enter_pinned_header(off);
    }
    if (uint32_t b = fn_.block_at_inst(i); b != UINT32_MAX) enter_block(b);
    if (fn_.hoisted(i)) continue;  // emitted in its loop's preheader
    cur_ = i;
    ++epoch_;
    pending_flush_.reset();
    sunk_branch_ = fn_.sunk_charge_of_branch(i);
    lower(i);
    sunk_branch_ = nullptr;
    pending_flush_.reset();
  }
  forget_all();
  if (next < targets.size() && targets[next] == code_.size()) a_.bind(code_.target_label(next++));
  a_.udf(0);  // translated code never falls off its end
  emit_loop_entries();
  c_.out_of_line().emit_deferred();
}

// On-stack replacement (docs/jit.md, "Tier-up") enters a loop header from
// the interpreter with every value in its cell: where the header keeps
// cells in registers, a stub loads them and jumps to it.
void Lowering::emit_loop_entries() {
  const std::vector<uint32_t>& targets = code_.target_offsets();
  for (uint32_t off : code_.loop_header_offsets()) {
    const std::vector<Pin>* pins = pins_at(off);
    const Function::SunkCharge* sunk = fn_.sunk_charge_at(off);
    // The loops around this point whose invariant work runs before them:
    // the interpreter's frame has not got it (it may not even have run it
    // yet), so this entry runs it, outermost loop first.
    std::vector<const Function::Hoist*> around;
    for (const Function::Hoist& h : fn_.hoists())
      if (h.header <= off && off <= h.end) around.push_back(&h);
    std::sort(around.begin(), around.end(), [](const auto* l, const auto* r) { return l->header < r->header; });
    if (pins == nullptr && sunk == nullptr && around.empty()) continue;
    const Label entry = a_.newLabel();
    a_.bind(entry);
    // The interpreter charged the back edge; here the header's br_if will.
    if (sunk != nullptr) c_.emit_fuel_refund(sunk->cost);
    if (!around.empty()) {
      forget_all();
      for (const Function::Hoist* h : around) emit_preheader(*h);
      const uint32_t b = fn_.block_at_offset(off);
      write_back([&](Unit c) { return fn_.live_in(b, c) && !pinned_at(off, c); }, false);
      if (pins != nullptr) move_pins(off);
      forget_all();
    } else if (pins != nullptr) {
      for (const Pin& p : *pins) {
        if (p.vec) a_.ldr(a64::d(p.reg), c_.cell(p.cell));
        else a_.ldr(a64::x(p.reg), c_.cell(p.cell));
      }
    }
    auto it = std::lower_bound(targets.begin(), targets.end(), off);
    a_.b(code_.target_label(static_cast<size_t>(it - targets.begin())));
    code_.set_loop_entry(off, entry);
  }
}

void Lowering::plan_loop_registers() {
  // More pins than on x86-64: twelve general and thirty vector registers
  // hold values here.
  const PinBudget budget{7, 8, std::span<const uint8_t>(kGpRegs, 7), kFirstVec};
  LoopRegisters plan = opt::plan_loop_registers(fn_, code_.target_offsets(), budget);
  pins_ = std::move(plan.pins);
  table_pins_ = std::move(plan.table_pins);
  loop_heads_ = std::move(plan.loop_heads);
  loop_extents_ = std::move(plan.loop_extents);
  const std::vector<uint32_t>& offsets = code_.target_offsets();
  for (const auto& [t, pins] : pins_) {
    auto it = std::lower_bound(offsets.begin(), offsets.end(), t);
    pinned_label_.emplace(code_.target_label(static_cast<size_t>(it - offsets.begin())).id(), t);
  }
}

std::vector<Lowering::PinMove> Lowering::pin_moves(const std::vector<Pin>& pins) {
  std::vector<PinMove> moves;
  for (const Pin& p : pins) {
    PinMove m{Loc::Const, false, 0, 0, p.cell, p.vec, p.reg};
    auto it = cells_.find(p.cell);
    if (it != cells_.end()) {
      const Value& v = values_[it->second.value];
      m.src = v.loc;
      m.src_reg = v.reg;
      m.k = v.k;
    } else if (std::optional<Cell> k = fn_.frame_constant(p.cell)) {
      m.k = *k;
    } else {
      m.from_cell = true;
    }
    if (!m.from_cell && m.src == (p.vec ? Loc::Vec : Loc::Gp) && m.src_reg == p.reg) continue;  // in place
    moves.push_back(m);
  }
  return moves;
}

void Lowering::emit_moves(std::vector<PinMove> moves) {
  using Move = PinMove;
  auto reads_reg = [](const Move& m, bool vec, uint8_t reg) {
    return !m.from_cell && m.src == (vec ? Loc::Vec : Loc::Gp) && m.src_reg == reg;
  };
  auto emit = [&](const Move& m) {
    if (m.from_cell) {
      if (m.dst_vec) a_.ldr(a64::d(m.dst_reg), c_.cell(m.cell));
      else a_.ldr(a64::x(m.dst_reg), c_.cell(m.cell));
      return;
    }
    switch (m.src) {
      case Loc::Gp:
        if (m.dst_vec) a_.fmov(a64::d(m.dst_reg), a64::x(m.src_reg));
        else a_.mov(a64::x(m.dst_reg), a64::x(m.src_reg));
        break;
      case Loc::Vec:
        if (m.dst_vec) a_.fmov(a64::d(m.dst_reg), a64::d(m.src_reg));
        else a_.fmov(a64::x(m.dst_reg), a64::d(m.src_reg));
        break;
      case Loc::Const:
        if (m.dst_vec) {
          c_.load_imm(a64::x16, m.k);
          a_.fmov(a64::d(m.dst_reg), a64::x16);
        } else {
          c_.load_imm(a64::x(m.dst_reg), m.k);
        }
        break;
    }
  };
  while (!moves.empty()) {
    bool progressed = false;
    for (size_t i = 0; i < moves.size(); ++i) {
      bool blocked = false;
      for (size_t j = 0; j < moves.size() && !blocked; ++j)
        blocked = j != i && reads_reg(moves[j], moves[i].dst_vec, moves[i].dst_reg);
      if (blocked) continue;
      emit(moves[i]);
      moves.erase(moves.begin() + static_cast<std::ptrdiff_t>(i));
      progressed = true;
      break;
    }
    if (progressed) continue;
    // Only cycles of register moves are left: park one source in scratch
    // (x9 and v0 are never value registers).
    const Move& m = moves.front();
    const bool is_vec = m.src == Loc::Vec;
    const uint8_t reg = m.src_reg;
    const uint8_t scratch = is_vec ? 0 : 9;
    if (is_vec) a_.fmov(a64::d0, a64::d(reg));
    else a_.mov(a64::x9, a64::x(reg));
    for (Move& other : moves)
      if (reads_reg(other, is_vec, reg)) other.src_reg = scratch;
  }
}

void Lowering::bin_regs(Bin bin, bool wide, const a64::Gp& d0, const a64::Gp& l0, const a64::Gp& r0) {
  const a64::Gp d = sized(d0, wide), l = sized(l0, wide), r = sized(r0, wide);
  // Shifts and rotates: AArch64 takes the count modulo the operand width,
  // as wasm does.
  switch (bin) {
    case Bin::Add: a_.add(d, l, r); return;
    case Bin::Sub: a_.sub(d, l, r); return;
    case Bin::Mul: a_.mul(d, l, r); return;
    case Bin::And: a_.and_(d, l, r); return;
    case Bin::Or: a_.orr(d, l, r); return;
    case Bin::Xor: a_.eor(d, l, r); return;
    case Bin::Shl: a_.lslv(d, l, r); return;
    case Bin::ShrS: a_.asrv(d, l, r); return;
    case Bin::ShrU: a_.lsrv(d, l, r); return;
    case Bin::Rotr: a_.rorv(d, l, r); return;
    case Bin::Rotl: {  // rotating left by n is rotating right by -n
      const a64::Gp negated = sized(a64::x9, wide);
      a_.neg(negated, r);
      a_.rorv(d, l, negated);
      return;
    }
  }
}

void Lowering::bin(Bin op, bool wide, const a64::Gp& d0, const a64::Gp& l0, Unit b) {
  const a64::Gp d = sized(d0, wide), l = sized(l0, wide);
  const uint32_t width = wide ? 64 : 32;
  if (std::optional<Cell> k = const_of(b)) {
    const uint64_t bits = wide ? *k : static_cast<uint32_t>(*k);
    const uint32_t s = static_cast<uint32_t>(*k) & (width - 1);
    switch (op) {
      case Bin::Shl: a_.lsl(d, l, s); return;
      case Bin::ShrS: a_.asr(d, l, s); return;
      case Bin::ShrU: a_.lsr(d, l, s); return;
      case Bin::Rotr: a_.ror(d, l, s); return;
      case Bin::Rotl: a_.ror(d, l, (width - s) & (width - 1)); return;
      case Bin::Add: case Bin::Sub:
        if (std::optional<int64_t> imm = add_sub_imm(*k, wide)) {
          const bool add = (op == Bin::Add) == (*imm >= 0);
          const uint64_t magnitude = static_cast<uint64_t>(*imm >= 0 ? *imm : -*imm);
          add ? a_.add(d, l, magnitude) : a_.sub(d, l, magnitude);
          return;
        }
        break;
      case Bin::And: case Bin::Or: case Bin::Xor:
        if (a64::Utils::isLogicalImm(bits, width)) {
          if (op == Bin::And) a_.and_(d, l, bits);
          else if (op == Bin::Or) a_.orr(d, l, bits);
          else a_.eor(d, l, bits);
          return;
        }
        break;
      case Bin::Mul: break;
    }
  }
  bin_regs(op, wide, d, l, gp(b, a64::x11));
}

void Lowering::compare(const a64::Gp& l0, Unit b, bool wide, const a64::Gp& scratch) {
  const a64::Gp l = sized(l0, wide);
  if (std::optional<Cell> k = const_of(b)) {
    if (std::optional<int64_t> imm = add_sub_imm(*k, wide)) {
      if (*imm >= 0) a_.cmp(l, static_cast<uint64_t>(*imm));
      else a_.cmn(l, static_cast<uint64_t>(-*imm));  // the same flags as cmp with -imm
      return;
    }
  }
  a_.cmp(l, sized(gp(b, scratch), wide));
}

bool Lowering::lower_int(Op op, const Unit* pc) {
  std::optional<codegen::IntOp> io = codegen::int_op(op);
  if (!io) return false;
  const Unit a = pc[kHandlerUnits];
  const bool unary = io->kind == Kind::Eqz || io->kind == Kind::Move || io->kind == Kind::SignExtend;
  const Unit dst = pc[kHandlerUnits + (unary ? 1 : 2)];
  if (dead_result(dst)) {  // pure: nothing to emit
    kill_cell(dst);
    return true;
  }
  const bool w = io->wide;
  std::optional<Cell> ka = const_of(a);
  std::optional<Cell> kb;  // (assigned apart: g++ 12 -O3 saw the ?: as maybe-uninitialized)
  if (!unary) kb = const_of(pc[kHandlerUnits + 1]);
  switch (io->kind) {
    case Kind::Bin: {
      if (ka && kb) {
        define(dst, new_const(fold_bin(io->bin, w, *ka, *kb)));
        return true;
      }
      const Unit b = pc[kHandlerUnits + 1];
      // `x = x op y` where only x names x's value: in place (a loop's
      // counter then stays in the register its header keeps it in).
      if (auto it = cells_.find(a); !ka && dst == a && it != cells_.end() &&
                                    values_[it->second.value].loc == Loc::Gp &&
                                    values_[it->second.value].refs == 1) {
        const uint32_t v = value_of(a, false);
        if (!kb) value_of(b, false);
        bin(io->bin, w, gp_of_value(v), gp_of_value(v), b);
        values_[v].zext32 = !w;
        bind_cell(dst, v, true);
        return true;
      }
      // Operands first (pinned), then the result's register.
      const a64::Gp ra = gp(a, a64::x10);
      if (!kb) value_of(b, false);
      const uint32_t d = new_gp();
      bin(io->bin, w, gp_of_value(d), ra, b);
      values_[d].zext32 = !w;
      define(dst, d);
      return true;
    }
    case Kind::Cmp: {
      if (ka && kb) {
        define(dst, new_const(fold_cmp(io->cond, w, *ka, *kb) ? 1 : 0));
        return true;
      }
      const a64::Gp ra = gp(a, a64::x10);
      if (!kb) value_of(pc[kHandlerUnits + 1], false);
      const uint32_t d = new_gp();
      compare(ra, pc[kHandlerUnits + 1], w, a64::x11);
      a_.cset(gp_of_value(d).w(), condition(io->cond));
      values_[d].zext32 = true;
      define(dst, d);
      return true;
    }
    case Kind::Eqz: {
      if (ka) {
        define(dst, new_const((w ? *ka : static_cast<uint32_t>(*ka)) == 0 ? 1 : 0));
        return true;
      }
      const a64::Gp ra = sized(gp(a, a64::x10), w);
      const uint32_t d = new_gp();
      a_.cmp(ra, 0);
      a_.cset(gp_of_value(d).w(), CondCode::kEQ);
      values_[d].zext32 = true;
      define(dst, d);
      return true;
    }
    case Kind::Move:
      if (io->from_bytes == 8) {  // a reinterpretation: the same bits
        define(dst, value_of(a, false));
        return true;
      }
      if (ka) {
        define(dst, new_const(static_cast<uint32_t>(*ka)));
        return true;
      } else {
        const a64::Gp ra = gp(a, a64::x10);
        const uint32_t d = new_gp();
        a_.mov(gp_of_value(d).w(), ra.w());  // zero-extends
        values_[d].zext32 = true;
        define(dst, d);
        return true;
      }
    case Kind::SignExtend: {
      if (ka) {
        int64_t v = io->from_bytes == 1   ? static_cast<int8_t>(*ka)
                    : io->from_bytes == 2 ? static_cast<int16_t>(*ka)
                                          : static_cast<int32_t>(*ka);
        define(dst, new_const(w ? static_cast<Cell>(v) : static_cast<uint32_t>(v)));
        return true;
      }
      const a64::Gp ra = gp(a, a64::x10);
      const uint32_t d = new_gp();
      const a64::Gp rd = sized(gp_of_value(d), w);
      if (io->from_bytes == 1) a_.sxtb(rd, ra.w());
      else if (io->from_bytes == 2) a_.sxth(rd, ra.w());
      else a_.sxtw(rd.x(), ra.w());
      values_[d].zext32 = !w;
      define(dst, d);
      return true;
    }
  }
  return false;
}

void Lowering::float_arith(FKind kind, bool f64, const a64::Vec& d0, const a64::Vec& l0, const a64::Vec& r0) {
  const a64::Vec d = sized_vec(d0, f64), l = sized_vec(l0, f64), r = sized_vec(r0, f64);
  switch (kind) {
    case FKind::Add: a_.fadd(d, l, r); break;
    case FKind::Sub: a_.fsub(d, l, r); break;
    case FKind::Mul: a_.fmul(d, l, r); break;
    default: a_.fdiv(d, l, r); break;
  }
}

bool Lowering::lower_float(Op op, const Unit* pc) {
  std::optional<codegen::FloatOp> fo = codegen::float_op(op);
  if (!fo) return false;
  const Unit a = pc[kHandlerUnits];
  const bool unary = fo->kind == FKind::FromI32 || fo->kind == FKind::FromI64 || fo->kind == FKind::Promote ||
                     fo->kind == FKind::Demote;
  const Unit dst = pc[kHandlerUnits + (unary ? 1 : 2)];
  if (dead_result(dst)) {
    kill_cell(dst);
    return true;
  }
  // Every scalar write of an s register clears the rest of the vector
  // register: an f32 value's upper half is zero, as in its cell.
  switch (fo->kind) {
    case FKind::FromI32: case FKind::FromI64: {
      const a64::Gp ra = sized(gp(a, a64::x10), fo->kind == FKind::FromI64);
      const uint32_t d = new_vec();
      a_.scvtf(sized_vec(vec_of_value(d), fo->f64), ra);
      define(dst, d);
      return true;
    }
    case FKind::Promote: case FKind::Demote: {
      const a64::Vec va = vec(a, a64::v0);
      const uint32_t d = new_vec();
      const a64::Vec vd = vec_of_value(d);
      fo->kind == FKind::Promote ? a_.fcvt(vd.d(), va.s()) : a_.fcvt(vd.s(), va.d());
      define(dst, d);
      return true;
    }
    default: break;
  }
  const a64::Vec va = vec(a, a64::v0);
  const a64::Vec vb = vec(pc[kHandlerUnits + 1], a64::v1);
  if (codegen::is_float_compare(fo->kind)) {
    const uint32_t d = new_gp();
    a_.fcmp(sized_vec(va, fo->f64), sized_vec(vb, fo->f64));
    a_.cset(gp_of_value(d).w(), float_condition(fo->kind));
    values_[d].zext32 = true;
    define(dst, d);
    return true;
  }
  const uint32_t d = new_vec();
  float_arith(fo->kind, fo->f64, vec_of_value(d), va, vb);
  define(dst, d);
  return true;
}

// sqrt, abs, neg, copysign, ceil, floor, trunc, nearest, min and max:
// inline rather than a helper call, which would store every live value
// and reload it after. Each gives the interpreter's bits: on AArch64 the
// interpreter's sqrt and rounding are these same instructions (fsqrt,
// frint*), abs and neg are bit operations here as there (fabs and fneg
// never touch a NaN's payload or quiet bit), and min and max follow
// numerics.h's float_min/float_max (below). Writing an s register clears
// the rest of the vector register: an f32 value's upper half stays zero.
bool Lowering::lower_float_bits_and_rounding(Op op, const Unit* pc) {
  enum class K { Sqrt, Abs, Neg, Copysign, Nearest, Floor, Ceil, Trunc, Min, Max } k;
  bool f64 = true;
  switch (op) {
    case Op::F32Sqrt: f64 = false; [[fallthrough]];
    case Op::F64Sqrt: k = K::Sqrt; break;
    case Op::F32Abs: f64 = false; [[fallthrough]];
    case Op::F64Abs: k = K::Abs; break;
    case Op::F32Neg: f64 = false; [[fallthrough]];
    case Op::F64Neg: k = K::Neg; break;
    case Op::F32Copysign: f64 = false; [[fallthrough]];
    case Op::F64Copysign: k = K::Copysign; break;
    case Op::F32Nearest: f64 = false; [[fallthrough]];
    case Op::F64Nearest: k = K::Nearest; break;
    case Op::F32Floor: f64 = false; [[fallthrough]];
    case Op::F64Floor: k = K::Floor; break;
    case Op::F32Ceil: f64 = false; [[fallthrough]];
    case Op::F64Ceil: k = K::Ceil; break;
    case Op::F32Trunc: f64 = false; [[fallthrough]];
    case Op::F64Trunc: k = K::Trunc; break;
    case Op::F32Min: f64 = false; [[fallthrough]];
    case Op::F64Min: k = K::Min; break;
    case Op::F32Max: f64 = false; [[fallthrough]];
    case Op::F64Max: k = K::Max; break;
    default: return false;
  }
  const bool binary = k == K::Copysign || k == K::Min || k == K::Max;
  const Unit dst = pc[kHandlerUnits + (binary ? 2 : 1)];
  if (dead_result(dst)) {
    kill_cell(dst);
    return true;
  }
  const a64::Vec va = sized_vec(vec(pc[kHandlerUnits], a64::v0), f64);
  a64::Vec vb;
  if (binary) vb = sized_vec(vec(pc[kHandlerUnits + 1], a64::v1), f64);
  const uint32_t d = new_vec();
  const a64::Vec vd = sized_vec(vec_of_value(d), f64);
  switch (k) {
    case K::Sqrt: a_.fsqrt(vd, va); break;
    case K::Abs: a_.fabs(vd, va); break;
    case K::Neg: a_.fneg(vd, va); break;
    case K::Nearest: a_.frintn(vd, va); break;  // ties to even (the interpreter's frinti in the default mode)
    case K::Floor: a_.frintm(vd, va); break;
    case K::Ceil: a_.frintp(vd, va); break;
    case K::Trunc: a_.frintz(vd, va); break;
    case K::Copysign: {
      // On the bits: a's magnitude, b's sign (x10, x11 are free once both
      // operands are in vector registers).
      const a64::Gp ta = sized(a64::x10, f64), tb = sized(a64::x11, f64);
      const uint32_t sign = f64 ? 63 : 31;
      a_.fmov(ta, va);
      a_.fmov(tb, vb);
      a_.lsr(tb, tb, sign);
      a_.bfi(ta, tb, sign, 1);
      a_.fmov(vd, ta);
      break;
    }
    case K::Min: case K::Max: {
      // Ordered operands: fmin/fmax give wasm's result, -0 below +0
      // included. A NaN operand: numerics.h returns the first NaN operand
      // with its quiet bit set, where fmin/fmax would prefer a signaling
      // NaN over a quiet one; that case (rare) is out of line.
      const Label nan = a_.newLabel(), done = a_.newLabel();
      a_.fcmp(va, vb);
      a_.b(CondCode::kVS, nan);
      k == K::Min ? a_.fmin(vd, va, vb) : a_.fmax(vd, va, vb);
      a_.bind(done);
      c_.out_of_line().defer([this, nan, done, va, vb, vd, f64] {
        a_.bind(nan);
        a_.fcmp(va, va);
        a_.fcsel(vd, va, vb, CondCode::kVS);  // a if a is a NaN, else b
        const a64::Gp t = sized(a64::x16, f64);
        a_.fmov(t, vd);
        a_.orr(t, t, f64 ? uint64_t{1} << 51 : uint64_t{1} << 22);  // the quiet bit
        a_.fmov(vd, t);
        a_.b(done);
      });
      break;
    }
  }
  define(dst, d);
  return true;
}

bool Lowering::lower_access(Op op, const Unit* pc, bool summed) {
  std::optional<codegen::Access> acc = codegen::scalar_access(op);
  if (!acc) return false;
  const Unit* fields = pc + (summed ? 1 : 0);
  const Unit value = fields[kHandlerUnits + 1];
  const bool float_value = op == Op::F32Load || op == Op::F64Load || op == Op::F32Store || op == Op::F64Store;
  // Operands and the result's register before any scratch use; a stored
  // value that is not in a register of the right class is moved to x12
  // only after memory_operand (which clobbers x10-x12).
  uint32_t stored = kNoValue, d = kNoValue;
  if (acc->store) stored = value_of(value, float_value);
  if (!acc->store) {
    // (The address operands pinned first: the result's register is not
    // taken from them.)
    if (!const_of(pc[kHandlerUnits])) value_of(pc[kHandlerUnits], false);
    if (summed && !const_of(pc[kHandlerUnits + 1])) value_of(pc[kHandlerUnits + 1], false);
    d = float_value ? new_vec() : new_gp();
  }
  const Compiler::MemoryOperand operand =
      address_operand(pc[kHandlerUnits], summed ? std::optional<Unit>(pc[kHandlerUnits + 1]) : std::nullopt, *acc,
              fields[kHandlerUnits + 2]);
  const arm::Mem at = operand.at();
  if (acc->store) {
    const Value& sv = values_[stored];
    if (sv.loc == Loc::Vec && (acc->bytes == 4 || acc->bytes == 8)) {
      operand.mark_access(c_);
      a_.str(acc->bytes == 8 ? a64::Vec(a64::d(sv.reg)) : a64::Vec(a64::s(sv.reg)), at);
      return true;
    }
    const a64::Gp r = gp_from(stored, a64::x12, true);
    operand.mark_access(c_);
    switch (acc->bytes) {
      case 1: a_.strb(r.w(), at); break;
      case 2: a_.strh(r.w(), at); break;
      case 4: a_.str(r.w(), at); break;
      default: a_.str(r.x(), at); break;
    }
    return true;
  }
  operand.mark_access(c_);
  if (float_value) {
    const a64::Vec vd = vec_of_value(d);
    a_.ldr(acc->bytes == 8 ? a64::Vec(vd.d()) : a64::Vec(vd.s()), at);  // ldr s clears the rest
  } else {
    const a64::Gp rd = gp_of_value(d);
    const a64::Gp dw = sized(rd, acc->wide);
    switch (acc->bytes) {
      case 1: acc->sign ? a_.ldrsb(dw, at) : a_.ldrb(rd.w(), at); break;
      case 2: acc->sign ? a_.ldrsh(dw, at) : a_.ldrh(rd.w(), at); break;
      case 4: acc->sign ? a_.ldrsw(rd.x(), at) : a_.ldr(rd.w(), at); break;
      default: a_.ldr(rd.x(), at); break;
    }
    values_[d].zext32 = acc->bytes < 8 && !(acc->sign && acc->wide);  // written as a w register
  }
  define(value, d);
  return true;
}

std::optional<CondCode> Lowering::condition_flags(Op op, const Unit* pc, uint32_t target_off) {
  const Unit a = pc[kHandlerUnits], b = pc[kHandlerUnits + 1];
  if (std::optional<codegen::FloatOp> fo = codegen::float_op(op); fo && codegen::is_float_compare(fo->kind)) {
    const a64::Vec va = vec(a, a64::v0), vb = vec(b, a64::v1);
    defer_flush(target_off);
    a_.fcmp(sized_vec(va, fo->f64), sized_vec(vb, fo->f64));
    return float_condition(fo->kind);
  }
  std::optional<codegen::IntOp> io = codegen::int_op(op);
  if (!io) return std::nullopt;
  const bool w = io->wide;
  switch (io->kind) {
    case Kind::Cmp: {
      const a64::Gp ra = gp(a, a64::x10);
      if (!const_of(b)) value_of(b, false);
      // (compare's operand fetch after the flush adds no eviction: b is
      // bound already, at most moved into x11.)
      defer_flush(target_off);
      compare(ra, b, w, a64::x11);
      return condition(io->cond);
    }
    case Kind::Eqz: {
      const a64::Gp ra = sized(gp(a, a64::x10), w);
      defer_flush(target_off);
      a_.cmp(ra, 0);
      return CondCode::kEQ;
    }
    case Kind::Bin: {
      const a64::Gp ra = gp(a, a64::x10);
      if (!const_of(b)) value_of(b, false);  // pinned for bin
      if (io->bin == Bin::And) {
        std::optional<Cell> kb = const_of(b);
        const uint64_t bits = kb ? (w ? *kb : static_cast<uint32_t>(*kb)) : 0;
        defer_flush(target_off);
        if (kb && a64::Utils::isLogicalImm(bits, w ? 64 : 32)) a_.tst(sized(ra, w), bits);
        else a_.tst(sized(ra, w), sized(gp(b, a64::x11), w));
        return CondCode::kNE;
      }
      defer_flush(target_off);
      bin(io->bin, w, a64::x12, ra, b);
      a_.tst(sized(a64::x12, w), sized(a64::x12, w));
      return CondCode::kNE;
    }
    default: return std::nullopt;
  }
}

// Integer division and remainder, with the interpreter's traps in its
// order (divide by zero first, then overflow). AArch64's divisions do not
// fault: both traps are explicit, and INT_MIN % -1 is 0 by msub's
// wrapping arithmetic. A constant divisor drops the checks it cannot fail.
// Executed even when the result is dead: it may trap.
bool Lowering::lower_division(Op op, const Unit* pc) {
  bool wide = false, sign = false, rem = false;
  switch (op) {
    case Op::I32DivS: sign = true; break;
    case Op::I32DivU: break;
    case Op::I32RemS: sign = rem = true; break;
    case Op::I32RemU: rem = true; break;
    case Op::I64DivS: wide = sign = true; break;
    case Op::I64DivU: wide = true; break;
    case Op::I64RemS: wide = sign = rem = true; break;
    case Op::I64RemU: wide = rem = true; break;
    default: return false;
  }
  const Unit a = pc[kHandlerUnits], b = pc[kHandlerUnits + 1], dst = pc[kHandlerUnits + 2];
  std::optional<Cell> kb = const_of(b);
  if (kb && !wide) kb = static_cast<uint32_t>(*kb);
  const a64::Gp ra = sized(gp(a, a64::x10), wide);
  a64::Gp rb;
  if (kb) {
    c_.load_imm(a64::x11, *kb);
    rb = sized(a64::x11, wide);
  } else {
    rb = sized(gp(b, a64::x11), wide);
  }
  const uint32_t d = new_gp();
  const Cell all_ones = wide ? ~Cell{0} : Cell{UINT32_MAX};
  if (!kb || *kb == 0) a_.cbz(rb, c_.trap_label(TrapCode::IntegerDivideByZero));
  if (sign && !rem && (!kb || *kb == all_ones)) {
    // The minimum divided by -1 overflows: `a - 1` overflows exactly when
    // a is the minimum.
    Label normal = a_.newLabel();
    if (!kb) {
      a_.cmn(rb, 1);
      a_.b(CondCode::kNE, normal);
    }
    a_.cmp(ra, 1);
    a_.b(CondCode::kVS, c_.trap_label(TrapCode::IntegerOverflow));
    a_.bind(normal);
  }
  const a64::Gp rd = sized(gp_of_value(d), wide);
  const a64::Gp quotient = rem ? sized(a64::x12, wide) : rd;
  sign ? a_.sdiv(quotient, ra, rb) : a_.udiv(quotient, ra, rb);
  if (rem) a_.msub(rd, quotient, rb, ra);  // a - quotient * b
  values_[d].zext32 = !wide;
  if (dead_result(dst)) {
    release(d);
    kill_cell(dst);
    return true;
  }
  define(dst, d);
  return true;
}

void Lowering::lower_generated(const Inst& in, const Unit* pc) {
  if (lower_int(in.instr.op, pc) || lower_float(in.instr.op, pc) || lower_float_bits_and_rounding(in.instr.op, pc) ||
      lower_division(in.instr.op, pc))
    return;
  if (interp::is_memory_access_op(in.instr.op)) {
    if (lower_access(in.instr.op, pc, false) || simd_done(lower_simd_access(*this, in.instr.op, pc, false))) return;
    helper(pc, in.instr.index, true, false);
    return;
  }
  if (simd_done(lower_simd(*this, in.instr.op, pc))) return;
  helper(pc, in.instr.index, interp::op_can_trap(in.instr.op), false);
}

void Lowering::lower_pair(const Inst& in, const Unit* pc) {
  const interp::FusedPair& p = interp::kFusedPairs[in.instr.index - interp::fused_pair_index(0)];
  const Unit dst = pc[kHandlerUnits + 3];
  if (dead_result(dst)) {
    kill_cell(dst);
    return;
  }
  const Unit a = pc[kHandlerUnits], b = pc[kHandlerUnits + 1], c = pc[kHandlerUnits + 2];
  std::optional<codegen::IntOp> first = codegen::int_op(p.first), second = codegen::int_op(p.second);
  if (first && second && first->kind == Kind::Bin && second->kind == Kind::Bin) {
    const bool w = first->wide;
    // t = a FIRST b in a fresh register, then the second step into it:
    // t SECOND c, or c SECOND t (p.right).
    const a64::Gp ra = gp(a, a64::x10);
    if (!const_of(b)) value_of(b, false);
    if (!const_of(c)) value_of(c, false);
    const uint32_t t = new_gp();
    const a64::Gp rt = gp_of_value(t);
    bin(first->bin, w, rt, ra, b);
    if (!p.right) bin(second->bin, w, rt, rt, c);
    else bin_regs(second->bin, w, rt, gp(c, a64::x12), rt);
    values_[t].zext32 = !w;
    define(dst, t);
    return;
  }
  std::optional<codegen::FloatOp> f1 = codegen::float_op(p.first), f2 = codegen::float_op(p.second);
  if (f1 && f2 && codegen::is_float_arith(f1->kind) && codegen::is_float_arith(f2->kind)) {
    const bool f64 = f1->f64;
    const a64::Vec va = vec(a, a64::v0);
    const a64::Vec vb = vec(b, a64::v1);
    value_of(c, true);
    const uint32_t t = new_vec();
    const a64::Vec vt = vec_of_value(t);
    float_arith(f1->kind, f64, vt, va, vb);
    const a64::Vec vc = vec(c, a64::v1);
    if (!p.right) float_arith(f2->kind, f64, vt, vt, vc);
    else float_arith(f2->kind, f64, vt, vc, vt);
    define(dst, t);
    return;
  }
  helper(pc, in.instr.index, false, false);
}

void Lowering::lower(uint32_t i) {
  const Inst& in = fn_.insts()[i];
  const Unit* pc = fn_.pc(i);
  v128_copies_.next_instruction(*this, in.fx);
  switch (in.instr.family) {
    case Family::Generated: lower_generated(in, pc); return;
    case Family::AddressSum:
      if (lower_access(in.instr.op, pc, true) || simd_done(lower_simd_access(*this, in.instr.op, pc, true))) return;
      helper(pc, in.instr.index, true, false);
      return;
    case Family::Pair: lower_pair(in, pc); return;
    case Family::BT: case Family::BF: case Family::BTI: case Family::BTF: case Family::BTLF: {
      const uint32_t t = target_of(pc, in.instr.field);
      std::optional<CondCode> cc = condition_flags(in.instr.op, pc, t);
      if (!cc && (cc = lower_simd_condition(*this, in.instr.op, pc))) {
        simd_done(true);
        defer_flush(t);  // (no code: the flags stay)
      }
      if (!cc) {
        helper(pc, in.instr.index, false, false);
        a_.cmp(a64::w0, 0);
        cc = CondCode::kNE;
      }
      lower_branch_form(in.instr.family, *cc, pc, in.instr.field);
      return;
    }
    case Family::ABT: case Family::ABF: case Family::ABTI: case Family::ABTF: case Family::ABTLF: {
      // dst = a + b (i32), then compare dst with rhs (which may be dst).
      const Unit a = pc[kHandlerUnits], b = pc[kHandlerUnits + 1], dst = pc[kHandlerUnits + 2];
      const Unit rhs = pc[kHandlerUnits + 3];
      uint32_t d;
      auto it = cells_.find(dst);
      if ((dst == a || dst == b) && it != cells_.end() && values_[it->second.value].loc == Loc::Gp &&
          values_[it->second.value].refs == 1) {  // the counter's step in place, as in lower_int
        const Unit other = dst == a ? b : a;
        d = value_of(dst, false);
        value_of(other, false);
        bin(Bin::Add, false, gp_of_value(d), gp_of_value(d), other);
        values_[d].zext32 = true;
        bind_cell(dst, d, true);
      } else {
        const a64::Gp ra = gp(a, a64::x10);
        value_of(b, false);
        d = new_gp();
        bin(Bin::Add, false, gp_of_value(d), ra, b);
        values_[d].zext32 = true;
        define(dst, d);
      }
      const a64::Gp rd = gp_of_value(d);
      values_[d].pin = epoch_;
      if (!const_of(rhs)) value_of(rhs, false);
      defer_flush(target_of(pc, in.instr.field));
      compare(rd, rhs, false, a64::x11);
      lower_branch_form(codegen::branch_form(in.instr.family), condition(codegen::int_op(in.instr.op)->cond), pc,
                        in.instr.field);
      return;
    }
    case Family::Ir: break;
  }
  switch (in.instr.ir) {
    case IrOp::Copy: copy(pc[2], pc[3]); return;
    case IrOp::Copy2: {
      if (pc[2] == pc[3]) return;
      if (simd_done(lower_simd_copy(*this, pc[2], pc[3]))) return;
      const uint32_t lo = value_of(pc[3], false), hi = value_of(pc[3] + 1, false);
      define(pc[2], lo);
      define(pc[2] + 1, hi);
      return;
    }
    case IrOp::CopyPair:
      copy(pc[2], pc[3]);
      ++epoch_;
      copy(pc[4], pc[5]);
      return;
    case IrOp::Const: set_const(pc[2], codegen::const_operand(pc)); return;
    case IrOp::Br: jump_to(pc, 2); return;
    case IrOp::BrLoopI: back_edge_to(pc, 2, 0, true); return;
    case IrOp::BrLoop: back_edge_to(pc, 2, pc[3], false); return;
    case IrOp::BrIf: branch_on_cell(Family::BT, pc[2], pc, 3); return;
    case IrOp::BrUnless: branch_on_cell(Family::BF, pc[2], pc, 3); return;
    case IrOp::BrIfLoopI: branch_on_cell(Family::BTI, pc[2], pc, 3); return;
    case IrOp::BrIfF: branch_on_cell(Family::BTF, pc[2], pc, 3); return;
    case IrOp::BrIfLoopF: branch_on_cell(Family::BTLF, pc[2], pc, 3); return;
    case IrOp::CopyBr: copy(pc[2], pc[3]); jump_to(pc, 4); return;
    case IrOp::CopyBrLoopI: copy(pc[2], pc[3]); back_edge_to(pc, 4, 0, true); return;
    case IrOp::CopyBrLoop: copy(pc[2], pc[3]); back_edge_to(pc, 4, pc[5], false); return;
    case IrOp::ConstBr: set_const(pc[2], codegen::const_operand(pc)); jump_to(pc, 5); return;
    case IrOp::ConstBrLoopI: set_const(pc[2], codegen::const_operand(pc)); back_edge_to(pc, 5, 0, true); return;
    case IrOp::ConstBrLoop:
      set_const(pc[2], codegen::const_operand(pc));
      back_edge_to(pc, 5, pc[6], false);
      return;
    case IrOp::Return: case IrOp::CopyReturn:
      if (in.instr.ir == IrOp::CopyReturn) copy(pc[2], pc[3]);
      write_back([&](Unit c) { return c < cf_.num_result_cells; }, false);
      materialize_constants();
      forget_all();
      c_.emit_return();
      return;
    case IrOp::Unreachable:
      forget_all();
      a_.b(c_.trap_label(TrapCode::Unreachable));
      return;
    case IrOp::Call: case IrOp::CopyCall:
      if (in.instr.ir == IrOp::CopyCall) {
        copy(pc[2], pc[3]);
        flush_all_and_forget();
        c_.emit_call(pc[4], pc[5]);
      } else {
        flush_all_and_forget();
        c_.emit_call(pc[2], pc[3]);
      }
      return;
    case IrOp::CallIndirect:
      flush_all_and_forget();
      c_.emit_call_indirect(pc);
      return;
    case IrOp::Select: {
      const Unit dst = pc[2], a = pc[3], b = pc[4], cond = pc[5];
      if (std::optional<Cell> kc = const_of(cond)) {
        copy(dst, static_cast<uint32_t>(*kc) != 0 ? a : b);
        return;
      }
      if (dead_result(dst)) {
        kill_cell(dst);
        return;
      }
      const a64::Gp rc = gp(cond, a64::x10);
      const a64::Gp ra = gp(a, a64::x11);
      const a64::Gp rb = gp(b, a64::x12);
      const uint32_t d = new_gp();
      a_.cmp(rc.w(), 0);
      a_.csel(gp_of_value(d), ra, rb, CondCode::kNE);
      define(dst, d);
      return;
    }
    case IrOp::GlobalGet: case IrOp::GlobalGetBrIf: {
      const Unit dst = pc[2];
      const uint32_t d = new_gp();
      c_.global_inst(a64::x9, pc[3]);
      a_.ldr(gp_of_value(d), arm::ptr(a64::x9, static_cast<int32_t>(offsetof(GlobalInst, value))));
      define(dst, d);
      if (in.instr.ir == IrOp::GlobalGetBrIf) {
        ++epoch_;
        branch_on_cell(Family::BT, pc[4], pc, 5);
      }
      return;
    }
    case IrOp::GlobalSet: {
      const a64::Gp r = gp_from(value_of(pc[3], false), a64::x10, true);
      c_.global_inst(a64::x9, pc[2]);
      a_.str(r, arm::ptr(a64::x9, static_cast<int32_t>(offsetof(GlobalInst, value))));
      return;
    }
    case IrOp::I32AddGlobalSet: case IrOp::I32SubGlobalSet: {
      const Unit a = pc[2], b = pc[3], dst = pc[4];
      const a64::Gp ra = gp(a, a64::x10);
      if (!const_of(b)) value_of(b, false);
      const uint32_t d = new_gp();
      const a64::Gp rd = gp_of_value(d);
      bin(in.instr.ir == IrOp::I32AddGlobalSet ? Bin::Add : Bin::Sub, false, rd, ra, b);
      values_[d].zext32 = true;
      c_.global_inst(a64::x9, pc[5]);
      a_.str(rd, arm::ptr(a64::x9, static_cast<int32_t>(offsetof(GlobalInst, value))));
      define(dst, d);
      return;
    }
    case IrOp::MemorySize: {
      if (dead_result(pc[2])) {
        kill_cell(pc[2]);
        return;
      }
      const uint32_t d = new_gp();
      a_.ldr(gp_of_value(d), ST(mem_size));
      a_.lsr(gp_of_value(d), gp_of_value(d), 16);
      define(pc[2], d);
      return;
    }
    case IrOp::Fuel:
      if (fn_.sunk_charge_of_fuel(cur_) == nullptr) c_.emit_fuel_charge(pc[2]);  // else its block's br_if does
      return;
    case IrOp::BrTable: {
      const uint32_t n = pc[3];
      // The index waits in w12: the moves into the targets' registers use
      // x9 to break cycles (and x16, x17), and may overwrite the index's
      // register; the jump table wants it in w9.
      const a64::Gp r = gp(pc[2], a64::x10);
      a_.mov(a64::w12, r.w());
      for (uint32_t k = 0; k <= n; ++k) flush_for_target(target_of(pc, 4 + k));
      if (auto it = table_pins_.find(in.offset); it != table_pins_.end()) move_pins(it->second);
      forget_all();
      a_.mov(kAddress.w(), a64::w12);
      c_.emit_jump_table(pc);
      return;
    }
    default:
      if (simd_done(lower_simd_ir(*this, in.instr.ir, pc))) return;  // v128 select and globals
      // Tables, bulk memory, memory.grow: the C++ helpers, as on the
      // baseline.
      helper(pc, in.instr.index, true, true);
      return;
  }
}

}  // namespace

bool compile_function(Compiler& compiler, const CompiledFunc& cf, size_t* entry_offset) {
  codegen::FunctionCode& code = compiler.function_code();
  a64::Assembler& a = compiler.assembler();
  if (!code.scan(cf, a)) return false;
  Workspace& ws = compiler.opt_workspace();
  Function& fn = ws.function;
  if (!fn.build(cf, code, /*hoist=*/true, /*exact_simd=*/true)) return false;
  a.align(asmjit::AlignMode::kCode, 16);
  *entry_offset = a.offset();
  if (!ws.lowering_tables) ws.lowering_tables = std::make_shared<Tables>(&ws.pool);
  auto& tables = *static_cast<Tables*>(ws.lowering_tables.get());
  tables.clear();  // whatever the previous function left
  Lowering lowering(compiler, cf, fn, tables);
  lowering.run();
  return true;
}

}  // namespace wasmrt::jit::opt::arm64
