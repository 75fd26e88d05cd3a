/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The --help texts of the scan and of check (the README quotes them). The
 * lists of protocols and formats come from their tables. */
#include "scanner/cli/usage.h"

#include <string.h>

#include <ares.h>
#include <uv.h>
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#ifdef STS_WOLFSSL_TUNED
#include <sts_tuned_version.h> /* written by scanner/tls/wolfssl-tuned/build.sh */
#endif

#include "output/rows/formats.h"
#include "scanner/dialog/services.h"

static const char usage_scan[] =
    "Usage: starttls-scan [OPTIONS] [FILE]\n"
    "Scans mail servers for STARTTLS and writes one CSV row per (domain, MX, address).\n"
    "FILE has one target per line (default: stdin; '-' is stdin too).\n"
    "\n"
    "Protocol:\n"
    "  -p, --protocol NAME      @SERVICES@\n"
    "  --port N                 port to connect to (default: the protocol's)\n"
    "Input:\n"
    "  --no-mx                  lines are hosts, not mail domains: name, IPv4 or [IPv6],\n"
    "                           each with an optional :port (always so for protocols\n"
    "                           other than smtp)\n"
    "      --shard K/N          scan only shard K of N (0 <= K < N): the targets whose\n"
    "                           name or address hashes to K; every shard reads the whole\n"
    "                           input. auto: K and N from a Slurm job array or a\n"
    "                           Kubernetes Indexed Job (see starttls-scan merge --help)\n"
    "      --shards N           the number of shards for --shard auto under Kubernetes\n"
    "                           (default: $STARTTLS_SCAN_SHARDS)\n"
    "Output:\n"
    "  -o, --output FILE        write the CSV to FILE (default: stdout)\n"
    "      --overwrite          replace FILE when it is not empty (refused otherwise)\n"
    "      --resume             go on with an interrupted scan: keep FILE's rows, scan\n"
    "                           only the targets it lacks, append\n"
    "  -f, --format FORMAT      @FORMATS@\n"
    "  -q, --quiet              no progress and no summary on stderr, only errors\n"
    "      --progress           a progress line every 10 s even when stderr is not a\n"
    "                           terminal (on a terminal it is always shown, each second)\n"
    "      --summary FILE       also write the summary as JSON to FILE\n"
    "      --expiring-within D  exit with status 3 when a certificate expires within D\n"
    "                           days (or has expired); the summary lists them (with -q:\n"
    "                           only they, one line per certificate)\n"
    "      --rollup FILE        at the end, one CSV row per domain with its grade and\n"
    "                           the reason (see starttls-scan rollup --help), from\n"
    "                           every row of -o FILE\n"
    "      --report FILE        at the end, an HTML report of every row of -o FILE\n"
    "                           (see starttls-scan report --help)\n"
    "Scale:\n"
    "  -w, --workers N          event-loop threads (default: number of cores)\n"
    "  -c, --concurrency N      probes in flight at once, all workers together (default 1000)\n"
    "      --max-tls N          TLS handshakes and sessions at once, all workers together\n"
    "                           (default 2048; ~90 KiB each: the memory bound of a large\n"
    "                           -c); a probe past it waits its turn after STARTTLS\n"
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
    "  --retry-delay S          a server that said \"try again later\" (4xx to the greeting\n"
    "                           or EHLO) or never greeted is probed once more, at least\n"
    "                           S seconds after the first attempt, after the input (default 60)\n"
    "  --no-retry               never probe a server a second time\n"
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
    "  --ciphers                also list the cipher suites each server accepts, per\n"
    "                           version, in its order of preference when it has one,\n"
    "                           and the weak ones (one more connection per suite\n"
    "                           accepted, one at a time, at most 128 connections and\n"
    "                           5 minutes per server address and port)\n"
    "Mail protection (on by default; the resolver must validate DNSSEC for DANE):\n"
    "  --no-dane                no TLSA lookup of each named server (_PORT._tcp.HOST)\n"
    "  --no-mta-sts             no MTA-STS lookup of each mail domain (_mta-sts TXT, then\n"
    "                           the policy from https://mta-sts.DOMAIN/, one GET)\n"
    "  --no-tls-rpt             no TLS-RPT lookup of each mail domain (_smtp._tls TXT)\n"
    "\n"
    "  -h, --help               this text\n"
    "  --version                the version and the libraries' versions\n"
    "\n"
    "Options that name what is scanned or where rows go (-p, --port, -o, -f, --summary,\n"
    "--ehlo, --ca-file) may be given once; for the others the last one counts.\n"
    "\n"
    "Exit status: 0 when the scan ran (whatever the rows say); 2 on a usage error, an\n"
    "unreadable input or a failed output (the scan stops at once; the file ends with a\n"
    "whole row); 3 with --expiring-within when a certificate expires that soon;\n"
    "4 when nothing was measured (no row reached a connection, and the resolver gave\n"
    "no answer for some: said on stderr even with -q);\n"
    "130/143/129 when interrupted by SIGINT/SIGTERM/SIGHUP (--resume goes on).\n";

