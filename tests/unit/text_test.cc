// Text format: lexer, numeric literals, module fields and abbreviations,
// instruction encodings, error messages and deep nesting.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "runtime/binary/decoder.h"
#include "runtime/text/lexer.h"
#include "runtime/text/numbers.h"
#include "runtime/text/wat.h"
#include "runtime/valid/validator.h"

namespace wasmrt {
namespace {

using text::TokenKind;

std::vector<uint8_t> wat(std::string_view source) {
  auto r = wat_to_binary(source);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string()) << "\n" << source;
  return r.ok() ? r.value() : std::vector<uint8_t>{};
}

std::string wat_error(std::string_view source) {
  auto r = wat_to_binary(source);
  if (r.ok()) return "<ok>";
  return r.error().message;
}

// Converts, decodes and validates.
void expect_valid(std::string_view source) {
  auto bytes = wat(source);
  auto module = decode_module(bytes);
  ASSERT_TRUE(module.ok()) << module.error().to_string() << "\n" << source;
  auto valid = validate_module(module.value());
  EXPECT_TRUE(valid.ok()) << valid.error().to_string() << "\n" << source;
}

// The bytes of the module after the 8-byte header.
std::vector<uint8_t> sections(std::string_view source) {
  auto bytes = wat(source);
  if (bytes.size() < 8) return {};
  return std::vector<uint8_t>(bytes.begin() + 8, bytes.end());
}

// ------------------------------------------------------------------ lexer

TEST(Lexer, TokenKindsAndPositions) {
  auto tokens = text::tokenize("(module $m\n  (func \"a\\41\\u{263a}\" 12 0x1p3 nan:0x1 inf ;; c\n (; x (; y ;) ;) 0drop))");
  ASSERT_TRUE(tokens.ok());
  const auto& t = tokens.value();
  ASSERT_EQ(t.size(), 14u);
  EXPECT_EQ(t[0].kind, TokenKind::LParen);
  EXPECT_EQ(t[1].kind, TokenKind::Keyword);
  EXPECT_EQ(t[2].kind, TokenKind::Id);
  EXPECT_EQ(t[2].value, "m");
  EXPECT_EQ(t[3].line, 2u);
  EXPECT_EQ(t[3].column, 3u);
  EXPECT_EQ(t[5].kind, TokenKind::String);
  EXPECT_EQ(t[5].value, "aA\xE2\x98\xBA");
  EXPECT_EQ(t[5].text, "\"a\\41\\u{263a}\"");
  EXPECT_EQ(t[6].kind, TokenKind::Number);
  EXPECT_EQ(t[7].kind, TokenKind::Number);
  EXPECT_EQ(t[8].kind, TokenKind::Number);
  EXPECT_EQ(t[9].kind, TokenKind::Number);
  EXPECT_EQ(t[10].kind, TokenKind::Reserved);  // 0drop
  EXPECT_EQ(t[10].line, 3u);
  EXPECT_EQ(t[13].kind, TokenKind::Eof);
  EXPECT_EQ(t[0].match, 12u);
  EXPECT_EQ(t[3].match, 11u);
}

TEST(Lexer, AllEscapes) {
  auto tokens = text::tokenize(R"("\t\n\r\"\'\\\00\ff\u{0}\u{10FFFF}")");
  ASSERT_TRUE(tokens.ok());
  EXPECT_EQ(tokens.value()[0].value, std::string("\t\n\r\"'\\\0\xff\0\xF4\x8F\xBF\xBF", 13));
}

TEST(Lexer, StringGluedToWordIsReserved) {
  auto tokens = text::tokenize("data\"a\" $l\"a\" \"a\"\"b\"");
  ASSERT_TRUE(tokens.ok());
  EXPECT_EQ(tokens.value()[0].kind, TokenKind::Reserved);
  EXPECT_EQ(tokens.value()[1].kind, TokenKind::Reserved);
  EXPECT_EQ(tokens.value()[2].kind, TokenKind::Reserved);
}

TEST(Lexer, Errors) {
  auto unclosed = text::tokenize("(a\n  \"abc");
  ASSERT_FALSE(unclosed.ok());
  EXPECT_EQ(unclosed.error().message, "unclosed string literal");
  EXPECT_EQ(unclosed.error().line, 2u);
  EXPECT_EQ(unclosed.error().column, 3u);
  EXPECT_EQ(text::tokenize("(; (; ;)").error().message, "unclosed comment");
  EXPECT_EQ(text::tokenize("\"\\q\"").error().message, "illegal escape");
  EXPECT_EQ(text::tokenize("\"\\u{D800}\"").error().message, "illegal escape");
  EXPECT_EQ(text::tokenize("\"a\x01\"").error().message, "illegal control character in string literal");
  auto utf8 = text::tokenize("(a)\n  \xC0\x80");
  ASSERT_FALSE(utf8.ok());
  EXPECT_EQ(utf8.error().message, "malformed UTF-8 encoding");
  EXPECT_EQ(utf8.error().line, 2u);
  EXPECT_EQ(utf8.error().column, 3u);
}

TEST(Lexer, FormSource) {
  std::string src = "(module (func)) (assert_return (invoke \"f\"))";
  auto tokens = text::tokenize(src);
  ASSERT_TRUE(tokens.ok());
  EXPECT_EQ(text::form_source(src, tokens.value(), 0), "(module (func))");
  EXPECT_EQ(text::form_source(src, tokens.value(), 6), "(assert_return (invoke \"f\"))");
}

TEST(Lexer, NumberClassification) {
  for (const char* yes : {"0", "+1", "-0x1F", "1_000", "0x1_f", "1.", "1.5e10", "1E-5", "0x1.p4", "0x1.8p-1",
                          "inf", "-nan", "+nan:0x7f_ffff", "1e+1_0"}) {
    EXPECT_TRUE(text::is_number_literal(yes)) << yes;
  }
  for (const char* no : {"0x", "1_", "_1", "1__0", "0x_1", "1.e", "1e", "nan:0x", "nan:1", "-", "x1", "1.0.0", "0xg", "infinity"}) {
    EXPECT_FALSE(text::is_number_literal(no)) << no;
  }
}

// ---------------------------------------------------------------- numbers

TEST(Numbers, Integers) {
  EXPECT_EQ(text::parse_i32("0").value(), 0u);
  EXPECT_EQ(text::parse_i32("4294967295").value(), 0xFFFFFFFFu);
  EXPECT_EQ(text::parse_i32("-2147483648").value(), 0x80000000u);
  EXPECT_EQ(text::parse_i32("0x7fff_ffff").value(), 0x7FFFFFFFu);
  EXPECT_EQ(text::parse_i32("-0x1").value(), 0xFFFFFFFFu);
  EXPECT_EQ(text::parse_i32("+1_000").value(), 1000u);
  EXPECT_EQ(text::parse_i32("4294967296").error().message, "constant out of range");
  EXPECT_EQ(text::parse_i32("-2147483649").error().message, "constant out of range");
  EXPECT_EQ(text::parse_i32("0x1_0000_0000").error().message, "constant out of range");
  EXPECT_EQ(text::parse_i32("1.0").error().message, "unexpected token");
  EXPECT_EQ(text::parse_i32("+0x7fffffff").value(), 0x7FFFFFFFu);
  EXPECT_EQ(text::parse_i32("+2147483648").error().message, "constant out of range");  // sN range
  EXPECT_EQ(text::parse_i64("18446744073709551615").value(), ~uint64_t{0});
  EXPECT_EQ(text::parse_i64("-9223372036854775808").value(), uint64_t{1} << 63);
  EXPECT_EQ(text::parse_i64("18446744073709551616").error().message, "constant out of range");
  EXPECT_EQ(text::parse_i64("-9223372036854775809").error().message, "constant out of range");
  EXPECT_EQ(text::parse_i64("0x1_0000_0000_0000_0000").error().message, "constant out of range");
  EXPECT_EQ(text::parse_i8("-128").value(), 0x80);
  EXPECT_EQ(text::parse_i8("255").value(), 0xFF);
  EXPECT_FALSE(text::parse_i8("256").ok());
  EXPECT_FALSE(text::parse_i8("-129").ok());
  EXPECT_EQ(text::parse_i16("65535").value(), 0xFFFF);
  EXPECT_FALSE(text::parse_i16("-32769").ok());
  EXPECT_EQ(text::parse_u32("4294967295").value(), 0xFFFFFFFFu);
  EXPECT_EQ(text::parse_u32("4294967296").error().message, "i32 constant out of range");
  EXPECT_EQ(text::parse_u32("-1").error().message, "unexpected token");
}

uint32_t f32(const char* s) {
  auto r = text::parse_f32_bits(s);
  EXPECT_TRUE(r.ok()) << s;
  return r.ok() ? *r : 0xDEADBEEF;
}
uint64_t f64(const char* s) {
  auto r = text::parse_f64_bits(s);
  EXPECT_TRUE(r.ok()) << s;
  return r.ok() ? *r : 0xDEADBEEF;
}

TEST(Numbers, F32) {
  EXPECT_EQ(f32("0"), 0u);
  EXPECT_EQ(f32("-0"), 0x80000000u);
  EXPECT_EQ(f32("1"), 0x3F800000u);
  EXPECT_EQ(f32("1."), 0x3F800000u);
  EXPECT_EQ(f32("0.1"), 0x3DCCCCCDu);
  EXPECT_EQ(f32("1_000.5e1_0"), 0x55119788u);
  EXPECT_EQ(f32("inf"), 0x7F800000u);
  EXPECT_EQ(f32("-inf"), 0xFF800000u);
  EXPECT_EQ(f32("nan"), 0x7FC00000u);
  EXPECT_EQ(f32("-nan"), 0xFFC00000u);
  EXPECT_EQ(f32("nan:0x1"), 0x7F800001u);
  EXPECT_EQ(f32("nan:0x7f_ffff"), 0x7FFFFFFFu);
  EXPECT_EQ(text::parse_f32_bits("nan:0x0").error().message, "constant out of range");
  EXPECT_EQ(text::parse_f32_bits("nan:0x80_0000").error().message, "constant out of range");
  // Hex floats: exact, rounding to nearest even, subnormals, overflow.
  EXPECT_EQ(f32("0x1p127"), 0x7F000000u);
  EXPECT_EQ(f32("0x1.fffffep127"), 0x7F7FFFFFu);
  EXPECT_EQ(f32("0x1.fffffefffffffffffp127"), 0x7F7FFFFFu);
  EXPECT_EQ(text::parse_f32_bits("0x1.ffffffp127").error().message, "constant out of range");
  EXPECT_EQ(text::parse_f32_bits("0x1p128").error().message, "constant out of range");
  EXPECT_EQ(text::parse_f32_bits("1e39").error().message, "constant out of range");
  EXPECT_EQ(f32("0x1.000001p0"), 0x3F800000u);            // tie -> even (down)
  EXPECT_EQ(f32("0x1.000003p0"), 0x3F800002u);            // tie -> even (up)
  EXPECT_EQ(f32("0x1.00000100000000001p0"), 0x3F800001u);  // sticky bit beyond 64 bits
  EXPECT_EQ(f32("0x1p-149"), 0x00000001u);
  EXPECT_EQ(f32("0x1p-150"), 0x00000000u);                // tie -> even (zero)
  EXPECT_EQ(f32("0x1.000001p-150"), 0x00000001u);
  EXPECT_EQ(f32("0x1.8p-149"), 0x00000002u);
  EXPECT_EQ(f32("0x1.fffffcp-127"), 0x007FFFFFu);          // largest subnormal
  EXPECT_EQ(f32("0x1.fffffep-127"), 0x00800000u);          // rounds up to min normal
  EXPECT_EQ(f32("-0x0.0p0"), 0x80000000u);
  EXPECT_EQ(f32("0x1_0000_0000"), 0x4F800000u);
  EXPECT_EQ(f32("0x1p-1"), 0x3F000000u);
  EXPECT_EQ(f32("1e-46"), 0x00000000u);
}

TEST(Numbers, F64) {
  EXPECT_EQ(f64("1"), 0x3FF0000000000000u);
  EXPECT_EQ(f64("0x1p-1074"), 1u);
  EXPECT_EQ(f64("0x1p-1075"), 0u);
  EXPECT_EQ(f64("0x1.00000000000008p0"), 0x3FF0000000000000u);
  EXPECT_EQ(f64("0x1.00000000000018p0"), 0x3FF0000000000002u);
  EXPECT_EQ(f64("0x1.0000000000000fffffffffffp0"), 0x3FF0000000000001u);
  EXPECT_EQ(f64("0x1.fffffffffffff7ffffp1023"), 0x7FEFFFFFFFFFFFFFu);
  EXPECT_EQ(text::parse_f64_bits("0x1.fffffffffffff8p1023").error().message, "constant out of range");
  EXPECT_EQ(text::parse_f64_bits("1e309").error().message, "constant out of range");
  EXPECT_EQ(f64("0x123456789abcdef0123p-100"), 0x3E323456789ABCDFu);
  EXPECT_EQ(f64("nan:0xf_ffff_ffff_ffff"), 0x7FFFFFFFFFFFFFFFu);
  EXPECT_EQ(f64("-nan"), 0xFFF8000000000000u);
  EXPECT_EQ(f64("0x1p-100000000000"), 0u);
  EXPECT_EQ(text::parse_f64_bits("0x1p100000000000").error().message, "constant out of range");
  EXPECT_EQ(f64("2.2250738585072011e-308"), 0x000FFFFFFFFFFFFFu);
  EXPECT_EQ(f64("1_7976931348623157e29_2"), 0x7FEFFFFFFFFFFFFFu);
}

TEST(Numbers, V128) {
  std::string_view i8[16] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "-1"};
  auto v = text::parse_v128("i8x16", i8);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ((*v)[15], 0xFF);
  std::string_view i32[4] = {"1", "-1", "0x10", "4294967295"};
  v = text::parse_v128("i32x4", i32);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ((*v)[0], 1);
  EXPECT_EQ((*v)[4], 0xFF);
  EXPECT_EQ((*v)[8], 0x10);
  std::string_view f64s[2] = {"1", "-inf"};
  v = text::parse_v128("f64x2", f64s);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ((*v)[7], 0x3F);
  EXPECT_EQ((*v)[15], 0xFF);
  EXPECT_EQ(text::parse_v128("i32x4", std::span(i32, 3)).error().message, "wrong number of lane literals");
  std::string_view bad[8] = {"65536", "0", "0", "0", "0", "0", "0", "0"};
  EXPECT_EQ(text::parse_v128("i16x8", bad).error().message, "constant out of range");
  EXPECT_EQ(text::v128_lane_count("i64x2"), 2u);
  EXPECT_EQ(text::v128_lane_count("i128x1"), 0u);
}

