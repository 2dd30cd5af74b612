// Embedding wasmrt: compile a module through the public API and list its
// exports. With no argument it compiles a small built-in module (text
// format); with a FILE argument it compiles that file instead.
//
// Build against an installed wasmrt with:
//   find_package(wasmrt REQUIRED)
//   target_link_libraries(app PRIVATE wasmrt::wasmrt)
#include <cstdio>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "wasmrt/wasmrt.h"

namespace {

constexpr std::string_view kBuiltinModule = R"((module
  (memory (export "memory") 1)
  (global $counter (export "counter") (mut i32) (i32.const 0))
  (func $add (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func (export "bump") (result i32)
    (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
    (global.get $counter)))
)";

}  // namespace

int main(int argc, char** argv) {
  std::vector<uint8_t> bytes;
  if (argc > 1) {
    std::ifstream in(argv[1], std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "embed: cannot open %s\n", argv[1]);
      return 1;
    }
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } else {
    bytes.assign(kBuiltinModule.begin(), kBuiltinModule.end());
  }

  wasmrt::Engine engine;
  auto compiled = engine.compile(bytes);
  if (!compiled.ok()) {
    std::fprintf(stderr, "embed: %s\n", compiled.error().to_string().c_str());
    return 1;
  }
  const wasmrt::Module& module = **compiled;
  std::printf("%zu exports:\n", module.exports().size());
  for (const wasmrt::ExportDescriptor& exported : module.exports()) {
    std::printf("  %s %s: %s\n", std::string(wasmrt::external_kind_name(exported.kind)).c_str(),
                exported.name.c_str(), exported.type.c_str());
  }
  return 0;
}
