// What the JIT's back ends (jit/x64/, jit/a64/) share: everything about
// translated code that is not instruction selection.
//
//  * Decoding: which handler an instruction is (the family and op of its
//    handler index), how many units it takes, where its branch offsets are.
//  * Classification of the operations a back end may expand inline: the
//    integer and floating-point operations, by kind and width, with their
//    conditions named independently of any architecture's flags; the
//    scalar memory accesses by width and extension.
//  * A function's branch targets and their labels (two passes: find the
//    targets, then emit with labels bound at them).
//  * The module driver: the asmjit code holder, error collection, the
//    executable memory, and setting every compiled function's entry.
//
// A back end supplies only the machine code for each instruction and its
// shared stubs (trampoline, call and return stubs, trap exits), following
// the contract in jit/jit.h and jit/jit_state.h. docs/jit.md describes it.
#pragma once

#include <asmjit/core.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "jit/jit.h"
#include "jit/jit_state.h"

namespace wasmrt::jit::opt {
struct Workspace;  // jit/opt/ir.h
}  // namespace wasmrt::jit::opt

namespace wasmrt::jit::codegen {

using interp::CompiledFunc;
using interp::IrOp;
using interp::kHandlerUnits;

// CompiledFunc holds vectors (not standard-layout, so no offsetof): its
// offsets are measured on an object, only by the call stubs (emitted once
// per module).
template <typename M>
int32_t compiled_func_offset(M CompiledFunc::*member) {
  const CompiledFunc object{};
  return static_cast<int32_t>(reinterpret_cast<const char*>(&(object.*member)) -
                              reinterpret_cast<const char*>(&object));
}

// Machine code reads these structures' fields by offset.
static_assert(std::is_standard_layout_v<JitState> && std::is_standard_layout_v<FuncInst> &&
              std::is_standard_layout_v<GlobalInst>);

// Functions whose frames pass this many cells stay on the interpreter
// (x86-64 addresses cells with 32-bit displacements).
inline constexpr uint64_t kMaxJitFrameCells = uint64_t{1} << 27;

// The 64-bit constant of Const, ConstBr, ConstBrLoopI and ConstBrLoop
// (ir.h: its low and high halves at pc[3] and pc[4]).
inline Cell const_operand(const Unit* pc) { return Cell{pc[3]} | Cell{pc[4]} << 32; }

// ---- what an instruction is ----

enum class Family : uint8_t {
  Generated, Ir,
  BT, BF, BTI, BTF, BTLF,  // fused compare-and-branch, by form
  AddressSum,
  ABT, ABF, ABTI, ABTF, ABTLF,  // add-compare-and-branch
  Pair,
};

struct Instr {
  Family family;
  Op op = Op::Unreachable;
  IrOp ir = IrOp::Unreachable;
  uint32_t index = 0;  // handler index
  uint32_t units = 0;
  uint32_t field = 0;  // branch forms: the offset field
};

// An add-compare-and-branch family's plain branch form (ABT -> BT, ...);
// the plain forms map to themselves.
constexpr Family branch_form(Family f) {
  return f >= Family::ABT ? static_cast<Family>(static_cast<int>(f) - static_cast<int>(Family::ABT) +
                                                static_cast<int>(Family::BT))
                          : f;
}
constexpr bool is_branch_family(Family f) {
  return f != Family::Generated && f != Family::Ir && f != Family::AddressSum && f != Family::Pair;
}

// The fuel a branch form charges (docs/fuel.md), read from its operands
// after the offset field: a taken metered back edge charges the loop
// body's cost, a metered fall-through the next block's.
inline uint32_t back_edge_cost(Family form, const Unit* pc, uint32_t field) {
  return form == Family::BTLF ? pc[field + 1] : 0;
}
inline uint32_t fall_through_cost(Family form, const Unit* pc, uint32_t field) {
  return form == Family::BTF ? pc[field + 1] : form == Family::BTLF ? pc[field + 2] : 0;
}

// The instruction with handler index h at pc (units 0: it cannot be
// emitted by translation).
Instr decode(uint32_t h, const Unit* pc);

// Whether translation can emit handler index h. The others share one
// "bad op" handler, and a compiler may merge identical handlers, so only
// these take part in mapping handler addresses back to indices. (Two
// emitted handlers with one address have identical code, so either index
// describes what it does.)
bool may_be_emitted(uint32_t h);

// Handler addresses (as stored in translated code) to handler indices.
const std::unordered_map<const void*, uint32_t>& handler_indices();

// ---- integer operations a back end may expand inline ----

enum class Bin : uint8_t { Add, Sub, Mul, And, Or, Xor, Shl, ShrS, ShrU, Rotl, Rotr };
enum class Kind : uint8_t { Bin, Cmp, Eqz, Move, SignExtend };
// Integer comparisons, signed (S) or unsigned (U).
enum class Cond : uint8_t { Eq, Ne, LtS, LtU, GtS, GtU, LeS, LeU, GeS, GeU };

struct IntOp {
  Kind kind;
  bool wide;  // 64-bit operands
  Bin bin = Bin::Add;
  Cond cond = Cond::Eq;
  uint8_t from_bytes = 0;  // SignExtend: the source width; Move: 4 or 8
};
std::optional<IntOp> int_op(Op op);

// ---- floating-point operations a back end may expand inline ----
//
// Each is one instruction of the host's scalar floating-point unit, the
// one its C++ compiler turns the interpreter's operation into (numerics.h:
// plain C++ arithmetic, comparisons and conversions), so results match,
// NaN payloads included, except where the compiler was free to commute an
// addition or multiplication of two NaNs (either NaN is a valid result).

enum class FKind : uint8_t { Add, Sub, Mul, Div, Eq, Ne, Lt, Gt, Le, Ge, FromI32, FromI64, Promote, Demote };

struct FloatOp {
  FKind kind;
  bool f64;  // the result's (arithmetic, conversions) or operands' (comparisons) width
};
std::optional<FloatOp> float_op(Op op);
inline bool is_float_compare(FKind k) { return k >= FKind::Eq && k <= FKind::Ge; }
inline bool is_float_arith(FKind k) { return k <= FKind::Div; }

// ---- scalar memory accesses a back end may expand inline ----

enum class IndexType : uint8_t { I32, I64 };

struct Access {
  uint8_t bytes;
  bool store;
  bool sign;  // loads: sign-extend
  bool wide;  // loads: to 64 bits
  // The memory addressed and its index type (memory64 and multi-memory
  // will set these; translated code addresses only memory 0 with i32 now).
  uint32_t memory = 0;
  IndexType index = IndexType::I32;
};
std::optional<Access> scalar_access(Op op);

// Whether `access` is emitted without a bounds check, its out-of-bounds
// case left to the guard regions and the fault handler (fault_handler.h),
// in code compiled for guarded memories (`guarded`: UseGuardRegions and
// the handler installed). Only memory 0 with a 32-bit index qualifies: a
// u32 index plus a u32 offset plus at most 16 bytes stays inside its
// reservation (linear_memory.h); the access instruction must then be
// recorded with ModuleEmitter::add_trap_site.
//
// Wasm requires an out-of-bounds store to write nothing. A store that
// faults part way (an unaligned one straddling the end of memory) writes
// nothing on x86-64, but AArch64 lets a core write the bytes before the
// faulting page (wasmtime issue 7237), so there a store wider than a byte
// keeps its explicit check: loads, and byte stores, cannot straddle.
#if defined(__aarch64__)
inline constexpr bool kFaultingStoresMayWritePart = true;
#else
inline constexpr bool kFaultingStoresMayWritePart = false;
#endif
constexpr bool elides_bounds_check(const Access& access, bool guarded) {
  if (kFaultingStoresMayWritePart && access.store && access.bytes > 1) return false;
  return guarded && access.memory == 0 && access.index == IndexType::I32;
}

// ---- one function's code and branch targets ----

class FunctionCode {
 public:
  // Decodes cf's translated code and collects its branch targets, with a
  // fresh label each. False when the code does not decode (it then stays
  // on the interpreter). Reused from function to function: a module may
  // have a million targets.
  bool scan(const CompiledFunc& cf, asmjit::BaseEmitter& emitter);

