// Details of a trap, attached to Phase::Trap errors (Error::trap).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace wasmrt {

// Why execution trapped. Mirrors the runtime's trap table one to one (the
// library checks the correspondence at compile time).
enum class TrapKind : uint8_t {
  None = 0,
  Unreachable,
  MemoryOutOfBounds,
  TableOutOfBounds,
  IndirectCallTypeMismatch,
  UndefinedElement,
  UninitializedElement,
  IntegerDivideByZero,
  IntegerOverflow,
  InvalidConversionToInteger,
  CallStackExhausted,
  OutOfFuel,         // the store's fuel ran out (EngineConfig::consume_fuel)
  Interrupted,       // Store::interrupt() / InterruptHandle::interrupt()
  DeadlineExceeded,  // Store::set_timeout() / set_deadline() passed
  HostError,  // a host function trapped (its message is the error message)
  Exit,       // internal: the guest exited; reported as Phase::Exit, never as a trap
};

// One frame of the wasm call stack at the trap, innermost first.
struct BacktraceFrame {
  uint32_t function_index = 0;  // in the module's function index space
  std::string function_name;    // from the name section; "" if none
  std::string module_name;      // from the name section; "" if none
  bool is_host = false;         // a host function (no index/name)
};

struct TrapDetails {
  TrapKind kind = TrapKind::None;
  std::string message;  // the spec's text, or the host function's message
  // Innermost first. Very deep stacks keep their innermost 1,000 and
  // outermost 100 wasm frames; `frames_omitted` counts the rest.
  std::vector<BacktraceFrame> backtrace;
  uint64_t frames_omitted = 0;

  // "trap: unreachable\n  at #0 $inner (func 3)\n  at #1 ..."
  std::string to_string() const;
};

}  // namespace wasmrt
