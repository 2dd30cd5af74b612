#include "runtime/store/compiled_module.h"

#include <utility>

#include "jit/jit.h"
#include "runtime/store/sig_registry.h"

namespace wasmrt {

Result<std::shared_ptr<const CompiledModule>> compile_module(std::shared_ptr<const ModuleDesc> desc,
                                                             const interp::TranslateOptions& options) {
  if (desc == nullptr || !desc->validated) return Error{Phase::Invalid, "module is not validated"};
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
    auto tier_code = tier->compile(compiled->code);
    if (!tier_code.ok()) return std::move(tier_code).error();
    compiled->tier_code = std::move(tier_code).value();
  }
  compiled->options = options;
  compiled->type_sig_ids.reserve(desc->types.size());
  for (const FuncType& type : desc->types) compiled->type_sig_ids.push_back(intern_signature(type));
  compiled->desc = std::move(desc);
  return std::shared_ptr<const CompiledModule>(std::move(compiled));
}

}  // namespace wasmrt
