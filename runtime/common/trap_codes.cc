#include "runtime/common/trap_codes.h"

namespace wasmrt {

std::string_view trap_message(TrapCode code) {
  switch (code) {
    case TrapCode::None: return "";
#define WASMRT_TRAP(name, message) \
  case TrapCode::name: return message;
#include "runtime/common/trap_codes.def"
#undef WASMRT_TRAP
  }
  return "trap";
}

}  // namespace wasmrt
