// random_get.
#include <sys/random.h>

#include <algorithm>
#include <cerrno>

#include "wasi/state.h"

namespace wasmrt::wasi_detail {

namespace {

Errno fill_from_os(std::span<uint8_t> out) {
  size_t filled = 0;
  while (filled < out.size()) {
    // getrandom returns at most 32 MiB per call and may be interrupted.
    ssize_t got = getrandom(out.data() + filled, out.size() - filled, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return errno_from_host(errno);
    }
    filled += static_cast<size_t>(got);
  }
  return kSuccess;
}

void fill_from_seed(std::mt19937_64& generator, std::span<uint8_t> out) {
  size_t filled = 0;
  while (filled < out.size()) {
    uint64_t word = generator();
    size_t n = std::min(sizeof(word), out.size() - filled);
    std::memcpy(out.data() + filled, &word, n);
    filled += n;
  }
}

}  // namespace

void define_random(Linker& linker, const StatePtr& state) {
  linker.define(kModule, "random_get",
                [state](HostContext& ctx, uint32_t buffer_ptr, uint32_t length) -> int32_t {
                  GuestMemory memory(ctx);
                  if (!memory.in_bounds(buffer_ptr, length)) return kFault;
                  std::span<uint8_t> out = memory.bytes().subspan(buffer_ptr, length);
                  if (state->config.random_seed) {
                    fill_from_seed(state->seeded_random, out);
                    return kSuccess;
                  }
                  return fill_from_os(out);
                });
}

}  // namespace wasmrt::wasi_detail
