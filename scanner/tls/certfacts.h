/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Certificate facts for the CSV, read from a DER certificate. */
#ifndef STS_CERTFACTS_H
#define STS_CERTFACTS_H

#include <stddef.h>
#include <stdint.h>

#include "scanner/result/row.h"

/* Fills *out from a DER certificate, and *match with whether it names host
 * (when host and match are given), parsing it once. 0, or -1 when it does
 * not parse. */
int certfacts_read(const unsigned char *der, size_t len, struct cert_facts *out, const char *host,
                   enum tri *match);
/* The same, without the name. */
int certfacts_from_der(const unsigned char *der, size_t len, struct cert_facts *out);

/* Does the certificate name the host? DNS subjectAltNames, or the subject
 * CN only when there is no DNS SAN; RFC 6125 wildcards. TRI_UNKNOWN when
 * the certificate does not parse. */
enum tri certfacts_name_matches(const unsigned char *der, size_t len, const char *host);

/* The hex SHA-256 of a certificate's subjectPublicKeyInfo (what a "3 1 1"
 * TLSA record holds), or "" when the certificate does not parse. */
void cert_spki_sha256(const unsigned char *der, size_t len, char out[65]);

/* Past this many octets Debian's wolfSSL does not parse a serial number
 * (EXTERNAL_SERIAL_SIZE); certfacts_read still reads such certificates. */
#define WOLFSSL_SERIAL_MAX 32

/* Pure helpers, tested on their own. */
/* UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ) → Unix time. 0 or -1. */
int asn1_time_parse(const char *s, size_t len, int64_t *out);
/* One certificate name pattern against a host name, case-insensitively. */
int hostname_pattern_matches(const char *pattern, size_t plen, const char *host);

#endif
