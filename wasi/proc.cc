// proc_exit, proc_raise, sched_yield.
#include <sched.h>

#include "wasi/state.h"

namespace wasmrt::wasi_detail {

void define_proc(Linker& linker, const StatePtr& state) {
  (void)state;
  // HostContext::exit unwinds every wasm frame once this returns, so the
  // guest never resumes after proc_exit (Go relies on it: its exit path
  // has no code after the call).
  linker.define(kModule, "proc_exit",
                [](HostContext& ctx, uint32_t code) { ctx.exit(static_cast<int32_t>(code)); });

  // Signals are not part of the sandbox: a guest cannot signal itself or
  // anyone else. witx `signal` has 31 values (0..30).
  linker.define(kModule, "proc_raise",
                [](HostContext&, uint32_t signal) -> int32_t { return signal > 30 ? kInval : kNoSys; });

  linker.define(kModule, "sched_yield", [](HostContext&) -> int32_t {
    ::sched_yield();
    return kSuccess;
  });
}

}  // namespace wasmrt::wasi_detail
