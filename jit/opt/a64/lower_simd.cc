// The optimizing tier's inline SIMD on AArch64 (lower_simd.h; docs/jit.md,
// "SIMD"), in NEON. Every form here gives exactly the interpreter's bits
// (runtime/interp/simd.h), NaN payloads included: the float lane
// arithmetic is the same instruction with the same operand order (simd.h
// writes fadd/fsub/fmul/fdiv out for that reason), the roundings, sqrt and
// conversions are the vector forms of the scalar instructions the
// interpreter's C++ compiles to (frint*, fsqrt, fcvt*, scvtf, ucvtf, which
// treat every lane alike), and where NEON and the interpreter disagree
// (f32x4.min/max: which NaN) the sequence computes the interpreter's rule.
// What is not here calls the interpreter's helper.
#include "jit/opt/a64/lower_simd.h"

#include <cstddef>
#include <cstring>

namespace wasmrt::jit::opt::arm64 {

namespace {

namespace a64 = asmjit::a64;
namespace arm = asmjit::arm;
using arm::CondCode;
using asmjit::Imm;
using asmjit::Label;
using interp::kHandlerUnits;
using interp::kOpBytes;
using jit::arm64::Compiler;
using jit::arm64::kFp;
using jit::arm64::kOffset;
using Id = a64::Inst::Id;

constexpr Unit H = kHandlerUnits;

// Lane shapes: the full arrangement (16b, 8h, 4s, 2d), the low half's
// (8b, 4h, 2s) and one lane.
enum class Shape : uint8_t { B, H, S, D };
a64::Vec full(const a64::Vec& v, Shape s) {
  switch (s) {
    case Shape::B: return v.b16();
    case Shape::H: return v.h8();
    case Shape::S: return v.s4();
    default: return v.d2();
  }
}
a64::Vec low(const a64::Vec& v, Shape s) {
  switch (s) {
    case Shape::B: return v.b8();
    case Shape::H: return v.h4();
    default: return v.s2();
  }
}
a64::Vec lane(const a64::Vec& v, Shape s, uint32_t i) {
  switch (s) {
    case Shape::B: return v.b(i);
    case Shape::H: return v.h(i);
    case Shape::S: return v.s(i);
    default: return v.d(i);
  }
}
// The scalar view of the low lane (b, h, s, d).
a64::Vec scalar(const a64::Vec& v, Shape s) {
  switch (s) {
    case Shape::B: return v.b();
    case Shape::H: return v.h();
    case Shape::S: return v.s();
    default: return v.d();
  }
}
Shape shape_of_bytes(uint32_t bytes) {
  switch (bytes) {
    case 1: return Shape::B;
    case 2: return Shape::H;
    case 4: return Shape::S;
    default: return Shape::D;
  }
}

const a64::Vec v0 = a64::v0, v1 = a64::v1;

class Simd {
 public:
  explicit Simd(SimdHost& h) : h_(h), a_(h.simd_assembler()), c_(h.simd_compiler()) {}

  bool op(Op op, const Unit* pc);
  bool access(Op op, const Unit* pc, bool summed);
  std::optional<CondCode> condition(Op op, const Unit* pc);
  bool ir(interp::IrOp op, const Unit* pc);
  bool copy(Unit dst, Unit src);

 private:
  // 16 bytes at base + off (ldr/str q take a multiple of 16, ldur/stur
  // -256..255; else the offset goes through x17).
  void access16(bool load, const a64::Vec& v, const a64::Gp& base, uint64_t off) {
    const a64::Vec q = v.q();
    if (off % 16 == 0 && off / 16 < 4096) {
      const arm::Mem m = arm::ptr(base, static_cast<int32_t>(off));
      load ? a_.ldr(q, m) : a_.str(q, m);
    } else if (off < 256) {
      const arm::Mem m = arm::ptr(base, static_cast<int32_t>(off));
      load ? a_.ldur(q, m) : a_.stur(q, m);
    } else {
      c_.load_imm(kOffset, off);
      const arm::Mem m = arm::ptr(base, kOffset);
      load ? a_.ldr(q, m) : a_.str(q, m);
    }
  }
  // The v128 at cell c: its register copy, else loaded into `scratch`.
  // Only read the register returned (a copy must not be written).
  a64::Vec load(Unit c, const a64::Vec& scratch) {
    if (std::optional<a64::Vec> r = h_.simd_copies().find(h_, c)) return r->v();
    h_.simd_sync(c);
    access16(true, scratch, kFp, uint64_t{c} * 8);
    return scratch.v();
  }
  // The v128 at c in `into`, which the caller may then modify.
  void load_into(Unit c, const a64::Vec& into) {
    const a64::Vec r = load(c, into);
    if (r.id() != into.id()) a_.mov(into.b16(), r.b16());
  }
  // The register an instruction computes its v128 result in: one of the
  // allocator's, which becomes the result's register copy (store).
  a64::Vec out() { return h_.simd_temp().v(); }
  void store(Unit d, const a64::Vec& r) {
    h_.simd_forget(d);
    access16(false, r, kFp, uint64_t{d} * 8);
    h_.simd_copies().remember(h_, d, r);
  }
  // A 16-byte constant, built through x9 (not x16 or x17, which an
  // eviction between this and the constant's use may overwrite).
  void constant(const a64::Vec& v, uint64_t lo, uint64_t hi) {
    if (lo == 0 && hi == 0) {
      a_.movi(v.d2(), Imm(0));
      return;
    }
    c_.load_imm(a64::x9, lo);
    if (lo == hi) {
      a_.dup(v.d2(), a64::x9);
      return;
    }
    a_.fmov(v.d(), a64::x9);  // (clears the high half)
    c_.load_imm(a64::x9, hi);
    a_.ins(v.d(1), a64::x9);
  }
  // d = a OP b lane-wise (swap: b OP a; invert: then NOT).
  void binary(Id id, Shape s, bool swap, bool invert, const Unit* pc) {
    const Unit a = pc[H], b = pc[H + 1], d = pc[H + 2];
    if (h_.simd_drop_if_dead(d, true)) return;
    const a64::Vec va = load(a, v0), vb = load(b, v1);
    const a64::Vec r = out();
    if (swap) a_.emit(id, full(r, s), full(vb, s), full(va, s));
    else a_.emit(id, full(r, s), full(va, s), full(vb, s));
    if (invert) a_.mvn(r.b16(), r.b16());
    store(d, r);
  }
  // d = OP a lane-wise, from shape `from` to shape `to` (`from_low`: the
  // operand's low half).
  void unary(Id id, Shape to, Shape from, bool from_low, const Unit* pc) {
    const Unit a = pc[H], d = pc[H + 1];
    if (h_.simd_drop_if_dead(d, true)) return;
    const a64::Vec va = load(a, v0);
    const a64::Vec r = out();
    a_.emit(id, full(r, to), from_low ? low(va, from) : full(va, from));
    store(d, r);
  }

