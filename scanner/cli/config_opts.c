/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The command line's options: one table (names, which command takes them,
 * whether they may be given twice), and a parser per group of them. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "output/rows/formats.h"
#include "scanner/cli/config.h"
#include "scanner/dialog/services.h"
#include "scanner/cli/config_opts.h"

/* Which command an option belongs to, and whether it may come twice. */
#define FOR_SCAN 1u
#define FOR_CHECK 2u
#define FOR_BOTH (FOR_SCAN | FOR_CHECK)
#define REPEATABLE 4u

static const struct opt_spec {
    const char *name;
    int has_arg;
    int code;
    unsigned flags;
} specs[] = {
    {"protocol", required_argument, 'p', FOR_BOTH},
    {"port", required_argument, OPT_PORT, FOR_BOTH},
    {"no-mx", no_argument, OPT_NO_MX, FOR_BOTH | REPEATABLE},
    {"output", required_argument, 'o', FOR_SCAN},
    {"overwrite", no_argument, OPT_OVERWRITE, FOR_SCAN | REPEATABLE},
    {"resume", no_argument, OPT_RESUME, FOR_SCAN | REPEATABLE},
    {"format", required_argument, 'f', FOR_SCAN},
    {"quiet", no_argument, 'q', FOR_SCAN | REPEATABLE},
    {"progress", no_argument, OPT_PROGRESS, FOR_SCAN | REPEATABLE},
    {"summary", required_argument, OPT_SUMMARY, FOR_SCAN},
    {"rollup", required_argument, OPT_ROLLUP, FOR_SCAN},
    {"report", required_argument, OPT_REPORT, FOR_SCAN},
    {"shard", required_argument, OPT_SHARD, FOR_SCAN},
    {"shards", required_argument, OPT_SHARDS, FOR_SCAN},
    {"expiring-within", required_argument, OPT_EXPIRING, FOR_SCAN | REPEATABLE},
    {"workers", required_argument, 'w', FOR_SCAN | REPEATABLE},
    {"concurrency", required_argument, 'c', FOR_SCAN | REPEATABLE},
    {"max-tls", required_argument, OPT_MAX_TLS, FOR_SCAN | REPEATABLE},
    {"resolver", required_argument, OPT_RESOLVER, FOR_BOTH | REPEATABLE},
    {"mx-max", required_argument, OPT_MX_MAX, FOR_BOTH | REPEATABLE},
    {"dns-timeout", required_argument, OPT_DNS_TIMEOUT, FOR_BOTH | REPEATABLE},
    {"allow-private", no_argument, OPT_ALLOW_PRIVATE, FOR_BOTH | REPEATABLE},
    {"blocklist", required_argument, OPT_BLOCKLIST, FOR_BOTH | REPEATABLE},
    {"allowlist", required_argument, OPT_ALLOWLIST, FOR_BOTH | REPEATABLE},
    {"per-host", required_argument, OPT_PER_HOST, FOR_SCAN | REPEATABLE},
    {"rate", required_argument, OPT_RATE, FOR_SCAN | REPEATABLE},
    {"retry-delay", required_argument, OPT_RETRY_DELAY, FOR_SCAN | REPEATABLE},
    {"no-retry", no_argument, OPT_NO_RETRY, FOR_SCAN | REPEATABLE},
    {"ehlo", required_argument, OPT_EHLO, FOR_BOTH},
    {"timeout", required_argument, OPT_TIMEOUT, FOR_BOTH | REPEATABLE},
    {"connect-timeout", required_argument, OPT_CONNECT_TIMEOUT, FOR_BOTH | REPEATABLE},
    {"banner-timeout", required_argument, OPT_BANNER_TIMEOUT, FOR_BOTH | REPEATABLE},
    {"reply-timeout", required_argument, OPT_REPLY_TIMEOUT, FOR_BOTH | REPEATABLE},
    {"handshake-timeout", required_argument, OPT_HANDSHAKE_TIMEOUT, FOR_BOTH | REPEATABLE},
    {"ca-file", required_argument, OPT_CA_FILE, FOR_BOTH},
    {"versions", no_argument, OPT_VERSIONS, FOR_BOTH | REPEATABLE},
    {"ciphers", no_argument, OPT_CIPHERS, FOR_BOTH | REPEATABLE},
    {"no-dane", no_argument, OPT_NO_DANE, FOR_BOTH | REPEATABLE},
    {"no-mta-sts", no_argument, OPT_NO_MTA_STS, FOR_BOTH | REPEATABLE},
    {"no-tls-rpt", no_argument, OPT_NO_TLS_RPT, FOR_BOTH | REPEATABLE},
    {"auth-user", required_argument, OPT_AUTH_USER, FOR_CHECK},
    {"auth-mech", required_argument, OPT_AUTH_MECH, FOR_CHECK},
    {"no-verify", no_argument, OPT_NO_VERIFY, FOR_CHECK | REPEATABLE},
    {"help", no_argument, 'h', FOR_BOTH | REPEATABLE},
    {"version", no_argument, OPT_VERSION, FOR_BOTH | REPEATABLE},
};

