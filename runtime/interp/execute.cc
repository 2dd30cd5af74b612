// The interpreter's dispatch loop: direct-threaded (each instruction starts
// with its handler's address, dispatch is `goto *handler`), over frames of
// 64-bit cells on the ExecContext's value stack.
//
// Calls between wasm functions never recurse on the host stack: the callee
// frame starts at the caller's argument cells, and the return state (return
// pc, caller frame, caller function) is saved in a record at the far end of
// the same value stack, one record per call depth:
//
//   stack base                                              stack end
//   [frame][frame][frame] ...free... [record d][record d-1]...[record 1]
//
// so a call fits when its frame ends below the record of its depth; either
// exhaustion (cells or ExecContext::max_call_depth) traps "call stack
// exhausted". Host functions are called directly; a host function calling
// back into wasm goes through invoke() again, which continues above the
// live frames (ExecContext::stack_top) and at the current depth, and also
// checks the remaining native stack of the thread.
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>

#include "runtime/interp/interp.h"
#include "runtime/interp/tier.h"
#include "runtime/store/interrupt.h"
#include "runtime/valid/side_table.h"

namespace wasmrt::interp {

namespace {

constexpr size_t kRecordCells = 3;  // return pc, caller fp, caller FuncInst*

// Native stack bound of the current thread, measured once per thread.
struct NativeStack {
  uintptr_t low = 0;
  uintptr_t reserve = 0;
};

// ---- tier-up (tier.h) ----
//
// The interpreter counts calls in CompiledFunc::calls_left, at `enter`,
// and taken loop back edges in a countdown local to run(), decremented by
// every loop instruction: when it reaches 0, the function running then is
// credited with the whole sample (a statistical profile: a loop that runs
// long is where the countdown runs out most). Both counts only lead to the
// slow paths below, which also notice when a function has been compiled.

std::atomic<uint64_t> osr_count{0};  // on_stack_replacements()

// Calls between two looks at a function that is queued for compilation.
constexpr int32_t kQueuedCallPoll = 256;

void count_call_slow(const CompiledFunc& cf, int32_t next) {
  std::atomic_ref(cf.calls_left).store(next, std::memory_order_relaxed);
}

TierUpState tier_up_state(const CompiledFunc& cf) {
  return std::atomic_ref(cf.tier_up_state).load(std::memory_order_acquire);
}

// Moves cf from Cold to Queued and asks for its compilation (once, however
// many threads find it hot at the same time).
void request_tier_up(const CompiledFunc& cf) {
  TierUpState expected = TierUpState::Cold;
  if (std::atomic_ref(cf.tier_up_state)
          .compare_exchange_strong(expected, TierUpState::Queued, std::memory_order_acq_rel))
    cf.tier_up->request(cf.func_index);
}

// `enter` found cf's call count run out: the tier to run it on now, or null
// to interpret it (and when to look again).
[[gnu::noinline]] const Tier* hot_call(const CompiledFunc& cf) {
  const Tier* t = cf.current_tier();
  if (t == nullptr && cf.tier_up != nullptr && tier_up_state(cf) == TierUpState::Cold) {
    request_tier_up(cf);
    t = cf.current_tier();  // a synchronous compile has published it
  }
  if (t != nullptr) {
    count_call_slow(cf, 0);  // every call from now on comes here
    return t;
  }
  const bool waiting = cf.tier_up != nullptr && tier_up_state(cf) == TierUpState::Queued;
  count_call_slow(cf, waiting ? kQueuedCallPoll : INT32_MAX);
  return nullptr;
}

// The back-edge countdown ran out in cf, `counted` back edges after it was
// last set, with pc at the target of the back edge just taken. Returns the
// tier to continue cf on, with the loop entry in *osr (both null: go on
// interpreting), and the next countdown in *next.
[[gnu::noinline]] const Tier* sampled_back_edges(const CompiledFunc& cf, uint32_t counted, const Unit* pc,
                                                 const void** osr, uint32_t* next) {
  *osr = nullptr;
  *next = kBackEdgeSample;
  if (cf.tier_up == nullptr) return nullptr;
  const Tier* t = cf.current_tier();
  if (t == nullptr) {
    if (tier_up_state(cf) != TierUpState::Cold) return nullptr;
    std::atomic_ref back_edges(cf.back_edges);
    const uint64_t total = uint64_t{back_edges.load(std::memory_order_relaxed)} + counted;
    const uint32_t threshold = cf.tier_up->options().back_edges;
    if (total < threshold) {
      back_edges.store(static_cast<uint32_t>(total), std::memory_order_relaxed);
      *next = static_cast<uint32_t>(std::min<uint64_t>(threshold - total, kBackEdgeSample));
      return nullptr;
    }
    request_tier_up(cf);
    t = cf.current_tier();
    if (t == nullptr) return nullptr;
  }
  const LoopEntries* loops = cf.loop_entries_published();
  if (loops != nullptr) *osr = loops->find(static_cast<uint32_t>(pc - cf.code.data()));
  if (*osr == nullptr) return nullptr;
  return t;
}

// The first call of a lazily translated function (CompiledFunc::lazy):
// translates it, or waits for the thread that is. A failure (the host is
// out of memory) is the caller's trap, with its message set.
[[gnu::noinline]] TrapCode translate_for_call(ExecContext& ctx, const CompiledFunc& cf) {
  if (cf.lazy == nullptr) {
    ctx.set_trap(TrapCode::HostError, "internal error: a function without code was called");
    return TrapCode::HostError;
  }
  Result<void> translated = cf.lazy->translate(cf);
  if (translated.ok()) return TrapCode::None;
  ctx.set_trap(TrapCode::HostError, translated.error().message);
  return TrapCode::HostError;
}

const NativeStack& native_stack() {
  thread_local NativeStack s = [] {
    NativeStack r;
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      void* addr = nullptr;
      size_t size = 0;
      if (pthread_attr_getstack(&attr, &addr, &size) == 0 && size != 0) {
        r.low = reinterpret_cast<uintptr_t>(addr);
        // Room for the interpreter loop, a host function and the sanitizers'
        // bigger frames between two checks.
        r.reserve = std::min<size_t>(size / 4, size_t{256} << 10);
      }
      pthread_attr_destroy(&attr);
    }
    return r;
  }();
  return s;
}

// Whether less than `reserves` times the thread's reserve is left.
bool native_stack_below(uintptr_t reserves) {
  const NativeStack& s = native_stack();
  if (s.low == 0) return false;
  uintptr_t sp = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  return sp < s.low + reserves * s.reserve;
}

bool native_stack_exhausted() { return native_stack_below(1); }

// Whether the interpreter should keep running a function itself rather than
// switch to the tier that now has code for it. Wasm calls within one tier
// never grow the native stack, but every switch from the interpreter into
// machine code nests a native call (enter), and so does every call back
// from machine code to a function still interpreted (invoke): a recursion
// that alternates between the tiers while they tier up would otherwise nest
// once per wasm frame and end in a CallStackExhausted trap long before
// max_call_depth. Refusing the switch at twice invoke's reserve keeps every
// such chain short of invoke's check, and the interpreter, which stays
// flat, finishes the recursion with the interpreter's limits.
bool native_stack_low_for_tier_switch() { return native_stack_below(2); }

TrapCode call_host(ExecContext& ctx, InstanceData* caller, FuncInst* f, Cell* args_results) {
  // The host reads arguments and writes results through separate pointers;
  // they alias in our frame, so the arguments are copied first.
  const FuncType& t = f->host->type;
  uint32_t np = cell_count(t.params);
  Cell small[16];
  std::unique_ptr<Cell[]> big;
  Cell* args = small;
  if (np > 16) {
    big.reset(new Cell[np]);
    args = big.get();
  }
  std::memcpy(args, args_results, np * sizeof(Cell));
  canonicalize_cells(t.params, args);
  return invoke_host(ctx, caller, f, args, args_results);
}

template <typename T>
T* from_cell(Cell c) {
  return reinterpret_cast<T*>(static_cast<uintptr_t>(c));
}
template <typename T>
Cell to_cell(T* p) {
  return static_cast<Cell>(reinterpret_cast<uintptr_t>(p));
}

// Runs `entry` (a wasm function) whose frame is at `fp` with its arguments
// in place; ctx.call_depth already counts it. With table_out set, only
// returns the handler table.
TrapCode run(ExecContext* ctx, FuncInst* entry, Cell* fp, const void* const** table_out) {
  if (table_out != nullptr) {
    static const void* const kTable[] = {
#define WASM_OP(name, prefix, code, text, imm, sig, bytes) &&H_##name,
#include "runtime/binary/opcodes.def"
#undef WASM_OP
#define WASMRT_IR_LABEL(name) &&X_##name,
        WASMRT_IR_OPS(WASMRT_IR_LABEL)
#undef WASMRT_IR_LABEL
#define WASM_OP(name, prefix, code, text, imm, sig, bytes) &&BT_##name,
#include "runtime/binary/opcodes.def"
#undef WASM_OP
#define WASM_OP(name, prefix, code, text, imm, sig, bytes) &&BF_##name,
#include "runtime/binary/opcodes.def"
#undef WASM_OP
#define WASM_OP(name, prefix, code, text, imm, sig, bytes) &&BTI_##name,
#include "runtime/binary/opcodes.def"
#undef WASM_OP
#define WASM_OP(name, prefix, code, text, imm, sig, bytes) &&BTF_##name,
#include "runtime/binary/opcodes.def"
#undef WASM_OP
#define WASM_OP(name, prefix, code, text, imm, sig, bytes) &&BTLF_##name,
#include "runtime/binary/opcodes.def"
#undef WASM_OP
#define WASM_OP(name, prefix, code, text, imm, sig, bytes) &&AS_##name,
#include "runtime/binary/opcodes.def"
#undef WASM_OP
#define WASM_OP(name, prefix, code, text, imm, sig, bytes) &&ABT_##name,
#include "runtime/binary/opcodes.def"
#undef WASM_OP
#define WASM_OP(name, prefix, code, text, imm, sig, bytes) &&ABF_##name,
#include "runtime/binary/opcodes.def"
#undef WASM_OP
#define WASM_OP(name, prefix, code, text, imm, sig, bytes) &&ABTI_##name,
#include "runtime/binary/opcodes.def"
#undef WASM_OP
#define WASM_OP(name, prefix, code, text, imm, sig, bytes) &&ABTF_##name,
#include "runtime/binary/opcodes.def"
#undef WASM_OP
#define WASM_OP(name, prefix, code, text, imm, sig, bytes) &&ABTLF_##name,
#include "runtime/binary/opcodes.def"
#undef WASM_OP
#define WASMRT_FUSED_PAIR_LABEL(first, second, side) &&FP_##first##_##second##_##side,
        WASMRT_FUSED_PAIRS(WASMRT_FUSED_PAIR_LABEL)
#undef WASMRT_FUSED_PAIR_LABEL
    };
    static_assert(sizeof(kTable) / sizeof(kTable[0]) == kHandlerCount);
    *table_out = kTable;
    return TrapCode::None;
  }

  Cell* const stack_base = ctx->stack.get();
  Cell* const stack_end = stack_base + ctx->stack_cells;
  const uint32_t entry_depth = ctx->call_depth;
  uint32_t depth = entry_depth;
  const Unit* pc = nullptr;
  FuncInst* cur = entry;
  InstanceData* inst = cur->instance;
  LinearMemory* mem = inst->memory0;
  TrapCode trap = TrapCode::None;
  bool trap_message_set = false;
  FuncInst* callee = nullptr;
  Cell* nfp = nullptr;
  // Metering state lives in registers while wasm runs and is written back
  // to the context whenever something else may read or change it (host
  // calls, traps, the return to the caller). Unmetered code starts with an
  // unreachable budget and never charges it; interrupt polls without an
  // interrupt state read a word that is always 0.
  const std::atomic<uint32_t>* const irq = &interrupt_flags(*ctx);
  const bool metered = ctx->fuel_enabled;
  int64_t fuel = metered ? ctx->fuel : INT64_MAX;
  // Tier-up's back-edge countdown (see hot_call above): the first taken
  // back edge asks how long the sample should be.
  uint32_t back_edges_left = 1, back_edge_sample = 1;
  // A trap's frames recorded by a tier this loop handed a call to.
  uint64_t backtrace_first_index = 0;

#define NEXT()                                \
  do {                                        \
    const void* next_handler_;                \
    std::memcpy(&next_handler_, pc, sizeof next_handler_); \
    goto* const_cast<void*>(next_handler_);   \
  } while (0)
#define TRAP(code)  \
  do {              \
    trap = (code);  \
    goto do_trap;   \
  } while (0)
  // The not-taken path of a metered br_if enters the next block.
#define CHARGE_FALLTHROUGH(cost_field)                          \
  do {                                                          \
    const int64_t ft_ = (cost_field);                           \
    if (__builtin_expect(fuel < ft_, 0)) TRAP(TrapCode::OutOfFuel); \
    fuel -= ft_;                                                \
  } while (0)
  // The global word first: no interrupt anywhere in the process is the
  // common case and costs one compare against memory.
#define INTERRUPT_PENDING()                                                      \
  (InterruptState::any_pending().load(std::memory_order_relaxed) != 0 &&         \
   irq->load(std::memory_order_relaxed) != 0)
#define SAVE_FUEL() \
  do {              \
    if (metered) ctx->fuel = fuel; \
  } while (0)
  // Charges a bulk operation's dynamic fuel (docs/fuel.md) before it runs.
#define CHARGE_BULK(units)                               \
  do {                                                   \
    if (metered) {                                       \
      const int64_t units_ = static_cast<int64_t>(units); \
      if (fuel < units_) TRAP(TrapCode::OutOfFuel);      \
      fuel -= units_;                                    \
    }                                                    \
  } while (0)
  // Every taken loop back edge, after its charge and poll, with pc at its
  // target.
#define COUNT_BACK_EDGE()                                                    \
  do {                                                                       \
    if (__builtin_expect(--back_edges_left == 0, 0)) goto back_edges_sampled; \
  } while (0)
#define REL(field) (pc + (field) + static_cast<int32_t>(pc[field]))
#define C(i) fp[pc[i]]
#define U32(i) static_cast<uint32_t>(fp[pc[i]])

  goto enter;

  // ---- generated handlers: computation and memory access ----
#define WASM_OP(name, prefix, code, text, imm, sig, bytes)                      \
  H_##name : {                                                                  \
    if constexpr (is_computed_op(Op::name)) {                                   \
      TrapCode t_ = TrapCode::None;                                             \
      exec_numeric<Op::name>(fp, pc, t_);                                       \
      if constexpr (op_can_trap(Op::name)) {                                    \
        if (t_ != TrapCode::None) TRAP(t_);                                     \
      }                                                                         \
      pc += generated_units(Op::name);                                          \
      NEXT();                                                                   \
    } else if constexpr (is_memory_access_op(Op::name)) {                       \
      if (!exec_memory<Op::name>(fp, pc, mem)) TRAP(TrapCode::MemoryOutOfBounds); \
      pc += generated_units(Op::name);                                          \
      NEXT();                                                                   \
    } else {                                                                    \
      goto bad_op;                                                              \
    }                                                                           \
  }
#include "runtime/binary/opcodes.def"
#undef WASM_OP

