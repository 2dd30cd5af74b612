// Binary decoder tests built from byte arrays: every section kind, the
// framing errors the spec suite names, LEB128 edge cases, hostile lengths,
// truncation at every offset, and the lenient name section.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <set>
#include <string>
#include <vector>

#include "runtime/binary/decoder.h"
#include "runtime/binary/instr.h"
#include "runtime/binary/reader.h"

namespace wasmrt {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes leb(uint64_t v) {
  Bytes out;
  do {
    uint8_t b = v & 0x7F;
    v >>= 7;
    if (v) b |= 0x80;
    out.push_back(b);
  } while (v);
  return out;
}

Bytes str(const std::string& s) { return cat({leb(s.size()), Bytes(s.begin(), s.end())}); }

Bytes section(uint8_t id, const Bytes& content) { return cat({{id}, leb(content.size()), content}); }

const Bytes kHeader = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};

Bytes module(std::initializer_list<Bytes> sections) {
  Bytes out = kHeader;
  for (const Bytes& s : sections) out.insert(out.end(), s.begin(), s.end());
  return out;
}

// Common pieces.
const Bytes kTypeVoid = section(1, {0x01, 0x60, 0x00, 0x00});  // () -> ()
const Bytes kOneFunc = section(3, {0x01, 0x00});
const Bytes kOneEmptyBody = section(10, {0x01, 0x02, 0x00, 0x0B});

Result<ModuleDesc> decode(const Bytes& b) { return decode_module(b); }

void expect_malformed(const Bytes& b, const std::string& message) {
  auto r = decode(b);
  ASSERT_FALSE(r.ok()) << "expected: " << message;
  EXPECT_EQ(r.error().phase, Phase::Malformed);
  EXPECT_EQ(r.error().message.rfind(message, 0), 0u) << "got: " << r.error().message << ", want: " << message;
}

// ---- Header -----------------------------------------------------------------

TEST(DecoderHeader, EmptyModule) {
  auto r = decode(kHeader);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->types.empty());
  EXPECT_TRUE(r->code.empty());
}

TEST(DecoderHeader, Errors) {
  expect_malformed({}, "unexpected end");
  expect_malformed({0x00, 0x61, 0x73}, "unexpected end");
  expect_malformed({0x00, 0x61, 0x73, 0x6D, 0x01}, "unexpected end");
  expect_malformed({0x00, 0x41, 0x53, 0x4D, 0x01, 0x00, 0x00, 0x00}, "magic header not detected");
  expect_malformed({0x00, 0x61, 0x73, 0x6D, 0x02, 0x00, 0x00, 0x00}, "unknown binary version");
}

// ---- Sections -----------------------------------------------------------------

