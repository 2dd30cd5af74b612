// The on-disk code cache (EngineConfig::cache_dir, docs/code-cache.md):
// one file per compiled module, named by its key, written atomically and
// read back only after every check passes.
//
// Key: SHA-256 over a domain tag, the engine's version, the cache format
// version, a digest of the sources that define the payload's structures
// (so two builds of one version that differ there never share entries),
// the target architecture and the CPU features code generation may use,
// the config digest (config_digest: every EngineConfig field that changes
// what compiling produces), and the module's bytes.
//
// Entry: a fixed header (magic, format version, target, the key itself,
// the config digest, the payload's length and its SHA-256), then the
// payload. An entry is used only when the file is exactly header +
// payload long, every header field matches what this process expects and
// the payload's digest matches; otherwise it is ignored (and the compile
// that follows rewrites it). The checks catch damage, truncation, entries
// copied or renamed under another key, and entries of other builds,
// targets or configs; they cannot tell a well-formed entry written by
// someone else: whoever can write the directory can run code in the host.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "wasmrt/result.h"

namespace wasmrt::cache {

using Digest = std::array<uint8_t, 32>;

// SHA-256 (OpenSSL's libcrypto) of the concatenation of `parts`.
Digest sha256(std::initializer_list<std::span<const uint8_t>> parts);
std::string to_hex(const Digest& digest);

// Counters for tests and benchmarks: what the cache did since the engine
// was made. Relaxed atomics: only totals are read.
struct CacheStats {
  std::atomic<uint64_t> hits{0};      // counted by the caller, once it used the payload
  std::atomic<uint64_t> misses{0};    // no entry under the key
  std::atomic<uint64_t> rejected{0};  // an entry was there but failed a check
  std::atomic<uint64_t> stored{0};
  std::atomic<uint64_t> store_failures{0};
  std::atomic<uint64_t> evicted{0};
};

// A verified entry's payload, mapped read-only for as long as this lives.
class MappedPayload {
 public:
  MappedPayload(const void* base, size_t mapped_bytes) : base_(base), mapped_bytes_(mapped_bytes) {}
  ~MappedPayload();
  MappedPayload(const MappedPayload&) = delete;
  MappedPayload& operator=(const MappedPayload&) = delete;
  std::span<const uint8_t> bytes() const { return payload_; }
  void set_payload(std::span<const uint8_t> payload) { payload_ = payload; }

 private:
  const void* base_;
  size_t mapped_bytes_;
  std::span<const uint8_t> payload_;
};

class CodeCache {
 public:
  // `config_digest`: see config_digest in module.cc. `max_bytes` bounds the
  // entries' total size: the least recently used entries (by modification
  // time, which a hit refreshes) are removed until the rest fit, after the
  // first store of this cache object and then whenever it has written
  // another max_bytes / 16 since it last looked (scanning the directory on
  // every store would cost a process that compiles thousands of modules,
  // the spec suite's harness, time quadratic in the entries). Between
  // scans the directory may exceed the bound by that much per process.
  CodeCache(std::string dir, uint64_t max_bytes, const Digest& config_digest);

  const std::string& dir() const { return dir_; }
  Digest key(std::span<const uint8_t> module_bytes) const;
  std::string entry_path(const Digest& key) const;

  // The payload stored under `key`, checked; null when there is none or
  // it fails a check (counted in stats().rejected, and left for store to
  // replace). A hit marks the entry as recently used; the caller counts it
  // in stats().hits once the payload proved usable (or in rejected).
  std::unique_ptr<MappedPayload> load(const Digest& key) const;

  // Writes `payload` under `key`: into a temporary file in the directory,
  // renamed over the entry, so a reader sees the old entry, the new one or
  // none, never part of one; then evicts down to the size bound when due. Creates
  // the directory (mode 0700) if missing. Failures (disk full, permission)
  // only count in stats(): a cache that cannot be written is not an error
  // for the compile that tried.
  void store(const Digest& key, std::span<const uint8_t> payload) const;

  // Removes least recently used entries until the rest fit max_bytes, and
  // temporary files a crashed writer left (older than an hour).
  void evict() const;

  CacheStats& stats() const { return stats_; }

 private:
  std::string dir_;
  uint64_t max_bytes_;
  Digest config_digest_;
  mutable CacheStats stats_;
  // Bytes stored since evict() last scanned; starts due.
  mutable std::atomic<uint64_t> written_since_scan_;
};

}  // namespace wasmrt::cache
