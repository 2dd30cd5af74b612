/* Directory and path semantics: directories have no position, trailing
 * slashes on new names behave as POSIX says, a directory never opens for
 * writing, a preopen's "." reopens with its own rights; and the
 * wasi-testsuite / wasmtime programs this was first seen failing in. */
#include "check.h"

static uint8_t g_buf[256];

static __wasi_errno_t seek(__wasi_fd_t fd, __wasi_whence_t whence) {
  __wasi_filesize_t pos;
  return __wasi_fd_seek(fd, 0, whence, &pos);
}
static __wasi_errno_t tell(__wasi_fd_t fd) {
  __wasi_filesize_t pos;
  return __wasi_fd_tell(fd, &pos);
}
static __wasi_errno_t is_missing(const char *path) {
  __wasi_filestat_t st;
  return __wasi_path_filestat_get(SCRATCH, 0, path, &st) == __WASI_ERRNO_NOENT ? 0 : __WASI_ERRNO_EXIST;
}

static void directories_have_no_position(void) {
  EXPECT_ERRNO(seek(SCRATCH, __WASI_WHENCE_CUR), __WASI_ERRNO_BADF);
  EXPECT_ERRNO(tell(SCRATCH), __WASI_ERRNO_BADF);
  EXPECT_OK(__wasi_path_create_directory(SCRATCH, "dir"));
  __wasi_fd_t d;
  /* wasi-testsuite directory_seek: opened asking FD_SEEK. */
  EXPECT_OK(open_with(SCRATCH, "dir", __WASI_OFLAGS_DIRECTORY, R(FD_SEEK), 0, 0, &d));
  EXPECT_TRUE((base_rights(d) & R(FD_SEEK)) == 0, "directory reports FD_SEEK");
  EXPECT_ERRNO(seek(d, __WASI_WHENCE_CUR), __WASI_ERRNO_BADF);
  EXPECT_ERRNO(seek(d, __WASI_WHENCE_SET), __WASI_ERRNO_BADF);
  EXPECT_ERRNO(seek(d, __WASI_WHENCE_END), __WASI_ERRNO_BADF);
  EXPECT_ERRNO(tell(d), __WASI_ERRNO_BADF);
  __wasi_fdstat_t st;
  EXPECT_OK(__wasi_fd_fdstat_get(d, &st));
  EXPECT_TRUE(st.fs_filetype == __WASI_FILETYPE_DIRECTORY, "filetype %d", st.fs_filetype);
  close_fd(d);
  /* Reading and writing a directory (dir_fd_op_failures). */
  EXPECT_OK(open_with(SCRATCH, "dir", __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS, ALL_RIGHTS, 0, &d));
  __wasi_iovec_t iov = {g_buf, sizeof g_buf};
  __wasi_ciovec_t ciov = {g_buf, 4};
  __wasi_size_t n;
  EXPECT_ERRNO(__wasi_fd_read(d, &iov, 1, &n), __WASI_ERRNO_ISDIR);
  EXPECT_ERRNO(__wasi_fd_pread(d, &iov, 1, 0, &n), __WASI_ERRNO_ISDIR);
  EXPECT_ERRNO(__wasi_fd_write(d, &ciov, 1, &n), __WASI_ERRNO_ISDIR);
  EXPECT_ERRNO(__wasi_fd_pwrite(d, &ciov, 1, 0, &n), __WASI_ERRNO_ISDIR);
  EXPECT_ERRNO(__wasi_fd_allocate(d, 0, 1), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERRNO(__wasi_fd_filestat_set_size(d, 0), __WASI_ERRNO_NOTCAPABLE);
  close_fd(d);
  EXPECT_OK(__wasi_path_remove_directory(SCRATCH, "dir"));
}

static void directories_never_open_for_writing(void) {
  __wasi_fd_t fd;
  EXPECT_OK(__wasi_path_create_directory(SCRATCH, "dir"));
  /* With or without OFLAGS_DIRECTORY, FD_WRITE on a directory is EISDIR. */
  EXPECT_ERRNO(open_with(SCRATCH, "dir", __WASI_OFLAGS_DIRECTORY, R(FD_READ) | R(FD_WRITE), 0, 0, &fd),
               __WASI_ERRNO_ISDIR);
  EXPECT_ERRNO(open_with(SCRATCH, "dir", 0, R(FD_READ) | R(FD_WRITE), 0, 0, &fd), __WASI_ERRNO_ISDIR);
  EXPECT_ERRNO(open_with(SCRATCH, "dir", 0, R(FD_WRITE), 0, 0, &fd), __WASI_ERRNO_ISDIR);
  EXPECT_ERRNO(open_with(SCRATCH, ".", __WASI_OFLAGS_DIRECTORY, R(FD_WRITE), 0, 0, &fd), __WASI_ERRNO_ISDIR);
  /* Reading rights are fine either way. */
  EXPECT_OK(open_with(SCRATCH, "dir", 0, R(FD_READ) | R(FD_READDIR), 0, 0, &fd));
  close_fd(fd);
  EXPECT_OK(open_with(SCRATCH, "dir", __WASI_OFLAGS_DIRECTORY, R(FD_READ), 0, 0, &fd));
  close_fd(fd);
  /* A directory is neither created nor truncated by path_open. */
  EXPECT_ERRNO(open_with(SCRATCH, "dir", __WASI_OFLAGS_DIRECTORY | __WASI_OFLAGS_TRUNC, 0, 0, 0, &fd),
               __WASI_ERRNO_INVAL);
  EXPECT_ERRNO(open_with(SCRATCH, "nd", __WASI_OFLAGS_DIRECTORY | __WASI_OFLAGS_CREAT, 0, 0, 0, &fd),
               __WASI_ERRNO_INVAL);
  /* A file named with OFLAGS_DIRECTORY is ENOTDIR, write rights or not. */
  make_file(SCRATCH, "file", "x");
  EXPECT_ERRNO(open_with(SCRATCH, "file", __WASI_OFLAGS_DIRECTORY, R(FD_WRITE), 0, 0, &fd), __WASI_ERRNO_NOTDIR);
  EXPECT_ERRNO(open_with(SCRATCH, "file", __WASI_OFLAGS_DIRECTORY, 0, 0, 0, &fd), __WASI_ERRNO_NOTDIR);
  EXPECT_OK(__wasi_path_unlink_file(SCRATCH, "file"));
  EXPECT_OK(__wasi_path_remove_directory(SCRATCH, "dir"));
}

/* wasi-testsuite path_open_preopen. */
static void preopen_reopens(void) {
  __wasi_fdstat_t st;
  EXPECT_OK(__wasi_fd_fdstat_get(SCRATCH, &st));
  __wasi_fd_t fd;
  EXPECT_OK(open_with(SCRATCH, ".", 0, st.fs_rights_base, st.fs_rights_inheriting, 0, &fd));
  close_fd(fd);
  EXPECT_OK(open_with(SCRATCH, ".", 0, 0, 0, 0, &fd));
  close_fd(fd);
  EXPECT_OK(open_with(SCRATCH, ".", __WASI_OFLAGS_DIRECTORY, 0, 0, 0, &fd));
  close_fd(fd);
  EXPECT_OK(open_with(SCRATCH, ".", __WASI_OFLAGS_DIRECTORY, R(FD_READ), 0, 0, &fd));
  close_fd(fd);
  EXPECT_ERRNO(open_with(SCRATCH, ".", __WASI_OFLAGS_DIRECTORY, R(FD_READ) | R(FD_WRITE), 0, 0, &fd),
               __WASI_ERRNO_ISDIR);
  /* The rights wasi-libc asks for (everything but the write side, within
   * the parent's inheriting rights) open a directory too. */
  EXPECT_OK(open_with(SCRATCH, ".", __WASI_OFLAGS_DIRECTORY,
                      st.fs_rights_inheriting & ~(R(FD_WRITE) | R(FD_DATASYNC) | R(FD_ALLOCATE) |
                                                  R(FD_FILESTAT_SET_SIZE)),
                      st.fs_rights_inheriting, 0, &fd));
  close_fd(fd);
}

static void trailing_slashes(void) {
  make_file(SCRATCH, "file", "x");
  /* path_link: a new name "link/" must already be a directory. */
  EXPECT_ERRNO(__wasi_path_link(SCRATCH, 0, "file", SCRATCH, "link/"), __WASI_ERRNO_NOENT);
  EXPECT_OK(is_missing("link"));
  EXPECT_OK(__wasi_path_create_directory(SCRATCH, "link"));
  EXPECT_ERRNO(__wasi_path_link(SCRATCH, 0, "file", SCRATCH, "link/"), __WASI_ERRNO_EXIST);
  EXPECT_ERRNO(__wasi_path_link(SCRATCH, 0, "file", SCRATCH, "link"), __WASI_ERRNO_EXIST);
  EXPECT_OK(__wasi_path_remove_directory(SCRATCH, "link"));
  make_file(SCRATCH, "link", "y");
  EXPECT_ERRNO(__wasi_path_link(SCRATCH, 0, "file", SCRATCH, "link/"), __WASI_ERRNO_NOTDIR);
  EXPECT_OK(__wasi_path_unlink_file(SCRATCH, "link"));
  /* ...and an old name "file/" must be a directory. */
  EXPECT_ERRNO(__wasi_path_link(SCRATCH, 0, "file/", SCRATCH, "link"), __WASI_ERRNO_NOTDIR);
  EXPECT_OK(is_missing("link"));
  EXPECT_OK(__wasi_path_link(SCRATCH, 0, "file", SCRATCH, "link"));
  EXPECT_OK(__wasi_path_unlink_file(SCRATCH, "link"));

  /* path_symlink (wasi-testsuite path_symlink_trailing_slashes). */
  EXPECT_ERRNO(__wasi_path_symlink("source", SCRATCH, "target/"), __WASI_ERRNO_NOENT);
  EXPECT_OK(is_missing("target"));
  EXPECT_OK(__wasi_path_symlink("source", SCRATCH, "target"));
  EXPECT_OK(__wasi_path_unlink_file(SCRATCH, "target"));
  EXPECT_OK(__wasi_path_create_directory(SCRATCH, "target"));
  EXPECT_ERRNO(__wasi_path_symlink("source", SCRATCH, "target/"), __WASI_ERRNO_EXIST);
  EXPECT_ERRNO(__wasi_path_symlink("source", SCRATCH, "target"), __WASI_ERRNO_EXIST);
  EXPECT_OK(__wasi_path_remove_directory(SCRATCH, "target"));
  make_file(SCRATCH, "target", "z");
  EXPECT_ERRNO(__wasi_path_symlink("source", SCRATCH, "target/"), __WASI_ERRNO_NOTDIR);
  EXPECT_ERRNO(__wasi_path_symlink("source", SCRATCH, "target"), __WASI_ERRNO_EXIST);
  EXPECT_OK(__wasi_path_unlink_file(SCRATCH, "target"));

  /* path_rename (wasi-testsuite path_rename_dir_trailing_slashes): fine on
   * directories, ENOTDIR on files. */
  EXPECT_OK(__wasi_path_create_directory(SCRATCH, "source"));
  EXPECT_OK(__wasi_path_rename(SCRATCH, "source/", SCRATCH, "target"));
  EXPECT_OK(__wasi_path_rename(SCRATCH, "target", SCRATCH, "source/"));
  EXPECT_OK(__wasi_path_rename(SCRATCH, "source/", SCRATCH, "target/"));
  EXPECT_OK(__wasi_path_rename(SCRATCH, "target", SCRATCH, "source"));
  EXPECT_OK(__wasi_path_remove_directory(SCRATCH, "source"));
  EXPECT_ERRNO(__wasi_path_rename(SCRATCH, "file/", SCRATCH, "moved"), __WASI_ERRNO_NOTDIR);
  EXPECT_ERRNO(__wasi_path_rename(SCRATCH, "file", SCRATCH, "moved/"), __WASI_ERRNO_NOTDIR);
  EXPECT_OK(is_missing("moved"));

  /* path_create_directory: "d/" is just d. */
  EXPECT_OK(__wasi_path_create_directory(SCRATCH, "d/"));
  EXPECT_ERRNO(__wasi_path_create_directory(SCRATCH, "d/"), __WASI_ERRNO_EXIST);
  EXPECT_ERRNO(__wasi_path_create_directory(SCRATCH, "file/"), __WASI_ERRNO_EXIST);
  /* unlink and rmdir (wasi-testsuite *_trailing_slashes). */
  EXPECT_ERRNO(__wasi_path_unlink_file(SCRATCH, "file/"), __WASI_ERRNO_NOTDIR);
  EXPECT_ERRNO(__wasi_path_unlink_file(SCRATCH, "d/"), __WASI_ERRNO_ISDIR);
  EXPECT_ERRNO(__wasi_path_remove_directory(SCRATCH, "file/"), __WASI_ERRNO_NOTDIR);
  /* Other lookups: "file/" is not a directory. */
  __wasi_filestat_t st;
  __wasi_fd_t fd;
  EXPECT_ERRNO(__wasi_path_filestat_get(SCRATCH, 0, "file/", &st), __WASI_ERRNO_NOTDIR);
  EXPECT_ERRNO(open_with(SCRATCH, "file/", 0, R(FD_READ), 0, 0, &fd), __WASI_ERRNO_NOTDIR);
  /* Creating "new/" would have to make a directory: EISDIR, as open(2). */
  EXPECT_ERRNO(open_with(SCRATCH, "new/", __WASI_OFLAGS_CREAT, R(FD_READ) | R(FD_WRITE), 0, 0, &fd),
               __WASI_ERRNO_ISDIR);
  EXPECT_OK(is_missing("new"));
  /* path_readlink "link/" names what the link leads to, not the link. */
  EXPECT_OK(__wasi_path_symlink("d", SCRATCH, "dlink"));
  EXPECT_OK(__wasi_path_symlink("file", SCRATCH, "flink"));
  __wasi_size_t used;
  EXPECT_OK(__wasi_path_readlink(SCRATCH, "dlink", g_buf, sizeof g_buf, &used));
  EXPECT_ERRNO(__wasi_path_readlink(SCRATCH, "dlink/", g_buf, sizeof g_buf, &used), __WASI_ERRNO_INVAL);
  EXPECT_ERRNO(__wasi_path_readlink(SCRATCH, "flink/", g_buf, sizeof g_buf, &used), __WASI_ERRNO_NOTDIR);
  EXPECT_OK(__wasi_path_unlink_file(SCRATCH, "dlink"));
  EXPECT_OK(__wasi_path_unlink_file(SCRATCH, "flink"));
  EXPECT_OK(__wasi_path_remove_directory(SCRATCH, "d/"));
  EXPECT_OK(__wasi_path_unlink_file(SCRATCH, "file"));
}

/* wasmtime p1_path_link: links keep the same filestat and fdstat. */
static void link_basics(void) {
  __wasi_fd_t file_fd, link_fd, sub;
  make_file(SCRATCH, "file", "");
  EXPECT_OK(open_with(SCRATCH, "file", 0, 0, 0, 0, &file_fd));
  EXPECT_OK(__wasi_path_link(SCRATCH, 0, "file", SCRATCH, "link"));
  EXPECT_OK(open_with(SCRATCH, "link", 0, 0, 0, 0, &link_fd));
  __wasi_fdstat_t a, b;
  EXPECT_OK(__wasi_fd_fdstat_get(file_fd, &a));
  EXPECT_OK(__wasi_fd_fdstat_get(link_fd, &b));
  EXPECT_TRUE(a.fs_rights_base == b.fs_rights_base && a.fs_rights_inheriting == b.fs_rights_inheriting &&
                  a.fs_filetype == b.fs_filetype,
              "fdstats differ");
  close_fd(link_fd);
  EXPECT_OK(__wasi_path_unlink_file(SCRATCH, "link"));
  EXPECT_ERRNO(__wasi_path_link(SCRATCH, 0, "file", SCRATCH, "file"), __WASI_ERRNO_EXIST);
  EXPECT_OK(__wasi_path_create_directory(SCRATCH, "subdir"));
  EXPECT_OK(open_with(SCRATCH, "subdir", __WASI_OFLAGS_DIRECTORY, 0, 0, 0, &sub));
  /* A descriptor opened with no rights can do nothing. */
  EXPECT_ERRNO(__wasi_path_link(SCRATCH, 0, "file", sub, "link"), __WASI_ERRNO_NOTCAPABLE);
  close_fd(sub);
  EXPECT_ERRNO(__wasi_path_link(SCRATCH, 0, "subdir", SCRATCH, "link"), __WASI_ERRNO_PERM);
  EXPECT_OK(__wasi_path_remove_directory(SCRATCH, "subdir"));
  /* Dangling symlinks can be linked (not followed). */
  EXPECT_OK(__wasi_path_symlink("target", SCRATCH, "symlink"));
  EXPECT_OK(__wasi_path_link(SCRATCH, 0, "symlink", SCRATCH, "link"));
  EXPECT_ERRNO(__wasi_path_link(SCRATCH, 0, "file", SCRATCH, "symlink"), __WASI_ERRNO_EXIST);
  EXPECT_OK(__wasi_path_unlink_file(SCRATCH, "symlink"));
  EXPECT_OK(__wasi_path_unlink_file(SCRATCH, "link"));
  close_fd(file_fd);
  EXPECT_OK(__wasi_path_unlink_file(SCRATCH, "file"));
}

/* wasi-testsuite fd_flags_set: APPEND on and off on a read-write file. */
static void append_flag(void) {
  __wasi_fd_t fd;
  static uint8_t data[100];
  EXPECT_OK(open_with(SCRATCH, "flags", __WASI_OFLAGS_CREAT,
                      R(FD_READ) | R(FD_WRITE) | R(FD_SEEK) | R(FD_TELL) | R(FD_FDSTAT_SET_FLAGS), 0,
                      __WASI_FDFLAGS_APPEND, &fd));
  __wasi_ciovec_t ciov = {data, sizeof data};
  __wasi_size_t n = 0;
  memset(data, 0, sizeof data);
  EXPECT_OK(__wasi_fd_write(fd, &ciov, 1, &n));
  EXPECT_OK(seek(fd, __WASI_WHENCE_SET));
  memset(data, 1, sizeof data);
  EXPECT_OK(__wasi_fd_write(fd, &ciov, 1, &n)); /* appends */
  EXPECT_OK(__wasi_fd_fdstat_set_flags(fd, 0));
  EXPECT_OK(seek(fd, __WASI_WHENCE_SET));
  memset(data, 2, sizeof data);
  EXPECT_OK(__wasi_fd_write(fd, &ciov, 1, &n)); /* overwrites */
  close_fd(fd);
  __wasi_filestat_t st;
  EXPECT_OK(__wasi_path_filestat_get(SCRATCH, 0, "flags", &st));
  EXPECT_TRUE(st.size == 200, "size %llu", (unsigned long long)st.size);
  EXPECT_OK(__wasi_path_unlink_file(SCRATCH, "flags"));
}

int main(void) {
  directories_have_no_position();
  directories_never_open_for_writing();
  preopen_reopens();
  trailing_slashes();
  link_basics();
  append_flag();
  return finish("paths");
}
