// The AArch64 baseline code generator's module compiler (jit/a64/compile.cc),
// declared here so that the optimizing tier's AArch64 lowering
// (jit/opt/a64/lower.cc) emits into the same module code and reuses its
// shared stubs (trampoline, call, return and poll stubs, trap exits), its
// helper calls and its fuel and back-edge sequences: a module compiled by
// the optimizing tier mixes optimized functions and baseline ones (those
// the optimizing tier leaves to the baseline) over one set of stubs. The
// counterpart of jit/x64/compiler.h, with the same public surface.
//
// (The namespaces are arm64, not a64, so that `a64::` keeps naming asmjit's
// AArch64 registers and instructions.)
#pragma once

#include <asmjit/arm.h>
#include <asmjit/arm/a64assembler.h>

#include <cstddef>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "jit/codegen.h"

namespace wasmrt::jit::arm64 {
class Compiler;
}  // namespace wasmrt::jit::arm64

namespace wasmrt::jit::opt::arm64 {
// The optimizing tier's AArch64 lowering of one function into `compiler`'s
// module code (jit/opt/a64/lower.cc). False, with nothing emitted, when it
// leaves the function to the baseline.
bool compile_function(jit::arm64::Compiler& compiler, const interp::CompiledFunc& cf, size_t* entry_offset);
}  // namespace wasmrt::jit::opt::arm64

namespace wasmrt::jit::arm64 {

namespace a64 = asmjit::a64;
namespace arm = asmjit::arm;
using arm::CondCode;
using asmjit::Label;
using namespace codegen;  // NOLINT: the shared vocabulary of both back ends

// AAPCS64 callee-saved registers, so C++ helpers keep them.
inline const a64::Gp kFp = a64::x19;
inline const a64::Gp kMemBase = a64::x20;
inline const a64::Gp kSt = a64::x21;
inline const a64::Gp kFuel = a64::x22;
inline const a64::Gp kGlobals = a64::x23;
// Scratch: x9-x12 (the baseline's values; the optimizing tier's scratch);
// x16 holds call targets and large fuel costs; x17 holds cell offsets too
// large for an immediate.
inline const a64::Gp kCallTarget = a64::x16;
inline const a64::Gp kOffset = a64::x17;

#define ST(field) arm::ptr(kSt, static_cast<int32_t>(offsetof(JitState, field)))
#define ST32(field) arm::ptr(kSt, static_cast<int32_t>(offsetof(JitState, field)))

// A function's machine code stays under this, so that every conditional
// branch inside it reaches (±1 MiB, less room for the out-of-line code).
inline constexpr size_t kMaxFunctionBytes = size_t{960} << 10;
// A unit of translated code becomes at most 20 bytes of baseline machine
// code (the worst: a 3-unit helper call that syncs fuel, 56 bytes; a fuel
// cost past 4095 takes two more instructions, but only a block of
// thousands of instructions has one), so a function of up to this many
// units always fits; a larger one is compiled once on the side to measure
// it (fits_branch_range), and stays on the interpreter if it does not fit.
inline constexpr size_t kUnitsThatAlwaysFit = kMaxFunctionBytes / 20;
// The optimizing tier's code per unit has no such small bound (a branch
// may write back several values and move a loop's pinned registers), but
// stays far below 240 bytes (60 instructions) per unit: a larger function
// is measured on the side first.
inline constexpr size_t kOptimizedUnitsThatAlwaysFit = kMaxFunctionBytes / 240;

inline a64::Gp sized(const a64::Gp& r, bool wide) { return wide ? a64::Gp(r.x()) : a64::Gp(r.w()); }

// The AArch64 condition of an integer comparison (after `cmp lhs, rhs`).
inline CondCode condition(Cond c) {
  switch (c) {
    case Cond::Eq: return CondCode::kEQ;
    case Cond::Ne: return CondCode::kNE;
    case Cond::LtS: return CondCode::kLT;
    case Cond::LtU: return CondCode::kLO;
    case Cond::GtS: return CondCode::kGT;
    case Cond::GtU: return CondCode::kHI;
    case Cond::LeS: return CondCode::kLE;
    case Cond::LeU: return CondCode::kLS;
    case Cond::GeS: return CondCode::kGE;
    case Cond::GeU: return CondCode::kHS;
  }
  return CondCode::kEQ;
}

// The condition of a float comparison after `fcmp lhs, rhs`: unordered
// sets NZCV to 0011, so every condition here is false on a NaN but Ne
// (and each negation, as a branch on false uses, true on a NaN).
inline CondCode float_condition(FKind k) {
  switch (k) {
    case FKind::Eq: return CondCode::kEQ;
    case FKind::Ne: return CondCode::kNE;
    case FKind::Lt: return CondCode::kMI;
    case FKind::Gt: return CondCode::kGT;
    case FKind::Le: return CondCode::kLS;
    default: return CondCode::kGE;
  }
}

// ---- the module being compiled ----

class Compiler final : public ModuleEmitter {
 public:
  // optimize: try the optimizing tier's lowering (jit/opt/a64/lower.cc) on
  // every function first, and compile with the baseline only the functions
  // it leaves. guarded: memory 0's accesses may be left to the guard
  // regions (codegen.h: elides_bounds_check). funcs: the module's defined
  // functions (what compile_module_with compiles from), so that calls to
  // them take a direct path. trial: compiles only to measure
  // (fits_branch_range).
  Compiler(asmjit::CodeHolder& holder, bool guarded, bool optimize, const std::vector<CompiledFunc>& funcs,
           bool trial = false)
      : ModuleEmitter(guarded), holder_(holder), optimize_(optimize), trial_(trial), assembler_(&holder),
        a_(assembler_), funcs_(funcs), num_imported_(funcs.empty() ? 0 : funcs.front().func_index) {}

