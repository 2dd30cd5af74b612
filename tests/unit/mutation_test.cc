// Robustness of the front end against hostile input: every module of the
// spec suite (binary, or text encoded with wat_to_binary) is a seed, and
// 10,000 seeded random mutations of those seeds go through decode +
// validate. Each must end as ok or as a typed error (Malformed / Invalid
// with a message); a crash or sanitizer report fails the run. The generator
// is a fixed-seed splitmix64, so every run sees the same 10,000 inputs.
// Meant to run under ASan+UBSan (scripts/test.sh does); it runs in plain
// builds too.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "runtime/binary/decoder.h"
#include "runtime/text/wast.h"
#include "runtime/text/wat.h"
#include "runtime/valid/validator.h"

#if defined(__SANITIZE_ADDRESS__)
#define WASMRT_MUTATION_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WASMRT_MUTATION_ASAN 1
#endif
#endif
#ifdef WASMRT_MUTATION_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

namespace wasmrt {
namespace {

constexpr int kBinaryMutations = 10000;
constexpr int kTextMutations = 2000;
constexpr uint64_t kGeneratorSeed = 0x5eed'0f'3a5d'1e57ULL;
constexpr int kMaxReportedFailures = 20;

// splitmix64: tiny, fast and identical on every platform and standard
// library (std:: distributions are not), which keeps the cases reproducible.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform enough in [0, bound) for test generation; bound > 0.
  size_t below(size_t bound) { return static_cast<size_t>(next() % bound); }
  bool chance(unsigned percent) { return below(100) < percent; }

