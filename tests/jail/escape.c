/* Jail-escape guest: tries to read, write, create, remove or learn about
 * files outside its preopened directory (fd 3) in every way WASI offers.
 *
 *   escape.wasm OUTSIDE_HOST_DIR JAIL_HOST_DIR PREOPEN_GUEST_NAME
 *
 * The host (tests/unit/wasi_jail_test.cc) lays out, next to the jail, an
 * "outside" directory with secret.txt, target.txt (writable), victim.txt,
 * subdir/ and outside_link -> secret.txt, and inside the jail the symlinks
 * named below. Every technique prints one TECH line (see jail_common.h);
 * the guest exits 0 after trying all of them, whatever they did. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "jail_common.h"

static const char *g_outside; /* host path of the outside directory */
static const char *g_jail;    /* host path of the jail */
static const char *g_preopen; /* the jail's guest name, "/" or "/sandbox" */

/* An escape step that opens: success is an escape; the first bytes read
 * (if any) go into the line to show what leaked. */
static void attempt_open(technique *t, const char *op, int32_t dir, const char *path, size_t len, int32_t lookup,
                         int32_t oflags, int64_t rights) {
  int32_t fd;
  int32_t err = open_at(dir, path, len, lookup, oflags, rights, 0, &fd);
  if (err != 0) {
    step_must_fail(t, op, err);
    return;
  }
  char content[24];
  if (read_fd(fd, content, sizeof content) != 0) content[0] = 0;
  for (char *c = content; *c; ++c)
    if (*c < ' ') *c = '.';
  char what[64];
  snprintf(what, sizeof what, "OPENED(fd %d, read '%s')", fd, content);
  step_escaped(t, op, what);
  raw_fd_close(fd);
}

static void attempt_open_path(technique *t, const char *op, const char *path, int32_t oflags, int64_t rights) {
  attempt_open(t, op, JAIL_FD, path, strlen(path), LOOKUP_FOLLOW, oflags, rights);
}

/* Writes through a path: opening for writing is already the escape. */
static void attempt_write(technique *t, const char *op, const char *path, int32_t oflags) {
  int32_t fd;
  int32_t err = open_path(path, oflags, RIGHTS_ALL, &fd);
  if (err != 0) {
    step_must_fail(t, op, err);
    return;
  }
  int32_t write_err = write_fd(fd, "PWNED\n");
  char what[64];
  snprintf(what, sizeof what, "OPENED_FOR_WRITING(write errno %d)", write_err);
  step_escaped(t, op, what);
  raw_fd_close(fd);
}

static void attempt_stat(technique *t, const char *op, const char *path, int32_t lookup) {
  uint8_t filestat[64];
  step_must_fail(t, op, raw_path_filestat_get(JAIL_FD, lookup, path, strlen(path), filestat));
}

#define S(literal) literal, sizeof(literal) - 1

static void dotdot_traversal(void) {
  technique t;
  tech_begin(&t, "dotdot_traversal");
  attempt_open_path(&t, "open(../outside/secret.txt)", "../outside/secret.txt", 0, RIGHTS_READ_ONLY);
  attempt_open_path(&t, "open(..)", "..", O_DIRECTORY_, RIGHTS_READ_ONLY);
  attempt_stat(&t, "stat(../outside/secret.txt)", "../outside/secret.txt", 0);
  tech_end(&t);
}

static void deep_dotdot(void) {
  technique t;
  tech_begin(&t, "deep_dotdot");
  attempt_open_path(&t, "open(../../../../../../../../../../etc/passwd)",
                    "../../../../../../../../../../etc/passwd", 0, RIGHTS_READ_ONLY);
  attempt_open_path(&t, "open(sub/../../../../../../etc/passwd)", "sub/../../../../../../etc/passwd", 0,
                    RIGHTS_READ_ONLY);
  tech_end(&t);
}

