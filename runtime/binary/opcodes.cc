#include "runtime/binary/opcodes.h"

#include <array>

namespace wasmrt {
namespace {

constexpr OpInfo kOpInfos[] = {
#define WASM_OP(name, prefix, code, text, imm, sig, bytes) \
  {prefix, code, text, ImmKind::imm, Sig::S_##sig, bytes},
#include "runtime/binary/opcodes.def"
#undef WASM_OP
};
static_assert(std::size(kOpInfos) == kOpCount);

constexpr SigInfo kSigInfos[] = {
#define WASMRT_SIG_INFO(name, params, results) {params, results},
    WASMRT_FOR_EACH_SIG(WASMRT_SIG_INFO)
#undef WASMRT_SIG_INFO
        {"", ""},
};

// Dense reverse maps from encoding to Op; kNone marks unassigned codes.
constexpr uint16_t kNone = 0xFFFF;
struct Reverse {
  std::array<uint16_t, 256> single{};
  std::array<uint16_t, 256> fc{};
  std::array<uint16_t, 256> fd{};
};

constexpr Reverse build_reverse() {
  Reverse r{};
  for (auto& v : r.single) v = kNone;
  for (auto& v : r.fc) v = kNone;
  for (auto& v : r.fd) v = kNone;
  for (uint16_t i = 0; i < kOpCount; ++i) {
    const OpInfo& info = kOpInfos[i];
    if (info.prefix == 0x00) r.single[info.code] = i;
    if (info.prefix == 0xFC) r.fc[info.code] = i;
    if (info.prefix == 0xFD) r.fd[info.code] = i;
  }
  return r;
}
constexpr Reverse kReverse = build_reverse();

}  // namespace

const OpInfo& op_info(Op op) { return kOpInfos[static_cast<uint16_t>(op)]; }

const SigInfo& sig_info(Sig sig) { return kSigInfos[static_cast<uint8_t>(sig)]; }

ValType sig_letter_type(char letter) {
  switch (letter) {
    case 'i': return ValType::I32;
    case 'l': return ValType::I64;
    case 'f': return ValType::F32;
    case 'd': return ValType::F64;
    default: return ValType::V128;
  }
}

std::optional<Op> op_from_byte(uint8_t byte) {
  uint16_t v = kReverse.single[byte];
  if (v == kNone) return std::nullopt;
  return static_cast<Op>(v);
}

std::optional<Op> op_from_prefixed(uint8_t prefix, uint32_t code) {
  if (code > 255) return std::nullopt;
  uint16_t v = prefix == 0xFC ? kReverse.fc[code] : prefix == 0xFD ? kReverse.fd[code] : kNone;
  if (v == kNone) return std::nullopt;
  return static_cast<Op>(v);
}

}  // namespace wasmrt
