// AArch64 code generation from translated code (see jit/jit.h, docs/jit.md):
// the counterpart of jit/x64/compile.cc, in the same order, with the same
// contract. What both share (decoding, classification, branch targets, the
// branch forms' fuel rule, the control-flow IrOps, trap exits, the module
// driver) is jit/codegen.h; this file is instruction selection.
//
// Values stay in their frame cells (x19-relative) exactly as under the
// interpreter; each instruction becomes a few loads, an operation and a
// store, branches become direct branches. Integer arithmetic, comparisons,
// branches, copies, globals, calls, the scalar memory accesses and the
// common floating-point operations are expanded inline; every other
// instruction calls the C++ code the interpreter runs for it
// (jit_state.h's instr_helper), so both tiers compute alike.
//
// Calls do not grow the native stack: `bl` leaves the return address in
// x30, the call stub stores it in the interpreter's call record (same
// layout, same limits), and the return stub loads it back and executes
// `ret`, so calls and returns stay paired for the return predictor.
//
// Conditional branches (b.cond, cbz, tbz) reach ±1 MiB: a function's
// branch targets, trap exits and out-of-line paths are all emitted inside
// the function, which is why a function's machine code must stay under
// that size (kMaxFunctionBytes) and reaches the module's shared stubs only
// through unconditional branches (±128 MiB).
#include "jit/a64/compiler.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "jit/codegen.h"
#include "runtime/store/interrupt.h"

