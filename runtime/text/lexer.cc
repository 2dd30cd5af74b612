#include "runtime/text/lexer.h"

#include "runtime/binary/reader.h"

namespace wasmrt::text {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex_digit(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

bool is_id_char(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '.': case '/': case ':': case '<': case '=': case '>': case '?': case '@': case '\\':
    case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

// Matches digit ('_'? digit)* at `i`; advances i. `hex` selects hex digits.
bool scan_digits(std::string_view s, size_t& i, bool hex) {
  auto ok = [&](char c) { return hex ? is_hex_digit(c) : is_digit(c); };
  if (i >= s.size() || !ok(s[i])) return false;
  ++i;
  while (i < s.size()) {
    if (ok(s[i])) {
      ++i;
    } else if (s[i] == '_' && i + 1 < s.size() && ok(s[i + 1])) {
      i += 2;
    } else {
      break;
    }
  }
  return true;
}

class Lexer {
 public:
  explicit Lexer(std::string_view src) : src_(src) {}

  Result<std::vector<Token>> run() {
    std::vector<Token> tokens;
    tokens.reserve(src_.size() / 8 + 16);  // typical token density; avoids most regrowth
    std::vector<size_t> open_parens;  // explicit stack: nesting never recurses
    while (true) {
      if (!skip_space_and_comments()) return error_;
      Token tok;
      tok.line = line_;
      tok.column = column();
      tok.offset = pos_;
      if (pos_ >= src_.size()) {
        tok.kind = TokenKind::Eof;
        tokens.push_back(std::move(tok));
        break;
      }
      char c = src_[pos_];
      if (c == '(') {
        tok.kind = TokenKind::LParen;
        advance(1);
        open_parens.push_back(tokens.size());
      } else if (c == ')') {
        tok.kind = TokenKind::RParen;
        advance(1);
        if (!open_parens.empty()) {
          tokens[open_parens.back()].match = tokens.size();
          open_parens.pop_back();
        }
      } else {
        if (!scan_word(tok)) return error_;
      }
      tok.text = src_.substr(tok.offset, pos_ - tok.offset);
      tokens.push_back(std::move(tok));
    }
    return tokens;
  }

 private:
  uint32_t column() const { return static_cast<uint32_t>(pos_ - line_start_ + 1); }

  void advance(size_t n) {
    for (size_t k = 0; k < n && pos_ < src_.size(); ++k) {
      if (src_[pos_] == '\n') {
        ++line_;
        line_start_ = pos_ + 1;
      }
      ++pos_;
    }
  }

  bool fail(std::string message, uint32_t line, uint32_t col) {
    error_.phase = Phase::Malformed;
    error_.message = std::move(message);
    error_.line = line;
    error_.column = col;
    return false;
  }
  bool fail_here(std::string message) { return fail(std::move(message), line_, column()); }

  bool skip_space_and_comments() {
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      if (is_space(c)) {
        advance(1);
      } else if (c == ';' && pos_ + 1 < src_.size() && src_[pos_ + 1] == ';') {
        while (pos_ < src_.size() && src_[pos_] != '\n' && src_[pos_] != '\r') ++pos_;
      } else if (c == '(' && pos_ + 1 < src_.size() && src_[pos_ + 1] == ';') {
        uint32_t line = line_, col = column();
        advance(2);
        size_t depth = 1;  // block comments nest; a counter, not recursion
        while (depth > 0) {
          if (pos_ >= src_.size()) return fail("unclosed comment", line, col);
          if (src_[pos_] == '(' && pos_ + 1 < src_.size() && src_[pos_ + 1] == ';') {
            ++depth;
            advance(2);
          } else if (src_[pos_] == ';' && pos_ + 1 < src_.size() && src_[pos_ + 1] == ')') {
            --depth;
            advance(2);
          } else {
            advance(1);
          }
        }
      } else {
        return true;
      }
    }
    return true;
  }

  // Scans a string literal starting at the opening quote; appends the
  // decoded bytes to `out`.
  bool scan_string(std::string& out) {
    uint32_t line = line_, col = column();
    advance(1);
    while (true) {
      if (pos_ >= src_.size()) return fail("unclosed string literal", line, col);
      unsigned char c = static_cast<unsigned char>(src_[pos_]);
      if (c == '"') {
        advance(1);
        return true;
      }
      if (c == '\n') return fail("unclosed string literal", line, col);
      if (c < 0x20 || c == 0x7f) return fail_here("illegal control character in string literal");
      if (c != '\\') {
        out.push_back(static_cast<char>(c));
        advance(1);
        continue;
      }
      if (pos_ + 1 >= src_.size()) return fail("unclosed string literal", line, col);
      char e = src_[pos_ + 1];
      switch (e) {
        case 't': out.push_back('\t'); advance(2); continue;
        case 'n': out.push_back('\n'); advance(2); continue;
        case 'r': out.push_back('\r'); advance(2); continue;
        case '"': out.push_back('"'); advance(2); continue;
        case '\'': out.push_back('\''); advance(2); continue;
        case '\\': out.push_back('\\'); advance(2); continue;
        case 'u': {
          size_t i = pos_ + 2;
          if (i >= src_.size() || src_[i] != '{') return fail_here("illegal escape");
          ++i;
          uint32_t cp = 0;
          size_t digits_start = i;
          if (!scan_digits(src_, i, /*hex=*/true)) return fail_here("illegal escape");
          for (size_t k = digits_start; k < i; ++k) {
            if (src_[k] == '_') continue;
            cp = cp * 16 + static_cast<uint32_t>(hex_value(src_[k]));
            if (cp >= 0x110000) return fail_here("illegal escape");
          }
          if (i >= src_.size() || src_[i] != '}') return fail_here("illegal escape");
          if (cp >= 0xD800 && cp < 0xE000) return fail_here("illegal escape");
          append_utf8(out, cp);
          advance(i + 1 - pos_);
          continue;
        }
        default:
          if (is_hex_digit(e) && pos_ + 2 < src_.size() && is_hex_digit(src_[pos_ + 2])) {
            out.push_back(static_cast<char>(hex_value(e) * 16 + hex_value(src_[pos_ + 2])));
            advance(3);
            continue;
          }
          return fail_here("illegal escape");
      }
    }
  }

  // A maximal run of non-delimiters. Strings inside the run are scanned as
  // strings (so they may contain spaces and parentheses).
  bool scan_word(Token& tok) {
    bool only_one_string = false;
    size_t pieces = 0;
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      if (is_space(c) || c == '(' || c == ')') break;
      if (c == ';') {
        if (pieces == 0) {
          // A lone `;` that does not start a comment.
          return fail_here("unexpected character");
        }
        break;
      }
      if (c == '"') {
        std::string decoded;
        if (!scan_string(decoded)) return false;
        only_one_string = (pieces == 0);
        if (pieces == 0) tok.value = std::move(decoded);
      } else {
        only_one_string = false;
        advance(1);
      }
      ++pieces;  // anything glued to a string makes the word reserved
    }
    std::string_view word = src_.substr(tok.offset, pos_ - tok.offset);
    if (only_one_string && pieces == 1) {
      tok.kind = TokenKind::String;
      return true;
    }
    tok.value.clear();
    bool all_id_chars = true;
    for (char ch : word) {
      if (!is_id_char(ch)) {
        all_id_chars = false;
        break;
      }
    }
    if (!all_id_chars) {
      tok.kind = TokenKind::Reserved;
    } else if (is_number_literal(word)) {
      tok.kind = TokenKind::Number;
    } else if (word[0] == '$' && word.size() > 1) {
      tok.kind = TokenKind::Id;
      tok.value = std::string(word.substr(1));
    } else if (word[0] >= 'a' && word[0] <= 'z') {
      tok.kind = TokenKind::Keyword;
    } else {
      tok.kind = TokenKind::Reserved;
    }
    return true;
  }

  std::string_view src_;
  size_t pos_ = 0;
  uint32_t line_ = 1;
  size_t line_start_ = 0;
  Error error_;
};

}  // namespace

