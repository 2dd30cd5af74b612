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
}  // namespace api_detail

class Store {
 public:
  // A store with the engine's limits (memory pages, table elements, stack).
  explicit Store(const Engine& engine);
  Store();  // default EngineConfig limits

 private:
  friend class Linker;
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
  // failed instantiation registers nothing.
  Result<Instance> instantiate(Store& store, const std::shared_ptr<const Module>& module) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wasmrt