namespace wasmrt::jit::arm64 {

namespace {

// Notes that asmjit refused something (a trial compilation's holder).
class ErrorFlag final : public asmjit::ErrorHandler {
 public:
  void handleError(asmjit::Error, const char*, asmjit::BaseEmitter*) override { failed = true; }
  bool failed = false;
};

}  // namespace

void Compiler::load_imm(const a64::Gp& r, uint64_t value) {
  const a64::Gp x = r.x();
  int zeros = 0, ones = 0;
  for (int i = 0; i < 4; ++i) {
    const uint64_t chunk = (value >> (16 * i)) & 0xffff;
    zeros += chunk == 0;
    ones += chunk == 0xffff;
  }
  // movn starts from all ones: fewer instructions for negative values.
  const bool inverted = ones > zeros;
  const uint64_t skip = inverted ? 0xffff : 0;
  bool first = true;
  for (uint32_t i = 0; i < 4; ++i) {
    const uint64_t chunk = (value >> (16 * i)) & 0xffff;
    if (chunk == skip) continue;
    if (first) {
      inverted ? a_.movn(x, ~chunk & 0xffff, 16 * i) : a_.movz(x, chunk, 16 * i);
      first = false;
    } else {
      a_.movk(x, chunk, 16 * i);
    }
  }
  if (first) inverted ? a_.movn(x, 0, 0) : a_.movz(x, 0, 0);
}

arm::Mem Compiler::cell(Unit c, uint32_t size) {
  const uint64_t offset = uint64_t{c} * 8;
  if (offset / size < 4096) return arm::ptr(kFp, static_cast<int32_t>(offset));  // scaled 12-bit offset
  load_imm(kOffset, offset);
  return arm::ptr(kFp, kOffset);
}

void Compiler::cell_address(const a64::Gp& r, Unit c) {
  const uint64_t offset = uint64_t{c} * 8;
  if (offset < 4096) {
    a_.add(r, kFp, offset);
  } else {
    load_imm(kOffset, offset);
    a_.add(r, kFp, kOffset);
  }
}

void Compiler::global_inst(const a64::Gp& r, Unit index) { load_pointer_at(r, kGlobals, index); }

void Compiler::load_pointer_at(const a64::Gp& r, const a64::Gp& array, Unit index) {
  const uint64_t offset = uint64_t{index} * 8;
  if (offset < 32768) {
    a_.ldr(r, arm::ptr(array, static_cast<int32_t>(offset)));
  } else {
    load_imm(kOffset, offset);
    a_.ldr(r, arm::ptr(array, kOffset));
  }
}

void Compiler::emit_shared() {
  trampoline_ = a_.newLabel();
  exit_ = a_.newLabel();
  exit_ok_ = a_.newLabel();
  trap_w0_ = a_.newLabel();
  call_stub_ = a_.newLabel();
  return_stub_ = a_.newLabel();
  back_edge_stop_ = a_.newLabel();
  poll_stub_ = a_.newLabel();
  using namespace a64;  // NOLINT: register names

  // uint32_t trampoline(JitState* st, const void* entry, Cell* fp)
  // Saves the callee-saved registers the code uses (and x24, to keep the
  // stack 16-byte aligned), then jumps to the entry: the entry function's
  // return reaches exit_ok_ through the return stub, so no return address
  // has to survive in x30 (every helper call overwrites it).
  a_.bind(trampoline_);
  a_.stp(x29, x30, arm::ptr_pre(sp, -64));
  a_.stp(x19, x20, arm::ptr(sp, 16));
  a_.stp(x21, x22, arm::ptr(sp, 32));
  a_.stp(x23, x24, arm::ptr(sp, 48));
  a_.mov(x29, sp);
  a_.mov(kSt, x0);
  a_.mov(kFp, x2);
  a_.ldr(kFuel, ST(fuel));
  a_.ldr(kMemBase, ST(mem_base));
  a_.ldr(kGlobals, ST(globals));
  a_.mov(x9, sp);
  a_.str(x9, ST(saved_rsp));
  a_.br(x1);
  a_.bind(exit_ok_);
  a_.mov(w0, wzr);
  a_.bind(exit_);
  a_.str(kFuel, ST(fuel));
  a_.ldp(x23, x24, arm::ptr(sp, 48));
  a_.ldp(x21, x22, arm::ptr(sp, 32));
  a_.ldp(x19, x20, arm::ptr(sp, 16));
  a_.ldp(x29, x30, arm::ptr_post(sp, 64));
  a_.ret(x30);
  // A trap (code in w0) from any depth: drop the native stack above the
  // trampoline's frame.
  a_.bind(trap_w0_);
  a_.ldr(x9, ST(saved_rsp));
  a_.mov(sp, x9);
  a_.b(exit_);

  // Call stub: x1 = callee FuncInst*, x0 = the callee's frame (nfp);
  // entered by `bl`, so the return address is in x30.
  {
    Label slow = a_.newLabel(), switch_instance_label = a_.newLabel();
    Label exhausted = trap_label(TrapCode::CallStackExhausted);
    a_.bind(call_stub_);
    a_.ldr(x2, arm::ptr(x1, static_cast<int32_t>(offsetof(FuncInst, code))));
    a_.cbz(x2, slow);
    a_.ldr(x9, arm::ptr(x2, compiled_func_offset(&CompiledFunc::jit_entry)));
    a_.cbz(x9, slow);
    emit_call_record(std::nullopt, exhausted);
    a_.str(x1, ST(cur));
    a_.mov(kFp, x0);
    // The callee's entry check for interrupts (the interpreter's `enter`),
    // here rather than in every function: the callee is frame #0 already.
    Label entry_poll = a_.newLabel(), polled = a_.newLabel();
    emit_any_pending_load(a64::w8);
    a_.cbnz(w8, entry_poll);
    a_.bind(polled);
    a_.ldr(x8, arm::ptr(x1, static_cast<int32_t>(offsetof(FuncInst, instance))));
    a_.ldr(x10, ST(inst));
    a_.cmp(x8, x10);
    a_.b(CondCode::kNE, switch_instance_label);
    a_.br(x9);
    a_.bind(entry_poll);
    a_.ldrb(w8, arm::ptr(x2, compiled_func_offset(&CompiledFunc::check_interrupt)));
    a_.tbz(w8, 0, polled);
    a_.stp(x9, x1, arm::ptr_pre(sp, -16));
    a_.bl(poll_stub_);
    a_.ldp(x9, x1, arm::ptr_post(sp, 16));
    a_.b(polled);
    a_.bind(switch_instance_label);
    a_.str(x9, arm::ptr_pre(sp, -16));  // the entry
    emit_switch_instance();
    a_.ldr(x9, arm::ptr_post(sp, 16));
    a_.br(x9);
    // Host functions and functions without machine code. The call site
    // finds the callee's frame in kFp afterwards, as after a wasm callee.
    a_.bind(slow);
    a_.mov(kFp, x0);
    a_.str(x30, arm::ptr_pre(sp, -16));
    a_.str(kFuel, ST(fuel));
    a_.mov(x2, x0);
    a_.mov(x0, kSt);
    call_cpp(reinterpret_cast<const void*>(&call_slow));
    a_.ldr(x30, arm::ptr_post(sp, 16));
    a_.ldr(kFuel, ST(fuel));
    a_.cbnz(w0, trap_w0_);
    a_.ret(x30);
  }

  // Return stub: the results are in the frame's first cells already.
  {
    Label switch_instance_label = a_.newLabel();
    a_.bind(return_stub_);
    a_.ldr(x6, ST(rec));  // this depth's record
    a_.ldr(x4, ST(entry_rec));
    a_.cmp(x6, x4);
    a_.b(CondCode::kEQ, exit_ok_);
    // (The caller's frame is not loaded from the record: the call site
    // sets it from the callee's, emit_back_to_caller_frame.)
    a_.ldr(x30, arm::ptr(x6));
    a_.ldr(x8, arm::ptr(x6, 16));
    a_.str(x8, ST(cur));
    a_.add(x3, x6, kCallRecordCells * sizeof(Cell));
    a_.str(x3, ST(rec));
    a_.ldr(x8, arm::ptr(x8, static_cast<int32_t>(offsetof(FuncInst, instance))));
    a_.ldr(x10, ST(inst));
    a_.cmp(x8, x10);
    a_.b(CondCode::kNE, switch_instance_label);
    a_.ret(x30);
    a_.bind(switch_instance_label);
    a_.str(x30, arm::ptr_pre(sp, -16));
    emit_switch_instance();
    a_.ldr(x30, arm::ptr_post(sp, 16));
    a_.ret(x30);
  }

  // Interrupt poll, slow path (the process-wide word was set): entered by
  // `bl` from a function body or the call stub.
  a_.bind(poll_stub_);
  a_.str(x30, arm::ptr_pre(sp, -16));
  a_.str(kFuel, ST(fuel));
  a_.mov(x0, kSt);
  call_cpp(reinterpret_cast<const void*>(&poll_interrupt));
  a_.ldr(x30, arm::ptr_post(sp, 16));
  a_.cbnz(w0, trap_w0_);
  a_.ret(x30);

  // A metered back edge that may not be taken: an interrupt, else no fuel.
  a_.bind(back_edge_stop_);
  a_.str(kFuel, ST(fuel));
  a_.mov(x0, kSt);
  call_cpp(reinterpret_cast<const void*>(&back_edge_trap));
  a_.b(trap_w0_);

  emit_trap_stubs();
}

void Compiler::emit_call_record(std::optional<uint64_t> frame_cells, Label exhausted) {
  using namespace a64;  // NOLINT: register names
  // The interpreter's limits: call depth (the callee's record, x6, is not
  // below JitState::min_rec), then room for the frame below that record.
  a_.ldr(x6, ST(rec));
  a_.sub(x6, x6, kCallRecordCells * sizeof(Cell));
  a_.ldr(x4, ST(min_rec));
  a_.cmp(x6, x4);
  a_.b(CondCode::kLO, exhausted);
  if (frame_cells) {
    // The frame must end at or before the record (frame_cells < 2^27:
    // addresses do not wrap).
    load_imm(x7, *frame_cells * 8);
    a_.add(x7, x0, x7);
    a_.cmp(x7, x6);
    a_.b(CondCode::kHI, exhausted);
  } else {
    a_.subs(x7, x6, x0);
    a_.b(CondCode::kLO, exhausted);  // the frame starts past the record
    a_.lsr(x7, x7, 3);
    a_.ldr(x8, arm::ptr(x2, compiled_func_offset(&CompiledFunc::frame_cells)));
    a_.cmp(x8, x7);
    a_.b(CondCode::kHI, exhausted);
  }
  a_.stp(x30, kFp, arm::ptr(x6));  // the return address and caller frame go into the record
  a_.ldr(x8, ST(cur));
  a_.str(x8, arm::ptr(x6, 16));
  a_.str(x6, ST(rec));
}

const CompiledFunc* Compiler::direct_callee(Unit func_index) const {
  if (func_index < num_imported_ || func_index - num_imported_ >= funcs_.size()) return nullptr;
  const CompiledFunc& callee = funcs_[func_index - num_imported_];
  return callee.frame_cells <= kMaxJitFrameCells ? &callee : nullptr;
}

// A direct call stub: the call stub specialised to one function of this
// module, entered by `bl` with the callee's frame in x0, as on x86-64
// (x64::Compiler::emit_direct_stubs says what is known here and what is
// still checked). Conditional branches reach only 1 MiB: the trap exits
// are emitted after every few stubs.
void Compiler::emit_direct_stubs() {
  finish_local_entries();
  using namespace a64;  // NOLINT: register names
  size_t emitted = 0;
  for (const auto& [defined, stub] : direct_stubs_) {
    if (emitted++ % 64 == 63) emit_trap_stubs();
    const Label exhausted = trap_label(TrapCode::CallStackExhausted);
    const CompiledFunc& callee = funcs_[defined];
    const uint32_t func_index = num_imported_ + defined;
    const Label entry = local_entry(defined);
    const bool local = entry.isValid();
    Label generic = a_.newLabel(), poll = a_.newLabel(), polled = a_.newLabel();
    a_.align(asmjit::AlignMode::kCode, 16);
    a_.bind(stub);
    if (!local) {
      load_imm(x9, reinterpret_cast<uint64_t>(&callee.jit_entry));
      a_.ldr(x9, arm::ptr(x9));
      a_.cbz(x9, generic);
    }
    emit_call_record(callee.frame_cells, exhausted);
    load_func_inst(x1, func_index);
    a_.str(x1, ST(cur));
    a_.mov(kFp, x0);
    if (callee.check_interrupt) {
      // (Not `cbz` to a local entry: the stubs follow all of the module's
      // code, past cbz's 1 MiB reach from most entries.)
      emit_any_pending_load(w8);
      a_.cbnz(w8, poll);
      a_.bind(polled);
    }
    if (local) a_.b(entry);
    else a_.br(x9);
    if (callee.check_interrupt) {
      // As the generic stub's entry poll: the callee is frame #0 already
      // (x30 is in the record).
      a_.bind(poll);
      if (!local) a_.str(x9, arm::ptr_pre(sp, -16));
      a_.bl(poll_stub_);
      if (!local) a_.ldr(x9, arm::ptr_post(sp, 16));
      a_.b(polled);
    }
    if (!local) {
      // No machine code (yet): the generic stub, with the return address
      // still in x30, calls out.
      a_.bind(generic);
      load_func_inst(x1, func_index);
      a_.b(call_stub_);
    }
  }
}

void Compiler::load_func_inst(const a64::Gp& r, Unit func_index) {
  a_.ldr(r, ST(funcs));
  load_pointer_at(r, r, func_index);
}

// Makes x8 (an InstanceData*) the running instance. Clobbers x30: callers
// save it (and anything else they need) first.
void Compiler::emit_switch_instance() {
  // The fuel register's meaning follows the instance's module (jit_state.h).
  a_.str(kFuel, ST(fuel));
  a_.mov(a64::x1, a64::x8);
  a_.mov(a64::x0, kSt);
  call_cpp(reinterpret_cast<const void*>(&switch_instance));
  a_.ldr(kMemBase, ST(mem_base));
  a_.ldr(kGlobals, ST(globals));
  a_.ldr(kFuel, ST(fuel));
}

void Compiler::emit_any_pending_load(const a64::Gp& w) {
  // Code without fuel keeps the word's address in the fuel register: one
  // load, not two dependent ones.
  if (fuel_code()) {
    a_.ldr(w.x(), ST(any_pending));
    a_.ldr(w, arm::ptr(w.x()));
  } else {
    a_.ldr(w, arm::ptr(kFuel));
  }
}

void Compiler::emit_trap_stubs() {
  out_of_line_.emit_trap_exits(a_, [this](uint32_t code) {
    a_.movz(a64::w0, code, 0);
    a_.b(trap_w0_);
  });
  for (auto& [id, labels] : veneers_) {
    a_.bind(labels.first);
    a_.b(labels.second);
  }
  veneers_.clear();
}

void Compiler::emit_helper(const void* fn, const Unit* pc, bool may_trap, bool sync_fuel) {
  if (sync_fuel) a_.str(kFuel, ST(fuel));
  a_.mov(a64::x0, kFp);
  load_imm(a64::x1, reinterpret_cast<uint64_t>(pc));
  a_.mov(a64::x2, kSt);
  call_cpp(fn);
  if (sync_fuel) a_.ldr(kFuel, ST(fuel));
  if (may_trap) a_.cbnz(a64::w0, near(trap_w0_));
}

// A charge is `subs` then `b.lt` (the same signed test as after `cmp`:
// fuel is never negative, so the subtraction cannot overflow), not
// cmp/b.lt/sub. A failed charge must leave the fuel unchanged
// (docs/fuel.md), so its out-of-line path adds the cost back first.
void Compiler::emit_fuel_charge(uint64_t cost) {
  if (cost == 0) return;
  const Label refund = a_.newLabel();
  fuel_arith(cost, true, true);
  a_.b(CondCode::kLT, refund);
  const Label trap = trap_label(TrapCode::OutOfFuel);
  out_of_line_.defer([this, refund, trap, cost] {
    a_.bind(refund);
    fuel_arith(cost, false, false);
    a_.b(trap);
  });
}

void Compiler::emit_sunk_fuel_charge(uint64_t block_cost, uint64_t fall_cost) {
  const Label fail = a_.newLabel();
  fuel_arith(block_cost + fall_cost, true, true);
  a_.b(CondCode::kLT, fail);
  const Label trap = trap_label(TrapCode::OutOfFuel);
  out_of_line_.defer([this, fail, trap, block_cost, fall_cost] {
    a_.bind(fail);
    fuel_arith(fall_cost, false, false);
    a_.cmp(kFuel, 0);
    a_.b(CondCode::kGE, trap);  // the block's charge alone fits: taken, as the interpreter does
    fuel_arith(block_cost, false, false);
    a_.b(trap);
  });
}

// kFuel -= cost (subtract; `flags`: subs) or kFuel += cost.
void Compiler::fuel_arith(uint64_t cost, bool subtract, bool flags) {
  if (cost < 4096) {
    if (!subtract) a_.add(kFuel, kFuel, cost);
    else if (flags) a_.subs(kFuel, kFuel, cost);
    else a_.sub(kFuel, kFuel, cost);
    return;
  }
  load_imm(kCallTarget, cost);
  if (!subtract) a_.add(kFuel, kFuel, kCallTarget);
  else if (flags) a_.subs(kFuel, kFuel, kCallTarget);
  else a_.sub(kFuel, kFuel, kCallTarget);
}

void Compiler::emit_poll(const std::vector<arm::Reg>& kept, uint64_t refund, Label then_jump) {
  // The process-wide word first: no interrupt anywhere is the common case.
  // Before a back edge's jump the poll's own branch is that jump (one
  // taken branch per iteration, not a not-taken one and a jump; a
  // function's code fits cbz's range: kMaxFunctionBytes).
  Label slow = a_.newLabel(), back = then_jump.isValid() ? then_jump : a_.newLabel();
  emit_any_pending_load(a64::w9);
  if (then_jump.isValid()) {
    a_.cbz(a64::w9, then_jump);
    a_.b(slow);
  } else {
    a_.cbnz(a64::w9, slow);
    a_.bind(back);
  }
  out_of_line_.defer([this, slow, back, kept, refund] {
    a_.bind(slow);
    // A back edge charged its loop's fuel before this poll; an interrupt
    // wins over that charge (docs/fuel.md), so the poll sees the fuel as it
    // was, and the charge is made again if the poll lets the loop go on.
    if (refund != 0) fuel_arith(refund, false, false);
    // The poll calls C++: registers whose values the code after it
    // expects (the optimizing tier's) are saved around it, 8 bytes each
    // (vector registers hold scalars), in a multiple of 16 bytes.
    const int32_t bytes = static_cast<int32_t>((kept.size() * 8 + 15) / 16 * 16);
    auto save_or_restore = [&](bool save) {
      for (size_t i = 0; i < kept.size(); ++i) {
        const arm::Mem slot = arm::ptr(a64::sp, static_cast<int32_t>(i * 8));
        const arm::Reg& r = kept[i];
        if (r.isGp()) {
          save ? a_.str(a64::x(r.id()), slot) : a_.ldr(a64::x(r.id()), slot);
        } else {
          save ? a_.str(a64::d(r.id()), slot) : a_.ldr(a64::d(r.id()), slot);
        }
      }
    };
    if (bytes != 0) {
      a_.sub(a64::sp, a64::sp, bytes);
      save_or_restore(true);
    }
    a_.bl(poll_stub_);
    if (bytes != 0) {
      save_or_restore(false);
      a_.add(a64::sp, a64::sp, bytes);
    }
    if (refund != 0) fuel_arith(refund, true, false);
    a_.b(back);
  });
}

// A taken back edge: interrupt checks, and with fuel, the loop body's cost
// (an interrupt wins over running out of fuel, as in the interpreter).
void Compiler::emit_back_edge(uint32_t loop_cost, Label target_label, bool irq_only,
                              const std::vector<arm::Reg>& kept) {
  if (irq_only) {
    if (back_edge_polls_) emit_poll(kept, 0, target_label);
    else a_.b(target_label);
    return;
  }
  // Charged first (see emit_fuel_charge); both stops see the fuel as it
  // was before the charge.
  const Label refund = a_.newLabel();
  fuel_arith(loop_cost, true, true);
  a_.b(CondCode::kLT, refund);
  out_of_line_.defer([this, refund, loop_cost] {
    a_.bind(refund);
    fuel_arith(loop_cost, false, false);
    a_.b(back_edge_stop_);
  });
  if (back_edge_polls_) emit_poll(kept, loop_cost, target_label);
  else a_.b(target_label);
}

void Compiler::emit_bin(Bin bin, bool wide, const a64::Gp& dst, const a64::Gp& lhs, const a64::Gp& rhs) {
  const a64::Gp d = sized(dst, wide), l = sized(lhs, wide), r = sized(rhs, wide);
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
      const a64::Gp negated = sized(a64::x12, wide);
      a_.neg(negated, r);
      a_.rorv(d, l, negated);
      return;
    }
  }
}

