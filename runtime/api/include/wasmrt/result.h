// The one result type used across wasmrt: a value or a typed Error.
// No C++ exception is thrown by the runtime for guest-caused failures.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <variant>

namespace wasmrt {

struct TrapDetails;  // wasmrt/trap.h

// Which stage rejected the input. The names follow the spec test-suite's
// assertion kinds so the harness can compare phases directly.
enum class Phase : uint8_t {
  Malformed,   // binary or text does not decode
  Invalid,     // decodes but fails validation
  Unlinkable,  // imports cannot be resolved
  Trap,        // execution trapped
  Exit,        // the guest exited (WASI proc_exit)
};

const char* phase_name(Phase phase);

// A host-configured resource limit (EngineConfig) that refused something.
enum class ResourceLimit : uint8_t {
  None,
  ModuleBytes,       // max_module_bytes
  MemoryPages,       // max_memory_pages
  StoreMemoryPages,  // max_store_memory_pages
  TableElements,     // max_table_elements
  Instances,         // max_instances
  Memories,          // max_memories
  Tables,            // max_tables
};

// The EngineConfig field's name, e.g. "max_memory_pages".
const char* resource_limit_name(ResourceLimit limit);

struct Error {
  static constexpr uint64_t kNoOffset = ~uint64_t{0};

  Phase phase = Phase::Malformed;
  std::string message;          // spec text where the spec defines one
  uint64_t offset = kNoOffset;  // byte offset in the binary, when known
  uint32_t line = 0;            // 1-based position in text input, when known
  uint32_t column = 0;
  // Phase::Trap from execution: trap kind, message and wasm backtrace (see
  // wasmrt/trap.h). Null for other phases.
  std::shared_ptr<const TrapDetails> trap = nullptr;
  // Set when a host resource limit refused the operation (the message
  // names the limit too). Phase is then Unlinkable for instantiation.
  ResourceLimit limit = ResourceLimit::None;
  // Phase::Exit: the status the guest passed to proc_exit.
  int32_t exit_code = 0;

  // "malformed at byte 0x1c: unexpected end" / "invalid at 3:7: type mismatch"
  std::string to_string() const;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}     // NOLINT
  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const Error& error() const& { return std::get<1>(state_); }
  Error&& error() && { return std::get<1>(std::move(state_)); }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

inline Result<void> ok() { return {}; }

}  // namespace wasmrt

// Propagates an error from an expression of type Result<...>.
#define WASMRT_TRY(expr)                              \
  do {                                                \
    auto&& wasmrt_try_result_ = (expr);               \
    if (!wasmrt_try_result_.ok())                     \
      return std::move(wasmrt_try_result_).error();   \
  } while (0)
