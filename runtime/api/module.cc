// Public API v0: Module::compile and the module's descriptions. This is the
// one place that turns internal ModuleDesc data into the public, stable
// structs of wasmrt/wasmrt.h.
#include <string>
#include <utility>
#include <vector>

#include "jit/jit.h"
#include "runtime/binary/decoder.h"
#include "runtime/binary/module.h"
#include "runtime/binary/types.h"
#include "runtime/api/engine_state.h"
#include "runtime/api/module_impl.h"
#include "runtime/cache/code_cache.h"
#include "runtime/cache/cached_decode.h"
#include "runtime/store/compiled_module.h"
#include "runtime/text/wat.h"
#include "runtime/valid/validator.h"
#include "wasmrt/wasmrt.h"

namespace wasmrt {

namespace {

ExternalKind to_public_kind(ExternKind kind) {
  switch (kind) {
    case ExternKind::Func: return ExternalKind::Function;
    case ExternKind::Table: return ExternalKind::Table;
    case ExternKind::Memory: return ExternalKind::Memory;
    case ExternKind::Global: return ExternalKind::Global;
  }
  return ExternalKind::Function;
}

void append_limits(std::string& out, const Limits& limits) {
  out += ' ';
  out += std::to_string(limits.min);
  if (limits.has_max) {
    out += ' ';
    out += std::to_string(limits.max);
  }
}

std::string func_type_text(const FuncType& type) {
  std::string out = "(func";
  if (!type.params.empty()) {
    out += " (param";
    for (ValType t : type.params) (out += ' ') += valtype_name(t);
    out += ')';
  }
  if (!type.results.empty()) {
    out += " (result";
    for (ValType t : type.results) (out += ' ') += valtype_name(t);
    out += ')';
  }
  out += ')';
  return out;
}

std::string table_type_text(const TableType& type) {
  std::string out = "(table";
  append_limits(out, type.limits);
  (out += ' ') += valtype_name(type.elem);
  out += ')';
  return out;
}

std::string memory_type_text(const MemoryType& type) {
  std::string out = "(memory";
  append_limits(out, type.limits);
  out += ')';
  return out;
}

std::string global_type_text(const GlobalType& type) {
  std::string value(valtype_name(type.type));
  return type.is_mutable ? "(global (mut " + value + "))" : "(global " + value + ")";
}

// A function type by type index; the validator guarantees the index, but a
// description must never read out of bounds even if that changes.
std::string func_type_text_at(const ModuleDesc& module, uint32_t type_index) {
  if (type_index >= module.types.size()) return "(func ?)";
  return func_type_text(module.types[type_index]);
}

std::string import_type_text(const ModuleDesc& module, const Import& import) {
  switch (import.kind) {
    case ExternKind::Func: return func_type_text_at(module, import.func_type);
    case ExternKind::Table: return table_type_text(import.table);
    case ExternKind::Memory: return memory_type_text(import.memory);
    case ExternKind::Global: return global_type_text(import.global);
  }
  return "?";
}

std::string export_type_text(const ModuleDesc& module, const Export& exported) {
  const uint32_t i = exported.index;
  switch (exported.kind) {
    case ExternKind::Func:
      return i < module.funcs.size() ? func_type_text_at(module, module.funcs[i]) : "?";
    case ExternKind::Table: return i < module.tables.size() ? table_type_text(module.tables[i]) : "?";
    case ExternKind::Memory: return i < module.memories.size() ? memory_type_text(module.memories[i]) : "?";
    case ExternKind::Global: return i < module.globals.size() ? global_type_text(module.globals[i]) : "?";
  }
  return "?";
}

}  // namespace

std::string_view external_kind_name(ExternalKind kind) {
  switch (kind) {
    case ExternalKind::Function: return "func";
    case ExternalKind::Table: return "table";
    case ExternalKind::Memory: return "memory";
    case ExternalKind::Global: return "global";
  }
  return "?";
}

Module::Module(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Module::~Module() = default;

Result<std::shared_ptr<const Module>> Module::compile(std::span<const uint8_t> bytes) {
  return Engine().compile(bytes);
}

Engine::Engine() : Engine(EngineConfig{}) {}

namespace {

// Every EngineConfig field that changes what compiling a module produces
// (or, for the tier-up settings, which code a cached module could later
// hold), as text: two engines share cache entries only when these agree.
// Limits checked at instantiation or at run time are not here.
cache::Digest config_digest(const EngineConfig& config) {
  const std::string text = "tier=" + std::to_string(static_cast<int>(Engine::resolve(config.tier))) +
                           " lazy=" + std::to_string(config.lazy_compilation) +
                           " fuel=" + std::to_string(config.consume_fuel) +
                           " interruptible=" + std::to_string(config.interruptible) +
                           " guard_regions=" + std::to_string(config.memory_guard_regions) +
                           " tier_up_calls=" + std::to_string(config.tier_up_calls) +
                           " tier_up_back_edges=" + std::to_string(config.tier_up_back_edges) +
                           " tier_up_synchronous=" + std::to_string(config.tier_up_synchronous);
  return cache::sha256({{reinterpret_cast<const uint8_t*>(text.data()), text.size()}});
}

}  // namespace

Engine::Engine(EngineConfig config) : config_(config), state_(std::make_shared<api_detail::EngineState>()) {
  if (config_.kept_memory_reservations != 0) {
    state_->reservations = std::make_shared<ReservationPool>(config_.kept_memory_reservations);
  }
  if (!config_.cache_dir.empty()) {
    state_->code_cache =
        std::make_shared<cache::CodeCache>(config_.cache_dir, config_.cache_max_bytes, config_digest(config_));
  }
}

bool Engine::jit_available() { return jit::tier() != nullptr; }
bool Engine::optimizing_available() { return jit::optimizing_tier() != nullptr; }

ExecutionTier Engine::resolve(ExecutionTier tier) {
  if (tier != ExecutionTier::Auto) return tier;
  return jit_available() ? ExecutionTier::Jit : ExecutionTier::Interpreter;
}

namespace {

Error module_too_large(size_t size, size_t limit) {
  Error error;
  error.phase = Phase::Malformed;
  error.message = "module too large: " + std::to_string(size) + " bytes exceeds the host limit " +
                  resource_limit_name(ResourceLimit::ModuleBytes) + " = " + std::to_string(limit);
  error.limit = ResourceLimit::ModuleBytes;
  return error;
}

}  // namespace

Result<std::shared_ptr<const Module>> Engine::compile(std::span<const uint8_t> bytes) const {
  if (bytes.size() > config_.max_module_bytes) return module_too_large(bytes.size(), config_.max_module_bytes);
  if (looks_like_binary(bytes.data(), bytes.size()))
    return compile_binary(std::vector<uint8_t>(bytes.begin(), bytes.end()));
  std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  auto encoded = wat_to_binary(text);
  if (!encoded.ok()) return std::move(encoded).error();
  return compile_binary(std::move(encoded).value());
}

Result<std::shared_ptr<const Module>> Engine::compile(std::vector<uint8_t>&& bytes) const {
  if (!looks_like_binary(bytes.data(), bytes.size())) return compile(std::span<const uint8_t>(bytes));
  if (bytes.size() > config_.max_module_bytes) return module_too_large(bytes.size(), config_.max_module_bytes);
  return compile_binary(std::move(bytes));
}

Result<std::shared_ptr<const Module>> Engine::compile_binary(std::vector<uint8_t> binary) const {
  auto decoded = cache::decode_and_validate(std::move(binary), state_->code_cache.get());
  if (!decoded.ok()) return std::move(decoded).error();
  auto decoded_desc = std::make_shared<ModuleDesc>(std::move(decoded).value());
  // Translated once, here or on each function's first call (lazily), so
  // every instance (on any thread) shares the code.
  interp::TranslateOptions options;
  options.lazy = config_.lazy_compilation;
  options.fuel = config_.consume_fuel;
  options.interrupt_checks = config_.interruptible;
  const ExecutionTier tier = resolve(config_.tier);
  options.jit = tier == ExecutionTier::Baseline || tier == ExecutionTier::Optimizing;
  options.optimize = tier == ExecutionTier::Optimizing;
  interp::TierUpOptions tier_up;
  if (tier == ExecutionTier::Jit) {
    // Hot functions go to the optimizing tier where this build has one
    // (it gives the functions its lowering declines the baseline's code in
    // the same batch), else to the baseline, which is then also the
    // fallback for a batch the optimizing tier fails as a whole.
    const interp::Tier* baseline = jit::tier();
    if (baseline == nullptr) return Error{Phase::Invalid, "jit: no code generator for this architecture"};
    const interp::Tier* optimizing = jit::optimizing_tier();
    tier_up.target = optimizing != nullptr ? optimizing : baseline;
    tier_up.fallback = optimizing != nullptr ? baseline : nullptr;
    tier_up.enabled = true;
    tier_up.calls = config_.tier_up_calls;
    tier_up.back_edges = config_.tier_up_back_edges;
    tier_up.synchronous = config_.tier_up_synchronous;
  }
  auto compiled = compile_module(std::move(decoded_desc), options, tier_up);
  if (!compiled.ok()) return std::move(compiled).error();
  auto impl = std::make_unique<Module::Impl>();
  impl->compiled = std::move(compiled).value();

  const ModuleDesc& desc = impl->desc();
  impl->imports.reserve(desc.imports.size());
  for (const Import& import : desc.imports) {
    impl->imports.push_back(
        {import.module, import.name, to_public_kind(import.kind), import_type_text(desc, import)});
  }
  impl->exports.reserve(desc.exports.size());
  for (const Export& exported : desc.exports) {
    impl->exports.push_back(
        {exported.name, to_public_kind(exported.kind), exported.index, export_type_text(desc, exported)});
  }
  // The constructor is private, so make_shared cannot reach it.
  return std::shared_ptr<const Module>(new Module(std::move(impl)));
}

std::span<const ImportDescriptor> Module::imports() const { return impl_->imports; }
std::span<const ExportDescriptor> Module::exports() const { return impl_->exports; }
std::string_view Module::name() const { return impl_->desc().names.module_name; }

std::optional<std::string_view> Module::function_name(uint32_t function_index) const {
  const auto& functions = impl_->desc().names.functions;
  auto it = functions.find(function_index);
  if (it == functions.end()) return std::nullopt;
  return std::string_view(it->second);
}

std::optional<uint32_t> Module::start_function() const { return impl_->desc().start; }
uint32_t Module::function_count() const { return static_cast<uint32_t>(impl_->desc().funcs.size()); }
uint32_t Module::table_count() const { return static_cast<uint32_t>(impl_->desc().tables.size()); }
uint32_t Module::memory_count() const { return static_cast<uint32_t>(impl_->desc().memories.size()); }
uint32_t Module::global_count() const { return static_cast<uint32_t>(impl_->desc().globals.size()); }
std::span<const uint8_t> Module::binary() const { return impl_->desc().bytes; }

}  // namespace wasmrt
