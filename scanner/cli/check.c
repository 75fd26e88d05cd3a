/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/cli/check.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scanner/base/tempfile.h"
#include "scanner/cli/check_nagios.h"
#include "scanner/cli/cmdline.h"
#include "scanner/cli/config.h"
#include "scanner/cli/run.h"
#include "scanner/dialog/sasl.h"
#include "scanner/dialog/saslmech.h"
#include "scanner/dialog/services.h"

/* What check concludes from the rows the probes published. */
struct verdict {
    int rows, failed;
    int ok_rows, dane_rows; /* rows with TLS; of them, authenticated by DANE */
    char lowest_version[16];
    bool have_days;
    int64_t min_days; /* the leaf's days left, the soonest of the rows with TLS */
    char first_failure[700];
    char first_where[400];
    char warnings[700];
    char auth[600];
};

static void add_warning(struct verdict *v, const char *what)
{
    size_t n = strlen(v->warnings);
    snprintf(v->warnings + n, sizeof v->warnings - n, "%s%s", n ? "; " : "", what);
}

/* Why a row that got no TLS failed, in plain words. */
static void failure_text(const struct row *row, char *out, size_t len)
{
    const struct probe_result *r = row->result;
    const char *err = r->error.p ? r->error.p : "";
    switch (r->status) {
    case ST_BLOCKED: snprintf(out, len, "not contacted: %s", err); break;
    case ST_DNS_FAILED: snprintf(out, len, "DNS: %s", err); break;
    case ST_NO_ADDRESS: snprintf(out, len, "no address: %s", err); break;
    case ST_NULL_MX: snprintf(out, len, "the domain accepts no mail: %s", err); break;
    case ST_NO_SERVICE: snprintf(out, len, "the domain offers no such service: %s", err); break;
    case ST_CONNECT_FAILED: snprintf(out, len, "cannot connect: %s", err); break;
    case ST_TIMEOUT: snprintf(out, len, "timeout: %s", err); break;
    case ST_NO_STARTTLS: snprintf(out, len, "no STARTTLS: %s", err); break;
    case ST_INVALID_TARGET: snprintf(out, len, "not a host: %s", err); break;
    case ST_STARTTLS_REFUSED: snprintf(out, len, "STARTTLS refused: %s", err); break;
    case ST_TLS_FAILED: snprintf(out, len, "TLS handshake failed: %s", err); break;
    case ST_SERVER_REFUSED: snprintf(out, len, "the server refused the session: %s", err); break;
    case ST_PROTOCOL_ERROR: snprintf(out, len, "the server broke the protocol: %s", err); break;
    case ST_PREAUTH: snprintf(out, len, "the server logged us in before TLS (PREAUTH): %s", err); break;
    case ST_OK: case ST_COUNT: snprintf(out, len, "%s", err); break;
    }
    if (check_state.cfg->scan.auth_user) {
        size_t n = strlen(out);
        snprintf(out + n, len - n, "; AUTH was not attempted without TLS");
    }
}

/* What the OK line sums up: the lowest version, the soonest expiry, DANE. */
static void tell_tls(struct verdict *v, const struct row *row)
{
    const struct probe_result *r = row->result;
    v->ok_rows++;
    if (row->dane == DANE_VALID) v->dane_rows++;
    if (!v->lowest_version[0] || strcmp(r->tls_version, v->lowest_version) < 0)
        snprintf(v->lowest_version, sizeof v->lowest_version, "%s", r->tls_version);
    if (r->cert.present && (!v->have_days || cert_days_left(r) < v->min_days)) {
        v->min_days = cert_days_left(r);
        v->have_days = true;
    }
}

/* The certificate's verdict, and AUTH's: 0 when the row passes; else the
 * kind of failure. warn: what --no-verify made a warning. */
