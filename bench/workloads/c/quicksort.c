// Quicksort (Hoare partition, median of three) of 64 Ki pseudo-random
// 32-bit keys per round: compares, swaps, recursion.
#include "common.h"

#define COUNT (64 << 10)
static uint32_t keys[COUNT];

static void quicksort(uint32_t* v, int32_t lo, int32_t hi) {
  while (hi - lo > 0) {
    int32_t mid = lo + (hi - lo) / 2;
    uint32_t x = v[lo], y = v[mid], z = v[hi];
    uint32_t pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
    int32_t i = lo - 1, j = hi + 1;
    for (;;) {
      do ++i; while (v[i] < pivot);
      do --j; while (v[j] > pivot);
      if (i >= j) break;
      uint32_t t = v[i];
      v[i] = v[j];
      v[j] = t;
    }
    // Recurse into the smaller half and loop on the larger: the depth stays
    // below log2(COUNT).
    if (j - lo < hi - j) {
      quicksort(v, lo, j);
      lo = j + 1;
    } else {
      quicksort(v, j + 1, hi);
      hi = j;
    }
  }
}

int main(int argc, char** argv) {
  uint32_t rounds = scaled(argc, argv, 100);
  uint64_t sum = 0;
  for (uint32_t r = 0; r < rounds; ++r) {
    // Every fourth round has many duplicate keys, a classic slow case.
    uint32_t mask = r % 4 == 3 ? 0xFFu : 0xFFFFFFFFu;
    for (uint32_t i = 0; i < COUNT; ++i) keys[i] = (uint32_t)(rng_next() >> 32) & mask;
    quicksort(keys, 0, COUNT - 1);
    for (uint32_t i = 1; i < COUNT; ++i)
      if (keys[i - 1] > keys[i]) return fail("not sorted");
    for (uint32_t i = 0; i < COUNT; i += 1024) sum = mix(sum, keys[i]);
  }
  return print_checksum(sum);
}
