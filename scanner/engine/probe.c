/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/engine/probe.h"

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "scanner/engine/admission.h"
#include "scanner/engine/conn.h"
#include "scanner/engine/dedup.h"
#include "scanner/tls/cipherenum.h"
#include "scanner/tls/hello.h"
#include "scanner/base/oom.h"

enum stage { STAGE_FULL, STAGE_FALLBACK, STAGE_VERSIONS, STAGE_CIPHERS };

struct probe {
    const struct probe_env *env;
    char *key;
    struct sockaddr_storage addr;
    int port;
    char sni[256];
    enum stage stage;
    struct probe_result result; /* what will be published */
    int attempt;                /* 1, or 2 in the retry pass */
    uint64_t first_try_ms;
    unsigned accepted;          /* version bits the server took */
    bool incomplete;            /* --versions stopped short of an answer */
    struct conn *successor;     /* the next connection, queued once the last one is closed */
    uint64_t successor_at_ms;   /* ...not before this (uv_hrtime ms; 0: at once) */
    struct cipher_enum *ciphers; /* --ciphers, once the server took TLS, by the address's first probe */
    uint64_t ciphers_until_ms;   /* ...and no new hello after this uv_hrtime() */
    struct dedup_waiter ciphers_waiter; /* the address and port's suites, enumerated once */
    char ciphers_key[120];
    /* DANE: the TLSA lookup runs beside the connections; the result is
     * published once both are in (the chain kept until then). */
    struct dedup_waiter tlsa_waiter;
    const struct probe_result *tlsa; /* the lookup's result, once in */
    bool tlsa_pending;
    bool probed;                     /* the connections' result is final */
    int refs;                        /* the connections, and the lookup while pending */
};

static void on_conn_finished(void *arg, struct conn *c);
static void on_conn_closed(void *arg, struct conn *c);

static const struct conn_owner probe_owner = {on_conn_finished, on_conn_closed};
static void publish_now(struct probe *p);
static void publish(struct probe *p);

static void release(struct probe *p)
{
    if (--p->refs > 0) return;
    free(p->ciphers);
    free(p->key);
    free(p);
}

/* The address and port's suites are known (this probe's enumeration, or
 * another's): they are this row's too. */
static void on_ciphers(struct dedup_waiter *w)
{
    struct probe *p = (struct probe *)((char *)w - offsetof(struct probe, ciphers_waiter));
    if (text_copy(&p->result.ciphers, &w->result->ciphers) != 0 ||
        text_copy(&p->result.weak_ciphers, &w->result->weak_ciphers) != 0) {
        out_of_memory();
    }
    publish(p);
    release(p);
}

static void on_tlsa(struct dedup_waiter *w)
{
    struct probe *p = (struct probe *)((char *)w - offsetof(struct probe, tlsa_waiter));
    p->tlsa = w->result;
    p->tlsa_pending = false;
    if (p->probed) publish_now(p);
    release(p);
}

static struct conn *new_conn(struct probe *p, uint16_t hello_version)
{
    struct conn *c = conn_new(p->env->conn, &probe_owner, p, (struct sockaddr *)&p->addr, p->port, p->sni);
    if (!c) {
        out_of_memory();
    }
    c->hello_version = hello_version;
    return c;
}

