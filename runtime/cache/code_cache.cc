#include "runtime/cache/code_cache.h"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string_view>
#include <utility>

#if defined(__x86_64__)
#include <cpuid.h>
#elif defined(__aarch64__)
#include <sys/auxv.h>
#endif

#include "wasmrt/wasmrt.h"

#ifndef WASMRT_CACHE_SOURCE_DIGEST
#error "runtime/CMakeLists.txt defines WASMRT_CACHE_SOURCE_DIGEST for this file"
#endif

namespace wasmrt::cache {

namespace {

// Bumped whenever the header or the payload's layout changes in a way the
// source digest might not show (it covers the files that define them).
constexpr uint32_t kFormatVersion = 1;
constexpr char kMagic[8] = {'W', 'A', 'S', 'M', 'R', 'T', 'C', '\0'};
constexpr std::string_view kEntrySuffix = ".wrc";
constexpr std::string_view kTempPrefix = ".tmp-";
// A temporary file this old was left by a writer that died.
constexpr time_t kStaleTempSeconds = 3600;

struct EntryHeader {
  char magic[8];
  uint32_t format_version;
  uint32_t header_bytes;
  char target[16];
  uint8_t key[32];
  uint8_t config_digest[32];
  uint64_t payload_bytes;
  uint8_t payload_digest[32];
};
static_assert(sizeof(EntryHeader) == 136);

std::array<char, 16> target_name() {
  std::array<char, 16> name{};
  const std::string_view arch = host_architecture();
  std::memcpy(name.data(), arch.data(), std::min(arch.size(), name.size() - 1));
  return name;
}

// What the code generators may choose by: the CPU's feature words as a
// whole (more than the JIT reads, so a new use of a feature cannot make
// two CPUs share an entry), and the switch that turns AVX off.
std::vector<uint8_t> cpu_features() {
  std::vector<uint32_t> words;
#if defined(__x86_64__)
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid(1, &a, &b, &c, &d)) words.insert(words.end(), {c, d});
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) words.insert(words.end(), {b, c, d});
#elif defined(__aarch64__)
  words.push_back(static_cast<uint32_t>(getauxval(AT_HWCAP)));
  words.push_back(static_cast<uint32_t>(getauxval(AT_HWCAP2)));
#endif
  words.push_back(std::getenv("WASMRT_JIT_NO_AVX") != nullptr ? 1 : 0);
  std::vector<uint8_t> out(words.size() * sizeof(uint32_t));
  std::memcpy(out.data(), words.data(), out.size());
  return out;
}

std::span<const uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

bool has_suffix(std::string_view name, std::string_view suffix) {
  return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
}

// mkdir -p with mode 0700 for what it creates.
bool make_dirs(const std::string& dir) {
  struct stat st {};
  if (stat(dir.c_str(), &st) == 0) return S_ISDIR(st.st_mode);
  const size_t slash = dir.find_last_of('/');
  if (slash != std::string::npos && slash != 0 && !make_dirs(dir.substr(0, slash))) return false;
  return mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST;
}

