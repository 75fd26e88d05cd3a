/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check's transcript: every line in and out, the TLS facts and the chain,
 * escaped so that server text cannot drive the terminal, and with the
 * credentials redacted wherever they appear (a server may echo them). */
#include <stdio.h>
#include <string.h>

#include "output/rows/cellfmt.h"
#include "scanner/tls/certfacts.h"
#include "resolver/resolve.h"
#include "scanner/cli/check.h"
#include "scanner/cli/config.h"
#include "scanner/engine/conn.h"
#include "scanner/tls/hello.h"
#include "scanner/tls/suites.h"

struct check_state check_state;

/* Replaces bytes [at, at + n) of b by the marker. */
static void redact_at(struct buf *b, size_t at, size_t n)
{
    struct buf out = {0};
    buf_append(&out, b->data, at);
    buf_append_str(&out, "<redacted>");
    buf_append(&out, b->data + at + n, b->len - at - n);
    buf_free(b);
    *b = out;
}

/* Replaces every secret in b by a marker. */
static void redact(struct buf *b)
{
    for (int s = 0; s < check_state.nsecrets; s++) {
        const char *secret = check_state.secrets[s];
        size_t n = strlen(secret);
        if (n == 0) continue;
        char *hit;
        while (b->data && (hit = memmem(b->data, b->len, secret, n)) != NULL)
            redact_at(b, (size_t)(hit - b->data), n);
    }
}

/* A secret a server echoed across two lines of one reply: the first ends
 * with its start, the second holds the rest. Both parts go. */
static void redact_split(struct buf *a, struct buf *b)
{
    for (int s = 0; s < check_state.nsecrets; s++) {
        const char *secret = check_state.secrets[s];
        size_t n = strlen(secret);
        for (size_t k = n > 1 ? n - 1 : 0; k >= 1 && a->data && b->data; k--) {
            if (a->len < k || memcmp(a->data + a->len - k, secret, k) != 0) continue;
            const char *rest = memmem(b->data, b->len, secret + k, n - k);
            if (!rest) continue;
            redact_at(b, (size_t)(rest - b->data), n - k);
            redact_at(a, a->len - k, k);
            break;
        }
    }
}

static void print_raw(const char *prefix, const struct buf *raw)
{
    struct buf shown = {0};
    escape_text(&shown, raw->data ? raw->data : "", raw->len, 0);
    printf("%s%.*s\n", prefix, (int)shown.len, shown.data ? shown.data : "");
    buf_free(&shown);
}

void check_print_text(const char *prefix, const char *p, size_t len)
{
    struct buf raw = {0};
    buf_append(&raw, p, len);
    redact(&raw); /* before escaping: the secrets are raw bytes */
    print_raw(prefix, &raw);
    buf_free(&raw);
}

/* A word list (certificate names, SASL mechanisms), shown as one line. */
static void check_print_list(const char *prefix, const char *p, size_t len)
{
    struct buf shown = {0};
    escape_list(&shown, p, len, 0);
    printf("%s%.*s\n", prefix, (int)shown.len, shown.data ? shown.data : "");
    buf_free(&shown);
}

struct check_auth *check_auth_for(const char *ip)
{
    for (int i = 0; i < check_state.nauth; i++)
        if (strcmp(check_state.auth[i].ip, ip) == 0) return &check_state.auth[i];
    if (check_state.nauth == (int)(sizeof check_state.auth / sizeof check_state.auth[0])) return NULL;
    struct check_auth *a = &check_state.auth[check_state.nauth++];
    memset(a, 0, sizeof *a);
    snprintf(a->ip, sizeof a->ip, "%s", ip);
    return a;
}

static void on_connecting(void *arg, const struct conn *c)
{
    (void)arg;
    const char *host = c->sni[0] ? c->sni : c->ip;
    /* --ciphers: a connection per suite; one line says so, not each dialog */
    static char announced[80];
    if (c->hello_suites) {
        if (strcmp(announced, c->ip) != 0)
            printf("-- %s [%s] port %d: enumerating cipher suites, our own ClientHello on one connection "
                   "after another (their dialogs not shown)\n", host, c->ip, c->port);
        snprintf(announced, sizeof announced, "%s", c->ip);
    } else if (c->hello_version)
        printf("-- again, %s [%s] port %d: our own ClientHello up to %s, to read the server's "
               "hello in plaintext\n", host, c->ip, c->port, tls_version_name(c->hello_version));
    else
        printf("-- %s %s [%s] port %d\n", c->params->service->name, host, c->ip, c->port);
    fflush(stdout);
}