bool Compiler::emit_int(Op op, const Unit* pc) {
  std::optional<IntOp> io = int_op(op);
  if (!io) return false;
  using namespace a64;  // NOLINT: register names
  const Unit a = pc[kHandlerUnits];
  switch (io->kind) {
    case Kind::Bin:
      load(x9, a, io->wide);
      load(x10, pc[kHandlerUnits + 1], io->wide);
      emit_bin(io->bin, io->wide, x9, x9, x10);
      store(x9, pc[kHandlerUnits + 2]);
      return true;
    case Kind::Cmp:
      load(x9, a, io->wide);
      load(x10, pc[kHandlerUnits + 1], io->wide);
      a_.cmp(sized(x9, io->wide), sized(x10, io->wide));
      a_.cset(w9, condition(io->cond));
      store(x9, pc[kHandlerUnits + 2]);
      return true;
    case Kind::Eqz:
      load(x9, a, io->wide);
      a_.cmp(sized(x9, io->wide), 0);
      a_.cset(w9, CondCode::kEQ);
      store(x9, pc[kHandlerUnits + 1]);
      return true;
    case Kind::Move:  // a 32-bit load zero-extends, as the interpreter's cells are
      load(x9, a, io->from_bytes == 8);
      store(x9, pc[kHandlerUnits + 1]);
      return true;
    case Kind::SignExtend: {
      const a64::Gp d = sized(x9, io->wide);
      if (io->from_bytes == 1) a_.ldrsb(d, cell(a, 1));
      else if (io->from_bytes == 2) a_.ldrsh(d, cell(a, 2));
      else a_.ldrsw(x9, cell(a, 4));
      store(x9, pc[kHandlerUnits + 1]);
      return true;
    }
  }
  return false;
}

