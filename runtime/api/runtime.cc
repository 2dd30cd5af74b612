// Public API v1: Store, Linker, Instance and the object handles, on top of
// the internal ObjectStore (runtime/store/) and the interpreter.
#include <algorithm>
#include <exception>
#include <map>
#include <new>
#include <string>
#include <utility>

#include "runtime/api/engine_state.h"
#include "runtime/api/module_impl.h"
#include "runtime/binary/types.h"
#include "runtime/common/trap_codes.h"
#include "runtime/store/exec_context.h"
#include "runtime/store/objects.h"
#include "runtime/store/store.h"
#include "runtime/store/watchdog.h"
#include "wasmrt/wasmrt.h"

namespace wasmrt {

// The public and internal trap enumerations must stay in step.
#define WASMRT_TRAP(name, message)                                                    \
  static_assert(static_cast<int>(TrapKind::name) == static_cast<int>(TrapCode::name), \
                "TrapKind and TrapCode differ at " #name);
#include "runtime/common/trap_codes.def"
#undef WASMRT_TRAP

namespace api_detail {

struct InterruptSignal : InterruptState {};

struct StoreState : std::enable_shared_from_this<StoreState> {
  StoreState(const EngineConfig& engine_config, const EngineState* engine)
      : config(engine_config),
        objects(limits_from(engine_config, engine)),
        signal(std::make_shared<InterruptSignal>()) {
    objects.embedder_data = this;
  }

  static StoreLimits limits_from(const EngineConfig& config, const EngineState* engine) {
    StoreLimits limits;
    limits.max_memory_pages = std::min<uint64_t>(config.max_memory_pages, kMaxMemoryPages);
    limits.max_store_memory_pages = config.max_store_memory_pages;
    limits.max_table_elements = config.max_table_elements;
    limits.max_instances = config.max_instances;
    limits.max_memories = config.max_memories;
    limits.max_tables = config.max_tables;
    limits.stack_cells = std::max<size_t>(config.max_wasm_stack_bytes / sizeof(Cell), 1024);
    limits.max_call_depth = config.max_call_depth;
    limits.allow_guard_regions = config.memory_guard_regions;
    limits.memory_images = config.memory_images;
    if (engine != nullptr) limits.reservations = engine->reservations;
    return limits;
  }

  const EngineConfig config;
  ObjectStore objects;
  std::shared_ptr<InterruptSignal> signal;
  // One FuncInst per host function per store, however many instances
  // import it.
  std::map<const HostFunc*, FuncInst*> host_funcs;

  int64_t fuel = 0;  // between calls; the ExecContext holds it during one
  std::optional<std::chrono::nanoseconds> timeout;
  std::optional<std::chrono::steady_clock::time_point> deadline;
  CallStats last_stats;
  uint32_t active_calls = 0;  // nesting of top-level calls (host re-entry)
};

// Brackets one call into the store from the embedder (Func::call,
// Instance::call, the start function in Linker::instantiate): hands fuel and
// the interrupt state to the execution context, arms the deadline, and
// records the call's stats. Calls made by host functions during a call
// (re-entry) run inside the outer call's budget and deadline.
class CallScope {
 public:
  using Clock = std::chrono::steady_clock;

  explicit CallScope(StoreState& store) : store_(store), ctx_(store.objects.exec_context()) {
    outermost_ = store_.active_calls++ == 0;
    if (!outermost_) return;
    ctx_.fuel_enabled = store_.config.consume_fuel;
    ctx_.fuel = store_.fuel;
    ctx_.interrupt = store_.config.interruptible ? store_.signal.get() : nullptr;
    store_.objects.reset_peak_memory_pages();
    store_.objects.reset_refused_memory_grows();
    start_ = Clock::now();
    std::optional<Clock::time_point> deadline = store_.deadline;
    if (store_.timeout) {
      Clock::time_point by_timeout = start_ + std::chrono::duration_cast<Clock::duration>(*store_.timeout);
      if (!deadline || by_timeout < *deadline) deadline = by_timeout;
    }
    if (deadline) {
      if (!store_.config.interruptible) {
        refused_ = true;
        return;
      }
      if (*deadline <= start_) {
        store_.signal->trigger(InterruptState::kDeadline);
      } else {
        ticket_ = Watchdog::instance().arm(store_.signal, *deadline);
      }
    }
  }

  // A deadline needs interrupt checks compiled in; without them it could
  // never be enforced, so the call is refused instead of running unbounded.
  bool refused() const { return refused_; }

  ~CallScope() {
    --store_.active_calls;
    if (!outermost_) return;
    if (ticket_ != 0) Watchdog::instance().disarm(ticket_);
    // A deadline belongs to its call; an interrupt request is consumed by
    // the call it stopped (an unconsumed one stops the next call).
    uint32_t consumed = InterruptState::kDeadline;
    if (ctx_.trap == TrapCode::Interrupted) consumed |= InterruptState::kInterrupt;
    store_.signal->clear(consumed);
    CallStats stats;
    if (ctx_.fuel_enabled) {
      stats.fuel_used = static_cast<uint64_t>(store_.fuel - ctx_.fuel);
      store_.fuel = ctx_.fuel;
    }
    stats.peak_memory_pages = store_.objects.peak_memory_pages();
    stats.memory_grows_refused = store_.objects.refused_memory_grows();
    stats.wall_time = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start_);
    store_.last_stats = stats;
  }

  CallScope(const CallScope&) = delete;
  CallScope& operator=(const CallScope&) = delete;

 private:
  StoreState& store_;
  ExecContext& ctx_;
  bool outermost_ = false;
  bool refused_ = false;
  uint64_t ticket_ = 0;
  Clock::time_point start_;
};

}  // namespace api_detail

using api_detail::CallScope;
using api_detail::StoreState;

namespace {

ValType to_internal(ValueType type) {
  switch (type) {
    case ValueType::I32: return ValType::I32;
    case ValueType::I64: return ValType::I64;
    case ValueType::F32: return ValType::F32;
    case ValueType::F64: return ValType::F64;
    case ValueType::V128: return ValType::V128;
    case ValueType::FuncRef: return ValType::FuncRef;
    case ValueType::ExternRef: return ValType::ExternRef;
  }
  return ValType::I32;
}

ValueType to_public(ValType type) {
  switch (type) {
    case ValType::I32: return ValueType::I32;
    case ValType::I64: return ValueType::I64;
    case ValType::F32: return ValueType::F32;
    case ValType::F64: return ValueType::F64;
    case ValType::V128: return ValueType::V128;
    case ValType::FuncRef: return ValueType::FuncRef;
    case ValType::ExternRef: return ValueType::ExternRef;
  }
  return ValueType::I32;
}

Error usage_error(std::string message) {
  return Error{Phase::Invalid, std::move(message)};
}

Error out_of_bounds(TrapCode code) {
  Error error{Phase::Trap, std::string(trap_message(code))};
  auto details = std::make_shared<TrapDetails>();
  details->kind = static_cast<TrapKind>(code);
  details->message = error.message;
  error.trap = std::move(details);
  return error;
}

// The trap recorded in `ctx`, with the backtrace named from name sections;
// or the guest's exit (Phase::Exit).
Error trap_error_with_details(const ExecContext& ctx) {
  if (ctx.trap == TrapCode::Exit) {
    Error exit{Phase::Exit, "exit status " + std::to_string(ctx.exit_code)};
    exit.exit_code = ctx.exit_code;
    return exit;
  }
  Error error = trap_error(ctx);
  auto details = std::make_shared<TrapDetails>();
  details->kind = static_cast<TrapKind>(ctx.trap);
  details->message = error.message;
  details->frames_omitted = ctx.backtrace_omitted;
  for (const wasmrt::TrapFrame& frame : ctx.backtrace) {
    BacktraceFrame out;
    out.function_index = frame.func_index;
    out.is_host = frame.instance == nullptr;
    if (frame.instance != nullptr && frame.instance->module != nullptr) {
      const NameSection& names = frame.instance->module->names;
      out.module_name = names.module_name;
      auto it = names.functions.find(frame.func_index);
      if (it != names.functions.end()) out.function_name = it->second;
    }
    details->backtrace.push_back(std::move(out));
  }
  error.trap = std::move(details);
  return error;
}

Value value_from_cells(ValType type, const Cell* cells) {
  return Value::from_bits(to_public(type), canonical_cell(type, cells[0]), type == ValType::V128 ? cells[1] : 0);
}

void value_to_cells(const Value& value, Cell* cells) {
  cells[0] = value.low_bits();
  if (value.type() == ValueType::V128) cells[1] = value.high_bits();
}

std::shared_ptr<HostFunc> to_internal(HostFunction function) {
  auto host = std::make_shared<HostFunc>();
  for (ValueType t : function.signature.params) host->type.params.push_back(to_internal(t));
  for (ValueType t : function.signature.results) host->type.results.push_back(to_internal(t));
  host->fn = [callback = std::move(function.callback)](HostCallContext& call, const Cell* args,
                                                       Cell* results) -> TrapCode {
    HostContext ctx(&call);
    callback(ctx, args, results);
    if (ctx.exited()) {
      call.exec->exited = true;
      call.exec->exit_code = ctx.exit_code();
      call.exec->set_trap(TrapCode::Exit);
      return TrapCode::Exit;
    }
    if (ctx.trapped()) return call.trap(ctx.trap_message());
    return TrapCode::None;
  };
  return host;
}

Result<std::vector<Value>> call_func(StoreState& store, FuncInst* f, std::span<const Value> args) {
  const FuncType& type = *f->type;
  if (args.size() != type.params.size()) {
    return usage_error("argument count mismatch: expected " + std::to_string(type.params.size()) + ", got " +
                       std::to_string(args.size()));
  }
  for (size_t i = 0; i < args.size(); ++i) {
    if (to_internal(args[i].type()) != type.params[i]) {
      return usage_error("argument type mismatch at " + std::to_string(i) + ": expected " +
                         std::string(valtype_name(type.params[i])) + ", got " +
                         std::string(value_type_name(args[i].type())));
    }
  }
  const uint32_t param_cells = cell_count(type.params);
  const uint32_t result_cells = cell_count(type.results);
  std::vector<Cell> cells(std::max<uint32_t>(std::max(param_cells, result_cells), 1));
  uint32_t at = 0;
  for (const Value& arg : args) {
    value_to_cells(arg, &cells[at]);
    at += cell_count(to_internal(arg.type()));
  }
  CallScope scope(store);
  if (scope.refused()) return usage_error("a timeout or deadline needs an engine with interruptible = true");
  ExecContext& ctx = store.objects.exec_context();
  Result<void> ran = store.objects.call(ctx, f, cells.data());
  if (!ran.ok()) return trap_error_with_details(ctx);
  std::vector<Value> results;
  results.reserve(type.results.size());
  at = 0;
  for (ValType t : type.results) {
    results.push_back(value_from_cells(t, &cells[at]));
    at += cell_count(t);
  }
  return results;
}

// A WASI reactor (e.g. Go's -buildmode=c-shared) must run `_initialize`
// before any other export; a command (`_start`) initializes itself.
Result<void> run_reactor_initialize(StoreState& state, const StoreInstance& made) {
  std::optional<Extern> initialize = made.find_export("_initialize");
  if (!initialize || initialize->kind != ExternKind::Func || made.find_export("_start")) return ok();
  FuncInst* f = initialize->func();
  if (!f->type->params.empty() || !f->type->results.empty()) {
    return Error{Phase::Unlinkable, "_initialize must have type [] -> []"};
  }
  auto ran = call_func(state, f, {});
  if (!ran.ok()) return std::move(ran).error();
  return ok();
}

}  // namespace

std::string_view value_type_name(ValueType type) {
  return valtype_name(to_internal(type));
}

std::string Value::to_string() const {
  char buffer[64];
  switch (type_) {
    case ValueType::I32: std::snprintf(buffer, sizeof buffer, "i32:%d", i32()); break;
    case ValueType::I64:
      std::snprintf(buffer, sizeof buffer, "i64:%lld", static_cast<long long>(i64()));
      break;
    case ValueType::F32: std::snprintf(buffer, sizeof buffer, "f32:%.9g", static_cast<double>(f32())); break;
    case ValueType::F64: std::snprintf(buffer, sizeof buffer, "f64:%.17g", f64()); break;
    case ValueType::V128:
      std::snprintf(buffer, sizeof buffer, "v128:0x%016llx%016llx", static_cast<unsigned long long>(bits_[1]),
                    static_cast<unsigned long long>(bits_[0]));
      break;
    case ValueType::FuncRef:
      if (bits_[0] == 0) return "funcref:null";
      return "funcref";
    case ValueType::ExternRef:
      if (bits_[0] == 0) return "externref:null";
      std::snprintf(buffer, sizeof buffer, "externref:%llu", static_cast<unsigned long long>(bits_[0]));
      break;
  }
  return buffer;
}

std::string FuncSignature::to_string() const {
  std::string out = "(func";
  if (!params.empty()) {
    out += " (param";
    for (ValueType t : params) (out += ' ') += value_type_name(t);
    out += ')';
  }
  if (!results.empty()) {
    out += " (result";
    for (ValueType t : results) (out += ' ') += value_type_name(t);
    out += ')';
  }
  return out + ')';
}

std::string TrapDetails::to_string() const {
  std::string out = "trap: " + message;
  for (size_t i = 0; i < backtrace.size(); ++i) {
    const BacktraceFrame& frame = backtrace[i];
    out += "\n  #" + std::to_string(i) + " ";
    if (frame.is_host) {
      out += "<host function>";
      continue;
    }
    if (!frame.module_name.empty()) out += frame.module_name + "!";
    out += frame.function_name.empty() ? "func[" + std::to_string(frame.function_index) + "]"
                                       : "$" + frame.function_name;
  }
  if (frames_omitted != 0) out += "\n  (" + std::to_string(frames_omitted) + " more frames omitted)";
  return out;
}

// ---- HostContext ----------------------------------------------------------

std::span<uint8_t> HostContext::memory(uint32_t index) const {
  LinearMemory* memory = static_cast<HostCallContext*>(internal_)->memory(index);
  if (memory == nullptr) return {};
  return {memory->base(), static_cast<size_t>(memory->size_bytes())};
}

bool HostContext::read(uint64_t address, std::span<uint8_t> out) const {
  LinearMemory* memory = static_cast<HostCallContext*>(internal_)->memory(0);
  if (memory == nullptr || !memory->check_range(address, out.size())) return false;
  if (!out.empty()) std::memcpy(out.data(), memory->base() + address, out.size());
  return true;
}

bool HostContext::write(uint64_t address, std::span<const uint8_t> bytes) const {
  LinearMemory* memory = static_cast<HostCallContext*>(internal_)->memory(0);
  if (memory == nullptr || !memory->check_range(address, bytes.size())) return false;
  if (!bytes.empty()) std::memcpy(memory->base() + address, bytes.data(), bytes.size());
  return true;
}

namespace {

InterruptState* interrupt_state(void* internal) {
  ExecContext* exec = static_cast<HostCallContext*>(internal)->exec;
  return exec != nullptr ? exec->interrupt : nullptr;
}

}  // namespace

bool HostContext::interrupted() const {
  InterruptState* state = interrupt_state(internal_);
  return state != nullptr && state->pending() != 0;
}

bool HostContext::sleep_for(std::chrono::nanoseconds duration) const {
  InterruptState* state = interrupt_state(internal_);
  if (state != nullptr) return state->sleep_for(duration);
  // Not interruptible: a plain sleep (the engine has interruptible off).
  InterruptState never;
  return never.sleep_for(duration);
}

int HostContext::interrupt_fd() const {
  InterruptState* state = interrupt_state(internal_);
  return state != nullptr ? state->wake_fd() : -1;
}

void HostContext::exit(int32_t code) {
  exited_ = true;
  exit_code_ = code;
}

namespace {

// The calling instance's export `name` of `kind`, and its store's state.
std::optional<Extern> caller_export(void* internal, std::string_view name, ExternKind kind,
                                    std::shared_ptr<StoreState>& store) {
  auto* call = static_cast<HostCallContext*>(internal);
  if (call->caller == nullptr || call->caller->host_data == nullptr) return std::nullopt;
  auto* instance = static_cast<StoreInstance*>(call->caller->host_data);
  if (instance->owner == nullptr || instance->owner->embedder_data == nullptr) return std::nullopt;
  std::optional<Extern> found = instance->find_export(name);
  if (!found || found->kind != kind) return std::nullopt;
  // The embedder's call holds the store alive, so this cannot fail.
  store = static_cast<StoreState*>(instance->owner->embedder_data)->shared_from_this();
  return found;
}

}  // namespace

std::optional<Func> HostContext::caller_func(std::string_view name) const {
  std::shared_ptr<StoreState> store;
  std::optional<Extern> found = caller_export(internal_, name, ExternKind::Func, store);
  if (!found) return std::nullopt;
  Func out;
  out.store_ = std::move(store);
  out.func_ = found->object;
  return out;
}

std::optional<Memory> HostContext::caller_memory(std::string_view name) const {
  std::shared_ptr<StoreState> store;
  std::optional<Extern> found = caller_export(internal_, name, ExternKind::Memory, store);
  if (!found) return std::nullopt;
  Memory out;
  out.store_ = std::move(store);
  out.memory_ = found->object;
  return out;
}

void HostContext::trap(std::string message) {
  trapped_ = true;
  trap_message_ = std::move(message);
}

// ---- Store ----------------------------------------------------------------

Store::Store(const Engine& engine)
    : state_(std::make_shared<StoreState>(engine.config(), engine.state().get())) {}
Store::Store() : state_(std::make_shared<StoreState>(EngineConfig{}, nullptr)) {}

Result<void> Store::set_fuel(uint64_t fuel) {
  if (!state_->config.consume_fuel) return usage_error("fuel metering is off (EngineConfig::consume_fuel)");
  state_->fuel = static_cast<int64_t>(std::min<uint64_t>(fuel, INT64_MAX));
  return ok();
}

Result<void> Store::add_fuel(uint64_t fuel) {
  if (!state_->config.consume_fuel) return usage_error("fuel metering is off (EngineConfig::consume_fuel)");
  const uint64_t room = static_cast<uint64_t>(INT64_MAX - state_->fuel);
  state_->fuel += static_cast<int64_t>(std::min(fuel, room));
  return ok();
}

std::optional<uint64_t> Store::fuel() const {
  if (!state_->config.consume_fuel) return std::nullopt;
  return static_cast<uint64_t>(state_->fuel);
}

InterruptHandle Store::interrupt_handle() const {
  InterruptHandle handle;
  handle.signal_ = state_->signal;
  return handle;
}

void InterruptHandle::interrupt() const {
  if (signal_ != nullptr) signal_->trigger(InterruptState::kInterrupt);
}

void Store::set_timeout(std::optional<std::chrono::nanoseconds> timeout) {
  state_->timeout = timeout;
}

void Store::set_deadline(std::optional<std::chrono::steady_clock::time_point> deadline) {
  state_->deadline = deadline;
}

CallStats Store::last_call_stats() const {
  return state_->last_stats;
}

uint64_t Store::memory_pages() const {
  return state_->objects.memory_pages();
}

// ---- Func -----------------------------------------------------------------

FuncSignature Func::signature() const {
  FuncSignature out;
  if (func_ == nullptr) return out;
  const FuncType& type = *static_cast<FuncInst*>(func_)->type;
  for (ValType t : type.params) out.params.push_back(to_public(t));
  for (ValType t : type.results) out.results.push_back(to_public(t));
  return out;
}

Result<std::vector<Value>> Func::call(std::span<const Value> args) const {
  if (func_ == nullptr) return usage_error("call of an empty Func handle");
  return call_func(*store_, static_cast<FuncInst*>(func_), args);
}

FuncRef Func::ref() const {
  return FuncRef{funcref_cell(static_cast<FuncInst*>(func_))};
}

// ---- Memory ---------------------------------------------------------------

uint64_t Memory::size_bytes() const {
  return memory_ ? static_cast<LinearMemory*>(memory_)->size_bytes() : 0;
}
uint64_t Memory::pages() const {
  return memory_ ? static_cast<LinearMemory*>(memory_)->pages() : 0;
}

std::optional<uint64_t> Memory::grow(uint64_t delta_pages) const {
  if (memory_ == nullptr) return std::nullopt;
  int64_t old = static_cast<LinearMemory*>(memory_)->grow(delta_pages);
  if (old < 0) return std::nullopt;
  return static_cast<uint64_t>(old);
}

Result<void> Memory::read(uint64_t address, std::span<uint8_t> out) const {
  auto* memory = static_cast<LinearMemory*>(memory_);
  if (memory == nullptr || !memory->check_range(address, out.size())) {
    return out_of_bounds(TrapCode::MemoryOutOfBounds);
  }
  if (!out.empty()) std::memcpy(out.data(), memory->base() + address, out.size());
  return ok();
}

Result<void> Memory::write(uint64_t address, std::span<const uint8_t> bytes) const {
  auto* memory = static_cast<LinearMemory*>(memory_);
  if (memory == nullptr || !memory->check_range(address, bytes.size())) {
    return out_of_bounds(TrapCode::MemoryOutOfBounds);
  }
  if (!bytes.empty()) std::memcpy(memory->base() + address, bytes.data(), bytes.size());
  return ok();
}

std::span<uint8_t> Memory::data() const {
  auto* memory = static_cast<LinearMemory*>(memory_);
  if (memory == nullptr) return {};
  return {memory->base(), static_cast<size_t>(memory->size_bytes())};
}

// ---- Global ---------------------------------------------------------------

ValueType Global::type() const {
  return to_public(static_cast<GlobalInst*>(global_)->type.type);
}
bool Global::is_mutable() const {
  return static_cast<GlobalInst*>(global_)->type.is_mutable;
}

Value Global::get() const {
  auto* g = static_cast<GlobalInst*>(global_);
  return value_from_cells(g->type.type, g->value);
}

Result<void> Global::set(const Value& value) const {
  auto* g = static_cast<GlobalInst*>(global_);
  if (g == nullptr) return usage_error("set of an empty Global handle");
  if (!g->type.is_mutable) return usage_error("global is immutable");
  if (to_internal(value.type()) != g->type.type) return usage_error("global type mismatch");
  value_to_cells(value, g->value);
  return ok();
}

// ---- Table ----------------------------------------------------------------

ValueType Table::element_type() const {
  return to_public(static_cast<TableInst*>(table_)->elem);
}
uint32_t Table::size() const {
  return table_ ? static_cast<TableInst*>(table_)->size() : 0;
}

Result<Value> Table::get(uint32_t index) const {
  auto* t = static_cast<TableInst*>(table_);
  if (t == nullptr || index >= t->elems.size()) return out_of_bounds(TrapCode::TableOutOfBounds);
  return Value::from_bits(to_public(t->elem), t->elems[index]);
}

Result<void> Table::set(uint32_t index, const Value& value) const {
  auto* t = static_cast<TableInst*>(table_);
  if (t == nullptr || index >= t->elems.size()) return out_of_bounds(TrapCode::TableOutOfBounds);
  if (to_internal(value.type()) != t->elem) return usage_error("table element type mismatch");
  t->elems[index] = value.low_bits();
  return ok();
}

// ---- Instance -------------------------------------------------------------

namespace {

std::optional<Extern> find_export(void* instance, std::string_view name) {
  if (instance == nullptr) return std::nullopt;
  return static_cast<StoreInstance*>(instance)->find_export(name);
}

}  // namespace

Result<std::vector<Value>> Instance::call(std::string_view name, std::span<const Value> args) const {
  std::optional<Extern> e = find_export(instance_, name);
  if (!e || e->kind != ExternKind::Func) {
    return Error{Phase::Unlinkable, "unknown export \"" + std::string(name) + "\" (no such function)"};
  }
  return call_func(*store_, e->func(), args);
}

std::optional<Func> Instance::func(std::string_view name) const {
  std::optional<Extern> e = find_export(instance_, name);
  if (!e || e->kind != ExternKind::Func) return std::nullopt;
  Func out;
  out.store_ = store_;
  out.func_ = e->object;
  return out;
}

std::optional<Memory> Instance::memory(std::string_view name) const {
  std::optional<Extern> e = find_export(instance_, name);
  if (!e || e->kind != ExternKind::Memory) return std::nullopt;
  Memory out;
  out.store_ = store_;
  out.memory_ = e->object;
  return out;
}

std::optional<Global> Instance::global(std::string_view name) const {
  std::optional<Extern> e = find_export(instance_, name);
  if (!e || e->kind != ExternKind::Global) return std::nullopt;
  Global out;
  out.store_ = store_;
  out.global_ = e->object;
  return out;
}

std::optional<Table> Instance::table(std::string_view name) const {
  std::optional<Extern> e = find_export(instance_, name);
  if (!e || e->kind != ExternKind::Table) return std::nullopt;
  Table out;
  out.store_ = store_;
  out.table_ = e->object;
  return out;
}

std::vector<std::string> Instance::export_names() const {
  std::vector<std::string> out;
  if (instance_ == nullptr) return out;
  for (const auto& [name, value] : static_cast<StoreInstance*>(instance_)->exports) out.push_back(name);
  return out;
}

// ---- Linker ---------------------------------------------------------------

struct Linker::Impl {
  struct Definition {
    std::shared_ptr<HostFunc> host;     // a host function (any store), or
    std::shared_ptr<StoreState> store;  // an object of this store
    Extern object;
  };
  std::map<std::pair<std::string, std::string>, Definition> defs;

