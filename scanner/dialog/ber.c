/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/dialog/ber.h"

#include <string.h>

long ber_header(const unsigned char *p, size_t len, size_t *n, const char **why)
{
    if (len < 2) return 0;
    if ((p[0] & 0x1f) == 0x1f) {
        *why = "a multi-byte BER tag";
        return -1;
    }
    if (p[1] < 0x80) {
        *n = p[1];
        return 2;
    }
    size_t bytes = p[1] & 0x7f;
    if (bytes == 0) {
        *why = "an indefinite BER length (RFC 4511 5.1 allows none)";
        return -1;
    }
    if (bytes > 4) {
        *why = "a BER length of more than 4 bytes";
        return -1;
    }
    if (len < 2 + bytes) return 0;
    size_t v = 0;
    for (size_t i = 0; i < bytes; i++) v = v << 8 | p[2 + i];
    *n = v;
    return (long)(2 + bytes);
}

int ber_next(struct ber *in, unsigned *tag, struct ber *contents)
{
    size_t n = 0;
    const char *why = NULL;
    long h = ber_header(in->p, in->len, &n, &why);
    if (h <= 0 || n > in->len - (size_t)h) return -1;
    *tag = in->p[0];
    contents->p = in->p + h;
    contents->len = n;
    in->p += (size_t)h + n;
    in->len -= (size_t)h + n;
    return 0;
}

int ber_int(const struct ber *contents, int64_t *v)
{
    if (contents->len == 0 || contents->len > 4) return -1;
    /* Two's complement: the first byte's sign fills the bits above. */
    uint64_t x = (contents->p[0] & 0x80) ? UINT64_MAX : 0;
    for (size_t i = 0; i < contents->len; i++) x = x << 8 | contents->p[i];
    *v = (int64_t)x;
    return 0;
}

size_t ber_put(unsigned char *out, size_t cap, unsigned tag, const void *contents, size_t n)
{
    if (n >= 128 || n + 2 > cap) return 0;
    out[0] = (unsigned char)tag;
    out[1] = (unsigned char)n;
    if (n) memcpy(out + 2, contents, n);
    return n + 2;
}
