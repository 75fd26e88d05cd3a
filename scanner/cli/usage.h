/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The --help texts. */
#ifndef STS_USAGE_H
#define STS_USAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The scan's (or check's) --help, the protocol and format lists filled in. */
void usage_print(FILE *out, bool check);

/* --version: ours (CMake's project version) and the libuv, wolfSSL and
 * c-ares versions linked at run time, which may be newer than the headers. */
void usage_print_version(FILE *out);
/* starttls-scan merge --help */
void usage_print_merge(FILE *out);
/* starttls-scan rollup --help, or report --help. */
void usage_print_rollup(FILE *out, bool report);
/* "1.2.0": this build's version. */
const char *usage_version_string(void);
/* --version's lines as one ("starttls-scan 0.2.0; linked at run time: ..."). */
void usage_version_line(char *out, size_t len);

#endif
