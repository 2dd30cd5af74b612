// Runtime objects shared by the store (instantiation, linking) and the
// execution tiers. Contract with the interpreter: see notes/interp_design.md.
//
// Values live in 64-bit cells: i32/i64/f32/f64/funcref/externref take one
// cell (i32 zero-extended, floats as bit patterns), v128 takes two
// consecutive cells (low 8 bytes first). Reference cells: 0 is null; a
// funcref is the FuncInst* as an integer; an externref is an opaque non-zero
// host word.
//
// Objects are owned by a Store (unique_ptrs, stable addresses). Instances
// refer to them by pointer, so an imported function, table, memory or global
// is the exporter's object itself.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <vector>

#include "runtime/binary/module.h"
#include "runtime/binary/types.h"
#include "runtime/common/trap_codes.h"
#include "runtime/memory/linear_memory.h"

namespace wasmrt {

namespace interp {
struct CompiledFunc;
}  // namespace interp

struct ExecContext;
struct InstanceData;
struct FuncInst;
struct CompiledModule;

// One 64-bit cell per value (v128 takes two, low half first); floats as
// bit patterns, references as words with 0 = null.
//
// Inside compiled code the upper 32 bits of an i32 or f32 cell are
// unspecified: every reader uses only the low 32 bits, which lets
// i32.wrap_i64 cost nothing (translate.cc). Wherever a value leaves compiled
// code for someone who may look at the whole cell (the embedding API, host
// functions) it passes through canonical_cell first, which zero-extends, as
// HostCallback documents. (Constant expressions only read immutable
// globals, which compiled code never writes.)
using Cell = uint64_t;

// Cells a value of type `t` occupies.
inline constexpr uint32_t cell_count(ValType t) {
  return t == ValType::V128 ? 2 : 1;
}
inline uint32_t cell_count(std::span<const ValType> types) {
  uint32_t n = 0;
  for (ValType t : types) n += cell_count(t);
  return n;
}

// The zero-extended form of a value's first cell (see Cell).
inline constexpr Cell canonical_cell(ValType t, Cell c) {
  return t == ValType::I32 || t == ValType::F32 ? (c & 0xFFFF'FFFFu) : c;
}
// Canonicalizes the cells of values of `types` in place.
inline void canonicalize_cells(std::span<const ValType> types, Cell* cells) {
  for (ValType t : types) {
    *cells = canonical_cell(t, *cells);
    cells += cell_count(t);
  }
}

inline Cell funcref_cell(const FuncInst* f) {
  return static_cast<Cell>(reinterpret_cast<uintptr_t>(f));
}
inline FuncInst* cell_funcref(Cell c) {
  return reinterpret_cast<FuncInst*>(static_cast<uintptr_t>(c));
}

// What a host function sees of its caller.
struct HostCallContext {
  ExecContext* exec = nullptr;
  // The instance whose code made the call; null when the embedder calls the
  // host function directly (e.g. an exported host import).
  InstanceData* caller = nullptr;
  FuncInst* func = nullptr;  // the host function being called

  // The caller's memory `index`, or null if it has none.
  LinearMemory* memory(uint32_t index = 0) const;
  // Records a host trap with its own message. Use as
  // `return ctx.trap("bad fd");` from a host function.
  TrapCode trap(std::string message) const;
};

// Reads params from `args` (cells, per `HostFunc::type.params`), writes the
// results to `results` (cells, per `type.results`). Returns TrapCode::None
// on success; any other code traps the calling wasm code (HostError with a
// message set through HostCallContext::trap).
using HostFn = std::function<TrapCode(HostCallContext&, const Cell* args, Cell* results)>;

struct HostFunc {
  FuncType type;
  HostFn fn;
};

struct FuncInst {
  const FuncType* type = nullptr;  // points into the module or the HostFunc
  // Engine-wide interned id of `*type` (structural equality), so
  // call_indirect compares one integer even across modules.
  uint32_t sig_id = 0;
  InstanceData* instance = nullptr;            // defining instance; null for host functions
  uint32_t index = 0;                          // index in the defining module's function space
  const interp::CompiledFunc* code = nullptr;  // null <=> host function
  HostFunc* host = nullptr;                    // non-null <=> host function
};

// The elements all tables of one store may hold together (a host limit).
// Used by one thread at a time, like the store.
struct ElementBudget {
  uint64_t limit = UINT64_MAX;
  uint64_t used = 0;
  bool try_take(uint64_t n) {
    if (n > limit - used) return false;
    used += n;
    return true;
  }
};

struct TableInst {
  ValType elem = ValType::FuncRef;
  std::vector<Cell> elems;
  // The most elements this table may ever have: min(declared max or 2^32-1,
  // host cap). table.grow past it returns -1.
  uint64_t max = 0xFFFFFFFFull;
  // The declared maximum, for import matching (the current size is the min).
  bool has_declared_max = false;
  uint64_t declared_max = 0;
  // The store's shared cap on elements (null: none besides `max`).
  ElementBudget* budget = nullptr;

  uint32_t size() const { return static_cast<uint32_t>(elems.size()); }
  // table.grow: the old size, or -1 (table unchanged).
  int64_t grow(uint64_t delta, Cell init) {
    uint64_t old = elems.size();
    if (delta > max || old > max - delta) return -1;
    if (budget != nullptr && !budget->try_take(delta)) return -1;
    // Running out of host memory is a failed grow (-1), never an exception
    // unwinding through wasm frames.
    try {
      elems.resize(old + delta, init);
    } catch (const std::bad_alloc&) {
      if (budget != nullptr) budget->used -= delta;
      return -1;
    }
    return static_cast<int64_t>(old);
  }
  bool in_range(uint64_t index, uint64_t len) const {
    return index <= elems.size() && len <= elems.size() - index;
  }
  // table.fill; false means trap "out of bounds table access" (nothing written).
  bool fill(uint64_t dst, Cell value, uint64_t len) {
    if (!in_range(dst, len)) return false;
    for (uint64_t i = 0; i < len; ++i) elems[dst + i] = value;
    return true;
  }
  TableType current_type() const {
    TableType t;
    t.elem = elem;
    t.limits.min = elems.size();
    t.limits.has_max = has_declared_max;
    t.limits.max = declared_max;
    return t;
  }
};

struct GlobalInst {
  GlobalType type;
  Cell value[2] = {0, 0};  // value[1] used by v128 only
};

// Everything the interpreter reads about one instance.
struct InstanceData {
  const ModuleDesc* module = nullptr;
  const CompiledModule* compiled = nullptr;
  // Index spaces, imports first.
  std::vector<FuncInst*> funcs;
  std::vector<TableInst*> tables;
  std::vector<LinearMemory*> memories;
  std::vector<GlobalInst*> globals;
  // Engine-wide sig id of each module type index (for call_indirect).
  std::vector<uint32_t> type_sig_ids;
  // Element segments evaluated at instantiation (funcref/externref cells),
  // one vector per segment; a dropped segment is empty. table.init reads
  // from here, elem.drop clears it.
  std::vector<std::vector<Cell>> elem_segments;
  std::vector<uint8_t> elem_dropped;  // 1 once dropped (mirrors elem_segments)
  // true once dropped; the bytes stay in module->bytes. A bit each: Go
  // modules have tens of thousands of segments, and every instance starts
  // with a copy (store.cc).
  std::vector<bool> data_dropped;
  // First memory (or null), for the interpreter's fast path.
  LinearMemory* memory0 = nullptr;
  // The StoreInstance that holds this data (set by ObjectStore), so host
  // functions can reach their caller's exports.
  void* host_data = nullptr;

  // The bytes of data segment `index` (empty once dropped).
  std::span<const uint8_t> data_segment(uint32_t index) const {
    if (data_dropped[index]) return {};
    const DataSegment& seg = module->datas[index];
    return {module->bytes.data() + seg.data_begin, seg.data_size};
  }
};

// Bulk helpers shared by instantiation and the execution tiers, so every
// tier traps exactly alike. Each returns TrapCode::None or the trap code,
// and writes nothing when it traps.
TrapCode table_init(InstanceData& inst, uint32_t table_index, uint32_t elem_index, uint64_t dst, uint64_t src,
                    uint64_t len);
TrapCode table_copy(InstanceData& inst, uint32_t dst_table, uint32_t src_table, uint64_t dst, uint64_t src,
                    uint64_t len);
TrapCode memory_init(InstanceData& inst, uint32_t data_index, uint64_t dst, uint64_t src, uint64_t len);
inline void elem_drop(InstanceData& inst, uint32_t elem_index) {
  inst.elem_dropped[elem_index] = 1;
  inst.elem_segments[elem_index].clear();
  inst.elem_segments[elem_index].shrink_to_fit();
}
inline void data_drop(InstanceData& inst, uint32_t data_index) {
  inst.data_dropped[data_index] = true;
}

// The other table and memory instructions, as both tiers run them. grow
// returns the instruction's i32 result as a cell (the old size, or -1).
inline TrapCode table_get(const InstanceData& inst, uint32_t table_index, uint32_t i, Cell& out) {
  const TableInst* t = inst.tables[table_index];
  if (i >= t->elems.size()) return TrapCode::TableOutOfBounds;
  out = t->elems[i];
  return TrapCode::None;
}
inline TrapCode table_set(InstanceData& inst, uint32_t table_index, uint32_t i, Cell value) {
  TableInst* t = inst.tables[table_index];
  if (i >= t->elems.size()) return TrapCode::TableOutOfBounds;
  t->elems[i] = value;
  return TrapCode::None;
}
inline TrapCode table_fill(InstanceData& inst, uint32_t table_index, uint32_t i, Cell value, uint32_t n) {
  return inst.tables[table_index]->fill(i, value, n) ? TrapCode::None : TrapCode::TableOutOfBounds;
}
inline Cell table_grow(InstanceData& inst, uint32_t table_index, uint32_t delta, Cell init) {
  return static_cast<uint32_t>(static_cast<int32_t>(inst.tables[table_index]->grow(delta, init)));
}
inline Cell memory_grow(LinearMemory& mem, uint32_t delta) {
  return static_cast<uint32_t>(static_cast<int32_t>(mem.grow(delta)));
}
inline TrapCode memory_fill(LinearMemory& mem, uint32_t dst, Cell value, uint32_t n) {
  return mem.fill(dst, static_cast<uint8_t>(value), n) ? TrapCode::None : TrapCode::MemoryOutOfBounds;
}
inline TrapCode memory_copy(LinearMemory& mem, uint32_t dst, uint32_t src, uint32_t n) {
  return mem.copy(dst, src, n) ? TrapCode::None : TrapCode::MemoryOutOfBounds;
}

// Calls host function `f` with the standard contract (no exception escapes:
// a C++ exception thrown by the callable becomes a HostError trap).
TrapCode invoke_host(ExecContext& ctx, InstanceData* caller, FuncInst* f, const Cell* args, Cell* results);

}  // namespace wasmrt
