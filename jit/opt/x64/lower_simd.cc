// The optimizing tier's inline SIMD on x86-64 (lower_simd.h; docs/jit.md,
// "SIMD"). Every form here gives exactly the interpreter's bits
// (runtime/interp/simd.h), NaN payloads included: the float lane
// arithmetic is the same SSE instruction with the same operand order
// (simd.h writes it out for that reason), and where SSE and wasm disagree
// (f32x4.min/max, unsigned compares, i8x16 shifts) the sequence computes
// the wasm rule. What is not here calls the interpreter's helper.
#include "jit/opt/x64/lower_simd.h"

#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace wasmrt::jit::opt::x64 {

namespace {

namespace x = asmjit::x86;
using asmjit::Imm;
using interp::kHandlerUnits;
using interp::kOpBytes;
using jit::x64::kFp;
using Id = x::Inst::Id;

constexpr Unit H = kHandlerUnits;

const asmjit::CpuFeatures::X86& cpu() { return asmjit::CpuInfo::host().features().x86(); }

std::array<uint8_t, 16> bytes_of(const std::array<Cell, 2>& k) {
  std::array<uint8_t, 16> b;
  std::memcpy(b.data(), k.data(), 16);
  return b;
}
template <typename T>
std::array<uint8_t, 16> splat_bytes(T v) {
  std::array<uint8_t, 16> b;
  for (size_t i = 0; i < 16; i += sizeof(T)) std::memcpy(b.data() + i, &v, sizeof(T));
  return b;
}

class Simd {
 public:
  explicit Simd(SimdHost& h) : h_(h), a_(h.simd_assembler()) {}

  bool op(Op op, const Unit* pc);
  bool access(Op op, const Unit* pc, bool summed);
  std::optional<x::CondCode> condition(Op op, const Unit* pc);
  // Select2 (dst a b cond), GlobalGet2 (dst global), GlobalSet2 (global src).
  template <typename Global>
  bool ir(interp::IrOp op, const Unit* pc, Global&& global) {
    switch (op) {
      case interp::IrOp::Select2: {
        const Unit d = pc[2], a = pc[3], b = pc[4], cond = pc[5];
        if (h_.simd_drop_if_dead(d, true)) return true;
        const x::Gp r = h_.simd_gp(cond, x::rax);
        load(a, x::xmm0);
        load(b, x::xmm1);
        const asmjit::Label keep_b = a_.newLabel();
        a_.test(r.r32(), r.r32());
        a_.jz(keep_b);
        a_.movdqa(x::xmm1, x::xmm0);
        a_.bind(keep_b);
        store(d, x::xmm1);
        return true;
      }
      case interp::IrOp::GlobalGet2: {
        const Unit d = pc[2];
        if (h_.simd_drop_if_dead(d, true)) return true;
        a_.movdqu(x::xmm0, global(pc[3]));
        store(d, x::xmm0);
        return true;
      }
      default:  // GlobalSet2
        load(pc[3], x::xmm0);
        a_.movdqu(global(pc[2]), x::xmm0);
        return true;
    }
  }

 private:
  static x::Mem cell128(Unit c) { return x::xmmword_ptr(kFp, static_cast<int32_t>(c * 8)); }
  // WASMRT_JIT_NO_AVX=1 forces the SSE forms (their aligned-memory rule
  // and destructive operands), which a CPU without AVX would run, for
  // testing on one with it.
  static bool avx() {
    static const bool has = cpu().hasAVX() && std::getenv("WASMRT_JIT_NO_AVX") == nullptr;
    return has;
  }

  // The v128 at cell c in `into`.
  void load(Unit c, const x::Xmm& into) {
    if (std::optional<std::array<Cell, 2>> k = h_.simd_constant(c)) {
      a_.movdqa(into, h_.simd_constant16(bytes_of(*k)));
      return;
    }
    if (std::optional<x::Xmm> r = h_.simd_copies().find(h_, c)) {
      a_.movdqa(into, *r);
      return;
    }
    h_.simd_sync(c);
    a_.movdqu(into, cell128(c));
  }
  // The v128 at c as an instruction's source: a pool constant (aligned),
  // its cells for a VEX instruction (which takes unaligned memory), else
  // loaded into `into`.
  asmjit::Operand source(Unit c, const x::Xmm& into) {
    if (std::optional<std::array<Cell, 2>> k = h_.simd_constant(c)) return h_.simd_constant16(bytes_of(*k));
    if (std::optional<x::Xmm> r = h_.simd_copies().find(h_, c)) return *r;
    h_.simd_sync(c);
    if (avx()) return cell128(c);
    a_.movdqu(into, cell128(c));
    return into;
  }
  void store(Unit d, const x::Xmm& r) {
    h_.simd_forget(d);
    a_.movdqu(cell128(d), r);
    h_.simd_copies().remember(h_, d, r);
  }
  // d = l OP r on two registers or a register and a source (the VEX form
  // when there is one: no alignment rule for memory).
  void emit2(Id sse, Id vex, const x::Xmm& d, const asmjit::Operand& src) {
    if (avx() && vex != x::Inst::kIdNone) a_.emit(vex, d, d, src);
    else a_.emit(sse, d, src);
  }
  void emit2i(Id sse, Id vex, const x::Xmm& d, const asmjit::Operand& src, uint32_t imm) {
    if (avx() && vex != x::Inst::kIdNone) a_.emit(vex, d, d, src, Imm(imm));
    else a_.emit(sse, d, src, Imm(imm));
  }
  // dst = a OP b (swap: b OP a), xmm0 left holding the result.
  void binary(Id sse, Id vex, bool swap, const Unit* pc) {
    const Unit a = pc[H], b = pc[H + 1], d = pc[H + 2];
    if (h_.simd_drop_if_dead(d, true)) return;
    load(swap ? b : a, x::xmm0);
    emit2(sse, vex, x::xmm0, source(swap ? a : b, x::xmm1));
    store(d, x::xmm0);
  }
  void not_xmm0() {
    a_.pcmpeqd(x::xmm1, x::xmm1);
    a_.pxor(x::xmm0, x::xmm1);
  }

  bool compare(Op op, const Unit* pc);
  bool float_min_max(bool f64, bool max, const Unit* pc);
  bool shift(Op op, const Unit* pc);
  bool unary(Op op, const Unit* pc);
  bool lanes(Op op, const Unit* pc);
  bool shuffle(const Unit* pc);
  bool arith(Op op, const Unit* pc);
  bool lane_access(Op op, const Unit* pc);
  bool arith_unary(Op op, const Unit* pc);
  // xmm0's lane signs into r (i8x16 .. i64x2 bitmask).
  void bitmask(Op op, const x::Gp& r);

