// libFuzzer entry: arbitrary bytes through the binary front end (decode,
// then validate when decoding succeeds). Any crash, sanitizer report, hang
// or untyped error is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "runtime/binary/decoder.h"
#include "runtime/valid/validator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto decoded = wasmrt::decode_module(std::vector<uint8_t>(data, data + size));
  if (!decoded.ok()) {
    if (decoded.error().phase != wasmrt::Phase::Malformed) std::abort();  // decode only reports Malformed
    return 0;
  }
  auto valid = wasmrt::validate_module(decoded.value());
  if (!valid.ok()) {
    const auto phase = valid.error().phase;
    if (phase != wasmrt::Phase::Malformed && phase != wasmrt::Phase::Invalid) std::abort();
  }
  return 0;
}
