// Exact WebAssembly semantics of every non-memory 128-bit SIMD instruction,
// as inline functions on a 16-byte V128 value. Names are the instruction's
// text name with '.' -> '_' (i8x16.add_sat_s -> simd::i8x16_add_sat_s).
//
// Operands come in stack order (bottom first), immediates last:
// extract_lane(v, lane), replace_lane(v, x, lane), shuffle(a, b, lanes).
// Lane indices are masked to the lane count so a bad immediate can never
// index out of bounds (validation rejects them anyway).
//
// Implementation tiers, all giving identical results (the tests check each):
//   * GCC/clang vector extensions for the common lane-wise operations (add,
//     sub, mul, bitwise, compares, shifts, integer min/max, abs/neg, float
//     arithmetic, pmin/pmax): SSE2 on x86-64, NEON on AArch64.
//   * SSE2 (SSE4.1 where noted) intrinsics under #if for operations that are
//     one instruction there but that compilers do not find: saturating
//     add/sub, avgr_u, narrow, extend, dot, bitmask.
//   * Plain lane loops over memcpy-unpacked arrays: the fallback for all of
//     the above and the only form for the rest. Float lanes reuse the scalar
//     functions of numerics.h, so NaN, ±0, min/max and rounding rules are the
//     same as for scalar f32/f64.
// Defining WASMRT_SIMD_NO_VECTOR_EXT forces the lane loops (for testing).
//
// Lanes are little-endian: lane 0 is bytes[0..sizeof(lane)) (the host must be
// little-endian too; numerics.h checks).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "runtime/interp/numerics.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace wasmrt::simd {

struct alignas(16) V128 {
  uint8_t bytes[16];

  friend bool operator==(const V128& a, const V128& b) { return std::memcmp(a.bytes, b.bytes, 16) == 0; }
};
static_assert(sizeof(V128) == 16 && std::is_trivially_copyable_v<V128>);

// ---------------------------------------------------------------------------
// Lane access
// ---------------------------------------------------------------------------

template <typename T>
struct Lanes {
  static constexpr size_t kCount = 16 / sizeof(T);
  T v[kCount];
};

template <typename T>
WASMRT_NUM_INLINE Lanes<T> unpack(const V128& x) {
  Lanes<T> l;
  std::memcpy(l.v, x.bytes, 16);
  return l;
}
template <typename T>
WASMRT_NUM_INLINE V128 pack(const Lanes<T>& l) {
  V128 x;
  std::memcpy(x.bytes, l.v, 16);
  return x;
}
template <typename T>
WASMRT_NUM_INLINE T get_lane(const V128& x, uint32_t lane) {
  T value;
  std::memcpy(&value, x.bytes + (lane % Lanes<T>::kCount) * sizeof(T), sizeof(T));
  return value;
}
template <typename T>
WASMRT_NUM_INLINE V128 set_lane(V128 x, uint32_t lane, T value) {
  std::memcpy(x.bytes + (lane % Lanes<T>::kCount) * sizeof(T), &value, sizeof(T));
  return x;
}

// Builds a vector from lane values, lane 0 first (handy for tests and
// constant folding): make<int16_t>(1, 2, 3, 4, 5, 6, 7, 8).
template <typename T, typename... Args>
WASMRT_NUM_INLINE V128 make(Args... values) {
  static_assert(sizeof...(Args) == Lanes<T>::kCount, "one value per lane");
  Lanes<T> l{{static_cast<T>(values)...}};
  return pack(l);
}

WASMRT_NUM_INLINE V128 v128_const(const uint8_t* bytes) {
  V128 x;
  std::memcpy(x.bytes, bytes, 16);
  return x;
}

