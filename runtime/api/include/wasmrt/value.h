// Typed WebAssembly values for the embedding API.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace wasmrt {

enum class ValueType : uint8_t { I32, I64, F32, F64, V128, FuncRef, ExternRef };

// "i32", "i64", "f32", "f64", "v128", "funcref", "externref".
std::string_view value_type_name(ValueType type);

struct V128 {
  uint8_t bytes[16] = {};
  bool operator==(const V128&) const = default;
};

// An externref: an opaque non-zero host word, or null (0).
struct ExternRef {
  uint64_t word = 0;
  bool is_null() const { return word == 0; }
  bool operator==(const ExternRef&) const = default;
};

// A funcref: an opaque handle valid within the store it came from, or null.
struct FuncRef {
  uint64_t handle = 0;
  bool is_null() const { return handle == 0; }
  bool operator==(const FuncRef&) const = default;
};

class Value {
 public:
  Value() = default;  // i32 0

  static Value i32(int32_t v) { return Value(ValueType::I32, static_cast<uint32_t>(v)); }
  static Value i64(int64_t v) { return Value(ValueType::I64, static_cast<uint64_t>(v)); }
  static Value f32(float v) { return Value(ValueType::F32, std::bit_cast<uint32_t>(v)); }
  static Value f64(double v) { return Value(ValueType::F64, std::bit_cast<uint64_t>(v)); }
  // Exact bit patterns (NaN payloads survive).
  static Value f32_bits(uint32_t bits) { return Value(ValueType::F32, bits); }
  static Value f64_bits(uint64_t bits) { return Value(ValueType::F64, bits); }
  static Value v128(const V128& v) {
    Value out(ValueType::V128, 0);
    std::memcpy(out.bits_, v.bytes, 16);
    return out;
  }
  static Value funcref(FuncRef f) { return Value(ValueType::FuncRef, f.handle); }
  static Value externref(ExternRef e) { return Value(ValueType::ExternRef, e.word); }
  static Value null(ValueType ref_type) { return Value(ref_type, 0); }

  ValueType type() const { return type_; }
  int32_t i32() const { return static_cast<int32_t>(static_cast<uint32_t>(bits_[0])); }
  int64_t i64() const { return static_cast<int64_t>(bits_[0]); }
  float f32() const { return std::bit_cast<float>(static_cast<uint32_t>(bits_[0])); }
  double f64() const { return std::bit_cast<double>(bits_[0]); }
  uint32_t f32_bits() const { return static_cast<uint32_t>(bits_[0]); }
  uint64_t f64_bits() const { return bits_[0]; }
  V128 v128() const {
    V128 out;
    std::memcpy(out.bytes, bits_, 16);
    return out;
  }
  FuncRef funcref() const { return FuncRef{bits_[0]}; }
  ExternRef externref() const { return ExternRef{bits_[0]}; }
  bool is_null_ref() const {
    return (type_ == ValueType::FuncRef || type_ == ValueType::ExternRef) && bits_[0] == 0;
  }

  // The value in the runtime's cell encoding: low cell (all types) and high
  // cell (v128's upper 8 bytes). Raw host functions see these.
  uint64_t low_bits() const { return bits_[0]; }
  uint64_t high_bits() const { return bits_[1]; }
  static Value from_bits(ValueType type, uint64_t low, uint64_t high = 0) {
    Value out(type, low);
    out.bits_[1] = high;
    return out;
  }

  // Exact equality (type and bits; NaNs compare by bit pattern).
  bool operator==(const Value& other) const {
    return type_ == other.type_ && bits_[0] == other.bits_[0] && bits_[1] == other.bits_[1];
  }

  // "i32:42", "f64:1.5", "v128:0x... ", "funcref:null", ...
  std::string to_string() const;

 private:
  Value(ValueType type, uint64_t low) : type_(type), bits_{low, 0} {}
  ValueType type_ = ValueType::I32;
  uint64_t bits_[2] = {0, 0};
};

}  // namespace wasmrt
