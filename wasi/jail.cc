// Jailed path resolution; see jail.h.
#include "wasi/jail.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstring>
#include <deque>
#include <vector>

namespace wasmrt::wasi_detail {

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

namespace {

// Symlinks followed in one resolution before ELOOP (Linux uses 40 too).
constexpr int kMaxSymlinkFollows = 40;
// openat2 returns EAGAIN when a concurrent rename or mount might have let
// `..` resolution escape; it is safe to simply try again.
constexpr int kOpenat2Retries = 16;

// 0: not probed yet, 1: openat2 works, 2: ENOSYS (use the walk).
std::atomic<int> g_openat2_state{0};
std::atomic<bool> g_force_fallback{false};

Errno host_error(int host_errno) {
  // The kernel's "would leave the root" verdict (RESOLVE_BENEATH) is a
  // capability failure from the guest's point of view.
  if (host_errno == EXDEV) return kNotCapable;
  return errno_from_host(host_errno);
}

// openat2 beneath root. Returns the fd, or -errno (-ENOSYS when missing).
int openat2_beneath(int root_fd, const char* path, int flags, mode_t mode) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  // The kernel rejects a mode without O_CREAT/O_TMPFILE.
  if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) how.mode = mode;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  for (int attempt = 0;; ++attempt) {
    long fd = syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
    if (fd >= 0) return static_cast<int>(fd);
    int err = errno;
    if ((err == EAGAIN || err == EINTR) && attempt < kOpenat2Retries) continue;
    return -err;
  }
}

bool use_openat2() {
  if (g_force_fallback.load(std::memory_order_relaxed)) return false;
  return g_openat2_state.load(std::memory_order_relaxed) != 2;
}

// Splits `path` on '/' into pending components (empty ones dropped).
void push_components_front(std::deque<std::string>& pending, std::string_view path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) parts.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  // A trailing slash means "must be a directory": keep it as a final "."
  // so the component before it is resolved as a directory.
  if (!path.empty() && path.back() == '/') parts.emplace_back(".");
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) pending.push_front(std::move(*it));
}

// The portable walk: each component is looked at with fstatat(NOFOLLOW)
// and opened with O_NOFOLLOW, symlinks are expanded here (relative targets
// only), and `..` pops our own stack of opened directories, so the kernel
// never resolves more than one plain name at a time. A symlink swapped in
// after our check makes the O_NOFOLLOW open fail rather than escape.
Errno walk_open(int root_fd, std::string_view path, int flags, mode_t mode, UniqueFd& out) {
  const bool follow_final = !(flags & O_NOFOLLOW);
  std::deque<std::string> pending;
  push_components_front(pending, path);
  std::vector<UniqueFd> stack;  // directories below root, innermost last
  int follows = 0;
  auto current = [&] { return stack.empty() ? root_fd : stack.back().get(); };

  while (!pending.empty()) {
    std::string component = std::move(pending.front());
    pending.pop_front();
    if (component == ".") {
      if (!pending.empty()) continue;
      break;  // "x/." : open the current directory itself below
    }
    if (component == "..") {
      if (stack.empty()) return kNotCapable;
      stack.pop_back();
      if (pending.empty()) break;
      continue;
    }
    const bool is_last = pending.empty();
    struct stat st {};
    if (fstatat(current(), component.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      int err = errno;
      if (err == ENOENT && is_last && (flags & O_CREAT)) {
        int fd = openat(current(), component.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0) return host_error(errno);
        out.reset(fd);
        return kSuccess;
      }
      // "new/" with O_CREAT: open(2) says EISDIR (it would have to create
      // a directory), as openat2 does.
      if (err == ENOENT && (flags & O_CREAT) && pending.size() == 1 && pending.front() == "." &&
          path.back() == '/')
        return kIsDir;
      return host_error(err);
    }
    // O_CREAT|O_EXCL never follows a final symlink (EEXIST), as open(2).
    const bool exclusive_create = (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL);
    if (S_ISLNK(st.st_mode) && (!is_last || (follow_final && !exclusive_create))) {
      if (++follows > kMaxSymlinkFollows) return kLoop;
      std::string target(PATH_MAX, '\0');
      ssize_t n = readlinkat(current(), component.c_str(), target.data(), target.size());
      if (n < 0) return host_error(errno);
      target.resize(static_cast<size_t>(n));
      if (target.empty()) return kNoEnt;
      // Absolute targets (and magic links such as /proc/self/root, whose
      // readlink text is absolute) lead outside the jail.
      if (target.front() == '/') return kNotCapable;
      push_components_front(pending, target);
      continue;
    }
    if (!is_last) {
      int fd = openat(current(), component.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) return host_error(errno == ELOOP ? ENOTDIR : errno);
      stack.emplace_back(fd);
      continue;
    }
    int fd = openat(current(), component.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) return host_error(errno);
    out.reset(fd);
    return kSuccess;
  }
  // The path named a directory we already hold (".", "a/..", "a/b/").
  int fd = openat(current(), ".", (flags & ~(O_NOFOLLOW | O_CREAT | O_EXCL)) | O_CLOEXEC, mode);
  if (fd < 0) return host_error(errno);
  if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)) {
    ::close(fd);
    return kExist;
  }
  out.reset(fd);
  return kSuccess;
}

}  // namespace

