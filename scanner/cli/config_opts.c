/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The scan's and check's options, a parser per group of them; the table
 * of every option is scanner/cli/optable.h. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "output/rows/formats.h"
#include "scanner/cli/failkind.h"
#include "scanner/cli/config.h"
#include "scanner/dialog/saslmech.h"
#include "scanner/dialog/services.h"
#include "scanner/cli/config_opts.h"

/* What is scanned: the protocol, the port, MX or hosts. */
static int protocol_opts(struct config *cfg, int code, const char *arg)
{
    long v;
    char names[200];
    switch (code) {
    case OPT_PROTOCOL:
        if (!(cfg->scan.service = service_find(arg))) {
            service_names(names, sizeof names);
            fprintf(stderr, "starttls-scan: --protocol: '%s' is not one of %s\n", arg, names);
            return 2;
        }
        return 0;
    case OPT_PORT:
        if (parse_count("--port", arg, 1, 65535, &v)) return 2;
        cfg->scan.port = (int)v;
        return 0;
    case OPT_NO_MX: cfg->scan.mx_mode = false; cfg->no_mx = true; return 0;
    case OPT_SRV: cfg->srv = true; return 0;
    case OPT_NO_SRV: cfg->no_srv = true; return 0;
    default: return 1;
    }
}

/* --shard K/N, or auto (resolved once every option is read). */
static int shard_opt(struct config *cfg, const char *arg)
{
    char why[200];
    if (strcmp(arg, "auto") == 0) {
        cfg->shard_auto = true;
        return 0;
    }
    if (shard_parse(arg, &cfg->shard, why, sizeof why) == 0) return 0;
    fprintf(stderr, "starttls-scan: --shard: %s\n", why);
    return 2;
}

/* Where the rows go, and what is said on stderr. */
static int output_opts(struct config *cfg, int code, const char *arg)
{
    long v;
    char names[64];
    switch (code) {
    case OPT_OUTPUT: cfg->output = arg; return 0;
    case OPT_OVERWRITE: cfg->overwrite = true; return 0;
    case OPT_RESUME: cfg->resume = true; return 0;
    case OPT_FORMAT:
        if (!(cfg->format = output_format_find(arg))) {
            output_format_names(names, sizeof names);
            fprintf(stderr, "starttls-scan: --format: '%s' is not %s\n", arg, names);
            return 2;
        }
        return 0;
    case OPT_QUIET: cfg->quiet = true; return 0;
    case OPT_PROGRESS: cfg->progress = true; return 0;
    case OPT_SUMMARY: cfg->summary_file = arg; return 0;
    case OPT_ROLLUP: cfg->rollup_file = arg; return 0;
    case OPT_REPORT: cfg->report_file = arg; return 0;
    case OPT_METRICS: cfg->metrics_file = arg; return 0;
    case OPT_RAW: cfg->scan.raw = true; return 0;
    case OPT_METRICS_AGGREGATE: cfg->metrics_aggregate = true; return 0;
    case OPT_EXPIRING:
        if (parse_count("--expiring-within", arg, 0, 100000, &v)) return 2;
        cfg->expiring_within = v;
        return 0;
    case OPT_SHARD: return shard_opt(cfg, arg);
    case OPT_SHARDS:
        if (parse_count("--shards", arg, 1, SHARD_MAX, &v)) return 2;
        cfg->shards = (unsigned)v;
        return 0;
    default: return 1;
    }
}

/* How much runs at once: threads, probes, TLS sessions, and the politeness bounds. */
static int scale_opts(struct config *cfg, int code, const char *arg)
{
    long v;
    switch (code) {
    case OPT_WORKERS: if (parse_count("--workers", arg, 1, 64, &v)) return 2; cfg->scan.workers = (int)v; return 0;
    case OPT_CONCURRENCY:
        if (parse_count("--concurrency", arg, 1, 1000000, &v)) return 2;
        cfg->scan.concurrency = (int)v;
        cfg->concurrency_given = true;
        return 0;
    case OPT_MAX_TLS:
        if (parse_count("--max-tls", arg, 1, 1000000, &v)) return 2;
        cfg->scan.max_tls = (int)v;
        return 0;
    case OPT_PER_HOST:
        if (parse_count("--per-host", arg, 1, 10000, &v)) return 2;
        cfg->scan.per_host = (int)v;
        return 0;
    case OPT_RATE: if (parse_count("--rate", arg, 1, 10000000, &v)) return 2; cfg->scan.rate = (int)v; return 0;
    case OPT_RETRY_DELAY: return parse_seconds("--retry-delay", arg, &cfg->scan.retry_delay_ms) ? 2 : 0;
    case OPT_NO_RETRY: cfg->scan.retry = false; return 0;
    default: return 1;
    }
}

/* DNS, and which addresses may be contacted. */
static int dns_safety_opts(struct config *cfg, int code, const char *arg)
{
    long v;
    char err[512];
    switch (code) {
    case OPT_RESOLVER:
        if (check_resolver(arg) != 0) return 2;
        if (cfg->scan.nresolvers == MAX_RESOLVERS) {
            fprintf(stderr, "starttls-scan: --resolver: at most %d servers\n", MAX_RESOLVERS);
            return 2;
        }
        cfg->scan.resolvers[cfg->scan.nresolvers++] = arg;
        return 0;
    case OPT_MX_MAX: if (parse_count("--mx-max", arg, 1, 100, &v)) return 2; cfg->scan.mx_max = (int)v; return 0;
    case OPT_DNS_TIMEOUT: return parse_seconds("--dns-timeout", arg, &cfg->scan.dns_ms) ? 2 : 0;
    case OPT_ALLOW_PRIVATE: cfg->scan.allow_private = true; return 0;
    case OPT_BLOCKLIST:
    case OPT_ALLOWLIST:
        if (cidr_list_load(code == OPT_BLOCKLIST ? &cfg->scan.blocklist : &cfg->scan.allowlist, arg, err,
                           sizeof err) != 0) {
            fprintf(stderr, "starttls-scan: %s: %s\n", code == OPT_BLOCKLIST ? "--blocklist" : "--allowlist", err);
            return 2;
        }
        return 0;
    default: return 1;
    }
}

