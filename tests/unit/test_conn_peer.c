/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A dialog and the connection engine against a scripted peer on a loopback
 * listener (no root, no namespace): the real conn, reply reader and dialog
 * code, with the peer's replies split at every byte, refusals, injection,
 * silence. The loop must close clean after each. */
#include <stdlib.h>

#include "tests/unit/peer.h"

TEST_IMPL(conn_smtp_replies_at_every_split)
{
    static const struct step steps[] = {
        {'S', "220-mx.test.example first\r\n220 ESMTP ready\r\n", 0}, {'C', "EHLO client.test.example", 0},
        {'S', "250-mx\r\n250-starttls\r\n250 8BITMIME\r\n", 0},          {'C', "STARTTLS", 0},
        {'S', "454 4.7.0 TLS not available\r\n", 0},                     {'C', "QUIT", 0},
        {'S', "221 bye\r\n", 0},                                         {0, NULL, 0}};
    for (size_t split = 0; split < 42; split++) {
        struct outcome o;
        run("smtp", steps, split, &o);
        expect(&o, ST_STARTTLS_REFUSED, TRI_YES, "STARTTLS: 454 4.7.0 TLS not available");
        ASSERT_STR_EQ(o.result.banner.p, "220-mx.test.example first | 220 ESMTP ready");
        probe_result_free(&o.result);
    }
}

TEST_IMPL(conn_smtp_refusals_and_injection)
{
    static const struct step not_offered[] = {
        {'S', "220 mx\r\n", 0}, {'C', "EHLO", 0}, {'S', "250 mx\r\n", 0}, {'C', "STARTTLS", 0},
        {'S', "502 5.5.1 no\r\n", 0}, {'C', "QUIT", 0}, {'S', "221 bye\r\n", 0}, {0, NULL, 0}};
    static const struct step greylisted[] = {{'S', "421 4.7.0 try again later\r\n", 0}, {'C', "QUIT", 0}, {0, NULL, 0}};
    static const struct step injected[] = {
        {'S', "220 mx\r\n", 0}, {'C', "EHLO", 0}, {'S', "250-mx\r\n250 STARTTLS\r\n", 0}, {'C', "STARTTLS", 0},
        {'S', "220 go ahead\r\n250-INJECTED\r\n", 0}, {0, NULL, 0}};
    static const struct step silent[] = {{'W', NULL, 0}, {0, NULL, 0}};
    static const struct step hangup[] = {{'S', "220 mx\r\n", 0}, {'C', "EHLO", 0}, {'X', NULL, 0}, {0, NULL, 0}};
    struct outcome o;
    run("smtp", not_offered, 0, &o);
    expect(&o, ST_NO_STARTTLS, TRI_NO, "tried anyway: 502 5.5.1 no");
    probe_result_free(&o.result);
    run("smtp", greylisted, 0, &o);
    expect(&o, ST_SERVER_REFUSED, TRI_UNKNOWN, "greeting: 421");
    ASSERT(o.result.transient);
    probe_result_free(&o.result);
    run("smtp", injected, 0, &o);
    expect(&o, ST_PROTOCOL_ERROR, TRI_YES, "response injection");
    probe_result_free(&o.result);
    run("smtp", silent, 0, &o);
    expect(&o, ST_TIMEOUT, TRI_UNKNOWN, "greeting: nothing for 0.2s");
    ASSERT(o.result.transient);
    probe_result_free(&o.result);
    run("smtp", hangup, 0, &o);
    expect(&o, ST_PROTOCOL_ERROR, TRI_UNKNOWN, "closed by the server during EHLO reply");
    probe_result_free(&o.result);
}

