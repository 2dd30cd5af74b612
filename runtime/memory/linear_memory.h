// A WebAssembly linear memory: one virtual-address reservation that grows in
// place, plus the bounds-checked accessors the interpreter's hot path uses.
//
// Layout of the guarded reservation (the normal case), in bytes from base():
//
//   [-64 KiB, 0)            pre-guard, always PROT_NONE
//   [0, size_bytes())       committed, PROT_READ|PROT_WRITE, zero-initialized
//   [size_bytes(), 4 GiB)   reserved, PROT_NONE until memory.grow commits it
//   [4 GiB, 8 GiB + 64 KiB) post-guard, always PROT_NONE
//
// A Wasm 2.0 access computes u32 address + u32 offset, at most 2^33 - 2, and
// touches at most 16 bytes (v128), so the last byte it can reach is
// base + 2^33 + 13, inside the post-guard. A JIT may therefore drop explicit
// bounds checks when has_guard_regions() is true and rely on the fault
// (jit/fault_handler.h turns it into the trap; docs/jit.md).
// The pre-guard catches small negative displacements from base (e.g. a JIT
// bug or a header accidentally addressed relative to base).
//
// When the 8 GiB reservation cannot be made (ulimit -v, sanitizers with a
// small application address range, many thousands of live memories), the
// memory falls back to reserving exactly its maximum (declared max or host
// cap), and failing that its initial size; growth past the reservation then
// returns -1. In those modes has_guard_regions() is false and every access
// must be checked explicitly. The accessors below are always checked.
//
// Thread safety: a LinearMemory is used by one thread at a time. Creating and
// destroying memories concurrently on different threads is safe: there is no
// global mutable state besides the optional, atomic PageBudget.
#pragma once

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <type_traits>
#include <utility>

#include "runtime/binary/types.h"
#include "runtime/common/always_inline.h"
#include "wasmrt/result.h"

namespace wasmrt {

class MemoryImage;
class ReservationPool;

// A pool of pages shared by several memories (e.g. every memory of one
// store), safe to use from many threads. Memories take pages from it when
// created and grown and give them back when destroyed. It must outlive every
// memory that uses it.
class PageBudget {
 public:
  explicit PageBudget(uint64_t limit_pages) : limit_pages_(limit_pages) {}
  PageBudget(const PageBudget&) = delete;
  PageBudget& operator=(const PageBudget&) = delete;

  // Takes `pages` from the budget, or returns false (and takes nothing).
  bool try_take(uint64_t pages);
  void give_back(uint64_t pages);
  uint64_t used_pages() const { return used_pages_.load(std::memory_order_relaxed); }
  uint64_t limit_pages() const { return limit_pages_; }
  // The most pages in use at once since the last reset_peak() (per-call
  // accounting: the store resets it when a call starts).
  uint64_t peak_pages() const { return peak_pages_.load(std::memory_order_relaxed); }
  void reset_peak();
  // memory.grow calls that a host limit refused (this budget, or a member
  // memory's own page cap) where the module's declared maximum allowed
  // them, since the last reset_refused_grows(): the exact signal that a
  // guest ran into its host's memory cap, which the guest itself only
  // sees as -1.
  uint64_t refused_grows() const { return refused_grows_.load(std::memory_order_relaxed); }
  void note_refused_grow() { refused_grows_.fetch_add(1, std::memory_order_relaxed); }
  void reset_refused_grows() { refused_grows_.store(0, std::memory_order_relaxed); }

 private:
  const uint64_t limit_pages_;
  std::atomic<uint64_t> used_pages_{0};
  std::atomic<uint64_t> peak_pages_{0};
  std::atomic<uint64_t> refused_grows_{0};
};

// Host-imposed limits, applied on top of the module's declared limits.
struct MemoryLimits {
  // Per-memory cap on pages; memory.grow past it returns -1.
  uint64_t max_pages = kMaxMemoryPages;
  // Try the 8 GiB guarded reservation first. Hosts that run very many
  // memories in a small address space can turn this off.
  bool allow_guard_regions = true;
  // Optional shared cap on the total pages of several memories (not owned).
  PageBudget* budget = nullptr;
  // Optional: where a guarded memory takes its reservation from, and gives
  // it back to when destroyed (reservation_pool.h). Shared, so it outlives
  // every memory that uses it.
  std::shared_ptr<ReservationPool> reservations;
};

class LinearMemory {
 public:
  // memory.grow's failure value.
  static constexpr int64_t kGrowFailed = -1;

