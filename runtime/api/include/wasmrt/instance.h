// Instantiation and execution: Store, Linker, Instance and the handles to
// functions, memories, globals and tables. Included by wasmrt/wasmrt.h.
//
// Ownership: a Store owns every runtime object created in it (instances,
// memories, tables, globals, function instances). Handles (Instance, Func,
// Memory, Global, Table) keep their store alive, so a handle is always safe
// to use even after the Store object that created it is gone.
//
// Threads: a Module may be shared by any number of threads. A Store and
// everything in it is used by one thread at a time; use one Store per
// thread (or per instance) to run in parallel.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "wasmrt/host.h"
#include "wasmrt/result.h"
#include "wasmrt/trap.h"
#include "wasmrt/value.h"

namespace wasmrt {

class Engine;
class Module;
class Linker;
class Instance;

namespace api_detail {
struct StoreState;
struct InterruptSignal;
}  // namespace api_detail
namespace pool_detail {
struct Access;
}  // namespace pool_detail

// What the most recent top-level call into a store used. A top-level call
// is Func::call / Instance::call from the embedder, or the start function
// run by Linker::instantiate; calls made from inside a host function count
// toward the enclosing call.
struct CallStats {
  // Fuel consumed (0 when the engine does not meter fuel).
  uint64_t fuel_used = 0;
  // The most pages the store's memories held together during the call.
  uint64_t peak_memory_pages = 0;
  // memory.grow calls that the store's memory caps (EngineConfig's
  // max_memory_pages per memory, max_store_memory_pages in total) refused,
  // where the module's own declared maximum allowed them. The guest only
  // sees -1; a host tells "ran into its memory cap" from other failures by
  // this count. Grows past the module's own maximum are not counted.
  uint64_t memory_grows_refused = 0;
  std::chrono::nanoseconds wall_time{0};
};

// Stops a store's running call from any thread. Cheap to copy; stays valid
// (and harmless) after the store is gone.
class InterruptHandle {
 public:
  InterruptHandle() = default;
  bool valid() const { return signal_ != nullptr; }
  // Asks the store's current call to stop: guest code traps with
  // TrapKind::Interrupted at its next function entry or loop back edge, and
  // a host function blocked in HostContext::sleep_for / poll on
  // HostContext::interrupt_fd() wakes. If no call is running, the next call
  // stops at its first check. The request is consumed by the call it stops;
  // the store then accepts new calls. Safe from any thread and async-signal-safe
  // (it sets an atomic flag and wakes waiters with futex/eventfd writes).
  void interrupt() const;

 private:
  friend class Store;
  std::shared_ptr<api_detail::InterruptSignal> signal_;
};

class Store {
 public:
  // A store with the engine's limits (memory pages, table elements, stack)
  // and metering (fuel, interrupt checks).
  explicit Store(const Engine& engine);
  Store();  // default EngineConfig

  // ---- fuel (EngineConfig::consume_fuel; see docs/fuel.md) ----
  // Set, add to and read the remaining fuel between calls. Fails with
  // Phase::Invalid when the engine does not meter fuel. A store starts
  // with 0 fuel; at most INT64_MAX units can be held.
  Result<void> set_fuel(uint64_t fuel);
  Result<void> add_fuel(uint64_t fuel);
  // Remaining fuel, or nullopt when the engine does not meter fuel.
  std::optional<uint64_t> fuel() const;

  // ---- cancellation and deadlines ----
  InterruptHandle interrupt_handle() const;
  void interrupt() const { interrupt_handle().interrupt(); }
  // Every later top-level call may run at most `timeout` of wall time, then
  // traps with TrapKind::DeadlineExceeded (nullopt: no timeout).
  void set_timeout(std::optional<std::chrono::nanoseconds> timeout);
  // Calls running past `deadline` trap with TrapKind::DeadlineExceeded
  // (nullopt: none). Applies to every later call until changed; combined
  // with set_timeout, the earlier of the two wins. Needs
  // EngineConfig::interruptible (else timeouts and deadlines are refused
  // with Phase::Invalid when a call starts).
  void set_deadline(std::optional<std::chrono::steady_clock::time_point> deadline);

  // ---- accounting ----
  CallStats last_call_stats() const;
  // Pages currently held by all memories of the store.
  uint64_t memory_pages() const;

 private:
  friend class Linker;
  friend struct pool_detail::Access;
  std::shared_ptr<api_detail::StoreState> state_;
};

class Func {
 public:
  Func() = default;
  bool valid() const { return func_ != nullptr; }
  FuncSignature signature() const;
  // Calls the function. Arguments must match the parameter types exactly
  // (else Phase::Invalid "argument type mismatch"). A trap comes back as
  // Phase::Trap with Error::trap set (kind, message, backtrace).
  Result<std::vector<Value>> call(std::span<const Value> args) const;
  Result<std::vector<Value>> call(std::initializer_list<Value> args) const {
    return call(std::span<const Value>(args.begin(), args.size()));
  }
  // This function as a funcref value (valid within its store).
  FuncRef ref() const;

