// Sieve of Eratosthenes over 1 MiB of byte flags, repeated with a bound
// that changes every round: byte loads and stores in tight nested loops.
#include <string.h>

#include "common.h"

#define LIMIT (1u << 20)
static uint8_t composite[LIMIT];

int main(int argc, char** argv) {
  uint32_t rounds = scaled(argc, argv, 80);
  uint64_t sum = 0;
  for (uint32_t r = 0; r < rounds; ++r) {
    uint32_t limit = LIMIT - r * 97 % 4096;
    memset(composite, 0, limit);
    uint32_t count = 0, last = 0;
    for (uint32_t i = 2; i < limit; ++i) {
      if (composite[i]) continue;
      ++count;
      last = i;
      if (i > limit / i) continue;  // i*i would pass the limit (and may overflow)
      for (uint32_t j = i * i; j < limit; j += i) composite[j] = 1;
    }
    sum = mix(sum, (uint64_t)count << 32 | last);
  }
  return print_checksum(sum);
}
