// Internal WASI state shared by the function groups (one .cc per group:
// args, clock, fd, path, poll, random, proc, sock). The contract between
// them; see wasmrt/wasi.h for the public side.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "wasmrt/host.h"
#include "wasmrt/instance.h"
#include "wasmrt/wasi.h"

namespace wasmrt::wasi_detail {

// errno values of wasi_snapshot_preview1 (typenames.witx `errno`, u16).
enum Errno : uint16_t {
  kSuccess = 0, k2Big = 1, kAcces = 2, kAddrInUse = 3, kAddrNotAvail = 4, kAfNoSupport = 5, kAgain = 6,
  kAlready = 7, kBadf = 8, kBadMsg = 9, kBusy = 10, kCanceled = 11, kChild = 12, kConnAborted = 13,
  kConnRefused = 14, kConnReset = 15, kDeadlk = 16, kDestAddrReq = 17, kDom = 18, kDquot = 19, kExist = 20,
  kFault = 21, kFbig = 22, kHostUnreach = 23, kIdrm = 24, kIlseq = 25, kInProgress = 26, kIntr = 27,
  kInval = 28, kIo = 29, kIsConn = 30, kIsDir = 31, kLoop = 32, kMfile = 33, kMlink = 34, kMsgSize = 35,
  kMultihop = 36, kNameTooLong = 37, kNetDown = 38, kNetReset = 39, kNetUnreach = 40, kNfile = 41,
  kNoBufs = 42, kNoDev = 43, kNoEnt = 44, kNoExec = 45, kNoLck = 46, kNoLink = 47, kNoMem = 48, kNoMsg = 49,
  kNoProtoOpt = 50, kNoSpc = 51, kNoSys = 52, kNotConn = 53, kNotDir = 54, kNotEmpty = 55,
  kNotRecoverable = 56, kNotSock = 57, kNotSup = 58, kNoTty = 59, kNxio = 60, kOverflow = 61,
  kOwnerDead = 62, kPerm = 63, kPipe = 64, kProto = 65, kProtoNoSupport = 66, kProtoType = 67, kRange = 68,
  kRofs = 69, kSpipe = 70, kSrch = 71, kStale = 72, kTimedOut = 73, kTxtBsy = 74, kXdev = 75,
  kNotCapable = 76,
};

// A host errno (errno.h) as a WASI errno.
Errno errno_from_host(int host_errno);

// filetype (u8)
enum FileType : uint8_t {
  kUnknown = 0, kBlockDevice = 1, kCharacterDevice = 2, kDirectory = 3, kRegularFile = 4,
  kSocketDgram = 5, kSocketStream = 6, kSymbolicLink = 7,
};
// fdflags (u16)
inline constexpr uint16_t kFdflagAppend = 1, kFdflagDsync = 2, kFdflagNonblock = 4, kFdflagRsync = 8,
                          kFdflagSync = 16;

// fd_readdir's snapshot of a directory, taken at cookie 0 (wasi/fd.cc).
struct DirListing;

// One guest file descriptor.
struct FdEntry {
  enum class Kind : uint8_t {
    HostFd,       // host_fd: a file, directory, pipe, tty or socket we own
    NullStream,   // WasiStdio::Null
    BufferInput,  // WasiStdio::Buffer stdin: reads from buffer[read_pos..]
    BufferOutput, // WasiStdio::Buffer stdout/stderr: writes append
  };
  Kind kind = Kind::HostFd;
  int host_fd = -1;  // owned: closed when the entry is closed or the state dies
  FileType filetype = kUnknown;
  // Rights (wasi/rights.h): set by whoever creates the entry from its type;
  // none until then.
  uint64_t rights_base = 0;
  uint64_t rights_inheriting = 0;
  uint16_t fdflags = 0;
  // A character device that is not a terminal (/dev/null, /dev/zero, the
  // null stream): it has a position, as lseek(2) says on the host
  // (rights::kDevicePosition).
  bool positioned_device = false;
  // A preopened directory (fd_prestat_get): its guest name.
  bool is_preopen = false;
  std::string preopen_name;
  // Inside a read-only preopen: every mutation fails.
  bool read_only = false;
  std::shared_ptr<std::string> buffer;
  size_t read_pos = 0;
  // The preopen this descriptor was opened beneath, as its root's device
  // and inode (0/0 on a preopen itself: read from host_fd when needed), so
  // path_rename and path_link refuse to move entries between two preopens.
  uint64_t jail_dev = 0;
  uint64_t jail_ino = 0;
  // fd_readdir: the whole listing, read at cookie 0 so later cookies stay
  // stable however the directory changes in between.
  std::shared_ptr<DirListing> dir_listing;
};

class FdTable {
 public:
  explicit FdTable(uint32_t max_open) : max_open_(max_open) {}
  ~FdTable();  // closes every host fd
  FdTable(const FdTable&) = delete;
  FdTable& operator=(const FdTable&) = delete;

