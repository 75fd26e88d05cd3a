/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/tls/hello.h"

#include <string.h>

/* Bounds for hostile input. */
#define RECORD_MAX (16384 + 2048)
#define HANDSHAKE_MAX (512 * 1024)

/* The suites our ClientHello offers, in this order: broad, so that old
 * servers still meet us (static RSA, CBC, 3DES, RC4 included); never
 * anonymous or null suites, which would hide the certificate. */
static const uint16_t offered[] = {
    0xC02C,
    0xC030,
    0x009F,
    0xCCA9,
    0xCCA8,
    0xCCAA,
    0xC02B,
    0xC02F,
    0x009E,
    0xC024,
    0xC028,
    0x006B,
    0xC023,
    0xC027,
    0x0067,
    0xC00A,
    0xC014,
    0x0039,
    0x0038,
    0xC009,
    0xC013,
    0x0033,
    0x0032,
    0x009D,
    0x009C,
    0x003D,
    0x003C,
    0x0035,
    0x002F,
    0x0088,
    0x0084,
    0x0045,
    0x0041,
    0x0096,
    0x0007,
    0xC012,
    0x0016,
    0x0013,
    0x000A,
    0xC011,
    0xC007,
    0x0005,
    0x0004,
    0x0015,
    0x0009,
};

#define NOFFERED (sizeof offered / sizeof offered[0])


int hello_offers(uint16_t id)
{
    for (size_t i = 0; i < NOFFERED; i++)
        if (offered[i] == id) return 1;
    return 0;
}

static int put8(struct buf *b, unsigned v)
{
    uint8_t c = (uint8_t)v;
    return buf_append(b, &c, 1);
}

static int put16(struct buf *b, unsigned v)
{
    uint8_t c[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    return buf_append(b, c, 2);
}

/* Writes a big-endian length of n bytes at b->data + at. */
static void patch_len(struct buf *b, size_t at, size_t len, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        b->data[at + (size_t)i] = (char)(len & 0xFF);
        len >>= 8;
    }
}

/* TLS 1.3 alone, and an x25519 key share of random bytes: the server's
 * answer is read up to its ServerHello (or HelloRetryRequest), never a key
 * agreed. */
static int tls13_extensions(struct buf *b, const uint8_t share[32])
{
    int rc = put16(b, 0x002B); /* supported_versions */
    rc |= put16(b, 3);
    rc |= put8(b, 2);
    rc |= put16(b, TLS_V_TLS13);
    rc |= put16(b, 0x0033); /* key_share */
    rc |= put16(b, 2 + 4 + 32);
    rc |= put16(b, 4 + 32);
    rc |= put16(b, 0x001D);
    rc |= put16(b, 32);
    rc |= buf_append(b, share, 32);
    return rc;
}

/* RFC 7685: a ClientHello of 256 to 511 octets is padded to 512 (servers
 * behind some load balancers hang on those lengths). */
static int pad(struct buf *b, size_t handshake)
{
    size_t len = b->len - handshake;
    if (len < 256 || len >= 512) return 0;
    size_t fill = 512 - len >= 4 + 1 ? 512 - len - 4 : 1;
    int rc = put16(b, 0x0015);
    rc |= put16(b, (unsigned)fill);
    for (size_t i = 0; i < fill; i++) rc |= put8(b, 0);
    return rc;
}

static int extensions(struct buf *b, uint16_t max_version, const char *sni, const uint8_t random[32],
                      size_t handshake)
{
    static const uint16_t groups[] = {0x001D, 0x0017, 0x0018, 0x0019, 0x001E, 0x0100, 0x0101};
    static const uint16_t sigalgs[] = {0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0807,
                                       0x0808, 0x0401, 0x0501, 0x0601, 0x0203, 0x0201, 0x0402, 0x0202};
    int rc = 0;
    size_t start = b->len;
    rc |= put16(b, 0);
    size_t sni_len = sni ? strlen(sni) : 0;
    if (sni_len > 0 && sni_len < 256) {
        rc |= put16(b, 0x0000);
        rc |= put16(b, (unsigned)sni_len + 5);
        rc |= put16(b, (unsigned)sni_len + 3);
        rc |= put8(b, 0);
        rc |= put16(b, (unsigned)sni_len);
        rc |= buf_append(b, sni, sni_len);
    }
    rc |= put16(b, 0x000A);
    rc |= put16(b, 2 + 2 * (unsigned)(sizeof groups / sizeof groups[0]));
    rc |= put16(b, 2 * (unsigned)(sizeof groups / sizeof groups[0]));
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) rc |= put16(b, groups[i]);
    rc |= put16(b, 0x000B); /* ec_point_formats: uncompressed */
    rc |= put16(b, 2);
    rc |= put8(b, 1);
    rc |= put8(b, 0);
    if (max_version >= TLS_V_TLS12) { /* RFC 5246: not in older hellos */
        rc |= put16(b, 0x000D);
        rc |= put16(b, 2 + 2 * (unsigned)(sizeof sigalgs / sizeof sigalgs[0]));
        rc |= put16(b, 2 * (unsigned)(sizeof sigalgs / sizeof sigalgs[0]));
        for (size_t i = 0; i < sizeof sigalgs / sizeof sigalgs[0]; i++) rc |= put16(b, sigalgs[i]);
    }
    rc |= put16(b, 0xFF01); /* renegotiation_info, empty */
    rc |= put16(b, 1);
    rc |= put8(b, 0);
    if (max_version == TLS_V_TLS13) rc |= tls13_extensions(b, random);
    rc |= pad(b, handshake);
    if (rc == 0) patch_len(b, start, b->len - start - 2, 2);
    return rc;
}