  // The instruction at `off` (scan() checked every one decodes).
  Instr at(size_t off) const { return *decode_at(off); }
  const Unit* code() const { return code_; }
  size_t size() const { return size_; }

  // The branch targets (unit offsets, sorted) and their labels.
  const std::vector<uint32_t>& target_offsets() const { return target_offsets_; }
  asmjit::Label target_label(size_t i) const { return target_labels_[i]; }

  // The label of the branch whose offset is pc[field].
  asmjit::Label target(const Unit* pc, uint32_t field) const;

  // The targets of the function's loop back edges (translated code
  // offsets, sorted) and their labels: where tier-up may enter the code in
  // the middle of a call (on-stack replacement, interp::LoopEntries).
  const std::vector<uint32_t>& loop_header_offsets() const { return loop_header_offsets_; }
  std::vector<asmjit::Label> loop_header_labels() const;
  // A lowering whose code at the loop header `offset` expects more than
  // the frame (values in registers: the optimizing tier) enters it from
  // `entry` instead, a stub that loads them from their cells first.
  void set_loop_entry(uint32_t offset, asmjit::Label entry) { loop_entry_overrides_[offset] = entry; }

  // Pass 2: calls emit(instr, pc) on every instruction in order, binding
  // each target's label at its instruction (or at the end).
  template <typename Emit>
  void emit_all(asmjit::BaseEmitter& emitter, Emit&& emit) {
    size_t next = 0;
    for (size_t off = 0; off < size_;) {
      if (next < target_offsets_.size() && target_offsets_[next] == off) emitter.bind(target_labels_[next++]);
      const Instr in = at(off);
      emit(in, code_ + off);
      off += in.units;
    }
    if (next < target_offsets_.size() && target_offsets_[next] == size_) emitter.bind(target_labels_[next++]);
  }