  // ---- fused arithmetic pairs (ir.h) ----
#define WASMRT_FUSED_PAIR_HANDLER(first, second, side)                  \
  FP_##first##_##second##_##side : {                                   \
    exec_fused_pair<Op::first, Op::second, kPair##side>(fp, pc);       \
    pc += kHandlerUnits + 4;                                           \
    NEXT();                                                            \
  }
  WASMRT_FUSED_PAIRS(WASMRT_FUSED_PAIR_HANDLER)
#undef WASMRT_FUSED_PAIR_HANDLER

  // ---- generated fused compare-and-branch handlers ----
  // Five forms per condition (ir.h): jump if true, jump if false, and the
  // metered br_if forms I, F and LoopF. P is the family's label prefix,
  // ENABLED whether this op has the family, FIELD the offset field's unit,
  // EVAL the condition (evaluated once, before anything else).
#define WASMRT_BRANCH_FORMS(P, name, ENABLED, FIELD, EVAL)                   \
  P##BT_##name : {                                                           \
    if constexpr (ENABLED) {                                                 \
      constexpr uint32_t field = (FIELD);                                    \
      if ((EVAL) != 0) pc = REL(field);                                      \
      else pc += field + 1;                                                  \
      NEXT();                                                                \
    } else {                                                                 \
      goto bad_op;                                                           \
    }                                                                        \
  }                                                                          \
  P##BF_##name : {                                                           \
    if constexpr (ENABLED) {                                                 \
      constexpr uint32_t field = (FIELD);                                    \
      if ((EVAL) == 0) pc = REL(field);                                      \
      else pc += field + 1;                                                  \
      NEXT();                                                                \
    } else {                                                                 \
      goto bad_op;                                                           \
    }                                                                        \
  }                                                                          \
  P##BTI_##name : {                                                          \
    if constexpr (ENABLED) {                                                 \
      constexpr uint32_t field = (FIELD);                                    \
      if ((EVAL) != 0) {                                                     \
        if (__builtin_expect(INTERRUPT_PENDING(), 0)) goto back_edge_stop;   \
        pc = REL(field);                                                     \
        COUNT_BACK_EDGE();                                                   \
      } else {                                                               \
        pc += field + 1;                                                     \
      }                                                                      \
      NEXT();                                                                \
    } else {                                                                 \
      goto bad_op;                                                           \
    }                                                                        \
  }                                                                          \
  P##BTF_##name : {                                                          \
    if constexpr (ENABLED) {                                                 \
      constexpr uint32_t field = (FIELD);                                    \
      if ((EVAL) != 0) {                                                     \
        pc = REL(field);                                                     \
      } else {                                                               \
        CHARGE_FALLTHROUGH(pc[field + 1]);                                   \
        pc += field + 2;                                                     \
      }                                                                      \
      NEXT();                                                                \
    } else {                                                                 \
      goto bad_op;                                                           \
    }                                                                        \
  }                                                                          \
  P##BTLF_##name : {                                                         \
    if constexpr (ENABLED) {                                                 \
      constexpr uint32_t field = (FIELD);                                    \
      if ((EVAL) != 0) {                                                     \
        const int64_t cost_ = pc[field + 1];                                 \
        if (__builtin_expect((INTERRUPT_PENDING()) | (fuel < cost_), 0))     \
          goto back_edge_stop;                                               \
        fuel -= cost_;                                                       \
        pc = REL(field);                                                     \
        COUNT_BACK_EDGE();                                                   \
      } else {                                                               \
        CHARGE_FALLTHROUGH(pc[field + 2]);                                   \
        pc += field + 3;                                                     \
      }                                                                      \
      NEXT();                                                                \
    } else {                                                                 \
      goto bad_op;                                                           \
    }                                                                        \
  }
