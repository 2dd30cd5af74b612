// poll_oneoff: waits until at least one subscription (a clock deadline, or a
// descriptor ready to read or write) fires, and reports every one that has.
//
// Layouts (typenames.witx), little-endian:
//   subscription (48 B): userdata u64 @0, tag u8 @8, then at @16 either
//     clock {id u32 @16, timeout u64 @24, precision u64 @32, flags u16 @40}
//     or fd_readwrite {fd u32 @16}
//   event (32 B): userdata u64 @0, error u16 @8, type u8 @10,
//     fd_readwrite {nbytes u64 @16, flags u16 @24}
//
// Errors that concern one subscription (a closed fd, an unknown clock) are
// reported in its event, which then counts as fired; the call itself fails
// only for arguments it cannot interpret at all.
//
// Cancellation: every wait also watches HostContext::interrupt_fd() (or
// uses HostContext::sleep_for when only clocks are involved), and returns
// early with no events when the call is interrupted; the runtime then traps
// the call, so the guest never sees that result.
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <ctime>
#include <vector>

#include "wasi/clock.h"
#include "wasi/rights.h"
#include "wasi/state.h"

namespace wasmrt::wasi_detail {

namespace {

constexpr uint64_t kSubscriptionSize = 48;
constexpr uint64_t kEventSize = 32;

// eventtype (u8)
constexpr uint8_t kEventClock = 0, kEventFdRead = 1, kEventFdWrite = 2;
// subclockflags (u16)
constexpr uint16_t kSubclockAbstime = 1;
// eventrwflags (u16)
constexpr uint16_t kEventFdReadwriteHangup = 1;

constexpr uint64_t kNever = ~uint64_t{0};
// Longest single wait; longer timeouts just loop (keeps every duration
// inside chrono::nanoseconds and timespec ranges).
constexpr uint64_t kMaxWaitSliceNs = 3600ull * 1'000'000'000ull;
// Without an interrupt descriptor, how often a blocked poll looks at
// HostContext::interrupted().
constexpr uint64_t kInterruptCheckNs = 10'000'000;

struct Subscription {
  uint64_t userdata = 0;
  uint8_t type = kEventClock;
  uint64_t deadline = kNever;  // clock: monotonic ns (fake with deterministic clocks)
  int pollfd_index = -1;       // fd on the host: its slot in the poll set
  bool fired = false;
  uint16_t error = kSuccess;
  uint64_t nbytes = 0;
  uint16_t flags = 0;