 private:
  std::optional<Instr> decode_at(size_t off) const;

  const Unit* code_ = nullptr;
  size_t size_ = 0;
  std::vector<uint32_t> target_offsets_;  // unit offsets, sorted, unique
  std::vector<asmjit::Label> target_labels_;
  std::vector<uint32_t> loop_header_offsets_;  // sorted, unique; each one of target_offsets_
  std::unordered_map<uint32_t, asmjit::Label> loop_entry_overrides_;  // set_loop_entry
};

// ---- branch forms, shared ----

// The branch part of a fused form (docs/fuel.md), after the back end set
// its flags so that `taken` holds when the condition is true: BT/BF jump
// on true/false; BTI polls interrupts before a taken back edge; BTF
// charges the next block's fuel when the branch falls through; BTLF
// charges the loop body's cost on the taken back edge (after the poll)
// and the next block's when it falls through. B provides, besides the
// primitives of emit_common_ir below, branch_on(cond, Label),
// negate(cond) and new_label()/bind(Label).
template <typename B, typename Condition>
void emit_branch_form(B& b, Family form, Condition taken, const Unit* pc, uint32_t field) {
  const asmjit::Label t = b.target(pc, field);
  switch (form) {
    case Family::BT: b.branch_on(taken, t); break;
    case Family::BF: b.branch_on(b.negate(taken), t); break;
    case Family::BTI: {
      const asmjit::Label skip = b.new_label();
      b.branch_on(b.negate(taken), skip);
      b.emit_back_edge(0, t, true);
      b.bind(skip);
      break;
    }
    case Family::BTF:
      b.branch_on(taken, t);
      b.emit_fuel_charge(fall_through_cost(form, pc, field));
      break;
    case Family::BTLF: {
      const asmjit::Label skip = b.new_label();
      b.branch_on(b.negate(taken), skip);
      b.emit_back_edge(back_edge_cost(form, pc, field), t, false);
      b.bind(skip);
      b.emit_fuel_charge(fall_through_cost(form, pc, field));
      break;
    }
    default: break;
  }
}

// ---- control flow and data movement, shared ----

// The IrOps whose machine code is the same few steps on every
// architecture (a copy or a constant, then a jump, a back edge, a call or
// a return; a global read; a fuel charge), expanded by calling the back
// end B's primitives:
//   emit_copy(dst, src)                   one cell
//   emit_const(dst, Cell)                 a 64-bit constant into a cell
//   jump(Label)
//   branch_if(cond, nonzero, Label)       on a 32-bit cell being != 0 / == 0
//   branch_form_if(form, pc, field, cond) a metered br_if form on cond != 0
//   emit_back_edge(loop_cost, Label, irq_only)
//   emit_call(func_index, arg_base), emit_return()
//   emit_global_get(dst, global), emit_fuel_charge(cost)
//   target(pc, field), trap_label(TrapCode)
// Returns false for the IrOps the back end expands itself.
template <typename B>
bool emit_common_ir(B& b, IrOp op, const Unit* pc) {
  switch (op) {
    case IrOp::Copy: b.emit_copy(pc[2], pc[3]); return true;
    case IrOp::CopyPair:
      b.emit_copy(pc[2], pc[3]);
      b.emit_copy(pc[4], pc[5]);
      return true;
    case IrOp::Br: b.jump(b.target(pc, 2)); return true;
    case IrOp::BrIf: b.branch_if(pc[2], true, b.target(pc, 3)); return true;
    case IrOp::BrUnless: b.branch_if(pc[2], false, b.target(pc, 3)); return true;
    case IrOp::BrLoopI: b.emit_back_edge(0, b.target(pc, 2), true); return true;
    case IrOp::BrLoop: b.emit_back_edge(pc[3], b.target(pc, 2), false); return true;
    case IrOp::BrIfLoopI: b.branch_form_if(Family::BTI, pc, 3, pc[2]); return true;
    case IrOp::BrIfF: b.branch_form_if(Family::BTF, pc, 3, pc[2]); return true;
    case IrOp::BrIfLoopF: b.branch_form_if(Family::BTLF, pc, 3, pc[2]); return true;
    case IrOp::Const: b.emit_const(pc[2], const_operand(pc)); return true;
    case IrOp::ConstBr:
      b.emit_const(pc[2], const_operand(pc));
      b.jump(b.target(pc, 5));
      return true;
    case IrOp::ConstBrLoopI:
      b.emit_const(pc[2], const_operand(pc));
      b.emit_back_edge(0, b.target(pc, 5), true);
      return true;
    case IrOp::ConstBrLoop:
      b.emit_const(pc[2], const_operand(pc));
      b.emit_back_edge(pc[6], b.target(pc, 5), false);
      return true;
    case IrOp::CopyBr:
      b.emit_copy(pc[2], pc[3]);
      b.jump(b.target(pc, 4));
      return true;
    case IrOp::CopyBrLoopI:
      b.emit_copy(pc[2], pc[3]);
      b.emit_back_edge(0, b.target(pc, 4), true);
      return true;
    case IrOp::CopyBrLoop:
      b.emit_copy(pc[2], pc[3]);
      b.emit_back_edge(pc[5], b.target(pc, 4), false);
      return true;
    case IrOp::Return: b.emit_return(); return true;
    case IrOp::CopyReturn:
      b.emit_copy(pc[2], pc[3]);
      b.emit_return();
      return true;
    case IrOp::Call: b.emit_call(pc[2], pc[3]); return true;
    case IrOp::CopyCall:
      b.emit_copy(pc[2], pc[3]);
      b.emit_call(pc[4], pc[5]);
      return true;
    case IrOp::Unreachable: b.jump(b.trap_label(TrapCode::Unreachable)); return true;
    case IrOp::GlobalGet: b.emit_global_get(pc[2], pc[3]); return true;
    case IrOp::GlobalGetBrIf:
      b.emit_global_get(pc[2], pc[3]);
      b.branch_if(pc[4], true, b.target(pc, 5));
      return true;
    case IrOp::Fuel: b.emit_fuel_charge(pc[2]); return true;
    default: return false;
  }
}

// ---- code emitted out of line ----

// What a back end emits after a function (or after the module's last one)
// rather than where it is needed: the deferred paths (the slow path of an
// interrupt poll, a jump table) and one exit per trap code used, each a
// label that the code branches to.
class OutOfLine {
 public:
  void defer(std::function<void()> emit) { deferred_.push_back(std::move(emit)); }
  asmjit::Label trap_exit(asmjit::BaseEmitter& emitter, TrapCode code) {
    auto [it, inserted] = trap_exits_.try_emplace(static_cast<uint32_t>(code));
    if (inserted) it->second = emitter.newLabel();
    return it->second;
  }
  // Emits the deferred paths, in the order they were deferred.
  void emit_deferred() {
    for (size_t i = 0; i < deferred_.size(); ++i) deferred_[i]();  // (one may defer another)
    deferred_.clear();
  }
  // Binds each trap exit used since the last call and emits its code with
  // emit_exit(code), which leaves for the shared trap path.
  template <typename EmitExit>
  void emit_trap_exits(asmjit::BaseEmitter& emitter, EmitExit&& emit_exit) {
    for (auto& [code, label] : trap_exits_) {
      emitter.bind(label);
      emit_exit(code);
    }
    trap_exits_.clear();
  }

