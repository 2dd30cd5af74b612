// Translation of validated function bodies into the interpreter's register
// code (ir.h). One walk per function through the shared BodyDecoder
// (kValidate = false, consuming the validator's side table).
//
// The operand stack is mapped to frame cells at translation time: slot h
// lives at a fixed "home" cell (the sum of the widths of the slots below it;
// v128 takes two cells). The translator keeps a virtual stack in which a
// slot may still be *pending*: its value sits in a local's cell (local.get)
// or a constant cell (consts), and instructions read it from there directly,
// so `local.get a; local.get b; i32.add; local.set c` becomes one `add c, a,
// b`. Pending slots are materialized (copied to their home) where the home
// must hold the value: at block boundaries, before calls (arguments are
// passed in place), before a local.set to the local they refer to, and for
// block results. A result written to a home and immediately stored by
// local.set has its destination rewritten to the local instead.
//
// Frame layout: [params][locals][constants][operand stack]. The number of
// constants is only known at the end, so operand-stack cells are emitted
// relative to the stack region and fixed up once the function is done.
#include <algorithm>
#include <atomic>
#include <memory>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/binary/instr.h"
#include "runtime/binary/reader.h"
#include "runtime/interp/interp.h"
#include "runtime/valid/body_decoder.h"

namespace wasmrt::interp {

const void* const* handler_table();  // execute.cc

namespace {

constexpr uint32_t kStackFlag = 0x8000'0000u;  // provisional operand-stack cell
// A pending constant (push_const): kConstFlag + its index in pending_consts_.
// Frame cells stay below it (kMaxFrameCells).
constexpr uint32_t kConstFlag = 0x4000'0000u;
constexpr uint32_t kNone = ~uint32_t{0};

// CompiledFunc::translation_state.
constexpr uint8_t kNotTranslated = 0, kTranslating = 1, kTranslated = 2;

std::atomic<uint64_t> lazy_translation_count{0};  // lazy_translations()
// Frames larger than this cannot be addressed by 31-bit cell offsets; such a
// function is compiled to a stub whose frame never fits, so calling it traps
// "call stack exhausted" (no real stack can hold it anyway).
constexpr uint64_t kMaxFrameCells = uint64_t{1} << 28;
// Constants that instructions read as operands live in frame cells, copied
// in on every call (frame_init), so that a handler reads them like any
// other operand. A function keeps at most kMaxFrameConstants of them there
// (a quarter of that outside loops); any other constant operand is written
// by a Const instruction into its operand cell just before its use (one
// more dispatch), and a constant that is only moved somewhere (a local, a
// label value, a call argument) is written there by a Const. Go's large
// functions use hundreds of distinct constants (return addresses, resume
// points, offsets), each once or twice, and with all of them in the frame
// they took 75% of a Go frame and most of a deep recursion's stack. 32
// keeps the interpreter's speed on bench/'s workloads (16 cost up to 30% on
// Go's sha256).
constexpr size_t kMaxFrameConstants = 32;

// The integer test that holds exactly when `op`'s 0/1 result is 0 (so
// eqz(op(a, b)) = inverted(a, b); eqz(eqz(x)) = ne(x, 0)), or Nop. Not for
// floats: a comparison with a NaN is false both ways.
constexpr Op inverted_test(Op op) {
  switch (op) {
    case Op::I32Eqz: return Op::I32Ne;
    case Op::I32Eq: return Op::I32Ne;
    case Op::I32Ne: return Op::I32Eq;
    case Op::I32LtS: return Op::I32GeS;
    case Op::I32LtU: return Op::I32GeU;
    case Op::I32GtS: return Op::I32LeS;
    case Op::I32GtU: return Op::I32LeU;
    case Op::I32LeS: return Op::I32GtS;
    case Op::I32LeU: return Op::I32GtU;
    case Op::I32GeS: return Op::I32LtS;
    case Op::I32GeU: return Op::I32LtU;
    case Op::I64Eqz: return Op::I64Ne;
    case Op::I64Eq: return Op::I64Ne;
    case Op::I64Ne: return Op::I64Eq;
    case Op::I64LtS: return Op::I64GeS;
    case Op::I64LtU: return Op::I64GeU;
    case Op::I64GtS: return Op::I64LeS;
    case Op::I64GtU: return Op::I64LeU;
    case Op::I64LeS: return Op::I64GtS;
    case Op::I64LeU: return Op::I64GtU;
    case Op::I64GeS: return Op::I64LtS;
    case Op::I64GeU: return Op::I64LtU;
    default: return Op::Nop;
  }
}

struct Slot {
  ValType type;
  uint32_t home;  // provisional stack cell
  uint32_t src;   // where the value is now: home, a local or a constant
};

struct Ctrl {
  Op kind;  // Block, Loop, If, Else
  bool live_entry;
  bool is_function;
  uint32_t height;  // slots below the block's params
  uint32_t base;    // home cell of slot `height`
  BlockSig sig;
  uint32_t loop_pos;    // Loop: code position of the header
  uint32_t loop_fuel;   // Loop: fuel its back edges charge (the body's first block)
  uint32_t else_field;  // If: the BrUnless offset field to the else arm
  uint32_t patch_head;  // forward branch fields to bind at the end
  // Loop: a br_table on a local that is the body's first instruction (Go's
  // resume-point dispatch), else kNone; see emit_branch.
  uint32_t dispatch_pos;
  uint32_t dispatch_local;
};

class Translator : public NopVisitor {
 public:
  Translator(const ModuleDesc& module, const TranslateOptions& options)
      : module_(module), options_(options), handlers_(handler_table()) {}

  bool translate(uint32_t defined_index, CompiledFunc& out, Error& error);

  void on_instr(const Instr& in, const InstrContext& ctx);
  void on_block_begin(const Instr& in, const BlockSig& sig, const InstrContext& ctx);
  void on_if(const Instr& in, const BlockSig& sig, const BranchEntry& to_else, const InstrContext& ctx);
  void on_else(const Instr& in, const BranchEntry& to_end, const InstrContext& ctx);
  void on_block_end(const Instr& in, const BlockSig& sig, bool is_function_end, const InstrContext& ctx);
  void on_branch(const Instr& in, const BranchEntry* entries, uint32_t n, const InstrContext& ctx);

