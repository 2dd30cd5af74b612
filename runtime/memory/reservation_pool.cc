#include "runtime/memory/reservation_pool.h"

#include <sys/mman.h>

#include <new>

namespace wasmrt {

ReservationPool::~ReservationPool() {
  for (const Reservation& kept : kept_) munmap(kept.mapping, static_cast<size_t>(kept.bytes));
}

ReservationPool::Reservation ReservationPool::take(Kind kind, uint64_t bytes) {
  std::lock_guard lock(mutex_);
  // Newest first: its page tables are the likeliest to still be cached.
  for (size_t i = kept_.size(); i-- > 0;) {
    if (kept_[i].kind != kind || kept_[i].bytes != bytes) continue;
    const Reservation taken = kept_[i];
    kept_[i] = kept_.back();
    kept_.pop_back();
    return taken;
  }
  return {};
}

void ReservationPool::give_back(const Reservation& reservation) {
  {
    std::lock_guard lock(mutex_);
    if (kept_.size() < max_kept_) {
      // Called from a destructor: a failed allocation unmaps instead.
      try {
        kept_.push_back(reservation);
        return;
      } catch (const std::bad_alloc&) {
      }
    }
  }
  munmap(reservation.mapping, static_cast<size_t>(reservation.bytes));
}

uint32_t ReservationPool::kept() const {
  std::lock_guard lock(mutex_);
  return static_cast<uint32_t>(kept_.size());
}

}  // namespace wasmrt
