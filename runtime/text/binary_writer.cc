// Encodes a ModuleBuilder into the binary format: sections in the order the
// binary format requires, each with its exact LEB128 size.
#include "runtime/text/wat_parser.h"

namespace wasmrt::text {

void write_u64(Bytes& out, uint64_t value) {
  do {
    uint8_t byte = value & 0x7F;
    value >>= 7;
    if (value != 0) byte |= 0x80;
    out.push_back(byte);
  } while (value != 0);
}
void write_u32(Bytes& out, uint32_t value) { write_u64(out, value); }

void write_s64(Bytes& out, int64_t value) {
  while (true) {
    uint8_t byte = value & 0x7F;
    value >>= 7;  // arithmetic shift keeps the sign
    bool done = (value == 0 && !(byte & 0x40)) || (value == -1 && (byte & 0x40));
    if (!done) byte |= 0x80;
    out.push_back(byte);
    if (done) break;
  }
}
void write_s32(Bytes& out, int32_t value) { write_s64(out, value); }

void write_name(Bytes& out, std::string_view name) {
  write_u32(out, static_cast<uint32_t>(name.size()));
  out.insert(out.end(), name.begin(), name.end());
}

void write_opcode(Bytes& out, Op op) {
  const OpInfo& info = op_info(op);
  if (info.prefix != 0) {
    out.push_back(info.prefix);
    write_u32(out, info.code);
  } else {
    out.push_back(static_cast<uint8_t>(info.code));
  }
}

namespace {

void write_limits(Bytes& out, const Limits& limits) {
  out.push_back(limits.has_max ? 0x01 : 0x00);
  write_u64(out, limits.min);
  if (limits.has_max) write_u64(out, limits.max);
}

void write_section(Bytes& out, uint8_t id, const Bytes& payload) {
  out.push_back(id);
  write_u32(out, static_cast<uint32_t>(payload.size()));
  out.insert(out.end(), payload.begin(), payload.end());
}

// A section that is a vector of pre-encoded entries; omitted when empty.
void write_vector_section(Bytes& out, uint8_t id, const std::vector<Bytes>& entries, bool sized_entries) {
  if (entries.empty()) return;
  Bytes payload;
  write_u32(payload, static_cast<uint32_t>(entries.size()));
  for (const Bytes& entry : entries) {
    if (sized_entries) write_u32(payload, static_cast<uint32_t>(entry.size()));
    payload.insert(payload.end(), entry.begin(), entry.end());
  }
  write_section(out, id, payload);
}

}  // namespace

Bytes encode_module(const ModuleBuilder& m) {
  Bytes out = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
  Bytes payload;

  if (!m.types.empty()) {
    payload.clear();
    write_u32(payload, static_cast<uint32_t>(m.types.size()));
    for (const FuncType& type : m.types) {
      payload.push_back(0x60);
      write_u32(payload, static_cast<uint32_t>(type.params.size()));
      for (ValType t : type.params) payload.push_back(static_cast<uint8_t>(t));
      write_u32(payload, static_cast<uint32_t>(type.results.size()));
      for (ValType t : type.results) payload.push_back(static_cast<uint8_t>(t));
    }
    write_section(out, 1, payload);
  }
  if (!m.imports.empty()) {
    payload.clear();
    write_u32(payload, static_cast<uint32_t>(m.imports.size()));
    for (const auto& imp : m.imports) {
      write_name(payload, imp.module);
      write_name(payload, imp.field);
      payload.push_back(static_cast<uint8_t>(imp.kind));
      switch (imp.kind) {
        case ExternKind::Func: write_u32(payload, imp.type_index); break;
        case ExternKind::Table:
          payload.push_back(static_cast<uint8_t>(imp.table.elem));
          write_limits(payload, imp.table.limits);
          break;
        case ExternKind::Memory: write_limits(payload, imp.memory.limits); break;
        case ExternKind::Global:
          payload.push_back(static_cast<uint8_t>(imp.global.type));
          payload.push_back(imp.global.is_mutable ? 1 : 0);
          break;
      }
    }
    write_section(out, 2, payload);
  }
  if (!m.func_types.empty()) {
    payload.clear();
    write_u32(payload, static_cast<uint32_t>(m.func_types.size()));
    for (uint32_t index : m.func_types) write_u32(payload, index);
    write_section(out, 3, payload);
  }
  if (!m.tables.empty()) {
    payload.clear();
    write_u32(payload, static_cast<uint32_t>(m.tables.size()));
    for (const TableType& table : m.tables) {
      payload.push_back(static_cast<uint8_t>(table.elem));
      write_limits(payload, table.limits);
    }
    write_section(out, 4, payload);
  }
  if (!m.memories.empty()) {
    payload.clear();
    write_u32(payload, static_cast<uint32_t>(m.memories.size()));
    for (const MemoryType& memory : m.memories) write_limits(payload, memory.limits);
    write_section(out, 5, payload);
  }
  write_vector_section(out, 6, m.globals, false);
  if (!m.exports.empty()) {
    payload.clear();
    write_u32(payload, static_cast<uint32_t>(m.exports.size()));
    for (const auto& exp : m.exports) {
      write_name(payload, exp.name);
      payload.push_back(static_cast<uint8_t>(exp.kind));
      write_u32(payload, exp.index);
    }
    write_section(out, 7, payload);
  }
  if (m.start) {
    payload.clear();
    write_u32(payload, *m.start);
    write_section(out, 8, payload);
  }
  write_vector_section(out, 9, m.elems, false);
  if (m.uses_data_count) {
    payload.clear();
    write_u32(payload, static_cast<uint32_t>(m.datas.size()));
    write_section(out, 12, payload);
  }
  write_vector_section(out, 10, m.codes, true);
  write_vector_section(out, 11, m.datas, false);
  if (!m.func_names.empty()) {
    // Custom section "name", subsection 1 (function names), sorted by index.
    Bytes names;
    write_u32(names, static_cast<uint32_t>(m.func_names.size()));
    for (const auto& [index, name] : m.func_names) {
      write_u32(names, index);
      write_name(names, name);
    }
    Bytes payload;
    write_name(payload, "name");
    payload.push_back(1);
    write_u32(payload, static_cast<uint32_t>(names.size()));
    payload.insert(payload.end(), names.begin(), names.end());
    write_section(out, 0, payload);
  }
  return out;
}

}  // namespace wasmrt::text
