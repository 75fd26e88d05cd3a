/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench-server's protocols: just enough of each for a STARTTLS client.
 * Line protocols (SMTP, LMTP, IMAP, POP3, ManageSieve, NNTP) answer whole
 * lines; the others gather a message in c->line and answer once it is
 * whole (PostgreSQL's SSLRequest, MySQL's, LDAP's BER, XMPP's tags). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "bench/server.h"

static const char *const names[] = {[P_SMTP] = "smtp", [P_IMAP] = "imap",    [P_POP3] = "pop3",
                                    [P_LMTP] = "lmtp", [P_SIEVE] = "sieve",  [P_NNTP] = "nntp",
                                    [P_POSTGRES] = "postgres", [P_MYSQL] = "mysql", [P_LDAP] = "ldap",
                                    [P_XMPP] = "xmpp"};

int proto_of(const char *name)
{
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i] && strcmp(names[i], name) == 0) return (int)i;
    return -1;
}

/* MySQL's Initial Handshake, protocol 10, CLIENT_SSL among the capabilities. */
static const char mysql_greeting[] =
    "Q\x00\x00\x00\x0a" "10.11.0-bench\x00\x01\x00\x00\x00" "abcdefgh\x00\xff\xff!\x02\x00\xff\x81\x15\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00ijklmnopqrst\x00mysql_native_password\x00";

const char *greeting(size_t *len)
{
    const char *g;
    switch (opt.proto) {
    case P_IMAP: g = "* OK [CAPABILITY IMAP4rev1 STARTTLS] bench ready\r\n"; break;
    case P_POP3: g = "+OK bench ready\r\n"; break;
    case P_LMTP: g = "220 bench.invalid LMTP bench\r\n"; break;
    case P_SIEVE:
        g = "\"IMPLEMENTATION\" \"bench\"\r\n\"SASL\" \"\"\r\n\"STARTTLS\"\r\n\"VERSION\" \"1.0\"\r\n"
            "OK \"bench ready\"\r\n";
        break;
    case P_NNTP: g = "200 bench.invalid InterNetNews-like bench ready\r\n"; break;
    case P_MYSQL: *len = sizeof mysql_greeting - 1; return mysql_greeting;
    case P_POSTGRES:
    case P_LDAP:
    case P_XMPP: g = ""; break; /* the client speaks first */
    default: g = "220 bench.invalid ESMTP bench\r\n"; break;
    }
    *len = strlen(g);
    return g;
}

static void smtp_command(struct sconn *c, const char *cmd)
{
    if (!strncasecmp(cmd, "EHLO", 4) || !strncasecmp(cmd, "LHLO", 4)) {
        reply(c, c->ssl ? "250-bench.invalid\r\n250-PIPELINING\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n"
                        : "250-bench.invalid\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n");
    } else if (!strncasecmp(cmd, "HELO", 4)) {
        reply(c, "250 bench.invalid\r\n");
    } else if (!strncasecmp(cmd, "STARTTLS", 8) && !c->ssl) {
        reply(c, "220 2.0.0 Ready to start TLS\r\n");
        start_tls(c);
    } else if (!strncasecmp(cmd, "QUIT", 4)) {
        reply(c, "221 2.0.0 Bye\r\n");
        c->quitting = true;
    } else if (!strncasecmp(cmd, "NOOP", 4) || !strncasecmp(cmd, "RSET", 4)) {
        reply(c, "250 2.0.0 Ok\r\n");
    } else {
        reply(c, "502 5.5.2 Error: command not recognized\r\n");
    }
}