Errno check_guest_path(std::string_view path) {
  if (path.empty()) return kNoEnt;
  if (path.find('\0') != std::string_view::npos) return kInval;
  if (path.front() == '/') return kNotCapable;
  if (path.size() >= PATH_MAX) return kNameTooLong;
  return kSuccess;
}

Errno jail_open(int root_fd, std::string_view path, int flags, mode_t mode, UniqueFd& out) {
  if (Errno e = check_guest_path(path); e != kSuccess) return e;
  if (use_openat2()) {
    std::string c_path(path);
    int fd = openat2_beneath(root_fd, c_path.c_str(), flags, mode);
    if (fd >= 0) {
      g_openat2_state.store(1, std::memory_order_relaxed);
      out.reset(fd);
      return kSuccess;
    }
    if (fd != -ENOSYS) return host_error(-fd);
    g_openat2_state.store(2, std::memory_order_relaxed);
  }
  return walk_open(root_fd, path, flags, mode, out);
}

Errno jail_open_parent(int root_fd, std::string_view path, Errno dot_error, UniqueFd& parent,
                       std::string& name, bool& trailing_slash) {
  if (Errno e = check_guest_path(path); e != kSuccess) return e;
  size_t end = path.size();
  while (end > 0 && path[end - 1] == '/') --end;
  trailing_slash = end < path.size();
  std::string_view trimmed = path.substr(0, end);
  size_t slash = trimmed.rfind('/');
  std::string_view last = slash == std::string_view::npos ? trimmed : trimmed.substr(slash + 1);
  std::string_view dir = slash == std::string_view::npos ? std::string_view(".") : trimmed.substr(0, slash);
  if (dir.empty()) dir = ".";
  if (last == "." || last == "..") {
    // Never hand "." or ".." to an *at() call: it would name the parent
    // directory itself (or the root's parent). Only say whether it exists.
    UniqueFd probe;
    if (Errno e = jail_open(root_fd, trimmed, O_PATH | O_DIRECTORY, 0, probe); e != kSuccess) return e;
    return dot_error;
  }
  if (Errno e = jail_open(root_fd, dir, O_PATH | O_DIRECTORY, 0, parent); e != kSuccess) return e;
  name.assign(last);
  return kSuccess;
}

FileType filetype_from_mode(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFBLK: return kBlockDevice;
    case S_IFCHR: return kCharacterDevice;
    case S_IFDIR: return kDirectory;
    case S_IFREG: return kRegularFile;
    case S_IFSOCK: return kSocketStream;
    case S_IFLNK: return kSymbolicLink;
    default: return kUnknown;  // FIFOs have no WASI filetype
  }
}

std::array<uint8_t, kFilestatSize> encode_filestat(const struct stat& st) {
  std::array<uint8_t, kFilestatSize> out{};
  auto put64 = [&](size_t at, uint64_t v) { std::memcpy(out.data() + at, &v, sizeof(v)); };
  auto nanos = [](const struct timespec& ts) {
    return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
  };
  put64(0, static_cast<uint64_t>(st.st_dev));
  put64(8, static_cast<uint64_t>(st.st_ino));
  out[16] = filetype_from_mode(st.st_mode);
  put64(24, static_cast<uint64_t>(st.st_nlink));
  put64(32, static_cast<uint64_t>(st.st_size));
  put64(40, nanos(st.st_atim));
  put64(48, nanos(st.st_mtim));
  put64(56, nanos(st.st_ctim));
  return out;
}

Errno timespecs_from_wasi(uint64_t atim, uint64_t mtim, uint32_t fst_flags, struct timespec times[2]) {
  constexpr uint32_t kAtim = 1, kAtimNow = 2, kMtim = 4, kMtimNow = 8;
  if (fst_flags & ~uint32_t{15}) return kInval;
  if ((fst_flags & kAtim) && (fst_flags & kAtimNow)) return kInval;
  if ((fst_flags & kMtim) && (fst_flags & kMtimNow)) return kInval;
  auto make = [](uint64_t ns, bool set, bool now) {
    struct timespec ts {};
    if (now) {
      ts.tv_nsec = UTIME_NOW;
    } else if (set) {
      ts.tv_sec = static_cast<time_t>(ns / 1'000'000'000ull);
      ts.tv_nsec = static_cast<long>(ns % 1'000'000'000ull);
    } else {
      ts.tv_nsec = UTIME_OMIT;
    }
    return ts;
  };
  times[0] = make(atim, fst_flags & kAtim, fst_flags & kAtimNow);
  times[1] = make(mtim, fst_flags & kMtim, fst_flags & kMtimNow);
  return kSuccess;
}

void jail_force_fallback_for_testing(bool force) {
  g_force_fallback.store(force, std::memory_order_relaxed);
}

bool jail_uses_openat2() {
  return use_openat2() && g_openat2_state.load(std::memory_order_relaxed) == 1;
}

}  // namespace wasmrt::wasi_detail