std::optional<CondCode> Compiler::emit_condition_flags(Op op, const Unit* pc) {
  if (std::optional<FloatOp> fo = float_op(op); fo && is_float_compare(fo->kind))
    return emit_float_compare(fo->kind, fo->f64, pc[kHandlerUnits], pc[kHandlerUnits + 1]);
  std::optional<IntOp> io = int_op(op);
  if (!io) return std::nullopt;
  using namespace a64;  // NOLINT: register names
  const Unit a = pc[kHandlerUnits];
  switch (io->kind) {
    case Kind::Cmp:
      load(x9, a, io->wide);
      load(x10, pc[kHandlerUnits + 1], io->wide);
      a_.cmp(sized(x9, io->wide), sized(x10, io->wide));
      return condition(io->cond);
    case Kind::Eqz:
      load(x9, a, io->wide);
      a_.cmp(sized(x9, io->wide), 0);
      return CondCode::kEQ;
    case Kind::Bin:
      load(x9, a, io->wide);
      load(x10, pc[kHandlerUnits + 1], io->wide);
      if (io->bin == Bin::And) {  // `a & b` as a condition: tst
        a_.tst(sized(x9, io->wide), sized(x10, io->wide));
        return CondCode::kNE;
      }
      emit_bin(io->bin, io->wide, x9, x9, x10);
      a_.cmp(sized(x9, io->wide), 0);
      return CondCode::kNE;
    default:
      return std::nullopt;
  }
}

