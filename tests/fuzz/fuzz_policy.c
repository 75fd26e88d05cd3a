/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer: what a domain publishes (MTA-STS TXT and policy, TLS-RPT TXT),
 * and the HTTP response that carries the policy, from any bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/dialog/http.h"
#include "scanner/dialog/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sts_policy p;
    const char *why;
    if (sts_policy_parse((const char *)data, size, &p, &why) == 0) {
        if (p.nmx > POLICY_MX_MAX) abort();
        (void)sts_mx_matches(&p, "mx.example.com");
    }
    struct buf txt = {0}, rua = {0};
    if (txt_join(data, size, &txt) == 0) {
        const char *t[1] = {txt.data};
        size_t n = txt.len;
        char id[POLICY_ID_MAX + 1];
        if (sts_txt_pick(t, &n, 1, id, &why) == 1 && strlen(id) > POLICY_ID_MAX) abort();
        (void)tlsrpt_pick(t, &n, 1, &rua, &why);
    }
    buf_free(&txt);
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
