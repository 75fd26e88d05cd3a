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

#include "output/format.h"
#include "scanner/cli/config_opts.h"
#include "scanner/engine/conn.h"
#include "scanner/input/targets.h"

#define STS_VERSION "0.1.0"

static int check_limits(const struct config *cfg)
{
    struct rlimit rl;
    /* Each probe holds one socket; c-ares, the output and libuv need a few more. */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        (rlim_t)cfg->concurrency + 64 + 8 * (rlim_t)cfg->workers > rl.rlim_cur) {
        fprintf(stderr,
                "starttls-scan: --concurrency %d needs more open files than the limit of %llu; "
                "lower it or raise 'ulimit -n'\n",
                cfg->concurrency, (unsigned long long)rl.rlim_cur);
        return -1;
    }
    return 0;
}

static void set_defaults(struct config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->mx_mode = true;
    cfg->dialog = dialog_find("smtp");
    cfg->format = output_formats[0];
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    cfg->workers = cores > 0 ? (int)(cores > 64 ? 64 : cores) : 1;
    cfg->concurrency = 1000;
    cfg->max_tls = 2048;
    cfg->mx_max = 10;
    cfg->per_host = 1;
    cfg->expiring_within = -1;
    cfg->addr_max = 16;
    cfg->timeout_ms = 30000;
    cfg->connect_ms = 10000;
    cfg->banner_ms = 20000;
    cfg->reply_ms = 10000;
    cfg->handshake_ms = 10000;
    cfg->dns_ms = 3000;
    cfg->dns_tries = 2;
    cfg->retry = true;
    cfg->retry_delay_ms = 60000;
}

void config_free(struct config *cfg)
{
    if (cfg->password) {
        memset(cfg->password, 0, strlen(cfg->password));
        free(cfg->password);
        cfg->password = NULL;
    }
    cidr_list_free(&cfg->blocklist);
    cidr_list_free(&cfg->allowlist);
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
        fputs(usage_check, stderr);
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
    cfg->mx_mode = cfg->dialog->resolves_mx && !cfg->no_mx && t.kind == TARGET_HOST && t.port == 0;
    cfg->allow_private = true;
    cfg->workers = 1;
    cfg->concurrency = 1;
    cfg->quiet = true;
    cfg->retry = false; /* the admin sees "try again later" at once */
    cfg->output = "/dev/null";
    cfg->overwrite = true;
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
    if (cfg->port == 0) cfg->port = cfg->dialog->default_port;
    if (!cfg->dialog->resolves_mx) cfg->mx_mode = false;
    if (cfg->ehlo[0] == '\0') default_ehlo(cfg->ehlo, sizeof cfg->ehlo, &cfg->ehlo_guessed);
    if (check_limits(cfg)) return 2;
    return 0;
}

int config_parse(struct config *cfg, int argc, char **argv, bool check)
{
    int c;
    set_defaults(cfg);
    const struct option *options = config_long_options();
    int *given = calloc(config_nspecs(), sizeof *given);
    if (!given) return 2;
    optind = 1;
    while ((c = getopt_long(argc, argv, "p:o:f:qw:c:h", options, NULL)) != -1) {
        if (c == 'h') {
            fputs(check ? usage_check : usage_scan, stdout);
            free(given);
            return 1;
        }
        if (c == OPT_VERSION) {
            puts("starttls-scan " STS_VERSION);
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
    free(given);
    return finish_parse(cfg, argc, argv, check);
}
