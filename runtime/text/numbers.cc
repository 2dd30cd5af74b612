#include "runtime/text/numbers.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include "runtime/text/lexer.h"

namespace wasmrt::text {
namespace {

Error number_error(const char* message) {
  Error e;
  e.phase = Phase::Malformed;
  e.message = message;
  return e;
}

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_integer_literal(std::string_view s) {
  if (!is_number_literal(s)) return false;
  size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  std::string_view rest = s.substr(i);
  if (rest.starts_with("0x")) {
    return rest.find_first_of(".pP") == std::string_view::npos;
  }
  return rest.find_first_of(".eEin") == std::string_view::npos;  // i/n: inf/nan
}

// Magnitude of an integer literal (sign stripped). `overflow` set when the
// magnitude exceeds 2^64-1.
struct Magnitude {
  bool negative = false;
  bool has_sign = false;
  bool overflow = false;
  uint64_t value = 0;
};

Result<Magnitude> integer_magnitude(std::string_view s) {
  if (!is_integer_literal(s)) return number_error("unexpected token");
  Magnitude m;
  size_t i = 0;
  if (s[0] == '+' || s[0] == '-') {
    m.negative = s[0] == '-';
    m.has_sign = true;
    ++i;
  }
  unsigned base = 10;
  if (s.substr(i).starts_with("0x")) {
    base = 16;
    i += 2;
  }
  for (; i < s.size(); ++i) {
    if (s[i] == '_') continue;
    uint64_t d = static_cast<uint64_t>(digit_value(s[i]));
    if (m.value > (UINT64_MAX - d) / base) {
      m.overflow = true;
      m.value = UINT64_MAX;
    } else {
      m.value = m.value * base + d;
    }
  }
  return m;
}

// Signed-or-unsigned range check for an N-bit integer.
Result<uint64_t> parse_int_bits(std::string_view s, unsigned bits) {
  auto m = integer_magnitude(s);
  if (!m) return std::move(m).error();
  uint64_t umax = bits == 64 ? UINT64_MAX : (uint64_t{1} << bits) - 1;
  uint64_t smin_mag = uint64_t{1} << (bits - 1);
  if (m->overflow) return number_error("constant out of range");
  if (m->negative) {
    if (m->value > smin_mag) return number_error("constant out of range");
    return (uint64_t{0} - m->value) & umax;
  }
  if (m->value > umax) return number_error("constant out of range");
  // An explicit `+` makes the literal an sN: it must fit the signed range.
  if (m->has_sign && m->value >= smin_mag) return number_error("constant out of range");
  return m->value;
}

// Float format parameters.
struct FloatFormat {
  int mantissa_bits;  // explicit fraction bits: 23 / 52
  int bias;           // 127 / 1023
  int total_bits;     // 32 / 64
};
constexpr FloatFormat kF32{23, 127, 32};
constexpr FloatFormat kF64{52, 1023, 64};

uint64_t sign_bit(const FloatFormat& f) { return uint64_t{1} << (f.total_bits - 1); }
uint64_t exponent_mask(const FloatFormat& f) {
  return ((uint64_t{1} << (f.total_bits - 1 - f.mantissa_bits)) - 1) << f.mantissa_bits;
}

// Rounds m * 2^e (m != 0 or sticky) to the format, nearest-even; `sticky`
// says nonzero bits were dropped below m's lowest bit. Returns false on
// overflow to infinity.
bool round_binary(uint64_t m, int64_t e, bool sticky, const FloatFormat& f, uint64_t& bits) {
  if (m == 0) {
    bits = 0;
    return true;
  }
  int msb = 63 - __builtin_clzll(m);
  const int64_t min_exp2 = 1 - f.bias - f.mantissa_bits;  // scale of subnormal ulp
  int64_t shift = std::max<int64_t>(msb - f.mantissa_bits, min_exp2 - e);
  uint64_t sig;
  if (shift <= 0) {
    // Exact: the value needs no rounding (sticky can only be set when m
    // has more than 60 significant bits, i.e. shift > 0).
    if (-shift > 63 - msb) return false;  // absurdly large scale; treat as overflow
    sig = m << (-shift);
  } else {
    uint64_t half, rest;
    if (shift >= 64) {
      sig = 0;
      half = (shift == 64) ? (m >> 63) : 0;
      rest = (shift == 64) ? (m & ~(uint64_t{1} << 63)) : m;
      if (shift > 64) {
        half = 0;
        rest = m;
      }
    } else {
      sig = m >> shift;
      half = (m >> (shift - 1)) & 1;
      rest = m & ((uint64_t{1} << (shift - 1)) - 1);
    }
    bool above_half = half && (rest != 0 || sticky);
    bool exactly_half = half && rest == 0 && !sticky;
    if (above_half || (exactly_half && (sig & 1))) ++sig;
  }
  int64_t exp2 = e + shift;  // value = sig * 2^exp2
  if (sig == 0) {
    bits = 0;
    return true;
  }
  if (sig >= (uint64_t{2} << f.mantissa_bits)) {
    sig >>= 1;
    ++exp2;
  }
  const uint64_t hidden = uint64_t{1} << f.mantissa_bits;
  if (sig >= hidden) {
    int64_t biased = exp2 + f.mantissa_bits + f.bias;
    if (biased >= 2 * f.bias + 1) return false;
    bits = (static_cast<uint64_t>(biased) << f.mantissa_bits) | (sig & (hidden - 1));
  } else {
    bits = sig;  // subnormal: exp2 == min_exp2
  }
  return true;
}

// Hex float magnitude "0x" hexnum ('.' hexfrac?)? ('p' sign? num)?, with
// underscores already validated by the lexer grammar.
bool parse_hex_float(std::string_view s, const FloatFormat& f, uint64_t& bits) {
  size_t i = 2;  // past "0x"
  uint64_t m = 0;
  int64_t e = 0;
  bool sticky = false;
  bool after_point = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_') continue;
    if (c == '.') {
      after_point = true;
      continue;
    }
    if (c == 'p' || c == 'P') break;
    int d = digit_value(c);
    if (m >> 60) {
      // No room for another digit: fold it into the sticky bit.
      if (d != 0) sticky = true;
      if (!after_point) e += 4;
    } else {
      m = m * 16 + static_cast<uint64_t>(d);
      if (after_point) e -= 4;
    }
  }
  if (i < s.size()) {
    ++i;  // 'p'
    bool neg = false;
    if (s[i] == '+' || s[i] == '-') {
      neg = s[i] == '-';
      ++i;
    }
    int64_t p = 0;
    for (; i < s.size(); ++i) {
      if (s[i] == '_') continue;
      if (p < 100000000) p = p * 10 + (s[i] - '0');  // saturate far beyond any format
    }
    e += neg ? -p : p;
  }
  if (m == 0) {
    bits = 0;
    return true;
  }
  return round_binary(m, e, sticky, f, bits);
}

Result<uint64_t> parse_float_bits(std::string_view s, const FloatFormat& f) {
  if (!is_number_literal(s)) return number_error("unexpected token");
  bool negative = false;
  std::string_view mag = s;
  if (!mag.empty() && (mag[0] == '+' || mag[0] == '-')) {
    negative = mag[0] == '-';
    mag.remove_prefix(1);
  }
  const uint64_t sign = negative ? sign_bit(f) : 0;
  const uint64_t mant_mask = (uint64_t{1} << f.mantissa_bits) - 1;
  if (mag == "inf") return sign | exponent_mask(f);
  if (mag == "nan") return sign | exponent_mask(f) | (uint64_t{1} << (f.mantissa_bits - 1));
  if (mag.starts_with("nan:0x")) {
    uint64_t payload = 0;
    for (char c : mag.substr(6)) {
      if (c == '_') continue;
      if (payload > mant_mask) return number_error("constant out of range");
      payload = payload * 16 + static_cast<uint64_t>(digit_value(c));
    }
    if (payload == 0 || payload > mant_mask) return number_error("constant out of range");
    return sign | exponent_mask(f) | payload;
  }
  uint64_t bits = 0;
  if (mag.starts_with("0x")) {
    if (!parse_hex_float(mag, f, bits)) return number_error("constant out of range");
    return sign | bits;
  }
  // Decimal: glibc's strtod/strtof are correctly rounded.
  std::string clean;
  clean.reserve(mag.size());
  for (char c : mag) {
    if (c != '_') clean.push_back(c);
  }
  errno = 0;
  if (f.total_bits == 32) {
    float v = std::strtof(clean.c_str(), nullptr);
    if (std::isinf(v)) return number_error("constant out of range");
    uint32_t b;
    std::memcpy(&b, &v, 4);
    bits = b;
  } else {
    double v = std::strtod(clean.c_str(), nullptr);
    if (std::isinf(v)) return number_error("constant out of range");
    std::memcpy(&bits, &v, 8);
  }
  return sign | bits;
}

}  // namespace

