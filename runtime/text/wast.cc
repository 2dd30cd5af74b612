// Parser for .wast scripts, built on the text-format lexer.
//
// Modules are not parsed here: a text module keeps its `(module ...)` source
// and a quote module its concatenated strings, so the harness encodes them
// one command at a time. The lexer has already matched every parenthesis,
// which lets the parser skip a module form in one step; the only nesting the
// parser itself follows is the fixed depth of the script grammar (command ->
// action -> constant, and one level of `either`), never the input's.
#include "runtime/text/wast.h"

#include <algorithm>
#include <array>
#include <optional>
#include <span>

#include "runtime/text/lexer.h"
#include "runtime/text/numbers.h"

namespace wasmrt::wast {

namespace {

using text::Cursor;
using text::Token;
using text::TokenKind;

class ScriptParser {
 public:
  ScriptParser(std::string_view source, const std::vector<Token>& tokens)
      : source_(source), tokens_(tokens), cursor_(tokens) {}

  Result<Script> parse() {
    Script script;
    if (starts_with_module_field()) {
      // A script made only of module fields is one inline module (as in
      // inline-module.wast); wat_to_binary accepts the bare field list.
      Command command;
      command.kind = Command::Kind::Module;
      command.has_module = true;
      command.line = cursor_.peek().line;
      command.module.kind = ModuleSource::Kind::Text;
      command.module.text = std::string(source_);
      script.commands.push_back(std::move(command));
      return script;
    }
    while (!cursor_.at(TokenKind::Eof)) {
      Command command;
      WASMRT_TRY(parse_command(command));
      script.commands.push_back(std::move(command));
    }
    return script;
  }

 private:
  bool starts_with_module_field() const {
    if (!cursor_.at(TokenKind::LParen)) return false;
    static constexpr std::string_view kFields[] = {"type", "import", "func",  "table", "memory",
                                                   "global", "export", "start", "elem", "data"};
    for (std::string_view field : kFields) {
      if (cursor_.at_keyword(field, 1)) return true;
    }
    return false;
  }

  Error error_at(const Token& token, std::string message) const {
    return text::text_error(token, std::move(message));
  }
  Error unexpected(const Token& token) const {
    if (token.kind == TokenKind::Eof) return error_at(token, "unexpected end of script");
    if (token.kind == TokenKind::LParen && token.match == Token::kNoMatch) {
      return error_at(token, "unclosed parenthesis");
    }
    return error_at(token, "unexpected token");
  }

  Result<void> expect(TokenKind kind) {
    if (!cursor_.at(kind)) return unexpected(cursor_.peek());
    cursor_.next();
    return ok();
  }

  Result<std::string> expect_string() {
    if (!cursor_.at(TokenKind::String)) return unexpected(cursor_.peek());
    return cursor_.next().value;
  }

  std::optional<std::string> take_id() {
    if (!cursor_.at(TokenKind::Id)) return std::nullopt;
    return cursor_.next().value;
  }

