// Interning of function types into small integer ids, so call_indirect (and
// import matching) compares one integer even across modules.
//
// One process-wide registry serves every engine: ids from different engines
// then never collide, and modules compiled by one engine may link with
// instances created through another without a translation step. Entries are
// never removed; the registry grows with the number of distinct signatures.
#pragma once

#include <cstdint>

#include "runtime/binary/types.h"

namespace wasmrt {

// Thread-safe. Structurally equal types get the same id.
uint32_t intern_signature(const FuncType& type);

}  // namespace wasmrt
