/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by certfacts.c (the DecodedCert path) and certfacts_x509.c (the
 * X509 path). */
#ifndef STS_CERTFACTS_INTERNAL_H
#define STS_CERTFACTS_INTERNAL_H

#include <stddef.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "scanner/base/buf.h"
#include "scanner/tls/certfacts.h"

/* "CN=leaf,O=Org,C=US": RFC 4514 order (the last RDN first), escaped. */
int certfacts_format_name(WOLFSSL_X509_NAME *name, struct text *out);
/* An IP subjectAltName (4 or 16 bytes) as text. */
int certfacts_format_ip(const unsigned char *p, int n, struct buf *b);
/* RFC 6125 6.4.4: the subject's CNs, consulted only when there is no DNS SAN. */
int certfacts_cn_matches(WOLFSSL_X509_NAME *subject, const char *host);
/* The slow path's facts and name verdict. */
int certfacts_x509(const unsigned char *der, size_t len, struct cert_facts *out);
enum tri certfacts_x509_name(const unsigned char *der, size_t len, const char *host);

#endif