bool is_number_literal(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  std::string_view rest = s.substr(i);
  if (rest == "inf" || rest == "nan") return true;
  if (rest.starts_with("nan:0x")) {
    size_t j = 6;
    return scan_digits(rest, j, true) && j == rest.size();
  }
  bool hex = rest.starts_with("0x");
  if (hex) i += 2;
  if (!scan_digits(s, i, hex)) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (i < s.size() && (hex ? is_hex_digit(s[i]) : is_digit(s[i]))) scan_digits(s, i, hex);
  }
  if (i < s.size() && (hex ? (s[i] == 'p' || s[i] == 'P') : (s[i] == 'e' || s[i] == 'E'))) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!scan_digits(s, i, false)) return false;
  }
  return i == s.size();
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

Result<std::vector<Token>> tokenize(std::string_view source) {
  if (!is_valid_utf8(reinterpret_cast<const uint8_t*>(source.data()), source.size())) {
    // Find the line/column of the first bad byte for the message position.
    Error e;
    e.phase = Phase::Malformed;
    e.message = "malformed UTF-8 encoding";
    e.line = 1;
    e.column = 1;
    // Walk whole sequences (lead byte gives the length) to the first bad one.
    const auto* bytes = reinterpret_cast<const uint8_t*>(source.data());
    size_t good = 0;
    while (good < source.size()) {
      uint8_t lead = bytes[good];
      size_t len = lead < 0x80 ? 1 : (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 : 4;
      if (len > source.size() - good || !is_valid_utf8(bytes + good, len)) break;
      good += len;
    }
    for (size_t i = 0; i < good; ++i) {
      if (source[i] == '\n') {
        ++e.line;
        e.column = 1;
      } else {
        ++e.column;
      }
    }
    return e;
  }
  return Lexer(source).run();
}

Error text_error(const Token& at, std::string message) {
  Error e;
  e.phase = Phase::Malformed;
  e.message = std::move(message);
  e.line = at.line;
  e.column = at.column;
  return e;
}

std::string_view form_source(std::string_view source, const std::vector<Token>& tokens, size_t open) {
  if (open >= tokens.size() || tokens[open].kind != TokenKind::LParen) return {};
  size_t close = tokens[open].match;
  if (close == Token::kNoMatch) return {};
  size_t begin = tokens[open].offset;
  return source.substr(begin, tokens[close].end_offset() - begin);
}

}  // namespace wasmrt::text
