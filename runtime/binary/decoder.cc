// Module decoder for the Wasm 2.0 binary format.
//
// Error behaviour follows the reference interpreter, because the spec test
// suite checks its messages:
//  * A section's declared size is checked against the input ("length out of
//    bounds"), but its content is read with a reader bounded only by the end
//    of the input; afterwards the position must equal the declared end
//    ("section size mismatch"). So a section that under-declares its content
//    reports the mismatch (or whatever error the following bytes produce),
//    exactly like the reference.
//  * Running out of input inside a section is "unexpected end of section or
//    function"; outside sections (header, section id/size) "unexpected end".
//  * Sections out of order or repeated: "unexpected content after last
//    section" (the reference parses sections in order and then finds bytes
//    left over).
#include "runtime/binary/decoder.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "runtime/binary/instr.h"
#include "runtime/binary/name_section.h"
#include "runtime/binary/reader.h"

namespace wasmrt {
namespace {

constexpr const char* kEofTopLevel = "unexpected end";
constexpr const char* kEofInSection = "unexpected end of section or function";

enum SectionId : uint8_t {
  kCustom = 0,
  kType = 1,
  kImport = 2,
  kFunction = 3,
  kTable = 4,
  kMemory = 5,
  kGlobal = 6,
  kExport = 7,
  kStart = 8,
  kElem = 9,
  kCode = 10,
  kData = 11,
  kDataCount = 12,
};
constexpr uint8_t kMaxSectionId = kDataCount;

// Position of each non-custom section in the required order (data count sits
// between element and code).
uint8_t section_rank(uint8_t id) {
  switch (id) {
    case kDataCount: return kElem + 1;
    case kCode: return kElem + 2;
    case kData: return kElem + 3;
    default: return id;
  }
}

// Reserves for `count` elements, but never more than could be encoded in the
// bytes left, so a hostile count cannot inflate memory beyond the input size.
template <typename T>
void reserve_bounded(std::vector<T>& v, uint32_t count, const Reader& r, size_t min_encoded_size) {
  v.reserve(std::min<size_t>(count, r.remaining() / min_encoded_size + 1));
}

class Decoder {
 public:
  explicit Decoder(ModuleDesc& module)
      : m_(module), r_(module.bytes.data(), module.bytes.size(), 0) {}

  bool run();
  Error take_error() { return r_.take_error(); }

 private:
  bool header();
  bool section(uint8_t id);
  bool custom_section(size_t begin, size_t size);
  bool final_checks();

  bool type_section();
  bool import_section();
  bool function_section();
  bool table_section();
  bool memory_section();
  bool global_section();
  bool export_section();
  bool start_section();
  bool elem_section();
  bool elem_segment(ElemSegment& seg);
  bool code_section();
  bool func_body(FuncBody& body);
  bool data_section();
  bool data_count_section();

  bool value_type(ValType& out);
  bool ref_type(ValType& out);
  bool limits(Limits& out);
  bool table_type(TableType& out);
  bool global_type(GlobalType& out);
  bool const_expr(ConstExpr& out);
  bool byte_length(uint32_t& out);
  // Vector lengths get the same check; allocations from them are further
  // bounded by reserve_bounded.
  bool read_count(uint32_t& out) { return byte_length(out); }
  bool type_byte(uint8_t& out);
  bool finish_body_scan(const FuncBody& body);

