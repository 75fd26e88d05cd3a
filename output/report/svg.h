/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Charts as inline SVG, drawn by us: no library, no font or image to fetch.
 * Every bar carries its label and count as data-label / data-count (what a
 * test reads back) and as a <title> (what a reader's mouse shows). */
#ifndef STS_SVG_H
#define STS_SVG_H

#include <stdint.h>

#include "scanner/base/buf.h"

struct svg_bar {
    const char *label; /* a cell's text: HTML-escaped here */
    uint64_t value;
    const char *color; /* "#RRGGBB", ours */
    const char *shown; /* what the chart writes beside the bar (NULL: label, cut) */
};

/* Horizontal bars, one per item, label left, count right; id names the chart. */
int svg_bars(struct buf *out, const char *id, const struct svg_bar *bars, int n);
/* Columns side by side (a histogram), labels below, counts above. */
int svg_columns(struct buf *out, const char *id, const struct svg_bar *bars, int n);

#endif