  // Shared code: the trampoline, the call and return stubs.
  void emit_shared() override;
  bool emit_function(const CompiledFunc& cf, size_t* entry_offset) override;
  // The direct call stubs, then their trap exits (once, at the end).
  void emit_end() override {
    emit_direct_stubs();
    emit_trap_stubs();
  }
  Label trampoline() const override { return trampoline_; }

  // ---- what the optimizing tier's lowering uses (same contract as here) ----
  a64::Assembler& assembler() { return a_; }
  // The interpreter's `enter`: entry fuel, zeroed locals, constants. With
  // frame_init false, only the fuel (the caller materializes
  // frame_init itself: frame_init_is_lazy).
  void emit_prologue(const CompiledFunc& cf, bool frame_init = true);
  // Whether cf's whole frame_init (locals and constants) may be left to
  // the function's code instead of the prologue.
  static bool frame_init_is_lazy(const CompiledFunc& cf) {
    return cf.init_cell == cf.num_param_cells;
  }
  // A C++ instruction helper (jit_state.h) on the instruction at pc, its
  // operands in their cells; clobbers every caller-saved register.
  void emit_helper(const void* fn, const Unit* pc, bool may_trap, bool sync_fuel);
  // Uses x16 only (for costs past 12 bits).
  void emit_fuel_charge(uint64_t cost);
  // A br_if's fall-through charge that also takes its block's sunk charge
  // (opt::Function::SunkCharge): one subtraction; when it fails, the trap
  // leaves the fuel as the two separate charges would have.
  void emit_sunk_fuel_charge(uint64_t block_cost, uint64_t fall_cost);
  // Gives back a block's sunk charge that a lower tier already took (an
  // on-stack replacement entry at its header).
  void emit_fuel_refund(uint64_t cost) { fuel_arith(cost, false, false); }
  // A taken back edge to `target`. Its poll may call the poll stub, which
  // clobbers the caller-saved registers except those in `kept` (general
  // registers and the low 64 bits of vector registers).
  void emit_back_edge(uint32_t loop_cost, Label target, bool irq_only, const std::vector<arm::Reg>& kept = {});
  // The call sequence of Call (callee's frame at arg_base; clobbers all).
  void emit_call(Unit func_index, Unit arg_base);
  // call_indirect: the interpreter's checks inline (C++ when one fails, to
  // trap with its message), then the call stub.
  void emit_call_indirect(const Unit* pc);
  void emit_return() { a_.b(return_stub_); }
  Label trap_label(TrapCode code) { return out_of_line_.trap_exit(a_, code); }
  // Where a scalar access to memory 0 reads or writes, its u32 address
  // zero-extended in `index` (x9 unless given; left unchanged) (clobbers
  // x10-x12): on a guarded memory unchecked (an out-of-bounds access
  // faults in the guard regions, fault_handler.h), else after the explicit
  // check against JitState::mem_size. `low32`: only index's low 32 bits
  // are the address (an i32 cell's upper half is unspecified); then an
  // unchecked access without offset extends it in the addressing mode
  // ([x20, w, uxtw]), any other is first moved to w9. Shared by the
  // baseline and the optimizing tier.
  struct MemoryOperand {
    bool unchecked;
    a64::Gp index;  // memory base + index is the effective address
    bool uxtw = false;  // ... + index.w() zero-extended
    arm::Mem at() const { return uxtw ? arm::ptr(kMemBase, index.w(), arm::uxtw(0)) : arm::ptr(kMemBase, index); }
    // Right before the instruction that touches memory: an unchecked one
    // is a trap site.
    void mark_access(Compiler& c) const {
      if (unchecked) c.add_trap_site(c.a_.offset(), c.trap_label(TrapCode::MemoryOutOfBounds));
    }
  };
  MemoryOperand memory_operand(const Access& acc, uint64_t offset, const a64::Gp& index = a64::x9,
                               bool low32 = false);
  // br_table's dispatch (pc: the instruction), its index already in w9: a
  // jump through a table of the targets' offsets, emitted out of line.
  // Clobbers x9-x11. Shared by the baseline and the optimizing tier.
  void emit_jump_table(const Unit* pc);
  // Any 64-bit constant, in at most four instructions.
  void load_imm(const a64::Gp& r, uint64_t value);
  // A frame cell as a memory operand for an access of `size` bytes (may
  // use x17).
  arm::Mem cell(Unit c, uint32_t size = 8);
  // r = the address of cell c (may use x17).
  void cell_address(const a64::Gp& r, Unit c);
  // r = the GlobalInst* of global `index` (may use x17).
  void global_inst(const a64::Gp& r, Unit index);
  OutOfLine& out_of_line() { return out_of_line_; }
  FunctionCode& function_code() { return function_; }
  const FunctionCode& function_code() const override { return function_; }

