/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer: a line of an output file, as the rollup and the report read it:
 * its rollup row, and the whole page, whose only markup must stay ours
 * (one <script>, whatever the row's text). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "output/rows/csv.h"
#include "output/rows/jsonl.h"
#include "output/report/report.h"
#include "output/report/rollup_csv.h"
#include "output/rows/rowcells.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t count(const struct buf *b, const char *needle)
{
    size_t n = 0;
    for (const char *p = b->data; p && (p = strstr(p, needle)) != NULL; p++) n++;
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct row_cells cells;
    static struct kept_row kept;
    for (int f = 0; f < 2; f++) {
        int rc = f ? jsonl_read_row((const char *)data, size, &cells) : csv_read_row((const char *)data, size, &cells);
        if (rc != 0) continue;
        struct row row;
        struct probe_result r;
        row_from_cells(&cells, &row, &r);
        struct rollup u;
        rollup_init(&u);
        rollup_add(&u, &row);
        kept_row_set(&kept, &row);
        kept.has_days = true; /* whatever its dates: into the expiring table */
        kept.days_left = 3;
        char reason[1200];
        struct rollup_target t = {row.domain.p ? row.domain.p : "", row.protocol ? row.protocol : "", &u, "", reason, &kept, 1};
        rollup_grade(&u, t.grade, reason, sizeof reason);
        struct buf out = {0};
        if (rollup_csv_row(&out, &t) != 0) abort();
        struct report rep;
        if (report_init(&rep, 30) != 0) abort();
        report_add(&rep, &t);
        const char *inputs[] = {"<in>"};
        struct report_meta meta = {inputs, 1, 0, "0"};
        buf_reset(&out);
        if (report_html(&rep, &meta, &out) != 0) abort();
        if (count(&out, "<script") != 1 || count(&out, "<img") != 0) abort();
        buf_free(&out);
        report_free(&rep);
        probe_result_free(&r);
    }
    return 0;
}