 private:
  uint64_t state_;
};

std::filesystem::path spectest_dir() {
  if (const char* dir = std::getenv("WASMRT_SPECTEST_DIR")) return dir;
  return std::filesystem::path(WASMRT_SOURCE_DIR) / ".." / "shared" / "spectest";
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Seeds {
  std::vector<std::vector<uint8_t>> binaries;
  std::vector<size_t> valid;  // indices into binaries of seeds that validate
  std::vector<std::string> texts;
};

bool command_has_module(const wast::Command& command) {
  using Kind = wast::Command::Kind;
  switch (command.kind) {
    case Kind::Module:
    case Kind::AssertMalformed:
    case Kind::AssertInvalid:
    case Kind::AssertUnlinkable:
    case Kind::AssertUninstantiable: return true;
    case Kind::AssertTrap: return command.has_module;
    default: return false;
  }
}

// Every module form in the root .wast files, in sorted file order so the
// seed list (and hence every case) is the same on every machine.
Seeds load_seeds() {
  Seeds seeds;
  std::vector<std::filesystem::path> files;
  std::error_code ignored;
  for (const auto& entry : std::filesystem::directory_iterator(spectest_dir(), ignored)) {
    if (entry.path().extension() == ".wast") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    auto script = wast::parse_script(read_text(file));
    if (!script.ok()) continue;  // the spec harness reports script errors
    for (const wast::Command& command : script->commands) {
      if (!command_has_module(command)) continue;
      const wast::ModuleSource& source = command.module;
      if (source.kind == wast::ModuleSource::Kind::Binary) {
        if (!source.binary.empty()) seeds.binaries.push_back(source.binary);
        continue;
      }
      if (source.kind == wast::ModuleSource::Kind::Text) seeds.texts.push_back(source.text);
      auto binary = wat_to_binary(source.text);
      if (binary.ok()) seeds.binaries.push_back(std::move(binary).value());
    }
  }
  // Most mutations of an already-broken module stop at the same early
  // error, so the cases mostly start from modules that validate.
  for (size_t i = 0; i < seeds.binaries.size(); ++i) {
    auto decoded = decode_module(seeds.binaries[i]);
    if (decoded.ok() && validate_module(decoded.value()).ok()) seeds.valid.push_back(i);
  }
  return seeds;
}

const Seeds& seeds() {
  static const Seeds loaded = load_seeds();
  return loaded;
}

// ---- Binary mutations ---------------------------------------------------

void append_leb_u32(std::vector<uint8_t>& out, uint32_t value) {
  do {
    uint8_t byte = value & 0x7f;
    value >>= 7;
    if (value != 0) byte |= 0x80;
    out.push_back(byte);
  } while (value != 0);
}

struct SectionSpan {
  size_t start = 0;       // the id byte
  size_t size_begin = 0;  // the size LEB
  size_t size_end = 0;
  size_t content_end = 0;
  uint32_t size = 0;
};

// The well-formed prefix of the section list (stops at the first framing
// problem, which is fine: it only picks targets for mutations).
std::vector<SectionSpan> sections_of(const std::vector<uint8_t>& bytes) {
  std::vector<SectionSpan> spans;
  size_t pos = 8;
  while (pos < bytes.size()) {
    SectionSpan span;
    span.start = pos;
    span.size_begin = pos + 1;
    uint64_t size = 0;
    size_t p = span.size_begin;
    int shift = 0;
    bool done = false;
    while (p < bytes.size() && shift < 35) {
      uint8_t byte = bytes[p++];
      size |= uint64_t{byte & 0x7fu} << shift;
      shift += 7;
      if ((byte & 0x80) == 0) {
        done = true;
        break;
      }
    }
    if (!done || size > bytes.size() - p) break;
    span.size_end = p;
    span.size = static_cast<uint32_t>(size);
    span.content_end = p + size;
    spans.push_back(span);
    pos = span.content_end;
  }
  return spans;
}

enum class Mutation {
  FlipBit,
  SetInterestingByte,
  SetRandomByte,
  InsertBytes,
  DeleteRange,
  Truncate,
  LebExtend,
  LebOverlong,
  SectionSizeEdit,
  SectionSwap,
  SectionDuplicate,
  SpliceFromOtherSeed,
  // Framing-preserving edits reach past the section layer into the
  // decoder's and validator's deeper checks.
  SectionContentByteEdit,
  SectionContentInsertOrDelete,
  kCount,
};

// Rewrites a section's size field to `new_size` (its encoding may change length).
void set_section_size(std::vector<uint8_t>& bytes, const SectionSpan& span, uint32_t new_size) {
  std::vector<uint8_t> encoded;
  append_leb_u32(encoded, new_size);
  bytes.erase(bytes.begin() + static_cast<std::ptrdiff_t>(span.size_begin),
              bytes.begin() + static_cast<std::ptrdiff_t>(span.size_end));
  bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(span.size_begin), encoded.begin(), encoded.end());
}

// A random section with content, preferring the code section (id 10) since
// function bodies hold most of the interesting structure.
const SectionSpan* pick_section_with_content(const std::vector<SectionSpan>& spans,
                                             const std::vector<uint8_t>& bytes, Rng& rng) {
  std::vector<const SectionSpan*> candidates;
  for (const auto& span : spans) {
    if (span.content_end > span.size_end) candidates.push_back(&span);
  }
  if (candidates.empty()) return nullptr;
  if (rng.chance(60)) {
    for (const SectionSpan* span : candidates) {
      if (bytes[span->start] == 10) return span;
    }
  }
  return candidates[rng.below(candidates.size())];
}

void mutate(std::vector<uint8_t>& bytes, Rng& rng) {
  static constexpr uint8_t kInteresting[] = {0x00, 0x01, 0x0b, 0x40, 0x41, 0x60, 0x6f, 0x70,
                                             0x7b, 0x7f, 0x80, 0xfc, 0xfd, 0xfe, 0xff};
  if (bytes.empty()) {
    bytes.push_back(static_cast<uint8_t>(rng.next()));
    return;
  }
  const auto kind = static_cast<Mutation>(rng.below(static_cast<size_t>(Mutation::kCount)));
  // The 8-byte header is a small, fully checked target: hit it rarely so
  // most cases get past it.
  const size_t pos = bytes.size() > 8 && !rng.chance(3) ? 8 + rng.below(bytes.size() - 8) : rng.below(bytes.size());
  switch (kind) {
    case Mutation::FlipBit: bytes[pos] ^= static_cast<uint8_t>(1u << rng.below(8)); break;
    case Mutation::SetInterestingByte: bytes[pos] = kInteresting[rng.below(std::size(kInteresting))]; break;
    case Mutation::SetRandomByte: bytes[pos] = static_cast<uint8_t>(rng.next()); break;
    case Mutation::InsertBytes: {
      std::vector<uint8_t> inserted(1 + rng.below(8));
      for (auto& byte : inserted) byte = static_cast<uint8_t>(rng.next());
      bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(pos), inserted.begin(), inserted.end());
      break;
    }
    case Mutation::DeleteRange: {
      const size_t count = std::min(bytes.size() - pos, 1 + rng.below(16));
      bytes.erase(bytes.begin() + static_cast<std::ptrdiff_t>(pos),
                  bytes.begin() + static_cast<std::ptrdiff_t>(pos + count));
      break;
    }
    case Mutation::Truncate: bytes.resize(pos); break;
    case Mutation::LebExtend:
      // Turns a terminal LEB byte into a redundant longer encoding
      // (b | 0x80, 0x00): legal up to the type's width, "integer
      // representation too long" beyond it, garbage where it is no LEB.
      if (bytes[pos] < 0x80) {
        bytes[pos] |= 0x80;
        bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(pos + 1), 0x00);
      } else {
        bytes[pos] &= 0x7f;  // ends a multi-byte LEB early
      }
      break;
    case Mutation::LebOverlong: {
      static const std::vector<uint8_t> kLebs[] = {
          {0xff, 0xff, 0xff, 0xff, 0x0f},        // u32 max
          {0xff, 0xff, 0xff, 0xff, 0x7f},        // unused bits set: too large
          {0x80, 0x80, 0x80, 0x80, 0x80, 0x00},  // six bytes: too long
          {0x80, 0x80, 0x80, 0x80, 0x10},        // 2^32
          {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},  // i64 -1 style
          {0x80},                                // dangling continuation
      };
      const auto& leb = kLebs[rng.below(std::size(kLebs))];
      bytes.erase(bytes.begin() + static_cast<std::ptrdiff_t>(pos));
      bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(pos), leb.begin(), leb.end());
      break;
    }
    case Mutation::SectionSizeEdit: {
      auto spans = sections_of(bytes);
      if (spans.empty()) break;
      const SectionSpan& span = spans[rng.below(spans.size())];
      static constexpr int64_t kDeltas[] = {-1, 1, -2, 2, 16};
      uint32_t size = span.size;
      switch (rng.below(4)) {
        case 0: size = static_cast<uint32_t>(size + kDeltas[rng.below(std::size(kDeltas))]); break;
        case 1: size = 0; break;
        case 2: size = 0xffffffffu; break;
        default: size = static_cast<uint32_t>(rng.below(2 * size_t{span.size} + 2)); break;
      }
      set_section_size(bytes, span, size);
      break;
    }
    case Mutation::SectionSwap: {
      auto spans = sections_of(bytes);
      if (spans.size() < 2) break;
      size_t a = rng.below(spans.size() - 1);
      const SectionSpan first = spans[a];
      const SectionSpan second = spans[a + 1];
      std::vector<uint8_t> swapped(bytes.begin() + static_cast<std::ptrdiff_t>(second.start),
                                   bytes.begin() + static_cast<std::ptrdiff_t>(second.content_end));
      swapped.insert(swapped.end(), bytes.begin() + static_cast<std::ptrdiff_t>(first.start),
                     bytes.begin() + static_cast<std::ptrdiff_t>(first.content_end));
      std::copy(swapped.begin(), swapped.end(), bytes.begin() + static_cast<std::ptrdiff_t>(first.start));
      break;
    }
    case Mutation::SectionDuplicate: {
      auto spans = sections_of(bytes);
      if (spans.empty()) break;
      const SectionSpan span = spans[rng.below(spans.size())];
      std::vector<uint8_t> copy(bytes.begin() + static_cast<std::ptrdiff_t>(span.start),
                                bytes.begin() + static_cast<std::ptrdiff_t>(span.content_end));
      bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(span.content_end), copy.begin(), copy.end());
      break;
    }
    case Mutation::SpliceFromOtherSeed: {
      const auto& other = seeds().binaries[rng.below(seeds().binaries.size())];
      if (other.empty()) break;
      const size_t from = rng.below(other.size());
      const size_t count = std::min(other.size() - from, 1 + rng.below(64));
      bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(pos), other.begin() + static_cast<std::ptrdiff_t>(from),
                   other.begin() + static_cast<std::ptrdiff_t>(from + count));
      break;
    }
    case Mutation::SectionContentByteEdit: {
      auto spans = sections_of(bytes);
      const SectionSpan* span = pick_section_with_content(spans, bytes, rng);
      if (span == nullptr) break;
      const size_t at = span->size_end + rng.below(span->content_end - span->size_end);
      bytes[at] = rng.chance(50) ? kInteresting[rng.below(std::size(kInteresting))] : static_cast<uint8_t>(rng.next());
      break;
    }
    case Mutation::SectionContentInsertOrDelete: {
      auto spans = sections_of(bytes);
      const SectionSpan* found = pick_section_with_content(spans, bytes, rng);
      if (found == nullptr) break;
      const SectionSpan span = *found;
      const size_t content_size = span.content_end - span.size_end;
      const size_t at = span.size_end + rng.below(content_size);
      uint32_t new_size = span.size;
      if (rng.chance(50)) {
        const size_t count = 1 + rng.below(4);
        for (size_t k = 0; k < count; ++k) {
          bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(at), static_cast<uint8_t>(rng.next()));
        }
        new_size += static_cast<uint32_t>(count);
      } else {
        const size_t count = std::min(span.content_end - at, 1 + rng.below(4));
        bytes.erase(bytes.begin() + static_cast<std::ptrdiff_t>(at),
                    bytes.begin() + static_cast<std::ptrdiff_t>(at + count));
        new_size -= static_cast<uint32_t>(count);
      }
      set_section_size(bytes, span, new_size);  // the size field precedes `at`, so span is still right
      break;
    }
    case Mutation::kCount: break;
  }
}

