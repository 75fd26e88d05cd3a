/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MySQL and MariaDB (the client/server protocol's "SSL handshake"): the
 * server speaks first, an Initial Handshake packet (protocol 10: its
 * version, capabilities); when they hold CLIENT_SSL the client sends an
 * SSLRequest packet (a HandshakeResponse cut after its character set) and
 * its TLS ClientHello at once, no answer between. Inside TLS the server
 * waits for the rest of the login: we send none and close. A packet is a
 * 3-byte little-endian length, a sequence number, then the payload. */
#include <stdio.h>
#include <string.h>

#include "scanner/dialog/dialog.h"

enum mysql_state { MYSQL_GREETING };

#define CLIENT_LONG_PASSWORD 0x1u
#define CLIENT_LONG_FLAG 0x4u
#define CLIENT_PROTOCOL_41 0x200u
#define CLIENT_SSL 0x800u
#define CLIENT_TRANSACTIONS 0x2000u
#define CLIENT_SECURE_CONNECTION 0x8000u

/* A greeting is about 100 bytes; a longer claim is not a greeting. */
#define MYSQL_GREETING_MAX 16384

static long mysql_frame(void *ctx, const char *data, size_t len, const char **why)
{
    (void)ctx;
    if (len < 4) return 0;
    const unsigned char *u = (const unsigned char *)data;
    size_t n = (size_t)u[0] | (size_t)u[1] << 8 | (size_t)u[2] << 16;
    if (n == 0 || n > MYSQL_GREETING_MAX) {
        *why = n ? "a greeting packet claiming more than 16 KiB" : "an empty packet";
        return -1;
    }
    return len >= n + 4 ? (long)(n + 4) : 0;
}

/* What a greeting says: its protocol, the server's version, CLIENT_SSL; or
 * an ERR packet's message. */
struct greeting {
    int protocol; /* 10, 9, 0xff for ERR, or another byte */
    const char *version, *message;
    size_t version_len, message_len;
    unsigned caps;
    bool caps_read, whole;
};

static struct greeting read_greeting(const struct reply *r)
{
    struct greeting g = {0};
    const char *pay = r->text.data + 4;
    size_t n = r->text.len - 4, at = 1;
    g.protocol = (unsigned char)pay[0];
    if (g.protocol == 0xff) { /* ERR: code, maybe '#' and a SQL state, message */
        at = n >= 3 ? 3 : n;
        if (at < n && pay[at] == '#') at = n >= at + 6 ? at + 6 : n;
        g.message = pay + at;
        g.message_len = n - at;
        g.whole = true;
        return g;
    }
    const char *nul = memchr(pay + 1, 0, n - 1);
    if (!nul) return g;
    g.version = pay + 1;
    g.version_len = (size_t)(nul - g.version);
    g.whole = true;
    at = (size_t)(nul - pay) + 1 + 4 + 8 + 1; /* connection id, auth data part 1, filler */
    if (g.protocol == 10 && n >= at + 2) {
        g.caps = (unsigned char)pay[at] | (unsigned)(unsigned char)pay[at + 1] << 8;
        g.caps_read = true;
    }
    return g;
}

static void send_ssl_request(struct dialog_session *s)
{
    unsigned caps = CLIENT_LONG_PASSWORD | CLIENT_LONG_FLAG | CLIENT_PROTOCOL_41 | CLIENT_SSL |
                    CLIENT_TRANSACTIONS | CLIENT_SECURE_CONNECTION;
    char pkt[36] = {32, 0, 0, 1}; /* 32 bytes, sequence 1 */
    pkt[4] = (char)(caps & 0xff);
    pkt[5] = (char)(caps >> 8);
    pkt[11] = 1;    /* max packet size 16 MiB, little-endian */
    pkt[12] = 0x21; /* utf8_general_ci; 23 zero bytes follow */
    dialog_send(s, MYSQL_GREETING, pkt, sizeof pkt, "SSLRequest (CLIENT_SSL), then TLS", "TLS handshake");
    dialog_start_tls(s);
}

static void on_reply(struct dialog_session *s, const struct reply *r)
{
    struct greeting g = read_greeting(r);
    if (g.version) text_set(&s->result->banner, g.version, g.version_len);
    if (g.protocol == 0xff) {
        dialog_quit(s, ST_SERVER_REFUSED, "greeting: ERR %.*s", (int)g.message_len, g.message);
    } else if (!g.whole) {
        dialog_quit(s, ST_PROTOCOL_ERROR, "a greeting of protocol %d without the end of its version", g.protocol);
    } else if (g.protocol == 9) {
        s->result->starttls = TRI_NO;
        dialog_quit(s, ST_NO_STARTTLS, "protocol version 9, which has no TLS");
    } else if (g.protocol != 10) {
        dialog_quit(s, ST_PROTOCOL_ERROR, "a greeting of protocol version %d (10 expected)", g.protocol);
    } else if (!g.caps_read) {
        dialog_quit(s, ST_PROTOCOL_ERROR, "a greeting cut before its capabilities");
    } else if (!(g.caps & CLIENT_SSL)) {
        s->result->starttls = TRI_NO;
        dialog_quit(s, ST_NO_STARTTLS, "the server's capabilities lack CLIENT_SSL");
    } else {
        s->result->starttls = TRI_YES;
        send_ssl_request(s);
    }
}

static void describe(const struct reply *r, struct text *out)
{
    struct greeting g = read_greeting(r);
    if (g.protocol == 0xff)
        text_printf(out, "ERR %.*s", (int)g.message_len, g.message);
    else if (g.version)
        text_printf(out, "greeting: protocol %d, server %.*s%s", g.protocol, (int)g.version_len, g.version,
                    !g.caps_read ? "" : g.caps & CLIENT_SSL ? ", CLIENT_SSL" : ", no CLIENT_SSL");
    else
        text_printf(out, "a packet of %zu bytes", r->text.len);
}

const struct dialog mysql_dialog = {
    .frame = mysql_frame,
    .describe = describe,
    .on_start = dialog_wait_greeting,
    .on_reply = on_reply,
    .on_tls_ready = dialog_done, /* the handshake is the verdict; no goodbye in this protocol */
};