#define WASM_OP(name, prefix, code, text, imm, sig, bytes)                                           \
  WASMRT_BRANCH_FORMS(, name, is_fusable_condition(Op::name), kHandlerUnits + op_params(Op::name).size(), \
                      eval_condition<Op::name>(fp, pc))                                              \
  WASMRT_BRANCH_FORMS(A, name, is_add_fusable_compare(Op::name), kAddCompareField,                  \
                      eval_add_condition<Op::name>(fp, pc))
#include "runtime/binary/opcodes.def"
#undef WASM_OP
#undef WASMRT_BRANCH_FORMS

  // ---- generated address-sum memory accesses ----
#define WASM_OP(name, prefix, code, text, imm, sig, bytes)                             \
  AS_##name : {                                                                        \
    if constexpr (kOpImm[static_cast<size_t>(Op::name)] == ImmKind::MemArg) {          \
      if (!exec_memory<Op::name, true>(fp, pc, mem)) TRAP(TrapCode::MemoryOutOfBounds); \
      pc += generated_units(Op::name) + 1;                                             \
      NEXT();                                                                          \
    } else {                                                                           \
      goto bad_op;                                                                     \
    }                                                                                  \
  }
#include "runtime/binary/opcodes.def"
#undef WASM_OP

  // ---- hand-written handlers ----