  SimdHost& h_;
  x::Assembler& a_;
};

// Integer and float lane compares. SSE has eq and signed gt; the others
// are a swap, a negation, or (unsigned) an equality with min/max:
// a >=u b exactly when max_u(a, b) == a.
bool Simd::compare(Op op, const Unit* pc) {
  enum class C { Eq, Ne, LtS, GtS, LeS, GeS, LtU, GtU, LeU, GeU };
  C c;
  Id eq = x::Inst::kIdNone, gt = x::Inst::kIdNone, minu = x::Inst::kIdNone, maxu = x::Inst::kIdNone;
  auto shape = [&](int bytes) {
    switch (bytes) {
      case 1: eq = x::Inst::kIdPcmpeqb, gt = x::Inst::kIdPcmpgtb, minu = x::Inst::kIdPminub, maxu = x::Inst::kIdPmaxub; break;
      case 2: eq = x::Inst::kIdPcmpeqw, gt = x::Inst::kIdPcmpgtw, minu = x::Inst::kIdPminuw, maxu = x::Inst::kIdPmaxuw; break;
      case 4: eq = x::Inst::kIdPcmpeqd, gt = x::Inst::kIdPcmpgtd, minu = x::Inst::kIdPminud, maxu = x::Inst::kIdPmaxud; break;
      default: eq = x::Inst::kIdPcmpeqq, gt = x::Inst::kIdPcmpgtq; break;  // (pcmpgtq: SSE4.2)
    }
  };
  switch (op) {
#define WASMRT_SIMD_CMP(shape_, bytes)                                        \
  case Op::shape_##Eq: shape(bytes), c = C::Eq; break;                        \
  case Op::shape_##Ne: shape(bytes), c = C::Ne; break;                        \
  case Op::shape_##LtS: shape(bytes), c = C::LtS; break;                      \
  case Op::shape_##GtS: shape(bytes), c = C::GtS; break;                      \
  case Op::shape_##LeS: shape(bytes), c = C::LeS; break;                      \
  case Op::shape_##GeS: shape(bytes), c = C::GeS; break;
#define WASMRT_SIMD_CMP_U(shape_, bytes)                                      \
  case Op::shape_##LtU: shape(bytes), c = C::LtU; break;                      \
  case Op::shape_##GtU: shape(bytes), c = C::GtU; break;                      \
  case Op::shape_##LeU: shape(bytes), c = C::LeU; break;                      \
  case Op::shape_##GeU: shape(bytes), c = C::GeU; break;
    WASMRT_SIMD_CMP(I8x16, 1)
    WASMRT_SIMD_CMP_U(I8x16, 1)
    WASMRT_SIMD_CMP(I16x8, 2)
    WASMRT_SIMD_CMP_U(I16x8, 2)
    WASMRT_SIMD_CMP(I32x4, 4)
    WASMRT_SIMD_CMP_U(I32x4, 4)
    WASMRT_SIMD_CMP(I64x2, 8)
#undef WASMRT_SIMD_CMP
#undef WASMRT_SIMD_CMP_U
    default: {
      // Float lanes: cmpps/cmppd's predicates are C's (ne is true for NaN
      // lanes, the others false), gt and ge with the operands swapped.
      uint32_t pred;
      bool f64 = false, swap = false;
      switch (op) {
        case Op::F64x2Eq: f64 = true; [[fallthrough]];
        case Op::F32x4Eq: pred = 0; break;
        case Op::F64x2Ne: f64 = true; [[fallthrough]];
        case Op::F32x4Ne: pred = 4; break;
        case Op::F64x2Lt: f64 = true; [[fallthrough]];
        case Op::F32x4Lt: pred = 1; break;
        case Op::F64x2Gt: f64 = true; [[fallthrough]];
        case Op::F32x4Gt: pred = 1, swap = true; break;
        case Op::F64x2Le: f64 = true; [[fallthrough]];
        case Op::F32x4Le: pred = 2; break;
        case Op::F64x2Ge: f64 = true; [[fallthrough]];
        case Op::F32x4Ge: pred = 2, swap = true; break;
        default: return false;
      }
      const Unit a = pc[H], b = pc[H + 1], d = pc[H + 2];
      if (h_.simd_drop_if_dead(d, true)) return true;
      load(swap ? b : a, x::xmm0);
      emit2i(f64 ? x::Inst::kIdCmppd : x::Inst::kIdCmpps, f64 ? x::Inst::kIdVcmppd : x::Inst::kIdVcmpps, x::xmm0,
             source(swap ? a : b, x::xmm1), pred);
      store(d, x::xmm0);
      return true;
    }
  }
  if (gt == x::Inst::kIdPcmpgtq && c != C::Eq && c != C::Ne) {
    static const bool sse42 = cpu().hasSSE4_2();
    if (!sse42) return false;
  }
  const Unit a = pc[H], b = pc[H + 1], d = pc[H + 2];
  if (h_.simd_drop_if_dead(d, true)) return true;
  auto vex = [](Id id) {
    switch (id) {
      case x::Inst::kIdPcmpeqb: return x::Inst::kIdVpcmpeqb;
      case x::Inst::kIdPcmpeqw: return x::Inst::kIdVpcmpeqw;
      case x::Inst::kIdPcmpeqd: return x::Inst::kIdVpcmpeqd;
      case x::Inst::kIdPcmpeqq: return x::Inst::kIdVpcmpeqq;
      case x::Inst::kIdPcmpgtb: return x::Inst::kIdVpcmpgtb;
      case x::Inst::kIdPcmpgtw: return x::Inst::kIdVpcmpgtw;
      case x::Inst::kIdPcmpgtd: return x::Inst::kIdVpcmpgtd;
      case x::Inst::kIdPcmpgtq: return x::Inst::kIdVpcmpgtq;
      default: return x::Inst::kIdNone;
    }
  };
  switch (c) {
    case C::Eq: case C::Ne:
      load(a, x::xmm0);
      emit2(eq, vex(eq), x::xmm0, source(b, x::xmm1));
      if (c == C::Ne) not_xmm0();
      break;
    case C::GtS: case C::LeS:  // le = not gt
      load(a, x::xmm0);
      emit2(gt, vex(gt), x::xmm0, source(b, x::xmm1));
      if (c == C::LeS) not_xmm0();
      break;
    case C::LtS: case C::GeS:  // a < b is b > a; ge = not lt
      load(b, x::xmm0);
      emit2(gt, vex(gt), x::xmm0, source(a, x::xmm1));
      if (c == C::GeS) not_xmm0();
      break;
    case C::GeU: case C::LtU: case C::LeU: case C::GtU: {
      // ge_u: a == max_u(a, b); le_u: a == min_u(a, b); lt, gt negate.
      const bool ge = c == C::GeU || c == C::LtU;
      load(a, x::xmm0);
      load(b, x::xmm1);
      a_.emit(ge ? maxu : minu, x::xmm1, x::xmm0);
      a_.emit(eq, x::xmm0, x::xmm1);
      if (c == C::LtU || c == C::GtU) not_xmm0();
      break;
    }
  }
  store(d, x::xmm0);
  return true;
}

// f32x4/f64x2 min and max with wasm's (and num::f32_min's) rules: a NaN
// lane gives the first NaN operand quieted, equal lanes (±0) the OR (min)
// or AND (max) of the bits, else the smaller (larger). SSE's minps(x, y)
// is `x < y ? x : y`: taken both ways and ORed (ANDed) it settles every
// ordered case; the NaN lanes are then blended in.
bool Simd::float_min_max(bool f64, bool max, const Unit* pc) {
  const Unit a = pc[H], b = pc[H + 1], d = pc[H + 2];
  if (h_.simd_drop_if_dead(d, true)) return true;
  const Id mm = f64 ? (max ? x::Inst::kIdMaxpd : x::Inst::kIdMinpd) : (max ? x::Inst::kIdMaxps : x::Inst::kIdMinps);
  const Id cmp = f64 ? x::Inst::kIdCmppd : x::Inst::kIdCmpps;
  load(a, x::xmm0);
  load(b, x::xmm1);
  const x::Xmm r = h_.simd_temp(), t = h_.simd_temp(), s = h_.simd_temp();
  a_.movaps(r, x::xmm0);
  a_.emit(mm, r, x::xmm1);  // a < b ? a : b
  a_.movaps(t, x::xmm1);
  a_.emit(mm, t, x::xmm0);  // b < a ? b : a
  max ? a_.andps(r, t) : a_.orps(r, t);
  // s = quiet(a is NaN ? a : b)
  a_.movaps(t, x::xmm0);
  a_.emit(cmp, t, x::xmm0, Imm(3));  // unordered: a is NaN
  a_.movaps(s, x::xmm0);
  a_.xorps(s, x::xmm1);
  a_.andps(s, t);
  a_.xorps(s, x::xmm1);
  a_.orps(s, h_.simd_constant16(f64 ? splat_bytes<uint64_t>(0x0008'0000'0000'0000ull) : splat_bytes<uint32_t>(0x0040'0000u)));
  // r = any NaN ? s : r
  a_.movaps(t, x::xmm0);
  a_.emit(cmp, t, x::xmm1, Imm(3));
  a_.xorps(s, r);
  a_.andps(s, t);
  a_.xorps(r, s);
  store(d, r);
  return true;
}

// Shifts by a scalar count, taken modulo the lane width as simd.h does.
// SSE shifts 16-, 32- and 64-bit lanes logically and 16-, 32-bit lanes
// arithmetically. 8-bit lanes: a 16-bit shift and a mask of the bits that
// stay in each byte (shl, shr_u), or bytes doubled into words, shifted
// arithmetically by 8 more and packed back (shr_s). i64x2.shr_s: a logical
// shift between two xors with the lanes' sign masks.
bool Simd::shift(Op op, const Unit* pc) {
  enum class K { Shl, ShrS, ShrU };
  uint32_t bits;
  K k;
  Id id = x::Inst::kIdNone;
  switch (op) {
    case Op::I8x16Shl: bits = 8, k = K::Shl, id = x::Inst::kIdPsllw; break;
    case Op::I8x16ShrS: bits = 8, k = K::ShrS, id = x::Inst::kIdPsraw; break;
    case Op::I8x16ShrU: bits = 8, k = K::ShrU, id = x::Inst::kIdPsrlw; break;
    case Op::I16x8Shl: bits = 16, k = K::Shl, id = x::Inst::kIdPsllw; break;
    case Op::I16x8ShrS: bits = 16, k = K::ShrS, id = x::Inst::kIdPsraw; break;
    case Op::I16x8ShrU: bits = 16, k = K::ShrU, id = x::Inst::kIdPsrlw; break;
    case Op::I32x4Shl: bits = 32, k = K::Shl, id = x::Inst::kIdPslld; break;
    case Op::I32x4ShrS: bits = 32, k = K::ShrS, id = x::Inst::kIdPsrad; break;
    case Op::I32x4ShrU: bits = 32, k = K::ShrU, id = x::Inst::kIdPsrld; break;
    case Op::I64x2Shl: bits = 64, k = K::Shl, id = x::Inst::kIdPsllq; break;
    case Op::I64x2ShrS: bits = 64, k = K::ShrS, id = x::Inst::kIdPsrlq; break;  // (between the xors)
    case Op::I64x2ShrU: bits = 64, k = K::ShrU, id = x::Inst::kIdPsrlq; break;
    default: return false;
  }
  const Unit a = pc[H], count = pc[H + 1], d = pc[H + 2];
  const std::optional<Cell> kc = h_.simd_scalar_constant(count);
  if (h_.simd_drop_if_dead(d, true)) return true;
  const bool bytes_s = bits == 8 && k == K::ShrS;
  // The count: an immediate, or (masked) in xmm1; shr_s of bytes shifts
  // the doubled words by 8 more.
  std::optional<uint32_t> n;
  if (kc) {
    n = (static_cast<uint32_t>(*kc) & (bits - 1)) + (bytes_s ? 8 : 0);
    load(a, x::xmm0);
  } else {
    const x::Gp r = h_.simd_gp(count, x::rcx);
    load(a, x::xmm0);
    a_.mov(x::ecx, r.r32());
    a_.and_(x::ecx, static_cast<int32_t>(bits - 1));
    if (bytes_s) a_.add(x::ecx, 8);
    a_.movd(x::xmm1, x::ecx);
  }
  auto shift_by = [&](const x::Xmm& v, Id how) {
    if (n) a_.emit(how, v, Imm(*n));
    else a_.emit(how, v, x::xmm1);
  };
  if (bits == 64 && k == K::ShrS) {
    const x::Xmm sign = h_.simd_temp();
    a_.pshufd(sign, x::xmm0, 0xF5);  // each lane's high dword, twice
    a_.psrad(sign, 31);
    a_.pxor(x::xmm0, sign);
    shift_by(x::xmm0, id);
    a_.pxor(x::xmm0, sign);
  } else if (bytes_s) {
    const x::Xmm high = h_.simd_temp();
    a_.movdqa(high, x::xmm0);
    a_.punpcklbw(x::xmm0, x::xmm0);
    a_.punpckhbw(high, high);
    shift_by(x::xmm0, id);
    shift_by(high, id);
    a_.packsswb(x::xmm0, high);
  } else if (bits == 8) {
    // The bits that stay in a byte: all ones shifted as a word, its low
    // byte (shl) or high byte (shr_u) in every byte.
    const x::Xmm mask = h_.simd_temp();
    if (n) {
      const uint8_t m = static_cast<uint8_t>(k == K::Shl ? 0xFF << *n : 0xFF >> *n);
      a_.movdqa(mask, h_.simd_constant16(splat_bytes<uint8_t>(m)));
    } else {
      a_.pcmpeqd(mask, mask);
      shift_by(mask, id);
      a_.pshufb(mask, h_.simd_constant16(splat_bytes<uint8_t>(k == K::Shl ? 0 : 1)));
    }
    shift_by(x::xmm0, id);
    a_.pand(x::xmm0, mask);
  } else {
    shift_by(x::xmm0, id);
  }
  store(d, x::xmm0);
  return true;
}

// One v128 operand, one v128 result; and the splats (a scalar operand).
bool Simd::unary(Op op, const Unit* pc) {
  Id id = x::Inst::kIdNone;
  enum class K { Not, Abs, Abs64, Neg, FAbs, FNeg, Plain, Round, High, Splat } k;
  bool f64 = false;
  uint32_t round = 0;
  switch (op) {
    case Op::V128Not: k = K::Not; break;
    case Op::I8x16Abs: k = K::Abs, id = x::Inst::kIdPabsb; break;
    case Op::I16x8Abs: k = K::Abs, id = x::Inst::kIdPabsw; break;
    case Op::I32x4Abs: k = K::Abs, id = x::Inst::kIdPabsd; break;
    case Op::I64x2Abs: k = K::Abs64; break;
    case Op::I8x16Neg: k = K::Neg, id = x::Inst::kIdPsubb; break;
    case Op::I16x8Neg: k = K::Neg, id = x::Inst::kIdPsubw; break;
    case Op::I32x4Neg: k = K::Neg, id = x::Inst::kIdPsubd; break;
    case Op::I64x2Neg: k = K::Neg, id = x::Inst::kIdPsubq; break;
    case Op::F64x2Abs: f64 = true; [[fallthrough]];
    case Op::F32x4Abs: k = K::FAbs; break;
    case Op::F64x2Neg: f64 = true; [[fallthrough]];
    case Op::F32x4Neg: k = K::FNeg; break;
    // sqrtps/sqrtpd round as sqrtss/sqrtsd lane by lane, and give an
    // operand NaN quieted or the default NaN, as num::f32_sqrt does.
    case Op::F32x4Sqrt: k = K::Plain, id = x::Inst::kIdSqrtps; break;
    case Op::F64x2Sqrt: k = K::Plain, id = x::Inst::kIdSqrtpd; break;
    // Rounded to nearest, as the scalar conversions of each lane.
    case Op::F32x4ConvertI32x4S: k = K::Plain, id = x::Inst::kIdCvtdq2ps; break;
    // cvtps2pd/cvtpd2ps convert as cvtss2sd/cvtsd2ss (NaNs quieted with
    // their payload); cvtpd2ps zeroes the upper lanes, as _zero wants.
    case Op::F64x2PromoteLowF32x4: k = K::Plain, id = x::Inst::kIdCvtps2pd; break;
    case Op::F32x4DemoteF64x2Zero: k = K::Plain, id = x::Inst::kIdCvtpd2ps; break;
    // roundps/roundpd: the same results as the scalar roundings, NaNs quieted
    // (bit 3: no inexact exception).
    case Op::F32x4Nearest: k = K::Round, id = x::Inst::kIdRoundps, round = 8; break;
    case Op::F32x4Floor: k = K::Round, id = x::Inst::kIdRoundps, round = 9; break;
    case Op::F32x4Ceil: k = K::Round, id = x::Inst::kIdRoundps, round = 10; break;
    case Op::F32x4Trunc: k = K::Round, id = x::Inst::kIdRoundps, round = 11; break;
    case Op::F64x2Nearest: k = K::Round, id = x::Inst::kIdRoundpd, round = 8; break;
    case Op::F64x2Floor: k = K::Round, id = x::Inst::kIdRoundpd, round = 9; break;
    case Op::F64x2Ceil: k = K::Round, id = x::Inst::kIdRoundpd, round = 10; break;
    case Op::F64x2Trunc: k = K::Round, id = x::Inst::kIdRoundpd, round = 11; break;
    case Op::F64x2ConvertLowI32x4S: k = K::Plain, id = x::Inst::kIdCvtdq2pd; break;
    case Op::I16x8ExtendLowI8x16S: k = K::Plain, id = x::Inst::kIdPmovsxbw; break;
    case Op::I16x8ExtendLowI8x16U: k = K::Plain, id = x::Inst::kIdPmovzxbw; break;
    case Op::I32x4ExtendLowI16x8S: k = K::Plain, id = x::Inst::kIdPmovsxwd; break;
    case Op::I32x4ExtendLowI16x8U: k = K::Plain, id = x::Inst::kIdPmovzxwd; break;
    case Op::I64x2ExtendLowI32x4S: k = K::Plain, id = x::Inst::kIdPmovsxdq; break;
    case Op::I64x2ExtendLowI32x4U: k = K::Plain, id = x::Inst::kIdPmovzxdq; break;
    case Op::I16x8ExtendHighI8x16S: k = K::High, id = x::Inst::kIdPmovsxbw; break;
    case Op::I16x8ExtendHighI8x16U: k = K::High, id = x::Inst::kIdPmovzxbw; break;
    case Op::I32x4ExtendHighI16x8S: k = K::High, id = x::Inst::kIdPmovsxwd; break;
    case Op::I32x4ExtendHighI16x8U: k = K::High, id = x::Inst::kIdPmovzxwd; break;
    case Op::I64x2ExtendHighI32x4S: k = K::High, id = x::Inst::kIdPmovsxdq; break;
    case Op::I64x2ExtendHighI32x4U: k = K::High, id = x::Inst::kIdPmovzxdq; break;
    case Op::I8x16Splat: case Op::I16x8Splat: case Op::I32x4Splat: case Op::I64x2Splat:
    case Op::F32x4Splat: case Op::F64x2Splat: k = K::Splat; break;
    default: return false;
  }
  const Unit a = pc[H], d = pc[H + 1];
  if (h_.simd_drop_if_dead(d, true)) return true;
  if (k == K::Splat) {
    if (op == Op::F32x4Splat || op == Op::F64x2Splat) {
      const x::Xmm v = h_.simd_xmm(a, x::xmm1);
      a_.pshufd(x::xmm0, v, op == Op::F32x4Splat ? 0x00 : 0x44);
    } else {
      const x::Gp r = h_.simd_gp(a, x::rax);
      if (op == Op::I64x2Splat) a_.movq(x::xmm0, r.r64());
      else a_.movd(x::xmm0, r.r32());
      switch (op) {
        case Op::I8x16Splat:
          a_.pxor(x::xmm1, x::xmm1);
          a_.pshufb(x::xmm0, x::xmm1);
          break;
        case Op::I16x8Splat:
          a_.pshuflw(x::xmm0, x::xmm0, 0);
          a_.pshufd(x::xmm0, x::xmm0, 0);
          break;
        case Op::I32x4Splat: a_.pshufd(x::xmm0, x::xmm0, 0); break;
        default: a_.punpcklqdq(x::xmm0, x::xmm0); break;
      }
    }
    store(d, x::xmm0);
    return true;
  }
  switch (k) {
    case K::Not:
      load(a, x::xmm0);
      not_xmm0();
      break;
    case K::Abs: case K::Plain:
      load(a, x::xmm0);
      a_.emit(id, x::xmm0, x::xmm0);
      break;
    case K::Round:
      load(a, x::xmm0);
      a_.emit(id, x::xmm0, x::xmm0, Imm(round));
      break;
    case K::High:
      load(a, x::xmm0);
      a_.pshufd(x::xmm0, x::xmm0, 0xEE);  // the high 8 bytes down
      a_.emit(id, x::xmm0, x::xmm0);
      break;
    case K::Abs64:
      // (x ^ s) - s with s each lane's sign spread over it: the high
      // dwords' signs (psrad), copied to both halves of the lane.
      load(a, x::xmm0);
      a_.pshufd(x::xmm1, x::xmm0, 0xF5);
      a_.psrad(x::xmm1, 31);
      a_.pxor(x::xmm0, x::xmm1);
      a_.psubq(x::xmm0, x::xmm1);
      break;
    case K::Neg:  // 0 - x: the most negative lane wraps to itself
      load(a, x::xmm1);
      a_.pxor(x::xmm0, x::xmm0);
      a_.emit(id, x::xmm0, x::xmm1);
      break;
    case K::FAbs: case K::FNeg:
      // On the bits, the masks made from all ones.
      load(a, x::xmm0);
      a_.pcmpeqd(x::xmm1, x::xmm1);
      if (k == K::FAbs) {
        f64 ? a_.psrlq(x::xmm1, 1) : a_.psrld(x::xmm1, 1);
        a_.pand(x::xmm0, x::xmm1);
      } else {
        f64 ? a_.psllq(x::xmm1, 63) : a_.pslld(x::xmm1, 31);
        a_.pxor(x::xmm0, x::xmm1);
      }
      break;
    case K::Splat: break;
  }
  store(d, x::xmm0);
  return true;
}

// extract_lane reads the lane from the v128's cells; replace_lane inserts
// the scalar into the loaded v128.
bool Simd::lanes(Op op, const Unit* pc) {
  const std::optional<LaneOp> decoded = lane_op(op);
  if (!decoded) return false;
  const int size = static_cast<int>(decoded->size);
  const bool extract = decoded->extract, sign = decoded->sign, is_float = decoded->is_float;
  const uint32_t count = 16 / static_cast<uint32_t>(size);
  if (extract) {
    const Unit v = pc[H], d = pc[H + 1];
    const uint32_t lane = pc[H + 2] & (count - 1);
    if (h_.simd_drop_if_dead(d, false)) return true;
    if (std::optional<x::Xmm> c = h_.simd_copies().find(h_, v)) {
      // From the register copy: no wait for the cells' store to forward.
      if (is_float) {
        const x::Xmm r = h_.simd_define_xmm(d);
        if (size == 4) {
          a_.insertps(r, *c, (lane << 6) | 0x0E);  // lanes 1-3 cleared: an f32's zero upper half
        } else if (lane == 0) {
          a_.movq(r, *c);
        } else {
          a_.movdqa(r, *c);
          a_.psrldq(r, 8);
        }
        return true;
      }
      const x::Gp r = h_.simd_define_gp(d, size != 8);
      switch (size) {
        case 1:
          a_.pextrb(r.r32(), *c, lane);
          if (sign) a_.movsx(r.r32(), r.r8());
          break;
        case 2:
          a_.pextrw(r.r32(), *c, lane);
          if (sign) a_.movsx(r.r32(), r.r16());
          break;
        case 4: a_.pextrd(r.r32(), *c, lane); break;
        default: a_.pextrq(r.r64(), *c, lane); break;
      }
      return true;
    }
    h_.simd_sync(v);
    const int32_t at = static_cast<int32_t>(v * 8 + lane * static_cast<uint32_t>(size));
    if (is_float) {
      const x::Xmm r = h_.simd_define_xmm(d);
      // movss/movsd from memory clear the rest: an f32 keeps its zero upper half.
      size == 4 ? a_.movss(r, x::dword_ptr(kFp, at)) : a_.movsd(r, x::qword_ptr(kFp, at));
      return true;
    }
    const x::Gp r = h_.simd_define_gp(d, size != 8);
    switch (size) {
      case 1: sign ? a_.movsx(r.r32(), x::byte_ptr(kFp, at)) : a_.movzx(r.r32(), x::byte_ptr(kFp, at)); break;
      case 2: sign ? a_.movsx(r.r32(), x::word_ptr(kFp, at)) : a_.movzx(r.r32(), x::word_ptr(kFp, at)); break;
      case 4: a_.mov(r.r32(), x::dword_ptr(kFp, at)); break;
      default: a_.mov(r.r64(), x::qword_ptr(kFp, at)); break;
    }
    return true;
  }
  const Unit v = pc[H], s = pc[H + 1], d = pc[H + 2];
  const uint32_t lane = pc[H + 3] & (count - 1);
  if (h_.simd_drop_if_dead(d, true)) return true;
  if (is_float) {
    const x::Xmm f = h_.simd_xmm(s, x::xmm1);
    load(v, x::xmm0);
    if (size == 4) a_.insertps(x::xmm0, f, lane << 4);
    else if (lane == 0) a_.movsd(x::xmm0, f);  // register form: the low lane only
    else a_.movlhps(x::xmm0, f);
  } else {
    const x::Gp r = h_.simd_gp(s, x::rax);
    load(v, x::xmm0);
    switch (size) {
      case 1: a_.pinsrb(x::xmm0, r.r32(), lane); break;
      case 2: a_.pinsrw(x::xmm0, r.r32(), lane); break;
      case 4: a_.pinsrd(x::xmm0, r.r32(), lane); break;
      default: a_.pinsrq(x::xmm0, r.r64(), lane); break;
    }
  }
  store(d, x::xmm0);
  return true;
}

// i8x16.shuffle with constant lanes: pshufb of each operand with a mask
// that zeroes the lanes the other one gives (bit 7), then OR.
bool Simd::shuffle(const Unit* pc) {
  const Unit a = pc[H], b = pc[H + 1], d = pc[H + 2];
  if (h_.simd_drop_if_dead(d, true)) return true;
  uint8_t lanes[16];
  std::memcpy(lanes, pc + H + 3, 16);
  std::array<uint8_t, 16> ma, mb;
  bool use_a = false, use_b = false;
  for (size_t i = 0; i < 16; ++i) {
    uint8_t l = lanes[i] & 31;
    if (a == b) l &= 15;  // both halves are the same v128
    ma[i] = l < 16 ? l : 0x80;
    mb[i] = l >= 16 ? static_cast<uint8_t>(l - 16) : 0x80;
    use_a = use_a || l < 16;
    use_b = use_b || l >= 16;
  }
  if (use_a) {
    load(a, x::xmm0);
    a_.pshufb(x::xmm0, h_.simd_constant16(ma));
  }
  if (use_b) {
    const x::Xmm r = use_a ? x::xmm1 : x::xmm0;
    load(b, r);
    a_.pshufb(r, h_.simd_constant16(mb));
    if (use_a) a_.por(x::xmm0, x::xmm1);
  }
  store(d, x::xmm0);
  return true;
}

bool Simd::op(Op op, const Unit* pc) {
#define WASMRT_SIMD_BIN(wasm, sse, vex) \
  case Op::wasm: binary(x::Inst::kId##sse, x::Inst::kId##vex, false, pc); return true;
#define WASMRT_SIMD_BIN_SWAPPED(wasm, sse, vex) \
  case Op::wasm: binary(x::Inst::kId##sse, x::Inst::kId##vex, true, pc); return true;
  switch (op) {
    WASMRT_SIMD_BIN(V128And, Pand, Vpand)
    WASMRT_SIMD_BIN(V128Or, Por, Vpor)
    WASMRT_SIMD_BIN(V128Xor, Pxor, Vpxor)
    WASMRT_SIMD_BIN_SWAPPED(V128Andnot, Pandn, Vpandn)  // pandn: ~first & second
    WASMRT_SIMD_BIN(I8x16Add, Paddb, Vpaddb)
    WASMRT_SIMD_BIN(I16x8Add, Paddw, Vpaddw)
    WASMRT_SIMD_BIN(I32x4Add, Paddd, Vpaddd)
    WASMRT_SIMD_BIN(I64x2Add, Paddq, Vpaddq)
    WASMRT_SIMD_BIN(I8x16Sub, Psubb, Vpsubb)
    WASMRT_SIMD_BIN(I16x8Sub, Psubw, Vpsubw)
    WASMRT_SIMD_BIN(I32x4Sub, Psubd, Vpsubd)
    WASMRT_SIMD_BIN(I64x2Sub, Psubq, Vpsubq)
    WASMRT_SIMD_BIN(I8x16AddSatS, Paddsb, Vpaddsb)
    WASMRT_SIMD_BIN(I8x16AddSatU, Paddusb, Vpaddusb)
    WASMRT_SIMD_BIN(I8x16SubSatS, Psubsb, Vpsubsb)
    WASMRT_SIMD_BIN(I8x16SubSatU, Psubusb, Vpsubusb)
    WASMRT_SIMD_BIN(I16x8AddSatS, Paddsw, Vpaddsw)
    WASMRT_SIMD_BIN(I16x8AddSatU, Paddusw, Vpaddusw)
    WASMRT_SIMD_BIN(I16x8SubSatS, Psubsw, Vpsubsw)
    WASMRT_SIMD_BIN(I16x8SubSatU, Psubusw, Vpsubusw)
    WASMRT_SIMD_BIN(I8x16AvgrU, Pavgb, Vpavgb)
    WASMRT_SIMD_BIN(I16x8AvgrU, Pavgw, Vpavgw)
    WASMRT_SIMD_BIN(I16x8Mul, Pmullw, Vpmullw)
    WASMRT_SIMD_BIN(I32x4Mul, Pmulld, Vpmulld)
    WASMRT_SIMD_BIN(I8x16MinS, Pminsb, Vpminsb)
    WASMRT_SIMD_BIN(I8x16MinU, Pminub, Vpminub)
    WASMRT_SIMD_BIN(I8x16MaxS, Pmaxsb, Vpmaxsb)
    WASMRT_SIMD_BIN(I8x16MaxU, Pmaxub, Vpmaxub)
    WASMRT_SIMD_BIN(I16x8MinS, Pminsw, Vpminsw)
    WASMRT_SIMD_BIN(I16x8MinU, Pminuw, Vpminuw)
    WASMRT_SIMD_BIN(I16x8MaxS, Pmaxsw, Vpmaxsw)
    WASMRT_SIMD_BIN(I16x8MaxU, Pmaxuw, Vpmaxuw)
    WASMRT_SIMD_BIN(I32x4MinS, Pminsd, Vpminsd)
    WASMRT_SIMD_BIN(I32x4MinU, Pminud, Vpminud)
    WASMRT_SIMD_BIN(I32x4MaxS, Pmaxsd, Vpmaxsd)
    WASMRT_SIMD_BIN(I32x4MaxU, Pmaxud, Vpmaxud)
    // The packs saturate as the wasm narrows (simd.h uses them too).
    WASMRT_SIMD_BIN(I8x16NarrowI16x8S, Packsswb, Vpacksswb)
    WASMRT_SIMD_BIN(I8x16NarrowI16x8U, Packuswb, Vpackuswb)
    WASMRT_SIMD_BIN(I16x8NarrowI32x4S, Packssdw, Vpackssdw)
    WASMRT_SIMD_BIN(I16x8NarrowI32x4U, Packusdw, Vpackusdw)
    WASMRT_SIMD_BIN(I32x4DotI16x8S, Pmaddwd, Vpmaddwd)
    // Float lanes in wasm operand order, as simd.h computes them: a NaN
    // result is the first NaN operand's, quieted.
    WASMRT_SIMD_BIN(F32x4Add, Addps, Vaddps)
    WASMRT_SIMD_BIN(F32x4Sub, Subps, Vsubps)
    WASMRT_SIMD_BIN(F32x4Mul, Mulps, Vmulps)
    WASMRT_SIMD_BIN(F32x4Div, Divps, Vdivps)
    WASMRT_SIMD_BIN(F64x2Add, Addpd, Vaddpd)
    WASMRT_SIMD_BIN(F64x2Sub, Subpd, Vsubpd)
    WASMRT_SIMD_BIN(F64x2Mul, Mulpd, Vmulpd)
    WASMRT_SIMD_BIN(F64x2Div, Divpd, Vdivpd)
    // pmin is `b < a ? b : a`: minps with b first (its second operand
    // comes back for NaNs and equal lanes, as the select gives a).
    WASMRT_SIMD_BIN_SWAPPED(F32x4Pmin, Minps, Vminps)
    WASMRT_SIMD_BIN_SWAPPED(F32x4Pmax, Maxps, Vmaxps)
    WASMRT_SIMD_BIN_SWAPPED(F64x2Pmin, Minpd, Vminpd)
    WASMRT_SIMD_BIN_SWAPPED(F64x2Pmax, Maxpd, Vmaxpd)
    case Op::F32x4Min: return float_min_max(false, false, pc);
    case Op::F32x4Max: return float_min_max(false, true, pc);
    case Op::F64x2Min: return float_min_max(true, false, pc);
    case Op::F64x2Max: return float_min_max(true, true, pc);
    case Op::I8x16Shuffle: return shuffle(pc);
    case Op::I8x16Swizzle: {
      // Indices past 15 select 0: adding 0x70 with unsigned saturation
      // sets their bit 7 (pshufb's zero) and keeps the low four bits of
      // the others.
      const Unit a = pc[H], s = pc[H + 1], d = pc[H + 2];
      if (h_.simd_drop_if_dead(d, true)) return true;
      load(a, x::xmm0);
      load(s, x::xmm1);
      a_.paddusb(x::xmm1, h_.simd_constant16(splat_bytes<uint8_t>(0x70)));
      a_.pshufb(x::xmm0, x::xmm1);
      store(d, x::xmm0);
      return true;
    }
    case Op::V128Bitselect: {
      // b ^ ((a ^ b) & c): bits of a where c is 1.
      const Unit a = pc[H], b = pc[H + 1], c = pc[H + 2], d = pc[H + 3];
      if (h_.simd_drop_if_dead(d, true)) return true;
      load(a, x::xmm0);
      load(b, x::xmm1);
      a_.pxor(x::xmm0, x::xmm1);
      const x::Xmm t = avx() ? x::xmm0 : h_.simd_temp();
      emit2(x::Inst::kIdPand, x::Inst::kIdVpand, x::xmm0, source(c, t));
      a_.pxor(x::xmm0, x::xmm1);
      store(d, x::xmm0);
      return true;
    }
    case Op::V128AnyTrue: case Op::I8x16AllTrue: case Op::I16x8AllTrue: case Op::I32x4AllTrue:
    case Op::I64x2AllTrue: case Op::I8x16Bitmask: case Op::I16x8Bitmask: case Op::I32x4Bitmask:
    case Op::I64x2Bitmask: {
      const Unit d = pc[H + 1];
      if (h_.simd_drop_if_dead(d, false)) return true;
      const bool test = op == Op::V128AnyTrue || op == Op::I8x16AllTrue || op == Op::I16x8AllTrue ||
                        op == Op::I32x4AllTrue || op == Op::I64x2AllTrue;
      if (!test) {
        load(pc[H], x::xmm0);
        const x::Gp r = h_.simd_define_gp(d, true);
        bitmask(op, r);
        return true;
      }
      const x::CondCode cc = *condition(op, pc);
      const x::Gp r = h_.simd_define_gp(d, true);
      // (mov and setcc leave the flags alone)
      a_.mov(r.r32(), 0);
      a_.set(cc, r.r8());
      return true;
    }
    default: break;
  }
#undef WASMRT_SIMD_BIN
#undef WASMRT_SIMD_BIN_SWAPPED
  return compare(op, pc) || shift(op, pc) || unary(op, pc) || lanes(op, pc) || arith(op, pc);
}

// The multiplications SSE lacks in one instruction, pairwise additions,
// popcnt and the conversions that need a fix-up.
bool Simd::arith(Op op, const Unit* pc) {
  switch (op) {
    case Op::I16x8Q15mulrSatS: case Op::I64x2Mul:
    case Op::I16x8ExtmulLowI8x16S: case Op::I16x8ExtmulHighI8x16S: case Op::I16x8ExtmulLowI8x16U:
    case Op::I16x8ExtmulHighI8x16U: case Op::I32x4ExtmulLowI16x8S: case Op::I32x4ExtmulHighI16x8S:
    case Op::I32x4ExtmulLowI16x8U: case Op::I32x4ExtmulHighI16x8U: case Op::I64x2ExtmulLowI32x4S:
    case Op::I64x2ExtmulHighI32x4S: case Op::I64x2ExtmulLowI32x4U: case Op::I64x2ExtmulHighI32x4U:
      break;
    case Op::I16x8ExtaddPairwiseI8x16S: case Op::I16x8ExtaddPairwiseI8x16U: case Op::I32x4ExtaddPairwiseI16x8S:
    case Op::I32x4ExtaddPairwiseI16x8U: case Op::I8x16Popcnt: case Op::F32x4ConvertI32x4U:
    case Op::F64x2ConvertLowI32x4U: case Op::I32x4TruncSatF32x4S: case Op::I32x4TruncSatF64x2SZero:
    case Op::I32x4TruncSatF32x4U: case Op::I32x4TruncSatF64x2UZero:
      return arith_unary(op, pc);
    default: return false;
  }
  const Unit a = pc[H], b = pc[H + 1], d = pc[H + 2];
  if (h_.simd_drop_if_dead(d, true)) return true;
  load(a, x::xmm0);
  load(b, x::xmm1);
  // extmul: both operands' halves widened, then multiplied (the low half
  // of the wide product is the wrapped one simd.h computes).
  auto widen = [&](Id id, bool high) {
    if (high) {
      a_.pshufd(x::xmm0, x::xmm0, 0xEE);
      a_.pshufd(x::xmm1, x::xmm1, 0xEE);
    }
    a_.emit(id, x::xmm0, x::xmm0);
    a_.emit(id, x::xmm1, x::xmm1);
  };
  // i64x2 extmul: pmuldq/pmuludq multiply the low dword of each qword.
  auto spread = [&](bool high) {
    a_.pshufd(x::xmm0, x::xmm0, high ? 0xFA : 0x50);
    a_.pshufd(x::xmm1, x::xmm1, high ? 0xFA : 0x50);
  };
  switch (op) {
    case Op::I16x8Q15mulrSatS: {
      // pmulhrsw is (a * b + 2^14) >> 15; only INT16_MIN squared leaves
      // the range, as 0x8000, which the saturation makes 0x7fff.
      a_.pmulhrsw(x::xmm0, x::xmm1);
      a_.movdqa(x::xmm1, h_.simd_constant16(splat_bytes<uint16_t>(0x8000)));
      a_.pcmpeqw(x::xmm1, x::xmm0);
      a_.pxor(x::xmm0, x::xmm1);
      break;
    }
    case Op::I64x2Mul: {
      // a * b = lo(a) * lo(b) + ((hi(a) * lo(b) + lo(a) * hi(b)) << 32).
      const x::Xmm t = h_.simd_temp(), u = h_.simd_temp();
      a_.movdqa(t, x::xmm0);
      a_.psrlq(t, 32);
      a_.pmuludq(t, x::xmm1);
      a_.movdqa(u, x::xmm1);
      a_.psrlq(u, 32);
      a_.pmuludq(u, x::xmm0);
      a_.paddq(t, u);
      a_.psllq(t, 32);
      a_.pmuludq(x::xmm0, x::xmm1);
      a_.paddq(x::xmm0, t);
      break;
    }
    case Op::I16x8ExtmulLowI8x16S: widen(x::Inst::kIdPmovsxbw, false), a_.pmullw(x::xmm0, x::xmm1); break;
    case Op::I16x8ExtmulHighI8x16S: widen(x::Inst::kIdPmovsxbw, true), a_.pmullw(x::xmm0, x::xmm1); break;
    case Op::I16x8ExtmulLowI8x16U: widen(x::Inst::kIdPmovzxbw, false), a_.pmullw(x::xmm0, x::xmm1); break;
    case Op::I16x8ExtmulHighI8x16U: widen(x::Inst::kIdPmovzxbw, true), a_.pmullw(x::xmm0, x::xmm1); break;
    case Op::I32x4ExtmulLowI16x8S: widen(x::Inst::kIdPmovsxwd, false), a_.pmulld(x::xmm0, x::xmm1); break;
    case Op::I32x4ExtmulHighI16x8S: widen(x::Inst::kIdPmovsxwd, true), a_.pmulld(x::xmm0, x::xmm1); break;
    case Op::I32x4ExtmulLowI16x8U: widen(x::Inst::kIdPmovzxwd, false), a_.pmulld(x::xmm0, x::xmm1); break;
    case Op::I32x4ExtmulHighI16x8U: widen(x::Inst::kIdPmovzxwd, true), a_.pmulld(x::xmm0, x::xmm1); break;
    case Op::I64x2ExtmulLowI32x4S: spread(false), a_.pmuldq(x::xmm0, x::xmm1); break;
    case Op::I64x2ExtmulHighI32x4S: spread(true), a_.pmuldq(x::xmm0, x::xmm1); break;
    case Op::I64x2ExtmulLowI32x4U: spread(false), a_.pmuludq(x::xmm0, x::xmm1); break;
    default: spread(true), a_.pmuludq(x::xmm0, x::xmm1); break;  // I64x2ExtmulHighI32x4U
  }
  store(d, x::xmm0);
  return true;
}

bool Simd::arith_unary(Op op, const Unit* pc) {
  const Unit a = pc[H], d = pc[H + 1];
  if (h_.simd_drop_if_dead(d, true)) return true;
  load(a, x::xmm0);
  switch (op) {
    // pmaddubsw multiplies unsigned bytes of its first operand by signed
    // bytes of its second and adds pairs: by ones, the pairwise sums.
    case Op::I16x8ExtaddPairwiseI8x16U:
      a_.pmaddubsw(x::xmm0, h_.simd_constant16(splat_bytes<uint8_t>(1)));
      break;
    case Op::I16x8ExtaddPairwiseI8x16S:
      a_.movdqa(x::xmm1, h_.simd_constant16(splat_bytes<uint8_t>(1)));
      a_.pmaddubsw(x::xmm1, x::xmm0);
      a_.movdqa(x::xmm0, x::xmm1);
      break;
    case Op::I32x4ExtaddPairwiseI16x8S:
      a_.pmaddwd(x::xmm0, h_.simd_constant16(splat_bytes<uint16_t>(1)));
      break;
    case Op::I32x4ExtaddPairwiseI16x8U:
      // Biased to signed (x - 2^15), summed, and the bias of two added back.
      a_.pxor(x::xmm0, h_.simd_constant16(splat_bytes<uint16_t>(0x8000)));
      a_.pmaddwd(x::xmm0, h_.simd_constant16(splat_bytes<uint16_t>(1)));
      a_.paddd(x::xmm0, h_.simd_constant16(splat_bytes<uint32_t>(0x10000)));
      break;
    case Op::I8x16Popcnt: {
      // Each nibble's count from a 16-entry table (pshufb), added.
      const x::Xmm t = h_.simd_temp();
      const std::array<uint8_t, 16> counts = {0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4};
      a_.movdqa(x::xmm1, x::xmm0);
      a_.psrlw(x::xmm1, 4);
      a_.pand(x::xmm0, h_.simd_constant16(splat_bytes<uint8_t>(0x0F)));
      a_.pand(x::xmm1, h_.simd_constant16(splat_bytes<uint8_t>(0x0F)));
      a_.movdqa(t, h_.simd_constant16(counts));
      a_.pshufb(t, x::xmm0);
      a_.movdqa(x::xmm0, h_.simd_constant16(counts));
      a_.pshufb(x::xmm0, x::xmm1);
      a_.paddb(x::xmm0, t);
      break;
    }
    case Op::F32x4ConvertI32x4U:
      // The high and low 16 bits convert exactly; hi * 2^16 is exact too,
      // so the one rounding is the final addition's, as u32 -> f32's.
      a_.movdqa(x::xmm1, x::xmm0);
      a_.psrld(x::xmm1, 16);
      a_.pand(x::xmm0, h_.simd_constant16(splat_bytes<uint32_t>(0xFFFF)));
      a_.cvtdq2ps(x::xmm1, x::xmm1);
      a_.cvtdq2ps(x::xmm0, x::xmm0);
      a_.mulps(x::xmm1, h_.simd_constant16(splat_bytes<uint32_t>(0x47800000u)));  // 65536.0f
      a_.addps(x::xmm1, x::xmm0);
      a_.movaps(x::xmm0, x::xmm1);
      break;
    case Op::F64x2ConvertLowI32x4U:
      // 2^52 + x as bits, minus 2^52: exact.
      a_.pmovzxdq(x::xmm0, x::xmm0);
      a_.por(x::xmm0, h_.simd_constant16(splat_bytes<uint64_t>(0x4330000000000000ull)));
      a_.subpd(x::xmm0, h_.simd_constant16(splat_bytes<uint64_t>(0x4330000000000000ull)));
      break;
    case Op::I32x4TruncSatF32x4S:
      // NaN lanes zeroed first; cvttps2dq gives INT32_MIN past either end,
      // which lanes >= 2^31 flip to INT32_MAX.
      a_.movaps(x::xmm1, x::xmm0);
      a_.cmpps(x::xmm1, x::xmm0, 0);  // ordered and equal: not NaN
      a_.andps(x::xmm0, x::xmm1);
      a_.movaps(x::xmm1, h_.simd_constant16(splat_bytes<uint32_t>(0x4f000000u)));  // 2^31
      a_.cmpps(x::xmm1, x::xmm0, 2);  // 2^31 <= x
      a_.cvttps2dq(x::xmm0, x::xmm0);
      a_.pxor(x::xmm0, x::xmm1);
      break;
    case Op::I32x4TruncSatF32x4U: {
      // NaN and negative lanes to 0 (maxps gives its second operand for a
      // NaN). Below 2^31 cvttps2dq is exact; from 2^31 it gives 0x80000000,
      // to which the conversion of x - 2^31 (exact there) is added; from
      // 2^32 all ones.
      const x::Xmm t = h_.simd_temp(), m = h_.simd_temp();
      a_.xorps(x::xmm1, x::xmm1);
      a_.maxps(x::xmm0, x::xmm1);
      a_.movaps(m, h_.simd_constant16(splat_bytes<uint32_t>(0x4f000000u)));  // 2^31
      a_.movaps(t, x::xmm0);
      a_.subps(t, m);
      a_.cmpps(m, x::xmm0, 2);  // 2^31 <= x
      a_.cvttps2dq(t, t);
      a_.pand(t, m);
      a_.movaps(m, h_.simd_constant16(splat_bytes<uint32_t>(0x4f800000u)));  // 2^32
      a_.cmpps(m, x::xmm0, 2);  // 2^32 <= x
      a_.cvttps2dq(x::xmm0, x::xmm0);
      a_.paddd(x::xmm0, t);
      a_.por(x::xmm0, m);
      break;
    }
    case Op::I32x4TruncSatF64x2UZero:
      // NaN and negative lanes to 0, the rest clamped to 2^32 - 1 and
      // truncated; adding 2^52 leaves the integer in the low dword, and the
      // two low dwords are packed with zeros.
      a_.xorpd(x::xmm1, x::xmm1);
      a_.maxpd(x::xmm0, x::xmm1);
      a_.minpd(x::xmm0, h_.simd_constant16(splat_bytes<uint64_t>(0x41efffffffe00000ull)));  // 2^32 - 1
      a_.roundpd(x::xmm0, x::xmm0, 11);
      a_.addpd(x::xmm0, h_.simd_constant16(splat_bytes<uint64_t>(0x4330000000000000ull)));  // 2^52
      a_.shufps(x::xmm0, x::xmm1, 0x88);
      break;
    default:  // I32x4TruncSatF64x2SZero
      // NaN lanes zeroed, then clamped below 2^31 (minpd: the ordered
      // smaller); cvttpd2dq saturates below to INT32_MIN and zeroes lanes 2, 3.
      a_.movapd(x::xmm1, x::xmm0);
      a_.cmppd(x::xmm1, x::xmm0, 0);
      a_.andpd(x::xmm0, x::xmm1);
      a_.minpd(x::xmm0, h_.simd_constant16(splat_bytes<uint64_t>(0x41dfffffffc00000ull)));  // 2^31 - 1
      a_.cvttpd2dq(x::xmm0, x::xmm0);
      break;
  }
  store(d, x::xmm0);
  return true;
}

void Simd::bitmask(Op op, const x::Gp& r) {
  switch (op) {
    case Op::I8x16Bitmask: a_.pmovmskb(r.r32(), x::xmm0); break;
    case Op::I16x8Bitmask:
      // Signed saturation keeps each lane's sign in a byte.
      a_.packsswb(x::xmm0, x::xmm0);
      a_.pmovmskb(r.r32(), x::xmm0);
      a_.movzx(r.r32(), r.r8());
      break;
    case Op::I32x4Bitmask: a_.movmskps(r.r32(), x::xmm0); break;
    default: a_.movmskpd(r.r32(), x::xmm0); break;
  }
}

bool Simd::access(Op op, const Unit* pc, bool summed) {
  uint8_t bytes;
  switch (op) {
    case Op::V128Load8Lane: case Op::V128Load16Lane: case Op::V128Load32Lane: case Op::V128Load64Lane:
    case Op::V128Store8Lane: case Op::V128Store16Lane: case Op::V128Store32Lane: case Op::V128Store64Lane:
      return lane_access(op, pc);
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
  if (is_store) load(value, x::xmm0);
  // The address: u32 (a sum wraps at 32 bits), zero-extended into rcx.
  if (summed) {
    const x::Gp ra = h_.simd_gp(pc[H], x::rcx);
    const x::Gp rb = h_.simd_gp(pc[H + 1], x::rdx);
    a_.lea(x::ecx, x::ptr(ra.r64(), rb.r64()));
  } else {
    const x::Gp ra = h_.simd_gp(pc[H], x::rcx);
    a_.mov(x::ecx, ra.r32());
  }
  if (op == Op::V128Load8Splat) a_.pxor(x::xmm1, x::xmm1);
  jit::x64::Compiler& c = h_.simd_compiler();
  const codegen::Access acc{bytes, is_store, false, false};
  const jit::x64::Compiler::MemoryOperand m = c.memory_operand(acc, fields[H + 2]);
  m.mark_access(c);
  switch (op) {
    case Op::V128Store: a_.movdqu(m.at(16), x::xmm0); return true;
    case Op::V128Load: a_.movdqu(x::xmm0, m.at(16)); break;
    case Op::V128Load8x8S: a_.pmovsxbw(x::xmm0, m.at(8)); break;
    case Op::V128Load8x8U: a_.pmovzxbw(x::xmm0, m.at(8)); break;
    case Op::V128Load16x4S: a_.pmovsxwd(x::xmm0, m.at(8)); break;
    case Op::V128Load16x4U: a_.pmovzxwd(x::xmm0, m.at(8)); break;
    case Op::V128Load32x2S: a_.pmovsxdq(x::xmm0, m.at(8)); break;
    case Op::V128Load32x2U: a_.pmovzxdq(x::xmm0, m.at(8)); break;
    case Op::V128Load8Splat:
      a_.pinsrb(x::xmm0, m.at(1), 0);
      a_.pshufb(x::xmm0, x::xmm1);
      break;
    case Op::V128Load16Splat:
      a_.pinsrw(x::xmm0, m.at(2), 0);
      a_.pshuflw(x::xmm0, x::xmm0, 0);
      a_.pshufd(x::xmm0, x::xmm0, 0);
      break;
    case Op::V128Load32Splat:
      a_.movd(x::xmm0, m.at(4));
      a_.pshufd(x::xmm0, x::xmm0, 0);
      break;
    case Op::V128Load64Splat:
      a_.movq(x::xmm0, m.at(8));
      a_.punpcklqdq(x::xmm0, x::xmm0);
      break;
    case Op::V128Load32Zero: a_.movd(x::xmm0, m.at(4)); break;
    default: a_.movq(x::xmm0, m.at(8)); break;  // V128Load64Zero
  }
  store(value, x::xmm0);
  return true;
}

// v128.loadN_lane (pinsr* from memory into the loaded v128) and
// v128.storeN_lane (pextr* to memory), bounds-checked as scalar accesses.
bool Simd::lane_access(Op op, const Unit* pc) {
  const bool is_store = op == Op::V128Store8Lane || op == Op::V128Store16Lane || op == Op::V128Store32Lane ||
                        op == Op::V128Store64Lane;
  const uint8_t bytes = kOpBytes[static_cast<size_t>(op)];
  const Unit v = pc[H + 1];
  const Unit* imms = pc + H + (is_store ? 2 : 3);
  const uint32_t lane = imms[1] & (16u / bytes - 1);
  load(v, x::xmm0);
  const x::Gp ra = h_.simd_gp(pc[H], x::rcx);
  a_.mov(x::ecx, ra.r32());
  jit::x64::Compiler& c = h_.simd_compiler();
  const jit::x64::Compiler::MemoryOperand m = c.memory_operand(codegen::Access{bytes, is_store, false, false}, imms[0]);
  m.mark_access(c);
  switch (bytes) {
    case 1: is_store ? a_.pextrb(m.at(1), x::xmm0, lane) : a_.pinsrb(x::xmm0, m.at(1), lane); break;
    case 2: is_store ? a_.pextrw(m.at(2), x::xmm0, lane) : a_.pinsrw(x::xmm0, m.at(2), lane); break;
    case 4: is_store ? a_.pextrd(m.at(4), x::xmm0, lane) : a_.pinsrd(x::xmm0, m.at(4), lane); break;
    default: is_store ? a_.pextrq(m.at(8), x::xmm0, lane) : a_.pinsrq(x::xmm0, m.at(8), lane); break;
  }
  if (!is_store) store(pc[H + 2], x::xmm0);
  return true;
}

// Flags for any_true (NE: some bit set) and all_true (E: no lane is zero,
// the lanes equal to zero make an all-zero mask); bitmask in eax, tested.
std::optional<x::CondCode> Simd::condition(Op op, const Unit* pc) {
  Id eq;
  switch (op) {
    case Op::V128AnyTrue:
      load(pc[H], x::xmm0);
      a_.ptest(x::xmm0, x::xmm0);
      return x::CondCode::kNE;
    case Op::I8x16AllTrue: eq = x::Inst::kIdPcmpeqb; break;
    case Op::I16x8AllTrue: eq = x::Inst::kIdPcmpeqw; break;
    case Op::I32x4AllTrue: eq = x::Inst::kIdPcmpeqd; break;
    case Op::I64x2AllTrue: eq = x::Inst::kIdPcmpeqq; break;
    case Op::I8x16Bitmask: case Op::I16x8Bitmask: case Op::I32x4Bitmask: case Op::I64x2Bitmask:
      load(pc[H], x::xmm0);
      bitmask(op, x::rax);
      a_.test(x::eax, x::eax);
      return x::CondCode::kNE;
    default: return std::nullopt;
  }
  load(pc[H], x::xmm0);
  a_.pxor(x::xmm1, x::xmm1);
  a_.emit(eq, x::xmm1, x::xmm0);
  a_.ptest(x::xmm1, x::xmm1);
  return x::CondCode::kE;
}
}  // namespace

void V128Copies::remember(SimdHost& h, Unit c, const x::Xmm& reg) {
  make_room(h, c);
  const auto [v, r] = h.simd_new_xmm();
  h.simd_assembler().movdqa(r, reg);
  add(c, v);
}

bool lower_simd_copy(SimdHost& h, Unit dst, Unit src) {
  if (!simd_inline_available() || !h.simd_in_cells(src)) return false;
  if (h.simd_drop_if_dead(dst, true)) return true;
  x::Assembler& a = h.simd_assembler();
  std::optional<x::Xmm> r = h.simd_copies().find(h, src);
  if (!r) a.movdqu(x::xmm0, x::xmmword_ptr(kFp, static_cast<int32_t>(src * 8)));
  h.simd_forget(dst);
  a.movdqu(x::xmmword_ptr(kFp, static_cast<int32_t>(dst * 8)), r ? *r : x::xmm0);
  h.simd_copies().remember(h, dst, r ? *r : x::xmm0);
  return true;
}

bool lower_simd_ir(SimdHost& h, interp::IrOp op, const Unit* pc) {
  using interp::IrOp;
  if (!simd_inline_available() || (op != IrOp::Select2 && op != IrOp::GlobalGet2 && op != IrOp::GlobalSet2))
    return false;
  // A v128 global's value is GlobalInst::value[0..1], 16 bytes.
  auto global = [&](Unit index) {
    h.simd_assembler().mov(x::rax, x::qword_ptr(jit::x64::kGlobals, static_cast<int32_t>(index * 8)));
    return x::xmmword_ptr(x::rax, static_cast<int32_t>(offsetof(GlobalInst, value)));
  };
  return Simd(h).ir(op, pc, global);
}

bool simd_inline_available() {
  static const bool ok = cpu().hasSSE4_1() && cpu().hasSSSE3();
  return ok;
}

bool lower_simd(SimdHost& h, Op op, const Unit* pc) {
  if (!simd_inline_available()) return false;
  return Simd(h).op(op, pc);
}

bool lower_simd_access(SimdHost& h, Op op, const Unit* pc, bool summed) {
  if (!simd_inline_available()) return false;
  return Simd(h).access(op, pc, summed);
}

std::optional<x::CondCode> lower_simd_condition(SimdHost& h, Op op, const Unit* pc) {
  if (!simd_inline_available()) return std::nullopt;
  return Simd(h).condition(op, pc);
}

}  // namespace wasmrt::jit::opt::x64
