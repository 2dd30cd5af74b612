// Core WebAssembly types shared by every stage (decoder, validator, text,
// runtime). Encodings follow the binary format so a byte maps directly.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace wasmrt {

enum class ValType : uint8_t {
  I32 = 0x7F,
  I64 = 0x7E,
  F32 = 0x7D,
  F64 = 0x7C,
  V128 = 0x7B,
  FuncRef = 0x70,
  ExternRef = 0x6F,
};

inline bool is_ref_type(ValType t) { return t == ValType::FuncRef || t == ValType::ExternRef; }
inline bool is_num_type(ValType t) {
  return t == ValType::I32 || t == ValType::I64 || t == ValType::F32 || t == ValType::F64;
}
// True if `byte` encodes a value type of Wasm 2.0.
inline bool is_valtype_byte(uint8_t byte) {
  return (byte >= 0x7B && byte <= 0x7F) || byte == 0x70 || byte == 0x6F;
}
std::string_view valtype_name(ValType t);  // "i32", "funcref", ...

struct FuncType {
  std::vector<ValType> params;
  std::vector<ValType> results;
  bool operator==(const FuncType&) const = default;
};

struct Limits {
  uint64_t min = 0;
  uint64_t max = 0;
  bool has_max = false;
  bool operator==(const Limits&) const = default;
};

struct TableType {
  ValType elem = ValType::FuncRef;
  Limits limits;
};

struct MemoryType {
  Limits limits;
};

inline constexpr uint64_t kMaxMemoryPages = 65536;  // 4 GiB of 64 KiB pages
inline constexpr uint64_t kPageSize = 65536;

struct GlobalType {
  ValType type = ValType::I32;
  bool is_mutable = false;
};

enum class ExternKind : uint8_t { Func = 0, Table = 1, Memory = 2, Global = 3 };
std::string_view extern_kind_name(ExternKind k);

}  // namespace wasmrt
