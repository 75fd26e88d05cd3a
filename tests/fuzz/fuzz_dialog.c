/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer: every dialog of the services table against what a server
 * might say (a binary one's messages told in words too, as check does).
 * data[0] picks the service (its index in services[], modulo their count),
 * data[1] the size of the pieces; the rest is the server's bytes, fed in
 * those pieces through the dialog's own reply rules (or framing). The
 * connection's actions are stand-ins: STARTTLS "succeeds" at once, so the
 * dialog goes on inside TLS; a quit ends the session. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/dialog/saslflow.h"
#include "scanner/dialog/services.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool ended;

static void op_command(struct dialog_session *s, int next_state, const char *line, const char *shown,
                       const char *phase)
{
    (void)line, (void)shown, (void)phase;
    s->state = next_state;
}

static void op_send(struct dialog_session *s, int next_state, const char *data, size_t len,
                    const char *shown, const char *phase)
{
    (void)data, (void)len, (void)shown, (void)phase;
    s->state = next_state;
}

static void op_expect(struct dialog_session *s, const char *phase, uint64_t timeout_ms)
{
    (void)s, (void)phase, (void)timeout_ms;
}

static void op_quit(struct dialog_session *s, enum scan_status st, const char *error)
{
    (void)st, (void)error;
    s->quitting = true;
    ended = true;
}

static void op_done(struct dialog_session *s)
{
    (void)s;
    ended = true;
}

static void op_start_tls(struct dialog_session *s);

static void op_auth_result(struct dialog_session *s, bool ok, const struct reply *r)
{
    (void)s, (void)ok, (void)r;
}

static void op_auth_failed(struct dialog_session *s, const char *why)
{
    (void)s;
    (void)why;
}

static void op_auth_skipped(struct dialog_session *s, const char *why)
{
    (void)s, (void)why;
}

static const struct dialog_ops ops = {.command = op_command, .send = op_send, .expect = op_expect,
                                      .start_tls = op_start_tls, .quit = op_quit, .done = op_done,
                                      .auth_result = op_auth_result, .auth_skipped = op_auth_skipped,
                                      .auth_failed = op_auth_failed};

static const struct dialog *current;

static void op_start_tls(struct dialog_session *s)
{
    s->tls_ready = true;
    current->on_tls_ready(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    int nservices = 0;
    while (services[nservices].name) nservices++;
    const struct service *sv = &services[data[0] % nservices];
    if (!sv->dialog->on_reply) return 0;
    current = sv->dialog;
    struct probe_result result;
    probe_result_init(&result);
    /* data[1]'s high bits: check's AUTH test with one of these mechanisms (0: none). */
    static const char *const mechs[] = {NULL, "auto", "PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256", "OAUTHBEARER",
                                        "XOAUTH2"};
    const char *mech = mechs[(data[1] >> 4) & 7];
    char password[] = "fuzz-password";
    struct dialog_params params = {"fuzz.example", 1000, 1000, mech ? "fuzzuser" : NULL, mech, password,
                                   mech && strstr(mech, "OAUTH") != NULL, (data[1] & 0x80) != 0};
    struct dialog_session s = {.result = &result, .params = &params, .ops = &ops, .server_name = "fuzz.example"};
    struct reply_reader rr;
    if (current->frame)
        reply_reader_init_framed(&rr, current->frame, &s);
    else
        reply_reader_init(&rr, current->classify, &s);
    ended = false;
    current->on_start(&s);
    size_t chunk = (size_t)(data[1] % 16) + 1, pos = 2;
    while (pos < size && !ended) {
        size_t n = size - pos < chunk ? size - pos : chunk, used = 0;
        enum reply_status st = reply_feed(&rr, (const char *)data + pos, n, &used);
        if (used > n) abort();
        if (st == REPLY_ERROR) break;
        if (st == REPLY_DONE && current->describe) {
            struct text t = {0};
            current->describe(&rr.reply, &t);
            text_free(&t);
        }
        if (st == REPLY_DONE) current->on_reply(&s, &rr.reply);
        pos += used ? used : n;
    }
    if (current->free_data && s.data) current->free_data(&s);
    saslflow_free(&s);
    reply_reader_free(&rr);
    probe_result_free(&result);
    return 0;
}
