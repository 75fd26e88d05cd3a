/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/cli/check_nagios.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "scanner/base/buf.h"
#include "scanner/cli/config.h"

static const char *const state_names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
/* Which state wins: CRITICAL, WARNING, UNKNOWN, OK. */
static const int rank[] = {0, 2, 3, 1};

static struct {
    FILE *out;            /* the real standard output */
    struct buf lines;     /* "[STATE] where: text\n" per row */
    int rows, worst, worst_count;
    char worst_line[1200]; /* the first row in the worst state: "where: text" */
    bool have_days, all_dane;
    int64_t min_days;
    int64_t max_tls_ms;   /* -1: none */
    char lowest[16];      /* the lowest TLS version of the rows with TLS */
    char single[1200];    /* the one row's summary, when there is one */
    bool ended;           /* the lines are out */
} n = {.max_tls_ms = -1, .all_dane = true};

int nagios_begin(void)
{
    fflush(stdout);
    int fd = dup(STDOUT_FILENO);
    if (fd < 0 || !(n.out = fdopen(fd, "w"))) return -1;
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null < 0 || dup2(null, STDOUT_FILENO) < 0) return -1;
    close(null);
    return 0;
}

/* Server text in a plugin line: no control byte, and no '|' (perfdata follows it). */
static void clean(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '|') *s = *s == '|' ? '/' : '?';
}

static enum nagios_state state_of(const struct config *cfg, enum check_kind kind, bool bad, const char *warn)
{
    if (bad && kind == CK_UNKNOWN) return NAGIOS_UNKNOWN;
    if (bad) return (cfg->nagios_warn_only & (1u << kind)) ? NAGIOS_WARNING : NAGIOS_CRITICAL;
    return warn[0] ? NAGIOS_WARNING : NAGIOS_OK;
}

/* A row with TLS: its version, days and DANE, into the totals and text. */
static enum nagios_state tls_facts(const struct config *cfg, const struct row *row, char *text, size_t len)
{
    const struct probe_result *r = row->result;
    enum nagios_state st = NAGIOS_OK;
    if (!n.lowest[0] || strcmp(r->tls_version, n.lowest) < 0) snprintf(n.lowest, sizeof n.lowest, "%s", r->tls_version);
    if (r->tls_ms > n.max_tls_ms) n.max_tls_ms = r->tls_ms;
    if (row->dane != DANE_VALID) n.all_dane = false;
    size_t used = (size_t)snprintf(text, len, "%s", r->tls_version);
    if (r->cert.present && r->cert.dates_valid) {
        int64_t days = cert_days_left(r);
        if (!n.have_days || days < n.min_days) n.min_days = days;
        n.have_days = true;
        if (days < 0)
            used += (size_t)snprintf(text + used, len - used, ", certificate expired %" PRId64 " days ago", -days);
        else
            used += (size_t)snprintf(text + used, len - used, ", certificate valid %" PRId64 " more days", days);
        if (days <= cfg->nagios_critical)
            st = NAGIOS_CRITICAL;
        else if (days <= cfg->nagios_warning)
            st = NAGIOS_WARNING;
        if (st != NAGIOS_OK)
            used += (size_t)snprintf(text + used, len - used, " (%s %ld)", st == NAGIOS_CRITICAL ? "-c" : "-w",
                                     st == NAGIOS_CRITICAL ? cfg->nagios_critical : cfg->nagios_warning);
    }
    if (row->dane == DANE_VALID && used < len) snprintf(text + used, len - used, ", DANE valid");
    return st;
}