namespace detail {
template <size_t N>
struct UintOfSize;
template <>
struct UintOfSize<1> {
  using type = uint8_t;
};
template <>
struct UintOfSize<2> {
  using type = uint16_t;
};
template <>
struct UintOfSize<4> {
  using type = uint32_t;
};
template <>
struct UintOfSize<8> {
  using type = uint64_t;
};
template <typename T>
using MaskOf = typename UintOfSize<sizeof(T)>::type;

// r[i] = f(a[i])
template <typename T, typename R = T, typename Fn>
WASMRT_NUM_INLINE V128 map1(const V128& a, Fn f) {
  static_assert(sizeof(T) == sizeof(R));
  Lanes<T> x = unpack<T>(a);
  Lanes<R> r;
  for (size_t i = 0; i < Lanes<T>::kCount; ++i) r.v[i] = static_cast<R>(f(x.v[i]));
  return pack(r);
}
// r[i] = f(a[i], b[i])
template <typename T, typename Fn>
WASMRT_NUM_INLINE V128 map2(const V128& a, const V128& b, Fn f) {
  Lanes<T> x = unpack<T>(a), y = unpack<T>(b), r;
  for (size_t i = 0; i < Lanes<T>::kCount; ++i) r.v[i] = static_cast<T>(f(x.v[i], y.v[i]));
  return pack(r);
}
// r[i] = f(a[i], b[i]) ? all ones : 0
template <typename T, typename Fn>
WASMRT_NUM_INLINE V128 compare(const V128& a, const V128& b, Fn f) {
  using M = MaskOf<T>;
  Lanes<T> x = unpack<T>(a), y = unpack<T>(b);
  Lanes<M> r;
  for (size_t i = 0; i < Lanes<T>::kCount; ++i) r.v[i] = f(x.v[i], y.v[i]) ? M(~M(0)) : M(0);
  return pack(r);
}
// Lane shift by a scalar count taken modulo the lane width.
template <typename T, typename Fn>
WASMRT_NUM_INLINE V128 shift(const V128& a, uint32_t count, Fn f) {
  const uint32_t n = count & (sizeof(T) * 8 - 1);
  Lanes<T> x = unpack<T>(a), r;
  for (size_t i = 0; i < Lanes<T>::kCount; ++i) r.v[i] = static_cast<T>(f(x.v[i], n));
  return pack(r);
}
template <typename T>
WASMRT_NUM_INLINE V128 splat(T value) {
  Lanes<T> r;
  for (size_t i = 0; i < Lanes<T>::kCount; ++i) r.v[i] = value;
  return pack(r);
}
// Widening: r[i] = Wide(a[i + offset]) for the low (offset 0) or high half.
template <typename Narrow, typename Wide, size_t kOffset>
WASMRT_NUM_INLINE V128 extend(const V128& a) {
  Lanes<Narrow> x = unpack<Narrow>(a);
  Lanes<Wide> r;
  for (size_t i = 0; i < Lanes<Wide>::kCount; ++i) r.v[i] = static_cast<Wide>(x.v[i + kOffset]);
  return pack(r);
}
// r[i] = Wide(a[i + off]) * Wide(b[i + off]), computed in the unsigned Wide
// type so the product wraps instead of overflowing (u16*u16 > INT32_MAX).
template <typename Narrow, typename Wide, size_t kOffset>
WASMRT_NUM_INLINE V128 extmul(const V128& a, const V128& b) {
  using U = MaskOf<Wide>;
  using P = std::conditional_t<(sizeof(U) < sizeof(uint32_t)), uint32_t, U>;  // dodge int promotion
  Lanes<Narrow> x = unpack<Narrow>(a), y = unpack<Narrow>(b);
  Lanes<U> r;
  for (size_t i = 0; i < Lanes<U>::kCount; ++i)
    r.v[i] = static_cast<U>(P(static_cast<U>(static_cast<Wide>(x.v[i + kOffset]))) *
                            P(static_cast<U>(static_cast<Wide>(y.v[i + kOffset]))));
  return pack(r);
}
// r[i] = Wide(a[2i]) + Wide(a[2i+1]) (cannot overflow the wide lane)
template <typename Narrow, typename Wide>
WASMRT_NUM_INLINE V128 extadd_pairwise(const V128& a) {
  Lanes<Narrow> x = unpack<Narrow>(a);
  Lanes<Wide> r;
  for (size_t i = 0; i < Lanes<Wide>::kCount; ++i)
    r.v[i] = static_cast<Wide>(static_cast<Wide>(x.v[2 * i]) + static_cast<Wide>(x.v[2 * i + 1]));
  return pack(r);
}
// Saturating narrow of the signed Wide lanes of a (low half) and b (high
// half) into Narrow (signed or unsigned) lanes.
template <typename Wide, typename Narrow>
WASMRT_NUM_INLINE V128 narrow(const V128& a, const V128& b) {
  constexpr Wide kLo = static_cast<Wide>(std::is_signed_v<Narrow> ? -(1 << (sizeof(Narrow) * 8 - 1)) : 0);
  constexpr Wide kHi = static_cast<Wide>(std::is_signed_v<Narrow> ? (1 << (sizeof(Narrow) * 8 - 1)) - 1
                                                                  : (1 << (sizeof(Narrow) * 8)) - 1);
  Lanes<Wide> x = unpack<Wide>(a), y = unpack<Wide>(b);
  Lanes<Narrow> r;
  constexpr size_t kHalf = Lanes<Wide>::kCount;
  for (size_t i = 0; i < kHalf; ++i) {
    Wide v = x.v[i] < kLo ? kLo : x.v[i] > kHi ? kHi : x.v[i];
    r.v[i] = static_cast<Narrow>(v);
  }
  for (size_t i = 0; i < kHalf; ++i) {
    Wide v = y.v[i] < kLo ? kLo : y.v[i] > kHi ? kHi : y.v[i];
    r.v[kHalf + i] = static_cast<Narrow>(v);
  }
  return pack(r);
}
template <typename T>
WASMRT_NUM_INLINE uint32_t all_true(const V128& a) {
  Lanes<T> x = unpack<T>(a);
  bool all = true;
  for (size_t i = 0; i < Lanes<T>::kCount; ++i) all &= x.v[i] != 0;
  return all;
}
// Bit i of the result is the sign bit of lane i.
template <typename T>
WASMRT_NUM_INLINE uint32_t bitmask(const V128& a) {
  using M = MaskOf<T>;
  Lanes<M> x = unpack<M>(a);
  uint32_t mask = 0;
  for (size_t i = 0; i < Lanes<M>::kCount; ++i) mask |= uint32_t(x.v[i] >> (sizeof(M) * 8 - 1)) << i;
  return mask;
}
// Saturating add/sub of narrow lanes: exact in int, then clamped.
template <typename T>
WASMRT_NUM_INLINE T saturate(int v) {
  constexpr int kLo = std::is_signed_v<T> ? -(1 << (sizeof(T) * 8 - 1)) : 0;
  constexpr int kHi = std::is_signed_v<T> ? (1 << (sizeof(T) * 8 - 1)) - 1 : (1 << (sizeof(T) * 8)) - 1;
  return static_cast<T>(v < kLo ? kLo : v > kHi ? kHi : v);
}
// Unsigned-arithmetic abs: the most negative value maps to itself.
template <typename T>
WASMRT_NUM_INLINE V128 abs(const V128& a) {
  using M = MaskOf<T>;
  return map1<M>(a, [](M x) { return static_cast<M>(x >> (sizeof(M) * 8 - 1) ? M(0) - x : x); });
}

// GCC and clang vector extensions: one portable spelling that becomes SSE2
// on x86-64 and NEON on AArch64. The plain lane loops above are the fallback
// for other compilers (and what clang 14 fails to vectorise for 8- and
// 16-bit lanes, hence this path for the common lane-wise operations).
#if defined(__GNUC__) && !defined(WASMRT_SIMD_NO_VECTOR_EXT)  // the macro forces the fallback (tests)
#define WASMRT_SIMD_VECTOR_EXT 1
template <typename T>
struct VecType {
  typedef T type __attribute__((vector_size(16)));
};
template <typename T>
using Vec = typename VecType<T>::type;
template <typename T>
WASMRT_NUM_INLINE Vec<T> vload(const V128& x) {
  Vec<T> v;
  std::memcpy(&v, x.bytes, 16);
  return v;
}
template <typename W>
WASMRT_NUM_INLINE V128 vstore(const W& v) {
  static_assert(sizeof(W) == 16);
  V128 x;
  std::memcpy(x.bytes, &v, 16);
  return x;
}
// Lanes of x where the comparison mask m is all ones, else lanes of y.
template <typename W, typename M>
WASMRT_NUM_INLINE W select(M m, W x, W y) {
  const W mask = (W)m;
  return (x & mask) | (y & ~mask);
}
#else
#define WASMRT_SIMD_VECTOR_EXT 0
#endif
}  // namespace detail

// ---------------------------------------------------------------------------
// Splat, lanes, shuffles
// ---------------------------------------------------------------------------

WASMRT_NUM_INLINE V128 i8x16_splat(uint32_t x) {
  return detail::splat<uint8_t>(uint8_t(x));
}
WASMRT_NUM_INLINE V128 i16x8_splat(uint32_t x) {
  return detail::splat<uint16_t>(uint16_t(x));
}
WASMRT_NUM_INLINE V128 i32x4_splat(uint32_t x) {
  return detail::splat<uint32_t>(x);
}
WASMRT_NUM_INLINE V128 i64x2_splat(uint64_t x) {
  return detail::splat<uint64_t>(x);
}
WASMRT_NUM_INLINE V128 f32x4_splat(float x) {
  return detail::splat<float>(x);
}
WASMRT_NUM_INLINE V128 f64x2_splat(double x) {
  return detail::splat<double>(x);
}