TEST_IMPL(conn_imap_pop3_ftp_dialogs)
{
    static const struct step imap[] = {
        {'S', "* OK [CAPABILITY IMAP4rev1] hi\r\n", 0}, {'C', "A1 CAPABILITY", 0},
        {'S', "* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN\r\nA1 OK done\r\n", 0}, {'C', "A2 STARTTLS", 0},
        {'S', "A2 NO not now\r\n", 0}, {'C', "A9 LOGOUT", 0}, {'S', "* BYE\r\nA9 OK\r\n", 0}, {0, NULL, 0}};
    static const struct step pop3[] = {
        {'S', "+OK hi\r\n", 0}, {'C', "CAPA", 0}, {'S', "+OK\r\nUSER\r\nSASL PLAIN\r\nSTLS\r\n.\r\n", 0},
        {'C', "STLS", 0}, {'S', "-ERR not now\r\n", 0}, {'C', "QUIT", 0}, {'S', "+OK\r\n", 0}, {0, NULL, 0}};
    static const struct step ftp[] = {
        {'S', "220-welcome\r\n  to the test\r\n220 ready\r\n", 0}, {'C', "FEAT", 0},
        {'S', "211-Features:\r\n MDTM\r\n211 End\r\n", 0}, {'C', "AUTH TLS", 0},
        {'S', "502 no\r\n", 0}, {'C', "QUIT", 0}, {'S', "221 bye\r\n", 0}, {0, NULL, 0}};
    struct outcome o;
    for (size_t split = 0; split < 30; split += 3) {
        run("imap", imap, split, &o);
        expect(&o, ST_STARTTLS_REFUSED, TRI_YES, "STARTTLS: A2 NO not now");
        ASSERT_STR_EQ(o.result.auth_mechs_plain.p, "PLAIN");
        probe_result_free(&o.result);
        run("pop3", pop3, split, &o);
        expect(&o, ST_STARTTLS_REFUSED, TRI_YES, "STLS: -ERR not now");
        probe_result_free(&o.result);
        run("ftp", ftp, split, &o);
        expect(&o, ST_NO_STARTTLS, TRI_NO, "AUTH TLS not offered in the FEAT reply, and AUTH TLS refused");
        ASSERT_STR_EQ(o.result.banner.p, "220-welcome |   to the test | 220 ready");
        probe_result_free(&o.result);
    }
}

/* ManageSieve: the greeting is the capability list up to OK; a NO to
 * STARTTLS is a refusal. LMTP: LHLO, and no HELO after a 5xx. */
TEST_IMPL(conn_sieve_lmtp_dialogs)
{
    static const struct step sieve[] = {
        {'S', "\"IMPLEMENTATION\" \"Test Sieve\"\r\n\"SASL\" \"\"\r\n\"STARTTLS\"\r\nOK \"ready\"\r\n", 0},
        {'C', "STARTTLS", 0}, {'S', "NO \"not now\"\r\n", 0}, {'C', "LOGOUT", 0}, {'S', "OK \"bye\"\r\n", 0}, {0, NULL, 0}};
    static const struct step sieve_bye[] = {{'S', "BYE \"too busy\"\r\n", 0}, {'C', "LOGOUT", 0}, {0, NULL, 0}};
    static const struct step sieve_unadvertised[] = {
        {'S', "\"IMPLEMENTATION\" \"X\"\r\n\"SASL\" \"PLAIN\"\r\nOK\r\n", 0}, {'C', "STARTTLS", 0},
        {'S', "NO\r\n", 0}, {'C', "LOGOUT", 0}, {'S', "OK\r\n", 0}, {0, NULL, 0}};
    static const struct step lmtp[] = {
        {'S', "220 lmtp ready\r\n", 0}, {'C', "LHLO client.test.example", 0}, {'S', "500 what\r\n", 0}, {'C', "QUIT", 0},
        {'S', "221 bye\r\n", 0}, {0, NULL, 0}};
    struct outcome o;
    for (size_t split = 0; split < 30; split += 3) {
        run("sieve", sieve, split, &o);
        expect(&o, ST_STARTTLS_REFUSED, TRI_YES, "STARTTLS: NO \"not now\"");
        ASSERT_STR_EQ(o.result.banner.p, "Test Sieve");
        ASSERT(o.result.auth_mechs_plain.len == 0);
        probe_result_free(&o.result);
        run("sieve", sieve_bye, split, &o);
        expect(&o, ST_SERVER_REFUSED, TRI_UNKNOWN, "greeting: BYE \"too busy\"");
        probe_result_free(&o.result);
        run("sieve", sieve_unadvertised, split, &o);
        expect(&o, ST_NO_STARTTLS, TRI_NO, "STARTTLS not in the capabilities; tried anyway: NO");
        ASSERT_STR_EQ(o.result.auth_mechs_plain.p, "PLAIN");
        probe_result_free(&o.result);
        run("lmtp", lmtp, split, &o);
        expect(&o, ST_SERVER_REFUSED, TRI_UNKNOWN, "LHLO: 500 what");
        probe_result_free(&o.result);
    }
    /* A capability list that never ends: the reader's bounds stop it. */
    size_t n = 300 * 12 + 1;
    char *endless = malloc(n);
    ASSERT(endless != NULL);
    for (int i = 0; i < 300; i++) memcpy(endless + 12 * i, "\"X\" \"Y\"   \r\n", 12);
    endless[n - 1] = '\0';
    struct step flood[] = {{'S', endless, 0}, {0, NULL, 0}};
    run("sieve", flood, 0, &o);
    expect(&o, ST_PROTOCOL_ERROR, TRI_UNKNOWN, "too many lines in one reply during greeting");
    probe_result_free(&o.result);
    free(endless);
}

