// Module fields of the text format, with every abbreviation of the spec:
// inline imports/exports, inline type uses, inline table elements, inline
// memory data, all element and data segment forms.
//
// Two passes: scan_fields() binds every symbolic name (and the explicit
// types) so later fields may refer to earlier or later definitions; then
// each field is parsed and encoded in text order.
#include <cstring>

#include "runtime/binary/reader.h"
#include "runtime/text/numbers.h"
#include "runtime/text/wat_parser.h"

#include <algorithm>

namespace wasmrt::text {
namespace {

constexpr size_t idx(Space s) { return static_cast<size_t>(s); }

const char* space_name(Space s) {
  switch (s) {
    case Space::Type: return "type";
    case Space::Func: return "func";
    case Space::Table: return "table";
    case Space::Memory: return "memory";
    case Space::Global: return "global";
    case Space::Elem: return "elem";
    case Space::Data: return "data";
    case Space::Count: break;
  }
  return "?";
}

// "unknown ..." texts used by the validator for the same index spaces.
const char* unknown_name(Space s) {
  switch (s) {
    case Space::Type: return "unknown type";
    case Space::Func: return "unknown function";
    case Space::Table: return "unknown table";
    case Space::Memory: return "unknown memory";
    case Space::Global: return "unknown global";
    case Space::Elem: return "unknown elem segment";
    case Space::Data: return "unknown data segment";
    case Space::Count: break;
  }
  return "unknown";
}

void write_i32_const_zero(Bytes& out) {
  write_opcode(out, Op::I32Const);
  out.push_back(0x00);
  out.push_back(0x0B);
}

}  // namespace

// ---------------------------------------------------------------- helpers

Error WatParser::unexpected(const Token& at) const {
  switch (at.kind) {
    case TokenKind::Reserved: return fail(at, "unknown operator " + std::string(at.text));
    case TokenKind::Keyword:
      if (!is_known_keyword(at.text)) return fail(at, "unknown operator " + std::string(at.text));
      return fail(at, "unexpected token");
    case TokenKind::Eof: return fail(at, "unexpected end of input");
    default: return fail(at, "unexpected token");
  }
}

Result<void> WatParser::expect(TokenKind kind) {
  if (!cur_.at(kind)) return unexpected(cur_.peek());
  cur_.next();
  return ok();
}

Result<void> WatParser::expect_keyword(std::string_view kw) {
  if (!cur_.at_keyword(kw)) return unexpected(cur_.peek());
  cur_.next();
  return ok();
}

Result<void> WatParser::expect_lparen_keyword(std::string_view kw) {
  WASMRT_TRY(expect(TokenKind::LParen));
  return expect_keyword(kw);
}

Result<uint32_t> WatParser::parse_u32_token() {
  const Token& t = cur_.peek();
  if (t.kind != TokenKind::Number) return unexpected(t);
  auto r = parse_u32(t.text);
  if (!r) return fail(t, r.error().message);
  cur_.next();
  return *r;
}

Result<uint32_t> WatParser::parse_var(Space space) {
  const Token& t = cur_.peek();
  if (t.kind == TokenKind::Id) {
    auto& names = spaces_[idx(space)].names;
    auto it = names.find(t.value);
    if (it == names.end()) return fail(t, std::string(unknown_name(space)) + " " + std::string(t.text));
    cur_.next();
    return it->second;
  }
  return parse_u32_token();
}

Result<std::string> WatParser::parse_name() {
  const Token& t = cur_.peek();
  if (t.kind != TokenKind::String) return unexpected(t);
  if (!is_valid_utf8(reinterpret_cast<const uint8_t*>(t.value.data()), t.value.size())) {
    return fail(t, "malformed UTF-8 encoding");
  }
  cur_.next();
  return t.value;
}

Result<ValType> WatParser::parse_valtype() {
  const Token& t = cur_.peek();
  if (t.kind == TokenKind::Keyword) {
    ValType type;
    if (t.text == "i32") type = ValType::I32;
    else if (t.text == "i64") type = ValType::I64;
    else if (t.text == "f32") type = ValType::F32;
    else if (t.text == "f64") type = ValType::F64;
    else if (t.text == "v128") type = ValType::V128;
    else if (t.text == "funcref") type = ValType::FuncRef;
    else if (t.text == "externref") type = ValType::ExternRef;
    else return unexpected(t);
    cur_.next();
    return type;
  }
  return unexpected(t);
}

Result<ValType> WatParser::parse_reftype() {
  const Token& t = cur_.peek();
  if (t.is_keyword("funcref")) {
    cur_.next();
    return ValType::FuncRef;
  }
  if (t.is_keyword("externref")) {
    cur_.next();
    return ValType::ExternRef;
  }
  return unexpected(t);
}

Result<Limits> WatParser::parse_limits() {
  Limits limits;
  auto min = parse_u32_token();
  if (!min) return std::move(min).error();
  limits.min = *min;
  if (cur_.at(TokenKind::Number)) {
    auto max = parse_u32_token();
    if (!max) return std::move(max).error();
    limits.max = *max;
    limits.has_max = true;
  }
  return limits;
}

Result<GlobalType> WatParser::parse_globaltype() {
  GlobalType type;
  if (cur_.at_form("mut")) {
    cur_.next();
    cur_.next();
    auto t = parse_valtype();
    if (!t) return std::move(t).error();
    type.type = *t;
    type.is_mutable = true;
    WASMRT_TRY(expect(TokenKind::RParen));
    return type;
  }
  auto t = parse_valtype();
  if (!t) return std::move(t).error();
  type.type = *t;
  return type;
}

std::optional<std::string> WatParser::take_id() {
  if (!cur_.at(TokenKind::Id)) return std::nullopt;
  return cur_.next().value;
}

Result<void> WatParser::bind(Space space, const Token& id_token) {
  NameSpace& ns = spaces_[idx(space)];
  if (id_token.kind == TokenKind::Id) {
    if (!ns.names.emplace(id_token.value, ns.count).second) {
      return fail(id_token, std::string("duplicate ") + space_name(space) + " " + std::string(id_token.text));
    }
  }
  ++ns.count;
  return ok();
}

uint32_t WatParser::find_or_add_type(const FuncType& sig) {
  for (size_t i = 0; i < module_.types.size(); ++i) {
    if (module_.types[i] == sig) return static_cast<uint32_t>(i);
  }
  module_.types.push_back(sig);
  return static_cast<uint32_t>(module_.types.size() - 1);
}

Result<WatParser::TypeUse> WatParser::parse_type_use(bool allow_names) {
  TypeUse use;
  if (cur_.at_form("type")) {
    cur_.next();
    cur_.next();
    auto index = parse_var(Space::Type);
    if (!index) return std::move(index).error();
    use.index = *index;
    WASMRT_TRY(expect(TokenKind::RParen));
  }
  while (cur_.at_form("param")) {
    use.has_inline = true;
    cur_.next();
    cur_.next();
    if (cur_.at(TokenKind::Id)) {
      const Token& id = cur_.next();
      if (!allow_names) return fail(id, "unexpected token");
      auto t = parse_valtype();
      if (!t) return std::move(t).error();
      use.sig.params.push_back(*t);
      use.param_names.emplace_back(id.value);
      WASMRT_TRY(expect(TokenKind::RParen));
      continue;
    }
    while (!cur_.at(TokenKind::RParen)) {
      auto t = parse_valtype();
      if (!t) return std::move(t).error();
      use.sig.params.push_back(*t);
      use.param_names.emplace_back(std::nullopt);
    }
    cur_.next();
  }
  while (cur_.at_form("result")) {
    use.has_inline = true;
    cur_.next();
    cur_.next();
    while (!cur_.at(TokenKind::RParen)) {
      auto t = parse_valtype();
      if (!t) return std::move(t).error();
      use.sig.results.push_back(*t);
    }
    cur_.next();
  }
  // Params after results: the grammar has no place for them.
  if (cur_.at_form("param")) return unexpected(cur_.peek(1));
  return use;
}

Result<uint32_t> WatParser::resolve_type_use(const TypeUse& use, const Token& at) {
  if (use.index) {
    if (use.has_inline) {
      // An inline signature after `(type x)` must repeat x's signature.
      if (*use.index >= module_.types.size()) return fail(at, "unknown type");
      if (!(module_.types[*use.index] == use.sig)) return fail(at, "inline function type");
    }
    return *use.index;
  }
  return find_or_add_type(use.sig);
}

bool WatParser::is_known_keyword(std::string_view word) const {
  static const char* const kStructural[] = {
      "module", "type", "func", "param", "result", "local", "import", "export", "table", "memory",
      "global", "mut", "elem", "data", "start", "offset", "item", "declare", "then", "else", "end",
      "block", "loop", "if", "funcref", "externref", "i32", "i64", "f32", "f64", "v128", "extern",
      "binary", "quote", "register", "invoke", "get", "assert_return", "assert_trap",
      "assert_exhaustion", "assert_malformed", "assert_invalid", "assert_unlinkable",
      "assert_uninstantiable", "i8x16", "i16x8", "i32x4", "i64x2", "f32x4", "f64x2", "ref.extern",
      "nan:canonical", "nan:arithmetic", "either", "ref"};
  for (const char* kw : kStructural) {
    if (word == kw) return true;
  }
  if (word.starts_with("offset=") || word.starts_with("align=")) return true;
  for (uint16_t i = 0; i < kOpCount; ++i) {
    if (op_info(static_cast<Op>(i)).text == word) return true;
  }
  return false;
}

// ---------------------------------------------------------------- pass 1

Result<void> WatParser::scan_fields(size_t begin) {
  cur_.seek(begin);
  // Definitions seen so far, for "import after ..." (imports must precede
  // every definition so that imported indices come first).
  bool defined_func = false, defined_table = false, defined_memory = false, defined_global = false;
  auto check_import_order = [&](const Token& at) -> Result<void> {
    if (defined_func) return fail(at, "import after function");
    if (defined_table) return fail(at, "import after table");
    if (defined_memory) return fail(at, "import after memory");
    if (defined_global) return fail(at, "import after global");
    return ok();
  };
  while (cur_.at(TokenKind::LParen)) {
    size_t open = cur_.position();
    const Token& open_tok = cur_.peek();
    if (open_tok.match == Token::kNoMatch) return fail(open_tok, "unexpected end of input");
    const Token& kw = cur_.peek(1);
    if (kw.kind != TokenKind::Keyword) return unexpected(kw);
    std::string_view k = kw.text;
    const Token& maybe_id = cur_.peek(2);
    if (k == "type") {
      cur_.seek(open + 2);
      WASMRT_TRY(parse_type_field());
      explicit_type_count_ = module_.types.size();
    } else if (k == "import") {
      WASMRT_TRY(check_import_order(kw));
      // (import "m" "n" (kind $id? ...))
      size_t desc = open + 4;
      const Token& desc_open = cur_.tokens()[std::min(desc, cur_.tokens().size() - 1)];
      const Token& desc_kw = cur_.peek(5);
      if (desc_open.kind != TokenKind::LParen || desc_kw.kind != TokenKind::Keyword) {
        cur_.seek(open + 2);
        // Let pass 2 report the exact syntax error.
      } else {
        const Token& id = cur_.peek(6);
        Space space;
        if (desc_kw.text == "func") space = Space::Func;
        else if (desc_kw.text == "table") space = Space::Table;
        else if (desc_kw.text == "memory") space = Space::Memory;
        else if (desc_kw.text == "global") space = Space::Global;
        else return unexpected(desc_kw);
        WASMRT_TRY(bind(space, id));
      }
    } else if (k == "func" || k == "table" || k == "memory" || k == "global") {
      Space space = k == "func" ? Space::Func : k == "table" ? Space::Table : k == "memory" ? Space::Memory : Space::Global;
      // Look past `$id?` and `(export ...)*` for an inline `(import ...)`.
      size_t p = open + 2;
      const auto& all = cur_.tokens();
      auto toks = [&all](size_t i) -> const Token& { return all[std::min(i, all.size() - 1)]; };
      if (toks(p).kind == TokenKind::Id) ++p;
      while (toks(p).kind == TokenKind::LParen && toks(p + 1).is_keyword("export") &&
             toks(p).match != Token::kNoMatch) {
        p = toks(p).match + 1;
      }
      bool is_import = toks(p).kind == TokenKind::LParen && toks(p + 1).is_keyword("import");
      if (is_import) {
        WASMRT_TRY(check_import_order(toks(p + 1)));
      } else {
        if (space == Space::Func) defined_func = true;
        if (space == Space::Table) defined_table = true;
        if (space == Space::Memory) defined_memory = true;
        if (space == Space::Global) defined_global = true;
      }
      WASMRT_TRY(bind(space, maybe_id));
      // Inline table elements and memory data create segments.
      if (!is_import && (space == Space::Table || space == Space::Memory)) {
        const char* inner = space == Space::Table ? "elem" : "data";
        size_t q = p;
        while (q < open_tok.match) {
          if (toks(q).kind == TokenKind::LParen && toks(q + 1).is_keyword(inner)) {
            Token none;
            WASMRT_TRY(bind(space == Space::Table ? Space::Elem : Space::Data, none));
            break;
          }
          if (toks(q).kind == TokenKind::LParen && toks(q).match != Token::kNoMatch) {
            q = toks(q).match + 1;
          } else {
            ++q;
          }
        }
      }
    } else if (k == "elem") {
      WASMRT_TRY(bind(Space::Elem, maybe_id));
    } else if (k == "data") {
      WASMRT_TRY(bind(Space::Data, maybe_id));
    } else if (k == "export" || k == "start") {
      // No names to bind.
    } else {
      return unexpected(kw);
    }
    cur_.seek(open_tok.match + 1);
  }
  return ok();
}

// ---------------------------------------------------------------- pass 2

Result<Bytes> WatParser::parse_module(bool bare) {
  size_t begin = cur_.position();
  WASMRT_TRY(scan_fields(begin));
  cur_.seek(begin);
  while (cur_.at(TokenKind::LParen)) WASMRT_TRY(parse_field());
  if (bare) {
    if (!cur_.at(TokenKind::Eof)) return unexpected(cur_.peek());
  } else if (!cur_.at(TokenKind::RParen)) {
    return unexpected(cur_.peek());
  }
  for (const auto& [name, index] : spaces_[idx(Space::Func)].names) module_.func_names.emplace_back(index, name);
  std::sort(module_.func_names.begin(), module_.func_names.end());
  return encode_module(module_);
}

Result<void> WatParser::parse_field() {
  WASMRT_TRY(expect(TokenKind::LParen));
  const Token& kw = cur_.next();
  if (kw.kind != TokenKind::Keyword) return unexpected(kw);
  std::string_view k = kw.text;
  if (k == "type") {
    // Already parsed in pass 1; skip the form.
    size_t depth = 1;
    while (depth > 0 && !cur_.at(TokenKind::Eof)) {
      const Token& t = cur_.next();
      if (t.kind == TokenKind::LParen) ++depth;
      if (t.kind == TokenKind::RParen) --depth;
    }
    return ok();
  }
  if (k == "import") WASMRT_TRY(parse_import_field());
  else if (k == "func") WASMRT_TRY(parse_func_field());
  else if (k == "table") WASMRT_TRY(parse_table_field());
  else if (k == "memory") WASMRT_TRY(parse_memory_field());
  else if (k == "global") WASMRT_TRY(parse_global_field());
  else if (k == "export") WASMRT_TRY(parse_export_field());
  else if (k == "start") WASMRT_TRY(parse_start_field());
  else if (k == "elem") WASMRT_TRY(parse_elem_field());
  else if (k == "data") WASMRT_TRY(parse_data_field());
  else return unexpected(kw);
  return expect(TokenKind::RParen);
}

Result<void> WatParser::parse_type_field() {
  // `(type` already consumed.
  const Token& id = cur_.peek();
  if (id.kind == TokenKind::Id) cur_.next();
  WASMRT_TRY(bind(Space::Type, id));
  WASMRT_TRY(expect_lparen_keyword("func"));
  const Token& at = cur_.peek();
  auto use = parse_type_use(/*allow_names=*/true);
  if (!use) return std::move(use).error();
  if (use->index) return unexpected(at);
  module_.types.push_back(use->sig);
  WASMRT_TRY(expect(TokenKind::RParen));
  return expect(TokenKind::RParen);
}

Result<void> WatParser::parse_inline_exports(ExternKind kind, uint32_t index) {
  while (cur_.at_form("export")) {
    cur_.next();
    cur_.next();
    auto name = parse_name();
    if (!name) return std::move(name).error();
    module_.exports.push_back({std::move(*name), kind, index});
    WASMRT_TRY(expect(TokenKind::RParen));
  }
  return ok();
}

Result<bool> WatParser::parse_inline_import(std::string& module, std::string& field) {
  if (!cur_.at_form("import")) return false;
  cur_.next();
  cur_.next();
  auto m = parse_name();
  if (!m) return std::move(m).error();
  auto f = parse_name();
  if (!f) return std::move(f).error();
  module = std::move(*m);
  field = std::move(*f);
  WASMRT_TRY(expect(TokenKind::RParen));
  return true;
}

Result<void> WatParser::parse_import_field() {
  auto m = parse_name();
  if (!m) return std::move(m).error();
  auto f = parse_name();
  if (!f) return std::move(f).error();
  ModuleBuilder::Import imp;
  imp.module = std::move(*m);
  imp.field = std::move(*f);
  WASMRT_TRY(expect(TokenKind::LParen));
  const Token& kind = cur_.next();
  if (cur_.at(TokenKind::Id)) cur_.next();  // bound in pass 1
  if (kind.is_keyword("func")) {
    imp.kind = ExternKind::Func;
    auto use = parse_type_use(/*allow_names=*/true);
    if (!use) return std::move(use).error();
    auto index = resolve_type_use(*use, kind);
    if (!index) return std::move(index).error();
    imp.type_index = *index;
    ++next_index_[idx(Space::Func)];
  } else if (kind.is_keyword("table")) {
    imp.kind = ExternKind::Table;
    auto limits = parse_limits();
    if (!limits) return std::move(limits).error();
    auto elem = parse_reftype();
    if (!elem) return std::move(elem).error();
    imp.table = {*elem, *limits};
    ++next_index_[idx(Space::Table)];
  } else if (kind.is_keyword("memory")) {
    imp.kind = ExternKind::Memory;
    auto limits = parse_limits();
    if (!limits) return std::move(limits).error();
    imp.memory.limits = *limits;
    ++next_index_[idx(Space::Memory)];
  } else if (kind.is_keyword("global")) {
    imp.kind = ExternKind::Global;
    auto type = parse_globaltype();
    if (!type) return std::move(type).error();
    imp.global = *type;
    ++next_index_[idx(Space::Global)];
  } else {
    return unexpected(kind);
  }
  module_.imports.push_back(std::move(imp));
  return expect(TokenKind::RParen);
}

Result<void> WatParser::parse_func_field() {
  const Token& start = cur_.peek();
  if (cur_.at(TokenKind::Id)) cur_.next();
  uint32_t index = next_index_[idx(Space::Func)]++;
  WASMRT_TRY(parse_inline_exports(ExternKind::Func, index));
  std::string module, field;
  auto is_import = parse_inline_import(module, field);
  if (!is_import) return std::move(is_import).error();
  auto use = parse_type_use(/*allow_names=*/true);
  if (!use) return std::move(use).error();
  auto type_index = resolve_type_use(*use, start);
  if (!type_index) return std::move(type_index).error();
  if (*is_import) {
    ModuleBuilder::Import imp;
    imp.module = std::move(module);
    imp.field = std::move(field);
    imp.kind = ExternKind::Func;
    imp.type_index = *type_index;
    module_.imports.push_back(std::move(imp));
    return ok();
  }
  module_.func_types.push_back(*type_index);

  // Locals: parameters first (named only when written inline).
  local_names_.clear();
  labels_.clear();
  local_count_ = 0;
  if (use->has_inline || !use->index) {
    for (const auto& name : use->param_names) {
      if (name && !local_names_.emplace(*name, local_count_).second) {
        return fail(start, "duplicate local $" + *name);
      }
      ++local_count_;
    }
  } else if (*use->index < module_.types.size()) {
    local_count_ = static_cast<uint32_t>(module_.types[*use->index].params.size());
  }
  std::vector<ValType> locals;
  while (cur_.at_form("local")) {
    cur_.next();
    cur_.next();
    if (cur_.at(TokenKind::Id)) {
      const Token& id = cur_.next();
      if (!local_names_.emplace(id.value, local_count_).second) {
        return fail(id, "duplicate local " + std::string(id.text));
      }
      auto t = parse_valtype();
      if (!t) return std::move(t).error();
      locals.push_back(*t);
      ++local_count_;
      WASMRT_TRY(expect(TokenKind::RParen));
      continue;
    }
    while (!cur_.at(TokenKind::RParen)) {
      auto t = parse_valtype();
      if (!t) return std::move(t).error();
      locals.push_back(*t);
      ++local_count_;
    }
    cur_.next();
  }
  Bytes body;
  // Compress runs of equal types into (count, type) entries.
  std::vector<std::pair<uint32_t, ValType>> runs;
  for (ValType t : locals) {
    if (!runs.empty() && runs.back().second == t) {
      ++runs.back().first;
    } else {
      runs.emplace_back(1, t);
    }
  }
  write_u32(body, static_cast<uint32_t>(runs.size()));
  for (const auto& [count, type] : runs) {
    write_u32(body, count);
    body.push_back(static_cast<uint8_t>(type));
  }
  WASMRT_TRY(parse_instrs(body));
  body.push_back(0x0B);
  module_.codes.push_back(std::move(body));
  return ok();
}

Result<void> WatParser::parse_func_index_list(Bytes& out, uint32_t& count) {
  Bytes items;
  count = 0;
  while (at_var()) {
    auto f = parse_var(Space::Func);
    if (!f) return std::move(f).error();
    write_u32(items, *f);
    ++count;
  }
  write_u32(out, count);
  out.insert(out.end(), items.begin(), items.end());
  return ok();
}

Result<void> WatParser::parse_elem_exprs(Bytes& out, uint32_t& count) {
  Bytes items;
  count = 0;
  while (cur_.at(TokenKind::LParen)) {
    if (cur_.at_form("item")) {
      cur_.next();
      cur_.next();
      WASMRT_TRY(parse_instrs(items));
      WASMRT_TRY(expect(TokenKind::RParen));
    } else {
      // Abbreviation: a single folded instruction.
      size_t end = cur_.peek().match;
      if (end == Token::kNoMatch) return fail(cur_.peek(), "unexpected end of input");
      WASMRT_TRY(parse_instrs(items, end + 1));
    }
    items.push_back(0x0B);
    ++count;
  }
  write_u32(out, count);
  out.insert(out.end(), items.begin(), items.end());
  return ok();
}

Result<void> WatParser::parse_table_field() {
  if (cur_.at(TokenKind::Id)) cur_.next();
  uint32_t index = next_index_[idx(Space::Table)]++;
  WASMRT_TRY(parse_inline_exports(ExternKind::Table, index));
  std::string module, field;
  auto is_import = parse_inline_import(module, field);
  if (!is_import) return std::move(is_import).error();
  if (!*is_import && (cur_.at_keyword("funcref") || cur_.at_keyword("externref"))) {
    // (table reftype (elem ...)): limits come from the element count.
    auto elem_type = parse_reftype();
    if (!elem_type) return std::move(elem_type).error();
    WASMRT_TRY(expect_lparen_keyword("elem"));
    Bytes seg;
    uint32_t count = 0;
    bool exprs = cur_.at(TokenKind::LParen);
    bool table_zero_funcs = index == 0 && *elem_type == ValType::FuncRef;
    if (exprs) {
      write_u32(seg, table_zero_funcs ? 4 : 6);
      if (!table_zero_funcs) write_u32(seg, index);
      write_i32_const_zero(seg);
      if (!table_zero_funcs) seg.push_back(static_cast<uint8_t>(*elem_type));
      WASMRT_TRY(parse_elem_exprs(seg, count));
    } else {
      write_u32(seg, table_zero_funcs ? 0 : 2);
      if (!table_zero_funcs) write_u32(seg, index);
      write_i32_const_zero(seg);
      if (!table_zero_funcs) seg.push_back(0x00);
      WASMRT_TRY(parse_func_index_list(seg, count));
    }
    WASMRT_TRY(expect(TokenKind::RParen));
    module_.tables.push_back({*elem_type, Limits{count, count, true}});
    module_.elems.push_back(std::move(seg));
    ++next_index_[idx(Space::Elem)];
    return ok();
  }
  auto limits = parse_limits();
  if (!limits) return std::move(limits).error();
  auto elem_type = parse_reftype();
  if (!elem_type) return std::move(elem_type).error();
  TableType type{*elem_type, *limits};
  if (*is_import) {
    ModuleBuilder::Import imp;
    imp.module = std::move(module);
    imp.field = std::move(field);
    imp.kind = ExternKind::Table;
    imp.table = type;
    module_.imports.push_back(std::move(imp));
  } else {
    module_.tables.push_back(type);
  }
  return ok();
}

Result<void> WatParser::parse_data_strings(Bytes& out) {
  Bytes bytes;
  while (cur_.at(TokenKind::String)) {
    const Token& s = cur_.next();
    bytes.insert(bytes.end(), s.value.begin(), s.value.end());
  }
  write_u32(out, static_cast<uint32_t>(bytes.size()));
  out.insert(out.end(), bytes.begin(), bytes.end());
  return ok();
}

Result<void> WatParser::parse_memory_field() {
  if (cur_.at(TokenKind::Id)) cur_.next();
  uint32_t index = next_index_[idx(Space::Memory)]++;
  WASMRT_TRY(parse_inline_exports(ExternKind::Memory, index));
  std::string module, field;
  auto is_import = parse_inline_import(module, field);
  if (!is_import) return std::move(is_import).error();
  if (!*is_import && cur_.at_form("data")) {
    cur_.next();
    cur_.next();
    Bytes seg;
    if (index == 0) {
      write_u32(seg, 0);
    } else {
      write_u32(seg, 2);
      write_u32(seg, index);
    }
    write_i32_const_zero(seg);
    size_t before = seg.size();
    WASMRT_TRY(parse_data_strings(seg));
    WASMRT_TRY(expect(TokenKind::RParen));
    // Recover the byte count from what was written after the offset.
    Bytes tmp(seg.begin() + static_cast<std::ptrdiff_t>(before), seg.end());
    uint64_t len = 0;
    unsigned shift = 0;
    for (uint8_t b : tmp) {
      len |= uint64_t{b & 0x7Fu} << shift;
      shift += 7;
      if (!(b & 0x80)) break;
    }
    uint64_t pages = (len + kPageSize - 1) / kPageSize;
    module_.memories.push_back({Limits{pages, pages, true}});
    module_.datas.push_back(std::move(seg));
    ++next_index_[idx(Space::Data)];
    return ok();
  }
  auto limits = parse_limits();
  if (!limits) return std::move(limits).error();
  if (*is_import) {
    ModuleBuilder::Import imp;
    imp.module = std::move(module);
    imp.field = std::move(field);
    imp.kind = ExternKind::Memory;
    imp.memory.limits = *limits;
    module_.imports.push_back(std::move(imp));
  } else {
    module_.memories.push_back({*limits});
  }
  return ok();
}

Result<void> WatParser::parse_global_field() {
  if (cur_.at(TokenKind::Id)) cur_.next();
  uint32_t index = next_index_[idx(Space::Global)]++;
  WASMRT_TRY(parse_inline_exports(ExternKind::Global, index));
  std::string module, field;
  auto is_import = parse_inline_import(module, field);
  if (!is_import) return std::move(is_import).error();
  auto type = parse_globaltype();
  if (!type) return std::move(type).error();
  if (*is_import) {
    ModuleBuilder::Import imp;
    imp.module = std::move(module);
    imp.field = std::move(field);
    imp.kind = ExternKind::Global;
    imp.global = *type;
    module_.imports.push_back(std::move(imp));
    return ok();
  }
  Bytes global;
  global.push_back(static_cast<uint8_t>(type->type));
  global.push_back(type->is_mutable ? 1 : 0);
  local_names_.clear();
  labels_.clear();
  WASMRT_TRY(parse_instrs(global));
  global.push_back(0x0B);
  module_.globals.push_back(std::move(global));
  return ok();
}

Result<void> WatParser::parse_export_field() {
  auto name = parse_name();
  if (!name) return std::move(name).error();
  WASMRT_TRY(expect(TokenKind::LParen));
  const Token& kind = cur_.next();
  ExternKind k;
  Space space;
  if (kind.is_keyword("func")) {
    k = ExternKind::Func;
    space = Space::Func;
  } else if (kind.is_keyword("table")) {
    k = ExternKind::Table;
    space = Space::Table;
  } else if (kind.is_keyword("memory")) {
    k = ExternKind::Memory;
    space = Space::Memory;
  } else if (kind.is_keyword("global")) {
    k = ExternKind::Global;
    space = Space::Global;
  } else {
    return unexpected(kind);
  }
  auto index = parse_var(space);
  if (!index) return std::move(index).error();
  module_.exports.push_back({std::move(*name), k, *index});
  return expect(TokenKind::RParen);
}

Result<void> WatParser::parse_start_field() {
  const Token& at = cur_.peek();
  auto index = parse_var(Space::Func);
  if (!index) return std::move(index).error();
  if (module_.start) return fail(at, "multiple start sections");
  module_.start = *index;
  return ok();
}

Result<void> WatParser::parse_offset(Bytes& out) {
  local_names_.clear();
  labels_.clear();
  if (cur_.at_form("offset")) {
    cur_.next();
    cur_.next();
    WASMRT_TRY(parse_instrs(out));
    WASMRT_TRY(expect(TokenKind::RParen));
  } else {
    // Abbreviation: one folded instruction.
    if (!cur_.at(TokenKind::LParen)) return unexpected(cur_.peek());
    size_t end = cur_.peek().match;
    if (end == Token::kNoMatch) return fail(cur_.peek(), "unexpected end of input");
    WASMRT_TRY(parse_instrs(out, end + 1));
  }
  out.push_back(0x0B);
  return ok();
}

Result<void> WatParser::parse_elem_field() {
  if (cur_.at(TokenKind::Id)) cur_.next();
  ++next_index_[idx(Space::Elem)];
  Bytes seg;
  enum class Mode { Passive, Declare, Active } mode = Mode::Passive;
  uint32_t table = 0;
  bool explicit_table = false;
  Bytes offset;
  if (cur_.take_keyword("declare")) {
    mode = Mode::Declare;
  } else if (cur_.at_form("table")) {
    cur_.next();
    cur_.next();
    auto t = parse_var(Space::Table);
    if (!t) return std::move(t).error();
    table = *t;
    explicit_table = true;
    WASMRT_TRY(expect(TokenKind::RParen));
    mode = Mode::Active;
    WASMRT_TRY(parse_offset(offset));
  } else if (at_var()) {
    // MVP form: a bare table index before the offset.
    auto t = parse_var(Space::Table);
    if (!t) return std::move(t).error();
    table = *t;
    explicit_table = true;
    mode = Mode::Active;
    WASMRT_TRY(parse_offset(offset));
  } else if (cur_.at(TokenKind::LParen)) {
    mode = Mode::Active;
    WASMRT_TRY(parse_offset(offset));
  }
  (void)explicit_table;
  // Element list: `func x*`, `reftype expr*`, or (active only) bare `x*`.
  bool funcs = true;
  ValType type = ValType::FuncRef;
  if (cur_.take_keyword("func")) {
    funcs = true;
  } else if (cur_.at_keyword("funcref") || cur_.at_keyword("externref")) {
    auto t = parse_reftype();
    if (!t) return std::move(t).error();
    type = *t;
    funcs = false;
  } else if (mode != Mode::Active) {
    return unexpected(cur_.peek());
  }
  uint32_t count = 0;
  switch (mode) {
    case Mode::Passive:
      write_u32(seg, funcs ? 1 : 5);
      seg.push_back(funcs ? 0x00 : static_cast<uint8_t>(type));
      break;
    case Mode::Declare:
      write_u32(seg, funcs ? 3 : 7);
      seg.push_back(funcs ? 0x00 : static_cast<uint8_t>(type));
      break;
    case Mode::Active: {
      bool short_form = table == 0 && type == ValType::FuncRef;
      if (short_form) {
        write_u32(seg, funcs ? 0 : 4);
        seg.insert(seg.end(), offset.begin(), offset.end());
      } else {
        write_u32(seg, funcs ? 2 : 6);
        write_u32(seg, table);
        seg.insert(seg.end(), offset.begin(), offset.end());
        seg.push_back(funcs ? 0x00 : static_cast<uint8_t>(type));
      }
      break;
    }
  }
  if (funcs) {
    WASMRT_TRY(parse_func_index_list(seg, count));
  } else {
    WASMRT_TRY(parse_elem_exprs(seg, count));
  }
  module_.elems.push_back(std::move(seg));
  return ok();
}

Result<void> WatParser::parse_data_field() {
  if (cur_.at(TokenKind::Id)) cur_.next();
  ++next_index_[idx(Space::Data)];
  Bytes seg;
  if (cur_.at(TokenKind::String) || cur_.at(TokenKind::RParen)) {
    write_u32(seg, 1);  // passive
    WASMRT_TRY(parse_data_strings(seg));
    module_.datas.push_back(std::move(seg));
    return ok();
  }
  uint32_t memory = 0;
  if (cur_.at_form("memory")) {
    cur_.next();
    cur_.next();
    auto m = parse_var(Space::Memory);
    if (!m) return std::move(m).error();
    memory = *m;
    WASMRT_TRY(expect(TokenKind::RParen));
  } else if (at_var()) {
    auto m = parse_var(Space::Memory);
    if (!m) return std::move(m).error();
    memory = *m;
  }
  if (memory == 0) {
    write_u32(seg, 0);
  } else {
    write_u32(seg, 2);
    write_u32(seg, memory);
  }
  WASMRT_TRY(parse_offset(seg));
  WASMRT_TRY(parse_data_strings(seg));
  module_.datas.push_back(std::move(seg));
  return ok();
}

}  // namespace wasmrt::text
