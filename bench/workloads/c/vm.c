// A small stack-based bytecode VM run by one switch loop: the shape of many
// interpreters, emulators and protocol parsers (a dense br_table dispatch,
// unpredictable indirect branches). The guest program, assembled below,
// runs Collatz step counts, a recursive Fibonacci through the VM's own
// call frames, and an insertion sort over the VM's data memory.
#include "common.h"

enum {
  OP_HALT,
  OP_PUSH,   // imm: push imm
  OP_LOAD,   // imm: push local[imm]
  OP_STORE,  // imm: local[imm] = pop
  OP_INC,    // imm: local[imm] += 1
  OP_ADD,
  OP_SUB,
  OP_MUL,
  OP_AND,
  OP_XOR,
  OP_SHL,
  OP_SHR,
  OP_LTU,  // push (a < b) on unsigned values
  OP_EQ,
  OP_DUP,
  OP_DROP,
  OP_JMP,   // imm: pc = imm
  OP_JZ,    // imm: if pop == 0, pc = imm
  OP_JNZ,   // imm: if pop != 0, pc = imm
  OP_LDM,   // push mem[pop]
  OP_STM,   // value = pop, address = pop: mem[address] = value
  OP_CALL,  // imm imm: target, argument count (arguments become locals 0..n-1)
  OP_RET,   // return the top of the stack to the caller
};

#define MEM_WORDS 1024  // a power of two: addresses are masked, never checked
#define LOCALS 8
#define MAX_FRAMES 64
#define MAX_STACK 256

static int32_t code[512];
static int32_t code_len;

static void emit(int32_t op) { code[code_len++] = op; }
static void emit1(int32_t op, int32_t imm) {
  emit(op);
  emit(imm);
}
// Forward jumps: emit the jump with a hole, fill it in when the label is known.
static int32_t emit_hole(int32_t op) {
  emit1(op, -1);
  return code_len - 1;
}
static void patch(int32_t hole) { code[hole] = code_len; }

