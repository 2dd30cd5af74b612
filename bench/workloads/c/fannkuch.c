// Fannkuch-redux: walks every permutation of n elements and counts the
// prefix reversals until the first element is 0 (small-array loads and
// stores, data-dependent branches).
#include "common.h"

#define N 8

// One pass over all N! permutations, starting from a rotated identity so
// that each round flips different arrangements. Returns the alternating
// flip sum and the largest flip count in one word.
static uint64_t fannkuch(int rotate) {
  int32_t perm[N], perm1[N], count[N];
  int32_t max_flips = 0, alternating = 0;
  for (int i = 0; i < N; ++i) perm1[i] = (i + rotate) % N;
  int r = N;
  for (uint32_t index = 0;; ++index) {
    for (; r != 1; --r) count[r - 1] = r;
    for (int i = 0; i < N; ++i) perm[i] = perm1[i];
    int32_t flips = 0;
    for (int32_t k = perm[0]; k != 0; k = perm[0]) {
      for (int i = 0, j = k; i < j; ++i, --j) {
        int32_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
      }
      ++flips;
    }
    if (flips > max_flips) max_flips = flips;
    alternating += (index & 1) ? -flips : flips;
    // Next permutation: rotate the first r+1 elements until a counter
    // has not run out.
    for (;;) {
      if (r == N) return (uint64_t)(uint32_t)alternating << 32 | (uint32_t)max_flips;
      int32_t first = perm1[0];
      for (int i = 0; i < r; ++i) perm1[i] = perm1[i + 1];
      perm1[r] = first;
      if (--count[r] > 0) break;
      ++r;
    }
  }
}

int main(int argc, char** argv) {
  uint32_t rounds = scaled(argc, argv, 180);
  uint64_t sum = 0;
  for (uint32_t i = 0; i < rounds; ++i) sum = mix(sum, fannkuch((int)(i % N)));
  return print_checksum(sum);
}
