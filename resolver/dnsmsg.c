/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "resolver/dnsmsg.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_CNAME_HOPS 16

/* May a host name hold this byte? Letters, digits, '-' and '_'. */
static int ldh(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

/* Expands the (possibly compressed) name at *pos into out, lower case, no
 * trailing dot. Advances *pos past the name in the record. *clean (may be
 * NULL) says whether every label byte is one a host name may hold. */
static int read_name_checked(const unsigned char *msg, size_t len, size_t *pos, char *out, int *clean)
{
    size_t p = *pos, o = 0;
    int jumped = 0, jumps = 0;
    if (clean) *clean = 1;
    for (;;) {
        if (p >= len) return -1;
        unsigned char l = msg[p];
        if ((l & 0xC0) == 0xC0) {
            if (p + 1 >= len || ++jumps > 32) return -1;
            size_t target = ((size_t)(l & 0x3F) << 8) | msg[p + 1];
            if (!jumped) *pos = p + 2;
            jumped = 1;
            if (target >= len) return -1;
            p = target;
            continue;
        }
        if (l & 0xC0) return -1; /* extended label types are not used */
        p++;
        if (l == 0) break;
        if (p + l > len || o + l + 2 > DNS_NAME_MAX) return -1;
        if (o) out[o++] = '.';
        for (unsigned i = 0; i < l; i++) {
            char c = (char)msg[p + i];
            if (clean && !ldh((unsigned char)c)) *clean = 0;
            out[o++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
        }
        p += l;
    }
    out[o] = '\0';
    if (!jumped) *pos = p;
    return 0;
}

static int read_name(const unsigned char *msg, size_t len, size_t *pos, char *out)
{
    return read_name_checked(msg, len, pos, out, NULL);
}

static int same_name(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la && a[la - 1] == '.') la--;
    if (lb && b[lb - 1] == '.') lb--;
    return la == lb && strncasecmp(a, b, la) == 0;
}

static uint16_t get16(const unsigned char *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

struct rr {
    char owner[DNS_NAME_MAX];
    int owner_clean;
    int type;
    size_t rdata, rdlen;
};

static int read_rr(const unsigned char *msg, size_t len, size_t *pos, struct rr *rr)
{
    if (read_name_checked(msg, len, pos, rr->owner, &rr->owner_clean) != 0 || *pos + 10 > len)
        return -1;
    rr->type = get16(msg + *pos);
    rr->rdlen = get16(msg + *pos + 8);
    rr->rdata = *pos + 10;
    if (rr->rdata + rr->rdlen > len) return -1;
    *pos = rr->rdata + rr->rdlen;
    return 0;
}

static int malformed(struct dns_answer *out, const char *why)
{
    out->error = why;
    return -1;
}

static int add_record(const unsigned char *msg, size_t len, const struct rr *rr, int qtype,
                      struct dns_answer *out, int cap)
{
    if (out->nrecords == cap) {
        out->more_records = 1;
        return 0;
    }
    struct dns_record *r = &out->records[out->nrecords];
    memset(r, 0, sizeof *r);
    if (qtype == DNS_TYPE_A) {
        if (rr->rdlen != 4) return malformed(out, "an A record is not 4 bytes");
        memcpy(r->addr, msg + rr->rdata, 4);
    } else if (qtype == DNS_TYPE_AAAA) {
        if (rr->rdlen != 16) return malformed(out, "an AAAA record is not 16 bytes");
        memcpy(r->addr, msg + rr->rdata, 16);
    } else if (qtype == DNS_TYPE_MX) {
        if (rr->rdlen < 3) return malformed(out, "an MX record is too short");
        size_t p = rr->rdata + 2;
        int clean;
        r->pref = get16(msg + rr->rdata);
        if (read_name_checked(msg, len, &p, r->name, &clean) != 0 || p > rr->rdata + rr->rdlen)
            return malformed(out, "an MX record's exchange does not parse");
        if (!clean)
            return malformed(out, "an MX exchange holds a byte other than a letter, digit, '-' or '_'");
    } else if (qtype == DNS_TYPE_SRV) {
        if (rr->rdlen < 7) return malformed(out, "an SRV record is too short");
        size_t p = rr->rdata + 6;
        int clean;
        r->pref = get16(msg + rr->rdata);
        r->weight = get16(msg + rr->rdata + 2);
        r->port = get16(msg + rr->rdata + 4);
        if (read_name_checked(msg, len, &p, r->name, &clean) != 0 || p > rr->rdata + rr->rdlen)
            return malformed(out, "an SRV record's target does not parse");
        if (!clean)
            return malformed(out, "an SRV target holds a byte other than a letter, digit, '-' or '_'");
    } else if (qtype == DNS_TYPE_TLSA || qtype == DNS_TYPE_TXT) {
        if (!(r->rdata = malloc(rr->rdlen ? rr->rdlen : 1))) return malformed(out, "out of memory");
        memcpy(r->rdata, msg + rr->rdata, rr->rdlen);
        r->rdlen = rr->rdlen;
    }
    out->nrecords++;
    return 0;
}

void dns_answer_free(struct dns_answer *a)
{
    for (int i = 0; a->records && i < a->nrecords; i++) free(a->records[i].rdata);
    free(a->records);
    a->records = NULL;
}

/* Moves final_name one CNAME further if the answers hold one for it:
 * 1 moved, 0 not, -1 malformed. */
static int follow_cname(const unsigned char *msg, size_t len, size_t answers, int ancount, int qtype,
                        struct dns_answer *out)
{
    struct rr rr;
    char target[DNS_NAME_MAX];
    size_t pos = answers;
    for (int i = 0; i < ancount; i++) {
        if (read_rr(msg, len, &pos, &rr) != 0) return malformed(out, "a record does not parse");
        if (rr.type != DNS_TYPE_CNAME || qtype == DNS_TYPE_CNAME || !rr.owner_clean ||
            !same_name(rr.owner, out->final_name))
            continue;
        size_t p = rr.rdata;
        int clean;
        if (read_name_checked(msg, len, &p, target, &clean) != 0)
            return malformed(out, "a CNAME target does not parse");
        if (!clean)
            return malformed(out, "a CNAME target holds a byte other than a letter, digit, '-' or '_'");
        memcpy(out->final_name, target, sizeof target);
        out->cname_hops++;
        return 1;
    }
    return 0;
}

int dns_read_answer(const unsigned char *msg, size_t len, const char *qname, int qtype,
                    struct dns_answer *out)
{
    memset(out, 0, sizeof *out);
    if (len < 12) return malformed(out, "shorter than a DNS header");
    out->rcode = msg[3] & 0x0F;
    out->truncated = (msg[2] & 0x02) != 0;
    out->authentic = (msg[3] & 0x20) != 0;
    int qdcount = get16(msg + 4), ancount = get16(msg + 6);
    size_t pos = 12;
    char scratch[DNS_NAME_MAX];
    for (int i = 0; i < qdcount; i++) {
        if (read_name(msg, len, &pos, scratch) != 0 || pos + 4 > len)
            return malformed(out, "the question does not parse");
        pos += 4;
    }
    size_t answers = pos;
    size_t qlen = strlen(qname);
    if (qlen >= DNS_NAME_MAX) return malformed(out, "the name asked for is too long");
    memcpy(out->final_name, qname, qlen + 1);
    if (qlen && out->final_name[qlen - 1] == '.') out->final_name[qlen - 1] = '\0';

    /* Follow the chain: each pass over the answers may move final_name one
     * CNAME further; stop when a pass finds none (loops end at the cap). */
    for (int hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
        int moved = follow_cname(msg, len, answers, ancount, qtype, out);
        if (moved < 0) return -1;
        if (!moved) break;
    }
    int cap = ancount < DNS_MAX_RECORDS ? ancount : DNS_MAX_RECORDS;
    if (cap > 0 && !(out->records = calloc((size_t)cap, sizeof *out->records)))
        return malformed(out, "out of memory");
    struct rr rr;
    pos = answers;
    for (int i = 0; i < ancount; i++) {
        if (read_rr(msg, len, &pos, &rr) != 0) return malformed(out, "a record does not parse");
        if (rr.type == qtype && rr.owner_clean && same_name(rr.owner, out->final_name) &&
            add_record(msg, len, &rr, qtype, out, cap) != 0)
            return -1;
    }
    return 0;
}