  // Lowest free number >= 3 (or exactly `at`); EMFILE/NFILE past max_open.
  // On failure the entry's host fd is closed.
  Errno insert(FdEntry entry, uint32_t& fd_out);
  void insert_at(uint32_t fd, FdEntry entry);  // stdio and preopens at creation
  FdEntry* get(uint32_t fd);                   // null: EBADF
  Errno close(uint32_t fd);
  Errno renumber(uint32_t from, uint32_t to);
  size_t open_host_fds() const;

 private:
  uint32_t max_open_;
  std::vector<std::unique_ptr<FdEntry>> entries_;  // index = guest fd; null = free
};

struct WasiState {
  explicit WasiState(WasiConfig c) : config(std::move(c)), fds(config.max_open_fds) {}
  WasiConfig config;
  std::vector<std::string> env;  // final environment (explicit + inherited)
  FdTable fds;
  // Deterministic clocks: the next value each clock returns.
  uint64_t fake_realtime_ns = 0;
  uint64_t fake_monotonic_ns = 0;
  std::mt19937_64 seeded_random;
};

// Bounds-checked access to the calling instance's memory 0. Every guest
// pointer goes through these; failure means the WASI function returns
// kFault (never a trap, never a host read/write out of bounds).
class GuestMemory {
 public:
  explicit GuestMemory(HostContext& ctx) : bytes_(ctx.memory(0)) {}
  bool valid() const { return bytes_.data() != nullptr; }
  // [ptr, ptr + len) inside memory, or an empty optional span (nullptr data)
  // when out of bounds or overflowing.
  std::span<uint8_t> range(uint64_t ptr, uint64_t len) const {
    if (ptr > bytes_.size() || len > bytes_.size() - ptr) return {};
    return bytes_.subspan(ptr, len);
  }
  bool in_bounds(uint64_t ptr, uint64_t len) const { return ptr <= bytes_.size() && len <= bytes_.size() - ptr; }
  template <typename T>
  bool load(uint64_t ptr, T& out) const {
    if (!in_bounds(ptr, sizeof(T))) return false;
    std::memcpy(&out, bytes_.data() + ptr, sizeof(T));
    return true;
  }
  template <typename T>
  bool store(uint64_t ptr, const T& value) const {
    if (!in_bounds(ptr, sizeof(T))) return false;
    std::memcpy(bytes_.data() + ptr, &value, sizeof(T));
    return true;
  }
  std::span<uint8_t> bytes() const { return bytes_; }

 private:
  std::span<uint8_t> bytes_;  // little-endian host assumed (x86-64, AArch64)
};

// Each group defines its functions in `linker` (module
// "wasi_snapshot_preview1"), capturing `state`. Every function's wasm
// signature follows the witx exactly (pointers i32, sizes i32, u64 as i64,
// errno result i32).
using StatePtr = std::shared_ptr<WasiState>;
void define_args(Linker& linker, const StatePtr& state);    // args_*, environ_*
void define_clock(Linker& linker, const StatePtr& state);   // clock_res_get, clock_time_get
void define_fd(Linker& linker, const StatePtr& state);      // fd_* (21)
void define_path(Linker& linker, const StatePtr& state);    // path_* (10)
void define_poll(Linker& linker, const StatePtr& state);    // poll_oneoff
void define_proc(Linker& linker, const StatePtr& state);    // proc_exit, proc_raise, sched_yield
void define_random(Linker& linker, const StatePtr& state);  // random_get
void define_sock(Linker& linker, const StatePtr& state);    // sock_accept, sock_recv, sock_send, sock_shutdown

inline constexpr const char* kModule = "wasi_snapshot_preview1";

}  // namespace wasmrt::wasi_detail
