/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An output format (zmap's output modules): one const table in a file of
 * its own, listed once in output/rows/formats.c. */
#ifndef STS_FORMAT_H
#define STS_FORMAT_H

#include <stddef.h>

#include "scanner/result/row.h"
#include "scanner/base/buf.h"

struct row_cells;

struct output_format {
    const char *name; /* -f NAME */
    const char *what; /* one line for --help */
    /* The header, or NULL when the format has none. */
    int (*header)(struct buf *out);
    /* One row, with its line end. */
    int (*row)(struct buf *out, const struct row *row);
    /* A domain cell as this format writes it (its escaping): resume keys. */
    int (*domain_cell)(struct buf *out, const char *p, size_t len);
    /* How long the header of a file this format wrote is (0: none), or -1
     * when the data does not start as this format's files do. */
    long (*header_len)(const char *data, size_t len);
    /* One line of ours (without its line end) back into cells; 0 or -1. */
    int (*read_row)(const char *line, size_t len, struct row_cells *cells);
};


#endif