  ModuleDesc& m_;
  Reader r_;
  Instr instr_;  // reused by const_expr so br_table targets keep capacity
  uint8_t last_rank_ = 0;
  uint8_t last_section_id_ = 0;
  uint32_t declared_funcs_ = 0;  // function section count
};

bool Decoder::run() {
  if (!header()) return false;
  while (!r_.at_end()) {
    r_.set_eof_message(kEofTopLevel);
    size_t id_offset = r_.offset();
    uint8_t id = 0;
    if (!r_.u8(id)) return false;
    if (id > kMaxSectionId) return r_.fail_at(id_offset, "malformed section id");
    uint32_t size = 0;
    if (!byte_length(size)) return false;
    size_t begin = r_.offset();
    size_t end = begin + size;
    if (id == kCustom) {
      if (!custom_section(begin, size)) return false;
      continue;
    }
    uint8_t rank = section_rank(id);
    if (rank <= last_rank_) return r_.fail_at(id_offset, "unexpected content after last section");
    last_rank_ = rank;
    last_section_id_ = id;
    r_.set_eof_message(kEofInSection);
    if (!section(id)) return false;
    if (r_.offset() != end) return r_.fail_at(begin, "section size mismatch");
  }
  return final_checks();
}

bool Decoder::header() {
  static constexpr uint8_t kMagic[4] = {0x00, 0x61, 0x73, 0x6D};
  static constexpr uint8_t kVersion[4] = {0x01, 0x00, 0x00, 0x00};
  const uint8_t* p = nullptr;
  if (!r_.bytes(4, p)) return false;
  if (!std::equal(p, p + 4, kMagic)) return r_.fail_at(0, "magic header not detected");
  if (!r_.bytes(4, p)) return false;
  if (!std::equal(p, p + 4, kVersion)) return r_.fail_at(4, "unknown binary version");
  return true;
}

bool Decoder::section(uint8_t id) {
  switch (id) {
    case kType: return type_section();
    case kImport: return import_section();
    case kFunction: return function_section();
    case kTable: return table_section();
    case kMemory: return memory_section();
    case kGlobal: return global_section();
    case kExport: return export_section();
    case kStart: return start_section();
    case kElem: return elem_section();
    case kCode: return code_section();
    case kData: return data_section();
    case kDataCount: return data_count_section();
    default: return r_.fail("malformed section id");
  }
}

bool Decoder::custom_section(size_t begin, size_t size) {
  // Unlike the other sections, a custom section's content is bounded by its
  // declared size: the name must fit inside it.
  Reader sub(nullptr, 0);
  if (!r_.sub_reader(size, sub, kEofInSection)) return false;
  std::string_view name;
  if (!sub.name(name)) {
    Error e = sub.take_error();
    return r_.fail_at(e.offset, e.message);
  }
  CustomSection custom;
  custom.name = std::string(name);
  custom.content_begin = static_cast<uint32_t>(sub.offset());
  custom.content_size = static_cast<uint32_t>(begin + size - sub.offset());
  custom.after_section = last_section_id_;
  if (custom.name == "name") {
    parse_name_section(sub.pos(), sub.remaining(), sub.offset(), m_.names);
  }
  m_.customs.push_back(std::move(custom));
  return true;
}

bool Decoder::final_checks() {
  size_t end = m_.bytes.size();
  if (declared_funcs_ != m_.code.size()) {
    return r_.fail_at(end, "function and code section have inconsistent lengths");
  }
  if (m_.data_count && *m_.data_count != m_.datas.size()) {
    return r_.fail_at(end, "data count and data section have inconsistent lengths");
  }
  return true;
}

// ---- Types ----------------------------------------------------------------

// Type encodings are one-byte signed LEB128 numbers in the reference
// interpreter, so a continuation bit is reported as an over-long integer.
bool Decoder::type_byte(uint8_t& out) {
  if (!r_.u8(out)) return false;
  if (out & 0x80) return r_.fail_at(r_.offset() - 1, "integer representation too long");
  return true;
}

bool Decoder::value_type(ValType& out) {
  uint8_t b = 0;
  if (!type_byte(b)) return false;
  if (!is_valtype_byte(b)) return r_.fail_at(r_.offset() - 1, "malformed value type");
  out = static_cast<ValType>(b);
  return true;
}

bool Decoder::ref_type(ValType& out) {
  uint8_t b = 0;
  if (!type_byte(b)) return false;
  if (b != static_cast<uint8_t>(ValType::FuncRef) && b != static_cast<uint8_t>(ValType::ExternRef)) {
    return r_.fail_at(r_.offset() - 1, "malformed reference type");
  }
  out = static_cast<ValType>(b);
  return true;
}

bool Decoder::limits(Limits& out) {
  // The flag is a one-byte LEB128 of value 0 or 1 (the reference reads it as
  // a 1-bit unsigned LEB, hence these two messages).
  uint8_t flag = 0;
  if (!r_.u8(flag)) return false;
  if (flag & 0x80) return r_.fail_at(r_.offset() - 1, "integer representation too long");
  if (flag > 1) return r_.fail_at(r_.offset() - 1, "integer too large");
  uint32_t min = 0;
  if (!r_.u32(min)) return false;
  out.min = min;
  out.has_max = flag == 1;
  out.max = 0;
  if (out.has_max) {
    uint32_t max = 0;
    if (!r_.u32(max)) return false;
    out.max = max;
  }
  return true;
}

bool Decoder::table_type(TableType& out) { return ref_type(out.elem) && limits(out.limits); }

bool Decoder::global_type(GlobalType& out) {
  if (!value_type(out.type)) return false;
  uint8_t mut = 0;
  if (!r_.u8(mut)) return false;
  if (mut > 1) return r_.fail_at(r_.offset() - 1, "malformed mutability");
  out.is_mutable = mut == 1;
  return true;
}

// Finds the end of a constant expression by decoding instructions until the
// `end` that closes it. Nesting is tracked with a counter, not recursion.
// Whether the instructions are allowed in a constant expression is the
// validator's concern.
bool Decoder::const_expr(ConstExpr& out) {
  out.begin = static_cast<uint32_t>(r_.offset());
  uint32_t depth = 0;
  for (;;) {
    if (!read_instruction_inline(r_, instr_)) return false;
    switch (instr_.op) {
      case Op::Block:
      case Op::Loop:
      case Op::If: ++depth; break;
      case Op::Else:
        if (depth == 0) return r_.fail_at(instr_.offset, "END opcode expected");
        break;
      case Op::End:
        if (depth == 0) {
          out.end = static_cast<uint32_t>(r_.offset());
          return true;
        }
        --depth;
        break;
      default: break;
    }
  }
}

// Reads the size of a byte range the way the reference interpreter does: it
// is checked against the bytes remaining from the start of its own LEB128, so
// a size that overshoots by less than that is reported by the read that runs
// out ("unexpected end ..."), not as "length out of bounds". The spec suite
// checks both messages. Nothing is allocated from the size.
bool Decoder::byte_length(uint32_t& out) {
  size_t start = r_.offset();
  size_t available = r_.remaining();
  if (!r_.u32(out)) return false;
  if (out > available) return r_.fail_at(start, "length out of bounds");
  return true;
}

// ---- Sections -------------------------------------------------------------

bool Decoder::type_section() {
  uint32_t count = 0;
  if (!read_count(count)) return false;
  reserve_bounded(m_.types, count, r_, 3);
  for (uint32_t i = 0; i < count; ++i) {
    uint8_t form = 0;
    if (!type_byte(form)) return false;
    if (form != 0x60) return r_.fail_at(r_.offset() - 1, "malformed function type");
    FuncType type;
    for (std::vector<ValType>* list : {&type.params, &type.results}) {
      uint32_t n = 0;
      if (!read_count(n)) return false;
      list->resize(n);
      for (uint32_t k = 0; k < n; ++k) {
        if (!value_type((*list)[k])) return false;
      }
    }
    m_.types.push_back(std::move(type));
  }
  return true;
}

bool Decoder::import_section() {
  uint32_t count = 0;
  if (!read_count(count)) return false;
  reserve_bounded(m_.imports, count, r_, 4);
  for (uint32_t i = 0; i < count; ++i) {
    Import imp;
    std::string_view module_name;
    std::string_view field_name;
    if (!r_.name(module_name) || !r_.name(field_name)) return false;
    imp.module = std::string(module_name);
    imp.name = std::string(field_name);
    uint8_t kind = 0;
    if (!r_.u8(kind)) return false;
    switch (kind) {
      case 0:
        imp.kind = ExternKind::Func;
        if (!r_.u32(imp.func_type)) return false;
        m_.funcs.push_back(imp.func_type);
        ++m_.num_imported_funcs;
        break;
      case 1:
        imp.kind = ExternKind::Table;
        if (!table_type(imp.table)) return false;
        m_.tables.push_back(imp.table);
        ++m_.num_imported_tables;
        break;
      case 2:
        imp.kind = ExternKind::Memory;
        if (!limits(imp.memory.limits)) return false;
        m_.memories.push_back(imp.memory);
        ++m_.num_imported_memories;
        break;
      case 3:
        imp.kind = ExternKind::Global;
        if (!global_type(imp.global)) return false;
        m_.globals.push_back(imp.global);
        ++m_.num_imported_globals;
        break;
      default: return r_.fail_at(r_.offset() - 1, "malformed import kind");
    }
    m_.imports.push_back(std::move(imp));
  }
  return true;
}

bool Decoder::function_section() {
  uint32_t count = 0;
  if (!read_count(count)) return false;
  declared_funcs_ = count;
  reserve_bounded(m_.funcs, m_.funcs.size() + count, r_, 1);
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t type_index = 0;
    if (!r_.u32(type_index)) return false;
    m_.funcs.push_back(type_index);
  }
  return true;
}

bool Decoder::table_section() {
  uint32_t count = 0;
  if (!read_count(count)) return false;
  reserve_bounded(m_.tables, m_.tables.size() + count, r_, 3);
  for (uint32_t i = 0; i < count; ++i) {
    TableType table;
    if (!table_type(table)) return false;
    m_.tables.push_back(table);
  }
  return true;
}

bool Decoder::memory_section() {
  uint32_t count = 0;
  if (!read_count(count)) return false;
  reserve_bounded(m_.memories, m_.memories.size() + count, r_, 2);
  for (uint32_t i = 0; i < count; ++i) {
    MemoryType memory;
    if (!limits(memory.limits)) return false;
    m_.memories.push_back(memory);
  }
  return true;
}

bool Decoder::global_section() {
  uint32_t count = 0;
  if (!read_count(count)) return false;
  reserve_bounded(m_.globals, m_.globals.size() + count, r_, 3);
  reserve_bounded(m_.global_inits, count, r_, 3);
  for (uint32_t i = 0; i < count; ++i) {
    GlobalType type;
    ConstExpr init;
    if (!global_type(type) || !const_expr(init)) return false;
    m_.globals.push_back(type);
    m_.global_inits.push_back(init);
  }
  return true;
}

bool Decoder::export_section() {
  uint32_t count = 0;
  if (!read_count(count)) return false;
  reserve_bounded(m_.exports, count, r_, 3);
  for (uint32_t i = 0; i < count; ++i) {
    Export exp;
    std::string_view name;
    if (!r_.name(name)) return false;
    exp.name = std::string(name);
    uint8_t kind = 0;
    if (!r_.u8(kind)) return false;
    if (kind > 3) return r_.fail_at(r_.offset() - 1, "malformed export kind");
    exp.kind = static_cast<ExternKind>(kind);
    if (!r_.u32(exp.index)) return false;
    m_.exports.push_back(std::move(exp));
  }
  return true;
}

bool Decoder::start_section() {
  uint32_t index = 0;
  if (!r_.u32(index)) return false;
  m_.start = index;
  return true;
}

bool Decoder::elem_section() {
  uint32_t count = 0;
  if (!read_count(count)) return false;
  reserve_bounded(m_.elems, count, r_, 4);
  for (uint32_t i = 0; i < count; ++i) {
    ElemSegment seg;
    if (!elem_segment(seg)) return false;
    m_.elems.push_back(std::move(seg));
  }
  return true;
}

// Element segment flags: bit 0 = passive/declarative (else active), bit 1 =
// explicit table index (active) or declarative (otherwise), bit 2 = element
// expressions instead of function indices.
bool Decoder::elem_segment(ElemSegment& seg) {
  size_t flags_offset = r_.offset();
  uint32_t flags = 0;
  if (!r_.u32(flags)) return false;
  if (flags > 7) return r_.fail_at(flags_offset, "malformed elements segment kind");
  bool not_active = flags & 1;
  bool bit1 = flags & 2;
  seg.uses_exprs = flags & 4;
  if (not_active) {
    seg.mode = bit1 ? SegmentMode::Declarative : SegmentMode::Passive;
  } else {
    seg.mode = SegmentMode::Active;
    if (bit1 && !r_.u32(seg.table_index)) return false;
    if (!const_expr(seg.offset)) return false;
  }
  // Forms 0 and 4 imply funcref; the others spell out the element kind
  // (0x00 = funcref, for index lists) or the reference type (expressions).
  seg.elem_type = ValType::FuncRef;
  if (not_active || bit1) {
    if (seg.uses_exprs) {
      if (!ref_type(seg.elem_type)) return false;
    } else {
      uint8_t kind = 0;
      if (!r_.u8(kind)) return false;
      if (kind != 0x00) return r_.fail_at(r_.offset() - 1, "malformed element kind");
    }
  }
  uint32_t n = 0;
  if (!read_count(n)) return false;
  if (seg.uses_exprs) {
    reserve_bounded(seg.exprs, n, r_, 2);
    for (uint32_t k = 0; k < n; ++k) {
      ConstExpr expr;
      if (!const_expr(expr)) return false;
      seg.exprs.push_back(expr);
    }
  } else {
    seg.func_indices.resize(n);
    for (uint32_t k = 0; k < n; ++k) {
      if (!r_.u32(seg.func_indices[k])) return false;
    }
  }
  return true;
}

bool Decoder::code_section() {
  uint32_t count = 0;
  if (!read_count(count)) return false;
  m_.code.resize(count);
  for (uint32_t i = 0; i < count; ++i) {
    FuncBody& body = m_.code[i];
    if (!func_body(body)) return false;
    if (body.code_end == body.code_begin || m_.bytes[body.code_end - 1] != 0x0B) {
      return finish_body_scan(body);
    }
  }
  return true;
}

// A body must finish with `end`; one that does not is malformed. The
// reference interpreter does not frame bodies by their size: it decodes
// instructions into whatever bytes follow, and the spec suite checks the
// message that produces (an error in the following bytes, "END opcode
// expected" when the next body's bytes close the block with `else`,
// "unexpected end" at the end of the input, or a size mismatch of the code
// section). Rescan the same way to report the same error. This only runs
// for bodies that are already known to be malformed.
bool Decoder::finish_body_scan(const FuncBody& body) {
  Reader scan(m_.bytes.data() + body.code_begin, m_.bytes.size() - body.code_begin, body.code_begin);
  scan.set_eof_message(kEofInSection);
  uint32_t depth = 0;
  for (;;) {
    if (!read_instruction(scan, instr_)) {
      Error e = scan.take_error();
      return r_.fail_at(e.offset, e.message);
    }
    switch (instr_.op) {
      case Op::Block:
      case Op::Loop:
      case Op::If: ++depth; break;
      case Op::Else:
        if (depth == 0) return r_.fail_at(instr_.offset, "END opcode expected");
        break;
      case Op::End:
        if (depth == 0) return r_.fail_at(body.entry_begin, "section size mismatch");
        --depth;
        break;
      default: break;
    }
  }
}

bool Decoder::func_body(FuncBody& body) {
  body.entry_begin = static_cast<uint32_t>(r_.offset());
  uint32_t size = 0;
  size_t size_offset = r_.offset();
  if (!byte_length(size)) return false;
  Reader br(nullptr, 0);
  if (!r_.sub_reader(size, br, kEofInSection)) return false;
  uint32_t runs = 0;
  // Each run is a count and a type: at least two bytes.
  if (!br.vec_count(runs, 2)) return r_.fail_at(br.error().offset, br.error().message);
  body.locals.resize(runs);
  uint64_t total = 0;
  for (uint32_t k = 0; k < runs; ++k) {
    LocalRun& run = body.locals[k];
    uint8_t type = 0;
    if (!br.u32(run.count) || !br.u8(type)) return r_.fail_at(br.error().offset, br.error().message);
    if (!is_valtype_byte(type)) return r_.fail_at(br.offset() - 1, "malformed value type");
    run.type = static_cast<ValType>(type);
    total += run.count;
  }
  if (total > 0xFFFFFFFFu) return r_.fail_at(size_offset, "too many locals");
  body.num_locals = total;
  body.code_begin = static_cast<uint32_t>(br.offset());
  body.code_end = static_cast<uint32_t>(br.offset() + br.remaining());
  return true;
}

bool Decoder::data_section() {
  uint32_t count = 0;
  if (!read_count(count)) return false;
  reserve_bounded(m_.datas, count, r_, 2);
  for (uint32_t i = 0; i < count; ++i) {
    DataSegment seg;
    size_t flags_offset = r_.offset();
    uint32_t flags = 0;
    if (!r_.u32(flags)) return false;
    switch (flags) {
      case 0:
        seg.mode = SegmentMode::Active;
        if (!const_expr(seg.offset)) return false;
        break;
      case 1: seg.mode = SegmentMode::Passive; break;
      case 2:
        seg.mode = SegmentMode::Active;
        if (!r_.u32(seg.memory_index) || !const_expr(seg.offset)) return false;
        break;
      default: return r_.fail_at(flags_offset, "malformed data segment kind");
    }
    uint32_t size = 0;
    if (!byte_length(size)) return false;
    seg.data_begin = static_cast<uint32_t>(r_.offset());
    seg.data_size = size;
    if (!r_.skip(size)) return false;
    m_.datas.push_back(seg);
  }
  return true;
}

bool Decoder::data_count_section() {
  uint32_t count = 0;
  if (!r_.u32(count)) return false;
  m_.data_count = count;
  return true;
}

}  // namespace

Result<ModuleDesc> decode_module(std::vector<uint8_t> bytes) {
  // Offsets are stored as uint32_t; a module of 4 GiB or more cannot exist
  // in practice and is refused rather than silently truncated.
  if (bytes.size() > 0xFFFFFFFEu) {
    Error e;
    e.phase = Phase::Malformed;
    e.message = "length out of bounds";
    e.offset = 0;
    return e;
  }
  ModuleDesc module;
  module.bytes = std::move(bytes);
  Decoder decoder(module);
  if (!decoder.run()) return decoder.take_error();
  return module;
}

}  // namespace wasmrt
