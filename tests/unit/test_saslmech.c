/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check's SASL mechanisms against the RFCs' own examples: CRAM-MD5 (RFC
 * 2195 2), SCRAM-SHA-1 (RFC 5802 5), SCRAM-SHA-256 (RFC 7677 3); a server
 * that does not know the password, a nonce not extended, and the shapes of
 * PLAIN, LOGIN, XOAUTH2 and OAUTHBEARER. */
#include <string.h>

#include "scanner/dialog/saslmech.h"
#include "tests/unit/test.h"

static char got[512], shown_text[512], why[300];

/* One step: the response and what is shown, as C strings ('\1' as is). */
static int step(struct sasl_client *c, const char *challenge)
{
    struct buf out = {0}, shown = {0};
    int rc = sasl_client_step(c, challenge, strlen(challenge), &out, &shown, why, sizeof why);
    snprintf(got, sizeof got, "%.*s", (int)out.len, out.data ? out.data : "");
    snprintf(shown_text, sizeof shown_text, "%.*s", (int)shown.len, shown.data ? shown.data : "");
    buf_free(&out);
    buf_free(&shown);
    return rc;
}

static void initial(struct sasl_client *c)
{
    struct buf out = {0}, shown = {0};
    sasl_client_initial(c, &out, &shown);
    memcpy(got, out.data ? out.data : "", out.len);
    got[out.len] = '\0';
    snprintf(shown_text, sizeof shown_text, "%.*s", (int)shown.len, shown.data ? shown.data : "");
    buf_free(&out);
    buf_free(&shown);
}

TEST_IMPL(sasl_cram_md5_rfc2195)
{
    struct sasl_client c;
    ASSERT_EQ(sasl_client_init(&c, MECH_CRAM_MD5, "tim", "tanstaaftanstaaf", why, sizeof why), 0);
    struct buf out = {0}, shown = {0};
    ASSERT_EQ(sasl_client_initial(&c, &out, &shown), 0);
    ASSERT_EQ(step(&c, "<1896.697170952@postoffice.reston.mci.net>"), 0);
    ASSERT_STR_EQ(got, "tim b913a602c7eda7a495b4e6e7334d3890");
    ASSERT(strstr(shown_text, "redacted") && !strstr(shown_text, "b913"));
    sasl_client_free(&c);
}

static void scram_case(enum sasl_mech m, const char *nonce, const char *server_first, const char *client_final,
                       const char *server_final)
{
    struct sasl_client c;
    ASSERT_EQ(sasl_client_init(&c, m, "user", "pencil", why, sizeof why), 0);
    snprintf(c.nonce, sizeof c.nonce, "%s", nonce);
    initial(&c);
    char first[100];
    snprintf(first, sizeof first, "n,,n=user,r=%s", nonce);
    ASSERT_STR_EQ(got, first);
    ASSERT_EQ(step(&c, server_first), 0);
    ASSERT_STR_EQ(got, client_final);
    ASSERT(strstr(shown_text, ",p=<proof, redacted> (in base64)") && !strstr(shown_text, strstr(client_final, "p=") + 2));
    /* Success before the signature: refused. */
    ASSERT_EQ(sasl_client_success(&c, "", 0, why, sizeof why), -1);
    ASSERT_EQ(sasl_client_success(&c, server_final, strlen(server_final), why, sizeof why), 0);
    sasl_client_free(&c);
    /* The same exchange with the signature of a server that does not know the password. */
    ASSERT_EQ(sasl_client_init(&c, m, "user", "pencil", why, sizeof why), 0);
    snprintf(c.nonce, sizeof c.nonce, "%s", nonce);
    initial(&c);
    ASSERT_EQ(step(&c, server_first), 0);
    ASSERT_EQ(step(&c, "v=AAAAAAAAAAAAAAAAAAAAAAAAAAA="), -1);
    ASSERT(strstr(why, "does not know the password"));
    ASSERT_EQ(sasl_client_success(&c, "", 0, why, sizeof why), -1);
    sasl_client_free(&c);
}

