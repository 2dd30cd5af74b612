// wasm-run as a process under its limits: issue 4's acceptance check that
// an infinite loop and a loop-free infinite recursion under --timeout 100ms
// both stop within 150 ms of wall time (spawn to exit, so process start,
// compilation and exit all count), and that SIGINT/SIGTERM stop a runaway
// guest cleanly with status 130. Under qemu-user (the arm64 tests,
// docs/aarch64.md) wasm-run is started through the emulator and the budgets
// for process start-up grow; the guest's 100 ms stay exact.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "tests/unit/emulation.h"
#include "tests/unit/test_tier.h"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;
using Milliseconds = std::chrono::duration<double, std::milli>;

// The built wasm-run, or in a cross build the host-side script that runs it
// under CMAKE_CROSSCOMPILING_EMULATOR (tests/CMakeLists.txt): an arm64
// executable cannot be exec'd by the x86-64 kernel without binfmt_misc.
// The script execs the emulator, so the spawned pid is the emulated
// wasm-run itself and receives the signals below.
const std::string kWasmRun = WASMRT_WASM_RUN;
const std::string kTools = WASMRT_SOURCE_DIR "/tests/tools/";

struct Child {
  pid_t pid = -1;
  int stderr_fd = -1;  // read end of the child's stderr
  Clock::time_point spawned;
};

struct Outcome {
  bool exited = false;  // false: killed by a signal (or by us, see hung)
  int status = -1;      // exit status when `exited`
  int signal = 0;       // terminating signal otherwise
  bool hung = false;    // did not exit within the wait limit; we killed it
  std::string stderr_text;
  Clock::time_point first_stderr;  // when wasm-run began to report (the guest had stopped)
  Clock::time_point ended;
};

// Starts wasm-run with `args`, stderr piped to us and stdout discarded.
Child spawn_wasm_run(const std::vector<std::string>& args) {
  Child child;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe2: " << std::strerror(errno);
    return child;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);  // dup2 clears CLOEXEC on fd 2

  std::vector<std::string> argv_storage{kWasmRun};
  argv_storage.push_back(wasmrt::test_engine_option());
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);

  child.spawned = Clock::now();
  const int spawn_error = posix_spawn(&child.pid, kWasmRun.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (spawn_error != 0) {
    ADD_FAILURE() << "posix_spawn " << kWasmRun << ": " << std::strerror(spawn_error);
    close(fds[0]);
    child.pid = -1;
    return child;
  }
  child.stderr_fd = fds[0];
  return child;
}

