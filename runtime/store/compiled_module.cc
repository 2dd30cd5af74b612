#include "runtime/store/compiled_module.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <utility>

#include "jit/jit.h"
#include "runtime/binary/instr.h"
#include "runtime/binary/reader.h"
#include "runtime/store/sig_registry.h"

namespace wasmrt {

namespace {

// Makes `functions` count toward tier-up by `sink`. Counting starts only
// now: before, a function was never hot.
void start_tier_up(std::vector<interp::CompiledFunc>& functions, ModuleTierUp& sink) {
  const int32_t calls =
      static_cast<int32_t>(std::min<uint32_t>(std::max<uint32_t>(sink.options().calls, 1), INT32_MAX));
  for (interp::CompiledFunc& f : functions) {
    f.tier_up = &sink;
    f.calls_left = calls;
  }
}

// The translation of `f` without anything a tier or tier-up set: read only
// from fields that never change after translation, so copying is safe
// while other threads run `f` (and update its counters and entries). A
// function not translated yet (lazily, maybe by another thread right now)
// is copied untranslated, to be translated on its own first call.
interp::CompiledFunc translation_of(const interp::CompiledFunc& f) {
  if (!f.translated()) return f.lazy->untranslated_like(f);
  interp::CompiledFunc copy;
  copy.code = f.code;
  copy.frame_init = f.frame_init;
  copy.init_cell = f.init_cell;
  copy.func_index = f.func_index;
  copy.num_param_cells = f.num_param_cells;
  copy.num_result_cells = f.num_result_cells;
  copy.num_local_cells = f.num_local_cells;
  copy.frame_cells = f.frame_cells;
  copy.entry_fuel = f.entry_fuel;
  copy.check_interrupt = f.check_interrupt;
  copy.fuel = f.fuel;
  copy.lazy = f.lazy;
  copy.translation_state = std::atomic_ref(f.translation_state).load(std::memory_order_relaxed);
  return copy;
}

// The offset of an active data segment when its expression is exactly
// `i32.const N` (what toolchains emit for a module that defines its own
// memory); nullopt for anything else (global.get of an imported global).
std::optional<uint32_t> constant_offset(const ModuleDesc& m, const ConstExpr& expr) {
  if (expr.begin > expr.end || expr.end > m.bytes.size()) return std::nullopt;
  Reader reader(m.bytes.data() + expr.begin, expr.end - expr.begin, expr.begin);
  Instr instr;
  if (!read_instruction(reader, instr) || instr.op != Op::I32Const) return std::nullopt;
  const auto value = static_cast<uint32_t>(instr.bits);
  if (!read_instruction(reader, instr) || instr.op != Op::End || !reader.at_end()) return std::nullopt;
  return value;
}

// Below this many bytes of non-zero pages, instances copy the bytes
// instead of mapping an image. Not for speed (mapping even one page
// instantiates faster than faulting in a copied one: 13.5 vs 18.8 us for
// bench/micro_bench's tiny module), but because each image holds a file
// descriptor for the life of its module: a host with thousands of small
// modules must not run out of descriptors (WASI's files share the table)
// to save a page fault each.
constexpr uint64_t kImageMinBytes = 16 * 1024;
// Holes of up to this many zero bytes between non-zero pages are mapped
// from the image anyway: one mmap call instead of two.
constexpr uint64_t kImageMergeGap = 32 * 1024;
// A flat copy of the initial contents is built up to the last segment's
// end; past this size, only when the segments fill at least half of it
// (a module with a few bytes near 4 GiB keeps the one-by-one path).
constexpr uint64_t kFlatContentsLimit = uint64_t{64} << 20;

std::unique_ptr<DataInitPlan> make_data_init_plan(const ModuleDesc& m) {
  auto plan = std::make_unique<DataInitPlan>();
  plan->dropped.assign(m.datas.size(), false);
  // Memory 0 is the module's own, so at this point of instantiation it
  // has exactly its declared minimum size and nothing wrote to it yet.
  const bool own_memory = m.num_imported_memories == 0 && !m.memories.empty();
  const uint64_t memory_bytes = own_memory ? m.memories[0].limits.min * kPageSize : 0;
  uint64_t end = 0;
  uint64_t total = 0;
  std::vector<std::pair<uint64_t, const DataSegment*>> active;
  for (size_t i = 0; i < m.datas.size(); ++i) {
    const DataSegment& seg = m.datas[i];
    if (seg.mode != SegmentMode::Active) continue;
    if (!own_memory || seg.memory_index != 0) return nullptr;
    std::optional<uint32_t> offset = constant_offset(m, seg.offset);
    if (!offset) return nullptr;
    const uint64_t seg_end = uint64_t{*offset} + seg.data_size;
    // This segment traps, after the ones before it wrote their bytes: the
    // one-by-one path does exactly that.
    if (seg_end > memory_bytes) return nullptr;
    if (seg.data_begin > m.bytes.size() || seg.data_size > m.bytes.size() - seg.data_begin) return nullptr;
    plan->dropped[i] = true;
    if (seg.data_size == 0) continue;
    end = std::max(end, seg_end);
    total += seg.data_size;
    active.emplace_back(*offset, &seg);
  }
  if (end > kFlatContentsLimit && end / 2 > total) return nullptr;

  // In segment order, so a later segment's bytes win where two overlap,
  // as applying them in order does.
  std::vector<uint8_t> contents(end, 0);
  for (const auto& [offset, seg] : active) {
    std::memcpy(contents.data() + offset, m.bytes.data() + seg->data_begin, seg->data_size);
  }
  while (!contents.empty() && contents.back() == 0) contents.pop_back();
  if (contents.empty()) return plan;  // nothing but zeros: nothing to write

  std::vector<MemoryImage::Run> map_runs = MemoryImage::nonzero_runs(contents, kImageMergeGap);
  uint64_t map_bytes = 0;
  for (const MemoryImage::Run& run : map_runs) map_bytes += run.bytes;
  if (map_bytes >= kImageMinBytes) {
    plan->image = MemoryImage::create(contents, std::move(map_runs));
    if (plan->image != nullptr) return plan;
  }
  // Copy: only the non-zero pages, none of the holes.
  plan->copy_runs = MemoryImage::nonzero_runs(contents, 0);
  contents.shrink_to_fit();
  plan->contents = std::move(contents);
  return plan;
}

}  // namespace

const DataInitPlan* CompiledModule::data_init_plan() const {
  DataInitState& state = *data_init_;
  if (!state.asked_once.load(std::memory_order_relaxed) &&
      !state.asked_once.exchange(true, std::memory_order_relaxed)) {
    return nullptr;
  }
  std::call_once(state.once, [&] { state.plan = make_data_init_plan(*desc); });
  return state.plan.get();
}

Result<std::shared_ptr<const CompiledModule>> compile_module(std::shared_ptr<const ModuleDesc> desc,
                                                             const interp::TranslateOptions& translate_options,
                                                             const interp::TierUpOptions& tier_up) {
  if (desc == nullptr || !desc->validated) return Error{Phase::Invalid, "module is not validated"};
  interp::TranslateOptions options = translate_options;
  if (tier_up.enabled) {
    if (options.jit) return Error{Phase::Invalid, "tier-up: the module is compiled up front already"};
    if (tier_up.target == nullptr) return Error{Phase::Invalid, "tier-up: no tier to compile hot functions"};
    options.count_back_edges = true;
  }
  auto compiled = std::make_shared<CompiledModule>();
  // A tier that compiles every function up front needs every translation
  // now: only the interpreter and tier-up translate lazily.
  if (options.jit) options.lazy = false;
  if (options.lazy) {
    compiled->lazy = std::make_unique<interp::LazyTranslator>(*desc, options);
    compiled->code = compiled->lazy->untranslated_functions();
  } else {
    auto code = interp::translate_module(*desc, options);
    if (!code.ok()) return std::move(code).error();
    compiled->code = std::move(code).value();
  }
  if (options.jit) {
    // The store picks the tier; the interpreter only follows
    // CompiledFunc::tier.
    const interp::Tier* tier = options.optimize ? jit::optimizing_tier() : jit::tier();
    if (tier == nullptr)
      return Error{Phase::Invalid, options.optimize ? "optimizing: no optimizing code generator for this architecture"
                                                    : "jit: no code generator for this architecture"};
    auto tier_code = tier->compile(compiled->code, interp::BoundsChecks::UseGuardRegions);
    if (!tier_code.ok()) return std::move(tier_code).error();
    compiled->tier_code = std::move(tier_code).value();
    compiled->tier = tier;
  }
  compiled->options = options;
  compiled->type_sig_ids.reserve(desc->types.size());
  for (const FuncType& type : desc->types) compiled->type_sig_ids.push_back(intern_signature(type));
  if (tier_up.enabled) {
    compiled->tier_up = std::make_unique<ModuleTierUp>(tier_up, desc->num_imported_funcs,
                                                       interp::BoundsChecks::UseGuardRegions);
    compiled->tier_up->attach(compiled, /*checked_copy=*/false);
    start_tier_up(compiled->code, *compiled->tier_up);
  }
  compiled->desc = std::move(desc);
  return std::shared_ptr<const CompiledModule>(std::move(compiled));
}

bool CompiledModule::relies_on_guard_regions() const {
  if (tier_code != nullptr) return tier_code->relies_on_guard_regions();
  return tier_up != nullptr && tier_up->relies_on_guard_regions();
}

Result<const std::vector<interp::CompiledFunc>*> CompiledModule::code_for_memory(const LinearMemory* memory0) const {
  if (memory0 == nullptr || memory0->has_guard_regions() || !relies_on_guard_regions()) return &code;
  CheckedVariant& checked = *checked_;
  std::call_once(checked.once, [&] {
    // Copies of the translated functions (their entries differ, and the
    // interpreter runs what the tier left to it from the copy it is bound
    // to), compiled again, or tiered up, with every access checked.
    checked.code.reserve(code.size());
    for (const interp::CompiledFunc& f : code) checked.code.push_back(translation_of(f));
    if (tier_up != nullptr) {
      checked.tier_up = std::make_unique<ModuleTierUp>(tier_up->options(), desc->num_imported_funcs,
                                                       interp::BoundsChecks::Explicit);
      checked.tier_up->attach(tier_up->module(), /*checked_copy=*/true);
      start_tier_up(checked.code, *checked.tier_up);
      return;
    }
    auto compiled = tier->compile(checked.code, interp::BoundsChecks::Explicit);
    if (compiled.ok()) checked.tier_code = std::move(compiled).value();
    else checked.error = std::move(compiled).error();
  });
  if (checked.error) return *checked.error;
  return &checked.code;
}

}  // namespace wasmrt
