// args_sizes_get, args_get, environ_sizes_get, environ_get.
//
// Both lists use the same layout (witx): an array of u32 pointers, one per
// string, into a buffer holding the strings back to back, each followed by
// a NUL byte.
#include <string>
#include <vector>

#include "wasi/state.h"

namespace wasmrt::wasi_detail {

namespace {

uint64_t buffer_size(const std::vector<std::string>& strings) {
  uint64_t total = 0;
  for (const auto& s : strings) total += s.size() + 1;
  return total;
}

int32_t get_sizes(HostContext& ctx, const std::vector<std::string>& strings, uint32_t count_ptr,
                  uint32_t size_ptr) {
  GuestMemory memory(ctx);
  const uint64_t total = buffer_size(strings);
  // Both are u32 in the ABI; Wasi::create rejects lists that do not fit.
  if (!memory.in_bounds(count_ptr, 4) || !memory.in_bounds(size_ptr, 4)) return kFault;
  memory.store(count_ptr, static_cast<uint32_t>(strings.size()));
  memory.store(size_ptr, static_cast<uint32_t>(total));
  return kSuccess;
}

int32_t get_strings(HostContext& ctx, const std::vector<std::string>& strings, uint32_t pointers_ptr,
                    uint32_t buffer_ptr) {
  GuestMemory memory(ctx);
  // Check both regions first so a bad pointer leaves memory untouched.
  if (!memory.in_bounds(pointers_ptr, uint64_t{4} * strings.size()) ||
      !memory.in_bounds(buffer_ptr, buffer_size(strings))) {
    return kFault;
  }
  uint8_t* buffer = memory.bytes().data() + buffer_ptr;
  uint64_t offset = 0;
  for (size_t i = 0; i < strings.size(); ++i) {
    memory.store(pointers_ptr + 4 * uint64_t{i}, static_cast<uint32_t>(buffer_ptr + offset));
    std::memcpy(buffer + offset, strings[i].data(), strings[i].size());
    offset += strings[i].size();
    buffer[offset++] = 0;
  }
  return kSuccess;
}

}  // namespace

void define_args(Linker& linker, const StatePtr& state) {
  linker.define(kModule, "args_sizes_get", [state](HostContext& ctx, uint32_t argc_ptr, uint32_t size_ptr) {
    return get_sizes(ctx, state->config.args, argc_ptr, size_ptr);
  });
  linker.define(kModule, "args_get", [state](HostContext& ctx, uint32_t argv_ptr, uint32_t buffer_ptr) {
    return get_strings(ctx, state->config.args, argv_ptr, buffer_ptr);
  });
  linker.define(kModule, "environ_sizes_get",
                [state](HostContext& ctx, uint32_t count_ptr, uint32_t size_ptr) {
                  return get_sizes(ctx, state->env, count_ptr, size_ptr);
                });
  linker.define(kModule, "environ_get", [state](HostContext& ctx, uint32_t environ_ptr, uint32_t buffer_ptr) {
    return get_strings(ctx, state->env, environ_ptr, buffer_ptr);
  });
}

}  // namespace wasmrt::wasi_detail
