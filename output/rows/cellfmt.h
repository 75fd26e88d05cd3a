/* SPDX-License-Identifier: GPL-2.0-or-later */
/* How a value becomes cell text, the same for every output format and for
 * the check transcript: server-chosen bytes escaped (control bytes, DEL,
 * backslash and invalid UTF-8 as \xNN), an optional spreadsheet guard, a
 * cap on the length, ISO 8601 times and yes/no words. */
#ifndef STS_CELLFMT_H
#define STS_CELLFMT_H

#include <stddef.h>
#include <stdint.h>

#include "scanner/result/row.h"
#include "scanner/base/buf.h"

/* The longest cell we write, in output bytes; a longer cell ends in CELL_TRUNCATED. */
#define CELL_MAX 4096
#define CELL_TRUNCATED "...[truncated]"

/* Appends p escaped. guard: a text that a spreadsheet would read as a
 * formula (=, +, -, @, TAB, CR first) gets a leading '. */
int escape_text(struct buf *out, const char *p, size_t len, int guard);
/* Appends a word list (scanner/base/wordlist.h) as one cell: each item
 * escaped, its own spaces as \x20 too, the items joined by spaces. */
int escape_list(struct buf *out, const char *p, size_t len, int guard);

/* 2027-02-25T19:22:35Z (UTC); "" when t cannot be shown. */
void iso8601_utc(int64_t t, char out[32]);
/* The same text back to Unix time: 0, or -1 when it is not that form. */
int iso8601_parse(const char *s, size_t len, int64_t *out);

/* "yes", "no", or "" for a tri-state. */
const char *tri_word(enum tri t);
/* The same word back ("" and anything else: unknown). */
enum tri tri_of_word(const char *s, size_t len);

#endif