X_Copy:
  C(2) = C(3);
  pc += 4;
  NEXT();
X_CopyPair: {
  // The second copy may read the first one's destination.
  C(2) = C(3);
  C(4) = C(5);
  pc += 6;
  NEXT();
}
X_Copy2: {
  Cell lo = fp[pc[3]], hi = fp[pc[3] + 1];
  fp[pc[2]] = lo;
  fp[pc[2] + 1] = hi;
  pc += 4;
  NEXT();
}
X_Br:
  pc = REL(2);
  NEXT();
X_BrIf:
  if (U32(2) != 0) pc = REL(3);
  else pc += 4;
  NEXT();
X_BrUnless:
  if (U32(2) == 0) pc = REL(3);
  else pc += 4;
  NEXT();
X_BrLoopI:
  if (__builtin_expect(INTERRUPT_PENDING(), 0)) goto back_edge_stop;
  pc = REL(2);
  COUNT_BACK_EDGE();
  NEXT();
X_BrLoop: {
  const int64_t cost = pc[3];
  if (__builtin_expect((INTERRUPT_PENDING()) | (fuel < cost), 0)) goto back_edge_stop;
  fuel -= cost;
  pc = REL(2);
  COUNT_BACK_EDGE();
  NEXT();
}
X_BrIfLoopI:
  if (U32(2) != 0) {
    if (__builtin_expect(INTERRUPT_PENDING(), 0)) goto back_edge_stop;
    pc = REL(3);
    COUNT_BACK_EDGE();
  } else {
    pc += 4;
  }
  NEXT();
