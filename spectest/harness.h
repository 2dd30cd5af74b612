// The spec-suite harness: runs .wast scripts command by command and counts
// every command as passed, failed or skipped.
//
// Compilation (text -> binary -> decode -> validate) is done here; anything
// that needs execution goes through an Engine (spectest/engine.h). Without an
// engine, execution-dependent commands are counted as skipped, never passed.
#pragma once

#include <array>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/binary/module.h"
#include "runtime/cache/code_cache.h"
#include "runtime/text/wast.h"
#include "spectest/engine.h"
#include "wasmrt/result.h"

namespace wasmrt::spectest {

// The kinds counted separately in reports. Bare actions are split into
// invoke and get because they exercise different engine entry points.
enum class CommandKind : uint8_t {
  Module,
  Register,
  Invoke,
  Get,
  AssertReturn,
  AssertTrap,
  AssertExhaustion,
  AssertMalformed,
  AssertInvalid,
  AssertUnlinkable,
  AssertUninstantiable,
};
inline constexpr size_t kNumCommandKinds = 11;
const char* command_kind_name(CommandKind kind);
CommandKind command_kind_of(const wast::Command& command);

struct Counts {
  uint64_t passed = 0;
  uint64_t failed = 0;
  uint64_t skipped = 0;
  Counts& operator+=(const Counts& other) {
    passed += other.passed;
    failed += other.failed;
    skipped += other.skipped;
    return *this;
  }
};

struct Failure {
  uint32_t line = 0;
  CommandKind kind = CommandKind::Module;
  std::string expected;  // what the script asked for
  std::string actual;    // what happened, with phase and position
  // The bare error message (no phase/position) when the failure came from
  // an Error, so reports can group failures by message.
  std::string actual_message;
};

struct FileReport {
  std::string path;
  std::string name;  // file name without directories, for printing
  std::array<Counts, kNumCommandKinds> kinds{};
  std::vector<Failure> failures;
  // Set when the script itself could not be parsed; the file then counts as
  // one failure (line of the syntax error) and nothing else runs.
  bool script_error = false;

  Counts total() const {
    Counts sum;
    for (const Counts& c : kinds) sum += c;
    return sum;
  }
};

// Text or quote -> wat_to_binary; then decode_module and validate_module
// (through the code cache when use_code_cache gave one).
Result<ModuleDesc> compile_module(const wast::ModuleSource& source);

// Makes compile_module decode and validate through `cache` (wasm-spectest
// --cache DIR), so the suite checks that modules loaded from cache entries
// behave as compiled ones; null (the default): no cache.
void use_code_cache(const cache::CodeCache* cache);

// The binary encoding of a script module (text and quote modules are
// converted), without decoding it.
Result<std::vector<uint8_t>> module_binary(const wast::ModuleSource& source);

// Runs one script. `engine` may be null (execution commands are skipped).
FileReport run_script(std::string_view path, std::string_view text, Engine* engine);
FileReport run_script_file(const std::string& path, Engine* engine);

// Expands PATH arguments: a file is taken as is; a directory contributes
// every `*.wast` directly inside it (not subdirectories such as proposals/),
// sorted by name. Fails if a path does not exist or nothing is found.
Result<std::vector<std::string>> collect_wast_files(const std::vector<std::string>& paths);

// True if `actual` (a value an engine returned) satisfies `expected`
// (a value or pattern from the script).
bool value_matches(const wast::Value& expected, const wast::Value& actual);
std::string value_to_string(const wast::Value& value);

// Machine-readable report of a run.
void write_json_report(std::ostream& out, std::string_view engine_name,
                       const std::vector<FileReport>& reports);

// Writes every module of the given scripts that has a binary encoding (binary
// modules as written, text/quote modules that convert) as
// DIR/<script>.<line>.wasm. Returns the number of files written.
Result<size_t> dump_modules(const std::vector<std::string>& script_paths, const std::string& dir);

}  // namespace wasmrt::spectest
