#include "runtime/cache/module_serialize.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

namespace wasmrt::cache {

namespace {

// Native byte order and layout throughout: an entry is only ever read by
// the build (and so the target) that wrote it, which its key guarantees.
class Writer {
 public:
  explicit Writer(std::vector<uint8_t>& out) : out_(out) {}

  void u8(uint8_t v) { out_.push_back(v); }
  void u32(uint32_t v) { raw(&v, sizeof v); }
  void u64(uint64_t v) { raw(&v, sizeof v); }
  void str(const std::string& s) {
    u32(static_cast<uint32_t>(s.size()));
    raw(s.data(), s.size());
  }
  // A vector of trivially copyable records, copied as they lie in memory
  // (side tables are most of an entry; one memcpy each keeps writing and
  // loading cheap).
  template <typename T>
  void pod_vector(const std::vector<T>& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    u32(static_cast<uint32_t>(v.size()));
    raw(v.data(), v.size() * sizeof(T));
  }

 private:
  void raw(const void* data, size_t size) {
    const auto* p = static_cast<const uint8_t*>(data);
    out_.insert(out_.end(), p, p + size);
  }
  std::vector<uint8_t>& out_;
};

// Every read checks the bytes left; after the first failure every read
// returns zeros and failed() stays true, so callers check once per record.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> in) : in_(in) {}

  bool failed() const { return failed_; }
  bool at_end() const { return pos_ == in_.size(); }

  uint8_t u8() {
    uint8_t v = 0;
    raw(&v, 1);
    return v;
  }
  uint32_t u32() {
    uint32_t v = 0;
    raw(&v, sizeof v);
    return v;
  }
  uint64_t u64() {
    uint64_t v = 0;
    raw(&v, sizeof v);
    return v;
  }
  std::string str() {
    const uint32_t size = u32();
    if (!has(size)) return {};
    std::string s(reinterpret_cast<const char*>(in_.data() + pos_), size);
    pos_ += size;
    return s;
  }
  template <typename T>
  void pod_vector(std::vector<T>& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    const uint32_t count = u32();
    if (!has(uint64_t{count} * sizeof(T))) return;
    v.resize(count);
    raw(v.data(), count * sizeof(T));
  }
  // A count of records that each take at least `min_record_bytes`: refused
  // when the bytes left cannot hold them, before anything is allocated.
  uint32_t count(size_t min_record_bytes) {
    const uint32_t n = u32();
    if (!has(uint64_t{n} * min_record_bytes)) return 0;
    return n;
  }

 private:
  bool has(uint64_t size) {
    if (!failed_ && size <= in_.size() - pos_) return true;
    failed_ = true;
    return false;
  }
  void raw(void* out, size_t size) {
    if (!has(size)) return;
    if (size != 0) std::memcpy(out, in_.data() + pos_, size);
    pos_ += size;
  }
  std::span<const uint8_t> in_;
  size_t pos_ = 0;
  bool failed_ = false;
};

void write_limits(Writer& w, const Limits& limits) {
  w.u64(limits.min);
  w.u64(limits.max);
  w.u8(limits.has_max ? 1 : 0);
}
Limits read_limits(Reader& r) {
  Limits limits;
  limits.min = r.u64();
  limits.max = r.u64();
  limits.has_max = r.u8() != 0;
  return limits;
}

void write_expr(Writer& w, const ConstExpr& e) {
  w.u32(e.begin);
  w.u32(e.end);
}
ConstExpr read_expr(Reader& r) {
  ConstExpr e;
  e.begin = r.u32();
  e.end = r.u32();
  return e;
}

void write_types(Writer& w, const std::vector<ValType>& types) {
  w.u32(static_cast<uint32_t>(types.size()));
  for (ValType t : types) w.u8(static_cast<uint8_t>(t));
}

// The checks that keep a bad payload from reaching code that trusts the
// validator: every failure is one message, the entry is then discarded.
struct Checker {
  bool ok = true;
  void require(bool condition) { ok = ok && condition; }
};

ValType read_valtype(Reader& r, Checker& check) {
  const uint8_t byte = r.u8();
  check.require(is_valtype_byte(byte));
  return static_cast<ValType>(byte);
}

void read_types(Reader& r, Checker& check, std::vector<ValType>& out) {
  const uint32_t n = r.count(1);
  out.reserve(n);
  for (uint32_t i = 0; i < n && !r.failed(); ++i) out.push_back(read_valtype(r, check));
}

ExternKind read_kind(Reader& r, Checker& check) {
  const uint8_t byte = r.u8();
  check.require(byte <= static_cast<uint8_t>(ExternKind::Global));
  return static_cast<ExternKind>(byte);
}

SegmentMode read_mode(Reader& r, Checker& check) {
  const uint8_t byte = r.u8();
  check.require(byte <= static_cast<uint8_t>(SegmentMode::Declarative));
  return static_cast<SegmentMode>(byte);
}

}  // namespace

