// The runtime behind the harness's Engine interface, on any tier (the
// interpreter; the JIT up front: "baseline", "baseline-metered"; tiered:
// "jit", "jit-metered"): one ObjectStore per
// script, the reference interpreter's "spectest" host module, and
// conversions between script values and interpreter cells.
#include <cstring>
#include <map>

#include "jit/jit.h"
#include "runtime/store/compiled_module.h"
#include "runtime/store/store.h"
#include "spectest/engine.h"

namespace wasmrt::spectest {

namespace {

using wast::Value;

// Script `ref.extern N` is the host word N + 1, so that 0 stays null.
Cell extern_cell(uint64_t n) { return n + 1; }

Result<void> value_to_cells(const Value& value, ValType type, Cell* out) {
  auto mismatch = [&]() {
    return Error{Phase::Trap, "argument type mismatch: expected " + std::string(valtype_name(type))};
  };
  switch (type) {
    case ValType::I32:
      if (value.kind != Value::Kind::I32) return mismatch();
      out[0] = value.bits & 0xFFFFFFFFu;
      return ok();
    case ValType::F32:
      if (value.kind != Value::Kind::F32) return mismatch();
      out[0] = value.bits & 0xFFFFFFFFu;
      return ok();
    case ValType::I64:
      if (value.kind != Value::Kind::I64) return mismatch();
      out[0] = value.bits;
      return ok();
    case ValType::F64:
      if (value.kind != Value::Kind::F64) return mismatch();
      out[0] = value.bits;
      return ok();
    case ValType::V128:
      if (value.kind != Value::Kind::V128) return mismatch();
      std::memcpy(out, value.v128, 16);
      return ok();
    case ValType::FuncRef:
      // Scripts can only pass null function references.
      if (value.kind != Value::Kind::RefNull || !value.ref_is_func) return mismatch();
      out[0] = 0;
      return ok();
    case ValType::ExternRef:
      if (value.kind == Value::Kind::RefNull && !value.ref_is_func) {
        out[0] = 0;
      } else if (value.kind == Value::Kind::RefExtern) {
        out[0] = extern_cell(value.bits);
      } else {
        return mismatch();
      }
      return ok();
  }
  return mismatch();
}

Value cells_to_value(ValType type, const Cell* cells) {
  Value value;
  switch (type) {
    case ValType::I32: value.kind = Value::Kind::I32; value.bits = cells[0] & 0xFFFFFFFFu; break;
    case ValType::F32: value.kind = Value::Kind::F32; value.bits = cells[0] & 0xFFFFFFFFu; break;
    case ValType::I64: value.kind = Value::Kind::I64; value.bits = cells[0]; break;
    case ValType::F64: value.kind = Value::Kind::F64; value.bits = cells[0]; break;
    case ValType::V128:
      value.kind = Value::Kind::V128;
      std::memcpy(value.v128, cells, 16);
      break;
    case ValType::FuncRef:
      value.kind = cells[0] == 0 ? Value::Kind::RefNull : Value::Kind::RefFunc;
      value.ref_is_func = true;
      break;
    case ValType::ExternRef:
      if (cells[0] == 0) {
        value.kind = Value::Kind::RefNull;
        value.ref_is_func = false;
      } else {
        value.kind = Value::Kind::RefExtern;
        value.bits = cells[0] - 1;
      }
      break;
  }
  return value;
}

class InterpEngine final : public Engine {
 public:
  // `metered`: code compiled with fuel metering and interrupt checks, run
  // with an inexhaustible budget and an interrupt that never comes, so the
  // whole suite checks that metering changes no result.
  explicit InterpEngine(bool metered, JitMode jit, bool lazy) : metered_(metered), jit_(jit) {
    options_.lazy = lazy;
    options_.fuel = metered;
    options_.interrupt_checks = metered;
    options_.jit = jit == JitMode::Baseline || jit == JitMode::Optimizing;
    options_.optimize = jit == JitMode::Optimizing;
    if (jit == JitMode::Tiered) {
      // Thresholds this low make most functions of the suite change tier
      // in the middle of a script, and many loops (those that run a few
      // iterations) continue on machine code in the middle of a call;
      // synchronous compiles make it happen at the same point every run.
      // The target is Engine::compile's: the optimizing tier where there
      // is one, with the baseline as fallback.
      tier_up_.enabled = true;
      tier_up_.target = jit::optimizing_tier() != nullptr ? jit::optimizing_tier() : jit::tier();
      tier_up_.fallback = jit::optimizing_tier() != nullptr ? jit::tier() : nullptr;
      tier_up_.calls = 2;
      tier_up_.back_edges = 3;
      tier_up_.synchronous = true;
    }
    reset();
  }

  const char* name() const override {
    switch (jit_) {
      case JitMode::Baseline: return metered_ ? "baseline-metered" : "baseline";
      case JitMode::Optimizing: return metered_ ? "optimizing-metered" : "optimizing";
      case JitMode::Tiered: return metered_ ? "jit-metered" : "jit";
      case JitMode::None: break;
    }
    return metered_ ? "interp-metered" : "interp";
  }

  void reset() override {
    registry_.clear();
    instances_.clear();
    store_ = std::make_unique<ObjectStore>();
    define_spectest_module();
  }

