/* Read-only preopen guest: fd 3 is a directory granted read-only. Every
 * way to change it must fail; reading must still work (so the failures
 * are the read-only grant at work, not a broken preopen).
 *
 * The host lays out existing.txt, sub/ (with sub/inner.txt), empty/ and
 * link -> existing.txt, and checks afterwards that nothing changed. */
#include "jail_common.h"

static void attempt_open_mutation(technique *t, const char *op, const char *path, int32_t oflags, int64_t rights,
                                  int32_t fdflags) {
  int32_t fd;
  int32_t err = open_at(JAIL_FD, path, strlen(path), LOOKUP_FOLLOW, oflags, rights, fdflags, &fd);
  if (err != 0) {
    step_must_fail(t, op, err);
    return;
  }
  /* Some runtimes hand out the descriptor and refuse the write later;
   * accept that only if the write really fails. */
  int32_t write_err = write_fd(fd, "PWNED\n");
  char name[128];
  snprintf(name, sizeof name, "%s+write", op);
  step_must_fail(t, name, write_err);
  raw_fd_close(fd);
}

#define S(literal) literal, sizeof(literal) - 1

int main(void) {
  technique t;
  tech_begin(&t, "readonly_preopen");
  int32_t fd;
  int32_t err = open_path("existing.txt", 0, RIGHTS_READ_ONLY, &fd);
  char buf[64] = {0};
  if (err == 0) {
    err = read_fd(fd, buf, sizeof buf);
    raw_fd_close(fd);
  }
  step_info(&t, "read(existing.txt) [must work]", err);
  if (err != 0 || strncmp(buf, "read-only content", 17) != 0) step_escaped(&t, "sanity", "READ_FAILED");

  attempt_open_mutation(&t, "open_write(existing.txt)", "existing.txt", 0, RIGHTS_ALL, 0);
  attempt_open_mutation(&t, "open_append(existing.txt)", "existing.txt", 0, RIGHTS_ALL, FDFLAG_APPEND);
  attempt_open_mutation(&t, "open_trunc(existing.txt)", "existing.txt", O_TRUNC_, RIGHTS_ALL, 0);
  attempt_open_mutation(&t, "open_creat(new.txt)", "new.txt", O_CREAT_, RIGHTS_ALL, 0);
  attempt_open_mutation(&t, "open_creat_excl(sub/new.txt)", "sub/new.txt", O_CREAT_ | O_EXCL_, RIGHTS_ALL, 0);
  attempt_open_mutation(&t, "open_write(link)", "link", 0, RIGHTS_ALL, 0);
  step_must_fail(&t, "mkdir(newdir)", raw_path_create_directory(JAIL_FD, S("newdir")));
  step_must_fail(&t, "unlink(existing.txt)", raw_path_unlink_file(JAIL_FD, S("existing.txt")));
  step_must_fail(&t, "unlink(link)", raw_path_unlink_file(JAIL_FD, S("link")));
  step_must_fail(&t, "rmdir(empty)", raw_path_remove_directory(JAIL_FD, S("empty")));
  step_must_fail(&t, "rename(existing.txt -> moved.txt)",
                 raw_path_rename(JAIL_FD, S("existing.txt"), JAIL_FD, S("moved.txt")));
  step_must_fail(&t, "rename(sub -> sub2)", raw_path_rename(JAIL_FD, S("sub"), JAIL_FD, S("sub2")));
  step_must_fail(&t, "symlink(x -> newlink)", raw_path_symlink(S("existing.txt"), JAIL_FD, S("newlink")));
  step_must_fail(&t, "link(existing.txt -> hard)", raw_path_link(JAIL_FD, 0, S("existing.txt"), JAIL_FD, S("hard")));
  step_must_fail(&t, "path_set_times(existing.txt)",
                 raw_path_filestat_set_times(JAIL_FD, LOOKUP_FOLLOW, S("existing.txt"), 0, 0, FST_ATIM_NOW | FST_MTIM_NOW));
  step_must_fail(&t, "path_set_times(.)",
                 raw_path_filestat_set_times(JAIL_FD, 0, S("."), 0, 0, FST_ATIM | FST_MTIM));

  /* Through a descriptor opened read-only. */
  err = open_path("existing.txt", 0, RIGHTS_READ_ONLY, &fd);
  step_info(&t, "open_read(existing.txt)", err);
  if (err == 0) {
    step_must_fail(&t, "fd_write(ro fd)", write_fd(fd, "PWNED\n"));
    step_must_fail(&t, "fd_filestat_set_size(ro fd, 0)", raw_fd_filestat_set_size(fd, 0));
    step_must_fail(&t, "fd_filestat_set_times(ro fd)", raw_fd_filestat_set_times(fd, 0, 0, FST_ATIM_NOW | FST_MTIM_NOW));
    step_must_fail(&t, "fd_allocate(ro fd, 0, 4096)", raw_fd_allocate(fd, 0, 4096));
    /* Turning on append does not make it writable. */
    step_info(&t, "fdstat_set_flags(ro fd, append)", raw_fd_fdstat_set_flags(fd, FDFLAG_APPEND));
    step_must_fail(&t, "fd_write(ro fd after set_flags)", write_fd(fd, "PWNED\n"));
    raw_fd_close(fd);
  }
  /* Through a subdirectory descriptor: read-only must be inherited. */
  int32_t sub;
  /* Asked without fd_write (a directory needs none): the path rights to
   * create and remove stay requested, so only the read-only grant can
   * refuse what follows. */
  err = open_path("sub", O_DIRECTORY_, RIGHTS_READ_ONLY, &sub);
  step_info(&t, "opendir(sub)", err);
  if (err == 0) {
    int32_t created;
    int32_t create_err = open_at(sub, S("made.txt"), LOOKUP_FOLLOW, O_CREAT_, RIGHTS_ALL, 0, &created);
    step_must_fail(&t, "openat(sub, made.txt, creat)", create_err);
    if (create_err == 0) raw_fd_close(created);
    step_must_fail(&t, "unlinkat(sub, inner.txt)", raw_path_unlink_file(sub, S("inner.txt")));
    step_must_fail(&t, "mkdirat(sub, d)", raw_path_create_directory(sub, S("d")));
    raw_fd_close(sub);
  }
  tech_end(&t);
  finish();
  return 0;
}
