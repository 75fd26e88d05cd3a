/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The input's first pass: which lines the scan skips, found in bounded
 * memory whatever the input's length (issue 17).
 *
 * Each line that is a target or an invalid line gives its key (the key its
 * rows are found by: feeder_target_key), and a resumed output gives the
 * keys it holds. sort(1) puts them in key order (on disk past a few MiB);
 * read in that order, a key the output holds makes every line of it
 * "resumed", and a valid target's second and later lines are "duplicate".
 * Those line numbers, sorted again, are read back in step with the second
 * pass over the input. Memory: sort's two buffers; disk: about twice the
 * input, in TMPDIR (/tmp by default). Exact: keys, not hashes, compare. */
#ifndef STS_PREPASS_H
#define STS_PREPASS_H

#include <stddef.h>
#include <stdint.h>

enum prepass_kind { PREPASS_DONE = 0, PREPASS_TARGET = 1, PREPASS_INVALID = 2 };
#define PREPASS_DUPLICATE 'D'
#define PREPASS_RESUMED 'R'

struct prepass;

/* NULL when sort(1) cannot be started (reported). */
struct prepass *prepass_start(void);
/* One key: an output row's (DONE, lineno 0) or an input line's. Keys hold
 * no TAB and no LF (cells are escaped). 0, or -1 (sort failed, reported). */
int prepass_key(struct prepass *p, enum prepass_kind kind, const char *key, size_t len, uint64_t lineno);
/* All keys given: works out the lines to skip. 0, or -1 (reported). */
int prepass_finish(struct prepass *p);
/* Why line `lineno` is skipped (PREPASS_DUPLICATE, PREPASS_RESUMED), or 0:
 * scan it. Asked in increasing line order. */
int prepass_skip(struct prepass *p, uint64_t lineno);
/* Stops the sorts (a cancel, or the end) and frees everything. */
void prepass_free(struct prepass *p);

#endif
