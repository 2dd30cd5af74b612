// The execution side of the spec harness. The harness itself only parses
// scripts and compiles modules; everything that needs running code goes
// through an Engine, so the interpreter (and later the JIT) plug in here
// without touching the command loop.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/binary/module.h"
#include "runtime/text/wast.h"
#include "wasmrt/result.h"

namespace wasmrt::spectest {

// Opaque handle to an instance owned by the engine.
using InstanceId = uint32_t;

class Engine {
 public:
  virtual ~Engine() = default;

  virtual const char* name() const = 0;

  // Called once per script file before its first command, so every file
  // starts from an empty registry except the host module "spectest"
  // (print*, global_i32/i64/f32/f64, table, memory) that the engine provides.
  virtual void reset() = 0;

  // Links `module` (already decoded and validated) against the registered
  // instances and runs its start function. Errors: Phase::Unlinkable for an
  // import that cannot be resolved ("unknown import", "incompatible import
  // type"), Phase::Trap for a trap during initialisation or start.
  virtual Result<InstanceId> instantiate(std::shared_ptr<ModuleDesc> module) = 0;

  // Makes `instance`'s exports importable under module name `as_name`.
  virtual Result<void> register_instance(InstanceId instance, std::string_view as_name) = 0;

  // Calls export `field`. Results use wast::Value kinds I32/I64/F32/F64/V128,
  // RefNull (ref_is_func says which), RefFunc (non-null funcref) and
  // RefExtern (bits = the host value). Errors: Phase::Trap with the spec's
  // trap text; stack overflow is Phase::Trap "call stack exhausted".
  virtual Result<std::vector<wast::Value>> invoke(InstanceId instance, std::string_view field,
                                                   const std::vector<wast::Value>& args) = 0;

  // Reads exported global `field`.
  virtual Result<wast::Value> get(InstanceId instance, std::string_view field) = 0;
};

// Creates the engine named on the command line: "interp", "baseline", "jit"
// (each also "-metered"), or "none" (compile only). Returns nullptr with `error` empty for "none" (execution
// commands are then counted as skipped), and nullptr with `error` set when
// the engine cannot be used in this build ("jit engine not available on this architecture").
// `lazy`: translate each function on its first call (the default, as
// EngineConfig::lazy_compilation), else every function of a module when it
// is instantiated (wasm-spectest --compile eager).
std::unique_ptr<Engine> make_engine(std::string_view name, std::string& error, bool lazy = true);

// The interpreter adapter (spectest/interp_engine.cc); `metered` compiles
// with fuel metering and interrupt checks ("interp-metered").
std::unique_ptr<Engine> make_interp_engine(bool metered = false, bool lazy = true);
// The same on machine code (jit/jit.h): every function compiled up front
// (Baseline, or Optimizing: x86-64 and arm64, jit::optimizing_available()), or
// tiered, with thresholds low enough that functions switch to machine code
// in the middle of most scripts, and loops in the middle of their calls
// (on-stack replacement).
enum class JitMode { None, Baseline, Optimizing, Tiered };
std::unique_ptr<Engine> make_jit_engine(bool metered, JitMode mode, bool lazy = true);

}  // namespace wasmrt::spectest