static void on_sent(void *arg, const struct conn *c, const char *shown)
{
    (void)arg;
    if (c->hello_suites) return;
    check_print_text("C: ", shown, strlen(shown));
    fflush(stdout);
}

static void on_received(void *arg, const struct conn *c, const struct reply *r)
{
    (void)arg;
    if (c->hello_suites) return;
    const struct dialog *d = c->params->service->dialog;
    if (d->describe) { /* a binary protocol's message, in words */
        struct text t = {0};
        d->describe(r, &t);
        check_print_text("S: ", t.p ? t.p : "", t.len);
        text_free(&t);
        fflush(stdout);
        return;
    }
    /* A line is printed once the next is in: an echoed secret may span two. */
    size_t off = 0, len;
    const char *line;
    struct buf held = {0}, next = {0};
    bool have = false;
    while ((line = reply_next_line(r, &off, &len)) != NULL) {
        buf_reset(&next);
        buf_append(&next, line, len);
        redact(&next);
        if (have) {
            redact_split(&held, &next);
            print_raw("S: ", &held);
        }
        struct buf t = held;
        held = next;
        next = t;
        have = true;
    }
    if (have) print_raw("S: ", &held);
    buf_free(&held);
    buf_free(&next);
    fflush(stdout);
}

static void print_cert(int depth, const unsigned char *der, size_t len, int64_t now)
{
    struct cert_facts f;
    printf("   %d:\n", depth);
    if (certfacts_from_der(der, len, &f) != 0) {
        printf("      (does not parse)\n");
        return;
    }
    char nb[32], na[32];
    iso8601_utc(f.not_before, nb);
    iso8601_utc(f.not_after, na);
    check_print_text("      subject: ", f.subject.p, f.subject.len);
    check_print_text("      issuer:  ", f.issuer.p, f.issuer.len);
    if (f.san.len) check_print_list("      names:   ", f.san.p, f.san.len);
    int64_t left = days_between(now, f.not_after);
    printf("      valid:   %s to %s (%lld days %s)\n      serial:  %s\n      key:     %s, %s\n", nb,
           na, (long long)(left >= 0 ? left : -left), left >= 0 ? "left" : "ago: EXPIRED", f.serial,
           f.key, f.sig_alg);
    cert_facts_free(&f);
}

static void on_tls(void *arg, const struct conn *c, const unsigned char *const *certs,
                   const size_t *lens, int n)
{
    (void)arg;
    const struct probe_result *r = &c->result;
    if (c->hello)
        printf("-- the server's hello (read in plaintext, no handshake completed): %s, %s%s%s\n",
               r->tls_version, r->cipher, r->kex_group[0] ? ", key exchange " : "", r->kex_group);
    else
        printf("-- TLS: %s, %s, key exchange %s, handshake %lld ms\n", r->tls_version, r->cipher,
               r->kex_group[0] ? r->kex_group : "?", (long long)r->tls_ms);
    printf("-- certificate chain as sent (%d):\n", n);
    for (int i = 0; i < n; i++) print_cert(i, certs[i], lens[i], r->scanned_at);
    if (r->chain_valid == TRI_YES)
        printf("-- chain: valid\n");
    else
        check_print_text(r->chain_valid == TRI_NO ? "-- chain: NOT valid: " : "-- chain: ",
                         r->chain_error.p ? r->chain_error.p : "", r->chain_error.len);
    if (c->sni[0])
        printf("-- name: the certificate %s %s\n",
               r->hostname_match == TRI_YES ? "matches" : "does NOT match", c->sni);
    fflush(stdout);
}

static void on_auth_result(void *arg, const struct conn *c, bool ok, const struct reply *r)
{
    (void)arg;
    struct check_auth *a = check_auth_for(c->ip);
    if (!a) return;
    a->done = true;
    a->ok = ok;
    /* The answer (not untagged chatter): its last line, which may hold the
     * rest of a secret whose start ends the line before. */
    size_t off = 0, len = 0, prev_len = 0, n;
    const char *line, *last = NULL, *prev = NULL;
    while ((line = reply_next_line(r, &off, &n)) != NULL) {
        prev = last;
        prev_len = len;
        last = line;
        len = n;
    }
    struct buf raw = {0}, before = {0}, shown = {0};
    buf_append(&raw, last ? last : "", len);
    redact(&raw);
    if (prev) {
        buf_append(&before, prev, prev_len);
        redact(&before);
        redact_split(&before, &raw);
    }
    buf_free(&before);
    escape_text(&shown, raw.data ? raw.data : "", raw.len, 0);
    snprintf(a->reason, sizeof a->reason, "%.*s", (int)shown.len, shown.data ? shown.data : "");
    buf_free(&raw);
    buf_free(&shown);
}

