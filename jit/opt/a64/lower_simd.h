// The optimizing tier's inline SIMD on AArch64 (lower_simd.cc): NEON, and
// what it needs from the lowering's value cache (lower.cc implements
// SimdHost). The same design as on x86-64 (jit/opt/x64/lower_simd.h):
//
// v128 values live in their two frame cells between instructions: a v128
// operand is read from them (after the cache has written back what it
// holds for them), the result is computed in vector registers and written
// to them (the cache forgets what it held for them). Within straight-line
// code a copy of a result may stay in a register too (V128Copies), so that
// the next instruction does not wait for its store to forward. Scalar
// operands and results (lane values, shift counts, extract_lane, bitmask,
// any_true) stay in the cache's registers as usual. docs/jit.md says why
// ("SIMD").
#pragma once

#include <asmjit/arm.h>
#include <asmjit/arm/a64assembler.h>

#include <optional>
#include <utility>
#include <vector>

#include "jit/a64/compiler.h"
#include "jit/opt/ir.h"
#include "jit/opt/simd_common.h"

namespace wasmrt::jit::opt::arm64 {

class SimdHost;

// The register copies of the last v128 results (opt::V128CopyList), kept
// in vector registers.
class V128Copies : public V128CopyList<SimdHost, asmjit::a64::Vec> {
 public:
  // The v128 just stored to c, c + 1 is in `reg`: a register keeps it
  // (`reg` itself when it is a simd_temp).
  void remember(SimdHost& h, Unit c, const asmjit::a64::Vec& reg);
};

class SimdHost {
 public:
  virtual ~SimdHost() = default;
  virtual asmjit::a64::Assembler& simd_assembler() = 0;
  virtual jit::arm64::Compiler& simd_compiler() = 0;
  // The result at cell c (two cells if v128) is read by nothing: forgets
  // the cells' old values and returns true (a pure operation emits
  // nothing).
  virtual bool simd_drop_if_dead(Unit c, bool v128) = 0;
  // The constant a scalar cell holds, if it is one.
  virtual std::optional<Cell> simd_scalar_constant(Unit c) = 0;
  // Cells c and c + 1 hold their current values in the frame.
  virtual void simd_sync(Unit c) = 0;
  // Scalar operands, as Lowering::gp and Lowering::vec (pinned for the
  // instruction; `scratch` holds a constant or a value of the other
  // class). x10-x12, v0 and v1 are the SIMD code's scratch.
  virtual asmjit::a64::Gp simd_gp(Unit c, const asmjit::a64::Gp& scratch) = 0;
  virtual asmjit::a64::Vec simd_vec(Unit c, const asmjit::a64::Vec& scratch) = 0;
  // A vector register of this instruction's own, free again after it.
  virtual asmjit::a64::Vec simd_temp() = 0;
  // If `reg` is one of this instruction's simd_temp registers: it is no
  // longer freed after the instruction, and its value is returned (a
  // result computed there becomes a V128Copies copy without a move).
  virtual std::optional<uint32_t> simd_take_temp(const asmjit::a64::Vec& reg) = 0;
  // The v128 result cells c and c + 1 are about to be written in the
  // frame: what the cache holds for them is forgotten.
  virtual void simd_forget(Unit c) = 0;
  // A scalar result's register, bound to cell c.
  virtual asmjit::a64::Gp simd_define_gp(Unit c, bool zext32) = 0;
  virtual asmjit::a64::Vec simd_define_vec(Unit c) = 0;
  // For V128Copies: a value of the allocator's in a vector register, its
  // release, its use by this instruction (pinned, most recently used).
  virtual std::pair<uint32_t, asmjit::a64::Vec> simd_new_vec() = 0;
  virtual void simd_release(uint32_t v) = 0;
  virtual asmjit::a64::Vec simd_use(uint32_t v) = 0;
  virtual V128Copies& simd_copies() = 0;
  // Cells c and c + 1 hold their values (the cache holds nothing dirty
  // for them).
  virtual bool simd_in_cells(Unit c) = 0;
  // The memory operand of an access at address cell a (plus cell b: the
  // address-sum form) and offset, with the scalar accesses' address and
  // bounds handling (Compiler::memory_operand: a trap site when unchecked;
  // clobbers x9-x12).
  virtual jit::arm64::Compiler::MemoryOperand simd_memory_operand(Unit a, std::optional<Unit> b,
                                                                  const codegen::Access& acc,
                                                                  uint64_t offset) = 0;
};

// A computational v128 instruction (Family::Generated): false if it is
// not expanded inline (the caller calls the helper).
bool lower_simd(SimdHost& h, Op op, const Unit* pc);
// v128.load, its splat, extend, zero and lane forms, v128.store and its
// lane forms (summed: the address-sum form). False if not expanded inline.
bool lower_simd_access(SimdHost& h, Op op, const Unit* pc, bool summed);
// A v128 copy (Copy2) whose source is in its cells: 16 bytes through a
// vector register (two 8-byte stores would not forward to the next SIMD
// instruction's 16-byte load). False if the source is not in its cells.
bool lower_simd_copy(SimdHost& h, Unit dst, Unit src);
// v128 select and global.get/global.set (IrOp::Select2, GlobalGet2,
// GlobalSet2). False for any other IrOp.
bool lower_simd_ir(SimdHost& h, interp::IrOp op, const Unit* pc);
// The flags of a fused condition on a v128 (any_true, all_true, bitmask):
// the condition that holds when it is true, or nullopt.
std::optional<asmjit::arm::CondCode> lower_simd_condition(SimdHost& h, Op op, const Unit* pc);

}  // namespace wasmrt::jit::opt::arm64