TEST(DecoderSections, TypeSection) {
  auto r = decode(module({section(1, {0x02, 0x60, 0x02, 0x7F, 0x7E, 0x01, 0x7D, 0x60, 0x00, 0x02, 0x70, 0x6F})}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->types.size(), 2u);
  EXPECT_EQ(r->types[0].params, (std::vector<ValType>{ValType::I32, ValType::I64}));
  EXPECT_EQ(r->types[0].results, (std::vector<ValType>{ValType::F32}));
  EXPECT_EQ(r->types[1].results, (std::vector<ValType>{ValType::FuncRef, ValType::ExternRef}));
  expect_malformed(module({section(1, {0x01, 0x61, 0x00, 0x00})}), "malformed function type");
  expect_malformed(module({section(1, {0x01, 0x60, 0x01, 0x40, 0x00})}), "malformed value type");
}

TEST(DecoderSections, ImportsOfEveryKind) {
  Bytes imports = cat({{0x04},
                       str("m"), str("f"), {0x00, 0x00},                    // func type 0
                       str("m"), str("t"), {0x01, 0x70, 0x01, 0x01, 0x02},  // table funcref 1..2
                       str("m"), str("mem"), {0x02, 0x00, 0x03},            // memory min 3
                       str("m"), str("g"), {0x03, 0x7E, 0x01}});            // mut i64 global
  auto r = decode(module({kTypeVoid, section(2, imports)}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->imports.size(), 4u);
  EXPECT_EQ(r->imports[2].name, "mem");
  EXPECT_EQ(r->num_imported_funcs, 1u);
  EXPECT_EQ(r->num_imported_tables, 1u);
  EXPECT_EQ(r->num_imported_memories, 1u);
  EXPECT_EQ(r->num_imported_globals, 1u);
  EXPECT_EQ(r->tables[0].limits.max, 2u);
  EXPECT_TRUE(r->tables[0].limits.has_max);
  EXPECT_EQ(r->memories[0].limits.min, 3u);
  EXPECT_TRUE(r->globals[0].is_mutable);
  EXPECT_EQ(r->globals[0].type, ValType::I64);

  expect_malformed(module({section(2, cat({{0x01}, str("m"), str("x"), {0x04}}))}), "malformed import kind");
  expect_malformed(module({section(2, cat({{0x01}, str("m"), str("x"), {0x03, 0x7F, 0x02}}))}),
                   "malformed mutability");
  expect_malformed(module({section(2, cat({{0x01}, str("m"), str("x"), {0x01, 0x7F, 0x00, 0x00}}))}),
                   "malformed reference type");
  expect_malformed(module({section(2, cat({{0x01}, {0x02, 0xC0, 0x80}, str("x"), {0x00, 0x00}}))}),
                   "malformed UTF-8 encoding");
}

TEST(DecoderSections, FunctionTableMemoryGlobalExportStart) {
  Bytes globals = {0x02, 0x7F, 0x00, 0x41, 0x2A, 0x0B,  // i32 const 42
                   0x7C, 0x01, 0x44, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0x0B};  // mut f64 1.0
  Bytes exports = cat({{0x02}, str("run"), {0x00, 0x00}, str("mem"), {0x02, 0x00}});
  auto r = decode(module({kTypeVoid, kOneFunc, section(4, {0x01, 0x6F, 0x00, 0x05}),
                          section(5, {0x01, 0x01, 0x01, 0x10}), section(6, globals), section(7, exports),
                          section(8, {0x00}), kOneEmptyBody}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->funcs, (std::vector<uint32_t>{0}));
  EXPECT_EQ(r->tables[0].elem, ValType::ExternRef);
  EXPECT_FALSE(r->tables[0].limits.has_max);
  EXPECT_EQ(r->memories[0].limits.max, 16u);
  ASSERT_EQ(r->global_inits.size(), 2u);
  // The init expression range covers the instructions and the final `end`.
  const ConstExpr& init = r->global_inits[1];
  EXPECT_EQ(init.end - init.begin, 10u);
  EXPECT_EQ(r->bytes[init.begin], 0x44);
  EXPECT_EQ(r->bytes[init.end - 1], 0x0B);
  ASSERT_EQ(r->exports.size(), 2u);
  EXPECT_EQ(r->exports[1].kind, ExternKind::Memory);
  ASSERT_TRUE(r->start.has_value());
  EXPECT_EQ(*r->start, 0u);
}

TEST(DecoderSections, LimitsFlag) {
  expect_malformed(module({section(5, {0x01, 0x02, 0x00})}), "integer too large");
  expect_malformed(module({section(5, {0x01, 0x81, 0x00, 0x00})}), "integer representation too long");
}

TEST(DecoderSections, ElementSegmentsAllEightForms) {
  Bytes offset = {0x41, 0x00, 0x0B};
  Bytes ref_func = {0xD2, 0x00, 0x0B};
  Bytes elems = cat({{0x08},
                     {0x00}, offset, {0x01, 0x00},                     // 0: active table 0, indices
                     {0x01, 0x00, 0x01, 0x00},                         // 1: passive, elemkind, indices
                     {0x02, 0x00}, offset, {0x00, 0x02, 0x00, 0x00},   // 2: active table 0, elemkind
                     {0x03, 0x00, 0x01, 0x00},                         // 3: declarative
                     {0x04}, offset, {0x01}, ref_func,                 // 4: active, exprs
                     {0x05, 0x70, 0x02}, ref_func, {0xD0, 0x70, 0x0B}, // 5: passive, reftype, exprs
                     {0x06, 0x00}, offset, {0x70, 0x00},               // 6: active table, reftype
                     {0x07, 0x70, 0x01}, ref_func});                   // 7: declarative exprs
  auto r = decode(module({kTypeVoid, kOneFunc, section(4, {0x01, 0x70, 0x00, 0x10}), section(9, elems),
                          kOneEmptyBody}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->elems.size(), 8u);
  const SegmentMode kModes[] = {SegmentMode::Active,      SegmentMode::Passive, SegmentMode::Active,
                                SegmentMode::Declarative, SegmentMode::Active,  SegmentMode::Passive,
                                SegmentMode::Active,      SegmentMode::Declarative};
  const uint32_t kSizes[] = {1, 1, 2, 1, 1, 2, 0, 1};
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(r->elems[i].mode, kModes[i]) << i;
    EXPECT_EQ(r->elems[i].uses_exprs, i >= 4) << i;
    EXPECT_EQ(r->elems[i].size(), kSizes[i]) << i;
    EXPECT_EQ(r->elems[i].elem_type, ValType::FuncRef) << i;
  }
  expect_malformed(module({section(9, {0x01, 0x08})}), "malformed elements segment kind");
  expect_malformed(module({section(9, {0x01, 0x01, 0x01, 0x00})}), "malformed element kind");
  expect_malformed(module({section(9, {0x01, 0x05, 0x7F, 0x00})}), "malformed reference type");
  expect_malformed(module({section(9, {0x01, 0x05, 0x70, 0x01, 0xF3, 0x0B})}), "illegal opcode");
}

TEST(DecoderSections, CodeAndLocals) {
  Bytes body = {0x03, 0x02, 0x7F, 0x00, 0x7E, 0x01, 0x7B, 0x41, 0x01, 0x1A, 0x0B};
  Bytes bytes = module({kTypeVoid, kOneFunc, section(10, cat({{0x01}, leb(body.size()), body}))});
  auto r = decode(bytes);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const FuncBody& f = r->code[0];
  ASSERT_EQ(f.locals.size(), 3u);
  EXPECT_EQ(f.locals[0].count, 2u);
  EXPECT_EQ(f.locals[0].type, ValType::I32);
  EXPECT_EQ(f.locals[2].type, ValType::V128);
  EXPECT_EQ(f.num_locals, 3u);
  EXPECT_EQ(f.code_end, bytes.size());
  EXPECT_EQ(f.code_end - f.code_begin, 4u);
  EXPECT_EQ(r->bytes[f.code_begin], 0x41);
  EXPECT_EQ(r->bytes[f.entry_begin], body.size());
}

TEST(DecoderSections, TooManyLocals) {
  Bytes body = {0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x7F, 0x02, 0x7E, 0x0B};
  expect_malformed(module({kTypeVoid, kOneFunc, section(10, cat({{0x01}, leb(body.size()), body}))}),
                   "too many locals");
  // Exactly 2^32 - 1 locals is allowed by the decoder.
  Bytes max_body = {0x02, 0xFE, 0xFF, 0xFF, 0xFF, 0x0F, 0x7F, 0x01, 0x7E, 0x0B};
  auto r = decode(module({kTypeVoid, kOneFunc, section(10, cat({{0x01}, leb(max_body.size()), max_body}))}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->code[0].num_locals, 0xFFFFFFFFu);
}

TEST(DecoderSections, DataSegmentsAndDataCount) {
  Bytes datas = cat({{0x03},
                     {0x00, 0x41, 0x08, 0x0B, 0x02, 'h', 'i'},   // active memory 0
                     {0x01, 0x03, 'a', 'b', 'c'},                // passive
                     {0x02, 0x00, 0x41, 0x00, 0x0B, 0x00}});     // active, explicit memory
  Bytes bytes = module({section(5, {0x01, 0x00, 0x01}), section(12, {0x03}), section(11, datas)});
  auto r = decode(bytes);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->datas.size(), 3u);
  ASSERT_TRUE(r->data_count.has_value());
  EXPECT_EQ(*r->data_count, 3u);
  EXPECT_EQ(r->datas[0].mode, SegmentMode::Active);
  EXPECT_EQ(r->datas[1].mode, SegmentMode::Passive);
  EXPECT_EQ(r->datas[1].data_size, 3u);
  EXPECT_EQ(r->bytes[r->datas[1].data_begin], 'a');
  EXPECT_EQ(r->datas[2].data_size, 0u);
  expect_malformed(module({section(11, {0x01, 0x03, 0x00})}), "malformed data segment kind");
  expect_malformed(module({section(12, {0x02}), section(11, {0x01, 0x01, 0x00})}),
                   "data count and data section have inconsistent lengths");
  expect_malformed(module({section(12, {0x01})}), "data count and data section have inconsistent lengths");
  EXPECT_TRUE(decode(module({section(12, {0x00})})).ok());
}

TEST(DecoderSections, CustomSectionsKeptInPlace) {
  Bytes bytes = module({section(0, cat({str("first"), {1, 2, 3}})), kTypeVoid, section(0, str("after-type"))});
  auto r = decode(bytes);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->customs.size(), 2u);
  EXPECT_EQ(r->customs[0].name, "first");
  EXPECT_EQ(r->customs[0].content_size, 3u);
  EXPECT_EQ(r->bytes[r->customs[0].content_begin], 1);
  EXPECT_EQ(r->customs[0].after_section, 0);
  EXPECT_EQ(r->customs[1].after_section, 1);
  EXPECT_EQ(r->customs[1].content_size, 0u);
  expect_malformed(module({section(0, {})}), "unexpected end");
  expect_malformed(module({section(0, {0x05, 'a'})}), "length out of bounds");
  expect_malformed(module({section(0, {0x02, 0xC0, 0x80})}), "malformed UTF-8 encoding");
}

// ---- Framing errors -----------------------------------------------------------

TEST(DecoderFraming, SectionIdsAndOrder) {
  expect_malformed(module({section(13, {})}), "malformed section id");
  expect_malformed(module({kTypeVoid, kTypeVoid}), "unexpected content after last section");
  expect_malformed(module({section(6, {0x00}), section(5, {0x00})}), "unexpected content after last section");
  // Data count goes between element and code.
  expect_malformed(module({section(10, {0x00}), section(12, {0x00})}), "unexpected content after last section");
  EXPECT_TRUE(decode(module({section(9, {0x00}), section(12, {0x00}), section(10, {0x00}), section(11, {0x00})}))
                  .ok());
}

TEST(DecoderFraming, SizesAndEnds) {
  // Declared section size larger than the input.
  expect_malformed(cat({kHeader, {0x01, 0x10, 0x00}}), "length out of bounds");
  // A section with bytes left over.
  expect_malformed(module({section(1, {0x00, 0x00})}), "section size mismatch");
  // Content running out at the end of the input inside a section.
  expect_malformed(module({section(4, {0x01})}), "unexpected end of section or function");
  // Section header cut off.
  expect_malformed(cat({kHeader, {0x01}}), "unexpected end");
  // A vector count larger than the input.
  expect_malformed(module({section(1, {0x05, 0x60})}), "length out of bounds");
}

TEST(DecoderFraming, FunctionAndCodeCounts) {
  const char* kMsg = "function and code section have inconsistent lengths";
  expect_malformed(module({kTypeVoid, kOneFunc}), kMsg);
  expect_malformed(module({kOneEmptyBody}), kMsg);
  expect_malformed(module({kTypeVoid, section(3, {0x02, 0x00, 0x00}), kOneEmptyBody}), kMsg);
  EXPECT_TRUE(decode(module({section(3, {0x00})})).ok());
  EXPECT_TRUE(decode(module({section(10, {0x00})})).ok());
}

TEST(DecoderFraming, BodyWithoutEnd) {
  // Last body missing its `end` at the end of the input.
  expect_malformed(module({kTypeVoid, kOneFunc, section(10, {0x01, 0x03, 0x00, 0x41, 0x01})}),
                   "unexpected end of section or function");
  // A body missing `end` followed by another body: decoding on, as the
  // reference does, meets the next body's size byte 0x05 (`else`).
  expect_malformed(module({kTypeVoid, section(3, {0x02, 0x00, 0x00}),
                           section(10, {0x02, 0x02, 0x00, 0x01, 0x05, 0x00, 0x41, 0x01, 0x1A, 0x0B})}),
                   "END opcode expected");
  // A body missing `end` followed by another section.
  expect_malformed(module({kTypeVoid, kOneFunc, section(10, {0x01, 0x02, 0x00, 0x01}), section(11, {0x00})}),
                   "section size mismatch");
}

TEST(DecoderFraming, ErrorOffsetsAreAbsolute) {
  Bytes bytes = module({kTypeVoid, section(2, cat({{0x01}, str("m"), str("x"), {0x07}}))});
  auto r = decode(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "malformed import kind");
  EXPECT_EQ(r.error().offset, bytes.size() - 1);
}

// ---- Hostile lengths ----------------------------------------------------------

TEST(DecoderHostile, FourBillionFunctionsFailFast) {
  Bytes bytes = module({section(3, {0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00})});
  ASSERT_LT(bytes.size(), 20u);
  auto start = std::chrono::steady_clock::now();
  expect_malformed(bytes, "length out of bounds");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));
}

