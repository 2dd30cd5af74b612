// The fault handler and its registry (fault_handler.h).
//
// The registry is read inside a signal handler, on any thread, while other
// threads may register and unregister code: the handler may take no lock
// and allocate nothing. Writers (serialised by a mutex) build an immutable
// snapshot of all ranges and publish it with one atomic exchange; the
// previous snapshot is freed once no handler can still be reading it.
// Readers announce themselves on one of two counters chosen by an epoch
// that each publication advances, so a writer waits only for the readers
// that started before its publication (a userspace RCU with two phases),
// never for a stream of later ones.
#include "jit/fault_handler.h"

#include <signal.h>
#include <sched.h>
#include <ucontext.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <mutex>

namespace wasmrt::jit::fault {

namespace {

// Where the handler can read and move the interrupted program counter.
#if defined(__linux__) && defined(__x86_64__)
constexpr bool kPlatformSupported = true;
uintptr_t interrupted_pc(const ucontext_t* uc) { return static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]); }
void resume_at(ucontext_t* uc, uintptr_t pc) { uc->uc_mcontext.gregs[REG_RIP] = static_cast<greg_t>(pc); }
#elif defined(__linux__) && defined(__aarch64__)
constexpr bool kPlatformSupported = true;
uintptr_t interrupted_pc(const ucontext_t* uc) { return static_cast<uintptr_t>(uc->uc_mcontext.pc); }
void resume_at(ucontext_t* uc, uintptr_t pc) { uc->uc_mcontext.pc = pc; }
#else
constexpr bool kPlatformSupported = false;
uintptr_t interrupted_pc(const ucontext_t*) { return 0; }
void resume_at(ucontext_t*, uintptr_t) {}
#endif

struct Range {
  uintptr_t begin;
  uintptr_t end;
  const TrapSite* sites;  // sorted by access_offset
  size_t site_count;
};

// Immutable once published.
struct Snapshot {
  std::vector<Range> ranges;  // sorted by begin, disjoint
};

std::atomic<const Snapshot*> g_snapshot{nullptr};
std::atomic<uint32_t> g_epoch{0};
std::atomic<uint32_t> g_readers[2] = {0, 0};

// The writers' side, never destroyed: a module's code may be released
// during static destruction.
struct Writers {
  std::mutex mutex;
  std::vector<Range> ranges;  // the contents of the published snapshot
};
Writers& writers() {
  static Writers* w = new Writers;
  return *w;
}

// Under writers().mutex: publishes `ranges` and frees the snapshot it
// replaces once no handler started before the exchange is still reading.
void publish(const std::vector<Range>& ranges) {
  const Snapshot* next = ranges.empty() ? nullptr : new Snapshot{ranges};
  const Snapshot* previous = g_snapshot.exchange(next);
  const uint32_t epoch = g_epoch.load();
  g_epoch.store(epoch + 1);
  while (g_readers[epoch & 1].load() != 0) sched_yield();
  delete previous;
}

uintptr_t lookup(const Snapshot& s, uintptr_t pc) {
  // The last range that begins at or before pc.
  size_t lo = 0, hi = s.ranges.size();
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (s.ranges[mid].begin <= pc) lo = mid + 1;
    else hi = mid;
  }
  if (lo == 0) return 0;
  const Range& r = s.ranges[lo - 1];
  if (pc >= r.end) return 0;
  const uintptr_t offset = pc - r.begin;
  size_t first = 0, last = r.site_count;
  while (first < last) {
    const size_t mid = first + (last - first) / 2;
    if (r.sites[mid].access_offset < offset) first = mid + 1;
    else last = mid;
  }
  if (first == r.site_count || r.sites[first].access_offset != offset) return 0;
  return r.begin + r.sites[first].exit_offset;
}

constexpr int kSignals[2] = {SIGSEGV, SIGBUS};
struct sigaction g_previous[2];

const struct sigaction& previous_action(int sig) { return g_previous[sig == SIGSEGV ? 0 : 1]; }