WASMRT_NUM_INLINE uint32_t i8x16_extract_lane_s(const V128& v, uint32_t lane) {
  return uint32_t(int32_t(get_lane<int8_t>(v, lane)));
}
WASMRT_NUM_INLINE uint32_t i8x16_extract_lane_u(const V128& v, uint32_t lane) {
  return get_lane<uint8_t>(v, lane);
}
WASMRT_NUM_INLINE uint32_t i16x8_extract_lane_s(const V128& v, uint32_t lane) {
  return uint32_t(int32_t(get_lane<int16_t>(v, lane)));
}
WASMRT_NUM_INLINE uint32_t i16x8_extract_lane_u(const V128& v, uint32_t lane) {
  return get_lane<uint16_t>(v, lane);
}
WASMRT_NUM_INLINE uint32_t i32x4_extract_lane(const V128& v, uint32_t lane) {
  return get_lane<uint32_t>(v, lane);
}
WASMRT_NUM_INLINE uint64_t i64x2_extract_lane(const V128& v, uint32_t lane) {
  return get_lane<uint64_t>(v, lane);
}
WASMRT_NUM_INLINE float f32x4_extract_lane(const V128& v, uint32_t lane) {
  return get_lane<float>(v, lane);
}
WASMRT_NUM_INLINE double f64x2_extract_lane(const V128& v, uint32_t lane) {
  return get_lane<double>(v, lane);
}

WASMRT_NUM_INLINE V128 i8x16_replace_lane(const V128& v, uint32_t x, uint32_t lane) {
  return set_lane<uint8_t>(v, lane, uint8_t(x));
}
WASMRT_NUM_INLINE V128 i16x8_replace_lane(const V128& v, uint32_t x, uint32_t lane) {
  return set_lane<uint16_t>(v, lane, uint16_t(x));
}
WASMRT_NUM_INLINE V128 i32x4_replace_lane(const V128& v, uint32_t x, uint32_t lane) {
  return set_lane<uint32_t>(v, lane, x);
}
WASMRT_NUM_INLINE V128 i64x2_replace_lane(const V128& v, uint64_t x, uint32_t lane) {
  return set_lane<uint64_t>(v, lane, x);
}
WASMRT_NUM_INLINE V128 f32x4_replace_lane(const V128& v, float x, uint32_t lane) {
  return set_lane<float>(v, lane, x);
}
WASMRT_NUM_INLINE V128 f64x2_replace_lane(const V128& v, double x, uint32_t lane) {
  return set_lane<double>(v, lane, x);
}

// Lane indices 0-15 pick from a, 16-31 from b (validation guarantees < 32;
// the mask keeps a bad index in bounds anyway).
WASMRT_NUM_INLINE V128 i8x16_shuffle(const V128& a, const V128& b, const uint8_t* lanes) {
  uint8_t both[32];
  std::memcpy(both, a.bytes, 16);
  std::memcpy(both + 16, b.bytes, 16);
  V128 r;
  for (size_t i = 0; i < 16; ++i) r.bytes[i] = both[lanes[i] & 31];
  return r;
}
WASMRT_NUM_INLINE V128 i8x16_shuffle(const V128& a, const V128& b, const V128& lanes) {
  return i8x16_shuffle(a, b, lanes.bytes);
}
// Indices >= 16 select 0.
WASMRT_NUM_INLINE V128 i8x16_swizzle(const V128& a, const V128& s) {
  V128 r;
  for (size_t i = 0; i < 16; ++i) r.bytes[i] = s.bytes[i] < 16 ? a.bytes[s.bytes[i] & 15] : 0;
  return r;
}

// ---------------------------------------------------------------------------
// Bitwise
// ---------------------------------------------------------------------------

// Lane-wise bodies with the operands named x and y (vectors with the
// extension, single lanes in the fallback loops).
#if WASMRT_SIMD_VECTOR_EXT
#define WASMRT_SIMD_UNARY(T, expr)      \
  {                                     \
    const auto x = detail::vload<T>(a); \
    return detail::vstore(expr);        \
  }
#define WASMRT_SIMD_BINARY(T, expr)                              \
  {                                                              \
    const auto x = detail::vload<T>(a), y = detail::vload<T>(b); \
    return detail::vstore(expr);                                 \
  }
#define WASMRT_SIMD_COMPARE(T, op) WASMRT_SIMD_BINARY(T, x op y)
#define WASMRT_SIMD_SELECT(T, cond, then_value, else_value) \
  WASMRT_SIMD_BINARY(T, detail::select(cond, then_value, else_value))
#define WASMRT_SIMD_SHIFT(T, op)                         \
  {                                                      \
    const int count = int(n & (sizeof(T) * 8 - 1));      \
    return detail::vstore(detail::vload<T>(a) op count); \
  }
#else
#define WASMRT_SIMD_UNARY(T, expr)                       \
  {                                                      \
    return detail::map1<T>(a, [](T x) { return expr; }); \
  }
#define WASMRT_SIMD_BINARY(T, expr)                              \
  {                                                              \
    return detail::map2<T>(a, b, [](T x, T y) { return expr; }); \
  }
#define WASMRT_SIMD_COMPARE(T, op)                                    \
  {                                                                   \
    return detail::compare<T>(a, b, [](T x, T y) { return x op y; }); \
  }
#define WASMRT_SIMD_SELECT(T, cond, then_value, else_value) \
  WASMRT_SIMD_BINARY(T, (cond) ? (then_value) : (else_value))
#define WASMRT_SIMD_SHIFT(T, op)                                                           \
  {                                                                                        \
    return detail::shift<T>(a, n, [](T x, uint32_t c) { return static_cast<T>(x op c); }); \
  }
#endif

WASMRT_NUM_INLINE V128 v128_not(const V128& a) WASMRT_SIMD_UNARY(uint64_t, ~x) WASMRT_NUM_INLINE V128
    v128_and(const V128& a, const V128& b) WASMRT_SIMD_BINARY(uint64_t, x& y) WASMRT_NUM_INLINE V128
    v128_andnot(const V128& a, const V128& b) WASMRT_SIMD_BINARY(uint64_t, x & ~y) WASMRT_NUM_INLINE V128
    v128_or(const V128& a, const V128& b) WASMRT_SIMD_BINARY(uint64_t, x | y) WASMRT_NUM_INLINE V128
    v128_xor(const V128& a, const V128& b) WASMRT_SIMD_BINARY(uint64_t, x ^ y)
    // Bits of a where c is 1, bits of b where c is 0.
    WASMRT_NUM_INLINE V128 v128_bitselect(const V128& a, const V128& b, const V128& c) {
  Lanes<uint64_t> x = unpack<uint64_t>(a), y = unpack<uint64_t>(b), m = unpack<uint64_t>(c), r;
  for (size_t i = 0; i < 2; ++i) r.v[i] = (x.v[i] & m.v[i]) | (y.v[i] & ~m.v[i]);
  return pack(r);
}
WASMRT_NUM_INLINE uint32_t v128_any_true(const V128& a) {
  Lanes<uint64_t> x = unpack<uint64_t>(a);
  return (x.v[0] | x.v[1]) != 0;
}

