// Exact WebAssembly semantics of every scalar numeric instruction, as small
// inline functions shared by the interpreter, the JIT's slow paths and
// constant folding. Names are the instruction's text name with '.' -> '_'
// (i32.div_s -> num::i32_div_s).
//
// Value representation:
//   i32 / i64  uint32_t / uint64_t (Wasm integers are sign-agnostic bits;
//              signed views are taken with well-defined conversions)
//   f32 / f64  float / double (bit patterns are preserved when passed by
//              value on x86-64 SSE2 and AArch64, which are our targets)
//   booleans   uint32_t 0 or 1 (the i32 result of comparisons)
//
// Trapping functions take `TrapCode& trap` and write it ONLY when they trap
// (then the returned value is 0 and meaningless). Callers initialise the
// code to TrapCode::None once and test it after the operation; the fast path
// stays a single predictable branch.
//
// Float rules:
//   * abs / neg / copysign are pure bit operations: NaN payloads survive.
//   * Arithmetic on NaNs relies on IEEE hardware propagation: a NaN operand
//     comes back quiet with its payload (an arithmetic NaN, canonical if the
//     input was canonical) and invalid operations make the default NaN
//     (canonical). That is exactly what the spec's nan:canonical /
//     nan:arithmetic results allow.
//   * min / max: NaN if either operand is NaN, and -0 < +0.
//   * nearest rounds half to even. The portable and AArch64 paths assume the
//     default round-to-nearest-even mode (Wasm code cannot change it and the
//     runtime never does); with SSE4.1 the rounding mode is explicit.
//   * No C++ undefined behaviour: float->int casts happen only after an
//     exact range check, signed overflow is done in unsigned arithmetic.
#pragma once

#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdint>

#include "runtime/common/always_inline.h"
#include "runtime/common/trap_codes.h"

#if defined(__SSE4_1__)
#include <smmintrin.h>
#endif

// The interpreter's loop is too large for GCC to inline into on its own, so
// the hot helpers insist (always_inline.h says when they do not).
#define WASMRT_NUM_INLINE inline WASMRT_ALWAYS_INLINE

// Excess precision (x87) would break the rounding tricks and the IEEE
// single/double semantics Wasm requires.
static_assert(FLT_EVAL_METHOD == 0, "wasmrt needs IEEE single/double evaluation (SSE2 or AArch64)");
static_assert(std::endian::native == std::endian::little, "wasmrt assumes a little-endian host");