Compiler::MemoryOperand Compiler::memory_operand(const Access& acc, uint64_t offset, const a64::Gp& index_reg,
                                                 bool low32) {
  using namespace a64;  // NOLINT: register names
  const bool unchecked = elides_bounds_check(acc, guarded());
  a64::Gp index = index_reg.x();
  if (low32) {
    if (unchecked && offset == 0) return {true, index, true};
    a_.mov(w9, index.w());  // zero-extends
    index = x9;
  }
  // The effective address, address + offset in 64 bits (no wrap): index or x10.
  const a64::Gp effective = offset == 0 ? index : a64::Gp(x10);
  if (offset != 0 && offset < 4096) {
    a_.add(x10, index, offset);
  } else if (offset != 0) {
    load_imm(x10, offset);
    a_.add(x10, index, x10);
  }
  if (!unchecked) {
    // In bounds when effective + width <= size.
    a_.add(x11, effective, acc.bytes);
    a_.ldr(x12, ST(mem_size));
    a_.cmp(x11, x12);
    a_.b(CondCode::kHI, trap_label(TrapCode::MemoryOutOfBounds));
  }
  // Unchecked, out of bounds faults in the guard regions (fault_handler.h).
  return {unchecked, effective};
}

void Compiler::emit_jump_table(const Unit* pc) {
  using namespace a64;  // NOLINT: register names
  const uint32_t n = pc[3];
  Label table = a_.newLabel();
  load_imm(x10, n);
  a_.cmp(w9, w10);
  a_.csel(w9, w9, w10, CondCode::kLO);  // past the end: the default, rel[n]
  a_.adr(x10, table);
  a_.ldrsw(x11, arm::ptr(x10, x9, arm::lsl(2)));
  a_.add(x10, x10, x11);
  a_.br(x10);
  out_of_line_.defer([this, table, pc, n] {
    a_.align(asmjit::AlignMode::kData, 4);
    a_.bind(table);
    for (uint32_t i = 0; i <= n; ++i) a_.embedLabelDelta(target(pc, 4 + i), table, 4);
  });
}

