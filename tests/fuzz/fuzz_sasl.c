/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check's SASL mechanisms (scanner/dialog/saslmech.c) against whatever a
 * server may send: data[0] picks the mechanism, the rest is the server's
 * messages split at '\n' (each a challenge, the last one the success's
 * data), as saslflow would hand them over decoded. */
#include <stdint.h>
#include <string.h>

#include "scanner/dialog/saslmech.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    struct sasl_client c;
    char why[300];
    if (sasl_client_init(&c, (enum sasl_mech)(data[0] % MECH_COUNT), "user,=x", "pencil", why, sizeof why) != 0)
        return 0;
    /* A fixed nonce, so that a challenge can extend it. */
    memcpy(c.nonce, "fyko+d2lbbFgONRv9qkxdawL", 25);
    struct buf out = {0}, shown = {0};
    sasl_client_initial(&c, &out, &shown);
    const char *p = (const char *)data + 1, *end = (const char *)data + size;
    while (p <= end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        buf_reset(&out);
        buf_reset(&shown);
        if (!nl) {
            sasl_client_success(&c, p, n, why, sizeof why);
            break;
        }
        if (sasl_client_step(&c, p, n, &out, &shown, why, sizeof why) != 0) break;
        p = nl + 1;
    }
    buf_free(&out);
    buf_free(&shown);
    sasl_client_free(&c);
    return 0;
}