X_BrIfF:
  if (U32(2) != 0) {
    pc = REL(3);
  } else {
    CHARGE_FALLTHROUGH(pc[4]);
    pc += 5;
  }
  NEXT();
X_BrIfLoopF:
  if (U32(2) != 0) {
    const int64_t cost = pc[4];
    if (__builtin_expect((INTERRUPT_PENDING()) | (fuel < cost), 0)) goto back_edge_stop;
    fuel -= cost;
    pc = REL(3);
    COUNT_BACK_EDGE();
  } else {
    CHARGE_FALLTHROUGH(pc[5]);
    pc += 6;
  }
  NEXT();
X_CopyBr:
  C(2) = C(3);
  pc = REL(4);
  NEXT();
X_CopyBrLoopI:
  C(2) = C(3);
  if (__builtin_expect(INTERRUPT_PENDING(), 0)) goto back_edge_stop;
  pc = REL(4);
  COUNT_BACK_EDGE();
  NEXT();
X_CopyBrLoop: {
  C(2) = C(3);
  const int64_t cost = pc[5];
  if (__builtin_expect((INTERRUPT_PENDING()) | (fuel < cost), 0)) goto back_edge_stop;
  fuel -= cost;
  pc = REL(4);
  COUNT_BACK_EDGE();
  NEXT();
}
X_Const:
  C(2) = Cell{pc[3]} | Cell{pc[4]} << 32;
  pc += 5;
  NEXT();
X_ConstBr:
  C(2) = Cell{pc[3]} | Cell{pc[4]} << 32;
  pc = REL(5);
  NEXT();
X_ConstBrLoopI:
  C(2) = Cell{pc[3]} | Cell{pc[4]} << 32;
  if (__builtin_expect(INTERRUPT_PENDING(), 0)) goto back_edge_stop;
  pc = REL(5);
  COUNT_BACK_EDGE();
  NEXT();
X_ConstBrLoop: {
  C(2) = Cell{pc[3]} | Cell{pc[4]} << 32;
  const int64_t cost = pc[6];
  if (__builtin_expect((INTERRUPT_PENDING()) | (fuel < cost), 0)) goto back_edge_stop;
  fuel -= cost;
  pc = REL(5);
  COUNT_BACK_EDGE();
  NEXT();
}
back_edge_stop:
  // An interrupt wins over running out of fuel: it is checked first.
  if (INTERRUPT_PENDING()) TRAP(interrupt_trap(*irq));
  TRAP(TrapCode::OutOfFuel);
X_BrTable: {
  uint32_t index = U32(2);
  uint32_t n = pc[3];
  uint32_t field = 4 + (index < n ? index : n);
  pc = REL(field);
  NEXT();
}
X_Unreachable:
  TRAP(TrapCode::Unreachable);
X_Select: {
  Cell v = U32(5) != 0 ? C(3) : C(4);
  C(2) = v;
  pc += 6;
  NEXT();
}
X_Select2: {
  Unit src = U32(5) != 0 ? pc[3] : pc[4];
  Cell lo = fp[src], hi = fp[src + 1];
  fp[pc[2]] = lo;
  fp[pc[2] + 1] = hi;
  pc += 6;
  NEXT();
}
X_GlobalGet:
  C(2) = inst->globals[pc[3]]->value[0];
  pc += 4;
  NEXT();
X_GlobalGetBrIf:
  C(2) = inst->globals[pc[3]]->value[0];
  if (U32(4) != 0) pc = REL(5);
  else pc += 6;
  NEXT();
X_GlobalGet2: {
  GlobalInst* g = inst->globals[pc[3]];
  fp[pc[2]] = g->value[0];
  fp[pc[2] + 1] = g->value[1];
  pc += 4;
  NEXT();
}
X_GlobalSet:
  inst->globals[pc[2]]->value[0] = C(3);
  pc += 4;
  NEXT();
X_I32AddGlobalSet: {
  const Cell v = static_cast<uint32_t>(U32(2) + U32(3));
  C(4) = v;
  inst->globals[pc[5]]->value[0] = v;
  pc += 6;
  NEXT();
}
X_I32SubGlobalSet: {
  const Cell v = static_cast<uint32_t>(U32(2) - U32(3));
  C(4) = v;
  inst->globals[pc[5]]->value[0] = v;
  pc += 6;
  NEXT();
}
X_GlobalSet2: {
  GlobalInst* g = inst->globals[pc[2]];
  g->value[0] = fp[pc[3]];
  g->value[1] = fp[pc[3] + 1];
  pc += 4;
  NEXT();
}
X_RefFunc:
  C(2) = funcref_cell(inst->funcs[pc[3]]);
  pc += 4;
  NEXT();
X_MemorySize:
  C(2) = mem->pages();
  pc += 3;
  NEXT();
X_MemoryGrow:
  C(2) = memory_grow(*mem, U32(3));
  pc += 4;
  NEXT();