static int judge_tls(const struct config *cfg, const struct row *row, struct verdict *v, char *why, size_t len,
                     enum check_kind *kind, char *warn, size_t wlen)
{
    const struct probe_result *r = row->result;
    char problem[600] = "";
    if (strcmp(r->handshake, "hello_only") == 0) {
        snprintf(why, len, "no TLS handshake completed: the server chose %s with %s, which this "
                           "scanner's TLS library refuses (%s)",
                 r->tls_version, r->cipher, r->error.p ? r->error.p : "");
        *kind = CK_STARTTLS;
        return 1;
    }
    *kind = r->chain_valid != TRI_YES ? CK_CHAIN : CK_NAME;
    if (r->chain_valid != TRI_YES)
        snprintf(problem, sizeof problem, "the certificate chain is %s: %s",
                 r->chain_valid == TRI_NO ? "not valid" : "not checked",
                 r->chain_error.p ? r->chain_error.p : "");
    else if (r->hostname_match == TRI_NO)
        snprintf(problem, sizeof problem, "the certificate does not name %s", row->mx_host);
    tell_tls(v, row);
    if (problem[0] && row->dane == DANE_VALID) {
        /* RFC 7672 3.1: a DANE match authenticates the server; the PKIX
         * chain and name do not apply (the rows keep saying what PKIX says). */
        char note[700];
        snprintf(note, sizeof note, "-- %s: DANE authenticates the server; PKIX does not apply: %s", row->mx_host,
                 problem);
        check_print_text("", note, strlen(note));
        problem[0] = '\0';
    }
    if (problem[0] && !cfg->no_verify) {
        snprintf(why, len, "%s (--no-verify accepts it)", problem);
        return 1;
    }
    if (problem[0]) {
        add_warning(v, problem);
        snprintf(warn, wlen, "%s", problem);
    }
    *kind = CK_AUTH;
    if (!cfg->scan.auth_user) return 0;
    struct check_auth *a = check_auth_for(row->ip);
    if (!a || (!a->done && !a->skipped)) {
        snprintf(why, len, "TLS ok, but AUTH did not complete");
        return 1;
    }
    if (a->skipped) {
        snprintf(why, len, "TLS ok, but AUTH was not sent: %s", a->reason);
        return 1;
    }
    snprintf(v->auth, sizeof v->auth, "AUTH %s (%s)", a->ok ? "accepted" : "refused", a->reason);
    if (!a->ok) {
        snprintf(why, len, "TLS ok, AUTH refused (%s)", a->reason);
        return 1;
    }
    return 0;
}

/* The row's DANE and MTA-STS: a failure when the row had none yet (bad,
 * why and kind set), or a warning. */
static void judge_policy(const struct config *cfg, const struct row *row, const char *where, struct verdict *v,
                         int *bad, char *why, size_t len, enum check_kind *kind, char *warn, size_t wlen)
{
    char pwhy[600] = "", pwarn[600];
    if (check_judge_policy(row, where, pwhy, sizeof pwhy, pwarn, sizeof pwarn)) {
        if (cfg->no_verify) {
            add_warning(v, pwhy);
            snprintf(warn + strlen(warn), wlen - strlen(warn), "%s%s", warn[0] ? "; " : "", pwhy);
        } else if (!*bad) {
            snprintf(why, len, "%s (--no-verify accepts it)", pwhy);
            *kind = row->dane == DANE_INVALID || row->dane == DANE_ERROR ? CK_DANE : CK_MTA_STS;
            *bad = 1;
        }
    }
    if (pwarn[0]) {
        add_warning(v, pwarn);
        snprintf(warn + strlen(warn), wlen - strlen(warn), "%s%s", warn[0] ? "; " : "", pwarn);
    }
}

/* check's sink: one line per row (one per address checked). */
static void judge_rows(void *arg, const struct row *rows, int n)
{
    struct verdict *v = arg;
    const struct config *cfg = check_state.cfg;
    for (int i = 0; i < n; i++) {
        const struct row *row = &rows[i];
        char why[700] = "", warn[700] = "", where[400];
        enum check_kind kind = check_kind_of_status(row->result->status);
        if (row->ip)
            snprintf(where, sizeof where, "%s [%s] port %d", row->mx_host ? row->mx_host : "", row->ip,
                     row->port);
        else
            snprintf(where, sizeof where, "%s", row->mx_host ? row->mx_host : row->domain.p);
        int bad = row->result->status == ST_OK
                      ? judge_tls(cfg, row, v, why, sizeof why, &kind, warn, sizeof warn)
                      : (failure_text(row, why, sizeof why), 1);
        if (i == 0) check_print_domain_policy(row);
        judge_policy(cfg, row, where, v, &bad, why, sizeof why, &kind, warn, sizeof warn);
        if (cfg->nagios) nagios_row(cfg, row, kind, bad, why, warn);
        v->rows++;
        if (cfg->scan.versions && row->result->versions[0]) {
            char versions[500];
            snprintf(versions, sizeof versions, "-- %s: versions accepted: %s", where, row->result->versions);
            check_print_text("", versions, strlen(versions));
        }
        if (cfg->scan.ciphers) check_print_ciphers(where, row->result);
        if (bad) {
            v->failed++;
            if (!v->first_failure[0]) {
                snprintf(v->first_failure, sizeof v->first_failure, "%s", why);
                snprintf(v->first_where, sizeof v->first_where, "%s", where);
            }
        }
        char line[1200];
        snprintf(line, sizeof line, "-- %s: %s%s", where, bad ? "FAILED: " : "ok",
                 bad ? why : "");
        check_print_text("", line, strlen(line));
    }
}

/* --expiring-within D: a passing check whose certificate expires within D
 * days exits 3, as a scan does. */
