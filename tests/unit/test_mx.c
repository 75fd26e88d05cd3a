#include "resolver/dnsmsg.h"
#include "resolver/mx.h"
#include "tests/unit/test.h"

/* A tiny DNS message builder: header, one question, answers. */
struct msg {
    unsigned char b[2048];
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

    /* Only a CNAME: the chain's end is reported so the caller can ask again. */
    begin(&m, "a.example", DNS_TYPE_A, 1);
    rr_cname(&m, "a.example", "b.example");
    ASSERT_EQ(dns_read_answer(m.b, m.n, "a.example", DNS_TYPE_A, &ans), 0);
    ASSERT_EQ(ans.nrecords, 0);
    ASSERT_STR_EQ(ans.final_name, "b.example");
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
    }
    /* A compression pointer to itself must not loop. */
    begin(&m, "x.example", DNS_TYPE_MX, 1);
    size_t at = m.n;
    put8(&m, 0xC0);
    put8(&m, (unsigned)at);
    ASSERT_EQ(dns_read_answer(m.b, m.n, "x.example", DNS_TYPE_MX, &ans), -1);
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