static void imap_command(struct sconn *c, const char *cmd)
{
    char tag[64], out[256];
    const char *sp = strchr(cmd, ' ');
    size_t tl = sp ? (size_t)(sp - cmd) : strlen(cmd);
    if (tl >= sizeof tag) tl = sizeof tag - 1;
    memcpy(tag, cmd, tl);
    tag[tl] = '\0';
    const char *verb = sp ? sp + 1 : "";
    if (!strncasecmp(verb, "CAPABILITY", 10)) {
        snprintf(out, sizeof out, "* CAPABILITY IMAP4rev1 %s\r\n%s OK done\r\n",
                 c->ssl ? "AUTH=PLAIN" : "STARTTLS LOGINDISABLED", tag);
    } else if (!strncasecmp(verb, "STARTTLS", 8) && !c->ssl) {
        snprintf(out, sizeof out, "%s OK Begin TLS negotiation now\r\n", tag);
        reply(c, out);
        start_tls(c);
        return;
    } else if (!strncasecmp(verb, "LOGOUT", 6)) {
        snprintf(out, sizeof out, "* BYE bench\r\n%s OK Logout completed\r\n", tag);
        c->quitting = true;
    } else {
        snprintf(out, sizeof out, "%s BAD unknown command\r\n", tag);
    }
    reply(c, out);
}

static void pop3_command(struct sconn *c, const char *cmd)
{
    if (!strncasecmp(cmd, "CAPA", 4)) {
        reply(c, c->ssl ? "+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n" : "+OK\r\nUSER\r\nSTLS\r\n.\r\n");
    } else if (!strncasecmp(cmd, "STLS", 4) && !c->ssl) {
        reply(c, "+OK Begin TLS\r\n");
        start_tls(c);
    } else if (!strncasecmp(cmd, "QUIT", 4)) {
        reply(c, "+OK bye\r\n");
        c->quitting = true;
    } else {
        reply(c, "-ERR unknown command\r\n");
    }
}

/* ManageSieve (RFC 5804): the capabilities come again, unasked, once the
 * handshake is done (tls_input). */
static const char sieve_caps_tls[] = "\"IMPLEMENTATION\" \"bench\"\r\n\"SASL\" \"PLAIN\"\r\n"
                                     "\"VERSION\" \"1.0\"\r\nOK \"TLS negotiation successful\"\r\n";

static void sieve_command(struct sconn *c, const char *cmd)
{
    if (!strncasecmp(cmd, "STARTTLS", 8) && !c->ssl) {
        reply(c, "OK \"Begin TLS negotiation now\"\r\n");
        start_tls(c);
    } else if (!strncasecmp(cmd, "LOGOUT", 6)) {
        reply(c, "OK \"Logout completed\"\r\n");
        c->quitting = true;
    } else {
        reply(c, "NO \"unknown command\"\r\n");
    }
}

static void nntp_command(struct sconn *c, const char *cmd)
{
    if (!strncasecmp(cmd, "CAPABILITIES", 12)) {
        reply(c, c->ssl ? "101 Capability list:\r\nVERSION 2\r\nREADER\r\nSASL PLAIN\r\n.\r\n"
                        : "101 Capability list:\r\nVERSION 2\r\nREADER\r\nSTARTTLS\r\n.\r\n");
    } else if (!strncasecmp(cmd, "STARTTLS", 8) && !c->ssl) {
        reply(c, "382 Continue with TLS negotiation\r\n");
        start_tls(c);
    } else if (!strncasecmp(cmd, "QUIT", 4)) {
        reply(c, "205 bye\r\n");
        c->quitting = true;
    } else {
        reply(c, "500 What?\r\n");
    }
}

void tls_ready(struct sconn *c)
{
    if (opt.proto == P_SIEVE) reply(c, sieve_caps_tls);
}

/* The gathered message is answered: its n bytes go, the rest stays. */
static void consume(struct sconn *c, size_t n)
{
    memmove(c->line, c->line + n, c->nline - n);
    c->nline -= n;
}

/* An LDAPMessage whole in c->line: its length, or 0. */
static size_t ber_whole(const struct sconn *c)
{
    const unsigned char *u = (const unsigned char *)c->line;
    if (c->nline < 2) return 0;
    size_t h = 2, n = u[1];
    if (u[1] & 0x80) {
        size_t k = u[1] & 0x7f;
        if (k == 0 || k > 2 || c->nline < 2 + k) return 0;
        n = 0;
        for (size_t i = 0; i < k; i++) n = n << 8 | u[2 + i];
        h += k;
    }
    return c->nline >= h + n ? h + n : 0;
}

static const char ldap_ext_ok[] = "\x30\x0c\x02\x01\x01\x78\x07\x0a\x01\x00\x04\x00\x04\x00";
/* A SearchResultEntry of the root DSE (supportedSASLMechanisms: PLAIN
 * SCRAM-SHA-1), then SearchResultDone. */
