/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "tests/unit/testdata.h"

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/asn_public.h>

#include "tests/unit/test.h"

size_t load_der(const char *name, unsigned char *der, size_t cap)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", STS_TEST_DATA, name);
    FILE *f = fopen(path, "rb");
    if (!f) FAIL_AT("cannot open %s", path);
    static unsigned char pem[16384];
    size_t n = fread(pem, 1, sizeof pem, f);
    fclose(f);
    int len = wc_CertPemToDer(pem, (int)n, der, (int)cap, CERT_TYPE);
    if (len <= 0) FAIL_AT("%s: not a PEM certificate", path);
    return (size_t)len;
}
