#include "plugin_host/registry.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <system_error>

#include "plugin_host/digest.h"

namespace wasmrt::plugin {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

Error io_error(const std::string& what, const fs::path& path, int error_number) {
  return Error{ErrorCode::Io, what + " " + path.string() + ": " + std::strerror(error_number)};
}

// Writes to PATH.tmp, syncs, renames over PATH and syncs the directory, so
// a crash leaves either the old file or the new one, never a torn one.
Expected<void> write_file_atomically(const fs::path& path, std::string_view bytes) {
  fs::path temporary = path;
  temporary += ".tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot create", temporary, errno);
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int saved = errno;
      ::close(fd);
      ::unlink(temporary.c_str());
      return io_error("cannot write", temporary, saved);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int saved = errno;
    ::unlink(temporary.c_str());
    return io_error("cannot sync", temporary, saved);
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    int saved = errno;
    ::unlink(temporary.c_str());
    return io_error("cannot rename onto", path, saved);
  }
  int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return {};
}

std::optional<std::vector<uint8_t>> read_whole_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

ErrorCode code_of_compile_error(const wasmrt::Error& error) {
  return error.phase == Phase::Malformed ? ErrorCode::Malformed : ErrorCode::Invalid;
}

}  // namespace

bool is_plugin_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '.' || name.starts_with(kDigestPrefix))
    return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Registry::Registry(Engine compile_engine, Engine run_engine, Options options)
    : compile_engine_(std::move(compile_engine)),
      run_engine_(std::move(run_engine)),
      options_(std::move(options)) {}

Expected<std::unique_ptr<Registry>> Registry::open(Engine compile_engine, Engine run_engine,
                                                   Options options) {
  std::unique_ptr<Registry> registry(
      new Registry(std::move(compile_engine), std::move(run_engine), std::move(options)));
  const fs::path& dir = registry->options_.directory;
  if (dir.empty()) return registry;

  std::error_code ec;
  fs::create_directories(dir / "modules", ec);
  if (ec) return Error{ErrorCode::Io, "cannot create " + (dir / "modules").string() + ": " + ec.message()};
  for (const auto& file : fs::directory_iterator(dir / "modules", ec)) {
    const fs::path& path = file.path();
    if (path.extension() != ".wasm") continue;  // a *.tmp left by a crash
    std::string digest = std::string(kDigestPrefix) + path.stem().string();
    auto bytes = read_whole_file(path);
    if (!bytes) return Error{ErrorCode::Io, "cannot read " + path.string()};
    if (!is_digest(digest) || sha256_digest(*bytes) != digest)
      return Error{ErrorCode::Corrupt, path.string() + " does not hash to its name"};
    // Accepted once already: compiled again, not smoke-called again.
    auto entry = registry->admit(*bytes, digest, /*smoke=*/false);
    if (!entry.ok()) return Error{ErrorCode::Corrupt, path.string() + ": " + entry.error().to_string()};
    registry->modules_.emplace(digest, std::move(*entry));
  }
  if (ec) return Error{ErrorCode::Io, "cannot list " + (dir / "modules").string() + ": " + ec.message()};

  fs::path plugins_path = dir / "plugins.json";
  if (!fs::exists(plugins_path)) return registry;
  auto text = read_whole_file(plugins_path);
  if (!text) return Error{ErrorCode::Io, "cannot read " + plugins_path.string()};
  json document = json::parse(text->begin(), text->end(), nullptr, /*allow_exceptions=*/false);
  if (!document.is_object() || !document.contains("plugins") || !document["plugins"].is_object())
    return Error{ErrorCode::Corrupt, plugins_path.string() + " is not a plugins document"};
  for (const auto& [name, plugin] : document["plugins"].items()) {
    if (!is_plugin_name(name) || !plugin.is_object() || !plugin.contains("history") ||
        !plugin["history"].is_array() || plugin["history"].empty())
      return Error{ErrorCode::Corrupt, plugins_path.string() + ": bad entry for plugin '" + name + "'"};
    PluginState state;
    for (const auto& digest : plugin["history"]) {
      if (!digest.is_string() || !registry->modules_.contains(digest.get<std::string>()))
        return Error{ErrorCode::Corrupt,
                     plugins_path.string() + ": plugin '" + name + "' names a missing module"};
      state.history.push_back(digest.get<std::string>());
    }
    state.active = registry->modules_.find(state.history.back())->second;
    registry->plugins_.emplace(name, std::move(state));
  }
  return registry;
}

Expected<std::shared_ptr<const ModuleEntry>> Registry::admit(std::span<const uint8_t> bytes,
                                                             const std::string& digest, bool smoke) const {
  auto module = compile_engine_.compile(bytes);
  if (!module.ok()) return Error{code_of_compile_error(module.error()), module.error().to_string()};
  auto abi = detect_abi(**module);
  if (!abi.ok()) return abi.error();
  if (smoke) {
    GuestRequest request;
    request.env = {{"WASMRT_SMOKE", "1"}};
    GuestResult result = run_guest(run_engine_, *module, *abi, options_.smoke_limits, request);
    if (result.unlinkable) return Error{ErrorCode::Unlinkable, result.message};
    if (result.kind != OutcomeKind::Ok && result.kind != OutcomeKind::ApplicationError) {
      std::string message = std::string("the smoke call ended in ") + outcome_name(result.kind);
      if (!result.trap_kind.empty()) message += " (" + result.trap_kind + ")";
      if (!result.message.empty()) message += ": " + result.message;
      return Error{ErrorCode::SmokeFailed, message};
    }
  }
  auto entry = std::make_shared<ModuleEntry>();
  entry->digest = digest;
  entry->module = std::move(*module);
  entry->abi = *abi;
  entry->size_bytes = bytes.size();
  return std::shared_ptr<const ModuleEntry>(std::move(entry));
}

