/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "output/rows/cellfmt.h"
#include "output/rows/csv.h"
#include "output/rows/jsonl.h"
#include "scanner/base/wordlist.h"
#include "tests/unit/test.h"

static char *cell(const char *in, size_t len, int is_text)
{
    static struct buf b;
    buf_reset(&b);
    ASSERT_EQ(csv_cell(&b, in, len, is_text), 0);
    return b.data ? b.data : "";
}

TEST_IMPL(csv_quoting)
{
    ASSERT_STR_EQ(cell("plain", 5, 1), "plain");
    ASSERT_STR_EQ(cell("a,b", 3, 1), "\"a,b\"");
    ASSERT_STR_EQ(cell("say \"hi\"", 8, 1), "\"say \"\"hi\"\"\"");
    ASSERT_STR_EQ(cell("", 0, 1), "");
}

TEST_IMPL(csv_escapes_and_formulas)
{
    ASSERT_STR_EQ(cell("a\r\nb", 4, 1), "a\\x0d\\x0ab");
    ASSERT_STR_EQ(cell("n\0ul", 4, 1), "n\\x00ul");
    ASSERT_STR_EQ(cell("esc\x1b[31m", 8, 1), "esc\\x1b[31m");
    ASSERT_STR_EQ(cell("del\x7f", 4, 1), "del\\x7f");
    ASSERT_STR_EQ(cell("back\\slash", 10, 1), "back\\x5cslash");
    ASSERT_STR_EQ(cell("bad\xff\xfe", 5, 1), "bad\\xff\\xfe");
    ASSERT_STR_EQ(cell("\xc3\xa9t\xc3\xa9", 5, 1), "\xc3\xa9t\xc3\xa9"); /* valid UTF-8 stays */
    ASSERT_STR_EQ(cell("\xed\xa0\x80", 3, 1), "\\xed\\xa0\\x80");     /* a surrogate is not */
    ASSERT_STR_EQ(cell("\xc0\xaf", 2, 1), "\\xc0\\xaf");              /* nor an overlong form */
    ASSERT_STR_EQ(cell("=HYPERLINK(\"x\")", 15, 1), "\"'=HYPERLINK(\"\"x\"\")\"");
    ASSERT_STR_EQ(cell("+1", 2, 1), "'+1");
    ASSERT_STR_EQ(cell("-1", 2, 1), "'-1");
    ASSERT_STR_EQ(cell("-1", 2, 0), "-1"); /* numbers are not text */
    ASSERT_STR_EQ(cell("@SUM", 4, 1), "'@SUM");
    ASSERT_STR_EQ(cell("\tx", 2, 1), "'\\x09x");
    ASSERT_STR_EQ(cell("\rx", 2, 1), "'\\x0dx");
}

TEST_IMPL(csv_truncation)
{
    char big[10000];
    memset(big, 'a', sizeof big);
    char *out = cell(big, sizeof big, 1);
    ASSERT(strlen(out) <= CELL_MAX);
    ASSERT(strstr(out, CELL_TRUNCATED) != NULL);
    memset(big, 0x01, sizeof big); /* escapes grow fourfold: still capped */
    out = cell(big, sizeof big, 1);
    ASSERT(strlen(out) <= CELL_MAX);
    ASSERT(strstr(out, "\\x01" CELL_TRUNCATED) != NULL);
}

TEST_IMPL(csv_header_and_row)
{
    struct buf b = {0};
    ASSERT_EQ(csv_header(&b), 0);
    ASSERT_STR_EQ(b.data,
                  "domain,mx_host,mx_pref,ip,port,protocol,status,error,banner,starttls,tls_version,"
                  "cipher,kex_group,cert_subject,cert_issuer,cert_san,cert_serial,cert_not_before,"
                  "cert_not_after,cert_days_left,cert_key,cert_sig_alg,cert_sha256,chain_valid,"
                  "chain_error,hostname_match,connect_ms,tls_ms,scanned_at,auth_mechs,auth_mechs_plain,handshake,"
                  "versions,attempts,dane,dane_error,tlsa,mx_dnssec,cert_spki_sha256,mta_sts,mta_sts_error,"
                  "mta_sts_id,mta_sts_mx_match,mta_sts_ok,tls_rpt,ciphers,weak_ciphers,mx_records,discovery,name_checked,"
                  "raw_capabilities,raw_starttls,raw_capabilities_tls,raw_truncated\r\n");
    buf_reset(&b);
    struct probe_result r;
    probe_result_init(&r);
    r.status = ST_OK;
    r.starttls = TRI_YES;
    r.chain_valid = TRI_NO;
    r.scanned_at = 1767225600; /* 2026-01-01T00:00:00Z */
    r.cert.present = true;
    r.cert.dates_valid = true;
    r.cert.not_before = 1735689600;        /* 2025-01-01 */
    r.cert.not_after = 1767225600 - 3600; /* an hour before the scan: -1 day */
    text_set_str(&r.banner, "220 mx, \"hi\"");
    struct row row = {.mx_host = "mx.example", .mx_pref = 10, .ip = "192.0.2.1", .port = 25,
                      .protocol = "smtp", .result = &r, .mx_records = 12, .discovery = "MX 10",
                      .name_checked = "mx.example"};
    text_set_str(&row.domain, "example.com");
    ASSERT_EQ(csv_row(&b, &row), 0);
    ASSERT_STR_EQ(b.data, "example.com,mx.example,10,192.0.2.1,25,smtp,ok,,\"220 mx, \"\"hi\"\"\",yes,"
                          ",,,,,,,2025-01-01T00:00:00Z,2025-12-31T23:00:00Z,-1,,,,no,,,,,"
                          "2026-01-01T00:00:00Z,,,,,,,,,,,,,,,,,,,12,MX 10,mx.example,,,,\r\n");
    text_free(&row.domain);
    probe_result_free(&r);
    buf_free(&b);
}