static void absolute_etc_passwd(void) {
  technique t;
  tech_begin(&t, "absolute_etc_passwd");
  attempt_open_path(&t, "raw_open(/etc/passwd)", "/etc/passwd", 0, RIGHTS_READ_ONLY);
  /* Through wasi-libc, which maps absolute paths onto the preopens: under
   * "/" this is the jail's own etc/passwd (absent), under "/sandbox" no
   * preopen matches at all. */
  int fd = open("/etc/passwd", O_RDONLY);
  if (fd >= 0) {
    char buf[16] = {0};
    ssize_t n = read(fd, buf, sizeof buf - 1);
    if (n > 0 && strncmp(buf, "root:", 5) == 0) step_escaped(&t, "libc_open(/etc/passwd)", "READ_HOST_PASSWD");
    else step_must_fail(&t, "libc_open(/etc/passwd)", 0);
    close(fd);
  } else {
    step_must_fail(&t, "libc_open(/etc/passwd)", errno);
  }
  tech_end(&t);
}

static void absolute_outside_dir(void) {
  technique t;
  tech_begin(&t, "absolute_outside_dir");
  char path[1024];
  snprintf(path, sizeof path, "%s/secret.txt", g_outside);
  attempt_open_path(&t, "raw_open(<outside>/secret.txt)", path, 0, RIGHTS_READ_ONLY);
  snprintf(path, sizeof path, "%s/../outside/secret.txt", g_jail);
  attempt_open_path(&t, "raw_open(<jail>/../outside/secret.txt)", path, 0, RIGHTS_READ_ONLY);
  /* The libc route: "<preopen>/../outside/secret.txt" becomes a relative
   * path with a leading "..", which the host must refuse. */
  snprintf(path, sizeof path, "%s/../outside/secret.txt", strcmp(g_preopen, "/") == 0 ? "" : g_preopen);
  int fd = open(path, O_RDONLY);
  step_must_fail(&t, "libc_open(<preopen>/../outside/secret.txt)", fd >= 0 ? 0 : errno);
  if (fd >= 0) close(fd);
  tech_end(&t);
}

static void inner_dotdot(void) {
  technique t;
  tech_begin(&t, "inner_dotdot");
  attempt_open_path(&t, "open(sub/../../outside/secret.txt)", "sub/../../outside/secret.txt", 0, RIGHTS_READ_ONLY);
  attempt_open_path(&t, "open(sub/./../sub/../../outside/secret.txt)", "sub/./../sub/../../outside/secret.txt", 0,
                    RIGHTS_READ_ONLY);
  attempt_open_path(&t, "open(sub//..//..//outside/secret.txt)", "sub//..//..//outside/secret.txt", 0,
                    RIGHTS_READ_ONLY);
  tech_end(&t);
}

static void symlink_to_outside_file(void) {
  technique t;
  tech_begin(&t, "symlink_to_outside_file");
  attempt_open_path(&t, "open(link_secret)", "link_secret", 0, RIGHTS_READ_ONLY);
  attempt_stat(&t, "stat_follow(link_secret)", "link_secret", LOOKUP_FOLLOW);
  attempt_write(&t, "write(link_target)", "link_target", 0);
  attempt_open_path(&t, "open(link_secret_abs)", "link_secret_abs", 0, RIGHTS_READ_ONLY);
  attempt_stat(&t, "stat_follow(link_secret_abs)", "link_secret_abs", LOOKUP_FOLLOW);
  tech_end(&t);
}

static void symlink_to_outside_dir(void) {
  technique t;
  tech_begin(&t, "symlink_to_outside_dir");
  attempt_open_path(&t, "open(link_outdir/secret.txt)", "link_outdir/secret.txt", 0, RIGHTS_READ_ONLY);
  attempt_open_path(&t, "open(link_outdir_abs/secret.txt)", "link_outdir_abs/secret.txt", 0, RIGHTS_READ_ONLY);
  attempt_open_path(&t, "opendir(link_outdir)", "link_outdir", O_DIRECTORY_, RIGHTS_READ_ONLY);
  attempt_open_path(&t, "opendir(link_dotdot)", "link_dotdot", O_DIRECTORY_, RIGHTS_READ_ONLY);
  attempt_write(&t, "create(link_outdir/planted.txt)", "link_outdir/planted.txt", O_CREAT_);
  tech_end(&t);
}