 private:
  // --- emission ---
  void emit_handler(uint32_t index) {
    const void* h = handlers_[index];
    Unit units[2];
    std::memcpy(units, &h, sizeof h);
    code_->push_back(units[0]);
    code_->push_back(units[1]);
  }
  // Whether the instruction at `pos` has handler `index` (a check that a
  // remembered position still holds the instruction it did).
  bool handler_is(uint32_t pos, uint32_t index) const {
    if (pos == kNone || pos + kHandlerUnits > code_->size()) return false;
    const void* h = nullptr;
    std::memcpy(&h, code_->data() + pos, sizeof h);
    return h == handlers_[index];
  }
  // Drops the code from `pos` on (instructions being replaced by a fused
  // form), with the fixups of its operand-stack cells.
  void truncate_code(uint32_t pos) {
    code_->resize(pos);
    while (!fixups_.empty() && fixups_.back() >= pos) fixups_.pop_back();
  }
  void set_handler(uint32_t pos, uint32_t index) {
    const void* h = handlers_[index];
    std::memcpy(code_->data() + pos, &h, sizeof h);
  }
  // Whether the last instruction is a one-cell Copy, with no label since.
  bool last_is_copy() const { return last_copy_ != kNone && last_copy_ + 4 == here() && barrier_ != here(); }
  // If it is, removes it and returns true with its cells in dst/src, for a
  // fused form.
  bool take_last_copy(uint32_t& dst, uint32_t& src) {
    if (!last_is_copy()) return false;
    truncate_code(last_copy_);
    last_copy_ = kNone;
    dst = last_copy_dst_;
    src = last_copy_src_;
    return true;
  }
  void emit(Op op) { emit_handler(handler_index(op)); }
  void emit(IrOp op) { emit_handler(handler_index(op)); }
  void emit_u(uint32_t v) { code_->push_back(v); }
  void emit_cell(uint32_t cell) {
    if (is_pending_const(cell)) cell = const_cell(pending_const_bits(cell));
    if (cell & kStackFlag) {
      fixups_.push_back(static_cast<uint32_t>(code_->size()));
      code_->push_back(cell & ~kStackFlag);
    } else {
      code_->push_back(cell);
    }
  }
  // Emits a branch offset field (bound later) and returns its position.
  uint32_t emit_rel() {
    code_->push_back(0);
    return static_cast<uint32_t>(code_->size() - 1);
  }
  void bind(uint32_t field, uint32_t target) {
    (*code_)[field] = static_cast<uint32_t>(static_cast<int32_t>(target) - static_cast<int32_t>(field));
  }
  uint32_t here() const { return static_cast<uint32_t>(code_->size()); }
  void mark_label() { barrier_ = here(); }
  void add_patch(Ctrl& c, uint32_t field) {
    patches_.push_back({field, c.patch_head});
    c.patch_head = static_cast<uint32_t>(patches_.size() - 1);
  }
  void bind_patches(Ctrl& c, uint32_t target) {
    for (uint32_t i = c.patch_head; i != kNone; i = patches_[i].next) bind(patches_[i].field, target);
    c.patch_head = kNone;
  }
  void emit_copy(uint32_t dst, uint32_t src, ValType t) {
    if (dst == src) return;
    if (is_pending_const(src)) {
      const auto it = const_map_.find(pending_const_bits(src));
      if (it == const_map_.end()) {
        emit_const(dst, pending_const_bits(src));
        return;
      }
      src = it->second;
    }
    if (cell_count(t) == 2) {
      emit(IrOp::Copy2);
    } else if (last_is_copy()) {
      // Two one-cell copies in a row (a block's results, locals shuffled
      // at the end of a loop) take one dispatch.
      set_handler(last_copy_, handler_index(IrOp::CopyPair));
      last_copy_ = kNone;
      emit_cell(dst);
      emit_cell(src);
      return;
    } else {
      last_copy_ = here();
      last_copy_dst_ = dst;
      last_copy_src_ = src;
      emit(IrOp::Copy);
    }
    emit_cell(dst);
    emit_cell(src);
  }
  // Records that the instruction just emitted wrote its single result to
  // `cell` through the field at `field_pos` (for local.set folding).
  void note_result(uint32_t field_pos, uint32_t cell) {
    last_dst_field_ = field_pos;
    last_dst_cell_ = cell;
    last_end_ = here();
  }

  // --- virtual stack ---
  uint32_t next_home() const {
    if (stack_.empty()) return kStackFlag;
    const Slot& s = stack_.back();
    return s.home + cell_count(s.type);
  }
  Slot& push(ValType t) {
    uint32_t home = next_home();
    stack_.push_back(Slot{t, home, home});
    uint32_t top = (home & ~kStackFlag) + cell_count(t);
    if (top > max_stack_cells_) max_stack_cells_ = top;
    return stack_.back();
  }
  void push_pending(ValType t, uint32_t src) {
    Slot& s = push(t);
    s.src = src;
  }
  Slot pop() {
    Slot s = stack_.back();
    stack_.pop_back();
    return s;
  }
  void materialize(Slot& s) {
    if (s.src != s.home) {
      emit_copy(s.home, s.src, s.type);
      s.src = s.home;
    }
  }
  void materialize_top(uint32_t n) {
    for (size_t i = stack_.size() - n; i < stack_.size(); ++i) materialize(stack_[i]);
  }
  void materialize_all() {
    for (Slot& s : stack_) materialize(s);
  }
  void reset_stack(uint32_t height, const ValType* types, uint32_t n) {
    stack_.resize(height);
    for (uint32_t i = 0; i < n; ++i) push(types[i]);
  }

  // The frame cell holding constant `bits`, given one the first time.
  uint32_t const_cell(uint64_t bits) {
    auto [it, inserted] = const_map_.try_emplace(bits, 0);
    if (inserted) {
      it->second = num_local_cells_ + static_cast<uint32_t>(consts_->size());
      consts_->push_back(bits);
    }
    return it->second;
  }
  // A constant is pushed pending, as a marker (kConstFlag) for its value
  // unless it already has a frame cell, and placed by what consumes it:
  // an instruction that reads it as an operand gives it a frame cell while
  // the frame has room (frame_constant_fits), else a Const into its operand
  // cell just before (emit_generic); a local.set, a label value or a call
  // argument copies it from its frame cell if it has one (that Copy fuses
  // with a following branch, call or return), else gets a Const writing it.
  void push_const(ValType t, uint64_t bits) {
    if (auto it = const_map_.find(bits); it != const_map_.end()) {
      push_pending(t, it->second);
    } else if (pending_consts_.size() < kStackFlag - kConstFlag) {
      push_pending(t, kConstFlag | static_cast<uint32_t>(pending_consts_.size()));
      pending_consts_.push_back(bits);
    } else {
      push_pending(t, const_cell(bits));
    }
  }
  // Whether one more constant may take a frame cell. Outside loops only a
  // quarter of them: straight-line code (a prologue, setup before the
  // loop) runs once per call, so it must not take the cells a loop later
  // in the function reads on every iteration.
  bool frame_constant_fits() const {
    return const_map_.size() < (loop_depth_ > 0 ? kMaxFrameConstants : kMaxFrameConstants / 4);
  }
  static bool is_pending_const(uint32_t src) { return src >= kConstFlag && src < kStackFlag; }
  uint64_t pending_const_bits(uint32_t src) const { return pending_consts_[src - kConstFlag]; }
  void emit_const(uint32_t dst, uint64_t bits) {
    last_const_ = here();
    emit(IrOp::Const);
    emit_cell(dst);
    emit_u(static_cast<uint32_t>(bits));
    emit_u(static_cast<uint32_t>(bits >> 32));
  }
  // If the last instruction is a Const with no label since, removes it and
  // returns true with its destination and value, for a fused form.
  bool take_last_const(uint32_t& dst, uint64_t& bits) {
    if (last_const_ == kNone || last_const_ + 5 != here() || barrier_ == here()) return false;
    const uint32_t field = last_const_ + kHandlerUnits;
    const bool stack_cell = !fixups_.empty() && fixups_.back() == field;
    dst = (*code_)[field] | (stack_cell ? kStackFlag : 0);
    bits = Cell{(*code_)[field + 1]} | Cell{(*code_)[field + 2]} << 32;
    truncate_code(last_const_);
    last_const_ = kNone;
    last_end_ = kNone;
    return true;
  }
  uint32_t const_cell2(uint64_t lo, uint64_t hi) {
    // v128 constants are rare: no de-duplication.
    uint32_t cell = num_local_cells_ + static_cast<uint32_t>(consts_->size());
    consts_->push_back(lo);
    consts_->push_back(hi);
    return cell;
  }

  uint32_t local_cell(uint32_t index) const {
    if (!local_cells_.empty()) return local_cells_[index];
    // Many locals: binary search over the declared runs.
    size_t lo = 0, hi = runs_.size();
    while (lo + 1 < hi) {
      size_t mid = (lo + hi) / 2;
      if (runs_[mid].first_index <= index) lo = mid;
      else hi = mid;
    }
    const Run& r = runs_[lo];
    return r.first_cell + (index - r.first_index) * r.width;
  }