// ---------------------------------------------------------------------------
// Integer comparisons
// ---------------------------------------------------------------------------

#define WASMRT_SIMD_INT_COMPARE(shape, S, U)                                                              \
  WASMRT_NUM_INLINE V128 shape##_eq(const V128& a, const V128& b) WASMRT_SIMD_COMPARE(U, ==)              \
      WASMRT_NUM_INLINE V128 shape##_ne(const V128& a, const V128& b) WASMRT_SIMD_COMPARE(U, !=)          \
          WASMRT_NUM_INLINE V128 shape##_lt_s(const V128& a, const V128& b) WASMRT_SIMD_COMPARE(S, <)     \
              WASMRT_NUM_INLINE V128 shape##_gt_s(const V128& a, const V128& b) WASMRT_SIMD_COMPARE(S, >) \
                  WASMRT_NUM_INLINE V128 shape##_le_s(const V128& a, const V128& b)                       \
                      WASMRT_SIMD_COMPARE(S, <=)                                                          \
                          WASMRT_NUM_INLINE V128 shape##_ge_s(const V128& a, const V128& b)               \
                              WASMRT_SIMD_COMPARE(S, >=)
#define WASMRT_SIMD_INT_COMPARE_U(shape, U)                                                            \
  WASMRT_NUM_INLINE V128 shape##_lt_u(const V128& a, const V128& b) WASMRT_SIMD_COMPARE(U, <)          \
      WASMRT_NUM_INLINE V128 shape##_gt_u(const V128& a, const V128& b) WASMRT_SIMD_COMPARE(U, >)      \
          WASMRT_NUM_INLINE V128 shape##_le_u(const V128& a, const V128& b) WASMRT_SIMD_COMPARE(U, <=) \
              WASMRT_NUM_INLINE V128 shape##_ge_u(const V128& a, const V128& b) WASMRT_SIMD_COMPARE(U, >=)

WASMRT_SIMD_INT_COMPARE(i8x16, int8_t, uint8_t)
WASMRT_SIMD_INT_COMPARE_U(i8x16, uint8_t)
WASMRT_SIMD_INT_COMPARE(i16x8, int16_t, uint16_t)
WASMRT_SIMD_INT_COMPARE_U(i16x8, uint16_t)
WASMRT_SIMD_INT_COMPARE(i32x4, int32_t, uint32_t)
WASMRT_SIMD_INT_COMPARE_U(i32x4, uint32_t)
WASMRT_SIMD_INT_COMPARE(i64x2, int64_t, uint64_t)  // i64x2 has no unsigned orderings
#undef WASMRT_SIMD_INT_COMPARE
#undef WASMRT_SIMD_INT_COMPARE_U

// ---------------------------------------------------------------------------
// Float comparisons (false for NaN lanes, except ne)
// ---------------------------------------------------------------------------

#define WASMRT_SIMD_FLOAT_COMPARE(shape, F)                                                                  \
  WASMRT_NUM_INLINE V128 shape##_eq(const V128& a, const V128& b) WASMRT_SIMD_COMPARE(F, ==)                 \
      WASMRT_NUM_INLINE V128 shape##_ne(const V128& a, const V128& b) WASMRT_SIMD_COMPARE(F, !=)             \
          WASMRT_NUM_INLINE V128 shape##_lt(const V128& a, const V128& b) WASMRT_SIMD_COMPARE(F, <)          \
              WASMRT_NUM_INLINE V128 shape##_gt(const V128& a, const V128& b) WASMRT_SIMD_COMPARE(F, >)      \
                  WASMRT_NUM_INLINE V128 shape##_le(const V128& a, const V128& b) WASMRT_SIMD_COMPARE(F, <=) \
                      WASMRT_NUM_INLINE V128 shape##_ge(const V128& a, const V128& b)                        \
                          WASMRT_SIMD_COMPARE(F, >=)
WASMRT_SIMD_FLOAT_COMPARE(f32x4, float)
WASMRT_SIMD_FLOAT_COMPARE(f64x2, double)
#undef WASMRT_SIMD_FLOAT_COMPARE

// ---------------------------------------------------------------------------
// Integer lane arithmetic shared by all shapes
// ---------------------------------------------------------------------------

// neg and abs work on the unsigned lanes so the most negative value wraps
// to itself instead of overflowing.
#if WASMRT_SIMD_VECTOR_EXT
#define WASMRT_SIMD_ABS_BODY(S, U)                        \
  {                                                       \
    using UV = detail::Vec<U>;                            \
    const auto x = detail::vload<S>(a);                   \
    const UV negative = (UV)(x < detail::Vec<S>{});       \
    return detail::vstore(((UV)x ^ negative) - negative); \
  }
#else
#define WASMRT_SIMD_ABS_BODY(S, U) \
  { return detail::abs<U>(a); }
#endif
#define WASMRT_SIMD_INT_COMMON(shape, S, U)                                                         \
  WASMRT_NUM_INLINE V128 shape##_add(const V128& a, const V128& b) WASMRT_SIMD_BINARY(U, x + y)     \
      WASMRT_NUM_INLINE V128 shape##_sub(const V128& a, const V128& b) WASMRT_SIMD_BINARY(U, x - y) \
          WASMRT_NUM_INLINE V128 shape##_neg(const V128& a) WASMRT_SIMD_UNARY(U, U(0) - x)          \
              WASMRT_NUM_INLINE V128 shape##_abs(const V128& a) WASMRT_SIMD_ABS_BODY(S, U)          \
                  WASMRT_NUM_INLINE uint32_t shape##_all_true(const V128& a) {                      \
    return detail::all_true<U>(a);                                                                  \
  }                                                                                                 \
  WASMRT_NUM_INLINE V128 shape##_shl(const V128& a, uint32_t n) WASMRT_SIMD_SHIFT(U, <<)            \
      WASMRT_NUM_INLINE V128 shape##_shr_s(const V128& a, uint32_t n) WASMRT_SIMD_SHIFT(S, >>)      \
          WASMRT_NUM_INLINE V128 shape##_shr_u(const V128& a, uint32_t n) WASMRT_SIMD_SHIFT(U, >>)
WASMRT_SIMD_INT_COMMON(i8x16, int8_t, uint8_t)
WASMRT_SIMD_INT_COMMON(i16x8, int16_t, uint16_t)
WASMRT_SIMD_INT_COMMON(i32x4, int32_t, uint32_t)
WASMRT_SIMD_INT_COMMON(i64x2, int64_t, uint64_t)
#undef WASMRT_SIMD_INT_COMMON
#undef WASMRT_SIMD_ABS_BODY

