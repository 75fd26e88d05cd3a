/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer: certificate facts, and DANE's view of it, from any DER. */
#include <stdint.h>
#include <stdlib.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "scanner/tls/certfacts.h"
#include "scanner/tls/dane.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) ready = wolfSSL_Init() == WOLFSSL_SUCCESS;
    struct cert_facts c;
    if (certfacts_from_der(data, size, &c) == 0) cert_facts_free(&c);
    (void)certfacts_name_matches(data, size, "mx.example.com");
    /* The input as the leaf, and its first bytes as a TLSA record. */
    char spki[65];
    cert_spki_sha256(data, size, spki);
    struct tlsa_rr rr;
    if (tlsa_parse(data, size < 80 ? size : 80, &rr) == 0) {
        const unsigned char *certs[2] = {data, data};
        size_t lens[2] = {size, size};
        const char *names[1] = {"mx.example.com"};
        struct dane_outcome o;
        dane_check(&rr, 1, certs, lens, 2, names, 1, &o);
        tlsa_free(&rr);
    }
    return 0;
}
