// The decoded (and, once validated, immutable) form of a module. Byte ranges
// refer to ModuleDesc::bytes, which the module owns, so function bodies and
// constant expressions are never copied out of the input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/binary/types.h"
#include "runtime/valid/side_table.h"

namespace wasmrt {

// [begin, end) in ModuleDesc::bytes: the instructions of a constant expression,
// including the terminating `end` (0x0B).
struct ConstExpr {
  uint32_t begin = 0;
  uint32_t end = 0;
};

struct Import {
  std::string module;
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t func_type = 0;  // kind == Func: type index
  TableType table;         // kind == Table
  MemoryType memory;       // kind == Memory
  GlobalType global;       // kind == Global
};

struct Export {
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t index = 0;
};

enum class SegmentMode : uint8_t { Active, Passive, Declarative };

struct ElemSegment {
  SegmentMode mode = SegmentMode::Active;
  uint32_t table_index = 0;  // Active only
  ConstExpr offset;          // Active only
  ValType elem_type = ValType::FuncRef;
  // Exactly one of these is used: plain function indices (flags 0-3) or
  // element expressions (flags 4-7), kept as written for validation.
  bool uses_exprs = false;
  std::vector<uint32_t> func_indices;
  std::vector<ConstExpr> exprs;
  uint32_t size() const {
    return static_cast<uint32_t>(uses_exprs ? exprs.size() : func_indices.size());
  }
};

struct DataSegment {
  SegmentMode mode = SegmentMode::Active;  // Active or Passive
  uint32_t memory_index = 0;               // Active only
  ConstExpr offset;                        // Active only
  uint32_t data_begin = 0;                 // bytes in ModuleDesc::bytes
  uint32_t data_size = 0;
};

struct LocalRun {
  uint32_t count = 0;
  ValType type = ValType::I32;
};

struct FuncBody {
  std::vector<LocalRun> locals;  // as declared (not including params)
  uint64_t num_locals = 0;       // sum of counts (< 2^32 or "too many locals")
  uint32_t code_begin = 0;       // first instruction byte
  uint32_t code_end = 0;         // one past the final `end`
  uint32_t entry_begin = 0;      // offset of the body's size field, for errors
};

struct CustomSection {
  std::string name;
  uint32_t content_begin = 0;  // after the name
  uint32_t content_size = 0;
  // Index of the last non-custom section id preceding it (0 if none), so
  // tools can write the module back with custom sections in place.
  uint8_t after_section = 0;
};

// The `name` custom section, parsed leniently: a malformed name section is
// ignored (as the spec requires for custom sections), never an error.
struct NameSection {
  std::string module_name;
  std::unordered_map<uint32_t, std::string> functions;
  std::unordered_map<uint32_t, std::unordered_map<uint32_t, std::string>> locals;
};

struct ModuleDesc {
  std::vector<uint8_t> bytes;  // the whole binary; every offset points here

  std::vector<FuncType> types;
  std::vector<Import> imports;

  // Index spaces, imports first, exactly as the spec numbers them.
  std::vector<uint32_t> funcs;  // type index of every function
  std::vector<TableType> tables;
  std::vector<MemoryType> memories;
  std::vector<GlobalType> globals;
  uint32_t num_imported_funcs = 0;
  uint32_t num_imported_tables = 0;
  uint32_t num_imported_memories = 0;
  uint32_t num_imported_globals = 0;

  std::vector<ConstExpr> global_inits;  // one per defined global
  std::vector<Export> exports;
  std::optional<uint32_t> start;
  std::vector<ElemSegment> elems;
  std::vector<DataSegment> datas;
  std::optional<uint32_t> data_count;
  std::vector<FuncBody> code;  // one per defined function
  std::vector<CustomSection> customs;
  NameSection names;

  // Filled by validate_module(): one entry per defined function, consumed by
  // the interpreter's translator and the JIT without re-validating.
  std::vector<FuncSideTable> side_tables;
  bool validated = false;

  const FuncType& func_type(uint32_t func_index) const { return types[funcs[func_index]]; }
  uint32_t num_defined_funcs() const { return static_cast<uint32_t>(code.size()); }
};

}  // namespace wasmrt