static void symlink_chain(void) {
  technique t;
  tech_begin(&t, "symlink_chain");
  /* chain1 -> chain2 -> sub/chain3 -> ../../outside/secret.txt */
  attempt_open_path(&t, "open(chain1)", "chain1", 0, RIGHTS_READ_ONLY);
  attempt_write(&t, "write(chain1)", "chain1", O_TRUNC_);
  tech_end(&t);
}

static void guest_symlink_to_root(void) {
  technique t;
  tech_begin(&t, "guest_symlink_to_root");
  step_info(&t, "symlink(/ -> g_root)", raw_path_symlink(S("/"), JAIL_FD, S("g_root")));
  attempt_open_path(&t, "open(g_root/etc/passwd)", "g_root/etc/passwd", 0, RIGHTS_READ_ONLY);
  char target[1024];
  snprintf(target, sizeof target, "%s", g_outside);
  step_info(&t, "symlink(<outside> -> g_abs)", raw_path_symlink(target, strlen(target), JAIL_FD, S("g_abs")));
  attempt_open_path(&t, "open(g_abs/secret.txt)", "g_abs/secret.txt", 0, RIGHTS_READ_ONLY);
  attempt_write(&t, "create(g_abs/planted.txt)", "g_abs/planted.txt", O_CREAT_);
  tech_end(&t);
}

static void guest_symlink_dotdot(void) {
  technique t;
  tech_begin(&t, "guest_symlink_dotdot");
  step_info(&t, "symlink(../outside -> g_up)", raw_path_symlink(S("../outside"), JAIL_FD, S("g_up")));
  attempt_open_path(&t, "open(g_up/secret.txt)", "g_up/secret.txt", 0, RIGHTS_READ_ONLY);
  attempt_write(&t, "create(g_up/planted.txt)", "g_up/planted.txt", O_CREAT_);
  /* A link made in a subdirectory whose ".." hops are each legal where
   * written but leave the jail once followed from there. */
  step_info(&t, "symlink(../../outside/secret.txt -> sub/g_deep)",
            raw_path_symlink(S("../../outside/secret.txt"), JAIL_FD, S("sub/g_deep")));
  attempt_open_path(&t, "open(sub/g_deep)", "sub/g_deep", 0, RIGHTS_READ_ONLY);
  /* Creating the symlink itself outside the jail. */
  step_must_fail(&t, "symlink(x -> ../outside/planted_link)",
                 raw_path_symlink(S("x"), JAIL_FD, S("../outside/planted_link")));
  tech_end(&t);
}

static void hard_link_outside(void) {
  technique t;
  tech_begin(&t, "hard_link_outside");
  step_must_fail(&t, "link(../outside/secret.txt -> stolen1)",
                 raw_path_link(JAIL_FD, 0, S("../outside/secret.txt"), JAIL_FD, S("stolen1")));
  /* Following the symlink would make a hard link to the outside file. */
  step_must_fail(&t, "link_follow(link_secret -> stolen2)",
                 raw_path_link(JAIL_FD, LOOKUP_FOLLOW, S("link_secret"), JAIL_FD, S("stolen2")));
  step_must_fail(&t, "link(link_outdir/secret.txt -> stolen3)",
                 raw_path_link(JAIL_FD, 0, S("link_outdir/secret.txt"), JAIL_FD, S("stolen3")));
  step_must_fail(&t, "link(file.txt -> ../outside/planted_link)",
                 raw_path_link(JAIL_FD, 0, S("file.txt"), JAIL_FD, S("../outside/planted_link")));
  /* Without following, link_secret itself (a symlink inside the jail) may
   * be linked; the result must still not open the outside file. */
  step_info(&t, "link_nofollow(link_secret -> stolen4)",
            raw_path_link(JAIL_FD, 0, S("link_secret"), JAIL_FD, S("stolen4")));
  attempt_open_path(&t, "open(stolen4)", "stolen4", 0, RIGHTS_READ_ONLY);
  tech_end(&t);
}

