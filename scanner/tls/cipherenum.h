/* SPDX-License-Identifier: GPL-2.0-or-later */
/* --ciphers: which suites a server accepts, version by version, found by
 * offering a list, removing what the server picked and offering the rest
 * again, so connections grow with the accepted suites, not with all of
 * them. Then, when two or more were accepted, one more hello offers them
 * in reverse: a server that picks its first choice again orders by its own
 * preference, one that picks our first follows ours.
 *
 * Pure: the probe makes the connections (one at a time) and reports each
 * answer; this says what to offer next. */
#ifndef STS_CIPHERENUM_H
#define STS_CIPHERENUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scanner/base/buf.h"
#include "scanner/tls/names.h"
#include "scanner/tls/suites.h"

/* At most this many hellos for one server, and this long from the first
 * (the answer then says "(incomplete)"). */
#define CIPHERENUM_MAX_HELLOS 128
#define CIPHERENUM_MAX_SECONDS 300
/* A hello without an answer (a reset, a close, a plaintext "421 too many
 * connections" where a ServerHello belongs) is no refusal: it is sent again
 * up to this many times, after 1, 2, 4 s; then its version is marked
 * "(incomplete)". A hello met by a close or reset twice is refused. */
#define CIPHERENUM_RETRIES 3

enum cipher_order { ORDER_UNKNOWN = 0, ORDER_SERVER, ORDER_CLIENT, ORDER_UNCLEAR };

enum cipher_answer {
    CIPHER_CHOSE,   /* a ServerHello (or HelloRetryRequest): version and suite */
    CIPHER_REFUSED, /* a TLS alert: nothing more in this version */
    CIPHER_FAILED,  /* no answer (timeout, not TLS, the dialog failed): the hello is sent
                     * again (CIPHERENUM_RETRIES); then the version is incomplete, and
                     * two such versions in a row end the enumeration */
    CIPHER_CLOSED,  /* a close or reset right after the hello, nothing else: sent again
                     * once; closed again, it is the server's refusal (an OpenSSL server
                     * that cannot use the suite it picked closes without an alert) */
};

struct cipher_enum {
    unsigned todo;      /* version bits not tried yet */
    int bit;            /* the version being enumerated, -1: none */
    bool checking;      /* the last hello was the order check */
    uint16_t offer[SUITES_MAX];
    size_t noffer;
    uint16_t accepted[TLS_VERSION_BITS][SUITES_MAX];
    size_t naccepted[TLS_VERSION_BITS];
    enum cipher_order order[TLS_VERSION_BITS];
    uint16_t unoffered[TLS_VERSION_BITS]; /* a suite the server picked that we did not offer */
    int hellos;
    int retries;  /* times the current hello went unanswered */
    int closes;   /* ...of them, met by a close or reset */
    int failures; /* versions in a row given up without an answer */
    unsigned incomplete_versions; /* version bits cut short */
    bool incomplete; /* the whole enumeration cut short (bounds, or the server gone) */
    bool done;
};

/* versions: the bits to try (names.h), highest first. */
void cipher_enum_init(struct cipher_enum *e, unsigned versions);
/* The next hello to send: false when the enumeration is over. */
bool cipher_enum_next(struct cipher_enum *e, uint16_t *version, const uint16_t **suites, size_t *n);
/* How long to wait before the hello cipher_enum_next gives next: 0, or
 * the back-off when it is a retry. */
unsigned cipher_enum_delay_ms(const struct cipher_enum *e);
/* Stops here (out of time): the answer says "(incomplete)". */
void cipher_enum_stop(struct cipher_enum *e);
/* The answer to the hello cipher_enum_next last gave. */
void cipher_enum_answer(struct cipher_enum *e, enum cipher_answer a, uint16_t version, uint16_t suite);

/* The columns: ciphers ("TLSv1.3: A B (server order); TLSv1.2: C", unknown
 * suites as 0xNNNN, "(incomplete)" after a version cut short and last when
 * the whole enumeration was) and weak_ciphers
 * (the weak ones of every version, once each, space-separated). */
void cipher_enum_format(const struct cipher_enum *e, struct buf *ciphers, struct buf *weak);

#endif
