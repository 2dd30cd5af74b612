#include "runtime/memory/reservation_pool.h"

#include <sys/mman.h>

#include <new>

namespace wasmrt {

ReservationPool::~ReservationPool() {
  for (const Kept& kept : kept_) munmap(kept.mapping, static_cast<size_t>(kept.bytes));
}

void* ReservationPool::take(uint64_t bytes) {
  std::lock_guard lock(mutex_);
  // Newest first: its page tables are the likeliest to still be cached.
  for (size_t i = kept_.size(); i-- > 0;) {
    if (kept_[i].bytes != bytes) continue;
    void* mapping = kept_[i].mapping;
    kept_[i] = kept_.back();
    kept_.pop_back();
    return mapping;
  }
  return nullptr;
}

void ReservationPool::give_back(void* mapping, uint64_t bytes) {
  {
    std::lock_guard lock(mutex_);
    if (kept_.size() < max_kept_) {
      // Called from a destructor: a failed allocation unmaps instead.
      try {
        kept_.push_back(Kept{mapping, bytes});
        return;
      } catch (const std::bad_alloc&) {
      }
    }
  }
  munmap(mapping, static_cast<size_t>(bytes));
}

uint32_t ReservationPool::kept() const {
  std::lock_guard lock(mutex_);
  return static_cast<uint32_t>(kept_.size());
}

}  // namespace wasmrt