// min/max and avgr_u exist for the 8-, 16- and 32-bit shapes (avgr_u not for
// 32); saturating add/sub for 8 and 16.
#define WASMRT_SIMD_INT_MINMAX(shape, S, U)                                                                 \
  WASMRT_NUM_INLINE V128 shape##_min_s(const V128& a, const V128& b) WASMRT_SIMD_SELECT(S, x < y, x, y)     \
      WASMRT_NUM_INLINE V128 shape##_min_u(const V128& a, const V128& b) WASMRT_SIMD_SELECT(U, x < y, x, y) \
          WASMRT_NUM_INLINE V128 shape##_max_s(const V128& a, const V128& b)                                \
              WASMRT_SIMD_SELECT(S, x > y, x, y)                                                            \
                  WASMRT_NUM_INLINE V128 shape##_max_u(const V128& a, const V128& b)                        \
                      WASMRT_SIMD_SELECT(U, x > y, x, y)
WASMRT_SIMD_INT_MINMAX(i8x16, int8_t, uint8_t)
WASMRT_SIMD_INT_MINMAX(i16x8, int16_t, uint16_t)
WASMRT_SIMD_INT_MINMAX(i32x4, int32_t, uint32_t)
#undef WASMRT_SIMD_INT_MINMAX

#define WASMRT_SIMD_INT_SAT(shape, S, U, sse_adds, sse_addus, sse_subs, sse_subus, sse_avg)      \
  WASMRT_NUM_INLINE V128 shape##_add_sat_s(const V128& a, const V128& b) {                       \
    WASMRT_SIMD_SSE2_BINARY(sse_adds)                                                            \
    return detail::map2<S>(a, b, [](S x, S y) { return detail::saturate<S>(int(x) + int(y)); }); \
  }                                                                                              \
  WASMRT_NUM_INLINE V128 shape##_add_sat_u(const V128& a, const V128& b) {                       \
    WASMRT_SIMD_SSE2_BINARY(sse_addus)                                                           \
    return detail::map2<U>(a, b, [](U x, U y) { return detail::saturate<U>(int(x) + int(y)); }); \
  }                                                                                              \
  WASMRT_NUM_INLINE V128 shape##_sub_sat_s(const V128& a, const V128& b) {                       \
    WASMRT_SIMD_SSE2_BINARY(sse_subs)                                                            \
    return detail::map2<S>(a, b, [](S x, S y) { return detail::saturate<S>(int(x) - int(y)); }); \
  }                                                                                              \
  WASMRT_NUM_INLINE V128 shape##_sub_sat_u(const V128& a, const V128& b) {                       \
    WASMRT_SIMD_SSE2_BINARY(sse_subus)                                                           \
    return detail::map2<U>(a, b, [](U x, U y) { return detail::saturate<U>(int(x) - int(y)); }); \
  }                                                                                              \
  WASMRT_NUM_INLINE V128 shape##_avgr_u(const V128& a, const V128& b) {                          \
    WASMRT_SIMD_SSE2_BINARY(sse_avg)                                                             \
    return detail::map2<U>(a, b, [](U x, U y) { return (uint32_t(x) + uint32_t(y) + 1) >> 1; }); \
  }

// With SSE2 the saturating forms and the rounding average are single
// instructions the compilers do not always find on their own.
#if defined(__SSE2__)
namespace detail {
WASMRT_NUM_INLINE __m128i to_m128i(const V128& v) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(v.bytes));
}
WASMRT_NUM_INLINE V128 from_m128i(__m128i m) {
  V128 v;
  _mm_storeu_si128(reinterpret_cast<__m128i*>(v.bytes), m);
  return v;
}
}  // namespace detail
#define WASMRT_SIMD_SSE2_BINARY(intrinsic) \
  return detail::from_m128i(intrinsic(detail::to_m128i(a), detail::to_m128i(b)));
#else
#define WASMRT_SIMD_SSE2_BINARY(intrinsic)
#endif

WASMRT_SIMD_INT_SAT(i8x16, int8_t, uint8_t, _mm_adds_epi8, _mm_adds_epu8, _mm_subs_epi8, _mm_subs_epu8,
                    _mm_avg_epu8)
WASMRT_SIMD_INT_SAT(i16x8, int16_t, uint16_t, _mm_adds_epi16, _mm_adds_epu16, _mm_subs_epi16, _mm_subs_epu16,
                    _mm_avg_epu16)
#undef WASMRT_SIMD_INT_SAT

// Multiplication in the unsigned lane type (wraps); u16 * u16 is widened to
// uint32_t first because int promotion would overflow.
// (Vector lanes do not promote; the scalar fallback's uint16_t does.)
#if WASMRT_SIMD_VECTOR_EXT
WASMRT_NUM_INLINE V128 i16x8_mul(const V128& a, const V128& b) WASMRT_SIMD_BINARY(uint16_t, x* y)
#else
WASMRT_NUM_INLINE V128 i16x8_mul(const V128& a, const V128& b)
    WASMRT_SIMD_BINARY(uint16_t, uint32_t(x) * uint32_t(y))
#endif
    WASMRT_NUM_INLINE V128 i32x4_mul(const V128& a, const V128& b) WASMRT_SIMD_BINARY(uint32_t, x* y)
    // Stays a lane loop: two scalar multiplies beat the SSE2 emulation of a
    // 64-bit vector multiply.
    WASMRT_NUM_INLINE V128 i64x2_mul(const V128& a, const V128& b) {
  return detail::map2<uint64_t>(a, b, [](uint64_t x, uint64_t y) { return x * y; });
}

WASMRT_NUM_INLINE V128 i8x16_popcnt(const V128& a) {
  return detail::map1<uint8_t>(a, [](uint8_t x) {
    x = uint8_t(x - ((x >> 1) & 0x55));
    x = uint8_t((x & 0x33) + ((x >> 2) & 0x33));
    return uint8_t((x + (x >> 4)) & 0x0F);
  });
}

// (a * b + 2^14) >> 15, saturated: only INT16_MIN * INT16_MIN overflows.
WASMRT_NUM_INLINE V128 i16x8_q15mulr_sat_s(const V128& a, const V128& b) {
  return detail::map2<int16_t>(a, b, [](int16_t x, int16_t y) {
    int32_t p = (int32_t(x) * int32_t(y) + 0x4000) >> 15;
    return int16_t(p > 0x7FFF ? 0x7FFF : p);
  });
}

