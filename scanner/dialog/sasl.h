/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SASL for check's AUTH test: base64, the PLAIN payload (RFC 4616), and
 * whether a mechanism was offered. One copy for every dialog. */
#ifndef STS_SASL_H
#define STS_SASL_H

#include <stdbool.h>
#include <stddef.h>

#include "scanner/base/buf.h"

/* RFC 4616 bounds each of the PLAIN message's parts to 255 octets. */
#define SASL_PART_MAX 255

/* Base64 of len bytes into out (NUL-terminated); 0 or -1. */
int sasl_base64(const char *in, size_t len, char *out, size_t cap);
/* Base64 of "\0user\0password"; 0 or -1. */
int sasl_plain(const char *user, const char *password, char *out, size_t cap);
/* Is this base64 as RFC 4648 writes it: its alphabet, '=' only at the end,
 * whole quads? ("" is not.) */
bool sasl_base64_shaped(const char *p, size_t n);
/* Decodes base64 ("" is empty) into out: 0, or -1 when it is not base64. */
int sasl_unbase64(const char *in, size_t len, struct buf *out);
/* Is mech one of the space-separated mechanisms (upper case, as recorded)? */
bool sasl_offered(const struct text *mechs, const char *mech);
/* NULL when a user name or password may be sent, or why not: too long,
 * or a byte (NUL, CR, LF) that would end the line or the string early. */
const char *sasl_credential_problem(const char *s);

#endif