void nagios_row(const struct config *cfg, const struct row *row, enum check_kind kind, bool bad, const char *why,
                const char *warn)
{
    char where[400], text[700] = "";
    if (row->ip)
        snprintf(where, sizeof where, "%s[%s]:%d", row->mx_host ? row->mx_host : "", row->ip, row->port);
    else
        snprintf(where, sizeof where, "%s", row->mx_host ? row->mx_host : row->domain.p ? row->domain.p : "");
    int st = (int)state_of(cfg, kind, bad, warn);
    if (row->result->status == ST_OK) {
        /* TLS, even when something else failed: its expiry counts too. */
        int days = (int)tls_facts(cfg, row, text, sizeof text);
        if (rank[days] > rank[st]) st = days;
    }
    if (bad)
        snprintf(text, sizeof text, "%s", why);
    else if (warn[0])
        snprintf(text + strlen(text), sizeof text - strlen(text), "; %s", warn);
    clean(where);
    clean(text);
    char line[1200];
    int len = snprintf(line, sizeof line, "[%s] %s: %s\n", state_names[st], where, text);
    buf_append(&n.lines, line, len > 0 && (size_t)len < sizeof line ? (size_t)len : strlen(line));
    if (n.rows == 0 || rank[st] > rank[n.worst]) {
        n.worst = st;
        n.worst_count = 0;
        snprintf(n.worst_line, sizeof n.worst_line, "%s: %s", where, text);
    }
    if (st == n.worst) n.worst_count++;
    if (n.rows == 0) snprintf(n.single, sizeof n.single, "%s %s", where, text);
    n.rows++;
}

static void perfdata(const struct config *cfg)
{
    if (!n.have_days && n.max_tls_ms < 0) return; /* nothing measured: no '|' either */
    fputs(" |", n.out);
    if (n.have_days)
        fprintf(n.out, " days_left=%" PRId64 ";%ld;%ld;0;", n.min_days, cfg->nagios_warning, cfg->nagios_critical);
    if (n.max_tls_ms >= 0) fprintf(n.out, " handshake=%.3fs;;;0;", (double)n.max_tls_ms / 1000.0);
}

int nagios_end(const struct config *cfg, int run_status)
{
    int st = n.worst;
    if (run_status != 0 || n.rows == 0) {
        st = NAGIOS_UNKNOWN;
        fprintf(n.out, "STARTTLS UNKNOWN - %s: %s", cfg->check_target,
                n.rows ? "the check did not finish" : "nothing was checked");
    } else if (st == NAGIOS_OK && n.rows == 1) {
        fprintf(n.out, "STARTTLS OK - %s", n.single);
    } else if (st == NAGIOS_OK) {
        fprintf(n.out, "STARTTLS OK - %s: %d addresses, %s or newer", cfg->check_target, n.rows, n.lowest);
        if (n.have_days) fprintf(n.out, ", certificates valid %" PRId64 " more days or longer", n.min_days);
        if (n.all_dane) fputs(", DANE valid", n.out);
    } else {
        fprintf(n.out, "STARTTLS %s - %s", state_names[st], n.worst_line);
        if (n.rows > 1) fprintf(n.out, " (%d of %d addresses %s)", n.worst_count, n.rows, state_names[st]);
    }
    perfdata(cfg);
    fputc('\n', n.out);
    if (n.lines.len) fwrite(n.lines.data, 1, n.lines.len, n.out);
    buf_free(&n.lines);
    n.ended = true;
    return fflush(n.out) == 0 ? st : NAGIOS_UNKNOWN;
}

bool nagios_ended(void)
{
    return n.ended;
}

void nagios_replay_stderr(int fd, char *first, size_t len)
{
    char chunk[4096];
    ssize_t got;
    bool have_first = false;
    if (lseek(fd, 0, SEEK_SET) != 0) return;
    while ((got = read(fd, chunk, sizeof chunk)) > 0) {
        if (!have_first) {
            /* "starttls-scan check: " says nothing a status line needs. */
            const char *p = chunk, *end = chunk + got, *nl = memchr(p, '\n', (size_t)got);
            static const char prefix[] = "starttls-scan check: ";
            if ((size_t)got >= sizeof prefix - 1 && memcmp(p, prefix, sizeof prefix - 1) == 0) p += sizeof prefix - 1;
            size_t take = (size_t)((nl ? nl : end) - p);
            snprintf(first, len, "%.*s", (int)(take < len ? take : len - 1), p);
            clean(first);
            have_first = true;
        }
        if (write(STDERR_FILENO, chunk, (size_t)got) != got) break;
    }
}

int nagios_unknown(const char *why)
{
    FILE *out = n.out ? n.out : stdout;
    fprintf(out, "STARTTLS UNKNOWN - %s\n", why);
    fflush(out);
    return NAGIOS_UNKNOWN;
}
