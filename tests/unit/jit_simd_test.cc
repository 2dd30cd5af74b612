// Every SIMD instruction on the machine-code engines against the
// interpreter, bit for bit: the optimizing tier expands the common ones
// inline on x86-64 (jit/opt/x64/lower_simd.cc) and calls the helpers for
// the rest. The module is generated from the opcode table, so an
// instruction added later is covered too; the inputs are lane patterns
// with NaNs of both kinds and signs and distinct payloads, ±0, infinities
// and the integer edges of every lane width.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "runtime/interp/interp.h"
#include "wasmrt/wasmrt.h"

namespace wasmrt {
namespace {

using interp::kOpBytes;
using interp::kOpImm;
using interp::kOpText;
using interp::op_params;
using interp::op_results;

V128 v128_of(uint64_t lo, uint64_t hi) {
  V128 v;
  std::memcpy(v.bytes, &lo, 8);
  std::memcpy(v.bytes + 8, &hi, 8);
  return v;
}
V128 f32x4(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  return v128_of(a | uint64_t{b} << 32, c | uint64_t{d} << 32);
}

std::vector<V128> inputs() {
  std::vector<V128> in = {
      v128_of(0, 0),
      v128_of(~uint64_t{0}, ~uint64_t{0}),
      // f32 lanes: quiet and signaling NaNs of both signs, distinct payloads.
      f32x4(0x7fc00001u, 0xffc00002u, 0x7f800003u, 0xff800004u),
      f32x4(0x7fa00005u, 0x3f800000u, 0xffc00006u, 0x80000000u),
      // ±0, ±infinity, a number, the largest finite.
      f32x4(0x00000000u, 0x80000000u, 0x7f800000u, 0xbfc00000u),
      f32x4(0x80000000u, 0x00000000u, 0xff800000u, 0x7f7fffffu),
      // f64 lanes.
      v128_of(0x7ff8000000000001u, 0xfff0000000000002u),
      v128_of(0x3ff0000000000000u, 0x8000000000000000u),
      v128_of(0x0000000000000000u, 0x7ff4000000000003u),
      // Integer edges of every width.
      v128_of(0x807f80ff007f0180u, 0x8000800000017fffu),
      v128_of(0x800000007fffffffu, 0x8000000000000000u),
      v128_of(0x7fffffffffffffffu, 0x00000000ffffffffu),
      // Around the ends of the i32 and u32 ranges (saturating truncations).
      f32x4(0x4f000000u, 0x4f7fffffu, 0x4f800000u, 0xbf000000u),
      f32x4(0x4effffffu, 0xcf000000u, 0xcf000001u, 0x3f7fffffu),
      v128_of(0x41e0000000000000u, 0x41efffffffe00000u),
      v128_of(0x41f0000000000000u, 0xbfe0000000000000u),
      v128_of(0x41dfffffffe00000u, 0xc1e0000000200000u),
      // Lane indices, in and past range (swizzle).
      v128_of(0x0706050403020100u, 0x1f1e1110ff800f08u),
  };
  std::mt19937_64 rng(7);
  for (int i = 0; i < 4; ++i) in.push_back(v128_of(rng(), rng()));
  return in;
}

// One function per SIMD instruction and operand shape, exported under its
// text name and a suffix.
struct Fn {
  std::string name;
  std::string params;  // signature letters
};

std::string wat_type(char l) {
  switch (l) {
    case 'i': return "i32";
    case 'l': return "i64";
    case 'f': return "f32";
    case 'd': return "f64";
    default: return "v128";
  }
}

struct Module {
  std::string wat = "(module (memory 1)\n";
  std::vector<Fn> fns;
  void add(const std::string& name, const std::string& params, const std::string& results, const std::string& body) {
    wat += "(func (export \"" + name + "\")";
    for (char p : params) wat += " (param " + wat_type(p) + ")";
    for (char r : results) wat += " (result " + wat_type(r) + ")";
    wat += " " + body + ")\n";
    fns.push_back({name, params});
  }
};

Module simd_module() {
  Module m;
  for (size_t i = 0; i < kOpCount; ++i) {
    const Op op = static_cast<Op>(i);
    const std::string text(kOpText[i]);
    const std::string p(op_params(op)), r(op_results(op));
    const bool simd = p.find('v') != std::string::npos || r.find('v') != std::string::npos;
    if (!simd) continue;
    const ImmKind imm = kOpImm[i];
    if (imm == ImmKind::None) {
      std::string args;
      for (size_t k = 0; k < p.size(); ++k) args += " (local.get " + std::to_string(k) + ")";
      m.add(text, p, r, "(" + text + args + ")");
      if (p == "vv") {
        // A constant operand (a pool constant on the optimizing tier), the
        // same operand twice, and a chain through a stack temporary.
        m.add(text + "/const", "v", r,
              "(" + text + " (local.get 0) (v128.const i32x4 0x7fc00009 0x80000000 0xff7fffff 0x00010080))");
        m.add(text + "/same", "v", r, "(" + text + " (local.get 0) (local.get 0))");
        if (r == "v") m.add(text + "/chain", "vv", r, "(" + text + " (" + text + " (local.get 0) (local.get 1)) (local.get 0))");
      }
      if (p == "vi") {  // shifts: constant counts too
        for (int count : {0, 1, 7, 8, 9, 15, 16, 31, 33, 63, 64, 127})
          m.add(text + "/" + std::to_string(count), "v", r, "(" + text + " (local.get 0) (i32.const " + std::to_string(count) + "))");
      }
      if (r == "i" && p == "v")  // any_true, all_true, bitmask as a branch condition
        m.add(text + "/br_if", "v", "i",
              "(block (result i32) (drop (br_if 0 (i32.const 7) (" + text + " (local.get 0)))) (i32.const 9))");
    } else if (imm == ImmKind::Lane) {
      const uint32_t lanes = 16 / kOpBytes[i];
      for (uint32_t lane = 0; lane < lanes; ++lane) {
        const std::string l = " " + std::to_string(lane);
        std::string args;
        for (size_t k = 0; k < p.size(); ++k) args += " (local.get " + std::to_string(k) + ")";
        m.add(text + l, p, r, "(" + text + l + args + ")");
      }
    }
  }
  const char* const shuffles[] = {
      "0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15",      "16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31",
      "0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23",    "31 30 29 28 27 26 25 24 7 6 5 4 3 2 1 0",
      "8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7",      "3 3 3 3 19 19 19 19 0 0 0 0 31 31 31 31",
  };
  for (const char* s : shuffles) {
    m.add(std::string("i8x16.shuffle ") + s, "vv", "v", std::string("(i8x16.shuffle ") + s + " (local.get 0) (local.get 1))");
    m.add(std::string("i8x16.shuffle/same ") + s, "v", "v",
          std::string("(i8x16.shuffle ") + s + " (local.get 0) (local.get 0))");
  }
  // Memory: every plain v128 load and the store, at an address and offset
  // that straddle the end of memory for the last inputs (a trap).
  for (const char* load : {"v128.load", "v128.load8x8_s", "v128.load8x8_u", "v128.load16x4_s", "v128.load16x4_u",
                           "v128.load32x2_s", "v128.load32x2_u", "v128.load8_splat", "v128.load16_splat",
                           "v128.load32_splat", "v128.load64_splat", "v128.load32_zero", "v128.load64_zero"}) {
    m.add(std::string(load) + "/mem", "iv", "v",
          std::string("(v128.store offset=3 (local.get 0) (local.get 1)) (") + load + " offset=5 (local.get 0))");
    m.add(std::string(load) + "/summed", "iv", "v",
          std::string("(v128.store (i32.add (local.get 0) (i32.const 1)) (local.get 1)) (") + load +
              " (i32.add (local.get 0) (i32.const 3)))");
  }
  for (const char* shape : {"8", "16", "32", "64"}) {
    const int lanes = 128 / std::stoi(shape);
    for (int lane : {0, lanes - 1}) {
      const std::string l = std::to_string(lane);
      m.add(std::string("v128.load") + shape + "_lane " + l, "iv", "v",
            std::string("(v128.load") + shape + "_lane offset=7 " + l + " (local.get 0) (local.get 1))");
      m.add(std::string("v128.store") + shape + "_lane " + l, "iv", "v",
            std::string("(v128.store") + shape + "_lane offset=9 " + l + " (local.get 0) (local.get 1))" +
                " (v128.load offset=2 (local.get 0))");
    }
  }
  // Scalar values in registers across SIMD instructions, and a v128
  // accumulator in a loop with a scalar counter.
  m.add("mixed", "iv", "l",
        "(local i32 v128) (local.set 2 (i32.mul (local.get 0) (i32.const 3)))"
        "(local.set 3 (i32x4.add (local.get 1) (i32x4.splat (local.get 2))))"
        "(i64.add (i64.extend_i32_u (i32.add (local.get 2) (i32x4.extract_lane 1 (local.get 3))))"
        "         (i64x2.extract_lane 1 (local.get 3)))");
  m.add("loop", "iv", "v",
        "(local v128) (local.set 2 (local.get 1))"
        "(block (loop"
        "  (br_if 1 (i32.eqz (local.get 0)))"
        "  (local.set 2 (f32x4.add (i32x4.add (local.get 2) (local.get 1)) (f32x4.mul (local.get 2) (local.get 1))))"
        "  (local.set 0 (i32.sub (local.get 0) (i32.const 1)))"
        "  (br 0)))"
        "(local.get 2)");
  // Stack cells that hold a v128, then scalars, then a v128 again (a
  // register keeping a v128 must not outlive a scalar write to its cells).
  m.add("reuse", "vvl", "l",
        "(i64.add (i64.add (i64x2.extract_lane 0 (i64x2.add (local.get 0) (local.get 1)))"
        "                  (i64.mul (local.get 2) (i64x2.extract_lane 1 (i32x4.mul (local.get 0) (local.get 0)))))"
        "         (i64x2.extract_lane 1 (i16x8.sub (i8x16.add (local.get 1) (local.get 0)) (local.get 0))))");
  m.add("select", "vvl", "v",
        "(local v128) (local.set 3 (f64x2.mul (local.get 0) (local.get 1)))"
        "(select (local.get 3) (i32x4.add (local.get 3) (local.get 0)) (i32.wrap_i64 (local.get 2)))");
  // v128 globals and select.
  m.wat += "(global $g (mut v128) (v128.const i64x2 0x0123456789abcdef 0x7ff8000000000001))\n";
  m.add("global", "vi", "v",
        "(global.get $g) (global.set $g (select (local.get 0) (global.get $g) (local.get 1)))"
        "(i64x2.add (global.get $g))");
  m.wat += ")";
  return m;
}

struct Outcome {
  bool ok = false;
  std::vector<uint64_t> bits;
  bool operator==(const Outcome&) const = default;
};

std::vector<Value> args_for(const std::string& params, const std::vector<V128>& in, size_t a, size_t b) {
  std::vector<Value> args;
  size_t next = 0;
  for (char p : params) {
    const V128& v = in[(next++ == 0 ? a : b) % in.size()];
    uint64_t lo;
    std::memcpy(&lo, v.bytes, 8);
    switch (p) {
      // Scalars: addresses near the end of memory for the last inputs
      // (out of bounds), lane values and counts from the patterns.
      case 'i':
        args.push_back(Value::i32(static_cast<int32_t>(params == "iv" ? (a + 1 >= in.size() ? 65530 : a * 40) : lo)));
        break;
      case 'l': args.push_back(Value::i64(static_cast<int64_t>(lo))); break;
      case 'f': args.push_back(Value::f32_bits(static_cast<uint32_t>(lo))); break;
      case 'd': args.push_back(Value::f64_bits(lo)); break;
      default: args.push_back(Value::v128(v)); break;
    }
  }
  return args;
}

// All calls of one engine, in order.
std::vector<Outcome> run_all(ExecutionTier tier, const Module& m) {
  EngineConfig config;
  config.tier = tier;
  config.tier_up_calls = 2;
  config.tier_up_back_edges = 3;
  config.tier_up_synchronous = true;
  Engine engine(config);
  auto module = engine.compile(std::span(reinterpret_cast<const uint8_t*>(m.wat.data()), m.wat.size()));
  EXPECT_TRUE(module.ok()) << (module.ok() ? "" : module.error().message);
  if (!module.ok()) {
    if (FILE* f = std::fopen("/tmp/jit_simd_test.wat", "w")) std::fputs(m.wat.c_str(), f), std::fclose(f);
    return {};
  }
  Store store(engine);
  auto instance = Linker().instantiate(store, module.value());
  EXPECT_TRUE(instance.ok());
  if (!instance.ok()) return {};
  const std::vector<V128> in = inputs();
  std::vector<Outcome> out;
  for (const Fn& f : m.fns) {
    const size_t second = f.params.size() >= 2 ? in.size() : 1;
    for (size_t a = 0; a < in.size(); ++a) {
      for (size_t b = 0; b < second; ++b) {
        auto result = instance.value().call(f.name, args_for(f.params, in, a, b));
        Outcome o;
        o.ok = result.ok();
        if (result.ok())
          for (const Value& v : result.value()) o.bits.insert(o.bits.end(), {v.low_bits(), v.high_bits()});
        out.push_back(o);
      }
    }
  }
  return out;
}

class SimdOnMachineCode : public ::testing::TestWithParam<ExecutionTier> {};

TEST_P(SimdOnMachineCode, EveryInstructionGivesTheInterpretersBits) {
  const bool available =
      GetParam() == ExecutionTier::Optimizing ? Engine::optimizing_available() : Engine::jit_available();
  if (!available) GTEST_SKIP() << "no such tier in this build";
  const Module m = simd_module();
  const std::vector<Outcome> want = run_all(ExecutionTier::Interpreter, m);
  const std::vector<Outcome> got = run_all(GetParam(), m);
  ASSERT_FALSE(want.empty());
  ASSERT_EQ(got.size(), want.size());
  const std::vector<V128> in = inputs();
  size_t k = 0, failures = 0;
  for (const Fn& f : m.fns) {
    const size_t second = f.params.size() >= 2 ? in.size() : 1;
    for (size_t a = 0; a < in.size(); ++a) {
      for (size_t b = 0; b < second; ++b, ++k) {
        if (got[k] == want[k] || ++failures > 40) continue;
        std::string detail;
        for (size_t i = 0; i < got[k].bits.size() && i < want[k].bits.size(); ++i) {
          char line[80];
          std::snprintf(line, sizeof line, "\n  %016llx want %016llx", static_cast<unsigned long long>(got[k].bits[i]),
                        static_cast<unsigned long long>(want[k].bits[i]));
          detail += line;
        }
        ADD_FAILURE() << f.name << " inputs " << a << ", " << b << ": ok " << got[k].ok << " want " << want[k].ok
                      << detail;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, SimdOnMachineCode,
                         ::testing::Values(ExecutionTier::Optimizing, ExecutionTier::Baseline, ExecutionTier::Jit),
                         [](const auto& info) {
                           switch (info.param) {
                             case ExecutionTier::Optimizing: return std::string("Optimizing");
                             case ExecutionTier::Baseline: return std::string("Baseline");
                             default: return std::string("Jit");
                           }
                         });

}  // namespace
}  // namespace wasmrt