  // Guarded layout constants (see the header comment).
  static constexpr uint64_t kPreGuardBytes = 64 * 1024;
  static constexpr uint64_t kAddressableBytes = kMaxMemoryPages * kPageSize;  // 4 GiB
  static constexpr uint64_t kPostGuardBytes = (uint64_t{4} << 30) + 64 * 1024;
  static constexpr uint64_t kGuardedBytesFromBase = kAddressableBytes + kPostGuardBytes;
  // The whole guarded reservation, pre-guard included.
  static constexpr uint64_t kGuardedReservationBytes = kPreGuardBytes + kGuardedBytesFromBase;

  // Creates a memory of `initial_pages` zeroed pages that may grow to
  // min(max_pages or 65536, limits.max_pages). Fails (Unlinkable) when the
  // initial size exceeds those limits or the OS cannot provide it.
  static Result<std::unique_ptr<LinearMemory>> create(uint64_t initial_pages,
                                                      std::optional<uint64_t> max_pages,
                                                      const MemoryLimits& limits = {});
  ~LinearMemory();
  LinearMemory(const LinearMemory&) = delete;
  LinearMemory& operator=(const LinearMemory&) = delete;

  // Never changes for the life of the memory, across every grow.
  uint8_t* base() const { return base_; }
  uint64_t size_bytes() const { return size_bytes_; }
  uint64_t pages() const { return size_bytes_ / kPageSize; }
  // The most pages this memory may ever have (declared max, host cap, 65536).
  uint64_t max_pages() const { return max_pages_; }
  std::optional<uint64_t> declared_max_pages() const { return declared_max_pages_; }
  // True when the guarded layout above is in place, so a JIT may rely on a
  // fault for any u32 address + u32 offset + access of up to 16 bytes.
  bool has_guard_regions() const { return guarded_; }
  // Bytes from base() to the end of the reservation (committed or not).
  uint64_t reserved_bytes_from_base() const { return reserved_from_base_; }

  // memory.grow: returns the old page count, or kGrowFailed (memory
  // unchanged) past the declared max, the host cap, the page budget, the
  // reservation, or when the OS refuses to commit the pages. A refusal by
  // the host cap or the budget is counted in the budget (refused_grows).
  int64_t grow(uint64_t delta_pages);

  // Replaces the memory's first image.extent() bytes by a copy-on-write
  // mapping of `image` (memory_image.h): reads see the image, the first
  // write to a page copies that page for this memory alone. Only for a
  // memory nothing has written yet (instantiation, before any code runs),
  // whose committed size covers the extent. False (memory still all
  // zero, as before) when the OS refuses; the caller then copies.
  // Afterwards, pages of the image are file-backed: freeing them
  // (reset_to_initial) brings back the image's bytes there, not zeros.
  bool map_image(const MemoryImage& image);
  // The image map_image mapped (still in place), or null.
  const MemoryImage* mapped_image() const { return mapped_image_; }

  // Back to `initial_pages` pages (at most pages()) holding exactly what
  // they held after create() and map_image(): zeros, and the mapped
  // image's bytes where it is mapped. The kernel frees every page this
  // memory wrote (madvise(MADV_DONTNEED) drops the private copies, so the
  // pages read as the image or as zero again) and pages grown past
  // `initial_pages` become inaccessible again: nothing is zeroed byte by
  // byte, and the cost grows with the pages written, not with the size.
  // The page budget gets the grown pages back. False when the OS refuses:
  // the memory's contents are then undefined and it must be destroyed,
  // never used again.
  bool reset_to_initial(uint64_t initial_pages);

