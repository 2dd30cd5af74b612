// Wasi: builds one guest's WASI state from a WasiConfig and defines the
// wasi_snapshot_preview1 functions bound to it.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "wasi/rights.h"
#include "wasi/state.h"

extern char** environ;

namespace wasmrt {

namespace wasi_detail {
namespace {

Error setup_error(std::string message) {
  Error error;
  error.phase = Phase::Unlinkable;
  error.message = std::move(message);
  return error;
}

FileType filetype_of_host_fd(int fd) {
  struct stat st {};
  if (fstat(fd, &st) != 0) return kUnknown;
  switch (st.st_mode & S_IFMT) {
    case S_IFREG: return kRegularFile;
    case S_IFDIR: return kDirectory;
    case S_IFCHR: return kCharacterDevice;
    case S_IFBLK: return kBlockDevice;
    case S_IFLNK: return kSymbolicLink;
    case S_IFSOCK: {
      int type = 0;
      socklen_t length = sizeof(type);
      if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) == 0 && type == SOCK_DGRAM) return kSocketDgram;
      return kSocketStream;
    }
    default: return kUnknown;  // pipes: WASI has no filetype for them
  }
}

uint16_t fdflags_of_host_fd(int fd) {
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0) return 0;
  uint16_t out = 0;
  if (flags & O_APPEND) out |= kFdflagAppend;
  if (flags & O_NONBLOCK) out |= kFdflagNonblock;
  if (flags & O_DSYNC) out |= kFdflagDsync;
  // O_SYNC includes the O_DSYNC bit on Linux; compare the whole mask.
  if ((flags & O_SYNC) == O_SYNC) out |= kFdflagSync;
  return out;
}

FdEntry host_entry(int owned_fd) {
  FdEntry entry;
  entry.kind = FdEntry::Kind::HostFd;
  entry.host_fd = owned_fd;
  entry.filetype = filetype_of_host_fd(owned_fd);
  entry.fdflags = fdflags_of_host_fd(owned_fd);
  const rights::TypeRights granted = rights::type_rights(entry.filetype);
  entry.rights_base = granted.base;
  entry.rights_inheriting = granted.inheriting;
  rights::grant_device_position(entry, isatty(owned_fd) != 0);
  return entry;
}

// Standard stream `guest_fd` (0, 1 or 2) from its configuration.
Result<FdEntry> stdio_entry(const WasiStdio& stdio, int guest_fd) {
  static const char* const kNames[] = {"stdin", "stdout", "stderr"};
  FdEntry entry;
  entry.rights_base = rights::type_rights(kCharacterDevice).base;
  switch (stdio.kind) {
    case WasiStdio::Kind::Null:
      entry.kind = FdEntry::Kind::NullStream;
      entry.filetype = kCharacterDevice;  // what /dev/null reports, a device but no terminal
      rights::grant_device_position(entry, /*is_terminal=*/false);
      return entry;
    case WasiStdio::Kind::Buffer:
      // A pipe to or from the embedder: like a host pipe, no WASI filetype
      // (a character device would be taken for a terminal, and a program
      // reading stdin would prompt instead of reading its input).
      entry.kind = guest_fd == 0 ? FdEntry::Kind::BufferInput : FdEntry::Kind::BufferOutput;
      entry.filetype = kUnknown;
      entry.buffer = stdio.buffer ? stdio.buffer : std::make_shared<std::string>();
      return entry;
    case WasiStdio::Kind::Inherit:
    case WasiStdio::Kind::HostFd: {
      const int source = stdio.kind == WasiStdio::Kind::Inherit ? guest_fd : stdio.host_fd;
      // Our own duplicate: the guest may close or renumber its fd without
      // touching the embedder's, and the table closes what it owns.
      if (source < 0) errno = EBADF;
      const int owned = source < 0 ? -1 : fcntl(source, F_DUPFD_CLOEXEC, 0);
      if (owned < 0) {
        // A host process started with a closed standard stream: the guest
        // sees a null stream instead, like a daemon's /dev/null.
        if (stdio.kind == WasiStdio::Kind::Inherit && errno == EBADF)
          return stdio_entry(WasiStdio::null(), guest_fd);
        return setup_error(std::string("cannot use host fd ") + std::to_string(source) + " as " +
                           kNames[guest_fd] + ": " + std::strerror(errno));
      }
      return host_entry(owned);
    }
  }
  return setup_error("unknown stdio kind");
}

