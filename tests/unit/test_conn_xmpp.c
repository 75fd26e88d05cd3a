/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The XMPP dialog against hostile scripted peers: an entity-expansion
 * bomb, a 10-MiB attribute, features without STARTTLS, a stream error, a
 * stream without version 1.0, a stream that is not XMPP, an answer to
 * <starttls/> that is neither <proceed/> nor <failure/>; each at several
 * splits, each a precise status in bounded time and memory. */
#include <stdlib.h>
#include <string.h>

#include "tests/unit/peer.h"

#define HEADER                                                                                     \
    "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "                                  \
    "xmlns:stream='http://etherx.jabber.org/streams' to='mx.test.example' version='1.0'>"
#define SERVER_HEADER                                                                              \
    "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "                                  \
    "xmlns:stream='http://etherx.jabber.org/streams' from='mx.test.example' id='x1' version='1.0'>"
#define STARTTLS "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
#define CLOSE "</stream:stream>"

static void run_expect(const struct step *steps, enum scan_status st, enum tri starttls, const char *error_part)
{
    for (size_t split = 0; split < 200; split += 37) {
        struct outcome o;
        run("xmpp", steps, split, &o);
        expect(&o, st, starttls, error_part);
        probe_result_free(&o.result);
    }
}

TEST_IMPL(conn_xmpp_refusals)
{
    static const struct step failure[] = {
        {'B', HEADER, sizeof HEADER - 1},
        {'S', SERVER_HEADER "\n<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
              "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism>"
              "</mechanisms></stream:features>", 0},
        {'B', STARTTLS, sizeof STARTTLS - 1},
        {'S', "<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>" CLOSE, 0},
        {'B', CLOSE, sizeof CLOSE - 1}, {0, NULL, 0}};
    static const struct step unadvertised[] = {
        {'B', HEADER, sizeof HEADER - 1}, {'S', SERVER_HEADER "<stream:features/>", 0},
        {'B', STARTTLS, sizeof STARTTLS - 1}, {'S', "<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", 0},
        {0, NULL, 0}};
    static const struct step stream_error[] = {
        {'B', HEADER, sizeof HEADER - 1},
        {'S', SERVER_HEADER "<stream:error><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
              "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>no</text></stream:error>" CLOSE, 0},
        {0, NULL, 0}};
    static const struct step old[] = {
        {'B', HEADER, sizeof HEADER - 1},
        {'S', "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='a'>", 0},
        {0, NULL, 0}};
    static const struct step odd_answer[] = {
        {'B', HEADER, sizeof HEADER - 1}, {'S', SERVER_HEADER "<stream:features/>", 0},
        {'B', STARTTLS, sizeof STARTTLS - 1}, {'S', "<message xmlns='jabber:client'/>", 0}, {0, NULL, 0}};
    static const struct step not_xmpp[] = {
        {'B', HEADER, sizeof HEADER - 1}, {'S', "<html><body>hello</body></html>", 0}, {0, NULL, 0}};
    static const struct step not_xml[] = {
        {'B', HEADER, sizeof HEADER - 1}, {'S', "220 mail.example ESMTP\r\n", 0}, {0, NULL, 0}};
    run_expect(failure, ST_STARTTLS_REFUSED, TRI_YES, "STARTTLS: <failure/>");
    run_expect(unadvertised, ST_NO_STARTTLS, TRI_NO, "STARTTLS not in the stream features; tried anyway");
    run_expect(stream_error, ST_SERVER_REFUSED, TRI_UNKNOWN, "stream error: host-unknown");
    run_expect(old, ST_NO_STARTTLS, TRI_NO, "the stream's version is '', not 1.0");
    run_expect(odd_answer, ST_PROTOCOL_ERROR, TRI_NO, "unexpected <message> in answer to <starttls/>");
    run_expect(not_xmpp, ST_PROTOCOL_ERROR, TRI_UNKNOWN, "not an XMPP stream");
    run_expect(not_xml, ST_PROTOCOL_ERROR, TRI_UNKNOWN, "syntax error");
    struct outcome o;
    run("xmpp", failure, 0, &o);
    ASSERT_STR_EQ(o.result.auth_mechs_plain.p, "PLAIN");
    probe_result_free(&o.result);
}

TEST_IMPL(conn_xmpp_hostile_xml)
{
    /* Billion laughs: refused at its DOCTYPE, before any entity is declared. */
    static const struct step bomb[] = {
        {'B', HEADER, sizeof HEADER - 1},
        {'S', "<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'>"
              "<!ENTITY lol2 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>"
              "<!ENTITY lol3 '&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'>]>"
              "<stream:stream xmlns:stream='http://etherx.jabber.org/streams' a='&lol3;'>", 0},
        {0, NULL, 0}};
    run_expect(bomb, ST_PROTOCOL_ERROR, TRI_UNKNOWN, "a DOCTYPE in the stream (RFC 6120 11.1 forbids it)");
    /* A 10-MiB attribute: the reader's bound of 64 KiB a unit stops it. */
    size_t big = 10u << 20;
    char *huge = malloc(big + 200);
    ASSERT(huge != NULL);
    int head = snprintf(huge, 200, "%s<stream:features a='", SERVER_HEADER);
    memset(huge + head, 'x', big);
    huge[head + big] = '\0';
    struct step flood[] = {{'B', HEADER, sizeof HEADER - 1}, {'S', huge, 0}, {0, NULL, 0}};
    struct outcome o;
    run("xmpp", flood, 0, &o);
    expect(&o, ST_PROTOCOL_ERROR, TRI_UNKNOWN, "reply too long during stream features");
    probe_result_free(&o.result);
    free(huge);
}
