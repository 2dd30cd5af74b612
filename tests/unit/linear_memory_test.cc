// Tests for LinearMemory: reservation layout, growth, limits, bounds checks,
// bulk operations, guard regions and concurrent creation.
#include "runtime/memory/linear_memory.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "runtime/memory/reservation_pool.h"
#include "runtime/store/exec_context.h"
#include "tests/unit/emulation.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define WASMRT_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define WASMRT_TEST_SANITIZED 1
#endif
#endif
#ifndef WASMRT_TEST_SANITIZED
#define WASMRT_TEST_SANITIZED 0
#endif

namespace wasmrt {
namespace {

constexpr uint64_t kGiB = uint64_t{1} << 30;

std::unique_ptr<LinearMemory> make(uint64_t initial, std::optional<uint64_t> max, MemoryLimits limits = {}) {
  auto created = LinearMemory::create(initial, max, limits);
  EXPECT_TRUE(created.ok()) << (created.ok() ? "" : created.error().message);
  return created.ok() ? std::move(created).value() : nullptr;
}

bool all_zero(const uint8_t* bytes, uint64_t len) {
  for (uint64_t i = 0; i < len; ++i)
    if (bytes[i] != 0) return false;
  return true;
}

// The protection string ("rw-p", "---p") of the mapping containing `address`,
// read from /proc/self/maps; empty if unmapped.
std::string protection_at(const void* address) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  const auto target = reinterpret_cast<uintptr_t>(address);
  while (std::getline(maps, line)) {
    uintptr_t start = 0, end = 0;
    char perms[8] = {};
    if (std::sscanf(line.c_str(), "%" SCNxPTR "-%" SCNxPTR " %7s", &start, &end, perms) != 3) continue;
    if (target >= start && target < end) return perms;
  }
  return "";
}

// Whether a child process can read (or write) the byte at `address`: the
// access is made in a fork, so a fault kills only the child. This checks
// the protection itself, where /proc/self/maps is only the kernel's account
// of it (and under qemu-user, qemu's, which omits PROT_NONE regions).
bool child_can_access(const uint8_t* address, bool write) {
  const pid_t child = fork();
  if (child < 0) {
    ADD_FAILURE() << "fork failed";
    return false;
  }
  if (child == 0) {
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    sigaction(SIGSEGV, &default_action, nullptr);
    sigaction(SIGBUS, &default_action, nullptr);
    // The expected fault is not news: qemu-user reports every one on stderr.
    const int null_fd = open("/dev/null", O_WRONLY);
    if (null_fd >= 0) dup2(null_fd, 2);
    volatile uint8_t* target = const_cast<uint8_t*>(address);
    const uint8_t value = *target;
    if (write) *target = static_cast<uint8_t>(value + 1);
    _exit(0);  // reached only if the access did not fault
  }
  int status = 0;
  if (waitpid(child, &status, 0) != child) {
    ADD_FAILURE() << "waitpid failed";
    return false;
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
  EXPECT_TRUE(WIFSIGNALED(status) && (WTERMSIG(status) == SIGSEGV || WTERMSIG(status) == SIGBUS))
      << "the probe child ended with status " << status << ", not a memory fault";
  return false;
}

// "rw" or "--" from child_can_access: "r-" for a read-only page.
std::string access_at(const uint8_t* address) {
  std::string access = child_can_access(address, false) ? "r" : "-";
  access += child_can_access(address, true) ? "w" : "-";
  return access;
}

struct Bytes16 {
  uint8_t bytes[16];
};

TEST(LinearMemoryTest, CreateGivesZeroedPages) {
  auto memory = make(2, 4);
  ASSERT_TRUE(memory);
  EXPECT_NE(memory->base(), nullptr);
  EXPECT_EQ(memory->pages(), 2u);
  EXPECT_EQ(memory->size_bytes(), 2 * kPageSize);
  EXPECT_EQ(memory->max_pages(), 4u);
  EXPECT_EQ(memory->declared_max_pages(), std::optional<uint64_t>(4));
  EXPECT_TRUE(all_zero(memory->base(), memory->size_bytes()));
}

TEST(LinearMemoryTest, GrowReturnsOldSizeKeepsBaseAndDataAndZeroesNewPages) {
  auto memory = make(1, std::nullopt);
  ASSERT_TRUE(memory);
  uint8_t* const base = memory->base();
  ASSERT_TRUE(memory->store<uint32_t>(kPageSize - 4, 0, 0xDEADBEEF));
  for (uint64_t expected_old = 1; expected_old < 6; ++expected_old) {
    EXPECT_EQ(memory->grow(1), static_cast<int64_t>(expected_old));
    EXPECT_EQ(memory->base(), base);
    EXPECT_EQ(memory->pages(), expected_old + 1);
    EXPECT_TRUE(all_zero(base + expected_old * kPageSize, kPageSize));
  }
  EXPECT_EQ(memory->grow(0), 6);
  uint32_t value = 0;
  ASSERT_TRUE(memory->load<uint32_t>(kPageSize - 4, 0, value));
  EXPECT_EQ(value, 0xDEADBEEFu);
}

TEST(LinearMemoryTest, GrowPastDeclaredMaxFailsAndLeavesMemoryUnchanged) {
  auto memory = make(1, 2);
  ASSERT_TRUE(memory);
  EXPECT_EQ(memory->grow(2), LinearMemory::kGrowFailed);
  EXPECT_EQ(memory->pages(), 1u);
  EXPECT_FALSE(memory->check_range(kPageSize, 1));
  EXPECT_EQ(memory->grow(1), 1);
  EXPECT_EQ(memory->grow(1), LinearMemory::kGrowFailed);
  EXPECT_EQ(memory->grow(0), 2);
  EXPECT_EQ(memory->grow(std::numeric_limits<uint64_t>::max()), LinearMemory::kGrowFailed);
  EXPECT_EQ(memory->pages(), 2u);
}

TEST(LinearMemoryTest, HostCapLimitsGrowthAndCreation) {
  MemoryLimits limits;
  limits.max_pages = 3;
  auto memory = make(1, std::nullopt, limits);
  ASSERT_TRUE(memory);
  EXPECT_EQ(memory->max_pages(), 3u);
  EXPECT_EQ(memory->grow(3), LinearMemory::kGrowFailed);
  EXPECT_EQ(memory->grow(2), 1);
  EXPECT_EQ(memory->grow(1), LinearMemory::kGrowFailed);
  EXPECT_EQ(memory->pages(), 3u);

  // A declared max above the cap is clamped by the cap.
  auto clamped = make(0, 100, limits);
  ASSERT_TRUE(clamped);
  EXPECT_EQ(clamped->max_pages(), 3u);

  auto too_big = LinearMemory::create(4, std::nullopt, limits);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().phase, Phase::Unlinkable);
}

TEST(LinearMemoryTest, NoDeclaredMaxAllowsFullFourGiB) {
  auto memory = make(0, std::nullopt);
  ASSERT_TRUE(memory);
  EXPECT_EQ(memory->max_pages(), kMaxMemoryPages);
  EXPECT_EQ(memory->grow(kMaxMemoryPages + 1), LinearMemory::kGrowFailed);
  EXPECT_EQ(memory->grow(kMaxMemoryPages), 0);
  EXPECT_EQ(memory->size_bytes(), 4 * kGiB);
  // Touch only the edges: the pages in between stay uncommitted physically.
  EXPECT_TRUE(memory->store<uint64_t>(0xFFFFFFF8, 0, 0x0102030405060708));
  uint8_t last = 0;
  EXPECT_TRUE(memory->load<uint8_t>(0xFFFFFFFF, 0, last));
  EXPECT_EQ(last, 0x01);
  EXPECT_FALSE(memory->load<uint8_t>(0xFFFFFFFF, 1, last));
  EXPECT_EQ(memory->grow(1), LinearMemory::kGrowFailed);
}

template <typename T>
void expect_boundary(LinearMemory& memory) {
  const uint64_t size = memory.size_bytes();
  T value{};
  EXPECT_TRUE(memory.load<T>(size - sizeof(T), 0, value)) << sizeof(T);
  EXPECT_TRUE(memory.store<T>(size - sizeof(T), 0, value)) << sizeof(T);
  EXPECT_TRUE(memory.load<T>(size - sizeof(T) - 8, 8, value)) << sizeof(T);
  EXPECT_FALSE(memory.load<T>(size - sizeof(T) + 1, 0, value)) << sizeof(T);
  EXPECT_FALSE(memory.store<T>(size - sizeof(T) + 1, 0, value)) << sizeof(T);
  EXPECT_FALSE(memory.load<T>(size - sizeof(T), 1, value)) << sizeof(T);
  EXPECT_FALSE(memory.load<T>(size, 0, value)) << sizeof(T);
}

TEST(LinearMemoryTest, BoundaryAccessesForEveryWidth) {
  auto memory = make(1, std::nullopt);
  ASSERT_TRUE(memory);
  expect_boundary<uint8_t>(*memory);
  expect_boundary<uint16_t>(*memory);
  expect_boundary<uint32_t>(*memory);
  expect_boundary<uint64_t>(*memory);
  expect_boundary<Bytes16>(*memory);
  expect_boundary<float>(*memory);
  expect_boundary<double>(*memory);
}

TEST(LinearMemoryTest, FailedStoreWritesNothing) {
  auto memory = make(1, std::nullopt);
  ASSERT_TRUE(memory);
  // A 4-byte store straddling the end must not write its first 3 bytes.
  EXPECT_FALSE(memory->store<uint32_t>(kPageSize - 3, 0, 0xFFFFFFFF));
  EXPECT_TRUE(all_zero(memory->base(), kPageSize));
}

TEST(LinearMemoryTest, OffsetPlusAddressNeverWraps) {
  auto memory = make(1, std::nullopt);
  ASSERT_TRUE(memory);
  uint32_t value = 0;
  constexpr uint64_t kU32Max = 0xFFFFFFFF;
  EXPECT_FALSE(memory->load<uint32_t>(kU32Max, 1, value));  // 2^32: would wrap to 0 in 32 bits
  EXPECT_FALSE(memory->load<uint32_t>(1, kU32Max, value));
  EXPECT_FALSE(memory->load<uint32_t>(kU32Max, kU32Max, value));  // 2^33 - 2
  EXPECT_FALSE(memory->load<uint32_t>(kU32Max - 3, 4, value));
  // 64-bit wrap for arbitrary callers.
  constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();
  EXPECT_FALSE(memory->load<uint32_t>(kU64Max, 1, value));
  EXPECT_FALSE(memory->load<uint32_t>(kU64Max - 1, 0, value));
  EXPECT_FALSE(memory->in_bounds(1, 0, kU64Max));
  EXPECT_FALSE(memory->check_range(kU64Max, 2));
  EXPECT_FALSE(memory->fill(2, 0, kU64Max));
  EXPECT_FALSE(memory->copy(0, 1, kU64Max));
}

TEST(LinearMemoryTest, LittleEndianAndUnaligned) {
  auto memory = make(1, std::nullopt);
  ASSERT_TRUE(memory);
  ASSERT_TRUE(memory->store<uint32_t>(1, 0, 0x04030201));
  EXPECT_EQ(memory->base()[1], 0x01);
  EXPECT_EQ(memory->base()[4], 0x04);
  uint16_t half = 0;
  ASSERT_TRUE(memory->load<uint16_t>(2, 1, half));
  EXPECT_EQ(half, 0x0403);
  ASSERT_TRUE(memory->store<double>(3, 0, 1.5));
  double d = 0;
  ASSERT_TRUE(memory->load<double>(0, 3, d));
  EXPECT_EQ(d, 1.5);
}

TEST(LinearMemoryTest, ZeroPageMemory) {
  for (std::optional<uint64_t> max : {std::optional<uint64_t>(0), std::optional<uint64_t>()}) {
    auto memory = make(0, max);
    ASSERT_TRUE(memory);
    EXPECT_NE(memory->base(), nullptr);
    EXPECT_EQ(memory->size_bytes(), 0u);
    uint8_t byte = 0;
    EXPECT_FALSE(memory->load<uint8_t>(0, 0, byte));
    EXPECT_FALSE(memory->store<uint8_t>(0, 0, 1));
    EXPECT_TRUE(memory->check_range(0, 0));
    EXPECT_FALSE(memory->check_range(1, 0));
    EXPECT_TRUE(memory->fill(0, 7, 0));
    EXPECT_TRUE(memory->copy(0, 0, 0));
    EXPECT_EQ(memory->grow(0), 0);
  }
  auto fixed = make(0, 0);
  ASSERT_TRUE(fixed);
  EXPECT_EQ(fixed->grow(1), LinearMemory::kGrowFailed);
  EXPECT_EQ(fixed->max_pages(), 0u);
}

TEST(LinearMemoryTest, BulkRangesAreCheckedBeforeWriting) {
  auto memory = make(1, std::nullopt);
  ASSERT_TRUE(memory);
  const uint64_t size = memory->size_bytes();
  // Length 0 exactly at the end is fine; one past the end traps.
  EXPECT_TRUE(memory->check_range(size, 0));
  EXPECT_FALSE(memory->check_range(size + 1, 0));
  EXPECT_TRUE(memory->fill(size, 1, 0));
  EXPECT_FALSE(memory->fill(size + 1, 1, 0));
  EXPECT_TRUE(memory->copy(size, 0, 0));
  EXPECT_TRUE(memory->copy(0, size, 0));
  EXPECT_FALSE(memory->copy(size + 1, 0, 0));
  EXPECT_FALSE(memory->copy(0, size + 1, 0));

  // A partly out-of-bounds fill writes nothing.
  EXPECT_FALSE(memory->fill(size - 10, 0xAA, 11));
  EXPECT_TRUE(all_zero(memory->base(), size));
  EXPECT_TRUE(memory->fill(size - 10, 0xAA, 10));
  EXPECT_EQ(memory->base()[size - 1], 0xAA);
  EXPECT_EQ(memory->base()[size - 11], 0);

  // Partly out-of-bounds copies write nothing.
  EXPECT_FALSE(memory->copy(0, size - 10, 11));
  EXPECT_FALSE(memory->copy(size - 10, 0, 11));
  EXPECT_EQ(memory->base()[0], 0);
}

TEST(LinearMemoryTest, CopyHandlesOverlapLikeMemmove) {
  auto memory = make(1, std::nullopt);
  ASSERT_TRUE(memory);
  for (uint8_t i = 0; i < 8; ++i) ASSERT_TRUE(memory->store<uint8_t>(i, 0, i + 1));
  ASSERT_TRUE(memory->copy(2, 0, 6));  // forward overlap
  const std::array<uint8_t, 8> forward = {1, 2, 1, 2, 3, 4, 5, 6};
  EXPECT_EQ(0, std::memcmp(memory->base(), forward.data(), 8));
  ASSERT_TRUE(memory->copy(0, 2, 6));  // backward overlap
  const std::array<uint8_t, 8> backward = {1, 2, 3, 4, 5, 6, 5, 6};
  EXPECT_EQ(0, std::memcmp(memory->base(), backward.data(), 8));
}

TEST(LinearMemoryTest, InitChecksSegmentAndMemoryRanges) {
  auto memory = make(1, std::nullopt);
  ASSERT_TRUE(memory);
  const uint64_t size = memory->size_bytes();
  const std::array<uint8_t, 4> segment = {9, 8, 7, 6};
  EXPECT_TRUE(memory->init(10, segment, 1, 3));
  EXPECT_EQ(memory->base()[10], 8);
  EXPECT_EQ(memory->base()[12], 6);
  EXPECT_TRUE(memory->init(size, segment, 4, 0));  // both ends, length 0
  EXPECT_FALSE(memory->init(0, segment, 5, 0));    // source past the end
  EXPECT_FALSE(memory->init(size + 1, segment, 0, 0));
  EXPECT_FALSE(memory->init(0, segment, 2, 3));  // source range too long
  EXPECT_FALSE(memory->init(size - 2, segment, 0, 3));
  EXPECT_EQ(memory->base()[size - 2], 0);
  EXPECT_TRUE(memory->init(0, std::span<const uint8_t>(), 0, 0));  // dropped segment
  EXPECT_FALSE(memory->init(0, std::span<const uint8_t>(), 0, 1));
  EXPECT_FALSE(memory->init(0, segment, std::numeric_limits<uint64_t>::max(), 2));
}

TEST(LinearMemoryTest, CheckedPointerForHosts) {
  auto memory = make(1, std::nullopt);
  ASSERT_TRUE(memory);
  EXPECT_EQ(memory->checked_pointer(16, 16), memory->base() + 16);
  EXPECT_EQ(memory->checked_pointer(kPageSize, 0), memory->base() + kPageSize);
  EXPECT_EQ(memory->checked_pointer(kPageSize - 1, 2), nullptr);
}

TEST(LinearMemoryTest, GuardRegionsAreInaccessible) {
  auto memory = make(1, std::nullopt);
  ASSERT_TRUE(memory);
  if (!memory->has_guard_regions()) GTEST_SKIP() << "guarded reservation unavailable here";
  uint8_t* base = memory->base();
  EXPECT_EQ(memory->reserved_bytes_from_base(), LinearMemory::kGuardedBytesFromBase);
  // The farthest byte a u32 address + u32 offset + 16-byte access can reach.
  const uint64_t farthest = 0xFFFFFFFFull + 0xFFFFFFFFull + 15;
  EXPECT_LT(farthest, LinearMemory::kGuardedBytesFromBase);
  const std::vector<const uint8_t*> accessible = {base, base + kPageSize - 1};
  const std::vector<const uint8_t*> guard = {base - 1,
                                             base - LinearMemory::kPreGuardBytes,
                                             base + kPageSize,
                                             base + 4 * kGiB,
                                             base + farthest,
                                             base + LinearMemory::kGuardedBytesFromBase - 1};

  // Every access to a guard byte faults (checked in child processes).
  for (const uint8_t* address : accessible) EXPECT_EQ(access_at(address), "rw") << "base+" << address - base;
  for (const uint8_t* address : guard) EXPECT_EQ(access_at(address), "--") << "base+" << address - base;
  // And the guards are part of the memory's own reservation (mapped
  // PROT_NONE, "---"), not unmapped holes another mmap could fill. qemu-user
  // emulates /proc/self/maps and, with QEMU_RESERVED_VA, leaves PROT_NONE
  // guest regions out of it: there the fault checks above stand alone.
  const bool maps_complete = !emulated();
  if (maps_complete) {
    for (const uint8_t* address : accessible) EXPECT_EQ(protection_at(address).substr(0, 3), "rw-");
    for (const uint8_t* address : guard)
      EXPECT_EQ(protection_at(address).substr(0, 3), "---") << "base+" << address - base;
  } else {
    std::printf("[ emulated ] %s: /proc/self/maps not checked\n", emulation_evidence().c_str());
  }

  // Growing moves the boundary but the guard beyond 4 GiB stays.
  ASSERT_EQ(memory->grow(1), 1);
  EXPECT_EQ(access_at(base + 2 * kPageSize - 1), "rw");
  EXPECT_EQ(access_at(base + 2 * kPageSize), "--");
  EXPECT_EQ(access_at(base + 4 * kGiB), "--");
  if (maps_complete) {
    EXPECT_EQ(protection_at(base + 2 * kPageSize - 1).substr(0, 3), "rw-");
    EXPECT_EQ(protection_at(base + 2 * kPageSize).substr(0, 3), "---");
  }
}

TEST(LinearMemoryTest, UnguardedFallbackReservesExactlyTheMaximum) {
  MemoryLimits limits;
  limits.allow_guard_regions = false;
  auto memory = make(1, 4, limits);
  ASSERT_TRUE(memory);
  EXPECT_FALSE(memory->has_guard_regions());
  EXPECT_EQ(memory->reserved_bytes_from_base(), 4 * kPageSize);
  uint8_t* base = memory->base();
  EXPECT_EQ(memory->grow(3), 1);
  EXPECT_EQ(memory->base(), base);
  EXPECT_TRUE(memory->store<uint64_t>(4 * kPageSize - 8, 0, 42));
  EXPECT_FALSE(memory->store<uint64_t>(4 * kPageSize - 7, 0, 42));
  EXPECT_EQ(memory->grow(1), LinearMemory::kGrowFailed);
  // The trailing OS page is still a guard (/proc/self/maps: see
  // GuardRegionsAreInaccessible).
  EXPECT_EQ(access_at(base + 4 * kPageSize), "--");
  if (!emulated()) {
    EXPECT_EQ(protection_at(base + 4 * kPageSize).substr(0, 3), "---");
  }

  auto empty = make(0, 0, limits);
  ASSERT_TRUE(empty);
  EXPECT_NE(empty->base(), nullptr);
  EXPECT_EQ(empty->grow(1), LinearMemory::kGrowFailed);
}

// Exit statuses of FallsBackUnderAddressSpaceLimit's child beyond its checks.
constexpr int kChildRlimitIgnoredNatively = 20;
constexpr int kChildCannotExhaustEmulated = 21;

// Under qemu-user with QEMU_RESERVED_VA the guest's address space is the
// reserved range: fill it with inaccessible reservations, biggest first,
// until not even 1 GiB is left in one piece. Returns false if the range
// looks unbounded (more than 2 TiB reserved), which would cost qemu
// gigabytes of bookkeeping.
bool exhaust_emulated_address_space() {
  constexpr uint64_t kTiB = uint64_t{1} << 40;
  uint64_t reserved = 0;
  for (uint64_t size = kTiB; size >= kGiB;) {
    void* mapping = mmap(nullptr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mapping == MAP_FAILED) {
      size /= 2;
      continue;
    }
    reserved += size;
    if (reserved > 2 * kTiB) return false;
  }
  return true;
}

// In a forked child: limits the address space to what the process uses now
// plus `headroom` bytes (exits 10 if setrlimit refuses).
void limit_address_space_to_current_plus(uint64_t headroom) {
  std::ifstream status("/proc/self/status");
  std::string line;
  uint64_t vm_kib = 0;
  while (std::getline(status, line))
    if (line.rfind("VmSize:", 0) == 0) vm_kib = std::stoull(line.substr(7));
  rlimit limit{};
  limit.rlim_cur = limit.rlim_max = vm_kib * 1024 + headroom;
  if (setrlimit(RLIMIT_AS, &limit) != 0) _exit(10);
}

// Under a small RLIMIT_AS the 8 GiB and 4 GiB reservations fail; the memory
// must still be created, and growth beyond what was reserved returns -1.
// qemu-user does not pass a guest's setrlimit(RLIMIT_AS) to the host (its
// own mappings would not fit), so under qemu the child exhausts its bounded
// address space instead: the same refusal reaches LinearMemory::create.
TEST(LinearMemoryTest, FallsBackUnderAddressSpaceLimit) {
  if (WASMRT_TEST_SANITIZED) GTEST_SKIP() << "sanitizer runtimes need a large address space";
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    limit_address_space_to_current_plus(256 * 1024 * 1024);
    // Is the limit in force? An 8 GiB reservation must now fail.
    void* probe = mmap(nullptr, 8 * kGiB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (probe != MAP_FAILED) {
      munmap(probe, 8 * kGiB);
      if (!emulated()) _exit(kChildRlimitIgnoredNatively);
      if (std::getenv("QEMU_RESERVED_VA") == nullptr || !exhaust_emulated_address_space())
        _exit(kChildCannotExhaustEmulated);
    }
    auto unbounded = LinearMemory::create(1, std::nullopt, {});
    if (!unbounded.ok()) _exit(11);
    if ((*unbounded)->has_guard_regions()) _exit(12);
    if ((*unbounded)->grow(1) != LinearMemory::kGrowFailed) _exit(13);  // only 1 page reserved
    if (!(*unbounded)->store<uint32_t>(kPageSize - 4, 0, 7)) _exit(14);
    auto bounded = LinearMemory::create(1, 16, {});
    if (!bounded.ok()) _exit(15);
    if ((*bounded)->grow(15) != 1) _exit(16);
    if ((*bounded)->grow(1) != LinearMemory::kGrowFailed) _exit(17);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "child status " << status;
  if (WEXITSTATUS(status) == kChildCannotExhaustEmulated)
    GTEST_SKIP() << emulation_evidence() << ": qemu-user ignores setrlimit(RLIMIT_AS), and without "
                 << "QEMU_RESERVED_VA (at most 2 TiB) the guest address space is too large to exhaust";
  EXPECT_NE(WEXITSTATUS(status), kChildRlimitIgnoredNatively)
      << "setrlimit(RLIMIT_AS) succeeded but an 8 GiB reservation still did, natively";
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// Kept reservations must not starve the process under an address-space
// limit (reservation_pool.h). A child keeps two guarded reservations
// (16 GiB), then limits its address space to what it uses plus 1 GiB.
// Exit statuses: 0 passed, kChildRlimitIgnoredNatively, kChildNoGuards
// (no guarded reservation even without a limit), others a failed step.
constexpr int kChildNoGuards = 22;

// Fills `pool` with two guarded reservations, then limits the child's
// address space to its size plus `headroom`. False: no guard regions here.
bool keep_two_reservations_then_limit(const std::shared_ptr<ReservationPool>& pool, uint64_t headroom) {
  MemoryLimits limits;
  limits.reservations = pool;
  {
    auto first = LinearMemory::create(1, std::nullopt, limits);
    auto second = LinearMemory::create(1, std::nullopt, limits);
    if (!first.ok() || !second.ok() || !(*first)->has_guard_regions() || !(*second)->has_guard_regions())
      return false;
  }
  if (pool->kept() != 2) _exit(30);
  limit_address_space_to_current_plus(headroom);
  void* probe = mmap(nullptr, 2 * kGiB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (probe != MAP_FAILED) _exit(kChildRlimitIgnoredNatively);
  return true;
}

void expect_child_passed(pid_t child) {
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "child status " << status;
  if (WEXITSTATUS(status) == kChildNoGuards) GTEST_SKIP() << "no guarded reservation here";
  EXPECT_NE(WEXITSTATUS(status), kChildRlimitIgnoredNatively) << "setrlimit(RLIMIT_AS) not in force";
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(LinearMemoryTest, KeptReservationsGiveWayUnderAddressSpaceLimit) {
  if (WASMRT_TEST_SANITIZED) GTEST_SKIP() << "sanitizer runtimes need a large address space";
  if (emulated()) GTEST_SKIP() << emulation_evidence() << ": qemu-user ignores setrlimit(RLIMIT_AS)";
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto pool = std::make_shared<ReservationPool>(8);
    if (!keep_two_reservations_then_limit(pool, kGiB)) _exit(kChildNoGuards);
    // A memory without guard regions whose maximum (2.5 GiB) only fits once
    // the pool lets go of what it keeps: then it reserves its whole maximum
    // and can grow (else only its initial page, and growth fails).
    MemoryLimits unguarded;
    unguarded.reservations = pool;
    unguarded.allow_guard_regions = false;
    {
      auto memory = LinearMemory::create(1, 40000, unguarded);
      if (!memory.ok()) _exit(31);
      if (pool->kept() != 0) _exit(32);
      if ((*memory)->grow(1) != 1) _exit(33);
    }
    // 16 GiB are free again, so a guarded memory fits; given back, it is
    // not kept: 8 GiB is more than a quarter of the limit.
    MemoryLimits guarded;
    guarded.reservations = pool;
    {
      auto memory = LinearMemory::create(1, std::nullopt, guarded);
      if (!memory.ok() || !(*memory)->has_guard_regions()) _exit(34);
    }
    if (pool->kept() != 0) _exit(35);
    _exit(0);
  }
  expect_child_passed(child);
}

TEST(LinearMemoryTest, KeptReservationsGiveWayToAValueStack) {
  if (WASMRT_TEST_SANITIZED) GTEST_SKIP() << "sanitizer runtimes need a large address space";
  if (emulated()) GTEST_SKIP() << emulation_evidence() << ": qemu-user ignores setrlimit(RLIMIT_AS)";
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto pool = std::make_shared<ReservationPool>(8);
    // Room for a few MiB of allocations, not for an 8 MiB stack.
    if (!keep_two_reservations_then_limit(pool, 4u << 20)) _exit(kChildNoGuards);
    try {
      ExecContext ctx(size_t{1} << 20, 100, pool);
      if (ctx.stack == nullptr) _exit(40);
      ctx.stack[(size_t{1} << 20) - 1] = 1;
    } catch (const std::bad_alloc&) {
      _exit(41);
    }
    if (pool->kept() > 1) _exit(42);  // at most the stack itself, given back
    _exit(0);
  }
  expect_child_passed(child);
}

TEST(LinearMemoryTest, PageBudgetIsSharedAcrossMemories) {
  PageBudget budget(5);
  MemoryLimits limits;
  limits.budget = &budget;
  auto first = make(3, std::nullopt, limits);
  ASSERT_TRUE(first);
  {
    auto second = make(2, std::nullopt, limits);
    ASSERT_TRUE(second);
    EXPECT_EQ(budget.used_pages(), 5u);
    EXPECT_EQ(first->grow(1), LinearMemory::kGrowFailed);
    EXPECT_EQ(first->pages(), 3u);
    auto third = LinearMemory::create(1, std::nullopt, limits);
    EXPECT_FALSE(third.ok());
  }
  EXPECT_EQ(budget.used_pages(), 3u);
  EXPECT_EQ(first->grow(2), 3);
  EXPECT_EQ(budget.used_pages(), 5u);
  first.reset();
  EXPECT_EQ(budget.used_pages(), 0u);
}

// Under qemu-user each 8 GiB reservation costs qemu a search of its page
// table and 2 million entries of bookkeeping, so 1,000 of them take minutes
// (past ctest's timeout): there 4 x 25. 100 reservations of 8 GiB still
// pass QEMU_RESERVED_VA=512G, so the fallback runs concurrently too.
TEST(LinearMemoryTest, ThousandMemoriesAcrossFourThreads) {
  constexpr int kThreads = 4;
  const int per_thread = emulated() ? 25 : 250;
  if (emulated()) std::printf("[ emulated ] %s: %d memories per thread\n", emulation_evidence().c_str(), per_thread);
  std::atomic<int> failures{0};
  std::atomic<int> guarded{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, per_thread, &failures, &guarded] {
      std::vector<std::unique_ptr<LinearMemory>> live;
      for (int i = 0; i < per_thread; ++i) {
        auto created = LinearMemory::create(1, 4, {});
        if (!created.ok()) {
          ++failures;
          continue;
        }
        auto memory = std::move(created).value();
        if (memory->has_guard_regions()) ++guarded;
        const uint32_t tag = static_cast<uint32_t>(t * 100000 + i);
        if (memory->grow(1) != 1 || !memory->store<uint32_t>(2 * kPageSize - 4, 0, tag)) ++failures;
        live.push_back(std::move(memory));
      }
      // All of this thread's memories (1,000 in total natively) are alive at once here.
      for (int i = 0; i < static_cast<int>(live.size()); ++i) {
        uint32_t tag = 0;
        if (!live[i]->load<uint32_t>(2 * kPageSize - 4, 0, tag) ||
            tag != static_cast<uint32_t>(t * 100000 + i))
          ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  std::printf("guarded memories: %d of %d\n", guarded.load(), kThreads * per_thread);
}

}  // namespace
}  // namespace wasmrt
