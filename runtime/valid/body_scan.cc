#include "runtime/valid/body_scan.h"

#include "runtime/binary/reader.h"

namespace wasmrt {

Error body_overrun_error(const ModuleDesc& module, const FuncBody& body, uint32_t open_frames, Instr& in) {
  const uint32_t start = body.code_end;
  Reader r(module.bytes.data() + start, module.bytes.size() - start, start);
  r.set_eof_message("unexpected end");
  uint32_t depth = open_frames;
  for (;;) {
    if (!read_instruction(r, in)) return r.take_error();
    switch (in.op) {
      case Op::Block:
      case Op::Loop:
      case Op::If: ++depth; break;
      case Op::Else:
        if (depth <= 1) return make_error(Phase::Malformed, "END opcode expected", in.offset);
        break;
      case Op::End:
        if (--depth == 0) return make_error(Phase::Malformed, "section size mismatch", body.entry_begin);
        break;
      default: break;
    }
  }
}

Result<void> BodyScanner::scan(uint32_t defined_index) {
  const FuncBody& body = module_.code[defined_index];
  Reader r(module_.bytes.data() + body.code_begin, body.code_end - body.code_begin, body.code_begin);
  r.set_eof_message("unexpected end of section or function");
  open_.clear();
  open_.push_back(0);  // the function's own block
  for (;;) {
    if (r.at_end()) return body_overrun_error(module_, body, static_cast<uint32_t>(open_.size()), in_);
    if (!read_instruction(r, in_)) return r.take_error();
    switch (in_.op) {
      case Op::Block:
      case Op::Loop: open_.push_back(0); break;
      case Op::If: open_.push_back(1); break;
      case Op::Else:
        if (open_.back() != 1) return make_error(Phase::Malformed, "END opcode expected", in_.offset);
        open_.back() = 0;
        break;
      case Op::End:
        open_.pop_back();
        if (open_.empty()) {
          if (!r.at_end()) return make_error(Phase::Malformed, "section size mismatch", r.offset());
          return ok();
        }
        break;
      case Op::MemoryInit:
      case Op::DataDrop:
        if (!module_.data_count)
          return make_error(Phase::Malformed, "data count section required", in_.offset);
        break;
      default: break;
    }
  }
}

}  // namespace wasmrt
