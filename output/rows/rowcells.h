/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A row read back from an output file, as text per column: what --resume
 * (and merge) need to know which targets a file holds and to count its rows
 * into the summary again. */
#ifndef STS_ROWCELLS_H
#define STS_ROWCELLS_H

#include <stdbool.h>

#include "output/rows/columns.h"
#include "scanner/result/row.h"
#include "scanner/base/buf.h"

struct row_cells {
    struct buf v[COL_COUNT]; /* the cell as written (escaped text; yes/no for booleans) */
    struct domain_policy policy; /* row_from_cells: the domain's columns, read back */
};

void row_cells_reset(struct row_cells *c);
void row_cells_free(struct row_cells *c);

/* The row the cells describe, for the summary: *row points into c and r;
 * r is filled with what the summary reads (status, TLS, certificate dates
 * and digest, verdicts, DANE), c->policy with the domain's columns. Free r
 * with probe_result_free. */
void row_from_cells(struct row_cells *c, struct row *row, struct probe_result *r);

#endif
