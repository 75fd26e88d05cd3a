/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The option table and its group parsers (scanner/cli/config_opts.c), for
 * config.c. */
#ifndef STS_CONFIG_OPTS_H
#define STS_CONFIG_OPTS_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#include "scanner/cli/config.h"

enum {
    OPT_NO_MX = 256,
    OPT_AUTH_USER,
    OPT_AUTH_MECH,
    OPT_NO_VERIFY,
    OPT_PORT,
    OPT_OVERWRITE,
    OPT_RESUME,
    OPT_RESOLVER,
    OPT_MX_MAX,
    OPT_DNS_TIMEOUT,
    OPT_ALLOW_PRIVATE,
    OPT_PER_HOST,
    OPT_RATE,
    OPT_BLOCKLIST,
    OPT_ALLOWLIST,
    OPT_EHLO,
    OPT_TIMEOUT,
    OPT_CONNECT_TIMEOUT,
    OPT_BANNER_TIMEOUT,
    OPT_REPLY_TIMEOUT,
    OPT_HANDSHAKE_TIMEOUT,
    OPT_CA_FILE,
    OPT_VERSIONS,
    OPT_CIPHERS,
    OPT_ROLLUP,
    OPT_REPORT,
    OPT_NO_DANE,
    OPT_NO_MTA_STS,
    OPT_NO_TLS_RPT,
    OPT_MAX_TLS,
    OPT_PROGRESS,
    OPT_SUMMARY,
    OPT_EXPIRING,
    OPT_VERSION,
    OPT_RETRY_DELAY,
    OPT_NO_RETRY,
    OPT_SHARD,
    OPT_SHARDS,
};

/* getopt_long's table, built from the option table. */
const struct option *config_long_options(void);
size_t config_nspecs(void);
/* One option: 0, or 2 after a message. given: counts per option (config_nspecs). */
int config_option(struct config *cfg, int code, const char *arg, bool check, int *given);

#endif
