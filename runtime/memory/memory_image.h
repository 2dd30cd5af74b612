// The initial contents of a linear memory, kept once per compiled module so
// that instances can map them copy-on-write instead of copying them
// (docs/architecture.md, "Copy-on-write memory images").
//
// The contents live in a sealed memfd: an instance's memory maps the
// non-zero stretches of it MAP_PRIVATE over the start of its reservation
// (LinearMemory::map_image), so the kernel shares the pages between every
// instance until one writes, and then copies only the page written. A
// page of the image that is all zero is not mapped at all: it stays the
// memory's own anonymous zero page.
//
// Thread safety: immutable once created; any number of threads may map
// one image at once.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace wasmrt {

class MemoryImage {
 public:
  // One stretch of the image that instances map: the same offset in the
  // memfd and in the memory, both multiples of the OS page.
  struct Run {
    uint64_t offset = 0;
    uint64_t bytes = 0;
  };

  // The pages of `contents` (a memory's first bytes) that hold a non-zero
  // byte, as page-aligned stretches. Stretches of zero pages no longer
  // than `merge_gap` bytes between two such stretches join them (for
  // mapping: one mmap costs more than mapping a few zero pages).
  static std::vector<Run> nonzero_runs(std::span<const uint8_t> contents, uint64_t merge_gap);

  // An image of a memory whose first contents.size() bytes are `contents`
  // and the rest zero, mapped as `runs` (from nonzero_runs; not empty).
  // Null when the OS refuses (no memfd, out of file descriptors or
  // memory): the caller then copies.
  static std::unique_ptr<MemoryImage> create(std::span<const uint8_t> contents, std::vector<Run> runs);
  ~MemoryImage();
  MemoryImage(const MemoryImage&) = delete;
  MemoryImage& operator=(const MemoryImage&) = delete;

  int fd() const { return fd_; }
  const std::vector<Run>& runs() const { return runs_; }
  // One past the last byte of the last run (a multiple of the OS page):
  // the memory must have at least this many bytes committed to map it.
  uint64_t extent() const { return runs_.empty() ? 0 : runs_.back().offset + runs_.back().bytes; }
  // Bytes in runs: what the memfd holds in the page cache, shared by all.
  uint64_t mapped_bytes() const;

  // The OS page size the runs are aligned to.
  static uint64_t page_size();

 private:
  MemoryImage() = default;
  int fd_ = -1;
  std::vector<Run> runs_;
};

}  // namespace wasmrt
