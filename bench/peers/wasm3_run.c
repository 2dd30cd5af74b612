// A WASI command runner over wasm3's C API, for the benchmark comparison.
// PyPI's pywasm3 sdist carries the sources of the newest wasm3 release
// (0.5.0) but no WASI and no CLI, so bench/peers/install.sh compiles those
// sources with this file. It is wasmrt's own code, not wasm3's.
//
//   wasm3_run FILE.wasm [ARGS...]
//
// The WASI here is the subset the benchmark workloads import (C programs
// from wasi-libc, Go wasip1 programs), with no preopened directories:
// args, environ (empty), clocks, random, stdio writes and reads, polling on
// clocks, proc_exit. Every guest pointer is bounds-checked
// (m3ApiCheckMem). The runner's own cost is negligible next to the
// workloads: it only runs on a guest's system calls.
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "wasm3.h"

enum { kSuccess = 0, kBadf = 8, kInval = 28, kIo = 29, kNosys = 52, kSpipe = 70 };

static int guest_argc;
static char** guest_argv;
static int exit_code;
static const char* const kExit = "wasm3_run: proc_exit";

#define CHECK_MEM(addr, len) m3ApiCheckMem(addr, len)

static m3ApiRawFunction(args_sizes_get) {
  m3ApiReturnType(uint32_t);
  m3ApiGetArgMem(uint32_t*, argc);
  m3ApiGetArgMem(uint32_t*, size);
  CHECK_MEM(argc, 4);
  CHECK_MEM(size, 4);
  uint32_t bytes = 0;
  for (int i = 0; i < guest_argc; ++i) bytes += (uint32_t)strlen(guest_argv[i]) + 1;
  *argc = (uint32_t)guest_argc;
  *size = bytes;
  m3ApiReturn(kSuccess);
}

static m3ApiRawFunction(args_get) {
  m3ApiReturnType(uint32_t);
  m3ApiGetArgMem(uint32_t*, argv);
  m3ApiGetArgMem(char*, buf);
  CHECK_MEM(argv, 4 * (uint64_t)guest_argc);
  for (int i = 0; i < guest_argc; ++i) {
    size_t len = strlen(guest_argv[i]) + 1;
    CHECK_MEM(buf, len);
    argv[i] = m3ApiPtrToOffset(buf);
    memcpy(buf, guest_argv[i], len);
    buf += len;
  }
  m3ApiReturn(kSuccess);
}

static m3ApiRawFunction(environ_sizes_get) {
  m3ApiReturnType(uint32_t);
  m3ApiGetArgMem(uint32_t*, count);
  m3ApiGetArgMem(uint32_t*, size);
  CHECK_MEM(count, 4);
  CHECK_MEM(size, 4);
  *count = 0;
  *size = 0;
  m3ApiReturn(kSuccess);
}

static m3ApiRawFunction(environ_get) {
  m3ApiReturnType(uint32_t);
  m3ApiGetArg(uint32_t, environ);
  m3ApiGetArg(uint32_t, buf);
  (void)environ, (void)buf;
  m3ApiReturn(kSuccess);
}

static int read_clock(uint32_t id, uint64_t* out) {
  struct timespec ts;
  clockid_t clock = id == 0 ? CLOCK_REALTIME : id == 1 ? CLOCK_MONOTONIC : id == 2 ? CLOCK_PROCESS_CPUTIME_ID
                                                                          : CLOCK_THREAD_CPUTIME_ID;
  if (id > 3 || clock_gettime(clock, &ts) != 0) return kInval;
  *out = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
  return kSuccess;
}

static m3ApiRawFunction(clock_time_get) {
  m3ApiReturnType(uint32_t);
  m3ApiGetArg(uint32_t, id);
  m3ApiGetArg(uint64_t, precision);
  m3ApiGetArgMem(uint64_t*, time);
  (void)precision;
  CHECK_MEM(time, 8);
  uint64_t now = 0;
  int status = read_clock(id, &now);
  if (status == kSuccess) memcpy(time, &now, 8);
  m3ApiReturn(status);
}

static m3ApiRawFunction(random_get) {
  m3ApiReturnType(uint32_t);
  m3ApiGetArgMem(uint8_t*, buf);
  m3ApiGetArg(uint32_t, len);
  CHECK_MEM(buf, len);
  for (uint32_t done = 0; done < len;) {
    ssize_t n = getrandom(buf + done, len - done, 0);
    if (n <= 0) m3ApiReturn(kIo);
    done += (uint32_t)n;
  }
  m3ApiReturn(kSuccess);
}

