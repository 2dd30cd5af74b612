// The seam between the interpreter and any other execution tier (a JIT):
// the one interface through which the interpreter reaches code it did not
// generate, so that it knows nothing of any back end.
//
// A tier starts from the interpreter's translated functions (ir.h) and
// keeps their frames and call records (execute.cc), which is what lets
// calls cross between tiers in both directions and gives both the same
// backtraces and the same call-depth and stack limits. It provides:
//   compile  machine code (or whatever it runs) for a module's translated
//            functions, marking each function it will run with itself
//            (CompiledFunc::tier) and its entry;
//   enter    running one such function from C++ (interp::invoke calls it
//            instead of its dispatch loop) and, on a trap, recording the
//            trap's frames with record_backtrace.
// The interpreter's side of the seam, for a tier's code and helpers, is the
// last group of declarations in interp.h (handler_table, call_outside,
// interrupt_trap, interrupt_flags, record_backtrace). Which tier compiles a
// module is the store's choice (runtime/store/compiled_module.cc).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "runtime/interp/interp.h"
#include "wasmrt/result.h"

namespace wasmrt::interp {

// What a tier compiled for one module: immutable, shared by every instance,
// and it must outlive every CompiledFunc entry pointing into it.
class TierCode {
 public:
  virtual ~TierCode() = default;
  // True when the code accesses memory 0 without explicit bounds checks,
  // relying on its guard regions: it may then run only in instances whose
  // memory 0 has them (LinearMemory::has_guard_regions).
  virtual bool relies_on_guard_regions() const { return false; }
};

// How a tier's code keeps memory 0's scalar accesses in bounds.
enum class BoundsChecks : uint8_t {
  // Relies on memory 0's guard regions where the tier can (TierCode says
  // whether it did): for instances whose memory 0 has them.
  UseGuardRegions,
  // Checks every access: for any memory.
  Explicit,
};

class Tier {
 public:
  virtual ~Tier() = default;

  // For messages and logs ("baseline").
  virtual std::string_view name() const = 0;

  // Compiles `funcs` (one module's, already translated), setting `tier`
  // (to this) and the entry of each function it will run; the others stay
  // on the interpreter. On failure, no function is marked.
  virtual Result<std::shared_ptr<const TierCode>> compile(std::vector<CompiledFunc>& funcs,
                                                          BoundsChecks bounds) const = 0;

  // Tier-up's entry: compiles the functions `which` (indices into `funcs`,
  // one module's) while other threads may be running any of them, and
  // publishes each one compiled (CompiledFunc::publish); the others are
  // left as they are. The code returned must be kept alive by the module.
  virtual Result<std::shared_ptr<const TierCode>> compile_functions(const std::vector<CompiledFunc>& funcs,
                                                                    std::span<const uint32_t> which,
                                                                    BoundsChecks bounds) const = 0;

  // Runs `f`, whose code this tier compiled, with its frame at `fp` and its
  // arguments in place; ctx.call_depth already counts it. Results are left
  // in the frame's first cells. On a trap, sets ctx's trap (if the tier's
  // code has not said more already) and appends the backtrace.
  virtual TrapCode enter(ExecContext& ctx, FuncInst* f, Cell* fp) const = 0;

  // As enter, but continues `f`, whose frame the interpreter has been
  // running, at one of its loop entries (CompiledFunc::loop_entries):
  // on-stack replacement. The interpreter has taken the back edge (charged
  // its fuel, polled), so the code there does not do it again.
  virtual TrapCode enter_at(ExecContext& ctx, FuncInst* f, Cell* fp, const void* loop_entry) const = 0;
};

// Tier-up's settings (TranslateOptions::count_back_edges, the store's
// compile_module). A function is hot after `calls` calls, or after about
// `back_edges` taken loop back edges (counted in samples of up to
// kBackEdgeSample, so a loop reaches compiled code within that many
// iterations of crossing its threshold).
struct TierUpOptions {
  bool enabled = false;
  uint32_t calls = 1000;
  uint32_t back_edges = 20000;
  // Compile on the thread that found the function hot, before it goes on:
  // tier-up then happens at the same point of every run (tests).
  bool synchronous = false;
  // What hot functions are compiled by, and the tier that compiles those it
  // declines (null: none). The engine fills these in: the JIT's baseline
  // today; an optimizing tier with the baseline as fallback once it exists.
  const Tier* target = nullptr;
  const Tier* fallback = nullptr;
};
inline constexpr uint32_t kBackEdgeSample = 1024;

// The module-wide half of tier-up, which the interpreter calls when a
// function of the module turns hot (CompiledFunc::tier_up).
class TierUpSink {
 public:
  virtual ~TierUpSink() = default;
  // `defined_index` (into the module's CompiledFunc vector) has just moved
  // from Cold to Queued: compile it (now, or on the background thread).
  virtual void request(uint32_t defined_index) = 0;
  virtual const TierUpOptions& options() const = 0;
};

}  // namespace wasmrt::interp
