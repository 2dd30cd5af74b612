// memcpy/memset/memmove-heavy code: blocks of varying sizes shuffled around
// a 4 MiB arena, the way serializers, allocators and buffer managers do.
// Built for the MVP target, these are wasi-libc's memcpy/memset/memmove
// (word loops), not bulk-memory instructions.
#include <string.h>

#include "common.h"

#define ARENA (4u << 20)
#define HALF (ARENA / 2)
#define MAX_LEN 4096u
static uint8_t arena[ARENA];

int main(int argc, char** argv) {
  for (uint32_t i = 0; i < ARENA; ++i) arena[i] = (uint8_t)(i * 7 + (i >> 11));
  // 10,000 operations per unit.
  uint32_t units = scaled(argc, argv, 220);
  uint64_t sum = 0;
  for (uint32_t u = 0; u < units; ++u) {
    for (uint32_t k = 0; k < 10000; ++k) {
      uint64_t r = rng_next();
      // Mostly small blocks, now and then a large one.
      uint32_t len = (r & 7) == 0 ? 1 + (uint32_t)(r >> 3) % MAX_LEN : 1 + (uint32_t)(r >> 3) % 256;
      uint32_t a = (uint32_t)(r >> 16) % (HALF - MAX_LEN);
      uint32_t b = (uint32_t)(r >> 40) % (HALF - MAX_LEN);
      switch (k % 4) {
        case 0:  // disjoint: from one half to the other
          memcpy(arena + HALF + b, arena + a, len);
          break;
        case 1:  // overlapping, both directions
          memmove(arena + a + (r >> 60), arena + a, len);
          memmove(arena + b, arena + b + (r >> 61), len);
          break;
        case 2:
          memset(arena + HALF + a, (int)(r >> 56), len);
          break;
        default: {  // through a stack buffer, touched in between
          uint8_t tmp[MAX_LEN];
          memcpy(tmp, arena + HALF + a, len);
          for (uint32_t i = 0; i < len; i += 61) tmp[i] ^= (uint8_t)i;
          memcpy(arena + b, tmp, len);
        }
      }
    }
    uint64_t h = 0;
    for (uint32_t i = u % 512; i < ARENA; i += 4096) h = h * 31 + arena[i];
    sum = mix(sum, h);
  }
  return print_checksum(sum);
}
