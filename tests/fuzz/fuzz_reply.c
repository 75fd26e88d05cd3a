/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer: server replies (SMTP and FTP rules), fed in pieces. */
#include <stdint.h>
#include <stdlib.h>

#include "scanner/dialog/reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    struct reply_reader rr;
    reply_reader_init(&rr, (data[0] & 1) ? ftp_classify : smtp_classify, NULL);
    size_t chunk = (size_t)(data[0] >> 1) + 1, pos = 1;
    while (pos < size) {
        size_t n = size - pos < chunk ? size - pos : chunk, used = 0;
        enum reply_status st = reply_feed(&rr, (const char *)data + pos, n, &used);
        if (used > n) abort();
        if (st == REPLY_ERROR) break;
        if (st == REPLY_DONE) {
            struct text t = {0};
            reply_join(&rr.reply, &t);
            text_free(&t);
        }
        pos += used ? used : n;
    }
    reply_reader_free(&rr);
    return 0;
}
