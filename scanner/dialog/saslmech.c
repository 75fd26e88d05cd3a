/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/dialog/saslmech.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/coding.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfcrypt/hmac.h>
#include <wolfssl/wolfcrypt/pwdbased.h>

#include "scanner/dialog/sasl.h"

#define SASL_MECH_ROW(id, name, strength, token) {name, strength, token},
static const struct {
    const char *name;
    int strength;
    bool token;
} mechs[MECH_COUNT] = {SASL_MECHS(SASL_MECH_ROW)};
#undef SASL_MECH_ROW

int sasl_mech_find(const char *name)
{
    for (int m = 0; m < MECH_COUNT; m++)
        if (strcasecmp(mechs[m].name, name) == 0) return m;
    return -1;
}

const char *sasl_mech_name(enum sasl_mech m)
{
    return mechs[m].name;
}

bool sasl_mech_takes_token(enum sasl_mech m)
{
    return mechs[m].token;
}

int sasl_mech_auto(const char *offered, size_t len, bool token)
{
    int best = -1;
    for (size_t i = 0; offered && i < len;) {
        size_t start = i;
        while (i < len && offered[i] != ' ') i++;
        char word[32];
        if (i - start < sizeof word) {
            memcpy(word, offered + start, i - start);
            word[i - start] = '\0';
            int m = sasl_mech_find(word);
            if (m >= 0 && mechs[m].token == token && (best < 0 || mechs[m].strength > mechs[best].strength))
                best = m;
        }
        i++;
    }
    return best;
}

static bool is_scram(const struct sasl_client *c)
{
    return c->mech == MECH_SCRAM_SHA_1 || c->mech == MECH_SCRAM_SHA_256;
}

int sasl_client_init(struct sasl_client *c, enum sasl_mech m, const char *user, const char *secret, char *why,
                     size_t wlen)
{
    memset(c, 0, sizeof *c);
    c->mech = m;
    c->user = user;
    c->secret = secret;
    if (!is_scram(c)) return 0;
    unsigned char raw[18];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw || sasl_base64((const char *)raw, sizeof raw, c->nonce,
                                                                             sizeof c->nonce) != 0) {
        snprintf(why, wlen, "no random bytes for the SCRAM nonce");
        return -1;
    }
    return 0;
}

void sasl_client_free(struct sasl_client *c)
{
    buf_free(&c->first_bare);
    memset(c, 0, sizeof *c);
}

/* RFC 5802 5.1: a user name with '=' and ',' escaped. */
static void scram_name(struct buf *out, const char *user)
{
    for (const char *p = user; *p; p++) {
        if (*p == '=')
            buf_append_str(out, "=3D");
        else if (*p == ',')
            buf_append_str(out, "=2C");
        else
            buf_append(out, p, 1);
    }
}

/* XOAUTH2's and OAUTHBEARER's end: the token as a bearer, after kvsep (%x01). */
static void bearer(const struct sasl_client *c, struct buf *out, struct buf *shown)
{
    buf_append_str(out, "\001auth=Bearer ");
    buf_append_str(out, c->secret);
    buf_append_str(out, "\001\001");
    buf_append_str(shown, "<user and token, base64, redacted>");
}

int sasl_client_initial(struct sasl_client *c, struct buf *out, struct buf *shown)
{
    switch (c->mech) {
    case MECH_PLAIN:
        buf_append(out, "", 1);
        buf_append_str(out, c->user);
        buf_append(out, "", 1);
        buf_append_str(out, c->secret);
        buf_append_str(shown, "<credentials, base64, redacted>");
        return 1;
    case MECH_SCRAM_SHA_1:
    case MECH_SCRAM_SHA_256:
        buf_append_str(&c->first_bare, "n=");
        scram_name(&c->first_bare, c->user);
        buf_append_str(&c->first_bare, ",r=");
        buf_append_str(&c->first_bare, c->nonce);
        buf_append_str(out, "n,,");
        buf_append(out, c->first_bare.data, c->first_bare.len);
        return 1; /* shown as it is: no secret */
    case MECH_XOAUTH2:
        buf_append_str(out, "user=");
        buf_append_str(out, c->user);
        bearer(c, out, shown);
        return 1;
    case MECH_OAUTHBEARER:
        /* RFC 7628 3.1: a GS2 header with the authorization identity, then kvpairs. */
        buf_append_str(out, "n,a=");
        scram_name(out, c->user);
        buf_append_str(out, ",");
        bearer(c, out, shown);
        return 1;
    default: return 0; /* LOGIN, CRAM-MD5: the server speaks first */
    }
}

static void hex(struct buf *out, const unsigned char *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        char two[2] = {digits[p[i] >> 4], digits[p[i] & 15]};
        buf_append(out, two, 2);
    }
}

