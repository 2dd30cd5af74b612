// Decoding of one instruction (opcode + immediates) from the binary format.
// This is the only place immediates are parsed; the function-body decoder
// (runtime/valid/body_decoder.h) and the const-expression scanner in the
// module decoder both call it, so the encoding is understood in one place.
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/binary/opcodes.h"
#include "runtime/binary/reader.h"

namespace wasmrt {

struct MemArg {
  uint32_t align_log2 = 0;  // as encoded (validated against natural width later)
  uint64_t offset = 0;      // u32 in Wasm 2.0
  uint32_t memory = 0;      // always 0 in Wasm 2.0
};

// Block type as encoded: kBlockEmpty, a value type, or a type index.
struct BlockType {
  enum class Kind : uint8_t { Empty, Value, TypeIndex } kind = Kind::Empty;
  ValType value = ValType::I32;  // when kind == Value
  uint32_t type_index = 0;       // when kind == TypeIndex
};

// One decoded instruction. Which fields are meaningful depends on
// op_info(op).imm; the rest keep stale values. Reuse one Instr across a
// whole body so br_table's target vector keeps its capacity.
struct Instr {
  Op op = Op::Nop;
  uint32_t offset = 0;  // absolute offset of the first opcode byte

  // Label depth, function/local/global/table/type/data/elem index.
  uint32_t index = 0;
  // Second index: call_indirect table, table.copy source, table.init table.
  uint32_t index2 = 0;
  BlockType block;
  MemArg mem;
  uint8_t lane = 0;
  ValType ref_type = ValType::FuncRef;  // ref.null heap type; typed select type
  // Typed select: how many types the vector held. Only 1 is valid, but the
  // count is a validation matter ("invalid result arity"), not a decode one.
  uint32_t select_arity = 0;
  uint64_t bits = 0;                    // i32/i64 value (sign-extended), f32/f64 bits
  uint8_t v128[16] = {};                // v128.const bytes, i8x16.shuffle lanes
  std::vector<uint32_t> br_targets;     // br_table labels; default in `index`
};

// Reads one instruction at the reader's position. On malformed input
// ("illegal opcode", "zero byte expected", "malformed memop flags",
// "integer too large", ...) records the error in `r` and returns false.
bool read_instruction(Reader& r, Instr& out);

}  // namespace wasmrt
