// The public embedding API of wasmrt, version 1.
//
// `Engine` (configuration) compiles bytes (binary or text, detected by
// content) into an immutable, thread-shareable `Module`: decoded, validated
// and translated once. A `Linker` resolves imports by (module, name) (host
// functions from C++ callables, exports of other instances) and instantiates
// a Module into a `Store`; the `Instance` then calls exports with typed
// values and reads/writes memory. See wasmrt/instance.h, wasmrt/host.h,
// wasmrt/value.h and wasmrt/trap.h (all included here).
//
// This header includes nothing from the runtime's internals: an installed
// wasmrt ships only the headers under include/wasmrt/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "wasmrt/result.h"

namespace wasmrt {

inline constexpr std::string_view kVersion = "0.2.0";

// The CPU architecture this wasmrt library was built for, spelled as
// `uname -m` does: "x86_64", "aarch64" ("unknown" for others). Decided when
// the library is compiled, not in this header, so an embedder compiled
// apart from the library still sees the library's own answer. Together with
// Engine::jit_available() it says which tiers run here (wasm-run --version).
std::string_view host_architecture();

// What an import or export refers to. Named "external" (as in the JS API)
// to stay distinct from the runtime's internal binary-format enum.
enum class ExternalKind : uint8_t { Function, Table, Memory, Global };

// "func", "table", "memory", "global" (the text-format keywords).
std::string_view external_kind_name(ExternalKind kind);

struct ImportDescriptor {
  std::string module;  // first import name
  std::string name;    // second import name
  ExternalKind kind = ExternalKind::Function;
  // The import's type in text-format syntax, e.g. "(func (param i32) (result i64))",
  // "(table 1 10 funcref)", "(memory 1)", "(global (mut i32))".
  std::string type;
};

struct ExportDescriptor {
  std::string name;
  ExternalKind kind = ExternalKind::Function;
  uint32_t index = 0;  // in the module's index space for `kind` (imports first)
  std::string type;    // same syntax as ImportDescriptor::type
};

// A decoded and validated module. Immutable after compile(), so one Module
// can be shared by any number of threads and (later) instances.
class Module {
 public:
  // Compiles a module from its binary encoding ("\0asm" magic) or its text
  // format; the format is chosen by content, never by file name. Decodes,
  // then validates. Errors carry the phase (Malformed / Invalid), the spec's
  // message and a byte offset (binary) or line:column (text). The same as
  // Engine().compile(bytes): a default EngineConfig (interrupt checks on,
  // no fuel metering).
  static Result<std::shared_ptr<const Module>> compile(std::span<const uint8_t> bytes);

  ~Module();
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  std::span<const ImportDescriptor> imports() const;
  std::span<const ExportDescriptor> exports() const;

  // The module's name from the `name` custom section, or "" if none.
  std::string_view name() const;
  // A function's name from the `name` custom section, if it has one.
  std::optional<std::string_view> function_name(uint32_t function_index) const;
  // The start function's index, if the module declares one.
  std::optional<uint32_t> start_function() const;

  // Sizes of the index spaces (imports included).
  uint32_t function_count() const;
  uint32_t table_count() const;
  uint32_t memory_count() const;
  uint32_t global_count() const;

  // The module's binary encoding (text input is returned encoded).
  std::span<const uint8_t> binary() const;

  struct Impl;  // internal (runtime/api/module_impl.h)
  const Impl& impl() const { return *impl_; }