TEST(DecoderHostile, HugeCountsEverywhere) {
  const Bytes kHuge = {0xFF, 0xFF, 0xFF, 0xFF, 0x0F};
  for (uint8_t id : {1, 2, 3, 4, 5, 6, 7, 9, 10, 11}) {
    auto r = decode(module({section(id, cat({kHuge, {0x00}}))}));
    EXPECT_FALSE(r.ok()) << int(id);
    EXPECT_EQ(r.error().phase, Phase::Malformed);
  }
  // A huge br_table inside a body, a huge local run count, huge data size.
  expect_malformed(module({kTypeVoid, kOneFunc, section(10, cat({{0x01, 0x0A, 0x02}, kHuge, {0x7F, 0x01, 0x7E, 0x0B}}))}),
                   "too many locals");
  expect_malformed(module({section(11, cat({{0x01, 0x01}, kHuge}))}), "length out of bounds");
}

TEST(DecoderHostile, TruncationAtEveryOffset) {
  Bytes elems = {0x02, 0x00, 0x41, 0x00, 0x0B, 0x01, 0x00, 0x05, 0x70, 0x01, 0xD2, 0x00, 0x0B};
  Bytes body = {0x01, 0x01, 0x7F, 0x02, 0x40, 0x41, 0x00, 0x0E, 0x01, 0x00, 0x00, 0x0B, 0x0B};
  std::vector<Bytes> sections = {
      section(0, cat({str("c"), {9, 9}})),
      section(1, {0x01, 0x60, 0x01, 0x7F, 0x01, 0x7F}),
      section(2, cat({{0x01}, str("env"), str("g"), {0x03, 0x7F, 0x00}})),
      section(3, {0x01, 0x00}),
      section(4, {0x01, 0x70, 0x00, 0x02}),
      section(5, {0x01, 0x00, 0x01}),
      section(6, {0x01, 0x7E, 0x01, 0x42, 0x80, 0x01, 0x0B}),
      section(7, cat({{0x01}, str("f"), {0x00, 0x01}})),
      section(9, elems),
      section(12, {0x01}),
      section(10, cat({{0x01}, leb(body.size()), body})),
      section(11, {0x01, 0x01, 0x02, 'x', 'y'}),
      section(0, cat({str("name"), {0x01, 0x04, 0x01, 0x01, 0x01, 'f'}})),
  };
  Bytes full = kHeader;
  std::set<size_t> boundaries = {kHeader.size()};
  for (const Bytes& s : sections) {
    full.insert(full.end(), s.begin(), s.end());
    boundaries.insert(full.size());
  }
  ASSERT_TRUE(decode(full).ok()) << decode(full).error().message;
  for (size_t n = 0; n < full.size(); ++n) {
    Bytes prefix(full.begin(), full.begin() + n);
    auto r = decode(prefix);
    if (r.ok()) {
      // Only a cut between sections leaves a well-formed module, and then
      // only when the function/code and data-count checks still agree.
      EXPECT_TRUE(boundaries.count(n)) << "prefix of " << n << " bytes decoded";
    } else {
      EXPECT_EQ(r.error().phase, Phase::Malformed) << n;
      EXPECT_LE(r.error().offset, n) << n;
    }
  }
}

