/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/cli/config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <getopt.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "output/rows/formats.h"
#include "scanner/cli/config_opts.h"
#include "scanner/cli/cmdline.h"
#include "scanner/cli/usage.h"
#include "scanner/dialog/services.h"
#include "scanner/input/targets.h"

/* Each probe holds one socket; c-ares, the output and libuv need a few more.
 * The soft limit on open files is raised as far as the hard limit allows (no
 * privilege needed: a plain user's 1024 would not hold the default -c); when
 * even that is too low, the default concurrency is lowered to fit, and an
 * explicit -c is refused. */
static int check_limits(struct config *cfg)
{
    struct rlimit rl;
    rlim_t spare = 64 + 8 * (rlim_t)cfg->scan.workers, need = (rlim_t)cfg->scan.concurrency + spare;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need) return 0;
    struct rlimit raised = rl;
    raised.rlim_cur = (rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need) ? need : rl.rlim_max;
    if (raised.rlim_cur > rl.rlim_cur && setrlimit(RLIMIT_NOFILE, &raised) == 0) rl = raised;
    if (rl.rlim_cur >= need) return 0;
    if (!cfg->concurrency_given && rl.rlim_cur > spare) {
        cfg->scan.concurrency = (int)(rl.rlim_cur - spare);
        if (!cfg->quiet)
            fprintf(stderr, "starttls-scan: open files are limited to %llu (ulimit -n): %d probes at once\n",
                    (unsigned long long)rl.rlim_cur, cfg->scan.concurrency);
        return 0;
    }
    fprintf(stderr,
            "starttls-scan: --concurrency %d needs more open files than the limit of %llu; "
            "lower it or raise 'ulimit -n'\n",
            cfg->scan.concurrency, (unsigned long long)rl.rlim_cur);
    return -1;
}

/* What no option sets, and what the table's defaults do not say (those
 * are parsed as the options are: config_option_defaults). */
static void set_defaults(struct config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->scan.mx_mode = true;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    cfg->scan.workers = cores > 0 ? (int)(cores > 64 ? 64 : cores) : 1;
    cfg->expiring_within = -1;
    cfg->scan.addr_max = 16;
    cfg->scan.dns_tries = 2;
    cfg->scan.retry = true;
    cfg->scan.dane = cfg->scan.mta_sts = cfg->scan.tls_rpt = true;
    config_option_defaults(cfg);
}

void config_free(struct config *cfg)
{
    if (cfg->scan.password) {
        memset(cfg->scan.password, 0, strlen(cfg->scan.password));
        free(cfg->scan.password);
        cfg->scan.password = NULL;
    }
    cidr_list_free(&cfg->scan.blocklist);
    cidr_list_free(&cfg->scan.allowlist);
}

/* starttls-scan check: the one target named on the command line. A named
 * host is checked even when it is loopback or private (as openssl s_client
 * and swaks do); the lists still apply. A mail domain (smtp, a name, no
 * port, no --no-mx) is resolved to its MX hosts, or is its own host when it
 * has none (RFC 5321 5.1). */
static int check_setup(struct config *cfg, int argc, char **argv)
{
    struct target t;
    const char *why;
    if (optind >= argc) {
        usage_print(stderr, true);
        return 2;
    }
    cfg->check_target = argv[optind++];
    if (optind < argc) {
        fprintf(stderr, "starttls-scan check: one host only (got '%s' too)\n", argv[optind]);
        return 2;
    }
    if (target_parse_line(cfg->check_target, strlen(cfg->check_target), 0, &t, &why) != TP_OK) {
        fprintf(stderr, "starttls-scan check: '%s': %s\n", cfg->check_target, why ? why : "no host");
        return 2;
    }
    cfg->check = true;
    cfg->scan.mx_mode = cfg->scan.service->resolves_mx && !cfg->no_mx && t.kind == TARGET_HOST && t.port == 0;
    cfg->scan.allow_private = true;
    cfg->scan.workers = 1;
    cfg->scan.concurrency = 1;
    cfg->quiet = true;
    cfg->scan.retry = false; /* the admin sees "try again later" at once */
    cfg->output = "/dev/null";
    cfg->overwrite = true;
    return 0;
}

/* --shard auto from the scheduler; --shards only means something with it. */
static int resolve_shard(struct config *cfg)
{
    char why[300];
    if (cfg->shards && !cfg->shard_auto) {
        fprintf(stderr, "starttls-scan: --shards N is the count for --shard auto (a Kubernetes "
                        "Indexed Job); with --shard K/N the count is N\n");
        return 2;
    }
    if (!cfg->shard_auto) return 0;
    if (shard_auto(cfg->shards, &cfg->shard, &cfg->shard_source, why, sizeof why) != 0) {
        fprintf(stderr, "starttls-scan: --shard auto: %s\n", why);
        return 2;
    }
    return 0;
}

/* SRV: asked for with --srv, always so for XMPP (unless --no-srv); not
 * with --port, which names the port that SRV would find. */
