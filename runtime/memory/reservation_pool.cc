#include "runtime/memory/reservation_pool.h"

#include <sys/mman.h>
#include <sys/resource.h>

#include <new>

namespace wasmrt {

namespace {

// Whether keeping `bytes` more, on top of `kept_bytes`, leaves the process
// room under its address-space limit: at most a quarter of the limit kept.
// Read on every give_back, since the limit may change at any time.
bool fits_address_space_limit(uint64_t kept_bytes, uint64_t bytes) {
  rlimit limit{};
  if (getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return true;
  return kept_bytes + bytes <= static_cast<uint64_t>(limit.rlim_cur) / 4;
}

}  // namespace

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
    kept_bytes_ -= taken.bytes;
    return taken;
  }
  return {};
}

void ReservationPool::give_back(const Reservation& reservation) {
  {
    std::lock_guard lock(mutex_);
    if (kept_.size() < max_kept_ && fits_address_space_limit(kept_bytes_, reservation.bytes)) {
      // Called from a destructor: a failed allocation unmaps instead.
      try {
        kept_.push_back(reservation);
        kept_bytes_ += reservation.bytes;
        return;
      } catch (const std::bad_alloc&) {
      }
    }
  }
  munmap(reservation.mapping, static_cast<size_t>(reservation.bytes));
}

uint32_t ReservationPool::release_all() {
  std::vector<Reservation> released;
  {
    std::lock_guard lock(mutex_);
    released.swap(kept_);
    kept_bytes_ = 0;
  }
  for (const Reservation& kept : released) munmap(kept.mapping, static_cast<size_t>(kept.bytes));
  return static_cast<uint32_t>(released.size());
}

uint32_t ReservationPool::kept() const {
  std::lock_guard lock(mutex_);
  return static_cast<uint32_t>(kept_.size());
}

}  // namespace wasmrt