static void on_auth_skipped(void *arg, const struct conn *c, const char *why)
{
    (void)arg;
    struct check_auth *a = check_auth_for(c->ip);
    if (!a) return;
    a->skipped = true;
    snprintf(a->reason, sizeof a->reason, "%s", why);
    printf("-- AUTH not sent: %s\n", why);
}

static void on_auth_failed(void *arg, const struct conn *c, const char *why)
{
    (void)arg;
    struct check_auth *a = check_auth_for(c->ip);
    if (!a) return;
    a->done = true;
    a->ok = false;
    struct buf raw = {0};
    buf_append_str(&raw, why);
    redact(&raw);
    snprintf(a->reason, sizeof a->reason, "%.*s", (int)raw.len, raw.data ? raw.data : "");
    buf_free(&raw);
    printf("-- AUTH failed: %s\n", a->reason);
}

static void on_finished(void *arg, const struct conn *c)
{
    (void)arg;
    const struct probe_result *r = &c->result;
    if (c->hello_suites) return;
    if (r->auth_mechs_plain.len)
        check_print_list("-- AUTH offered before TLS: ", r->auth_mechs_plain.p, r->auth_mechs_plain.len);
    if (r->auth_mechs.len)
        check_print_list("-- AUTH offered inside TLS: ", r->auth_mechs.p, r->auth_mechs.len);
    fflush(stdout);
}

static void on_resolved(void *arg, const char *target, const struct dns_result *dns)
{
    (void)arg;
    if (dns->status != ST_OK) return;
    if (dns->srv_owner[0]) { /* SRV: the records, or the fallback */
        if (dns->nhosts == 1 && dns->hosts[0].via == VIA_SRV_FALLBACK) {
            printf("-- %s has no SRV records at %s: the name itself is its server\n", target, dns->srv_owner);
        } else {
            printf("-- %s's SRV records at %s%s; checking each server, lowest priority first:", target,
                   dns->srv_owner, dns->mx_secure == TRI_YES ? " (authenticated: DANE applies, RFC 7673)" : "");
            for (int i = 0; i < dns->nhosts; i++)
                printf(" %s port %d (priority %d, weight %d)", dns->hosts[i].name, dns->hosts[i].port,
                       dns->hosts[i].pref, dns->hosts[i].weight);
            printf("\n");
        }
        fflush(stdout);
        return;
    }
    if (dns->implicit_mx) {
        printf("-- %s has no MX records: the host itself is its mail server (RFC 5321 5.1)\n", target);
        return;
    }
    if (dns->nhosts == 0 || dns->hosts[0].pref < 0) return;
    printf("-- %s has MX records; checking each host, lowest preference first:", target);
    for (int i = 0; i < dns->nhosts; i++) printf(" %s (%d)", dns->hosts[i].name, dns->hosts[i].pref);
    printf("\n");
    fflush(stdout);
}

const struct scan_observer check_observer = {
    .resolved = on_resolved,
    .connecting = on_connecting,
    .sent = on_sent,
    .received = on_received,
    .tls = on_tls,
    .auth_result = on_auth_result,
    .auth_skipped = on_auth_skipped,
    .auth_failed = on_auth_failed,
    .finished = on_finished,
};

/* --ciphers: a line per version, then each weak suite with why. */
void check_print_ciphers(const char *where, const struct probe_result *r)
{
    char line[1200];
    const char *p = r->ciphers.p ? r->ciphers.p : "";
    if (!*p) {
        snprintf(line, sizeof line, "-- %s: cipher suites: none found", where);
        check_print_text("", line, strlen(line));
    }
    while (*p) {
        const char *end = strstr(p, "; ");
        size_t n = end ? (size_t)(end - p) : strlen(p);
        snprintf(line, sizeof line, "-- %s: cipher suites %.*s", where, (int)n, p);
        check_print_text("", line, strlen(line));
        p += n + (end ? 2 : 0);
    }
    p = r->weak_ciphers.p ? r->weak_ciphers.p : "";
    while (*p) {
        size_t n = strcspn(p, " ");
        char name[128], why[128];
        snprintf(name, sizeof name, "%.*s", (int)n, p);
        suite_name_weakness(name, why, sizeof why);
        snprintf(line, sizeof line, "-- %s: weak: %s (%s)", where, name, why);
        check_print_text("", line, strlen(line));
        p += n + (p[n] == ' ');
    }
}
