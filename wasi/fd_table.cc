// The guest's file descriptor table and the host-errno translation every
// group uses.
#include <unistd.h>

#include <cerrno>

#include "wasi/state.h"

namespace wasmrt::wasi_detail {

namespace {

void close_host_fd(FdEntry& entry) {
  if (entry.kind == FdEntry::Kind::HostFd && entry.host_fd >= 0) {
    // close(2) releases the descriptor even when it reports EINTR on Linux,
    // so retrying could close a descriptor another thread just opened.
    ::close(entry.host_fd);
    entry.host_fd = -1;
  }
}

}  // namespace

FdTable::~FdTable() {
  for (auto& entry : entries_) {
    if (entry) close_host_fd(*entry);
  }
}

Errno FdTable::insert(FdEntry entry, uint32_t& fd_out) {
  size_t open = 0;
  for (const auto& e : entries_) open += e != nullptr;
  if (open >= max_open_) {
    close_host_fd(entry);
    return kMfile;
  }
  uint32_t fd = 3;
  while (fd < entries_.size() && entries_[fd]) ++fd;
  if (fd >= entries_.size()) entries_.resize(size_t{fd} + 1);
  entries_[fd] = std::make_unique<FdEntry>(std::move(entry));
  fd_out = fd;
  return kSuccess;
}

void FdTable::insert_at(uint32_t fd, FdEntry entry) {
  if (fd >= entries_.size()) entries_.resize(size_t{fd} + 1);
  if (entries_[fd]) close_host_fd(*entries_[fd]);
  entries_[fd] = std::make_unique<FdEntry>(std::move(entry));
}

FdEntry* FdTable::get(uint32_t fd) {
  if (fd >= entries_.size()) return nullptr;
  return entries_[fd].get();
}

Errno FdTable::close(uint32_t fd) {
  FdEntry* entry = get(fd);
  if (!entry) return kBadf;
  close_host_fd(*entry);
  entries_[fd].reset();
  // Keep the vector short so a guest that opened many files and closed them
  // does not leave the lowest-free-slot search scanning dead space.
  while (!entries_.empty() && !entries_.back()) entries_.pop_back();
  return kSuccess;
}

Errno FdTable::renumber(uint32_t from, uint32_t to) {
  // witx: both descriptors must be open; `to` is closed and replaced.
  if (!get(from) || !get(to)) return kBadf;
  if (from == to) return kSuccess;
  close_host_fd(*entries_[to]);
  entries_[to] = std::move(entries_[from]);
  while (!entries_.empty() && !entries_.back()) entries_.pop_back();
  return kSuccess;
}

size_t FdTable::open_host_fds() const {
  size_t count = 0;
  for (const auto& entry : entries_) {
    if (entry && entry->kind == FdEntry::Kind::HostFd && entry->host_fd >= 0) ++count;
  }
  return count;
}

Errno errno_from_host(int host_errno) {
  switch (host_errno) {
    case 0: return kSuccess;
    case E2BIG: return k2Big;
    case EACCES: return kAcces;
    case EADDRINUSE: return kAddrInUse;
    case EADDRNOTAVAIL: return kAddrNotAvail;
    case EAFNOSUPPORT: return kAfNoSupport;
    case EAGAIN: return kAgain;  // == EWOULDBLOCK on Linux
    case EALREADY: return kAlready;
    case EBADF: return kBadf;
    case EBADMSG: return kBadMsg;
    case EBUSY: return kBusy;
    case ECANCELED: return kCanceled;
    case ECHILD: return kChild;
    case ECONNABORTED: return kConnAborted;
    case ECONNREFUSED: return kConnRefused;
    case ECONNRESET: return kConnReset;
    case EDEADLK: return kDeadlk;  // == EDEADLOCK
    case EDESTADDRREQ: return kDestAddrReq;
    case EDOM: return kDom;
    case EDQUOT: return kDquot;
    case EEXIST: return kExist;
    case EFAULT: return kFault;
    case EFBIG: return kFbig;
    case EHOSTUNREACH: return kHostUnreach;
    case EIDRM: return kIdrm;
    case EILSEQ: return kIlseq;
    case EINPROGRESS: return kInProgress;
    case EINTR: return kIntr;
    case EINVAL: return kInval;
    case EIO: return kIo;
    case EISCONN: return kIsConn;
    case EISDIR: return kIsDir;
    case ELOOP: return kLoop;
    case EMFILE: return kMfile;
    case EMLINK: return kMlink;
    case EMSGSIZE: return kMsgSize;
    case EMULTIHOP: return kMultihop;
    case ENAMETOOLONG: return kNameTooLong;
    case ENETDOWN: return kNetDown;
    case ENETRESET: return kNetReset;
    case ENETUNREACH: return kNetUnreach;
    case ENFILE: return kNfile;
    case ENOBUFS: return kNoBufs;
    case ENODEV: return kNoDev;
    case ENOENT: return kNoEnt;
    case ENOEXEC: return kNoExec;
    case ENOLCK: return kNoLck;
    case ENOLINK: return kNoLink;
    case ENOMEM: return kNoMem;
    case ENOMSG: return kNoMsg;
    case ENOPROTOOPT: return kNoProtoOpt;
    case ENOSPC: return kNoSpc;
    case ENOSYS: return kNoSys;
    case ENOTCONN: return kNotConn;
    case ENOTDIR: return kNotDir;
    case ENOTEMPTY: return kNotEmpty;
    case ENOTRECOVERABLE: return kNotRecoverable;
    case ENOTSOCK: return kNotSock;
    case ENOTSUP: return kNotSup;  // == EOPNOTSUPP on Linux
    case ENOTTY: return kNoTty;
    case ENXIO: return kNxio;
    case EOVERFLOW: return kOverflow;
    case EOWNERDEAD: return kOwnerDead;
    case EPERM: return kPerm;
    case EPIPE: return kPipe;
    case EPROTO: return kProto;
    case EPROTONOSUPPORT: return kProtoNoSupport;
    case EPROTOTYPE: return kProtoType;
    case ERANGE: return kRange;
    case EROFS: return kRofs;
    case ESPIPE: return kSpipe;
    case ESRCH: return kSrch;
    case ESTALE: return kStale;
    case ETIMEDOUT: return kTimedOut;
    case ETXTBSY: return kTxtBsy;
    case EXDEV: return kXdev;
    // Linux errnos with no WASI name: the closest meaning a guest's libc can
    // act on, so its errno checks still take the right branch.
    case ENOTBLK: return kNotSup;
    case ENOTUNIQ: return kNotSup;
    case ECHRNG: return kRange;
    case ETIME: return kTimedOut;
    case ENODATA: return kNoMsg;
    case ENOSR: return kNoMem;
    case ENONET: return kNetUnreach;
    case EHOSTDOWN: return kHostUnreach;
    case ENOMEDIUM: return kNoDev;
    case EBADFD: return kBadf;
    case ERESTART: return kIntr;
    case ESHUTDOWN: return kPipe;
    case EUSERS: return kMfile;
    case ETOOMANYREFS: return kMfile;
    case EPFNOSUPPORT: return kAfNoSupport;
    case ESOCKTNOSUPPORT: return kProtoNoSupport;
    case ENOKEY:
    case EKEYEXPIRED:
    case EKEYREVOKED:
    case EKEYREJECTED: return kAcces;
    // The rest (STREAMS, link-layer, library and media errors) report
    // trouble below the file system that the guest cannot fix: EIO, as a
    // native program would treat it.
    default: return kIo;
  }
}

}  // namespace wasmrt::wasi_detail
