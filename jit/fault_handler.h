// Turning faults of JIT code into wasm traps: the process-wide SIGSEGV and
// SIGBUS handler and the registry of code ranges it consults.
//
// Why: on a memory with guard regions (runtime/memory/linear_memory.h), a
// u32 index plus a u32 offset plus the access size always lands inside the
// memory's 8 GiB reservation, so the JIT emits the access without a bounds
// check and lets an out-of-bounds one fault on a PROT_NONE page. The
// handler recognises the fault by its program counter: when it is exactly
// a trap site of registered code, it moves the PC to that site's trap exit
// (the code an explicit check would have jumped to), and the trap, its
// message and its backtrace are the same as with the check.
//
// Contract for code generators (the baseline back ends, jit/opt/):
//  * call install() before compiling code that relies on it, and emit
//    unchecked accesses only when it returned true;
//  * register every code range with CodeRegistration, with one TrapSite
//    per unchecked access instruction, before the code can run, and keep
//    the registration alive exactly as long as the code (destroy it before
//    freeing the code);
//  * at a trap site, every register the trap exit reads must already hold
//    what the exit expects (the exit runs with the faulting instruction's
//    register state).
//
// Contract for embedders:
//  * the handler is installed once per process, the first time a module is
//    compiled to machine code that relies on it, and is never removed;
//  * faults that are not at a trap site go to the handler that was
//    installed before ours (an SA_SIGINFO handler, a plain handler, or the
//    default action: the process then dies of the same signal, as without
//    us), so sanitizers' and crash reporters' handlers keep working;
//  * an embedder that installs its own SIGSEGV or SIGBUS handler after an
//    engine compiled code must call the previous handler (the one
//    sigaction returned) for faults it does not recognise, or wasm
//    out-of-bounds accesses crash the process instead of trapping;
//  * a thread that runs wasm must not block SIGSEGV or SIGBUS. No
//    alternate signal stack is needed (the handler runs on one if the
//    thread has it: SA_ONSTACK);
//  * on AArch64 an unaligned store that straddles the end of memory may,
//    on some implementations, write its in-bounds bytes before faulting
//    (the architecture allows it), which wasm forbids: the code
//    generators therefore leave only loads and byte stores to this handler
//    there (codegen::elides_bounds_check).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace wasmrt::jit::fault {

// Installs the handler (once per process; later calls return the first
// answer). False where faults cannot be turned into traps (a platform
// without the ucontext access below, or sigaction refused): code must then
// check every access explicitly.
bool install();

// One access instruction that may fault out of bounds, and where to resume:
// byte offsets from the start of its code range.
struct TrapSite {
  uint32_t access_offset;
  uint32_t exit_offset;
};

// A code range known to the fault handler while this object lives.
// Registration and destruction may happen on any thread, concurrently with
// faults on others: the handler never sees a range that was freed.
class CodeRegistration {
 public:
  // `sites` need not be sorted; no two may share an access_offset.
  CodeRegistration(const void* begin, size_t size, std::vector<TrapSite> sites);
  ~CodeRegistration();
  CodeRegistration(const CodeRegistration&) = delete;
  CodeRegistration& operator=(const CodeRegistration&) = delete;

  size_t site_count() const { return sites_.size(); }

 private:
  uintptr_t begin_;
  size_t size_;
  std::vector<TrapSite> sites_;  // sorted by access_offset
};

// The trap exit of the registered trap site at `pc`, or 0: what the signal
// handler does, exposed for tests.
uintptr_t trap_exit_for(uintptr_t pc);

}  // namespace wasmrt::jit::fault
