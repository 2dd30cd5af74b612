// WASI preview1 rights: the bits (typenames.witx `rights`), what each kind
// of descriptor can use, and what each function needs. The one place these
// are defined; docs/wasi-rights.md is the same table in prose.
//
// The model (preview1 as written, and as wasmtime implements it):
//  * every descriptor carries base rights (what calls on it may do) and
//    inheriting rights (the most a descriptor opened beneath it may get);
//  * each descriptor type supports a fixed set of each (kTypeRights): a
//    directory cannot seek or be written, a file opens nothing beneath it;
//  * path_open grants (asked ∩ parent's inheriting ∩ what the new type
//    supports), for both sets; fd_fdstat_get reports exactly what was
//    granted; fd_fdstat_set_rights only removes;
//  * every function checks the rights it needs (kNeeds below) after the
//    descriptor's existence and type, before its arguments, and answers
//    ENOTCAPABLE when one is missing;
//  * a read-only preopen (WasiDir::read_only) has none of kWriteSide, so
//    nothing beneath it gets them either; the host-side read-only checks
//    stay as a second line.
// Only bits 0..29 exist; a guest may ask for more (wasi-libc asks ~0) and
// simply never gets them.
#pragma once

#include <cstdint>

#include "wasi/state.h"

namespace wasmrt::wasi_detail::rights {

inline constexpr uint64_t bit(unsigned n) { return uint64_t{1} << n; }

inline constexpr uint64_t kFdDatasync = bit(0), kFdRead = bit(1), kFdSeek = bit(2), kFdFdstatSetFlags = bit(3),
                          kFdSync = bit(4), kFdTell = bit(5), kFdWrite = bit(6), kFdAdvise = bit(7),
                          kFdAllocate = bit(8), kPathCreateDirectory = bit(9), kPathCreateFile = bit(10),
                          kPathLinkSource = bit(11), kPathLinkTarget = bit(12), kPathOpen = bit(13),
                          kFdReaddir = bit(14), kPathReadlink = bit(15), kPathRenameSource = bit(16),
                          kPathRenameTarget = bit(17), kPathFilestatGet = bit(18), kPathFilestatSetSize = bit(19),
                          kPathFilestatSetTimes = bit(20), kFdFilestatGet = bit(21), kFdFilestatSetSize = bit(22),
                          kFdFilestatSetTimes = bit(23), kPathSymlink = bit(24), kPathRemoveDirectory = bit(25),
                          kPathUnlinkFile = bit(26), kPollFdReadwrite = bit(27), kSockShutdown = bit(28),
                          kSockAccept = bit(29);
inline constexpr uint64_t kAll = bit(30) - 1;

// ---- what each descriptor type can use ----

// A regular file (or block device): data, position, metadata. Nothing is
// opened beneath it, so it inherits nothing.
inline constexpr uint64_t kFileBase = kFdDatasync | kFdRead | kFdSeek | kFdFdstatSetFlags | kFdSync | kFdTell |
                                      kFdWrite | kFdAdvise | kFdAllocate | kFdFilestatGet | kFdFilestatSetSize |
                                      kFdFilestatSetTimes | kPollFdReadwrite;
// A directory: every path operation, listing, its own metadata and times,
// flushing. Never read, written, seeked, resized or polled as data.
inline constexpr uint64_t kDirBase = kFdDatasync | kFdFdstatSetFlags | kFdSync | kPathCreateDirectory |
                                     kPathCreateFile | kPathLinkSource | kPathLinkTarget | kPathOpen | kFdReaddir |
                                     kPathReadlink | kPathRenameSource | kPathRenameTarget | kPathFilestatGet |
                                     kPathFilestatSetSize | kPathFilestatSetTimes | kFdFilestatGet |
                                     kFdFilestatSetTimes | kPathSymlink | kPathRemoveDirectory | kPathUnlinkFile;
// What a directory can pass on: anything a file or a directory uses.
inline constexpr uint64_t kDirInheriting = kFileBase | kDirBase;
// A stream (character device, pipe, the null and buffer stdio streams):
// read, write, poll, flags, stat; no position.
inline constexpr uint64_t kStreamBase = kFdDatasync | kFdRead | kFdFdstatSetFlags | kFdSync | kFdWrite |
                                        kFdAdvise | kFdFilestatGet | kFdFilestatSetTimes | kPollFdReadwrite;
// A socket: a stream that can also be shut down and accept.
inline constexpr uint64_t kSocketBase = kStreamBase | kSockShutdown | kSockAccept;

// Rights that change the file system (or, for link/rename sources, let
// another directory change what is here): none of them in a read-only
// preopen or anything opened beneath it.
inline constexpr uint64_t kWriteSide = kFdWrite | kFdAllocate | kFdFilestatSetSize | kFdFilestatSetTimes |
                                       kPathCreateDirectory | kPathCreateFile | kPathLinkSource | kPathLinkTarget |
                                       kPathRenameSource | kPathRenameTarget | kPathFilestatSetSize |
                                       kPathFilestatSetTimes | kPathSymlink | kPathRemoveDirectory |
                                       kPathUnlinkFile;

// What a character device that is not a terminal adds to kStreamBase:
// /dev/null and /dev/zero have a position on the host (lseek succeeds). It
// also matters beyond seeking: wasi-libc's isatty() takes a character
// device without FD_SEEK and FD_TELL for a terminal, so without them a
// program whose output goes to /dev/null would believe it writes to a
// terminal (and colour it, or line-buffer it).
inline constexpr uint64_t kDevicePosition = kFdSeek | kFdTell;

struct TypeRights {
  uint64_t base;
  uint64_t inheriting;
};

inline constexpr TypeRights type_rights(FileType type) {
  switch (type) {
    case kRegularFile:
    case kBlockDevice: return {kFileBase, 0};
    case kDirectory: return {kDirBase, kDirInheriting};
    case kSocketDgram:
    case kSocketStream: return {kSocketBase, 0};
    case kCharacterDevice:
    case kSymbolicLink:
    case kUnknown: break;
  }
  return {kStreamBase, 0};  // character devices, FIFOs, anything else
}

// Marks a character device that is not a terminal as positioned, with
// kDevicePosition among its base rights (kept when `granted` is narrower,
// as for path_open's asked rights: only what it may have).
inline void grant_device_position(FdEntry& e, bool is_terminal, uint64_t granted = kDevicePosition) {
  if (e.filetype != kCharacterDevice || is_terminal) return;
  e.positioned_device = true;
  e.rights_base |= kDevicePosition & granted;
}

// A preopened directory: everything a directory has, minus kWriteSide when
// it is read-only.
inline constexpr TypeRights preopen_rights(bool read_only) {
  TypeRights r = type_rights(kDirectory);
  if (read_only) {
    r.base &= ~kWriteSide;
    r.inheriting &= ~kWriteSide;
  }
  return r;
}

// ---- what each function needs (on the descriptor it acts on) ----
//
//   fd_advise FD_ADVISE · fd_allocate FD_ALLOCATE · fd_datasync FD_DATASYNC
//   fd_fdstat_set_flags FD_FDSTAT_SET_FLAGS · fd_filestat_get FD_FILESTAT_GET
//   fd_filestat_set_size FD_FILESTAT_SET_SIZE
//   fd_filestat_set_times FD_FILESTAT_SET_TIMES
//   fd_read FD_READ · fd_pread FD_READ|FD_SEEK · fd_write FD_WRITE
//   fd_pwrite FD_WRITE|FD_SEEK · fd_readdir FD_READDIR · fd_sync FD_SYNC
//   fd_seek FD_SEEK (FD_TELL suffices for whence=CUR, offset 0) · fd_tell FD_TELL
//   path_create_directory PATH_CREATE_DIRECTORY
//   path_filestat_get PATH_FILESTAT_GET
//   path_filestat_set_times PATH_FILESTAT_SET_TIMES
//   path_link PATH_LINK_SOURCE (old fd), PATH_LINK_TARGET (new fd)
//   path_open PATH_OPEN, + PATH_CREATE_FILE with oflags::creat,
//     + PATH_FILESTAT_SET_SIZE with oflags::trunc (or FD_FILESTAT_SET_SIZE
//     granted to the new descriptor, which could truncate anyway); fdflags::dsync needs
//     FD_DATASYNC and fdflags::sync/rsync FD_SYNC in the inheriting rights
//   path_readlink PATH_READLINK · path_remove_directory PATH_REMOVE_DIRECTORY
//   path_rename PATH_RENAME_SOURCE (old fd), PATH_RENAME_TARGET (new fd)
//   path_symlink PATH_SYMLINK · path_unlink_file PATH_UNLINK_FILE
//   poll_oneoff POLL_FD_READWRITE and FD_READ (fd_read) or FD_WRITE (fd_write)
//   sock_recv FD_READ · sock_send FD_WRITE · sock_shutdown SOCK_SHUTDOWN
//   sock_accept SOCK_ACCEPT
//   fd_close, fd_fdstat_get, fd_fdstat_set_rights, fd_prestat_*,
//   fd_renumber: none.

// kSuccess when `entry` has every right in `needed`, else ENOTCAPABLE.
inline Errno require(const FdEntry& entry, uint64_t needed) {
  return (entry.rights_base & needed) == needed ? kSuccess : kNotCapable;
}

}  // namespace wasmrt::wasi_detail::rights
