#include "runtime/store/sig_registry.h"

#include <map>
#include <mutex>
#include <tuple>
#include <utility>
#include <vector>

namespace wasmrt {

namespace {

struct FuncTypeLess {
  bool operator()(const FuncType& a, const FuncType& b) const {
    return std::tie(a.params, a.results) < std::tie(b.params, b.results);
  }
};

struct Registry {
  std::mutex mutex;
  std::map<FuncType, uint32_t, FuncTypeLess> ids;
};

Registry& registry() {
  // Leaked on purpose: instances may be destroyed during static destruction.
  static Registry* instance = new Registry;
  return *instance;
}

}  // namespace

uint32_t intern_signature(const FuncType& type) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto [it, inserted] = r.ids.try_emplace(type, static_cast<uint32_t>(r.ids.size()) + 1);
  return it->second;
}

}  // namespace wasmrt
