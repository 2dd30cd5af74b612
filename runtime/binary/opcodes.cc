#include "runtime/binary/opcodes.h"

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

}  // namespace wasmrt
