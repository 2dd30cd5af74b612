// WebAssembly text format (WAT) -> binary encoding.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "wasmrt/result.h"

namespace wasmrt {

// Parses one module in text format: either a full `(module ...)` form
// (including `(module binary ...)` and `(module quote ...)`) or a bare
// sequence of module fields, and returns its binary encoding. Errors are
// Phase::Malformed with line and column (1-based) and the spec's text-format
// messages ("unexpected token", "unknown operator", "constant out of range",
// "alignment", "unknown label", "duplicate func", ...). Parsing never
// recurses on input nesting depth.
Result<std::vector<uint8_t>> wat_to_binary(std::string_view text);

// True if `bytes` start with the binary magic "\0asm"; used to pick the
// decoder by content, never by file name.
bool looks_like_binary(const uint8_t* data, size_t size);

}  // namespace wasmrt
