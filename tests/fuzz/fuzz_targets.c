/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer: input lines, both modes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/input/shard.h"
#include "scanner/input/targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int mx = 0; mx < 2; mx++) {
        struct target t;
        const char *why;
        if (target_parse_line((const char *)data, size, mx, &t, &why) == TP_OK) {
            size_t n = strlen(t.name);
            if (n > TARGET_NAME_MAX) abort();
            if (shard_of(t.name, n, 7) >= 7) abort(); /* the name a target's shard is taken from */
        }
    }
    return 0;
}
