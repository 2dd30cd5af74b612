// Clock reads shared by clock_time_get and poll_oneoff, so both see the
// same (possibly deterministic) time.
#pragma once

#include <cstdint>

#include "wasi/state.h"

namespace wasmrt::wasi_detail {

// witx `clockid`.
enum ClockId : uint32_t { kRealtime = 0, kMonotonic = 1, kProcessCputime = 2, kThreadCputime = 3 };

// The current value of `id` in nanoseconds. With deterministic clocks a read
// advances both fake clocks by 1 µs (`advance` false only peeks, for
// internal deadline arithmetic). kInval for an unknown id.
Errno read_clock(WasiState& state, uint32_t id, uint64_t& now_ns, bool advance = true);

// Deterministic clocks: moves both fake clocks forward by `ns` (a sleep).
void advance_fake_clocks(WasiState& state, uint64_t ns);

}  // namespace wasmrt::wasi_detail