/* NNTP: a 502 to STARTTLS after capabilities without it, a server with no
 * CAPABILITIES (RFC 977), a 580 refusal, a 400 greeting, a malformed line. */
TEST_IMPL(conn_nntp_dialogs)
{
    static const struct step not_offered[] = {
        {'S', "200 news ready\r\n", 0}, {'C', "CAPABILITIES", 0},
        {'S', "101 Capability list:\r\nVERSION 2\r\nREADER\r\nSASL PLAIN\r\n.\r\n", 0}, {'C', "STARTTLS", 0},
        {'S', "502 Command unavailable\r\n", 0}, {'C', "QUIT", 0}, {'S', "205 bye\r\n", 0}, {0, NULL, 0}};
    static const struct step old[] = {
        {'S', "200 news ready\r\n", 0}, {'C', "CAPABILITIES", 0}, {'S', "500 What?\r\n", 0},
        {'C', "STARTTLS", 0}, {'S', "500 What?\r\n", 0}, {'C', "QUIT", 0}, {'S', "205 bye\r\n", 0}, {0, NULL, 0}};
    static const struct step refused[] = {
        {'S', "201 news ready\r\n", 0}, {'C', "CAPABILITIES", 0},
        {'S', "101 Capability list:\r\nVERSION 2\r\nSTARTTLS\r\n.\r\n", 0}, {'C', "STARTTLS", 0},
        {'S', "580 Can not initiate TLS negotiation\r\n", 0}, {'C', "QUIT", 0}, {'S', "205 bye\r\n", 0},
        {0, NULL, 0}};
    static const struct step busy[] = {{'S', "400 Service temporarily unavailable\r\n", 0}, {'C', "QUIT", 0},
                                       {0, NULL, 0}};
    static const struct step garbage[] = {{'S', "HTTP/1.0 400 Bad Request\r\n", 0}, {0, NULL, 0}};
    struct outcome o;
    for (size_t split = 0; split < 30; split += 7) {
        run("nntp", not_offered, split, &o);
        expect(&o, ST_NO_STARTTLS, TRI_NO, "STARTTLS not in the capabilities, and STARTTLS refused: 502");
        ASSERT_STR_EQ(o.result.auth_mechs_plain.p, "PLAIN");
        ASSERT_STR_EQ(o.result.banner.p, "200 news ready");
        probe_result_free(&o.result);
        run("nntp", old, split, &o);
        expect(&o, ST_NO_STARTTLS, TRI_NO, "no capabilities, and STARTTLS refused: 500 What?");
        probe_result_free(&o.result);
        run("nntp", refused, split, &o);
        expect(&o, ST_STARTTLS_REFUSED, TRI_YES, "STARTTLS: 580 Can not initiate TLS negotiation");
        probe_result_free(&o.result);
        run("nntp", busy, split, &o);
        expect(&o, ST_SERVER_REFUSED, TRI_UNKNOWN, "greeting: 400 Service temporarily unavailable");
        ASSERT(o.result.transient);
        probe_result_free(&o.result);
        run("nntp", garbage, split, &o);
        expect(&o, ST_PROTOCOL_ERROR, TRI_UNKNOWN, "malformed reply line during greeting");
        probe_result_free(&o.result);
    }
}
