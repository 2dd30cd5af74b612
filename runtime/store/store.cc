// Instantiation and linking, following the spec's module instantiation
// algorithm (Wasm 2.0, bulk memory): check imports, allocate functions,
// tables, memories and globals, evaluate element segments, then apply the
// active element segments and the active data segments in order (each as
// table.init / memory.init followed by a drop), drop declarative segments,
// and finally run the start function.
#include "runtime/store/store.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <string>
#include <utility>

#include "runtime/store/const_eval.h"
#include "runtime/store/sig_registry.h"

namespace wasmrt {

namespace {

Error unlinkable(std::string message) {
  return Error{Phase::Unlinkable, std::move(message)};
}

// A refusal by a host resource limit: typed, and naming the limit.
Error limit_error(ResourceLimit limit, const std::string& what, uint64_t cap) {
  Error error{Phase::Unlinkable, what + " exceeds the host limit " + resource_limit_name(limit) + " = " +
                                     std::to_string(cap)};
  error.limit = limit;
  return error;
}

std::string import_name(const Import& import) {
  return "\"" + import.module + "\".\"" + import.name + "\"";
}

// Import subtyping for limits: the provided object's current size must be at
// least the import's minimum, and if the import declares a maximum the
// provided object must declare one no larger.
bool limits_match(uint64_t actual_min, bool actual_has_max, uint64_t actual_max, const Limits& expected) {
  if (actual_min < expected.min) return false;
  if (!expected.has_max) return true;
  return actual_has_max && actual_max <= expected.max;
}

}  // namespace

Error trap_error(const ExecContext& ctx) {
  return Error{Phase::Trap, ctx.trap_text()};
}

ObjectStore::ObjectStore(StoreLimits limits)
    : limits_(limits), memory_budget_(limits.max_store_memory_pages), table_budget_{limits.max_table_elements, 0} {}
ObjectStore::~ObjectStore() = default;

ExecContext& ObjectStore::exec_context() {
  if (exec_ == nullptr) {
    exec_ = std::make_unique<ExecContext>(limits_.stack_cells, limits_.max_call_depth, limits_.reservations);
  }
  return *exec_;
}

FuncInst* ObjectStore::add_host_func(std::shared_ptr<HostFunc> host) {
  auto f = std::make_unique<FuncInst>();
  f->type = &host->type;
  f->sig_id = intern_signature(host->type);
  f->host = host.get();
  host_funcs_.push_back(std::move(host));
  funcs_.push_back(std::move(f));
  return funcs_.back().get();
}

Result<TableInst*> ObjectStore::add_table(const TableType& type, Cell init) {
  if (tables_.size() >= limits_.max_tables) {
    return limit_error(ResourceLimit::Tables, "table " + std::to_string(tables_.size() + 1) + " of the store",
                       limits_.max_tables);
  }
  if (type.limits.min > limits_.max_table_elements - table_budget_.used) {
    return limit_error(ResourceLimit::TableElements,
                       "a table of " + std::to_string(type.limits.min) + " elements (" +
                           std::to_string(table_budget_.used) + " already in the store's tables)",
                       limits_.max_table_elements);
  }
  auto t = std::make_unique<TableInst>();
  t->elem = type.elem;
  t->has_declared_max = type.limits.has_max;
  t->declared_max = type.limits.max;
  uint64_t max = type.limits.has_max ? type.limits.max : 0xFFFFFFFFull;
  t->max = max < limits_.max_table_elements ? max : limits_.max_table_elements;
  t->elems.assign(type.limits.min, init);
  t->budget = &table_budget_;
  table_budget_.used += type.limits.min;
  tables_.push_back(std::move(t));
  return tables_.back().get();
}

Result<LinearMemory*> ObjectStore::add_memory(const MemoryType& type) {
  if (memories_.size() >= limits_.max_memories) {
    return limit_error(ResourceLimit::Memories, "memory " + std::to_string(memories_.size() + 1) + " of the store",
                       limits_.max_memories);
  }
  if (type.limits.min > limits_.max_memory_pages) {
    return limit_error(ResourceLimit::MemoryPages, "a memory of " + std::to_string(type.limits.min) + " pages",
                       limits_.max_memory_pages);
  }
  if (type.limits.min > limits_.max_store_memory_pages - memory_budget_.used_pages()) {
    return limit_error(ResourceLimit::StoreMemoryPages,
                       "a memory of " + std::to_string(type.limits.min) + " pages (" +
                           std::to_string(memory_budget_.used_pages()) + " already in the store's memories)",
                       limits_.max_store_memory_pages);
  }
  MemoryLimits memory_limits;
  memory_limits.max_pages = limits_.max_memory_pages;
  memory_limits.allow_guard_regions = limits_.allow_guard_regions;
  memory_limits.budget = &memory_budget_;
  memory_limits.reservations = limits_.reservations;
  std::optional<uint64_t> max;
  if (type.limits.has_max) max = type.limits.max;
  auto memory = LinearMemory::create(type.limits.min, max, memory_limits);
  if (!memory.ok()) return std::move(memory).error();
  memories_.push_back(std::move(memory).value());
  return memories_.back().get();
}

GlobalInst* ObjectStore::add_global(const GlobalType& type, Cell low, Cell high) {
  auto g = std::make_unique<GlobalInst>();
  g->type = type;
  g->value[0] = low;
  g->value[1] = high;
  globals_.push_back(std::move(g));
  return globals_.back().get();
}

Result<void> ObjectStore::check_import(const ModuleDesc& module, const Import& import,
                                       const Extern& provided) const {
  const std::string incompatible = "incompatible import type for " + import_name(import);
  if (provided.object == nullptr || provided.kind != import.kind) return unlinkable(incompatible);
  switch (import.kind) {
    case ExternKind::Func: {
      const FuncInst* f = provided.func();
      if (import.func_type >= module.types.size() || *f->type != module.types[import.func_type]) {
        return unlinkable(incompatible);
      }
      return ok();
    }
    case ExternKind::Table: {
      const TableInst* t = provided.table();
      if (t->elem != import.table.elem ||
          !limits_match(t->elems.size(), t->has_declared_max, t->declared_max, import.table.limits)) {
        return unlinkable(incompatible);
      }
      return ok();
    }
    case ExternKind::Memory: {
      const LinearMemory* m = provided.memory();
      std::optional<uint64_t> max = m->declared_max_pages();
      if (!limits_match(m->pages(), max.has_value(), max.value_or(0), import.memory.limits)) {
        return unlinkable(incompatible);
      }
      return ok();
    }
    case ExternKind::Global: {
      const GlobalInst* g = provided.global();
      if (g->type.type != import.global.type || g->type.is_mutable != import.global.is_mutable) {
        return unlinkable(incompatible);
      }
      return ok();
    }
  }
  return unlinkable(incompatible);
}

Result<void> ObjectStore::check_limits(const ModuleDesc& m) const {
  if (instances_.size() >= limits_.max_instances) {
    return limit_error(ResourceLimit::Instances, "instance " + std::to_string(instances_.size() + 1) + " of the store",
                       limits_.max_instances);
  }
  const uint64_t new_tables = m.tables.size() - m.num_imported_tables;
  if (new_tables > limits_.max_tables - std::min<uint64_t>(tables_.size(), limits_.max_tables)) {
    return limit_error(ResourceLimit::Tables,
                       std::to_string(new_tables) + " more tables (" + std::to_string(tables_.size()) +
                           " already in the store)",
                       limits_.max_tables);
  }
  const uint64_t new_memories = m.memories.size() - m.num_imported_memories;
  if (new_memories > limits_.max_memories - std::min<uint64_t>(memories_.size(), limits_.max_memories)) {
    return limit_error(ResourceLimit::Memories,
                       std::to_string(new_memories) + " more memories (" + std::to_string(memories_.size()) +
                           " already in the store)",
                       limits_.max_memories);
  }
  uint64_t elements = 0;
  for (size_t i = m.num_imported_tables; i < m.tables.size(); ++i) {
    if (__builtin_add_overflow(elements, m.tables[i].limits.min, &elements)) elements = UINT64_MAX;
  }
  if (elements > limits_.max_table_elements - table_budget_.used) {
    return limit_error(ResourceLimit::TableElements,
                       "tables of " + std::to_string(elements) + " elements (" + std::to_string(table_budget_.used) +
                           " already in the store's tables)",
                       limits_.max_table_elements);
  }
  uint64_t pages = 0;
  for (size_t i = m.num_imported_memories; i < m.memories.size(); ++i) {
    const uint64_t min = m.memories[i].limits.min;
    if (min > limits_.max_memory_pages) {
      return limit_error(ResourceLimit::MemoryPages, "memory " + std::to_string(i) + " of " + std::to_string(min) + " pages",
                         limits_.max_memory_pages);
    }
    pages += min;  // validation bounds both the count and each min: no overflow
  }
  if (pages > limits_.max_store_memory_pages - std::min(memory_budget_.used_pages(), limits_.max_store_memory_pages)) {
    return limit_error(ResourceLimit::StoreMemoryPages,
                       "memories of " + std::to_string(pages) + " pages (" +
                           std::to_string(memory_budget_.used_pages()) + " already in the store's memories)",
                       limits_.max_store_memory_pages);
  }
  return ok();
}

Result<StoreInstance*> ObjectStore::instantiate(std::shared_ptr<const CompiledModule> module,
                                                std::span<const Extern> imports, ExecContext& ctx) {
  // Host allocation failure (huge tables, many segments) is reported, never
  // thrown at the embedder. Objects already created stay owned by the store
  // and unreachable: the instance is only published at the end.
  try {
    return instantiate_unguarded(std::move(module), imports, ctx);
  } catch (const std::bad_alloc&) {
    return unlinkable("out of host memory during instantiation");
  }
}

Result<StoreInstance*> ObjectStore::instantiate_unguarded(std::shared_ptr<const CompiledModule> module,
                                                          std::span<const Extern> imports, ExecContext& ctx) {
  if (module == nullptr) return unlinkable("no module");
  const ModuleDesc& m = *module->desc;
  if (imports.size() != m.imports.size()) {
    return unlinkable("wrong number of imports: expected " + std::to_string(m.imports.size()) + ", got " +
                      std::to_string(imports.size()));
  }
  for (size_t i = 0; i < imports.size(); ++i) WASMRT_TRY(check_import(m, m.imports[i], imports[i]));

  // Resource limits are checked before anything is allocated, so a refused
  // module leaves no objects behind.
  WASMRT_TRY(check_limits(m));

  auto owned = std::make_unique<StoreInstance>();
  StoreInstance& instance = *owned;
  InstanceData& data = instance.data;
  data.module = &m;
  data.compiled = module.get();
  data.host_data = &instance;
  instance.owner = this;
  data.type_sig_ids = module->type_sig_ids;
  instance.module = module;

  for (const Extern& e : imports) {
    switch (e.kind) {
      case ExternKind::Func: data.funcs.push_back(e.func()); break;
      case ExternKind::Table: data.tables.push_back(e.table()); break;
      case ExternKind::Memory: data.memories.push_back(e.memory()); break;
      case ExternKind::Global: data.globals.push_back(e.global()); break;
    }
  }

  // Memories first: the only allocation that can fail.
  for (size_t i = m.num_imported_memories; i < m.memories.size(); ++i) {
    auto memory = add_memory(m.memories[i]);
    if (!memory.ok()) {
      Error error = std::move(memory).error();
      error.phase = Phase::Unlinkable;
      return error;
    }
    data.memories.push_back(memory.value());
  }
  data.memory0 = data.memories.empty() ? nullptr : data.memories[0];
  // Code that leaves out-of-bounds accesses to memory 0's guard regions
  // only where it has them.
  auto code = module->code_for_memory(data.memory0);
  if (!code.ok()) return std::move(code).error();
  const std::vector<interp::CompiledFunc>& funcs_code = *code.value();

  const size_t num_defined = m.funcs.size() - m.num_imported_funcs;
  instance.defined_funcs.reset(new FuncInst[num_defined]);
  data.funcs.reserve(m.funcs.size());
  for (uint32_t i = m.num_imported_funcs; i < m.funcs.size(); ++i) {
    FuncInst* f = &instance.defined_funcs[i - m.num_imported_funcs];
    f->type = &m.types[m.funcs[i]];
    f->sig_id = module->type_sig_ids[m.funcs[i]];
    f->instance = &data;
    f->index = i;
    f->code = &funcs_code[i - m.num_imported_funcs];
    data.funcs.push_back(f);
  }
  for (size_t i = m.num_imported_tables; i < m.tables.size(); ++i) {
    auto table = add_table(m.tables[i]);
    if (!table.ok()) return std::move(table).error();  // checked above; kept for safety
    data.tables.push_back(table.value());
  }
  for (size_t i = m.num_imported_globals; i < m.globals.size(); ++i) {
    Cell value[2];
    eval_const_expr(m, m.global_inits[i - m.num_imported_globals], data, value);
    data.globals.push_back(add_global(m.globals[i], value[0], value[1]));
  }

  evaluate_elem_segments(data);

  for (const Export& e : m.exports) {
    Extern value;
    switch (e.kind) {
      case ExternKind::Func: value = Extern::of(data.funcs[e.index]); break;
      case ExternKind::Table: value = Extern::of(data.tables[e.index]); break;
      case ExternKind::Memory: value = Extern::of(data.memories[e.index]); break;
      case ExternKind::Global: value = Extern::of(data.globals[e.index]); break;
    }
    instance.exports.emplace(e.name, value);
  }

  // From here on the instance's functions may become reachable through
  // imported tables, so the store keeps it even if initialization traps.
  instances_.push_back(std::move(owned));
  WASMRT_TRY(initialize(instance, ctx));
  return &instance;
}

// The element segments' values, none dropped, and no data segment dropped:
// what instantiation starts from before it applies the active segments.
void ObjectStore::evaluate_elem_segments(InstanceData& data) {
  const ModuleDesc& m = *data.module;
  data.elem_segments.resize(m.elems.size());
  for (size_t i = 0; i < m.elems.size(); ++i) {
    const ElemSegment& seg = m.elems[i];
    std::vector<Cell>& cells = data.elem_segments[i];
    cells.clear();
    cells.reserve(seg.size());
    if (seg.uses_exprs) {
      for (const ConstExpr& expr : seg.exprs) {
        Cell value[2];
        eval_const_expr(m, expr, data, value);
        cells.push_back(value[0]);
      }
    } else {
      for (uint32_t func_index : seg.func_indices) cells.push_back(funcref_cell(data.funcs[func_index]));
    }
  }
  data.elem_dropped.assign(m.elems.size(), 0);
  data.data_dropped.assign(m.datas.size(), false);
}

bool ObjectStore::resettable(const StoreInstance& instance) const {
  const ModuleDesc& m = *instance.data.module;
  if (instances_.size() != 1 || instances_[0].get() != &instance) return false;
  if (m.num_imported_memories != 0 || m.num_imported_tables != 0 || m.num_imported_globals != 0) return false;
  // Nothing else in the store that the instance could reach and a reset
  // would leave as it is.
  return memories_.size() == m.memories.size() && tables_.size() == m.tables.size() &&
         globals_.size() == m.globals.size();
}

Result<void> ObjectStore::reset_instance(StoreInstance& instance, ExecContext& ctx) {
  if (!resettable(instance)) {
    return unlinkable("only the one instance of a store, importing nothing but functions, can be reset");
  }
  InstanceData& data = instance.data;
  const ModuleDesc& m = *data.module;
  for (size_t i = 0; i < m.memories.size(); ++i) {
    if (!data.memories[i]->reset_to_initial(m.memories[i].limits.min)) {
      return unlinkable("the OS refused to reset memory " + std::to_string(i));
    }
  }
  for (size_t i = 0; i < m.tables.size(); ++i) {
    TableInst& table = *data.tables[i];
    const uint64_t initial = m.tables[i].limits.min;
    // Tables never shrink, so the size is at least the initial one.
    table_budget_.used -= table.elems.size() - initial;
    table.elems.assign(initial, 0);  // null, as add_table made them
  }
  for (size_t i = 0; i < m.globals.size(); ++i) {
    eval_const_expr(m, m.global_inits[i], data, data.globals[i]->value);
  }
  evaluate_elem_segments(data);
  return initialize(instance, ctx);
}

Result<void> ObjectStore::initialize(StoreInstance& instance, ExecContext& ctx) {
  InstanceData& data = instance.data;
  const ModuleDesc& m = *data.module;
  ctx.reset_trap();
  for (uint32_t i = 0; i < m.elems.size(); ++i) {
    const ElemSegment& seg = m.elems[i];
    if (seg.mode == SegmentMode::Active) {
      Cell offset[2];
      eval_const_expr(m, seg.offset, data, offset);
      TrapCode code = table_init(data, seg.table_index, i, static_cast<uint32_t>(offset[0]), 0, seg.size());
      if (code != TrapCode::None) {
        ctx.set_trap(code);
        return trap_error(ctx);
      }
    }
    if (seg.mode != SegmentMode::Passive) elem_drop(data, i);
  }
  // The data segments: from the module's plan when it has one (same
  // bytes, same drops, nothing evaluated), else one by one.
  const uint32_t num_datas = apply_data_init_plan(data) ? 0 : static_cast<uint32_t>(m.datas.size());
  for (uint32_t i = 0; i < num_datas; ++i) {
    const DataSegment& seg = m.datas[i];
    if (seg.mode != SegmentMode::Active) continue;
    Cell offset[2];
    eval_const_expr(m, seg.offset, data, offset);
    TrapCode code = memory_init(data, i, static_cast<uint32_t>(offset[0]), 0, seg.data_size);
    if (code != TrapCode::None) {
      ctx.set_trap(code);
      return trap_error(ctx);
    }
    data_drop(data, i);
  }
  if (m.start) {
    // The start function has type [] -> [], so no argument or result cells.
    Cell unused[2] = {0, 0};
    WASMRT_TRY(call(ctx, data.funcs[*m.start], unused));
  }
  return ok();
}

bool ObjectStore::apply_data_init_plan(InstanceData& data) const {
  if (!limits_.memory_images) return false;
  const DataInitPlan* plan = data.compiled->data_init_plan();
  if (plan == nullptr) return false;
  // The plan exists only for a memory 0 this instance created: nothing
  // has written to it, and its size is the declared minimum, which holds
  // every segment.
  LinearMemory* memory = data.memory0;
  if (plan->image != nullptr) {
    // On failure the memory is still all zero: the caller applies the
    // segments one by one instead. A reset memory (reset_instance) that
    // kept the image mapped reads as the image already.
    if (memory == nullptr) return false;
    if (memory->mapped_image() != plan->image.get() && !memory->map_image(*plan->image)) return false;
  } else if (!plan->copy_runs.empty()) {
    if (memory == nullptr) return false;
    for (const MemoryImage::Run& run : plan->copy_runs) {
      const uint64_t n = std::min<uint64_t>(run.bytes, plan->contents.size() - run.offset);
      uint8_t* to = memory->checked_pointer(run.offset, n);
      // Cannot happen (the plan checked every segment against the size);
      // the one-by-one path then writes the same final bytes.
      if (to == nullptr) return false;
      std::memcpy(to, plan->contents.data() + run.offset, n);
    }
  }
  data.data_dropped = plan->dropped;
  return true;
}

Result<void> ObjectStore::call(ExecContext& ctx, FuncInst* f, Cell* args_results) {
  ctx.reset_trap();
  const size_t saved_top = ctx.stack_top;
  const uint32_t saved_depth = ctx.call_depth;
  TrapCode code = TrapCode::None;
  // Host callables are guarded in invoke_host; this catches the runtime's
  // own allocation failures so nothing unwinds into the embedder.
  try {
    code = interp::invoke(ctx, f, args_results);
  } catch (const std::bad_alloc&) {
    ctx.stack_top = saved_top;
    ctx.call_depth = saved_depth;
    ctx.set_trap(TrapCode::HostError, "out of host memory");
    code = TrapCode::HostError;
  }
  if (code == TrapCode::None) return ok();
  if (ctx.trap == TrapCode::None) ctx.set_trap(code);
  return trap_error(ctx);
}

void ImportRegistry::define(std::string module, std::string name, Extern value) {
  defs_[{std::move(module), std::move(name)}] = value;
}

void ImportRegistry::define_instance(const std::string& module, const StoreInstance& instance) {
  for (const auto& [name, value] : instance.exports) defs_[{module, name}] = value;
}

std::optional<Extern> ImportRegistry::find(std::string_view module, std::string_view name) const {
  auto it = defs_.find({std::string(module), std::string(name)});
  if (it == defs_.end()) return std::nullopt;
  return it->second;
}

Result<std::vector<Extern>> ImportRegistry::resolve(const ModuleDesc& module) const {
  std::vector<Extern> out;
  out.reserve(module.imports.size());
  for (const Import& import : module.imports) {
    std::optional<Extern> found = find(import.module, import.name);
    if (!found) return unlinkable("unknown import " + import_name(import));
    out.push_back(*found);
  }
  return out;
}

}  // namespace wasmrt
