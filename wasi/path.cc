// WASI path_* functions. Every path is resolved beneath the directory
// descriptor it is relative to (wasi/jail.h) and every operation is an
// *at() call on a descriptor obtained that way, with the last component
// never followed by the kernel unless it was resolved beneath too.
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "wasi/jail.h"
#include "wasi/rights.h"
#include "wasi/state.h"

namespace wasmrt::wasi_detail {
namespace {

constexpr uint32_t kLookupSymlinkFollow = 1;
constexpr uint32_t kOflagCreat = 1, kOflagDirectory = 2, kOflagExcl = 4, kOflagTrunc = 8;

Errno read_path(const GuestMemory& mem, int32_t ptr, int32_t len, std::string& out) {
  std::span<uint8_t> bytes = mem.range(static_cast<uint32_t>(ptr), static_cast<uint32_t>(len));
  if (bytes.data() == nullptr && len != 0) return kFault;
  out.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  return kSuccess;
}

// A directory descriptor that paths may be resolved beneath, holding the
// `needed` rights: EBADF, ENOTDIR, then ENOTCAPABLE.
Errno dir_entry(WasiState& st, int32_t fd, uint64_t needed, FdEntry*& out) {
  out = st.fds.get(static_cast<uint32_t>(fd));
  if (!out) return kBadf;
  if (out->kind != FdEntry::Kind::HostFd) return kNotDir;
  if (out->filetype != kDirectory) {
    struct stat s {};
    if (fstat(out->host_fd, &s) != 0 || !S_ISDIR(s.st_mode)) return kNotDir;
    out->filetype = kDirectory;
  }
  return rights::require(*out, needed);
}

// POSIX for a new name written "name/" (link, symlink): the name must
// already be a directory, so creating it fails: ENOENT when nothing is
// there, EEXIST when a directory is, ENOTDIR when something else is.
Errno trailing_slash_new_name(int parent, const std::string& name) {
  struct stat s {};
  if (fstatat(parent, name.c_str(), &s, AT_SYMLINK_NOFOLLOW) != 0) return errno_from_host(errno);
  if (S_ISDIR(s.st_mode)) return kExist;
  if (S_ISLNK(s.st_mode)) {
    struct stat target {};
    if (fstatat(parent, name.c_str(), &target, 0) == 0 && S_ISDIR(target.st_mode)) return kExist;
  }
  return kNotDir;
}

// The preopen an entry belongs to, for refusing cross-preopen moves.
bool jail_key(const FdEntry& e, uint64_t& dev, uint64_t& ino) {
  if (e.jail_dev != 0 || e.jail_ino != 0) {
    dev = e.jail_dev;
    ino = e.jail_ino;
    return true;
  }
  struct stat s {};
  if (!e.is_preopen || fstat(e.host_fd, &s) != 0) return false;
  dev = static_cast<uint64_t>(s.st_dev);
  ino = static_cast<uint64_t>(s.st_ino);
  return true;
}

bool same_jail(const FdEntry& a, const FdEntry& b) {
  uint64_t dev_a = 0, ino_a = 0, dev_b = 0, ino_b = 0;
  return jail_key(a, dev_a, ino_a) && jail_key(b, dev_b, ino_b) && dev_a == dev_b && ino_a == ino_b;
}

// The path of a descriptor we hold, for the few calls that have no
// "operate on this fd, following it" form (linkat, utimensat on O_PATH).
std::string fd_path(int fd) {
  return "/proc/self/fd/" + std::to_string(fd);
}

bool is_symlink_at(int dir, const std::string& name) {
  struct stat s {};
  return fstatat(dir, name.c_str(), &s, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(s.st_mode);
}

Errno path_open(WasiState& st, HostContext& ctx, int32_t fd, uint32_t dirflags, int32_t path_ptr,
                int32_t path_len, uint32_t oflags, uint64_t rights_base, uint64_t rights_inheriting,
                uint32_t fdflags, int32_t fd_out) {
  GuestMemory mem(ctx);
  FdEntry* dir = nullptr;
  if (Errno e = dir_entry(st, fd, rights::kPathOpen, dir); e != kSuccess) return e;
  std::string path;
  if (Errno e = read_path(mem, path_ptr, path_len, path); e != kSuccess) return e;
  if (!mem.in_bounds(static_cast<uint32_t>(fd_out), 4)) return kFault;
  if (oflags & ~uint32_t{15}) return kInval;
  if (fdflags & ~uint32_t{0x1f}) return kInval;
  const bool opens_directory = (oflags & kOflagDirectory) != 0;
  // A directory is neither created nor truncated by path_open (wasmtime).
  if (opens_directory && (oflags & (kOflagCreat | kOflagExcl | kOflagTrunc))) return kInval;

  // Rights of the directory the path is resolved beneath: creating is its
  // base right PATH_CREATE_FILE, the sync flags need FD_DATASYNC / FD_SYNC
  // in its inheriting rights. Truncating needs PATH_FILESTAT_SET_SIZE, or
  // FD_FILESTAT_SET_SIZE granted to the new descriptor: that one could
  // truncate the file right after opening anyway. (Go opens directories
  // without PATH_FILESTAT_SET_SIZE and then os.Root.WriteFile truncates
  // beneath them, asking FD_FILESTAT_SET_SIZE for the file.)
  if ((oflags & kOflagCreat) && !(dir->rights_base & rights::kPathCreateFile)) return kNotCapable;
  if ((oflags & kOflagTrunc) && !(dir->rights_base & rights::kPathFilestatSetSize) &&
      !(rights_base & dir->rights_inheriting & rights::kFdFilestatSetSize))
    return kNotCapable;
  if ((fdflags & kFdflagDsync) && !(dir->rights_inheriting & rights::kFdDatasync)) return kNotCapable;
  if ((fdflags & (kFdflagSync | kFdflagRsync)) && !(dir->rights_inheriting & rights::kFdSync))
    return kNotCapable;

  // A read-only preopen refuses an explicit request to write with EROFS,
  // as a read-only mount would (its rights would only have narrowed the
  // request to a read-only descriptor).
  const bool asks_write =
      (rights_base & rights::kFdWrite) || (oflags & (kOflagCreat | kOflagTrunc)) || (fdflags & kFdflagAppend);
  if (dir->read_only && asks_write && !opens_directory) return kRofs;

  // What the guest asked, within what the parent may pass on; the new
  // descriptor's type narrows it further below.
  const uint64_t base = rights_base & dir->rights_inheriting;
  const uint64_t inheriting = rights_inheriting & dir->rights_inheriting;
  // WASI has no access mode: it follows from the rights granted. FD_WRITE
  // (or trunc/append, which need a writable host fd) opens for writing;
  // FD_ALLOCATE or FD_FILESTAT_SET_SIZE alone do not (Go's read-only opens
  // ask for them and must work on a file of mode 0444): such a descriptor
  // keeps the right, and the host refuses the call (EBADF/EINVAL), as in
  // wasmtime.
  const bool write_access = (base & rights::kFdWrite) || (oflags & kOflagTrunc) || (fdflags & kFdflagAppend);
  const bool read_access = (base & (rights::kFdRead | rights::kFdReaddir)) || !write_access;

  int flags = O_NOCTTY;
  if (opens_directory) {
    // Write access to a directory is EISDIR (below, once the path is known
    // to be a directory: a file named with OFLAGS_DIRECTORY is ENOTDIR).
    flags |= O_RDONLY | O_DIRECTORY;
  } else if (write_access) {
    // The kernel answers EISDIR if this turns out to be a directory.
    flags |= read_access ? O_RDWR : O_WRONLY;
  } else {
    flags |= O_RDONLY;
  }
  if (oflags & kOflagCreat) flags |= O_CREAT;
  if (oflags & kOflagExcl) flags |= O_EXCL;
  if (oflags & kOflagTrunc) flags |= O_TRUNC;
  if (fdflags & kFdflagAppend) flags |= O_APPEND;
  if (fdflags & kFdflagDsync) flags |= O_DSYNC;
  if (fdflags & (kFdflagSync | kFdflagRsync)) flags |= O_SYNC;
  if (!(dirflags & kLookupSymlinkFollow)) flags |= O_NOFOLLOW;
  // Opening a FIFO blocks until the other end appears; open without
  // waiting and make the descriptor blocking again below. (Guest-side
  // non-blocking mode is emulated in fd.cc, never set on the host fd.)
  flags |= O_NONBLOCK;

  UniqueFd file;
  if (Errno e = jail_open(dir->host_fd, path, flags, 0666, file); e != kSuccess) return e;
  if (opens_directory && write_access) return kIsDir;
  struct stat s {};
  if (fstat(file.get(), &s) != 0) return errno_from_host(errno);
  if (!S_ISREG(s.st_mode) && !S_ISDIR(s.st_mode)) {
    int host_flags = fcntl(file.get(), F_GETFL);
    if (host_flags < 0 || fcntl(file.get(), F_SETFL, host_flags & ~O_NONBLOCK) != 0)
      return errno_from_host(errno);
  }

  FdEntry entry;
  entry.kind = FdEntry::Kind::HostFd;
  entry.filetype = filetype_from_mode(s.st_mode);
  const rights::TypeRights supported = rights::type_rights(entry.filetype);
  entry.rights_base = base & supported.base;
  entry.rights_inheriting = inheriting & supported.inheriting;
  rights::grant_device_position(entry, isatty(file.get()) != 0, base);
  entry.fdflags = static_cast<uint16_t>(fdflags);
  entry.read_only = dir->read_only;
  jail_key(*dir, entry.jail_dev, entry.jail_ino);
  entry.host_fd = file.release();
  uint32_t guest_fd = 0;
  if (Errno e = st.fds.insert(std::move(entry), guest_fd); e != kSuccess)
    return e;  // host fd closed by insert
  mem.store(static_cast<uint32_t>(fd_out), guest_fd);
  return kSuccess;
}

Errno path_filestat_get(WasiState& st, HostContext& ctx, int32_t fd, uint32_t flags, int32_t path_ptr,
                        int32_t path_len, int32_t out_ptr) {
  GuestMemory mem(ctx);
  FdEntry* dir = nullptr;
  if (Errno e = dir_entry(st, fd, rights::kPathFilestatGet, dir); e != kSuccess) return e;
  std::string path;
  if (Errno e = read_path(mem, path_ptr, path_len, path); e != kSuccess) return e;
  UniqueFd target;
  int open_flags = O_PATH | ((flags & kLookupSymlinkFollow) ? 0 : O_NOFOLLOW);
  if (Errno e = jail_open(dir->host_fd, path, open_flags, 0, target); e != kSuccess) return e;
  struct stat s {};
  if (fstat(target.get(), &s) != 0) return errno_from_host(errno);
  auto out = encode_filestat(s);
  std::span<uint8_t> dst = mem.range(static_cast<uint32_t>(out_ptr), out.size());
  if (dst.data() == nullptr) return kFault;
  std::memcpy(dst.data(), out.data(), out.size());
  return kSuccess;
}

Errno path_filestat_set_times(WasiState& st, HostContext& ctx, int32_t fd, uint32_t flags, int32_t path_ptr,
                              int32_t path_len, uint64_t atim, uint64_t mtim, uint32_t fst_flags) {
  GuestMemory mem(ctx);
  FdEntry* dir = nullptr;
  if (Errno e = dir_entry(st, fd, rights::kPathFilestatSetTimes, dir); e != kSuccess) return e;
  std::string path;
  if (Errno e = read_path(mem, path_ptr, path_len, path); e != kSuccess) return e;
  struct timespec times[2];
  if (Errno e = timespecs_from_wasi(atim, mtim, fst_flags, times); e != kSuccess) return e;
  if (dir->read_only) return kRofs;
  UniqueFd parent;
  std::string name;
  bool trailing_slash = false;
  Errno e = jail_open_parent(dir->host_fd, path, kSuccess, parent, name, trailing_slash);
  if (e != kSuccess) return e;
  if (name.empty() || trailing_slash ||
      ((flags & kLookupSymlinkFollow) && is_symlink_at(parent.get(), name))) {
    // Follow beneath the jail ourselves, then touch the object we hold.
    UniqueFd target;
    if (Errno oe = jail_open(dir->host_fd, path, O_PATH, 0, target); oe != kSuccess) return oe;
    if (utimensat(AT_FDCWD, fd_path(target.get()).c_str(), times, 0) != 0) return errno_from_host(errno);
    return kSuccess;
  }
  // A name swapped for a symlink after our check is only touched itself.
  if (utimensat(parent.get(), name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) return errno_from_host(errno);
  return kSuccess;
}

// The directory holding a path's last component, for name operations.
struct NameAt {
  UniqueFd parent;
  std::string name;
  bool trailing_slash = false;
};

Errno resolve_name(const FdEntry& dir, const std::string& path, Errno dot_error, NameAt& out) {
  return jail_open_parent(dir.host_fd, path, dot_error, out.parent, out.name, out.trailing_slash);
}

// The operand of path_create_directory / remove_directory / unlink_file:
// a name to change, in a writable preopen, through a directory holding
// the `needed` right, its parent opened beneath the jail (`dot_errno`:
// what "." or ".." as the last component means).
Errno mutable_name(WasiState& st, HostContext& ctx, int32_t fd, uint64_t needed, int32_t path_ptr, int32_t path_len,
                   Errno dot_errno, NameAt& at) {
  GuestMemory mem(ctx);
  FdEntry* dir = nullptr;
  if (Errno e = dir_entry(st, fd, needed, dir); e != kSuccess) return e;
  std::string path;
  if (Errno e = read_path(mem, path_ptr, path_len, path); e != kSuccess) return e;
  if (dir->read_only) return kRofs;
  return resolve_name(*dir, path, dot_errno, at);
}

Errno path_create_directory(WasiState& st, HostContext& ctx, int32_t fd, int32_t path_ptr, int32_t path_len) {
  NameAt at;
  if (Errno e = mutable_name(st, ctx, fd, rights::kPathCreateDirectory, path_ptr, path_len, kExist, at); e != kSuccess) return e;
  if (mkdirat(at.parent.get(), at.name.c_str(), 0777) != 0) return errno_from_host(errno);
  return kSuccess;
}

Errno path_remove_directory(WasiState& st, HostContext& ctx, int32_t fd, int32_t path_ptr, int32_t path_len) {
  NameAt at;
  if (Errno e = mutable_name(st, ctx, fd, rights::kPathRemoveDirectory, path_ptr, path_len, kInval, at); e != kSuccess) return e;
  if (unlinkat(at.parent.get(), at.name.c_str(), AT_REMOVEDIR) != 0) return errno_from_host(errno);
  return kSuccess;
}

Errno path_unlink_file(WasiState& st, HostContext& ctx, int32_t fd, int32_t path_ptr, int32_t path_len) {
  NameAt at;
  if (Errno e = mutable_name(st, ctx, fd, rights::kPathUnlinkFile, path_ptr, path_len, kIsDir, at); e != kSuccess) return e;
  if (at.trailing_slash) {
    // "name/" names a directory, which unlink never removes.
    struct stat s {};
    if (fstatat(at.parent.get(), at.name.c_str(), &s, 0) != 0) return errno_from_host(errno);
    return S_ISDIR(s.st_mode) ? kIsDir : kNotDir;
  }
  if (unlinkat(at.parent.get(), at.name.c_str(), 0) != 0) return errno_from_host(errno);
  return kSuccess;
}

Errno path_readlink(WasiState& st, HostContext& ctx, int32_t fd, int32_t path_ptr, int32_t path_len,
                    int32_t buf, int32_t buf_len, int32_t bufused_ptr) {
  GuestMemory mem(ctx);
  FdEntry* dir = nullptr;
  if (Errno e = dir_entry(st, fd, rights::kPathReadlink, dir); e != kSuccess) return e;
  std::string path;
  if (Errno e = read_path(mem, path_ptr, path_len, path); e != kSuccess) return e;
  std::span<uint8_t> out = mem.range(static_cast<uint32_t>(buf), static_cast<uint32_t>(buf_len));
  if (out.data() == nullptr && buf_len != 0) return kFault;
  if (!mem.in_bounds(static_cast<uint32_t>(bufused_ptr), 4)) return kFault;
  NameAt at;
  if (Errno e = resolve_name(*dir, path, kInval, at); e != kSuccess) return e;
  if (at.trailing_slash) {
    // "link/" names what the link leads to, which is no symlink: EINVAL
    // for a directory, ENOTDIR (or ENOENT) otherwise, as readlink(2).
    UniqueFd target;
    if (Errno e = jail_open(dir->host_fd, path, O_PATH, 0, target); e != kSuccess) return e;
    return kInval;
  }
  std::string target(PATH_MAX, '\0');
  ssize_t n = readlinkat(at.parent.get(), at.name.c_str(), target.data(), target.size());
  if (n < 0) return errno_from_host(errno);
  // Truncated like readlink(2); Go grows its buffer while the result fills it.
  size_t copy = std::min(static_cast<size_t>(n), out.size());
  if (copy) std::memcpy(out.data(), target.data(), copy);
  mem.store(static_cast<uint32_t>(bufused_ptr), static_cast<uint32_t>(copy));
  return kSuccess;
}

Errno path_symlink(WasiState& st, HostContext& ctx, int32_t old_ptr, int32_t old_len, int32_t fd,
                   int32_t new_ptr, int32_t new_len) {
  GuestMemory mem(ctx);
  FdEntry* dir = nullptr;
  if (Errno e = dir_entry(st, fd, rights::kPathSymlink, dir); e != kSuccess) return e;
  std::string target, path;
  if (Errno e = read_path(mem, old_ptr, old_len, target); e != kSuccess) return e;
  if (Errno e = read_path(mem, new_ptr, new_len, path); e != kSuccess) return e;
  if (dir->read_only) return kRofs;
  if (target.empty()) return kNoEnt;
  if (target.find('\0') != std::string::npos) return kInval;
  // An absolute target can only ever point outside the jail (lookups
  // refuse to follow it anyway); don't plant it for host tools to follow.
  if (target.front() == '/') return kNotCapable;
  NameAt at;
  if (Errno e = resolve_name(*dir, path, kExist, at); e != kSuccess) return e;
  if (at.trailing_slash) return trailing_slash_new_name(at.parent.get(), at.name);
  if (symlinkat(target.c_str(), at.parent.get(), at.name.c_str()) != 0) return errno_from_host(errno);
  return kSuccess;
}

// The operands of path_link and path_rename: two (directory fd, path)
// pairs, each directory holding its right, that must lie in one jail,
// neither read-only.
struct PathOperand {
  int32_t fd, ptr, len;
  uint64_t needed;
};
Errno two_path_operands(WasiState& st, HostContext& ctx, PathOperand from, PathOperand to, FdEntry*& old_dir,
                        std::string& old_path, FdEntry*& new_dir, std::string& new_path) {
  GuestMemory mem(ctx);
  if (Errno e = dir_entry(st, from.fd, from.needed, old_dir); e != kSuccess) return e;
  if (Errno e = dir_entry(st, to.fd, to.needed, new_dir); e != kSuccess) return e;
  if (Errno e = read_path(mem, from.ptr, from.len, old_path); e != kSuccess) return e;
  if (Errno e = read_path(mem, to.ptr, to.len, new_path); e != kSuccess) return e;
  if (!same_jail(*old_dir, *new_dir)) return kXdev;
  if (old_dir->read_only || new_dir->read_only) return kRofs;
  return kSuccess;
}

Errno path_link(WasiState& st, HostContext& ctx, int32_t old_fd, uint32_t old_flags, int32_t old_ptr,
                int32_t old_len, int32_t new_fd, int32_t new_ptr, int32_t new_len) {
  FdEntry* old_dir = nullptr;
  FdEntry* new_dir = nullptr;
  std::string old_path, new_path;
  if (Errno e = two_path_operands(st, ctx, {old_fd, old_ptr, old_len, rights::kPathLinkSource},
                                  {new_fd, new_ptr, new_len, rights::kPathLinkTarget}, old_dir, old_path, new_dir,
                                  new_path);
      e != kSuccess)
    return e;
  NameAt from, to;
  if (Errno e = resolve_name(*old_dir, old_path, kPerm, from); e != kSuccess) return e;
  if (Errno e = resolve_name(*new_dir, new_path, kExist, to); e != kSuccess) return e;
  if (from.trailing_slash) {
    // "file/" must be a directory, and a directory is never hard-linked.
    struct stat s {};
    if (fstatat(from.parent.get(), from.name.c_str(), &s, 0) != 0) return errno_from_host(errno);
    return S_ISDIR(s.st_mode) ? kPerm : kNotDir;
  }
  if (to.trailing_slash) return trailing_slash_new_name(to.parent.get(), to.name);
  if ((old_flags & kLookupSymlinkFollow) && is_symlink_at(from.parent.get(), from.name)) {
    // Follow the symlink beneath the jail, then link what we hold.
    UniqueFd target;
    if (Errno e = jail_open(old_dir->host_fd, old_path, O_PATH, 0, target); e != kSuccess) return e;
    if (linkat(AT_FDCWD, fd_path(target.get()).c_str(), to.parent.get(), to.name.c_str(),
               AT_SYMLINK_FOLLOW) != 0)
      return errno_from_host(errno);
    return kSuccess;
  }
  if (linkat(from.parent.get(), from.name.c_str(), to.parent.get(), to.name.c_str(), 0) != 0)
    return errno_from_host(errno);
  return kSuccess;
}

Errno path_rename(WasiState& st, HostContext& ctx, int32_t old_fd, int32_t old_ptr, int32_t old_len,
                  int32_t new_fd, int32_t new_ptr, int32_t new_len) {
  FdEntry* old_dir = nullptr;
  FdEntry* new_dir = nullptr;
  std::string old_path, new_path;
  if (Errno e = two_path_operands(st, ctx, {old_fd, old_ptr, old_len, rights::kPathRenameSource},
                                  {new_fd, new_ptr, new_len, rights::kPathRenameTarget}, old_dir, old_path, new_dir,
                                  new_path);
      e != kSuccess)
    return e;
  NameAt from, to;
  if (Errno e = resolve_name(*old_dir, old_path, kBusy, from); e != kSuccess) return e;
  if (Errno e = resolve_name(*new_dir, new_path, kBusy, to); e != kSuccess) return e;
  if (from.trailing_slash || to.trailing_slash) {
    struct stat s {};
    if (fstatat(from.parent.get(), from.name.c_str(), &s, AT_SYMLINK_NOFOLLOW) != 0)
      return errno_from_host(errno);
    if (!S_ISDIR(s.st_mode)) return kNotDir;
  }
  if (renameat(from.parent.get(), from.name.c_str(), to.parent.get(), to.name.c_str()) != 0)
    return errno_from_host(errno);
  return kSuccess;
}

}  // namespace

void define_path(Linker& linker, const StatePtr& state) {
  auto def = [&](const char* name, auto fn) { linker.define(kModule, name, fn); };
  def("path_create_directory", [state](HostContext& ctx, int32_t fd, int32_t path, int32_t len) -> int32_t {
    return path_create_directory(*state, ctx, fd, path, len);
  });
  def("path_filestat_get",
      [state](HostContext& ctx, int32_t fd, int32_t flags, int32_t path, int32_t len,
              int32_t out) -> int32_t {
        return path_filestat_get(*state, ctx, fd, static_cast<uint32_t>(flags), path, len, out);
      });
  def("path_filestat_set_times",
      [state](HostContext& ctx, int32_t fd, int32_t flags, int32_t path, int32_t len, uint64_t atim,
              uint64_t mtim, int32_t fst_flags) -> int32_t {
        return path_filestat_set_times(*state, ctx, fd, static_cast<uint32_t>(flags), path, len, atim, mtim,
                                       static_cast<uint32_t>(fst_flags));
      });
  def("path_link",
      [state](HostContext& ctx, int32_t old_fd, int32_t old_flags, int32_t old_path, int32_t old_len,
              int32_t new_fd, int32_t new_path, int32_t new_len) -> int32_t {
        return path_link(*state, ctx, old_fd, static_cast<uint32_t>(old_flags), old_path, old_len, new_fd,
                         new_path, new_len);
      });
  def("path_open",
      [state](HostContext& ctx, int32_t fd, int32_t dirflags, int32_t path, int32_t len, int32_t oflags,
              uint64_t rights_base, uint64_t rights_inheriting, int32_t fdflags, int32_t fd_out) -> int32_t {
        return path_open(*state, ctx, fd, static_cast<uint32_t>(dirflags), path, len,
                         static_cast<uint32_t>(oflags), rights_base, rights_inheriting,
                         static_cast<uint32_t>(fdflags), fd_out);
      });
  def("path_readlink",
      [state](HostContext& ctx, int32_t fd, int32_t path, int32_t len, int32_t buf, int32_t buf_len,
              int32_t bufused) -> int32_t {
        return path_readlink(*state, ctx, fd, path, len, buf, buf_len, bufused);
      });
  def("path_remove_directory", [state](HostContext& ctx, int32_t fd, int32_t path, int32_t len) -> int32_t {
    return path_remove_directory(*state, ctx, fd, path, len);
  });
  def("path_rename",
      [state](HostContext& ctx, int32_t fd, int32_t old_path, int32_t old_len, int32_t new_fd,
              int32_t new_path, int32_t new_len) -> int32_t {
        return path_rename(*state, ctx, fd, old_path, old_len, new_fd, new_path, new_len);
      });
  def("path_symlink",
      [state](HostContext& ctx, int32_t old_path, int32_t old_len, int32_t fd, int32_t new_path,
              int32_t new_len) -> int32_t {
        return path_symlink(*state, ctx, old_path, old_len, fd, new_path, new_len);
      });
  def("path_unlink_file", [state](HostContext& ctx, int32_t fd, int32_t path, int32_t len) -> int32_t {
    return path_unlink_file(*state, ctx, fd, path, len);
  });
}

}  // namespace wasmrt::wasi_detail
