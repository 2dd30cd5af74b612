// The jail-escape suite (issue 5): C guests built with clang
// --target=wasm32-wasi (tests/jail/*.c) try to get out of their preopened
// directory in every way WASI offers, through the public API (Engine,
// Linker, Wasi::create). For every run the test checks that the guest
// tried every technique and reported each one blocked, that it exited 0,
// and — the real verdict — that nothing outside the jail changed: every
// file's and directory's content, mode and mtime, and the set of names.
//
// Each suite runs with the jail preopened at "/" and at "/sandbox", and
// with the kernel's openat2 resolution and the portable fallback walk.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/unit/test_tier.h"
#include "wasi/jail.h"
#include "wasmrt/wasi.h"
#include "wasmrt/wasmrt.h"

namespace wasmrt {
namespace {

namespace fs = std::filesystem;

// ---- the host tree and its snapshot ----

struct EntryState {
  mode_t mode = 0;  // type and permission bits
  off_t size = 0;
  int64_t mtime_ns = 0;
  ino_t inode = 0;
  nlink_t links = 0;
  std::string content;  // file bytes or symlink target
  bool operator==(const EntryState&) const = default;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Every entry under `root` (lstat: symlinks are recorded, never followed),
// keyed by path relative to `root`; `skip` (relative) is left out entirely.
std::map<std::string, EntryState> snapshot(const std::string& root, const std::set<std::string>& skip) {
  std::map<std::string, EntryState> out;
  std::vector<std::string> pending = {""};
  while (!pending.empty()) {
    std::string relative = pending.back();
    pending.pop_back();
    std::string full = relative.empty() ? root : root + "/" + relative;
    struct stat st {};
    if (lstat(full.c_str(), &st) != 0) continue;
    EntryState entry;
    entry.mode = st.st_mode;
    entry.size = st.st_size;
    entry.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    entry.inode = st.st_ino;
    entry.links = st.st_nlink;
    if (S_ISREG(st.st_mode)) {
      entry.content = read_file(full);
    } else if (S_ISLNK(st.st_mode)) {
      std::vector<char> target(4096);
      ssize_t n = readlink(full.c_str(), target.data(), target.size());
      if (n > 0) entry.content.assign(target.data(), static_cast<size_t>(n));
    }
    out[relative.empty() ? "." : relative] = entry;
    if (S_ISDIR(st.st_mode)) {
      for (const auto& child : fs::directory_iterator(full)) {
        std::string name = child.path().filename().string();
        std::string child_relative = relative.empty() ? name : relative + "/" + name;
        if (!skip.count(child_relative)) pending.push_back(child_relative);
      }
    }
  }
  return out;
}

// Reports every difference between two snapshots (empty: identical).
std::string describe_changes(const std::map<std::string, EntryState>& before,
                             const std::map<std::string, EntryState>& after) {
  std::ostringstream out;
  for (const auto& [path, state] : before) {
    auto it = after.find(path);
    if (it == after.end()) {
      out << "  removed: " << path << "\n";
    } else if (!(it->second == state)) {
      out << "  changed: " << path << " (mode " << std::oct << state.mode << "->" << it->second.mode
          << std::dec << ", size " << state.size << "->" << it->second.size << ", mtime " << state.mtime_ns
          << "->" << it->second.mtime_ns << ", links " << state.links << "->" << it->second.links
          << ", content '" << state.content.substr(0, 40) << "'->'" << it->second.content.substr(0, 40)
          << "')\n";
    }
  }
  for (const auto& [path, state] : after) {
    if (!before.count(path)) out << "  appeared: " << path << "\n";
  }
  return out.str();
}

void write_file(const std::string& path, const std::string& content, mode_t mode) {
  std::ofstream(path, std::ios::binary) << content;
  ASSERT_EQ(chmod(path.c_str(), mode), 0) << path;
}

void make_symlink(const std::string& target, const std::string& path) {
  ASSERT_EQ(symlink(target.c_str(), path.c_str()), 0) << path << ": " << std::strerror(errno);
}

// Old, exact timestamps: any touch of an outside entry shows in its mtime.
void set_old_times(const std::string& path) {
  struct timespec times[2] = {{978307200, 123456789}, {978307200, 123456789}};  // 2001-01-01
  ASSERT_EQ(utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW), 0) << path;
}

// root/
//   outside/        secret.txt target.txt (0666) victim.txt subdir/ outside_link -> secret.txt
//   outside_race/   (empty; the race's symlink points here)
//   jail/           file.txt sub/inner.txt race/ race_alt -> <root>/outside_race and the
//                   symlinks the escape guest uses (see tests/jail/escape.c)
//   ro/             existing.txt sub/inner.txt empty/ link -> existing.txt (read-only preopen)
class JailTree {
 public:
  JailTree() {
    char pattern[] = "/tmp/wasmrt-jail-XXXXXX";
    const char* made = mkdtemp(pattern);
    if (made == nullptr) {
      ADD_FAILURE() << "mkdtemp: " << std::strerror(errno);
      return;
    }
    // Canonical, so the guest's absolute-path techniques name the real place.
    root_ = fs::canonical(made).string();
    build();
  }
  ~JailTree() {
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }
  const std::string& root() const { return root_; }
  std::string path(const std::string& relative) const { return root_ + "/" + relative; }

