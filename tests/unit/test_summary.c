/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "output/live/summary.h"
#include "tests/unit/test.h"

static void add(struct summary *s, const char *domain, const char *mx, const char *ip, const char *sha,
                int64_t days)
{
    struct expiring_cert *e = &s->expiring[s->nexpiring++];
    memset(e, 0, sizeof *e);
    snprintf(e->domain, sizeof e->domain, "%s", domain);
    snprintf(e->mx_host, sizeof e->mx_host, "%s", mx);
    snprintf(e->ip, sizeof e->ip, "%s", ip);
    snprintf(e->sha256, sizeof e->sha256, "%s", sha);
    snprintf(e->not_after, sizeof e->not_after, "%s", days < 0 ? "2026-12-04T00:00:00Z" : "2026-12-19T00:00:00Z");
    snprintf(e->subject, sizeof e->subject, "CN=%s", mx);
    e->days_left = days;
    s->expiring_total++;
}

static char *print_expiring(int reversed)
{
    struct summary s;
    ASSERT_EQ(summary_init(&s, 30), 0);
    s.expiring = calloc(8, sizeof *s.expiring);
    ASSERT(s.expiring != NULL);
    static const char *const doms[] = {"a.test", "b.test", "b.test", "c.test"};
    static const char *const ips[] = {"192.0.2.9", "192.0.2.1", "192.0.2.2", "192.0.2.3"};
    for (int k = 0; k < 4; k++) {
        int i = reversed ? 3 - k : k;
        add(&s, doms[i], "mx.test", ips[i], "aa", 12);
    }
    add(&s, "z.test", "mx.z.test", "192.0.2.7", "bb", -3);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ASSERT(f != NULL);
    summary_print_expiring(&s, f);
    fclose(f);
    summary_free(&s);
    return text;
}

/* -q --expiring-within: a line per certificate, soonest first, naming the
 * first row by domain, MX and address whatever order the rows came in. */
TEST_IMPL(summary_expiring_lines_do_not_follow_finish_order)
{
    char *one = print_expiring(0), *other = print_expiring(1);
    ASSERT_STR_EQ(one, "starttls-scan: expired 3 days ago, 2026-12-04T00:00:00Z: CN=mx.z.test, seen on "
                       "mx.z.test [192.0.2.7] for z.test\n"
                       "starttls-scan: expires in 12 days, 2026-12-19T00:00:00Z: CN=mx.test, seen on "
                       "mx.test [192.0.2.9] for a.test and 3 more rows\n");
    ASSERT_STR_EQ(other, one);
    free(one);
    free(other);
}
