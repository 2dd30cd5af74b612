#include "runtime/store/const_eval.h"

#include <cstring>

#include "runtime/binary/instr.h"
#include "runtime/binary/reader.h"

namespace wasmrt {

void eval_const_expr(const ModuleDesc& module, const ConstExpr& expr, const InstanceData& instance,
                     Cell out[2]) {
  out[0] = 0;
  out[1] = 0;
  if (expr.begin > expr.end || expr.end > module.bytes.size()) return;
  Reader reader(module.bytes.data() + expr.begin, expr.end - expr.begin, expr.begin);
  Instr instr;
  // Wasm 2.0 constant expressions are exactly one value-producing
  // instruction and `end`; the loop keeps the last value produced.
  while (!reader.at_end() && read_instruction_inline(reader, instr)) {
    switch (instr.op) {
      case Op::I32Const: out[0] = static_cast<uint32_t>(instr.bits); break;
      case Op::I64Const:
      case Op::F32Const:
      case Op::F64Const: out[0] = instr.bits; break;
      case Op::V128Const:
        std::memcpy(&out[0], instr.v128, 8);
        std::memcpy(&out[1], instr.v128 + 8, 8);
        break;
      case Op::RefNull: out[0] = 0; break;
      case Op::RefFunc:
        out[0] = instr.index < instance.funcs.size() ? funcref_cell(instance.funcs[instr.index]) : 0;
        break;
      case Op::GlobalGet:
        if (instr.index < instance.globals.size() && instance.globals[instr.index] != nullptr) {
          out[0] = instance.globals[instr.index]->value[0];
          out[1] = instance.globals[instr.index]->value[1];
        }
        break;
      case Op::End: return;
      default: return;
    }
  }
}

}  // namespace wasmrt
