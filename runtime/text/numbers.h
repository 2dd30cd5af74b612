// Numeric literals of the WebAssembly text format.
//
// All functions take the raw token text (sign, `0x`, `_` separators as
// written) and return the value's bit pattern. Errors carry no position
// (callers attach the token's line/column with text_error); messages:
//   "constant out of range"   value does not fit (incl. floats that round
//                             to infinity, NaN payloads out of range)
//   "unexpected token"        not a literal of the requested kind
//   "i32 constant out of range" for parse_u32 (limits, indices, offsets)
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "wasmrt/result.h"

namespace wasmrt::text {

// iN literals accept the union of the signed and unsigned ranges:
// i32: -2^31 .. 2^32-1, i64: -2^63 .. 2^64-1. Result is the two's
// complement bit pattern.
Result<uint32_t> parse_i32(std::string_view literal);
Result<uint64_t> parse_i64(std::string_view literal);
// Lane-width integers for v128 constants: i8 -128..255, i16 -32768..65535.
Result<uint8_t> parse_i8(std::string_view literal);
Result<uint16_t> parse_i16(std::string_view literal);
// Unsigned (no sign allowed) u32 / u64: indices, limits, memarg values.
Result<uint32_t> parse_u32(std::string_view literal);
Result<uint64_t> parse_u64(std::string_view literal);

// fN literals (integers are accepted too: `(f32.const 1)`), correctly
// rounded to nearest-even, including hex floats and subnormals. `nan` is
// the canonical quiet NaN; `nan:0xN` needs 1 <= N < 2^mantissa_bits.
Result<uint32_t> parse_f32_bits(std::string_view literal);
Result<uint64_t> parse_f64_bits(std::string_view literal);

// v128.const: `shape` is i8x16|i16x8|i32x4|i64x2|f32x4|f64x2 ("unexpected
// token" otherwise); `lanes` must have 16/8/4/2 literals ("wrong number of
// lane literals"). Result is little-endian lane bytes.
Result<std::array<uint8_t, 16>> parse_v128(std::string_view shape, std::span<const std::string_view> lanes);
// Number of lanes for a shape name, 0 if unknown.
unsigned v128_lane_count(std::string_view shape);

}  // namespace wasmrt::text