  Result<void> parse_command(Command& command) {
    const Token& open = cursor_.peek();
    if (open.kind != TokenKind::LParen) return unexpected(open);
    if (open.match == Token::kNoMatch) return unexpected(open);
    command.line = open.line;
    const Token& head = cursor_.peek(1);
    if (head.is_keyword("module")) {
      command.kind = Command::Kind::Module;
      command.has_module = true;
      return parse_module(command.module);
    }
    if (head.is_keyword("register")) return parse_register(command);
    if (head.is_keyword("invoke") || head.is_keyword("get")) {
      command.kind = Command::Kind::Action;
      return parse_action(command.action);
    }
    if (head.kind != TokenKind::Keyword) return unexpected(head);

    const std::string_view name = head.text;
    Command::Kind kind;
    if (name == "assert_return") {
      kind = Command::Kind::AssertReturn;
    } else if (name == "assert_trap") {
      kind = Command::Kind::AssertTrap;
    } else if (name == "assert_exhaustion") {
      kind = Command::Kind::AssertExhaustion;
    } else if (name == "assert_malformed") {
      kind = Command::Kind::AssertMalformed;
    } else if (name == "assert_invalid") {
      kind = Command::Kind::AssertInvalid;
    } else if (name == "assert_unlinkable") {
      kind = Command::Kind::AssertUnlinkable;
    } else if (name == "assert_uninstantiable") {
      kind = Command::Kind::AssertUninstantiable;
    } else {
      return error_at(head, "unknown command " + std::string(name));
    }
    command.kind = kind;
    cursor_.next();  // (
    cursor_.next();  // assert_*

    switch (kind) {
      case Command::Kind::AssertReturn:
        WASMRT_TRY(parse_action(command.action));
        while (cursor_.at(TokenKind::LParen)) {
          Value value;
          WASMRT_TRY(parse_value(value, /*pattern=*/true, /*either_allowed=*/true));
          command.expected.push_back(std::move(value));
        }
        break;
      case Command::Kind::AssertTrap:
        // assert_trap takes an action, or a module whose instantiation traps.
        if (cursor_.at_form("module")) {
          command.has_module = true;
          WASMRT_TRY(parse_module(command.module));
        } else {
          WASMRT_TRY(parse_action(command.action));
        }
        WASMRT_TRY(assign(command.message, expect_string()));
        break;
      case Command::Kind::AssertExhaustion:
        WASMRT_TRY(parse_action(command.action));
        WASMRT_TRY(assign(command.message, expect_string()));
        break;
      default:  // the module-taking assertions
        if (!cursor_.at_form("module")) return unexpected(cursor_.peek(cursor_.at(TokenKind::LParen) ? 1 : 0));
        command.has_module = true;
        WASMRT_TRY(parse_module(command.module));
        WASMRT_TRY(assign(command.message, expect_string()));
        break;
    }
    return expect(TokenKind::RParen);
  }

  static Result<void> assign(std::string& out, Result<std::string> value) {
    if (!value.ok()) return std::move(value).error();
    out = std::move(value.value());
    return ok();
  }

  // (module $id? field*) | (module $id? binary string*) | (module $id? quote string*)
  Result<void> parse_module(ModuleSource& module) {
    const size_t open_index = cursor_.position();
    const Token& open = cursor_.peek();
    if (open.match == Token::kNoMatch) return unexpected(open);
    cursor_.next();  // (
    cursor_.next();  // module
    module.name = take_id();
    const bool binary = cursor_.at_keyword("binary");
    const bool quote = cursor_.at_keyword("quote");
    if (!binary && !quote) {
      module.kind = ModuleSource::Kind::Text;
      module.text = std::string(text::form_source(source_, tokens_, open_index));
      cursor_.seek(open.match + 1);
      return ok();
    }
    cursor_.next();
    module.kind = binary ? ModuleSource::Kind::Binary : ModuleSource::Kind::Quote;
    // Strings are concatenated as written (no separator), as the reference
    // interpreter does for both forms.
    while (cursor_.at(TokenKind::String)) {
      const std::string& bytes = cursor_.next().value;
      if (binary) {
        module.binary.insert(module.binary.end(), bytes.begin(), bytes.end());
      } else {
        module.text += bytes;
      }
    }
    return expect(TokenKind::RParen);
  }

  // (register "name" $id?)
  Result<void> parse_register(Command& command) {
    command.kind = Command::Kind::Register;
    cursor_.next();  // (
    cursor_.next();  // register
    WASMRT_TRY(assign(command.register_name, expect_string()));
    command.register_module = take_id();
    return expect(TokenKind::RParen);
  }

