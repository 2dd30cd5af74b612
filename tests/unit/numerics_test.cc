// Scalar numeric semantics (runtime/interp/numerics.h) against the spec's
// definitions (document/core/exec/numerics) and values from the spec test
// suite (i32/i64/f32/f64/conversions .wast).
#include "runtime/interp/numerics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "runtime/interp/op_impl.h"

namespace wasmrt::num {
namespace {

constexpr uint32_t kI32Min = 0x8000'0000u;
constexpr uint64_t kI64Min = 0x8000'0000'0000'0000ull;

// --- float bit helpers -----------------------------------------------------

// Test inputs pass through a volatile so the compiler cannot see constant
// operands: with a literal NaN or 1.0 it may fold `nan + x` to `nan` or
// `x * 1.0` to `x` without quieting (both GCC and clang assume no signalling
// NaNs). In the interpreter operands are always run-time values.
template <typename T>
T opaque(T x) {
  volatile T v = x;
  return v;
}
float f32(uint32_t bits) {
  return f32_from_bits(opaque(bits));
}
double f64(uint64_t bits) {
  return f64_from_bits(opaque(bits));
}

bool f32_is_nan(float x) {
  return (f32_bits(x) & 0x7FFF'FFFFu) > 0x7F80'0000u;
}
bool f64_is_nan(double x) {
  return (f64_bits(x) & ~kF64SignBit) > 0x7FF0'0000'0000'0000ull;
}
// nan:canonical = quiet bit only, any sign; nan:arithmetic = quiet bit set.
bool f32_is_canonical_nan(float x) {
  return (f32_bits(x) & 0x7FFF'FFFFu) == kF32CanonicalNan;
}
bool f32_is_arithmetic_nan(float x) {
  return (f32_bits(x) & kF32CanonicalNan) == kF32CanonicalNan;
}
bool f64_is_canonical_nan(double x) {
  return (f64_bits(x) & ~kF64SignBit) == kF64CanonicalNan;
}
bool f64_is_arithmetic_nan(double x) {
  return (f64_bits(x) & kF64CanonicalNan) == kF64CanonicalNan;
}

#define EXPECT_F32_BITS(expr, bits) EXPECT_EQ(f32_bits(expr), uint32_t(bits)) << #expr
#define EXPECT_F64_BITS(expr, bits) EXPECT_EQ(f64_bits(expr), uint64_t(bits)) << #expr
// Exact equality including the sign of zero.
#define EXPECT_F32_SAME(expr, value) EXPECT_EQ(f32_bits(expr), f32_bits(value)) << #expr
#define EXPECT_F64_SAME(expr, value) EXPECT_EQ(f64_bits(expr), f64_bits(value)) << #expr

constexpr uint32_t kF32SNan = 0x7FA0'0000u;              // nan:0x200000 (signalling)
constexpr uint32_t kF32NegPayloadNan = 0xFFA0'0000u;     // -nan:0x200000
constexpr uint32_t kF32QuietPayload = 0x7FC0'0123u;      // quiet, non-canonical
constexpr uint64_t kF64SNan = 0x7FF4'0000'0000'0000ull;  // nan:0x4000000000000

// Runs a trapping operation; returns the trap code (None when it returned).
template <typename Fn>
TrapCode trap_of(Fn fn) {
  TrapCode trap = TrapCode::None;
  fn(trap);
  return trap;
}

// ===========================================================================
// Integer
// ===========================================================================

TEST(NumericsInt, ArithmeticWraps) {
  EXPECT_EQ(i32_add(0x7FFF'FFFFu, 1), kI32Min);
  EXPECT_EQ(i32_sub(kI32Min, 1), 0x7FFF'FFFFu);
  EXPECT_EQ(i32_mul(0x0123'4567u, 0x7654'3210u), 0x358E'7470u);  // i32.wast
  EXPECT_EQ(i32_mul(kI32Min, 0xFFFF'FFFFu), kI32Min);
  EXPECT_EQ(i64_add(0x7FFF'FFFF'FFFF'FFFFull, 1), kI64Min);
  EXPECT_EQ(i64_sub(kI64Min, 1), 0x7FFF'FFFF'FFFF'FFFFull);
  EXPECT_EQ(i64_mul(0x0123'4567'89AB'CDEFull, 0xFEDC'BA98'7654'3210ull), 0x2236'D88F'E561'8CF0ull);
  EXPECT_EQ(i64_mul(kI64Min, ~0ull), kI64Min);
}

TEST(NumericsInt, DivSTrapsAndRounding) {
  uint32_t r = 0;
  EXPECT_EQ(trap_of([&](TrapCode& t) { r = i32_div_s(1, 0, t); }), TrapCode::IntegerDivideByZero);
  EXPECT_EQ(trap_of([&](TrapCode& t) { r = i32_div_s(0, 0, t); }), TrapCode::IntegerDivideByZero);
  EXPECT_EQ(trap_of([&](TrapCode& t) { r = i32_div_s(kI32Min, 0xFFFF'FFFFu, t); }),
            TrapCode::IntegerOverflow);
  EXPECT_EQ(trap_of([&](TrapCode& t) { r = i32_div_s(kI32Min, 2, t); }), TrapCode::None);
  EXPECT_EQ(r, 0xC000'0000u);
  EXPECT_EQ(trap_of([&](TrapCode& t) { r = i32_div_s(uint32_t(-7), 2, t); }), TrapCode::None);
  EXPECT_EQ(r, uint32_t(-3));  // truncates toward zero
  EXPECT_EQ(trap_of([&](TrapCode& t) { r = i32_div_s(kI32Min + 1, 0xFFFF'FFFFu, t); }), TrapCode::None);
  EXPECT_EQ(r, 0x7FFF'FFFFu);

  uint64_t q = 0;
  EXPECT_EQ(trap_of([&](TrapCode& t) { q = i64_div_s(1, 0, t); }), TrapCode::IntegerDivideByZero);
  EXPECT_EQ(trap_of([&](TrapCode& t) { q = i64_div_s(kI64Min, ~0ull, t); }), TrapCode::IntegerOverflow);
  EXPECT_EQ(trap_of([&](TrapCode& t) { q = i64_div_s(uint64_t(-7), 2, t); }), TrapCode::None);
  EXPECT_EQ(q, uint64_t(-3));
  EXPECT_EQ(trap_of([&](TrapCode& t) { q = i64_div_s(kI64Min, 2, t); }), TrapCode::None);
  EXPECT_EQ(q, 0xC000'0000'0000'0000ull);
}

TEST(NumericsInt, DivURemTraps) {
  uint32_t r = 0;
  EXPECT_EQ(trap_of([&](TrapCode& t) { r = i32_div_u(1, 0, t); }), TrapCode::IntegerDivideByZero);
  EXPECT_EQ(trap_of([&](TrapCode& t) { r = i32_rem_s(1, 0, t); }), TrapCode::IntegerDivideByZero);
  EXPECT_EQ(trap_of([&](TrapCode& t) { r = i32_rem_u(1, 0, t); }), TrapCode::IntegerDivideByZero);
  EXPECT_EQ(trap_of([&](TrapCode& t) { r = i32_div_u(kI32Min, 0xFFFF'FFFFu, t); }), TrapCode::None);
  EXPECT_EQ(r, 0u);
  EXPECT_EQ(trap_of([&](TrapCode& t) { r = i32_div_u(uint32_t(-5), 2, t); }), TrapCode::None);
  EXPECT_EQ(r, 0x7FFF'FFFDu);
  // rem_s: INT_MIN % -1 is 0, no trap; the sign follows the dividend.
  EXPECT_EQ(trap_of([&](TrapCode& t) { r = i32_rem_s(kI32Min, 0xFFFF'FFFFu, t); }), TrapCode::None);
  EXPECT_EQ(r, 0u);
  EXPECT_EQ(trap_of([&](TrapCode& t) { r = i32_rem_s(uint32_t(-7), 2, t); }), TrapCode::None);
  EXPECT_EQ(r, uint32_t(-1));
  EXPECT_EQ(trap_of([&](TrapCode& t) { r = i32_rem_s(7, uint32_t(-2), t); }), TrapCode::None);
  EXPECT_EQ(r, 1u);
  EXPECT_EQ(trap_of([&](TrapCode& t) { r = i32_rem_s(5, 0xFFFF'FFFFu, t); }), TrapCode::None);
  EXPECT_EQ(r, 0u);
  EXPECT_EQ(trap_of([&](TrapCode& t) { r = i32_rem_u(kI32Min, 0xFFFF'FFFFu, t); }), TrapCode::None);
  EXPECT_EQ(r, kI32Min);

  uint64_t q = 0;
  EXPECT_EQ(trap_of([&](TrapCode& t) { q = i64_div_u(1, 0, t); }), TrapCode::IntegerDivideByZero);
  EXPECT_EQ(trap_of([&](TrapCode& t) { q = i64_rem_s(1, 0, t); }), TrapCode::IntegerDivideByZero);
  EXPECT_EQ(trap_of([&](TrapCode& t) { q = i64_rem_u(1, 0, t); }), TrapCode::IntegerDivideByZero);
  EXPECT_EQ(trap_of([&](TrapCode& t) { q = i64_rem_s(kI64Min, ~0ull, t); }), TrapCode::None);
  EXPECT_EQ(q, 0u);
  EXPECT_EQ(trap_of([&](TrapCode& t) { q = i64_rem_s(uint64_t(-7), 2, t); }), TrapCode::None);
  EXPECT_EQ(q, uint64_t(-1));
  EXPECT_EQ(trap_of([&](TrapCode& t) { q = i64_div_u(uint64_t(-5), 2, t); }), TrapCode::None);
  EXPECT_EQ(q, 0x7FFF'FFFF'FFFF'FFFDull);
  EXPECT_EQ(trap_of([&](TrapCode& t) { q = i64_rem_u(uint64_t(-5), 2, t); }), TrapCode::None);
  EXPECT_EQ(q, 1u);
}

TEST(NumericsInt, TrapCodeUntouchedOnSuccess) {
  TrapCode trap = TrapCode::Unreachable;  // a sentinel the ops must not overwrite
  (void)i32_div_s(6, 3, trap);
  (void)i64_rem_u(6, 4, trap);
  (void)i32_trunc_f32_s(1.5f, trap);
  (void)i64_trunc_f64_u(1e18, trap);
  EXPECT_EQ(trap, TrapCode::Unreachable);
}

TEST(NumericsInt, ShiftsTakeCountModuloWidth) {
  EXPECT_EQ(i32_shl(1, 31), kI32Min);
  EXPECT_EQ(i32_shl(1, 32), 1u);
  EXPECT_EQ(i32_shl(1, 33), 2u);
  EXPECT_EQ(i32_shl(1, 0xFFFF'FFFFu), kI32Min);
  EXPECT_EQ(i32_shr_s(kI32Min, 31), 0xFFFF'FFFFu);
  EXPECT_EQ(i32_shr_s(kI32Min, 32), kI32Min);
  EXPECT_EQ(i32_shr_s(0x4000'0000u, 33), 0x2000'0000u);
  EXPECT_EQ(i32_shr_s(0xFFFF'FFFFu, 7), 0xFFFF'FFFFu);
  EXPECT_EQ(i32_shr_u(kI32Min, 31), 1u);
  EXPECT_EQ(i32_shr_u(kI32Min, 32), kI32Min);
  EXPECT_EQ(i32_shr_u(0xFFFF'FFFFu, 0xFFFF'FFFFu), 1u);

  EXPECT_EQ(i64_shl(1, 63), kI64Min);
  EXPECT_EQ(i64_shl(1, 64), 1u);
  EXPECT_EQ(i64_shl(1, 65), 2u);
  EXPECT_EQ(i64_shl(1, 32), 0x1'0000'0000ull);  // no 32-bit masking on i64
  EXPECT_EQ(i64_shr_s(kI64Min, 63), ~0ull);
  EXPECT_EQ(i64_shr_s(kI64Min, 64), kI64Min);
  EXPECT_EQ(i64_shr_u(kI64Min, 63), 1u);
  EXPECT_EQ(i64_shr_u(~0ull, ~0ull), 1u);
}

TEST(NumericsInt, Rotates) {
  EXPECT_EQ(i32_rotl(0xFE00'DC00u, 4), 0xE00D'C00Fu);  // i32.wast
  EXPECT_EQ(i32_rotl(0xABCD'9876u, 1), 0x579B'30EDu);
  EXPECT_EQ(i32_rotl(0x0000'8000u, 37), 0x0010'0000u);
  EXPECT_EQ(i32_rotl(1, 32), 1u);
  EXPECT_EQ(i32_rotl(1, 0xFFFF'FFFFu), kI32Min);
  EXPECT_EQ(i32_rotr(0xB0C1'D2E3u, 5), 0x1D86'0E97u);
  EXPECT_EQ(i32_rotr(0x0000'8000u, 37), 0x0000'0400u);
  EXPECT_EQ(i32_rotr(1, 0xFFFF'FFFFu), 2u);
  EXPECT_EQ(i32_rotr(kI32Min, 31), 1u);
  EXPECT_EQ(i64_rotl(0xABCD'1234'EF56'7809ull, 0xF5ull), 0x0135'79A2'469D'EACFull);  // i64.wast
  EXPECT_EQ(i64_rotl(1, 64), 1u);
  EXPECT_EQ(i64_rotl(1, 63), kI64Min);
  EXPECT_EQ(i64_rotr(0xABCD'1234'EF56'7809ull, 0xF5ull), 0x6891'A77A'B3C0'4D5Eull);
  EXPECT_EQ(i64_rotr(0xABCD'7294'EF56'7809ull, 0xFFFF'FFFF'FFFF'FFEDull), 0x94A7'7AB3'C04D'5E6Bull);
  EXPECT_EQ(i64_rotr(0xABD1'234E'F567'809Cull, 0x8000'0000'0000'003Full), 0x57A2'469D'EACF'0139ull);
  EXPECT_EQ(i64_rotr(1, 1), kI64Min);
  EXPECT_EQ(i64_rotr(kI64Min, 63), 1u);
}

TEST(NumericsInt, BitCounts) {
  EXPECT_EQ(i32_clz(0), 32u);
  EXPECT_EQ(i32_clz(1), 31u);
  EXPECT_EQ(i32_clz(kI32Min), 0u);
  EXPECT_EQ(i32_ctz(0), 32u);
  EXPECT_EQ(i32_ctz(kI32Min), 31u);
  EXPECT_EQ(i32_ctz(0x0001'0000u), 16u);
  EXPECT_EQ(i32_popcnt(0), 0u);
  EXPECT_EQ(i32_popcnt(0xFFFF'FFFFu), 32u);
  EXPECT_EQ(i32_popcnt(0x8000'8000u), 2u);
  EXPECT_EQ(i32_popcnt(0xAAAA'AAAAu), 16u);
  EXPECT_EQ(i64_clz(0), 64u);
  EXPECT_EQ(i64_clz(1), 63u);
  EXPECT_EQ(i64_clz(0x0000'0000'0000'8000ull), 48u);
  EXPECT_EQ(i64_ctz(0), 64u);
  EXPECT_EQ(i64_ctz(0x0000'0000'8000'0000ull), 31u);
  EXPECT_EQ(i64_popcnt(~0ull), 64u);
  EXPECT_EQ(i64_popcnt(0x8000'8000'8000'8000ull), 4u);
  EXPECT_EQ(i64_popcnt(0xDAAA'AAAA'AAAA'AAAAull), 33u);
  // The SWAR popcount against the standard library on random values.
  std::mt19937_64 rng(1);
  for (int i = 0; i < 10000; ++i) {
    uint64_t x = rng();
    ASSERT_EQ(i64_popcnt(x), uint64_t(std::popcount(x)));
    ASSERT_EQ(i32_popcnt(uint32_t(x)), uint32_t(std::popcount(uint32_t(x))));
  }
}

TEST(NumericsInt, Comparisons) {
  EXPECT_EQ(i32_eqz(0), 1u);
  EXPECT_EQ(i32_eqz(kI32Min), 0u);
  EXPECT_EQ(i64_eqz(0), 1u);
  EXPECT_EQ(i64_eqz(0x1'0000'0000ull), 0u);  // all 64 bits count
  EXPECT_EQ(i32_lt_s(kI32Min, 0), 1u);
  EXPECT_EQ(i32_lt_u(kI32Min, 0), 0u);
  EXPECT_EQ(i32_gt_s(kI32Min, 0), 0u);
  EXPECT_EQ(i32_gt_u(kI32Min, 0), 1u);
  EXPECT_EQ(i32_le_s(0xFFFF'FFFFu, 0xFFFF'FFFFu), 1u);
  EXPECT_EQ(i32_le_u(0xFFFF'FFFFu, 0), 0u);
  EXPECT_EQ(i32_ge_s(0, 0xFFFF'FFFFu), 1u);
  EXPECT_EQ(i32_ge_u(0, 0xFFFF'FFFFu), 0u);
  EXPECT_EQ(i32_eq(5, 5), 1u);
  EXPECT_EQ(i32_ne(5, 5), 0u);
  EXPECT_EQ(i64_lt_s(kI64Min, 0), 1u);
  EXPECT_EQ(i64_lt_u(kI64Min, 0), 0u);
  EXPECT_EQ(i64_gt_s(kI64Min, 0), 0u);
  EXPECT_EQ(i64_gt_u(kI64Min, 0), 1u);
  EXPECT_EQ(i64_le_s(~0ull, 0), 1u);
  EXPECT_EQ(i64_le_u(~0ull, 0), 0u);
  EXPECT_EQ(i64_ge_s(0, ~0ull), 1u);
  EXPECT_EQ(i64_ge_u(0, ~0ull), 0u);
  EXPECT_EQ(i64_eq(kI64Min, kI64Min), 1u);
  EXPECT_EQ(i64_ne(kI64Min, 0x8000'0000ull), 1u);
}

TEST(NumericsInt, ExtendWrapAndSignExtension) {
  EXPECT_EQ(i32_wrap_i64(0xFFFF'FFFF'0000'0001ull), 1u);
  EXPECT_EQ(i64_extend_i32_s(kI32Min), 0xFFFF'FFFF'8000'0000ull);
  EXPECT_EQ(i64_extend_i32_s(0x7FFF'FFFFu), 0x7FFF'FFFFull);
  EXPECT_EQ(i64_extend_i32_u(kI32Min), 0x8000'0000ull);
  EXPECT_EQ(i32_extend8_s(0x7F), 0x7Fu);
  EXPECT_EQ(i32_extend8_s(0x80), 0xFFFF'FF80u);
  EXPECT_EQ(i32_extend8_s(0x0123'4580u), 0xFFFF'FF80u);
  EXPECT_EQ(i32_extend8_s(0xFFFF'FF7Fu), 0x7Fu);
  EXPECT_EQ(i32_extend16_s(0x7FFF), 0x7FFFu);
  EXPECT_EQ(i32_extend16_s(0x8000), 0xFFFF'8000u);
  EXPECT_EQ(i32_extend16_s(0xABCD'0000u), 0u);
  EXPECT_EQ(i64_extend8_s(0x0123'4567'89AB'CD80ull), 0xFFFF'FFFF'FFFF'FF80ull);
  EXPECT_EQ(i64_extend8_s(0xFFFF'FFFF'FFFF'FF7Full), 0x7Full);
  EXPECT_EQ(i64_extend16_s(0x8000), 0xFFFF'FFFF'FFFF'8000ull);
  EXPECT_EQ(i64_extend16_s(0x1234'7FFFull), 0x7FFFull);
  EXPECT_EQ(i64_extend32_s(0x8000'0000ull), 0xFFFF'FFFF'8000'0000ull);
  EXPECT_EQ(i64_extend32_s(0xFFFF'FFFF'7FFF'FFFFull), 0x7FFF'FFFFull);
}

// ===========================================================================
// Float
// ===========================================================================

TEST(NumericsFloat, SignOpsPreserveNanPayloads) {
  EXPECT_F32_BITS(f32_neg(f32(kF32SNan)), 0xFFA0'0000u);
  EXPECT_F32_BITS(f32_abs(f32(kF32NegPayloadNan)), 0x7FA0'0000u);
  EXPECT_F32_BITS(f32_abs(f32(kF32SNan)), kF32SNan);
  EXPECT_F32_BITS(f32_copysign(f32(kF32SNan), -1.0f), 0xFFA0'0000u);
  EXPECT_F32_BITS(f32_copysign(1.0f, f32(kF32NegPayloadNan)), 0xBF80'0000u);
  EXPECT_F32_BITS(f32_copysign(f32(kF32QuietPayload), f32(0x8000'0000u)), 0xFFC0'0123u);
  EXPECT_F32_SAME(f32_neg(0.0f), -0.0f);
  EXPECT_F32_SAME(f32_abs(-0.0f), 0.0f);
  EXPECT_F32_SAME(f32_abs(-INFINITY), INFINITY);
  EXPECT_F32_SAME(f32_copysign(2.0f, -0.0f), -2.0f);

  EXPECT_F64_BITS(f64_neg(f64(kF64SNan)), 0xFFF4'0000'0000'0000ull);
  EXPECT_F64_BITS(f64_abs(f64(0xFFF4'0000'0000'0001ull)), 0x7FF4'0000'0000'0001ull);
  EXPECT_F64_BITS(f64_copysign(f64(kF64SNan), -0.0), 0xFFF4'0000'0000'0000ull);
  EXPECT_F64_BITS(f64_copysign(-1.0, f64(kF64SNan)), 0x3FF0'0000'0000'0000ull);
  EXPECT_F64_SAME(f64_neg(0.0), -0.0);
  EXPECT_F64_SAME(f64_abs(-0.0), 0.0);
}

TEST(NumericsFloat, ReinterpretKeepsBits) {
  EXPECT_EQ(i32_reinterpret_f32(f32(kF32SNan)), kF32SNan);
  EXPECT_EQ(f32_bits(f32_reinterpret_i32(kF32NegPayloadNan)), kF32NegPayloadNan);
  EXPECT_EQ(i64_reinterpret_f64(f64(kF64SNan)), kF64SNan);
  EXPECT_EQ(f64_bits(f64_reinterpret_i64(0xFFF0'0000'0000'0001ull)), 0xFFF0'0000'0000'0001ull);
  EXPECT_EQ(i32_reinterpret_f32(-0.0f), 0x8000'0000u);
  EXPECT_EQ(f32_bits(f32_const(kF32SNan)), kF32SNan);
  EXPECT_EQ(f64_bits(f64_const(kF64SNan)), kF64SNan);
}

TEST(NumericsFloat, MinMaxZerosAndNans) {
  EXPECT_F32_SAME(f32_min(0.0f, -0.0f), -0.0f);
  EXPECT_F32_SAME(f32_min(-0.0f, 0.0f), -0.0f);
  EXPECT_F32_SAME(f32_max(0.0f, -0.0f), 0.0f);
  EXPECT_F32_SAME(f32_max(-0.0f, 0.0f), 0.0f);
  EXPECT_F32_SAME(f32_min(-0.0f, -0.0f), -0.0f);
  EXPECT_F32_SAME(f32_max(0.0f, 0.0f), 0.0f);
  EXPECT_F32_SAME(f32_min(1.0f, 2.0f), 1.0f);
  EXPECT_F32_SAME(f32_max(1.0f, 2.0f), 2.0f);
  EXPECT_F32_SAME(f32_min(-INFINITY, 2.0f), -INFINITY);
  EXPECT_F32_SAME(f32_max(-INFINITY, INFINITY), INFINITY);
  EXPECT_F64_SAME(f64_min(0.0, -0.0), -0.0);
  EXPECT_F64_SAME(f64_max(-0.0, 0.0), 0.0);
  EXPECT_F64_SAME(f64_min(3.0, -3.0), -3.0);
  EXPECT_F64_SAME(f64_max(3.0, -3.0), 3.0);

  // NaN on either side wins; canonical in -> canonical out, any other NaN ->
  // arithmetic (quiet bit set).
  const float canon = f32(kF32CanonicalNan), neg_canon = f32(0xFFC0'0000u);
  for (float other : {0.0f, -0.0f, 1.0f, -INFINITY, INFINITY}) {
    EXPECT_TRUE(f32_is_canonical_nan(f32_min(canon, other)));
    EXPECT_TRUE(f32_is_canonical_nan(f32_min(other, canon)));
    EXPECT_TRUE(f32_is_canonical_nan(f32_max(neg_canon, other)));
    EXPECT_TRUE(f32_is_canonical_nan(f32_max(other, neg_canon)));
    EXPECT_TRUE(f32_is_arithmetic_nan(f32_min(f32(kF32SNan), other)));
    EXPECT_TRUE(f32_is_arithmetic_nan(f32_max(other, f32(kF32SNan))));
    EXPECT_TRUE(f32_is_arithmetic_nan(f32_min(other, f32(kF32QuietPayload))));
    EXPECT_TRUE(f64_is_canonical_nan(f64_min(f64(kF64CanonicalNan), double(other))));
    EXPECT_TRUE(f64_is_canonical_nan(f64_max(double(other), f64(kF64CanonicalNan))));
    EXPECT_TRUE(f64_is_arithmetic_nan(f64_min(double(other), f64(kF64SNan))));
    EXPECT_TRUE(f64_is_arithmetic_nan(f64_max(f64(kF64SNan), double(other))));
  }
  EXPECT_TRUE(f32_is_canonical_nan(f32_min(canon, neg_canon)));
  EXPECT_TRUE(f32_is_arithmetic_nan(f32_max(f32(kF32SNan), f32(kF32SNan))));
}

TEST(NumericsFloat, ArithmeticNans) {
  const float one = opaque(1.0f);
  const double two = opaque(2.0);
  EXPECT_TRUE(f32_is_canonical_nan(f32_add(INFINITY, -INFINITY)));
  EXPECT_TRUE(f32_is_canonical_nan(f32_mul(0.0f, INFINITY)));
  EXPECT_TRUE(f32_is_canonical_nan(f32_div(0.0f, 0.0f)));
  EXPECT_TRUE(f32_is_canonical_nan(f32_sqrt(-1.0f)));
  EXPECT_TRUE(f32_is_canonical_nan(f32_sub(f32(kF32CanonicalNan), 1.0f)));
  EXPECT_TRUE(f32_is_arithmetic_nan(f32_add(f32(kF32SNan), one)));
  EXPECT_TRUE(f32_is_arithmetic_nan(f32_mul(one, f32(kF32SNan))));
  EXPECT_TRUE(f32_is_arithmetic_nan(f32_sqrt(f32(kF32SNan))));
  EXPECT_TRUE(f64_is_canonical_nan(f64_sub(INFINITY, INFINITY)));
  EXPECT_TRUE(f64_is_canonical_nan(f64_sqrt(-2.0)));
  EXPECT_TRUE(f64_is_arithmetic_nan(f64_div(f64(kF64SNan), two)));
  EXPECT_TRUE(f64_is_arithmetic_nan(f64_sqrt(f64(kF64SNan))));
  EXPECT_F32_SAME(f32_sqrt(-0.0f), -0.0f);
  EXPECT_F64_SAME(f64_sqrt(-0.0), -0.0);
  EXPECT_F32_SAME(f32_sqrt(4.0f), 2.0f);
  EXPECT_F64_SAME(f64_sqrt(0x1p-1074), 0x1p-537);
  EXPECT_F32_SAME(f32_add(0x1p-149f, -0x1p-149f), 0.0f);
  EXPECT_F32_SAME(f32_add(-0.0f, -0.0f), -0.0f);
  EXPECT_F64_SAME(f64_div(1.0, -0.0), -INFINITY);
}

TEST(NumericsFloat, Comparisons) {
  const float nan = f32(kF32CanonicalNan);
  EXPECT_EQ(f32_eq(0.0f, -0.0f), 1u);
  EXPECT_EQ(f32_eq(nan, nan), 0u);
  EXPECT_EQ(f32_ne(nan, nan), 1u);
  EXPECT_EQ(f32_lt(nan, 1.0f), 0u);
  EXPECT_EQ(f32_gt(1.0f, nan), 0u);
  EXPECT_EQ(f32_le(-0.0f, 0.0f), 1u);
  EXPECT_EQ(f32_ge(nan, nan), 0u);
  EXPECT_EQ(f32_lt(-INFINITY, INFINITY), 1u);
  const double dnan = f64(kF64SNan);
  EXPECT_EQ(f64_eq(dnan, dnan), 0u);
  EXPECT_EQ(f64_ne(dnan, 0.0), 1u);
  EXPECT_EQ(f64_lt(-0.0, 0.0), 0u);
  EXPECT_EQ(f64_gt(2.0, 1.0), 1u);
  EXPECT_EQ(f64_le(dnan, 1.0), 0u);
  EXPECT_EQ(f64_ge(1.0, 1.0), 1u);
}

// --- rounding ----------------------------------------------------------------

TEST(NumericsFloat, NearestTiesToEven) {
  EXPECT_F32_SAME(f32_nearest(0.5f), 0.0f);
  EXPECT_F32_SAME(f32_nearest(1.5f), 2.0f);
  EXPECT_F32_SAME(f32_nearest(2.5f), 2.0f);
  EXPECT_F32_SAME(f32_nearest(3.5f), 4.0f);
  EXPECT_F32_SAME(f32_nearest(-0.5f), -0.0f);
  EXPECT_F32_SAME(f32_nearest(-1.5f), -2.0f);
  EXPECT_F32_SAME(f32_nearest(-2.5f), -2.0f);
  EXPECT_F32_SAME(f32_nearest(-0.4f), -0.0f);
  EXPECT_F32_SAME(f32_nearest(0.49999997f), 0.0f);
  EXPECT_F32_SAME(f32_nearest(-0.0f), -0.0f);
  EXPECT_F32_SAME(f32_nearest(0x1p-149f), 0.0f);
  EXPECT_F32_SAME(f32_nearest(4.5f), 4.0f);
  EXPECT_F32_SAME(f32_nearest(8388607.5f), 8388608.0f);  // 0x1.fffffep+22
  EXPECT_F32_SAME(f32_nearest(-8388607.5f), -8388608.0f);
  EXPECT_F32_SAME(f32_nearest(8388609.0f), 8388609.0f);  // already integral
  EXPECT_F32_SAME(f32_nearest(0x1.fffffep+127f), 0x1.fffffep+127f);
  EXPECT_F32_SAME(f32_nearest(-INFINITY), -INFINITY);
  EXPECT_TRUE(f32_is_arithmetic_nan(f32_nearest(f32(kF32SNan))));
  EXPECT_TRUE(f32_is_canonical_nan(f32_nearest(f32(kF32CanonicalNan))));

  EXPECT_F64_SAME(f64_nearest(0.5), 0.0);
  EXPECT_F64_SAME(f64_nearest(2.5), 2.0);
  EXPECT_F64_SAME(f64_nearest(-2.5), -2.0);
  EXPECT_F64_SAME(f64_nearest(-0.5), -0.0);
  EXPECT_F64_SAME(f64_nearest(4503599627370495.5), 4503599627370496.0);  // 0x1.fffffffffffffp+51
  EXPECT_F64_SAME(f64_nearest(-4503599627370495.5), -4503599627370496.0);
  EXPECT_F64_SAME(f64_nearest(4503599627370497.0), 4503599627370497.0);
  EXPECT_F64_SAME(f64_nearest(0x1p-1074), 0.0);
  EXPECT_TRUE(f64_is_arithmetic_nan(f64_nearest(f64(kF64SNan))));
}

TEST(NumericsFloat, CeilFloorTrunc) {
  EXPECT_F32_SAME(f32_ceil(-0.5f), -0.0f);
  EXPECT_F32_SAME(f32_ceil(0.5f), 1.0f);
  EXPECT_F32_SAME(f32_ceil(-0.0f), -0.0f);
  EXPECT_F32_SAME(f32_ceil(-1.5f), -1.0f);
  EXPECT_F32_SAME(f32_ceil(0x1p-149f), 1.0f);
  EXPECT_F32_SAME(f32_ceil(8388607.5f), 8388608.0f);
  EXPECT_F32_SAME(f32_ceil(-8388607.5f), -8388607.0f);
  EXPECT_F32_SAME(f32_floor(-0.5f), -1.0f);
  EXPECT_F32_SAME(f32_floor(0.5f), 0.0f);
  EXPECT_F32_SAME(f32_floor(-0.0f), -0.0f);
  EXPECT_F32_SAME(f32_floor(-0x1p-149f), -1.0f);
  EXPECT_F32_SAME(f32_floor(8388607.5f), 8388607.0f);
  EXPECT_F32_SAME(f32_trunc(-0.9f), -0.0f);
  EXPECT_F32_SAME(f32_trunc(0.9f), 0.0f);
  EXPECT_F32_SAME(f32_trunc(-8388607.5f), -8388607.0f);
  EXPECT_F32_SAME(f32_trunc(0x1p30f), 0x1p30f);
  EXPECT_F32_SAME(f32_floor(INFINITY), INFINITY);
  EXPECT_F64_SAME(f64_ceil(-0.5), -0.0);
  EXPECT_F64_SAME(f64_floor(-0.5), -1.0);
  EXPECT_F64_SAME(f64_trunc(-0.5), -0.0);
  EXPECT_F64_SAME(f64_ceil(4503599627370495.5), 4503599627370496.0);
  EXPECT_F64_SAME(f64_floor(-4503599627370495.5), -4503599627370496.0);
  EXPECT_F64_SAME(f64_trunc(0x1p60), 0x1p60);
  EXPECT_F64_SAME(f64_ceil(-INFINITY), -INFINITY);
  for (uint32_t nan : {kF32SNan, kF32NegPayloadNan, kF32QuietPayload}) {
    EXPECT_TRUE(f32_is_arithmetic_nan(f32_ceil(f32(nan))));
    EXPECT_TRUE(f32_is_arithmetic_nan(f32_floor(f32(nan))));
    EXPECT_TRUE(f32_is_arithmetic_nan(f32_trunc(f32(nan))));
  }
  EXPECT_TRUE(f32_is_canonical_nan(f32_ceil(f32(kF32CanonicalNan))));
  EXPECT_TRUE(f64_is_arithmetic_nan(f64_ceil(f64(kF64SNan))));
  EXPECT_TRUE(f64_is_arithmetic_nan(f64_floor(f64(kF64SNan))));
  EXPECT_TRUE(f64_is_arithmetic_nan(f64_trunc(f64(kF64SNan))));
  EXPECT_TRUE(f64_is_canonical_nan(f64_trunc(f64(kF64CanonicalNan))));
}

// Both the builtin path (when compiled with SSE4.1/AArch64) and the portable
// path agree with libm, bit for bit (including the sign of zero), on random
// bit patterns and on values near the integral/fractional boundary.
template <typename F, typename Bits, typename Fn, typename Ref>
void check_rounding(Fn fn, Ref ref, const char* name) {
  std::mt19937_64 rng(42);
  auto check = [&](Bits bits) {
    F x = std::bit_cast<F>(bits);
    F got = fn(x);
    if (x != x) {
      ASSERT_EQ(std::bit_cast<Bits>(got),
                std::bit_cast<Bits>(x) | std::bit_cast<Bits>(std::numeric_limits<F>::quiet_NaN()))
          << name << " NaN input " << std::hex << bits;
      return;
    }
    F want = ref(x);
    ASSERT_EQ(std::bit_cast<Bits>(got), std::bit_cast<Bits>(want)) << name << " input " << std::hex << bits;
  };
  for (int i = 0; i < 200000; ++i) check(Bits(rng()));
  // Small magnitudes where the fraction matters, with random mantissas.
  constexpr int kMantissa = std::numeric_limits<F>::digits - 1;
  for (int i = 0; i < 200000; ++i) {
    F x = std::ldexp(F(rng() % (Bits(1) << kMantissa)) / F(Bits(1) << kMantissa) + F(1),
                     int(rng() % (kMantissa + 3)) - 2);
    if (rng() & 1) x = -x;
    check(std::bit_cast<Bits>(x));
  }
  // Exact halves.
  for (int k = -1000; k <= 1000; ++k) check(std::bit_cast<Bits>(F(k) + F(0.5)));
}

TEST(NumericsFloat, RoundingMatchesLibm) {
  check_rounding<float, uint32_t>([](float x) { return f32_ceil(x); }, [](float x) { return std::ceil(x); },
                                  "f32.ceil");
  check_rounding<float, uint32_t>([](float x) { return f32_floor(x); }, [](float x) { return std::floor(x); },
                                  "f32.floor");
  check_rounding<float, uint32_t>([](float x) { return f32_trunc(x); }, [](float x) { return std::trunc(x); },
                                  "f32.trunc");
  check_rounding<float, uint32_t>([](float x) { return f32_nearest(x); },
                                  [](float x) { return std::nearbyint(x); }, "f32.nearest");
  check_rounding<double, uint64_t>([](double x) { return f64_ceil(x); },
                                   [](double x) { return std::ceil(x); }, "f64.ceil");
  check_rounding<double, uint64_t>([](double x) { return f64_floor(x); },
                                   [](double x) { return std::floor(x); }, "f64.floor");
  check_rounding<double, uint64_t>([](double x) { return f64_trunc(x); },
                                   [](double x) { return std::trunc(x); }, "f64.trunc");
  check_rounding<double, uint64_t>([](double x) { return f64_nearest(x); },
                                   [](double x) { return std::nearbyint(x); }, "f64.nearest");
}

TEST(NumericsFloat, PortableRoundingMatchesLibm) {
  check_rounding<float, uint32_t>([](float x) { return detail::ceil_portable<float, int32_t>(x, 0x1p23f); },
                                  [](float x) { return std::ceil(x); }, "portable f32.ceil");
  check_rounding<float, uint32_t>([](float x) { return detail::floor_portable<float, int32_t>(x, 0x1p23f); },
                                  [](float x) { return std::floor(x); }, "portable f32.floor");
  check_rounding<float, uint32_t>([](float x) { return detail::trunc_portable<float, int32_t>(x, 0x1p23f); },
                                  [](float x) { return std::trunc(x); }, "portable f32.trunc");
  check_rounding<float, uint32_t>([](float x) { return detail::nearest_portable<float>(x, 0x1p23f); },
                                  [](float x) { return std::nearbyint(x); }, "portable f32.nearest");
  check_rounding<double, uint64_t>([](double x) { return detail::ceil_portable<double, int64_t>(x, 0x1p52); },
                                   [](double x) { return std::ceil(x); }, "portable f64.ceil");
  check_rounding<double, uint64_t>(
      [](double x) { return detail::floor_portable<double, int64_t>(x, 0x1p52); },
      [](double x) { return std::floor(x); }, "portable f64.floor");
  check_rounding<double, uint64_t>(
      [](double x) { return detail::trunc_portable<double, int64_t>(x, 0x1p52); },
      [](double x) { return std::trunc(x); }, "portable f64.trunc");
  check_rounding<double, uint64_t>([](double x) { return detail::nearest_portable<double>(x, 0x1p52); },
                                   [](double x) { return std::nearbyint(x); }, "portable f64.nearest");
}

// ===========================================================================
// Conversions
// ===========================================================================

struct TruncCase {
  double input;  // exactly representable in the source type
  bool ok;
  uint64_t value;
};

template <typename F, typename R>
void check_trunc(R (*fn)(F, TrapCode&), std::initializer_list<TruncCase> cases, const char* name) {
  for (const TruncCase& c : cases) {
    F x = static_cast<F>(c.input);
    ASSERT_EQ(static_cast<double>(x), c.input) << name << ": test input not exact";
    TrapCode trap = TrapCode::None;
    R r = fn(x, trap);
    if (c.ok) {
      EXPECT_EQ(trap, TrapCode::None) << name << "(" << c.input << ")";
      EXPECT_EQ(uint64_t(r), c.value) << name << "(" << c.input << ")";
    } else {
      EXPECT_EQ(trap, TrapCode::IntegerOverflow) << name << "(" << c.input << ")";
    }
  }
  F nans[] = {std::numeric_limits<F>::quiet_NaN(), -std::numeric_limits<F>::quiet_NaN(),
              std::numeric_limits<F>::signaling_NaN()};
  for (F nan : nans) {
    TrapCode trap = TrapCode::None;
    (void)fn(nan, trap);
    EXPECT_EQ(trap, TrapCode::InvalidConversionToInteger) << name << "(nan)";
  }
  for (F inf : {std::numeric_limits<F>::infinity(), -std::numeric_limits<F>::infinity()}) {
    TrapCode trap = TrapCode::None;
    (void)fn(inf, trap);
    EXPECT_EQ(trap, TrapCode::IntegerOverflow) << name << "(inf)";
  }
}

TEST(NumericsConvert, TruncBoundaries) {
  check_trunc<float, uint32_t>(i32_trunc_f32_s,
                               {{-2147483648.0, true, 0x8000'0000u},
                                {-2147483904.0, false, 0},  // next f32 below -2^31
                                {2147483520.0, true, 2147483520u},
                                {2147483648.0, false, 0},
                                {-0.0, true, 0},
                                {-0.75, true, 0},
                                {-1.5, true, 0xFFFF'FFFFu},
                                {0x1p-149, true, 0}},
                               "i32.trunc_f32_s");
  check_trunc<float, uint32_t>(i32_trunc_f32_u,
                               {{4294967040.0, true, 4294967040u},
                                {4294967296.0, false, 0},
                                {2147483648.0, true, 0x8000'0000u},
                                {-0.99999994039535522, true, 0},  // -0x1.fffffep-1
                                {-1.0, false, 0},
                                {-0.0, true, 0}},
                               "i32.trunc_f32_u");
  check_trunc<double, uint32_t>(i32_trunc_f64_s,
                                {{-0x1.00000001fffffp+31, true, 0x8000'0000u},  // -2147483648.9999995
                                 {-2147483649.0, false, 0},
                                 {2147483647.9999998, true, 0x7FFF'FFFFu},
                                 {2147483648.0, false, 0},
                                 {-2147483648.0, true, 0x8000'0000u},
                                 {-0.9, true, 0}},
                                "i32.trunc_f64_s");
  check_trunc<double, uint32_t>(i32_trunc_f64_u,
                                {{4294967295.9, true, 0xFFFF'FFFFu},
                                 {4294967296.0, false, 0},
                                 {-0.99999999999999989, true, 0},  // -0x1.fffffffffffffp-1
                                 {-1.0, false, 0},
                                 {1e16, false, 0},
                                 {2147483648.0, true, 0x8000'0000u}},
                                "i32.trunc_f64_u");
  check_trunc<float, uint64_t>(i64_trunc_f32_s,
                               {{-0x1p63, true, 0x8000'0000'0000'0000ull},
                                {-0x1.000002p63, false, 0},
                                {0x1.fffffep62, true, 9223371487098961920ull},
                                {0x1p63, false, 0},
                                {-4294967296.0, true, 0xFFFF'FFFF'0000'0000ull}},
                               "i64.trunc_f32_s");
  check_trunc<float, uint64_t>(i64_trunc_f32_u,
                               {{0x1.fffffep63, true, 18446742974197923840ull},
                                {0x1p64, false, 0},
                                {-0.99999994039535522, true, 0},
                                {-1.0, false, 0},
                                {0x1p63, true, 0x8000'0000'0000'0000ull}},
                               "i64.trunc_f32_u");
  check_trunc<double, uint64_t>(i64_trunc_f64_s,
                                {{-0x1p63, true, 0x8000'0000'0000'0000ull},
                                 {-0x1.0000000000001p63, false, 0},
                                 {0x1.fffffffffffffp62, true, 9223372036854774784ull},
                                 {0x1p63, false, 0},
                                 {-1.9, true, ~0ull}},
                                "i64.trunc_f64_s");
  check_trunc<double, uint64_t>(i64_trunc_f64_u,
                                {{0x1.fffffffffffffp63, true, 18446744073709549568ull},
                                 {0x1p64, false, 0},
                                 {-0.99999999999999989, true, 0},
                                 {-1.0, false, 0},
                                 {0x1p63, true, 0x8000'0000'0000'0000ull}},
                                "i64.trunc_f64_u");
}

// Differential check of the trapping conversions against a reference that
// truncates exactly and compares in long double (64-bit mantissa on x86-64,
// so every i64/u64 bound is exact).
template <typename F, typename Bits, typename R>
void check_trunc_random(R (*fn)(F, TrapCode&), long double lo, long double hi, const char* name) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 300000; ++i) {
    Bits bits = Bits(rng());
    // Half the inputs are pushed near the interesting exponents (2^31..2^64).
    if (i & 1) {
      constexpr int kMantissa = std::numeric_limits<F>::digits - 1;
      constexpr int kBias = std::numeric_limits<F>::max_exponent - 1;
      Bits exp = Bits(kBias + 28 + int(rng() % 40));
      bits = Bits((bits & ((Bits(1) << kMantissa) - 1)) | (exp << kMantissa) |
                  (rng() & 1 ? Bits(1) << (sizeof(Bits) * 8 - 1) : 0));
    }
    F x = std::bit_cast<F>(bits);
    TrapCode trap = TrapCode::None;
    R r = fn(x, trap);
    if (x != x) {
      ASSERT_EQ(trap, TrapCode::InvalidConversionToInteger) << name;
      continue;
    }
    long double t = std::trunc(static_cast<long double>(x));
    if (t < lo || t > hi) {
      ASSERT_EQ(trap, TrapCode::IntegerOverflow) << name << " " << double(x);
    } else {
      ASSERT_EQ(trap, TrapCode::None) << name << " " << double(x);
      if (lo < 0)
        ASSERT_EQ(static_cast<long double>(std::make_signed_t<R>(r)), t) << name << " " << double(x);
      else
        ASSERT_EQ(static_cast<long double>(r), t) << name << " " << double(x);
    }
  }
}

TEST(NumericsConvert, TruncMatchesExactReference) {
  static_assert(std::numeric_limits<long double>::digits >= 64,
                "reference needs 64-bit mantissa long double");
  constexpr long double kI32Lo = -2147483648.0L, kI32Hi = 2147483647.0L, kU32Hi = 4294967295.0L;
  constexpr long double kI64Lo = -9223372036854775808.0L, kI64Hi = 9223372036854775807.0L;
  constexpr long double kU64Hi = 18446744073709551615.0L;
  check_trunc_random<float, uint32_t>(i32_trunc_f32_s, kI32Lo, kI32Hi, "i32.trunc_f32_s");
  check_trunc_random<float, uint32_t>(i32_trunc_f32_u, 0, kU32Hi, "i32.trunc_f32_u");
  check_trunc_random<double, uint64_t>(i32_trunc_f64_s, kI32Lo, kI32Hi, "i32.trunc_f64_s");
  check_trunc_random<double, uint64_t>(i32_trunc_f64_u, 0, kU32Hi, "i32.trunc_f64_u");
  check_trunc_random<float, uint32_t>(i64_trunc_f32_s, kI64Lo, kI64Hi, "i64.trunc_f32_s");
  check_trunc_random<float, uint32_t>(i64_trunc_f32_u, 0, kU64Hi, "i64.trunc_f32_u");
  check_trunc_random<double, uint64_t>(i64_trunc_f64_s, kI64Lo, kI64Hi, "i64.trunc_f64_s");
  check_trunc_random<double, uint64_t>(i64_trunc_f64_u, 0, kU64Hi, "i64.trunc_f64_u");
}

TEST(NumericsConvert, TruncSat) {
  const float fnan = std::numeric_limits<float>::quiet_NaN();
  const double dnan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(i32_trunc_sat_f32_s(fnan), 0u);
  EXPECT_EQ(i32_trunc_sat_f32_s(-fnan), 0u);
  EXPECT_EQ(i32_trunc_sat_f32_s(2147483648.0f), 0x7FFF'FFFFu);
  EXPECT_EQ(i32_trunc_sat_f32_s(-2147483904.0f), 0x8000'0000u);
  EXPECT_EQ(i32_trunc_sat_f32_s(-2147483648.0f), 0x8000'0000u);
  EXPECT_EQ(i32_trunc_sat_f32_s(2147483520.0f), 2147483520u);
  EXPECT_EQ(i32_trunc_sat_f32_s(INFINITY), 0x7FFF'FFFFu);
  EXPECT_EQ(i32_trunc_sat_f32_s(-INFINITY), 0x8000'0000u);
  EXPECT_EQ(i32_trunc_sat_f32_s(-1.9f), 0xFFFF'FFFFu);
  EXPECT_EQ(i32_trunc_sat_f32_u(fnan), 0u);
  EXPECT_EQ(i32_trunc_sat_f32_u(-1.0f), 0u);
  EXPECT_EQ(i32_trunc_sat_f32_u(-0.99999994f), 0u);
  EXPECT_EQ(i32_trunc_sat_f32_u(-INFINITY), 0u);
  EXPECT_EQ(i32_trunc_sat_f32_u(4294967296.0f), 0xFFFF'FFFFu);
  EXPECT_EQ(i32_trunc_sat_f32_u(4294967040.0f), 4294967040u);
  EXPECT_EQ(i32_trunc_sat_f64_s(dnan), 0u);
  EXPECT_EQ(i32_trunc_sat_f64_s(-2147483649.0), 0x8000'0000u);
  EXPECT_EQ(i32_trunc_sat_f64_s(-2147483648.9), 0x8000'0000u);
  EXPECT_EQ(i32_trunc_sat_f64_s(2147483648.0), 0x7FFF'FFFFu);
  EXPECT_EQ(i32_trunc_sat_f64_s(2147483647.9), 0x7FFF'FFFFu);
  EXPECT_EQ(i32_trunc_sat_f64_u(dnan), 0u);
  EXPECT_EQ(i32_trunc_sat_f64_u(-1.0), 0u);
  EXPECT_EQ(i32_trunc_sat_f64_u(4294967295.9), 0xFFFF'FFFFu);
  EXPECT_EQ(i32_trunc_sat_f64_u(1e30), 0xFFFF'FFFFu);
  EXPECT_EQ(i64_trunc_sat_f32_s(fnan), 0u);
  EXPECT_EQ(i64_trunc_sat_f32_s(0x1p63f), 0x7FFF'FFFF'FFFF'FFFFull);
  EXPECT_EQ(i64_trunc_sat_f32_s(-0x1p63f), kI64Min);
  EXPECT_EQ(i64_trunc_sat_f32_s(-0x1.000002p63f), kI64Min);
  EXPECT_EQ(i64_trunc_sat_f32_u(fnan), 0u);
  EXPECT_EQ(i64_trunc_sat_f32_u(0x1p64f), ~0ull);
  EXPECT_EQ(i64_trunc_sat_f32_u(0x1.fffffep63f), 18446742974197923840ull);
  EXPECT_EQ(i64_trunc_sat_f32_u(-5.0f), 0u);
  EXPECT_EQ(i64_trunc_sat_f64_s(dnan), 0u);
  EXPECT_EQ(i64_trunc_sat_f64_s(0x1p63), 0x7FFF'FFFF'FFFF'FFFFull);
  EXPECT_EQ(i64_trunc_sat_f64_s(-0x1p63), kI64Min);
  EXPECT_EQ(i64_trunc_sat_f64_s(-INFINITY), kI64Min);
  EXPECT_EQ(i64_trunc_sat_f64_s(0x1.fffffffffffffp62), 9223372036854774784ull);
  EXPECT_EQ(i64_trunc_sat_f64_u(dnan), 0u);
  EXPECT_EQ(i64_trunc_sat_f64_u(0x1p64), ~0ull);
  EXPECT_EQ(i64_trunc_sat_f64_u(INFINITY), ~0ull);
  EXPECT_EQ(i64_trunc_sat_f64_u(-INFINITY), 0u);
  EXPECT_EQ(i64_trunc_sat_f64_u(0x1.fffffffffffffp63), 18446744073709549568ull);
}

TEST(NumericsConvert, IntToFloatRoundsToNearestEven) {
  EXPECT_F32_SAME(f32_convert_i32_s(kI32Min), -2147483648.0f);
  EXPECT_F32_SAME(f32_convert_i32_s(0x7FFF'FFFFu), 2147483648.0f);
  EXPECT_F32_SAME(f32_convert_i32_s(16777217), 16777216.0f);
  EXPECT_F32_SAME(f32_convert_i32_s(uint32_t(-16777219)), -16777220.0f);
  EXPECT_F32_SAME(f32_convert_i32_u(0xFFFF'FFFFu), 4294967296.0f);
  EXPECT_F32_SAME(f32_convert_i32_u(kI32Min), 2147483648.0f);
  EXPECT_F32_SAME(f32_convert_i32_u(0xFFFF'FF80u), 4294967296.0f);  // tie rounds to even
  EXPECT_F32_SAME(f32_convert_i32_u(0xFFFF'FF7Fu), 4294967040.0f);
  EXPECT_F32_SAME(f32_convert_i64_s(0x7FFF'FF40'0000'0001ull), 0x1.fffffep+62f);  // conversions.wast
  EXPECT_F32_SAME(f32_convert_i64_s(0x8000'0040'0000'0001ull), -0x1.fffffep+62f);
  EXPECT_F32_SAME(f32_convert_i64_s(0x0020'0000'2000'0001ull), 0x1.000002p+53f);
  EXPECT_F32_SAME(f32_convert_i64_s(0xFFDF'FFFF'DFFF'FFFFull), -0x1.000002p+53f);
  EXPECT_F32_SAME(f32_convert_i64_s(kI64Min), -0x1p63f);
  EXPECT_F32_SAME(f32_convert_i64_u(~0ull), 0x1p64f);
  EXPECT_F32_SAME(f32_convert_i64_u(0x7FFF'FFBF'FFFF'FFFFull), 0x1.fffffep+62f);
  EXPECT_F32_SAME(f32_convert_i64_u(0x8000'0080'0000'0001ull), 0x1.000002p+63f);
  EXPECT_F32_SAME(f32_convert_i64_u(0xFFFF'FE80'0000'0001ull), 0x1.fffffep+63f);
  EXPECT_F32_SAME(f32_convert_i64_u(0x0020'0000'2000'0001ull), 0x1.000002p+53f);
  EXPECT_F64_SAME(f64_convert_i32_s(kI32Min), -2147483648.0);
  EXPECT_F64_SAME(f64_convert_i32_u(0xFFFF'FFFFu), 4294967295.0);
  EXPECT_F64_SAME(f64_convert_i64_s(9007199254740993ull), 9007199254740992.0);
  EXPECT_F64_SAME(f64_convert_i64_s(uint64_t(-9007199254740995ll)), -9007199254740996.0);
  EXPECT_F64_SAME(f64_convert_i64_s(kI64Min), -0x1p63);
  EXPECT_F64_SAME(f64_convert_i64_u(~0ull), 0x1p64);
  EXPECT_F64_SAME(f64_convert_i64_u(kI64Min), 0x1p63);
  EXPECT_F64_SAME(f64_convert_i64_u(0x8000'0000'0000'0401ull), 0x1.0000000000001p+63);
  EXPECT_F64_SAME(f64_convert_i64_u(0xFFFF'FFFF'FFFF'FBFFull), 0x1.fffffffffffffp+63);  // below the tie
  EXPECT_F64_SAME(f64_convert_i64_u(0x0020'0000'0000'0001ull), 9007199254740992.0);
  EXPECT_F64_SAME(f64_convert_i64_u(0x0020'0000'0000'0003ull), 9007199254740996.0);
}

TEST(NumericsConvert, DemotePromote) {
  EXPECT_F32_SAME(f32_demote_f64(-0.0), -0.0f);
  EXPECT_F32_SAME(f32_demote_f64(0x0.0000000000001p-1022), 0.0f);
  EXPECT_F32_SAME(f32_demote_f64(0x1.fffffe0000000p-127), 0x1p-126f);
  EXPECT_F32_SAME(f32_demote_f64(0x1.fffffdfffffffp-127), 0x1.fffffcp-127f);
  EXPECT_F32_SAME(f32_demote_f64(0x1.fffffd0000000p+127), 0x1.fffffcp+127f);
  EXPECT_F32_SAME(f32_demote_f64(0x1.fffffd0000001p+127), 0x1.fffffep+127f);
  EXPECT_F32_SAME(f32_demote_f64(0x1.fffffefffffffp+127), 0x1.fffffep+127f);
  EXPECT_F32_SAME(f32_demote_f64(0x1.ffffffp+127), INFINITY);
  EXPECT_F32_SAME(f32_demote_f64(-0x1.ffffffp+127), -INFINITY);
  EXPECT_F32_SAME(f32_demote_f64(0x1p-150), 0.0f);  // tie to even: 0
  EXPECT_F32_SAME(f32_demote_f64(0x1.0000000000001p-150), 0x1p-149f);
  EXPECT_TRUE(f32_is_canonical_nan(f32_demote_f64(f64(kF64CanonicalNan))));
  EXPECT_TRUE(f32_is_canonical_nan(f32_demote_f64(f64(0xFFF8'0000'0000'0000ull))));
  EXPECT_TRUE(f32_is_arithmetic_nan(f32_demote_f64(f64(kF64SNan))));
  EXPECT_TRUE(f32_is_arithmetic_nan(f32_demote_f64(f64(0x7FF0'0000'0000'0001ull))));  // low payload only
  EXPECT_TRUE(f32_is_nan(f32_demote_f64(f64(0x7FF0'0000'0000'0001ull))));

  EXPECT_F64_SAME(f64_promote_f32(-0.0f), -0.0);
  EXPECT_F64_SAME(f64_promote_f32(0x1p-149f), 0x1p-149);
  EXPECT_F64_SAME(f64_promote_f32(0x1.fffffep+127f), 0x1.fffffep+127);
  EXPECT_F64_SAME(f64_promote_f32(-INFINITY), -INFINITY);
  EXPECT_TRUE(f64_is_canonical_nan(f64_promote_f32(f32(kF32CanonicalNan))));
  EXPECT_TRUE(f64_is_canonical_nan(f64_promote_f32(f32(0xFFC0'0000u))));
  EXPECT_TRUE(f64_is_arithmetic_nan(f64_promote_f32(f32(kF32SNan))));
  EXPECT_TRUE(f64_is_arithmetic_nan(f64_promote_f32(f32(kF32NegPayloadNan))));
  EXPECT_TRUE(f64_is_nan(f64_promote_f32(f32(0x7F80'0001u))));
}

// ===========================================================================
// Op mapping
// ===========================================================================

TEST(NumericsOpImpl, DispatchesToNamedFunctions) {
  TrapCode trap = TrapCode::None;
  EXPECT_EQ(OpImpl<Op::I32Add>::call(2u, 3u), 5u);
  EXPECT_EQ(OpImpl<Op::I32DivS>::call(kI32Min, 0xFFFF'FFFFu, trap), 0u);
  EXPECT_EQ(trap, TrapCode::IntegerOverflow);
  EXPECT_F32_SAME(OpImpl<Op::F32Nearest>::call(2.5f), 2.0f);
  EXPECT_EQ(OpImpl<Op::I64Popcnt>::call(~0ull), 64u);
  EXPECT_EQ(OpImpl<Op::I32TruncSatF64U>::call(-3.0), 0u);
  static_assert(OpImpl<Op::I32Add>::kBound && !OpImpl<Op::Call>::kBound && !OpImpl<Op::I32Load>::kBound);
}

}  // namespace
}  // namespace wasmrt::num