void probe_start(const struct probe_env *env, const char *key, const struct sockaddr *addr, int port,
                 const char *sni, bool dane, uint64_t not_before_ms)
{
    struct probe *p = calloc(1, sizeof *p);
    if (!p || !(p->key = strdup(key))) {
        out_of_memory();
    }
    p->env = env;
    memcpy(&p->addr, addr,
           addr->sa_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
    p->port = port;
    snprintf(p->sni, sizeof p->sni, "%s", sni);
    probe_result_init(&p->result);
    p->attempt = not_before_ms ? 2 : 1;
    p->refs = 1; /* the connections, one at a time */
    if (env->dane && dane && p->sni[0]) {
        p->tlsa_pending = true;
        p->refs++;
        p->tlsa_waiter.deliver = on_tlsa;
        env->tlsa(env->tlsa_arg, &p->tlsa_waiter, p->sni, port);
    }
    if (not_before_ms)
        admission_enqueue_at(env->admission, new_conn(p, 0), not_before_ms);
    else
        admission_enqueue(env->admission, new_conn(p, 0));
}

static void publish(struct probe *p)
{
    p->probed = true;
    if (!p->tlsa_pending) publish_now(p);
}

static void publish_now(struct probe *p)
{
    if (p->tlsa) probe_dane_verdict(&p->result, p->tlsa, p->sni);
    buf_free(&p->result.chain);
    p->result.attempts = p->attempt;
    /* "Try again later" (greylisting, postscreen, rate limits): the target
     * waits for the retry pass, and this endpoint gets one more attempt. */
    p->result.retry_pending = p->attempt == 1 && p->result.transient && p->env->retry;
    p->result.first_try_ms = p->first_try_ms;
    if (p->env->versions) {
        char v[48]; /* "SSLv3 TLSv1.0 TLSv1.1 TLSv1.2 TLSv1.3" fits */
        versions_format(p->accepted, v, sizeof v);
        snprintf(p->result.versions, sizeof p->result.versions, "%s%s", v,
                 p->incomplete ? (v[0] ? " (incomplete)" : "(incomplete)") : "");
    }
    p->env->publish(p->env->publish_arg, p->key, &p->result);
    probe_result_free(&p->result);
}

/* The next connection starts once this one is closed: one at a time. */
static void follow_with(struct probe *p, uint16_t hello_version)
{
    p->successor = new_conn(p, hello_version);
}

static void take_result(struct probe *p, struct conn *c)
{
    int64_t scanned_at = p->result.scanned_at;
    probe_result_free(&p->result);
    p->result = c->result;
    probe_result_init(&c->result);
    if (scanned_at) p->result.scanned_at = scanned_at; /* when the probe began */
}

/* --ciphers: the next hello, if the enumeration wants one. */
static bool next_cipher_hello(struct probe *p)
{
    uint16_t version;
    const uint16_t *suites;
    size_t n;
    if (uv_hrtime() / 1000000 > p->ciphers_until_ms) cipher_enum_stop(p->ciphers);
    if (!cipher_enum_next(p->ciphers, &version, &suites, &n)) return false;
    follow_with(p, version);
    p->successor->hello_suites = suites; /* unchanged until this hello's answer */
    p->successor->hello_nsuites = n;
    unsigned delay = cipher_enum_delay_ms(p->ciphers); /* a busy server: back off */
    p->successor_at_ms = delay ? uv_hrtime() / 1000000 + delay : 0;
    return true;
}

/* The enumeration is over: its result is published for every probe of
 * this address and port, this one included (on_ciphers). */
static void ciphers_found(struct probe *p)
{
    struct buf list = {0}, weak = {0};
    struct probe_result found;
    probe_result_init(&found);
    found.status = ST_OK;
    cipher_enum_format(p->ciphers, &list, &weak);
    if (text_set(&found.ciphers, list.data ? list.data : "", list.len) != 0 ||
        text_set(&found.weak_ciphers, weak.data ? weak.data : "", weak.len) != 0) {
        out_of_memory();
    }
    buf_free(&list);
    buf_free(&weak);
    p->env->publish(p->env->publish_arg, p->ciphers_key, &found);
    probe_result_free(&found);
}

/* The result is settled; with --ciphers, and a server that took TLS, the
 * enumeration follows (every version with --versions' answer, else all),
 * once per address and port: the first probe to get there runs it. */
static void probed(struct probe *p)
{
    if (p->env->ciphers && p->result.status == ST_OK && p->stage != STAGE_CIPHERS) {
        p->stage = STAGE_CIPHERS;
        p->refs++; /* until on_ciphers */
        p->ciphers_waiter.deliver = on_ciphers;
        snprintf(p->ciphers_key, sizeof p->ciphers_key, "CIPHERS|%.*s", (int)strcspn(p->key, "|"), p->key);
        size_t n = strlen(p->ciphers_key);
        snprintf(p->ciphers_key + n, sizeof p->ciphers_key - n, "|%d", p->port);
        if (!p->env->ciphers_claim(p->env->publish_arg, &p->ciphers_waiter, p->ciphers_key)) return;
        p->ciphers = malloc(sizeof *p->ciphers);
        if (!p->ciphers) {
            out_of_memory();
        }
        cipher_enum_init(p->ciphers, p->env->versions ? p->accepted : (1u << TLS_VERSION_BITS) - 1);
        p->ciphers_until_ms = uv_hrtime() / 1000000 + CIPHERENUM_MAX_SECONDS * 1000;
        if (!next_cipher_hello(p)) ciphers_found(p);
        return;
    }
    publish(p);
}

static void after_cipher(struct probe *p, struct conn *c)
{
    /* An alert refuses the suites offered; a close or reset right after the
     * hello is sent again once (twice is a refusal: cipherenum.h); silence or
     * a reply that is not TLS (a busy server's "421") is no answer. */
    enum cipher_answer a = CIPHER_FAILED;
    if (c->result.status == ST_OK && c->hello_answer)
        a = CIPHER_CHOSE;
    else if (c->result.status == ST_TLS_FAILED && c->tls_alert)
        a = CIPHER_REFUSED;
    else if (c->hello_closed)
        a = CIPHER_CLOSED;
    cipher_enum_answer(p->ciphers, a, c->hello_answer, c->hello_suite);
    if (!next_cipher_hello(p)) ciphers_found(p);
}

/* Versions from TLS 1.2 down that no answer has settled yet; 0 when done. */
static uint16_t next_version(uint16_t below)
{
    return below > TLS_V_SSL3 ? (uint16_t)(below - 1) : 0;
}

/* wolfSSL's handshake failed where the server's plaintext hello still
 * tells the truth: the server refused our versions or suites (alerts
 * handshake_failure, protocol_version, insufficient_security), sent a
 * certificate chain larger than Debian's wolfSSL takes (-404), or a
 * certificate wolfSSL cannot parse (ASN_PARSE_E: a serial number past its
 * 32 octets, which OpenSSL and our own reader take). */
static int fallback_helps(const struct conn *c)
{
    return c->tls_alert == 40 || c->tls_alert == 70 || c->tls_alert == 71 || c->tls_error == -404 ||
           c->tls_error == ASN_PARSE_E;
}

static void after_full(struct probe *p, struct conn *c)
{
    p->first_try_ms = c->connect_ns / 1000000;
    take_result(p, c);
    if (p->result.status == ST_OK) {
        snprintf(p->result.handshake, sizeof p->result.handshake, "full");
        /* wolfSSL offered 1.2 and 1.3: the answer settles both. */
        int v13 = strcmp(p->result.tls_version, "TLSv1.3") == 0;
        p->accepted |= 1u << tls_version_bit(v13 ? TLS_V_TLS13 : TLS_V_TLS12);
        if (p->env->versions) {
            p->stage = STAGE_VERSIONS;
            follow_with(p, v13 ? TLS_V_TLS12 : TLS_V_TLS11);
            return;
        }
    } else if (p->result.status == ST_TLS_FAILED && fallback_helps(c)) {
        p->stage = STAGE_FALLBACK;
        follow_with(p, TLS_V_TLS12);
        return;
    }
    probed(p);
}

static void after_hello(struct probe *p, struct conn *c)
{
    uint16_t asked = c->hello_version, got = c->hello_answer;
    bool answered = c->result.status == ST_OK && got && got <= asked;
    if (p->stage == STAGE_FALLBACK) {
        if (answered) {
            /* Keep why the full handshake failed: it is why the row is hello_only. */
            struct text why = {0};
            text_printf(&why, "full handshake failed: %s", p->result.error.p ? p->result.error.p : "");
            take_result(p, c);
            text_free(&p->result.error);
            p->result.error = why;
        } else {
            struct text why = {0};
            text_printf(&why, "%s; our own TLS 1.0-1.2 ClientHello: %s", p->result.error.p,
                        c->result.error.p ? c->result.error.p : "failed");
            text_free(&p->result.error);
            p->result.error = why;
        }
    }
    if (answered) p->accepted |= 1u << tls_version_bit(got);
    bool tls_refusal = c->result.status == ST_TLS_FAILED;
    if (!answered && !tls_refusal && p->stage == STAGE_VERSIONS) p->incomplete = true;
    uint16_t next = answered ? next_version(got) : 0;
    if (p->env->versions && next) {
        p->stage = STAGE_VERSIONS;
        follow_with(p, next);
        return;
    }
    probed(p);
}

static void on_conn_finished(void *arg, struct conn *c)
{
    struct probe *p = arg;
    if (p->stage == STAGE_FULL)
        after_full(p, c);
    else if (p->stage == STAGE_CIPHERS)
        after_cipher(p, c);
    else
        after_hello(p, c);
}

static void on_conn_closed(void *arg, struct conn *c)
{
    struct probe *p = arg;
    admission_closed(p->env->admission, c);
    struct conn *next = p->successor;
    uint64_t at = p->successor_at_ms;
    p->successor = NULL;
    p->successor_at_ms = 0;
    if (next && at) {
        admission_enqueue_at(p->env->admission, next, at);
        return;
    }
    if (next) {
        admission_enqueue(p->env->admission, next); /* once this one's slot is counted free */
        return;
    }
    release(p);
}
