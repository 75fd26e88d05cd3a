#include "scanner/config.h"

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
#include "scanner/conn.h"
#include "scanner/targets.h"

#define STS_VERSION "0.1.0"

enum {
    OPT_NO_MX = 256,
    OPT_AUTH_USER,
    OPT_AUTH_MECH,
    OPT_PROTOCOL,
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
    OPT_MAX_TLS,
    OPT_PROGRESS,
    OPT_SUMMARY,
    OPT_EXPIRING,
    OPT_VERSION,
    OPT_RETRY_DELAY,
    OPT_NO_RETRY,
};

static const struct option long_options[] = {
    {"no-mx", no_argument, NULL, OPT_NO_MX},
    {"auth-user", required_argument, NULL, OPT_AUTH_USER},
    {"auth-mech", required_argument, NULL, OPT_AUTH_MECH},
    {"protocol", required_argument, NULL, 'p'},
    {"port", required_argument, NULL, OPT_PORT},
    {"output", required_argument, NULL, 'o'},
    {"overwrite", no_argument, NULL, OPT_OVERWRITE},
    {"resume", no_argument, NULL, OPT_RESUME},
    {"quiet", no_argument, NULL, 'q'},
    {"format", required_argument, NULL, 'f'},
    {"workers", required_argument, NULL, 'w'},
    {"concurrency", required_argument, NULL, 'c'},
    {"max-tls", required_argument, NULL, OPT_MAX_TLS},
    {"resolver", required_argument, NULL, OPT_RESOLVER},
    {"mx-max", required_argument, NULL, OPT_MX_MAX},
    {"dns-timeout", required_argument, NULL, OPT_DNS_TIMEOUT},
    {"allow-private", no_argument, NULL, OPT_ALLOW_PRIVATE},
    {"per-host", required_argument, NULL, OPT_PER_HOST},
    {"rate", required_argument, NULL, OPT_RATE},
    {"blocklist", required_argument, NULL, OPT_BLOCKLIST},
    {"allowlist", required_argument, NULL, OPT_ALLOWLIST},
    {"ehlo", required_argument, NULL, OPT_EHLO},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT},
    {"banner-timeout", required_argument, NULL, OPT_BANNER_TIMEOUT},
    {"reply-timeout", required_argument, NULL, OPT_REPLY_TIMEOUT},
    {"handshake-timeout", required_argument, NULL, OPT_HANDSHAKE_TIMEOUT},
    {"ca-file", required_argument, NULL, OPT_CA_FILE},
    {"versions", no_argument, NULL, OPT_VERSIONS},
    {"progress", no_argument, NULL, OPT_PROGRESS},
    {"summary", required_argument, NULL, OPT_SUMMARY},
    {"expiring-within", required_argument, NULL, OPT_EXPIRING},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {"retry-delay", required_argument, NULL, OPT_RETRY_DELAY},
    {"no-retry", no_argument, NULL, OPT_NO_RETRY},
    {NULL, 0, NULL, 0},
};

int parse_count(const char *opt, const char *s, long min, long max, long *out)
{
    long v = 0;
    size_t n = strlen(s);
    if (n == 0 || n > 9) goto bad;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) goto bad;
        v = v * 10 + (s[i] - '0');
    }
    if (v < min || v > max) goto bad;
    *out = v;
    return 0;
bad:
    fprintf(stderr, "starttls-scan: %s: '%s' is not a whole number from %ld to %ld\n", opt, s, min,
            max);
    return -1;
}

int parse_seconds(const char *opt, const char *s, uint64_t *ms)
{
    uint64_t whole = 0, frac = 0;
    int fdigits = 0;
    const char *p = s;
    if (!isdigit((unsigned char)*p)) goto bad;
    for (; isdigit((unsigned char)*p); p++) {
        whole = whole * 10 + (uint64_t)(*p - '0');
        if (whole > 86400) goto bad;
    }
    if (*p == '.') {
        for (p++; isdigit((unsigned char)*p); p++) {
            if (++fdigits > 3) goto bad;
            frac = frac * 10 + (uint64_t)(*p - '0');
        }
        if (fdigits == 0) goto bad;
    }
    if (*p != '\0') goto bad;
    while (fdigits++ < 3) frac *= 10;
    *ms = whole * 1000 + frac;
    if (*ms == 0) goto bad;
    return 0;
bad:
    fprintf(stderr, "starttls-scan: %s: '%s' is not a number of seconds above 0 (at most 86400, "
                    "three decimals)\n", opt, s);
    return -1;
}

/* The machine's FQDN: the canonical name of the host name when the
 * system's resolver knows one with a dot, else the host name itself. */
static void default_ehlo(char *out, size_t len)
{
    char host[256] = "localhost";
    if (gethostname(host, sizeof host - 1) != 0) snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    snprintf(out, len, "%s", host);
    if (strchr(host, '.')) return;
    struct addrinfo hints = {0}, *ai = NULL;
    hints.ai_flags = AI_CANONNAME;
    if (getaddrinfo(host, NULL, &hints, &ai) == 0 && ai && ai->ai_canonname &&
        strchr(ai->ai_canonname, '.'))
        snprintf(out, len, "%s", ai->ai_canonname);
    if (ai) freeaddrinfo(ai);
}

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

