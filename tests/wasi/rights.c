/* Rights, as preview1 defines them (docs/wasi-rights.md): what each kind
 * of descriptor reports, how path_open narrows what is asked, that rights
 * only shrink, and that every function refuses with ENOTCAPABLE when the
 * one right it needs is missing (and works when it is there). */
#include <unistd.h>

#include "check.h"

static uint8_t g_buf[256];

/* ---- one call per fd function, on a file ---- */

static __wasi_errno_t call_advise(__wasi_fd_t fd) { return __wasi_fd_advise(fd, 0, 0, __WASI_ADVICE_NORMAL); }
static __wasi_errno_t call_allocate(__wasi_fd_t fd) { return __wasi_fd_allocate(fd, 0, 16); }
static __wasi_errno_t call_datasync(__wasi_fd_t fd) { return __wasi_fd_datasync(fd); }
static __wasi_errno_t call_set_flags(__wasi_fd_t fd) { return __wasi_fd_fdstat_set_flags(fd, 0); }
static __wasi_errno_t call_filestat_get(__wasi_fd_t fd) {
  __wasi_filestat_t st;
  return __wasi_fd_filestat_get(fd, &st);
}
static __wasi_errno_t call_set_size(__wasi_fd_t fd) { return __wasi_fd_filestat_set_size(fd, 4); }
static __wasi_errno_t call_set_times(__wasi_fd_t fd) {
  return __wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_ATIM_NOW | __WASI_FSTFLAGS_MTIM_NOW);
}
static __wasi_errno_t call_read(__wasi_fd_t fd) {
  __wasi_iovec_t iov = {g_buf, 4};
  __wasi_size_t n;
  return __wasi_fd_read(fd, &iov, 1, &n);
}
static __wasi_errno_t call_pread(__wasi_fd_t fd) {
  __wasi_iovec_t iov = {g_buf, 4};
  __wasi_size_t n;
  return __wasi_fd_pread(fd, &iov, 1, 0, &n);
}
static __wasi_errno_t call_write(__wasi_fd_t fd) {
  __wasi_ciovec_t iov = {(const uint8_t *)"data", 4};
  __wasi_size_t n;
  return __wasi_fd_write(fd, &iov, 1, &n);
}
static __wasi_errno_t call_pwrite(__wasi_fd_t fd) {
  __wasi_ciovec_t iov = {(const uint8_t *)"data", 4};
  __wasi_size_t n;
  return __wasi_fd_pwrite(fd, &iov, 1, 0, &n);
}
static __wasi_errno_t call_seek(__wasi_fd_t fd) {
  __wasi_filesize_t pos;
  return __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos);
}
static __wasi_errno_t call_seek_cur0(__wasi_fd_t fd) {
  __wasi_filesize_t pos;
  return __wasi_fd_seek(fd, 0, __WASI_WHENCE_CUR, &pos);
}
static __wasi_errno_t call_sync(__wasi_fd_t fd) { return __wasi_fd_sync(fd); }
static __wasi_errno_t call_tell(__wasi_fd_t fd) {
  __wasi_filesize_t pos;
  return __wasi_fd_tell(fd, &pos);
}
/* poll_oneoff reports a missing right in the event, not as its result. */
static __wasi_errno_t call_poll(__wasi_fd_t fd, __wasi_eventtype_t type) {
  __wasi_subscription_t sub;
  memset(&sub, 0, sizeof sub);
  sub.userdata = 7;
  sub.u.tag = type;
  sub.u.u.fd_read.file_descriptor = fd;
  __wasi_event_t ev;
  memset(&ev, 0, sizeof ev);
  __wasi_size_t n = 0;
  __wasi_errno_t e = __wasi_poll_oneoff(&sub, &ev, 1, &n);
  if (e != 0) return e;
  if (n != 1) return __WASI_ERRNO_IO;
  return ev.error;
}
static __wasi_errno_t call_poll_read(__wasi_fd_t fd) { return call_poll(fd, __WASI_EVENTTYPE_FD_READ); }
static __wasi_errno_t call_poll_write(__wasi_fd_t fd) { return call_poll(fd, __WASI_EVENTTYPE_FD_WRITE); }

typedef struct {
  const char *name;
  __wasi_rights_t needs; /* each bit alone must be enough to refuse */
  __wasi_errno_t (*call)(__wasi_fd_t);
} fd_case;

