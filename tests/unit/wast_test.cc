// Tests for the .wast script parser (runtime/text/wast.h).
#include "runtime/text/wast.h"

#include <cstring>
#include <string>

#include <gtest/gtest.h>

namespace wasmrt::wast {
namespace {

Script parse_ok(std::string_view text) {
  Result<Script> script = parse_script(text);
  EXPECT_TRUE(script.ok()) << (script.ok() ? "" : script.error().to_string());
  if (!script.ok()) return {};
  return std::move(script.value());
}

Error parse_error(std::string_view text) {
  Result<Script> script = parse_script(text);
  EXPECT_FALSE(script.ok());
  if (script.ok()) return {};
  return script.error();
}

// Parses `(assert_return (invoke "f") RESULT)` and returns the one result.
Value expected_value(const std::string& result) {
  Script script = parse_ok("(assert_return (invoke \"f\") " + result + ")");
  if (script.commands.size() != 1 || script.commands[0].expected.size() != 1) {
    ADD_FAILURE() << "no single result in " << result;
    return {};
  }
  return script.commands[0].expected[0];
}

// Parses `(invoke "f" ARG)` and returns the one argument.
Value argument(const std::string& arg) {
  Script script = parse_ok("(invoke \"f\" " + arg + ")");
  if (script.commands.size() != 1 || script.commands[0].action.args.size() != 1) {
    ADD_FAILURE() << "no single argument in " << arg;
    return {};
  }
  return script.commands[0].action.args[0];
}

TEST(WastParser, EmptyScriptAndComments) {
  EXPECT_TRUE(parse_ok("").commands.empty());
  EXPECT_TRUE(parse_ok(";; line comment\n(; block (; nested ;) comment ;)\n").commands.empty());
}

TEST(WastParser, TextModuleKeepsItsSource) {
  const std::string text = ";; header\n\n(module $M\n  (func (export \"f\") (result i32) (i32.const 1))\n)\n";
  Script script = parse_ok(text);
  ASSERT_EQ(script.commands.size(), 1u);
  const Command& command = script.commands[0];
  EXPECT_EQ(command.kind, Command::Kind::Module);
  EXPECT_TRUE(command.has_module);
  EXPECT_EQ(command.line, 3u);
  EXPECT_EQ(command.module.kind, ModuleSource::Kind::Text);
  ASSERT_TRUE(command.module.name.has_value());
  EXPECT_EQ(*command.module.name, "M");
  EXPECT_EQ(command.module.text, "(module $M\n  (func (export \"f\") (result i32) (i32.const 1))\n)");
}

TEST(WastParser, AnonymousModule) {
  Script script = parse_ok("(module)");
  ASSERT_EQ(script.commands.size(), 1u);
  EXPECT_FALSE(script.commands[0].module.name.has_value());
  EXPECT_EQ(script.commands[0].module.text, "(module)");
}

TEST(WastParser, BinaryModuleConcatenatesStrings) {
  Script script = parse_ok("(module $B binary \"\\00asm\" \"\\01\\00\\00\\00\")");
  ASSERT_EQ(script.commands.size(), 1u);
  const ModuleSource& module = script.commands[0].module;
  EXPECT_EQ(module.kind, ModuleSource::Kind::Binary);
  EXPECT_EQ(*module.name, "B");
  const std::vector<uint8_t> expected = {0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00};
  EXPECT_EQ(module.binary, expected);
}

TEST(WastParser, QuoteModuleConcatenatesStrings) {
  Script script = parse_ok("(module quote \"(memory 1)\" \"(func (export \\\"f\\\"))\")");
  ASSERT_EQ(script.commands.size(), 1u);
  const ModuleSource& module = script.commands[0].module;
  EXPECT_EQ(module.kind, ModuleSource::Kind::Quote);
  EXPECT_EQ(module.text, "(memory 1)(func (export \"f\"))");
}

TEST(WastParser, InlineModuleScript) {
  Script script = parse_ok("(func) (memory 0) (func (export \"f\"))\n");
  ASSERT_EQ(script.commands.size(), 1u);
  EXPECT_EQ(script.commands[0].kind, Command::Kind::Module);
  EXPECT_EQ(script.commands[0].module.kind, ModuleSource::Kind::Text);
  EXPECT_EQ(script.commands[0].module.text, "(func) (memory 0) (func (export \"f\"))\n");
}

TEST(WastParser, Register) {
  Script script = parse_ok("(register \"M\" $m)\n(register \"spectest2\")");
  ASSERT_EQ(script.commands.size(), 2u);
  EXPECT_EQ(script.commands[0].kind, Command::Kind::Register);
  EXPECT_EQ(script.commands[0].register_name, "M");
  ASSERT_TRUE(script.commands[0].register_module.has_value());
  EXPECT_EQ(*script.commands[0].register_module, "m");
  EXPECT_EQ(script.commands[1].register_name, "spectest2");
  EXPECT_FALSE(script.commands[1].register_module.has_value());
  EXPECT_EQ(script.commands[1].line, 2u);
}

TEST(WastParser, InvokeAndGet) {
  Script script = parse_ok(
      "(invoke \"add\" (i32.const 1) (i64.const -1))\n"
      "(invoke $M \"\\e2\\82\\ac\")\n"
      "(get $G \"g\")\n"
      "(get \"h\")");
  ASSERT_EQ(script.commands.size(), 4u);
  const Action& add = script.commands[0].action;
  EXPECT_EQ(script.commands[0].kind, Command::Kind::Action);
  EXPECT_EQ(add.kind, Action::Kind::Invoke);
  EXPECT_FALSE(add.module.has_value());
  EXPECT_EQ(add.field, "add");
  ASSERT_EQ(add.args.size(), 2u);
  EXPECT_EQ(add.args[0].kind, Value::Kind::I32);
  EXPECT_EQ(add.args[0].bits, 1u);
  EXPECT_EQ(add.args[1].kind, Value::Kind::I64);
  EXPECT_EQ(add.args[1].bits, ~uint64_t{0});
  EXPECT_EQ(*script.commands[1].action.module, "M");
  EXPECT_EQ(script.commands[1].action.field, "\xe2\x82\xac");
  EXPECT_EQ(script.commands[2].action.kind, Action::Kind::Get);
  EXPECT_EQ(*script.commands[2].action.module, "G");
  EXPECT_EQ(script.commands[2].action.field, "g");
  EXPECT_EQ(script.commands[3].action.kind, Action::Kind::Get);
  EXPECT_EQ(script.commands[3].line, 4u);
}

TEST(WastParser, IntegerConstants) {
  EXPECT_EQ(argument("(i32.const 0xffffffff)").bits, 0xFFFFFFFFu);
  EXPECT_EQ(argument("(i32.const -0x80000000)").bits, 0x80000000u);
  EXPECT_EQ(argument("(i32.const 1_000)").bits, 1000u);
  EXPECT_EQ(argument("(i64.const 0x7fff_ffff_ffff_ffff)").bits, 0x7FFFFFFFFFFFFFFFull);
  EXPECT_EQ(argument("(i64.const -9223372036854775808)").bits, 0x8000000000000000ull);
}

TEST(WastParser, FloatConstants) {
  Value f32 = argument("(f32.const 1.5)");
  EXPECT_EQ(f32.kind, Value::Kind::F32);
  EXPECT_EQ(f32.bits, 0x3FC00000u);
  EXPECT_EQ(argument("(f32.const -0x1p-149)").bits, 0x80000001u);
  EXPECT_EQ(argument("(f32.const nan:0x200000)").bits, 0x7FA00000u);
  EXPECT_EQ(argument("(f32.const -inf)").bits, 0xFF800000u);
  Value f64 = argument("(f64.const -nan)");
  EXPECT_EQ(f64.kind, Value::Kind::F64);
  EXPECT_EQ(f64.bits, 0xFFF8000000000000ull);
  EXPECT_EQ(argument("(f64.const 0x1.0000000000001p+0)").bits, 0x3FF0000000000001ull);
}

TEST(WastParser, NanPatterns) {
  Value canonical = expected_value("(f32.const nan:canonical)");
  EXPECT_EQ(canonical.kind, Value::Kind::NanCanonical);
  EXPECT_EQ(canonical.float_bits, 32);
  Value arithmetic = expected_value("(f64.const nan:arithmetic)");
  EXPECT_EQ(arithmetic.kind, Value::Kind::NanArithmetic);
  EXPECT_EQ(arithmetic.float_bits, 64);
  // Patterns are results only, never arguments.
  EXPECT_FALSE(parse_script("(invoke \"f\" (f32.const nan:canonical))").ok());
}

TEST(WastParser, V128ExactConstants) {
  Value i8 = argument("(v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 -1)");
  EXPECT_EQ(i8.kind, Value::Kind::V128);
  EXPECT_TRUE(i8.lanes.empty());
  for (int i = 0; i < 15; ++i) EXPECT_EQ(i8.v128[i], i);
  EXPECT_EQ(i8.v128[15], 0xFF);

  Value i16 = argument("(v128.const i16x8 0x0102 0 0 0 0 0 0 -1)");
  EXPECT_EQ(i16.v128[0], 0x02);
  EXPECT_EQ(i16.v128[1], 0x01);
  EXPECT_EQ(i16.v128[14], 0xFF);

  Value i32 = expected_value("(v128.const i32x4 1 2 3 0xffffffff)");
  EXPECT_EQ(i32.lane_shape, "i32x4");
  EXPECT_TRUE(i32.lanes.empty());
  EXPECT_EQ(i32.v128[4], 2);
  EXPECT_EQ(i32.v128[12], 0xFF);

  Value i64 = argument("(v128.const i64x2 1 -1)");
  EXPECT_EQ(i64.v128[0], 1);
  EXPECT_EQ(i64.v128[8], 0xFF);

  Value f32 = argument("(v128.const f32x4 1.0 -0.0 inf nan)");
  uint32_t lanes[4];
  std::memcpy(lanes, f32.v128, 16);
  EXPECT_EQ(lanes[0], 0x3F800000u);
  EXPECT_EQ(lanes[1], 0x80000000u);
  EXPECT_EQ(lanes[2], 0x7F800000u);
  EXPECT_EQ(lanes[3], 0x7FC00000u);

  Value f64 = argument("(v128.const f64x2 1.0 -2.0)");
  uint64_t wide[2];
  std::memcpy(wide, f64.v128, 16);
  EXPECT_EQ(wide[0], 0x3FF0000000000000ull);
  EXPECT_EQ(wide[1], 0xC000000000000000ull);
}

TEST(WastParser, V128PerLaneNanPatterns) {
  Value value = expected_value("(v128.const f32x4 nan:canonical 1.0 nan:arithmetic -0x1p+0)");
  EXPECT_EQ(value.kind, Value::Kind::V128);
  EXPECT_EQ(value.lane_shape, "f32x4");
  ASSERT_EQ(value.lanes.size(), 4u);
  EXPECT_EQ(value.lanes[0].kind, Value::Kind::NanCanonical);
  EXPECT_EQ(value.lanes[0].float_bits, 32);
  EXPECT_EQ(value.lanes[1].kind, Value::Kind::F32);
  EXPECT_EQ(value.lanes[1].bits, 0x3F800000u);
  EXPECT_EQ(value.lanes[2].kind, Value::Kind::NanArithmetic);
  EXPECT_EQ(value.lanes[3].bits, 0xBF800000u);

  Value wide = expected_value("(v128.const f64x2 0x1p+0 nan:arithmetic)");
  ASSERT_EQ(wide.lanes.size(), 2u);
  EXPECT_EQ(wide.lanes[0].kind, Value::Kind::F64);
  EXPECT_EQ(wide.lanes[0].bits, 0x3FF0000000000000ull);
  EXPECT_EQ(wide.lanes[1].kind, Value::Kind::NanArithmetic);
  EXPECT_EQ(wide.lanes[1].float_bits, 64);
}

TEST(WastParser, ReferenceValues) {
  Value null_func = argument("(ref.null func)");
  EXPECT_EQ(null_func.kind, Value::Kind::RefNull);
  EXPECT_TRUE(null_func.ref_is_func);
  Value null_extern = expected_value("(ref.null extern)");
  EXPECT_EQ(null_extern.kind, Value::Kind::RefNull);
  EXPECT_FALSE(null_extern.ref_is_func);
  Value host = argument("(ref.extern 7)");
  EXPECT_EQ(host.kind, Value::Kind::RefExtern);
  EXPECT_EQ(host.bits, 7u);
  EXPECT_EQ(expected_value("(ref.func)").kind, Value::Kind::RefFunc);
  EXPECT_EQ(expected_value("(ref.func 3)").kind, Value::Kind::RefFunc);
  EXPECT_FALSE(parse_script("(invoke \"f\" (ref.null any))").ok());
}

TEST(WastParser, Either) {
  Value value = expected_value("(either (i32.const 1) (f32.const nan:canonical) (v128.const i32x4 1 2 3 4))");
  EXPECT_EQ(value.kind, Value::Kind::Either);
  ASSERT_EQ(value.alternatives.size(), 3u);
  EXPECT_EQ(value.alternatives[0].kind, Value::Kind::I32);
  EXPECT_EQ(value.alternatives[1].kind, Value::Kind::NanCanonical);
  EXPECT_EQ(value.alternatives[2].kind, Value::Kind::V128);
  // `either` does not nest and is not an argument.
  EXPECT_FALSE(parse_script("(assert_return (invoke \"f\") (either (either (i32.const 1))))").ok());
  EXPECT_FALSE(parse_script("(invoke \"f\" (either (i32.const 1)))").ok());
}

TEST(WastParser, AssertReturnWithSeveralResults) {
  Script script = parse_ok("(assert_return (invoke $M \"f\" (i32.const 2)) (i32.const 1) (i64.const 2))");
  ASSERT_EQ(script.commands.size(), 1u);
  const Command& command = script.commands[0];
  EXPECT_EQ(command.kind, Command::Kind::AssertReturn);
  EXPECT_FALSE(command.has_module);
  EXPECT_EQ(*command.action.module, "M");
  ASSERT_EQ(command.action.args.size(), 1u);
  ASSERT_EQ(command.expected.size(), 2u);
  EXPECT_EQ(command.expected[1].kind, Value::Kind::I64);
  Script no_results = parse_ok("(assert_return (get \"g\"))");
  EXPECT_TRUE(no_results.commands[0].expected.empty());
}

TEST(WastParser, AssertTrapOnActionOrModule) {
  Script script = parse_ok(
      "(assert_trap (invoke \"div\" (i32.const 0)) \"integer divide by zero\")\n"
      "(assert_trap (module (func $s unreachable) (start $s)) \"unreachable\")");
  ASSERT_EQ(script.commands.size(), 2u);
  EXPECT_EQ(script.commands[0].kind, Command::Kind::AssertTrap);
  EXPECT_FALSE(script.commands[0].has_module);
  EXPECT_EQ(script.commands[0].action.field, "div");
  EXPECT_EQ(script.commands[0].message, "integer divide by zero");
  EXPECT_TRUE(script.commands[1].has_module);
  EXPECT_EQ(script.commands[1].module.text, "(module (func $s unreachable) (start $s))");
  EXPECT_EQ(script.commands[1].message, "unreachable");
  EXPECT_EQ(script.commands[1].line, 2u);
}

TEST(WastParser, ModuleAssertions) {
  Script script = parse_ok(
      "(assert_exhaustion (invoke \"loop\") \"call stack exhausted\")\n"
      "(assert_malformed (module quote \"(func i32.wrong)\") \"unknown operator\")\n"
      "(assert_malformed (module binary \"\\00asm\") \"unexpected end\")\n"
      "(assert_invalid (module (func (result i32))) \"type mismatch\")\n"
      "(assert_unlinkable (module (import \"m\" \"f\" (func))) \"unknown import\")\n"
      "(assert_uninstantiable (module $U (memory 0) (data (i32.const 1) \"a\")) \"out of bounds\")\n");
  ASSERT_EQ(script.commands.size(), 6u);
  const Command& exhaustion = script.commands[0];
  EXPECT_EQ(exhaustion.kind, Command::Kind::AssertExhaustion);
  EXPECT_EQ(exhaustion.message, "call stack exhausted");
  EXPECT_FALSE(exhaustion.has_module);

  const Command& quote = script.commands[1];
  EXPECT_EQ(quote.kind, Command::Kind::AssertMalformed);
  EXPECT_EQ(quote.module.kind, ModuleSource::Kind::Quote);
  EXPECT_EQ(quote.module.text, "(func i32.wrong)");
  EXPECT_EQ(quote.message, "unknown operator");
  EXPECT_EQ(quote.line, 2u);

  const Command& binary = script.commands[2];
  EXPECT_EQ(binary.module.kind, ModuleSource::Kind::Binary);
  EXPECT_EQ(binary.module.binary.size(), 4u);

  const Command& invalid = script.commands[3];
  EXPECT_EQ(invalid.kind, Command::Kind::AssertInvalid);
  EXPECT_EQ(invalid.module.text, "(module (func (result i32)))");
  EXPECT_EQ(invalid.message, "type mismatch");

  EXPECT_EQ(script.commands[4].kind, Command::Kind::AssertUnlinkable);
  EXPECT_EQ(script.commands[4].message, "unknown import");
  const Command& uninstantiable = script.commands[5];
  EXPECT_EQ(uninstantiable.kind, Command::Kind::AssertUninstantiable);
  EXPECT_EQ(*uninstantiable.module.name, "U");
  EXPECT_EQ(uninstantiable.line, 6u);
  for (const Command& command : script.commands) {
    EXPECT_EQ(command.has_module, command.kind != Command::Kind::AssertExhaustion);
  }
}

TEST(WastParser, TextErrorsInModulesAreDeferred) {
  // The module's body is not parsed here, so a bad instruction is the
  // harness's problem (it fails only that command).
  Script script = parse_ok("(module (func i32.bogus 0x))\n(assert_malformed (module (func (i32.const))) \"x\")");
  EXPECT_EQ(script.commands.size(), 2u);
}

TEST(WastParser, ErrorLineNumbers) {
  Error unknown = parse_error("(module)\n\n  (assert_nothing (invoke \"f\"))");
  EXPECT_EQ(unknown.phase, Phase::Malformed);
  EXPECT_EQ(unknown.line, 3u);
  EXPECT_EQ(unknown.column, 4u);

  Error range = parse_error("(module)\n(invoke \"f\"\n  (i32.const 0x1_0000_0000))");
  EXPECT_EQ(range.message, "constant out of range");
  EXPECT_EQ(range.line, 3u);
  EXPECT_EQ(range.column, 14u);

  Error lanes = parse_error("\n(invoke \"f\" (v128.const i32x4 1 2 3))");
  EXPECT_EQ(lanes.message, "wrong number of lane literals");
  EXPECT_EQ(lanes.line, 2u);

  Error missing_message = parse_error("(assert_invalid (module)\n)");
  EXPECT_EQ(missing_message.line, 2u);

  Error unclosed = parse_error("(module)\n(assert_return (invoke \"f\")");
  EXPECT_EQ(unclosed.line, 2u);

  Error stray = parse_error("(module) 42");
  EXPECT_EQ(stray.line, 1u);
  EXPECT_EQ(stray.column, 10u);

  Error lexical = parse_error("(module)\n(invoke \"f\\q\")");
  EXPECT_EQ(lexical.line, 2u);
}

TEST(WastParser, DeepNestingInModuleDoesNotRecurse) {
  std::string text = "(module (func ";
  for (int i = 0; i < 100000; ++i) text += "(block ";
  for (int i = 0; i < 100000; ++i) text += ")";
  text += "))";
  Script script = parse_ok(text);
  ASSERT_EQ(script.commands.size(), 1u);
  EXPECT_EQ(script.commands[0].module.text.size(), text.size());
}

}  // namespace
}  // namespace wasmrt::wast