  // Everything outside the jail and the read-only tree (which has its own check).
  std::map<std::string, EntryState> outside_snapshot() const { return snapshot(root_, {"jail"}); }

 private:
  void build() {
    const std::string& r = root_;
    for (const char* dir : {"outside", "outside/subdir", "outside_race", "jail", "jail/sub", "jail/race",
                            "ro", "ro/sub", "ro/empty"}) {
      ASSERT_EQ(mkdir(path(dir).c_str(), 0755), 0) << dir;
    }
    write_file(path("outside/secret.txt"), "TOP-SECRET outside file\n", 0644);
    write_file(path("outside/target.txt"), "ORIGINAL target\n", 0666);
    write_file(path("outside/victim.txt"), "victim\n", 0666);
    make_symlink("secret.txt", path("outside/outside_link"));

    write_file(path("jail/file.txt"), "jail file\n", 0644);
    write_file(path("jail/sub/inner.txt"), "inner\n", 0644);
    make_symlink("../outside/secret.txt", path("jail/link_secret"));
    make_symlink(r + "/outside/secret.txt", path("jail/link_secret_abs"));
    make_symlink("../outside/target.txt", path("jail/link_target"));
    make_symlink("../outside", path("jail/link_outdir"));
    make_symlink(r + "/outside", path("jail/link_outdir_abs"));
    make_symlink("..", path("jail/link_dotdot"));
    make_symlink("chain2", path("jail/chain1"));
    make_symlink("sub/chain3", path("jail/chain2"));
    make_symlink("../../outside/secret.txt", path("jail/sub/chain3"));
    make_symlink("/proc/self/root", path("jail/link_proc_root"));
    make_symlink("/proc/self/cwd", path("jail/link_proc_cwd"));
    make_symlink("/proc/self/fd/3", path("jail/link_proc_fd3"));
    make_symlink(r + "/outside_race", path("jail/race_alt"));

    write_file(path("ro/existing.txt"), "read-only content\n", 0644);
    write_file(path("ro/sub/inner.txt"), "inner\n", 0644);
    make_symlink("existing.txt", path("ro/link"));

    for (const char* entry : {"outside", "outside/secret.txt", "outside/target.txt", "outside/victim.txt",
                              "outside/subdir", "outside/outside_link", "outside_race", "ro",
                              "ro/existing.txt", "ro/sub", "ro/sub/inner.txt", "ro/empty", "ro/link", "."}) {
      set_old_times(path(entry));
    }
  }

