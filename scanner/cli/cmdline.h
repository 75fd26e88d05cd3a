/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The command line, parsed into a struct config. */
#ifndef STS_CMDLINE_H
#define STS_CMDLINE_H

#include <stdbool.h>

#include "scanner/cli/config.h"

/* Parses argv into *cfg. Returns 0 to scan, 1 when --help/--version printed
 * and the program should exit 0, or 2 after printing an error to stderr.
 * check: the arguments of "starttls-scan check HOST[:PORT] ...". */
int config_parse(struct config *cfg, int argc, char **argv, bool check);
/* Frees what parsing loaded (the range lists); after any config_parse. */
void config_free(struct config *cfg);

#endif
