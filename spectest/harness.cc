#include "spectest/harness.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>

#include "runtime/binary/decoder.h"
#include "runtime/cache/cached_decode.h"
#include "runtime/text/wat.h"
#include "runtime/valid/validator.h"

namespace wasmrt::spectest {

namespace fs = std::filesystem;

const char* command_kind_name(CommandKind kind) {
  switch (kind) {
    case CommandKind::Module: return "module";
    case CommandKind::Register: return "register";
    case CommandKind::Invoke: return "invoke";
    case CommandKind::Get: return "get";
    case CommandKind::AssertReturn: return "assert_return";
    case CommandKind::AssertTrap: return "assert_trap";
    case CommandKind::AssertExhaustion: return "assert_exhaustion";
    case CommandKind::AssertMalformed: return "assert_malformed";
    case CommandKind::AssertInvalid: return "assert_invalid";
    case CommandKind::AssertUnlinkable: return "assert_unlinkable";
    case CommandKind::AssertUninstantiable: return "assert_uninstantiable";
  }
  return "unknown";
}

CommandKind command_kind_of(const wast::Command& command) {
  using K = wast::Command::Kind;
  switch (command.kind) {
    case K::Module: return CommandKind::Module;
    case K::Register: return CommandKind::Register;
    case K::Action:
      return command.action.kind == wast::Action::Kind::Get ? CommandKind::Get : CommandKind::Invoke;
    case K::AssertReturn: return CommandKind::AssertReturn;
    case K::AssertTrap: return CommandKind::AssertTrap;
    case K::AssertExhaustion: return CommandKind::AssertExhaustion;
    case K::AssertMalformed: return CommandKind::AssertMalformed;
    case K::AssertInvalid: return CommandKind::AssertInvalid;
    case K::AssertUnlinkable: return CommandKind::AssertUnlinkable;
    case K::AssertUninstantiable: return CommandKind::AssertUninstantiable;
  }
  return CommandKind::Module;
}

Result<std::vector<uint8_t>> module_binary(const wast::ModuleSource& source) {
  if (source.kind == wast::ModuleSource::Kind::Binary) return source.binary;
  // Text keeps the whole `(module ...)` form; quote keeps the concatenated
  // strings, which wat_to_binary accepts as a bare list of module fields.
  return wat_to_binary(source.text);
}

namespace {
const cache::CodeCache* code_cache = nullptr;
}  // namespace

void use_code_cache(const cache::CodeCache* cache) { code_cache = cache; }

Result<ModuleDesc> compile_module(const wast::ModuleSource& source) {
  Result<std::vector<uint8_t>> bytes = module_binary(source);
  if (!bytes.ok()) return std::move(bytes).error();
  return cache::decode_and_validate(std::move(bytes.value()), code_cache);
}

namespace {

std::string describe_error(const Error& error) { return error.to_string(); }

bool message_matches(const Error& error, const std::string& expected) {
  return error.message.compare(0, expected.size(), expected) == 0;
}

std::string values_to_string(const std::vector<wast::Value>& values) {
  std::string out = "(";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i != 0) out += ' ';
    out += value_to_string(values[i]);
  }
  out += ')';
  return out;
}

// Runs the commands of one script, keeping the per-file module namespace.
class ScriptRunner {
 public:
  ScriptRunner(FileReport& report, Engine* engine) : report_(report), engine_(engine) {
    if (engine_ != nullptr) engine_->reset();
  }

  void run(const wast::Command& command) {
    const CommandKind kind = command_kind_of(command);
    Counts& counts = report_.kinds[static_cast<size_t>(kind)];
    Outcome outcome = execute(command);
    switch (outcome.status) {
      case Status::Passed: ++counts.passed; break;
      case Status::Skipped: ++counts.skipped; break;
      case Status::Failed:
        ++counts.failed;
        report_.failures.push_back(Failure{command.line, kind, std::move(outcome.expected),
                                           std::move(outcome.actual), std::move(outcome.message)});
        break;
    }
  }

 private:
  enum class Status : uint8_t { Passed, Failed, Skipped };
  struct Outcome {
    Status status = Status::Passed;
    std::string expected;
    std::string actual;
    std::string message;
  };

  static Outcome passed() { return Outcome{}; }
  static Outcome skipped() { return Outcome{Status::Skipped, {}, {}, {}}; }
  static Outcome failed(std::string expected, std::string actual, std::string message = {}) {
    return Outcome{Status::Failed, std::move(expected), std::move(actual), std::move(message)};
  }
  static Outcome failed_with(std::string expected, const Error& error) {
    return failed(std::move(expected), describe_error(error), error.message);
  }

