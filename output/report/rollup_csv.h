/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The rollup file: one CSV row per target (a mail domain in MX mode), its
 * grade and the reason for it (docs/grades.md names every column). */
#ifndef STS_ROLLUP_CSV_H
#define STS_ROLLUP_CSV_H

#include "output/report/rollup_read.h"
#include "scanner/base/buf.h"

/* The header line, with CRLF. */
int rollup_csv_header(struct buf *out);
/* One target's line, with CRLF. */
int rollup_csv_row(struct buf *out, const struct rollup_target *t);

#endif
