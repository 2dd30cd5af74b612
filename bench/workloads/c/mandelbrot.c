// Mandelbrot set escape times over a 1200-wide grid: an f64 inner loop
// with a data-dependent exit.
#include "common.h"

#define WIDTH 1200
#define HEIGHT 1200
#define MAX_ITER 50

int main(int argc, char** argv) {
  // A unit is one row. Rows are visited in a scattered order (487 is prime
  // to HEIGHT), so that any prefix samples cheap and expensive rows alike
  // and the time stays proportional to the scale. Rows past HEIGHT wrap
  // with a slight vertical shift so that no two compute the same thing.
  uint32_t rows = scaled(argc, argv, 2400);
  uint64_t sum = 0;
  for (uint32_t y = 0; y < rows; ++y) {
    uint64_t row = 0;
    uint32_t image_row = y * 487 % HEIGHT;
    double ci = 2.0 * (double)image_row / HEIGHT - 1.0 + (double)(y / HEIGHT) / (4.0 * HEIGHT);
    for (uint32_t x = 0; x < WIDTH; ++x) {
      double cr = 2.0 * (double)x / WIDTH - 1.5;
      double zr = 0, zi = 0, tr = 0, ti = 0;
      int i = 0;
      for (; i < MAX_ITER && tr + ti <= 4.0; ++i) {
        zi = 2.0 * zr * zi + ci;
        zr = tr - ti + cr;
        tr = zr * zr;
        ti = zi * zi;
      }
      row = row * 31 + (uint64_t)i;
    }
    sum = mix(sum, row);
  }
  return print_checksum(sum);
}