  Outcome execute(const wast::Command& command) {
    using K = wast::Command::Kind;
    switch (command.kind) {
      case K::Module: return run_module(command);
      case K::Register: return run_register(command);
      case K::Action: return run_action(command);
      case K::AssertReturn: return run_assert_return(command);
      case K::AssertTrap:
        if (command.has_module) return run_instantiation_failure(command, Phase::Trap);
        return run_action_error(command, "trap");
      case K::AssertExhaustion: return run_action_error(command, "exhaustion");
      case K::AssertMalformed: return run_compile_failure(command, Phase::Malformed);
      case K::AssertInvalid: return run_compile_failure(command, Phase::Invalid);
      case K::AssertUnlinkable: return run_instantiation_failure(command, Phase::Unlinkable);
      case K::AssertUninstantiable: return run_instantiation_failure(command, Phase::Trap);
    }
    return failed("known command", "unknown command kind");
  }

  Outcome run_module(const wast::Command& command) {
    // A module that does not compile leaves no current module, so later
    // actions report it rather than silently using an older instance.
    current_.reset();
    Result<ModuleDesc> module = compile_module(command.module);
    if (!module.ok()) return failed_with("module compiles", module.error());
    if (engine_ == nullptr) return passed();
    auto shared = std::make_shared<ModuleDesc>(std::move(module.value()));
    Result<InstanceId> instance = engine_->instantiate(std::move(shared));
    if (!instance.ok()) return failed_with("module instantiates", instance.error());
    current_ = instance.value();
    if (command.module.name) named_[*command.module.name] = instance.value();
    return passed();
  }

  Outcome run_compile_failure(const wast::Command& command, Phase phase) {
    const std::string expected = std::string(phase_name(phase)) + ": " + command.message;
    Result<ModuleDesc> module = compile_module(command.module);
    if (module.ok()) return failed(expected, "module compiled");
    const Error& error = module.error();
    if (error.phase != phase || !message_matches(error, command.message)) {
      return failed_with(expected, error);
    }
    return passed();
  }

  // assert_unlinkable, assert_uninstantiable and assert_trap on a module:
  // the module must compile; the failure itself needs an engine.
  Outcome run_instantiation_failure(const wast::Command& command, Phase phase) {
    const std::string expected = std::string(phase_name(phase)) + ": " + command.message;
    Result<ModuleDesc> module = compile_module(command.module);
    if (!module.ok()) return failed_with(expected + " (after compiling)", module.error());
    if (engine_ == nullptr) return skipped();
    auto shared = std::make_shared<ModuleDesc>(std::move(module.value()));
    Result<InstanceId> instance = engine_->instantiate(std::move(shared));
    if (instance.ok()) return failed(expected, "module instantiated");
    const Error& error = instance.error();
    if (error.phase != phase || !message_matches(error, command.message)) {
      return failed_with(expected, error);
    }
    return passed();
  }

  // Resolves `$name` or the latest module.
  std::optional<InstanceId> instance_for(const std::optional<std::string>& name) const {
    if (!name) return current_;
    auto it = named_.find(*name);
    if (it == named_.end()) return std::nullopt;
    return it->second;
  }

  Outcome run_register(const wast::Command& command) {
    if (engine_ == nullptr) return skipped();
    std::optional<InstanceId> instance = instance_for(command.register_module);
    if (!instance) return failed("module to register", "no such module");
    Result<void> registered = engine_->register_instance(*instance, command.register_name);
    if (!registered.ok()) return failed_with("registered", registered.error());
    return passed();
  }

  Result<std::vector<wast::Value>> perform(const wast::Action& action) {
    std::optional<InstanceId> instance = instance_for(action.module);
    if (!instance) {
      return Error{Phase::Unlinkable, action.module ? "unknown module " + *action.module : "no current module"};
    }
    if (action.kind == wast::Action::Kind::Get) {
      Result<wast::Value> value = engine_->get(*instance, action.field);
      if (!value.ok()) return std::move(value).error();
      return std::vector<wast::Value>{std::move(value.value())};
    }
    return engine_->invoke(*instance, action.field, action.args);
  }

  Outcome run_action(const wast::Command& command) {
    if (engine_ == nullptr) return skipped();
    Result<std::vector<wast::Value>> results = perform(command.action);
    if (!results.ok()) return failed_with("no error", results.error());
    return passed();
  }

