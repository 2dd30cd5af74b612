// Guarded address-space reservations kept for reuse, so that creating and
// destroying a linear memory does not ask the kernel for, and give back,
// 8 GiB of address space every time (docs/architecture.md, "Reusing
// memory reservations").
//
// A LinearMemory with guard regions (linear_memory.h) takes its
// reservation from the pool when the pool has one, and gives it back when
// it is destroyed, after replacing every page it committed by a fresh
// inaccessible, anonymous mapping in one mmap call. A kept reservation is
// therefore exactly what a new one is: all PROT_NONE, no page resident, no
// file mapped, nothing of the memory that held it readable by the next
// one. The pool only ever holds address space, never memory.
//
// Bounded: it keeps at most max_kept reservations (each
// LinearMemory::kGuardedReservationBytes of address space); a reservation
// given back to a full pool is unmapped. Memories in use do not count: the
// pool bounds what it keeps, the store limits bound what is in use.
//
// Thread safety: every member may be called from any thread at once.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace wasmrt {

class ReservationPool {
 public:
  explicit ReservationPool(uint32_t max_kept) : max_kept_(max_kept) {}
  ~ReservationPool();  // unmaps every reservation it keeps
  ReservationPool(const ReservationPool&) = delete;
  ReservationPool& operator=(const ReservationPool&) = delete;

  // A kept reservation of `bytes` (all PROT_NONE, nothing resident), or
  // nullptr when the pool has none of that size.
  void* take(uint64_t bytes);
  // Keeps `mapping` (`bytes` long, all PROT_NONE, nothing resident: the
  // caller guarantees it) for a later take(), or unmaps it when the pool
  // already keeps max_kept reservations.
  void give_back(void* mapping, uint64_t bytes);

  uint32_t kept() const;
  uint32_t max_kept() const { return max_kept_; }

 private:
  struct Kept {
    void* mapping = nullptr;
    uint64_t bytes = 0;
  };
  const uint32_t max_kept_;
  mutable std::mutex mutex_;
  std::vector<Kept> kept_;
};

}  // namespace wasmrt
