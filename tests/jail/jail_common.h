/* Shared by the jail-escape guests (built with clang --target=wasm32-wasi).
 *
 * The guests call WASI directly through their own imports instead of
 * wasi-libc's __wasi_* wrappers: those take NUL-terminated strings, and
 * several techniques need an explicit (pointer, length) path (an embedded
 * NUL byte, a path longer than any C string the host would accept).
 *
 * Output protocol, one line per technique, read by wasi_jail_test:
 *   TECH <name> BLOCKED <op>=<errno-name>(<n>) ...
 *   TECH <name> ESCAPED <op>=<what happened> ...
 *   DONE techniques=<n> escaped=<m>
 * A technique is ESCAPED as soon as one of its escape steps succeeds;
 * setup steps (creating a symlink inside the jail, say) may succeed or fail
 * and are printed in lower case for the record. */
#ifndef WASMRT_TESTS_JAIL_COMMON_H
#define WASMRT_TESTS_JAIL_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define WASI_IMPORT(name) __attribute__((__import_module__("wasi_snapshot_preview1"), __import_name__(#name)))

int32_t raw_path_open(int32_t fd, int32_t lookupflags, const char *path, size_t path_len, int32_t oflags,
                      int64_t rights_base, int64_t rights_inheriting, int32_t fdflags, int32_t *opened)
    WASI_IMPORT(path_open);
int32_t raw_path_filestat_get(int32_t fd, int32_t lookupflags, const char *path, size_t path_len, void *filestat)
    WASI_IMPORT(path_filestat_get);
int32_t raw_path_filestat_set_times(int32_t fd, int32_t lookupflags, const char *path, size_t path_len,
                                    int64_t atim, int64_t mtim, int32_t fst_flags)
    WASI_IMPORT(path_filestat_set_times);
int32_t raw_path_link(int32_t old_fd, int32_t old_lookupflags, const char *old_path, size_t old_len, int32_t new_fd,
                      const char *new_path, size_t new_len) WASI_IMPORT(path_link);
int32_t raw_path_readlink(int32_t fd, const char *path, size_t path_len, char *buf, size_t buf_len, size_t *used)
    WASI_IMPORT(path_readlink);
int32_t raw_path_remove_directory(int32_t fd, const char *path, size_t path_len) WASI_IMPORT(path_remove_directory);
int32_t raw_path_rename(int32_t fd, const char *old_path, size_t old_len, int32_t new_fd, const char *new_path,
                        size_t new_len) WASI_IMPORT(path_rename);
int32_t raw_path_symlink(const char *target, size_t target_len, int32_t fd, const char *path, size_t path_len)
    WASI_IMPORT(path_symlink);
int32_t raw_path_unlink_file(int32_t fd, const char *path, size_t path_len) WASI_IMPORT(path_unlink_file);
int32_t raw_path_create_directory(int32_t fd, const char *path, size_t path_len) WASI_IMPORT(path_create_directory);
int32_t raw_fd_renumber(int32_t fd, int32_t to) WASI_IMPORT(fd_renumber);
int32_t raw_fd_close(int32_t fd) WASI_IMPORT(fd_close);
int32_t raw_fd_readdir(int32_t fd, void *buf, size_t buf_len, int64_t cookie, size_t *used) WASI_IMPORT(fd_readdir);
int32_t raw_fd_filestat_set_size(int32_t fd, int64_t size) WASI_IMPORT(fd_filestat_set_size);
int32_t raw_fd_filestat_set_times(int32_t fd, int64_t atim, int64_t mtim, int32_t fst_flags)
    WASI_IMPORT(fd_filestat_set_times);
int32_t raw_fd_allocate(int32_t fd, int64_t offset, int64_t len) WASI_IMPORT(fd_allocate);
int32_t raw_fd_fdstat_set_flags(int32_t fd, int32_t flags) WASI_IMPORT(fd_fdstat_set_flags);

typedef struct {
  size_t ptr;
  size_t len;
} raw_ciovec;
int32_t raw_fd_write(int32_t fd, const raw_ciovec *iovs, size_t iovs_len, size_t *written) WASI_IMPORT(fd_write);
int32_t raw_fd_read(int32_t fd, const raw_ciovec *iovs, size_t iovs_len, size_t *read) WASI_IMPORT(fd_read);

