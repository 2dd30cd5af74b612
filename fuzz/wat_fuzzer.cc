// libFuzzer entry: arbitrary bytes as WebAssembly text. Whatever the text
// encoder accepts is fed on through decode + validate, so the encoder's
// output is exercised too.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "runtime/binary/decoder.h"
#include "runtime/text/wat.h"
#include "runtime/valid/validator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto binary = wasmrt::wat_to_binary(text);
  if (!binary.ok()) return 0;
  auto decoded = wasmrt::decode_module(std::move(binary).value());
  if (decoded.ok()) (void)wasmrt::validate_module(decoded.value());
  return 0;
}