  // --- control ---
  Ctrl& push_ctrl(Op kind, const BlockSig& sig, bool live) {
    Ctrl c{};
    c.kind = kind;
    c.live_entry = live;
    c.is_function = false;
    c.sig = sig;
    c.height = live ? static_cast<uint32_t>(stack_.size()) - sig.num_params : 0;
    c.base = live ? (c.height < stack_.size() ? stack_[c.height].home : next_home()) : 0;
    c.loop_pos = kNone;
    c.loop_fuel = 0;
    c.else_field = kNone;
    c.patch_head = kNone;
    c.dispatch_pos = kNone;
    c.dispatch_local = kNone;
    ctrl_.push_back(c);
    if (kind == Op::Loop) ++loop_depth_;
    return ctrl_.back();
  }
  void pop_ctrl() {
    if (ctrl_.back().kind == Op::Loop) --loop_depth_;
    ctrl_.pop_back();
  }
  static uint32_t label_arity(const Ctrl& c, const ValType*& types) {
    if (c.kind == Op::Loop) {
      types = c.sig.params;
      return c.sig.num_params;
    }
    types = c.sig.results;
    return c.sig.num_results;
  }
  bool branch_needs_moves(const Ctrl& t) const {
    if (t.is_function) return true;
    const ValType* types;
    uint32_t n = label_arity(t, types);
    uint32_t cell = t.base;
    for (size_t i = stack_.size() - n; i < stack_.size(); ++i) {
      if (stack_[i].src != cell) return true;
      cell += cell_count(stack_[i].type);
    }
    return false;
  }
  // Jump field for an already-positioned branch to `t` (no moves needed).
  void target_field(Ctrl& t, uint32_t field) {
    if (t.kind == Op::Loop) bind(field, t.loop_pos);
    else add_patch(t, field);
  }
  // A branch back to a loop header uses the metered "...Loop" form of its
  // instruction: it checks for an interrupt and charges the loop body's
  // first block, then jumps past that block's Fuel instruction (which only
  // the fallthrough entry executes). Without metering or tier-up (which
  // counts back edges there), plain branches.
  bool is_metered_back_edge(const Ctrl& t) const {
    return t.kind == Op::Loop && (options_.fuel || options_.interrupt_checks || options_.count_back_edges);
  }
  // Moves the label values into place and jumps (or returns).
  void emit_branch(Ctrl& t) {
    if (t.is_function) {
      emit_return();
      return;
    }
    const ValType* types;
    uint32_t n = label_arity(t, types);
    uint32_t cell = t.base;
    for (size_t i = stack_.size() - n; i < stack_.size(); ++i) {
      emit_copy(cell, stack_[i].src, stack_[i].type);
      cell += cell_count(stack_[i].type);
    }
    const bool back = is_metered_back_edge(t);
    // A one-cell copy just before (a label value, a local.set) joins the
    // branch: one dispatch instead of two.
    uint32_t copy_dst = 0, copy_src = 0;
    uint64_t const_bits = 0;
    const bool with_copy = take_last_copy(copy_dst, copy_src);
    const bool with_const = !with_copy && take_last_const(copy_dst, const_bits);
    if (with_copy) {
      emit(!back ? IrOp::CopyBr : options_.fuel ? IrOp::CopyBrLoop : IrOp::CopyBrLoopI);
      emit_cell(copy_dst);
      emit_cell(copy_src);
    } else if (with_const) {
      emit(!back ? IrOp::ConstBr : options_.fuel ? IrOp::ConstBrLoop : IrOp::ConstBrLoopI);
      emit_cell(copy_dst);
      emit_u(static_cast<uint32_t>(const_bits));
      emit_u(static_cast<uint32_t>(const_bits >> 32));
    } else {
      emit(!back ? IrOp::Br : options_.fuel ? IrOp::BrLoop : IrOp::BrLoopI);
    }
    const uint32_t field = emit_rel();
    target_field(t, field);
    if (back && options_.fuel) emit_u(t.loop_fuel);
    // Jump threading: a back edge that has just set the local the loop
    // header's br_table dispatches on, to a constant, goes straight to that
    // br_table arm's target (bound in translate(), when every arm is). The
    // local holds the same value, the back edge still checks interrupts and
    // charges the loop's first block, which the br_table ends; so nothing
    // observable changes but the skipped dispatch. Go jumps this way to
    // every resume point of a function.
    const bool copies_frame_constant = with_copy && copy_src >= num_local_cells_ && copy_src < kStackFlag;
    if (t.kind == Op::Loop && t.dispatch_pos != kNone && (copies_frame_constant || with_const) &&
        copy_dst == t.dispatch_local) {
      const uint32_t k = static_cast<uint32_t>(with_const ? const_bits : (*consts_)[copy_src - num_local_cells_]);
      const uint32_t n = (*code_)[t.dispatch_pos + kHandlerUnits + 1];
      threads_.push_back({field, t.dispatch_pos + kHandlerUnits + 2 + (k < n ? k : n)});
    }
  }
  // How a br_if without moves is emitted (see the IrOp comments in ir.h).
  enum class BrIfForm { Plain, LoopI, F, LoopF };
  void emit_return();
  void set_dead() { dead_ = true; }
  void pre(const Instr& in);

  void on_local_set(const Instr& in, bool tee, ValType t);
  uint32_t try_fused_branch(const Slot& cond, bool when, BrIfForm form = BrIfForm::Plain);
  void emit_generic(const Instr& in);

  const ModuleDesc& module_;
  const TranslateOptions& options_;
  const void* const* handlers_;

