/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/tls/certder.h"

#include <stdio.h>
#include <string.h>

/* One DER header at *pos: its tag, and the content's offset and length. */
static int header(const unsigned char *d, size_t len, size_t *pos, int *tag, size_t *start,
                  size_t *clen)
{
    size_t p = *pos;
    if (p + 2 > len) return -1;
    *tag = d[p++];
    size_t l = d[p++];
    if (l & 0x80) {
        size_t bytes = l & 0x7F;
        if (bytes == 0 || bytes > 4 || p + bytes > len) return -1;
        l = 0;
        for (size_t i = 0; i < bytes; i++) l = (l << 8) | d[p++];
    }
    if (l > len - p) return -1;
    *start = p;
    *clen = l;
    *pos = p;
    return 0;
}

/* Where the certificate ends, the TBS lies, and the serial INTEGER's
 * header begins and its content lies. */
static int locate(const unsigned char *d, size_t len, size_t *cert_end, size_t *tbs_start,
                  size_t *tbs_len, size_t *ser_hdr, size_t *ser_start, size_t *ser_len)
{
    size_t pos = 0, s, l;
    int tag;
    if (header(d, len, &pos, &tag, &s, &l) != 0 || tag != 0x30) return -1;
    *cert_end = s + l;
    /* The TBS within the certificate's own length, never past it. */
    if (header(d, *cert_end, &pos, &tag, tbs_start, tbs_len) != 0 || tag != 0x30) return -1;
    size_t end = *tbs_start + *tbs_len;
    size_t at = pos;
    if (header(d, end, &pos, &tag, &s, &l) != 0) return -1;
    if (tag == 0xA0) { /* [0] EXPLICIT version */
        pos = s + l;
        at = pos;
        if (header(d, end, &pos, &tag, &s, &l) != 0) return -1;
    }
    if (tag != 0x02 || l == 0) return -1;
    *ser_hdr = at;
    *ser_start = s;
    *ser_len = l;
    return 0;
}

int der_serial(const unsigned char *der, size_t len, const unsigned char **serial, size_t *n)
{
    size_t end, ts, tl, sh, ss, sl;
    if (locate(der, len, &end, &ts, &tl, &sh, &ss, &sl) != 0) return -1;
    *serial = der + ss;
    *n = sl;
    return 0;
}

int der_spki(const unsigned char *der, size_t len, const unsigned char **spki, size_t *n)
{
    size_t end, ts, tl, sh, ss, sl;
    if (locate(der, len, &end, &ts, &tl, &sh, &ss, &sl) != 0) return -1;
    size_t tbs_end = ts + tl, pos = ss + sl, s, l;
    int tag;
    /* signature, issuer, validity, subject: four SEQUENCEs to step over */
    for (int i = 0; i < 4; i++) {
        if (header(der, tbs_end, &pos, &tag, &s, &l) != 0 || tag != 0x30) return -1;
        pos = s + l;
    }
    size_t at = pos;
    if (header(der, tbs_end, &pos, &tag, &s, &l) != 0 || tag != 0x30) return -1;
    *spki = der + at;
    *n = s + l - at;
    return 0;
}

void serial_text(const unsigned char *serial, size_t n, char *out, size_t cap)
{
    unsigned char mag[64];
    int negative = n > 0 && (serial[0] & 0x80);
    size_t m = n < sizeof mag ? n : sizeof mag;
    memcpy(mag, serial, m);
    if (negative) { /* two's complement: invert and add one */
        int carry = 1;
        for (size_t i = m; i-- > 0;) {
            unsigned v = (unsigned)(unsigned char)~mag[i] + (unsigned)carry;
            mag[i] = (unsigned char)v;
            carry = v > 0xFF;
        }
    }
    size_t i = 0;
    while (i + 1 < m && mag[i] == 0) i++;
    size_t o = 0;
    if (negative && cap > 1) out[o++] = '-';
    for (; i < m && o + 3 <= cap; i++) o += (size_t)snprintf(out + o, cap - o, "%02X", mag[i]);
    out[o < cap ? o : cap - 1] = '\0';
}

/* Appends a DER length. */
static int put_len(struct buf *b, size_t l)
{
    unsigned char h[5];
    size_t n = 0;
    if (l < 0x80) {
        h[n++] = (unsigned char)l;
    } else {
        unsigned char tmp[sizeof(size_t)];
        size_t k = 0;
        for (size_t v = l; v; v >>= 8) tmp[k++] = (unsigned char)v;
        if (k > 4) return -1; /* never from a length header() read: at most four octets */
        h[n++] = (unsigned char)(0x80 | k);
        while (k) h[n++] = tmp[--k];
    }
    return buf_append(b, h, n);
}

int der_with_short_serial(const unsigned char *d, size_t len, struct buf *out)
{
    size_t outer_end, ts, tl, sh, ss, sl;
    if (locate(d, len, &outer_end, &ts, &tl, &sh, &ss, &sl) != 0) return -1;
    static const unsigned char one[3] = {0x02, 0x01, 0x01};
    size_t tbs_end = ts + tl;
    size_t new_tbs = (sh - ts) + sizeof one + (tbs_end - (ss + sl));
    struct buf tbs = {0};
    int rc = buf_append(&tbs, "\x30", 1) || put_len(&tbs, new_tbs) ||
             buf_append(&tbs, d + ts, sh - ts) || buf_append(&tbs, one, sizeof one) ||
             buf_append(&tbs, d + ss + sl, tbs_end - (ss + sl));
    buf_reset(out);
    if (!rc) rc = buf_append(out, "\x30", 1) || put_len(out, tbs.len + (outer_end - tbs_end)) ||
                  buf_append(out, tbs.data, tbs.len) || buf_append(out, d + tbs_end, outer_end - tbs_end);
    buf_free(&tbs);
    return rc ? -1 : 0;
}