  // True if [addr + offset, addr + offset + width) lies inside the memory.
  // Computed in 64 bits with an overflow check, so no wrap can pass.
  WASMRT_ALWAYS_INLINE bool in_bounds(uint64_t addr, uint64_t offset, uint64_t width) const {
    uint64_t effective;
    if (__builtin_add_overflow(addr, offset, &effective)) return false;
    return effective <= size_bytes_ && width <= size_bytes_ - effective;
  }
  // True if [addr, addr + len) lies inside the memory (len 0 at the end is
  // in bounds, as the bulk-memory instructions require).
  bool check_range(uint64_t addr, uint64_t len) const { return in_bounds(addr, 0, len); }

  // Little-endian, unaligned-safe loads and stores. Return false (and touch
  // nothing) when out of bounds: the caller traps with MemoryOutOfBounds.
  // Always inlined: each is a handful of instructions on the interpreter's
  // hottest path, and GCC stops inlining into its dispatch function once
  // that grows past its size limits (an out-of-line load made matmul 40%
  // slower when the fused handlers were added).
  template <typename T>
  WASMRT_ALWAYS_INLINE bool load(uint64_t addr, uint64_t offset, T& out) const {
    static_assert(std::is_trivially_copyable_v<T>);
    if (!in_bounds(addr, offset, sizeof(T))) return false;
    std::memcpy(&out, base_ + addr + offset, sizeof(T));
    if constexpr (std::endian::native == std::endian::big) reverse_bytes(out);
    return true;
  }
  template <typename T>
  WASMRT_ALWAYS_INLINE bool store(uint64_t addr, uint64_t offset, T value) {
    static_assert(std::is_trivially_copyable_v<T>);
    if (!in_bounds(addr, offset, sizeof(T))) return false;
    if constexpr (std::endian::native == std::endian::big) reverse_bytes(value);
    std::memcpy(base_ + addr + offset, &value, sizeof(T));
    return true;
  }

  // memory.fill / memory.copy / memory.init: every range is checked before
  // any byte is written; false means trap and the memory is unchanged.
  bool fill(uint64_t dst, uint8_t value, uint64_t len) {
    if (!check_range(dst, len)) return false;
    if (len != 0) std::memset(base_ + dst, value, len);
    return true;
  }
  // Overlapping ranges behave like memmove, as the spec requires.
  bool copy(uint64_t dst, uint64_t src, uint64_t len) {
    if (!check_range(dst, len) || !check_range(src, len)) return false;
    if (len != 0) std::memmove(base_ + dst, base_ + src, len);
    return true;
  }
  // Copies segment[src, src + len) to [dst, dst + len). A dropped segment is
  // an empty span.
  bool init(uint64_t dst, std::span<const uint8_t> segment, uint64_t src, uint64_t len) {
    if (src > segment.size() || len > segment.size() - src) return false;
    if (!check_range(dst, len)) return false;
    if (len != 0) std::memcpy(base_ + dst, segment.data() + src, len);
    return true;
  }

  // For host functions (WASI etc.): a pointer to [addr, addr + len), or
  // nullptr when out of bounds. Valid until the memory is destroyed; the
  // range stays valid across grows because the base never moves.
  uint8_t* checked_pointer(uint64_t addr, uint64_t len) {
    return check_range(addr, len) ? base_ + addr : nullptr;
  }

 private:
  LinearMemory() = default;

  template <typename T>
  static void reverse_bytes(T& value) {
    unsigned char bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T));
    for (size_t i = 0; i < sizeof(T) / 2; ++i) std::swap(bytes[i], bytes[sizeof(T) - 1 - i]);
    std::memcpy(&value, bytes, sizeof(T));
  }

  uint8_t* base_ = nullptr;
  uint64_t size_bytes_ = 0;
  uint64_t max_pages_ = 0;
  std::optional<uint64_t> declared_max_pages_;
  bool guarded_ = false;
  // The whole mapping, for munmap: [mapping_, mapping_ + mapping_bytes_).
  void* mapping_ = nullptr;
  uint64_t mapping_bytes_ = 0;
  uint64_t reserved_from_base_ = 0;
  // Bytes from base already made readable/writable (>= size_bytes_ when the
  // OS page is larger than a Wasm page).
  uint64_t committed_bytes_ = 0;
  PageBudget* budget_ = nullptr;
  const MemoryImage* mapped_image_ = nullptr;
  // Where the guarded reservation came from and goes back to, or null.
  std::shared_ptr<ReservationPool> reservations_;
};

}  // namespace wasmrt
