/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "resolver/dnsmsg.h"
#include "resolver/mx.h"
#include "tests/unit/test.h"

/* A tiny DNS message builder: header, one question, answers. */
struct msg {
    unsigned char b[65536];
    size_t n;
};

static void put8(struct msg *m, unsigned v)
{
    m->b[m->n++] = (unsigned char)v;
}

static void put16(struct msg *m, unsigned v)
{
    put8(m, v >> 8);
    put8(m, v & 0xff);
}

static void put_name(struct msg *m, const char *name)
{
    while (*name) {
        const char *dot = strchr(name, '.');
        size_t len = dot ? (size_t)(dot - name) : strlen(name);
        put8(m, (unsigned)len);
        memcpy(m->b + m->n, name, len);
        m->n += len;
        name += len + (dot ? 1 : 0);
    }
    put8(m, 0);
}

static void begin(struct msg *m, const char *qname, int qtype, int ancount)
{
    m->n = 0;
    put16(m, 0x1234);
    put16(m, 0x8180);
    put16(m, 1);
    put16(m, (unsigned)ancount);
    put16(m, 0);
    put16(m, 0);
    put_name(m, qname);
    put16(m, (unsigned)qtype);
    put16(m, 1);
}

static void rr_head(struct msg *m, const char *owner, int type, unsigned rdlen)
{
    put_name(m, owner);
    put16(m, (unsigned)type);
    put16(m, 1);
    put16(m, 0);
    put16(m, 60);
    put16(m, rdlen);
}

static void rr_cname(struct msg *m, const char *owner, const char *target)
{
    struct msg tmp = {{0}, 0};
    put_name(&tmp, target);
    rr_head(m, owner, DNS_TYPE_CNAME, (unsigned)tmp.n);
    memcpy(m->b + m->n, tmp.b, tmp.n);
    m->n += tmp.n;
}

static void rr_mx(struct msg *m, const char *owner, int pref, const char *host)
{
    struct msg tmp = {{0}, 0};
    put16(&tmp, (unsigned)pref);
    put_name(&tmp, host);
    rr_head(m, owner, DNS_TYPE_MX, (unsigned)tmp.n);
    memcpy(m->b + m->n, tmp.b, tmp.n);
    m->n += tmp.n;
}

static void rr_srv(struct msg *m, const char *owner, int prio, int weight, int port, const char *target)
{
    struct msg tmp = {{0}, 0};
    put16(&tmp, (unsigned)prio);
    put16(&tmp, (unsigned)weight);
    put16(&tmp, (unsigned)port);
    put_name(&tmp, target);
    rr_head(m, owner, DNS_TYPE_SRV, (unsigned)tmp.n);
    memcpy(m->b + m->n, tmp.b, tmp.n);
    m->n += tmp.n;
}

/* SRV records (RFC 2782): read whole, then ordered by priority, weight
 * (heaviest first), name; a duplicate (target, port) once; "." alone is
 * no service, beside others it is dropped; a cut record is malformed. */
TEST_IMPL(dns_answer_srv)
{
    static struct msg m;
    struct dns_answer ans;
    const char *q = "_xmpp-client._tcp.example.org";
    begin(&m, q, DNS_TYPE_SRV, 5);
    rr_srv(&m, q, 10, 0, 5222, "b.example.org");
    rr_srv(&m, q, 5, 1, 5222, "c.example.org");
    rr_srv(&m, q, 5, 60, 5299, "d.example.org");
    rr_srv(&m, q, 10, 0, 5222, "b.example.org");
    rr_srv(&m, q, 5, 1, 5223, "c.example.org");
    ASSERT_EQ(dns_read_answer(m.b, m.n, q, DNS_TYPE_SRV, &ans), 0);
    ASSERT_EQ(ans.nrecords, 5);
    ASSERT_EQ(ans.records[2].weight, 60);
    ASSERT_EQ(ans.records[2].port, 5299);
    int n = ans.nrecords;
    ASSERT_EQ(srv_select(ans.records, &n, 10), MX_HOSTS);
    ASSERT_EQ(n, 4);
    ASSERT_STR_EQ(ans.records[0].name, "d.example.org");
    ASSERT_STR_EQ(ans.records[1].name, "c.example.org");
    ASSERT_EQ(ans.records[1].port, 5222);
    ASSERT_EQ(ans.records[2].port, 5223);
    ASSERT_STR_EQ(ans.records[3].name, "b.example.org");
    dns_answer_free(&ans);
    begin(&m, q, DNS_TYPE_SRV, 1);
    rr_srv(&m, q, 0, 0, 0, "");
    ASSERT_EQ(dns_read_answer(m.b, m.n, q, DNS_TYPE_SRV, &ans), 0);
    n = ans.nrecords;
    ASSERT_EQ(srv_select(ans.records, &n, 10), MX_NULL);
    dns_answer_free(&ans);
    for (size_t cut = m.n - 1; cut > m.n - 8; cut--) {
        int rc = dns_read_answer(m.b, cut, q, DNS_TYPE_SRV, &ans);
        ASSERT(rc == -1 && ans.error != NULL);
        dns_answer_free(&ans);
    }
    struct dns_record two[2] = {{.name = ""}, {.pref = 1, .port = 5222, .name = "x.example"}};
    n = 2;
    ASSERT_EQ(srv_select(two, &n, 10), MX_HOSTS);
    ASSERT_EQ(n, 1);
    ASSERT_STR_EQ(two[0].name, "x.example");
}

