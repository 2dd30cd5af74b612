// Validator tests: module-level rules, body typing, every error message the
// spec suite expects, side-table contents, deep nesting without host stack
// growth, and malformed-beats-invalid. Modules are built from bytes with a
// small builder so each test states exactly the encoding it exercises.
#include <pthread.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/binary/decoder.h"
#include "runtime/text/wat.h"
#include "runtime/valid/body_decoder.h"
#include "runtime/valid/validator.h"

namespace wasmrt {
namespace {

using Bytes = std::vector<uint8_t>;

void put_leb(Bytes& out, uint32_t v) {
  do {
    uint8_t b = v & 0x7F;
    v >>= 7;
    if (v) b |= 0x80;
    out.push_back(b);
  } while (v);
}

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes str(const std::string& s) {
  Bytes out;
  put_leb(out, static_cast<uint32_t>(s.size()));
  out.insert(out.end(), s.begin(), s.end());
  return out;
}

constexpr uint8_t I32 = 0x7F, I64 = 0x7E, FUNCREF = 0x70, EXTERNREF = 0x6F;

Bytes functype(Bytes params, Bytes results) {
  Bytes out{0x60};
  put_leb(out, static_cast<uint32_t>(params.size()));
  out.insert(out.end(), params.begin(), params.end());
  put_leb(out, static_cast<uint32_t>(results.size()));
  out.insert(out.end(), results.begin(), results.end());
  return out;
}

// A module assembled section by section; empty sections are omitted.
struct Mod {
  std::vector<Bytes> types{functype({}, {})};
  std::vector<Bytes> imports, tables, memories, globals, exports, elems, datas;
  std::vector<uint32_t> funcs;
  std::vector<Bytes> bodies;  // locals + code, without the size
  std::optional<uint32_t> start, datacount;

  // Adds a function of type `type` with no locals; `code` must end in 0x0B.
  uint32_t func(uint32_t type, Bytes code, Bytes locals = {0x00}) {
    funcs.push_back(type);
    bodies.push_back(cat({locals, code}));
    return static_cast<uint32_t>(funcs.size() - 1);
  }

  static void section(Bytes& out, uint8_t id, const std::vector<Bytes>& items) {
    if (items.empty()) return;
    Bytes content;
    put_leb(content, static_cast<uint32_t>(items.size()));
    for (const Bytes& i : items) content.insert(content.end(), i.begin(), i.end());
    out.push_back(id);
    put_leb(out, static_cast<uint32_t>(content.size()));
    out.insert(out.end(), content.begin(), content.end());
  }

