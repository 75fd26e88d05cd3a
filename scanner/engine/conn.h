/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One connection: TCP, deadline timer, reply reader and, during the TLS
 * phase only, a tls_link (or our own ClientHello and the reader of the
 * server's plaintext hello). It is handed its parameters and its owner at
 * creation and reports upward only through them, as tlsuv's tls_link does:
 * it never names the probe, the worker or the command line. It finishes
 * exactly once (owner->finished, with its result), and is freed after its
 * last close callback (owner->closed; libuv's rule).
 *
 * The dialog (scanner/dialog) sees only c->sess; the TLS gate (--max-tls,
 * scanner/engine/admission.c) decides when a TLS phase may begin. */
#ifndef STS_CONN_H
#define STS_CONN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#include "scanner/dialog/dialog.h"
#include "scanner/dialog/reply.h"
#include "scanner/dialog/services.h"
#include "scanner/engine/admitstate.h"
#include "scanner/engine/observer.h"
#include "scanner/result/row.h"

struct sources;
#include "scanner/tls/hello.h"
#include "scanner/tls/tlslink.h"

struct conn;
struct conn_ends;

/* The same for every connection of a worker. */
struct conn_params {
    uv_loop_t *loop;
    char *readbuf; /* every read on the loop lands here, one at a time */
    size_t readbuf_len;
    WOLFSSL_CTX *tls;
    const struct service *service;
    const struct dialog_params *dialog;
    uint64_t timeout_ms, connect_ms, handshake_ms;
    const struct scan_observer *observer; /* NULL: nobody listens */
    bool keep_chain; /* DANE: the chain as sent goes into result.chain */
    void *observer_arg;
    /* The TLS gate: may the TLS phase begin now? When not, the gate calls
     * conn_tls_admitted() later. done: the phase is over, its slot free. */
    bool (*tls_admit)(void *arg, struct conn *c);
    void (*tls_done)(void *arg, struct conn *c);
    void *gate_arg;
    struct sources *sources; /* the worker's: where its connections went out from */
};

/* Who made the connection. */
struct conn_owner {
    /* Once: the result is final (the owner may take c->result). */
    void (*finished)(void *arg, struct conn *c);
    /* Once, after finished: the handles are closed; c is freed when it returns. */
    void (*closed)(void *arg, struct conn *c);
};

struct conn {
    struct dialog_session sess; /* what the dialog sees */
    uv_tcp_t tcp;
    uv_timer_t timer;
    uv_connect_t connect_req;
    const struct conn_params *params;
    const struct conn_owner *owner;
    void *owner_arg;
    char sni[256];
    char ip[64];
    struct sockaddr_storage addr;
    int port;
    struct probe_result result;
    struct reply_reader rr;
    bool corked; /* inside on_read: writes gather in out, one send at the end */
    struct buf out;
    struct tls_link tls;
    bool tls_started;
    enum scan_status verdict; /* decided before a polite QUIT */
    const char *phase;
    uint64_t phase_ms;
    uint64_t started, deadline;  /* uv_now() milliseconds */
    uint64_t due;                /* when the phase's silence runs out (<= deadline) */
    uint64_t connect_ns, tls_ns; /* uv_hrtime() at the start of each */
    int open_handles;
    bool finished;
    int tls_alert;              /* the fatal alert that ended the handshake, 0 if none */
    bool hello_closed;          /* our own ClientHello was met by a close or reset, nothing else */
    int tls_error;              /* wolfSSL's error code for it */
    uint16_t hello_version;     /* non-zero: send our own ClientHello up to this version */
    struct hello_reader *hello; /* ...and read the server's answer with this */
    uint16_t hello_answer;      /* the version the server chose */
    /* --ciphers: offer exactly these (owned by the probe) for hello_version
     * alone, read only the ServerHello, and keep the suite chosen. */
    const uint16_t *hello_suites;
    size_t hello_nsuites;
    uint16_t hello_suite;
    bool tls_gated;             /* asked the TLS gate: tell it when the connection ends */
    bool tls_waiting;           /* STARTTLS accepted; waits for a slot before its ClientHello */
    const struct conn_ends *ends; /* the connection's own callbacks (conn_internal.h) */
    struct admit_state admit;   /* admission's, never the connection's (admitstate.h) */
};

struct conn *conn_new(const struct conn_params *params, const struct conn_owner *owner,
                      void *owner_arg, const struct sockaddr *addr, int port, const char *sni);
void conn_start(struct conn *c);
/* Frees a connection that was never started. */
void conn_discard(struct conn *c);
/* The TLS gate let a waiting connection in (it holds a slot now). */
void conn_tls_admitted(struct conn *c);

#endif
