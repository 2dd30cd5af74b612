#include "runtime/store/interrupt.h"

#include <linux/futex.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

namespace wasmrt {

namespace {

// The flags word doubles as a futex: sleepers wait while it is 0.
long futex(std::atomic<uint32_t>* word, int op, uint32_t value, const timespec* timeout) {
  static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t));
  return syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), op, value, timeout, nullptr, 0);
}

void drain(int fd) {
  uint64_t count = 0;
  while (read(fd, &count, sizeof count) > 0) {
  }
}

}  // namespace

InterruptState::~InterruptState() {
  if (flags_.load() != 0) any_pending_.fetch_sub(1, std::memory_order_acq_rel);
  int fd = event_fd_.load();
  if (fd >= 0) close(fd);
}

void InterruptState::trigger(uint32_t reasons) {
  uint32_t before = flags_.fetch_or(reasons, std::memory_order_acq_rel);
  if (before != 0) return;  // already pending: waiters are already awake
  // Each 0 -> nonzero transition is seen by exactly one RMW (this one), and
  // each nonzero -> 0 by exactly one in clear(), so the count stays exact.
  any_pending_.fetch_add(1, std::memory_order_acq_rel);
  futex(&flags_, FUTEX_WAKE_PRIVATE, INT32_MAX, nullptr);
  int fd = event_fd_.load(std::memory_order_acquire);
  if (fd >= 0) {
    uint64_t one = 1;
    ssize_t ignored = write(fd, &one, sizeof one);
    (void)ignored;  // a full counter is already readable
  }
}

void InterruptState::clear(uint32_t reasons) {
  const uint32_t before = flags_.fetch_and(~reasons, std::memory_order_acq_rel);
  const uint32_t after = before & ~reasons;
  if (before != 0 && after == 0) any_pending_.fetch_sub(1, std::memory_order_acq_rel);
  int fd = event_fd_.load(std::memory_order_acquire);
  if (after == 0 && fd >= 0) {
    drain(fd);
    // A trigger between the fetch_and and the drain wrote after we cleared:
    // make the descriptor readable again so its poller still wakes.
    if (flags_.load(std::memory_order_acquire) != 0) {
      uint64_t one = 1;
      ssize_t ignored = write(fd, &one, sizeof one);
      (void)ignored;
    }
  }
}

bool InterruptState::sleep_for(std::chrono::nanoseconds duration) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point end = Clock::now() + duration;
  while (flags_.load(std::memory_order_acquire) == 0) {
    auto left = end - Clock::now();
    if (left <= Clock::duration::zero()) return true;
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    timespec ts{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    // Returns at once if the word is no longer 0 (EAGAIN), on a wake, on
    // the timeout or on a signal; the loop sorts those out.
    futex(&flags_, FUTEX_WAIT_PRIVATE, 0, &ts);
  }
  return false;
}

int InterruptState::wake_fd() {
  int fd = event_fd_.load(std::memory_order_acquire);
  if (fd >= 0) return fd;
  std::lock_guard<std::mutex> lock(fd_mutex_);
  fd = event_fd_.load(std::memory_order_acquire);
  if (fd >= 0) return fd;
  fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) return -1;
  event_fd_.store(fd, std::memory_order_release);
  // A trigger that ran before the store above did not see the descriptor.
  if (flags_.load(std::memory_order_acquire) != 0) {
    uint64_t one = 1;
    ssize_t ignored = write(fd, &one, sizeof one);
    (void)ignored;
  }
  return fd;
}

}  // namespace wasmrt