// Pairwise products of signed 16-bit lanes, summed with wrap-around (the
// single overflowing case, all four inputs INT16_MIN, wraps to INT32_MIN).
WASMRT_NUM_INLINE V128 i32x4_dot_i16x8_s(const V128& a, const V128& b) {
#if defined(__SSE2__)
  return detail::from_m128i(
      _mm_madd_epi16(detail::to_m128i(a), detail::to_m128i(b)));  // pmaddwd wraps the same way
#endif
  Lanes<int16_t> x = unpack<int16_t>(a), y = unpack<int16_t>(b);
  Lanes<uint32_t> r;
  for (size_t i = 0; i < 4; ++i)
    r.v[i] = uint32_t(int32_t(x.v[2 * i]) * int32_t(y.v[2 * i])) +
             uint32_t(int32_t(x.v[2 * i + 1]) * int32_t(y.v[2 * i + 1]));
  return pack(r);
}

// ---------------------------------------------------------------------------
// Bitmask
// ---------------------------------------------------------------------------

WASMRT_NUM_INLINE uint32_t i8x16_bitmask(const V128& a) {
#if defined(__SSE2__)
  return uint32_t(_mm_movemask_epi8(detail::to_m128i(a)));
#else
  return detail::bitmask<uint8_t>(a);
#endif
}
WASMRT_NUM_INLINE uint32_t i16x8_bitmask(const V128& a) {
  return detail::bitmask<uint16_t>(a);
}
WASMRT_NUM_INLINE uint32_t i32x4_bitmask(const V128& a) {
#if defined(__SSE2__)
  return uint32_t(_mm_movemask_ps(_mm_castsi128_ps(detail::to_m128i(a))));
#else
  return detail::bitmask<uint32_t>(a);
#endif
}
WASMRT_NUM_INLINE uint32_t i64x2_bitmask(const V128& a) {
#if defined(__SSE2__)
  return uint32_t(_mm_movemask_pd(_mm_castsi128_pd(detail::to_m128i(a))));
#else
  return detail::bitmask<uint64_t>(a);
#endif
}

// ---------------------------------------------------------------------------
// Narrowing, widening, pairwise and extended multiplication
// ---------------------------------------------------------------------------

// SSE2 packs (packsswb/packuswb/packssdw, SSE4.1 packusdw) saturate exactly
// like the Wasm narrows: signed input lanes, signed or unsigned output.
WASMRT_NUM_INLINE V128 i8x16_narrow_i16x8_s(const V128& a, const V128& b) {
#if defined(__SSE2__)
  WASMRT_SIMD_SSE2_BINARY(_mm_packs_epi16)
#endif
  return detail::narrow<int16_t, int8_t>(a, b);
}
WASMRT_NUM_INLINE V128 i8x16_narrow_i16x8_u(const V128& a, const V128& b) {
#if defined(__SSE2__)
  WASMRT_SIMD_SSE2_BINARY(_mm_packus_epi16)
#endif
  return detail::narrow<int16_t, uint8_t>(a, b);
}
WASMRT_NUM_INLINE V128 i16x8_narrow_i32x4_s(const V128& a, const V128& b) {
#if defined(__SSE2__)
  WASMRT_SIMD_SSE2_BINARY(_mm_packs_epi32)
#endif
  return detail::narrow<int32_t, int16_t>(a, b);
}
WASMRT_NUM_INLINE V128 i16x8_narrow_i32x4_u(const V128& a, const V128& b) {
#if defined(__SSE4_1__)
  WASMRT_SIMD_SSE2_BINARY(_mm_packus_epi32)
#endif
  return detail::narrow<int32_t, uint16_t>(a, b);
}

#if defined(__SSE2__)
// Interleaving a vector with itself and shifting right arithmetically by the
// lane width sign-extends; interleaving with zero zero-extends.
namespace detail {
template <int kBits, bool kHigh, bool kSigned>
WASMRT_NUM_INLINE V128 extend_sse2(const V128& a) {
  const __m128i x = to_m128i(a);
  __m128i partner = _mm_setzero_si128();
  if constexpr (kSigned) {
    if constexpr (kBits == 8) partner = _mm_cmpgt_epi8(partner, x);  // sign mask per byte
    if constexpr (kBits == 16) partner = _mm_srai_epi16(x, 15);
    if constexpr (kBits == 32) partner = _mm_srai_epi32(x, 31);
  }
  if constexpr (kBits == 8)
    return from_m128i(kHigh ? _mm_unpackhi_epi8(x, partner) : _mm_unpacklo_epi8(x, partner));
  if constexpr (kBits == 16)
    return from_m128i(kHigh ? _mm_unpackhi_epi16(x, partner) : _mm_unpacklo_epi16(x, partner));
  return from_m128i(kHigh ? _mm_unpackhi_epi32(x, partner) : _mm_unpacklo_epi32(x, partner));
}
}  // namespace detail
#define WASMRT_SIMD_EXTEND(Narrow, Wide, kHigh) \
  return detail::extend_sse2<int(sizeof(Narrow) * 8), kHigh, std::is_signed_v<Narrow>>(a);
#else
#define WASMRT_SIMD_EXTEND(Narrow, Wide, kHigh) \
  return detail::extend < Narrow, Wide, kHigh ? Lanes<Wide>::kCount : 0 > (a);
#endif
WASMRT_NUM_INLINE V128 i16x8_extend_low_i8x16_s(const V128& a){
    WASMRT_SIMD_EXTEND(int8_t, int16_t, false)} WASMRT_NUM_INLINE V128
    i16x8_extend_high_i8x16_s(const V128& a){WASMRT_SIMD_EXTEND(int8_t, int16_t, true)} WASMRT_NUM_INLINE V128
    i16x8_extend_low_i8x16_u(const V128& a){
        WASMRT_SIMD_EXTEND(uint8_t, uint16_t, false)} WASMRT_NUM_INLINE V128
    i16x8_extend_high_i8x16_u(const V128& a){
        WASMRT_SIMD_EXTEND(uint8_t, uint16_t, true)} WASMRT_NUM_INLINE V128
    i32x4_extend_low_i16x8_s(const V128& a){
        WASMRT_SIMD_EXTEND(int16_t, int32_t, false)} WASMRT_NUM_INLINE V128
    i32x4_extend_high_i16x8_s(const V128& a){
        WASMRT_SIMD_EXTEND(int16_t, int32_t, true)} WASMRT_NUM_INLINE V128
    i32x4_extend_low_i16x8_u(const V128& a){
        WASMRT_SIMD_EXTEND(uint16_t, uint32_t, false)} WASMRT_NUM_INLINE V128
    i32x4_extend_high_i16x8_u(const V128& a){
        WASMRT_SIMD_EXTEND(uint16_t, uint32_t, true)} WASMRT_NUM_INLINE V128
    i64x2_extend_low_i32x4_s(const V128& a){
        WASMRT_SIMD_EXTEND(int32_t, int64_t, false)} WASMRT_NUM_INLINE V128
    i64x2_extend_high_i32x4_s(const V128& a){
        WASMRT_SIMD_EXTEND(int32_t, int64_t, true)} WASMRT_NUM_INLINE V128
    i64x2_extend_low_i32x4_u(const V128& a){
        WASMRT_SIMD_EXTEND(uint32_t, uint64_t, false)} WASMRT_NUM_INLINE V128
    i64x2_extend_high_i32x4_u(const V128& a){WASMRT_SIMD_EXTEND(uint32_t, uint64_t, true)}
