// The optimizing tier's view of one translated function (ISA-neutral; each
// back end's lowering lives under jit/opt/<isa>/).
//
// Input is the interpreter's translated code (runtime/interp/ir.h), like
// the baseline's: translation has fixed the frame layout (the exchange
// format between tiers for calls, traps and backtraces), the fuel charges
// and interrupt polls at their exact points (docs/fuel.md), the branch
// targets, the fused forms and the constant operands. Its cells are
// already a register machine's registers; this tier keeps their values in
// machine registers instead of memory between instructions.
//
// What the analysis gives a lowering:
//  * every instruction decoded with the cells it reads and writes
//    (Effects); an instruction it does not know exactly is treated as
//    reading every cell and writing none, which can only keep more values
//    stored, never fewer;
//  * the control-flow graph: basic blocks at the branch targets and after
//    every instruction that branches, with successors;
//  * liveness of every cell at every block's entry and exit, so that a
//    register value whose cell is dead is never written back and a pure
//    instruction whose result is dead is not emitted;
//  * the frame constant cells (never written after the prologue), whose
//    values become immediates.
// The lowering keeps a cell's value in a register from its definition to
// its last use within straight-line code; its home (spill slot) is always
// the cell itself, so frames do not grow and, at every call, helper call,
// branch and block boundary, the frame is exactly the interpreter's for
// every live cell.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <memory_resource>
#include <optional>
#include <span>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "jit/codegen.h"

namespace wasmrt::jit::opt {

using codegen::Family;
using codegen::Instr;
using interp::CompiledFunc;

inline constexpr uint32_t kNoCell = UINT32_MAX;

// The cells one instruction reads and writes, and how it leaves.
struct Effects {
  // (v128.bitselect reads three v128 operands: six cells.)
  static constexpr uint32_t kMaxCells = 6;
  Unit reads[kMaxCells] = {};
  Unit writes[kMaxCells] = {};
  uint8_t num_reads = 0, num_writes = 0;
  // Reads every cell from this one on (a call: the callee's frame; an
  // instruction known only to its C++ helper: 0), or kNoCell.
  uint32_t reads_from = kNoCell;
  // Calls out of the function's code (a callee, a C++ helper, the poll
  // stub): no register but the reserved ones survives it.
  bool clobbers = false;
  // Transfers control: the next instruction starts a new block.
  bool ends_block = false;
  // Execution never continues with the next instruction (br, return,
  // unreachable, br_table).
  bool no_fall_through = false;

  void read(Unit c) { reads[num_reads++] = c; }
  void write(Unit c) { writes[num_writes++] = c; }
  bool reads_cell(Unit c) const {
    if (reads_from != kNoCell && c >= reads_from) return true;
    for (uint8_t i = 0; i < num_reads; ++i)
      if (reads[i] == c) return true;
    return false;
  }
};

struct Inst {
  uint32_t offset;  // in units, into the translated code
  Instr instr;
  Effects fx;
};

// A block's lists are ranges of lists its Function owns (Function::succs,
// Function::preheader_insts): one function's blocks share their storage,
// which the next function compiled with the same Function reuses.
struct Block {
  uint32_t first, end;  // instruction indices [first, end)
  uint32_t succ_begin = 0, succ_end = 0;
  // A loop's preheader (Function::Hoist) has no instructions of its own
  // (first == end) and runs the instructions of this range, in order, on
  // the way into the loop.
  uint32_t hoist_begin = 0, hoist_end = 0;
  bool is_preheader() const { return hoist_begin != hoist_end; }
};

// One Function is meant to serve every function of a module's compile in
// turn (Workspace): build() starts over but keeps its buffers, so a module
// of a million small functions does not allocate a dozen times for each.
class Function {
 public:
  // Decodes cf (the codegen's scan must have succeeded on `code`) and
  // builds blocks and liveness. False when the tier leaves the function to
  // the baseline.
  // hoist: move loop-invariant work into preheaders (Hoist); a lowering
  // that asks for it must emit each preheader's instructions there and
  // skip them in the loop.
  // exact_simd: the lowering expands the v128 operations inline (effects_of).
  bool build(const CompiledFunc& cf, const codegen::FunctionCode& code, bool hoist = false, bool exact_simd = false);