static const fd_case kFileCases[] = {
    {"fd_advise", R(FD_ADVISE), call_advise},
    {"fd_allocate", R(FD_ALLOCATE), call_allocate},
    {"fd_datasync", R(FD_DATASYNC), call_datasync},
    {"fd_fdstat_set_flags", R(FD_FDSTAT_SET_FLAGS), call_set_flags},
    {"fd_filestat_get", R(FD_FILESTAT_GET), call_filestat_get},
    {"fd_filestat_set_size", R(FD_FILESTAT_SET_SIZE), call_set_size},
    {"fd_filestat_set_times", R(FD_FILESTAT_SET_TIMES), call_set_times},
    {"fd_read", R(FD_READ), call_read},
    {"fd_pread", R(FD_READ) | R(FD_SEEK), call_pread},
    {"fd_write", R(FD_WRITE), call_write},
    {"fd_pwrite", R(FD_WRITE) | R(FD_SEEK), call_pwrite},
    {"fd_seek", R(FD_SEEK), call_seek},
    {"fd_sync", R(FD_SYNC), call_sync},
    {"fd_tell", R(FD_TELL), call_tell},
    {"poll_oneoff(fd_read)", R(POLL_FD_READWRITE) | R(FD_READ), call_poll_read},
    {"poll_oneoff(fd_write)", R(POLL_FD_READWRITE) | R(FD_WRITE), call_poll_write},
};

static void file_function_rights(void) {
  make_file(SCRATCH, "f.txt", "0123456789");
  for (size_t i = 0; i < sizeof kFileCases / sizeof kFileCases[0]; ++i) {
    const fd_case *c = &kFileCases[i];
    __wasi_fd_t fd;
    /* With every file right: works. */
    EXPECT_OK(open_with(SCRATCH, "f.txt", 0, FILE_RIGHTS, 0, 0, &fd));
    __wasi_errno_t e = c->call(fd);
    EXPECT_TRUE(e == 0, "%s with all file rights = %s(%d)", c->name, errno_name(e), e);
    close_fd(fd);
    for (int bit = 0; bit < 30; ++bit) {
      __wasi_rights_t right = (__wasi_rights_t)1 << bit;
      if (!(c->needs & right)) continue;
      /* Without it from the start (path_open), and after dropping it. */
      EXPECT_OK(open_with(SCRATCH, "f.txt", 0, FILE_RIGHTS & ~right, 0, 0, &fd));
      e = c->call(fd);
      EXPECT_TRUE(e == __WASI_ERRNO_NOTCAPABLE, "%s without right bit %d (opened) = %s(%d)", c->name, bit,
                  errno_name(e), e);
      close_fd(fd);
      EXPECT_OK(open_with(SCRATCH, "f.txt", 0, FILE_RIGHTS, 0, 0, &fd));
      EXPECT_OK(__wasi_fd_fdstat_set_rights(fd, FILE_RIGHTS & ~right, 0));
      e = c->call(fd);
      EXPECT_TRUE(e == __WASI_ERRNO_NOTCAPABLE, "%s without right bit %d (dropped) = %s(%d)", c->name, bit,
                  errno_name(e), e);
      close_fd(fd);
    }
  }
  /* FD_TELL alone is enough for fd_seek(0, CUR), and not for moving. */
  __wasi_fd_t fd;
  EXPECT_OK(open_with(SCRATCH, "f.txt", 0, R(FD_TELL), 0, 0, &fd));
  EXPECT_OK(call_seek_cur0(fd));
  EXPECT_ERRNO(call_seek(fd), __WASI_ERRNO_NOTCAPABLE);
  close_fd(fd);
  EXPECT_OK(__wasi_path_unlink_file(SCRATCH, "f.txt"));
}

/* ---- one call per path function, on a directory ---- */

typedef struct {
  const char *name;
  __wasi_rights_t needs;
  __wasi_errno_t (*call)(__wasi_fd_t dir); /* leaves the directory as it found it when it succeeds */
} dir_case;

