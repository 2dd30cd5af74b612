// What the stores of one Engine share (wasmrt.h, Engine).
#pragma once

#include <memory>

#include "runtime/memory/reservation_pool.h"

namespace wasmrt::api_detail {

struct EngineState {
  // EngineConfig::kept_memory_reservations; null when it is 0.
  std::shared_ptr<ReservationPool> memory_reservations;
};

}  // namespace wasmrt::api_detail