  std::string root_;
};

// ---- running a guest ----

struct GuestRun {
  bool finished = false;  // returned from _start or exited through proc_exit
  int32_t exit_code = -1;
  std::string error;  // anything else (trap, link error)
  std::string stdout_text, stderr_text;
};

#if defined(WASMRT_JAIL_GUEST_DIR)
std::shared_ptr<const Module> load_guest(const std::string& name) {
  static std::map<std::string, std::shared_ptr<const Module>> cache;
  auto cached = cache.find(name);
  if (cached != cache.end()) return cached->second;
  std::string bytes = read_file(std::string(WASMRT_JAIL_GUEST_DIR) + "/" + name + ".wasm");
  if (bytes.empty()) return nullptr;
  auto module = test_engine().compile(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  if (!module.ok()) {
    ADD_FAILURE() << name << ": " << module.error().to_string();
    return nullptr;
  }
  cache[name] = *module;
  return *module;
}
#endif

GuestRun run_guest(const std::string& name, WasiConfig config) {
  GuestRun run;
#if defined(WASMRT_JAIL_GUEST_DIR)
  auto module = load_guest(name);
  if (!module) {
    run.error = "cannot load guest " + name + " from " WASMRT_JAIL_GUEST_DIR;
    return run;
  }
  auto out = std::make_shared<std::string>();
  auto err = std::make_shared<std::string>();
  config.stdout_stream = WasiStdio::memory(out);
  config.stderr_stream = WasiStdio::memory(err);
  auto wasi = Wasi::create(std::move(config));
  if (!wasi.ok()) {
    run.error = wasi.error().to_string();
    return run;
  }
  Store store;
  // A runaway guest (a resolution loop, a hung syscall) fails the test
  // instead of hanging CI.
  store.set_timeout(std::chrono::seconds(120));
  Linker linker;
  (*wasi)->define(linker);
  auto instance = linker.instantiate(store, module);
  if (!instance.ok()) {
    run.error = instance.error().to_string();
    return run;
  }
  auto result = instance->call("_start", {});
  if (result.ok()) {
    run.finished = true;
    run.exit_code = 0;
  } else if (result.error().phase == Phase::Exit) {
    run.finished = true;
    run.exit_code = result.error().exit_code;
  } else {
    run.error = result.error().to_string();
  }
  run.stdout_text = *out;
  run.stderr_text = *err;
#else
  (void)name;
  (void)config;
#endif
  return run;
}

struct TechniqueLine {
  std::string verdict;  // BLOCKED or ESCAPED
  std::string steps;
};

// Parses the guest's TECH lines (see tests/jail/jail_common.h).
std::map<std::string, TechniqueLine> parse_techniques(const std::string& output, std::string& done_line) {
  std::map<std::string, TechniqueLine> out;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("DONE ", 0) == 0) done_line = line;
    if (line.rfind("TECH ", 0) != 0) continue;
    std::istringstream fields(line.substr(5));
    std::string name;
    TechniqueLine technique;
    fields >> name >> technique.verdict;
    std::getline(fields, technique.steps);
    EXPECT_FALSE(out.count(name)) << "technique reported twice: " << name;
    out[name] = technique;
  }
  return out;
}

#if defined(WASMRT_JAIL_GUESTS_MISSING)
#define SKIP_WITHOUT_GUESTS() GTEST_SKIP() << "jail guests not built: " WASMRT_JAIL_GUESTS_MISSING
#elif defined(WASMRT_JAIL_GUEST_DIR)
#define SKIP_WITHOUT_GUESTS() (void)0
#else
#define SKIP_WITHOUT_GUESTS() \
  GTEST_SKIP() << "jail guests not configured (tests/jail/CMakeLists.txt not included)"
#endif

// ---- the suites ----

struct Mode {
  const char* guest_path;  // where the jail is preopened
  bool fallback_walk;      // portable resolution instead of openat2
};

// ctest shows the mode by name rather than as raw bytes.
void PrintTo(const Mode& mode, std::ostream* out) {
  *out << "preopen " << mode.guest_path << (mode.fallback_walk ? ", fallback walk" : ", openat2");
}

std::string mode_name(const testing::TestParamInfo<Mode>& info) {
  std::string name = std::string(info.param.guest_path) == "/" ? "Root" : "Sandbox";
  return name + (info.param.fallback_walk ? "FallbackWalk" : "Openat2");
}

class JailEscape : public testing::TestWithParam<Mode> {
 protected:
  void SetUp() override { wasi_detail::jail_force_fallback_for_testing(GetParam().fallback_walk); }
  void TearDown() override { wasi_detail::jail_force_fallback_for_testing(false); }