static int check_ehlo(const char *name)
{
    if (hostname_problem(name, strlen(name)) == NULL) return 0;
    /* An address literal is also a valid EHLO argument (RFC 5321 4.1.3). */
    size_t n = strlen(name);
    if (n > 2 && name[0] == '[' && name[n - 1] == ']') return 0;
    fprintf(stderr, "starttls-scan: --ehlo: '%s' is not a host name or [address]\n", name);
    return -1;
}

/* IP, IP:PORT, [IPv6], [IPv6]:PORT or a bare IPv6 address, strictly:
 * c-ares would take "1.2.3" as 1.2.0.3 and ignore a port past 65535. */
static int check_resolver(const char *s)
{
    char host[INET6_ADDRSTRLEN + 2];
    unsigned char bin[16];
    const char *port = NULL;
    size_t n = strlen(s);
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (close && (size_t)(close - s - 1) < sizeof host) {
            snprintf(host, sizeof host, "%.*s", (int)(close - s - 1), s + 1);
            if (close[1] == ':') port = close + 2;
            else if (close[1] != '\0') close = NULL;
        }
        if (!close || inet_pton(AF_INET6, host, bin) != 1) goto bad;
    } else if (strchr(s, ':') && strchr(s, ':') != strrchr(s, ':')) {
        if (n >= sizeof host || inet_pton(AF_INET6, s, bin) != 1) goto bad;
    } else {
        const char *colon = strchr(s, ':');
        size_t hl = colon ? (size_t)(colon - s) : n;
        if (hl >= sizeof host) goto bad;
        snprintf(host, sizeof host, "%.*s", (int)hl, s);
        if (inet_pton(AF_INET, host, bin) != 1) goto bad;
        if (colon) port = colon + 1;
    }
    long v;
    if (port && (parse_count("--resolver", port, 1, 65535, &v) != 0)) return -1;
    return 0;
bad:
    fprintf(stderr, "starttls-scan: --resolver: '%s' is not IP[:PORT], [IPv6][:PORT] or an IPv6 "
                    "address\n", s);
    return -1;
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

/* starttls-scan check: one target from the command line, one probe, no rows. */
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
    if (cfg->auth_mech && strcmp(cfg->auth_mech, "PLAIN") != 0 && strcmp(cfg->auth_mech, "LOGIN") != 0) {
        fprintf(stderr, "starttls-scan check: --auth-mech: PLAIN or LOGIN\n");
        return 2;
    }
    cfg->check = true;
    cfg->mx_mode = false;
    cfg->workers = 1;
    cfg->concurrency = 1;
    cfg->quiet = true;
    cfg->retry = false; /* the admin sees "try again later" at once */
    cfg->output = "/dev/null";
    cfg->overwrite = true;
    return 0;
}

