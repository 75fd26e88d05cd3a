/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer: a line of an output file back into cells, in both formats, and
 * the row the summary would count from them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "output/rows/csv.h"
#include "output/rows/jsonl.h"
#include "output/rows/rowcells.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct row_cells cells;
    const char *line = (const char *)data;
    for (int f = 0; f < 2; f++) {
        int rc = f ? jsonl_read_row(line, size, &cells) : csv_read_row(line, size, &cells);
        if (rc != 0) continue;
        struct row row;
        struct probe_result r;
        row_from_cells(&cells, &row, &r);
        if (r.status >= ST_COUNT) abort();
        struct buf key = {0};
        row_key(&key, row.domain.p, row.domain.len, row.port, row.protocol);
        buf_free(&key);
        probe_result_free(&r);
    }
    return 0;
}