static void rename_out_of_jail(void) {
  technique t;
  tech_begin(&t, "rename_out_of_jail");
  step_must_fail(&t, "rename(file.txt -> ../outside/moved.txt)",
                 raw_path_rename(JAIL_FD, S("file.txt"), JAIL_FD, S("../outside/moved.txt")));
  step_must_fail(&t, "rename(file.txt -> link_outdir/moved.txt)",
                 raw_path_rename(JAIL_FD, S("file.txt"), JAIL_FD, S("link_outdir/moved.txt")));
  step_must_fail(&t, "rename(file.txt -> ../outside/target.txt)",
                 raw_path_rename(JAIL_FD, S("file.txt"), JAIL_FD, S("../outside/target.txt")));
  tech_end(&t);
}

static void rename_into_jail(void) {
  technique t;
  tech_begin(&t, "rename_into_jail");
  step_must_fail(&t, "rename(../outside/secret.txt -> stolen.txt)",
                 raw_path_rename(JAIL_FD, S("../outside/secret.txt"), JAIL_FD, S("stolen.txt")));
  step_must_fail(&t, "rename(link_outdir/secret.txt -> stolen.txt)",
                 raw_path_rename(JAIL_FD, S("link_outdir/secret.txt"), JAIL_FD, S("stolen.txt")));
  /* Renaming the symlink itself is legal (it stays in the jail); what
   * matters is that the renamed link still leads nowhere. */
  step_info(&t, "rename(link_secret -> renamed_link)",
            raw_path_rename(JAIL_FD, S("link_secret"), JAIL_FD, S("renamed_link")));
  attempt_open_path(&t, "open(renamed_link)", "renamed_link", 0, RIGHTS_READ_ONLY);
  step_info(&t, "rename back", raw_path_rename(JAIL_FD, S("renamed_link"), JAIL_FD, S("link_secret")));
  tech_end(&t);
}

static void mkdir_outside(void) {
  technique t;
  tech_begin(&t, "mkdir_outside");
  step_must_fail(&t, "mkdir(../newdir)", raw_path_create_directory(JAIL_FD, S("../newdir")));
  step_must_fail(&t, "mkdir(../outside/newdir)", raw_path_create_directory(JAIL_FD, S("../outside/newdir")));
  step_must_fail(&t, "mkdir(link_outdir/newdir)", raw_path_create_directory(JAIL_FD, S("link_outdir/newdir")));
  tech_end(&t);
}

static void unlink_outside(void) {
  technique t;
  tech_begin(&t, "unlink_outside");
  step_must_fail(&t, "unlink(../outside/victim.txt)", raw_path_unlink_file(JAIL_FD, S("../outside/victim.txt")));
  step_must_fail(&t, "unlink(link_outdir/victim.txt)", raw_path_unlink_file(JAIL_FD, S("link_outdir/victim.txt")));
  step_must_fail(&t, "unlink(sub/../../outside/secret.txt)",
                 raw_path_unlink_file(JAIL_FD, S("sub/../../outside/secret.txt")));
  tech_end(&t);
}

static void rmdir_outside(void) {
  technique t;
  tech_begin(&t, "rmdir_outside");
  step_must_fail(&t, "rmdir(../outside/subdir)", raw_path_remove_directory(JAIL_FD, S("../outside/subdir")));
  step_must_fail(&t, "rmdir(link_outdir/subdir)", raw_path_remove_directory(JAIL_FD, S("link_outdir/subdir")));
  step_must_fail(&t, "rmdir(..)", raw_path_remove_directory(JAIL_FD, S("..")));
  step_must_fail(&t, "rmdir(.)", raw_path_remove_directory(JAIL_FD, S(".")));
  tech_end(&t);
}

