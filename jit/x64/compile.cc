// x86-64 code generation from translated code (see jit/jit.h, docs/jit.md).
//
// One pass over each function's instructions, after a first pass that
// finds the branch targets. Values stay in their frame cells (rbx-relative)
// exactly as under the interpreter; what goes away is the dispatch, the
// decoding of operands and the indirect jumps: each instruction becomes a
// few machine instructions with its cell offsets as displacements, and
// branches become direct jumps. Integer arithmetic, comparisons,
// branches, copies, globals, calls and the scalar memory accesses are
// expanded inline; every other instruction calls the same C++ code the
// interpreter runs for it (jit_state.h's instr_helper), so both tiers
// compute alike by construction.
//
// Calls do not grow the native stack: the call stub moves the return
// address the `call` pushed into the interpreter's call record (same
// layout, same limits), and a return pushes it back and returns, which
// keeps calls and returns paired for the CPU's return predictor.
#include <asmjit/x86.h>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "jit/codegen.h"
#include "jit/x64/compiler.h"
#include "runtime/store/interrupt.h"

namespace wasmrt::jit::x64 {

using asmjit::Label;
using namespace codegen;  // NOLINT: the shared vocabulary of both back ends


void Compiler::emit_shared() {
  trampoline_ = a_.newLabel();
  exit_ = a_.newLabel();
  trap_eax_ = a_.newLabel();
  call_stub_ = a_.newLabel();
  return_stub_ = a_.newLabel();
  back_edge_stop_ = a_.newLabel();
  poll_stub_ = a_.newLabel();

  // uint32_t trampoline(JitState* st, const void* entry, Cell* fp)
  // The System V callee-saved registers, all used or kept by the code.
  const x::Gp saved[] = {x::rbx, x::rbp, x::r12, x::r13, x::r14, x::r15};
  a_.bind(trampoline_);
  for (const x::Gp& reg : saved) a_.push(reg);
  a_.mov(kSt, x::rdi);
  a_.mov(kFp, x::rdx);
  a_.mov(kFuel, ST(fuel));
  a_.mov(kMemBase, ST(mem_base));
  a_.mov(kGlobals, ST(globals));
  // Six pushes keep rsp at 8 mod 16; the call makes function bodies run at
  // 0 mod 16, so they call C++ helpers directly.
  a_.mov(ST(saved_rsp), x::rsp);
  a_.call(x::rsi);
  a_.xor_(x::eax, x::eax);
  a_.bind(exit_);
  a_.mov(ST(fuel), kFuel);
  for (size_t i = std::size(saved); i-- > 0;) a_.pop(saved[i]);
  a_.ret();
  // A trap (code in eax) from any depth: drop the native frames above the
  // trampoline's.
  a_.bind(trap_eax_);
  a_.mov(x::rsp, ST(saved_rsp));
  a_.jmp(exit_);

  // Call stub: rsi = callee FuncInst*, rdi = the callee's frame (nfp);
  // entered by `call`, so the return address is on top of the stack.
  {
    Label slow = a_.newLabel(), switch_instance_label = a_.newLabel();
    Label exhausted = trap_label(TrapCode::CallStackExhausted);
    a_.bind(call_stub_);
    a_.mov(x::rdx, x::qword_ptr(x::rsi, static_cast<int32_t>(offsetof(FuncInst, code))));
    a_.test(x::rdx, x::rdx);
    a_.jz(slow);
    a_.mov(x::rax, x::qword_ptr(x::rdx, compiled_func_offset(&CompiledFunc::jit_entry)));
    a_.test(x::rax, x::rax);
    a_.jz(slow);
    // The interpreter's limits: call depth, then room for the frame below
    // this depth's call record.
    emit_call_depth_check(exhausted);
    a_.mov(x::r10, x::r9);
    a_.sub(x::r10, x::rdi);
    a_.jb(exhausted);  // the frame starts past the record
    a_.shr(x::r10, 3);
    a_.cmp(x::qword_ptr(x::rdx, compiled_func_offset(&CompiledFunc::frame_cells)), x::r10);
    a_.ja(exhausted);
    emit_push_call_record();
    a_.mov(ST(cur), x::rsi);
    a_.mov(kFp, x::rdi);
    // The callee's entry check for interrupts (the interpreter's `enter`),
    // here rather than in every function: the callee is frame #0 already.
    Label entry_poll = a_.newLabel(), polled = a_.newLabel();
    emit_any_pending_test(x::r8);
    a_.jne(entry_poll);
    a_.bind(polled);
    a_.mov(x::rcx, x::qword_ptr(x::rsi, static_cast<int32_t>(offsetof(FuncInst, instance))));
    a_.cmp(x::rcx, ST(inst));
    a_.jne(switch_instance_label);
    a_.jmp(x::rax);
    a_.bind(entry_poll);
    a_.test(x::byte_ptr(x::rdx, compiled_func_offset(&CompiledFunc::check_interrupt)), 1);
    a_.jz(polled);
    a_.push(x::rax);
    a_.sub(x::rsp, 8);  // poll_stub_ expects a function body's alignment
    a_.call(poll_stub_);
    a_.add(x::rsp, 8);
    a_.pop(x::rax);
    a_.jmp(polled);
    a_.bind(switch_instance_label);
    a_.push(x::rax);  // the entry
    emit_switch_instance();
    a_.pop(x::rax);
    a_.jmp(x::rax);
    // Host functions and functions without machine code. The call site
    // finds the callee's frame in kFp afterwards, as after a wasm callee.
    a_.bind(slow);
    a_.sub(x::rsp, 8);
    a_.mov(ST(fuel), kFuel);
    a_.mov(kFp, x::rdi);
    a_.mov(x::rdx, x::rdi);
    a_.mov(x::rdi, kSt);
    a_.mov(x::rax, reinterpret_cast<uint64_t>(&call_slow));
    a_.call(x::rax);
    a_.add(x::rsp, 8);
    a_.mov(kFuel, ST(fuel));
    a_.test(x::eax, x::eax);
    a_.jnz(trap_eax_);
    a_.ret();
  }

  // Return stub: the results are in the frame's first cells already.
  {
    Label to_host = a_.newLabel(), switch_instance_label = a_.newLabel();
    a_.bind(return_stub_);
    a_.mov(x::r9, ST(rec));  // this depth's record
    a_.cmp(x::r9, ST(entry_rec));
    a_.je(to_host);
    // (The caller's frame is not loaded from the record: the call site
    // sets it from the callee's, emit_back_to_caller_frame.)
    a_.mov(x::rax, x::qword_ptr(x::r9, 16));
    a_.mov(ST(cur), x::rax);
    a_.lea(x::rcx, x::qword_ptr(x::r9, kCallRecordCells * sizeof(Cell)));
    a_.mov(ST(rec), x::rcx);
    a_.mov(x::rcx, x::qword_ptr(x::rax, static_cast<int32_t>(offsetof(FuncInst, instance))));
    a_.push(x::qword_ptr(x::r9));
    a_.cmp(x::rcx, ST(inst));
    a_.jne(switch_instance_label);
    a_.ret();
    a_.bind(to_host);
    a_.ret();
    a_.bind(switch_instance_label);
    emit_switch_instance();
    a_.ret();
  }

  // Interrupt poll, slow path (the process-wide word was set): entered by
  // `call` from a function body, so rsp is 8 mod 16 here.
  a_.bind(poll_stub_);
  a_.sub(x::rsp, 8);
  a_.mov(ST(fuel), kFuel);
  a_.mov(x::rdi, kSt);
  a_.mov(x::rax, reinterpret_cast<uint64_t>(&poll_interrupt));
  a_.call(x::rax);
  a_.add(x::rsp, 8);
  a_.test(x::eax, x::eax);
  a_.jnz(trap_eax_);
  a_.ret();

  // A metered back edge that may not be taken: an interrupt, else no fuel.
  a_.bind(back_edge_stop_);
  a_.mov(ST(fuel), kFuel);
  a_.mov(x::rdi, kSt);
  a_.mov(x::rax, reinterpret_cast<uint64_t>(&back_edge_trap));
  a_.call(x::rax);
  a_.jmp(trap_eax_);
}

// Both call stubs' start: r9 = the callee's call record (the interpreter's
// call-depth limit is that the record is not below JitState::min_rec),
// which the callee's frame must end before (each stub checks that against
// its own frame size).
void Compiler::emit_call_depth_check(Label exhausted) {
  a_.mov(x::r9, ST(rec));
  a_.sub(x::r9, kCallRecordCells * sizeof(Cell));
  a_.cmp(x::r9, ST(min_rec));
  a_.jb(exhausted);
}

// The call record at r9 (the interpreter's: return address, caller's
// frame, caller's FuncInst), which becomes the current one (the depth one
// more). The return address
// comes off the native stack, so wasm calls do not grow it.
void Compiler::emit_push_call_record() {
  a_.pop(x::r10);
  a_.mov(x::qword_ptr(x::r9), x::r10);
  a_.mov(x::qword_ptr(x::r9, 8), kFp);
  a_.mov(x::r11, ST(cur));
  a_.mov(x::qword_ptr(x::r9, 16), x::r11);
  a_.mov(ST(rec), x::r9);
}

// Makes rcx (an InstanceData*) the running instance; rsp is 8 mod 16.
void Compiler::emit_switch_instance() {
  // The fuel register's meaning follows the instance's module (jit_state.h).
  a_.mov(ST(fuel), kFuel);
  a_.sub(x::rsp, 8);
  a_.mov(x::rdi, kSt);
  a_.mov(x::rsi, x::rcx);
  a_.mov(x::rax, reinterpret_cast<uint64_t>(&switch_instance));
  a_.call(x::rax);
  a_.add(x::rsp, 8);
  a_.mov(kMemBase, ST(mem_base));
  a_.mov(kGlobals, ST(globals));
  a_.mov(kFuel, ST(fuel));
}

// A direct call stub: the call stub specialised to one function of this
// module, entered by `call` with the callee's frame in rdi. What the
// generic stub finds out at run time is known here: the callee is wasm of
// the running instance (no host function, no instance switch), its frame
// size and whether it polls on entry are constants, and when its code is
// in this code object its entry is a label. The checks that remain, and
// their order and traps, are the generic stub's: call depth, room for the
// frame below the new call record, the entry poll. A callee compiled
// elsewhere (another tier-up batch, or not yet) is reached through its
// published entry, read on every call (tier-up publishes it at any time);
// while it is null the generic stub takes the call to the interpreter.
void Compiler::emit_direct_stubs() {
  finish_local_entries();
  const Label exhausted = trap_label(TrapCode::CallStackExhausted);
  for (const auto& [defined, stub] : direct_stubs_) {
    const CompiledFunc& callee = funcs_[defined];
    const uint32_t func_index = num_imported_ + defined;
    const Label entry = local_entry(defined);
    const bool local = entry.isValid();
    Label generic = a_.newLabel(), poll = a_.newLabel(), polled = a_.newLabel();
    a_.align(asmjit::AlignMode::kCode, 16);
    a_.bind(stub);
    if (!local) {
      a_.mov(x::rax, reinterpret_cast<uint64_t>(&callee.jit_entry));
      a_.mov(x::rax, x::qword_ptr(x::rax));
      a_.test(x::rax, x::rax);
      a_.jz(generic);
    }
    emit_call_depth_check(exhausted);
    // The frame must end at or before the record (frame_cells < 2^27, so
    // the end is a 32-bit displacement; addresses do not wrap).
    a_.lea(x::r10, x::qword_ptr(x::rdi, static_cast<int32_t>(callee.frame_cells * 8)));
    a_.cmp(x::r10, x::r9);
    a_.ja(exhausted);
    emit_push_call_record();
    a_.mov(x::rsi, ST(funcs));
    a_.mov(x::rsi, x::qword_ptr(x::rsi, static_cast<int32_t>(func_index * 8)));
    a_.mov(ST(cur), x::rsi);
    a_.mov(kFp, x::rdi);
    if (callee.check_interrupt) {
      emit_any_pending_test(x::r8);
      if (local) {
        a_.je(entry);  // the poll's branch is the jump to the entry
        a_.jmp(poll);
      } else {
        a_.jne(poll);
      }
      a_.bind(polled);
    }
    if (local) a_.jmp(entry);
    else a_.jmp(x::rax);
    if (callee.check_interrupt) {
      // As the generic stub's entry poll: the callee is frame #0 already,
      // and rsp is a function body's (the pushes keep it so).
      a_.bind(poll);
      if (!local) {
        a_.push(x::rax);
        a_.sub(x::rsp, 8);
      }
      a_.call(poll_stub_);
      if (!local) {
        a_.add(x::rsp, 8);
        a_.pop(x::rax);
      }
      a_.jmp(polled);
    }
    if (!local) {
      // No machine code (yet): the generic stub, with the return address
      // still on top of the stack, calls out.
      a_.bind(generic);
      a_.mov(x::rsi, ST(funcs));
      a_.mov(x::rsi, x::qword_ptr(x::rsi, static_cast<int32_t>(func_index * 8)));
      a_.jmp(call_stub_);
    }
  }
}

void Compiler::emit_trap_stubs() {
  out_of_line_.emit_trap_exits(a_, [this](uint32_t code) {
    a_.mov(x::eax, code);
    a_.jmp(trap_eax_);
  });
}

void Compiler::emit_helper(const void* fn, const Unit* pc, bool may_trap, bool sync_fuel) {
  if (sync_fuel) a_.mov(ST(fuel), kFuel);
  a_.mov(x::rdi, kFp);
  a_.mov(x::rsi, reinterpret_cast<uint64_t>(pc));
  a_.mov(x::rdx, kSt);
  a_.mov(x::rax, reinterpret_cast<uint64_t>(fn));
  a_.call(x::rax);
  if (sync_fuel) a_.mov(kFuel, ST(fuel));
  if (may_trap) {
    a_.test(x::eax, x::eax);
    a_.jnz(trap_eax_);
  }
}

// A charge is `sub` then `jl` (one fused micro-op on current x86 cores),
// not `cmp`/`jl`/`sub`: on metered tight loops the third instruction was a
// third of the run time on the optimizing tier. A failed charge must leave
// the fuel unchanged (docs/fuel.md), so its out-of-line path adds the cost
// back before it traps; `jl` after the `sub` is the same signed test as
// after `cmp` (fuel is never negative, so the subtraction cannot overflow).
void Compiler::emit_fuel_charge(uint64_t cost) {
  if (cost == 0) return;
  const Label refund = a_.newLabel();
  fuel_arith(x::Inst::kIdSub, cost);
  a_.jl(refund);
  const Label trap = trap_label(TrapCode::OutOfFuel);
  out_of_line_.defer([this, refund, trap, cost] {
    a_.bind(refund);
    fuel_arith(x::Inst::kIdAdd, cost);
    a_.jmp(trap);
  });
}

void Compiler::emit_sunk_fuel_charge(uint64_t block_cost, uint64_t fall_cost) {
  const Label fail = a_.newLabel();
  fuel_arith(x::Inst::kIdSub, block_cost + fall_cost);
  a_.jl(fail);
  const Label trap = trap_label(TrapCode::OutOfFuel);
  out_of_line_.defer([this, fail, trap, block_cost, fall_cost] {
    a_.bind(fail);
    fuel_arith(x::Inst::kIdAdd, fall_cost);
    a_.jge(trap);  // the block's charge alone fits: taken, as the interpreter does
    fuel_arith(x::Inst::kIdAdd, block_cost);
    a_.jmp(trap);
  });
}

void Compiler::fuel_arith(x::Inst::Id id, uint64_t cost) {
  if (cost <= INT32_MAX) {
    a_.emit(id, kFuel, asmjit::Imm(static_cast<int64_t>(cost)));
  } else {
    a_.mov(x::rax, cost);
    a_.emit(id, kFuel, x::rax);
  }
}

void Compiler::emit_any_pending_test(const x::Gp& scratch) {
  // Code without fuel keeps the word's address in the fuel register: one
  // compare with memory (limits_bench's sieve: 1.10x its time without
  // polls through JitState, 1.04-1.05x so). Else through JitState: measured
  // faster in tight loops than one load from the word's absolute address,
  // whose 9-byte `moffs` mov cost sieve's inner loop a quarter of its time.
  if (!fuel_code()) {
    a_.cmp(x::dword_ptr(kFuel), 0);
    return;
  }
  a_.mov(scratch, ST(any_pending));
  a_.cmp(x::dword_ptr(scratch), 0);
}

void Compiler::emit_poll(const std::vector<x::Reg>& kept, uint64_t refund, Label then_jump) {
  // The process-wide word first: no interrupt anywhere is the common case.
  // Before a back edge's jump the poll's own branch is that jump (one
  // taken branch per iteration, not a not-taken one and a jump).
  Label slow = a_.newLabel(), back = then_jump.isValid() ? then_jump : a_.newLabel();
  emit_any_pending_test(x::rax);
  if (then_jump.isValid()) {
    a_.je(then_jump);
    a_.jmp(slow);
  } else {
    a_.jne(slow);
    a_.bind(back);
  }
  out_of_line_.defer([this, slow, back, kept, refund] {
    a_.bind(slow);
    // A back edge charged its loop's fuel before this poll; an interrupt
    // wins over that charge (docs/fuel.md), so the poll sees the fuel as it
    // was, and the charge is made again if the poll lets the loop go on.
    if (refund != 0) fuel_arith(x::Inst::kIdAdd, refund);
    // The poll calls C++: registers whose values the code after it
    // expects are saved around it, in a multiple of 16 bytes (the stub
    // expects a function body's stack alignment).
    size_t gps = 0, xmms = 0;
    for (const x::Reg& r : kept) (r.isGp() ? gps : xmms) += 1;
    const int32_t bytes = static_cast<int32_t>((gps * 8 + xmms * 16 + 15) / 16 * 16);
    if (bytes != 0) a_.sub(x::rsp, bytes);
    int32_t at = 0;
    for (const x::Reg& r : kept) {
      if (r.isGp()) {
        a_.mov(x::qword_ptr(x::rsp, at), x::gpq(r.id()));
        at += 8;
      }
    }
    at = (at + 15) / 16 * 16;
    for (const x::Reg& r : kept) {
      if (!r.isGp()) {
        a_.movdqu(x::xmmword_ptr(x::rsp, at), x::xmm(r.id()));
        at += 16;
      }
    }
    a_.call(poll_stub_);
    at = 0;
    for (const x::Reg& r : kept) {
      if (r.isGp()) {
        a_.mov(x::gpq(r.id()), x::qword_ptr(x::rsp, at));
        at += 8;
      }
    }
    at = (at + 15) / 16 * 16;
    for (const x::Reg& r : kept) {
      if (!r.isGp()) {
        a_.movdqu(x::xmm(r.id()), x::xmmword_ptr(x::rsp, at));
        at += 16;
      }
    }
    if (bytes != 0) a_.add(x::rsp, bytes);
    if (refund != 0) fuel_arith(x::Inst::kIdSub, refund);
    a_.jmp(back);
  });
}

// A taken back edge: interrupt checks, and with fuel, the loop body's cost
// (an interrupt wins over running out of fuel, as in the interpreter).
void Compiler::emit_back_edge(uint32_t loop_cost, Label target_label, bool irq_only,
                              const std::vector<x::Reg>& kept) {
  if (irq_only) {
    if (back_edge_polls_) emit_poll(kept, 0, target_label);
    else a_.jmp(target_label);
    return;
  }
  // Charged first (see emit_fuel_charge); both stops see the fuel as it
  // was before the charge.
  const Label refund = a_.newLabel();
  fuel_arith(x::Inst::kIdSub, loop_cost);
  a_.jl(refund);
  out_of_line_.defer([this, refund, loop_cost] {
    a_.bind(refund);
    fuel_arith(x::Inst::kIdAdd, loop_cost);
    a_.jmp(back_edge_stop_);
  });
  if (back_edge_polls_) emit_poll(kept, loop_cost, target_label);
  else a_.jmp(target_label);
}


void Compiler::emit_bin(Bin bin, bool wide, const x::Gp& dst_reg, const Src& rhs) {
  const x::Gp d = sized(dst_reg, wide);
  auto with_rhs = [&](auto&& op) {
    if (rhs.is_reg) op(d, sized(rhs.reg, wide));
    else op(d, cell_sized(rhs.cell, wide));
  };
  switch (bin) {
    case Bin::Add: with_rhs([&](auto l, auto r) { a_.add(l, r); }); return;
    case Bin::Sub: with_rhs([&](auto l, auto r) { a_.sub(l, r); }); return;
    case Bin::Mul: with_rhs([&](auto l, auto r) { a_.imul(l, r); }); return;
    case Bin::And: with_rhs([&](auto l, auto r) { a_.and_(l, r); }); return;
    case Bin::Or: with_rhs([&](auto l, auto r) { a_.or_(l, r); }); return;
    case Bin::Xor: with_rhs([&](auto l, auto r) { a_.xor_(l, r); }); return;
    default: break;
  }
  // Shifts and rotates: x86 masks the count by the operand width, as wasm does.
  load(x::rcx, rhs, false);
  switch (bin) {
    case Bin::Shl: a_.shl(d, x::cl); break;
    case Bin::ShrS: a_.sar(d, x::cl); break;
    case Bin::ShrU: a_.shr(d, x::cl); break;
    case Bin::Rotl: a_.rol(d, x::cl); break;
    case Bin::Rotr: a_.ror(d, x::cl); break;
    default: break;
  }
}

bool Compiler::emit_int(Op op, const Unit* pc) {
  std::optional<IntOp> io = int_op(op);
  if (!io) return false;
  const Unit a = pc[kHandlerUnits];
  switch (io->kind) {
    case Kind::Bin:
      load(x::rax, from_cell(a), io->wide);
      emit_bin(io->bin, io->wide, x::rax, from_cell(pc[kHandlerUnits + 1]));
      a_.mov(cell(pc[kHandlerUnits + 2]), x::rax);
      return true;
    case Kind::Cmp:
      load(x::rax, from_cell(a), io->wide);
      a_.cmp(sized(x::rax, io->wide), cell_sized(pc[kHandlerUnits + 1], io->wide));
      a_.set(condition(io->cond), x::al);
      a_.movzx(x::eax, x::al);
      a_.mov(cell(pc[kHandlerUnits + 2]), x::rax);
      return true;
    case Kind::Eqz:
      a_.xor_(x::eax, x::eax);
      a_.cmp(cell_sized(a, io->wide), 0);
      a_.sete(x::al);
      a_.mov(cell(pc[kHandlerUnits + 1]), x::rax);
      return true;
    case Kind::Move:
      load(x::rax, from_cell(a), io->from_bytes == 8);
      a_.mov(cell(pc[kHandlerUnits + 1]), x::rax);
      return true;
    case Kind::SignExtend: {
      const x::Gp d = sized(x::rax, io->wide);
      if (io->from_bytes == 1) a_.movsx(d, x::byte_ptr(kFp, static_cast<int32_t>(a * 8)));
      else if (io->from_bytes == 2) a_.movsx(d, x::word_ptr(kFp, static_cast<int32_t>(a * 8)));
      else a_.movsxd(x::rax, cell32(a));
      a_.mov(cell(pc[kHandlerUnits + 1]), x::rax);
      return true;
    }
  }
  return false;
}

std::optional<x::CondCode> Compiler::emit_condition_flags(Op op, const Unit* pc) {
  if (std::optional<FloatOp> fo = float_op(op); fo && is_float_compare(fo->kind)) {
    emit_float_compare(fo->kind, fo->f64, pc[kHandlerUnits], pc[kHandlerUnits + 1]);
    a_.test(x::eax, x::eax);
    return x::CondCode::kNE;
  }
  std::optional<IntOp> io = int_op(op);
  if (!io) return std::nullopt;
  const Unit a = pc[kHandlerUnits];
  switch (io->kind) {
    case Kind::Cmp:
      load(x::rax, from_cell(a), io->wide);
      a_.cmp(sized(x::rax, io->wide), cell_sized(pc[kHandlerUnits + 1], io->wide));
      return condition(io->cond);
    case Kind::Eqz:
      a_.cmp(cell_sized(a, io->wide), 0);
      return x::CondCode::kE;
    case Kind::Bin:
      if (io->bin == Bin::And) {  // `a & b` as a condition: test
        load(x::rax, from_cell(a), io->wide);
        a_.test(cell_sized(pc[kHandlerUnits + 1], io->wide), sized(x::rax, io->wide));
        return x::CondCode::kNE;
      }
      if (io->bin == Bin::Rotl || io->bin == Bin::Rotr) return std::nullopt;  // rotates leave ZF alone
      load(x::rax, from_cell(a), io->wide);
      emit_bin(io->bin, io->wide, x::rax, from_cell(pc[kHandlerUnits + 1]));
      // Results of 32 bits are nonzero exactly when eax is; shifts by 0
      // leave flags unchanged, so test explicitly.
      a_.test(sized(x::rax, io->wide), sized(x::rax, io->wide));
      return x::CondCode::kNE;
    default:
      return std::nullopt;
  }
}

Compiler::MemoryOperand Compiler::memory_operand(const Access& acc, uint64_t offset, const x::Gp& index) {
  const x::Gp address = index.r64();
  if (elides_bounds_check(acc, guarded())) {
    // The displacement is sign-extended: an offset past 2^31 - 1 is added
    // in 64 bits instead.
    if (offset <= INT32_MAX) return {true, address, static_cast<int32_t>(offset)};
    if (address.id() != x::Gp::kIdCx) a_.mov(x::ecx, address.r32());
    a_.mov(x::eax, static_cast<uint32_t>(offset));  // zero-extended
    a_.add(x::rcx, x::rax);
    return {true, x::rcx, 0};
  }
  const uint64_t end = offset + acc.bytes;
  // rax = address + offset + width; in bounds when rax <= size.
  if (end <= INT32_MAX) {
    a_.lea(x::rax, x::qword_ptr(address, static_cast<int32_t>(end)));
  } else {
    a_.mov(x::rax, end);
    a_.add(x::rax, address);
  }
  a_.cmp(x::rax, ST(mem_size));
  a_.ja(trap_label(TrapCode::MemoryOutOfBounds));
  return {false, x::rax, -static_cast<int32_t>(acc.bytes)};
}

x::Mem Compiler::MemoryOperand::at(uint32_t size) const { return x::ptr(kMemBase, index, 0, disp, size); }

void Compiler::emit_jump_table(const Unit* pc) {
  const uint32_t n = pc[3];
  Label table = a_.newLabel();
  a_.mov(x::ecx, n);
  a_.cmp(x::eax, x::ecx);
  a_.cmovae(x::eax, x::ecx);  // past the end: the default, rel[n]
  a_.lea(x::rdx, x::ptr(table));
  a_.movsxd(x::rax, x::dword_ptr(x::rdx, x::rax, 2));
  a_.add(x::rax, x::rdx);
  a_.jmp(x::rax);
  out_of_line_.defer([this, table, pc, n] {
    a_.align(asmjit::AlignMode::kData, 4);
    a_.bind(table);
    for (uint32_t i = 0; i <= n; ++i) a_.embedLabelDelta(target(pc, 4 + i), table, 4);
  });
}

bool Compiler::emit_access(Op op, const Unit* pc, bool summed) {
  std::optional<Access> acc = scalar_access(op);
  if (!acc) return false;
  // The address: u32 (a sum wraps at 32 bits), zero-extended into rcx.
  a_.mov(x::ecx, cell32(pc[kHandlerUnits]));
  if (summed) a_.add(x::ecx, cell32(pc[kHandlerUnits + 1]));
  const Unit* fields = pc + (summed ? 1 : 0);
  const Unit value = fields[kHandlerUnits + 1];  // the loaded result or the stored value
  const uint64_t offset = fields[kHandlerUnits + 2];
  const MemoryOperand operand = memory_operand(*acc, offset);
  auto at = [&](uint32_t size) { return operand.at(size); };
  auto mark_access = [&] { operand.mark_access(*this); };
  if (acc->store) {
    a_.mov(x::rdx, cell(value));
    mark_access();
    switch (acc->bytes) {
      case 1: a_.mov(at(1), x::dl); break;
      case 2: a_.mov(at(2), x::dx); break;
      case 4: a_.mov(at(4), x::edx); break;
      default: a_.mov(at(8), x::rdx); break;
    }
    return true;
  }
  const x::Gp d = sized(x::rdx, acc->wide);
  mark_access();
  switch (acc->bytes) {
    case 1: acc->sign ? a_.movsx(d, at(1)) : a_.movzx(x::edx, at(1)); break;
    case 2: acc->sign ? a_.movsx(d, at(2)) : a_.movzx(x::edx, at(2)); break;
    case 4: acc->sign ? a_.movsxd(x::rdx, at(4)) : a_.mov(x::edx, at(4)); break;
    default: a_.mov(x::rdx, at(8)); break;
  }
  a_.mov(cell(value), x::rdx);
  return true;
}

void Compiler::emit_float_arith(FKind kind, bool f64, const x::Xmm& dst, const x::Mem& rhs) {
  switch (kind) {
    case FKind::Add: f64 ? a_.addsd(dst, rhs) : a_.addss(dst, rhs); break;
    case FKind::Sub: f64 ? a_.subsd(dst, rhs) : a_.subss(dst, rhs); break;
    case FKind::Mul: f64 ? a_.mulsd(dst, rhs) : a_.mulss(dst, rhs); break;
    case FKind::Div: f64 ? a_.divsd(dst, rhs) : a_.divss(dst, rhs); break;
    default: break;
  }
}

void Compiler::store_float(Unit dst, const x::Xmm& value, bool f64) {
  if (f64) {
    a_.movsd(cell(dst), value);
  } else {  // an f32 cell is written zero-extended, as by the interpreter
    a_.movd(x::eax, value);
    a_.mov(cell(dst), x::rax);
  }
}

void Compiler::emit_float_compare(FKind kind, bool f64, Unit a, Unit b) {
  // ucomis* leaves ZF, PF and CF set for unordered operands: `above`
  // conditions are false then, so lt/le compare the swapped operands.
  const bool swap = kind == FKind::Lt || kind == FKind::Le;
  const Unit lhs = swap ? b : a, rhs = swap ? a : b;
  a_.xor_(x::eax, x::eax);
  if (kind == FKind::Eq || kind == FKind::Ne) a_.xor_(x::ecx, x::ecx);
  if (f64) {
    a_.movsd(x::xmm0, cell(lhs));
    a_.ucomisd(x::xmm0, cell(rhs));
  } else {
    a_.movss(x::xmm0, cell32(lhs));
    a_.ucomiss(x::xmm0, cell32(rhs));
  }
  switch (kind) {
    case FKind::Eq:  // equal and ordered
      a_.sete(x::al);
      a_.setnp(x::cl);
      a_.and_(x::eax, x::ecx);
      break;
    case FKind::Ne:  // unequal or unordered
      a_.setne(x::al);
      a_.setp(x::cl);
      a_.or_(x::eax, x::ecx);
      break;
    case FKind::Lt: case FKind::Gt: a_.seta(x::al); break;
    default: a_.setae(x::al); break;  // Le, Ge
  }
}

bool Compiler::emit_float(Op op, const Unit* pc) {
  std::optional<FloatOp> fo = float_op(op);
  if (!fo) return false;
  const Unit a = pc[kHandlerUnits];
  switch (fo->kind) {
    case FKind::FromI32: case FKind::FromI64: {
      const x::Mem src = fo->kind == FKind::FromI32 ? cell32(a) : cell(a);
      a_.xorps(x::xmm0, x::xmm0);  // cvtsi2s* writes only the low lane
      fo->f64 ? a_.cvtsi2sd(x::xmm0, src) : a_.cvtsi2ss(x::xmm0, src);
      store_float(pc[kHandlerUnits + 1], x::xmm0, fo->f64);
      return true;
    }
    case FKind::Promote:
      a_.xorps(x::xmm0, x::xmm0);
      a_.cvtss2sd(x::xmm0, cell32(a));
      store_float(pc[kHandlerUnits + 1], x::xmm0, true);
      return true;
    case FKind::Demote:
      a_.xorps(x::xmm0, x::xmm0);
      a_.cvtsd2ss(x::xmm0, cell(a));
      store_float(pc[kHandlerUnits + 1], x::xmm0, false);
      return true;
    default: break;
  }
  if (is_float_compare(fo->kind)) {
    emit_float_compare(fo->kind, fo->f64, a, pc[kHandlerUnits + 1]);
    a_.mov(cell(pc[kHandlerUnits + 2]), x::rax);
    return true;
  }
  fo->f64 ? a_.movsd(x::xmm0, cell(a)) : a_.movss(x::xmm0, cell32(a));
  emit_float_arith(fo->kind, fo->f64, x::xmm0, cell_sized(pc[kHandlerUnits + 1], fo->f64));
  store_float(pc[kHandlerUnits + 2], x::xmm0, fo->f64);
  return true;
}

const CompiledFunc* Compiler::direct_callee(Unit func_index) const {
  if (func_index < num_imported_ || func_index - num_imported_ >= funcs_.size()) return nullptr;
  const CompiledFunc& callee = funcs_[func_index - num_imported_];
  return callee.frame_cells <= kMaxJitFrameCells ? &callee : nullptr;
}

void Compiler::emit_call(Unit func_index, Unit arg_base) {
  if (direct_callee(func_index) != nullptr) {
    auto [it, inserted] = direct_stubs_.try_emplace(func_index - num_imported_);
    if (inserted) it->second = a_.newLabel();
    a_.lea(x::rdi, cell(arg_base));
    a_.call(it->second);
    emit_back_to_caller_frame(arg_base);
    return;
  }
  a_.mov(x::rsi, ST(funcs));
  a_.mov(x::rsi, x::qword_ptr(x::rsi, static_cast<int32_t>(func_index * 8)));
  a_.lea(x::rdi, cell(arg_base));
  a_.call(call_stub_);
  emit_back_to_caller_frame(arg_base);
}

// Every call leaves the callee's frame in kFp, whose start is the caller's
// argument cells: the caller's frame is an offset away. (The return stub
// loaded it from the call record, at the end of a chain of loads through
// the call depth that every frame access after the call waited for: fib
// took 1.12x its time so.)
void Compiler::emit_back_to_caller_frame(Unit arg_base) {
  if (arg_base != 0) a_.sub(kFp, static_cast<int32_t>(arg_base * 8));
}

void Compiler::emit_call_indirect(const Unit* pc) {
  std::optional<TableElemsLayout> elems = table_elems_layout();
  if (!elems) {
    emit_resolve_and_call_indirect(pc);
    return;
  }
  // The interpreter's checks inline, in its order: the index in bounds,
  // a non-null element, the canonical signature id. Any failure goes to
  // the C++ checks, which trap with the interpreter's message (it names
  // the element).
  Label slow = a_.newLabel(), resolved = a_.newLabel();
  a_.mov(x::eax, cell32(pc[5]));  // the index, zero-extended
  a_.mov(x::rcx, ST(tables));
  a_.mov(x::rcx, x::qword_ptr(x::rcx, static_cast<int32_t>(pc[3] * 8)));
  a_.mov(x::rdx, x::qword_ptr(x::rcx, elems->begin));
  a_.mov(x::rcx, x::qword_ptr(x::rcx, elems->end));
  a_.sub(x::rcx, x::rdx);
  a_.shr(x::rcx, 3);
  a_.cmp(x::rax, x::rcx);
  a_.jae(slow);
  a_.mov(x::rsi, x::qword_ptr(x::rdx, x::rax, 3));
  a_.test(x::rsi, x::rsi);
  a_.jz(slow);
  a_.mov(x::rcx, ST(type_sig_ids));
  a_.mov(x::ecx, x::dword_ptr(x::rcx, static_cast<int32_t>(pc[2] * 4)));
  a_.cmp(x::dword_ptr(x::rsi, static_cast<int32_t>(offsetof(FuncInst, sig_id))), x::ecx);
  a_.jne(slow);
  a_.bind(resolved);
  a_.lea(x::rdi, cell(pc[4]));
  a_.call(call_stub_);
  emit_back_to_caller_frame(pc[4]);
  out_of_line_.defer([this, pc, slow, resolved] {
    a_.bind(slow);
    emit_resolve_indirect(pc);
    a_.jmp(resolved);
  });
}

void Compiler::emit_resolve_and_call_indirect(const Unit* pc) {
  emit_resolve_indirect(pc);
  a_.lea(x::rdi, cell(pc[4]));
  a_.call(call_stub_);
  emit_back_to_caller_frame(pc[4]);
}

void Compiler::emit_resolve_indirect(const Unit* pc) {
  // The checks in C++ (they name the element in the trap message).
  a_.mov(x::rdi, kSt);
  a_.mov(x::rsi, kFp);
  a_.mov(x::rdx, reinterpret_cast<uint64_t>(pc));
  a_.lea(x::rcx, ST(trap_scratch));
  a_.mov(x::rax, reinterpret_cast<uint64_t>(&resolve_indirect));
  a_.call(x::rax);
  a_.test(x::rax, x::rax);
  Label ok = a_.newLabel();
  a_.jnz(ok);
  a_.mov(x::eax, ST32(trap_scratch));
  a_.jmp(trap_eax_);
  a_.bind(ok);
  a_.mov(x::rsi, x::rax);
}

void Compiler::emit_instr(const Instr& in, const Unit* pc) {
  const void* helper = reinterpret_cast<const void*>(instr_helper(in.index));
  switch (in.family) {
    case Family::Generated: {
      if (emit_int(in.op, pc) || emit_float(in.op, pc)) return;
      if (interp::is_memory_access_op(in.op)) {
        if (emit_access(in.op, pc, false)) return;
        emit_helper(helper, pc, true, false);
        return;
      }
      emit_helper(helper, pc, interp::op_can_trap(in.op), false);
      return;
    }
    case Family::AddressSum:
      if (emit_access(in.op, pc, true)) return;
      emit_helper(helper, pc, true, false);
      return;
    case Family::Pair: {
      const interp::FusedPair& p = interp::kFusedPairs[in.index - interp::fused_pair_index(0)];
      std::optional<IntOp> first = int_op(p.first), second = int_op(p.second);
      if (first && second && first->kind == Kind::Bin && second->kind == Kind::Bin) {
        const bool wide = first->wide;
        load(x::rax, from_cell(pc[kHandlerUnits]), wide);
        emit_bin(first->bin, wide, x::rax, from_cell(pc[kHandlerUnits + 1]));
        if (p.right) {  // dst = c SECOND t
          load(x::rdx, from_cell(pc[kHandlerUnits + 2]), wide);
          emit_bin(second->bin, wide, x::rdx, from_reg(x::rax));
          a_.mov(cell(pc[kHandlerUnits + 3]), x::rdx);
        } else {
          emit_bin(second->bin, wide, x::rax, from_cell(pc[kHandlerUnits + 2]));
          a_.mov(cell(pc[kHandlerUnits + 3]), x::rax);
        }
        return;
      }
      std::optional<FloatOp> f1 = float_op(p.first), f2 = float_op(p.second);
      if (f1 && f2 && is_float_arith(f1->kind) && is_float_arith(f2->kind)) {
        const bool f64 = f1->f64;
        f64 ? a_.movsd(x::xmm0, cell(pc[kHandlerUnits])) : a_.movss(x::xmm0, cell32(pc[kHandlerUnits]));
        emit_float_arith(f1->kind, f64, x::xmm0, cell_sized(pc[kHandlerUnits + 1], f64));
        if (p.right) {  // dst = c SECOND t
          f64 ? a_.movsd(x::xmm1, cell(pc[kHandlerUnits + 2])) : a_.movss(x::xmm1, cell32(pc[kHandlerUnits + 2]));
          switch (f2->kind) {
            case FKind::Add: f64 ? a_.addsd(x::xmm1, x::xmm0) : a_.addss(x::xmm1, x::xmm0); break;
            case FKind::Sub: f64 ? a_.subsd(x::xmm1, x::xmm0) : a_.subss(x::xmm1, x::xmm0); break;
            case FKind::Mul: f64 ? a_.mulsd(x::xmm1, x::xmm0) : a_.mulss(x::xmm1, x::xmm0); break;
            default: f64 ? a_.divsd(x::xmm1, x::xmm0) : a_.divss(x::xmm1, x::xmm0); break;
          }
          store_float(pc[kHandlerUnits + 3], x::xmm1, f64);
        } else {
          emit_float_arith(f2->kind, f64, x::xmm0, cell_sized(pc[kHandlerUnits + 2], f64));
          store_float(pc[kHandlerUnits + 3], x::xmm0, f64);
        }
        return;
      }
      emit_helper(helper, pc, false, false);
      return;
    }
    case Family::BT: case Family::BF: case Family::BTI: case Family::BTF: case Family::BTLF: {
      std::optional<x::CondCode> cc = emit_condition_flags(in.op, pc);
      if (!cc) {
        emit_helper(helper, pc, false, false);
        a_.test(x::eax, x::eax);
        cc = x::CondCode::kNE;
      }
      emit_branch(in.family, *cc, pc, in.field);
      return;
    }
    case Family::ABT: case Family::ABF: case Family::ABTI: case Family::ABTF: case Family::ABTLF: {
      // dst = a + b (i32), then compare dst with rhs (which may be dst).
      a_.mov(x::eax, cell32(pc[kHandlerUnits]));
      a_.add(x::eax, cell32(pc[kHandlerUnits + 1]));
      a_.mov(cell(pc[kHandlerUnits + 2]), x::rax);
      a_.cmp(x::eax, cell32(pc[kHandlerUnits + 3]));
      emit_branch(branch_form(in.family), condition(int_op(in.op)->cond), pc, in.field);
      return;
    }
    case Family::Ir: break;
  }
  if (emit_common_ir(*this, in.ir, pc)) return;
  switch (in.ir) {
    case IrOp::Copy2:
      a_.mov(x::rax, cell(pc[3]));
      a_.mov(x::rdx, cell(pc[3] + 1));
      a_.mov(cell(pc[2]), x::rax);
      a_.mov(cell(pc[2] + 1), x::rdx);
      return;
    case IrOp::BrTable:
      a_.mov(x::eax, cell32(pc[2]));
      emit_jump_table(pc);
      return;
    case IrOp::CallIndirect: emit_call_indirect(pc); return;
    case IrOp::Select:
      a_.mov(x::rax, cell(pc[4]));
      a_.cmp(cell32(pc[5]), 0);
      a_.cmovne(x::rax, cell(pc[3]));
      a_.mov(cell(pc[2]), x::rax);
      return;
    case IrOp::GlobalSet:
      a_.mov(x::rax, cell(pc[3]));
      emit_global_set_rax(pc[2]);
      return;
    case IrOp::I32AddGlobalSet:
    case IrOp::I32SubGlobalSet:
      a_.mov(x::eax, cell32(pc[2]));
      if (in.ir == IrOp::I32AddGlobalSet) a_.add(x::eax, cell32(pc[3]));
      else a_.sub(x::eax, cell32(pc[3]));
      a_.mov(cell(pc[4]), x::rax);
      emit_global_set_rax(pc[5]);
      return;
    case IrOp::MemorySize:
      a_.mov(x::rax, ST(mem_size));
      a_.shr(x::rax, 16);
      a_.mov(cell(pc[2]), x::rax);
      return;    default:
      // Tables, bulk memory, memory.grow, v128 globals and selects: the
      // C++ helpers (which may charge fuel and grow memory).
      emit_helper(helper, pc, true, true);
      return;
  }
}

void Compiler::begin_function(const CompiledFunc& cf, size_t* entry_offset) {
  a_.align(asmjit::AlignMode::kCode, 16);
  *entry_offset = a_.offset();
  Label entry = a_.newLabel();
  a_.bind(entry);
  add_local_entry(cf.func_index - num_imported_, entry);
}

void Compiler::emit_prologue(const CompiledFunc& cf, bool frame_init) {
  // The interpreter's `enter`: entry fuel (the call stub checked for an
  // interrupt), locals zeroed and constants copied in.
  back_edge_polls_ = cf.check_interrupt;
  emit_fuel_charge(cf.entry_fuel);
  if (!frame_init) return;
  if (cf.init_cell != cf.num_param_cells) {
    a_.lea(x::rdi, cell(cf.num_param_cells));
    a_.mov(x::ecx, cf.num_local_cells - cf.num_param_cells);
    a_.xor_(x::eax, x::eax);
    a_.rep().stosq();
  }
  if (cf.frame_init.size() > 32) {
    a_.lea(x::rdi, cell(cf.init_cell));
    a_.mov(x::rsi, reinterpret_cast<uint64_t>(cf.frame_init.data()));
    a_.mov(x::rcx, cf.frame_init.size());
    a_.rep().movsq();
  } else {
    bool zero_in_rax = false;
    for (size_t i = 0; i < cf.frame_init.size(); ++i) {
      const Cell v = cf.frame_init[i];
      const Unit c = cf.init_cell + static_cast<Unit>(i);
      if (v == 0) {  // zeros (most of it: the locals) share one register
        if (!zero_in_rax) a_.xor_(x::eax, x::eax);
        zero_in_rax = true;
        a_.mov(cell(c), x::rax);
      } else {
        emit_const(c, v);
        if (static_cast<int64_t>(v) != static_cast<int32_t>(v)) zero_in_rax = false;  // it used rax
      }
    }
  }
}

bool Compiler::emit_function(const CompiledFunc& cf, size_t* entry_offset) {
  if (cf.frame_cells > kMaxJitFrameCells) return false;
  if (optimize_ && opt::x64::compile_function(*this, cf, entry_offset)) return true;
  if (!function_.scan(cf, a_)) return false;

  begin_function(cf, entry_offset);
  emit_prologue(cf);
  // Pass 2. Every target is an instruction's start (or the end): one left
  // unbound makes asmjit refuse the module.
  function_.emit_all(a_, [this](const Instr& in, const Unit* pc) { emit_instr(in, pc); });
  a_.int3();  // translated code never falls off its end
  out_of_line_.emit_deferred();
  return true;
}

}  // namespace wasmrt::jit::x64

namespace wasmrt::jit {

using codegen::compile_module_with;
using interp::CompiledFunc;

bool available() { return true; }
bool optimizing_available() { return true; }

Result<std::shared_ptr<const JitCode>> compile_functions(const std::vector<CompiledFunc>& funcs,
                                                         std::span<const uint32_t> which, const interp::Tier* as,
                                                         interp::BoundsChecks bounds) {
  return compile_module_with(funcs, which, as, bounds, [&funcs](asmjit::CodeHolder& holder, bool guarded) {
    return std::make_unique<x64::Compiler>(holder, guarded, false, funcs);
  });
}

Result<std::shared_ptr<const JitCode>> compile_functions_optimized(const std::vector<CompiledFunc>& funcs,
                                                                   std::span<const uint32_t> which,
                                                                   const interp::Tier* as, interp::BoundsChecks bounds) {
  return compile_module_with(funcs, which, as, bounds, [&funcs](asmjit::CodeHolder& holder, bool guarded) {
    return std::make_unique<x64::Compiler>(holder, guarded, true, funcs);
  });
}

}  // namespace wasmrt::jit
