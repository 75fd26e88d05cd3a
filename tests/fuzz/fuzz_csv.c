/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer: any bytes into a CSV cell come out escaped, one line, capped. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "output/rows/cellfmt.h"
#include "output/rows/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct buf out = {0};
    if (csv_cell(&out, (const char *)data, size, 1) != 0) abort();
    for (size_t i = 0; i < out.len; i++)
        if ((unsigned char)out.data[i] < 0x20 || out.data[i] == 0x7F) abort();
    if (out.len > 2 * CELL_MAX + 2) abort();
    if (out.len && strchr("=+-@", out.data[0]) != NULL) abort();
    buf_free(&out);
    return 0;
}
