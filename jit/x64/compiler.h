// The x86-64 baseline code generator's module compiler (jit/x64/compile.cc),
// declared here so that the optimizing tier's x86-64 lowering
// (jit/opt/x64/lower.cc) emits into the same module code and reuses its
// shared stubs (trampoline, call, return and poll stubs, trap exits), its
// helper calls and its fuel and back-edge sequences: a module compiled by
// the optimizing tier mixes optimized functions and baseline ones (those
// the optimizing tier leaves to the baseline) over one set of stubs.
#pragma once

#include <asmjit/x86.h>

#include <cstddef>
#include <optional>
#include <unordered_map>
#include <vector>

#include "jit/codegen.h"

namespace wasmrt::jit::x64 {
class Compiler;
}  // namespace wasmrt::jit::x64

namespace wasmrt::jit::opt::x64 {
// The optimizing tier's x86-64 lowering of one function into `compiler`'s
// module code (jit/opt/x64/lower.cc). False, with nothing emitted, when it
// leaves the function to the baseline.
bool compile_function(jit::x64::Compiler& compiler, const interp::CompiledFunc& cf, size_t* entry_offset);
}  // namespace wasmrt::jit::opt::x64

namespace wasmrt::jit::x64 {

namespace x = asmjit::x86;
using asmjit::Label;
using namespace codegen;  // NOLINT: the shared vocabulary of both back ends

inline const x::Gp kFp = x::rbx;
inline const x::Gp kMemBase = x::r12;
inline const x::Gp kSt = x::r13;
inline const x::Gp kFuel = x::r14;
inline const x::Gp kGlobals = x::r15;

#define ST(field) x::qword_ptr(kSt, static_cast<int32_t>(offsetof(JitState, field)))
#define ST32(field) x::dword_ptr(kSt, static_cast<int32_t>(offsetof(JitState, field)))


inline x::Mem cell(Unit c) { return x::qword_ptr(kFp, static_cast<int32_t>(c * 8)); }
inline x::Mem cell32(Unit c) { return x::dword_ptr(kFp, static_cast<int32_t>(c * 8)); }
inline x::Mem cell_sized(Unit c, bool wide) { return wide ? cell(c) : cell32(c); }
inline x::Gp sized(const x::Gp& r, bool wide) { return wide ? x::Gp(r.r64()) : x::Gp(r.r32()); }

// The x86 condition of an integer comparison (after `cmp lhs, rhs`).
inline x::CondCode condition(Cond c) {
  using CC = x::CondCode;
  switch (c) {
    case Cond::Eq: return CC::kE;
    case Cond::Ne: return CC::kNE;
    case Cond::LtS: return CC::kL;
    case Cond::LtU: return CC::kB;
    case Cond::GtS: return CC::kG;
    case Cond::GtU: return CC::kA;
    case Cond::LeS: return CC::kLE;
    case Cond::LeU: return CC::kBE;
    case Cond::GeS: return CC::kGE;
    case Cond::GeU: return CC::kAE;
  }
  return CC::kE;
}

// Floating point is expanded inline with SSE2 (codegen.h: FloatOp).

// ---- the module being compiled ----

class Compiler final : public ModuleEmitter {
 public:
  // optimize: try the optimizing tier's lowering (jit/opt/x64/lower.cc)
  // on every function first, and compile with the baseline only the
  // functions it leaves.
  // guarded: memory 0's accesses may be left to the guard regions
  // (codegen.h: elides_bounds_check).
  // funcs: the module's defined functions (what compile_module_with
  // compiles from), so that calls to them take a direct path.
  Compiler(asmjit::CodeHolder& holder, bool guarded, bool optimize, const std::vector<CompiledFunc>& funcs)
      : ModuleEmitter(guarded),
        assembler_(&holder),
        a_(assembler_),
        optimize_(optimize),
        funcs_(funcs),
        num_imported_(funcs.empty() ? 0 : funcs.front().func_index) {
    // Alignment padding as a few long NOPs, not one-byte ones: code falls
    // through the padding before an aligned loop header on every entry.
    assembler_.addEncodingOptions(asmjit::EncodingOptions::kOptimizedAlign);
  }

  // Shared code: the trampoline, the call and return stubs, trap exits.
  void emit_shared() override;
  bool emit_function(const CompiledFunc& cf, size_t* entry_offset) override;
  // The direct call stubs, then the trap exits the module's functions used
  // (once, at the end).
  void emit_end() override {
    emit_direct_stubs();
    emit_trap_stubs();
  }
  Label trampoline() const override { return trampoline_; }

