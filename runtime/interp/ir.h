// The interpreter's internal code form (shared by the translator and the
// dispatch loop).
//
// Code is a stream of 32-bit units. Every instruction starts with the
// 8-byte address of its handler (two units; direct threading: dispatch is
// one load and one indirect jump), followed by its operands: frame cell
// offsets (the register machine's "registers": params, locals, constants
// and operand-stack positions all live in the frame), immediates, and
// branch offsets (relative to the offset field itself, in units).
//
// Handlers come in two groups:
//   * one per wasmrt::Op for the computational and memory-access
//     instructions, generated from opcodes.def + OpImpl (ExecNumeric,
//     ExecMemory below); their layout is uniform:
//       [handler][param cells ...][result cell, if any][offset][lane]
//     (offset for MemArg/MemArgLane, lane for Lane/MemArgLane, 16 lane
//     bytes (4 units) for Shuffle);
//   * hand-written ones for control flow, calls, variables, tables and bulk
//     operations (IrOp below), whose layouts are documented at each entry.
//
// Cell encoding: a cell holds one i64/f64 (a v128 takes two), or an i32/f32
// in its low 32 bits. Readers of an i32 or f32 cell use only those bits,
// which is why i32.wrap_i64 emits no code (the translator reuses the i64
// cell). Every generated handler that produces an i32 writes it
// zero-extended (write_cell, the loads' `wide`), so an i64.extend_i32_u of
// such a result needs no code either; a cell that may hold a wrapped i64
// (a local, a global, a wrap's alias) has no such guarantee.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>
#include <utility>

#include "runtime/binary/opcodes.h"
#include "runtime/interp/op_impl.h"
#include "runtime/memory/linear_memory.h"