static int build(struct buf *b, uint16_t max_version, const uint8_t random[32], const char *sni,
                 const uint16_t *suites, size_t nsuites)
{
    int rc = 0;
    size_t record = b->len;
    rc |= put8(b, 22);
    rc |= put16(b, max_version == TLS_V_SSL3 ? TLS_V_SSL3 : TLS_V_TLS10);
    rc |= put16(b, 0);
    size_t handshake = b->len;
    rc |= put8(b, 1); /* client_hello */
    rc |= put8(b, 0);
    rc |= put16(b, 0);
    rc |= put16(b, max_version == TLS_V_TLS13 ? TLS_V_TLS12 : max_version);
    rc |= buf_append(b, random, 32);
    if (max_version == TLS_V_TLS13) { /* a session id, as TLS 1.3 clients send (RFC 8446 D.4) */
        rc |= put8(b, 32);
        rc |= buf_append(b, random, 32);
    } else {
        rc |= put8(b, 0);
    }
    size_t list = b->len;
    rc |= put16(b, 0);
    for (size_t i = 0; i < nsuites; i++) rc |= put16(b, suites[i]);
    if (max_version == TLS_V_SSL3) rc |= put16(b, 0x00FF); /* no extensions in SSLv3 */
    if (rc) return -1;
    patch_len(b, list, b->len - list - 2, 2);
    rc |= put8(b, 1); /* compression: null only */
    rc |= put8(b, 0);
    if (max_version > TLS_V_SSL3) rc |= extensions(b, max_version, sni, random, handshake);
    if (rc) return -1;
    patch_len(b, handshake + 1, b->len - handshake - 4, 3);
    patch_len(b, record + 3, b->len - record - 5, 2);
    return 0;
}

int hello_build(struct buf *b, uint16_t max_version, const uint8_t random[32], const char *sni)
{
    if (max_version < TLS_V_SSL3 || max_version > TLS_V_TLS12) return -1;
    return build(b, max_version, random, sni, offered, NOFFERED);
}

int hello_build_offer(struct buf *b, uint16_t version, const uint8_t random[32], const char *sni,
                      const uint16_t *suites, size_t n)
{
    if (version < TLS_V_SSL3 || version > TLS_V_TLS13 || n == 0 || n > 1000) return -1;
    return build(b, version, random, sni, suites, n);
}

void hello_reader_init(struct hello_reader *r)
{
    memset(r, 0, sizeof *r);
}

void hello_reader_free(struct hello_reader *r)
{
    buf_free(&r->record);
    buf_free(&r->handshake);
}