static const char usage_check[] =
    "Usage: starttls-scan check HOST[:PORT] [OPTIONS]\n"
    "Debugs one server: prints the whole dialog (C: and S: lines), the TLS handshake,\n"
    "the certificate chain with its dates and verdicts, and the AUTH mechanisms. HOST\n"
    "is checked even when it is loopback or private. With smtp, a mail domain without\n"
    "a port is checked through its MX hosts (each named); every address of every host\n"
    "is checked, one after the other.\n"
    "\n"
    "  -p, --protocol NAME      @NAMES@\n"
    "  --port N                 port (default: the protocol's; HOST:PORT wins)\n"
    "  --no-mx                  HOST is the server itself, even when it has MX records\n"
    "  --no-verify              an invalid chain, a name mismatch or a violated DANE or\n"
    "                           MTA-STS policy is a warning, not a failure\n"
    "  --auth-user USER         also test AUTH inside TLS (SMTP AUTH, IMAP LOGIN or\n"
    "                           AUTHENTICATE PLAIN, POP3 USER/PASS), only with a mechanism\n"
    "                           the server offers inside TLS; the password comes from\n"
    "                           STARTTLS_SCAN_PASSWORD or a prompt, never argv, and is\n"
    "                           never shown (nor what the server echoes of it)\n"
    "  --auth-mech MECH         PLAIN (SMTP's default) or LOGIN (IMAP's default)\n"
    "  --versions               also list the protocol versions the server accepts\n"
    "  --ciphers                also list the cipher suites it accepts, and the weak ones\n"
    "  --no-dane, --no-mta-sts, --no-tls-rpt\n"
    "                           skip the TLSA, MTA-STS or TLS-RPT lookups (as for a scan)\n"
    "  --ca-file FILE, --ehlo NAME, --resolver IP[:PORT], --mx-max N, --dns-timeout S,\n"
    "  --blocklist FILE, --allowlist FILE, --timeout S, --connect-timeout S,\n"
    "  --banner-timeout S, --reply-timeout S,\n"
    "  --handshake-timeout S    as for a scan (see starttls-scan --help)\n"
    "  --allow-private          changes nothing here: check always checks the host it is\n"
    "                           given and the addresses it finds (accepted as in a scan)\n"
    "  -h, --help               this text\n"
    "  --version                the version and the libraries' versions\n"
    "\n"
    "Exit status: 0 when TLS succeeded on every address with a valid chain and name,\n"
    "no authenticated DANE record set and no MTA-STS policy in enforce mode is\n"
    "violated (and AUTH, if asked, was accepted); 1 when not (the reason is the last\n"
    "line; --no-verify makes the chain, the name and the policies warnings); 2 on a\n"
    "usage error.\n";

static const char usage_merge[] =
    "Usage: starttls-scan merge [-o OUT] [OPTIONS] SHARD...\n"
    "Joins the files of a sharded scan (--shard K/N) into one: the header once, the\n"
    "rows of every shard, every target once. A target found in two files (a rerun\n"
    "task) keeps the rows of the file that scanned it last (the newest scanned_at; a\n"
    "tie goes to the file named later). The shards must all be CSV or all JSON Lines,\n"
    "written by this version; an empty shard is fine. A killed task's partial last\n"
    "line is left out (rerun the task with --resume on its own file). OUT is written\n"
    "whole, then renamed into place: a failed merge leaves no OUT (a symbolic link\n"
    "stays, the file it names is replaced; -, a FIFO or a device is written through).\n"
    "\n"
    "  -o, --output FILE        the merged file (default: stdout)\n"
    "      --overwrite          replace OUT (and --summary FILE) when not empty\n"
    "      --summary FILE       also write the summary of the merged rows as JSON\n"
    "      --expiring-within D  exit with status 3 when a merged row's certificate\n"
    "                           expires within D days (or has expired)\n"
    "  -q, --quiet              no summary on stderr\n"
    "  -h, --help               this text\n"
    "\n"
    "Exit status: 0 when merged; 2 on a usage error, a shard that cannot be read or\n"
    "does not match the others, or a failed output; 3 with --expiring-within.\n";

