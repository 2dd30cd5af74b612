// WASI fidelity (issue 16): runs the C guests of tests/wasi (rights.c,
// paths.c), built with clang --target=wasm32-wasi, through the public API
// on the tier under test (tests/unit/test_tier.h; ctest runs this binary
// on each tier). Each guest checks every errno itself and exits 1 on the
// first run with a mismatch, printing one FAIL line per mismatch; here we
// only require exit status 0 and show its output otherwise. Each guest runs
// with the kernel's openat2 resolution and with the portable fallback walk.
//
// The host gives each run a fresh scratch directory preopened at "/" (fd 3)
// and a read-only directory at "/ro" (fd 4: ro.txt, sub/), and checks
// afterwards that the guest left the scratch directory empty and the
// read-only directory as it was.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "tests/unit/test_tier.h"
#include "wasi/jail.h"
#include "wasmrt/wasi.h"
#include "wasmrt/wasmrt.h"

namespace wasmrt {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

class Tree {
 public:
  Tree() {
    char pattern[] = "/tmp/wasmrt-wasi-rights-XXXXXX";
    const char* made = mkdtemp(pattern);
    if (!made) {
      ADD_FAILURE() << "mkdtemp failed";
      return;
    }
    root_ = fs::canonical(made);
    fs::create_directories(root_ / "scratch");
    fs::create_directories(root_ / "ro" / "sub");
    std::ofstream(root_ / "ro" / "ro.txt") << "read only\n";
  }
  ~Tree() {
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }
  fs::path scratch() const { return root_ / "scratch"; }
  fs::path ro() const { return root_ / "ro"; }

 private:
  fs::path root_;
};

struct GuestRun {
  int32_t exit_code = -1;
  std::string error, out;
};

GuestRun run_guest(const std::string& name, const Tree& tree) {
  GuestRun run;
#if defined(WASMRT_WASI_GUEST_DIR)
  std::string bytes = read_file(std::string(WASMRT_WASI_GUEST_DIR) + "/" + name + ".wasm");
  if (bytes.empty()) {
    run.error = "cannot read guest " + name + ".wasm from " WASMRT_WASI_GUEST_DIR;
    return run;
  }
  auto module =
      test_engine().compile(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  if (!module.ok()) {
    run.error = module.error().to_string();
    return run;
  }
  auto out = std::make_shared<std::string>();
  WasiConfig config;
  config.args = {name};
  config.dirs = {{tree.scratch().string(), "/", false}, {tree.ro().string(), "/ro", true}};
  config.stdout_stream = WasiStdio::memory(out);
  config.stderr_stream = WasiStdio::memory(out);
  auto wasi = Wasi::create(std::move(config));
  if (!wasi.ok()) {
    run.error = wasi.error().to_string();
    return run;
  }
  Store store;
  store.set_timeout(std::chrono::seconds(120));
  Linker linker;
  (*wasi)->define(linker);
  auto instance = linker.instantiate(store, *module);
  if (!instance.ok()) {
    run.error = instance.error().to_string();
    return run;
  }
  auto result = instance->call("_start", {});
  if (result.ok()) {
    run.exit_code = 0;
  } else if (result.error().phase == Phase::Exit) {
    run.exit_code = result.error().exit_code;
  } else {
    run.error = result.error().to_string();
  }
  run.out = *out;
#else
  (void)name;
  (void)tree;
  run.error = "the guests of tests/wasi were not built: no working clang --target=wasm32-wasi at configure time";
#endif
  return run;
}

class WasiFidelity : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override { wasi_detail::jail_force_fallback_for_testing(GetParam()); }
  void TearDown() override { wasi_detail::jail_force_fallback_for_testing(false); }

  void run_and_check(const std::string& guest) {
    Tree tree;
    GuestRun run = run_guest(guest, tree);
    ASSERT_EQ(run.error, "") << run.out;
    EXPECT_EQ(run.exit_code, 0) << run.out;
    EXPECT_NE(run.out.find(guest + ": "), std::string::npos) << run.out;
    EXPECT_TRUE(fs::is_empty(tree.scratch())) << guest << " left files in its scratch directory";
    EXPECT_EQ(read_file(tree.ro() / "ro.txt"), "read only\n");
    size_t entries = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(tree.ro())) ++entries;
    EXPECT_EQ(entries, 2u) << "the read-only directory changed";
    EXPECT_TRUE(fs::is_empty(tree.ro() / "sub"));
  }
};

// Rights: what each descriptor reports, path_open's narrowing, shrinking
// only, and ENOTCAPABLE from every function for each right it needs.
TEST_P(WasiFidelity, Rights) { run_and_check("rights"); }

// Directories have no position and never open for writing; trailing
// slashes on new names; the preopen's "." reopens with its own rights.
TEST_P(WasiFidelity, DirectoryAndPathSemantics) { run_and_check("paths"); }

INSTANTIATE_TEST_SUITE_P(Resolution, WasiFidelity, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "FallbackWalk" : "Openat2";
                         });

}  // namespace
}  // namespace wasmrt