// A module shaped like a Go build: thousands of functions and 100,000 data
// segments. Decoding must stay linear; the bound is loose enough for
// sanitizer builds and only catches pathological behaviour.
TEST(DecoderHostile, LargeModuleDecodesQuickly) {
  constexpr uint32_t kFuncs = 5000;
  constexpr uint32_t kSegments = 100000;
  Bytes body = {0x01, 0x02, 0x7F};  // two i32 locals
  for (int i = 0; i < 60; ++i) {
    Bytes chunk = {0x20, 0x00, 0x41, 0x05, 0x6A, 0x21, 0x01};  // local.get, i32.const, add, local.set
    body.insert(body.end(), chunk.begin(), chunk.end());
  }
  body.insert(body.end(), {0x20, 0x01, 0x0B});
  Bytes funcs = leb(kFuncs);
  Bytes code = leb(kFuncs);
  for (uint32_t i = 0; i < kFuncs; ++i) {
    funcs.push_back(0x00);
    Bytes size = leb(body.size());
    code.insert(code.end(), size.begin(), size.end());
    code.insert(code.end(), body.begin(), body.end());
  }
  Bytes data = leb(kSegments);
  for (uint32_t i = 0; i < kSegments; ++i) {
    Bytes offset = leb(i * 16);
    data.insert(data.end(), {0x00, 0x41});
    // i32.const takes a signed LEB128; keep the values positive.
    Bytes s = offset;
    if (s.back() & 0x40) {
      s.back() |= 0x80;
      s.push_back(0x00);
    }
    data.insert(data.end(), s.begin(), s.end());
    data.insert(data.end(), {0x0B, 0x08, 1, 2, 3, 4, 5, 6, 7, 8});
  }
  Bytes bytes = module({section(1, {0x01, 0x60, 0x01, 0x7F, 0x01, 0x7F}), section(3, funcs),
                        section(5, {0x01, 0x00, 0x40}), section(10, code), section(11, data)});
  auto start = std::chrono::steady_clock::now();
  auto r = decode(bytes);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->code.size(), kFuncs);
  EXPECT_EQ(r->datas.size(), kSegments);
  EXPECT_LT(elapsed, std::chrono::seconds(2)) << bytes.size() << " bytes";
}

