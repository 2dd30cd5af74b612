// Bounds-checked little-endian / LEB128 reader over untrusted bytes.
//
// Every read either succeeds or records one malformed Error (with the
// absolute byte offset and the spec's message text) and returns false; the
// reader never reads outside [begin, limit). Errors are sticky: after the
// first failure every read fails, so call sites can chain reads and check
// once. Hot paths (body decoding) inline the one-byte LEB fast path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "wasmrt/result.h"

namespace wasmrt {

// True if [data, data+size) is well-formed UTF-8 (no overlongs, surrogates,
// or code points above U+10FFFF).
bool is_valid_utf8(const uint8_t* data, size_t size);

class Reader {
 public:
  // `base` is the absolute offset of data[0] in the whole module, so error
  // offsets are always absolute.
  Reader(const uint8_t* data, size_t size, size_t base = 0)
      : begin_(data), pos_(data), limit_(data + size), base_(base) {}

  size_t offset() const { return base_ + static_cast<size_t>(pos_ - begin_); }
  size_t remaining() const { return static_cast<size_t>(limit_ - pos_); }
  bool at_end() const { return pos_ == limit_; }
  const uint8_t* pos() const { return pos_; }
  const uint8_t* data_begin() const { return begin_; }

  // The message used when a read runs past the limit. The whole module uses
  // "unexpected end"; sections and function bodies use
  // "unexpected end of section or function" as the reference interpreter does.
  void set_eof_message(const char* message) { eof_message_ = message; }

  // A reader over the next `size` bytes (which must be available), sharing
  // absolute offsets. Advances this reader past them.
  bool sub_reader(size_t size, Reader& out, const char* eof_message);

  bool failed() const { return failed_; }
  const Error& error() const { return error_; }
  Error take_error() { return std::move(error_); }
  // Records a malformed error at the current offset (first one wins).
  bool fail(std::string_view message) { return fail_at(offset(), message); }
  bool fail_at(size_t offset, std::string_view message);
  bool fail_eof() { return fail(eof_message_); }

  bool u8(uint8_t& out) {
    if (pos_ >= limit_) return fail_eof();
    out = *pos_++;
    return true;
  }
  bool peek_u8(uint8_t& out) const {
    if (pos_ >= limit_) return false;
    out = *pos_;
    return true;
  }
  bool u32(uint32_t& out) {
    if (pos_ < limit_ && *pos_ < 0x80) {
      out = *pos_++;
      return true;
    }
    return u32_slow(out);
  }
  bool s32(int32_t& out);
  bool s33(int64_t& out);  // block types
  bool s64(int64_t& out);
  bool fixed_u32(uint32_t& out);  // f32 bits, little endian
  bool fixed_u64(uint64_t& out);  // f64 bits, little endian
  // Returns a pointer to the next n bytes and advances past them.
  bool bytes(size_t n, const uint8_t*& out);
  bool skip(size_t n) {
    if (n > remaining()) return fail_eof();
    pos_ += n;
    return true;
  }
  // vec(byte) that must be valid UTF-8 ("malformed UTF-8 encoding").
  bool name(std::string_view& out);
  // A vector length. Fails with "length out of bounds" unless at least
  // count * min_bytes_each bytes remain: a hostile count never drives an
  // allocation larger than the input.
  bool vec_count(uint32_t& out, size_t min_bytes_each = 1);

 private:
  bool u32_slow(uint32_t& out);

  const uint8_t* begin_;
  const uint8_t* pos_;
  const uint8_t* limit_;
  size_t base_;
  const char* eof_message_ = "unexpected end";
  bool failed_ = false;
  Error error_;
};

}  // namespace wasmrt