X_MemoryFill: {
  CHARGE_BULK(bulk_fuel_cost_bytes(U32(4)));
  TrapCode t = memory_fill(*mem, U32(2), C(3), U32(4));
  if (t != TrapCode::None) TRAP(t);
  pc += 5;
  NEXT();
}
X_MemoryCopy: {
  CHARGE_BULK(bulk_fuel_cost_bytes(U32(4)));
  TrapCode t = memory_copy(*mem, U32(2), U32(3), U32(4));
  if (t != TrapCode::None) TRAP(t);
  pc += 5;
  NEXT();
}
X_MemoryInit: {
  CHARGE_BULK(bulk_fuel_cost_bytes(U32(5)));
  TrapCode t = memory_init(*inst, pc[2], U32(3), U32(4), U32(5));
  if (t != TrapCode::None) TRAP(t);
  pc += 6;
  NEXT();
}
X_DataDrop:
  data_drop(*inst, pc[2]);
  pc += 3;
  NEXT();
X_TableGet: {
  TrapCode t = table_get(*inst, pc[3], U32(4), C(2));
  if (t != TrapCode::None) TRAP(t);
  pc += 5;
  NEXT();
}
X_TableSet: {
  TrapCode t = table_set(*inst, pc[2], U32(3), C(4));
  if (t != TrapCode::None) TRAP(t);
  pc += 5;
  NEXT();
}
X_TableSize:
  C(2) = inst->tables[pc[3]]->size();
  pc += 4;
  NEXT();
X_TableGrow:
  CHARGE_BULK(bulk_fuel_cost_elements(U32(5)));
  C(2) = table_grow(*inst, pc[3], U32(5), C(4));
  pc += 6;
  NEXT();
X_TableFill: {
  CHARGE_BULK(bulk_fuel_cost_elements(U32(5)));
  TrapCode t = table_fill(*inst, pc[2], U32(3), C(4), U32(5));
  if (t != TrapCode::None) TRAP(t);
  pc += 6;
  NEXT();
}
X_TableCopy: {
  CHARGE_BULK(bulk_fuel_cost_elements(U32(6)));
  TrapCode t = table_copy(*inst, pc[2], pc[3], U32(4), U32(5), U32(6));
  if (t != TrapCode::None) TRAP(t);
  pc += 7;
  NEXT();
}
X_TableInit: {
  CHARGE_BULK(bulk_fuel_cost_elements(U32(6)));
  TrapCode t = table_init(*inst, pc[2], pc[3], U32(4), U32(5), U32(6));
  if (t != TrapCode::None) TRAP(t);
  pc += 7;
  NEXT();
}
X_ElemDrop:
  elem_drop(*inst, pc[2]);
  pc += 3;
  NEXT();
X_Fuel: {
  const int64_t cost = pc[2];
  if (__builtin_expect(fuel < cost, 0)) TRAP(TrapCode::OutOfFuel);
  fuel -= cost;
  pc += 3;
  NEXT();
}

  // ---- calls ----
X_Call:
  callee = inst->funcs[pc[2]];
  nfp = fp + pc[3];
  pc += 4;
  goto do_call;
X_CopyCall:
  C(2) = C(3);
  callee = inst->funcs[pc[4]];
  nfp = fp + pc[5];
  pc += 6;
  goto do_call;
X_CallIndirect: {
  TableInst* t = inst->tables[pc[3]];
  uint32_t i = U32(5);
  if (i >= t->elems.size()) TRAP(TrapCode::UndefinedElement);
  callee = cell_funcref(t->elems[i]);
  if (callee == nullptr) {
    // The reference interpreter names the element ("uninitialized element 2").
    ctx->set_trap(TrapCode::UninitializedElement, "uninitialized element " + std::to_string(i));
    trap_message_set = true;
    TRAP(TrapCode::UninitializedElement);
  }
  if (callee->sig_id != inst->type_sig_ids[pc[2]]) TRAP(TrapCode::IndirectCallTypeMismatch);
  nfp = fp + pc[4];
  pc += 6;
  goto do_call;
}
do_call: {
  const CompiledFunc* cf = callee->code;
  if (cf == nullptr) {
    // Host function: called directly, with the live frames protected from
    // a nested invoke() by stack_top.
    SAVE_FUEL();
    TrapCode t = call_outside(*ctx, inst, callee, nfp, depth);
    if (metered) fuel = ctx->fuel;  // the host (or wasm it called) may have used some
    if (t != TrapCode::None) {
      trap_message_set = true;
      TRAP(t);
    }
    // A host function that blocked returns early when interrupted; the
    // call stops here rather than at the next check.
    if (INTERRUPT_PENDING()) TRAP(interrupt_trap(*irq));
    NEXT();
  }
  if (depth >= ctx->max_call_depth) TRAP(TrapCode::CallStackExhausted);
  Cell* rec = stack_end - (size_t{depth} + 1) * kRecordCells;
  if (nfp > rec) TRAP(TrapCode::CallStackExhausted);
  // An untranslated callee's frame size (kNotTranslated) never fits: its
  // first call translates it here, as the caller (where a failure traps).
  if (__builtin_expect(cf->frame_cells_published() > static_cast<uint64_t>(rec - nfp), 0)) {
    if (cf->frame_cells_published() == CompiledFunc::kNotTranslated) {
      if (TrapCode t = translate_for_call(*ctx, *cf); t != TrapCode::None) {
        trap_message_set = true;
        TRAP(t);
      }
    }
    if (cf->frame_cells_published() > static_cast<uint64_t>(rec - nfp)) TRAP(TrapCode::CallStackExhausted);
  }
  rec[0] = to_cell(pc);
  rec[1] = to_cell(fp);
  rec[2] = to_cell(cur);
  ++depth;
  fp = nfp;
  cur = callee;
  inst = cur->instance;
  mem = inst->memory0;
  goto enter;
}
enter: {
  const CompiledFunc* cf = cur->code;
  if (cf->check_interrupt && INTERRUPT_PENDING()) TRAP(interrupt_trap(*irq));
  // Tier-up's call count (see hot_call), after the poll that every tier
  // does at the call and before the entry fuel, which a tier's code charges
  // itself.
  std::atomic_ref calls_left(cf->calls_left);
  const int32_t left = calls_left.load(std::memory_order_relaxed) - 1;
  calls_left.store(left, std::memory_order_relaxed);
  if (__builtin_expect(left <= 0, 0)) goto call_turned_hot;
}
enter_interpreted: {
  const CompiledFunc* cf = cur->code;
  if (__builtin_expect(fuel < cf->entry_fuel, 0)) TRAP(TrapCode::OutOfFuel);
  fuel -= cf->entry_fuel;
  if (cf->init_cell != cf->num_param_cells)  // many locals: cleared apart from the constants
    std::memset(fp + cf->num_param_cells, 0, (cf->num_local_cells - cf->num_param_cells) * sizeof(Cell));
  {
    // Typically a handful of cells: an inline loop beats a libc call (this
    // file is built with -fno-tree-loop-distribute-patterns so that the
    // loop stays one).
    Cell* dst = fp + cf->init_cell;
    const Cell* src = cf->frame_init.data();
    for (size_t i = 0, n = cf->frame_init.size(); i < n; ++i) dst[i] = src[i];
  }
  pc = cf->code.data();
  NEXT();
}
X_CopyReturn:
  C(2) = C(3);
  goto X_Return;
