/* CSV rows (RFC 4180) that are safe to open in a spreadsheet. */
#ifndef STS_CSV_H
#define STS_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "output/row.h"
#include "scanner/buf.h"

/* The longest cell we write, in output bytes; a longer cell ends in CSV_TRUNCATED. */
#define CSV_CELL_MAX 4096
#define CSV_TRUNCATED "...[truncated]"

/* A cell's text before RFC 4180 quoting: escapes and the formula guard. */
int csv_escape_text(struct buf *out, const char *p, size_t len, int is_text);
/* Appends one cell. Control bytes, DEL, backslash and invalid UTF-8 become \xNN;
 * a text cell that a spreadsheet would read as a formula gets a leading '.
 * Quotes the cell when it holds a comma or a double quote. */
int csv_cell(struct buf *out, const char *p, size_t len, int is_text);

/* The header line, with CRLF. */
int csv_header(struct buf *out);
/* One row, with CRLF. */
int csv_row(struct buf *out, const struct row *row);

/* 2027-02-25T19:22:35Z; writes "" for t < 0 is not done: callers check. */
void iso8601_utc(int64_t t, char out[32]);

#endif