  // (invoke $id? "field" const*) | (get $id? "field")
  Result<void> parse_action(Action& action) {
    if (!cursor_.at(TokenKind::LParen)) return unexpected(cursor_.peek());
    const Token& head = cursor_.peek(1);
    if (head.is_keyword("invoke")) {
      action.kind = Action::Kind::Invoke;
    } else if (head.is_keyword("get")) {
      action.kind = Action::Kind::Get;
    } else {
      return unexpected(head);
    }
    cursor_.next();
    cursor_.next();
    action.module = take_id();
    WASMRT_TRY(assign(action.field, expect_string()));
    if (action.kind == Action::Kind::Invoke) {
      while (cursor_.at(TokenKind::LParen)) {
        Value value;
        WASMRT_TRY(parse_value(value, /*pattern=*/false, /*either_allowed=*/false));
        action.args.push_back(std::move(value));
      }
    }
    return expect(TokenKind::RParen);
  }

  // A number token (or, for patterns, `nan:canonical` / `nan:arithmetic`,
  // which lex as keywords).
  Result<std::string_view> expect_literal() {
    const Token& token = cursor_.peek();
    if (token.kind != TokenKind::Number && token.kind != TokenKind::Keyword) return unexpected(token);
    cursor_.next();
    return token.text;
  }

  template <typename T>
  Result<void> number(const Token& at, Result<T> parsed, uint64_t& out) {
    if (!parsed.ok()) return error_at(at, parsed.error().message);
    out = parsed.value();
    return ok();
  }

  static std::optional<Value::Kind> nan_pattern(std::string_view literal) {
    if (literal == "nan:canonical") return Value::Kind::NanCanonical;
    if (literal == "nan:arithmetic") return Value::Kind::NanArithmetic;
    return std::nullopt;
  }

  // One `(type.const ...)`, `(ref.* ...)` or, for expected results,
  // `(either ...)`. `pattern` allows NaN patterns and `ref.func`.
  Result<void> parse_value(Value& value, bool pattern, bool either_allowed) {
    WASMRT_TRY(expect(TokenKind::LParen));
    const Token& head = cursor_.peek();
    if (head.kind != TokenKind::Keyword) return unexpected(head);
    cursor_.next();
    const std::string_view op = head.text;
    if (op == "i32.const" || op == "i64.const" || op == "f32.const" || op == "f64.const") {
      const Token& literal_token = cursor_.peek();
      Result<std::string_view> literal = expect_literal();
      if (!literal.ok()) return std::move(literal).error();
      const bool is_float = op[0] == 'f';
      const bool is_32 = op[1] == '3';
      if (is_float && pattern) {
        if (std::optional<Value::Kind> nan = nan_pattern(literal.value())) {
          value.kind = *nan;
          value.float_bits = is_32 ? 32 : 64;
          return expect(TokenKind::RParen);
        }
      }
      if (op == "i32.const") {
        value.kind = Value::Kind::I32;
        WASMRT_TRY(number(literal_token, text::parse_i32(literal.value()), value.bits));
      } else if (op == "i64.const") {
        value.kind = Value::Kind::I64;
        WASMRT_TRY(number(literal_token, text::parse_i64(literal.value()), value.bits));
      } else if (is_32) {
        value.kind = Value::Kind::F32;
        WASMRT_TRY(number(literal_token, text::parse_f32_bits(literal.value()), value.bits));
      } else {
        value.kind = Value::Kind::F64;
        WASMRT_TRY(number(literal_token, text::parse_f64_bits(literal.value()), value.bits));
      }
      return expect(TokenKind::RParen);
    }
    if (op == "v128.const") {
      WASMRT_TRY(parse_v128(value, pattern));
      return expect(TokenKind::RParen);
    }
    if (op == "ref.null") {
      value.kind = Value::Kind::RefNull;
      if (cursor_.take_keyword("func")) {
        value.ref_is_func = true;
      } else if (cursor_.take_keyword("extern")) {
        value.ref_is_func = false;
      } else {
        return unexpected(cursor_.peek());
      }
      return expect(TokenKind::RParen);
    }
    if (op == "ref.extern") {
      value.kind = Value::Kind::RefExtern;
      const Token& literal_token = cursor_.peek();
      if (literal_token.kind != TokenKind::Number) return unexpected(literal_token);
      cursor_.next();
      WASMRT_TRY(number(literal_token, text::parse_u64(literal_token.text), value.bits));
      return expect(TokenKind::RParen);
    }
    if (op == "ref.func" && pattern) {
      // Any non-null function reference; an index, if written, is not
      // comparable across instances and is ignored.
      value.kind = Value::Kind::RefFunc;
      if (cursor_.at(TokenKind::Number) || cursor_.at(TokenKind::Id)) cursor_.next();
      return expect(TokenKind::RParen);
    }
    if (op == "either" && pattern && either_allowed) {
      value.kind = Value::Kind::Either;
      while (cursor_.at(TokenKind::LParen)) {
        Value alternative;
        WASMRT_TRY(parse_value(alternative, /*pattern=*/true, /*either_allowed=*/false));
        value.alternatives.push_back(std::move(alternative));
      }
      if (value.alternatives.empty()) return unexpected(cursor_.peek());
      return expect(TokenKind::RParen);
    }
    return error_at(head, "unexpected token");
  }