 private:
  std::vector<std::function<void()>> deferred_;
  std::unordered_map<uint32_t, asmjit::Label> trap_exits_;
};

// ---- the module driver ----

// A back end's compiler of one module, emitting into `holder`.
class ModuleEmitter {
 public:
  // `guarded`: memory 0's 32-bit accesses may go unchecked
  // (elides_bounds_check).
  explicit ModuleEmitter(bool guarded);
  virtual ~ModuleEmitter();
  // Shared code first: the trampoline, the call and return stubs, ...
  virtual void emit_shared() = 0;
  // One function. False when it must stay on the interpreter; else its
  // entry is at *entry_offset in the code.
  virtual bool emit_function(const CompiledFunc& cf, size_t* entry_offset) = 0;
  // After the last function (module-wide trap exits and the like).
  virtual void emit_end() = 0;
  // Where jit::run enters the module's code (JitState*, entry, fp).
  virtual asmjit::Label trampoline() const = 0;
  // The function emit_function last emitted (its loop headers' labels).
  virtual const FunctionCode& function_code() const = 0;

  bool guarded() const { return guarded_; }
  // Whether the module was compiled with fuel metering: its code's fuel
  // register then holds the fuel, else the poll word's address
  // (jit_state.h). Set before emit_shared.
  bool fuel_code() const { return fuel_code_; }
  void set_fuel_code(bool fuel_code) { fuel_code_ = fuel_code; }
  // An unchecked access instruction at `access_offset` in the code whose
  // out-of-bounds fault resumes at `exit` (fault_handler.h).
  void add_trap_site(size_t access_offset, asmjit::Label exit) { trap_sites_.push_back({access_offset, exit}); }
  struct PendingTrapSite {
    size_t access_offset;
    asmjit::Label exit;
  };
  const std::vector<PendingTrapSite>& trap_sites() const { return trap_sites_; }

