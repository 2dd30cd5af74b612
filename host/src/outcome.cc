#include "plugin_host/outcome.h"

namespace wasmrt::plugin {

const char* outcome_name(OutcomeKind kind) {
  switch (kind) {
    case OutcomeKind::Ok: return "ok";
    case OutcomeKind::ApplicationError: return "application_error";
    case OutcomeKind::Trap: return "trap";
    case OutcomeKind::Deadline: return "deadline";
    case OutcomeKind::Fuel: return "fuel";
    case OutcomeKind::MemoryCap: return "memory_cap";
    case OutcomeKind::OutputCap: return "output_cap";
    case OutcomeKind::Overloaded: return "overloaded";
    case OutcomeKind::RateLimited: return "rate_limited";
    case OutcomeKind::Interrupted: return "interrupted";
    case OutcomeKind::NotFound: return "not_found";
    case OutcomeKind::BadRequest: return "bad_request";
  }
  return "unknown";
}

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::Malformed: return "malformed";
    case ErrorCode::Invalid: return "invalid";
    case ErrorCode::Unlinkable: return "unlinkable";
    case ErrorCode::UnsupportedAbi: return "unsupported_abi";
    case ErrorCode::SmokeFailed: return "smoke_failed";
    case ErrorCode::NotFound: return "not_found";
    case ErrorCode::Conflict: return "conflict";
    case ErrorCode::BadArgument: return "bad_argument";
    case ErrorCode::Io: return "io";
    case ErrorCode::Corrupt: return "corrupt";
  }
  return "unknown";
}

}  // namespace wasmrt::plugin