void serialize_module_desc(const ModuleDesc& m, std::vector<uint8_t>& out) {
  Writer w(out);
  w.u32(static_cast<uint32_t>(m.types.size()));
  for (const FuncType& type : m.types) {
    write_types(w, type.params);
    write_types(w, type.results);
  }
  w.u32(static_cast<uint32_t>(m.imports.size()));
  for (const Import& import : m.imports) {
    w.str(import.module);
    w.str(import.name);
    w.u8(static_cast<uint8_t>(import.kind));
    w.u32(import.func_type);
    w.u8(static_cast<uint8_t>(import.table.elem));
    write_limits(w, import.table.limits);
    write_limits(w, import.memory.limits);
    w.u8(static_cast<uint8_t>(import.global.type));
    w.u8(import.global.is_mutable ? 1 : 0);
  }
  w.pod_vector(m.funcs);
  w.u32(static_cast<uint32_t>(m.tables.size()));
  for (const TableType& table : m.tables) {
    w.u8(static_cast<uint8_t>(table.elem));
    write_limits(w, table.limits);
  }
  w.u32(static_cast<uint32_t>(m.memories.size()));
  for (const MemoryType& memory : m.memories) write_limits(w, memory.limits);
  w.u32(static_cast<uint32_t>(m.globals.size()));
  for (const GlobalType& global : m.globals) {
    w.u8(static_cast<uint8_t>(global.type));
    w.u8(global.is_mutable ? 1 : 0);
  }
  w.u32(m.num_imported_funcs);
  w.u32(m.num_imported_tables);
  w.u32(m.num_imported_memories);
  w.u32(m.num_imported_globals);
  w.pod_vector(m.global_inits);
  w.u32(static_cast<uint32_t>(m.exports.size()));
  for (const Export& exported : m.exports) {
    w.str(exported.name);
    w.u8(static_cast<uint8_t>(exported.kind));
    w.u32(exported.index);
  }
  w.u8(m.start.has_value() ? 1 : 0);
  w.u32(m.start.value_or(0));
  w.u32(static_cast<uint32_t>(m.elems.size()));
  for (const ElemSegment& elem : m.elems) {
    w.u8(static_cast<uint8_t>(elem.mode));
    w.u32(elem.table_index);
    write_expr(w, elem.offset);
    w.u8(static_cast<uint8_t>(elem.elem_type));
    w.u8(elem.uses_exprs ? 1 : 0);
    w.pod_vector(elem.func_indices);
    w.pod_vector(elem.exprs);
  }
  w.u32(static_cast<uint32_t>(m.datas.size()));
  for (const DataSegment& data : m.datas) {
    w.u8(static_cast<uint8_t>(data.mode));
    w.u32(data.memory_index);
    write_expr(w, data.offset);
    w.u32(data.data_begin);
    w.u32(data.data_size);
  }
  w.u8(m.data_count.has_value() ? 1 : 0);
  w.u32(m.data_count.value_or(0));
  w.u32(static_cast<uint32_t>(m.code.size()));
  for (const FuncBody& body : m.code) {
    w.u32(static_cast<uint32_t>(body.locals.size()));
    for (const LocalRun& run : body.locals) {
      w.u32(run.count);
      w.u8(static_cast<uint8_t>(run.type));
    }
    w.u64(body.num_locals);
    w.u32(body.code_begin);
    w.u32(body.code_end);
    w.u32(body.entry_begin);
  }
  w.u32(static_cast<uint32_t>(m.customs.size()));
  for (const CustomSection& custom : m.customs) {
    w.str(custom.name);
    w.u32(custom.content_begin);
    w.u32(custom.content_size);
    w.u8(custom.after_section);
  }
  w.str(m.names.module_name);
  w.u32(static_cast<uint32_t>(m.names.functions.size()));
  for (const auto& [index, name] : m.names.functions) {
    w.u32(index);
    w.str(name);
  }
  w.u32(static_cast<uint32_t>(m.names.locals.size()));
  for (const auto& [func, locals] : m.names.locals) {
    w.u32(func);
    w.u32(static_cast<uint32_t>(locals.size()));
    for (const auto& [index, name] : locals) {
      w.u32(index);
      w.str(name);
    }
  }
  w.u32(static_cast<uint32_t>(m.side_tables.size()));
  for (const FuncSideTable& table : m.side_tables) {
    w.pod_vector(table.branches);
    w.pod_vector(table.blocks);
    w.u32(table.num_instrs);
    w.u32(table.max_stack_height);
    w.u32(table.max_control_depth);
  }
}