#define NSPECS (sizeof specs / sizeof specs[0])

static struct option long_options[NSPECS + 1];

const struct option *config_long_options(void)
{
    for (size_t i = 0; i < NSPECS; i++)
        long_options[i] = (struct option){specs[i].name, specs[i].has_arg, NULL, specs[i].code};
    return long_options;
}

static const struct opt_spec *spec_of(int code)
{
    for (size_t i = 0; i < NSPECS; i++)
        if (specs[i].code == code) return &specs[i];
    return NULL;
}

/* What is scanned: the protocol, the port, MX or hosts. */
static int protocol_opts(struct config *cfg, int code, const char *arg)
{
    long v;
    char names[200];
    switch (code) {
    case 'p':
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
    case 'o': cfg->output = arg; return 0;
    case OPT_OVERWRITE: cfg->overwrite = true; return 0;
    case OPT_RESUME: cfg->resume = true; return 0;
    case 'f':
        if (!(cfg->format = output_format_find(arg))) {
            output_format_names(names, sizeof names);
            fprintf(stderr, "starttls-scan: --format: '%s' is not %s\n", arg, names);
            return 2;
        }
        return 0;
    case 'q': cfg->quiet = true; return 0;
    case OPT_PROGRESS: cfg->progress = true; return 0;
    case OPT_SUMMARY: cfg->summary_file = arg; return 0;
    case OPT_ROLLUP: cfg->rollup_file = arg; return 0;
    case OPT_REPORT: cfg->report_file = arg; return 0;
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
    case 'w': if (parse_count("--workers", arg, 1, 64, &v)) return 2; cfg->scan.workers = (int)v; return 0;
    case 'c':
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
    case OPT_AUTH_MECH:
        if (strcasecmp(arg, "PLAIN") != 0 && strcasecmp(arg, "LOGIN") != 0) {
            fprintf(stderr, "starttls-scan check: --auth-mech: '%s' is not PLAIN or LOGIN\n", arg);
            return 2;
        }
        cfg->scan.auth_mech = strcasecmp(arg, "PLAIN") == 0 ? "PLAIN" : "LOGIN";
        return 0;
    case OPT_NO_VERIFY: cfg->no_verify = true; return 0;
    default: return 1;
    }
}

int config_option(struct config *cfg, int code, const char *arg, bool check, int *given)
{
    const struct opt_spec *spec = spec_of(code);
    if (!spec) return 2;
    char name[40];
    snprintf(name, sizeof name, "--%s", spec->name);
    if (!(spec->flags & (check ? FOR_CHECK : FOR_SCAN))) {
        if (check)
            fprintf(stderr, "starttls-scan check: %s means nothing for check (it is for mass "
                            "scans); see starttls-scan check --help\n", name);
        else
            fprintf(stderr, "starttls-scan: %s belongs to 'starttls-scan check' (mass scans never "
                            "authenticate, and always verify)\n", name);
        return 2;
    }
    int *count = &given[spec - specs];
    if (++*count > 1 && !(spec->flags & REPEATABLE)) {
        fprintf(stderr, "starttls-scan: %s given twice; give it once\n", name);
        return 2;
    }
    int (*const groups[])(struct config *, int, const char *) = {protocol_opts, output_opts, scale_opts,
                                                                dns_safety_opts, dialog_opts};
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
        int rc = groups[i](cfg, code, arg);
        if (rc != 1) return rc;
    }
    return 2;
}

size_t config_nspecs(void)
{
    return NSPECS;
}