  // v128.const SHAPE lane*. Expected results may use NaN patterns in float
  // lanes; then every lane is also kept separately for per-lane matching.
  Result<void> parse_v128(Value& value, bool pattern) {
    value.kind = Value::Kind::V128;
    const Token& shape_token = cursor_.peek();
    if (shape_token.kind != TokenKind::Keyword) return unexpected(shape_token);
    cursor_.next();
    const std::string_view shape = shape_token.text;
    const unsigned lane_count = text::v128_lane_count(shape);
    if (lane_count == 0) return error_at(shape_token, "unexpected token");
    value.lane_shape = std::string(shape);

    std::vector<std::string_view> literals;
    std::vector<const Token*> literal_tokens;
    while (cursor_.at(TokenKind::Number) || cursor_.at(TokenKind::Keyword)) {
      literal_tokens.push_back(&cursor_.peek());
      literals.push_back(cursor_.next().text);
    }
    if (literals.size() != lane_count) return error_at(shape_token, "wrong number of lane literals");

    const bool float_shape = shape[0] == 'f';
    bool has_pattern = false;
    if (pattern && float_shape) {
      for (std::string_view literal : literals) has_pattern |= nan_pattern(literal).has_value();
    }
    if (!has_pattern) {
      auto bytes = text::parse_v128(shape, std::span<const std::string_view>(literals));
      if (!bytes.ok()) return error_at(shape_token, bytes.error().message);
      std::copy(bytes.value().begin(), bytes.value().end(), value.v128);
      return ok();
    }

    const unsigned width = 16 / lane_count;
    for (unsigned i = 0; i < lane_count; ++i) {
      Value lane;
      if (std::optional<Value::Kind> nan = nan_pattern(literals[i])) {
        lane.kind = *nan;
        lane.float_bits = static_cast<uint8_t>(width * 8);
      } else if (width == 4) {
        lane.kind = Value::Kind::F32;
        WASMRT_TRY(number(*literal_tokens[i], text::parse_f32_bits(literals[i]), lane.bits));
      } else {
        lane.kind = Value::Kind::F64;
        WASMRT_TRY(number(*literal_tokens[i], text::parse_f64_bits(literals[i]), lane.bits));
      }
      // Pattern lanes leave zero bytes; matching uses `lanes` instead.
      for (unsigned b = 0; b < width; ++b) value.v128[i * width + b] = static_cast<uint8_t>(lane.bits >> (8 * b));
      value.lanes.push_back(std::move(lane));
    }
    return ok();
  }

  std::string_view source_;
  const std::vector<Token>& tokens_;
  Cursor cursor_;
};

}  // namespace

Result<Script> parse_script(std::string_view text) {
  Result<std::vector<Token>> tokens = text::tokenize(text);
  if (!tokens.ok()) return std::move(tokens).error();
  ScriptParser parser(text, tokens.value());
  return parser.parse();
}

}  // namespace wasmrt::wast