static uint32_t get24(const uint8_t *p)
{
    return ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static enum hello_status fail(struct hello_reader *r, const char *why)
{
    r->result.error = why;
    return HELLO_ERROR;
}

/* TLS 1.3 names its version in supported_versions (RFC 8446 4.2.1). */
static void server_extensions(struct hello_reader *r, const uint8_t *p, size_t n)
{
    if (n < 2) return;
    size_t end = 2 + get16(p);
    if (end > n) return;
    for (size_t pos = 2; pos + 4 <= end;) {
        uint16_t type = get16(p + pos), len = get16(p + pos + 2);
        if (pos + 4 + len > end) return;
        if (type == 0x002B && len == 2) r->result.version = get16(p + pos + 4);
        pos += 4 + (size_t)len;
    }
}

static enum hello_status server_hello(struct hello_reader *r, const uint8_t *m, size_t n)
{
    /* SHA-256 of "HelloRetryRequest" (RFC 8446 4.1.3) */
    static const uint8_t hrr[32] = {0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C,
                                    0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB,
                                    0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};
    if (n < 38) return fail(r, "ServerHello too short");
    size_t sid = m[34];
    if (35 + sid + 3 > n) return fail(r, "ServerHello too short");
    r->result.version = get16(m);
    r->result.suite = get16(m + 35 + sid);
    server_extensions(r, m + 35 + sid + 3, n - (35 + sid + 3));
    r->result.retry_request = memcmp(m + 2, hrr, 32) == 0;
    if (!tls_version_name(r->result.version)) return fail(r, "ServerHello with an unknown version");
    r->seen_server_hello = 1;
    return r->stop_at_server_hello ? HELLO_DONE : HELLO_NEED_MORE;
}

static enum hello_status certificate(struct hello_reader *r, size_t at, size_t n)
{
    const uint8_t *m = (const uint8_t *)r->handshake.data + at;
    if (n < 3 || get24(m) != n - 3) return fail(r, "Certificate message malformed");
    size_t pos = 3;
    while (pos < n) {
        if (pos + 3 > n) return fail(r, "Certificate list malformed");
        size_t len = get24(m + pos);
        pos += 3;
        if (len == 0 || len > n - pos) return fail(r, "Certificate list malformed");
        if (r->result.ncerts < (int)(sizeof r->result.certs / sizeof r->result.certs[0])) {
            r->result.certs[r->result.ncerts].off = at + pos;
            r->result.certs[r->result.ncerts].len = len;
            r->result.ncerts++;
        }
        pos += len;
    }
    r->seen_certificate = 1;
    return HELLO_NEED_MORE;
}

/* The bit length of a big-endian unsigned number. */
static int bit_length(const uint8_t *p, size_t n)
{
    while (n > 0 && *p == 0) {
        p++;
        n--;
    }
    if (n == 0) return 0;
    int bits = (int)(n - 1) * 8;
    for (uint8_t top = *p; top; top >>= 1) bits++;
    return bits;
}

/* ServerKeyExchange: the named curve of ECDHE (curve_type 3, then the
 * group), or the size of DHE's prime p. Which one, the suite says: the
 * first byte alone does not (a 768-byte p starts with 3 too). */
static void server_key_exchange(struct hello_reader *r, const uint8_t *m, size_t n)
{
    const char *suite = tls_suite_name(r->result.suite);
    if (!suite) return;
    if (strstr(suite, "_ECDHE_")) {
        if (n >= 3 && m[0] == 3) r->result.group = get16(m + 1);
    } else if (strstr(suite, "_DHE_") && n >= 2) {
        size_t plen = get16(m);
        if (plen <= n - 2) r->result.dh_bits = bit_length(m + 2, plen);
    }
}

/* Reads the complete handshake messages in the buffer. */
static enum hello_status messages(struct hello_reader *r)
{
    while (r->handshake.len - r->parsed >= 4) {
        const uint8_t *h = (const uint8_t *)r->handshake.data + r->parsed;
        uint32_t len = get24(h + 1);
        if (len > HANDSHAKE_MAX) return fail(r, "handshake message too long");
        if (r->handshake.len - r->parsed - 4 < len) return HELLO_NEED_MORE;
        size_t at = r->parsed + 4;
        enum hello_status st = HELLO_NEED_MORE;
        if (!r->seen_server_hello && h[0] != 2) return fail(r, "the server's first message is not a ServerHello");
        switch (h[0]) {
        case 2: st = server_hello(r, h + 4, len); break;
        case 11: st = certificate(r, at, len); break;
        case 12: server_key_exchange(r, h + 4, len); break;
        case 14: /* ServerHelloDone */
            r->parsed = at + len;
            return r->seen_certificate ? HELLO_DONE : fail(r, "no Certificate before ServerHelloDone");
        default: break;
        }
        if (st != HELLO_NEED_MORE) return st;
        r->parsed = at + len;
    }
    return HELLO_NEED_MORE;
}

enum hello_status hello_feed(struct hello_reader *r, const uint8_t *data, size_t len)
{
    if (r->result.error) return HELLO_ERROR;
    if (buf_append(&r->record, data, len) != 0) return fail(r, "out of memory");
    for (;;) {
        const uint8_t *p = (const uint8_t *)r->record.data;
        if (r->record.len < 5) return HELLO_NEED_MORE;
        size_t rlen = get16(p + 3);
        if (p[1] != 3) return fail(r, "not a TLS record");
        if (rlen > RECORD_MAX) return fail(r, "TLS record too long");
        if (r->record.len < 5 + rlen) return HELLO_NEED_MORE;
        if (p[0] == 21) {
            if (rlen < 2) return fail(r, "alert record too short");
            r->result.alert_level = p[5];
            r->result.alert = p[6];
            return HELLO_ALERT;
        }
        if (p[0] != 22) return fail(r, "unexpected record type before the handshake ended");
        if (r->handshake.len + rlen > HANDSHAKE_MAX) return fail(r, "handshake too long");
        if (buf_append(&r->handshake, p + 5, rlen) != 0) return fail(r, "out of memory");
        buf_consume(&r->record, 5 + rlen);
        enum hello_status st = messages(r);
        if (st != HELLO_NEED_MORE) return st;
    }
}