TEST_IMPL(wordlist_round_trip)
{
    static const char *const items[] = {"mx.example", "a b.example", "back\\slash", "\\s", "", "x"};
    struct buf list = {0}, item = {0};
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
        ASSERT_EQ(wordlist_add(&list, items[i], strlen(items[i])), 0);
    size_t pos = 0, n = 0;
    while (wordlist_next(list.data, list.len, &pos, &item)) {
        ASSERT(n < sizeof items / sizeof items[0]);
        ASSERT_EQ(item.len, strlen(items[n]));
        ASSERT(memcmp(item.data, items[n], item.len) == 0);
        n++;
    }
    ASSERT_EQ(n, sizeof items / sizeof items[0]);
    ASSERT(wordlist_has(list.data, list.len, "a b.example", 11));
    ASSERT(!wordlist_has(list.data, list.len, "a", 1));
    buf_free(&list);
    buf_free(&item);
}

/* A row whose lists hold a space inside an item, a formula and a quote. */
static void list_row(struct probe_result *r, struct row *row)
{
    struct buf san = {0};
    probe_result_init(r);
    r->status = ST_OK;
    r->cert.present = true;
    wordlist_add(&san, "=cmd|x", 6);
    wordlist_add(&san, "a b.example", 11);
    wordlist_add(&san, "q\"uote", 6);
    text_set(&r->cert.san, san.data, san.len);
    text_set_str(&r->auth_mechs, "PLAIN LOGIN");
    snprintf(r->versions, sizeof r->versions, "TLSv1.2 TLSv1.3");
    *row = (struct row){.mx_host = "mx.example", .mx_pref = -1, .ip = "192.0.2.1", .port = 25,
                        .protocol = "smtp", .result = r};
    text_set_str(&row->domain, "example.com");
    buf_free(&san);
}

TEST_IMPL(lists_in_csv_and_jsonl)
{
    struct probe_result r;
    struct row row;
    struct buf b = {0};
    list_row(&r, &row);
    ASSERT_EQ(csv_row(&b, &row), 0);
    /* One cell, items joined by spaces; an item's own space is \x20; guarded. */
    ASSERT(strstr(b.data, ",\"'=cmd|x a\\x20b.example q\"\"uote\",") != NULL);
    ASSERT(strstr(b.data, ",PLAIN LOGIN,") != NULL);
    ASSERT(strstr(b.data, ",TLSv1.2 TLSv1.3,") != NULL);
    buf_reset(&b);
    ASSERT_EQ(jsonl_row(&b, &row), 0);
    ASSERT(strstr(b.data, "\"cert_san\":[\"=cmd|x\",\"a b.example\",\"q\\\"uote\"]") != NULL);
    ASSERT(strstr(b.data, "\"auth_mechs\":[\"PLAIN\",\"LOGIN\"]") != NULL);
    ASSERT(strstr(b.data, "\"auth_mechs_plain\":null") != NULL);
    ASSERT(strstr(b.data, "\"versions\":[\"TLSv1.2\",\"TLSv1.3\"]") != NULL);
    ASSERT(strstr(b.data, "\"mx_pref\":null,") != NULL);
    ASSERT(strstr(b.data, "\"port\":25,") != NULL);
    text_free(&row.domain);
    probe_result_free(&r);
    buf_free(&b);
}

TEST_IMPL(lists_are_capped)
{
    struct probe_result r;
    struct row row;
    struct buf b = {0}, san = {0};
    list_row(&r, &row);
    for (int i = 0; i < 1000; i++) buf_printf(&san, "%sname%d.example", i ? " " : "", i);
    text_set(&r.cert.san, san.data, san.len);
    ASSERT_EQ(jsonl_row(&b, &row), 0);
    const char *start = strstr(b.data, "\"cert_san\":["), *end = strstr(start, "]");
    ASSERT(end - start <= CELL_MAX + 32);
    ASSERT(strstr(start, "\"" CELL_TRUNCATED "\"]") != NULL);
    buf_reset(&b);
    ASSERT_EQ(csv_row(&b, &row), 0);
    ASSERT(strstr(b.data, CELL_TRUNCATED ",") != NULL);
    text_free(&row.domain);
    probe_result_free(&r);
    buf_free(&b);
    buf_free(&san);
}
