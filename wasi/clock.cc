// clock_res_get, clock_time_get.
#include "wasi/clock.h"

#include <time.h>

#include <cerrno>

namespace wasmrt::wasi_detail {

namespace {

// Each fake read advances time by this much, so a guest polling the clock
// in a loop (e.g. waiting for a timestamp to change) always progresses.
constexpr uint64_t kFakeTickNs = 1000;

bool host_clock_of(uint32_t id, clockid_t& out) {
  switch (id) {
    case kRealtime: out = CLOCK_REALTIME; return true;
    case kMonotonic: out = CLOCK_MONOTONIC; return true;
    case kProcessCputime: out = CLOCK_PROCESS_CPUTIME_ID; return true;
    case kThreadCputime: out = CLOCK_THREAD_CPUTIME_ID; return true;
    default: return false;
  }
}

uint64_t saturating_add(uint64_t a, uint64_t b) {
  return a > ~uint64_t{0} - b ? ~uint64_t{0} : a + b;
}

uint64_t to_ns(const timespec& ts) {
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace

void advance_fake_clocks(WasiState& state, uint64_t ns) {
  state.fake_realtime_ns = saturating_add(state.fake_realtime_ns, ns);
  state.fake_monotonic_ns = saturating_add(state.fake_monotonic_ns, ns);
}

Errno read_clock(WasiState& state, uint32_t id, uint64_t& now_ns, bool advance) {
  clockid_t host_clock;
  if (!host_clock_of(id, host_clock)) return kInval;
  if (state.config.deterministic_clocks) {
    // The CPU-time clocks follow the monotonic one: any host CPU reading
    // would make runs differ.
    now_ns = id == kRealtime ? state.fake_realtime_ns : state.fake_monotonic_ns;
    if (advance) advance_fake_clocks(state, kFakeTickNs);
    return kSuccess;
  }
  timespec ts{};
  if (clock_gettime(host_clock, &ts) != 0) return errno_from_host(errno);
  now_ns = to_ns(ts);
  return kSuccess;
}

void define_clock(Linker& linker, const StatePtr& state) {
  linker.define(kModule, "clock_res_get",
                [state](HostContext& ctx, uint32_t id, uint32_t resolution_ptr) -> int32_t {
                  clockid_t host_clock;
                  if (!host_clock_of(id, host_clock)) return kInval;
                  uint64_t resolution = kFakeTickNs;
                  if (!state->config.deterministic_clocks) {
                    timespec ts{};
                    if (clock_getres(host_clock, &ts) != 0) return errno_from_host(errno);
                    resolution = to_ns(ts);
                  }
                  if (!GuestMemory(ctx).store(resolution_ptr, resolution)) return kFault;
                  return kSuccess;
                });

  // The precision argument is a hint we may ignore (witx); every clock is
  // read at full resolution.
  linker.define(kModule, "clock_time_get",
                [state](HostContext& ctx, uint32_t id, uint64_t /*precision*/, uint32_t time_ptr) -> int32_t {
                  GuestMemory memory(ctx);
                  if (!memory.in_bounds(time_ptr, sizeof(uint64_t))) return kFault;
                  uint64_t now = 0;
                  if (Errno err = read_clock(*state, id, now); err != kSuccess) return err;
                  memory.store(time_ptr, now);
                  return kSuccess;
                });
}

}  // namespace wasmrt::wasi_detail