  // The entry of each function emitted here, by defined index, for the
  // direct call stubs. A list, not a map: a module of a million functions
  // would allocate a node for each.
  void add_local_entry(uint32_t defined, asmjit::Label entry) { entries_.emplace_back(defined, entry); }
  // Before the first local_entry(), once every function is emitted.
  void finish_local_entries();
  // The entry of the function emitted here with this defined index, or an
  // invalid label.
  asmjit::Label local_entry(uint32_t defined) const;

  // What the optimizing tier reuses from one function to the next of this
  // compile (jit/opt/ir.h).
  opt::Workspace& opt_workspace();

 private:
  const bool guarded_;
  bool fuel_code_ = true;
  std::vector<PendingTrapSite> trap_sites_;
  std::vector<std::pair<uint32_t, asmjit::Label>> entries_;
  std::unique_ptr<opt::Workspace> opt_workspace_;
};

// Compiles the functions of `funcs` listed in `which` (one module's
// functions, or a batch of them for tier-up) with the emitter
// make(holder, guarded) returns, installs the code (registering its trap
// sites with the fault handler) and publishes every function compiled
// (CompiledFunc::publish) on `tier`, with its loop entries. `guarded` is
// whether bounds asks for guard regions and the fault handler is
// installed. The code's trampoline and stubs serve any function of the
// module, so machine code compiled in one batch calls into any other
// directly.
template <typename Make>
Result<std::shared_ptr<const JitCode>> compile_module_with(const std::vector<CompiledFunc>& funcs,
                                                           std::span<const uint32_t> which,
                                                           const interp::Tier* tier, interp::BoundsChecks bounds,
                                                           Make&& make);

// Non-template part of compile_module_with.
class ModuleBuild {
 public:
  ModuleBuild();
  ~ModuleBuild();
  asmjit::CodeHolder& holder() { return holder_; }
  // Emitted: funcs[index] at `entry`, its loop headers at those labels.
  struct Emitted {
    uint32_t index;
    size_t entry;
    std::vector<uint32_t> loop_offsets;
    std::vector<asmjit::Label> loop_labels;
  };
  Result<std::shared_ptr<const JitCode>> finish(const std::vector<CompiledFunc>& funcs, ModuleEmitter& emitter,
                                                std::vector<Emitted>& emitted, const interp::Tier* tier);
  bool failed() const { return !errors_.first_error.empty(); }

