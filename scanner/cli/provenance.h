/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where a run came from, for the summary JSON's "run" (issue 27): the
 * scanner and its libraries, the command line, the times, the resolvers
 * asked, the local addresses the connections went out from, the EHLO name
 * and the CA bundle with its digest. */
#ifndef STS_PROVENANCE_H
#define STS_PROVENANCE_H

#include <stdint.h>

#include "output/live/summary.h"
#include "scanner/cli/config.h"

struct scan;

/* main's command line, whole (the commands see theirs without the program). */
void provenance_command_line(int argc, char **argv);
/* What every run knows: the scanner, the command line, the times (ended is now). */
void provenance_basic(struct run_provenance *p, int64_t started);

/* ended is now; scan: joined (NULL: the workers still run, no source addresses). */
void provenance_fill(struct run_provenance *p, const struct config *cfg, int64_t started, const struct scan *scan);

#endif
