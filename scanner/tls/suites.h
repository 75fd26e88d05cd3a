/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Cipher suites by IANA name, the lists --ciphers offers, and the rule
 * that calls a suite weak (docs/ciphers.md). One table. */
#ifndef STS_SUITES_H
#define STS_SUITES_H

#include <stddef.h>
#include <stdint.h>

/* The suites --ciphers offers for TLS 1.3, and for SSLv3 to TLS 1.2 (all
 * the table holds but the SCSV: weak and anonymous ones included, since a
 * hello-only enumeration never completes a handshake), strongest first. */
#define SUITES_MAX 160
/* Copies the list (tls13: the TLS 1.3 one) into out; how many. */
size_t suites_offered(int tls13, uint16_t *out, size_t cap);

/* Why a suite is weak, by the rule of docs/ciphers.md: a ','-separated
 * list of NULL, anonymous, EXPORT, RC4, DES, 3DES, 64-bit-block,
 * no-forward-secrecy, CBC-SHA1, MD5; "" when it is not weak. An unknown
 * suite is not judged (""). */
void suite_weakness(uint16_t suite, char *out, size_t len);
/* The same rule on an IANA name (a cipher column read back). */
void suite_name_weakness(const char *name, char *out, size_t len);

#endif