 private:
  // The trap exits and veneers the current function (or the shared code)
  // used, emitted after it so that its conditional branches reach them.
  void emit_trap_stubs();
  void emit_switch_instance();
  // After a call whose callee's frame started at cell arg_base: kFp is the
  // caller's frame again (uses x17).
  void emit_back_to_caller_frame(Unit arg_base);
  // The checks of a call that depend on the run (call depth, room for the
  // frame below the new record) and the call record (return address from
  // x30, caller's frame and function); frame_cells: the callee's, or
  // nullopt to read it from x2's CompiledFunc. Leaves the record in x6.
  void emit_call_record(std::optional<uint64_t> frame_cells, Label exhausted);
  // A defined function called directly (as x64::Compiler::direct_callee).
  const CompiledFunc* direct_callee(Unit func_index) const;
  // r = the running instance's FuncInst* of function func_index (uses x17).
  void load_func_inst(const a64::Gp& r, Unit func_index);
  // r = array[index], an array of pointers (uses x17).
  void load_pointer_at(const a64::Gp& r, const a64::Gp& array, Unit index);
  void emit_direct_stubs();
  // The C++ resolution of call_indirect at pc: the callee's FuncInst* in x1,
  // or a trap.
  void emit_resolve_indirect(const Unit* pc);
  // w = InterruptState::any_pending() (nonzero: some interrupt is pending).
  void emit_any_pending_load(const a64::Gp& w);
  // Whether cf's machine code (from the optimizing tier's lowering, or
  // the baseline's) stays under kMaxFunctionBytes: compiles it into a
  // scratch code holder and measures.
  bool fits_branch_range(const CompiledFunc& cf, bool optimized) const;
  bool emit_baseline(const CompiledFunc& cf, size_t* entry_offset);

  void load(const a64::Gp& r, Unit c, bool wide) { a_.ldr(sized(r, wide), cell(c, wide ? 8 : 4)); }
  void store(const a64::Gp& r, Unit c) { a_.str(r.x(), cell(c)); }

  // dst = lhs BIN rhs (x12 is the rotate's scratch).
  void emit_bin(Bin bin, bool wide, const a64::Gp& dst, const a64::Gp& lhs, const a64::Gp& rhs);
  // Writes the integer op at pc (a generated instruction) or returns false.
  bool emit_int(Op op, const Unit* pc);
  // Sets the flags for a fused condition and returns the condition that
  // holds when it is true; nullopt when the op is not expanded inline.
  std::optional<CondCode> emit_condition_flags(Op op, const Unit* pc);
  bool emit_access(Op op, const Unit* pc, bool summed);
  // Floating point: dst = lhs KIND rhs (arithmetic).
  void emit_float_arith(FKind kind, bool f64, const a64::Vec& dst, const a64::Vec& lhs, const a64::Vec& rhs);
  void load_float(const a64::Vec& v, Unit c, bool f64) {
    a_.ldr(f64 ? a64::Vec(v.d()) : a64::Vec(v.s()), cell(c, f64 ? 8 : 4));
  }
  void store_float(Unit dst, const a64::Vec& value, bool f64);
  // fcmp of cells a and b; the condition that holds when `a KIND b`.
  CondCode emit_float_compare(FKind kind, bool f64, Unit a, Unit b);
  bool emit_float(Op op, const Unit* pc);