// Hands a fault that is not ours to whoever had the signal before.
void forward(int sig, siginfo_t* info, void* context) {
  const struct sigaction& previous = previous_action(sig);
  if ((previous.sa_flags & SA_SIGINFO) != 0) {
    previous.sa_sigaction(sig, info, context);
    return;
  }
  if (previous.sa_handler == SIG_DFL || previous.sa_handler == SIG_IGN) {
    // Restore the old disposition and let the faulting instruction run
    // again: it faults once more and the process ends as it would have
    // without us (the kernel does not let a fault be ignored). A signal
    // someone sent has no instruction to rerun: send it again.
    const int saved_errno = errno;
    sigaction(sig, &previous, nullptr);
    if (info == nullptr || info->si_code <= 0) raise(sig);
    errno = saved_errno;
    return;
  }
  previous.sa_handler(sig);
}

void handle_fault(int sig, siginfo_t* info, void* context) {
  // Only faults the kernel raised (si_code > 0): a SIGSEGV sent with kill()
  // while wasm code happens to be at an access is not an access fault.
  if (info != nullptr && info->si_code > 0 && context != nullptr) {
    ucontext_t* uc = static_cast<ucontext_t*>(context);
    if (const uintptr_t exit = trap_exit_for(interrupted_pc(uc)); exit != 0) {
      resume_at(uc, exit);
      return;
    }
  }
  forward(sig, info, context);
}

bool install_once() {
  if (!kPlatformSupported) return false;
  for (size_t i = 0; i < std::size(kSignals); ++i) {
    // The previous action is saved before ours can run.
    if (sigaction(kSignals[i], nullptr, &g_previous[i]) != 0) return false;
    struct sigaction ours = {};
    ours.sa_sigaction = handle_fault;
    sigemptyset(&ours.sa_mask);
    // SA_NODEFER: a previous handler we forward to may itself fault.
    ours.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    if (sigaction(kSignals[i], &ours, nullptr) != 0) return false;
    // A sanitizer may intercept sigaction and keep its own handler.
    struct sigaction now = {};
    if (sigaction(kSignals[i], nullptr, &now) != 0 || (now.sa_flags & SA_SIGINFO) == 0 ||
        now.sa_sigaction != handle_fault)
      return false;
  }
  return true;
}

}  // namespace

bool install() {
  static const bool installed = install_once();
  return installed;
}

uintptr_t trap_exit_for(uintptr_t pc) {
  uint32_t epoch;
  for (;;) {
    epoch = g_epoch.load();
    g_readers[epoch & 1].fetch_add(1);
    if (g_epoch.load() == epoch) break;
    g_readers[epoch & 1].fetch_sub(1);  // a writer published meanwhile: start again on the new phase
  }
  const Snapshot* s = g_snapshot.load();
  const uintptr_t exit = s != nullptr ? lookup(*s, pc) : 0;
  g_readers[epoch & 1].fetch_sub(1);
  return exit;
}

CodeRegistration::CodeRegistration(const void* begin, size_t size, std::vector<TrapSite> sites)
    : begin_(reinterpret_cast<uintptr_t>(begin)), size_(size), sites_(std::move(sites)) {
  std::sort(sites_.begin(), sites_.end(),
            [](const TrapSite& a, const TrapSite& b) { return a.access_offset < b.access_offset; });
  Writers& w = writers();
  std::lock_guard lock(w.mutex);
  const Range range{begin_, begin_ + size_, sites_.data(), sites_.size()};
  auto at = std::lower_bound(w.ranges.begin(), w.ranges.end(), range,
                             [](const Range& a, const Range& b) { return a.begin < b.begin; });
  w.ranges.insert(at, range);
  publish(w.ranges);
}

CodeRegistration::~CodeRegistration() {
  Writers& w = writers();
  std::lock_guard lock(w.mutex);
  auto at = std::find_if(w.ranges.begin(), w.ranges.end(), [this](const Range& r) { return r.begin == begin_; });
  if (at != w.ranges.end()) w.ranges.erase(at);
  publish(w.ranges);
}

}  // namespace wasmrt::jit::fault