  void add(std::string_view module, std::string_view name, Definition def) {
    defs[{std::string(module), std::string(name)}] = std::move(def);
  }
};

Linker::Linker() : impl_(std::make_unique<Impl>()) {}
Linker::~Linker() = default;
Linker::Linker(const Linker& other) : impl_(std::make_unique<Impl>(*other.impl_)) {}
Linker& Linker::operator=(const Linker& other) {
  if (this != &other) impl_ = std::make_unique<Impl>(*other.impl_);
  return *this;
}

Linker& Linker::define(std::string_view module, std::string_view name, HostFunction function) {
  impl_->add(module, name, Impl::Definition{to_internal(std::move(function)), nullptr, {}});
  return *this;
}

Linker& Linker::define(std::string_view module, std::string_view name, const Func& func) {
  impl_->add(module, name,
             Impl::Definition{nullptr, func.store_, Extern::of(static_cast<FuncInst*>(func.func_))});
  return *this;
}

Linker& Linker::define(std::string_view module, std::string_view name, const Memory& memory) {
  impl_->add(
      module, name,
      Impl::Definition{nullptr, memory.store_, Extern::of(static_cast<LinearMemory*>(memory.memory_))});
  return *this;
}

Linker& Linker::define(std::string_view module, std::string_view name, const Global& global) {
  impl_->add(module, name,
             Impl::Definition{nullptr, global.store_, Extern::of(static_cast<GlobalInst*>(global.global_))});
  return *this;
}

Linker& Linker::define(std::string_view module, std::string_view name, const Table& table) {
  impl_->add(module, name,
             Impl::Definition{nullptr, table.store_, Extern::of(static_cast<TableInst*>(table.table_))});
  return *this;
}

Linker& Linker::define_instance(std::string_view module, const Instance& instance) {
  if (instance.instance_ == nullptr) return *this;
  for (const auto& [name, value] : static_cast<StoreInstance*>(instance.instance_)->exports) {
    impl_->add(module, name, Impl::Definition{nullptr, instance.store_, value});
  }
  return *this;
}

Result<Instance> Linker::instantiate(Store& store, const std::shared_ptr<const Module>& module) const {
  if (module == nullptr) return Error{Phase::Unlinkable, "no module"};
  StoreState& state = *store.state_;
  const ModuleDesc& desc = module->impl().desc();
  std::vector<Extern> imports;
  imports.reserve(desc.imports.size());
  for (const Import& import : desc.imports) {
    auto it = impl_->defs.find({import.module, import.name});
    if (it == impl_->defs.end()) {
      return Error{Phase::Unlinkable, "unknown import \"" + import.module + "\".\"" + import.name + "\""};
    }
    const Impl::Definition& def = it->second;
    if (def.host != nullptr) {
      FuncInst*& f = state.host_funcs[def.host.get()];
      if (f == nullptr) f = state.objects.add_host_func(def.host);
      imports.push_back(Extern::of(f));
    } else if (def.store.get() != &state) {
      return Error{Phase::Unlinkable,
                   "import \"" + import.module + "\".\"" + import.name + "\" belongs to another store"};
    } else {
      imports.push_back(def.object);
    }
  }
  const CompiledModule& compiled = *module->impl().compiled;
  if (state.config.consume_fuel && !compiled.options.fuel) {
    return Error{Phase::Unlinkable,
                 "the store meters fuel but the module was compiled without it (compile it with an Engine "
                 "whose config has consume_fuel = true)"};
  }
  if (state.config.interruptible && !compiled.options.interrupt_checks) {
    return Error{Phase::Unlinkable,
                 "the store needs interrupt checks but the module was compiled without them (compile it with "
                 "an Engine whose config has interruptible = true)"};
  }
  CallScope scope(state);
  if (scope.refused()) return usage_error("a timeout or deadline needs an engine with interruptible = true");
  ExecContext& ctx = state.objects.exec_context();
  auto created = state.objects.instantiate(module->impl().compiled, imports, ctx);
  if (!created.ok()) {
    if (created.error().phase == Phase::Trap) return trap_error_with_details(ctx);
    return std::move(created).error();
  }
  Instance out;
  out.store_ = store.state_;
  out.instance_ = created.value();
  out.module_ = module;
  WASMRT_TRY(run_reactor_initialize(state, *created.value()));
  return out;
}

Result<void> api_detail::reset_pooled_instance(StoreState& state, void* instance) {
  // As a new store starts: nothing carried over from the last request.
  state.fuel = 0;
  state.timeout.reset();
  state.deadline.reset();
  state.last_stats = CallStats{};
  // A fresh signal, not a cleared one: an InterruptHandle the last
  // request took keeps the old one, and can no longer stop this one.
  state.signal = std::make_shared<api_detail::InterruptSignal>();
  auto& made = *static_cast<StoreInstance*>(instance);
  // Runs when a lease is released, often from its destructor: running out
  // of host memory is an error (the pool discards the instance), never an
  // exception.
  try {
    {
      CallScope scope(state);
      ExecContext& ctx = state.objects.exec_context();
      auto reset = state.objects.reset_instance(made, ctx);
      if (!reset.ok()) {
        if (reset.error().phase == Phase::Trap) return trap_error_with_details(ctx);
        return std::move(reset).error();
      }
    }
    return run_reactor_initialize(state, made);
  } catch (const std::bad_alloc&) {
    return Error{Phase::Unlinkable, "out of host memory while resetting a pooled instance"};
  }
}

}  // namespace wasmrt
