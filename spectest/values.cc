// Comparing engine results with the script's expected values and patterns,
// and printing values for failure reports.
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "spectest/harness.h"

namespace wasmrt::spectest {

namespace {

using wast::Value;

bool is_canonical_nan(uint64_t bits, int float_bits) {
  if (float_bits == 32) return (bits & 0x7FFFFFFFu) == 0x7FC00000u;
  return (bits & 0x7FFFFFFFFFFFFFFFull) == 0x7FF8000000000000ull;
}

// An arithmetic NaN is any NaN with the quiet bit set.
bool is_arithmetic_nan(uint64_t bits, int float_bits) {
  if (float_bits == 32) return (bits & 0x7FC00000u) == 0x7FC00000u;
  return (bits & 0x7FF8000000000000ull) == 0x7FF8000000000000ull;
}

int lane_bytes_of(std::string_view shape) {
  if (shape == "i8x16") return 1;
  if (shape == "i16x8") return 2;
  if (shape == "i32x4" || shape == "f32x4") return 4;
  if (shape == "i64x2" || shape == "f64x2") return 8;
  return 0;
}

uint64_t read_lane(const uint8_t* v128, int lane, int width) {
  uint64_t bits = 0;
  for (int b = width - 1; b >= 0; --b) bits = (bits << 8) | v128[lane * width + b];
  return bits;
}

uint64_t mask_for(int width) { return width >= 8 ? ~uint64_t{0} : (uint64_t{1} << (width * 8)) - 1; }

// One expected lane (a plain number or a NaN pattern) against lane bits.
bool lane_matches(const Value& expected, uint64_t bits, int width) {
  switch (expected.kind) {
    case Value::Kind::NanCanonical: return is_canonical_nan(bits, width * 8);
    case Value::Kind::NanArithmetic: return is_arithmetic_nan(bits, width * 8);
    default: return (expected.bits & mask_for(width)) == bits;
  }
}

bool v128_matches(const Value& expected, const Value& actual) {
  if (actual.kind != Value::Kind::V128) return false;
  if (expected.lanes.empty()) return std::memcmp(expected.v128, actual.v128, 16) == 0;
  const int width = lane_bytes_of(expected.lane_shape);
  if (width == 0 || expected.lanes.size() != static_cast<size_t>(16 / width)) return false;
  for (int lane = 0; lane < 16 / width; ++lane) {
    if (!lane_matches(expected.lanes[static_cast<size_t>(lane)], read_lane(actual.v128, lane, width), width)) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool value_matches(const Value& expected, const Value& actual) {
  switch (expected.kind) {
    case Value::Kind::I32:
    case Value::Kind::F32:
      return actual.kind == expected.kind && (actual.bits & 0xFFFFFFFFu) == (expected.bits & 0xFFFFFFFFu);
    case Value::Kind::I64:
    case Value::Kind::F64: return actual.kind == expected.kind && actual.bits == expected.bits;
    case Value::Kind::V128: return v128_matches(expected, actual);
    case Value::Kind::RefNull:
      return actual.kind == Value::Kind::RefNull && actual.ref_is_func == expected.ref_is_func;
    case Value::Kind::RefFunc: return actual.kind == Value::Kind::RefFunc;
    case Value::Kind::RefExtern: return actual.kind == Value::Kind::RefExtern && actual.bits == expected.bits;
    case Value::Kind::NanCanonical:
    case Value::Kind::NanArithmetic: {
      const Value::Kind float_kind = expected.float_bits == 32 ? Value::Kind::F32 : Value::Kind::F64;
      if (actual.kind != float_kind) return false;
      return expected.kind == Value::Kind::NanCanonical ? is_canonical_nan(actual.bits, expected.float_bits)
                                                        : is_arithmetic_nan(actual.bits, expected.float_bits);
    }
    case Value::Kind::Either:
      for (const Value& alternative : expected.alternatives) {
        if (value_matches(alternative, actual)) return true;
      }
      return false;
  }
  return false;
}

namespace {

std::string hex(uint64_t bits, int digits) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "0x%0*" PRIx64, digits, bits);
  return buffer;
}

std::string lane_to_string(const Value& lane, int width) {
  if (lane.kind == Value::Kind::NanCanonical) return "nan:canonical";
  if (lane.kind == Value::Kind::NanArithmetic) return "nan:arithmetic";
  return hex(lane.bits & mask_for(width), width * 2);
}

}  // namespace

std::string value_to_string(const Value& value) {
  switch (value.kind) {
    case Value::Kind::I32: return "i32:" + hex(value.bits & 0xFFFFFFFFu, 8);
    case Value::Kind::I64: return "i64:" + hex(value.bits, 16);
    case Value::Kind::F32: return "f32:" + hex(value.bits & 0xFFFFFFFFu, 8);
    case Value::Kind::F64: return "f64:" + hex(value.bits, 16);
    case Value::Kind::V128: {
      std::string out = "v128:";
      if (!value.lanes.empty()) {
        const int width = lane_bytes_of(value.lane_shape);
        out += value.lane_shape;
        for (const Value& lane : value.lanes) out += " " + lane_to_string(lane, width == 0 ? 1 : width);
        return out;
      }
      // Print as 4 little-endian i32 lanes, the most compact exact form.
      for (int lane = 0; lane < 4; ++lane) {
        if (lane != 0) out += ' ';
        out += hex(read_lane(value.v128, lane, 4), 8);
      }
      return out;
    }
    case Value::Kind::RefNull: return value.ref_is_func ? "ref.null func" : "ref.null extern";
    case Value::Kind::RefFunc: return "ref.func";
    case Value::Kind::RefExtern: return "ref.extern " + std::to_string(value.bits);
    case Value::Kind::NanCanonical: return "f" + std::to_string(value.float_bits) + ":nan:canonical";
    case Value::Kind::NanArithmetic: return "f" + std::to_string(value.float_bits) + ":nan:arithmetic";
    case Value::Kind::Either: {
      std::string out = "either(";
      for (size_t i = 0; i < value.alternatives.size(); ++i) {
        if (i != 0) out += " | ";
        out += value_to_string(value.alternatives[i]);
      }
      return out + ")";
    }
  }
  return "?";
}

}  // namespace wasmrt::spectest
