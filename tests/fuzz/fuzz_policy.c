/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer: what a domain publishes (MTA-STS TXT and policy, TLS-RPT TXT),
 * and the HTTP response that carries the policy, from any bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/dialog/http.h"
#include "scanner/mailpolicy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sts_policy p = {0};
    const char *why;
    if (sts_policy_parse((const char *)data, size, &p, &why) == 0) {
        size_t pos = 0;
        int n = 0;
        while (sts_policy_mx(&p, &pos)) n++;
        if (n != p.nmx) abort();
        (void)sts_mx_matches(&p, "mx.example.com");
    }
    sts_policy_free(&p);
    /* As TXT RDATAs: records split at each 0xff byte, an RRset of several. */
    struct txt_records t = {0};
    struct buf rua = {0};
    size_t start = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i < size && data[i] != 0xff) continue;
        (void)txt_records_add(&t, data + start, i - start);
        start = i + 1;
    }
    for (int i = 0; i < t.n; i++)
        if (strlen(t.txt[i]) > t.lens[i]) abort(); /* each record its own bytes and its NUL */
    char id[POLICY_ID_MAX + 1];
    if (sts_txt_pick(t.txt, t.lens, t.n, id, &why) == 1 && strlen(id) > POLICY_ID_MAX) abort();
    (void)tlsrpt_pick(t.txt, t.lens, t.n, &rua, &why);
    txt_records_free(&t);
    buf_free(&rua);
    /* As an HTTP response, in two pieces, then the end of the connection. */
    struct http_reader r;
    http_reader_init(&r);
    size_t half = size / 2;
    if (http_feed(&r, (const char *)data, half) == HTTP_MORE) http_feed(&r, (const char *)data + half, size - half);
    (void)http_eof(&r);
    if (r.body.len > HTTP_BODY_MAX) abort();
    http_reader_free(&r);
    return 0;
}
