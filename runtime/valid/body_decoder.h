// The one function-body decoder loop. Every consumer of instruction
// sequences in function bodies (the validator, the interpreter's
// translator, the JIT) walks a body through BodyDecoder, so control-flow
// structure and operand typing are understood in exactly one place.
//
//   BodyDecoder<Visitor, /*kValidate=*/true>  types every instruction,
//     reports the first error (Malformed or Invalid) and FILLS a
//     FuncSideTable (runtime/valid/side_table.h).
//   BodyDecoder<Visitor, /*kValidate=*/false> walks an already validated
//     body, skips the type comparisons and CONSUMES the side table, so the
//     visitor receives resolved branch targets, arities and drop counts at
//     the branch instruction itself (forward targets are only known once
//     the matching `end` has been seen, i.e. after the first walk).
//
// The decoder is non-recursive: the control stack is an explicit vector,
// so nesting depth never grows the host stack. Stacks and the Instr are
// members reused across functions: no allocation per instruction.
//
// Visitor interface (derive from NopVisitor and hide what you need; calls
// are resolved statically). Each instruction produces exactly one call,
// made after the instruction has been typed; `ctx.height` is the operand
// stack height (slots) BEFORE the instruction:
//   on_instr(in, ctx)                 every non-control instruction
//                                     (including nop and unreachable)
//   on_block_begin(in, sig, ctx)      block, loop
//   on_if(in, sig, to_else, ctx)      if; to_else = the false-path entry
//   on_else(in, to_end, ctx)          else; to_end = then arm's exit
//   on_block_end(in, sig, is_function_end, ctx)
//   on_branch(in, entries, n, ctx)    br, br_if, br_table (labels, then
//                                     default), return
// During the validating walk forward targets are kUnresolvedTarget.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "runtime/binary/instr.h"
#include "runtime/binary/module.h"
#include "runtime/binary/opcodes.h"
#include "runtime/binary/reader.h"
#include "runtime/valid/body_scan.h"
#include "runtime/valid/errors.h"
#include "runtime/valid/side_table.h"
#include "wasmrt/result.h"