  WasiConfig jail_config(const JailTree& tree, std::vector<std::string> args) const {
    WasiConfig config;
    config.args = std::move(args);
    config.dirs.push_back({tree.path("jail"), GetParam().guest_path, false});
    return config;
  }
};

TEST_P(JailEscape, EveryTechniqueIsBlockedAndNothingOutsideChanges) {
  SKIP_WITHOUT_GUESTS();
  JailTree tree;
  auto before = tree.outside_snapshot();
  ASSERT_GT(before.size(), 10u);

  GuestRun run = run_guest("escape", jail_config(tree, {"escape", tree.path("outside"), tree.path("jail"),
                                                        GetParam().guest_path}));
  ASSERT_TRUE(run.finished) << run.error << "\nstdout:\n"
                            << run.stdout_text << "\nstderr:\n"
                            << run.stderr_text;
  EXPECT_EQ(run.exit_code, 0) << run.stderr_text;

  std::string done;
  auto techniques = parse_techniques(run.stdout_text, done);
  // The errno each technique met, for the record (ctest --output-on-failure / -V).
  std::cout << run.stdout_text;
  EXPECT_GE(techniques.size(), 25u);
  int escaped = 0;
  for (const auto& [name, technique] : techniques) {
    EXPECT_EQ(technique.verdict, "BLOCKED") << name << ":" << technique.steps;
    if (technique.verdict != "BLOCKED") ++escaped;
  }
  EXPECT_EQ(done, "DONE techniques=" + std::to_string(techniques.size()) + " escaped=0");
  EXPECT_EQ(escaped, 0);

  // Specific errnos where the answer is not a judgement call.
  EXPECT_NE(techniques["nul_byte_in_path"].steps.find("(28)"), std::string::npos)  // EINVAL
      << techniques["nul_byte_in_path"].steps;
  EXPECT_NE(techniques["very_long_path"].steps.find("256KiB)=Filename too long(37)"), std::string::npos)
      << techniques["very_long_path"].steps;

  auto after = tree.outside_snapshot();
  EXPECT_EQ(describe_changes(before, after), "");
  EXPECT_EQ(read_file(tree.path("outside/secret.txt")), "TOP-SECRET outside file\n");
  EXPECT_EQ(read_file(tree.path("outside/target.txt")), "ORIGINAL target\n");
}

// The host swaps jail/race (a directory) with jail/race_alt (a symlink to
// outside_race) as fast as it can while the guest keeps opening
// race/file with O_CREAT and writing to it: whatever interleaving the
// guest's resolution meets, nothing may appear in outside_race.
TEST_P(JailEscape, DirectorySwappedWithSymlinkDuringOpens) {
  SKIP_WITHOUT_GUESTS();
  JailTree tree;
  auto before = tree.outside_snapshot();

  std::atomic<bool> guest_done{false};
  std::atomic<uint64_t> swaps{0};
  std::string race = tree.path("jail/race"), race_alt = tree.path("jail/race_alt");
  std::thread swapper([&] {
    while (!guest_done.load(std::memory_order_relaxed)) {
      if (renameat2(AT_FDCWD, race.c_str(), AT_FDCWD, race_alt.c_str(), RENAME_EXCHANGE) == 0) {
        swaps.fetch_add(1, std::memory_order_relaxed);
      }
    }
  });
  GuestRun run = run_guest("race", jail_config(tree, {"race", "3000"}));
  guest_done = true;
  swapper.join();

  ASSERT_TRUE(run.finished) << run.error << "\n" << run.stderr_text;
  EXPECT_EQ(run.exit_code, 0);
  std::cout << run.stdout_text << "swaps=" << swaps.load() << "\n";
  EXPECT_GT(swaps.load(), 0u);
  std::string done;
  auto techniques = parse_techniques(run.stdout_text, done);
  ASSERT_EQ(techniques.size(), 1u) << run.stdout_text;
  EXPECT_EQ(done, "DONE techniques=1 escaped=0");

  // The verdict: outside_race is still empty and untouched.
  EXPECT_TRUE(fs::is_empty(tree.path("outside_race")));
  auto after = tree.outside_snapshot();
  EXPECT_EQ(describe_changes(before, after), "");
  // The guest met both states (else the race tested nothing): it opened
  // the real directory and was refused the symlink, many times each.
  int opened = -1, refused = -1;
  std::string steps = techniques.begin()->second.steps;
  size_t at = steps.find("opened=");
  if (at != std::string::npos) std::sscanf(steps.c_str() + at, "opened=%d refused=%d", &opened, &refused);
  EXPECT_GE(opened, 50) << steps;
  EXPECT_GE(refused, 50) << steps;
}

TEST_P(JailEscape, ReadOnlyPreopenRefusesEveryMutation) {
  SKIP_WITHOUT_GUESTS();
  JailTree tree;
  auto before = snapshot(tree.path("ro"), {});
  auto outside_before = tree.outside_snapshot();
  WasiConfig config;
  config.args = {"readonly"};
  config.dirs.push_back({tree.path("ro"), GetParam().guest_path, true});
  GuestRun run = run_guest("readonly", std::move(config));
  ASSERT_TRUE(run.finished) << run.error << "\n" << run.stderr_text;
  EXPECT_EQ(run.exit_code, 0);
  std::cout << run.stdout_text;
  std::string done;
  auto techniques = parse_techniques(run.stdout_text, done);
  ASSERT_EQ(techniques.size(), 1u) << run.stdout_text;
  EXPECT_EQ(techniques.begin()->second.verdict, "BLOCKED") << techniques.begin()->second.steps;
  EXPECT_EQ(done, "DONE techniques=1 escaped=0");
  EXPECT_EQ(describe_changes(before, snapshot(tree.path("ro"), {})), "");
  EXPECT_EQ(describe_changes(outside_before, tree.outside_snapshot()), "");
}

INSTANTIATE_TEST_SUITE_P(Modes, JailEscape,
                         testing::Values(Mode{"/", false}, Mode{"/sandbox", false}, Mode{"/", true},
                                         Mode{"/sandbox", true}),
                         mode_name);

}  // namespace
}  // namespace wasmrt
