#include "runtime/memory/memory_image.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace wasmrt {

namespace {

bool all_zero(const uint8_t* bytes, uint64_t n) {
  // Word at a time: the image builder scans every page of the image once.
  uint64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t word;
    __builtin_memcpy(&word, bytes + i, 8);
    if (word != 0) return false;
  }
  for (; i < n; ++i) {
    if (bytes[i] != 0) return false;
  }
  return true;
}

// Writes all of [data, data + n) at `offset`, retrying short writes.
bool write_all(int fd, const uint8_t* data, uint64_t n, uint64_t offset) {
  while (n > 0) {
    ssize_t wrote = pwrite(fd, data, static_cast<size_t>(std::min<uint64_t>(n, 1u << 30)),
                           static_cast<off_t>(offset));
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) return false;
    data += wrote;
    n -= static_cast<uint64_t>(wrote);
    offset += static_cast<uint64_t>(wrote);
  }
  return true;
}

}  // namespace

uint64_t MemoryImage::page_size() {
  static const uint64_t size = [] {
    long page = sysconf(_SC_PAGESIZE);
    return page > 0 ? static_cast<uint64_t>(page) : uint64_t{4096};
  }();
  return size;
}

uint64_t MemoryImage::mapped_bytes() const {
  uint64_t total = 0;
  for (const Run& run : runs_) total += run.bytes;
  return total;
}

std::vector<MemoryImage::Run> MemoryImage::nonzero_runs(std::span<const uint8_t> contents, uint64_t merge_gap) {
  const uint64_t page = page_size();
  std::vector<Run> runs;
  for (uint64_t offset = 0; offset < contents.size(); offset += page) {
    const uint64_t n = std::min<uint64_t>(page, contents.size() - offset);
    if (all_zero(contents.data() + offset, n)) continue;
    if (!runs.empty() && offset - (runs.back().offset + runs.back().bytes) <= merge_gap) {
      runs.back().bytes = offset + page - runs.back().offset;
      continue;
    }
    runs.push_back(Run{offset, page});
  }
  return runs;
}

std::unique_ptr<MemoryImage> MemoryImage::create(std::span<const uint8_t> contents, std::vector<Run> runs) {
#if defined(__linux__)
  if (runs.empty()) return nullptr;
  std::unique_ptr<MemoryImage> image(new MemoryImage());
  image->runs_ = std::move(runs);

  // Sealed, the file can never change size or contents again: no holder
  // of the descriptor (it is in /proc/self/fd) can make one instance see
  // bytes another wrote, or shrink it under a mapping (SIGBUS).
  const int fd = memfd_create("wasmrt-memory-image", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return nullptr;
  image->fd_ = fd;
  if (ftruncate(fd, static_cast<off_t>(image->extent())) != 0) return nullptr;
  for (const Run& run : image->runs_) {
    // The last run may end past `contents` (its page is zero-filled by
    // the file's own size).
    if (run.offset >= contents.size()) return nullptr;
    const uint64_t n = std::min<uint64_t>(run.bytes, contents.size() - run.offset);
    if (!write_all(fd, contents.data() + run.offset, n, run.offset)) return nullptr;
  }
  if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0) return nullptr;
  return image;
#else
  (void)contents;
  (void)runs;
  return nullptr;
#endif
}

MemoryImage::~MemoryImage() {
  if (fd_ >= 0) close(fd_);
}

}  // namespace wasmrt