namespace wasmrt::interp {

using Unit = uint32_t;
using Cell = uint64_t;
inline constexpr uint32_t kHandlerUnits = 2;

// Hand-written handlers. Operand layout after the handler address:
#define WASMRT_IR_OPS(X)                                                   \
  X(Copy)          /* dst src: one cell */                                 \
  X(Copy2)         /* dst src: two cells (v128) */                         \
  X(CopyPair)      /* dst0 src0 dst1 src1: two one-cell copies, in order */ \
  X(Br)            /* rel */                                               \
  X(BrIf)          /* cond rel: jump if cond != 0 */                       \
  X(BrUnless)      /* cond rel: jump if cond == 0 */                       \
  X(BrTable)       /* index n rel[0..n]: rel[n] is the default */          \
  X(Return)        /* (results already in cells 0..) */                    \
  X(Call)          /* func_index arg_base */                               \
  X(CallIndirect)  /* type_index table_index arg_base index_cell */        \
  X(Unreachable)   /* */                                                   \
  X(Select)        /* dst a b cond */                                      \
  X(Select2)       /* dst a b cond (v128) */                               \
  X(GlobalGet)     /* dst global */                                        \
  X(GlobalGet2)    /* dst global (v128) */                                 \
  X(GlobalSet)     /* global src */                                        \
  X(GlobalSet2)    /* global src (v128) */                                 \
  X(RefFunc)       /* dst func_index */                                    \
  X(MemorySize)    /* dst */                                               \
  X(MemoryGrow)    /* dst delta */                                         \
  X(MemoryFill)    /* d val n */                                           \
  X(MemoryCopy)    /* d s n */                                             \
  X(MemoryInit)    /* data d s n */                                        \
  X(DataDrop)      /* data */                                              \
  X(TableGet)      /* dst table index */                                   \
  X(TableSet)      /* table index val */                                   \
  X(TableSize)     /* dst table */                                         \
  X(TableGrow)     /* dst table init delta */                              \
  X(TableFill)     /* table i val n */                                     \
  X(TableCopy)     /* dst_table src_table d s n */                         \
  X(TableInit)     /* table elem d s n */                                  \
  X(ElemDrop)      /* elem */                                              \
  X(Fuel)          /* amount: a basic block's static fuel (metered code) */ \
  /* Metered branches (docs/fuel.md). "I": interrupt checks only; "F":   */ \
  /* fuel (and interrupts). `loop`: the loop body's cost, charged by a   */ \
  /* taken back edge; `ft`: the cost of the block after a br_if, charged */ \
  /* when it falls through (its only entry).                             */ \
  X(BrLoopI)       /* rel */                                               \
  X(BrLoop)        /* rel loop */                                          \
  X(BrIfLoopI)     /* cond rel */                                          \
  X(BrIfF)         /* cond rel ft */                                       \
  X(BrIfLoopF)     /* cond rel loop ft */                                  \
  /* A one-cell Copy fused with the unconditional branch after it (Go    */ \
  /* sets its resume-point local before nearly every jump).              */ \
  X(CopyBr)        /* dst src rel */                                       \
  X(CopyBrLoopI)   /* dst src rel */                                       \
  X(CopyBrLoop)    /* dst src rel loop */                                  \
  /* i32.add / i32.sub whose result global.set also stores (Go's stack   */ \
  /* pointer update in every prologue and epilogue).                     */ \
  X(I32AddGlobalSet) /* a b dst global: dst = a + b; global = dst */       \
  X(I32SubGlobalSet) /* a b dst global: dst = a - b; global = dst */        \
  /* More one-dispatch pairs from Go's calling convention.               */ \
  X(CopyReturn)    /* dst src: the last result's move, then Return */     \
  X(CopyCall)      /* dst src func_index arg_base: a move, then Call */   \
  X(GlobalGetBrIf) /* dst global cond rel: GlobalGet, then BrIf */    \
  /* A constant written where it is needed, for the constants a function */ \
  /* keeps out of its frame (translate.cc: kMaxFrameConstants); `lo hi`  */ \
  /* are the value's two 32-bit halves. With the branch after it fused,  */ \
  /* as CopyBr (Go sets its resume-point local to a constant and jumps). */ \
  X(Const)         /* dst lo hi */                                         \
  X(ConstBr)       /* dst lo hi rel */                                     \
  X(ConstBrLoopI)  /* dst lo hi rel */                                     \
  X(ConstBrLoop)   /* dst lo hi rel loop */

// Fused arithmetic pairs: an op whose result the next op consumes at once,
//   t = a FIRST b;  dst = t SECOND c  (Left)  or  dst = c SECOND t  (Right),
// laid out [handler][a][b][c][dst]. The intermediate stays in a register
// instead of making a round trip through its frame cell, which on a
// dependency chain (mandelbrot, nbody, matmul's dot products, a hash's
// rounds) costs a store-to-load forward on every link. Both steps call
// the ops' own OpImpl, so results are bit-identical to the unfused pair.
#define WASMRT_FUSED_PAIRS_SIDES(X, first, second) X(first, second, Left) X(first, second, Right)
#define WASMRT_FUSED_PAIRS_FIRST(X, first, add, sub, mul) \
  WASMRT_FUSED_PAIRS_SIDES(X, first, add)                 \
  WASMRT_FUSED_PAIRS_SIDES(X, first, sub)                 \
  WASMRT_FUSED_PAIRS_SIDES(X, first, mul)
#define WASMRT_FUSED_PAIRS_OF(X, add, sub, mul)  \
  WASMRT_FUSED_PAIRS_FIRST(X, add, add, sub, mul) \
  WASMRT_FUSED_PAIRS_FIRST(X, sub, add, sub, mul) \
  WASMRT_FUSED_PAIRS_FIRST(X, mul, add, sub, mul)
// Integer chains (hashes, checksums, codecs, address arithmetic): every
// combination of the cheap binary ops. A cross product needs its list
// twice: a macro cannot expand inside its own expansion.
#define WASMRT_I32_PAIR_FIRSTS(M, X)                                                                 \
  M(X, I32Add) M(X, I32Sub) M(X, I32Mul) M(X, I32And) M(X, I32Or) M(X, I32Xor) M(X, I32Shl) \
  M(X, I32ShrS) M(X, I32ShrU) M(X, I32Rotl) M(X, I32Rotr)
#define WASMRT_I32_PAIR_SECONDS(M, X, first)                                                   \
  M(X, first, I32Add) M(X, first, I32Sub) M(X, first, I32Mul) M(X, first, I32And) M(X, first, I32Or) \
  M(X, first, I32Xor) M(X, first, I32Shl) M(X, first, I32ShrS) M(X, first, I32ShrU) M(X, first, I32Rotl) \
  M(X, first, I32Rotr)
#define WASMRT_I32_PAIR_ROW(X, first) WASMRT_I32_PAIR_SECONDS(WASMRT_FUSED_PAIRS_SIDES, X, first)
#define WASMRT_I64_PAIR_FIRSTS(M, X)                                                                 \
  M(X, I64Add) M(X, I64Sub) M(X, I64Mul) M(X, I64And) M(X, I64Or) M(X, I64Xor) M(X, I64Shl) \
  M(X, I64ShrS) M(X, I64ShrU)
#define WASMRT_I64_PAIR_SECONDS(M, X, first)                                                   \
  M(X, first, I64Add) M(X, first, I64Sub) M(X, first, I64Mul) M(X, first, I64And) M(X, first, I64Or) \
  M(X, first, I64Xor) M(X, first, I64Shl) M(X, first, I64ShrS) M(X, first, I64ShrU)
#define WASMRT_I64_PAIR_ROW(X, first) WASMRT_I64_PAIR_SECONDS(WASMRT_FUSED_PAIRS_SIDES, X, first)
// Sanitizer builds leave the integer pairs out (CMakeLists.txt says why).
#ifdef WASMRT_NO_INT_PAIRS
#define WASMRT_FUSED_INT_PAIRS(X)
#else
#define WASMRT_FUSED_INT_PAIRS(X)                \
  WASMRT_I32_PAIR_FIRSTS(WASMRT_I32_PAIR_ROW, X) \
  WASMRT_I64_PAIR_FIRSTS(WASMRT_I64_PAIR_ROW, X)
#endif
#define WASMRT_FUSED_PAIRS(X)                       \
  WASMRT_FUSED_PAIRS_OF(X, F32Add, F32Sub, F32Mul) \
  WASMRT_FUSED_PAIRS_OF(X, F64Add, F64Sub, F64Mul) \
  WASMRT_FUSED_INT_PAIRS(X)

struct FusedPair {
  Op first, second;
  bool right;  // the intermediate is the second op's right operand
};
inline constexpr bool kPairLeft = false, kPairRight = true;
inline constexpr FusedPair kFusedPairs[] = {
#define WASMRT_FUSED_PAIR_ENTRY(first, second, side) {Op::first, Op::second, kPair##side},
    WASMRT_FUSED_PAIRS(WASMRT_FUSED_PAIR_ENTRY)
#undef WASMRT_FUSED_PAIR_ENTRY
};
inline constexpr uint32_t kFusedPairCount = sizeof(kFusedPairs) / sizeof(kFusedPairs[0]);
inline constexpr uint32_t kNoFusedPair = UINT32_MAX;
// Where each op's row (its pairs as the first op) starts in kFusedPairs.
inline constexpr auto kFusedPairRowStart = [] {
  std::array<uint16_t, kOpCount> rows{};
  rows.fill(UINT16_MAX);
  for (uint32_t i = kFusedPairCount; i-- > 0;) rows[static_cast<size_t>(kFusedPairs[i].first)] = static_cast<uint16_t>(i);
  return rows;
}();
constexpr bool is_fused_pair_first(Op op) { return kFusedPairRowStart[static_cast<size_t>(op)] != UINT16_MAX; }
// The pair's position in kFusedPairs, or kNoFusedPair.
constexpr uint32_t find_fused_pair(Op first, Op second, bool right) {
  if (!is_fused_pair_first(first)) return kNoFusedPair;
  for (uint32_t i = kFusedPairRowStart[static_cast<size_t>(first)]; i < kFusedPairCount && kFusedPairs[i].first == first;
       ++i)
    if (kFusedPairs[i].second == second && kFusedPairs[i].right == right) return i;
  return kNoFusedPair;
}

enum class IrOp : uint16_t {
#define WASMRT_IR_ENUM(name) name,
  WASMRT_IR_OPS(WASMRT_IR_ENUM)
#undef WASMRT_IR_ENUM
};
inline constexpr uint32_t kIrOpCount = 0
#define WASMRT_IR_COUNT(name) +1
    WASMRT_IR_OPS(WASMRT_IR_COUNT)
#undef WASMRT_IR_COUNT
    ;
// Handler table: [0, kOpCount) by Op, then the IrOps.
// Then the fused compare-and-branch forms of every op that can feed a
// branch condition (see is_fusable_condition), laid out
// [handler][params ...][rel] plus the metering operands of the matching
// IrOp above: "jump if the result is nonzero", "jump if it is zero", and
// the metered br_if forms I (back edge), F (forward) and LoopF (back edge).
// Last, the address-sum forms of the memory accesses with a plain memarg:
// `i32.add a b` feeding the access's address is folded into it, laid out
// [handler][a][b][the access's other fields]. (C compilers leave that add
// for array indexing and for negative offsets; Go for every slice access.)
// Then the add-and-compare forms of the i32 comparisons, in the same five
// branch forms: `i32.add a b` into a local immediately followed by a
// comparison of that local and a br_if (the step and test of a counted
// loop) become one instruction,
//   [handler][a][b][dst][rhs][rel] + the metering operands,
// which writes dst = a + b and branches on `dst <op> rhs`.
// Last, the fused arithmetic pairs (WASMRT_FUSED_PAIRS below).
inline constexpr uint32_t kHandlerCount = 12 * kOpCount + kIrOpCount + kFusedPairCount;
inline constexpr uint32_t handler_index(Op op) { return static_cast<uint32_t>(op); }
inline constexpr uint32_t handler_index(IrOp op) { return kOpCount + static_cast<uint32_t>(op); }
inline constexpr uint32_t branch_if_true_index(Op op) { return kOpCount + kIrOpCount + static_cast<uint32_t>(op); }
inline constexpr uint32_t branch_if_false_index(Op op) {
  return 2 * kOpCount + kIrOpCount + static_cast<uint32_t>(op);
}
inline constexpr uint32_t branch_if_true_loop_irq_index(Op op) {
  return 3 * kOpCount + kIrOpCount + static_cast<uint32_t>(op);
}
inline constexpr uint32_t branch_if_true_fuel_index(Op op) {
  return 4 * kOpCount + kIrOpCount + static_cast<uint32_t>(op);
}
inline constexpr uint32_t branch_if_true_loop_fuel_index(Op op) {
  return 5 * kOpCount + kIrOpCount + static_cast<uint32_t>(op);
}
inline constexpr uint32_t address_sum_index(Op op) { return 6 * kOpCount + kIrOpCount + static_cast<uint32_t>(op); }
// form: 0 jump if true, 1 jump if false, 2 I, 3 F, 4 LoopF (as BrIfForm).
inline constexpr uint32_t add_branch_index(uint32_t form, Op op) {
  return (7 + form) * kOpCount + kIrOpCount + static_cast<uint32_t>(op);
}
inline constexpr uint32_t kAddCompareField = kHandlerUnits + 4;
inline constexpr uint32_t fused_pair_index(uint32_t pair) { return 12 * kOpCount + kIrOpCount + pair; }

// ---------------------------------------------------------------------------
// Compile-time view of opcodes.def
// ---------------------------------------------------------------------------

inline constexpr ImmKind kOpImm[] = {
#define WASM_OP(name, prefix, code, text, imm, sig, bytes) ImmKind::imm,
#include "runtime/binary/opcodes.def"
#undef WASM_OP
};
inline constexpr Sig kOpSig[] = {
#define WASM_OP(name, prefix, code, text, imm, sig, bytes) Sig::S_##sig,
#include "runtime/binary/opcodes.def"
#undef WASM_OP
};
inline constexpr uint8_t kOpBytes[] = {
#define WASM_OP(name, prefix, code, text, imm, sig, bytes) bytes,
#include "runtime/binary/opcodes.def"
#undef WASM_OP
};
inline constexpr std::string_view kOpText[] = {
#define WASM_OP(name, prefix, code, text, imm, sig, bytes) text,
#include "runtime/binary/opcodes.def"
#undef WASM_OP
};
inline constexpr std::string_view kSigParams[] = {
#define WASMRT_SIG_P(name, params, results) params,
    WASMRT_FOR_EACH_SIG(WASMRT_SIG_P)
#undef WASMRT_SIG_P
        ""};
inline constexpr std::string_view kSigResults[] = {
#define WASMRT_SIG_R(name, params, results) results,
    WASMRT_FOR_EACH_SIG(WASMRT_SIG_R)
#undef WASMRT_SIG_R
        ""};

constexpr std::string_view op_params(Op op) { return kSigParams[static_cast<size_t>(kOpSig[static_cast<size_t>(op)])]; }
constexpr std::string_view op_results(Op op) {
  return kSigResults[static_cast<size_t>(kOpSig[static_cast<size_t>(op)])];
}

// Ops whose generated handler computes a value from cells (constants are
// folded into constant cells by the translator instead).
constexpr bool is_computed_op(Op op) {
  ImmKind imm = kOpImm[static_cast<size_t>(op)];
  return op_has_numeric_impl(imm, kOpSig[static_cast<size_t>(op)]) &&
         (imm == ImmKind::None || imm == ImmKind::Lane || imm == ImmKind::Shuffle);
}
constexpr bool is_memory_access_op(Op op) {
  ImmKind imm = kOpImm[static_cast<size_t>(op)];
  return imm == ImmKind::MemArg || imm == ImmKind::MemArgLane;
}
// Operations whose implementation takes a trailing TrapCode& (checked at
// compile time: calling with the wrong arity does not compile).
constexpr bool op_can_trap(Op op) {
  switch (op) {
    case Op::I32DivS: case Op::I32DivU: case Op::I32RemS: case Op::I32RemU:
    case Op::I64DivS: case Op::I64DivU: case Op::I64RemS: case Op::I64RemU:
    case Op::I32TruncF32S: case Op::I32TruncF32U: case Op::I32TruncF64S: case Op::I32TruncF64U:
    case Op::I64TruncF32S: case Op::I64TruncF32U: case Op::I64TruncF64S: case Op::I64TruncF64U:
      return true;
    default:
      return false;
  }
}

// An op whose i32 result may be consumed directly by br_if / if: the
// translator then emits one fused compare-and-branch instead of the op
// plus a branch on its result cell.
constexpr bool is_fusable_condition(Op op) {
  return is_computed_op(op) && kOpImm[static_cast<size_t>(op)] == ImmKind::None && op_results(op) == "i" &&
         !op_can_trap(op);
}

constexpr uint32_t imm_units(ImmKind imm) {
  switch (imm) {
    case ImmKind::Lane: return 1;
    case ImmKind::Shuffle: return 4;
    case ImmKind::MemArg: return 1;
    case ImmKind::MemArgLane: return 2;
    default: return 0;
  }
}
// Total units of a generated (Op-indexed) instruction.
constexpr uint32_t generated_units(Op op) {
  return kHandlerUnits + static_cast<uint32_t>(op_params(op).size() + op_results(op).size()) +
         imm_units(kOpImm[static_cast<size_t>(op)]);
}

// ---------------------------------------------------------------------------
// Cell access by signature letter
// ---------------------------------------------------------------------------

template <char L>
struct LetterType;
template <> struct LetterType<'i'> { using type = uint32_t; };
template <> struct LetterType<'l'> { using type = uint64_t; };
template <> struct LetterType<'f'> { using type = float; };
template <> struct LetterType<'d'> { using type = double; };
template <> struct LetterType<'v'> { using type = simd::V128; };

// Floating-point views of a cell (may_alias: cells are also read and
// written as integers).
typedef float __attribute__((may_alias)) CellAliasF32;
typedef double __attribute__((may_alias)) CellAliasF64;

template <char L>
WASMRT_NUM_INLINE typename LetterType<L>::type read_cell(const Cell* fp, Unit c) {
  // Floats are loaded straight into a vector register (cells are
  // little-endian, so a float is the low 4 bytes): a load through a general
  // register and a move across costs ~3 cycles more on every step of a
  // floating-point dependency chain. (A memcpy would not do: g++ folds it
  // into an integer load.)
  if constexpr (L == 'i') return static_cast<uint32_t>(fp[c]);
  else if constexpr (L == 'l') return fp[c];
  else if constexpr (L == 'f') return *reinterpret_cast<const CellAliasF32*>(fp + c);
  else if constexpr (L == 'd') return *reinterpret_cast<const CellAliasF64*>(fp + c);
  else {
    simd::V128 v;
    std::memcpy(v.bytes, fp + c, 16);
    return v;
  }
}
template <char L>
WASMRT_NUM_INLINE void write_cell(Cell* fp, Unit c, typename LetterType<L>::type v) {
  if constexpr (L == 'i') fp[c] = v;
  else if constexpr (L == 'l') fp[c] = v;
  else if constexpr (L == 'f') fp[c] = std::bit_cast<uint32_t>(v);
  else if constexpr (L == 'd') fp[c] = std::bit_cast<uint64_t>(v);
  else std::memcpy(fp + c, v.bytes, 16);
}

// ---------------------------------------------------------------------------
// Generated computational handlers
// ---------------------------------------------------------------------------

template <Op op, size_t... I>
WASMRT_NUM_INLINE void exec_numeric_impl(Cell* fp, const Unit* pc, TrapCode& trap, std::index_sequence<I...>) {
  [[maybe_unused]] constexpr std::string_view P = op_params(op);
  constexpr std::string_view R = op_results(op);
  constexpr ImmKind imm = kOpImm[static_cast<size_t>(op)];
  constexpr size_t np = sizeof...(I);
  const Unit dst = pc[kHandlerUnits + np];
  const Unit* imms = pc + kHandlerUnits + np + 1;
  auto result = [&] {
    if constexpr (imm == ImmKind::Lane) {
      return OpImpl<op>::call(read_cell<P[I]>(fp, pc[kHandlerUnits + I])..., uint32_t{imms[0]});
    } else if constexpr (imm == ImmKind::Shuffle) {
      uint8_t lanes[16];
      std::memcpy(lanes, imms, 16);
      return OpImpl<op>::call(read_cell<P[I]>(fp, pc[kHandlerUnits + I])..., static_cast<const uint8_t*>(lanes));
    } else if constexpr (op_can_trap(op)) {
      return OpImpl<op>::call(read_cell<P[I]>(fp, pc[kHandlerUnits + I])..., trap);
    } else {
      (void)trap;
      return OpImpl<op>::call(read_cell<P[I]>(fp, pc[kHandlerUnits + I])...);
    }
  }();
  write_cell<R[0]>(fp, dst, result);
}

template <Op op>
WASMRT_NUM_INLINE void exec_numeric(Cell* fp, const Unit* pc, TrapCode& trap) {
  if constexpr (is_computed_op(op)) {
    exec_numeric_impl<op>(fp, pc, trap, std::make_index_sequence<op_params(op).size()>{});
  } else {
    (void)fp, (void)pc, (void)trap;
  }
}

template <Op op, size_t... I>
WASMRT_NUM_INLINE uint32_t eval_condition_impl(const Cell* fp, const Unit* pc, std::index_sequence<I...>) {
  [[maybe_unused]] constexpr std::string_view P = op_params(op);
  return OpImpl<op>::call(read_cell<P[I]>(fp, pc[kHandlerUnits + I])...);
}
// The fused condition's value (nonzero: true).
template <Op op>
WASMRT_NUM_INLINE uint32_t eval_condition(const Cell* fp, const Unit* pc) {
  if constexpr (is_fusable_condition(op)) {
    return eval_condition_impl<op>(fp, pc, std::make_index_sequence<op_params(op).size()>{});
  } else {
    (void)fp, (void)pc;
    return 0;
  }
}

constexpr bool is_add_fusable_compare(Op op) {
  switch (op) {
    case Op::I32Eq: case Op::I32Ne: case Op::I32LtS: case Op::I32LtU: case Op::I32GtS:
    case Op::I32GtU: case Op::I32LeS: case Op::I32LeU: case Op::I32GeS: case Op::I32GeU:
      return true;
    default:
      return false;
  }
}
// The add-and-compare condition (see add_branch_index). The sum is written
// before rhs is read: rhs may be dst itself.
template <Op op>
WASMRT_NUM_INLINE uint32_t eval_add_condition(Cell* fp, const Unit* pc) {
  if constexpr (is_add_fusable_compare(op)) {
    const uint32_t sum = static_cast<uint32_t>(fp[pc[kHandlerUnits]] + fp[pc[kHandlerUnits + 1]]);
    fp[pc[kHandlerUnits + 2]] = sum;
    return OpImpl<op>::call(sum, static_cast<uint32_t>(fp[pc[kHandlerUnits + 3]]));
  } else {
    (void)fp, (void)pc;
    return 0;
  }
}

template <Op kFirst, Op kSecond, bool kRight>
WASMRT_NUM_INLINE void exec_fused_pair(Cell* fp, const Unit* pc) {
  constexpr char L = op_results(kFirst)[0];
  static_assert(op_params(kFirst).size() == 2 && op_params(kFirst)[0] == L && op_params(kFirst)[1] == L);
  static_assert(op_params(kSecond).size() == 2 && op_params(kSecond)[0] == L && op_results(kSecond)[0] == L);
  const auto t = OpImpl<kFirst>::call(read_cell<L>(fp, pc[kHandlerUnits]), read_cell<L>(fp, pc[kHandlerUnits + 1]));
  const auto c = read_cell<L>(fp, pc[kHandlerUnits + 2]);
  write_cell<L>(fp, pc[kHandlerUnits + 3], kRight ? OpImpl<kSecond>::call(c, t) : OpImpl<kSecond>::call(t, c));
}

// ---------------------------------------------------------------------------
// Generated memory-access handlers
// ---------------------------------------------------------------------------

constexpr bool text_ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

template <size_t N>
struct UintBytes;
template <> struct UintBytes<1> { using type = uint8_t; };
template <> struct UintBytes<2> { using type = uint16_t; };
template <> struct UintBytes<4> { using type = uint32_t; };
template <> struct UintBytes<8> { using type = uint64_t; };

// Returns false when the access is out of bounds (nothing written).
// kSummedAddress: the address-sum form (see address_sum_index), whose
// address is the i32 sum of two cells and whose other fields follow one
// unit later.
template <Op op, bool kSummedAddress = false>
WASMRT_NUM_INLINE bool exec_memory(Cell* fp, const Unit* pc, LinearMemory* mem) {
  if constexpr (!is_memory_access_op(op)) {
    (void)fp, (void)pc, (void)mem;
    return true;
  } else {
    [[maybe_unused]] constexpr std::string_view P = op_params(op);
    constexpr std::string_view R = op_results(op);
    constexpr std::string_view text = kOpText[static_cast<size_t>(op)];
    constexpr size_t B = kOpBytes[static_cast<size_t>(op)];
    constexpr size_t np = P.size(), nr = R.size();
    // i32.add wraps: the sum is truncated to 32 bits before the offset is
    // added (in 64 bits, by the bounds check).
    const uint64_t addr = kSummedAddress ? static_cast<uint32_t>(fp[pc[kHandlerUnits]] + fp[pc[kHandlerUnits + 1]])
                                         : static_cast<uint32_t>(fp[pc[kHandlerUnits]]);
    pc += kSummedAddress ? 1 : 0;  // the remaining fields as in the plain form
    const Unit* imms = pc + kHandlerUnits + np + nr;
    const uint64_t offset = imms[0];
    if constexpr (kOpImm[static_cast<size_t>(op)] == ImmKind::MemArgLane) {
      using T = typename UintBytes<B>::type;
      const uint32_t lane = imms[1];
      simd::V128 v = read_cell<'v'>(fp, pc[kHandlerUnits + 1]);
      if constexpr (nr == 1) {  // load lane
        T x;
        if (!mem->load<T>(addr, offset, x)) return false;
        write_cell<'v'>(fp, pc[kHandlerUnits + 2], simd::set_lane<T>(v, lane, x));
      } else {  // store lane
        if (!mem->store<T>(addr, offset, simd::get_lane<T>(v, lane))) return false;
      }
      return true;
    } else if constexpr (nr == 0) {  // store: the low B bytes of the value cell(s)
      const Unit val = pc[kHandlerUnits + 1];
      if constexpr (B == 16) {
        simd::V128 v = read_cell<'v'>(fp, val);
        return mem->store<simd::V128>(addr, offset, v);
      } else {
        using T = typename UintBytes<B>::type;
        return mem->store<T>(addr, offset, static_cast<T>(fp[val]));
      }
    } else {
      const Unit dst = pc[kHandlerUnits + 1];
      if constexpr (R[0] != 'v') {
        using T = typename UintBytes<B>::type;
        T x;
        if (!mem->load<T>(addr, offset, x)) return false;
        constexpr bool is_signed = text_ends_with(text, "_s");
        uint64_t wide;
        if constexpr (is_signed) {
          using S = std::make_signed_t<T>;
          wide = static_cast<uint64_t>(static_cast<int64_t>(static_cast<S>(x)));
        } else {
          wide = x;
        }
        if constexpr (R[0] == 'i' || R[0] == 'f') wide = static_cast<uint32_t>(wide);
        fp[dst] = wide;
        return true;
      } else if constexpr (B == 16) {
        simd::V128 v;
        if (!mem->load<simd::V128>(addr, offset, v)) return false;
        write_cell<'v'>(fp, dst, v);
        return true;
      } else {
        using T = typename UintBytes<B>::type;
        T x;
        if (!mem->load<T>(addr, offset, x)) return false;
        simd::V128 v{};
        if constexpr (text_ends_with(text, "_splat")) {
          v = simd::detail::splat<T>(x);
        } else if constexpr (text_ends_with(text, "_zero")) {
          std::memcpy(v.bytes, &x, B);
        } else {
          // load8x8 / load16x4 / load32x2: 8 bytes widened lane by lane.
          std::memcpy(v.bytes, &x, 8);
          if constexpr (op == Op::V128Load8x8S) v = simd::i16x8_extend_low_i8x16_s(v);
          else if constexpr (op == Op::V128Load8x8U) v = simd::i16x8_extend_low_i8x16_u(v);
          else if constexpr (op == Op::V128Load16x4S) v = simd::i32x4_extend_low_i16x8_s(v);
          else if constexpr (op == Op::V128Load16x4U) v = simd::i32x4_extend_low_i16x8_u(v);
          else if constexpr (op == Op::V128Load32x2S) v = simd::i64x2_extend_low_i32x4_s(v);
          else if constexpr (op == Op::V128Load32x2U) v = simd::i64x2_extend_low_i32x4_u(v);
          else static_assert(op == Op::V128Load8x8S, "unhandled v128 load form");
        }
        write_cell<'v'>(fp, dst, v);
        return true;
      }
    }
  }
}

}  // namespace wasmrt::interp
