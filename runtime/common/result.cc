#include "wasmrt/result.h"

#include <cstdio>

namespace wasmrt {

const char* phase_name(Phase phase) {
  switch (phase) {
    case Phase::Malformed: return "malformed";
    case Phase::Invalid: return "invalid";
    case Phase::Unlinkable: return "unlinkable";
    case Phase::Trap: return "trap";
    case Phase::Exit: return "exit";
  }
  return "error";
}

const char* resource_limit_name(ResourceLimit limit) {
  switch (limit) {
    case ResourceLimit::None: return "none";
    case ResourceLimit::ModuleBytes: return "max_module_bytes";
    case ResourceLimit::MemoryPages: return "max_memory_pages";
    case ResourceLimit::StoreMemoryPages: return "max_store_memory_pages";
    case ResourceLimit::TableElements: return "max_table_elements";
    case ResourceLimit::Instances: return "max_instances";
    case ResourceLimit::Memories: return "max_memories";
    case ResourceLimit::Tables: return "max_tables";
  }
  return "unknown";
}

std::string Error::to_string() const {
  std::string out = phase_name(phase);
  char where[64];
  if (line != 0) {
    std::snprintf(where, sizeof where, " at %u:%u", line, column);
    out += where;
  } else if (offset != kNoOffset) {
    std::snprintf(where, sizeof where, " at byte 0x%llx", static_cast<unsigned long long>(offset));
    out += where;
  }
  out += ": ";
  out += message;
  return out;
}

}  // namespace wasmrt
