// Internal to the text format: the WAT module parser and the binary writer.
// wat_module.cc parses module fields, wat_instr.cc instructions,
// binary_writer.cc encodes the collected module.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/binary/opcodes.h"
#include "runtime/binary/types.h"
#include "runtime/text/lexer.h"
#include "wasmrt/result.h"

namespace wasmrt::text {

using Bytes = std::vector<uint8_t>;

void write_u32(Bytes& out, uint32_t value);
void write_u64(Bytes& out, uint64_t value);
void write_s32(Bytes& out, int32_t value);
void write_s64(Bytes& out, int64_t value);
void write_name(Bytes& out, std::string_view name);
void write_opcode(Bytes& out, Op op);

// Everything collected from a module's text, ready for encoding.
struct ModuleBuilder {
  struct Import {
    std::string module;
    std::string field;
    ExternKind kind = ExternKind::Func;
    uint32_t type_index = 0;
    TableType table;
    MemoryType memory;
    GlobalType global;
  };
  struct Export {
    std::string name;
    ExternKind kind = ExternKind::Func;
    uint32_t index = 0;
  };
  std::vector<FuncType> types;  // explicit types, then implicit ones in first-use order
  std::vector<Import> imports;
  std::vector<uint32_t> func_types;  // type index of each defined function
  std::vector<TableType> tables;
  std::vector<MemoryType> memories;
  std::vector<Bytes> globals;  // encoded globaltype + init expr
  std::vector<Export> exports;
  std::optional<uint32_t> start;
  std::vector<Bytes> elems;  // encoded segments
  std::vector<Bytes> codes;  // encoded bodies (locals + expr), without size
  std::vector<Bytes> datas;  // encoded segments
  bool uses_data_count = false;  // memory.init / data.drop present
  // Symbolic function names ($id without the `$`), by function index,
  // written to the `name` custom section so traps show named backtraces.
  std::vector<std::pair<uint32_t, std::string>> func_names;
};

Bytes encode_module(const ModuleBuilder& module);

// Index spaces that have symbolic names.
enum class Space : uint8_t { Type, Func, Table, Memory, Global, Elem, Data, Count };

class WatParser {
 public:
  explicit WatParser(const std::vector<Token>& tokens, size_t position = 0) : cur_(tokens, position) {}
  // Parses module fields from the cursor position until the closing `)`
  // of the module (or Eof when `bare`), and returns the binary.
  Result<Bytes> parse_module(bool bare);

 private:
  struct TypeUse {
    std::optional<uint32_t> index;
    bool has_inline = false;
    FuncType sig;
    std::vector<std::optional<std::string>> param_names;
  };
  struct NameSpace {
    uint32_t count = 0;
    std::unordered_map<std::string, uint32_t> names;
  };

  // --- helpers (wat_module.cc)
  Error fail(const Token& at, std::string message) const { return text_error(at, std::move(message)); }
  Error unexpected(const Token& at) const;
  Result<void> expect(TokenKind kind);
  Result<void> expect_keyword(std::string_view kw);
  Result<void> expect_lparen_keyword(std::string_view kw);
  bool at_var() const { return cur_.at(TokenKind::Number) || cur_.at(TokenKind::Id); }
  Result<uint32_t> parse_var(Space space);
  Result<uint32_t> parse_u32_token();
  Result<std::string> parse_name();  // a string that must be UTF-8
  Result<ValType> parse_valtype();
  Result<ValType> parse_reftype();
  Result<Limits> parse_limits();
  Result<GlobalType> parse_globaltype();
  Result<TypeUse> parse_type_use(bool allow_names);
  Result<uint32_t> resolve_type_use(const TypeUse& use, const Token& at);
  uint32_t find_or_add_type(const FuncType& sig);
  Result<void> bind(Space space, const Token& id_token);
  std::optional<std::string> take_id();

  // --- module fields (wat_module.cc)
  Result<void> scan_fields(size_t begin);
  Result<void> parse_field();
  Result<void> parse_type_field();
  Result<void> parse_import_field();
  Result<void> parse_func_field();
  Result<void> parse_table_field();
  Result<void> parse_memory_field();
  Result<void> parse_global_field();
  Result<void> parse_export_field();
  Result<void> parse_start_field();
  Result<void> parse_elem_field();
  Result<void> parse_data_field();
  Result<void> parse_inline_exports(ExternKind kind, uint32_t index);
  Result<bool> parse_inline_import(std::string& module, std::string& field);
  Result<void> parse_offset(Bytes& out);
  Result<void> parse_elem_exprs(Bytes& out, uint32_t& count);
  Result<void> parse_func_index_list(Bytes& out, uint32_t& count);
  Result<void> parse_data_strings(Bytes& out);

  // --- instructions (wat_instr.cc)
  // Parses an instruction sequence up to (not including) the `)` that
  // closes the enclosing form, or, when `stop_at` is a token index, up to
  // that token. Non-recursive: an explicit frame stack handles nesting.
  Result<void> parse_instrs(Bytes& out, size_t stop_at = ~size_t{0});
  Result<void> parse_plain_instr(const Token& mnemonic, Bytes& out);
  Result<void> parse_block_type(Bytes& out);
  Result<uint32_t> parse_label_var();
  Result<uint32_t> parse_local_var();
  Result<void> parse_memarg(const Token& mnemonic, Op op, Bytes& out);
  Result<uint8_t> parse_lane_index();
  Result<void> check_end_label(const std::optional<std::string>& label);
  bool is_known_keyword(std::string_view word) const;

  Cursor cur_;
  ModuleBuilder module_;
  NameSpace spaces_[static_cast<size_t>(Space::Count)];
  // Counters for pass 2 (definitions appear in text order).
  uint32_t next_index_[static_cast<size_t>(Space::Count)] = {};
  size_t explicit_type_count_ = 0;
  // Current function.
  std::unordered_map<std::string, uint32_t> local_names_;
  uint32_t local_count_ = 0;
  std::vector<std::optional<std::string>> labels_;
};

}  // namespace wasmrt::text
