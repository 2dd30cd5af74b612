// Picking the front end by content: a module is binary exactly when it
// starts with the binary magic; anything else is handed to the text parser
// (which reports its own errors). File names are never consulted.
#include <cstring>

#include "runtime/text/wat.h"

namespace wasmrt {

bool looks_like_binary(const uint8_t* data, size_t size) {
  static constexpr uint8_t kMagic[4] = {0x00, 0x61, 0x73, 0x6d};  // "\0asm"
  return data != nullptr && size >= sizeof kMagic && std::memcmp(data, kMagic, sizeof kMagic) == 0;
}

}  // namespace wasmrt
