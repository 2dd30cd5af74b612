#include "runtime/binary/name_section.h"

#include <string_view>
#include <utility>

#include "runtime/binary/reader.h"

namespace wasmrt {
namespace {

enum NameSubsection : uint8_t { kModuleName = 0, kFunctionNames = 1, kLocalNames = 2 };

using NameMap = std::unordered_map<uint32_t, std::string>;

// vec((index, name)). Each entry is at least two bytes, which bounds the count.
bool read_name_map(Reader& r, NameMap& out) {
  uint32_t count = 0;
  if (!r.vec_count(count, 2)) return false;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t index = 0;
    std::string_view name;
    if (!r.u32(index) || !r.name(name)) return false;
    out.insert_or_assign(index, std::string(name));
  }
  return true;
}

bool read_subsection(uint8_t id, Reader& r, NameSection& out) {
  switch (id) {
    case kModuleName: {
      std::string_view name;
      if (!r.name(name)) return false;
      out.module_name = std::string(name);
      return true;
    }
    case kFunctionNames: {
      NameMap functions;
      if (!read_name_map(r, functions)) return false;
      out.functions = std::move(functions);
      return true;
    }
    case kLocalNames: {
      std::unordered_map<uint32_t, NameMap> locals;
      uint32_t count = 0;
      if (!r.vec_count(count, 2)) return false;
      for (uint32_t i = 0; i < count; ++i) {
        uint32_t func_index = 0;
        if (!r.u32(func_index)) return false;
        if (!read_name_map(r, locals[func_index])) return false;
      }
      out.locals = std::move(locals);
      return true;
    }
    default:
      return true;  // later extensions (labels, types, ...) are skipped
  }
}

}  // namespace

void parse_name_section(const uint8_t* data, size_t size, size_t base, NameSection& out) {
  Reader r(data, size, base);
  while (!r.at_end()) {
    uint8_t id = 0;
    uint32_t sub_size = 0;
    if (!r.u8(id) || !r.u32(sub_size) || sub_size > r.remaining()) return;
    Reader sub(r.pos(), sub_size, r.offset());
    r.skip(sub_size);
    // A subsection is committed only when it parses completely.
    NameSection parsed;
    if (!read_subsection(id, sub, parsed) || !sub.at_end()) continue;
    switch (id) {
      case kModuleName: out.module_name = std::move(parsed.module_name); break;
      case kFunctionNames: out.functions = std::move(parsed.functions); break;
      case kLocalNames: out.locals = std::move(parsed.locals); break;
      default: break;
    }
  }
}

}  // namespace wasmrt