  Bytes build() const {
    Bytes out{0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
    section(out, 1, types);
    section(out, 2, imports);
    std::vector<Bytes> fs;
    for (uint32_t f : funcs) {
      Bytes b;
      put_leb(b, f);
      fs.push_back(b);
    }
    section(out, 3, fs);
    section(out, 4, tables);
    section(out, 5, memories);
    section(out, 6, globals);
    section(out, 7, exports);
    if (start) {
      Bytes b;
      put_leb(b, *start);
      out.push_back(8);
      put_leb(out, static_cast<uint32_t>(b.size()));
      out.insert(out.end(), b.begin(), b.end());
    }
    section(out, 9, elems);
    if (datacount) {
      Bytes b;
      put_leb(b, *datacount);
      out.push_back(12);
      put_leb(out, static_cast<uint32_t>(b.size()));
      out.insert(out.end(), b.begin(), b.end());
    }
    std::vector<Bytes> code;
    for (const Bytes& body : bodies) {
      Bytes b;
      put_leb(b, static_cast<uint32_t>(body.size()));
      b.insert(b.end(), body.begin(), body.end());
      code.push_back(b);
    }
    section(out, 10, code);
    section(out, 11, datas);
    return out;
  }
};

Result<void> check(const Mod& mod) {
  auto m = decode_module(mod.build());
  if (!m.ok()) return std::move(m).error();
  return validate_module(*m);
}

// Expects failure in `phase` with a message starting with `prefix`.
::testing::AssertionResult fails_with(const Mod& mod, Phase phase, const std::string& prefix) {
  Result<void> r = check(mod);
  if (r.ok()) return ::testing::AssertionFailure() << "validated, expected \"" << prefix << "\"";
  if (r.error().phase != phase || r.error().message.rfind(prefix, 0) != 0)
    return ::testing::AssertionFailure() << "got " << phase_name(r.error().phase) << " \""
                                         << r.error().message << "\", expected \"" << prefix << "\"";
  return ::testing::AssertionSuccess();
}
::testing::AssertionResult invalid(const Mod& mod, const std::string& prefix) {
  return fails_with(mod, Phase::Invalid, prefix);
}

// One function [params] -> [results] with `code`.
Mod one_func(Bytes params, Bytes results, Bytes code, Bytes locals = {0x00}) {
  Mod m;
  m.types = {functype(std::move(params), std::move(results))};
  m.func(0, std::move(code), std::move(locals));
  return m;
}

Bytes mem_1() {
  return {0x00, 0x01};
}  // memory: min 1, no max

TEST(Validator, AcceptsSimpleFunctions) {
  EXPECT_TRUE(check(one_func({}, {I32}, {0x41, 0x01, 0x0B})).ok());
  EXPECT_TRUE(check(one_func({I32, I32}, {I32}, {0x20, 0x00, 0x20, 0x01, 0x6A, 0x0B})).ok());
  // Multi-value block: (block (param i32) (result i32 i32) dup via local.tee).
  Mod m;
  m.types = {functype({}, {I32, I32}), functype({I32}, {I32, I32})};
  m.func(0, {0x41, 0x05, 0x02, 0x01, 0x22, 0x00, 0x20, 0x00, 0x0B, 0x0B}, {0x01, 0x01, I32});
  EXPECT_TRUE(check(m).ok());
  // Dead code is polymorphic: unreachable then i32.add then select.
  EXPECT_TRUE(check(one_func({}, {I32}, {0x00, 0x6A, 0x1B, 0x0B})).ok());
  EXPECT_TRUE(check(one_func({}, {I64}, {0x42, 0x00, 0x0F, 0x0B})).ok());
  EXPECT_TRUE(invalid(one_func({}, {I64}, {0x0F, 0x0B}), "type mismatch"));
}

TEST(Validator, TypeMismatch) {
  EXPECT_TRUE(invalid(one_func({}, {I32}, {0x42, 0x01, 0x0B}), "type mismatch"));
  EXPECT_TRUE(invalid(one_func({}, {}, {0x41, 0x01, 0x0B}), "type mismatch"));
  EXPECT_TRUE(invalid(one_func({}, {I32}, {0x0B}), "type mismatch"));
  // if without else whose params differ from results.
  EXPECT_TRUE(invalid(one_func({}, {I32}, {0x41, 0x00, 0x04, I32, 0x41, 0x01, 0x0B, 0x0B}), "type mismatch"));
  // br_table targets of different arity.
  EXPECT_TRUE(invalid(one_func({}, {},
                               {0x02, 0x40, 0x02, I32, 0x41, 0x00, 0x41, 0x00, 0x0E, 0x01, 0x00, 0x01, 0x0B,
                                0x1A, 0x0B, 0x0B}),
                      "type mismatch"));
  // select on references needs the typed form.
  EXPECT_TRUE(invalid(one_func({}, {}, {0xD0, FUNCREF, 0xD0, FUNCREF, 0x41, 0x00, 0x1B, 0x1A, 0x0B}),
                      "type mismatch"));
  // Block params are popped from the outer stack.
  Mod m;
  m.types = {functype({}, {}), functype({I32}, {})};
  m.func(0, {0x02, 0x01, 0x1A, 0x0B, 0x0B});
  EXPECT_TRUE(invalid(m, "type mismatch"));
}

TEST(Validator, UnknownIndexMessages) {
  EXPECT_TRUE(invalid(one_func({}, {}, {0x20, 0x02, 0x1A, 0x0B}), "unknown local 2"));
  EXPECT_TRUE(invalid(one_func({}, {}, {0x23, 0x03, 0x1A, 0x0B}), "unknown global 3"));
  EXPECT_TRUE(invalid(one_func({}, {}, {0x10, 0x07, 0x0B}), "unknown function 7"));
  EXPECT_TRUE(invalid(one_func({}, {}, {0x41, 0x00, 0x25, 0x00, 0x1A, 0x0B}), "unknown table 0"));
  EXPECT_TRUE(invalid(one_func({}, {}, {0x41, 0x00, 0x28, 0x02, 0x00, 0x1A, 0x0B}), "unknown memory 0"));
  EXPECT_TRUE(invalid(one_func({}, {}, {0x02, 0x05, 0x0B, 0x0B}), "unknown type"));
  EXPECT_TRUE(invalid(one_func({}, {}, {0x0C, 0x01, 0x0B}), "unknown label"));
  EXPECT_TRUE(invalid(one_func({}, {}, {0xFC, 0x0D, 0x04, 0x0B}), "unknown elem segment 4"));
  Mod data = one_func({}, {}, {0xFC, 0x09, 0x01, 0x0B});
  data.datacount = 1;
  data.memories = {mem_1()};
  data.datas = {Bytes{0x01, 0x00}};
  EXPECT_TRUE(invalid(data, "unknown data segment 1"));
  Mod func_type = one_func({}, {}, {0x0B});
  func_type.funcs[0] = 9;
  EXPECT_TRUE(invalid(func_type, "unknown type"));
}

TEST(Validator, InstructionRuleMessages) {
  Mod align = one_func({}, {}, {0x41, 0x00, 0x28, 0x03, 0x00, 0x1A, 0x0B});
  align.memories = {mem_1()};
  EXPECT_TRUE(invalid(align, "alignment must not be larger than natural"));
  // i8x16.extract_lane_s 16 (v128.const first).
  Bytes v128_const{0xFD, 0x0C};
  v128_const.insert(v128_const.end(), 16, 0x00);
  EXPECT_TRUE(
      invalid(one_func({}, {}, cat({v128_const, {0xFD, 0x15, 0x10, 0x1A, 0x0B}})), "invalid lane index"));
  Mod immutable = one_func({}, {}, {0x41, 0x00, 0x24, 0x00, 0x0B});
  immutable.globals = {Bytes{I32, 0x00, 0x41, 0x00, 0x0B}};
  EXPECT_TRUE(invalid(immutable, "global is immutable"));
  EXPECT_TRUE(invalid(one_func({}, {}, {0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0x1C, 0x00, 0x0B}),
                      "invalid result arity"));
  EXPECT_TRUE(invalid(one_func({}, {}, {0xD2, 0x00, 0x1A, 0x0B}), "undeclared function reference"));
  // Declared through an export: now allowed.
  Mod declared = one_func({}, {}, {0xD2, 0x00, 0x1A, 0x0B});
  declared.exports = {cat({str("f"), {0x00, 0x00}})};
  EXPECT_TRUE(check(declared).ok());
}

TEST(Validator, ModuleRuleMessages) {
  Mod dup = one_func({}, {}, {0x0B});
  dup.exports = {cat({str("a"), {0x00, 0x00}}), cat({str("a"), {0x00, 0x00}})};
  EXPECT_TRUE(invalid(dup, "duplicate export name"));

  Mod start = one_func({I32}, {}, {0x0B});
  start.start = 0;
  EXPECT_TRUE(invalid(start, "start function"));
  Mod start_unknown = one_func({}, {}, {0x0B});
  start_unknown.start = 3;
  EXPECT_TRUE(invalid(start_unknown, "unknown function 3"));

  Mod mems;
  mems.memories = {mem_1(), mem_1()};
  EXPECT_TRUE(invalid(mems, "multiple memories"));
  Mod tables;  // several tables are fine in Wasm 2.0
  tables.tables = {Bytes{FUNCREF, 0x00, 0x00}, Bytes{EXTERNREF, 0x00, 0x00}};
  EXPECT_TRUE(check(tables).ok());

  Mod min_max;
  min_max.memories = {Bytes{0x01, 0x02, 0x01}};
  EXPECT_TRUE(invalid(min_max, "size minimum must not be greater than maximum"));
  Mod table_min_max;
  table_min_max.tables = {Bytes{FUNCREF, 0x01, 0x02, 0x01}};
  EXPECT_TRUE(invalid(table_min_max, "size minimum must not be greater than maximum"));
  Mod big;
  big.memories = {Bytes{0x00, 0x81, 0x80, 0x04}};  // 65537 pages
  EXPECT_TRUE(invalid(big, "memory size must be at most 65536 pages (4GiB)"));

  Mod const_expr;
  const_expr.globals = {Bytes{I32, 0x00, 0x41, 0x00, 0x45, 0x0B}};  // i32.eqz is not constant
  EXPECT_TRUE(invalid(const_expr, "constant expression required"));
  Mod global_type;
  global_type.globals = {Bytes{I32, 0x00, 0x42, 0x00, 0x0B}};
  EXPECT_TRUE(invalid(global_type, "type mismatch"));
  Mod global_order;  // only imported globals are visible in Wasm 2.0
  global_order.globals = {Bytes{I32, 0x00, 0x41, 0x00, 0x0B}, Bytes{I32, 0x00, 0x23, 0x00, 0x0B}};
  EXPECT_TRUE(invalid(global_order, "unknown global 0"));
  Mod imported_global;
  imported_global.imports = {cat({str("m"), str("g"), {0x03, I32, 0x00}})};
  imported_global.globals = {Bytes{I32, 0x00, 0x23, 0x00, 0x0B}};
  EXPECT_TRUE(check(imported_global).ok());
  Mod mutable_import;
  mutable_import.imports = {cat({str("m"), str("g"), {0x03, I32, 0x01}})};
  mutable_import.globals = {Bytes{I32, 0x00, 0x23, 0x00, 0x0B}};
  EXPECT_TRUE(invalid(mutable_import, "constant expression required"));

  Mod elem_table;
  elem_table.elems = {Bytes{0x00, 0x41, 0x00, 0x0B, 0x00}};  // active, table 0 absent
  EXPECT_TRUE(invalid(elem_table, "unknown table 0"));
  Mod data_mem;
  data_mem.datas = {Bytes{0x00, 0x41, 0x00, 0x0B, 0x00}};
  EXPECT_TRUE(invalid(data_mem, "unknown memory 0"));
  Mod data_offset;
  data_offset.memories = {mem_1()};
  data_offset.datas = {Bytes{0x00, 0x42, 0x00, 0x0B, 0x00}};
  EXPECT_TRUE(invalid(data_offset, "type mismatch"));
}

TEST(Validator, DataCountRequiredIsMalformed) {
  Mod m = one_func({}, {}, {0xFC, 0x09, 0x00, 0x0B});
  m.memories = {mem_1()};
  m.datas = {Bytes{0x01, 0x00}};
  EXPECT_TRUE(fails_with(m, Phase::Malformed, "data count section required"));
}

TEST(Validator, MalformedBeatsInvalid) {
  // Function 0 is invalid (type mismatch); function 1 has an illegal opcode.
  Mod m;
  m.func(0, {0x41, 0x00, 0x0B});
  m.func(0, {0x01, 0xFF, 0x0B});
  EXPECT_TRUE(fails_with(m, Phase::Malformed, "illegal opcode"));
  // Invalid then malformed in the same body.
  EXPECT_TRUE(
      fails_with(one_func({}, {}, {0x41, 0x00, 0x01, 0x06, 0x0B}), Phase::Malformed, "illegal opcode"));
  // A module-level invalid error does not hide a malformed body.
  Mod dup;
  dup.func(0, {0x01, 0xFF, 0x0B});
  dup.exports = {cat({str("a"), {0x00, 0x00}}), cat({str("a"), {0x00, 0x00}})};
  EXPECT_TRUE(fails_with(dup, Phase::Malformed, "illegal opcode"));
  // Missing final end (the last byte closes an inner block): like the
  // reference interpreter, decoding runs on past the body to the input's end.
  EXPECT_TRUE(fails_with(one_func({}, {}, {0x02, 0x40, 0x0B}), Phase::Malformed, "unexpected end"));
  // Invalid errors carry the absolute offset of the instruction.
  Mod off = one_func({}, {I32}, {0x01, 0x42, 0x00, 0x0B});
  Result<void> r = check(off);
  ASSERT_FALSE(r.ok());
  Bytes bin = off.build();
  EXPECT_EQ(r.error().offset, bin.size() - 1);  // the final end
}

TEST(Validator, SideTableForControlFlow) {
  // (func (param i32) (result i32)
  //   block (result i32)          ; 0x00
  //     loop                      ; 0x02
  //       local.get 0  br_if 0    ; 0x04 0x06 -> loop body (0x04)
  //       local.get 0  if         ; 0x08 0x0A -> else arm (0x11)
  //         i32.const 7  br 2     ; 0x0C 0x0E -> after block (0x1C)
  //       else                    ; 0x10 -> after if (0x18)
  //         local.get 0 br_table 0 1   ; 0x11 0x13 -> 0x18, 0x04
  //       end end                 ; 0x17 0x18
  //     i32.const 5               ; 0x19
  //   end                         ; 0x1B
  //   return end)                 ; 0x1C 0x1D
  Mod mod = one_func({I32}, {I32}, {0x02, I32,  0x03, 0x40, 0x20, 0x00, 0x0D, 0x00, 0x20, 0x00,
                                    0x04, 0x40, 0x41, 0x07, 0x0C, 0x02, 0x05, 0x20, 0x00, 0x0E,
                                    0x01, 0x00, 0x01, 0x0B, 0x0B, 0x41, 0x05, 0x0B, 0x0F, 0x0B});
  auto m = decode_module(mod.build());
  ASSERT_TRUE(m.ok()) << m.error().message;
  ASSERT_TRUE(validate_module(*m).ok());
  ASSERT_TRUE(m->validated);
  ASSERT_EQ(m->side_tables.size(), 1u);
  const FuncSideTable& t = m->side_tables[0];
  const uint32_t base = m->code[0].code_begin;
  struct Want {
    uint32_t target, arity, drop, height;
  };
  const Want want[] = {
      {0x04, 0, 0, 0},  // br_if 0 -> loop body
      {0x11, 0, 0, 0},  // if -> else arm
      {0x1C, 1, 0, 1},  // br 2 -> after block
      {0x18, 0, 0, 0},  // else -> after if
      {0x18, 0, 0, 0},  // br_table label 0 (the if)
      {0x04, 0, 0, 0},  // br_table default 1 (the loop)
      {0x1E, 1, 0, 1},  // return -> code_end
  };
  ASSERT_EQ(t.branches.size(), std::size(want));
  for (size_t i = 0; i < std::size(want); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(t.branches[i].target - base, want[i].target);
    EXPECT_EQ(t.branches[i].arity, want[i].arity);
    EXPECT_EQ(t.branches[i].drop, want[i].drop);
    EXPECT_EQ(t.branches[i].height, want[i].height);
  }
  EXPECT_EQ(t.max_stack_height, 1u);
  EXPECT_EQ(t.max_control_depth, 4u);
  EXPECT_EQ(t.num_instrs, 17u);
  const uint32_t leaders[][2] = {{0x00, 0},  {0x04, 2},  {0x08, 4},  {0x0C, 6},  {0x10, 8}, {0x11, 9},
                                 {0x17, 11}, {0x18, 12}, {0x19, 13}, {0x1C, 15}, {0x1D, 16}};
  ASSERT_EQ(t.blocks.size(), std::size(leaders));
  uint32_t total = 0;
  for (size_t i = 0; i < std::size(leaders); ++i) {
    EXPECT_EQ(t.blocks[i].offset - base, leaders[i][0]) << i;
    EXPECT_EQ(t.blocks[i].first_instr, leaders[i][1]) << i;
    total += t.block_instr_count(i);
  }
  EXPECT_EQ(total, t.num_instrs);
}

TEST(Validator, BranchDropCounts) {
  // (func (result i32) i32.const 1 i64.const 2 block (result i32) f32.const 0 i32.const 3 br 0 end drop drop)
  Mod mod = one_func(
      {}, {I32},
      {0x41, 0x01, 0x42, 0x02, 0x02, I32, 0x43, 0, 0, 0, 0, 0x41, 0x03, 0x0C, 0x00, 0x0B, 0x1A, 0x1A, 0x0B});
  auto m = decode_module(mod.build());
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(validate_module(*m).ok());
  const FuncSideTable& t = m->side_tables[0];
  ASSERT_EQ(t.branches.size(), 1u);
  EXPECT_EQ(t.branches[0].arity, 1u);
  EXPECT_EQ(t.branches[0].drop, 1u);    // the f32
  EXPECT_EQ(t.branches[0].height, 3u);  // i32 i64 | i32
  EXPECT_EQ(t.max_stack_height, 4u);
}

// A second, non-validating walk receives resolved targets at the branch.
struct RecordingVisitor : NopVisitor {
  std::vector<uint32_t> targets;
  uint32_t instrs = 0;
  void on_instr(const Instr&, const InstrContext&) { ++instrs; }
  void on_if(const Instr&, const BlockSig&, const BranchEntry& e, const InstrContext&) {
    targets.push_back(e.target);
  }
  void on_else(const Instr&, const BranchEntry& e, const InstrContext&) { targets.push_back(e.target); }
  void on_branch(const Instr&, const BranchEntry* e, uint32_t n, const InstrContext&) {
    for (uint32_t i = 0; i < n; ++i) targets.push_back(e[i].target);
  }
};

TEST(Validator, SecondWalkConsumesSideTable) {
  Mod mod = one_func({I32}, {I32}, {0x02, I32,  0x03, 0x40, 0x20, 0x00, 0x0D, 0x00, 0x20, 0x00,
                                    0x04, 0x40, 0x41, 0x07, 0x0C, 0x02, 0x05, 0x20, 0x00, 0x0E,
                                    0x01, 0x00, 0x01, 0x0B, 0x0B, 0x41, 0x05, 0x0B, 0x0F, 0x0B});
  auto m = decode_module(mod.build());
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(validate_module(*m).ok());
  RecordingVisitor v;
  BodyDecoder<RecordingVisitor, false> walker(*m, v);
  FuncSideTable table = m->side_tables[0];
  ASSERT_TRUE(walker.decode(0, table)) << walker.error().message;
  ASSERT_EQ(v.targets.size(), table.branches.size());
  for (size_t i = 0; i < v.targets.size(); ++i) EXPECT_EQ(v.targets[i], table.branches[i].target);
  EXPECT_EQ(v.instrs, 5u);  // local.get x3, i32.const x2
}

struct DeepResult {
  bool ok = false;
  std::string message;
  uint32_t depth = 0;
};

void* validate_deep(void* arg) {
  auto* result = static_cast<DeepResult*>(arg);
  constexpr uint32_t kDepth = 100000;
  Bytes code;
  for (uint32_t i = 0; i < kDepth; ++i) code.insert(code.end(), {0x02, 0x40});
  code.insert(code.end(), kDepth + 1, 0x0B);
  auto m = decode_module(one_func({}, {}, code).build());
  if (!m.ok()) {
    result->message = m.error().message;
    return nullptr;
  }
  Result<void> r = validate_module(*m);
  result->ok = r.ok();
  if (!r.ok()) result->message = r.error().message;
  if (r.ok()) result->depth = m->side_tables[0].max_control_depth;
  return nullptr;
}

TEST(Validator, HundredThousandNestedBlocksOnSmallStack) {
  // Run on a 256 KiB stack: any recursion on nesting depth would overflow.
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  DeepResult result;
  pthread_t thread;
  ASSERT_EQ(pthread_create(&thread, &attr, validate_deep, &result), 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
  EXPECT_TRUE(result.ok) << result.message;
  EXPECT_EQ(result.depth, 100001u);
}

TEST(Validator, ElseOutsideIfIsMalformed) {
  EXPECT_TRUE(
      fails_with(one_func({}, {}, {0x02, 0x40, 0x05, 0x0B, 0x0B}), Phase::Malformed, "END opcode expected"));
}

TEST(Validator, RefFuncInElementsDeclares) {
  // A declarative element segment (flags 3) listing function 0.
  Mod m = one_func({}, {}, {0xD2, 0x00, 0x1A, 0x0B});
  m.elems = {Bytes{0x03, 0x00, 0x01, 0x00}};
  EXPECT_TRUE(check(m).ok());
}

// The same rules written as WAT, beyond what the spec suite covers.
Result<void> check_wat(std::string_view text) {
  auto bin = wat_to_binary(text);
  if (!bin.ok()) return std::move(bin).error();
  auto m = decode_module(std::move(*bin));
  if (!m.ok()) return std::move(m).error();
  return validate_module(*m);
}

struct WatCase {
  const char* wat;
  const char* expected;  // nullptr: valid
};

TEST(ValidatorWat, Cases) {
  const WatCase cases[] = {
      // Multi-value blocks, loops with params, if with params.
      {"(func (result i32 i64) (block (result i32 i64) (i32.const 1) (i64.const 2)))", nullptr},
      {"(func (param i32) (result i32) (local.get 0) (loop (param i32) (result i32) (i32.const 1) "
       "(i32.add)))",
       nullptr},
      {"(func (result i32) (i32.const 1) (i32.const 0) (if (param i32) (result i32) (then) (else (drop) "
       "(i32.const 2))))",
       nullptr},
      {"(func (result i32) (i32.const 1) (i32.const 0) (if (param i32) (result i32) (then (drop))))",
       "type mismatch"},
      {"(func (result i32) (block (result i64) (i64.const 0)))", "type mismatch"},
      // Branches carry the label's types; br_if leaves them on the stack.
      {"(func (result i32) (block (result i32) (i32.const 1) (i32.const 0) (br_if 0)))", nullptr},
      {"(func (result i32) (block (result i32) (i64.const 1) (i32.const 0) (br_if 0)))", "type mismatch"},
      {"(func (block (result i32) (i32.const 1) (br 0)) (drop))", nullptr},
      {"(func (block (result i32) (br 0)) (drop))", "type mismatch"},
      // br_table: all targets need the same arity; dead code is polymorphic.
      {"(func (block (result f32) (block (result i64) (unreachable) (br_table 0 1 (i32.const 0))) (drop) "
       "(f32.const 0)) (drop))",
       nullptr},
      {"(func (block (block (result i32) (i32.const 0) (i32.const 0) (br_table 0 1))) )", "type mismatch"},
      {"(func (br_table 0 1 (i32.const 0)))", "unknown label"},
      // Unreachable code still checks what it can see.
      {"(func (unreachable) (i64.const 0) (i32.add) (drop))", "type mismatch"},
      {"(func (result i32) (unreachable) (select))", nullptr},
      {"(func (return) (i32.const 0))", "type mismatch"},
      // Locals, globals, calls.
      {"(func (local i64) (local.set 0 (i64.const 1)) (local.set 1 (i32.const 0)))", "unknown local 1"},
      {"(global (mut i32) (i32.const 0)) (func (global.set 0 (i32.const 1)))", nullptr},
      {"(global i32 (i32.const 0)) (func (global.set 0 (i32.const 1)))", "global is immutable"},
      {"(func (call 1 (i32.const 0))) (func (param i64))", "type mismatch"},
      {"(type (func (param i32))) (table 1 funcref) (func (call_indirect (type 0) (i32.const 1) (i32.const "
       "0)))",
       nullptr},
      {"(type (func)) (table 1 externref) (func (call_indirect (type 0) (i32.const 0)))", "type mismatch"},
      {"(type (func)) (table 1 funcref) (func (call_indirect 1 (type 0) (i32.const 0)))", "unknown table 1"},
      // References and tables.
      {"(table 1 externref) (func (table.set 0 (i32.const 0) (ref.null func)))", "type mismatch"},
      {"(table 1 funcref) (table 1 externref) (func (table.copy 0 1 (i32.const 0) (i32.const 0) (i32.const "
       "0)))",
       "type mismatch"},
      {"(table 1 funcref) (elem externref) (func (table.init 0 0 (i32.const 0) (i32.const 0) (i32.const 0)))",
       "type mismatch"},
      {"(func (result i32) (ref.is_null (i32.const 0)))", "type mismatch"},
      {"(func $f (drop (ref.func $f))) (elem declare func $f)", nullptr},
      {"(func $f (drop (ref.func $f)))", "undeclared function reference"},
      {"(func $f) (global funcref (ref.func $f)) (func (drop (ref.func $f)))", nullptr},
      // Memory.
      {"(memory 1) (func (drop (i64.load32_u align=8 (i32.const 0))))",
       "alignment must not be larger than natural"},
      {"(memory 1) (func (drop (i64.load32_u align=4 (i32.const 0))))", nullptr},
      {"(func (drop (memory.size)))", "unknown memory 0"},
      {"(memory 1) (data \"\") (func (data.drop 0))", nullptr},
      {"(memory 1) (func (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 0))) (data \"\")", nullptr},
      // SIMD lanes.
      {"(func (result i32) (i32x4.extract_lane 3 (v128.const i64x2 0 0)))", nullptr},
      {"(func (result i32) (i32x4.extract_lane 4 (v128.const i64x2 0 0)))", "invalid lane index"},
      {"(memory 1) (func (result v128) (v128.load64_lane 2 (i32.const 0) (v128.const i64x2 0 0)))",
       "invalid lane index"},
      // Module-level rules.
      {"(func (export \"a\")) (func (export \"a\"))", "duplicate export name"},
      {"(func (param i32)) (start 0)", "start function"},
      {"(memory 2 1)", "size minimum must not be greater than maximum"},
      {"(memory 65537)", "memory size must be at most 65536 pages (4GiB)"},
      {"(memory 0 65536)", nullptr},
      {"(table 2 1 funcref)", "size minimum must not be greater than maximum"},
      {"(memory 1) (memory 1)", "multiple memories"},
      {"(table 1 funcref) (table 1 externref)", nullptr},
      {"(global i32 (i32.const 0)) (global i32 (global.get 0))", "unknown global 0"},
      {"(table 1 funcref) (elem (i64.const 0) func)", "type mismatch"},
      {"(table 1 funcref) (elem (i32.const 0) externref (ref.null extern))", "type mismatch"},
      {"(memory 1) (data (i32.add (i32.const 0) (i32.const 0)) \"\")", "constant expression required"},
      {"(export \"t\" (table 0))", "unknown table 0"},
  };
  for (const WatCase& c : cases) {
    SCOPED_TRACE(c.wat);
    Result<void> r = check_wat(c.wat);
    if (!c.expected) {
      EXPECT_TRUE(r.ok()) << r.error().message;
      continue;
    }
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().phase, Phase::Invalid) << r.error().message;
    EXPECT_EQ(r.error().message.rfind(c.expected, 0), 0u) << r.error().message;
  }
}

// Large modules have their bodies validated on two threads; whatever the
// bodies hold, the result and the first error must be the one-thread
// loop's: the first malformed body wins over any invalid one, else the
// first invalid body, in module order (ranges split by bytes, so 2,000
// bodies of about 200 bytes put body 1,000 near the split).
TEST(Validator, TwoThreadsGiveTheSameFirstErrorAsOne) {
  constexpr uint32_t kBodies = 2000;
  enum class Fault { None, Invalid, Malformed, InvalidThenMalformed };
  auto build = [&](const std::vector<std::pair<uint32_t, Fault>>& faults) {
    Mod mod;
    for (uint32_t i = 0; i < kBodies; ++i) {
      Bytes code;
      Fault fault = Fault::None;
      for (const auto& [at, what] : faults)
        if (at == i) fault = what;
      if (fault == Fault::Invalid || fault == Fault::InvalidThenMalformed) code.push_back(0x6A);  // i32.add, empty
      for (int k = 0; k < 60; ++k) code.insert(code.end(), {0x41, 0x01, 0x1A});  // i32.const 1, drop
      if (fault == Fault::Malformed || fault == Fault::InvalidThenMalformed) code.push_back(0xFF);  // illegal
      code.push_back(0x0B);
      mod.func(0, code);
    }
    return mod;
  };
  const std::vector<std::vector<std::pair<uint32_t, Fault>>> cases = {
      {},
      {{10, Fault::Invalid}},
      {{1500, Fault::Invalid}},
      {{10, Fault::Invalid}, {1500, Fault::Invalid}},
      {{999, Fault::Invalid}, {1000, Fault::Invalid}, {1001, Fault::Invalid}},
      {{10, Fault::Invalid}, {1500, Fault::Malformed}},
      {{1500, Fault::Invalid}, {1800, Fault::Malformed}},
      {{10, Fault::Malformed}, {1500, Fault::Invalid}},
      {{10, Fault::Malformed}, {1500, Fault::Malformed}},
      {{10, Fault::Invalid}, {1200, Fault::Invalid}, {1900, Fault::Malformed}},
      {{1500, Fault::InvalidThenMalformed}},
      {{10, Fault::InvalidThenMalformed}, {1500, Fault::Malformed}},
      {{10, Fault::Invalid}, {1500, Fault::InvalidThenMalformed}},
  };
  for (size_t c = 0; c < cases.size(); ++c) {
    const Bytes bytes = build(cases[c]).build();
    ASSERT_GT(bytes.size(), 300u * 1024) << "large enough for two threads";
    auto one = decode_module(bytes);
    auto two = decode_module(bytes);
    ASSERT_TRUE(one.ok() && two.ok());
    Result<void> sequential = validate_module(*one, BodyThreads::One);
    Result<void> parallel = validate_module(*two, BodyThreads::Two);
    ASSERT_EQ(parallel.ok(), sequential.ok()) << "case " << c;
    if (sequential.ok()) {
      EXPECT_TRUE(two->validated);
      ASSERT_EQ(two->side_tables.size(), one->side_tables.size());
      for (size_t i = 0; i < one->side_tables.size(); ++i) {
        EXPECT_EQ(two->side_tables[i].num_instrs, one->side_tables[i].num_instrs);
        EXPECT_EQ(two->side_tables[i].blocks.size(), one->side_tables[i].blocks.size());
      }
      continue;
    }
    EXPECT_EQ(parallel.error().phase, sequential.error().phase) << "case " << c;
    EXPECT_EQ(parallel.error().message, sequential.error().message) << "case " << c;
    EXPECT_EQ(parallel.error().offset, sequential.error().offset) << "case " << c;
    EXPECT_FALSE(two->validated);
  }
}

}  // namespace
}  // namespace wasmrt