// ---------------------------------------------------------------- modules

TEST(Wat, EmptyModule) {
  auto bytes = wat("(module)");
  EXPECT_EQ(bytes, (std::vector<uint8_t>{0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00}));
  EXPECT_EQ(wat(""), bytes);  // bare (empty) field list
  EXPECT_EQ(wat("(module $m)"), bytes);
}

TEST(Wat, SimpleFunctionBytes) {
  auto s = sections("(module (func (export \"f\") (param i32) (result i32) local.get 0 i32.const 1 i32.add))");
  std::vector<uint8_t> expected = {
      0x01, 0x06, 0x01, 0x60, 0x01, 0x7F, 0x01, 0x7F,           // type
      0x03, 0x02, 0x01, 0x00,                                   // function
      0x07, 0x05, 0x01, 0x01, 'f', 0x00, 0x00,                  // export
      0x0A, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x41, 0x01, 0x6A, 0x0B};  // code
  EXPECT_EQ(s, expected);
}

TEST(Wat, FoldedAndFlatAreIdentical) {
  EXPECT_EQ(wat("(module (func (result i32) (i32.add (i32.const 1) (i32.const 2))))"),
            wat("(module (func (result i32) i32.const 1 i32.const 2 i32.add))"));
  EXPECT_EQ(wat("(module (func (param i32) (result i32)"
                " (if (result i32) (local.get 0) (then (i32.const 1)) (else (i32.const 2)))))"),
            wat("(module (func (param i32) (result i32)"
                " local.get 0 if (result i32) i32.const 1 else i32.const 2 end))"));
  EXPECT_EQ(wat("(module (func (block $b (loop $l (br_if $b (i32.const 0)) (br $l)))))"),
            wat("(module (func block $b loop $l i32.const 0 br_if $b br $l end end))"));
  EXPECT_EQ(wat("(module (func (block (result i32) (i32.const 1)) drop))"),
            wat("(module (func block (result i32) i32.const 1 end drop))"));
}