/* What rollup --help and report --help both end with. */
#define ROLLUP_COMMON                                                                              \
    "      --overwrite          replace OUT when it is not empty\n"                                \
    "  -q, --quiet              no grade line on stderr\n"                                         \
    "  -h, --help               this text\n"                                                       \
    "\n"                                                                                           \
    "Exit status: 0 when written; 2 on a usage error, an input that cannot be read\n"              \
    "or is not ours, or a failed output.\n"

static const char usage_rollup[] =
    "Usage: starttls-scan rollup -o OUT.csv [OPTIONS] FILE...\n"
    "One CSV row per domain from the rows of a scan (its -o file, the shards of a\n"
    "sharded scan, or their merge): MX hosts, addresses scanned and answering,\n"
    "STARTTLS on all / some / none, the lowest TLS version and the weakest cipher\n"
    "(and on which MX), the earliest certificate expiry (date, days left, MX), chains\n"
    "and names on every MX, DANE, MTA-STS and TLS-RPT, and a grade A-F with the\n"
    "reason it is not the next grade up (docs/grades.md). Shards are read as merge\n"
    "reads them: a target in two files counts once. OUT is written whole, then\n"
    "renamed into place (a symbolic link stays, the file it names is replaced; -\n"
    "for standard output, a FIFO or a device is written through).\n"
    "\n"
    "  -o, --output FILE        the rollup file (needed; - for standard output)\n"
    ROLLUP_COMMON;

static const char usage_report[] =
    "Usage: starttls-scan report -o OUT.html [OPTIONS] FILE...\n"
    "One self-contained HTML page from the rows of a scan (its -o file, the shards\n"
    "of a sharded scan, or their merge): the headline, the status and TLS version\n"
    "mix, the certificate expiry timeline, the issuers, DANE / MTA-STS / TLS-RPT\n"
    "adoption, the grades, the certificates expiring soon (every domain and MX each\n"
    "serves) and a sortable, filterable table of the domains with their grade and\n"
    "reason. Nothing on the page loads anything: CSS inline, charts as inline SVG,\n"
    "one small inline script for sorting and filtering. OUT is written as rollup's.\n"
    "\n"
    "  -o, --output FILE        the page (needed; - for standard output)\n"
    "      --expiring-within D  list the certificates that expire within D days\n"
    "                           (default 30)\n"
    ROLLUP_COMMON;

/* The format list: "csv (RFC 4180, ... the default), jsonl (...)", one a line. */
static void format_help(char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; output_formats[i] && used < len; i++)
        used += (size_t)snprintf(out + used, len - used, "%s%s: %s", i ? "\n                           " : "",
                                 output_formats[i]->name, output_formats[i]->what);
}

/* Prints text with its @NAME@ lists filled in from the tables. */
static void print_filled(FILE *out, const char *text)
{
    char list[1024];
    for (const char *p = text; *p;) {
        const char *at = strchr(p, '@');
        if (!at) {
            fputs(p, out);
            return;
        }
        fwrite(p, 1, (size_t)(at - p), out);
        const char *end = strchr(at + 1, '@');
        size_t n = end ? (size_t)(end - at - 1) : 0;
        if (n == 8 && memcmp(at + 1, "SERVICES", 8) == 0)
            service_help(list, sizeof list, 27, 86);
        else if (n == 7 && memcmp(at + 1, "FORMATS", 7) == 0)
            format_help(list, sizeof list);
        else if (n == 5 && memcmp(at + 1, "NAMES", 5) == 0)
            service_names(list, sizeof list);
        else
            snprintf(list, sizeof list, "@");
        fputs(list, out);
        p = end && list[0] != '@' ? end + 1 : at + 1;
    }
}

void usage_print(FILE *out, bool check)
{
    print_filled(out, check ? usage_check : usage_scan);
}

#if !defined(STS_VERSION) || !defined(STS_WOLFSSL_BUILD)
#error "STS_VERSION and STS_WOLFSSL_BUILD come from CMakeLists.txt"
#endif

void usage_print_merge(FILE *out)
{
    fputs(usage_merge, out);
}

void usage_print_rollup(FILE *out, bool report)
{
    fputs(report ? usage_report : usage_rollup, out);
}

const char *usage_version_string(void)
{
    return STS_VERSION;
}

void usage_print_version(FILE *out)
{
    fprintf(out, "starttls-scan %s\n", STS_VERSION);
    fprintf(out, "linked at run time: libuv %s, wolfSSL %s, c-ares %s\n", uv_version_string(),
            wolfSSL_lib_version(), ares_version(NULL));
#ifdef STS_WOLFSSL_TUNED
    fprintf(out, "wolfSSL build: %s %s\n", STS_WOLFSSL_BUILD, STS_TUNED_VERSION);
#else
    fprintf(out, "wolfSSL build: %s\n", STS_WOLFSSL_BUILD);
#endif
}