static __wasi_errno_t d_readdir(__wasi_fd_t d) {
  __wasi_size_t used;
  return __wasi_fd_readdir(d, g_buf, sizeof g_buf, 0, &used);
}
static __wasi_errno_t d_filestat_get(__wasi_fd_t d) { return call_filestat_get(d); }
static __wasi_errno_t d_set_times(__wasi_fd_t d) { return call_set_times(d); }
static __wasi_errno_t d_mkdir(__wasi_fd_t d) {
  __wasi_errno_t e = __wasi_path_create_directory(d, "newdir");
  if (e == 0) (void)__wasi_path_remove_directory(d, "newdir");
  return e;
}
static __wasi_errno_t d_path_filestat_get(__wasi_fd_t d) {
  __wasi_filestat_t st;
  return __wasi_path_filestat_get(d, 0, "file", &st);
}
static __wasi_errno_t d_path_set_times(__wasi_fd_t d) {
  return __wasi_path_filestat_set_times(d, 0, "file", 0, 0, __WASI_FSTFLAGS_MTIM_NOW);
}
static __wasi_errno_t d_link(__wasi_fd_t d) {
  __wasi_errno_t e = __wasi_path_link(d, 0, "file", d, "hard");
  if (e == 0) (void)__wasi_path_unlink_file(d, "hard");
  return e;
}
static __wasi_errno_t d_open(__wasi_fd_t d) {
  __wasi_fd_t fd;
  __wasi_errno_t e = open_with(d, "file", 0, R(FD_READ), 0, 0, &fd);
  if (e == 0) close_fd(fd);
  return e;
}
static __wasi_errno_t d_open_creat(__wasi_fd_t d) {
  __wasi_fd_t fd;
  __wasi_errno_t e = open_with(d, "created", __WASI_OFLAGS_CREAT, R(FD_READ), 0, 0, &fd);
  if (e == 0) {
    close_fd(fd);
    (void)__wasi_path_unlink_file(d, "created");
  }
  return e;
}
static __wasi_errno_t d_open_trunc(__wasi_fd_t d) {
  __wasi_fd_t fd;
  __wasi_errno_t e = open_with(d, "file", __WASI_OFLAGS_TRUNC, R(FD_WRITE), 0, 0, &fd);
  if (e == 0) close_fd(fd);
  return e;
}
static __wasi_errno_t d_open_dsync(__wasi_fd_t d) {
  __wasi_fd_t fd;
  __wasi_errno_t e = open_with(d, "file", 0, R(FD_READ), 0, __WASI_FDFLAGS_DSYNC, &fd);
  if (e == 0) close_fd(fd);
  return e;
}
static __wasi_errno_t d_open_sync(__wasi_fd_t d) {
  __wasi_fd_t fd;
  __wasi_errno_t e = open_with(d, "file", 0, R(FD_READ), 0, __WASI_FDFLAGS_SYNC, &fd);
  if (e == 0) close_fd(fd);
  return e;
}
static __wasi_errno_t d_readlink(__wasi_fd_t d) {
  __wasi_size_t used;
  return __wasi_path_readlink(d, "symlink", g_buf, sizeof g_buf, &used);
}
static __wasi_errno_t d_rmdir(__wasi_fd_t d) {
  __wasi_errno_t e = __wasi_path_remove_directory(d, "emptydir");
  if (e == 0) (void)__wasi_path_create_directory(d, "emptydir");
  return e;
}
static __wasi_errno_t d_rename(__wasi_fd_t d) {
  __wasi_errno_t e = __wasi_path_rename(d, "file", d, "moved");
  if (e == 0) (void)__wasi_path_rename(d, "moved", d, "file");
  return e;
}
static __wasi_errno_t d_symlink(__wasi_fd_t d) {
  __wasi_errno_t e = __wasi_path_symlink("file", d, "newlink");
  if (e == 0) (void)__wasi_path_unlink_file(d, "newlink");
  return e;
}
static __wasi_errno_t d_unlink(__wasi_fd_t d) {
  __wasi_errno_t e = __wasi_path_unlink_file(d, "victim");
  if (e == 0) make_file(d, "victim", "v");
  return e;
}

/* Rights needed in the inheriting set rather than the base set. */
#define INHERITING_ONLY ((__wasi_rights_t)1 << 63)

static const dir_case kDirCases[] = {
    {"fd_readdir", R(FD_READDIR), d_readdir},
    {"fd_filestat_get(dir)", R(FD_FILESTAT_GET), d_filestat_get},
    {"fd_filestat_set_times(dir)", R(FD_FILESTAT_SET_TIMES), d_set_times},
    {"fd_datasync(dir)", R(FD_DATASYNC), call_datasync},
    {"fd_sync(dir)", R(FD_SYNC), call_sync},
    {"fd_fdstat_set_flags(dir)", R(FD_FDSTAT_SET_FLAGS), call_set_flags},
    {"path_create_directory", R(PATH_CREATE_DIRECTORY), d_mkdir},
    {"path_filestat_get", R(PATH_FILESTAT_GET), d_path_filestat_get},
    {"path_filestat_set_times", R(PATH_FILESTAT_SET_TIMES), d_path_set_times},
    {"path_link", R(PATH_LINK_SOURCE) | R(PATH_LINK_TARGET), d_link},
    {"path_open", R(PATH_OPEN), d_open},
    {"path_open(creat)", R(PATH_OPEN) | R(PATH_CREATE_FILE), d_open_creat},
    {"path_open(trunc)", R(PATH_OPEN) | R(PATH_FILESTAT_SET_SIZE), d_open_trunc},
    {"path_readlink", R(PATH_READLINK), d_readlink},
    {"path_remove_directory", R(PATH_REMOVE_DIRECTORY), d_rmdir},
    {"path_rename", R(PATH_RENAME_SOURCE) | R(PATH_RENAME_TARGET), d_rename},
    {"path_symlink", R(PATH_SYMLINK), d_symlink},
    {"path_unlink_file", R(PATH_UNLINK_FILE), d_unlink},
    {"path_open(dsync)", INHERITING_ONLY | R(FD_DATASYNC), d_open_dsync},
    {"path_open(sync)", INHERITING_ONLY | R(FD_SYNC), d_open_sync},
};

