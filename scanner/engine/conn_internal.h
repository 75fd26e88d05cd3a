/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The connection's three files, read top to bottom; each calls only the
 * files below it:
 *   conn.c      its life: connect, reads, the dialog's actions and replies,
 *               the end (finish once, then close)
 *   conn_tls.c  its TLS phase: wolfSSL's handshake, or our own ClientHello
 *               and the server's plaintext answer; the --max-tls gate
 *   conn_io.c   its writes, and the silence timer
 * What goes up goes through c->ends, the callbacks conn.c sets at creation.
 * Not for anyone else. */
#ifndef STS_CONN_INTERNAL_H
#define STS_CONN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "scanner/engine/conn.h"

/* The observer, if any, hears about c (and the event's arguments). */
#define CONN_TELL(c, event, ...)                                                                   \
    do {                                                                                           \
        const struct scan_observer *o_ = (c)->params->observer;                                    \
        if (o_ && o_->event) o_->event((c)->params->observer_arg, (c), __VA_ARGS__);               \
    } while (0)
#define CONN_TELL0(c, event)                                                                       \
    do {                                                                                           \
        const struct scan_observer *o_ = (c)->params->observer;                                    \
        if (o_ && o_->event) o_->event((c)->params->observer_arg, (c));                            \
    } while (0)

/* conn.c's, for the files below it. */
struct conn_ends {
    /* Finishes once, with this status and error; later calls do nothing. */
    void (*finish)(struct conn *c, enum scan_status st, const char *error);
    /* Something failed: before the verdict that is the outcome; after it
     * (goodbye sent, or the handshake done) the verdict stands. */
    void (*fail)(struct conn *c, enum scan_status st, const char *error);
    /* The phase's silence, or the overall deadline, ran out. */
    void (*silence)(struct conn *c);
    /* Plaintext out of TLS, for the dialog. */
    void (*plaintext)(struct conn *c, const char *data, size_t len);
    /* The server closed (or sent close_notify) inside TLS. */
    void (*peer_closed)(struct conn *c);
};

/* conn_io.c */
/* Writes bytes to the socket as they are (tls_send_fn for wolfSSL). */
int conn_write_raw(void *owner, const char *data, size_t len);
/* A line with CRLF, in TLS when it is up; the transcript shows `shown`. */
void conn_send_line(struct conn *c, const char *line, const char *shown);
/* The same bytes as they are (a binary protocol's message). */
void conn_send_bytes(struct conn *c, const char *data, size_t len, const char *shown);
/* Sends what a read's answer gathered, in one write. */
void conn_uncork(struct conn *c);
/* Re-arms the phase's silence timer (the timer fires early at most). */
void conn_expect(struct conn *c, const char *phase, uint64_t timeout_ms);

/* conn_tls.c */
/* STARTTLS was accepted (or the service is implicit TLS): through the
 * --max-tls gate, then the handshake. */
void conn_start_tls(struct conn *c);
/* Bytes received while the TLS phase lasts. */
void conn_tls_input(struct conn *c, const char *data, size_t len);
/* The server closed or reset during the TLS phase: why, in words. */
void conn_tls_ended_by_peer(struct conn *c, bool eof, char *why, size_t len);
/* The connection ends: its TLS slot, or its place in the queue for one, goes back. */
void conn_tls_release(struct conn *c);

#endif