static const char ldap_entry_done[] =
    "0:\x02\x01\x02" "d5\x04\x00" "010/\x04\x17supportedSASLMechanisms1\x14\x04\x05PLAIN\x04\x0bSCRAM-SHA-10\x0c"
    "\x02\x01\x02" "e\x07\x0a\x01\x00\x04\x00\x04\x00";

/* Answers the binary or XML message in c->line once it is whole. */
static void message_input(struct sconn *c)
{
    size_t n;
    switch (opt.proto) {
    case P_POSTGRES:
        if (c->nline < 8) return;
        consume(c, 8);
        reply_bytes(c, "S", 1);
        start_tls(c);
        return;
    case P_MYSQL:
        if (c->nline < 36) return;
        consume(c, 36);
        start_tls(c); /* no answer: the ClientHello follows at once */
        return;
    case P_LDAP: {
        if (!(n = ber_whole(c))) return;
        unsigned op = n > 5 ? (unsigned char)c->line[5] : 0; /* after 30 LL 02 01 ID */
        consume(c, n);
        if (op == 0x77) { /* ExtendedRequest: StartTLS */
            reply_bytes(c, ldap_ext_ok, sizeof ldap_ext_ok - 1);
            if (!c->ssl) start_tls(c);
        } else if (op == 0x63) { /* SearchRequest: the root DSE */
            reply_bytes(c, ldap_entry_done, sizeof ldap_entry_done - 1);
        } else {
            c->quitting = true; /* UnbindRequest */
        }
        return;
    }
    default: break;
    }
    /* XMPP: a stream header, <starttls/>, or the stream's close. */
    c->line[c->nline] = '\0';
    const char *gt = memchr(c->line, '>', c->nline);
    if (!gt) return;
    n = (size_t)(gt - c->line) + 1;
    if (strstr(c->line, "</stream:stream>") == c->line) {
        reply(c, "</stream:stream>");
        c->quitting = true;
    } else if (strncmp(c->line, "<starttls", 9) == 0) {
        reply(c, "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
        start_tls(c);
    } else if (strstr(c->line, "<stream:stream")) {
        reply(c, "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                 "xmlns:stream='http://etherx.jabber.org/streams' id='b' from='bench.invalid' version='1.0'>");
        reply(c, c->ssl ? "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
                          "<mechanism>PLAIN</mechanism></mechanisms></stream:features>"
                        : "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/>"
                          "</starttls></stream:features>");
    }
    consume(c, n);
}

/* Plaintext (before STARTTLS, or decrypted after it): whole lines, or
 * whole messages. */
void plain_input(struct sconn *c, const char *data, size_t len)
{
    bool lines = opt.proto <= P_NNTP; /* the line protocols come first in enum proto */
    for (size_t i = 0; i < len && !c->quitting && !c->closing; i++) {
        bool was_tls = c->ssl != NULL;
        if (!lines) {
            /* A byte at a time: a message is answered as soon as it is whole. */
            if (c->nline < sizeof c->line - 1) c->line[c->nline++] = data[i];
            message_input(c);
        } else if (data[i] != '\n') {
            if (c->nline < sizeof c->line - 1) c->line[c->nline++] = data[i];
            continue;
        } else {
            if (c->nline && c->line[c->nline - 1] == '\r') c->nline--;
            c->line[c->nline] = '\0';
            c->nline = 0;
            if (opt.proto == P_IMAP) imap_command(c, c->line);
            else if (opt.proto == P_POP3) pop3_command(c, c->line);
            else if (opt.proto == P_SIEVE) sieve_command(c, c->line);
            else if (opt.proto == P_NNTP) nntp_command(c, c->line);
            else smtp_command(c, c->line);
        }
        if (!was_tls && c->ssl && i + 1 < len) {
            /* Bytes after STARTTLS belong to the handshake (or are an
             * injection attempt, which a real server must drop). */
            BIO_write(SSL_get_rbio(c->ssl), data + i + 1, (int)(len - i - 1));
            return;
        }
    }
}
