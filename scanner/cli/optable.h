/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Every option of every command, in one table: its names, argument,
 * default, help text, group and the commands that take it. getopt's
 * tables, each command's --help option list and the defaults come from
 * it; tests/docs.py reads it to check the man page, the README and the
 * completions. A new option is a line here plus its use (the parser of its
 * command: scanner/cli/config_opts.c for the scan and check). */
#ifndef STS_OPTABLE_H
#define STS_OPTABLE_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

/* The commands (a bit each). */
enum { CMD_SCAN = 1, CMD_CHECK = 2, CMD_MERGE = 4, CMD_ROLLUP = 8, CMD_REPORT = 16 };
#define CMD_BOTH (CMD_SCAN | CMD_CHECK)

/* Flags: REPEAT, the option may come more than once (the last counts, or
 * each adds); without it a second time is refused. */
enum { ONCE = 0, REPEAT = 1 };

/* The scan's --help groups, in order (the other commands have none). */
#define OPTION_GROUPS(G)                                                                           \
    G(G_PROTOCOL, "Protocol:")                                                                     \
    G(G_INPUT, "Input:")                                                                           \
    G(G_OUTPUT, "Output:")                                                                         \
    G(G_SCALE, "Scale:")                                                                           \
    G(G_DNS, "DNS:")                                                                               \
    G(G_SAFETY, "Safety and politeness:")                                                          \
    G(G_TIMEOUTS, "Timeouts (seconds, decimals allowed):")                                         \
    G(G_TLS, "TLS:")                                                                               \
    G(G_PROTECTION, "Mail protection (on by default; the resolver must validate DNSSEC for DANE):") \
    G(G_END, "")

#define OPTION_GROUP_ENUM(id, heading) id,
enum option_group { OPTION_GROUPS(OPTION_GROUP_ENUM) G_COUNT };
#undef OPTION_GROUP_ENUM

/* X(id, short, long name, argument (NULL: none), default (NULL: none, or
 *   computed), commands, flags, group, help, check's help)
 * The help of the first command in the set that is not check; a '\n'
 * starts a continuation line, "@D@" is the default, @SERVICES@, @NAMES@
 * and @FORMATS@ the lists from their tables. Check's help: NULL puts the
 * option in check's "as for a scan" list. */