  Result<InstanceId> instantiate(std::shared_ptr<ModuleDesc> module) override {
    Result<std::shared_ptr<const CompiledModule>> compiled =
        wasmrt::compile_module(std::shared_ptr<const ModuleDesc>(std::move(module)), options_, tier_up_);
    if (!compiled.ok()) return std::move(compiled).error();
    Result<std::vector<Extern>> imports = registry_.resolve(*compiled.value()->desc);
    if (!imports.ok()) return std::move(imports).error();
    ExecContext& ctx = context();
    Result<StoreInstance*> instance = store_->instantiate(compiled.value(), imports.value(), ctx);
    if (!instance.ok()) return std::move(instance).error();
    instances_.push_back(instance.value());
    return static_cast<InstanceId>(instances_.size() - 1);
  }

  Result<void> register_instance(InstanceId instance, std::string_view as_name) override {
    registry_.define_instance(std::string(as_name), *instances_.at(instance));
    return ok();
  }

  Result<std::vector<Value>> invoke(InstanceId instance, std::string_view field,
                                    const std::vector<Value>& args) override {
    std::optional<Extern> found = instances_.at(instance)->find_export(field);
    if (!found || found->func() == nullptr) return Error{Phase::Unlinkable, "unknown function export"};
    FuncInst* func = found->func();
    const FuncType& type = *func->type;
    if (args.size() != type.params.size()) return Error{Phase::Trap, "wrong number of arguments"};
    const uint32_t param_cells = cell_count(type.params);
    const uint32_t result_cells = cell_count(type.results);
    std::vector<Cell> cells(std::max<size_t>({param_cells, result_cells, 1}), 0);
    Cell* cursor = cells.data();
    for (size_t i = 0; i < args.size(); ++i) {
      WASMRT_TRY(value_to_cells(args[i], type.params[i], cursor));
      cursor += cell_count(type.params[i]);
    }
    ExecContext& ctx = context();
    WASMRT_TRY(store_->call(ctx, func, cells.data()));
    std::vector<Value> results;
    cursor = cells.data();
    for (ValType result : type.results) {
      results.push_back(cells_to_value(result, cursor));
      cursor += cell_count(result);
    }
    return results;
  }

  Result<Value> get(InstanceId instance, std::string_view field) override {
    std::optional<Extern> found = instances_.at(instance)->find_export(field);
    if (!found || found->global() == nullptr) return Error{Phase::Unlinkable, "unknown global export"};
    const GlobalInst* global = found->global();
    return cells_to_value(global->type.type, global->value);
  }

 private:
  // The host module of the reference interpreter (spectest.ml).
  void define_spectest_module() {
    auto define_print = [&](const char* name, std::vector<ValType> params) {
      auto host = std::make_shared<HostFunc>();
      host->type.params = std::move(params);
      host->fn = [](HostCallContext&, const Cell*, Cell*) { return TrapCode::None; };
      registry_.define("spectest", name, Extern::of(store_->add_host_func(std::move(host))));
    };
    define_print("print", {});
    define_print("print_i32", {ValType::I32});
    define_print("print_i64", {ValType::I64});
    define_print("print_f32", {ValType::F32});
    define_print("print_f64", {ValType::F64});
    define_print("print_i32_f32", {ValType::I32, ValType::F32});
    define_print("print_f64_f64", {ValType::F64, ValType::F64});

    auto define_global = [&](const char* name, ValType type, Cell bits) {
      registry_.define("spectest", name, Extern::of(store_->add_global(GlobalType{type, false}, bits)));
    };
    define_global("global_i32", ValType::I32, 666);
    define_global("global_i64", ValType::I64, 666);
    float f32 = 666.6f;
    uint32_t f32_bits;
    std::memcpy(&f32_bits, &f32, 4);
    define_global("global_f32", ValType::F32, f32_bits);
    double f64 = 666.6;
    uint64_t f64_bits;
    std::memcpy(&f64_bits, &f64, 8);
    define_global("global_f64", ValType::F64, f64_bits);

    TableType table;
    table.elem = ValType::FuncRef;
    table.limits = Limits{10, 20, true};
    if (Result<TableInst*> added = store_->add_table(table); added.ok()) {
      registry_.define("spectest", "table", Extern::of(added.value()));
    }
    MemoryType memory;
    memory.limits = Limits{1, 2, true};
    if (Result<LinearMemory*> added = store_->add_memory(memory); added.ok()) {
      registry_.define("spectest", "memory", Extern::of(added.value()));
    }
  }

  ExecContext& context() {
    ExecContext& ctx = store_->exec_context();
    ctx.reset_trap();
    if (metered_) {
      ctx.fuel_enabled = true;
      ctx.fuel = INT64_MAX;
      ctx.interrupt = &never_interrupted_;
    }
    return ctx;
  }

  bool metered_;
  JitMode jit_;
  interp::TranslateOptions options_;
  interp::TierUpOptions tier_up_;
  InterruptState never_interrupted_;
  std::unique_ptr<ObjectStore> store_;
  ImportRegistry registry_;
  std::vector<StoreInstance*> instances_;
};

}  // namespace

std::unique_ptr<Engine> make_interp_engine(bool metered, bool lazy) {
  return std::make_unique<InterpEngine>(metered, JitMode::None, lazy);
}
std::unique_ptr<Engine> make_jit_engine(bool metered, JitMode mode, bool lazy) {
  return std::make_unique<InterpEngine>(metered, mode, lazy);
}

}  // namespace wasmrt::spectest
