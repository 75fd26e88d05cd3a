/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "output/report/grade.h"
#include "output/report/html.h"
#include "output/report/rollup_csv.h"
#include "output/report/svg.h"
#include "tests/unit/test.h"

TEST_IMPL(html_escapes_markup)
{
    struct buf b = {0};
    ASSERT_EQ(html_text(&b, "<script>a&'b\"</script>"), 0);
    ASSERT_STR_EQ(b.data, "&lt;script&gt;a&amp;&#39;b&quot;&lt;/script&gt;");
    buf_reset(&b);
    /* cut on a character, never inside one, and never inside an entity */
    ASSERT_EQ(html_text_cut(&b, "ab\xC3\xA9<d", 3), 0);
    ASSERT_STR_EQ(b.data, "ab\xE2\x80\xA6");
    buf_reset(&b);
    ASSERT_EQ(html_text_cut(&b, "<<<<", 2), 0);
    ASSERT_STR_EQ(b.data, "&lt;&lt;\xE2\x80\xA6");
    buf_free(&b);
}

TEST_IMPL(svg_labels_are_text)
{
    struct svg_bar bars[] = {{"<img src=x onerror=alert(1)>", 3, "#000000", NULL}, {"b\"", 0, "#111111", NULL}};
    struct buf b = {0};
    ASSERT_EQ(svg_bars(&b, "c", bars, 2), 0);
    ASSERT(strstr(b.data, "<img") == NULL);
    ASSERT(strstr(b.data, "data-label=\"&lt;img src=x onerror=alert(1)&gt;\" data-count=\"3\"") != NULL);
    ASSERT(strstr(b.data, "data-label=\"b&quot;\" data-count=\"0\"") != NULL);
    buf_reset(&b);
    ASSERT_EQ(svg_columns(&b, "h", bars, 2), 0);
    ASSERT(strstr(b.data, "<img") == NULL && strstr(b.data, "</svg>") != NULL);
    buf_free(&b);
}

TEST_IMPL(suite_scores_order_weakness)
{
    ASSERT_EQ(suite_score("TLS_AES_128_GCM_SHA256"), 0);
    ASSERT_EQ(suite_score("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"), 1);
    ASSERT_EQ(suite_score("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"), 2);
    ASSERT_EQ(suite_score("TLS_RSA_WITH_AES_128_GCM_SHA256"), 3);
    ASSERT_EQ(suite_score("TLS_RSA_WITH_3DES_EDE_CBC_SHA"), 4);
    ASSERT_EQ(suite_score("TLS_RSA_WITH_RC4_128_SHA"), 5);
    ASSERT_EQ(suite_score("TLS_DH_anon_WITH_AES_128_CBC_SHA"), 6);
}

TEST_IMPL(rollup_csv_quotes_and_columns)
{
    struct probe_result r;
    probe_result_init(&r);
    r.status = ST_OK;
    snprintf(r.tls_version, sizeof r.tls_version, "TLSv1.2");
    snprintf(r.cipher, sizeof r.cipher, "TLS_RSA_WITH_AES_128_CBC_SHA");
    r.chain_valid = TRI_NO;
    r.hostname_match = TRI_YES;
    text_set_str(&r.chain_error, "unable to get local issuer, \"self\"");
    struct row row = {0};
    text_set_str(&row.domain, "example.com");
    row.mx_host = "mx.example.com";
    row.ip = "192.0.2.1";
    row.port = 25;
    row.protocol = "smtp";
    row.result = &r;
    struct rollup u;
    rollup_init(&u);
    rollup_add(&u, &row);
    char reason[1200];
    struct rollup_target t = {"example.com", "smtp", &u, "", reason, NULL, 0};
    rollup_grade(&u, t.grade, reason, sizeof reason);
    struct buf b = {0};
    ASSERT_EQ(rollup_csv_header(&b), 0);
    int commas = 0;
    for (size_t i = 0; i < b.len; i++) commas += b.data[i] == ',';
    buf_reset(&b);
    ASSERT_EQ(rollup_csv_row(&b, &t), 0);
    ASSERT_STR_EQ(b.data, "example.com,C,\"mx.example.com [192.0.2.1]: unable to get local issuer, \"\"self\"\"\",1,"
                          "mx.example.com,1,1,all,TLSv1.2,mx.example.com,TLS_RSA_WITH_AES_128_CBC_SHA,mx.example.com,"
                          ",,,,no,yes,,,,,handshake\r\n");
    int row_commas = 0;
    for (size_t i = 0; i < b.len; i++) row_commas += b.data[i] == ',';
    ASSERT_EQ(row_commas - 1, commas); /* the one in the quoted reason */
    buf_free(&b);
    text_free(&row.domain);
    probe_result_free(&r);
}