  Outcome run_assert_return(const wast::Command& command) {
    if (engine_ == nullptr) return skipped();
    const std::string expected = values_to_string(command.expected);
    Result<std::vector<wast::Value>> results = perform(command.action);
    if (!results.ok()) return failed_with(expected, results.error());
    const std::vector<wast::Value>& actual = results.value();
    bool ok = actual.size() == command.expected.size();
    for (size_t i = 0; ok && i < actual.size(); ++i) ok = value_matches(command.expected[i], actual[i]);
    if (!ok) return failed(expected, values_to_string(actual));
    return passed();
  }

  Outcome run_action_error(const wast::Command& command, const char* what) {
    if (engine_ == nullptr) return skipped();
    const std::string expected = std::string(what) + ": " + command.message;
    Result<std::vector<wast::Value>> results = perform(command.action);
    if (results.ok()) return failed(expected, "returned " + values_to_string(results.value()));
    const Error& error = results.error();
    if (error.phase != Phase::Trap || !message_matches(error, command.message)) {
      return failed_with(expected, error);
    }
    return passed();
  }

  FileReport& report_;
  Engine* engine_;
  std::optional<InstanceId> current_;
  std::map<std::string, InstanceId> named_;
};

}  // namespace

FileReport run_script(std::string_view path, std::string_view text, Engine* engine) {
  FileReport report;
  report.path = std::string(path);
  report.name = fs::path(report.path).filename().string();
  Result<wast::Script> script = wast::parse_script(text);
  if (!script.ok()) {
    report.script_error = true;
    const Error& error = script.error();
    // Counted against `module` because no command could be attributed.
    report.kinds[static_cast<size_t>(CommandKind::Module)].failed += 1;
    report.failures.push_back(
        Failure{error.line, CommandKind::Module, "script parses", describe_error(error), error.message});
    return report;
  }
  ScriptRunner runner(report, engine);
  for (const wast::Command& command : script.value().commands) runner.run(command);
  return report;
}

namespace {

Result<std::string> read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{Phase::Malformed, "cannot open " + path};
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

FileReport run_script_file(const std::string& path, Engine* engine) {
  Result<std::string> text = read_whole_file(path);
  if (!text.ok()) {
    FileReport report;
    report.path = path;
    report.name = fs::path(path).filename().string();
    report.script_error = true;
    report.kinds[static_cast<size_t>(CommandKind::Module)].failed += 1;
    report.failures.push_back(Failure{0, CommandKind::Module, "readable file", text.error().message, {}});
    return report;
  }
  return run_script(path, text.value(), engine);
}

Result<std::vector<std::string>> collect_wast_files(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<std::string> found;
      for (const fs::directory_entry& entry : fs::directory_iterator(path, ec)) {
        if (entry.is_regular_file(ec) && entry.path().extension() == ".wast") {
          found.push_back(entry.path().string());
        }
      }
      if (ec) return Error{Phase::Malformed, "cannot list " + path + ": " + ec.message()};
      std::sort(found.begin(), found.end());
      if (found.empty()) return Error{Phase::Malformed, "no .wast files in " + path};
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(path, ec)) {
      files.push_back(path);
    } else {
      return Error{Phase::Malformed, "no such file or directory: " + path};
    }
  }
  return files;
}

Result<size_t> dump_modules(const std::vector<std::string>& script_paths, const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error{Phase::Malformed, "cannot create " + dir + ": " + ec.message()};
  size_t written = 0;
  for (const std::string& path : script_paths) {
    Result<std::string> text = read_whole_file(path);
    if (!text.ok()) return std::move(text).error();
    Result<wast::Script> script = wast::parse_script(text.value());
    if (!script.ok()) continue;  // reported by a normal run; nothing to seed from
    const std::string stem = fs::path(path).stem().string();
    std::map<uint32_t, int> per_line;  // disambiguates several modules on one line
    for (const wast::Command& command : script.value().commands) {
      const bool has_module = command.kind == wast::Command::Kind::Module || command.has_module;
      if (!has_module) continue;
      // Malformed binaries are kept too: they are the most useful fuzz seeds.
      Result<std::vector<uint8_t>> bytes = module_binary(command.module);
      if (!bytes.ok()) continue;
      std::string name = stem + "." + std::to_string(command.line);
      if (int n = per_line[command.line]++; n > 0) name += "_" + std::to_string(n);
      std::ofstream out(fs::path(dir) / (name + ".wasm"), std::ios::binary);
      out.write(reinterpret_cast<const char*>(bytes.value().data()),
                static_cast<std::streamsize>(bytes.value().size()));
      if (!out) return Error{Phase::Malformed, "cannot write " + name + ".wasm in " + dir};
      ++written;
    }
  }
  return written;
}

}  // namespace wasmrt::spectest