static void create_outside(void) {
  technique t;
  tech_begin(&t, "create_outside");
  attempt_write(&t, "open_creat(../outside/created.txt)", "../outside/created.txt", O_CREAT_);
  attempt_write(&t, "open_creat_excl(../created.txt)", "../created.txt", O_CREAT_ | O_EXCL_);
  tech_end(&t);
}

static void truncate_outside(void) {
  technique t;
  tech_begin(&t, "truncate_outside");
  attempt_write(&t, "open_trunc(../outside/target.txt)", "../outside/target.txt", O_TRUNC_);
  attempt_write(&t, "open_trunc(link_target)", "link_target", O_TRUNC_);
  attempt_write(&t, "open_trunc(link_outdir/target.txt)", "link_outdir/target.txt", O_TRUNC_);
  tech_end(&t);
}

static void times_through_symlink(void) {
  technique t;
  tech_begin(&t, "times_through_symlink");
  step_must_fail(&t, "set_times_follow(link_target)",
                 raw_path_filestat_set_times(JAIL_FD, LOOKUP_FOLLOW, S("link_target"), 0, 0, FST_ATIM_NOW | FST_MTIM_NOW));
  step_must_fail(&t, "set_times(../outside/target.txt)",
                 raw_path_filestat_set_times(JAIL_FD, 0, S("../outside/target.txt"), 0, 0, FST_ATIM_NOW | FST_MTIM_NOW));
  tech_end(&t);
}

static void proc_magic_links(void) {
  technique t;
  tech_begin(&t, "proc_magic_links");
  char path[1024];
  snprintf(path, sizeof path, "/proc/self/root%s/secret.txt", g_outside);
  attempt_open_path(&t, "raw_open(/proc/self/root/<outside>/secret.txt)", path, 0, RIGHTS_READ_ONLY);
  attempt_open_path(&t, "open(link_proc_root/etc/passwd)", "link_proc_root/etc/passwd", 0, RIGHTS_READ_ONLY);
  attempt_open_path(&t, "open(link_proc_cwd)", "link_proc_cwd", O_DIRECTORY_, RIGHTS_READ_ONLY);
  attempt_open_path(&t, "open(link_proc_fd3/../outside/secret.txt)", "link_proc_fd3/../outside/secret.txt", 0,
                    RIGHTS_READ_ONLY);
  step_info(&t, "symlink(/proc/self/cwd -> g_cwd)", raw_path_symlink(S("/proc/self/cwd"), JAIL_FD, S("g_cwd")));
  attempt_open_path(&t, "open(g_cwd)", "g_cwd", O_DIRECTORY_, RIGHTS_READ_ONLY);
  tech_end(&t);
}

static void nul_byte_in_path(void) {
  technique t;
  tech_begin(&t, "nul_byte_in_path");
  /* If the host cut at the NUL, each of these would open an existing jail
   * file and report success on a path the guest never asked for. */
  attempt_open(&t, "open(file.txt\\0../../outside/secret.txt)", JAIL_FD, S("file.txt\0../../outside/secret.txt"),
               LOOKUP_FOLLOW, 0, RIGHTS_READ_ONLY);
  attempt_open(&t, "open(sub\\0/../../outside)", JAIL_FD, S("sub\0/../../outside"), LOOKUP_FOLLOW, O_DIRECTORY_,
               RIGHTS_READ_ONLY);
  step_must_fail(&t, "unlink(file.txt\\0x)", raw_path_unlink_file(JAIL_FD, S("file.txt\0x")));
  step_must_fail(&t, "mkdir(sub\\0/../../outside/newdir)",
                 raw_path_create_directory(JAIL_FD, S("sub\0/../../outside/newdir")));
  tech_end(&t);
}

