// Deadlines for running calls: one process-wide timer thread that triggers
// InterruptState::kDeadline on a store whose call is still running when its
// deadline passes. Compiled code never reads a clock; it only polls the
// interrupt word, so a deadline costs nothing until it fires.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "runtime/store/interrupt.h"

namespace wasmrt {

class Watchdog {
 public:
  using Clock = std::chrono::steady_clock;

  // The process's watchdog; its thread starts on the first arm().
  static Watchdog& instance();

  // Triggers kDeadline on `state` at `deadline` unless disarmed first.
  // Returns a ticket for disarm (never 0).
  uint64_t arm(std::shared_ptr<InterruptState> state, Clock::time_point deadline);
  // After this returns the ticket can no longer fire. Unknown or already
  // fired tickets are ignored.
  void disarm(uint64_t ticket);

  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  Watchdog() = default;
  struct Impl;
  Impl* impl();
};

}  // namespace wasmrt