namespace wasmrt {

// The "unknown" operand type of the spec's polymorphic stack (dead code).
inline constexpr ValType kBottomType = static_cast<ValType>(0);
inline constexpr uint32_t kUnresolvedTarget = ~uint32_t{0};

// A block's (or the function's) signature, pointing into ModuleDesc::types
// or into static storage; stable for the duration of a walk.
struct BlockSig {
  const ValType* params = nullptr;
  uint32_t num_params = 0;
  const ValType* results = nullptr;
  uint32_t num_results = 0;
};

struct InstrContext {
  uint32_t height = 0;  // operand stack height before the instruction
  // drop, select, ref.is_null: the value operand's type (kBottomType when
  // unknown in dead code); local.*/global.*: the variable's type; table.get/
  // set/grow/fill: the table's element type; ref.null: the pushed type.
  ValType operand = kBottomType;
  bool unreachable = false;  // dead code (after br, return, unreachable)
};

class NopVisitor {
 public:
  void on_instr(const Instr&, const InstrContext&) {}
  void on_block_begin(const Instr&, const BlockSig&, const InstrContext&) {}
  void on_if(const Instr&, const BlockSig&, const BranchEntry&, const InstrContext&) {}
  void on_else(const Instr&, const BranchEntry&, const InstrContext&) {}
  void on_block_end(const Instr&, const BlockSig&, bool, const InstrContext&) {}
  void on_branch(const Instr&, const BranchEntry*, uint32_t, const InstrContext&) {}
};

namespace body_detail {

// Operand typing of the generic instructions, derived from opcodes.def.
struct OpTyping {
  uint8_t num_params = 0;
  uint8_t num_results = 0;
  ValType params[3] = {ValType::I32, ValType::I32, ValType::I32};
  ValType result = ValType::I32;
};

constexpr ValType letter_type(char c) {
  return c == 'i'   ? ValType::I32
         : c == 'l' ? ValType::I64
         : c == 'f' ? ValType::F32
         : c == 'd' ? ValType::F64
                    : ValType::V128;
}

constexpr OpTyping make_typing(std::string_view params, std::string_view results) {
  OpTyping t;
  t.num_params = static_cast<uint8_t>(params.size());
  for (size_t i = 0; i < params.size() && i < 3; ++i) t.params[i] = letter_type(params[i]);
  t.num_results = static_cast<uint8_t>(results.size());
  if (!results.empty()) t.result = letter_type(results[0]);
  return t;
}

inline constexpr OpTyping kSigTypings[] = {
#define WASMRT_SIG_TYPING(name, params, results) make_typing(params, results),
    WASMRT_FOR_EACH_SIG(WASMRT_SIG_TYPING)
#undef WASMRT_SIG_TYPING
        OpTyping{},  // Special
};

constexpr uint8_t log2_bytes(uint32_t bytes) {
  uint8_t l = 0;
  while ((1u << l) < bytes) ++l;
  return l;
}

// One row per opcode: what to check in the immediates and how to type it.
struct OpRow {
  ImmKind imm;
  uint8_t bytes;
  uint8_t max_align_log2;  // natural alignment of memory accesses
  OpTyping typing;
};

inline constexpr OpRow kOpRows[] = {
#define WASM_OP(name, prefix, code, text, imm, sig, bytes) \
  {ImmKind::imm, bytes, log2_bytes(bytes), kSigTypings[static_cast<size_t>(Sig::S_##sig)]},
#include "runtime/binary/opcodes.def"
#undef WASM_OP
};

inline constexpr ValType kValueTypes[] = {ValType::I32,  ValType::I64,     ValType::F32,      ValType::F64,
                                          ValType::V128, ValType::FuncRef, ValType::ExternRef};
inline const ValType* static_type_ptr(ValType t) {
  for (const ValType& v : kValueTypes)
    if (v == t) return &v;
  return &kValueTypes[0];
}

inline std::string indexed(const char* what, uint32_t index) {
  return std::string(what) + " " + std::to_string(index);
}

}  // namespace body_detail

template <class Visitor, bool kValidate>
class BodyDecoder {
 public:
  BodyDecoder(const ModuleDesc& module, Visitor& visitor) : module_(module), visitor_(visitor) {}

  // C.refs of the spec: one byte per function index, nonzero when ref.func
  // of it is allowed in a body. Only consulted when kValidate.
  void set_declared_refs(const std::vector<uint8_t>* refs) { declared_refs_ = refs; }

  // Walks the body of defined function `defined_index`. kValidate: fills
  // `table`; otherwise reads it. Returns false with error() set.
  // (The non-validating walk only reads the table, hence const there.)
  using TableRef = std::conditional_t<kValidate, FuncSideTable&, const FuncSideTable&>;
  bool decode(uint32_t defined_index, TableRef table);

  const Error& error() const { return error_; }
  Error take_error() { return std::move(error_); }

  // The type of local `index` (params first) of the function being walked.
  bool local_type(uint32_t index, ValType& out) const;

 private:
  struct Frame {
    Op kind;  // Block, Loop, If, Else (an if past its else)
    bool unreachable;
    bool is_function;
    BlockSig sig;
    uint32_t height;       // operand height below the block's params
    uint32_t loop_target;  // Loop: first instruction of the body
    uint32_t pending;      // chain of forward entries awaiting the end
    uint32_t if_entry;     // If/Else: the false-path entry
    // Identifies the label types (equal keys, equal types) so br_table
    // checks each distinct label type once: 0 = no label values, 1 + i =
    // single value type i, 8 + 2 * type index (+1 for a loop's params).
    uint32_t label_key;
  };
  static constexpr uint32_t kNoEntry = ~uint32_t{0};

  bool fail(Phase phase, uint64_t offset, std::string message) {
    error_ = make_error(phase, std::move(message), offset);
    return false;
  }
  bool invalid(std::string message) { return fail(Phase::Invalid, in_.offset, std::move(message)); }
  bool type_mismatch() { return invalid("type mismatch"); }

  // Every instruction pushes at most one value through push(); the loop
  // reserves that slot up front and push_values() reserves its own.
  [[gnu::always_inline]] void push(ValType t) {
    stack_.push_unchecked(t);
    if (stack_.size() > max_height_) max_height_ = stack_.size();
  }
  // Pops one operand expected to be `expected`.
  [[gnu::always_inline]] bool pop(ValType expected) {
    if (stack_.size() == floor_) {
      if (!kValidate || dead_) return true;
      return type_mismatch();
    }
    ValType actual = stack_.pop();
    if constexpr (kValidate) {
      if (actual != expected && actual != kBottomType) return type_mismatch();
    }
    return true;
  }
  bool pop_any(ValType& out) {
    if (stack_.size() == floor_) {
      out = kBottomType;
      if (!kValidate || dead_) return true;
      return type_mismatch();
    }
    out = stack_.pop();
    return true;
  }
  // Caches the innermost frame's height and reachability for pop().
  void sync_frame() {
    floor_ = ctrl_.back().height;
    dead_ = ctrl_.back().unreachable;
  }
  bool pop_values(const ValType* types, uint32_t n) {
    for (uint32_t i = n; i-- > 0;)
      if (!pop(types[i])) return false;
    return true;
  }
  void push_values(const ValType* types, uint32_t n) {
    stack_.reserve_more(n);
    for (uint32_t i = 0; i < n; ++i) push(types[i]);
  }
  // Checks the top of the stack against `types` without popping (br_if,
  // br_table labels): equivalent to the spec's push_vals(pop_vals(ts)).
  bool peek_values(const ValType* types, uint32_t n) {
    if constexpr (kValidate) {
      const Frame& f = ctrl_.back();
      size_t size = stack_.size();
      for (uint32_t k = 0; k < n; ++k) {
        ValType want = types[n - 1 - k];
        if (size < f.height + k + 1) {
          if (f.unreachable) return true;
          return type_mismatch();
        }
        ValType have = stack_[size - 1 - k];
        if (have != want && have != kBottomType) return type_mismatch();
      }
    }
    return true;
  }
  void set_unreachable() {
    Frame& f = ctrl_.back();
    stack_.shrink_to(f.height);
    f.unreachable = true;
    dead_ = true;
  }
  void push_frame(Op kind, const BlockSig& sig, bool is_function) {
    Frame f{kind, false, is_function, sig, static_cast<uint32_t>(stack_.size()), 0, kNoEntry, kNoEntry, 0};
    ctrl_.push_back(f);
    if (ctrl_.size() > max_depth_) max_depth_ = static_cast<uint32_t>(ctrl_.size());
    sync_frame();
  }

  bool block_sig(const BlockType& bt, BlockSig& out) {
    out = BlockSig{};
    switch (bt.kind) {
      case BlockType::Kind::Empty: sig_key_ = 0; return true;
      case BlockType::Kind::Value:
        out.results = body_detail::static_type_ptr(bt.value);
        out.num_results = 1;
        sig_key_ = 1 + static_cast<uint32_t>(out.results - body_detail::kValueTypes);
        return true;
      case BlockType::Kind::TypeIndex: break;
    }
    if (bt.type_index >= module_.types.size())
      return invalid(body_detail::indexed("unknown type", bt.type_index));
    const FuncType& ft = module_.types[bt.type_index];
    sig_key_ = 8 + 2 * bt.type_index;
    out.params = ft.params.data();
    out.num_params = static_cast<uint32_t>(ft.params.size());
    out.results = ft.results.data();
    out.num_results = static_cast<uint32_t>(ft.results.size());
    return true;
  }

  // Label types of frame `f`: a loop's params, otherwise its results.
  static const ValType* label_types(const Frame& f, uint32_t& n) {
    if (f.kind == Op::Loop) {
      n = f.sig.num_params;
      return f.sig.params;
    }
    n = f.sig.num_results;
    return f.sig.results;
  }

  // Claims the next side-table entry: appended when validating, read in
  // order otherwise.
  bool next_entry(uint32_t& index) {
    if constexpr (kValidate) {
      index = static_cast<uint32_t>(entries_->size());
      entries_->push_back(BranchEntry{});
      pending_next_.push_back(kNoEntry);
      return true;
    } else {
      if (cursor_ >= entries_->size())
        return fail(Phase::Invalid, in_.offset, "side table does not match the body");
      index = cursor_++;
      return true;
    }
  }

  // Records a branch to label `depth` in entry `index` (validating only),
  // given the stack height before the label values are consumed.
  void fill_branch(uint32_t index, uint32_t depth, uint32_t height_now) {
    if constexpr (kValidate) {
      Frame& target = ctrl_[ctrl_.size() - 1 - depth];
      uint32_t arity;
      label_types(target, arity);
      BranchEntry& e = (*entries_)[index];
      e.arity = arity;
      e.height = target.height + arity;
      e.drop = height_now >= e.height ? height_now - e.height : 0;
      if (target.kind == Op::Loop) {
        e.target = target.loop_target;
      } else if (target.is_function) {
        e.target = body_end_;
      } else {
        e.target = kUnresolvedTarget;
        pending_next_[index] = target.pending;
        target.pending = index;
      }
    } else {
      (void)index;
      (void)depth;
      (void)height_now;
    }
  }

  void resolve_pending(Frame& f, uint32_t target) {
    if constexpr (kValidate) {
      for (uint32_t i = f.pending; i != kNoEntry; i = pending_next_[i]) (*entries_)[i].target = target;
      f.pending = kNoEntry;
    } else {
      (void)f;
      (void)target;
    }
  }

  bool check_memory() {
    if (module_.memories.empty()) return invalid("unknown memory 0");
    return true;
  }
  bool check_data_index(uint32_t index) {
    if (!module_.data_count) return fail(Phase::Malformed, in_.offset, "data count section required");
    if (index >= *module_.data_count) return invalid(body_detail::indexed("unknown data segment", index));
    return true;
  }
  bool check_table(uint32_t index) {
    if (index >= module_.tables.size()) return invalid(body_detail::indexed("unknown table", index));
    return true;
  }
  bool check_elem(uint32_t index) {
    if (index >= module_.elems.size()) return invalid(body_detail::indexed("unknown elem segment", index));
    return true;
  }

  inline bool generic(const InstrContext& ctx);
  bool check_immediates(const body_detail::OpRow& row);
  bool end_frame(Reader& r, const InstrContext& ctx, bool& done);

  void setup_locals(const FuncType& type, const FuncBody& body);

  const ModuleDesc& module_;
  Visitor& visitor_;
  const std::vector<uint8_t>* declared_refs_ = nullptr;
  Error error_;

  Instr in_;
  // The operand type stack: a grow-only buffer with an explicit size so the
  // hot push/pop paths are a store/load and an increment.
  class TypeStack {
   public:
    uint32_t size() const { return size_; }
    ValType operator[](size_t i) const { return data_[i]; }
    ValType pop() { return data_[--size_]; }
    void push_unchecked(ValType t) { data_[size_++] = t; }
    void shrink_to(uint32_t n) {
      if (n < size_) size_ = n;
    }
    void clear() { size_ = 0; }
    // Guarantees room for `n` more pushes.
    void reserve_more(size_t n) {
      if (capacity_ - size_ < n) {
        storage_.resize(std::max<size_t>(storage_.size() * 2, size_ + n + 64));
        data_ = storage_.data();
        capacity_ = storage_.size();
      }
    }

   private:
    std::vector<ValType> storage_;
    ValType* data_ = nullptr;
    size_t capacity_ = 0;
    uint32_t size_ = 0;
  };
  TypeStack stack_;
  uint32_t sig_key_ = 0;                // label key of the last block_sig()
  std::vector<uint32_t> label_stamps_;  // per label key: last br_table checked
  uint32_t br_table_serial_ = 0;
  uint32_t floor_ = 0;  // innermost frame's height
  bool dead_ = false;   // innermost frame is unreachable
  std::vector<Frame> ctrl_;
  std::vector<uint32_t> pending_next_;  // forward-branch chains (validating)
  // Locals: expanded when small, else run ends for a binary search.
  std::vector<ValType> local_types_;
  std::vector<uint64_t> run_ends_;
  const FuncType* func_type_ = nullptr;
  const FuncBody* body_ = nullptr;
  uint64_t num_locals_ = 0;  // params included
  bool locals_expanded_ = true;

  // Validating: scratch lists reused across functions, copied to the table
  // at the end (one exact allocation each); otherwise the table's own list.
  std::conditional_t<kValidate, std::vector<BranchEntry>, const std::vector<BranchEntry>>* entries_ = nullptr;
  std::vector<BranchEntry> branch_scratch_;
  std::vector<BasicBlockStart> block_scratch_;
  uint32_t cursor_ = 0;
  uint32_t body_end_ = 0;
  uint32_t max_height_ = 0;
  uint32_t max_depth_ = 0;
};

template <class Visitor, bool kValidate>
void BodyDecoder<Visitor, kValidate>::setup_locals(const FuncType& type, const FuncBody& body) {
  func_type_ = &type;
  body_ = &body;
  num_locals_ = type.params.size() + body.num_locals;
  // Expanding costs one byte per local: bound it by the body's size so a
  // tiny body declaring 2^32 locals cannot cost gigabytes.
  uint64_t body_bytes = body.code_end - body.entry_begin;
  locals_expanded_ = body.num_locals <= 8 * body_bytes + 512;
  if (locals_expanded_) {
    local_types_.assign(type.params.begin(), type.params.end());
    for (const LocalRun& run : body.locals) local_types_.insert(local_types_.end(), run.count, run.type);
  } else {
    run_ends_.clear();
    uint64_t end = type.params.size();
    for (const LocalRun& run : body.locals) {
      end += run.count;
      run_ends_.push_back(end);
    }
  }
}

template <class Visitor, bool kValidate>
bool BodyDecoder<Visitor, kValidate>::local_type(uint32_t index, ValType& out) const {
  if (index >= num_locals_) return false;
  if (locals_expanded_) {
    out = local_types_[index];
    return true;
  }
  if (index < func_type_->params.size()) {
    out = func_type_->params[index];
    return true;
  }
  size_t lo = 0, hi = run_ends_.size();
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (run_ends_[mid] <= index)
      lo = mid + 1;
    else
      hi = mid;
  }
  out = body_->locals[lo].type;
  return true;
}

template <class Visitor, bool kValidate>
bool BodyDecoder<Visitor, kValidate>::decode(uint32_t defined_index, TableRef table) {
  const FuncBody& body = module_.code[defined_index];
  const FuncType& type = module_.func_type(module_.num_imported_funcs + defined_index);
  setup_locals(type, body);
  stack_.clear();
  ctrl_.clear();
  cursor_ = 0;
  body_end_ = body.code_end;
  max_height_ = 0;
  max_depth_ = 0;
  uint32_t num_instrs = 0;
  if constexpr (kValidate) {
    branch_scratch_.clear();
    block_scratch_.clear();
    pending_next_.clear();
    entries_ = &branch_scratch_;
  } else {
    entries_ = &table.branches;
  }

  BlockSig fsig;
  fsig.results = type.results.data();
  fsig.num_results = static_cast<uint32_t>(type.results.size());
  push_frame(Op::Block, fsig, /*is_function=*/true);
  ctrl_.back().label_key = 8 + 2 * module_.funcs[module_.num_imported_funcs + defined_index];

  Reader r(module_.bytes.data() + body.code_begin, body.code_end - body.code_begin, body.code_begin);
  r.set_eof_message("unexpected end of section or function");
  bool block_starts = true;  // the next instruction is a basic-block leader

  for (;;) {
    if (r.at_end()) {
      error_ = body_overrun_error(module_, body, static_cast<uint32_t>(ctrl_.size()), in_);
      return false;
    }
    if (!read_instruction_inline(r, in_)) return fail(Phase::Malformed, r.error().offset, r.error().message);
    if constexpr (kValidate) {
      if (block_starts) block_scratch_.push_back(BasicBlockStart{in_.offset, num_instrs, 0});
      block_scratch_.back().fuel += fuel_cost(in_.op);
    }
    block_starts = false;
    ++num_instrs;

    stack_.reserve_more(1);
    InstrContext ctx;
    ctx.height = static_cast<uint32_t>(stack_.size());
    ctx.unreachable = ctrl_.back().unreachable;

    switch (in_.op) {
      case Op::Unreachable:
        set_unreachable();
        block_starts = true;
        visitor_.on_instr(in_, ctx);
        break;
      case Op::Nop: visitor_.on_instr(in_, ctx); break;
      case Op::Block:
      case Op::Loop: {
        BlockSig sig;
        if (!block_sig(in_.block, sig)) return false;
        if (!pop_values(sig.params, sig.num_params)) return false;
        push_frame(in_.op, sig, false);
        ctrl_.back().label_key = in_.op != Op::Loop ? sig_key_ : sig_key_ >= 8 ? sig_key_ + 1 : 0;
        if (in_.op == Op::Loop) {
          ctrl_.back().loop_target = static_cast<uint32_t>(r.offset());
          block_starts = true;
        }
        push_values(sig.params, sig.num_params);
        visitor_.on_block_begin(in_, sig, ctx);
        break;
      }
      case Op::If: {
        BlockSig sig;
        if (!block_sig(in_.block, sig)) return false;
        if (!pop(ValType::I32)) return false;
        if (!pop_values(sig.params, sig.num_params)) return false;
        uint32_t entry = 0;
        if (!next_entry(entry)) return false;
        push_frame(Op::If, sig, false);
        ctrl_.back().if_entry = entry;
        ctrl_.back().label_key = sig_key_;
        if constexpr (kValidate) {
          BranchEntry& e = (*entries_)[entry];
          e.target = kUnresolvedTarget;
          e.arity = sig.num_params;
          e.drop = 0;
          e.height = ctrl_.back().height + sig.num_params;
        }
        push_values(sig.params, sig.num_params);
        block_starts = true;
        visitor_.on_if(in_, sig, (*entries_)[entry], ctx);
        break;
      }
      case Op::Else: {
        Frame& f = ctrl_.back();
        if (f.kind != Op::If) return fail(Phase::Malformed, in_.offset, "END opcode expected");
        if (!pop_values(f.sig.results, f.sig.num_results)) return false;
        if (kValidate && stack_.size() != f.height) return type_mismatch();
        uint32_t entry = 0;
        if (!next_entry(entry)) return false;
        if constexpr (kValidate) {
          (*entries_)[f.if_entry].target = static_cast<uint32_t>(r.offset());
          BranchEntry& e = (*entries_)[entry];
          e.target = kUnresolvedTarget;
          e.arity = f.sig.num_results;
          e.drop = 0;
          e.height = f.height + f.sig.num_results;
          pending_next_[entry] = f.pending;
          f.pending = entry;
        }
        stack_.shrink_to(f.height);
        f.kind = Op::Else;
        f.unreachable = false;
        dead_ = false;
        push_values(f.sig.params, f.sig.num_params);
        block_starts = true;
        visitor_.on_else(in_, (*entries_)[entry], ctx);
        break;
      }
      case Op::End: {
        bool done = false;
        if (!end_frame(r, ctx, done)) return false;
        if (done) {
          if constexpr (kValidate) {
            table.branches.assign(branch_scratch_.begin(), branch_scratch_.end());
            table.blocks.assign(block_scratch_.begin(), block_scratch_.end());
            table.num_instrs = num_instrs;
            table.max_stack_height = max_height_;
            table.max_control_depth = max_depth_;
          }
          return true;
        }
        block_starts = true;
        break;
      }
      case Op::Br:
      case Op::BrIf: {
        if (in_.op == Op::BrIf && !pop(ValType::I32)) return false;
        if (in_.index >= ctrl_.size()) return invalid(body_detail::indexed("unknown label", in_.index));
        uint32_t n;
        const ValType* types = label_types(ctrl_[ctrl_.size() - 1 - in_.index], n);
        uint32_t height_now = static_cast<uint32_t>(stack_.size());
        if (!peek_values(types, n)) return false;
        uint32_t entry = 0;
        if (!next_entry(entry)) return false;
        fill_branch(entry, in_.index, height_now);
        if (in_.op == Op::Br) {
          set_unreachable();
        } else if (kValidate) {
          // br_if leaves the label types on the stack (replacing bottoms).
          if (!pop_values(types, n)) return false;
          push_values(types, n);
        }
        block_starts = true;
        visitor_.on_branch(in_, &(*entries_)[entry], 1, ctx);
        break;
      }
      case Op::BrTable: {
        if (!pop(ValType::I32)) return false;
        uint32_t count = static_cast<uint32_t>(in_.br_targets.size());
        if (in_.index >= ctrl_.size()) return invalid(body_detail::indexed("unknown label", in_.index));
        uint32_t arity;
        label_types(ctrl_[ctrl_.size() - 1 - in_.index], arity);
        uint32_t height_now = static_cast<uint32_t>(stack_.size());
        uint32_t first = 0;
        if (kValidate && label_stamps_.empty()) label_stamps_.assign(8 + 2 * module_.types.size(), 0);
        ++br_table_serial_;
        for (uint32_t i = 0; i <= count; ++i) {
          uint32_t depth = i < count ? in_.br_targets[i] : in_.index;
          if (depth >= ctrl_.size()) return invalid(body_detail::indexed("unknown label", depth));
          const Frame& label = ctrl_[ctrl_.size() - 1 - depth];
          uint32_t n;
          const ValType* types = label_types(label, n);
          if (kValidate && n != arity) return type_mismatch();
          // Equal label types need one check per br_table, which keeps a
          // huge table over a wide block type linear.
          if (kValidate && label_stamps_[label.label_key] != br_table_serial_) {
            label_stamps_[label.label_key] = br_table_serial_;
            if (!peek_values(types, n)) return false;
          }
          uint32_t entry = 0;
          if (!next_entry(entry)) return false;
          if (i == 0) first = entry;
          fill_branch(entry, depth, height_now);
        }
        set_unreachable();
        block_starts = true;
        visitor_.on_branch(in_, &(*entries_)[first], count + 1, ctx);
        break;
      }
      case Op::Return: {
        const FuncType& ft = *func_type_;
        uint32_t n = static_cast<uint32_t>(ft.results.size());
        uint32_t height_now = static_cast<uint32_t>(stack_.size());
        if (!pop_values(ft.results.data(), n)) return false;
        uint32_t entry = 0;
        if (!next_entry(entry)) return false;
        if constexpr (kValidate) {
          BranchEntry& e = (*entries_)[entry];
          e.target = body_end_;
          e.arity = n;
          e.height = n;
          e.drop = height_now >= n ? height_now - n : 0;
        }
        set_unreachable();
        block_starts = true;
        visitor_.on_branch(in_, &(*entries_)[entry], 1, ctx);
        break;
      }
      case Op::Call: {
        if (in_.index >= module_.funcs.size())
          return invalid(body_detail::indexed("unknown function", in_.index));
        const FuncType& ft = module_.func_type(in_.index);
        if (!pop_values(ft.params.data(), static_cast<uint32_t>(ft.params.size()))) return false;
        push_values(ft.results.data(), static_cast<uint32_t>(ft.results.size()));
        visitor_.on_instr(in_, ctx);
        break;
      }
      case Op::CallIndirect: {
        if (!check_table(in_.index2)) return false;
        if (in_.index >= module_.types.size())
          return invalid(body_detail::indexed("unknown type", in_.index));
        if (kValidate && module_.tables[in_.index2].elem != ValType::FuncRef) return type_mismatch();
        const FuncType& ft = module_.types[in_.index];
        if (!pop(ValType::I32)) return false;
        if (!pop_values(ft.params.data(), static_cast<uint32_t>(ft.params.size()))) return false;
        push_values(ft.results.data(), static_cast<uint32_t>(ft.results.size()));
        visitor_.on_instr(in_, ctx);
        break;
      }
      case Op::Drop: {
        if (!pop_any(ctx.operand)) return false;
        visitor_.on_instr(in_, ctx);
        break;
      }
      case Op::Select: {
        if (!pop(ValType::I32)) return false;
        ValType t1, t2;
        if (!pop_any(t1) || !pop_any(t2)) return false;
        if constexpr (kValidate) {
          bool num1 = t1 == kBottomType || is_num_type(t1), num2 = t2 == kBottomType || is_num_type(t2);
          bool vec1 = t1 == kBottomType || t1 == ValType::V128,
               vec2 = t2 == kBottomType || t2 == ValType::V128;
          if (!((num1 && num2) || (vec1 && vec2))) return type_mismatch();
          if (t1 != t2 && t1 != kBottomType && t2 != kBottomType) return type_mismatch();
        }
        ctx.operand = t1 == kBottomType ? t2 : t1;
        if (ctx.operand == kBottomType) {
          stack_.push_unchecked(kBottomType);  // unknown result in dead code
        } else {
          push(ctx.operand);
        }
        visitor_.on_instr(in_, ctx);
        break;
      }
      case Op::SelectT: {
        // read_instruction keeps the vector length and its first type.
        if (in_.select_arity != 1) return invalid("invalid result arity");
        ValType t = in_.ref_type;
        if (!pop(ValType::I32) || !pop(t) || !pop(t)) return false;
        push(t);
        ctx.operand = t;
        visitor_.on_instr(in_, ctx);
        break;
      }
      case Op::LocalGet:
      case Op::LocalSet:
      case Op::LocalTee: {
        ValType t;
        if (!local_type(in_.index, t)) return invalid(body_detail::indexed("unknown local", in_.index));
        if (in_.op == Op::LocalGet) {
          push(t);
        } else {
          if (!pop(t)) return false;
          if (in_.op == Op::LocalTee) push(t);
        }
        ctx.operand = t;
        visitor_.on_instr(in_, ctx);
        break;
      }
      case Op::GlobalGet:
      case Op::GlobalSet: {
        if (in_.index >= module_.globals.size())
          return invalid(body_detail::indexed("unknown global", in_.index));
        const GlobalType& g = module_.globals[in_.index];
        if (in_.op == Op::GlobalGet) {
          push(g.type);
        } else {
          if (kValidate && !g.is_mutable) return invalid("global is immutable");
          if (!pop(g.type)) return false;
        }
        ctx.operand = g.type;
        visitor_.on_instr(in_, ctx);
        break;
      }
      case Op::TableGet:
      case Op::TableSet:
      case Op::TableGrow:
      case Op::TableFill: {
        if (!check_table(in_.index)) return false;
        ValType t = module_.tables[in_.index].elem;
        bool ok = true;
        switch (in_.op) {
          case Op::TableGet:
            ok = pop(ValType::I32);
            if (ok) push(t);
            break;
          case Op::TableSet: ok = pop(t) && pop(ValType::I32); break;
          case Op::TableGrow:
            ok = pop(ValType::I32) && pop(t);
            if (ok) push(ValType::I32);
            break;
          default:  // table.fill: [i32 t i32] -> []
            ok = pop(ValType::I32) && pop(t) && pop(ValType::I32);
            break;
        }
        if (!ok) return false;
        ctx.operand = t;
        visitor_.on_instr(in_, ctx);
        break;
      }
      case Op::TableInit: {
        // index = elem segment, index2 = table.
        if (!check_table(in_.index2) || !check_elem(in_.index)) return false;
        if (kValidate && module_.tables[in_.index2].elem != module_.elems[in_.index].elem_type)
          return type_mismatch();
        if (!pop(ValType::I32) || !pop(ValType::I32) || !pop(ValType::I32)) return false;
        visitor_.on_instr(in_, ctx);
        break;
      }
      case Op::TableCopy: {
        // index = destination table, index2 = source table.
        if (!check_table(in_.index) || !check_table(in_.index2)) return false;
        if (kValidate && module_.tables[in_.index].elem != module_.tables[in_.index2].elem)
          return type_mismatch();
        if (!pop(ValType::I32) || !pop(ValType::I32) || !pop(ValType::I32)) return false;
        visitor_.on_instr(in_, ctx);
        break;
      }
      case Op::RefNull:
        push(in_.ref_type);
        ctx.operand = in_.ref_type;
        visitor_.on_instr(in_, ctx);
        break;
      case Op::RefIsNull: {
        if (!pop_any(ctx.operand)) return false;
        if (kValidate && ctx.operand != kBottomType && !is_ref_type(ctx.operand)) return type_mismatch();
        push(ValType::I32);
        visitor_.on_instr(in_, ctx);
        break;
      }
      case Op::RefFunc: {
        if (in_.index >= module_.funcs.size())
          return invalid(body_detail::indexed("unknown function", in_.index));
        if constexpr (kValidate) {
          if (!declared_refs_ || in_.index >= declared_refs_->size() || !(*declared_refs_)[in_.index])
            return invalid("undeclared function reference");
        }
        push(ValType::FuncRef);
        visitor_.on_instr(in_, ctx);
        break;
      }
      default:
        if (!generic(ctx)) return false;
        break;
    }
  }
}

// Instructions typed from opcodes.def, plus their immediate checks.
template <class Visitor, bool kValidate>
bool BodyDecoder<Visitor, kValidate>::generic(const InstrContext& ctx) {
  const body_detail::OpRow& s = body_detail::kOpRows[static_cast<uint16_t>(in_.op)];
  if (s.imm != ImmKind::None && !check_immediates(s)) return false;
  const body_detail::OpTyping& t = s.typing;
  for (uint32_t i = t.num_params; i-- > 0;)
    if (!pop(t.params[i])) return false;
  if (t.num_results) push(t.result);
  visitor_.on_instr(in_, ctx);
  return true;
}

template <class Visitor, bool kValidate>
bool BodyDecoder<Visitor, kValidate>::check_immediates(const body_detail::OpRow& s) {
  switch (s.imm) {
    case ImmKind::MemArg:
    case ImmKind::MemArgLane:
      if (!check_memory()) return false;
      if (kValidate && in_.mem.align_log2 > s.max_align_log2)
        return invalid("alignment must not be larger than natural");
      if (kValidate && s.imm == ImmKind::MemArgLane && in_.lane >= 16 / s.bytes)
        return invalid("invalid lane index");
      break;
    case ImmKind::Lane:
      if (kValidate && in_.lane >= 16 / s.bytes) return invalid("invalid lane index");
      break;
    case ImmKind::Shuffle:
      if constexpr (kValidate) {
        for (uint8_t lane : in_.v128)
          if (lane >= 32) return invalid("invalid lane index");
      }
      break;
    case ImmKind::MemIdx:
    case ImmKind::MemCopy:
      if (!check_memory()) return false;
      break;
    case ImmKind::MemInit:
      if (!module_.data_count) return fail(Phase::Malformed, in_.offset, "data count section required");
      if (!check_memory() || !check_data_index(in_.index)) return false;
      break;
    case ImmKind::Data:
      if (!check_data_index(in_.index)) return false;
      break;
    case ImmKind::Elem:
      if (!check_elem(in_.index)) return false;
      break;
    case ImmKind::Table:  // table.size
      if (!check_table(in_.index)) return false;
      break;
    default: break;
  }
  return true;
}

template <class Visitor, bool kValidate>
bool BodyDecoder<Visitor, kValidate>::end_frame(Reader& r, const InstrContext& ctx, bool& done) {
  Frame& f = ctrl_.back();
  if (!pop_values(f.sig.results, f.sig.num_results)) return false;
  if (kValidate && stack_.size() != f.height) return type_mismatch();
  if constexpr (kValidate) {
    if (f.kind == Op::If) {
      // No else: the false path passes the params through as results.
      bool same = f.sig.num_params == f.sig.num_results;
      for (uint32_t i = 0; same && i < f.sig.num_params; ++i) same = f.sig.params[i] == f.sig.results[i];
      if (!same) return type_mismatch();
    }
  }
  uint32_t after = static_cast<uint32_t>(r.offset());
  if constexpr (kValidate) {
    if (f.kind == Op::If) (*entries_)[f.if_entry].target = after;
    resolve_pending(f, after);
  }
  BlockSig sig = f.sig;
  bool is_function = f.is_function;
  stack_.shrink_to(f.height);
  ctrl_.pop_back();
  if (!ctrl_.empty()) sync_frame();
  if (is_function) {
    if (!r.at_end()) return fail(Phase::Malformed, r.offset(), "section size mismatch");
    visitor_.on_block_end(in_, sig, true, ctx);
    done = true;
    return true;
  }
  push_values(sig.results, sig.num_results);
  visitor_.on_block_end(in_, sig, false, ctx);
  return true;
}

}  // namespace wasmrt
