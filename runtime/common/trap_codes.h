// Trap codes generated from trap_codes.def.
#pragma once

#include <cstdint>
#include <string_view>

namespace wasmrt {

enum class TrapCode : uint8_t {
  None = 0,
#define WASMRT_TRAP(name, message) name,
#include "runtime/common/trap_codes.def"
#undef WASMRT_TRAP
};

// The spec's message for a trap code ("integer divide by zero", ...).
std::string_view trap_message(TrapCode code);

}  // namespace wasmrt
