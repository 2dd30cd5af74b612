/* Shared by the WASI fidelity guests (tests/wasi/ rights.c and paths.c, built with clang
 * --target=wasm32-wasi and run by tests/wasi/wasi_rights_test.cc on every
 * tier). Each guest calls the raw preview1 functions (wasi-libc's
 * __wasi_* wrappers in <wasi/api.h>) with exact arguments and checks the
 * exact errno itself: a mismatch prints one FAIL line naming the call,
 * what came back and what was expected, and makes the guest exit 1.
 *
 * The host preopens an empty scratch directory as fd 3 ("/") and a
 * read-only directory as fd 4 ("/ro": ro.txt, sub/). The guests clean up
 * what they create in the scratch directory. */
#ifndef WASMRT_TESTS_WASI_CHECK_H
#define WASMRT_TESTS_WASI_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

#define SCRATCH 3
#define RO_DIR 4

static int g_checks;
static int g_failures;

static const char *errno_name(__wasi_errno_t e) {
  switch (e) {
    case 0: return "SUCCESS";
    case __WASI_ERRNO_BADF: return "BADF";
    case __WASI_ERRNO_EXIST: return "EXIST";
    case __WASI_ERRNO_INVAL: return "INVAL";
    case __WASI_ERRNO_ISDIR: return "ISDIR";
    case __WASI_ERRNO_NOENT: return "NOENT";
    case __WASI_ERRNO_NOTDIR: return "NOTDIR";
    case __WASI_ERRNO_NOTEMPTY: return "NOTEMPTY";
    case __WASI_ERRNO_NOTCAPABLE: return "NOTCAPABLE";
    case __WASI_ERRNO_PERM: return "PERM";
    case __WASI_ERRNO_ROFS: return "ROFS";
    case __WASI_ERRNO_SPIPE: return "SPIPE";
    case __WASI_ERRNO_XDEV: return "XDEV";
    default: return "other";
  }
}

/* The call must give exactly `want`. */
#define EXPECT_ERRNO(call, want)                                                                         \
  do {                                                                                                   \
    __wasi_errno_t got_ = (call);                                                                        \
    ++g_checks;                                                                                          \
    if (got_ != (want)) {                                                                                \
      ++g_failures;                                                                                      \
      printf("FAIL %s:%d: %s = %s(%d), want %s(%d)\n", __FILE__, __LINE__, #call, errno_name(got_), got_, \
             errno_name(want), (int)(want));                                                             \
    }                                                                                                    \
  } while (0)
#define EXPECT_OK(call) EXPECT_ERRNO(call, 0)

/* A condition that must hold. */
#define EXPECT_TRUE(cond, ...)                                      \
  do {                                                              \
    ++g_checks;                                                     \
    if (!(cond)) {                                                  \
      ++g_failures;                                                 \
      printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);        \
      printf(__VA_ARGS__);                                          \
      printf("\n");                                                 \
    }                                                               \
  } while (0)

static inline int finish(const char *guest) {
  printf("%s: %d checks, %d failures\n", guest, g_checks, g_failures);
  fflush(stdout);
  return g_failures == 0 ? 0 : 1;
}

/* ---- rights (typenames.witx) ---- */
#define R(name) __WASI_RIGHTS_##name
#define ALL_RIGHTS ((__wasi_rights_t)((1ull << 30) - 1))
/* What each descriptor type supports (wasi/rights.h, docs/wasi-rights.md). */
#define FILE_RIGHTS                                                                                                 \
  (R(FD_DATASYNC) | R(FD_READ) | R(FD_SEEK) | R(FD_FDSTAT_SET_FLAGS) | R(FD_SYNC) | R(FD_TELL) | R(FD_WRITE) |     \
   R(FD_ADVISE) | R(FD_ALLOCATE) | R(FD_FILESTAT_GET) | R(FD_FILESTAT_SET_SIZE) | R(FD_FILESTAT_SET_TIMES) |       \
   R(POLL_FD_READWRITE))
#define DIR_RIGHTS                                                                                                  \
  (R(FD_DATASYNC) | R(FD_FDSTAT_SET_FLAGS) | R(FD_SYNC) | R(PATH_CREATE_DIRECTORY) | R(PATH_CREATE_FILE) |         \
   R(PATH_LINK_SOURCE) | R(PATH_LINK_TARGET) | R(PATH_OPEN) | R(FD_READDIR) | R(PATH_READLINK) |                   \
   R(PATH_RENAME_SOURCE) | R(PATH_RENAME_TARGET) | R(PATH_FILESTAT_GET) | R(PATH_FILESTAT_SET_SIZE) |              \
   R(PATH_FILESTAT_SET_TIMES) | R(FD_FILESTAT_GET) | R(FD_FILESTAT_SET_TIMES) | R(PATH_SYMLINK) |                  \
   R(PATH_REMOVE_DIRECTORY) | R(PATH_UNLINK_FILE))
#define WRITE_SIDE_RIGHTS                                                                                           \
  (R(FD_WRITE) | R(FD_ALLOCATE) | R(FD_FILESTAT_SET_SIZE) | R(FD_FILESTAT_SET_TIMES) | R(PATH_CREATE_DIRECTORY) | \
   R(PATH_CREATE_FILE) | R(PATH_LINK_SOURCE) | R(PATH_LINK_TARGET) | R(PATH_RENAME_SOURCE) |                       \
   R(PATH_RENAME_TARGET) | R(PATH_FILESTAT_SET_SIZE) | R(PATH_FILESTAT_SET_TIMES) | R(PATH_SYMLINK) |              \
   R(PATH_REMOVE_DIRECTORY) | R(PATH_UNLINK_FILE))

/* ---- helpers ---- */

static inline __wasi_errno_t open_with(__wasi_fd_t dir, const char *path, __wasi_oflags_t oflags,
                                       __wasi_rights_t base, __wasi_rights_t inheriting, __wasi_fdflags_t fdflags,
                                       __wasi_fd_t *fd) {
  *fd = (__wasi_fd_t)-1;
  return __wasi_path_open(dir, 0, path, oflags, base, inheriting, fdflags, fd);
}

static inline __wasi_rights_t base_rights(__wasi_fd_t fd) {
  __wasi_fdstat_t st;
  memset(&st, 0, sizeof st);
  if (__wasi_fd_fdstat_get(fd, &st) != 0) return 0;
  return st.fs_rights_base;
}
static inline __wasi_rights_t inheriting_rights(__wasi_fd_t fd) {
  __wasi_fdstat_t st;
  memset(&st, 0, sizeof st);
  if (__wasi_fd_fdstat_get(fd, &st) != 0) return 0;
  return st.fs_rights_inheriting;
}

/* Closes a descriptor the guest opened; that must work. */
#define close_fd(fd) EXPECT_OK(__wasi_fd_close(fd))

/* Creates (or empties) `path` in dir with `content`. */
static inline void make_file(__wasi_fd_t dir, const char *path, const char *content) {
  __wasi_fd_t fd;
  __wasi_errno_t e = open_with(dir, path, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, R(FD_WRITE), 0, 0, &fd);
  if (e != 0) {
    printf("FAIL setup: create %s = %s(%d)\n", path, errno_name(e), e);
    ++g_failures;
    return;
  }
  __wasi_ciovec_t iov = {(const uint8_t *)content, strlen(content)};
  __wasi_size_t n;
  if (content[0]) (void)__wasi_fd_write(fd, &iov, 1, &n);
  (void)__wasi_fd_close(fd);
}

#endif
