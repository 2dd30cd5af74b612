// A WASI command runner over WAMR's embedding API (wasm_export.h), for the
// benchmark comparison. The WAMR sources come from the wamr-sys crate
// (crates.io), whose bundled iwasm of that vintage runs a WASI program's
// _start only without arguments; this runner passes ARGS as the guest's
// argv. It is wasmrt's own code, not WAMR's.
//
//   wamr_run FILE.wasm [ARGS...]
//
// That WAMR records no proc_exit status: a guest that exits through
// proc_exit ends this runner with 0 (the workloads print a checksum the
// comparison verifies, so a failed run cannot pass for a good one).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm_export.h"

static unsigned char* read_file(const char* path, unsigned* size) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char* bytes = n > 0 ? malloc((size_t)n) : NULL;
  if (bytes != NULL && fread(bytes, 1, (size_t)n, f) != (size_t)n) {
    free(bytes);
    bytes = NULL;
  }
  fclose(f);
  *size = (unsigned)n;
  return bytes;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: wamr_run FILE.wasm [ARGS...]\n");
    return 2;
  }
  unsigned size = 0;
  unsigned char* bytes = read_file(argv[1], &size);
  if (bytes == NULL) {
    fprintf(stderr, "wamr_run: cannot read %s\n", argv[1]);
    return 1;
  }
  if (!wasm_runtime_init()) {
    fprintf(stderr, "wamr_run: runtime init failed\n");
    return 1;
  }
  char error[256];
  wasm_module_t module = wasm_runtime_load(bytes, size, error, sizeof error);
  if (module == NULL) {
    fprintf(stderr, "wamr_run: load: %s\n", error);
    return 1;
  }
  wasm_runtime_set_wasi_args(module, NULL, 0, NULL, 0, NULL, 0, argv + 1, argc - 1);
  // 1 MiB of operand stack for the recursive workloads. WAMR's WASI keeps
  // its copies of argv in an app heap inside linear memory, so that heap
  // must exist (with none, _start returns at once and prints nothing).
  wasm_module_inst_t instance = wasm_runtime_instantiate(module, 1u << 20, 64u << 10, error, sizeof error);
  if (instance == NULL) {
    fprintf(stderr, "wamr_run: instantiate: %s\n", error);
    return 1;
  }
  wasm_function_inst_t start = wasm_runtime_lookup_wasi_start_function(instance);
  if (start == NULL) {
    fprintf(stderr, "wamr_run: no _start\n");
    return 1;
  }
  wasm_exec_env_t exec_env = wasm_runtime_create_exec_env(instance, 1u << 20);
  if (exec_env == NULL) {
    fprintf(stderr, "wamr_run: cannot create an execution environment\n");
    return 1;
  }
  if (!wasm_runtime_call_wasm(exec_env, start, 0, NULL)) {
    const char* exception = wasm_runtime_get_exception(instance);
    if (exception == NULL || strstr(exception, "wasi proc exit") == NULL) {
      fprintf(stderr, "wamr_run: %s\n", exception ? exception : "call failed");
      return 1;
    }
  }
  return 0;
}