  const std::vector<Inst>& insts() const { return insts_; }
  // Some branch goes backward (to its own offset or before): the
  // function has a loop.
  bool has_back_edge() const { return has_back_edge_; }
  const std::vector<Block>& blocks() const { return blocks_; }
  std::span<const uint32_t> succs(const Block& b) const {
    return {succ_list_.data() + b.succ_begin, b.succ_end - b.succ_begin};
  }
  // A preheader's instructions (instruction indices, in increasing order).
  std::span<const uint32_t> preheader_insts(const Block& b) const {
    return {hoist_list_.data() + b.hoist_begin, b.hoist_end - b.hoist_begin};
  }
  // The block starting at instruction index i, or UINT32_MAX.
  uint32_t block_at_inst(uint32_t i) const { return i < block_start_.size() ? block_start_[i] : UINT32_MAX; }
  // The block whose first instruction is at unit offset `off` (a branch
  // target), or UINT32_MAX (the end of the code: nothing live).
  uint32_t block_at_offset(uint32_t off) const;

  bool live_in(uint32_t block, Unit c) const { return live(live_in_, block, c); }
  bool live_out(uint32_t block, Unit c) const { return live(live_out_, block, c); }

  // The constant a frame cell always holds (translation's constant cells).
  std::optional<Cell> frame_constant(Unit c) const {
    if (c < const_begin_ || c >= const_end_) return std::nullopt;
    return frame_init_[c - init_cell_];
  }

  // The target of the branch whose offset field is `field` at instruction i.
  uint32_t branch_target(uint32_t i, uint32_t field) const {
    const Inst& in = insts_[i];
    return static_cast<uint32_t>(static_cast<int64_t>(in.offset) + field +
                                 static_cast<int32_t>(code_[in.offset + field]));
  }
  const Unit* pc(uint32_t i) const { return code_ + insts_[i].offset; }

  // A metered block whose work before its closing br_if cannot trap, call
  // or observe fuel: its cost is charged on both paths out of that br_if
  // instead of on entry (with the fall-through's own charge, one
  // subtraction), which no observer can tell apart (docs/fuel.md, "Sunk
  // charges"). A loop split by a br_if then pays one charge per
  // iteration, not two. Every entry but the fall-through is a metered
  // back edge charging exactly `cost`; they charge nothing instead.
  struct SunkCharge {
    uint32_t cost;
    uint32_t header;       // the block's first unit (back edges' target)
    uint32_t fuel_inst;    // the Fuel instruction on the fall-through entry
    uint32_t branch_inst;  // the br_if whose two paths charge `cost`
  };
  const SunkCharge* sunk_charge_of_fuel(uint32_t i) const { return find_sunk<&SunkCharge::fuel_inst>(i); }
  const SunkCharge* sunk_charge_of_branch(uint32_t i) const { return find_sunk<&SunkCharge::branch_inst>(i); }
  const SunkCharge* sunk_charge_at(uint32_t header_off) const {
    return find_sunk<&SunkCharge::header>(header_off);
  }

  // Loop-invariant code motion: pure, non-trapping instructions of a loop
  // whose operands no instruction of the loop writes, and whose result
  // cell only they write and nothing reads before them in an iteration,
  // run once in a preheader block on the fall-through into the loop's
  // header instead of on every iteration. Liveness is the moved
  // program's. (Only loops every other entry of which is a back edge; an
  // on-stack replacement entry must run the preheader's instructions too.)
  struct Hoist {
    uint32_t header;      // the loop header's offset
    uint32_t end;         // the offset of its last back edge
    uint32_t pre_block;   // the preheader, in blocks()
  };
  const Hoist* hoist_at(uint32_t header_off) const {
    auto it = hoist_by_header_.find(header_off);
    return it == hoist_by_header_.end() ? nullptr : &hoists_[it->second];
  }
  bool hoisted(uint32_t i) const { return !hoisted_.empty() && hoisted_[i]; }
  const std::vector<Hoist>& hoists() const { return hoists_; }