static int resolve_srv(struct config *cfg)
{
    const struct service *sv = cfg->scan.service;
    if (cfg->srv && cfg->no_srv) {
        fprintf(stderr, "starttls-scan: --srv and --no-srv: give one\n");
        return 2;
    }
    if (cfg->srv && !sv->srv) {
        fprintf(stderr, "starttls-scan: --srv: %s has no SRV records of its own%s\n", sv->name,
                sv->resolves_mx ? " (its servers are found through MX)" : "");
        return 2;
    }
    if (cfg->srv && cfg->scan.port) {
        fprintf(stderr, "starttls-scan: --srv finds each server's port; --port names one: give one of them\n");
        return 2;
    }
    cfg->scan.srv = sv->srv && !cfg->no_srv && !cfg->scan.port && (cfg->srv || sv->srv_always);
    return 0;
}

/* After the options: the arguments, and what the options say together. */
static int finish_parse(struct config *cfg, int argc, char **argv, bool check)
{
    if (check) {
        int rc = check_setup(cfg, argc, argv);
        if (rc) return rc;
    } else if (optind < argc) {
        for (int i = optind; i < argc; i++) {
            if (strcmp(argv[i], "check") == 0) {
                fprintf(stderr, "starttls-scan: 'check' comes first: starttls-scan check HOST "
                                "[OPTIONS]\n");
                return 2;
            }
        }
        cfg->input = argv[optind++];
    }
    if (optind < argc) {
        fprintf(stderr, "starttls-scan: one input file at most (got '%s' too); to scan a domain, "
                        "put it in the file or pipe it in\n", argv[optind]);
        return 2;
    }
    if (cfg->resume && (cfg->overwrite || !cfg->output || strcmp(cfg->output, "-") == 0)) {
        fprintf(stderr, "starttls-scan: --resume needs -o FILE (and no --overwrite)\n");
        return 2;
    }
    if ((cfg->rollup_file || cfg->report_file || cfg->metrics_file) && (!cfg->output || strcmp(cfg->output, "-") == 0)) {
        fprintf(stderr, "starttls-scan: --rollup, --report and --metrics read the rows back from -o FILE: give one\n");
        return 2;
    }
    if (cfg->metrics_aggregate && !cfg->metrics_file) {
        fprintf(stderr, "starttls-scan: --metrics-aggregate shapes --metrics FILE: give one\n");
        return 2;
    }
    if (resolve_shard(cfg)) return 2;
    if (resolve_srv(cfg)) return 2;
    if (cfg->scan.port == 0) cfg->scan.port = cfg->scan.service->default_port;
    if (!cfg->scan.service->resolves_mx) cfg->scan.mx_mode = false;
    if (cfg->scan.ehlo[0] == '\0') default_ehlo(cfg->scan.ehlo, sizeof cfg->scan.ehlo, &cfg->ehlo_guessed);
    if (check_limits(cfg)) return 2;
    return 0;
}

int config_parse(struct config *cfg, int argc, char **argv, bool check)
{
    int c;
    set_defaults(cfg);
    const char *shorts;
    const struct option *options = optable_getopt(CMD_BOTH, &shorts);
    int *given = calloc(CONFIG_NGIVEN, sizeof *given);
    if (!given) return 2;
    optind = 1;
    while ((c = getopt_long(argc, argv, shorts, options, NULL)) != -1) {
        /* A letter of check's own first (-w, -c), then the scan's. */
        int own = optable_id(c, check ? CMD_CHECK : CMD_SCAN);
        c = own != '?' ? own : optable_id(c, CMD_BOTH);
        if (c == OPT_HELP) {
            usage_print(stdout, check);
            free(given);
            return 1;
        }
        if (c == OPT_VERSION) {
            usage_print_version(stdout);
            free(given);
            return 1;
        }
        int rc = c == '?' ? 2 : config_option(cfg, c, optarg, check, given);
        if (rc != 0) {
            if (c == '?') fprintf(stderr, "Try 'starttls-scan%s --help'.\n", check ? " check" : "");
            free(given);
            return rc;
        }
    }
    bool days_given = given[OPT_WARNING - OPT_NONE] || given[OPT_CRITICAL - OPT_NONE];
    bool warn_given = given[OPT_WARNING - OPT_NONE];
    free(given);
    if (check && !cfg->nagios && (days_given || cfg->nagios_warn_only)) {
        fputs("starttls-scan check: -w, -c and --warn-only are for --nagios\n", stderr);
        return 2;
    }
    if (cfg->nagios && cfg->expiring_within >= 0 && !warn_given) cfg->nagios_warning = cfg->expiring_within;
    if (cfg->nagios && cfg->nagios_critical > cfg->nagios_warning) {
        fprintf(stderr, "starttls-scan check: -c %ld is more days than -w %ld; CRITICAL comes first\n",
                cfg->nagios_critical, cfg->nagios_warning);
        return 2;
    }
    return finish_parse(cfg, argc, argv, check);
}
