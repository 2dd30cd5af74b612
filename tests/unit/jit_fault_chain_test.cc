// The JIT's fault handler (jit/fault_handler.h) next to the embedder's own
// SIGSEGV/SIGBUS handling: a guest's out-of-bounds access still traps, and
// every fault that is not the guest's still reaches whoever handled it
// before the engine (a handler that recovers, or the default action, which
// must still kill the process with the same signal).
//
// Each case runs in a child process of its own (death tests, forked), so
// that it sets the dispositions the engine finds: nothing in this binary's
// parent process compiles machine code.
#include <gtest/gtest.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "wasmrt/wasmrt.h"

namespace wasmrt {
namespace {

const char kModule[] = R"((module (memory 1)
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))))";

// Exit statuses of a child that found something wrong.
enum Failure { kNoJit = 10, kCompile, kNoTrap, kWrongTrap, kInBounds, kHandlerNotCalled, kNotRecovered };

// Compiles the module on the JIT (installing the fault handler) and checks
// one trapping and one in-bounds load; 0 or a Failure.
int guest_traps_out_of_bounds() {
  if (!Engine::jit_available()) return kNoJit;
  EngineConfig config;
  config.tier = ExecutionTier::Jit;
  Engine engine(config);
  auto module = engine.compile(std::span(reinterpret_cast<const uint8_t*>(kModule), sizeof kModule - 1));
  if (!module.ok()) return kCompile;
  Store store(engine);
  auto instance = Linker().instantiate(store, module.value());
  if (!instance.ok()) return kCompile;
  auto trapped = instance.value().call("load", {Value::i32(65533)});
  if (trapped.ok()) return kNoTrap;
  if (trapped.error().trap == nullptr || trapped.error().trap->kind != TrapKind::MemoryOutOfBounds ||
      trapped.error().trap->message != "out of bounds memory access")
    return kWrongTrap;
  if (!instance.value().call("load", {Value::i32(65532)}).ok()) return kInBounds;
  return 0;
}

char* inaccessible_page() {
  void* p = mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) std::abort();
  return static_cast<char*>(p);
}

// ---- an SA_SIGINFO handler that recovers by mprotect ----

char* g_page = nullptr;
volatile sig_atomic_t g_recovered = 0;
struct sigaction g_before_embedder;

void recovering_handler(int sig, siginfo_t* info, void* context) {
  char* addr = static_cast<char*>(info->si_addr);
  if (addr >= g_page && addr < g_page + 4096) {
    mprotect(g_page, 4096, PROT_READ | PROT_WRITE);
    g_recovered = 1;
    return;
  }
  if (g_before_embedder.sa_flags & SA_SIGINFO) {
    g_before_embedder.sa_sigaction(sig, info, context);
  } else {
    sigaction(sig, &g_before_embedder, nullptr);
  }
}

int embedder_recovers_its_own_fault() {
  g_page = inaccessible_page();
  struct sigaction action = {};
  action.sa_sigaction = recovering_handler;
  action.sa_flags = SA_SIGINFO;
  sigemptyset(&action.sa_mask);
  sigaction(SIGSEGV, &action, &g_before_embedder);
  if (int failure = guest_traps_out_of_bounds()) return failure;
  static_cast<volatile char*>(g_page)[100] = 42;
  if (!g_recovered) return kHandlerNotCalled;
  if (static_cast<volatile char*>(g_page)[100] != 42) return kNotRecovered;
  // And the guest's faults are still the engine's.
  return guest_traps_out_of_bounds();
}

TEST(JitFaultChain, EmbedderHandlerThatRecoversStillGetsItsFaults) {
  if (!Engine::jit_available()) GTEST_SKIP() << "no JIT on this host";
  EXPECT_EXIT(_exit(embedder_recovers_its_own_fault()), ::testing::ExitedWithCode(0), "");
}

// ---- a plain handler that leaves by siglongjmp ----

