/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer: the server's answer to our ClientHello, split anywhere; read
 * whole, or (--ciphers, the first byte odd) up to the ServerHello only. */
#include <stdint.h>
#include <stdlib.h>

#include "scanner/tls/hello.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    size_t split = data[0] % (size + 1);
    struct hello_reader r;
    hello_reader_init(&r);
    r.stop_at_server_hello = data[0] & 1;
    enum hello_status st = hello_feed(&r, data + 1, split > size - 1 ? size - 1 : split);
    if (st == HELLO_NEED_MORE && split < size - 1) st = hello_feed(&r, data + 1 + split, size - 1 - split);
    if (st == HELLO_DONE) {
        for (int i = 0; i < r.result.ncerts; i++)
            if (r.result.certs[i].off + r.result.certs[i].len > r.handshake.len) abort();
        (void)tls_suite_name(r.result.suite);
        if (!tls_version_name(r.result.version)) abort(); /* the reader refuses unknown versions */
    }
    hello_reader_free(&r);
    return 0;
}
