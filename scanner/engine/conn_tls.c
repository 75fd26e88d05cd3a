/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The TLS phase of a connection: wolfSSL's full handshake, or our own
 * ClientHello and the server's plaintext answer (the legacy fallback).
 * Below conn.c, above conn_io.c (conn_internal.h): the end, and the
 * plaintext for the dialog, go up through c->ends. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/engine/conn_internal.h"
#include "scanner/tls/certfacts.h"

/* Finishes with a message made here (c->ends->finish takes it whole). */
static void finish(struct conn *c, enum scan_status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void finish(struct conn *c, enum scan_status st, const char *fmt, ...)
{
    char why[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    c->ends->finish(c, st, why);
}

/* DANE matches the chain once its TLSA records are in: a copy, as sent. */
static void keep_chain(struct conn *c, const unsigned char *const *certs, const size_t *lens, int n)
{
    if (!c->params->keep_chain) return;
    struct buf *b = &c->result.chain;
    buf_reset(b);
    for (int i = 0; i < n; i++) {
        unsigned char len[4] = {(unsigned char)(lens[i] >> 24), (unsigned char)(lens[i] >> 16),
                                (unsigned char)(lens[i] >> 8), (unsigned char)lens[i]};
        if (buf_append(b, len, 4) != 0 || buf_append(b, certs[i], lens[i]) != 0) {
            buf_free(b); /* no chain: DANE says it could not match */
            return;
        }
    }
}

static void tls_ready(struct conn *c)
{
    c->result.tls_ms = (int64_t)((uv_hrtime() - c->tls_ns) / 1000000);
    tls_link_facts(&c->tls, &c->result, c->sni[0] ? c->sni : NULL);
    int suite = wolfSSL_get_current_cipher_suite(c->tls.ssl);
    if (strcmp(c->result.tls_version, "TLSv1.2") == 0 && !tls_client_offers(suite)) {
        /* CVE-2024-5814: Debian's wolfSSL 5.5.4 would carry on. */
        finish(c, ST_TLS_FAILED,
                    "the server chose cipher suite 0x%04X, which we did not offer", suite & 0xFFFF);
        return;
    }
    c->sess.tls_ready = true;
    c->verdict = ST_OK;
    if (c->params->observer || c->params->keep_chain) {
        const unsigned char *certs[TLS_CHAIN_MAX];
        size_t lens[TLS_CHAIN_MAX];
        int n = tls_link_chain(&c->tls, certs, lens, TLS_CHAIN_MAX);
        keep_chain(c, certs, lens, n);
        CONN_TELL(c, tls, certs, lens, n);
    }
    const struct service *sv = c->params->service;
    if (sv->implicit_tls)
        sv->dialog->on_start(&c->sess); /* the greeting comes inside TLS */
    else
        sv->dialog->on_tls_ready(&c->sess);
}

/* hello_only: the server's choice and certificate, read in plaintext. */
static void hello_facts(struct conn *c, const struct hello_result *h)
{
    struct probe_result *r = &c->result;
    const char *suite = tls_suite_name(h->suite);
    const char *group = tls_group_name(h->group);
    snprintf(r->tls_version, sizeof r->tls_version, "%s", tls_version_name(h->version));
    if (suite)
        snprintf(r->cipher, sizeof r->cipher, "%s", suite);
    else
        snprintf(r->cipher, sizeof r->cipher, "0x%04X", h->suite);
    if (h->dh_bits)
        snprintf(r->kex_group, sizeof r->kex_group, "DH-%d", h->dh_bits);
    else
        snprintf(r->kex_group, sizeof r->kex_group, "%s", group ? group : "");
    snprintf(r->handshake, sizeof r->handshake, "hello_only");
    r->tls_ms = (int64_t)((uv_hrtime() - c->tls_ns) / 1000000);
    const unsigned char *certs[16];
    size_t lens[16];
    for (int i = 0; i < h->ncerts; i++) {
        certs[i] = (const unsigned char *)c->hello->handshake.data + h->certs[i].off;
        lens[i] = h->certs[i].len;
    }
    tls_chain_verdict_der(c->params->tls, certs, lens, h->ncerts, r, c->sni[0] ? c->sni : NULL);
    keep_chain(c, certs, lens, h->ncerts);
    CONN_TELL(c, tls, certs, lens, h->ncerts);
}

/* Goodbye before any key is agreed: user_canceled, then close_notify. */
static void say_goodbye(struct conn *c)
{
    static const char bye[] = "\x15\x03\x01\x00\x02\x01\x5a\x15\x03\x01\x00\x02\x01\x00";
    conn_write_raw(c, bye, sizeof bye - 1);
    finish(c, ST_OK, "%s", "");
}

static void hello_input(struct conn *c, const char *data, size_t len)
{
    enum hello_status st = hello_feed(c->hello, (const uint8_t *)data, len);
    const struct hello_result *h = &c->hello->result;
    const char *asked = tls_version_name(c->hello_version);
    if (st == HELLO_NEED_MORE) return;
    if (st == HELLO_ALERT) {
        c->tls_alert = h->alert;
        const char *name = wolfSSL_alert_desc_string_long(h->alert);
        finish(c, ST_TLS_FAILED, "server sent alert %s (%d) to a ClientHello up to %s",
                    name ? name : "?", h->alert, asked);
        return;
    }
    if (st == HELLO_ERROR) {
        finish(c, ST_TLS_FAILED, "reading the server's hello: %s", h->error);
        return;
    }
    if (c->hello_suites) { /* --ciphers: the choice is all we came for */
        c->hello_answer = h->version;
        c->hello_suite = h->suite;
        say_goodbye(c);
        return;
    }
    if (!hello_offers(h->suite) || h->version > c->hello_version) {
        finish(c, ST_TLS_FAILED, "the server chose %s with suite 0x%04X, which we did not offer",
                    tls_version_name(h->version), h->suite);
        return;
    }
    c->hello_answer = h->version;
    hello_facts(c, h);
    say_goodbye(c);
}

static void hello_start(struct conn *c)
{
    uint8_t random[32];
    struct buf b = {0};
    c->hello = calloc(1, sizeof *c->hello);
    const char *sni = c->sni[0] ? c->sni : NULL;
    int built = -1;
    if (c->hello && uv_random(NULL, NULL, random, sizeof random, 0, NULL) == 0)
        built = c->hello_suites ? hello_build_offer(&b, c->hello_version, random, sni, c->hello_suites, c->hello_nsuites)
                                : hello_build(&b, c->hello_version, random, sni);
    if (built != 0) {
        buf_free(&b);
        finish(c, ST_TLS_FAILED, "cannot build a ClientHello");
        return;
    }
    hello_reader_init(c->hello);
    c->hello->stop_at_server_hello = c->hello_suites != NULL;
    c->tls_started = true;
    c->tls_ns = uv_hrtime();
    conn_expect(c, "TLS handshake", c->params->handshake_ms);
    conn_write_raw(c, b.data, b.len);
    buf_free(&b);
}

void conn_tls_input(struct conn *c, const char *data, size_t len)
{
    if (c->hello) {
        hello_input(c, data, len);
        return;
    }
    if (tls_link_input(&c->tls, data, len) != 0) {
        finish(c, ST_TLS_FAILED, "out of memory");
        return;
    }
    if (!c->sess.tls_ready) {
        char err[256];
        enum tls_step step = tls_link_handshake(&c->tls, true, err, sizeof err);
        if (step == TLS_WANT_MORE) return;
        if (step == TLS_ERROR) {
            c->tls_alert = c->tls.alert;
            c->tls_error = c->tls.error;
            finish(c, ST_TLS_FAILED, "%s", err);
            return;
        }
        tls_ready(c);
        if (c->finished) return;
    }
    char plain[16384];
    int n;
    while (!c->finished && (n = tls_link_read(&c->tls, plain, sizeof plain)) > 0)
        c->ends->plaintext(c, plain, (size_t)n);
    if (!c->finished && n < 0) c->ends->peer_closed(c);
}

/* --max-tls: a TLS phase holds ~90 KiB (the WOLFSSL object, the peer's
 * chain); the gate bounds what a large -c costs when thousands reach
 * STARTTLS together. Those past the bound wait in order; the server has
 * nothing to say until our ClientHello, so only the overall deadline runs. */
static void begin_tls(struct conn *c);

void conn_tls_release(struct conn *c)
{
    if (c->tls_gated) c->params->tls_done(c->params->gate_arg, c);
    c->tls_gated = false;
}

void conn_start_tls(struct conn *c)
{
    if (c->finished) return;
    c->tls_started = true; /* what the server sends now is not a reply */
    c->tls_gated = true;
    if (!c->params->tls_admit(c->params->gate_arg, c)) {
        c->tls_waiting = true;
        conn_expect(c, "waiting for a TLS slot (--max-tls)", c->params->timeout_ms);
        return;
    }
    begin_tls(c);
}

void conn_tls_admitted(struct conn *c)
{
    c->tls_waiting = false;
    begin_tls(c);
}

static void begin_tls(struct conn *c)
{
    if (c->finished) return;
    if (c->hello_version) {
        hello_start(c);
        return;
    }
    if (tls_link_start(&c->tls, c->params->tls, c->sni[0] ? c->sni : NULL, conn_write_raw, c) != 0) {
        finish(c, ST_TLS_FAILED, "cannot create a TLS session");
        return;
    }
    c->tls_ns = uv_hrtime();
    conn_expect(c, "TLS handshake", c->params->handshake_ms);
    char err[256];
    if (tls_link_handshake(&c->tls, true, err, sizeof err) == TLS_ERROR)
        finish(c, ST_TLS_FAILED, "%s", err);
}

void conn_tls_ended_by_peer(struct conn *c, bool eof, char *why, size_t len)
{
    const char *what = eof ? "closed" : "reset";
    char err[256];
    if (c->hello) {
        c->hello_closed = c->hello->result.version == 0 && c->hello->result.alert == 0;
        snprintf(why, len, "connection %s by the server after a ClientHello up to %s", what,
                 tls_version_name(c->hello_version));
        return;
    }
    c->tls.peer_closed = true;
    if (tls_link_handshake(&c->tls, true, err, sizeof err) == TLS_ERROR && eof)
        snprintf(why, len, "%s", err);
    else
        snprintf(why, len, "connection %s by the server during the TLS handshake", what);
}