namespace wasmrt::num {

// ---------------------------------------------------------------------------
// Bit access
// ---------------------------------------------------------------------------

WASMRT_NUM_INLINE uint32_t f32_bits(float x) {
  return std::bit_cast<uint32_t>(x);
}
WASMRT_NUM_INLINE uint64_t f64_bits(double x) {
  return std::bit_cast<uint64_t>(x);
}
WASMRT_NUM_INLINE float f32_from_bits(uint32_t b) {
  return std::bit_cast<float>(b);
}
WASMRT_NUM_INLINE double f64_from_bits(uint64_t b) {
  return std::bit_cast<double>(b);
}

inline constexpr uint32_t kF32SignBit = 0x8000'0000u;
inline constexpr uint64_t kF64SignBit = 0x8000'0000'0000'0000ull;
inline constexpr uint32_t kF32CanonicalNan = 0x7FC0'0000u;
inline constexpr uint64_t kF64CanonicalNan = 0x7FF8'0000'0000'0000ull;

// ---------------------------------------------------------------------------
// Constants (the immediate is the value; kept for uniform Op mapping)
// ---------------------------------------------------------------------------

WASMRT_NUM_INLINE uint32_t i32_const(uint32_t imm) {
  return imm;
}
WASMRT_NUM_INLINE uint64_t i64_const(uint64_t imm) {
  return imm;
}
WASMRT_NUM_INLINE float f32_const(uint32_t imm_bits) {
  return f32_from_bits(imm_bits);
}
WASMRT_NUM_INLINE double f64_const(uint64_t imm_bits) {
  return f64_from_bits(imm_bits);
}

// ---------------------------------------------------------------------------
// Integer: tests and comparisons
// ---------------------------------------------------------------------------

WASMRT_NUM_INLINE uint32_t i32_eqz(uint32_t a) {
  return a == 0;
}
WASMRT_NUM_INLINE uint32_t i32_eq(uint32_t a, uint32_t b) {
  return a == b;
}
WASMRT_NUM_INLINE uint32_t i32_ne(uint32_t a, uint32_t b) {
  return a != b;
}
WASMRT_NUM_INLINE uint32_t i32_lt_s(uint32_t a, uint32_t b) {
  return int32_t(a) < int32_t(b);
}
WASMRT_NUM_INLINE uint32_t i32_lt_u(uint32_t a, uint32_t b) {
  return a < b;
}
WASMRT_NUM_INLINE uint32_t i32_gt_s(uint32_t a, uint32_t b) {
  return int32_t(a) > int32_t(b);
}
WASMRT_NUM_INLINE uint32_t i32_gt_u(uint32_t a, uint32_t b) {
  return a > b;
}
WASMRT_NUM_INLINE uint32_t i32_le_s(uint32_t a, uint32_t b) {
  return int32_t(a) <= int32_t(b);
}
WASMRT_NUM_INLINE uint32_t i32_le_u(uint32_t a, uint32_t b) {
  return a <= b;
}
WASMRT_NUM_INLINE uint32_t i32_ge_s(uint32_t a, uint32_t b) {
  return int32_t(a) >= int32_t(b);
}
WASMRT_NUM_INLINE uint32_t i32_ge_u(uint32_t a, uint32_t b) {
  return a >= b;
}

WASMRT_NUM_INLINE uint32_t i64_eqz(uint64_t a) {
  return a == 0;
}
WASMRT_NUM_INLINE uint32_t i64_eq(uint64_t a, uint64_t b) {
  return a == b;
}
WASMRT_NUM_INLINE uint32_t i64_ne(uint64_t a, uint64_t b) {
  return a != b;
}
WASMRT_NUM_INLINE uint32_t i64_lt_s(uint64_t a, uint64_t b) {
  return int64_t(a) < int64_t(b);
}
WASMRT_NUM_INLINE uint32_t i64_lt_u(uint64_t a, uint64_t b) {
  return a < b;
}
WASMRT_NUM_INLINE uint32_t i64_gt_s(uint64_t a, uint64_t b) {
  return int64_t(a) > int64_t(b);
}
WASMRT_NUM_INLINE uint32_t i64_gt_u(uint64_t a, uint64_t b) {
  return a > b;
}
WASMRT_NUM_INLINE uint32_t i64_le_s(uint64_t a, uint64_t b) {
  return int64_t(a) <= int64_t(b);
}
WASMRT_NUM_INLINE uint32_t i64_le_u(uint64_t a, uint64_t b) {
  return a <= b;
}
WASMRT_NUM_INLINE uint32_t i64_ge_s(uint64_t a, uint64_t b) {
  return int64_t(a) >= int64_t(b);
}
WASMRT_NUM_INLINE uint32_t i64_ge_u(uint64_t a, uint64_t b) {
  return a >= b;
}

// ---------------------------------------------------------------------------
// Integer: bit counting
// ---------------------------------------------------------------------------

namespace detail {
// std::popcount is a libgcc call on x86-64 without -mpopcnt; the SWAR form
// is a dozen inline instructions (and clang turns it into popcnt when it can).
WASMRT_NUM_INLINE uint32_t popcount64(uint64_t x) {
#if defined(__POPCNT__) || !defined(__x86_64__)
  return uint32_t(std::popcount(x));
#else
  x = x - ((x >> 1) & 0x5555'5555'5555'5555ull);
  x = (x & 0x3333'3333'3333'3333ull) + ((x >> 2) & 0x3333'3333'3333'3333ull);
  x = (x + (x >> 4)) & 0x0F0F'0F0F'0F0F'0F0Full;
  return uint32_t((x * 0x0101'0101'0101'0101ull) >> 56);
#endif
}
}  // namespace detail

WASMRT_NUM_INLINE uint32_t i32_clz(uint32_t a) {
  return uint32_t(std::countl_zero(a));
}
WASMRT_NUM_INLINE uint32_t i32_ctz(uint32_t a) {
  return uint32_t(std::countr_zero(a));
}
WASMRT_NUM_INLINE uint32_t i32_popcnt(uint32_t a) {
  return detail::popcount64(a);
}
WASMRT_NUM_INLINE uint64_t i64_clz(uint64_t a) {
  return uint64_t(std::countl_zero(a));
}
WASMRT_NUM_INLINE uint64_t i64_ctz(uint64_t a) {
  return uint64_t(std::countr_zero(a));
}
WASMRT_NUM_INLINE uint64_t i64_popcnt(uint64_t a) {
  return detail::popcount64(a);
}

// ---------------------------------------------------------------------------
// Integer: arithmetic (wrapping, done in unsigned types so overflow is defined)
// ---------------------------------------------------------------------------

WASMRT_NUM_INLINE uint32_t i32_add(uint32_t a, uint32_t b) {
  return a + b;
}
WASMRT_NUM_INLINE uint32_t i32_sub(uint32_t a, uint32_t b) {
  return a - b;
}
WASMRT_NUM_INLINE uint32_t i32_mul(uint32_t a, uint32_t b) {
  return a * b;
}
WASMRT_NUM_INLINE uint64_t i64_add(uint64_t a, uint64_t b) {
  return a + b;
}
WASMRT_NUM_INLINE uint64_t i64_sub(uint64_t a, uint64_t b) {
  return a - b;
}
WASMRT_NUM_INLINE uint64_t i64_mul(uint64_t a, uint64_t b) {
  return a * b;
}

WASMRT_NUM_INLINE uint32_t i32_div_s(uint32_t a, uint32_t b, TrapCode& trap) {
  if (b == 0) [[unlikely]] {
    trap = TrapCode::IntegerDivideByZero;
    return 0;
  }
  if (a == 0x8000'0000u && b == 0xFFFF'FFFFu) [[unlikely]] {
    trap = TrapCode::IntegerOverflow;
    return 0;
  }
  return uint32_t(int32_t(a) / int32_t(b));
}
WASMRT_NUM_INLINE uint32_t i32_div_u(uint32_t a, uint32_t b, TrapCode& trap) {
  if (b == 0) [[unlikely]] {
    trap = TrapCode::IntegerDivideByZero;
    return 0;
  }
  return a / b;
}
// INT_MIN % -1 is 0 in Wasm (no trap) but UB in C++, and any x % -1 is 0.
WASMRT_NUM_INLINE uint32_t i32_rem_s(uint32_t a, uint32_t b, TrapCode& trap) {
  if (b == 0) [[unlikely]] {
    trap = TrapCode::IntegerDivideByZero;
    return 0;
  }
  if (b == 0xFFFF'FFFFu) [[unlikely]]
    return 0;
  return uint32_t(int32_t(a) % int32_t(b));
}
WASMRT_NUM_INLINE uint32_t i32_rem_u(uint32_t a, uint32_t b, TrapCode& trap) {
  if (b == 0) [[unlikely]] {
    trap = TrapCode::IntegerDivideByZero;
    return 0;
  }
  return a % b;
}

WASMRT_NUM_INLINE uint64_t i64_div_s(uint64_t a, uint64_t b, TrapCode& trap) {
  if (b == 0) [[unlikely]] {
    trap = TrapCode::IntegerDivideByZero;
    return 0;
  }
  if (a == kF64SignBit && b == ~uint64_t{0}) [[unlikely]] {
    trap = TrapCode::IntegerOverflow;
    return 0;
  }
  return uint64_t(int64_t(a) / int64_t(b));
}
WASMRT_NUM_INLINE uint64_t i64_div_u(uint64_t a, uint64_t b, TrapCode& trap) {
  if (b == 0) [[unlikely]] {
    trap = TrapCode::IntegerDivideByZero;
    return 0;
  }
  return a / b;
}
WASMRT_NUM_INLINE uint64_t i64_rem_s(uint64_t a, uint64_t b, TrapCode& trap) {
  if (b == 0) [[unlikely]] {
    trap = TrapCode::IntegerDivideByZero;
    return 0;
  }
  if (b == ~uint64_t{0}) [[unlikely]]
    return 0;
  return uint64_t(int64_t(a) % int64_t(b));
}
WASMRT_NUM_INLINE uint64_t i64_rem_u(uint64_t a, uint64_t b, TrapCode& trap) {
  if (b == 0) [[unlikely]] {
    trap = TrapCode::IntegerDivideByZero;
    return 0;
  }
  return a % b;
}

// ---------------------------------------------------------------------------
// Integer: bitwise, shifts and rotates (counts are taken modulo the width)
// ---------------------------------------------------------------------------

WASMRT_NUM_INLINE uint32_t i32_and(uint32_t a, uint32_t b) {
  return a & b;
}
WASMRT_NUM_INLINE uint32_t i32_or(uint32_t a, uint32_t b) {
  return a | b;
}
WASMRT_NUM_INLINE uint32_t i32_xor(uint32_t a, uint32_t b) {
  return a ^ b;
}
WASMRT_NUM_INLINE uint32_t i32_shl(uint32_t a, uint32_t b) {
  return a << (b & 31);
}
// C++20 defines >> of a negative value as an arithmetic shift.
WASMRT_NUM_INLINE uint32_t i32_shr_s(uint32_t a, uint32_t b) {
  return uint32_t(int32_t(a) >> (b & 31));
}
WASMRT_NUM_INLINE uint32_t i32_shr_u(uint32_t a, uint32_t b) {
  return a >> (b & 31);
}
WASMRT_NUM_INLINE uint32_t i32_rotl(uint32_t a, uint32_t b) {
  return std::rotl(a, int(b & 31));
}
WASMRT_NUM_INLINE uint32_t i32_rotr(uint32_t a, uint32_t b) {
  return std::rotr(a, int(b & 31));
}

WASMRT_NUM_INLINE uint64_t i64_and(uint64_t a, uint64_t b) {
  return a & b;
}
WASMRT_NUM_INLINE uint64_t i64_or(uint64_t a, uint64_t b) {
  return a | b;
}
WASMRT_NUM_INLINE uint64_t i64_xor(uint64_t a, uint64_t b) {
  return a ^ b;
}
WASMRT_NUM_INLINE uint64_t i64_shl(uint64_t a, uint64_t b) {
  return a << (b & 63);
}
WASMRT_NUM_INLINE uint64_t i64_shr_s(uint64_t a, uint64_t b) {
  return uint64_t(int64_t(a) >> (b & 63));
}
WASMRT_NUM_INLINE uint64_t i64_shr_u(uint64_t a, uint64_t b) {
  return a >> (b & 63);
}
WASMRT_NUM_INLINE uint64_t i64_rotl(uint64_t a, uint64_t b) {
  return std::rotl(a, int(b & 63));
}
WASMRT_NUM_INLINE uint64_t i64_rotr(uint64_t a, uint64_t b) {
  return std::rotr(a, int(b & 63));
}

// ---------------------------------------------------------------------------
// Integer: width changes and sign extension
// ---------------------------------------------------------------------------

WASMRT_NUM_INLINE uint32_t i32_wrap_i64(uint64_t a) {
  return uint32_t(a);
}
WASMRT_NUM_INLINE uint64_t i64_extend_i32_s(uint32_t a) {
  return uint64_t(int64_t(int32_t(a)));
}
WASMRT_NUM_INLINE uint64_t i64_extend_i32_u(uint32_t a) {
  return uint64_t(a);
}
WASMRT_NUM_INLINE uint32_t i32_extend8_s(uint32_t a) {
  return uint32_t(int32_t(int8_t(a)));
}
WASMRT_NUM_INLINE uint32_t i32_extend16_s(uint32_t a) {
  return uint32_t(int32_t(int16_t(a)));
}
WASMRT_NUM_INLINE uint64_t i64_extend8_s(uint64_t a) {
  return uint64_t(int64_t(int8_t(a)));
}
WASMRT_NUM_INLINE uint64_t i64_extend16_s(uint64_t a) {
  return uint64_t(int64_t(int16_t(a)));
}
WASMRT_NUM_INLINE uint64_t i64_extend32_s(uint64_t a) {
  return uint64_t(int64_t(int32_t(a)));
}

// ---------------------------------------------------------------------------
// Float: sign bit operations (never touch the NaN payload)
// ---------------------------------------------------------------------------

WASMRT_NUM_INLINE float f32_abs(float x) {
  return f32_from_bits(f32_bits(x) & ~kF32SignBit);
}
WASMRT_NUM_INLINE float f32_neg(float x) {
  return f32_from_bits(f32_bits(x) ^ kF32SignBit);
}
WASMRT_NUM_INLINE float f32_copysign(float a, float b) {
  return f32_from_bits((f32_bits(a) & ~kF32SignBit) | (f32_bits(b) & kF32SignBit));
}
WASMRT_NUM_INLINE double f64_abs(double x) {
  return f64_from_bits(f64_bits(x) & ~kF64SignBit);
}
WASMRT_NUM_INLINE double f64_neg(double x) {
  return f64_from_bits(f64_bits(x) ^ kF64SignBit);
}
WASMRT_NUM_INLINE double f64_copysign(double a, double b) {
  return f64_from_bits((f64_bits(a) & ~kF64SignBit) | (f64_bits(b) & kF64SignBit));
}

// ---------------------------------------------------------------------------
// Float: arithmetic
// ---------------------------------------------------------------------------

// (add, sub, mul and div follow quiet_nan, below.)

// Negative operands give the default NaN; a NaN operand comes back quiet.
WASMRT_NUM_INLINE float f32_sqrt(float x) {
  return __builtin_sqrtf(x);
}
WASMRT_NUM_INLINE double f64_sqrt(double x) {
  return __builtin_sqrt(x);
}

namespace detail {
// Sets the quiet bit of a NaN (the top mantissa bit). Done on the bits
// rather than with `x + x` so that no compiler constant folding and no
// hardware default-NaN mode can change the outcome: a canonical NaN stays
// canonical, any other NaN becomes an arithmetic NaN with its payload.
template <typename F>
struct FloatBits;
template <>
struct FloatBits<float> {
  using Bits = uint32_t;
  static constexpr Bits kQuiet = 0x0040'0000u;
};
template <>
struct FloatBits<double> {
  using Bits = uint64_t;
  static constexpr Bits kQuiet = 0x0008'0000'0000'0000ull;
};
template <typename F>
WASMRT_NUM_INLINE F quiet_nan(F x) {
  using Bits = typename FloatBits<F>::Bits;
  return std::bit_cast<F>(Bits(std::bit_cast<Bits>(x) | FloatBits<F>::kQuiet));
}

// Shared min/max for float and double. The ordered comparisons settle every
// case but equal values (only ±0 differ there: OR of the bits makes min pick
// -0, AND makes max pick +0) and NaNs, where the first NaN operand comes
// back quiet.
template <typename F, typename Bits>
WASMRT_NUM_INLINE F float_min(F a, F b) {
  if (a < b) return a;
  if (b < a) return b;
  if (a == b) return std::bit_cast<F>(Bits(std::bit_cast<Bits>(a) | std::bit_cast<Bits>(b)));
  return quiet_nan(a != a ? a : b);
}
template <typename F, typename Bits>
WASMRT_NUM_INLINE F float_max(F a, F b) {
  if (a > b) return a;
  if (b > a) return b;
  if (a == b) return std::bit_cast<F>(Bits(std::bit_cast<Bits>(a) & std::bit_cast<Bits>(b)));
  return quiet_nan(a != a ? a : b);
}
// Which NaN an arithmetic instruction returns when both operands are NaNs
// is the machine's rule (x86-64: the first operand's; AArch64: a signaling
// one's, else the first's), and the JIT tiers apply it with wasm's operand
// order. A C++ `a + b` may be compiled with its operands swapped (it was,
// for f32.add), so the interpreter returned the other payload: the spec
// allows either, but the tiers must agree (i32.reinterpret_f32 makes the
// payload visible; the differential fuzzer found it). The instruction is
// written out with its operands in order instead: no extra work, unlike a
// NaN check on the result (mandelbrot on the interpreter: +16%).
#if defined(__GNUC__) && defined(__x86_64__)
#define WASMRT_ORDERED_FLOAT_OP(name, type, insn, reg) \
  WASMRT_NUM_INLINE type name(type a, type b) {        \
    __asm__(insn " %1, %0" : "+x"(a) : "x"(b));        \
    return a;                                          \
  }
#elif defined(__GNUC__) && defined(__aarch64__)
#define WASMRT_ORDERED_FLOAT_OP(name, type, insn, reg)                                   \
  WASMRT_NUM_INLINE type name(type a, type b) {                                          \
    type r;                                                                              \
    __asm__(insn " %" reg "0, %" reg "1, %" reg "2" : "=w"(r) : "w"(a), "w"(b)); \
    return r;                                                                            \
  }
#endif
}  // namespace detail

#if defined(WASMRT_ORDERED_FLOAT_OP) && defined(__x86_64__)
WASMRT_ORDERED_FLOAT_OP(f32_add, float, "addss", "")
WASMRT_ORDERED_FLOAT_OP(f32_sub, float, "subss", "")
WASMRT_ORDERED_FLOAT_OP(f32_mul, float, "mulss", "")
WASMRT_ORDERED_FLOAT_OP(f32_div, float, "divss", "")
WASMRT_ORDERED_FLOAT_OP(f64_add, double, "addsd", "")
WASMRT_ORDERED_FLOAT_OP(f64_sub, double, "subsd", "")
WASMRT_ORDERED_FLOAT_OP(f64_mul, double, "mulsd", "")
WASMRT_ORDERED_FLOAT_OP(f64_div, double, "divsd", "")
#elif defined(WASMRT_ORDERED_FLOAT_OP)
WASMRT_ORDERED_FLOAT_OP(f32_add, float, "fadd", "s")
WASMRT_ORDERED_FLOAT_OP(f32_sub, float, "fsub", "s")
WASMRT_ORDERED_FLOAT_OP(f32_mul, float, "fmul", "s")
WASMRT_ORDERED_FLOAT_OP(f32_div, float, "fdiv", "s")
WASMRT_ORDERED_FLOAT_OP(f64_add, double, "fadd", "d")
WASMRT_ORDERED_FLOAT_OP(f64_sub, double, "fsub", "d")
WASMRT_ORDERED_FLOAT_OP(f64_mul, double, "fmul", "d")
WASMRT_ORDERED_FLOAT_OP(f64_div, double, "fdiv", "d")
#else
WASMRT_NUM_INLINE float f32_add(float a, float b) { return a + b; }
WASMRT_NUM_INLINE float f32_sub(float a, float b) { return a - b; }
WASMRT_NUM_INLINE float f32_mul(float a, float b) { return a * b; }
WASMRT_NUM_INLINE float f32_div(float a, float b) { return a / b; }
WASMRT_NUM_INLINE double f64_add(double a, double b) { return a + b; }
WASMRT_NUM_INLINE double f64_sub(double a, double b) { return a - b; }
WASMRT_NUM_INLINE double f64_mul(double a, double b) { return a * b; }
WASMRT_NUM_INLINE double f64_div(double a, double b) { return a / b; }
#endif
#undef WASMRT_ORDERED_FLOAT_OP

WASMRT_NUM_INLINE float f32_min(float a, float b) {
  return detail::float_min<float, uint32_t>(a, b);
}
WASMRT_NUM_INLINE float f32_max(float a, float b) {
  return detail::float_max<float, uint32_t>(a, b);
}
WASMRT_NUM_INLINE double f64_min(double a, double b) {
  return detail::float_min<double, uint64_t>(a, b);
}
WASMRT_NUM_INLINE double f64_max(double a, double b) {
  return detail::float_max<double, uint64_t>(a, b);
}

// ---------------------------------------------------------------------------
// Float: rounding to integral values
//
// With SSE4.1 (roundss/roundsd) or on AArch64 (frint*) the builtins become
// one instruction with an explicit rounding direction. Otherwise (baseline
// x86-64 is SSE2 only and the builtins would be libm calls) values that can
// have a fractional part (|x| < 2^mantissa_bits) go through an exact integer
// cast; larger values and infinities are already integral and come back
// unchanged, NaNs come back quiet (the spec wants an arithmetic NaN).
// ---------------------------------------------------------------------------

namespace detail {
// Returns x unchanged except that a NaN gets its quiet bit set.
template <typename F>
WASMRT_NUM_INLINE F quiet_if_nan(F x) {
  return x != x ? quiet_nan(x) : x;
}

template <typename F, typename Int>
WASMRT_NUM_INLINE F ceil_portable(F x, F limit) {
  if (!(std::fabs(x) < limit)) return quiet_if_nan(x);
  F t = F(Int(x));
  if (t < x) t += F(1);
  return std::copysign(t, x);  // ceil(-0.5) is -0
}
template <typename F, typename Int>
WASMRT_NUM_INLINE F floor_portable(F x, F limit) {
  if (!(std::fabs(x) < limit)) return quiet_if_nan(x);
  F t = F(Int(x));
  if (t > x) t -= F(1);
  return std::copysign(t, x);  // floor(-0.0) is -0
}
template <typename F, typename Int>
WASMRT_NUM_INLINE F trunc_portable(F x, F limit) {
  if (!(std::fabs(x) < limit)) return quiet_if_nan(x);
  return std::copysign(F(Int(x)), x);  // trunc(-0.5) is -0
}
// Adding and subtracting 2^mantissa_bits pushes the fraction out of the
// significand, rounding it half-to-even in the default rounding mode.
template <typename F>
WASMRT_NUM_INLINE F nearest_portable(F x, F limit) {
  F a = std::fabs(x);
  if (!(a < limit)) return quiet_if_nan(x);
  F r = (a + limit) - limit;
  return std::copysign(r, x);  // nearest(-0.4) is -0
}
}  // namespace detail

WASMRT_NUM_INLINE float f32_ceil(float x) {
#if defined(__SSE4_1__) || defined(__aarch64__)
  return __builtin_ceilf(x);
#else
  return detail::ceil_portable<float, int32_t>(x, 0x1p23f);
#endif
}
WASMRT_NUM_INLINE float f32_floor(float x) {
#if defined(__SSE4_1__) || defined(__aarch64__)
  return __builtin_floorf(x);
#else
  return detail::floor_portable<float, int32_t>(x, 0x1p23f);
#endif
}
WASMRT_NUM_INLINE float f32_trunc(float x) {
#if defined(__SSE4_1__) || defined(__aarch64__)
  return __builtin_truncf(x);
#else
  return detail::trunc_portable<float, int32_t>(x, 0x1p23f);
#endif
}
WASMRT_NUM_INLINE float f32_nearest(float x) {
#if defined(__SSE4_1__)
  __m128 v = _mm_set_ss(x);
  return _mm_cvtss_f32(_mm_round_ss(v, v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
#elif defined(__aarch64__)
  return __builtin_nearbyintf(x);  // frinti: current (default nearest-even) mode
#else
  return detail::nearest_portable<float>(x, 0x1p23f);
#endif
}
WASMRT_NUM_INLINE double f64_ceil(double x) {
#if defined(__SSE4_1__) || defined(__aarch64__)
  return __builtin_ceil(x);
#else
  return detail::ceil_portable<double, int64_t>(x, 0x1p52);
#endif
}
WASMRT_NUM_INLINE double f64_floor(double x) {
#if defined(__SSE4_1__) || defined(__aarch64__)
  return __builtin_floor(x);
#else
  return detail::floor_portable<double, int64_t>(x, 0x1p52);
#endif
}
WASMRT_NUM_INLINE double f64_trunc(double x) {
#if defined(__SSE4_1__) || defined(__aarch64__)
  return __builtin_trunc(x);
#else
  return detail::trunc_portable<double, int64_t>(x, 0x1p52);
#endif
}
WASMRT_NUM_INLINE double f64_nearest(double x) {
#if defined(__SSE4_1__)
  __m128d v = _mm_set_sd(x);
  return _mm_cvtsd_f64(_mm_round_sd(v, v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
#elif defined(__aarch64__)
  return __builtin_nearbyint(x);
#else
  return detail::nearest_portable<double>(x, 0x1p52);
#endif
}

// ---------------------------------------------------------------------------
// Float: comparisons (IEEE: every comparison with a NaN is false, except ne)
// ---------------------------------------------------------------------------

WASMRT_NUM_INLINE uint32_t f32_eq(float a, float b) {
  return a == b;
}
WASMRT_NUM_INLINE uint32_t f32_ne(float a, float b) {
  return a != b;
}
WASMRT_NUM_INLINE uint32_t f32_lt(float a, float b) {
  return a < b;
}
WASMRT_NUM_INLINE uint32_t f32_gt(float a, float b) {
  return a > b;
}
WASMRT_NUM_INLINE uint32_t f32_le(float a, float b) {
  return a <= b;
}
WASMRT_NUM_INLINE uint32_t f32_ge(float a, float b) {
  return a >= b;
}
WASMRT_NUM_INLINE uint32_t f64_eq(double a, double b) {
  return a == b;
}
WASMRT_NUM_INLINE uint32_t f64_ne(double a, double b) {
  return a != b;
}
WASMRT_NUM_INLINE uint32_t f64_lt(double a, double b) {
  return a < b;
}
WASMRT_NUM_INLINE uint32_t f64_gt(double a, double b) {
  return a > b;
}
WASMRT_NUM_INLINE uint32_t f64_le(double a, double b) {
  return a <= b;
}
WASMRT_NUM_INLINE uint32_t f64_ge(double a, double b) {
  return a >= b;
}

// ---------------------------------------------------------------------------
// Conversions: float -> integer, trapping
//
// Each range test is written with bounds that are exactly representable in
// the source type and admits precisely the inputs whose truncation fits:
// signed N-bit from f32 is [-2^(N-1), 2^(N-1)) (nothing lies between
// -2^(N-1)-1 and -2^(N-1) in f32); i32 from f64 is (-2^31-1, 2^31); i64 from
// f64 is [-2^63, 2^63); unsigned is (-1, 2^N). NaN fails every comparison
// and is told apart only on the (cold) failure path.
// ---------------------------------------------------------------------------

namespace detail {
template <typename F>
WASMRT_NUM_INLINE void conversion_trap(F x, TrapCode& trap) {
  trap = x != x ? TrapCode::InvalidConversionToInteger : TrapCode::IntegerOverflow;
}
}  // namespace detail

WASMRT_NUM_INLINE uint32_t i32_trunc_f32_s(float x, TrapCode& trap) {
  if (x >= -0x1p31f && x < 0x1p31f) [[likely]]
    return uint32_t(int32_t(x));
  detail::conversion_trap(x, trap);
  return 0;
}
WASMRT_NUM_INLINE uint32_t i32_trunc_f32_u(float x, TrapCode& trap) {
  if (x > -1.0f && x < 0x1p32f) [[likely]]
    return uint32_t(x);
  detail::conversion_trap(x, trap);
  return 0;
}
WASMRT_NUM_INLINE uint32_t i32_trunc_f64_s(double x, TrapCode& trap) {
  if (x > -2147483649.0 && x < 2147483648.0) [[likely]]
    return uint32_t(int32_t(x));
  detail::conversion_trap(x, trap);
  return 0;
}
WASMRT_NUM_INLINE uint32_t i32_trunc_f64_u(double x, TrapCode& trap) {
  if (x > -1.0 && x < 4294967296.0) [[likely]]
    return uint32_t(x);
  detail::conversion_trap(x, trap);
  return 0;
}
WASMRT_NUM_INLINE uint64_t i64_trunc_f32_s(float x, TrapCode& trap) {
  if (x >= -0x1p63f && x < 0x1p63f) [[likely]]
    return uint64_t(int64_t(x));
  detail::conversion_trap(x, trap);
  return 0;
}
WASMRT_NUM_INLINE uint64_t i64_trunc_f32_u(float x, TrapCode& trap) {
  if (x > -1.0f && x < 0x1p64f) [[likely]]
    return uint64_t(x);
  detail::conversion_trap(x, trap);
  return 0;
}
WASMRT_NUM_INLINE uint64_t i64_trunc_f64_s(double x, TrapCode& trap) {
  if (x >= -0x1p63 && x < 0x1p63) [[likely]]
    return uint64_t(int64_t(x));
  detail::conversion_trap(x, trap);
  return 0;
}
WASMRT_NUM_INLINE uint64_t i64_trunc_f64_u(double x, TrapCode& trap) {
  if (x > -1.0 && x < 0x1p64) [[likely]]
    return uint64_t(x);
  detail::conversion_trap(x, trap);
  return 0;
}

// ---------------------------------------------------------------------------
// Conversions: float -> integer, saturating (NaN -> 0, out of range clamps)
// ---------------------------------------------------------------------------

WASMRT_NUM_INLINE uint32_t i32_trunc_sat_f32_s(float x) {
  if (x >= -0x1p31f && x < 0x1p31f) [[likely]]
    return uint32_t(int32_t(x));
  if (x != x) return 0;
  return x < 0 ? 0x8000'0000u : 0x7FFF'FFFFu;
}
WASMRT_NUM_INLINE uint32_t i32_trunc_sat_f32_u(float x) {
  if (x > -1.0f && x < 0x1p32f) [[likely]]
    return uint32_t(x);
  return x > 0 ? 0xFFFF'FFFFu : 0;  // NaN and x <= -1 both give 0
}
WASMRT_NUM_INLINE uint32_t i32_trunc_sat_f64_s(double x) {
  if (x > -2147483649.0 && x < 2147483648.0) [[likely]]
    return uint32_t(int32_t(x));
  if (x != x) return 0;
  return x < 0 ? 0x8000'0000u : 0x7FFF'FFFFu;
}
WASMRT_NUM_INLINE uint32_t i32_trunc_sat_f64_u(double x) {
  if (x > -1.0 && x < 4294967296.0) [[likely]]
    return uint32_t(x);
  return x > 0 ? 0xFFFF'FFFFu : 0;
}
WASMRT_NUM_INLINE uint64_t i64_trunc_sat_f32_s(float x) {
  if (x >= -0x1p63f && x < 0x1p63f) [[likely]]
    return uint64_t(int64_t(x));
  if (x != x) return 0;
  return x < 0 ? kF64SignBit : kF64SignBit - 1;
}
WASMRT_NUM_INLINE uint64_t i64_trunc_sat_f32_u(float x) {
  if (x > -1.0f && x < 0x1p64f) [[likely]]
    return uint64_t(x);
  return x > 0 ? ~uint64_t{0} : 0;
}
WASMRT_NUM_INLINE uint64_t i64_trunc_sat_f64_s(double x) {
  if (x >= -0x1p63 && x < 0x1p63) [[likely]]
    return uint64_t(int64_t(x));
  if (x != x) return 0;
  return x < 0 ? kF64SignBit : kF64SignBit - 1;
}
WASMRT_NUM_INLINE uint64_t i64_trunc_sat_f64_u(double x) {
  if (x > -1.0 && x < 0x1p64) [[likely]]
    return uint64_t(x);
  return x > 0 ? ~uint64_t{0} : 0;
}

// ---------------------------------------------------------------------------
// Conversions: integer -> float (round to nearest even, as C++ on IEEE
// hardware does; GCC and clang convert uint64 without double rounding)
// ---------------------------------------------------------------------------

WASMRT_NUM_INLINE float f32_convert_i32_s(uint32_t a) {
  return float(int32_t(a));
}
WASMRT_NUM_INLINE float f32_convert_i32_u(uint32_t a) {
  return float(a);
}
WASMRT_NUM_INLINE float f32_convert_i64_s(uint64_t a) {
  return float(int64_t(a));
}
WASMRT_NUM_INLINE float f32_convert_i64_u(uint64_t a) {
  return float(a);
}
WASMRT_NUM_INLINE double f64_convert_i32_s(uint32_t a) {
  return double(int32_t(a));
}
WASMRT_NUM_INLINE double f64_convert_i32_u(uint32_t a) {
  return double(a);
}
WASMRT_NUM_INLINE double f64_convert_i64_s(uint64_t a) {
  return double(int64_t(a));
}
WASMRT_NUM_INLINE double f64_convert_i64_u(uint64_t a) {
  return double(a);
}

// ---------------------------------------------------------------------------
// Conversions: float <-> float and reinterpretation
// ---------------------------------------------------------------------------

// The hardware conversion keeps the sign and the top payload bits of a NaN
// and sets the quiet bit: an arithmetic NaN, canonical for a canonical input.
WASMRT_NUM_INLINE float f32_demote_f64(double x) {
  return float(x);
}
WASMRT_NUM_INLINE double f64_promote_f32(float x) {
  return double(x);
}

WASMRT_NUM_INLINE uint32_t i32_reinterpret_f32(float x) {
  return f32_bits(x);
}
WASMRT_NUM_INLINE uint64_t i64_reinterpret_f64(double x) {
  return f64_bits(x);
}
WASMRT_NUM_INLINE float f32_reinterpret_i32(uint32_t a) {
  return f32_from_bits(a);
}
WASMRT_NUM_INLINE double f64_reinterpret_i64(uint64_t a) {
  return f64_from_bits(a);
}

}  // namespace wasmrt::num