TEST(Wat, LabelsResolveToDepths) {
  auto a = wat("(module (func (block $a (block $b (block (br $a) (br $b) (br 0))))))");
  auto b = wat("(module (func (block (block (block (br 2) (br 1) (br 0))))))");
  EXPECT_EQ(a, b);
  EXPECT_EQ(wat_error("(module (func (block $a) (br $a)))"), "unknown label $a");
  EXPECT_EQ(wat_error("(module (func block $a end $b))"), "mismatching label");
  EXPECT_EQ(wat_error("(module (func block end $b))"), "mismatching label");
  EXPECT_EQ(wat_error("(module (func if $a else $b end))"), "mismatching label");
  // Shadowing: the innermost label wins.
  EXPECT_EQ(wat("(module (func (block $l (block $l (br $l)))))"), wat("(module (func (block (block (br 0)))))"));
}

TEST(Wat, SymbolicNamesForEveryIndexSpace) {
  expect_valid(R"((module
    (type $t (func (param i32)))
    (import "m" "f" (func $imp (type $t)))
    (func $f (type $t) (local $x i64) (call $f (local.get 0)) (local.set $x (i64.const 0)))
    (table $tab 2 funcref)
    (memory $mem 1)
    (global $g (mut i32) (i32.const 0))
    (elem $e func $f)
    (data $d "x")
    (func (global.set $g (i32.const 1)) (call $imp (global.get $g))
      (drop (table.get $tab (i32.const 0))) (elem.drop $e) (data.drop $d)
      (memory.init $d (i32.const 0) (i32.const 0) (i32.const 0))
      (table.init $tab $e (i32.const 0) (i32.const 0) (i32.const 0))
      (call_indirect $tab (type $t) (i32.const 0) (i32.const 0)))
    (export "f" (func $f)) (export "t" (table $tab)) (export "m" (memory $mem)) (export "g" (global $g))
    (start $f2) (func $f2))
  )");
  EXPECT_EQ(wat_error("(module (func (call $nope)))"), "unknown function $nope");
  EXPECT_EQ(wat_error("(module (func (local.get $nope)))"), "unknown local $nope");
  EXPECT_EQ(wat_error("(module (func (global.get $nope)))"), "unknown global $nope");
}

