/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer: certificate facts from any DER. */
#include <stdint.h>
#include <stdlib.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "scanner/tls/certfacts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) ready = wolfSSL_Init() == WOLFSSL_SUCCESS;
    struct cert_facts c;
    if (certfacts_from_der(data, size, &c) == 0) cert_facts_free(&c);
    (void)certfacts_name_matches(data, size, "mx.example.com");
    return 0;
}