int config_parse(struct config *cfg, int argc, char **argv, bool check)
{
    long v;
    int c;
    set_defaults(cfg);
    optind = 1;
    while ((c = getopt_long(argc, argv, "p:o:f:qw:c:h", long_options, NULL)) != -1) {
        switch (c) {
        case OPT_NO_MX: cfg->mx_mode = false; break;
        case OPT_AUTH_USER:
        case OPT_AUTH_MECH:
            if (!check) {
                fprintf(stderr, "starttls-scan: %s belongs to 'starttls-scan check' (mass scans never "
                                "authenticate)\n", c == OPT_AUTH_USER ? "--auth-user" : "--auth-mech");
                return 2;
            }
            if (c == OPT_AUTH_USER) cfg->auth_user = optarg;
            else cfg->auth_mech = optarg;
            break;
        case 'p':
            if (!(cfg->dialog = dialog_find(optarg))) {
                fprintf(stderr, "starttls-scan: --protocol: '%s' is not one of smtp, submission, "
                                "smtps, imap, imaps, pop3, pop3s, ftp, tls\n", optarg);
                return 2;
            }
            break;
        case OPT_PORT:
            if (parse_count("--port", optarg, 1, 65535, &v)) return 2;
            cfg->port = (int)v;
            break;
        case 'o': cfg->output = optarg; break;
        case OPT_OVERWRITE: cfg->overwrite = true; break;
        case OPT_RESUME: cfg->resume = true; break;
        case 'q': cfg->quiet = true; break;
        case 'f':
            if (!(cfg->format = output_format_find(optarg))) {
                char names[64];
                output_format_names(names, sizeof names);
                fprintf(stderr, "starttls-scan: --format: '%s' is not %s\n", optarg, names);
                return 2;
            }
            break;
        case 'w':
            if (parse_count("--workers", optarg, 1, 64, &v)) return 2;
            cfg->workers = (int)v;
            break;
        case 'c':
            if (parse_count("--concurrency", optarg, 1, 1000000, &v)) return 2;
            cfg->concurrency = (int)v;
            break;
        case OPT_MAX_TLS:
            if (parse_count("--max-tls", optarg, 1, 1000000, &v)) return 2;
            cfg->max_tls = (int)v;
            break;
        case OPT_RESOLVER:
            if (check_resolver(optarg) != 0) return 2;
            if (cfg->nresolvers == MAX_RESOLVERS) {
                fprintf(stderr, "starttls-scan: --resolver: at most %d servers\n", MAX_RESOLVERS);
                return 2;
            }
            cfg->resolvers[cfg->nresolvers++] = optarg;
            break;
        case OPT_MX_MAX:
            if (parse_count("--mx-max", optarg, 1, 100, &v)) return 2;
            cfg->mx_max = (int)v;
            break;
        case OPT_DNS_TIMEOUT:
            if (parse_seconds("--dns-timeout", optarg, &cfg->dns_ms)) return 2;
            break;
        case OPT_ALLOW_PRIVATE: cfg->allow_private = true; break;
        case OPT_PER_HOST:
            if (parse_count("--per-host", optarg, 1, 10000, &v)) return 2;
            cfg->per_host = (int)v;
            break;
        case OPT_RATE:
            if (parse_count("--rate", optarg, 1, 10000000, &v)) return 2;
            cfg->rate = (int)v;
            break;
        case OPT_BLOCKLIST:
        case OPT_ALLOWLIST: {
            char err[512];
            struct cidr_list *list = c == OPT_BLOCKLIST ? &cfg->blocklist : &cfg->allowlist;
            if (cidr_list_load(list, optarg, err, sizeof err) != 0) {
                fprintf(stderr, "starttls-scan: %s: %s\n",
                        c == OPT_BLOCKLIST ? "--blocklist" : "--allowlist", err);
                return 2;
            }
            break;
        }
        case OPT_EHLO:
            if (strlen(optarg) >= sizeof cfg->ehlo || check_ehlo(optarg)) {
                if (strlen(optarg) >= sizeof cfg->ehlo)
                    fprintf(stderr, "starttls-scan: --ehlo: name too long\n");
                return 2;
            }
            snprintf(cfg->ehlo, sizeof cfg->ehlo, "%s", optarg);
            break;
        case OPT_TIMEOUT:
            if (parse_seconds("--timeout", optarg, &cfg->timeout_ms)) return 2;
            break;
        case OPT_CONNECT_TIMEOUT:
            if (parse_seconds("--connect-timeout", optarg, &cfg->connect_ms)) return 2;
            break;
        case OPT_BANNER_TIMEOUT:
            if (parse_seconds("--banner-timeout", optarg, &cfg->banner_ms)) return 2;
            break;
        case OPT_REPLY_TIMEOUT:
            if (parse_seconds("--reply-timeout", optarg, &cfg->reply_ms)) return 2;
            break;
        case OPT_HANDSHAKE_TIMEOUT:
            if (parse_seconds("--handshake-timeout", optarg, &cfg->handshake_ms)) return 2;
            break;
        case OPT_CA_FILE: cfg->ca_file = optarg; break;
        case OPT_VERSIONS: cfg->versions = true; break;
        case OPT_RETRY_DELAY:
            if (parse_seconds("--retry-delay", optarg, &cfg->retry_delay_ms)) return 2;
            break;
        case OPT_NO_RETRY: cfg->retry = false; break;
        case OPT_PROGRESS: cfg->progress = true; break;
        case OPT_SUMMARY: cfg->summary_file = optarg; break;
        case OPT_EXPIRING:
            if (parse_count("--expiring-within", optarg, 0, 100000, &v)) return 2;
            cfg->expiring_within = v;
            break;
        case 'h': fputs(check ? usage_check : usage_scan, stdout); return 1;
        case OPT_VERSION: puts("starttls-scan " STS_VERSION); return 1;
        default: fputs("Try 'starttls-scan --help'.\n", stderr); return 2;
        }
    }
    if (check) {
        int rc = check_setup(cfg, argc, argv);
        if (rc) return rc;
    } else if (optind < argc) {
        cfg->input = argv[optind++];
    }
    if (optind < argc) {
        fprintf(stderr, "starttls-scan: one input file at most (got '%s' too)\n", argv[optind]);
        return 2;
    }
    if (cfg->resume && (cfg->overwrite || !cfg->output || strcmp(cfg->output, "-") == 0)) {
        fprintf(stderr, "starttls-scan: --resume needs -o FILE (and no --overwrite)\n");
        return 2;
    }
    if (cfg->port == 0) cfg->port = cfg->dialog->default_port;
    if (!cfg->dialog->resolves_mx) cfg->mx_mode = false;
    if (cfg->ehlo[0] == '\0') default_ehlo(cfg->ehlo, sizeof cfg->ehlo);
    if (check_limits(cfg)) return 2;
    return 0;
}