TEST(Wat, NumericIndicesAreNotRangeChecked) {
  // Range checks belong to the validator ("unknown local" etc.).
  auto bytes = wat("(module (func (drop (local.get 5))))");
  auto module = decode_module(bytes);
  ASSERT_TRUE(module.ok());
  auto valid = validate_module(module.value());
  ASSERT_FALSE(valid.ok());
  EXPECT_EQ(valid.error().message.rfind("unknown local", 0), 0u);
  EXPECT_TRUE(wat_to_binary("(module (func (call 7)) (func (call_indirect (type 9) (i32.const 0))))").ok());
}

TEST(Wat, DuplicateNames) {
  EXPECT_EQ(wat_error("(module (func $f) (func $f))"), "duplicate func $f");
  EXPECT_EQ(wat_error("(module (func (param $x i32) (local $x i32)))"), "duplicate local $x");
  EXPECT_EQ(wat_error("(module (global $g i32 (i32.const 0)) (import \"a\" \"b\" (global $g i32)))").rfind("import after global", 0), 0u);
  EXPECT_EQ(wat_error("(module (import \"a\" \"b\" (global $g i32)) (global $g i32 (i32.const 0)))"), "duplicate global $g");
  EXPECT_EQ(wat_error("(module (memory $m 1) (memory $m 1))"), "duplicate memory $m");
  EXPECT_EQ(wat_error("(module (table $t 1 funcref) (table $t 1 funcref))"), "duplicate table $t");
}

