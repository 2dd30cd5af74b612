// The .wast script format used by the official spec test suite.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wasmrt/result.h"

namespace wasmrt::wast {

// A module as written in a script. Text and quote modules keep their source
// and are encoded when the harness reaches them, so a text error in one
// command fails that command only.
struct ModuleSource {
  enum class Kind : uint8_t { Text, Binary, Quote } kind = Kind::Text;
  std::optional<std::string> name;  // `$id` after `module`, if any (without the `$`)
  std::string text;                 // Text: the whole `(module ...)` form; Quote: the concatenated strings
  std::vector<uint8_t> binary;      // Binary: the concatenated bytes
};

// A constant argument or an expected result.
struct Value {
  enum class Kind : uint8_t {
    I32, I64, F32, F64, V128,
    RefNull,    // (ref.null func|extern); ref_type says which
    RefFunc,    // expected (ref.func): any non-null funcref
    RefExtern,  // (ref.extern N)
    // Expected-result patterns:
    NanCanonical,   // f32/f64 (float_type) or one v128 lane
    NanArithmetic,
    Either,         // (either v1 v2 ...): any of `alternatives` matches
  } kind = Kind::I32;
  uint8_t float_bits = 32;     // for Nan* patterns: 32 or 64
  uint64_t bits = 0;           // I32/I64/F32/F64 payload; RefExtern index
  bool ref_is_func = true;     // RefNull: func (true) or extern (false)
  // V128: the bytes, plus (for expected results) the lane shape and
  // per-lane NaN patterns when some lane is nan:canonical / nan:arithmetic.
  uint8_t v128[16] = {};
  std::string lane_shape;              // "i8x16", "f32x4", ... ("" if exact)
  std::vector<Value> lanes;            // per-lane expected values when patterned
  std::vector<Value> alternatives;     // Either
};

struct Action {
  enum class Kind : uint8_t { Invoke, Get } kind = Kind::Invoke;
  std::optional<std::string> module;  // `$id` (without the `$`), or the latest module
  std::string field;                  // export name (decoded string)
  std::vector<Value> args;
};

struct Command {
  enum class Kind : uint8_t {
    Module,               // module
    Register,             // register "name" $module?
    Action,               // bare invoke / get
    AssertReturn,         // action, expected
    AssertTrap,           // action or module, message
    AssertExhaustion,     // action, message
    AssertMalformed,      // module, message
    AssertInvalid,        // module, message
    AssertUnlinkable,     // module, message
    AssertUninstantiable, // module, message
  } kind = Kind::Module;
  uint32_t line = 0;  // 1-based line of the command's opening paren
  ModuleSource module;           // Module and module-taking assertions
  // True for `module` and every assertion that carries a module (assert_trap
  // takes either a module or an action).
  bool has_module = false;
  Action action;
  std::vector<Value> expected;   // AssertReturn
  std::string message;           // assertion text
  std::string register_name;     // Register: the import name
  std::optional<std::string> register_module;  // Register: `$id`
};

struct Script {
  std::vector<Command> commands;
};

// Parses a whole script. A script-level syntax error (not a module's text
// error, which is deferred) fails the whole parse with line and column.
Result<Script> parse_script(std::string_view text);

}  // namespace wasmrt::wast