 private:
  class FirstErrorHandler final : public asmjit::ErrorHandler {
   public:
    void handleError(asmjit::Error, const char* message, asmjit::BaseEmitter*) override {
      if (first_error.empty()) first_error = message;
    }
    std::string first_error;
  };
  asmjit::CodeHolder holder_;
  FirstErrorHandler errors_;
  std::unique_ptr<asmjit::FileLogger> logger_;
};

// Whether code compiled with `bounds` may leave accesses to the fault
// handler (which this installs, once per process).
bool use_guard_regions(interp::BoundsChecks bounds);

template <typename Make>
Result<std::shared_ptr<const JitCode>> compile_module_with(const std::vector<CompiledFunc>& funcs,
                                                           std::span<const uint32_t> which,
                                                           const interp::Tier* tier, interp::BoundsChecks bounds,
                                                           Make&& make) {
  ModuleBuild build;
  std::unique_ptr<ModuleEmitter> emitter = make(build.holder(), use_guard_regions(bounds));
  emitter->set_fuel_code(funcs.empty() || funcs.front().fuel);
  emitter->emit_shared();
  std::vector<ModuleBuild::Emitted> emitted;
  emitted.reserve(which.size());
  for (uint32_t index : which) {
    if (build.failed()) break;
    size_t entry = 0;
    if (!emitter->emit_function(funcs[index], &entry)) continue;
    const FunctionCode& code = emitter->function_code();
    emitted.push_back({index, entry, code.loop_header_offsets(), code.loop_header_labels()});
  }
  emitter->emit_end();
  return build.finish(funcs, *emitter, emitted, tier);
}

}  // namespace wasmrt::jit::codegen
