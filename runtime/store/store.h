// The object store: owner of every runtime object (functions, tables, memories,
// globals, instances) and the place where modules are instantiated.
//
// Objects have stable addresses and live as long as the store, even those of
// an instantiation that failed: the spec keeps the effects of segments
// applied before a trap, so an imported table may already hold functions of
// the failed instance, and those must stay callable. A failed instantiation
// is never returned or registered, so nothing half-initialized is reachable
// by name.
//
// Thread safety: one thread at a time per store. Different stores may run in
// parallel and share CompiledModules freely.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/memory/reservation_pool.h"
#include "runtime/store/compiled_module.h"
#include "runtime/store/exec_context.h"
#include "runtime/store/objects.h"
#include "wasmrt/result.h"

namespace wasmrt {

// Host-imposed resource limits applied to every object the store creates.
// Every refusal is an Error with Error::limit set and the limit's
// EngineConfig name in the message.
struct StoreLimits {
  uint64_t max_memory_pages = kMaxMemoryPages;              // per memory
  uint64_t max_store_memory_pages = UINT64_MAX;             // all memories together
  uint64_t max_table_elements = 10'000'000;                 // all tables together
  uint32_t max_instances = UINT32_MAX;
  uint32_t max_memories = UINT32_MAX;
  uint32_t max_tables = UINT32_MAX;
  size_t stack_cells = ExecContext::kDefaultStackCells;
  uint32_t max_call_depth = ExecContext::kDefaultMaxCallDepth;
  bool allow_guard_regions = true;
  // Apply constant active data segments from the module's precomputed
  // plan (compiled_module.h): map its copy-on-write image or copy its
  // bytes, instead of evaluating every segment. Off: one by one, always.
  bool memory_images = true;
  // Where guarded memories take their address-space reservations, and the
  // execution context its value stack, from and give them back to
  // (reservation_pool.h; shared by the stores of one engine); null: each
  // maps and unmaps its own.
  std::shared_ptr<ReservationPool> reservations;
};

// A reference to one store object of the given kind.
struct Extern {
  ExternKind kind = ExternKind::Func;
  void* object = nullptr;

  static Extern of(FuncInst* f) { return {ExternKind::Func, f}; }
  static Extern of(TableInst* t) { return {ExternKind::Table, t}; }
  static Extern of(LinearMemory* m) { return {ExternKind::Memory, m}; }
  static Extern of(GlobalInst* g) { return {ExternKind::Global, g}; }
  FuncInst* func() const { return kind == ExternKind::Func ? static_cast<FuncInst*>(object) : nullptr; }
  TableInst* table() const { return kind == ExternKind::Table ? static_cast<TableInst*>(object) : nullptr; }
  LinearMemory* memory() const {
    return kind == ExternKind::Memory ? static_cast<LinearMemory*>(object) : nullptr;
  }
  GlobalInst* global() const {
    return kind == ExternKind::Global ? static_cast<GlobalInst*>(object) : nullptr;
  }
};

// An instance as the store keeps it: the interpreter-facing data plus the
// exports by name.
class ObjectStore;

struct StoreInstance {
  InstanceData data;
  ObjectStore* owner = nullptr;  // the store that created it
  // The instance's own functions, one allocation (never resized: the
  // FuncInst addresses are funcref values and must stay stable).
  std::unique_ptr<FuncInst[]> defined_funcs;
  std::shared_ptr<const CompiledModule> module;
  std::map<std::string, Extern, std::less<>> exports;

  std::optional<Extern> find_export(std::string_view name) const {
    auto it = exports.find(name);
    if (it == exports.end()) return std::nullopt;
    return it->second;
  }
};

class ObjectStore {
 public:
  explicit ObjectStore(StoreLimits limits = {});
  ~ObjectStore();
  ObjectStore(const ObjectStore&) = delete;
  ObjectStore& operator=(const ObjectStore&) = delete;

  const StoreLimits& limits() const { return limits_; }
  // Opaque slot for the embedding layer (the public API's store state).
  void* embedder_data = nullptr;

  // Host objects (imports for modules, e.g. the spec test's "spectest").
  // Tables and memories count toward the limits like a module's own.
  FuncInst* add_host_func(std::shared_ptr<HostFunc> host);
  Result<TableInst*> add_table(const TableType& type, Cell init = 0);
  Result<LinearMemory*> add_memory(const MemoryType& type);
  GlobalInst* add_global(const GlobalType& type, Cell low, Cell high = 0);

