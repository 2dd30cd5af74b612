// Cooperative cancellation of a store's calls: an atomic word of pending
// interrupt reasons that compiled code polls (function entries and loop back
// edges), plus wake-ups for host functions that block (sleep, poll).
//
// Setting a reason is async-signal-safe and lock-free: an atomic OR, a futex
// wake and, if a host function is polling one, an eventfd write. The
// running thread clears the reasons it consumed, so a request made from
// another thread is never lost: it stops the running call, or the next one.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

namespace wasmrt {

class InterruptState {
 public:
  // Reasons, as bits of flags().
  static constexpr uint32_t kInterrupt = 1;  // InterruptHandle::interrupt()
  static constexpr uint32_t kDeadline = 2;   // a timeout or deadline passed

  InterruptState() = default;
  ~InterruptState();
  InterruptState(const InterruptState&) = delete;
  InterruptState& operator=(const InterruptState&) = delete;

  // The word compiled code polls: nonzero means "stop".
  const std::atomic<uint32_t>& flags() const { return flags_; }
  // How many InterruptStates in the process have a reason pending. Hot
  // paths test this one global word first (a single memory compare, no
  // pointer to keep in a register) and read their own flags() only when it
  // is nonzero, which is rare and brief.
  static const std::atomic<uint32_t>& any_pending() { return any_pending_; }
  uint32_t pending() const { return flags_.load(std::memory_order_acquire); }

  // Any thread, async-signal-safe.
  void trigger(uint32_t reasons);
  // The running thread, after the reasons were observed (or expired).
  void clear(uint32_t reasons);

  // Sleeps up to `duration`; false as soon as any reason is pending.
  bool sleep_for(std::chrono::nanoseconds duration);
  // An eventfd that is readable while a reason is pending (created on first
  // use; -1 if the OS refuses). The runtime owns it.
  int wake_fd();

 private:
  // Hidden: compiled code reads it RIP-relative, without a GOT indirection.
  __attribute__((visibility("hidden"))) static inline std::atomic<uint32_t> any_pending_{0};
  std::atomic<uint32_t> flags_{0};
  std::atomic<int> event_fd_{-1};
  std::mutex fd_mutex_;  // creation of event_fd_ only (never in trigger)
};

}  // namespace wasmrt