static int hmac(int type, const void *key, size_t klen, const void *data, size_t dlen, unsigned char *out)
{
    Hmac h;
    int rc = wc_HmacInit(&h, NULL, INVALID_DEVID);
    if (rc == 0) rc = wc_HmacSetKey(&h, type, key, (word32)klen);
    if (rc == 0) rc = wc_HmacUpdate(&h, data, (word32)dlen);
    if (rc == 0) rc = wc_HmacFinal(&h, out);
    wc_HmacFree(&h);
    return rc;
}

/* RFC 2195: the user, a space, and HMAC-MD5(password, challenge) in hex. */
static int cram_md5(struct sasl_client *c, const char *in, size_t len, struct buf *out, struct buf *shown)
{
    unsigned char digest[WC_MD5_DIGEST_SIZE];
    if (hmac(WC_MD5, c->secret, strlen(c->secret), in, len, digest) != 0) return -1;
    buf_append_str(out, c->user);
    buf_append_str(out, " ");
    hex(out, digest, sizeof digest);
    memset(digest, 0, sizeof digest);
    buf_append_str(shown, "<user and digest, base64, redacted>");
    return 0;
}

/* The value of "k=" in a SCRAM message (its attributes are comma-separated). */
static bool scram_attr(const char *msg, size_t len, char k, const char **v, size_t *vlen)
{
    for (size_t i = 0; i < len;) {
        size_t start = i;
        while (i < len && msg[i] != ',') i++;
        if (i - start >= 2 && msg[start] == k && msg[start + 1] == '=') {
            *v = msg + start + 2;
            *vlen = i - start - 2;
            return true;
        }
        i++;
    }
    return false;
}

struct scram_hash {
    int type;     /* wolfCrypt's hash type */
    size_t size;  /* its digest length */
};

static struct scram_hash scram_hash_of(const struct sasl_client *c)
{
    if (c->mech == MECH_SCRAM_SHA_1) return (struct scram_hash){WC_SHA, WC_SHA_DIGEST_SIZE};
    return (struct scram_hash){WC_SHA256, WC_SHA256_DIGEST_SIZE};
}

/* RFC 5802 3: the proof and the server signature from the salted password. */
static int scram_keys(struct sasl_client *c, const struct buf *auth_msg, const unsigned char *salted,
                      unsigned char *proof)
{
    struct scram_hash h = scram_hash_of(c);
    unsigned char client_key[64], stored[64], client_sig[64], server_key[64];
    int rc = hmac(h.type, salted, h.size, "Client Key", 10, client_key);
    if (rc == 0) rc = wc_Hash(h.type == WC_SHA ? WC_HASH_TYPE_SHA : WC_HASH_TYPE_SHA256, client_key, (word32)h.size,
                              stored, (word32)h.size);
    if (rc == 0) rc = hmac(h.type, stored, h.size, auth_msg->data, auth_msg->len, client_sig);
    if (rc == 0) rc = hmac(h.type, salted, h.size, "Server Key", 10, server_key);
    if (rc == 0) rc = hmac(h.type, server_key, h.size, auth_msg->data, auth_msg->len, c->server_sig);
    for (size_t i = 0; rc == 0 && i < h.size; i++) proof[i] = client_key[i] ^ client_sig[i];
    c->sig_len = rc == 0 ? h.size : 0;
    memset(client_key, 0, sizeof client_key);
    memset(server_key, 0, sizeof server_key);
    return rc;
}

