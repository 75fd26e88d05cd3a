/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/tls/names.h"

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/asn_public.h>

#include <stdio.h>
#include <string.h>

const char *tls_version_name(uint16_t v)
{
    switch (v) {
    case TLS_V_SSL3: return "SSLv3";
    case TLS_V_TLS10: return "TLSv1.0";
    case TLS_V_TLS11: return "TLSv1.1";
    case TLS_V_TLS12: return "TLSv1.2";
    case TLS_V_TLS13: return "TLSv1.3";
    default: return NULL;
    }
}

static const uint16_t versions[TLS_VERSION_BITS] = {TLS_V_SSL3, TLS_V_TLS10, TLS_V_TLS11, TLS_V_TLS12,
                                                    TLS_V_TLS13};

int tls_version_bit(uint16_t v)
{
    for (int i = 0; i < TLS_VERSION_BITS; i++)
        if (versions[i] == v) return i;
    return -1;
}

uint16_t tls_version_of_bit(int bit)
{
    return bit >= 0 && bit < TLS_VERSION_BITS ? versions[bit] : 0;
}

const char *tls_version_bit_name(int bit)
{
    return bit >= 0 && bit < TLS_VERSION_BITS ? tls_version_name(versions[bit]) : NULL;
}

int tls_version_bit_of_name(const char *name)
{
    for (int i = 0; i < TLS_VERSION_BITS; i++)
        if (strcmp(tls_version_name(versions[i]), name) == 0) return i;
    return -1;
}

void versions_format(unsigned accepted, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < TLS_VERSION_BITS; i++)
        if (accepted & (1u << i))
            used += (size_t)snprintf(out + used, len - used, "%s%s", used ? " " : "",
                                     tls_version_bit_name(i));
}

const char *tls_group_name(uint16_t g)
{
    switch (g) {
    case 0x0017: return "secp256r1";
    case 0x0018: return "secp384r1";
    case 0x0019: return "secp521r1";
    case 0x001D: return "x25519";
    case 0x001E: return "x448";
    case 0x0100: return "ffdhe2048";
    case 0x0101: return "ffdhe3072";
    case 0x0102: return "ffdhe4096";
    case 0x0103: return "ffdhe6144";
    case 0x0104: return "ffdhe8192";
    default: return NULL;
    }
}

/* Signature algorithms by wolfSSL's OID sum, named as OpenSSL names them
 * (openssl x509 -text: its long names), one table for both paths. */
static const struct {
    int oid;
    const char *name;
} sig_names[] = {
    {CTC_MD2wRSA, "md2WithRSAEncryption"},       {CTC_MD5wRSA, "md5WithRSAEncryption"},
    {CTC_SHAwRSA, "sha1WithRSAEncryption"},      {CTC_SHA224wRSA, "sha224WithRSAEncryption"},
    {CTC_SHA256wRSA, "sha256WithRSAEncryption"}, {CTC_SHA384wRSA, "sha384WithRSAEncryption"},
    {CTC_SHA512wRSA, "sha512WithRSAEncryption"}, {CTC_RSASSAPSS, "rsassaPss"},
    {CTC_SHAwECDSA, "ecdsa-with-SHA1"},          {CTC_SHA224wECDSA, "ecdsa-with-SHA224"},
    {CTC_SHA256wECDSA, "ecdsa-with-SHA256"},     {CTC_SHA384wECDSA, "ecdsa-with-SHA384"},
    {CTC_SHA512wECDSA, "ecdsa-with-SHA512"},     {CTC_ED25519, "ED25519"},
    {CTC_ED448, "ED448"},                        {CTC_SHAwDSA, "dsaWithSHA1"},
    {CTC_SHA256wDSA, "dsa_with_SHA256"},
};

const char *cert_sig_alg_name(int oid)
{
    for (size_t i = 0; i < sizeof sig_names / sizeof sig_names[0]; i++)
        if (sig_names[i].oid == oid) return sig_names[i].name;
    return NULL;
}

