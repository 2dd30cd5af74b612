// Internal: the state behind the public wasmrt::Module, shared by the API
// sources (module.cc compiles it; runtime.cc instantiates it).
#pragma once

#include <memory>
#include <vector>

#include "runtime/binary/module.h"
#include "runtime/store/compiled_module.h"
#include "wasmrt/wasmrt.h"

namespace wasmrt {

struct Module::Impl {
  // Decoded, validated and translated once; shared by every instance.
  std::shared_ptr<const CompiledModule> compiled;
  std::vector<ImportDescriptor> imports;
  std::vector<ExportDescriptor> exports;

  const ModuleDesc& desc() const { return *compiled->desc; }
};

}  // namespace wasmrt