TEST_IMPL(dns_answer_mx_with_cname)
{
    struct msg m;
    struct dns_answer ans;
    begin(&m, "alias.example", DNS_TYPE_MX, 4);
    rr_mx(&m, "unrelated.example", 1, "evil.example"); /* not on the chain: ignored */
    rr_cname(&m, "Alias.Example", "real.example");
    rr_mx(&m, "real.example", 20, "mx2.real.example");
    rr_mx(&m, "real.example", 10, "MX1.real.example");
    ASSERT_EQ(dns_read_answer(m.b, m.n, "alias.example.", DNS_TYPE_MX, &ans), 0);
    ASSERT_STR_EQ(ans.final_name, "real.example");
    ASSERT_EQ(ans.cname_hops, 1);
    ASSERT_EQ(ans.nrecords, 2);
    int n = ans.nrecords;
    ASSERT_EQ(mx_select(ans.records, &n, 10), MX_HOSTS);
    ASSERT_STR_EQ(ans.records[0].name, "mx1.real.example");
    ASSERT_EQ(ans.records[0].pref, 10);
    dns_answer_free(&ans);

    /* Only a CNAME: the chain's end is reported so the caller can ask again. */
    begin(&m, "a.example", DNS_TYPE_A, 1);
    rr_cname(&m, "a.example", "b.example");
    ASSERT_EQ(dns_read_answer(m.b, m.n, "a.example", DNS_TYPE_A, &ans), 0);
    ASSERT_EQ(ans.nrecords, 0);
    ASSERT_STR_EQ(ans.final_name, "b.example");
    dns_answer_free(&ans);
}

TEST_IMPL(dns_answer_malformed)
{
    struct msg m;
    struct dns_answer ans;
    begin(&m, "x.example", DNS_TYPE_MX, 1);
    rr_mx(&m, "x.example", 10, "mx.x.example");
    /* Every truncation of a valid message is rejected or read safely. */
    for (size_t cut = 0; cut < m.n; cut++) {
        int rc = dns_read_answer(m.b, cut, "x.example", DNS_TYPE_MX, &ans);
        ASSERT(rc == -1 || ans.nrecords == 0);
        ASSERT(rc == 0 || ans.error != NULL);
        dns_answer_free(&ans);
    }
    /* A compression pointer to itself must not loop. */
    begin(&m, "x.example", DNS_TYPE_MX, 1);
    size_t at = m.n;
    put8(&m, 0xC0);
    put8(&m, (unsigned)at);
    ASSERT_EQ(dns_read_answer(m.b, m.n, "x.example", DNS_TYPE_MX, &ans), -1);
    dns_answer_free(&ans);
}

TEST_IMPL(dns_answer_cname_loop)
{
    struct msg m;
    struct dns_answer ans;
    begin(&m, "a.example", DNS_TYPE_A, 2);
    rr_cname(&m, "a.example", "b.example");
    rr_cname(&m, "b.example", "a.example");
    ASSERT_EQ(dns_read_answer(m.b, m.n, "a.example", DNS_TYPE_A, &ans), 0);
    ASSERT_EQ(ans.nrecords, 0);
    ASSERT(ans.cname_hops > 2); /* it stopped at the cap, the caller sees a chain */
    dns_answer_free(&ans);
}

static void set_mx(struct dns_record *r, int pref, const char *name)
{
    memset(r, 0, sizeof *r);
    r->pref = pref;
    snprintf(r->name, sizeof r->name, "%s", name);
}

