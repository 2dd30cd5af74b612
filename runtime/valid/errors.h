// Error construction for the validator (field by field, so new fields of
// Error keep their defaults).
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "wasmrt/result.h"

namespace wasmrt {

inline Error make_error(Phase phase, std::string message, uint64_t offset = Error::kNoOffset) {
  Error e;
  e.phase = phase;
  e.message = std::move(message);
  e.offset = offset;
  return e;
}

}  // namespace wasmrt
