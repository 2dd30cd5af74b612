#include "runtime/store/compiled_module.h"

#include <algorithm>
#include <utility>

#include "jit/jit.h"
#include "runtime/store/sig_registry.h"

namespace wasmrt {

namespace {

// Makes `functions` count toward tier-up by `sink`. Counting starts only
// now: before, a function was never hot.
void start_tier_up(std::vector<interp::CompiledFunc>& functions, ModuleTierUp& sink) {
  const int32_t calls =
      static_cast<int32_t>(std::min<uint32_t>(std::max<uint32_t>(sink.options().calls, 1), INT32_MAX));
  for (interp::CompiledFunc& f : functions) {
    f.tier_up = &sink;
    f.calls_left = calls;
  }
}

// The translation of `f` without anything a tier or tier-up set: read only
// from fields that never change after translation, so copying is safe
// while other threads run `f` (and update its counters and entries).
interp::CompiledFunc translation_of(const interp::CompiledFunc& f) {
  interp::CompiledFunc copy;
  copy.code = f.code;
  copy.frame_init = f.frame_init;
  copy.init_cell = f.init_cell;
  copy.func_index = f.func_index;
  copy.num_param_cells = f.num_param_cells;
  copy.num_result_cells = f.num_result_cells;
  copy.num_local_cells = f.num_local_cells;
  copy.frame_cells = f.frame_cells;
  copy.entry_fuel = f.entry_fuel;
  copy.check_interrupt = f.check_interrupt;
  return copy;
}

}  // namespace

Result<std::shared_ptr<const CompiledModule>> compile_module(std::shared_ptr<const ModuleDesc> desc,
                                                             const interp::TranslateOptions& translate_options,
                                                             const interp::TierUpOptions& tier_up) {
  if (desc == nullptr || !desc->validated) return Error{Phase::Invalid, "module is not validated"};
  interp::TranslateOptions options = translate_options;
  if (tier_up.enabled) {
    if (options.jit) return Error{Phase::Invalid, "tier-up: the module is compiled up front already"};
    if (tier_up.target == nullptr) return Error{Phase::Invalid, "tier-up: no tier to compile hot functions"};
    options.count_back_edges = true;
  }
  auto compiled = std::make_shared<CompiledModule>();
  auto code = interp::translate_module(*desc, options);
  if (!code.ok()) return std::move(code).error();
  compiled->code = std::move(code).value();
  if (options.jit) {
    // The store picks the tier; the interpreter only follows
    // CompiledFunc::tier.
    const interp::Tier* tier = options.optimize ? jit::optimizing_tier() : jit::tier();
    if (tier == nullptr)
      return Error{Phase::Invalid, options.optimize ? "optimizing: no optimizing code generator for this architecture"
                                                    : "jit: no code generator for this architecture"};
    auto tier_code = tier->compile(compiled->code, interp::BoundsChecks::UseGuardRegions);
    if (!tier_code.ok()) return std::move(tier_code).error();
    compiled->tier_code = std::move(tier_code).value();
    compiled->tier = tier;
  }
  compiled->options = options;
  compiled->type_sig_ids.reserve(desc->types.size());
  for (const FuncType& type : desc->types) compiled->type_sig_ids.push_back(intern_signature(type));
  if (tier_up.enabled) {
    compiled->tier_up = std::make_unique<ModuleTierUp>(tier_up, desc->num_imported_funcs,
                                                       interp::BoundsChecks::UseGuardRegions);
    compiled->tier_up->attach(compiled, /*checked_copy=*/false);
    start_tier_up(compiled->code, *compiled->tier_up);
  }
  compiled->desc = std::move(desc);
  return std::shared_ptr<const CompiledModule>(std::move(compiled));
}

bool CompiledModule::relies_on_guard_regions() const {
  if (tier_code != nullptr) return tier_code->relies_on_guard_regions();
  return tier_up != nullptr && tier_up->relies_on_guard_regions();
}

Result<const std::vector<interp::CompiledFunc>*> CompiledModule::code_for_memory(const LinearMemory* memory0) const {
  if (memory0 == nullptr || memory0->has_guard_regions() || !relies_on_guard_regions()) return &code;
  CheckedVariant& checked = *checked_;
  std::call_once(checked.once, [&] {
    // Copies of the translated functions (their entries differ, and the
    // interpreter runs what the tier left to it from the copy it is bound
    // to), compiled again, or tiered up, with every access checked.
    checked.code.reserve(code.size());
    for (const interp::CompiledFunc& f : code) checked.code.push_back(translation_of(f));
    if (tier_up != nullptr) {
      checked.tier_up = std::make_unique<ModuleTierUp>(tier_up->options(), desc->num_imported_funcs,
                                                       interp::BoundsChecks::Explicit);
      checked.tier_up->attach(tier_up->module(), /*checked_copy=*/true);
      start_tier_up(checked.code, *checked.tier_up);
      return;
    }
    auto compiled = tier->compile(checked.code, interp::BoundsChecks::Explicit);
    if (compiled.ok()) checked.tier_code = std::move(compiled).value();
    else checked.error = std::move(compiled).error();
  });
  if (checked.error) return *checked.error;
  return &checked.code;
}

}  // namespace wasmrt