 private:
  // sunk_ is in code order, so sorted by each of its three keys (a
  // charge's fuel instruction, header and br_if all come before the next
  // charge's fuel instruction).
  template <uint32_t SunkCharge::*Key>
  const SunkCharge* find_sunk(uint32_t key) const {
    auto it = std::lower_bound(sunk_.begin(), sunk_.end(), key,
                               [](const SunkCharge& s, uint32_t k) { return s.*Key < k; });
    return it != sunk_.end() && (*it).*Key == key ? &*it : nullptr;
  }
  void find_sunk_charges();
  void hoist_loop_invariants();
  // Calls fn(i, field, back_edge_cost) for every branch of instruction i
  // (back_edge_cost: what a metered back edge charges, else -1).
  template <typename Fn>
  void for_each_branch(uint32_t i, Fn&& fn) const;
  bool live(const std::vector<uint64_t>& sets, uint32_t block, Unit c) const {
    if (block == UINT32_MAX) return false;  // the end of the code: nothing runs there
    if (all_live_) return true;
    return (sets[size_t{block} * words_ + c / 64] >> (c % 64)) & 1;
  }
  void compute_liveness();

  const Unit* code_ = nullptr;
  uint64_t cells_ = 0;
  size_t words_ = 0;
  bool all_live_ = false;  // too large to analyse: every cell counts as live
  bool has_back_edge_ = false;
  std::vector<Inst> insts_;
  std::vector<Block> blocks_;
  std::vector<uint32_t> succ_list_;    // Block::succ_begin, succ_end
  std::vector<uint32_t> hoist_list_;   // Block::hoist_begin, hoist_end
  std::vector<uint32_t> block_start_;  // by instruction index
  std::vector<uint32_t> block_offsets_;  // unit offset of each block's start
  std::vector<uint64_t> live_in_, live_out_;
  std::vector<uint64_t> gen_, kill_;  // compute_liveness's, kept for their buffers
  std::vector<Cell> frame_init_;
  std::vector<SunkCharge> sunk_;  // in code order
  std::vector<uint8_t> refused_;  // find_sunk_charges's, kept for its buffer
  std::vector<Hoist> hoists_;
  std::unordered_map<uint32_t, uint32_t> hoist_by_header_;
  std::vector<uint8_t> hoisted_;  // by instruction index
  uint32_t init_cell_ = 0, const_begin_ = 0, const_end_ = 0;
};

// Reads and writes of one instruction (exact for what the lowerings expand
// inline, conservative for the rest). num_result_cells: the function's.
// exact_simd: the computational v128 operations and the v128 loads and
// stores get their exact cells too (a v128 is two cells) and do not
// clobber registers, for a lowering that expands them inline (x86-64);
// else they count as unknown (every cell read, registers clobbered), as
// for the helper calls of a lowering that does not (AArch64).
Effects effects_of(const Instr& in, const Unit* pc, uint32_t num_result_cells, bool exact_simd = false);

// The cells some instruction reads or writes as a v128 (sorted), for the
// lowerings' inline SIMD, which reads and writes v128 values through
// their cells: loop headers keep no such cell in a register (it would be
// stored before every SIMD instruction that reads it and loaded again at
// the back edge).
std::vector<Unit> v128_cells(const Function& fn);

// Empties a hash map that serves function after function: clear() keeps
// its bucket array, which one large function may have grown and which
// every later clear() would walk again; a large one is dropped instead.
template <typename Map>
void reset_map(Map& m) {
  if (m.bucket_count() > 64) Map(m.get_allocator()).swap(m);
  else m.clear();
}

// The lowerings' register cache: a value (in a general or vector register
// -- x86-64's xmm, AArch64's v -- or a constant not yet in one) and each
// frame cell's mapping to a value.
enum class ValueLoc : uint8_t { Gp, Vec, Const };
struct CachedValue {
  ValueLoc loc = ValueLoc::Const;
  uint8_t reg = 0;
  Cell k = 0;
  uint32_t refs = 0;  // cells mapping to it
  uint64_t last_use = 0;
  uint64_t pin = 0;  // == the lowering's epoch: an operand of the instruction being lowered
  // Its register was written by a 32-bit operation of this lowering (an
  // AArch64 w register), so bits 32-63 are zero. Not so for a cell loaded
  // from memory: an i32 cell's upper half is unspecified (i32.wrap_i64
  // emits no code: "Cell encoding" in runtime/interp/ir.h).
  bool zext32 = false;
};
struct CachedCell {
  uint32_t value;
  bool dirty;  // the register value is not in the cell
};

// The maps and lists a lowering works in, which outlive it: the
// Workspace keeps one set for every function of a compile, so that their
// memory (from the Workspace's pool) is reused rather than allocated and
// freed again for each function.
struct LoweringTables {
  explicit LoweringTables(std::pmr::memory_resource* mr)
      : values(mr),
        free_values(mr),
        cells(mr),
        last_read(mr),
        range_reads(mr),
        pinned_label(mr),
        label_offset(mr),
        sunk_labels(mr),
        simd_temps(mr) {}
  std::pmr::vector<CachedValue> values;
  std::pmr::vector<uint32_t> free_values;
  std::pmr::unordered_map<Unit, CachedCell> cells;
  std::pmr::vector<std::pair<Unit, uint32_t>> last_read;  // this block's reads (cell, instruction), sorted
  std::pmr::vector<std::pair<uint32_t, uint32_t>> range_reads;
  std::pmr::unordered_map<uint32_t, uint32_t> pinned_label;  // label id -> header offset
  std::pmr::unordered_map<uint32_t, uint32_t> label_offset;  // branch target label id -> offset
  std::pmr::unordered_set<uint32_t> sunk_labels;
  std::pmr::vector<uint32_t> simd_temps;
  void clear() {
    values.clear();
    free_values.clear();
    reset_map(cells);
    last_read.clear();
    range_reads.clear();
    reset_map(pinned_label);
    reset_map(label_offset);
    reset_map(sunk_labels);
    simd_temps.clear();
  }
};

// A lowering's names for the LoweringTables it works in: both back ends'
// Lowering derive from it, so the list of references is written once.
struct LoweringTableRefs {
  explicit LoweringTableRefs(LoweringTables& t)
      : values_(t.values),
        free_values_(t.free_values),
        cells_(t.cells),
        last_read_(t.last_read),
        range_reads_(t.range_reads),
        pinned_label_(t.pinned_label),
        label_offset_(t.label_offset),
        sunk_labels_(t.sunk_labels),
        simd_temps_(t.simd_temps) {}
  std::pmr::vector<CachedValue>& values_;
  std::pmr::vector<uint32_t>& free_values_;
  std::pmr::unordered_map<Unit, CachedCell>& cells_;
  std::pmr::vector<std::pair<Unit, uint32_t>>& last_read_;  // this block's reads (cell, instruction), sorted
  std::pmr::vector<std::pair<uint32_t, uint32_t>>& range_reads_;
  std::pmr::unordered_map<uint32_t, uint32_t>& pinned_label_;  // label id -> header offset
  std::pmr::unordered_map<uint32_t, uint32_t>& label_offset_;  // branch target label id -> offset
  // Headers whose charge their br_if takes (their back edges charge nothing).
  std::pmr::unordered_set<uint32_t>& sunk_labels_;
  std::pmr::vector<uint32_t>& simd_temps_;  // the SIMD lowering's temporaries
};

// What the optimizing tier keeps from one function to the next while it
// compiles a module (each back end's Compiler owns one): the analysis,
// whose buffers build() reuses, and the memory its lowering's maps and
// lists take their nodes from, so that after the first few functions
// compiling one allocates nothing from the heap. (Under AddressSanitizer
// the heap's allocations are what a module of many small functions costs.)
struct Workspace {
  Function function;
  std::pmr::unsynchronized_pool_resource pool;
  // The back end's own lowering tables (its type; they allocate from pool).
  std::shared_ptr<void> lowering_tables;
};

}  // namespace wasmrt::jit::opt
