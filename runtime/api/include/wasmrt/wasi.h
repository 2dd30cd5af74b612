// WASI preview1 (module "wasi_snapshot_preview1") as an ordinary host
// module: a Wasi object holds one guest's WASI state (arguments,
// environment, file descriptors, clocks, randomness) and defines all 46
// functions in a Linker, bound to that state.
//
// Deny by default: a default WasiConfig grants nothing. No directory is
// visible, the environment is empty, stdio is /dev/null-like, and sockets
// are absent. The embedder grants each capability explicitly. A preopened
// directory is a jail: no path the guest passes (`..`, absolute paths,
// symlinks, hard links, renames, races) reaches outside it.
//
// Guest errors are errno values returned to the guest, never traps. The
// exceptions are proc_exit, which ends the call with Phase::Exit
// (Error::exit_code), and cancellation: poll_oneoff and blocking reads wake
// when the store's call is interrupted or passes its deadline.
//
//   auto wasi = wasmrt::Wasi::create(config);   // Result<std::shared_ptr<Wasi>>
//   wasmrt::Linker linker;
//   (*wasi)->define(linker);
//   auto instance = linker.instantiate(store, module);
//   auto run = instance->call("_start", {});    // Phase::Exit carries the status
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "wasmrt/instance.h"
#include "wasmrt/result.h"

namespace wasmrt {

// A host directory the guest sees under `guest_path` (e.g. "/" or "/data").
struct WasiDir {
  std::string host_path;
  std::string guest_path;
  bool read_only = false;  // every mutation fails (ENOTCAPABLE / EROFS)
};

// Where a standard stream goes.
struct WasiStdio {
  enum class Kind : uint8_t {
    Null,     // reads see end of file, writes are discarded (the default)
    Inherit,  // the host process's own fd 0/1/2
    HostFd,   // a host descriptor the embedder owns (duplicated; yours stays open)
    Buffer,   // in memory: stdin reads from *buffer; stdout/stderr append to it
  };
  Kind kind = Kind::Null;
  int host_fd = -1;
  std::shared_ptr<std::string> buffer;

  static WasiStdio null() { return {}; }
  static WasiStdio inherit() { return {Kind::Inherit, -1, nullptr}; }
  static WasiStdio host_fd_of(int fd) { return {Kind::HostFd, fd, nullptr}; }
  static WasiStdio memory(std::shared_ptr<std::string> buffer) { return {Kind::Buffer, -1, std::move(buffer)}; }
};

struct WasiConfig {
  // argv; args[0] is the program name the guest sees.
  std::vector<std::string> args;
  // Explicit environment, "KEY=VALUE" each.
  std::vector<std::string> env;
  // Append the host process's environment (after `env`).
  bool inherit_env = false;
  // Preopened directories, fds 3, 4, ... in this order.
  std::vector<WasiDir> dirs;
  WasiStdio stdin_stream, stdout_stream, stderr_stream;
  // Deterministic clocks for reproducible runs: the realtime clock starts
  // at `deterministic_epoch_ns` and both clocks advance 1 µs per read
  // (sleeps advance them by the time slept, without waiting).
  bool deterministic_clocks = false;
  uint64_t deterministic_epoch_ns = 1'700'000'000'000'000'000ull;
  // Seeded, reproducible random_get; nullopt: the OS (getrandom).
  std::optional<uint64_t> random_seed;
  // Most file descriptors the guest may hold open at once (EMFILE past it).
  uint32_t max_open_fds = 1024;
};

namespace wasi_detail {
struct WasiState;
}  // namespace wasi_detail

class Wasi {
 public:
  // Opens the preopened directories (Phase::Unlinkable naming the path if
  // one is missing or not a directory).
  static Result<std::shared_ptr<Wasi>> create(WasiConfig config);
  ~Wasi();
  Wasi(const Wasi&) = delete;
  Wasi& operator=(const Wasi&) = delete;

  // Defines every wasi_snapshot_preview1 function in `linker`, bound to
  // this state (the linker keeps it alive).
  void define(Linker& linker) const;

  // Host descriptors currently held for the guest (preopens and stdio
  // included), for leak checks.
  size_t open_host_fds() const;

  wasi_detail::WasiState& state() const { return *state_; }

 private:
  explicit Wasi(std::shared_ptr<wasi_detail::WasiState> state);
  std::shared_ptr<wasi_detail::WasiState> state_;
};

}  // namespace wasmrt