TEST(Wat, ImportOrdering) {
  EXPECT_EQ(wat_error("(module (func) (import \"a\" \"b\" (func)))"), "import after function");
  EXPECT_EQ(wat_error("(module (table 0 funcref) (import \"a\" \"b\" (table 0 funcref)))"), "import after table");
  EXPECT_EQ(wat_error("(module (memory 0) (import \"a\" \"b\" (memory 0)))"), "import after memory");
  EXPECT_EQ(wat_error("(module (global i32 (i32.const 0)) (func (import \"a\" \"b\")))"), "import after global");
  EXPECT_EQ(wat_error("(module (start 0) (start 0) (func))"), "multiple start sections");
}

TEST(Wat, InlineImportExportAbbreviations) {
  EXPECT_EQ(wat("(module (func $f (import \"m\" \"n\") (param i32)) (func (export \"a\") (export \"b\")))"),
            wat("(module (type (func (param i32))) (type (func)) (import \"m\" \"n\" (func $f (type 0)))"
                " (func (type 1)) (export \"a\" (func 1)) (export \"b\" (func 1)))"));
  expect_valid("(module (table (export \"t\") (import \"spectest\" \"table\") 10 funcref)"
               " (memory (import \"spectest\" \"memory\") 1) (global (import \"spectest\" \"g\") i32))");
}