// iovec/ciovec: {u32 buf, u32 len}.
static m3ApiRawFunction(fd_write) {
  m3ApiReturnType(uint32_t);
  m3ApiGetArg(uint32_t, fd);
  m3ApiGetArgMem(uint32_t*, iovs);
  m3ApiGetArg(uint32_t, count);
  m3ApiGetArgMem(uint32_t*, written);
  CHECK_MEM(iovs, 8 * (uint64_t)count);
  CHECK_MEM(written, 4);
  if (fd != 1 && fd != 2) m3ApiReturn(kBadf);
  uint32_t total = 0;
  for (uint32_t i = 0; i < count; ++i) {
    uint8_t* data = m3ApiOffsetToPtr(iovs[2 * i]);
    uint32_t len = iovs[2 * i + 1];
    CHECK_MEM(data, len);
    for (uint32_t done = 0; done < len;) {
      ssize_t n = write((int)fd, data + done, len - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) m3ApiReturn(kIo);
      done += (uint32_t)n;
    }
    total += len;
  }
  *written = total;
  m3ApiReturn(kSuccess);
}

static m3ApiRawFunction(fd_read) {
  m3ApiReturnType(uint32_t);
  m3ApiGetArg(uint32_t, fd);
  m3ApiGetArgMem(uint32_t*, iovs);
  m3ApiGetArg(uint32_t, count);
  m3ApiGetArgMem(uint32_t*, nread);
  CHECK_MEM(iovs, 8 * (uint64_t)count);
  CHECK_MEM(nread, 4);
  if (fd != 0) m3ApiReturn(kBadf);
  uint32_t total = 0;
  for (uint32_t i = 0; i < count; ++i) {
    uint8_t* data = m3ApiOffsetToPtr(iovs[2 * i]);
    uint32_t len = iovs[2 * i + 1];
    CHECK_MEM(data, len);
    ssize_t n = read(0, data, len);
    if (n < 0) m3ApiReturn(kIo);
    total += (uint32_t)n;
    if ((uint32_t)n < len) break;
  }
  *nread = total;
  m3ApiReturn(kSuccess);
}

// fdstat: u8 filetype, u16 flags, u64 rights base, u64 rights inheriting.
static m3ApiRawFunction(fd_fdstat_get) {
  m3ApiReturnType(uint32_t);
  m3ApiGetArg(uint32_t, fd);
  m3ApiGetArgMem(uint8_t*, stat);
  CHECK_MEM(stat, 24);
  if (fd > 2) m3ApiReturn(kBadf);
  memset(stat, 0, 24);
  stat[0] = 2;  // character device
  memset(stat + 8, 0xFF, 16);
  m3ApiReturn(kSuccess);
}

static m3ApiRawFunction(fd_fdstat_set_flags) {
  m3ApiReturnType(uint32_t);
  m3ApiGetArg(uint32_t, fd);
  m3ApiGetArg(uint32_t, flags);
  (void)flags;
  m3ApiReturn(fd <= 2 ? kSuccess : kBadf);
}

static m3ApiRawFunction(fd_close) {
  m3ApiReturnType(uint32_t);
  m3ApiGetArg(uint32_t, fd);
  m3ApiReturn(fd <= 2 ? kSuccess : kBadf);
}

static m3ApiRawFunction(fd_seek) {
  m3ApiReturnType(uint32_t);
  m3ApiGetArg(uint32_t, fd);
  m3ApiGetArg(int64_t, offset);
  m3ApiGetArg(uint32_t, whence);
  m3ApiGetArg(uint32_t, result);
  (void)offset, (void)whence, (void)result;
  m3ApiReturn(fd <= 2 ? kSpipe : kBadf);
}

static m3ApiRawFunction(fd_prestat_get) {
  m3ApiReturnType(uint32_t);
  m3ApiGetArg(uint32_t, fd);
  m3ApiGetArg(uint32_t, out);
  (void)fd, (void)out;
  m3ApiReturn(kBadf);  // no preopened directories
}

static m3ApiRawFunction(fd_prestat_dir_name) {
  m3ApiReturnType(uint32_t);
  m3ApiGetArg(uint32_t, fd);
  m3ApiGetArg(uint32_t, path);
  m3ApiGetArg(uint32_t, len);
  (void)fd, (void)path, (void)len;
  m3ApiReturn(kBadf);
}

static m3ApiRawFunction(sched_yield) {
  m3ApiReturnType(uint32_t);
  m3ApiReturn(kSuccess);
}