// Assembles the guest; returns the entry point of main(round).
static int32_t assemble(void) {
  // collatz(x) -> steps; locals: 0 = x, 1 = steps
  int32_t collatz = code_len;
  emit1(OP_PUSH, 0);
  emit1(OP_STORE, 1);
  int32_t collatz_loop = code_len;
  emit1(OP_LOAD, 0);
  emit1(OP_PUSH, 1);
  emit(OP_EQ);
  int32_t collatz_done = emit_hole(OP_JNZ);
  emit1(OP_LOAD, 0);
  emit1(OP_PUSH, 1);
  emit(OP_AND);
  int32_t even = emit_hole(OP_JZ);
  emit1(OP_LOAD, 0);  // odd: x = 3x + 1
  emit1(OP_PUSH, 3);
  emit(OP_MUL);
  emit1(OP_PUSH, 1);
  emit(OP_ADD);
  emit1(OP_STORE, 0);
  int32_t next = emit_hole(OP_JMP);
  patch(even);  // even: x = x >> 1
  emit1(OP_LOAD, 0);
  emit1(OP_PUSH, 1);
  emit(OP_SHR);
  emit1(OP_STORE, 0);
  patch(next);
  emit1(OP_INC, 1);
  emit1(OP_JMP, collatz_loop);
  patch(collatz_done);
  emit1(OP_LOAD, 1);
  emit(OP_RET);

  // fib(n); locals: 0 = n
  int32_t fib = code_len;
  emit1(OP_LOAD, 0);
  emit1(OP_PUSH, 2);
  emit(OP_LTU);
  int32_t recurse = emit_hole(OP_JZ);
  emit1(OP_LOAD, 0);
  emit(OP_RET);
  patch(recurse);
  emit1(OP_LOAD, 0);
  emit1(OP_PUSH, 1);
  emit(OP_SUB);
  emit1(OP_CALL, fib);
  emit(1);
  emit1(OP_LOAD, 0);
  emit1(OP_PUSH, 2);
  emit(OP_SUB);
  emit1(OP_CALL, fib);
  emit(1);
  emit(OP_ADD);
  emit(OP_RET);

  // sort(len): insertion sort of mem[0..len); returns mem[len / 2].
  // locals: 0 = len, 1 = i, 2 = j, 3 = key
  int32_t sort = code_len;
  emit1(OP_PUSH, 1);
  emit1(OP_STORE, 1);
  int32_t outer = code_len;
  emit1(OP_LOAD, 1);
  emit1(OP_LOAD, 0);
  emit(OP_LTU);
  int32_t sorted = emit_hole(OP_JZ);
  emit1(OP_LOAD, 1);
  emit(OP_LDM);
  emit1(OP_STORE, 3);
  emit1(OP_LOAD, 1);
  emit1(OP_STORE, 2);
  int32_t inner = code_len;  // while j != 0 && key < mem[j - 1]
  emit1(OP_LOAD, 2);
  int32_t place = emit_hole(OP_JZ);
  emit1(OP_LOAD, 3);
  emit1(OP_LOAD, 2);
  emit1(OP_PUSH, 1);
  emit(OP_SUB);
  emit(OP_LDM);
  emit(OP_LTU);
  int32_t place2 = emit_hole(OP_JZ);
  emit1(OP_LOAD, 2);  // mem[j] = mem[j - 1]; j -= 1
  emit1(OP_LOAD, 2);
  emit1(OP_PUSH, 1);
  emit(OP_SUB);
  emit(OP_DUP);
  emit1(OP_STORE, 2);
  emit(OP_LDM);
  emit(OP_STM);
  emit1(OP_JMP, inner);
  patch(place);
  patch(place2);
  emit1(OP_LOAD, 2);  // mem[j] = key
  emit1(OP_LOAD, 3);
  emit(OP_STM);
  emit1(OP_INC, 1);
  emit1(OP_JMP, outer);
  patch(sorted);
  emit1(OP_LOAD, 0);
  emit1(OP_PUSH, 1);
  emit(OP_SHR);
  emit(OP_LDM);
  emit(OP_RET);

  // main(round) -> checksum; locals: 0 = round, 1 = acc, 2 = i, 3 = seed
  int32_t entry = code_len;
  emit1(OP_PUSH, 0);
  emit1(OP_STORE, 1);
  emit1(OP_PUSH, 1);
  emit1(OP_STORE, 2);
  int32_t collatz_next = code_len;  // for i in 1..=300: acc = acc * 31 + collatz(i + round)
  emit1(OP_LOAD, 1);
  emit1(OP_PUSH, 31);
  emit(OP_MUL);
  emit1(OP_LOAD, 2);
  emit1(OP_LOAD, 0);
  emit(OP_ADD);
  emit1(OP_CALL, collatz);
  emit(1);
  emit(OP_ADD);
  emit1(OP_STORE, 1);
  emit1(OP_INC, 2);
  emit1(OP_LOAD, 2);
  emit1(OP_PUSH, 301);
  emit(OP_LTU);
  emit1(OP_JNZ, collatz_next);
  emit1(OP_LOAD, 1);  // acc ^= fib(12 + round % 4)
  emit1(OP_LOAD, 0);
  emit1(OP_PUSH, 3);
  emit(OP_AND);
  emit1(OP_PUSH, 12);
  emit(OP_ADD);
  emit1(OP_CALL, fib);
  emit(1);
  emit(OP_XOR);
  emit1(OP_STORE, 1);
  emit1(OP_LOAD, 0);  // seed = round * 2654435761 + 1
  emit1(OP_PUSH, (int32_t)2654435761u);
  emit(OP_MUL);
  emit1(OP_PUSH, 1);
  emit(OP_ADD);
  emit1(OP_STORE, 3);
  emit1(OP_PUSH, 0);  // for i in 0..160: seed = seed * 1103515245 + 12345; mem[i] = seed >> 8
  emit1(OP_STORE, 2);
  int32_t fill = code_len;
  emit1(OP_LOAD, 2);
  emit1(OP_LOAD, 3);
  emit1(OP_PUSH, 1103515245);
  emit(OP_MUL);
  emit1(OP_PUSH, 12345);
  emit(OP_ADD);
  emit(OP_DUP);
  emit1(OP_STORE, 3);
  emit1(OP_PUSH, 8);
  emit(OP_SHR);
  emit(OP_STM);
  emit1(OP_INC, 2);
  emit1(OP_LOAD, 2);
  emit1(OP_PUSH, 160);
  emit(OP_LTU);
  emit1(OP_JNZ, fill);
  emit1(OP_LOAD, 1);  // acc = (acc << 1) ^ sort(160) ^ mem[0] ^ mem[159]
  emit1(OP_PUSH, 1);
  emit(OP_SHL);
  emit1(OP_PUSH, 160);
  emit1(OP_CALL, sort);
  emit(1);
  emit(OP_XOR);
  emit1(OP_PUSH, 0);
  emit(OP_LDM);
  emit(OP_XOR);
  emit1(OP_PUSH, 159);
  emit(OP_LDM);
  emit(OP_XOR);
  emit(OP_HALT);  // the result is the top of the stack
  return entry;
}