/* check --nagios: its thresholds and what is only a warning. */
static int check_opts(struct config *cfg, int code, const char *arg)
{
    long v;
    switch (code) {
    case OPT_NAGIOS: cfg->nagios = true; return 0;
    case OPT_WARNING:
        if (parse_count("--warning", arg, 0, 100000, &v)) return 2;
        cfg->nagios_warning = v;
        return 0;
    case OPT_CRITICAL:
        if (parse_count("--critical", arg, 0, 100000, &v)) return 2;
        cfg->nagios_critical = v;
        return 0;
    case OPT_WARN_ONLY:
        if (check_kinds_parse(arg, &cfg->nagios_warn_only) != 0) {
            fprintf(stderr, "starttls-scan check: --warn-only: '%s' is not a comma-separated list of %s\n", arg,
                    CHECK_KIND_WORDS);
            return 2;
        }
        return 0;
    default: return 1;
    }
}

/* The dialog's timeouts, EHLO, TLS and check's AUTH test. */
static int dialog_opts(struct config *cfg, int code, const char *arg)
{
    switch (code) {
    case OPT_EHLO:
        if (check_ehlo(arg)) return 2;
        snprintf(cfg->scan.ehlo, sizeof cfg->scan.ehlo, "%s", arg);
        return 0;
    case OPT_TIMEOUT: return parse_seconds("--timeout", arg, &cfg->scan.timeout_ms) ? 2 : 0;
    case OPT_CONNECT_TIMEOUT: return parse_seconds("--connect-timeout", arg, &cfg->scan.connect_ms) ? 2 : 0;
    case OPT_BANNER_TIMEOUT: return parse_seconds("--banner-timeout", arg, &cfg->scan.banner_ms) ? 2 : 0;
    case OPT_REPLY_TIMEOUT: return parse_seconds("--reply-timeout", arg, &cfg->scan.reply_ms) ? 2 : 0;
    case OPT_HANDSHAKE_TIMEOUT: return parse_seconds("--handshake-timeout", arg, &cfg->scan.handshake_ms) ? 2 : 0;
    case OPT_CA_FILE: cfg->scan.ca_file = arg; return 0;
    case OPT_VERSIONS: cfg->scan.versions = true; return 0;
    case OPT_CIPHERS: cfg->scan.ciphers = true; return 0;
    case OPT_NO_DANE: cfg->scan.dane = false; return 0;
    case OPT_NO_MTA_STS: cfg->scan.mta_sts = false; return 0;
    case OPT_NO_TLS_RPT: cfg->scan.tls_rpt = false; return 0;
    case OPT_AUTH_USER: cfg->scan.auth_user = arg; return 0;
    case OPT_AUTH_MECH: {
        int m = sasl_mech_find(arg);
        if (m < 0 && strcasecmp(arg, "auto") != 0) {
            fprintf(stderr, "starttls-scan check: --auth-mech: '%s' is not auto, %s\n", arg, SASL_MECH_NAMES);
            return 2;
        }
        cfg->scan.auth_mech = m < 0 ? "auto" : sasl_mech_name((enum sasl_mech)m);
        return 0;
    }
    case OPT_NO_VERIFY: cfg->no_verify = true; return 0;
    default: return check_opts(cfg, code, arg);
    }
}

/* The group parsers in turn: 0, 2 after a message, 1 for none of theirs. */
static int parse_one(struct config *cfg, int code, const char *arg)
{
    int (*const groups[])(struct config *, int, const char *) = {protocol_opts, output_opts, scale_opts,
                                                                dns_safety_opts, dialog_opts};
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
        int rc = groups[i](cfg, code, arg);
        if (rc != 1) return rc;
    }
    return 2;
}

int config_option(struct config *cfg, int code, const char *arg, bool check, int *given)
{
    const struct option_row *row = optable_row(code);
    if (!row || !(row->commands & CMD_BOTH)) return 2;
    char name[40];
    snprintf(name, sizeof name, "--%s", row->name);
    if (!(row->commands & (check ? CMD_CHECK : CMD_SCAN))) {
        if (check)
            fprintf(stderr, "starttls-scan check: %s means nothing for check (it is for mass "
                            "scans); see starttls-scan check --help\n", name);
        else
            fprintf(stderr, "starttls-scan: %s belongs to 'starttls-scan check' (mass scans never "
                            "authenticate, and always verify)\n", name);
        return 2;
    }
    if (++given[code - OPT_NONE] > 1 && !(row->flags & REPEAT)) {
        fprintf(stderr, "starttls-scan: %s given twice; give it once\n", name);
        return 2;
    }
    return parse_one(cfg, code, arg);
}

static void apply_default(void *arg, int id, const char *def)
{
    if (parse_one(arg, id, def) != 0) abort(); /* the table's defaults parse (tests/cli.py runs them) */
}

/* Both commands' defaults, whichever runs: check runs the scan's engine,
 * which needs the scan's settings too (--per-host, --max-tls, ...). */
void config_option_defaults(struct config *cfg)
{
    optable_each_default(CMD_BOTH, apply_default, cfg);
    cfg->concurrency_given = false;
}
