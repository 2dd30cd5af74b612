// Module-level validation (spec document/core/valid/modules) and the driver
// that validates every function body with the shared BodyDecoder.
#include <sched.h>

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <unordered_set>

#include "runtime/binary/instr.h"
#include "runtime/valid/body_decoder.h"
#include "runtime/valid/body_scan.h"
#include "runtime/valid/const_expr.h"
#include "runtime/valid/errors.h"
#include "runtime/valid/validator.h"

namespace wasmrt {
namespace {

Error invalid(std::string message, uint64_t offset = Error::kNoOffset) {
  return make_error(Phase::Invalid, std::move(message), offset);
}

std::string indexed(const char* what, uint32_t index) {
  return std::string(what) + " " + std::to_string(index);
}

// Whether a CPU this process may run on is idle now: fewer tasks are
// runnable in the system (this one included: /proc/loadavg's fourth
// field) than such CPUs. On a 2-core machine shared with other work, a
// second validation thread only took turns with the first (measured: no
// gain, and 0.4 ms more to start Go's hello world); with a core idle it
// halves the bodies' validation. Costs one read of a small procfs file.
bool another_cpu_is_idle() {
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  if (sched_getaffinity(0, sizeof cpus, &cpus) != 0 || CPU_COUNT(&cpus) < 2) return false;
  std::FILE* file = std::fopen("/proc/loadavg", "r");
  if (file == nullptr) return false;
  double averages[3];
  int runnable = 0, total = 0;
  const int read =
      std::fscanf(file, "%lf %lf %lf %d/%d", &averages[0], &averages[1], &averages[2], &runnable, &total);
  std::fclose(file);
  return read == 5 && runnable < CPU_COUNT(&cpus);
}

// Collects every first invalid error while the rest of the module is still
// decoded for malformed errors, which take precedence.
class Validation {
 public:
  Validation(ModuleDesc& module, BodyThreads threads) : m_(module), threads_(threads) {}
  Result<void> run();

 private:
  void note(Error e) {
    if (!has_invalid_) {
      first_invalid_ = std::move(e);
      has_invalid_ = true;
    }
  }
  void note(Result<void> r) {
    if (!r.ok()) note(std::move(r).error());
  }
  void check_limits(const Limits& limits, uint64_t range, const char* range_message);
  void check_table_type(const TableType& t) {
    check_limits(t.limits, 0xFFFFFFFFull, "table size must be at most 2^32-1");
  }
  void check_memory_type(const MemoryType& t) {
    check_limits(t.limits, kMaxMemoryPages, "memory size must be at most 65536 pages (4GiB)");
  }
  void check_func_type_index(uint32_t type_index) {
    if (type_index >= m_.types.size()) note(invalid(indexed("unknown type", type_index)));
  }
  Result<void> collect_refs_in(const ConstExpr& expr);
  Result<void> collect_declared_refs();
  void check_elems();
  void check_datas();
  Result<void> check_bodies();
  // What the body loop finds over [begin, end): the first malformed error
  // (which ends it), else the first invalid one.
  struct RangeOutcome {
    std::optional<Error> malformed;
    std::optional<Error> invalid;
  };
  RangeOutcome check_body_range(uint32_t begin, uint32_t end) const;
  // Modules with at least this many bytes of function bodies validate them
  // on two threads.
  static constexpr uint64_t kParallelBodyBytes = 256 * 1024;
  void check_start();
  void check_exports();

