// The part of a code-cache entry that lets a later process skip decoding
// and validating a module: its ModuleDesc (everything the decoder found)
// and the validator's side tables, written as flat little records. The
// module's bytes themselves are not stored: the entry is looked up by the
// SHA-256 of those bytes (code_cache.h), so the caller has them already.
//
// The writer and reader are each other's inverse for this build only;
// code_cache.cc puts the format version and a digest of the sources that
// define these structures into every entry's key.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "runtime/binary/module.h"
#include "wasmrt/result.h"

namespace wasmrt::cache {

// Appends the description of validated module `desc` (not its bytes) to
// `out`.
void serialize_module_desc(const ModuleDesc& desc, std::vector<uint8_t>& out);

// Rebuilds what serialize_module_desc wrote, for the module whose binary
// is `bytes` (which the caller then moves into the result's `bytes`).
// Reads are bounds-checked, and every offset and index the runtime later
// trusts (code ranges, branch targets, constant expressions, data
// segments, type and function indices) is checked against `bytes` and the
// module's index spaces, so a damaged payload that slipped past the
// entry's digest is refused here rather than run. The result is marked
// validated: only a validated module is ever serialized.
Result<ModuleDesc> deserialize_module_desc(std::span<const uint8_t> payload, std::span<const uint8_t> bytes);

}  // namespace wasmrt::cache
