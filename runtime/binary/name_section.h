// Lenient parsing of the `name` custom section (module, function and local
// names). Custom sections must never make a module fail to decode, so every
// problem here is swallowed: a subsection that does not parse is dropped.
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/binary/module.h"

namespace wasmrt {

// `data` points at the section content after the "name" string; `base` is its
// absolute offset in the module. Fills `out` with whatever subsections parse.
void parse_name_section(const uint8_t* data, size_t size, size_t base, NameSection& out);

}  // namespace wasmrt