  ModuleDesc& m_;
  const BodyThreads threads_;
  std::vector<uint8_t> declared_refs_;
  bool has_invalid_ = false;
  Error first_invalid_;
};

void Validation::check_limits(const Limits& limits, uint64_t range, const char* range_message) {
  if (limits.min > range) return note(invalid(range_message));
  if (limits.has_max) {
    if (limits.max > range) return note(invalid(range_message));
    if (limits.min > limits.max) note(invalid("size minimum must not be greater than maximum"));
  }
}

Result<void> Validation::collect_refs_in(const ConstExpr& expr) {
  if (expr.end < expr.begin || expr.end > m_.bytes.size()) return ok();
  Reader r(m_.bytes.data() + expr.begin, expr.end - expr.begin, expr.begin);
  r.set_eof_message("unexpected end of section or function");
  Instr in;
  while (!r.at_end()) {
    if (!read_instruction(r, in)) return r.take_error();
    if (in.op == Op::RefFunc && in.index < declared_refs_.size()) declared_refs_[in.index] = 1;
    if (in.op == Op::End) break;
  }
  return ok();
}

// C.refs: functions referenced outside function bodies (elements, global
// initializers, exports); ref.func in a body may only name these.
Result<void> Validation::collect_declared_refs() {
  declared_refs_.assign(m_.funcs.size(), 0);
  for (const ConstExpr& init : m_.global_inits) WASMRT_TRY(collect_refs_in(init));
  for (const ElemSegment& seg : m_.elems) {
    if (seg.uses_exprs) {
      for (const ConstExpr& e : seg.exprs) WASMRT_TRY(collect_refs_in(e));
    } else {
      for (uint32_t f : seg.func_indices)
        if (f < declared_refs_.size()) declared_refs_[f] = 1;
    }
  }
  for (const Export& ex : m_.exports)
    if (ex.kind == ExternKind::Func && ex.index < declared_refs_.size()) declared_refs_[ex.index] = 1;
  return ok();
}

void Validation::check_elems() {
  for (const ElemSegment& seg : m_.elems) {
    if (seg.uses_exprs) {
      for (const ConstExpr& e : seg.exprs) note(validate_const_expr(m_, e, seg.elem_type));
    } else {
      for (uint32_t f : seg.func_indices)
        if (f >= m_.funcs.size()) note(invalid(indexed("unknown function", f)));
      if (seg.elem_type != ValType::FuncRef) note(invalid("type mismatch"));
    }
    if (seg.mode == SegmentMode::Active) {
      if (seg.table_index >= m_.tables.size()) {
        note(invalid(indexed("unknown table", seg.table_index), seg.offset.begin));
      } else if (m_.tables[seg.table_index].elem != seg.elem_type) {
        note(invalid("type mismatch", seg.offset.begin));
      }
      note(validate_const_expr(m_, seg.offset, ValType::I32));
    }
  }
}

void Validation::check_datas() {
  for (const DataSegment& seg : m_.datas) {
    if (seg.mode != SegmentMode::Active) continue;
    if (seg.memory_index >= m_.memories.size())
      note(invalid(indexed("unknown memory", seg.memory_index), seg.offset.begin));
    note(validate_const_expr(m_, seg.offset, ValType::I32));
  }
}

Validation::RangeOutcome Validation::check_body_range(uint32_t begin, uint32_t end) const {
  RangeOutcome outcome;
  NopVisitor visitor;
  BodyDecoder<NopVisitor, true> decoder(m_, visitor);
  decoder.set_declared_refs(&declared_refs_);
  BodyScanner scanner(m_);
  for (uint32_t i = begin; i < end; ++i) {
    if (!outcome.invalid) {
      // Each body's side table is its own element: ranges on different
      // threads write different ones.
      if (decoder.decode(i, m_.side_tables[i])) continue;
      Error e = decoder.take_error();
      if (e.phase != Phase::Invalid) {
        outcome.malformed = std::move(e);
        return outcome;
      }
      outcome.invalid = std::move(e);
    }
    // Already invalid: only a malformed error can still change the result.
    if (Result<void> scanned = scanner.scan(i); !scanned.ok()) {
      outcome.malformed = std::move(scanned).error();
      return outcome;
    }
  }
  return outcome;
}

Result<void> Validation::check_bodies() {
  if (m_.code.size() + m_.num_imported_funcs != m_.funcs.size()) {
    return make_error(Phase::Malformed, "function and code section have inconsistent lengths",
                      Error::kNoOffset);
  }
  m_.side_tables.resize(m_.code.size());
  const uint32_t n = static_cast<uint32_t>(m_.code.size());
  if (has_invalid_) {
    // Only a malformed body can change the result now.
    BodyScanner scanner(m_);
    for (uint32_t i = 0; i < n; ++i) WASMRT_TRY(scanner.scan(i));
    return ok();
  }
  // A large module's bodies are validated in two halves (by bytes) on two
  // threads: validation is most of what compiling costs now that
  // translation is lazy (Go's hello world: 2.6 MB, about 8 ms on one
  // thread). Small ones stay on this thread, which is cheaper than
  // starting another.
  const uint64_t code_bytes = n == 0 ? 0 : uint64_t{m_.code.back().code_end} - m_.code.front().code_begin;
  uint32_t split = n;
  if (code_bytes >= kParallelBodyBytes &&
      (threads_ == BodyThreads::Two || (threads_ == BodyThreads::TwoIfIdle && another_cpu_is_idle()))) {
    const uint64_t half = m_.code.front().code_begin + code_bytes / 2;
    split = 0;
    while (split < n && m_.code[split].code_begin < half) ++split;
  }
  RangeOutcome first, second;
  std::optional<std::thread> worker;
  if (split < n) {
    try {
      worker.emplace([&] { second = check_body_range(split, n); });
    } catch (const std::system_error&) {
      split = n;  // no thread to be had: all on this one
    }
  }
  first = check_body_range(0, split);
  if (worker) worker->join();
  // The result the one-thread loop over [0, n) gives, from its two halves.
  if (first.malformed) return std::move(*first.malformed);
  if (!first.invalid) {
    if (second.malformed) return std::move(*second.malformed);
    if (second.invalid) note(std::move(*second.invalid));
    return ok();
  }
  note(std::move(*first.invalid));
  // One loop would only have scanned the second half for malformed
  // bodies, so do exactly that (an invalid module: no hurry).
  BodyScanner scanner(m_);
  for (uint32_t i = split; i < n; ++i) WASMRT_TRY(scanner.scan(i));
  return ok();
}

void Validation::check_start() {
  if (!m_.start) return;
  uint32_t f = *m_.start;
  if (f >= m_.funcs.size()) return note(invalid(indexed("unknown function", f)));
  const FuncType& ft = m_.func_type(f);
  if (!ft.params.empty() || !ft.results.empty()) note(invalid("start function"));
}

void Validation::check_exports() {
  std::unordered_set<std::string_view> names;
  names.reserve(m_.exports.size());
  for (const Export& ex : m_.exports) {
    switch (ex.kind) {
      case ExternKind::Func:
        if (ex.index >= m_.funcs.size()) note(invalid(indexed("unknown function", ex.index)));
        break;
      case ExternKind::Table:
        if (ex.index >= m_.tables.size()) note(invalid(indexed("unknown table", ex.index)));
        break;
      case ExternKind::Memory:
        if (ex.index >= m_.memories.size()) note(invalid(indexed("unknown memory", ex.index)));
        break;
      case ExternKind::Global:
        if (ex.index >= m_.globals.size()) note(invalid(indexed("unknown global", ex.index)));
        break;
    }
    if (!names.insert(ex.name).second) note(invalid("duplicate export name"));
  }
}

Result<void> Validation::run() {
  // Index spaces and types, in the reference interpreter's order.
  for (const Import& im : m_.imports) {
    switch (im.kind) {
      case ExternKind::Func: check_func_type_index(im.func_type); break;
      case ExternKind::Table: check_table_type(im.table); break;
      case ExternKind::Memory: check_memory_type(im.memory); break;
      case ExternKind::Global: break;
    }
  }
  for (uint32_t i = m_.num_imported_funcs; i < m_.funcs.size(); ++i) check_func_type_index(m_.funcs[i]);
  if (has_invalid_) {
    // Types of functions are unusable; still look for malformed bodies.
    BodyScanner scanner(m_);
    for (uint32_t i = 0; i < m_.code.size(); ++i) WASMRT_TRY(scanner.scan(i));
    return std::move(first_invalid_);
  }

  WASMRT_TRY(collect_declared_refs());
  for (size_t i = 0; i < m_.global_inits.size(); ++i) {
    const GlobalType& g = m_.globals[m_.num_imported_globals + i];
    note(validate_const_expr(m_, m_.global_inits[i], g.type));
  }
  for (size_t i = m_.num_imported_tables; i < m_.tables.size(); ++i) check_table_type(m_.tables[i]);
  for (size_t i = m_.num_imported_memories; i < m_.memories.size(); ++i) check_memory_type(m_.memories[i]);
  check_elems();
  check_datas();
  WASMRT_TRY(check_bodies());
  check_start();
  check_exports();
  if (m_.memories.size() > 1) note(invalid("multiple memories"));

  if (has_invalid_) {
    m_.side_tables.clear();
    return std::move(first_invalid_);
  }
  m_.validated = true;
  return ok();
}

}  // namespace

Result<void> validate_module(ModuleDesc& module, BodyThreads threads) {
  module.validated = false;
  module.side_tables.clear();
  Validation validation(module, threads);
  return validation.run();
}

}  // namespace wasmrt
