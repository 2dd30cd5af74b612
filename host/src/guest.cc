#include "plugin_host/guest.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include "wasmrt/wasi.h"

namespace wasmrt::plugin {
namespace {

constexpr std::string_view kSetErrorModule = "wasmrt";
constexpr std::string_view kSetErrorName = "set_error";
// Stderr is kept only as an application error's message: bounded so that a
// guest writing to it forever costs nothing but its own time.
constexpr std::size_t kMaxStderrBytes = 16 * 1024;
constexpr std::size_t kMaxErrorMessageBytes = 16 * 1024;
constexpr uint32_t kWasiErrnoBadf = 8;
constexpr uint32_t kWasiErrnoFault = 21;

// What the host functions of one request collect. Shared with the linker's
// callbacks, which may outlive run_guest's frame inside the instance.
struct RequestIo {
  std::size_t max_output_bytes = 0;
  std::string output;
  std::string errors;
  bool output_overflow = false;
  bool app_error = false;
  int32_t app_code = 0;
  std::string app_message;
};

bool export_has_type(const Module& module, std::string_view name, ExternalKind kind, std::string_view type) {
  for (const auto& e : module.exports()) {
    if (e.name == name && e.kind == kind) return type.empty() || e.type == type;
  }
  return false;
}

// fd_write for the guest's stdout and stderr, replacing WASI's own so that
// the host can bound the output while it is produced: a guest writing
// forever is stopped at max_output_bytes instead of filling host memory.
// Command guests get no preopened directories, so fds 1 and 2 are the only
// ones a guest could write.
void define_bounded_stdio(Linker& linker, const std::shared_ptr<RequestIo>& io) {
  linker.define(
      "wasi_snapshot_preview1", "fd_write",
      [io](HostContext& ctx, int32_t fd, uint32_t iovs, uint32_t iovs_len, uint32_t nwritten_at) -> int32_t {
        if (fd != 1 && fd != 2) return kWasiErrnoBadf;
        uint64_t written = 0;
        for (uint32_t i = 0; i < iovs_len; ++i) {
          uint32_t iov[2];
          if (!ctx.load(uint64_t{iovs} + 8ull * i, iov)) return kWasiErrnoFault;
          auto memory = ctx.memory();
          if (uint64_t{iov[0]} + iov[1] > memory.size()) return kWasiErrnoFault;
          const char* bytes = reinterpret_cast<const char*>(memory.data()) + iov[0];
          if (fd == 1) {
            if (io->output.size() + iov[1] > io->max_output_bytes) {
              io->output_overflow = true;
              ctx.trap("the guest's output passed max_output_bytes");
              return 0;
            }
            io->output.append(bytes, iov[1]);
          } else {
            std::size_t room = kMaxStderrBytes - std::min(kMaxStderrBytes, io->errors.size());
            io->errors.append(bytes, std::min<std::size_t>(room, iov[1]));
          }
          written += iov[1];
        }
        if (!ctx.store(nwritten_at, static_cast<uint32_t>(written))) return kWasiErrnoFault;
        return 0;
      });
}

void define_error_channel(Linker& linker, const std::shared_ptr<RequestIo>& io) {
  linker.define(
      kSetErrorModule, kSetErrorName, [io](HostContext& ctx, int32_t code, uint32_t at, uint32_t length) {
        std::string message(std::min<std::size_t>(length, kMaxErrorMessageBytes), '\0');
        if (!ctx.read(at, std::span<uint8_t>(reinterpret_cast<uint8_t*>(message.data()), message.size()))) {
          ctx.trap("wasmrt.set_error: the message lies outside the guest's memory");
          return;
        }
        io->app_error = true;
        io->app_code = code;
        io->app_message = std::move(message);
      });
}

const char* trap_kind_name(TrapKind kind) {
  switch (kind) {
    case TrapKind::None: return "none";
    case TrapKind::Unreachable: return "unreachable";
    case TrapKind::MemoryOutOfBounds: return "memory_out_of_bounds";
    case TrapKind::TableOutOfBounds: return "table_out_of_bounds";
    case TrapKind::IndirectCallTypeMismatch: return "indirect_call_type_mismatch";
    case TrapKind::UndefinedElement: return "undefined_element";
    case TrapKind::UninitializedElement: return "uninitialized_element";
    case TrapKind::IntegerDivideByZero: return "integer_divide_by_zero";
    case TrapKind::IntegerOverflow: return "integer_overflow";
    case TrapKind::InvalidConversionToInteger: return "invalid_conversion_to_integer";
    case TrapKind::CallStackExhausted: return "call_stack_exhausted";
    case TrapKind::OutOfFuel: return "out_of_fuel";
    case TrapKind::Interrupted: return "interrupted";
    case TrapKind::DeadlineExceeded: return "deadline_exceeded";
    case TrapKind::HostError: return "host_error";
    case TrapKind::Exit: return "exit";
  }
  return "unknown";
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  return text;
}

void classify_failure(const wasmrt::Error& error, const RequestIo& io, const RunLimits& limits, GuestAbi abi,
                      GuestResult& out) {
  // The guest sees a refused memory.grow only as -1 and then fails its own
  // way (Go: "cannot allocate memory" and exit status 2; C: a null malloc
  // and whatever follows), so a failure after the caps refused a grow is
  // the cap's doing (CallStats::memory_grows_refused).
  const bool cap_refused_a_grow = out.memory_grows_refused > 0;
  out.message = error.to_string();
  if (io.output_overflow) {
    out.kind = OutcomeKind::OutputCap;
    out.message =
        "the guest's output passed max_output_bytes (" + std::to_string(limits.max_output_bytes) + ")";
    return;
  }
  if (error.limit == ResourceLimit::MemoryPages || error.limit == ResourceLimit::StoreMemoryPages) {
    out.kind = OutcomeKind::MemoryCap;
    return;
  }
  if (error.phase == Phase::Exit) {
    if (io.app_error) {
      out.kind = OutcomeKind::ApplicationError;
      out.code = io.app_code;
      out.message = io.app_message;
    } else if (cap_refused_a_grow) {
      out.kind = OutcomeKind::MemoryCap;
      out.message = "the guest exited with status " + std::to_string(error.exit_code) +
                    " after its memory cap refused to grow it past " + std::to_string(out.peak_memory_pages) +
                    " of its " + std::to_string(limits.max_memory_pages) + " pages: " + trimmed(io.errors);
    } else if (abi == GuestAbi::Command) {
      out.kind = OutcomeKind::ApplicationError;
      out.code = error.exit_code;
      out.message = trimmed(io.errors);
    } else {
      out.kind = OutcomeKind::Trap;
      out.trap_kind = "exit";
      out.message =
          "the reactor exited with status " + std::to_string(error.exit_code) + ": " + trimmed(io.errors);
    }
    return;
  }
  if (error.phase == Phase::Trap && error.trap) {
    const TrapDetails& trap = *error.trap;
    out.trap_kind = trap_kind_name(trap.kind);
    out.message = trap.message;
    for (const auto& frame : trap.backtrace) {
      std::string line = "#";
      line += std::to_string(out.backtrace.size());
      line += ' ';
      if (frame.is_host) {
        line += "<host>";
      } else {
        line += frame.function_name.empty() ? "func " + std::to_string(frame.function_index)
                                            : "$" + frame.function_name;
      }
      out.backtrace.push_back(std::move(line));
    }
    if (trap.frames_omitted > 0)
      out.backtrace.push_back("... " + std::to_string(trap.frames_omitted) + " more frames");
    switch (trap.kind) {
      case TrapKind::OutOfFuel: out.kind = OutcomeKind::Fuel; return;
      case TrapKind::DeadlineExceeded: out.kind = OutcomeKind::Deadline; return;
      case TrapKind::Interrupted: out.kind = OutcomeKind::Interrupted; return;
      default: out.kind = cap_refused_a_grow ? OutcomeKind::MemoryCap : OutcomeKind::Trap; return;
    }
  }
  out.kind = OutcomeKind::Trap;
  out.trap_kind = error.phase == Phase::Unlinkable ? "unlinkable" : phase_name(error.phase);
  out.unlinkable = error.phase == Phase::Unlinkable && error.limit == ResourceLimit::None;
}

std::optional<uint64_t> remaining_fuel(const Store& store) {
  return store.fuel();
}

}  // namespace

const char* guest_abi_name(GuestAbi abi) {
  return abi == GuestAbi::Command ? "command" : "reactor";
}

Expected<GuestAbi> detect_abi(const Module& module) {
  if (export_has_type(module, "_start", ExternalKind::Function, "")) return GuestAbi::Command;
  std::vector<std::string> missing;
  if (!export_has_type(module, "memory", ExternalKind::Memory, "")) missing.push_back("memory");
  if (!export_has_type(module, "alloc", ExternalKind::Function, "(func (param i32) (result i32))"))
    missing.push_back("alloc (func (param i32) (result i32))");
  if (!export_has_type(module, "handle", ExternalKind::Function, "(func (param i32 i32) (result i64))"))
    missing.push_back("handle (func (param i32 i32) (result i64))");
  if (missing.empty()) return GuestAbi::Reactor;
  std::string message = "neither a command (no _start export) nor a reactor (missing";
  for (const auto& what : missing) message += " " + what + ",";
  message.back() = ')';
  return Error{ErrorCode::UnsupportedAbi, message};
}

GuestResult run_guest(const Engine& engine, const std::shared_ptr<const Module>& module, GuestAbi abi,
                      const RunLimits& limits, const GuestRequest& request,
                      const std::function<void(const InterruptHandle&)>& on_store) {
  GuestResult out;
  auto io = std::make_shared<RequestIo>();
  io->max_output_bytes = limits.max_output_bytes;

  Store store(engine);
  if (auto set = store.set_fuel(limits.fuel); !set.ok()) {
    out.kind = OutcomeKind::Trap;
    out.stage = GuestStage::Instantiate;
    out.message = "the engine does not meter fuel: " + set.error().to_string();
    return out;
  }
  // One deadline for the whole request (instantiation, _initialize and
  // every call), not a timeout per call.
  store.set_deadline(std::chrono::steady_clock::now() + limits.deadline);
  if (on_store) on_store(store.interrupt_handle());

  WasiConfig config;
  config.args = {request.program_name};
  for (const auto& [name, value] : request.env) config.env.push_back(name + "=" + value);
  auto input = std::make_shared<std::string>(request.input);
  config.stdin_stream = WasiStdio::memory(input);
  auto wasi = Wasi::create(std::move(config));
  if (!wasi.ok()) {
    out.kind = OutcomeKind::Trap;
    out.stage = GuestStage::Instantiate;
    out.message = "WASI: " + wasi.error().to_string();
    return out;
  }
  Linker linker;
  (*wasi)->define(linker);
  define_bounded_stdio(linker, io);
  define_error_channel(linker, io);

  // After every call into the guest (each is a top-level call with its own
  // CallStats), instantiation included.
  auto account = [&] {
    out.peak_memory_pages =
        std::max({out.peak_memory_pages, store.last_call_stats().peak_memory_pages, store.memory_pages()});
    out.memory_grows_refused += store.last_call_stats().memory_grows_refused;
    out.fuel_used = limits.fuel - std::min(limits.fuel, remaining_fuel(store).value_or(limits.fuel));
  };
  auto fail = [&](const wasmrt::Error& error, GuestStage stage) {
    account();
    out.stage = stage;
    classify_failure(error, *io, limits, abi, out);
    return out;
  };

  auto instance = linker.instantiate(store, module);
  if (!instance.ok()) return fail(instance.error(), GuestStage::Instantiate);
  account();

  if (abi == GuestAbi::Command) {
    auto run = instance->call("_start", {});
    if (!run.ok() && !(run.error().phase == Phase::Exit && run.error().exit_code == 0 && !io->app_error))
      return fail(run.error(), GuestStage::Call);
    account();
    if (io->app_error) {
      out.kind = OutcomeKind::ApplicationError;
      out.code = io->app_code;
      out.message = io->app_message;
      return out;
    }
    out.output = std::move(io->output);
    return out;
  }

  // Reactor: the request body goes through the guest's own allocator.
  const auto length = static_cast<uint32_t>(request.input.size());
  auto at = instance->call("alloc", {Value::i32(static_cast<int32_t>(length))});
  if (!at.ok()) return fail(at.error(), GuestStage::Call);
  account();
  const auto address = static_cast<uint32_t>(at->front().i32());
  auto memory = instance->memory();
  auto in = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(request.input.data()), length);
  if (!memory || !memory->write(address, in).ok()) {
    out.kind = OutcomeKind::Trap;
    out.trap_kind = "bad_alloc_result";
    out.message = "alloc returned an address outside the guest's memory";
    return out;
  }
  auto handled = instance->call(
      "handle", {Value::i32(static_cast<int32_t>(address)), Value::i32(static_cast<int32_t>(length))});
  if (!handled.ok()) return fail(handled.error(), GuestStage::Call);
  account();
  if (io->app_error) {
    out.kind = OutcomeKind::ApplicationError;
    out.code = io->app_code;
    out.message = io->app_message;
    return out;
  }
  const auto packed = static_cast<uint64_t>(handled->front().i64());
  const auto response_at = static_cast<uint32_t>(packed >> 32);
  const auto response_length = static_cast<uint32_t>(packed);
  if (response_length > limits.max_output_bytes) {
    out.kind = OutcomeKind::OutputCap;
    out.message =
        "the guest's output passed max_output_bytes (" + std::to_string(limits.max_output_bytes) + ")";
    return out;
  }
  std::string response(response_length, '\0');
  if (!memory
           ->read(response_at,
                  std::span<uint8_t>(reinterpret_cast<uint8_t*>(response.data()), response_length))
           .ok()) {
    out.kind = OutcomeKind::Trap;
    out.trap_kind = "bad_handle_result";
    out.message = "handle returned a response outside the guest's memory";
    return out;
  }
  out.output = std::move(response);
  return out;
}

}  // namespace wasmrt::plugin
