// sock_accept, sock_recv, sock_send, sock_shutdown.
#include "wasi/rights.h"
#include "wasi/state.h"

namespace wasmrt::wasi_detail {

namespace {

// The configuration has no way to grant a socket, so a descriptor is
// absent (EBADF) or not a socket (ENOTSOCK). The one exception is a host
// stdio descriptor that happens to be a socket (e.g. started by inetd):
// socket calls on it are refused as unsupported rather than misreported.
// A socket without the call's right (`needed`, rights.h) is ENOTCAPABLE.
int32_t not_a_socket(WasiState& state, uint32_t fd, uint64_t needed) {
  const FdEntry* entry = state.fds.get(fd);
  if (!entry) return kBadf;
  const bool is_socket = entry->filetype == kSocketStream || entry->filetype == kSocketDgram;
  if (entry->kind != FdEntry::Kind::HostFd || !is_socket) return kNotSock;
  return rights::require(*entry, needed) != kSuccess ? kNotCapable : kNotSup;
}

}  // namespace

void define_sock(Linker& linker, const StatePtr& state) {
  linker.define(kModule, "sock_accept", [state](HostContext&, uint32_t fd, uint32_t, uint32_t) -> int32_t {
    return not_a_socket(*state, fd, rights::kSockAccept);
  });
  linker.define(kModule, "sock_recv",
                [state](HostContext&, uint32_t fd, uint32_t, uint32_t, uint32_t, uint32_t,
                        uint32_t) -> int32_t { return not_a_socket(*state, fd, rights::kFdRead); });
  linker.define(kModule, "sock_send",
                [state](HostContext&, uint32_t fd, uint32_t, uint32_t, uint32_t, uint32_t) -> int32_t {
                  return not_a_socket(*state, fd, rights::kFdWrite);
                });
  linker.define(kModule, "sock_shutdown",
                [state](HostContext&, uint32_t fd, uint32_t) -> int32_t {
                  return not_a_socket(*state, fd, rights::kSockShutdown);
                });
}

}  // namespace wasmrt::wasi_detail
