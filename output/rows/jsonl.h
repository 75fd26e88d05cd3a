/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JSON Lines rows: one object per row, the CSV's column names as keys;
 * numbers as numbers, yes/no as booleans, empty cells as null. Strings hold
 * the same text as the CSV cells (control bytes and invalid UTF-8 as \xNN),
 * without the spreadsheet guard. */
#ifndef STS_JSONL_H
#define STS_JSONL_H

#include "output/rows/format.h"
#include "scanner/result/row.h"
#include "output/rows/rowcells.h"
#include "scanner/base/buf.h"

int jsonl_row(struct buf *out, const struct row *row);
/* A line of ours back into cells (strings unescaped, true/false as yes/no,
 * null as empty, arrays joined by spaces): 0, or -1 when it is not one of
 * our objects. */
int jsonl_read_row(const char *line, size_t len, struct row_cells *cells);
/* A JSON string of text: escaped as a cell, then quoted for JSON. */
int json_string(struct buf *out, const char *p, size_t len);

extern const struct output_format jsonl_format;

#endif
