/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The scan's and check's option parsers (scanner/cli/config_opts.c), for
 * cmdline.c; the options themselves are the table in optable.h. */
#ifndef STS_CONFIG_OPTS_H
#define STS_CONFIG_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "scanner/cli/config.h"
#include "scanner/cli/optable.h"

/* The size of the given-counts array config_option() takes. */
#define CONFIG_NGIVEN ((size_t)(OPT_END - OPT_NONE))
/* One option (its id, optable.h): 0, or 2 after a message. given: counts
 * per option. */
int config_option(struct config *cfg, int code, const char *arg, bool check, int *given);
/* The table's defaults of the scan and check, parsed as the options would be. */
void config_option_defaults(struct config *cfg);

#endif
