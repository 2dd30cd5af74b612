// Decoding and validation through the code cache: the one place that
// decides between a cache entry and the decoder and validator, shared by
// Engine::compile and the spec harness (wasm-spectest --cache).
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/binary/module.h"
#include "runtime/cache/code_cache.h"
#include "wasmrt/result.h"

namespace wasmrt::cache {

// The validated description of the module `binary`: from `cache`'s entry
// when there is one that passes every check (counted in its hits), else
// decoded and validated afresh and, when valid, stored in `cache` for the
// next process (replacing any entry that failed a check). `cache` null:
// decoded and validated, nothing else. Errors are exactly those of
// decode_module and validate_module: a cache can only save work.
Result<ModuleDesc> decode_and_validate(std::vector<uint8_t> binary, const CodeCache* cache);

}  // namespace wasmrt::cache
