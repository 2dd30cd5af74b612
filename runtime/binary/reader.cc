#include "runtime/binary/reader.h"

namespace wasmrt {

bool is_valid_utf8(const uint8_t* s, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (n - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      uint8_t cc = s[i + k];
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return false;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

bool Reader::fail_at(size_t offset, std::string_view message) {
  if (!failed_) {
    failed_ = true;
    error_.phase = Phase::Malformed;
    error_.message = std::string(message);
    error_.offset = offset;
  }
  pos_ = limit_;  // every later read fails fast
  return false;
}

bool Reader::sub_reader(size_t size, Reader& out, const char* eof_message) {
  if (size > remaining()) return fail_eof();
  out = Reader(pos_, size, offset());
  out.eof_message_ = eof_message;
  pos_ += size;
  return true;
}

bool Reader::u32_slow(uint32_t& out) {
  uint32_t result = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    uint8_t b = 0;
    if (!u8(b)) return false;
    if (shift == 28) {
      // Fifth byte: only 4 payload bits remain; a continuation bit means the
      // encoding is longer than 5 bytes, extra payload bits mean overflow.
      if (b & 0x80) return fail("integer representation too long");
      if (b & 0x70) return fail("integer too large");
    }
    result |= static_cast<uint32_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) {
      out = result;
      return true;
    }
  }
  return fail("integer representation too long");
}

// Signed LEB128 of at most `bits` bits.
template <int Bits>
static bool read_signed(Reader& r, int64_t& out) {
  constexpr int kMaxBytes = (Bits + 6) / 7;
  uint64_t result = 0;
  int shift = 0;
  for (int i = 0; i < kMaxBytes; ++i) {
    uint8_t b = 0;
    if (!r.u8(b)) return false;
    if (i == kMaxBytes - 1) {
      if (b & 0x80) return r.fail("integer representation too long");
      // The unused high bits of the last byte must all equal the sign bit.
      int used = Bits - 7 * (kMaxBytes - 1);  // payload bits in the last byte
      int sign_and_unused = (b & 0x7F) >> (used - 1);
      int all_ones = (1 << (7 - used + 1)) - 1;
      if (sign_and_unused != 0 && sign_and_unused != all_ones) return r.fail("integer too large");
    }
    result |= static_cast<uint64_t>(b & 0x7F) << shift;
    shift += 7;
    if (!(b & 0x80)) {
      if (shift < 64 && (b & 0x40)) result |= ~uint64_t{0} << shift;
      out = static_cast<int64_t>(result);
      return true;
    }
  }
  return r.fail("integer representation too long");
}

bool Reader::s32(int32_t& out) {
  int64_t v = 0;
  if (!read_signed<32>(*this, v)) return false;
  out = static_cast<int32_t>(v);
  return true;
}

bool Reader::s33(int64_t& out) { return read_signed<33>(*this, out); }

bool Reader::s64(int64_t& out) { return read_signed<64>(*this, out); }

bool Reader::fixed_u32(uint32_t& out) {
  const uint8_t* p;
  if (!bytes(4, p)) return false;
  out = uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
  return true;
}

bool Reader::fixed_u64(uint64_t& out) {
  const uint8_t* p;
  if (!bytes(8, p)) return false;
  out = 0;
  for (int i = 7; i >= 0; --i) out = (out << 8) | p[i];
  return true;
}

bool Reader::bytes(size_t n, const uint8_t*& out) {
  if (n > remaining()) return fail_eof();
  out = pos_;
  pos_ += n;
  return true;
}

bool Reader::name(std::string_view& out) {
  uint32_t len;
  if (!u32(len)) return false;
  if (len > remaining()) return fail("length out of bounds");
  const uint8_t* p = pos_;
  if (!is_valid_utf8(p, len)) return fail("malformed UTF-8 encoding");
  pos_ += len;
  out = std::string_view(reinterpret_cast<const char*>(p), len);
  return true;
}

bool Reader::vec_count(uint32_t& out, size_t min_bytes_each) {
  if (!u32(out)) return false;
  if (min_bytes_each != 0 && out > remaining() / min_bytes_each) return fail("length out of bounds");
  return true;
}

}  // namespace wasmrt
