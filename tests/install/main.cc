// Consumer of an installed wasmrt: only <wasmrt/...> headers are reachable.
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include <wasmrt/wasmrt.h>

int main() {
  constexpr std::string_view text =
      "(module (func (export \"add\") (param i32 i32) (result i32)"
      " (i32.add (local.get 0) (local.get 1))))";
  std::vector<uint8_t> bytes(text.begin(), text.end());
  auto module = wasmrt::Module::compile(bytes);
  if (!module.ok()) {
    std::fprintf(stderr, "compile failed: %s\n", module.error().to_string().c_str());
    return 1;
  }
  for (const auto& exported : (*module)->exports()) {
    std::printf("export %s \"%s\" %s\n", std::string(wasmrt::external_kind_name(exported.kind)).c_str(),
                exported.name.c_str(), exported.type.c_str());
  }
  // A malformed binary must come back as a typed error, not a crash.
  const std::vector<uint8_t> truncated = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00};
  auto bad = wasmrt::Module::compile(truncated);
  if (bad.ok() || bad.error().phase != wasmrt::Phase::Malformed) {
    std::fprintf(stderr, "truncated module was not reported as malformed\n");
    return 1;
  }
  return 0;
}
