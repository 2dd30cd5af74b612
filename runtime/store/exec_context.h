// Per-call execution state: the value stack both tiers run on, the call
// depth limit, and the trap slot. One ExecContext is used by one thread at a
// time; it is cheap to reuse across calls (call reset_trap() in between).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/common/trap_codes.h"
#include "runtime/memory/reservation_pool.h"
#include "runtime/store/interrupt.h"
#include "runtime/store/objects.h"

namespace wasmrt {

// One wasm frame of a trap's backtrace, innermost first.
struct TrapFrame {
  const InstanceData* instance = nullptr;  // null for a host function
  uint32_t func_index = 0;                 // in the instance's module function space
};

// The value stack's memory: an anonymous mapping, reserved whole and
// committed page by page as frames first touch it. A deep default (wasm-run
// reserves 1 GiB for Go) then costs nothing for a shallow guest, and
// sanitizer builds do not poison and unpoison the shadow of the whole
// reservation on every allocation, as they do for operator new.
struct StackMapping {
  size_t bytes = 0;
  // Where the mapping goes for reuse, its pages freed, or null: unmapped.
  std::shared_ptr<ReservationPool> reuse;
  void operator()(Cell* cells) const;
};
using StackPtr = std::unique_ptr<Cell[], StackMapping>;
// `cells` cells of fresh stack (reused from `reuse` when it keeps one);
// throws std::bad_alloc when the address space has no room (as operator
// new would).
StackPtr map_stack(size_t cells, std::shared_ptr<ReservationPool> reuse = nullptr);

struct ExecContext {
  // 1 Mi cells = 8 MiB of value stack, enough for Go's 8 MiB wasm stack.
  static constexpr size_t kDefaultStackCells = size_t{1} << 20;
  static constexpr uint32_t kDefaultMaxCallDepth = 100000;

  explicit ExecContext(size_t stack_cells = kDefaultStackCells,
                       uint32_t max_call_depth = kDefaultMaxCallDepth,
                       std::shared_ptr<ReservationPool> stack_reuse = nullptr)
      : stack(map_stack(stack_cells, std::move(stack_reuse))),
        stack_cells(stack_cells),
        max_call_depth(max_call_depth) {}
  ExecContext(const ExecContext&) = delete;
  ExecContext& operator=(const ExecContext&) = delete;

  // Value stack (frames of params + locals + operands). Not zeroed: the
  // interpreter initializes locals itself.
  StackPtr stack;
  size_t stack_cells = 0;
  // Cells currently in use by active frames (the interpreter maintains it
  // across nested host -> wasm re-entry).
  size_t stack_top = 0;

  uint32_t max_call_depth = kDefaultMaxCallDepth;
  uint32_t call_depth = 0;

  // Trap slot: set by the tier (or a host function) when execution traps.
  TrapCode trap = TrapCode::None;
  std::string trap_message;          // empty: use trap_message(trap)
  std::vector<TrapFrame> backtrace;  // innermost first
  uint64_t backtrace_omitted = 0;    // frames left out of the middle of a deep one
  // While the interpreter has handed a call to another tier (tier-up), the
  // depth its own frames start at: the tier's part of a trap's backtrace
  // is shortened as one with the interpreter's below it (UINT32_MAX: no
  // such part), and how many frames that part counted, for the
  // interpreter to go on from (interp::record_backtrace).
  uint32_t backtrace_floor = UINT32_MAX;
  uint64_t backtrace_part_frames = 0;

  // Fuel metering (docs/fuel.md): the remaining budget, charged by metered
  // code. Only meaningful when fuel_enabled (code compiled with fuel).
  bool fuel_enabled = false;
  int64_t fuel = 0;
  // Polled by code compiled with interrupt checks; null: never interrupted.
  InterruptState* interrupt = nullptr;

  // Set with trap = TrapCode::Exit when a host function ended the guest
  // (WASI proc_exit); the embedder sees Phase::Exit.
  bool exited = false;
  int32_t exit_code = 0;

  // Opaque slot for the embedding layer.
  void* host_data = nullptr;

  void set_trap(TrapCode code, std::string message = {}) {
    trap = code;
    trap_message = std::move(message);
  }
  void reset_trap() {
    exited = false;
    exit_code = 0;
    trap = TrapCode::None;
    trap_message.clear();
    backtrace.clear();
    backtrace_omitted = 0;
  }
  // The trap's text: the host's message if one was given, else the spec's.
  std::string trap_text() const {
    return trap_message.empty() ? std::string(wasmrt::trap_message(trap)) : trap_message;
  }
};

}  // namespace wasmrt
