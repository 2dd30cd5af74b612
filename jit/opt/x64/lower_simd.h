// The optimizing tier's inline SIMD on x86-64 (lower_simd.cc), and what it
// needs from the lowering's value cache (lower.cc implements SimdHost).
//
// v128 values live in their two frame cells between instructions: a v128
// operand is read from them (after the cache has written back what it
// holds for them), the result is computed in SSE registers and written to
// them (the cache forgets what it held for them). Within a block a copy
// of a result may stay in a register too (V128Copies), so that the next
// instruction does not wait for its store to forward.
// Scalar operands and results (lane values, shift counts, extract_lane,
// bitmask, any_true) stay in the cache's registers as usual. docs/jit.md
// says why ("SIMD").
#pragma once

#include <asmjit/x86.h>

#include <array>
#include <optional>
#include <vector>

#include "jit/opt/ir.h"
#include "jit/opt/simd_common.h"
#include "jit/x64/compiler.h"

namespace wasmrt::jit::opt::x64 {

class SimdHost;

// The register copies of the last v128 results (opt::V128CopyList), kept
// in SSE registers.
class V128Copies : public V128CopyList<SimdHost, asmjit::x86::Xmm> {
 public:
  // The v128 just stored to c, c + 1 is in `reg`: a register keeps it.
  void remember(SimdHost& h, Unit c, const asmjit::x86::Xmm& reg);
};

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
  // For V128Copies: a value of the allocator's in an SSE register, its
  // release, its use by this instruction (pinned, most recently used).
  virtual std::pair<uint32_t, asmjit::x86::Xmm> simd_new_xmm() = 0;
  virtual void simd_release(uint32_t v) = 0;
  virtual asmjit::x86::Xmm simd_use(uint32_t v) = 0;
  virtual V128Copies& simd_copies() = 0;
  // Cells c and c + 1 hold their values and the cache holds nothing for
  // them (as after a SIMD result), and they are not frame constants.
  virtual bool simd_in_cells(Unit c) = 0;
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
// A v128 copy (Copy2) whose source is in its cells: 16 bytes through an
// SSE register (through two general registers, the next SIMD
// instruction's 16-byte load would wait for two 8-byte stores it cannot
// forward from). False if the source is not in its cells.
bool lower_simd_copy(SimdHost& h, Unit dst, Unit src);
// v128 select and global.get/global.set (IrOp::Select2, GlobalGet2,
// GlobalSet2). False for any other IrOp.
bool lower_simd_ir(SimdHost& h, interp::IrOp op, const Unit* pc);
// The flags of a fused condition on a v128 (any_true, all_true, bitmask):
// the condition that holds when it is true, or nullopt.
std::optional<asmjit::x86::CondCode> lower_simd_condition(SimdHost& h, Op op, const Unit* pc);

}  // namespace wasmrt::jit::opt::x64
