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

/* The weaknesses as bits, in the order the words above are listed; the
 * NCSC-NL class of each is the grade's (output/report/grade.c). */
#define SUITE_WEAKNESSES(X)                                                                        \
    X(WEAK_NULL, "NULL")                                                                           \
    X(WEAK_ANON, "anonymous")                                                                      \
    X(WEAK_EXPORT, "EXPORT")                                                                       \
    X(WEAK_RC4, "RC4")                                                                             \
    X(WEAK_3DES, "3DES")                                                                           \
    X(WEAK_DES, "DES")                                                                             \
    X(WEAK_64BIT, "64-bit-block")                                                                  \
    X(WEAK_NO_FS, "no-forward-secrecy")                                                            \
    X(WEAK_CBC_SHA1, "CBC-SHA1")                                                                   \
    X(WEAK_MD5, "MD5")
#define SUITE_WEAKNESS_BIT(id, word) id##_INDEX,
enum { SUITE_WEAKNESSES(SUITE_WEAKNESS_BIT) WEAK_COUNT };
#undef SUITE_WEAKNESS_BIT
#define SUITE_WEAKNESS_MASK(id, word) id = 1u << id##_INDEX,
enum suite_weakness { SUITE_WEAKNESSES(SUITE_WEAKNESS_MASK) };
#undef SUITE_WEAKNESS_MASK
/* The weaknesses of a suite by IANA name, as bits (0: not weak, or unknown). */
unsigned suite_name_weakness_bits(const char *name);

#endif
