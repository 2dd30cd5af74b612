// The back ends' shared part (jit/codegen.h): decoding translated code,
// classifying what may be expanded inline, branch targets, and the module
// driver.
#include "jit/codegen.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

#include "jit/fault_handler.h"
#include "jit/opt/ir.h"

namespace wasmrt::jit::codegen {

namespace {

using interp::kIrOpCount;

uint32_t ir_units(IrOp op, const Unit* pc) {
  switch (op) {
    case IrOp::Return: case IrOp::Unreachable: return 2;
    case IrOp::Br: case IrOp::MemorySize: case IrOp::DataDrop: case IrOp::ElemDrop: case IrOp::Fuel:
    case IrOp::BrLoopI: return 3;
    case IrOp::Copy: case IrOp::Copy2: case IrOp::BrIf: case IrOp::BrUnless: case IrOp::Call:
    case IrOp::GlobalGet: case IrOp::GlobalGet2: case IrOp::GlobalSet: case IrOp::GlobalSet2: case IrOp::RefFunc:
    case IrOp::MemoryGrow: case IrOp::TableSize: case IrOp::BrLoop: case IrOp::BrIfLoopI: case IrOp::CopyReturn:
      return 4;
    case IrOp::MemoryFill: case IrOp::MemoryCopy: case IrOp::TableGet: case IrOp::TableSet: case IrOp::BrIfF:
    case IrOp::CopyBr: case IrOp::CopyBrLoopI: case IrOp::Const: return 5;
    case IrOp::CopyPair: case IrOp::CallIndirect: case IrOp::Select: case IrOp::Select2: case IrOp::MemoryInit:
    case IrOp::TableGrow: case IrOp::TableFill: case IrOp::BrIfLoopF: case IrOp::CopyBrLoop:
    case IrOp::I32AddGlobalSet: case IrOp::I32SubGlobalSet: case IrOp::CopyCall: case IrOp::GlobalGetBrIf:
    case IrOp::ConstBr: case IrOp::ConstBrLoopI:
      return 6;
    case IrOp::TableCopy: case IrOp::TableInit: case IrOp::ConstBrLoop: return 7;
    case IrOp::BrTable: return 4 + pc[3] + 1;
  }
  return 0;
}

// The families after the IrOps, in handler-table order (ir.h), one block
// of kOpCount handlers each; the fused pairs follow.
constexpr Family kFamilies[] = {Family::BT,  Family::BF,  Family::BTI,  Family::BTF,  Family::BTLF, Family::AddressSum,
                                Family::ABT, Family::ABF, Family::ABTI, Family::ABTF, Family::ABTLF};
constexpr uint32_t family_base(uint32_t position) { return kOpCount + kIrOpCount + position * kOpCount; }
constexpr Op kOp0 = static_cast<Op>(0);
static_assert(interp::branch_if_true_index(kOp0) == family_base(0) &&
              interp::branch_if_false_index(kOp0) == family_base(1) &&
              interp::branch_if_true_loop_irq_index(kOp0) == family_base(2) &&
              interp::branch_if_true_fuel_index(kOp0) == family_base(3) &&
              interp::branch_if_true_loop_fuel_index(kOp0) == family_base(4) &&
              interp::address_sum_index(kOp0) == family_base(5) &&
              interp::add_branch_index(0, kOp0) == family_base(6) &&
              interp::add_branch_index(4, kOp0) == family_base(10) &&
              interp::fused_pair_index(0) == family_base(std::size(kFamilies)),
              "kFamilies must follow ir.h's handler table");

// The family of handler index h, and its op for the Op-indexed families.
Family family_of(uint32_t h, Op& op) {
  if (h < kOpCount) {
    op = static_cast<Op>(h);
    return Family::Generated;
  }
  if (h < kOpCount + kIrOpCount) return Family::Ir;
  const uint32_t rest = h - kOpCount - kIrOpCount;
  if (rest >= std::size(kFamilies) * kOpCount) return Family::Pair;
  op = static_cast<Op>(rest % kOpCount);
  return kFamilies[rest / kOpCount];
}

}  // namespace

Instr decode(uint32_t h, const Unit* pc) {
  Instr in{};
  in.index = h;
  in.family = family_of(h, in.op);
  switch (in.family) {
    case Family::Generated: in.units = interp::generated_units(in.op); return in;
    case Family::Ir:
      in.ir = static_cast<IrOp>(h - kOpCount);
      in.units = ir_units(in.ir, pc);
      return in;
    case Family::Pair: in.units = kHandlerUnits + 4; return in;
    case Family::AddressSum: in.units = interp::generated_units(in.op) + 1; return in;
    default: break;
  }
  in.field = in.family >= Family::ABT ? interp::kAddCompareField
                                      : kHandlerUnits + static_cast<uint32_t>(interp::op_params(in.op).size());
  const Family form = branch_form(in.family);
  in.units = in.field + (form == Family::BTF ? 2 : form == Family::BTLF ? 3 : 1);
  return in;
}

bool may_be_emitted(uint32_t h) {
  Op op = Op::Unreachable;
  switch (family_of(h, op)) {
    case Family::Generated: return interp::is_computed_op(op) || interp::is_memory_access_op(op);
    case Family::Ir: case Family::Pair: return true;
    case Family::AddressSum: return interp::kOpImm[static_cast<size_t>(op)] == ImmKind::MemArg;
    case Family::ABT: case Family::ABF: case Family::ABTI: case Family::ABTF: case Family::ABTLF:
      return interp::is_add_fusable_compare(op);
    default: return interp::is_fusable_condition(op);  // the compare-and-branch forms
  }
}

const std::unordered_map<const void*, uint32_t>& handler_indices() {
  // Never destroyed, like the executable memory's allocator below: the
  // tier-up thread may still be compiling while static objects are
  // destroyed at exit, until it is joined.
  static const auto* const handlers = [] {
    auto* m = new std::unordered_map<const void*, uint32_t>;
    const void* const* table = interp::handler_table();
    for (uint32_t i = 0; i < interp::kHandlerCount; ++i)
      if (may_be_emitted(i)) m->emplace(table[i], i);
    return m;
  }();
  return *handlers;
}

std::optional<IntOp> int_op(Op op) {
  switch (op) {
#define WASMRT_BIN(name, k) \
  case Op::I32##name: return IntOp{Kind::Bin, false, Bin::k}; \
  case Op::I64##name: return IntOp{Kind::Bin, true, Bin::k};
    WASMRT_BIN(Add, Add) WASMRT_BIN(Sub, Sub) WASMRT_BIN(Mul, Mul) WASMRT_BIN(And, And) WASMRT_BIN(Or, Or)
    WASMRT_BIN(Xor, Xor) WASMRT_BIN(Shl, Shl) WASMRT_BIN(ShrS, ShrS) WASMRT_BIN(ShrU, ShrU)
    WASMRT_BIN(Rotl, Rotl) WASMRT_BIN(Rotr, Rotr)
#undef WASMRT_BIN
#define WASMRT_CMP(name, c) \
  case Op::I32##name: return IntOp{Kind::Cmp, false, Bin::Add, Cond::c}; \
  case Op::I64##name: return IntOp{Kind::Cmp, true, Bin::Add, Cond::c};
    WASMRT_CMP(Eq, Eq) WASMRT_CMP(Ne, Ne) WASMRT_CMP(LtS, LtS) WASMRT_CMP(LtU, LtU) WASMRT_CMP(GtS, GtS)
    WASMRT_CMP(GtU, GtU) WASMRT_CMP(LeS, LeS) WASMRT_CMP(LeU, LeU) WASMRT_CMP(GeS, GeS) WASMRT_CMP(GeU, GeU)
#undef WASMRT_CMP
    case Op::I32Eqz: return IntOp{Kind::Eqz, false};
    case Op::I64Eqz: return IntOp{Kind::Eqz, true};
    case Op::I64ExtendI32U: case Op::I32WrapI64: case Op::I32ReinterpretF32: case Op::F32ReinterpretI32:
      return IntOp{Kind::Move, false, Bin::Add, Cond::Eq, 4};
    case Op::I64ReinterpretF64: case Op::F64ReinterpretI64: return IntOp{Kind::Move, true, Bin::Add, Cond::Eq, 8};
    case Op::I64ExtendI32S: case Op::I64Extend32S: return IntOp{Kind::SignExtend, true, Bin::Add, Cond::Eq, 4};
    case Op::I32Extend8S: return IntOp{Kind::SignExtend, false, Bin::Add, Cond::Eq, 1};
    case Op::I32Extend16S: return IntOp{Kind::SignExtend, false, Bin::Add, Cond::Eq, 2};
    case Op::I64Extend8S: return IntOp{Kind::SignExtend, true, Bin::Add, Cond::Eq, 1};
    case Op::I64Extend16S: return IntOp{Kind::SignExtend, true, Bin::Add, Cond::Eq, 2};
    default: return std::nullopt;
  }
}

std::optional<FloatOp> float_op(Op op) {
  switch (op) {
#define WASMRT_FLOAT(name, k) \
  case Op::F32##name: return FloatOp{FKind::k, false}; \
  case Op::F64##name: return FloatOp{FKind::k, true};
    WASMRT_FLOAT(Add, Add) WASMRT_FLOAT(Sub, Sub) WASMRT_FLOAT(Mul, Mul) WASMRT_FLOAT(Div, Div)
    WASMRT_FLOAT(Eq, Eq) WASMRT_FLOAT(Ne, Ne) WASMRT_FLOAT(Lt, Lt) WASMRT_FLOAT(Gt, Gt) WASMRT_FLOAT(Le, Le)
    WASMRT_FLOAT(Ge, Ge)
#undef WASMRT_FLOAT
    case Op::F32ConvertI32S: return FloatOp{FKind::FromI32, false};
    case Op::F64ConvertI32S: return FloatOp{FKind::FromI32, true};
    case Op::F32ConvertI64S: return FloatOp{FKind::FromI64, false};
    case Op::F64ConvertI64S: return FloatOp{FKind::FromI64, true};
    case Op::F64PromoteF32: return FloatOp{FKind::Promote, true};
    case Op::F32DemoteF64: return FloatOp{FKind::Demote, false};
    default: return std::nullopt;
  }
}
std::optional<Access> scalar_access(Op op) {
  switch (op) {
    case Op::I32Load: case Op::F32Load: return Access{4, false, false, false};
    case Op::I64Load: case Op::F64Load: return Access{8, false, false, true};
    case Op::I32Load8S: return Access{1, false, true, false};
    case Op::I32Load8U: case Op::I64Load8U: return Access{1, false, false, false};
    case Op::I32Load16S: return Access{2, false, true, false};
    case Op::I32Load16U: case Op::I64Load16U: return Access{2, false, false, false};
    case Op::I64Load8S: return Access{1, false, true, true};
    case Op::I64Load16S: return Access{2, false, true, true};
    case Op::I64Load32S: return Access{4, false, true, true};
    case Op::I64Load32U: return Access{4, false, false, false};
    case Op::I32Store: case Op::F32Store: case Op::I64Store32: return Access{4, true, false, false};
    case Op::I64Store: case Op::F64Store: return Access{8, true, false, false};
    case Op::I32Store8: case Op::I64Store8: return Access{1, true, false, false};
    case Op::I32Store16: case Op::I64Store16: return Access{2, true, false, false};
    default: return std::nullopt;
  }
}

// ---- FunctionCode ----

std::optional<Instr> FunctionCode::decode_at(size_t off) const {
  const void* handler;
  std::memcpy(&handler, code_ + off, sizeof handler);
  const auto& handlers = handler_indices();
  auto it = handlers.find(handler);
  if (it == handlers.end()) return std::nullopt;
  Instr in = decode(it->second, code_ + off);
  if (in.units == 0 || off + in.units > size_) return std::nullopt;
  return in;
}

bool FunctionCode::scan(const CompiledFunc& cf, asmjit::BaseEmitter& emitter) {
  code_ = cf.code.data();
  size_ = cf.code.size();
  target_offsets_.clear();
  target_labels_.clear();
  loop_header_offsets_.clear();
  loop_entry_overrides_.clear();
  if (size_ > UINT32_MAX) return false;
  // (Pass 2 decodes again rather than keep what this pass decoded: memory
  // stays proportional to the targets.)
  for (size_t off = 0; off < size_;) {
    const std::optional<Instr> decoded = decode_at(off);
    if (!decoded) return false;
    const Instr& in = *decoded;
    const Unit* pc = code_ + off;
    auto mark = [&](uint32_t field) {
      const int64_t t = static_cast<int64_t>(off) + field + static_cast<int32_t>(pc[field]);
      if (t < 0 || static_cast<size_t>(t) > size_) return false;
      target_offsets_.push_back(static_cast<uint32_t>(t));
      return true;
    };
    // A loop instruction's target is a loop header (or, after jump
    // threading, a point past one): where the interpreter may switch.
    auto mark_loop = [&](uint32_t field) {
      if (!mark(field)) return false;
      loop_header_offsets_.push_back(target_offsets_.back());
      return true;
    };
    bool ok = true;
    if (is_branch_family(in.family)) {
      const Family form = branch_form(in.family);
      ok = form == Family::BTI || form == Family::BTLF ? mark_loop(in.field) : mark(in.field);
    } else if (in.family == Family::Ir) {
      switch (in.ir) {
        case IrOp::Br: ok = mark(2); break;
        case IrOp::BrLoopI: case IrOp::BrLoop: ok = mark_loop(2); break;
        case IrOp::BrIf: case IrOp::BrUnless: case IrOp::BrIfF: ok = mark(3); break;
        case IrOp::BrIfLoopI: case IrOp::BrIfLoopF: ok = mark_loop(3); break;
        case IrOp::CopyBr: ok = mark(4); break;
        case IrOp::CopyBrLoopI: case IrOp::CopyBrLoop: ok = mark_loop(4); break;
        case IrOp::ConstBr: ok = mark(5); break;
        case IrOp::ConstBrLoopI: case IrOp::ConstBrLoop: ok = mark_loop(5); break;
        case IrOp::GlobalGetBrIf: ok = mark(5); break;
        case IrOp::BrTable:
          for (uint32_t i = 0; i <= pc[3] && ok; ++i) ok = mark(4 + i);
          break;
        default: break;
      }
    }
    if (!ok) return false;
    off += in.units;
  }
  for (std::vector<uint32_t>* offsets : {&target_offsets_, &loop_header_offsets_}) {
    std::sort(offsets->begin(), offsets->end());
    offsets->erase(std::unique(offsets->begin(), offsets->end()), offsets->end());
  }
  target_labels_.resize(target_offsets_.size());
  for (asmjit::Label& label : target_labels_) label = emitter.newLabel();
  return true;
}

asmjit::Label FunctionCode::target(const Unit* pc, uint32_t field) const {
  const uint32_t off = static_cast<uint32_t>(pc - code_) + field + static_cast<int32_t>(pc[field]);
  auto it = std::lower_bound(target_offsets_.begin(), target_offsets_.end(), off);
  return target_labels_[static_cast<size_t>(it - target_offsets_.begin())];
}

std::vector<asmjit::Label> FunctionCode::loop_header_labels() const {
  std::vector<asmjit::Label> labels;
  labels.reserve(loop_header_offsets_.size());
  for (uint32_t off : loop_header_offsets_) {
    if (auto entry = loop_entry_overrides_.find(off); entry != loop_entry_overrides_.end()) {
      labels.push_back(entry->second);
      continue;
    }
    auto it = std::lower_bound(target_offsets_.begin(), target_offsets_.end(), off);
    labels.push_back(target_labels_[static_cast<size_t>(it - target_offsets_.begin())]);
  }
  return labels;
}

// ---- the module driver ----

namespace {

class ModuleCode final : public JitCode {
 public:
  explicit ModuleCode(void* base) : base_(base) {}
  ~ModuleCode() override;