  // Instantiates `module` with `imports` given in the module's import order.
  // Errors: Unlinkable ("incompatible import type", resource limits), Trap
  // (segment initialization or the start function; `ctx` then holds the
  // trap code, message and backtrace).
  Result<StoreInstance*> instantiate(std::shared_ptr<const CompiledModule> module,
                                     std::span<const Extern> imports, ExecContext& ctx);

  // Puts `instance` back in the state instantiate() left it in, for a
  // pool that reuses one instance for request after request (wasmrt/pool.h):
  // its memories back to their initial size and bytes (re-mapped, never
  // zeroed byte by byte: LinearMemory::reset_to_initial), its tables to
  // their initial size and elements, its globals to their initial values,
  // every dropped segment restored, then the active segments and the start
  // function run again. Only for the one instance of this store whose
  // imports are all functions (resettable()): an imported memory, table or
  // global, or a second instance, holds state this cannot restore.
  // Errors: Unlinkable when the instance is not resettable or the OS
  // refuses to reset a memory; Trap from a segment or the start function.
  // After an error the instance's state is undefined: discard the store.
  Result<void> reset_instance(StoreInstance& instance, ExecContext& ctx);
  bool resettable(const StoreInstance& instance) const;

  // Calls `f` with arguments in args_results (cells); results replace them.
  // args_results must hold max(param cells, result cells). On a trap the
  // error is Phase::Trap with the message; details stay in `ctx`.
  Result<void> call(ExecContext& ctx, FuncInst* f, Cell* args_results);

  // A reusable execution context sized from the limits (created lazily).
  ExecContext& exec_context();

  // Pages held by all memories of the store, and the most held at once
  // since reset_peak_pages().
  uint64_t memory_pages() const { return memory_budget_.used_pages(); }
  uint64_t peak_memory_pages() const { return memory_budget_.peak_pages(); }
  void reset_peak_memory_pages() { memory_budget_.reset_peak(); }
  // memory.grow calls refused by the store's memory caps (PageBudget::refused_grows).
  uint64_t refused_memory_grows() const { return memory_budget_.refused_grows(); }
  void reset_refused_memory_grows() { memory_budget_.reset_refused_grows(); }

 private:
  Result<StoreInstance*> instantiate_unguarded(std::shared_ptr<const CompiledModule> module,
                                               std::span<const Extern> imports, ExecContext& ctx);
  Result<void> check_import(const ModuleDesc& module, const Import& import, const Extern& provided) const;
  Result<void> initialize(StoreInstance& instance, ExecContext& ctx);
  static void evaluate_elem_segments(InstanceData& data);
  bool apply_data_init_plan(InstanceData& data) const;

  Result<void> check_limits(const ModuleDesc& m) const;

  StoreLimits limits_;
  // Declared before the objects that draw on them, so they outlive them.
  PageBudget memory_budget_;
  ElementBudget table_budget_;
  std::vector<std::unique_ptr<FuncInst>> funcs_;
  std::vector<std::unique_ptr<TableInst>> tables_;
  std::vector<std::unique_ptr<LinearMemory>> memories_;
  std::vector<std::unique_ptr<GlobalInst>> globals_;
  std::vector<std::shared_ptr<HostFunc>> host_funcs_;
  std::vector<std::unique_ptr<StoreInstance>> instances_;
  std::unique_ptr<ExecContext> exec_;
};

// Import resolution by (module, name), as the spec's registry does.
class ImportRegistry {
 public:
  void define(std::string module, std::string name, Extern value);
  // Every export of `instance`, under module name `module`.
  void define_instance(const std::string& module, const StoreInstance& instance);
  std::optional<Extern> find(std::string_view module, std::string_view name) const;
  // The imports of `module` in order; "unknown import" for a missing one.
  Result<std::vector<Extern>> resolve(const ModuleDesc& module) const;
  void clear() { defs_.clear(); }

 private:
  std::map<std::pair<std::string, std::string>, Extern> defs_;
};

// The error for a trap recorded in `ctx` (Phase::Trap, the trap's text).
Error trap_error(const ExecContext& ctx);

}  // namespace wasmrt
