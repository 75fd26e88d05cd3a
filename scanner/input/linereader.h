/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Lines from a file descriptor, for the input feeder: buffered, bounded per
 * line, and interruptible. A reader blocked on a pipe or a terminal wakes
 * when it is cancelled (poll on the input and on a pipe of its own), so the
 * thread that reads can always be joined. A read error is an error, with
 * its errno, never an early end of the input. */
#ifndef STS_LINEREADER_H
#define STS_LINEREADER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define LINE_MAX_BYTES 4096

/* read(2), or a test's stand-in for it. */
typedef ssize_t (*line_read_fn)(int fd, void *buf, size_t len);

struct line_reader {
    int fd;
    line_read_fn read;
    int cancel_pipe[2]; /* a byte in [1] wakes a reader blocked in poll */
    char buf[65536];
    size_t pos, len;
    bool eof;
    int error; /* errno of the read that failed, 0 if none */
    int copy_fd; /* >= 0: every byte read is written there too (the spool of a pipe) */
    char line[LINE_MAX_BYTES + 1];
};

enum line_status { LINE_OK, LINE_EOF, LINE_ERROR, LINE_CANCELLED };

/* 0, or -1 (no pipe could be made). read may be NULL: read(2). */
int line_reader_init(struct line_reader *r, int fd, line_read_fn read);
void line_reader_free(struct line_reader *r);
/* The next line, without its LF, in r->line (NUL-terminated, but it may
 * hold NULs: *len says how long). A line longer than LINE_MAX_BYTES is cut
 * there and *cut is set. The last line needs no LF. */
enum line_status line_reader_next(struct line_reader *r, size_t *len, bool *cut);
/* From any thread: the reader returns LINE_CANCELLED from now on. */
void line_reader_cancel(struct line_reader *r);
/* Reads fd from where it stands, as a fresh reader would (the same file
 * after a seek to its start, or a spool of it), with read(2), keeping the
 * cancel pipe; copy_fd is dropped. */
void line_reader_restart(struct line_reader *r, int fd);

#endif