 private:
  friend class Instance;
  friend class Linker;
  friend class HostContext;
  std::shared_ptr<api_detail::StoreState> store_;
  void* func_ = nullptr;
};

class Memory {
 public:
  Memory() = default;
  bool valid() const { return memory_ != nullptr; }
  uint64_t size_bytes() const;
  uint64_t pages() const;
  // memory.grow: the old size in pages, or nullopt (unchanged) past the
  // declared maximum or the host cap.
  std::optional<uint64_t> grow(uint64_t delta_pages) const;
  // Bounds-checked copies; Phase::Trap "out of bounds memory access" and
  // nothing copied if [address, address + size) is not inside the memory.
  Result<void> read(uint64_t address, std::span<uint8_t> out) const;
  Result<void> write(uint64_t address, std::span<const uint8_t> bytes) const;
  // The bytes; valid until the memory grows or the store dies.
  std::span<uint8_t> data() const;

 private:
  friend class Instance;
  friend class Linker;
  friend class HostContext;
  std::shared_ptr<api_detail::StoreState> store_;
  void* memory_ = nullptr;
};

class Global {
 public:
  Global() = default;
  bool valid() const { return global_ != nullptr; }
  ValueType type() const;
  bool is_mutable() const;
  Value get() const;
  // Fails (Phase::Invalid) for an immutable global or a wrong value type.
  Result<void> set(const Value& value) const;

 private:
  friend class Instance;
  friend class Linker;
  std::shared_ptr<api_detail::StoreState> store_;
  void* global_ = nullptr;
};

class Table {
 public:
  Table() = default;
  bool valid() const { return table_ != nullptr; }
  ValueType element_type() const;
  uint32_t size() const;
  // Phase::Trap "out of bounds table access" past the end.
  Result<Value> get(uint32_t index) const;
  Result<void> set(uint32_t index, const Value& value) const;

 private:
  friend class Instance;
  friend class Linker;
  std::shared_ptr<api_detail::StoreState> store_;
  void* table_ = nullptr;
};

class Instance {
 public:
  Instance() = default;
  bool valid() const { return instance_ != nullptr; }

  // Calls exported function `name` (Phase::Unlinkable "unknown export" if
  // there is none).
  Result<std::vector<Value>> call(std::string_view name, std::span<const Value> args) const;
  Result<std::vector<Value>> call(std::string_view name, std::initializer_list<Value> args) const {
    return call(name, std::span<const Value>(args.begin(), args.size()));
  }

  // Exports by name and kind; nullopt if absent or of another kind.
  std::optional<Func> func(std::string_view name) const;
  std::optional<Memory> memory(std::string_view name = "memory") const;
  std::optional<Global> global(std::string_view name) const;
  std::optional<Table> table(std::string_view name) const;
  std::vector<std::string> export_names() const;

  const std::shared_ptr<const Module>& module() const { return module_; }

 private:
  friend class Linker;
  friend struct pool_detail::Access;
  std::shared_ptr<api_detail::StoreState> store_;
  void* instance_ = nullptr;
  std::shared_ptr<const Module> module_;
};

namespace host_detail {
template <typename F>
concept TypedCallable = requires {
  &std::decay_t<F>::operator();
}
|| std::is_function_v<std::remove_pointer_t<std::decay_t<F>>>;
}  // namespace host_detail

// Resolves imports by (module, name) and instantiates modules.
class Linker {
 public:
  Linker();
  ~Linker();
  Linker(const Linker&);
  Linker& operator=(const Linker&);

  // A host function, untyped or from a typed callable (see wasmrt/host.h):
  //   linker.define("env", "add", [](HostContext&, int32_t a, int32_t b) { return a + b; });
  Linker& define(std::string_view module, std::string_view name, HostFunction function);
  template <typename F>
  requires host_detail::TypedCallable<F> Linker& define(std::string_view module, std::string_view name,
                                                        F&& callable) {
    return define(module, name, host_function(std::forward<F>(callable)));
  }
  // Objects of a store (exports of an instance); importable only by
  // instances of the same store.
  Linker& define(std::string_view module, std::string_view name, const Func& func);
  Linker& define(std::string_view module, std::string_view name, const Memory& memory);
  Linker& define(std::string_view module, std::string_view name, const Global& global);
  Linker& define(std::string_view module, std::string_view name, const Table& table);
  // Every export of `instance` under module name `module`.
  Linker& define_instance(std::string_view module, const Instance& instance);

  // Links and instantiates: imports are matched with the spec's rules
  // (Phase::Unlinkable "unknown import" / "incompatible import type"),
  // segments are applied and the start function runs (Phase::Trap). A
  // module that exports `_initialize` and no `_start` (a WASI reactor) then
  // has `_initialize` called, as its ABI requires; its error (Phase::Trap,
  // Phase::Exit) is returned. A failed instantiation registers nothing.
  Result<Instance> instantiate(Store& store, const std::shared_ptr<const Module>& module) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wasmrt