/* server-first-message → client-final-message. */
static int scram_final(struct sasl_client *c, const char *in, size_t len, struct buf *out, struct buf *shown,
                       char *why, size_t wlen)
{
    const char *nonce, *salt64, *iter;
    size_t nlen, slen, ilen;
    if (len > 0 && in[0] == 'm') return snprintf(why, wlen, "SCRAM: the server asks for an extension we do not know"), -1;
    if (!scram_attr(in, len, 'r', &nonce, &nlen) || !scram_attr(in, len, 's', &salt64, &slen) ||
        !scram_attr(in, len, 'i', &iter, &ilen) || ilen == 0 || ilen > 7 || slen == 0 || slen > 256)
        return snprintf(why, wlen, "SCRAM: the server's first message lacks r=, s= or i="), -1;
    size_t mine = strlen(c->nonce);
    if (nlen <= mine || memcmp(nonce, c->nonce, mine) != 0)
        return snprintf(why, wlen, "SCRAM: the server's nonce does not extend ours (RFC 5802 5.1)"), -1;
    char digits[8];
    memcpy(digits, iter, ilen);
    digits[ilen] = '\0';
    long iterations = strtol(digits, NULL, 10);
    unsigned char salt[200];
    word32 saltlen = sizeof salt;
    if (iterations < 1 || iterations > 1000000 || !sasl_base64_shaped(salt64, slen) || Base64_Decode((const byte *)salt64, (word32)slen, salt, &saltlen) != 0)
        return snprintf(why, wlen, "SCRAM: an iteration count or salt we cannot use"), -1;
    struct scram_hash h = scram_hash_of(c);
    unsigned char salted[64], proof[64];
    /* The password as given (UTF-8); no SASLprep, which changes only non-ASCII passwords. */
    if (wc_PBKDF2(salted, (const byte *)c->secret, (int)strlen(c->secret), salt, (int)saltlen, (int)iterations,
                  (int)h.size, h.type) != 0)
        return snprintf(why, wlen, "SCRAM: PBKDF2 failed"), -1;
    struct buf without_proof = {0}, auth_msg = {0};
    buf_append_str(&without_proof, "c=biws,r=");
    buf_append(&without_proof, nonce, nlen);
    buf_append(&auth_msg, c->first_bare.data, c->first_bare.len);
    buf_append_str(&auth_msg, ",");
    buf_append(&auth_msg, in, len);
    buf_append_str(&auth_msg, ",");
    buf_append(&auth_msg, without_proof.data, without_proof.len);
    int rc = scram_keys(c, &auth_msg, salted, proof);
    char proof64[100];
    if (rc == 0) rc = sasl_base64((const char *)proof, h.size, proof64, sizeof proof64);
    if (rc == 0) {
        buf_append(out, without_proof.data, without_proof.len);
        buf_append_str(out, ",p=");
        buf_append_str(out, proof64);
        buf_append(shown, without_proof.data, without_proof.len);
        buf_append_str(shown, ",p=<proof, redacted> (in base64)");
    }
    memset(salted, 0, sizeof salted);
    memset(proof64, 0, sizeof proof64);
    buf_free(&without_proof);
    buf_free(&auth_msg);
    return rc == 0 ? 0 : (snprintf(why, wlen, "SCRAM: the keys could not be computed"), -1);
}

/* server-final-message: "v=" the signature we expect, or "e=" an error. */
static int scram_verify(struct sasl_client *c, const char *in, size_t len, char *why, size_t wlen)
{
    const char *v;
    size_t vlen;
    if (scram_attr(in, len, 'e', &v, &vlen))
        return snprintf(why, wlen, "SCRAM: the server says %.*s", (int)(vlen > 200 ? 200 : vlen), v), -1;
    unsigned char sig[64];
    word32 siglen = sizeof sig;
    if (!scram_attr(in, len, 'v', &v, &vlen) || c->sig_len == 0 || !sasl_base64_shaped(v, vlen) ||
        Base64_Decode((const byte *)v, (word32)vlen, sig, &siglen) != 0 || siglen != c->sig_len ||
        memcmp(sig, c->server_sig, siglen) != 0)
        return snprintf(why, wlen, "SCRAM: the server's signature is wrong: it does not know the password "
                                   "(RFC 5802 3)"), -1;
    c->verified = true;
    return 0;
}

int sasl_client_step(struct sasl_client *c, const char *in, size_t len, struct buf *out, struct buf *shown,
                     char *why, size_t wlen)
{
    int step = c->step++;
    switch (c->mech) {
    case MECH_LOGIN:
        /* "Username:", then "Password:" (what the prompts say varies: the order does not). */
        if (step > 1) break;
        buf_append_str(out, step == 0 ? c->user : c->secret);
        if (step == 1) buf_append_str(shown, "<password, base64, redacted>"); /* the user name is shown */
        return 0;
    case MECH_CRAM_MD5:
        if (step > 0) break;
        return cram_md5(c, in, len, out, shown) == 0 ? 0 : (snprintf(why, wlen, "CRAM-MD5 failed"), -1);
    case MECH_SCRAM_SHA_1:
    case MECH_SCRAM_SHA_256:
        if (step == 0) return scram_final(c, in, len, out, shown, why, wlen);
        if (step == 1) return scram_verify(c, in, len, why, wlen); /* the answer is empty */
        break;
    case MECH_XOAUTH2:
    case MECH_OAUTHBEARER:
        /* RFC 7628 3.2.2: an error as a challenge; the client answers %x01 (XOAUTH2: empty),
         * and the server then fails. */
        if (step > 0) break;
        if (c->mech == MECH_OAUTHBEARER) buf_append_str(out, "\001");
        snprintf(why, wlen, "the server refused the token: %.*s", (int)(len > 300 ? 300 : len), in);
        return 0;
    default: break;
    }
    snprintf(why, wlen, "%s: the server sent a challenge the mechanism does not have", mechs[c->mech].name);
    return -1;
}

int sasl_client_success(struct sasl_client *c, const char *in, size_t len, char *why, size_t wlen)
{
    if (!is_scram(c) || c->verified) return 0;
    if (len == 0) {
        snprintf(why, wlen, "SCRAM: the server said success without proving it knows the password (no v=)");
        return -1;
    }
    return scram_verify(c, in, len, why, wlen);
}