TEST_IMPL(mx_order_and_cap)
{
    struct dns_record r[5];
    set_mx(&r[0], 30, "c.example");
    set_mx(&r[1], 10, "b.example");
    set_mx(&r[2], 10, "a.example");
    set_mx(&r[3], 20, "a.example"); /* the same host again */
    set_mx(&r[4], 5, "z.example");
    int n = 5;
    ASSERT_EQ(mx_select(r, &n, 10), MX_HOSTS);
    ASSERT_EQ(n, 4);
    ASSERT_STR_EQ(r[0].name, "z.example");
    ASSERT_STR_EQ(r[1].name, "a.example");
    ASSERT_STR_EQ(r[2].name, "b.example");
    ASSERT_STR_EQ(r[3].name, "c.example");
    set_mx(&r[0], 30, "c.example");
    set_mx(&r[1], 10, "b.example");
    set_mx(&r[2], 20, "a.example");
    n = 3;
    ASSERT_EQ(mx_select(r, &n, 2), MX_HOSTS);
    ASSERT_EQ(n, 2);
    ASSERT_STR_EQ(r[1].name, "a.example");
}

TEST_IMPL(mx_null_and_root)
{
    int none = 0;
    ASSERT_EQ(mx_select(NULL, &none, 10), MX_NONE); /* an answer without records has no array */
    addr_sort_unique(NULL, &none, 16);
    struct dns_record r[2];
    set_mx(&r[0], 0, "");
    int n = 1;
    ASSERT_EQ(mx_select(r, &n, 10), MX_NULL);
    set_mx(&r[0], 0, "");
    set_mx(&r[1], 10, "mx.example");
    n = 2;
    ASSERT_EQ(mx_select(r, &n, 10), MX_HOSTS);
    ASSERT_EQ(n, 1);
    ASSERT_STR_EQ(r[0].name, "mx.example");
}

TEST_IMPL(addr_sort_unique)
{
    struct dns_record r[4];
    memset(r, 0, sizeof r);
    unsigned char a[4] = {192, 0, 2, 9}, b[4] = {192, 0, 2, 1};
    memcpy(r[0].addr, a, 4);
    memcpy(r[1].addr, b, 4);
    memcpy(r[2].addr, a, 4);
    memcpy(r[3].addr, b, 4);
    int n = 4;
    addr_sort_unique(r, &n, 16);
    ASSERT_EQ(n, 2);
    ASSERT_EQ(r[0].addr[3], 1);
    ASSERT_EQ(r[1].addr[3], 9);
    n = 2;
    addr_sort_unique(r, &n, 1);
    ASSERT_EQ(n, 1);
}

/* A label given as bytes (it may hold anything), then the rest of a name. */
static void put_raw_label_name(struct msg *m, const char *label, size_t n, const char *rest)
{
    put8(m, (unsigned)n);
    memcpy(m->b + m->n, label, n);
    m->n += n;
    put_name(m, rest);
}

TEST_IMPL(dns_names_outside_ldh_are_malformed)
{
    struct msg m, rd;
    struct dns_answer ans;
    /* An MX exchange "mx\0evil.example": cut at the NUL it would be "mx". */
    begin(&m, "x.example", DNS_TYPE_MX, 1);
    rd.n = 0;
    put16(&rd, 10);
    put_raw_label_name(&rd, "mx\0evil", 7, "example");
    rr_head(&m, "x.example", DNS_TYPE_MX, (unsigned)rd.n);
    memcpy(m.b + m.n, rd.b, rd.n);
    m.n += rd.n;
    ASSERT_EQ(dns_read_answer(m.b, m.n, "x.example", DNS_TYPE_MX, &ans), -1);
    ASSERT(strstr(ans.error, "MX exchange") != NULL);
    dns_answer_free(&ans);
    /* A CNAME target with a dot inside a label: "a.b" as one label. */
    begin(&m, "a.example", DNS_TYPE_A, 1);
    rd.n = 0;
    put_raw_label_name(&rd, "evil.host", 9, "example");
    rr_head(&m, "a.example", DNS_TYPE_CNAME, (unsigned)rd.n);
    memcpy(m.b + m.n, rd.b, rd.n);
    m.n += rd.n;
    ASSERT_EQ(dns_read_answer(m.b, m.n, "a.example", DNS_TYPE_A, &ans), -1);
    ASSERT(strstr(ans.error, "CNAME target") != NULL);
    dns_answer_free(&ans);
    /* An owner with a NUL is no name of ours: its record is ignored. */
    begin(&m, "x.example", DNS_TYPE_MX, 2);
    put_raw_label_name(&m, "x\0y", 3, "example");
    put16(&m, DNS_TYPE_MX);
    put16(&m, 1);
    put16(&m, 0);
    put16(&m, 60);
    rd.n = 0;
    put16(&rd, 5);
    put_name(&rd, "evil.example");
    put16(&m, (unsigned)rd.n);
    memcpy(m.b + m.n, rd.b, rd.n);
    m.n += rd.n;
    rr_mx(&m, "x.example", 10, "mx.x.example");
    ASSERT_EQ(dns_read_answer(m.b, m.n, "x.example", DNS_TYPE_MX, &ans), 0);
    ASSERT_EQ(ans.nrecords, 1);
    ASSERT_STR_EQ(ans.records[0].name, "mx.x.example");
    dns_answer_free(&ans);
    /* "_" is fine (service labels). */
    begin(&m, "x.example", DNS_TYPE_MX, 1);
    rr_mx(&m, "x.example", 10, "mail_1.x.example");
    ASSERT_EQ(dns_read_answer(m.b, m.n, "x.example", DNS_TYPE_MX, &ans), 0);
    ASSERT_EQ(ans.nrecords, 1);
    dns_answer_free(&ans);
}