X_Return: {
  if (depth == entry_depth) {
    SAVE_FUEL();
    return TrapCode::None;
  }
  Cell* rec = stack_end - size_t{depth} * kRecordCells;
  pc = from_cell<const Unit>(rec[0]);
  fp = from_cell<Cell>(rec[1]);
  cur = from_cell<FuncInst>(rec[2]);
  --depth;
  inst = cur->instance;
  mem = inst->memory0;
  NEXT();
}

  // ---- switching to another tier's code (tier.h) ----
call_turned_hot: {
  const Tier* t = hot_call(*cur->code);
  if (t == nullptr || native_stack_low_for_tier_switch()) goto enter_interpreted;
  SAVE_FUEL();
  ctx->call_depth = depth;
  ctx->backtrace_floor = entry_depth;
  trap = t->enter(*ctx, cur, fp);
  ctx->backtrace_floor = UINT32_MAX;
  if (metered) fuel = ctx->fuel;
  goto left_tier;
}
back_edges_sampled: {
  const void* loop_entry = nullptr;
  const Tier* t = sampled_back_edges(*cur->code, back_edge_sample, pc, &loop_entry, &back_edge_sample);
  back_edges_left = back_edge_sample;
  if (t == nullptr || native_stack_low_for_tier_switch()) NEXT();
  osr_count.fetch_add(1, std::memory_order_relaxed);
  // On-stack replacement: the frame is the same on both tiers, so the
  // compiled code simply continues this call at the back edge's target.
  SAVE_FUEL();
  ctx->call_depth = depth;
  ctx->backtrace_floor = entry_depth;
  trap = t->enter_at(*ctx, cur, fp, loop_entry);
  ctx->backtrace_floor = UINT32_MAX;
  if (metered) fuel = ctx->fuel;
  goto left_tier;
}
left_tier:
  // `cur` returned (its results in its frame's first cells) or trapped on
  // the other tier, which has recorded the trap and the frames from `cur`
  // up: continue as after an interpreted return or trap of `cur`.
  if (trap == TrapCode::None) goto X_Return;
  if (depth == entry_depth) return trap;
  {
    Cell* rec = stack_end - size_t{depth} * kRecordCells;
    cur = from_cell<FuncInst>(rec[2]);
    --depth;
    trap_message_set = true;
    backtrace_first_index = ctx->backtrace_part_frames;
    goto do_trap;
  }

bad_op:
  trap = TrapCode::Unreachable;  // never emitted: a translator bug
do_trap: {
  SAVE_FUEL();
  if (!trap_message_set) ctx->set_trap(trap);
  record_backtrace(*ctx, cur, stack_end, depth, entry_depth, backtrace_first_index);
  return trap;
}

#undef NEXT
#undef TRAP
#undef SAVE_FUEL
#undef INTERRUPT_PENDING
#undef CHARGE_FALLTHROUGH
#undef CHARGE_BULK
#undef COUNT_BACK_EDGE
#undef REL
#undef C
#undef U32
}

}  // namespace

uint64_t on_stack_replacements() { return osr_count.load(std::memory_order_relaxed); }

const void* LoopEntries::find(uint32_t offset) const {
  auto it = std::lower_bound(code_offsets.begin(), code_offsets.end(), offset);
  if (it == code_offsets.end() || *it != offset) return nullptr;
  return addresses[static_cast<size_t>(it - code_offsets.begin())];
}

TrapCode interrupt_trap(const std::atomic<uint32_t>& flags) {
  return (flags.load(std::memory_order_relaxed) & InterruptState::kInterrupt) != 0 ? TrapCode::Interrupted
                                                                                   : TrapCode::DeadlineExceeded;
}

