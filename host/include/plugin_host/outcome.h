// Outcome kinds and the typed errors of the plugin host (docs/plugin-host.md).
//
// Every request ends in exactly one OutcomeKind; every refusal of a
// registry or configuration operation is an Error with an ErrorCode. Both
// have stable snake_case names used in JSON bodies, logs and metric labels.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace wasmrt::plugin {

// How one request ended. The guest-caused kinds (ApplicationError through
// OutputCap) are distinct from each other so that a platform can alert on
// each: an application error is the guest working as designed, a trap is a
// bug in the guest, and the budgets say which limit stopped it.
enum class OutcomeKind : uint8_t {
  Ok,                // the guest answered
  ApplicationError,  // the guest reported an error through its error channel
  Trap,              // the guest trapped (unreachable, out of bounds, stack exhausted, ...)
  Deadline,          // the tenant's per-request deadline passed
  Fuel,              // the tenant's per-request fuel budget ran out
  MemoryCap,         // the tenant's memory cap refused the guest's memory
  OutputCap,         // the guest's output passed the tenant's max_output_bytes
  Overloaded,        // the tenant's concurrency queue was full or timed out
  RateLimited,       // the tenant's request rate limit refused the request
  Interrupted,       // the host interrupted the call (shutdown past its grace period)
  NotFound,          // no such plugin or digest
  BadRequest,        // the request itself was malformed (tenant name, ...)
};
inline constexpr int kOutcomeKindCount = 12;

const char* outcome_name(OutcomeKind kind);

enum class ErrorCode : uint8_t {
  Malformed,       // the bytes do not decode as a module
  Invalid,         // the module does not validate
  Unlinkable,      // it imports something the host does not provide
  UnsupportedAbi,  // neither a command (_start) nor a reactor (memory, alloc, handle)
  SmokeFailed,     // the load-time smoke call did not end in ok or an application error
  NotFound,        // no such module or plugin
  Conflict,        // the operation does not apply to the current state (nothing to roll back)
  BadArgument,     // a malformed name, digest or configuration value
  Io,              // the registry directory could not be read or written
  Corrupt,         // the registry directory holds something it did not write
};

const char* error_code_name(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::BadArgument;
  std::string message;
  std::string to_string() const { return std::string(error_code_name(code)) + ": " + message; }
};

// 'text', for messages (built by appending: g++ 12 warns falsely about
// "'" + std::string(...) with -Wrestrict).
inline std::string quote_text(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '\'';
  out.append(text);
  out += '\'';
  return out;
}

// A value or an Error, like wasmrt::Result but with the host's own codes.
template <typename T>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design
  Expected(Error error) : state_(std::move(error)) {}  // NOLINT
  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const Error& error() const& { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Expected<void> {
 public:
  Expected() = default;
  Expected(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace wasmrt::plugin