  // ---- what the optimizing tier's lowering uses (same contract as here) ----
  x::Assembler& assembler() { return a_; }
  // Aligns and marks where cf's code starts (its entry, which direct calls
  // from this code object jump to).
  void begin_function(const CompiledFunc& cf, size_t* entry_offset);
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
  // Uses rax only (for costs past 32 bits).
  void emit_fuel_charge(uint64_t cost);
  // A br_if's fall-through charge that also takes its block's sunk charge
  // (opt::Function::SunkCharge): one subtraction. When it fails, the trap
  // leaves the fuel as the two separate charges would have: the block's
  // taken if the fuel covered it, the fall-through's not.
  void emit_sunk_fuel_charge(uint64_t block_cost, uint64_t fall_cost);
  // Gives back a block's sunk charge that a lower tier already took (an
  // on-stack replacement entry at its header).
  void emit_fuel_refund(uint64_t cost) { fuel_arith(x::Inst::kIdAdd, cost); }
  // A taken back edge to `target`. Its poll may call the poll stub, which
  // clobbers the caller-saved registers except those in `kept`.
  void emit_back_edge(uint32_t loop_cost, Label target, bool irq_only, const std::vector<x::Reg>& kept = {});
  // The call sequence of Call (callee's frame at arg_base; clobbers all):
  // a function of this module through its direct stub, any other through
  // the generic call stub.
  void emit_call(Unit func_index, Unit arg_base);
  // call_indirect: the checks inline (C++ on their failure, for the
  // trap), then the call stub.
  void emit_call_indirect(const Unit* pc);
  void emit_return() { a_.jmp(return_stub_); }
  Label trap_label(TrapCode code) { return out_of_line_.trap_exit(a_, code); }
  // Where a scalar access to memory 0 reads or writes, its u32 address
  // zero-extended in rcx (clobbers rax; may add to rcx): on a guarded
  // memory unchecked (an out-of-bounds access faults in the guard regions,
  // fault_handler.h), else after the explicit check against
  // JitState::mem_size. Shared by the baseline and the optimizing tier.
  struct MemoryOperand {
    bool unchecked;
    x::Gp index;
    int32_t disp;
    x::Mem at(uint32_t size) const;
    // Right before the instruction that touches memory: an unchecked one
    // is a trap site.
    void mark_access(Compiler& c) const {
      if (unchecked) c.add_trap_site(c.a_.offset(), c.trap_label(TrapCode::MemoryOutOfBounds));
    }
  };
  // `index` holds the u32 address zero-extended to 64 bits (rcx unless
  // given); it is left unchanged. Clobbers rax (and rcx with an offset past
  // 2^31 - 1).
  MemoryOperand memory_operand(const Access& acc, uint64_t offset, const x::Gp& index = x::rcx);
  // br_table's dispatch (pc: the instruction), its index already in eax:
  // a jump through a table of the targets' offsets, emitted out of line.
  // Clobbers rax, rcx, rdx. Shared by the baseline and the optimizing tier.
  void emit_jump_table(const Unit* pc);
  OutOfLine& out_of_line() { return out_of_line_; }
  FunctionCode& function_code() { return function_; }
  const FunctionCode& function_code() const override { return function_; }

 private:
  void emit_trap_stubs();
  void emit_switch_instance();
  // After a call whose callee's frame started at cell arg_base: kFp is the
  // caller's frame again.
  void emit_back_to_caller_frame(Unit arg_base);
  void emit_call_depth_check(Label exhausted);
  void emit_push_call_record();
  // The defined function a call to func_index reaches when it takes a
  // direct stub, or null (an import, or a frame too large for the code).
  const CompiledFunc* direct_callee(Unit func_index) const;
  void emit_direct_stubs();
  // call_indirect's callee into rsi by the C++ checks (or their trap).
  void emit_resolve_indirect(const Unit* pc);
  void emit_resolve_and_call_indirect(const Unit* pc);

  // Operand sources for integer ops: a cell, or a register.
  struct Src {
    bool is_reg = false;
    x::Gp reg;
    Unit cell = 0;
  };
  static Src from_cell(Unit c) { return Src{false, x::Gp(), c}; }
  static Src from_reg(const x::Gp& r) { return Src{true, r, 0}; }

  void load(const x::Gp& r, const Src& s, bool wide) {
    if (s.is_reg) {
      if (s.reg.id() != r.id() || !wide) a_.mov(sized(r, wide), sized(s.reg, wide));
    } else {
      a_.mov(sized(r, wide), cell_sized(s.cell, wide));
    }
  }
  // dst = dst BIN rhs (dst is rax or rdx; rcx is the shift count).
  void emit_bin(Bin bin, bool wide, const x::Gp& dst_reg, const Src& rhs);
  // Writes the integer op at pc (a generated instruction) or returns false.
  bool emit_int(Op op, const Unit* pc);
  // Sets the flags for a fused condition and returns the condition that
  // holds when it is true; nullopt when the op is not expanded inline.
  std::optional<x::CondCode> emit_condition_flags(Op op, const Unit* pc);
  bool emit_access(Op op, const Unit* pc, bool summed);
  // Floating point: the result in xmm0 (arithmetic, conversions).
  void emit_float_arith(FKind kind, bool f64, const x::Xmm& dst, const x::Mem& rhs);
  void store_float(Unit dst, const x::Xmm& value, bool f64);
  // A comparison's value (0 or 1) in eax.
  void emit_float_compare(FKind kind, bool f64, Unit a, Unit b);
  bool emit_float(Op op, const Unit* pc);

