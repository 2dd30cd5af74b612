// wasm-difftest's comparison engine: see difftest.h and docs/difftest.md.
#include <algorithm>
#include <bit>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "difftest.h"

namespace wasm_difftest {

using namespace wasmrt;

namespace {

// ---- observable outcome of one step -------------------------------------

enum class Status : uint8_t { Ok, Trap, Error };

struct Outcome {
  Status status = Status::Ok;
  TrapKind trap = TrapKind::None;
  Phase phase = Phase::Malformed;  // Status::Error only
  std::string error;               // message, for the report only (never compared)
  std::vector<Value> results;
  // Exported state after the step, in export order.
  std::vector<std::pair<uint64_t, uint64_t>> memories;  // (pages, content hash)
  std::vector<Value> globals;
  std::vector<std::pair<uint32_t, uint64_t>> tables;     // (size, null-pattern hash)
  std::optional<uint64_t> fuel_left;
};

// Interrupt-driven traps depend on wall time, so they are not a property of
// the module: such steps (and everything after them) are not compared.
bool timed_out(const Outcome& o) {
  return o.status == Status::Trap &&
         (o.trap == TrapKind::Interrupted || o.trap == TrapKind::DeadlineExceeded);
}

// The spec lets any NaN-producing float operation return any NaN (sign and
// payload are nondeterministic), so NaNs compare equal to NaNs of their type.
bool f32_nan(uint32_t b) { return (b & 0x7f800000u) == 0x7f800000u && (b & 0x007fffffu) != 0; }
bool f64_nan(uint64_t b) {
  return (b & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (b & 0x000fffffffffffffull) != 0;
}

// A v128's lane shape is unknown here, so each 64-bit half matches if it is
// bit-equal, both f64 NaNs, or each 32-bit quarter is bit-equal or both
// f32 NaNs. Lenient for integer data that looks like NaNs; acceptable.
bool v128_equivalent(const Value& a, const Value& b) {
  const uint64_t ha[2] = {a.low_bits(), a.high_bits()};
  const uint64_t hb[2] = {b.low_bits(), b.high_bits()};
  for (int i = 0; i < 2; ++i) {
    if (ha[i] == hb[i] || (f64_nan(ha[i]) && f64_nan(hb[i]))) continue;
    for (int s = 0; s < 64; s += 32) {
      const auto qa = static_cast<uint32_t>(ha[i] >> s), qb = static_cast<uint32_t>(hb[i] >> s);
      if (qa != qb && !(f32_nan(qa) && f32_nan(qb))) return false;
    }
  }
  return true;
}

bool value_equivalent(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case ValueType::F32:
      return a.f32_bits() == b.f32_bits() || (f32_nan(a.f32_bits()) && f32_nan(b.f32_bits()));
    case ValueType::F64:
      return a.f64_bits() == b.f64_bits() || (f64_nan(a.f64_bits()) && f64_nan(b.f64_bits()));
    case ValueType::V128:
      return v128_equivalent(a, b);
    case ValueType::FuncRef:
      // Funcref handles are opaque and per store: only null-ness is comparable.
      return a.is_null_ref() == b.is_null_ref();
    default:
      return a == b;
  }
}

bool values_equivalent(const std::vector<Value>& a, const std::vector<Value>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!value_equivalent(a[i], b[i])) return false;
  return true;
}

// What differs between two outcomes ("" if nothing). Fuel is compared only
// when both sides meter it; error messages never are (only phase/trap kind).
std::string difference(const Outcome& a, const Outcome& b) {
  if (a.status != b.status) return "status";
  if (a.status == Status::Trap && a.trap != b.trap) return "trap kind";
  if (a.status == Status::Error && a.phase != b.phase) return "error phase";
  if (!values_equivalent(a.results, b.results)) return "results";
  if (a.memories != b.memories) return "memory";
  if (!values_equivalent(a.globals, b.globals)) return "globals";
  if (a.tables != b.tables) return "tables";
  if (a.fuel_left.has_value() && b.fuel_left.has_value() && *a.fuel_left != *b.fuel_left)
    return "fuel left";
  return "";
}

const char* trap_name(TrapKind k) {
  switch (k) {
    case TrapKind::None: return "none";
    case TrapKind::Unreachable: return "unreachable";
    case TrapKind::MemoryOutOfBounds: return "memory-out-of-bounds";
    case TrapKind::TableOutOfBounds: return "table-out-of-bounds";
    case TrapKind::IndirectCallTypeMismatch: return "indirect-call-type-mismatch";
    case TrapKind::UndefinedElement: return "undefined-element";
    case TrapKind::UninitializedElement: return "uninitialized-element";
    case TrapKind::IntegerDivideByZero: return "integer-divide-by-zero";
    case TrapKind::IntegerOverflow: return "integer-overflow";
    case TrapKind::InvalidConversionToInteger: return "invalid-conversion-to-integer";
    case TrapKind::CallStackExhausted: return "call-stack-exhausted";
    case TrapKind::OutOfFuel: return "out-of-fuel";
    case TrapKind::Interrupted: return "interrupted";
    case TrapKind::DeadlineExceeded: return "deadline-exceeded";
    case TrapKind::HostError: return "host-error";
    case TrapKind::Exit: return "exit";
  }
  return "?";
}

std::string describe_values(const std::vector<Value>& vs) {
  std::string out;
  for (size_t i = 0; i < vs.size(); ++i) {
    if (i) out += ' ';
    out += vs[i].to_string();
  }
  return out;
}

std::string describe(const Outcome& o) {
  std::string out;
  if (o.status == Status::Ok) {
    out = "ok [" + describe_values(o.results) + "]";
  } else if (o.status == Status::Trap) {
    out = std::string("trap ") + trap_name(o.trap) + " (" + o.error + ")";
  } else {
    out = "error (" + o.error + ")";
  }
  char buf[64];
  for (const auto& [pages, hash] : o.memories) {
    std::snprintf(buf, sizeof buf, " mem[%" PRIu64 "p %016" PRIx64 "]", pages, hash);
    out += buf;
  }
  if (!o.globals.empty()) out += " globals[" + describe_values(o.globals) + "]";
  for (const auto& [size, hash] : o.tables) {
    std::snprintf(buf, sizeof buf, " table[%u %016" PRIx64 "]", size, hash);
    out += buf;
  }
  if (o.fuel_left) out += " fuel-left " + std::to_string(*o.fuel_left);
  return out;
}

// ---- hashing and deterministic arguments ---------------------------------

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t hash_bytes(const uint8_t* p, size_t n, uint64_t h = 0xcbf29ce484222325ull) {
  // Word-at-a-time mixing: memories are hashed after every step, on every
  // engine, so this must be cheap (a byte-wise FNV is several times slower).
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    h = (h ^ w) * 0x100000001b3ull;
    h ^= h >> 29;
  }
  for (; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

uint64_t hash_string(std::string_view s) {
  return hash_bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

// Edge values that tend to expose lowering bugs (sign, overflow, shift
// masks, NaN/infinity/-0 handling, conversions at the limits).
constexpr uint32_t kI32Edges[] = {0,          1,          0xffffffffu, 0x7fffffffu, 0x80000000u,
                                  2,          31,         32,          0xff,        0x8000,
                                  0xfffffff0, 0x00010000, 7,           0x12345678u, 0x80000001u};
constexpr uint64_t kI64Edges[] = {0,
                                  1,
                                  ~0ull,
                                  0x7fffffffffffffffull,
                                  0x8000000000000000ull,
                                  63,
                                  64,
                                  0xffffffffull,
                                  0x100000000ull,
                                  0x8000000000000001ull,
                                  0x0123456789abcdefull};
constexpr uint32_t kF32Edges[] = {0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x7f800000,
                                  0xff800000, 0x7fc00000, 0xffc00001, 0x7f7fffff, 0x00000001,
                                  0x4f000000, 0xcf000000, 0x5f000000, 0x3f000000, 0x4b000001};
constexpr uint64_t kF64Edges[] = {0x0000000000000000ull, 0x8000000000000000ull, 0x3ff0000000000000ull,
                                  0xbff0000000000000ull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
                                  0x7ff8000000000000ull, 0xfff8000000000001ull, 0x41e0000000000000ull,
                                  0xc1e0000000000000ull, 0x43e0000000000000ull, 0x3fe0000000000000ull,
                                  0x0000000000000001ull, 0x7fefffffffffffffull};

template <typename T, size_t N>
T pick(const T (&edges)[N], uint64_t& rng) {
  const uint64_t r = splitmix64(rng);
  // Half edge values, half random bits.
  return (r & 1) ? edges[(r >> 1) % N] : static_cast<T>(splitmix64(rng));
}

// Set 0 is all zeros (nulls for references); later sets are seeded by the
// global seed, the export name and the set number, so they do not depend on
// the order of exports or on which other modules run.
std::vector<Value> make_args(const FuncSignature& sig, std::string_view export_name, unsigned set,
                             uint64_t seed) {
  std::vector<Value> args;
  uint64_t rng = seed ^ hash_string(export_name) ^ (uint64_t{set} * 0x9e3779b97f4a7c15ull);
  for (ValueType t : sig.params) {
    if (set == 0) {
      args.push_back(t == ValueType::V128 ? Value::v128(V128{}) : Value::from_bits(t, 0));
      continue;
    }
    switch (t) {
      case ValueType::I32: args.push_back(Value::i32(static_cast<int32_t>(pick(kI32Edges, rng)))); break;
      case ValueType::I64: args.push_back(Value::i64(static_cast<int64_t>(pick(kI64Edges, rng)))); break;
      case ValueType::F32: args.push_back(Value::f32_bits(pick(kF32Edges, rng))); break;
      case ValueType::F64: args.push_back(Value::f64_bits(pick(kF64Edges, rng))); break;
      case ValueType::V128: {
        args.push_back(Value::from_bits(ValueType::V128, splitmix64(rng), splitmix64(rng)));
        break;
      }
      case ValueType::FuncRef: args.push_back(Value::null(ValueType::FuncRef)); break;
      case ValueType::ExternRef:
        // A non-null host word round-trips through externref globals/tables.
        args.push_back(set % 2 ? Value::externref(ExternRef{0x1000 + set}) : Value::null(t));
        break;
    }
  }
  return args;
}

// ---- running one engine ---------------------------------------------------

struct Step {
  std::string label;  // "instantiate" or "export(args)"
  std::string export_name;
  std::vector<Value> args;
};

struct EngineRun {
  bool compiled = false;
  std::string compile_error;
  std::vector<Outcome> outcomes;  // one per step actually run
};

void capture_state(const Instance& instance, const Module& module, Outcome& out) {
  for (const auto& e : module.exports()) {
    switch (e.kind) {
      case ExternalKind::Memory:
        if (auto m = instance.memory(e.name)) {
          const auto data = m->data();
          out.memories.emplace_back(m->pages(), hash_bytes(data.data(), data.size()));
        }
        break;
      case ExternalKind::Global:
        if (auto g = instance.global(e.name)) out.globals.push_back(g->get());
        break;
      case ExternalKind::Table:
        if (auto t = instance.table(e.name)) {
          // Funcref handles are per store: hash the null pattern; externrefs
          // are host words and hash as such.
          uint64_t h = 0xcbf29ce484222325ull;
          for (uint32_t i = 0; i < t->size(); ++i) {
            auto v = t->get(i);
            uint64_t w = 0;
            if (v.ok()) w = v.value().type() == ValueType::FuncRef ? !v.value().is_null_ref() : v.value().low_bits();
            h = hash_bytes(reinterpret_cast<const uint8_t*>(&w), 8, h);
          }
          out.tables.emplace_back(t->size(), h);
        }
        break;
      case ExternalKind::Function:
        break;
    }
  }
}

void record_error(const Error& e, Outcome& out) {
  out.error = e.to_string();
  if (e.phase == Phase::Trap && e.trap) {
    out.status = Status::Trap;
    out.trap = e.trap->kind;
  } else {
    out.status = Status::Error;
    out.phase = e.phase;
  }
}

EngineConfig make_config(const EngineSpec& spec, const Options& opt) {
  EngineConfig config;
  config.tier = spec.tier;
  config.consume_fuel = spec.metered;
  // Tiered: functions switch to machine code from their second call, and
  // loops after a few iterations (on-stack replacement), at the same
  // point of every run, so a divergence reproduces.
  config.tier_up_calls = 2;
  config.tier_up_back_edges = 3;
  config.tier_up_synchronous = true;
  config.interruptible = true;  // timeouts must be able to stop any guest
  // Caps low enough that thousands of generated modules cannot exhaust
  // the machine (several engines each hold a store at once).
  config.max_memory_pages = opt.max_pages;
  config.max_store_memory_pages = opt.max_pages * 4;
  config.max_table_elements = 100'000;
  config.max_instances = 16;
  config.max_memories = 16;
  config.max_tables = 64;
  config.max_module_bytes = 16u << 20;
  // Same stack limits on every engine (defaults), so stack exhaustion is
  // expected to agree too.
  return config;
}

// Runs `steps` on one engine; stops after a timeout (later steps would
// start from a state that depends on where the interrupt landed).
EngineRun run_engine(const EngineSpec& spec, const Options& opt, std::span<const uint8_t> bytes,
                     const std::vector<Step>& steps) {
  EngineRun run;
  const Engine engine(make_config(spec, opt));
  auto module = engine.compile(bytes);
  if (!module.ok()) {
    run.compile_error = module.error().to_string();
    return run;
  }
  run.compiled = true;
  Store store(engine);
  store.set_timeout(std::chrono::milliseconds(opt.timeout_ms));
  const Linker linker;
  Instance instance;
  for (const Step& step : steps) {
    Outcome out;
    if (spec.metered) (void)store.set_fuel(opt.fuel);
    if (step.export_name.empty()) {
      auto inst = linker.instantiate(store, module.value());
      if (inst.ok()) {
        instance = std::move(inst.value());
        capture_state(instance, *module.value(), out);
      } else {
        record_error(inst.error(), out);
      }
    } else {
      auto r = instance.call(step.export_name, step.args);
      if (r.ok()) {
        out.results = std::move(r.value());
      } else {
        record_error(r.error(), out);
      }
      capture_state(instance, *module.value(), out);
    }
    out.fuel_left = store.fuel();
    run.outcomes.push_back(std::move(out));
    if (timed_out(run.outcomes.back())) break;
    // A failed instantiation leaves nothing to call.
    if (step.export_name.empty() && !instance.valid()) break;
  }
  return run;
}

}  // namespace

std::vector<EngineSpec> available_engines(bool metered_only) {
  std::vector<EngineSpec> engines;
  for (const bool metered : {false, true}) {
    if (!metered && metered_only) continue;
    engines.push_back({metered ? "interp+fuel" : "interp", ExecutionTier::Interpreter, metered});
    if (Engine::jit_available()) {
      engines.push_back({metered ? "baseline+fuel" : "baseline", ExecutionTier::Baseline, metered});
      engines.push_back({metered ? "jit+fuel" : "jit", ExecutionTier::Jit, metered});
    }
    if (Engine::optimizing_available())
      engines.push_back({metered ? "optimizing+fuel" : "optimizing", ExecutionTier::Optimizing, metered});
  }
  return engines;
}

uint64_t run_module(std::string_view name, std::span<const uint8_t> bytes, const Options& opt,
                    const std::vector<EngineSpec>& engines, Totals& totals) {
  const std::string path_string(name);
  const char* path = path_string.c_str();
  ++totals.modules;
  // The step list comes from the default-config compile; the engines then
  // compile again with their own config (which must agree on validity).
  auto probe = Module::compile(bytes);
  if (!probe.ok()) {
    ++totals.modules_invalid;
    if (opt.verbose) std::printf("%s: invalid: %s\n", path, probe.error().to_string().c_str());
    return 0;
  }
  const Module& module = *probe.value();
  if (!module.imports().empty()) {
    // No host environment is modelled: a trivial one would make results
    // depend on it rather than on the tiers.
    ++totals.modules_imports;
    if (opt.verbose) std::printf("%s: skipped (imports)\n", path);
    return 0;
  }
  std::vector<Step> steps;
  steps.push_back({"instantiate", "", {}});
  {
    // Signatures come from an instance; a throwaway store with the
    // interpreter is enough (the start function's outcome does not matter here).
    Engine engine(make_config({"probe", ExecutionTier::Interpreter, false}, opt));
    Store store(engine);
    store.set_timeout(std::chrono::milliseconds(opt.timeout_ms));
    auto inst = Linker().instantiate(store, probe.value());
    if (inst.ok()) {
      for (const auto& e : module.exports()) {
        if (e.kind != ExternalKind::Function) continue;
        auto f = inst.value().func(e.name);
        if (!f) continue;
        const FuncSignature sig = f->signature();
        for (unsigned set = 0; set < opt.arg_sets; ++set) {
          if (set > 0 && sig.params.empty()) break;  // every set would be the same
          Step s;
          s.export_name = e.name;
          s.args = make_args(sig, e.name, set, opt.seed);
          s.label = "\"" + e.name + "\"(" + describe_values(s.args) + ")";
          steps.push_back(std::move(s));
        }
      }
    } else {
      ++totals.modules_uninstantiable;  // still compared: the trap must agree
    }
  }

  std::vector<EngineRun> runs;
  for (const auto& spec : engines) runs.push_back(run_engine(spec, opt, bytes, steps));

  if (opt.dump) {
    for (size_t k = 0; k < steps.size(); ++k) {
      std::printf("%s: %s\n", path, steps[k].label.c_str());
      for (size_t i = 0; i < engines.size(); ++i)
        if (k < runs[i].outcomes.size())
          std::printf("  %-12s %s\n", engines[i].name, describe(runs[i].outcomes[k]).c_str());
    }
  }
  uint64_t module_divergences = 0;
  auto report = [&](size_t a, size_t b, const std::string& what, const std::string& step,
                    const std::string& oa, const std::string& ob) {
    ++module_divergences;
    std::printf("DIVERGENCE %s: %s: %s differs\n  %-12s %s\n  %-12s %s\n", path, step.c_str(),
                what.c_str(), engines[a].name, oa.c_str(), engines[b].name, ob.c_str());
  };
  // Compare each engine with the first engine of its metering group:
  // metered engines must agree exactly (fuel included), unmetered likewise.
  std::vector<int> reference(engines.size(), -1);
  for (size_t i = 0; i < engines.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (engines[j].metered == engines[i].metered && reference[i] < 0) reference[i] = static_cast<int>(j);

  // A step counts as compared only if no engine timed out at or before it.
  size_t steps_valid = steps.size();
  for (const auto& run : runs)
    for (size_t k = 0; k < run.outcomes.size(); ++k)
      if (timed_out(run.outcomes[k])) steps_valid = std::min(steps_valid, k);

  for (size_t i = 0; i < engines.size(); ++i) {
    if (reference[i] < 0) continue;
    const size_t r = static_cast<size_t>(reference[i]);
    if (runs[i].compiled != runs[r].compiled) {
      report(r, i, "compilation", "compile", runs[r].compiled ? "ok" : runs[r].compile_error,
             runs[i].compiled ? "ok" : runs[i].compile_error);
      continue;
    }
    const size_t n = std::min({runs[i].outcomes.size(), runs[r].outcomes.size(), steps_valid});
    for (size_t k = 0; k < n; ++k) {
      const std::string what = difference(runs[r].outcomes[k], runs[i].outcomes[k]);
      if (what.empty()) continue;
      report(r, i, what, steps[k].label, describe(runs[r].outcomes[k]), describe(runs[i].outcomes[k]));
      break;  // later steps start from diverged state: one report per pair
    }
  }

  // Metering must not change behaviour either: the unmetered interpreter
  // against the metered one, up to the first step where any metered engine
  // ran out of fuel (after that their states legitimately differ).
  const auto unmetered_ref = std::find_if(engines.begin(), engines.end(), [](auto& e) { return !e.metered; });
  const auto metered_ref = std::find_if(engines.begin(), engines.end(), [](auto& e) { return e.metered; });
  if (unmetered_ref != engines.end() && metered_ref != engines.end()) {
    const size_t u = static_cast<size_t>(unmetered_ref - engines.begin());
    const size_t m = static_cast<size_t>(metered_ref - engines.begin());
    size_t n = runs[u].compiled == runs[m].compiled
                   ? std::min({runs[u].outcomes.size(), runs[m].outcomes.size(), steps_valid})
                   : 0;
    for (size_t i = 0; i < engines.size(); ++i) {
      if (!engines[i].metered) continue;
      for (size_t k = 0; k < runs[i].outcomes.size(); ++k)
        if (runs[i].outcomes[k].status == Status::Trap && runs[i].outcomes[k].trap == TrapKind::OutOfFuel)
          n = std::min(n, k);
    }
    for (size_t k = 0; k < n; ++k) {
      const std::string what = difference(runs[u].outcomes[k], runs[m].outcomes[k]);
      if (what.empty()) continue;
      report(u, m, what, steps[k].label, describe(runs[u].outcomes[k]), describe(runs[m].outcomes[k]));
      break;
    }
  }

  const uint64_t calls = steps.size() - 1;
  const uint64_t compared = steps_valid > 0 ? steps_valid - 1 : 0;
  totals.calls += calls;
  // Steps not reached because instantiation failed are not calls at all.
  bool instantiated = !runs.empty() && !runs[0].outcomes.empty() && runs[0].outcomes[0].status == Status::Ok;
  if (instantiated) {
    totals.calls_compared += compared;
    totals.calls_skipped += calls - compared;
  }
  if (module_divergences) {
    totals.divergences += module_divergences;
    ++totals.divergent_modules;
  }
  if (opt.verbose)
    std::printf("%s: %zu steps, %" PRIu64 " compared, %" PRIu64 " divergences\n", path, steps.size(),
                compared, module_divergences);
  return module_divergences;
}

}  // namespace wasm_difftest
