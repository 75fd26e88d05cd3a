#include "resolver/dnsmsg.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#define MAX_CNAME_HOPS 16

/* Expands the (possibly compressed) name at *pos into out, lower case, no
 * trailing dot. Advances *pos past the name in the record. */
static int read_name(const unsigned char *msg, size_t len, size_t *pos, char *out)
{
    size_t p = *pos, o = 0;
    int jumped = 0, jumps = 0;
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
            out[o++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
        }
        p += l;
    }
    out[o] = '\0';
    if (!jumped) *pos = p;
    return 0;
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
    int type;
    size_t rdata, rdlen;
};

static int read_rr(const unsigned char *msg, size_t len, size_t *pos, struct rr *rr)
{
    if (read_name(msg, len, pos, rr->owner) != 0 || *pos + 10 > len) return -1;
    rr->type = get16(msg + *pos);
    rr->rdlen = get16(msg + *pos + 8);
    rr->rdata = *pos + 10;
    if (rr->rdata + rr->rdlen > len) return -1;
    *pos = rr->rdata + rr->rdlen;
    return 0;
}

static int add_record(const unsigned char *msg, size_t len, const struct rr *rr, int qtype,
                      struct dns_answer *out)
{
    if (out->nrecords == DNS_MAX_RECORDS) {
        out->more_records = 1;
        return 0;
    }
    struct dns_record *r = &out->records[out->nrecords];
    memset(r, 0, sizeof *r);
    if (qtype == DNS_TYPE_A) {
        if (rr->rdlen != 4) return -1;
        memcpy(r->addr, msg + rr->rdata, 4);
    } else if (qtype == DNS_TYPE_AAAA) {
        if (rr->rdlen != 16) return -1;
        memcpy(r->addr, msg + rr->rdata, 16);
    } else if (qtype == DNS_TYPE_MX) {
        if (rr->rdlen < 3) return -1;
        size_t p = rr->rdata + 2;
        r->pref = get16(msg + rr->rdata);
        if (read_name(msg, len, &p, r->name) != 0 || p > rr->rdata + rr->rdlen) return -1;
    }
    out->nrecords++;
    return 0;
}

int dns_read_answer(const unsigned char *msg, size_t len, const char *qname, int qtype,
                    struct dns_answer *out)
{
    memset(out, 0, sizeof *out);
    if (len < 12) return -1;
    out->rcode = msg[3] & 0x0F;
    out->truncated = (msg[2] & 0x02) != 0;
    int qdcount = get16(msg + 4), ancount = get16(msg + 6);
    size_t pos = 12;
    char scratch[DNS_NAME_MAX];
    for (int i = 0; i < qdcount; i++) {
        if (read_name(msg, len, &pos, scratch) != 0 || pos + 4 > len) return -1;
        pos += 4;
    }
    size_t answers = pos;
    size_t qlen = strlen(qname);
    if (qlen >= DNS_NAME_MAX) return -1;
    memcpy(out->final_name, qname, qlen + 1);
    if (qlen && out->final_name[qlen - 1] == '.') out->final_name[qlen - 1] = '\0';

    /* Follow the chain: each pass over the answers may move final_name one
     * CNAME further; stop when a pass finds none (loops end at the cap). */
    struct rr rr;
    for (int hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
        int moved = 0;
        pos = answers;
        for (int i = 0; i < ancount && !moved; i++) {
            if (read_rr(msg, len, &pos, &rr) != 0) return -1;
            if (rr.type == DNS_TYPE_CNAME && qtype != DNS_TYPE_CNAME &&
                same_name(rr.owner, out->final_name)) {
                size_t p = rr.rdata;
                if (read_name(msg, len, &p, scratch) != 0) return -1;
                memcpy(out->final_name, scratch, sizeof scratch);
                out->cname_hops++;
                moved = 1;
            }
        }
        if (!moved) break;
    }
    pos = answers;
    for (int i = 0; i < ancount; i++) {
        if (read_rr(msg, len, &pos, &rr) != 0) return -1;
        if (rr.type == qtype && same_name(rr.owner, out->final_name) &&
            add_record(msg, len, &rr, qtype, out) != 0)
            return -1;
    }
    return 0;
}