#undef WASMRT_SIMD_EXTEND

WASMRT_NUM_INLINE V128 i16x8_extadd_pairwise_i8x16_s(const V128& a) {
  return detail::extadd_pairwise<int8_t, int16_t>(a);
}
WASMRT_NUM_INLINE V128 i16x8_extadd_pairwise_i8x16_u(const V128& a) {
  return detail::extadd_pairwise<uint8_t, uint16_t>(a);
}
WASMRT_NUM_INLINE V128 i32x4_extadd_pairwise_i16x8_s(const V128& a) {
  return detail::extadd_pairwise<int16_t, int32_t>(a);
}
WASMRT_NUM_INLINE V128 i32x4_extadd_pairwise_i16x8_u(const V128& a) {
  return detail::extadd_pairwise<uint16_t, uint32_t>(a);
}

WASMRT_NUM_INLINE V128 i16x8_extmul_low_i8x16_s(const V128& a, const V128& b) {
  return detail::extmul<int8_t, int16_t, 0>(a, b);
}
WASMRT_NUM_INLINE V128 i16x8_extmul_high_i8x16_s(const V128& a, const V128& b) {
  return detail::extmul<int8_t, int16_t, 8>(a, b);
}
WASMRT_NUM_INLINE V128 i16x8_extmul_low_i8x16_u(const V128& a, const V128& b) {
  return detail::extmul<uint8_t, uint16_t, 0>(a, b);
}
WASMRT_NUM_INLINE V128 i16x8_extmul_high_i8x16_u(const V128& a, const V128& b) {
  return detail::extmul<uint8_t, uint16_t, 8>(a, b);
}
WASMRT_NUM_INLINE V128 i32x4_extmul_low_i16x8_s(const V128& a, const V128& b) {
  return detail::extmul<int16_t, int32_t, 0>(a, b);
}
WASMRT_NUM_INLINE V128 i32x4_extmul_high_i16x8_s(const V128& a, const V128& b) {
  return detail::extmul<int16_t, int32_t, 4>(a, b);
}
WASMRT_NUM_INLINE V128 i32x4_extmul_low_i16x8_u(const V128& a, const V128& b) {
  return detail::extmul<uint16_t, uint32_t, 0>(a, b);
}
WASMRT_NUM_INLINE V128 i32x4_extmul_high_i16x8_u(const V128& a, const V128& b) {
  return detail::extmul<uint16_t, uint32_t, 4>(a, b);
}
WASMRT_NUM_INLINE V128 i64x2_extmul_low_i32x4_s(const V128& a, const V128& b) {
  return detail::extmul<int32_t, int64_t, 0>(a, b);
}
WASMRT_NUM_INLINE V128 i64x2_extmul_high_i32x4_s(const V128& a, const V128& b) {
  return detail::extmul<int32_t, int64_t, 2>(a, b);
}
WASMRT_NUM_INLINE V128 i64x2_extmul_low_i32x4_u(const V128& a, const V128& b) {
  return detail::extmul<uint32_t, uint64_t, 0>(a, b);
}
WASMRT_NUM_INLINE V128 i64x2_extmul_high_i32x4_u(const V128& a, const V128& b) {
  return detail::extmul<uint32_t, uint64_t, 2>(a, b);
}

// ---------------------------------------------------------------------------
// Float lane arithmetic (same rules as the scalar ops in numerics.h)
// ---------------------------------------------------------------------------