// ---- Name section -------------------------------------------------------------

Bytes name_section(std::initializer_list<Bytes> subsections) {
  Bytes content = str("name");
  for (const Bytes& s : subsections) content.insert(content.end(), s.begin(), s.end());
  return section(0, content);
}

TEST(DecoderNames, ModuleFunctionAndLocalNames) {
  Bytes module_name = section(0, str("mod"));
  Bytes func_names = section(1, cat({{0x02}, {0x00}, str("start"), {0x01}, str("helper")}));
  Bytes local_names = section(2, cat({{0x01, 0x00, 0x02}, {0x00}, str("x"), {0x01}, str("y")}));
  Bytes unknown_sub = section(7, {1, 2, 3});
  auto r = decode(module({kTypeVoid, kOneFunc, kOneEmptyBody,
                          name_section({module_name, func_names, local_names, unknown_sub})}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->names.module_name, "mod");
  EXPECT_EQ(r->names.functions.at(0), "start");
  EXPECT_EQ(r->names.functions.at(1), "helper");
  EXPECT_EQ(r->names.locals.at(0).at(1), "y");
}

TEST(DecoderNames, MalformedNameSectionIsIgnored) {
  Bytes good_funcs = section(1, cat({{0x01, 0x00}, str("f")}));
  Bytes bad_locals = section(2, {0x05, 0x00});                        // count too large
  Bytes bad_utf8 = section(0, {0x02, 0xC0, 0x80});                    // module name not UTF-8
  Bytes truncated = {0x01, 0x40, 0x01};                               // size past the end
  auto r = decode(module({name_section({good_funcs, bad_locals, bad_utf8, truncated})}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->names.functions.at(0), "f");
  EXPECT_TRUE(r->names.locals.empty());
  EXPECT_TRUE(r->names.module_name.empty());
  // A name section that is nothing but garbage.
  auto g = decode(module({section(0, cat({str("name"), {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}}))}));
  ASSERT_TRUE(g.ok()) << g.error().message;
}

// ---- LEB128 -----------------------------------------------------------------------

struct LebCase {
  Bytes bytes;
  bool ok;
  int64_t value;
  const char* error;
};

TEST(DecoderLeb, Unsigned32) {
  const LebCase cases[] = {
      {{0x00}, true, 0, nullptr},
      {{0x80, 0x00}, true, 0, nullptr},
      {{0xFF, 0xFF, 0xFF, 0xFF, 0x0F}, true, 0xFFFFFFFF, nullptr},
      {{0x80, 0x80, 0x80, 0x80, 0x00}, true, 0, nullptr},
      {{0xFF, 0xFF, 0xFF, 0xFF, 0x1F}, false, 0, "integer too large"},
      {{0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, false, 0, "integer representation too long"},
      {{0x80, 0x80}, false, 0, "unexpected end"},
  };
  for (const LebCase& c : cases) {
    Reader r(c.bytes.data(), c.bytes.size());
    uint32_t v = 0;
    ASSERT_EQ(r.u32(v), c.ok) << r.error().message;
    if (c.ok) {
      EXPECT_EQ(v, static_cast<uint32_t>(c.value));
      EXPECT_TRUE(r.at_end());
    } else {
      EXPECT_EQ(r.error().message, c.error);
    }
  }
}

TEST(DecoderLeb, Signed) {
  struct SCase {
    int bits;
    Bytes bytes;
    bool ok;
    int64_t value;
    const char* error;
  };
  const SCase cases[] = {
      {32, {0x7F}, true, -1, nullptr},
      {32, {0x3F}, true, 63, nullptr},
      {32, {0xC0, 0x00}, true, 64, nullptr},
      {32, {0xFF, 0xFF, 0xFF, 0xFF, 0x07}, true, INT32_MAX, nullptr},
      {32, {0x80, 0x80, 0x80, 0x80, 0x78}, true, INT32_MIN, nullptr},
      {32, {0xFF, 0xFF, 0xFF, 0xFF, 0x0F}, false, 0, "integer too large"},
      {32, {0x80, 0x80, 0x80, 0x80, 0x70}, false, 0, "integer too large"},
      {32, {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F}, false, 0, "integer representation too long"},
      {33, {0xFF, 0xFF, 0xFF, 0xFF, 0x0F}, true, 0xFFFFFFFF, nullptr},
      {33, {0x80, 0x80, 0x80, 0x80, 0x70}, true, -(int64_t{1} << 32), nullptr},
      {33, {0x80, 0x80, 0x80, 0x80, 0x10}, false, 0, "integer too large"},
      {64, {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00}, true, INT64_MAX, nullptr},
      {64, {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7F}, true, INT64_MIN, nullptr},
      {64, {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}, false, 0, "integer too large"},
      {64, {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, false, 0,
       "integer representation too long"},
  };
  for (const SCase& c : cases) {
    Reader r(c.bytes.data(), c.bytes.size());
    int64_t v = 0;
    bool ok = false;
    if (c.bits == 32) {
      int32_t v32 = 0;
      ok = r.s32(v32);
      v = v32;
    } else if (c.bits == 33) {
      ok = r.s33(v);
    } else {
      ok = r.s64(v);
    }
    ASSERT_EQ(ok, c.ok) << c.bits << " " << r.error().message;
    if (c.ok) {
      EXPECT_EQ(v, c.value) << c.bits;
    } else {
      EXPECT_EQ(r.error().message, c.error) << c.bits;
    }
  }
}

// ---- Instructions ---------------------------------------------------------------

bool read_one(const Bytes& b, Instr& in, std::string* error = nullptr) {
  Reader r(b.data(), b.size());
  bool ok = read_instruction(r, in);
  if (!ok && error) *error = r.error().message;
  if (ok) {
    EXPECT_TRUE(r.at_end()) << "trailing bytes after " << op_name(in.op);
  }
  return ok;
}

std::string read_error(const Bytes& b) {
  Instr in;
  std::string error;
  EXPECT_FALSE(read_one(b, in, &error));
  return error;
}

TEST(DecoderInstr, Immediates) {
  Instr in;
  ASSERT_TRUE(read_one({0x41, 0x7F}, in));
  EXPECT_EQ(in.op, Op::I32Const);
  EXPECT_EQ(static_cast<int64_t>(in.bits), -1);
  ASSERT_TRUE(read_one({0x42, 0x80, 0x01}, in));
  EXPECT_EQ(in.bits, 128u);
  ASSERT_TRUE(read_one({0x43, 0x00, 0x00, 0x80, 0x3F}, in));
  EXPECT_EQ(in.bits, 0x3F800000u);
  ASSERT_TRUE(read_one({0x44, 1, 2, 3, 4, 5, 6, 7, 8}, in));
  EXPECT_EQ(in.bits, 0x0807060504030201u);
  ASSERT_TRUE(read_one({0x28, 0x02, 0x10}, in));
  EXPECT_EQ(in.mem.align_log2, 2u);
  EXPECT_EQ(in.mem.offset, 16u);
  ASSERT_TRUE(read_one({0x11, 0x03, 0x01}, in));
  EXPECT_EQ(in.index, 3u);
  EXPECT_EQ(in.index2, 1u);
  ASSERT_TRUE(read_one({0x0E, 0x02, 0x00, 0x01, 0x02}, in));
  EXPECT_EQ(in.br_targets, (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(in.index, 2u);
  ASSERT_TRUE(read_one({0xD0, 0x6F}, in));
  EXPECT_EQ(in.ref_type, ValType::ExternRef);
  ASSERT_TRUE(read_one({0x1C, 0x01, 0x7E}, in));
  EXPECT_EQ(in.select_arity, 1u);
  EXPECT_EQ(in.ref_type, ValType::I64);
  ASSERT_TRUE(read_one({0x1C, 0x02, 0x7F, 0x7F}, in));  // arity is checked by the validator
  EXPECT_EQ(in.select_arity, 2u);
  ASSERT_TRUE(read_one({0xFC, 0x08, 0x05, 0x00}, in));
  EXPECT_EQ(in.op, Op::MemoryInit);
  EXPECT_EQ(in.index, 5u);
  ASSERT_TRUE(read_one({0xFC, 0x0E, 0x01, 0x02}, in));
  EXPECT_EQ(in.op, Op::TableCopy);
  ASSERT_TRUE(read_one({0xFD, 0x80, 0x01}, in));  // prefixed code is a LEB128 u32
  EXPECT_EQ(in.op, Op::I16x8Abs);
  Bytes shuffle = {0xFD, 0x0D};
  for (uint8_t i = 0; i < 16; ++i) shuffle.push_back(i);
  ASSERT_TRUE(read_one(shuffle, in));
  EXPECT_EQ(in.v128[15], 15);
  ASSERT_TRUE(read_one({0xFD, 0x54, 0x00, 0x00, 0x03}, in));  // v128.load8_lane
  EXPECT_EQ(in.lane, 3);
}

TEST(DecoderInstr, BlockTypes) {
  Instr in;
  ASSERT_TRUE(read_one({0x02, 0x40}, in));
  EXPECT_EQ(in.block.kind, BlockType::Kind::Empty);
  ASSERT_TRUE(read_one({0x03, 0x7C}, in));
  EXPECT_EQ(in.block.kind, BlockType::Kind::Value);
  EXPECT_EQ(in.block.value, ValType::F64);
  ASSERT_TRUE(read_one({0x04, 0x85, 0x01}, in));
  EXPECT_EQ(in.block.kind, BlockType::Kind::TypeIndex);
  EXPECT_EQ(in.block.type_index, 133u);
  EXPECT_EQ(read_error({0x02, 0x50}), "malformed value type");
  EXPECT_EQ(read_error({0x02, 0xC0, 0x7F}), "malformed block type");
}

TEST(DecoderInstr, Errors) {
  EXPECT_EQ(read_error({0x06}), "illegal opcode");
  EXPECT_EQ(read_error({0xFC, 0x12}), "illegal opcode");
  EXPECT_EQ(read_error({0xFD, 0x80, 0x80, 0x04}), "illegal opcode");
  EXPECT_EQ(read_error({0x40, 0x01}), "zero byte expected");
  EXPECT_EQ(read_error({0x3F, 0x80, 0x00}), "zero byte expected");
  EXPECT_EQ(read_error({0xFC, 0x0A, 0x00, 0x01}), "zero byte expected");
  EXPECT_EQ(read_error({0xFC, 0x08, 0x00, 0x01}), "zero byte expected");
  EXPECT_EQ(read_error({0x28, 0x20, 0x00}), "malformed memop flags");
  EXPECT_EQ(read_error({0x28, 0x40, 0x00}), "malformed memop flags");
  EXPECT_EQ(read_error({0xD0, 0x7F}), "malformed reference type");
  EXPECT_EQ(read_error({0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}), "integer representation too long");
  EXPECT_EQ(read_error({0x0E, 0x05, 0x00}), "length out of bounds");
  EXPECT_EQ(read_error({0x44, 0x00, 0x00}), "unexpected end");
}


// read_instruction_inline decodes the common shapes itself and must agree
// with read_instruction on everything: each one-byte opcode followed by
// immediates of every LEB128 length (over-long and out-of-range encodings
// included), cut off at every length.
TEST(DecoderInstr, InlinePathAgreesWithReadInstruction) {
  std::vector<Bytes> tails = {{}, {0x00}, {0x7F}, {0x40}, {0x3F}};
  for (uint64_t v : {uint64_t{0x80}, uint64_t{0x3FFF}, uint64_t{0x2000}, uint64_t{0x1FFFFF}, uint64_t{0x0FFFFFFF},
                     uint64_t{0xFFFFFFFF}, uint64_t{0x1FFFFFFFFF}}) {
    tails.push_back(leb(v));
  }
  tails.push_back({0x80, 0x80, 0x80, 0x80, 0x80, 0x00});  // over-long
  tails.push_back({0xFF, 0xFF, 0xFF, 0xFF, 0x7F});          // signed -1 in 5 bytes
  tails.push_back({0x80, 0x80, 0x80, 0x80, 0x10});          // u32 out of range
  int compared = 0;
  for (int op = 0; op < 256; ++op) {
    for (const Bytes& first : tails) {
      for (const Bytes& second : tails) {
        Bytes full = cat({{static_cast<uint8_t>(op)}, first, second, {0x0B}});
        for (size_t len = 1; len <= full.size(); ++len) {
          Reader a(full.data(), len, 100), b(full.data(), len, 100);
          Instr ia, ib;
          const bool ok_a = read_instruction(a, ia);
          const bool ok_b = read_instruction_inline(b, ib);
          ASSERT_EQ(ok_a, ok_b) << "opcode " << op << " length " << len;
          ++compared;
          if (!ok_a) {
            EXPECT_EQ(a.error().message, b.error().message) << "opcode " << op;
            EXPECT_EQ(a.error().offset, b.error().offset) << "opcode " << op;
            continue;
          }
          ASSERT_EQ(a.offset(), b.offset()) << "opcode " << op << " length " << len;
          EXPECT_EQ(ia.op, ib.op);
          EXPECT_EQ(ia.offset, ib.offset);
          const ImmKind imm = kOpcodeTables.single[op].imm;
          if (imm == ImmKind::I32 || imm == ImmKind::I64) {
            EXPECT_EQ(ia.bits, ib.bits) << "opcode " << op;
          }
          if (imm == ImmKind::Local || imm == ImmKind::Global || imm == ImmKind::Func || imm == ImmKind::Label) {
            EXPECT_EQ(ia.index, ib.index) << "opcode " << op;
          }
          if (imm == ImmKind::MemArg) {
            EXPECT_EQ(ia.mem.align_log2, ib.mem.align_log2);
            EXPECT_EQ(ia.mem.offset, ib.mem.offset);
            EXPECT_EQ(ia.mem.memory, ib.mem.memory);
          }
        }
      }
    }
  }
  EXPECT_GT(compared, 100000);
}

}  // namespace
}  // namespace wasmrt
