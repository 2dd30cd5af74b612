// Entry point of the text format: `(module ...)`, `(module binary ...)`,
// `(module quote ...)` or a bare list of module fields.
#include "runtime/text/wat.h"

#include <string>

#include "runtime/text/lexer.h"
#include "runtime/text/wat_parser.h"

namespace wasmrt {

Result<std::vector<uint8_t>> wat_to_binary(std::string_view source) {
  using namespace text;
  // `(module quote ...)` re-enters here with the concatenated text; the
  // loop (not recursion) bounds how deep quoting can go.
  std::string quoted;
  while (true) {
    auto tokens = tokenize(source);
    if (!tokens) return std::move(tokens).error();
    Cursor cur(*tokens);
    if (!cur.at_form("module")) {
      WatParser parser(*tokens);
      return parser.parse_module(/*bare=*/true);
    }
    const Token& open = cur.peek();
    cur.next();
    cur.next();
    if (cur.at(TokenKind::Id)) cur.next();
    if (cur.at_keyword("binary") || cur.at_keyword("quote")) {
      bool is_binary = cur.at_keyword("binary");
      cur.next();
      std::string bytes;
      while (cur.at(TokenKind::String)) bytes += cur.next().value;
      if (!cur.at(TokenKind::RParen)) {
        const Token& t = cur.peek();
        return text_error(t, t.kind == TokenKind::Reserved ? "unknown operator" : "unexpected token");
      }
      cur.next();
      if (!cur.at(TokenKind::Eof)) return text_error(cur.peek(), "unexpected token");
      if (is_binary) return std::vector<uint8_t>(bytes.begin(), bytes.end());
      quoted = std::move(bytes);
      source = quoted;
      // A quoted text is a module body (fields), or a full `(module ...)`.
      continue;
    }
    if (open.match == Token::kNoMatch) return text_error(open, "unexpected end of input");
    WatParser parser(*tokens, cur.position());
    auto bytes = parser.parse_module(/*bare=*/false);
    if (!bytes) return bytes;
    if (open.match + 1 < tokens->size() - 1) return text_error((*tokens)[open.match + 1], "unexpected token");
    return bytes;
  }
}

}  // namespace wasmrt