void Compiler::emit_call_indirect(const Unit* pc) {
  using namespace a64;  // NOLINT: register names
  std::optional<TableElemsLayout> elems = table_elems_layout();
  if (!elems) {
    emit_resolve_indirect(pc);
    cell_address(x0, pc[4]);
    a_.bl(call_stub_);
    emit_back_to_caller_frame(pc[4]);
    return;
  }
  // The interpreter's checks inline, in its order: the index in bounds, a
  // non-null element, the canonical signature id. Any failure goes to the
  // C++ checks, which trap with the interpreter's message (it names the
  // element).
  Label slow = a_.newLabel(), resolved = a_.newLabel();
  load(x9, pc[5], false);  // the index, zero-extended
  a_.ldr(x10, ST(tables));
  load_pointer_at(x10, x10, pc[3]);
  a_.ldr(x11, arm::ptr(x10, elems->begin));
  a_.ldr(x12, arm::ptr(x10, elems->end));
  a_.sub(x12, x12, x11);
  a_.lsr(x12, x12, 3);
  a_.cmp(x9, x12);
  a_.b(CondCode::kHS, slow);
  a_.ldr(x1, arm::ptr(x11, x9, arm::lsl(3)));
  a_.cbz(x1, slow);
  a_.ldr(x10, ST(type_sig_ids));
  load_imm(kOffset, uint64_t{pc[2]} * 4);
  a_.ldr(w10, arm::ptr(x10, kOffset));
  a_.ldr(w12, arm::ptr(x1, static_cast<int32_t>(offsetof(FuncInst, sig_id))));
  a_.cmp(w12, w10);
  a_.b(CondCode::kNE, slow);
  a_.bind(resolved);
  cell_address(x0, pc[4]);
  a_.bl(call_stub_);
  emit_back_to_caller_frame(pc[4]);
  out_of_line_.defer([this, pc, slow, resolved] {
    a_.bind(slow);
    emit_resolve_indirect(pc);
    a_.b(resolved);
  });
}

void Compiler::emit_resolve_indirect(const Unit* pc) {
  using namespace a64;  // NOLINT: register names
  // The checks in C++ (they name the element in the trap message).
  a_.mov(x0, kSt);
  a_.mov(x1, kFp);
  load_imm(x2, reinterpret_cast<uint64_t>(pc));
  a_.add(x3, kSt, static_cast<uint32_t>(offsetof(JitState, trap_scratch)));
  call_cpp(reinterpret_cast<const void*>(&resolve_indirect));
  Label ok = a_.newLabel();
  a_.cbnz(x0, ok);
  a_.ldr(w0, ST32(trap_scratch));
  a_.b(trap_w0_);
  a_.bind(ok);
  a_.mov(x1, x0);
}

bool Compiler::emit_access(Op op, const Unit* pc, bool summed) {
  std::optional<Access> acc = scalar_access(op);
  if (!acc) return false;
  using namespace a64;  // NOLINT: register names
  // The address: u32 (a sum wraps at 32 bits), zero-extended into x9.
  load(x9, pc[kHandlerUnits], false);
  if (summed) {
    load(x10, pc[kHandlerUnits + 1], false);
    a_.add(w9, w9, w10);
  }
  const Unit* fields = pc + (summed ? 1 : 0);
  const Unit value = fields[kHandlerUnits + 1];  // the loaded result or the stored value
  const MemoryOperand operand = memory_operand(*acc, fields[kHandlerUnits + 2]);
  const arm::Mem at = operand.at();
  if (acc->store) {
    a_.ldr(x12, cell(value));
    operand.mark_access(*this);
    switch (acc->bytes) {
      case 1: a_.strb(w12, at); break;
      case 2: a_.strh(w12, at); break;
      case 4: a_.str(w12, at); break;
      default: a_.str(x12, at); break;
    }
    return true;
  }
  const a64::Gp d = sized(x12, acc->wide);
  operand.mark_access(*this);
  switch (acc->bytes) {
    case 1: acc->sign ? a_.ldrsb(d, at) : a_.ldrb(w12, at); break;
    case 2: acc->sign ? a_.ldrsh(d, at) : a_.ldrh(w12, at); break;
    case 4: acc->sign ? a_.ldrsw(x12, at) : a_.ldr(w12, at); break;
    default: a_.ldr(x12, at); break;
  }
  store(x12, value);
  return true;
}

void Compiler::emit_float_arith(FKind kind, bool f64, const a64::Vec& dst, const a64::Vec& lhs,
                                const a64::Vec& rhs) {
  auto s = [f64](const a64::Vec& v) { return f64 ? a64::Vec(v.d()) : a64::Vec(v.s()); };
  switch (kind) {
    case FKind::Add: a_.fadd(s(dst), s(lhs), s(rhs)); break;
    case FKind::Sub: a_.fsub(s(dst), s(lhs), s(rhs)); break;
    case FKind::Mul: a_.fmul(s(dst), s(lhs), s(rhs)); break;
    case FKind::Div: a_.fdiv(s(dst), s(lhs), s(rhs)); break;
    default: break;
  }
}

void Compiler::store_float(Unit dst, const a64::Vec& value, bool f64) {
  if (f64) {
    a_.str(value.d(), cell(dst));
  } else {  // an f32 cell is written zero-extended, as by the interpreter
    a_.fmov(a64::w9, value.s());
    store(a64::x9, dst);
  }
}

CondCode Compiler::emit_float_compare(FKind kind, bool f64, Unit a, Unit b) {
  load_float(a64::v0, a, f64);
  load_float(a64::v1, b, f64);
  f64 ? a_.fcmp(a64::d0, a64::d1) : a_.fcmp(a64::s0, a64::s1);
  return float_condition(kind);
}