static void very_long_path(void) {
  technique t;
  tech_begin(&t, "very_long_path");
  /* 256 KiB of "a/": far past PATH_MAX; must be an errno, not a crash. */
  size_t len = 256 * 1024;
  char *path = malloc(len);
  for (size_t i = 0; i < len; i += 2) {
    path[i] = 'a';
    path[i + 1] = '/';
  }
  attempt_open(&t, "open(a/a/.../a, 256KiB)", JAIL_FD, path, len - 1, LOOKUP_FOLLOW, 0, RIGHTS_READ_ONLY);
  /* Thousands of "../" hops, then the outside file. */
  size_t hops = 5000;
  const char *tail = "outside/secret.txt";
  char *up = malloc(hops * 3 + strlen(tail) + 1);
  for (size_t i = 0; i < hops; ++i) memcpy(up + i * 3, "../", 3);
  strcpy(up + hops * 3, tail);
  attempt_open(&t, "open(../ x5000 outside/secret.txt)", JAIL_FD, up, strlen(up), LOOKUP_FOLLOW, 0, RIGHTS_READ_ONLY);
  /* One component longer than NAME_MAX. */
  memset(path, 'n', 4096);
  step_must_fail(&t, "mkdir(4096-byte name)", raw_path_create_directory(JAIL_FD, path, 4096));
  free(up);
  free(path);
  tech_end(&t);
}

static void preopen_parent(void) {
  technique t;
  tech_begin(&t, "preopen_parent");
  attempt_open_path(&t, "opendir(..)", "..", O_DIRECTORY_, RIGHTS_READ_ONLY);
  attempt_open_path(&t, "opendir(./..)", "./..", O_DIRECTORY_, RIGHTS_READ_ONLY);
  attempt_open_path(&t, "opendir(sub/../..)", "sub/../..", O_DIRECTORY_, RIGHTS_READ_ONLY);
  /* From a descriptor opened on a subdirectory: ".." goes back to the jail
   * root at most, and one more step must fail. */
  int32_t sub;
  int32_t err = open_path("sub", O_DIRECTORY_, RIGHTS_ALL, &sub);
  step_info(&t, "opendir(sub)", err);
  if (err == 0) {
    attempt_open(&t, "openat(sub, ../../outside/secret.txt)", sub, S("../../outside/secret.txt"), LOOKUP_FOLLOW, 0,
                 RIGHTS_READ_ONLY);
    attempt_open(&t, "openat(sub, ../link_secret)", sub, S("../link_secret"), LOOKUP_FOLLOW, 0, RIGHTS_READ_ONLY);
    raw_fd_close(sub);
  }
  tech_end(&t);
}

static void readdir_outside(void) {
  technique t;
  tech_begin(&t, "readdir_outside");
  /* Listing the jail itself must show only jail names; listing through a
   * symlinked directory must not be possible at all. */
  attempt_open_path(&t, "opendir(link_outdir_abs)", "link_outdir_abs", O_DIRECTORY_, RIGHTS_READ_ONLY);
  uint8_t buf[4096];
  size_t used = 0;
  int32_t err = raw_fd_readdir(JAIL_FD, buf, sizeof buf, 0, &used);
  step_info(&t, "readdir(jail)", err);
  /* A dirent is 24 bytes followed by the name. */
  for (size_t off = 0; err == 0 && off + 24 <= used;) {
    uint32_t namlen;
    memcpy(&namlen, buf + off + 16, 4);
    if (off + 24 + namlen > used) break;
    const char *name = (const char *)buf + off + 24;
    if ((namlen == 10 && (memcmp(name, "secret.txt", 10) == 0 || memcmp(name, "victim.txt", 10) == 0)) ||
        (namlen == 12 && memcmp(name, "outside_link", 12) == 0))
      step_escaped(&t, "readdir(jail)", "SAW_OUTSIDE_NAME");
    off += 24 + namlen;
  }
  tech_end(&t);
}