  // Before any of the code can run.
  void register_trap_sites(size_t code_size, std::vector<fault::TrapSite> sites) {
    if (!sites.empty()) registration_.emplace(base_, code_size, std::move(sites));
  }
  bool relies_on_guard_regions() const override { return registration_.has_value(); }

  // One per function compiled (published in CompiledFunc::loop_entries).
  std::vector<interp::LoopEntries> loop_entries;

 private:
  void* base_;
  // Present when the code has unchecked accesses.
  std::optional<fault::CodeRegistration> registration_;
};

// Both never destroyed (see handler_indices).
asmjit::JitRuntime& jit_runtime() {
  static auto* const runtime = new asmjit::JitRuntime;
  return *runtime;
}
// Tier-up compiles on other threads than the ones that drop modules: the
// executable memory's allocator is used under this lock (it is in another
// library, so a lock of our own is also what ThreadSanitizer can see).
std::mutex& jit_runtime_mutex() {
  static auto* const mutex = new std::mutex;
  return *mutex;
}

ModuleCode::~ModuleCode() {
  registration_.reset();  // the fault handler forgets the code before it is freed
  std::lock_guard lock(jit_runtime_mutex());
  jit_runtime().release(base_);
}

// WASMRT_PERF_MAP=1: each batch of machine code is described in
// /tmp/perf-<pid>.map, the file `perf report` reads to name code it found
// no symbols for (one line per function: start, size, name). Out-of-line
// code is emitted after each function's body, so a function's range runs
// to the next one's entry. The code itself goes to
// /tmp/perf-<pid>-<start address in hex>.bin, for scripts/jit_annotate.py
// (perf cannot disassemble code it has no file for).
void write_perf_map(const uint8_t* bytes, size_t code_size, size_t stubs_end,
                    const std::vector<ModuleBuild::Emitted>& emitted, const interp::Tier* tier) {
  static const bool enabled = std::getenv("WASMRT_PERF_MAP") != nullptr;
  if (!enabled) return;
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  const std::string path = "/tmp/perf-" + std::to_string(getpid()) + ".map";
  FILE* out = std::fopen(path.c_str(), "a");
  if (out == nullptr) return;
  std::vector<std::pair<size_t, uint32_t>> starts;
  for (const ModuleBuild::Emitted& e : emitted) starts.emplace_back(e.entry, e.index);
  std::sort(starts.begin(), starts.end());
  const auto address = [bytes](size_t offset) { return reinterpret_cast<uintptr_t>(bytes + offset); };
  if (stubs_end != 0) std::fprintf(out, "%zx %zx wasmrt-stubs\n", address(0), stubs_end);
  const std::string tier_name(tier != nullptr ? tier->name() : "jit");
  for (size_t i = 0; i < starts.size(); ++i) {
    const size_t end = i + 1 < starts.size() ? starts[i + 1].first : code_size;
    std::fprintf(out, "%zx %zx wasm[%u] (%s)\n", address(starts[i].first), end - starts[i].first,
                 starts[i].second, tier_name.c_str());
  }
  std::fclose(out);
  char name[64];
  std::snprintf(name, sizeof name, "/tmp/perf-%d-%zx.bin", static_cast<int>(getpid()), address(0));
  if (FILE* code = std::fopen(name, "wb"); code != nullptr) {
    std::fwrite(bytes, 1, code_size, code);
    std::fclose(code);
  }
}

}  // namespace

bool use_guard_regions(interp::BoundsChecks bounds) {
  return bounds == interp::BoundsChecks::UseGuardRegions && fault::install();
}

ModuleBuild::ModuleBuild() {
  holder_.init(jit_runtime().environment());
  holder_.setErrorHandler(&errors_);
  if (std::getenv("WASMRT_JIT_LOG") != nullptr) {
    logger_ = std::make_unique<asmjit::FileLogger>(stderr);
    holder_.setLogger(logger_.get());
  }
}

ModuleBuild::~ModuleBuild() = default;

Result<std::shared_ptr<const JitCode>> ModuleBuild::finish(const std::vector<CompiledFunc>& funcs,
                                                           ModuleEmitter& emitter, std::vector<Emitted>& emitted,
                                                           const interp::Tier* tier) {
  if (failed()) return Error{Phase::Invalid, "jit: " + errors_.first_error};
  void* base = nullptr;
  {
    std::lock_guard lock(jit_runtime_mutex());
    if (asmjit::Error e = jit_runtime().add(&base, &holder_); e != asmjit::kErrorOk)
      return Error{Phase::Invalid, std::string("jit: ") + asmjit::DebugUtils::errorAsString(e)};
  }
  auto code = std::make_shared<ModuleCode>(base);
  std::vector<fault::TrapSite> sites;
  sites.reserve(emitter.trap_sites().size());
  const uint64_t text_start = holder_.textSection()->offset();
  for (const ModuleEmitter::PendingTrapSite& site : emitter.trap_sites())
    sites.push_back({static_cast<uint32_t>(text_start + site.access_offset),
                     static_cast<uint32_t>(holder_.labelOffsetFromBase(site.exit))});
  code->register_trap_sites(holder_.codeSize(), std::move(sites));
  const uint8_t* bytes = static_cast<const uint8_t*>(base);
  const void* trampoline = bytes + holder_.labelOffsetFromBase(emitter.trampoline());
  code->loop_entries.resize(emitted.size());
  for (size_t i = 0; i < emitted.size(); ++i) {
    interp::LoopEntries& loops = code->loop_entries[i];
    loops.code_offsets = std::move(emitted[i].loop_offsets);
    loops.addresses.reserve(loops.code_offsets.size());
    for (const asmjit::Label& label : emitted[i].loop_labels)
      loops.addresses.push_back(bytes + holder_.labelOffsetFromBase(label));
  }
  write_perf_map(bytes, holder_.codeSize(),
                 emitted.empty() ? 0 : std::min_element(emitted.begin(), emitted.end(), [](const Emitted& a, const Emitted& b) {
                   return a.entry < b.entry;
                 })->entry,
                 emitted, tier);
  // Published only now that the code is in place (and once each: a
  // function is compiled by at most one batch).
  for (size_t i = 0; i < emitted.size(); ++i)
    funcs[emitted[i].index].publish(tier, bytes + emitted[i].entry, trampoline, &code->loop_entries[i]);
  return std::shared_ptr<const JitCode>(std::move(code));
}

ModuleEmitter::ModuleEmitter(bool guarded) : guarded_(guarded) {}
ModuleEmitter::~ModuleEmitter() = default;

void ModuleEmitter::finish_local_entries() {
  // (Emitted in index order, they are sorted already.)
  auto by_index = [](const auto& l, const auto& r) { return l.first < r.first; };
  if (!std::is_sorted(entries_.begin(), entries_.end(), by_index))
    std::sort(entries_.begin(), entries_.end(), by_index);
}

asmjit::Label ModuleEmitter::local_entry(uint32_t defined) const {
  auto it =
      std::lower_bound(entries_.begin(), entries_.end(), defined,
                       [](const std::pair<uint32_t, asmjit::Label>& e, uint32_t d) { return e.first < d; });
  return it != entries_.end() && it->first == defined ? it->second : asmjit::Label();
}

opt::Workspace& ModuleEmitter::opt_workspace() {
  if (!opt_workspace_) opt_workspace_ = std::make_unique<opt::Workspace>();
  return *opt_workspace_;
}

}  // namespace wasmrt::jit::codegen
