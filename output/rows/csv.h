/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CSV rows (RFC 4180) that are safe to open in a spreadsheet. */
#ifndef STS_CSV_H
#define STS_CSV_H

#include <stddef.h>

#include "output/rows/format.h"
#include "scanner/result/row.h"
#include "output/rows/rowcells.h"
#include "scanner/base/buf.h"

/* Appends one cell: escaped (output/rows/cellfmt.h), guarded when is_text, and
 * quoted when it holds a comma or a double quote. */
int csv_cell(struct buf *out, const char *p, size_t len, int is_text);
/* Appends text that is already a cell's escaped text (read back from a
 * file of ours, or our own words around such text), quoted as needed. */
int csv_quoted(struct buf *out, const char *p, size_t len);
/* The header line, with CRLF. */
int csv_header(struct buf *out);
/* One row, with CRLF. */
int csv_row(struct buf *out, const struct row *row);
/* One line of ours (without its line end) back into cells: 0, or -1 when
 * it does not have the columns. */
int csv_read_row(const char *line, size_t len, struct row_cells *cells);

extern const struct output_format csv_format;

#endif
