// The lazy entry, for both lowerings (docs/jit.md, "Entry"): the
// prologue charges the entry fuel but leaves frame_init (the zeroed
// locals and the frame constants) to the function's code. The zeroed
// locals start as dirty constant values, stored like any other value only
// where something reads the frame (a branch target that reads them, a
// helper, an eviction); a frame constant, used as an immediate, is stored
// only right before an instruction that reads it from the frame
// (store_constants_read), since liveness counts an immediate's reads too
// and a dirty value would be stored at every branch target it is live
// into. Most are never stored: a local is written before it is read.
#pragma once

#include <algorithm>
#include <optional>

#include "jit/opt/ir.h"

namespace wasmrt::jit::opt {

// Starts a function whose prologue left frame_init out: each zeroed local
// goes to bind_local(cell, value). Returns whether the frame constants
// stay lazy: not when an instruction known only to its C++ helper reads
// every cell, in which case they went to store_constant(cell, value) here,
// once.
template <typename BindLocal, typename StoreConstant>
bool start_lazy_frame(const CompiledFunc& cf, const Function& fn, BindLocal&& bind_local,
                      StoreConstant&& store_constant) {
  const auto& insts = fn.insts();
  const bool eager = std::any_of(insts.begin(), insts.end(), [](const Inst& in) { return in.fx.reads_from == 0; });
  for (size_t k = 0; k < cf.frame_init.size(); ++k) {
    const Unit c = cf.init_cell + static_cast<Unit>(k);
    if (!fn.frame_constant(c)) bind_local(c, cf.frame_init[k]);
    else if (eager) store_constant(c, cf.frame_init[k]);
  }
  return !eager;
}

// The frame constants an instruction with effects fx reads from the frame
// (a helper's operands, a return's results), to store_constant(cell, value)
// before it.
template <typename StoreConstant>
void store_constants_read(const CompiledFunc& cf, const Function& fn, const Effects& fx,
                          StoreConstant&& store_constant) {
  for (size_t k = 0; k < cf.frame_init.size(); ++k) {
    const Unit c = cf.init_cell + static_cast<Unit>(k);
    if (std::optional<Cell> v = fn.frame_constant(c); v && fx.reads_cell(c)) store_constant(c, *v);
  }
}

}  // namespace wasmrt::jit::opt
