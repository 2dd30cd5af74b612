// The optimizing tier's inline SIMD on x86-64 (lower_simd.cc), and what it
// needs from the lowering's value cache (lower.cc implements SimdHost).
//
// v128 values are not kept in registers between instructions: a v128
// operand is read from its two frame cells (after the cache has written
// back what it holds for them), the result is computed in SSE registers
// and written to its two cells (the cache forgets what it held for them).
// Scalar operands and results (lane values, shift counts, extract_lane,
// bitmask, any_true) stay in the cache's registers as usual. docs/jit.md
// says why ("SIMD").
#pragma once

#include <asmjit/x86.h>

#include <array>
#include <optional>
#include <vector>

#include "jit/opt/ir.h"
#include "jit/x64/compiler.h"

namespace wasmrt::jit::opt::x64 {

class SimdHost {
 public:
  virtual ~SimdHost() = default;
  virtual asmjit::x86::Assembler& simd_assembler() = 0;
  virtual jit::x64::Compiler& simd_compiler() = 0;
  // The result at cell c (two cells if v128) is read by nothing: forgets
  // the cells' old values and returns true (a pure operation emits
  // nothing).
  virtual bool simd_drop_if_dead(Unit c, bool v128) = 0;
  // The constant a scalar cell holds, if it is one.
  virtual std::optional<Cell> simd_scalar_constant(Unit c) = 0;
  // Both cells of the v128 at c, if they hold constants (v128.const).
  virtual std::optional<std::array<Cell, 2>> simd_constant(Unit c) = 0;
  // Cells c and c + 1 hold their current values in the frame.
  virtual void simd_sync(Unit c) = 0;
  // Scalar operands, as Lowering::gp and Lowering::xmm (pinned for the
  // instruction; `scratch` holds a constant or a value of the other class).
  virtual asmjit::x86::Gp simd_gp(Unit c, const asmjit::x86::Gp& scratch) = 0;
  virtual asmjit::x86::Xmm simd_xmm(Unit c, const asmjit::x86::Xmm& scratch) = 0;
  // An SSE register of this instruction's own (xmm0 and xmm1 are scratch
  // already), free again after it.
  virtual asmjit::x86::Xmm simd_temp() = 0;
  // The v128 result cells c and c + 1 are about to be written in the
  // frame: what the cache holds for them is forgotten.
  virtual void simd_forget(Unit c) = 0;
  // A scalar result's register, bound to cell c.
  virtual asmjit::x86::Gp simd_define_gp(Unit c, bool zext32) = 0;
  virtual asmjit::x86::Xmm simd_define_xmm(Unit c) = 0;
  // A 16-byte constant in the function's pool (16-byte aligned).
  virtual asmjit::x86::Mem simd_constant16(const std::array<uint8_t, 16>& bytes) = 0;
};

// Whether the CPU has what the inline forms use (SSE4.1 and SSSE3); if
// not, every SIMD instruction calls its helper.
bool simd_inline_available();

// A computational v128 instruction (Family::Generated): false if it is
// not expanded inline (the caller calls the helper).
bool lower_simd(SimdHost& h, Op op, const Unit* pc);
// v128.load, its splat, extend and zero forms, and v128.store (summed: the
// address-sum form). False if not expanded inline.
bool lower_simd_access(SimdHost& h, Op op, const Unit* pc, bool summed);
// The flags of a fused condition on a v128 (any_true, all_true, bitmask):
// the condition that holds when it is true, or nullopt.
std::optional<asmjit::x86::CondCode> lower_simd_condition(SimdHost& h, Op op, const Unit* pc);

// The cells some instruction reads or writes as a v128 (sorted): loop
// headers keep no such cell in a register (it would be stored before
// every SIMD instruction that reads it and loaded again at the back edge).
std::vector<Unit> v128_cells(const Function& fn);

}  // namespace wasmrt::jit::opt::x64