#define WASMRT_SIMD_FLOAT_OPS(shape, F, s, sfx, arr)                                                         \
  WASMRT_NUM_INLINE V128 shape##_abs(const V128& a)                                                          \
      WASMRT_SIMD_UNARY(detail::MaskOf<F>, x & ~(detail::MaskOf<F>(1) << (sizeof(F) * 8 - 1)))               \
          WASMRT_NUM_INLINE V128 shape##_neg(const V128& a)                                                  \
              WASMRT_SIMD_UNARY(detail::MaskOf<F>, x ^ (detail::MaskOf<F>(1) << (sizeof(F) * 8 - 1)))        \
                  WASMRT_NUM_INLINE V128 shape##_sqrt(const V128& a) {                                       \
    return detail::map1<F>(a, [](F x) { return num::s##_sqrt(x); });                                         \
  }                                                                                                          \
  WASMRT_NUM_INLINE V128 shape##_ceil(const V128& a) {                                                       \
    return detail::map1<F>(a, [](F x) { return num::s##_ceil(x); });                                         \
  }                                                                                                          \
  WASMRT_NUM_INLINE V128 shape##_floor(const V128& a) {                                                      \
    return detail::map1<F>(a, [](F x) { return num::s##_floor(x); });                                        \
  }                                                                                                          \
  WASMRT_NUM_INLINE V128 shape##_trunc(const V128& a) {                                                      \
    return detail::map1<F>(a, [](F x) { return num::s##_trunc(x); });                                        \
  }                                                                                                          \
  WASMRT_NUM_INLINE V128 shape##_nearest(const V128& a) {                                                    \
    return detail::map1<F>(a, [](F x) { return num::s##_nearest(x); });                                      \
  }                                                                                                          \
  WASMRT_SIMD_FLOAT_ARITH(shape##_add, F, x + y, "add" sfx, "fadd", arr)                                     \
  WASMRT_SIMD_FLOAT_ARITH(shape##_sub, F, x - y, "sub" sfx, "fsub", arr)                                     \
  WASMRT_SIMD_FLOAT_ARITH(shape##_mul, F, x * y, "mul" sfx, "fmul", arr)                                     \
  WASMRT_SIMD_FLOAT_ARITH(shape##_div, F, x / y, "div" sfx, "fdiv", arr)                                     \
  WASMRT_NUM_INLINE V128 shape##_min(const V128& a, const V128& b) {                                         \
    return detail::map2<F>(a, b, [](F x, F y) { return num::s##_min(x, y); });                               \
  }                                                                                                          \
  WASMRT_NUM_INLINE V128 shape##_max(const V128& a, const V128& b) {                                         \
    return detail::map2<F>(a, b, [](F x, F y) { return num::s##_max(x, y); });                               \
  }                                                                                                          \
  /* Pseudo-min/max: `b < a ? b : a` / `a < b ? b : a`; operand bits pass through untouched. */              \
  WASMRT_NUM_INLINE V128 shape##_pmin(const V128& a, const V128& b) WASMRT_SIMD_FLOAT_SELECT(F, y < x, y, x) \
      WASMRT_NUM_INLINE V128 shape##_pmax(const V128& a, const V128& b)                                      \
          WASMRT_SIMD_FLOAT_SELECT(F, x < y, y, x)
// Float lanes are selected through their bits (no bitwise ops on float vectors).
#if WASMRT_SIMD_VECTOR_EXT
#define WASMRT_SIMD_FLOAT_SELECT(F, cond, then_value, else_value)                    \
  {                                                                                  \
    using UV = detail::Vec<detail::MaskOf<F>>;                                       \
    const auto x = detail::vload<F>(a), y = detail::vload<F>(b);                     \
    return detail::vstore(detail::select(cond, (UV)(then_value), (UV)(else_value))); \
  }
#else
#define WASMRT_SIMD_FLOAT_SELECT(F, cond, then_value, else_value) \
  WASMRT_SIMD_BINARY(F, (cond) ? (then_value) : (else_value))
#endif
// Lane arithmetic. Which NaN comes back when both operands of a lane are
// NaNs is the instruction's operand order (x86-64: the first operand's;
// AArch64: a signaling one's, else the first's), and a C++ `x + y` may be
// compiled with its operands swapped, as for the scalar ops (numerics.h,
// WASMRT_ORDERED_FLOAT_OP): on x86-64 and AArch64 the instruction is
// written out in wasm operand order, which the optimizing tier's inline
// SIMD (jit/opt/x64/lower_simd.cc, jit/opt/a64/lower_simd.cc) uses too.
#if defined(__GNUC__) && defined(__x86_64__)
#define WASMRT_SIMD_FLOAT_ARITH(name, F, expr, insn, a64_insn, arr) \
  WASMRT_NUM_INLINE V128 name(const V128& a, const V128& b) {       \
    __m128i x = detail::to_m128i(a);                                \
    const __m128i y = detail::to_m128i(b);                          \
    __asm__(insn " %1, %0" : "+x"(x) : "x"(y));                     \
    return detail::from_m128i(x);                                   \
  }
#elif defined(__GNUC__) && defined(__aarch64__)
#define WASMRT_SIMD_FLOAT_ARITH(name, F, expr, insn, a64_insn, arr)                  \
  WASMRT_NUM_INLINE V128 name(const V128& a, const V128& b) {                        \
    typedef F Lanes16 __attribute__((vector_size(16)));                              \
    Lanes16 x, y, r;                                                                 \
    std::memcpy(&x, a.bytes, 16);                                                    \
    std::memcpy(&y, b.bytes, 16);                                                    \
    __asm__(a64_insn " %0." arr ", %1." arr ", %2." arr : "=w"(r) : "w"(x), "w"(y)); \
    V128 out;                                                                        \
    std::memcpy(out.bytes, &r, 16);                                                  \
    return out;                                                                      \
  }
#else
#define WASMRT_SIMD_FLOAT_ARITH(name, F, expr, insn, a64_insn, arr) \
  WASMRT_NUM_INLINE V128 name(const V128& a, const V128& b) WASMRT_SIMD_BINARY(F, expr)
#endif
WASMRT_SIMD_FLOAT_OPS(f32x4, float, f32, "ps", "4s")
WASMRT_SIMD_FLOAT_OPS(f64x2, double, f64, "pd", "2d")
#undef WASMRT_SIMD_FLOAT_OPS
#undef WASMRT_SIMD_FLOAT_SELECT
#undef WASMRT_SIMD_FLOAT_ARITH

// ---------------------------------------------------------------------------
// Conversions
// ---------------------------------------------------------------------------

WASMRT_NUM_INLINE V128 i32x4_trunc_sat_f32x4_s(const V128& a) {
  return detail::map1<float, uint32_t>(a, [](float x) { return num::i32_trunc_sat_f32_s(x); });
}
WASMRT_NUM_INLINE V128 i32x4_trunc_sat_f32x4_u(const V128& a) {
  return detail::map1<float, uint32_t>(a, [](float x) { return num::i32_trunc_sat_f32_u(x); });
}
WASMRT_NUM_INLINE V128 f32x4_convert_i32x4_s(const V128& a) {
  return detail::map1<uint32_t, float>(a, [](uint32_t x) { return num::f32_convert_i32_s(x); });
}
WASMRT_NUM_INLINE V128 f32x4_convert_i32x4_u(const V128& a) {
  return detail::map1<uint32_t, float>(a, [](uint32_t x) { return num::f32_convert_i32_u(x); });
}
// The two f64 lanes become i32 lanes 0 and 1; lanes 2 and 3 are zero.
WASMRT_NUM_INLINE V128 i32x4_trunc_sat_f64x2_s_zero(const V128& a) {
  Lanes<double> x = unpack<double>(a);
  return make<uint32_t>(num::i32_trunc_sat_f64_s(x.v[0]), num::i32_trunc_sat_f64_s(x.v[1]), 0, 0);
}
WASMRT_NUM_INLINE V128 i32x4_trunc_sat_f64x2_u_zero(const V128& a) {
  Lanes<double> x = unpack<double>(a);
  return make<uint32_t>(num::i32_trunc_sat_f64_u(x.v[0]), num::i32_trunc_sat_f64_u(x.v[1]), 0, 0);
}
WASMRT_NUM_INLINE V128 f64x2_convert_low_i32x4_s(const V128& a) {
  Lanes<uint32_t> x = unpack<uint32_t>(a);
  return make<double>(num::f64_convert_i32_s(x.v[0]), num::f64_convert_i32_s(x.v[1]));
}
WASMRT_NUM_INLINE V128 f64x2_convert_low_i32x4_u(const V128& a) {
  Lanes<uint32_t> x = unpack<uint32_t>(a);
  return make<double>(num::f64_convert_i32_u(x.v[0]), num::f64_convert_i32_u(x.v[1]));
}
WASMRT_NUM_INLINE V128 f32x4_demote_f64x2_zero(const V128& a) {
  Lanes<double> x = unpack<double>(a);
  return make<float>(num::f32_demote_f64(x.v[0]), num::f32_demote_f64(x.v[1]), 0.0f, 0.0f);
}
WASMRT_NUM_INLINE V128 f64x2_promote_low_f32x4(const V128& a) {
  Lanes<float> x = unpack<float>(a);
  return make<double>(num::f64_promote_f32(x.v[0]), num::f64_promote_f32(x.v[1]));
}

#undef WASMRT_SIMD_SSE2_BINARY
#undef WASMRT_SIMD_UNARY
#undef WASMRT_SIMD_BINARY
#undef WASMRT_SIMD_COMPARE
#undef WASMRT_SIMD_SELECT
#undef WASMRT_SIMD_SHIFT

}  // namespace wasmrt::simd