Result<uint32_t> parse_i32(std::string_view literal) {
  auto r = parse_int_bits(literal, 32);
  if (!r) return std::move(r).error();
  return static_cast<uint32_t>(*r);
}
Result<uint64_t> parse_i64(std::string_view literal) { return parse_int_bits(literal, 64); }
Result<uint8_t> parse_i8(std::string_view literal) {
  auto r = parse_int_bits(literal, 8);
  if (!r) return std::move(r).error();
  return static_cast<uint8_t>(*r);
}
Result<uint16_t> parse_i16(std::string_view literal) {
  auto r = parse_int_bits(literal, 16);
  if (!r) return std::move(r).error();
  return static_cast<uint16_t>(*r);
}

Result<uint32_t> parse_u32(std::string_view literal) {
  auto m = integer_magnitude(literal);
  if (!m) return std::move(m).error();
  if (m->has_sign) return number_error("unexpected token");
  if (m->overflow || m->value > UINT32_MAX) return number_error("i32 constant out of range");
  return static_cast<uint32_t>(m->value);
}
Result<uint64_t> parse_u64(std::string_view literal) {
  auto m = integer_magnitude(literal);
  if (!m) return std::move(m).error();
  if (m->has_sign) return number_error("unexpected token");
  if (m->overflow) return number_error("i64 constant out of range");
  return m->value;
}

