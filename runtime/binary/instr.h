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

namespace instr_detail {
// A LEB128 of at most four bytes in [p, end): its length, or 0 for a longer
// or cut-off one (read_instruction then decodes it and checks its range).
// Four bytes hold 28 bits, in range for every immediate taken here, so
// there is no range to check. Signed: sign-extended from its last bit.
template <bool kSigned>
inline uint32_t short_leb(const uint8_t* p, const uint8_t* end, uint64_t& bits) {
  uint64_t value = 0;
  for (uint32_t i = 0; i < 4 && p + i < end; ++i) {
    value |= uint64_t{p[i] & 0x7Fu} << (7 * i);
    if (p[i] < 0x80) {
      if constexpr (kSigned) {
        const uint32_t unused = 64 - 7 * (i + 1);
        value = static_cast<uint64_t>(static_cast<int64_t>(value << unused) >> unused);
      }
      bits = value;
      return i + 1;
    }
  }
  return 0;
}
}  // namespace instr_detail

// read_instruction for hot loops (the function-body decoder, constant
// expressions): the common shapes decoded inline (a one-byte opcode with no
// immediate, or with one index, integer constant or memarg whose LEB128
// fields take at most four bytes each) and everything else, every
// malformed case included, left to read_instruction. A call per
// instruction and its switch took a third of the time validating Go's
// hello world took.
inline bool read_instruction_inline(Reader& r, Instr& out) {
  using instr_detail::short_leb;
  const uint8_t* p = r.pos();
  const uint8_t* end = p + r.remaining();
  if (p == end) return read_instruction(r, out);
  const OpcodeEntry entry = kOpcodeTables.single[p[0]];
  if (entry.op == kUnassignedOp) return read_instruction(r, out);  // prefixes, illegal opcodes
  // Tests rather than a switch: a jump table's one indirect branch per
  // instruction mispredicted more than these few conditional ones.
  uint32_t length = 0;
  uint64_t bits = 0;
  const ImmKind imm = entry.imm;
  if (imm == ImmKind::None) {
    length = 1;
  } else if (imm == ImmKind::Local || imm == ImmKind::Global || imm == ImmKind::Func || imm == ImmKind::Label) {
    if (const uint32_t n = short_leb<false>(p + 1, end, bits)) {
      out.index = static_cast<uint32_t>(bits);
      length = 1 + n;
    }
  } else if (imm == ImmKind::I32 || imm == ImmKind::I64) {
    if (const uint32_t n = short_leb<true>(p + 1, end, bits)) {
      out.bits = bits;
      length = 1 + n;
    }
  } else if (imm == ImmKind::MemArg) {
    // Alignment flags of 32 and above are malformed: read_instruction
    // says so.
    if (p + 1 < end && p[1] < 32) {
      if (const uint32_t n = short_leb<false>(p + 2, end, bits)) {
        out.mem.align_log2 = p[1];
        out.mem.offset = bits;
        out.mem.memory = 0;
        length = 2 + n;
      }
    }
  }
  if (length == 0) return read_instruction(r, out);
  out.offset = static_cast<uint32_t>(r.offset());
  out.op = static_cast<Op>(entry.op);
  r.skip(length);
  return true;
}

}  // namespace wasmrt