Result<ModuleDesc> deserialize_module_desc(std::span<const uint8_t> payload, std::span<const uint8_t> bytes) {
  Reader r(payload);
  Checker check;
  ModuleDesc m;
  const uint64_t size = bytes.size();
  auto in_bytes = [&](uint64_t begin, uint64_t end) { return begin <= end && end <= size; };
  auto expr_ok = [&](const ConstExpr& e) { return in_bytes(e.begin, e.end); };

  m.types.resize(r.count(8));
  for (FuncType& type : m.types) {
    read_types(r, check, type.params);
    read_types(r, check, type.results);
  }
  m.imports.resize(r.count(30));
  for (Import& import : m.imports) {
    import.module = r.str();
    import.name = r.str();
    import.kind = read_kind(r, check);
    import.func_type = r.u32();
    import.table.elem = read_valtype(r, check);
    import.table.limits = read_limits(r);
    import.memory.limits = read_limits(r);
    import.global.type = read_valtype(r, check);
    import.global.is_mutable = r.u8() != 0;
  }
  r.pod_vector(m.funcs);
  m.tables.resize(r.count(18));
  for (TableType& table : m.tables) {
    table.elem = read_valtype(r, check);
    table.limits = read_limits(r);
  }
  m.memories.resize(r.count(17));
  for (MemoryType& memory : m.memories) memory.limits = read_limits(r);
  m.globals.resize(r.count(2));
  for (GlobalType& global : m.globals) {
    global.type = read_valtype(r, check);
    global.is_mutable = r.u8() != 0;
  }
  m.num_imported_funcs = r.u32();
  m.num_imported_tables = r.u32();
  m.num_imported_memories = r.u32();
  m.num_imported_globals = r.u32();
  r.pod_vector(m.global_inits);
  m.exports.resize(r.count(9));
  for (Export& exported : m.exports) {
    exported.name = r.str();
    exported.kind = read_kind(r, check);
    exported.index = r.u32();
  }
  const bool has_start = r.u8() != 0;
  const uint32_t start = r.u32();
  if (has_start) m.start = start;
  m.elems.resize(r.count(23));
  for (ElemSegment& elem : m.elems) {
    elem.mode = read_mode(r, check);
    elem.table_index = r.u32();
    elem.offset = read_expr(r);
    elem.elem_type = read_valtype(r, check);
    elem.uses_exprs = r.u8() != 0;
    r.pod_vector(elem.func_indices);
    r.pod_vector(elem.exprs);
  }
  m.datas.resize(r.count(21));
  for (DataSegment& data : m.datas) {
    data.mode = read_mode(r, check);
    data.memory_index = r.u32();
    data.offset = read_expr(r);
    data.data_begin = r.u32();
    data.data_size = r.u32();
  }
  const bool has_data_count = r.u8() != 0;
  const uint32_t data_count = r.u32();
  if (has_data_count) m.data_count = data_count;
  m.code.resize(r.count(24));
  for (FuncBody& body : m.code) {
    body.locals.resize(r.count(5));
    for (LocalRun& run : body.locals) {
      run.count = r.u32();
      run.type = read_valtype(r, check);
    }
    body.num_locals = r.u64();
    body.code_begin = r.u32();
    body.code_end = r.u32();
    body.entry_begin = r.u32();
  }
  m.customs.resize(r.count(13));
  for (CustomSection& custom : m.customs) {
    custom.name = r.str();
    custom.content_begin = r.u32();
    custom.content_size = r.u32();
    custom.after_section = r.u8();
  }
  m.names.module_name = r.str();
  const uint32_t function_names = r.count(8);
  for (uint32_t i = 0; i < function_names && !r.failed(); ++i) {
    const uint32_t index = r.u32();
    m.names.functions.emplace(index, r.str());
  }
  const uint32_t local_name_funcs = r.count(8);
  for (uint32_t i = 0; i < local_name_funcs && !r.failed(); ++i) {
    auto& locals = m.names.locals[r.u32()];
    const uint32_t n = r.count(8);
    for (uint32_t j = 0; j < n && !r.failed(); ++j) {
      const uint32_t index = r.u32();
      locals.emplace(index, r.str());
    }
  }
  m.side_tables.resize(r.count(20));
  for (FuncSideTable& table : m.side_tables) {
    r.pod_vector(table.branches);
    r.pod_vector(table.blocks);
    table.num_instrs = r.u32();
    table.max_stack_height = r.u32();
    table.max_control_depth = r.u32();
  }
  if (r.failed() || !r.at_end())
    return Error{Phase::Malformed, "code cache: truncated or overlong module description"};

  // Index spaces and ranges the runtime trusts once a module is validated.
  uint32_t imported[4] = {};
  for (const Import& import : m.imports) {
    ++imported[static_cast<uint8_t>(import.kind)];
    if (import.kind == ExternKind::Func) check.require(import.func_type < m.types.size());
  }
  check.require(imported[0] == m.num_imported_funcs && imported[1] == m.num_imported_tables &&
                imported[2] == m.num_imported_memories && imported[3] == m.num_imported_globals);
  check.require(m.funcs.size() == uint64_t{m.num_imported_funcs} + m.code.size());
  check.require(m.tables.size() >= m.num_imported_tables && m.memories.size() >= m.num_imported_memories);
  check.require(m.globals.size() == uint64_t{m.num_imported_globals} + m.global_inits.size());
  for (uint32_t type_index : m.funcs) check.require(type_index < m.types.size());
  for (const ConstExpr& e : m.global_inits) check.require(expr_ok(e));
  for (const Export& exported : m.exports) {
    const uint64_t space = exported.kind == ExternKind::Func     ? m.funcs.size()
                           : exported.kind == ExternKind::Table  ? m.tables.size()
                           : exported.kind == ExternKind::Memory ? m.memories.size()
                                                                 : m.globals.size();
    check.require(exported.index < space);
  }
  if (m.start) check.require(*m.start < m.funcs.size());
  for (const ElemSegment& elem : m.elems) {
    if (elem.mode == SegmentMode::Active) {
      check.require(elem.table_index < m.tables.size() && expr_ok(elem.offset));
    }
    for (uint32_t f : elem.func_indices) check.require(f < m.funcs.size());
    for (const ConstExpr& e : elem.exprs) check.require(expr_ok(e));
  }
  for (const DataSegment& data : m.datas) {
    if (data.mode == SegmentMode::Active) {
      check.require(data.memory_index < m.memories.size() && expr_ok(data.offset));
    }
    check.require(in_bytes(data.data_begin, uint64_t{data.data_begin} + data.data_size));
  }
  for (const CustomSection& custom : m.customs) {
    check.require(in_bytes(custom.content_begin, uint64_t{custom.content_begin} + custom.content_size));
  }
  check.require(m.side_tables.size() == m.code.size());
  for (size_t i = 0; i < m.code.size() && check.ok; ++i) {
    const FuncBody& body = m.code[i];
    check.require(in_bytes(body.code_begin, body.code_end));
    uint64_t declared_locals = 0;
    for (const LocalRun& run : body.locals) declared_locals += run.count;
    check.require(declared_locals == body.num_locals && body.num_locals <= UINT32_MAX);
    const FuncSideTable& table = m.side_tables[i];
    for (const BranchEntry& branch : table.branches) {
      check.require(branch.target >= body.code_begin && branch.target <= body.code_end);
    }
    for (const BasicBlockStart& block : table.blocks) {
      check.require(block.offset >= body.code_begin && block.offset < body.code_end &&
                    block.first_instr < table.num_instrs);
    }
  }
  if (!check.ok) return Error{Phase::Malformed, "code cache: module description does not fit the module"};
  m.validated = true;
  return m;
}

}  // namespace wasmrt::cache
