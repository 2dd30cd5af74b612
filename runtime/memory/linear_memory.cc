#include "runtime/memory/linear_memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>

#include "runtime/memory/memory_image.h"
#include "runtime/memory/reservation_pool.h"

namespace wasmrt {

bool PageBudget::try_take(uint64_t pages) {
  uint64_t used = used_pages_.load(std::memory_order_relaxed);
  do {
    if (pages > limit_pages_ || used > limit_pages_ - pages) return false;
  } while (!used_pages_.compare_exchange_weak(used, used + pages, std::memory_order_relaxed));
  uint64_t now = used + pages;
  uint64_t peak = peak_pages_.load(std::memory_order_relaxed);
  while (now > peak && !peak_pages_.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
  }
  return true;
}

void PageBudget::reset_peak() {
  peak_pages_.store(used_pages_.load(std::memory_order_relaxed), std::memory_order_relaxed);
}

void PageBudget::give_back(uint64_t pages) {
  used_pages_.fetch_sub(pages, std::memory_order_relaxed);
}

namespace {

uint64_t os_page_size() {
  long size = sysconf(_SC_PAGESIZE);
  return size > 0 ? static_cast<uint64_t>(size) : 4096;
}

uint64_t round_up(uint64_t value, uint64_t multiple) {
  return (value + multiple - 1) / multiple * multiple;
}

// An inaccessible, uncommitted reservation; nullptr if the OS refuses, even
// after `pool` (if any) gave back the address space it kept: under an
// address-space limit that may be what stands in the way.
void* reserve(uint64_t bytes, ReservationPool* pool) {
  if (bytes == 0 || bytes > SIZE_MAX) return nullptr;
  for (int attempt = 0; attempt < 2; ++attempt) {
    void* mapping = mmap(nullptr, static_cast<size_t>(bytes), PROT_NONE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mapping != MAP_FAILED) return mapping;
    if (pool == nullptr || pool->release_all() == 0) break;
  }
  return nullptr;
}

Error resource_error(std::string message) {
  // Instantiation cannot proceed; it is not a guest trap, and the module is
  // valid, so report it the way an unsatisfiable import is reported.
  Error error;
  error.phase = Phase::Unlinkable;
  error.message = std::move(message);
  return error;
}

}  // namespace

Result<std::unique_ptr<LinearMemory>> LinearMemory::create(uint64_t initial_pages,
                                                           std::optional<uint64_t> max_pages,
                                                           const MemoryLimits& limits) {
  uint64_t effective_max = kMaxMemoryPages;
  if (max_pages && *max_pages < effective_max) effective_max = *max_pages;
  if (limits.max_pages < effective_max) effective_max = limits.max_pages;
  if (initial_pages > effective_max) {
    return resource_error("memory size " + std::to_string(initial_pages) + " pages exceeds the limit of " +
                          std::to_string(effective_max) + " pages");
  }

  std::unique_ptr<LinearMemory> memory(new LinearMemory());
  memory->max_pages_ = effective_max;
  memory->declared_max_pages_ = max_pages;

  const uint64_t page = os_page_size();
  const uint64_t initial_bytes = initial_pages * kPageSize;
  // A guard only works if the OS can protect at Wasm-page granularity.
  const bool can_guard = limits.allow_guard_regions && kPageSize % page == 0 && kPreGuardBytes % page == 0;

  if (can_guard) {
    ReservationPool::Reservation kept;
    if (limits.reservations != nullptr) {
      kept = limits.reservations->take(ReservationPool::Kind::GuardedMemory, kGuardedReservationBytes);
    }
    void* mapping = kept.mapping != nullptr ? kept.mapping : reserve(kGuardedReservationBytes, limits.reservations.get());
    if (mapping != nullptr) {
      memory->reservations_ = limits.reservations;
      // A kept reservation may come with pages already accessible (what
      // its last memory had committed), all reading as zero.
      memory->committed_bytes_ = kept.accessible;
      memory->mapping_ = mapping;
      memory->mapping_bytes_ = kGuardedReservationBytes;
      memory->base_ = static_cast<uint8_t*>(mapping) + kPreGuardBytes;
      memory->reserved_from_base_ = kGuardedBytesFromBase;
      memory->guarded_ = true;
    }
  }
  if (!memory->mapping_) {
    // Fallback tiers: the whole maximum (growth always fits), then only the
    // initial size (growth beyond it returns -1). One extra OS page keeps a
    // trailing guard page, and guarantees a non-null base for 0-page memories.
    for (uint64_t bytes : {effective_max * kPageSize, initial_bytes}) {
      uint64_t reserved = round_up(bytes, page);
      if (void* mapping = reserve(reserved + page, limits.reservations.get())) {
        memory->mapping_ = mapping;
        memory->mapping_bytes_ = reserved + page;
        memory->base_ = static_cast<uint8_t*>(mapping);
        memory->reserved_from_base_ = reserved;
        break;
      }
    }
  }
  if (!memory->mapping_) {
    return resource_error("cannot reserve address space for a memory of " + std::to_string(initial_pages) +
                          " pages");
  }

  // Accessible past the initial size, an access there would not fault:
  // give the excess of a kept reservation back to PROT_NONE.
  const uint64_t initial_commit = round_up(initial_bytes, page);
  if (memory->committed_bytes_ > initial_commit) {
    const uint64_t excess = memory->committed_bytes_ - initial_commit;
    if (mprotect(memory->base_ + initial_commit, static_cast<size_t>(excess), PROT_NONE) != 0) {
      return resource_error("cannot allocate a memory of " + std::to_string(initial_pages) + " pages");
    }
    memory->committed_bytes_ = initial_commit;
  }

  // Budget and commit the initial pages the same way growth does.
  memory->budget_ = limits.budget;
  if (initial_pages != 0 && memory->grow(initial_pages) == kGrowFailed) {
    return resource_error("cannot allocate a memory of " + std::to_string(initial_pages) + " pages");
  }
  return memory;
}

LinearMemory::~LinearMemory() {
  if (budget_) budget_->give_back(pages());
  if (mapping_ == nullptr) return;
  // Back to the pool as a new reservation is, but for its committed pages
  // staying accessible: one mmap replaces them all (written copies, the
  // image's file mapping) by fresh anonymous memory, which frees the
  // pages; they read as zero again. The next memory of the same size then
  // needs no mprotect.
  if (reservations_ != nullptr && guarded_ && committed_bytes_ != 0) {
    // Without an image every committed page is anonymous, and madvise
    // frees them (they read as zero) without rebuilding the mapping, which
    // costs less than the mmap an image's file mapping needs.
    const bool freed = mapped_image_ == nullptr
                           ? madvise(base_, static_cast<size_t>(committed_bytes_), MADV_DONTNEED) == 0
                           : mmap(base_, static_cast<size_t>(committed_bytes_), PROT_READ | PROT_WRITE,
                                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0) == base_;
    if (!freed) {
      munmap(mapping_, static_cast<size_t>(mapping_bytes_));
      return;
    }
  }
  if (reservations_ != nullptr && guarded_) {
    reservations_->give_back(ReservationPool::Reservation{ReservationPool::Kind::GuardedMemory, mapping_,
                                                          mapping_bytes_, committed_bytes_});
    return;
  }
  munmap(mapping_, static_cast<size_t>(mapping_bytes_));
}

bool LinearMemory::reset_to_initial(uint64_t initial_pages) {
  if (initial_pages > pages()) return false;
  const uint64_t keep_bytes = std::min(round_up(initial_pages * kPageSize, os_page_size()), committed_bytes_);
  // Pages this memory wrote are private copies (of the image, or of the
  // zero page): dropping them makes the range read as before any write.
  if (keep_bytes != 0 && madvise(base_, static_cast<size_t>(keep_bytes), MADV_DONTNEED) != 0) return false;
  if (committed_bytes_ > keep_bytes) {
    // Grown pages: freed and inaccessible again, as memory.grow found them.
    void* fresh = mmap(base_ + keep_bytes, static_cast<size_t>(committed_bytes_ - keep_bytes), PROT_NONE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
    if (fresh != base_ + keep_bytes) return false;
  }
  if (budget_) budget_->give_back(pages() - initial_pages);
  size_bytes_ = initial_pages * kPageSize;
  committed_bytes_ = keep_bytes;
  return true;
}

int64_t LinearMemory::grow(uint64_t delta_pages) {
  const uint64_t old_pages = pages();
  if (delta_pages > max_pages_ - old_pages) {
    // Past the declared maximum (or the index type's) is the module's own
    // limit; between it and max_pages_ only the host's cap stands.
    const uint64_t module_max = std::min(declared_max_pages_.value_or(kMaxMemoryPages), kMaxMemoryPages);
    if (budget_ && delta_pages <= module_max - std::min(old_pages, module_max)) budget_->note_refused_grow();
    return kGrowFailed;
  }
  if (delta_pages == 0) return static_cast<int64_t>(old_pages);
  const uint64_t new_bytes = (old_pages + delta_pages) * kPageSize;
  if (new_bytes > reserved_from_base_) return kGrowFailed;
  if (budget_ && !budget_->try_take(delta_pages)) {
    budget_->note_refused_grow();
    return kGrowFailed;
  }

  if (new_bytes > committed_bytes_) {
    // Commit whole OS pages; the reservation is a multiple of the OS page.
    uint64_t commit_end = round_up(new_bytes, os_page_size());
    if (commit_end > reserved_from_base_) commit_end = reserved_from_base_;
    // The pages were never touched, so they read as zero: no memset needed.
    if (mprotect(base_ + committed_bytes_, static_cast<size_t>(commit_end - committed_bytes_),
                 PROT_READ | PROT_WRITE) != 0) {
      if (budget_) budget_->give_back(delta_pages);
      return kGrowFailed;
    }
    committed_bytes_ = commit_end;
  }
  size_bytes_ = new_bytes;
  return static_cast<int64_t>(old_pages);
}

bool LinearMemory::map_image(const MemoryImage& image) {
  const uint64_t extent = image.extent();
  if (extent == 0) return true;
  if (extent > committed_bytes_ || extent > size_bytes_ || image.fd() < 0) return false;
  for (size_t i = 0; i < image.runs().size(); ++i) {
    const MemoryImage::Run& run = image.runs()[i];
    void* at = base_ + run.offset;
    void* mapped = mmap(at, static_cast<size_t>(run.bytes), PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_FIXED | MAP_NORESERVE, image.fd(), static_cast<off_t>(run.offset));
    if (mapped == at) continue;
    // A failed MAP_FIXED may have unmapped part of the range already (the
    // kernel does not promise otherwise), and the runs before it hold the
    // image: put back the zero pages this memory had, so it is exactly as
    // before. A hole left in the middle of a sandbox's memory could be
    // filled by any later mmap of the process and read or written by the
    // guest, so if even that fails, stopping is the only safe answer.
    const uint64_t end = run.offset + run.bytes;
    void* restored = mmap(base_, static_cast<size_t>(end), PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
    if (restored != base_) {
      std::fputs("wasmrt: cannot restore a linear memory after a failed image mapping\n", stderr);
      std::abort();
    }
    return false;
  }
  mapped_image_ = &image;
  return true;
}

}  // namespace wasmrt
