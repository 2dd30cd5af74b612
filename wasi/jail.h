// Path resolution inside a preopened directory ("jail"). Every path a guest
// passes is resolved by the kernel beneath the directory's host fd
// (openat2 with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS), or, where openat2
// is missing, by a component-by-component walk that never lets the kernel
// follow a symlink and refuses `..` above the root and absolute targets.
// Callers then operate only through *at() calls on the fds returned here,
// so nothing the guest does (symlinks, renames, races) leads outside.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "wasi/state.h"

namespace wasmrt::wasi_detail {

// A host descriptor closed on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = other.release();
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// A guest path is refused before any lookup when it is empty (ENOENT),
// holds a NUL byte (EINVAL: the host would silently cut it there), is
// absolute (ENOTCAPABLE) or is longer than PATH_MAX (ENAMETOOLONG).
Errno check_guest_path(std::string_view path);

// Opens `path` beneath `root_fd` with open(2) `flags` (O_CLOEXEC is added;
// O_NOFOLLOW means a symlink as last component is not followed) and
// `mode` (used with O_CREAT).
Errno jail_open(int root_fd, std::string_view path, int flags, mode_t mode, UniqueFd& out);

// For operations on a name (create, unlink, rename, link, symlink,
// readlink): opens the directory holding the last component of `path`
// beneath `root_fd` and returns that component in `name` (never empty,
// never containing '/'). When the last component is "." or "..", nothing
// may be created or removed under that name: the path is checked to stay
// inside the jail and `dot_error` is returned. `trailing_slash` reports
// whether the guest wrote "name/" (the target must be a directory).
Errno jail_open_parent(int root_fd, std::string_view path, Errno dot_error, UniqueFd& parent,
                       std::string& name, bool& trailing_slash);

// ---- helpers shared by fd_* and path_* ----
FileType filetype_from_mode(mode_t mode);
// WASI filestat: dev u64 @0, ino u64 @8, filetype u8 @16, nlink u64 @24,
// size u64 @32, atim @40, mtim @48, ctim @56 (nanoseconds).
inline constexpr size_t kFilestatSize = 64;
std::array<uint8_t, kFilestatSize> encode_filestat(const struct stat& st);
// fst_flags (ATIM 1, ATIM_NOW 2, MTIM 4, MTIM_NOW 8) as utimensat times.
Errno timespecs_from_wasi(uint64_t atim, uint64_t mtim, uint32_t fst_flags, struct timespec times[2]);

// Tests: resolve with the portable walk even where openat2 exists.
void jail_force_fallback_for_testing(bool force);
// Whether the kernel's openat2 is being used.
bool jail_uses_openat2();

}  // namespace wasmrt::wasi_detail