  // Per function.
  std::vector<Unit>* code_ = nullptr;
  std::vector<Cell>* consts_ = nullptr;
  std::vector<Unit> code_scratch_;
  std::vector<Cell> consts_scratch_;
  // The walk over the body, kept from one function to the next: its stacks
  // keep their memory (decode() starts over), so a module of many small
  // functions does not allocate them again for each.
  std::unique_ptr<BodyDecoder<Translator, false>> decoder_;
  const FuncSideTable* side_ = nullptr;
  const FuncType* type_ = nullptr;
  uint32_t num_param_cells_ = 0;
  uint32_t num_local_cells_ = 0;
  uint32_t num_result_cells_ = 0;
  uint32_t max_stack_cells_ = 0;
  struct Run {
    uint32_t first_index, first_cell, width;
  };
  std::vector<Run> runs_;
  std::vector<uint32_t> local_cells_;
  std::vector<Slot> stack_;
  std::vector<Ctrl> ctrl_;
  uint32_t loop_depth_ = 0;  // loops among ctrl_ (frame_constant_fits)
  struct Patch {
    uint32_t field, next;
  };
  std::vector<Patch> patches_;
  std::vector<uint32_t> fixups_;
  std::unordered_map<uint64_t, uint32_t> const_map_;
  std::vector<uint64_t> pending_consts_;
  struct TableStub {
    uint32_t field, depth;
  };
  std::vector<TableStub> stubs_;
  bool dead_ = false;
  CompiledFunc* out_ = nullptr;
  size_t next_leader_ = 0;
  uint32_t barrier_ = kNone;
  uint32_t last_dst_field_ = kNone, last_dst_cell_ = kNone, last_end_ = kNone;
  bool failed_ = false;
  // The last emitted fusable condition (see try_fused_branch).
  uint32_t cond_start_ = kNone, cond_end_ = kNone;
  Op cond_op_ = Op::Nop;
  uint32_t cond_srcs_[2] = {0, 0};
  // The i32.add emitted directly before that condition, if any.
  uint32_t add_start_ = kNone;
  uint32_t add_srcs_[2] = {0, 0};
  // The position of the last Const (emit_const), for take_last_const.
  uint32_t last_const_ = kNone;
  // The position of the last one-cell Copy and its cells (see emit_copy).
  uint32_t last_copy_ = kNone;
  uint32_t last_copy_dst_ = 0, last_copy_src_ = 0;
  // Threaded back edges (see emit_branch): the branch's offset field and
  // the br_table arm field whose target it takes.
  struct Thread {
    uint32_t field, arm;
  };
  std::vector<Thread> threads_;
  // The last emitted i32.add / i32.sub (for I32AddGlobalSet): its position,
  // end and the cell that now holds its result (a local after local.tee).
  uint32_t gset_start_ = kNone, gset_end_ = kNone, gset_dst_ = kNone;
  // The last emitted one-cell global.get (for GlobalGetBrIf).
  uint32_t gget_start_ = kNone, gget_end_ = kNone;
  // The last emitted i64.extend_i32_u: position, end, operand, result cell.
  uint32_t ext_start_ = kNone, ext_end_ = kNone, ext_src_ = 0, ext_dst_ = 0;
  // The last emitted i64.add as an address sum: where its code starts (at
  // the extend it absorbs, if any), its end, the add's own position and
  // the two sources whose low 32 bits sum to the address.
  uint32_t sum64_start_ = kNone, sum64_end_ = kNone, sum64_add_ = kNone;
  uint32_t sum64_srcs_[2] = {0, 0};
  // End of the last emitted op with an i32 result written by its handler
  // (zero-extended; see "Cell encoding" in ir.h).
  uint32_t i32_result_end_ = kNone;
  // The last emitted op that may start a fused pair (ir.h), if it is the
  // last instruction.
  uint32_t pair_start_ = kNone, pair_end_ = kNone;
  Op pair_op_ = Op::Nop;
  uint32_t pair_srcs_[2] = {0, 0};
};

bool Translator::translate(uint32_t defined_index, CompiledFunc& out, Error& error) {
  const uint32_t func_index = module_.num_imported_funcs + defined_index;
  const FuncBody& body = module_.code[defined_index];
  type_ = &module_.func_type(func_index);
  side_ = &module_.side_tables[defined_index];
  out = CompiledFunc{};
  out.func_index = func_index;
  out.check_interrupt = options_.interrupt_checks;
  out.fuel = options_.fuel;
  out_ = &out;
  // Emitted into reused scratch buffers, then copied out at their exact
  // size: one allocation per function and nothing freed (a module of a
  // million functions otherwise churns hundreds of MB through the
  // allocator, and through ASan's quarantine).
  code_scratch_.clear();
  consts_scratch_.clear();
  code_ = &code_scratch_;
  consts_ = &consts_scratch_;

  // Locals layout.
  runs_.clear();
  local_cells_.clear();
  uint64_t cell = 0;
  uint32_t index = 0;
  for (ValType t : type_->params) {
    runs_.push_back(Run{index++, static_cast<uint32_t>(cell), cell_count(t)});
    cell += cell_count(t);
  }
  num_param_cells_ = static_cast<uint32_t>(cell);
  for (const LocalRun& r : body.locals) {
    if (r.count == 0) continue;
    if (cell >= kMaxFrameCells) break;
    runs_.push_back(Run{index, static_cast<uint32_t>(cell), cell_count(r.type)});
    index += r.count;
    cell += uint64_t{r.count} * cell_count(r.type);
  }
  num_result_cells_ = cell_count(type_->results);
  out.num_param_cells = num_param_cells_;
  out.num_result_cells = num_result_cells_;
  uint64_t stack_bound = uint64_t{side_->max_stack_height} * 2 + num_result_cells_;
  if (cell + stack_bound >= kMaxFrameCells) {
    // Unrunnable: the frame never fits, so every call traps before entry.
    out.num_local_cells = num_param_cells_;
    out.frame_cells = cell + stack_bound + kMaxFrameCells;
    emit(IrOp::Unreachable);
    out.code.assign(code_scratch_.begin(), code_scratch_.end());
    return true;
  }
  num_local_cells_ = static_cast<uint32_t>(cell);
  out.num_local_cells = num_local_cells_;
  if (index <= 65536) {
    local_cells_.resize(index);
    for (size_t r = 0; r < runs_.size(); ++r) {
      uint32_t end = r + 1 < runs_.size() ? runs_[r + 1].first_index : index;
      for (uint32_t i = runs_[r].first_index; i < end; ++i)
        local_cells_[i] = runs_[r].first_cell + (i - runs_[r].first_index) * runs_[r].width;
    }
  }

  stack_.clear();
  ctrl_.clear();
  loop_depth_ = 0;
  patches_.clear();
  fixups_.clear();
  const_map_.clear();
  pending_consts_.clear();
  max_stack_cells_ = num_result_cells_;
  dead_ = false;
  next_leader_ = 0;
  barrier_ = kNone;
  last_dst_field_ = last_dst_cell_ = last_end_ = kNone;
  cond_start_ = kNone;
  add_start_ = kNone;
  last_copy_ = kNone;
  last_const_ = kNone;
  threads_.clear();
  gset_start_ = kNone;
  gget_start_ = gget_end_ = kNone;
  ext_start_ = ext_end_ = kNone;
  sum64_start_ = sum64_end_ = kNone;
  i32_result_end_ = kNone;
  pair_start_ = kNone;
  failed_ = false;

  BlockSig fsig;
  fsig.results = type_->results.data();
  fsig.num_results = static_cast<uint32_t>(type_->results.size());
  Ctrl& f = push_ctrl(Op::Block, fsig, true);
  f.is_function = true;

  if (!decoder_) decoder_ = std::make_unique<BodyDecoder<Translator, false>>(module_, *this);
  BodyDecoder<Translator, false>& decoder = *decoder_;
  // The non-validating walk only reads the side table.
  if (!decoder.decode(defined_index, *side_)) {
    error = decoder.take_error();
    return false;
  }
  if (failed_) {
    error = Error{Phase::Invalid, "interpreter translation: operand stack out of sync", body.code_begin, 0, 0};
    return false;
  }
  for (const Thread& t : threads_)
    bind(t.field, t.arm + static_cast<uint32_t>(static_cast<int32_t>((*code_)[t.arm])));
  uint32_t stack_base = num_local_cells_ + static_cast<uint32_t>(consts_->size());
  for (uint32_t pos : fixups_) (*code_)[pos] += stack_base;
  out.frame_cells = uint64_t{stack_base} + max_stack_cells_;
  out.code.assign(code_scratch_.begin(), code_scratch_.end());
  const uint32_t zero_cells = num_local_cells_ - num_param_cells_;
  if (zero_cells <= CompiledFunc::kMaxInlineZeroCells) {
    out.init_cell = num_param_cells_;
    out.frame_init.reserve(zero_cells + consts_scratch_.size());
    out.frame_init.assign(zero_cells, Cell{0});
  } else {
    out.init_cell = num_local_cells_;
  }
  out.frame_init.insert(out.frame_init.end(), consts_scratch_.begin(), consts_scratch_.end());
  return true;
}

// Charges fuel at basic-block leaders. The function's first block is
// charged by the call itself (CompiledFunc::entry_fuel: nothing branches to
// a function's first instruction), a loop body's first block by
// on_block_begin, every other block by a Fuel instruction placed before the
// leader's code, where all of its entries (fallthrough and branches) pass.
void Translator::pre(const Instr& in) {
  if (!options_.fuel) return;
  const auto& blocks = side_->blocks;
  while (next_leader_ < blocks.size() && blocks[next_leader_].offset <= in.offset) {
    const BasicBlockStart& leader = blocks[next_leader_];
    if (leader.offset == in.offset && !dead_) {
      if (next_leader_ == 0) {
        out_->entry_fuel = leader.fuel;
      } else if (leader.fuel != 0) {
        emit(IrOp::Fuel);
        emit_u(leader.fuel);
      }
    }
    ++next_leader_;
  }
}

void Translator::emit_return() {
  uint32_t n = static_cast<uint32_t>(type_->results.size());
  // Results go to cells [0, num_result_cells). A pending source inside that
  // range could be overwritten by an earlier move: then stage every result
  // in its home first (homes are above all targets, so moving down in
  // order is safe).
  uint32_t cell = 0;
  bool hazard = false;
  for (size_t i = stack_.size() - n; i < stack_.size(); ++i) {
    const Slot& s = stack_[i];
    if (s.src != s.home && s.src != cell && s.src < num_result_cells_) hazard = true;
    cell += cell_count(s.type);
  }
  // Staging must not change the virtual stack: this may be a conditional
  // path (br_if, a br_table arm) whose fallthrough does not run the copies.
  if (hazard) {
    for (size_t i = stack_.size() - n; i < stack_.size(); ++i) emit_copy(stack_[i].home, stack_[i].src, stack_[i].type);
  }
  cell = 0;
  for (size_t i = stack_.size() - n; i < stack_.size(); ++i) {
    emit_copy(cell, hazard ? stack_[i].home : stack_[i].src, stack_[i].type);
    cell += cell_count(stack_[i].type);
  }
  // The last result's move joins the return (Go returns a constant 0).
  uint32_t dst = 0, src = 0;
  if (take_last_copy(dst, src)) {
    emit(IrOp::CopyReturn);
    emit_cell(dst);
    emit_cell(src);
    return;
  }
  emit(IrOp::Return);
}

void Translator::on_local_set(const Instr& in, bool tee, ValType t) {
  uint32_t cell = local_cell(in.index);
  // Pending reads of this local must see the old value.
  for (size_t i = 0; i + 1 < stack_.size(); ++i)
    if (stack_[i].src == cell) materialize(stack_[i]);
  Slot v = pop();
  if (v.src == cell) {
    // local.set of its own value: nothing to do.
  } else if (v.src == v.home && last_end_ == here() && barrier_ != here() && last_dst_cell_ == v.home) {
    // Retarget the producing instruction's result to the local.
    (*code_)[last_dst_field_] = cell;
    if (gset_start_ != kNone && last_dst_field_ == gset_start_ + kHandlerUnits + 2) gset_dst_ = cell;
    for (size_t i = fixups_.size(); i-- > 0;) {
      if (fixups_[i] == last_dst_field_) {
        fixups_.erase(fixups_.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      }
    }
    last_end_ = kNone;
  } else {
    emit_copy(cell, v.src, t);
  }
  if (tee) push_pending(t, cell);
}

void Translator::emit_generic(const Instr& in) {
  const Op op = in.op;
  const std::string_view params = op_params(op);
  const std::string_view results = op_results(op);
  const ImmKind imm = kOpImm[static_cast<size_t>(op)];
  const size_t np = params.size();
  uint32_t srcs[3] = {0, 0, 0};
  for (size_t i = 0; i < np; ++i) {
    Slot& s = stack_[stack_.size() - np + i];
    if (is_pending_const(s.src) && !frame_constant_fits()) {
      emit_const(s.home, pending_const_bits(s.src));
      s.src = s.home;
    }
    srcs[i] = s.src;
  }
  // An address computed by the i32.add just emitted is folded into the
  // access (the add's result cell is this access's operand and dead after
  // it; nothing was emitted in between, so both still read the same cells).
  // Likewise an i64.add wrapped to the address (Go's `SP + 8` and
  // friends): the low 32 bits of a 64-bit sum are the 32-bit sum of the
  // operands' low halves, which is what the address-sum form computes.
  bool sum_address = false;
  uint32_t sum_start = kNone, sum_srcs[2] = {0, 0};
  if (imm == ImmKind::MemArg && last_end_ == here() && barrier_ != here()) {
    const Slot& addr = stack_[stack_.size() - np];
    const bool fresh = addr.src == addr.home && last_dst_cell_ == addr.home;
    if (fresh && cond_start_ != kNone && cond_op_ == Op::I32Add && cond_end_ == here()) {
      sum_start = cond_start_;
      sum_srcs[0] = cond_srcs_[0];
      sum_srcs[1] = cond_srcs_[1];
    } else if (fresh && sum64_start_ != kNone && sum64_end_ == here() && handler_is(sum64_add_, handler_index(Op::I64Add))) {
      sum_start = sum64_start_;
      sum_srcs[0] = sum64_srcs_[0];
      sum_srcs[1] = sum64_srcs_[1];
    }
    sum_address = sum_start != kNone;
  }
  // The result of the arithmetic op just emitted, consumed here as either
  // operand (and dead after: operand-stack cells are read once), joins
  // this op in one fused pair; nothing was emitted in between, so the
  // first op's operands still hold the same values.
  uint32_t pair = kNoFusedPair;
  uint32_t pair_other = 0;
  if (np == 2 && pair_start_ != kNone && pair_end_ == here() && last_end_ == here() && barrier_ != here()) {
    const Slot& lhs = stack_[stack_.size() - 2];
    const Slot& rhs = stack_[stack_.size() - 1];
    if (lhs.src == lhs.home && lhs.home == last_dst_cell_) {
      pair = find_fused_pair(pair_op_, op, kPairLeft);
      pair_other = rhs.src;
    } else if (rhs.src == rhs.home && rhs.home == last_dst_cell_) {
      pair = find_fused_pair(pair_op_, op, kPairRight);
      pair_other = lhs.src;
    }
  }
  if (pair != kNoFusedPair) {
    stack_.resize(stack_.size() - 2);
    truncate_code(pair_start_);
    emit_handler(fused_pair_index(pair));
    emit_cell(pair_srcs_[0]);
    emit_cell(pair_srcs_[1]);
    emit_cell(pair_other);
    Slot& r = push(body_detail::letter_type(results[0]));
    note_result(here(), r.home);
    emit_cell(r.home);
    last_end_ = here();
    pair_start_ = cond_start_ = kNone;
    gset_start_ = sum64_start_ = kNone;
    i32_result_end_ = results[0] == 'i' ? here() : kNone;
    return;
  }
  stack_.resize(stack_.size() - np);
  if (sum_address) {
    truncate_code(sum_start);
  }
  const uint32_t start = here();
  if (sum_address) {
    emit_handler(address_sum_index(op));
    emit_cell(sum_srcs[0]);
    emit_cell(sum_srcs[1]);
  } else {
    emit(op);
    if (np != 0) emit_cell(srcs[0]);
  }
  for (size_t i = 1; i < np; ++i) emit_cell(srcs[i]);
  if (!results.empty()) {
    Slot& r = push(body_detail::letter_type(results[0]));
    note_result(here(), r.home);
    emit_cell(r.home);
    last_end_ = kNone;  // set again below once the immediates are emitted
  }
  switch (imm) {
    case ImmKind::MemArg:
      emit_u(static_cast<uint32_t>(in.mem.offset));
      break;
    case ImmKind::MemArgLane:
      emit_u(static_cast<uint32_t>(in.mem.offset));
      emit_u(in.lane);
      break;
    case ImmKind::Lane:
      emit_u(in.lane);
      break;
    case ImmKind::Shuffle: {
      Unit lanes[4];
      std::memcpy(lanes, in.v128, 16);
      for (Unit u : lanes) emit_u(u);
      break;
    }
    default:
      break;
  }
  if (!results.empty()) last_end_ = here();
  i32_result_end_ = !results.empty() && results[0] == 'i' ? here() : kNone;
  if (op == Op::I64ExtendI32U) {
    ext_start_ = start;
    ext_end_ = here();
    ext_src_ = srcs[0];
    ext_dst_ = stack_.back().home;
  }
  if (op == Op::I64Add) {
    sum64_start_ = start;
    sum64_end_ = here();
    sum64_add_ = start;
    sum64_srcs_[0] = srcs[0];
    sum64_srcs_[1] = srcs[1];
    // An operand widened by the i64.extend_i32_u just before (no label in
    // between): as an address only its low 32 bits count, which the
    // narrow value has, so the sum form can drop the extend too.
    if (ext_end_ == start && barrier_ != start && handler_is(ext_start_, handler_index(Op::I64ExtendI32U))) {
      const int side = srcs[0] == ext_dst_ ? 0 : srcs[1] == ext_dst_ ? 1 : -1;
      if (side >= 0) {
        sum64_start_ = ext_start_;
        sum64_srcs_[side] = ext_src_;
      }
    }
  } else {
    sum64_start_ = kNone;
  }
  if ((op == Op::I32Add || op == Op::I32Sub) && !sum_address) {
    gset_start_ = start;
    gset_end_ = here();
    gset_dst_ = stack_.back().home;
  } else {
    gset_start_ = kNone;
  }
  if (is_fused_pair_first(op)) {
    pair_start_ = start;
    pair_end_ = here();
    pair_op_ = op;
    pair_srcs_[0] = srcs[0];
    pair_srcs_[1] = srcs[1];
  } else {
    pair_start_ = kNone;
  }
  if (is_fusable_condition(op)) {
    // An i32.add directly before this comparison may join it (see
    // try_fused_branch).
    const bool after_add = cond_start_ != kNone && cond_op_ == Op::I32Add && cond_end_ == start;
    add_start_ = after_add ? cond_start_ : kNone;
    add_srcs_[0] = cond_srcs_[0];
    add_srcs_[1] = cond_srcs_[1];
    cond_start_ = start;
    cond_end_ = here();
    cond_op_ = op;
    cond_srcs_[0] = srcs[0];
    cond_srcs_[1] = srcs[1];
  } else {
    cond_start_ = kNone;
  }
}

// If `cond` was produced by the instruction just emitted and that is a
// fusable condition, removes it and emits the fused compare-and-branch
// (jumping when the condition is `when`); returns the offset field, or
// kNone when no fusion applies.
uint32_t Translator::try_fused_branch(const Slot& cond, bool when, BrIfForm form) {
  if (cond_start_ == kNone || cond.src != cond.home || last_end_ != here() || barrier_ == here() ||
      last_dst_cell_ != cond.home || cond_end_ != here())
    return kNone;
  const Op op = cond_op_;
  const size_t np = op_params(op).size();
  // `local = a + b` just before a comparison of that local: one
  // add-and-compare instruction (the loop step and test). The add must
  // write a local (not an operand-stack cell, whose fixup would show in
  // fixups_) and no label may sit between the two.
  if (add_start_ != kNone && is_add_fusable_compare(op) && barrier_ != cond_start_) {
    const uint32_t dst_field = add_start_ + kHandlerUnits + 2;
    const uint32_t dst = (*code_)[dst_field];
    const bool dst_is_local = std::find(fixups_.begin(), fixups_.end(), dst_field) == fixups_.end();
    if (dst_is_local && cond_srcs_[0] == dst) {
      truncate_code(add_start_);
      cond_start_ = add_start_ = kNone;
      last_end_ = kNone;
      static constexpr uint32_t kFormIndex[] = {0, 2, 3, 4};
      emit_handler(add_branch_index(form == BrIfForm::Plain && !when ? 1 : kFormIndex[static_cast<int>(form)], op));
      emit_cell(add_srcs_[0]);
      emit_cell(add_srcs_[1]);
      emit_cell(dst);
      emit_cell(cond_srcs_[1]);
      return emit_rel();
    }
  }
  truncate_code(cond_start_);
  cond_start_ = kNone;
  last_end_ = kNone;
  switch (form) {
    case BrIfForm::Plain: emit_handler(when ? branch_if_true_index(op) : branch_if_false_index(op)); break;
    case BrIfForm::LoopI: emit_handler(branch_if_true_loop_irq_index(op)); break;
    case BrIfForm::F: emit_handler(branch_if_true_fuel_index(op)); break;
    case BrIfForm::LoopF: emit_handler(branch_if_true_loop_fuel_index(op)); break;
  }
  for (size_t i = 0; i < np; ++i) emit_cell(cond_srcs_[i]);
  return emit_rel();
}

void Translator::on_instr(const Instr& in, const InstrContext& ctx) {
  pre(in);
  if (dead_) return;
  if (ctx.height != stack_.size()) failed_ = true;
  if (failed_) return;
  switch (in.op) {
    case Op::Unreachable:
      emit(IrOp::Unreachable);
      set_dead();
      return;
    case Op::Nop:
      return;
    case Op::Call:
    case Op::CallIndirect: {
      const FuncType& ft =
          in.op == Op::Call ? module_.func_type(in.index) : module_.types[in.index];
      uint32_t index_src = 0;
      if (in.op == Op::CallIndirect) index_src = pop().src;
      uint32_t n = static_cast<uint32_t>(ft.params.size());
      materialize_top(n);
      uint32_t arg_base = n ? stack_[stack_.size() - n].home : next_home();
      uint32_t copy_dst = 0, copy_src = 0;
      if (in.op == Op::Call && take_last_copy(copy_dst, copy_src)) {
        // The last argument's move joins the call (Go passes a constant
        // resume point to every callee).
        emit(IrOp::CopyCall);
        emit_cell(copy_dst);
        emit_cell(copy_src);
        emit_u(in.index);
        emit_cell(arg_base);
      } else if (in.op == Op::Call) {
        emit(IrOp::Call);
        emit_u(in.index);
        emit_cell(arg_base);
      } else {
        emit(IrOp::CallIndirect);
        emit_u(in.index);
        emit_u(in.index2);
        emit_cell(arg_base);
        emit_cell(index_src);
      }
      stack_.resize(stack_.size() - n);
      for (ValType t : ft.results) push(t);
      // The callee's frame starts at arg_base; make sure the caller's frame
      // accounts for the result cells.
      return;
    }
    case Op::Drop:
      pop();
      return;
    case Op::Select:
    case Op::SelectT: {
      Slot c = pop(), b = pop(), a = pop();
      Slot& r = push(a.type);
      emit(cell_count(a.type) == 2 ? IrOp::Select2 : IrOp::Select);
      note_result(here(), r.home);
      emit_cell(r.home);
      emit_cell(a.src);
      emit_cell(b.src);
      emit_cell(c.src);
      last_end_ = here();
      return;
    }
    case Op::LocalGet:
      push_pending(ctx.operand, local_cell(in.index));
      return;
    case Op::I32WrapI64: {
      // No code: every reader of an i32 cell uses only its low 32 bits (see
      // "Cell encoding" in ir.h), so the i64 cell already holds the result.
      // Go's code wraps before nearly every memory access.
      Slot v = pop();
      push_pending(ValType::I32, v.src);
      return;
    }
    case Op::I32Eqz:
    case Op::I64Eqz: {
      // eqz of the 0/1 result of the comparison (or eqz) just emitted: the
      // opposite comparison instead, one op (Go's `if !(a < b)`, and its
      // `x != 0` as eqz(eqz(x))). Its operands still hold the same values:
      // nothing was emitted after it.
      const Slot& v = stack_.back();
      const Op inverse = cond_start_ != kNone ? inverted_test(cond_op_) : Op::Nop;
      if (inverse != Op::Nop && cond_end_ == here() && last_end_ == here() && barrier_ != here() &&
          v.src == v.home && v.home == last_dst_cell_) {
        const bool of_eqz = cond_op_ == Op::I32Eqz || cond_op_ == Op::I64Eqz;
        const ValType t = body_detail::letter_type(op_params(cond_op_)[0]);
        const uint32_t a = cond_srcs_[0];
        const uint32_t b = of_eqz ? const_cell(0) : cond_srcs_[1];
        pop();
        truncate_code(cond_start_);
        cond_start_ = add_start_ = pair_start_ = gset_start_ = sum64_start_ = kNone;
        last_end_ = i32_result_end_ = kNone;
        push_pending(t, a);
        push_pending(t, b);
        Instr inverted = in;
        inverted.op = inverse;
        emit_generic(inverted);
        return;
      }
      break;  // emitted as a generic op
    }
    case Op::I64ExtendI32U: {
      // No code when the operand is the result the op just emitted wrote:
      // that handler stored it zero-extended (Go widens every comparison
      // result this way).
      const Slot& v = stack_.back();
      if (i32_result_end_ == here() && last_end_ == here() && barrier_ != here() && v.src == v.home &&
          v.home == last_dst_cell_) {
        const uint32_t src = pop().src;
        push_pending(ValType::I64, src);
        pair_start_ = kNone;
        return;
      }
      break;  // emitted as a generic op
    }
    case Op::LocalSet:
      on_local_set(in, false, ctx.operand);
      return;
    case Op::LocalTee:
      on_local_set(in, true, ctx.operand);
      return;
    case Op::GlobalGet: {
      Slot& r = push(ctx.operand);
      gget_start_ = here();
      emit(cell_count(ctx.operand) == 2 ? IrOp::GlobalGet2 : IrOp::GlobalGet);
      note_result(here(), r.home);
      emit_cell(r.home);
      emit_u(in.index);
      last_end_ = here();
      gget_end_ = here();
      return;
    }
    case Op::GlobalSet: {
      Slot v = pop();
      if (gset_start_ != kNone && gset_end_ == here() && barrier_ != here() && v.src == gset_dst_) {
        // `local.tee $sp (i32.sub (local.get $sp) (i32.const N))` then
        // `global.set $sp`: the store joins the subtraction.
        const bool is_add = handler_is(gset_start_, handler_index(Op::I32Add));
        if (is_add || handler_is(gset_start_, handler_index(Op::I32Sub))) {
          set_handler(gset_start_, handler_index(is_add ? IrOp::I32AddGlobalSet : IrOp::I32SubGlobalSet));
          emit_u(in.index);
          gset_start_ = pair_start_ = cond_start_ = add_start_ = kNone;
          last_end_ = kNone;
          return;
        }
      }
      emit(cell_count(v.type) == 2 ? IrOp::GlobalSet2 : IrOp::GlobalSet);
      emit_u(in.index);
      emit_cell(v.src);
      return;
    }
    case Op::TableGet: {
      Slot i = pop();
      Slot& r = push(ctx.operand);
      emit(IrOp::TableGet);
      note_result(here(), r.home);
      emit_cell(r.home);
      emit_u(in.index);
      emit_cell(i.src);
      last_end_ = here();
      return;
    }
    case Op::TableSet: {
      Slot v = pop(), i = pop();
      emit(IrOp::TableSet);
      emit_u(in.index);
      emit_cell(i.src);
      emit_cell(v.src);
      return;
    }
    case Op::TableSize: {
      Slot& r = push(ValType::I32);
      emit(IrOp::TableSize);
      emit_cell(r.home);
      emit_u(in.index);
      return;
    }
    case Op::TableGrow: {
      Slot delta = pop(), init = pop();
      Slot& r = push(ValType::I32);
      emit(IrOp::TableGrow);
      emit_cell(r.home);
      emit_u(in.index);
      emit_cell(init.src);
      emit_cell(delta.src);
      return;
    }
    case Op::TableFill: {
      Slot n = pop(), v = pop(), i = pop();
      emit(IrOp::TableFill);
      emit_u(in.index);
      emit_cell(i.src);
      emit_cell(v.src);
      emit_cell(n.src);
      return;
    }
    case Op::TableCopy:
    case Op::TableInit: {
      Slot n = pop(), s = pop(), d = pop();
      if (in.op == Op::TableCopy) {
        emit(IrOp::TableCopy);
        emit_u(in.index);   // destination table
        emit_u(in.index2);  // source table
      } else {
        emit(IrOp::TableInit);
        emit_u(in.index2);  // table
        emit_u(in.index);   // element segment
      }
      emit_cell(d.src);
      emit_cell(s.src);
      emit_cell(n.src);
      return;
    }
    case Op::ElemDrop:
      emit(IrOp::ElemDrop);
      emit_u(in.index);
      return;
    case Op::MemorySize: {
      Slot& r = push(ValType::I32);
      emit(IrOp::MemorySize);
      emit_cell(r.home);
      return;
    }
    case Op::MemoryGrow: {
      Slot d = pop();
      Slot& r = push(ValType::I32);
      emit(IrOp::MemoryGrow);
      emit_cell(r.home);
      emit_cell(d.src);
      return;
    }
    case Op::MemoryFill:
    case Op::MemoryCopy:
    case Op::MemoryInit: {
      Slot n = pop(), s = pop(), d = pop();
      if (in.op == Op::MemoryInit) {
        emit(IrOp::MemoryInit);
        emit_u(in.index);
      } else {
        emit(in.op == Op::MemoryFill ? IrOp::MemoryFill : IrOp::MemoryCopy);
      }
      emit_cell(d.src);
      emit_cell(s.src);
      emit_cell(n.src);
      return;
    }
    case Op::DataDrop:
      emit(IrOp::DataDrop);
      emit_u(in.index);
      return;
    case Op::RefNull:
      push_pending(in.ref_type, const_cell(0));
      return;
    case Op::RefIsNull: {
      Slot v = pop();
      Slot& r = push(ValType::I32);
      emit(Op::I64Eqz);  // a null reference is the all-zero cell
      emit_cell(v.src);
      note_result(here(), r.home);
      emit_cell(r.home);
      last_end_ = here();
      return;
    }
    case Op::RefFunc: {
      Slot& r = push(ValType::FuncRef);
      emit(IrOp::RefFunc);
      note_result(here(), r.home);
      emit_cell(r.home);
      emit_u(in.index);
      last_end_ = here();
      return;
    }
    case Op::I32Const:
      push_const(ValType::I32, static_cast<uint32_t>(in.bits));
      return;
    case Op::I64Const:
      push_const(ValType::I64, in.bits);
      return;
    case Op::F32Const:
      push_const(ValType::F32, static_cast<uint32_t>(in.bits));
      return;
    case Op::F64Const:
      push_const(ValType::F64, in.bits);
      return;
    case Op::V128Const: {
      uint64_t lo, hi;
      std::memcpy(&lo, in.v128, 8);
      std::memcpy(&hi, in.v128 + 8, 8);
      push_pending(ValType::V128, const_cell2(lo, hi));
      return;
    }
    default:
      break;
  }
  if (is_computed_op(in.op) || is_memory_access_op(in.op)) {
    emit_generic(in);
    return;
  }
  failed_ = true;  // an instruction the translator does not know
}

void Translator::on_block_begin(const Instr& in, const BlockSig& sig, const InstrContext& ctx) {
  pre(in);
  if (dead_ || failed_) {
    push_ctrl(in.op, sig, false);
    return;
  }
  if (ctx.height != stack_.size()) failed_ = true;
  materialize_all();
  Ctrl& c = push_ctrl(in.op, sig, true);
  if (in.op == Op::Loop) {
    // The loop body's first instruction is the next leader: charged here on
    // the fallthrough entry, by the back edges when they are taken.
    if (options_.fuel && next_leader_ < side_->blocks.size()) {
      c.loop_fuel = side_->blocks[next_leader_].fuel;
      ++next_leader_;
      if (c.loop_fuel != 0) {
        emit(IrOp::Fuel);
        emit_u(c.loop_fuel);
      }
    }
    mark_label();
    c.loop_pos = here();
  }
}

void Translator::on_if(const Instr& in, const BlockSig& sig, const BranchEntry&, const InstrContext& ctx) {
  pre(in);
  if (dead_ || failed_) {
    push_ctrl(Op::If, sig, false);
    return;
  }
  if (ctx.height != stack_.size()) failed_ = true;
  Slot cond = pop();
  // Fusion is only possible when materializing emits nothing after the
  // condition (it would separate the two).
  bool all_in_place = true;
  for (const Slot& s : stack_) all_in_place = all_in_place && s.src == s.home;
  uint32_t field = all_in_place ? try_fused_branch(cond, false) : kNone;
  if (field == kNone) {
    materialize_all();
    emit(IrOp::BrUnless);
    emit_cell(cond.src);
    field = emit_rel();
  }
  Ctrl& c = push_ctrl(Op::If, sig, true);
  c.else_field = field;
}

void Translator::on_else(const Instr& in, const BranchEntry&, const InstrContext&) {
  pre(in);
  Ctrl& c = ctrl_.back();
  c.kind = Op::Else;
  if (!c.live_entry) return;  // the whole if is dead code
  if (!dead_) {
    materialize_top(c.sig.num_results);
    emit(IrOp::Br);
    add_patch(c, emit_rel());
  }
  mark_label();
  bind(c.else_field, here());
  c.else_field = kNone;
  reset_stack(c.height, c.sig.params, c.sig.num_params);
  dead_ = false;
}

void Translator::on_block_end(const Instr& in, const BlockSig&, bool is_function_end, const InstrContext&) {
  pre(in);
  Ctrl& c = ctrl_.back();
  if (is_function_end) {
    if (!dead_) emit_return();
    pop_ctrl();
    return;
  }
  if (!c.live_entry) {
    pop_ctrl();
    return;
  }
  if (!dead_) materialize_top(c.sig.num_results);
  mark_label();
  bind_patches(c, here());
  if (c.else_field != kNone) bind(c.else_field, here());
  uint32_t height = c.height;
  BlockSig sig = c.sig;
  pop_ctrl();
  reset_stack(height, sig.results, sig.num_results);
  dead_ = false;
}

void Translator::on_branch(const Instr& in, const BranchEntry*, uint32_t, const InstrContext& ctx) {
  pre(in);
  if (dead_ || failed_) return;
  if (ctx.height != stack_.size()) failed_ = true;
  switch (in.op) {
    case Op::Br:
      emit_branch(ctrl_[ctrl_.size() - 1 - in.index]);
      set_dead();
      return;
    case Op::Return:
      emit_return();
      set_dead();
      return;
    case Op::BrIf: {
      Slot cond = pop();
      Ctrl& t = ctrl_[ctrl_.size() - 1 - in.index];
      if (!branch_needs_moves(t)) {
        const bool back = is_metered_back_edge(t);
        // With fuel, the block after the br_if (a leader whose only entry is
        // this fallthrough) is charged by the br_if's not-taken path instead
        // of a Fuel instruction: one dispatch less per loop iteration.
        uint32_t fallthrough_fuel = 0;
        if (options_.fuel && next_leader_ < side_->blocks.size()) {
          fallthrough_fuel = side_->blocks[next_leader_].fuel;
          ++next_leader_;
        }
        const BrIfForm form = !options_.fuel ? (back ? BrIfForm::LoopI : BrIfForm::Plain)
                                             : (back ? BrIfForm::LoopF : BrIfForm::F);
        uint32_t field = try_fused_branch(cond, true, form);
        if (field == kNone && form == BrIfForm::Plain && gget_end_ == here() && barrier_ != here() &&
            handler_is(gget_start_, handler_index(IrOp::GlobalGet))) {
          // After every call Go reloads its stack pointer and then tests
          // the call's unwind flag: one dispatch for both.
          set_handler(gget_start_, handler_index(IrOp::GlobalGetBrIf));
          emit_cell(cond.src);
          field = emit_rel();
          last_end_ = kNone;
        }
        if (field == kNone) {
          static constexpr IrOp kPlainOps[] = {IrOp::BrIf, IrOp::BrIfLoopI, IrOp::BrIfF, IrOp::BrIfLoopF};
          emit(kPlainOps[static_cast<int>(form)]);
          emit_cell(cond.src);
          field = emit_rel();
        }
        target_field(t, field);
        if (form == BrIfForm::LoopF) emit_u(t.loop_fuel);
        if (options_.fuel) emit_u(fallthrough_fuel);
      } else {
        uint32_t skip = try_fused_branch(cond, false);
        if (skip == kNone) {
          emit(IrOp::BrUnless);
          emit_cell(cond.src);
          skip = emit_rel();
        }
        emit_branch(t);
        mark_label();
        bind(skip, here());
      }
      return;
    }
    case Op::BrTable: {
      Slot index = pop();
      uint32_t n = static_cast<uint32_t>(in.br_targets.size());
      if (index.src < num_local_cells_) {
        // The first instruction of the innermost loop's body (blocks emit
        // no code): back edges may be threaded past it (emit_branch).
        for (size_t i = ctrl_.size(); i-- > 0;) {
          if (ctrl_[i].kind != Op::Loop) continue;
          if (ctrl_[i].loop_pos == here() && barrier_ == here()) {
            ctrl_[i].dispatch_pos = here();
            ctrl_[i].dispatch_local = index.src;
          }
          break;
        }
      }
      emit(IrOp::BrTable);
      emit_cell(index.src);
      emit_u(n);
      stubs_.clear();
      for (uint32_t i = 0; i <= n; ++i) {
        uint32_t depth = i < n ? in.br_targets[i] : in.index;
        Ctrl& t = ctrl_[ctrl_.size() - 1 - depth];
        uint32_t field = emit_rel();
        // Metered back edges go through a stub's BrLoop, which carries the
        // loop's charge.
        if (!branch_needs_moves(t) && !is_metered_back_edge(t)) target_field(t, field);
        else stubs_.push_back({field, depth});
      }
      for (const TableStub& s : stubs_) {
        mark_label();
        bind(s.field, here());
        emit_branch(ctrl_[ctrl_.size() - 1 - s.depth]);
      }
      set_dead();
      return;
    }
    default:
      failed_ = true;
      return;
  }
}

}  // namespace

Result<std::vector<CompiledFunc>> translate_module(const ModuleDesc& module, const TranslateOptions& options) {
  std::vector<CompiledFunc> out(module.num_defined_funcs());
  if (module.side_tables.size() != module.code.size())
    return Error{Phase::Invalid, "interpreter translation needs a validated module", Error::kNoOffset, 0, 0};
  Translator translator(module, options);
  for (uint32_t i = 0; i < module.num_defined_funcs(); ++i) {
    Error error;
    if (!translator.translate(i, out[i], error)) return error;
    out[i].translation_state = kTranslated;
  }
  return out;
}

LazyTranslator::LazyTranslator(const ModuleDesc& module, const TranslateOptions& options)
    : module_(module), options_(options) {}

CompiledFunc LazyTranslator::untranslated_like(const CompiledFunc& f) const {
  CompiledFunc u;
  u.func_index = f.func_index;
  u.num_param_cells = f.num_param_cells;
  u.num_result_cells = f.num_result_cells;
  u.check_interrupt = options_.interrupt_checks;
  u.fuel = options_.fuel;
  u.frame_cells = CompiledFunc::kNotTranslated;
  u.translation_state = kNotTranslated;
  u.lazy = this;
  return u;
}

std::vector<CompiledFunc> LazyTranslator::untranslated_functions() const {
  std::vector<CompiledFunc> out(module_.num_defined_funcs());
  for (uint32_t i = 0; i < out.size(); ++i) {
    const uint32_t func_index = module_.num_imported_funcs + i;
    const FuncType& type = module_.func_type(func_index);
    CompiledFunc shape;
    shape.func_index = func_index;
    shape.num_param_cells = cell_count(type.params);
    shape.num_result_cells = cell_count(type.results);
    out[i] = untranslated_like(shape);
  }
  return out;
}

Result<void> LazyTranslator::translate(const CompiledFunc& f) const {
  std::atomic_ref state(f.translation_state);
  for (;;) {
    uint8_t seen = state.load(std::memory_order_acquire);
    if (seen == kTranslated) return ok();
    if (seen == kTranslating) {
      state.wait(kTranslating, std::memory_order_acquire);
      continue;
    }
    if (state.compare_exchange_weak(seen, kTranslating, std::memory_order_acq_rel)) break;
  }
  // This thread owns the translation until it stores the state again.
  Result<void> result = translate_now(f);
  state.store(result.ok() ? kTranslated : kNotTranslated, std::memory_order_release);
  state.notify_all();
  return result;
}

Result<void> LazyTranslator::translate_now(const CompiledFunc& f) const {
  const uint32_t defined = f.func_index - module_.num_imported_funcs;
  if (defined >= module_.num_defined_funcs() || module_.side_tables.size() != module_.code.size())
    return Error{Phase::Trap, "internal error: lazy translation of a function its module does not define"};
  CompiledFunc out;
  Error error;
  // Called from the interpreter's and the JIT's call paths, with guest
  // frames below: an allocation failure must come back as an error, not
  // unwind through them (machine code has no unwind tables).
  try {
    Translator translator(module_, options_);
    if (!translator.translate(defined, out, error)) {
      error.phase = Phase::Trap;
      error.message = "internal error: function " + std::to_string(f.func_index) +
                      " failed to translate: " + error.message;
      return error;
    }
  } catch (const std::bad_alloc&) {
    return Error{Phase::Trap, "out of host memory"};
  }
  // Only this thread writes these fields, and no thread reads them before
  // it sees the frame size stored below. The functions live in a vector
  // that is never itself const (the module is shared as const once built).
  CompiledFunc& target = const_cast<CompiledFunc&>(f);
  target.code = std::move(out.code);
  target.frame_init = std::move(out.frame_init);
  target.init_cell = out.init_cell;
  target.num_local_cells = out.num_local_cells;
  target.entry_fuel = out.entry_fuel;
  std::atomic_ref(target.frame_cells).store(out.frame_cells, std::memory_order_release);
  lazy_translation_count.fetch_add(1, std::memory_order_relaxed);
  return ok();
}

Result<void> LazyTranslator::translate_with_direct_callees(const std::vector<CompiledFunc>& funcs,
                                                           uint32_t defined) const {
  WASMRT_TRY(translate(funcs[defined]));
  // The callees are read from the body's bytes (the one immediate decoder),
  // which validation has checked: no need to walk the translated code.
  const FuncBody& body = module_.code[defined];
  Reader reader(module_.bytes.data() + body.code_begin, body.code_end - body.code_begin, body.code_begin);
  Instr in;
  while (!reader.at_end()) {
    if (!read_instruction(reader, in))
      return Error{Phase::Trap, "internal error: a validated body failed to decode"};
    if (in.op != Op::Call || in.index < module_.num_imported_funcs) continue;
    const uint32_t callee = in.index - module_.num_imported_funcs;
    if (callee < funcs.size() && funcs[callee].lazy != nullptr)
      WASMRT_TRY(funcs[callee].lazy->translate(funcs[callee]));
  }
  return ok();
}

uint64_t lazy_translations() { return lazy_translation_count.load(std::memory_order_relaxed); }

}  // namespace wasmrt::interp
