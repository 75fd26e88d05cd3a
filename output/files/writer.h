/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one output writer all workers share.
 *
 * Each target's rows reach the file in one write(2), whole: when a write
 * fails (a full disk, EIO, a reader that went away), whatever part of it
 * landed is cut off again, so the file always ends with a whole row, and
 * every later write fails too. The file is locked (flock) for the whole
 * run: a second run on the same file is refused. */
#ifndef STS_WRITER_H
#define STS_WRITER_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>

#include "output/rows/format.h"
#include "scanner/result/row.h"

struct writer;

enum writer_mode { WRITER_NEW, WRITER_OVERWRITE, WRITER_RESUME };

/* --resume: called for every row already in the file. */
typedef void (*writer_row_fn)(void *arg, const struct row *row);

struct writer_options {
    const char *path; /* NULL or "-": standard output */
    enum writer_mode mode;
    const struct output_format *format;
    /* WRITER_RESUME: the key (row_key) of every row's target goes to
     * done_keys, a line each (keys hold no LF), and each row to on_row. */
    FILE *done_keys;
    writer_row_fn on_row;
    void *arg;
};

/* A non-empty file is refused with WRITER_NEW. WRITER_RESUME appends to a
 * file this program wrote in the same format: the header must match, every
 * line must be a row, and a partial last line (a crash) is cut off.
 * Returns NULL after printing the reason. */
struct writer *writer_open(const struct writer_options *o);
/* The rows of one target: 0, or -1 after a write error (printed once;
 * later calls fail too). */
int writer_write(struct writer *w, const char *data, size_t len);
/* Keeps the lock for good: the process is about to exit, and no row may
 * follow. */
void writer_abort(struct writer *w);
/* Closes; 0, or -1 when anything failed. */
int writer_close(struct writer *w);
/* The scan could not start after all: closes, and removes the file when
 * this run created it or it held nothing. */
void writer_discard(struct writer *w);

#endif