// Collects stderr until the child closes it (it exits), then reaps it. A
// child still running after `limit` is killed and reported as hung, so a
// broken limit fails the test instead of hanging it.
Outcome wait_for_exit(Child& child, std::chrono::milliseconds limit) {
  Outcome outcome;
  if (child.pid < 0) return outcome;
  const Clock::time_point give_up = child.spawned + limit;
  char buffer[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(give_up - Clock::now());
    if (left.count() <= 0) {
      outcome.hung = true;
      kill(child.pid, SIGKILL);
      break;
    }
    pollfd fd{child.stderr_fd, POLLIN, 0};
    const int ready = poll(&fd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;  // timed out: the loop head kills it
    const ssize_t got = read(child.stderr_fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;  // EOF: the child is gone (or exiting)
    if (outcome.stderr_text.empty()) outcome.first_stderr = Clock::now();
    outcome.stderr_text.append(buffer, static_cast<size_t>(got));
  }
  int wait_status = 0;
  while (waitpid(child.pid, &wait_status, 0) < 0 && errno == EINTR) {
  }
  outcome.ended = Clock::now();
  close(child.stderr_fd);
  child.stderr_fd = -1;
  child.pid = -1;
  outcome.exited = WIFEXITED(wait_status);
  if (outcome.exited) outcome.status = WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) outcome.signal = WTERMSIG(wait_status);
  return outcome;
}

// Issue 4's acceptance line, in milliseconds from spawn to exit. A
// sanitized build gets more: ASan start-up (~20 ms) and LeakSanitizer's
// scan at exit (~40 ms) are process overhead the runtime does not control.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define WASM_RUN_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define WASM_RUN_TEST_SANITIZED 1
#endif
#endif
#ifndef WASM_RUN_TEST_SANITIZED
#define WASM_RUN_TEST_SANITIZED 0
#endif
//
// Under qemu-user every instruction of start-up, compilation and exit is
// emulated (about 30 ms for wasm-run, more when the machine is loaded): the
// 50 ms of process overhead the budget allows become 300 ms. The timeout
// itself is the runtime's (a host thread's clock), so the guest must still
// get exactly its 100 ms: the lower bound below is not scaled.
double timeout_budget_ms() {
  if (wasmrt::emulated()) return 400.0;
  return WASM_RUN_TEST_SANITIZED ? 300.0 : 150.0;
}
// CI runs tests two at a time on two cores, next to other heavy tests; a
// run that lost the CPU for a while says nothing about the runtime. So the
// budget must be met by the best of a few runs, and every run must end in
// the timeout. A late watchdog misses the budget on every run and fails.
constexpr int kTimingAttempts = 3;

void expect_stops_within_budget(const std::string& guest) {
  const double budget_ms = timeout_budget_ms();
  if (wasmrt::emulated()) std::printf("[ emulated ] %s: budget %.0f ms\n", wasmrt::emulation_evidence().c_str(), budget_ms);
  double best_ms = 1e9;
  for (int attempt = 1; attempt <= kTimingAttempts; ++attempt) {
    Child child = spawn_wasm_run({"--timeout", "100ms", kTools + guest});
    const Outcome outcome = wait_for_exit(child, std::chrono::seconds(10));
    const double wall_ms = Milliseconds(outcome.ended - child.spawned).count();
    ASSERT_FALSE(outcome.hung) << guest << " ignored --timeout 100ms for 10 s";
    ASSERT_TRUE(outcome.exited) << guest << " died of signal " << outcome.signal << "\n"
                                << outcome.stderr_text;
    ASSERT_EQ(outcome.status, 124) << outcome.stderr_text;
    EXPECT_NE(outcome.stderr_text.find("deadline"), std::string::npos) << outcome.stderr_text;
    EXPECT_NE(outcome.stderr_text.find("--timeout 100ms"), std::string::npos) << outcome.stderr_text;
    // It must not stop early either: the guest gets its full 100 ms.
    EXPECT_GE(wall_ms, 100.0) << guest;
    std::printf("[ wall time ] %s under --timeout 100ms: %.1f ms spawn to exit (report began at %.1f ms)\n",
                guest.c_str(), wall_ms, Milliseconds(outcome.first_stderr - child.spawned).count());
    best_ms = std::min(best_ms, wall_ms);
    if (best_ms < budget_ms) break;
  }
  EXPECT_LT(best_ms, budget_ms)
      << guest << ": no run out of " << kTimingAttempts << " exited within " << budget_ms
      << " ms of its spawn; the best took " << best_ms << " ms";
}

TEST(WasmRunLimits, InfiniteLoopStopsWithin150ms) {
  expect_stops_within_budget("infinite_loop.wat");
}

TEST(WasmRunLimits, LoopFreeMutualRecursionStopsWithin150ms) {
  expect_stops_within_budget("mutual_recursion.wat");
}

// A signal stops a guest that has no timeout: the handler interrupts the
// store, the guest traps "interrupted" and wasm-run exits 130.
// The signal must arrive once wasm-run has installed its handlers (before
// that it would simply kill the process): 50 ms natively; under qemu-user,
// where start-up is emulated, 1 s. Stopping is then bounded by the
// interrupt checks the guest passes, scaled likewise.
void expect_signal_stops(const std::string& guest, int signal_number, const char* signal_text) {
  const bool emulated = wasmrt::emulated();
  Child child = spawn_wasm_run({kTools + guest});
  ASSERT_GT(child.pid, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(emulated ? 1000 : 50));
  const Clock::time_point signalled = Clock::now();
  ASSERT_EQ(kill(child.pid, signal_number), 0);
  const Outcome outcome = wait_for_exit(child, std::chrono::seconds(10));
  const double after_signal_ms = Milliseconds(outcome.ended - signalled).count();
  ASSERT_FALSE(outcome.hung) << guest << " ignored " << signal_text;
  ASSERT_TRUE(outcome.exited) << "killed by signal " << outcome.signal << " instead of stopping cleanly";
  EXPECT_EQ(outcome.status, 130) << outcome.stderr_text;
  EXPECT_NE(outcome.stderr_text.find(std::string("interrupted by ") + signal_text), std::string::npos)
      << outcome.stderr_text;
  EXPECT_NE(outcome.stderr_text.find("\n  #0 "), std::string::npos) << "no backtrace:\n"
                                                                    << outcome.stderr_text;
  EXPECT_LT(after_signal_ms, emulated ? 3000.0 : 1000.0);
}

TEST(WasmRunLimits, SigintStopsInfiniteLoop) {
  expect_signal_stops("infinite_loop.wat", SIGINT, "SIGINT");
}

TEST(WasmRunLimits, SigtermStopsLoopFreeRecursion) {
  expect_signal_stops("mutual_recursion.wat", SIGTERM, "SIGTERM");
}

}  // namespace