Result<uint32_t> parse_f32_bits(std::string_view literal) {
  auto r = parse_float_bits(literal, kF32);
  if (!r) return std::move(r).error();
  return static_cast<uint32_t>(*r);
}
Result<uint64_t> parse_f64_bits(std::string_view literal) { return parse_float_bits(literal, kF64); }

unsigned v128_lane_count(std::string_view shape) {
  if (shape == "i8x16") return 16;
  if (shape == "i16x8") return 8;
  if (shape == "i32x4" || shape == "f32x4") return 4;
  if (shape == "i64x2" || shape == "f64x2") return 2;
  return 0;
}

Result<std::array<uint8_t, 16>> parse_v128(std::string_view shape, std::span<const std::string_view> lanes) {
  unsigned count = v128_lane_count(shape);
  if (count == 0) return number_error("unexpected token");
  if (lanes.size() != count) return number_error("wrong number of lane literals");
  std::array<uint8_t, 16> out{};
  unsigned width = 16 / count;
  for (unsigned lane = 0; lane < count; ++lane) {
    uint64_t bits = 0;
    std::string_view lit = lanes[lane];
    if (shape == "i8x16") {
      auto r = parse_i8(lit);
      if (!r) return std::move(r).error();
      bits = *r;
    } else if (shape == "i16x8") {
      auto r = parse_i16(lit);
      if (!r) return std::move(r).error();
      bits = *r;
    } else if (shape == "i32x4") {
      auto r = parse_i32(lit);
      if (!r) return std::move(r).error();
      bits = *r;
    } else if (shape == "i64x2") {
      auto r = parse_i64(lit);
      if (!r) return std::move(r).error();
      bits = *r;
    } else if (shape == "f32x4") {
      auto r = parse_f32_bits(lit);
      if (!r) return std::move(r).error();
      bits = *r;
    } else {
      auto r = parse_f64_bits(lit);
      if (!r) return std::move(r).error();
      bits = *r;
    }
    for (unsigned b = 0; b < width; ++b) out[lane * width + b] = static_cast<uint8_t>(bits >> (8 * b));
  }
  return out;
}

}  // namespace wasmrt::text
