/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The --help texts of every command (the README quotes them): what comes
 * before and after each option list, which comes from the option table
 * (scanner/cli/optable.h). */
#include "scanner/cli/usage.h"

#include <stdlib.h>
#include <string.h>

#include <ares.h>
#include <expat.h>
#include <uv.h>
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#ifdef STS_WOLFSSL_TUNED
#include <sts_tuned_version.h> /* written by scanner/tls/wolfssl-tuned/build.sh */
#endif

#include "scanner/cli/optable.h"

static const char usage_scan[] =
    "Usage: starttls-scan [OPTIONS] [FILE]\n"
    "Scans mail servers for STARTTLS and writes one CSV row per (domain, MX, address).\n"
    "FILE has one target per line (default: stdin; '-' is stdin too).\n"
    "\n"
    "@OPTIONS@"
    "\n"
    "@ONCE@"
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
    "@OPTIONS@"
    "\n"
    "Exit status: 0 when TLS succeeded on every address with a valid chain and name,\n"
    "no authenticated DANE record set and no MTA-STS policy in enforce mode is\n"
    "violated (and AUTH, if asked, was accepted); 1 when not (the reason is the last\n"
    "line; --no-verify makes the chain, the name and the policies warnings); 2 on a\n"
    "usage error; 3 with --expiring-within when it passed but a certificate expires\n"
    "that soon. With --nagios: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.\n";

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
    "@OPTIONS@"
    "\n"
    "Exit status: 0 when merged; 2 on a usage error, a shard that cannot be read or\n"
    "does not match the others, or a failed output; 3 with --expiring-within.\n";

/* What rollup --help and report --help both end with. */
#define ROLLUP_COMMON                                                                              \
    "@OPTIONS@"                                                                                    \
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
    ROLLUP_COMMON;

/* text, greedily wrapped at width columns on its spaces. */
static void print_wrapped(FILE *out, const char *text, int width)
{
    int col = 0;
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, " ");
        if (col && col + 1 + (int)n > width) {
            fputc('\n', out);
            col = 0;
        }
        col += fprintf(out, "%s%.*s", col ? " " : "", (int)n, p);
        p += n;
        p += strspn(p, " ");
    }
    fputc('\n', out);
}

/* Which options may not come twice, from the table. */
static void print_once(FILE *out)
{
    char text[1024];
    size_t used = (size_t)snprintf(text, sizeof text, "Options that name what is scanned or where rows go (");
    const char *sep = "";
    for (int id = OPT_NONE + 1; id < OPT_END && used < sizeof text; id++) {
        const struct option_row *r = optable_row(id);
        if (!(r->commands & CMD_SCAN) || (r->flags & REPEAT)) continue;
        used += r->short_name ? (size_t)snprintf(text + used, sizeof text - used, "%s-%c", sep, r->short_name)
                              : (size_t)snprintf(text + used, sizeof text - used, "%s--%s", sep, r->name);
        sep = ", ";
    }
    if (used < sizeof text)
        snprintf(text + used, sizeof text - used, ") may be given once; for the others the last one counts.");
    print_wrapped(out, text, 80);
}

/* Prints a command's text, its option list and what follows from the table. */
static void print_usage(FILE *out, const char *text, unsigned cmd)
{
    for (const char *p = text; *p;) {
        const char *at = strstr(p, "@OPTIONS@"), *once = strstr(p, "@ONCE@");
        const char *next = at && (!once || at < once) ? at : once;
        if (!next) {
            fputs(p, out);
            return;
        }
        fwrite(p, 1, (size_t)(next - p), out);
        if (next == at) optable_print_help(out, cmd);
        else print_once(out);
        p = next + (next == at ? 9 : 6);
    }
}

void usage_print(FILE *out, bool check)
{
    print_usage(out, check ? usage_check : usage_scan, check ? CMD_CHECK : CMD_SCAN);
}

#if !defined(STS_VERSION) || !defined(STS_WOLFSSL_BUILD)
#error "STS_VERSION and STS_WOLFSSL_BUILD come from CMakeLists.txt"
#endif

void usage_print_merge(FILE *out)
{
    print_usage(out, usage_merge, CMD_MERGE);
}

void usage_print_rollup(FILE *out, bool report)
{
    print_usage(out, report ? usage_report : usage_rollup, report ? CMD_REPORT : CMD_ROLLUP);
}

const char *usage_version_string(void)
{
    return STS_VERSION;
}

void usage_version_line(char *out, size_t len)
{
    char *text = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&text, &n);
    out[0] = '\0';
    if (!f) return;
    usage_print_version(f);
    fclose(f);
    /* "starttls-scan 0.2.0; linked at run time: ...; wolfSSL build: system" */
    size_t o = 0;
    for (size_t i = 0; text && i < n && o + 3 < len; i++) {
        if (text[i] != '\n')
            out[o++] = text[i];
        else if (i + 1 < n) {
            out[o++] = ';';
            out[o++] = ' ';
        }
    }
    out[o] = '\0';
    free(text);
}

void usage_print_version(FILE *out)
{
    fprintf(out, "starttls-scan %s\n", STS_VERSION);
    const char *expat = XML_ExpatVersion(); /* "expat_2.5.0" */
    if (strncmp(expat, "expat_", 6) == 0) expat += 6;
    fprintf(out, "linked at run time: libuv %s, wolfSSL %s, c-ares %s, expat %s\n", uv_version_string(),
            wolfSSL_lib_version(), ares_version(NULL), expat);
#ifdef STS_WOLFSSL_TUNED
    fprintf(out, "wolfSSL build: %s %s\n", STS_WOLFSSL_BUILD, STS_TUNED_VERSION);
#else
    fprintf(out, "wolfSSL build: %s\n", STS_WOLFSSL_BUILD);
#endif
}
