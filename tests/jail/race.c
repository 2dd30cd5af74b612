/* Race guest: while the host swaps the jail's directory "race" with a
 * symlink to a directory outside the jail (renameat2 RENAME_EXCHANGE in a
 * tight loop on another thread), opens "race/file" for appending, creating
 * it, and writes a line, over and over. Whatever each open meets (the real
 * directory, the symlink, a name mid-swap), no write may land outside.
 *
 *   race.wasm ITERATIONS
 *
 * Runs at least ITERATIONS attempts, and goes on (up to 100 times more)
 * until it has met both states at least 50 times each: on a loaded
 * machine the host's swapping thread can sit descheduled through a whole
 * short run, which would test nothing.
 *
 * Prints one TECH line for the whole run; the host checks the outside
 * directory is untouched. */
#include <stdlib.h>

#include "jail_common.h"

int main(int argc, char **argv) {
  int iterations = argc > 1 ? atoi(argv[1]) : 2000;
  int opened = 0, refused = 0, write_failed = 0;
  int32_t first_error = 0, last_error = 0;
  int attempts = 0;
  for (; attempts < iterations * 100; ++attempts) {
    if (attempts >= iterations && opened >= 50 && refused >= 50) break;
    int32_t fd;
    int32_t err = open_at(JAIL_FD, "race/file", 9, LOOKUP_FOLLOW, O_CREAT_, RIGHTS_ALL, FDFLAG_APPEND, &fd);
    if (err != 0) {
      ++refused;
      if (!first_error) first_error = err;
      last_error = err;
      continue;
    }
    ++opened;
    if (write_fd(fd, "RACE\n") != 0) ++write_failed;
    raw_fd_close(fd);
  }
  /* "BLOCKED" here means the guest saw nothing that proves an escape; the
   * host's check of the outside directory is the real verdict. */
  technique t;
  tech_begin(&t, "race_swap_dir_with_symlink");
  char text[200];
  snprintf(text, sizeof text, "attempts=%d opened=%d refused=%d write_failed=%d first=%s(%d) last=%s(%d)", attempts,
           opened, refused, write_failed, first_error ? strerror(first_error) : "-", first_error,
           last_error ? strerror(last_error) : "-", last_error);
  tech_append(&t, text);
  tech_end(&t);
  finish();
  return 0;
}
