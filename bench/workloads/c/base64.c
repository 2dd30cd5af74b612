// Base64 encode then decode (RFC 4648 alphabet) of a generated buffer,
// checking the round trip.
#include <string.h>

#include "common.h"

#define BUFFER (3 << 18)
static uint8_t input[BUFFER], decoded[BUFFER];
static char encoded[BUFFER / 3 * 4 + 4];
static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static uint8_t reverse[256];

static size_t encode(const uint8_t* in, size_t len, char* out) {
  size_t o = 0;
  for (size_t i = 0; i + 3 <= len; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
    out[o++] = kAlphabet[v >> 18];
    out[o++] = kAlphabet[(v >> 12) & 63];
    out[o++] = kAlphabet[(v >> 6) & 63];
    out[o++] = kAlphabet[v & 63];
  }
  return o;
}

static size_t decode(const char* in, size_t len, uint8_t* out) {
  size_t o = 0;
  for (size_t i = 0; i + 4 <= len; i += 4) {
    uint32_t v = (uint32_t)reverse[(uint8_t)in[i]] << 18 | (uint32_t)reverse[(uint8_t)in[i + 1]] << 12 |
                 (uint32_t)reverse[(uint8_t)in[i + 2]] << 6 | (uint32_t)reverse[(uint8_t)in[i + 3]];
    out[o++] = (uint8_t)(v >> 16);
    out[o++] = (uint8_t)(v >> 8);
    out[o++] = (uint8_t)v;
  }
  return o;
}

int main(int argc, char** argv) {
  for (int i = 0; i < 64; ++i) reverse[(uint8_t)kAlphabet[i]] = (uint8_t)i;
  for (size_t i = 0; i < BUFFER; ++i) input[i] = (uint8_t)rng_next();
  uint32_t rounds = scaled(argc, argv, 135);
  uint64_t sum = 0;
  for (uint32_t r = 0; r < rounds; ++r) {
    size_t n = encode(input, BUFFER, encoded);
    size_t m = decode(encoded, n, decoded);
    if (m != BUFFER || memcmp(input, decoded, BUFFER) != 0) return fail("round trip");
    uint64_t word;
    memcpy(&word, encoded + (size_t)r * 4099 % (n - 8), sizeof word);
    sum = mix(sum, word);
    input[r % BUFFER] ^= (uint8_t)encoded[(r * 31) % n];
  }
  return print_checksum(sum);
}
