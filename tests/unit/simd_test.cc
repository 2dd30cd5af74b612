// 128-bit SIMD semantics (runtime/interp/simd.h) against the spec's lane
// definitions and values from the simd_*.wast tests.
#include "runtime/interp/simd.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "runtime/interp/op_impl.h"

namespace wasmrt::simd {
namespace {

using num::f32_bits;
using num::f64_bits;

// Inputs pass through a volatile so the compiler cannot constant-fold float
// arithmetic on a literal NaN (it would skip the quieting the hardware does);
// interpreter operands are always run-time values.
template <typename T>
T opaque(T x) {
  volatile T v = x;
  return v;
}
float f32_from_bits(uint32_t bits) {
  return num::f32_from_bits(opaque(bits));
}
double f64_from_bits(uint64_t bits) {
  return num::f64_from_bits(opaque(bits));
}

template <typename T>
V128 splat_of(T x) {
  Lanes<T> l;
  for (auto& v : l.v) v = x;
  return pack(l);
}

// Compares all lanes of `got` with `want` as type T, reporting the lane.
template <typename T>
::testing::AssertionResult lanes_eq(const V128& got, const V128& want) {
  Lanes<T> g = unpack<T>(got), w = unpack<T>(want);
  for (size_t i = 0; i < Lanes<T>::kCount; ++i) {
    bool both_nan = g.v[i] != g.v[i] && w.v[i] != w.v[i];  // float lanes: any NaN matches a NaN
    if (g.v[i] != w.v[i] && !both_nan)
      return ::testing::AssertionFailure() << "lane " << i << ": got " << +g.v[i] << ", want " << +w.v[i];
  }
  return ::testing::AssertionSuccess();
}
#define EXPECT_LANES(T, got, ...) EXPECT_TRUE(lanes_eq<T>((got), make<T>(__VA_ARGS__)))
#define EXPECT_V128(got, want) EXPECT_TRUE(lanes_eq<uint8_t>((got), (want)))

bool f32_lane_is_arithmetic_nan(const V128& v, uint32_t lane) {
  return (f32_bits(get_lane<float>(v, lane)) & 0x7FC0'0000u) == 0x7FC0'0000u;
}
bool f32_lane_is_canonical_nan(const V128& v, uint32_t lane) {
  return (f32_bits(get_lane<float>(v, lane)) & 0x7FFF'FFFFu) == 0x7FC0'0000u;
}
bool f64_lane_is_arithmetic_nan(const V128& v, uint32_t lane) {
  return (f64_bits(get_lane<double>(v, lane)) & 0x7FF8'0000'0000'0000ull) == 0x7FF8'0000'0000'0000ull;
}

// ---------------------------------------------------------------------------
// Layout, splat, lanes
// ---------------------------------------------------------------------------

TEST(Simd, LayoutIsLittleEndianLanes) {
  static_assert(sizeof(V128) == 16 && alignof(V128) == 16);
  V128 v = make<uint32_t>(0x03020100u, 0x07060504u, 0x0B0A0908u, 0x0F0E0D0Cu);
  for (uint8_t i = 0; i < 16; ++i) EXPECT_EQ(v.bytes[i], i);
  EXPECT_EQ(i16x8_extract_lane_u(v, 1), 0x0302u);
  EXPECT_EQ(i64x2_extract_lane(v, 1), 0x0F0E0D0C0B0A0908ull);
}

TEST(Simd, SplatExtractReplace) {
  EXPECT_LANES(uint8_t, i8x16_splat(0x1FF), 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
               0xFF, 0xFF, 0xFF, 0xFF, 0xFF);
  EXPECT_LANES(uint16_t, i16x8_splat(0x12345), 0x2345, 0x2345, 0x2345, 0x2345, 0x2345, 0x2345, 0x2345,
               0x2345);
  EXPECT_LANES(uint32_t, i32x4_splat(7), 7, 7, 7, 7);
  EXPECT_LANES(uint64_t, i64x2_splat(~0ull), ~0ull, ~0ull);
  EXPECT_LANES(uint32_t, f32x4_splat(f32_from_bits(0x7FA0'0000u)), 0x7FA0'0000u, 0x7FA0'0000u, 0x7FA0'0000u,
               0x7FA0'0000u);  // NaN bits survive
  EXPECT_LANES(uint64_t, f64x2_splat(-0.0), 0x8000'0000'0000'0000ull, 0x8000'0000'0000'0000ull);

  V128 v = make<int8_t>(-1, 2, -128, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -7);
  EXPECT_EQ(i8x16_extract_lane_s(v, 0), 0xFFFF'FFFFu);
  EXPECT_EQ(i8x16_extract_lane_u(v, 0), 0xFFu);
  EXPECT_EQ(i8x16_extract_lane_s(v, 2), 0xFFFF'FF80u);
  EXPECT_EQ(i8x16_extract_lane_u(v, 2), 0x80u);
  EXPECT_EQ(i8x16_extract_lane_s(v, 3), 127u);
  EXPECT_EQ(i8x16_extract_lane_s(v, 15), uint32_t(-7));
  V128 h = make<int16_t>(-32768, 1, 2, 3, 4, 5, 6, -1);
  EXPECT_EQ(i16x8_extract_lane_s(h, 0), 0xFFFF'8000u);
  EXPECT_EQ(i16x8_extract_lane_u(h, 0), 0x8000u);
  EXPECT_EQ(i16x8_extract_lane_u(h, 7), 0xFFFFu);

  EXPECT_LANES(uint8_t, i8x16_replace_lane(V128{}, 0x1AB, 15), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
               0xAB);
  EXPECT_LANES(uint16_t, i16x8_replace_lane(V128{}, 0xFFFF'1234u, 3), 0, 0, 0, 0x1234, 0, 0, 0, 0);
  EXPECT_LANES(uint32_t, i32x4_replace_lane(V128{}, 9, 2), 0, 0, 9, 0);
  EXPECT_LANES(uint64_t, i64x2_replace_lane(V128{}, 0x1'0000'0000ull, 1), 0, 0x1'0000'0000ull);
  V128 f = f32x4_replace_lane(V128{}, f32_from_bits(0xFFA0'0001u), 1);
  EXPECT_EQ(f32_bits(f32x4_extract_lane(f, 1)), 0xFFA0'0001u);
  V128 d = f64x2_replace_lane(V128{}, f64_from_bits(0x7FF4'0000'0000'0001ull), 0);
  EXPECT_EQ(f64_bits(f64x2_extract_lane(d, 0)), 0x7FF4'0000'0000'0001ull);
  // Lane indices are masked (validation rejects them; this only must not overflow).
  EXPECT_EQ(i32x4_extract_lane(make<uint32_t>(1, 2, 3, 4), 5), 2u);
}

TEST(Simd, ShuffleAndSwizzle) {
  V128 a = make<uint8_t>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  V128 b = make<uint8_t>(16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
  const uint8_t reverse[16] = {31, 30, 29, 28, 27, 26, 25, 24, 7, 6, 5, 4, 3, 2, 1, 0};
  EXPECT_LANES(uint8_t, i8x16_shuffle(a, b, reverse), 31, 30, 29, 28, 27, 26, 25, 24, 7, 6, 5, 4, 3, 2, 1, 0);
  const uint8_t dup[16] = {0, 0, 0, 0, 16, 16, 16, 16, 15, 15, 31, 31, 1, 17, 2, 18};
  EXPECT_LANES(uint8_t, i8x16_shuffle(a, b, dup), 0, 0, 0, 0, 16, 16, 16, 16, 15, 15, 31, 31, 1, 17, 2, 18);
  EXPECT_LANES(uint8_t,
               i8x16_shuffle(a, b, make<uint8_t>(32, 33, 63, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), 0, 1,
               31, 31, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);  // masked, never out of bounds

  V128 table = make<uint8_t>(0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70,
                             0x71, 0x72, 0x73);
  V128 idx = make<uint8_t>(15, 14, 13, 12, 16, 17, 0x7F, 0x80, 0xFF, 255, 3, 2, 1, 0, 32, 100);
  EXPECT_LANES(uint8_t, i8x16_swizzle(table, idx), 0x73, 0x72, 0x71, 0x70, 0, 0, 0, 0, 0, 0, 0x67, 0x66, 0x65,
               0x64, 0, 0);
}

// ---------------------------------------------------------------------------
// Bitwise and boolean reductions
// ---------------------------------------------------------------------------

TEST(Simd, Bitwise) {
  V128 a = make<uint64_t>(0xFF00'FF00'F0F0'F0F0ull, 0x0123'4567'89AB'CDEFull);
  V128 b = make<uint64_t>(0x0F0F'0F0F'0F0F'0F0Full, 0xFFFF'0000'FFFF'0000ull);
  EXPECT_LANES(uint64_t, v128_not(a), ~0xFF00'FF00'F0F0'F0F0ull, ~0x0123'4567'89AB'CDEFull);
  EXPECT_LANES(uint64_t, v128_and(a, b), 0x0F00'0F00'0000'0000ull, 0x0123'0000'89AB'0000ull);
  EXPECT_LANES(uint64_t, v128_andnot(a, b), 0xF000'F000'F0F0'F0F0ull, 0x0000'4567'0000'CDEFull);
  EXPECT_LANES(uint64_t, v128_or(a, b), 0xFF0F'FF0F'FFFF'FFFFull, 0xFFFF'4567'FFFF'CDEFull);
  EXPECT_LANES(uint64_t, v128_xor(a, b), 0xF00F'F00F'FFFF'FFFFull, 0xFEDC'4567'7654'CDEFull);
  V128 c = make<uint64_t>(0xFFFF'FFFF'0000'0000ull, 0x00FF'00FF'00FF'00FFull);
  // bitselect(a, b, c): a's bits where c is set, else b's.
  EXPECT_LANES(uint64_t, v128_bitselect(a, b, c), 0xFF00'FF00'0F0F'0F0Full, 0xFF23'0067'FFAB'00EFull);
  EXPECT_EQ(v128_any_true(V128{}), 0u);
  EXPECT_EQ(v128_any_true(make<uint64_t>(0, 0x8000'0000'0000'0000ull)), 1u);
}

TEST(Simd, AllTrueAndBitmask) {
  EXPECT_EQ(i8x16_all_true(i8x16_splat(1)), 1u);
  EXPECT_EQ(i8x16_all_true(i8x16_replace_lane(i8x16_splat(1), 0, 9)), 0u);
  EXPECT_EQ(i16x8_all_true(i16x8_splat(0x100)), 1u);
  EXPECT_EQ(i16x8_all_true(i8x16_splat(1) /* lanes 0x0101 */), 1u);
  EXPECT_EQ(i16x8_all_true(make<uint16_t>(1, 1, 1, 1, 1, 1, 1, 0)), 0u);
  EXPECT_EQ(i32x4_all_true(make<uint32_t>(1, 0x8000'0000u, 0x100, 0x10000)), 1u);
  EXPECT_EQ(i32x4_all_true(make<uint32_t>(1, 1, 0, 1)), 0u);
  EXPECT_EQ(i64x2_all_true(make<uint64_t>(0x1'0000'0000ull, 1)), 1u);
  EXPECT_EQ(i64x2_all_true(make<uint64_t>(0, 1)), 0u);

  EXPECT_EQ(i8x16_bitmask(make<int8_t>(-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, -128)), 0x8001u);
  EXPECT_EQ(i8x16_bitmask(i8x16_splat(0x80)), 0xFFFFu);
  EXPECT_EQ(i8x16_bitmask(i8x16_splat(0x7F)), 0u);
  EXPECT_EQ(i16x8_bitmask(make<int16_t>(-1, 0, 1, 2, 0x7FFF, -32768, 6, -2)), 0xA1u);
  EXPECT_EQ(i16x8_bitmask(i8x16_splat(0x80)), 0xFFu);
  EXPECT_EQ(i32x4_bitmask(make<int32_t>(-1, 0, INT32_MIN, INT32_MAX)), 0x5u);
  EXPECT_EQ(i64x2_bitmask(make<int64_t>(1, -1)), 0x2u);
  EXPECT_EQ(i64x2_bitmask(make<int64_t>(INT64_MIN, INT64_MAX)), 0x1u);
  // The SSE2 and portable paths agree.
  std::mt19937_64 rng(3);
  for (int i = 0; i < 1000; ++i) {
    V128 v = make<uint64_t>(rng(), rng());
    ASSERT_EQ(i8x16_bitmask(v), detail::bitmask<uint8_t>(v));
    ASSERT_EQ(i32x4_bitmask(v), detail::bitmask<uint32_t>(v));
    ASSERT_EQ(i64x2_bitmask(v), detail::bitmask<uint64_t>(v));
  }
}

// ---------------------------------------------------------------------------
// Integer comparisons
// ---------------------------------------------------------------------------

TEST(Simd, IntegerComparisons) {
  V128 a = make<int8_t>(-128, -1, 0, 1, 127, 5, 5, 5, -128, -1, 0, 1, 127, 5, 5, 5);
  V128 b = make<int8_t>(127, 1, 0, -1, -128, 4, 5, 6, 127, 1, 0, -1, -128, 4, 5, 6);
  constexpr uint8_t T = 0xFF, F = 0;
  EXPECT_LANES(uint8_t, i8x16_eq(a, b), F, F, T, F, F, F, T, F, F, F, T, F, F, F, T, F);
  EXPECT_LANES(uint8_t, i8x16_ne(a, b), T, T, F, T, T, T, F, T, T, T, F, T, T, T, F, T);
  EXPECT_LANES(uint8_t, i8x16_lt_s(a, b), T, T, F, F, F, F, F, T, T, T, F, F, F, F, F, T);
  EXPECT_LANES(uint8_t, i8x16_lt_u(a, b), F, F, F, T, T, F, F, T, F, F, F, T, T, F, F, T);
  EXPECT_LANES(uint8_t, i8x16_gt_s(a, b), F, F, F, T, T, T, F, F, F, F, F, T, T, T, F, F);
  EXPECT_LANES(uint8_t, i8x16_gt_u(a, b), T, T, F, F, F, T, F, F, T, T, F, F, F, T, F, F);
  EXPECT_LANES(uint8_t, i8x16_le_s(a, b), T, T, T, F, F, F, T, T, T, T, T, F, F, F, T, T);
  EXPECT_LANES(uint8_t, i8x16_le_u(a, b), F, F, T, T, T, F, T, T, F, F, T, T, T, F, T, T);
  EXPECT_LANES(uint8_t, i8x16_ge_s(a, b), F, F, T, T, T, T, T, F, F, F, T, T, T, T, T, F);
  EXPECT_LANES(uint8_t, i8x16_ge_u(a, b), T, T, T, F, F, T, T, F, T, T, T, F, F, T, T, F);

  V128 h1 = make<int16_t>(-32768, -1, 0, 1, 32767, 7, 7, 7);
  V128 h2 = make<int16_t>(32767, 1, 0, -1, -32768, 6, 7, 8);
  constexpr uint16_t HT = 0xFFFF, HF = 0;
  EXPECT_LANES(uint16_t, i16x8_eq(h1, h2), HF, HF, HT, HF, HF, HF, HT, HF);
  EXPECT_LANES(uint16_t, i16x8_ne(h1, h2), HT, HT, HF, HT, HT, HT, HF, HT);
  EXPECT_LANES(uint16_t, i16x8_lt_s(h1, h2), HT, HT, HF, HF, HF, HF, HF, HT);
  EXPECT_LANES(uint16_t, i16x8_lt_u(h1, h2), HF, HF, HF, HT, HT, HF, HF, HT);
  EXPECT_LANES(uint16_t, i16x8_gt_s(h1, h2), HF, HF, HF, HT, HT, HT, HF, HF);
  EXPECT_LANES(uint16_t, i16x8_gt_u(h1, h2), HT, HT, HF, HF, HF, HT, HF, HF);
  EXPECT_LANES(uint16_t, i16x8_le_s(h1, h2), HT, HT, HT, HF, HF, HF, HT, HT);
  EXPECT_LANES(uint16_t, i16x8_le_u(h1, h2), HF, HF, HT, HT, HT, HF, HT, HT);
  EXPECT_LANES(uint16_t, i16x8_ge_s(h1, h2), HF, HF, HT, HT, HT, HT, HT, HF);
  EXPECT_LANES(uint16_t, i16x8_ge_u(h1, h2), HT, HT, HT, HF, HF, HT, HT, HF);

  V128 w1 = make<int32_t>(INT32_MIN, -1, 0, 5);
  V128 w2 = make<int32_t>(INT32_MAX, 1, 0, 4);
  EXPECT_LANES(uint32_t, i32x4_eq(w1, w2), 0, 0, ~0u, 0);
  EXPECT_LANES(uint32_t, i32x4_ne(w1, w2), ~0u, ~0u, 0, ~0u);
  EXPECT_LANES(uint32_t, i32x4_lt_s(w1, w2), ~0u, ~0u, 0, 0);
  EXPECT_LANES(uint32_t, i32x4_lt_u(w1, w2), 0, 0, 0, 0);
  EXPECT_LANES(uint32_t, i32x4_gt_s(w1, w2), 0, 0, 0, ~0u);
  EXPECT_LANES(uint32_t, i32x4_gt_u(w1, w2), ~0u, ~0u, 0, ~0u);
  EXPECT_LANES(uint32_t, i32x4_le_s(w1, w2), ~0u, ~0u, ~0u, 0);
  EXPECT_LANES(uint32_t, i32x4_le_u(w1, w2), 0, 0, ~0u, 0);
  EXPECT_LANES(uint32_t, i32x4_ge_s(w1, w2), 0, 0, ~0u, ~0u);
  EXPECT_LANES(uint32_t, i32x4_ge_u(w1, w2), ~0u, ~0u, ~0u, ~0u);

  V128 d1 = make<int64_t>(INT64_MIN, 3);
  V128 d2 = make<int64_t>(INT64_MAX, 3);
  EXPECT_LANES(uint64_t, i64x2_eq(d1, d2), 0, ~0ull);
  EXPECT_LANES(uint64_t, i64x2_ne(d1, d2), ~0ull, 0);
  EXPECT_LANES(uint64_t, i64x2_lt_s(d1, d2), ~0ull, 0);
  EXPECT_LANES(uint64_t, i64x2_gt_s(d1, d2), 0, 0);
  EXPECT_LANES(uint64_t, i64x2_le_s(d1, d2), ~0ull, ~0ull);
  EXPECT_LANES(uint64_t, i64x2_ge_s(d1, d2), 0, ~0ull);
}

// ---------------------------------------------------------------------------
// Integer arithmetic
// ---------------------------------------------------------------------------

TEST(Simd, AddSubMulNegAbsWrap) {
  EXPECT_LANES(uint8_t, i8x16_add(i8x16_splat(0xFF), i8x16_splat(2)), 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
               1, 1, 1);
  EXPECT_LANES(uint8_t, i8x16_sub(i8x16_splat(0), i8x16_splat(1)), 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
               0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF);
  EXPECT_LANES(uint16_t, i16x8_add(i16x8_splat(0x8000), i16x8_splat(0x8000)), 0, 0, 0, 0, 0, 0, 0, 0);
  EXPECT_LANES(uint16_t, i16x8_mul(i16x8_splat(0xFFFF), i16x8_splat(0xFFFF)), 1, 1, 1, 1, 1, 1, 1, 1);
  EXPECT_LANES(uint16_t, i16x8_mul(i16x8_splat(0x8000), i16x8_splat(2)), 0, 0, 0, 0, 0, 0, 0, 0);
  EXPECT_LANES(uint32_t,
               i32x4_mul(make<uint32_t>(0x1234'5678u, 0xFFFF'FFFFu, 0x8000'0000u, 3),
                         make<uint32_t>(0x9ABC'DEF0u, 0xFFFF'FFFFu, 0xFFFF'FFFFu, 5)),
               0x1234'5678u * 0x9ABC'DEF0u, 1u, 0x8000'0000u, 15u);
  EXPECT_LANES(uint64_t, i64x2_mul(make<uint64_t>(~0ull, 0x8000'0000'0000'0000ull), make<uint64_t>(~0ull, 2)),
               1ull, 0ull);
  EXPECT_LANES(uint64_t, i64x2_add(i64x2_splat(~0ull), i64x2_splat(1)), 0, 0);
  EXPECT_LANES(uint64_t, i64x2_sub(i64x2_splat(0), i64x2_splat(1)), ~0ull, ~0ull);
  EXPECT_LANES(uint32_t, i32x4_add(i32x4_splat(0x7FFF'FFFFu), i32x4_splat(1)), 0x8000'0000u, 0x8000'0000u,
               0x8000'0000u, 0x8000'0000u);
  EXPECT_LANES(uint32_t, i32x4_sub(i32x4_splat(0x8000'0000u), i32x4_splat(1)), 0x7FFF'FFFFu, 0x7FFF'FFFFu,
               0x7FFF'FFFFu, 0x7FFF'FFFFu);

  EXPECT_LANES(int8_t, i8x16_neg(make<int8_t>(-128, -1, 0, 1, 127, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)), -128,
               1, 0, -1, -127, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11, -12);
  EXPECT_LANES(int8_t, i8x16_abs(make<int8_t>(-128, -1, 0, 1, 127, -127, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)),
               -128, 1, 0, 1, 127, 127, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
  EXPECT_LANES(int16_t, i16x8_abs(make<int16_t>(-32768, -1, 0, 1, 32767, -32767, -5, 5)), -32768, 1, 0, 1,
               32767, 32767, 5, 5);
  EXPECT_LANES(int16_t, i16x8_neg(make<int16_t>(-32768, -1, 0, 1, 32767, -32767, -5, 5)), -32768, 1, 0, -1,
               -32767, 32767, 5, -5);
  EXPECT_LANES(int32_t, i32x4_abs(make<int32_t>(INT32_MIN, -1, INT32_MAX, 0)), INT32_MIN, 1, INT32_MAX, 0);
  EXPECT_LANES(int32_t, i32x4_neg(make<int32_t>(INT32_MIN, -1, INT32_MAX, 0)), INT32_MIN, 1, -INT32_MAX, 0);
  EXPECT_LANES(int64_t, i64x2_abs(make<int64_t>(INT64_MIN, -5)), INT64_MIN, 5);
  EXPECT_LANES(int64_t, i64x2_neg(make<int64_t>(INT64_MIN, -5)), INT64_MIN, 5);
}

TEST(Simd, SaturatingArithmetic) {
  V128 a = make<int8_t>(127, -128, 100, -100, 1, -1, 0, 50, 127, -128, 100, -100, 1, -1, 0, 50);
  V128 b = make<int8_t>(1, -1, 100, -100, -2, 2, 0, -50, 1, -1, 100, -100, -2, 2, 0, -50);
  EXPECT_LANES(int8_t, i8x16_add_sat_s(a, b), 127, -128, 127, -128, -1, 1, 0, 0, 127, -128, 127, -128, -1, 1,
               0, 0);
  EXPECT_LANES(int8_t, i8x16_sub_sat_s(a, b), 126, -127, 0, 0, 3, -3, 0, 100, 126, -127, 0, 0, 3, -3, 0, 100);
  EXPECT_LANES(int8_t,
               i8x16_sub_sat_s(make<int8_t>(-128, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
                               make<int8_t>(1, -1, -128, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
               -128, 127, 127, -127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  V128 ua = make<uint8_t>(255, 0, 200, 10, 1, 128, 0, 255, 255, 0, 200, 10, 1, 128, 0, 255);
  V128 ub = make<uint8_t>(1, 1, 100, 20, 1, 128, 0, 255, 1, 1, 100, 20, 1, 128, 0, 255);
  EXPECT_LANES(uint8_t, i8x16_add_sat_u(ua, ub), 255, 1, 255, 30, 2, 255, 0, 255, 255, 1, 255, 30, 2, 255, 0,
               255);
  EXPECT_LANES(uint8_t, i8x16_sub_sat_u(ua, ub), 254, 0, 100, 0, 0, 0, 0, 0, 254, 0, 100, 0, 0, 0, 0, 0);

  V128 h1 = make<int16_t>(32767, -32768, 20000, -20000, 1, -1, 0, 32767);
  V128 h2 = make<int16_t>(1, -1, 20000, -20000, -2, 2, 0, -32768);
  EXPECT_LANES(int16_t, i16x8_add_sat_s(h1, h2), 32767, -32768, 32767, -32768, -1, 1, 0, -1);
  EXPECT_LANES(int16_t, i16x8_sub_sat_s(h1, h2), 32766, -32767, 0, 0, 3, -3, 0, 32767);
  V128 u1 = make<uint16_t>(65535, 0, 40000, 10, 1, 32768, 0, 65535);
  V128 u2 = make<uint16_t>(1, 1, 40000, 20, 1, 32768, 0, 65535);
  EXPECT_LANES(uint16_t, i16x8_add_sat_u(u1, u2), 65535, 1, 65535, 30, 2, 65535, 0, 65535);
  EXPECT_LANES(uint16_t, i16x8_sub_sat_u(u1, u2), 65534, 0, 0, 0, 0, 0, 0, 0);

  // Intrinsic paths against the portable lane loop on random input.
  std::mt19937_64 rng(5);
  for (int i = 0; i < 2000; ++i) {
    V128 x = make<uint64_t>(rng(), rng()), y = make<uint64_t>(rng(), rng());
    auto sat8s =
        detail::map2<int8_t>(x, y, [](int8_t p, int8_t q) { return detail::saturate<int8_t>(p + q); });
    auto sat8u =
        detail::map2<uint8_t>(x, y, [](uint8_t p, uint8_t q) { return detail::saturate<uint8_t>(p - q); });
    auto sat16s =
        detail::map2<int16_t>(x, y, [](int16_t p, int16_t q) { return detail::saturate<int16_t>(p - q); });
    auto sat16u = detail::map2<uint16_t>(
        x, y, [](uint16_t p, uint16_t q) { return detail::saturate<uint16_t>(p + q); });
    ASSERT_EQ(i8x16_add_sat_s(x, y), sat8s);
    ASSERT_EQ(i8x16_sub_sat_u(x, y), sat8u);
    ASSERT_EQ(i16x8_sub_sat_s(x, y), sat16s);
    ASSERT_EQ(i16x8_add_sat_u(x, y), sat16u);
  }
}

TEST(Simd, MinMaxAvgr) {
  V128 a = make<int8_t>(-128, 127, -1, 0, 5, -5, 1, 2, -128, 127, -1, 0, 5, -5, 1, 2);
  V128 b = make<int8_t>(127, -128, 1, 0, -5, 5, 2, 1, 127, -128, 1, 0, -5, 5, 2, 1);
  EXPECT_LANES(int8_t, i8x16_min_s(a, b), -128, -128, -1, 0, -5, -5, 1, 1, -128, -128, -1, 0, -5, -5, 1, 1);
  EXPECT_LANES(int8_t, i8x16_max_s(a, b), 127, 127, 1, 0, 5, 5, 2, 2, 127, 127, 1, 0, 5, 5, 2, 2);
  EXPECT_LANES(int8_t, i8x16_min_u(a, b), 127, 127, 1, 0, 5, 5, 1, 1, 127, 127, 1, 0, 5, 5, 1, 1);
  EXPECT_LANES(int8_t, i8x16_max_u(a, b), -128, -128, -1, 0, -5, -5, 2, 2, -128, -128, -1, 0, -5, -5, 2, 2);
  EXPECT_LANES(int16_t, i16x8_min_s(make<int16_t>(-32768, 1, 2, 3, 4, 5, 6, 7), i16x8_splat(0)), -32768, 0, 0,
               0, 0, 0, 0, 0);
  EXPECT_LANES(uint16_t, i16x8_max_u(make<uint16_t>(0x8000, 1, 2, 3, 4, 5, 6, 7), i16x8_splat(3)), 0x8000, 3,
               3, 3, 4, 5, 6, 7);
  EXPECT_LANES(uint16_t, i16x8_min_u(make<uint16_t>(0x8000, 1, 2, 3, 4, 5, 6, 7), i16x8_splat(3)), 3, 1, 2, 3,
               3, 3, 3, 3);
  EXPECT_LANES(int16_t, i16x8_max_s(make<int16_t>(-32768, 1, 2, 3, 4, 5, 6, 7), i16x8_splat(3)), 3, 3, 3, 3,
               4, 5, 6, 7);
  EXPECT_LANES(int32_t, i32x4_min_s(make<int32_t>(INT32_MIN, -1, 0, 1), make<int32_t>(0, 0, 0, 0)), INT32_MIN,
               -1, 0, 0);
  EXPECT_LANES(uint32_t, i32x4_min_u(make<uint32_t>(0x8000'0000u, ~0u, 0, 1), i32x4_splat(0)), 0, 0, 0, 0);
  EXPECT_LANES(int32_t, i32x4_max_s(make<int32_t>(INT32_MIN, -1, 0, 1), i32x4_splat(0)), 0, 0, 0, 1);
  EXPECT_LANES(uint32_t, i32x4_max_u(make<uint32_t>(0x8000'0000u, ~0u, 0, 1), i32x4_splat(0)), 0x8000'0000u,
               ~0u, 0, 1);

  EXPECT_LANES(uint8_t,
               i8x16_avgr_u(make<uint8_t>(255, 0, 1, 2, 3, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
                            make<uint8_t>(255, 0, 2, 2, 4, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
               255, 0, 2, 2, 4, 128, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  EXPECT_LANES(uint16_t,
               i16x8_avgr_u(make<uint16_t>(65535, 0, 1, 2, 3, 65535, 0, 0),
                            make<uint16_t>(65535, 0, 2, 2, 4, 0, 1, 0)),
               65535, 0, 2, 2, 4, 32768, 1, 0);
}

TEST(Simd, ShiftsTakeCountModuloLaneWidth) {
  V128 b = make<int8_t>(-128, 1, 2, -1, 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F);
  EXPECT_LANES(int8_t, i8x16_shl(b, 1), 0, 2, 4, -2, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -2);
  EXPECT_LANES(int8_t, i8x16_shl(b, 9), 0, 2, 4, -2, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -2);
  EXPECT_LANES(int8_t, i8x16_shl(b, 8), -128, 1, 2, -1, 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F);
  EXPECT_LANES(int8_t, i8x16_shr_s(b, 7), -1, 0, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  EXPECT_LANES(int8_t, i8x16_shr_s(b, 0xFFFF'FFFFu), -1, 0, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  EXPECT_LANES(uint8_t, i8x16_shr_u(b, 7), 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  EXPECT_LANES(uint8_t, i8x16_shr_u(b, 33), 0x40, 0, 1, 0x7F, 32, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x3F);

  V128 h = make<int16_t>(-32768, 1, -1, 0x4000, 0, 0, 0, 0x7FFF);
  EXPECT_LANES(int16_t, i16x8_shl(h, 17), 0, 2, -2, -32768, 0, 0, 0, -2);
  EXPECT_LANES(int16_t, i16x8_shr_s(h, 15), -1, 0, -1, 0, 0, 0, 0, 0);
  EXPECT_LANES(int16_t, i16x8_shr_s(h, 16), -32768, 1, -1, 0x4000, 0, 0, 0, 0x7FFF);
  EXPECT_LANES(uint16_t, i16x8_shr_u(h, 31), 1, 0, 1, 0, 0, 0, 0, 0);

  V128 w = make<int32_t>(INT32_MIN, 1, -1, 0x4000'0000);
  EXPECT_LANES(int32_t, i32x4_shl(w, 33), 0, 2, -2, INT32_MIN);
  EXPECT_LANES(int32_t, i32x4_shr_s(w, 31), -1, 0, -1, 0);
  EXPECT_LANES(int32_t, i32x4_shr_s(w, 32), INT32_MIN, 1, -1, 0x4000'0000);
  EXPECT_LANES(uint32_t, i32x4_shr_u(w, 63), 1, 0, 1, 0);

  V128 d = make<int64_t>(INT64_MIN, -1);
  EXPECT_LANES(int64_t, i64x2_shl(d, 65), 0, -2);
  EXPECT_LANES(int64_t, i64x2_shr_s(d, 63), -1, -1);
  EXPECT_LANES(int64_t, i64x2_shr_s(d, 64), INT64_MIN, -1);
  EXPECT_LANES(uint64_t, i64x2_shr_u(d, 127), 1, 1);
  EXPECT_LANES(uint64_t, i64x2_shr_u(d, 32), 0x8000'0000ull, 0xFFFF'FFFFull);
}

TEST(Simd, Popcnt) {
  EXPECT_LANES(
      uint8_t,
      i8x16_popcnt(make<uint8_t>(0, 1, 3, 7, 15, 31, 63, 127, 255, 0x80, 0x55, 0xAA, 0x11, 0x0F, 0xF0, 0x81)),
      0, 1, 2, 3, 4, 5, 6, 7, 8, 1, 4, 4, 2, 4, 4, 2);
}

TEST(Simd, Q15MulrSat) {
  V128 a = make<int16_t>(-32768, -32768, 32767, 16384, -16384, 1, -1, 0x4000);
  V128 b = make<int16_t>(-32768, 32767, 32767, 16384, 16384, 1, 1, 1);
  // (a*b + 0x4000) >> 15; only INT16_MIN * INT16_MIN saturates.
  EXPECT_LANES(int16_t, i16x8_q15mulr_sat_s(a, b), 32767, -32767, 32766, 8192, -8192, 0, 0, 1);
}

TEST(Simd, Dot) {
  EXPECT_LANES(int32_t,
               i32x4_dot_i16x8_s(make<int16_t>(-32768, -32768, 32767, 32767, 1, 2, -3, 4),
                                 make<int16_t>(-32768, -32768, 32767, 32767, 5, 6, 7, 8)),
               INT32_MIN /* 2^31 wraps */, 2147352578, 17, 11);
}

TEST(Simd, NarrowSaturates) {
  V128 a = make<int16_t>(-32768, -129, -128, -1, 0, 127, 128, 32767);
  V128 b = make<int16_t>(255, 256, -300, 1, 2, 3, 4, 5);
  EXPECT_LANES(int8_t, i8x16_narrow_i16x8_s(a, b), -128, -128, -128, -1, 0, 127, 127, 127, 127, 127, -128, 1,
               2, 3, 4, 5);
  EXPECT_LANES(uint8_t, i8x16_narrow_i16x8_u(a, b), 0, 0, 0, 0, 0, 127, 128, 255, 255, 255, 0, 1, 2, 3, 4, 5);
  V128 c = make<int32_t>(INT32_MIN, -32769, -32768, 32768);
  V128 d = make<int32_t>(65535, 65536, -1, 7);
  EXPECT_LANES(int16_t, i16x8_narrow_i32x4_s(c, d), -32768, -32768, -32768, 32767, 32767, 32767, -1, 7);
  EXPECT_LANES(uint16_t, i16x8_narrow_i32x4_u(c, d), 0, 0, 0, 32768, 65535, 65535, 0, 7);
}

TEST(Simd, ExtendExtaddExtmul) {
  V128 b = make<int8_t>(-128, -1, 0, 1, 127, 2, 3, 4, -5, -6, 7, 8, 9, 10, 11, -12);
  EXPECT_LANES(int16_t, i16x8_extend_low_i8x16_s(b), -128, -1, 0, 1, 127, 2, 3, 4);
  EXPECT_LANES(int16_t, i16x8_extend_high_i8x16_s(b), -5, -6, 7, 8, 9, 10, 11, -12);
  EXPECT_LANES(uint16_t, i16x8_extend_low_i8x16_u(b), 128, 255, 0, 1, 127, 2, 3, 4);
  EXPECT_LANES(uint16_t, i16x8_extend_high_i8x16_u(b), 251, 250, 7, 8, 9, 10, 11, 244);
  V128 h = make<int16_t>(-32768, -1, 2, 3, 4, 5, 32767, -7);
  EXPECT_LANES(int32_t, i32x4_extend_low_i16x8_s(h), -32768, -1, 2, 3);
  EXPECT_LANES(int32_t, i32x4_extend_high_i16x8_s(h), 4, 5, 32767, -7);
  EXPECT_LANES(uint32_t, i32x4_extend_low_i16x8_u(h), 32768, 65535, 2, 3);
  EXPECT_LANES(uint32_t, i32x4_extend_high_i16x8_u(h), 4, 5, 32767, 65529);
  V128 w = make<int32_t>(INT32_MIN, -1, INT32_MAX, 9);
  EXPECT_LANES(int64_t, i64x2_extend_low_i32x4_s(w), INT32_MIN, -1);
  EXPECT_LANES(int64_t, i64x2_extend_high_i32x4_s(w), INT32_MAX, 9);
  EXPECT_LANES(uint64_t, i64x2_extend_low_i32x4_u(w), 0x8000'0000ull, 0xFFFF'FFFFull);
  EXPECT_LANES(uint64_t, i64x2_extend_high_i32x4_u(w), 0x7FFF'FFFFull, 9);

  EXPECT_LANES(int16_t, i16x8_extadd_pairwise_i8x16_s(i8x16_splat(0x80)), -256, -256, -256, -256, -256, -256,
               -256, -256);
  EXPECT_LANES(int16_t, i16x8_extadd_pairwise_i8x16_s(i8x16_splat(0x7F)), 254, 254, 254, 254, 254, 254, 254,
               254);
  EXPECT_LANES(uint16_t, i16x8_extadd_pairwise_i8x16_u(i8x16_splat(0xFF)), 510, 510, 510, 510, 510, 510, 510,
               510);
  EXPECT_LANES(int32_t, i32x4_extadd_pairwise_i16x8_s(i16x8_splat(0x8000)), -65536, -65536, -65536, -65536);
  EXPECT_LANES(uint32_t, i32x4_extadd_pairwise_i16x8_u(i16x8_splat(0xFFFF)), 131070, 131070, 131070, 131070);
  EXPECT_LANES(int16_t, i16x8_extadd_pairwise_i8x16_s(b), -129, 1, 129, 7, -11, 15, 19, -1);

  V128 x8 = make<int8_t>(-128, 127, -1, 2, 0, 0, 0, 0, -128, -128, 127, -1, 3, 0, 0, 0);
  V128 y8 = make<int8_t>(-128, 127, 5, -2, 0, 0, 0, 0, 127, -128, 127, -1, 4, 0, 0, 0);
  EXPECT_LANES(int16_t, i16x8_extmul_low_i8x16_s(x8, y8), 16384, 16129, -5, -4, 0, 0, 0, 0);
  EXPECT_LANES(int16_t, i16x8_extmul_high_i8x16_s(x8, y8), -16256, 16384, 16129, 1, 12, 0, 0, 0);
  EXPECT_LANES(uint16_t, i16x8_extmul_low_i8x16_u(x8, y8), 16384, 16129, 1275, 508, 0, 0, 0, 0);
  EXPECT_LANES(uint16_t, i16x8_extmul_high_i8x16_u(i8x16_splat(0xFF), i8x16_splat(0xFF)), 65025, 65025, 65025,
               65025, 65025, 65025, 65025, 65025);
  V128 x16 = make<int16_t>(-32768, 32767, -1, 2, -32768, -32768, 65535 - 65536, 7);
  V128 y16 = make<int16_t>(-32768, 32767, 5, -2, 32767, -32768, -1, 8);
  EXPECT_LANES(int32_t, i32x4_extmul_low_i16x8_s(x16, y16), 1073741824, 1073676289, -5, -4);
  EXPECT_LANES(int32_t, i32x4_extmul_high_i16x8_s(x16, y16), -1073709056, 1073741824, 1, 56);
  EXPECT_LANES(uint32_t, i32x4_extmul_high_i16x8_u(i16x8_splat(0xFFFF), i16x8_splat(0xFFFF)), 4294836225u,
               4294836225u, 4294836225u, 4294836225u);
  EXPECT_LANES(uint32_t, i32x4_extmul_low_i16x8_u(x16, y16), 1073741824u, 1073676289u, 327675u, 131068u);
  V128 x32 = make<int32_t>(INT32_MIN, INT32_MAX, -1, INT32_MIN);
  V128 y32 = make<int32_t>(INT32_MIN, INT32_MAX, -1, INT32_MAX);
  EXPECT_LANES(int64_t, i64x2_extmul_low_i32x4_s(x32, y32), 0x4000'0000'0000'0000ll, 0x3FFF'FFFF'0000'0001ll);
  EXPECT_LANES(int64_t, i64x2_extmul_high_i32x4_s(x32, y32), 1, -0x3FFF'FFFF'8000'0000ll);
  EXPECT_LANES(uint64_t, i64x2_extmul_high_i32x4_u(x32, y32), 0xFFFF'FFFE'0000'0001ull,
               0x3FFF'FFFF'8000'0000ull);
  EXPECT_LANES(uint64_t, i64x2_extmul_low_i32x4_u(x32, y32), 0x4000'0000'0000'0000ull,
               0x3FFF'FFFF'0000'0001ull);
}

// ---------------------------------------------------------------------------
// Randomised lane-by-lane check against the spec's scalar definitions,
// computed in int64 (exact for every 8/16/32-bit lane op).
// ---------------------------------------------------------------------------

// Random lanes, half of them drawn from the edge values of the lane type.
template <typename T>
V128 random_lanes(std::mt19937_64& rng) {
  using L = std::numeric_limits<T>;
  const T edges[] = {T(0),           T(1), T(-1), L::min(), L::max(), T(L::min() + 1), T(L::max() - 1),
                     T(L::max() / 2)};
  Lanes<T> l;
  for (auto& v : l.v) v = (rng() & 1) ? edges[rng() % 8] : T(rng());
  return pack(l);
}

template <typename T, typename Op, typename Ref>
void check_binary_lanes(Op op, Ref ref, const char* name) {
  using M = detail::MaskOf<T>;
  std::mt19937_64 rng(11);
  for (int iter = 0; iter < 3000; ++iter) {
    V128 a = random_lanes<T>(rng), b = random_lanes<T>(rng);
    Lanes<T> x = unpack<T>(a), y = unpack<T>(b);
    Lanes<M> r = unpack<M>(op(a, b));
    for (size_t i = 0; i < Lanes<T>::kCount; ++i) {
      M want = M(ref(int64_t(x.v[i]), int64_t(y.v[i])));
      ASSERT_EQ(r.v[i], want) << name << " lane " << i << " of " << +x.v[i] << ", " << +y.v[i];
    }
  }
}

int64_t clamp(int64_t v, int64_t lo, int64_t hi) {
  return v < lo ? lo : v > hi ? hi : v;
}
int64_t mask(bool b) {
  return b ? -1 : 0;
}

TEST(Simd, RandomLanesMatchScalarDefinitions) {
  auto add = [](int64_t x, int64_t y) { return x + y; };
  auto sub = [](int64_t x, int64_t y) { return x - y; };
  auto mul = [](int64_t x, int64_t y) { return int64_t(uint64_t(x) * uint64_t(y)); };
  auto min = [](int64_t x, int64_t y) { return x < y ? x : y; };
  auto max = [](int64_t x, int64_t y) { return x > y ? x : y; };
  auto avgr = [](int64_t x, int64_t y) { return (x + y + 1) >> 1; };
  auto eq = [](int64_t x, int64_t y) { return mask(x == y); };
  auto ne = [](int64_t x, int64_t y) { return mask(x != y); };
  auto lt = [](int64_t x, int64_t y) { return mask(x < y); };
  auto gt = [](int64_t x, int64_t y) { return mask(x > y); };
  auto le = [](int64_t x, int64_t y) { return mask(x <= y); };
  auto ge = [](int64_t x, int64_t y) { return mask(x >= y); };

  check_binary_lanes<uint8_t>(i8x16_add, add, "i8x16.add");
  check_binary_lanes<uint8_t>(i8x16_sub, sub, "i8x16.sub");
  check_binary_lanes<int8_t>(
      i8x16_add_sat_s, [](int64_t x, int64_t y) { return clamp(x + y, -128, 127); }, "add_sat_s");
  check_binary_lanes<uint8_t>(
      i8x16_add_sat_u, [](int64_t x, int64_t y) { return clamp(x + y, 0, 255); }, "add_sat_u");
  check_binary_lanes<int8_t>(
      i8x16_sub_sat_s, [](int64_t x, int64_t y) { return clamp(x - y, -128, 127); }, "sub_sat_s");
  check_binary_lanes<uint8_t>(
      i8x16_sub_sat_u, [](int64_t x, int64_t y) { return clamp(x - y, 0, 255); }, "sub_sat_u");
  check_binary_lanes<int8_t>(i8x16_min_s, min, "i8x16.min_s");
  check_binary_lanes<uint8_t>(i8x16_min_u, min, "i8x16.min_u");
  check_binary_lanes<int8_t>(i8x16_max_s, max, "i8x16.max_s");
  check_binary_lanes<uint8_t>(i8x16_max_u, max, "i8x16.max_u");
  check_binary_lanes<uint8_t>(i8x16_avgr_u, avgr, "i8x16.avgr_u");
  check_binary_lanes<int8_t>(i8x16_eq, eq, "i8x16.eq");
  check_binary_lanes<int8_t>(i8x16_ne, ne, "i8x16.ne");
  check_binary_lanes<int8_t>(i8x16_lt_s, lt, "i8x16.lt_s");
  check_binary_lanes<uint8_t>(i8x16_lt_u, lt, "i8x16.lt_u");
  check_binary_lanes<int8_t>(i8x16_gt_s, gt, "i8x16.gt_s");
  check_binary_lanes<uint8_t>(i8x16_gt_u, gt, "i8x16.gt_u");
  check_binary_lanes<int8_t>(i8x16_le_s, le, "i8x16.le_s");
  check_binary_lanes<uint8_t>(i8x16_le_u, le, "i8x16.le_u");
  check_binary_lanes<int8_t>(i8x16_ge_s, ge, "i8x16.ge_s");
  check_binary_lanes<uint8_t>(i8x16_ge_u, ge, "i8x16.ge_u");

  check_binary_lanes<uint16_t>(i16x8_add, add, "i16x8.add");
  check_binary_lanes<uint16_t>(i16x8_sub, sub, "i16x8.sub");
  check_binary_lanes<uint16_t>(i16x8_mul, mul, "i16x8.mul");
  check_binary_lanes<int16_t>(
      i16x8_add_sat_s, [](int64_t x, int64_t y) { return clamp(x + y, -32768, 32767); }, "add_sat_s");
  check_binary_lanes<uint16_t>(
      i16x8_add_sat_u, [](int64_t x, int64_t y) { return clamp(x + y, 0, 65535); }, "add_sat_u");
  check_binary_lanes<int16_t>(
      i16x8_sub_sat_s, [](int64_t x, int64_t y) { return clamp(x - y, -32768, 32767); }, "sub_sat_s");
  check_binary_lanes<uint16_t>(
      i16x8_sub_sat_u, [](int64_t x, int64_t y) { return clamp(x - y, 0, 65535); }, "sub_sat_u");
  check_binary_lanes<int16_t>(
      i16x8_q15mulr_sat_s, [](int64_t x, int64_t y) { return clamp((x * y + 0x4000) >> 15, -32768, 32767); },
      "q15mulr_sat_s");
  check_binary_lanes<int16_t>(i16x8_min_s, min, "i16x8.min_s");
  check_binary_lanes<uint16_t>(i16x8_min_u, min, "i16x8.min_u");
  check_binary_lanes<int16_t>(i16x8_max_s, max, "i16x8.max_s");
  check_binary_lanes<uint16_t>(i16x8_max_u, max, "i16x8.max_u");
  check_binary_lanes<uint16_t>(i16x8_avgr_u, avgr, "i16x8.avgr_u");
  check_binary_lanes<int16_t>(i16x8_eq, eq, "i16x8.eq");
  check_binary_lanes<int16_t>(i16x8_lt_s, lt, "i16x8.lt_s");
  check_binary_lanes<uint16_t>(i16x8_lt_u, lt, "i16x8.lt_u");
  check_binary_lanes<int16_t>(i16x8_ge_s, ge, "i16x8.ge_s");
  check_binary_lanes<uint16_t>(i16x8_ge_u, ge, "i16x8.ge_u");

  check_binary_lanes<uint32_t>(i32x4_add, add, "i32x4.add");
  check_binary_lanes<uint32_t>(i32x4_sub, sub, "i32x4.sub");
  check_binary_lanes<uint32_t>(i32x4_mul, mul, "i32x4.mul");
  check_binary_lanes<int32_t>(i32x4_min_s, min, "i32x4.min_s");
  check_binary_lanes<uint32_t>(i32x4_min_u, min, "i32x4.min_u");
  check_binary_lanes<int32_t>(i32x4_max_s, max, "i32x4.max_s");
  check_binary_lanes<uint32_t>(i32x4_max_u, max, "i32x4.max_u");
  check_binary_lanes<int32_t>(i32x4_ne, ne, "i32x4.ne");
  check_binary_lanes<int32_t>(i32x4_gt_s, gt, "i32x4.gt_s");
  check_binary_lanes<uint32_t>(i32x4_gt_u, gt, "i32x4.gt_u");
  check_binary_lanes<int32_t>(i32x4_le_s, le, "i32x4.le_s");
  check_binary_lanes<uint32_t>(i32x4_le_u, le, "i32x4.le_u");

  check_binary_lanes<int64_t>(
      i64x2_add, [](int64_t x, int64_t y) { return int64_t(uint64_t(x) + uint64_t(y)); }, "i64x2.add");
  check_binary_lanes<int64_t>(
      i64x2_sub, [](int64_t x, int64_t y) { return int64_t(uint64_t(x) - uint64_t(y)); }, "i64x2.sub");
  check_binary_lanes<int64_t>(i64x2_mul, mul, "i64x2.mul");
  check_binary_lanes<int64_t>(i64x2_eq, eq, "i64x2.eq");
  check_binary_lanes<int64_t>(i64x2_lt_s, lt, "i64x2.lt_s");
  check_binary_lanes<int64_t>(i64x2_ge_s, ge, "i64x2.ge_s");
}

TEST(Simd, RandomShiftsMatchScalarDefinitions) {
  std::mt19937_64 rng(13);
  for (int iter = 0; iter < 2000; ++iter) {
    V128 a = make<uint64_t>(rng(), rng());
    uint32_t n = uint32_t(rng());
    Lanes<int8_t> s8 = unpack<int8_t>(a);
    Lanes<uint8_t> u8 = unpack<uint8_t>(a), shl8 = unpack<uint8_t>(i8x16_shl(a, n)),
                   shru8 = unpack<uint8_t>(i8x16_shr_u(a, n));
    Lanes<int8_t> shrs8 = unpack<int8_t>(i8x16_shr_s(a, n));
    for (size_t i = 0; i < 16; ++i) {
      ASSERT_EQ(shl8.v[i], uint8_t(u8.v[i] << (n % 8)));
      ASSERT_EQ(shru8.v[i], uint8_t(u8.v[i] >> (n % 8)));
      ASSERT_EQ(shrs8.v[i], int8_t(s8.v[i] >> (n % 8)));
    }
    Lanes<int32_t> s32 = unpack<int32_t>(a), shrs32 = unpack<int32_t>(i32x4_shr_s(a, n));
    Lanes<uint32_t> u32 = unpack<uint32_t>(a), shl32 = unpack<uint32_t>(i32x4_shl(a, n));
    for (size_t i = 0; i < 4; ++i) {
      ASSERT_EQ(shl32.v[i], u32.v[i] << (n % 32));
      ASSERT_EQ(shrs32.v[i], s32.v[i] >> (n % 32));
    }
    Lanes<uint16_t> u16 = unpack<uint16_t>(a), shru16 = unpack<uint16_t>(i16x8_shr_u(a, n));
    for (size_t i = 0; i < 8; ++i) ASSERT_EQ(shru16.v[i], uint16_t(u16.v[i] >> (n % 16)));
    Lanes<int64_t> s64 = unpack<int64_t>(a), shrs64 = unpack<int64_t>(i64x2_shr_s(a, n));
    for (size_t i = 0; i < 2; ++i) ASSERT_EQ(shrs64.v[i], s64.v[i] >> (n % 64));
  }
}

// The intrinsic paths (SSE2 packs, unpacks, pmaddwd) against the portable
// lane loops on random input.
TEST(Simd, IntrinsicPathsMatchLaneLoops) {
  std::mt19937_64 rng(17);
  for (int i = 0; i < 3000; ++i) {
    V128 a = random_lanes<int16_t>(rng), b = random_lanes<int16_t>(rng);
    V128 c = random_lanes<int32_t>(rng), d = random_lanes<int32_t>(rng);
    ASSERT_EQ(i8x16_narrow_i16x8_s(a, b), (detail::narrow<int16_t, int8_t>(a, b)));
    ASSERT_EQ(i8x16_narrow_i16x8_u(a, b), (detail::narrow<int16_t, uint8_t>(a, b)));
    ASSERT_EQ(i16x8_narrow_i32x4_s(c, d), (detail::narrow<int32_t, int16_t>(c, d)));
    ASSERT_EQ(i16x8_narrow_i32x4_u(c, d), (detail::narrow<int32_t, uint16_t>(c, d)));
    ASSERT_EQ(i16x8_extend_low_i8x16_s(a), (detail::extend<int8_t, int16_t, 0>(a)));
    ASSERT_EQ(i16x8_extend_high_i8x16_s(a), (detail::extend<int8_t, int16_t, 8>(a)));
    ASSERT_EQ(i16x8_extend_high_i8x16_u(a), (detail::extend<uint8_t, uint16_t, 8>(a)));
    ASSERT_EQ(i32x4_extend_low_i16x8_s(a), (detail::extend<int16_t, int32_t, 0>(a)));
    ASSERT_EQ(i32x4_extend_high_i16x8_u(a), (detail::extend<uint16_t, uint32_t, 4>(a)));
    ASSERT_EQ(i64x2_extend_high_i32x4_s(c), (detail::extend<int32_t, int64_t, 2>(c)));
    ASSERT_EQ(i64x2_extend_low_i32x4_u(c), (detail::extend<uint32_t, uint64_t, 0>(c)));
    Lanes<int16_t> x = unpack<int16_t>(a), y = unpack<int16_t>(b);
    Lanes<int32_t> dot = unpack<int32_t>(i32x4_dot_i16x8_s(a, b));
    for (size_t k = 0; k < 4; ++k) {
      int64_t want = int64_t(x.v[2 * k]) * y.v[2 * k] + int64_t(x.v[2 * k + 1]) * y.v[2 * k + 1];
      ASSERT_EQ(dot.v[k], int32_t(uint32_t(uint64_t(want))));
    }
  }
}

// ---------------------------------------------------------------------------
// Float lanes
// ---------------------------------------------------------------------------

TEST(Simd, FloatSignOpsKeepPayloads) {
  V128 v = make<uint32_t>(0x7FA0'0000u, 0xFFC0'0001u, 0x8000'0000u, 0x3F80'0000u);
  EXPECT_LANES(uint32_t, f32x4_neg(v), 0xFFA0'0000u, 0x7FC0'0001u, 0, 0xBF80'0000u);
  EXPECT_LANES(uint32_t, f32x4_abs(v), 0x7FA0'0000u, 0x7FC0'0001u, 0, 0x3F80'0000u);
  V128 d = make<uint64_t>(0xFFF4'0000'0000'0001ull, 0x0000'0000'0000'0000ull);
  EXPECT_LANES(uint64_t, f64x2_neg(d), 0x7FF4'0000'0000'0001ull, 0x8000'0000'0000'0000ull);
  EXPECT_LANES(uint64_t, f64x2_abs(d), 0x7FF4'0000'0000'0001ull, 0);
}

TEST(Simd, FloatArithmetic) {
  V128 a = make<float>(1.5f, -0.0f, INFINITY, 3.0f);
  V128 b = make<float>(2.5f, 0.0f, -INFINITY, -0.5f);
  EXPECT_LANES(float, f32x4_add(a, b), 4.0f, 0.0f, std::numeric_limits<float>::quiet_NaN(),
               2.5f);  // NaN != NaN
  EXPECT_TRUE(f32_lane_is_canonical_nan(f32x4_add(a, b), 2));
  EXPECT_LANES(float, f32x4_sub(a, b), -1.0f, -0.0f, INFINITY, 3.5f);
  EXPECT_LANES(float, f32x4_mul(a, b), 3.75f, -0.0f, -INFINITY, -1.5f);
  EXPECT_LANES(float, f32x4_div(a, b), 0.6f, std::numeric_limits<float>::quiet_NaN(),
               std::numeric_limits<float>::quiet_NaN(), -6.0f);
  EXPECT_LANES(float, f32x4_sqrt(make<float>(4.0f, 2.0f, -0.0f, INFINITY)), 2.0f, std::sqrt(2.0f), -0.0f,
               INFINITY);
  EXPECT_TRUE(f32_lane_is_canonical_nan(f32x4_sqrt(f32x4_splat(-1.0f)), 0));
  EXPECT_LANES(double, f64x2_add(make<double>(1.0, 0x1p53), make<double>(2.0, 1.0)), 3.0, 0x1p53);
  EXPECT_LANES(double, f64x2_sub(make<double>(1.0, 0x1p53), make<double>(2.0, 1.0)), -1.0, 0x1p53 - 1);
  EXPECT_LANES(double, f64x2_mul(make<double>(1e300, -2.0), make<double>(1e300, 0.25)), INFINITY, -0.5);
  EXPECT_LANES(double, f64x2_div(make<double>(1.0, -1.0), make<double>(0.0, 4.0)), INFINITY, -0.25);
  EXPECT_LANES(double, f64x2_sqrt(make<double>(9.0, 0x1p-1074)), 3.0, 0x1p-537);
  EXPECT_TRUE(f64_lane_is_arithmetic_nan(
      f64x2_mul(f64x2_splat(f64_from_bits(0x7FF4'0000'0000'0000ull)), f64x2_splat(2.0)), 1));
}

TEST(Simd, FloatMinMaxPminPmax) {
  const float nan = f32_from_bits(0x7FC0'0000u), snan = f32_from_bits(0x7FA0'0000u);
  V128 a = make<float>(0.0f, -0.0f, nan, 1.0f);
  V128 b = make<float>(-0.0f, 0.0f, 1.0f, snan);
  V128 mn = f32x4_min(a, b), mx = f32x4_max(a, b);
  EXPECT_EQ(f32_bits(get_lane<float>(mn, 0)), 0x8000'0000u);
  EXPECT_EQ(f32_bits(get_lane<float>(mn, 1)), 0x8000'0000u);
  EXPECT_EQ(f32_bits(get_lane<float>(mx, 0)), 0u);
  EXPECT_EQ(f32_bits(get_lane<float>(mx, 1)), 0u);
  EXPECT_TRUE(f32_lane_is_canonical_nan(mn, 2));
  EXPECT_TRUE(f32_lane_is_canonical_nan(mx, 2));
  EXPECT_TRUE(f32_lane_is_arithmetic_nan(mn, 3));
  EXPECT_TRUE(f32_lane_is_arithmetic_nan(mx, 3));

  // pmin(a, b) = b < a ? b : a; pmax(a, b) = a < b ? b : a. Bits pass
  // through unchanged, NaNs included (no quieting).
  V128 pmin = f32x4_pmin(a, b), pmax = f32x4_pmax(a, b);
  EXPECT_LANES(uint32_t, pmin, 0u, 0x8000'0000u, 0x7FC0'0000u, 0x3F80'0000u);
  EXPECT_LANES(uint32_t, pmax, 0u, 0x8000'0000u, 0x7FC0'0000u, 0x3F80'0000u);
  V128 c = make<float>(1.0f, 2.0f, snan, -INFINITY);
  V128 d = make<float>(2.0f, 1.0f, 0.0f, snan);
  EXPECT_LANES(uint32_t, f32x4_pmin(c, d), f32_bits(1.0f), f32_bits(1.0f), 0x7FA0'0000u, f32_bits(-INFINITY));
  EXPECT_LANES(uint32_t, f32x4_pmax(c, d), f32_bits(2.0f), f32_bits(2.0f), 0x7FA0'0000u, f32_bits(-INFINITY));

  V128 e = make<double>(-0.0, f64_from_bits(0x7FF4'0000'0000'0000ull));
  V128 f = make<double>(0.0, 5.0);
  EXPECT_EQ(f64_bits(get_lane<double>(f64x2_min(e, f), 0)), 0x8000'0000'0000'0000ull);
  EXPECT_EQ(f64_bits(get_lane<double>(f64x2_max(e, f), 0)), 0u);
  EXPECT_TRUE(f64_lane_is_arithmetic_nan(f64x2_min(e, f), 1));
  EXPECT_TRUE(f64_lane_is_arithmetic_nan(f64x2_max(f, e), 1));
  EXPECT_LANES(uint64_t, f64x2_pmin(e, f), 0x8000'0000'0000'0000ull, 0x7FF4'0000'0000'0000ull);
  EXPECT_LANES(uint64_t, f64x2_pmax(e, f), 0x8000'0000'0000'0000ull, 0x7FF4'0000'0000'0000ull);
  EXPECT_LANES(double, f64x2_pmin(make<double>(3.0, -1.0), make<double>(2.0, 1.0)), 2.0, -1.0);
  EXPECT_LANES(double, f64x2_pmax(make<double>(3.0, -1.0), make<double>(2.0, 1.0)), 3.0, 1.0);
}

TEST(Simd, FloatRounding) {
  EXPECT_LANES(float, f32x4_nearest(make<float>(0.5f, 1.5f, -2.5f, 8388607.5f)), 0.0f, 2.0f, -2.0f,
               8388608.0f);
  EXPECT_EQ(f32_bits(get_lane<float>(f32x4_nearest(f32x4_splat(-0.5f)), 0)), 0x8000'0000u);
  EXPECT_LANES(float, f32x4_ceil(make<float>(0.5f, -0.5f, -1.5f, 1e30f)), 1.0f, -0.0f, -1.0f, 1e30f);
  EXPECT_EQ(f32_bits(get_lane<float>(f32x4_ceil(f32x4_splat(-0.5f)), 3)), 0x8000'0000u);
  EXPECT_LANES(float, f32x4_floor(make<float>(0.5f, -0.5f, -1.5f, 1e30f)), 0.0f, -1.0f, -2.0f, 1e30f);
  EXPECT_LANES(float, f32x4_trunc(make<float>(0.5f, -0.5f, -1.5f, 1e30f)), 0.0f, -0.0f, -1.0f, 1e30f);
  EXPECT_TRUE(f32_lane_is_arithmetic_nan(f32x4_floor(f32x4_splat(f32_from_bits(0x7FA0'0000u))), 1));
  EXPECT_LANES(double, f64x2_nearest(make<double>(2.5, -4503599627370495.5)), 2.0, -4503599627370496.0);
  EXPECT_LANES(double, f64x2_ceil(make<double>(0.25, -0.25)), 1.0, -0.0);
  EXPECT_EQ(f64_bits(get_lane<double>(f64x2_ceil(make<double>(0.25, -0.25)), 1)), 0x8000'0000'0000'0000ull);
  EXPECT_LANES(double, f64x2_floor(make<double>(0.25, -0.25)), 0.0, -1.0);
  EXPECT_LANES(double, f64x2_trunc(make<double>(1.75, -1.75)), 1.0, -1.0);
  EXPECT_TRUE(
      f64_lane_is_arithmetic_nan(f64x2_trunc(f64x2_splat(f64_from_bits(0x7FF4'0000'0000'0000ull))), 0));
}

TEST(Simd, FloatComparisons) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  V128 a = make<float>(0.0f, nan, 1.0f, 2.0f);
  V128 b = make<float>(-0.0f, nan, 2.0f, 1.0f);
  EXPECT_LANES(uint32_t, f32x4_eq(a, b), ~0u, 0, 0, 0);
  EXPECT_LANES(uint32_t, f32x4_ne(a, b), 0, ~0u, ~0u, ~0u);
  EXPECT_LANES(uint32_t, f32x4_lt(a, b), 0, 0, ~0u, 0);
  EXPECT_LANES(uint32_t, f32x4_gt(a, b), 0, 0, 0, ~0u);
  EXPECT_LANES(uint32_t, f32x4_le(a, b), ~0u, 0, ~0u, 0);
  EXPECT_LANES(uint32_t, f32x4_ge(a, b), ~0u, 0, 0, ~0u);
  const double dnan = std::numeric_limits<double>::quiet_NaN();
  V128 c = make<double>(dnan, -1.0);
  V128 d = make<double>(1.0, -1.0);
  EXPECT_LANES(uint64_t, f64x2_eq(c, d), 0, ~0ull);
  EXPECT_LANES(uint64_t, f64x2_ne(c, d), ~0ull, 0);
  EXPECT_LANES(uint64_t, f64x2_lt(c, d), 0, 0);
  EXPECT_LANES(uint64_t, f64x2_gt(c, d), 0, 0);
  EXPECT_LANES(uint64_t, f64x2_le(c, d), 0, ~0ull);
  EXPECT_LANES(uint64_t, f64x2_ge(c, d), 0, ~0ull);
}

// ---------------------------------------------------------------------------
// Conversions
// ---------------------------------------------------------------------------

TEST(Simd, Conversions) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_LANES(int32_t, i32x4_trunc_sat_f32x4_s(make<float>(nan, 2147483648.0f, -2147483904.0f, -1.9f)), 0,
               INT32_MAX, INT32_MIN, -1);
  EXPECT_LANES(uint32_t, i32x4_trunc_sat_f32x4_u(make<float>(nan, 4294967296.0f, -1.0f, 4294967040.0f)), 0,
               ~0u, 0, 4294967040u);
  EXPECT_LANES(float, f32x4_convert_i32x4_s(make<int32_t>(INT32_MIN, -1, 16777217, INT32_MAX)),
               -2147483648.0f, -1.0f, 16777216.0f, 2147483648.0f);
  EXPECT_LANES(float, f32x4_convert_i32x4_u(make<uint32_t>(~0u, 0x8000'0000u, 16777219, 0xFFFF'FF7Fu)),
               4294967296.0f, 2147483648.0f, 16777220.0f, 4294967040.0f);

  const double dnan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_LANES(int32_t, i32x4_trunc_sat_f64x2_s_zero(make<double>(-2147483649.0, 2147483647.9)), INT32_MIN,
               INT32_MAX, 0, 0);
  EXPECT_LANES(int32_t, i32x4_trunc_sat_f64x2_s_zero(make<double>(dnan, -INFINITY)), 0, INT32_MIN, 0, 0);
  EXPECT_LANES(uint32_t, i32x4_trunc_sat_f64x2_u_zero(make<double>(4294967296.0, -0.9)), ~0u, 0, 0, 0);
  EXPECT_LANES(uint32_t, i32x4_trunc_sat_f64x2_u_zero(make<double>(dnan, 4294967295.5)), 0, ~0u, 0, 0);
  EXPECT_LANES(double, f64x2_convert_low_i32x4_s(make<int32_t>(INT32_MIN, -1, 5, 6)), -2147483648.0, -1.0);
  EXPECT_LANES(double, f64x2_convert_low_i32x4_u(make<uint32_t>(~0u, 0x8000'0000u, 5, 6)), 4294967295.0,
               2147483648.0);

  V128 dz =
      f32x4_demote_f64x2_zero(make<double>(0x1.fffffd0000001p+127, f64_from_bits(0x7FF4'0000'0000'0000ull)));
  EXPECT_EQ(f32_bits(get_lane<float>(dz, 0)), f32_bits(0x1.fffffep+127f));
  EXPECT_TRUE(f32_lane_is_arithmetic_nan(dz, 1));
  EXPECT_EQ(i32x4_extract_lane(dz, 2), 0u);
  EXPECT_EQ(i32x4_extract_lane(dz, 3), 0u);
  EXPECT_LANES(float, f32x4_demote_f64x2_zero(make<double>(0x1.ffffffp+127, -0x1p-150)), INFINITY, -0.0f,
               0.0f, 0.0f);
  V128 pl = f64x2_promote_low_f32x4(make<float>(0x1p-149f, f32_from_bits(0xFFA0'0000u), 7.0f, 8.0f));
  EXPECT_EQ(f64_bits(get_lane<double>(pl, 0)), f64_bits(0x1p-149));
  EXPECT_TRUE(f64_lane_is_arithmetic_nan(pl, 1));
}

TEST(Simd, OpImplDispatch) {
  V128 a = i8x16_splat(100), b = i8x16_splat(100);
  EXPECT_EQ(OpImpl<Op::I8x16AddSatS>::call(a, b), i8x16_splat(127));
  EXPECT_EQ(OpImpl<Op::I8x16ExtractLaneS>::call(i8x16_splat(0x80), 3u), 0xFFFF'FF80u);
  const uint8_t lanes[16] = {16, 0, 16, 0, 16, 0, 16, 0, 16, 0, 16, 0, 16, 0, 16, 0};
  EXPECT_EQ(OpImpl<Op::I8x16Shuffle>::call(i8x16_splat(1), i8x16_splat(2), lanes),
            make<uint16_t>(0x0102, 0x0102, 0x0102, 0x0102, 0x0102, 0x0102, 0x0102, 0x0102));
  static_assert(OpImpl<Op::F64x2PromoteLowF32x4>::kBound && !OpImpl<Op::V128Load>::kBound);
}

}  // namespace
}  // namespace wasmrt::simd