// Subscriptions are 48 bytes (userdata u64, tag u8, clock: id u32 @16,
// timeout u64 @24, precision @32, flags u16 @40); events 32 bytes
// (userdata u64, error u16, type u8). Only clock subscriptions are served:
// the workloads poll only to sleep.
static m3ApiRawFunction(poll_oneoff) {
  m3ApiReturnType(uint32_t);
  m3ApiGetArgMem(uint8_t*, in);
  m3ApiGetArgMem(uint8_t*, out);
  m3ApiGetArg(uint32_t, count);
  m3ApiGetArgMem(uint32_t*, nevents);
  CHECK_MEM(in, 48 * (uint64_t)count);
  CHECK_MEM(out, 32 * (uint64_t)count);
  CHECK_MEM(nevents, 4);
  if (count == 0) m3ApiReturn(kInval);
  uint64_t soonest = UINT64_MAX;
  for (uint32_t i = 0; i < count; ++i) {
    const uint8_t* sub = in + 48 * i;
    if (sub[8] != 0) m3ApiReturn(kNosys);
    uint32_t id;
    uint64_t timeout;
    uint16_t flags;
    memcpy(&id, sub + 16, 4);
    memcpy(&timeout, sub + 24, 8);
    memcpy(&flags, sub + 40, 2);
    if (flags & 1) {  // absolute: make it relative
      uint64_t now = 0;
      if (read_clock(id, &now) != kSuccess) m3ApiReturn(kInval);
      timeout = timeout > now ? timeout - now : 0;
    }
    if (timeout < soonest) soonest = timeout;
  }
  struct timespec ts = {(time_t)(soonest / 1000000000u), (long)(soonest % 1000000000u)};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
  uint32_t n = 0;
  for (uint32_t i = 0; i < count; ++i) {
    memset(out + 32 * n, 0, 32);
    memcpy(out + 32 * n, in + 48 * i, 8);  // userdata
    out[32 * n + 10] = 0;                  // eventtype clock
    ++n;
  }
  *nevents = n;
  m3ApiReturn(kSuccess);
}

static m3ApiRawFunction(proc_exit) {
  m3ApiGetArg(uint32_t, code);
  exit_code = (int)code;
  m3ApiTrap(kExit);
}

static M3Result link_wasi(IM3Module module) {
  static const struct {
    const char* name;
    const char* signature;
    M3RawCall function;
  } kFunctions[] = {
      {"args_sizes_get", "i(**)", &args_sizes_get},
      {"args_get", "i(**)", &args_get},
      {"environ_sizes_get", "i(**)", &environ_sizes_get},
      {"environ_get", "i(**)", &environ_get},
      {"clock_time_get", "i(iI*)", &clock_time_get},
      {"random_get", "i(*i)", &random_get},
      {"fd_write", "i(i*i*)", &fd_write},
      {"fd_read", "i(i*i*)", &fd_read},
      {"fd_fdstat_get", "i(i*)", &fd_fdstat_get},
      {"fd_fdstat_set_flags", "i(ii)", &fd_fdstat_set_flags},
      {"fd_close", "i(i)", &fd_close},
      {"fd_seek", "i(iIii)", &fd_seek},
      {"fd_prestat_get", "i(ii)", &fd_prestat_get},
      {"fd_prestat_dir_name", "i(iii)", &fd_prestat_dir_name},
      {"sched_yield", "i()", &sched_yield},
      {"poll_oneoff", "i(**i*)", &poll_oneoff},
      {"proc_exit", "v(i)", &proc_exit},
  };
  for (size_t i = 0; i < sizeof kFunctions / sizeof kFunctions[0]; ++i) {
    M3Result result = m3_LinkRawFunction(module, "wasi_snapshot_preview1", kFunctions[i].name,
                                         kFunctions[i].signature, kFunctions[i].function);
    if (result != m3Err_none && result != m3Err_functionLookupFailed) return result;
  }
  return m3Err_none;
}

static unsigned char* read_file(const char* path, size_t* size) {
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
  *size = (size_t)n;
  return bytes;
}

static int fail(const char* what, M3Result result) {
  fprintf(stderr, "wasm3_run: %s: %s\n", what, result);
  return 1;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: wasm3_run FILE.wasm [ARGS...]\n");
    return 2;
  }
  guest_argc = argc - 1;
  guest_argv = argv + 1;
  size_t size = 0;
  unsigned char* bytes = read_file(argv[1], &size);
  if (bytes == NULL) {
    fprintf(stderr, "wasm3_run: cannot read %s\n", argv[1]);
    return 1;
  }
  IM3Environment env = m3_NewEnvironment();
  // wasm3's value stack, in bytes: deep enough for the recursive workloads.
  IM3Runtime runtime = env != NULL ? m3_NewRuntime(env, 64 << 20, NULL) : NULL;
  if (runtime == NULL) return fail("setup", "out of memory");
  IM3Module module = NULL;
  M3Result result = m3_ParseModule(env, &module, bytes, (uint32_t)size);
  if (result) return fail("parse", result);
  result = m3_LoadModule(runtime, module);
  if (result) return fail("load", result);
  result = link_wasi(module);
  if (result) return fail("link WASI", result);
  IM3Function start = NULL;
  result = m3_FindFunction(&start, runtime, "_start");
  if (result) return fail("find _start", result);
  result = m3_CallV(start);
  if (result == kExit) return exit_code;
  if (result) return fail("trap", result);
  return 0;
}
