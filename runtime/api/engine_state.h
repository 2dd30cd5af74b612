// What the stores of one Engine share (wasmrt.h, Engine).
#pragma once

#include <memory>

#include "runtime/cache/code_cache.h"
#include "runtime/memory/reservation_pool.h"
#include "wasmrt/result.h"

namespace wasmrt::api_detail {

struct EngineState {
  // Memory reservations and value stacks kept for reuse
  // (EngineConfig::kept_memory_reservations); null when that is 0.
  std::shared_ptr<ReservationPool> reservations;
  // The on-disk code cache (EngineConfig::cache_dir); null when off.
  std::shared_ptr<cache::CodeCache> code_cache;
};

struct StoreState;

// For pooled instances (pool.cc): puts the one instance of `store`
// (`instance`, a StoreInstance) back in its initial state
// (ObjectStore::reset_instance), runs a reactor's `_initialize` again as
// Linker::instantiate does, and gives the store back its initial fuel (0),
// no timeout or deadline, and no pending interrupt. After an error the
// store must be discarded.
Result<void> reset_pooled_instance(StoreState& store, void* instance);

}  // namespace wasmrt::api_detail
