// The value stack's mapping (exec_context.h says why it is not operator new).
#include "runtime/store/exec_context.h"

#include <sys/mman.h>

#include <new>

namespace wasmrt {

void StackMapping::operator()(Cell* cells) const {
  if (cells == nullptr) return;
  // Freed, the pages read as zero again: nothing of this stack's frames
  // reaches the next store that takes it.
  if (reuse != nullptr && madvise(cells, bytes, MADV_DONTNEED) == 0) {
    reuse->give_back(ReservationPool::Reservation{ReservationPool::Kind::ValueStack, cells, bytes, bytes});
    return;
  }
  munmap(cells, bytes);
}

StackPtr map_stack(size_t cells, std::shared_ptr<ReservationPool> reuse) {
  if (cells == 0) cells = 1;
  if (cells > SIZE_MAX / sizeof(Cell)) throw std::bad_alloc();
  const size_t bytes = cells * sizeof(Cell);
  // MAP_NORESERVE: a reservation, not a commitment; pages come on first
  // touch, and a guest that touches more than the machine has fails like
  // any process that runs out of memory, not at reservation time.
  if (reuse != nullptr) {
    const ReservationPool::Reservation kept = reuse->take(ReservationPool::Kind::ValueStack, bytes);
    if (kept.mapping != nullptr) {
      return StackPtr(static_cast<Cell*>(kept.mapping), StackMapping{bytes, std::move(reuse)});
    }
  }
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  // Under an address-space limit the pool's kept reservations may be what
  // is in the way (reservation_pool.h).
  if (p == MAP_FAILED && reuse != nullptr && reuse->release_all() != 0) {
    p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  }
  if (p == MAP_FAILED) throw std::bad_alloc();
  return StackPtr(static_cast<Cell*>(p), StackMapping{bytes, std::move(reuse)});
}

}  // namespace wasmrt