TEST_IMPL(sasl_scram_rfc5802_rfc7677)
{
    scram_case(MECH_SCRAM_SHA_1, "fyko+d2lbbFgONRv9qkxdawL",
               "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
               "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
               "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=");
    scram_case(MECH_SCRAM_SHA_256, "rOprNGfwEbeRWgbNEkqO",
               "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
               "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
               "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
               "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
}

TEST_IMPL(sasl_scram_hostile_server_first)
{
    static const char *const bad[] = {
        "r=someoneelse,s=QSXCR+Q6sek8bf92,i=4096",    /* not our nonce */
        "r=fyko+d2lbbFgONRv9qkxdawL,s=QSXCR+Q6sek8bf92,i=4096", /* not extended */
        "r=fyko+d2lbbFgONRv9qkxdawLx,s=QSXCR+Q6sek8bf92",        /* no i= */
        "r=fyko+d2lbbFgONRv9qkxdawLx,s=QSXCR+Q6sek8bf92,i=0",
        "r=fyko+d2lbbFgONRv9qkxdawLx,s=QSXCR+Q6sek8bf92,i=99999999",
        "r=fyko+d2lbbFgONRv9qkxdawLx,s=!!!,i=4096",
        "m=ext,r=fyko+d2lbbFgONRv9qkxdawLx,s=QSXCR+Q6sek8bf92,i=4096",
        "",
        "e=other-error",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct sasl_client c;
        ASSERT_EQ(sasl_client_init(&c, MECH_SCRAM_SHA_256, "user", "pencil", why, sizeof why), 0);
        snprintf(c.nonce, sizeof c.nonce, "fyko+d2lbbFgONRv9qkxdawL");
        initial(&c);
        if (step(&c, bad[i]) != -1) FAIL_AT("server-first %zu: %s", i, bad[i]);
        sasl_client_free(&c);
    }
}

TEST_IMPL(sasl_shapes_and_auto)
{
    struct sasl_client c;
    sasl_client_init(&c, MECH_PLAIN, "bob", "secret", why, sizeof why);
    struct buf out = {0}, shown = {0};
    ASSERT_EQ(sasl_client_initial(&c, &out, &shown), 1);
    ASSERT(out.len == 11 && memcmp(out.data, "\0bob\0secret", 11) == 0);
    buf_free(&out);
    buf_free(&shown);
    sasl_client_init(&c, MECH_XOAUTH2, "bob", "t0k3n-s3cr3t", why, sizeof why);
    initial(&c);
    ASSERT_STR_EQ(got, "user=bob\001auth=Bearer t0k3n-s3cr3t\001\001");
    ASSERT(!strstr(shown_text, "t0k3n"));
    ASSERT_EQ(step(&c, "{\"status\":\"401\"}"), 0);
    ASSERT_STR_EQ(got, "");
    sasl_client_init(&c, MECH_OAUTHBEARER, "b,o=b", "tok", why, sizeof why);
    initial(&c);
    ASSERT_STR_EQ(got, "n,a=b=2Co=3Db,\001auth=Bearer tok\001\001");
    ASSERT_EQ(step(&c, "{\"status\":\"invalid_token\"}"), 0);
    ASSERT_STR_EQ(got, "\001");
    sasl_client_init(&c, MECH_LOGIN, "bob", "secret", why, sizeof why);
    ASSERT_EQ(step(&c, "Username:"), 0);
    ASSERT_STR_EQ(got, "bob");
    ASSERT_EQ(step(&c, "Password:"), 0);
    ASSERT_STR_EQ(got, "secret");
    ASSERT(!strstr(shown_text, "secret"));
    ASSERT_EQ(step(&c, "More:"), -1);
    const char *offer = "PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256 XOAUTH2 OAUTHBEARER GSSAPI";
    ASSERT_EQ(sasl_mech_auto(offer, strlen(offer), false), MECH_SCRAM_SHA_256);
    ASSERT_EQ(sasl_mech_auto(offer, strlen(offer), true), MECH_OAUTHBEARER);
    ASSERT_EQ(sasl_mech_auto("LOGIN PLAIN", 11, false), MECH_PLAIN);
    ASSERT_EQ(sasl_mech_auto("GSSAPI", 6, false), -1);
    ASSERT_EQ(sasl_mech_auto("", 0, true), -1);
    ASSERT_EQ(sasl_mech_find("scram-sha-1"), MECH_SCRAM_SHA_1);
    ASSERT_EQ(sasl_mech_find("SCRAM-SHA-1-PLUS"), -1);
}