/* WASI constants (typenames.witx). */
enum {
  LOOKUP_FOLLOW = 1,
  O_CREAT_ = 1,
  O_DIRECTORY_ = 2,
  O_EXCL_ = 4,
  O_TRUNC_ = 8,
  FDFLAG_APPEND = 1,
  FST_ATIM = 1,
  FST_ATIM_NOW = 2,
  FST_MTIM = 4,
  FST_MTIM_NOW = 8,
};
#define RIGHTS_ALL ((int64_t)0x1FFFFFFF)
#define RIGHT_FD_READ ((int64_t)1 << 1)
#define RIGHT_FD_WRITE ((int64_t)1 << 6)
#define RIGHTS_READ_ONLY (RIGHTS_ALL & ~RIGHT_FD_WRITE)

/* The preopened jail (the first preopen). */
#define JAIL_FD 3

/* ---- reporting ---- */

static int g_techniques;
static int g_escaped;

typedef struct {
  char line[4096];
  int escaped;
} technique;

static inline void tech_begin(technique *t, const char *name) {
  snprintf(t->line, sizeof t->line, "%s", name);
  t->escaped = 0;
}

static inline void tech_append(technique *t, const char *text) {
  size_t used = strlen(t->line);
  snprintf(t->line + used, sizeof t->line - used, " %s", text);
}

/* An escape step: it must fail with some errno. */
static inline void step_must_fail(technique *t, const char *op, int32_t err) {
  char text[160];
  if (err == 0) {
    t->escaped = 1;
    snprintf(text, sizeof text, "%s=SUCCEEDED", op);
  } else {
    snprintf(text, sizeof text, "%s=%s(%d)", op, strerror(err), err);
  }
  tech_append(t, text);
}

/* An escape step that succeeded in a way the step itself judged harmful. */
static inline void step_escaped(technique *t, const char *op, const char *what) {
  char text[200];
  t->escaped = 1;
  snprintf(text, sizeof text, "%s=%s", op, what);
  tech_append(t, text);
}

/* A setup or harmless step: recorded, never judged. */
static inline void step_info(technique *t, const char *op, int32_t err) {
  char text[160];
  snprintf(text, sizeof text, "setup:%s=%s(%d)", op, err == 0 ? "ok" : strerror(err), err);
  tech_append(t, text);
}

static inline void tech_end(technique *t) {
  ++g_techniques;
  if (t->escaped) ++g_escaped;
  /* The line is assembled first so its name, verdict and steps stay
   * together even though BLOCKED/ESCAPED is known only at the end. */
  const char *name_end = strchr(t->line, ' ');
  int name_len = name_end ? (int)(name_end - t->line) : (int)strlen(t->line);
  printf("TECH %.*s %s%s\n", name_len, t->line, t->escaped ? "ESCAPED" : "BLOCKED", name_end ? name_end : "");
  fflush(stdout);
}

static inline void finish(void) {
  printf("DONE techniques=%d escaped=%d\n", g_techniques, g_escaped);
  fflush(stdout);
}

/* ---- helpers ---- */

static inline int32_t open_at(int32_t dir, const char *path, size_t len, int32_t lookup, int32_t oflags, int64_t rights,
                       int32_t fdflags, int32_t *fd) {
  *fd = -1;
  return raw_path_open(dir, lookup, path, len, oflags, rights, rights, fdflags, fd);
}

static inline int32_t open_path(const char *path, int32_t oflags, int64_t rights, int32_t *fd) {
  return open_at(JAIL_FD, path, strlen(path), LOOKUP_FOLLOW, oflags, rights, 0, fd);
}

static inline int32_t write_fd(int32_t fd, const char *data) {
  raw_ciovec iov = {(size_t)data, strlen(data)};
  size_t written = 0;
  return raw_fd_write(fd, &iov, 1, &written);
}

/* Reads up to cap-1 bytes (NUL-terminated); returns the errno. */
static inline int32_t read_fd(int32_t fd, char *buf, size_t cap) {
  raw_ciovec iov = {(size_t)buf, cap - 1};
  size_t got = 0;
  int32_t err = raw_fd_read(fd, &iov, 1, &got);
  buf[err == 0 ? got : 0] = 0;
  return err;
}

#endif