  bool compare(Op op, const Unit* pc);
  bool float_min_max(bool f64, bool max, const Unit* pc);
  bool shift(Op op, const Unit* pc);
  bool unary_op(Op op, const Unit* pc);
  bool widening(Op op, const Unit* pc);
  bool lanes(Op op, const Unit* pc);
  bool shuffle(const Unit* pc);
  bool lane_access(Op op, const Unit* pc);
  // The flags of any_true / all_true (the v128 in va), or bitmask's value
  // in r; the condition that holds when true.
  CondCode test(Op op, const a64::Vec& va);
  void bitmask(Op op, const a64::Vec& va, const a64::Gp& r);

  SimdHost& h_;
  a64::Assembler& a_;
  Compiler& c_;
};

// Integer and float lane compares. NEON has eq, signed gt/ge, unsigned
// hi/hs and their float forms; lt and le swap the operands, ne negates
// eq. Float compares are false for NaN lanes but ne, which is true.
bool Simd::compare(Op op, const Unit* pc) {
  enum class C { Eq, Ne, LtS, GtS, LeS, GeS, LtU, GtU, LeU, GeU };
  C c;
  Shape s;
  bool is_float = false;
  switch (op) {
#define WASMRT_SIMD_CMP(shape_, lanes_)                         \
  case Op::shape_##Eq: s = Shape::lanes_, c = C::Eq; break;     \
  case Op::shape_##Ne: s = Shape::lanes_, c = C::Ne; break;     \
  case Op::shape_##LtS: s = Shape::lanes_, c = C::LtS; break;   \
  case Op::shape_##GtS: s = Shape::lanes_, c = C::GtS; break;   \
  case Op::shape_##LeS: s = Shape::lanes_, c = C::LeS; break;   \
  case Op::shape_##GeS: s = Shape::lanes_, c = C::GeS; break;
#define WASMRT_SIMD_CMP_U(shape_, lanes_)                       \
  case Op::shape_##LtU: s = Shape::lanes_, c = C::LtU; break;   \
  case Op::shape_##GtU: s = Shape::lanes_, c = C::GtU; break;   \
  case Op::shape_##LeU: s = Shape::lanes_, c = C::LeU; break;   \
  case Op::shape_##GeU: s = Shape::lanes_, c = C::GeU; break;
    WASMRT_SIMD_CMP(I8x16, B)
    WASMRT_SIMD_CMP_U(I8x16, B)
    WASMRT_SIMD_CMP(I16x8, H)
    WASMRT_SIMD_CMP_U(I16x8, H)
    WASMRT_SIMD_CMP(I32x4, S)
    WASMRT_SIMD_CMP_U(I32x4, S)
    WASMRT_SIMD_CMP(I64x2, D)
#undef WASMRT_SIMD_CMP
#undef WASMRT_SIMD_CMP_U
    case Op::F32x4Eq: s = Shape::S, c = C::Eq, is_float = true; break;
    case Op::F32x4Ne: s = Shape::S, c = C::Ne, is_float = true; break;
    case Op::F32x4Lt: s = Shape::S, c = C::LtS, is_float = true; break;
    case Op::F32x4Gt: s = Shape::S, c = C::GtS, is_float = true; break;
    case Op::F32x4Le: s = Shape::S, c = C::LeS, is_float = true; break;
    case Op::F32x4Ge: s = Shape::S, c = C::GeS, is_float = true; break;
    case Op::F64x2Eq: s = Shape::D, c = C::Eq, is_float = true; break;
    case Op::F64x2Ne: s = Shape::D, c = C::Ne, is_float = true; break;
    case Op::F64x2Lt: s = Shape::D, c = C::LtS, is_float = true; break;
    case Op::F64x2Gt: s = Shape::D, c = C::GtS, is_float = true; break;
    case Op::F64x2Le: s = Shape::D, c = C::LeS, is_float = true; break;
    case Op::F64x2Ge: s = Shape::D, c = C::GeS, is_float = true; break;
    default: return false;
  }
  const Id eq = is_float ? a64::Inst::kIdFcmeq_v : a64::Inst::kIdCmeq_v;
  const Id gt = is_float ? a64::Inst::kIdFcmgt_v : a64::Inst::kIdCmgt_v;
  const Id ge = is_float ? a64::Inst::kIdFcmge_v : a64::Inst::kIdCmge_v;
  switch (c) {
    case C::Eq: binary(eq, s, false, false, pc); break;
    case C::Ne: binary(eq, s, false, true, pc); break;
    case C::GtS: binary(gt, s, false, false, pc); break;
    case C::LtS: binary(gt, s, true, false, pc); break;
    case C::GeS: binary(ge, s, false, false, pc); break;
    case C::LeS: binary(ge, s, true, false, pc); break;
    case C::GtU: binary(a64::Inst::kIdCmhi_v, s, false, false, pc); break;
    case C::LtU: binary(a64::Inst::kIdCmhi_v, s, true, false, pc); break;
    case C::GeU: binary(a64::Inst::kIdCmhs_v, s, false, false, pc); break;
    case C::LeU: binary(a64::Inst::kIdCmhs_v, s, true, false, pc); break;
  }
  return true;
}

// f32x4/f64x2 min and max with num::f32_min's rules: equal lanes (±0) the
// OR (min) or AND (max) of the bits, a NaN lane the first NaN operand with
// its quiet bit set, else the smaller (larger). fmin/fmax settle every
// ordered lane (they order -0 below +0), but for two NaNs they prefer a
// signaling one over the first: the NaN lanes are blended in from a
// select of the operands.
bool Simd::float_min_max(bool f64, bool max, const Unit* pc) {
  const Unit a = pc[H], b = pc[H + 1], d = pc[H + 2];
  if (h_.simd_drop_if_dead(d, true)) return true;
  const Shape s = f64 ? Shape::D : Shape::S;
  const a64::Vec va = load(a, v0), vb = load(b, v1);
  const a64::Vec r = h_.simd_temp(), ta = h_.simd_temp(), tb = h_.simd_temp();
  max ? a_.fmax(full(r, s), full(va, s), full(vb, s)) : a_.fmin(full(r, s), full(va, s), full(vb, s));
  a_.fcmeq(full(ta, s), full(va, s), full(va, s));  // a is not a NaN
  a_.fcmeq(full(tb, s), full(vb, s), full(vb, s));
  a_.and_(tb.b16(), tb.b16(), ta.b16());  // neither is
  a_.bsl(ta.b16(), vb.b16(), va.b16());   // a is not a NaN ? b : a
  c_.load_imm(a64::x9, f64 ? uint64_t{0x0008'0000'0000'0000} : uint64_t{0x0040'0000});  // the quiet bit
  f64 ? a_.dup(v0.d2(), a64::x9) : a_.dup(v0.s4(), a64::w9);
  a_.orr(ta.b16(), ta.b16(), v0.b16());
  a_.bif(r.b16(), ta.b16(), tb.b16());  // ordered ? r : the quieted NaN
  store(d, r);
  return true;
}

// Shifts by a scalar count, taken modulo the lane width as simd.h does:
// an immediate shift for a constant count, else ushl/sshl by the count
// in every byte (a lane's shift is its low byte, signed: negative shifts
// right).
bool Simd::shift(Op op, const Unit* pc) {
  enum class K { Shl, ShrS, ShrU };
  Shape s;
  K k;
  switch (op) {
    case Op::I8x16Shl: s = Shape::B, k = K::Shl; break;
    case Op::I8x16ShrS: s = Shape::B, k = K::ShrS; break;
    case Op::I8x16ShrU: s = Shape::B, k = K::ShrU; break;
    case Op::I16x8Shl: s = Shape::H, k = K::Shl; break;
    case Op::I16x8ShrS: s = Shape::H, k = K::ShrS; break;
    case Op::I16x8ShrU: s = Shape::H, k = K::ShrU; break;
    case Op::I32x4Shl: s = Shape::S, k = K::Shl; break;
    case Op::I32x4ShrS: s = Shape::S, k = K::ShrS; break;
    case Op::I32x4ShrU: s = Shape::S, k = K::ShrU; break;
    case Op::I64x2Shl: s = Shape::D, k = K::Shl; break;
    case Op::I64x2ShrS: s = Shape::D, k = K::ShrS; break;
    case Op::I64x2ShrU: s = Shape::D, k = K::ShrU; break;
    default: return false;
  }
  const uint32_t bits = 8u << static_cast<uint32_t>(s);
  const Unit a = pc[H], count = pc[H + 1], d = pc[H + 2];
  const std::optional<Cell> kc = h_.simd_scalar_constant(count);
  if (h_.simd_drop_if_dead(d, true)) return true;
  if (kc) {
    const uint32_t n = static_cast<uint32_t>(*kc) & (bits - 1);
    const a64::Vec va = load(a, v0);
    if (n == 0) {
      store(d, va);
      return true;
    }
    const a64::Vec o = out();
    switch (k) {
      case K::Shl: a_.shl(full(o, s), full(va, s), Imm(n)); break;
      case K::ShrS: a_.sshr(full(o, s), full(va, s), Imm(n)); break;
      case K::ShrU: a_.ushr(full(o, s), full(va, s), Imm(n)); break;
    }
    store(d, o);
    return true;
  }
  const a64::Gp r = h_.simd_gp(count, a64::x10);
  const a64::Vec va = load(a, v0);
  a_.and_(a64::w11, r.w(), bits - 1);
  if (k != K::Shl) a_.neg(a64::w11, a64::w11);
  a_.dup(v1.b16(), a64::w11);
  const a64::Vec o = out();
  a_.emit(k == K::ShrS ? a64::Inst::kIdSshl_v : a64::Inst::kIdUshl_v, full(o, s), full(va, s), full(v1, s));
  store(d, o);
  return true;
}

// One v128 operand and one v128 result, lane for lane; and the splats (a
// scalar operand).
bool Simd::unary_op(Op op, const Unit* pc) {
  switch (op) {
    case Op::V128Not: unary(a64::Inst::kIdMvn_v, Shape::B, Shape::B, false, pc); return true;
    // abs and neg wrap the most negative lane to itself, as wasm's do.
    case Op::I8x16Abs: unary(a64::Inst::kIdAbs_v, Shape::B, Shape::B, false, pc); return true;
    case Op::I16x8Abs: unary(a64::Inst::kIdAbs_v, Shape::H, Shape::H, false, pc); return true;
    case Op::I32x4Abs: unary(a64::Inst::kIdAbs_v, Shape::S, Shape::S, false, pc); return true;
    case Op::I64x2Abs: unary(a64::Inst::kIdAbs_v, Shape::D, Shape::D, false, pc); return true;
    case Op::I8x16Neg: unary(a64::Inst::kIdNeg_v, Shape::B, Shape::B, false, pc); return true;
    case Op::I16x8Neg: unary(a64::Inst::kIdNeg_v, Shape::H, Shape::H, false, pc); return true;
    case Op::I32x4Neg: unary(a64::Inst::kIdNeg_v, Shape::S, Shape::S, false, pc); return true;
    case Op::I64x2Neg: unary(a64::Inst::kIdNeg_v, Shape::D, Shape::D, false, pc); return true;
    case Op::I8x16Popcnt: unary(a64::Inst::kIdCnt_v, Shape::B, Shape::B, false, pc); return true;
    // fabs and fneg only touch the sign bit (no NaN is quieted), as the
    // interpreter's bit operations.
    case Op::F32x4Abs: unary(a64::Inst::kIdFabs_v, Shape::S, Shape::S, false, pc); return true;
    case Op::F64x2Abs: unary(a64::Inst::kIdFabs_v, Shape::D, Shape::D, false, pc); return true;
    case Op::F32x4Neg: unary(a64::Inst::kIdFneg_v, Shape::S, Shape::S, false, pc); return true;
    case Op::F64x2Neg: unary(a64::Inst::kIdFneg_v, Shape::D, Shape::D, false, pc); return true;
    // The vector forms of the interpreter's scalar fsqrt and frint*
    // (nearest: frintn, ties to even, as its frinti in the default mode).
    case Op::F32x4Sqrt: unary(a64::Inst::kIdFsqrt_v, Shape::S, Shape::S, false, pc); return true;
    case Op::F64x2Sqrt: unary(a64::Inst::kIdFsqrt_v, Shape::D, Shape::D, false, pc); return true;
    case Op::F32x4Ceil: unary(a64::Inst::kIdFrintp_v, Shape::S, Shape::S, false, pc); return true;
    case Op::F64x2Ceil: unary(a64::Inst::kIdFrintp_v, Shape::D, Shape::D, false, pc); return true;
    case Op::F32x4Floor: unary(a64::Inst::kIdFrintm_v, Shape::S, Shape::S, false, pc); return true;
    case Op::F64x2Floor: unary(a64::Inst::kIdFrintm_v, Shape::D, Shape::D, false, pc); return true;
    case Op::F32x4Trunc: unary(a64::Inst::kIdFrintz_v, Shape::S, Shape::S, false, pc); return true;
    case Op::F64x2Trunc: unary(a64::Inst::kIdFrintz_v, Shape::D, Shape::D, false, pc); return true;
    case Op::F32x4Nearest: unary(a64::Inst::kIdFrintn_v, Shape::S, Shape::S, false, pc); return true;
    case Op::F64x2Nearest: unary(a64::Inst::kIdFrintn_v, Shape::D, Shape::D, false, pc); return true;
    // Rounded to nearest, as the scalar conversions of each lane.
    case Op::F32x4ConvertI32x4S: unary(a64::Inst::kIdScvtf_v, Shape::S, Shape::S, false, pc); return true;
    case Op::F32x4ConvertI32x4U: unary(a64::Inst::kIdUcvtf_v, Shape::S, Shape::S, false, pc); return true;
    // fcvtzs/fcvtzu saturate and give 0 for NaN: wasm's trunc_sat.
    case Op::I32x4TruncSatF32x4S: unary(a64::Inst::kIdFcvtzs_v, Shape::S, Shape::S, false, pc); return true;
    case Op::I32x4TruncSatF32x4U: unary(a64::Inst::kIdFcvtzu_v, Shape::S, Shape::S, false, pc); return true;
    // fcvtl/fcvtn convert as the scalar fcvt (a NaN quieted, its payload's
    // top bits kept); fcvtn writes the low half and clears the high one,
    // as _zero wants.
    case Op::F64x2PromoteLowF32x4: unary(a64::Inst::kIdFcvtl_v, Shape::D, Shape::S, true, pc); return true;
    case Op::F32x4DemoteF64x2Zero: {
      const Unit a = pc[H], d = pc[H + 1];
      if (h_.simd_drop_if_dead(d, true)) return true;
      const a64::Vec va = load(a, v0);
      const a64::Vec o = out();
      a_.fcvtn(o.s2(), va.d2());
      store(d, o);
      return true;
    }
    case Op::I16x8ExtendLowI8x16S: unary(a64::Inst::kIdSxtl_v, Shape::H, Shape::B, true, pc); return true;
    case Op::I16x8ExtendLowI8x16U: unary(a64::Inst::kIdUxtl_v, Shape::H, Shape::B, true, pc); return true;
    case Op::I32x4ExtendLowI16x8S: unary(a64::Inst::kIdSxtl_v, Shape::S, Shape::H, true, pc); return true;
    case Op::I32x4ExtendLowI16x8U: unary(a64::Inst::kIdUxtl_v, Shape::S, Shape::H, true, pc); return true;
    case Op::I64x2ExtendLowI32x4S: unary(a64::Inst::kIdSxtl_v, Shape::D, Shape::S, true, pc); return true;
    case Op::I64x2ExtendLowI32x4U: unary(a64::Inst::kIdUxtl_v, Shape::D, Shape::S, true, pc); return true;
    case Op::I16x8ExtendHighI8x16S: unary(a64::Inst::kIdSxtl2_v, Shape::H, Shape::B, false, pc); return true;
    case Op::I16x8ExtendHighI8x16U: unary(a64::Inst::kIdUxtl2_v, Shape::H, Shape::B, false, pc); return true;
    case Op::I32x4ExtendHighI16x8S: unary(a64::Inst::kIdSxtl2_v, Shape::S, Shape::H, false, pc); return true;
    case Op::I32x4ExtendHighI16x8U: unary(a64::Inst::kIdUxtl2_v, Shape::S, Shape::H, false, pc); return true;
    case Op::I64x2ExtendHighI32x4S: unary(a64::Inst::kIdSxtl2_v, Shape::D, Shape::S, false, pc); return true;
    case Op::I64x2ExtendHighI32x4U: unary(a64::Inst::kIdUxtl2_v, Shape::D, Shape::S, false, pc); return true;
    case Op::I16x8ExtaddPairwiseI8x16S: unary(a64::Inst::kIdSaddlp_v, Shape::H, Shape::B, false, pc); return true;
    case Op::I16x8ExtaddPairwiseI8x16U: unary(a64::Inst::kIdUaddlp_v, Shape::H, Shape::B, false, pc); return true;
    case Op::I32x4ExtaddPairwiseI16x8S: unary(a64::Inst::kIdSaddlp_v, Shape::S, Shape::H, false, pc); return true;
    case Op::I32x4ExtaddPairwiseI16x8U: unary(a64::Inst::kIdUaddlp_v, Shape::S, Shape::H, false, pc); return true;
    case Op::F64x2ConvertLowI32x4S: case Op::F64x2ConvertLowI32x4U: {
      // Widened to 64 bits, then converted: exact.
      const bool sign = op == Op::F64x2ConvertLowI32x4S;
      const Unit a = pc[H], d = pc[H + 1];
      if (h_.simd_drop_if_dead(d, true)) return true;
      const a64::Vec va = load(a, v0);
      const a64::Vec o = out();
      sign ? a_.sxtl(o.d2(), va.s2()) : a_.uxtl(o.d2(), va.s2());
      sign ? a_.scvtf(o.d2(), o.d2()) : a_.ucvtf(o.d2(), o.d2());
      store(d, o);
      return true;
    }
    case Op::I32x4TruncSatF64x2SZero: case Op::I32x4TruncSatF64x2UZero: {
      // Saturated to 64 bits, then narrowed with saturation (which writes
      // the low half and clears the high one).
      const bool sign = op == Op::I32x4TruncSatF64x2SZero;
      const Unit a = pc[H], d = pc[H + 1];
      if (h_.simd_drop_if_dead(d, true)) return true;
      const a64::Vec va = load(a, v0);
      const a64::Vec o = out();
      sign ? a_.fcvtzs(o.d2(), va.d2()) : a_.fcvtzu(o.d2(), va.d2());
      sign ? a_.sqxtn(o.s2(), o.d2()) : a_.uqxtn(o.s2(), o.d2());
      store(d, o);
      return true;
    }
    case Op::I8x16Splat: case Op::I16x8Splat: case Op::I32x4Splat: case Op::I64x2Splat: {
      const Unit a = pc[H], d = pc[H + 1];
      if (h_.simd_drop_if_dead(d, true)) return true;
      const a64::Gp r = h_.simd_gp(a, a64::x10);
      const a64::Vec o = out();
      switch (op) {
        case Op::I8x16Splat: a_.dup(o.b16(), r.w()); break;
        case Op::I16x8Splat: a_.dup(o.h8(), r.w()); break;
        case Op::I32x4Splat: a_.dup(o.s4(), r.w()); break;
        default: a_.dup(o.d2(), r.x()); break;
      }
      store(d, o);
      return true;
    }
    case Op::F32x4Splat: case Op::F64x2Splat: {
      const Unit a = pc[H], d = pc[H + 1];
      if (h_.simd_drop_if_dead(d, true)) return true;
      const a64::Vec f = h_.simd_vec(a, v1);
      const a64::Vec o = out();
      if (op == Op::F32x4Splat) a_.dup(o.s4(), f.s(0));
      else a_.dup(o.d2(), f.d(0));
      store(d, o);
      return true;
    }
    default: return false;
  }
}

// Two v128 operands whose lanes widen or narrow: narrows (saturating, as
// wasm's), extmuls and the dot product; and i64x2.mul, which NEON lacks
// (two general-register multiplications).
bool Simd::widening(Op op, const Unit* pc) {
  enum class K { Narrow, ExtmulLow, ExtmulHigh, Dot, Mul64 } k;
  Id id = a64::Inst::kIdNone, id2 = a64::Inst::kIdNone;
  Shape from = Shape::B;  // the operands' lanes (narrows: the result's)
  switch (op) {
    case Op::I8x16NarrowI16x8S: k = K::Narrow, id = a64::Inst::kIdSqxtn_v, id2 = a64::Inst::kIdSqxtn2_v; break;
    case Op::I8x16NarrowI16x8U: k = K::Narrow, id = a64::Inst::kIdSqxtun_v, id2 = a64::Inst::kIdSqxtun2_v; break;
    case Op::I16x8NarrowI32x4S:
      k = K::Narrow, id = a64::Inst::kIdSqxtn_v, id2 = a64::Inst::kIdSqxtn2_v, from = Shape::H;
      break;
    case Op::I16x8NarrowI32x4U:
      k = K::Narrow, id = a64::Inst::kIdSqxtun_v, id2 = a64::Inst::kIdSqxtun2_v, from = Shape::H;
      break;
    case Op::I16x8ExtmulLowI8x16S: k = K::ExtmulLow, id = a64::Inst::kIdSmull_v; break;
    case Op::I16x8ExtmulHighI8x16S: k = K::ExtmulHigh, id = a64::Inst::kIdSmull2_v; break;
    case Op::I16x8ExtmulLowI8x16U: k = K::ExtmulLow, id = a64::Inst::kIdUmull_v; break;
    case Op::I16x8ExtmulHighI8x16U: k = K::ExtmulHigh, id = a64::Inst::kIdUmull2_v; break;
    case Op::I32x4ExtmulLowI16x8S: k = K::ExtmulLow, id = a64::Inst::kIdSmull_v, from = Shape::H; break;
    case Op::I32x4ExtmulHighI16x8S: k = K::ExtmulHigh, id = a64::Inst::kIdSmull2_v, from = Shape::H; break;
    case Op::I32x4ExtmulLowI16x8U: k = K::ExtmulLow, id = a64::Inst::kIdUmull_v, from = Shape::H; break;
    case Op::I32x4ExtmulHighI16x8U: k = K::ExtmulHigh, id = a64::Inst::kIdUmull2_v, from = Shape::H; break;
    case Op::I64x2ExtmulLowI32x4S: k = K::ExtmulLow, id = a64::Inst::kIdSmull_v, from = Shape::S; break;
    case Op::I64x2ExtmulHighI32x4S: k = K::ExtmulHigh, id = a64::Inst::kIdSmull2_v, from = Shape::S; break;
    case Op::I64x2ExtmulLowI32x4U: k = K::ExtmulLow, id = a64::Inst::kIdUmull_v, from = Shape::S; break;
    case Op::I64x2ExtmulHighI32x4U: k = K::ExtmulHigh, id = a64::Inst::kIdUmull2_v, from = Shape::S; break;
    case Op::I32x4DotI16x8S: k = K::Dot; break;
    case Op::I64x2Mul: k = K::Mul64; break;
    default: return false;
  }
  const Unit a = pc[H], b = pc[H + 1], d = pc[H + 2];
  if (h_.simd_drop_if_dead(d, true)) return true;
  const a64::Vec va = load(a, v0), vb = load(b, v1);
  const Shape to = static_cast<Shape>(static_cast<uint8_t>(from) + 1);
  const a64::Vec o = out();
  switch (k) {
    case K::Narrow: {
      // The result's low half from a, then its high half from b.
      a_.emit(id, low(o, from), full(va, to));
      a_.emit(id2, full(o, from), full(vb, to));
      break;
    }
    case K::ExtmulLow: a_.emit(id, full(o, to), low(va, from), low(vb, from)); break;
    case K::ExtmulHigh: a_.emit(id, full(o, to), full(va, from), full(vb, from)); break;
    case K::Dot: {
      // The products of the low and high halves, then their pairs added.
      const a64::Vec t = h_.simd_temp();
      a_.smull(t.s4(), va.h4(), vb.h4());
      a_.smull2(o.s4(), va.h8(), vb.h8());
      a_.addp(o.s4(), t.s4(), o.s4());
      break;
    }
    case K::Mul64:
      a_.umov(a64::x10, va.d(0));
      a_.umov(a64::x11, vb.d(0));
      a_.mul(a64::x10, a64::x10, a64::x11);
      a_.umov(a64::x11, va.d(1));
      a_.umov(a64::x12, vb.d(1));
      a_.mul(a64::x11, a64::x11, a64::x12);
      a_.fmov(o.d(), a64::x10);
      a_.ins(o.d(1), a64::x11);
      break;
  }
  store(d, o);
  return true;
}

// extract_lane reads the lane from the register copy or the v128's cells;
// replace_lane inserts the scalar into the loaded v128.
bool Simd::lanes(Op op, const Unit* pc) {
  const std::optional<LaneOp> decoded = lane_op(op);
  if (!decoded) return false;
  const uint32_t size = decoded->size;
  const bool extract = decoded->extract, sign = decoded->sign, is_float = decoded->is_float;
  const Shape s = shape_of_bytes(size);
  const uint32_t count = 16 / size;
  if (extract) {
    const Unit v = pc[H], d = pc[H + 1];
    const uint32_t l = pc[H + 2] & (count - 1);
    if (h_.simd_drop_if_dead(d, false)) return true;
    if (std::optional<a64::Vec> c = h_.simd_copies().find(h_, v)) {
      if (is_float) {
        // Writing an s or d register clears the rest: an f32 keeps its
        // cell's zero upper half.
        const a64::Vec r = h_.simd_define_vec(d);
        a_.dup(scalar(r, s), lane(*c, s, l));
        return true;
      }
      const a64::Gp r = h_.simd_define_gp(d, size != 8);
      if (sign) a_.smov(r.w(), lane(*c, s, l));
      else a_.umov(size == 8 ? a64::Gp(r.x()) : a64::Gp(r.w()), lane(*c, s, l));
      return true;
    }
    h_.simd_sync(v);
    // The lane straight from its cell.
    const uint64_t off = uint64_t{v} * 8 + l * size;
    arm::Mem at = arm::ptr(kFp, static_cast<int32_t>(off));
    const bool fits = off / size < 4096;
    if (is_float) {
      const a64::Vec r = h_.simd_define_vec(d);
      if (!fits) c_.load_imm(kOffset, off), at = arm::ptr(kFp, kOffset);
      a_.ldr(scalar(r, s), at);  // (clears the rest of the register)
      return true;
    }
    const a64::Gp r = h_.simd_define_gp(d, size != 8);
    if (!fits) c_.load_imm(kOffset, off), at = arm::ptr(kFp, kOffset);
    switch (size) {
      case 1: sign ? a_.ldrsb(r.w(), at) : a_.ldrb(r.w(), at); break;
      case 2: sign ? a_.ldrsh(r.w(), at) : a_.ldrh(r.w(), at); break;
      case 4: a_.ldr(r.w(), at); break;
      default: a_.ldr(r.x(), at); break;
    }
    return true;
  }
  const Unit v = pc[H], sc = pc[H + 1], d = pc[H + 2];
  const uint32_t l = pc[H + 3] & (count - 1);
  if (h_.simd_drop_if_dead(d, true)) return true;
  const a64::Vec o = out();
  if (is_float) {
    const a64::Vec f = h_.simd_vec(sc, v1);
    load_into(v, o);
    a_.ins(lane(o, s, l), lane(f, s, 0));
  } else {
    const a64::Gp r = h_.simd_gp(sc, a64::x10);
    load_into(v, o);
    a_.ins(lane(o, s, l), size == 8 ? a64::Gp(r.x()) : a64::Gp(r.w()));
  }
  store(d, o);
  return true;
}

// i8x16.shuffle with constant lanes: tbl over one operand or both (a in
// v0, b in v1: tbl's table registers are consecutive), indices built as
// a constant.
bool Simd::shuffle(const Unit* pc) {
  const Unit a = pc[H], b = pc[H + 1], d = pc[H + 2];
  if (h_.simd_drop_if_dead(d, true)) return true;
  uint8_t idx[16];
  std::memcpy(idx, pc + H + 3, 16);
  bool use_a = false, use_b = false;
  for (uint8_t& l : idx) {
    l &= 31;
    if (a == b) l &= 15;  // both halves are the same v128
    use_a = use_a || l < 16;
    use_b = use_b || l >= 16;
  }
  if (!use_a)
    for (uint8_t& l : idx) l = static_cast<uint8_t>(l - 16);
  uint64_t lo, hi;
  std::memcpy(&lo, idx, 8);
  std::memcpy(&hi, idx + 8, 8);
  const a64::Vec t = h_.simd_temp(), o = out();
  if (use_a && use_b) {
    load_into(a, v0);
    load_into(b, v1);
    constant(t, lo, hi);
    a_.tbl(o.b16(), v0.b16(), v1.b16(), t.b16());
  } else {
    const a64::Vec va = load(use_a ? a : b, v0);
    constant(t, lo, hi);
    a_.tbl(o.b16(), va.b16(), t.b16());
  }
  store(d, o);
  return true;
}

CondCode Simd::test(Op op, const a64::Vec& va) {
  switch (op) {
    case Op::V128AnyTrue:
      // Some bit set: the largest of the pairwise maxima of 32-bit lanes.
      a_.umaxp(v1.s4(), va.s4(), va.s4());
      a_.fmov(a64::x9, v1.d());
      a_.cmp(a64::x9, 0);
      return CondCode::kNE;
    case Op::I8x16AllTrue: case Op::I16x8AllTrue: case Op::I32x4AllTrue: {
      // No lane is zero: the smallest lane is not (uminv clears the rest
      // of the register).
      const Shape s = op == Op::I8x16AllTrue ? Shape::B : op == Op::I16x8AllTrue ? Shape::H : Shape::S;
      a_.uminv(scalar(v1, s), full(va, s));
      a_.fmov(a64::w9, v1.s());
      a_.cmp(a64::w9, 0);
      return CondCode::kNE;
    }
    default:  // I64x2AllTrue: the lanes equal to zero make an all-zero mask
      a_.cmeq(v1.d2(), va.d2(), Imm(0));
      a_.umaxp(v1.s4(), v1.s4(), v1.s4());
      a_.fmov(a64::x9, v1.d());
      a_.cmp(a64::x9, 0);
      return CondCode::kEQ;
  }
}

// Each lane's sign into bit i of r: the signs as all-ones lanes, ANDed
// with the lane's bit, added across (bytes: the high half's bits moved to
// the upper byte of 16-bit lanes first).
void Simd::bitmask(Op op, const a64::Vec& va, const a64::Gp& r) {
  switch (op) {
    case Op::I8x16Bitmask: {
      const a64::Vec t = h_.simd_temp();
      constant(t, 0x8040201008040201ull, 0x8040201008040201ull);
      a_.sshr(v1.b16(), va.b16(), Imm(7));
      a_.and_(v1.b16(), v1.b16(), t.b16());
      a_.ext(t.b16(), v1.b16(), v1.b16(), Imm(8));
      a_.zip1(v1.b16(), v1.b16(), t.b16());
      a_.addv(v1.h(), v1.h8());
      a_.umov(r.w(), v1.h(0));
      break;
    }
    case Op::I16x8Bitmask: {
      const a64::Vec t = h_.simd_temp();
      constant(t, 0x0008000400020001ull, 0x0080004000200010ull);
      a_.sshr(v1.h8(), va.h8(), Imm(15));
      a_.and_(v1.b16(), v1.b16(), t.b16());
      a_.addv(v1.h(), v1.h8());
      a_.umov(r.w(), v1.h(0));
      break;
    }
    case Op::I32x4Bitmask: {
      const a64::Vec t = h_.simd_temp();
      constant(t, 0x0000000200000001ull, 0x0000000800000004ull);
      a_.sshr(v1.s4(), va.s4(), Imm(31));
      a_.and_(v1.b16(), v1.b16(), t.b16());
      a_.addv(v1.s(), v1.s4());
      a_.fmov(r.w(), v1.s());
      break;
    }
    default:  // I64x2Bitmask
      a_.umov(a64::x10, va.d(0));
      a_.umov(a64::x11, va.d(1));
      a_.lsr(a64::x10, a64::x10, 63);
      a_.lsr(a64::x11, a64::x11, 63);
      a_.orr(r.w(), a64::w10, a64::w11, arm::lsl(1));
      break;
  }
}

bool Simd::op(Op op, const Unit* pc) {
#define WASMRT_SIMD_BIN(wasm, id, shape) \
  case Op::wasm: binary(a64::Inst::kId##id##_v, Shape::shape, false, false, pc); return true;
  switch (op) {
    WASMRT_SIMD_BIN(V128And, And, B)
    WASMRT_SIMD_BIN(V128Or, Orr, B)
    WASMRT_SIMD_BIN(V128Xor, Eor, B)
    WASMRT_SIMD_BIN(V128Andnot, Bic, B)  // a & ~b
    WASMRT_SIMD_BIN(I8x16Add, Add, B)
    WASMRT_SIMD_BIN(I16x8Add, Add, H)
    WASMRT_SIMD_BIN(I32x4Add, Add, S)
    WASMRT_SIMD_BIN(I64x2Add, Add, D)
    WASMRT_SIMD_BIN(I8x16Sub, Sub, B)
    WASMRT_SIMD_BIN(I16x8Sub, Sub, H)
    WASMRT_SIMD_BIN(I32x4Sub, Sub, S)
    WASMRT_SIMD_BIN(I64x2Sub, Sub, D)
    WASMRT_SIMD_BIN(I8x16AddSatS, Sqadd, B)
    WASMRT_SIMD_BIN(I8x16AddSatU, Uqadd, B)
    WASMRT_SIMD_BIN(I8x16SubSatS, Sqsub, B)
    WASMRT_SIMD_BIN(I8x16SubSatU, Uqsub, B)
    WASMRT_SIMD_BIN(I16x8AddSatS, Sqadd, H)
    WASMRT_SIMD_BIN(I16x8AddSatU, Uqadd, H)
    WASMRT_SIMD_BIN(I16x8SubSatS, Sqsub, H)
    WASMRT_SIMD_BIN(I16x8SubSatU, Uqsub, H)
    WASMRT_SIMD_BIN(I8x16AvgrU, Urhadd, B)  // (a + b + 1) >> 1 without overflow
    WASMRT_SIMD_BIN(I16x8AvgrU, Urhadd, H)
    WASMRT_SIMD_BIN(I16x8Mul, Mul, H)
    WASMRT_SIMD_BIN(I32x4Mul, Mul, S)
    WASMRT_SIMD_BIN(I8x16MinS, Smin, B)
    WASMRT_SIMD_BIN(I8x16MinU, Umin, B)
    WASMRT_SIMD_BIN(I8x16MaxS, Smax, B)
    WASMRT_SIMD_BIN(I8x16MaxU, Umax, B)
    WASMRT_SIMD_BIN(I16x8MinS, Smin, H)
    WASMRT_SIMD_BIN(I16x8MinU, Umin, H)
    WASMRT_SIMD_BIN(I16x8MaxS, Smax, H)
    WASMRT_SIMD_BIN(I16x8MaxU, Umax, H)
    WASMRT_SIMD_BIN(I32x4MinS, Smin, S)
    WASMRT_SIMD_BIN(I32x4MinU, Umin, S)
    WASMRT_SIMD_BIN(I32x4MaxS, Smax, S)
    WASMRT_SIMD_BIN(I32x4MaxU, Umax, S)
    // sqrdmulh is (2ab + 2^15) >> 16 saturated, which is q15mulr's
    // (ab + 2^14) >> 15; only -32768 * -32768 saturates, as in wasm.
    WASMRT_SIMD_BIN(I16x8Q15mulrSatS, Sqrdmulh, H)
    // Float lanes in wasm operand order, as simd.h computes them: a NaN
    // lane is a signaling NaN operand's, quieted, else the first NaN's.
    WASMRT_SIMD_BIN(F32x4Add, Fadd, S)
    WASMRT_SIMD_BIN(F32x4Sub, Fsub, S)
    WASMRT_SIMD_BIN(F32x4Mul, Fmul, S)
    WASMRT_SIMD_BIN(F32x4Div, Fdiv, S)
    WASMRT_SIMD_BIN(F64x2Add, Fadd, D)
    WASMRT_SIMD_BIN(F64x2Sub, Fsub, D)
    WASMRT_SIMD_BIN(F64x2Mul, Fmul, D)
    WASMRT_SIMD_BIN(F64x2Div, Fdiv, D)
    // tbl gives 0 for an index past the table: swizzle's rule.
    WASMRT_SIMD_BIN(I8x16Swizzle, Tbl, B)
#undef WASMRT_SIMD_BIN
    case Op::F32x4Min: return float_min_max(false, false, pc);
    case Op::F32x4Max: return float_min_max(false, true, pc);
    case Op::F64x2Min: return float_min_max(true, false, pc);
    case Op::F64x2Max: return float_min_max(true, true, pc);
    case Op::F32x4Pmin: case Op::F32x4Pmax: case Op::F64x2Pmin: case Op::F64x2Pmax: {
      // pmin is `b < a ? b : a`, pmax `a < b ? b : a`: a select of the
      // operands' bits by fcmgt (false for NaN lanes, which keep a).
      const bool f64 = op == Op::F64x2Pmin || op == Op::F64x2Pmax;
      const bool max = op == Op::F32x4Pmax || op == Op::F64x2Pmax;
      const Shape s = f64 ? Shape::D : Shape::S;
      const Unit a = pc[H], b = pc[H + 1], d = pc[H + 2];
      if (h_.simd_drop_if_dead(d, true)) return true;
      const a64::Vec va = load(a, v0), vb = load(b, v1);
      const a64::Vec m = h_.simd_temp();
      if (max) a_.fcmgt(full(m, s), full(vb, s), full(va, s));
      else a_.fcmgt(full(m, s), full(va, s), full(vb, s));
      a_.bsl(m.b16(), vb.b16(), va.b16());
      store(d, m);
      return true;
    }
    case Op::I8x16Shuffle: return shuffle(pc);
    case Op::V128Bitselect: {
      // bsl: bits of a where the mask c is 1, else of b.
      const Unit a = pc[H], b = pc[H + 1], c = pc[H + 2], d = pc[H + 3];
      if (h_.simd_drop_if_dead(d, true)) return true;
      const a64::Vec va = load(a, v0), vb = load(b, v1);
      const a64::Vec m = h_.simd_temp();
      load_into(c, m);
      a_.bsl(m.b16(), va.b16(), vb.b16());
      store(d, m);
      return true;
    }
    case Op::V128AnyTrue: case Op::I8x16AllTrue: case Op::I16x8AllTrue: case Op::I32x4AllTrue:
    case Op::I64x2AllTrue: {
      const Unit a = pc[H], d = pc[H + 1];
      if (h_.simd_drop_if_dead(d, false)) return true;
      const a64::Vec va = load(a, v0);
      const CondCode cc = test(op, va);
      // (The result's register after the flags: an eviction only stores.)
      const a64::Gp r = h_.simd_define_gp(d, true);
      a_.cset(r.w(), cc);
      return true;
    }
    case Op::I8x16Bitmask: case Op::I16x8Bitmask: case Op::I32x4Bitmask: case Op::I64x2Bitmask: {
      const Unit a = pc[H], d = pc[H + 1];
      if (h_.simd_drop_if_dead(d, false)) return true;
      const a64::Vec va = load(a, v0);
      const a64::Gp r = h_.simd_define_gp(d, true);
      bitmask(op, va, r);
      return true;
    }
    default: break;
  }
  return compare(op, pc) || shift(op, pc) || unary_op(op, pc) || widening(op, pc) || lanes(op, pc);
}

bool Simd::access(Op op, const Unit* pc, bool summed) {
  uint8_t bytes;
  switch (op) {
    case Op::V128Load8Lane: case Op::V128Load16Lane: case Op::V128Load32Lane: case Op::V128Load64Lane:
    case Op::V128Store8Lane: case Op::V128Store16Lane: case Op::V128Store32Lane: case Op::V128Store64Lane:
      return !summed && lane_access(op, pc);
    case Op::V128Load: case Op::V128Store: bytes = 16; break;
    case Op::V128Load8x8S: case Op::V128Load8x8U: case Op::V128Load16x4S: case Op::V128Load16x4U:
    case Op::V128Load32x2S: case Op::V128Load32x2U: case Op::V128Load64Splat: case Op::V128Load64Zero:
      bytes = 8;
      break;
    case Op::V128Load8Splat: bytes = 1; break;
    case Op::V128Load16Splat: bytes = 2; break;
    case Op::V128Load32Splat: case Op::V128Load32Zero: bytes = 4; break;
    default: return false;
  }
  const bool is_store = op == Op::V128Store;
  const Unit* fields = pc + (summed ? 1 : 0);
  const Unit value = fields[H + 1];
  // (A load is never dropped, dead or not: it may trap.)
  // (The result's register before the address: memory_operand's
  // scratch registers stay as it leaves them.)
  a64::Vec vs = v0;
  if (is_store) vs = load(value, v0);
  else vs = out();
  const Compiler::MemoryOperand m =
      h_.simd_memory_operand(pc[H], summed ? std::optional<Unit>(pc[H + 1]) : std::nullopt,
                             codegen::Access{bytes, is_store, false, false}, fields[H + 2]);
  const arm::Mem at = m.at();
  m.mark_access(c_);
  switch (op) {
    case Op::V128Store: a_.str(vs.q(), at); return true;
    case Op::V128Load: a_.ldr(vs.q(), at); break;
    case Op::V128Load8x8S: a_.ldr(vs.d(), at), a_.sxtl(vs.h8(), vs.b8()); break;
    case Op::V128Load8x8U: a_.ldr(vs.d(), at), a_.uxtl(vs.h8(), vs.b8()); break;
    case Op::V128Load16x4S: a_.ldr(vs.d(), at), a_.sxtl(vs.s4(), vs.h4()); break;
    case Op::V128Load16x4U: a_.ldr(vs.d(), at), a_.uxtl(vs.s4(), vs.h4()); break;
    case Op::V128Load32x2S: a_.ldr(vs.d(), at), a_.sxtl(vs.d2(), vs.s2()); break;
    case Op::V128Load32x2U: a_.ldr(vs.d(), at), a_.uxtl(vs.d2(), vs.s2()); break;
    case Op::V128Load8Splat: a_.ldr(vs.b(), at), a_.dup(vs.b16(), vs.b(0)); break;
    case Op::V128Load16Splat: a_.ldr(vs.h(), at), a_.dup(vs.h8(), vs.h(0)); break;
    case Op::V128Load32Splat: a_.ldr(vs.s(), at), a_.dup(vs.s4(), vs.s(0)); break;
    case Op::V128Load64Splat: a_.ldr(vs.d(), at), a_.dup(vs.d2(), vs.d(0)); break;
    case Op::V128Load32Zero: a_.ldr(vs.s(), at); break;  // (clears the rest)
    default: a_.ldr(vs.d(), at); break;                  // V128Load64Zero
  }
  store(value, vs);
  return true;
}

// v128.loadN_lane (a scalar load, inserted into the loaded v128) and
// v128.storeN_lane (the lane moved to a scalar register, stored),
// bounds-checked as scalar accesses of their width.
bool Simd::lane_access(Op op, const Unit* pc) {
  const bool is_store = op == Op::V128Store8Lane || op == Op::V128Store16Lane || op == Op::V128Store32Lane ||
                        op == Op::V128Store64Lane;
  const uint8_t bytes = kOpBytes[static_cast<size_t>(op)];
  const Shape s = shape_of_bytes(bytes);
  const Unit v = pc[H + 1];
  const Unit* imms = pc + H + (is_store ? 2 : 3);
  const uint32_t l = imms[1] & (16u / bytes - 1);
  a64::Vec from = v1, o = v0;
  if (is_store) {
    const a64::Vec vv = load(v, v0);
    if (l == 0) from = vv;  // the low lane is the scalar register's
    else a_.dup(scalar(v1, s), lane(vv, s, l));
  } else {
    o = out();
    load_into(v, o);
  }
  const Compiler::MemoryOperand m =
      h_.simd_memory_operand(pc[H], std::nullopt, codegen::Access{bytes, is_store, false, false}, imms[0]);
  const arm::Mem at = m.at();
  m.mark_access(c_);
  if (is_store) {
    a_.str(scalar(from, s), at);
    return true;
  }
  a_.ldr(scalar(v1, s), at);
  a_.ins(lane(o, s, l), lane(v1, s, 0));
  store(pc[H + 2], o);
  return true;
}

// Flags for a fused any_true, all_true or bitmask (its value in w9).
std::optional<CondCode> Simd::condition(Op op, const Unit* pc) {
  switch (op) {
    case Op::V128AnyTrue: case Op::I8x16AllTrue: case Op::I16x8AllTrue: case Op::I32x4AllTrue:
    case Op::I64x2AllTrue:
      return test(op, load(pc[H], v0));
    case Op::I8x16Bitmask: case Op::I16x8Bitmask: case Op::I32x4Bitmask: case Op::I64x2Bitmask:
      bitmask(op, load(pc[H], v0), a64::x9);
      a_.cmp(a64::w9, 0);
      return CondCode::kNE;
    default: return std::nullopt;
  }
}

bool Simd::ir(interp::IrOp op, const Unit* pc) {
  // A v128 global's value is GlobalInst::value[0..1], 16 bytes.
  constexpr uint64_t kValue = offsetof(GlobalInst, value);
  switch (op) {
    case interp::IrOp::Select2: {
      // cond != 0 ? a : b, as a select by an all-ones or all-zeros mask.
      const Unit d = pc[2], a = pc[3], b = pc[4], cond = pc[5];
      if (h_.simd_drop_if_dead(d, true)) return true;
      const a64::Gp r = h_.simd_gp(cond, a64::x10);
      const a64::Vec va = load(a, v0), vb = load(b, v1);
      const a64::Vec m = h_.simd_temp();
      a_.cmp(r.w(), 0);
      a_.csetm(a64::x11, CondCode::kNE);
      a_.dup(m.d2(), a64::x11);
      a_.bsl(m.b16(), va.b16(), vb.b16());
      store(d, m);
      return true;
    }
    case interp::IrOp::GlobalGet2: {
      const Unit d = pc[2];
      if (h_.simd_drop_if_dead(d, true)) return true;
      const a64::Vec o = out();
      c_.global_inst(a64::x9, pc[3]);
      access16(true, o, a64::x9, kValue);
      store(d, o);
      return true;
    }
    case interp::IrOp::GlobalSet2: {
      const a64::Vec v = load(pc[3], v0);
      c_.global_inst(a64::x9, pc[2]);
      access16(false, v, a64::x9, kValue);
      return true;
    }
    default: return false;
  }
}

bool Simd::copy(Unit dst, Unit src) {
  if (!h_.simd_in_cells(src)) return false;
  if (h_.simd_drop_if_dead(dst, true)) return true;
  store(dst, load(src, v0));
  return true;
}

}  // namespace

void V128Copies::remember(SimdHost& h, Unit c, const a64::Vec& reg) {
  make_room(h, c);
  if (std::optional<uint32_t> v = h.simd_take_temp(reg)) {
    // Computed in a register of its own: that register is the copy (no
    // move on the dependency chain to the next instruction).
    add(c, *v);
    return;
  }
  const auto [v, r] = h.simd_new_vec();
  h.simd_assembler().mov(r.b16(), reg.b16());
  add(c, v);
}

bool lower_simd(SimdHost& h, Op op, const Unit* pc) { return Simd(h).op(op, pc); }

bool lower_simd_access(SimdHost& h, Op op, const Unit* pc, bool summed) { return Simd(h).access(op, pc, summed); }

bool lower_simd_copy(SimdHost& h, Unit dst, Unit src) { return Simd(h).copy(dst, src); }

bool lower_simd_ir(SimdHost& h, interp::IrOp op, const Unit* pc) { return Simd(h).ir(op, pc); }

std::optional<CondCode> lower_simd_condition(SimdHost& h, Op op, const Unit* pc) { return Simd(h).condition(op, pc); }

}  // namespace wasmrt::jit::opt::arm64
