// Instructions of the text format, flat and folded, encoded straight to
// bytes. Nesting (blocks, folded operands, if/then/else) is handled with an
// explicit frame stack so deeply nested input never grows the host stack.
#include <unordered_map>

#include "runtime/text/numbers.h"
#include "runtime/text/wat_parser.h"

namespace wasmrt::text {
namespace {

// Mnemonic -> Op, built once from the opcode table. Typed `select` shares
// the mnemonic and is chosen by its immediate.
const std::unordered_map<std::string_view, Op>& mnemonic_table() {
  static const auto* table = [] {
    auto* map = new std::unordered_map<std::string_view, Op>();
    for (uint16_t i = 0; i < kOpCount; ++i) {
      Op op = static_cast<Op>(i);
      if (op == Op::SelectT) continue;
      map->emplace(op_info(op).text, op);
    }
    return map;
  }();
  return *table;
}

enum class FrameKind : uint8_t {
  Seq,          // the outermost sequence: ends before the enclosing `)`
  FlatBlock,    // block/loop/if ... end
  FoldedBlock,  // (block ...) / (loop ...)
  FoldedPlain,  // (op operands...): emits `pending` at `)`
  FoldedIf,     // (if label bt cond* (then ...) (else ...)?)
  ThenArm,      // (then ...)
  ElseArm,      // (else ...)
};

struct Frame {
  FrameKind kind = FrameKind::Seq;
  bool is_if = false;      // FlatBlock
  bool seen_else = false;  // FlatBlock
  uint8_t if_state = 0;    // FoldedIf: 0 conditions, 1 after then, 2 after else
  std::optional<std::string> label;
  Bytes pending;
};

}  // namespace

Result<uint32_t> WatParser::parse_label_var() {
  const Token& t = cur_.peek();
  if (t.kind == TokenKind::Id) {
    for (size_t i = labels_.size(); i-- > 0;) {
      if (labels_[i] && *labels_[i] == t.value) {
        cur_.next();
        return static_cast<uint32_t>(labels_.size() - 1 - i);
      }
    }
    return fail(t, "unknown label " + std::string(t.text));
  }
  return parse_u32_token();
}

Result<uint32_t> WatParser::parse_local_var() {
  const Token& t = cur_.peek();
  if (t.kind == TokenKind::Id) {
    auto it = local_names_.find(t.value);
    if (it == local_names_.end()) return fail(t, "unknown local " + std::string(t.text));
    cur_.next();
    return it->second;
  }
  return parse_u32_token();
}

Result<void> WatParser::parse_block_type(Bytes& out) {
  const Token& at = cur_.peek();
  auto use = parse_type_use(/*allow_names=*/false);
  if (!use) return std::move(use).error();
  if (!use->index && use->sig.params.empty() && use->sig.results.size() <= 1) {
    out.push_back(use->sig.results.empty() ? 0x40 : static_cast<uint8_t>(use->sig.results[0]));
    return ok();
  }
  auto index = resolve_type_use(*use, at);
  if (!index) return std::move(index).error();
  write_s64(out, static_cast<int64_t>(*index));
  return ok();
}

Result<void> WatParser::check_end_label(const std::optional<std::string>& label) {
  if (!cur_.at(TokenKind::Id)) return ok();
  const Token& id = cur_.next();
  if (!label || *label != id.value) return fail(id, "mismatching label");
  return ok();
}

Result<uint8_t> WatParser::parse_lane_index() {
  const Token& t = cur_.peek();
  if (t.kind != TokenKind::Number || t.text[0] == '-' || t.text[0] == '+') return unexpected(t);
  auto r = parse_u32(t.text);
  if (!r && r.error().message == "unexpected token") return unexpected(t);  // 1.5, nan, inf
  if (!r || *r > 255) return fail(t, "malformed lane index");
  cur_.next();
  return static_cast<uint8_t>(*r);
}

Result<void> WatParser::parse_memarg(const Token& mnemonic, Op op, Bytes& out) {
  (void)mnemonic;
  uint64_t offset = 0;
  uint32_t natural = op_info(op).bytes;
  uint32_t align = natural;
  if (cur_.at(TokenKind::Keyword) && cur_.peek().text.starts_with("offset=")) {
    const Token& t = cur_.next();
    std::string_view value = t.text.substr(7);
    auto r = parse_u64(value);
    if (!r) return fail(t, r.error().message == "unexpected token" ? "unknown operator" : "i32 constant out of range");
    if (*r > UINT32_MAX) return fail(t, "i32 constant out of range");
    offset = *r;
  }
  if (cur_.at(TokenKind::Keyword) && cur_.peek().text.starts_with("align=")) {
    const Token& t = cur_.next();
    auto r = parse_u32(t.text.substr(6));
    if (!r) return fail(t, r.error().message == "unexpected token" ? "unknown operator" : "i32 constant out of range");
    align = *r;
    if (align == 0 || (align & (align - 1)) != 0) return fail(t, "alignment must be a power of two");
  }
  uint32_t log2 = 0;
  while ((uint32_t{1} << log2) < align) ++log2;
  write_u32(out, log2);
  write_u64(out, offset);
  return ok();
}

Result<void> WatParser::parse_plain_instr(const Token& mnemonic, Bytes& out) {
  const auto& table = mnemonic_table();
  auto it = table.find(mnemonic.text);
  if (it == table.end()) return unexpected(mnemonic);
  Op op = it->second;
  const OpInfo& info = op_info(op);
  switch (op) {
    case Op::Block: case Op::Loop: case Op::If: case Op::Else: case Op::End:
      return fail(mnemonic, "unexpected token");
    case Op::Select: {
      std::vector<ValType> types;
      bool typed = false;
      while (cur_.at_form("result")) {
        typed = true;
        cur_.next();
        cur_.next();
        while (!cur_.at(TokenKind::RParen)) {
          auto t = parse_valtype();
          if (!t) return std::move(t).error();
          types.push_back(*t);
        }
        cur_.next();
      }
      if (!typed) {
        write_opcode(out, Op::Select);
        return ok();
      }
      write_opcode(out, Op::SelectT);
      write_u32(out, static_cast<uint32_t>(types.size()));
      for (ValType t : types) out.push_back(static_cast<uint8_t>(t));
      return ok();
    }
    default:
      break;
  }
  write_opcode(out, op);
  switch (info.imm) {
    case ImmKind::None:
      return ok();
    case ImmKind::Block:
      return fail(mnemonic, "unexpected token");
    case ImmKind::Label: {
      auto l = parse_label_var();
      if (!l) return std::move(l).error();
      write_u32(out, *l);
      return ok();
    }
    case ImmKind::BrTable: {
      std::vector<uint32_t> labels;
      while (at_var()) {
        auto l = parse_label_var();
        if (!l) return std::move(l).error();
        labels.push_back(*l);
      }
      if (labels.empty()) return unexpected(cur_.peek());
      write_u32(out, static_cast<uint32_t>(labels.size() - 1));
      for (uint32_t l : labels) write_u32(out, l);
      return ok();
    }
    case ImmKind::Func: {
      auto f = parse_var(Space::Func);
      if (!f) return std::move(f).error();
      write_u32(out, *f);
      return ok();
    }
    case ImmKind::CallIndirect: {
      uint32_t table_index = 0;
      if (at_var()) {
        auto t = parse_var(Space::Table);
        if (!t) return std::move(t).error();
        table_index = *t;
      }
      auto use = parse_type_use(/*allow_names=*/false);
      if (!use) return std::move(use).error();
      auto type = resolve_type_use(*use, mnemonic);
      if (!type) return std::move(type).error();
      write_u32(out, *type);
      write_u32(out, table_index);
      return ok();
    }
    case ImmKind::Local: {
      auto l = parse_local_var();
      if (!l) return std::move(l).error();
      write_u32(out, *l);
      return ok();
    }
    case ImmKind::Global: {
      auto g = parse_var(Space::Global);
      if (!g) return std::move(g).error();
      write_u32(out, *g);
      return ok();
    }
    case ImmKind::Table: {
      uint32_t t = 0;
      if (at_var()) {
        auto r = parse_var(Space::Table);
        if (!r) return std::move(r).error();
        t = *r;
      }
      write_u32(out, t);
      return ok();
    }
    case ImmKind::MemArg:
      return parse_memarg(mnemonic, op, out);
    case ImmKind::MemArgLane: {
      WASMRT_TRY(parse_memarg(mnemonic, op, out));
      auto lane = parse_lane_index();
      if (!lane) return std::move(lane).error();
      out.push_back(*lane);
      return ok();
    }
    case ImmKind::MemIdx:
      out.push_back(0x00);
      return ok();
    case ImmKind::I32: {
      const Token& t = cur_.peek();
      if (t.kind != TokenKind::Number) return unexpected(t);
      auto v = parse_i32(t.text);
      if (!v) return fail(t, v.error().message);
      cur_.next();
      write_s32(out, static_cast<int32_t>(*v));
      return ok();
    }
    case ImmKind::I64: {
      const Token& t = cur_.peek();
      if (t.kind != TokenKind::Number) return unexpected(t);
      auto v = parse_i64(t.text);
      if (!v) return fail(t, v.error().message);
      cur_.next();
      write_s64(out, static_cast<int64_t>(*v));
      return ok();
    }
    case ImmKind::F32: {
      const Token& t = cur_.peek();
      if (t.kind != TokenKind::Number) return unexpected(t);
      auto v = parse_f32_bits(t.text);
      if (!v) return fail(t, v.error().message);
      cur_.next();
      for (int b = 0; b < 4; ++b) out.push_back(static_cast<uint8_t>(*v >> (8 * b)));
      return ok();
    }
    case ImmKind::F64: {
      const Token& t = cur_.peek();
      if (t.kind != TokenKind::Number) return unexpected(t);
      auto v = parse_f64_bits(t.text);
      if (!v) return fail(t, v.error().message);
      cur_.next();
      for (int b = 0; b < 8; ++b) out.push_back(static_cast<uint8_t>(*v >> (8 * b)));
      return ok();
    }
    case ImmKind::V128: {
      const Token& shape = cur_.peek();
      if (shape.kind != TokenKind::Keyword || v128_lane_count(shape.text) == 0) return unexpected(shape);
      cur_.next();
      std::vector<std::string_view> lanes;
      const Token& first = cur_.peek();
      unsigned want = v128_lane_count(shape.text);
      while (lanes.size() < want) {
        const Token& lane = cur_.peek();
        if (lane.kind == TokenKind::Number) {
          lanes.push_back(cur_.next().text);
        } else if (lane.kind == TokenKind::Reserved || lane.kind == TokenKind::Keyword) {
          return unexpected(lane);
        } else {
          break;
        }
      }
      while (cur_.at(TokenKind::Number)) lanes.push_back(cur_.next().text);
      auto v = parse_v128(shape.text, lanes);
      if (!v) {
        return fail(first, v.error().message);
      }
      out.insert(out.end(), v->begin(), v->end());
      return ok();
    }
    case ImmKind::Lane: {
      auto lane = parse_lane_index();
      if (!lane) return std::move(lane).error();
      out.push_back(*lane);
      return ok();
    }
    case ImmKind::Shuffle: {
      std::vector<const Token*> lanes;
      size_t p = 0;
      while (cur_.at(TokenKind::Number, p)) {
        lanes.push_back(&cur_.peek(p));
        ++p;
      }
      if (lanes.size() != 16) return fail(lanes.empty() ? cur_.peek() : *lanes[0], "invalid lane length");
      for (int i = 0; i < 16; ++i) {
        const Token& lane_tok = cur_.next();
        // Every numeric token counts as a lane; any that is not 0..255
        // (signed, fractional, inf, nan) is a malformed lane index.
        auto lane = parse_i64(lane_tok.text);
        if (!lane || static_cast<int64_t>(*lane) < 0 || *lane > 255) return fail(lane_tok, "malformed lane index");
        out.push_back(static_cast<uint8_t>(*lane));
      }
      return ok();
    }
    case ImmKind::HeapType: {
      const Token& t = cur_.peek();
      if (t.is_keyword("func")) {
        out.push_back(0x70);
      } else if (t.is_keyword("extern")) {
        out.push_back(0x6F);
      } else {
        return unexpected(t);
      }
      cur_.next();
      return ok();
    }
    case ImmKind::SelectT:
      return ok();  // handled above
    case ImmKind::MemInit: {
      auto d = parse_var(Space::Data);
      if (!d) return std::move(d).error();
      write_u32(out, *d);
      out.push_back(0x00);
      module_.uses_data_count = true;
      return ok();
    }
    case ImmKind::Data: {
      auto d = parse_var(Space::Data);
      if (!d) return std::move(d).error();
      write_u32(out, *d);
      module_.uses_data_count = true;
      return ok();
    }
    case ImmKind::MemCopy:
      out.push_back(0x00);
      out.push_back(0x00);
      return ok();
    case ImmKind::TableInit: {
      // `table.init x? y`: with two indices the first is the table.
      uint32_t table_index = 0;
      bool two = at_var() && (cur_.peek(1).kind == TokenKind::Number || cur_.peek(1).kind == TokenKind::Id);
      if (two) {
        auto t = parse_var(Space::Table);
        if (!t) return std::move(t).error();
        table_index = *t;
      }
      auto e = parse_var(Space::Elem);
      if (!e) return std::move(e).error();
      write_u32(out, *e);
      write_u32(out, table_index);
      return ok();
    }
    case ImmKind::Elem: {
      auto e = parse_var(Space::Elem);
      if (!e) return std::move(e).error();
      write_u32(out, *e);
      return ok();
    }
    case ImmKind::TableCopy: {
      uint32_t dst = 0, src = 0;
      if (at_var()) {
        auto d = parse_var(Space::Table);
        if (!d) return std::move(d).error();
        auto s = parse_var(Space::Table);
        if (!s) return std::move(s).error();
        dst = *d;
        src = *s;
      }
      write_u32(out, dst);
      write_u32(out, src);
      return ok();
    }
  }
  return ok();
}

Result<void> WatParser::parse_instrs(Bytes& out, size_t stop_at) {
  std::vector<Frame> frames(1);
  const size_t base_labels = labels_.size();

  // Starts a folded instruction at `(`.
  auto begin_folded = [&]() -> Result<void> {
    cur_.next();  // `(`
    const Token& kw = cur_.peek();
    if (kw.kind != TokenKind::Keyword) return unexpected(kw);
    cur_.next();
    if (kw.text == "block" || kw.text == "loop") {
      std::optional<std::string> label = take_id();
      write_opcode(out, kw.text == "block" ? Op::Block : Op::Loop);
      WASMRT_TRY(parse_block_type(out));
      labels_.push_back(std::move(label));
      Frame f;
      f.kind = FrameKind::FoldedBlock;
      frames.push_back(std::move(f));
      return ok();
    }
    if (kw.text == "if") {
      Frame f;
      f.kind = FrameKind::FoldedIf;
      f.label = take_id();
      write_opcode(f.pending, Op::If);
      WASMRT_TRY(parse_block_type(f.pending));
      frames.push_back(std::move(f));
      return ok();
    }
    Frame f;
    f.kind = FrameKind::FoldedPlain;
    WASMRT_TRY(parse_plain_instr(kw, f.pending));
    frames.push_back(std::move(f));
    return ok();
  };

  while (true) {
    FrameKind kind = frames.back().kind;
    const Token& t = cur_.peek();
    switch (kind) {
      case FrameKind::Seq:
      case FrameKind::FlatBlock:
      case FrameKind::FoldedBlock:
      case FrameKind::ThenArm:
      case FrameKind::ElseArm: {
        if (frames.size() == 1 && cur_.position() == stop_at) {
          labels_.resize(base_labels);
          return ok();
        }
        if (t.kind == TokenKind::RParen) {
          if (kind == FrameKind::Seq) {
            labels_.resize(base_labels);
            return ok();
          }
          if (kind == FrameKind::FlatBlock) return unexpected(t);
          cur_.next();
          if (kind == FrameKind::FoldedBlock) {
            out.push_back(0x0B);
            labels_.pop_back();
          }
          frames.pop_back();
          continue;
        }
        if (t.kind == TokenKind::LParen) {
          if (kind == FrameKind::Seq && frames.size() == 1 && stop_at != ~size_t{0} &&
              cur_.position() >= stop_at) {
            labels_.resize(base_labels);
            return ok();
          }
          WASMRT_TRY(begin_folded());
          continue;
        }
        if (t.kind != TokenKind::Keyword) return unexpected(t);
        if (t.text == "end") {
          if (kind != FrameKind::FlatBlock) return unexpected(t);
          cur_.next();
          WASMRT_TRY(check_end_label(frames.back().label));
          out.push_back(0x0B);
          labels_.pop_back();
          frames.pop_back();
          continue;
        }
        if (t.text == "else") {
          Frame& f = frames.back();
          if (kind != FrameKind::FlatBlock || !f.is_if || f.seen_else) return unexpected(t);
          cur_.next();
          WASMRT_TRY(check_end_label(f.label));
          out.push_back(0x05);
          f.seen_else = true;
          continue;
        }
        if (t.text == "block" || t.text == "loop" || t.text == "if") {
          cur_.next();
          Frame f;
          f.kind = FrameKind::FlatBlock;
          f.is_if = t.text == "if";
          f.label = take_id();
          write_opcode(out, t.text == "block" ? Op::Block : t.text == "loop" ? Op::Loop : Op::If);
          WASMRT_TRY(parse_block_type(out));
          labels_.push_back(f.label);
          frames.push_back(std::move(f));
          continue;
        }
        cur_.next();
        WASMRT_TRY(parse_plain_instr(t, out));
        continue;
      }
      case FrameKind::FoldedPlain: {
        if (t.kind == TokenKind::RParen) {
          cur_.next();
          Frame& f = frames.back();
          out.insert(out.end(), f.pending.begin(), f.pending.end());
          frames.pop_back();
          continue;
        }
        if (t.kind == TokenKind::LParen) {
          WASMRT_TRY(begin_folded());
          continue;
        }
        return unexpected(t);
      }
      case FrameKind::FoldedIf: {
        Frame& f = frames.back();
        if (f.if_state == 0) {
          if (cur_.at_form("then")) {
            cur_.next();
            cur_.next();
            out.insert(out.end(), f.pending.begin(), f.pending.end());
            labels_.push_back(f.label);
            f.if_state = 1;
            Frame arm;
            arm.kind = FrameKind::ThenArm;
            frames.push_back(std::move(arm));
            continue;
          }
          if (t.kind == TokenKind::LParen) {
            WASMRT_TRY(begin_folded());
            continue;
          }
          return unexpected(t);
        }
        if (f.if_state == 1 && cur_.at_form("else")) {
          cur_.next();
          cur_.next();
          out.push_back(0x05);
          f.if_state = 2;
          Frame arm;
          arm.kind = FrameKind::ElseArm;
          frames.push_back(std::move(arm));
          continue;
        }
        if (t.kind == TokenKind::RParen) {
          cur_.next();
          out.push_back(0x0B);
          labels_.pop_back();
          frames.pop_back();
          continue;
        }
        return unexpected(t);
      }
    }
  }
}

}  // namespace wasmrt::text