 private:
  friend class Engine;
  explicit Module(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// How compiled code runs. Every tier gives the same results, charges the
// same fuel and stops at the same interrupt checks (docs/jit.md).
enum class ExecutionTier : uint8_t {
  Interpreter,  // portable; compiles fastest
  // Every function compiled to machine code when the module is compiled,
  // by the baseline JIT (needs Engine::jit_available()).
  Baseline,
  // Every function compiled up front by the optimizing tier (values in
  // machine registers); functions it cannot compile get the baseline's
  // code. x86-64 and arm64 (Engine::optimizing_available()); refused
  // elsewhere.
  Optimizing,
  // Tiered: functions start on the interpreter; hot ones (tier_up_calls,
  // tier_up_back_edges) are compiled in the background, by the optimizing
  // tier where there is one (else the baseline), and switched to, running
  // loops included (needs Engine::jit_available()).
  Jit,
  // Jit where Engine::jit_available(), else Interpreter.
  Auto,
};

// Engine-wide settings: resource limits and the metering compiled into code.
// Every field has a safe default; a Store created from an Engine applies
// the limits to everything created in it. The names of the limit fields
// appear in the errors that refuse something because of them.
struct EngineConfig {
  // ---- compilation ----
  // Baseline or Jit on a host without a code generator fails
  // Engine::compile. Auto: the tiered JIT where there is one, so code
  // reaches machine code without paying to compile functions that run
  // only a few times (docs/jit.md).
  ExecutionTier tier = ExecutionTier::Auto;
  // Tier-up (ExecutionTier::Jit): a function is compiled after this many
  // calls, or after about this many taken loop back edges in all its
  // calls together, counted in samples of up to 1024 (a running loop
  // then continues in machine code: on-stack replacement).
  uint32_t tier_up_calls = 1000;
  uint32_t tier_up_back_edges = 20000;
  // Compile hot functions on the thread that found them hot, before it
  // goes on, instead of on the background thread: tier-up happens at the
  // same point of every run (tests).
  bool tier_up_synchronous = false;
  // When the interpreter's code for a function is made: lazily (true), on
  // the function's first call (or when tier-up compiles a caller), once,
  // by whichever thread needs it first; or eagerly, for every function
  // when the module is compiled (benchmarks, and hosts that want all the
  // work done up front). Either way every function is validated when the
  // module is compiled, so an invalid module is refused there, and a
  // module behaves the same. Baseline and Optimizing compile every
  // function to machine code up front, so they translate eagerly too.
  bool lazy_compilation = true;
  // Inputs larger than this are refused before any decoding work.
  std::size_t max_module_bytes = std::size_t{1} << 30;
  // The on-disk code cache (docs/code-cache.md): a directory, created if
  // missing, where each compiled module is kept under the SHA-256 of its
  // bytes, this build and the config fields that change compiled code, so
  // a later process compiling the same module with the same config loads
  // the entry (checked first, never trusted blindly) instead of decoding
  // and validating it again. Empty: no cache. Whoever can write the
  // directory can run code in every host that uses it: keep it private.
  std::string cache_dir;
  // The entries' total size; past it, the least recently used entries are
  // removed after each write.
  uint64_t cache_max_bytes = uint64_t{512} << 20;
  // Deterministic fuel metering (docs/fuel.md): compiled code charges fuel
  // per basic block; a Store starts with 0 fuel (Store::set_fuel), and
  // running out traps with TrapKind::OutOfFuel. Off: no metering code.
  bool consume_fuel = false;
  // Interrupt checks at every function entry and every loop back edge, so
  // Store::interrupt(), InterruptHandle and timeouts can stop any guest.
  // Off only when the embedder never needs to stop a call.
  bool interruptible = true;

  // ---- per-store resource limits ----
  // Every linear memory, in 64 KiB pages: a module whose initial size
  // exceeds it fails to instantiate (ResourceLimit::MemoryPages);
  // memory.grow past it returns -1.
  uint64_t max_memory_pages = 65536;
  // The pages of all memories of one store together; same rules
  // (ResourceLimit::StoreMemoryPages).
  uint64_t max_store_memory_pages = 4 * 65536;
  // The elements of all tables of one store together (8 bytes each): a
  // module whose tables' initial sizes would pass it fails to instantiate
  // (ResourceLimit::TableElements); table.grow past it returns -1.
  uint64_t max_table_elements = 10'000'000;
  // Objects one store may hold (ResourceLimit::Instances / Memories /
  // Tables), counting host-created ones.
  uint32_t max_instances = 10'000;
  uint32_t max_memories = 10'000;
  uint32_t max_tables = 10'000;
  // Reserve 8 GiB of address space around each linear memory, so that the
  // JIT can leave the bounds checks of its accesses to the hardware
  // (docs/jit.md). Off: each memory reserves only what it may grow to, and
  // instances run code that checks every access (slower). Turn it off for
  // hosts that keep very many memories in a small address space.
  bool memory_guard_regions = true;
  // Instantiate memories from a copy-on-write image of their initial
  // contents (built once per module, on its first instantiation), so a new
  // instance touches only the pages it writes (docs/architecture.md).
  // Off: every instance copies its data segments one by one. Only modules
  // whose data segments have constant offsets into their own memory use
  // an image; the result is the same either way.
  bool memory_images = true;
  // Guarded address-space reservations (8 GiB each, see
  // memory_guard_regions) the engine keeps for reuse once the memory that
  // held one is destroyed, so that a new memory (a new instance) does not
  // pay the kernel to map and unmap 8 GiB: a kept reservation holds no
  // memory (every page is freed and made inaccessible when it comes back)
  // and is shared by every store of the engine, on any thread. Raise it to
  // about the number of instances created and destroyed concurrently; 0
  // turns the reuse off. The value stacks of destroyed stores
  // (max_wasm_stack_bytes each, their pages freed) are kept the same way
  // and count toward the same bound.
  uint32_t kept_memory_reservations = 64;

  // ---- per-call stack ----
  // The wasm value stack of one call, in bytes (params, locals, operands),
  // and the deepest wasm call nesting; either ends in a
  // "call stack exhausted" trap (TrapKind::CallStackExhausted).
  std::size_t max_wasm_stack_bytes = std::size_t{8} << 20;
  uint32_t max_call_depth = 100'000;
};

namespace api_detail {
struct EngineState;
}  // namespace api_detail

// The entry point for embedders: holds configuration and the state its
// stores share (kept memory reservations). Copies share that state; it
// lives as long as any copy, store or memory that uses it.
class Engine {
 public:
  Engine();
  explicit Engine(EngineConfig config);

  const EngineConfig& config() const { return config_; }
  // True when this build has the optimizing tier (ExecutionTier::Optimizing).
  static bool optimizing_available();
  // True when this build can compile to machine code (ExecutionTier::Baseline
  // and Jit).
  static bool jit_available();
  // The tier `tier` stands for here: Auto resolved, the others as given.
  static ExecutionTier resolve(ExecutionTier tier);

  // As Module::compile, after applying this engine's limits, and with the
  // metering this engine's config asks for (consume_fuel, interruptible).
  // Module::compile uses a default EngineConfig.
  Result<std::shared_ptr<const Module>> compile(std::span<const uint8_t> bytes) const;
  // The same, keeping `bytes` as the module's own copy instead of copying
  // them (a module holds its binary: Module::binary()). For a multi-MB
  // module the copy is a measurable part of starting it.
  Result<std::shared_ptr<const Module>> compile(std::vector<uint8_t>&& bytes) const;

  // Internal (runtime/api/engine_state.h): what Store and the benchmarks
  // reach through the engine.
  const std::shared_ptr<api_detail::EngineState>& state() const { return state_; }

 private:
  Result<std::shared_ptr<const Module>> compile_binary(std::vector<uint8_t> binary) const;
  EngineConfig config_;
  std::shared_ptr<api_detail::EngineState> state_;
};

}  // namespace wasmrt

#include "wasmrt/instance.h"  // IWYU pragma: export
#include "wasmrt/pool.h"      // IWYU pragma: export