static void dir_function_rights(void) {
  EXPECT_OK(__wasi_path_create_directory(SCRATCH, "w"));
  __wasi_fd_t w;
  EXPECT_OK(open_with(SCRATCH, "w", __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS, ALL_RIGHTS, 0, &w));
  make_file(w, "file", "content");
  make_file(w, "victim", "v");
  EXPECT_OK(__wasi_path_create_directory(w, "emptydir"));
  EXPECT_OK(__wasi_path_symlink("file", w, "symlink"));
  close_fd(w);

  for (size_t i = 0; i < sizeof kDirCases / sizeof kDirCases[0]; ++i) {
    const dir_case *c = &kDirCases[i];
    const int inheriting = (c->needs & INHERITING_ONLY) != 0;
    __wasi_fd_t d;
    EXPECT_OK(open_with(SCRATCH, "w", __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS, ALL_RIGHTS, 0, &d));
    __wasi_errno_t e = c->call(d);
    EXPECT_TRUE(e == 0, "%s with all directory rights = %s(%d)", c->name, errno_name(e), e);
    close_fd(d);
    for (int bit = 0; bit < 30; ++bit) {
      __wasi_rights_t right = (__wasi_rights_t)1 << bit;
      if (!(c->needs & right)) continue;
      __wasi_rights_t base = inheriting ? DIR_RIGHTS : DIR_RIGHTS & ~right;
      __wasi_rights_t inh = inheriting ? ALL_RIGHTS & ~right : ALL_RIGHTS;
      EXPECT_OK(open_with(SCRATCH, "w", __WASI_OFLAGS_DIRECTORY, base, inh, 0, &d));
      e = c->call(d);
      EXPECT_TRUE(e == __WASI_ERRNO_NOTCAPABLE, "%s without right bit %d (opened) = %s(%d)", c->name, bit,
                  errno_name(e), e);
      close_fd(d);
      EXPECT_OK(open_with(SCRATCH, "w", __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS, ALL_RIGHTS, 0, &d));
      EXPECT_OK(__wasi_fd_fdstat_set_rights(d, base, inheriting_rights(d) & inh));
      e = c->call(d);
      EXPECT_TRUE(e == __WASI_ERRNO_NOTCAPABLE, "%s without right bit %d (dropped) = %s(%d)", c->name, bit,
                  errno_name(e), e);
      close_fd(d);
    }
  }
  /* path_link and path_rename: the source right on the old directory, the
   * target right on the new one. */
  __wasi_fd_t src, dst;
  EXPECT_OK(open_with(SCRATCH, "w", __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS & ~R(PATH_LINK_TARGET), 0, 0, &src));
  EXPECT_OK(open_with(SCRATCH, "w", __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS & ~R(PATH_LINK_SOURCE), 0, 0, &dst));
  EXPECT_OK(__wasi_path_link(src, 0, "file", dst, "hard"));
  EXPECT_ERRNO(__wasi_path_link(dst, 0, "file", src, "hard2"), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_OK(__wasi_path_unlink_file(src, "hard"));
  close_fd(src);
  close_fd(dst);
  EXPECT_OK(open_with(SCRATCH, "w", __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS & ~R(PATH_RENAME_TARGET), 0, 0, &src));
  EXPECT_OK(open_with(SCRATCH, "w", __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS & ~R(PATH_RENAME_SOURCE), 0, 0, &dst));
  EXPECT_OK(__wasi_path_rename(src, "file", dst, "file2"));
  EXPECT_ERRNO(__wasi_path_rename(dst, "file2", src, "file"), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_OK(__wasi_path_rename(src, "file2", dst, "file"));
  close_fd(src);
  close_fd(dst);

  EXPECT_OK(open_with(SCRATCH, "w", __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS, ALL_RIGHTS, 0, &w));
  EXPECT_OK(__wasi_path_unlink_file(w, "file"));
  EXPECT_OK(__wasi_path_unlink_file(w, "victim"));
  EXPECT_OK(__wasi_path_unlink_file(w, "symlink"));
  EXPECT_OK(__wasi_path_remove_directory(w, "emptydir"));
  close_fd(w);
  EXPECT_OK(__wasi_path_remove_directory(SCRATCH, "w"));
}

/* ---- what descriptors report ---- */

static void preopen_rights(void) {
  __wasi_fdstat_t st;
  EXPECT_OK(__wasi_fd_fdstat_get(SCRATCH, &st));
  EXPECT_TRUE(st.fs_filetype == __WASI_FILETYPE_DIRECTORY, "filetype %d", st.fs_filetype);
  EXPECT_TRUE(st.fs_rights_base == DIR_RIGHTS, "preopen base %llx, want %llx",
              (unsigned long long)st.fs_rights_base, (unsigned long long)DIR_RIGHTS);
  EXPECT_TRUE(st.fs_rights_inheriting == (DIR_RIGHTS | FILE_RIGHTS), "preopen inheriting %llx",
              (unsigned long long)st.fs_rights_inheriting);
  /* A directory neither reads, writes, seeks nor resizes. */
  EXPECT_TRUE((st.fs_rights_base & (R(FD_READ) | R(FD_WRITE) | R(FD_SEEK) | R(FD_TELL) | R(FD_FILESTAT_SET_SIZE))) ==
                  0,
              "preopen base %llx", (unsigned long long)st.fs_rights_base);

  /* Reopening "." with the preopen's own rights works, with or without
   * OFLAGS_DIRECTORY, and grants exactly those rights. */
  __wasi_fd_t fd;
  EXPECT_OK(open_with(SCRATCH, ".", 0, st.fs_rights_base, st.fs_rights_inheriting, 0, &fd));
  EXPECT_TRUE(base_rights(fd) == st.fs_rights_base, "reopened base %llx", (unsigned long long)base_rights(fd));
  EXPECT_TRUE(inheriting_rights(fd) == st.fs_rights_inheriting, "reopened inheriting %llx",
              (unsigned long long)inheriting_rights(fd));
  close_fd(fd);
  EXPECT_OK(open_with(SCRATCH, ".", __WASI_OFLAGS_DIRECTORY, st.fs_rights_base, st.fs_rights_inheriting, 0, &fd));
  close_fd(fd);
  EXPECT_OK(open_with(SCRATCH, ".", 0, 0, 0, 0, &fd));
  EXPECT_TRUE(base_rights(fd) == 0 && inheriting_rights(fd) == 0, "rights %llx/%llx",
              (unsigned long long)base_rights(fd), (unsigned long long)inheriting_rights(fd));
  close_fd(fd);
  EXPECT_OK(open_with(SCRATCH, ".", __WASI_OFLAGS_DIRECTORY, R(FD_READ), 0, 0, &fd));
  close_fd(fd);

  /* A read-only preopen has no write-side right, base or inheriting. */
  EXPECT_OK(__wasi_fd_fdstat_get(RO_DIR, &st));
  EXPECT_TRUE(st.fs_rights_base == (DIR_RIGHTS & ~WRITE_SIDE_RIGHTS), "ro base %llx",
              (unsigned long long)st.fs_rights_base);
  EXPECT_TRUE(st.fs_rights_inheriting == ((DIR_RIGHTS | FILE_RIGHTS) & ~WRITE_SIDE_RIGHTS), "ro inheriting %llx",
              (unsigned long long)st.fs_rights_inheriting);

  /* stdout: a stream, no position. */
  EXPECT_OK(__wasi_fd_fdstat_get(1, &st));
  EXPECT_TRUE((st.fs_rights_base & R(FD_WRITE)) != 0, "stdout base %llx", (unsigned long long)st.fs_rights_base);
  EXPECT_TRUE((st.fs_rights_base & (R(FD_SEEK) | R(FD_TELL))) == 0, "stdout base %llx",
              (unsigned long long)st.fs_rights_base);
  EXPECT_ERRNO(call_seek(1), __WASI_ERRNO_SPIPE);
}

static void path_open_narrows(void) {
  __wasi_fd_t fd, d;
  /* A file gets what it asked within what a file supports; it inherits
   * nothing. */
  EXPECT_OK(open_with(SCRATCH, "n.txt", __WASI_OFLAGS_CREAT, R(FD_READ) | R(FD_WRITE) | R(FD_SEEK) | R(PATH_OPEN),
                      ALL_RIGHTS, 0, &fd));
  EXPECT_TRUE(base_rights(fd) == (R(FD_READ) | R(FD_WRITE) | R(FD_SEEK)), "file base %llx",
              (unsigned long long)base_rights(fd));
  EXPECT_TRUE(inheriting_rights(fd) == 0, "file inheriting %llx", (unsigned long long)inheriting_rights(fd));
  close_fd(fd);
  EXPECT_OK(open_with(SCRATCH, "n.txt", 0, ~(__wasi_rights_t)0 & ~R(FD_WRITE), ~(__wasi_rights_t)0, 0, &fd));
  EXPECT_TRUE(base_rights(fd) == (FILE_RIGHTS & ~R(FD_WRITE)), "file base %llx",
              (unsigned long long)base_rights(fd));
  close_fd(fd);

  /* A directory opened with FD_SEEK does not report it, and cannot seek. */
  EXPECT_OK(__wasi_path_create_directory(SCRATCH, "sd"));
  EXPECT_OK(open_with(SCRATCH, "sd", __WASI_OFLAGS_DIRECTORY, R(FD_SEEK) | R(PATH_OPEN), 0, 0, &d));
  EXPECT_TRUE(base_rights(d) == R(PATH_OPEN), "dir base %llx", (unsigned long long)base_rights(d));
  close_fd(d);

  /* The parent's inheriting rights bound what is granted beneath it. */
  EXPECT_OK(open_with(SCRATCH, "sd", __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS,
                      (DIR_RIGHTS | FILE_RIGHTS) & ~(R(FD_WRITE) | R(FD_SEEK)), 0, &d));
  make_file(SCRATCH, "sd/in.txt", "inside");
  EXPECT_OK(open_with(d, "in.txt", 0, R(FD_READ) | R(FD_WRITE) | R(FD_SEEK), 0, 0, &fd));
  EXPECT_TRUE(base_rights(fd) == R(FD_READ), "narrowed base %llx", (unsigned long long)base_rights(fd));
  EXPECT_ERRNO(call_write(fd), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERRNO(call_seek(fd), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_OK(call_read(fd));
  close_fd(fd);
  /* ...and what a directory beneath it may pass on again. */
  __wasi_fd_t d2;
  EXPECT_OK(open_with(d, ".", __WASI_OFLAGS_DIRECTORY, ALL_RIGHTS, ALL_RIGHTS, 0, &d2));
  EXPECT_TRUE((inheriting_rights(d2) & (R(FD_WRITE) | R(FD_SEEK))) == 0, "grandchild inheriting %llx",
              (unsigned long long)inheriting_rights(d2));
  close_fd(d2);
  /* Without PATH_FILESTAT_SET_SIZE a directory cannot truncate. */
  EXPECT_OK(__wasi_fd_fdstat_set_rights(d, DIR_RIGHTS & ~R(PATH_FILESTAT_SET_SIZE), inheriting_rights(d)));
  EXPECT_ERRNO(open_with(d, "in.txt", __WASI_OFLAGS_TRUNC, 0, 0, 0, &fd), __WASI_ERRNO_NOTCAPABLE);
  /* ...unless the new descriptor gets FD_FILESTAT_SET_SIZE, with which it
   * could truncate anyway; not when the parent cannot pass that on. */
  EXPECT_OK(open_with(d, "in.txt", __WASI_OFLAGS_TRUNC, R(FD_FILESTAT_SET_SIZE), 0, 0, &fd));
  close_fd(fd);
  EXPECT_OK(__wasi_fd_fdstat_set_rights(d, base_rights(d), inheriting_rights(d) & ~R(FD_FILESTAT_SET_SIZE)));
  EXPECT_ERRNO(open_with(d, "in.txt", __WASI_OFLAGS_TRUNC, R(FD_FILESTAT_SET_SIZE), 0, 0, &fd),
               __WASI_ERRNO_NOTCAPABLE);
  close_fd(d);
  EXPECT_OK(__wasi_path_unlink_file(SCRATCH, "sd/in.txt"));
  EXPECT_OK(__wasi_path_remove_directory(SCRATCH, "sd"));
  EXPECT_OK(__wasi_path_unlink_file(SCRATCH, "n.txt"));
}

/* wasi-testsuite fd_fdstat_set_rights: rights only shrink. */
static void set_rights_only_shrinks(void) {
  __wasi_fd_t fd;
  EXPECT_OK(open_with(SCRATCH, "s.txt", __WASI_OFLAGS_CREAT, R(FD_READ) | R(FD_WRITE) | R(FD_SEEK) | R(FD_TELL), 0,
                      0, &fd));
  EXPECT_OK(call_write(fd));
  EXPECT_OK(call_seek(fd));
  EXPECT_OK(call_read(fd));
  EXPECT_OK(__wasi_fd_fdstat_set_rights(fd, R(FD_SEEK) | R(FD_TELL), 0));
  EXPECT_TRUE(base_rights(fd) == (R(FD_SEEK) | R(FD_TELL)), "base %llx", (unsigned long long)base_rights(fd));
  EXPECT_ERRNO(call_read(fd), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERRNO(call_write(fd), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_OK(call_seek(fd));
  /* Growing back, or asking for bits no descriptor has, is ENOTCAPABLE. */
  EXPECT_ERRNO(__wasi_fd_fdstat_set_rights(fd, R(FD_SEEK) | R(FD_TELL) | R(FD_READ), 0), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERRNO(__wasi_fd_fdstat_set_rights(fd, R(FD_SEEK), R(FD_READ)), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERRNO(__wasi_fd_fdstat_set_rights(fd, R(FD_SEEK) | ((__wasi_rights_t)1 << 40), 0),
               __WASI_ERRNO_NOTCAPABLE);
  EXPECT_OK(__wasi_fd_fdstat_set_rights(fd, R(FD_SEEK), 0));
  EXPECT_OK(__wasi_fd_fdstat_set_rights(fd, 0, 0));
  EXPECT_ERRNO(call_seek(fd), __WASI_ERRNO_NOTCAPABLE);
  close_fd(fd);
  /* A preopen shrinks too, and what it opens afterwards is bounded. */
  __wasi_fd_t d;
  EXPECT_OK(open_with(SCRATCH, ".", __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS, ALL_RIGHTS, 0, &d));
  EXPECT_OK(__wasi_fd_fdstat_set_rights(d, DIR_RIGHTS & ~R(PATH_OPEN), inheriting_rights(d)));
  EXPECT_ERRNO(open_with(d, "s.txt", 0, R(FD_READ), 0, 0, &fd), __WASI_ERRNO_NOTCAPABLE);
  close_fd(d);
  EXPECT_OK(__wasi_path_unlink_file(SCRATCH, "s.txt"));
}

/* A read-only preopen: by rights, and by the host. */
static void read_only_preopen(void) {
  __wasi_fd_t fd;
  EXPECT_OK(open_with(RO_DIR, "ro.txt", 0, ALL_RIGHTS & ~R(FD_WRITE), ALL_RIGHTS, 0, &fd));
  EXPECT_TRUE((base_rights(fd) & WRITE_SIDE_RIGHTS) == 0, "ro file base %llx", (unsigned long long)base_rights(fd));
  EXPECT_OK(call_read(fd));
  EXPECT_ERRNO(call_write(fd), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERRNO(call_set_size(fd), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERRNO(call_allocate(fd), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERRNO(call_set_times(fd), __WASI_ERRNO_NOTCAPABLE);
  close_fd(fd);
  /* An explicit request to write is EROFS, as on a read-only mount. */
  EXPECT_ERRNO(open_with(RO_DIR, "ro.txt", 0, R(FD_READ) | R(FD_WRITE), 0, 0, &fd), __WASI_ERRNO_ROFS);
  EXPECT_ERRNO(open_with(RO_DIR, "ro.txt", __WASI_OFLAGS_TRUNC, R(FD_READ), 0, 0, &fd), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERRNO(open_with(RO_DIR, "new.txt", __WASI_OFLAGS_CREAT, R(FD_READ), 0, 0, &fd), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERRNO(__wasi_path_create_directory(RO_DIR, "d"), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERRNO(__wasi_path_unlink_file(RO_DIR, "ro.txt"), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERRNO(__wasi_path_remove_directory(RO_DIR, "sub"), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERRNO(__wasi_path_symlink("ro.txt", RO_DIR, "l"), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERRNO(__wasi_path_rename(RO_DIR, "ro.txt", RO_DIR, "moved"), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERRNO(__wasi_path_link(RO_DIR, 0, "ro.txt", RO_DIR, "hard"), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERRNO(__wasi_path_filestat_set_times(RO_DIR, 0, "ro.txt", 0, 0, __WASI_FSTFLAGS_MTIM_NOW),
               __WASI_ERRNO_NOTCAPABLE);
  /* A directory opened beneath it inherits the restriction. */
  __wasi_fd_t sub;
  EXPECT_OK(open_with(RO_DIR, "sub", __WASI_OFLAGS_DIRECTORY, ALL_RIGHTS, ALL_RIGHTS, 0, &sub));
  EXPECT_TRUE((base_rights(sub) & WRITE_SIDE_RIGHTS) == 0, "ro sub base %llx", (unsigned long long)base_rights(sub));
  EXPECT_TRUE((inheriting_rights(sub) & WRITE_SIDE_RIGHTS) == 0, "ro sub inheriting %llx",
              (unsigned long long)inheriting_rights(sub));
  EXPECT_ERRNO(__wasi_path_create_directory(sub, "d"), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERRNO(open_with(sub, "x", __WASI_OFLAGS_CREAT, R(FD_READ), 0, 0, &fd), __WASI_ERRNO_NOTCAPABLE);
  close_fd(sub);
}

/* Go's syscall (fs_wasip1.go) opens directories asking
 * (fileRights &^ writeRights) & dirRights, which lacks
 * PATH_FILESTAT_SET_SIZE, and os.Root.WriteFile then creates and truncates
 * beneath one asking fileRights &^ readRights: that must work. */
#define GO_FILE_RIGHTS                                                                                     \
  (R(FD_DATASYNC) | R(FD_READ) | R(FD_SEEK) | R(FD_FDSTAT_SET_FLAGS) | R(FD_SYNC) | R(FD_TELL) |         \
   R(FD_WRITE) | R(FD_ADVISE) | R(FD_ALLOCATE) | R(PATH_CREATE_DIRECTORY) | R(PATH_CREATE_FILE) |        \
   R(PATH_LINK_SOURCE) | R(PATH_LINK_TARGET) | R(PATH_OPEN) | R(FD_READDIR) | R(PATH_READLINK) |        \
   R(PATH_RENAME_SOURCE) | R(PATH_RENAME_TARGET) | R(PATH_FILESTAT_GET) | R(PATH_FILESTAT_SET_SIZE) |   \
   R(PATH_FILESTAT_SET_TIMES) | R(FD_FILESTAT_GET) | R(FD_FILESTAT_SET_SIZE) | R(FD_FILESTAT_SET_TIMES) | \
   R(PATH_SYMLINK) | R(PATH_REMOVE_DIRECTORY) | R(PATH_UNLINK_FILE) | R(POLL_FD_READWRITE))
#define GO_READ_RIGHTS (R(FD_READ) | R(FD_READDIR))
#define GO_WRITE_RIGHTS (R(FD_DATASYNC) | R(FD_WRITE) | R(FD_ALLOCATE) | R(PATH_FILESTAT_SET_SIZE))
#define GO_DIR_RIGHTS (GO_FILE_RIGHTS & ~(R(FD_READ) | R(FD_WRITE) | R(FD_TELL) | R(FD_ADVISE) | R(FD_ALLOCATE) | \
                                        R(FD_DATASYNC) | R(FD_FILESTAT_SET_SIZE) | R(POLL_FD_READWRITE)))

static void go_style_opens(void) {
  __wasi_fd_t root, fd;
  EXPECT_OK(__wasi_path_create_directory(SCRATCH, "goroot"));
  EXPECT_OK(open_with(SCRATCH, "goroot", __WASI_OFLAGS_DIRECTORY, (GO_FILE_RIGHTS & ~GO_WRITE_RIGHTS) & GO_DIR_RIGHTS,
                      GO_FILE_RIGHTS, 0, &root));
  EXPECT_TRUE((base_rights(root) & R(PATH_FILESTAT_SET_SIZE)) == 0, "root base %llx",
              (unsigned long long)base_rights(root));
  /* os.Root.WriteFile: O_WRONLY|O_CREATE|O_TRUNC. */
  for (int i = 0; i < 2; ++i) {
    EXPECT_OK(open_with(root, "f.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, GO_FILE_RIGHTS & ~GO_READ_RIGHTS,
                        GO_FILE_RIGHTS, 0, &fd));
    EXPECT_OK(call_write(fd));
    close_fd(fd);
  }
  /* os.Open of a file (O_RDONLY) and of a directory without O_DIRECTORY. */
  EXPECT_OK(open_with(root, "f.txt", 0, GO_FILE_RIGHTS & ~GO_WRITE_RIGHTS, GO_FILE_RIGHTS, 0, &fd));
  EXPECT_OK(call_read(fd));
  EXPECT_ERRNO(call_write(fd), __WASI_ERRNO_NOTCAPABLE);
  close_fd(fd);
  EXPECT_OK(open_with(SCRATCH, "goroot", 0, GO_FILE_RIGHTS & ~GO_WRITE_RIGHTS, GO_FILE_RIGHTS, 0, &fd));
  close_fd(fd);
  /* os.OpenFile(dir, O_RDWR): EISDIR, which Go passes on. */
  EXPECT_ERRNO(open_with(SCRATCH, "goroot", 0, GO_FILE_RIGHTS, GO_FILE_RIGHTS, 0, &fd), __WASI_ERRNO_ISDIR);
  EXPECT_OK(__wasi_path_unlink_file(root, "f.txt"));
  close_fd(root);
  EXPECT_OK(__wasi_path_remove_directory(SCRATCH, "goroot"));
}

/* The host runs this guest with the null stream as stdin and memory streams
 * as stdout and stderr: none is a terminal, whatever wasi-libc's isatty()
 * infers from fd_fdstat_get (a character device without FD_SEEK/FD_TELL). */
static void stdio_is_not_a_terminal(void) {
  for (int fd = 0; fd < 3; ++fd) EXPECT_TRUE(!isatty(fd), "isatty(%d)", fd);
}

int main(void) {
  stdio_is_not_a_terminal();
  preopen_rights();
  path_open_narrows();
  set_rights_only_shrinks();
  file_function_rights();
  dir_function_rights();
  read_only_preopen();
  go_style_opens();
  return finish("rights");
}
