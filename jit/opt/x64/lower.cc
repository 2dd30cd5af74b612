// The optimizing tier's x86-64 lowering (jit/opt/ir.h describes the
// analysis it starts from; docs/jit.md, "The optimizing tier").
//
// Values live in machine registers between instructions. Each frame cell
// the code has touched since the last block boundary maps to a value: in a
// general register, in an SSE register (floating point stays in xmm
// registers) or a constant (an immediate; frame constant cells are
// constants from the start). A copy makes its destination map to the
// source's value, so it costs nothing. A cell whose register value has not
// been written back is dirty; it is written to its own cell (its home: the
// frame never grows) only when something needs the frame: a branch whose
// target reads it (liveness), a call or helper call (which reads operands
// from cells and clobbers the caller-saved registers), the end of a block,
// or a register eviction. A dead cell is never written, and a pure
// instruction whose result is dead is not emitted.
//
// Registers: rbx, r12-r15 stay reserved as in the baseline (frame, memory
// base, JitState, fuel, globals), so the baseline's stubs and helpers
// serve both tiers; rax, rcx, rdx, xmm0 and xmm1 are scratch; rsi, rdi,
// rbp, r8-r11 and xmm2-xmm15 hold values.
#include <asmjit/x86.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <memory>
#include <memory_resource>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "jit/opt/fold.h"
#include "jit/opt/ir.h"
#include "jit/opt/lazy_frame.h"
#include "jit/opt/loop_registers.h"
#include "jit/opt/x64/lower_simd.h"
#include "jit/x64/compiler.h"

namespace wasmrt::jit::opt::x64 {

namespace {

namespace x = asmjit::x86;
using asmjit::Label;
using codegen::Bin;
using codegen::Cond;
using codegen::FKind;
using codegen::Kind;
using interp::IrOp;
using interp::kHandlerUnits;
using jit::x64::cell;
using jit::x64::cell32;
using jit::x64::Compiler;
using jit::x64::condition;
using jit::x64::kFp;
using jit::x64::kGlobals;
using jit::x64::kMemBase;
using jit::x64::kSt;
using jit::x64::sized;

#define ST(field) x::qword_ptr(kSt, static_cast<int32_t>(offsetof(JitState, field)))

constexpr uint32_t kNoValue = UINT32_MAX;
constexpr uint8_t kGpRegs[] = {x::Gp::kIdSi, x::Gp::kIdDi, x::Gp::kIdR8, x::Gp::kIdR9,
                               x::Gp::kIdR10, x::Gp::kIdR11, x::Gp::kIdBp};
constexpr uint8_t kFirstXmm = 2, kXmmCount = 16;

bool fits_i32(Cell k) { return static_cast<int64_t>(k) == static_cast<int32_t>(k); }

using Loc = ValueLoc;
using Value = CachedValue;
using CellState = CachedCell;

// (The constant pools are this lowering's own.)
struct Tables : LoweringTables {
  explicit Tables(std::pmr::memory_resource* mr) : LoweringTables(mr), pool(mr), pool16(mr) {}
  std::pmr::unordered_map<Cell, Label> pool;
  std::pmr::map<std::array<uint8_t, 16>, Label> pool16;
  void clear() {
    LoweringTables::clear();
    reset_map(pool);
    pool16.clear();
  }
};

class Lowering final : private SimdHost, private LoweringTableRefs {
 public:
  // t: the maps and lists it works in (empty; kept by the Workspace).
  Lowering(Compiler& c, const CompiledFunc& cf, const Function& f, Tables& t)
      : LoweringTableRefs(t),
        c_(c),
        a_(c.assembler()),
        cf_(cf),
        fn_(f),
        code_(c.function_code()),
        pool_(t.pool),
        pool16_(t.pool16) {}

  void run();

  // The primitives of codegen::emit_branch_form.
  Label target(const Unit* pc, uint32_t field) const { return code_.target(pc, field); }
  // A conditional branch stores what its target reads from the frame
  // (defer_flush) and moves into a pinned target's registers on its taken
  // path only: the fall-through goes on with those values in registers,
  // and a loop that rarely leaves does not store on every iteration.
  //
  // That taken path is emitted out of line when the branch leaves its
  // loop (a loop's exit is taken once; inline, every iteration would jump
  // over it) or when it charges a block's sunk fuel (SunkCharge).
  void branch_on(x::CondCode cc, Label label) {
    auto it = pinned_label_.find(label.id());
    const bool stores = pending_flush_ && pending_label_.id() == label.id() && has_pending_stores();
    const uint32_t charge = sunk_branch_ != nullptr ? sunk_branch_->cost : 0;
    if (it == pinned_label_.end() && !stores && charge == 0) {
      a_.j(cc, label);
      return;
    }
    if (charge != 0 || leaves_loop(label)) {
      std::vector<std::pair<Unit, Value>> values;
      if (stores) for_each_pending_store([&](Unit c, const CellState& st) { values.emplace_back(c, values_[st.value]); });
      std::vector<Move> moves;
      if (it != pinned_label_.end()) moves = plan_pin_moves(pins_.at(it->second));
      const Label path = a_.newLabel();
      a_.j(cc, path);
      c_.out_of_line().defer([this, path, label, charge, values = std::move(values), moves = std::move(moves)] {
        a_.bind(path);
        c_.emit_fuel_charge(charge);
        for (const auto& [c, v] : values) store(c, v);
        emit_moves(moves);
        a_.jmp(label);
      });
      return;
    }
    Label skip = a_.newLabel();
    a_.j(x::negateCond(cc), skip);
    if (stores) emit_pending_stores();
    if (it != pinned_label_.end()) move_pins(it->second);
    a_.jmp(label);
    a_.bind(skip);
  }
  static x::CondCode negate(x::CondCode cc) { return x::negateCond(cc); }
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
    std::vector<x::Reg> kept;
    for (const Pin& p : pins_.at(it->second)) kept.push_back(p.vec ? x::Reg(x::xmm(p.reg)) : x::Reg(x::gpq(p.reg)));
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
  // move: rax and xmm0 break cycles). Changes no cache state: on a
  // conditional branch the fall-through goes on with the registers as
  // they were.
  void move_pins(uint32_t off) { move_pins(pins_.at(off)); }
  void move_pins(const std::vector<Pin>& pins) { emit_moves(plan_pin_moves(pins)); }
  struct Move {
    Loc src;  // Gp, Vec (an xmm), or Const (k), or memory (from_cell)
    bool from_cell;
    uint8_t src_reg;
    Cell k;
    Unit cell;
    bool dst_xmm;
    uint8_t dst_reg;
  };
  // What move_pins would do now, to be emitted later (an out-of-line path).
  std::vector<Move> plan_pin_moves(const std::vector<Pin>& pins) const;
  void emit_moves(std::vector<Move> moves);
  // Whether a branch from the instruction being lowered to `label` leaves
  // the innermost loop around it.
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
  // At the header: the pinned cells are in their registers, not stored.
  void enter_pinned_header(uint32_t off) {
    for (const Pin& p : pins_.at(off)) {
      const uint32_t v = new_value(p.vec ? Loc::Vec : Loc::Gp, p.reg, 0);
      bind_cell(p.cell, v, true);
    }
  }

