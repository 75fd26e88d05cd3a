#include "scanner/config.h"

#include <ctype.h>
#include <getopt.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "output/writer.h"
#include "scanner/conn.h"
#include "scanner/targets.h"

#define STS_VERSION "0.1.0"

static const char usage[] =
    "Usage: starttls-scan [OPTIONS] [FILE]\n"
    "Scans mail servers for STARTTLS and writes one CSV row per (domain, MX, address).\n"
    "FILE has one target per line (default: stdin; '-' is stdin too).\n"
    "\n"
    "Protocol:\n"
    "  -p, --protocol NAME      smtp (port 25, the default), submission (587),\n"
    "                           smtps (465, implicit TLS), imap (143), imaps (993),\n"
    "                           pop3 (110), pop3s (995), ftp (21, AUTH TLS),\n"
    "                           tls (implicit TLS on --port, default 443)\n"
    "  --port N                 port to connect to (default: the protocol's)\n"
    "Input:\n"
    "  --no-mx                  lines are hosts, not mail domains: name, IPv4 or [IPv6],\n"
    "                           each with an optional :port (always so for protocols\n"
    "                           other than smtp)\n"
    "Output:\n"
    "  -o, --output FILE        write the CSV to FILE (default: stdout)\n"
    "      --overwrite          replace FILE when it is not empty (refused otherwise)\n"
    "      --resume             go on with an interrupted scan: keep FILE's rows, scan\n"
    "                           only the targets it lacks, append\n"
    "  -f, --format FORMAT      csv (default) or jsonl (one JSON object a line)\n"
    "  -q, --quiet              no progress and no summary on stderr, only errors\n"
    "      --progress           a progress line every 10 s even when stderr is not a\n"
    "                           terminal (on a terminal it is always shown, each second)\n"
    "      --summary FILE       also write the summary as JSON to FILE\n"
    "      --expiring-within D  exit with status 3 when a certificate expires within D\n"
    "                           days (or has expired); the summary lists them\n"
    "Scale:\n"
    "  -w, --workers N          event-loop threads (default: number of cores)\n"
    "  -c, --concurrency N      probes in flight at once, all workers together (default 1000)\n"
    "DNS:\n"
    "  --resolver IP[:PORT]     DNS server to ask (repeatable; default: /etc/resolv.conf)\n"
    "  --mx-max N               MX hosts kept per domain, lowest preference first (default 10)\n"
    "  --dns-timeout SECONDS    one DNS try (default 3); two tries per server\n"
    "Safety and politeness:\n"
    "  --allow-private          also scan loopback, private and other special-purpose\n"
    "                           addresses (blocked by default)\n"
    "  --blocklist FILE         never scan these ranges (zmap format: one address or\n"
    "                           CIDR per line, '#' comments; repeatable)\n"
    "  --allowlist FILE         scan only addresses in these ranges (same format)\n"
    "  --per-host N             connections at once to one address (default 1)\n"
    "  --rate N                 new connections a second, in all (default: no limit)\n"
    "  --ehlo NAME              name to send in EHLO (default: this machine's FQDN)\n"
    "Timeouts (seconds, decimals allowed):\n"
    "  --timeout S              overall deadline per probe (default 30)\n"
    "  --connect-timeout S      TCP connect (default 10)\n"
    "  --banner-timeout S       silence allowed before the greeting completes (default 20)\n"
    "  --reply-timeout S        silence allowed before any later reply completes (default 10)\n"
    "  --handshake-timeout S    TLS handshake (default 10)\n"
    "TLS:\n"
    "  --ca-file FILE           trust these CAs (PEM) instead of the system store\n"
    "  --versions               also list which of SSLv3 and TLS 1.0-1.3 each server\n"
    "                           accepts (a few more connections, one at a time)\n"
    "\n"
    "  -h, --help               this text\n"
    "  --version                the version\n"
    "\n"
    "Exit status: 0 when the scan ran (whatever the rows say); 2 on a usage or I/O error;\n"
    "3 with --expiring-within when a certificate expires that soon; 130/143 when\n"
    "interrupted by SIGINT/SIGTERM (--resume goes on).\n";

static const char check_usage[] =
    "Usage: starttls-scan check HOST[:PORT] [OPTIONS]\n"
    "Debugs one server: prints the whole dialog (C: and S: lines), the TLS handshake,\n"
    "the certificate chain with its dates and verdicts, and the AUTH mechanisms.\n"
    "\n"
    "  -p, --protocol NAME      smtp (default), submission, smtps, imap, imaps, pop3,\n"
    "                           pop3s, ftp, tls\n"
    "  --port N                 port (default: the protocol's)\n"
    "  --auth-user USER         also test AUTH inside TLS (SMTP AUTH, IMAP LOGIN or\n"
    "                           AUTHENTICATE PLAIN, POP3 USER/PASS); the password comes\n"
    "                           from STARTTLS_SCAN_PASSWORD or a prompt, never argv,\n"
    "                           and is never shown\n"
    "  --auth-mech MECH         PLAIN (SMTP's default) or LOGIN (IMAP's default)\n"
    "  --ca-file FILE, --ehlo NAME, --resolver IP[:PORT], --allow-private,\n"
    "  --timeout S, --connect-timeout S, --banner-timeout S, --reply-timeout S,\n"
    "  --handshake-timeout S    as for a scan (see starttls-scan --help)\n"
    "\n"
    "Exit status: 0 when TLS (and AUTH, if asked) succeeded, 1 when not (the\n"
    "reason is the last line), 2 on a usage error.\n";

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
    OPT_PROGRESS,
    OPT_SUMMARY,
    OPT_EXPIRING,
    OPT_VERSION,
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

static void set_defaults(struct config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->mx_mode = true;
    cfg->dialog = dialog_find("smtp");
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    cfg->workers = cores > 0 ? (int)(cores > 64 ? 64 : cores) : 1;
    cfg->concurrency = 1000;
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
        fputs(check_usage, stderr);
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
            if (strcmp(optarg, "csv") == 0) {
                cfg->format = FORMAT_CSV;
            } else if (strcmp(optarg, "jsonl") == 0) {
                cfg->format = FORMAT_JSONL;
            } else {
                fprintf(stderr, "starttls-scan: --format: '%s' is not csv or jsonl\n", optarg);
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
        case OPT_RESOLVER:
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
        case OPT_PROGRESS: cfg->progress = true; break;
        case OPT_SUMMARY: cfg->summary_file = optarg; break;
        case OPT_EXPIRING:
            if (parse_count("--expiring-within", optarg, 0, 100000, &v)) return 2;
            cfg->expiring_within = v;
            break;
        case 'h': fputs(check ? check_usage : usage, stdout); return 1;
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
