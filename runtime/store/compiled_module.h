// A module decoded, validated and translated once: immutable afterwards
// (but for each function's translation, made once on its first need when
// lazy, and tier-up's machine code, both internally synchronized), so one
// CompiledModule is shared by every instance on every thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "runtime/binary/module.h"
#include "runtime/interp/interp.h"
#include "runtime/interp/tier.h"
#include "runtime/memory/linear_memory.h"
#include "runtime/memory/memory_image.h"
#include "runtime/store/tier_up.h"
#include "wasmrt/result.h"

namespace wasmrt {

// What instantiation does for the active data segments of a module whose
// segments can be applied ahead of time: each has a constant offset
// (i32.const) into memory 0, which the module defines itself, and each
// lies inside that memory's initial size, so applying them cannot trap
// and gives the same bytes in every instance. (Otherwise instantiation
// evaluates and applies them one by one, as the spec's algorithm reads.)
struct DataInitPlan {
  // data_dropped of an instance once its active segments ran: true for
  // each active segment, false for each passive one (data.drop and
  // memory.init still read the passive ones from the module's bytes).
  std::vector<bool> dropped;
  // The segments' bytes, mapped copy-on-write (LinearMemory::map_image);
  // null when they are all zero, or fill less than 16 KiB of pages (they
  // are copied: compiled_module.cc says why), or the OS gave no memfd.
  std::unique_ptr<MemoryImage> image;
  // Without an image: the memory's non-zero initial bytes, from address 0
  // (trailing zeros trimmed), and the page-aligned stretches of it to copy.
  std::vector<uint8_t> contents;
  std::vector<MemoryImage::Run> copy_runs;
};

struct CompiledModule {
  std::shared_ptr<const ModuleDesc> desc;
  // Translates `code` (and the checked copy) on first need when
  // options.lazy; null when everything was translated up front.
  std::unique_ptr<interp::LazyTranslator> lazy;
  // One per defined function (index = function index - imported functions).
  std::vector<interp::CompiledFunc> code;
  // Engine-wide signature id of every type index (see sig_registry.h).
  std::vector<uint32_t> type_sig_ids;
  // The metering compiled into `code` (a store that needs fuel or
  // interrupts refuses modules compiled without).
  interp::TranslateOptions options;
  // What the tier that compiled `code` (options.jit: the JIT's) made of it,
  // which `code`'s entries point into, or null.
  std::shared_ptr<const interp::TierCode> tier_code;
  const interp::Tier* tier = nullptr;  // that tier
  // Tier-up (tier_up.h): compiles hot functions and keeps their code; null
  // when functions stay where they start. Like up-front code, its code
  // relies on guard regions where it can, so instances whose memory 0 has
  // none run a checked copy (code_for_memory) with a tier-up of its own.
  std::unique_ptr<ModuleTierUp> tier_up;

  // The functions to bind to an instance whose memory 0 is `memory0` (null:
  // it has none). `code` itself unless its tier's code (compiled up front,
  // or by tier-up) relies on guard regions that memory0 lacks (created with
  // allow_guard_regions off, or its 8 GiB reservation failed; imported or
  // not): then a copy of the translated functions whose machine code checks
  // every access, made once per module on the first such instantiation
  // (from any thread) and compiled up front or tiered up like `code`. The
  // only cost for the common case is this call's test at instantiation: no
  // code tests anything per access.
  Result<const std::vector<interp::CompiledFunc>*> code_for_memory(const LinearMemory* memory0) const;

  // The checked copy (after code_for_memory made it): what its tier-up
  // compiles.
  const std::vector<interp::CompiledFunc>& checked_copy() const { return checked_->code; }

  // The ahead-of-time plan for the active data segments, or null when they
  // must be applied one by one. The first call returns null: building the
  // plan costs more than applying the segments once (Go's hello world:
  // about 0.3 ms more), and a process that instantiates a module once, as
  // wasm-run does, must not pay for it. The second call builds it (from
  // any thread; concurrent callers wait and share it), and every later one
  // returns it.
  const DataInitPlan* data_init_plan() const;

 private:
  struct DataInitState {
    std::atomic<bool> asked_once{false};
    std::once_flag once;
    std::unique_ptr<DataInitPlan> plan;
  };
  struct CheckedVariant {
    std::once_flag once;
    std::vector<interp::CompiledFunc> code;
    std::shared_ptr<const interp::TierCode> tier_code;
    std::unique_ptr<ModuleTierUp> tier_up;
    std::optional<Error> error;
  };
  bool relies_on_guard_regions() const;
  // Filled lazily by code_for_memory, behind the once_flag (the module is
  // otherwise immutable and shared between threads).
  std::unique_ptr<CheckedVariant> checked_ = std::make_unique<CheckedVariant>();
  std::unique_ptr<DataInitState> data_init_ = std::make_unique<DataInitState>();
};

// Translates a validated module (options.lazy: prepares each function to
// be translated on its first need), and compiles it up front (options.jit,
// which translates everything now) or prepares its tier-up
// (tier_up.enabled). Fails only if the translator rejects a body (a limit
// it cannot represent) or a requested tier does not exist here; the error
// is then Phase::Invalid.
Result<std::shared_ptr<const CompiledModule>> compile_module(std::shared_ptr<const ModuleDesc> desc,
                                                             const interp::TranslateOptions& options = {},
                                                             const interp::TierUpOptions& tier_up = {});

}  // namespace wasmrt