bool Compiler::emit_float(Op op, const Unit* pc) {
  std::optional<FloatOp> fo = float_op(op);
  if (!fo) return false;
  using namespace a64;  // NOLINT: register names
  const Unit a = pc[kHandlerUnits];
  const Vec result = fo->f64 ? Vec(d0) : Vec(s0);
  switch (fo->kind) {
    case FKind::FromI32: case FKind::FromI64: {
      const bool wide = fo->kind == FKind::FromI64;
      load(x9, a, wide);
      a_.scvtf(result, sized(x9, wide));
      store_float(pc[kHandlerUnits + 1], v0, fo->f64);
      return true;
    }
    case FKind::Promote:
      load_float(v0, a, false);
      a_.fcvt(d0, s0);
      store_float(pc[kHandlerUnits + 1], v0, true);
      return true;
    case FKind::Demote:
      load_float(v0, a, true);
      a_.fcvt(s0, d0);
      store_float(pc[kHandlerUnits + 1], v0, false);
      return true;
    default: break;
  }
  if (is_float_compare(fo->kind)) {
    a_.cset(w9, emit_float_compare(fo->kind, fo->f64, a, pc[kHandlerUnits + 1]));
    store(x9, pc[kHandlerUnits + 2]);
    return true;
  }
  load_float(v0, a, fo->f64);
  load_float(v1, pc[kHandlerUnits + 1], fo->f64);
  emit_float_arith(fo->kind, fo->f64, v0, v0, v1);
  store_float(pc[kHandlerUnits + 2], v0, fo->f64);
  return true;
}

void Compiler::emit_call(Unit func_index, Unit arg_base) {
  if (direct_callee(func_index) != nullptr) {
    auto [it, inserted] = direct_stubs_.try_emplace(func_index - num_imported_);
    if (inserted) it->second = a_.newLabel();
    cell_address(a64::x0, arg_base);
    a_.bl(it->second);
    emit_back_to_caller_frame(arg_base);
    return;
  }
  load_func_inst(a64::x1, func_index);
  cell_address(a64::x0, arg_base);
  a_.bl(call_stub_);
  emit_back_to_caller_frame(arg_base);
}

// Every call leaves the callee's frame in kFp, whose start is the caller's
// argument cells: the caller's frame is an offset away (as on x86-64,
// where loading it from the call record put a load chain after every
// return).
void Compiler::emit_back_to_caller_frame(Unit arg_base) {
  const uint64_t bytes = uint64_t{arg_base} * 8;
  if (bytes == 0) return;
  if (bytes < 4096) {
    a_.sub(kFp, kFp, bytes);
  } else {
    load_imm(kOffset, bytes);
    a_.sub(kFp, kFp, kOffset);
  }
}

void Compiler::emit_instr(const Instr& in, const Unit* pc) {
  using namespace a64;  // NOLINT: register names
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
        load(x9, pc[kHandlerUnits], wide);
        load(x10, pc[kHandlerUnits + 1], wide);
        emit_bin(first->bin, wide, x9, x9, x10);
        load(x10, pc[kHandlerUnits + 2], wide);
        if (p.right) emit_bin(second->bin, wide, x9, x10, x9);  // dst = c SECOND t
        else emit_bin(second->bin, wide, x9, x9, x10);
        store(x9, pc[kHandlerUnits + 3]);
        return;
      }
      std::optional<FloatOp> f1 = float_op(p.first), f2 = float_op(p.second);
      if (f1 && f2 && is_float_arith(f1->kind) && is_float_arith(f2->kind)) {
        const bool f64 = f1->f64;
        load_float(v0, pc[kHandlerUnits], f64);
        load_float(v1, pc[kHandlerUnits + 1], f64);
        emit_float_arith(f1->kind, f64, v0, v0, v1);
        load_float(v1, pc[kHandlerUnits + 2], f64);
        if (p.right) emit_float_arith(f2->kind, f64, v0, v1, v0);  // dst = c SECOND t
        else emit_float_arith(f2->kind, f64, v0, v0, v1);
        store_float(pc[kHandlerUnits + 3], v0, f64);
        return;
      }
      emit_helper(helper, pc, false, false);
      return;
    }
    case Family::BT: case Family::BF: case Family::BTI: case Family::BTF: case Family::BTLF: {
      std::optional<CondCode> cc = emit_condition_flags(in.op, pc);
      if (!cc) {
        emit_helper(helper, pc, false, false);
        a_.cmp(w0, 0);
        cc = CondCode::kNE;
      }
      emit_branch(in.family, *cc, pc, in.field);
      return;
    }
    case Family::ABT: case Family::ABF: case Family::ABTI: case Family::ABTF: case Family::ABTLF: {
      // dst = a + b (i32), then compare dst with rhs (which may be dst).
      load(x9, pc[kHandlerUnits], false);
      load(x10, pc[kHandlerUnits + 1], false);
      a_.add(w9, w9, w10);
      store(x9, pc[kHandlerUnits + 2]);
      load(x10, pc[kHandlerUnits + 3], false);
      a_.cmp(w9, w10);
      emit_branch(branch_form(in.family), condition(int_op(in.op)->cond), pc, in.field);
      return;
    }
    case Family::Ir: break;
  }
  if (emit_common_ir(*this, in.ir, pc)) return;
  switch (in.ir) {
    case IrOp::Copy2:
      a_.ldr(x9, cell(pc[3]));
      a_.ldr(x10, cell(pc[3] + 1));
      a_.str(x9, cell(pc[2]));
      a_.str(x10, cell(pc[2] + 1));
      return;
    case IrOp::BrTable:
      load(x9, pc[2], false);
      emit_jump_table(pc);
      return;
    case IrOp::CallIndirect:
      emit_call_indirect(pc);
      return;
    case IrOp::Select:
      a_.ldr(x9, cell(pc[4]));
      a_.ldr(x10, cell(pc[3]));
      load(x11, pc[5], false);
      a_.cmp(w11, 0);
      a_.csel(x9, x10, x9, CondCode::kNE);
      store(x9, pc[2]);
      return;
    case IrOp::GlobalSet:
      a_.ldr(x9, cell(pc[3]));
      emit_global_set_x9(pc[2]);
      return;
    case IrOp::I32AddGlobalSet:
    case IrOp::I32SubGlobalSet:
      load(x9, pc[2], false);
      load(x10, pc[3], false);
      if (in.ir == IrOp::I32AddGlobalSet) a_.add(w9, w9, w10);
      else a_.sub(w9, w9, w10);
      store(x9, pc[4]);
      emit_global_set_x9(pc[5]);
      return;
    case IrOp::MemorySize:
      a_.ldr(x9, ST(mem_size));
      a_.lsr(x9, x9, 16);
      store(x9, pc[2]);
      return;
    default:
      // Tables, bulk memory, memory.grow, v128 globals and selects: the
      // C++ helpers (which may charge fuel and grow memory).
      emit_helper(helper, pc, true, true);
      return;
  }
}

