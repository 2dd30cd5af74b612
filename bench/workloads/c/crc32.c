// CRC-32 (IEEE 802.3, reflected) with a 256-entry table: table lookups
// and byte loads.
#include "common.h"

#define BUFFER (1 << 20)
static uint8_t buffer[BUFFER];
static uint32_t table[256];

static uint32_t crc32(const uint8_t* data, size_t len) {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < len; ++i) crc = table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

int main(int argc, char** argv) {
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  // The standard check value: CRC-32 of "123456789" is cbf43926.
  if (crc32((const uint8_t*)"123456789", 9) != 0xCBF43926u) return fail("crc32(\"123456789\")");
  for (size_t i = 0; i < BUFFER; ++i) buffer[i] = (uint8_t)rng_next();
  uint32_t rounds = scaled(argc, argv, 150);
  uint64_t sum = 0;
  for (uint32_t r = 0; r < rounds; ++r) {
    uint32_t crc = crc32(buffer, BUFFER);
    buffer[r % BUFFER] ^= (uint8_t)crc;
    sum = mix(sum, crc);
  }
  return print_checksum(sum);
}