static int expiring(const struct verdict *v)
{
    long d = check_state.cfg->expiring_within;
    if (d < 0 || !v->have_days || v->min_days > d) return 0;
    printf("EXPIRING: a certificate expires within %ld days (--expiring-within)\n", d);
    return 3;
}

static int print_verdict(const struct verdict *v)
{
    if (v->rows == 0) {
        printf("FAILED: nothing was checked\n");
        return 1;
    }
    if (v->failed) {
        char line[1200];
        if (v->rows > 1)
            snprintf(line, sizeof line, "%s: %s (%d of %d addresses failed)", v->first_where,
                     v->first_failure, v->failed, v->rows);
        else
            snprintf(line, sizeof line, "%s", v->first_failure);
        check_print_text("FAILED: ", line, strlen(line));
        return 1;
    }
    char line[2000], days[120] = "";
    if (v->have_days && v->min_days >= 0)
        snprintf(days, sizeof days, ", certificate valid %lld more day%s", (long long)v->min_days,
                 v->min_days == 1 ? "" : "s");
    else if (v->have_days)
        snprintf(days, sizeof days, ", certificate expired %lld day%s ago", (long long)-v->min_days,
                 v->min_days == -1 ? "" : "s");
    snprintf(line, sizeof line, "OK: %s%s%s%s%s%s%s%s", v->lowest_version[0] ? v->lowest_version : "TLS",
             v->rows > 1 ? " on every address" : "", days,
             v->dane_rows && v->dane_rows == v->ok_rows ? ", DANE valid" : "", v->auth[0] ? ", " : "", v->auth,
             v->warnings[0] ? "; WARNING: " : "", v->warnings);
    check_print_text("", line, strlen(line));
    return expiring(v);
}

static int check_run(int argc, char **argv);

/* Is --nagios on the command line (before it is parsed: a usage error is
 * then UNKNOWN, 3)? */
static bool wants_nagios(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--nagios") == 0) return true;
    return false;
}

int check_main(int argc, char **argv)
{
    if (!wants_nagios(argc, argv)) return check_run(argc, argv);
    /* A monitoring system shows standard output only: what check says on
     * stderr is kept, copied there after, and its first line is the
     * UNKNOWN line's reason when check could not run. */
    fflush(stderr);
    int saved = dup(STDERR_FILENO), kept = temp_fd();
    if (saved >= 0 && kept >= 0) dup2(kept, STDERR_FILENO);
    int rc = check_run(argc, argv);
    char first[300] = "the check could not run";
    if (saved >= 0 && kept >= 0) {
        fflush(stderr);
        dup2(saved, STDERR_FILENO);
        nagios_replay_stderr(kept, first, sizeof first);
    }
    if (saved >= 0) close(saved);
    if (kept >= 0) close(kept);
    if (rc == 2 && !nagios_ended()) return nagios_unknown(first);
    return rc;
}

static int check_run(int argc, char **argv)
{
    struct config cfg;
    int rc = config_parse(&cfg, argc, argv, true);
    if (rc != 0) {
        config_free(&cfg);
        return rc == 1 ? 0 : rc;
    }
    check_state.cfg = &cfg;
    cfg.scan.observer = &check_observer;
    if (cfg.scan.auth_user && !cfg.scan.service->dialog->authenticates) {
        char names[300] = "";
        for (int i = 0; services[i].name; i++)
            if (services[i].dialog->authenticates)
                snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", names[0] ? ", " : "",
                         services[i].name);
        fprintf(stderr, "starttls-scan check: --auth-user: no AUTH test for %s (there is one for %s)\n",
                cfg.scan.service->name, names);
        config_free(&cfg);
        return 2;
    }
    if (cfg.scan.auth_user && check_prepare_secrets(&cfg) != 0) {
        check_clear_secrets();
        config_free(&cfg);
        return 2;
    }
    if (cfg.nagios && nagios_begin() != 0) {
        check_clear_secrets();
        config_free(&cfg);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *hello = cfg.scan.service->dialog->hello_verb;
    printf("-- check %s (%s%s%s%s)", cfg.check_target, cfg.scan.service->name,
           cfg.scan.mx_mode ? ": its MX hosts, or the host itself when it has none" : "",
           cfg.scan.srv ? ": the servers of its SRV records at " : "", cfg.scan.srv ? cfg.scan.service->srv : "");
    if (hello)
        printf(", %s name %s%s", hello, cfg.scan.ehlo,
               cfg.ehlo_guessed ? " (this machine has no fully qualified name: set one with --ehlo NAME)" : "");
    printf("\n");
    struct verdict v;
    memset(&v, 0, sizeof v);
    int status = run_scan(&cfg, judge_rows, &v);
    if (cfg.nagios)
        status = nagios_end(&cfg, status);
    else if (status == 0)
        status = print_verdict(&v);
    check_clear_secrets();
    config_free(&cfg);
    return status;
}
