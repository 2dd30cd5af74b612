// WASI fd_* functions: reads and writes on every kind of descriptor, seek,
// stat, readdir, preopen discovery.
//
// Non-blocking mode (FDFLAGS_NONBLOCK) is kept per guest descriptor and
// emulated with poll(2) rather than set with fcntl on the host fd: stdio
// descriptors share their open file description with the host process (and
// its terminal), and O_NONBLOCK set there would outlive the guest and leak
// into the host. A read on a non-blocking descriptor with no data returns
// EAGAIN; a blocking one waits in poll together with the call's interrupt
// fd, so cancellation wakes it. Writes block until done (Go's runtime
// treats any fd_write error on stderr as fatal), except on sockets the
// guest made non-blocking.
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <vector>

#include "wasi/jail.h"
#include "wasi/rights.h"
#include "wasi/state.h"

namespace wasmrt::wasi_detail {

struct DirListing {
  struct Entry {
    uint64_t ino;
    FileType type;
    std::string name;
  };
  std::vector<Entry> entries;
};

namespace {

constexpr size_t kDirentHeaderSize = 24;

bool is_socket(const FdEntry& e) {
  return e.filetype == kSocketStream || e.filetype == kSocketDgram;
}
bool always_ready(const FdEntry& e) {
  return e.filetype == kRegularFile || e.filetype == kDirectory;
}
// Has a file position (fd_seek, fd_tell, fd_pread, fd_pwrite): files, and
// character devices that are not terminals (the null stream among them).
// Other streams answer ESPIPE, as lseek(2) does; directories EBADF
// (fd_seek).
bool seekable(const FdEntry& e) {
  if (e.kind == FdEntry::Kind::NullStream) return true;
  return e.kind == FdEntry::Kind::HostFd &&
         (e.filetype == kRegularFile || e.filetype == kBlockDevice || e.positioned_device);
}

// Guest iovec arrays ({buf u32, len u32} each) as host iovecs into memory.
Errno load_iovecs(const GuestMemory& mem, uint32_t iovs, uint32_t count, std::vector<iovec>& out,
                  size_t& total) {
  if (count > IOV_MAX) return kInval;
  out.clear();
  total = 0;
  out.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t buf = 0, len = 0;
    uint64_t at = uint64_t{iovs} + uint64_t{i} * 8;
    if (!mem.load(at, buf) || !mem.load(at + 4, len)) return kFault;
    std::span<uint8_t> bytes = mem.range(buf, len);
    if (bytes.data() == nullptr && len != 0) return kFault;
    if (len == 0) continue;
    if (total + len > size_t{SSIZE_MAX}) return kInval;
    out.push_back({bytes.data(), len});
    total += len;
  }
  return kSuccess;
}

// Waits until `fd` is ready for `events`; kIntr once the call is
// interrupted (the call then traps as soon as we return).
Errno wait_ready(HostContext& ctx, int fd, short events) {
  const int wake = ctx.interrupt_fd();
  for (;;) {
    if (ctx.interrupted()) return kIntr;
    pollfd fds[2] = {{fd, events, 0}, {wake, POLLIN, 0}};
    // Without an interrupt fd, wake up now and then to check the flag.
    int timeout_ms = wake >= 0 ? -1 : 50;
    int n = poll(fds, wake >= 0 ? 2 : 1, timeout_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_from_host(errno);
    }
    if (fds[0].revents != 0) return kSuccess;
  }
}

bool ready_now(int fd, short events) {
  pollfd p{fd, events, 0};
  return poll(&p, 1, 0) > 0 && p.revents != 0;
}

// readv/preadv or writev/pwritev on a host descriptor with the blocking
// rules above. Writes block even on a non-blocking fd (Go's runtime treats a
// failed stderr write as fatal), except on sockets the guest made
// non-blocking.
enum class Direction { Read, Write };
Errno host_transfer(HostContext& ctx, FdEntry& e, const std::vector<iovec>& iov, const int64_t* offset,
                    Direction direction, size_t& n_out) {
  n_out = 0;
  if (iov.empty()) return kSuccess;
  const bool reading = direction == Direction::Read;
  const short events = reading ? POLLIN : POLLOUT;
  const bool nonblocking = (e.fdflags & kFdflagNonblock) != 0 && (reading || is_socket(e));
  const bool quick = always_ready(e) || offset != nullptr;
  if (!quick) {
    if (nonblocking) {
      if (!ready_now(e.host_fd, events)) return kAgain;
    } else if (Errno w = wait_ready(ctx, e.host_fd, events); w != kSuccess) {
      return w;
    }
  }
  const int count = static_cast<int>(iov.size());
  for (;;) {
    ssize_t n = reading ? (offset ? preadv(e.host_fd, iov.data(), count, *offset) : readv(e.host_fd, iov.data(), count))
                        : (offset ? pwritev(e.host_fd, iov.data(), count, *offset)
                                  : writev(e.host_fd, iov.data(), count));
    if (n >= 0) {
      n_out = static_cast<size_t>(n);
      return kSuccess;
    }
    int err = errno;
    if (err == EINTR) continue;
    // A host fd that is non-blocking underneath while the guest asked for
    // blocking I/O: wait, never report "0 bytes" (for a read that means EOF).
    if ((err == EAGAIN || err == EWOULDBLOCK) && !nonblocking) {
      if (Errno w = wait_ready(ctx, e.host_fd, events); w != kSuccess) return w;
      continue;
    }
    return errno_from_host(err);
  }
}

Errno do_read(HostContext& ctx, WasiState& st, int32_t fd, int32_t iovs, int32_t iovs_len,
              const int64_t* offset, int32_t nread_ptr) {
  GuestMemory mem(ctx);
  FdEntry* e = st.fds.get(static_cast<uint32_t>(fd));
  if (!e) return kBadf;
  // The descriptor's type first (what read(2) would say), then its rights.
  if (e->kind == FdEntry::Kind::HostFd && e->filetype == kDirectory) return kIsDir;
  if (e->kind == FdEntry::Kind::BufferOutput) return kBadf;
  if (offset && !seekable(*e)) return kSpipe;
  if (Errno err = rights::require(*e, offset ? rights::kFdRead | rights::kFdSeek : rights::kFdRead); err != kSuccess)
    return err;
  std::vector<iovec> iov;
  size_t total = 0;
  if (Errno err = load_iovecs(mem, static_cast<uint32_t>(iovs), static_cast<uint32_t>(iovs_len), iov, total);
      err != kSuccess)
    return err;
  if (!mem.in_bounds(static_cast<uint32_t>(nread_ptr), 4)) return kFault;
  size_t n = 0;
  switch (e->kind) {
    case FdEntry::Kind::HostFd:
      if (Errno err = host_transfer(ctx, *e, iov, offset, Direction::Read, n); err != kSuccess) return err;
      break;
    case FdEntry::Kind::NullStream:
      if (offset) return kSpipe;
      break;  // end of file
    case FdEntry::Kind::BufferInput: {
      if (offset) return kSpipe;
      const std::string& buf = e->buffer ? *e->buffer : std::string();
      size_t pos = std::min(e->read_pos, buf.size());
      for (const iovec& v : iov) {
        size_t take = std::min(v.iov_len, buf.size() - pos);
        std::memcpy(v.iov_base, buf.data() + pos, take);
        pos += take;
        n += take;
        if (take < v.iov_len) break;
      }
      e->read_pos = pos;
      break;
    }
    case FdEntry::Kind::BufferOutput: return kBadf;
  }
  mem.store(static_cast<uint32_t>(nread_ptr), static_cast<uint32_t>(n));
  return kSuccess;
}

Errno do_write(HostContext& ctx, WasiState& st, int32_t fd, int32_t iovs, int32_t iovs_len,
               const int64_t* offset, int32_t nwritten_ptr) {
  GuestMemory mem(ctx);
  FdEntry* e = st.fds.get(static_cast<uint32_t>(fd));
  if (!e) return kBadf;
  if (e->kind == FdEntry::Kind::HostFd && e->filetype == kDirectory) return kIsDir;
  if (e->kind == FdEntry::Kind::BufferInput) return kBadf;
  if (offset && !seekable(*e)) return kSpipe;
  if (Errno err = rights::require(*e, offset ? rights::kFdWrite | rights::kFdSeek : rights::kFdWrite);
      err != kSuccess)
    return err;
  if (e->read_only) return kNotCapable;
  std::vector<iovec> iov;
  size_t total = 0;
  if (Errno err = load_iovecs(mem, static_cast<uint32_t>(iovs), static_cast<uint32_t>(iovs_len), iov, total);
      err != kSuccess)
    return err;
  if (!mem.in_bounds(static_cast<uint32_t>(nwritten_ptr), 4)) return kFault;
  size_t n = 0;
  switch (e->kind) {
    case FdEntry::Kind::HostFd:
      if (Errno err = host_transfer(ctx, *e, iov, offset, Direction::Write, n); err != kSuccess) return err;
      break;
    case FdEntry::Kind::NullStream:
      if (offset) return kSpipe;
      n = total;
      break;
    case FdEntry::Kind::BufferOutput:
      if (offset) return kSpipe;
      if (e->buffer) {
        for (const iovec& v : iov) e->buffer->append(static_cast<const char*>(v.iov_base), v.iov_len);
      }
      n = total;
      break;
    case FdEntry::Kind::BufferInput: return kBadf;
  }
  mem.store(static_cast<uint32_t>(nwritten_ptr), static_cast<uint32_t>(n));
  return kSuccess;
}

// Reads the whole directory through a fresh descriptor (its own offset:
// the guest's fd is left alone), "." and ".." included.
Errno read_listing(int dir_fd, DirListing& out) {
  int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_from_host(errno);
  DIR* dir = fdopendir(fd);
  if (!dir) {
    int err = errno;
    ::close(fd);
    return errno_from_host(err);
  }
  out.entries.clear();
  for (;;) {
    errno = 0;
    dirent* d = readdir(dir);
    if (!d) {
      int err = errno;
      closedir(dir);
      return err ? errno_from_host(err) : kSuccess;
    }
    FileType type = kUnknown;
    switch (d->d_type) {
      case DT_BLK: type = kBlockDevice; break;
      case DT_CHR: type = kCharacterDevice; break;
      case DT_DIR: type = kDirectory; break;
      case DT_REG: type = kRegularFile; break;
      case DT_LNK: type = kSymbolicLink; break;
      case DT_SOCK: type = kSocketStream; break;
      case DT_UNKNOWN: {
        struct stat st {};
        if (fstatat(dirfd(dir), d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
          type = filetype_from_mode(st.st_mode);
        break;
      }
      default: break;
    }
    out.entries.push_back({static_cast<uint64_t>(d->d_ino), type, d->d_name});
  }
}

Errno fd_readdir(WasiState& st, HostContext& ctx, int32_t fd, int32_t buf, int32_t buf_len, uint64_t cookie,
                 int32_t bufused_ptr) {
  GuestMemory mem(ctx);
  FdEntry* e = st.fds.get(static_cast<uint32_t>(fd));
  if (!e) return kBadf;
  if (e->kind != FdEntry::Kind::HostFd) return kNotDir;
  if (e->filetype != kDirectory) {
    struct stat s {};
    if (fstat(e->host_fd, &s) != 0 || !S_ISDIR(s.st_mode)) return kNotDir;
    e->filetype = kDirectory;
  }
  if (Errno err = rights::require(*e, rights::kFdReaddir); err != kSuccess) return err;
  std::span<uint8_t> out = mem.range(static_cast<uint32_t>(buf), static_cast<uint32_t>(buf_len));
  if (out.data() == nullptr && buf_len != 0) return kFault;
  if (!mem.in_bounds(static_cast<uint32_t>(bufused_ptr), 4)) return kFault;
  // Cookie 0 starts over and re-reads; any later cookie indexes the same
  // snapshot, so entries are neither skipped nor repeated across calls.
  if (cookie == 0 || !e->dir_listing) {
    auto listing = std::make_shared<DirListing>();
    if (Errno err = read_listing(e->host_fd, *listing); err != kSuccess) return err;
    e->dir_listing = std::move(listing);
  }
  const auto& entries = e->dir_listing->entries;
  size_t used = 0;
  for (uint64_t i = cookie; i < entries.size() && used < out.size(); ++i) {
    const DirListing::Entry& entry = entries[i];
    uint8_t header[kDirentHeaderSize] = {};
    uint64_t next = i + 1;
    uint32_t namlen = static_cast<uint32_t>(entry.name.size());
    std::memcpy(header, &next, 8);
    std::memcpy(header + 8, &entry.ino, 8);
    std::memcpy(header + 16, &namlen, 4);
    header[20] = entry.type;
    // A last entry that does not fit is cut off so the buffer is exactly
    // full: that is how the guest knows to call again.
    size_t take = std::min(kDirentHeaderSize, out.size() - used);
    std::memcpy(out.data() + used, header, take);
    used += take;
    take = std::min(entry.name.size(), out.size() - used);
    std::memcpy(out.data() + used, entry.name.data(), take);
    used += take;
  }
  mem.store(static_cast<uint32_t>(bufused_ptr), static_cast<uint32_t>(used));
  return kSuccess;
}

Errno fd_fdstat_get(WasiState& st, HostContext& ctx, int32_t fd, int32_t out_ptr) {
  GuestMemory mem(ctx);
  FdEntry* e = st.fds.get(static_cast<uint32_t>(fd));
  if (!e) return kBadf;
  uint8_t out[24] = {};
  FileType type = e->filetype;
  uint16_t flags = e->fdflags;
  if (e->kind == FdEntry::Kind::HostFd) {
    struct stat s {};
    if (fstat(e->host_fd, &s) == 0 && filetype_from_mode(s.st_mode) != kUnknown) {
      type = filetype_from_mode(s.st_mode);
      // Keep the socket kind the entry was created with (datagram).
      if (type == kSocketStream && e->filetype == kSocketDgram) type = kSocketDgram;
    }
    int host_flags = fcntl(e->host_fd, F_GETFL);
    if (host_flags >= 0 && (host_flags & O_APPEND)) flags |= kFdflagAppend;
  }
  out[0] = type;
  std::memcpy(out + 2, &flags, 2);
  std::memcpy(out + 8, &e->rights_base, 8);
  std::memcpy(out + 16, &e->rights_inheriting, 8);
  std::span<uint8_t> dst = mem.range(static_cast<uint32_t>(out_ptr), sizeof(out));
  if (dst.data() == nullptr) return kFault;
  std::memcpy(dst.data(), out, sizeof(out));
  return kSuccess;
}

Errno fd_fdstat_set_flags(WasiState& st, int32_t fd, uint32_t flags) {
  FdEntry* e = st.fds.get(static_cast<uint32_t>(fd));
  if (!e) return kBadf;
  if (Errno err = rights::require(*e, rights::kFdFdstatSetFlags); err != kSuccess) return err;
  if (flags & ~uint32_t{0x1f}) return kInval;
  if (e->kind == FdEntry::Kind::HostFd) {
    const bool want_append = flags & kFdflagAppend;
    if (want_append && e->read_only) return kNotCapable;
    int host_flags = fcntl(e->host_fd, F_GETFL);
    if (host_flags < 0) return errno_from_host(errno);
    int wanted = want_append ? (host_flags | O_APPEND) : (host_flags & ~O_APPEND);
    if (wanted != host_flags && fcntl(e->host_fd, F_SETFL, wanted) != 0) return errno_from_host(errno);
  }
  // NONBLOCK is emulated (see the top of this file); the sync flags cannot
  // change on Linux after open, so they are only remembered.
  e->fdflags = static_cast<uint16_t>(flags);
  return kSuccess;
}

Errno fd_filestat_get(WasiState& st, HostContext& ctx, int32_t fd, int32_t out_ptr) {
  GuestMemory mem(ctx);
  FdEntry* e = st.fds.get(static_cast<uint32_t>(fd));
  if (!e) return kBadf;
  if (Errno err = rights::require(*e, rights::kFdFilestatGet); err != kSuccess) return err;
  std::array<uint8_t, kFilestatSize> out{};
  if (e->kind == FdEntry::Kind::HostFd) {
    struct stat s {};
    if (fstat(e->host_fd, &s) != 0) return errno_from_host(errno);
    out = encode_filestat(s);
    if (out[16] == kSocketStream && e->filetype == kSocketDgram) out[16] = kSocketDgram;
  } else {
    out[16] = e->filetype;
    uint64_t nlink = 1;
    std::memcpy(out.data() + 24, &nlink, 8);
  }
  std::span<uint8_t> dst = mem.range(static_cast<uint32_t>(out_ptr), out.size());
  if (dst.data() == nullptr) return kFault;
  std::memcpy(dst.data(), out.data(), out.size());
  return kSuccess;
}

// The entry for a host-fd operation that needs `needed` rights, or the
// error to return: EBADF, then ENOTCAPABLE (a missing right, or a mutation
// in a read-only preopen), then ESPIPE for stdio that is not a host fd.
Errno host_entry(WasiState& st, int32_t fd, uint64_t needed, bool mutates, FdEntry*& out) {
  out = st.fds.get(static_cast<uint32_t>(fd));
  if (!out) return kBadf;
  if (Errno err = rights::require(*out, needed); err != kSuccess) return err;
  if (mutates && out->read_only) return kNotCapable;
  if (out->kind != FdEntry::Kind::HostFd) return kSpipe;  // stdio that is not a host descriptor
  return kSuccess;
}

Errno fd_seek(WasiState& st, HostContext& ctx, int32_t fd, int64_t offset, uint32_t whence, int32_t out_ptr) {
  GuestMemory mem(ctx);
  FdEntry* e = st.fds.get(static_cast<uint32_t>(fd));
  if (!e) return kBadf;
  // A directory has no position (wasmtime: EBADF); a stream cannot seek.
  if (e->kind == FdEntry::Kind::HostFd && e->filetype == kDirectory) return kBadf;
  if (!seekable(*e)) return kSpipe;
  // Asking where we are needs only FD_TELL (rights.h).
  const bool tell_only = whence == 1 && offset == 0;
  if (e->kind == FdEntry::Kind::NullStream) {
    // Like lseek(2) on /dev/null: any valid request succeeds at 0.
    if (Errno err = rights::require(*e, tell_only ? rights::kFdTell : rights::kFdSeek); err != kSuccess) return err;
    if (whence > 2) return kInval;
    if (!mem.in_bounds(static_cast<uint32_t>(out_ptr), 8)) return kFault;
    mem.store(static_cast<uint32_t>(out_ptr), uint64_t{0});
    return kSuccess;
  }
  if (Errno err = host_entry(st, fd, tell_only ? rights::kFdTell : rights::kFdSeek, false, e); err != kSuccess)
    return err;
  int host_whence = 0;
  switch (whence) {
    case 0: host_whence = SEEK_SET; break;
    case 1: host_whence = SEEK_CUR; break;
    case 2: host_whence = SEEK_END; break;
    default: return kInval;
  }
  if (!mem.in_bounds(static_cast<uint32_t>(out_ptr), 8)) return kFault;
  off_t pos = lseek(e->host_fd, offset, host_whence);
  if (pos < 0) return errno_from_host(errno);
  mem.store(static_cast<uint32_t>(out_ptr), static_cast<uint64_t>(pos));
  return kSuccess;
}

Errno fd_prestat_get(WasiState& st, HostContext& ctx, int32_t fd, int32_t out_ptr) {
  GuestMemory mem(ctx);
  FdEntry* e = st.fds.get(static_cast<uint32_t>(fd));
  // Go scans fds 3, 4, ... until EBADF: anything that is not a preopen
  // must say EBADF (other errors make it panic).
  if (!e || !e->is_preopen) return kBadf;
  uint8_t out[8] = {};
  uint32_t len = static_cast<uint32_t>(e->preopen_name.size());
  std::memcpy(out + 4, &len, 4);  // tag 0 (dir), then pr_name_len
  std::span<uint8_t> dst = mem.range(static_cast<uint32_t>(out_ptr), sizeof(out));
  if (dst.data() == nullptr) return kFault;
  std::memcpy(dst.data(), out, sizeof(out));
  return kSuccess;
}

Errno fd_prestat_dir_name(WasiState& st, HostContext& ctx, int32_t fd, int32_t path, int32_t path_len) {
  GuestMemory mem(ctx);
  FdEntry* e = st.fds.get(static_cast<uint32_t>(fd));
  if (!e || !e->is_preopen) return kBadf;
  if (static_cast<uint32_t>(path_len) < e->preopen_name.size()) return kNameTooLong;
  std::span<uint8_t> dst = mem.range(static_cast<uint32_t>(path), e->preopen_name.size());
  if (dst.data() == nullptr) return kFault;
  std::memcpy(dst.data(), e->preopen_name.data(), e->preopen_name.size());
  return kSuccess;
}

}  // namespace

void define_fd(Linker& linker, const StatePtr& state) {
  auto def = [&](const char* name, auto fn) { linker.define(kModule, name, fn); };

  def("fd_advise", [state](HostContext&, int32_t fd, int64_t offset, int64_t len, int32_t advice) -> int32_t {
    FdEntry* e = state->fds.get(static_cast<uint32_t>(fd));
    if (e && e->kind == FdEntry::Kind::HostFd && e->filetype == kDirectory) return kBadf;  // as wasmtime
    if (Errno err = host_entry(*state, fd, rights::kFdAdvise, false, e); err != kSuccess)
      return err == kSpipe ? kBadf : err;
    static constexpr int kAdvice[] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                      POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED,   POSIX_FADV_NOREUSE};
    if (advice < 0 || advice > 5 || offset < 0 || len < 0) return kInval;
    int rc = posix_fadvise(e->host_fd, offset, len, kAdvice[advice]);
    // Advice is a hint: pipes and such ignore it rather than fail.
    return rc == 0 || rc == ESPIPE ? kSuccess : errno_from_host(rc);
  });
  def("fd_allocate", [state](HostContext&, int32_t fd, int64_t offset, int64_t len) -> int32_t {
    FdEntry* e = nullptr;
    if (Errno err = host_entry(*state, fd, rights::kFdAllocate, true, e); err != kSuccess)
      return err == kSpipe ? kBadf : err;
    if (offset < 0 || len <= 0) return kInval;
    int rc = posix_fallocate(e->host_fd, offset, len);
    return rc == 0 ? kSuccess : errno_from_host(rc);
  });
  def("fd_close",
      [state](HostContext&, int32_t fd) -> int32_t { return state->fds.close(static_cast<uint32_t>(fd)); });
  def("fd_datasync", [state](HostContext&, int32_t fd) -> int32_t {
    FdEntry* e = state->fds.get(static_cast<uint32_t>(fd));
    if (!e) return kBadf;
    if (Errno err = rights::require(*e, rights::kFdDatasync); err != kSuccess) return err;
    if (e->kind != FdEntry::Kind::HostFd) return kSuccess;
    return fdatasync(e->host_fd) == 0 ? kSuccess : errno_from_host(errno);
  });
  def("fd_fdstat_get", [state](HostContext& ctx, int32_t fd, int32_t out) -> int32_t {
    return fd_fdstat_get(*state, ctx, fd, out);
  });
  def("fd_fdstat_set_flags", [state](HostContext&, int32_t fd, int32_t flags) -> int32_t {
    return fd_fdstat_set_flags(*state, fd, static_cast<uint32_t>(flags));
  });
  def("fd_fdstat_set_rights",
      [state](HostContext&, int32_t fd, uint64_t base, uint64_t inheriting) -> int32_t {
        FdEntry* e = state->fds.get(static_cast<uint32_t>(fd));
        if (!e) return kBadf;
        // Rights may only shrink (bits a descriptor never had, the upper
        // ones included, count as growth).
        if ((base & ~e->rights_base) || (inheriting & ~e->rights_inheriting)) return kNotCapable;
        e->rights_base = base;
        e->rights_inheriting = inheriting;
        return kSuccess;
      });
  def("fd_filestat_get", [state](HostContext& ctx, int32_t fd, int32_t out) -> int32_t {
    return fd_filestat_get(*state, ctx, fd, out);
  });
  def("fd_filestat_set_size", [state](HostContext&, int32_t fd, int64_t size) -> int32_t {
    FdEntry* e = nullptr;
    if (Errno err = host_entry(*state, fd, rights::kFdFilestatSetSize, true, e); err != kSuccess)
      return err == kSpipe ? kBadf : err;
    if (size < 0) return kInval;
    return ftruncate(e->host_fd, size) == 0 ? kSuccess : errno_from_host(errno);
  });
  def("fd_filestat_set_times",
      [state](HostContext&, int32_t fd, uint64_t atim, uint64_t mtim, int32_t fst_flags) -> int32_t {
        FdEntry* e = nullptr;
        if (Errno err = host_entry(*state, fd, rights::kFdFilestatSetTimes, true, e); err != kSuccess)
          return err == kSpipe ? kBadf : err;
        struct timespec times[2];
        if (Errno err = timespecs_from_wasi(atim, mtim, static_cast<uint32_t>(fst_flags), times);
            err != kSuccess)
          return err;
        return futimens(e->host_fd, times) == 0 ? kSuccess : errno_from_host(errno);
      });
  def("fd_pread",
      [state](HostContext& ctx, int32_t fd, int32_t iovs, int32_t iovs_len, int64_t offset,
              int32_t nread) -> int32_t {
        if (offset < 0) return kInval;
        return do_read(ctx, *state, fd, iovs, iovs_len, &offset, nread);
      });
  def("fd_prestat_get", [state](HostContext& ctx, int32_t fd, int32_t out) -> int32_t {
    return fd_prestat_get(*state, ctx, fd, out);
  });
  def("fd_prestat_dir_name", [state](HostContext& ctx, int32_t fd, int32_t path, int32_t len) -> int32_t {
    return fd_prestat_dir_name(*state, ctx, fd, path, len);
  });
  def("fd_pwrite",
      [state](HostContext& ctx, int32_t fd, int32_t iovs, int32_t iovs_len, int64_t offset,
              int32_t nwritten) -> int32_t {
        if (offset < 0) return kInval;
        return do_write(ctx, *state, fd, iovs, iovs_len, &offset, nwritten);
      });
  def("fd_read",
      [state](HostContext& ctx, int32_t fd, int32_t iovs, int32_t iovs_len, int32_t nread) -> int32_t {
        return do_read(ctx, *state, fd, iovs, iovs_len, nullptr, nread);
      });
  def("fd_readdir",
      [state](HostContext& ctx, int32_t fd, int32_t buf, int32_t buf_len, uint64_t cookie, int32_t bufused)
          -> int32_t { return fd_readdir(*state, ctx, fd, buf, buf_len, cookie, bufused); });
  def("fd_renumber", [state](HostContext&, int32_t from, int32_t to) -> int32_t {
    return state->fds.renumber(static_cast<uint32_t>(from), static_cast<uint32_t>(to));
  });
  def("fd_seek",
      [state](HostContext& ctx, int32_t fd, int64_t offset, int32_t whence, int32_t out) -> int32_t {
        return fd_seek(*state, ctx, fd, offset, static_cast<uint32_t>(whence), out);
      });
  def("fd_sync", [state](HostContext&, int32_t fd) -> int32_t {
    FdEntry* e = state->fds.get(static_cast<uint32_t>(fd));
    if (!e) return kBadf;
    if (Errno err = rights::require(*e, rights::kFdSync); err != kSuccess) return err;
    if (e->kind != FdEntry::Kind::HostFd) return kSuccess;
    return fsync(e->host_fd) == 0 ? kSuccess : errno_from_host(errno);
  });
  def("fd_tell", [state](HostContext& ctx, int32_t fd, int32_t out) -> int32_t {
    return fd_seek(*state, ctx, fd, 0, 1, out);
  });
  def("fd_write",
      [state](HostContext& ctx, int32_t fd, int32_t iovs, int32_t iovs_len, int32_t nwritten) -> int32_t {
        return do_write(ctx, *state, fd, iovs, iovs_len, nullptr, nwritten);
      });
}

}  // namespace wasmrt::wasi_detail