bool Compiler::fits_branch_range(const CompiledFunc& cf, bool optimized) const {
  asmjit::CodeHolder scratch;
  scratch.init(holder_.environment());
  ErrorFlag errors;
  scratch.setErrorHandler(&errors);
  Compiler trial(scratch, guarded(), optimized, funcs_, true);
  trial.set_fuel_code(fuel_code());
  trial.emit_shared();
  size_t entry = 0;
  if (!trial.emit_function(cf, &entry) || errors.failed) return false;
  return scratch.textSection()->bufferSize() - entry <= kMaxFunctionBytes;
}

void Compiler::emit_prologue(const CompiledFunc& cf, bool frame_init) {
  using namespace a64;  // NOLINT: register names
  // The interpreter's `enter`: entry fuel (the call stub checked for an
  // interrupt), locals zeroed and constants copied in.
  back_edge_polls_ = cf.check_interrupt;
  emit_fuel_charge(cf.entry_fuel);
  if (!frame_init) return;
  if (cf.init_cell != cf.num_param_cells && cf.num_local_cells > cf.num_param_cells) {
    Label loop = a_.newLabel();
    cell_address(x9, cf.num_param_cells);
    load_imm(x10, cf.num_local_cells - cf.num_param_cells);
    a_.bind(loop);
    a_.str(xzr, arm::ptr_post(x9, 8));
    a_.subs(x10, x10, 1);
    a_.b(CondCode::kNE, loop);
  }
  if (cf.frame_init.size() > 32) {
    Label loop = a_.newLabel();
    cell_address(x9, cf.init_cell);
    load_imm(x10, reinterpret_cast<uint64_t>(cf.frame_init.data()));
    load_imm(x11, cf.frame_init.size());
    a_.bind(loop);
    a_.ldr(x12, arm::ptr_post(x10, 8));
    a_.str(x12, arm::ptr_post(x9, 8));
    a_.subs(x11, x11, 1);
    a_.b(CondCode::kNE, loop);
  } else {
    for (size_t i = 0; i < cf.frame_init.size(); ++i)
      emit_const(cf.init_cell + static_cast<Unit>(i), cf.frame_init[i]);
  }
}

bool Compiler::emit_function(const CompiledFunc& cf, size_t* entry_offset) {
  if (cf.frame_cells > kMaxJitFrameCells) return false;
  // Both lowerings start a function at a 16-byte boundary: aligned here
  // first, their own alignment adds nothing, so this label is the entry
  // (direct stubs jump to it).
  a_.align(asmjit::AlignMode::kCode, 16);
  const Label entry = a_.newLabel();
  a_.bind(entry);
  const size_t entry_at = a_.offset();
  bool emitted = false;
  // The optimizing tier first (a trial measures only the code it asks
  // for); its functions end, as the baseline's, with their trap exits.
  if (optimize_ && (trial_ || cf.code.size() <= kOptimizedUnitsThatAlwaysFit || fits_branch_range(cf, true)) &&
      opt::arm64::compile_function(*this, cf, entry_offset)) {
    emit_trap_stubs();
    emitted = true;
  } else if (!(trial_ && optimize_)) {
    emitted = emit_baseline(cf, entry_offset);
  }
  if (emitted && *entry_offset == entry_at) add_local_entry(cf.func_index - num_imported_, entry);
  return emitted;
}

bool Compiler::emit_baseline(const CompiledFunc& cf, size_t* entry_offset) {
  if (!trial_ && cf.code.size() > kUnitsThatAlwaysFit && !fits_branch_range(cf, false)) return false;
  if (!function_.scan(cf, a_)) return false;
  a_.align(asmjit::AlignMode::kCode, 16);
  *entry_offset = a_.offset();
  emit_prologue(cf);
  // Pass 2. Every target is an instruction's start (or the end): one left
  // unbound makes asmjit refuse the module.
  function_.emit_all(a_, [this](const Instr& in, const Unit* pc) { emit_instr(in, pc); });
  a_.udf(0);  // translated code never falls off its end
  out_of_line_.emit_deferred();
  emit_trap_stubs();
  return true;
}

}  // namespace wasmrt::jit::arm64

namespace wasmrt::jit {

using codegen::compile_module_with;
using interp::CompiledFunc;

bool available() { return true; }
bool optimizing_available() { return true; }

Result<std::shared_ptr<const JitCode>> compile_functions(const std::vector<CompiledFunc>& funcs,
                                                         std::span<const uint32_t> which, const interp::Tier* as,
                                                         interp::BoundsChecks bounds) {
  return compile_module_with(funcs, which, as, bounds, [&funcs](asmjit::CodeHolder& holder, bool guarded) {
    return std::make_unique<arm64::Compiler>(holder, guarded, false, funcs);
  });
}

Result<std::shared_ptr<const JitCode>> compile_functions_optimized(const std::vector<CompiledFunc>& funcs,
                                                                   std::span<const uint32_t> which,
                                                                   const interp::Tier* as, interp::BoundsChecks bounds) {
  return compile_module_with(funcs, which, as, bounds, [&funcs](asmjit::CodeHolder& holder, bool guarded) {
    return std::make_unique<arm64::Compiler>(holder, guarded, true, funcs);
  });
}

}  // namespace wasmrt::jit
