#include "runtime/cache/cached_decode.h"

#include <memory>
#include <utility>

#include "runtime/binary/decoder.h"
#include "runtime/cache/module_serialize.h"
#include "runtime/valid/validator.h"

namespace wasmrt::cache {

Result<ModuleDesc> decode_and_validate(std::vector<uint8_t> binary, const CodeCache* cache) {
  Digest key{};
  if (cache != nullptr) {
    key = cache->key(binary);
    if (std::unique_ptr<MappedPayload> entry = cache->load(key)) {
      auto loaded = deserialize_module_desc(entry->bytes(), binary);
      if (loaded.ok()) {
        cache->stats().hits.fetch_add(1, std::memory_order_relaxed);
        loaded.value().bytes = std::move(binary);
        return loaded;
      }
      cache->stats().rejected.fetch_add(1, std::memory_order_relaxed);
    }
  }
  auto decoded = decode_module(std::move(binary));
  if (!decoded.ok()) return decoded;
  WASMRT_TRY(validate_module(decoded.value()));
  // Only valid modules are kept: an invalid one is refused again, with
  // the same error, by compiling it.
  if (cache != nullptr) {
    std::vector<uint8_t> payload;
    // The side tables make an entry about 1.4 times the module's size
    // (Go's hello world: 3.6 MB for 2.6 MB): reserve that once rather
    // than grow a multi-MB buffer by copying.
    payload.reserve(decoded.value().bytes.size() / 2 * 3);
    serialize_module_desc(decoded.value(), payload);
    cache->store(key, payload);
  }
  return decoded;
}

}  // namespace wasmrt::cache
