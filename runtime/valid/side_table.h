// What validation records for the execution tiers (interpreter translator,
// JIT) so they never recompute control flow or stack heights.
// OWNED BY THE VALIDATOR: the layout below is a placeholder to be designed
// together with body_decoder.h.
#pragma once

#include <cstdint>
#include <vector>

namespace wasmrt {

struct FuncSideTable {
  uint32_t max_stack_height = 0;  // in value slots (v128 counts as 1)
};

}  // namespace wasmrt
