/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "output/rows/formats.h"

#include <stdio.h>
#include <strings.h>

/* Each format's table, defined in its own file. */
extern const struct output_format csv_format, jsonl_format;

const struct output_format *const output_formats[] = {&csv_format, &jsonl_format, NULL};

const struct output_format *output_format_find(const char *name)
{
    for (int i = 0; output_formats[i]; i++)
        if (strcasecmp(output_formats[i]->name, name) == 0) return output_formats[i];
    return NULL;
}

void output_format_names(char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; output_formats[i] && used < len; i++) {
        const char *sep = i == 0 ? "" : output_formats[i + 1] ? ", " : " or ";
        used += (size_t)snprintf(out + used, len - used, "%s%s", sep, output_formats[i]->name);
    }
}
