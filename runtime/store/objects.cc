// Bulk table/memory helpers and the host-call trampoline shared by
// instantiation and the execution tiers.
#include "runtime/store/objects.h"

#include <exception>

#include "runtime/store/exec_context.h"

namespace wasmrt {

LinearMemory* HostCallContext::memory(uint32_t index) const {
  if (caller == nullptr || index >= caller->memories.size()) return nullptr;
  return caller->memories[index];
}

TrapCode HostCallContext::trap(std::string message) const {
  if (exec != nullptr) exec->set_trap(TrapCode::HostError, std::move(message));
  return TrapCode::HostError;
}

TrapCode table_init(InstanceData& inst, uint32_t table_index, uint32_t elem_index, uint64_t dst, uint64_t src,
                    uint64_t len) {
  TableInst& table = *inst.tables[table_index];
  const std::vector<Cell>& seg = inst.elem_segments[elem_index];
  if (src > seg.size() || len > seg.size() - src) return TrapCode::TableOutOfBounds;
  if (!table.in_range(dst, len)) return TrapCode::TableOutOfBounds;
  for (uint64_t i = 0; i < len; ++i) table.elems[dst + i] = seg[src + i];
  return TrapCode::None;
}

TrapCode table_copy(InstanceData& inst, uint32_t dst_table, uint32_t src_table, uint64_t dst, uint64_t src,
                    uint64_t len) {
  TableInst& to = *inst.tables[dst_table];
  TableInst& from = *inst.tables[src_table];
  if (!to.in_range(dst, len) || !from.in_range(src, len)) return TrapCode::TableOutOfBounds;
  if (len == 0) return TrapCode::None;
  // Overlapping ranges of one table behave like memmove.
  if (&to == &from && dst > src) {
    for (uint64_t i = len; i-- > 0;) to.elems[dst + i] = from.elems[src + i];
  } else {
    for (uint64_t i = 0; i < len; ++i) to.elems[dst + i] = from.elems[src + i];
  }
  return TrapCode::None;
}

TrapCode memory_init(InstanceData& inst, uint32_t data_index, uint64_t dst, uint64_t src, uint64_t len) {
  LinearMemory* memory = inst.memory0;
  if (memory == nullptr) return TrapCode::MemoryOutOfBounds;
  return memory->init(dst, inst.data_segment(data_index), src, len) ? TrapCode::None
                                                                    : TrapCode::MemoryOutOfBounds;
}

TrapCode invoke_host(ExecContext& ctx, InstanceData* caller, FuncInst* f, const Cell* args, Cell* results) {
  HostCallContext host_ctx{&ctx, caller, f};
  TrapCode code = TrapCode::None;
  // No C++ exception may cross into the guest: a throwing callable traps.
  try {
    code = f->host->fn(host_ctx, args, results);
  } catch (const std::exception& e) {
    ctx.set_trap(TrapCode::HostError, std::string("host function threw: ") + e.what());
    code = TrapCode::HostError;
  } catch (...) {
    ctx.set_trap(TrapCode::HostError, "host function threw an exception");
    code = TrapCode::HostError;
  }
  if (code != TrapCode::None) {
    if (ctx.trap != code) ctx.set_trap(code);
    ctx.backtrace.push_back(TrapFrame{nullptr, f->index});
  }
  return code;
}

}  // namespace wasmrt