bool write_all(int fd, const void* data, size_t size) {
  const auto* p = static_cast<const uint8_t*>(data);
  while (size > 0) {
    const ssize_t n = write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

namespace {

// SHA-256 from a library context of our own: the default one reads
// OpenSSL's configuration file (or whatever OPENSSL_CONF names) on first
// use, which costs start-up time and lets the environment pick the
// providers our digests come from. Made once, kept for the process.
const EVP_MD* sha256_md() {
  static const EVP_MD* const md = [] {
    OSSL_LIB_CTX* context = OSSL_LIB_CTX_new();
    return context != nullptr ? EVP_MD_fetch(context, "SHA256", nullptr) : nullptr;
  }();
  return md;
}

}  // namespace

Digest sha256(std::initializer_list<std::span<const uint8_t>> parts) {
  Digest digest{};
  const EVP_MD* md = sha256_md();
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = md != nullptr && ctx != nullptr && EVP_DigestInit_ex(ctx, md, nullptr) == 1;
  for (std::span<const uint8_t> part : parts) ok = ok && EVP_DigestUpdate(ctx, part.data(), part.size()) == 1;
  unsigned size = 0;
  ok = ok && EVP_DigestFinal_ex(ctx, digest.data(), &size) == 1 && size == digest.size();
  EVP_MD_CTX_free(ctx);
  // Without a digest nothing can be keyed or checked; libcrypto fails
  // here only when it cannot allocate, and a zero digest would alias
  // every entry, so stop rather than go on.
  if (!ok) std::abort();
  return digest;
}

std::string to_hex(const Digest& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(digest.size() * 2);
  for (uint8_t byte : digest) {
    out += kHex[byte >> 4];
    out += kHex[byte & 15];
  }
  return out;
}

MappedPayload::~MappedPayload() {
  munmap(const_cast<void*>(base_), mapped_bytes_);
}

CodeCache::CodeCache(std::string dir, uint64_t max_bytes, const Digest& config_digest)
    : dir_(std::move(dir)),
      max_bytes_(max_bytes),
      config_digest_(config_digest),
      written_since_scan_(max_bytes) {
  while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
}

Digest CodeCache::key(std::span<const uint8_t> module_bytes) const {
  const uint32_t format = kFormatVersion;
  const std::array<char, 16> target = target_name();
  const std::vector<uint8_t> features = cpu_features();
  return sha256({as_bytes("wasmrt code cache\n"),
                 as_bytes(kVersion),
                 as_bytes(WASMRT_CACHE_SOURCE_DIGEST),
                 {reinterpret_cast<const uint8_t*>(&format), sizeof format},
                 {reinterpret_cast<const uint8_t*>(target.data()), target.size()},
                 features,
                 config_digest_,
                 module_bytes});
}

std::string CodeCache::entry_path(const Digest& key) const {
  return dir_ + "/" + to_hex(key) + std::string(kEntrySuffix);
}

std::unique_ptr<MappedPayload> CodeCache::load(const Digest& key) const {
  const std::string path = entry_path(key);
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    stats_.misses.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  auto reject = [&] {
    stats_.rejected.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  };
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
      static_cast<uint64_t>(st.st_size) < sizeof(EntryHeader)) {
    close(fd);
    return reject();
  }
  const auto file_bytes = static_cast<size_t>(st.st_size);
  void* base = mmap(nullptr, file_bytes, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (base == MAP_FAILED) return reject();
  auto mapped = std::make_unique<MappedPayload>(base, file_bytes);

  EntryHeader header;
  std::memcpy(&header, base, sizeof header);
  const std::array<char, 16> target = target_name();
  if (std::memcmp(header.magic, kMagic, sizeof kMagic) != 0 || header.format_version != kFormatVersion ||
      header.header_bytes != sizeof(EntryHeader) ||
      std::memcmp(header.target, target.data(), target.size()) != 0 ||
      std::memcmp(header.key, key.data(), key.size()) != 0 ||
      std::memcmp(header.config_digest, config_digest_.data(), config_digest_.size()) != 0 ||
      header.payload_bytes != file_bytes - sizeof(EntryHeader)) {
    return reject();
  }
  const std::span<const uint8_t> payload(static_cast<const uint8_t*>(base) + sizeof(EntryHeader),
                                         header.payload_bytes);
  const Digest digest = sha256({payload});
  if (std::memcmp(header.payload_digest, digest.data(), digest.size()) != 0) return reject();

  // Least recently used is by modification time: atime is not kept on
  // most mounts (noatime, relatime), so a hit sets the mtime instead.
  utimensat(AT_FDCWD, path.c_str(), nullptr, 0);
  mapped->set_payload(payload);
  return mapped;
}

void CodeCache::store(const Digest& key, std::span<const uint8_t> payload) const {
  auto failed = [&] { stats_.store_failures.fetch_add(1, std::memory_order_relaxed); };
  if (!make_dirs(dir_)) return failed();
  EntryHeader header{};
  std::memcpy(header.magic, kMagic, sizeof kMagic);
  header.format_version = kFormatVersion;
  header.header_bytes = sizeof(EntryHeader);
  const std::array<char, 16> target = target_name();
  std::memcpy(header.target, target.data(), target.size());
  std::memcpy(header.key, key.data(), key.size());
  std::memcpy(header.config_digest, config_digest_.data(), config_digest_.size());
  header.payload_bytes = payload.size();
  const Digest digest = sha256({payload});
  std::memcpy(header.payload_digest, digest.data(), digest.size());

  // In the same directory, so the rename is atomic; a unique name, so
  // concurrent writers of one key never write the same file.
  std::string temp = dir_ + "/" + std::string(kTempPrefix) + to_hex(key).substr(0, 16) + "-XXXXXX";
  const int fd = mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0) return failed();
  // No fsync: an entry cut short by a crash fails its length or digest
  // check and is rewritten, which costs less than syncing every store.
  const bool written = write_all(fd, &header, sizeof header) && write_all(fd, payload.data(), payload.size());
  if (close(fd) != 0 || !written || rename(temp.c_str(), entry_path(key).c_str()) != 0) {
    unlink(temp.c_str());
    return failed();
  }
  stats_.stored.fetch_add(1, std::memory_order_relaxed);
  const uint64_t entry_bytes = sizeof header + payload.size();
  if (written_since_scan_.fetch_add(entry_bytes, std::memory_order_relaxed) + entry_bytes >=
      max_bytes_ / 16) {
    written_since_scan_.store(0, std::memory_order_relaxed);
    evict();
  }
}

void CodeCache::evict() const {
  DIR* dir = opendir(dir_.c_str());
  if (dir == nullptr) return;
  struct Entry {
    std::string path;
    timespec mtime;
    uint64_t bytes;
  };
  std::vector<Entry> entries;
  uint64_t total = 0;
  const time_t now = time(nullptr);
  while (const dirent* ent = readdir(dir)) {
    const std::string_view name = ent->d_name;
    const bool is_entry = has_suffix(name, kEntrySuffix);
    const bool is_temp = name.starts_with(kTempPrefix);
    if (!is_entry && !is_temp) continue;  // not ours: never touched
    struct stat st {};
    std::string path = dir_ + "/" + std::string(name);
    // Another process may have removed it since readdir: skip it.
    if (fstatat(dirfd(dir), ent->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) continue;
    if (is_temp) {
      if (now - st.st_mtim.tv_sec > kStaleTempSeconds) unlink(path.c_str());
      continue;
    }
    total += static_cast<uint64_t>(st.st_size);
    entries.push_back({std::move(path), st.st_mtim, static_cast<uint64_t>(st.st_size)});
  }
  closedir(dir);
  if (total <= max_bytes_) return;
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.mtime.tv_sec != b.mtime.tv_sec ? a.mtime.tv_sec < b.mtime.tv_sec
                                            : a.mtime.tv_nsec < b.mtime.tv_nsec;
  });
  for (const Entry& entry : entries) {
    if (total <= max_bytes_) break;
    // Whether this process or a concurrent one removed it, it is gone; a
    // process that has it mapped keeps its pages until it unmaps them.
    unlink(entry.path.c_str());
    total -= entry.bytes;
    stats_.evicted.fetch_add(1, std::memory_order_relaxed);
  }
}

}  // namespace wasmrt::cache
