// Guarded address-space reservations (and value stacks) kept for reuse, so
// that creating and destroying a linear memory does not ask the kernel for,
// and give back, 8 GiB of address space every time, nor a store its 8 MiB
// value stack (docs/architecture.md, "Reusing memory reservations").
//
// A LinearMemory with guard regions (linear_memory.h) takes its
// reservation from the pool when the pool has one, and gives it back when
// it is destroyed, after replacing every page it committed by a fresh
// anonymous mapping in one mmap call. A kept reservation is therefore what
// a new one is, except that its first `accessible` bytes from the memory's
// base stay readable and writable (so that the next memory of the same
// initial size makes no mprotect call): no page resident, no file mapped,
// everything reads as zero, nothing of the memory that held it readable by
// the next one. The pool only ever holds address space, never memory. A
// value stack (exec_context.h) comes back whole, accessible, its pages
// freed with madvise(MADV_DONTNEED).
//
// Bounded: it keeps at most max_kept reservations (each
// LinearMemory::kGuardedReservationBytes of address space); a reservation
// given back to a full pool is unmapped. Memories in use do not count: the
// pool bounds what it keeps, the store limits bound what is in use.
//
// Under an address-space limit (RLIMIT_AS, `ulimit -v`) kept reservations
// would take room the process needs for everything else, the embedder's
// own allocations included: there the pool keeps at most a quarter of the
// limit, and a reservation or stack that the OS refuses is asked for again
// after release_all() (linear_memory.cc, exec_context.cc).
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

  // What a reservation is for: a memory never takes a stack, whatever the
  // sizes.
  enum class Kind : uint8_t { GuardedMemory, ValueStack };
  struct Reservation {
    Kind kind = Kind::GuardedMemory;
    void* mapping = nullptr;  // null: none
    uint64_t bytes = 0;
    // Bytes, from where the reservation's owner said (its memory's base),
    // that are readable and writable; the rest is PROT_NONE.
    uint64_t accessible = 0;
  };
  // A kept reservation of `kind` and `bytes`, or one with a null mapping
  // when the pool has none.
  Reservation take(Kind kind, uint64_t bytes);
  // Keeps `reservation` (nothing resident, nothing mapped from a file, all
  // PROT_NONE but the stretch it names: the caller guarantees it) for a
  // later take(), or unmaps it when the pool already keeps max_kept.
  void give_back(const Reservation& reservation);
  // Unmaps every kept reservation, for a caller whose mapping the OS just
  // refused: how many there were (0: retrying cannot help).
  uint32_t release_all();

  uint32_t kept() const;
  uint32_t max_kept() const { return max_kept_; }

 private:
  const uint32_t max_kept_;
  mutable std::mutex mutex_;
  std::vector<Reservation> kept_;
  uint64_t kept_bytes_ = 0;
};

}  // namespace wasmrt
