/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The names of TLS things, as the rows write them: protocol versions (and
 * a bit for each, for version sets), cipher suites by IANA name, key
 * exchange groups. One table each. */
#ifndef STS_NAMES_H
#define STS_NAMES_H

#include <stddef.h>
#include <stdint.h>

#define TLS_V_SSL3 0x0300
#define TLS_V_TLS10 0x0301
#define TLS_V_TLS11 0x0302
#define TLS_V_TLS12 0x0303
#define TLS_V_TLS13 0x0304

/* "TLSv1.2", "SSLv3", ...; NULL if unknown. */
const char *tls_version_name(uint16_t version);
/* Versions as bits, SSLv3 (bit 0) to TLS 1.3 (bit 4). */
#define TLS_VERSION_BITS 5
int tls_version_bit(uint16_t version);
/* The version of a bit (0 when it is none). */
uint16_t tls_version_of_bit(int bit);
/* "TLSv1.2" for its bit, and back (-1 when the name is none of them). */
const char *tls_version_bit_name(int bit);
int tls_version_bit_of_name(const char *name);
/* "TLSv1.0 TLSv1.2" for a set of bits. */
void versions_format(unsigned accepted, char *out, size_t len);

/* The IANA name of a suite ("TLS_RSA_WITH_AES_128_CBC_SHA"), NULL if unknown. */
const char *tls_suite_name(uint16_t suite);
/* "x25519", "secp256r1", "ffdhe2048", ...; NULL if unknown. */
const char *tls_group_name(uint16_t group);

/* The OpenSSL name of a certificate's signature algorithm, by wolfSSL's OID
 * sum (CTC_*): ecdsa-with-SHA256, rsassaPss, ED25519, ...; NULL when it is
 * not in the table. */
const char *cert_sig_alg_name(int oid);

#endif
