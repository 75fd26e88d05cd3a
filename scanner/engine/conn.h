/* One probe's connection: TCP, deadline timer, reply reader and, during the
 * TLS phase only, a tls_link. It finishes exactly once, hands its result to
 * the worker, and is freed in the last close callback (libuv's rule).
 *
 * A protocol is a const table of callbacks (curl's protocol handlers, zmap's
 * probe modules); it talks to the server only through the conn_* calls. */
#ifndef STS_CONN_H
#define STS_CONN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#include "scanner/result/row.h"
#include "scanner/tls/hello.h"
#include "scanner/dialog/reply.h"
#include "scanner/tls/tlslink.h"

struct conn;
struct probe;
struct worker;

struct dialog {
    const char *name; /* -p NAME, and the protocol column */
    int default_port;
    bool implicit_tls;  /* TLS from the first byte (SMTPS, IMAPS, ...) */
    bool resolves_mx;   /* targets are mail domains by default */
    reply_classify_fn classify;
    /* The dialog starts: on connect, or after the handshake for implicit TLS. */
    void (*on_connected)(struct conn *c);
    void (*on_reply)(struct conn *c, const struct reply *r);
    /* The handshake after STARTTLS (or its equivalent) completed. */
    void (*on_tls_ready)(struct conn *c);
    const char *quit_command; /* NULL: just close */
};

/* Every protocol, in the order --help lists them (scanner/dialog/services.c). */
extern const struct dialog *const dialogs[];
const struct dialog *dialog_find(const char *name);

enum conn_phase_kind { PHASE_REPLY, PHASE_HANDSHAKE };

struct conn {
    uv_tcp_t tcp;
    uv_timer_t timer;
    uv_connect_t connect_req;
    struct worker *w;
    const struct dialog *dialog;
    int state;             /* the dialog's own */
    unsigned dialog_flags; /* the dialog's own too */
    char *key;
    char sni[256];
    char ip[64];
    struct sockaddr_storage addr;
    int port;
    struct probe_result result;
    struct reply_reader rr;
    bool corked;      /* inside on_read: writes gather in out, one send at the end */
    struct buf out;
    struct tls_link tls;
    bool tls_started, tls_ready;
    bool tls_slot;    /* holds one of its worker's --max-tls slots */
    bool tls_waiting; /* STARTTLS accepted; waits for a slot before its ClientHello */
    struct conn *tls_wait_prev, *tls_wait_next;
    enum scan_status verdict; /* decided before a polite QUIT */
    bool quitting;
    const char *phase;
    uint64_t phase_ms;
    uint64_t started, deadline; /* uv_now() milliseconds */
    uint64_t due;               /* when the phase's silence runs out (<= deadline) */
    uint64_t connect_ns, tls_ns; /* uv_hrtime() at the start of each */
    int open_handles;
    bool finished;
    struct conn *next; /* in the worker's queue of probes waiting for a slot */
    uint64_t not_before_ms; /* a retry waits in the worker's delayed list until then */
    struct probe *probe;
    struct conn *successor;      /* the probe's next connection, queued once this one is closed */
    int tls_alert;               /* the fatal alert that ended the handshake, 0 if none */
    int tls_error;               /* wolfSSL's error code for it */
    uint16_t hello_version;      /* non-zero: send our own ClientHello up to this version */
    struct hello_reader *hello;  /* ...and read the server's answer with this */
    uint16_t hello_answer;       /* the version the server chose */
    bool host_slot;              /* holds one of its address's --per-host slots */
};

struct conn *conn_new(struct worker *w, const char *key, const struct sockaddr *addr, int port,
                      const char *sni);
void conn_start(struct conn *c);
/* Frees a conn that was never started. */
void conn_discard(struct conn *c);

/* For dialogs. */
void conn_send(struct conn *c, const char *line); /* appends CRLF */
/* Sends a command, moves the dialog to next_state, and waits for the reply
 * (--reply-timeout of silence at most). */
void conn_command(struct conn *c, int next_state, const char *line, const char *phase);
/* The same, with check's transcript showing `shown` (credentials redacted). */
void conn_command_shown(struct conn *c, int next_state, const char *line, const char *shown,
                        const char *phase);
/* The same, but check's transcript shows `shown` (credentials redacted). */
void conn_send_shown(struct conn *c, const char *line, const char *shown);
void conn_expect(struct conn *c, const char *phase, uint64_t timeout_ms);
void conn_start_tls(struct conn *c);
void conn_finish(struct conn *c, enum scan_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Records the verdict, says goodbye, and finishes when the server answers
 * (or closes, or the reply times out). */
void conn_quit(struct conn *c, enum scan_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Finishes with the verdict already reached (after a handshake: ok). */
void conn_done(struct conn *c);
/* Records SASL mechanisms the server offered ("PLAIN LOGIN"): in
 * auth_mechs inside TLS, in auth_mechs_plain before it. */
void conn_add_auth_mechs(struct conn *c, const char *list, size_t len);
/* The reply quoted for an error message: "421 4.7.0 Try again later". */
void conn_reply_text(const struct reply *r, struct text *out);
const struct config *conn_config(const struct conn *c);

#endif
