/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "scanner/dialog/dialog.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "scanner/base/wordlist.h"

void dialog_command(struct dialog_session *s, int next_state, const char *line, const char *phase)
{
    s->ops->command(s, next_state, line, line, phase);
}

void dialog_command_shown(struct dialog_session *s, int next_state, const char *line,
                          const char *shown, const char *phase)
{
    s->ops->command(s, next_state, line, shown, phase);
}

void dialog_send(struct dialog_session *s, int next_state, const char *data, size_t len,
                 const char *shown, const char *phase)
{
    s->ops->send(s, next_state, data, len, shown, phase);
}

void dialog_expect(struct dialog_session *s, const char *phase, uint64_t timeout_ms)
{
    s->ops->expect(s, phase, timeout_ms);
}

void dialog_start_tls(struct dialog_session *s)
{
    s->ops->start_tls(s);
}

void dialog_quit(struct dialog_session *s, enum scan_status st, const char *fmt, ...)
{
    struct buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    int rc = buf_vprintf(&b, fmt, ap);
    va_end(ap);
    s->ops->quit(s, st, rc == 0 && b.data ? b.data : "");
    buf_free(&b);
}

void dialog_done(struct dialog_session *s)
{
    s->ops->done(s);
}

void dialog_auth_result(struct dialog_session *s, bool ok, const struct reply *r)
{
    s->ops->auth_result(s, ok, r);
}

void dialog_auth_skipped(struct dialog_session *s, const char *why)
{
    s->ops->auth_skipped(s, why);
}

void dialog_auth_failed(struct dialog_session *s, const char *why)
{
    s->ops->auth_failed(s, why);
}

void dialog_keep_raw(struct dialog_session *s, enum raw_reply which, const struct reply *r)
{
    if (which == RAW_CAPABILITIES && s->tls_ready) which = RAW_CAPABILITIES_TLS;
    struct text *t = &s->result->raw[which];
    if (!s->params->raw || t->len) return;
    struct buf list = {0};
    size_t off = 0, len, bytes = 0;
    int lines = 0;
    const char *line;
    while ((line = reply_next_line(r, &off, &len)) != NULL) {
        if (lines == RAW_LINES || bytes + len > RAW_BYTES) {
            s->result->raw_truncated = true;
            break;
        }
        if (len == 0) continue; /* a word list has no empty item */
        if (wordlist_add(&list, line, len) != 0) break;
        lines++;
        bytes += len;
    }
    if (lines) text_set(t, list.data ? list.data : "", list.len);
    buf_free(&list);
}

void dialog_wait_greeting(struct dialog_session *s)
{
    s->state = 0;
    dialog_expect(s, "greeting", s->params->banner_ms);
}

void dialog_add_auth_mechs(struct dialog_session *s, const char *list, size_t len)
{
    struct text *t = s->tls_ready ? &s->result->auth_mechs : &s->result->auth_mechs_plain;
    struct buf b = {0};
    if (t->p) buf_append(&b, t->p, t->len);
    size_t i = 0;
    while (i < len) {
        while (i < len && (list[i] == ' ' || list[i] == '\t' || list[i] == '=')) i++;
        size_t start = i;
        while (i < len && list[i] != ' ' && list[i] != '\t') i++;
        size_t n = i - start;
        if (n == 0 || n > 40) continue;
        char mech[41];
        for (size_t k = 0; k < n; k++) {
            char ch = list[start + k];
            mech[k] = (ch >= 'a' && ch <= 'z') ? (char)(ch - 32) : ch;
        }
        /* Each mechanism once, in the order first offered. */
        if (!wordlist_has(b.data, b.len, mech, n)) wordlist_add(&b, mech, n);
    }
    text_set(t, b.data ? b.data : "", b.len);
    buf_free(&b);
}

void dialog_reply_text(const struct reply *r, struct text *out)
{
    reply_join(r, out);
}