#define OPTIONS(X)                                                                                 \
    X(OPT_PROTOCOL, 'p', "protocol", "NAME", "smtp", CMD_BOTH, ONCE, G_PROTOCOL, "@SERVICES@", "@NAMES@") \
    X(OPT_PORT, 0, "port", "N", NULL, CMD_BOTH, ONCE, G_PROTOCOL, "port to connect to (default: the protocol's)", \
      "port (default: the protocol's; HOST:PORT wins)")                                            \
    X(OPT_NO_MX, 0, "no-mx", NULL, NULL, CMD_BOTH, REPEAT, G_INPUT,                                \
      "lines are hosts, not mail domains: name, IPv4 or [IPv6],\n"                                 \
      "each with an optional :port (always so for protocols\n"                                     \
      "other than smtp)",                                                                          \
      "HOST is the server itself, even when it has MX records")                                    \
    X(OPT_SRV, 0, "srv", NULL, NULL, CMD_BOTH, REPEAT, G_INPUT,                                   \
      "a name is a service's domain: its servers are found\n"                                     \
      "through SRV records as clients find them (submission,\n"                                   \
      "smtps, imap, imaps, pop3, pop3s, sieve, ldap; always\n"                                    \
      "for xmpp, xmpps, xmpp-server), the name itself when it\n"                                  \
      "has none",                                                                                  \
      "HOST is a service's domain: its SRV records name the servers\n"                            \
      "(always so for xmpp, xmpps and xmpp-server)")                                               \
    X(OPT_NO_SRV, 0, "no-srv", NULL, NULL, CMD_BOTH, REPEAT, G_INPUT,                              \
      "xmpp, xmpps, xmpp-server: a name is the server itself",                                     \
      "xmpp, xmpps, xmpp-server: HOST is the server itself")                                        \
    X(OPT_NO_VERIFY, 0, "no-verify", NULL, NULL, CMD_CHECK, REPEAT, G_INPUT, NULL,                 \
      "an invalid chain, a name mismatch or a violated DANE or\n"                                  \
      "MTA-STS policy is a warning, not a failure")                                                \
    X(OPT_AUTH_USER, 0, "auth-user", "USER", NULL, CMD_CHECK, ONCE, G_INPUT, NULL,                 \
      "also test AUTH inside TLS (SMTP, submission, LMTP, IMAP,\n"                                 \
      "POP3, ManageSieve, XMPP; refused for the other protocols),\n"                               \
      "only with a mechanism the server offers inside TLS; the\n"                                  \
      "password comes from STARTTLS_SCAN_PASSWORD or a prompt,\n"                                  \
      "an OAuth token from STARTTLS_SCAN_TOKEN, never argv; neither\n"                             \
      "is shown, in base64 or not (nor what the server echoes)")                                   \
    X(OPT_AUTH_MECH, 0, "auth-mech", "MECH", NULL, CMD_CHECK, ONCE, G_INPUT, NULL,                 \
      "PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-1, SCRAM-SHA-256 (the\n"                                  \
      "server's signature verified), XOAUTH2, OAUTHBEARER, or auto\n"                              \
      "(the strongest offered: SCRAM first; OAUTHBEARER when\n"                                    \
      "STARTTLS_SCAN_TOKEN is set). Default: PLAIN; IMAP's LOGIN\n"                                \
      "command, POP3's USER/PASS")                                                                 \
    X(OPT_NAGIOS, 0, "nagios", NULL, NULL, CMD_CHECK, REPEAT, G_INPUT, NULL,                        \
      "a monitoring plugin (Nagios, Icinga, Naemon, Sensu): one\n"                                  \
      "status line with perfdata, a line per address after it, no\n"                               \
      "transcript; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN")                                    \
    X(OPT_WARNING, 'w', "warning", "DAYS", "21", CMD_CHECK, ONCE, G_INPUT, NULL,                    \
      "--nagios: WARNING when a certificate expires within DAYS\n"                                  \
      "(default @D@)")                                                                             \
    X(OPT_CRITICAL, 'c', "critical", "DAYS", "7", CMD_CHECK, ONCE, G_INPUT, NULL,                   \
      "--nagios: CRITICAL when a certificate expires within DAYS\n"                                 \
      "(default @D@)")                                                                             \
    X(OPT_WARN_ONLY, 0, "warn-only", "LIST", NULL, CMD_CHECK, ONCE, G_INPUT, NULL,                  \
      "--nagios: these failures are WARNING, not CRITICAL (comma-\n"                                \
      "separated): starttls, connect, chain, name, dane, mta-sts,\n"                                \
      "auth")                                                                                      \
    X(OPT_SHARD, 0, "shard", "K/N", NULL, CMD_SCAN, ONCE, G_INPUT,                                 \
      "scan only shard K of N (0 <= K < N): the targets whose\n"                                   \
      "name or address hashes to K; every shard reads the whole\n"                                 \
      "input. auto: K and N from a Slurm job array or a\n"                                         \
      "Kubernetes Indexed Job (see starttls-scan merge --help)",                                   \
      NULL)                                                                                        \
    X(OPT_SHARDS, 0, "shards", "N", NULL, CMD_SCAN, ONCE, G_INPUT,                                 \
      "the number of shards for --shard auto under Kubernetes\n"                                   \
      "(default: $STARTTLS_SCAN_SHARDS)",                                                          \
      NULL)                                                                                        \
    X(OPT_OUTPUT, 'o', "output", "FILE", NULL, CMD_SCAN, ONCE, G_OUTPUT,                           \
      "write the CSV to FILE (default: stdout)", NULL)                                             \
    X(OPT_OVERWRITE, 0, "overwrite", NULL, NULL, CMD_SCAN, REPEAT, G_OUTPUT,                       \
      "replace FILE when it is not empty (refused otherwise)", NULL)                               \
    X(OPT_RESUME, 0, "resume", NULL, NULL, CMD_SCAN, REPEAT, G_OUTPUT,                             \
      "go on with an interrupted scan: keep FILE's rows, scan\n"                                   \
      "only the targets it lacks, append",                                                         \
      NULL)                                                                                        \
    X(OPT_FORMAT, 'f', "format", "FORMAT", "csv", CMD_SCAN, ONCE, G_OUTPUT, "@FORMATS@", NULL)     \
    X(OPT_QUIET, 'q', "quiet", NULL, NULL, CMD_SCAN, REPEAT, G_OUTPUT,                             \
      "no progress and no summary on stderr, only errors", NULL)                                   \
    X(OPT_PROGRESS, 0, "progress", NULL, NULL, CMD_SCAN, REPEAT, G_OUTPUT,                         \
      "a progress line every 10 s even when stderr is not a\n"                                     \
      "terminal (on a terminal it is always shown, each second)",                                  \
      NULL)                                                                                        \
    X(OPT_SUMMARY, 0, "summary", "FILE", NULL, CMD_SCAN, ONCE, G_OUTPUT,                           \
      "also write the summary as JSON to FILE", NULL)                                              \
    X(OPT_EXPIRING, 0, "expiring-within", "D", NULL, CMD_BOTH, REPEAT, G_OUTPUT,                   \
      "exit with status 3 when a certificate expires within D\n"                                   \
      "days (or has expired); the summary lists them (with -q:\n"                                  \
      "only they, one line per certificate)",                                                      \
      "exit 3 when the certificate passes but expires within D\n"                                  \
      "days (or has expired); with --nagios, the same as -w D")                                    \
    X(OPT_RAW, 0, "raw", NULL, NULL, CMD_SCAN, REPEAT, G_OUTPUT,                                   \
      "also keep the dialog as the server said it: the\n"                                          \
      "capability replies before and inside TLS and the STARTTLS\n"                                \
      "reply, line by line (100 lines, 8 KiB each at most)",                                       \
      NULL)                                                                                        \
    X(OPT_ROLLUP, 0, "rollup", "FILE", NULL, CMD_SCAN, ONCE, G_OUTPUT,                             \
      "at the end, one CSV row per domain with its grade and\n"                                    \
      "the reason (see starttls-scan rollup --help), from\n"                                       \
      "every row of -o FILE",                                                                      \
      NULL)                                                                                        \
    X(OPT_REPORT, 0, "report", "FILE", NULL, CMD_SCAN, ONCE, G_OUTPUT,                             \
      "at the end, an HTML report of every row of -o FILE\n"                                       \
      "(see starttls-scan report --help)",                                                         \
      NULL)                                                                                        \
    X(OPT_METRICS, 0, "metrics", "FILE", NULL, CMD_SCAN, ONCE, G_OUTPUT,                           \
      "at the end, every row of -o FILE as Prometheus metrics\n"                                   \
      "(text format, written whole for node_exporter's textfile\n"                                 \
      "collector; docs/metrics.md); FILE is replaced each run\n"                                   \
      "when it is one --metrics wrote",                                                            \
      NULL)                                                                                        \
    X(OPT_METRICS_AGGREGATE, 0, "metrics-aggregate", NULL, NULL, CMD_SCAN, REPEAT, G_OUTPUT,       \
      "--metrics without a series per server: counts, and each\n"                                  \
      "domain's soonest certificate expiry (for large surveys)",                                   \
      NULL)                                                                                        \
    X(OPT_WORKERS, 'w', "workers", "N", NULL, CMD_SCAN, REPEAT, G_SCALE,                           \
      "event-loop threads (default: number of cores)", NULL)                                       \
    X(OPT_CONCURRENCY, 'c', "concurrency", "N", "1000", CMD_SCAN, REPEAT, G_SCALE,                 \
      "probes in flight at once, all workers together (default @D@)", NULL)                        \
    X(OPT_MAX_TLS, 0, "max-tls", "N", "2048", CMD_SCAN, REPEAT, G_SCALE,                           \
      "TLS handshakes and sessions at once, all workers together\n"                                \
      "(default @D@; ~90 KiB each: the memory bound of a large\n"                                  \
      "-c); a probe past it waits its turn after STARTTLS",                                        \
      NULL)                                                                                        \
    X(OPT_RESOLVER, 0, "resolver", "IP[:PORT]", NULL, CMD_BOTH, REPEAT, G_DNS,                     \
      "DNS server to ask (repeatable; default: /etc/resolv.conf)", NULL)                           \
    X(OPT_MX_MAX, 0, "mx-max", "N", "10", CMD_BOTH, REPEAT, G_DNS,                                 \
      "MX hosts (or SRV targets) kept per domain, the lowest\n"                                    \
      "first (default @D@)", NULL)                                                                 \
    X(OPT_DNS_TIMEOUT, 0, "dns-timeout", "S", "3", CMD_BOTH, REPEAT, G_DNS,                        \
      "one DNS try (default @D@); two tries per server", NULL)                                     \
    X(OPT_ALLOW_PRIVATE, 0, "allow-private", NULL, NULL, CMD_BOTH, REPEAT, G_SAFETY,               \
      "also scan loopback, private and other special-purpose\n"                                    \
      "addresses (blocked by default)",                                                            \
      "changes nothing here: check always checks the host it is\n"                                 \
      "given and the addresses it finds (accepted as in a scan)")                                  \
    X(OPT_BLOCKLIST, 0, "blocklist", "FILE", NULL, CMD_BOTH, REPEAT, G_SAFETY,                     \
      "never scan these ranges (zmap format: one address or\n"                                     \
      "CIDR per line, '#' comments; repeatable)",                                                  \
      NULL)                                                                                        \
    X(OPT_ALLOWLIST, 0, "allowlist", "FILE", NULL, CMD_BOTH, REPEAT, G_SAFETY,                     \
      "scan only addresses in these ranges (same format)", NULL)                                   \
    X(OPT_PER_HOST, 0, "per-host", "N", "1", CMD_SCAN, REPEAT, G_SAFETY,                           \
      "connections at once to one address (default @D@)", NULL)                                    \
    X(OPT_RATE, 0, "rate", "N", NULL, CMD_SCAN, REPEAT, G_SAFETY,                                  \
      "new connections a second, in all (default: no limit)", NULL)                                \
    X(OPT_RETRY_DELAY, 0, "retry-delay", "S", "60", CMD_SCAN, REPEAT, G_SAFETY,                    \
      "a server that said \"try again later\" (4xx to the greeting\n"                              \
      "or EHLO) or never greeted is probed once more, at least\n"                                  \
      "S seconds after the first attempt, after the input (default @D@)",                          \
      NULL)                                                                                        \
    X(OPT_NO_RETRY, 0, "no-retry", NULL, NULL, CMD_SCAN, REPEAT, G_SAFETY,                         \
      "never probe a server a second time", NULL)                                                  \
    X(OPT_EHLO, 0, "ehlo", "NAME", NULL, CMD_BOTH, ONCE, G_SAFETY,                                 \
      "name to send in EHLO (default: this machine's FQDN)", NULL)                                 \
    X(OPT_TIMEOUT, 0, "timeout", "S", "30", CMD_BOTH, REPEAT, G_TIMEOUTS,                          \
      "overall deadline per probe (default @D@)", NULL)                                            \
    X(OPT_CONNECT_TIMEOUT, 0, "connect-timeout", "S", "10", CMD_BOTH, REPEAT, G_TIMEOUTS,          \
      "TCP connect (default @D@)", NULL)                                                           \
    X(OPT_BANNER_TIMEOUT, 0, "banner-timeout", "S", "20", CMD_BOTH, REPEAT, G_TIMEOUTS,            \
      "silence allowed before the greeting completes (default @D@)", NULL)                         \
    X(OPT_REPLY_TIMEOUT, 0, "reply-timeout", "S", "10", CMD_BOTH, REPEAT, G_TIMEOUTS,              \
      "silence allowed before any later reply completes (default @D@)", NULL)                      \
    X(OPT_HANDSHAKE_TIMEOUT, 0, "handshake-timeout", "S", "10", CMD_BOTH, REPEAT, G_TIMEOUTS,      \
      "TLS handshake (default @D@)", NULL)                                                         \
    X(OPT_CA_FILE, 0, "ca-file", "FILE", NULL, CMD_BOTH, ONCE, G_TLS,                              \
      "trust these CAs (PEM) instead of the system store", NULL)                                   \
    X(OPT_VERSIONS, 0, "versions", NULL, NULL, CMD_BOTH, REPEAT, G_TLS,                            \
      "also list which of SSLv3 and TLS 1.0-1.3 each server\n"                                     \
      "accepts (a few more connections, one at a time)",                                           \
      "also list the protocol versions the server accepts")                                        \
    X(OPT_CIPHERS, 0, "ciphers", NULL, NULL, CMD_BOTH, REPEAT, G_TLS,                              \
      "also list the cipher suites each server accepts, per\n"                                     \
      "version, in its order of preference when it has one,\n"                                     \
      "and the weak ones (one more connection per suite\n"                                         \
      "accepted, one at a time, at most 128 connections and\n"                                     \
      "5 minutes per server address and port)",                                                    \
      "also list the cipher suites it accepts, and the weak ones")                                 \
    X(OPT_NO_DANE, 0, "no-dane", NULL, NULL, CMD_BOTH, REPEAT, G_PROTECTION,                       \
      "no TLSA lookup of each named server (_PORT._tcp.HOST)", NULL)                               \
    X(OPT_NO_MTA_STS, 0, "no-mta-sts", NULL, NULL, CMD_BOTH, REPEAT, G_PROTECTION,                 \
      "no MTA-STS lookup of each mail domain (_mta-sts TXT, then\n"                                \
      "the policy from https://mta-sts.DOMAIN/, one GET)",                                         \
      NULL)                                                                                        \
    X(OPT_NO_TLS_RPT, 0, "no-tls-rpt", NULL, NULL, CMD_BOTH, REPEAT, G_PROTECTION,                 \
      "no TLS-RPT lookup of each mail domain (_smtp._tls TXT)", NULL)                              \
    X(OPT_HELP, 'h', "help", NULL, NULL, CMD_BOTH, REPEAT, G_END, "this text", "this text")       \
    X(OPT_VERSION, 0, "version", NULL, NULL, CMD_BOTH, REPEAT, G_END,                              \
      "the version and the libraries' versions", "the version and the libraries' versions")       \
    X(OPT_MERGE_OUTPUT, 'o', "output", "FILE", NULL, CMD_MERGE, ONCE, G_END,                       \
      "the merged file (default: stdout)", NULL)                                                   \
    X(OPT_ROLLUP_OUTPUT, 'o', "output", "FILE", NULL, CMD_ROLLUP, ONCE, G_END,                     \
      "the rollup file (needed; - for standard output)", NULL)                                     \
    X(OPT_REPORT_OUTPUT, 'o', "output", "FILE", NULL, CMD_REPORT, ONCE, G_END,                     \
      "the page (needed; - for standard output)", NULL)                                            \
    X(OPT_MERGE_OVERWRITE, 0, "overwrite", NULL, NULL, CMD_MERGE, REPEAT, G_END,                   \
      "replace OUT (and --summary FILE) when not empty", NULL)                                     \
    X(OPT_MERGE_SUMMARY, 0, "summary", "FILE", NULL, CMD_MERGE, ONCE, G_END,                       \
      "also write the summary of the merged rows as JSON", NULL)                                   \
    X(OPT_MERGE_EXPIRING, 0, "expiring-within", "D", NULL, CMD_MERGE, REPEAT, G_END,               \
      "exit with status 3 when a merged row's certificate\n"                                       \
      "expires within D days (or has expired)",                                                    \
      NULL)                                                                                        \
    X(OPT_MERGE_QUIET, 'q', "quiet", NULL, NULL, CMD_MERGE, REPEAT, G_END, "no summary on stderr", NULL) \
    X(OPT_REPORT_EXPIRING, 0, "expiring-within", "D", "30", CMD_REPORT, REPEAT, G_END,             \
      "list the certificates that expire within D days\n"                                          \
      "(default @D@)",                                                                             \
      NULL)                                                                                        \
    X(OPT_ROLLUP_OVERWRITE, 0, "overwrite", NULL, NULL, CMD_ROLLUP | CMD_REPORT, REPEAT, G_END,    \
      "replace OUT when it is not empty", NULL)                                                    \
    X(OPT_ROLLUP_QUIET, 'q', "quiet", NULL, NULL, CMD_ROLLUP | CMD_REPORT, REPEAT, G_END,          \
      "no grade line on stderr", NULL)                                                             \
    X(OPT_TOOL_HELP, 'h', "help", NULL, NULL, CMD_MERGE | CMD_ROLLUP | CMD_REPORT, REPEAT, G_END,  \
      "this text", NULL)

#define OPTION_ENUM(id, ...) id,
enum option_id { OPT_NONE = 255, OPTIONS(OPTION_ENUM) OPT_END };
#undef OPTION_ENUM

struct option_row {
    enum option_id id;
    char short_name; /* 0: none */
    const char *name, *arg, *def;
    unsigned commands, flags;
    enum option_group group;
    const char *help, *check_help;
};

/* The row of an option id; NULL for none. */
const struct option_row *optable_row(int id);
/* getopt_long's long options and short string for the commands in mask
 * (each option's val is its id); static storage, rebuilt by each call. */
const struct option *optable_getopt(unsigned mask, const char **shorts);
/* What getopt_long returned, as an option id: a short option's letter is
 * looked up among the rows of mask; '?' stays '?'. */
int optable_id(int c, unsigned mask);
/* The option list of cmd's --help (for CMD_CHECK: with the "as for a
 * scan" list). */
void optable_print_help(FILE *out, unsigned cmd);
/* Each option of cmd that has a default, in table order. */
void optable_each_default(unsigned cmd, void (*fn)(void *arg, int id, const char *def), void *arg);

#endif