TEST(Wat, TypeUses) {
  // Implicit types are appended after the explicit ones, in first-use order,
  // and reuse an existing identical type.
  EXPECT_EQ(wat("(module (func (param i64)) (type (func (param i32))) (func (param i32)) (func (param f32)))"),
            wat("(module (type (func (param i32))) (type (func (param i64))) (type (func (param f32)))"
                " (func (type 1)) (func (type 0)) (func (type 2)))"));
  EXPECT_EQ(wat_error("(module (type $t (func (param i32))) (func (type $t) (param i64)))"), "inline function type");
  EXPECT_TRUE(wat_to_binary("(module (type $t (func (param i32))) (func (type $t) (param i32)))").ok());
  EXPECT_EQ(wat_error("(module (func (type 3) (param i32)))"), "unknown type");
  // A block with params uses a type index.
  expect_valid("(module (func (result i32) (i32.const 1) (block (param i32) (result i32))))");
}

TEST(Wat, ElementSegmentForms) {
  expect_valid(R"((module
    (table $t 10 funcref) (table $u 10 externref)
    (func $f) (func $g)
    (elem (i32.const 0) $f $g)
    (elem (offset (i32.const 2)) func $f)
    (elem (table $t) (i32.const 3) func $f $g)
    (elem 0 (i32.const 4) $f)
    (elem (table $u) (i32.const 0) externref (ref.null extern))
    (elem funcref (ref.func $f) (item ref.func $g) (item (ref.null func)))
    (elem func $f $g)
    (elem declare func $f)
    (elem declare funcref (ref.func $g))
    (elem $named (i32.const 5) funcref (ref.func $f))
    (func (elem.drop $named)))
  )");
  // Inline table elements: limits follow the element count.
  EXPECT_EQ(wat("(module (func $f) (table funcref (elem $f $f)))"),
            wat("(module (func $f) (table 2 2 funcref) (elem (i32.const 0) $f $f))"));
}

