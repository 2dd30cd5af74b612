// Constant folding for the optimizing tier's lowerings (both ISAs fold the
// same way, so it is written once): the pure integer operations and
// comparisons of codegen's vocabulary, with wasm's semantics.
#pragma once

#include <cstdint>

#include "jit/codegen.h"

namespace wasmrt::jit::opt {

using codegen::Bin;
using codegen::Cond;

// i32 results zero-extended, as every tier writes them.
inline Cell fold_bin(Bin bin, bool wide, Cell a, Cell b) {
  if (wide) {
    const unsigned s = static_cast<unsigned>(b & 63);
    switch (bin) {
      case Bin::Add: return a + b;
      case Bin::Sub: return a - b;
      case Bin::Mul: return a * b;
      case Bin::And: return a & b;
      case Bin::Or: return a | b;
      case Bin::Xor: return a ^ b;
      case Bin::Shl: return a << s;
      case Bin::ShrS: return static_cast<Cell>(static_cast<int64_t>(a) >> s);
      case Bin::ShrU: return a >> s;
      case Bin::Rotl: return s == 0 ? a : (a << s) | (a >> (64 - s));
      case Bin::Rotr: return s == 0 ? a : (a >> s) | (a << (64 - s));
    }
    return 0;
  }
  const uint32_t x32 = static_cast<uint32_t>(a), y32 = static_cast<uint32_t>(b);
  const unsigned s = y32 & 31;
  switch (bin) {
    case Bin::Add: return uint32_t(x32 + y32);
    case Bin::Sub: return uint32_t(x32 - y32);
    case Bin::Mul: return uint32_t(x32 * y32);
    case Bin::And: return x32 & y32;
    case Bin::Or: return x32 | y32;
    case Bin::Xor: return x32 ^ y32;
    case Bin::Shl: return uint32_t(x32 << s);
    case Bin::ShrS: return static_cast<uint32_t>(static_cast<int32_t>(x32) >> s);
    case Bin::ShrU: return x32 >> s;
    case Bin::Rotl: return s == 0 ? x32 : uint32_t((x32 << s) | (x32 >> (32 - s)));
    case Bin::Rotr: return s == 0 ? x32 : uint32_t((x32 >> s) | (x32 << (32 - s)));
  }
  return 0;
}

inline bool fold_cmp(Cond c, bool wide, Cell a, Cell b) {
  const uint64_t ua = wide ? a : static_cast<uint32_t>(a), ub = wide ? b : static_cast<uint32_t>(b);
  const int64_t sa = wide ? static_cast<int64_t>(a) : static_cast<int32_t>(a);
  const int64_t sb = wide ? static_cast<int64_t>(b) : static_cast<int32_t>(b);
  switch (c) {
    case Cond::Eq: return ua == ub;
    case Cond::Ne: return ua != ub;
    case Cond::LtS: return sa < sb;
    case Cond::LtU: return ua < ub;
    case Cond::GtS: return sa > sb;
    case Cond::GtU: return ua > ub;
    case Cond::LeS: return sa <= sb;
    case Cond::LeU: return ua <= ub;
    case Cond::GeS: return sa >= sb;
    case Cond::GeU: return ua >= ub;
  }
  return false;
}

}  // namespace wasmrt::jit::opt
