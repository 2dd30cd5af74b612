// A module decoded, validated and translated once: immutable afterwards, so
// one CompiledModule is shared by every instance on every thread.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "runtime/binary/module.h"
#include "runtime/interp/interp.h"
#include "runtime/interp/tier.h"
#include "runtime/store/tier_up.h"
#include "wasmrt/result.h"

namespace wasmrt {

struct CompiledModule {
  std::shared_ptr<const ModuleDesc> desc;
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
  // Tier-up (tier_up.h): compiles hot functions and keeps their code; null
  // when functions stay where they start.
  std::unique_ptr<ModuleTierUp> tier_up;
};

// Translates a validated module, and compiles it up front (options.jit) or
// prepares its tier-up (tier_up.enabled). Fails only if the translator
// rejects a body (a limit it cannot represent) or a requested tier does not
// exist here; the error is then Phase::Invalid.
Result<std::shared_ptr<const CompiledModule>> compile_module(std::shared_ptr<const ModuleDesc> desc,
                                                             const interp::TranslateOptions& options = {},
                                                             const interp::TierUpOptions& tier_up = {});

}  // namespace wasmrt