Result<FdEntry> preopen_entry(const WasiDir& dir) {
  if (dir.guest_path.empty())
    return setup_error("cannot preopen directory '" + dir.host_path + "': empty guest path");
  int fd = open(dir.host_path.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  // A directory we may search but not list still works for path lookups.
  if (fd < 0 && errno == EACCES) fd = open(dir.host_path.c_str(), O_DIRECTORY | O_PATH | O_CLOEXEC);
  if (fd < 0) return setup_error("cannot preopen directory '" + dir.host_path + "': " + std::strerror(errno));
  FdEntry entry = host_entry(fd);
  entry.filetype = kDirectory;
  entry.is_preopen = true;
  entry.preopen_name = dir.guest_path;
  entry.read_only = dir.read_only;
  const rights::TypeRights granted = rights::preopen_rights(dir.read_only);
  entry.rights_base = granted.base;
  entry.rights_inheriting = granted.inheriting;
  return entry;
}

std::string_view env_key(std::string_view entry) {
  return entry.substr(0, entry.find('='));
}

// args and env reach the guest as NUL-terminated strings whose total size
// is a u32.
Result<void> check_strings(const std::vector<std::string>& strings, const char* what) {
  uint64_t total = 0;
  for (const auto& s : strings) {
    if (s.find('\0') != std::string::npos) return setup_error(std::string(what) + " contains a NUL byte");
    total += s.size() + 1;
  }
  if (total > UINT32_MAX || strings.size() > UINT32_MAX / 4)
    return setup_error(std::string(what) + " too large");
  return {};
}

}  // namespace
}  // namespace wasi_detail

using namespace wasi_detail;

Result<std::shared_ptr<Wasi>> Wasi::create(WasiConfig config) {
  auto state = std::make_shared<WasiState>(std::move(config));
  const WasiConfig& cfg = state->config;

  state->env = cfg.env;
  for (const auto& entry : cfg.env) {
    if (entry.find('=') == std::string::npos)
      return setup_error("environment entry '" + entry + "' has no '='");
  }
  if (cfg.inherit_env && environ) {
    // Explicit entries win: a duplicate key would make getenv's answer
    // depend on the guest libc's search order.
    std::set<std::string_view> explicit_keys;
    for (const auto& entry : cfg.env) explicit_keys.insert(env_key(entry));
    for (char** p = environ; *p; ++p) {
      std::string_view entry(*p);
      if (entry.find('=') == std::string_view::npos || explicit_keys.count(env_key(entry))) continue;
      state->env.emplace_back(entry);
    }
  }
  WASMRT_TRY(check_strings(cfg.args, "args"));
  WASMRT_TRY(check_strings(state->env, "environment"));

  const WasiStdio* stdio[] = {&cfg.stdin_stream, &cfg.stdout_stream, &cfg.stderr_stream};
  for (int fd = 0; fd < 3; ++fd) {
    auto entry = stdio_entry(*stdio[fd], fd);
    if (!entry) return std::move(entry).error();
    state->fds.insert_at(static_cast<uint32_t>(fd), std::move(*entry));
  }
  for (size_t i = 0; i < cfg.dirs.size(); ++i) {
    auto entry = preopen_entry(cfg.dirs[i]);
    if (!entry) return std::move(entry).error();  // the state's table closes what is open so far
    state->fds.insert_at(static_cast<uint32_t>(3 + i), std::move(*entry));
  }

  if (cfg.random_seed) state->seeded_random.seed(*cfg.random_seed);
  state->fake_realtime_ns = cfg.deterministic_epoch_ns;
  // Go aborts if the monotonic clock reads 0 ("nanotime returning zero").
  state->fake_monotonic_ns = 1'000'000'000;

  return std::shared_ptr<Wasi>(new Wasi(std::move(state)));
}

Wasi::Wasi(std::shared_ptr<WasiState> state) : state_(std::move(state)) {}
Wasi::~Wasi() = default;

void Wasi::define(Linker& linker) const {
  define_args(linker, state_);
  define_clock(linker, state_);
  define_fd(linker, state_);
  define_path(linker, state_);
  define_poll(linker, state_);
  define_proc(linker, state_);
  define_random(linker, state_);
  define_sock(linker, state_);
}

size_t Wasi::open_host_fds() const {
  return state_->fds.open_host_fds();
}

}  // namespace wasmrt
