/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Lines of a file read back with a bound on each (merge, rollup, report):
 * a line of a gigabyte is an error naming it, not a gigabyte of memory, and
 * a failed allocation is an error, never a silent end. */
#ifndef STS_LINES_H
#define STS_LINES_H

#include <stdio.h>
#include <sys/types.h>

/* The longest line of a file of rows: no row of ours comes near (every
 * cell is cut at CELL_MAX, output/rows/cellfmt.h). */
#define ROW_LINE_MAX (1u << 20)

enum { LINE_END = 0, LINE_ERROR = -1, LINE_TOO_LONG = -2 };

/* The next line of f into *line (grown as needed, NUL-terminated, with its
 * '\n' when it has one): its length; LINE_END at the end of the file;
 * LINE_ERROR on a read error or when memory runs out (errno says which);
 * LINE_TOO_LONG past max bytes. */
ssize_t line_read(FILE *f, char **line, size_t *cap, size_t max);

#endif