  // ---- values and cells ----
  // The frame constants are not stored by the prologue (run()).
  bool lazy_constants_ = false;

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
    if (loc == Loc::Vec) xmm_owner_[reg] = v;
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
    if (val.loc == Loc::Vec) xmm_owner_[val.reg] = kNoValue;
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

  // ---- stores (no scratch register: evictions happen between an
  // instruction's operand fetches) ----
  void store(Unit c, const Value& v) {
    switch (v.loc) {
      case Loc::Gp: a_.mov(cell(c), x::gpq(v.reg)); break;
      case Loc::Vec: a_.movq(cell(c), x::xmm(v.reg)); break;
      case Loc::Const:
        if (fits_i32(v.k)) {
          a_.mov(cell(c), static_cast<int32_t>(v.k));
        } else {
          a_.mov(cell32(c), static_cast<uint32_t>(v.k));
          a_.mov(x::dword_ptr(kFp, static_cast<int32_t>(c * 8 + 4)), static_cast<uint32_t>(v.k >> 32));
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
  // path stores the values the target reads (branch_on), without changing
  // what the fall-through knows.
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
  uint8_t alloc_reg(bool xmm) {
    uint32_t* owner = xmm ? xmm_owner_ : gp_owner_;
    auto candidates = [&](auto&& visit) {
      if (xmm) {
        for (uint8_t r = kFirstXmm; r < kXmmCount; ++r) visit(r);
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
  uint32_t new_xmm() { return new_value(Loc::Vec, alloc_reg(true), 0); }
  uint32_t new_const(Cell k) { return new_value(Loc::Const, 0, k); }
  x::Gp gp_of_value(uint32_t v) const { return x::gpq(values_[v].reg); }
  x::Xmm xmm_of_value(uint32_t v) const { return x::xmm(values_[v].reg); }
  // Binds a result (allocated by new_gp/new_xmm/new_const) to its cell.
  void define(Unit c, uint32_t v) { bind_cell(c, v, true); }

  // ---- operands ----
  // The value cell c holds now, loaded (into a register of the class
  // `xmm` asks for) if it is only in memory. Pinned for this instruction.
  uint32_t value_of(Unit c, bool xmm) {
    auto it = cells_.find(c);
    uint32_t v;
    if (it != cells_.end()) {
      v = it->second.value;
    } else if (std::optional<Cell> k = fn_.frame_constant(c)) {
      v = new_const(*k);
      bind_cell(c, v, false);
    } else {
      v = xmm ? new_xmm() : new_gp();
      if (xmm) a_.movq(xmm_of_value(v), cell(c));
      else a_.mov(gp_of_value(v), cell(c));
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
  // An immediate operand for a `wide` (or 32-bit) instruction, if c is a
  // constant that encodes as one.
  std::optional<int32_t> imm_of(Unit c, bool wide) {
    std::optional<Cell> k = const_of(c);
    if (!k || (wide && !fits_i32(*k))) return std::nullopt;
    return static_cast<int32_t>(static_cast<uint32_t>(*k));
  }
  // The cell's value in a general register (`scratch` for a constant or a
  // value in an xmm register).
  x::Gp gp(Unit c, const x::Gp& scratch) {
    const uint32_t v = value_of(c, false);
    const Value& val = values_[v];
    switch (val.loc) {
      case Loc::Gp: return gp_of_value(v);
      case Loc::Vec: a_.movq(scratch.r64(), x::xmm(val.reg)); return scratch.r64();
      case Loc::Const: a_.mov(scratch.r64(), val.k); return scratch.r64();
    }
    return scratch;
  }
  x::Xmm xmm(Unit c, const x::Xmm& scratch) {
    const uint32_t v = value_of(c, true);
    const Value& val = values_[v];
    switch (val.loc) {
      case Loc::Vec: return xmm_of_value(v);
      case Loc::Gp: a_.movq(scratch, x::gpq(val.reg)); return scratch;
      case Loc::Const: a_.movq(scratch, constant_pool(val.k)); return scratch;
    }
    return scratch;
  }
  x::Mem constant_pool(Cell k) {
    auto [it, inserted] = pool_.try_emplace(k);
    if (inserted) it->second = a_.newLabel();
    return x::qword_ptr(it->second);
  }

  static bool has_avx() {
    static const bool avx = asmjit::CpuInfo::host().features().x86().hasAVX();
    return avx;
  }

  // ---- lowering ----
  void lower(uint32_t i);
  void lower_generated(const Inst& in, const Unit* pc);
  bool lower_int(Op op, const Unit* pc);
  bool lower_float(Op op, const Unit* pc);
  bool lower_float_bits_and_rounding(Op op, const Unit* pc);
  bool lower_division(Op op, const Unit* pc);
  bool lower_access(Op op, const Unit* pc, bool summed);
  // Flags for a fused condition over cells pc[2..]; the condition that
  // holds when it is true, or nullopt (not expanded inline).
  std::optional<x::CondCode> condition_flags(Op op, const Unit* pc, uint32_t target_off);
  void float_compare(FKind kind, bool f64, const x::Xmm& a, const x::Xmm& b, const x::Gp& out);
  void bin_into(Bin bin, bool wide, const x::Gp& d, Unit b);
  void lower_branch_form(Family form, x::CondCode taken, const Unit* pc, uint32_t field) {
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
    a_.jmp(target(pc, field));
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
      if (static_cast<uint32_t>(*k) != 0) a_.xor_(x::eax, x::eax), a_.cmp(x::eax, 0);  // ZF=1: "equal"
      else a_.or_(x::eax, 1);  // ZF=0
      defer_flush(target_of(pc, field));
      lower_branch_form(form, x::CondCode::kE, pc, field);
      return;
    }
    const x::Gp r = gp(cond, x::rax);
    defer_flush(target_of(pc, field));
    a_.test(r.r32(), r.r32());
    lower_branch_form(form, x::CondCode::kNE, pc, field);
  }

  Compiler& c_;
  x::Assembler& a_;
  const CompiledFunc& cf_;
  const Function& fn_;
  codegen::FunctionCode& code_;
  uint32_t gp_owner_[16];
  uint32_t xmm_owner_[16];
  uint64_t clock_ = 0, epoch_ = 1;
  uint32_t block_ = 0, cur_ = 0;
  std::pmr::unordered_map<Cell, Label>& pool_;
  std::unordered_map<uint32_t, std::vector<Pin>> pins_;  // by loop header offset
  std::vector<uint32_t> loop_heads_;  // targets of backward branches, sorted
  std::optional<uint32_t> pending_flush_;  // defer_flush's target, for this instruction
  Label pending_label_;
  std::unordered_map<uint32_t, std::vector<Pin>> table_pins_;  // by br_table offset: its targets' pins
  std::vector<std::pair<uint32_t, uint32_t>> loop_extents_;  // header offset, last back edge's offset
  // The br_if whose sunk charge is being lowered (sunk_labels_).
  const Function::SunkCharge* sunk_branch_ = nullptr;

  // ---- the SIMD lowering's view of the cache (lower_simd.h) ----
  std::pmr::map<std::array<uint8_t, 16>, Label>& pool16_;
  // After a SIMD instruction: its temporaries are free again.
  bool simd_done(bool lowered) {
    for (uint32_t v : simd_temps_) release(v);
    simd_temps_.clear();
    return lowered;
  }
  x::Assembler& simd_assembler() override { return a_; }
  Compiler& simd_compiler() override { return c_; }
  bool simd_drop_if_dead(Unit c, bool v128) override {
    if (!dead_result(c) || (v128 && !dead_result(c + 1))) return false;
    kill_cell(c);
    if (v128) kill_cell(c + 1);
    return true;
  }
  std::optional<Cell> simd_scalar_constant(Unit c) override { return const_of(c); }
  std::optional<std::array<Cell, 2>> simd_constant(Unit c) override {
    std::optional<Cell> lo = const_of(c), hi = const_of(c + 1);
    if (!lo || !hi) return std::nullopt;
    return std::array<Cell, 2>{*lo, *hi};
  }
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
  x::Gp simd_gp(Unit c, const x::Gp& scratch) override { return gp(c, scratch); }
  x::Xmm simd_xmm(Unit c, const x::Xmm& scratch) override { return xmm(c, scratch); }
  x::Xmm simd_temp() override {
    const uint32_t v = new_xmm();
    simd_temps_.push_back(v);
    return xmm_of_value(v);
  }
  void simd_forget(Unit c) override {
    kill_cell(c);
    kill_cell(c + 1);
  }
  x::Gp simd_define_gp(Unit c, bool zext32) override {
    const uint32_t d = new_gp();
    values_[d].zext32 = zext32;
    define(c, d);
    return gp_of_value(d);
  }
  x::Xmm simd_define_xmm(Unit c) override {
    const uint32_t d = new_xmm();
    define(c, d);
    return xmm_of_value(d);
  }
  // The register copies of v128 results (lower_simd.h), over the allocator.
  V128Copies v128_copies_;
  std::pair<uint32_t, x::Xmm> simd_new_xmm() override {
    const uint32_t v = new_xmm();
    return {v, xmm_of_value(v)};
  }
  void simd_release(uint32_t v) override { release(v); }
  x::Xmm simd_use(uint32_t v) override {
    values_[v].pin = epoch_;
    values_[v].last_use = ++clock_;
    return xmm_of_value(v);
  }
  V128Copies& simd_copies() override { return v128_copies_; }
  bool simd_in_cells(Unit c) override {
    return cells_.count(c) == 0 && cells_.count(c + 1) == 0 && !fn_.frame_constant(c);
  }
  x::Mem simd_constant16(const std::array<uint8_t, 16>& bytes) override {
    auto [it, inserted] = pool16_.try_emplace(bytes);
    if (inserted) it->second = a_.newLabel();
    return x::xmmword_ptr(it->second);
  }
};

void Lowering::run() {
  std::fill(std::begin(gp_owner_), std::end(gp_owner_), kNoValue);
  std::fill(std::begin(xmm_owner_), std::end(xmm_owner_), kNoValue);
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
      // the frame (nothing to do after a br, br_table or return).
      if (i == 0 || !insts[i - 1].fx.no_fall_through) {
        if (const Function::Hoist* h = fn_.hoist_at(off)) emit_preheader(*h);
        write_back([&](Unit c) { return fn_.live_in(fn_.block_at_offset(off), c) && !pinned_at(off, c); }, false);
        if (pins_at(off) != nullptr) move_pins(off);
      }
      forget_all();
      // Loop headers start a 16-byte block: a small hot loop's speed
      // otherwise depends on where it happens to fall (base64's compare
      // loop varied by a quarter between builds).
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
  a_.int3();  // translated code never falls off its end
  emit_loop_entries();
  c_.out_of_line().emit_deferred();
  if (!pool16_.empty()) {
    a_.align(asmjit::AlignMode::kData, 16);
    for (const auto& [bytes, label] : pool16_) {
      a_.bind(label);
      a_.embed(bytes.data(), bytes.size());
    }
  }
  if (!pool_.empty()) {
    a_.align(asmjit::AlignMode::kData, 8);
    for (const auto& [k, label] : pool_) {
      a_.bind(label);
      a_.embedUInt64(k);
    }
  }
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
        if (p.vec) a_.movq(x::xmm(p.reg), cell(p.cell));
        else a_.mov(x::gpq(p.reg), cell(p.cell));
      }
    }
    auto it = std::lower_bound(targets.begin(), targets.end(), off);
    a_.jmp(code_.target_label(static_cast<size_t>(it - targets.begin())));
    code_.set_loop_entry(off, entry);
  }
}

void Lowering::plan_loop_registers() {
  // rsi, rdi, r8, r9 (four of the seven general value registers: the rest
  // serve the loop's temporaries) and xmm2-xmm7.
  const PinBudget budget{4, 6, std::span<const uint8_t>(kGpRegs, 4), kFirstXmm};
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

std::vector<Lowering::Move> Lowering::plan_pin_moves(const std::vector<Pin>& pins) const {
  std::vector<Move> moves;
  for (const Pin& p : pins) {
    Move m{Loc::Const, false, 0, 0, p.cell, p.vec, p.reg};
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

void Lowering::emit_moves(std::vector<Move> moves) {
  auto reads_reg = [](const Move& m, bool xmm, uint8_t reg) {
    return !m.from_cell && m.src == (xmm ? Loc::Vec : Loc::Gp) && m.src_reg == reg;
  };
  auto emit = [&](const Move& m) {
    if (m.from_cell) {
      if (m.dst_xmm) a_.movq(x::xmm(m.dst_reg), cell(m.cell));
      else a_.mov(x::gpq(m.dst_reg), cell(m.cell));
      return;
    }
    switch (m.src) {
      case Loc::Gp:
        if (m.dst_xmm) a_.movq(x::xmm(m.dst_reg), x::gpq(m.src_reg));
        else a_.mov(x::gpq(m.dst_reg), x::gpq(m.src_reg));
        break;
      case Loc::Vec:
        if (m.dst_xmm) a_.movaps(x::xmm(m.dst_reg), x::xmm(m.src_reg));
        else a_.movq(x::gpq(m.dst_reg), x::xmm(m.src_reg));
        break;
      case Loc::Const:
        if (m.dst_xmm) a_.movq(x::xmm(m.dst_reg), constant_pool(m.k));
        else a_.mov(x::gpq(m.dst_reg), m.k);
        break;
    }
  };
  while (!moves.empty()) {
    bool progressed = false;
    for (size_t i = 0; i < moves.size(); ++i) {
      bool blocked = false;
      for (size_t j = 0; j < moves.size() && !blocked; ++j)
        blocked = j != i && reads_reg(moves[j], moves[i].dst_xmm, moves[i].dst_reg);
      if (blocked) continue;
      emit(moves[i]);
      moves.erase(moves.begin() + static_cast<std::ptrdiff_t>(i));
      progressed = true;
      break;
    }
    if (progressed) continue;
    // Only cycles of register moves are left: park one source in scratch.
    const Move& m = moves.front();
    const bool xmm = m.src == Loc::Vec;
    const uint8_t reg = m.src_reg;
    const uint8_t scratch = xmm ? 0 : static_cast<uint8_t>(x::Gp::kIdAx);
    if (xmm) a_.movaps(x::xmm0, x::xmm(reg));
    else a_.mov(x::rax, x::gpq(reg));
    for (Move& other : moves)
      if (reads_reg(other, xmm, reg)) other.src_reg = scratch;
  }
}

void Lowering::bin_into(Bin bin, bool wide, const x::Gp& d0, Unit b) {
  const x::Gp d = sized(d0, wide);
  if (bin == Bin::Shl || bin == Bin::ShrS || bin == Bin::ShrU || bin == Bin::Rotl || bin == Bin::Rotr) {
    if (std::optional<Cell> k = const_of(b)) {
      const uint32_t s = static_cast<uint32_t>(*k) & (wide ? 63 : 31);
      switch (bin) {
        case Bin::Shl: a_.shl(d, s); break;
        case Bin::ShrS: a_.sar(d, s); break;
        case Bin::ShrU: a_.shr(d, s); break;
        case Bin::Rotl: a_.rol(d, s); break;
        default: a_.ror(d, s); break;
      }
      return;
    }
    const x::Gp r = gp(b, x::rcx);
    if (r.id() != x::Gp::kIdCx) a_.mov(x::ecx, r.r32());
    switch (bin) {
      case Bin::Shl: a_.shl(d, x::cl); break;
      case Bin::ShrS: a_.sar(d, x::cl); break;
      case Bin::ShrU: a_.shr(d, x::cl); break;
      case Bin::Rotl: a_.rol(d, x::cl); break;
      default: a_.ror(d, x::cl); break;
    }
    return;
  }
  if (std::optional<int32_t> imm = imm_of(b, wide)) {
    switch (bin) {
      case Bin::Add: a_.add(d, *imm); break;
      case Bin::Sub: a_.sub(d, *imm); break;
      case Bin::Mul: a_.imul(d, d, *imm); break;
      case Bin::And: a_.and_(d, *imm); break;
      case Bin::Or: a_.or_(d, *imm); break;
      default: a_.xor_(d, *imm); break;
    }
    return;
  }
  const x::Gp r = sized(gp(b, x::rdx), wide);
  switch (bin) {
    case Bin::Add: a_.add(d, r); break;
    case Bin::Sub: a_.sub(d, r); break;
    case Bin::Mul: a_.imul(d, r); break;
    case Bin::And: a_.and_(d, r); break;
    case Bin::Or: a_.or_(d, r); break;
    default: a_.xor_(d, r); break;
  }
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
        bin_into(io->bin, w, gp_of_value(v), b);
        values_[v].zext32 = !w;
        bind_cell(dst, v, true);
        return true;
      }
      // Operands first (pinned), then the result's register.
      std::optional<x::Gp> ra;
      if (!ka) ra = gp(a, x::rax);
      if (!kb) value_of(b, false);
      const uint32_t d = new_gp();
      const x::Gp rd = gp_of_value(d);
      // A sum into a new register is one `lea` (three operands, no copy
      // first). The 32-bit form keeps the low half of the 64-bit sum:
      // i32.add's result, whatever the operands' upper halves hold.
      if (ra && (io->bin == Bin::Add || io->bin == Bin::Sub)) {
        std::optional<int32_t> imm = imm_of(b, w);
        if (imm && io->bin == Bin::Sub) imm = *imm == INT32_MIN ? std::nullopt : std::optional<int32_t>(-*imm);
        if (imm || (io->bin == Bin::Add && !kb)) {
          const x::Mem sum = imm ? x::qword_ptr(*ra, *imm) : x::qword_ptr(*ra, gp(b, x::rdx));
          a_.lea(sized(rd, w), sum);
          values_[d].zext32 = !w;
          define(dst, d);
          return true;
        }
      }
      if (ka) a_.mov(sized(rd, w), w ? *ka : static_cast<uint32_t>(*ka));
      else a_.mov(sized(rd, w), sized(*ra, w));
      bin_into(io->bin, w, rd, b);
      values_[d].zext32 = !w;
      define(dst, d);
      return true;
    }
    case Kind::Cmp: {
      if (ka && kb) {
        define(dst, new_const(fold_cmp(io->cond, w, *ka, *kb) ? 1 : 0));
        return true;
      }
      const x::Gp ra = sized(gp(a, x::rax), w);
      std::optional<int32_t> imm = imm_of(pc[kHandlerUnits + 1], w);
      std::optional<x::Gp> rb;
      if (!imm) rb = sized(gp(pc[kHandlerUnits + 1], x::rdx), w);
      const uint32_t d = new_gp();
      const x::Gp rd = gp_of_value(d);
      a_.xor_(rd.r32(), rd.r32());
      if (imm) a_.cmp(ra, *imm);
      else a_.cmp(ra, *rb);
      a_.set(condition(io->cond), rd.r8());
      values_[d].zext32 = true;
      define(dst, d);
      return true;
    }
    case Kind::Eqz: {
      if (ka) {
        define(dst, new_const((w ? *ka : static_cast<uint32_t>(*ka)) == 0 ? 1 : 0));
        return true;
      }
      const x::Gp ra = sized(gp(a, x::rax), w);
      const uint32_t d = new_gp();
      const x::Gp rd = gp_of_value(d);
      a_.xor_(rd.r32(), rd.r32());
      a_.test(ra, ra);
      a_.sete(rd.r8());
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
        const x::Gp ra = gp(a, x::rax);
        const uint32_t d = new_gp();
        a_.mov(gp_of_value(d).r32(), ra.r32());
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
      const x::Gp ra = gp(a, x::rax);
      const uint32_t d = new_gp();
      const x::Gp rd = sized(gp_of_value(d), w);
      if (io->from_bytes == 1) a_.movsx(rd, ra.r8());
      else if (io->from_bytes == 2) a_.movsx(rd, ra.r16());
      else a_.movsxd(rd.r64(), ra.r32());
      define(dst, d);
      return true;
    }
  }
  return false;
}

void Lowering::float_compare(FKind kind, bool f64, const x::Xmm& a, const x::Xmm& b, const x::Gp& out) {
  // ucomis* sets ZF, PF and CF for unordered operands: `above` is false
  // then, so lt/le compare the swapped operands.
  const bool swap = kind == FKind::Lt || kind == FKind::Le;
  const x::Xmm& lhs = swap ? b : a;
  const x::Xmm& rhs = swap ? a : b;
  a_.xor_(out.r32(), out.r32());
  if (kind == FKind::Eq || kind == FKind::Ne) a_.xor_(x::ecx, x::ecx);
  f64 ? a_.ucomisd(lhs, rhs) : a_.ucomiss(lhs, rhs);
  switch (kind) {
    case FKind::Eq:
      a_.sete(out.r8());
      a_.setnp(x::cl);
      a_.and_(out.r32(), x::ecx);
      break;
    case FKind::Ne:
      a_.setne(out.r8());
      a_.setp(x::cl);
      a_.or_(out.r32(), x::ecx);
      break;
    case FKind::Lt: case FKind::Gt: a_.seta(out.r8()); break;
    default: a_.setae(out.r8()); break;
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
  switch (fo->kind) {
    case FKind::FromI32: case FKind::FromI64: {
      const x::Gp ra = gp(a, x::rax);
      const uint32_t d = new_xmm();
      const x::Xmm xd = xmm_of_value(d);
      a_.xorps(xd, xd);  // cvtsi2s* writes only the low lane
      const x::Gp src = fo->kind == FKind::FromI32 ? x::Gp(ra.r32()) : x::Gp(ra.r64());
      fo->f64 ? a_.cvtsi2sd(xd, src) : a_.cvtsi2ss(xd, src);
      define(dst, d);
      return true;
    }
    case FKind::Promote: case FKind::Demote: {
      const x::Xmm xa = xmm(a, x::xmm0);
      const uint32_t d = new_xmm();
      const x::Xmm xd = xmm_of_value(d);
      a_.xorps(xd, xd);
      fo->kind == FKind::Promote ? a_.cvtss2sd(xd, xa) : a_.cvtsd2ss(xd, xa);
      define(dst, d);
      return true;
    }
    default: break;
  }
  const x::Xmm xa = xmm(a, x::xmm0);
  const x::Xmm xb = xmm(pc[kHandlerUnits + 1], x::xmm1);
  if (codegen::is_float_compare(fo->kind)) {
    const uint32_t d = new_gp();
    float_compare(fo->kind, fo->f64, xa, xb, gp_of_value(d));
    define(dst, d);
    return true;
  }
  const uint32_t d = new_xmm();
  const x::Xmm xd = xmm_of_value(d);
  const bool f64 = fo->f64;
  if (has_avx()) {
    // Three operands: no copy of the left one first. (The VEX forms clear
    // bits 128 and up, so later SSE instructions pay no transition.)
    switch (fo->kind) {
      case FKind::Add: f64 ? a_.vaddsd(xd, xa, xb) : a_.vaddss(xd, xa, xb); break;
      case FKind::Sub: f64 ? a_.vsubsd(xd, xa, xb) : a_.vsubss(xd, xa, xb); break;
      case FKind::Mul: f64 ? a_.vmulsd(xd, xa, xb) : a_.vmulss(xd, xa, xb); break;
      default: f64 ? a_.vdivsd(xd, xa, xb) : a_.vdivss(xd, xa, xb); break;
    }
    define(dst, d);
    return true;
  }
  a_.movaps(xd, xa);
  switch (fo->kind) {
    case FKind::Add: f64 ? a_.addsd(xd, xb) : a_.addss(xd, xb); break;
    case FKind::Sub: f64 ? a_.subsd(xd, xb) : a_.subss(xd, xb); break;
    case FKind::Mul: f64 ? a_.mulsd(xd, xb) : a_.mulss(xd, xb); break;
    default: f64 ? a_.divsd(xd, xb) : a_.divss(xd, xb); break;
  }
  define(dst, d);
  return true;
}

// sqrt, abs, neg, copysign, ceil, floor, trunc, nearest, min and max:
// inline rather than a helper call, which would store every live value
// and reload it after (nbody's inner loop spent most of its time around
// one f64.sqrt). An f32 keeps its register's bits 32-63 zero, as every
// f32 value here does (a cell's upper half: movss above).
bool Lowering::lower_float_bits_and_rounding(Op op, const Unit* pc) {
  enum class K { Sqrt, Abs, Neg, Copysign, Round, Min, Max } k;
  bool f64 = true;
  uint8_t mode = 0;  // roundsd's: 0 nearest (ties to even), 1 floor, 2 ceil, 3 trunc
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
    case Op::F64Nearest: k = K::Round, mode = 0; break;
    case Op::F32Floor: f64 = false; [[fallthrough]];
    case Op::F64Floor: k = K::Round, mode = 1; break;
    case Op::F32Ceil: f64 = false; [[fallthrough]];
    case Op::F64Ceil: k = K::Round, mode = 2; break;
    case Op::F32Trunc: f64 = false; [[fallthrough]];
    case Op::F64Trunc: k = K::Round, mode = 3; break;
    case Op::F32Min: f64 = false; [[fallthrough]];
    case Op::F64Min: k = K::Min; break;
    case Op::F32Max: f64 = false; [[fallthrough]];
    case Op::F64Max: k = K::Max; break;
    default: return false;
  }
  // roundss/roundsd are SSE4.1, which every x86-64 CPU of the last decade
  // has; without it the helper rounds.
  static const bool has_round = asmjit::CpuInfo::host().features().x86().hasSSE4_1();
  if (k == K::Round && !has_round) return false;
  const bool binary = k == K::Copysign || k == K::Min || k == K::Max;
  const Unit dst = pc[kHandlerUnits + (binary ? 2 : 1)];
  if (dead_result(dst)) {
    kill_cell(dst);
    return true;
  }
  const x::Xmm xa = xmm(pc[kHandlerUnits], x::xmm0);
  std::optional<x::Xmm> xb;
  if (binary) xb = xmm(pc[kHandlerUnits + 1], x::xmm1);
  const uint32_t d = new_xmm();
  const x::Xmm xd = xmm_of_value(d);
  switch (k) {
    case K::Sqrt:
      a_.movaps(xd, xa);
      f64 ? a_.sqrtsd(xd, xd) : a_.sqrtss(xd, xd);
      break;
    case K::Round:
      // Bit 3: no inexact exception (wasm has no flags to raise).
      a_.movaps(xd, xa);
      f64 ? a_.roundsd(xd, xd, mode | 8) : a_.roundss(xd, xd, mode | 8);
      break;
    case K::Abs: case K::Neg: case K::Copysign:
      // On the bits, in general registers (no aligned mask in memory).
      if (f64) {
        a_.movq(x::rax, xa);
        if (k == K::Abs) {
          a_.btr(x::rax, 63);
        } else if (k == K::Neg) {
          a_.btc(x::rax, 63);
        } else {
          a_.movq(x::rdx, *xb);
          a_.btr(x::rax, 63);
          a_.shr(x::rdx, 63);
          a_.shl(x::rdx, 63);
          a_.or_(x::rax, x::rdx);
        }
        a_.movq(xd, x::rax);
      } else {
        a_.movd(x::eax, xa);
        if (k == K::Abs) {
          a_.and_(x::eax, 0x7FFFFFFF);
        } else if (k == K::Neg) {
          a_.xor_(x::eax, static_cast<int32_t>(0x80000000u));
        } else {
          a_.movd(x::edx, *xb);
          a_.and_(x::eax, 0x7FFFFFFF);
          a_.and_(x::edx, static_cast<int32_t>(0x80000000u));
          a_.or_(x::eax, x::edx);
        }
        a_.movd(xd, x::eax);  // zero-extends: bits 32-127 clear
      }
      break;
    case K::Min: case K::Max: {
      // minsd/maxsd return the second operand for a NaN or two zeros;
      // wasm wants the NaN, and -0 as the min (+0 as the max) of ±0.
      const Label nan = a_.newLabel(), ordinary = a_.newLabel(), done = a_.newLabel();
      a_.movaps(xd, xa);
      f64 ? a_.ucomisd(xd, *xb) : a_.ucomiss(xd, *xb);
      a_.jp(nan);
      a_.jne(ordinary);
      // Equal: only ±0 can differ, in the sign bit.
      k == K::Min ? a_.orps(xd, *xb) : a_.andps(xd, *xb);
      a_.jmp(done);
      a_.bind(nan);
      f64 ? a_.addsd(xd, *xb) : a_.addss(xd, *xb);  // a NaN operand's quiet NaN
      a_.jmp(done);
      a_.bind(ordinary);
      if (k == K::Min) f64 ? a_.minsd(xd, *xb) : a_.minss(xd, *xb);
      else f64 ? a_.maxsd(xd, *xb) : a_.maxss(xd, *xb);
      a_.bind(done);
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
  // Operands and the result's register before any scratch use.
  std::optional<x::Gp> stored_gp;
  std::optional<x::Xmm> stored_xmm;
  std::optional<Cell> stored_const;
  uint32_t d = kNoValue;
  if (acc->store) {
    stored_const = const_of(value);
    if (!stored_const) {
      const uint32_t v = value_of(value, float_value);
      if (values_[v].loc == Loc::Vec && (acc->bytes == 4 || acc->bytes == 8))
        stored_xmm = xmm_of_value(v);
      else stored_gp = gp(value, x::rdx);
    }
  }
  std::optional<Cell> ka = const_of(pc[kHandlerUnits]);
  std::optional<x::Gp> ra, rb;
  std::optional<Cell> kb;
  // An address this lowering computed with a 32-bit operation is
  // zero-extended in its register already: it indexes memory as it is.
  bool ra_is_address = false;
  if (!ka) {
    const Value& address = values_[value_of(pc[kHandlerUnits], false)];
    ra_is_address = !summed && address.loc == Loc::Gp && address.zext32;
    ra = gp(pc[kHandlerUnits], x::rcx);
  }
  if (summed) {
    kb = const_of(pc[kHandlerUnits + 1]);
    if (!kb) rb = gp(pc[kHandlerUnits + 1], x::rax);
  }
  if (!acc->store) d = float_value ? new_xmm() : new_gp();
  // The address: u32 (a sum wraps at 32 bits), zero-extended into rcx.
  // A 32-bit lea wraps and zero-extends as the sum must, in one instruction.
  if (summed && ra && kb) {
    a_.lea(x::ecx, x::ptr(ra->r64(), static_cast<int32_t>(static_cast<uint32_t>(*kb))));
  } else if (summed && ra && rb) {
    a_.lea(x::ecx, x::ptr(ra->r64(), rb->r64()));
  } else if (!ra_is_address) {
    if (ka) a_.mov(x::ecx, static_cast<uint32_t>(*ka));
    else a_.mov(x::ecx, ra->r32());
    if (summed) {
      if (kb) a_.add(x::ecx, static_cast<int32_t>(static_cast<uint32_t>(*kb)));
      else a_.add(x::ecx, rb->r32());
    }
  }
  // As the baseline (Compiler::memory_operand): unchecked on a guarded
  // memory 0, each access a trap site; else checked against the size.
  const Compiler::MemoryOperand operand =
      c_.memory_operand(*acc, fields[kHandlerUnits + 2], ra_is_address ? *ra : x::Gp(x::rcx));
  auto at = [&](uint32_t size) { return operand.at(size); };
  auto mark_access = [&] { operand.mark_access(c_); };
  if (acc->store) {
    if (stored_xmm) {
      mark_access();
      acc->bytes == 8 ? a_.movsd(at(8), *stored_xmm) : a_.movss(at(4), *stored_xmm);
      return true;
    }
    if (stored_const && (acc->bytes < 8 || fits_i32(*stored_const))) {
      const Cell k = *stored_const;
      mark_access();
      switch (acc->bytes) {
        case 1: a_.mov(at(1), static_cast<uint8_t>(k)); break;
        case 2: a_.mov(at(2), static_cast<uint16_t>(k)); break;
        case 4: a_.mov(at(4), static_cast<uint32_t>(k)); break;
        default: a_.mov(at(8), static_cast<int32_t>(k)); break;
      }
      return true;
    }
    x::Gp r = stored_gp ? *stored_gp : x::Gp(x::rdx);
    if (!stored_gp) a_.mov(x::rdx, *stored_const);
    mark_access();
    switch (acc->bytes) {
      case 1: a_.mov(at(1), r.r8()); break;
      case 2: a_.mov(at(2), r.r16()); break;
      case 4: a_.mov(at(4), r.r32()); break;
      default: a_.mov(at(8), r.r64()); break;
    }
    return true;
  }
  mark_access();
  if (float_value) {
    const x::Xmm xd = xmm_of_value(d);
    acc->bytes == 8 ? a_.movsd(xd, at(8)) : a_.movss(xd, at(4));  // movss clears the rest: an f32 cell's zero upper half
  } else {
    const x::Gp rd = gp_of_value(d);
    const x::Gp dw = sized(rd, acc->wide);
    switch (acc->bytes) {
      case 1: acc->sign ? a_.movsx(dw, at(1)) : a_.movzx(rd.r32(), at(1)); break;
      case 2: acc->sign ? a_.movsx(dw, at(2)) : a_.movzx(rd.r32(), at(2)); break;
      case 4: acc->sign ? a_.movsxd(rd.r64(), at(4)) : a_.mov(rd.r32(), at(4)); break;
      default: a_.mov(rd.r64(), at(8)); break;
    }
    values_[d].zext32 = !acc->wide && !(acc->bytes == 4 && acc->sign);  // written as 32 bits
  }
  define(value, d);
  return true;
}

std::optional<x::CondCode> Lowering::condition_flags(Op op, const Unit* pc, uint32_t target_off) {
  const Unit a = pc[kHandlerUnits], b = pc[kHandlerUnits + 1];
  if (std::optional<codegen::FloatOp> fo = codegen::float_op(op); fo && codegen::is_float_compare(fo->kind)) {
    const x::Xmm xa = xmm(a, x::xmm0), xb = xmm(b, x::xmm1);
    defer_flush(target_off);
    float_compare(fo->kind, fo->f64, xa, xb, x::rax);
    a_.test(x::eax, x::eax);
    return x::CondCode::kNE;
  }
  std::optional<codegen::IntOp> io = codegen::int_op(op);
  if (!io) return std::nullopt;
  const bool w = io->wide;
  switch (io->kind) {
    case Kind::Cmp: {
      const x::Gp ra = sized(gp(a, x::rax), w);
      std::optional<int32_t> imm = imm_of(b, w);
      std::optional<x::Gp> rb;
      if (!imm) rb = sized(gp(b, x::rdx), w);
      defer_flush(target_off);
      if (imm) a_.cmp(ra, *imm);
      else a_.cmp(ra, *rb);
      return condition(io->cond);
    }
    case Kind::Eqz: {
      const x::Gp ra = sized(gp(a, x::rax), w);
      defer_flush(target_off);
      a_.test(ra, ra);
      return x::CondCode::kE;
    }
    case Kind::Bin: {
      if (io->bin == Bin::Rotl || io->bin == Bin::Rotr) return std::nullopt;  // rotates leave ZF alone
      const x::Gp ra = gp(a, x::rax);
      value_of(b, false);  // pinned for bin_into
      if (io->bin == Bin::And) {
        std::optional<int32_t> imm = imm_of(b, w);
        std::optional<x::Gp> rb;
        if (!imm) rb = sized(gp(b, x::rdx), w);
        defer_flush(target_off);
        if (imm) a_.test(sized(ra, w), *imm);
        else a_.test(sized(ra, w), *rb);
        return x::CondCode::kNE;
      }
      defer_flush(target_off);
      if (ra.id() != x::Gp::kIdAx) a_.mov(sized(x::rax, w), sized(ra, w));
      bin_into(io->bin, w, x::rax, b);
      // Shifts by 0 leave the flags unchanged: test explicitly.
      a_.test(sized(x::rax, w), sized(x::rax, w));
      return x::CondCode::kNE;
    }
    default: return std::nullopt;
  }
}

// Integer division and remainder, with the interpreter's traps in its
// order (divide by zero first, then overflow); INT_MIN % -1 is 0 without
// dividing (x86 would fault). A constant divisor drops the checks it
// cannot fail. Executed even when the result is dead: it may trap.
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
  const x::Gp ra = gp(a, x::rax);
  std::optional<x::Gp> rb;
  if (!kb) rb = gp(b, x::rcx);
  const uint32_t d = new_gp();
  const x::Gp A = sized(x::rax, wide), C = sized(x::rcx, wide), D = sized(x::rdx, wide);
  if (ra.id() != x::Gp::kIdAx) a_.mov(A, sized(ra, wide));
  if (kb) a_.mov(C, *kb);
  else if (rb->id() != x::Gp::kIdCx) a_.mov(C, sized(*rb, wide));
  const Cell all_ones = wide ? ~Cell{0} : Cell{UINT32_MAX};
  if (!kb || *kb == 0) {
    a_.test(C, C);
    a_.jz(c_.trap_label(TrapCode::IntegerDivideByZero));
  }
  Label done = a_.newLabel();
  if (sign && (!kb || *kb == all_ones)) {
    Label normal = a_.newLabel();
    a_.cmp(C, -1);
    a_.jne(normal);
    if (rem) {
      a_.xor_(x::edx, x::edx);
    } else {  // the minimum divided by -1 overflows; anything else negates
      if (wide) {
        a_.mov(x::rdx, uint64_t{1} << 63);
        a_.cmp(x::rax, x::rdx);
      } else {
        a_.cmp(x::eax, INT32_MIN);
      }
      a_.je(c_.trap_label(TrapCode::IntegerOverflow));
      a_.neg(A);
    }
    a_.jmp(done);
    a_.bind(normal);
  }
  if (sign) {
    wide ? a_.cqo() : a_.cdq();
    a_.idiv(C);
  } else {
    a_.xor_(x::edx, x::edx);
    a_.div(C);
  }
  a_.bind(done);
  a_.mov(sized(gp_of_value(d), wide), rem ? D : A);
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
    case Family::Pair: {
      const interp::FusedPair& p = interp::kFusedPairs[in.instr.index - interp::fused_pair_index(0)];
      const Unit dst = pc[kHandlerUnits + 3];
      if (dead_result(dst)) {
        kill_cell(dst);
        return;
      }
      std::optional<codegen::IntOp> first = codegen::int_op(p.first), second = codegen::int_op(p.second);
      if (first && second && first->kind == Kind::Bin && second->kind == Kind::Bin) {
        const bool w = first->wide;
        const Unit a = pc[kHandlerUnits], b = pc[kHandlerUnits + 1], c = pc[kHandlerUnits + 2];
        // t = a FIRST b in a fresh register, then the second step.
        std::optional<Cell> ka = const_of(a);
        std::optional<x::Gp> ra;
        if (!ka) ra = gp(a, x::rax);
        value_of(b, false);
        value_of(c, false);
        const uint32_t t = new_gp();
        const x::Gp rt = gp_of_value(t);
        if (ka) a_.mov(sized(rt, w), w ? *ka : static_cast<uint32_t>(*ka));
        else a_.mov(sized(rt, w), sized(*ra, w));
        bin_into(first->bin, w, rt, b);
        if (!p.right) {
          bin_into(second->bin, w, rt, c);
          define(dst, t);
          return;
        }
        // dst = c SECOND t: t is pinned (fresh), c's register stays c's.
        values_[t].pin = epoch_;
        const uint32_t d = new_gp();
        const x::Gp rd = gp_of_value(d);
        std::optional<Cell> kc = const_of(c);
        if (kc) a_.mov(sized(rd, w), w ? *kc : static_cast<uint32_t>(*kc));
        else a_.mov(sized(rd, w), sized(gp(c, x::rdx), w));
        // The second step's right operand is a register: reuse bin_into by
        // binding t to a scratch-free path.
        const x::Gp r = sized(rt, w);
        const x::Gp dd = sized(rd, w);
        switch (second->bin) {
          case Bin::Add: a_.add(dd, r); break;
          case Bin::Sub: a_.sub(dd, r); break;
          case Bin::Mul: a_.imul(dd, r); break;
          case Bin::And: a_.and_(dd, r); break;
          case Bin::Or: a_.or_(dd, r); break;
          case Bin::Xor: a_.xor_(dd, r); break;
          default:
            a_.mov(x::ecx, rt.r32());
            switch (second->bin) {
              case Bin::Shl: a_.shl(dd, x::cl); break;
              case Bin::ShrS: a_.sar(dd, x::cl); break;
              case Bin::ShrU: a_.shr(dd, x::cl); break;
              case Bin::Rotl: a_.rol(dd, x::cl); break;
              default: a_.ror(dd, x::cl); break;
            }
            break;
        }
        release(t);  // never bound to a cell
        define(dst, d);
        return;
      }
      std::optional<codegen::FloatOp> f1 = codegen::float_op(p.first), f2 = codegen::float_op(p.second);
      if (f1 && f2 && codegen::is_float_arith(f1->kind) && codegen::is_float_arith(f2->kind)) {
        const bool f64 = f1->f64;
        const x::Xmm xa = xmm(pc[kHandlerUnits], x::xmm0);
        const x::Xmm xb = xmm(pc[kHandlerUnits + 1], x::xmm1);
        const uint32_t t = new_xmm();
        const x::Xmm xt = xmm_of_value(t);
        auto arith = [&](FKind k, const x::Xmm& d, const x::Xmm& s) {
          switch (k) {
            case FKind::Add: f64 ? a_.addsd(d, s) : a_.addss(d, s); break;
            case FKind::Sub: f64 ? a_.subsd(d, s) : a_.subss(d, s); break;
            case FKind::Mul: f64 ? a_.mulsd(d, s) : a_.mulss(d, s); break;
            default: f64 ? a_.divsd(d, s) : a_.divss(d, s); break;
          }
        };
        a_.movaps(xt, xa);
        arith(f1->kind, xt, xb);
        const x::Xmm xc = xmm(pc[kHandlerUnits + 2], x::xmm1);
        if (!p.right) {
          arith(f2->kind, xt, xc);
          define(dst, t);
          return;
        }
        values_[t].pin = epoch_;
        const uint32_t d = new_xmm();
        const x::Xmm xd = xmm_of_value(d);
        a_.movaps(xd, xc);
        arith(f2->kind, xd, xt);
        release(t);
        define(dst, d);
        return;
      }
      helper(pc, in.instr.index, false, false);
      return;
    }
    case Family::BT: case Family::BF: case Family::BTI: case Family::BTF: case Family::BTLF: {
      const uint32_t t = target_of(pc, in.instr.field);
      std::optional<x::CondCode> cc = condition_flags(in.instr.op, pc, t);
      if (!cc && (cc = lower_simd_condition(*this, in.instr.op, pc))) {
        simd_done(true);
        defer_flush(t);  // (no code: the flags stay)
      }
      if (!cc) {
        helper(pc, in.instr.index, false, false);
        a_.test(x::eax, x::eax);
        cc = x::CondCode::kNE;
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
        bin_into(Bin::Add, false, gp_of_value(d), other);
        bind_cell(dst, d, true);
      } else {
        std::optional<Cell> ka = const_of(a);
        std::optional<x::Gp> ra;
        if (!ka) ra = gp(a, x::rax);
        value_of(b, false);
        d = new_gp();
        if (ka) a_.mov(gp_of_value(d).r32(), static_cast<uint32_t>(*ka));
        else a_.mov(gp_of_value(d).r32(), ra->r32());
        bin_into(Bin::Add, false, gp_of_value(d), b);
        define(dst, d);
      }
      const x::Gp rd = gp_of_value(d);
      values_[d].pin = epoch_;
      std::optional<int32_t> imm = imm_of(rhs, false);
      std::optional<x::Gp> rr;
      if (!imm) rr = gp(rhs, x::rdx);
      defer_flush(target_of(pc, in.instr.field));
      if (imm) a_.cmp(rd.r32(), *imm);
      else a_.cmp(rd.r32(), rr->r32());
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
      if (lower_simd_copy(*this, pc[2], pc[3])) return;
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
      a_.jmp(c_.trap_label(TrapCode::Unreachable));
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
      const x::Gp rc = gp(cond, x::rcx);
      const x::Gp ra = gp(a, x::rax);
      std::optional<Cell> kb = const_of(b);
      std::optional<x::Gp> rb;
      if (!kb) rb = gp(b, x::rdx);
      const uint32_t d = new_gp();
      const x::Gp rd = gp_of_value(d);
      if (kb) a_.mov(rd, *kb);
      else a_.mov(rd, *rb);
      a_.test(rc.r32(), rc.r32());
      a_.cmovne(rd, ra);
      define(dst, d);
      return;
    }
    case IrOp::GlobalGet: case IrOp::GlobalGetBrIf: {
      const Unit dst = pc[2];
      const uint32_t d = new_gp();
      a_.mov(x::rax, x::qword_ptr(kGlobals, static_cast<int32_t>(pc[3] * 8)));
      a_.mov(gp_of_value(d), x::qword_ptr(x::rax, static_cast<int32_t>(offsetof(GlobalInst, value))));
      define(dst, d);
      if (in.instr.ir == IrOp::GlobalGetBrIf) {
        ++epoch_;
        branch_on_cell(Family::BT, pc[4], pc, 5);
      }
      return;
    }
    case IrOp::GlobalSet: {
      std::optional<Cell> k = const_of(pc[3]);
      std::optional<x::Gp> r;
      if (!k || !fits_i32(*k)) r = gp(pc[3], x::rdx);
      a_.mov(x::rcx, x::qword_ptr(kGlobals, static_cast<int32_t>(pc[2] * 8)));
      const x::Mem slot = x::qword_ptr(x::rcx, static_cast<int32_t>(offsetof(GlobalInst, value)));
      if (r) a_.mov(slot, *r);
      else a_.mov(slot, static_cast<int32_t>(*k));
      return;
    }
    case IrOp::I32AddGlobalSet: case IrOp::I32SubGlobalSet: {
      const Unit a = pc[2], b = pc[3], dst = pc[4];
      std::optional<Cell> ka = const_of(a);
      std::optional<x::Gp> ra;
      if (!ka) ra = gp(a, x::rax);
      value_of(b, false);
      const uint32_t d = new_gp();
      const x::Gp rd = gp_of_value(d);
      if (ka) a_.mov(rd.r32(), static_cast<uint32_t>(*ka));
      else a_.mov(rd.r32(), ra->r32());
      bin_into(in.instr.ir == IrOp::I32AddGlobalSet ? Bin::Add : Bin::Sub, false, rd, b);
      a_.mov(x::rcx, x::qword_ptr(kGlobals, static_cast<int32_t>(pc[5] * 8)));
      a_.mov(x::qword_ptr(x::rcx, static_cast<int32_t>(offsetof(GlobalInst, value))), rd);
      define(dst, d);
      return;
    }
    case IrOp::MemorySize: {
      if (dead_result(pc[2])) {
        kill_cell(pc[2]);
        return;
      }
      const uint32_t d = new_gp();
      a_.mov(gp_of_value(d), ST(mem_size));
      a_.shr(gp_of_value(d), 16);
      define(pc[2], d);
      return;
    }
    case IrOp::Fuel:
      if (fn_.sunk_charge_of_fuel(cur_) == nullptr) c_.emit_fuel_charge(pc[2]);  // else its block's br_if does
      return;
    case IrOp::BrTable: {
      const uint32_t n = pc[3];
      // The index waits in edx: the moves into the targets' registers use
      // rax to break cycles, and may overwrite the index's register.
      const x::Gp r = gp(pc[2], x::rax);
      a_.mov(x::edx, r.r32());
      for (uint32_t k = 0; k <= n; ++k) flush_for_target(target_of(pc, 4 + k));
      if (auto it = table_pins_.find(in.offset); it != table_pins_.end()) move_pins(it->second);
      forget_all();
      a_.mov(x::eax, x::edx);
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
  x::Assembler& a = compiler.assembler();
  if (!code.scan(cf, a)) return false;
  Workspace& ws = compiler.opt_workspace();
  Function& fn = ws.function;
  if (!fn.build(cf, code, /*hoist=*/true, /*exact_simd=*/true)) return false;
  compiler.begin_function(cf, entry_offset);
  if (!ws.lowering_tables) ws.lowering_tables = std::make_shared<Tables>(&ws.pool);
  auto& tables = *static_cast<Tables*>(ws.lowering_tables.get());
  tables.clear();  // whatever the previous function left
  Lowering lowering(compiler, cf, fn, tables);
  lowering.run();
  return true;
}

}  // namespace wasmrt::jit::opt::x64
