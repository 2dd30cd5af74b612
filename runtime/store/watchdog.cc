#include "runtime/store/watchdog.h"

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

namespace wasmrt {

struct Watchdog::Impl {
  struct Entry {
    uint64_t ticket;
    std::shared_ptr<InterruptState> state;
  };
  std::mutex mutex;
  std::condition_variable changed;
  std::multimap<Clock::time_point, Entry> pending;
  std::map<uint64_t, std::multimap<Clock::time_point, Entry>::iterator> by_ticket;
  uint64_t next_ticket = 1;
  bool started = false;

  void run() {
    std::unique_lock<std::mutex> lock(mutex);
    for (;;) {
      if (pending.empty()) {
        changed.wait(lock);
        continue;
      }
      auto first = pending.begin();
      // A copy: the entry may be disarmed (erased) while we wait unlocked.
      const Clock::time_point when = first->first;
      if (Clock::now() < when) {
        changed.wait_until(lock, when);
        continue;
      }
      // Fired under the lock, so a disarm that returned earlier can never
      // be followed by this trigger.
      first->second.state->trigger(InterruptState::kDeadline);
      by_ticket.erase(first->second.ticket);
      pending.erase(first);
    }
  }
};

Watchdog& Watchdog::instance() {
  // Never destroyed: the thread may outlive static destructors.
  static Watchdog* watchdog = new Watchdog();
  return *watchdog;
}

Watchdog::Impl* Watchdog::impl() {
  static Impl* impl = new Impl();
  return impl;
}

uint64_t Watchdog::arm(std::shared_ptr<InterruptState> state, Clock::time_point deadline) {
  Impl* d = impl();
  std::lock_guard<std::mutex> lock(d->mutex);
  if (!d->started) {
    std::thread([d] { d->run(); }).detach();
    d->started = true;
  }
  uint64_t ticket = d->next_ticket++;
  auto it = d->pending.emplace(deadline, Impl::Entry{ticket, std::move(state)});
  d->by_ticket.emplace(ticket, it);
  if (it == d->pending.begin()) d->changed.notify_one();
  return ticket;
}

void Watchdog::disarm(uint64_t ticket) {
  Impl* d = impl();
  std::lock_guard<std::mutex> lock(d->mutex);
  auto found = d->by_ticket.find(ticket);
  if (found == d->by_ticket.end()) return;
  d->pending.erase(found->second);
  d->by_ticket.erase(found);
}

}  // namespace wasmrt
