// What this build of the library is: host_architecture() (wasmrt/wasmrt.h).
#include "wasmrt/wasmrt.h"

namespace wasmrt {

std::string_view host_architecture() {
  // The compiler's target macros: the library's architecture is the one it
  // was compiled for, whatever machine built it (cross builds included).
#if defined(__x86_64__) || defined(_M_X64)
  return "x86_64";
#elif defined(__aarch64__) || defined(_M_ARM64)
  return "aarch64";
#else
  return "unknown";
#endif
}

}  // namespace wasmrt
