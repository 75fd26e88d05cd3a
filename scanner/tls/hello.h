/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A ClientHello of our own and a reader for the server's plaintext answer
 * (ServerHello, Certificate, ServerKeyExchange of SSLv3 to TLS 1.2).
 *
 * For servers Debian's wolfSSL cannot talk to (TLS 1.0/1.1 only, static RSA
 * only, SSLv3): their choice and certificate are readable before any key is
 * agreed. Everything here reads hostile input: every length is checked. */
#ifndef STS_HELLO_H
#define STS_HELLO_H

#include <stddef.h>
#include <stdint.h>

#include "scanner/base/buf.h"
#include "scanner/tls/names.h"


/* Appends one handshake record holding a ClientHello that offers versions
 * up to max_version (SSLv3..TLS 1.2) and a broad suite list (static RSA,
 * CBC, 3DES included). random: 32 bytes. sni may be NULL or "". Hellos of
 * 256 to 511 octets are padded to 512 (RFC 7685). */
int hello_build(struct buf *out, uint16_t max_version, const uint8_t random[32], const char *sni);

/* --ciphers: a ClientHello offering exactly these suites, for one version
 * (SSLv3 to TLS 1.3; TLS 1.3 alone, with supported_versions and an x25519
 * key share). Read its answer with stop_at_server_hello. */
int hello_build_offer(struct buf *out, uint16_t version, const uint8_t random[32], const char *sni,
                      const uint16_t *suites, size_t n);

/* Does our ClientHello (any version) offer this suite? */
int hello_offers(uint16_t suite);

enum hello_status { HELLO_NEED_MORE, HELLO_DONE, HELLO_ALERT, HELLO_ERROR };

struct hello_result {
    uint16_t version; /* the server's choice (TLS 1.3: from supported_versions) */
    uint16_t suite;
    int retry_request; /* a TLS 1.3 HelloRetryRequest: its suite is the server's choice too */
    uint16_t group; /* named curve of an ECDHE ServerKeyExchange, 0 if none */
    int dh_bits;    /* the prime's size in a DHE ServerKeyExchange, 0 if none */
    int alert_level, alert; /* with HELLO_ALERT */
    int ncerts;
    struct {
        size_t off, len; /* into the reader's handshake buffer */
    } certs[16];
    const char *error; /* with HELLO_ERROR */
};

struct hello_reader {
    struct buf record;    /* bytes of a record not complete yet */
    struct buf handshake; /* the handshake stream, records unwrapped */
    size_t parsed;        /* handshake bytes already read as messages */
    int seen_server_hello, seen_certificate;
    int stop_at_server_hello; /* set after init: DONE once the ServerHello is read */
    struct hello_result result;
};

void hello_reader_init(struct hello_reader *r);
void hello_reader_free(struct hello_reader *r);
/* Feeds bytes from the server. DONE once ServerHello and Certificate (or
 * ServerHelloDone) are in; certs point into r->handshake. */
enum hello_status hello_feed(struct hello_reader *r, const uint8_t *data, size_t len);


#endif
