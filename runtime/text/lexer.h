// Tokenizer for the WebAssembly text format (.wat) and scripts (.wast).
//
// Tokenization follows the reference interpreter: a token is a maximal run
// of non-delimiter characters (delimiters are whitespace, parentheses and
// comments), so `0drop` or `data"a"` are single *reserved* tokens that the
// parsers reject as "unknown operator". Positions are 1-based lines and
// byte columns. Nothing here recurses; parenthesis matching uses an explicit
// stack.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "wasmrt/result.h"

namespace wasmrt::text {

enum class TokenKind : uint8_t {
  LParen,
  RParen,
  Keyword,   // starts with a-z: `module`, `i32.add`, `offset=4` (not inf/nan: Number)
  Id,        // `$name`; Token::value holds the name without the `$`
  Number,    // a well-formed integer or float literal (incl. inf, nan, nan:0x..)
  String,    // Token::value holds the decoded bytes
  Reserved,  // any other run of characters; always an error where it appears
  Eof,
};

struct Token {
  TokenKind kind = TokenKind::Eof;
  uint32_t line = 0;    // 1-based
  uint32_t column = 0;  // 1-based, in bytes
  size_t offset = 0;    // byte offset of the first character in the source
  std::string_view text;  // raw source text of the token (strings keep their quotes)
  std::string value;      // String: decoded bytes; Id: name without `$`
  // LParen: index of the matching RParen token, or kNoMatch if unclosed.
  static constexpr size_t kNoMatch = ~size_t{0};
  size_t match = kNoMatch;

  size_t end_offset() const { return offset + text.size(); }
  bool is_keyword(std::string_view kw) const { return kind == TokenKind::Keyword && text == kw; }
};

// Tokenizes the whole source. The result always ends with one Eof token.
// Errors (Phase::Malformed, with line/column): "unclosed string literal",
// "illegal escape", "illegal control character in string literal",
// "unclosed comment", "malformed UTF-8 encoding", "unexpected character".
// Unbalanced parentheses are NOT a lexical error (parsers report them).
Result<std::vector<Token>> tokenize(std::string_view source);

// Classifies a word as a number literal per the text grammar (used by the
// lexer; exposed for tests).
bool is_number_literal(std::string_view word);

// A text-format error at a token's position.
Error text_error(const Token& at, std::string message);

// Raw source of a parenthesised form: from `open` (an LParen) through its
// matching RParen. Empty if `open` is unclosed.
std::string_view form_source(std::string_view source, const std::vector<Token>& tokens, size_t open);

// A read position over a token vector (which must end with Eof). Reading
// past the end keeps returning the Eof token.
class Cursor {
 public:
  explicit Cursor(const std::vector<Token>& tokens, size_t position = 0)
      : tokens_(&tokens), pos_(position) {}

  const Token& peek(size_t ahead = 0) const {
    size_t i = pos_ + ahead;
    return i < tokens_->size() ? (*tokens_)[i] : tokens_->back();
  }
  const Token& next() {
    const Token& t = peek();
    if (pos_ < tokens_->size() - 1) ++pos_;
    return t;
  }
  size_t position() const { return pos_; }
  void seek(size_t position) { pos_ = position; }
  bool at(TokenKind kind, size_t ahead = 0) const { return peek(ahead).kind == kind; }
  bool at_keyword(std::string_view kw, size_t ahead = 0) const { return peek(ahead).is_keyword(kw); }
  // True if the next tokens are `(` kw.
  bool at_form(std::string_view kw) const { return at(TokenKind::LParen) && at_keyword(kw, 1); }
  // Consumes `kw` if it is next.
  bool take_keyword(std::string_view kw) {
    if (!at_keyword(kw)) return false;
    next();
    return true;
  }
  const std::vector<Token>& tokens() const { return *tokens_; }

 private:
  const std::vector<Token>* tokens_;
  size_t pos_;
};

// Appends the UTF-8 encoding of a code point (< 0x110000) to `out`.
void append_utf8(std::string& out, uint32_t code_point);

}  // namespace wasmrt::text
