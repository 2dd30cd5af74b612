// SIMD kernels for timing the optimizing tier's inline v128 code against
// its helper calls (bench/simd/README.md). Each kernel runs over small
// arrays many times, so the time is the v128 instructions' and not
// memory's; main prints a checksum so that every tier can be compared.
//
//   clang --target=wasm32-wasi --sysroot=/usr -O2 -msimd128 -o simd_kernels.wasm simd_kernels.c
//   wasm-run --engine optimizing simd_kernels.wasm [rounds]
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <wasm_simd128.h>

#define N 1024

static float xs[N], ys[N];
static int32_t is[N];
static int16_t hs[N];
static uint8_t bytes[N];

// y = a * x + y, then the sum of y (f32x4 mul, add, loads and stores).
static float saxpy(float a) {
  v128_t va = wasm_f32x4_splat(a), sum = wasm_f32x4_splat(0);
  for (int i = 0; i < N; i += 4) {
    v128_t x = wasm_v128_load(xs + i), y = wasm_v128_load(ys + i);
    y = wasm_f32x4_add(wasm_f32x4_mul(va, x), y);
    wasm_v128_store(ys + i, y);
    sum = wasm_f32x4_add(sum, y);
  }
  return wasm_f32x4_extract_lane(sum, 0) + wasm_f32x4_extract_lane(sum, 1) + wasm_f32x4_extract_lane(sum, 2) +
         wasm_f32x4_extract_lane(sum, 3);
}

// Integer mixing: i32x4 mul/add/xor/shifts and min/max.
static uint32_t mix(void) {
  v128_t acc = wasm_i32x4_splat(0x9E3779B9), lo = wasm_i32x4_splat(INT32_MAX), hi = wasm_i32x4_splat(INT32_MIN);
  for (int i = 0; i < N; i += 4) {
    v128_t v = wasm_v128_load(is + i);
    v = wasm_i32x4_mul(v, wasm_i32x4_splat(0x01000193));
    v = wasm_v128_xor(v, wasm_u32x4_shr(v, 15));
    acc = wasm_i32x4_add(wasm_i32x4_shl(acc, 5), wasm_v128_xor(acc, v));
    lo = wasm_i32x4_min(lo, v);
    hi = wasm_i32x4_max(hi, v);
  }
  acc = wasm_v128_xor(acc, wasm_v128_xor(lo, hi));
  return wasm_i32x4_extract_lane(acc, 0) ^ wasm_i32x4_extract_lane(acc, 1) ^ wasm_i32x4_extract_lane(acc, 2) ^
         wasm_i32x4_extract_lane(acc, 3);
}

// Counting a byte (i8x16.eq, bitmask) and a dot product of i16 lanes.
static uint32_t bytes_and_dots(uint8_t needle) {
  uint32_t count = 0;
  v128_t n = wasm_i8x16_splat(needle), dot = wasm_i32x4_splat(0);
  for (int i = 0; i < N; i += 16) {
    v128_t m = wasm_i8x16_eq(wasm_v128_load(bytes + i), n);
    if (wasm_v128_any_true(m)) count += __builtin_popcount(wasm_i8x16_bitmask(m));
  }
  for (int i = 0; i < N; i += 8) {
    v128_t h = wasm_v128_load(hs + i);
    dot = wasm_i32x4_add(dot, wasm_i32x4_dot_i16x8(h, wasm_i16x8_add(h, wasm_i16x8_splat(3))));
  }
  dot = wasm_i32x4_add(dot, wasm_i32x4_shuffle(dot, dot, 2, 3, 0, 1));
  return count + (uint32_t)wasm_i32x4_extract_lane(dot, 0) + (uint32_t)wasm_i32x4_extract_lane(dot, 1);
}

int main(int argc, char** argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 20000;
  uint32_t seed = 12345;
  for (int i = 0; i < N; ++i) {
    seed = seed * 1103515245u + 12345u;
    xs[i] = (float)(seed >> 16) / 65536.0f;
    ys[i] = 0.0f;
    is[i] = (int32_t)seed;
    hs[i] = (int16_t)(seed >> 8);
    bytes[i] = (uint8_t)(seed >> 24);
  }
  float f = 0;
  uint32_t u = 0;
  for (int r = 0; r < rounds; ++r) {
    f += saxpy(r & 1 ? -0.5f : 0.5f);
    u = u * 31 + mix();
    u = u * 31 + bytes_and_dots((uint8_t)r);
  }
  printf("%.3f %u\n", (double)f, u);
  return 0;
}
