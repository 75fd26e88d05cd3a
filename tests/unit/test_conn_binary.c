/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The binary dialogs (PostgreSQL, MySQL, LDAP) against hostile scripted
 * peers: refusals, servers without TLS, lengths that claim gigabytes or are
 * indefinite, garbage, injection; each at several splits, each a precise
 * status, in bounded time (the peer's script ends, the loop closes). */
#include <string.h>

#include "tests/unit/peer.h"

static const char pg_ssl_request[] = {0, 0, 0, 8, 0x04, (char)0xd2, 0x16, 0x2f};
static const char ldap_starttls[] = "\x30\x1d\x02\x01\x01\x77\x18\x80\x16" "1.3.6.1.4.1.1466.20037";
static const char ldap_unbind[] = {0x30, 0x05, 0x02, 0x01, 0x03, 0x42, 0x00};

static void run_expect(const char *service, const struct step *steps, enum scan_status st, enum tri starttls,
                       const char *error_part)
{
    for (size_t split = 0; split < 12; split += 5) {
        struct outcome o;
        run(service, steps, split, &o);
        expect(&o, st, starttls, error_part);
        probe_result_free(&o.result);
    }
}

TEST_IMPL(conn_postgres_answers)
{
    static const char error[] = "E\0\0\0\x1fSFATAL\0MNo SSL here today\0\0";
    static const char huge_error[] = "E\xff\xff\xff\xff";
    static const struct step no[] = {{'B', pg_ssl_request, 8}, {'S', "N", 1}, {0, NULL, 0}};
    static const struct step err[] = {{'B', pg_ssl_request, 8}, {'S', error, sizeof error - 1}, {0, NULL, 0}};
    static const struct step huge[] = {{'B', pg_ssl_request, 8}, {'S', huge_error, 5}, {0, NULL, 0}};
    static const struct step garbage[] = {{'B', pg_ssl_request, 8}, {'S', "HTTP/1.0 400 Bad\r\n", 0}, {0, NULL, 0}};
    static const struct step injected[] = {{'B', pg_ssl_request, 8}, {'S', "SX", 2}, {0, NULL, 0}};
    static const struct step silent[] = {{'B', pg_ssl_request, 8}, {'W', NULL, 0}, {0, NULL, 0}};
    run_expect("postgres", no, ST_NO_STARTTLS, TRI_NO, "answered N to SSLRequest");
    run_expect("postgres", err, ST_STARTTLS_REFUSED, TRI_NO, "ErrorResponse: No SSL here today");
    run_expect("postgres", huge, ST_PROTOCOL_ERROR, TRI_UNKNOWN, "an ErrorResponse of an impossible length");
    run_expect("postgres", garbage, ST_PROTOCOL_ERROR, TRI_UNKNOWN, "byte 0x48, not S, N or E");
    struct outcome o;
    run("postgres", injected, 0, &o);
    expect(&o, ST_PROTOCOL_ERROR, TRI_YES, "response injection");
    probe_result_free(&o.result);
    run("postgres", silent, 0, &o);
    expect(&o, ST_TIMEOUT, TRI_UNKNOWN, "SSLRequest reply: nothing for 0.3s");
    probe_result_free(&o.result);
}

/* A greeting packet: protocol, version, capabilities (cut: none). */
static size_t mysql_greeting(char *out, int protocol, const char *version, unsigned caps, bool cut)
{
    size_t n = 4;
    out[n++] = (char)protocol;
    memcpy(out + n, version, strlen(version) + 1);
    n += strlen(version) + 1;
    memset(out + n, 'a', 13); /* connection id, auth data, filler */
    n += 13;
    if (!cut) {
        out[n++] = (char)(caps & 0xff);
        out[n++] = (char)(caps >> 8);
    }
    out[0] = (char)(n - 4);
    out[1] = out[2] = 0;
    out[3] = 0;
    return n;
}

TEST_IMPL(conn_mysql_answers)
{
    static char plain[64], v9[64], cut[64];
    size_t np = mysql_greeting(plain, 10, "8.0.36-test", 0xf7ff & ~0x800u, false);
    size_t n9 = mysql_greeting(v9, 9, "3.20.32", 0, true);
    size_t nc = mysql_greeting(cut, 10, "8.0.36-test", 0, true);
    static const char err[] = "\x1b\0\0\0\xff\x69\x04Host 'x' is blocked here";
    static const char claim[] = "\xff\xff\xff\x00";
    struct step no_ssl[] = {{'S', plain, np}, {0, NULL, 0}};
    struct step old[] = {{'S', v9, n9}, {0, NULL, 0}};
    struct step short_greeting[] = {{'S', cut, nc}, {0, NULL, 0}};
    static const struct step refused[] = {{'S', err, sizeof err - 1}, {0, NULL, 0}};
    static const struct step huge[] = {{'S', claim, 4}, {0, NULL, 0}};
    static const struct step endless_version[] = {{'S', "\x40\0\0\0\x0a" "5.5.5-no-end-of-version-string-here-at-all-just-more-bytes-and-more", 68},
                                                  {0, NULL, 0}};
    run_expect("mysql", no_ssl, ST_NO_STARTTLS, TRI_NO, "the server's capabilities lack CLIENT_SSL");
    run_expect("mysql", old, ST_NO_STARTTLS, TRI_NO, "protocol version 9, which has no TLS");
    run_expect("mysql", short_greeting, ST_PROTOCOL_ERROR, TRI_UNKNOWN, "a greeting cut before its capabilities");
    run_expect("mysql", refused, ST_SERVER_REFUSED, TRI_UNKNOWN, "greeting: ERR Host 'x' is blocked here");
    run_expect("mysql", huge, ST_PROTOCOL_ERROR, TRI_UNKNOWN, "a greeting packet claiming more than 16 KiB");
    run_expect("mysql", endless_version, ST_PROTOCOL_ERROR, TRI_UNKNOWN, "without the end of its version");
    struct outcome o;
    run("mysql", no_ssl, 0, &o);
    ASSERT_STR_EQ(o.result.banner.p, "8.0.36-test");
    probe_result_free(&o.result);
}

/* An ExtendedResponse: message id, resultCode, diagnosticMessage. */
static size_t ldap_response(char *out, int id, int code, const char *diag)
{
    size_t d = strlen(diag), op = 3 + 2 + 2 + d;
    size_t n = 0;
    out[n++] = 0x30;
    out[n++] = (char)(3 + 2 + op);
    memcpy(out + n, "\x02\x01", 2);
    n += 2;
    out[n++] = (char)id;
    out[n++] = 0x78;
    out[n++] = (char)op;
    memcpy(out + n, "\x0a\x01", 2);
    n += 2;
    out[n++] = (char)code;
    memcpy(out + n, "\x04\x00\x04", 3);
    n += 3;
    out[n++] = (char)d;
    memcpy(out + n, diag, d);
    return n + d;
}

TEST_IMPL(conn_ldap_answers)
{
    static char unsupported[80], unavailable[80], notice[80];
    size_t nu = ldap_response(unsupported, 1, 2, "unsupported extended operation");
    size_t na = ldap_response(unavailable, 1, 52, "TLS not configured");
    size_t nn = ldap_response(notice, 0, 52, "shutting down");
    size_t req = sizeof ldap_starttls - 1;
    struct step no[] = {{'B', ldap_starttls, req}, {'S', unsupported, nu}, {'B', ldap_unbind, 7}, {0, NULL, 0}};
    struct step refused[] = {{'B', ldap_starttls, req}, {'S', unavailable, na}, {'B', ldap_unbind, 7}, {0, NULL, 0}};
    struct step bye[] = {{'B', ldap_starttls, req}, {'S', notice, nn}, {0, NULL, 0}};
    struct step four_gib[] = {{'B', ldap_starttls, req}, {'S', "\x30\x84\xff\xff\xff\xff\x02\x01\x01", 9}, {0, NULL, 0}};
    struct step indefinite[] = {{'B', ldap_starttls, req}, {'S', "\x30\x80\x02\x01\x01", 5}, {0, NULL, 0}};
    struct step garbage[] = {{'B', ldap_starttls, req}, {'S', "HTTP/1.1 400 Bad Request\r\n", 0}, {0, NULL, 0}};
    struct step inner[] = {{'B', ldap_starttls, req}, {'S', "\x30\x06\x02\x01\x01\x78\x81\x7f", 8}, {0, NULL, 0}};
    run_expect("ldap", no, ST_NO_STARTTLS, TRI_NO, "StartTLS: protocolError (2): unsupported extended operation");
    run_expect("ldap", refused, ST_STARTTLS_REFUSED, TRI_YES, "StartTLS: unavailable (52): TLS not configured");
    run_expect("ldap", bye, ST_SERVER_REFUSED, TRI_UNKNOWN, "notice of disconnection: unavailable (52): shutting down");
    run_expect("ldap", four_gib, ST_PROTOCOL_ERROR, TRI_UNKNOWN, "an LDAPMessage claiming more than 60 KiB");
    run_expect("ldap", indefinite, ST_PROTOCOL_ERROR, TRI_UNKNOWN, "an indefinite BER length");
    run_expect("ldap", garbage, ST_PROTOCOL_ERROR, TRI_UNKNOWN, "not an LDAPMessage");
    run_expect("ldap", inner, ST_PROTOCOL_ERROR, TRI_UNKNOWN, "a malformed LDAPMessage during StartTLS");
}
