/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The client side of check's SASL mechanisms (issue 26), independent of
 * the protocol that carries them: PLAIN (RFC 4616), LOGIN, CRAM-MD5
 * (RFC 2195), SCRAM-SHA-1 and SCRAM-SHA-256 (RFC 5802, RFC 7677: the
 * server's signature is verified, so a server that does not know the
 * password is caught), XOAUTH2 and OAUTHBEARER (RFC 7628). The messages
 * are raw bytes; the dialogs base64 them as their protocol asks
 * (scanner/dialog/saslflow.c). Each response comes with what a transcript
 * may show of it: nothing that would let a reader log in or guess the
 * password offline. */
#ifndef STS_SASLMECH_H
#define STS_SASLMECH_H

#include <stdbool.h>
#include <stddef.h>

#include "scanner/base/buf.h"

/* X(id, name, strength for auto (0: never chosen), takes a token, not a password) */
#define SASL_MECHS(X)                                                                              \
    X(MECH_PLAIN, "PLAIN", 2, false)                                                               \
    X(MECH_LOGIN, "LOGIN", 1, false)                                                               \
    X(MECH_CRAM_MD5, "CRAM-MD5", 3, false)                                                         \
    X(MECH_SCRAM_SHA_1, "SCRAM-SHA-1", 4, false)                                                   \
    X(MECH_SCRAM_SHA_256, "SCRAM-SHA-256", 5, false)                                               \
    X(MECH_XOAUTH2, "XOAUTH2", 1, true)                                                            \
    X(MECH_OAUTHBEARER, "OAUTHBEARER", 2, true)

#define SASL_MECH_ENUM(id, name, strength, token) id,
enum sasl_mech { SASL_MECHS(SASL_MECH_ENUM) MECH_COUNT };
#undef SASL_MECH_ENUM
#define SASL_MECH_NAMES "PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-1, SCRAM-SHA-256, XOAUTH2, OAUTHBEARER"

/* The mechanism of that name (any case), or -1. */
int sasl_mech_find(const char *name);
const char *sasl_mech_name(enum sasl_mech m);
bool sasl_mech_takes_token(enum sasl_mech m);
/* auto: the strongest mechanism among offered (space-separated) that the
 * credential fits (a token: OAUTHBEARER, XOAUTH2; a password: SCRAM-SHA-256,
 * SCRAM-SHA-1, CRAM-MD5, PLAIN, LOGIN), or -1. */
int sasl_mech_auto(const char *offered, size_t len, bool token);

struct sasl_client {
    enum sasl_mech mech;
    const char *user, *secret; /* the password, or the token */
    int step;                  /* challenges answered */
    char nonce[40];            /* SCRAM: the client's, base64 */
    struct buf first_bare;     /* SCRAM: client-first-message-bare */
    unsigned char server_sig[64];
    size_t sig_len;            /* SCRAM: the ServerSignature expected; 0 before */
    bool verified;             /* SCRAM: the server proved it knows the password */
};

/* 0, or -1 with why (no random bytes). */
int sasl_client_init(struct sasl_client *c, enum sasl_mech m, const char *user, const char *secret, char *why,
                     size_t wlen);
void sasl_client_free(struct sasl_client *c);
/* The initial response (raw) into out and what to show of it: 1 when the
 * mechanism sends one, 0 when it waits for the server's challenge first
 * (LOGIN, CRAM-MD5). */
int sasl_client_initial(struct sasl_client *c, struct buf *out, struct buf *shown);
/* A challenge (decoded) → the response (raw) and what to show: 0, or -1
 * with why (a malformed challenge, a nonce the server did not extend, a
 * wrong server signature, an error the server sent). */
int sasl_client_step(struct sasl_client *c, const char *in, size_t len, struct buf *out, struct buf *shown,
                     char *why, size_t wlen);
/* The server said success, with additional data (decoded; len 0: none):
 * 0 when the mechanism is satisfied (SCRAM: the server's signature was
 * verified here or in a last challenge), -1 with why. */
int sasl_client_success(struct sasl_client *c, const char *in, size_t len, char *why, size_t wlen);

#endif
