// Tier-up's module-wide half (interp::TierUpSink): compiles the functions
// the interpreter found hot, on the thread that found them
// (TierUpOptions::synchronous) or on the process's tier-up thread, and
// keeps the code of each batch alive as long as the module.
//
// Concurrency (docs/jit.md): the interpreter moves a function from Cold to
// Queued once (a compare-and-swap on CompiledFunc::tier_up_state), so each
// function is asked for once. The background thread holds only a weak
// reference to a queued module: a module dropped before its turn is not
// compiled, and one being compiled stays alive until its batch is
// published. Publishing (CompiledFunc::publish) is atomic; running frames
// go on where they are, and the next call, or the next sampled back edge
// (on-stack replacement), takes the machine code.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "runtime/interp/tier.h"

namespace wasmrt {

struct CompiledModule;

class ModuleTierUp final : public interp::TierUpSink {
 public:
  // `bounds`: how the code it compiles checks memory 0's accesses. A
  // module's own functions (CompiledModule::code) are compiled for guard
  // regions where the fault handler is installed; the checked copy that
  // instances without guard regions run (code_for_memory) has a ModuleTierUp
  // of its own that checks every access.
  ModuleTierUp(const interp::TierUpOptions& options, uint32_t imported_funcs, interp::BoundsChecks bounds);

  // The module this belongs to, and whether it compiles the module's
  // checked copy (set once, right after it is created).
  void attach(std::weak_ptr<const CompiledModule> module, bool checked_copy) {
    module_ = std::move(module);
    checked_copy_ = checked_copy;
  }
  const std::weak_ptr<const CompiledModule>& module() const { return module_; }
  // Whether code compiled here may run only where memory 0 has guard
  // regions.
  bool relies_on_guard_regions() const { return bounds_ == interp::BoundsChecks::UseGuardRegions; }

  void request(uint32_t func_index) override;
  const interp::TierUpOptions& options() const override { return options_; }

  // Compiles the defined functions `defined` of `module` (this one's: its
  // own functions or its checked copy) and publishes them; functions no
  // tier compiles become Declined.
  void compile(const CompiledModule& module, std::span<const uint32_t> defined);

  // Tier-up batches published so far (tests and logs).
  size_t batches() const;

 private:
  interp::TierUpOptions options_;
  uint32_t imported_funcs_;
  interp::BoundsChecks bounds_;
  std::weak_ptr<const CompiledModule> module_;
  bool checked_copy_ = false;
  std::chrono::steady_clock::time_point created_ = std::chrono::steady_clock::now();
  bool log_ = false;
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<const interp::TierCode>> code_;  // one per batch
};

// Waits until the tier-up thread has nothing queued or running (tests and
// measurements that want every requested compile published).
void wait_for_background_tier_up();

}  // namespace wasmrt
