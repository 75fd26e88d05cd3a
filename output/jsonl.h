/* JSON Lines rows: one object per row, the CSV's column names as keys;
 * numbers as numbers, yes/no as booleans, empty cells as null. Strings hold
 * the same text as the CSV cells (control bytes and invalid UTF-8 as \xNN),
 * without the spreadsheet guard. */
#ifndef STS_JSONL_H
#define STS_JSONL_H

#include "output/row.h"
#include "scanner/buf.h"

int jsonl_row(struct buf *out, const struct row *row);
/* --resume: the domain of a line this writer wrote, unescaped; 0 or -1. */
int jsonl_domain(const char *line, size_t len, struct buf *out);

#endif
