/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the certificate's own DER says where wolfSSL's parser loses it:
 * the serial number with its sign (wolfSSL drops a leading zero, so a
 * negative serial reads like a positive one) and serials longer than the
 * 32 octets Debian's wolfSSL takes (RFC 5280 allows 20; OpenSSL takes any).
 * Every length is checked: these read hostile input. */
#ifndef STS_CERTDER_H
#define STS_CERTDER_H

#include <stddef.h>
#include <stdint.h>

#include "scanner/base/buf.h"

/* The serialNumber INTEGER's content in der (two's complement, as
 * encoded): 0, or -1 when the certificate does not start as one should. */
int der_serial(const unsigned char *der, size_t len, const unsigned char **serial, size_t *n);
/* The subjectPublicKeyInfo element in der, header included (what a TLSA
 * record with selector 1 hashes): 0, or -1. */
int der_spki(const unsigned char *der, size_t len, const unsigned char **spki, size_t *n);
/* As OpenSSL prints it (x509 -serial): upper-case hex of the magnitude,
 * with a '-' when negative, "00" for zero. Longer than cap: cut. */
void serial_text(const unsigned char *serial, size_t n, char *out, size_t cap);
/* A copy of der whose serial is the single octet 0x01, every enclosing
 * length rewritten: so that a parser with a serial limit reads the rest.
 * The copy's signature no longer holds. 0, or -1. */
int der_with_short_serial(const unsigned char *der, size_t len, struct buf *out);

#endif