Expected<Registry::Added> Registry::add(std::span<const uint8_t> bytes) {
  std::string digest = sha256_digest(bytes);
  if (module(digest)) return Added{digest, false};
  // Compiling and the smoke call run outside every lock: they take
  // milliseconds to seconds, and requests must not wait for them.
  auto entry = admit(bytes, digest, /*smoke=*/true);
  if (!entry.ok()) return entry.error();
  std::lock_guard change(change_mutex_);
  if (module(digest)) return Added{digest, false};  // a concurrent add won
  if (!options_.directory.empty()) {
    fs::path path = options_.directory / "modules" / (digest.substr(kDigestPrefix.size()) + ".wasm");
    auto written = write_file_atomically(
        path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    if (!written.ok()) return written.error();
  }
  std::lock_guard lock(mutex_);
  modules_.emplace(digest, std::move(*entry));
  return Added{digest, true};
}

std::shared_ptr<const ModuleEntry> Registry::module(std::string_view digest) const {
  std::lock_guard lock(mutex_);
  auto it = modules_.find(digest);
  return it == modules_.end() ? nullptr : it->second;
}

Expected<std::shared_ptr<const ModuleEntry>> Registry::resolve(std::string_view target) const {
  if (target.starts_with(kDigestPrefix)) {
    if (auto entry = module(target)) return entry;
    return Error{ErrorCode::NotFound, "no module " + std::string(target)};
  }
  std::lock_guard lock(mutex_);
  auto it = plugins_.find(target);
  if (it == plugins_.end()) return Error{ErrorCode::NotFound, "no plugin " + quote_text(target) + ""};
  return it->second.active;
}

PluginInfo Registry::info_of(const std::string& name, const PluginState& state) {
  return PluginInfo{name, state.active->digest, state.history};
}

Expected<PluginInfo> Registry::activate(std::string_view name, std::string_view digest) {
  return change_plugin(name, digest, /*rollback=*/false);
}

Expected<PluginInfo> Registry::rollback(std::string_view name) {
  return change_plugin(name, "", /*rollback=*/true);
}

Expected<PluginInfo> Registry::change_plugin(std::string_view name, std::string_view digest, bool rollback) {
  if (!is_plugin_name(name)) return Error{ErrorCode::BadArgument, quote_text(name) + " is not a plugin name"};
  std::lock_guard change(change_mutex_);
  // Changes are serialized by change_mutex_, so the state copied here is
  // still current when the new one replaces it below.
  std::map<std::string, PluginState, std::less<>> next;
  {
    std::lock_guard lock(mutex_);
    next = plugins_;
  }
  auto it = next.find(name);
  if (rollback) {
    if (it == next.end()) return Error{ErrorCode::NotFound, "no plugin " + quote_text(name) + ""};
    if (it->second.history.size() < 2)
      return Error{ErrorCode::Conflict,
                   "plugin " + quote_text(name) + " has no earlier version to roll back to"};
    it->second.history.pop_back();
    it->second.active = module(it->second.history.back());
  } else {
    if (!is_digest(digest)) return Error{ErrorCode::BadArgument, quote_text(digest) + " is not a digest"};
    auto entry = module(digest);
    if (!entry) return Error{ErrorCode::NotFound, "no module " + std::string(digest)};
    // Activating the active version again changes nothing (PUT is
    // idempotent): a second entry would make the next rollback a no-op.
    if (it != next.end() && it->second.active->digest == digest) return info_of(it->first, it->second);
    if (it == next.end()) it = next.emplace(std::string(name), PluginState{}).first;
    it->second.active = std::move(entry);
    it->second.history.emplace_back(digest);
    if (it->second.history.size() > options_.max_history)
      it->second.history.erase(it->second.history.begin(),
                               it->second.history.end() - static_cast<std::ptrdiff_t>(options_.max_history));
  }
  if (auto written = write_plugins(next); !written.ok()) return written.error();
  PluginInfo info = info_of(it->first, it->second);
  std::lock_guard lock(mutex_);
  plugins_ = std::move(next);
  return info;
}

Expected<PluginInfo> Registry::plugin(std::string_view name) const {
  std::lock_guard lock(mutex_);
  auto it = plugins_.find(name);
  if (it == plugins_.end()) return Error{ErrorCode::NotFound, "no plugin " + quote_text(name) + ""};
  return info_of(it->first, it->second);
}

std::vector<PluginInfo> Registry::plugins() const {
  std::lock_guard lock(mutex_);
  std::vector<PluginInfo> out;
  for (const auto& [name, state] : plugins_) out.push_back(info_of(name, state));
  return out;
}

std::vector<std::string> Registry::digests() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [digest, entry] : modules_) out.push_back(digest);
  return out;
}

Expected<void> Registry::write_plugins(const std::map<std::string, PluginState, std::less<>>& plugins) const {
  if (options_.directory.empty()) return {};
  json document = {{"plugins", json::object()}};
  for (const auto& [name, state] : plugins) document["plugins"][name] = {{"history", state.history}};
  return write_file_atomically(options_.directory / "plugins.json", document.dump(2) + "\n");
}

Expected<void> Registry::persist() const {
  std::lock_guard change(change_mutex_);
  std::map<std::string, PluginState, std::less<>> copy;
  {
    std::lock_guard lock(mutex_);
    copy = plugins_;
  }
  return write_plugins(copy);
}

}  // namespace wasmrt::plugin