  // Sets ZF=0 when any interrupt in the process is pending (then the poll
  // stub decides whether it is this call's); clobbers scratch.
  void emit_any_pending_test(const x::Gp& scratch);
  // `cmp` or `sub` of a cost from the fuel register.
  void fuel_arith(x::Inst::Id id, uint64_t cost);
  // At back edges (the call stub polls at entries); `kept`: as emit_back_edge.
  // refund: fuel the code charged just before the poll, given back while
  // the poll runs (an interrupt wins over that charge).
  // then_jump: jump there after the poll (the poll's branch is the jump).
  void emit_poll(const std::vector<x::Reg>& kept = {}, uint64_t refund = 0, Label then_jump = Label());
  void emit_branch(Family form, x::CondCode taken, const Unit* pc, uint32_t field) {
    emit_branch_form(*this, form, taken, pc, field);
  }
  Label target(const Unit* pc, uint32_t field) const { return function_.target(pc, field); }
  // The primitives of codegen::emit_common_ir.
  template <typename B>
  friend bool codegen::emit_common_ir(B& b, IrOp op, const Unit* pc);
  void jump(Label label) { a_.jmp(label); }
  void branch_if(Unit cond, bool nonzero, Label label) {
    a_.cmp(cell32(cond), 0);
    nonzero ? a_.jne(label) : a_.je(label);
  }
  void branch_form_if(Family form, const Unit* pc, uint32_t field, Unit cond) {
    a_.cmp(cell32(cond), 0);
    emit_branch(form, x::CondCode::kNE, pc, field);
  }
  template <typename B, typename Condition>
  friend void codegen::emit_branch_form(B& b, Family form, Condition taken, const Unit* pc, uint32_t field);
  void branch_on(x::CondCode cc, Label label) { a_.j(cc, label); }
  static x::CondCode negate(x::CondCode cc) { return x::negateCond(cc); }
  Label new_label() { return a_.newLabel(); }
  void bind(Label label) { a_.bind(label); }
  void emit_copy(Unit dst, Unit src) {
    a_.mov(x::rax, cell(src));
    a_.mov(cell(dst), x::rax);
  }
  void emit_const(Unit dst, Cell value) {
    if (static_cast<int64_t>(value) == static_cast<int32_t>(value)) {
      a_.mov(cell(dst), static_cast<int32_t>(value));  // sign-extended to 64 bits
    } else {
      a_.mov(x::rax, value);
      a_.mov(cell(dst), x::rax);
    }
  }
  void emit_global_get(Unit dst, Unit global) {
    a_.mov(x::rax, x::qword_ptr(kGlobals, static_cast<int32_t>(global * 8)));
    a_.mov(x::rax, x::qword_ptr(x::rax, static_cast<int32_t>(offsetof(GlobalInst, value))));
    a_.mov(cell(dst), x::rax);
  }
  void emit_global_set_rax(Unit global) {
    a_.mov(x::rcx, x::qword_ptr(kGlobals, static_cast<int32_t>(global * 8)));
    a_.mov(x::qword_ptr(x::rcx, static_cast<int32_t>(offsetof(GlobalInst, value))), x::rax);
  }
  void emit_instr(const Instr& in, const Unit* pc);

  x::Assembler assembler_;
  x::Assembler& a_;
  const bool optimize_;
  const std::vector<CompiledFunc>& funcs_;
  const uint32_t num_imported_;
  // By defined-function index: the direct call stubs the calls emitted so
  // far use (the entries emitted into this code: ModuleEmitter::local_entry).
  std::unordered_map<uint32_t, Label> direct_stubs_;
  Label trampoline_, exit_, trap_eax_, call_stub_, return_stub_, back_edge_stop_, poll_stub_;
  // Per function.
  FunctionCode function_;
  OutOfLine out_of_line_;
  // The function being compiled polls for interrupts at its back edges
  // (CompiledFunc::check_interrupt, the module's interrupt_checks). Without
  // them no store running it can be interrupted (Instance::create refuses
  // an interruptible store), so a metered back edge (BrLoop, which always
  // carries the poll in the interpreter) or a counting one (tier-up's
  // BrLoopI) needs no poll: nothing could ever be pending for its context.
  bool back_edge_polls_ = true;
};

}  // namespace wasmrt::jit::x64
