// WASI filesystem: fd_* and path_* driven from a WAT guest inside a temp
// directory, escape attempts out of the preopen jail (with openat2 and
// with the portable fallback walk), and host descriptor leak checks.
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tests/unit/test_tier.h"
#include "wasi/jail.h"
#include "wasmrt/wasi.h"
#include "wasmrt/wasmrt.h"

namespace wasmrt {
namespace {

namespace fs = std::filesystem;

// WASI errno values (typenames.witx).
constexpr int32_t kSuccess = 0, kAgain = 6, kBadf = 8, kExist = 20, kInval = 28, kIsDir = 31, kNoEnt = 44,
                  kNotDir = 54, kNotEmpty = 55, kXdev = 75, kNotCapable = 76;
// filetype
constexpr uint8_t kCharDevice = 2, kDirectory = 3, kRegularFile = 4, kSymlink = 7;
// oflags, fdflags, lookupflags, rights
constexpr uint32_t kCreat = 1, kODirectory = 2, kExcl = 4, kTrunc = 8;
constexpr uint32_t kAppend = 1, kNonblock = 4;
constexpr uint32_t kFollow = 1;
constexpr uint64_t kRightRead = 1u << 1, kRightWrite = 1u << 6, kRightReaddir = 1u << 14;
constexpr uint64_t kRightsRW = 0x1FFFFFFF;  // low 32 bits as Go passes them
constexpr uint64_t kRightsRO = kRightsRW & ~kRightWrite;
// Every right a regular file can use: datasync, read, seek, fdstat_set_flags,
// sync, tell, write, advise, allocate, filestat_get/set_size/set_times, poll.
constexpr uint64_t kFileRights = 0x1FF | (uint64_t{7} << 21) | (uint64_t{1} << 27);

// The functions under test, as (name, wasm params: i = i32, I = i64).
const std::vector<std::pair<std::string, std::string>> kFunctions = {
    {"fd_advise", "iIIi"},
    {"fd_allocate", "iII"},
    {"fd_close", "i"},
    {"fd_datasync", "i"},
    {"fd_fdstat_get", "ii"},
    {"fd_fdstat_set_flags", "ii"},
    {"fd_fdstat_set_rights", "iII"},
    {"fd_filestat_get", "ii"},
    {"fd_filestat_set_size", "iI"},
    {"fd_filestat_set_times", "iIIi"},
    {"fd_pread", "iiiIi"},
    {"fd_prestat_get", "ii"},
    {"fd_prestat_dir_name", "iii"},
    {"fd_pwrite", "iiiIi"},
    {"fd_read", "iiii"},
    {"fd_readdir", "iiiIi"},
    {"fd_renumber", "ii"},
    {"fd_seek", "iIii"},
    {"fd_sync", "i"},
    {"fd_tell", "ii"},
    {"fd_write", "iiii"},
    {"path_create_directory", "iii"},
    {"path_filestat_get", "iiiii"},
    {"path_filestat_set_times", "iiiiIIi"},
    {"path_link", "iiiiiii"},
    {"path_open", "iiiiiIIii"},
    {"path_readlink", "iiiiii"},
    {"path_remove_directory", "iii"},
    {"path_rename", "iiiiii"},
    {"path_symlink", "iiiii"},
    {"path_unlink_file", "iii"},
};

// A guest importing each function and exporting a wrapper that calls it,
// so every call comes from guest code and sees the guest's memory.
std::string guest_text() {
  std::ostringstream wat;
  wat << "(module\n";
  for (const auto& [name, params] : kFunctions) {
    wat << "  (import \"wasi_snapshot_preview1\" \"" << name << "\" (func $" << name << " (param";
    for (char p : params) wat << (p == 'I' ? " i64" : " i32");
    wat << ") (result i32)))\n";
  }
  wat << "  (memory (export \"memory\") 2)\n";
  for (const auto& [name, params] : kFunctions) {
    wat << "  (func (export \"" << name << "\") (param";
    for (char p : params) wat << (p == 'I' ? " i64" : " i32");
    wat << ") (result i32) (call $" << name;
    for (size_t i = 0; i < params.size(); ++i) wat << " (local.get " << i << ")";
    wat << "))\n";
  }
  wat << ")\n";
  return wat.str();
}

// Scratch areas in guest memory.
constexpr uint32_t kPath = 0x100, kPath2 = 0x1200, kIov = 0x2400, kOut = 0x2500, kData = 0x3000,
                   kDirBuf = 0x8000;

Value i32(int64_t v) {
  return Value::i32(static_cast<int32_t>(v));
}
Value i64(uint64_t v) {
  return Value::i64(static_cast<int64_t>(v));
}

class Guest {
 public:
  explicit Guest(WasiConfig config) {
    auto wasi = Wasi::create(std::move(config));
    if (!wasi.ok()) {
      ADD_FAILURE() << wasi.error().to_string();
      return;
    }
    wasi_ = *wasi;
    Linker linker;
    wasi_->define(linker);
    std::string text = guest_text();
    auto module = test_engine().compile(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
    if (!module.ok()) {
      ADD_FAILURE() << module.error().to_string();
      return;
    }
    auto instance = linker.instantiate(store_, *module);
    if (!instance.ok()) {
      ADD_FAILURE() << instance.error().to_string();
      return;
    }
    instance_ = *instance;
    memory_ = *instance_.memory();
  }
  bool ready() const { return instance_.valid(); }
  Wasi& wasi() { return *wasi_; }

  int32_t call(std::string_view name, std::initializer_list<Value> args) {
    auto result = instance_.call(name, args);
    if (!result.ok()) {
      ADD_FAILURE() << name << ": " << result.error().to_string();
      return -1;
    }
    return result.value().at(0).i32();
  }
  std::span<uint8_t> bytes() { return memory_.data(); }
  template <typename T>
  T load(uint32_t address) {
    T value{};
    std::memcpy(&value, bytes().data() + address, sizeof(T));
    return value;
  }
  template <typename T>
  void store(uint32_t address, T value) {
    std::memcpy(bytes().data() + address, &value, sizeof(T));
  }
  void put(uint32_t address, std::string_view s) {
    std::memcpy(bytes().data() + address, s.data(), s.size());
  }
  std::string get(uint32_t address, size_t n) {
    return std::string(reinterpret_cast<const char*>(bytes().data() + address), n);
  }

  // ---- conveniences; each returns the errno ----
  int32_t open(uint32_t dir, std::string_view path, uint32_t oflags, uint64_t rights, uint32_t fdflags,
               uint32_t& fd, uint32_t lookup = kFollow) {
    put(kPath, path);
    store<uint32_t>(kOut, 0xFFFFFFFF);
    int32_t e = call("path_open", {i32(dir), i32(lookup), i32(kPath), i32(path.size()), i32(oflags),
                                   i64(rights), i64(rights), i32(fdflags), i32(kOut)});
    fd = load<uint32_t>(kOut);
    return e;
  }
  int32_t write(uint32_t fd, std::string_view data, uint32_t* written = nullptr) {
    put(kData, data);
    store<uint32_t>(kIov, kData);
    store<uint32_t>(kIov + 4, static_cast<uint32_t>(data.size()));
    int32_t e = call("fd_write", {i32(fd), i32(kIov), i32(1), i32(kOut)});
    if (written) *written = load<uint32_t>(kOut);
    return e;
  }
  int32_t read(uint32_t fd, size_t n, std::string& out) {
    store<uint32_t>(kIov, kData);
    store<uint32_t>(kIov + 4, static_cast<uint32_t>(n));
    int32_t e = call("fd_read", {i32(fd), i32(kIov), i32(1), i32(kOut)});
    out = e == kSuccess ? get(kData, load<uint32_t>(kOut)) : "";
    return e;
  }
  int32_t seek(uint32_t fd, int64_t offset, uint32_t whence, uint64_t& pos) {
    int32_t e = call("fd_seek", {i32(fd), Value::i64(offset), i32(whence), i32(kOut)});
    pos = load<uint64_t>(kOut);
    return e;
  }
  int32_t close(uint32_t fd) { return call("fd_close", {i32(fd)}); }
  int32_t path1(std::string_view fn, uint32_t dir, std::string_view path) {
    put(kPath, path);
    return call(fn, {i32(dir), i32(kPath), i32(path.size())});
  }
  int32_t rename(uint32_t from_dir, std::string_view from, uint32_t to_dir, std::string_view to) {
    put(kPath, from);
    put(kPath2, to);
    return call("path_rename",
                {i32(from_dir), i32(kPath), i32(from.size()), i32(to_dir), i32(kPath2), i32(to.size())});
  }
  int32_t link(uint32_t from_dir, std::string_view from, uint32_t to_dir, std::string_view to,
               uint32_t follow = 0) {
    put(kPath, from);
    put(kPath2, to);
    return call("path_link", {i32(from_dir), i32(follow), i32(kPath), i32(from.size()), i32(to_dir),
                              i32(kPath2), i32(to.size())});
  }
  int32_t symlink(std::string_view target, uint32_t dir, std::string_view path) {
    put(kPath, target);
    put(kPath2, path);
    return call("path_symlink", {i32(kPath), i32(target.size()), i32(dir), i32(kPath2), i32(path.size())});
  }
  int32_t stat_path(uint32_t dir, std::string_view path, uint32_t flags) {
    put(kPath, path);
    return call("path_filestat_get", {i32(dir), i32(flags), i32(kPath), i32(path.size()), i32(kOut)});
  }

 private:
  std::shared_ptr<Wasi> wasi_;
  Store store_;
  Instance instance_;
  Memory memory_;
};

// A fresh temp tree: root/jail (preopened), root/outside (must never be
// touched), root/other (a second preopen).
class TempTree {
 public:
  TempTree() {
    std::string tmpl = (fs::temp_directory_path() / "wasi_fs_XXXXXX").string();
    root = mkdtemp(tmpl.data());
    jail = root / "jail";
    outside = root / "outside";
    other = root / "other";
    fs::create_directories(jail);
    fs::create_directories(outside);
    fs::create_directories(other);
    write_file(outside / "secret", "top secret");
  }
  ~TempTree() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  static void write_file(const fs::path& p, std::string_view content) { std::ofstream(p) << content; }
  static std::string read_file(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  // Everything under outside/, with contents, to compare before/after.
  std::map<std::string, std::string> snapshot_outside() const {
    std::map<std::string, std::string> out;
    for (const auto& entry : fs::recursive_directory_iterator(outside)) {
      out[entry.path().string()] = entry.is_symlink() ? "link:" + fs::read_symlink(entry.path()).string()
                                   : entry.is_regular_file() ? read_file(entry.path())
                                                             : "dir";
    }
    return out;
  }
  fs::path root, jail, outside, other;
};

WasiConfig config_for(const TempTree& tree, bool other_read_only = false) {
  WasiConfig config;
  config.dirs.push_back({tree.jail.string(), "/", false});
  config.dirs.push_back({tree.other.string(), "/other", other_read_only});
  return config;
}

size_t process_fd_count() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

// ---------------------------------------------------------------- basics

TEST(WasiFs, PrestatListsPreopensThenEbadf) {
  TempTree tree;
  Guest g(config_for(tree));
  ASSERT_TRUE(g.ready());
  EXPECT_EQ(g.call("fd_prestat_get", {i32(3), i32(kOut)}), kSuccess);
  EXPECT_EQ(g.load<uint8_t>(kOut), 0);
  EXPECT_EQ(g.load<uint32_t>(kOut + 4), 1u);
  EXPECT_EQ(g.call("fd_prestat_dir_name", {i32(3), i32(kPath), i32(1)}), kSuccess);
  EXPECT_EQ(g.get(kPath, 1), "/");
  EXPECT_EQ(g.call("fd_prestat_get", {i32(4), i32(kOut)}), kSuccess);
  EXPECT_EQ(g.load<uint32_t>(kOut + 4), 6u);
  EXPECT_EQ(g.call("fd_prestat_dir_name", {i32(4), i32(kPath), i32(6)}), kSuccess);
  EXPECT_EQ(g.get(kPath, 6), "/other");
  EXPECT_EQ(g.call("fd_prestat_get", {i32(5), i32(kOut)}), kBadf);
  EXPECT_EQ(g.call("fd_prestat_get", {i32(1), i32(kOut)}), kBadf);  // stdio is no preopen
  // A regular file at the next number is not a preopen either.
  uint32_t fd = 0;
  ASSERT_EQ(g.open(3, "f", kCreat, kRightsRW, 0, fd), kSuccess);
  EXPECT_EQ(fd, 5u);
  EXPECT_EQ(g.call("fd_prestat_get", {i32(fd), i32(kOut)}), kBadf);
}

TEST(WasiFs, CreateWriteSeekReadStatTruncate) {
  TempTree tree;
  Guest g(config_for(tree));
  ASSERT_TRUE(g.ready());
  uint32_t fd = 0;
  ASSERT_EQ(g.open(3, "hello.txt", kCreat | kExcl, kRightsRW, 0, fd), kSuccess);
  uint32_t written = 0;
  ASSERT_EQ(g.write(fd, "hello, world", &written), kSuccess);
  EXPECT_EQ(written, 12u);
  EXPECT_EQ(TempTree::read_file(tree.jail / "hello.txt"), "hello, world");
  uint64_t pos = 0;
  ASSERT_EQ(g.call("fd_tell", {i32(fd), i32(kOut)}), kSuccess);
  EXPECT_EQ(g.load<uint64_t>(kOut), 12u);
  ASSERT_EQ(g.seek(fd, 7, 0, pos), kSuccess);
  EXPECT_EQ(pos, 7u);
  std::string data;
  ASSERT_EQ(g.read(fd, 100, data), kSuccess);
  EXPECT_EQ(data, "world");
  ASSERT_EQ(g.read(fd, 100, data), kSuccess);
  EXPECT_EQ(data, "");  // end of file
  ASSERT_EQ(g.seek(fd, -5, 2, pos), kSuccess);
  EXPECT_EQ(pos, 7u);
  EXPECT_EQ(g.seek(fd, 0, 7, pos), kInval);

  // Two iovecs at once, then pread/pwrite leave the position alone.
  g.put(kData, "ab");
  g.put(kData + 16, "cd");
  g.store<uint32_t>(kIov, kData);
  g.store<uint32_t>(kIov + 4, 2);
  g.store<uint32_t>(kIov + 8, kData + 16);
  g.store<uint32_t>(kIov + 12, 2);
  ASSERT_EQ(g.call("fd_pwrite", {i32(fd), i32(kIov), i32(2), i64(0), i32(kOut)}), kSuccess);
  EXPECT_EQ(g.load<uint32_t>(kOut), 4u);
  g.store<uint32_t>(kIov + 4, 3);
  ASSERT_EQ(g.call("fd_pread", {i32(fd), i32(kIov), i32(1), i64(2), i32(kOut)}), kSuccess);
  EXPECT_EQ(g.get(kData, 3), "cdo");
  ASSERT_EQ(g.call("fd_tell", {i32(fd), i32(kOut)}), kSuccess);
  EXPECT_EQ(g.load<uint64_t>(kOut), 7u);
  EXPECT_EQ(TempTree::read_file(tree.jail / "hello.txt"), "abcdo, world");

  // fdstat: 24 bytes, filetype @0, flags @2, rights @8 and @16.
  std::memset(g.bytes().data() + kOut, 0xEE, 24);
  ASSERT_EQ(g.call("fd_fdstat_get", {i32(fd), i32(kOut)}), kSuccess);
  EXPECT_EQ(g.load<uint8_t>(kOut), kRegularFile);
  EXPECT_EQ(g.load<uint16_t>(kOut + 2), 0);
  // Rights: what was asked, narrowed to what a regular file can use
  // (wasi/rights.h); a file opens nothing, so it inherits nothing.
  EXPECT_EQ(g.load<uint64_t>(kOut + 8), kRightsRW & kFileRights);
  EXPECT_EQ(g.load<uint64_t>(kOut + 16), 0u);

  // filestat: 64 bytes.
  ASSERT_EQ(g.call("fd_filestat_get", {i32(fd), i32(kOut)}), kSuccess);
  struct stat st {};
  ASSERT_EQ(stat((tree.jail / "hello.txt").c_str(), &st), 0);
  EXPECT_EQ(g.load<uint64_t>(kOut), static_cast<uint64_t>(st.st_dev));
  EXPECT_EQ(g.load<uint64_t>(kOut + 8), static_cast<uint64_t>(st.st_ino));
  EXPECT_EQ(g.load<uint8_t>(kOut + 16), kRegularFile);
  EXPECT_EQ(g.load<uint64_t>(kOut + 24), 1u);
  EXPECT_EQ(g.load<uint64_t>(kOut + 32), 12u);

  ASSERT_EQ(g.call("fd_filestat_set_size", {i32(fd), i64(5)}), kSuccess);
  EXPECT_EQ(TempTree::read_file(tree.jail / "hello.txt"), "abcdo");
  ASSERT_EQ(g.call("fd_filestat_set_times",
                   {i32(fd), i64(1'000'000'000ull * 1000), i64(2'000'000'000ull * 1000), i32(1 | 4)}),
            kSuccess);
  ASSERT_EQ(stat((tree.jail / "hello.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_atim.tv_sec, 1000);
  EXPECT_EQ(st.st_mtim.tv_sec, 2000);
  EXPECT_EQ(g.call("fd_filestat_set_times", {i32(fd), i64(0), i64(0), i32(1 | 2)}), kInval);
  EXPECT_EQ(g.call("fd_allocate", {i32(fd), i64(0), i64(100)}), kSuccess);
  EXPECT_EQ(fs::file_size(tree.jail / "hello.txt"), 100u);
  EXPECT_EQ(g.call("fd_advise", {i32(fd), i64(0), i64(0), i32(1)}), kSuccess);
  EXPECT_EQ(g.call("fd_sync", {i32(fd)}), kSuccess);
  EXPECT_EQ(g.call("fd_datasync", {i32(fd)}), kSuccess);
  EXPECT_EQ(g.close(fd), kSuccess);
  EXPECT_EQ(g.close(fd), kBadf);

  // Exclusive create of an existing file; TRUNC empties it.
  EXPECT_EQ(g.open(3, "hello.txt", kCreat | kExcl, kRightsRW, 0, fd), kExist);
  ASSERT_EQ(g.open(3, "hello.txt", kTrunc, kRightsRW, 0, fd), kSuccess);
  EXPECT_EQ(fs::file_size(tree.jail / "hello.txt"), 0u);
  EXPECT_EQ(g.close(fd), kSuccess);
  EXPECT_EQ(g.open(3, "missing", 0, kRightsRO, 0, fd), kNoEnt);
}

TEST(WasiFs, AppendFlagAndReadOnlyRights) {
  TempTree tree;
  TempTree::write_file(tree.jail / "log", "one\n");
  Guest g(config_for(tree));
  ASSERT_TRUE(g.ready());
  uint32_t fd = 0;
  ASSERT_EQ(g.open(3, "log", 0, kRightsRW, kAppend, fd), kSuccess);
  ASSERT_EQ(g.write(fd, "two\n"), kSuccess);
  ASSERT_EQ(g.call("fd_fdstat_get", {i32(fd), i32(kOut)}), kSuccess);
  EXPECT_EQ(g.load<uint16_t>(kOut + 2) & kAppend, kAppend);
  // Turning APPEND off makes writes land at the position again.
  ASSERT_EQ(g.call("fd_fdstat_set_flags", {i32(fd), i32(0)}), kSuccess);
  uint64_t pos = 0;
  ASSERT_EQ(g.seek(fd, 0, 0, pos), kSuccess);
  ASSERT_EQ(g.write(fd, "ONE"), kSuccess);
  EXPECT_EQ(TempTree::read_file(tree.jail / "log"), "ONE\ntwo\n");
  EXPECT_EQ(g.close(fd), kSuccess);

  // Opened for reading only (Go's O_RDONLY rights): writes are refused.
  ASSERT_EQ(g.open(3, "log", 0, kRightsRO, 0, fd), kSuccess);
  EXPECT_NE(g.write(fd, "x"), kSuccess);
  EXPECT_EQ(TempTree::read_file(tree.jail / "log"), "ONE\ntwo\n");
  // Rights only shrink.
  EXPECT_EQ(g.call("fd_fdstat_set_rights", {i32(fd), i64(kRightRead), i64(0)}), kSuccess);
  EXPECT_EQ(g.call("fd_fdstat_set_rights", {i32(fd), i64(kRightRead | kRightWrite), i64(0)}), kNotCapable);
}

TEST(WasiFs, DirectoriesRenameLinkSymlinkUnlink) {
  TempTree tree;
  Guest g(config_for(tree));
  ASSERT_TRUE(g.ready());
  EXPECT_EQ(g.path1("path_create_directory", 3, "d"), kSuccess);
  EXPECT_TRUE(fs::is_directory(tree.jail / "d"));
  EXPECT_EQ(g.path1("path_create_directory", 3, "d"), kExist);
  EXPECT_EQ(g.path1("path_create_directory", 3, "d/e/"), kSuccess);
  EXPECT_TRUE(fs::is_directory(tree.jail / "d/e"));
  EXPECT_EQ(g.path1("path_remove_directory", 3, "d"), kNotEmpty);

  uint32_t fd = 0;
  ASSERT_EQ(g.open(3, "d/e/f", kCreat, kRightsRW, 0, fd), kSuccess);
  ASSERT_EQ(g.write(fd, "data"), kSuccess);
  ASSERT_EQ(g.close(fd), kSuccess);

  // Opening a directory: Go first asks with file rights (EISDIR if they
  // include writing), then retries with O_DIRECTORY.
  EXPECT_EQ(g.open(3, "d", 0, kRightsRW, 0, fd), kIsDir);
  ASSERT_EQ(g.open(3, "d", 0, kRightsRO, 0, fd), kSuccess);
  ASSERT_EQ(g.call("fd_fdstat_get", {i32(fd), i32(kOut)}), kSuccess);
  EXPECT_EQ(g.load<uint8_t>(kOut), kDirectory);
  ASSERT_EQ(g.close(fd), kSuccess);
  uint32_t dir_fd = 0;
  ASSERT_EQ(g.open(3, "d", kODirectory, kRightsRO, 0, dir_fd), kSuccess);
  // Paths relative to an opened directory.
  EXPECT_EQ(g.stat_path(dir_fd, "e/f", 0), kSuccess);
  EXPECT_EQ(g.load<uint64_t>(kOut + 32), 4u);
  EXPECT_EQ(g.open(3, "d/e/f", kODirectory, kRightsRO, 0, fd), kNotDir);
  std::string data;
  EXPECT_EQ(g.read(dir_fd, 10, data), kIsDir);
  EXPECT_EQ(g.write(dir_fd, "x"), kIsDir);

  EXPECT_EQ(g.rename(3, "d/e/f", 3, "g"), kSuccess);
  EXPECT_EQ(TempTree::read_file(tree.jail / "g"), "data");
  EXPECT_EQ(g.link(3, "g", 3, "d/hard"), kSuccess);
  EXPECT_EQ(fs::hard_link_count(tree.jail / "g"), 2u);

  EXPECT_EQ(g.symlink("../g", 3, "d/sym"), kSuccess);
  EXPECT_EQ(fs::read_symlink(tree.jail / "d/sym"), "../g");
  g.put(kPath, "d/sym");
  ASSERT_EQ(g.call("path_readlink", {i32(3), i32(kPath), i32(5), i32(kData), i32(64), i32(kOut)}), kSuccess);
  EXPECT_EQ(g.get(kData, g.load<uint32_t>(kOut)), "../g");
  // A too-small buffer truncates (Go grows its buffer and asks again).
  ASSERT_EQ(g.call("path_readlink", {i32(3), i32(kPath), i32(5), i32(kData), i32(2), i32(kOut)}), kSuccess);
  EXPECT_EQ(g.load<uint32_t>(kOut), 2u);
  EXPECT_EQ(g.stat_path(3, "d/sym", 0), kSuccess);
  EXPECT_EQ(g.load<uint8_t>(kOut + 16), kSymlink);
  EXPECT_EQ(g.stat_path(3, "d/sym", kFollow), kSuccess);
  EXPECT_EQ(g.load<uint8_t>(kOut + 16), kRegularFile);
  ASSERT_EQ(g.open(3, "d/sym", 0, kRightsRO, 0, fd), kSuccess);
  ASSERT_EQ(g.read(fd, 10, data), kSuccess);
  EXPECT_EQ(data, "data");
  EXPECT_NE(g.open(3, "d/sym", 0, kRightsRO, 0, fd, /*lookup=*/0), kSuccess);  // NOFOLLOW
  EXPECT_EQ(g.link(3, "d/sym", 3, "via_link", kFollow), kSuccess);
  EXPECT_EQ(fs::hard_link_count(tree.jail / "g"), 3u);

  g.put(kPath, "g");
  EXPECT_EQ(g.call("path_filestat_set_times", {i32(3), i32(kFollow), i32(kPath), i32(1),
                                               i64(5'000'000'000ull), i64(6'000'000'000ull), i32(1 | 4)}),
            kSuccess);
  struct stat st {};
  ASSERT_EQ(stat((tree.jail / "g").c_str(), &st), 0);
  EXPECT_EQ(st.st_mtim.tv_sec, 6);

  EXPECT_EQ(g.path1("path_unlink_file", 3, "d/sym"), kSuccess);
  EXPECT_EQ(g.path1("path_unlink_file", 3, "d/e"), kIsDir);
  EXPECT_EQ(g.path1("path_unlink_file", 3, "g/"), kNotDir);
  EXPECT_EQ(g.path1("path_unlink_file", 3, "g"), kSuccess);
  EXPECT_EQ(g.path1("path_unlink_file", 3, "d/hard"), kSuccess);
  EXPECT_EQ(g.path1("path_unlink_file", 3, "via_link"), kSuccess);
  EXPECT_EQ(g.path1("path_remove_directory", 3, "d/e"), kSuccess);
  EXPECT_EQ(g.path1("path_remove_directory", 3, "d"), kSuccess);
  EXPECT_EQ(g.path1("path_remove_directory", 3, "."), kInval);
  EXPECT_TRUE(fs::is_empty(tree.jail));
}

TEST(WasiFs, ReaddirOfTwoThousandEntriesWithSmallBuffer) {
  TempTree tree;
  std::set<std::string> expected = {".", ".."};
  for (int i = 0; i < 2000; ++i) {
    std::string name = "entry_" + std::to_string(i) + (i % 7 == 0 ? "_with_a_longer_name" : "");
    TempTree::write_file(tree.jail / name, "");
    expected.insert(name);
  }
  Guest g(config_for(tree));
  ASSERT_TRUE(g.ready());
  uint32_t dir = 0;
  ASSERT_EQ(g.open(3, ".", kODirectory, kRightRead | kRightReaddir, 0, dir), kSuccess);

  // Like Go: parse complete entries, resume at the last complete d_next.
  constexpr uint32_t kBufLen = 128;
  std::multiset<std::string> seen;
  uint64_t cookie = 0;
  int calls = 0;
  for (;;) {
    ASSERT_LT(++calls, 10000);
    ASSERT_EQ(g.call("fd_readdir", {i32(dir), i32(kDirBuf), i32(kBufLen), i64(cookie), i32(kOut)}), kSuccess);
    uint32_t used = g.load<uint32_t>(kOut);
    ASSERT_LE(used, kBufLen);
    uint32_t at = 0;
    bool progressed = false;
    while (at + 24 <= used) {
      uint64_t next = g.load<uint64_t>(kDirBuf + at);
      uint32_t namlen = g.load<uint32_t>(kDirBuf + at + 16);
      uint8_t type = g.load<uint8_t>(kDirBuf + at + 20);
      if (at + 24 + namlen > used) break;  // partial: trimmed
      std::string name = g.get(kDirBuf + at + 24, namlen);
      EXPECT_EQ(type, name == "." || name == ".." ? kDirectory : kRegularFile) << name;
      seen.insert(name);
      cookie = next;
      progressed = true;
      at += 24 + namlen;
    }
    if (used < kBufLen) break;  // end of directory
    ASSERT_TRUE(progressed);
  }
  EXPECT_EQ(seen.size(), expected.size());
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), expected);
  // Cookie 0 starts over.
  ASSERT_EQ(g.call("fd_readdir", {i32(dir), i32(kDirBuf), i32(kBufLen), i64(0), i32(kOut)}), kSuccess);
  EXPECT_EQ(g.load<uint32_t>(kOut), kBufLen);
  // A cookie past the end gives nothing.
  ASSERT_EQ(g.call("fd_readdir", {i32(dir), i32(kDirBuf), i32(kBufLen), i64(5000), i32(kOut)}), kSuccess);
  EXPECT_EQ(g.load<uint32_t>(kOut), 0u);
  EXPECT_EQ(g.call("fd_readdir", {i32(dir), i32(0xFFFFFF00), i32(kBufLen), i64(0), i32(kOut)}),
            21);  // EFAULT
}

TEST(WasiFs, StdioKindsAndEmulatedNonblock) {
  auto in = std::make_shared<std::string>("input!");
  auto out = std::make_shared<std::string>();
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  WasiConfig config;
  config.stdin_stream = WasiStdio::memory(in);
  config.stdout_stream = WasiStdio::memory(out);
  config.stderr_stream = WasiStdio::host_fd_of(pipe_fds[0]);  // a read end, to test EAGAIN
  Guest g(config);
  ASSERT_TRUE(g.ready());
  std::string data;
  ASSERT_EQ(g.read(0, 3, data), kSuccess);
  EXPECT_EQ(data, "inp");
  ASSERT_EQ(g.read(0, 10, data), kSuccess);
  EXPECT_EQ(data, "ut!");
  ASSERT_EQ(g.read(0, 10, data), kSuccess);
  EXPECT_EQ(data, "");
  ASSERT_EQ(g.write(1, "out"), kSuccess);
  EXPECT_EQ(*out, "out");
  EXPECT_EQ(g.write(0, "x"), kBadf);
  EXPECT_EQ(g.read(1, 1, data), kBadf);

  // Go's init: fdstat_get, then set NONBLOCK, then read it back.
  for (uint32_t fd = 0; fd < 3; ++fd) {
    ASSERT_EQ(g.call("fd_fdstat_get", {i32(fd), i32(kOut)}), kSuccess);
    uint16_t flags = g.load<uint16_t>(kOut + 2);
    ASSERT_EQ(g.call("fd_fdstat_set_flags", {i32(fd), i32(flags | kNonblock)}), kSuccess);
    ASSERT_EQ(g.call("fd_fdstat_get", {i32(fd), i32(kOut)}), kSuccess);
    EXPECT_EQ(g.load<uint16_t>(kOut + 2) & kNonblock, kNonblock) << fd;
  }
  EXPECT_EQ(g.load<uint8_t>(kOut), 0) << "a pipe has no WASI filetype";
  // An empty pipe in non-blocking mode: EAGAIN, never 0 bytes (EOF).
  EXPECT_EQ(g.read(2, 10, data), kAgain);
  // The host fd itself stays blocking (it may be shared with the host).
  EXPECT_EQ(fcntl(pipe_fds[0], F_GETFL) & O_NONBLOCK, 0);
  ASSERT_EQ(::write(pipe_fds[1], "late", 4), 4);
  ASSERT_EQ(g.read(2, 10, data), kSuccess);
  EXPECT_EQ(data, "late");
  // Blocking mode again: the data is there, the read returns it.
  ASSERT_EQ(g.call("fd_fdstat_set_flags", {i32(2), i32(0)}), kSuccess);
  ASSERT_EQ(::write(pipe_fds[1], "more", 4), 4);
  ASSERT_EQ(g.read(2, 10, data), kSuccess);
  EXPECT_EQ(data, "more");
  ::close(pipe_fds[1]);
  ASSERT_EQ(g.read(2, 10, data), kSuccess);
  EXPECT_EQ(data, "");  // EOF after the writer closed
  ::close(pipe_fds[0]);

  // A memory stream is a pipe to the embedder: no WASI filetype, like a
  // host pipe, so that it is never taken for a terminal.
  EXPECT_EQ(g.call("fd_fdstat_get", {i32(0), i32(kOut)}), kSuccess);
  EXPECT_EQ(g.load<uint8_t>(kOut), 0);
  EXPECT_EQ(g.call("fd_filestat_get", {i32(1), i32(kOut)}), kSuccess);
  EXPECT_EQ(g.load<uint8_t>(kOut + 16), 0);
  uint64_t pos = 0;
  EXPECT_EQ(g.seek(1, 0, 0, pos), 70);  // ESPIPE
  // Bad guest pointers are EFAULT, never a trap.
  EXPECT_EQ(g.call("fd_write", {i32(1), i32(0xFFFFFFF0), i32(1), i32(kOut)}), 21);
  g.store<uint32_t>(kIov, 0xFFFFFF00);
  g.store<uint32_t>(kIov + 4, 0x1000);
  EXPECT_EQ(g.call("fd_write", {i32(1), i32(kIov), i32(1), i32(kOut)}), 21);
}

// wasi-libc's isatty() (and the terminal checks built on fd_fdstat_get)
// take a character device without FD_SEEK and FD_TELL for a terminal.
// /dev/null and the null stream are devices but not terminals: they have a
// position, as lseek(2) has on the host. A real terminal keeps none.
TEST(WasiFs, NullDevicesHaveAPositionAndAreNotTerminals) {
  constexpr uint64_t kSeekTell = (uint64_t{1} << 2) | (uint64_t{1} << 5);
  const int dev_null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  ASSERT_GE(dev_null, 0);
  const int terminal = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);  // -1 where ptys are unavailable
  WasiConfig config;
  config.stdin_stream = WasiStdio::null();
  config.stdout_stream = WasiStdio::host_fd_of(dev_null);
  if (terminal >= 0) config.stderr_stream = WasiStdio::host_fd_of(terminal);
  Guest g(config);
  ::close(dev_null);
  if (terminal >= 0) ::close(terminal);
  ASSERT_TRUE(g.ready());
  for (uint32_t fd : {0u, 1u}) {
    ASSERT_EQ(g.call("fd_fdstat_get", {i32(fd), i32(kOut)}), kSuccess) << fd;
    EXPECT_EQ(g.load<uint8_t>(kOut), kCharDevice) << fd;
    EXPECT_EQ(g.load<uint64_t>(kOut + 8) & kSeekTell, kSeekTell) << fd;
    uint64_t pos = 99;
    EXPECT_EQ(g.seek(fd, 0, 1, pos), kSuccess) << fd;
    EXPECT_EQ(pos, 0u) << fd;
    EXPECT_EQ(g.seek(fd, 0, 7, pos), kInval) << fd;
    ASSERT_EQ(g.call("fd_filestat_get", {i32(fd), i32(kOut)}), kSuccess) << fd;
    EXPECT_EQ(g.load<uint8_t>(kOut + 16), kCharDevice) << fd;
  }
  EXPECT_EQ(g.write(1, "discarded"), kSuccess);
  // Dropping the rights makes it look like a terminal again, as asked.
  ASSERT_EQ(g.call("fd_fdstat_set_rights", {i32(0), Value::i64(0), Value::i64(0)}), kSuccess);
  uint64_t pos = 0;
  EXPECT_EQ(g.seek(0, 0, 1, pos), 76);  // ENOTCAPABLE
  if (terminal >= 0) {
    ASSERT_EQ(g.call("fd_fdstat_get", {i32(2), i32(kOut)}), kSuccess);
    EXPECT_EQ(g.load<uint8_t>(kOut), kCharDevice);
    EXPECT_EQ(g.load<uint64_t>(kOut + 8) & kSeekTell, 0u) << "a terminal has no position";
    EXPECT_EQ(g.seek(2, 0, 1, pos), 70);  // ESPIPE
  }
}

TEST(WasiFs, RenumberMovesDescriptor) {
  TempTree tree;
  Guest g(config_for(tree));
  ASSERT_TRUE(g.ready());
  uint32_t a = 0, b = 0;
  ASSERT_EQ(g.open(3, "a", kCreat, kRightsRW, 0, a), kSuccess);
  ASSERT_EQ(g.open(3, "b", kCreat, kRightsRW, 0, b), kSuccess);
  ASSERT_EQ(g.call("fd_renumber", {i32(a), i32(b)}), kSuccess);
  ASSERT_EQ(g.write(b, "to a"), kSuccess);
  EXPECT_EQ(TempTree::read_file(tree.jail / "a"), "to a");
  EXPECT_EQ(g.close(a), kBadf);
  EXPECT_EQ(g.close(b), kSuccess);
}

// ---------------------------------------------------------------- escapes

class WasiJail : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override { wasi_detail::jail_force_fallback_for_testing(GetParam()); }
  void TearDown() override { wasi_detail::jail_force_fallback_for_testing(false); }
};

TEST_P(WasiJail, EscapeAttemptsFailAndLeaveHostFilesAlone) {
  TempTree tree;
  TempTree::write_file(tree.jail / "inside", "in");
  fs::create_directories(tree.jail / "a/b");
  fs::create_symlink("../outside", tree.jail / "out");             // relative, points out
  fs::create_symlink(tree.outside / "secret", tree.jail / "abs");  // absolute
  fs::create_symlink("c2", tree.jail / "c1");                      // chain: c1 -> c2 -> a/../../outside
  fs::create_symlink("a/../../outside", tree.jail / "c2");
  fs::create_symlink("a/b/../../inside", tree.jail / "ok_link");  // stays inside: allowed
  const auto before = tree.snapshot_outside();
  Guest g(config_for(tree));
  ASSERT_TRUE(g.ready());
  uint32_t fd = 0;
  const uint32_t creat = kCreat | kTrunc;

  // 1. `..` out of the root, directly and after descending.
  EXPECT_NE(g.open(3, "../outside/secret", 0, kRightsRO, 0, fd), kSuccess);
  EXPECT_NE(g.open(3, "a/b/../../../outside/secret", creat, kRightsRW, 0, fd), kSuccess);
  // 2. Absolute paths.
  EXPECT_EQ(g.open(3, (tree.outside / "secret").string(), 0, kRightsRO, 0, fd), kNotCapable);
  EXPECT_EQ(g.open(3, "/etc/passwd", 0, kRightsRO, 0, fd), kNotCapable);
  // 3. A symlink in the jail pointing out (relative and absolute).
  EXPECT_NE(g.open(3, "out/secret", 0, kRightsRO, 0, fd), kSuccess);
  EXPECT_NE(g.open(3, "out/new", creat, kRightsRW, 0, fd), kSuccess);
  EXPECT_NE(g.open(3, "abs", 0, kRightsRO, 0, fd), kSuccess);
  EXPECT_NE(g.open(3, "abs", creat, kRightsRW, 0, fd), kSuccess);
  EXPECT_NE(g.stat_path(3, "out/secret", kFollow), kSuccess);
  // 4. A chain of symlinks leading out.
  EXPECT_NE(g.open(3, "c1/secret", 0, kRightsRO, 0, fd), kSuccess);
  EXPECT_NE(g.path1("path_create_directory", 3, "c1/newdir"), kSuccess);
  // 5. Guest-created symlinks pointing out: refused (absolute) or never followed.
  EXPECT_NE(g.symlink("/etc", 3, "etc_link"), kSuccess);
  EXPECT_FALSE(fs::exists(fs::symlink_status(tree.jail / "etc_link")));
  EXPECT_EQ(g.symlink("../outside", 3, "guest_out"), kSuccess);
  EXPECT_NE(g.open(3, "guest_out/secret", creat, kRightsRW, 0, fd), kSuccess);
  EXPECT_NE(g.path1("path_unlink_file", 3, "guest_out/secret"), kSuccess);
  // 6. Hard links to outside files, directly or through a symlink.
  EXPECT_NE(g.link(3, "../outside/secret", 3, "stolen"), kSuccess);
  EXPECT_NE(g.link(3, "out/secret", 3, "stolen"), kSuccess);
  EXPECT_NE(g.link(3, "abs", 3, "stolen", kFollow), kSuccess);
  EXPECT_NE(g.link(3, "inside", 3, "../outside/planted"), kSuccess);
  EXPECT_FALSE(fs::exists(tree.jail / "stolen"));
  // 7. Renames out of, or into, the jail.
  EXPECT_NE(g.rename(3, "inside", 3, "../outside/moved"), kSuccess);
  EXPECT_NE(g.rename(3, "inside", 3, "out/moved"), kSuccess);
  EXPECT_NE(g.rename(3, "../outside/secret", 3, "taken"), kSuccess);
  EXPECT_NE(g.rename(3, "out/secret", 3, "taken"), kSuccess);
  // 8. Renames and links across two preopens.
  TempTree::write_file(tree.other / "o", "other");
  EXPECT_EQ(g.rename(3, "inside", 4, "moved"), kXdev);
  EXPECT_EQ(g.rename(4, "o", 3, "moved"), kXdev);
  EXPECT_EQ(g.link(4, "o", 3, "linked"), kXdev);
  EXPECT_TRUE(fs::exists(tree.jail / "inside"));
  EXPECT_TRUE(fs::exists(tree.other / "o"));
  // 9. NUL bytes in paths (the host would cut the path there).
  EXPECT_EQ(g.open(3, std::string("inside\0/../../outside/secret", 28), 0, kRightsRO, 0, fd), kInval);
  EXPECT_EQ(g.path1("path_unlink_file", 3, std::string("inside\0x", 8)), kInval);
  // 10. The preopen's parent via a/../.. (and friends).
  EXPECT_NE(g.open(3, "a/../..", kODirectory, kRightsRO, 0, fd), kSuccess);
  EXPECT_NE(g.open(3, "..", kODirectory, kRightsRO, 0, fd), kSuccess);
  EXPECT_NE(g.stat_path(3, "a/../..", 0), kSuccess);
  EXPECT_NE(g.path1("path_remove_directory", 3, "../outside"), kSuccess);
  EXPECT_NE(g.path1("path_create_directory", 3, "a/../../made"), kSuccess);
  EXPECT_NE(g.path1("path_unlink_file", 3, "../outside/secret"), kSuccess);
  EXPECT_NE(g.symlink("x", 3, "../outside/sym"), kSuccess);
  g.put(kPath, "a/../../outside/secret");
  EXPECT_NE(
      g.call("path_filestat_set_times", {i32(3), i32(kFollow), i32(kPath), i32(22), i64(0), i64(0), i32(2)}),
      kSuccess);
  // 11. A directory opened inside the jail is a jail of its own.
  uint32_t sub = 0;
  ASSERT_EQ(g.open(3, "a", kODirectory, kRightsRO, 0, sub), kSuccess);
  EXPECT_NE(g.open(sub, "../../outside/secret", 0, kRightsRO, 0, fd), kSuccess);
  EXPECT_NE(g.open(sub, "../inside", 0, kRightsRO, 0, fd), kSuccess);

  // What stays inside keeps working.
  ASSERT_EQ(g.open(3, "ok_link", 0, kRightsRO, 0, fd), kSuccess);
  std::string data;
  ASSERT_EQ(g.read(fd, 10, data), kSuccess);
  EXPECT_EQ(data, "in");
  ASSERT_EQ(g.open(3, "a/b/../../inside", 0, kRightsRO, 0, fd), kSuccess);
  ASSERT_EQ(g.open(3, "a/b/./..//b/", kODirectory, kRightsRO, 0, fd), kSuccess);

  EXPECT_EQ(tree.snapshot_outside(), before);
  EXPECT_EQ(TempTree::read_file(tree.outside / "secret"), "top secret");
}

TEST_P(WasiJail, MagicLinksAreNotFollowed) {
  // /proc/self/root and /proc/self/cwd are "magic" links: the kernel would
  // jump straight to the process's root however the path was resolved.
  WasiConfig config;
  config.dirs.push_back({"/proc/self", "/proc", true});
  Guest g(config);
  ASSERT_TRUE(g.ready());
  uint32_t fd = 0;
  EXPECT_NE(g.open(3, "root/etc/passwd", 0, kRightsRO, 0, fd), kSuccess);
  EXPECT_NE(g.open(3, "root", kODirectory, kRightsRO, 0, fd), kSuccess);
  EXPECT_NE(g.open(3, "cwd", kODirectory, kRightsRO, 0, fd), kSuccess);
  EXPECT_NE(g.open(3, "fd/0", 0, kRightsRO, 0, fd), kSuccess);
  EXPECT_NE(g.stat_path(3, "root/etc", kFollow), kSuccess);
  // The jail itself is readable.
  EXPECT_EQ(g.open(3, "status", 0, kRightsRO, 0, fd), kSuccess);
}

TEST_P(WasiJail, ReadOnlyPreopenRefusesEveryMutation) {
  TempTree tree;
  TempTree::write_file(tree.other / "file", "keep");
  fs::create_directories(tree.other / "dir");
  Guest g(config_for(tree, /*other_read_only=*/true));
  ASSERT_TRUE(g.ready());
  const uint32_t ro = 4;
  uint32_t fd = 0;
  EXPECT_NE(g.open(ro, "new", kCreat, kRightsRW, 0, fd), kSuccess);
  EXPECT_NE(g.open(ro, "file", 0, kRightsRW, 0, fd), kSuccess);
  EXPECT_NE(g.open(ro, "file", kTrunc, kRightsRO, 0, fd), kSuccess);
  EXPECT_NE(g.open(ro, "file", 0, kRightsRO | kRightWrite, kAppend, fd), kSuccess);
  EXPECT_NE(g.path1("path_create_directory", ro, "newdir"), kSuccess);
  EXPECT_NE(g.path1("path_unlink_file", ro, "file"), kSuccess);
  EXPECT_NE(g.path1("path_remove_directory", ro, "dir"), kSuccess);
  EXPECT_NE(g.rename(ro, "file", ro, "renamed"), kSuccess);
  EXPECT_NE(g.link(ro, "file", ro, "linked"), kSuccess);
  EXPECT_NE(g.symlink("file", ro, "sym"), kSuccess);
  g.put(kPath, "file");
  EXPECT_NE(
      g.call("path_filestat_set_times", {i32(ro), i32(0), i32(kPath), i32(4), i64(0), i64(0), i32(2 | 8)}),
      kSuccess);
  // Reading works; every write through the descriptor is refused.
  ASSERT_EQ(g.open(ro, "file", 0, kRightsRO, 0, fd), kSuccess);
  std::string data;
  ASSERT_EQ(g.read(fd, 10, data), kSuccess);
  EXPECT_EQ(data, "keep");
  EXPECT_EQ(g.write(fd, "x"), kNotCapable);
  EXPECT_EQ(g.call("fd_pwrite", {i32(fd), i32(kIov), i32(1), i64(0), i32(kOut)}), kNotCapable);
  EXPECT_EQ(g.call("fd_filestat_set_size", {i32(fd), i64(0)}), kNotCapable);
  EXPECT_EQ(g.call("fd_allocate", {i32(fd), i64(0), i64(100)}), kNotCapable);
  EXPECT_EQ(g.call("fd_filestat_set_times", {i32(fd), i64(0), i64(0), i32(2 | 8)}), kNotCapable);
  EXPECT_EQ(g.call("fd_fdstat_set_flags", {i32(fd), i32(kAppend)}), kNotCapable);
  // Also through a subdirectory opened from the read-only preopen.
  uint32_t sub = 0;
  ASSERT_EQ(g.open(ro, "dir", kODirectory, kRightsRO, 0, sub), kSuccess);
  EXPECT_NE(g.open(sub, "new", kCreat, kRightsRW, 0, fd), kSuccess);
  EXPECT_NE(g.rename(sub, "..", 3, "x"), kSuccess);

  EXPECT_EQ(TempTree::read_file(tree.other / "file"), "keep");
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(tree.other)) names.insert(e.path().filename().string());
  EXPECT_EQ(names, (std::set<std::string>{"dir", "file"}));
  EXPECT_TRUE(fs::is_empty(tree.other / "dir"));
}

INSTANTIATE_TEST_SUITE_P(Resolution, WasiJail, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "FallbackWalk" : "Openat2";
                         });

// ---------------------------------------------------------------- leaks

TEST(WasiFs, TenThousandOpenCloseCyclesLeakNoHostFds) {
  TempTree tree;
  TempTree::write_file(tree.jail / "f", "x");
  fs::create_directories(tree.jail / "d");
  Guest g(config_for(tree));
  ASSERT_TRUE(g.ready());
  const size_t wasi_baseline = g.wasi().open_host_fds();
  const size_t process_baseline = process_fd_count();
  for (int i = 0; i < 10000; ++i) {
    uint32_t fd = 0;
    switch (i % 5) {
      case 0:
      case 1:
        ASSERT_EQ(g.open(3, "f", 0, kRightsRO, 0, fd), kSuccess);
        ASSERT_EQ(g.close(fd), kSuccess);
        break;
      case 2:
        ASSERT_EQ(g.open(3, "d", kODirectory, kRightsRO, 0, fd), kSuccess);
        ASSERT_EQ(g.call("fd_readdir", {i32(fd), i32(kDirBuf), i32(64), i64(0), i32(kOut)}), kSuccess);
        ASSERT_EQ(g.close(fd), kSuccess);
        break;
      case 3:  // failures must not leak either
        ASSERT_NE(g.open(3, "a/../../x", 0, kRightsRO, 0, fd), kSuccess);
        ASSERT_EQ(g.open(3, "missing", 0, kRightsRO, 0, fd), kNoEnt);
        ASSERT_NE(g.path1("path_unlink_file", 3, "../x"), kSuccess);
        break;
      case 4:
        ASSERT_EQ(g.stat_path(3, "d/../f", kFollow), kSuccess);
        ASSERT_EQ(g.path1("path_create_directory", 3, "d/sub"), kSuccess);
        ASSERT_EQ(g.path1("path_remove_directory", 3, "d/sub"), kSuccess);
        break;
    }
  }
  EXPECT_EQ(g.wasi().open_host_fds(), wasi_baseline);
  EXPECT_EQ(process_fd_count(), process_baseline);
}

TEST(WasiFs, MaxOpenFdsGivesEmfileWithoutLeaking) {
  TempTree tree;
  TempTree::write_file(tree.jail / "f", "x");
  WasiConfig config = config_for(tree);
  config.max_open_fds = 8;
  Guest g(config);
  ASSERT_TRUE(g.ready());
  const size_t process_baseline = process_fd_count();
  std::vector<uint32_t> opened;
  int32_t e = kSuccess;
  for (int i = 0; i < 20 && e == kSuccess; ++i) {
    uint32_t fd = 0;
    e = g.open(3, "f", 0, kRightsRO, 0, fd);
    if (e == kSuccess) opened.push_back(fd);
  }
  EXPECT_EQ(e, 33);  // EMFILE
  EXPECT_LT(opened.size(), 20u);
  for (uint32_t fd : opened) EXPECT_EQ(g.close(fd), kSuccess);
  EXPECT_EQ(process_fd_count(), process_baseline);
}

}  // namespace
}  // namespace wasmrt
