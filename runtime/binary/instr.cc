#include "runtime/binary/instr.h"

#include <array>

namespace wasmrt {
namespace {


// Memory instructions in Wasm 2.0 take an alignment exponent below 32; larger
// values are how multi-memory and memory64 later extend the flags field, so
// the reference interpreter rejects them as malformed rather than invalid.
constexpr uint32_t kMaxAlignFlags = 32;

bool read_memarg(Reader& r, MemArg& mem) {
  size_t flags_offset = r.offset();
  uint32_t align = 0;
  uint32_t offset = 0;
  if (!r.u32(align)) return false;
  if (align >= kMaxAlignFlags) return r.fail_at(flags_offset, "malformed memop flags");
  if (!r.u32(offset)) return false;
  mem.align_log2 = align;
  mem.offset = offset;
  mem.memory = 0;
  return true;
}

// A reserved memory-index byte: exactly one 0x00 byte (a multi-byte LEB zero
// such as 0x80 0x00 is rejected, as the spec suite requires).
bool read_zero_byte(Reader& r) {
  uint8_t b = 0;
  if (!r.u8(b)) return false;
  if (b != 0x00) return r.fail_at(r.offset() - 1, "zero byte expected");
  return true;
}

// Type encodings are one-byte signed LEB128 numbers in the reference
// interpreter, so a continuation bit is reported as an over-long integer.
bool read_type_byte(Reader& r, uint8_t& out) {
  if (!r.u8(out)) return false;
  if (out & 0x80) return r.fail_at(r.offset() - 1, "integer representation too long");
  return true;
}

bool read_value_type(Reader& r, ValType& out) {
  uint8_t b = 0;
  if (!read_type_byte(r, b)) return false;
  if (!is_valtype_byte(b)) return r.fail_at(r.offset() - 1, "malformed value type");
  out = static_cast<ValType>(b);
  return true;
}

bool read_block_type(Reader& r, BlockType& out) {
  uint8_t first = 0;
  if (!r.peek_u8(first)) return r.fail_eof();
  if (first == 0x40) {
    r.skip(1);
    out.kind = BlockType::Kind::Empty;
    return true;
  }
  // One-byte negative s33 values are the value-type encodings.
  if ((first & 0xC0) == 0x40) {
    out.kind = BlockType::Kind::Value;
    return read_value_type(r, out.value);
  }
  size_t start = r.offset();
  int64_t index = 0;
  if (!r.s33(index)) return false;
  if (index < 0) return r.fail_at(start, "malformed block type");
  out.kind = BlockType::Kind::TypeIndex;
  out.type_index = static_cast<uint32_t>(index);
  return true;
}

bool read_lane(Reader& r, uint8_t& lane) { return r.u8(lane); }

// Most constants fit one LEB128 byte; decode those inline, sign-extending
// bit 6, and leave longer encodings to the reader's range-checking path.
inline bool try_one_byte_signed(Reader& r, int64_t& out) {
  uint8_t b = 0;
  if (!r.peek_u8(b) || b >= 0x80) return false;
  r.u8(b);
  out = static_cast<int64_t>(static_cast<uint64_t>(b) << 57) >> 57;
  return true;
}

}  // namespace

bool read_instruction(Reader& r, Instr& out) {
  out.offset = static_cast<uint32_t>(r.offset());
  uint8_t byte = 0;
  if (!r.u8(byte)) return false;

  OpcodeEntry entry = kOpcodeTables.single[byte];
  if (byte == 0xFC || byte == 0xFD) {
    uint32_t code = 0;
    if (!r.u32(code)) return false;
    entry = code > 255 ? OpcodeEntry{kUnassignedOp, ImmKind::None}
                       : (byte == 0xFC ? kOpcodeTables.fc : kOpcodeTables.fd)[code];
  }
  if (entry.op == kUnassignedOp) return r.fail_at(out.offset, "illegal opcode");
  out.op = static_cast<Op>(entry.op);
  if (entry.imm == ImmKind::None) return true;  // most instructions

  switch (entry.imm) {
    case ImmKind::None:
      return true;
    case ImmKind::Block:
      return read_block_type(r, out.block);
    case ImmKind::Label:
    case ImmKind::Func:
    case ImmKind::Local:
    case ImmKind::Global:
    case ImmKind::Table:
    case ImmKind::Data:
    case ImmKind::Elem:
      return r.u32(out.index);
    case ImmKind::BrTable: {
      uint32_t count = 0;
      // Every label takes at least one byte, so the count is bounded by the
      // input before the vector grows.
      if (!r.vec_count(count, 1)) return false;
      out.br_targets.resize(count);
      for (uint32_t i = 0; i < count; ++i) {
        if (!r.u32(out.br_targets[i])) return false;
      }
      return r.u32(out.index);
    }
    case ImmKind::CallIndirect:
    case ImmKind::TableInit:
    case ImmKind::TableCopy:
      return r.u32(out.index) && r.u32(out.index2);
    case ImmKind::MemArg:
      return read_memarg(r, out.mem);
    case ImmKind::MemArgLane:
      return read_memarg(r, out.mem) && read_lane(r, out.lane);
    case ImmKind::MemIdx:
      out.mem.memory = 0;
      return read_zero_byte(r);
    case ImmKind::MemInit:
      return r.u32(out.index) && read_zero_byte(r);
    case ImmKind::MemCopy:
      return read_zero_byte(r) && read_zero_byte(r);
    case ImmKind::I32: {
      int64_t small = 0;
      if (try_one_byte_signed(r, small)) {
        out.bits = static_cast<uint64_t>(small);
        return true;
      }
      int32_t v = 0;
      if (!r.s32(v)) return false;
      out.bits = static_cast<uint64_t>(static_cast<int64_t>(v));
      return true;
    }
    case ImmKind::I64: {
      int64_t v = 0;
      if (!try_one_byte_signed(r, v) && !r.s64(v)) return false;
      out.bits = static_cast<uint64_t>(v);
      return true;
    }
    case ImmKind::F32: {
      uint32_t v = 0;
      if (!r.fixed_u32(v)) return false;
      out.bits = v;
      return true;
    }
    case ImmKind::F64:
      return r.fixed_u64(out.bits);
    case ImmKind::V128:
    case ImmKind::Shuffle: {
      const uint8_t* p = nullptr;
      if (!r.bytes(16, p)) return false;
      for (int i = 0; i < 16; ++i) out.v128[i] = p[i];
      return true;
    }
    case ImmKind::Lane:
      return read_lane(r, out.lane);
    case ImmKind::HeapType: {
      uint8_t b = 0;
      if (!read_type_byte(r, b)) return false;
      if (b != static_cast<uint8_t>(ValType::FuncRef) && b != static_cast<uint8_t>(ValType::ExternRef)) {
        return r.fail_at(r.offset() - 1, "malformed reference type");
      }
      out.ref_type = static_cast<ValType>(b);
      return true;
    }
    case ImmKind::SelectT: {
      uint32_t count = 0;
      if (!r.vec_count(count, 1)) return false;
      out.select_arity = count;
      for (uint32_t i = 0; i < count; ++i) {
        ValType t = ValType::I32;
        if (!read_value_type(r, t)) return false;
        if (i == 0) out.ref_type = t;
      }
      return true;
    }
  }
  return r.fail_at(out.offset, "illegal opcode");
}

}  // namespace wasmrt