// ---- Crash context --------------------------------------------------------

// The case being run, so a sanitizer death names it and leaves its bytes
// behind for replay with the fuzzer or a debugger.
struct CurrentCase {
  int index = -1;
  const std::vector<uint8_t>* bytes = nullptr;
} current_case;

#ifdef WASMRT_MUTATION_ASAN
void report_current_case() {
  if (current_case.bytes == nullptr) return;
  std::fprintf(stderr, "mutation_test: died in case %d; input written to mutation-crash.bin\n", current_case.index);
  if (FILE* out = std::fopen("mutation-crash.bin", "wb")) {
    std::fwrite(current_case.bytes->data(), 1, current_case.bytes->size(), out);
    std::fclose(out);
  }
}
#endif

struct Outcomes {
  std::map<std::string, int> messages;  // error message -> count, for the log
  int ok = 0;
  int malformed = 0;
  int invalid = 0;
  int failures = 0;
};

void expect_typed_error(const Error& error, bool allow_invalid, int case_index, size_t size, Outcomes& outcomes) {
  const bool phase_ok = error.phase == Phase::Malformed || (allow_invalid && error.phase == Phase::Invalid);
  const bool offset_ok = error.offset == Error::kNoOffset || error.offset <= size;
  ++outcomes.messages[std::string(phase_name(error.phase)) + ": " + error.message.substr(0, 40)];
  if (phase_ok && !error.message.empty() && offset_ok) return;
  if (++outcomes.failures <= kMaxReportedFailures) {
    ADD_FAILURE() << "case " << case_index << ": untyped or misplaced error: phase " << phase_name(error.phase)
                  << ", offset " << error.offset << " of " << size << " bytes, message '" << error.message << "'";
  }
}

