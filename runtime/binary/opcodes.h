// Opcode enum, immediate kinds, operand signatures and lookup tables, all
// generated from opcodes.def so no list of instructions is written twice.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "runtime/binary/types.h"

namespace wasmrt {

// What follows an opcode in the binary encoding.
enum class ImmKind : uint8_t {
  None,
  Block,         // blocktype: 0x40 | valtype | s33 type index
  Label,         // u32 label depth
  BrTable,       // vec(u32) labels, u32 default
  Func,          // u32 function index
  CallIndirect,  // u32 type index, u32 table index
  Local,         // u32 local index
  Global,        // u32 global index
  Table,         // u32 table index
  MemArg,        // u32 align (log2), u32 offset
  MemArgLane,    // memarg, then one lane byte
  MemIdx,        // one byte, must be 0x00 (memory index in Wasm 2.0)
  I32,           // s32
  I64,           // s64
  F32,           // 4 raw bytes
  F64,           // 8 raw bytes
  V128,          // 16 raw bytes
  Lane,          // one lane byte
  Shuffle,       // 16 lane bytes
  HeapType,      // reftype byte (0x70 funcref, 0x6F externref)
  SelectT,       // vec(valtype), length must be 1 in Wasm 2.0
  MemInit,       // u32 data index, then 0x00
  Data,          // u32 data index
  MemCopy,       // 0x00 0x00
  TableInit,     // u32 elem index, u32 table index
  Elem,          // u32 elem index
  TableCopy,     // u32 destination table, u32 source table
};

// Operand signatures named "params_results" (i=i32 l=i64 f=f32 d=f64 v=v128).
#define WASMRT_FOR_EACH_SIG(S)                                                \
  S(none, "", "") S(_i, "", "i") S(_l, "", "l") S(_f, "", "f") S(_d, "", "d") \
  S(_v, "", "v") S(i_i, "i", "i") S(i_l, "i", "l") S(i_f, "i", "f")           \
  S(i_d, "i", "d") S(i_v, "i", "v") S(l_i, "l", "i") S(l_l, "l", "l")         \
  S(l_f, "l", "f") S(l_d, "l", "d") S(l_v, "l", "v") S(f_i, "f", "i")         \
  S(f_l, "f", "l") S(f_f, "f", "f") S(f_d, "f", "d") S(f_v, "f", "v")         \
  S(d_i, "d", "i") S(d_l, "d", "l") S(d_f, "d", "f") S(d_d, "d", "d")         \
  S(d_v, "d", "v") S(v_i, "v", "i") S(v_l, "v", "l") S(v_f, "v", "f")         \
  S(v_d, "v", "d") S(v_v, "v", "v") S(ii_, "ii", "") S(il_, "il", "")         \
  S(if_, "if", "") S(id_, "id", "") S(iv_, "iv", "") S(ii_i, "ii", "i")       \
  S(ll_i, "ll", "i") S(ll_l, "ll", "l") S(ff_i, "ff", "i")                    \
  S(ff_f, "ff", "f") S(dd_i, "dd", "i") S(dd_d, "dd", "d")                    \
  S(iii_, "iii", "") S(iv_v, "iv", "v") S(vi_v, "vi", "v")                    \
  S(vl_v, "vl", "v") S(vf_v, "vf", "v") S(vd_v, "vd", "v")                    \
  S(vv_v, "vv", "v") S(vvv_v, "vvv", "v")

enum class Sig : uint8_t {
#define WASMRT_SIG_ENUM(name, params, results) S_##name,
  WASMRT_FOR_EACH_SIG(WASMRT_SIG_ENUM)
#undef WASMRT_SIG_ENUM
  S_Special,  // typed by hand in the validator
};

struct SigInfo {
  std::string_view params;   // one letter per operand, bottom of stack first
  std::string_view results;  // one letter per result
};
const SigInfo& sig_info(Sig sig);
// Maps a signature letter (i l f d v) to its value type.
ValType sig_letter_type(char letter);

enum class Op : uint16_t {
#define WASM_OP(name, prefix, code, text, imm, sig, bytes) name,
#include "runtime/binary/opcodes.def"
#undef WASM_OP
};

inline constexpr uint16_t kOpCount = 0
#define WASM_OP(name, prefix, code, text, imm, sig, bytes) +1
#include "runtime/binary/opcodes.def"
#undef WASM_OP
    ;

struct OpInfo {
  uint8_t prefix;  // 0x00, 0xFC or 0xFD
  uint32_t code;
  std::string_view text;
  ImmKind imm;
  Sig sig;
  uint8_t bytes;  // access width / lane width (see opcodes.def)
};

const OpInfo& op_info(Op op);
inline std::string_view op_name(Op op) { return op_info(op).text; }

// Decode tables for the three opcode spaces, derived from opcodes.def at
// compile time. Each entry packs the Op and its ImmKind so the instruction
// decoder's hot loop does one load per opcode.
struct OpcodeEntry {
  uint16_t op;  // kUnassignedOp for an opcode that does not exist
  ImmKind imm;
};
inline constexpr uint16_t kUnassignedOp = 0xFFFF;

struct OpcodeTables {
  std::array<OpcodeEntry, 256> single{};
  std::array<OpcodeEntry, 256> fc{};
  std::array<OpcodeEntry, 256> fd{};
};

constexpr OpcodeTables build_opcode_tables() {
  OpcodeTables t{};
  for (auto* table : {&t.single, &t.fc, &t.fd}) {
    for (auto& e : *table) e = {kUnassignedOp, ImmKind::None};
  }
  struct Row {
    uint8_t prefix;
    uint32_t code;
    ImmKind imm;
  };
  constexpr Row kRows[] = {
#define WASM_OP(name, prefix, code, text, imm, sig, bytes) {prefix, code, ImmKind::imm},
#include "runtime/binary/opcodes.def"
#undef WASM_OP
  };
  for (uint16_t i = 0; i < std::size(kRows); ++i) {
    const Row& row = kRows[i];
    auto& table = row.prefix == 0xFC ? t.fc : row.prefix == 0xFD ? t.fd : t.single;
    if (row.code < 256) table[row.code] = {i, row.imm};
  }
  return t;
}
inline constexpr OpcodeTables kOpcodeTables = build_opcode_tables();

// Binary lookup. Returns nullopt for an unassigned opcode.
inline std::optional<Op> op_from_byte(uint8_t byte) {
  uint16_t v = kOpcodeTables.single[byte].op;
  if (v == kUnassignedOp) return std::nullopt;
  return static_cast<Op>(v);
}
inline std::optional<Op> op_from_prefixed(uint8_t prefix, uint32_t code) {
  if (code > 255 || (prefix != 0xFC && prefix != 0xFD)) return std::nullopt;
  uint16_t v = (prefix == 0xFC ? kOpcodeTables.fc : kOpcodeTables.fd)[code].op;
  if (v == kUnassignedOp) return std::nullopt;
  return static_cast<Op>(v);
}

}  // namespace wasmrt
