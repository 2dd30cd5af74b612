// Tests for the harness itself: result matching and command counting.
#include "spectest/harness.h"

#include <cstring>

#include <gtest/gtest.h>

#include "jit/jit.h"

namespace wasmrt::spectest {
namespace {

using wast::Value;

Value f32(uint32_t bits) {
  Value v;
  v.kind = Value::Kind::F32;
  v.bits = bits;
  return v;
}

Value f64(uint64_t bits) {
  Value v;
  v.kind = Value::Kind::F64;
  v.bits = bits;
  return v;
}

Value i32(uint32_t bits) {
  Value v;
  v.kind = Value::Kind::I32;
  v.bits = bits;
  return v;
}

Value nan_pattern(Value::Kind kind, uint8_t float_bits) {
  Value v;
  v.kind = kind;
  v.float_bits = float_bits;
  return v;
}

TEST(ValueMatches, ExactNumbersCompareBits) {
  EXPECT_TRUE(value_matches(i32(5), i32(5)));
  EXPECT_FALSE(value_matches(i32(5), i32(6)));
  EXPECT_FALSE(value_matches(i32(5), f32(5)));
  EXPECT_TRUE(value_matches(f32(0x7FA00000), f32(0x7FA00000)));  // NaN payloads are exact
  EXPECT_FALSE(value_matches(f32(0x7FC00000), f32(0x7FA00000)));
  EXPECT_FALSE(value_matches(f32(0x00000000), f32(0x80000000)));  // -0 != +0
  EXPECT_TRUE(value_matches(f64(0xFFF8000000000000ull), f64(0xFFF8000000000000ull)));
}

TEST(ValueMatches, NanPatterns) {
  const Value canonical32 = nan_pattern(Value::Kind::NanCanonical, 32);
  EXPECT_TRUE(value_matches(canonical32, f32(0x7FC00000)));
  EXPECT_TRUE(value_matches(canonical32, f32(0xFFC00000)));
  EXPECT_FALSE(value_matches(canonical32, f32(0x7FC00001)));
  EXPECT_FALSE(value_matches(canonical32, f32(0x7F800000)));  // infinity
  EXPECT_FALSE(value_matches(canonical32, f64(0x7FF8000000000000ull)));

  const Value arithmetic64 = nan_pattern(Value::Kind::NanArithmetic, 64);
  EXPECT_TRUE(value_matches(arithmetic64, f64(0x7FF8000000000000ull)));
  EXPECT_TRUE(value_matches(arithmetic64, f64(0xFFFC000000000001ull)));
  EXPECT_FALSE(value_matches(arithmetic64, f64(0x7FF4000000000000ull)));  // signalling
  EXPECT_FALSE(value_matches(arithmetic64, f32(0x7FC00000)));
}

TEST(ValueMatches, V128ExactAndPerLane) {
  Value actual;
  actual.kind = Value::Kind::V128;
  const uint32_t lanes[4] = {0x7FC00000, 0x3F800000, 0x7FE00001, 0};
  std::memcpy(actual.v128, lanes, 16);

  Value exact = actual;
  EXPECT_TRUE(value_matches(exact, actual));
  exact.v128[15] = 1;
  EXPECT_FALSE(value_matches(exact, actual));

  Value patterned;
  patterned.kind = Value::Kind::V128;
  patterned.lane_shape = "f32x4";
  patterned.lanes = {nan_pattern(Value::Kind::NanCanonical, 32), f32(0x3F800000),
                     nan_pattern(Value::Kind::NanArithmetic, 32), f32(0)};
  EXPECT_TRUE(value_matches(patterned, actual));
  patterned.lanes[2] = nan_pattern(Value::Kind::NanCanonical, 32);
  EXPECT_FALSE(value_matches(patterned, actual));
}

TEST(ValueMatches, ReferencesAndEither) {
  Value null_func;
  null_func.kind = Value::Kind::RefNull;
  null_func.ref_is_func = true;
  Value null_extern = null_func;
  null_extern.ref_is_func = false;
  EXPECT_TRUE(value_matches(null_func, null_func));
  EXPECT_FALSE(value_matches(null_func, null_extern));

  Value any_func;
  any_func.kind = Value::Kind::RefFunc;
  EXPECT_TRUE(value_matches(any_func, any_func));
  EXPECT_FALSE(value_matches(any_func, null_func));

  Value host;
  host.kind = Value::Kind::RefExtern;
  host.bits = 3;
  Value other_host = host;
  other_host.bits = 4;
  EXPECT_TRUE(value_matches(host, host));
  EXPECT_FALSE(value_matches(host, other_host));

  Value either;
  either.kind = Value::Kind::Either;
  either.alternatives = {i32(1), i32(2)};
  EXPECT_TRUE(value_matches(either, i32(2)));
  EXPECT_FALSE(value_matches(either, i32(3)));
}

TEST(ValueToString, ReadableForms) {
  EXPECT_EQ(value_to_string(i32(0xFF)), "i32:0x000000ff");
  EXPECT_EQ(value_to_string(nan_pattern(Value::Kind::NanCanonical, 64)), "f64:nan:canonical");
}

// Binary modules need no text parser, so counting can be checked with the
// decoder and validator alone.
TEST(RunScript, CountsBinaryCommandsAndSkipsExecution) {
  const char* script =
      "(module binary \"\\00asm\\01\\00\\00\\00\")\n"
      "(assert_malformed (module binary \"\\00asm\") \"unexpected end\")\n"
      "(assert_malformed (module binary \"\\00asm\\02\\00\\00\\00\") \"unknown binary version\")\n"
      "(assert_malformed (module binary \"\\00asm\\01\\00\\00\\00\") \"unexpected end\")\n"
      "(register \"m\")\n"
      "(invoke \"f\")\n"
      "(get \"g\")\n"
      "(assert_return (invoke \"f\") (i32.const 1))\n"
      "(assert_trap (invoke \"f\") \"unreachable\")\n"
      "(assert_exhaustion (invoke \"f\") \"call stack exhausted\")\n"
      "(assert_unlinkable (module binary \"\\00asm\\01\\00\\00\\00\") \"unknown import\")\n"
      "(assert_uninstantiable (module binary \"\\00asm\") \"out of bounds\")\n";
  FileReport report = run_script("dir/t.wast", script, nullptr);
  EXPECT_EQ(report.name, "t.wast");
  EXPECT_FALSE(report.script_error);
  auto kind = [&](CommandKind k) { return report.kinds[static_cast<size_t>(k)]; };
  EXPECT_EQ(kind(CommandKind::Module).passed, 1u);
  EXPECT_EQ(kind(CommandKind::AssertMalformed).passed, 2u);
  EXPECT_EQ(kind(CommandKind::AssertMalformed).failed, 1u);  // the module was fine
  EXPECT_EQ(kind(CommandKind::Register).skipped, 1u);
  EXPECT_EQ(kind(CommandKind::Invoke).skipped, 1u);
  EXPECT_EQ(kind(CommandKind::Get).skipped, 1u);
  EXPECT_EQ(kind(CommandKind::AssertReturn).skipped, 1u);
  EXPECT_EQ(kind(CommandKind::AssertTrap).skipped, 1u);
  EXPECT_EQ(kind(CommandKind::AssertExhaustion).skipped, 1u);
  EXPECT_EQ(kind(CommandKind::AssertUnlinkable).skipped, 1u);
  // The module must compile before instantiation can fail; this one does not.
  EXPECT_EQ(kind(CommandKind::AssertUninstantiable).failed, 1u);
  Counts total = report.total();
  EXPECT_EQ(total.passed, 3u);
  EXPECT_EQ(total.failed, 2u);
  EXPECT_EQ(total.skipped, 7u);
  ASSERT_EQ(report.failures.size(), 2u);
  EXPECT_EQ(report.failures[0].line, 4u);
  EXPECT_EQ(report.failures[0].kind, CommandKind::AssertMalformed);
  EXPECT_EQ(report.failures[1].line, 12u);
  EXPECT_EQ(report.failures[1].actual_message, "unexpected end");
}

TEST(RunScript, ScriptSyntaxErrorIsOneFailure) {
  FileReport report = run_script("bad.wast", "(module)\n(bogus)", nullptr);
  EXPECT_TRUE(report.script_error);
  EXPECT_EQ(report.total().failed, 1u);
  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_EQ(report.failures[0].line, 2u);
}

TEST(Engines, JitWhereTheBuildHasOne) {
  std::string error;
  for (const char* name : {"baseline", "baseline-metered", "jit", "jit-metered"}) {
    std::unique_ptr<Engine> engine = make_engine(name, error);
    if (jit::available()) {
      ASSERT_NE(engine, nullptr) << error;
      EXPECT_STREQ(engine->name(), name);
    } else {
      EXPECT_EQ(engine, nullptr);
      const std::string_view engine_name(name);
      EXPECT_EQ(error, std::string(engine_name.substr(0, engine_name.find('-'))) +
                           " engine not available on this architecture");
    }
  }
  EXPECT_EQ(make_engine("bogus", error), nullptr);
  EXPECT_FALSE(error.empty());
}


// The interpreter adapter end to end: linking through register and the
// spectest host module, every value kind, traps and exhaustion.
TEST(InterpEngine, RunsAScript) {
  const char* script = R"wast(
(module $A
  (import "spectest" "print_i32" (func $print (param i32)))
  (import "spectest" "global_i32" (global $g i32))
  (global (export "g") i32 (global.get $g))
  (func (export "add") (param i32 i32) (result i32) (local.get 0) (local.get 1) (i32.add))
  (func (export "div") (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
  (func (export "f32") (param f32) (result f32) (f32.add (local.get 0) (local.get 0)))
  (func (export "nan") (result f64) (f64.div (f64.const 0) (f64.const 0)))
  (func (export "v") (param v128) (result v128) (f32x4.mul (local.get 0) (local.get 0)))
  (func (export "ext") (param externref) (result externref) (local.get 0))
  (elem declare func $print)
  (func (export "fn") (result funcref) (ref.func $print))
  (func (export "two") (result i64 i32) (i64.const -1) (i32.const 2))
  (func $loop (export "loop") (call $loop))
  (func (export "print") (call $print (i32.const 1)))
)
(register "a" $A)
(module (import "a" "add" (func $add (param i32 i32) (result i32)))
  (func (export "add3") (param i32) (result i32) (call $add (local.get 0) (i32.const 3))))
(assert_return (invoke "add3" (i32.const 4)) (i32.const 7))
(assert_return (invoke $A "add" (i32.const -1) (i32.const 1)) (i32.const 0))
(assert_return (get $A "g") (i32.const 666))
(assert_return (invoke $A "f32" (f32.const 1.5)) (f32.const 3))
(assert_return (invoke $A "nan") (f64.const nan:canonical))
(assert_return (invoke $A "v" (v128.const f32x4 1 2 3 nan)) (v128.const f32x4 1 4 9 nan:canonical))
(assert_return (invoke $A "ext" (ref.extern 5)) (ref.extern 5))
(assert_return (invoke $A "ext" (ref.null extern)) (ref.null extern))
(assert_return (invoke $A "fn") (ref.func))
(assert_return (invoke $A "two") (i64.const -1) (i32.const 2))
(invoke $A "print")
(assert_trap (invoke $A "div" (i32.const 0)) "integer divide by zero")
(assert_exhaustion (invoke $A "loop") "call stack exhausted")
(assert_unlinkable (module (import "a" "missing" (func))) "unknown import")
(assert_trap (module (func $s unreachable) (start $s)) "unreachable")
(assert_return (invoke $A "add" (i32.const 1) (i32.const 1)) (i32.const 3))
)wast";
  std::string error;
  std::unique_ptr<Engine> engine = make_engine("interp", error);
  ASSERT_NE(engine, nullptr) << error;
  FileReport report = run_script("interp.wast", script, engine.get());
  // Everything passes except the deliberately wrong last assertion.
  ASSERT_EQ(report.failures.size(), 1u) << report.failures[0].line << ": " << report.failures[0].actual;
  EXPECT_EQ(report.failures[0].line, 36u);
  EXPECT_EQ(report.failures[0].actual, "(i32:0x00000002)");
  Counts total = report.total();
  EXPECT_EQ(total.skipped, 0u);
  EXPECT_EQ(total.failed, 1u);
  EXPECT_EQ(total.passed, 18u);
}

}  // namespace
}  // namespace wasmrt::spectest
