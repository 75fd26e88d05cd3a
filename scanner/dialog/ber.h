/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The little of BER (X.690) that LDAP's answers need (RFC 4511 5.1: definite
 * lengths only), read in bounds: an element's tag and contents, an integer.
 * Nothing is allocated; every length is checked against what is there. */
#ifndef STS_BER_H
#define STS_BER_H

#include <stddef.h>
#include <stdint.h>

struct ber {
    const unsigned char *p;
    size_t len;
};

/* The header at p: its size in bytes, with the contents' length in *n;
 * 0 when more bytes are needed; -1 when malformed (*why: an indefinite
 * length, a length of more than 4 bytes, a multi-byte tag). */
long ber_header(const unsigned char *p, size_t len, size_t *n, const char **why);
/* Takes the next element off *in: its tag (one byte) and contents. 0, or
 * -1 when *in is empty or the element does not fit in it. */
int ber_next(struct ber *in, unsigned *tag, struct ber *contents);
/* An INTEGER or ENUMERATED of up to 4 bytes: 0, or -1. */
int ber_int(const struct ber *contents, int64_t *v);

/* Writes an element with a short-form length (contents under 128 bytes)
 * at out: its size, or 0 when it does not fit in cap. */
size_t ber_put(unsigned char *out, size_t cap, unsigned tag, const void *contents, size_t n);

#endif