static void readlink_outside(void) {
  technique t;
  tech_begin(&t, "readlink_outside");
  char buf[256];
  size_t used = 0;
  /* A symlink that lives outside the jail: its text is outside data. */
  step_must_fail(&t, "readlink(../outside/outside_link)",
                 raw_path_readlink(JAIL_FD, S("../outside/outside_link"), buf, sizeof buf, &used));
  step_must_fail(&t, "readlink(link_outdir/outside_link)",
                 raw_path_readlink(JAIL_FD, S("link_outdir/outside_link"), buf, sizeof buf, &used));
  /* A symlink inside the jail may be read: its text is the jail's own
   * content (placed there by the host), and reading it follows nothing.
   * Recorded, not judged. */
  int32_t err = raw_path_readlink(JAIL_FD, S("link_secret"), buf, sizeof buf - 1, &used);
  step_info(&t, "readlink(link_secret) [jail content; allowed]", err);
  tech_end(&t);
}

/* Last: it consumes the preopen descriptor. */
static void renumber_onto_preopen(void) {
  technique t;
  tech_begin(&t, "renumber_onto_preopen");
  int32_t sub;
  int32_t err = open_path("sub", O_DIRECTORY_, RIGHTS_ALL, &sub);
  step_info(&t, "opendir(sub)", err);
  if (err == 0) {
    step_info(&t, "renumber(sub -> 3)", raw_fd_renumber(sub, JAIL_FD));
    /* Whatever fd 3 is now, it must not reach outside. */
    attempt_open_path(&t, "open(3, ../outside/secret.txt)", "../outside/secret.txt", 0, RIGHTS_READ_ONLY);
    attempt_open_path(&t, "open(3, ../../outside/secret.txt)", "../../outside/secret.txt", 0, RIGHTS_READ_ONLY);
    attempt_open_path(&t, "open(3, ../link_secret)", "../link_secret", 0, RIGHTS_READ_ONLY);
  }
  /* A regular file renumbered onto the (former) preopen: path calls on it
   * must fail rather than resolve against anything. */
  int32_t file;
  err = open_at(JAIL_FD, S("inner.txt"), LOOKUP_FOLLOW, 0, RIGHTS_READ_ONLY, 0, &file);
  if (err != 0) err = open_path("sub/inner.txt", 0, RIGHTS_READ_ONLY, &file);
  step_info(&t, "open(inner.txt)", err);
  if (err == 0) {
    step_info(&t, "renumber(file -> 3)", raw_fd_renumber(file, JAIL_FD));
    attempt_open_path(&t, "open(3=file, ../outside/secret.txt)", "../outside/secret.txt", 0, RIGHTS_READ_ONLY);
  }
  step_info(&t, "renumber(3 -> 999 unopened)", raw_fd_renumber(JAIL_FD, 999));
  tech_end(&t);
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: escape OUTSIDE_HOST_DIR JAIL_HOST_DIR PREOPEN_GUEST_NAME\n");
    return 2;
  }
  g_outside = argv[1];
  g_jail = argv[2];
  g_preopen = argv[3];
  dotdot_traversal();
  deep_dotdot();
  absolute_etc_passwd();
  absolute_outside_dir();
  inner_dotdot();
  symlink_to_outside_file();
  symlink_to_outside_dir();
  symlink_chain();
  guest_symlink_to_root();
  guest_symlink_dotdot();
  hard_link_outside();
  rename_out_of_jail();
  rename_into_jail();
  mkdir_outside();
  unlink_outside();
  rmdir_outside();
  create_outside();
  truncate_outside();
  times_through_symlink();
  proc_magic_links();
  nul_byte_in_path();
  very_long_path();
  preopen_parent();
  readdir_outside();
  readlink_outside();
  renumber_onto_preopen();
  finish();
  return 0;
}
