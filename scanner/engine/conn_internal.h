/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the connection's files: conn.c (its life), conn_io.c (its
 * writes and the dialog's ops) and conn_tls.c (its TLS phase). Not for
 * anyone else. */
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

/* Finishes once: the result's status and error, then close. */
void conn_finish(struct conn *c, enum scan_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Once the verdict is known, whatever happens next finishes with it. */
void conn_finish_with_verdict(struct conn *c);
/* The server closed (or sent close_notify) after the verdict: a dialog with
 * on_close hears it first (an HTTP body delimited by the close). */
void conn_closed_by_peer(struct conn *c);
/* Something failed: after the verdict (goodbye sent, or the handshake
 * done) that changes nothing; before it, it is the outcome. */
void conn_fail(struct conn *c, enum scan_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Is the verdict already known? */
bool conn_decided(const struct conn *c);
/* Re-arms the phase's silence timer (the timer fires early at most). */
void conn_expect(struct conn *c, const char *phase, uint64_t timeout_ms);

/* conn_io.c */
extern const struct dialog_ops conn_dialog_ops;
/* Writes bytes to the socket as they are (tls_send_fn for wolfSSL). */
int conn_write_raw(void *owner, const char *data, size_t len);
/* Sends what a read's answer gathered, in one write. */
void conn_uncork(struct conn *c);
/* Feeds decrypted or plaintext bytes to the reply reader and the dialog.
 * In plaintext it stops once the dialog switches to TLS; *used says how far. */
void conn_feed_replies(struct conn *c, const char *data, size_t len, size_t *used);
/* CVE-2011-0411 class: plaintext after the reply to STARTTLS. */
void conn_finish_injected(struct conn *c, size_t n);

/* conn_tls.c */
void conn_start_tls(struct conn *c);
/* Bytes received while the TLS phase lasts. */
void conn_tls_input(struct conn *c, const char *data, size_t len);
/* The connection ends: its TLS slot, or its place in the queue for one, goes back. */
void conn_tls_release(struct conn *c);

#endif