sigjmp_buf g_jump;
void jumping_handler(int) { siglongjmp(g_jump, 1); }

int embedder_jumps_out_of_its_own_fault() {
  char* page = inaccessible_page();
  signal(SIGSEGV, jumping_handler);
  if (int failure = guest_traps_out_of_bounds()) return failure;
  for (int i = 0; i < 3; ++i) {
    if (sigsetjmp(g_jump, 1) == 0) {
      static_cast<volatile char*>(page)[i] = 1;
      return kHandlerNotCalled;
    }
    if (int failure = guest_traps_out_of_bounds()) return failure;
  }
  return 0;
}

TEST(JitFaultChain, PlainEmbedderHandlerStillGetsItsFaults) {
  if (!Engine::jit_available()) GTEST_SKIP() << "no JIT on this host";
  EXPECT_EXIT(_exit(embedder_jumps_out_of_its_own_fault()), ::testing::ExitedWithCode(0), "");
}

// ---- no handler: the process still dies of the signal ----

void fault_after_guest(int sig, void (*before)(int)) {
  signal(sig, before);
  if (int failure = guest_traps_out_of_bounds()) _exit(failure);
  if (sig == SIGSEGV) {
    static_cast<volatile char*>(inaccessible_page())[0] = 1;
  } else {
    // A page of a file past its end: SIGBUS.
    FILE* file = std::tmpfile();
    if (file == nullptr) _exit(kNotRecovered);
    char* p = static_cast<char*>(mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE, fileno(file), 0));
    if (p == MAP_FAILED) _exit(kNotRecovered);
    (void)static_cast<volatile char*>(p)[0];
  }
  _exit(0);
}

TEST(JitFaultChain, DefaultSegvStillKills) {
  if (!Engine::jit_available()) GTEST_SKIP() << "no JIT on this host";
  EXPECT_EXIT(fault_after_guest(SIGSEGV, SIG_DFL), ::testing::KilledBySignal(SIGSEGV), "");
}
TEST(JitFaultChain, IgnoredSegvStillKills) {
  if (!Engine::jit_available()) GTEST_SKIP() << "no JIT on this host";
  EXPECT_EXIT(fault_after_guest(SIGSEGV, SIG_IGN), ::testing::KilledBySignal(SIGSEGV), "");
}
TEST(JitFaultChain, DefaultSigbusStillKills) {
  if (!Engine::jit_available()) GTEST_SKIP() << "no JIT on this host";
  EXPECT_EXIT(fault_after_guest(SIGBUS, SIG_DFL), ::testing::KilledBySignal(SIGBUS), "");
}

// A SIGSEGV sent by kill() is nobody's access fault: default action.
TEST(JitFaultChain, SentSegvStillKills) {
  if (!Engine::jit_available()) GTEST_SKIP() << "no JIT on this host";
  EXPECT_EXIT(
      {
        signal(SIGSEGV, SIG_DFL);
        if (int failure = guest_traps_out_of_bounds()) _exit(failure);
        kill(getpid(), SIGSEGV);
        _exit(0);
      },
      ::testing::KilledBySignal(SIGSEGV), "");
}

#if defined(__SANITIZE_ADDRESS__)
#define WASMRT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WASMRT_ASAN 1
#endif
#endif
#ifdef WASMRT_ASAN
// AddressSanitizer's SEGV handler, installed before main, still reports a
// real bug after the engine installed its own.
TEST(JitFaultChain, AddressSanitizerStillReportsWildAccesses) {
  if (!Engine::jit_available()) GTEST_SKIP() << "no JIT on this host";
  EXPECT_DEATH(
      {
        if (int failure = guest_traps_out_of_bounds()) _exit(failure);
        static_cast<volatile char*>(inaccessible_page())[0] = 1;
        _exit(0);
      },
      "AddressSanitizer: SEGV");
}
#endif

}  // namespace
}  // namespace wasmrt
