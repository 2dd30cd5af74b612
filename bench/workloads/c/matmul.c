// Dense f64 matrix multiply, i-k-j loop order (row-major streaming), on
// 120x120 matrices (338 KiB for the three).
#include "common.h"

#define N 120
static double a[N][N], b[N][N], c[N][N];

int main(int argc, char** argv) {
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) {
      a[i][j] = (double)(rng_next() % 1000) / 64.0;
      b[i][j] = (double)(rng_next() % 1000) / 64.0;
    }
  uint32_t rounds = scaled(argc, argv, 220);
  uint64_t sum = 0;
  for (uint32_t r = 0; r < rounds; ++r) {
    for (int i = 0; i < N; ++i)
      for (int j = 0; j < N; ++j) c[i][j] = 0;
    for (int i = 0; i < N; ++i)
      for (int k = 0; k < N; ++k) {
        double aik = a[i][k];
        for (int j = 0; j < N; ++j) c[i][j] += aik * b[k][j];
      }
    double trace = 0;
    for (int i = 0; i < N; ++i) trace += c[i][i] + c[i][N - 1 - i];
    sum = mix(sum, f64_bits(trace));
    a[r % N][(r * 7) % N] += 1.0;  // each round multiplies a different matrix
  }
  return print_checksum(sum);
}