// decode, then validate if decoding succeeded; classifies the outcome.
void run_front_end(const std::vector<uint8_t>& bytes, int case_index, Outcomes& outcomes) {
  auto decoded = decode_module(bytes);
  if (!decoded.ok()) {
    expect_typed_error(decoded.error(), /*allow_invalid=*/false, case_index, bytes.size(), outcomes);
    ++outcomes.malformed;
    return;
  }
  auto valid = validate_module(decoded.value());
  if (!valid.ok()) {
    expect_typed_error(valid.error(), /*allow_invalid=*/true, case_index, bytes.size(), outcomes);
    ++(valid.error().phase == Phase::Invalid ? outcomes.invalid : outcomes.malformed);
    return;
  }
  ++outcomes.ok;
}

class MutationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
#ifdef WASMRT_MUTATION_ASAN
    __sanitizer_set_death_callback(report_current_case);
#endif
  }
};

TEST_F(MutationTest, SpecSuiteSeedsAreLoaded) {
  // Without seeds the other tests would prove nothing; fail loudly.
  ASSERT_GT(seeds().binaries.size(), 500u) << "spec suite not found or not parsed at " << spectest_dir()
                                           << " (set WASMRT_SPECTEST_DIR)";
}

TEST_F(MutationTest, TenThousandBinaryMutationsDecodeAndValidateSafely) {
  const auto& binaries = seeds().binaries;
  ASSERT_FALSE(binaries.empty()) << "no seed modules (spec suite at " << spectest_dir() << ")";
  Rng rng(kGeneratorSeed);
  Outcomes outcomes;
  std::vector<uint8_t> bytes;
  for (int i = 0; i < kBinaryMutations; ++i) {
    const auto& valid = seeds().valid;
    bytes = binaries[!valid.empty() && rng.chance(85) ? valid[rng.below(valid.size())] : rng.below(binaries.size())];
    const int rounds = rng.chance(70) ? 1 : 2 + static_cast<int>(rng.below(2));
    for (int round = 0; round < rounds; ++round) mutate(bytes, rng);
    current_case = {i, &bytes};
    run_front_end(bytes, i, outcomes);
  }
  current_case = {};
  std::printf("binary mutations: %d ok, %d malformed, %d invalid (from %zu seeds, %zu of them valid)\n",
              outcomes.ok, outcomes.malformed, outcomes.invalid, binaries.size(), seeds().valid.size());
  std::vector<std::pair<int, std::string>> common;
  for (const auto& [message, count] : outcomes.messages) common.emplace_back(count, message);
  std::sort(common.rbegin(), common.rend());
  for (size_t k = 0; k < common.size() && k < 8; ++k) std::printf("  %5d  %s\n", common[k].first, common[k].second.c_str());
  EXPECT_EQ(outcomes.failures, 0);
  EXPECT_EQ(outcomes.ok + outcomes.malformed + outcomes.invalid, kBinaryMutations);
  EXPECT_GT(outcomes.malformed, 0);  // the mutations really do break modules
}