TEST_IMPL(dns_answer_many_mx)
{
    /* 500 MX records, the lowest preference last on the wire: all are read,
     * sorted, and then cut to the 10 kept. */
    static struct msg m;
    struct dns_answer ans;
    begin(&m, "many.example", DNS_TYPE_MX, 500);
    for (int i = 0; i < 500; i++) {
        char host[64];
        snprintf(host, sizeof host, "mx%d.many.example", i);
        rr_mx(&m, "many.example", 1000 - i * 2, host);
    }
    ASSERT_EQ(dns_read_answer(m.b, m.n, "many.example", DNS_TYPE_MX, &ans), 0);
    ASSERT_EQ(ans.nrecords, 500);
    ASSERT_EQ(ans.more_records, 0);
    int n = ans.nrecords;
    ASSERT_EQ(mx_select(ans.records, &n, 10), MX_HOSTS);
    ASSERT_EQ(n, 10);
    ASSERT_STR_EQ(ans.records[0].name, "mx499.many.example");
    ASSERT_EQ(ans.records[0].pref, 2);
    dns_answer_free(&ans);
    /* Past the cap: the first DNS_MAX_RECORDS are kept, and the answer says so. */
    begin(&m, "many.example", DNS_TYPE_MX, DNS_MAX_RECORDS + 5);
    for (int i = 0; i < DNS_MAX_RECORDS + 5; i++) rr_mx(&m, "many.example", i, "m.many.example");
    ASSERT(m.n < sizeof m.b);
    ASSERT_EQ(dns_read_answer(m.b, m.n, "many.example", DNS_TYPE_MX, &ans), 0);
    ASSERT_EQ(ans.nrecords, DNS_MAX_RECORDS);
    ASSERT_EQ(ans.more_records, 1);
    dns_answer_free(&ans);
}

/* TLSA (and TXT) records keep their RDATA; the AD bit is read (RFC 6840
 * 5.7: a validating resolver sets it when DNSSEC vouched for the answer). */
TEST_IMPL(dns_answer_tlsa_and_ad_bit)
{
    static struct msg m;
    static const unsigned char rd[7] = {3, 1, 1, 0xde, 0xad, 0xbe, 0xef};
    for (int ad = 0; ad < 2; ad++) {
        begin(&m, "_25._tcp.mx.example.com", DNS_TYPE_TLSA, 2);
        if (ad) m.b[3] |= 0x20;
        rr_head(&m, "_25._tcp.mx.example.com", DNS_TYPE_TLSA, sizeof rd);
        memcpy(m.b + m.n, rd, sizeof rd);
        m.n += sizeof rd;
        rr_head(&m, "_25._tcp.mx.example.com", DNS_TYPE_TLSA, 3);
        put8(&m, 3);
        put8(&m, 0);
        put8(&m, 0);
        struct dns_answer a;
        ASSERT_EQ(dns_read_answer(m.b, m.n, "_25._tcp.mx.example.com.", DNS_TYPE_TLSA, &a), 0);
        ASSERT_EQ(a.authentic, ad);
        ASSERT_EQ(a.nrecords, 2);
        ASSERT(a.records[0].rdlen == sizeof rd && memcmp(a.records[0].rdata, rd, sizeof rd) == 0);
        ASSERT_EQ(a.records[1].rdlen, 3);
        dns_answer_free(&a);
    }
}
