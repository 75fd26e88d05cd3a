/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The files a scan reads and writes, checked before anything is created:
 * the input is readable and not a directory, the output and the summary
 * are not the input or each other, and the summary's place is writable. */
#ifndef STS_PATHS_H
#define STS_PATHS_H

#include <stdbool.h>

/* Opens the input (NULL or "-": standard input) for reading; the fd, or -1
 * after a message that says what to do. stdin_closed: fd 0 was closed when
 * the program started (it now holds /dev/null). */
int input_open(const char *path, bool stdin_closed);

/* Do the two paths name one file? An existing file is compared by device
 * and inode; a path not created yet by its directory and name. */
bool same_file(const char *a, const char *b);
/* Does fd hold the file at path? */
bool fd_is_file(int fd, const char *path);

/* A file beside the rows (--summary, --rollup, --report) may be written:
 * 0, or -1 after a message naming opt. replace: the file may hold
 * something (--overwrite, --resume). */
int side_path_check(const char *opt, const char *path, bool replace);

#endif