void mutate_text(std::string& text, Rng& rng) {
  static constexpr const char* kTokens[] = {"(", ")", "\"", ";;", "(;", ";)", "0x", "nan:0x", "$", "-", "_",
                                            "inf", "1e400", "0x1p+1000", "(module", "(func", "end", "\\"};
  if (text.empty()) {
    text = "(";
    return;
  }
  const size_t pos = rng.below(text.size());
  switch (rng.below(5)) {
    case 0: text.erase(pos, 1 + rng.below(12)); break;
    case 1: text.insert(pos, kTokens[rng.below(std::size(kTokens))]); break;
    case 2: text[pos] = static_cast<char>(rng.next()); break;
    case 3: text.resize(pos); break;
    default: {
      const size_t count = std::min(text.size() - pos, 1 + rng.below(40));
      text.insert(pos, text.substr(pos, count));
      break;
    }
  }
}

TEST_F(MutationTest, TextMutationsParseSafely) {
  const auto& texts = seeds().texts;
  ASSERT_FALSE(texts.empty());
  Rng rng(kGeneratorSeed ^ 0x7e47ULL);
  Outcomes outcomes;
  for (int i = 0; i < kTextMutations; ++i) {
    std::string text = texts[rng.below(texts.size())];
    const int rounds = 1 + static_cast<int>(rng.below(3));
    for (int round = 0; round < rounds; ++round) mutate_text(text, rng);
    auto binary = wat_to_binary(text);
    if (!binary.ok()) {
      const Error& error = binary.error();
      if (error.phase != Phase::Malformed || error.message.empty()) {
        if (++outcomes.failures <= kMaxReportedFailures) {
          ADD_FAILURE() << "text case " << i << ": untyped error: phase " << phase_name(error.phase) << ", '"
                        << error.message << "'";
        }
      }
      continue;
    }
    // Whatever the encoder produced must be safe to decode too.
    run_front_end(binary.value(), i, outcomes);
  }
  EXPECT_EQ(outcomes.failures, 0);
}

// Nesting depth must never grow the host stack: 200,000 nested blocks
// would overflow it (especially under ASan) if any stage recursed.
TEST_F(MutationTest, DeeplyNestedBinaryBodyIsHandledIteratively) {
  constexpr int kDepth = 200000;
  // (module (func (block (block ... )))) encoded by hand.
  std::vector<uint8_t> body = {0x00};  // no locals
  for (int i = 0; i < kDepth; ++i) body.insert(body.end(), {0x02, 0x40});
  body.insert(body.end(), kDepth + 1, 0x0b);
  std::vector<uint8_t> module = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
                                 0x01, 0x04, 0x01, 0x60, 0x00, 0x00,  // type () -> ()
                                 0x03, 0x02, 0x01, 0x00};             // func 0: type 0
  std::vector<uint8_t> code_section;
  append_leb_u32(code_section, 1);
  append_leb_u32(code_section, static_cast<uint32_t>(body.size()));
  code_section.insert(code_section.end(), body.begin(), body.end());
  module.push_back(0x0a);
  append_leb_u32(module, static_cast<uint32_t>(code_section.size()));
  module.insert(module.end(), code_section.begin(), code_section.end());

  auto decoded = decode_module(module);
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  auto valid = validate_module(decoded.value());
  EXPECT_TRUE(valid.ok()) << valid.error().to_string();
}

TEST_F(MutationTest, DeeplyNestedTextIsHandledIteratively) {
  constexpr int kDepth = 200000;
  std::string text = "(module (func ";
  for (int i = 0; i < kDepth; ++i) text += "(block ";
  text.append(kDepth, ')');
  text += "))";
  auto binary = wat_to_binary(text);
  ASSERT_TRUE(binary.ok()) << binary.error().to_string();
  auto decoded = decode_module(std::move(binary).value());
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_TRUE(validate_module(decoded.value()).ok());

  // Unbalanced nesting is an error, not a crash.
  std::string unbalanced(kDepth, '(');
  EXPECT_FALSE(wat_to_binary(unbalanced).ok());
}

}  // namespace
}  // namespace wasmrt