TEST(Wat, DataSegmentForms) {
  expect_valid(R"((module
    (memory $m 1)
    (data (i32.const 0) "a" "bc")
    (data (offset (i32.const 1)))
    (data (memory $m) (i32.const 2) "\00\01")
    (data 0 (i32.const 3) "x")
    (data $p "passive")
    (func (memory.init $p (i32.const 0) (i32.const 0) (i32.const 1)) (data.drop $p)))
  )");
  EXPECT_EQ(wat("(module (memory (data \"ab\")))"), wat("(module (memory 1 1) (data (i32.const 0) \"ab\"))"));
  // memory.init / data.drop need a DataCount section (id 12) before code.
  auto s = sections("(module (memory 1) (data \"x\") (func (data.drop 0)))");
  bool has_data_count = false;
  for (size_t i = 0; i + 2 < s.size(); i += 2 + s[i + 1]) {
    if (s[i] == 12) has_data_count = true;
  }
  EXPECT_TRUE(has_data_count);
}

TEST(Wat, Instructions) {
  expect_valid(R"((module
    (memory 1) (table 1 funcref)
    (func (param i32) (result i32)
      (i32.load offset=4 align=2 (local.get 0)) drop
      (i64.store8 offset=0x10 (i32.const 0) (i64.const -1))
      (f32.const -0x1.8p3) drop (f64.const nan:0x1) drop
      (select (i32.const 1) (i32.const 2) (i32.const 0)) drop
      (select (result f64) (f64.const 1) (f64.const 2) (i32.const 0)) drop
      (memory.grow (i32.const 1)) drop (memory.size) drop
      (memory.fill (i32.const 0) (i32.const 0) (i32.const 0))
      (memory.copy (i32.const 0) (i32.const 0) (i32.const 0))
      (table.size) drop (table.grow (ref.null func) (i32.const 1)) drop
      (table.fill 0 (i32.const 0) (ref.null func) (i32.const 0))
      (table.copy (i32.const 0) (i32.const 0) (i32.const 0))
      (ref.is_null (ref.null extern)) drop
      (i32.trunc_sat_f32_s (f32.const 1)) drop
      (block (br_table 0 0 (i32.const 0)))
      (local.get 0)))
  )");
  expect_valid(R"((module (memory 1)
    (func (result v128)
      (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 -1) drop
      (v128.const f32x4 1 -inf nan 0x1p-3) drop
      (v128.load8_lane offset=1 3 (i32.const 0) (v128.const i64x2 0 0)) drop
      (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31 (v128.const i32x4 0 0 0 0) (v128.const i32x4 0 0 0 0)) drop
      (i32x4.extract_lane 3 (v128.const i32x4 0 0 0 0)) drop
      (f64x2.replace_lane 1 (v128.const f64x2 0 0) (f64.const 1))))
  )");
  auto s = sections("(module (func (i32.const -1) drop))");
  // ... 0x41 0x7F 0x1A 0x0B at the end of the code section.
  ASSERT_GE(s.size(), 4u);
  EXPECT_EQ(std::vector<uint8_t>(s.end() - 4, s.end()), (std::vector<uint8_t>{0x41, 0x7F, 0x1A, 0x0B}));
}

