// Binary module decoder: the complete Wasm 2.0 binary format.
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/binary/module.h"
#include "wasmrt/result.h"

namespace wasmrt {

// Decodes every section. Function bodies are framed (locals decoded, code
// range recorded) but their instructions are decoded by the validator's
// body decoder. Constant expressions are decoded far enough to find their
// end. Errors are Phase::Malformed with an absolute byte offset. Never
// allocates more than a small multiple of bytes.size().
Result<ModuleDesc> decode_module(std::vector<uint8_t> bytes);

}  // namespace wasmrt
