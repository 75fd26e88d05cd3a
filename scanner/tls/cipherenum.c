/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/tls/cipherenum.h"

#include <string.h>

/* The next version to enumerate, with the whole list on offer. */
static bool next_version(struct cipher_enum *e)
{
    for (int b = TLS_VERSION_BITS - 1; b >= 0; b--) {
        if (!(e->todo & (1u << b))) continue;
        e->todo &= ~(1u << b);
        e->bit = b;
        e->noffer = suites_offered(b == tls_version_bit(TLS_V_TLS13), e->offer, SUITES_MAX);
        return true;
    }
    e->bit = -1;
    return false;
}

void cipher_enum_init(struct cipher_enum *e, unsigned versions)
{
    memset(e, 0, sizeof *e);
    e->todo = versions & ((1u << TLS_VERSION_BITS) - 1);
    if (!next_version(e)) e->done = true;
}

bool cipher_enum_next(struct cipher_enum *e, uint16_t *version, const uint16_t **suites, size_t *n)
{
    if (e->done) return false;
    if (e->hellos >= CIPHERENUM_MAX_HELLOS) {
        e->incomplete = true;
        e->done = true;
        return false;
    }
    e->hellos++;
    *version = tls_version_of_bit(e->bit);
    *suites = e->offer;
    *n = e->noffer;
    return true;
}

void cipher_enum_stop(struct cipher_enum *e)
{
    if (!e->done) e->incomplete = true;
    e->done = true;
}

static bool offered(const struct cipher_enum *e, uint16_t suite, size_t *at)
{
    for (size_t i = 0; i < e->noffer; i++)
        if (e->offer[i] == suite) {
            *at = i;
            return true;
        }
    return false;
}

/* This version is over: check the order when two or more were accepted,
 * else go on with the next version. */
static void version_over(struct cipher_enum *e)
{
    size_t n = e->naccepted[e->bit];
    if (!e->checking && n >= 2) {
        e->checking = true;
        for (size_t i = 0; i < n; i++) e->offer[i] = e->accepted[e->bit][n - 1 - i];
        e->noffer = n;
        return;
    }
    e->checking = false;
    if (!next_version(e)) e->done = true;
}

static void order_answer(struct cipher_enum *e, enum cipher_answer a, uint16_t version, uint16_t suite)
{
    const uint16_t *acc = e->accepted[e->bit];
    size_t n = e->naccepted[e->bit];
    enum cipher_order *o = &e->order[e->bit];
    if (a == CIPHER_CHOSE && version == tls_version_of_bit(e->bit) && suite == acc[0])
        *o = ORDER_SERVER;
    else if (a == CIPHER_CHOSE && version == tls_version_of_bit(e->bit) && suite == acc[n - 1])
        *o = ORDER_CLIENT;
    else
        *o = ORDER_UNCLEAR;
    version_over(e);
}

unsigned cipher_enum_delay_ms(const struct cipher_enum *e)
{
    return e->retries ? 1000u << (e->retries - 1) : 0;
}

/* No answer to a hello, again and again: an order check ends unclear (the
 * list is whole); a list is cut short; two versions so in a row, and the
 * server is gone. */
static void give_up_hello(struct cipher_enum *e)
{
    e->retries = 0;
    e->closes = 0;
    if (e->checking) {
        e->order[e->bit] = ORDER_UNCLEAR;
        version_over(e);
        return;
    }
    e->incomplete_versions |= 1u << e->bit;
    if (++e->failures >= 2) {
        e->incomplete = true;
        e->done = true;
        return;
    }
    e->checking = true; /* no order check after a failure */
    version_over(e);
}

void cipher_enum_answer(struct cipher_enum *e, enum cipher_answer a, uint16_t version, uint16_t suite)
{
    if (e->done || e->bit < 0) return;
    if (a == CIPHER_CLOSED && ++e->closes >= 2) a = CIPHER_REFUSED; /* closed again: the server's no */
    if (a == CIPHER_FAILED || a == CIPHER_CLOSED) {
        if (++e->retries > CIPHERENUM_RETRIES) give_up_hello(e);
        return; /* else the same hello again, after cipher_enum_delay_ms */
    }
    e->retries = 0;
    e->closes = 0;
    e->failures = 0;
    if (e->checking) {
        order_answer(e, a, version, suite);
        return;
    }
    size_t at;
    if (a != CIPHER_CHOSE || version != tls_version_of_bit(e->bit)) {
        version_over(e); /* refused, or the server answered with another version */
        return;
    }
    if (!offered(e, suite, &at)) {
        e->unoffered[e->bit] = suite;
        version_over(e);
        return;
    }
    e->accepted[e->bit][e->naccepted[e->bit]++] = suite;
    memmove(e->offer + at, e->offer + at + 1, (e->noffer - at - 1) * sizeof e->offer[0]);
    if (--e->noffer == 0) version_over(e);
}

static void suite_text(struct buf *b, uint16_t s)
{
    const char *name = tls_suite_name(s);
    if (name)
        buf_printf(b, "%s", name);
    else
        buf_printf(b, "0x%04X", s);
}

static bool listed(const uint16_t *list, size_t n, uint16_t s)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == s) return true;
    return false;
}

void cipher_enum_format(const struct cipher_enum *e, struct buf *ciphers, struct buf *weak)
{
    static const char *const order_text[] = {"", " (server order)", " (client order)", " (order unclear)"};
    uint16_t seen[TLS_VERSION_BITS * SUITES_MAX];
    size_t nseen = 0;
    for (int b = TLS_VERSION_BITS - 1; b >= 0; b--) {
        size_t n = e->naccepted[b];
        bool cut = e->incomplete_versions & (1u << b);
        if (n == 0 && !e->unoffered[b] && !cut) continue;
        buf_printf(ciphers, "%s%s:", ciphers->len ? "; " : "", tls_version_bit_name(b));
        for (size_t i = 0; i < n; i++) {
            uint16_t s = e->accepted[b][i];
            buf_printf(ciphers, " ");
            suite_text(ciphers, s);
            char why[128];
            suite_weakness(s, why, sizeof why);
            if (why[0] && !listed(seen, nseen, s)) {
                seen[nseen++] = s;
                if (weak->len) buf_printf(weak, " ");
                suite_text(weak, s);
            }
        }
        buf_printf(ciphers, "%s", order_text[e->order[b]]);
        if (e->unoffered[b]) buf_printf(ciphers, " (then chose 0x%04X, which we did not offer)", e->unoffered[b]);
        if (cut) buf_printf(ciphers, " (incomplete)");
    }
    if (e->incomplete) buf_printf(ciphers, "%s(incomplete)", ciphers->len ? "; " : "");
}
