// The module registry: modules keyed by the SHA-256 of their bytes, and
// named plugins whose active version can be switched and rolled back while
// requests run (docs/plugin-host.md).
//
// add() compiles a module once, detects its guest ABI, runs a smoke call
// (an empty request that must end in ok or an application error) and only
// then accepts it; a refusal leaves nothing behind, in memory or on disk.
// A plugin's state is one immutable snapshot swapped under a mutex:
// resolve() hands out a shared_ptr to the module entry, so a call holds the
// version it started with until it ends, while later calls see the new one.
//
// With a directory, every accepted module is written to
// DIR/modules/<hex>.wasm and the plugins to DIR/plugins.json (each
// written to a temporary file, synced, then renamed over the old one), so
// open() after a restart finds exactly what was accepted.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "plugin_host/guest.h"
#include "plugin_host/outcome.h"
#include "wasmrt/wasmrt.h"

namespace wasmrt::plugin {

struct ModuleEntry {
  std::string digest;  // "sha256:<hex>"
  std::shared_ptr<const Module> module;
  GuestAbi abi = GuestAbi::Command;
  std::size_t size_bytes = 0;
};

struct PluginInfo {
  std::string name;
  std::string active;                // the active digest
  std::vector<std::string> history;  // activations, oldest first; back() is active
};

// Plugin names: 1-64 of [A-Za-z0-9._-], not starting with '.' and never a
// digest, so "/run/<name>" and "/run/sha256:..." cannot be confused.
bool is_plugin_name(std::string_view name);

class Registry {
 public:
  struct Options {
    // Empty: in memory only.
    std::filesystem::path directory;
    // The smoke call's budgets; the store comes from `run_engine`.
    RunLimits smoke_limits;
    // Activations kept per plugin (the rollback depth).
    std::size_t max_history = 256;
  };

  // Opens (creating it if needed) the registry in options.directory and
  // loads what it holds: each module's bytes must hash to its file name
  // and compile, and every digest plugins.json names must be present, else
  // ErrorCode::Corrupt. `compile_engine` compiles; `run_engine` makes the
  // smoke call's store (same metering).
  static Expected<std::unique_ptr<Registry>> open(Engine compile_engine, Engine run_engine, Options options);

  struct Added {
    std::string digest;
    bool created = false;  // false: the module was already registered
  };
  Expected<Added> add(std::span<const uint8_t> bytes);

  // A plugin name, or a digest for a pinned version.
  Expected<std::shared_ptr<const ModuleEntry>> resolve(std::string_view target) const;
  std::shared_ptr<const ModuleEntry> module(std::string_view digest) const;

  // Makes `digest` the active version of `name` (creating the plugin).
  Expected<PluginInfo> activate(std::string_view name, std::string_view digest);
  // Makes the previous activation active again (Conflict when there is none).
  Expected<PluginInfo> rollback(std::string_view name);
  Expected<PluginInfo> plugin(std::string_view name) const;
  std::vector<PluginInfo> plugins() const;
  std::vector<std::string> digests() const;

  // Writes plugins.json again (the server calls it at shutdown; every
  // change already wrote it).
  Expected<void> persist() const;

 private:
  struct PluginState {
    std::shared_ptr<const ModuleEntry> active;
    std::vector<std::string> history;
  };
  Registry(Engine compile_engine, Engine run_engine, Options options);
  Expected<std::shared_ptr<const ModuleEntry>> admit(std::span<const uint8_t> bytes,
                                                     const std::string& digest, bool smoke) const;
  Expected<void> write_plugins(const std::map<std::string, PluginState, std::less<>>& plugins) const;
  Expected<PluginInfo> change_plugin(std::string_view name, std::string_view digest, bool rollback);
  static PluginInfo info_of(const std::string& name, const PluginState& state);

  Engine compile_engine_;
  Engine run_engine_;
  Options options_;
  // Guards modules_ and plugins_; held only to read or swap them.
  mutable std::mutex mutex_;
  // Serializes changes (and their writes to disk) so that the file and the
  // memory change in the same order.
  mutable std::mutex change_mutex_;
  std::map<std::string, std::shared_ptr<const ModuleEntry>, std::less<>> modules_;
  std::map<std::string, PluginState, std::less<>> plugins_;
};

}  // namespace wasmrt::plugin