static uint32_t mem[MEM_WORDS];

// Runs the guest from `entry` with one argument; returns the top of the
// stack at OP_HALT. The guest is trusted: no stack or frame checks.
static uint32_t run(int32_t entry, uint32_t argument, uint64_t* steps) {
  uint32_t stack[MAX_STACK];
  uint32_t frames[MAX_FRAMES * LOCALS];
  int32_t return_pc[MAX_FRAMES];
  int32_t sp = 0, depth = 0, pc = entry;
  uint32_t* locals = frames;
  uint64_t executed = 0;
  locals[0] = argument;
  for (;;) {
    ++executed;
    int32_t op = code[pc++];
    switch (op) {
      case OP_HALT:
        *steps += executed;
        return stack[sp - 1];
      case OP_PUSH: stack[sp++] = (uint32_t)code[pc++]; break;
      case OP_LOAD: stack[sp++] = locals[code[pc++]]; break;
      case OP_STORE: locals[code[pc++]] = stack[--sp]; break;
      case OP_INC: locals[code[pc++]] += 1; break;
      case OP_ADD: --sp, stack[sp - 1] += stack[sp]; break;
      case OP_SUB: --sp, stack[sp - 1] -= stack[sp]; break;
      case OP_MUL: --sp, stack[sp - 1] *= stack[sp]; break;
      case OP_AND: --sp, stack[sp - 1] &= stack[sp]; break;
      case OP_XOR: --sp, stack[sp - 1] ^= stack[sp]; break;
      case OP_SHL: --sp, stack[sp - 1] <<= stack[sp] & 31; break;
      case OP_SHR: --sp, stack[sp - 1] >>= stack[sp] & 31; break;
      case OP_LTU: --sp, stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
      case OP_EQ: --sp, stack[sp - 1] = stack[sp - 1] == stack[sp]; break;
      case OP_DUP: stack[sp] = stack[sp - 1], ++sp; break;
      case OP_DROP: --sp; break;
      case OP_JMP: pc = code[pc]; break;
      case OP_JZ: pc = stack[--sp] == 0 ? code[pc] : pc + 1; break;
      case OP_JNZ: pc = stack[--sp] != 0 ? code[pc] : pc + 1; break;
      case OP_LDM: stack[sp - 1] = mem[stack[sp - 1] & (MEM_WORDS - 1)]; break;
      case OP_STM:
        sp -= 2;
        mem[stack[sp] & (MEM_WORDS - 1)] = stack[sp + 1];
        break;
      case OP_CALL: {
        int32_t target = code[pc], argc = code[pc + 1];
        return_pc[depth++] = pc + 2;
        locals += LOCALS;
        for (int32_t i = argc - 1; i >= 0; --i) locals[i] = stack[--sp];
        pc = target;
        break;
      }
      case OP_RET:
        locals -= LOCALS;
        pc = return_pc[--depth];
        break;
      default:
        *steps += executed;
        return 0xDEADBEEF;  // unreachable for the assembled program
    }
  }
}

int main(int argc, char** argv) {
  int32_t entry = assemble();
  uint32_t rounds = scaled(argc, argv, 250);
  uint64_t sum = 0, steps = 0;
  for (uint32_t r = 0; r < rounds; ++r) sum = mix(sum, run(entry, r, &steps));
  // The instruction count is part of the result: a VM that went astray
  // would execute a different number of instructions.
  return print_checksum(mix(sum, steps));
}
