// Shared by the C workloads: the scale argument, a deterministic PRNG and
// the checksum line the runner verifies.
#ifndef WASMRT_BENCH_COMMON_H
#define WASMRT_BENCH_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

// argv[1] is the size in percent of the full workload (default 100), so the
// runner can shrink every workload at once for quick runs. Each workload
// repeats a unit of work `scaled(..., units)` times, with units >= 100 at
// full size, so that the time stays proportional even at small scales.
// A scale that is not a number is an error (exit 2), not a silent default.
static inline uint32_t scaled(int argc, char** argv, uint32_t full) {
  long percent = 100;
  if (argc > 1) {
    char* end;
    percent = strtol(argv[1], &end, 10);
    if (end == argv[1] || *end != '\0') {
      fprintf(stderr, "usage: %s [SCALE_PERCENT]\n", argv[0]);
      exit(2);
    }
  }
  if (percent < 1) percent = 1;
  if (percent > 100000) percent = 100000;
  uint64_t n = (uint64_t)full * (uint64_t)percent / 100;
  return n > 0 ? (uint32_t)n : 1;
}

// xorshift64*: fixed seed, so every runtime sees the same inputs.
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static inline uint64_t rng_next(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545F4914F6CDD1Dull;
}

// Folds a 64-bit word into a running checksum. The xor-shift after the
// multiply carries high bits down, so that words with zero low bits (small
// dyadic doubles, shifted counts) still affect every bit of the result.
static inline uint64_t mix(uint64_t h, uint64_t v) {
  h = (h ^ v) * 0x9E3779B97F4A7C15ull;
  return h ^ (h >> 29);
}

// Floating-point results enter the checksum by their bits: wasm float
// arithmetic is deterministic except for NaN payloads, and no workload
// produces a NaN.
static inline uint64_t f64_bits(double d) {
  uint64_t bits;
  __builtin_memcpy(&bits, &d, sizeof bits);
  return bits;
}

// The one line on stdout.
static inline int print_checksum(uint64_t sum) {
  printf("checksum: %016llx\n", (unsigned long long)sum);
  return 0;
}

// A self-check failed (a wrong result, not a slow one): say so on stderr
// and exit non-zero, so the runner reports the runtime as broken.
static inline int fail(const char* what) {
  fprintf(stderr, "self-check failed: %s\n", what);
  return 1;
}

#endif