  void fire(uint16_t err = kSuccess, uint64_t bytes = 0, uint16_t rw_flags = 0) {
    fired = true;
    error = err;
    nbytes = bytes;
    flags = rw_flags;
  }
};

uint64_t saturating_add(uint64_t a, uint64_t b) {
  return a > kNever - b ? kNever : a + b;
}

// Bytes a read could return right now, best effort (witx: nbytes is a hint).
uint64_t readable_bytes(int fd) {
  struct stat st {};
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    off_t position = lseek(fd, 0, SEEK_CUR);
    return position >= 0 && st.st_size > position ? static_cast<uint64_t>(st.st_size - position) : 0;
  }
  int available = 0;
  return ioctl(fd, FIONREAD, &available) == 0 && available > 0 ? static_cast<uint64_t>(available) : 0;
}

// Reads and validates one subscription at `ptr` (in bounds). Returns false
// for a tag that is not an eventtype: the call cannot form an event for it.
bool parse_subscription(WasiState& state, const GuestMemory& memory, uint64_t ptr, uint64_t monotonic_now,
                        std::vector<pollfd>& pollfds, Subscription& sub) {
  uint8_t tag = 0;
  memory.load(ptr, sub.userdata);
  memory.load(ptr + 8, tag);
  if (tag > kEventFdWrite) return false;
  sub.type = tag;

  if (tag == kEventClock) {
    uint32_t id = 0;
    uint64_t timeout = 0;
    uint16_t flags = 0;
    memory.load(ptr + 16, id);
    memory.load(ptr + 24, timeout);
    memory.load(ptr + 40, flags);
    if (id != kRealtime && id != kMonotonic) {
      // The CPU-time clocks cannot be waited on (witx leaves it to the host).
      sub.fire(id == kProcessCputime || id == kThreadCputime ? kNotSup : kInval);
      return true;
    }
    if (!(flags & kSubclockAbstime)) {
      sub.deadline = saturating_add(monotonic_now, timeout);
    } else if (id == kMonotonic) {
      sub.deadline = timeout;
    } else {
      // A realtime deadline becomes a monotonic one once, here: waiting on
      // the monotonic clock is immune to the wall clock being stepped
      // during the wait, which only delays or hastens the wake-up.
      uint64_t realtime_now = 0;
      read_clock(state, kRealtime, realtime_now, /*advance=*/false);
      sub.deadline =
          timeout <= realtime_now ? monotonic_now : saturating_add(monotonic_now, timeout - realtime_now);
    }
    return true;
  }

  uint32_t fd = 0;
  memory.load(ptr + 16, fd);
  const bool want_read = tag == kEventFdRead;
  FdEntry* entry = state.fds.get(fd);
  if (!entry) {
    sub.fire(kBadf);
    return true;
  }
  // POLL_FD_READWRITE, with FD_READ to wait for reading, FD_WRITE for writing.
  if (rights::require(*entry, rights::kPollFdReadwrite | (want_read ? rights::kFdRead : rights::kFdWrite)) !=
      kSuccess) {
    sub.fire(kNotCapable);
    return true;
  }
  switch (entry->kind) {
    case FdEntry::Kind::NullStream:
      // Like /dev/null: always readable (at end of file) and writable.
      sub.fire();
      return true;
    case FdEntry::Kind::BufferInput: {
      if (!want_read) {
        sub.fire(kBadf);
        return true;
      }
      // The whole input is there from the start; once consumed, no writer
      // can add more, which poll(2) reports for a pipe as a hang-up.
      const size_t size = entry->buffer ? entry->buffer->size() : 0;
      const uint64_t left = size > entry->read_pos ? size - entry->read_pos : 0;
      sub.fire(kSuccess, left, left == 0 ? kEventFdReadwriteHangup : 0);
      return true;
    }
    case FdEntry::Kind::BufferOutput:
      if (want_read) {
        sub.fire(kBadf);
      } else {
        sub.fire();
      }
      return true;
    case FdEntry::Kind::HostFd:
      if (entry->host_fd < 0) {
        sub.fire(kBadf);
        return true;
      }
      sub.pollfd_index = static_cast<int>(pollfds.size());
      pollfds.push_back({entry->host_fd, static_cast<short>(want_read ? POLLIN : POLLOUT), 0});
      return true;
  }
  sub.fire(kBadf);
  return true;
}

// Turns poll(2) results into events for the fd subscriptions that fired.
void collect_fd_events(std::vector<Subscription>& subs, const std::vector<pollfd>& pollfds) {
  for (auto& sub : subs) {
    if (sub.fired || sub.pollfd_index < 0) continue;
    const pollfd& p = pollfds[static_cast<size_t>(sub.pollfd_index)];
    if (p.revents == 0) continue;
    const bool is_read = sub.type == kEventFdRead;
    if (p.revents & POLLNVAL) {
      sub.fire(kBadf);  // e.g. an O_PATH directory
    } else if (p.revents & POLLERR) {
      // A pipe's write end reports POLLERR once the reader is gone.
      sub.fire(is_read ? kIo : kPipe, 0, kEventFdReadwriteHangup);
    } else {
      const uint16_t flags = (p.revents & POLLHUP) ? kEventFdReadwriteHangup : 0;
      sub.fire(kSuccess, is_read ? readable_bytes(p.fd) : 0, flags);
    }
  }
}

// Fires the clock subscriptions whose deadline is at or before `now`.
void collect_clock_events(std::vector<Subscription>& subs, uint64_t now) {
  for (auto& sub : subs) {
    if (!sub.fired && sub.type == kEventClock && sub.deadline <= now) sub.fire();
  }
}

bool any_fired(const std::vector<Subscription>& subs) {
  return std::any_of(subs.begin(), subs.end(), [](const Subscription& s) { return s.fired; });
}

uint64_t earliest_deadline(const std::vector<Subscription>& subs) {
  uint64_t earliest = kNever;
  for (const auto& sub : subs) {
    if (!sub.fired && sub.type == kEventClock) earliest = std::min(earliest, sub.deadline);
  }
  return earliest;
}

timespec to_timespec(uint64_t ns) {
  return {static_cast<time_t>(ns / 1'000'000'000u), static_cast<long>(ns % 1'000'000'000u)};
}

// One poll(2) over the fd subscriptions (plus the interrupt fd when
// `interrupt_fd` >= 0), waiting at most `timeout_ns` (kNever: no limit).
// `interrupted`: the runtime woke us to cancel the call.
Errno poll_host(std::vector<pollfd>& pollfds, int interrupt_fd, uint64_t timeout_ns, bool& interrupted) {
  interrupted = false;
  if (interrupt_fd >= 0) pollfds.push_back({interrupt_fd, POLLIN, 0});
  for (auto& p : pollfds) p.revents = 0;
  timespec timeout = to_timespec(std::min(timeout_ns, kMaxWaitSliceNs));
  int rc = ppoll(pollfds.data(), pollfds.size(),
                 timeout_ns == kNever && interrupt_fd >= 0 ? nullptr : &timeout, nullptr);
  const int saved_errno = errno;
  if (interrupt_fd >= 0) {
    interrupted = pollfds.back().revents != 0;
    pollfds.pop_back();
  }
  if (rc < 0 && saved_errno != EINTR) return errno_from_host(saved_errno);
  if (rc < 0) {
    for (auto& p : pollfds) p.revents = 0;  // a signal: nothing is known to be ready
  }
  return kSuccess;
}

Errno now_monotonic(WasiState& state, uint64_t& now) {
  return read_clock(state, kMonotonic, now, false);
}

// Waits until some subscription fires or the call is interrupted.
Errno wait_for_events(HostContext& ctx, WasiState& state, std::vector<Subscription>& subs,
                      std::vector<pollfd>& pollfds, bool& interrupted) {
  const bool deterministic = state.config.deterministic_clocks;
  const int interrupt_fd = ctx.interrupt_fd();
  interrupted = false;
  for (;;) {
    uint64_t now = 0;
    if (Errno err = now_monotonic(state, now); err != kSuccess) return err;
    collect_clock_events(subs, now);
    const uint64_t deadline = earliest_deadline(subs);

    // Something already fired (or must fire without waiting): report it
    // together with whatever descriptors are ready right now.
    if (any_fired(subs) || (pollfds.empty() && deadline == kNever)) {
      if (!pollfds.empty()) {
        bool ignored = false;
        if (Errno err = poll_host(pollfds, -1, 0, ignored); err != kSuccess) return err;
        collect_fd_events(subs, pollfds);
      }
      return kSuccess;
    }
    if (ctx.interrupted()) {
      interrupted = true;
      return kSuccess;
    }

    if (deterministic && deadline != kNever) {
      // Fake time: ready descriptors win; otherwise jump to the deadline
      // instead of sleeping.
      if (!pollfds.empty()) {
        bool ignored = false;
        if (Errno err = poll_host(pollfds, -1, 0, ignored); err != kSuccess) return err;
        collect_fd_events(subs, pollfds);
        if (any_fired(subs)) return kSuccess;
      }
      advance_fake_clocks(state, deadline - now);
      continue;
    }

    const uint64_t remaining = deadline == kNever ? kNever : deadline - now;
    if (pollfds.empty()) {
      // Only clocks: the runtime's own interruptible sleep.
      if (!ctx.sleep_for(std::chrono::nanoseconds(std::min(remaining, kMaxWaitSliceNs)))) {
        interrupted = true;
        return kSuccess;
      }
      continue;
    }
    // Without an interrupt descriptor, wake up regularly to check for one.
    const uint64_t slice = interrupt_fd >= 0 ? remaining : std::min(remaining, kInterruptCheckNs);
    if (Errno err = poll_host(pollfds, interrupt_fd, slice, interrupted); err != kSuccess) return err;
    if (interrupted) return kSuccess;
    collect_fd_events(subs, pollfds);
  }
}

void store_event(const GuestMemory& memory, uint64_t ptr, const Subscription& sub) {
  uint8_t event[kEventSize] = {};
  std::memcpy(event + 0, &sub.userdata, 8);
  std::memcpy(event + 8, &sub.error, 2);
  event[10] = sub.type;
  if (sub.type != kEventClock) {
    std::memcpy(event + 16, &sub.nbytes, 8);
    std::memcpy(event + 24, &sub.flags, 2);
  }
  std::memcpy(memory.bytes().data() + ptr, event, kEventSize);
}

int32_t poll_oneoff(HostContext& ctx, WasiState& state, uint32_t in_ptr, uint32_t out_ptr, uint32_t count,
                    uint32_t nevents_ptr) {
  // witx leaves 0 subscriptions undefined; waiting forever on nothing
  // would hang the guest, so refuse it as wasi-libc and wasmtime do.
  if (count == 0) return kInval;
  GuestMemory memory(ctx);
  if (!memory.in_bounds(in_ptr, kSubscriptionSize * count) ||
      !memory.in_bounds(out_ptr, kEventSize * count) || !memory.in_bounds(nevents_ptr, 4)) {
    return kFault;
  }

  uint64_t now = 0;
  if (Errno err = now_monotonic(state, now); err != kSuccess) return err;
  // Host memory stays proportional to the guest's: each subscription costs
  // the guest 80 bytes (in + out) and us about as much.
  std::vector<Subscription> subs(count);
  std::vector<pollfd> pollfds;
  for (uint32_t i = 0; i < count; ++i) {
    if (!parse_subscription(state, memory, in_ptr + kSubscriptionSize * i, now, pollfds, subs[i]))
      return kInval;
  }

  bool interrupted = false;
  if (Errno err = wait_for_events(ctx, state, subs, pollfds, interrupted); err != kSuccess) return err;

  uint32_t written = 0;
  if (!interrupted) {
    for (const auto& sub : subs) {
      if (sub.fired) store_event(memory, out_ptr + kEventSize * written++, sub);
    }
  }
  memory.store(nevents_ptr, written);
  return kSuccess;
}

}  // namespace

void define_poll(Linker& linker, const StatePtr& state) {
  linker.define(kModule, "poll_oneoff",
                [state](HostContext& ctx, uint32_t in_ptr, uint32_t out_ptr, uint32_t count,
                        uint32_t nevents_ptr) -> int32_t {
                  return poll_oneoff(ctx, *state, in_ptr, out_ptr, count, nevents_ptr);
                });
}

}  // namespace wasmrt::wasi_detail
