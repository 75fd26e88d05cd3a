/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The registry of output formats: -f, --help and the error messages read
 * this one list. Adding a format is a new file and one line here. */
#ifndef STS_FORMATS_H
#define STS_FORMATS_H

#include <stddef.h>

#include "output/rows/format.h"

/* Every format, NULL-terminated, in the order --help lists them. */
extern const struct output_format *const output_formats[];
/* By name, in any case; NULL when there is none. */
const struct output_format *output_format_find(const char *name);
/* "csv or jsonl", for messages and --help. */
void output_format_names(char *out, size_t len);

#endif
