/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where a run's temporary files go: $TMPDIR, or /tmp when it is unset or
 * empty (the input's copy and first pass, sort(1)'s files, the retry spool,
 * --resume's keys). Every file is unlinked at once: nothing is left behind. */
#ifndef STS_TEMPFILE_H
#define STS_TEMPFILE_H

#include <stdio.h>

const char *temp_dir(void);
/* An unlinked file in temp_dir(), open for reading and writing: its fd, or
 * -1 with errno. */
int temp_fd(void);
/* The same as a stream ("w+"), or NULL with errno. */
FILE *temp_file(void);

#endif
