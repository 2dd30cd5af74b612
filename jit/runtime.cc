// The C++ side of the JIT tier: its tier object (jit::tier()), entering
// machine code (jit::run), the helpers its code calls for the instructions
// it does not expand inline, and the slow paths of calls, polls and
// instance changes. Shared by every back end.
//
// The generic helpers are the interpreter's own operation templates
// (ir.h: exec_numeric, exec_memory, eval_condition, ...), instantiated as
// functions, so an instruction computes the same on both tiers.
#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "jit/jit.h"
#include "jit/jit_state.h"
#include "runtime/store/compiled_module.h"
#include "runtime/store/interrupt.h"

namespace wasmrt::jit {

namespace {

using interp::IrOp;

constexpr uint32_t code(TrapCode t) { return static_cast<uint32_t>(t); }

using interp::interrupt_trap;
bool interrupt_pending(const JitState* st) {
  return InterruptState::any_pending().load(std::memory_order_relaxed) != 0 &&
         st->irq->load(std::memory_order_relaxed) != 0;
}

// Bulk operations' dynamic fuel (docs/fuel.md), charged before they run.
bool charge_bulk(JitState* st, uint64_t units) {
  if (!st->metered) return true;
  if (static_cast<uint64_t>(st->fuel) < units) return false;
  st->fuel -= static_cast<int64_t>(units);
  return true;
}

// ---- generic helpers, by handler family ----

template <Op op>
uint32_t generated_helper(Cell* fp, const Unit* pc, JitState* st) {
  if constexpr (interp::is_computed_op(op)) {
    TrapCode t = TrapCode::None;
    interp::exec_numeric<op>(fp, pc, t);
    return code(t);
  } else if constexpr (interp::is_memory_access_op(op)) {
    return interp::exec_memory<op>(fp, pc, st->mem) ? 0 : code(TrapCode::MemoryOutOfBounds);
  } else {
    return code(TrapCode::Unreachable);  // never emitted
  }
}
template <Op op>
uint32_t condition_helper(Cell* fp, const Unit* pc, JitState*) {
  return interp::eval_condition<op>(fp, pc);
}
template <Op op>
uint32_t add_condition_helper(Cell* fp, const Unit* pc, JitState*) {
  return interp::eval_add_condition<op>(fp, pc);
}
template <Op op>
uint32_t address_sum_helper(Cell* fp, const Unit* pc, JitState* st) {
  if constexpr (interp::is_memory_access_op(op)) {
    return interp::exec_memory<op, true>(fp, pc, st->mem) ? 0 : code(TrapCode::MemoryOutOfBounds);
  } else {
    return code(TrapCode::Unreachable);
  }
}
template <Op first, Op second, bool right>
uint32_t pair_helper(Cell* fp, const Unit* pc, JitState*) {
  interp::exec_fused_pair<first, second, right>(fp, pc);
  return 0;
}

// The hand-written instructions the machine code leaves to C++; layouts as
// in ir.h. (Control flow, calls, copies and scalar globals never get here.)
template <IrOp op>
uint32_t ir_helper(Cell* fp, const Unit* pc, JitState* st) {
  auto C = [&](int i) -> Cell& { return fp[pc[i]]; };
  auto U32 = [&](int i) { return static_cast<uint32_t>(fp[pc[i]]); };
  InstanceData* inst = st->inst;
  if constexpr (op == IrOp::Select2) {
    const Unit src = U32(5) != 0 ? pc[3] : pc[4];
    const Cell lo = fp[src], hi = fp[src + 1];
    fp[pc[2]] = lo;
    fp[pc[2] + 1] = hi;
  } else if constexpr (op == IrOp::GlobalGet2) {
    GlobalInst* g = inst->globals[pc[3]];
    fp[pc[2]] = g->value[0];
    fp[pc[2] + 1] = g->value[1];
  } else if constexpr (op == IrOp::GlobalSet2) {
    GlobalInst* g = inst->globals[pc[2]];
    g->value[0] = fp[pc[3]];
    g->value[1] = fp[pc[3] + 1];
  } else if constexpr (op == IrOp::RefFunc) {
    C(2) = funcref_cell(inst->funcs[pc[3]]);
  } else if constexpr (op == IrOp::MemoryGrow) {
    C(2) = memory_grow(*st->mem, U32(3));
    st->mem_size = st->mem->size_bytes();
  } else if constexpr (op == IrOp::MemoryFill) {
    if (!charge_bulk(st, bulk_fuel_cost_bytes(U32(4)))) return code(TrapCode::OutOfFuel);
    return code(memory_fill(*st->mem, U32(2), C(3), U32(4)));
  } else if constexpr (op == IrOp::MemoryCopy) {
    if (!charge_bulk(st, bulk_fuel_cost_bytes(U32(4)))) return code(TrapCode::OutOfFuel);
    return code(memory_copy(*st->mem, U32(2), U32(3), U32(4)));
  } else if constexpr (op == IrOp::MemoryInit) {
    if (!charge_bulk(st, bulk_fuel_cost_bytes(U32(5)))) return code(TrapCode::OutOfFuel);
    return code(memory_init(*inst, pc[2], U32(3), U32(4), U32(5)));
  } else if constexpr (op == IrOp::DataDrop) {
    data_drop(*inst, pc[2]);
  } else if constexpr (op == IrOp::TableGet) {
    return code(table_get(*inst, pc[3], U32(4), C(2)));
  } else if constexpr (op == IrOp::TableSet) {
    return code(table_set(*inst, pc[2], U32(3), C(4)));
  } else if constexpr (op == IrOp::TableSize) {
    C(2) = inst->tables[pc[3]]->size();
  } else if constexpr (op == IrOp::TableGrow) {
    if (!charge_bulk(st, bulk_fuel_cost_elements(U32(5)))) return code(TrapCode::OutOfFuel);
    C(2) = table_grow(*inst, pc[3], U32(5), C(4));
  } else if constexpr (op == IrOp::TableFill) {
    if (!charge_bulk(st, bulk_fuel_cost_elements(U32(5)))) return code(TrapCode::OutOfFuel);
    return code(table_fill(*inst, pc[2], U32(3), C(4), U32(5)));
  } else if constexpr (op == IrOp::TableCopy) {
    if (!charge_bulk(st, bulk_fuel_cost_elements(U32(6)))) return code(TrapCode::OutOfFuel);
    return code(table_copy(*inst, pc[2], pc[3], U32(4), U32(5), U32(6)));
  } else if constexpr (op == IrOp::TableInit) {
    if (!charge_bulk(st, bulk_fuel_cost_elements(U32(6)))) return code(TrapCode::OutOfFuel);
    return code(table_init(*inst, pc[2], pc[3], U32(4), U32(5), U32(6)));
  } else if constexpr (op == IrOp::ElemDrop) {
    elem_drop(*inst, pc[2]);
  } else {
    (void)C, (void)U32, (void)inst;
    return code(TrapCode::Unreachable);  // expanded inline: never called
  }
  return 0;
}

constexpr InstrHelper kHelpers[] = {
#define WASM_OP(name, prefix, code, text, imm, sig, bytes) &generated_helper<Op::name>,
#include "runtime/binary/opcodes.def"
#undef WASM_OP
#define WASMRT_IR_HELPER(name) &ir_helper<IrOp::name>,
    WASMRT_IR_OPS(WASMRT_IR_HELPER)
#undef WASMRT_IR_HELPER
// The five branch forms share the condition.
#define WASM_OP(name, prefix, code, text, imm, sig, bytes) &condition_helper<Op::name>,
#include "runtime/binary/opcodes.def"
#include "runtime/binary/opcodes.def"
#include "runtime/binary/opcodes.def"
#include "runtime/binary/opcodes.def"
#include "runtime/binary/opcodes.def"
#undef WASM_OP
#define WASM_OP(name, prefix, code, text, imm, sig, bytes) &address_sum_helper<Op::name>,
#include "runtime/binary/opcodes.def"
#undef WASM_OP
#define WASM_OP(name, prefix, code, text, imm, sig, bytes) &add_condition_helper<Op::name>,
#include "runtime/binary/opcodes.def"
#include "runtime/binary/opcodes.def"
#include "runtime/binary/opcodes.def"
#include "runtime/binary/opcodes.def"
#include "runtime/binary/opcodes.def"
#undef WASM_OP
#define WASMRT_PAIR_HELPER(first, second, side) &pair_helper<Op::first, Op::second, interp::kPair##side>,
    WASMRT_FUSED_PAIRS(WASMRT_PAIR_HELPER)
#undef WASMRT_PAIR_HELPER
};
static_assert(sizeof(kHelpers) / sizeof(kHelpers[0]) == interp::kHandlerCount);

}  // namespace

InstrHelper instr_helper(uint32_t handler_index) {
  return handler_index < interp::kHandlerCount ? kHelpers[handler_index] : nullptr;
}

void switch_instance(JitState* st, InstanceData* inst) {
  st->inst = inst;
  st->funcs = inst->funcs.data();
  st->globals = inst->globals.data();
  st->tables = inst->tables.data();
  st->type_sig_ids = inst->type_sig_ids.data();
  st->mem = inst->memory0;
  st->mem_base = st->mem != nullptr ? st->mem->base() : nullptr;
  st->mem_size = st->mem != nullptr ? st->mem->size_bytes() : 0;
  // The fuel register (jit_state.h) as the instance's code expects it:
  // fuel, kept across the switch in a metered store (whose modules all
  // have fuel code: Instance::create refuses others); the budget nothing
  // reads in a store that does not meter (the register may have held the
  // poll word's address); the poll word's address for code without fuel.
  if (inst->compiled != nullptr && !inst->compiled->options.fuel) {
    st->fuel = static_cast<int64_t>(reinterpret_cast<uintptr_t>(st->any_pending));
  } else if (!st->metered) {
    st->fuel = kUnmeteredFuel;
  }
}

uint32_t call_slow(JitState* st, FuncInst* callee, Cell* nfp) {
  ExecContext& ctx = *st->ctx;
  if (st->metered) ctx.fuel = st->fuel;
  TrapCode t = interp::call_outside(ctx, st->inst, callee, nfp, st->depth());
  if (st->metered) st->fuel = ctx.fuel;  // the callee may have used some
  // Host code may have grown the memory.
  st->mem_size = st->mem != nullptr ? st->mem->size_bytes() : 0;
  if (t != TrapCode::None) {
    st->trap_message_set = 1;
    return code(t);
  }
  // A host function that blocked returns early when interrupted; the call
  // stops here rather than at the next check.
  if (interrupt_pending(st)) return code(interrupt_trap(*st->irq));
  return 0;
}

uint32_t poll_interrupt(JitState* st) {
  return st->irq->load(std::memory_order_relaxed) != 0 ? code(interrupt_trap(*st->irq)) : 0;
}

uint32_t back_edge_trap(JitState* st) {
  return interrupt_pending(st) ? code(interrupt_trap(*st->irq)) : code(TrapCode::OutOfFuel);
}

FuncInst* resolve_indirect(JitState* st, Cell* fp, const Unit* pc, uint32_t* trap) {
  InstanceData* inst = st->inst;
  TableInst* t = inst->tables[pc[3]];
  const uint32_t i = static_cast<uint32_t>(fp[pc[5]]);
  if (i >= t->elems.size()) {
    *trap = code(TrapCode::UndefinedElement);
    return nullptr;
  }
  FuncInst* callee = cell_funcref(t->elems[i]);
  if (callee == nullptr) {
    // The reference interpreter names the element ("uninitialized element 2").
    st->ctx->set_trap(TrapCode::UninitializedElement, "uninitialized element " + std::to_string(i));
    st->trap_message_set = 1;
    *trap = code(TrapCode::UninitializedElement);
    return nullptr;
  }
  if (callee->sig_id != inst->type_sig_ids[pc[2]]) {
    *trap = code(TrapCode::IndirectCallTypeMismatch);
    return nullptr;
  }
  return callee;
}

std::optional<TableElemsLayout> table_elems_layout() {
  static const std::optional<TableElemsLayout> layout = []() -> std::optional<TableElemsLayout> {
    // Measured on live objects rather than assumed: libstdc++ and libc++
    // both keep (begin, end, capacity) pointers first.
    TableInst t;
    t.elems.resize(3);
    const auto* base = reinterpret_cast<const unsigned char*>(&t);
    const auto* elems = reinterpret_cast<const unsigned char*>(&t.elems);
    if (sizeof(t.elems) < 2 * sizeof(Cell*)) return std::nullopt;
    const Cell* words[2];
    std::memcpy(words, static_cast<const void*>(elems), sizeof words);
    if (words[0] != t.elems.data() || words[1] != t.elems.data() + 3) return std::nullopt;
    const auto at = static_cast<int32_t>(elems - base);
    return TableElemsLayout{at, at + static_cast<int32_t>(sizeof(Cell*))};
  }();
  return layout;
}

TrapCode run(ExecContext& ctx, FuncInst* entry, Cell* fp, const void* at) {
  JitState st;
  st.ctx = &ctx;
  st.stack_end = ctx.stack.get() + ctx.stack_cells;
  st.rec = st.entry_rec = st.stack_end - size_t{ctx.call_depth} * kCallRecordCells;
  // As an address, without forming a pointer outside the stack: a record
  // below the stack's start cannot be made anyway (a frame must fit under
  // it), so such a limit is never reached.
  const uintptr_t end = reinterpret_cast<uintptr_t>(st.stack_end);
  const uint64_t limit_bytes = uint64_t{ctx.max_call_depth} * kCallRecordCells * sizeof(Cell);
  st.min_rec = limit_bytes > end ? nullptr : reinterpret_cast<Cell*>(end - limit_bytes);
  st.irq = &interp::interrupt_flags(ctx);
  st.any_pending = &InterruptState::any_pending();
  st.metered = ctx.fuel_enabled;
  // Unmetered (code compiled with fuel, run by a store without it): a
  // budget nothing reads, far from both ends. Not INT64_MAX: an on-stack
  // replacement entry adds back a loop's charge that the interpreter took
  // (docs/fuel.md, "Sunk charges"), which must not overflow.
  st.fuel = st.metered ? ctx.fuel : kUnmeteredFuel;
  st.cur = entry;
  switch_instance(&st, entry->instance);
  using Trampoline = uint32_t (*)(JitState*, const void*, Cell*);
  const auto trampoline = reinterpret_cast<Trampoline>(const_cast<void*>(entry->code->trampoline()));
  // A loop entry is entered exactly like the function's entry: the code
  // there finds the same registers and the same native stack.
  const uint32_t result = trampoline(&st, at != nullptr ? at : entry->code->entry(), fp);
  if (st.metered) ctx.fuel = st.fuel;
  const TrapCode trap = static_cast<TrapCode>(result);
  if (trap != TrapCode::None) {
    if (st.trap_message_set == 0) ctx.set_trap(trap);
    interp::record_backtrace(ctx, st.cur, st.stack_end, st.depth(), st.entry_depth());
  }
  return trap;
}

namespace {

// The baseline JIT, or the optimizing tier (which runs through the same
// trampoline and stubs: only compile differs).
class JitTier final : public interp::Tier {
 public:
  explicit JitTier(bool optimizing) : optimizing_(optimizing) {}
  std::string_view name() const override { return optimizing_ ? "optimizing" : "baseline"; }

