#include "limit_values.h"

#include <array>

namespace wasm_run {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Consumes the leading run of decimal digits of `text` into `value`.
// Returns how many digits were read, or 0 with `overflow` set when the
// number does not fit 64 bits.
size_t read_digits(std::string_view text, uint64_t& value, bool& overflow) {
  value = 0;
  overflow = false;
  size_t n = 0;
  for (; n < text.size() && is_digit(text[n]); ++n) {
    const uint64_t digit = static_cast<uint64_t>(text[n] - '0');
    if (__builtin_mul_overflow(value, uint64_t{10}, &value) || __builtin_add_overflow(value, digit, &value)) {
      overflow = true;
      return 0;
    }
  }
  return n;
}

// Built by appends: g++ 12 warns falsely (-Wrestrict) on "'" + std::string.
std::string quoted(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '\'';
  out += text;
  out += '\'';
  return out;
}

struct Unit {
  std::string_view name;
  uint64_t scale;
};

// A unit is the whole text after the number, matched exactly (case too).
constexpr std::array<Unit, 6> kDurationUnits{{
    {"ns", 1},
    {"us", 1'000},
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60'000'000'000},
    {"h", 3'600'000'000'000},
}};

constexpr std::array<Unit, 9> kSizeUnits{{
    {"B", 1},
    {"KiB", uint64_t{1} << 10},
    {"MiB", uint64_t{1} << 20},
    {"GiB", uint64_t{1} << 30},
    {"TiB", uint64_t{1} << 40},
    {"KB", 1'000},
    {"MB", 1'000'000},
    {"GB", 1'000'000'000},
    {"TB", 1'000'000'000'000},
}};

}  // namespace

std::string parse_count(std::string_view text, uint64_t min, uint64_t max, uint64_t& out) {
  uint64_t value = 0;
  bool overflow = false;
  const size_t digits = read_digits(text, value, overflow);
  if (overflow) return quoted(text) + " is out of range (at most " + std::to_string(max) + ")";
  if (digits == 0 || digits != text.size()) return quoted(text) + " is not a decimal number";
  if (value < min) return quoted(text) + " is too small (at least " + std::to_string(min) + ")";
  if (value > max) return quoted(text) + " is out of range (at most " + std::to_string(max) + ")";
  out = value;
  return "";
}

std::string parse_duration(std::string_view text, std::chrono::nanoseconds& out) {
  const std::string not_a_duration =
      quoted(text) + " is not a duration (a number and a unit ns/us/ms/s/m/h, like 100ms, 1.5s, 1m)";
  const std::string too_large = quoted(text) + " is too long (at most 100 years)";
  uint64_t whole = 0;
  bool overflow = false;
  size_t pos = read_digits(text, whole, overflow);
  if (overflow) return too_large;
  if (pos == 0) return not_a_duration;

  // The fraction's digits, kept exactly up to 18 of them (later ones are
  // far below a nanosecond for every unit, so they only need to be digits).
  uint64_t fraction = 0;
  uint64_t fraction_scale = 1;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const size_t first = pos;
    for (; pos < text.size() && is_digit(text[pos]); ++pos) {
      if (fraction_scale >= 1'000'000'000'000'000'000ull) continue;
      fraction = fraction * 10 + static_cast<uint64_t>(text[pos] - '0');
      fraction_scale *= 10;
    }
    if (pos == first) return not_a_duration;  // "1.s"
  }

  const std::string_view unit_name = text.substr(pos);
  const Unit* unit = nullptr;
  for (const Unit& candidate : kDurationUnits) {
    if (candidate.name == unit_name) unit = &candidate;
  }
  if (unit == nullptr) return not_a_duration;

  uint64_t nanoseconds = 0;
  if (__builtin_mul_overflow(whole, unit->scale, &nanoseconds)) return too_large;
  // fraction / fraction_scale < 1, so the product fits a long double's
  // 64-bit mantissa closely enough to be exact to the nanosecond.
  const long double fractional_ns =
      static_cast<long double>(fraction) * static_cast<long double>(unit->scale) / fraction_scale;
  if (__builtin_add_overflow(nanoseconds, static_cast<uint64_t>(fractional_ns), &nanoseconds)) {
    return too_large;
  }
  if (nanoseconds == 0) return quoted(text) + " is zero; a timeout must be longer than 0";
  if (nanoseconds > static_cast<uint64_t>(kMaxDuration.count())) return too_large;
  out = std::chrono::nanoseconds(static_cast<int64_t>(nanoseconds));
  return "";
}

std::string parse_size(std::string_view text, uint64_t min, uint64_t max, uint64_t& out) {
  const std::string not_a_size =
      quoted(text) + " is not a size (bytes, or a number and a unit KiB/MiB/GiB or KB/MB/GB, like 8MiB)";
  const std::string out_of_range = quoted(text) + " is out of range (at most " + format_size(max) + ")";
  uint64_t count = 0;
  bool overflow = false;
  const size_t digits = read_digits(text, count, overflow);
  if (overflow) return out_of_range;
  if (digits == 0) return not_a_size;
  const std::string_view unit_name = text.substr(digits);
  uint64_t scale = 0;
  if (unit_name.empty()) scale = 1;
  for (const Unit& candidate : kSizeUnits) {
    if (candidate.name == unit_name) scale = candidate.scale;
  }
  if (scale == 0) return not_a_size;
  uint64_t bytes = 0;
  if (__builtin_mul_overflow(count, scale, &bytes) || bytes > max) return out_of_range;
  if (bytes < min) {
    return min == 1 ? quoted(text) + " is zero; the size must be at least 1 byte"
                    : quoted(text) + " is too small (at least " + format_size(min) + ")";
  }
  out = bytes;
  return "";
}

std::string format_size(uint64_t bytes) {
  static constexpr std::array<Unit, 4> kBinary{{
      {"TiB", uint64_t{1} << 40},
      {"GiB", uint64_t{1} << 30},
      {"MiB", uint64_t{1} << 20},
      {"KiB", uint64_t{1} << 10},
  }};
  for (const Unit& unit : kBinary) {
    if (bytes != 0 && bytes % unit.scale == 0)
      return std::to_string(bytes / unit.scale) + std::string(unit.name);
  }
  return std::to_string(bytes) + "B";
}

}  // namespace wasm_run
