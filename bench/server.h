/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench-server's parts: the connection machinery (bench/server.c) and the
 * protocols it speaks (bench/server_dialogs.c). */
#ifndef STS_BENCH_SERVER_H
#define STS_BENCH_SERVER_H

#include <openssl/ssl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

/* The line protocols first (up to P_NNTP), then the others. */
enum proto { P_SMTP, P_IMAP, P_POP3, P_LMTP, P_SIEVE, P_NNTP, P_POSTGRES, P_MYSQL, P_LDAP, P_XMPP };

struct bench_options {
    enum proto proto;
    int port;
    unsigned delay_ms, greeting_ms;
    int threads;
    SSL_CTX **ctx;
    int nctx;
    bool mix;
};
extern struct bench_options opt;

enum kind { K_NORMAL, K_SILENT, K_TARPIT, K_REFUSE };

struct sconn {
    uv_tcp_t tcp;
    uv_timer_t timer;
    SSL *ssl;
    uint32_t addr;  /* the local address the client chose, host order */
    char *pending;  /* bytes received, not yet answered */
    size_t npending, cap;
    char line[1024]; /* plaintext command (or binary message) being assembled */
    size_t nline;
    bool greeted, quitting, closing;
    enum kind kind;
    unsigned delay_ms, greeting_ms; /* this connection's: opt's, or the mix's */
    int handles;    /* open libuv handles; the struct goes when both closed */
};

/* bench/server.c */
void sconn_close(struct sconn *c);
void send_raw(struct sconn *c, const char *data, size_t len);
void flush_tls(struct sconn *c);
void reply(struct sconn *c, const char *text);
void reply_bytes(struct sconn *c, const char *data, size_t len);
void start_tls(struct sconn *c);

/* bench/server_dialogs.c */
/* The protocol of that name (-1: none). */
int proto_of(const char *name);
/* What the server says first (binary for MySQL; nothing for the protocols
 * whose client speaks first). */
const char *greeting(size_t *len);
/* The handshake is done: what the protocol says unasked (ManageSieve's
 * capabilities), if anything. */
void tls_ready(struct sconn *c);
/* Plaintext bytes, before STARTTLS or decrypted after it. */
void plain_input(struct sconn *c, const char *data, size_t len);

#endif