  Result<std::shared_ptr<const interp::TierCode>> compile(std::vector<interp::CompiledFunc>& funcs,
                                                          interp::BoundsChecks bounds) const override {
    std::vector<uint32_t> all(funcs.size());
    for (uint32_t i = 0; i < all.size(); ++i) all[i] = i;
    return compile_functions(funcs, all, bounds);
  }

  Result<std::shared_ptr<const interp::TierCode>> compile_functions(const std::vector<interp::CompiledFunc>& funcs,
                                                                    std::span<const uint32_t> which,
                                                                    interp::BoundsChecks bounds) const override {
    auto code = optimizing_ ? jit::compile_functions_optimized(funcs, which, this, bounds)
                            : jit::compile_functions(funcs, which, this, bounds);
    if (!code.ok()) return std::move(code).error();
    return std::shared_ptr<const interp::TierCode>(std::move(code).value());
  }

  TrapCode enter(ExecContext& ctx, FuncInst* f, Cell* fp) const override { return run(ctx, f, fp); }
  TrapCode enter_at(ExecContext& ctx, FuncInst* f, Cell* fp, const void* loop_entry) const override {
    return run(ctx, f, fp, loop_entry);
  }

 private:
  bool optimizing_;
};

}  // namespace

const interp::Tier* tier() {
  static const JitTier jit_tier(false);
  return available() ? &jit_tier : nullptr;
}

const interp::Tier* optimizing_tier() {
  static const JitTier optimizing(true);
  return optimizing_available() ? &optimizing : nullptr;
}

}  // namespace wasmrt::jit
