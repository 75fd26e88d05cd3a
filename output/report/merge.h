/* SPDX-License-Identifier: GPL-2.0-or-later */
/* starttls-scan merge (issue 14): the files of a sharded scan into one, the
 * header once, every target once. A target in two files (a rerun task, a
 * copy) keeps the rows of the file where it was scanned last (the newest
 * scanned_at among its rows; a tie goes to the file named later). Bounded
 * memory whatever the rows: the keys go through sort(1) (scanner/base/
 * extsort.h), as the input's first pass does. */
#ifndef STS_MERGE_H
#define STS_MERGE_H

#include <stdbool.h>
#include <stdint.h>

#include "scanner/result/row.h"

struct output_format;

struct merge_options {
    const char *const *inputs;
    int ninputs;
    const char *output; /* a file (written whole, then renamed into place), "-", or NULL:
                         * none, only on_row (the rollup and the report read so) */
    bool overwrite;     /* the output may be a non-empty file */
    const char *who;    /* the command its messages name (NULL: "merge") */
    /* Every row kept, for the summary; a target's rows come together. */
    void (*on_row)(void *arg, const struct row *row);
    void *arg;
};

struct merge_stats {
    const struct output_format *format; /* the shards' format (NULL: every shard was empty) */
    uint64_t files_empty;               /* shards with no row */
    uint64_t rows_in, rows_out, targets;
    uint64_t copies_dropped, rows_dropped; /* older copies of a target, and their rows */
    uint64_t partial_lines;                /* a crashed task's cut last line, left out */
};

/* 0, or 2 after a message (nothing is written then). */
int merge_run(const struct merge_options *o, struct merge_stats *st);

#endif