TEST(Wat, ErrorMessages) {
  EXPECT_EQ(wat_error("(module (func (i32.const0)))").rfind("unknown operator", 0), 0u);
  EXPECT_EQ(wat_error("(module (func get_local 0))"), "unknown operator get_local");
  EXPECT_EQ(wat_error("(module (func (i32.const 4294967296) drop))"), "constant out of range");
  EXPECT_EQ(wat_error("(module (func (f32.const 0x1p128) drop))"), "constant out of range");
  EXPECT_EQ(wat_error("(module (memory 1) (func (drop (i32.load align=3 (i32.const 0)))))"),
            "alignment must be a power of two");
  EXPECT_EQ(wat_error("(module (memory 1) (func (drop (i32.load offset=4294967296 (i32.const 0)))))"),
            "i32 constant out of range");
  EXPECT_EQ(wat_error("(module (memory 0x1_0000_0000))"), "i32 constant out of range");
  EXPECT_EQ(wat_error("(module (func (drop (v128.const i32x4 0 0 0))))"), "wrong number of lane literals");
  EXPECT_EQ(wat_error("(module (func (drop (i8x16.extract_lane_s 256 (v128.const i32x4 0 0 0 0)))))"),
            "malformed lane index");
  EXPECT_EQ(wat_error("(module (func (drop (i8x16.extract_lane_s -1 (v128.const i32x4 0 0 0 0)))))"),
            "unexpected token");
  EXPECT_EQ(wat_error("(module (func (drop (i8x16.shuffle 0 1 (v128.const i32x4 0 0 0 0) (v128.const i32x4 0 0 0 0)))))"),
            "invalid lane length");
  EXPECT_EQ(wat_error("(module (func (result i32) (param i32)))"), "unexpected token");
  EXPECT_EQ(wat_error("(module (import \"\\ff\" \"x\" (func)))"), "malformed UTF-8 encoding");
  EXPECT_EQ(wat_error("(module (data\"a\"))").rfind("unknown operator", 0), 0u);
  EXPECT_EQ(wat_error("(module (func (nop))"), "unexpected end of input");
  // Positions are 1-based line and column of the offending token.
  auto r = wat_to_binary("(module\n  (func\n    (i32.add (i32.const 1) (i32.const 0x100000000))))");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().phase, Phase::Malformed);
  EXPECT_EQ(r.error().line, 3u);
  EXPECT_EQ(r.error().column, 39u);
}

TEST(Wat, BinaryAndQuoteModules) {
  auto bin = wat("(module binary \"\\00asm\" \"\\01\\00\\00\\00\")");
  EXPECT_EQ(bin, (std::vector<uint8_t>{0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00}));
  EXPECT_EQ(wat("(module $m quote \"(func (export \\\"f\\\")\" \")\")"), wat("(module (func (export \"f\")))"));
  EXPECT_EQ(wat_error("(module quote \"(func (i32.const 0x))\")").rfind("unknown operator", 0), 0u);
}

TEST(Wat, DeepNestingDoesNotRecurse) {
  constexpr int kDepth = 100000;
  std::string folded = "(module (func ";
  for (int i = 0; i < kDepth; ++i) folded += "(block ";
  for (int i = 0; i < kDepth; ++i) folded += ")";
  folded += "))";
  auto bytes = wat(folded);
  EXPECT_GT(bytes.size(), 2u * kDepth);
  std::string flat = "(module (func ";
  for (int i = 0; i < kDepth; ++i) flat += "block ";
  for (int i = 0; i < kDepth; ++i) flat += "end ";
  flat += "))";
  EXPECT_EQ(wat(flat), bytes);
  std::string operands = "(module (func (result i32) ";
  for (int i = 0; i < kDepth; ++i) operands += "(i32.eqz ";
  operands += "(i32.const 0)";
  for (int i = 0; i < kDepth; ++i) operands += ")";
  operands += "))";
  expect_valid(operands);
  std::string ifs = "(module (func ";
  for (int i = 0; i < kDepth; ++i) ifs += "(if (i32.const 1) (then ";
  for (int i = 0; i < kDepth; ++i) ifs += ")(else))";
  ifs += "))";
  expect_valid(ifs);
}

}  // namespace
}  // namespace wasmrt

namespace wasmrt {
namespace {

// Symbolic function names reach the binary's `name` section, so traps in
// modules written as text get named backtraces.
TEST(Wat, FunctionNamesGoToTheNameSection) {
  auto bytes = wat_to_binary("(module (func $first) (func) (func $third (param i32)))");
  ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
  auto module = decode_module(std::move(bytes.value()));
  ASSERT_TRUE(module.ok()) << module.error().to_string();
  const auto& names = module->names.functions;
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names.at(0), "first");
  EXPECT_EQ(names.at(2), "third");
  EXPECT_EQ(names.count(1), 0u);
}

}  // namespace
}  // namespace wasmrt
