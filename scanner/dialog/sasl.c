/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/dialog/sasl.h"

#include <string.h>
#include <strings.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/coding.h>

int sasl_base64(const char *in, size_t len, char *out, size_t cap)
{
    word32 n = (word32)cap - 1;
    if (cap < 1 || Base64_Encode_NoNl((const byte *)in, (word32)len, (byte *)out, &n) != 0) return -1;
    out[n] = '\0';
    return 0;
}

int sasl_plain(const char *user, const char *password, char *out, size_t cap)
{
    size_t ul = strlen(user), pl = strlen(password);
    char blob[2 * SASL_PART_MAX + 2];
    if (ul > SASL_PART_MAX || pl > SASL_PART_MAX) return -1;
    blob[0] = '\0';
    memcpy(blob + 1, user, ul);
    blob[1 + ul] = '\0';
    memcpy(blob + 2 + ul, password, pl);
    int rc = sasl_base64(blob, 2 + ul + pl, out, cap);
    memset(blob, 0, sizeof blob);
    return rc;
}

/* wolfCrypt's decoder passes over some bytes outside the alphabet: the
 * shape is checked first. */
bool sasl_base64_shaped(const char *p, size_t n)
{
    if (n == 0 || n % 4 != 0) return false;
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '+' ||
                  ch == '/' || (ch == '=' && i >= n - 2);
        if (!ok || (i == n - 2 && ch == '=' && p[n - 1] != '=')) return false;
    }
    return true;
}

int sasl_unbase64(const char *in, size_t len, struct buf *out)
{
    if (len == 0) return 0;
    if (!sasl_base64_shaped(in, len)) return -1;
    size_t cap = len / 4 * 3 + 1;
    if (buf_reserve(out, cap) != 0) return -1;
    word32 n = (word32)cap;
    if (Base64_Decode((const byte *)in, (word32)len, (byte *)out->data + out->len, &n) != 0) return -1;
    out->len += n;
    return 0;
}

bool sasl_offered(const struct text *mechs, const char *mech)
{
    size_t n = strlen(mech);
    const char *p = mechs->p;
    for (size_t i = 0; p && i < mechs->len;) {
        size_t start = i;
        while (i < mechs->len && p[i] != ' ') i++;
        if (i - start == n && strncasecmp(p + start, mech, n) == 0) return true;
        i++;
    }
    return false;
}

const char *sasl_credential_problem(const char *s)
{
    if (strlen(s) > SASL_PART_MAX) return "longer than 255 bytes (RFC 4616)";
    if (strpbrk(s, "\r\n")) return "holds a line break";
    return NULL;
}
