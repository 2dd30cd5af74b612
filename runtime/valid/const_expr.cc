#include "runtime/valid/const_expr.h"

#include <string>

#include "runtime/binary/instr.h"
#include "runtime/binary/reader.h"
#include "runtime/valid/errors.h"

namespace wasmrt {
namespace {

Error invalid_at(uint64_t offset, std::string message) {
  return make_error(Phase::Invalid, std::move(message), offset);
}

}  // namespace

Result<void> validate_const_expr(const ModuleDesc& module, const ConstExpr& expr, ValType expected) {
  if (expr.end < expr.begin || expr.end > module.bytes.size())
    return invalid_at(expr.begin, "constant expression required");
  Reader r(module.bytes.data() + expr.begin, expr.end - expr.begin, expr.begin);
  r.set_eof_message("unexpected end of section or function");
  Instr in;
  // A constant expression leaves at most a handful of values; anything
  // more is a type mismatch, so a tiny fixed stack is enough.
  ValType stack[2];
  uint32_t depth = 0;
  uint32_t end_offset = expr.begin;
  for (;;) {
    if (r.at_end()) return make_error(Phase::Malformed, "END opcode expected", r.offset());
    if (!read_instruction_inline(r, in)) return r.take_error();
    ValType pushed;
    switch (in.op) {
      case Op::I32Const: pushed = ValType::I32; break;
      case Op::I64Const: pushed = ValType::I64; break;
      case Op::F32Const: pushed = ValType::F32; break;
      case Op::F64Const: pushed = ValType::F64; break;
      case Op::V128Const: pushed = ValType::V128; break;
      case Op::RefNull: pushed = in.ref_type; break;
      case Op::RefFunc:
        if (in.index >= module.funcs.size())
          return invalid_at(in.offset, "unknown function " + std::to_string(in.index));
        pushed = ValType::FuncRef;
        break;
      case Op::GlobalGet: {
        if (in.index >= module.num_imported_globals || in.index >= module.globals.size())
          return invalid_at(in.offset, "unknown global " + std::to_string(in.index));
        const GlobalType& g = module.globals[in.index];
        if (g.is_mutable) return invalid_at(in.offset, "constant expression required");
        pushed = g.type;
        break;
      }
      case Op::End: end_offset = in.offset; goto done;
      default: return invalid_at(in.offset, "constant expression required");
    }
    if (depth < 2) stack[depth] = pushed;
    ++depth;
  }
done:
  if (depth != 1 || stack[0] != expected) return invalid_at(end_offset, "type mismatch");
  return ok();
}

}  // namespace wasmrt