const std::atomic<uint32_t>& interrupt_flags(const ExecContext& ctx) {
  static constexpr std::atomic<uint32_t> kNeverInterrupted{0};
  return ctx.interrupt != nullptr ? ctx.interrupt->flags() : kNeverInterrupted;
}

void record_backtrace(ExecContext& ctx, FuncInst* cur, const Cell* stack_end, uint32_t depth, uint32_t entry_depth,
                      uint64_t first_index) {
  // A deep recursion may trap millions of frames down: keep the innermost
  // and outermost frames, and count the ones in between. The frame at
  // depth d is kept if it is among the innermost kInnermost + 1 of the
  // stack or the outermost kOutermost (from `floor`, where the stack this
  // part belongs to starts).
  constexpr uint32_t kInnermost = 1000, kOutermost = 100;
  const uint32_t floor = std::min(entry_depth, ctx.backtrace_floor);
  uint64_t index = first_index;
  auto keep = [&](FuncInst* f, uint32_t d) {
    if (index > kInnermost && d - floor >= kOutermost) {
      ++ctx.backtrace_omitted;
    } else {
      ctx.backtrace.push_back(TrapFrame{f->instance, f->index});
    }
    ++index;
  };
  keep(cur, depth);
  // Record d holds the caller at depth d - 1.
  for (uint32_t d = depth; d > entry_depth; --d) {
    if (index > kInnermost && d - 1 - floor >= kOutermost) {
      // Left out, up to the outermost frames (or this part's end).
      const uint32_t lowest = std::max(floor + kOutermost, entry_depth);
      ctx.backtrace_omitted += d - lowest;
      index += d - lowest;
      d = lowest + 1;
      continue;
    }
    const Cell* rec = stack_end - size_t{d} * kRecordCells;
    keep(from_cell<FuncInst>(rec[2]), d - 1);
  }
  ctx.backtrace_part_frames = index;
}

TrapCode call_outside(ExecContext& ctx, InstanceData* caller, FuncInst* callee, Cell* nfp, uint32_t depth) {
  Cell* const stack_base = ctx.stack.get();
  const size_t saved_top = ctx.stack_top;
  ctx.call_depth = depth;
  TrapCode t;
  if (callee->code == nullptr) {
    const FuncType& ht = callee->host->type;
    ctx.stack_top = static_cast<size_t>(nfp - stack_base) + std::max(cell_count(ht.params), cell_count(ht.results));
    t = call_host(ctx, caller, callee, nfp);
  } else {
    // A wasm function the caller's tier cannot run: invoke() picks the
    // callee's tier, with its frame where the arguments already are.
    ctx.stack_top = static_cast<size_t>(nfp - stack_base);
    t = invoke(ctx, callee, nfp);
  }
  ctx.stack_top = saved_top;
  return t;
}

const void* const* handler_table() {
  static const void* const* table = [] {
    const void* const* t = nullptr;
    run(nullptr, nullptr, nullptr, &t);
    return t;
  }();
  return table;
}

TrapCode invoke(ExecContext& ctx, FuncInst* f, Cell* args_results) {
  if (ctx.call_depth >= ctx.max_call_depth || native_stack_exhausted()) {
    ctx.set_trap(TrapCode::CallStackExhausted);
    return TrapCode::CallStackExhausted;
  }
  // An interrupt (a deadline that passed before the call, say) stops the
  // function about to run: it is frame #0, as when `enter` finds it.
  if (ctx.interrupt != nullptr && ctx.interrupt->pending() != 0) {
    TrapCode t = interrupt_trap(ctx.interrupt->flags());
    ctx.set_trap(t);
    ctx.backtrace.push_back(TrapFrame{f->instance, f->index});
    return t;
  }
  if (f->code == nullptr) {
    ++ctx.call_depth;
    TrapCode t = call_host(ctx, nullptr, f, args_results);
    --ctx.call_depth;
    return t;
  }
  const CompiledFunc* cf = f->code;
  if (!cf->translated()) {
    // As for a frame that does not fit: the call never started.
    if (TrapCode t = translate_for_call(ctx, *cf); t != TrapCode::None) return t;
  }
  Cell* base = ctx.stack.get();
  Cell* rec = base + ctx.stack_cells - (size_t{ctx.call_depth} + 1) * kRecordCells;
  Cell* fp = base + ctx.stack_top;
  if (ctx.stack_cells < (size_t{ctx.call_depth} + 1) * kRecordCells || fp > rec ||
      cf->frame_cells_published() > static_cast<uint64_t>(rec - fp)) {
    ctx.set_trap(TrapCode::CallStackExhausted);
    return TrapCode::CallStackExhausted;
  }
  if (fp != args_results) std::memcpy(fp, args_results, cf->num_param_cells * sizeof(Cell));
  const uint32_t saved_depth = ctx.call_depth;
  const size_t saved_top = ctx.stack_top;
  // A call from a host function starts a backtrace part of its own.
  const uint32_t saved_floor = ctx.backtrace_floor;
  ctx.backtrace_floor = UINT32_MAX;
  ctx.call_depth = saved_depth + 1;
  const Tier* tier = cf->current_tier();
  TrapCode t = tier != nullptr ? tier->enter(ctx, f, fp) : run(&ctx, f, fp, nullptr);
  ctx.call_depth = saved_depth;
  ctx.stack_top = saved_top;
  ctx.backtrace_floor = saved_floor;
  if (t == TrapCode::None && fp != args_results) std::memcpy(args_results, fp, cf->num_result_cells * sizeof(Cell));
  return t;
}

}  // namespace wasmrt::interp
