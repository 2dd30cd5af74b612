// Recursive Fibonacci: call and return overhead, little else. Recursion
// depth stays below 30 (Fibonacci numbers 27 to 29).
#include "common.h"

// noinline keeps the call tree a call tree even if a future clang grows
// bolder about unrolling recursion.
__attribute__((noinline)) static uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int main(int argc, char** argv) {
  uint32_t rounds = scaled(argc, argv, 240);
  uint64_t sum = 0;
  for (uint32_t i = 0; i < rounds; ++i) sum = mix(sum, fib(27 + i % 3));
  return print_checksum(sum);
}
