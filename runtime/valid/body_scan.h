// Structure-only decoding of a function body: finds the malformed errors
// (illegal opcodes, bad immediates, misplaced else, missing or early end,
// "data count section required") without typing anything. Used after a
// validation error so that a malformed error later in the module still
// wins, as the spec's decode-then-validate order requires.
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/binary/instr.h"
#include "runtime/binary/module.h"
#include "runtime/valid/errors.h"
#include "wasmrt/result.h"

namespace wasmrt {

// The error for a body whose bytes run out while `open_frames` blocks
// (the function's included) are still open. The reference interpreter does
// not frame bodies by size but decodes on into the following bytes, and the
// spec suite expects the message that produces: "END opcode expected" when
// an `else` closes the function, an immediate's error, or "unexpected end".
Error body_overrun_error(const ModuleDesc& module, const FuncBody& body, uint32_t open_frames,
                         Instr& scratch);

class BodyScanner {
 public:
  explicit BodyScanner(const ModuleDesc& module) : module_(module) {}
  // Scans defined function `defined_index`; a Malformed error if any.
  Result<void> scan(uint32_t defined_index);

 private:
  const ModuleDesc& module_;
  Instr in_;
  std::vector<uint8_t> open_;  // per open block: 1 if it is an if before its else
};

}  // namespace wasmrt