  void call_cpp(const void* fn) {
    load_imm(kCallTarget, reinterpret_cast<uint64_t>(fn));
    a_.blr(kCallTarget);
  }
  // `cmp` or `sub` of a cost from the fuel register.
  // kFuel -= cost (`flags`: subs, for the b.lt after it) or kFuel += cost;
  // a cost past 4095 goes through kCallTarget.
  void fuel_arith(uint64_t cost, bool subtract, bool flags);
  // At back edges (the call stub polls at entries); `kept`: as emit_back_edge.
  // refund: fuel the code charged just before the poll, given back while
  // the poll runs (an interrupt wins over that charge).
  // then_jump: branch there after the poll (the poll's branch is the jump).
  void emit_poll(const std::vector<arm::Reg>& kept = {}, uint64_t refund = 0, Label then_jump = Label());
  void emit_branch(Family form, CondCode taken, const Unit* pc, uint32_t field) {
    emit_branch_form(*this, form, taken, pc, field);
  }
  Label target(const Unit* pc, uint32_t field) const { return function_.target(pc, field); }
  // The primitives of codegen::emit_common_ir.
  template <typename B>
  friend bool codegen::emit_common_ir(B& b, IrOp op, const Unit* pc);
  void jump(Label label) { a_.b(label); }
  void branch_if(Unit cond, bool nonzero, Label label) {
    load(a64::x9, cond, false);
    nonzero ? a_.cbnz(a64::w9, label) : a_.cbz(a64::w9, label);
  }
  void branch_form_if(Family form, const Unit* pc, uint32_t field, Unit cond) {
    load(a64::x9, cond, false);
    a_.cmp(a64::w9, 0);
    emit_branch(form, CondCode::kNE, pc, field);
  }
  template <typename B, typename Condition>
  friend void codegen::emit_branch_form(B& b, Family form, Condition taken, const Unit* pc, uint32_t field);
  void branch_on(CondCode cc, Label label) { a_.b(cc, label); }
  static CondCode negate(CondCode cc) { return arm::negateCond(cc); }
  Label new_label() { return a_.newLabel(); }
  void bind(Label label) { a_.bind(label); }
  void emit_copy(Unit dst, Unit src) {
    a_.ldr(a64::x9, cell(src));
    a_.str(a64::x9, cell(dst));
  }
  void emit_const(Unit dst, Cell value) {
    if (value == 0) {
      a_.str(a64::xzr, cell(dst));
    } else {
      load_imm(a64::x9, value);
      a_.str(a64::x9, cell(dst));
    }
  }
  void emit_global_get(Unit dst, Unit global) {
    global_inst(a64::x9, global);
    a_.ldr(a64::x9, arm::ptr(a64::x9, static_cast<int32_t>(offsetof(GlobalInst, value))));
    store(a64::x9, dst);
  }
  void emit_global_set_x9(Unit global) {
    global_inst(a64::x10, global);
    a_.str(a64::x9, arm::ptr(a64::x10, static_cast<int32_t>(offsetof(GlobalInst, value))));
  }
  // A label in this function that branches on to a shared stub, for the
  // conditional branches that cannot reach the stub itself.
  Label near(Label shared) {
    auto [it, inserted] = veneers_.try_emplace(shared.id());
    if (inserted) it->second = {a_.newLabel(), shared};
    return it->second.first;
  }
  void emit_instr(const Instr& in, const Unit* pc);

  asmjit::CodeHolder& holder_;
  const bool optimize_;
  const bool trial_;
  a64::Assembler assembler_;
  a64::Assembler& a_;
  Label trampoline_, exit_, exit_ok_, trap_w0_, call_stub_, return_stub_, back_edge_stop_, poll_stub_;
  const std::vector<CompiledFunc>& funcs_;
  const uint32_t num_imported_;
  // By defined function index: the direct stubs this code object's calls
  // use (its functions' entries: ModuleEmitter::local_entry).
  std::unordered_map<uint32_t, Label> direct_stubs_;
  // Per function (and once for the shared code).
  std::unordered_map<uint32_t, std::pair<Label, Label>> veneers_;
  FunctionCode function_;
  OutOfLine out_of_line_;
  // As the x86-64 Compiler's: a function compiled without interrupt checks
  // (CompiledFunc::check_interrupt) needs no poll at its back edges.
  bool back_edge_polls_ = true;
};

}  // namespace wasmrt::jit::arm64
